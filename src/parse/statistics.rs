//! `CREATE STATISTICS [IF NOT EXISTS] name [(kind, ...)] ON column, ... FROM
//! table`, which sqlparser does not read: from the tokens. Canonical: the
//! kinds in PostgreSQL's order, left out when all three are asked for (what
//! `pg_get_statisticsobjdef` prints); the columns as identifiers, put in the
//! table's column order once the table is known (`settle_columns`, as
//! PostgreSQL keeps them), then the expressions (PostgreSQL 14+) in their
//! canonical text, a function call bare and anything else in parentheses,
//! as `pg_get_statisticsobjdef` prints them.

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
    let mut exprs: Vec<(String, Vec<String>)> = Vec::new();
    loop {
        // One element: up to a comma or FROM outside parentheses.
        let start = at;
        let mut depth = 0usize;
        while let Some(t) = toks.get(at) {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Comma if depth == 0 => break,
                _ if depth == 0 && is_word(Some(t), "FROM") => break,
                _ => {}
            }
            at += 1;
        }
        match &toks[start..at] {
            [one] => columns.push(ident(Some(one)).ok_or("expected a column name or an expression")?),
            [] => return Err("expected a column name or an expression".into()),
            element => match expression(element, default_schema)? {
                Ok(column) => columns.push(column),
                Err(expr) => exprs.push(expr),
            },
        }
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
    for c in exprs.iter().flat_map(|(_, cols)| cols) {
        depends.push(Dep::Column(table.clone(), c.clone()));
    }
    // Columns first (put in the table's order later), then the expressions
    // as written: how PostgreSQL keeps and prints them.
    let on: Vec<String> = columns.iter().map(|c| quote_ident(c)).chain(exprs.into_iter().map(|(e, _)| e)).collect();
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

/// One parenthesized expression, or a function call (how
/// `pg_get_statisticsobjdef` prints one): `Ok` with the column when it is
/// only a column, else `Err` with its canonical text as PostgreSQL prints
/// it (a bare function call, anything else in parentheses) and the columns
/// it reads.
fn expression(toks: &[TokenWithSpan], default_schema: &str) -> Result<Result<String, (String, Vec<String>)>, String> {
    let text = crate::quote::ast::tokens(toks.iter().map(|t| &t.token));
    let mut parser = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
        .with_tokens_with_locations(toks.to_vec());
    let expr = parser.parse_expr().map_err(|_| format!("cannot read the statistics expression {text}"))?;
    if parser.peek_token().token != Token::EOF {
        return Err(format!("cannot read the statistics expression {text}"));
    }
    let mut inner = &expr;
    while let sqlparser::ast::Expr::Nested(e) = inner {
        inner = e;
    }
    if let sqlparser::ast::Expr::Identifier(i) = inner {
        return Ok(Ok(fold(i)));
    }
    let canonical =
        crate::canon::expr::canonical(inner, &crate::canon::expr::Context { default_schema, column_type: None });
    let printed = match inner {
        sqlparser::ast::Expr::Function(_) => canonical.0,
        _ => format!("({})", canonical.0),
    };
    Ok(Err((printed, super::constraints::referenced_columns(inner).into_iter().collect())))
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
        let Some((_, v)) = o.options.iter_mut().find(|(k, _)| k == "ON") else { continue };
        // The leading plain columns (expressions follow them, and name columns too).
        let written: Vec<String> = v.split(", ").map(str::to_string).collect();
        let mut cols: Vec<String> = o
            .depends
            .iter()
            .filter_map(|d| if let Dep::Column(_, c) = d { Some(c.clone()) } else { None })
            .filter(|c| written.contains(&quote_ident(c)))
            .collect();
        cols.sort_by_key(|c| table.columns.get_index_of(c).unwrap_or(usize::MAX));
        cols.dedup();
        let rest = written.iter().skip(cols.len()).cloned();
        let on: Vec<String> = cols.iter().map(|c| quote_ident(c)).chain(rest).collect();
        *v = on.join(", ");
    }
}
