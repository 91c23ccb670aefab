//! A fast path in front of sqlparser's tokenizer for the plain shapes that
//! make up nearly all DDL: ASCII words, quoted identifiers, simple strings and
//! numbers, and the usual punctuation. It produces exactly the tokens and
//! spans sqlparser's tokenizer would (a test compares the two on every SQL
//! file in the repository and on generated text), and gives up, returning
//! `None`, on anything else, which then goes to sqlparser's tokenizer. Most of
//! the parse time at scale was sqlparser's character-by-character tokenizer.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Word};

/// The significant tokens of `src` (no whitespace or comments), located as if
/// `src` began at `origin`; `None` when `src` holds anything outside the fast path.
///
/// One scanner loop, one arm per character class, kept in one function because it is
/// the parser's hot path.
pub fn fast_tokens(src: &str, origin: Location) -> Option<Vec<TokenWithSpan>> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 5 + 4);
    let (mut line, mut col) = (origin.line, origin.column);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = Location::new(line, col);
        // Each arm leaves `i` after the token and sets the token, if any.
        let token = match c {
            b'\n' => {
                line += 1;
                col = 1;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                col += 1;
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                // A line comment ends at \n or \r (PostgreSQL's lexer, and
                // sqlparser's); its text is counted in characters.
                let end = b[i..].iter().position(|&x| x == b'\n' || x == b'\r').map_or(b.len(), |p| i + p);
                col += src[i..end].chars().count() as u64;
                i = end;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => return None,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let end = i + b[i..]
                    .iter()
                    .position(|&x| !(x.is_ascii_alphanumeric() || x == b'_' || x == b'$'))
                    .unwrap_or(b.len() - i);
                // A word glued to a quote or to non-ASCII text is a prefixed
                // string (E'', B'', U&'') or a Unicode identifier.
                if matches!(b.get(end), Some(b'\'' | b'"' | b'&')) || b.get(end).is_some_and(|&x| x >= 0x80) {
                    return None;
                }
                let t = unquoted_word(&src[i..end]);
                col += (end - i) as u64;
                i = end;
                t
            }
            b'"' => {
                let (value, end, lines, last_col) = quoted(src, i, b'"', (line, col))?;
                (line, col) = (lines, last_col);
                i = end;
                Token::make_word(&value, Some('"'))
            }
            b'\'' => {
                let (value, end, lines, last_col) = quoted(src, i, b'\'', (line, col))?;
                // A backslash may be an escape in some settings: sqlparser decides.
                if value.contains('\\') {
                    return None;
                }
                (line, col) = (lines, last_col);
                i = end;
                Token::SingleQuotedString(value)
            }
            b'0'..=b'9' => {
                let mut end = i + b[i..].iter().position(|x| !x.is_ascii_digit()).unwrap_or(b.len() - i);
                if b.get(end) == Some(&b'.') {
                    let frac = b[end + 1..].iter().position(|x| !x.is_ascii_digit()).unwrap_or(b.len() - end - 1);
                    if frac == 0 {
                        return None;
                    }
                    end += 1 + frac;
                }
                if b.get(end)
                    .is_some_and(|&x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'$') || x >= 0x80)
                {
                    return None;
                }
                let t = Token::Number(src[i..end].to_string(), false);
                col += (end - i) as u64;
                i = end;
                t
            }
            b'(' | b')' | b',' | b';' | b'[' | b']' => {
                i += 1;
                col += 1;
                match c {
                    b'(' => Token::LParen,
                    b')' => Token::RParen,
                    b',' => Token::Comma,
                    b';' => Token::SemiColon,
                    b'[' => Token::LBracket,
                    _ => Token::RBracket,
                }
            }
            b'.' => {
                if b.get(i + 1).is_some_and(|x| x.is_ascii_digit()) {
                    return None;
                }
                i += 1;
                col += 1;
                Token::Period
            }
            b':' => {
                if b.get(i + 1) != Some(&b':') || b.get(i + 2) == Some(&b':') {
                    return None;
                }
                i += 2;
                col += 2;
                Token::DoubleColon
            }
            _ if is_operator_byte(c) => {
                let end = i + b[i..].iter().position(|&x| !is_operator_byte(x)).unwrap_or(b.len() - i);
                let t = match &src[i..end] {
                    "=" => Token::Eq,
                    "<" => Token::Lt,
                    ">" => Token::Gt,
                    "<=" => Token::LtEq,
                    ">=" => Token::GtEq,
                    "<>" | "!=" => Token::Neq,
                    "+" => Token::Plus,
                    "-" => Token::Minus,
                    "*" => Token::Mul,
                    "/" => Token::Div,
                    "%" => Token::Mod,
                    "||" => Token::StringConcat,
                    _ => return None,
                };
                col += (end - i) as u64;
                i = end;
                t
            }
            _ => return None,
        };
        out.push(TokenWithSpan::new(token, Span::new(start, Location::new(line, col))));
    }
    Some(out)
}

/// An unquoted word with its keyword, as `Token::make_word` gives it; the
/// keyword comes from a hash of the upper-cased word instead of a binary
/// search comparing case-insensitively, which showed in profiles.
fn unquoted_word(word: &str) -> Token {
    static KEYWORDS: OnceLock<FxHashMap<&'static str, Keyword>> = OnceLock::new();
    const LONGEST: usize = 64;
    let keywords =
        KEYWORDS.get_or_init(|| ALL_KEYWORDS.iter().copied().zip(ALL_KEYWORDS_INDEX.iter().copied()).collect());
    let keyword = if word.len() <= LONGEST {
        let mut buf = [0u8; LONGEST];
        let upper = &mut buf[..word.len()];
        upper.copy_from_slice(word.as_bytes());
        upper.make_ascii_uppercase();
        // ASCII in, ASCII out: the fast path only takes ASCII words.
        std::str::from_utf8(upper).ok().and_then(|u| keywords.get(u).copied()).unwrap_or(Keyword::NoKeyword)
    } else {
        Keyword::NoKeyword
    };
    Token::Word(Word { value: word.to_string(), quote_style: None, keyword })
}

/// Characters PostgreSQL reads as parts of an operator.
fn is_operator_byte(c: u8) -> bool {
    matches!(
        c,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// A quoted string or identifier opening at `i`: its value (doubled quotes
/// undone), the index after it, and the line and column after it.
fn quoted(src: &str, i: usize, quote: u8, (mut line, mut col): (u64, u64)) -> Option<(String, usize, u64, u64)> {
    let b = src.as_bytes();
    let mut value = String::new();
    let mut j = i + 1;
    let mut run = j;
    col += 1;
    loop {
        let k = j + b[j..].iter().position(|&x| x == quote || x == b'\n')?;
        if b[k] == b'\n' {
            line += 1;
            col = 1;
            j = k + 1;
            continue;
        }
        col += src[j..k].chars().count() as u64 + 1;
        if b.get(k + 1) == Some(&quote) {
            value.push_str(&src[run..=k]);
            col += 1;
            j = k + 2;
            run = j;
            continue;
        }
        value.push_str(&src[run..k]);
        return Some((value, k + 1, line, col));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn slow(src: &str) -> Vec<TokenWithSpan> {
        let dialect = PostgreSqlDialect {};
        let tokens = Tokenizer::new(&dialect, src).tokenize_with_location().expect("sqlparser tokenizes");
        tokens.into_iter().filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF)).collect()
    }

    /// The fast path either declines or agrees with sqlparser, spans included.
    fn agrees(src: &str) -> bool {
        let Some(fast) = fast_tokens(src, Location::new(1, 1)) else { return false };
        let slow = slow(src);
        assert_eq!(fast.len(), slow.len(), "token count differs for {src:?}\nfast {fast:?}\nslow {slow:?}");
        for (f, s) in fast.iter().zip(&slow) {
            assert_eq!(f.token, s.token, "token differs in {src:?}");
            assert_eq!(f.span, s.span, "span of {:?} differs in {src:?}", f.token);
        }
        true
    }

    #[test]
    fn plain_ddl_takes_the_fast_path_and_agrees() {
        for src in [
            "CREATE TABLE public.t (id bigint NOT NULL DEFAULT nextval('t_id_seq'::regclass), \"Name\" varchar(20))",
            "CREATE UNIQUE INDEX t_idx ON t USING btree (lower(name) DESC NULLS LAST) WHERE (a >= 1.5 AND b <> 'x''y')",
            "ALTER TABLE ONLY t\n  ADD CONSTRAINT c CHECK ((n <= 10) OR (n != -1) OR s || 'é' = 'a\nb'); -- done é\n",
            "CREATE TABLE t (a int) -- a comment\r ends at a carriage return\r\n",
            "COMMENT ON COLUMN t.\"we\"\"ird\" IS 'it''s ünïcode'",
            "CREATE TABLE t (a int[], b numeric(10,2)[3], c text DEFAULT '' , d int DEFAULT 2 * 3 % 4 / 5 + 6)",
        ] {
            assert!(agrees(src), "fast path declined {src:?}");
        }
    }

    #[test]
    fn unusual_text_goes_to_sqlparser() {
        for src in [
            "SELECT E'a\\'b'",
            "SELECT $1",
            "SELECT $$body$$",
            "SELECT a->>'k'",
            "SELECT 'a\\b'",
            "SELECT .5",
            "SELECT 1e10",
            "SELECT /* c */ 1",
            "SELECT x::text::int, y := 1",
            "SELECT U&'d\\0061'",
            "SELECT ünïcode",
            "SELECT 'unterminated",
            "SELECT a=-1",
        ] {
            assert!(fast_tokens(src, Location::new(1, 1)).is_none(), "fast path took {src:?}");
        }
    }

    #[test]
    fn every_sql_file_in_the_repository_agrees_where_taken() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["schema", "fixtures", "migrations"] {
            collect(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "expected the repository's SQL files, found {}", files.len());
        let (mut taken, mut total) = (0, 0);
        for f in files {
            let text = std::fs::read_to_string(&f).expect("readable");
            for piece in super::super::split::pieces(&text) {
                let src = &text[piece.bytes.clone()];
                if Tokenizer::new(&PostgreSqlDialect {}, src).tokenize().is_err() {
                    continue;
                }
                total += 1;
                if agrees(src) {
                    taken += 1;
                }
            }
        }
        // The point of the fast path is that it is the common path.
        assert!(taken * 10 >= total * 9, "fast path took only {taken} of {total} statements");
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "sql") {
                out.push(p);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn generated_text_agrees_or_is_declined(src in "[a-zA-Z_0-9 \n\r\t'\"().,;:=<>!|+*/%\\-\\[\\]é$&@#~^?`\\\\E]{0,40}") {
            if sqlparser::tokenizer::Tokenizer::new(&PostgreSqlDialect {}, &src).tokenize().is_ok() {
                agrees(&src);
            }
        }
    }
}
