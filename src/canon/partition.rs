//! Canonical partition keys and bound values, spelled the way PostgreSQL's
//! `pg_get_partkeydef` and `pg_get_expr(relpartbound)` print them, so that a
//! hand-written `FOR VALUES FROM ('2024-01-01')` and the catalog's
//! `FOR VALUES FROM ('2024-01-01 00:00:00')` on a timestamp key compare equal.

use sqlparser::ast::{Expr as SqlExpr, PartitionBoundValue, UnaryOperator, Value};

use super::expr::{canonical, Context};
use super::quote_literal;
use crate::model::{ColumnType, Expr};

/// A partition key's expression as `pg_get_partkeydef` prints it, in its
/// canonical text and as written: a column or a call (with any `COLLATE`)
/// bare, anything else in parentheses, as PostgreSQL's grammar for a key
/// requires.
pub fn key_text(expr: &SqlExpr, default_schema: &str) -> Expr {
    let mut inner = expr;
    while let SqlExpr::Nested(e) = inner {
        inner = e;
    }
    let bare = match inner {
        SqlExpr::Identifier(_) | SqlExpr::Function(_) => true,
        SqlExpr::Collate { expr, .. } => matches!(**expr, SqlExpr::Identifier(_) | SqlExpr::Function(_)),
        _ => false,
    };
    let e = canonical(expr, &Context { default_schema, column_type: None });
    let wrap = |text: String| if bare { text } else { format!("({text})") };
    Expr(wrap(e.0), e.1.map(wrap))
}

/// Operator classes that are their type's default for btree and hash, which
/// `pg_get_partkeydef` leaves out (the key's type is not known where the key
/// is read, but each of these is only the default of its own type).
const DEFAULT_OPCLASSES: &[&str] = &[
    "bit_ops",
    "bool_ops",
    "bpchar_ops",
    "bytea_ops",
    "char_ops",
    "date_ops",
    "enum_ops",
    "float4_ops",
    "float8_ops",
    "inet_ops",
    "int2_ops",
    "int4_ops",
    "int8_ops",
    "interval_ops",
    "jsonb_ops",
    "macaddr_ops",
    "money_ops",
    "name_ops",
    "numeric_ops",
    "oid_ops",
    "pg_lsn_ops",
    "text_ops",
    "time_ops",
    "timestamp_ops",
    "timestamptz_ops",
    "timetz_ops",
    "uuid_ops",
    "varbit_ops",
];

/// A key's operator class as `pg_get_partkeydef` prints it: `None` for a default one.
pub fn opclass_text(name: &str) -> Option<String> {
    let bare = name.strip_prefix("pg_catalog.").unwrap_or(name);
    (!DEFAULT_OPCLASSES.contains(&bare)).then(|| bare.to_string())
}

/// A bound value as PostgreSQL prints it for a key of type `ty` (unknown for
/// an expression key): the value's text in the type's own output form where
/// the parser knows it, quoted except for a non-negative `integer`, a
/// `numeric` with a point or exponent, and booleans (PostgreSQL's
/// `get_const_expr`). A spelling it cannot settle (a `timestamptz` depends
/// on the server's time zone) is kept as written, for a server to settle.
pub fn bound_value(v: &PartitionBoundValue, ty: Option<&ColumnType>) -> Result<String, String> {
    let e = match v {
        PartitionBoundValue::MinValue => return Ok("MINVALUE".into()),
        PartitionBoundValue::MaxValue => return Ok("MAXVALUE".into()),
        PartitionBoundValue::Expr(e) => e,
    };
    let text = literal_text(e).ok_or_else(|| format!("unsupported partition bound {e}: expected a literal"))?;
    let Some(text) = text else { return Ok("NULL".into()) };
    Ok(spell(&text, ty))
}

/// A bound value already in the server's output form, spelled for `ty`.
pub fn spell(text: &str, ty: Option<&ColumnType>) -> String {
    let base = ty.filter(|t| !t.array && t.schema.is_none()).map(|t| t.base.as_str());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match base {
        Some("integer") => match text.trim().parse::<i32>() {
            Ok(n) if n >= 0 => n.to_string(),
            Ok(n) => quote_literal(&n.to_string()),
            Err(_) => quote_literal(text),
        },
        Some("smallint" | "bigint") => match text.trim().parse::<i64>() {
            Ok(n) => quote_literal(&n.to_string()),
            Err(_) => quote_literal(text),
        },
        Some("numeric") => {
            let t = text.trim();
            let plain = t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
            if plain && t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(['.', 'e', 'E']) {
                t.to_string()
            } else {
                quote_literal(t)
            }
        }
        Some("boolean") => match text.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" | "y" => "true".into(),
            "f" | "false" | "no" | "off" | "0" | "n" => "false".into(),
            _ => quote_literal(text),
        },
        Some("timestamp without time zone") => {
            let t = text.trim();
            let b = t.as_bytes();
            let date_only = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(&t[..4]) && digits(&t[5..7]);
            if date_only {
                quote_literal(&format!("{t} 00:00:00"))
            } else {
                quote_literal(t)
            }
        }
        None if digits(text) => text.to_string(),
        _ => quote_literal(text),
    }
}

/// The text of a literal (`None` for NULL), looking through a cast.
fn literal_text(e: &SqlExpr) -> Option<Option<String>> {
    match e {
        SqlExpr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(Some(n.clone())),
            Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => Some(Some(s.clone())),
            Value::Boolean(b) => Some(Some(b.to_string())),
            Value::Null => Some(None),
            _ => None,
        },
        SqlExpr::UnaryOp { op: UnaryOperator::Minus, expr } => literal_text(expr)?.map(|n| Some(format!("-{n}"))),
        SqlExpr::Cast { expr, .. } | SqlExpr::Nested(expr) => literal_text(expr),
        // `date '2024-03-01'`: the key's type decides the spelling, as for a cast.
        SqlExpr::TypedString(t) => match &t.value.value {
            Value::SingleQuotedString(s) => Some(Some(s.clone())),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(base: &str) -> ColumnType {
        ColumnType::builtin(base)
    }

    #[test]
    fn values_are_spelled_as_postgresql_prints_them() {
        assert_eq!(spell("5", Some(&t("integer"))), "5");
        assert_eq!(spell("-5", Some(&t("integer"))), "'-5'");
        assert_eq!(spell("5", Some(&t("bigint"))), "'5'");
        assert_eq!(spell("1", Some(&t("numeric"))), "'1'");
        assert_eq!(spell("1.50", Some(&t("numeric"))), "1.50");
        assert_eq!(spell("-1.50", Some(&t("numeric"))), "'-1.50'");
        assert_eq!(spell("2024-01-01", Some(&t("timestamp without time zone"))), "'2024-01-01 00:00:00'");
        assert_eq!(spell("2024-01-01 10:00:00", Some(&t("timestamp without time zone"))), "'2024-01-01 10:00:00'");
        assert_eq!(spell("2024-01-01", Some(&t("date"))), "'2024-01-01'");
        assert_eq!(spell("it's", Some(&t("text"))), "'it''s'");
        assert_eq!(spell("t", Some(&t("boolean"))), "true");
    }
}
