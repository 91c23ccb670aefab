//! Loading schema files and mapping parser locations back to byte spans.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use sqlparser::tokenizer::{Location, Span};

/// A place in the input: file index and parser span.
#[derive(Debug, Clone, Copy)]
pub struct At {
    /// Index into the file list.
    pub file: usize,
    /// Span in that file.
    pub span: Span,
}

/// One input file, read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Display name (the path as given, relative when possible).
    pub name: String,
    /// Full text.
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a text under a display name.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile { name: name.into(), text, line_starts }
    }

    /// The byte offset of a 1-based line/column (columns count characters).
    pub fn offset(&self, loc: Location) -> usize {
        let line = (loc.line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = self.line_starts[line];
        let line_text = &self.text[start..];
        let col = loc.column.max(1) as usize - 1;
        start + line_text.char_indices().nth(col).map_or(line_text.len(), |(i, _)| i)
    }

    /// A byte span for a parser span (end inclusive in sqlparser, so extended by one char).
    pub fn span(&self, span: Span) -> SourceSpan {
        let start = self.offset(span.start);
        let end = self.offset(span.end).max(start);
        (start, (end - start).max(1)).into()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset.min(self.text.len())].chars().count() + 1;
        (line, col)
    }

    /// The file as a miette source.
    pub fn named(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.name.clone(), self.text.clone())
    }
}

/// Reads a `.sql` or `.toml` file, or every such file under a directory (sorted by
/// path, so the result never depends on the file system's order).
pub fn load(path: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut paths = Vec::new();
    if path.is_dir() {
        collect(path, &mut paths)?;
        paths.sort();
    } else {
        paths.push(path.to_path_buf());
    }
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
            Ok(SourceFile::new(p.display().to_string(), text))
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("sql" | "toml")) {
            out.push(path);
        }
    }
    Ok(())
}

/// The files under `dir` that `load` passes over for their extension (`.SQL`,
/// `.psql`, `.txt`...), sorted: named when a directory reads as empty.
pub fn ignored_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("sql" | "toml")) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// The text with psql meta-command lines (`\restrict`, `\connect`...) blanked
/// out, keeping every other byte where it was so that spans stay right.
/// `lines` are the meta-command ranges the statement scanner found (a
/// backslash inside a string is no meta-command).
pub fn blank_meta_commands<'a>(text: &'a str, lines: &[std::ops::Range<usize>]) -> std::borrow::Cow<'a, str> {
    if lines.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in lines {
        out.push_str(&text[at..r.start]);
        out.extend(text[r.clone()].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        at = r.end;
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

/// Rename hints: `-- @renamed from=OLD` comments, by 1-based line number.
/// `comments` are the `--` comments the statement scanner found, in order (a
/// string that looks like a hint is no hint).
pub fn rename_hints(text: &str, comments: &[std::ops::Range<usize>]) -> Vec<(u64, String)> {
    let mut hints = Vec::new();
    let (mut line, mut at) = (1u64, 0usize);
    for r in comments {
        let Some(rest) = text[r.clone()].strip_prefix("--").map(str::trim) else { continue };
        let Some(rest) = rest.strip_prefix("@renamed") else { continue };
        let Some(value) = rest.trim().strip_prefix("from=") else { continue };
        let value = value.split_whitespace().next().unwrap_or("").trim_matches('"');
        if value.is_empty() {
            continue;
        }
        line += text.as_bytes()[at..r.start].iter().filter(|&&c| c == b'\n').count() as u64;
        at = r.start;
        // The old name as PostgreSQL stores it: cut to 63 bytes like any identifier.
        hints.push((line, crate::canon::limits::clip(value, crate::canon::limits::MAX_IDENT).to_string()));
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_line_cols_agree() {
        let f = SourceFile::new("x.sql", "ab\ncdé f\n");
        let off = f.offset(Location { line: 2, column: 4 });
        assert_eq!(&f.text[off..off + 1], " ");
        assert_eq!(f.line_col(off), (2, 4));
    }

    fn blank(t: &str) -> String {
        blank_meta_commands(t, &super::super::split::scan(t).meta_commands).into_owned()
    }

    fn hints(t: &str) -> Vec<(u64, String)> {
        rename_hints(t, &super::super::split::scan(t).line_comments)
    }

    #[test]
    fn meta_commands_are_blanked_in_place() {
        let t = "\\restrict abc'\nSET x = 1;\n  \\connect x\n";
        let b = blank(t);
        assert_eq!(b.len(), t.len());
        assert_eq!(b, format!("{}\nSET x = 1;\n{}\n", " ".repeat(14), " ".repeat(12)));
    }

    #[test]
    fn a_backslash_line_inside_a_string_or_name_is_kept() {
        let t = "COMMENT ON TABLE t IS 'a\n\\b';\nCREATE TABLE \"x\n\\y\" (a int);\n";
        assert_eq!(blank(t), t);
    }

    #[test]
    fn hints_are_found() {
        let h = hints("CREATE TABLE t ( -- @renamed from=old_t\n  b int -- @renamed from=a\n);");
        assert_eq!(h, vec![(1, "old_t".to_string()), (2, "a".to_string())]);
    }

    #[test]
    fn a_hint_inside_a_string_is_no_hint() {
        let h = hints("CREATE TABLE t (\n  b text DEFAULT '-- @renamed from=victim'\n);\n-- @renamed from=x\n");
        assert_eq!(h, vec![(4, "x".to_string())]);
    }
}
