//! `CREATE PUBLICATION name [FOR ALL TABLES | FOR member, ...] [WITH
//! (option = value, ...)]` and `ALTER PUBLICATION name {ADD | SET | DROP}
//! member, ... | SET (option = value, ...)`, which sqlparser does not read:
//! from the tokens. A member is `TABLE [ONLY] t [*] [(columns)] [WHERE
//! (condition)]` or `TABLES IN SCHEMA s` (a list goes on in the kind it
//! started with). Canonical (`model::object::publication`): tables qualified,
//! `ONLY` always (pg_dump's form: descendants are not members of their own),
//! the columns in the table's order (`settle_columns`), the condition's
//! canonical text; `publish`'s actions in PostgreSQL's order.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::{object_qual_name, read_name};
use super::op_class::Member;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::canon::{quote_ident, quote_literal};
use crate::model::PUBLISH_ACTIONS as ALL_ACTIONS;
use crate::model::{Catalog, Dep, GenericKind, Object, ObjectId, QualName};

fn word(t: Option<&TokenWithSpan>) -> Option<String> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn ident(t: Option<&TokenWithSpan>) -> Option<String> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) => Some(fold(&sqlparser::ast::Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: sqlparser::tokenizer::Span::empty(),
        })),
        _ => None,
    }
}

/// A publication's name at `at`: its identity and the index after it.
pub fn read_identity(toks: &[TokenWithSpan], at: usize) -> Result<(String, usize), String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, at).ok_or("expected a publication's name")?;
    if n.0.len() != 1 {
        return Err("a publication's name has no schema".into());
    }
    Ok((quote_ident(&object_qual_name(&n, "pg_catalog")?.name), next))
}

/// The index of the `)` closing the `(` at `at`.
fn closing(toks: &[TokenWithSpan], at: usize) -> Result<usize, String> {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(at) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 1 => return Ok(i),
            Token::RParen => depth -= 1,
            _ => {}
        }
    }
    Err("unbalanced parentheses".into())
}

/// Members from `at` up to `WITH` or the end: the members, what they use, the index after.
fn read_members(
    toks: &[TokenWithSpan],
    mut at: usize,
    default_schema: &str,
) -> Result<(Vec<Member>, Vec<Dep>, usize), String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (mut members, mut deps) = (Vec::new(), Vec::new());
    let mut schemas = false;
    loop {
        if word(toks.get(at)).as_deref() == Some("TABLES") {
            if !(word(toks.get(at + 1)).as_deref() == Some("IN") && word(toks.get(at + 2)).as_deref() == Some("SCHEMA"))
            {
                return Err("expected TABLES IN SCHEMA".into());
            }
            schemas = true;
            at += 3;
        } else if word(toks.get(at)).as_deref() == Some("TABLE") {
            schemas = false;
            at += 1;
        }
        if schemas {
            let s = match word(toks.get(at)).as_deref() {
                Some("CURRENT_SCHEMA") => default_schema.to_string(),
                _ => ident(toks.get(at)).ok_or("expected a schema's name")?,
            };
            at += 1;
            members.push((format!("TABLES IN SCHEMA {}", quote_ident(&s)), Vec::new()));
        } else {
            if word(toks.get(at)).as_deref() == Some("ONLY") {
                at += 1;
            }
            let (n, next) = read_name(&refs, at).ok_or("expected a table's name")?;
            let table = object_qual_name(&n, default_schema)?;
            at = next;
            if toks.get(at).is_some_and(|t| t.token == Token::Mul) {
                at += 1;
            }
            deps.push(Dep::Relation(table.clone()));
            let mut clauses = Vec::new();
            if toks.get(at).is_some_and(|t| t.token == Token::LParen) {
                let end = closing(toks, at)?;
                let mut cols = Vec::new();
                for t in toks[at + 1..end].iter().filter(|t| t.token != Token::Comma) {
                    let c = ident(Some(t)).ok_or("expected a column's name in the column list")?;
                    deps.push(Dep::Column(table.clone(), c.clone()));
                    cols.push(quote_ident(&c));
                }
                clauses.push(format!("({})", cols.join(", ")));
                at = end + 1;
            }
            if word(toks.get(at)).as_deref() == Some("WHERE") {
                if toks.get(at + 1).map(|t| &t.token) != Some(&Token::LParen) {
                    return Err("expected ( after WHERE: a publication's row filter is parenthesized".into());
                }
                let end = closing(toks, at + 1)?;
                let dialect = PostgreSqlDialect {};
                let mut p = Parser::new(&dialect).with_tokens_with_locations(toks[at + 2..end].to_vec());
                let e = p.parse_expr().map_err(|e| format!("the row filter: {e}"))?;
                let text = canonical(&e, &Context { default_schema, column_type: None }).0;
                clauses.push(format!("WHERE ({text})"));
                at = end + 1;
            }
            members.push((format!("TABLE ONLY {}", table.sql()), clauses));
        }
        if toks.get(at).is_some_and(|t| t.token == Token::Comma) {
            at += 1;
            continue;
        }
        break;
    }
    members.sort();
    Ok((members, deps, at))
}

/// `(option = value, ...)` at `at` (its `(`): the options, canonical, and the index after.
fn read_options(toks: &[TokenWithSpan], at: usize) -> Result<(Vec<(String, String)>, usize), String> {
    let end = closing(toks, at)?;
    let mut out = Vec::new();
    for item in toks[at + 1..end].split(|t| t.token == Token::Comma) {
        let key = ident(item.first()).ok_or("expected an option's name")?;
        let value = match item {
            [_, eq, v] if eq.token == Token::Eq => match &v.token {
                Token::SingleQuotedString(s) => s.clone(),
                Token::Word(w) => w.value.to_ascii_lowercase(),
                other => other.to_string(),
            },
            [_] => "true".to_string(),
            _ => return Err(format!("expected {key} = value")),
        };
        match key.as_str() {
            "publish" => {
                let said: Vec<String> = value.split(',').map(|a| a.trim().to_ascii_lowercase()).collect();
                if let Some(bad) = said.iter().find(|a| !a.is_empty() && !ALL_ACTIONS.contains(&a.as_str())) {
                    return Err(format!("unknown publish action {bad}"));
                }
                let list: Vec<&str> = ALL_ACTIONS.into_iter().filter(|a| said.iter().any(|s| s == a)).collect();
                out.push(("publish".to_string(), quote_literal(&list.join(", "))));
            }
            "publish_via_partition_root" => {
                let v = matches!(value.as_str(), "true" | "on" | "1" | "yes");
                out.push(("publish_via_partition_root".to_string(), v.to_string()));
            }
            other => return Err(format!("unknown option {other} of a publication")),
        }
    }
    Ok((out, end + 1))
}

/// `options` merged over `base`, in canonical order, defaults left out.
fn settle_options(base: &[(String, String)], options: &[(String, String)]) -> Vec<(String, String)> {
    let all = quote_literal(&ALL_ACTIONS.join(", "));
    let get = |k: &str| options.iter().chain(base).find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut out = Vec::new();
    if get("ALL TABLES").is_some() {
        out.push(("ALL TABLES".to_string(), String::new()));
    }
    if let Some(p) = get("publish").filter(|p| *p != all) {
        out.push(("publish".to_string(), p));
    }
    if let Some(r) = get("publish_via_partition_root").filter(|r| r == "true") {
        out.push(("publish_via_partition_root".to_string(), r));
    }
    out
}

/// The rest of `CREATE PUBLICATION`, from its name.
pub fn read_create(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<Object, String> {
    let (identity, mut at) = read_identity(toks, at)?;
    let (mut members, mut depends, mut options) = (Vec::new(), Vec::new(), Vec::new());
    if word(toks.get(at)).as_deref() == Some("FOR") {
        if word(toks.get(at + 1)).as_deref() == Some("ALL") {
            if word(toks.get(at + 2)).as_deref() != Some("TABLES") {
                return Err("expected FOR ALL TABLES".into());
            }
            options.push(("ALL TABLES".to_string(), String::new()));
            at += 3;
        } else {
            (members, depends, at) = read_members(toks, at + 1, default_schema)?;
        }
    }
    if word(toks.get(at)).as_deref() == Some("WITH") {
        let (with, next) = read_options(toks, at + 1)?;
        options.extend(with);
        at = next;
    }
    if at != toks.len() {
        return Err("unexpected text in CREATE PUBLICATION".into());
    }
    depends.sort();
    depends.dedup();
    Ok(Object {
        kind: GenericKind::Publication,
        name: QualName::new("pg_catalog", identity.clone()),
        identity,
        options: settle_options(&[], &options),
        depends,
        mappings: members,
        comment: None,
    })
}

/// What an `ALTER PUBLICATION` does.
#[derive(Debug, Clone)]
pub enum PublicationEdit {
    /// `ADD` members (an error where one is already there).
    Add(Vec<Member>, Vec<Dep>),
    /// `SET` members: the whole list.
    Set(Vec<Member>, Vec<Dep>),
    /// `DROP` members (an error where one is not there).
    Drop(Vec<Member>),
    /// `SET (options)`: those given change, the others stay.
    Options(Vec<(String, String)>),
}

/// Reads `ALTER PUBLICATION name ...` (`at`: after `ALTER PUBLICATION`).
pub fn read_alter(
    toks: &[TokenWithSpan],
    at: usize,
    default_schema: &str,
) -> Result<(ObjectId, PublicationEdit), String> {
    let (identity, at) = read_identity(toks, at)?;
    let verb = word(toks.get(at)).unwrap_or_default();
    let (edit, end) = match verb.as_str() {
        "SET" if toks.get(at + 1).is_some_and(|t| t.token == Token::LParen) => {
            let (options, end) = read_options(toks, at + 1)?;
            (PublicationEdit::Options(options), end)
        }
        "ADD" | "SET" | "DROP" => {
            let (members, deps, end) = read_members(toks, at + 1, default_schema)?;
            let edit = match verb.as_str() {
                "ADD" => PublicationEdit::Add(members, deps),
                "SET" => PublicationEdit::Set(members, deps),
                _ => PublicationEdit::Drop(members),
            };
            (edit, end)
        }
        _ => return Err("ALTER PUBLICATION: only ADD, SET and DROP of members and SET (options) are read".into()),
    };
    if end != toks.len() {
        return Err("unexpected text in ALTER PUBLICATION".into());
    }
    Ok((ObjectId { kind: GenericKind::Publication, identity }, edit))
}

/// Applies `edit` to a publication.
pub fn edit_publication(o: &mut Object, edit: &PublicationEdit) -> Result<(), String> {
    let deps = match edit {
        PublicationEdit::Add(members, deps) => {
            for m in members {
                if o.mappings.iter().any(|(k, _)| *k == m.0) {
                    return Err(format!("{} is already in the publication", m.0));
                }
                o.mappings.push(m.clone());
            }
            deps.clone()
        }
        PublicationEdit::Set(members, deps) => {
            o.mappings = members.clone();
            o.depends.clear();
            deps.clone()
        }
        PublicationEdit::Drop(members) => {
            for m in members {
                let before = o.mappings.len();
                o.mappings.retain(|(k, _)| *k != m.0);
                if before == o.mappings.len() {
                    return Err(format!("{} is not in the publication", m.0));
                }
            }
            Vec::new()
        }
        PublicationEdit::Options(options) => {
            o.options = settle_options(&o.options, options);
            Vec::new()
        }
    };
    o.depends.extend(deps);
    o.depends.sort();
    o.depends.dedup();
    o.mappings.sort();
    Ok(())
}

/// Puts each member's column list in its table's column order, as PostgreSQL keeps it.
pub fn settle_columns(cat: &mut Catalog) {
    let tables = &cat.tables;
    for o in cat.objects.values_mut().filter(|o| o.kind == GenericKind::Publication) {
        for (member, clauses) in o.mappings.iter_mut() {
            let Some(table) = tables.values().find(|t| format!("TABLE ONLY {}", t.name.sql()) == *member) else {
                continue;
            };
            let Some(list) = clauses.first_mut().filter(|c| c.starts_with('(')) else { continue };
            let written: Vec<&str> = list.trim_start_matches('(').trim_end_matches(')').split(", ").collect();
            let mut cols: Vec<String> = o
                .depends
                .iter()
                .filter_map(|d| match d {
                    Dep::Column(t, c) if *t == table.name && written.contains(&quote_ident(c).as_str()) => {
                        Some(c.clone())
                    }
                    _ => None,
                })
                .collect();
            cols.sort_by_key(|c| table.columns.get_index_of(c).unwrap_or(usize::MAX));
            cols.dedup();
            let cols: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
            *list = format!("({})", cols.join(", "));
        }
    }
}
