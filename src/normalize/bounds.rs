//! Partition bounds whose spelling the parser cannot settle (a `timestamptz`
//! value depends on the server's time zone): each value is cast to the key's
//! type and printed by the server, in one query, and spelled the way
//! `pg_get_expr(relpartbound)` prints it.
//!
//! The values are pgstate's own rendering of literals (`canon::partition`
//! quotes every string through `quote_literal`) and the types are canonical
//! type names, so the query holds no raw user text.

use tokio_postgres::Client;

use crate::canon::partition::spell;
use crate::model::{Catalog, ColumnType, PartitionOf, QualName};

/// The places of the partitions `names` of `cat`, their bounds in the
/// server's spelling. A value the server rejects leaves every bound out (the
/// plan then fails where PostgreSQL would).
pub async fn respelled(client: &Client, cat: &Catalog, names: &[QualName]) -> Vec<(QualName, PartitionOf)> {
    let mut places: Vec<(QualName, PartitionOf)> = Vec::new();
    // Per value sent: which place, which of its values, and the key's type.
    let mut slots: Vec<(usize, usize, ColumnType)> = Vec::new();
    let mut exprs: Vec<String> = Vec::new();
    for name in names {
        let Some(mut po) = cat.tables.get(name).and_then(|t| t.partition_of.clone()) else { continue };
        let types = cat.partition_key_types(&po.parent);
        for (i, (key, v)) in po.bound.values_mut().into_iter().enumerate() {
            // Numbers too: a numeric(10,2) key prints 0 as 0.00. The type's own
            // output (format's %s), not a cast to text, which trims char(n).
            let settled = matches!(v.as_str(), "MINVALUE" | "MAXVALUE" | "NULL");
            if let (Some(Some(ty)), false) = (types.get(key), settled) {
                exprs.push(format!("pg_catalog.format('%s', ({v})::{ty})"));
                slots.push((places.len(), i, ty.clone()));
            }
        }
        places.push((name.clone(), po));
    }
    if exprs.is_empty() {
        return places;
    }
    let sql = format!("SELECT ARRAY[{}]::text[]", exprs.join(", "));
    let Ok(row) = client.query_one(&sql, &[]).await else { return Vec::new() };
    let Ok(texts) = row.try_get::<_, Vec<String>>(0) else { return Vec::new() };
    for ((place, i, ty), text) in slots.iter().zip(&texts) {
        if let Some((_, v)) = places[*place].1.bound.values_mut().into_iter().nth(*i) {
            *v = spell(text, Some(ty));
        }
    }
    places
}
