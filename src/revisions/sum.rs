//! `pgstate.sum`: a hash per revision file and one over them all (as Atlas's
//! atlas.sum). An edited revision no longer matches its line; two branches that
//! each add a revision both change the first line, which makes git report a
//! merge conflict instead of silently combining them.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::chain::Chain;
use super::RevisionError;

/// The sum file's name inside the revision directory.
pub const FILE: &str = "pgstate.sum";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(data: &[u8]) -> String {
    format!("h1:{}", hex(&Sha256::digest(data)))
}

/// The sum file's text for the files in `dir`.
pub fn compute(dir: &Path, chain: &Chain) -> Result<String, RevisionError> {
    let mut names: Vec<String> =
        chain.revisions.iter().filter_map(|r| r.path.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    names.sort();
    let mut lines = String::new();
    for name in names {
        let data = std::fs::read(dir.join(&name))?;
        lines.push_str(&format!("{name} {}\n", hash(&data)));
    }
    Ok(format!("{}\n{lines}", hash(lines.as_bytes())))
}

/// Writes `pgstate.sum` for the current files.
pub fn write(dir: &Path, chain: &Chain) -> Result<(), RevisionError> {
    std::fs::write(dir.join(FILE), compute(dir, chain)?)?;
    Ok(())
}

/// Checks every revision file against `pgstate.sum`, naming the first that differs.
pub fn verify(dir: &Path, chain: &Chain) -> Result<(), RevisionError> {
    if chain.is_empty() {
        return Ok(());
    }
    let recorded = std::fs::read_to_string(dir.join(FILE))
        .map_err(|_| RevisionError::NoSum(dir.join(FILE).display().to_string()))?;
    let actual = compute(dir, chain)?;
    if recorded == actual {
        return Ok(());
    }
    let recorded_lines: Vec<&str> = recorded.lines().skip(1).collect();
    for line in actual.lines().skip(1) {
        if !recorded_lines.contains(&line) {
            let file = line.split(' ').next().unwrap_or(line);
            return Err(RevisionError::Tampered(dir.join(file).display().to_string()));
        }
    }
    Err(RevisionError::Tampered(dir.join(FILE).display().to_string()))
}
