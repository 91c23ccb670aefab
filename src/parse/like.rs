//! `LIKE source [INCLUDING | EXCLUDING option ...]` elements of a `CREATE
//! TABLE`'s list, read from the tokens and taken out of them before sqlparser
//! sees the statement (it reads only a list that is one `LIKE` with
//! `INCLUDING DEFAULTS`). The builder expands them from the source table.

use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use super::names::read_name;
use super::split::is_keyword;

/// What `LIKE` copies besides the columns' names, types, `NOT NULL` and collations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Including {
    /// `COMMENTS`: of the columns, checks and indexes.
    pub comments: bool,
    /// `COMPRESSION`.
    pub compression: bool,
    /// `CONSTRAINTS`: checks (`NOT NULL` always).
    pub constraints: bool,
    /// `DEFAULTS`.
    pub defaults: bool,
    /// `GENERATED`: generated columns' expressions.
    pub generated: bool,
    /// `IDENTITY`.
    pub identity: bool,
    /// `INDEXES`: primary key, unique and exclusion constraints and plain indexes.
    pub indexes: bool,
    /// `STATISTICS`: extended statistics objects (and so nothing pgstate models) .
    pub statistics: bool,
    /// `STORAGE`.
    pub storage: bool,
}

/// One `LIKE` element.
#[derive(Debug, Clone)]
pub struct Like {
    /// How many columns the list declares before it.
    pub position: usize,
    /// The source table as written.
    pub source: ObjectName,
    /// What it copies.
    pub including: Including,
    /// Where it is written.
    pub span: Span,
}

/// The `LIKE` elements read, or why one could not be (message, where).
pub type Likes = Result<Vec<Like>, (String, Span)>;

/// The tokens without the `LIKE` elements, and those read.
pub fn take(tokens: Vec<TokenWithSpan>) -> (Vec<TokenWithSpan>, Likes) {
    let Some(open) = tokens.iter().position(|t| t.token == Token::LParen) else { return (tokens, Ok(vec![])) };
    // Elements of the first parenthesized list: (start, end) token ranges, commas between.
    let mut elements: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut close = None;
    for (i, t) in tokens.iter().enumerate().skip(open + 1) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => {
                elements.push((start, i));
                close = Some(i);
                break;
            }
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                elements.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    if close.is_none() {
        return (tokens, Ok(vec![]));
    }
    let first_word = |(s, e): (usize, usize)| tokens[s..e].iter().find(|t| !matches!(t.token, Token::Whitespace(_)));
    let is_like = |el: (usize, usize)| first_word(el).is_some_and(|t| is_keyword(t, Keyword::LIKE));
    if !elements.iter().any(|&el| is_like(el)) {
        return (tokens, Ok(vec![]));
    }
    let is_constraint = |el: (usize, usize)| {
        first_word(el).is_some_and(|t| {
            [Keyword::CONSTRAINT, Keyword::PRIMARY, Keyword::UNIQUE, Keyword::CHECK, Keyword::FOREIGN, Keyword::EXCLUDE]
                .iter()
                .any(|k| is_keyword(t, *k))
        })
    };
    let mut likes = Vec::new();
    let mut columns = 0;
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for &el in &elements {
        if is_like(el) {
            let toks: Vec<&TokenWithSpan> =
                tokens[el.0..el.1].iter().filter(|t| !matches!(t.token, Token::Whitespace(_))).collect();
            match read(&toks, columns) {
                Ok(like) => likes.push(like),
                Err(e) => return (tokens, Err(e)),
            }
        } else {
            if !is_constraint(el) && first_word(el).is_some() {
                columns += 1;
            }
            kept.push(el);
        }
    }
    let mut out: Vec<TokenWithSpan> = tokens[..=open].to_vec();
    for (n, &(s, e)) in kept.iter().filter(|&&el| first_word(el).is_some()).enumerate() {
        if n > 0 {
            out.push(TokenWithSpan::wrap(Token::Comma));
        }
        out.extend(tokens[s..e].iter().cloned());
    }
    out.extend(tokens[close.unwrap_or(open)..].iter().cloned());
    (out, Ok(likes))
}

/// `LIKE name {INCLUDING | EXCLUDING} option ...`.
fn read(toks: &[&TokenWithSpan], position: usize) -> Result<Like, (String, Span)> {
    let span = toks.first().map(|t| t.span).unwrap_or(Span::empty());
    let bad = |why: String| (format!("unsupported LIKE: {why}"), span);
    let (source, mut at) = read_name(toks, 1).ok_or_else(|| bad("expected a table name".into()))?;
    let mut including = Including::default();
    while at < toks.len() {
        let on = if is_keyword(toks[at], Keyword::INCLUDING) {
            true
        } else if is_keyword(toks[at], Keyword::EXCLUDING) {
            false
        } else {
            return Err(bad(format!("expected INCLUDING or EXCLUDING, found {}", toks[at].token)));
        };
        let option = match toks.get(at + 1).map(|t| &t.token) {
            Some(Token::Word(w)) => w.value.to_uppercase(),
            _ => return Err(bad("expected an option after INCLUDING / EXCLUDING".into())),
        };
        let all = option == "ALL";
        let set = |name: &str, flag: &mut bool| {
            if all || option == name {
                *flag = on;
            }
        };
        let i = &mut including;
        set("COMMENTS", &mut i.comments);
        set("COMPRESSION", &mut i.compression);
        set("CONSTRAINTS", &mut i.constraints);
        set("DEFAULTS", &mut i.defaults);
        set("GENERATED", &mut i.generated);
        set("IDENTITY", &mut i.identity);
        set("INDEXES", &mut i.indexes);
        set("STATISTICS", &mut i.statistics);
        set("STORAGE", &mut i.storage);
        const KNOWN: [&str; 10] = [
            "ALL",
            "COMMENTS",
            "COMPRESSION",
            "CONSTRAINTS",
            "DEFAULTS",
            "GENERATED",
            "IDENTITY",
            "INDEXES",
            "STATISTICS",
            "STORAGE",
        ];
        if !KNOWN.contains(&option.as_str()) {
            return Err(bad(format!("unknown option {option}")));
        }
        at += 2;
    }
    Ok(Like { position, source, including, span })
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn read(sql: &str) -> (String, Vec<Like>) {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location().expect("tokens");
        let (rest, likes) = take(tokens);
        (rest.iter().map(|t| t.token.to_string()).collect::<String>(), likes.expect("reads"))
    }

    #[test]
    fn like_elements_are_read_and_taken_out() {
        let (rest, likes) =
            read("CREATE TABLE t (id int, LIKE s INCLUDING ALL EXCLUDING INDEXES, CHECK (id > 0), x text)");
        assert_eq!(rest, "CREATE TABLE t (id int, CHECK (id > 0), x text)");
        assert_eq!(likes.len(), 1);
        assert_eq!((likes[0].position, likes[0].source.to_string()), (1, "s".to_string()));
        let i = likes[0].including;
        assert!(i.defaults && i.constraints && i.comments && !i.indexes);
        let (rest, likes) = read("CREATE TABLE t (LIKE public.s)");
        assert_eq!(rest, "CREATE TABLE t ()");
        assert_eq!(likes[0].including, Including::default());
        let (rest, likes) = read("CREATE TABLE t (a int)");
        assert_eq!((rest.as_str(), likes.len()), ("CREATE TABLE t (a int)", 0));
    }
}
