//! `CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE condition] DO
//! [ALSO | INSTEAD] {NOTHING | command | (command; ...)}`: named `name ON
//! schema.table`. `OR REPLACE` exists, so a changed rule is replaced in
//! place; whether it fires (`ALTER TABLE ... ENABLE [REPLICA | ALWAYS] /
//! DISABLE RULE`, the `ENABLED` option, left out when it fires as usual) is
//! an `ALTER` of its own. The condition and commands are compared as
//! PostgreSQL's tokens (`parse::rule`): written as `pg_get_ruledef` prints
//! them (pg_dump's text) they meet the catalog's; another spelling of the same
//! commands reads as a change. A view's `_RETURN` rule is the view, never a rule.

use super::{Object, OptionSpec, Signature, Spec, StoredIn, Value};

/// The rule kind.
pub static SPEC: Spec = Spec {
    keyword: "RULE",
    signature: Signature::Rule,
    options: &[
        OptionSpec { name: "EVENT", aliases: &[], value: Value::Word, default: None },
        OptionSpec { name: "WHERE", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "INSTEAD", aliases: &[], value: Value::Flag, default: None },
        OptionSpec { name: "DO", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "ENABLED", aliases: &[], value: Value::Word, default: None },
    ],
    replace_keeps: Some(&[]),
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_rewrite", oid: "oid" },
    catalog_query: "SELECT pg_catalog.rtrim(pg_catalog.pg_get_ruledef(r.oid), ';') \
          || CASE r.ev_enabled WHEN 'D' THEN ';' || pg_catalog.chr(10) || 'ALTER TABLE ' || pg_catalog.quote_ident(n.nspname) \
               || '.' || pg_catalog.quote_ident(c.relname) || ' DISABLE RULE ' || pg_catalog.quote_ident(r.rulename) \
             WHEN 'R' THEN ';' || pg_catalog.chr(10) || 'ALTER TABLE ' || pg_catalog.quote_ident(n.nspname) \
               || '.' || pg_catalog.quote_ident(c.relname) || ' ENABLE REPLICA RULE ' || pg_catalog.quote_ident(r.rulename) \
             WHEN 'A' THEN ';' || pg_catalog.chr(10) || 'ALTER TABLE ' || pg_catalog.quote_ident(n.nspname) \
               || '.' || pg_catalog.quote_ident(c.relname) || ' ENABLE ALWAYS RULE ' || pg_catalog.quote_ident(r.rulename) \
             ELSE '' END \
          || COALESCE(';' || pg_catalog.chr(10) || 'COMMENT ON RULE ' || pg_catalog.quote_ident(r.rulename) || ' ON ' \
               || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || ' IS ' \
               || pg_catalog.quote_literal(pg_catalog.obj_description(r.oid, 'pg_rewrite')), ''), \
        NULL::text \
      FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class \
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
      WHERE n.nspname = ANY($1) AND r.rulename <> '_RETURN' \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = r.oid \
                        AND x.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND x.deptype = 'e') \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = c.oid \
                        AND x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, c.relname, r.rulename",
};

/// `CREATE [OR REPLACE] RULE`.
pub(super) fn definition(o: &Object, replace: bool) -> String {
    let (name, table) = o.identity.split_once(" ON ").unwrap_or((&o.identity, ""));
    let or_replace = if replace { "OR REPLACE " } else { "" };
    let event = o.option("EVENT").unwrap_or_default().to_ascii_uppercase();
    let condition = o.option("WHERE").map(|w| format!(" WHERE {w}")).unwrap_or_default();
    let instead = if o.option("INSTEAD").is_some() { " INSTEAD" } else { "" };
    let actions = o.option("DO").unwrap_or("NOTHING");
    format!("CREATE {or_replace}RULE {name} AS ON {event} TO {table}{condition} DO{instead} {actions}")
}

/// The `CREATE`, then whether it fires when not as usual (always after `OR REPLACE`).
pub(super) fn statements(o: &Object, replace: bool, mut out: Vec<String>) -> Vec<String> {
    if replace || o.option("ENABLED").is_some() {
        out.extend(enable_statement(o));
    }
    out
}

/// `ALTER TABLE ... ENABLE [REPLICA | ALWAYS] / DISABLE RULE` for the rule's state.
pub(super) fn enable_statement(o: &Object) -> Option<String> {
    let (name, table) = o.identity.split_once(" ON ")?;
    let how = match o.option("ENABLED") {
        Some("disabled") => "DISABLE",
        Some("replica") => "ENABLE REPLICA",
        Some("always") => "ENABLE ALWAYS",
        _ => "ENABLE",
    };
    Some(format!("ALTER TABLE {table} {how} RULE {name}"))
}

/// Only whether it fires differs.
pub(super) fn alterable(old: &Object, new: &Object) -> bool {
    let rest = |o: &Object| o.options.iter().filter(|(k, _)| k != "ENABLED").cloned().collect::<Vec<_>>();
    rest(old) == rest(new)
}
