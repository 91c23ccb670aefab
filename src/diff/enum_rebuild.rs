//! What an enum rebuilt under its name takes along: an index or a check whose
//! expression reads a converted column (a partial index on `color <>
//! 'red'::color`) would be rebuilt by PostgreSQL against the renamed old type
//! and fail (`operator does not exist: color <> color_pgstate_old`), so it is
//! dropped before the rebuild and created again after (the plan's order keys
//! on the column's type, see `plan::order`).

use super::{Change, CommentTarget, Diff};
use crate::canon::refs::columns_used;
use crate::model::{Catalog, Constraint, ConstraintKind, Expr, Index, IndexKeyExpr, QualName};

/// Adds the drops and creations each `RecreateEnum` in `out` needs.
pub fn take_along(out: &mut Diff, from: &Catalog, to: &Catalog) {
    let converted: Vec<(QualName, String)> = out
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::RecreateEnum { columns, .. } => Some(columns.iter().map(|(t, c)| (t.clone(), c.name.clone()))),
            _ => None,
        })
        .flatten()
        .collect();
    for (table, column) in converted {
        let (Some(old), Some(new)) = (from.tables.get(&table), to.tables.get(&table)) else { continue };
        for (name, index) in &old.indexes {
            let Some(want) = new.indexes.get(name) else { continue };
            if reads(index_exprs(index), &column) && !touched_index(out, &table, name) {
                out.changes.push(Change::DropIndex { table: table.clone(), index: index.clone() });
                out.changes
                    .push(Change::CreateIndex { table: table.clone(), index: Index { comment: None, ..want.clone() } });
                if let Some(text) = &want.comment {
                    let target = CommentTarget::Index(QualName::new(table.schema.clone(), name.clone()));
                    out.changes.push(Change::SetComment { target, text: Some(text.clone()) });
                }
            }
        }
        for (name, constraint) in &old.constraints {
            let Some(want) = new.constraints.get(name) else { continue };
            if reads(constraint_exprs(constraint), &column) && !touched_constraint(out, &table, name) {
                out.changes.push(Change::DropConstraint { table: table.clone(), constraint: constraint.clone() });
                out.changes.push(Change::AddConstraint {
                    table: table.clone(),
                    constraint: Constraint { comment: None, ..want.clone() },
                });
                if let Some(text) = &want.comment {
                    let target = CommentTarget::Constraint(table.clone(), name.clone());
                    out.changes.push(Change::SetComment { target, text: Some(text.clone()) });
                }
            }
        }
    }
}

fn reads<'a>(mut exprs: impl Iterator<Item = &'a Expr>, column: &str) -> bool {
    exprs.any(|e| columns_used(e).iter().any(|c| c == column))
}

fn index_exprs(i: &Index) -> impl Iterator<Item = &Expr> {
    i.keys
        .iter()
        .filter_map(|k| match &k.expr {
            IndexKeyExpr::Expr(e) => Some(e),
            _ => None,
        })
        .chain(i.predicate.as_ref())
}

fn constraint_exprs(c: &Constraint) -> Box<dyn Iterator<Item = &Expr> + '_> {
    match &c.kind {
        ConstraintKind::Check { expr, .. } => Box::new(std::iter::once(expr)),
        ConstraintKind::Exclusion { elements, predicate, .. } => Box::new(
            elements
                .iter()
                .filter_map(|(k, _)| match &k.expr {
                    IndexKeyExpr::Expr(e) => Some(e),
                    _ => None,
                })
                .chain(predicate.as_ref()),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

fn touched_index(out: &Diff, table: &QualName, name: &str) -> bool {
    out.changes.iter().any(|c| match c {
        Change::DropIndex { table: t, index } | Change::CreateIndex { table: t, index } => {
            t == table && index.name == name
        }
        _ => false,
    })
}

fn touched_constraint(out: &Diff, table: &QualName, name: &str) -> bool {
    out.changes.iter().any(|c| match c {
        Change::DropConstraint { table: t, constraint } | Change::AddConstraint { table: t, constraint } => {
            t == table && constraint.name == name
        }
        _ => false,
    })
}
