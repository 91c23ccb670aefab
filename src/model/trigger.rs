use serde::{Serialize, Serializer};
use std::fmt;

use super::{Dep, Expr, QualName};

/// `BEFORE`, `AFTER` or `INSTEAD OF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerTiming {
    /// `BEFORE`.
    Before,
    /// `AFTER`.
    After,
    /// `INSTEAD OF`.
    InsteadOf,
}

/// `ENABLE` / `DISABLE` state (`pg_trigger.tgenabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEnabled {
    /// Fires in origin and local modes (the default, `O`).
    Origin,
    /// `DISABLE TRIGGER` (`D`).
    Disabled,
    /// `ENABLE REPLICA TRIGGER` (`R`).
    Replica,
    /// `ENABLE ALWAYS TRIGGER` (`A`).
    Always,
}

/// Identifies a trigger: its table and name. Prints `name ON table`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TriggerId {
    /// Its table.
    pub table: QualName,
    /// Its name.
    pub name: String,
}

impl fmt::Display for TriggerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ON {}", crate::quote::quote_ident(&self.name), self.table)
    }
}

impl Serialize for TriggerId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A trigger on a table.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    /// Its table.
    pub table: QualName,
    /// Its name.
    pub name: String,
    /// `BEFORE` / `AFTER` / `INSTEAD OF`.
    pub timing: TriggerTiming,
    /// `INSERT`.
    pub insert: bool,
    /// `UPDATE` (with or without `OF` columns).
    pub update: bool,
    /// `UPDATE OF` columns, in the order given.
    pub update_of: Vec<String>,
    /// `DELETE`.
    pub delete: bool,
    /// `TRUNCATE`.
    pub truncate: bool,
    /// `FOR EACH ROW` (else `FOR EACH STATEMENT`).
    pub for_each_row: bool,
    /// `WHEN (...)`, canonical.
    pub when: Option<Expr>,
    /// `REFERENCING OLD TABLE AS`.
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS`.
    pub new_table: Option<String>,
    /// The trigger function.
    pub function: QualName,
    /// Its arguments (string literals).
    pub args: Vec<String>,
    /// `CREATE CONSTRAINT TRIGGER`: `Some((deferrable, initially_deferred))`.
    pub constraint: Option<(bool, bool)>,
    /// The enabled state.
    pub enabled: TriggerEnabled,
    /// `COMMENT ON TRIGGER`.
    pub comment: Option<String>,
    /// What it refers to (its function, table and columns); not compared.
    pub depends: Vec<Dep>,
}

impl Trigger {
    /// Its identity.
    pub fn id(&self) -> TriggerId {
        TriggerId { table: self.table.clone(), name: self.name.clone() }
    }

    /// Whether `o` differs only in enabled state and comment (altered in place).
    pub fn same_definition(&self, o: &Self) -> bool {
        self.table == o.table
            && self.name == o.name
            && self.timing == o.timing
            && self.insert == o.insert
            && self.update == o.update
            && self.update_of == o.update_of
            && self.delete == o.delete
            && self.truncate == o.truncate
            && self.for_each_row == o.for_each_row
            && self.when == o.when
            && self.old_table == o.old_table
            && self.new_table == o.new_table
            && self.function == o.function
            && self.args == o.args
            && self.constraint == o.constraint
    }
}

impl PartialEq for Trigger {
    fn eq(&self, o: &Self) -> bool {
        self.same_definition(o) && self.enabled == o.enabled && self.comment == o.comment
    }
}
