//! Indexes that do not back a constraint, as `pg_get_indexdef` prints them; a
//! partition's index attached to its parent's is the parent's.
//!
//! The plain ones (btree over columns, each with its type's default operator
//! class, collation and order, no predicate, options or INCLUDE) are built
//! from their column names instead (`parse::CatalogIndex`): `pg_get_indexdef`
//! costs the server about 80 microseconds an index on a cold session (1.6 s
//! of a 10,000-table read, the costliest step), and reading 20,000 printed
//! ones back was a tenth of pgstate's.

use tokio_postgres::Client;

use super::columns::MANAGED_TABLE;
use super::script::Script;
use crate::canon::quote_qualified;
use crate::model::QualName;
use crate::parse::CatalogIndex;

/// Adds valid indexes to the script, the plain ones to `plain`; returns the invalid ones.
pub async fn indexes(
    client: &Client,
    schemas: &[String],
    version: u32,
    s: &mut Script,
    plain: &mut Vec<CatalogIndex>,
) -> Result<Vec<QualName>, tokio_postgres::Error> {
    // A default operator class is the one for the column's own type, or
    // text's for varchar (binary coercible, as GetDefaultOpClass finds it).
    let sql = format!(
        // `k`: per index in scope, whether a key is other than a plain column
        // with its defaults, and the key columns' names; one pass over every
        // key (a lookup of its column each) where a subquery per index cost
        // the server 0.3 s more on 10,000 tables.
        "WITH k AS MATERIALIZED ( \
           SELECT i.indexrelid, \
                  bool_or(u.opt <> 0 OR a.attnum IS NULL OR oc.oid IS NULL \
                          OR u.coll IS DISTINCT FROM a.attcollation OR NOT oc.opcdefault \
                          OR oc.opcintype <> CASE a.atttypid WHEN 'pg_catalog.varchar'::regtype \
                                             THEN 'pg_catalog.text'::regtype ELSE a.atttypid END) AS odd, \
                  array_agg(a.attname::text ORDER BY u.n) AS names \
           FROM pg_catalog.pg_index i \
           JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], \
                                     i.indoption::int2[]) WITH ORDINALITY u(attnum, cls, coll, opt, n) \
           LEFT JOIN LATERAL (SELECT a.attnum, a.attcollation, a.atttypid, a.attname \
                              FROM pg_catalog.pg_attribute a \
                              WHERE a.attrelid = i.indrelid AND a.attnum = u.attnum OFFSET 0) a ON true \
           LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = u.cls \
           WHERE n.nspname = ANY($1) \
           GROUP BY i.indexrelid) \
         SELECT n.nspname, ic.relname, \
                CASE WHEN q.columns IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END, i.indisvalid, \
                dsc.description, \
                (SELECT array_agg(a.attnum::int4 || ' ' || a.attstattarget::int4 ORDER BY a.attnum) \
                 FROM pg_catalog.pg_attribute a \
                 WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0), \
                q.columns, c.relname, i.indisunique \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN k ON k.indexrelid = i.indexrelid \
         LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = i.indexrelid \
              AND dsc.classoid = 'pg_catalog.pg_class'::regclass AND dsc.objsubid = 0 \
         CROSS JOIN LATERAL (SELECT CASE WHEN c.relkind IN ('r', 'm') AND i.indexprs IS NULL AND i.indpred IS NULL \
              AND i.indnkeyatts = i.indnatts AND ic.reloptions IS NULL {distinct} \
              AND ic.relam = (SELECT am.oid FROM pg_catalog.pg_am am WHERE am.amname = 'btree') \
              AND NOT k.odd THEN k.names END AS columns) q \
         WHERE ({MANAGED_TABLE} OR c.relkind = 'm') AND n.nspname = ANY($1) \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
                           WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
                             AND con.contype IN ('p', 'u', 'x')) \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)",
        distinct = if version >= 150000 { "AND NOT i.indnullsnotdistinct" } else { "" },
    );
    let mut invalid = Vec::new();
    // In schema and index name order (`order` says why on the client).
    for row in super::order::sort(client.query(&sql, &[&schemas]).await?, [0, 1], None)? {
        let (schema, name): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        if !row.try_get::<_, bool>(3)? {
            invalid.push(QualName::new(schema, name));
            continue;
        }
        match row.try_get::<_, Option<String>>(2)? {
            Some(def) => s.alters.push_str(&format!("{def};\n")),
            // A plain index: its columns are read instead (never NULL then;
            // a NULL fails the read, as a NULL pg_get_indexdef did).
            None => plain.push(CatalogIndex {
                table: QualName::new(schema.clone(), row.try_get::<_, String>(7)?),
                name: name.clone(),
                unique: row.try_get(8)?,
                columns: row.try_get(6)?,
            }),
        }
        for target in row.try_get::<_, Option<Vec<String>>>(5)?.unwrap_or_default() {
            if let Some((n, m)) = target.split_once(' ') {
                let index = quote_qualified(&schema, &name);
                s.alters.push_str(&format!("ALTER INDEX {index} ALTER COLUMN {n} SET STATISTICS {m};\n"));
            }
        }
        s.comment(&format!("INDEX {}", quote_qualified(&schema, &name)), row.try_get(4)?);
    }
    Ok(invalid)
}
