//! The scratch schema: desired expressions stored by the server and read back.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::Client;

use super::mismatch::{columns_only, Mismatches};
use super::NormalizeError;
use crate::canon::quote_ident;
use crate::diff::{diff, Change};
use crate::introspect::{introspect_expressions, Scope};
use crate::model::{Catalog, Column, ColumnType, Domain, Expr, Index, QualName, Table};
use crate::plan::render::statements;

/// Runs `sql` inside a savepoint; a failure only loses that step. One round
/// trip when it succeeds (a settle runs hundreds): the savepoint, the
/// statements and the release go as one simple-query batch, and a failure
/// anywhere in it leaves the transaction to be rolled back to the savepoint.
pub(super) async fn attempt(client: &Client, sql: &str) -> bool {
    let batch = format!("SAVEPOINT pgstate_step;\n{sql}\n;RELEASE SAVEPOINT pgstate_step");
    match client.batch_execute(&batch).await {
        Ok(()) => true,
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

/// What `store` created for one side: its scratch schema and the scratch
/// column of each distinct default.
pub struct Stored {
    schema: String,
    default_columns: HashMap<(ColumnType, Option<String>, Expr), String>,
}

/// Creates the scratch objects for `found` from `cat` in a scratch schema of
/// its own. Must run inside a transaction that the caller rolls back; `read`
/// then reads what every side stored at once, and `Stored::respell` gives
/// `cat` the server's spelling.
///
/// Long because every kind of scratch object shares the one name map built here.
/// `created` holds the tables an earlier call of the same transaction
/// created under their own names (the two sides share them), and gets this
/// call's.
pub async fn store(
    client: &Client,
    cat: &Catalog,
    found: &Mismatches,
    created: &mut HashSet<QualName>,
) -> Result<Stored, NormalizeError> {
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
    // All in one round trip; one at a time only when that fails.
    let new: Vec<&Table> = cat.tables.values().filter(|t| !created.contains(&t.name)).collect();
    let bare: Vec<Change> = new.iter().map(|t| Change::CreateTable { table: columns_only(t) }).collect();
    if attempt(client, &script(&bare)).await {
        created.extend(new.iter().map(|t| t.name.clone()));
    } else {
        for (t, change) in new.iter().zip(&bare) {
            if attempt(client, &script(std::slice::from_ref(change))).await {
                created.insert(t.name.clone());
            }
        }
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

    Ok(Stored { schema, default_columns })
}

/// What the sides in `stored` stored, read in one introspection of the
/// kinds that hold expressions and that `found` needs (two to six catalog
/// queries, whatever the number of objects).
pub async fn read(client: &Client, stored: &[&Stored], found: &Mismatches) -> Result<Catalog, NormalizeError> {
    let schemas = stored.iter().map(|s| s.schema.clone()).collect();
    Ok(introspect_expressions(client, &Scope::Schemas(schemas), found.kinds()).await?.catalog)
}

impl Stored {
    /// Gives `cat` the spelling the server stored of each expression in `read`.
    pub fn respell(&self, cat: &mut Catalog, found: &Mismatches, read: &Catalog) -> usize {
        respell(cat, found, read, &self.schema, &self.default_columns)
    }
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
