//! sqlparser's syntax trees and tokens printed safely.
//!
//! sqlparser prints a string literal from a guess at how it was escaped (a
//! quote after a backslash is taken as already escaped), which lets a value
//! such as `y\'; DROP TABLE victim; --` end its string early, and prints
//! quoted identifiers the same way. Every tree or token pgstate turns into
//! text goes through here instead: each string literal is printed from its
//! decoded value by `quote_literal`, each quoted identifier by
//! `quote_ident_always`; the rest is sqlparser's own printing.

use std::fmt::Display;
use std::ops::ControlFlow;

use sqlparser::ast::{Ident, Value, ValueWithSpan, VisitMut, VisitorMut};
use sqlparser::tokenizer::Token;

use super::{quote_ident_always, quote_literal};

/// The SQL text of a syntax tree (an expression, a query, a statement), with
/// every literal and quoted name printed by the quoting functions.
pub fn sql<T: VisitMut + Display + Clone>(node: &T) -> String {
    let mut node = node.clone();
    let _ = node.visit(&mut Requote);
    node.to_string()
}

/// The SQL text of one token, literals and quoted names printed by the
/// quoting functions (sqlparser prints a string token's value raw).
pub fn token(t: &Token) -> String {
    match t {
        Token::Word(w) if w.quote_style.is_some() => quote_ident_always(&w.value),
        Token::DoubleQuotedString(s) => quote_ident_always(s),
        other => match string_value(other) {
            Some(text) => text,
            None => other.to_string(),
        },
    }
}

/// Tokens joined by single spaces, each printed by [`token`].
pub fn tokens<'a>(ts: impl IntoIterator<Item = &'a Token>) -> String {
    ts.into_iter().map(token).collect::<Vec<_>>().join(" ")
}

/// Source text kept as written (a query sqlparser cannot read), with each
/// string literal and quoted name among `tokens` (each with its byte range in
/// `text`, in order) printed again from its value; whitespace, comments and
/// every other token stay exactly as written.
pub fn respell<'a>(text: &str, tokens: impl IntoIterator<Item = (std::ops::Range<usize>, &'a Token)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, t) in tokens {
        let needs = matches!(t, Token::Word(w) if w.quote_style.is_some()) || string_value(t).is_some();
        if !needs || range.start < at || range.end > text.len() {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&token(t));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The printed literal of a string token, `None` for other tokens.
fn string_value(t: &Token) -> Option<String> {
    match t {
        Token::SingleQuotedString(s)
        | Token::EscapedStringLiteral(s)
        | Token::UnicodeStringLiteral(s)
        | Token::TripleSingleQuotedString(s)
        | Token::TripleDoubleQuotedString(s) => Some(quote_literal(s)),
        Token::DollarQuotedString(d) => Some(quote_literal(&d.value)),
        Token::NationalStringLiteral(s) => Some(format!("{}::bpchar", quote_literal(s))),
        Token::HexStringLiteral(s) => Some(bit_string('X', s, |c| c.is_ascii_hexdigit())),
        Token::SingleQuotedByteStringLiteral(s) => Some(bit_string('B', s, |c| c == '0' || c == '1')),
        _ => None,
    }
}

/// `X'1F'` / `B'101'` when the digits are what such a literal may hold; any
/// other content (which PostgreSQL would refuse) as a plain string cast to a
/// bit string, so it still cannot end its quotes early.
fn bit_string(prefix: char, digits: &str, ok: impl Fn(char) -> bool) -> String {
    if digits.chars().all(ok) {
        format!("{prefix}'{digits}'")
    } else {
        format!("{}::bit varying", quote_literal(digits))
    }
}

/// Rewrites literals and quoted names into placeholders that print verbatim
/// (sqlparser prints `Value::Placeholder` and an unquoted `Ident` as they are).
struct Requote;

impl VisitorMut for Requote {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        let text = match &value.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::UnicodeStringLiteral(s)
            | Value::TripleSingleQuotedString(s)
            | Value::TripleDoubleQuotedString(s) => quote_literal(s),
            Value::DollarQuotedString(d) => quote_literal(&d.value),
            Value::NationalStringLiteral(s) => format!("{}::bpchar", quote_literal(s)),
            Value::HexStringLiteral(s) => bit_string('X', s, |c| c.is_ascii_hexdigit()),
            Value::SingleQuotedByteStringLiteral(s) => bit_string('B', s, |c| c == '0' || c == '1'),
            Value::DoubleQuotedString(s) => quote_ident_always(s),
            _ => return ControlFlow::Continue(()),
        };
        value.value = Value::Placeholder(text);
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<()> {
        if ident.quote_style.is_some() {
            *ident = Ident::new(quote_ident_always(&ident.value));
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn expr(text: &str) -> String {
        let e = Parser::new(&PostgreSqlDialect {}).try_with_sql(text).unwrap().parse_expr().unwrap();
        sql(&e)
    }

    #[test]
    fn a_backslash_before_a_quote_stays_inside_the_string() {
        assert_eq!(expr(r"'y\''; COMMIT; DROP TABLE victim; --'"), r"E'y\\''; COMMIT; DROP TABLE victim; --'");
        assert_eq!(expr(r"E'a\'b' || 'c''''d'"), r"'a''b' || 'c''''d'");
        assert_eq!(expr("$q$it's$q$"), "'it''s'");
    }

    #[test]
    fn quoted_names_are_printed_from_their_value() {
        assert_eq!(expr(r#""a\""" + "x""y""#), r#""a\""" + "x""y""#);
        assert_eq!(expr("\"a\nb\""), "U&\"a\\000Ab\"");
    }

    #[test]
    fn respelled_text_keeps_all_but_literals() {
        let text = "SELECT 'a\\'';DROP' /* c */ ,\n \"x\"";
        let lit = text.find('\'').unwrap()..text.find(" /*").unwrap();
        let name = text.find('"').unwrap()..text.len();
        let toks = [(lit, Token::SingleQuotedString("a\\';DROP".into())), (name, Token::make_word("x", Some('"')))];
        assert_eq!(respell(text, toks.iter().map(|(r, t)| (r.clone(), t))), "SELECT E'a\\\\'';DROP' /* c */ ,\n \"x\"");
    }

    #[test]
    fn tokens_print_literals_from_their_value() {
        assert_eq!(token(&Token::SingleQuotedString("a'b\\".into())), "E'a''b\\\\'");
        assert_eq!(token(&Token::HexStringLiteral("1F".into())), "X'1F'");
        assert_eq!(token(&Token::HexStringLiteral("1'".into())), "'1'''::bit varying");
    }
}
