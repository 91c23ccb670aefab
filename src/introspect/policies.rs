//! Row-level security policies, in one query over `pg_policy`.

use tokio_postgres::Client;

use super::columns::MANAGED_TABLE;
use super::script::Script;
use crate::canon::{quote_ident, quote_qualified};

pub async fn policies(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    // polroles holds 0 for PUBLIC.
    let sql = format!(
        "SELECT n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd::text, \
                ARRAY(SELECT CASE WHEN r.oid = 0 THEN NULL ELSE a.rolname::text END \
                      FROM pg_catalog.unnest(p.polroles) AS r(oid) \
                      LEFT JOIN pg_catalog.pg_roles a ON a.oid = r.oid ORDER BY 1), \
                pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
                pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), \
                pg_catalog.obj_description(p.oid, 'pg_policy') \
         FROM pg_catalog.pg_policy p \
         JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {MANAGED_TABLE} AND n.nspname = ANY($1) \
         ORDER BY 1, 2, 3"
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let table = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        let name = quote_ident(row.try_get(2)?);
        let kind = if row.try_get::<_, bool>(3)? { "PERMISSIVE" } else { "RESTRICTIVE" };
        let command = match row.try_get::<_, String>(4)?.as_str() {
            "r" => "SELECT",
            "a" => "INSERT",
            "w" => "UPDATE",
            "d" => "DELETE",
            _ => "ALL",
        };
        let roles: Vec<Option<String>> = row.try_get(5)?;
        let roles: Vec<String> =
            roles.into_iter().map(|r| r.map_or_else(|| "PUBLIC".to_string(), |r| quote_ident(&r))).collect();
        let mut ddl = format!("CREATE POLICY {name} ON {table} AS {kind} FOR {command} TO {}", roles.join(", "));
        if let Some(using) = row.try_get::<_, Option<String>>(6)? {
            ddl.push_str(&format!(" USING ({using})"));
        }
        if let Some(check) = row.try_get::<_, Option<String>>(7)? {
            ddl.push_str(&format!(" WITH CHECK ({check})"));
        }
        s.alters.push_str(&ddl);
        s.alters.push_str(";\n");
        s.comment(&format!("POLICY {name} ON {table}"), row.try_get(8)?);
    }
    Ok(())
}
