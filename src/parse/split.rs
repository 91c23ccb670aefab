//! Cuts a file into statements with sqlparser's tokenizer, so that each statement
//! is parsed (and fails) on its own and every error keeps its location.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// The tokens of one statement (without its `;`).
pub struct RawStatement {
    /// Every token, whitespace included, with locations.
    pub tokens: Vec<TokenWithSpan>,
    /// The statement's source text, exactly as written.
    pub text: String,
}

impl RawStatement {
    /// Tokens that carry meaning (no whitespace or comments).
    pub fn significant(&self) -> impl Iterator<Item = &TokenWithSpan> {
        self.tokens.iter().filter(|t| !matches!(t.token, Token::Whitespace(_)))
    }

    /// The upper-case words of the statement, for classifying it before parsing.
    pub fn words(&self) -> Vec<String> {
        self.significant()
            .map(|t| match &t.token {
                Token::Word(w) if w.quote_style.is_none() => w.value.to_uppercase(),
                other => other.to_string(),
            })
            .collect()
    }

    /// The span from the first to the last significant token.
    pub fn span(&self) -> sqlparser::tokenizer::Span {
        let mut sig = self.significant();
        let first = sig.next().map(|t| t.span).unwrap_or(sqlparser::tokenizer::Span::empty());
        let last = self.significant().last().map(|t| t.span).unwrap_or(first);
        sqlparser::tokenizer::Span::new(first.start, last.end)
    }
}

/// Tokenizes `text` and splits it on top-level semicolons. A tokenizer error
/// comes back with its message and location.
pub fn split(text: &str) -> Result<Vec<RawStatement>, (String, sqlparser::tokenizer::Location)> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|e| (e.message, e.location))?;
    let lines: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let offset = |loc: sqlparser::tokenizer::Location| -> usize {
        let Some(&start) = lines.get((loc.line.max(1) - 1) as usize) else { return text.len() };
        let line = &text[start..];
        start + line.char_indices().nth(loc.column.max(1) as usize - 1).map_or(line.len(), |(i, _)| i)
    };
    let mut out = Vec::new();
    let mut current = Vec::new();
    for t in tokens {
        match t.token {
            Token::SemiColon => {
                let end = offset(t.span.start);
                push(&mut out, std::mem::take(&mut current), text, end, &offset);
            }
            Token::EOF => {}
            _ => current.push(t),
        }
    }
    push(&mut out, current, text, text.len(), &offset);
    Ok(out)
}

fn push(
    out: &mut Vec<RawStatement>,
    tokens: Vec<TokenWithSpan>,
    source: &str,
    end: usize,
    offset: &dyn Fn(sqlparser::tokenizer::Location) -> usize,
) {
    let meaningful = tokens.iter().any(|t| !matches!(t.token, Token::Whitespace(_)));
    if meaningful {
        let start = tokens.first().map_or(end, |t| offset(t.span.start)).min(end);
        out.push(RawStatement { text: source[start..end].to_string(), tokens });
    }
}

/// Whether a token is the given keyword.
pub fn is_keyword(t: &TokenWithSpan, kw: Keyword) -> bool {
    matches!(&t.token, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}
