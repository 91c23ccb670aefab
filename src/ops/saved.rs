//! Saved plans: `plan --out FILE` writes the plan with fingerprints of the
//! database state it was computed from and of the desired state; `apply
//! --plan FILE` runs exactly the file's statements, and only while the
//! database still has that fingerprint (the plan reviewed is the plan run).
//!
//! The file is the plan's SQL, every transaction framed by `BEGIN` /
//! `COMMIT` and every statement outside them run alone, so that psql could
//! run it too. Its first line says how to apply it; its last line is a
//! comment holding the state as JSON (one hash per object read, so that a
//! refusal can say what changed).

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::introspect::{Live, Scope};
use crate::model::{Catalog, ManagedRoles, QualName};
use crate::plan::Plan;

/// What the last line of a saved plan starts with.
const STATE: &str = "-- pgstate-plan-state: ";

/// What a database held, as pgstate reads it: one hash per object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The hash of all the objects' hashes.
    pub whole: String,
    /// Each object (`table public.t`) and its hash.
    pub objects: BTreeMap<String, String>,
}

fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of a catalog and the invalid indexes beside it. Objects
/// are hashed from their debug form, which holds every field the model has.
pub fn fingerprint(catalog: &Catalog, invalid_indexes: &[QualName]) -> Fingerprint {
    fn add<K, V: Debug>(
        out: &mut BTreeMap<String, String>,
        kind: &str,
        map: &crate::model::Map<K, V>,
        name: impl Fn(&K) -> String,
    ) {
        for (k, v) in map {
            out.insert(format!("{kind} {}", crate::quote::one_line(&name(k))), hash(&format!("{v:?}")));
        }
    }
    let mut objects = BTreeMap::new();
    let c = catalog;
    add(&mut objects, "schema", &c.schemas, |k| k.clone());
    add(&mut objects, "extension", &c.extensions, |k| k.clone());
    add(&mut objects, "enum", &c.enums, |k| k.to_string());
    add(&mut objects, "domain", &c.domains, |k| k.to_string());
    add(&mut objects, "type", &c.composites, |k| k.to_string());
    add(&mut objects, "range", &c.ranges, |k| k.to_string());
    add(&mut objects, "sequence", &c.sequences, |k| k.to_string());
    add(&mut objects, "table", &c.tables, |k| k.to_string());
    add(&mut objects, "view", &c.views, |k| k.to_string());
    add(&mut objects, "routine", &c.routines, |k| k.to_string());
    add(&mut objects, "trigger", &c.triggers, |k| k.to_string());
    add(&mut objects, "privileges", &c.grants, |k| format!("{} on {}", k.grantee, k.object));
    add(&mut objects, "default privileges", &c.default_privileges, |k| format!("{k:?}"));
    for index in invalid_indexes {
        objects.insert(format!("invalid index {}", crate::quote::one_line(&index.to_string())), String::new());
    }
    let all: String = objects.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    Fingerprint { whole: hash(&all), objects }
}

/// The state a saved plan was computed from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// The format's version.
    pub version: u32,
    /// The database, as read.
    pub database: Fingerprint,
    /// The hash of the desired state, as planned towards (for the record).
    pub desired: String,
    /// The managed schemas the database was read in.
    pub schemas: Vec<String>,
    /// The managed roles (`PUBLIC` included when managed).
    pub roles: Vec<String>,
    /// Bookkeeping tables left out of the reading (version tables).
    pub ignore: Vec<(String, String)>,
}

impl State {
    /// The state of a plan computed from `live` towards `desired` in `scope`.
    pub fn new(live: &Live, desired: &Catalog, scope: &Scope, ignore: &[QualName]) -> State {
        let roles = scope.roles();
        let mut names = roles.role_names();
        if roles.has_public() {
            names.push("PUBLIC".to_string());
        }
        State {
            version: 1,
            database: fingerprint(&live.catalog, &live.invalid_indexes),
            desired: fingerprint(desired, &[]).whole,
            schemas: scope.list().to_vec(),
            roles: names,
            ignore: ignore.iter().map(|q| (q.schema.clone(), q.name.clone())).collect(),
        }
    }

    /// The scope to read the database in again.
    pub fn scope(&self) -> Scope {
        Scope::WithRoles(self.schemas.clone(), ManagedRoles::new(&self.roles))
    }

    /// The bookkeeping tables to leave out again.
    pub fn ignored(&self) -> Vec<QualName> {
        self.ignore.iter().map(|(s, n)| QualName::new(s.clone(), n.clone())).collect()
    }
}

/// A saved plan's text: how to apply it, the plan with every transaction
/// framed, and the state on the last line.
pub fn write(plan: &Plan, state: &State) -> String {
    let mut out = format!(
        "-- pgstate plan, computed against a database with fingerprint {}; run exactly as written with \
         `pgstate apply --plan FILE`, which refuses it once the database has changed\n",
        state.database.whole
    );
    out.push_str(&plan.to_sql_framed());
    let json = serde_json::to_string(state).unwrap_or_default();
    out.push_str(STATE);
    out.push_str(&json);
    out.push('\n');
    out
}

/// Statements that run together: in one transaction, or one alone outside any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedUnit {
    /// Whether they run in one transaction.
    pub transaction: bool,
    /// The statements, without their semicolons and leading comments.
    pub statements: Vec<String>,
}

/// A saved plan, read back.
#[derive(Debug, Clone)]
pub struct Saved {
    /// What it was computed from.
    pub state: State,
    /// Its statements, in order.
    pub units: Vec<SavedUnit>,
    /// The SQL as written (shown for confirmation).
    pub sql: String,
}

/// Why a saved plan could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SavedError {
    /// No state line.
    #[error("{0} is not a plan written by `pgstate plan --out` (its last line should start with `{STATE}`)")]
    NoState(String),
    /// The state line is not what `write` writes.
    #[error("the state line of {0} cannot be read: {1}")]
    BadState(String, String),
    /// BEGIN / COMMIT do not pair.
    #[error("{0}: {1}")]
    Framing(String, String),
}

/// Reads a saved plan's text (`path` only names it in errors).
pub fn read(path: &str, text: &str) -> Result<Saved, SavedError> {
    let at = text.rfind(STATE).filter(|&at| at == 0 || text[..at].ends_with('\n'));
    let at = at.ok_or_else(|| SavedError::NoState(path.to_string()))?;
    let json = text[at + STATE.len()..].trim_end();
    let state: State = serde_json::from_str(json).map_err(|e| SavedError::BadState(path.to_string(), e.to_string()))?;
    if state.version != 1 {
        return Err(SavedError::BadState(path.to_string(), format!("unknown version {}", state.version)));
    }
    let body = &text[..at];
    let mut units: Vec<SavedUnit> = Vec::new();
    let mut open: Option<Vec<String>> = None;
    for piece in crate::parse::split::pieces(body) {
        let statement = without_leading_comments(&body[piece.bytes.clone()]);
        if statement.is_empty() {
            continue;
        }
        let word = statement.to_ascii_uppercase();
        match (word.as_str(), open.as_mut()) {
            ("BEGIN", None) => open = Some(Vec::new()),
            ("COMMIT", Some(_)) => {
                units.push(SavedUnit { transaction: true, statements: open.take().unwrap_or_default() })
            }
            ("BEGIN", Some(_)) | ("COMMIT", None) => {
                let at = piece.start.line;
                return Err(SavedError::Framing(path.to_string(), format!("unpaired {word} at line {at}")));
            }
            (_, Some(list)) => list.push(statement.to_string()),
            (_, None) => units.push(SavedUnit { transaction: false, statements: vec![statement.to_string()] }),
        }
    }
    if open.is_some() {
        return Err(SavedError::Framing(path.to_string(), "a BEGIN without its COMMIT".to_string()));
    }
    Ok(Saved { state, units, sql: body.to_string() })
}

/// A statement's text without the comment lines and blank space before it.
fn without_leading_comments(text: &str) -> &str {
    let mut rest = text.trim_start();
    while rest.starts_with("--") {
        rest = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    rest.trim_end()
}

/// What differs between the fingerprint a plan was computed from and the
/// database's now, in words: objects changed, appeared, gone (at most a few).
pub fn changes(saved: &Fingerprint, now: &Fingerprint) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &saved.objects {
        match now.objects.get(k) {
            Some(w) if w == v => {}
            Some(_) => out.push(format!("{k} changed")),
            None => out.push(format!("{k} is gone")),
        }
    }
    out.extend(now.objects.keys().filter(|k| !saved.objects.contains_key(*k)).map(|k| format!("{k} appeared")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_read_back_as_written() {
        let text = "-- header\nBEGIN;\n-- hazard: x\nCREATE TABLE a (b text DEFAULT ';');\nCOMMIT;\n\
                    CREATE INDEX CONCURRENTLY i ON a (b);\nBEGIN;\nCOMMENT ON INDEX i IS 'x;y';\nCOMMIT;\n\
                    -- pgstate-plan-state: {\"version\":1,\"database\":{\"whole\":\"w\",\"objects\":{}},\
                    \"desired\":\"d\",\"schemas\":[\"public\"],\"roles\":[],\"ignore\":[]}\n";
        let saved = read("p.sql", text).expect("reads");
        assert_eq!(
            saved.units,
            vec![
                SavedUnit { transaction: true, statements: vec!["CREATE TABLE a (b text DEFAULT ';')".into()] },
                SavedUnit { transaction: false, statements: vec!["CREATE INDEX CONCURRENTLY i ON a (b)".into()] },
                SavedUnit { transaction: true, statements: vec!["COMMENT ON INDEX i IS 'x;y'".into()] },
            ]
        );
        assert!(matches!(read("p.sql", "SELECT 1;\n"), Err(SavedError::NoState(_))));
        let unpaired = text.replacen("COMMIT;\n", "", 1);
        assert!(matches!(read("p.sql", &unpaired), Err(SavedError::Framing(..))));
    }
}
