//! `CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE condition] DO
//! [ALSO | INSTEAD] {NOTHING | command | (command; ...)}` and `ALTER TABLE
//! ... ENABLE [REPLICA | ALWAYS] / DISABLE RULE`, which sqlparser does not
//! read: from the tokens. The condition and commands are kept as their
//! tokens, printed one way (`tokens_text`: keywords upper case, names folded,
//! literals requoted from their values, one space where the tokens allow), so
//! pg_dump's text, `pg_get_ruledef`'s and a file written like them meet.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::{object_qual_name, read_name};
use crate::canon::{quote_ident, quote_literal};
use crate::model::{Dep, GenericKind, Object, ObjectId, QualName};

fn word(t: Option<&TokenWithSpan>) -> Option<String> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// The tokens as one canonical text (see the module's comment); a `;`
/// closing the last of several commands is left out, as it is optional.
pub fn tokens_text(toks: &[TokenWithSpan]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Token> = None;
    for (i, t) in toks.iter().enumerate() {
        if t.token == Token::SemiColon && toks.get(i + 1).is_some_and(|n| n.token == Token::RParen) {
            continue;
        }
        let text = match &t.token {
            Token::Word(w) if w.quote_style.is_some() => quote_ident(&w.value),
            Token::Word(w) if w.keyword != Keyword::NoKeyword => w.value.to_ascii_uppercase(),
            Token::Word(w) => quote_ident(&w.value.to_lowercase()),
            Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) | Token::NationalStringLiteral(s) => {
                quote_literal(s)
            }
            Token::DollarQuotedString(d) => quote_literal(&d.value),
            Token::Number(n, _) => n.clone(),
            other => other.to_string(),
        };
        let tight = matches!(prev, Some(Token::LParen | Token::Period | Token::DoubleColon | Token::LBracket))
            || matches!(
                t.token,
                Token::RParen
                    | Token::Comma
                    | Token::Period
                    | Token::DoubleColon
                    | Token::LBracket
                    | Token::RBracket
                    | Token::SemiColon
            );
        if !out.is_empty() && !tight {
            out.push(' ');
        }
        out.push_str(&text);
        prev = Some(&t.token);
    }
    out
}

/// What commands and conditions name: the relations after `INTO`, `FROM`,
/// `UPDATE`, `JOIN`, `TABLE`, and qualified functions they call.
fn uses(toks: &[TokenWithSpan], default_schema: &str, out: &mut Vec<Dep>) {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    for i in 0..toks.len() {
        match word(toks.get(i)).as_deref() {
            Some("INTO" | "FROM" | "UPDATE" | "JOIN" | "TABLE") => {
                if let Some(q) = read_name(&refs, i + 1).and_then(|(n, _)| object_qual_name(&n, default_schema).ok()) {
                    out.push(Dep::Relation(q));
                }
            }
            _ => {
                let call = matches!(
                    (
                        toks.get(i).map(|t| &t.token),
                        toks.get(i + 1).map(|t| &t.token),
                        toks.get(i + 3).map(|t| &t.token)
                    ),
                    (Some(Token::Word(_)), Some(Token::Period), Some(Token::LParen))
                );
                if call {
                    if let Some(q) = read_name(&refs, i).and_then(|(n, _)| object_qual_name(&n, default_schema).ok()) {
                        if q.schema != "pg_catalog" {
                            out.push(Dep::Routine(q));
                        }
                    }
                }
            }
        }
    }
}

/// A rule's name and table at `at` (`name ON table`): the identity, the
/// table, the rule's name and the index after.
pub fn read_identity(
    toks: &[TokenWithSpan],
    at: usize,
    default_schema: &str,
) -> Result<(String, QualName, String, usize), String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, at).ok_or("expected the rule's name")?;
    if n.0.len() != 1 {
        return Err("a rule's name has no schema: write name ON table".into());
    }
    let name = object_qual_name(&n, "pg_catalog")?.name;
    if word(toks.get(next)).as_deref() != Some("ON") {
        return Err("expected ON and the rule's table".into());
    }
    let (t, after) = read_name(&refs, next + 1).ok_or("expected the rule's table")?;
    let table = object_qual_name(&t, default_schema)?;
    Ok((format!("{} ON {}", quote_ident(&name), table.sql()), table, name, after))
}

/// The rest of `CREATE RULE`, from its name.
pub fn read_create(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<Object, String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, mut at) = read_name(&refs, at).ok_or("expected the rule's name")?;
    if n.0.len() != 1 {
        return Err("a rule's name has no schema".into());
    }
    let name = object_qual_name(&n, "pg_catalog")?.name;
    let expect = |w: &str, at: &mut usize| {
        if word(toks.get(*at)).as_deref() == Some(w) {
            *at += 1;
            Ok(())
        } else {
            Err(format!("expected {w} in CREATE RULE"))
        }
    };
    expect("AS", &mut at)?;
    expect("ON", &mut at)?;
    let event = word(toks.get(at)).filter(|e| matches!(e.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE"));
    let event = event.ok_or("expected the rule's event: SELECT, INSERT, UPDATE or DELETE")?;
    at += 1;
    expect("TO", &mut at)?;
    let (t, next) = read_name(&refs, at).ok_or("expected the rule's table")?;
    let table = object_qual_name(&t, default_schema)?;
    at = next;
    let mut options = vec![("EVENT".to_string(), event.to_ascii_lowercase())];
    let mut depends = vec![Dep::Relation(table.clone())];
    if word(toks.get(at)).as_deref() == Some("WHERE") {
        let start = at + 1;
        let mut depth = 0i32;
        while let Some(t) = toks.get(at) {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ if depth == 0 && word(Some(t)).as_deref() == Some("DO") => break,
                _ => {}
            }
            at += 1;
        }
        uses(&toks[start..at], default_schema, &mut depends);
        options.push(("WHERE".to_string(), tokens_text(&toks[start..at])));
    }
    expect("DO", &mut at)?;
    if word(toks.get(at)).as_deref() == Some("INSTEAD") {
        options.push(("INSTEAD".to_string(), String::new()));
        at += 1;
    } else if word(toks.get(at)).as_deref() == Some("ALSO") {
        at += 1;
    }
    let actions = toks.get(at..).unwrap_or_default();
    if actions.is_empty() {
        return Err("expected the rule's commands or NOTHING after DO".into());
    }
    uses(actions, default_schema, &mut depends);
    options.push(("DO".to_string(), tokens_text(actions)));
    depends.sort();
    depends.dedup();
    Ok(Object {
        kind: GenericKind::Rule,
        identity: format!("{} ON {}", quote_ident(&name), table.sql()),
        name: QualName::new(table.schema.clone(), name),
        options,
        depends,
        mappings: Vec::new(),
        comment: None,
    })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] t {ENABLE [REPLICA | ALWAYS] | DISABLE}
/// RULE r`, if the statement is that: the rule and its `ENABLED` option
/// (`None`: fires as usual).
pub fn read_enable(toks: &[TokenWithSpan], default_schema: &str) -> Option<Result<(ObjectId, Option<String>), String>> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let mut at = 2;
    if word(toks.get(at)).as_deref() == Some("IF") {
        at += 2;
    }
    if word(toks.get(at)).as_deref() == Some("ONLY") {
        at += 1;
    }
    let (t, mut at) = read_name(&refs, at)?;
    let how = match word(toks.get(at)).as_deref() {
        Some("DISABLE") => Some("disabled"),
        Some("ENABLE") => match word(toks.get(at + 1)).as_deref() {
            Some("REPLICA") => Some("replica"),
            Some("ALWAYS") => Some("always"),
            _ => None,
        },
        _ => return None,
    };
    at += if how.is_some_and(|h| h != "disabled") { 2 } else { 1 };
    if word(toks.get(at)).as_deref() != Some("RULE") {
        return None;
    }
    let (r, after) = match read_name(&refs, at + 1) {
        Some(x) => x,
        None => return Some(Err("expected the rule's name".into())),
    };
    if after != toks.len() {
        return Some(Err("unexpected text after ENABLE / DISABLE RULE".into()));
    }
    let ids = object_qual_name(&t, default_schema).and_then(|table| {
        let name = object_qual_name(&r, "pg_catalog")?.name;
        Ok(ObjectId { kind: GenericKind::Rule, identity: format!("{} ON {}", quote_ident(&name), table.sql()) })
    });
    Some(ids.map(|id| (id, how.map(str::to_string))))
}
