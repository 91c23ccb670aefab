use serde::Serialize;
use std::fmt;

use super::{QualName, SeqType};
use crate::quote::quote_qualified;

/// An expression in canonical text form (see `canon::expr`): two expressions are
/// the same exactly when their canonical texts (`.0`) are equal. A check or an
/// index predicate read from a file also keeps its text as written (`.1`),
/// which is what a plan prints (`Display`): PostgreSQL stores the canonical
/// spelling differently from some written ones (`= ANY (ARRAY[...])` with
/// casts), and the database should hold what the file says.
#[derive(Debug, Clone)]
pub struct Expr(pub String, pub Option<String>);

impl Expr {
    /// An expression with no other written spelling than its canonical one.
    pub fn new(canonical: impl Into<String>) -> Self {
        Expr(canonical.into(), None)
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Expr {}

impl std::hash::Hash for Expr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1.as_deref().unwrap_or(&self.0))
    }
}

/// A column's type, in the parts `format_type` would print.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ColumnType {
    /// Canonical base name: `integer`, `character varying`, or a user type's name.
    pub base: String,
    /// Schema of a user-defined type; `None` for built-in types.
    pub schema: Option<String>,
    /// Type modifiers as written inside the parentheses, e.g. `255` or `10,2`.
    pub typmod: Option<String>,
    /// Number of array dimensions (PostgreSQL does not enforce the count, only arrayness).
    pub array: bool,
}

impl ColumnType {
    /// A built-in type without modifiers.
    pub fn builtin(base: &str) -> Self {
        ColumnType { base: base.to_string(), schema: None, typmod: None, array: false }
    }

    /// The built-in integer type this is (`smallint`, `integer` or `bigint`,
    /// not an array), as a sequence type: what an identity column may be.
    pub fn integer_type(&self) -> Option<SeqType> {
        if self.schema.is_some() || self.array {
            return None;
        }
        match self.base.as_str() {
            "smallint" => Some(SeqType::SmallInt),
            "integer" => Some(SeqType::Integer),
            "bigint" => Some(SeqType::BigInt),
            _ => None,
        }
    }

    /// The user-defined type this refers to, if any.
    pub fn custom(&self) -> Option<QualName> {
        self.schema.as_ref().map(|s| QualName::new(s.clone(), self.base.clone()))
    }

    /// The type without its modifiers, as used for literal casts (`'x'::character varying`).
    pub fn without_typmod(&self) -> ColumnType {
        // `character` alone means character(1); the unbounded type is bpchar.
        let base =
            if self.base == "character" && self.schema.is_none() { "bpchar".to_string() } else { self.base.clone() };
        ColumnType { base, typmod: None, ..self.clone() }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = match &self.schema {
            Some(schema) => quote_qualified(schema, &self.base),
            None => {
                // format_type puts the precision of time types before the zone words.
                let (head, tail) = match self.base.split_once(" with") {
                    Some((h, t)) if self.base.starts_with("time") => (h, format!(" with{t}")),
                    _ => (self.base.as_str(), String::new()),
                };
                match &self.typmod {
                    Some(m) => format!("{head}({m}){tail}"),
                    None => format!("{head}{tail}"),
                }
            }
        };
        if self.schema.is_some() {
            if let Some(m) = &self.typmod {
                out.push_str(&format!("({m})"));
            }
        }
        if self.array {
            out.push_str("[]");
        }
        f.write_str(&out)
    }
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumType {
    /// Its qualified name.
    pub name: QualName,
    /// Labels in sort order.
    pub labels: Vec<String>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
}

/// A domain: a base type with a default, NOT NULL and named checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Domain {
    /// Its qualified name.
    pub name: QualName,
    /// The base type.
    pub base: ColumnType,
    /// `COLLATE`, when it differs from the base type's.
    pub collation: Option<String>,
    /// `DEFAULT`, canonical.
    pub default: Option<Expr>,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `CHECK` constraints by name (expressions over `VALUE`), canonical.
    pub checks: super::Map<String, Expr>,
    /// `COMMENT ON DOMAIN`.
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_format_type() {
        let mut t = ColumnType::builtin("timestamp without time zone");
        t.typmod = Some("3".into());
        assert_eq!(t.to_string(), "timestamp(3) without time zone");
        let mut v = ColumnType::builtin("character varying");
        v.typmod = Some("255".into());
        v.array = true;
        assert_eq!(v.to_string(), "character varying(255)[]");
        let e = ColumnType { base: "Mood".into(), schema: Some("public".into()), typmod: None, array: false };
        assert_eq!(e.to_string(), "public.\"Mood\"");
    }
}
