//! `CREATE PUBLICATION name [FOR ALL TABLES | FOR member, ...] [WITH (...)]`:
//! a name without a schema. pg_dump writes its tables and schemas as one
//! `ALTER PUBLICATION ... ADD TABLE ONLY t [(columns)] [WHERE (...)]` or
//! `ADD TABLES IN SCHEMA s` each; they are part of its canonical definition
//! (`Object::mappings`: (`TABLE ONLY schema.t` or `TABLES IN SCHEMA s`, [its
//! column list and `WHERE` clause, when written]), sorted). Options: `FOR ALL
//! TABLES` (`ALL TABLES`), `publish` (the actions in PostgreSQL's order, left
//! out when all four) and `publish_via_partition_root` (left out when false).
//! A change of members or options is an `ALTER PUBLICATION` (dropping it would
//! break its subscriptions); only `FOR ALL TABLES` changed drops and creates it
//! again, and a drop is a hazard. Creating one needs no `wal_level = logical`.
//! Managed: those not made by an extension whose tables are all in managed schemas.

use super::{Object, OptionSpec, Signature, Spec, StoredIn, Value};

/// What `publish` means when not written.
pub const ALL_ACTIONS: [&str; 4] = ["insert", "update", "delete", "truncate"];

/// The publication kind.
pub static SPEC: Spec = Spec {
    keyword: "PUBLICATION",
    signature: Signature::Publication,
    options: &[
        OptionSpec { name: "ALL TABLES", aliases: &[], value: Value::Flag, default: None },
        OptionSpec { name: "publish", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "publish_via_partition_root", aliases: &[], value: Value::Word, default: Some("false") },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // What does not exist on every major (prattrs, row filters, schemas:
    // 15+) is read through to_jsonb, the pg_publication_tables view (the
    // row filter as pg_get_expr prints it) and pg_depend (a schema's membership).
    stored_in: StoredIn { table: "pg_publication", oid: "oid" },
    catalog_query: "SELECT 'CREATE PUBLICATION ' || pg_catalog.quote_ident(p.pubname) \
          || CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE '' END \
          || ' WITH (publish = ' || pg_catalog.quote_literal(pg_catalog.concat_ws(', ', \
               CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END, \
               CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN j->>'pubtruncate' = 'true' THEN 'truncate' END)) \
          || CASE WHEN j->>'pubviaroot' = 'true' THEN ', publish_via_partition_root = true' ELSE '' END || ')' \
          || COALESCE((SELECT pg_catalog.string_agg(';' || pg_catalog.chr(10) || 'ALTER PUBLICATION ' \
                 || pg_catalog.quote_ident(p.pubname) || ' ADD TABLE ONLY ' || pg_catalog.quote_ident(tn.nspname) || '.' \
                 || pg_catalog.quote_ident(t.relname) \
                 || COALESCE(' (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) \
                      FROM pg_catalog.pg_attribute a WHERE a.attrelid = r.prrelid \
                      AND a.attnum::text IN (SELECT pg_catalog.jsonb_array_elements_text(CASE \
                        WHEN pg_catalog.jsonb_typeof(rj->'prattrs') = 'array' THEN rj->'prattrs' ELSE '[]' END))) || ')', '') \
                 || COALESCE(' WHERE (' || (SELECT pg_catalog.to_jsonb(v)->>'rowfilter' FROM pg_catalog.pg_publication_tables v \
                      WHERE v.pubname = p.pubname AND v.schemaname = tn.nspname AND v.tablename = t.relname) || ')', ''), \
                 '' ORDER BY tn.nspname, t.relname) \
             FROM pg_catalog.pg_publication_rel r CROSS JOIN LATERAL pg_catalog.to_jsonb(r) rj \
             JOIN pg_catalog.pg_class t ON t.oid = r.prrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace \
             WHERE r.prpubid = p.oid), '') \
          || COALESCE((SELECT pg_catalog.string_agg(';' || pg_catalog.chr(10) || 'ALTER PUBLICATION ' \
                 || pg_catalog.quote_ident(p.pubname) || ' ADD TABLES IN SCHEMA ' || pg_catalog.quote_ident(sn.nspname), \
                 '' ORDER BY sn.nspname) \
             FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_depend d2 ON d2.classid = d.classid AND d2.objid = d.objid \
               AND d2.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass \
             JOIN pg_catalog.pg_namespace sn ON sn.oid = d2.refobjid \
             WHERE d.refclassid = 'pg_catalog.pg_publication'::pg_catalog.regclass AND d.refobjid = p.oid \
               AND d.classid = (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = 'pg_publication_namespace' \
                                AND c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace)), '') \
          || COALESCE(';' || pg_catalog.chr(10) || 'COMMENT ON PUBLICATION ' || pg_catalog.quote_ident(p.pubname) || ' IS ' \
               || pg_catalog.quote_literal(pg_catalog.obj_description(p.oid, 'pg_publication')), ''), \
        NULL::text \
      FROM pg_catalog.pg_publication p CROSS JOIN LATERAL pg_catalog.to_jsonb(p) j \
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = p.oid \
                        AND x.classid = 'pg_catalog.pg_publication'::pg_catalog.regclass AND x.deptype = 'e') \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_class t ON t.oid = r.prrelid \
                        JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace \
                        WHERE r.prpubid = p.oid AND NOT tn.nspname = ANY($1)) \
      ORDER BY p.pubname",
};

fn members(o: &Object) -> Vec<String> {
    o.mappings.iter().map(|(m, clauses)| [std::slice::from_ref(m), clauses].concat().join(" ")).collect()
}

/// Members as one list, a table after a table without its own `TABLE`
/// keyword: `TABLE ONLY a, ONLY b` is what PostgreSQL 13 and 14 accept
/// (`TABLE a, TABLE b` came with 15).
fn list<S: AsRef<str>>(members: &[S]) -> String {
    let mut out = String::new();
    let mut after_table = false;
    for m in members {
        let m = m.as_ref();
        if !out.is_empty() {
            out.push_str(", ");
        }
        match m.strip_prefix("TABLE ") {
            Some(rest) if after_table => out.push_str(rest),
            _ => out.push_str(m),
        }
        after_table = m.starts_with("TABLE ");
    }
    out
}

/// `CREATE PUBLICATION name [FOR ALL TABLES | FOR members] [WITH (...)]`.
pub(super) fn definition(o: &Object) -> String {
    let mut out = format!("CREATE PUBLICATION {}", o.identity);
    if o.option("ALL TABLES").is_some() {
        out.push_str(" FOR ALL TABLES");
    } else if !o.mappings.is_empty() {
        out.push_str(&format!(" FOR {}", list(&members(o))));
    }
    let with: Vec<String> =
        o.options.iter().filter(|(k, _)| k != "ALL TABLES").map(|(k, v)| format!("{k} = {v}")).collect();
    if !with.is_empty() {
        out.push_str(&format!(" WITH ({})", with.join(", ")));
    }
    out
}

/// Everything but `FOR ALL TABLES` can be altered.
pub(super) fn alterable(old: &Object, new: &Object) -> bool {
    old.option("ALL TABLES") == new.option("ALL TABLES")
}

/// `ALTER PUBLICATION`: `SET (...)` for changed options (both written, so a
/// default comes back), `DROP` of members gone, `ADD` of new ones, or one
/// `SET` of the whole list when a member's columns or condition changed.
pub(super) fn alter(old: &Object, new: &Object) -> Vec<String> {
    let mut out = Vec::new();
    let name = &new.identity;
    let options = |o: &Object| o.options.iter().filter(|(k, _)| k != "ALL TABLES").cloned().collect::<Vec<_>>();
    if options(old) != options(new) {
        let publish = new.option("publish").map_or_else(|| format!("'{}'", ALL_ACTIONS.join(", ")), str::to_string);
        let root = new.option("publish_via_partition_root").unwrap_or("false");
        out.push(format!("ALTER PUBLICATION {name} SET (publish = {publish}, publish_via_partition_root = {root})"));
    }
    let keys = |o: &Object| o.mappings.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    let (was, now) = (keys(old), keys(new));
    let changed = new.mappings.iter().any(|m| was.contains(&m.0) && !old.mappings.contains(m));
    if changed {
        out.push(format!("ALTER PUBLICATION {name} SET {}", list(&members(new))));
        return out;
    }
    let gone: Vec<&String> = was.iter().filter(|k| !now.contains(*k)).collect();
    if !gone.is_empty() {
        out.push(format!("ALTER PUBLICATION {name} DROP {}", list(&gone)));
    }
    let added: Vec<String> =
        members(new).into_iter().zip(&now).filter(|(_, k)| !was.contains(*k)).map(|(m, _)| m).collect();
    if !added.is_empty() {
        out.push(format!("ALTER PUBLICATION {name} ADD {}", list(&added)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn tables_after_a_table_share_its_keyword() {
        let m = ["TABLE ONLY a.t", "TABLE ONLY b.u (x)", "TABLES IN SCHEMA s", "TABLES IN SCHEMA v"];
        assert_eq!(list(&m), "TABLE ONLY a.t, ONLY b.u (x), TABLES IN SCHEMA s, TABLES IN SCHEMA v");
    }
}
