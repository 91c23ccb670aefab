//! What the desired files use but do not define, resolved against the target
//! database (an extension someone else installed, a type in a schema pgstate
//! does not manage). Only ever reads the target: `plan` and `drift` stay
//! read-only. What it finds goes two ways: an undeclared extension in a
//! managed schema that desired objects use is kept in the desired catalog
//! (else the plan would drop it from under them), and the scratch server is
//! told what to create before it stores desired expressions (`normalize::Setup`).

use std::collections::HashSet;

use indexmap::IndexMap;
use tokio_postgres::Client;

use crate::canon::quote_ident;
use crate::introspect::Scope;
use crate::model::{Catalog, Extension, QualName};
use crate::normalize::Setup;
use crate::parse::{LoadError, Parsed, SchemaError, SchemaErrors};

use super::error::db_error;
use super::OpsError;

/// The types of `desired.unknown_types` as the target has them. `ddl` is the
/// statement that copies a type no extension owns (enum, domain, composite,
/// range; NULL for a base type, which cannot be copied).
const TYPES: &str = "\
SELECT w.s, w.n, e.extname, en.nspname, CASE WHEN e.oid IS NULL THEN CASE t.typtype \
  WHEN 'e' THEN pg_catalog.format('CREATE TYPE %I.%I AS ENUM (%s)', w.s, w.n, \
    (SELECT coalesce(pg_catalog.string_agg(pg_catalog.quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder), '') \
     FROM pg_catalog.pg_enum l WHERE l.enumtypid = t.oid)) \
  WHEN 'd' THEN pg_catalog.format('CREATE DOMAIN %I.%I AS %s%s%s%s%s', w.s, w.n, \
    pg_catalog.format_type(t.typbasetype, t.typtypmod), \
    (SELECT pg_catalog.format(' COLLATE %I.%I', cn.nspname, c.collname) FROM pg_catalog.pg_collation c \
     JOIN pg_catalog.pg_namespace cn ON cn.oid = c.collnamespace \
     JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype WHERE c.oid = t.typcollation AND c.oid <> b.typcollation), \
    ' DEFAULT ' || t.typdefault, CASE WHEN t.typnotnull THEN ' NOT NULL' END, \
    (SELECT pg_catalog.string_agg(pg_catalog.format(' CONSTRAINT %I %s', c.conname, pg_catalog.pg_get_constraintdef(c.oid)), '' ORDER BY c.conname) \
     FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')) \
  WHEN 'c' THEN pg_catalog.format('CREATE TYPE %I.%I AS (%s)', w.s, w.n, \
    (SELECT coalesce(pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum), '') \
     FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)) \
  WHEN 'r' THEN (SELECT pg_catalog.format('CREATE TYPE %I.%I AS RANGE (SUBTYPE = %s)', w.s, w.n, pg_catalog.format_type(r.rngsubtype, NULL)) \
    FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid) \
  END END \
FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS w(s, n) \
JOIN pg_catalog.pg_namespace n ON n.nspname = w.s \
JOIN pg_catalog.pg_type t ON t.typnamespace = n.oid AND t.typname = w.n \
LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid AND d.deptype = 'e' \
LEFT JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid \
LEFT JOIN pg_catalog.pg_namespace en ON en.oid = e.extnamespace \
ORDER BY CASE t.typtype WHEN 'e' THEN 0 WHEN 'r' THEN 1 WHEN 'd' THEN 2 ELSE 3 END, w.s, w.n";

/// Which of the extensions `$3` own a function named in `$1`.`$2`.
const FUNCTIONS: &str = "\
SELECT DISTINCT e.extname FROM pg_catalog.pg_extension e \
JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = e.oid \
  AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
JOIN pg_catalog.pg_proc p ON p.oid = d.objid \
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
JOIN ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS w(s, n) ON w.s = n.nspname AND w.n = p.proname \
WHERE e.extname = ANY($3::text[])";

/// Resolves what `desired` uses but does not define against the target
/// (`client`, read from only): refuses a type neither side knows, or one the
/// target has in a managed schema outside any extension (the plan would drop
/// it), with the file's error; keeps in `target` (the desired catalog about to
/// be diffed against `live`) each undeclared extension of a managed schema
/// that desired objects use; returns what the scratch server must create.
pub async fn resolve(
    client: &Client,
    desired: &Parsed,
    target: &mut Catalog,
    live: &Catalog,
    scope: &Scope,
    default_schema: &str,
) -> Result<Vec<Setup>, OpsError> {
    let managed = |schema: &str| scope.list().iter().any(|s| s == schema);
    // Extension name to its schema, in the order found.
    let mut used: IndexMap<String, String> = IndexMap::new();
    let mut copies = Vec::new();
    let mut errors: Vec<SchemaError> = Vec::new();

    let mut unknown: IndexMap<&QualName, Vec<&crate::parse::UnknownType>> = IndexMap::new();
    for u in &desired.unknown_types {
        unknown.entry(&u.name).or_default().push(u);
    }
    let mut found: HashSet<QualName> = HashSet::new();
    if !unknown.is_empty() {
        let (schemas, names): (Vec<&str>, Vec<&str>) =
            unknown.keys().map(|q| (q.schema.as_str(), q.name.as_str())).unzip();
        let rows = client.query(TYPES, &[&schemas, &names]).await.map_err(|e| db_error(&e, None))?;
        for row in rows {
            let get = |i| row.try_get::<_, Option<String>>(i).map_err(|e| db_error(&e, None));
            let (Some(schema), Some(name)) = (get(0)?, get(1)?) else { continue };
            let q = QualName::new(schema, name);
            match (get(2)?, get(3)?) {
                (Some(ext), Some(ext_schema)) => {
                    used.entry(ext).or_insert(ext_schema);
                }
                _ if managed(&q.schema) => {
                    // Not the files', not an extension's: the plan would drop it from under its users.
                    let help = format!(
                        "the database has {q}, but in {}, a schema pgstate manages, and from no extension: define it in the files",
                        quote_ident(&q.schema)
                    );
                    for u in unknown.get(&q).into_iter().flatten() {
                        errors.push(u.error.clone().with_help(help.clone()));
                    }
                }
                _ => match get(4)? {
                    Some(sql) => copies.push(Setup { what: format!("type {q}"), sql: with_schema(&q.schema, &sql) }),
                    None => copies.push(Setup {
                        what: format!("type {q}"),
                        // A base type is C code: the scratch server has it only from an extension.
                        sql: format!("SELECT {}::pg_catalog.regtype", crate::canon::quote_literal(&q.sql())),
                    }),
                },
            }
            found.insert(q);
        }
    }
    for (q, uses) in &unknown {
        if !found.contains(*q) {
            // An extension the files declare may define it; else neither side knows it.
            errors.extend(uses.iter().filter(|u| !u.excused).map(|u| u.error.clone()));
        }
    }
    if !errors.is_empty() {
        return Err(OpsError::Load(LoadError::Schema(SchemaErrors::new(errors, &desired.files))));
    }

    functions_used(client, target, live, default_schema, &mut used).await?;

    let mut setup = Vec::new();
    for (name, schema) in &used {
        if target.extensions.contains_key(name) {
            continue;
        }
        if managed(schema) {
            let kept = live.extensions.get(name).cloned();
            target
                .extensions
                .insert(name.clone(), kept.unwrap_or(Extension { name: name.clone(), schema: Some(schema.clone()) }));
        }
        let sql = format!("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}", quote_ident(name), quote_ident(schema));
        setup.push(Setup { what: format!("extension {name} in {schema}"), sql: with_schema(schema, &sql) });
    }
    target.extensions.sort_keys();
    setup.extend(copies);
    Ok(setup)
}

/// `sql` preceded by the creation of `schema` where the scratch server may lack it.
fn with_schema(schema: &str, sql: &str) -> String {
    if schema == "public" {
        return sql.to_string();
    }
    format!("CREATE SCHEMA IF NOT EXISTS {};\n{sql}", quote_ident(schema))
}

/// Adds to `used` the target's extensions in managed schemas, undeclared in
/// the files (so about to be dropped), that own a function a desired
/// expression calls. Asks only when there is such an extension.
async fn functions_used(
    client: &Client,
    target: &mut Catalog,
    live: &Catalog,
    default_schema: &str,
    used: &mut IndexMap<String, String>,
) -> Result<(), OpsError> {
    let undeclared: Vec<&str> = live
        .extensions
        .keys()
        .filter(|e| !target.extensions.contains_key(*e) && !used.contains_key(*e))
        .map(String::as_str)
        .collect();
    if undeclared.is_empty() {
        return Ok(());
    }
    let mut called: Vec<QualName> = Vec::new();
    target.visit_exprs(&mut |e| {
        for q in crate::canon::refs::routines_used(e, default_schema) {
            if !called.contains(&q) {
                called.push(q);
            }
        }
    });
    called.retain(|q| !target.routines.keys().any(|r| &r.name == q));
    if called.is_empty() {
        return Ok(());
    }
    let (schemas, names): (Vec<&str>, Vec<&str>) = called.iter().map(|q| (q.schema.as_str(), q.name.as_str())).unzip();
    let rows = client.query(FUNCTIONS, &[&schemas, &names, &undeclared]).await.map_err(|e| db_error(&e, None))?;
    for row in rows {
        let name: String = row.try_get(0).map_err(|e| db_error(&e, None))?;
        if let Some(schema) = live.extensions.get(&name).and_then(|e| e.schema.clone()) {
            used.entry(name).or_insert(schema);
        }
    }
    Ok(())
}
