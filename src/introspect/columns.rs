//! Tables and their columns, in one query.

use tokio_postgres::Client;

use super::objects::not_from_extension;
use super::script::Script;
use crate::canon::{quote_ident, quote_qualified};
use crate::model::QualName;
use crate::parse::{CatalogColumn, CatalogTable};

/// Each managed table's columns by number (`attnum`), as the columns step
/// read them (the constraints step names its keys' columns from them).
pub type AttNames = rustc_hash::FxHashMap<QualName, Vec<(i16, String)>>;

/// Tables pgstate manages: ordinary and partitioned tables (partitions included).
pub const MANAGED_TABLE: &str = "c.relkind IN ('r', 'p')";

/// Tables and their columns in one query. Long because the query's columns and the
/// row's reads stay side by side.
///
/// What belongs to the table alone is computed once per table, in the `tl`
/// subquery (`OFFSET 0` keeps the planner from folding it back into every
/// column's row); a default that is not a generated column's cannot name a
/// column, so it is deparsed without opening its table (`pg_get_expr(.., 0)`:
/// a third of the query's time at 10,000 tables).
pub async fn tables(
    client: &Client,
    schemas: &[String],
    version: u32,
    s: &mut Script,
    names: &mut AttNames,
    tables: &mut Vec<CatalogTable>,
) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname, c.relpersistence::text, td.description, \
                a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) \
                     ELSE pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, \
                a.attidentity::text, a.attgenerated::text, \
                CASE WHEN a.attcollation <> t.typcollation THEN \
                     (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) \
                      FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
                      WHERE co.oid = a.attcollation) END, \
                cd.description, \
                q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, \
                c.relrowsecurity, c.relforcerowsecurity, \
                tl.partkey, c.relispartition, tl.bound, inh.parents, a.attislocal, \
                c.reloptions::text[], NULLIF(a.attstattarget::int4, -1), \
                CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END, {compression}, \
                c.relreplident::text, tl.clustered, tl.replident, \
                {not_null}, a.attnum \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN LATERAL (SELECT array_agg(pg_catalog.quote_ident(pn.nspname) || '.' || \
                                             pg_catalog.quote_ident(pc.relname) ORDER BY i.inhseqno) AS parents \
                            FROM pg_catalog.pg_inherits i \
                            JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent \
                            JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
                            WHERE i.inhrelid = c.oid) inh ON true \
         LEFT JOIN LATERAL (SELECT CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey, \
                                   pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound, \
                                   (SELECT ic.relname FROM pg_catalog.pg_index i \
                                    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
                                    WHERE i.indrelid = c.oid AND i.indisclustered LIMIT 1) AS clustered, \
                                   (SELECT ic.relname FROM pg_catalog.pg_index i \
                                    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
                                    WHERE i.indrelid = c.oid AND i.indisreplident AND c.relreplident = 'i' \
                                    LIMIT 1) AS replident \
                            OFFSET 0) tl ON true \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum \
         LEFT JOIN pg_catalog.pg_depend d ON d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i' \
              AND d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass \
         LEFT JOIN pg_catalog.pg_sequence q ON q.seqrelid = d.objid \
         LEFT JOIN pg_catalog.pg_description td ON td.objoid = c.oid \
              AND td.classoid = 'pg_catalog.pg_class'::regclass AND td.objsubid = 0 \
         LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = c.oid \
              AND cd.classoid = 'pg_catalog.pg_class'::regclass AND cd.objsubid = a.attnum \
         WHERE {MANAGED_TABLE} AND n.nspname = ANY($1) AND {}",
        not_from_extension("c.oid", "pg_catalog.pg_class"),
        // Compression methods came with PostgreSQL 14.
        compression = if version >= 140000 { "NULLIF(a.attcompression::text, '')" } else { "NULL::text" },
        // NOT NULL constraints came with PostgreSQL 18.
        not_null = if version >= 180000 {
            "(SELECT ARRAY[nn.conname::text, nn.connoinherit::text, nn.convalidated::text] \
              FROM pg_catalog.pg_constraint nn \
              WHERE nn.conrelid = c.oid AND nn.contype = 'n' AND nn.conkey[1] = a.attnum)"
        } else {
            "NULL::text[]"
        },
    );
    // In schema, table and column order (`order` says why on the client).
    let rows = super::order::sort(client.query(&sql, &[&schemas]).await?, [0, 1], Some(33))?;
    let mut current: Option<(String, String)> = None;
    let mut columns: Vec<String> = Vec::new();
    let mut header = String::new();
    let mut tail = String::new();
    let mut partition = false;
    // The current table's columns by number, for `names`.
    let mut numbered: Vec<(i16, String)> = Vec::new();
    // The current table as rows, while it is plain (`CatalogTable`).
    let mut plain: Option<CatalogTable> = None;
    let flush = |header: &str, tail: &str, partition: bool, columns: &[String], out: &mut String| {
        if partition {
            out.push_str(&format!("{header}{tail};\n"));
        } else if !header.is_empty() {
            out.push_str(&format!("{header} (\n    {}\n){tail};\n", columns.join(",\n    ")));
        }
    };
    // The current table's name, quoted once for its columns' statements.
    let mut name = String::new();
    for row in &rows {
        // Borrowed from the row: a table's name is copied once, not per column.
        let key: (&str, &str) = (row.try_get(0)?, row.try_get(1)?);
        if current.as_ref().map(|(s, t)| (s.as_str(), t.as_str())) != Some(key) {
            match plain.take() {
                Some(table) => tables.push(table),
                None => flush(&header, &tail, partition, &columns, &mut s.creates),
            }
            columns.clear();
            if let Some((schema, table)) = current.take() {
                names.insert(QualName::new(schema, table), std::mem::take(&mut numbered));
            }
            name = quote_qualified(key.0, key.1);
            let unlogged = if row.try_get::<_, String>(2)? == "u" { "UNLOGGED " } else { "" };
            let parents: Vec<String> = row.try_get::<_, Option<Vec<String>>>(23)?.unwrap_or_default();
            partition = row.try_get::<_, bool>(21)?;
            // No partitioning, parents or storage parameters: a table of plain columns.
            let table_plain = !partition
                && parents.is_empty()
                && row.try_get::<_, Option<String>>(20)?.is_none()
                && row.try_get::<_, Option<Vec<String>>>(25)?.is_none();
            plain = table_plain.then(|| CatalogTable {
                name: QualName::new(key.0, key.1),
                unlogged: !unlogged.is_empty(),
                columns: Vec::new(),
            });
            tail.clear();
            header = format!("CREATE {unlogged}TABLE {name}");
            if let (true, Some(parent)) = (partition, parents.first()) {
                // Its columns are its parent's; its bound follows the (empty) list.
                let bound: String = row.try_get::<_, Option<String>>(22)?.unwrap_or_default();
                header = format!("CREATE {unlogged}TABLE {name} PARTITION OF {parent}");
                tail = format!(" {bound}");
            } else if !parents.is_empty() {
                tail = format!(" INHERITS ({})", parents.join(", "));
            }
            if let Some(key) = row.try_get::<_, Option<String>>(20)? {
                tail.push_str(&format!(" PARTITION BY {key}"));
            }
            if let Some(options) = row.try_get::<_, Option<Vec<String>>>(25)? {
                tail.push_str(&storage_parameters(&options));
            }
            s.comment(&format!("TABLE {name}"), row.try_get(3)?);
            if row.try_get::<_, bool>(18)? {
                s.alters.push_str(&format!("ALTER TABLE ONLY {name} ENABLE ROW LEVEL SECURITY;\n"));
            }
            if row.try_get::<_, bool>(19)? {
                s.alters.push_str(&format!("ALTER TABLE ONLY {name} FORCE ROW LEVEL SECURITY;\n"));
            }
            match row.try_get::<_, String>(29)?.as_str() {
                "f" => s.alters.push_str(&format!("ALTER TABLE ONLY {name} REPLICA IDENTITY FULL;\n")),
                "n" => s.alters.push_str(&format!("ALTER TABLE ONLY {name} REPLICA IDENTITY NOTHING;\n")),
                _ => {}
            }
            if let Some(index) = row.try_get::<_, Option<String>>(31)? {
                let index = quote_ident(&index);
                s.alters.push_str(&format!("ALTER TABLE ONLY {name} REPLICA IDENTITY USING INDEX {index};\n"));
            }
            if let Some(index) = row.try_get::<_, Option<String>>(30)? {
                s.alters.push_str(&format!("ALTER TABLE ONLY {name} CLUSTER ON {};\n", quote_ident(&index)));
            }
            current = Some((key.0.to_string(), key.1.to_string()));
        }
        let Some(col) = row.try_get::<_, Option<String>>(4)? else { continue };
        numbered.push((row.try_get(33)?, col.clone()));
        // Inherited columns are the parent's (all of a partition's are).
        if partition || !row.try_get::<_, bool>(24)? {
            continue;
        }
        let mut def = format!("{} {}", quote_ident(&col), row.try_get::<_, String>(5)?);
        if let Some(coll) = row.try_get::<_, Option<String>>(10)? {
            def.push_str(&format!(" COLLATE {coll}"));
        }
        let expr: Option<String> = row.try_get(7)?;
        let generated: String = row.try_get(9)?;
        let identity: String = row.try_get(8)?;
        if generated == "s" {
            def.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", expr.as_deref().unwrap_or("NULL")));
        } else if let Some(e) = &expr {
            def.push_str(&format!(" DEFAULT {e}"));
        }
        if identity == "a" || identity == "d" {
            let kind = if identity == "a" { "ALWAYS" } else { "BY DEFAULT" };
            let number = |i: usize| row.try_get::<_, Option<i64>>(i);
            let (start, inc, min, max, cache) = (number(12)?, number(13)?, number(14)?, number(15)?, number(16)?);
            let cycle = if row.try_get::<_, Option<bool>>(17)?.unwrap_or(false) { "CYCLE" } else { "NO CYCLE" };
            match (start, inc, min, max, cache) {
                (Some(start), Some(inc), Some(min), Some(max), Some(cache)) => def.push_str(&format!(
                    " GENERATED {kind} AS IDENTITY (START WITH {start} INCREMENT BY {inc} MINVALUE {min} MAXVALUE {max} CACHE {cache} {cycle})"
                )),
                _ => def.push_str(&format!(" GENERATED {kind} AS IDENTITY")),
            }
        }
        let table = &name;
        let not_null_set: bool = row.try_get(6)?;
        let mut plain_not_null = true;
        if not_null_set {
            let nn = row.try_get::<_, Option<Vec<String>>>(32)?.unwrap_or_default();
            plain_not_null = not_null(&mut def, &mut s.alters, table, key.1, &col, &nn);
        }
        // Nothing but a type, a default and NOT NULL: the table can stay plain.
        let column_plain = plain_not_null
            && generated.is_empty()
            && identity.is_empty()
            && row.try_get::<_, Option<String>>(10)?.is_none();
        match (&mut plain, column_plain) {
            (Some(t), true) => t.columns.push(CatalogColumn {
                name: col.clone(),
                data_type: row.try_get(5)?,
                default: expr,
                not_null: not_null_set,
            }),
            _ => plain = None,
        }
        if let Some(n) = row.try_get::<_, Option<i32>>(26)? {
            s.alters.push_str(&format!(
                "ALTER TABLE ONLY {table} ALTER COLUMN {} SET STATISTICS {n};\n",
                quote_ident(&col)
            ));
        }
        if let Some(storage) = row.try_get::<_, Option<String>>(27)?.as_deref().and_then(storage_name) {
            s.alters.push_str(&format!(
                "ALTER TABLE ONLY {table} ALTER COLUMN {} SET STORAGE {storage};\n",
                quote_ident(&col)
            ));
        }
        if let Some(method) = row.try_get::<_, Option<String>>(28)?.as_deref().and_then(compression_name) {
            s.alters.push_str(&format!(
                "ALTER TABLE ONLY {table} ALTER COLUMN {} SET COMPRESSION {method};\n",
                quote_ident(&col)
            ));
        }
        if let Some(text) = row.try_get::<_, Option<&str>>(11)? {
            s.comment(&format!("COLUMN {table}.{}", quote_ident(&col)), Some(text));
        }
        columns.push(def);
    }
    match plain {
        Some(table) => tables.push(table),
        None => flush(&header, &tail, partition, &columns, &mut s.creates),
    }
    if let Some((schema, table)) = current {
        names.insert(QualName::new(schema, table), numbered);
    }
    Ok(())
}

/// A column's `NOT NULL`, with PostgreSQL 18's constraint (`nn`: its name,
/// `connoinherit`, `convalidated`; empty before 18): named when not the
/// default; one `NO INHERIT` or `NOT VALID` is added apart (`ALTER TABLE ...
/// ADD CONSTRAINT n NOT NULL c ...`, as pg_dump adds a `NOT VALID` one).
/// Whether it is a plain `NOT NULL` (no name but the default, no flag).
fn not_null(def: &mut String, alters: &mut String, table: &str, table_name: &str, col: &str, nn: &[String]) -> bool {
    let flag = |i: usize, value: &str| nn.get(i).map(String::as_str) == Some(value);
    let (no_inherit, not_valid) = (flag(1, "true"), flag(2, "false"));
    if no_inherit || not_valid {
        let name = quote_ident(nn.first().map(String::as_str).unwrap_or_default());
        let (col, no_inherit) = (quote_ident(col), if no_inherit { " NO INHERIT" } else { "" });
        let not_valid = if not_valid { " NOT VALID" } else { "" };
        alters.push_str(&format!(
            "ALTER TABLE ONLY {table} ADD CONSTRAINT {name} NOT NULL {col}{no_inherit}{not_valid};\n"
        ));
        return false;
    }
    let named = nn.first().filter(|n| **n != crate::canon::names::not_null_name(table_name, col));
    if let Some(name) = named {
        def.push_str(&format!(" CONSTRAINT {}", quote_ident(name)));
    }
    def.push_str(" NOT NULL");
    named.is_none()
}

/// `attstorage` spelled as `SET STORAGE` takes it.
fn storage_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "p" => "PLAIN",
        "e" => "EXTERNAL",
        "x" => "EXTENDED",
        "m" => "MAIN",
        _ => return None,
    })
}

/// `attcompression` spelled as `SET COMPRESSION` takes it.
fn compression_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "p" => "pglz",
        "l" => "lz4",
        _ => return None,
    })
}

/// ` WITH (name = 'value', ...)` from `reloptions` (`name=value` texts, in the order PostgreSQL keeps).
pub fn storage_parameters(options: &[String]) -> String {
    if options.is_empty() {
        return String::new();
    }
    let params: Vec<String> = options
        .iter()
        .map(|o| {
            let (name, value) = o.split_once('=').unwrap_or((o.as_str(), "true"));
            let name: Vec<String> = name.split('.').map(quote_ident).collect();
            format!("{} = {}", name.join("."), crate::canon::quote_literal(value))
        })
        .collect();
    format!(" WITH ({})", params.join(", "))
}
