//! View definitions from two file sources, settled on a server: what the
//! differing views read is created from the current side (columns and types
//! only), then both sides' definitions are stored under scratch names and
//! read back; where PostgreSQL prints them alike, the desired side takes the
//! current text.

use std::collections::BTreeSet;

use tokio_postgres::Client;

use super::scratch::{attempt, scratch_schema, script};
use super::NormalizeError;
use crate::canon::quote_ident;
use crate::diff::Change;
use crate::introspect::{introspect, Scope};
use crate::model::{Catalog, Column, Dep, GenericKind, QualName, Table, View};
use crate::plan::plan;

/// Settles the views named in `names`; must run inside a transaction the
/// caller rolls back. Returns how many the desired side took from `current`.
pub async fn settle_files(
    client: &Client,
    desired: &mut Catalog,
    current: &Catalog,
    names: &[QualName],
) -> Result<usize, NormalizeError> {
    if names.is_empty() {
        return Ok(0);
    }
    let ground = ground(current, desired, names);
    for step in plan(&Catalog::default(), &ground, &[])?.steps {
        attempt(client, &script(std::slice::from_ref(&step.change))).await;
    }
    let schema = scratch_schema();
    client.batch_execute(&format!("CREATE SCHEMA {}", quote_ident(&schema))).await?;
    for (i, name) in names.iter().enumerate() {
        for (side, prefix) in [(current, "c"), (&*desired, "d")] {
            if let Some(v) = side.views.get(name) {
                let scratch = View { name: QualName::new(schema.clone(), format!("{prefix}{i}")), ..bare(v) };
                attempt(client, &script(&[Change::CreateView { view: scratch, replace: false }])).await;
            }
        }
    }
    let stored = introspect(client, &Scope::Schemas(vec![schema.clone()])).await?.catalog;
    let mut settled = 0;
    for (i, name) in names.iter().enumerate() {
        let (Some(c), Some(d)) = (
            stored.views.get(&QualName::new(schema.clone(), format!("c{i}"))),
            stored.views.get(&QualName::new(schema.clone(), format!("d{i}"))),
        ) else {
            continue;
        };
        let (Some(have), Some(want)) = (current.views.get(name), desired.views.get_mut(name)) else { continue };
        if c.same_definition(d) {
            want.take_spelling_of(have);
            settled += 1;
        } else {
            // Still a change: judged for OR REPLACE in the server's words, as the current view is.
            want.outputs = d.outputs.clone();
        }
    }
    Ok(settled)
}

fn bare(v: &View) -> View {
    View { indexes: Default::default(), comment: None, column_comments: Default::default(), ..v.clone() }
}

/// What the views of both sides read, as the current side has it: types and
/// sequences whole, the relations read (transitively) with their columns'
/// names and types only, the views among them as defined now.
fn ground(current: &Catalog, desired: &Catalog, names: &[QualName]) -> Catalog {
    let mut todo: Vec<QualName> = Vec::new();
    for n in names {
        for side in [current, desired] {
            if let Some(v) = side.views.get(n) {
                todo.extend(v.depends.iter().filter_map(Dep::relation).cloned());
            }
        }
    }
    ground_of(current, todo)
}

/// The relations `todo` names and what they read (transitively), as the
/// current side has them: tables with their columns' names and types only,
/// views as defined now; with every type, sequence and routine.
pub(super) fn ground_of(current: &Catalog, mut todo: Vec<QualName>) -> Catalog {
    let mut needed: BTreeSet<QualName> = BTreeSet::new();
    while let Some(r) = todo.pop() {
        if !needed.insert(r.clone()) {
            continue;
        }
        if let Some(v) = current.views.get(&r) {
            todo.extend(v.depends.iter().filter_map(Dep::relation).cloned());
        }
    }
    let tables = current
        .tables
        .iter()
        .filter(|(n, _)| needed.contains(*n))
        .map(|(n, t)| {
            let mut bare = Table::new(n.clone());
            for c in t.columns.values() {
                let mut col = Column::new(c.name.clone(), c.data_type.clone());
                col.collation = c.collation.clone();
                bare.columns.insert(col.name.clone(), col);
            }
            (n.clone(), bare)
        })
        .collect();
    let views = current.views.iter().filter(|(n, _)| needed.contains(*n)).map(|(n, v)| (n.clone(), bare(v))).collect();
    let mut sequences = current.sequences.clone();
    for s in sequences.values_mut() {
        s.owned_by = None;
    }
    Catalog {
        schemas: current.schemas.clone(),
        extensions: current.extensions.clone(),
        enums: current.enums.clone(),
        domains: current.domains.clone(),
        sequences,
        tables,
        views,
        // A view may call them; triggers it never needs.
        routines: current.routines.clone(),
        // A view may read a foreign table (which needs its server and wrapper).
        objects: current
            .objects
            .iter()
            .filter(|(id, _)| {
                matches!(id.kind, GenericKind::ForeignDataWrapper | GenericKind::Server | GenericKind::ForeignTable)
            })
            .map(|(id, o)| (id.clone(), o.clone()))
            .collect(),
        ..Catalog::default()
    }
}
