//! Cuts a file into statements: a cheap scanner finds the top-level semicolons
//! (outside quotes, dollar quotes and comments), then each statement is
//! tokenized by sqlparser on its own, so that it is parsed (and fails) on its
//! own, every error keeps its file location, and no whole-file token vector is
//! ever held (at 10,000 tables that vector was most of the memory).
//! Whitespace and comments are dropped: the parser skips them anyway.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer};

use super::lexer::fast_tokens;

/// The tokens of one statement (without its `;`).
pub struct RawStatement {
    /// Its tokens, without whitespace or comments, with file locations.
    pub tokens: Vec<TokenWithSpan>,
    /// Where the statement's text lies in the file (from its first token to
    /// its `;`); kept as a range, not copied, as most callers never read it.
    pub bytes: Range<usize>,
    /// Identifiers longer than PostgreSQL keeps, already cut in `tokens`.
    pub truncated: Vec<Truncated>,
}

/// An identifier cut to 63 bytes as PostgreSQL's scanner cuts it.
#[derive(Debug, Clone)]
pub struct Truncated {
    /// The name as written (case-folded as PostgreSQL folds it).
    pub written: String,
    /// The name PostgreSQL stores.
    pub stored: String,
    /// Where it was written.
    pub span: Span,
}

/// Where one statement lies in a file: its bytes (up to, not including, the
/// `;`) and the location of its first byte.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Byte range in the file.
    pub bytes: Range<usize>,
    /// 1-based line and column (in characters) of `bytes.start`.
    pub start: Location,
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
    let mut out = Vec::new();
    for piece in pieces(text) {
        if let Some(raw) = tokenize(text, &piece)? {
            out.push(raw);
        }
    }
    Ok(out)
}

/// Tokenizes one piece of `text`; `None` when it holds only whitespace and comments.
pub fn tokenize(text: &str, piece: &Piece) -> Result<Option<RawStatement>, (String, Location)> {
    let src = &text[piece.bytes.clone()];
    let tokens = match fast_tokens(src, piece.start) {
        Some(tokens) => {
            // Under cargo-fuzz, every statement the fast path takes is checked
            // against sqlparser's tokenizer, so the parser's fuzz target is
            // also a differential test of the lexer.
            #[cfg(fuzzing)]
            if let Ok(slow) = sqlparser_tokens(src, piece.start) {
                assert_eq!(tokens, slow, "fast lexer disagrees with sqlparser on {src:?}");
            }
            tokens
        }
        None => sqlparser_tokens(src, piece.start)?,
    };
    let tokens = decoded_strings(unicode_idents(tokens)?)?;
    let Some(first) = tokens.first() else { return Ok(None) };
    let lead = byte_at(src, unshift(first.span.start, piece.start));
    let mut tokens = tokens;
    let truncated = truncate_identifiers(&mut tokens);
    Ok(Some(RawStatement { tokens, bytes: piece.bytes.start + lead..piece.bytes.end, truncated }))
}

/// Cuts every identifier longer than 63 bytes where PostgreSQL's scanner
/// does, before anything reads a name: tables, columns, constraints,
/// indexes, types, schemas, functions, triggers, policies, roles, and names
/// inside expressions alike. Keywords are never that long.
fn truncate_identifiers(tokens: &mut [TokenWithSpan]) -> Vec<Truncated> {
    let mut out = Vec::new();
    for t in tokens.iter_mut() {
        let Token::Word(w) = &mut t.token else { continue };
        let Some(stored) = crate::canon::limits::truncated(&w.value).map(str::to_string) else { continue };
        let folded = |value: &str| {
            crate::canon::ident::fold(&sqlparser::ast::Ident {
                value: value.to_string(),
                quote_style: w.quote_style,
                span: t.span,
            })
        };
        out.push(Truncated { written: folded(&w.value), stored: folded(&stored), span: t.span });
        w.value = stored;
    }
    out
}

/// Every string constant as the plain string of its value: PostgreSQL reads
/// `'...'`, `E'...'`, `U&'...'` and `$tag$...$tag$` as the same kind of
/// constant, and sqlparser has already decoded each. From here on no part of
/// pgstate can see (or print) an escape or a dollar quote as written, only
/// the value, which the quoting module prints. `N'...'` stays apart (it is
/// typed `bpchar`).
///
/// A NUL character (U+0000) in a constant or a name is refused here:
/// PostgreSQL cannot store one in text, and no printed form of it reads back.
fn decoded_strings(mut tokens: Vec<TokenWithSpan>) -> Result<Vec<TokenWithSpan>, (String, Location)> {
    for i in 0..tokens.len() {
        if let Token::SingleQuotedString(s)
        | Token::EscapedStringLiteral(s)
        | Token::UnicodeStringLiteral(s)
        | Token::NationalStringLiteral(s)
        | Token::DollarQuotedString(sqlparser::ast::DollarQuotedString { value: s, .. })
        | Token::Word(sqlparser::tokenizer::Word { value: s, .. }) = &tokens[i].token
        {
            if s.contains('\0') {
                return Err((
                    "a NUL character (U+0000) in a string or a name: PostgreSQL cannot store one".into(),
                    tokens[i].span.start,
                ));
            }
        }
        let value = match &mut tokens[i].token {
            Token::EscapedStringLiteral(s) | Token::UnicodeStringLiteral(s) => std::mem::take(s),
            Token::DollarQuotedString(d) => std::mem::take(&mut d.value),
            _ => continue,
        };
        let unicode = matches!(tokens[i].token, Token::UnicodeStringLiteral(_));
        if unicode && tokens.get(i + 1).is_some_and(|n| is_keyword(n, Keyword::UESCAPE)) {
            // Decoded with `\` as the escape: another one would give another value.
            return Err((
                "UESCAPE after a U& string is not supported: write the escapes with \\".into(),
                tokens[i].span.start,
            ));
        }
        tokens[i].token = Token::SingleQuotedString(value);
    }
    Ok(tokens)
}

/// `U&"d\0061t"` is one quoted identifier in PostgreSQL (pgstate writes names
/// holding control characters that way); sqlparser reads it as `U`, `&` and a
/// quoted word. The three, written without space between them, become one
/// word holding the decoded name (`UESCAPE 'c'` after it names another escape
/// character).
fn unicode_idents(tokens: Vec<TokenWithSpan>) -> Result<Vec<TokenWithSpan>, (String, Location)> {
    let is_u = |t: &TokenWithSpan| matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("u"));
    if !tokens.windows(2).any(|w| is_u(&w[0]) && w[1].token == Token::Ampersand) {
        return Ok(tokens);
    }
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut it = tokens.into_iter().peekable();
    while let Some(t) = it.next() {
        if !is_u(&t) {
            out.push(t);
            continue;
        }
        let amp = it.next_if(|a| a.token == Token::Ampersand && a.span.start == t.span.end);
        let Some(amp) = amp else {
            out.push(t);
            continue;
        };
        let word = it.next_if(|w| {
            matches!(&w.token, Token::Word(w) if w.quote_style == Some('"')) && w.span.start == amp.span.end
        });
        let Some(TokenWithSpan { token: Token::Word(mut w), span }) = word else {
            out.push(t);
            out.push(amp);
            continue;
        };
        let mut end = span.end;
        let mut escape = '\\';
        if it.peek().is_some_and(|n| is_keyword(n, Keyword::UESCAPE)) {
            let kw = it.next().map(|k| k.span.start).unwrap_or(end);
            match it.next() {
                Some(TokenWithSpan { token: Token::SingleQuotedString(c), span }) if c.chars().count() == 1 => {
                    escape = c.chars().next().unwrap_or('\\');
                    end = span.end;
                }
                _ => return Err(("UESCAPE must be followed by a one-character string".into(), kw)),
            }
        }
        w.value = decode_unicode_escapes(&w.value, escape).map_err(|m| (m, t.span.start))?;
        out.push(TokenWithSpan { token: Token::Word(w), span: Span::new(t.span.start, end) });
    }
    Ok(out)
}

/// The value of a `U&` string or identifier body: `\XXXX`, `\+XXXXXX` (with
/// surrogate pairs joined) and a doubled escape character.
pub fn decode_unicode_escapes(body: &str, escape: char) -> Result<String, String> {
    let bad = || "invalid Unicode escape in a U& name (\\XXXX or \\+XXXXXX expected)".to_string();
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    let mut high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != escape {
            if high.is_some() {
                return Err(bad());
            }
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&escape) {
            chars.next();
            out.push(escape);
            continue;
        }
        let width = if chars.peek() == Some(&'+') {
            chars.next();
            6
        } else {
            4
        };
        let hex: String = (0..width).filter_map(|_| chars.next()).collect();
        let n = (hex.len() == width).then(|| u32::from_str_radix(&hex, 16).ok()).flatten().ok_or_else(bad)?;
        let n = match (high.take(), n) {
            (None, 0xD800..=0xDBFF) => {
                high = Some(n);
                continue;
            }
            (Some(h), 0xDC00..=0xDFFF) => 0x10000 + ((h - 0xD800) << 10) + (n - 0xDC00),
            (Some(_), _) | (None, 0xDC00..=0xDFFF) => return Err(bad()),
            (None, n) => n,
        };
        out.push(char::from_u32(n).filter(|&c| c != '\0').ok_or_else(bad)?);
    }
    if high.is_some() {
        return Err(bad());
    }
    Ok(out)
}

/// sqlparser's tokenizer, for what the fast path declines.
fn sqlparser_tokens(src: &str, origin: Location) -> Result<Vec<TokenWithSpan>, (String, Location)> {
    let dialect = PostgreSqlDialect {};
    let mut buf = Vec::new();
    Tokenizer::new(&dialect, src)
        .tokenize_with_location_into_buf(&mut buf)
        .map_err(|e| (e.message, shift(e.location, origin)))?;
    let mut tokens = Vec::with_capacity(buf.len() / 2 + 1);
    for mut t in buf {
        if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
            continue;
        }
        t.span = Span::new(shift(t.span.start, origin), shift(t.span.end, origin));
        tokens.push(t);
    }
    Ok(tokens)
}

/// A file location made relative to a piece starting at `origin`.
fn unshift(loc: Location, origin: Location) -> Location {
    if loc.line == origin.line {
        Location::new(1, loc.column + 1 - origin.column)
    } else {
        Location::new(loc.line + 1 - origin.line, loc.column)
    }
}

/// A location relative to a piece, made relative to the file.
fn shift(loc: Location, origin: Location) -> Location {
    if loc.line <= 1 {
        Location::new(origin.line, origin.column + loc.column.saturating_sub(1))
    } else {
        Location::new(origin.line + loc.line - 1, loc.column)
    }
}

/// The byte offset of a 1-based line/column in `src`.
fn byte_at(src: &str, loc: Location) -> usize {
    let mut start = 0;
    for _ in 1..loc.line {
        match src[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return src.len(),
        }
    }
    let line = &src[start..];
    start + line.char_indices().nth(loc.column.saturating_sub(1) as usize).map_or(line.len(), |(i, _)| i)
}

/// Cuts `text` at its top-level semicolons. Quotes ('' and E'' strings, ""
/// identifiers, $tag$ bodies) and comments (-- and nested /* */) are skipped
/// as PostgreSQL's lexer skips them; an unterminated one runs to the end, where
/// the tokenizer reports it. Inside `CREATE [OR REPLACE] FUNCTION | PROCEDURE`,
/// a `BEGIN ... END` block (a SQL-standard body) holds its semicolons, as psql
/// tracks it.
pub fn pieces(text: &str) -> Vec<Piece> {
    scan(text).pieces
}

/// What one pass of the statement scanner finds in a file.
pub struct Scanned {
    /// The statements, as `pieces` returns them.
    pub pieces: Vec<Piece>,
    /// psql meta-command lines (`\restrict`, `\connect`): a backslash first on
    /// a line, outside any quote or comment, up to the end of that line.
    pub meta_commands: Vec<Range<usize>>,
    /// `--` comments (from the dashes to the end of the line), outside quotes.
    pub line_comments: Vec<Range<usize>>,
    /// The data lines after a `COPY ... FROM stdin;`, up to and including
    /// the `\.` line that ends them (psql reads them, not the server's parser).
    pub data_blocks: Vec<Range<usize>>,
}

/// Finds statements, meta-command lines and line comments in one pass, with
/// quotes, dollar quotes and comments skipped as PostgreSQL's lexer skips
/// them: a `\` or `--` inside a string is neither.
pub fn scan(text: &str) -> Scanned {
    let b = text.as_bytes();
    let mut ranges = Vec::new();
    let mut meta_commands = Vec::new();
    let mut line_comments = Vec::new();
    let mut data_blocks = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut block = BeginDepth::default();
    while i < b.len() {
        i = match b[i] {
            b'\\' if at_line_start(b, i) => {
                let end = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p);
                meta_commands.push(i..end);
                end
            }
            // As psql: a `;` inside parentheses (a rule's commands) ends nothing.
            b';' if block.depth == 0 && block.parens <= 0 => {
                ranges.push(start..i);
                let next = if block.copy_from_stdin() {
                    let data = copy_data(b, i + 1);
                    let end = data.end;
                    data_blocks.push(data);
                    end
                } else {
                    i + 1
                };
                start = next;
                block = BeginDepth::default();
                next
            }
            b'(' => {
                block.parens += 1;
                i + 1
            }
            b')' => {
                block.parens -= 1;
                i + 1
            }
            c if (c.is_ascii_alphabetic() || c == b'_' || c >= 0x80) && !(i > 0 && is_ident_byte(b[i - 1])) => {
                let end = b[i..].iter().position(|&c| !is_ident_byte(c)).map_or(b.len(), |p| i + p);
                block.word(&b[i..end]);
                end
            }
            b'\'' => {
                let escapes = i > 0 && matches!(b[i - 1], b'E' | b'e') && !(i >= 2 && is_ident_byte(b[i - 2]));
                skip_quoted(b, i + 1, b'\'', escapes)
            }
            b'"' => skip_quoted(b, i + 1, b'"', false),
            // A line comment ends at \n or \r.
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let end = b[i..].iter().position(|&c| c == b'\n' || c == b'\r').map_or(b.len(), |p| i + p);
                line_comments.push(i..end);
                end
            }
            b'/' if b.get(i + 1) == Some(&b'*') => skip_block_comment(b, i + 2),
            b'$' if !(i > 0 && is_ident_byte(b[i - 1])) => skip_dollar_quoted(b, i),
            _ => i + 1,
        };
    }
    if start < b.len() {
        ranges.push(start..b.len());
    }
    // Locations of the starts, in one pass over the text.
    let mut out = Vec::with_capacity(ranges.len());
    // Columns count characters from the line start, continued from the last
    // piece on the same line so that one very long line stays linear.
    let (mut at, mut line, mut column) = (0, 1u64, 1u64);
    for bytes in ranges {
        let gap = &text[at..bytes.start];
        match gap.rfind('\n') {
            Some(nl) => {
                line += gap.bytes().filter(|&c| c == b'\n').count() as u64;
                column = gap[nl + 1..].chars().count() as u64 + 1;
            }
            None => column += gap.chars().count() as u64,
        }
        at = bytes.start;
        out.push(Piece { bytes, start: Location::new(line, column) });
    }
    Scanned { pieces: out, meta_commands, line_comments, data_blocks }
}

/// Whether only spaces and tabs stand between the start of `i`'s line and `i`.
fn at_line_start(b: &[u8], i: usize) -> bool {
    b[..i].iter().rev().take_while(|&&c| c != b'\n').all(|&c| c == b' ' || c == b'\t')
}

/// psql's heuristic for SQL-standard routine bodies: the first words of the
/// statement say whether it creates a function or procedure; there, BEGIN
/// (and CASE inside a block) opens and END closes, outside parentheses.
#[derive(Default)]
struct BeginDepth {
    words: usize,
    /// The statement starts with `COPY` and names `stdin`: data lines follow it.
    copy: bool,
    stdin: bool,
    lead: [u8; 4],
    parens: i32,
    depth: u32,
}

impl BeginDepth {
    fn word(&mut self, w: &[u8]) {
        if self.words == 0 && w.eq_ignore_ascii_case(b"copy") {
            self.copy = true;
        } else if self.copy && w.eq_ignore_ascii_case(b"stdin") {
            self.stdin = true;
        }
        const LEAD: &[&[u8]] = &[b"create", b"function", b"procedure", b"or", b"replace"];
        if self.words < 4 && LEAD.iter().any(|l| w.eq_ignore_ascii_case(l)) {
            self.lead[self.words] = w[0].to_ascii_lowercase();
        }
        self.words += 1;
        let l = self.lead;
        let routine = l[0] == b'c'
            && (l[1] == b'f' || l[1] == b'p' || (l[1] == b'o' && l[2] == b'r' && (l[3] == b'f' || l[3] == b'p')));
        if !routine || self.parens != 0 {
            return;
        }
        if w.eq_ignore_ascii_case(b"begin") {
            self.depth += 1;
        } else if w.eq_ignore_ascii_case(b"case") {
            if self.depth >= 1 {
                self.depth += 1;
            }
        } else if w.eq_ignore_ascii_case(b"end") {
            self.depth = self.depth.saturating_sub(1);
        }
    }
}

impl BeginDepth {
    fn copy_from_stdin(&self) -> bool {
        self.copy && self.stdin
    }
}

/// The data block of a `COPY ... FROM stdin` whose `;` is just before `i`:
/// from there to the end of the line holding only `\.` (or to the end of the
/// text when that line is missing, as psql would wait for it).
fn copy_data(b: &[u8], i: usize) -> Range<usize> {
    // The rest of the COPY statement's own line belongs to it.
    let mut line = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p + 1);
    while line < b.len() {
        let end = b[line..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| line + p);
        let content = &b[line..end];
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content == b"\\." {
            return i..end;
        }
        line = end + 1;
    }
    i..b.len()
}

/// Bytes that continue an identifier (so a `$` or `'` after them starts nothing).
fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// The index after the closing quote of a string or quoted identifier whose
/// body starts at `i`; a doubled quote is part of the body.
fn skip_quoted(b: &[u8], mut i: usize, quote: u8, backslash_escapes: bool) -> usize {
    while i < b.len() {
        if backslash_escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// The index after a (nested) block comment whose body starts at `i`.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 1;
    while i < b.len() {
        if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    b.len()
}

/// At a `$`: the index after a `$tag$ ... $tag$` string, or after the `$` when
/// it opens none (a parameter such as `$1`).
fn skip_dollar_quoted(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b.get(j).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || c >= 0x80) {
        while b.get(j).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80) {
            j += 1;
        }
    }
    if b.get(j) != Some(&b'$') {
        return i + 1;
    }
    let tag = &b[i..=j];
    let body = j + 1;
    match b[body..].windows(tag.len()).position(|w| w == tag) {
        Some(p) => body + p + tag.len(),
        None => b.len(),
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
    fn every_string_constant_is_its_value_after_tokenizing() {
        let sql = "CREATE TYPE e AS ENUM ('a\\b', E'y\\\\''x', U&'\\0041\\+01F600', $q$it's $$ $q$, N'n')";
        let strings: Vec<Token> = split(sql).unwrap()[0]
            .tokens
            .iter()
            .map(|t| t.token.clone())
            .filter(|t| !matches!(t, Token::Word(_) | Token::LParen | Token::RParen | Token::Comma))
            .collect();
        let plain = |s: &str| Token::SingleQuotedString(s.to_string());
        assert_eq!(
            strings,
            [
                plain("a\\b"),
                plain("y\\'x"),
                plain("A\u{1F600}"),
                plain("it's $$ "),
                Token::NationalStringLiteral("n".into())
            ]
        );
        let err = split("SELECT U&'!0041' UESCAPE '!'").err().expect("refused");
        assert!(err.0.contains("UESCAPE"), "{}", err.0);
    }

    #[test]
    fn a_nul_character_in_a_string_or_a_name_is_refused() {
        // Found by the fuzzer: E'\x00' printed back did not read again.
        assert!(split("SELECT E'a\\x00b'").is_err(), "sqlparser refuses the escape itself");
        for sql in ["SELECT 'a\u{0}b'", "SELECT U&'\\0000'", "SELECT \"a\u{0}\"", "SELECT $$\u{0}$$"] {
            let err = split(sql).err().unwrap_or_else(|| panic!("{sql:?} accepted"));
            assert!(err.0.contains("NUL"), "{sql:?}: {}", err.0);
        }
    }

    #[test]
    fn statements_keep_their_text_and_drop_whitespace() {
        let sql = "CREATE TABLE a (x int); -- note\nCOMMENT ON TABLE a IS 'it''s';\n\n  CREATE TABLE b (y int)";
        let s = split(sql).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(&sql[s[0].bytes.clone()], "CREATE TABLE a (x int)");
        assert_eq!(&sql[s[1].bytes.clone()], "COMMENT ON TABLE a IS 'it''s'");
        assert_eq!(&sql[s[2].bytes.clone()], "CREATE TABLE b (y int)");
        assert!(s[0].tokens.iter().all(|t| !matches!(t.token, Token::Whitespace(_))));
        assert_eq!(s[1].head(3), ["COMMENT", "ON", "TABLE"]);
        assert!(s[1].has_word("is"));
    }

    #[test]
    fn a_begin_atomic_body_keeps_its_semicolons() {
        let sql = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; \
                   SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; END; CREATE TABLE t (x int); BEGIN; COMMIT";
        let s = split(sql).unwrap();
        assert_eq!(s.len(), 4, "{:?}", s.iter().map(|r| &sql[r.bytes.clone()]).collect::<Vec<_>>());
        assert!(sql[s[0].bytes.clone()].ends_with("END; END"));
        assert_eq!(&sql[s[1].bytes.clone()], "CREATE TABLE t (x int)");
        assert_eq!(&sql[s[2].bytes.clone()], "BEGIN");
    }

    #[test]
    fn one_long_line_stays_linear() {
        let sql: String = (0..20_000).map(|i| format!("CREATE TABLE t{i} (x int);")).collect();
        let s = split(&sql).unwrap();
        assert_eq!(s.len(), 20_000);
        assert_eq!(&sql[s[19_999].bytes.clone()], "CREATE TABLE t19999 (x int)");
        let at = sql.find("CREATE TABLE t19999").unwrap() as u64;
        assert_eq!(s[19_999].tokens[0].span.start, Location::new(1, at + 1));
    }

    #[test]
    fn semicolons_inside_quotes_and_comments_do_not_cut() {
        let sql = "COMMENT ON TABLE a IS 'x;y';\n\
                   CREATE TABLE \"b;c\" (d text DEFAULT E'it\\';s');\n\
                   /* a; /* nested; */ still; */ CREATE TABLE e (f text DEFAULT $q$;$q$, g text DEFAULT $$;$$);\n\
                   -- a comment; with a semicolon\n\
                   -- a comment ended by a carriage return\r;\n\
                   CREATE TABLE h$1 (i int);";
        let s = split(sql).unwrap();
        let texts: Vec<&str> = s.iter().map(|r| &sql[r.bytes.clone()]).collect();
        assert_eq!(
            texts,
            [
                "COMMENT ON TABLE a IS 'x;y'",
                "CREATE TABLE \"b;c\" (d text DEFAULT E'it\\';s')",
                "CREATE TABLE e (f text DEFAULT $q$;$q$, g text DEFAULT $$;$$)",
                "CREATE TABLE h$1 (i int)",
            ]
        );
    }

    #[test]
    fn locations_are_file_locations() {
        let sql = "CREATE TABLE a (x int);\n  CREATE TABLE b (\n    y int); CREATE TABLE c (z int)";
        let s = split(sql).unwrap();
        assert_eq!(s[1].tokens[0].span.start, Location::new(2, 3));
        let y = s[1].tokens.iter().find(|t| matches!(&t.token, Token::Word(w) if w.value == "y")).unwrap();
        assert_eq!(y.span.start, Location::new(3, 5));
        assert_eq!(s[2].tokens[0].span.start, Location::new(3, 13));
    }

    #[test]
    fn unicode_escaped_names_are_one_word() {
        let s =
            split("CREATE TABLE U&\"x\\000Ay\\\\\" (a int); SELECT u & \"b\"; SELECT U&\"!0041\" UESCAPE '!'").unwrap();
        let name = s[0].tokens.iter().find_map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
            _ => None,
        });
        assert_eq!(name.as_deref(), Some("x\ny\\"));
        assert_eq!(s[1].tokens.len(), 4, "u & \"b\" with spaces is an operator expression");
        assert!(matches!(&s[2].tokens[1].token, Token::Word(w) if w.value == "A"));
        assert_eq!(decode_unicode_escapes("\\D83D\\DE00", '\\').unwrap(), "\u{1F600}");
        assert!(decode_unicode_escapes("\\00", '\\').is_err());
    }

    #[test]
    fn tokenizer_errors_are_located_in_the_file() {
        let err = split("CREATE TABLE a (x int);\nCREATE TABLE b (y text DEFAULT 'open)").err().unwrap();
        assert_eq!(err.1.line, 2);
    }
}
