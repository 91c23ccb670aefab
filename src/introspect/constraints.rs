//! Table constraints. The plain keys and foreign keys (no `INCLUDE`, index
//! storage parameters or tablespace; no `SET NULL (columns)`) are read as
//! rows and built here (`CatalogKey`), their columns named from the columns
//! step (`AttNames`); the others as `pg_get_constraintdef` prints them.
//! At 10,000 tables (26,500 keys) printing them was 0.3 s of the server's
//! time, two thirds of the step's, and reading them back 90 MB of pgstate's
//! peak memory.

use tokio_postgres::{Client, Row};

use super::columns::{AttNames, MANAGED_TABLE};
use super::objects::not_from_extension;
use super::script::Script;
use crate::canon::{quote_ident, quote_qualified};
use crate::model::{Deferral, FkAction, FkMatch, ForeignKey, QualName};
use crate::parse::{CatalogKey, KeyKind};

/// A key or foreign key read as a row: its columns by number, named once
/// the columns step is in (`named`).
pub struct KeyRow {
    table: QualName,
    name: String,
    kind: u8,
    columns: Vec<i16>,
    ref_table: Option<QualName>,
    ref_columns: Vec<i16>,
    on_update: FkAction,
    on_delete: FkAction,
    match_kind: FkMatch,
    deferral: Deferral,
    validated: bool,
    nulls_not_distinct: bool,
}

/// Adds the constraints in `schemas` to the script; returns the keys read as rows.
pub async fn constraints(
    client: &Client,
    schemas: &[String],
    version: u32,
    s: &mut Script,
) -> Result<Vec<KeyRow>, tokio_postgres::Error> {
    // Foreign keys to tables outside the managed schemas are out of scope,
    // as are an extension's tables (the columns step leaves them out) and
    // their constraints. Inherited constraints and a partition's clones of
    // its parent's are the parent's.
    let sql = format!(
        "SELECT n.nspname, c.relname, con.conname, \
                CASE WHEN NOT q.plain THEN pg_catalog.pg_get_constraintdef(con.oid) END, \
                dsc.description, \
                CASE WHEN con.contype IN ('p', 'u') AND NOT q.plain THEN \
                     (SELECT ic.reloptions::text[] FROM pg_catalog.pg_class ic WHERE ic.oid = con.conindid) END, \
                con.contype::text, con.conkey, rn.nspname, rc.relname, con.confkey, \
                con.confupdtype::text, con.confdeltype::text, con.confmatchtype::text, \
                con.condeferrable, con.condeferred, con.convalidated, {nulls} \
         FROM pg_catalog.pg_constraint con \
         JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
         LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_catalog.pg_index ki ON ki.indexrelid = con.conindid AND con.contype IN ('p', 'u') \
         LEFT JOIN pg_catalog.pg_class kc ON kc.oid = ki.indexrelid \
         LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = con.oid \
              AND dsc.classoid = 'pg_catalog.pg_constraint'::regclass AND dsc.objsubid = 0 \
         CROSS JOIN LATERAL (SELECT COALESCE(CASE con.contype \
              WHEN 'f' THEN {fk_plain} \
              WHEN 'p' THEN {key_plain} \
              WHEN 'u' THEN {key_plain} END, false) AS plain) q \
         WHERE con.contype IN ('p', 'u', 'x', 'c', 'f') AND {MANAGED_TABLE} AND n.nspname = ANY($1) \
           AND con.conislocal AND con.conparentid = 0 AND {table_own} \
           AND (con.contype <> 'f' OR (rn.nspname = ANY($1) AND {ref_own}))",
        table_own = not_from_extension("c.oid", "pg_catalog.pg_class"),
        ref_own = not_from_extension("rc.oid", "pg_catalog.pg_class"),
        // What a plain key's index holds: its key columns, no storage
        // parameters, the default tablespace.
        key_plain = "ki.indnkeyatts = ki.indnatts AND kc.reloptions IS NULL AND kc.reltablespace = 0",
        fk_plain = match version {
            // `SET NULL (columns)` came with 15; temporal and unenforced keys with 18.
            v if v >= 180000 => "con.confdelsetcols IS NULL AND con.conenforced AND NOT con.conperiod",
            v if v >= 150000 => "con.confdelsetcols IS NULL",
            _ => "true",
        },
        nulls = if version >= 150000 { "ki.indnullsnotdistinct" } else { "NULL::bool" },
    );
    let rows = client.query(&sql, &[&schemas]).await?;
    let mut keys = Vec::new();
    // In schema, table and constraint name order (`order` says why on the client).
    for row in super::order::sort(rows, [0, 1, 2], None)? {
        let (schema, table): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let name: String = row.try_get(2)?;
        let qualified = quote_qualified(&schema, &table);
        let quoted = quote_ident(&name);
        s.comment(&format!("CONSTRAINT {quoted} ON {qualified}"), row.try_get(4)?);
        let Some(mut def) = row.try_get::<_, Option<String>>(3)? else {
            keys.push(key_row(&row, QualName::new(schema, table), name)?);
            continue;
        };
        // A key's index storage parameters, which pg_get_constraintdef leaves out, go before DEFERRABLE.
        if let Some(options) = row.try_get::<_, Option<Vec<String>>>(5)? {
            let at = def.find(" DEFERRABLE").unwrap_or(def.len());
            def.insert_str(at, &super::columns::storage_parameters(&options));
        }
        s.alters.push_str(&format!("ALTER TABLE ONLY {qualified} ADD CONSTRAINT {quoted} {def};\n"));
    }
    Ok(keys)
}

fn key_row(row: &Row, table: QualName, name: String) -> Result<KeyRow, tokio_postgres::Error> {
    let code = |i: usize| -> Result<u8, tokio_postgres::Error> {
        Ok(row.try_get::<_, Option<String>>(i)?.and_then(|c| c.bytes().next()).unwrap_or(b' '))
    };
    let action = |i: usize| -> Result<FkAction, tokio_postgres::Error> {
        Ok(match code(i)? {
            b'r' => FkAction::Restrict,
            b'c' => FkAction::Cascade,
            b'n' => FkAction::SetNull,
            b'd' => FkAction::SetDefault,
            _ => FkAction::NoAction,
        })
    };
    let ref_table = match (row.try_get::<_, Option<String>>(8)?, row.try_get::<_, Option<String>>(9)?) {
        (Some(schema), Some(name)) => Some(QualName::new(schema, name)),
        _ => None,
    };
    let (deferrable, deferred) = (row.try_get::<_, bool>(14)?, row.try_get::<_, bool>(15)?);
    Ok(KeyRow {
        table,
        name,
        kind: code(6)?,
        columns: row.try_get::<_, Option<Vec<i16>>>(7)?.unwrap_or_default(),
        ref_table,
        ref_columns: row.try_get::<_, Option<Vec<i16>>>(10)?.unwrap_or_default(),
        on_update: action(11)?,
        on_delete: action(12)?,
        match_kind: if code(13)? == b'f' { FkMatch::Full } else { FkMatch::Simple },
        deferral: match (deferrable, deferred) {
            (_, true) => Deferral::Deferred,
            (true, false) => Deferral::Deferrable,
            (false, false) => Deferral::Immediate,
        },
        validated: row.try_get(16)?,
        nulls_not_distinct: row.try_get::<_, Option<bool>>(17)?.unwrap_or(false),
    })
}

/// The keys with their columns named from `names`; `Err` names a key
/// whose columns it does not hold (the catalog changed between the steps'
/// reads, when they did not share a snapshot).
pub fn named(rows: Vec<KeyRow>, names: &AttNames) -> Result<Vec<CatalogKey>, String> {
    let look = |table: &QualName, numbers: &[i16]| -> Option<Vec<String>> {
        let columns = names.get(table)?;
        numbers.iter().map(|n| columns.iter().find(|(a, _)| a == n).map(|(_, c)| c.clone())).collect()
    };
    rows.into_iter()
        .map(|r| {
            let kind = match (r.kind, look(&r.table, &r.columns), &r.ref_table) {
                (b'p', Some(columns), _) => Some(KeyKind::Primary(columns)),
                (b'u', Some(columns), _) => Some(KeyKind::Unique(columns, r.nulls_not_distinct)),
                (b'f', Some(columns), Some(ref_table)) => look(ref_table, &r.ref_columns).map(|ref_columns| {
                    KeyKind::Foreign(ForeignKey {
                        columns,
                        ref_table: ref_table.clone(),
                        ref_columns,
                        on_delete: r.on_delete,
                        on_update: r.on_update,
                        match_kind: r.match_kind,
                    })
                }),
                _ => None,
            };
            let Some(kind) = kind else {
                return Err(format!("constraint {} of {}", quote_ident(&r.name), r.table));
            };
            Ok(CatalogKey { table: r.table, name: r.name, kind, deferral: r.deferral, validated: r.validated })
        })
        .collect()
}
