//! `CREATE [DEFAULT] CONVERSION name FOR 'source' TO 'target' FROM function`,
//! not a form sqlparser reads: from the tokens. Canonical: the encodings in
//! upper case (as the catalog prints them; other spellings of an encoding,
//! `'utf-8'` for `UTF8`, are not), the function as other kinds' functions are
//! (`canonical_function`, from `parse::object`).

use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::canon::quote_literal;
use crate::model::Dep;

/// The options of a conversion, from the token after its name: `DEFAULT`
/// (when `default`), `FOR`, `TO`, `FROM`.
pub fn read_tail(
    toks: &[TokenWithSpan],
    mut at: usize,
    default: bool,
    deps: &mut Vec<Dep>,
    canonical_function: impl Fn(&[TokenWithSpan], &mut Vec<Dep>) -> Result<String, String>,
) -> Result<Vec<(String, String)>, String> {
    let mut options = Vec::new();
    if default {
        options.push(("DEFAULT".to_string(), String::new()));
    }
    for key in ["FOR", "TO"] {
        match (toks.get(at).map(|t| &t.token), toks.get(at + 1).map(|t| &t.token)) {
            (Some(Token::Word(w)), Some(Token::SingleQuotedString(s))) if w.value.eq_ignore_ascii_case(key) => {
                options.push((key.to_string(), quote_literal(&s.to_ascii_uppercase())));
            }
            _ => return Err(format!("expected {key} and an encoding name as a string")),
        }
        at += 2;
    }
    match toks.get(at).map(|t| &t.token) {
        Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("FROM") => {}
        _ => return Err("expected FROM and the conversion function".into()),
    }
    let f = canonical_function(toks.get(at + 1..).unwrap_or_default(), deps)?;
    options.push(("FROM".to_string(), f));
    Ok(options)
}
