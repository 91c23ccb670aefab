//! `CREATE CAST (source AS target) {WITH FUNCTION f(args) | WITH INOUT |
//! WITHOUT FUNCTION} [AS ASSIGNMENT | AS IMPLICIT]` and a cast's identity in
//! `DROP` / `COMMENT ON CAST (source AS target)`, read with sqlparser's type
//! parser (the statement itself is not one sqlparser reads). The canonical
//! form is `model::object::cast`'s: types as PostgreSQL spells them, the
//! function qualified with its argument types, the method and context as
//! words in the options.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::routine::{eat, routine_type, signature};
use crate::model::{Dep, GenericKind, Object, QualName};

fn expect(p: &mut Parser, t: Token, what: &str) -> Result<(), String> {
    if p.peek_token_ref().token == t {
        p.next_token();
        Ok(())
    } else {
        Err(format!("expected {what} in CAST, found {}", p.peek_token_ref().token))
    }
}

/// `(source AS target)` at the parser: the canonical identity, and the user types it names.
fn identity(p: &mut Parser, default_schema: &str, deps: &mut Vec<Dep>) -> Result<String, String> {
    expect(p, Token::LParen, "(")?;
    let source = routine_type(p, default_schema).map_err(|(m, _)| m)?;
    if !eat(p, "AS") {
        return Err("expected AS between a cast's source and target types".into());
    }
    let target = routine_type(p, default_schema).map_err(|(m, _)| m)?;
    expect(p, Token::RParen, ")")?;
    deps.extend([&source, &target].into_iter().filter_map(|t| t.custom()).map(Dep::Type));
    Ok(format!("({source} AS {target})"))
}

fn parser(toks: &[TokenWithSpan]) -> Parser<'static> {
    static DIALECT: PostgreSqlDialect = PostgreSqlDialect {};
    Parser::new(&DIALECT).with_tokens_with_locations(toks.to_vec())
}

/// How many tokens the parser has consumed of `toks`.
fn consumed(p: &Parser, toks: &[TokenWithSpan]) -> usize {
    let next = p.peek_token_ref().span;
    toks.iter().position(|t| t.span == next).unwrap_or(toks.len())
}

/// A cast's identity in `DROP` / `COMMENT ON` from `toks[at..]`: the identity and the index after it.
pub fn read_identity(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<(String, usize), String> {
    let rest = toks.get(at..).unwrap_or_default();
    let mut p = parser(rest);
    let id = identity(&mut p, default_schema, &mut Vec::new())?;
    Ok((id, at + consumed(&p, rest)))
}

/// The rest of `CREATE CAST`, from its `(`: the object.
pub fn read_create(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<Object, String> {
    let rest = toks.get(at..).unwrap_or_default();
    let mut p = parser(rest);
    let mut depends = Vec::new();
    let identity = identity(&mut p, default_schema, &mut depends)?;
    let mut options = Vec::new();
    if eat(&mut p, "WITH") {
        if eat(&mut p, "INOUT") {
            options.push(("INOUT".to_string(), String::new()));
        } else if eat(&mut p, "FUNCTION") {
            let (name, args) = signature(&mut p, default_schema).map_err(|(m, _)| m)?;
            let args = args.ok_or("CREATE CAST ... WITH FUNCTION: write the function's argument types")?;
            let list: Vec<String> = args.iter().map(ToString::to_string).collect();
            options.push(("FUNCTION".to_string(), format!("{}({})", name.sql(), list.join(", "))));
            depends.push(Dep::Routine(name));
        } else {
            return Err("expected FUNCTION or INOUT after WITH".into());
        }
    } else if !(eat(&mut p, "WITHOUT") && eat(&mut p, "FUNCTION")) {
        return Err("expected WITH FUNCTION, WITH INOUT or WITHOUT FUNCTION".into());
    }
    if eat(&mut p, "AS") {
        let context = if eat(&mut p, "ASSIGNMENT") {
            "ASSIGNMENT"
        } else if eat(&mut p, "IMPLICIT") {
            "IMPLICIT"
        } else {
            return Err("expected ASSIGNMENT or IMPLICIT after AS".into());
        };
        options.push(("AS".to_string(), context.to_string()));
    }
    if p.peek_token_ref().token != Token::EOF {
        return Err(format!("unexpected text after CREATE CAST: {}", p.peek_token_ref().token));
    }
    depends.sort();
    depends.dedup();
    Ok(Object {
        kind: GenericKind::Cast,
        name: QualName::new("pg_catalog", identity.clone()),
        identity,
        options,
        depends,
        mappings: Vec::new(),
        comment: None,
    })
}
