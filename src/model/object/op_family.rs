//! `CREATE OPERATOR FAMILY name USING method`: a family groups operator
//! classes and holds "loose" operators and support functions of its own,
//! which pg_dump writes as one `ALTER OPERATOR FAMILY ... ADD` after the
//! `CREATE`. Those loose members are part of its canonical definition
//! (`Object::mappings`, as `op_class` spells members), and a change of them
//! is an `ALTER ... ADD / DROP` (dropping the family would take its classes
//! along). A class created without `FAMILY` makes a family of its own name:
//! the parser adds that family to the desired state (`parse::op_class::settle`),
//! as the catalog and pg_dump show it. Managed: those of the managed schemas
//! not made by an extension.

use super::{Object, Signature, Spec, StoredIn};

/// The operator family kind.
pub static SPEC: Spec = Spec {
    keyword: "OPERATOR FAMILY",
    signature: Signature::Using,
    options: &[],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // The loose members (tied to the family, not to one of its classes, in
    // pg_depend) follow the CREATE as the ALTER pg_dump writes; the comment too.
    stored_in: StoredIn { table: "pg_opfamily", oid: "oid" },
    catalog_query: "SELECT 'CREATE OPERATOR FAMILY ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(f.opfname) || ' USING ' || pg_catalog.quote_ident(a.amname) \
          || COALESCE(';' || pg_catalog.chr(10) || 'ALTER OPERATOR FAMILY ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(f.opfname) || ' USING ' || pg_catalog.quote_ident(a.amname) || ' ADD ' \
          || NULLIF(pg_catalog.concat_ws(', ', \
            (SELECT pg_catalog.string_agg('OPERATOR ' || o.amopstrategy || ' ' || o.amopopr::pg_catalog.regoperator::text \
                 || COALESCE(' FOR ORDER BY ' || pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname), ''), \
                 ', ' ORDER BY o.amopstrategy, o.amoplefttype, o.amoprighttype) \
               FROM pg_catalog.pg_amop o JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass \
                 AND d.objid = o.oid AND d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND d.refobjid = f.oid \
               LEFT JOIN pg_catalog.pg_opfamily sf ON sf.oid = o.amopsortfamily \
               LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace), \
            (SELECT pg_catalog.string_agg('FUNCTION ' || p.amprocnum || ' (' || pg_catalog.format_type(p.amproclefttype, NULL) \
                 || ', ' || pg_catalog.format_type(p.amprocrighttype, NULL) || ') ' || p.amproc::pg_catalog.regprocedure::text, \
                 ', ' ORDER BY p.amprocnum, p.amproclefttype, p.amprocrighttype) \
               FROM pg_catalog.pg_amproc p JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass \
                 AND d.objid = p.oid AND d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND d.refobjid = f.oid)), ''), '') \
          || COALESCE(';' || pg_catalog.chr(10) || 'COMMENT ON OPERATOR FAMILY ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(f.opfname) || ' USING ' || pg_catalog.quote_ident(a.amname) || ' IS ' \
          || pg_catalog.quote_literal(pg_catalog.obj_description(f.oid, 'pg_opfamily')), ''), \
        NULL::text \
      FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace \
      JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = f.oid \
                        AND x.classid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, f.opfname, a.amname",
};

/// `ALTER OPERATOR FAMILY ... DROP` of the members `new` lacks (or has
/// otherwise), then `... ADD` of those it gains.
pub(super) fn alter(old: &Object, new: &Object) -> Vec<String> {
    let gone: Vec<&str> = old
        .mappings
        .iter()
        .filter(|m| !new.mappings.contains(*m))
        .filter_map(|(_, k)| k.first().map(String::as_str))
        .collect();
    let added: Vec<&str> =
        new.mappings.iter().filter(|m| !old.mappings.contains(*m)).map(|(text, _)| text.as_str()).collect();
    let mut out = Vec::new();
    if !gone.is_empty() {
        out.push(format!("ALTER OPERATOR FAMILY {} DROP {}", new.identity, gone.join(", ")));
    }
    if !added.is_empty() {
        out.push(format!("ALTER OPERATOR FAMILY {} ADD {}", new.identity, added.join(", ")));
    }
    out
}
