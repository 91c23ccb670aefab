//! What a column type change does to existing values (`type_rules` holds
//! the table of built-in types; arrays, domains and enums are reduced to it
//! here), and whether `ALTER COLUMN ... TYPE` needs `USING`.

use crate::model::{Catalog, ColumnType};

pub use super::type_rules::Class;
use super::type_rules::{lookup, Pair, DEFAULT, RULES};

/// A type change's class and the reason, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What happens to values.
    pub class: Class,
    /// Why.
    pub reason: String,
    /// The row of `type_rules::RULES` that decided, if one did.
    pub rule: Option<usize>,
}

impl Verdict {
    fn new(class: Class, reason: impl Into<String>) -> Self {
        Verdict { class, reason: reason.into(), rule: None }
    }

    fn rule(p: &Pair) -> Self {
        match lookup(p) {
            Some(i) => Verdict { class: RULES[i].class, reason: RULES[i].reason.into(), rule: Some(i) },
            None => Verdict::new(DEFAULT.0, DEFAULT.1),
        }
    }

    /// The worse of two verdicts (the first one's reason when they tie).
    fn max(self, other: Verdict) -> Verdict {
        if other.class > self.class {
            other
        } else {
            self
        }
    }
}

/// What PostgreSQL makes of a user type, from the catalog that holds it.
enum UserType<'a> {
    Enum,
    Domain {
        base: &'a ColumnType,
        constrained: bool,
    },
    /// A composite or range type, or one the catalog does not hold.
    Other,
}

fn user_type<'a>(t: &ColumnType, catalog: &'a Catalog) -> Option<UserType<'a>> {
    let name = t.custom()?;
    Some(if catalog.enums.contains_key(&name) {
        UserType::Enum
    } else if let Some(d) = catalog.domains.get(&name) {
        UserType::Domain { base: &d.base, constrained: d.not_null || !d.checks.is_empty() }
    } else {
        UserType::Other
    })
}

/// Classifies a change of column type between built-in types (user types
/// are taken as unknown: may fail).
pub fn classify(from: &ColumnType, to: &ColumnType) -> Verdict {
    let empty = Catalog::default();
    classify_in(from, to, &empty, &empty)
}

/// Classifies a change of column type; `from` is looked up in `from_cat`
/// and `to` in `to_cat` (domains stand for their base type, enums for their
/// labels).
pub fn classify_in(from: &ColumnType, to: &ColumnType, from_cat: &Catalog, to_cat: &Catalog) -> Verdict {
    if from == to {
        return Verdict::new(Class::Safe, "the type does not change");
    }
    // The plan's conversion: an explicit cast when it writes USING.
    let explicit = needs_using(from, to);
    let as_array = |t: &ColumnType, array: bool| ColumnType { array, ..t.clone() };
    // A domain converts as its base type does, then checks its constraints.
    if let Some(UserType::Domain { base, .. }) = user_type(from, from_cat) {
        let base = as_array(base, from.array || base.array);
        return classify_with(&base, to, true, to_cat);
    }
    classify_with(from, to, explicit, to_cat)
}

fn classify_with(from: &ColumnType, to: &ColumnType, explicit: bool, to_cat: &Catalog) -> Verdict {
    let string = |t: &ColumnType| t.schema.is_none() && STRINGS.contains(&t.base.as_str());
    match user_type(to, to_cat) {
        Some(UserType::Domain { base, constrained }) => {
            let base = ColumnType { array: to.array || base.array, ..base.clone() };
            let verdict = classify_with(from, &base, explicit, to_cat);
            return if constrained {
                verdict.max(Verdict::new(Class::MayFail, "a value that breaks the domain's constraints is refused"))
            } else {
                verdict
            };
        }
        Some(UserType::Enum) if string(from) && from.array == to.array => {
            return Verdict::new(Class::MayFail, "a string that is not one of the labels is refused")
        }
        Some(_) => return Verdict::new(Class::MayFail, "PostgreSQL refuses what does not convert"),
        None => {}
    }
    if from.custom().is_some() {
        // An enum, composite or range type becomes its text form.
        return if string(to) {
            builtin(&ColumnType { array: from.array, ..ColumnType::builtin("record") }, to, explicit)
        } else {
            Verdict::new(Class::MayFail, "PostgreSQL refuses what does not convert")
        };
    }
    if *from == *to {
        return Verdict::new(Class::Safe, "the type does not change");
    }
    builtin(from, to, explicit)
}

const STRINGS: [&str; 5] = ["text", "character varying", "character", "bpchar", "name"];

/// Built-in types, arrays included.
fn builtin(from: &ColumnType, to: &ColumnType, explicit: bool) -> Verdict {
    let element = |t: &ColumnType| ColumnType { array: false, ..t.clone() };
    let string_target = to.schema.is_none() && STRINGS.contains(&to.base.as_str());
    if from.array == to.array {
        // Arrays convert element by element.
        Verdict::rule(&Pair { from: &element(from), to: &element(to), explicit })
    } else if from.array && string_target {
        // An array's text form holds its elements' text forms.
        Verdict::rule(&Pair { from: &element(from), to, explicit })
    } else if !from.array && from.schema.is_none() && STRINGS.contains(&from.base.as_str()) {
        // A string is read as an array literal, each element by its type.
        Verdict::rule(&Pair { from, to: &element(to), explicit })
            .max(Verdict::new(Class::MayFail, "a string that is not an array literal is refused"))
    } else {
        Verdict::new(
            Class::MayFail,
            "PostgreSQL has no cast between an array and a single value: it refuses the change",
        )
    }
}

/// Built-in pairs with an implicit or assignment cast (`pg_cast`'s
/// `castcontext` `i` or `a`), besides those within a type and towards
/// strings: `ALTER COLUMN ... TYPE` uses them without `USING`.
const ASSIGNMENT_CASTS: &[(&[&str], &[&str])] = &[
    (
        &["smallint", "integer", "bigint", "numeric", "real", "double precision"],
        &["smallint", "integer", "bigint", "numeric", "real", "double precision"],
    ),
    (&["integer", "bigint", "numeric"], &["money"]),
    (&["money"], &["numeric"]),
    (&["text", "character varying", "character"], &["\"char\""]),
    (&["cidr"], &["inet"]),
    (&["inet"], &["cidr"]),
    (&["date"], &["timestamp without time zone", "timestamp with time zone"]),
    (
        &["timestamp without time zone", "timestamp with time zone"],
        &["timestamp without time zone", "timestamp with time zone", "date", "time without time zone"],
    ),
    (&["timestamp with time zone"], &["time with time zone"]),
    (&["time without time zone"], &["interval", "time with time zone"]),
    (&["interval", "time with time zone"], &["time without time zone"]),
    (&["json", "jsonb"], &["json", "jsonb"]),
    (&["macaddr", "macaddr8"], &["macaddr", "macaddr8"]),
    (&["bit", "bit varying"], &["bit", "bit varying"]),
];

/// Whether `ALTER COLUMN ... TYPE` needs `USING col::type`: PostgreSQL
/// converts by itself only where an assignment cast exists. Without `USING`
/// a length limit refuses a longer value; an explicit cast would cut it.
pub fn needs_using(from: &ColumnType, to: &ColumnType) -> bool {
    if from.array != to.array {
        return true;
    }
    let (f, t) = (from.base.as_str(), to.base.as_str());
    if from.schema.is_some() || to.schema.is_some() {
        return from.base != to.base || from.schema != to.schema;
    }
    // Any type converts to a string type through its text form.
    let to_string = matches!(t, "text" | "character varying" | "character" | "bpchar" | "name");
    let cast = ASSIGNMENT_CASTS.iter().any(|(a, b)| a.contains(&f) && b.contains(&t));
    !(f == t || to_string || cast)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(base: &str, m: Option<&str>) -> ColumnType {
        ColumnType { base: base.into(), schema: None, typmod: m.map(Into::into), array: false }
    }

    fn class(from: ColumnType, to: ColumnType) -> Class {
        classify(&from, &to).class
    }

    #[test]
    fn classifies_the_issue_pairs_as_data_loss() {
        let ts = "timestamp without time zone";
        let tstz = "timestamp with time zone";
        for (from, to) in [
            (t("text", None), t("name", None)),
            (t("text", None), t("\"char\"", None)),
            (t(ts, None), t("date", None)),
            (t("bigint", None), t("double precision", None)),
            (t("json", None), t("jsonb", None)),
            (t(tstz, None), t(ts, None)),
            (t("numeric", Some("10,2")), t("numeric", Some("10,1"))),
            (t(ts, Some("6")), t(ts, Some("0"))),
            (t("character varying", Some("20")), t("character varying", Some("10"))),
        ] {
            assert_eq!(class(from.clone(), to.clone()), Class::DataLoss, "{from} -> {to}");
        }
    }

    #[test]
    fn classifies_widening_and_refusals() {
        assert_eq!(class(t("integer", None), t("bigint", None)), Class::Safe);
        assert_eq!(class(t("bigint", None), t("integer", None)), Class::MayFail);
        assert_eq!(class(t("integer", None), t("numeric", Some("10,0"))), Class::Safe);
        assert_eq!(class(t("integer", None), t("numeric", Some("10,2"))), Class::MayFail);
        assert_eq!(class(t("bigint", None), t("numeric", Some("21,2"))), Class::Safe);
        assert_eq!(class(t("character varying", Some("10")), t("character varying", Some("20"))), Class::Safe);
        assert_eq!(class(t("character varying", Some("10")), t("text", None)), Class::Safe);
        assert_eq!(class(t("text", None), t("integer", None)), Class::MayFail);
        assert_eq!(class(t("real", None), t("double precision", None)), Class::Noted);
        assert_eq!(class(t("timestamp without time zone", None), t("timestamp with time zone", None)), Class::Noted);
        let arr = |b: &str| ColumnType { array: true, ..t(b, None) };
        assert_eq!(class(arr("integer"), arr("bigint")), Class::Safe);
        assert_eq!(class(arr("bigint"), arr("real")), Class::DataLoss);
        assert_eq!(class(t("integer", None), arr("integer")), Class::MayFail);
    }

    #[test]
    fn using_only_without_an_assignment_cast() {
        assert!(needs_using(&t("text", None), &t("integer", None)));
        assert!(!needs_using(&t("integer", None), &t("text", None)));
        assert!(!needs_using(&t("integer", None), &t("bigint", None)));
        assert!(!needs_using(&t("bit", Some("5")), &t("bit varying", Some("3"))));
        assert!(!needs_using(&t("json", None), &t("jsonb", None)));
        assert!(needs_using(&t("text", None), &t("bit", Some("3"))));
    }

    #[test]
    fn the_readme_prints_the_table() {
        let readme = include_str!("../../README.md");
        let table = super::super::type_rules::markdown();
        assert!(readme.contains(&table), "README.md's \"Type changes\" table is stale; it should read:\n{table}");
    }
}
