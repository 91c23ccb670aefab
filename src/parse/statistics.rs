//! `CREATE STATISTICS [IF NOT EXISTS] name [(kind, ...)] ON column, ... FROM
//! table`, which sqlparser does not read: from the tokens. Canonical: the
//! kinds in PostgreSQL's order, left out when all three are asked for (what
//! `pg_get_statisticsobjdef` prints); the columns as identifiers, put in the
//! table's column order once the table is known (`settle_columns`, as
//! PostgreSQL keeps them). Statistics on expressions are not read.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::{object_qual_name, read_name};
use crate::canon::ident::fold;
use crate::canon::quote_ident;
use crate::model::{Catalog, Dep, GenericKind, Object};

const KINDS: [&str; 3] = ["ndistinct", "dependencies", "mcv"];

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

fn is_word(t: Option<&TokenWithSpan>, w: &str) -> bool {
    matches!(t.map(|t| &t.token), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

/// The rest of `CREATE STATISTICS`, from its name: the object.
pub fn read_create(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<Object, String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, mut at) = read_name(&refs, at).ok_or("expected the statistics object's name")?;
    let name = object_qual_name(&n, default_schema)?;
    let mut options = Vec::new();
    if toks.get(at).map(|t| &t.token) == Some(&Token::LParen) {
        let mut kinds = Vec::new();
        at += 1;
        loop {
            let k = ident(toks.get(at)).ok_or("expected a statistics kind (ndistinct, dependencies, mcv)")?;
            if !KINDS.contains(&k.as_str()) {
                return Err(format!("unknown statistics kind {k}"));
            }
            kinds.push(k);
            at += 1;
            match toks.get(at).map(|t| &t.token) {
                Some(Token::Comma) => at += 1,
                Some(Token::RParen) => break,
                _ => return Err("expected , or ) in the statistics kinds".into()),
            }
        }
        at += 1;
        let canonical: Vec<&str> = KINDS.into_iter().filter(|k| kinds.iter().any(|x| x == k)).collect();
        if canonical.len() < KINDS.len() {
            options.push(("KINDS".to_string(), canonical.join(", ")));
        }
    }
    if !is_word(toks.get(at), "ON") {
        return Err("expected ON and the columns".into());
    }
    at += 1;
    let mut columns = Vec::new();
    loop {
        if toks.get(at).map(|t| &t.token) == Some(&Token::LParen) {
            return Err("statistics on expressions are not read yet: name columns".into());
        }
        columns.push(ident(toks.get(at)).ok_or("expected a column name")?);
        at += 1;
        if toks.get(at).map(|t| &t.token) == Some(&Token::Comma) {
            at += 1;
        } else {
            break;
        }
    }
    if !is_word(toks.get(at), "FROM") {
        return Err("expected FROM and the table".into());
    }
    let (t, next) = read_name(&refs, at + 1).ok_or("expected the table's name")?;
    if next != toks.len() {
        return Err("unexpected text after CREATE STATISTICS".into());
    }
    let table = object_qual_name(&t, default_schema)?;
    let mut depends = vec![Dep::Relation(table.clone())];
    depends.extend(columns.iter().map(|c| Dep::Column(table.clone(), c.clone())));
    let on: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    options.push(("ON".to_string(), on.join(", ")));
    options.push(("FROM".to_string(), table.sql()));
    Ok(Object {
        kind: GenericKind::Statistics,
        identity: name.sql(),
        name,
        options,
        depends,
        mappings: Vec::new(),
        comment: None,
    })
}

/// Puts each statistics object's columns in its table's column order, as PostgreSQL keeps them.
pub fn settle_columns(cat: &mut Catalog) {
    let tables = &cat.tables;
    for o in cat.objects.values_mut().filter(|o| o.kind == GenericKind::Statistics) {
        let Some(table) = o.depends.iter().find_map(|d| match d {
            Dep::Relation(t) => tables.get(t),
            _ => None,
        }) else {
            continue;
        };
        let mut cols: Vec<String> =
            o.depends.iter().filter_map(|d| if let Dep::Column(_, c) = d { Some(c.clone()) } else { None }).collect();
        cols.sort_by_key(|c| table.columns.get_index_of(c).unwrap_or(usize::MAX));
        let on: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
        if let Some((_, v)) = o.options.iter_mut().find(|(k, _)| k == "ON") {
            *v = on.join(", ");
        }
    }
}
