//! Table constraints, as `pg_get_constraintdef` prints them.

use tokio_postgres::Client;

use super::columns::MANAGED_TABLE;
use super::script::Script;
use crate::canon::{quote_ident, quote_qualified};

pub async fn constraints(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    // Foreign keys to tables outside the managed schemas are out of scope.
    // Inherited constraints and a partition's clones of its parent's are the parent's.
    let sql = format!(
        "SELECT n.nspname, c.relname, con.conname, pg_catalog.pg_get_constraintdef(con.oid), \
                dsc.description, \
                CASE WHEN con.contype IN ('p', 'u') THEN \
                     (SELECT ic.reloptions::text[] FROM pg_catalog.pg_class ic WHERE ic.oid = con.conindid) END \
         FROM pg_catalog.pg_constraint con \
         JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
         LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = con.oid \
              AND dsc.classoid = 'pg_catalog.pg_constraint'::regclass AND dsc.objsubid = 0 \
         WHERE con.contype IN ('p', 'u', 'x', 'c', 'f') AND {MANAGED_TABLE} AND n.nspname = ANY($1) \
           AND con.conislocal AND con.conparentid = 0 \
           AND (con.contype <> 'f' OR rn.nspname = ANY($1))"
    );
    // In schema, table and constraint name order (`order` says why on the client).
    for row in super::order::sort(client.query(&sql, &[&schemas]).await?, &[0, 1, 2], None)? {
        let table = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        let name = quote_ident(row.try_get(2)?);
        let mut def: String = row.try_get(3)?;
        // A key's index storage parameters, which pg_get_constraintdef leaves out, go before DEFERRABLE.
        if let Some(options) = row.try_get::<_, Option<Vec<String>>>(5)? {
            let at = def.find(" DEFERRABLE").unwrap_or(def.len());
            def.insert_str(at, &super::columns::storage_parameters(&options));
        }
        s.alters.push_str(&format!("ALTER TABLE ONLY {table} ADD CONSTRAINT {name} {def};\n"));
        s.comment(&format!("CONSTRAINT {name} ON {table}"), row.try_get(4)?);
    }
    Ok(())
}
