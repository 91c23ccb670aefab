//! Indexes that do not back a constraint, as `pg_get_indexdef` prints them; a
//! partition's index attached to its parent's is the parent's.

use tokio_postgres::Client;

use super::columns::MANAGED_TABLE;
use super::script::Script;
use crate::canon::quote_qualified;
use crate::model::QualName;

/// Adds valid indexes to the script; returns the invalid ones.
pub async fn indexes(
    client: &Client,
    schemas: &[String],
    s: &mut Script,
) -> Result<Vec<QualName>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisvalid, \
                dsc.description, \
                (SELECT array_agg(a.attnum::int4 || ' ' || a.attstattarget::int4 ORDER BY a.attnum) \
                 FROM pg_catalog.pg_attribute a \
                 WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0) \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = i.indexrelid \
              AND dsc.classoid = 'pg_catalog.pg_class'::regclass AND dsc.objsubid = 0 \
         WHERE ({MANAGED_TABLE} OR c.relkind = 'm') AND n.nspname = ANY($1) \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
                           WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
                             AND con.contype IN ('p', 'u', 'x')) \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid) \
         ORDER BY 1, 2"
    );
    let mut invalid = Vec::new();
    for row in client.query(&sql, &[&schemas]).await? {
        let (schema, name): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        if !row.try_get::<_, bool>(3)? {
            invalid.push(QualName::new(schema, name));
            continue;
        }
        s.alters.push_str(&format!("{};\n", row.try_get::<_, String>(2)?));
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
