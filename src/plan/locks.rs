//! The `lock` hazards: steps on a table that already exists which hold a lock
//! blocking other sessions while they scan, rewrite or build, in the plain
//! form (the online forms in `online` take these off the steps they replace).
//! A lock held only for an instant (a catalog change) is not a hazard.

use super::hazards::{Context, Hazard, HazardKind};
use crate::diff::Change;
use crate::model::{Column, ColumnType, ConstraintKind, QualName};

/// The lock hazard of a change, if it has one.
pub fn of(change: &Change, cx: &Context) -> Vec<Hazard> {
    let existing = |t: &QualName| !(cx.is_new)(t);
    let message = match change {
        Change::CreateIndex { table, index } if existing(table) => {
            format!("SHARE on {table}: writes wait while index {} is built", quote(&index.name))
        }
        Change::AddConstraint { table, constraint } if existing(table) => {
            let skips_rows = !constraint.validated && constraint.can_be_not_valid();
            match &constraint.kind {
                _ if skips_rows => return vec![],
                ConstraintKind::ForeignKey(fk) => format!(
                    "SHARE ROW EXCLUSIVE on {table} and {}: writes wait while existing rows are checked",
                    fk.ref_table
                ),
                ConstraintKind::Check { .. } => {
                    format!("ACCESS EXCLUSIVE on {table} while existing rows are checked")
                }
                ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. } => {
                    format!("ACCESS EXCLUSIVE on {table} while the index of {} is built", quote(&constraint.name))
                }
            }
        }
        Change::SetNotNull { table, column, not_null: true } if existing(table) => {
            format!("ACCESS EXCLUSIVE on {table} while every row is scanned for NULL in {}", quote(column))
        }
        Change::AlterColumnType { table, from, to, .. } if existing(table) && rewrites(from, to) => {
            format!("ACCESS EXCLUSIVE on {table}, rewrites the table and its indexes")
        }
        Change::AddColumn { table, column } if existing(table) && fills_rows(column) => {
            format!("ACCESS EXCLUSIVE on {table}, rewrites the table to fill {}", quote(&column.name))
        }
        Change::SetUnlogged { table, .. } if existing(table) => {
            format!("ACCESS EXCLUSIVE on {table}, rewrites the table")
        }
        Change::SetIdentity { table, column, from: None, to: Some(_) } if existing(table) => {
            format!("ACCESS EXCLUSIVE on {table} while {} is checked for NULL", quote(column))
        }
        Change::RecreateEnum { columns, .. } => {
            let mut tables: Vec<String> =
                columns.iter().filter(|(t, _)| existing(t)).map(|(t, _)| t.to_string()).collect();
            tables.dedup();
            if tables.is_empty() {
                return vec![];
            }
            format!("ACCESS EXCLUSIVE on {}, rewrites each to convert its columns", tables.join(", "))
        }
        _ => return vec![],
    };
    vec![Hazard { kind: HazardKind::Lock, message, rows: None }]
}

/// Whether `ALTER COLUMN ... TYPE` rewrites the table: it does not when the
/// old values are already valid in the new type as stored (PostgreSQL's
/// binary-coercible cases that only widen a limit).
pub fn rewrites(from: &ColumnType, to: &ColumnType) -> bool {
    if from.array != to.array || from.schema.is_some() || to.schema.is_some() {
        return true;
    }
    let widened = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(a), Some(b)) => a.trim().parse::<u32>().ok() <= b.trim().parse::<u32>().ok(),
    };
    let (a, b) = (from.base.as_str(), to.base.as_str());
    let keeps = match (a, b) {
        ("character varying", "character varying") => widened(&from.typmod, &to.typmod),
        ("character varying", "text") | ("text", "character varying") => to.typmod.is_none(),
        ("numeric", "numeric") => to.typmod.is_none() || from.typmod == to.typmod,
        ("cidr", "inet") => true,
        ("timestamp without time zone", "timestamp without time zone")
        | ("timestamp with time zone", "timestamp with time zone")
        | ("time without time zone", "time without time zone")
        | ("bit varying", "bit varying") => widened(&from.typmod, &to.typmod),
        _ => from == to,
    };
    !keeps
}

/// Whether adding the column writes a value into every existing row: a
/// stored generated column, an identity, or a default PostgreSQL must
/// compute per row (a volatile function; a constant or a stable one, such as
/// `now()`, is stored once in the catalog instead).
fn fills_rows(column: &Column) -> bool {
    if column.generated.is_some() || column.identity.is_some() {
        return true;
    }
    let Some(default) = &column.default else { return false };
    let text = default.0.to_lowercase();
    const VOLATILE: [&str; 7] = [
        "nextval(",
        "random(",
        "gen_random_uuid(",
        "uuid_generate_v",
        "clock_timestamp(",
        "timeofday(",
        "txid_current(",
    ];
    VOLATILE.iter().any(|f| text.contains(f))
}

fn quote(name: &str) -> String {
    crate::canon::quote_ident(name)
}
