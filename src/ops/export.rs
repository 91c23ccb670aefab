//! `pgstate export`: the live schema as declarative SQL, to stdout, one file,
//! or a directory with `schema.sql` and one file per table.
//!
//! A table's file name is `<schema>.<table>.sql`, each part escaped so that
//! no two tables share a file and the name can be read back: `[a-z0-9_-]`
//! stay, every other byte of the UTF-8 name (upper case, `.`, `%`, ...) is
//! written `%XX`. A name longer than the file system takes (255 bytes) is cut
//! and ends in `~` and 16 hex digits of its SHA-256 (`~` never appears
//! otherwise). The directory holds a marker, `.pgstate-export`, listing the
//! files written: the next export into it removes them first, and an export
//! into a directory holding anything else is refused.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use crate::diff::{Change, CommentTarget};
use crate::introspect::{introspect, Scope};
use crate::model::{Catalog, GrantObject, QualName};
use crate::plan::plan;

use super::error::ExportError;
use super::live::NOTHING_CHANGED;
use super::timeout::{self, Phase};
use super::OpsError;

/// The marker file of an export directory.
pub const MARKER: &str = ".pgstate-export";

/// The file holding everything that is not a table's.
pub const SCHEMA_FILE: &str = "schema.sql";

/// The longest file name most file systems take, in bytes.
pub const NAME_MAX: usize = 255;

/// Reads the database's managed schemas.
pub async fn read(client: &Client, scope: &Scope) -> Result<Catalog, OpsError> {
    let reading = async { Ok(introspect(client, scope).await?.catalog) };
    timeout::bounded(client, Some(scope.list()), Phase::Reading, NOTHING_CHANGED, reading).await
}

/// Takes `tables` out of `catalog`, with their triggers and grants.
pub fn leave_out(catalog: &mut Catalog, tables: &[QualName]) {
    catalog.tables.retain(|name, _| !tables.contains(name));
    catalog.triggers.retain(|id, _| !tables.contains(&id.table));
    catalog.grants.retain(|key, _| match &key.object {
        GrantObject::Table(t) | GrantObject::Column(t, _) => !tables.contains(t),
        _ => true,
    });
}

/// Writes `catalog` as SQL: to `out` as one file when it ends in `.sql`, else as
/// a directory with `schema.sql` (schemas, extensions, types, sequences...) and
/// one file per table (see the module's docs). Returns the files written.
pub fn write(catalog: &Catalog, out: &Path) -> Result<Vec<PathBuf>, OpsError> {
    let plan = plan(&Catalog::default(), catalog, &[])?;
    // A routine's body is read with the loading session's string setting: say which (see `Plan::preamble`).
    let preamble = plan.preamble();
    let steps = plan.steps;
    if out.extension().is_some_and(|e| e == "sql") {
        let sql: String = std::iter::once(preamble.to_string())
            .chain(steps.iter().flat_map(|s| s.sql.iter().map(|q| format!("{q};\n"))))
            .collect();
        std::fs::write(out, sql)?;
        return Ok(vec![out.to_path_buf()]);
    }
    let mut files: indexmap::IndexMap<String, String> = indexmap::IndexMap::new();
    files.insert(SCHEMA_FILE.to_string(), String::new());
    for step in &steps {
        let file = match table_of(&step.change) {
            Some(t) => file_name(t),
            None => SCHEMA_FILE.to_string(),
        };
        let text = files.entry(file).or_default();
        if matches!(step.change, Change::CreateRoutine { .. }) && !text.starts_with(preamble) {
            text.insert_str(0, preamble);
        }
        for q in &step.sql {
            text.push_str(q);
            text.push_str(";\n");
        }
    }
    write_dir(out, &files)
}

/// Replaces the previous export in `dir` (refusing a directory holding
/// anything else) by `files`.
fn write_dir(dir: &Path, files: &indexmap::IndexMap<String, String>) -> Result<Vec<PathBuf>, OpsError> {
    let previous = previous_export(dir)?;
    // The marker lists both sets first: an export cut short leaves no file unlisted.
    let mut both: Vec<&str> = previous.iter().map(String::as_str).collect();
    both.extend(files.keys().map(String::as_str).filter(|f| !previous.iter().any(|p| p == f)));
    write_marker(dir, &both)?;
    for old in previous.iter().filter(|p| !files.contains_key(*p)) {
        match std::fs::remove_file(dir.join(old)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    write_marker(dir, &files.keys().map(String::as_str).collect::<Vec<_>>())?;
    Ok(written)
}

fn write_marker(dir: &Path, names: &[&str]) -> std::io::Result<()> {
    let mut text = String::from(
        "# Written by `pgstate export`: the files below are its output; the next export into this directory\n\
         # removes them first. An export refuses a directory holding files not listed here.\n",
    );
    for n in names {
        text.push_str(n);
        text.push('\n');
    }
    std::fs::write(dir.join(MARKER), text)
}

/// The files the previous export into `dir` wrote (none for a new or empty
/// directory, which is created); an error naming a file it did not write.
fn previous_export(dir: &Path) -> Result<Vec<String>, OpsError> {
    std::fs::create_dir_all(dir)?;
    let listed: Vec<String> = match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(text) => text.lines().filter(|l| is_export_name(l)).map(str::to_string).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut entries: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    if let Some(file) = entries.into_iter().find(|n| n != MARKER && !listed.contains(n)) {
        return Err(ExportError::Foreign { dir: dir.display().to_string(), file }.into());
    }
    Ok(listed)
}

/// Whether `name` is one an export writes: only those are ever removed, so a
/// marker edited to list `../x` removes nothing outside the directory.
fn is_export_name(name: &str) -> bool {
    name == SCHEMA_FILE
        || (name.ends_with(".sql")
            && !name.starts_with('.')
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"ABCDEF_-.%~".contains(&b)))
}

/// One part of a file name: `[a-z0-9_-]` kept, every other byte as `%XX`.
pub fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for b in part.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file of a table: `<schema>.<name>.sql`, both escaped; when that is
/// longer than `NAME_MAX` bytes, cut, with `~` and a hash of the full name.
pub fn file_name(table: &QualName) -> String {
    let base = format!("{}.{}", escape(&table.schema), escape(&table.name));
    if base.len() + ".sql".len() <= NAME_MAX {
        return format!("{base}.sql");
    }
    let hash: String = Sha256::digest(base.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    let mut cut = NAME_MAX - "~".len() - hash.len() - ".sql".len();
    // Never cut an escape in two (the base is ASCII, so any byte is a
    // boundary), nor a character: back to the escape of its first byte.
    if let Some(p) = base[..cut].rfind('%').filter(|&p| p + 3 > cut) {
        cut = p;
    }
    while cut >= 3 && base[cut..].starts_with('%') && matches!(base.as_bytes()[cut + 1], b'8' | b'9' | b'A' | b'B') {
        cut -= 3;
    }
    format!("{}~{hash}.sql", &base[..cut])
}

/// The table a file name stands for, when it is not a cut one (the inverse of `file_name`).
pub fn table_of_file(name: &str) -> Option<QualName> {
    let base = name.strip_suffix(".sql")?;
    if base.contains('~') {
        return None;
    }
    let (schema, table) = base.split_once('.')?;
    Some(QualName::new(unescape(schema)?, unescape(table)?))
}

fn unescape(part: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(part.len());
    let mut rest = part.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

fn table_of(change: &Change) -> Option<&QualName> {
    match change {
        Change::CreateTable { table } => Some(&table.name),
        Change::AddConstraint { table, .. } | Change::CreateIndex { table, .. } => Some(table),
        Change::SetComment {
            target: CommentTarget::Table(t) | CommentTarget::Column(t, _) | CommentTarget::Constraint(t, _),
            ..
        } => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_reversibly() {
        for (schema, name, file) in [
            ("public", "a_b", "public.a_b.sql"),
            ("public", "a~b", "public.a%7Eb.sql"),
            ("public", "a|b", "public.a%7Cb.sql"),
            ("public", "a:b", "public.a%3Ab.sql"),
            ("My.Schema", "é\n\"", "%4Dy%2E%53chema.%C3%A9%0A%22.sql"),
            ("public", "%41", "public.%2541.sql"),
        ] {
            let t = QualName::new(schema, name);
            assert_eq!(file_name(&t), file);
            assert_eq!(table_of_file(file), Some(t));
        }
    }

    #[test]
    fn long_names_are_cut_with_a_hash() {
        let (a, b) = (QualName::new("ü".repeat(31), "é".repeat(31)), QualName::new("ü".repeat(31), "é".repeat(30)));
        let (fa, fb) = (file_name(&a), file_name(&b));
        assert!(fa.len() <= NAME_MAX && fb.len() <= NAME_MAX && fa != fb, "{fa} {fb}");
        assert!(fa.contains('~') && is_export_name(&fa), "{fa}");
        assert_eq!(table_of_file(&fa), None);
        // Cut before an escape, not inside it.
        let stem = fa.split('~').next().unwrap_or_default();
        assert!(unescape(stem.split_once('.').map_or(stem, |(_, t)| t)).is_some(), "{fa}");
    }

    #[test]
    fn only_export_names_are_ever_removed() {
        assert!(is_export_name("schema.sql") && is_export_name("public.a%7Eb.sql"));
        for bad in ["../x.sql", "a/b.sql", ".pgstate-export", "notes.txt", "..sql", "Z.sql"] {
            assert!(!is_export_name(bad), "{bad}");
        }
    }
}
