//! `CREATE EVENT TRIGGER name ON event [WHEN TAG IN ('tag', ...)] EXECUTE
//! {FUNCTION | PROCEDURE} f()`, which sqlparser does not read: from the tokens.
//! Canonical: the event in lower case, the tags upper case in the order
//! written (PostgreSQL keeps it), the function qualified (an unqualified one
//! is the default schema's).

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::{object_qual_name, read_name};
use crate::canon::{quote_ident, quote_literal};
use crate::model::{Dep, GenericKind, Object, QualName};

fn word(t: Option<&TokenWithSpan>) -> Option<String> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// The event trigger's name at `at`: its canonical identity and the index after it.
pub fn read_identity(toks: &[TokenWithSpan], at: usize) -> Result<(String, usize), String> {
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, at).ok_or("expected an event trigger's name")?;
    if n.0.len() != 1 {
        return Err("an event trigger's name has no schema".into());
    }
    let q = object_qual_name(&n, "pg_catalog")?;
    Ok((quote_ident(&q.name), next))
}

/// The rest of `CREATE EVENT TRIGGER`, from its name: the object.
pub fn read_create(toks: &[TokenWithSpan], at: usize, default_schema: &str) -> Result<Object, String> {
    let (identity, mut at) = read_identity(toks, at)?;
    let eat = |w: &str, at: &mut usize| {
        let yes = word(toks.get(*at)).as_deref() == Some(w);
        *at += usize::from(yes);
        yes
    };
    if !eat("ON", &mut at) {
        return Err("expected ON and the event".into());
    }
    let event = word(toks.get(at)).ok_or("expected the event (ddl_command_start, ...)")?.to_ascii_lowercase();
    at += 1;
    let mut options = vec![("ON".to_string(), event)];
    if eat("WHEN", &mut at) {
        if !(eat("TAG", &mut at) && eat("IN", &mut at)) {
            return Err("only WHEN TAG IN (...) is a filter of an event trigger".into());
        }
        let mut tags = Vec::new();
        if toks.get(at).map(|t| &t.token) != Some(&Token::LParen) {
            return Err("expected ( after WHEN TAG IN".into());
        }
        at += 1;
        loop {
            match toks.get(at).map(|t| &t.token) {
                Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => {
                    tags.push(quote_literal(&s.to_ascii_uppercase()))
                }
                _ => return Err("expected a command tag as a string".into()),
            }
            at += 1;
            match toks.get(at).map(|t| &t.token) {
                Some(Token::Comma) => at += 1,
                Some(Token::RParen) => break,
                _ => return Err("expected , or ) in WHEN TAG IN".into()),
            }
        }
        at += 1;
        options.push(("TAGS".to_string(), tags.join(", ")));
    }
    if !(eat("EXECUTE", &mut at) && (eat("FUNCTION", &mut at) || eat("PROCEDURE", &mut at))) {
        return Err("expected EXECUTE FUNCTION".into());
    }
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    let (n, next) = read_name(&refs, at).ok_or("expected the event trigger's function")?;
    let f = object_qual_name(&n, default_schema)?;
    let rest: Vec<&Token> = toks[next..].iter().map(|t| &t.token).collect();
    if rest != [&Token::LParen, &Token::RParen] {
        return Err("an event trigger's function takes no arguments: expected () and the end".into());
    }
    options.push(("FUNCTION".to_string(), format!("{}()", f.sql())));
    Ok(Object {
        kind: GenericKind::EventTrigger,
        name: QualName::new("pg_catalog", identity.clone()),
        identity,
        options,
        depends: vec![Dep::Routine(f)],
        mappings: Vec::new(),
        comment: None,
    })
}
