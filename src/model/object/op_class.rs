//! `CREATE OPERATOR CLASS name [DEFAULT] FOR TYPE t USING method [FAMILY f]
//! AS member, ...`: named `schema.name USING method`; no `OR REPLACE`, no
//! `ALTER` of its members, so a changed one is dropped and created again
//! (PostgreSQL refuses while an index uses it: the hazard says so). Its
//! options are `DEFAULT`, `FOR TYPE`, `FAMILY` (left out when it is the
//! class's own name, as pg_dump does) and `STORAGE` (left out when it is the
//! type itself, as PostgreSQL keeps it). Its members are `Object::mappings`:
//! (the clause as pg_dump prints it with types spelled by PostgreSQL and the
//! operand types always written, [the `DROP` form a family's `ALTER` takes,
//! the operator's identity or empty]), sorted operators first by strategy,
//! then functions by support number. Families (`op_family`) share this form.

use super::{GenericKind, Object, ObjectId, OptionSpec, Signature, Spec, StoredIn, Value};

/// The operator class kind.
pub static SPEC: Spec = Spec {
    keyword: "OPERATOR CLASS",
    signature: Signature::Using,
    options: &[
        OptionSpec { name: "DEFAULT", aliases: &[], value: Value::Flag, default: None },
        OptionSpec { name: "FOR TYPE", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "FAMILY", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "STORAGE", aliases: &[], value: Value::Text, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // Members tied to the class in pg_depend, as pg_dump prints them; the comment follows.
    stored_in: StoredIn { table: "pg_opclass", oid: "oid" },
    catalog_query: "SELECT 'CREATE OPERATOR CLASS ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(c.opcname) || CASE WHEN c.opcdefault THEN ' DEFAULT' ELSE '' END \
          || ' FOR TYPE ' || pg_catalog.format_type(c.opcintype, NULL) || ' USING ' || pg_catalog.quote_ident(a.amname) \
          || CASE WHEN f.opfname <> c.opcname OR f.opfnamespace <> c.opcnamespace THEN ' FAMILY ' \
               || pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname) ELSE '' END \
          || ' AS ' || COALESCE(NULLIF(pg_catalog.concat_ws(', ', \
            CASE WHEN c.opckeytype <> 0 THEN 'STORAGE ' || pg_catalog.format_type(c.opckeytype, NULL) END, \
            (SELECT pg_catalog.string_agg('OPERATOR ' || o.amopstrategy || ' ' || o.amopopr::pg_catalog.regoperator::text \
                 || COALESCE(' FOR ORDER BY ' || pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname), ''), \
                 ', ' ORDER BY o.amopstrategy) \
               FROM pg_catalog.pg_amop o JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass \
                 AND d.objid = o.oid AND d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND d.refobjid = c.oid \
               LEFT JOIN pg_catalog.pg_opfamily sf ON sf.oid = o.amopsortfamily \
               LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace), \
            (SELECT pg_catalog.string_agg('FUNCTION ' || p.amprocnum || ' (' || pg_catalog.format_type(p.amproclefttype, NULL) \
                 || ', ' || pg_catalog.format_type(p.amprocrighttype, NULL) || ') ' || p.amproc::pg_catalog.regprocedure::text, \
                 ', ' ORDER BY p.amprocnum) \
               FROM pg_catalog.pg_amproc p JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass \
                 AND d.objid = p.oid AND d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND d.refobjid = c.oid)), ''), \
            'STORAGE ' || pg_catalog.format_type(c.opcintype, NULL)) \
          || COALESCE(';' || pg_catalog.chr(10) || 'COMMENT ON OPERATOR CLASS ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(c.opcname) || ' USING ' || pg_catalog.quote_ident(a.amname) || ' IS ' \
          || pg_catalog.quote_literal(pg_catalog.obj_description(c.oid, 'pg_opclass')), ''), \
        NULL::text \
      FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace \
      JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod \
      JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = c.oid \
                        AND x.classid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, c.opcname, a.amname",
};

/// `CREATE OPERATOR CLASS` / `CREATE OPERATOR FAMILY`.
pub(super) fn definition(o: &Object) -> String {
    if o.kind == GenericKind::OperatorFamily {
        return format!("CREATE OPERATOR FAMILY {}", o.identity);
    }
    let (name, method) = o.identity.split_once(" USING ").unwrap_or((&o.identity, ""));
    let default = if o.option("DEFAULT").is_some() { " DEFAULT" } else { "" };
    let ty = o.option("FOR TYPE").unwrap_or_default();
    let family = o.option("FAMILY").map(|f| format!(" FAMILY {f}")).unwrap_or_default();
    let mut items: Vec<String> = o.option("STORAGE").map(|s| format!("STORAGE {s}")).into_iter().collect();
    items.extend(o.mappings.iter().map(|(m, _)| m.clone()));
    if items.is_empty() {
        items.push(format!("STORAGE {ty}"));
    }
    format!("CREATE OPERATOR CLASS {name}{default} FOR TYPE {ty} USING {method}{family} AS {}", items.join(", "))
}

/// A family's `CREATE`, then its loose members' `ALTER ... ADD`; a class's `CREATE`.
pub(super) fn statements(o: &Object, mut out: Vec<String>) -> Vec<String> {
    if o.kind == GenericKind::OperatorFamily && !o.mappings.is_empty() {
        let members: Vec<&str> = o.mappings.iter().map(|(m, _)| m.as_str()).collect();
        out.push(format!("ALTER OPERATOR FAMILY {} ADD {}", o.identity, members.join(", ")));
    }
    out
}

/// The generic objects a class or family uses: a class its family (named,
/// or its own name), both the operators of their members.
pub(super) fn uses(o: &Object) -> Vec<ObjectId> {
    let mut out = Vec::new();
    if o.kind == GenericKind::OperatorClass {
        let (name, method) = o.identity.split_once(" USING ").unwrap_or((&o.identity, ""));
        let family = o.option("FAMILY").unwrap_or(name);
        out.push(ObjectId { kind: GenericKind::OperatorFamily, identity: format!("{family} USING {method}") });
    }
    for (_, known) in &o.mappings {
        if let Some(op) = known.get(1).filter(|op| op.split(" (").next().is_some_and(|n| n.contains('.'))) {
            out.push(ObjectId { kind: GenericKind::Operator, identity: op.clone() });
        }
    }
    out
}
