//! Which expressions differ between the desired and the live catalog, for
//! objects both have.

use crate::model::{Catalog, ConstraintKind, QualName};

/// Per table: the columns whose default or generation expression differs, and
/// the check/exclusion constraints and expression indexes whose text differs.
#[derive(Debug, Default)]
pub struct TableMismatch {
    /// Columns with a differing default.
    pub defaults: Vec<String>,
    /// Columns with a differing generation expression.
    pub generated: Vec<String>,
    /// Constraints (check or exclusion) that differ.
    pub constraints: Vec<String>,
    /// Indexes that differ.
    pub indexes: Vec<String>,
}

/// All mismatches, by table.
pub type Mismatches = Vec<(QualName, TableMismatch)>;

/// Finds the expressions worth asking the server about.
pub fn find(desired: &Catalog, live: &Catalog) -> Mismatches {
    let mut out = Vec::new();
    for (name, want) in &desired.tables {
        let Some(have) = live.tables.get(name) else { continue };
        let mut m = TableMismatch::default();
        for (c, col) in &want.columns {
            let Some(old) = have.columns.get(c) else { continue };
            if col.default.is_some() && old.default.is_some() && col.default != old.default {
                m.defaults.push(c.clone());
            }
            if col.generated.is_some() && old.generated.is_some() && col.generated != old.generated {
                m.generated.push(c.clone());
            }
        }
        for (n, con) in &want.constraints {
            let Some(old) = have.constraints.get(n) else { continue };
            let expression_kind = matches!(
                (&con.kind, &old.kind),
                (ConstraintKind::Check { .. }, ConstraintKind::Check { .. })
                    | (ConstraintKind::Exclusion { .. }, ConstraintKind::Exclusion { .. })
            );
            if expression_kind && con != old {
                m.constraints.push(n.clone());
            }
        }
        for (n, idx) in &want.indexes {
            let Some(old) = have.indexes.get(n) else { continue };
            // Expressions, predicates, and operator classes written out though they are the default.
            if idx != old {
                m.indexes.push(n.clone());
            }
        }
        if !(m.defaults.is_empty() && m.generated.is_empty() && m.constraints.is_empty() && m.indexes.is_empty()) {
            out.push((name.clone(), m));
        }
    }
    out
}
