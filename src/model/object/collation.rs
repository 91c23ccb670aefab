//! `CREATE COLLATION`: no `OR REPLACE`, no `ALTER` of its definition, so a
//! changed one is dropped and created again. `locale` stands for equal
//! `lc_collate` and `lc_ctype`; an ICU or builtin collation has only `locale`.
//! Columns naming it are created after it (see `plan::order`).

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The collation kind.
pub static SPEC: Spec = Spec {
    keyword: "COLLATION",
    signature: Signature::Name,
    options: &[
        OptionSpec { name: "provider", aliases: &[], value: Value::Word, default: Some("libc") },
        OptionSpec { name: "deterministic", aliases: &[], value: Value::Word, default: Some("true") },
        OptionSpec { name: "locale", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "lc_collate", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "lc_ctype", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "rules", aliases: &[], value: Value::Text, default: None },
    ],
    replace_keeps: None,
    same_pair_is: Some(["lc_collate", "lc_ctype", "locale"]),
    other_options: None,
    callable: false,
    // Columns that do not exist on every major are read through to_jsonb.
    stored_in: StoredIn { table: "pg_collation", oid: "oid" },
    catalog_query: "SELECT 'CREATE COLLATION ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname) \
        || ' (' || pg_catalog.concat_ws(', ', \
          'provider = ' || CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END, \
          CASE WHEN NOT c.collisdeterministic THEN 'deterministic = false' END, \
          CASE WHEN c.collprovider IN ('i', 'b') \
                 THEN 'locale = ' || pg_catalog.quote_literal(COALESCE(j->>'colllocale', j->>'colliculocale', c.collcollate)) \
               WHEN c.collcollate = c.collctype THEN 'locale = ' || pg_catalog.quote_literal(c.collcollate) \
               ELSE 'lc_collate = ' || pg_catalog.quote_literal(c.collcollate) || ', lc_ctype = ' \
                    || pg_catalog.quote_literal(c.collctype) END, \
          'rules = ' || pg_catalog.quote_literal(j->>'collicurules')) || ')', \
        pg_catalog.obj_description(c.oid, 'pg_collation') \
      FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace \
      CROSS JOIN LATERAL pg_catalog.to_jsonb(c) j \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = c.oid \
                        AND d.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND d.deptype = 'e') \
      ORDER BY n.nspname, c.collname",
};
