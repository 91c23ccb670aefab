//! The scratch schema: desired expressions stored by the server and read back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::Client;

use super::mismatch::Mismatches;
use super::NormalizeError;
use crate::canon::quote_ident;
use crate::diff::{diff, Change};
use crate::introspect::{introspect, Scope};
use crate::model::{Catalog, Column, ColumnType, Domain, Expr, Index, QualName, Table};
use crate::plan::render::statements;

/// Runs `sql` inside a savepoint; a failure only loses that step.
pub(super) async fn attempt(client: &Client, sql: &str) -> bool {
    if client.batch_execute("SAVEPOINT pgstate_step").await.is_err() {
        return false;
    }
    match client.batch_execute(sql).await {
        Ok(()) => client.batch_execute("RELEASE SAVEPOINT pgstate_step").await.is_ok(),
        Err(_) => {
            let _ = client.batch_execute("ROLLBACK TO SAVEPOINT pgstate_step").await;
            false
        }
    }
}

/// A schema name unique per call: one transaction may settle two catalogs.
pub(super) fn scratch_schema() -> String {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    format!("pgstate_scratch_{}_{}", std::process::id(), CALLS.fetch_add(1, Ordering::Relaxed))
}

/// The SQL of `changes`, each statement ended.
pub(super) fn script(changes: &[Change]) -> String {
    changes.iter().flat_map(statements).map(|s| s + ";\n").collect()
}

/// Creates the scratch objects for `found` from `cat`, reads them back, and
/// gives `cat` the server's spelling of each. Must run inside a transaction
/// that the caller rolls back.
///
/// Long because every kind of scratch object shares the one name map built here.
pub async fn settle(client: &Client, cat: &mut Catalog, found: &Mismatches) -> Result<usize, NormalizeError> {
    let schema = scratch_schema();
    client.batch_execute(&format!("CREATE SCHEMA {}", quote_ident(&schema))).await?;

    // Types, sequences, extensions, schemas and routines the expressions may name.
    for change in diff(&Catalog::default(), cat) {
        if matches!(
            change,
            Change::CreateSchema { .. }
                | Change::CreateExtension { .. }
                | Change::CreateEnum { .. }
                | Change::CreateDomain { .. }
                | Change::CreateComposite { .. }
                | Change::CreateRange { .. }
                | Change::CreateSequence { .. }
                | Change::CreateRoutine { replace: false, .. }
        ) {
            attempt(client, &script(std::slice::from_ref(&change))).await;
        }
    }

    // Every table involved, under its own name with its columns only: what a
    // policy's subquery reads must exist (the scratch copies below hold the rest).
    for t in cat.tables.values() {
        let mut bare = Table::new(t.name.clone());
        for c in t.columns.values() {
            let mut col = Column::new(c.name.clone(), c.data_type.clone());
            col.collation = c.collation.clone();
            bare.columns.insert(col.name.clone(), col);
        }
        attempt(client, &script(&[Change::CreateTable { table: bare }])).await;
    }

    // Defaults: one scratch column per distinct (type, collation, expression).
    let mut default_columns: HashMap<(ColumnType, Option<String>, Expr), String> = HashMap::new();
    let mut defaults_table = Table::new(QualName::new(schema.clone(), "defaults"));
    for (table, m) in &found.tables {
        for c in &m.defaults {
            let col = &cat.tables[table].columns[c];
            let key =
                (col.data_type.clone(), col.collation.clone(), col.default.clone().unwrap_or(Expr::new(String::new())));
            let next = format!("d{}", default_columns.len());
            default_columns.entry(key).or_insert_with(|| {
                let mut scratch = Column::new(next.clone(), col.data_type.clone());
                scratch.collation = col.collation.clone();
                scratch.default = col.default.clone();
                defaults_table.columns.insert(next.clone(), scratch);
                next
            });
        }
    }
    if !defaults_table.columns.is_empty() {
        // One column at a time, so one bad default does not lose the others.
        let mut bare = defaults_table.clone();
        for c in bare.columns.values_mut() {
            c.default = None;
        }
        attempt(client, &script(&[Change::CreateTable { table: bare }])).await;
        for col in defaults_table.columns.values() {
            let change = Change::SetDefault {
                table: defaults_table.name.clone(),
                column: col.name.clone(),
                from: None,
                to: col.default.clone(),
            };
            attempt(client, &script(&[change])).await;
        }
    }

    // Generated columns, checks, exclusions and expression indexes: one scratch table per table.
    for (i, (table, m)) in found.tables.iter().enumerate() {
        if !m.needs_scratch_table() {
            continue;
        }
        let want = &cat.tables[table];
        let mut t = Table::new(QualName::new(schema.clone(), format!("t{i}")));
        for col in want.columns.values() {
            let mut c = Column::new(col.name.clone(), col.data_type.clone());
            c.collation = col.collation.clone();
            if m.generated.contains(&col.name) {
                c.generated = col.generated.clone();
            }
            t.columns.insert(c.name.clone(), c);
        }
        for n in &m.constraints {
            t.constraints.insert(n.clone(), want.constraints[n].clone());
        }
        let mut changes = vec![Change::CreateTable { table: t.clone() }];
        for (j, n) in m.indexes.iter().enumerate() {
            let index = Index { name: format!("t{i}_{j}"), comment: None, ..want.indexes[n].clone() };
            changes.push(Change::CreateIndex { table: t.name.clone(), index });
        }
        for n in &m.policies {
            changes.push(Change::CreatePolicy { table: t.name.clone(), policy: want.policies[n].clone() });
        }
        attempt(client, &script(&changes)).await;
    }

    // Domains: each mismatched one again under a scratch name.
    for (i, name) in found.domains.iter().enumerate() {
        if let Some(d) = cat.domains.get(name) {
            let scratch =
                Domain { name: QualName::new(schema.clone(), format!("dom{i}")), not_null: false, ..d.clone() };
            attempt(client, &script(&[Change::CreateDomain { domain: scratch }])).await;
        }
    }

    let stored = introspect(client, &Scope::Schemas(vec![schema.clone()])).await?.catalog;
    Ok(respell(cat, found, &stored, &schema, &default_columns))
}

/// Takes the stored spelling of every expression the server stored.
fn respell(
    cat: &mut Catalog,
    found: &Mismatches,
    stored: &Catalog,
    schema: &str,
    default_columns: &HashMap<(ColumnType, Option<String>, Expr), String>,
) -> usize {
    let mut settled = 0;
    let defaults = stored.tables.get(&QualName::new(schema, "defaults"));
    for (i, name) in found.domains.iter().enumerate() {
        let Some(stored) = stored.domains.get(&QualName::new(schema, format!("dom{i}"))) else { continue };
        let Some(want) = cat.domains.get_mut(name) else { continue };
        if want.default.is_some() && stored.default.is_some() {
            want.default = stored.default.clone();
            settled += 1;
        }
        for (n, expr) in want.checks.iter_mut() {
            if let Some(s) = stored.checks.get(n) {
                *expr = s.clone();
                settled += 1;
            }
        }
    }
    for (i, (table, m)) in found.tables.iter().enumerate() {
        let scratch = stored.tables.get(&QualName::new(schema, format!("t{i}")));
        let Some(want) = cat.tables.get_mut(table) else { continue };
        for c in &m.defaults {
            let col = &want.columns[c];
            let key =
                (col.data_type.clone(), col.collation.clone(), col.default.clone().unwrap_or(Expr::new(String::new())));
            let stored_default =
                default_columns.get(&key).and_then(|d| defaults?.columns.get(d)).and_then(|d| d.default.clone());
            if let Some(stored_default) = stored_default {
                want.columns[c].default = Some(stored_default);
                settled += 1;
            }
        }
        let Some(scratch) = scratch else { continue };
        for c in &m.generated {
            if let Some(stored_expr) = scratch.columns.get(c).and_then(|s| s.generated.clone()) {
                want.columns[c].generated = Some(stored_expr);
                settled += 1;
            }
        }
        for n in &m.constraints {
            if let Some(s) = scratch.constraints.get(n) {
                want.constraints[n].kind = s.kind.clone();
                settled += 1;
            }
        }
        for n in &m.policies {
            let Some(s) = scratch.policies.get(n) else { continue };
            let want = &mut want.policies[n];
            for (stored, slot) in [(&s.using, &mut want.using), (&s.with_check, &mut want.with_check)] {
                if stored.is_some() && stored != slot {
                    *slot = stored.clone();
                    settled += 1;
                }
            }
        }
        for (j, n) in m.indexes.iter().enumerate() {
            if let Some(s) = scratch.indexes.get(&format!("t{i}_{j}")) {
                let comment = want.indexes[n].comment.clone();
                want.indexes[n] = Index { name: n.clone(), comment, ..s.clone() };
                settled += 1;
            }
        }
    }
    settled
}
