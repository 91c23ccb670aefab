//! Identifiers the files write longer than 63 bytes, cut as PostgreSQL cuts
//! them (`split::truncate_identifiers`): a warning per identifier, and the
//! places to name when two of them meet as one name.

use rustc_hash::FxHashMap;

use super::source::At;
use super::source::SourceFile;
use super::split::Truncated;
use crate::canon::limits::notice;

/// Every cut identifier, by the name PostgreSQL stores.
#[derive(Debug, Default)]
pub struct Truncations {
    /// Stored name -> each distinct written name and where it first appears, in input order.
    by_stored: FxHashMap<String, Vec<(String, At)>>,
    /// Stored names in the order they were first met, for stable warnings.
    order: Vec<String>,
}

impl Truncations {
    /// Records the identifiers one statement cut.
    pub fn record(&mut self, file: usize, cut: &[Truncated]) {
        for t in cut {
            let at = At { file, span: t.span };
            let written = self.by_stored.entry(t.stored.clone()).or_insert_with(|| {
                self.order.push(t.stored.clone());
                Vec::new()
            });
            if !written.iter().any(|(w, _)| *w == t.written) {
                written.push((t.written.clone(), at));
            }
        }
    }

    fn place(files: &[SourceFile], at: At) -> String {
        let file = &files[at.file];
        let (line, col) = file.line_col(file.offset(at.span.start));
        format!("{}:{line}:{col}", file.name)
    }

    /// One warning per identifier, at its first place, in PostgreSQL's words.
    pub fn warnings(&self, files: &[SourceFile]) -> Vec<String> {
        let mut out = Vec::new();
        for stored in &self.order {
            for (written, at) in &self.by_stored[stored] {
                out.push(format!("{}: {}", Self::place(files, *at), notice(written, stored)));
            }
        }
        out
    }

    /// When an error names a name that two different identifiers were cut
    /// to, the help that says so, naming where each was written.
    pub fn clash_help(&self, message: &str, files: &[SourceFile]) -> Option<String> {
        let stored = self.order.iter().find(|s| self.by_stored[*s].len() > 1 && message.contains(s.as_str()))?;
        let places: Vec<String> =
            self.by_stored[stored].iter().map(|(w, at)| format!("\"{w}\" ({})", Self::place(files, *at))).collect();
        Some(format!(
            "{} are one name once cut to 63 bytes, as PostgreSQL cuts identifiers (\"{stored}\"): make them differ \
             within their first 63 bytes",
            places.join(" and ")
        ))
    }
}
