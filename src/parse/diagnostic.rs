//! Errors found in schema files: each with its file, span and a help line.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use super::source::SourceFile;

/// One problem in the input, located in its file.
#[derive(Debug, Clone, Error, Diagnostic)]
#[error("{message}")]
pub struct SchemaError {
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
    /// `file:line:col`, for plain-text reporting and tests.
    pub location: String,
    /// Byte offset in the file, to report errors in file order.
    offset: usize,
}

impl SchemaError {
    /// An error at `span` in `file`.
    pub fn new(file: &SourceFile, span: SourceSpan, message: impl Into<String>, label: impl Into<String>) -> Self {
        let (line, col) = file.line_col(span.offset());
        let (src, span, label) = excerpt(file, span, label.into());
        SchemaError {
            message: message.into(),
            src,
            span,
            label,
            help: None,
            location: format!("{}:{line}:{col}", file.name),
            offset: span.offset(),
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The longest line shown whole around an error; longer ones are clipped
/// around the error, so an unterminated 50 MB string is not echoed back.
const LINE_SHOWN: usize = 240;

/// What the report shows of `file` around `span`: the file itself when its
/// lines near the error are short; else the same lines (so line numbers stay
/// right) with the long ones clipped around the error, and the span moved to
/// match.
fn excerpt(file: &SourceFile, span: SourceSpan, label: String) -> (NamedSource<Arc<str>>, SourceSpan, String) {
    let text = &file.text;
    let at = span.offset().min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[..line_start.saturating_sub(1)].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let after = text[(line_end + 1).min(text.len())..].find('\n').map_or(text.len(), |i| line_end + 1 + i);
    if after - before <= 3 * LINE_SHOWN {
        return (file.named(), span, label);
    }
    let clip = |s: &str| -> String {
        if s.len() <= LINE_SHOWN {
            return s.to_string();
        }
        let mut end = LINE_SHOWN;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{} …", &s[..end])
    };
    let mut out = String::new();
    // Empty lines up to the one before the error keep its line number.
    out.extend(std::iter::repeat_n('\n', text[..before].matches('\n').count()));
    if before < line_start {
        out.push_str(&clip(&text[before..line_start - 1]));
        out.push('\n');
    }
    // The error's line from a little before the error.
    let mut from = at.saturating_sub(LINE_SHOWN / 2).max(line_start);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    if from > line_start {
        out.push_str("… ");
    }
    let new_at = out.len() + (at - from);
    out.push_str(&clip(&text[from..line_end]));
    if line_end < after {
        out.push('\n');
        out.push_str(&clip(&text[line_end + 1..after]));
    }
    let len = span.len().min(out.len().saturating_sub(new_at)).max(1);
    let src = NamedSource::new(format!("{} (long lines clipped)", file.name), Arc::from(out));
    (src, (new_at, len).into(), label)
}

/// Every problem found in one run, reported together.
#[derive(Debug, Error, Diagnostic)]
#[error("the schema has {} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" })]
pub struct SchemaErrors {
    /// The problems, in file order.
    #[related]
    pub errors: Vec<SchemaError>,
}

impl SchemaErrors {
    /// Collects errors, ordered by file (in input order) and position.
    pub fn new(mut errors: Vec<SchemaError>, files: &[SourceFile]) -> Self {
        let rank = |e: &SchemaError| {
            let file = files.iter().position(|f| e.location.starts_with(&format!("{}:", f.name))).unwrap_or(usize::MAX);
            (file, e.offset)
        };
        errors.sort_by_key(rank);
        SchemaErrors { errors }
    }

    /// One line per error: `file:line:col: message`.
    pub fn summary(&self) -> String {
        self.errors.iter().map(|e| format!("{}: {}\n", e.location, e.message)).collect()
    }
}
