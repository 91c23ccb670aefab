//! Reads `CREATE` and `DROP` of the generic kinds (`model::object`): the
//! name as the kind's `Signature` writes it, then `( option [= value], ... )`
//! put in canonical form by each option's `Value` class, in the spec's order,
//! defaults left out. pg_dump's text, a hand-written one and the catalog's
//! (`introspect`, which prints the same statement) meet in that form.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use super::names::{object_qual_name, operator_name, operator_sql, read_name};
use super::routine::{routine_type, signature};
use crate::canon::ident::fold;
use crate::canon::quote_ident;
use crate::canon::quote_literal;
use crate::model::{Catalog, Dep, GenericKind, Object, ObjectId, QualName, Signature, Value};

/// An error and where.
pub type ReadError = (String, Span);

pub(super) struct Cursor<'t> {
    pub(super) toks: &'t [TokenWithSpan],
    pub(super) at: usize,
}

impl<'t> Cursor<'t> {
    pub(super) fn peek(&self) -> Option<&'t TokenWithSpan> {
        self.toks.get(self.at)
    }

    pub(super) fn word(&self) -> Option<String> {
        match self.peek().map(|t| &t.token) {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

    pub(super) fn eat(&mut self, word: &str) -> bool {
        if self.word().as_deref() == Some(word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn eat_token(&mut self, t: &Token) -> bool {
        if self.peek().is_some_and(|x| &x.token == t) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn err(&self, m: impl Into<String>) -> ReadError {
        let span = self.peek().or(self.toks.last()).map_or(Span::empty(), |t| t.span);
        (m.into(), span)
    }

    /// The tokens up to the next top-level `,` or `)`.
    fn until_separator(&mut self) -> &'t [TokenWithSpan] {
        let start = self.at;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => break,
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => break,
                _ => {}
            }
            self.at += 1;
        }
        &self.toks[start..self.at]
    }
}

/// An option name as PostgreSQL keeps it: folded like an identifier.
fn fold_key(t: Option<&TokenWithSpan>) -> String {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) => {
            fold(&sqlparser::ast::Ident { value: w.value.clone(), quote_style: w.quote_style, span: Span::empty() })
        }
        _ => String::new(),
    }
}

/// The kind whose keyword starts at the cursor; moves past it.
pub(super) fn kind_at(c: &mut Cursor) -> Result<GenericKind, ReadError> {
    let words: Vec<String> = c.toks[c.at..]
        .iter()
        .take(3)
        .map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
            _ => String::new(),
        })
        .collect();
    let kind = GenericKind::from_words(&words).ok_or_else(|| c.err("expected an object kind"))?;
    c.at += kind.keyword_words();
    Ok(kind)
}

/// Reads `CREATE [OR REPLACE] <kind> ...` (`toks` without whitespace):
/// the object and whether `OR REPLACE` was said.
///
/// One pass over the generic kinds' `CREATE` grammar (the name form, then the option
/// list or the kind's own clause).
pub fn read_create(toks: &[TokenWithSpan], default_schema: &str) -> Result<(Object, bool), ReadError> {
    let mut c = Cursor { toks, at: 1 };
    let replace = c.eat("OR") && c.eat("REPLACE");
    let default = c.eat("DEFAULT");
    let kind = kind_at(&mut c)?;
    if default && kind != GenericKind::Conversion {
        return Err(c.err("CREATE DEFAULT is said only of a conversion"));
    }
    let keyword = kind.spec().keyword;
    let spec = kind.spec();
    if replace && spec.replace_keeps.is_none() {
        return Err(c.err(format!("CREATE OR REPLACE {keyword} does not exist")));
    }
    if c.eat("IF") && !(c.eat("NOT") && c.eat("EXISTS")) {
        return Err(c.err("expected IF NOT EXISTS"));
    }
    let (name, args) = match spec.signature {
        Signature::Statistics => {
            return super::statistics::read_create(toks, c.at, default_schema)
                .map(|o| (o, replace))
                .map_err(|m| c.err(m))
        }
        Signature::EventTrigger => {
            return super::event_trigger::read_create(toks, c.at, default_schema)
                .map(|o| (o, replace))
                .map_err(|m| c.err(m))
        }
        Signature::Cast => {
            return super::cast::read_create(toks, c.at, default_schema).map(|o| (o, replace)).map_err(|m| c.err(m))
        }
        Signature::Using => {
            return super::op_class::read_create(toks, c.at, kind, default_schema)
                .map(|o| (o, replace))
                .map_err(|m| c.err(m))
        }
        Signature::Rule => {
            return super::rule::read_create(toks, c.at, default_schema).map(|o| (o, replace)).map_err(|m| c.err(m))
        }
        Signature::Publication => {
            return super::publication::read_create(toks, c.at, default_schema)
                .map(|o| (o, replace))
                .map_err(|m| c.err(m))
        }
        Signature::Foreign => {
            return super::foreign::read_create(toks, c.at, kind, default_schema)
                .map(|o| (o, replace))
                .map_err(|m| c.err(m))
        }
        Signature::Operator => {
            let start = c.at;
            while c.peek().is_some_and(|t| t.token != Token::LParen) {
                c.at += 1;
            }
            let name =
                operator_name(&toks[start..c.at], default_schema).ok_or_else(|| c.err("expected an operator name"))?;
            (name, None)
        }
        Signature::Name => {
            let refs: Vec<&TokenWithSpan> = toks.iter().collect();
            let (n, next) = read_name(&refs, c.at).ok_or_else(|| c.err("expected a name"))?;
            c.at = next;
            (object_qual_name(&n, default_schema).map_err(|m| c.err(m))?, None)
        }
        Signature::Conversion => {
            let refs: Vec<&TokenWithSpan> = toks.iter().collect();
            let (n, next) = read_name(&refs, c.at).ok_or_else(|| c.err("expected a name"))?;
            let name = object_qual_name(&n, default_schema).map_err(|m| c.err(m))?;
            let mut depends = Vec::new();
            let options = super::conversion::read_tail(toks, next, default, &mut depends, |t, d| {
                function_name(t, default_schema, d)
            })
            .map_err(|m| c.err(m))?;
            let identity = name.sql();
            return Ok((Object { kind, name, identity, options, depends, mappings: Vec::new(), comment: None }, false));
        }
        Signature::Arguments => {
            let (name, args, next) = name_and_args(toks, c.at, default_schema)?;
            c.at = next;
            (name, Some(args))
        }
    };
    if c.word().as_deref() == Some("FROM") {
        // A copy of libc's own C or POSIX is that locale; other sources are
        // only known to a server.
        let source = match toks.get(c.at + 1..) {
            Some([t]) => match &t.token {
                Token::Word(w) => Some(fold(&sqlparser::ast::Ident {
                    value: w.value.clone(),
                    quote_style: w.quote_style,
                    span: Span::empty(),
                })),
                _ => None,
            },
            _ => None,
        };
        return match source.as_deref() {
            Some(locale @ ("C" | "POSIX")) if kind == GenericKind::Collation => Ok((
                Object {
                    kind,
                    identity: name.sql(),
                    name,
                    options: vec![("locale".to_string(), quote_literal(locale))],
                    depends: Vec::new(),
                    mappings: Vec::new(),
                    comment: None,
                },
                replace,
            )),
            _ => Err(c.err(format!(
                "CREATE {keyword} ... FROM is supported only from \"C\" or \"POSIX\": write its options"
            ))),
        };
    }
    if !c.eat_token(&Token::LParen) {
        return Err(c.err(format!("expected ( after the {} name", keyword.to_lowercase())));
    }
    let mut written: Vec<(String, String)> = Vec::new();
    let mut depends = Vec::new();
    loop {
        let Some(key) = (match c.peek().map(|t| &t.token) {
            Some(Token::Word(w)) => Some(w.value.clone()),
            _ => None,
        }) else {
            return Err(c.err(format!("expected an option of CREATE {keyword}")));
        };
        if kind == GenericKind::TextSearchConfiguration && key.eq_ignore_ascii_case("COPY") {
            return Err(c.err(
                "CREATE TEXT SEARCH CONFIGURATION ... (COPY = ...) copies mappings only a server knows: \
                 write its PARSER and its ALTER ... ADD MAPPING statements (as pg_dump prints them)",
            ));
        }
        let (name, class) = match (spec.option(&key), spec.other_options) {
            (Some(o), _) => (o.name.to_string(), o.value),
            (None, Some(class)) => (fold_key(c.peek()), class),
            (None, None) => return Err(c.err(format!("unknown option {key} of CREATE {keyword}"))),
        };
        c.at += 1;
        let value = if c.eat_token(&Token::Eq) { Some(c.until_separator()) } else { None };
        let canonical = canonical_value(class, value, default_schema, &mut depends).map_err(|m| c.err(m))?;
        if let Some(v) = canonical {
            written.retain(|(k, _)| *k != name);
            written.push((name, v));
        }
        if c.eat_token(&Token::Comma) {
            continue;
        }
        if c.eat_token(&Token::RParen) {
            break;
        }
        return Err(c.err(format!("expected , or ) in CREATE {keyword}")));
    }
    if c.peek().is_some() {
        return Err(c.err("unexpected text after the statement"));
    }
    // Equal lc_collate and lc_ctype are one locale (what pg_dump writes).
    if let Some([a, b, one]) = spec.same_pair_is {
        let (x, y) = (written.iter().find(|(k, _)| k == a), written.iter().find(|(k, _)| k == b));
        if let (Some((_, x)), Some((_, y))) = (x, y) {
            if x == y && !written.iter().any(|(k, _)| k == one) {
                let v = x.clone();
                written.retain(|(k, _)| k != a && k != b);
                written.push((one.to_string(), v));
            }
        }
    }
    let mut options: Vec<(String, String)> = spec
        .options
        .iter()
        .filter_map(|o| {
            let (_, v) = written.iter().find(|(k, _)| k == o.name)?;
            (o.default != Some(v.as_str())).then(|| (o.name.to_string(), v.clone()))
        })
        .collect();
    // PostgreSQL keeps the others in the order written (pg_dump prints them so).
    options.extend(written.into_iter().filter(|(k, _)| !spec.options.iter().any(|o| o.name == k)));
    let identity = match spec.signature {
        Signature::Name
        | Signature::Cast
        | Signature::EventTrigger
        | Signature::Statistics
        | Signature::Conversion
        | Signature::Using
        | Signature::Rule
        | Signature::Publication
        | Signature::Foreign => name.sql(),
        Signature::Arguments => format!("{}({})", name.sql(), args.unwrap_or_default()),
        Signature::Operator => {
            let arg = |k: &str| options.iter().find(|(n, _)| n == k).map_or("NONE".to_string(), |(_, v)| v.clone());
            format!("{} ({}, {})", operator_sql(&name), arg("LEFTARG"), arg("RIGHTARG"))
        }
    };
    depends.sort();
    depends.dedup();
    Ok((Object { kind, name, identity, options, depends, mappings: Vec::new(), comment: None }, replace))
}

/// `name(argtypes)` or `name(*)` from `at`: the name, the canonical argument list, the index after.
fn name_and_args(
    toks: &[TokenWithSpan],
    at: usize,
    default_schema: &str,
) -> Result<(QualName, String, usize), ReadError> {
    let star = matches!(
        toks.get(at..)
            .unwrap_or_default()
            .iter()
            .skip_while(|t| t.token != Token::LParen)
            .take(3)
            .map(|t| &t.token)
            .collect::<Vec<_>>()[..],
        [Token::LParen, Token::Mul, Token::RParen]
    );
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(toks[at..].to_vec());
    if star {
        let n = p.parse_object_name(false).map_err(|e| (e.to_string(), Span::empty()))?;
        let q = object_qual_name(&n, default_schema).map_err(|m| (m, Span::empty()))?;
        let used = toks[at..].iter().position(|t| t.token == Token::Mul).unwrap_or(0) + 2;
        return Ok((q, "*".to_string(), at + used));
    }
    let (name, args) = signature(&mut p, default_schema).map_err(|(m, s)| {
        (if m.contains("ORDER") { "ordered-set aggregates are not supported".to_string() } else { m }, s)
    })?;
    let args = args.ok_or_else(|| ("expected an argument list".to_string(), Span::empty()))?;
    let list: Vec<String> = args.iter().map(ToString::to_string).collect();
    // What the parser consumed: everything up to the token it now looks at.
    let next = p.peek_token_ref().span;
    let used = toks[at..].iter().position(|t| t.span == next && next != Span::empty()).unwrap_or(toks.len() - at);
    Ok((name, list.join(", "), at + used))
}

/// A dotted function name, `pg_catalog.` dropped (where the built-ins live).
fn function_name(toks: &[TokenWithSpan], default_schema: &str, deps: &mut Vec<Dep>) -> Result<String, String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let bad = || format!("expected a function name, found {}", joined(toks));
    let (n, next) = read_name(&refs, 0).ok_or_else(bad)?;
    if next != toks.len() {
        return Err(bad());
    }
    let q = object_qual_name(&n, default_schema)?;
    if n.0.len() == 1 {
        deps.push(Dep::Routine(q.clone()));
        return Ok(quote_ident(&q.name));
    }
    if q.schema == "pg_catalog" {
        return Ok(quote_ident(&q.name));
    }
    deps.push(Dep::Routine(q.clone()));
    Ok(q.sql())
}

/// A dotted name of an object of a generic kind: `pg_catalog.` dropped, a
/// bare one left bare (`settle_names` qualifies it when the schema defines it).
pub(super) fn object_name(toks: &[TokenWithSpan], default_schema: &str) -> Result<String, String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let bad = || format!("expected a name, found {}", joined(toks));
    let (n, next) = read_name(&refs, 0).ok_or_else(bad)?;
    if next != toks.len() {
        return Err(bad());
    }
    let q = object_qual_name(&n, default_schema)?;
    Ok(if n.0.len() == 1 || q.schema == "pg_catalog" { quote_ident(&q.name) } else { q.sql() })
}

fn joined(toks: &[TokenWithSpan]) -> String {
    toks.iter().map(|t| t.token.to_string()).collect::<Vec<_>>().join(" ")
}

/// The canonical text of one option's value (`None`: the option is left out).
fn canonical_value(
    class: Value,
    value: Option<&[TokenWithSpan]>,
    default_schema: &str,
    deps: &mut Vec<Dep>,
) -> Result<Option<String>, String> {
    let Some(toks) = value else {
        return match class {
            Value::Flag => Ok(Some(String::new())),
            _ => Err("the option needs a value".into()),
        };
    };
    let single = |toks: &[TokenWithSpan]| -> Result<String, String> {
        match toks {
            [t] => Ok(match &t.token {
                Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) | Token::NationalStringLiteral(s) => {
                    s.clone()
                }
                Token::DollarQuotedString(d) => d.value.clone(),
                Token::Word(w) => w.value.clone(),
                Token::Number(n, _) => n.clone(),
                other => other.to_string(),
            }),
            _ => Err(format!("expected one value, found {}", joined(toks))),
        }
    };
    let word = |toks: &[TokenWithSpan]| -> Result<String, String> {
        let v = single(toks)?.to_ascii_lowercase();
        Ok(match v.as_str() {
            "on" | "yes" | "1" => "true".into(),
            "off" | "no" | "0" => "false".into(),
            _ => v,
        })
    };
    Ok(Some(match class {
        Value::Flag => match word(toks)?.as_str() {
            "false" => return Ok(None),
            _ => String::new(),
        },
        Value::Word => word(toks)?,
        Value::Text => quote_literal(&single(toks)?),
        Value::Integer => {
            let v = single(toks)?;
            v.parse::<i64>().map_err(|_| format!("expected an integer, found {v}"))?.to_string()
        }
        Value::Function => function_name(toks, default_schema, deps)?,
        Value::Object(_) => object_name(toks, default_schema)?,
        Value::Type => {
            let dialect = PostgreSqlDialect {};
            let mut p = Parser::new(&dialect).with_tokens_with_locations(toks.to_vec());
            let t = routine_type(&mut p, default_schema).map_err(|(m, _)| m)?;
            if let Some(custom) = t.custom() {
                deps.push(Dep::Type(custom));
            }
            t.to_string()
        }
        Value::Operator => {
            let inner = match toks {
                [TokenWithSpan { token: Token::Word(w), .. }, TokenWithSpan { token: Token::LParen, .. }, inner @ .., TokenWithSpan { token: Token::RParen, .. }]
                    if w.value.eq_ignore_ascii_case("OPERATOR") =>
                {
                    inner
                }
                _ => {
                    return operator_name(toks, "pg_catalog")
                        .map(|q| Some(q.name))
                        .ok_or_else(|| format!("expected an operator, found {}", joined(toks)))
                }
            };
            let q = operator_name(inner, "pg_catalog")
                .ok_or_else(|| format!("expected an operator, found {}", joined(toks)))?;
            if q.schema == "pg_catalog" {
                q.name
            } else {
                format!("OPERATOR({})", operator_sql(&q))
            }
        }
    }))
}

/// Reads `DROP <kind> [IF EXISTS] identity [, ...] [CASCADE | RESTRICT]`:
/// the kind, the identities (as `Object::identity` spells them), and whether `IF EXISTS` was said.
pub fn read_drop(toks: &[TokenWithSpan], default_schema: &str) -> Result<(GenericKind, Vec<String>, bool), ReadError> {
    let mut c = Cursor { toks, at: 1 };
    let kind = kind_at(&mut c)?;
    let if_exists = c.eat("IF") && c.eat("EXISTS");
    let mut out = Vec::new();
    loop {
        out.push(identity(&mut c, kind, default_schema)?);
        if !c.eat_token(&Token::Comma) {
            break;
        }
    }
    let _ = c.eat("CASCADE") || c.eat("RESTRICT");
    if c.peek().is_some() {
        return Err(c.err("unexpected text after the statement"));
    }
    Ok((kind, out, if_exists))
}

/// Reads `COMMENT ON <kind> identity IS 'text' | NULL`: the object's id and the comment.
pub fn read_comment(toks: &[TokenWithSpan], default_schema: &str) -> Result<(ObjectId, Option<String>), ReadError> {
    let mut c = Cursor { toks, at: 2 };
    let kind = kind_at(&mut c)?;
    let identity = identity(&mut c, kind, default_schema)?;
    if !c.eat("IS") {
        return Err(c.err("expected IS in COMMENT ON"));
    }
    let text = match c.peek().map(|t| &t.token) {
        Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => Some(s.clone()),
        Some(Token::DollarQuotedString(d)) => Some(d.value.clone()),
        Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("NULL") => None,
        _ => return Err(c.err("expected the comment's text or NULL")),
    };
    c.at += 1;
    if c.peek().is_some() {
        return Err(c.err("unexpected text after the comment"));
    }
    Ok((ObjectId { kind, identity }, text))
}

/// One object's identity as `DROP` and `COMMENT ON` write it, spelled as `Object::identity`.
pub(super) fn identity(c: &mut Cursor, kind: GenericKind, default_schema: &str) -> Result<String, ReadError> {
    let toks = c.toks;
    {
        let identity = match kind.spec().signature {
            Signature::EventTrigger => {
                let (id, next) = super::event_trigger::read_identity(toks, c.at).map_err(|m| c.err(m))?;
                c.at = next;
                id
            }
            Signature::Cast => {
                let (id, next) = super::cast::read_identity(toks, c.at, default_schema).map_err(|m| c.err(m))?;
                c.at = next;
                id
            }
            Signature::Using => {
                let (id, next) = super::op_class::read_identity(toks, c.at, default_schema).map_err(|m| c.err(m))?;
                c.at = next;
                id
            }
            Signature::Rule => {
                let (id, _, _, next) = super::rule::read_identity(toks, c.at, default_schema).map_err(|m| c.err(m))?;
                c.at = next;
                id
            }
            Signature::Publication => {
                let (id, next) = super::publication::read_identity(toks, c.at).map_err(|m| c.err(m))?;
                c.at = next;
                id
            }
            Signature::Foreign => {
                let (id, next) =
                    super::foreign::read_identity(toks, c.at, kind, default_schema).map_err(|m| c.err(m))?;
                c.at = next;
                id
            }
            Signature::Name | Signature::Statistics | Signature::Conversion => {
                let refs: Vec<&TokenWithSpan> = toks.iter().collect();
                let (n, next) = read_name(&refs, c.at).ok_or_else(|| c.err("expected a name"))?;
                c.at = next;
                object_qual_name(&n, default_schema).map_err(|m| c.err(m))?.sql()
            }
            Signature::Arguments => {
                let (name, args, next) = name_and_args(toks, c.at, default_schema)?;
                c.at = next;
                format!("{}({args})", name.sql())
            }
            Signature::Operator => {
                let start = c.at;
                while c.peek().is_some_and(|t| t.token != Token::LParen) {
                    c.at += 1;
                }
                let name = operator_name(&toks[start..c.at], default_schema)
                    .ok_or_else(|| c.err("expected an operator name"))?;
                c.at += 1;
                let mut args = Vec::new();
                for _ in 0..2 {
                    let t = c.until_separator();
                    args.push(if matches!(t, [TokenWithSpan { token: Token::Word(w), .. }] if w.value.eq_ignore_ascii_case("NONE")) {
                        "NONE".to_string()
                    } else {
                        canonical_value(Value::Type, Some(t), default_schema, &mut Vec::new())
                            .map_err(|m| c.err(m))?
                            .unwrap_or_default()
                    });
                    c.at += 1;
                }
                format!("{} ({}, {})", operator_sql(&name), args[0], args[1])
            }
        };
        Ok(identity)
    }
}

/// Names written without a schema are qualified where the catalog shows
/// where they are: an unqualified function or operator that the default
/// schema defines is that one (else it is a built-in, and stays bare), as
/// PostgreSQL's search path finds it and as pg_dump and the catalog print it.
pub fn settle_names(cat: &mut Catalog, default_schema: &str) {
    let routines: std::collections::HashSet<QualName> = cat
        .routines
        .keys()
        .map(|r| r.name.clone())
        .chain(cat.objects.values().filter(|o| o.kind.spec().callable).map(|o| o.name.clone()))
        .collect();
    let operators: std::collections::HashSet<QualName> =
        cat.objects.values().filter(|o| o.kind == GenericKind::Operator).map(|o| o.name.clone()).collect();
    // A column's COLLATE naming a collation the default schema defines is that one.
    let collations: std::collections::HashSet<String> =
        cat.objects.values().filter(|o| o.kind == GenericKind::Collation).map(|o| o.name.name.clone()).collect();
    let settle = |c: &mut Option<String>| {
        if let Some(name) = c.as_ref().filter(|n| !n.contains('.') && collations.contains(*n)) {
            *c = Some(format!("{default_schema}.{name}"));
        }
    };
    for t in cat.tables.values_mut() {
        t.columns.values_mut().for_each(|col| settle(&mut col.collation));
    }
    for t in cat.composites.values_mut() {
        t.attributes.values_mut().for_each(|a| settle(&mut a.collation));
    }
    let objects: std::collections::HashSet<ObjectId> = cat.objects.keys().cloned().collect();
    // A bare name of an object the default schema defines is that one.
    let object_here = |kind: GenericKind, v: &mut String| {
        if v.contains('.') {
            return;
        }
        let here = QualName::new(default_schema, unquote(v)).sql();
        if objects.contains(&ObjectId { kind, identity: here.clone() }) {
            *v = here;
        }
    };
    for o in cat.objects.values_mut() {
        let spec = o.kind.spec();
        for (_, dicts) in o.mappings.iter_mut() {
            dicts.iter_mut().for_each(|d| object_here(GenericKind::TextSearchDictionary, d));
        }
        for (k, v) in o.options.iter_mut() {
            let Some(class) = spec.option(k).map(|s| s.value) else { continue };
            let here = QualName::new(default_schema, v.trim_matches('"'));
            match class {
                Value::Object(kind) => object_here(kind, v),
                Value::Function if !v.contains('.') && routines.contains(&here) => *v = here.sql(),
                Value::Operator
                    if !v.starts_with("OPERATOR(") && operators.contains(&QualName::new(default_schema, v.clone())) =>
                {
                    *v = format!("OPERATOR({}.{v})", quote_ident(default_schema))
                }
                _ => {}
            }
        }
    }
}

/// After the names: what operator classes, families and publications settle (see theirs).
pub fn settle_kinds(cat: &mut Catalog, default_schema: &str) {
    super::op_class::settle(cat, default_schema);
    super::publication::settle_columns(cat);
}

/// A bare name as `quote_ident` printed it, back to the name.
fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => v.to_string(),
    }
}
