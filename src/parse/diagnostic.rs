//! Errors found in schema files: each with its file, span and a help line.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use super::source::SourceFile;

/// One problem in the input, located in its file.
#[derive(Debug, Error, Diagnostic)]
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
        SchemaError {
            message: message.into(),
            src: file.named(),
            span,
            label: label.into(),
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
