//! `CREATE [OR REPLACE] [MATERIALIZED] VIEW`, lowered on the thread that parsed it.
//!
//! sqlparser reads the statement except its trailing `WITH [NO] DATA` and
//! `WITH [CASCADED | LOCAL] CHECK OPTION`, which are taken off first. A query
//! sqlparser cannot read is kept as written (PostgreSQL judges it when the
//! plan runs), with what only the parse would tell (outputs, references) left
//! unknown.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    CreateTableOptions, Expr as SqlExpr, ObjectName, Query, SelectItem, SetExpr, SqlOption, Statement, Visit, Visitor,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use super::names::object_qual_name;
use super::source::SourceFile;
use super::split::{is_keyword, RawStatement};
use crate::canon::body::body_key;
use crate::canon::ident::fold;
use crate::canon::view::query_key;
use crate::model::{Output, QualName};

/// What the builder needs of a view definition.
pub struct ViewDef {
    /// The name as written.
    pub name: ObjectName,
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// `OR REPLACE`.
    pub or_replace: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `TEMPORARY`, which a desired schema cannot hold.
    pub temporary: bool,
    /// The column list, folded.
    pub columns: Vec<String>,
    /// The query as SQL.
    pub query: String,
    /// Its canonical key.
    pub query_key: String,
    /// Options, sorted by name.
    pub options: Vec<(String, String)>,
    /// `WITH DATA` (the default) or `WITH NO DATA`.
    pub with_data: bool,
    /// Output columns, when the query was read.
    pub outputs: Vec<Output>,
    /// What the query names.
    pub refs: Refs,
}

/// The names a query uses, resolved against the default schema.
#[derive(Default)]
pub struct Refs {
    /// Relations in `FROM` and `JOIN` (and CTE names, which resolve to nothing).
    pub relations: BTreeSet<QualName>,
    /// Functions called.
    pub routines: BTreeSet<QualName>,
    /// Every identifier that may be a column (last parts of compound names), folded.
    pub names: BTreeSet<String>,
    /// `*` or `t.*` somewhere: every column of the relations is read.
    pub wildcard: bool,
}

/// Whether the leading words start a view definition.
pub fn is_view(words: &[&str]) -> bool {
    let rest = match words {
        ["CREATE", "OR", "REPLACE", rest @ ..] => rest,
        ["CREATE", rest @ ..] => rest,
        _ => return false,
    };
    matches!(rest, ["VIEW", ..] | ["MATERIALIZED", "VIEW", ..] | ["MATERIALIZED"])
}

type Failure = (String, Span);

/// Reads a view definition. `text` is the file's text (for a query kept as written).
pub fn read(
    raw: RawStatement,
    text: &str,
    file: &SourceFile,
    default_schema: &str,
    parse: impl Fn(Vec<TokenWithSpan>) -> Result<Statement, Failure>,
) -> Result<ViewDef, Failure> {
    let span = raw.span();
    let (tokens, tail) = strip_tail(raw.tokens);
    let Some(as_at) = top_level_as(&tokens) else {
        return Err(("syntax error: expected AS before the view's query".into(), span));
    };
    let (statement, raw_query) = match parse(tokens.clone()) {
        Ok(s) => (s, None),
        Err(first) => {
            // The header alone, with a stand-in query: the real one is kept as written.
            let mut header: Vec<TokenWithSpan> = tokens[..=as_at].to_vec();
            header.push(TokenWithSpan::wrap(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space)));
            header.push(TokenWithSpan::wrap(Token::make_keyword("SELECT")));
            header.push(TokenWithSpan::wrap(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space)));
            header.push(TokenWithSpan::wrap(Token::Number("1".into(), false)));
            let Ok(s) = parse(header) else { return Err(first) };
            let start = tokens.get(as_at + 1).map(|t| file.offset(t.span.start));
            let end = tokens.iter().rev().find(|t| !matches!(t.token, Token::Whitespace(_)));
            // Literals and quoted names printed again from their values: the
            // text is the user's, but what pgstate writes is quoted by pgstate.
            let query = match (start, end) {
                (Some(a), Some(e)) => {
                    let b = file.offset(e.span.end);
                    let spans = tokens[as_at + 1..].iter().map(|t| {
                        (
                            file.offset(t.span.start).saturating_sub(a)..file.offset(t.span.end).saturating_sub(a),
                            &t.token,
                        )
                    });
                    text.get(a..b).map(|q| crate::quote::ast::respell(q, spans)).unwrap_or_default().trim().to_string()
                }
                _ => String::new(),
            };
            if query.is_empty() {
                return Err(first);
            }
            (s, Some(query))
        }
    };
    let Statement::CreateView(cv) = statement else {
        return Err(("syntax error: expected CREATE VIEW".into(), span));
    };
    let mut options = match &cv.options {
        CreateTableOptions::None => Vec::new(),
        CreateTableOptions::With(opts) => view_options(opts).map_err(|m| (m, span))?,
        other => return Err((format!("unsupported view options: {other}"), span)),
    };
    if let Some(check) = tail.check_option {
        options.retain(|(k, _)| k != "check_option");
        options.push(("check_option".into(), check.into()));
    }
    let columns: Vec<String> = cv.columns.iter().map(|c| fold(&c.name)).collect();
    let (query, key, outputs, refs) = match raw_query {
        Some(q) => {
            // Kept as written: compared as a routine body is, whitespace aside.
            let key = body_key(&q);
            (q, key, Vec::new(), Refs::default())
        }
        None => {
            let mut outputs = outputs(&cv.query);
            for (o, c) in outputs.iter_mut().zip(&columns) {
                o.name = Some(c.clone());
            }
            (crate::quote::ast::sql(&*cv.query), query_key(&cv.query), outputs, refs(&cv.query, default_schema))
        }
    };
    Ok(ViewDef {
        name: cv.name.clone(),
        materialized: cv.materialized,
        or_replace: cv.or_replace,
        if_not_exists: cv.if_not_exists,
        temporary: cv.temporary,
        columns,
        query,
        query_key: key,
        options,
        with_data: tail.with_data,
        outputs,
        refs,
    })
}

/// What the trailing clauses said.
struct Tail {
    with_data: bool,
    check_option: Option<&'static str>,
}

/// Takes `WITH [NO] DATA` and `WITH [CASCADED | LOCAL] CHECK OPTION` off the end.
fn strip_tail(mut tokens: Vec<TokenWithSpan>) -> (Vec<TokenWithSpan>, Tail) {
    let mut tail = Tail { with_data: true, check_option: None };
    let significant: Vec<usize> =
        tokens.iter().enumerate().filter(|(_, t)| !matches!(t.token, Token::Whitespace(_))).map(|(i, _)| i).collect();
    let kw = |back: usize, k: Keyword| {
        significant.len() > back && is_keyword(&tokens[significant[significant.len() - 1 - back]], k)
    };
    let cut = if kw(0, Keyword::DATA) && kw(1, Keyword::NO) && kw(2, Keyword::WITH) {
        tail.with_data = false;
        Some(3)
    } else if kw(0, Keyword::DATA) && kw(1, Keyword::WITH) {
        Some(2)
    } else if kw(0, Keyword::OPTION) && kw(1, Keyword::CHECK) {
        if kw(2, Keyword::WITH) {
            tail.check_option = Some("cascaded");
            Some(3)
        } else if kw(3, Keyword::WITH) && (kw(2, Keyword::CASCADED) || kw(2, Keyword::LOCAL)) {
            tail.check_option = Some(if kw(2, Keyword::LOCAL) { "local" } else { "cascaded" });
            Some(4)
        } else {
            None
        }
    } else {
        None
    };
    if let Some(n) = cut {
        tokens.truncate(significant[significant.len() - n]);
    }
    (tokens, tail)
}

/// The `AS` that starts the query: the first at parenthesis depth zero.
fn top_level_as(tokens: &[TokenWithSpan]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && is_keyword(t, Keyword::AS) => return Some(i),
            _ => {}
        }
    }
    None
}

/// `WITH (security_barrier = true, check_option = local)` (also a table's
/// storage parameters, `WITH (fillfactor = '50')`): names folded,
/// values as PostgreSQL keeps them (text as written, `true` when omitted).
pub(super) fn view_options(opts: &[SqlOption]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for o in opts {
        match o {
            SqlOption::KeyValue { key, value } => {
                let value = match value {
                    SqlExpr::Value(v) => match &v.value {
                        sqlparser::ast::Value::SingleQuotedString(s) => s.clone(),
                        sqlparser::ast::Value::Boolean(b) => b.to_string(),
                        other => other.to_string(),
                    },
                    SqlExpr::Identifier(i) => i.value.to_lowercase(),
                    other => other.to_string(),
                };
                out.push((option_name(key), value));
            }
            SqlOption::Ident(key) => out.push((option_name(key), "true".into())),
            other => return Err(format!("unsupported view option: {other}")),
        }
    }
    Ok(out)
}

fn option_name(key: &ObjectName) -> String {
    key.0.iter().filter_map(|p| p.as_ident()).map(fold).collect::<Vec<_>>().join(".")
}

/// The output columns of a query: those of its first `SELECT`.
fn outputs(query: &Query) -> Vec<Output> {
    let mut body = query.body.as_ref();
    loop {
        match body {
            SetExpr::SetOperation { left, .. } => body = left,
            SetExpr::Query(q) => body = q.body.as_ref(),
            _ => break,
        }
    }
    let SetExpr::Select(select) = body else { return Vec::new() };
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) => Output { name: column_name(e), expr: crate::quote::ast::sql(e) },
            SelectItem::ExprWithAlias { expr, alias } => {
                Output { name: Some(fold(alias)), expr: crate::quote::ast::sql(expr) }
            }
            other => Output { name: None, expr: crate::quote::ast::sql(other) },
        })
        .collect()
}

/// The name PostgreSQL gives an unaliased output column, where it is plain.
fn column_name(e: &SqlExpr) -> Option<String> {
    match e {
        SqlExpr::Identifier(i) => Some(fold(i)),
        SqlExpr::CompoundIdentifier(parts) => parts.last().map(fold),
        _ => None,
    }
}

/// Relations, functions and names a query uses.
pub fn refs(query: &Query, default_schema: &str) -> Refs {
    struct Collect<'a> {
        refs: Refs,
        default_schema: &'a str,
    }
    impl Visitor for Collect<'_> {
        type Break = ();
        fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
            if let Ok(q) = object_qual_name(relation, self.default_schema) {
                self.refs.relations.insert(q);
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_select(&mut self, select: &sqlparser::ast::Select) -> ControlFlow<()> {
            if select
                .projection
                .iter()
                .any(|i| matches!(i, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)))
            {
                self.refs.wildcard = true;
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &SqlExpr) -> ControlFlow<()> {
            match expr {
                SqlExpr::Identifier(i) => {
                    self.refs.names.insert(fold(i));
                }
                SqlExpr::CompoundIdentifier(parts) => {
                    if let Some(last) = parts.last() {
                        self.refs.names.insert(fold(last));
                    }
                }
                SqlExpr::Function(f) => {
                    if let Ok(q) = object_qual_name(&f.name, self.default_schema) {
                        self.refs.routines.insert(q);
                    }
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut c = Collect { refs: Refs::default(), default_schema };
    let _ = query.visit(&mut c);
    c.refs
}
