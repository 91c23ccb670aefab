//! The statements the builder consumes, as `statement` classified them.

use sqlparser::ast::{AlterTable, CreateDomain, ObjectName, Statement};

use super::table_def::TableDef;

/// A kind of statement a desired file may hold that changes nothing pgstate
/// manages: skipped, and named once with its count in the parse warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Skip {
    /// What the statements are, e.g. `INSERT`.
    pub kind: &'static str,
    /// Why skipping them is right.
    pub why: &'static str,
}

impl Skip {
    /// psql meta-command lines.
    pub const META_COMMAND: Skip =
        Skip { kind: "psql meta-command (\\restrict, \\connect, ...)", why: "psql's own commands, not SQL" };
    /// `DROP ... IF EXISTS` and `ALTER TABLE IF EXISTS ... DROP` before every other statement.
    pub const CLEAN: Skip = Skip {
        kind: "DROP ... IF EXISTS",
        why: "of what the file had not created yet (pg_dump --clean --if-exists): a no-op on the empty database a desired file starts from",
    };
    pub(super) const INSERT: Skip = Skip { kind: "INSERT", why: "data, not schema" };
    pub(super) const UPDATE: Skip = Skip { kind: "UPDATE", why: "data, not schema" };
    pub(super) const DELETE: Skip = Skip { kind: "DELETE", why: "data, not schema" };
    pub(super) const TRUNCATE: Skip = Skip { kind: "TRUNCATE", why: "data, not schema" };
    pub(super) const COPY: Skip = Skip { kind: "COPY ... FROM stdin (with its data)", why: "data, not schema" };
    pub(super) const SETVAL: Skip =
        Skip { kind: "SELECT pg_catalog.setval", why: "a sequence's position is data, not schema" };
    pub(super) const DO: Skip =
        Skip { kind: "DO", why: "anonymous code blocks are not run: what they create is not in the desired state" };
    pub(super) const OWNER: Skip = Skip { kind: "ALTER ... OWNER TO", why: "owners are not managed" };
    pub(super) const SECURITY_LABEL: Skip = Skip { kind: "SECURITY LABEL", why: "security labels are not managed" };
}

/// The statements the builder consumes.
pub enum Stmt {
    /// A statement sqlparser parsed.
    Sql(Box<Statement>),
    /// A `CREATE TABLE`, lowered as soon as it was parsed.
    Table(Box<TableDef>),
    /// A `CREATE TABLE` with clauses read from the tokens: `PARTITION BY`'s
    /// key, `LIKE` elements.
    TableWithClauses(Box<Statement>, Option<Result<crate::model::PartitionKey, String>>, Vec<super::like::Like>),
    /// A `CREATE INDEX`, lowered as soon as it was parsed.
    Index(Box<super::index_def::IndexDef>),
    /// An `ALTER TABLE`.
    Alter(Box<AlterTable>),
    /// A `CREATE DOMAIN`, with its `NOT NULL` (which sqlparser does not read there).
    Domain {
        /// The rest of the statement.
        def: Box<CreateDomain>,
        /// Whether `NOT NULL` was written.
        not_null: bool,
    },
    /// A view or materialized view, lowered as soon as it was parsed.
    View(Box<super::view::ViewDef>),
    /// `ALTER SEQUENCE name OWNED BY table.column | NONE`.
    SequenceOwnedBy {
        /// The sequence.
        sequence: ObjectName,
        /// `table.column` parts, or `None` for `OWNED BY NONE`.
        owner: Option<ObjectName>,
    },
    /// A `CREATE FUNCTION` / `CREATE PROCEDURE`, read at once; whether it said `OR REPLACE`.
    Routine(Box<crate::model::Routine>, bool),
    /// A `CREATE TRIGGER`, read at once; whether it said `OR REPLACE`.
    Trigger(Box<crate::model::Trigger>, bool),
    /// A `CREATE` of a generic kind (`model::object`); whether it said `OR REPLACE`.
    Object(Box<crate::model::Object>, bool),
    /// `COMMENT ON <kind> identity IS ...` of a generic kind.
    ObjectComment(crate::model::ObjectId, Option<String>),
    /// `ALTER TEXT SEARCH CONFIGURATION ... ADD / ALTER / DROP MAPPING`.
    ObjectMapping(crate::model::ObjectId, super::ts_mapping::MappingEdit),
    /// `ALTER EVENT TRIGGER ... ENABLE`, `ALTER STATISTICS ... SET STATISTICS` (`object_alter`).
    ObjectOption(crate::model::ObjectId, super::object_alter::OptionEdit),
    /// `ALTER OPERATOR FAMILY`, `ALTER PUBLICATION`, `ALTER TABLE ... ENABLE / DISABLE RULE`.
    ObjectEdit(crate::model::ObjectId, super::object_edit::ObjectEdit),
    /// `ALTER FOREIGN TABLE t ALTER COLUMN c OPTIONS (...)`: the table, the
    /// column, its options (canonical).
    ForeignColumnOptions(crate::model::ObjectId, String, String),
    /// `ALTER INDEX parent ATTACH PARTITION child`.
    AttachIndex {
        /// The partition's index.
        child: ObjectName,
    },
    /// `COMMENT ON FUNCTION | PROCEDURE name[(args)] IS ...`.
    RoutineComment {
        /// The routine's name.
        name: crate::model::QualName,
        /// Identity argument types, when given.
        args: Option<Vec<crate::model::ColumnType>>,
        /// The comment, `None` for `IS NULL`.
        text: Option<String>,
    },
    /// `COMMENT ON TRIGGER name ON table IS ...`.
    TriggerComment {
        /// The trigger's name.
        name: String,
        /// Its table.
        table: crate::model::QualName,
        /// The comment, `None` for `IS NULL`.
        text: Option<String>,
    },
    /// `GRANT`, `REVOKE` or `ALTER DEFAULT PRIVILEGES` (kept whatever the
    /// managed roles: a run drops the unmanaged ones later).
    Grant(Box<super::grants::GrantStmt>),
    /// A statement that changes nothing pgstate manages (see [`Skip`]).
    Skipped(Skip),
    /// A key a catalog read built from its rows (`constraints::CatalogKey`),
    /// added as its `ALTER TABLE ONLY ... ADD CONSTRAINT` would be.
    Key(crate::model::QualName, Box<super::constraints::RawConstraint>),
    /// `DROP ... IF EXISTS` / `ALTER TABLE IF EXISTS ... DROP ...`, settled in
    /// `read_file` (never reaches the builder).
    Drop {
        /// Whether it drops a view or materialized view.
        view: bool,
        /// What it names.
        name: Option<ObjectName>,
    },
    /// `ALTER TABLE [ONLY] t ALTER [COLUMN] c SET STATISTICS n` or
    /// `ALTER INDEX i ALTER [COLUMN] position SET STATISTICS n`.
    Statistics {
        /// The table or index.
        relation: ObjectName,
        /// Whether it is `ALTER INDEX`.
        index: bool,
        /// The column's name (folded), or the index column's 1-based position.
        column: String,
        /// The target (-1: the default).
        value: i32,
    },
    /// `ALTER TABLE [ONLY] t` with one of the settings sqlparser does not read
    /// (`table_attrs`): a column's storage or compression, `CLUSTER ON`, `REPLICA IDENTITY`.
    TableAttr {
        /// The table.
        relation: ObjectName,
        /// What it sets.
        attr: TableAttr,
    },
    /// `COMMENT ON CONSTRAINT | POLICY name ON table IS 'text' | NULL`.
    ConstraintComment {
        /// Whether it is `COMMENT ON POLICY` rather than `ON CONSTRAINT`.
        policy: bool,
        /// Constraint or policy name.
        name: ObjectName,
        /// Its table.
        table: ObjectName,
        /// The comment, `None` for `IS NULL`.
        text: Option<String>,
    },
}

/// A setting of `ALTER TABLE` read from its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableAttr {
    /// `ALTER [COLUMN] c SET STORAGE s` (lower case; `None`: `DEFAULT`).
    Storage {
        /// The column (folded).
        column: String,
        /// `plain`, `external`, `extended` or `main`.
        value: Option<String>,
    },
    /// `ALTER [COLUMN] c SET COMPRESSION m` (lower case; `None`: `DEFAULT`).
    Compression {
        /// The column (folded).
        column: String,
        /// `pglz`, `lz4`.
        value: Option<String>,
    },
    /// `CLUSTER ON i` (`None`: `SET WITHOUT CLUSTER`).
    ClusterOn(Option<String>),
    /// `REPLICA IDENTITY ...` (`None`: `DEFAULT`).
    ReplicaIdentity(Option<crate::model::ReplicaIdentity>),
    /// `ADD [CONSTRAINT n] NOT NULL c [NO INHERIT] [NOT VALID]` (PostgreSQL 18).
    NotNull {
        /// The column (folded).
        column: String,
        /// The constraint's name and flags, as written (the name not yet
        /// compared with the default one).
        constraint: crate::model::NotNull,
    },
}
