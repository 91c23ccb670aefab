//! The generic kinds (`model::object`): each kind's own catalog query prints
//! its objects' `CREATE` statements (and comments) into the script, for the
//! parser to read as it reads a file: one query per kind.

use tokio_postgres::Client;

use super::script::Script;
use crate::model::GenericKind;

/// Runs every kind's query; returns how many were run.
pub async fn objects(client: &Client, schemas: &[String], s: &mut Script) -> Result<usize, tokio_postgres::Error> {
    for kind in GenericKind::ALL {
        let spec = kind.spec();
        for row in client.query(spec.catalog_query, &[&schemas]).await? {
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
    Ok(GenericKind::ALL.len())
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
