//! One revision file: a header, then `-- +up` and `-- +down` sections of plain
//! SQL, readable by anyone who reads psql scripts.
//!
//! ```sql
//! -- pgstate revision: 3f2a9c1b7d4e
//! -- parents: 9ce227b568e8
//! -- message: add context to agents
//! -- created: 2026-01-15T22:09:29Z
//!
//! -- +up
//! ALTER TABLE public.agents ADD COLUMN context_items jsonb;
//!
//! -- +down
//! ALTER TABLE public.agents DROP COLUMN context_items;
//! ```

use std::path::{Path, PathBuf};

use super::RevisionError;

/// A parsed revision file.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// Its id.
    pub id: String,
    /// Parent ids: none for the first revision, two for a merge.
    pub parents: Vec<String>,
    /// What it does.
    pub message: String,
    /// When it was written (RFC 3339).
    pub created: String,
    /// SQL that moves the schema forward.
    pub up: String,
    /// SQL that moves it back.
    pub down: String,
    /// Where it was read from.
    pub path: PathBuf,
}

/// The longest revision id accepted.
pub const MAX_ID_LEN: usize = 64;

/// Whether `id` can be a revision id: 1 to 64 ASCII letters, digits or
/// underscores (Alembic's hex ids and words like `20260120_create_missing_tables`).
/// An id becomes a file name and a header line, so nothing else is let in.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `Ok` for a valid revision id, else the error naming it.
pub fn check_id(id: &str) -> Result<(), RevisionError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(RevisionError::BadId(id.to_string()))
    }
}

const MARK_UP: &str = "-- +up";
const MARK_DOWN: &str = "-- +down";

impl Revision {
    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = format!("-- pgstate revision: {}\n", self.id);
        out.push_str(&format!("-- parents: {}\n", self.parents.join(" ")));
        out.push_str(&format!("-- message: {}\n", crate::quote::one_line(&self.message)));
        out.push_str(&format!("-- created: {}\n\n", self.created));
        out.push_str(&format!("{MARK_UP}\n{}", ensure_newline(&self.up)));
        out.push_str(&format!("\n{MARK_DOWN}\n{}", ensure_newline(&self.down)));
        out
    }

    /// Reads a revision file's text.
    pub fn parse(path: &Path, text: &str) -> Result<Revision, RevisionError> {
        let bad = |why: &str| RevisionError::Malformed { file: path.display().to_string(), why: why.to_string() };
        let mut id = None;
        let mut parents = Vec::new();
        let mut message = String::new();
        let mut created = String::new();
        let mut up = String::new();
        let mut down = String::new();
        let mut section = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if trimmed == MARK_UP {
                section = 1;
                continue;
            }
            if trimmed == MARK_DOWN {
                section = 2;
                continue;
            }
            match section {
                1 => up.push_str(line),
                2 => down.push_str(line),
                _ => {
                    if let Some(v) = trimmed.strip_prefix("-- pgstate revision:") {
                        id = Some(v.trim().to_string());
                    } else if let Some(v) = trimmed.strip_prefix("-- parents:") {
                        parents = v.split([' ', ',']).filter(|p| !p.is_empty()).map(str::to_string).collect();
                    } else if let Some(v) = trimmed.strip_prefix("-- message:") {
                        message = v.trim().to_string();
                    } else if let Some(v) = trimmed.strip_prefix("-- created:") {
                        created = v.trim().to_string();
                    }
                }
            }
        }
        let id = id.filter(|i| !i.is_empty()).ok_or_else(|| bad("no `-- pgstate revision: ID` header line"))?;
        for name in std::iter::once(&id).chain(&parents) {
            if !is_valid_id(name) {
                return Err(bad(&format!(
                    "{name:?} is not a revision id (1 to {MAX_ID_LEN} letters, digits or underscores)"
                )));
            }
        }
        if section == 0 {
            return Err(bad("no `-- +up` section"));
        }
        Ok(Revision {
            id,
            parents,
            message,
            created,
            up: trim_section(&up),
            down: trim_section(&down),
            path: path.to_path_buf(),
        })
    }

    /// `<id>_<slug>.sql`.
    pub fn file_name(id: &str, message: &str) -> String {
        let mut slug: String =
            message.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        while slug.contains("__") {
            slug = slug.replace("__", "_");
        }
        let slug: String = slug.trim_matches('_').chars().take(40).collect();
        if slug.is_empty() {
            format!("{id}.sql")
        } else {
            format!("{id}_{}.sql", slug.trim_end_matches('_'))
        }
    }
}

fn ensure_newline(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

/// A section without its surrounding blank lines.
fn trim_section(s: &str) -> String {
    let t = s.trim_matches('\n');
    if t.trim().is_empty() {
        String::new()
    } else {
        format!("{t}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_parses_back() {
        let r = Revision {
            id: "abc".into(),
            parents: vec!["p1".into(), "p2".into()],
            message: "merge heads".into(),
            created: "2026-01-01T00:00:00Z".into(),
            up: "CREATE TABLE t ();\n".into(),
            down: "DROP TABLE t;\n".into(),
            path: PathBuf::from("x.sql"),
        };
        assert_eq!(Revision::parse(Path::new("x.sql"), &r.render()).unwrap(), r);
        assert_eq!(Revision::file_name("abc", "Add context & MCP to agents!"), "abc_add_context_mcp_to_agents.sql");
    }
}
