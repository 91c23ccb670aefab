//! `CREATE [DEFAULT] CONVERSION`: an encoding conversion through a function
//! (a C one: only a superuser creates one, over the built-in ones). No `OR
//! REPLACE`: a changed one is dropped and created again. Read from the tokens
//! (`parse::conversion`), printed in the statement's own form.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The conversion kind.
pub static SPEC: Spec = Spec {
    keyword: "CONVERSION",
    signature: Signature::Conversion,
    options: &[
        OptionSpec { name: "DEFAULT", aliases: &[], value: Value::Flag, default: None },
        OptionSpec { name: "FOR", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "TO", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "FROM", aliases: &[], value: Value::Function, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_conversion", oid: "oid" },
    catalog_query: "SELECT 'CREATE ' || CASE WHEN c.condefault THEN 'DEFAULT ' ELSE '' END || 'CONVERSION ' \
          || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.conname) \
          || ' FOR ' || pg_catalog.quote_literal(pg_catalog.pg_encoding_to_char(c.conforencoding)) \
          || ' TO ' || pg_catalog.quote_literal(pg_catalog.pg_encoding_to_char(c.contoencoding)) \
          || ' FROM ' || pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname), \
        pg_catalog.obj_description(c.oid, 'pg_conversion') \
      FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace \
      JOIN pg_catalog.pg_proc p ON p.oid = c.conproc JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = c.oid \
                        AND x.classid = 'pg_catalog.pg_conversion'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, c.conname",
};
