//! SQL-standard routine bodies (`RETURN expr`, `BEGIN ATOMIC ... END`),
//! settled on a server: PostgreSQL stores such a body parsed and prints it
//! again in its own words (names qualified, parentheses added, arguments as
//! `f.a`), so a file's spelling and the catalog's meet only there. What the
//! bodies read is created from the current side, then each side's routine is
//! created under its own name in a scratch schema of its own (the deparse
//! names arguments by the routine's name, never by its schema) and read
//! back; where PostgreSQL prints the two bodies alike, the desired side
//! takes the current body.

use tokio_postgres::Client;

use super::scratch::{attempt, scratch_schema, script};
use super::views::ground_of;
use super::NormalizeError;
use crate::canon::quote_ident;
use crate::diff::Change;
use crate::introspect::{introspect, Scope};
use crate::model::{Catalog, Dep, QualName, Routine, RoutineId};
use crate::plan::plan;

/// Settles the routines `ids`; must run inside a transaction the caller
/// rolls back. Returns how many the desired side took from `current`.
pub async fn settle(
    client: &Client,
    desired: &mut Catalog,
    current: &Catalog,
    ids: &[RoutineId],
) -> Result<usize, NormalizeError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let read: Vec<QualName> = ids
        .iter()
        .flat_map(|id| [current.routines.get(id), desired.routines.get(id)])
        .flatten()
        .flat_map(|r| r.depends.iter().filter_map(Dep::relation).cloned())
        .collect();
    let ground = ground_of(current, read);
    for step in plan(&Catalog::default(), &ground, &[])?.steps {
        attempt(client, &script(std::slice::from_ref(&step.change))).await;
    }
    let (have_schema, want_schema) = (scratch_schema(), scratch_schema());
    for s in [&have_schema, &want_schema] {
        client.batch_execute(&format!("CREATE SCHEMA {}", quote_ident(s))).await?;
    }
    for id in ids {
        for (side, schema) in [(current, &have_schema), (&*desired, &want_schema)] {
            if let Some(r) = side.routines.get(id) {
                let scratch =
                    Routine { name: QualName::new(schema.clone(), r.name.name.clone()), comment: None, ..r.clone() };
                attempt(client, &script(&[Change::CreateRoutine { routine: scratch, replace: false }])).await;
            }
        }
    }
    let stored = introspect(client, &Scope::Schemas(vec![have_schema.clone(), want_schema.clone()])).await?.catalog;
    let mut settled = 0;
    for id in ids {
        let moved =
            |schema: &str| RoutineId { name: QualName::new(schema, id.name.name.clone()), args: id.args.clone() };
        let (Some(c), Some(d)) = (stored.routines.get(&moved(&have_schema)), stored.routines.get(&moved(&want_schema)))
        else {
            continue;
        };
        let (Some(have), Some(want)) = (current.routines.get(id), desired.routines.get_mut(id)) else { continue };
        if c.body_key == d.body_key {
            want.body = have.body.clone();
            want.body_key = have.body_key.clone();
            settled += 1;
        }
    }
    Ok(settled)
}
