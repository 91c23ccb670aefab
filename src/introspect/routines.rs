//! Functions, procedures and triggers, printed by PostgreSQL itself
//! (`pg_get_functiondef`, `pg_get_triggerdef`) into the script: one query each.

use tokio_postgres::Client;

use super::objects::not_from_extension;
use super::script::Script;
use crate::canon::{quote_ident, quote_qualified};

/// Functions and procedures (not aggregates, nor those a type made for
/// itself, such as a range's constructors), with their comments.
pub async fn routines(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT pg_catalog.pg_get_functiondef(p.oid), p.prokind::text, n.nspname, p.proname, \
                pg_catalog.pg_get_function_identity_arguments(p.oid), \
                pg_catalog.obj_description(p.oid, 'pg_proc') \
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = ANY($1) AND p.prokind IN ('f', 'p', 'w') AND {} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                           WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i') \
         ORDER BY 3, 4, 5",
        not_from_extension("p.oid", "pg_catalog.pg_proc")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let def: String = row.try_get(0)?;
        s.creates.push_str(def.trim_end());
        s.creates.push_str(";\n");
        let kind = if row.try_get::<_, String>(1)? == "p" { "PROCEDURE" } else { "FUNCTION" };
        let name = quote_qualified(row.try_get(2)?, row.try_get(3)?);
        let args: String = row.try_get(4)?;
        s.comment(&format!("{kind} {name}({args})"), row.try_get(5)?);
    }
    Ok(())
}

/// User triggers on tables (not the internal ones behind foreign keys), with
/// their enabled state and comments.
pub async fn triggers(
    client: &Client,
    schemas: &[String],
    version: u32,
    s: &mut Script,
) -> Result<(), tokio_postgres::Error> {
    // From PostgreSQL 13 on, a partitioned table's trigger is cloned onto its
    // partitions (tgparentid set): those clones are not declared by anyone.
    let clone_filter = if version >= 130_000 { "AND t.tgparentid = 0" } else { "" };
    let sql = format!(
        "SELECT pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text, n.nspname, c.relname, t.tgname, \
                pg_catalog.obj_description(t.oid, 'pg_trigger') \
         FROM pg_catalog.pg_trigger t \
         JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT t.tgisinternal {clone_filter} AND c.relkind IN ('r', 'p', 'v') AND n.nspname = ANY($1) AND {} \
         ORDER BY 3, 4, 5",
        not_from_extension("c.oid", "pg_catalog.pg_class")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let def: String = row.try_get(0)?;
        s.alters.push_str(&def);
        s.alters.push_str(";\n");
        let table = quote_qualified(row.try_get(2)?, row.try_get(3)?);
        let name = quote_ident(row.try_get(4)?);
        let state = match row.try_get::<_, String>(1)?.as_str() {
            "D" => Some("DISABLE"),
            "R" => Some("ENABLE REPLICA"),
            "A" => Some("ENABLE ALWAYS"),
            _ => None,
        };
        if let Some(state) = state {
            s.alters.push_str(&format!("ALTER TABLE {table} {state} TRIGGER {name};\n"));
        }
        s.comment(&format!("TRIGGER {name} ON {table}"), row.try_get(5)?);
    }
    Ok(())
}
