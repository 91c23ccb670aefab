//! A script's statements applied to the model in order: additions go
//! through the schema parser on top of the state so far; drops, renames and
//! alterations become `Change`s applied by `effects` (the model's mirror of
//! PostgreSQL). Revision replay is this, on the state before the revision.

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterPolicyOperation, AlterTableOperation, AlterTypeAddValuePosition,
    AlterTypeOperation, ObjectName, ObjectType, Statement,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use super::effects::apply;
use crate::canon::expr::canonical;
use crate::canon::ident::fold;
use crate::canon::types::resolve;
use crate::change::{Change, CompositeAction, DomainAction};
use crate::model::{Attribute, Catalog, Identity, Policy, QualName, SeqOptions};
use crate::parse::columns::{identity_type, int_value, seq_options};
use crate::parse::names::collation_name;
use crate::parse::names::object_qual_name;
use crate::parse::names::read_name;
use crate::parse::parse_onto;
use crate::parse::split::{split, RawStatement};

/// A statement of a script the model cannot apply.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{source_name}: cannot apply {statement:?}: {why}")]
pub struct ScriptError {
    /// Where the script came from (a revision's id).
    pub source_name: String,
    /// The statement (empty when the error spans a batch of additions).
    pub statement: String,
    /// Why.
    pub why: String,
}

/// The catalog after running the script `sql` (from `source_name`) on `base`.
pub fn run(base: Catalog, source_name: &str, sql: &str) -> Result<Catalog, ScriptError> {
    let revision = source_name;
    let fail = |statement: &str, why: String| ScriptError {
        source_name: revision.to_string(),
        statement: statement.trim().to_string(),
        why,
    };
    let statements = split(sql).map_err(|(m, _)| fail(sql, m))?;
    let mut cat = base;
    let mut batch = String::new();
    for raw in statements {
        let text = sql[raw.bytes.clone()].to_string();
        if maybe_imperative(&raw) {
            // Drops and renames act on the state so far, additions included.
            cat = flush(cat, &mut batch, revision)?;
            if let Some(changes) = imperative(&raw, &cat).map_err(|why| fail(&text, why))? {
                for c in &changes {
                    apply(&mut cat, c);
                }
                continue;
            }
        }
        batch.push_str(&text);
        batch.push_str(";\n");
    }
    cat = flush(cat, &mut batch, revision)?;
    cat.sort();
    Ok(cat)
}

fn flush(cat: Catalog, batch: &mut String, revision: &str) -> Result<Catalog, ScriptError> {
    if batch.trim().is_empty() {
        return Ok(cat);
    }
    let text = std::mem::take(batch);
    match parse_onto(cat, revision, &text) {
        Ok(parsed) => Ok(parsed.catalog),
        Err(e) => Err(ScriptError { source_name: revision.to_string(), statement: String::new(), why: e.summary() }),
    }
}

fn words(raw: &RawStatement) -> Vec<String> {
    raw.words()
}

/// Statements that may not be additions (judged from their words alone).
fn maybe_imperative(raw: &RawStatement) -> bool {
    let w = words(raw);
    match w.first().map(String::as_str) {
        Some(
            "DROP" | "SET" | "RESET" | "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE" | "ANALYZE" | "VACUUM"
            | "REFRESH",
        ) => true,
        // ALTER SEQUENCE ... OWNED BY and ALTER DEFAULT PRIVILEGES are additions the schema parser reads.
        Some("ALTER") => {
            !(w.get(1).map(String::as_str) == Some("SEQUENCE") && w.iter().any(|x| x == "OWNED"))
                && w.get(1).map(String::as_str) != Some("DEFAULT")
        }
        _ => false,
    }
}

/// `DROP <kind> [IF EXISTS] identity, ...` of a generic kind.
fn drop_objects(raw: &RawStatement, cat: &Catalog) -> Result<Vec<Change>, String> {
    let (kind, identities, if_exists) = crate::parse::object::read_drop(&raw.tokens, "public").map_err(|(m, _)| m)?;
    let mut out = Vec::new();
    for identity in identities {
        let id = crate::model::ObjectId { kind, identity };
        match cat.objects.get(&id) {
            Some(o) => out.push(Change::DropObject { object: o.clone() }),
            None if if_exists => {}
            None => return Err(format!("{id} does not exist at this point of the chain")),
        }
    }
    Ok(out)
}

/// `Some(changes)` for a statement the schema parser does not take (drops,
/// renames, alterations); `None` for one it does.
/// `DROP DOMAIN` and `ALTER DOMAIN`, which sqlparser does not read (the
/// latter) or reads without what replay needs: read from the tokens.
fn domain_statement(raw: &RawStatement, w: &[&str], cat: &Catalog) -> Result<Vec<Change>, String> {
    let toks: Vec<_> = raw.tokens.iter().collect();
    let mut at = 2;
    let if_exists = w.get(2..4) == Some(&["IF", "EXISTS"]);
    if if_exists {
        at = 4;
    }
    let (name, next) = read_name(&toks, at).ok_or("expected a domain name")?;
    let name = object_qual_name(&name, "public")?;
    let Some(domain) = cat.domains.get(&name) else {
        return if if_exists && w[0] == "DROP" {
            Ok(vec![])
        } else {
            Err(format!("domain {name} does not exist at this point of the chain"))
        };
    };
    if w[0] == "DROP" {
        return Ok(vec![Change::DropDomain { over: domain.base.custom(), name }]);
    }
    let expr_from = |k: usize| -> Result<sqlparser::ast::Expr, String> {
        let tokens: Vec<_> = raw.tokens[k..].to_vec();
        Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(tokens).parse_expr().map_err(|e| e.to_string())
    };
    let ctx = crate::canon::expr::Context { default_schema: "public", column_type: Some(&domain.base) };
    let action = match w.get(next..).unwrap_or(&[]) {
        ["SET", "DEFAULT", ..] => DomainAction::SetDefault { to: Some(canonical(&expr_from(next + 2)?, &ctx)) },
        ["DROP", "DEFAULT"] => DomainAction::SetDefault { to: None },
        ["SET", "NOT", "NULL"] => DomainAction::SetNotNull { not_null: true },
        ["DROP", "NOT", "NULL"] => DomainAction::SetNotNull { not_null: false },
        ["ADD", "CONSTRAINT", _, "CHECK", ..] => {
            let check = read_name(&toks, next + 2).ok_or("expected a constraint name")?.0;
            let check = check.0.last().and_then(|p| p.as_ident()).map(fold).ok_or("bad constraint name")?;
            let ctx = crate::canon::expr::Context { default_schema: "public", column_type: None };
            DomainAction::AddCheck { check, expr: canonical(&expr_from(next + 4)?, &ctx) }
        }
        ["DROP", "CONSTRAINT", rest @ ..] => {
            let skip = if rest.starts_with(&["IF", "EXISTS"]) { 4 } else { 2 };
            let check = read_name(&toks, next + skip).ok_or("expected a constraint name")?.0;
            let check = check.0.last().and_then(|p| p.as_ident()).map(fold).ok_or("bad constraint name")?;
            DomainAction::DropCheck { check }
        }
        _ => return Err("unsupported ALTER DOMAIN form".into()),
    };
    Ok(vec![Change::AlterDomain { name, action }])
}

/// `DROP FUNCTION | PROCEDURE | ROUTINE [IF EXISTS] name[(args)], ... [CASCADE | RESTRICT]`.
fn drop_routines(raw: &RawStatement, cat: &Catalog) -> Result<Vec<Change>, String> {
    use crate::parse::routine::{eat, find_routine, signature};
    let mut p = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(raw.tokens.clone());
    p.next_token();
    p.next_token();
    let if_exists = eat(&mut p, "IF") && eat(&mut p, "EXISTS");
    let mut out = Vec::new();
    loop {
        let (name, args) = signature(&mut p, "public").map_err(|(m, _)| m)?;
        match find_routine(&cat.routines, &name, args.as_deref()) {
            Ok(id) => out.push(Change::DropRoutine { routine: cat.routines[id].clone() }),
            Err(_) if if_exists => {}
            Err(e) => return Err(format!("{e} at this point of the chain")),
        }
        if !p.consume_token(&Token::Comma) {
            break;
        }
    }
    if eat(&mut p, "CASCADE") {
        return Err("DROP ... CASCADE is not replayed: drop the dependants by name".into());
    }
    eat(&mut p, "RESTRICT");
    if p.peek_token().token != Token::EOF {
        return Err("unexpected text after DROP FUNCTION".into());
    }
    Ok(out)
}

/// `DROP TRIGGER [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
fn drop_trigger(raw: &RawStatement, cat: &Catalog) -> Result<Vec<Change>, String> {
    use crate::parse::routine::eat;
    let mut p = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(raw.tokens.clone());
    p.next_token();
    p.next_token();
    let if_exists = eat(&mut p, "IF") && eat(&mut p, "EXISTS");
    let name = fold(&p.parse_identifier().map_err(|e| e.to_string())?);
    if !eat(&mut p, "ON") {
        return Err("expected DROP TRIGGER name ON table".into());
    }
    let table = object_qual_name(&p.parse_object_name(false).map_err(|e| e.to_string())?, "public")?;
    eat(&mut p, "RESTRICT");
    if p.peek_token().token != Token::EOF {
        return Err("unexpected text after DROP TRIGGER".into());
    }
    let id = crate::model::TriggerId { table, name };
    match cat.triggers.get(&id) {
        Some(t) => Ok(vec![Change::DropTrigger { trigger: t.clone() }]),
        None if if_exists => Ok(vec![]),
        None => Err(format!("trigger {id} does not exist at this point of the chain")),
    }
}

/// The imperative statements a revision may hold (`ALTER`, `DROP`, `RENAME` of every
/// kind) as changes. Long because it is the one table of them: one arm per form.
fn imperative(raw: &RawStatement, cat: &Catalog) -> Result<Option<Vec<Change>>, String> {
    let w = words(raw);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    match w.as_slice() {
        // Session settings and data statements (backfills) leave the schema as it is.
        ["SET" | "RESET" | "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE" | "ANALYZE" | "VACUUM", ..]
        | ["REFRESH", "MATERIALIZED", ..] => return Ok(Some(vec![])),
        ["ALTER", "SEQUENCE", ..] if !w.contains(&"OWNED") => return alter_sequence(raw, cat).map(Some),
        ["DROP", "DOMAIN", ..] | ["ALTER", "DOMAIN", ..] => return domain_statement(raw, &w, cat).map(Some),
        ["DROP", "FUNCTION" | "PROCEDURE" | "ROUTINE", ..] => return drop_routines(raw, cat).map(Some),
        ["DROP", "TRIGGER", ..] => return drop_trigger(raw, cat).map(Some),
        ["DROP", kind @ ..] if crate::model::GenericKind::from_words(kind).is_some() => {
            return drop_objects(raw, cat).map(Some)
        }
        // Mappings amend the configuration where it is: the schema parser reads them.
        ["ALTER", "TEXT", "SEARCH", "CONFIGURATION", ..] => return Ok(None),
        // So do ENABLE of an event trigger and SET STATISTICS of a statistics object.
        ["ALTER", "EVENT", "TRIGGER", ..] | ["ALTER", "STATISTICS", ..] if !w.contains(&"OWNER") => return Ok(None),
        // So do a family's members, a publication's, and whether a rule fires.
        ["ALTER", "OPERATOR", "FAMILY", ..] | ["ALTER", "PUBLICATION", ..] => return Ok(None),
        ["ALTER", "TABLE", ..] if crate::parse::object_edit::read_rule_enable(&raw.tokens, "public").is_some() => {
            return Ok(None)
        }
        ["ALTER", "TYPE", ..] if w.contains(&"ATTRIBUTE") => return composite_statement(raw, cat).map(Some),
        ["ALTER", "TABLE", ..]
            if w.windows(2).any(|p| p == ["DROP", "IDENTITY"] || p == ["SET", "GENERATED"]) || identity_options(&w) =>
        {
            return alter_identity(raw, &w, cat).map(Some);
        }
        _ => {}
    }
    if !matches!(w.first(), Some(&"DROP") | Some(&"ALTER")) || crate::parse::table_attrs::is_table_attr(raw) {
        return Ok(None);
    }
    if matches!(w.get(1), Some(&"SEQUENCE")) {
        // ALTER SEQUENCE ... OWNED BY: the schema parser reads it.
        if w[0] == "ALTER" {
            return Ok(None);
        }
    }
    // sqlparser does not take `ALTER COLUMN ... TYPE t COLLATE c`; the collation
    // is read from the raw tokens (`raw_collation`) and left out of the parse.
    let mut tokens = raw.tokens.clone();
    if let Some((at, _, end)) = collate_clause(raw) {
        tokens.drain(at..end);
    }
    let mut parser = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(tokens);
    let stmt = parser.parse_statement().map_err(|e| e.to_string())?;
    if parser.peek_token().token != Token::EOF {
        return Err("unexpected text after the statement".into());
    }
    let q = |n: &ObjectName| object_qual_name(n, "public");
    match stmt {
        Statement::Drop { object_type, if_exists, names, .. } => {
            let mut out = Vec::new();
            for n in &names {
                let name = q(n)?;
                let found = match object_type {
                    ObjectType::Table => cat.tables.get(&name).map(|t| Change::DropTable { table: t.clone() }),
                    ObjectType::Sequence => {
                        cat.sequences.contains_key(&name).then(|| Change::DropSequence { name: name.clone() })
                    }
                    ObjectType::Type => match cat.composites.get(&name) {
                        Some(c) => Some(Change::DropComposite { composite: c.clone() }),
                        None if cat.ranges.contains_key(&name) => {
                            Some(Change::DropRange { range: cat.ranges[&name].clone() })
                        }
                        None => cat.enums.contains_key(&name).then(|| Change::DropEnum { name: name.clone() }),
                    },
                    ObjectType::Schema => {
                        let s = fold(n.0.last().and_then(|p| p.as_ident()).ok_or("bad schema name")?);
                        cat.schemas.contains_key(&s).then(|| Change::DropSchema { name: s })
                    }
                    ObjectType::Index => cat
                        .tables
                        .values()
                        .filter(|t| t.name.schema == name.schema)
                        .map(|t| (&t.name, &t.indexes))
                        .chain(
                            cat.views.values().filter(|v| v.name.schema == name.schema).map(|v| (&v.name, &v.indexes)),
                        )
                        .find_map(|(t, indexes)| {
                            indexes.get(&name.name).map(|i| Change::DropIndex { table: t.clone(), index: i.clone() })
                        }),
                    ObjectType::View | ObjectType::MaterializedView => cat
                        .views
                        .get(&name)
                        .filter(|v| v.materialized == (object_type == ObjectType::MaterializedView))
                        .map(|v| Change::DropView { view: v.clone() }),
                    other => return Err(format!("DROP {other} is not something pgstate models")),
                };
                match found {
                    Some(c) => out.push(c),
                    None if if_exists => {}
                    None => return Err(format!("{name} does not exist at this point of the chain")),
                }
            }
            Ok(Some(out))
        }
        Statement::DropPolicy(d) => {
            let table = q(&d.table_name)?;
            let name = fold(&d.name);
            match cat.tables.get(&table).and_then(|t| t.policies.get(&name)) {
                Some(p) => Ok(Some(vec![Change::DropPolicy { table, policy: p.clone() }])),
                None if d.if_exists => Ok(Some(vec![])),
                None => Err(format!("policy {name} on {table} does not exist at this point of the chain")),
            }
        }
        Statement::AlterPolicy(a) => {
            let table = q(&a.table_name)?;
            let name = fold(&a.name);
            let t = cat.tables.get(&table).ok_or_else(|| format!("table {table} does not exist"))?;
            let old = t
                .policies
                .get(&name)
                .ok_or_else(|| format!("policy {name} on {table} does not exist at this point of the chain"))?;
            match &a.operation {
                AlterPolicyOperation::Rename { new_name } => {
                    let policy = Policy { name: fold(new_name), ..old.clone() };
                    Ok(Some(vec![
                        Change::DropPolicy { table: table.clone(), policy: old.clone() },
                        Change::CreatePolicy { table, policy },
                    ]))
                }
                AlterPolicyOperation::Apply { to, using, with_check } => {
                    let new = crate::parse::policy::alter(
                        old,
                        t,
                        to.as_deref(),
                        using.as_ref(),
                        with_check.as_ref(),
                        "public",
                    )?;
                    Ok(Some(vec![Change::AlterPolicy { table, from: old.clone(), to: new }]))
                }
            }
        }
        Statement::DropExtension(d) => {
            let mut out = Vec::new();
            for n in &d.names {
                let e = fold(n);
                match cat.extensions.contains_key(&e) {
                    true => out.push(Change::DropExtension { name: e }),
                    false if d.if_exists => {}
                    false => return Err(format!("extension {e} does not exist at this point of the chain")),
                }
            }
            Ok(Some(out))
        }
        Statement::AlterTable(alter) => {
            let table = q(&alter.name)?;
            let Some(t) = cat.tables.get(&table) else {
                return Err(format!("table {table} does not exist at this point of the chain"));
            };
            let mut out = Vec::new();
            let mut declarative = 0;
            for op in &alter.operations {
                match op {
                    AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                        for c in column_names {
                            match t.columns.get(&fold(c)) {
                                Some(col) => out.push(Change::DropColumn { table: table.clone(), column: col.clone() }),
                                None if *if_exists => {}
                                None => return Err(format!("column {} does not exist", fold(c))),
                            }
                        }
                    }
                    AlterTableOperation::DropConstraint { name, if_exists, .. } => match t.constraints.get(&fold(name))
                    {
                        Some(c) => out.push(Change::DropConstraint { table: table.clone(), constraint: c.clone() }),
                        None if *if_exists => {}
                        None => return Err(format!("constraint {} does not exist", fold(name))),
                    },
                    AlterTableOperation::RenameTable { table_name } => {
                        let to = match table_name {
                            sqlparser::ast::RenameTableNameKind::To(n) | sqlparser::ast::RenameTableNameKind::As(n) => {
                                n
                            }
                        };
                        let to_name = to.0.last().and_then(|p| p.as_ident()).map(fold).ok_or("bad table name")?;
                        out.push(Change::RenameTable {
                            from: table.clone(),
                            to: QualName::new(table.schema.clone(), to_name),
                        });
                    }
                    AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                        out.push(Change::RenameColumn {
                            table: table.clone(),
                            from: fold(old_column_name),
                            to: fold(new_column_name),
                        })
                    }
                    AlterTableOperation::RenameConstraint { old_name, new_name } => {
                        out.push(Change::RenameConstraint {
                            table: table.clone(),
                            from: fold(old_name),
                            to: fold(new_name),
                        })
                    }
                    AlterTableOperation::SetLogged => {
                        out.push(Change::SetUnlogged { table: table.clone(), unlogged: false })
                    }
                    AlterTableOperation::SetUnlogged => {
                        out.push(Change::SetUnlogged { table: table.clone(), unlogged: true })
                    }
                    AlterTableOperation::AlterColumn { column_name, op } => {
                        let column = fold(column_name);
                        let col = t.columns.get(&column).ok_or_else(|| format!("column {column} does not exist"))?;
                        match op {
                            AlterColumnOperation::DropNotNull => {
                                out.push(Change::SetNotNull { table: table.clone(), column, not_null: false })
                            }
                            AlterColumnOperation::DropDefault => out.push(Change::SetDefault {
                                table: table.clone(),
                                column,
                                from: col.default.clone(),
                                to: None,
                            }),
                            AlterColumnOperation::SetDataType { data_type, .. } => {
                                let to = resolve(data_type, "public")?.column_type;
                                let collation = raw_collation(raw).or(if to == col.data_type {
                                    col.collation.clone()
                                } else {
                                    None
                                });
                                out.push(Change::AlterColumnType {
                                    table: table.clone(),
                                    column,
                                    from: col.data_type.clone(),
                                    to,
                                    collation,
                                    using: false,
                                });
                            }
                            _ => declarative += 1,
                        }
                    }
                    _ => declarative += 1,
                }
            }
            match (declarative, out.is_empty()) {
                (_, true) => Ok(None),
                (0, false) => Ok(Some(out)),
                _ => Err("mixes additions with drops or renames in one ALTER TABLE; split it".into()),
            }
        }
        Statement::AlterType(alter) => {
            let name = q(&alter.name)?;
            if !cat.enums.contains_key(&name) {
                return Err(format!("type {name} does not exist at this point of the chain"));
            }
            match alter.operation {
                AlterTypeOperation::AddValue(v) => {
                    let (before, after) = match v.position {
                        Some(AlterTypeAddValuePosition::Before(b)) => (Some(b.value), None),
                        Some(AlterTypeAddValuePosition::After(a)) => (None, Some(a.value)),
                        None => (None, None),
                    };
                    Ok(Some(vec![Change::AddEnumValue { name, value: v.value.value, before, after }]))
                }
                AlterTypeOperation::Rename(r) => {
                    let to = QualName::new(name.schema.clone(), fold(&r.new_name));
                    Ok(Some(rename_enum(cat, &name, &to)))
                }
                AlterTypeOperation::RenameValue(r) => {
                    Ok(Some(vec![Change::RenameEnumValue { name, from: r.from.value, to: r.to.value }]))
                }
            }
        }
        Statement::AlterIndex { name, operation: AlterIndexOperation::RenameIndex { index_name } } => {
            let idx = q(&name)?;
            let to = index_name.0.last().and_then(|p| p.as_ident()).map(fold).ok_or("bad index name")?;
            let table = cat
                .tables
                .values()
                .find(|t| t.name.schema == idx.schema && t.indexes.contains_key(&idx.name))
                .map(|t| t.name.clone())
                .ok_or_else(|| format!("index {idx} does not exist at this point of the chain"))?;
            Ok(Some(vec![Change::RenameIndex { table, from: idx.name, to }]))
        }
        _ => Ok(None),
    }
}

/// `ALTER TYPE t ADD ATTRIBUTE a type [COLLATE c] | DROP ATTRIBUTE [IF EXISTS] a
/// | ALTER ATTRIBUTE a [SET DATA] TYPE type [COLLATE c]` (one action), which
/// sqlparser does not read: driven with its parser's primitives.
fn composite_statement(raw: &RawStatement, cat: &Catalog) -> Result<Vec<Change>, String> {
    use sqlparser::keywords::Keyword;
    let mut p = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(raw.tokens.clone());
    let e = |e: sqlparser::parser::ParserError| e.to_string();
    p.expect_keywords(&[Keyword::ALTER, Keyword::TYPE]).map_err(e)?;
    let name = object_qual_name(&p.parse_object_name(false).map_err(e)?, "public")?;
    let ty = cat
        .composites
        .get(&name)
        .ok_or_else(|| format!("composite type {name} does not exist at this point of the chain"))?;
    let collate = |p: &mut Parser| -> Result<Option<String>, String> {
        if p.parse_keyword(Keyword::COLLATE) {
            Ok(Some(collation_name(&p.parse_object_name(false).map_err(e)?)))
        } else {
            Ok(None)
        }
    };
    // ATTRIBUTE is not one of sqlparser's keywords: read as a plain word.
    let attribute = |p: &mut Parser, verb: Keyword| -> bool {
        let next = p.peek_tokens_with_location::<2>();
        let is_verb = matches!(&next[0].token, Token::Word(w) if w.keyword == verb);
        let is_attr = matches!(&next[1].token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("attribute"));
        if is_verb && is_attr {
            p.next_token();
            p.next_token();
        }
        is_verb && is_attr
    };
    let action = if attribute(&mut p, Keyword::ADD) {
        let attr = fold(&p.parse_identifier().map_err(e)?);
        let data_type = resolve(&p.parse_data_type().map_err(e)?, "public")?.column_type;
        let collation = collate(&mut p)?;
        CompositeAction::AddAttribute { attribute: Attribute { name: attr, data_type, collation } }
    } else if attribute(&mut p, Keyword::DROP) {
        let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let attr = fold(&p.parse_identifier().map_err(e)?);
        let _ = p.parse_one_of_keywords(&[Keyword::CASCADE, Keyword::RESTRICT]);
        match ty.attributes.get(&attr) {
            Some(a) => CompositeAction::DropAttribute { attribute: a.clone() },
            None if if_exists => return Ok(vec![]),
            None => return Err(format!("attribute {attr} of {name} does not exist")),
        }
    } else if attribute(&mut p, Keyword::ALTER) {
        let attr = fold(&p.parse_identifier().map_err(e)?);
        let old = ty.attributes.get(&attr).ok_or_else(|| format!("attribute {attr} of {name} does not exist"))?;
        let _ = p.parse_keywords(&[Keyword::SET, Keyword::DATA]);
        p.expect_keyword(Keyword::TYPE).map_err(e)?;
        let to = resolve(&p.parse_data_type().map_err(e)?, "public")?.column_type;
        let collation = collate(&mut p)?;
        CompositeAction::AlterAttributeType { attribute: attr, from: old.data_type.clone(), to, collation }
    } else {
        return Err("unsupported ALTER TYPE form (one ADD, DROP or ALTER ATTRIBUTE is read)".into());
    };
    let _ = p.parse_one_of_keywords(&[Keyword::CASCADE, Keyword::RESTRICT]);
    if p.peek_token().token != Token::EOF {
        return Err("unexpected text after the statement (one attribute action per ALTER TYPE is read)".into());
    }
    Ok(vec![Change::AlterComposite { name, action }])
}

/// `ALTER TYPE ... RENAME TO`: the type keeps its columns, under its new name.
fn rename_enum(cat: &Catalog, from: &QualName, to: &QualName) -> Vec<Change> {
    let mut e = cat.enums[from].clone();
    e.name = to.clone();
    let mut changes = vec![Change::DropEnum { name: from.clone() }, Change::CreateEnum { enum_type: e }];
    for t in cat.tables.values() {
        for c in t.columns.values() {
            if c.data_type.custom().as_ref() == Some(from) {
                let mut ty = c.data_type.clone();
                ty.schema = Some(to.schema.clone());
                ty.base = to.name.clone();
                changes.push(Change::AlterColumnType {
                    table: t.name.clone(),
                    column: c.name.clone(),
                    from: c.data_type.clone(),
                    to: ty,
                    collation: c.collation.clone(),
                    using: false,
                });
            }
        }
    }
    changes
}

/// A `COLLATE name` clause: where it starts, the collation, where it ends.
fn collate_clause(raw: &RawStatement) -> Option<(usize, String, usize)> {
    let sig: Vec<_> = raw.significant().collect();
    let at = sig.iter().position(
        |t| matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("collate")),
    )?;
    let (name, end) = read_name(&sig, at + 1)?;
    Some((at, collation_name(&name), end))
}

/// `COLLATE x` written in an `ALTER COLUMN ... TYPE` statement.
fn raw_collation(raw: &RawStatement) -> Option<String> {
    collate_clause(raw).map(|(_, name, _)| name)
}

fn identity_options(w: &[&str]) -> bool {
    w.contains(&"COLUMN")
        && w.windows(2).any(|p| {
            p[0] == "SET" && matches!(p[1], "INCREMENT" | "START" | "MINVALUE" | "MAXVALUE" | "CACHE" | "CYCLE" | "NO")
        })
}

/// `ALTER TABLE t ALTER COLUMN c DROP IDENTITY` / `SET GENERATED ...` / `SET <sequence option>`.
fn alter_identity(raw: &RawStatement, w: &[&str], cat: &Catalog) -> Result<Vec<Change>, String> {
    let sig: Vec<_> = raw.significant().collect();
    // ALTER TABLE [ONLY] name ALTER [COLUMN] column ...
    let at = if w.get(2) == Some(&"ONLY") { 3 } else { 2 };
    let (name, name_end) = read_name(&sig, at).ok_or("expected ALTER TABLE name ALTER COLUMN")?;
    if w.get(name_end) != Some(&"ALTER") {
        return Err("expected ALTER TABLE name ALTER COLUMN".into());
    }
    let table = object_qual_name(&name, "public")?;
    let t = cat.tables.get(&table).ok_or_else(|| format!("table {table} does not exist at this point of the chain"))?;
    let col_pos = if w.get(name_end + 1) == Some(&"COLUMN") { name_end + 2 } else { name_end + 1 };
    let column = match &sig.get(col_pos).ok_or("missing column")?.token {
        Token::Word(word) => {
            if word.quote_style.is_some() {
                word.value.clone()
            } else {
                word.value.to_lowercase()
            }
        }
        _ => return Err("expected a column name".into()),
    };
    let col = t.columns.get(&column).ok_or_else(|| format!("column {column} does not exist"))?;
    let rest = &w[col_pos + 1..];
    if rest.first() == Some(&"DROP") {
        return Ok(vec![Change::SetIdentity { table, column, from: col.identity.as_deref().cloned(), to: None }]);
    }
    let mut id: Identity =
        col.identity.as_deref().cloned().ok_or_else(|| format!("column {column} is not an identity column"))?;
    // Split "SET a b SET c d" into clauses.
    let clauses: Vec<Vec<&str>> = rest.split(|x| *x == "SET").filter(|c| !c.is_empty()).map(|c| c.to_vec()).collect();
    let mut options_text = String::new();
    for c in clauses {
        match c.as_slice() {
            ["GENERATED", "ALWAYS"] => id.always = true,
            ["GENERATED", "BY", "DEFAULT"] => id.always = false,
            other => {
                options_text.push(' ');
                options_text.push_str(&other.join(" "));
            }
        }
    }
    if !options_text.is_empty() {
        apply_sequence_options(&mut id.options, &options_text, identity_type(col)?)?;
    }
    Ok(vec![Change::SetIdentity { table, column, from: col.identity.as_deref().cloned(), to: Some(id) }])
}

/// `ALTER SEQUENCE s <options>`.
fn alter_sequence(raw: &RawStatement, cat: &Catalog) -> Result<Vec<Change>, String> {
    let sig: Vec<_> = raw.significant().collect();
    let (name, at) = read_name(&sig, 2).ok_or("expected a sequence name")?;
    let name = object_qual_name(&name, "public")?;
    let seq =
        cat.sequences.get(&name).ok_or_else(|| format!("sequence {name} does not exist at this point of the chain"))?;
    let options_text = crate::quote::ast::tokens(sig[at..].iter().map(|t| &t.token));
    let mut options = seq.options.clone();
    apply_sequence_options(&mut options, &options_text, seq.options.data_type)?;
    Ok(vec![Change::AlterSequence { name, from: seq.options.clone(), to: options }])
}

/// Applies written sequence options onto existing ones (only those written change).
fn apply_sequence_options(
    options: &mut SeqOptions,
    text: &str,
    data_type: crate::model::SeqType,
) -> Result<(), String> {
    let sql = format!("CREATE SEQUENCE pgstate_tmp {text}");
    let stmt = Parser::parse_sql(&PostgreSqlDialect {}, &sql).map_err(|e| e.to_string())?;
    let Some(Statement::CreateSequence { sequence_options, .. }) = stmt.into_iter().next() else {
        return Err("expected sequence options".into());
    };
    let fresh = seq_options(&sequence_options, data_type)?;
    for o in &sequence_options {
        use sqlparser::ast::SequenceOptions as S;
        match o {
            S::DataType(_) => options.data_type = fresh.data_type,
            S::IncrementBy(e, _) => options.increment = int_value(e)?,
            S::MinValue(Some(e)) => options.min = int_value(e)?,
            S::MinValue(None) => options.min = fresh.min,
            S::MaxValue(Some(e)) => options.max = int_value(e)?,
            S::MaxValue(None) => options.max = fresh.max,
            S::StartWith(e, _) => options.start = int_value(e)?,
            S::Cache(e) => options.cache = int_value(e)?,
            S::Cycle(no) => options.cycle = !no,
            S::OwnedBy(_) => {}
        }
    }
    Ok(())
}
