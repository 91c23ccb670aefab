//! `CREATE FUNCTION` / `CREATE PROCEDURE`, read from the statement's tokens
//! with sqlparser's primitives (its own `CREATE FUNCTION` lacks COST, ROWS,
//! LEAKPROOF, WINDOW and PostgreSQL's `CREATE PROCEDURE`). Both the form a
//! person writes and `pg_get_functiondef`'s read to the same `Routine`.

use sqlparser::ast::{DataType, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use super::names::object_qual_name;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::canon::quote_ident;
use crate::canon::refs::sql_body_refs;
use crate::canon::types::resolve;
use crate::model::{Arg, ArgMode, ColumnType, Dep, Parallel, QualName, Routine, RoutineId, RoutineKind, Volatility};

/// A reading error: message and where.
pub type ReadError = (String, Span);

/// The upper-case unquoted word at the parser's position.
pub(crate) fn peek_word(p: &Parser) -> Option<String> {
    match &p.peek_token_ref().token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
        _ => None,
    }
}

/// Consumes `word` (unquoted, any case) if it is next.
pub(crate) fn eat(p: &mut Parser, word: &str) -> bool {
    if peek_word(p).as_deref() == Some(word) {
        p.next_token();
        true
    } else {
        false
    }
}

fn err(p: &Parser, message: impl Into<String>) -> ReadError {
    (message.into(), p.peek_token_ref().span)
}

fn sql_err(p: &Parser, e: sqlparser::parser::ParserError) -> ReadError {
    let m = e.to_string();
    let m = m.strip_prefix("sql parser error: ").unwrap_or(&m);
    let m = m.split(" at Line: ").next().unwrap_or(m);
    (format!("syntax error: {m}"), p.peek_token_ref().span)
}

/// A routine's argument or result type: PostgreSQL keeps no modifiers there.
pub(crate) fn routine_type(p: &mut Parser, default_schema: &str) -> Result<ColumnType, ReadError> {
    let dt = p.parse_data_type().map_err(|e| sql_err(p, e))?;
    if matches!(p.peek_token_ref().token, Token::Mod) {
        return Err(err(p, "unsupported: %TYPE in a routine's signature (write the type)"));
    }
    type_of(&dt, default_schema).map_err(|m| err(p, m))
}

fn type_of(dt: &DataType, default_schema: &str) -> Result<ColumnType, String> {
    let r = resolve(dt, default_schema)?;
    if r.serial.is_some() {
        return Err("serial is not a type".into());
    }
    let mut t = r.column_type;
    t.typmod = None;
    Ok(t)
}

fn at_arg_end(p: &Parser) -> bool {
    matches!(p.peek_token_ref().token, Token::Comma | Token::RParen | Token::Eq | Token::EOF)
        || peek_word(p).as_deref() == Some("DEFAULT")
}

/// One argument: `[mode] [name] type [DEFAULT expr | = expr]` (or `name mode type`).
fn arg(p: &mut Parser, default_schema: &str) -> Result<Arg, ReadError> {
    let mode_word = |p: &mut Parser| -> Option<ArgMode> {
        let m = match peek_word(p).as_deref() {
            Some("IN") => ArgMode::In,
            Some("OUT") => ArgMode::Out,
            Some("INOUT") => ArgMode::InOut,
            Some("VARIADIC") => ArgMode::Variadic,
            _ => return None,
        };
        // A mode word alone before `,` or `)` is a type or name, not a mode.
        if matches!(p.peek_nth_token_ref(1).token, Token::Comma | Token::RParen) {
            return None;
        }
        p.next_token();
        Some(m)
    };
    let mut mode = mode_word(p);
    let unnamed = p
        .maybe_parse(|p| {
            let dt = p.parse_data_type()?;
            if at_arg_end(p) {
                Ok(dt)
            } else {
                Err(sqlparser::parser::ParserError::ParserError("named".into()))
            }
        })
        .map_err(|e| sql_err(p, e))?;
    let (name, data_type) = match unnamed {
        Some(dt) => (None, type_of(&dt, default_schema).map_err(|m| err(p, m))?),
        None => {
            let ident = p.parse_identifier().map_err(|e| sql_err(p, e))?;
            if mode.is_none() {
                mode = mode_word(p);
            }
            (Some(fold(&ident)), routine_type(p, default_schema)?)
        }
    };
    let default = if eat(p, "DEFAULT") || p.consume_token(&Token::Eq) {
        let e = p.parse_expr().map_err(|e| sql_err(p, e))?;
        Some(canonical(&e, &Context { default_schema, column_type: Some(&data_type) }))
    } else {
        None
    };
    Ok(Arg { mode: mode.unwrap_or(ArgMode::In), name, data_type, default })
}

/// `( arg, ... )`, the parser standing on `(`.
pub(crate) fn arg_list(p: &mut Parser, default_schema: &str) -> Result<Vec<Arg>, ReadError> {
    p.expect_token(&Token::LParen).map_err(|e| sql_err(p, e))?;
    let mut args = Vec::new();
    if p.consume_token(&Token::RParen) {
        return Ok(args);
    }
    loop {
        args.push(arg(p, default_schema)?);
        if p.consume_token(&Token::Comma) {
            continue;
        }
        p.expect_token(&Token::RParen).map_err(|e| sql_err(p, e))?;
        return Ok(args);
    }
}

/// A name with an optional argument list, as in `COMMENT ON FUNCTION` and
/// `DROP FUNCTION`: the name and, when the list is given, the identity types.
pub(crate) fn signature(
    p: &mut Parser,
    default_schema: &str,
) -> Result<(QualName, Option<Vec<ColumnType>>), ReadError> {
    let name = p.parse_object_name(false).map_err(|e| sql_err(p, e))?;
    let name = object_qual_name(&name, default_schema).map_err(|m| err(p, m))?;
    if !matches!(p.peek_token_ref().token, Token::LParen) {
        return Ok((name, None));
    }
    let args = arg_list(p, default_schema)?;
    Ok((name, Some(args.into_iter().filter(|a| a.mode.is_input()).map(|a| a.data_type).collect())))
}

/// The routine in `catalog` that `name` with optional `args` designates.
pub fn find_routine<'a, V>(
    routines: &'a crate::model::Map<RoutineId, V>,
    name: &QualName,
    args: Option<&[ColumnType]>,
) -> Result<&'a RoutineId, String> {
    match args {
        Some(args) => {
            let id = RoutineId { name: name.clone(), args: args.to_vec() };
            routines.get_key_value(&id).map(|(k, _)| k).ok_or_else(|| format!("function {id} is not defined"))
        }
        None => {
            let mut found = routines.keys().filter(|k| &k.name == name);
            match (found.next(), found.next()) {
                (Some(k), None) => Ok(k),
                (None, _) => Err(format!("function {name} is not defined")),
                (Some(_), Some(_)) => Err(format!("function name {name} is not unique: give its argument types")),
            }
        }
    }
}

fn number(p: &mut Parser) -> Result<f64, ReadError> {
    let v = p.parse_number_value().map_err(|e| sql_err(p, e))?;
    match v.value {
        Value::Number(n, _) => n.parse::<f64>().map_err(|_| err(p, format!("bad number {n}"))),
        other => Err(err(p, format!("expected a number, found {other}"))),
    }
}

fn string(p: &mut Parser) -> Option<String> {
    let s = match &p.peek_token_ref().token {
        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) | Token::NationalStringLiteral(s) => s.clone(),
        Token::DollarQuotedString(d) => d.value.clone(),
        _ => return None,
    };
    p.next_token();
    Some(s)
}

/// Settings whose list elements PostgreSQL stores as quoted identifiers.
const LIST_QUOTE: &[&str] = &["search_path", "temp_tablespaces"];

/// `SET name { TO | = } value, ... | FROM CURRENT`, as `proconfig` holds it: `name=value`.
fn setting(p: &mut Parser) -> Result<String, ReadError> {
    let mut name = Vec::new();
    loop {
        // Setting names are case-insensitive; PostgreSQL prints its own case (`"TimeZone"`).
        let ident = p.parse_identifier().map_err(|e| sql_err(p, e))?;
        name.push(ident.value.to_lowercase());
        if !p.consume_token(&Token::Period) {
            break;
        }
    }
    let name = name.join(".");
    if eat(p, "FROM") {
        if !eat(p, "CURRENT") {
            return Err(err(p, "expected FROM CURRENT"));
        }
        return Ok(format!("{name} FROM CURRENT"));
    }
    if !(eat(p, "TO") || p.consume_token(&Token::Eq)) {
        return Err(err(p, "expected TO or = in SET"));
    }
    let quote = LIST_QUOTE.contains(&name.as_str());
    let mut values = Vec::new();
    loop {
        let v = if let Some(s) = string(p) {
            s
        } else {
            let t = p.next_token();
            match t.token {
                Token::Number(n, _) => n,
                Token::Minus => match p.next_token().token {
                    Token::Number(n, _) => format!("-{n}"),
                    other => return Err((format!("unexpected {other} in SET"), t.span)),
                },
                Token::Word(w) => {
                    if w.quote_style.is_some() {
                        w.value
                    } else {
                        w.value.to_lowercase()
                    }
                }
                other => return Err((format!("unexpected {other} in SET"), t.span)),
            }
        };
        values.push(if quote { quote_ident(&v) } else { v });
        if !p.consume_token(&Token::Comma) {
            break;
        }
    }
    Ok(format!("{name}={}", values.join(", ")))
}

/// Reads a whole `CREATE [OR REPLACE] FUNCTION | PROCEDURE` statement.
///
/// One linear pass over the clauses in the order PostgreSQL's grammar allows them;
/// long because the grammar is.
pub fn read_routine(tokens: Vec<TokenWithSpan>, default_schema: &str) -> Result<Routine, ReadError> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(tokens);
    eat(&mut p, "CREATE");
    if eat(&mut p, "OR") && !eat(&mut p, "REPLACE") {
        return Err(err(&p, "expected OR REPLACE"));
    }
    let kind = if eat(&mut p, "FUNCTION") {
        RoutineKind::Function
    } else if eat(&mut p, "PROCEDURE") {
        RoutineKind::Procedure
    } else {
        return Err(err(&p, "expected FUNCTION or PROCEDURE"));
    };
    let name = p.parse_object_name(false).map_err(|e| sql_err(&p, e))?;
    let name = object_qual_name(&name, default_schema).map_err(|m| err(&p, m))?;
    let args = arg_list(&mut p, default_schema)?;
    let mut r = Routine {
        name,
        kind,
        args,
        returns: None,
        language: String::new(),
        body: String::new(),
        body_key: String::new(),
        sql_body: false,
        object_file: None,
        volatility: Volatility::Volatile,
        strict: false,
        security_definer: false,
        leakproof: false,
        window: false,
        parallel: Parallel::Unsafe,
        cost: None,
        rows: None,
        config: Vec::new(),
        comment: None,
        depends: Vec::new(),
    };
    let mut types: Vec<ColumnType> = r.args.iter().map(|a| a.data_type.clone()).collect();
    let mut has_body = false;
    // A SQL-standard body's statements, for what it refers to.
    let mut inner: Option<String> = None;
    loop {
        if matches!(p.peek_token_ref().token, Token::EOF) {
            break;
        }
        let Some(w) = peek_word(&p) else {
            let t = p.peek_token();
            return Err((format!("unexpected {} in CREATE {}", t.token, kind.sql()), t.span));
        };
        p.next_token();
        match w.as_str() {
            "RETURNS" if eat(&mut p, "NULL") => {
                for w in ["ON", "NULL", "INPUT"] {
                    if !eat(&mut p, w) {
                        return Err(err(&p, "expected RETURNS NULL ON NULL INPUT"));
                    }
                }
                r.strict = true;
            }
            "RETURNS" => {
                let text = if peek_word(&p).as_deref() == Some("TABLE")
                    && matches!(p.peek_nth_token_ref(1).token, Token::LParen)
                {
                    p.next_token();
                    let cols = arg_list(&mut p, default_schema)?;
                    let mut parts = Vec::new();
                    for c in cols {
                        let Some(n) = c.name else { return Err(err(&p, "a RETURNS TABLE column needs a name")) };
                        parts.push(format!("{} {}", quote_ident(&n), c.data_type));
                        types.push(c.data_type);
                    }
                    format!("TABLE({})", parts.join(", "))
                } else {
                    let setof = eat(&mut p, "SETOF");
                    let t = routine_type(&mut p, default_schema)?;
                    let text = if setof { format!("SETOF {t}") } else { t.to_string() };
                    types.push(t);
                    text
                };
                r.returns = Some(text);
            }
            "LANGUAGE" => {
                r.language = match string(&mut p) {
                    Some(s) => s.to_lowercase(),
                    None => fold(&p.parse_identifier().map_err(|e| sql_err(&p, e))?),
                }
            }
            "WINDOW" => r.window = true,
            "IMMUTABLE" => r.volatility = Volatility::Immutable,
            "STABLE" => r.volatility = Volatility::Stable,
            "VOLATILE" => r.volatility = Volatility::Volatile,
            "LEAKPROOF" => r.leakproof = true,
            "NOT" if eat(&mut p, "LEAKPROOF") => r.leakproof = false,
            "STRICT" => r.strict = true,
            "CALLED" => {
                for w in ["ON", "NULL", "INPUT"] {
                    if !eat(&mut p, w) {
                        return Err(err(&p, "expected CALLED ON NULL INPUT"));
                    }
                }
                r.strict = false;
            }
            "EXTERNAL" | "SECURITY" => {
                if w == "EXTERNAL" && !eat(&mut p, "SECURITY") {
                    return Err(err(&p, "expected EXTERNAL SECURITY"));
                }
                if eat(&mut p, "DEFINER") {
                    r.security_definer = true;
                } else if eat(&mut p, "INVOKER") {
                    r.security_definer = false;
                } else {
                    return Err(err(&p, "expected SECURITY DEFINER or SECURITY INVOKER"));
                }
            }
            "PARALLEL" => {
                r.parallel = if eat(&mut p, "SAFE") {
                    Parallel::Safe
                } else if eat(&mut p, "RESTRICTED") {
                    Parallel::Restricted
                } else if eat(&mut p, "UNSAFE") {
                    Parallel::Unsafe
                } else {
                    return Err(err(&p, "expected PARALLEL SAFE, RESTRICTED or UNSAFE"));
                }
            }
            "COST" => r.cost = Some(number(&mut p)?),
            "ROWS" => r.rows = Some(number(&mut p)?),
            "SET" => r.config.push(setting(&mut p)?),
            "AS" => {
                let Some(first) = string(&mut p) else { return Err(err(&p, "expected the body as a string")) };
                if p.consume_token(&Token::Comma) {
                    let Some(symbol) = string(&mut p) else { return Err(err(&p, "expected the link symbol")) };
                    r.object_file = Some(first);
                    r.body = symbol;
                } else {
                    r.body = first;
                }
                has_body = true;
            }
            "RETURN" => {
                let e = p.parse_expr().map_err(|e| sql_err(&p, e))?;
                let text = canonical(&e, &Context { default_schema, column_type: None }).0;
                r.body = format!("RETURN {text}");
                inner = Some(format!("SELECT {text}"));
                r.sql_body = true;
                has_body = true;
            }
            "BEGIN" => {
                if !eat(&mut p, "ATOMIC") {
                    return Err(err(&p, "expected BEGIN ATOMIC"));
                }
                let (body, statements) = atomic_body(&mut p)?;
                r.body = body;
                inner = Some(statements);
                r.sql_body = true;
                has_body = true;
            }
            "SUPPORT" | "TRANSFORM" => {
                return Err(err(&p, format!("unsupported: {w} in CREATE {}", kind.sql())));
            }
            other => return Err(err(&p, format!("unexpected {other} in CREATE {}", kind.sql()))),
        }
    }
    if !has_body {
        return Err(err(&p, format!("CREATE {} {} has no body (AS ...)", kind.sql(), r.name)));
    }
    if r.language.is_empty() {
        if r.sql_body {
            r.language = "sql".into();
        } else {
            return Err(err(&p, format!("{} {}: no LANGUAGE given", kind.sql(), r.name)));
        }
    }
    settle_defaults(&mut r).map_err(|m| err(&p, m))?;
    // What the routine refers to: its types, and what a SQL body reads.
    for t in types.iter().filter_map(ColumnType::custom) {
        let dep = Dep::Type(t);
        if !r.depends.contains(&dep) {
            r.depends.push(dep);
        }
    }
    if r.language == "sql" {
        let (rels, calls) = sql_body_refs(inner.as_deref().unwrap_or(&r.body), default_schema);
        r.depends.extend(rels.into_iter().map(Dep::Relation));
        r.depends.extend(calls.into_iter().filter(|c| c != &r.name).map(Dep::Routine));
    }
    r.body_key = crate::canon::body::body_key(&r.body);
    Ok(r)
}

/// The rest of a `BEGIN ATOMIC ... END` body, the parser standing after
/// `ATOMIC` (the body ends the statement: `parse::split` kept its
/// semicolons): the body as printed again (`BEGIN ATOMIC`, each statement
/// through `quote::ast` ended by `;` on a line of its own, `END`, the shape
/// `pg_get_functiondef` prints) and its statements as one text. Statements
/// sqlparser cannot read are kept as their tokens, for PostgreSQL to judge.
fn atomic_body(p: &mut Parser) -> Result<(String, String), ReadError> {
    let mut rest = Vec::new();
    loop {
        let t = p.next_token();
        if matches!(t.token, Token::EOF) {
            break;
        }
        rest.push(t);
    }
    let ends = matches!(rest.last().map(|t| &t.token), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("END"));
    if !ends {
        return Err(err(p, "expected END at the end of a BEGIN ATOMIC body"));
    }
    rest.pop();
    let dialect = PostgreSqlDialect {};
    let statements: Vec<String> =
        match Parser::new(&dialect).with_tokens_with_locations(rest.clone()).parse_statements() {
            Ok(stmts) => stmts.iter().map(crate::quote::ast::sql).collect(),
            Err(_) => rest
                .split(|t| t.token == Token::SemiColon)
                .filter(|s| !s.is_empty())
                .map(|s| crate::quote::ast::tokens(s.iter().map(|t| &t.token)))
                .collect(),
        };
    let mut body = String::from("BEGIN ATOMIC\n");
    for s in &statements {
        body.push_str(&format!(" {s};\n"));
    }
    body.push_str("END");
    Ok((body, statements.join(";\n")))
}

/// Spells what PostgreSQL leaves implicit the way it stores it: the result
/// of a function with OUT arguments, and no COST or ROWS at their defaults.
fn settle_defaults(r: &mut Routine) -> Result<(), String> {
    match r.kind {
        RoutineKind::Procedure => {
            if r.returns.is_some() {
                return Err(format!("procedure {}: a procedure has no RETURNS", r.name));
            }
        }
        RoutineKind::Function => {
            let outs: Vec<&Arg> = r.args.iter().filter(|a| matches!(a.mode, ArgMode::Out | ArgMode::InOut)).collect();
            if r.returns.is_none() {
                r.returns = Some(match outs.as_slice() {
                    [] => return Err(format!("function {}: RETURNS is missing", r.name)),
                    [one] => one.data_type.to_string(),
                    _ => "record".into(),
                });
            }
        }
    }
    let default_cost = if matches!(r.language.as_str(), "c" | "internal") { 1.0 } else { 100.0 };
    if r.cost == Some(default_cost) {
        r.cost = None;
    }
    let set_returning = r.returns.as_deref().is_some_and(|t| t.starts_with("SETOF ") || t.starts_with("TABLE("));
    let default_rows = if set_returning { 1000.0 } else { 0.0 };
    if r.rows == Some(default_rows) {
        r.rows = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str) -> Routine {
        let tokens = crate::parse::split::split(sql).unwrap().remove(0).tokens;
        read_routine(tokens, "public").unwrap()
    }

    #[test]
    fn user_form_and_functiondef_form_agree() {
        let a = read(
            "CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE COST 100 \
             SET search_path = public, pg_temp AS $$ select a +  b $$",
        );
        let b = read(
            "CREATE OR REPLACE FUNCTION public.add(a integer, b integer DEFAULT 1)\n RETURNS integer\n LANGUAGE sql\n \
             IMMUTABLE\n SET search_path TO 'public', 'pg_temp'\nAS $function$ select a + b $function$",
        );
        assert_eq!(a, b);
        assert_eq!(a.id().to_string(), "public.add(integer, integer)");
        assert_eq!(a.config, vec!["search_path=public, pg_temp".to_string()]);
    }

    #[test]
    fn sql_standard_bodies_keep_their_statements_and_name_what_they_read() {
        let f = read(
            "CREATE FUNCTION f(a int) RETURNS bigint LANGUAGE sql BEGIN ATOMIC\n  select count(*)   from app.t where x = a;\n              SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\nEND",
        );
        assert!(f.sql_body);
        assert_eq!(
            f.body,
            "BEGIN ATOMIC\n SELECT count(*) FROM app.t WHERE x = a;\n SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\nEND"
        );
        assert!(f.depends.contains(&Dep::Relation(QualName::new("app", "t"))), "{:?}", f.depends);
        // pg_get_functiondef's shape reads to the same body.
        let g = read(
            "CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS bigint\n LANGUAGE sql\nBEGIN ATOMIC\n              SELECT count(*) AS count\n    FROM app.t\n   WHERE (t.x = f.a);\n SELECT\n         CASE\n             WHEN (f.a > 0) THEN 1\n             ELSE 2\n         END AS \"case\";\nEND",
        );
        assert!(
            g.body.starts_with("BEGIN ATOMIC\n SELECT count(*) AS count FROM app.t WHERE (t.x = f.a);"),
            "{}",
            g.body
        );
        let r = read("CREATE FUNCTION r(a int) RETURNS int LANGUAGE sql RETURN (SELECT max(x) FROM app.t) + a");
        assert!(r.body.starts_with("RETURN "), "{}", r.body);
        assert!(r.depends.contains(&Dep::Relation(QualName::new("app", "t"))), "{:?}", r.depends);
        let empty = read("CREATE PROCEDURE p() BEGIN ATOMIC END");
        assert_eq!((empty.body.as_str(), empty.language.as_str()), ("BEGIN ATOMIC\nEND", "sql"));
    }

    #[test]
    fn procedures_out_args_and_tables() {
        let p = read("CREATE PROCEDURE p(IN x integer, INOUT y text) LANGUAGE plpgsql AS $$ begin end $$");
        assert_eq!(p.id().to_string(), "public.p(integer, text)");
        assert_eq!(p.returns, None);
        let f = read("CREATE FUNCTION f(x int, OUT a int, OUT b text) LANGUAGE sql AS 'select 1, ''a'''");
        assert_eq!(f.returns.as_deref(), Some("record"));
        assert_eq!(f.id().to_string(), "public.f(integer)");
        let t = read(
            "CREATE FUNCTION t() RETURNS TABLE (id int, name varchar(10)) LANGUAGE sql ROWS 1000 AS 'select 1, ''x'''",
        );
        assert_eq!(t.returns.as_deref(), Some("TABLE(id integer, name character varying)"));
        assert_eq!(t.rows, None);
        let d = read("CREATE FUNCTION d(double precision, text) RETURNS void LANGUAGE sql AS ''");
        assert_eq!(d.id().to_string(), "public.d(double precision, text)");
        let v = read("CREATE FUNCTION v(VARIADIC \"any\") RETURNS int LANGUAGE c AS 'lib', 'v' COST 1");
        assert_eq!(v.id().to_string(), "public.v(\"any\")");
        assert_eq!((v.cost, v.object_file.as_deref(), v.body.as_str()), (None, Some("lib"), "v"));
    }
}
