//! Storage parameters of the index behind a table-level primary key or unique
//! constraint (`PRIMARY KEY (a) WITH (fillfactor = 70)`, as
//! `pg_get_constraintdef` and pg_dump print them) and its `USING INDEX
//! TABLESPACE`, which sqlparser does not read. Taken out of the tokens and
//! handed on as the one index option sqlparser keeps there, a `COMMENT`
//! string PostgreSQL has no use for, which `decode` reads back.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::split::is_keyword;

/// What a key's index says besides its columns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KeyIndex {
    /// `WITH (name = value, ...)`, in the order written.
    pub options: Vec<(String, String)>,
    /// `USING INDEX TABLESPACE name` (not modelled: the builder warns).
    pub tablespace: Option<String>,
}

/// Starts the `COMMENT` string this module writes (no comment of PostgreSQL's own).
const MARK: &str = "\u{1}pgstate key index";
const PAIR: char = '\u{2}';
const FIELD: char = '\u{3}';

/// The tokens with each key's `WITH (...)` and `USING INDEX TABLESPACE t`
/// turned into `COMMENT '...'`; unchanged when there is none.
pub fn take(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut i = 0;
    while i < tokens.len() {
        let after_key = if is_keyword(&tokens[i], Keyword::PRIMARY)
            && tokens.get(i + 1).is_some_and(|t| is_keyword(t, Keyword::KEY))
        {
            i + 2
        } else if is_keyword(&tokens[i], Keyword::UNIQUE) {
            let mut at = i + 1;
            if tokens.get(at).is_some_and(|t| is_keyword(t, Keyword::NULLS)) {
                at += 1;
                at += usize::from(tokens.get(at).is_some_and(|t| is_keyword(t, Keyword::NOT)));
                at += usize::from(tokens.get(at).is_some_and(|t| is_keyword(t, Keyword::DISTINCT)));
            }
            at
        } else {
            i += 1;
            continue;
        };
        i = after_key;
        // The column list (a column-level key has none, and no WITH either).
        let Some(end) = closing(&tokens, after_key) else { continue };
        let mut at = end + 1;
        if tokens.get(at).is_some_and(|t| is_keyword(t, Keyword::INCLUDE)) {
            let Some(end) = closing(&tokens, at + 1) else { continue };
            at = end + 1;
        }
        let start = at;
        let mut found = KeyIndex::default();
        if tokens.get(at).is_some_and(|t| is_keyword(t, Keyword::WITH)) {
            let Some(end) = closing(&tokens, at + 1) else { continue };
            let Some(options) = options(&tokens[at + 2..end]) else { continue };
            found.options = options;
            at = end + 1;
        }
        if tokens.get(at).is_some_and(|t| is_keyword(t, Keyword::USING))
            && tokens.get(at + 1).is_some_and(|t| is_keyword(t, Keyword::INDEX))
            && tokens.get(at + 2).is_some_and(|t| is_keyword(t, Keyword::TABLESPACE))
        {
            if let Some(Token::Word(w)) = tokens.get(at + 3).map(|t| &t.token) {
                found.tablespace = Some(w.value.clone());
                at += 4;
            }
        }
        if at == start {
            continue;
        }
        let span = tokens[start].span;
        let comment = [
            TokenWithSpan { token: Token::make_keyword("COMMENT"), span },
            TokenWithSpan { token: Token::SingleQuotedString(encode(&found)), span },
        ];
        tokens.splice(start..at, comment);
        i = start + 2;
    }
    tokens
}

/// The index of the `)` closing the `(` at `open`, if that is one.
fn closing(tokens: &[TokenWithSpan], open: usize) -> Option<usize> {
    if tokens.get(open)?.token != Token::LParen {
        return None;
    }
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 1 => return Some(i),
            Token::RParen => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `name [= value], ...` as (name, value) pairs: names folded, a bare name `true`.
fn options(toks: &[TokenWithSpan]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for item in toks.split(|t| t.token == Token::Comma) {
        let (name, value) = match item {
            [n] => (n, None),
            [n, eq, v] if eq.token == Token::Eq => (n, Some(v)),
            _ => return None,
        };
        let Token::Word(n) = &name.token else { return None };
        let name = if n.quote_style.is_some() { n.value.clone() } else { n.value.to_lowercase() };
        let value = match value.map(|v| &v.token) {
            None => "true".to_string(),
            Some(Token::Number(n, _)) => n.clone(),
            Some(Token::SingleQuotedString(s)) => s.clone(),
            Some(Token::Word(w)) => w.value.to_lowercase(),
            Some(_) => return None,
        };
        out.push((name, value));
    }
    Some(out)
}

fn encode(k: &KeyIndex) -> String {
    let mut s = MARK.to_string();
    for (name, value) in &k.options {
        s.push(PAIR);
        s.push_str(name);
        s.push(FIELD);
        s.push_str(value);
    }
    if let Some(t) = &k.tablespace {
        s.push(PAIR);
        s.push(FIELD);
        s.push_str(t);
    }
    s
}

/// What `take` put in a key's `COMMENT`, or `None` for any other text.
pub fn decode(comment: &str) -> Option<KeyIndex> {
    let rest = comment.strip_prefix(MARK)?;
    let mut out = KeyIndex::default();
    for pair in rest.split(PAIR).skip(1) {
        let (name, value) = pair.split_once(FIELD)?;
        if name.is_empty() {
            out.tablespace = Some(value.to_string());
        } else {
            out.options.push((name.to_string(), value.to_string()));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(sql: &str) -> String {
        let raw = crate::parse::split::split(sql).expect("splits").remove(0);
        take(raw.tokens).iter().map(|t| t.token.to_string()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn pg_get_constraintdefs_forms_become_one_comment() {
        let out = words(
            "ALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (a) INCLUDE (b) WITH (fillfactor='70', \
             deduplicate_items=off) USING INDEX TABLESPACE ts DEFERRABLE",
        );
        assert!(out.ends_with("INCLUDE ( b ) COMMENT '\u{1}pgstate key index\u{2}fillfactor\u{3}70\u{2}deduplicate_items\u{3}off\u{2}\u{3}ts' DEFERRABLE"), "{out}");
        let comment = out.split('\'').nth(1).expect("a string");
        let k = decode(comment).expect("decodes");
        assert_eq!(k.options, vec![("fillfactor".into(), "70".into()), ("deduplicate_items".into(), "off".into())]);
        assert_eq!(k.tablespace.as_deref(), Some("ts"));
        let out =
            words("CREATE TABLE t (a int PRIMARY KEY, b int, UNIQUE NULLS NOT DISTINCT (b) WITH (fillfactor = 90))");
        assert!(out.contains("PRIMARY KEY ,"), "{out}");
        assert!(out.contains("DISTINCT ( b ) COMMENT"), "{out}");
        assert_eq!(words("CREATE UNIQUE INDEX i ON t (a) WITH (fillfactor = 90)").matches("COMMENT").count(), 0);
        assert_eq!(decode("a comment"), None);
    }
}
