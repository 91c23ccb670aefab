//! `CREATE TEXT SEARCH TEMPLATE`: the functions behind a dictionary (C
//! functions: only a superuser creates one). No `OR REPLACE`: a changed one is
//! dropped and created again, after the dictionaries using it are dropped.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The text search template kind.
pub static SPEC: Spec = Spec {
    keyword: "TEXT SEARCH TEMPLATE",
    signature: Signature::Name,
    options: &[
        OptionSpec { name: "INIT", aliases: &[], value: Value::Function, default: None },
        OptionSpec { name: "LEXIZE", aliases: &[], value: Value::Function, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_ts_template", oid: "oid" },
    catalog_query: "SELECT 'CREATE TEXT SEARCH TEMPLATE ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(t.tmplname) || ' (' || pg_catalog.concat_ws(', ', \
          CASE WHEN t.tmplinit <> 0 THEN 'INIT = ' || t.tmplinit::pg_catalog.regproc::text END, \
          'LEXIZE = ' || t.tmpllexize::pg_catalog.regproc::text) || ')', \
        pg_catalog.obj_description(t.oid, 'pg_ts_template') \
      FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = t.oid \
                        AND x.classid = 'pg_catalog.pg_ts_template'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, t.tmplname",
};
