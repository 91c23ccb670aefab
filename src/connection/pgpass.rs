//! The password file (`~/.pgpass`, or `PGPASSFILE` / `passfile`):
//! `host:port:database:user:password` lines, `*` matching anything, read
//! only when no other user can read it, as libpq does.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// What a lookup found: a password, and a warning to print when the file was skipped.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The first matching line's password.
    pub password: Option<String>,
    /// Why the file was ignored (libpq's warning).
    pub warning: Option<String>,
}

/// The password for `host:port:database:user` in `file`, if any line matches.
pub fn lookup(file: &Path, host: &str, port: &str, database: &str, user: &str) -> Found {
    let meta = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(_) => return Found::default(),
    };
    if !meta.is_file() {
        let warning = format!("password file {} is not a plain file", file.display());
        return Found { password: None, warning: Some(warning) };
    }
    if meta.permissions().mode() & 0o077 != 0 {
        let warning = format!(
            "password file {} has group or world access; permissions should be u=rw (0600) or less; it is ignored",
            file.display()
        );
        return Found { password: None, warning: Some(warning) };
    }
    let Ok(text) = std::fs::read_to_string(file) else { return Found::default() };
    let wanted = [host, port, database, user];
    let password = text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let fields = split_fields(line);
        if fields.len() < 5 {
            return None;
        }
        let matches = fields.iter().zip(wanted).all(|(f, w)| f == "*" || f == w);
        matches.then(|| fields[4..].join(":"))
    });
    Found { password, warning: None }
}

/// Fields separated by `:`, with `\:` and `\\` escaped.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_with_wildcards_and_escapes() {
        let dir = std::env::temp_dir().join(format!("pgstate-pgpass-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pgpass");
        std::fs::write(&file, "# comment\nother:*:*:*:no\ndb.example:5432:*:al\\:ice:s3:cr\\\\et\n*:*:*:*:fallback\n")
            .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let found = lookup(&file, "db.example", "5432", "app", "al:ice");
        assert_eq!(found.password.as_deref(), Some("s3:cr\\et"));
        assert_eq!(lookup(&file, "x", "1", "d", "u").password.as_deref(), Some("fallback"));

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let skipped = lookup(&file, "x", "1", "d", "u");
        assert_eq!(skipped.password, None);
        assert!(skipped.warning.unwrap().contains("group or world access"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
