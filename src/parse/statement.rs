//! Classifies each statement: session noise from pg_dump is accepted and ignored,
//! the supported DDL is parsed with sqlparser, anything else is an error that
//! names the statement and lists what is supported.

use sqlparser::ast::{ObjectName, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token};

use super::diagnostic::SchemaError;
use super::source::At;
use super::source::{blank_meta_commands, rename_hints, SourceFile};
use super::split::{is_keyword, scan, tokenize, Piece, RawStatement, Truncated};
pub use super::stmt::{Skip, Stmt};
use super::table_def::lower;
use super::token_forms::{
    attach_index, clean_drop, constraint_comment, is_drop_if_exists, routine_comment, sequence_owned_by,
    set_statistics, without_only, ClassifyError,
};
use crate::canon::memo::Memo;

/// What the statements supported by pgstate are, for error messages.
pub const SUPPORTED: &str =
    "CREATE SCHEMA, CREATE EXTENSION, CREATE TYPE ... AS ENUM / AS (...) / AS RANGE, CREATE DOMAIN, CREATE SEQUENCE, \
CREATE [UNLOGGED] TABLE, CREATE [UNIQUE] INDEX, CREATE [OR REPLACE] [MATERIALIZED] VIEW, CREATE POLICY, \
ALTER TABLE ... ADD CONSTRAINT / ADD COLUMN / ALTER COLUMN ... SET DEFAULT / SET NOT NULL / ADD GENERATED ... AS IDENTITY \
/ [ENABLE | DISABLE | FORCE | NO FORCE] ROW LEVEL SECURITY / ENABLE / DISABLE TRIGGER, ALTER SEQUENCE ... OWNED BY, \
CREATE [OR REPLACE] FUNCTION / PROCEDURE, CREATE [CONSTRAINT] TRIGGER, COMMENT ON, \
GRANT / REVOKE / ALTER DEFAULT PRIVILEGES (on tables, columns, sequences, schemas, types, functions); \
ALTER TABLE | INDEX ... ALTER COLUMN ... SET STATISTICS; \
ALTER TABLE ... ALTER COLUMN ... SET STORAGE | SET COMPRESSION, CLUSTER ON, REPLICA IDENTITY; \
ignored: SET, RESET, BEGIN, COMMIT, SELECT pg_catalog.set_config(...); skipped with a warning: INSERT, UPDATE, DELETE, \
TRUNCATE, COPY, SELECT setval, DO, ALTER ... OWNER TO, SECURITY LABEL, psql meta-commands, DROP ... IF EXISTS before the CREATE";

/// One warning line per kind of skipped statement, with its count, in order of first appearance.
pub fn skip_warnings(statements: &[Located]) -> Vec<String> {
    let mut counts: Vec<(Skip, usize)> = Vec::new();
    for s in statements {
        if let Stmt::Skipped(k) = &s.stmt {
            match counts.iter_mut().find(|(c, _)| c == k) {
                Some((_, n)) => *n += 1,
                None => counts.push((*k, 1)),
            }
        }
    }
    counts
        .into_iter()
        .map(|(k, n)| {
            let what = if n == 1 { "statement" } else { "statements" };
            format!("skipped {n} {} {what}: {}", k.kind, k.why)
        })
        .collect()
}

/// A statement pgstate understands, located in its file.
pub struct Located {
    /// Index of the file in the input list.
    pub file: usize,
    /// Span of the whole statement.
    pub span: Span,
    /// What it says.
    pub stmt: Stmt,
    /// Rename hints found on the statement's lines: (line, old name).
    pub hints: Vec<(u64, String)>,
    /// Identifiers cut to 63 bytes as PostgreSQL cuts them.
    pub truncated: Vec<Truncated>,
}

/// Reads one file's statements into `out`, errors into `errors`, in file order.
/// Statements are tokenized and parsed on all cores: each stands alone.
pub fn read_file(
    index: usize,
    file: &SourceFile,
    default_schema: &str,
    out: &mut Vec<Located>,
    errors: &mut Vec<SchemaError>,
) {
    let scanned = scan(&file.text);
    let mut blank = scanned.meta_commands.clone();
    blank.extend(scanned.data_blocks.iter().cloned());
    blank.sort_by_key(|r| r.start);
    let text = blank_meta_commands(&file.text, &blank);
    for _ in &scanned.meta_commands {
        out.push(Located {
            file: index,
            span: Span::empty(),
            stmt: Stmt::Skipped(Skip::META_COMMAND),
            hints: Vec::new(),
            truncated: Vec::new(),
        });
    }
    let hints = rename_hints(&text, &scanned.line_comments);
    let pieces = scanned.pieces;
    let results = crate::parallel::map(
        &pieces,
        || Memo::new(default_schema),
        |memo, piece| read_piece(index, file, memo, &text, &hints, piece),
    );
    // A desired file is a script run on an empty database: a `DROP ... IF
    // EXISTS` of what the file has not created yet is a no-op (pg_dump
    // --clean's preamble); of a view it created (pg_dump's placeholder views
    // in that preamble), it removes it; of a table or index it created, it
    // is refused, as an end state written that way is no state.
    let first = out.len();
    let qual = |n: &ObjectName| super::names::object_qual_name(n, default_schema).ok();
    for result in results {
        match result {
            Ok(Some(mut located)) => {
                if let Stmt::Drop { view, name } = &located.stmt {
                    let target = name.as_ref().and_then(qual);
                    let earlier = out[first..].iter().position(|s: &Located| match &s.stmt {
                        Stmt::View(def) => qual(&def.name) == target,
                        Stmt::Table(def) => !*view && def.name.as_ref().ok() == target.as_ref(),
                        _ => false,
                    });
                    match earlier {
                        Some(i) if matches!(out[first + i].stmt, Stmt::View(_)) => {
                            out.remove(first + i);
                        }
                        Some(_) => {
                            errors.push(SchemaError::new(
                                file,
                                file.span(located.span),
                                "DROP of a table the file created before: a desired file describes the end state",
                                "here",
                            ));
                            continue;
                        }
                        None => {}
                    }
                    located.stmt = Stmt::Skipped(Skip::CLEAN);
                }
                out.push(located)
            }
            Ok(None) => {}
            Err(e) => errors.push(*e),
        }
    }
}

fn read_piece(
    index: usize,
    file: &SourceFile,
    memo: &mut Memo<'_>,
    text: &str,
    hints: &[(u64, String)],
    piece: &Piece,
) -> Result<Option<Located>, Box<SchemaError>> {
    let mut raw = match tokenize(text, piece) {
        Ok(Some(raw)) => raw,
        Ok(None) => return Ok(None),
        Err((message, loc)) => {
            let at = file.offset(loc);
            return Err(Box::new(SchemaError::new(file, (at, 1).into(), format!("syntax error: {message}"), "here")));
        }
    };
    let span = raw.span();
    let stmt_hints: Vec<(u64, String)> =
        hints.iter().filter(|(line, _)| *line >= span.start.line && *line <= span.end.line).cloned().collect();
    let truncated = std::mem::take(&mut raw.truncated);
    match classify(raw, memo.default_schema(), text, file) {
        Ok(Some(stmt)) => {
            let stmt = narrow(stmt, At { file: index, span }, memo);
            Ok(Some(Located { file: index, span, stmt, hints: stmt_hints, truncated }))
        }
        Ok(None) => Ok(None),
        Err((message, err_span, help)) => {
            let mut e = SchemaError::new(file, file.span(err_span), message, "here");
            if let Some(help) = help {
                e = e.with_help(help);
            }
            Err(Box::new(e))
        }
    }
}

/// The bulk statements leave the 3.5 KB `Statement` enum for their own,
/// smaller forms; a table is lowered at once (see `table_def`).
fn narrow(stmt: Stmt, at: At, memo: &mut Memo<'_>) -> Stmt {
    if let Stmt::TableWithClauses(boxed, key, like) = stmt {
        let Statement::CreateTable(ct) = *boxed else { return Stmt::Sql(boxed) };
        let mut def = lower(&ct, at, memo);
        def.partition_by = key;
        def.like = like;
        return Stmt::Table(Box::new(def));
    }
    let Stmt::Sql(boxed) = stmt else { return stmt };
    match *boxed {
        Statement::CreateTable(ct) => Stmt::Table(Box::new(lower(&ct, at, memo))),
        Statement::CreateIndex(ci) => Stmt::Index(Box::new(super::index_def::lower(ci, memo.default_schema()))),
        Statement::AlterTable(alter) => Stmt::Alter(Box::new(alter)),
        other => Stmt::Sql(Box::new(other)),
    }
}

/// `text` and `file` are the statement's file, from which a view query
/// sqlparser cannot read is kept as written.
///
/// Long because it is the one table of statement heads pgstate reads or skips.
fn classify(
    raw: RawStatement,
    default_schema: &str,
    text: &str,
    file: &SourceFile,
) -> Result<Option<Stmt>, ClassifyError> {
    // Only the first and last few words are needed: copying every word of
    // every statement was a tenth of the parse time at scale.
    let words = raw.head(4);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let span = raw.span();
    if super::view::is_view(&w) {
        return super::view::read(raw, text, file, default_schema, |tokens| {
            parse_tokens(tokens).map_err(|e| (e.0, e.1))
        })
        .map(|def| Some(Stmt::View(Box::new(def))))
        .map_err(|(m, s)| (m, s, None));
    }
    // Session settings do not change the desired schema.
    let skip = |k: Skip| Ok(Some(Stmt::Skipped(k)));
    if w.starts_with(&["ALTER", "TABLE"]) {
        if let Some(edit) = super::object_edit::read_rule_enable(&raw.tokens, default_schema) {
            return edit.map(|(id, e)| Some(Stmt::ObjectEdit(id, e))).map_err(|m| (m, span, None));
        }
        if let Some(stmt) = super::table_attrs::table_attr(&raw) {
            return Ok(Some(stmt));
        }
    }
    match w.as_slice() {
        ["INSERT", ..] => return skip(Skip::INSERT),
        ["UPDATE", ..] => return skip(Skip::UPDATE),
        ["DELETE", ..] => return skip(Skip::DELETE),
        ["TRUNCATE", ..] => return skip(Skip::TRUNCATE),
        ["COPY", ..] => return skip(Skip::COPY),
        ["SELECT", ..] if raw.has_word("setval") => return skip(Skip::SETVAL),
        ["DO", ..] => return skip(Skip::DO),
        ["SECURITY", "LABEL", ..] => return skip(Skip::SECURITY_LABEL),
        ["DROP", ..] if is_drop_if_exists(&raw) => return Ok(Some(clean_drop(&raw))),
        ["ALTER", "TABLE", "IF", "EXISTS"] if raw.has_word("DROP") => return Ok(Some(clean_drop(&raw))),
        ["ALTER", "TABLE" | "INDEX", ..] if raw.has_word("STATISTICS") && raw.has_word("SET") => {
            return set_statistics(&raw).map(Some).map_err(with_supported)
        }
        ["SET" | "RESET", ..] => return Ok(None),
        // Transaction control frames a script (a plan runs as transactions); it changes no schema.
        ["BEGIN" | "COMMIT" | "END"]
        | ["BEGIN" | "COMMIT" | "END", "TRANSACTION" | "WORK"]
        | ["START", "TRANSACTION", ..] => return Ok(None),
        ["SELECT", ..] if raw.has_word("set_config") => return Ok(None),
        ["ALTER", ..]
            if raw.tail(3).first().map(String::as_str) == Some("OWNER")
                && raw.tail(2).first().map(String::as_str) == Some("TO") =>
        {
            return skip(Skip::OWNER)
        }
        // An extension's comment belongs to the extension's own script.
        ["COMMENT", "ON", "EXTENSION", ..] => return Ok(None),
        // Filling a materialized view is data, not schema.
        ["REFRESH", "MATERIALIZED", "VIEW", ..] => return Ok(None),
        ["ALTER", "SEQUENCE", ..] => return sequence_owned_by(&raw).map(Some).map_err(with_supported),
        ["COMMENT", "ON", "CONSTRAINT", ..] => return constraint_comment(&raw, false).map(Some),
        ["COMMENT", "ON", "POLICY", ..] => return constraint_comment(&raw, true).map(Some),
        ["COMMENT", "ON", "FUNCTION" | "PROCEDURE" | "ROUTINE" | "TRIGGER", ..] => {
            return routine_comment(raw, default_schema).map(Some)
        }
        ["CREATE", "FUNCTION" | "PROCEDURE", ..] | ["CREATE", "OR", "REPLACE", "FUNCTION" | "PROCEDURE"] => {
            let replace = w.get(1) == Some(&"OR");
            return match super::routine::read_routine(raw.tokens, default_schema) {
                Ok(r) => Ok(Some(Stmt::Routine(Box::new(r), replace))),
                Err((m, s)) => Err((m, if s == Span::empty() { span } else { s }, None)),
            };
        }
        ["CREATE", "TRIGGER" | "CONSTRAINT", ..] | ["CREATE", "OR", "REPLACE", "TRIGGER"] => {
            let replace = w.get(1) == Some(&"OR");
            let (tokens, args) = super::trigger::split_trigger_args(raw.tokens).map_err(|(m, s)| (m, s, None))?;
            let stmt = parse_tokens(tokens)?;
            return match super::trigger::lower_trigger(&stmt, args, default_schema) {
                Ok(t) => Ok(Some(Stmt::Trigger(Box::new(t), replace))),
                Err(m) => Err((m, span, None)),
            };
        }
        ["CREATE", "OR", "REPLACE", kind @ ..] | ["CREATE", "DEFAULT", kind @ ..] | ["CREATE", kind @ ..]
            if crate::model::GenericKind::from_words(kind).is_some() =>
        {
            return match super::object::read_create(&raw.tokens, default_schema) {
                Ok((o, replace)) => Ok(Some(Stmt::Object(Box::new(o), replace))),
                Err((m, s)) => Err((m, if s == Span::empty() { span } else { s }, None)),
            };
        }
        ["ALTER", "FOREIGN", "TABLE", ..] => {
            return match super::foreign::read_column_options(&raw.tokens, default_schema) {
                Ok((id, column, options)) => Ok(Some(Stmt::ForeignColumnOptions(id, column, options))),
                Err(m) => Err((m, span, None)),
            };
        }
        ["ALTER", "TEXT", "SEARCH", "CONFIGURATION"] => {
            return match super::ts_mapping::read_mapping(&raw.tokens, default_schema) {
                Ok((id, edit)) => Ok(Some(Stmt::ObjectMapping(id, edit))),
                Err((m, s)) => Err((m, if s == Span::empty() { span } else { s }, None)),
            };
        }
        ["ALTER", "OPERATOR", "FAMILY", ..] | ["ALTER", "PUBLICATION", ..] => {
            return super::object_edit::read(&raw.tokens, &w, default_schema)
                .map(|(id, e)| Some(Stmt::ObjectEdit(id, e)))
                .map_err(|m| (m, span, None));
        }
        ["COMMENT", "ON", ..] if crate::model::GenericKind::from_words(&raw.head(6)[2..]).is_some() => {
            return match super::object::read_comment(&raw.tokens, default_schema) {
                Ok((id, text)) => Ok(Some(Stmt::ObjectComment(id, text))),
                Err((m, s)) => Err((m, if s == Span::empty() { span } else { s }, None)),
            };
        }
        _ if super::object_alter::is_object_alter(&w) => {
            return match super::object_alter::read(&raw.tokens, default_schema) {
                Ok((id, edit)) => Ok(Some(Stmt::ObjectOption(id, edit))),
                Err((m, s)) => Err((m, if s == Span::empty() { span } else { s }, None)),
            };
        }
        ["ALTER", "INDEX", ..] if raw.has_word("ATTACH") => {
            return attach_index(&raw).map(Some).map_err(with_supported)
        }
        ["CREATE", "INDEX", ..] | ["CREATE", "UNIQUE", "INDEX", ..] if raw.has_word("ONLY") => {
            return match parse_tokens(without_only(raw.tokens))? {
                Statement::CreateIndex(ci) => {
                    Ok(Some(Stmt::Index(Box::new(super::index_def::lower(ci, default_schema)))))
                }
                _ => Err(("syntax error: expected CREATE INDEX".to_string(), span, None)),
            };
        }
        ["GRANT" | "REVOKE", ..] | ["ALTER", "DEFAULT", "PRIVILEGES", ..] => {
            return Ok(super::grants::read(&raw)?.map(|g| Stmt::Grant(Box::new(g))))
        }
        ["CREATE", "DOMAIN", ..] => {
            let (tokens, not_null) = domain_nullability(raw.tokens);
            return match parse_tokens(tokens)? {
                Statement::CreateDomain(def) => Ok(Some(Stmt::Domain { def: Box::new(def), not_null })),
                _ => Err(("syntax error: expected CREATE DOMAIN".to_string(), span, None)),
            };
        }
        _ => {}
    }
    let mut tokens = strip_identity_sequence_name(raw);
    if w.get(1) == Some(&"TABLE") || (w.first() == Some(&"CREATE") && w.contains(&"TABLE")) {
        tokens = super::key_options::take(tokens);
    }
    let mut partition_by = None;
    let mut like = Vec::new();
    if w.first() == Some(&"CREATE") && w.contains(&"TABLE") {
        (tokens, partition_by) = super::partition_by::take(tokens, default_schema);
        let read;
        (tokens, read) = super::like::take(tokens);
        like = read.map_err(|(m, s)| (m, s, None))?;
    }
    let stmt = parse_tokens(tokens)?;
    if let (true, Statement::CreateTable(_)) = (partition_by.is_some() || !like.is_empty(), &stmt) {
        return Ok(Some(Stmt::TableWithClauses(Box::new(stmt), partition_by, like)));
    }
    match &stmt {
        Statement::CreateSchema { .. }
        | Statement::CreateExtension(_)
        | Statement::CreateType { .. }
        | Statement::CreateSequence { .. }
        | Statement::CreateTable(_)
        | Statement::CreateIndex(_)
        | Statement::AlterTable(_)
        | Statement::CreatePolicy(_)
        | Statement::Comment { .. } => Ok(Some(Stmt::Sql(Box::new(stmt)))),
        other => Err((format!("unsupported statement: {}", statement_kind(other, &words)), span, Some(supported()))),
    }
}

/// An error without help gets the list of what pgstate reads.
fn with_supported((message, span, help): ClassifyError) -> ClassifyError {
    (message, span, help.or_else(|| Some(supported())))
}

/// What pgstate reads, the generic kinds included, for an error's help.
fn supported() -> String {
    let kinds: Vec<&str> = crate::model::GenericKind::ALL.iter().map(|k| k.spec().keyword).collect();
    format!("pgstate reads: {SUPPORTED}; CREATE {}", kinds.join(" / "))
}

/// A short name for a statement, e.g. `CREATE VIEW`.
fn statement_kind(_stmt: &Statement, words: &[String]) -> String {
    let take = match words.first().map(String::as_str) {
        Some("CREATE" | "ALTER" | "DROP") => {
            let n = if matches!(
                words.get(1).map(String::as_str),
                Some("OR" | "UNIQUE" | "MATERIALIZED" | "UNLOGGED" | "TEMP" | "TEMPORARY")
            ) {
                if words.get(1).map(String::as_str) == Some("OR") {
                    4
                } else {
                    3
                }
            } else {
                2
            };
            n.min(words.len())
        }
        _ => 1.min(words.len()),
    };
    words[..take].join(" ")
}

fn parse_tokens(tokens: Vec<sqlparser::tokenizer::TokenWithSpan>) -> Result<Statement, ClassifyError> {
    let tokens = unqualify_array_comparisons(expand_variadic(tokens));
    let dialect = PostgreSqlDialect {};
    let whole = Span::union_iter(tokens.iter().map(|t| t.span));
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let stmt = parser.parse_statement().map_err(|e| {
        let message = e.to_string();
        let span = error_span(&parser, strip_location(&message));
        let span = if span == Span::empty() { whole } else { span };
        (format!("syntax error: {}", strip_location(&message)), span, None)
    })?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err((format!("syntax error: unexpected {}", next.token), next.span, None));
    }
    Ok(stmt)
}

/// Where a parse error points: the token its message says was found. Some of
/// sqlparser's errors are raised before that token is consumed (it is the
/// next one), others after (it is the current one); the next one is the
/// fallback when the message names neither.
fn error_span(parser: &Parser, message: &str) -> Span {
    let next = parser.peek_token_ref();
    let Some((_, found)) = message.rsplit_once(", found: ") else { return next.span };
    let current = parser.get_current_token();
    if next.to_string() != found && current.to_string() == found {
        current.span
    } else {
        next.span
    }
}

/// `x OPERATOR(s.=) ANY (array)` is read as `x = ANY (array)`: PostgreSQL
/// prints a comparison with an operator outside pg_catalog (citext's `=`, in
/// a check `email IN ('a', 'b')`) qualified when the search_path is empty, as
/// pgstate's catalog reads and pg_dump's have it, and sqlparser reads only
/// the plain comparison operators before `ANY`/`ALL`/`SOME`. Operator
/// resolution finds the same operator unqualified wherever the extension's
/// schema is on the search_path (PostgreSQL then stores, and prints, the
/// qualified form again), and both sides of a comparison are read this way.
fn unqualify_array_comparisons(
    tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
) -> Vec<sqlparser::tokenizer::TokenWithSpan> {
    if !tokens.iter().any(|t| is_keyword(t, Keyword::OPERATOR)) {
        return tokens;
    }
    let next = |from: usize| next_significant(&tokens, from);
    let mut skip = vec![false; tokens.len()];
    for i in 0..tokens.len() {
        if !is_keyword(&tokens[i], Keyword::OPERATOR) {
            continue;
        }
        // OPERATOR ( schema . op ) ANY|ALL|SOME
        let Some(open) = next(i + 1).filter(|&o| tokens[o].token == Token::LParen) else { continue };
        let Some(schema) = next(open + 1).filter(|&n| matches!(tokens[n].token, Token::Word(_))) else { continue };
        let Some(dot) = next(schema + 1).filter(|&d| tokens[d].token == Token::Period) else { continue };
        let Some(op) = next(dot + 1).filter(|&o| {
            matches!(tokens[o].token, Token::Eq | Token::Neq | Token::Lt | Token::Gt | Token::LtEq | Token::GtEq)
        }) else {
            continue;
        };
        let Some(close) = next(op + 1).filter(|&c| tokens[c].token == Token::RParen) else { continue };
        let quantified = next(close + 1).is_some_and(|q| {
            is_keyword(&tokens[q], Keyword::ANY)
                || is_keyword(&tokens[q], Keyword::ALL)
                || is_keyword(&tokens[q], Keyword::SOME)
        });
        if quantified {
            for k in (i..=close).filter(|&k| k != op) {
                skip[k] = true;
            }
        }
    }
    without_marked(tokens, &skip)
}

/// `f(a, VARIADIC ARRAY[x, y])` is the call `f(a, x, y)`: PostgreSQL prints a
/// variadic call that way, sqlparser does not read `VARIADIC` in a call, and
/// the expanded form is what people write.
fn expand_variadic(tokens: Vec<sqlparser::tokenizer::TokenWithSpan>) -> Vec<sqlparser::tokenizer::TokenWithSpan> {
    if !tokens.iter().any(|t| is_keyword(t, Keyword::VARIADIC)) {
        return tokens;
    }
    let next = |from: usize| next_significant(&tokens, from);
    let mut skip = vec![false; tokens.len()];
    for i in 0..tokens.len() {
        if !is_keyword(&tokens[i], Keyword::VARIADIC) {
            continue;
        }
        let Some(a) = next(i + 1).filter(|&a| is_keyword(&tokens[a], Keyword::ARRAY)) else { continue };
        let Some(open) = next(a + 1).filter(|&o| tokens[o].token == Token::LBracket) else { continue };
        let mut depth = 0usize;
        let close = (open..tokens.len()).find(|&j| {
            match tokens[j].token {
                Token::LBracket => depth += 1,
                Token::RBracket => depth -= 1,
                _ => {}
            }
            depth == 0
        });
        if let Some(close) = close {
            for k in [i, a, open, close] {
                skip[k] = true;
            }
        }
    }
    without_marked(tokens, &skip)
}

/// The first token at or after `from` that is not whitespace.
fn next_significant(tokens: &[sqlparser::tokenizer::TokenWithSpan], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
}

/// `tokens` without those `skip` marks.
fn without_marked(
    tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
    skip: &[bool],
) -> Vec<sqlparser::tokenizer::TokenWithSpan> {
    tokens.into_iter().zip(skip).filter(|(_, s)| !**s).map(|(t, _)| t).collect()
}

/// sqlparser appends " at Line: x, Column: y" to its messages; the report shows that already.
fn strip_location(message: &str) -> &str {
    let message = message.strip_prefix("sql parser error: ").unwrap_or(message);
    match message.find(" at Line: ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// Takes `[CONSTRAINT name] NOT NULL` and `[CONSTRAINT name] NULL` out of a
/// `CREATE DOMAIN` (outside parentheses), which sqlparser does not accept
/// there; returns the rest and whether NOT NULL was said (the last word wins,
/// as in PostgreSQL).
fn domain_nullability(
    tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
) -> (Vec<sqlparser::tokenizer::TokenWithSpan>, bool) {
    let mut out: Vec<sqlparser::tokenizer::TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut not_null = false;
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 {
            let null_at = if is_keyword(&tokens[i], Keyword::NOT)
                && tokens.get(i + 1).is_some_and(|t| is_keyword(t, Keyword::NULL))
            {
                Some((i + 2, true))
            } else if is_keyword(&tokens[i], Keyword::NULL)
                && !out.last().is_some_and(|t| is_keyword(t, Keyword::DEFAULT))
            {
                Some((i + 1, false))
            } else {
                None
            };
            if let Some((next, value)) = null_at {
                // A name given to it (`CONSTRAINT nn NOT NULL`) goes too.
                let n = out.len();
                if n >= 2 && is_keyword(&out[n - 2], Keyword::CONSTRAINT) {
                    out.truncate(n - 2);
                }
                not_null = value;
                i = next;
                continue;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    (out, not_null)
}

/// pg_dump writes `ADD GENERATED ... AS IDENTITY (SEQUENCE NAME s START WITH ...)`;
/// the implicit sequence's name is PostgreSQL's choice, so it is dropped here.
fn strip_identity_sequence_name(raw: RawStatement) -> Vec<sqlparser::tokenizer::TokenWithSpan> {
    let named = raw.tokens.windows(2).any(|p| is_keyword(&p[0], Keyword::SEQUENCE) && is_keyword(&p[1], Keyword::NAME));
    if !named {
        return raw.tokens;
    }
    let mut out = Vec::with_capacity(raw.tokens.len());
    let mut i = 0;
    let toks = &raw.tokens;
    while i < toks.len() {
        if is_keyword(&toks[i], Keyword::SEQUENCE) {
            let next = toks[i + 1..].iter().position(|t| !matches!(t.token, Token::Whitespace(_))).map(|p| p + i + 1);
            if let Some(n) = next.filter(|&n| is_keyword(&toks[n], Keyword::NAME)) {
                // Skip SEQUENCE NAME and the (possibly qualified) name that follows.
                let mut j = n + 1;
                let mut expect_name = true;
                while j < toks.len() {
                    match &toks[j].token {
                        Token::Whitespace(_) => {}
                        Token::Word(_) if expect_name => expect_name = false,
                        Token::Period if !expect_name => expect_name = true,
                        _ => break,
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}
