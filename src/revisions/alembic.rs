//! Alembic interop: a revision file in Alembic's Python format whose
//! `upgrade()` and `downgrade()` run pgstate's plan through `op.execute`,
//! chained after the current head of an Alembic versions directory.

use std::path::Path;

use super::RevisionError;

/// `revision` and `down_revision` of each Alembic file in `dir`.
fn revisions(dir: &Path) -> Result<Vec<(String, Vec<String>)>, RevisionError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "py") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let mut revision = None;
        let mut down = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if let Some(v) = assignment(line, "revision") {
                revision = quoted(v).into_iter().next();
            } else if let Some(v) = assignment(line, "down_revision") {
                down = quoted(v);
            }
        }
        if let Some(r) = revision {
            out.push((r, down));
        }
    }
    Ok(out)
}

/// The value of `name = ...` or `name: T = ...`.
fn assignment<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?;
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix(':') {
        Some(r) => r.split_once('=')?.1,
        None => rest.strip_prefix('=')?,
    };
    Some(rest.trim())
}

/// The quoted strings in a Python literal (`'a'`, `("a", "b")`, `None`).
fn quoted(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            let s: String = chars.by_ref().take_while(|&x| x != c).collect();
            out.push(s);
        }
    }
    out
}

/// The single head of an Alembic versions directory (`None` when empty).
pub fn head(dir: &Path) -> Result<Option<String>, RevisionError> {
    let revs = revisions(dir)?;
    let parents: std::collections::HashSet<&String> = revs.iter().flat_map(|(_, d)| d).collect();
    let heads: Vec<String> = revs.iter().filter(|(r, _)| !parents.contains(r)).map(|(r, _)| r.clone()).collect();
    match heads.len() {
        0 => Ok(None),
        1 => Ok(heads.into_iter().next()),
        _ => Err(RevisionError::MultipleHeads(heads)),
    }
}

/// The inside of a Python string literal (between `"` and `"`, or inside a
/// docstring) that means exactly `text`: backslashes, double quotes and every
/// control character (newlines, U+2028...) are escaped, so the literal can
/// never end early, whatever the text holds; other characters stay as they are.
fn py_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A Python string literal (`"..."`) whose value is exactly `text`.
pub fn py_str(text: &str) -> String {
    format!("\"{}\"", py_escaped(text))
}

/// Defined in each generated file: `op.execute("...")` would go through
/// SQLAlchemy's `text()`, which reads `:name` in the SQL (in a literal or a
/// comment too) as a bind parameter and drops the backslash of `\:`; a `DDL`
/// element runs the statement as written once `%` is doubled (it formats it
/// with `%`). The same in every SQLAlchemy version, unlike `text()`'s rules.
const SQL_HELPER: &str = r#"def _sql(statement: str) -> DDL:
    """The statement, to run exactly as written (no bind parameters)."""
    return DDL(statement.replace("%", "%%"))
"#;

/// `op.execute(...)` for one statement: a multi-line statement is written as
/// one literal per line, which Python joins, so it stays readable.
fn execute(sql: &str) -> String {
    let lines: Vec<&str> = sql.split_inclusive('\n').collect();
    if lines.len() <= 1 {
        return format!("    op.execute(_sql({}))\n", py_str(sql));
    }
    let mut out = String::from("    op.execute(_sql(\n");
    for line in lines {
        out.push_str(&format!("        {}\n", py_str(line)));
    }
    out.push_str("    ))\n");
    out
}

fn body(statements: &[String]) -> String {
    if statements.is_empty() {
        return "    pass\n".to_string();
    }
    statements.iter().map(|s| execute(s)).collect()
}

/// The text of an Alembic revision file.
pub fn render(
    id: &str,
    down_revision: Option<&str>,
    message: &str,
    created: &str,
    up: &[String],
    down: &[String],
) -> String {
    let down_rev = down_revision.map_or("None".to_string(), py_str);
    // Each line of the docstring is escaped as well: a `"""` or a backslash in
    // the message cannot end it early.
    let revises = down_revision.unwrap_or("");
    let doc: String = [message, "", &format!("Revision ID: {id}"), &format!("Revises: {revises}")]
        .iter()
        .chain(&[&*format!("Create Date: {created}"), "", "Generated by pgstate from the declarative schema."])
        .map(|line| py_escaped(line) + "\n")
        .collect();
    format!(
        "\"\"\"{doc}\"\"\"\nfrom alembic import op\nfrom sqlalchemy.schema import DDL\n\n\n# revision identifiers, used by Alembic.\nrevision = {}\ndown_revision = {down_rev}\nbranch_labels = None\ndepends_on = None\n\n\n{SQL_HELPER}\n\ndef upgrade() -> None:\n{}\n\ndef downgrade() -> None:\n{}",
        py_str(id),
        body(up),
        body(down)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_assignments() {
        assert_eq!(
            assignment("down_revision: Union[str, None] = '9ce2'", "down_revision").map(quoted),
            Some(vec!["9ce2".to_string()])
        );
        assert_eq!(assignment("revision = \"abc\"", "revision").map(quoted), Some(vec!["abc".to_string()]));
        assert_eq!(assignment("down_revision = None", "down_revision").map(quoted), Some(vec![]));
        assert_eq!(assignment("revisions = 1", "revision"), None);
    }
}
