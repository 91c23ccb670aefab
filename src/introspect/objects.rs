//! Schemas, extensions, enum types and sequences.

use tokio_postgres::Client;

use super::script::Script;
use crate::canon::{quote_ident, quote_literal, quote_qualified};

/// A condition excluding objects created by an extension: they belong to it,
/// not to the schema. `oid` and `class` are fixed SQL of pgstate's, never input.
pub fn not_from_extension(oid: &str, class: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = {oid} \
         AND d.classid = {}::regclass AND d.deptype = 'e')",
        quote_literal(class)
    )
}

pub async fn schemas(
    client: &Client,
    schemas: &[String],
    default_schema: &str,
    s: &mut Script,
) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace') FROM pg_catalog.pg_namespace n \
         WHERE n.nspname = ANY($1) AND n.nspname <> 'public' AND n.nspname <> $2 AND {} ORDER BY 1",
        not_from_extension("n.oid", "pg_catalog.pg_namespace")
    );
    for row in client.query(&sql, &[&schemas, &default_schema]).await? {
        let name: String = row.try_get(0)?;
        s.creates.push_str(&format!("CREATE SCHEMA {};\n", quote_ident(&name)));
        s.comment(&format!("SCHEMA {}", quote_ident(&name)), row.try_get(1)?);
    }
    Ok(())
}

pub async fn extensions(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    // plpgsql is part of every database; extensions are scoped by the schema they live in.
    let sql = "SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e \
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
               WHERE e.extname <> 'plpgsql' AND n.nspname = ANY($1) ORDER BY 1";
    for row in client.query(sql, &[&schemas]).await? {
        let (name, schema): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        s.creates.push_str(&format!("CREATE EXTENSION {} WITH SCHEMA {};\n", quote_ident(&name), quote_ident(&schema)));
    }
    Ok(())
}

pub async fn enums(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, t.typname, \
                array_agg(e.enumlabel::text ORDER BY e.enumsortorder), \
                pg_catalog.obj_description(t.oid, 'pg_type') \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid \
         WHERE n.nspname = ANY($1) AND {} \
         GROUP BY n.nspname, t.typname, t.oid ORDER BY 1, 2",
        not_from_extension("t.oid", "pg_catalog.pg_type")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let name = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        let labels: Vec<String> = row.try_get(2)?;
        let labels: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
        s.creates.push_str(&format!("CREATE TYPE {name} AS ENUM ({});\n", labels.join(", ")));
        s.comment(&format!("TYPE {name}"), row.try_get(3)?);
    }
    Ok(())
}

/// Composite types, with their attributes in one query (aggregated per type).
pub async fn composites(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, t.typname, \
                coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '{{}}'), \
                coalesce(array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) \
                         FILTER (WHERE a.attnum IS NOT NULL), '{{}}'), \
                coalesce(array_agg(CASE WHEN a.attcollation <> at.typcollation THEN \
                             pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END \
                         ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '{{}}'), \
                pg_catalog.obj_description(t.oid, 'pg_type') \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         LEFT JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         WHERE t.typtype = 'c' AND n.nspname = ANY($1) AND {} \
         GROUP BY n.nspname, t.typname, t.oid ORDER BY 1, 2",
        not_from_extension("t.oid", "pg_catalog.pg_type")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let name = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        let names: Vec<String> = row.try_get(2)?;
        let types: Vec<String> = row.try_get(3)?;
        let collations: Vec<Option<String>> = row.try_get(4)?;
        let attrs: Vec<String> = names
            .iter()
            .zip(&types)
            .zip(&collations)
            .map(|((n, t), c)| match c {
                Some(c) => format!("{} {t} COLLATE {c}", quote_ident(n)),
                None => format!("{} {t}", quote_ident(n)),
            })
            .collect();
        s.creates.push_str(&format!("CREATE TYPE {name} AS ({});\n", attrs.join(", ")));
        s.comment(&format!("TYPE {name}"), row.try_get(5)?);
    }
    Ok(())
}

/// Range types, in one query over `pg_range`. Options are printed only when
/// not the subtype's defaults; the multirange's name only when not derived
/// (none before PostgreSQL 14).
pub async fn ranges(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, t.typname, pg_catalog.format_type(r.rngsubtype, NULL), \
                CASE WHEN NOT opc.opcdefault THEN \
                     pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END, \
                CASE WHEN r.rngcollation <> st.typcollation THEN \
                     pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END, \
                CASE WHEN r.rngcanonical::oid <> 0 THEN r.rngcanonical::text END, \
                CASE WHEN r.rngsubdiff::oid <> 0 THEN r.rngsubdiff::text END, \
                mn.nspname, mt.typname, \
                pg_catalog.obj_description(t.oid, 'pg_type') \
         FROM pg_catalog.pg_range r \
         JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype \
         JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc \
         JOIN pg_catalog.pg_namespace ocn ON ocn.oid = opc.opcnamespace \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         LEFT JOIN pg_catalog.pg_type mt ON mt.oid = (pg_catalog.to_jsonb(r)->>'rngmultitypid')::oid \
         LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace \
         WHERE n.nspname = ANY($1) AND {} ORDER BY 1, 2",
        not_from_extension("t.oid", "pg_catalog.pg_type")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let (schema, type_name): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let name = quote_qualified(&schema, &type_name);
        let mut options = vec![format!("SUBTYPE = {}", row.try_get::<_, String>(2)?)];
        for (i, key) in [(3, "SUBTYPE_OPCLASS"), (4, "COLLATION"), (5, "CANONICAL"), (6, "SUBTYPE_DIFF")] {
            if let Some(v) = row.try_get::<_, Option<String>>(i)? {
                options.push(format!("{key} = {v}"));
            }
        }
        // Multiranges came with PostgreSQL 14 (`rngmultitypid` read through to_jsonb).
        let multirange = match (row.try_get::<_, Option<String>>(7)?, row.try_get::<_, Option<String>>(8)?) {
            (Some(s), Some(t)) => Some(crate::model::QualName::new(s, t)),
            _ => None,
        };
        let default = crate::model::RangeType::default_multirange(&crate::model::QualName::new(schema, type_name));
        if let Some(multirange) = multirange.filter(|m| *m != default) {
            options.push(format!("MULTIRANGE_TYPE_NAME = {}", multirange.sql()));
        }
        s.creates.push_str(&format!("CREATE TYPE {name} AS RANGE ({});\n", options.join(", ")));
        s.comment(&format!("TYPE {name}"), row.try_get(9)?);
    }
    Ok(())
}

/// Domains, with their checks in one query (aggregated per domain). Every
/// column of `t` is grouped by: before PostgreSQL 14 the catalogs had no
/// primary keys, so grouping by `t.oid` alone does not cover them.
pub async fn domains(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), \
                CASE WHEN t.typcollation <> bt.typcollation THEN co.collname END, \
                t.typdefault, t.typnotnull, \
                coalesce(array_agg(c.conname::text ORDER BY c.conname) FILTER (WHERE c.oid IS NOT NULL), '{{}}'), \
                coalesce(array_agg(pg_catalog.pg_get_constraintdef(c.oid) ORDER BY c.conname) \
                         FILTER (WHERE c.oid IS NOT NULL), '{{}}'), \
                pg_catalog.obj_description(t.oid, 'pg_type') \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation \
         LEFT JOIN pg_catalog.pg_constraint c ON c.contypid = t.oid AND c.contype = 'c' \
         WHERE t.typtype = 'd' AND n.nspname = ANY($1) AND {} \
         GROUP BY n.nspname, t.typname, t.oid, t.typbasetype, t.typtypmod, t.typcollation, t.typdefault, \
                  t.typnotnull, bt.typcollation, co.collname ORDER BY 1, 2",
        not_from_extension("t.oid", "pg_catalog.pg_type")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let name = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        let mut ddl = format!("CREATE DOMAIN {name} AS {}", row.try_get::<_, String>(2)?);
        if let Some(collation) = row.try_get::<_, Option<String>>(3)? {
            ddl.push_str(&format!(" COLLATE {}", quote_ident(&collation)));
        }
        if let Some(default) = row.try_get::<_, Option<String>>(4)? {
            ddl.push_str(&format!(" DEFAULT {default}"));
        }
        if row.try_get::<_, bool>(5)? {
            ddl.push_str(" NOT NULL");
        }
        let names: Vec<String> = row.try_get(6)?;
        let defs: Vec<String> = row.try_get(7)?;
        for (n, def) in names.iter().zip(&defs) {
            ddl.push_str(&format!(" CONSTRAINT {} {def}", quote_ident(n)));
        }
        s.creates.push_str(&ddl);
        s.creates.push_str(";\n");
        s.comment(&format!("DOMAIN {name}"), row.try_get(8)?);
    }
    Ok(())
}

pub async fn sequences(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    // Identity columns' sequences are part of the column (read with it).
    let sql = format!(
        "SELECT n.nspname, c.relname, pg_catalog.format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, \
                q.seqmin, q.seqmax, q.seqcache, q.seqcycle, pg_catalog.obj_description(c.oid, 'pg_class') \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_sequence q ON q.seqrelid = c.oid \
         WHERE c.relkind = 'S' AND n.nspname = ANY($1) AND {} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = c.oid \
                           AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'i') \
         ORDER BY 1, 2",
        not_from_extension("c.oid", "pg_catalog.pg_class")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let name = quote_qualified(row.try_get(0)?, row.try_get(1)?);
        let ty: String = row.try_get(2)?;
        let (start, inc, min, max, cache): (i64, i64, i64, i64, i64) =
            (row.try_get(3)?, row.try_get(4)?, row.try_get(5)?, row.try_get(6)?, row.try_get(7)?);
        let cycle = if row.try_get::<_, bool>(8)? { "CYCLE" } else { "NO CYCLE" };
        s.creates.push_str(&format!(
            "CREATE SEQUENCE {name} AS {ty} START WITH {start} INCREMENT BY {inc} MINVALUE {min} MAXVALUE {max} CACHE {cache} {cycle};\n"
        ));
        s.comment(&format!("SEQUENCE {name}"), row.try_get(9)?);
    }
    Ok(())
}

pub async fn sequence_owners(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = "SELECT sn.nspname, sc.relname, tn.nspname, tc.relname, a.attname \
               FROM pg_catalog.pg_depend d \
               JOIN pg_catalog.pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S' \
               JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace \
               JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid \
               JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
               JOIN pg_catalog.pg_attribute a ON a.attrelid = tc.oid AND a.attnum = d.refobjsubid \
               WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass \
                 AND d.deptype = 'a' AND sn.nspname = ANY($1) AND tn.nspname = ANY($1) \
               ORDER BY 1, 2";
    for row in client.query(sql, &[&schemas]).await? {
        s.alters.push_str(&format!(
            "ALTER SEQUENCE {} OWNED BY {}.{};\n",
            quote_qualified(row.try_get(0)?, row.try_get(1)?),
            quote_qualified(row.try_get(2)?, row.try_get(3)?),
            quote_ident(row.try_get(4)?)
        ));
    }
    Ok(())
}
