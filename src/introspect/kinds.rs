//! The generic kinds (`model::object`): each kind's own catalog query prints
//! its objects' `CREATE` statements (and comments) into the script, for the
//! parser to read as it reads a file: one query per kind.

use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use super::script::Script;
use crate::model::GenericKind;

/// PostgreSQL's `FirstNormalObjectId`: every object initdb made has a
/// smaller identifier, and the counter never wraps below it.
const FIRST_NORMAL_OID: u32 = 16384;

/// Runs the query of every kind that may have objects here; returns how
/// many queries were run.
///
/// One probe first asks which kinds' catalogs hold a row made after initdb
/// (an index lookup each): most databases have none of most kinds, and each
/// kind's query costs a fresh backend its planning on cold caches (the
/// twenty were about 40 ms of a trivial database's 100 ms read). The probe
/// is wider than the queries (an extension's objects, a view's rule), never
/// narrower. The queries left are sent together: tokio-postgres pipelines
/// one session's requests, so they wait for one round trip, not one each.
pub async fn objects(client: &Client, schemas: &[String], s: &mut Script) -> Result<usize, tokio_postgres::Error> {
    let probe = GenericKind::ALL
        .iter()
        .map(|kind| {
            let at = kind.spec().stored_in;
            format!("EXISTS (SELECT FROM pg_catalog.{} WHERE {} >= {FIRST_NORMAL_OID})", at.table, at.oid)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let present: Vec<bool> = client.query_one(&format!("SELECT ARRAY[{probe}]"), &[]).await?.try_get(0)?;
    let kinds: Vec<GenericKind> =
        GenericKind::ALL.iter().zip(present).filter(|(_, present)| *present).map(|(kind, _)| *kind).collect();
    let params: [&(dyn ToSql + Sync); 1] = [&schemas];
    let results = try_join_all(kinds.iter().map(|kind| client.query(kind.spec().catalog_query, &params))).await?;
    for (kind, rows) in kinds.iter().zip(results) {
        for row in rows {
            let create: String = row.try_get(0)?;
            s.creates.push_str(&create);
            s.creates.push_str(";\n");
            if let Some(text) = row.try_get::<_, Option<String>>(1)? {
                // The identity is what the parser derives; the statement names it the same way.
                let head = create.split(" (").next().unwrap_or(&create).trim_start_matches("CREATE ");
                let what = match kind.spec().signature {
                    // `OPERATOR schema.op (left, right)`: the argument types are in the options.
                    crate::model::Signature::Operator => operator_identity(&create, head),
                    // `CAST (source AS target)`: format_type prints no parentheses of its own.
                    crate::model::Signature::Cast => create
                        .split_once(')')
                        .map_or(create.clone(), |(h, _)| format!("{h})"))
                        .replacen("CREATE ", "", 1),
                    crate::model::Signature::EventTrigger => {
                        format!("EVENT TRIGGER {}", leading_ident(create.trim_start_matches("CREATE EVENT TRIGGER ")))
                    }
                    // A wrapper's or server's name has no schema.
                    crate::model::Signature::Foreign if *kind != crate::model::GenericKind::ForeignTable => {
                        let rest = create.split_once(&format!("{} ", kind.spec().keyword)).map_or("", |(_, r)| r);
                        format!("{} {}", kind.spec().keyword, leading_ident(rest))
                    }
                    // `STATISTICS schema.name`: the search path is empty, so it is qualified.
                    crate::model::Signature::Statistics
                    | crate::model::Signature::Conversion
                    | crate::model::Signature::Foreign => {
                        let rest = create.split_once(&format!("{} ", kind.spec().keyword)).map_or("", |(_, r)| r);
                        let schema = leading_ident(rest);
                        let name = leading_ident(rest[schema.len()..].trim_start_matches('.'));
                        format!("{} {schema}.{name}", kind.spec().keyword)
                    }
                    _ => head.to_string(),
                };
                s.comment(&what, Some(&text));
            }
        }
    }
    Ok(1 + kinds.len())
}

/// `OPERATOR schema.op (left, right)` from its `CREATE` text.
fn operator_identity(create: &str, head: &str) -> String {
    let arg = |k: &str| {
        create
            .split(&format!("{k} = "))
            .nth(1)
            .and_then(|rest| rest.split([',', ')']).next())
            .map_or("NONE".to_string(), |t| t.trim().to_string())
    };
    format!("{head} ({}, {})", arg("LEFTARG"), arg("RIGHTARG"))
}

/// The identifier `quote_ident` printed at the start of `text` (quoted or not).
fn leading_ident(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix('"') {
        // A quoted name ends at a quote that is not doubled.
        let mut i = 0;
        let b = rest.as_bytes();
        while i < b.len() {
            if b[i] == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                return &text[..i + 2];
            }
            i += 1;
        }
        return text;
    }
    text.split([' ', '.']).next().unwrap_or(text)
}
