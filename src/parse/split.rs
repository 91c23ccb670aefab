//! Cuts a file into statements with sqlparser's tokenizer, so that each statement
//! is parsed (and fails) on its own and every error keeps its location.
//! Whitespace and comments are dropped here: the parser skips them anyway, and
//! at 10,000 tables they were most of the tokens held in memory.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer};

/// The tokens of one statement (without its `;`).
pub struct RawStatement {
    /// Its tokens, without whitespace or comments, with locations.
    pub tokens: Vec<TokenWithSpan>,
    /// The statement's source text, exactly as written.
    pub text: String,
}

fn word_of(t: &TokenWithSpan) -> String {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => w.value.to_uppercase(),
        other => other.to_string(),
    }
}

impl RawStatement {
    /// Tokens that carry meaning (all of them: whitespace is dropped by `split`).
    pub fn significant(&self) -> impl Iterator<Item = &TokenWithSpan> {
        self.tokens.iter()
    }

    /// The upper-case words of the whole statement.
    pub fn words(&self) -> Vec<String> {
        self.tokens.iter().map(word_of).collect()
    }

    /// The first `n` words, upper-cased.
    pub fn head(&self, n: usize) -> Vec<String> {
        self.tokens.iter().take(n).map(word_of).collect()
    }

    /// The last `n` words, upper-cased.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let skip = self.tokens.len().saturating_sub(n);
        self.tokens.iter().skip(skip).map(word_of).collect()
    }

    /// Whether an unquoted word appears (case-insensitive).
    pub fn has_word(&self, word: &str) -> bool {
        self.tokens.iter().any(
            |t| matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word)),
        )
    }

    /// The span from the first to the last token.
    pub fn span(&self) -> Span {
        let first = self.tokens.first().map_or(Span::empty(), |t| t.span);
        let last = self.tokens.last().map_or(first, |t| t.span);
        Span::new(first.start, last.end)
    }
}

/// Tokenizes `text` and splits it on top-level semicolons. A tokenizer error
/// comes back with its message and location.
pub fn split(text: &str) -> Result<Vec<RawStatement>, (String, Location)> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text).tokenize_with_location().map_err(|e| (e.message, e.location))?;
    // Locations are looked up in file order, so each lookup continues the last.
    let mut cursor = Offsets::new(text);
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut start = 0;
    for t in tokens {
        match t.token {
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon => {
                let end = cursor.offset(t.span.start);
                push(&mut out, std::mem::take(&mut current), text, start, end);
            }
            _ => {
                if current.is_empty() {
                    start = cursor.offset(t.span.start);
                }
                current.push(t);
            }
        }
    }
    push(&mut out, current, text, start, text.len());
    Ok(out)
}

fn push(out: &mut Vec<RawStatement>, tokens: Vec<TokenWithSpan>, source: &str, start: usize, end: usize) {
    if !tokens.is_empty() {
        out.push(RawStatement { text: source[start.min(end)..end].to_string(), tokens });
    }
}

/// Line starts, for turning a location into a byte offset without rescanning
/// a line: the last answer is reused when the next location is later on the
/// same line, so a file written as one long line stays linear.
struct Offsets<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    last: (u64, u64, usize),
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Offsets { text, line_starts, last: (0, 0, 0) }
    }

    fn offset(&mut self, loc: Location) -> usize {
        let Some(&line_start) = self.line_starts.get((loc.line.max(1) - 1) as usize) else { return self.text.len() };
        let (last_line, last_col, last_byte) = self.last;
        // Continue from the previous answer when it is earlier on the same line.
        let (mut col, mut byte) =
            if last_line == loc.line && last_col <= loc.column { (last_col, last_byte) } else { (1, line_start) };
        let rest = &self.text[byte..];
        let mut chars = rest.chars();
        while col < loc.column {
            match chars.next() {
                Some('\n') | None => break,
                Some(c) => {
                    byte += c.len_utf8();
                    col += 1;
                }
            }
        }
        self.last = (loc.line, col, byte);
        byte
    }
}

/// Whether a token is the given keyword.
pub fn is_keyword(t: &TokenWithSpan, kw: Keyword) -> bool {
    matches!(&t.token, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_keep_their_text_and_drop_whitespace() {
        let sql = "CREATE TABLE a (x int); -- note\nCOMMENT ON TABLE a IS 'it''s';\n\n  CREATE TABLE b (y int)";
        let s = split(sql).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].text, "CREATE TABLE a (x int)");
        assert_eq!(s[1].text, "COMMENT ON TABLE a IS 'it''s'");
        assert_eq!(s[2].text, "CREATE TABLE b (y int)");
        assert!(s[0].tokens.iter().all(|t| !matches!(t.token, Token::Whitespace(_))));
        assert_eq!(s[1].head(3), ["COMMENT", "ON", "TABLE"]);
        assert!(s[1].has_word("is"));
    }

    #[test]
    fn one_long_line_stays_linear() {
        let sql: String = (0..20_000).map(|i| format!("CREATE TABLE t{i} (x int);")).collect();
        let s = split(&sql).unwrap();
        assert_eq!(s.len(), 20_000);
        assert_eq!(s[19_999].text, "CREATE TABLE t19999 (x int)");
    }
}
