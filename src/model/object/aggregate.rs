//! `CREATE AGGREGATE` (ordinary aggregates): `CREATE OR REPLACE` (PostgreSQL
//! 12+) where the state type and final function stay, which keep its result
//! type; else dropped and created again. Options in the order pg_dump prints them.

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

const fn opt(name: &'static str, value: Value) -> OptionSpec {
    OptionSpec { name, aliases: &[], value, default: None }
}

/// The aggregate kind.
pub static SPEC: Spec = Spec {
    keyword: "AGGREGATE",
    signature: Signature::Arguments,
    options: &[
        OptionSpec { name: "SFUNC", aliases: &["SFUNC1"], value: Value::Function, default: None },
        OptionSpec { name: "STYPE", aliases: &["STYPE1"], value: Value::Type, default: None },
        OptionSpec { name: "SSPACE", aliases: &[], value: Value::Integer, default: Some("0") },
        opt("FINALFUNC", Value::Function),
        opt("FINALFUNC_EXTRA", Value::Flag),
        OptionSpec { name: "FINALFUNC_MODIFY", aliases: &[], value: Value::Word, default: Some("read_only") },
        opt("COMBINEFUNC", Value::Function),
        opt("SERIALFUNC", Value::Function),
        opt("DESERIALFUNC", Value::Function),
        OptionSpec { name: "INITCOND", aliases: &["INITCOND1"], value: Value::Text, default: None },
        opt("MSFUNC", Value::Function),
        opt("MINVFUNC", Value::Function),
        opt("MSTYPE", Value::Type),
        OptionSpec { name: "MSSPACE", aliases: &[], value: Value::Integer, default: Some("0") },
        opt("MFINALFUNC", Value::Function),
        opt("MFINALFUNC_EXTRA", Value::Flag),
        OptionSpec { name: "MFINALFUNC_MODIFY", aliases: &[], value: Value::Word, default: Some("read_only") },
        opt("MINITCOND", Value::Text),
        opt("SORTOP", Value::Operator),
        OptionSpec { name: "PARALLEL", aliases: &[], value: Value::Word, default: Some("unsafe") },
    ],
    replace_keeps: Some(&["STYPE", "FINALFUNC", "FINALFUNC_EXTRA"]),
    same_pair_is: None,
    other_options: None,
    callable: true,
    stored_in: StoredIn { table: "pg_aggregate", oid: "aggfnoid" },
    catalog_query: "SELECT 'CREATE AGGREGATE ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) \
        || '(' || CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END || ') (' || \
        pg_catalog.concat_ws(', ', \
          'SFUNC = ' || a.aggtransfn::pg_catalog.regproc::text, \
          'STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL), \
          CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END, \
          CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::pg_catalog.regproc::text END, \
          CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END, \
          CASE a.aggfinalmodify WHEN 's' THEN 'FINALFUNC_MODIFY = SHAREABLE' WHEN 'w' THEN 'FINALFUNC_MODIFY = READ_WRITE' END, \
          CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::pg_catalog.regproc::text END, \
          CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::pg_catalog.regproc::text END, \
          CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::pg_catalog.regproc::text END, \
          'INITCOND = ' || pg_catalog.quote_literal(a.agginitval), \
          CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::pg_catalog.regproc::text END, \
          CASE WHEN a.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || a.aggminvtransfn::pg_catalog.regproc::text END, \
          CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) END, \
          CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END, \
          CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::pg_catalog.regproc::text END, \
          CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END, \
          CASE a.aggmfinalmodify WHEN 's' THEN 'MFINALFUNC_MODIFY = SHAREABLE' WHEN 'w' THEN 'MFINALFUNC_MODIFY = READ_WRITE' END, \
          'MINITCOND = ' || pg_catalog.quote_literal(a.aggminitval), \
          (SELECT 'SORTOP = OPERATOR(' || pg_catalog.quote_ident(xn.nspname) || '.' || x.oprname || ')' \
             FROM pg_catalog.pg_operator x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.oprnamespace \
             WHERE x.oid = a.aggsortop), \
          CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END) || ')', \
        pg_catalog.obj_description(p.oid, 'pg_proc') \
      FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid \
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
      WHERE n.nspname = ANY($1) AND a.aggkind = 'n' \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid \
                        AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.deptype = 'e') \
      ORDER BY n.nspname, p.proname, 1",
};
