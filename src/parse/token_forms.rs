//! Statements read from their tokens, where sqlparser has no AST for them or
//! reads them another way: `SET STATISTICS`, the drops of a script's preamble,
//! `ATTACH PARTITION` of an index, `OWNED BY`, and comments on constraints,
//! policies, routines and triggers.

use sqlparser::ast::ObjectName;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token};

use super::names::read_name;
use super::split::{is_keyword, RawStatement};
use super::stmt::Stmt;

/// An error classifying a statement: message, span, help.
pub(super) type ClassifyError = (String, Span, Option<String>);

/// `ALTER TABLE [IF EXISTS] [ONLY] t ALTER [COLUMN] c SET STATISTICS n`,
/// `ALTER INDEX [IF EXISTS] i ALTER [COLUMN] position SET STATISTICS n`.
pub(super) fn set_statistics(raw: &RawStatement) -> Result<Stmt, ClassifyError> {
    const ONLY: &str = "ALTER TABLE | INDEX ... ALTER COLUMN ... SET STATISTICS n";
    let toks = significant(raw);
    let index = toks.get(1).is_some_and(|t| is_keyword(t, Keyword::INDEX));
    let mut at = 2;
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::IF)) {
        at += 2;
    }
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::ONLY)) {
        at += 1;
    }
    let (relation, mut at) = read_name(&toks, at).ok_or_else(|| not_only(raw, ONLY))?;
    if !toks.get(at).is_some_and(|t| is_keyword(t, Keyword::ALTER)) {
        return Err(not_only(raw, ONLY));
    }
    at += 1;
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::COLUMN)) {
        at += 1;
    }
    let column = match toks.get(at).map(|t| &t.token) {
        Some(Token::Word(w)) if !index => {
            let mut ident = sqlparser::ast::Ident::new(w.value.clone());
            ident.quote_style = w.quote_style;
            crate::canon::ident::fold(&ident)
        }
        Some(Token::Number(n, _)) if index => n.clone(),
        _ => return Err(not_only(raw, ONLY)),
    };
    at += 1;
    let rest: Vec<String> = toks[at.min(toks.len())..].iter().map(|t| t.token.to_string().to_uppercase()).collect();
    let value = match rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["SET", "STATISTICS", n] => n.parse::<i32>().ok(),
        ["SET", "STATISTICS", "-", n] => n.parse::<i32>().ok().map(|v| -v),
        _ => None,
    };
    let value = value.ok_or_else(|| not_only(raw, ONLY))?;
    Ok(Stmt::Statistics { relation, index, column, value })
}

/// `DROP ... IF EXISTS name` or `ALTER TABLE IF EXISTS [ONLY] name ... DROP ...`:
/// what it names, settled against the statements before it in `read_file`.
pub(super) fn clean_drop(raw: &RawStatement) -> Stmt {
    let toks = significant(raw);
    let view = raw.head(3).iter().any(|w| w == "VIEW");
    let at = toks.iter().position(|t| is_keyword(t, Keyword::EXISTS)).map_or(toks.len(), |i| i + 1);
    let at = if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::ONLY)) { at + 1 } else { at };
    let name = read_name(&toks, at).map(|(n, _)| n);
    Stmt::Drop { view, name }
}

/// `DROP kind [kind [kind]] IF EXISTS ...` (`DROP MATERIALIZED VIEW IF EXISTS`,
/// `DROP TEXT SEARCH CONFIGURATION IF EXISTS`...).
pub(super) fn is_drop_if_exists(raw: &RawStatement) -> bool {
    let w = raw.head(6);
    (2..5).any(|i| w.get(i).map(String::as_str) == Some("IF") && w.get(i + 1).map(String::as_str) == Some("EXISTS"))
}

pub(super) fn significant(raw: &RawStatement) -> Vec<&sqlparser::tokenizer::TokenWithSpan> {
    raw.significant().collect()
}

/// `CREATE INDEX ... ON ONLY t`: an index of a partitioned table created
/// without its partitions' (pg_dump attaches those one by one). Once they
/// are attached it is the same index as one created on the whole table.
pub(super) fn without_only(
    tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
) -> Vec<sqlparser::tokenizer::TokenWithSpan> {
    let mut out: Vec<sqlparser::tokenizer::TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut after_on = false;
    for t in tokens {
        if after_on && is_keyword(&t, Keyword::ONLY) {
            after_on = false;
            continue;
        }
        match &t.token {
            Token::Whitespace(_) => {}
            _ => after_on = is_keyword(&t, Keyword::ON),
        }
        out.push(t);
    }
    out
}

/// `ALTER <kind> [IF EXISTS] name KW1 KW2 ...`, the one form of `ALTER <kind>`
/// pgstate reads (`only` says which, for the error): the significant tokens,
/// the name, and the index after the two keywords.
fn alter_name_then<'r>(
    raw: &'r RawStatement,
    only: &str,
    keywords: [Keyword; 2],
) -> Result<(Vec<&'r sqlparser::tokenizer::TokenWithSpan>, ObjectName, usize), ClassifyError> {
    let toks = significant(raw);
    let mut at = 2;
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::IF)) {
        at += 2;
    }
    let found = read_name(&toks, at).filter(|&(_, next)| {
        toks.get(next).is_some_and(|t| is_keyword(t, keywords[0]))
            && toks.get(next + 1).is_some_and(|t| is_keyword(t, keywords[1]))
    });
    match found {
        Some((name, next)) => Ok((toks, name, next + 2)),
        None => Err(not_only(raw, only)),
    }
}

/// A form read only in part (`statement` adds what pgstate reads as help).
fn not_only(raw: &RawStatement, only: &str) -> ClassifyError {
    let kind = only.split(" ...").next().unwrap_or(only);
    (format!("unsupported statement: {kind} (only {only} is read)"), raw.span(), None)
}

/// `ALTER INDEX parent ATTACH PARTITION child`.
pub(super) fn attach_index(raw: &RawStatement) -> Result<Stmt, ClassifyError> {
    const ONLY: &str = "ALTER INDEX ... ATTACH PARTITION";
    let (toks, _, at) = alter_name_then(raw, ONLY, [Keyword::ATTACH, Keyword::PARTITION])?;
    match read_name(&toks, at) {
        Some((child, end)) if end == toks.len() => Ok(Stmt::AttachIndex { child }),
        _ => Err(not_only(raw, ONLY)),
    }
}

pub(super) fn sequence_owned_by(raw: &RawStatement) -> Result<Stmt, ClassifyError> {
    const ONLY: &str = "ALTER SEQUENCE ... OWNED BY";
    let (toks, sequence, at) = alter_name_then(raw, ONLY, [Keyword::OWNED, Keyword::BY])?;
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::NONE)) && toks.len() == at + 1 {
        return Ok(Stmt::SequenceOwnedBy { sequence, owner: None });
    }
    match read_name(&toks, at) {
        Some((owner, end)) if end == toks.len() && owner.0.len() >= 2 => {
            Ok(Stmt::SequenceOwnedBy { sequence, owner: Some(owner) })
        }
        _ => Err(not_only(raw, ONLY)),
    }
}

pub(super) fn constraint_comment(raw: &RawStatement, policy: bool) -> Result<Stmt, ClassifyError> {
    let toks = significant(raw);
    let what = if policy { "POLICY" } else { "CONSTRAINT" };
    let bad = || (format!("syntax error: expected COMMENT ON {what} name ON table IS 'text'"), raw.span(), None);
    let (name, next) = read_name(&toks, 3).ok_or_else(bad)?;
    if !toks.get(next).is_some_and(|t| is_keyword(t, Keyword::ON)) {
        return Err(bad());
    }
    let mut at = next + 1;
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::DOMAIN)) {
        return Err(bad());
    }
    let (table, after) = read_name(&toks, at).ok_or_else(bad)?;
    at = after;
    if !toks.get(at).is_some_and(|t| is_keyword(t, Keyword::IS)) || toks.len() != at + 2 {
        return Err(bad());
    }
    let text = match &toks[at + 1].token {
        Token::SingleQuotedString(s) => Some(s.clone()),
        Token::EscapedStringLiteral(s) => Some(s.clone()),
        Token::Word(w) if w.keyword == Keyword::NULL => None,
        _ => return Err(bad()),
    };
    Ok(Stmt::ConstraintComment { policy, name, table, text })
}

/// `COMMENT ON FUNCTION | PROCEDURE | ROUTINE name[(args)] IS ...` and
/// `COMMENT ON TRIGGER name ON table IS ...`.
pub(super) fn routine_comment(raw: RawStatement, default_schema: &str) -> Result<Stmt, ClassifyError> {
    use super::routine::{eat, signature};
    let span = raw.span();
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(raw.tokens);
    let bad = |m: String| (m, span, None);
    p.next_token();
    p.next_token();
    let trigger = eat(&mut p, "TRIGGER");
    if !trigger {
        p.next_token();
    }
    let text = |p: &mut Parser| -> Result<Option<String>, ClassifyError> {
        if !eat(p, "IS") {
            return Err(bad("expected IS in COMMENT ON".into()));
        }
        let t = p.next_token();
        let text = match t.token {
            Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => Some(s),
            Token::DollarQuotedString(d) => Some(d.value),
            Token::Word(w) if w.keyword == Keyword::NULL => None,
            other => return Err((format!("unexpected {other} in COMMENT ON"), t.span, None)),
        };
        if p.peek_token_ref().token != Token::EOF {
            return Err(bad("unexpected text after the comment".into()));
        }
        Ok(text)
    };
    if trigger {
        let name = p.parse_identifier().map_err(|e| bad(e.to_string()))?;
        if !eat(&mut p, "ON") {
            return Err(bad("expected COMMENT ON TRIGGER name ON table".into()));
        }
        let table = p.parse_object_name(false).map_err(|e| bad(e.to_string()))?;
        let table = super::names::object_qual_name(&table, default_schema).map_err(bad)?;
        let text = text(&mut p)?;
        return Ok(Stmt::TriggerComment { name: crate::canon::ident::fold(&name), table, text });
    }
    let (name, args) = signature(&mut p, default_schema).map_err(|(m, s)| (m, s, None))?;
    let text = text(&mut p)?;
    Ok(Stmt::RoutineComment { name, args, text })
}
