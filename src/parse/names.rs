//! Names as statements write them: dotted object names, collations, and a
//! dotted name read straight from tokens, an operator's name.

use sqlparser::ast::ObjectName;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use crate::canon::ident::fold;
use crate::canon::quote_ident;
use crate::model::QualName;

/// `schema.name` or `name` (in the default schema).
pub fn object_qual_name(name: &ObjectName, default_schema: &str) -> Result<QualName, String> {
    // Asked several times of every table and index: no list of the parts.
    let part =
        |p: &sqlparser::ast::ObjectNamePart| p.as_ident().map(fold).ok_or_else(|| format!("unsupported name {name}"));
    match name.0.as_slice() {
        [n] => Ok(QualName::new(default_schema, part(n)?)),
        [s, n] => Ok(QualName::new(part(s)?, part(n)?)),
        parts => {
            for p in parts {
                part(p)?;
            }
            Err(format!("name {name} has too many parts"))
        }
    }
}

/// A collation name; `pg_catalog.` (where the built-in collations live) is dropped.
pub fn collation_name(name: &ObjectName) -> String {
    let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
    match parts.as_slice() {
        [schema, n] if schema == "pg_catalog" => n.clone(),
        _ => parts.join("."),
    }
}

/// Reads a dotted name starting at `at`; returns it and the index after it.
pub fn read_name(toks: &[&sqlparser::tokenizer::TokenWithSpan], mut at: usize) -> Option<(ObjectName, usize)> {
    let mut parts = Vec::new();
    loop {
        match &toks.get(at)?.token {
            Token::Word(w) => {
                let mut ident = sqlparser::ast::Ident::new(w.value.clone());
                ident.quote_style = w.quote_style;
                ident.span = toks[at].span;
                parts.push(ident);
            }
            _ => return None,
        }
        at += 1;
        if matches!(toks.get(at).map(|t| &t.token), Some(Token::Period)) {
            at += 1;
        } else {
            break;
        }
    }
    Some((ObjectName::from(parts), at))
}

/// `schema.op` from `toks`: an optional schema, then the symbol's tokens.
pub fn operator_name(toks: &[TokenWithSpan], default_schema: &str) -> Option<QualName> {
    let (schema, rest) = match toks {
        [TokenWithSpan { token: Token::Word(w), .. }, TokenWithSpan { token: Token::Period, .. }, rest @ ..] => (
            fold(&sqlparser::ast::Ident { value: w.value.clone(), quote_style: w.quote_style, span: Span::empty() }),
            rest,
        ),
        _ => (default_schema.to_string(), toks),
    };
    let op: String = rest.iter().map(|t| t.token.to_string()).collect();
    let symbol = op.chars().all(|c| "+-*/<>=~!@#%^&|`?".contains(c));
    (symbol && !op.is_empty()).then(|| QualName::new(schema, op))
}

/// `schema.op` as SQL: the schema quoted, the symbol as it is.
pub fn operator_sql(name: &QualName) -> String {
    format!("{}.{}", quote_ident(&name.schema), name.name)
}
