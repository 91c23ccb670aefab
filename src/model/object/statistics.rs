//! `CREATE STATISTICS` (extended statistics on a table's columns): no `OR
//! REPLACE`, and its `ALTER` only renames or sets a statistics target (its
//! `STATISTICS` option, printed and read as `ALTER STATISTICS ... SET
//! STATISTICS n` after the `CREATE`), so a changed one is dropped and created again. Read from the
//! tokens (`parse::statistics`), printed in the statement's own form, on
//! columns and (PostgreSQL 14+) expressions.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The statistics object kind.
pub static SPEC: Spec = Spec {
    keyword: "STATISTICS",
    signature: Signature::Statistics,
    options: &[
        OptionSpec { name: "KINDS", aliases: &[], value: Value::Word, default: None },
        OptionSpec { name: "ON", aliases: &[], value: Value::Word, default: None },
        OptionSpec { name: "FROM", aliases: &[], value: Value::Word, default: None },
        // `ALTER STATISTICS ... SET STATISTICS n` (`stxstattarget`); none: the columns' targets.
        OptionSpec { name: "STATISTICS", aliases: &[], value: Value::Integer, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // Columns that do not exist on every major are read through to_jsonb.
    stored_in: StoredIn { table: "pg_statistic_ext", oid: "oid" },
    catalog_query: "SELECT pg_catalog.pg_get_statisticsobjdef(s.oid) \
             || CASE WHEN COALESCE((j->>'stxstattarget')::int, -1) >= 0 THEN ';\nALTER STATISTICS ' \
                  || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.stxname) \
                  || ' SET STATISTICS ' || (j->>'stxstattarget') ELSE '' END, \
             pg_catalog.obj_description(s.oid, 'pg_statistic_ext') \
      FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace \
      CROSS JOIN LATERAL pg_catalog.to_jsonb(s) j \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = s.oid \
                        AND x.classid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, s.stxname",
};
