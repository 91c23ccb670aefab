//! How a column type change behaves: safe widening, narrowing that can lose or
//! reject data, or a conversion that needs `USING`.

use crate::model::ColumnType;

/// The nature of a type change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    /// Every old value fits the new type unchanged.
    Widening,
    /// Same family, smaller range or precision: values may be rejected or rounded.
    Narrowing,
    /// Different family: needs an explicit conversion, which may fail.
    Incompatible,
}

const INTEGERS: &[&str] = &["smallint", "integer", "bigint"];
const NUMBERS: &[&str] = &["smallint", "integer", "bigint", "numeric", "real", "double precision"];
const STRINGS: &[&str] = &["character", "character varying", "text"];

fn typmod_len(t: &ColumnType) -> Option<u64> {
    t.typmod.as_deref().and_then(|m| m.split(',').next()).and_then(|n| n.trim().parse().ok())
}

fn numeric_precision(t: &ColumnType) -> Option<(u64, u64)> {
    let m = t.typmod.as_deref()?;
    let mut parts = m.split(',').map(|p| p.trim().parse::<u64>().ok());
    let p = parts.next().flatten()?;
    let s = parts.next().flatten().unwrap_or(0);
    Some((p, s))
}

/// Classifies a change of column type.
pub fn classify(from: &ColumnType, to: &ColumnType) -> TypeChange {
    // Every type has a text form, so an unbounded string type takes any value.
    if from.array == to.array
        && to.schema.is_none()
        && (to.base == "text" || (to.base == "character varying" && to.typmod.is_none()))
    {
        return TypeChange::Widening;
    }
    if from.array != to.array || from.schema.is_some() || to.schema.is_some() {
        return if from == to { TypeChange::Widening } else { TypeChange::Incompatible };
    }
    let (f, t) = (from.base.as_str(), to.base.as_str());
    if INTEGERS.contains(&f) && INTEGERS.contains(&t) {
        let pos = |x| INTEGERS.iter().position(|i| *i == x);
        return if pos(t) >= pos(f) { TypeChange::Widening } else { TypeChange::Narrowing };
    }
    if INTEGERS.contains(&f) && t == "numeric" {
        return match numeric_precision(to) {
            None => TypeChange::Widening,
            Some(_) => TypeChange::Narrowing,
        };
    }
    if f == "numeric" && t == "numeric" {
        return match (numeric_precision(from), numeric_precision(to)) {
            (_, None) => TypeChange::Widening,
            (Some((p1, s1)), Some((p2, s2))) if s2 >= s1 && p2 - s2 >= p1 - s1 => TypeChange::Widening,
            _ => TypeChange::Narrowing,
        };
    }
    if (f == "real" || INTEGERS.contains(&f)) && t == "double precision" {
        return TypeChange::Widening;
    }
    if NUMBERS.contains(&f) && NUMBERS.contains(&t) {
        return TypeChange::Narrowing;
    }
    if STRINGS.contains(&f) && STRINGS.contains(&t) {
        let bounded = |x: &ColumnType| x.base != "text" && typmod_len(x).is_some();
        return match (bounded(from), bounded(to)) {
            (_, false) => TypeChange::Widening,
            (true, true) if typmod_len(to) >= typmod_len(from) && !(f == "character varying" && t == "character") => {
                TypeChange::Widening
            }
            _ => TypeChange::Narrowing,
        };
    }
    if f == t {
        // Same base, other modifiers (timestamp precision, bit length...).
        return match (typmod_len(from), typmod_len(to)) {
            (_, None) => TypeChange::Widening,
            (Some(a), Some(b)) if b >= a => TypeChange::Widening,
            _ => TypeChange::Narrowing,
        };
    }
    if (f == "timestamp without time zone" && t == "timestamp with time zone") || (f == "json" && t == "jsonb") {
        return TypeChange::Widening;
    }
    TypeChange::Incompatible
}

/// Whether `ALTER COLUMN ... TYPE` needs `USING col::type`: PostgreSQL applies an
/// assignment cast by itself only within numbers and towards strings.
pub fn needs_using(from: &ColumnType, to: &ColumnType) -> bool {
    if from.array != to.array {
        return true;
    }
    let (f, t) = (from.base.as_str(), to.base.as_str());
    if from.schema.is_some() || to.schema.is_some() {
        return from.base != to.base || from.schema != to.schema;
    }
    let same_family = (NUMBERS.contains(&f) && NUMBERS.contains(&t)) || STRINGS.contains(&t) || f == t;
    let known_assignment = matches!(
        (f, t),
        ("timestamp without time zone", "timestamp with time zone")
            | ("timestamp with time zone", "timestamp without time zone")
            | ("date", "timestamp without time zone")
            | ("date", "timestamp with time zone")
    );
    !(same_family || known_assignment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(base: &str, m: Option<&str>) -> ColumnType {
        ColumnType { base: base.into(), schema: None, typmod: m.map(Into::into), array: false }
    }

    #[test]
    fn classifies() {
        assert_eq!(classify(&t("integer", None), &t("bigint", None)), TypeChange::Widening);
        assert_eq!(classify(&t("bigint", None), &t("integer", None)), TypeChange::Narrowing);
        assert_eq!(
            classify(&t("character varying", Some("10")), &t("character varying", Some("20"))),
            TypeChange::Widening
        );
        assert_eq!(
            classify(&t("character varying", Some("20")), &t("character varying", Some("10"))),
            TypeChange::Narrowing
        );
        assert_eq!(classify(&t("text", None), &t("character varying", Some("10"))), TypeChange::Narrowing);
        assert_eq!(classify(&t("character varying", Some("10")), &t("text", None)), TypeChange::Widening);
        assert_eq!(classify(&t("numeric", Some("10,2")), &t("numeric", Some("12,2"))), TypeChange::Widening);
        assert_eq!(classify(&t("numeric", Some("10,2")), &t("numeric", Some("10,1"))), TypeChange::Narrowing);
        assert_eq!(classify(&t("text", None), &t("integer", None)), TypeChange::Incompatible);
        assert!(needs_using(&t("text", None), &t("integer", None)));
        assert!(!needs_using(&t("integer", None), &t("text", None)));
        assert!(!needs_using(&t("integer", None), &t("bigint", None)));
    }
}
