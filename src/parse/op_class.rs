//! `CREATE OPERATOR CLASS`, `CREATE OPERATOR FAMILY` and `ALTER OPERATOR
//! FAMILY ... ADD / DROP`, which sqlparser does not read: with its type and
//! name parsers. Members are put in `model::object::op_class`'s canonical
//! form: the operand types always written (filled in as PostgreSQL does when
//! left out), types and function arguments as PostgreSQL spells them,
//! `pg_catalog.` dropped, `FOR SEARCH` left out; `settle` qualifies bare names
//! the schema defines and adds the family a class without `FAMILY` makes.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::{object_qual_name, operator_name, operator_sql};
use super::routine::{eat, routine_type, signature};
use crate::canon::ident::fold;
use crate::canon::quote_ident;
use crate::model::{Catalog, ColumnType, Dep, GenericKind, Object, ObjectId, QualName};

/// A member: (its clause, [its `DROP` form, the operator's identity or empty]).
pub type Member = (String, Vec<String>);

fn parser(toks: &[TokenWithSpan]) -> Parser<'static> {
    static DIALECT: PostgreSqlDialect = PostgreSqlDialect {};
    Parser::new(&DIALECT).with_tokens_with_locations(toks.to_vec())
}

/// How many tokens the parser has consumed of `toks`.
fn consumed(p: &Parser, toks: &[TokenWithSpan]) -> usize {
    let next = p.peek_token_ref().span;
    toks.iter().position(|t| t.span == next && t.token != Token::EOF).unwrap_or(toks.len())
}

fn expect(p: &mut Parser, t: Token, what: &str) -> Result<(), String> {
    if p.peek_token_ref().token == t {
        p.next_token();
        Ok(())
    } else {
        Err(format!("expected {what}, found {}", p.peek_token_ref().token))
    }
}

fn ident(p: &mut Parser, what: &str) -> Result<String, String> {
    match p.next_token().token {
        Token::Word(w) => Ok(fold(&sqlparser::ast::Ident {
            value: w.value,
            quote_style: w.quote_style,
            span: sqlparser::tokenizer::Span::empty(),
        })),
        other => Err(format!("expected {what}, found {other}")),
    }
}

fn name(p: &mut Parser, default_schema: &str) -> Result<QualName, String> {
    let n = p.parse_object_name(false).map_err(|e| e.to_string())?;
    object_qual_name(&n, default_schema)
}

/// `schema.name USING method` at the parser: the name and the identity.
fn identity_at(p: &mut Parser, default_schema: &str) -> Result<(QualName, String), String> {
    let q = name(p, default_schema)?;
    if !eat(p, "USING") {
        return Err("expected USING and the index method".into());
    }
    let method = ident(p, "the index method")?;
    let identity = format!("{} USING {}", q.sql(), quote_ident(&method));
    Ok((q, identity))
}

/// A class's or family's identity in `DROP` / `COMMENT ON` from `toks[at..]`, and the index after it.
pub fn read_identity(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<(String, usize), String> {
    let rest = toks.get(at..).unwrap_or_default();
    let mut p = parser(rest);
    let (_, id) = identity_at(&mut p, default_schema)?;
    Ok((id, at + consumed(&p, rest)))
}

fn is_end(p: &Parser) -> bool {
    p.peek_token_ref().token == Token::EOF
}

/// The rest of `CREATE OPERATOR CLASS` or `CREATE OPERATOR FAMILY`, from its name.
pub fn read_create(
    toks: &[TokenWithSpan],
    at: usize,
    kind: GenericKind,
    default_schema: &str,
) -> Result<Object, String> {
    let rest = toks.get(at..).unwrap_or_default();
    let mut p = parser(rest);
    if kind == GenericKind::OperatorFamily {
        let (q, identity) = identity_at(&mut p, default_schema)?;
        if !is_end(&p) {
            return Err(format!("unexpected text after CREATE OPERATOR FAMILY: {}", p.peek_token_ref().token));
        }
        return Ok(object(kind, q, identity, Vec::new(), Vec::new(), Vec::new()));
    }
    let q = name(&mut p, default_schema)?;
    let default = eat(&mut p, "DEFAULT");
    if !(eat(&mut p, "FOR") && eat(&mut p, "TYPE")) {
        return Err("expected FOR TYPE and the indexed type".into());
    }
    let ty = routine_type(&mut p, default_schema).map_err(|(m, _)| m)?;
    let mut depends: Vec<Dep> = ty.custom().map(Dep::Type).into_iter().collect();
    if !eat(&mut p, "USING") {
        return Err("expected USING and the index method".into());
    }
    let method = ident(&mut p, "the index method")?;
    let family = if eat(&mut p, "FAMILY") { Some(name(&mut p, default_schema)?) } else { None };
    if !eat(&mut p, "AS") {
        return Err("expected AS and the operator class's members".into());
    }
    let mut storage = None;
    let mut members = Vec::new();
    loop {
        if eat(&mut p, "STORAGE") {
            storage = Some(routine_type(&mut p, default_schema).map_err(|(m, _)| m)?);
        } else {
            members.push(member(&mut p, Some(&ty), &method, default_schema, &mut depends)?);
        }
        if p.peek_token_ref().token != Token::Comma {
            break;
        }
        p.next_token();
    }
    if !is_end(&p) {
        return Err(format!("unexpected text in CREATE OPERATOR CLASS: {}", p.peek_token_ref().token));
    }
    let mut options = Vec::new();
    if default {
        options.push(("DEFAULT".to_string(), String::new()));
    }
    options.push(("FOR TYPE".to_string(), ty.to_string()));
    if let Some(f) = family.filter(|f| *f != q) {
        options.push(("FAMILY".to_string(), f.sql()));
    }
    if let Some(s) = storage.filter(|s| *s != ty) {
        depends.extend(s.custom().map(Dep::Type));
        options.push(("STORAGE".to_string(), s.to_string()));
    }
    let identity = format!("{} USING {}", q.sql(), quote_ident(&method));
    Ok(object(kind, q, identity, options, members, depends))
}

fn object(
    kind: GenericKind,
    name: QualName,
    identity: String,
    options: Vec<(String, String)>,
    mut mappings: Vec<Member>,
    mut depends: Vec<Dep>,
) -> Object {
    sort_members(&mut mappings);
    depends.sort();
    depends.dedup();
    Object { kind, name, identity, options, depends, mappings, comment: None }
}

/// Operators first by strategy, then functions by support number, then as written.
pub fn sort_members(members: &mut [Member]) {
    members.sort_by_key(|(text, _)| {
        let mut w = text.split(' ');
        let kind = w.next().unwrap_or_default() == "FUNCTION";
        let n: u32 = w.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        (kind, n, text.clone())
    });
}

/// `(type [, type])` at the parser, if written.
fn operand_types(p: &mut Parser, default_schema: &str) -> Result<Option<(ColumnType, ColumnType)>, String> {
    if p.peek_token_ref().token != Token::LParen {
        return Ok(None);
    }
    p.next_token();
    let l = routine_type(p, default_schema).map_err(|(m, _)| m)?;
    let r = if p.peek_token_ref().token == Token::Comma {
        p.next_token();
        routine_type(p, default_schema).map_err(|(m, _)| m)?
    } else {
        l.clone()
    };
    expect(p, Token::RParen, ") after the operand types")?;
    Ok(Some((l, r)))
}

fn number(p: &mut Parser, what: &str) -> Result<u32, String> {
    match p.next_token().token {
        Token::Number(n, _) => n.parse().map_err(|_| format!("expected a {what} number, found {n}")),
        other => Err(format!("expected a {what} number, found {other}")),
    }
}

/// One `OPERATOR` or `FUNCTION` member at the parser (`class_type`: the
/// class's type, the default operand type; `None` in a family, where they are written).
fn member(
    p: &mut Parser,
    class_type: Option<&ColumnType>,
    method: &str,
    default_schema: &str,
    deps: &mut Vec<Dep>,
) -> Result<Member, String> {
    let needed = || "write the operand types: a family has no type to take them from".to_string();
    if eat(p, "OPERATOR") {
        let n = number(p, "strategy")?;
        let mut op = Vec::new();
        loop {
            match &p.peek_token_ref().token {
                Token::LParen | Token::Comma | Token::EOF => break,
                Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("FOR") => break,
                _ => op.push(p.next_token()),
            }
        }
        let q = operator_name(&op, "pg_catalog").ok_or("expected an operator")?;
        let op = if q.schema == "pg_catalog" { q.name } else { operator_sql(&q) };
        let (l, r) = match (operand_types(p, default_schema)?, class_type) {
            (Some(t), _) => t,
            (None, Some(t)) => (t.clone(), t.clone()),
            (None, None) => return Err(needed()),
        };
        deps.extend([&l, &r].into_iter().filter_map(|t| t.custom()).map(Dep::Type));
        let mut purpose = String::new();
        if eat(p, "FOR") {
            if eat(p, "ORDER") && eat(p, "BY") {
                // A bare family stays bare, a built-in one goes bare, as `object::object_name`.
                let n = p.parse_object_name(false).map_err(|e| e.to_string())?;
                let q = object_qual_name(&n, default_schema)?;
                let family = if n.0.len() == 1 || q.schema == "pg_catalog" { quote_ident(&q.name) } else { q.sql() };
                purpose = format!(" FOR ORDER BY {family}");
            } else if !eat(p, "SEARCH") {
                return Err("expected FOR SEARCH or FOR ORDER BY".into());
            }
        }
        return Ok((
            format!("OPERATOR {n} {op}({l}, {r}){purpose}"),
            vec![format!("OPERATOR {n} ({l}, {r})"), format!("{op} ({l}, {r})")],
        ));
    }
    if !eat(p, "FUNCTION") {
        return Err(format!("expected OPERATOR, FUNCTION or STORAGE, found {}", p.peek_token_ref().token));
    }
    let n = number(p, "support")?;
    let written = operand_types(p, default_schema)?;
    let bare = p.peek_nth_token_ref(1).token != Token::Period;
    let (f, args) = signature(p, default_schema).map_err(|(m, _)| m)?;
    let args = args.ok_or("write the support function's argument types")?;
    let arg = |i: usize| args.get(i).cloned();
    let (l, r) = match written {
        Some(t) => t,
        None => {
            let from_args = match (method, n) {
                ("btree", 1) => arg(0).zip(arg(1)),
                ("btree", 3) => arg(0).zip(arg(2)),
                ("hash", 1 | 2) => arg(0).zip(arg(0)),
                _ => None,
            };
            match (from_args, class_type) {
                (Some(t), _) => t,
                (None, Some(t)) => (t.clone(), t.clone()),
                (None, None) => return Err(needed()),
            }
        }
    };
    deps.extend([&l, &r].into_iter().chain(&args).filter_map(|t| t.custom()).map(Dep::Type));
    let fname = if f.schema == "pg_catalog" || bare { quote_ident(&f.name) } else { f.sql() };
    if f.schema != "pg_catalog" {
        deps.push(Dep::Routine(f));
    }
    let list: Vec<String> = args.iter().map(ToString::to_string).collect();
    Ok((
        format!("FUNCTION {n} ({l}, {r}) {fname}({})", list.join(", ")),
        vec![format!("FUNCTION {n} ({l}, {r})"), String::new()],
    ))
}

/// What `ALTER OPERATOR FAMILY ... ADD | DROP` does to the family's members.
#[derive(Debug, Clone)]
pub enum FamilyEdit {
    /// `ADD` members.
    Add(Vec<Member>, Vec<Dep>),
    /// `DROP` members, by their `DROP` form.
    Drop(Vec<String>),
}

/// Reads `ALTER OPERATOR FAMILY name USING method {ADD | DROP} member, ...`
/// (`at`: after `ALTER OPERATOR FAMILY`): the family and the edit.
pub fn read_alter(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<(ObjectId, FamilyEdit), String> {
    let rest = toks.get(at..).unwrap_or_default();
    let mut p = parser(rest);
    let (_, identity) = identity_at(&mut p, default_schema)?;
    let method = identity.rsplit(' ').next().unwrap_or_default().trim_matches('"').to_string();
    let edit = if eat(&mut p, "ADD") {
        let (mut members, mut deps) = (Vec::new(), Vec::new());
        loop {
            members.push(member(&mut p, None, &method, default_schema, &mut deps)?);
            if p.peek_token_ref().token != Token::Comma {
                break;
            }
            p.next_token();
        }
        FamilyEdit::Add(members, deps)
    } else if eat(&mut p, "DROP") {
        let mut keys = Vec::new();
        loop {
            let what = if eat(&mut p, "OPERATOR") {
                "OPERATOR"
            } else if eat(&mut p, "FUNCTION") {
                "FUNCTION"
            } else {
                return Err("expected OPERATOR or FUNCTION after DROP".into());
            };
            let n = number(&mut p, "strategy or support")?;
            let (l, r) = operand_types(&mut p, default_schema)?.ok_or("expected the operand types")?;
            keys.push(format!("{what} {n} ({l}, {r})"));
            if p.peek_token_ref().token != Token::Comma {
                break;
            }
            p.next_token();
        }
        FamilyEdit::Drop(keys)
    } else {
        return Err("ALTER OPERATOR FAMILY: only ADD and DROP of members are read (no rename, no SET SCHEMA)".into());
    };
    if !is_end(&p) {
        return Err(format!("unexpected text in ALTER OPERATOR FAMILY: {}", p.peek_token_ref().token));
    }
    Ok((ObjectId { kind: GenericKind::OperatorFamily, identity }, edit))
}

/// Applies `edit` to a family.
pub fn edit_family(o: &mut Object, edit: &FamilyEdit) -> Result<(), String> {
    match edit {
        FamilyEdit::Add(members, deps) => {
            for m in members {
                if o.mappings.iter().any(|(_, k)| k.first() == m.1.first()) {
                    return Err(format!("{} is already in the family", m.1.first().unwrap_or(&m.0)));
                }
                o.mappings.push(m.clone());
            }
            o.depends.extend(deps.iter().cloned());
            o.depends.sort();
            o.depends.dedup();
        }
        FamilyEdit::Drop(keys) => {
            for k in keys {
                let before = o.mappings.len();
                o.mappings.retain(|(_, known)| known.first() != Some(k));
                if before == o.mappings.len() {
                    return Err(format!("{k} is not in the family"));
                }
            }
        }
    }
    sort_members(&mut o.mappings);
    Ok(())
}

/// After the build: a class without `FAMILY` has the family of its own name
/// (PostgreSQL makes it when missing); bare operators and functions of the
/// members, and bare operator classes of index keys, that the default
/// schema defines are that schema's (as the catalog prints them).
pub fn settle(cat: &mut Catalog, default_schema: &str) {
    let families: Vec<Object> = cat
        .objects
        .values()
        .filter(|o| o.kind == GenericKind::OperatorClass)
        .flat_map(|o| o.uses().into_iter().take(1).map(move |id| (o.name.clone(), id)))
        .filter(|(_, id)| !cat.objects.contains_key(id))
        .map(|(name, identity)| object(GenericKind::OperatorFamily, name, identity.identity, vec![], vec![], vec![]))
        .collect();
    for f in families {
        cat.objects.insert(f.id(), f);
    }
    let here = |n: &str| QualName::new(default_schema, n.trim_matches('"'));
    let routines: std::collections::HashSet<QualName> = cat.routines.keys().map(|r| r.name.clone()).collect();
    let operators: std::collections::HashSet<QualName> =
        cat.objects.values().filter(|o| o.kind == GenericKind::Operator).map(|o| o.name.clone()).collect();
    let classes: std::collections::HashSet<String> =
        cat.objects.values().filter(|o| o.kind == GenericKind::OperatorClass).map(|o| o.name.name.clone()).collect();
    for o in cat.objects.values_mut().filter(|o| o.kind.spec().signature == crate::model::Signature::Using) {
        for (text, known) in o.mappings.iter_mut() {
            let mut words: Vec<String> = text.splitn(4, ' ').map(str::to_string).collect();
            match words.first().map(String::as_str) {
                Some("OPERATOR") => {
                    let Some(call) = words.get_mut(2) else { continue };
                    let op = call.split('(').next().unwrap_or_default().to_string();
                    if !op.contains('.') && operators.contains(&QualName::new(default_schema, op.clone())) {
                        let q = format!("{}.{op}", quote_ident(default_schema));
                        *call = call.replacen(&op, &q, 1);
                        if let Some(id) = known.get_mut(1) {
                            *id = id.replacen(&op, &q, 1);
                        }
                    }
                }
                Some("FUNCTION") => {
                    // FUNCTION n (l, r) f(args): the name is after the types' `) `.
                    if let Some((types, call)) = text.split_once(") ") {
                        let f = call.split('(').next().unwrap_or_default();
                        if !f.contains('.') && routines.contains(&here(f)) {
                            *text = format!("{types}) {}.{call}", quote_ident(default_schema));
                        }
                    }
                    continue;
                }
                _ => {}
            }
            *text = words.join(" ");
        }
        sort_members(&mut o.mappings);
    }
    for t in cat.tables.values_mut() {
        for i in t.indexes.values_mut() {
            for k in i.keys.iter_mut() {
                if let Some(c) = k.opclass.as_mut().filter(|c| !c.contains('.') && classes.contains(c.as_str())) {
                    *c = format!("{default_schema}.{c}");
                }
            }
        }
    }
}
