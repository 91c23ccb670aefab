//! Canonical forms of view queries. Two spellings of one query written in
//! files compare by sqlparser's printed form (case, spacing and comments
//! gone); against a live database the server decides (see `normalize`),
//! since PostgreSQL re-prints a view's query in its own words.

use sqlparser::ast::Query;

/// The key that decides whether two parsed queries are the same.
pub fn query_key(query: &Query) -> String {
    query.to_string()
}

/// The key of a query sqlparser could not read: its text with every run of
/// whitespace outside quotes made one space.
pub fn raw_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    for c in text.trim().chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => pending_space = true,
            None => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::raw_key;

    #[test]
    fn raw_key_keeps_quoted_whitespace() {
        assert_eq!(raw_key("  SELECT  a,\n\t'x  y'  FROM   t "), "SELECT a, 'x  y' FROM t");
        assert_ne!(raw_key("SELECT 'a b'"), raw_key("SELECT 'a  b'"));
    }
}
