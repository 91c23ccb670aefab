//! The SQL of a column's storage and compression and its `NOT NULL` constraint
//! (PostgreSQL 18), `CLUSTER ON` and `REPLICA IDENTITY`.

use crate::canon::quote_ident;
use crate::model::{Column, NotNull, QualName, ReplicaIdentity};

/// `SET STORAGE`'s keyword for a storage the model holds (`DEFAULT` for any other).
fn storage_keyword(storage: &str) -> &'static str {
    match storage {
        "plain" => "PLAIN",
        "external" => "EXTERNAL",
        "extended" => "EXTENDED",
        "main" => "MAIN",
        _ => "DEFAULT",
    }
}

/// `ALTER TABLE t ALTER COLUMN c SET STORAGE s`.
pub fn set_storage(table: &QualName, column: &str, storage: &str) -> String {
    format!("ALTER TABLE {table} ALTER COLUMN {} SET STORAGE {}", quote_ident(column), storage_keyword(storage))
}

/// `ALTER TABLE t ALTER COLUMN c SET COMPRESSION m | DEFAULT`.
pub fn set_compression(table: &QualName, column: &str, method: Option<&str>) -> String {
    let method = method.map_or_else(|| "DEFAULT".to_string(), quote_ident);
    format!("ALTER TABLE {table} ALTER COLUMN {} SET COMPRESSION {method}", quote_ident(column))
}

/// The settings a new column carries beyond its definition.
pub fn column_settings(table: &QualName, c: &Column) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &c.storage {
        out.push(set_storage(table, &c.name, s));
    }
    if let Some(m) = &c.compression {
        out.push(set_compression(table, &c.name, Some(m)));
    }
    if c.not_null && c.not_null_constraint.no_inherit {
        let default = crate::canon::names::not_null_name(&table.name, &c.name);
        let name = quote_ident(c.not_null_constraint.name.as_deref().unwrap_or(&default));
        out.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} NOT NULL {} NO INHERIT", quote_ident(&c.name)));
    }
    out
}

/// `ALTER TABLE t CLUSTER ON i | SET WITHOUT CLUSTER`.
pub fn cluster_on(table: &QualName, index: Option<&str>) -> String {
    match index {
        Some(i) => format!("ALTER TABLE {table} CLUSTER ON {}", quote_ident(i)),
        None => format!("ALTER TABLE {table} SET WITHOUT CLUSTER"),
    }
}

/// `ALTER TABLE t REPLICA IDENTITY ...`.
pub fn replica_identity(table: &QualName, identity: Option<&ReplicaIdentity>) -> String {
    let what = match identity {
        None => "DEFAULT".to_string(),
        Some(ReplicaIdentity::Full) => "FULL".to_string(),
        Some(ReplicaIdentity::Nothing) => "NOTHING".to_string(),
        Some(ReplicaIdentity::Index(i)) => format!("USING INDEX {}", quote_ident(i)),
    };
    format!("ALTER TABLE {table} REPLICA IDENTITY {what}")
}

/// A column's `NOT NULL` constraint renamed, made `[NO] INHERIT` or
/// validated (PostgreSQL 18); its names are the default one when not given.
pub fn alter_not_null(table: &QualName, column: &str, from: &NotNull, to: &NotNull) -> Vec<String> {
    let default = crate::canon::names::not_null_name(&table.name, column);
    let was = from.name.clone().unwrap_or_else(|| default.clone());
    let now = quote_ident(to.name.as_deref().unwrap_or(&default));
    let mut out = Vec::new();
    if *quote_ident(&was) != now {
        out.push(format!("ALTER TABLE {table} RENAME CONSTRAINT {} TO {now}", quote_ident(&was)));
    }
    if from.no_inherit != to.no_inherit {
        let inherit = if to.no_inherit { "NO INHERIT" } else { "INHERIT" };
        out.push(format!("ALTER TABLE {table} ALTER CONSTRAINT {now} {inherit}"));
    }
    if from.not_valid && !to.not_valid {
        out.push(format!("ALTER TABLE {table} VALIDATE CONSTRAINT {now}"));
    }
    out
}
