//! `CREATE EVENT TRIGGER`: a name without a schema, an event, an optional
//! `WHEN TAG IN (...)` filter and a function; no `OR REPLACE` (its `ALTER`
//! only renames, enables or disables it), so a changed one is dropped and
//! created again. Read from the tokens (`parse::event_trigger`), printed in
//! the statement's own form. Managed: those whose function is in a managed
//! schema, not made by an extension. Whether it fires (`ALTER EVENT TRIGGER
//! ... ENABLE REPLICA | ENABLE ALWAYS | DISABLE`) is its `ENABLE` option,
//! printed and read as that statement after the `CREATE` (`parse::object_alter`).

use super::{OptionSpec, Signature, Spec, StoredIn, Value};

/// The event trigger kind.
pub static SPEC: Spec = Spec {
    keyword: "EVENT TRIGGER",
    signature: Signature::EventTrigger,
    options: &[
        OptionSpec { name: "ON", aliases: &[], value: Value::Word, default: None },
        OptionSpec { name: "TAGS", aliases: &[], value: Value::Text, default: None },
        OptionSpec { name: "FUNCTION", aliases: &[], value: Value::Function, default: None },
        // `ALTER EVENT TRIGGER ... ENABLE REPLICA | ENABLE ALWAYS | DISABLE` (`evtenabled`); none: `ENABLE`.
        OptionSpec { name: "ENABLE", aliases: &[], value: Value::Word, default: None },
    ],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    stored_in: StoredIn { table: "pg_event_trigger", oid: "oid" },
    catalog_query: "SELECT 'CREATE EVENT TRIGGER ' || pg_catalog.quote_ident(e.evtname) || ' ON ' || e.evtevent \
          || COALESCE(' WHEN TAG IN (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(t.tag), ', ' ORDER BY t.i) \
                FROM pg_catalog.unnest(e.evttags) WITH ORDINALITY AS t(tag, i)) || ')', '') \
          || ' EXECUTE FUNCTION ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '()' \
          || CASE e.evtenabled WHEN 'O' THEN '' ELSE ';\nALTER EVENT TRIGGER ' || pg_catalog.quote_ident(e.evtname) \
               || CASE e.evtenabled WHEN 'R' THEN ' ENABLE REPLICA' WHEN 'A' THEN ' ENABLE ALWAYS' ELSE ' DISABLE' END END, \
        pg_catalog.obj_description(e.oid, 'pg_event_trigger') \
      FROM pg_catalog.pg_event_trigger e JOIN pg_catalog.pg_proc p ON p.oid = e.evtfoid \
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = e.oid \
                        AND x.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY e.evtname",
};
