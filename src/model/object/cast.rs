//! `CREATE CAST (source AS target)`: no schema, no `OR REPLACE`, no `ALTER`;
//! a changed one is dropped and created again. Its options are how it
//! converts (`FUNCTION = schema.f(args)`, `INOUT`, or neither: `WITHOUT
//! FUNCTION`) and its context (`AS = ASSIGNMENT | IMPLICIT`, none: explicit),
//! printed in the statement's own form (`Object::definition`). Managed: the
//! casts made after initdb (oid 16384 and up) whose source or target type or
//! function is in a managed schema, not made by an extension nor by a range
//! type (its cast to its multirange type, an internal dependency). The function
//! is always qualified (`pg_catalog.` too): the file reads it so.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The cast kind.
pub static SPEC: Spec = Spec {
    keyword: "CAST",
    signature: Signature::Cast,
    options: &[
        OptionSpec { name: "FUNCTION", aliases: &[], value: Value::Function, default: None },
        OptionSpec { name: "INOUT", aliases: &[], value: Value::Flag, default: None },
        OptionSpec { name: "AS", aliases: &[], value: Value::Word, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_cast", oid: "oid" },
    catalog_query: "SELECT 'CREATE CAST (' || pg_catalog.format_type(c.castsource, NULL) || ' AS ' \
          || pg_catalog.format_type(c.casttarget, NULL) || ') ' || CASE c.castmethod \
            WHEN 'f' THEN 'WITH FUNCTION ' || pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname) \
                 || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' \
            WHEN 'i' THEN 'WITH INOUT' ELSE 'WITHOUT FUNCTION' END \
          || CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END, \
        pg_catalog.obj_description(c.oid, 'pg_cast') \
      FROM pg_catalog.pg_cast c \
      JOIN pg_catalog.pg_type st ON st.oid = c.castsource JOIN pg_catalog.pg_namespace sn ON sn.oid = st.typnamespace \
      JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget JOIN pg_catalog.pg_namespace tn ON tn.oid = tt.typnamespace \
      LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc \
      LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
      WHERE c.oid >= 16384 AND (sn.nspname = ANY($1) OR tn.nspname = ANY($1) OR pn.nspname = ANY($1)) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = c.oid \
                        AND x.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND x.deptype IN ('e', 'i')) \
      ORDER BY 1",
};
