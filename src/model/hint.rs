//! Rename hints (`-- @renamed from=OLD`), the psqldef convention.

use serde::Serialize;

use super::QualName;

/// A declared rename: the object was called `from` before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RenameHint {
    /// A table renamed within its schema.
    Table {
        /// The new (desired) name.
        table: QualName,
        /// The old name.
        from: QualName,
    },
    /// An enum label renamed (`ALTER TYPE ... RENAME VALUE`): the hint is
    /// written on the label's line inside `CREATE TYPE ... AS ENUM`.
    EnumValue {
        /// The type.
        name: QualName,
        /// The new label.
        value: String,
        /// The old label.
        from: String,
    },
    /// A column renamed within its table.
    Column {
        /// The table (by its desired name).
        table: QualName,
        /// The new column name.
        column: String,
        /// The old column name.
        from: String,
    },
}
