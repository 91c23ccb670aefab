//! Identifier folding: the name PostgreSQL stores for a name as written.
//! Quoting lives in `crate::quote`.

use sqlparser::ast::Ident;

pub use crate::quote::{is_bare, quote_ident, quote_idents, quote_literal, quote_qualified, unquote};

/// The name PostgreSQL stores for an identifier as written: unquoted names fold
/// to lower case, quoted names keep their spelling.
pub fn fold(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_ascii_lowercase(),
    }
}

/// An identifier node carrying the canonical spelling (quoted only when needed).
pub fn canonical_ident(name: &str) -> Ident {
    if is_bare(name) {
        Ident::new(name)
    } else {
        Ident::with_quote('"', name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_unquoted_only() {
        assert_eq!(fold(&Ident::new("Users")), "users");
        assert_eq!(fold(&Ident::with_quote('"', "Users")), "Users");
    }
}
