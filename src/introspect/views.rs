//! Views and materialized views as `pg_get_viewdef` prints them, and what
//! each one reads as `pg_depend` records it for the view's rewrite rule.

use tokio_postgres::Client;

use super::objects::not_from_extension;
use super::script::Script;
use crate::canon::{quote_ident, quote_literal, quote_qualified};
use crate::model::{Dep, QualName};

/// Adds `CREATE [MATERIALIZED] VIEW` statements (and their comments) to the script.
pub async fn views(client: &Client, schemas: &[String], s: &mut Script) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid), \
                COALESCE(c.reloptions, '{{}}')::text[], c.relispopulated, \
                pg_catalog.obj_description(c.oid, 'pg_class'), \
                ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a \
                      JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
                       AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum), \
                ARRAY(SELECT d.description FROM pg_catalog.pg_attribute a \
                      JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
                       AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum) \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) AND {} \
         ORDER BY 1, 2",
        not_from_extension("c.oid", "pg_catalog.pg_class")
    );
    for row in client.query(&sql, &[&schemas]).await? {
        let (schema, name): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let materialized: bool = row.try_get(2)?;
        let definition: String = row.try_get(3)?;
        let options: Vec<String> = row.try_get(4)?;
        let populated: bool = row.try_get(5)?;
        let qualified = quote_qualified(&schema, &name);
        let keyword = if materialized { "MATERIALIZED VIEW" } else { "VIEW" };
        let mut stmt = format!("CREATE {keyword} {qualified}");
        if !options.is_empty() {
            let opts: Vec<String> = options
                .iter()
                .map(|o| match o.split_once('=') {
                    Some((k, v)) => format!("{}={}", quote_ident(k), quote_literal(v)),
                    None => quote_ident(o),
                })
                .collect();
            stmt.push_str(&format!(" WITH ({})", opts.join(", ")));
        }
        stmt.push_str(" AS\n");
        stmt.push_str(definition.trim_end().trim_end_matches(';'));
        if materialized && !populated {
            stmt.push_str("\nWITH NO DATA");
        }
        s.creates.push_str(&stmt);
        s.creates.push_str(";\n");
        s.comment(&format!("{keyword} {qualified}"), row.try_get(6)?);
        let columns: Vec<String> = row.try_get(7)?;
        let texts: Vec<String> = row.try_get(8)?;
        for (c, t) in columns.iter().zip(&texts) {
            s.comment(&format!("COLUMN {qualified}.{}", quote_ident(c)), Some(t));
        }
    }
    Ok(())
}

/// What each view reads: relations, their columns, functions and types
/// outside the system schemas.
pub async fn view_depends(client: &Client, schemas: &[String]) -> Result<Vec<(QualName, Dep)>, tokio_postgres::Error> {
    let sql = "SELECT DISTINCT vn.nspname, v.relname, \
                      CASE WHEN r.oid IS NOT NULL AND d.refobjsubid > 0 THEN 'c' \
                           WHEN r.oid IS NOT NULL THEN 'r' WHEN p.oid IS NOT NULL THEN 'f' ELSE 't' END, \
                      COALESCE(rn.nspname, pn.nspname, tn.nspname), \
                      COALESCE(r.relname, p.proname, t.typname)::text, \
                      COALESCE(a.attname::text, '') \
               FROM pg_catalog.pg_rewrite rw \
               JOIN pg_catalog.pg_class v ON v.oid = rw.ev_class AND v.relkind IN ('v', 'm') \
               JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace \
               JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass \
                    AND d.objid = rw.oid AND d.deptype = 'n' \
               LEFT JOIN pg_catalog.pg_class r ON d.refclassid = 'pg_catalog.pg_class'::regclass AND r.oid = d.refobjid \
               LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace \
               LEFT JOIN pg_catalog.pg_attribute a ON r.oid IS NOT NULL AND a.attrelid = r.oid \
                    AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
               LEFT JOIN pg_catalog.pg_proc p ON d.refclassid = 'pg_catalog.pg_proc'::regclass AND p.oid = d.refobjid \
               LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
               LEFT JOIN pg_catalog.pg_type t ON d.refclassid = 'pg_catalog.pg_type'::regclass AND t.oid = d.refobjid \
               LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace \
               WHERE vn.nspname = ANY($1) AND d.refobjid <> v.oid \
                 AND COALESCE(rn.nspname, pn.nspname, tn.nspname) NOT IN ('pg_catalog', 'information_schema') \
               ORDER BY 1, 2, 3, 4, 5, 6";
    let mut out = Vec::new();
    for row in client.query(sql, &[&schemas]).await? {
        let view = QualName::new(row.try_get::<_, String>(0)?, row.try_get::<_, String>(1)?);
        let kind: String = row.try_get(2)?;
        let target = QualName::new(row.try_get::<_, String>(3)?, row.try_get::<_, String>(4)?);
        let dep = match kind.as_str() {
            "c" => Dep::Column(target, row.try_get(5)?),
            "r" => Dep::Relation(target),
            "f" => Dep::Routine(target),
            _ => Dep::Type(target),
        };
        out.push((view, dep));
    }
    Ok(out)
}
