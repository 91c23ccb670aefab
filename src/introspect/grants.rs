//! Privileges of the managed roles, one query per kind of ACL (`relacl`,
//! `attacl`, `nspacl`, `typacl`, `proacl`, `pg_default_acl`), through
//! `aclexplode`. The owner's own privileges are left out: they come with
//! ownership, which pgstate does not manage. Where `PUBLIC` is managed and
//! PostgreSQL gives it something built in (types, functions, schema
//! `public`, database-wide default privileges on functions and types), the
//! script first revokes everything from `PUBLIC`, then grants what the ACL
//! holds, so the parser sees the whole truth.

use tokio_postgres::{Client, Row};

use super::objects::not_from_extension;
use super::script::Script;
use crate::canon::{quote_ident, quote_qualified};
use crate::model::ManagedRoles;

/// SQL for the managed-grantee test on `aclexplode` output `a`, with `$2`
/// (PUBLIC managed) and `$3` (role names). `owner` is the owner's OID column.
fn managed(owner: &str) -> String {
    format!(
        "a.grantee <> {owner} AND ((a.grantee = 0 AND $2) \
         OR (a.grantee <> 0 AND pg_catalog.pg_get_userbyid(a.grantee) = ANY($3)))"
    )
}

/// The grantee column: NULL for PUBLIC.
const GRANTEE: &str = "CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END";

fn grantee(row: &Row, i: usize) -> Result<String, tokio_postgres::Error> {
    Ok(match row.try_get::<_, Option<String>>(i)? {
        Some(r) => quote_ident(&r),
        None => "PUBLIC".to_string(),
    })
}

fn option(row: &Row, i: usize) -> Result<&'static str, tokio_postgres::Error> {
    Ok(if row.try_get::<_, bool>(i)? { " WITH GRANT OPTION" } else { "" })
}

/// Reads every kind; returns the number of queries run.
///
/// One query and one row decoder per object kind, kept together so ACLs are decoded in
/// one place; long because there are many kinds.
pub async fn grants(
    client: &Client,
    schemas: &[String],
    roles: &ManagedRoles,
    s: &mut Script,
) -> Result<usize, tokio_postgres::Error> {
    let public = roles.has_public();
    let names = roles.role_names();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&schemas, &public, &names];

    // Tables, views, sequences: relacl NULL means the owner's privileges only.
    let sql = format!(
        "SELECT n.nspname, c.relname, c.relkind = 'S', {GRANTEE}, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname = ANY($1) AND {} AND {} \
         ORDER BY 1, 2, 4, 5",
        managed("c.relowner"),
        not_from_extension("c.oid", "pg_catalog.pg_class")
    );
    for row in client.query(&sql, &params).await? {
        let kind = if row.try_get::<_, bool>(2)? { "SEQUENCE" } else { "TABLE" };
        s.grants.push_str(&format!(
            "GRANT {} ON {kind} {} TO {}{};\n",
            row.try_get::<_, String>(4)?,
            quote_qualified(row.try_get(0)?, row.try_get(1)?),
            grantee(&row, 3)?,
            option(&row, 5)?
        ));
    }

    let sql = format!(
        "SELECT n.nspname, c.relname, at.attname, {GRANTEE}, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_attribute at JOIN pg_catalog.pg_class c ON c.oid = at.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         CROSS JOIN LATERAL pg_catalog.aclexplode(at.attacl) a \
         WHERE at.attnum > 0 AND NOT at.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
           AND n.nspname = ANY($1) AND {} AND {} \
         ORDER BY 1, 2, 3, 4, 5",
        managed("c.relowner"),
        not_from_extension("c.oid", "pg_catalog.pg_class")
    );
    for row in client.query(&sql, &params).await? {
        s.grants.push_str(&format!(
            "GRANT {} ({}) ON TABLE {} TO {}{};\n",
            row.try_get::<_, String>(4)?,
            quote_ident(row.try_get(2)?),
            quote_qualified(row.try_get(0)?, row.try_get(1)?),
            grantee(&row, 3)?,
            option(&row, 5)?
        ));
    }

    // Schemas, types and functions: NULL ACLs stand for acldefault, which
    // gives PUBLIC something on types and functions.
    let sql = format!(
        "SELECT n.nspname, {GRANTEE}, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_namespace n \
         LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a \
           ON {} \
         WHERE n.nspname = ANY($1) AND {} ORDER BY 1, 2, 3",
        managed("n.nspowner"),
        not_from_extension("n.oid", "pg_catalog.pg_namespace")
    );
    for row in client.query(&sql, &params).await? {
        let name = quote_ident(row.try_get(0)?);
        if public && row.try_get::<_, String>(0)? == "public" && !s.grants.contains("ON SCHEMA public FROM PUBLIC") {
            s.grants.push_str("REVOKE ALL ON SCHEMA public FROM PUBLIC;\n");
        }
        if let Some(p) = row.try_get::<_, Option<String>>(2)? {
            s.grants.push_str(&format!("GRANT {p} ON SCHEMA {name} TO {}{};\n", grantee(&row, 1)?, option(&row, 3)?));
        }
    }

    let sql = format!(
        "SELECT n.nspname, t.typname, {GRANTEE}, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))) a \
           ON {} \
         WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT r.relkind FROM pg_catalog.pg_class r \
                WHERE r.oid = t.typrelid) = 'c')) \
           AND n.nspname = ANY($1) AND {} ORDER BY 1, 2, 3, 4",
        managed("t.typowner"),
        not_from_extension("t.oid", "pg_catalog.pg_type")
    );
    let mut last = String::new();
    for row in client.query(&sql, &params).await? {
        let name = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        if public && name != last {
            s.grants.push_str(&format!("REVOKE ALL ON TYPE {name} FROM PUBLIC;\n"));
        }
        if let Some(p) = row.try_get::<_, Option<String>>(3)? {
            s.grants.push_str(&format!("GRANT {p} ON TYPE {name} TO {}{};\n", grantee(&row, 2)?, option(&row, 4)?));
        }
        last = name;
    }

    let sql = format!(
        "SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), \
                {GRANTEE}, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a \
           ON {} \
         WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY($1) AND {} ORDER BY 1, 2, 3, 4, 5",
        managed("p.proowner"),
        not_from_extension("p.oid", "pg_catalog.pg_proc")
    );
    let mut last = String::new();
    for row in client.query(&sql, &params).await? {
        let name = format!("{}({})", quote_qualified(row.try_get(0)?, row.try_get(1)?), row.try_get::<_, String>(2)?);
        if public && name != last {
            s.grants.push_str(&format!("REVOKE ALL ON ROUTINE {name} FROM PUBLIC;\n"));
        }
        if let Some(p) = row.try_get::<_, Option<String>>(4)? {
            s.grants.push_str(&format!("GRANT {p} ON ROUTINE {name} TO {}{};\n", grantee(&row, 3)?, option(&row, 5)?));
        }
        last = name;
    }

    // Default privileges: a database-wide entry holds the whole ACL (it
    // replaces the built-in one), a schema's entry only what it adds.
    let sql = format!(
        "SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text, n.nspname, d.defaclobjtype::text, \
                {GRANTEE}, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_default_acl d \
         LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace \
         LEFT JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a ON {} \
         WHERE (d.defaclnamespace = 0 OR n.nspname = ANY($1)) AND d.defaclobjtype IN ('r', 'S', 'f', 'T', 'n') \
         ORDER BY 1, 2 NULLS FIRST, 3, 4, 5",
        managed("d.defaclrole")
    );
    let mut last = String::new();
    for row in client.query(&sql, &params).await? {
        let mut prefix = format!("ALTER DEFAULT PRIVILEGES FOR ROLE {}", quote_ident(row.try_get(0)?));
        let schema: Option<String> = row.try_get(1)?;
        if let Some(n) = &schema {
            prefix.push_str(&format!(" IN SCHEMA {}", quote_ident(n)));
        }
        let kind = match row.try_get::<_, String>(2)?.as_str() {
            "r" => "TABLES",
            "S" => "SEQUENCES",
            "f" => "FUNCTIONS",
            "T" => "TYPES",
            _ => "SCHEMAS",
        };
        let entry = format!("{prefix} {kind}");
        if public && schema.is_none() && matches!(kind, "FUNCTIONS" | "TYPES") && entry != last {
            s.grants.push_str(&format!("{prefix} REVOKE ALL ON {kind} FROM PUBLIC;\n"));
        }
        if let Some(p) = row.try_get::<_, Option<String>>(4)? {
            s.grants.push_str(&format!("{prefix} GRANT {p} ON {kind} TO {}{};\n", grantee(&row, 3)?, option(&row, 5)?));
        }
        last = entry;
    }
    Ok(6)
}
