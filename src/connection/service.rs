//! `pg_service.conf`: named sets of connection parameters, looked up as libpq
//! does: the user's file (`PGSERVICEFILE`, else `~/.pg_service.conf`) first,
//! then the system's (`PGSYSCONFDIR/pg_service.conf`).

use std::path::{Path, PathBuf};

use super::conninfo::Params;
use super::environment::Environment;

/// Where libpq looks for the system-wide file when `PGSYSCONFDIR` is unset
/// (Debian's build of libpq).
const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// The parameters of service `name`, from the first file that defines it.
pub fn lookup(name: &str, env: &Environment) -> Result<Params, String> {
    let user_file =
        env.var("PGSERVICEFILE").map(PathBuf::from).or_else(|| env.home().map(|h| h.join(".pg_service.conf")));
    let system_dir = env.var("PGSYSCONFDIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_SYSCONFDIR));
    let files: Vec<PathBuf> = user_file.into_iter().chain([system_dir.join("pg_service.conf")]).collect();
    for file in &files {
        if let Some(params) = read_section(file, name)? {
            return Ok(params);
        }
    }
    let looked: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Err(format!("definition of service {name:?} not found (looked in {})", looked.join(", ")))
}

/// Section `[name]` of `file`; `None` when the file or the section is missing.
fn read_section(file: &Path, name: &str) -> Result<Option<Params>, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read service file {}: {e}", file.display())),
    };
    let mut found: Option<Params> = None;
    let mut in_section = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if found.is_some() && !in_section {
                continue;
            }
            in_section = section.trim() == name;
            if in_section {
                found.get_or_insert_with(Params::new);
            } else if found.is_some() {
                break;
            }
            continue;
        }
        if !in_section {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("syntax error in service file {}, line {}", file.display(), n + 1))?;
        let key = key.trim();
        if key == "service" {
            return Err(format!(
                "nested service specifications are not supported ({}, line {})",
                file.display(),
                n + 1
            ));
        }
        if let Some(params) = found.as_mut() {
            params.entry(key.to_string()).or_insert_with(|| value.trim().to_string());
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_file_comes_before_the_systems() {
        let dir = std::env::temp_dir().join(format!("pgstate-service-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::write(dir.join("mine.conf"), "# comment\n[a]\nhost = mine\nport=1\n\n[b]\nhost=other\n").unwrap();
        std::fs::write(dir.join("etc/pg_service.conf"), "[a]\nhost=system\n[c]\ndbname=sys\n").unwrap();
        let env = Environment::from_pairs([
            ("PGSERVICEFILE", dir.join("mine.conf").display().to_string()),
            ("PGSYSCONFDIR", dir.join("etc").display().to_string()),
        ]);
        let a = lookup("a", &env).unwrap();
        assert_eq!((a["host"].as_str(), a["port"].as_str()), ("mine", "1"));
        assert_eq!(lookup("c", &env).unwrap()["dbname"], "sys");
        let e = lookup("zzz", &env).unwrap_err();
        assert!(e.contains("\"zzz\" not found"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
