//! The scratch schema: desired expressions stored by the server and read back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::Client;

use super::mismatch::Mismatches;
use super::NormalizeError;
use crate::canon::quote_ident;
use crate::diff::{diff, Change};
use crate::introspect::{introspect, Scope};
use crate::model::{Catalog, Column, ColumnType, Domain, Expr, Index, QualName, Table, View};
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

/// Creates the scratch objects, reads them back, and respells `desired`: with
/// `live`, where the server stores both versions alike (taking the live
/// spelling); without, wherever the server stored it (taking the stored
/// spelling). Must run inside a transaction that the caller rolls back.
pub async fn settle(
    client: &Client,
    desired: &mut Catalog,
    live: Option<&Catalog>,
    found: &Mismatches,
) -> Result<usize, NormalizeError> {
    let schema = scratch_schema();
    client.batch_execute(&format!("CREATE SCHEMA {}", quote_ident(&schema))).await?;

    // Types, sequences, extensions and schemas the desired expressions may name
    // (those the live side lacks; all of them on a server that has neither).
    let empty = Catalog::default();
    for change in diff(live.unwrap_or(&empty), desired) {
        if matches!(
            change,
            Change::CreateSchema { .. }
                | Change::CreateExtension { .. }
                | Change::CreateEnum { .. }
                | Change::CreateComposite { .. }
                | Change::CreateRange { .. }
                | Change::CreateSequence { .. }
                | Change::CreateRoutine { replace: false, .. }
        ) {
            attempt(client, &script(std::slice::from_ref(&change))).await;
        }
    }

    // Defaults: one scratch column per distinct (type, collation, expression).
    let mut default_columns: HashMap<(ColumnType, Option<String>, Expr), String> = HashMap::new();
    let mut defaults_table = Table::new(QualName::new(schema.clone(), "defaults"));
    for (table, m) in &found.tables {
        for c in &m.defaults {
            let col = &desired.tables[table].columns[c];
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
        let want = &desired.tables[table];
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
        if let Some(d) = desired.domains.get(name) {
            let scratch =
                Domain { name: QualName::new(schema.clone(), format!("dom{i}")), not_null: false, ..d.clone() };
            attempt(client, &script(&[Change::CreateDomain { domain: scratch }])).await;
        }
    }

    // Views: each differing one again under a scratch name, reading the live tables.
    for (i, name) in found.views.iter().enumerate() {
        if let Some(v) = desired.views.get(name) {
            let scratch = View { name: QualName::new(schema.clone(), format!("v{i}")), ..v.clone() };
            attempt(client, &script(&[Change::CreateView { view: scratch, replace: false }])).await;
        }
    }

    let stored = introspect(client, &Scope::Schemas(vec![schema.clone()])).await?.catalog;
    Ok(respell(desired, live, found, &stored, &schema, &default_columns))
}

/// Takes the live spelling wherever the server stored the desired one the same
/// way; without `live`, takes the stored spelling.
fn respell(
    desired: &mut Catalog,
    live: Option<&Catalog>,
    found: &Mismatches,
    stored: &Catalog,
    schema: &str,
    default_columns: &HashMap<(ColumnType, Option<String>, Expr), String>,
) -> usize {
    let mut settled = 0;
    for (i, name) in found.views.iter().enumerate() {
        let (Some(s), Some(have), Some(want)) = (
            stored.views.get(&QualName::new(schema, format!("v{i}"))),
            live.and_then(|l| l.views.get(name)),
            desired.views.get_mut(name),
        ) else {
            continue;
        };
        if s.same_definition(have) {
            want.take_spelling_of(have);
            settled += 1;
        } else {
            // Still a change: judged for OR REPLACE in the server's words, as the live view is.
            want.outputs = s.outputs.clone();
        }
    }
    let defaults = stored.tables.get(&QualName::new(schema, "defaults"));
    let comparable = |x: &Index| Index { name: String::new(), comment: None, ..x.clone() };
    for (i, name) in found.domains.iter().enumerate() {
        let Some(stored) = stored.domains.get(&QualName::new(schema, format!("dom{i}"))) else { continue };
        let have = live.and_then(|l| l.domains.get(name));
        let Some(want) = desired.domains.get_mut(name) else { continue };
        if want.default.is_some() {
            let taken = match have {
                Some(have) if stored.default == have.default => have.default.clone(),
                Some(_) => None,
                None => stored.default.clone(),
            };
            if taken.is_some() {
                want.default = taken;
                settled += 1;
            }
        }
        for (n, expr) in want.checks.iter_mut() {
            let Some(s) = stored.checks.get(n) else { continue };
            match have.and_then(|h| h.checks.get(n)) {
                Some(h) if s == h => *expr = h.clone(),
                Some(_) => continue,
                None if live.is_some() => continue,
                None => *expr = s.clone(),
            }
            settled += 1;
        }
    }
    for (i, (table, m)) in found.tables.iter().enumerate() {
        let have = live.map(|l| &l.tables[table]);
        let scratch = stored.tables.get(&QualName::new(schema, format!("t{i}")));
        let Some(want) = desired.tables.get_mut(table) else { continue };
        for c in &m.defaults {
            let col = &want.columns[c];
            let key =
                (col.data_type.clone(), col.collation.clone(), col.default.clone().unwrap_or(Expr::new(String::new())));
            let stored_default =
                default_columns.get(&key).and_then(|d| defaults?.columns.get(d)).and_then(|d| d.default.clone());
            let Some(stored_default) = stored_default else { continue };
            match have {
                Some(have) if Some(&stored_default) == have.columns[c].default.as_ref() => {
                    want.columns[c].default = have.columns[c].default.clone()
                }
                Some(_) => continue,
                None => want.columns[c].default = Some(stored_default),
            }
            settled += 1;
        }
        let Some(scratch) = scratch else { continue };
        for c in &m.generated {
            let Some(stored_expr) = scratch.columns.get(c).and_then(|s| s.generated.clone()) else { continue };
            match have {
                Some(have) if Some(&stored_expr) == have.columns[c].generated.as_ref() => {
                    want.columns[c].generated = have.columns[c].generated.clone()
                }
                Some(_) => continue,
                None => want.columns[c].generated = Some(stored_expr),
            }
            settled += 1;
        }
        for n in &m.constraints {
            let Some(s) = scratch.constraints.get(n) else { continue };
            match have {
                Some(have) if s.kind == have.constraints[n].kind && s.deferral == have.constraints[n].deferral => {
                    want.constraints[n].kind = have.constraints[n].kind.clone()
                }
                Some(_) => continue,
                None => want.constraints[n].kind = s.kind.clone(),
            }
            settled += 1;
        }
        for n in &m.policies {
            let Some(s) = scratch.policies.get(n) else { continue };
            let have = have.and_then(|h| h.policies.get(n));
            let want = &mut want.policies[n];
            for (stored, live, slot) in [
                (&s.using, have.map(|h| &h.using), &mut want.using),
                (&s.with_check, have.map(|h| &h.with_check), &mut want.with_check),
            ] {
                if stored.is_none() || stored == slot {
                    continue;
                }
                match live {
                    Some(l) if l == stored => *slot = l.clone(),
                    Some(_) => continue,
                    None => *slot = stored.clone(),
                }
                settled += 1;
            }
        }
        for (j, n) in m.indexes.iter().enumerate() {
            let Some(s) = scratch.indexes.get(&format!("t{i}_{j}")) else { continue };
            let comment = want.indexes[n].comment.clone();
            match have {
                Some(have) if comparable(s) == comparable(&have.indexes[n]) => {
                    want.indexes[n] = Index { comment, ..have.indexes[n].clone() }
                }
                Some(_) => continue,
                None => want.indexes[n] = Index { name: n.clone(), comment, ..s.clone() },
            }
            settled += 1;
        }
    }
    settled
}
