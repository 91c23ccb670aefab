//! The `ALTER` forms of generic kinds that set something `CREATE` cannot say,
//! as pg_dump writes them after the `CREATE`: `ALTER EVENT TRIGGER name
//! ENABLE [REPLICA | ALWAYS] | DISABLE` and `ALTER STATISTICS name SET
//! STATISTICS n`. Each sets one option of the object the file (or an earlier
//! revision) created; `Object::statements` prints them back the same way.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::object::{identity, kind_at, Cursor, ReadError};
use crate::model::{GenericKind, ObjectId};

/// One option set (`Some`) or back to its default (`None`).
pub type OptionEdit = (String, Option<String>);

/// Whether `words` (the statement's first upper-case words) start one of these forms.
pub fn is_object_alter(words: &[&str]) -> bool {
    matches!(words, ["ALTER", "EVENT", "TRIGGER", ..] | ["ALTER", "STATISTICS", ..])
}

/// Reads the statement: the object and the option it sets.
pub fn read(toks: &[TokenWithSpan], default_schema: &str) -> Result<(ObjectId, OptionEdit), ReadError> {
    let mut c = Cursor { toks, at: 1 };
    let kind = kind_at(&mut c)?;
    let identity = identity(&mut c, kind, default_schema)?;
    let edit = match kind {
        GenericKind::EventTrigger => {
            let state = if c.eat("DISABLE") {
                Some("DISABLE".to_string())
            } else if c.eat("ENABLE") {
                if c.eat("REPLICA") {
                    Some("REPLICA".to_string())
                } else if c.eat("ALWAYS") {
                    Some("ALWAYS".to_string())
                } else {
                    None
                }
            } else {
                return Err(c.err("ALTER EVENT TRIGGER: only ENABLE [REPLICA | ALWAYS] and DISABLE are read"));
            };
            ("ENABLE".to_string(), state)
        }
        GenericKind::Statistics => {
            if !(c.eat("SET") && c.eat("STATISTICS")) {
                return Err(c.err("ALTER STATISTICS: only SET STATISTICS is read"));
            }
            let n = if c.eat("DEFAULT") {
                -1
            } else {
                let negative = c.eat_token(&Token::Minus);
                let Some(Token::Number(n, _)) = c.peek().map(|t| &t.token) else {
                    return Err(c.err("expected a statistics target"));
                };
                let n = n.parse::<i32>().map_err(|_| c.err("expected a statistics target"))?;
                c.at += 1;
                if negative {
                    -n
                } else {
                    n
                }
            };
            ("STATISTICS".to_string(), (n >= 0).then(|| n.to_string()))
        }
        other => return Err(c.err(format!("ALTER {} is not supported", other.spec().keyword))),
    };
    if c.peek().is_some() {
        return Err(c.err("unexpected text at the end of the statement"));
    }
    Ok((ObjectId { kind, identity }, edit))
}

/// Sets `edit` on `options`, keeping them in the spec's order.
pub fn apply(kind: GenericKind, options: &mut Vec<(String, String)>, edit: &OptionEdit) {
    let (name, value) = edit;
    options.retain(|(k, _)| k != name);
    if let Some(v) = value {
        options.push((name.clone(), v.clone()));
        let order = |k: &str| kind.spec().options.iter().position(|o| o.name == k).unwrap_or(usize::MAX);
        options.sort_by_key(|(k, _)| order(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_sql(sql: &str) -> Result<(ObjectId, OptionEdit), String> {
        let raw = crate::parse::split::split(sql).expect("splits").remove(0);
        read(&raw.tokens, "public").map_err(|e| e.0)
    }

    #[test]
    fn pg_dump_forms() {
        let (id, edit) = read_sql("ALTER EVENT TRIGGER \"Note All\" ENABLE REPLICA").expect("reads");
        assert_eq!((id.kind, id.identity.as_str()), (GenericKind::EventTrigger, "\"Note All\""));
        assert_eq!(edit, ("ENABLE".to_string(), Some("REPLICA".to_string())));
        let (_, edit) = read_sql("ALTER EVENT TRIGGER e ENABLE").expect("reads");
        assert_eq!(edit, ("ENABLE".to_string(), None));
        let (id, edit) = read_sql("ALTER STATISTICS public.s SET STATISTICS 500").expect("reads");
        assert_eq!((id.kind, id.identity.as_str()), (GenericKind::Statistics, "public.s"));
        assert_eq!(edit, ("STATISTICS".to_string(), Some("500".to_string())));
        let (_, edit) = read_sql("ALTER STATISTICS s SET STATISTICS -1").expect("reads");
        assert_eq!(edit, ("STATISTICS".to_string(), None));
        assert!(read_sql("ALTER STATISTICS s RENAME TO t").is_err());
        assert!(read_sql("ALTER EVENT TRIGGER e ENABLE ALWAYS now").is_err());
    }
}
