//! Partition bounds whose spelling the parser cannot settle (a `timestamptz`
//! value depends on the server's time zone): each value is cast to the key's
//! type and printed by the server, in one query, and spelled the way
//! `pg_get_expr(relpartbound)` prints it.
//!
//! The values are pgstate's own rendering of literals (`canon::partition`
//! quotes every string through `quote_literal`) and the types are canonical
//! type names, so the query holds no raw user text.

use tokio_postgres::Client;

use crate::canon::ident::unquote;
use crate::canon::partition::spell;
use crate::model::{Catalog, ColumnType, QualName};

/// Respells the bounds of the partitions `names` of `cat`. A value the server
/// rejects leaves every bound as it was (the plan then fails where PostgreSQL
/// would). Returns how many values were respelled.
pub async fn settle(client: &Client, cat: &mut Catalog, names: &[QualName]) -> usize {
    let mut slots: Vec<(QualName, usize, ColumnType)> = Vec::new();
    let mut exprs: Vec<String> = Vec::new();
    for name in names {
        let Some(po) = cat.tables.get(name).and_then(|t| t.partition_of.clone()) else { continue };
        let Some(key) = cat.tables.get(&po.parent).and_then(|p| p.partition_by.clone()) else { continue };
        let types: Vec<Option<ColumnType>> =
            key.keys.iter().map(|k| cat.find_column(&po.parent, &unquote(k)).map(|c| c.data_type.clone())).collect();
        let mut bound = po.bound;
        let width = match &bound {
            crate::model::PartitionBound::Range { from, .. } => from.len(),
            _ => usize::MAX,
        };
        for (i, v) in bound.values_mut().into_iter().enumerate() {
            let ty = if width == usize::MAX { types.first() } else { types.get(i % width.max(1)) };
            // Numbers too: a numeric(10,2) key prints 0 as 0.00. The type's own
            // output (format's %s), not a cast to text, which trims char(n).
            let settled = matches!(v.as_str(), "MINVALUE" | "MAXVALUE" | "NULL");
            if let (Some(Some(ty)), false) = (ty, settled) {
                exprs.push(format!("pg_catalog.format('%s', ({v})::{ty})"));
                slots.push((name.clone(), i, ty.clone()));
            }
        }
    }
    if exprs.is_empty() {
        return 0;
    }
    let sql = format!("SELECT ARRAY[{}]::text[]", exprs.join(", "));
    let Ok(row) = client.query_one(&sql, &[]).await else { return 0 };
    let Ok(texts) = row.try_get::<_, Vec<String>>(0) else { return 0 };
    for ((name, i, ty), text) in slots.iter().zip(&texts) {
        if let Some(po) = cat.tables.get_mut(name).and_then(|t| t.partition_of.as_mut()) {
            if let Some(v) = po.bound.values_mut().into_iter().nth(*i) {
                *v = spell(text, Some(ty));
            }
        }
    }
    slots.len()
}
