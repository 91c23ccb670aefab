use serde::Serialize;

use super::{Expr, IndexKey, QualName};

/// A table constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// Its name (generated the way PostgreSQL does when not given).
    pub name: String,
    /// What it constrains.
    pub kind: ConstraintKind,
    /// `DEFERRABLE` / `INITIALLY DEFERRED`.
    pub deferral: Deferral,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
    /// Whether existing rows were checked (`false`: a foreign key or check
    /// added `NOT VALID` and not validated since; `convalidated`). PostgreSQL
    /// cannot un-validate one, so the differ only ever validates.
    pub validated: bool,
    /// Storage parameters of a primary key's or unique constraint's index
    /// (`WITH (fillfactor = 70)`), in the order written (PostgreSQL keeps it).
    pub index_options: Vec<(String, String)>,
}

impl Constraint {
    /// Whether the kind can be `NOT VALID` (foreign keys and checks only).
    pub fn can_be_not_valid(&self) -> bool {
        matches!(self.kind, ConstraintKind::ForeignKey(_) | ConstraintKind::Check { .. })
    }
}

/// Deferrability of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Deferral {
    /// `NOT DEFERRABLE` (the default).
    #[default]
    Immediate,
    /// `DEFERRABLE INITIALLY IMMEDIATE`.
    Deferrable,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    Deferred,
}

/// The kinds of constraint the model holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ConstraintKind {
    /// `PRIMARY KEY (cols) [INCLUDE (cols)]`.
    PrimaryKey {
        /// Key columns.
        columns: Vec<String>,
        /// `INCLUDE` columns.
        include: Vec<String>,
    },
    /// `UNIQUE [NULLS NOT DISTINCT] (cols) [INCLUDE (cols)]`.
    Unique {
        /// Key columns.
        columns: Vec<String>,
        /// `INCLUDE` columns.
        include: Vec<String>,
        /// `NULLS NOT DISTINCT`.
        nulls_not_distinct: bool,
    },
    /// `FOREIGN KEY ... REFERENCES ...`.
    ForeignKey(ForeignKey),
    /// `CHECK (expr) [NO INHERIT]`.
    Check {
        /// The condition, canonical.
        expr: Expr,
        /// `NO INHERIT`.
        no_inherit: bool,
    },
    /// `EXCLUDE USING method (elem WITH op, ...) [WHERE (pred)]`.
    Exclusion {
        /// Index method.
        method: String,
        /// Elements and their operators.
        elements: Vec<(IndexKey, String)>,
        /// Partial predicate.
        predicate: Option<Expr>,
    },
}

impl ConstraintKind {
    /// Short name of the kind, for plans and JSON.
    pub fn label(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "primary key",
            ConstraintKind::Unique { .. } => "unique",
            ConstraintKind::ForeignKey(_) => "foreign key",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::Exclusion { .. } => "exclusion",
        }
    }
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignKey {
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table.
    pub ref_table: QualName,
    /// Referenced columns (filled in from the primary key when omitted).
    pub ref_columns: Vec<String>,
    /// `ON DELETE`.
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    pub on_update: FkAction,
    /// `MATCH`.
    pub match_kind: FkMatch,
}

/// Referential actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum FkAction {
    /// `NO ACTION` (the default).
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl FkAction {
    /// The SQL words.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// `MATCH` kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum FkMatch {
    /// `MATCH SIMPLE` (the default).
    #[default]
    Simple,
    /// `MATCH FULL`.
    Full,
}
