//! `CREATE TEXT SEARCH DICTIONARY`: a template and the options that template
//! takes (`stopwords`, `language`...), any of them, as PostgreSQL keeps them
//! (`dictinitoption`). Dropped and created again when changed.

use super::{GenericKind, OptionSpec, Signature, Spec, StoredIn, Value};

/// The text search dictionary kind.
pub static SPEC: Spec = Spec {
    keyword: "TEXT SEARCH DICTIONARY",
    signature: Signature::Name,
    options: &[OptionSpec {
        name: "TEMPLATE",
        aliases: &[],
        value: Value::Object(GenericKind::TextSearchTemplate),
        default: None,
    }],
    replace_keeps: None,
    same_pair_is: None,
    other_options: Some(Value::Text),
    callable: false,
    stored_in: StoredIn { table: "pg_ts_dict", oid: "oid" },
    catalog_query: "SELECT 'CREATE TEXT SEARCH DICTIONARY ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(d.dictname) || ' (TEMPLATE = ' || pg_catalog.quote_ident(tn.nspname) || '.' \
          || pg_catalog.quote_ident(t.tmplname) || COALESCE(', ' || d.dictinitoption, '') || ')', \
        pg_catalog.obj_description(d.oid, 'pg_ts_dict') \
      FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace \
      JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate \
      JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = d.oid \
                        AND x.classid = 'pg_catalog.pg_ts_dict'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, d.dictname",
};
