//! An independent judge of a database's user schema.
//!
//! [`snapshot`] describes the schema as sorted text lines, one fact per line,
//! read only through PostgreSQL's own catalogs and deparsing functions
//! (`format_type`, `pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`,
//! `pg_get_viewdef`, `pg_get_functiondef`, `pg_get_triggerdef`,
//! `pg_identify_object`). It deliberately shares no code with pgstate, so two
//! databases with equal snapshots hold the same schema as far as these facts go.
//!
//! Left out: `pg_catalog`, `information_schema`, `pg_toast*`, `pg_temp*`, and
//! every object that belongs to an extension (pg_depend deptype `e`), plus
//! the things that belong to such objects (their columns, indexes, ...).
//! Privileges are described only by [`snapshot_lines_with_roles`], for the
//! grantees it is given (the roles a run manages).
//! Not described: owners, other roles' privileges, RLS policies, statistics, tablespaces,
//! Not described: owners, privileges, statistics, tablespaces,
//! storage parameters, sequence values, and column order (columns are keyed
//! by name).
//!
//! Lines (`<s>` schema, `<t>` table; all names unquoted; the session runs
//! with `search_path = pg_catalog`, so deparsed expressions name every user
//! object with its schema):
//!
//! ```text
//! schema <s>
//! extension <name>
//! table <s>.<t> persistence=<p|u|t> kind=<r|p|v|m|f|c>
//! partition_key <s>.<t> <pg_get_partkeydef>
//! partition <s>.<t> of=<s>.<parent> <pg_get_expr(relpartbound)>
//! inherits <s>.<t> <n> <s>.<parent>   (INHERITS, n = position in the list)
//! column <s>.<t>.<col> type=<format_type> notnull=<bool> default=<expr> identity=<a|d|> generated=<s|v|> collation=<name if not the type's>
//! identity_sequence <s>.<t>.<col> type=.. start=.. increment=.. min=.. max=.. cache=.. cycle=..
//! constraint <s>.<t> <conname> <pg_get_constraintdef>
//! index <s>.<index> <pg_get_indexdef>            (only indexes not backing a PK/UNIQUE/EXCLUDE constraint)
//! sequence <s>.<name> type=.. start=.. increment=.. min=.. max=.. cache=.. cycle=.. owned_by=<s>.<t>.<col>|
//! enum <s>.<name> 'label1', 'label2', ...         (in enumsortorder order)
//! domain <s>.<name> type=<format_type> notnull=<bool> default=<expr> collation=<name if not the base type's>
//! constraint <s>.<domain> <conname> <pg_get_constraintdef>
//! range <s>.<name> subtype=<format_type> opclass=<name> collation=<name> canonical=<regproc> diff=<regproc> multirange=<s>.<name>
//! view <s>.<name> <pg_get_viewdef>                (views and materialized views)
//! function <s>.<name>(<identity args>) <pg_get_functiondef>   (functions and procedures)
//! trigger <s>.<t> <name> <pg_get_triggerdef>
//! row_security <s>.<t> enabled=<bool> forced=<bool>   (only tables with either set)
//! policy <s>.<t> <name> permissive=<bool> cmd=<r|a|w|d|*> roles=<sorted, PUBLIC for 0> using=<expr> check=<expr>
//! comment <pg_identify_object type> <identity> <text>
//! acl <pg_identify_object type> <identity> <grantee|PUBLIC> <privilege> grantable=<bool>
//!     (relacl, attacl, nspacl, typacl, proacl; a NULL ACL read as acldefault)
//! default_acl <role> <schema|-> <objtype r|S|f|T|n> <grantee|PUBLIC> <privilege> grantable=<bool>
//! ```
//!
//! Backslashes, newlines and carriage returns inside a line are written as
//! `\\`, `\n`, `\r`, so every fact is exactly one line.

use super::pg::Db;

/// The query behind [`snapshot`]: one row per fact, unsorted, not escaped.
const SNAPSHOT_SQL: &str = r#"
SET search_path = pg_catalog;
WITH
ext AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
ns AS (
  SELECT n.oid, n.nspname
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
    AND n.nspname !~ '^pg_temp_'
    AND (n.oid, 'pg_namespace'::regclass) NOT IN (SELECT objid, classid FROM ext)
),
rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relispartition,
         c.relpartbound, c.relrowsecurity, c.relforcerowsecurity, n.nspname
  FROM pg_class c
  JOIN ns n ON n.oid = c.relnamespace
  WHERE (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM ext)
),
tbl AS (
  SELECT * FROM rel WHERE relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
),
typ AS (
  SELECT t.*, n.nspname
  FROM pg_type t
  JOIN ns n ON n.oid = t.typnamespace
  WHERE (t.oid, 'pg_type'::regclass) NOT IN (SELECT objid, classid FROM ext)
),
coll AS (
  SELECT co.oid,
         CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
              ELSE cn.nspname || '.' || co.collname END AS name
  FROM pg_collation co
  JOIN pg_namespace cn ON cn.oid = co.collnamespace
),
seqdesc AS (
  SELECT s.seqrelid,
         format('type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s',
                format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                s.seqmin, s.seqmax, s.seqcache, s.seqcycle::text) AS d
  FROM pg_sequence s
),
lines(l) AS (
  SELECT format('schema %s', nspname) FROM ns

  UNION ALL
  SELECT format('extension %s', e.extname) FROM pg_extension e

  UNION ALL
  SELECT format('table %s.%s persistence=%s kind=%s',
                nspname, relname, relpersistence, relkind)
  FROM tbl

  UNION ALL
  SELECT format('partition_key %s.%s %s', nspname, relname, pg_get_partkeydef(oid))
  FROM tbl WHERE relkind = 'p'

  UNION ALL
  SELECT format('partition %s.%s of=%s.%s %s', t.nspname, t.relname,
                pn.nspname, pc.relname, pg_get_expr(t.relpartbound, t.oid))
  FROM tbl t
  JOIN pg_inherits i ON i.inhrelid = t.oid
  JOIN pg_class pc ON pc.oid = i.inhparent
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  WHERE t.relispartition

  UNION ALL
  SELECT format('inherits %s.%s %s %s.%s', t.nspname, t.relname, i.inhseqno, pn.nspname, pc.relname)
  FROM tbl t
  JOIN pg_inherits i ON i.inhrelid = t.oid
  JOIN pg_class pc ON pc.oid = i.inhparent
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  WHERE NOT t.relispartition

  UNION ALL
  SELECT format('column %s.%s.%s type=%s notnull=%s default=%s identity=%s generated=%s collation=%s',
                t.nspname, t.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull::text,
                pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation
                     THEN (SELECT name FROM coll WHERE coll.oid = a.attcollation) END)
  FROM tbl t
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type ty ON ty.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum

  UNION ALL
  SELECT format('identity_sequence %s.%s.%s %s', t.nspname, t.relname, a.attname, sd.d)
  FROM pg_depend d
  JOIN tbl t ON t.oid = d.refobjid
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  JOIN seqdesc sd ON sd.seqrelid = d.objid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.deptype = 'i'

  UNION ALL
  SELECT format('constraint %s.%s %s %s', t.nspname, t.relname, co.conname,
                pg_get_constraintdef(co.oid))
  FROM pg_constraint co
  JOIN tbl t ON t.oid = co.conrelid

  UNION ALL
  SELECT format('index %s.%s %s', ix.nspname, ix.relname, pg_get_indexdef(ix.oid))
  FROM rel ix
  JOIN pg_index i ON i.indexrelid = ix.oid
  JOIN tbl t ON t.oid = i.indrelid
  WHERE ix.relkind IN ('i', 'I')
    AND NOT EXISTS (SELECT 1 FROM pg_constraint co
                    WHERE co.conindid = ix.oid AND co.conrelid = i.indrelid
                      AND co.contype IN ('p', 'u', 'x'))

  UNION ALL
  SELECT format('sequence %s.%s %s owned_by=%s', s.nspname, s.relname, sd.d,
                (SELECT format('%s.%s.%s', t.nspname, t.relname, a.attname)
                 FROM pg_depend d
                 JOIN tbl t ON t.oid = d.refobjid
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
                   AND d.refobjsubid > 0
                 ORDER BY 1 LIMIT 1))
  FROM rel s
  JOIN seqdesc sd ON sd.seqrelid = s.oid
  WHERE s.relkind = 'S'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                      AND d.deptype = 'i')

  UNION ALL
  SELECT format('enum %s.%s %s', t.nspname, t.typname,
                (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                 FROM pg_enum e WHERE e.enumtypid = t.oid))
  FROM typ t WHERE t.typtype = 'e'

  UNION ALL
  SELECT format('domain %s.%s type=%s notnull=%s default=%s collation=%s',
                t.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),
                t.typnotnull::text, pg_get_expr(t.typdefaultbin, 0),
                CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation
                     THEN (SELECT name FROM coll WHERE coll.oid = t.typcollation) END)
  FROM typ t
  JOIN pg_type bt ON bt.oid = t.typbasetype
  WHERE t.typtype = 'd'

  UNION ALL
  SELECT format('constraint %s.%s %s %s', t.nspname, t.typname, co.conname,
                pg_get_constraintdef(co.oid))
  FROM pg_constraint co
  JOIN typ t ON t.oid = co.contypid

  UNION ALL
  SELECT format('range %s.%s subtype=%s opclass=%s.%s collation=%s canonical=%s diff=%s multirange=%s.%s',
                t.nspname, t.typname, format_type(r.rngsubtype, NULL), ocn.nspname, opc.opcname,
                (SELECT name FROM coll WHERE coll.oid = r.rngcollation),
                r.rngcanonical::text, r.rngsubdiff::text, mn.nspname, mt.typname)
  FROM pg_range r
  JOIN typ t ON t.oid = r.rngtypid
  JOIN pg_opclass opc ON opc.oid = r.rngsubopc
  JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace
  -- Multiranges came with PostgreSQL 14.
  LEFT JOIN pg_type mt ON mt.oid = (to_jsonb(r)->>'rngmultitypid')::oid
  LEFT JOIN pg_namespace mn ON mn.oid = mt.typnamespace

  UNION ALL
  SELECT format('view %s.%s %s', nspname, relname, pg_get_viewdef(oid))
  FROM tbl WHERE relkind IN ('v', 'm')

  UNION ALL
  SELECT format('function %s.%s(%s) %s', n.nspname, p.proname,
                pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid))
  FROM pg_proc p
  JOIN ns n ON n.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p')
    AND (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM ext)

  UNION ALL
  SELECT format('trigger %s.%s %s %s', t.nspname, t.relname, tg.tgname,
                pg_get_triggerdef(tg.oid))
  FROM pg_trigger tg
  JOIN tbl t ON t.oid = tg.tgrelid
  WHERE NOT tg.tgisinternal

  UNION ALL
  SELECT format('row_security %s.%s enabled=%s forced=%s', nspname, relname,
                relrowsecurity::text, relforcerowsecurity::text)
  FROM tbl WHERE relrowsecurity OR relforcerowsecurity

  UNION ALL
  SELECT format('policy %s.%s %s permissive=%s cmd=%s roles=%s using=%s check=%s',
                t.nspname, t.relname, p.polname, p.polpermissive::text, p.polcmd,
                (SELECT string_agg(r.name, ',' ORDER BY r.name)
                 FROM (SELECT CASE WHEN x = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x)::text END AS name
                       FROM unnest(p.polroles) AS x) r),
                pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p
  JOIN tbl t ON t.oid = p.polrelid

  UNION ALL
  SELECT format('comment %s %s %s', o.type, o.identity, d.description)
  FROM pg_description d
  CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
  WHERE d.classoid <> 'pg_extension'::regclass
    AND (d.objoid, d.classoid) NOT IN (SELECT objid, classid FROM ext)
    AND CASE
          WHEN d.classoid = 'pg_namespace'::regclass
            THEN d.objoid IN (SELECT oid FROM ns)
          WHEN d.classoid = 'pg_class'::regclass
            THEN d.objoid IN (SELECT oid FROM rel)
          WHEN d.classoid = 'pg_constraint'::regclass
            THEN EXISTS (SELECT 1 FROM pg_constraint co
                         WHERE co.oid = d.objoid
                           AND (co.conrelid IN (SELECT oid FROM tbl)
                                OR co.contypid IN (SELECT oid FROM typ)))
          WHEN d.classoid = 'pg_trigger'::regclass
            THEN EXISTS (SELECT 1 FROM pg_trigger tg
                         WHERE tg.oid = d.objoid AND tg.tgrelid IN (SELECT oid FROM tbl))
          WHEN d.classoid = 'pg_policy'::regclass
            THEN EXISTS (SELECT 1 FROM pg_policy po
                         WHERE po.oid = d.objoid AND po.polrelid IN (SELECT oid FROM tbl))
          ELSE o.schema IN (SELECT nspname FROM ns)
        END
)
SELECT replace(replace(replace(l, '\', '\\'), E'\n', '\n'), E'\r', '\r')
FROM lines
WHERE l IS NOT NULL;
"#;

/// The privileges of the grantees in `$ROLES` (a text array; `PUBLIC` for
/// PUBLIC) on the objects the snapshot describes, and their default privileges.
const ACL_SQL: &str = r#"
SET search_path = pg_catalog;
WITH
roles(name) AS (SELECT unnest($ROLES::text[])),
ext AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
ns AS (
  SELECT n.oid, n.nspname, n.nspacl, n.nspowner
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
    AND n.nspname !~ '^pg_temp_'
    AND (n.oid, 'pg_namespace'::regclass) NOT IN (SELECT objid, classid FROM ext)
),
acl(classid, objid, subid, acl) AS (
  SELECT 'pg_namespace'::regclass, oid, 0, coalesce(nspacl, acldefault('n', nspowner)) FROM ns
  UNION ALL
  SELECT 'pg_class'::regclass, c.oid, 0,
         coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM ext)
  UNION ALL
  SELECT 'pg_class'::regclass, c.oid, a.attnum, a.attacl
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
    AND (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM ext)
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid, 0, coalesce(t.typacl, acldefault('T', t.typowner))
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd', 'r', 'm')
     OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, 0, coalesce(p.proacl, acldefault('f', p.proowner))
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM ext)
),
lines(l) AS (
  SELECT format('acl %s %s %s %s grantable=%s', o.type, o.identity,
                CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END,
                x.privilege_type, x.is_grantable::text)
  FROM acl
  CROSS JOIN LATERAL aclexplode(acl.acl) x
  CROSS JOIN LATERAL pg_identify_object(acl.classid, acl.objid, acl.subid) o
  WHERE CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END IN (SELECT name FROM roles)

  UNION ALL
  SELECT format('default_acl %s %s %s %s %s grantable=%s', pg_get_userbyid(d.defaclrole),
                coalesce(n.nspname, '-'), d.defaclobjtype,
                CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END,
                x.privilege_type, x.is_grantable::text)
  FROM pg_default_acl d
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  CROSS JOIN LATERAL aclexplode(d.defaclacl) x
  WHERE CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END IN (SELECT name FROM roles)
)
SELECT replace(replace(replace(l, '\', '\\'), E'\n', '\n'), E'\r', '\r')
FROM lines
WHERE l IS NOT NULL;
"#;

fn query_lines(db: &Db, sql: &str) -> Vec<String> {
    // The same reading of string literals whatever the database's default.
    let out = match db.psql(&format!("SET standard_conforming_strings = on;\n{sql}")) {
        Ok(out) => out,
        Err(e) => panic!("catalog snapshot of database {} failed: {e}", db.name),
    };
    out.split('\n').filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// The sorted facts describing `db`'s user schema (see the module docs).
/// Panics if the catalog queries fail.
pub fn snapshot_lines(db: &Db) -> Vec<String> {
    snapshot_lines_with_roles(db, &[])
}

/// [`snapshot_lines`] plus the privileges of `roles` (`PUBLIC` for PUBLIC).
pub fn snapshot_lines_with_roles(db: &Db, roles: &[String]) -> Vec<String> {
    let mut lines = query_lines(db, SNAPSHOT_SQL);
    if !roles.is_empty() {
        let array = format!(
            "ARRAY[{}]",
            roles.iter().map(|r| format!("'{}'", r.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
        );
        lines.extend(query_lines(db, &ACL_SQL.replace("$ROLES", &array)));
    }
    lines.sort();
    lines
}

/// [`snapshot_lines`] joined by `'\n'`.
pub fn snapshot(db: &Db) -> String {
    snapshot_lines(db).join("\n")
}

/// Merges two sorted line lists: `("  ", l)` in both, `("- ", l)` only in
/// `a`, `("+ ", l)` only in `b` (multiset semantics).
pub fn diff_lines<'x>(a: &'x [String], b: &'x [String]) -> Vec<(&'static str, &'x str)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i] < b[j]) {
            out.push(("- ", a[i].as_str()));
            i += 1;
        } else if i == a.len() || b[j] < a[i] {
            out.push(("+ ", b[j].as_str()));
            j += 1;
        } else {
            out.push(("  ", a[i].as_str()));
            i += 1;
            j += 1;
        }
    }
    out
}

/// Panics with a line diff (`-` only in `a`, `+` only in `b`) unless both
/// databases have the same [`snapshot`].
pub fn assert_same_catalog(a: &Db, b: &Db) {
    let la = snapshot_lines(a);
    let lb = snapshot_lines(b);
    if la == lb {
        return;
    }
    let mut msg = format!("catalogs differ\n--- {} (a)\n+++ {} (b)\n", a.name, b.name);
    let diff = diff_lines(&la, &lb);
    let (mut only_a, mut only_b) = (0, 0);
    for (tag, line) in &diff {
        match *tag {
            "- " => only_a += 1,
            "+ " => only_b += 1,
            _ => continue,
        }
        msg.push_str(tag);
        msg.push_str(line);
        msg.push('\n');
    }
    msg.push_str(&format!(
        "({only_a} line(s) only in a, {only_b} only in b, {} in both)",
        diff.len() - only_a - only_b
    ));
    panic!("{msg}");
}
