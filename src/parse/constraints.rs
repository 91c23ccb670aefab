//! Table constraints and index keys as parsed, before names are chosen and
//! references resolved.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions, ConstraintCharacteristics, ConstraintReferenceMatchKind, DeferrableInitial, Expr as SqlExpr,
    IndexColumn, IndexOption, OrderBySort, ReferentialAction, TableConstraint,
};

use super::names::object_qual_name;
use super::source::At;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::model::{Deferral, FkAction, FkMatch, IndexKey, IndexKeyExpr, QualName};

/// A constraint waiting for its name and references to be settled.
#[derive(Clone)]
pub struct RawConstraint {
    /// Given name, if any.
    pub name: Option<String>,
    /// What it is.
    pub kind: RawKind,
    /// Deferrability.
    pub deferral: Deferral,
    /// False for `ADD CONSTRAINT ... NOT VALID`.
    pub validated: bool,
    /// A key's index: `WITH (...)` and `USING INDEX TABLESPACE` (`key_options`).
    pub index: super::key_options::KeyIndex,
    /// Where it was written.
    pub at: At,
}

/// Constraint kinds as written.
#[derive(Clone)]
pub enum RawKind {
    /// `PRIMARY KEY`.
    PrimaryKey { columns: Vec<String>, include: Vec<String> },
    /// `UNIQUE`.
    Unique { columns: Vec<String>, include: Vec<String>, nulls_not_distinct: bool },
    /// `FOREIGN KEY`; empty `ref_columns` means the referenced primary key.
    ForeignKey {
        columns: Vec<String>,
        ref_table: QualName,
        ref_columns: Vec<String>,
        on_delete: FkAction,
        on_update: FkAction,
        match_kind: FkMatch,
    },
    /// `CHECK`.
    Check { expr: Box<SqlExpr>, no_inherit: bool },
    /// `EXCLUDE`.
    Exclusion { method: String, elements: Vec<(IndexKey, String)>, predicate: Option<Box<SqlExpr>> },
    /// `PRIMARY KEY USING INDEX` / `UNIQUE USING INDEX`: an existing unique
    /// index becomes the constraint (and takes its name).
    UsingIndex { primary: bool, index: String },
}

impl RawKind {
    /// How many ranks there are (`rank` is below it).
    pub const RANKS: usize = 4;

    /// Order in which PostgreSQL settles constraints of a table, for name choice.
    pub fn rank(&self) -> u8 {
        match self {
            RawKind::PrimaryKey { .. } | RawKind::UsingIndex { primary: true, .. } => 0,
            RawKind::UsingIndex { .. } => 1,
            RawKind::Unique { .. } | RawKind::Exclusion { .. } => 1,
            RawKind::Check { .. } => 2,
            RawKind::ForeignKey { .. } => 3,
        }
    }
}

fn deferral(c: &Option<ConstraintCharacteristics>) -> Deferral {
    match c {
        Some(c) if c.deferrable == Some(true) => match c.initially {
            Some(DeferrableInitial::Deferred) => Deferral::Deferred,
            _ => Deferral::Deferrable,
        },
        // INITIALLY DEFERRED implies DEFERRABLE.
        Some(c) if c.initially == Some(DeferrableInitial::Deferred) && c.deferrable.is_none() => Deferral::Deferred,
        _ => Deferral::Immediate,
    }
}

fn action(a: &Option<ReferentialAction>) -> FkAction {
    match a {
        None | Some(ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

/// A column list of a key constraint: plain column names only.
fn plain_columns(cols: &[IndexColumn]) -> Result<Vec<String>, String> {
    cols.iter()
        .map(|c| match &c.column.expr {
            SqlExpr::Identifier(i) => Ok(fold(i)),
            other => Err(format!("a key constraint lists columns, not expressions: {other}")),
        })
        .collect()
}

/// Converts a parsed table constraint. `column` is the column it was written on, if inline.
pub fn from_table_constraint(
    c: &TableConstraint,
    column: Option<&str>,
    default_schema: &str,
    at: At,
) -> Result<RawConstraint, String> {
    let cols_or_inline = |cols: Vec<String>| -> Vec<String> {
        match (cols.is_empty(), column) {
            (true, Some(col)) => vec![col.to_string()],
            _ => cols,
        }
    };
    let (name, kind, chars) = match c {
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref(),
            RawKind::PrimaryKey {
                columns: cols_or_inline(plain_columns(&pk.columns)?),
                include: pk.include.iter().map(fold).collect(),
            },
            &pk.characteristics,
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref(),
            RawKind::Unique {
                columns: cols_or_inline(plain_columns(&u.columns)?),
                include: u.include.iter().map(fold).collect(),
                nulls_not_distinct: matches!(u.nulls_distinct, sqlparser::ast::NullsDistinctOption::NotDistinct),
            },
            &u.characteristics,
        ),
        TableConstraint::ForeignKey(fk) => {
            let ref_table = object_qual_name(&fk.foreign_table, default_schema)?;
            (
                fk.name.as_ref(),
                RawKind::ForeignKey {
                    columns: cols_or_inline(fk.columns.iter().map(fold).collect()),
                    ref_table,
                    ref_columns: fk.referred_columns.iter().map(fold).collect(),
                    on_delete: action(&fk.on_delete),
                    on_update: action(&fk.on_update),
                    match_kind: match fk.match_kind {
                        Some(ConstraintReferenceMatchKind::Full) => FkMatch::Full,
                        Some(ConstraintReferenceMatchKind::Partial) => {
                            return Err("MATCH PARTIAL is not implemented by PostgreSQL".into())
                        }
                        _ => FkMatch::Simple,
                    },
                },
                &fk.characteristics,
            )
        }
        TableConstraint::Check(ch) => {
            if ch.enforced == Some(false) {
                return Err("NOT ENFORCED check constraints are not supported".into());
            }
            (ch.name.as_ref(), RawKind::Check { expr: ch.expr.clone(), no_inherit: ch.no_inherit }, &None)
        }
        TableConstraint::Exclude(ex) => {
            let elements = ex
                .elements
                .iter()
                .map(|el| Ok((index_key(&el.column, default_schema)?, el.operator.to_string())))
                .collect::<Result<Vec<_>, String>>()?;
            if !ex.include.is_empty() {
                return Err("INCLUDE on an exclusion constraint is not supported yet".into());
            }
            (
                ex.name.as_ref(),
                RawKind::Exclusion {
                    method: ex.index_method.as_ref().map_or("btree".to_string(), |m| m.value.to_lowercase()),
                    elements,
                    predicate: ex.where_clause.clone(),
                },
                &ex.characteristics,
            )
        }
        TableConstraint::PrimaryKeyUsingIndex(u) => {
            (u.name.as_ref(), RawKind::UsingIndex { primary: true, index: fold(&u.index_name) }, &u.characteristics)
        }
        TableConstraint::UniqueUsingIndex(u) => {
            (u.name.as_ref(), RawKind::UsingIndex { primary: false, index: fold(&u.index_name) }, &u.characteristics)
        }
        other => return Err(format!("unsupported constraint: {other}")),
    };
    let index = key_index(c)?;
    Ok(RawConstraint { name: name.map(fold), kind, deferral: deferral(chars), validated: true, index, at })
}

/// A key's index storage parameters and tablespace, as `key_options` handed them on.
fn key_index(c: &TableConstraint) -> Result<super::key_options::KeyIndex, String> {
    let options = match c {
        TableConstraint::PrimaryKey(pk) => &pk.index_options[..],
        TableConstraint::Unique(u) => &u.index_options[..],
        _ => &[],
    };
    let mut index = super::key_options::KeyIndex::default();
    for o in options {
        match o {
            IndexOption::Comment(text) => match super::key_options::decode(text) {
                Some(k) => index = k,
                None => return Err("COMMENT is no option of a key constraint".into()),
            },
            other => return Err(format!("unsupported option of a key constraint: {other}")),
        }
    }
    Ok(index)
}

/// One index key in canonical form.
pub fn index_key(col: &IndexColumn, default_schema: &str) -> Result<IndexKey, String> {
    let mut expr = &col.column.expr;
    let mut collation = None;
    if let SqlExpr::Collate { expr: inner, collation: c } = expr {
        collation = Some(super::names::collation_name(c));
        expr = inner;
    }
    let key_expr = match expr {
        SqlExpr::Identifier(i) => IndexKeyExpr::Column(fold(i)),
        SqlExpr::Nested(inner) if matches!(**inner, SqlExpr::Identifier(_)) => match &**inner {
            SqlExpr::Identifier(i) => IndexKeyExpr::Column(fold(i)),
            _ => unreachable!("matched above"),
        },
        other => IndexKeyExpr::Expr(canonical(other, &Context { default_schema, column_type: None })),
    };
    let desc = match &col.column.options.sort {
        Some(OrderBySort::Desc) => true,
        Some(OrderBySort::Asc) | None => false,
        Some(other) => return Err(format!("unsupported index ordering {other:?}")),
    };
    // NULLS LAST is the default for ASC and NULLS FIRST for DESC: only a change is kept.
    let nulls_first = col.column.options.nulls_first.filter(|&first| first != desc);
    let opclass = col
        .operator_class
        .as_ref()
        .map(|o| o.0.iter().filter_map(|p| p.as_ident()).map(fold).collect::<Vec<_>>().join("."));
    Ok(IndexKey { expr: key_expr, opclass, desc, nulls_first, collation })
}

/// Distinct column names an expression refers to (for naming CHECK constraints).
pub fn referenced_columns(expr: &SqlExpr) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let _ = visit_expressions(expr, |e| {
        match e {
            SqlExpr::Identifier(i) => {
                out.insert(fold(i));
            }
            SqlExpr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last() {
                    out.insert(fold(last));
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    out
}
