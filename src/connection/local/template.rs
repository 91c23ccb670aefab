//! An initialized cluster kept in the user's cache directory, one per set of
//! server binaries, so that a throwaway server costs a copy instead of an
//! `initdb` (about two seconds).
//!
//! Layout: `<cache>/pgstate/<major>-<hash>/template/`, where `<cache>` is
//! `$XDG_CACHE_HOME` or `~/.cache`, `<major>` the server's major version and
//! `<hash>` a digest of the binaries' directory and the `postgres` binary's
//! size and modification time (an upgrade in place gets a new template). The
//! template is built in a private temporary directory, copied next to its
//! final place and renamed into it, so a reader sees a whole template or
//! none; when two processes race, the second rename fails and its copy is
//! thrown away. A template without its completion marker, or one a server
//! could not start from, is moved aside and built again.
//!
//! The template holds only the `postgres` database (template0 and template1
//! are dropped: nothing a scratchpad does creates a database) and 1 MB WAL
//! segments, so a copy is about a third of a fresh cluster. Every run works
//! on its own copy: data files are written in place, so they are never shared.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::{make_temp_dir, LocalServerError, Tools};

/// The file written into a template last, before it is renamed into place.
const MARKER: &str = "pgstate-template-complete";

/// The user's cache directory for pgstate: `$XDG_CACHE_HOME/pgstate`, else
/// `$HOME/.cache/pgstate`; none when neither is an absolute path.
pub fn default_cache_root() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").and_then(absolute) {
        return Some(xdg.join("pgstate"));
    }
    std::env::var_os("HOME").and_then(absolute).map(|home| home.join(".cache").join("pgstate"))
}

/// Where the templates of one set of binaries live under `root`.
pub(super) struct Cache {
    /// `<root>/<major>-<hash>`.
    dir: PathBuf,
}

impl Cache {
    /// The cache directory for `tools`' binaries under `root`. Finds the
    /// major version from an existing `<major>-<hash>` directory, so a
    /// second run spawns nothing; the first asks `postgres --version`.
    pub(super) fn open(root: &Path, tools: &Tools) -> Result<Cache, String> {
        let hash = binaries_hash(tools)?;
        let suffix = format!("-{hash}");
        if let Ok(entries) = fs::read_dir(root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.strip_suffix(&suffix).is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit())) {
                    return Ok(Cache { dir: entry.path() });
                }
            }
        }
        let major = major_version(tools)?;
        Ok(Cache { dir: root.join(format!("{major}{suffix}")) })
    }

    /// The template directory, when a complete one is in place.
    pub(super) fn ready(&self) -> Option<PathBuf> {
        let t = self.template();
        let complete =
            t.join(MARKER).is_file() && t.join("PG_VERSION").is_file() && t.join("global/pg_control").is_file();
        complete.then_some(t)
    }

    fn template(&self) -> PathBuf {
        self.dir.join("template")
    }

    /// Moves a template aside (atomically, so a concurrent reader copies
    /// either all of it or finds none) and deletes it. Losing a race to
    /// another process doing the same is fine.
    pub(super) fn discard(&self) {
        let aside = self.dir.join(unique("discarded"));
        if fs::rename(self.template(), &aside).is_ok() {
            let _ = fs::remove_dir_all(&aside);
        }
    }

    /// Publishes the data directory `built` (a cleanly stopped cluster) as
    /// the template: copied into the cache, marked complete, renamed into
    /// place. Returns the template in place, ours or a racing process's.
    pub(super) fn publish(&self, built: &Path) -> Result<PathBuf, String> {
        create_private_dirs(&self.dir)?;
        if self.template().exists() && self.ready().is_none() {
            self.discard();
        }
        let incoming = self.dir.join(unique("incoming"));
        let result = copy_tree(built, &incoming).and_then(|()| {
            let mut marker = fs::File::create(incoming.join(MARKER))
                .map_err(|e| format!("writing {}: {e}", incoming.join(MARKER).display()))?;
            let _ = marker.write_all(b"a complete pgstate template cluster\n");
            Ok(())
        });
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&incoming);
            return Err(e);
        }
        // Renaming onto a non-empty directory fails: another process won the race.
        if fs::rename(&incoming, self.template()).is_err() {
            let _ = fs::remove_dir_all(&incoming);
        }
        self.ready().ok_or_else(|| format!("no usable template in {} after building one", self.dir.display()))
    }
}

/// `<prefix>-<pid>-<n>-<nanos>`: a name no other process or call uses.
fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}-{}-{}-{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Creates `dir` and its missing parents; the last one private (0700): the
/// cache holds a cluster that trusts every local connection to its socket.
fn create_private_dirs(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("making {} private: {e}", dir.display()))
}

/// A digest of what decides the template's format: the binaries' directory,
/// and the `postgres` binary's size and modification time.
fn binaries_hash(tools: &Tools) -> Result<String, String> {
    let postgres = tools.bin_dir.join("postgres");
    let meta = fs::metadata(&postgres).map_err(|e| format!("{}: {e}", postgres.display()))?;
    let mut h = Sha256::new();
    h.update(tools.bin_dir.as_os_str().as_encoded_bytes());
    h.update([0]);
    h.update(meta.len().to_le_bytes());
    h.update(meta.mtime().to_le_bytes());
    h.update(meta.mtime_nsec().to_le_bytes());
    Ok(h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect())
}

/// The major version of the server binaries (`postgres (PostgreSQL) 15.18` -> 15).
fn major_version(tools: &Tools) -> Result<u32, String> {
    let mut cmd = std::process::Command::new(tools.bin_dir.join("postgres"));
    cmd.arg("--version").stdin(std::process::Stdio::null());
    super::clear_pg_env(&mut cmd);
    let out = cmd.output().map_err(|e| format!("running postgres --version: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.split('.').next().and_then(|m| m.parse::<u32>().ok()))
        .ok_or_else(|| format!("cannot read the version from `postgres --version`: {}", text.trim()))
}

/// Copies the directory tree `from` to `to` (which must not exist): files
/// by content, modes kept, and, when we are root, owners kept (the copy of a
/// cluster made by `postgres` stays `postgres`'s).
pub(super) fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let as_root = super::current_uid().map(|u| u == 0).unwrap_or(false);
    copy_dir(from, to, as_root)
}

fn copy_dir(from: &Path, to: &Path, as_root: bool) -> Result<(), String> {
    let meta = fs::metadata(from).map_err(|e| format!("reading {}: {e}", from.display()))?;
    fs::create_dir(to).map_err(|e| format!("creating {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("reading {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading {}: {e}", from.display()))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| format!("reading {}: {e}", src.display()))?;
        if kind.is_dir() {
            copy_dir(&src, &dst, as_root)?;
        } else if kind.is_file() {
            fs::copy(&src, &dst).map_err(|e| format!("copying {}: {e}", src.display()))?;
            if as_root {
                let m = entry.metadata().map_err(|e| format!("reading {}: {e}", src.display()))?;
                std::os::unix::fs::chown(&dst, Some(m.uid()), Some(m.gid()))
                    .map_err(|e| format!("chown {}: {e}", dst.display()))?;
            }
        } else {
            return Err(format!("{} is neither a file nor a directory", src.display()));
        }
    }
    // Last, so the directory is writable while it is filled.
    fs::set_permissions(to, fs::Permissions::from_mode(meta.mode() & 0o7777))
        .map_err(|e| format!("setting the mode of {}: {e}", to.display()))?;
    if as_root {
        std::os::unix::fs::chown(to, Some(meta.uid()), Some(meta.gid()))
            .map_err(|e| format!("chown {}: {e}", to.display()))?;
    }
    Ok(())
}

/// A private temporary directory, usable by the server's user.
pub(super) fn server_temp_dir(tools: &Tools) -> Result<PathBuf, LocalServerError> {
    let dir = make_temp_dir("pgstate-local").map_err(LocalServerError)?;
    if tools.run_as_postgres {
        if let Err(e) = chown_to_postgres(&dir) {
            let _ = fs::remove_dir(&dir);
            return Err(LocalServerError(e));
        }
    }
    Ok(dir)
}

/// Gives `dir` to the `postgres` user (we are root; the server runs as it).
fn chown_to_postgres(dir: &Path) -> Result<(), String> {
    let mut chown = std::process::Command::new("chown");
    chown.arg("postgres:").arg(dir).stdin(std::process::Stdio::null());
    match chown.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "chown postgres: {} failed (is there a `postgres` user?): {}",
            dir.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run chown: {e}")),
    }
}
