//! Foreign data (`model::object::foreign`), read from the tokens:
//! `CREATE FOREIGN DATA WRAPPER w [HANDLER f | NO HANDLER] [VALIDATOR f |
//! NO VALIDATOR] [OPTIONS (...)]`, `CREATE SERVER s [TYPE 't'] [VERSION 'v']
//! FOREIGN DATA WRAPPER w [OPTIONS (...)]`, `CREATE USER MAPPING FOR role |
//! PUBLIC SERVER s [OPTIONS (...)]`, `CREATE FOREIGN TABLE t (column type
//! [OPTIONS (...)] [COLLATE c] [NOT NULL] [DEFAULT e], ...) SERVER s [OPTIONS
//! (...)]`, and pg_dump's `ALTER FOREIGN TABLE [ONLY] t ALTER [COLUMN] c
//! OPTIONS (...)`. Option values are string constants, kept as their values
//! and printed by `quote_literal`; names fold like identifiers.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use super::names::{object_qual_name, read_name};
use crate::canon::ident::fold;
use crate::canon::{quote_ident, quote_literal};
use crate::model::{Dep, GenericKind, Object, ObjectId, QualName};

fn word(t: Option<&TokenWithSpan>) -> Option<String> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn eat(toks: &[TokenWithSpan], at: &mut usize, w: &str) -> bool {
    let yes = word(toks.get(*at)).as_deref() == Some(w);
    *at += usize::from(yes);
    yes
}

fn ident_of(t: &TokenWithSpan) -> Option<String> {
    match &t.token {
        Token::Word(w) => {
            Some(fold(&sqlparser::ast::Ident { value: w.value.clone(), quote_style: w.quote_style, span: t.span }))
        }
        _ => None,
    }
}

/// A name without a schema at `at`, folded; and the index after it.
fn bare_name(toks: &[TokenWithSpan], at: usize, what: &str) -> Result<(String, usize), String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, at).ok_or_else(|| format!("expected the {what}'s name"))?;
    if n.0.len() != 1 {
        return Err(format!("a {what}'s name has no schema"));
    }
    Ok((object_qual_name(&n, "pg_catalog")?.name, next))
}

/// `OPTIONS ( [ADD] name 'value', ... )` at `at` (standing on `OPTIONS`):
/// the canonical list, sorted by name, and the index after the `)`.
pub fn generic_options(toks: &[TokenWithSpan], mut at: usize) -> Result<(String, usize), String> {
    if !eat(toks, &mut at, "OPTIONS") || toks.get(at).map(|t| &t.token) != Some(&Token::LParen) {
        return Err("expected OPTIONS (...)".into());
    }
    at += 1;
    let mut out: Vec<(String, String)> = Vec::new();
    loop {
        if matches!(word(toks.get(at)).as_deref(), Some("SET" | "DROP"))
            && !matches!(toks.get(at + 1).map(|t| &t.token), Some(Token::SingleQuotedString(_)))
        {
            return Err("only OPTIONS (name 'value', ...) and ADD are supported: write the options as wanted".into());
        }
        if word(toks.get(at)).as_deref() == Some("ADD")
            && !matches!(toks.get(at + 1).map(|t| &t.token), Some(Token::SingleQuotedString(_)))
        {
            at += 1;
        }
        let name = toks.get(at).and_then(ident_of).ok_or("expected an option's name")?;
        let value = match toks.get(at + 1).map(|t| &t.token) {
            Some(Token::SingleQuotedString(s)) => s.clone(),
            _ => return Err(format!("option {name}: expected its value as a string constant")),
        };
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("option {name} provided more than once"));
        }
        out.push((name, value));
        at += 2;
        match toks.get(at).map(|t| &t.token) {
            Some(Token::Comma) => at += 1,
            Some(Token::RParen) => break,
            _ => return Err("expected , or ) in OPTIONS".into()),
        }
    }
    out.sort();
    let list: Vec<String> = out.iter().map(|(n, v)| format!("{} {}", quote_ident(n), quote_literal(v))).collect();
    Ok((list.join(", "), at + 1))
}

/// An optional `OPTIONS (...)` at `at`, pushed onto `options` as `key`.
fn maybe_options(
    toks: &[TokenWithSpan],
    at: &mut usize,
    key: &str,
    options: &mut Vec<(String, String)>,
) -> Result<(), String> {
    if word(toks.get(*at)).as_deref() == Some("OPTIONS") {
        let (list, next) = generic_options(toks, *at)?;
        *at = next;
        if !list.is_empty() {
            options.push((key.to_string(), list));
        }
    }
    Ok(())
}

fn string_at(toks: &[TokenWithSpan], at: &mut usize, what: &str) -> Result<String, String> {
    match toks.get(*at).map(|t| &t.token) {
        Some(Token::SingleQuotedString(s)) => {
            *at += 1;
            Ok(quote_literal(s))
        }
        _ => Err(format!("expected the {what} as a string constant")),
    }
}

/// A function name as other kinds keep it (`pg_catalog.` dropped, a bare
/// one bare), with its dependency.
fn function_at(
    toks: &[TokenWithSpan],
    at: &mut usize,
    default_schema: &str,
    deps: &mut Vec<Dep>,
) -> Result<String, String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, *at).ok_or("expected a function name")?;
    *at = next;
    let q = object_qual_name(&n, default_schema)?;
    if q.schema == "pg_catalog" {
        return Ok(quote_ident(&q.name));
    }
    deps.push(Dep::Routine(q.clone()));
    Ok(if n.0.len() == 1 { quote_ident(&q.name) } else { q.sql() })
}

fn end(toks: &[TokenWithSpan], at: usize) -> Result<(), String> {
    match toks.get(at) {
        None => Ok(()),
        Some(t) => Err(format!("unexpected {} after the statement", t.token)),
    }
}

/// The rest of `CREATE <kind>` from the name (`at`): the object.
pub fn read_create(
    toks: &[TokenWithSpan],
    at: usize,
    kind: GenericKind,
    default_schema: &str,
) -> Result<Object, String> {
    let mut at = at;
    let mut options = Vec::new();
    let mut depends = Vec::new();
    let (name, identity) = match kind {
        GenericKind::ForeignDataWrapper => {
            let (name, next) = bare_name(toks, at, "foreign data wrapper")?;
            at = next;
            // `[NO] HANDLER` and `[NO] VALIDATOR`, in either order; kept in that order.
            let mut functions: Vec<(String, String)> = Vec::new();
            loop {
                let no = eat(toks, &mut at, "NO");
                let clause = match word(toks.get(at)).as_deref() {
                    Some(c @ ("HANDLER" | "VALIDATOR")) => c.to_string(),
                    _ if no => return Err("expected NO HANDLER or NO VALIDATOR".into()),
                    _ => break,
                };
                at += 1;
                functions.retain(|(k, _)| *k != clause);
                if !no {
                    let f = function_at(toks, &mut at, default_schema, &mut depends)?;
                    functions.push((clause, f));
                }
            }
            functions.sort();
            options.extend(functions);
            maybe_options(toks, &mut at, "OPTIONS", &mut options)?;
            (QualName::new("pg_catalog", name.clone()), quote_ident(&name))
        }
        GenericKind::Server => {
            let (name, next) = bare_name(toks, at, "server")?;
            at = next;
            if eat(toks, &mut at, "TYPE") {
                options.push(("TYPE".to_string(), string_at(toks, &mut at, "server type")?));
            }
            if eat(toks, &mut at, "VERSION") {
                options.push(("VERSION".to_string(), string_at(toks, &mut at, "server version")?));
            }
            if !(eat(toks, &mut at, "FOREIGN") && eat(toks, &mut at, "DATA") && eat(toks, &mut at, "WRAPPER")) {
                return Err("expected FOREIGN DATA WRAPPER and the wrapper's name".into());
            }
            let (wrapper, next) = bare_name(toks, at, "foreign data wrapper")?;
            at = next;
            options.push(("WRAPPER".to_string(), quote_ident(&wrapper)));
            maybe_options(toks, &mut at, "OPTIONS", &mut options)?;
            (QualName::new("pg_catalog", name.clone()), quote_ident(&name))
        }
        GenericKind::UserMapping => {
            let (identity, server, next) = read_mapping_identity(toks, at)?;
            at = next;
            options.push(("SERVER".to_string(), server));
            maybe_options(toks, &mut at, "OPTIONS", &mut options)?;
            (QualName::new("pg_catalog", identity.clone()), identity)
        }
        GenericKind::ForeignTable => {
            let refs: Vec<&TokenWithSpan> = toks.iter().collect();
            let (n, next) = read_name(&refs, at).ok_or("expected the foreign table's name")?;
            let name = object_qual_name(&n, default_schema)?;
            at = columns(toks, next, default_schema, &mut options, &mut depends)?;
            if matches!(word(toks.get(at)).as_deref(), Some("INHERITS" | "PARTITION")) {
                return Err("unsupported: a foreign table's INHERITS or PARTITION OF".into());
            }
            if !eat(toks, &mut at, "SERVER") {
                return Err("expected SERVER and the server's name".into());
            }
            let (server, next) = bare_name(toks, at, "server")?;
            at = next;
            options.push(("SERVER".to_string(), quote_ident(&server)));
            maybe_options(toks, &mut at, "OPTIONS", &mut options)?;
            let identity = name.sql();
            (name, identity)
        }
        other => return Err(format!("{} is not foreign data", other.spec().keyword)),
    };
    end(toks, at)?;
    depends.sort();
    depends.dedup();
    Ok(Object { kind, name, identity, options, depends, mappings: Vec::new(), comment: None })
}

/// `FOR role | PUBLIC SERVER s` at `at`: the identity, the server (quoted),
/// the index after.
fn read_mapping_identity(toks: &[TokenWithSpan], mut at: usize) -> Result<(String, String, usize), String> {
    if !eat(toks, &mut at, "FOR") {
        return Err("expected FOR and a role".into());
    }
    let role = match toks.get(at) {
        Some(t) if word(Some(t)).as_deref() == Some("PUBLIC") => "PUBLIC".to_string(),
        Some(t)
            if matches!(word(Some(t)).as_deref(), Some("USER" | "CURRENT_USER" | "CURRENT_ROLE" | "SESSION_USER")) =>
        {
            return Err("a user mapping FOR CURRENT_USER depends on who runs it: write the role's name".into())
        }
        Some(t) => quote_ident(&ident_of(t).ok_or("expected a role's name")?),
        None => return Err("expected a role's name".into()),
    };
    at += 1;
    if !eat(toks, &mut at, "SERVER") {
        return Err("expected SERVER and the server's name".into());
    }
    let (server, next) = bare_name(toks, at, "server")?;
    let server = quote_ident(&server);
    Ok((format!("FOR {role} SERVER {server}"), server, next))
}

/// The identity `DROP` names at `at`, and the index after it.
pub fn read_identity(
    toks: &[TokenWithSpan],
    at: usize,
    kind: GenericKind,
    default_schema: &str,
) -> Result<(String, usize), String> {
    match kind {
        GenericKind::UserMapping => read_mapping_identity(toks, at).map(|(id, _, next)| (id, next)),
        GenericKind::ForeignTable => {
            let refs: Vec<&TokenWithSpan> = toks.iter().collect();
            let (n, next) = read_name(&refs, at).ok_or("expected the foreign table's name")?;
            Ok((object_qual_name(&n, default_schema)?.sql(), next))
        }
        _ => {
            let (name, next) = bare_name(toks, at, &kind.spec().keyword.to_ascii_lowercase())?;
            Ok((quote_ident(&name), next))
        }
    }
}

/// The column list at `at` (standing on `(`), each column a `column` entry
/// (`name type`) followed by its `column options` and `column rest`
/// (`COLLATE`, `NOT NULL`, `DEFAULT`, in that order); the index after `)`.
fn columns(
    toks: &[TokenWithSpan],
    mut at: usize,
    default_schema: &str,
    options: &mut Vec<(String, String)>,
    deps: &mut Vec<Dep>,
) -> Result<usize, String> {
    if toks.get(at).map(|t| &t.token) != Some(&Token::LParen) {
        return Err("expected ( and the foreign table's columns".into());
    }
    at += 1;
    if toks.get(at).map(|t| &t.token) == Some(&Token::RParen) {
        return Ok(at + 1);
    }
    loop {
        // One column's tokens, its OPTIONS (...) taken out.
        let mut def: Vec<TokenWithSpan> = Vec::new();
        let mut column_options = None;
        let mut depth = 0usize;
        loop {
            let Some(t) = toks.get(at) else { return Err("expected ) after the columns".into()) };
            match t.token {
                Token::Comma | Token::RParen if depth == 0 => break,
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            if depth == 0 && word(Some(t)).as_deref() == Some("OPTIONS") && !def.is_empty() {
                let (list, next) = generic_options(toks, at)?;
                column_options = Some(list);
                at = next;
                continue;
            }
            def.push(t.clone());
            at += 1;
        }
        if matches!(word(def.first()).as_deref(), Some("CONSTRAINT" | "CHECK" | "LIKE")) {
            return Err("unsupported: a foreign table's constraints and LIKE".into());
        }
        let dialect = PostgreSqlDialect {};
        let mut p = Parser::new(&dialect).with_tokens_with_locations(def);
        let parsed = p.parse_column_def().map_err(|e| format!("syntax error: {e}"))?;
        let next = p.peek_token();
        if next.token != Token::EOF {
            return Err(format!("unexpected {} in a foreign table's column", next.token));
        }
        let at_span = super::source::At { file: 0, span: Span::empty() };
        let c = super::columns::column(&parsed, default_schema, at_span)?;
        if !c.constraints.is_empty()
            || c.serial.is_some()
            || c.column.identity.is_some()
            || c.column.generated.is_some()
        {
            return Err(format!(
                "unsupported: column {} of a foreign table: only a type, OPTIONS, COLLATE, NOT NULL and DEFAULT",
                c.column.name
            ));
        }
        let col = c.column;
        if let Some(t) = col.data_type.custom() {
            deps.push(Dep::Type(t));
        }
        options.push(("column".to_string(), format!("{} {}", quote_ident(&col.name), col.data_type)));
        if let Some(list) = column_options.filter(|l| !l.is_empty()) {
            options.push(("column options".to_string(), list));
        }
        let mut rest = Vec::new();
        if let Some(coll) = &col.collation {
            rest.push(format!("COLLATE {}", coll.split('.').map(quote_ident).collect::<Vec<_>>().join(".")));
        }
        if col.not_null {
            rest.push("NOT NULL".to_string());
        }
        if let Some(d) = &col.default {
            // The canonical text: it is what equality compares.
            rest.push(format!("DEFAULT {}", d.0));
        }
        if !rest.is_empty() {
            options.push(("column rest".to_string(), rest.join(" ")));
        }
        match toks.get(at).map(|t| &t.token) {
            Some(Token::Comma) => at += 1,
            _ => return Ok(at + 1),
        }
    }
}

/// `ALTER FOREIGN TABLE [IF EXISTS] [ONLY] t ALTER [COLUMN] c OPTIONS (...)`
/// (what pg_dump writes after `CREATE FOREIGN TABLE`): the table's id, the
/// column, and its options.
pub fn read_column_options(toks: &[TokenWithSpan], default_schema: &str) -> Result<(ObjectId, String, String), String> {
    let mut at = 3;
    let _ = eat(toks, &mut at, "IF") && eat(toks, &mut at, "EXISTS");
    let _ = eat(toks, &mut at, "ONLY");
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, at).ok_or("expected the foreign table's name")?;
    let table = object_qual_name(&n, default_schema)?;
    at = next;
    if !eat(toks, &mut at, "ALTER") {
        return Err("of ALTER FOREIGN TABLE, only ALTER COLUMN ... OPTIONS (...) is supported".into());
    }
    let _ = eat(toks, &mut at, "COLUMN");
    let column = toks.get(at).and_then(ident_of).ok_or("expected a column's name")?;
    at += 1;
    if word(toks.get(at)).as_deref() != Some("OPTIONS") {
        return Err("of ALTER FOREIGN TABLE, only ALTER COLUMN ... OPTIONS (...) is supported".into());
    }
    let (list, next) = generic_options(toks, at)?;
    end(toks, next)?;
    Ok((ObjectId { kind: GenericKind::ForeignTable, identity: table.sql() }, column, list))
}

/// Sets a foreign table's column options (an `ALTER FOREIGN TABLE ... ALTER
/// COLUMN ... OPTIONS`, as pg_dump writes them): a column given options in
/// both places is an error.
pub fn set_column_options(o: &mut Object, column: &str, list: &str) -> Result<(), String> {
    let head = format!("{} ", quote_ident(column));
    let at = o
        .options
        .iter()
        .position(|(k, v)| k == "column" && v.starts_with(&head))
        .ok_or_else(|| format!("it has no column {column}"))?;
    if o.options.get(at + 1).is_some_and(|(k, _)| k == "column options") {
        return Err(format!("column {column} has OPTIONS already: write them in one place"));
    }
    if !list.is_empty() {
        o.options.insert(at + 1, ("column options".to_string(), list.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::model::Catalog;

    fn catalog(sql: &str) -> Catalog {
        match crate::parse::parse_str("f.sql", sql) {
            Ok(p) => p.catalog,
            Err(e) => panic!("{sql}: {}", e.summary()),
        }
    }

    #[test]
    fn hand_written_catalog_and_pg_dump_forms_agree() {
        let written = catalog(
            "CREATE FOREIGN DATA WRAPPER w VALIDATOR pg_catalog.postgresql_fdw_validator OPTIONS (b 'x', a 'y');
             CREATE SERVER s TYPE 't' FOREIGN DATA WRAPPER w OPTIONS (host 'h');
             CREATE USER MAPPING FOR public SERVER s OPTIONS (USER 'u');
             CREATE FOREIGN TABLE ft (id int OPTIONS (column_name 'x') NOT NULL, n varchar(3) DEFAULT 'a') SERVER s;",
        );
        let printed = catalog(
            "CREATE FOREIGN DATA WRAPPER w VALIDATOR postgresql_fdw_validator OPTIONS (a 'y', b 'x');
             CREATE SERVER s TYPE 't' FOREIGN DATA WRAPPER w OPTIONS (host 'h');
             CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (\"user\" 'u');
             CREATE FOREIGN TABLE public.ft (id integer NOT NULL, n character varying(3) DEFAULT 'a'::character varying)
             SERVER s;
             ALTER FOREIGN TABLE ONLY public.ft ALTER COLUMN id OPTIONS (\n    column_name 'x'\n);",
        );
        assert_eq!(written.objects, printed.objects);
        let ft = written.objects.values().find(|o| o.identity == "public.ft").expect("the foreign table");
        assert_eq!(
            ft.definition(false),
            "CREATE FOREIGN TABLE public.ft (id integer OPTIONS (column_name 'x') NOT NULL, \
             n character varying(3) DEFAULT 'a'::character varying) SERVER s"
        );
        let um = written.objects.values().find(|o| o.identity == "FOR PUBLIC SERVER s").expect("the mapping");
        assert_eq!(um.definition(false), "CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (\"user\" 'u')");
    }

    #[test]
    fn option_values_are_printed_from_their_values() {
        let c = catalog("CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (note E'it\\'s\\n; x');");
        let s = c.objects.values().next().expect("the server");
        let d = s.definition(false);
        assert!(!d.contains('\n'), "{d}");
        assert_eq!(
            d,
            format!(
                "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (note {})",
                crate::canon::quote_literal("it's\n; x")
            )
        );
    }
}
