//! `CREATE TEXT SEARCH CONFIGURATION`: a parser, and for each of its token
//! types the dictionaries to try, which pg_dump writes as one `ALTER TEXT
//! SEARCH CONFIGURATION ... ADD MAPPING FOR token WITH dicts` per token type.
//! Those mappings are part of its canonical definition (`Object::mappings`,
//! one per token type, sorted), whoever wrote them and however grouped; `ALTER
//! MAPPING FOR` and `DROP MAPPING FOR` in a file amend them. `COPY = other`
//! copies another configuration's mappings, which only a server knows: not
//! read. A changed one is dropped and created again.

use super::{GenericKind, OptionSpec, Signature, Spec, StoredIn, Value};

/// The text search configuration kind.
pub static SPEC: Spec = Spec {
    keyword: "TEXT SEARCH CONFIGURATION",
    signature: Signature::Name,
    options: &[OptionSpec {
        name: "PARSER",
        aliases: &[],
        value: Value::Object(GenericKind::TextSearchParser),
        default: None,
    }],
    replace_keeps: None,
    same_pair_is: None,
    other_options: None,
    callable: false,
    // The mappings follow the CREATE as the ALTER statements pg_dump writes.
    stored_in: StoredIn { table: "pg_ts_config", oid: "oid" },
    catalog_query: "SELECT 'CREATE TEXT SEARCH CONFIGURATION ' || pg_catalog.quote_ident(n.nspname) || '.' \
          || pg_catalog.quote_ident(c.cfgname) || ' (PARSER = ' || pg_catalog.quote_ident(pn.nspname) || '.' \
          || pg_catalog.quote_ident(p.prsname) || ')' || COALESCE((\
          SELECT pg_catalog.string_agg(';' || pg_catalog.chr(10) || 'ALTER TEXT SEARCH CONFIGURATION ' \
                   || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.cfgname) \
                   || ' ADD MAPPING FOR ' || pg_catalog.quote_ident(t.alias) || ' WITH ' || m.dicts, '' ORDER BY t.alias) \
            FROM (SELECT mm.maptokentype, pg_catalog.string_agg(pg_catalog.quote_ident(dn.nspname) || '.' \
                           || pg_catalog.quote_ident(d.dictname), ', ' ORDER BY mm.mapseqno) AS dicts \
                    FROM pg_catalog.pg_ts_config_map mm JOIN pg_catalog.pg_ts_dict d ON d.oid = mm.mapdict \
                    JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace \
                   WHERE mm.mapcfg = c.oid GROUP BY mm.maptokentype) m \
            JOIN pg_catalog.ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype), ''), \
        pg_catalog.obj_description(c.oid, 'pg_ts_config') \
      FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace \
      JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser \
      JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace \
      WHERE n.nspname = ANY($1) \
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.objid = c.oid \
                        AND x.classid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass AND x.deptype = 'e') \
      ORDER BY n.nspname, c.cfgname",
};
