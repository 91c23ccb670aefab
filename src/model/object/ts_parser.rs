//! `CREATE TEXT SEARCH PARSER`: the functions that split text into tokens (C
//! functions: only a superuser creates one). No `OR REPLACE`: a changed one is
//! dropped and created again, after the configurations using it are dropped.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

const fn f(name: &'static str) -> OptionSpec {
    OptionSpec { name, aliases: &[], value: Value::Function, default: None }
}

/// The text search parser kind.
pub static SPEC: Spec = Spec {
    keyword: "TEXT SEARCH PARSER",
    signature: Signature::Name,
    options: &[f("START"), f("GETTOKEN"), f("END"), f("LEXTYPES"), f("HEADLINE")],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_ts_parser", oid: "oid" },
    catalog_query: "SELECT 'CREATE TEXT SEARCH PARSER ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(p.prsname) || ' (' || pg_catalog.concat_ws(', ', \
          'START = ' || p.prsstart::pg_catalog.regproc::text, \
          'GETTOKEN = ' || p.prstoken::pg_catalog.regproc::text, \
          'END = ' || p.prsend::pg_catalog.regproc::text, \
          'LEXTYPES = ' || p.prslextype::pg_catalog.regproc::text, \
          CASE WHEN p.prsheadline <> 0 THEN 'HEADLINE = ' || p.prsheadline::pg_catalog.regproc::text END) || ')', \
        pg_catalog.obj_description(p.oid, 'pg_ts_parser') \
      FROM pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace n ON n.oid = p.prsnamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = p.oid \
                        AND x.classid = 'pg_catalog.pg_ts_parser'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, p.prsname",
};
