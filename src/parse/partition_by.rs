//! `PARTITION BY strategy (key [COLLATE c] [opclass], ...)` of a `CREATE
//! TABLE`, read from its tokens and taken out of them before sqlparser sees
//! the statement: sqlparser reads the clause as a call, which a key with an
//! operator class (`RANGE (name text_pattern_ops)`, as pg_dump prints it)
//! does not fit.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::split::is_keyword;
use crate::canon::partition::{key_text, opclass_text};
use crate::model::{Expr, PartitionKey, PartitionStrategy};

/// The tokens without the clause, and the clause read (if there was one).
pub fn take(
    tokens: Vec<TokenWithSpan>,
    default_schema: &str,
) -> (Vec<TokenWithSpan>, Option<Result<PartitionKey, String>>) {
    let significant = |from: usize| (from..tokens.len()).find(|&i| !matches!(tokens[i].token, Token::Whitespace(_)));
    let mut depth = 0usize;
    let mut start = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0
                && is_keyword(t, Keyword::PARTITION)
                && significant(i + 1).is_some_and(|n| is_keyword(&tokens[n], Keyword::BY)) =>
            {
                start = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(start) = start else { return (tokens, None) };
    let bad = |why: &str| Some(Err(format!("unsupported PARTITION BY: {why}")));
    let Some(by) = significant(start + 1) else { return (tokens, bad("nothing after it")) };
    let Some(word) = significant(by + 1) else { return (tokens, bad("no strategy")) };
    let strategy = match &tokens[word].token {
        Token::Word(w) if w.quote_style.is_none() => match w.value.to_ascii_lowercase().as_str() {
            "range" => PartitionStrategy::Range,
            "list" => PartitionStrategy::List,
            "hash" => PartitionStrategy::Hash,
            _ => return (tokens, bad("expected RANGE, LIST or HASH")),
        },
        _ => return (tokens, bad("expected RANGE, LIST or HASH")),
    };
    let Some(open) = significant(word + 1).filter(|&o| tokens[o].token == Token::LParen) else {
        return (tokens, bad("expected a parenthesized key list"));
    };
    let mut depth = 0usize;
    let mut close = None;
    let mut elements: Vec<Vec<TokenWithSpan>> = vec![Vec::new()];
    for (i, t) in tokens.iter().enumerate().skip(open + 1) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => {
                close = Some(i);
                break;
            }
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                elements.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(e) = elements.last_mut() {
            e.push(t.clone());
        }
    }
    let Some(close) = close else { return (tokens, bad("unclosed key list")) };
    let keys: Result<Vec<Expr>, String> = elements.into_iter().map(|e| key(e, default_schema)).collect();
    let rest: Vec<TokenWithSpan> = tokens[..start].iter().chain(&tokens[close + 1..]).cloned().collect();
    (rest, Some(keys.map(|keys| PartitionKey { strategy, keys })))
}

/// One key: an expression (`COLLATE` included), then an operator class.
fn key(mut tokens: Vec<TokenWithSpan>, default_schema: &str) -> Result<Expr, String> {
    tokens.retain(|t| !matches!(t.token, Token::Whitespace(_)));
    let text = crate::quote::ast::tokens(tokens.iter().map(|t| &t.token));
    let bad = || format!("unsupported PARTITION BY key {text}");
    let mut parser = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(tokens);
    let expr = parser.parse_expr().map_err(|_| bad())?;
    let mut opclass: Vec<String> = Vec::new();
    loop {
        let t = parser.next_token();
        match t.token {
            Token::EOF => break,
            Token::Word(w) => opclass.push(match w.quote_style {
                Some(_) => crate::canon::quote_ident(&w.value),
                None => w.value.to_lowercase(),
            }),
            Token::Period if !opclass.is_empty() => {}
            _ => return Err(bad()),
        }
    }
    let key = key_text(&expr, default_schema);
    Ok(match opclass_text(&opclass.join(".")) {
        Some(class) if !opclass.is_empty() => Expr(format!("{} {class}", key.0), key.1.map(|k| format!("{k} {class}"))),
        _ => key,
    })
}

#[cfg(test)]
mod tests {
    use sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn read(sql: &str) -> (String, Option<Result<PartitionKey, String>>) {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location().expect("tokens");
        let (rest, key) = take(tokens, "public");
        (rest.iter().map(|t| t.token.to_string()).collect::<String>(), key)
    }

    #[test]
    fn the_clause_is_read_and_taken_out() {
        let (rest, key) = read("CREATE TABLE n (name text, k int) PARTITION BY RANGE (name COLLATE \"C\" text_pattern_ops, (k + 1)) WITH (fillfactor = 70)");
        assert_eq!(rest, "CREATE TABLE n (name text, k int)  WITH (fillfactor = 70)");
        let key = key.expect("a clause").expect("readable");
        assert_eq!(key.sql(), "RANGE (name COLLATE \"C\" text_pattern_ops, (k + 1))");
        // A default operator class is what PostgreSQL leaves out.
        let (_, key) = read("CREATE TABLE n (name text) PARTITION BY list (name pg_catalog.text_ops)");
        assert_eq!(key.expect("a clause").expect("readable").sql(), "LIST (name)");
        // PARTITION OF is not PARTITION BY; a sub-partitioned partition has both.
        let (rest, key) = read("CREATE TABLE p PARTITION OF n FOR VALUES IN (1) PARTITION BY HASH (k)");
        assert_eq!(rest, "CREATE TABLE p PARTITION OF n FOR VALUES IN (1) ");
        assert_eq!(key.expect("a clause").expect("readable").sql(), "HASH (k)");
        assert!(read("CREATE TABLE n (k int) PARTITION BY SPLIT (k)").1.is_some_and(|k| k.is_err()));
        assert!(read("CREATE TABLE n (k int)").1.is_none());
    }
}
