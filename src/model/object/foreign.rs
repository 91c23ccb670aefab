//! Foreign data: wrappers, servers, user mappings and foreign tables, one
//! spec each, printed in their statements' own forms (`parse::foreign`
//! reads them). Generic options (`OPTIONS (name 'value', ...)`) are literals:
//! each value printed from its decoded value by `quote_literal`, names by
//! `quote_ident`, sorted by name (PostgreSQL gives them no meaning in order,
//! and pg_dump prints them sorted). None has `OR REPLACE` here: a changed
//! one is dropped and created again, with what uses it (user mappings and
//! foreign tables of a server, views reading a foreign table) dropped before
//! and created after. A foreign table holds no local data, so it is a
//! generic kind: its columns are `column` entries of its options (each
//! followed by its `column options` and `column rest`, the qualifiers).
//!
//! Wrappers, servers and user mappings belong to the database, not a schema:
//! they are managed when `public` is (the default scope always has it), and a
//! wrapper made by an extension (`postgres_fdw`, `file_fdw`) never is.

use super::{GenericKind, Object, OptionSpec, Signature, Spec, StoredIn, Value};

/// `OPTIONS (name 'value', ...)` from an options array, sorted by name.
macro_rules! options_of {
    ($array:literal) => {
        concat!(
            "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.split_part(o.opt, '=', 1)) || ' ' \
               || pg_catalog.quote_literal(pg_catalog.substr(o.opt, pg_catalog.strpos(o.opt, '=') + 1)), ', ' \
               ORDER BY pg_catalog.split_part(o.opt, '=', 1)) FROM pg_catalog.unnest(",
            $array,
            ") AS o(opt))"
        )
    };
}

/// Not made by an extension.
macro_rules! not_extension {
    ($oid:literal, $class:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = ",
            $oid,
            " AND x.classid = '",
            $class,
            "'::pg_catalog.regclass AND x.deptype = 'e')"
        )
    };
}

/// The foreign data wrapper kind.
pub static WRAPPER: Spec = Spec {
    keyword: "FOREIGN DATA WRAPPER",
    signature: Signature::Foreign,
    options: &[
        OptionSpec { name: "HANDLER", aliases: &[], value: Value::Function, default: None },
        OptionSpec { name: "VALIDATOR", aliases: &[], value: Value::Function, default: None },
        OptionSpec { name: "OPTIONS", aliases: &[], value: Value::Text, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_foreign_data_wrapper", oid: "oid" },
    catalog_query: concat!(
        "SELECT 'CREATE FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(w.fdwname) \
           || CASE WHEN w.fdwhandler <> 0 THEN ' HANDLER ' || w.fdwhandler::pg_catalog.regproc::text ELSE '' END \
           || CASE WHEN w.fdwvalidator <> 0 THEN ' VALIDATOR ' || w.fdwvalidator::pg_catalog.regproc::text ELSE '' END \
           || COALESCE(' OPTIONS (' || ",
        options_of!("w.fdwoptions"),
        " || ')', ''), pg_catalog.obj_description(w.oid, 'pg_foreign_data_wrapper') \
         FROM pg_catalog.pg_foreign_data_wrapper w \
         WHERE 'public' = ANY($1::pg_catalog.text[]) AND ",
        not_extension!("w.oid", "pg_catalog.pg_foreign_data_wrapper"),
        " ORDER BY w.fdwname"
    ),
};

/// The foreign server kind.
pub static SERVER: Spec = Spec {
    keyword: "SERVER",
    signature: Signature::Foreign,
    options: &[
        OptionSpec { name: "TYPE", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "VERSION", aliases: &[], value: Value::Text, default: None },
        OptionSpec {
            name: "WRAPPER",
            aliases: &[],
            value: Value::Object(GenericKind::ForeignDataWrapper),
            default: None,
        },
        OptionSpec { name: "OPTIONS", aliases: &[], value: Value::Text, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_foreign_server", oid: "oid" },
    catalog_query: concat!(
        "SELECT 'CREATE SERVER ' || pg_catalog.quote_ident(s.srvname) \
           || COALESCE(' TYPE ' || pg_catalog.quote_literal(s.srvtype), '') \
           || COALESCE(' VERSION ' || pg_catalog.quote_literal(s.srvversion), '') \
           || ' FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(w.fdwname) \
           || COALESCE(' OPTIONS (' || ",
        options_of!("s.srvoptions"),
        " || ')', ''), pg_catalog.obj_description(s.oid, 'pg_foreign_server') \
         FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw \
         WHERE 'public' = ANY($1::pg_catalog.text[]) AND ",
        not_extension!("s.oid", "pg_catalog.pg_foreign_server"),
        " ORDER BY s.srvname"
    ),
};

/// The user mapping kind: named `FOR role SERVER server` (`FOR PUBLIC ...`).
/// Read through `pg_user_mappings`, which any role may read (its options
/// only where the reader may see them).
pub static USER_MAPPING: Spec = Spec {
    keyword: "USER MAPPING",
    signature: Signature::Foreign,
    options: &[
        OptionSpec { name: "SERVER", aliases: &[], value: Value::Object(GenericKind::Server), default: None },
        OptionSpec { name: "OPTIONS", aliases: &[], value: Value::Text, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // pg_user_mapping is not readable by every role; a mapping needs a server.
    stored_in: StoredIn { table: "pg_foreign_server", oid: "oid" },
    catalog_query: concat!(
        "SELECT 'CREATE USER MAPPING FOR ' \
           || CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(m.usename) END \
           || ' SERVER ' || pg_catalog.quote_ident(m.srvname) \
           || COALESCE(' OPTIONS (' || ",
        options_of!("m.umoptions"),
        " || ')', ''), NULL::text \
         FROM pg_catalog.pg_user_mappings m \
         WHERE 'public' = ANY($1::pg_catalog.text[]) \
         ORDER BY m.srvname, m.usename"
    ),
};

/// The foreign table kind.
pub static TABLE: Spec = Spec {
    keyword: "FOREIGN TABLE",
    signature: Signature::Foreign,
    options: &[
        OptionSpec { name: "SERVER", aliases: &[], value: Value::Object(GenericKind::Server), default: None },
        OptionSpec { name: "OPTIONS", aliases: &[], value: Value::Text, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_foreign_table", oid: "ftrelid" },
    catalog_query: concat!(
        "SELECT 'CREATE FOREIGN TABLE ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) \
           || ' (' || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' \
                 || pg_catalog.format_type(a.atttypid, a.atttypmod) \
                 || COALESCE(' OPTIONS (' || ",
        options_of!("a.attfdwoptions"),
        " || ')', '') \
                 || CASE WHEN a.attcollation <> t.typcollation THEN \
                      (SELECT ' COLLATE ' || pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) \
                       FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
                       WHERE co.oid = a.attcollation) ELSE '' END \
                 || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END \
                 || COALESCE(' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum) \
               FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
               LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') \
           || ') SERVER ' || pg_catalog.quote_ident(s.srvname) \
           || COALESCE(' OPTIONS (' || ",
        options_of!("f.ftoptions"),
        " || ')', ''), pg_catalog.obj_description(c.oid, 'pg_class') \
         FROM pg_catalog.pg_foreign_table f JOIN pg_catalog.pg_class c ON c.oid = f.ftrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_foreign_server s ON s.oid = f.ftserver \
         WHERE n.nspname = ANY($1) AND ",
        not_extension!("c.oid", "pg_catalog.pg_class"),
        " ORDER BY n.nspname, c.relname"
    ),
};

/// `OPTIONS (...)` after a space, when there are options.
fn options(o: &Object) -> String {
    o.option("OPTIONS").map(|v| format!(" OPTIONS ({v})")).unwrap_or_default()
}

/// The `CREATE` statement of a foreign data object, in the form the catalog
/// query prints.
pub(super) fn definition(o: &Object) -> String {
    let keyword = o.kind.spec().keyword;
    match o.kind {
        GenericKind::ForeignDataWrapper => {
            let handler = o.option("HANDLER").map(|f| format!(" HANDLER {f}")).unwrap_or_default();
            let validator = o.option("VALIDATOR").map(|f| format!(" VALIDATOR {f}")).unwrap_or_default();
            format!("CREATE {keyword} {}{handler}{validator}{}", o.identity, options(o))
        }
        GenericKind::Server => {
            let ty = o.option("TYPE").map(|t| format!(" TYPE {t}")).unwrap_or_default();
            let version = o.option("VERSION").map(|v| format!(" VERSION {v}")).unwrap_or_default();
            let wrapper = o.option("WRAPPER").unwrap_or_default();
            format!("CREATE {keyword} {}{ty}{version} FOREIGN DATA WRAPPER {wrapper}{}", o.identity, options(o))
        }
        GenericKind::ForeignTable => {
            let mut columns: Vec<String> = Vec::new();
            for (k, v) in &o.options {
                match (k.as_str(), columns.last_mut()) {
                    ("column", _) => columns.push(v.clone()),
                    ("column options", Some(c)) => c.push_str(&format!(" OPTIONS ({v})")),
                    ("column rest", Some(c)) => c.push_str(&format!(" {v}")),
                    _ => {}
                }
            }
            let server = o.option("SERVER").unwrap_or_default();
            format!("CREATE {keyword} {} ({}) SERVER {server}{}", o.identity, columns.join(", "), options(o))
        }
        _ => format!("CREATE {keyword} {}{}", o.identity, options(o)),
    }
}
