//! `CREATE OPERATOR`: no `OR REPLACE` (`ALTER OPERATOR` sets only some
//! options), so a changed one is dropped and created again. Identity is its
//! symbol and argument types; options in the order pg_dump prints them.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The operator kind.
pub static SPEC: Spec = Spec {
    keyword: "OPERATOR",
    signature: Signature::Operator,
    options: &[
        OptionSpec { name: "FUNCTION", aliases: &["PROCEDURE"], value: Value::Function, default: None },
        OptionSpec { name: "LEFTARG", aliases: &[], value: Value::Type, default: None },
        OptionSpec { name: "RIGHTARG", aliases: &[], value: Value::Type, default: None },
        OptionSpec { name: "COMMUTATOR", aliases: &[], value: Value::Operator, default: None },
        OptionSpec { name: "NEGATOR", aliases: &[], value: Value::Operator, default: None },
        OptionSpec { name: "MERGES", aliases: &[], value: Value::Flag, default: None },
        OptionSpec { name: "RESTRICT", aliases: &[], value: Value::Function, default: None },
        OptionSpec { name: "JOIN", aliases: &[], value: Value::Function, default: None },
        OptionSpec { name: "HASHES", aliases: &[], value: Value::Flag, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // Shell operators (no function yet, made by a COMMUTATOR naming an
    // operator not created yet) are not objects of their own.
    stored_in: StoredIn { table: "pg_operator", oid: "oid" },
    catalog_query: "SELECT 'CREATE OPERATOR ' || pg_catalog.quote_ident(n.nspname) || '.' || o.oprname || ' (' || \
        pg_catalog.concat_ws(', ', \
          'FUNCTION = ' || o.oprcode::pg_catalog.regproc::text, \
          CASE WHEN o.oprleft <> 0 THEN 'LEFTARG = ' || pg_catalog.format_type(o.oprleft, NULL) END, \
          CASE WHEN o.oprright <> 0 THEN 'RIGHTARG = ' || pg_catalog.format_type(o.oprright, NULL) END, \
          (SELECT 'COMMUTATOR = OPERATOR(' || pg_catalog.quote_ident(xn.nspname) || '.' || x.oprname || ')' \
             FROM pg_catalog.pg_operator x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.oprnamespace \
             WHERE x.oid = o.oprcom), \
          (SELECT 'NEGATOR = OPERATOR(' || pg_catalog.quote_ident(xn.nspname) || '.' || x.oprname || ')' \
             FROM pg_catalog.pg_operator x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.oprnamespace \
             WHERE x.oid = o.oprnegate), \
          CASE WHEN o.oprcanmerge THEN 'MERGES' END, \
          CASE WHEN o.oprrest <> 0 THEN 'RESTRICT = ' || o.oprrest::pg_catalog.regproc::text END, \
          CASE WHEN o.oprjoin <> 0 THEN 'JOIN = ' || o.oprjoin::pg_catalog.regproc::text END, \
          CASE WHEN o.oprcanhash THEN 'HASHES' END) || ')', \
        pg_catalog.obj_description(o.oid, 'pg_operator') \
      FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace \
      WHERE n.nspname = ANY($1) AND o.oprcode <> 0 \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = o.oid \
                        AND d.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND d.deptype = 'e') \
      ORDER BY n.nspname, o.oprname, o.oprleft, o.oprright",
};
