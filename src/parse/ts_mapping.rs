//! `ALTER TEXT SEARCH CONFIGURATION ... ADD / ALTER / DROP MAPPING`: a
//! configuration's mappings are part of its definition (`Object::mappings`,
//! one per token type, sorted), so these statements amend the object the
//! file (or an earlier revision) created, whatever their grouping.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::object::{identity, kind_at, object_name, Cursor, ReadError};
use crate::model::{GenericKind, ObjectId};

/// What an `ALTER TEXT SEARCH CONFIGURATION` does to its mappings.
#[derive(Debug, Clone)]
pub enum MappingEdit {
    /// `ADD MAPPING FOR tokens WITH dicts` (an error where one is mapped).
    Add(Vec<String>, Vec<String>),
    /// `ALTER MAPPING FOR tokens WITH dicts` (an error where one is not).
    Alter(Vec<String>, Vec<String>),
    /// `DROP MAPPING [IF EXISTS] FOR tokens`.
    Drop(Vec<String>, bool),
}

/// Reads `ALTER TEXT SEARCH CONFIGURATION name {ADD | ALTER} MAPPING FOR
/// token, ... WITH dict, ...` or `... DROP MAPPING [IF EXISTS] FOR token, ...`.
pub fn read_mapping(toks: &[TokenWithSpan], default_schema: &str) -> Result<(ObjectId, MappingEdit), ReadError> {
    let mut c = Cursor { toks, at: 1 };
    let kind = kind_at(&mut c)?;
    if kind != GenericKind::TextSearchConfiguration {
        return Err(c.err(format!("ALTER {} is not supported", kind.spec().keyword)));
    }
    let identity = identity(&mut c, kind, default_schema)?;
    let verb = c.word().unwrap_or_default();
    c.at += 1;
    if !c.eat("MAPPING") {
        return Err(c.err(
            "ALTER TEXT SEARCH CONFIGURATION: only ADD MAPPING, ALTER MAPPING FOR and DROP MAPPING are read (no REPLACE, no rename)",
        ));
    }
    let if_exists = verb == "DROP" && c.eat("IF") && c.eat("EXISTS");
    if !c.eat("FOR") {
        return Err(c.err("expected FOR: ALTER MAPPING REPLACE is not read, name the token types"));
    }
    let names = |c: &mut Cursor, stop: Option<&str>| -> Result<Vec<String>, ReadError> {
        let mut out = Vec::new();
        loop {
            let start = c.at;
            while c.peek().is_some_and(|t| t.token != Token::Comma)
                && stop.is_none_or(|w| c.word().as_deref() != Some(w))
            {
                c.at += 1;
            }
            out.push(object_name(&toks[start..c.at], default_schema).map_err(|m| c.err(m))?);
            if !c.eat_token(&Token::Comma) {
                return Ok(out);
            }
        }
    };
    let tokens = names(&mut c, Some("WITH"))?;
    let edit = match verb.as_str() {
        "DROP" => MappingEdit::Drop(tokens, if_exists),
        "ADD" | "ALTER" => {
            if !c.eat("WITH") {
                return Err(c.err("expected WITH and the dictionaries"));
            }
            let dicts = names(&mut c, None)?;
            if verb == "ADD" {
                MappingEdit::Add(tokens, dicts)
            } else {
                MappingEdit::Alter(tokens, dicts)
            }
        }
        _ => return Err(c.err("expected ADD, ALTER or DROP MAPPING")),
    };
    if c.peek().is_some() {
        return Err(c.err("unexpected text after the statement"));
    }
    Ok((ObjectId { kind, identity }, edit))
}

/// Applies `edit` to a configuration's mappings (kept sorted by token type).
pub fn edit_mappings(mappings: &mut Vec<(String, Vec<String>)>, edit: &MappingEdit) -> Result<(), String> {
    match edit {
        MappingEdit::Add(tokens, dicts) | MappingEdit::Alter(tokens, dicts) => {
            let add = matches!(edit, MappingEdit::Add(..));
            for t in tokens {
                match mappings.iter_mut().find(|(k, _)| k == t) {
                    Some(_) if add => return Err(format!("mapping for token type {t} already exists")),
                    Some((_, d)) => *d = dicts.clone(),
                    None if add => mappings.push((t.clone(), dicts.clone())),
                    None => return Err(format!("mapping for token type {t} does not exist")),
                }
            }
        }
        MappingEdit::Drop(tokens, if_exists) => {
            for t in tokens {
                let before = mappings.len();
                mappings.retain(|(k, _)| k != t);
                if before == mappings.len() && !if_exists {
                    return Err(format!("mapping for token type {t} does not exist"));
                }
            }
        }
    }
    mappings.sort();
    Ok(())
}
