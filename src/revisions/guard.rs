//! What a downgrade would lose: each revision to undo is judged by the plan
//! from the chain's state with it to the state without it (both replayed on
//! the model), so `Plan::data_loss` decides here as it does for `apply`. The
//! down section's renames are passed as rename hints, so a column renamed back
//! is not taken for one dropped; a `-- hazard: data loss` comment the authors
//! wrote in the down section counts too (a `DELETE` is invisible to the model).

use std::collections::BTreeSet;

use sqlparser::ast::{AlterTableOperation, AlterTypeOperation, RenameTableNameKind, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::canon::ident::fold;
use crate::model::{Catalog, QualName};
use crate::parse::names::object_qual_name;
use crate::parse::split::split;
use crate::parse::RenameHint;
use crate::plan::plan;

use super::{replay::replay, state_at, Chain, Revision, RevisionError};

/// What undoing `undo` (newest first, all in `applied`) would lose, one entry
/// per revision that loses anything: `id: object, object`. An error when the
/// chain cannot be replayed, so that nothing can be judged.
pub fn downgrade_losses(
    chain: &Chain,
    applied: &BTreeSet<String>,
    undo: &[&Revision],
) -> Result<Vec<String>, RevisionError> {
    // The states along the applied revisions, replayed once: undoing the last
    // of them (the usual `-N` and `base`) steps back through these.
    let order = chain.ordered(applied);
    let mut states = vec![Catalog::default()];
    for r in &order {
        let next = replay(states[states.len() - 1].clone(), &r.id, &r.up)?;
        states.push(next);
    }
    let mut remaining = applied.clone();
    let mut len = order.len();
    let mut out = Vec::new();
    for r in undo {
        let (before, after) = if len > 0 && order[len - 1].id == r.id && remaining.len() == len {
            len -= 1;
            (states[len + 1].clone(), states[len].clone())
        } else {
            // A revision on another branch: replay what stays without it.
            let ids: Vec<String> = remaining.iter().cloned().collect();
            let before = state_at(chain, &ids)?;
            let without: Vec<String> = remaining.iter().filter(|id| **id != r.id).cloned().collect();
            (before, state_at(chain, &without)?)
        };
        remaining.remove(&r.id);
        let planned = plan(&before, &after, &rename_hints(&r.down))?;
        let mut lost: Vec<String> = planned.data_loss().map(|s| s.object.clone()).collect();
        if lost.is_empty() {
            lost = declared_losses(&r.down);
        }
        lost.dedup();
        if !lost.is_empty() {
            out.push(format!("{}: {}", r.id, lost.join(", ")));
        }
    }
    Ok(out)
}

/// The `-- hazard: data loss: ...` comments of a section.
fn declared_losses(sql: &str) -> Vec<String> {
    sql.lines().filter_map(|l| l.trim().strip_prefix("-- hazard: data loss:")).map(|m| m.trim().to_string()).collect()
}

/// The renames a section makes, as hints for the plan from before to after it.
fn rename_hints(sql: &str) -> Vec<RenameHint> {
    let Ok(statements) = split(sql) else { return Vec::new() };
    let mut hints = Vec::new();
    for raw in statements {
        if raw.head(1).first().map(String::as_str) != Some("ALTER") {
            continue;
        }
        let Ok(parsed) = Parser::parse_sql(&PostgreSqlDialect {}, &sql[raw.bytes.clone()]) else { continue };
        for statement in parsed {
            hints.extend(hints_of(&statement));
        }
    }
    // A column hint names its table as it is after the section.
    let tables: Vec<(QualName, QualName)> = hints
        .iter()
        .filter_map(|h| match h {
            RenameHint::Table { table, from } => Some((from.clone(), table.clone())),
            _ => None,
        })
        .collect();
    for h in &mut hints {
        if let RenameHint::Column { table, .. } = h {
            if let Some((_, to)) = tables.iter().find(|(from, _)| from == table) {
                *table = to.clone();
            }
        }
    }
    hints
}

fn hints_of(statement: &Statement) -> Vec<RenameHint> {
    let mut out = Vec::new();
    match statement {
        Statement::AlterTable(alter) => {
            let Ok(table) = object_qual_name(&alter.name, "public") else { return out };
            for op in &alter.operations {
                match op {
                    AlterTableOperation::RenameTable {
                        table_name: RenameTableNameKind::To(to) | RenameTableNameKind::As(to),
                    } => {
                        if let Some(name) = to.0.last().and_then(|p| p.as_ident()).map(fold) {
                            let new = QualName::new(table.schema.clone(), name);
                            out.push(RenameHint::Table { table: new, from: table.clone() });
                        }
                    }
                    AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                        out.push(RenameHint::Column {
                            table: table.clone(),
                            column: fold(new_column_name),
                            from: fold(old_column_name),
                        });
                    }
                    _ => {}
                }
            }
        }
        Statement::AlterType(alter) => {
            if let (AlterTypeOperation::RenameValue(r), Ok(name)) =
                (&alter.operation, object_qual_name(&alter.name, "public"))
            {
                out.push(RenameHint::EnumValue { name, value: r.to.value.clone(), from: r.from.value.clone() });
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_become_hints_for_the_state_after() {
        let hints = rename_hints(
            "ALTER TABLE public.tools RENAME COLUMN summary TO description;\n\
             ALTER TABLE public.tools RENAME TO gadgets;\nDROP TABLE x;\n\
             ALTER TYPE mood RENAME VALUE 'glad' TO 'happy';",
        );
        let gadgets = QualName::new("public", "gadgets");
        assert_eq!(
            hints,
            vec![
                RenameHint::Column { table: gadgets.clone(), column: "description".into(), from: "summary".into() },
                RenameHint::Table { table: gadgets, from: QualName::new("public", "tools") },
                RenameHint::EnumValue {
                    name: QualName::new("public", "mood"),
                    value: "happy".into(),
                    from: "glad".into()
                },
            ]
        );
    }

    #[test]
    fn declared_losses_are_read_from_comments() {
        let sql = "-- hazard: data loss: deleting old rows\nDELETE FROM t;\n-- hazard: may fail: x\n";
        assert_eq!(declared_losses(sql), vec!["deleting old rows".to_string()]);
    }
}
