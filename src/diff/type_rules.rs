//! The table of built-in type changes: for each (from, to) pattern, what
//! PostgreSQL's conversion does to existing values, and why. One row per
//! case, first match wins; `README.md` prints the same table (a test keeps
//! the two equal). Every row is checked on PostgreSQL with boundary values by
//! `tests/type_changes.rs`.

use crate::model::ColumnType;

/// What a type change does to the values a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Every value is kept: it reads back the same, or casts back to the same.
    Safe,
    /// Every value is kept (under PostgreSQL's default settings), but the way
    /// it reads back changes, or depends on the session running the plan:
    /// the plan says how.
    Noted,
    /// PostgreSQL refuses a value it cannot convert (the step fails and rolls
    /// back); it never alters one silently.
    MayFail,
    /// Some values are altered silently: truncated, rounded, merged or shifted.
    DataLoss,
}

impl Class {
    /// The word used in the README's table.
    pub fn label(self) -> &'static str {
        match self {
            Class::Safe => "safe",
            Class::Noted => "safe, noted",
            Class::MayFail => "may fail",
            Class::DataLoss => "data loss",
        }
    }
}

/// A type change seen by the rules: two built-in, non-array types, and
/// whether the plan converts with an explicit cast (`USING col::type`),
/// which truncates to a length where an assignment cast would refuse.
pub struct Pair<'a> {
    /// The old type.
    pub from: &'a ColumnType,
    /// The new type.
    pub to: &'a ColumnType,
    /// Whether the conversion is an explicit cast.
    pub explicit: bool,
}

/// One row of the table.
pub struct Rule {
    /// The old type, as the README prints it.
    pub from: &'static str,
    /// The new type, as the README prints it.
    pub to: &'static str,
    /// What happens to values.
    pub class: Class,
    /// Why, in words.
    pub reason: &'static str,
    /// Whether the row covers a pair.
    pub applies: fn(&Pair) -> bool,
}

const INTS: [&str; 3] = ["smallint", "integer", "bigint"];
const FLOATS: [&str; 2] = ["real", "double precision"];
/// Types whose values are strings (and read back as the string).
const STRINGS: [&str; 5] = ["text", "character varying", "character", "bpchar", "name"];
/// Types whose text is the value as written, trailing spaces included.
const TEXTS: [&str; 5] = ["text", "character varying", "name", "json", "xml"];
/// Time types with a fractional-seconds precision (6 when not given).
const TIMES: [&str; 5] = [
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "time with time zone",
    "interval",
];
/// What a string parses into exactly: the input function refuses what is
/// not a value of the type, and keeps every digit or character of what is.
const EXACT_PARSE: [&str; 9] =
    ["smallint", "integer", "bigint", "numeric", "uuid", "json", "xml", "macaddr", "bit varying"];

fn base(t: &ColumnType) -> &str {
    t.base.as_str()
}

fn is(t: &ColumnType, names: &[&str]) -> bool {
    names.contains(&t.base.as_str())
}

fn int_rank(t: &ColumnType) -> Option<usize> {
    INTS.iter().position(|i| *i == t.base)
}

/// Decimal digits of the largest value of an integer type.
fn int_digits(t: &ColumnType) -> u64 {
    match base(t) {
        "smallint" => 5,
        "integer" => 10,
        _ => 19,
    }
}

/// The first type modifier: a length, or a precision.
fn len(t: &ColumnType) -> Option<u64> {
    t.typmod.as_deref().and_then(|m| m.split(',').next()).and_then(|n| n.trim().parse().ok())
}

/// `numeric(p,s)` as (p, s); `None` for unconstrained numeric.
fn numeric(t: &ColumnType) -> Option<(u64, u64)> {
    let m = t.typmod.as_deref()?;
    let mut parts = m.split(',').map(|p| p.trim().parse::<u64>().ok());
    let p = parts.next().flatten()?;
    Some((p, parts.next().flatten().unwrap_or(0)))
}

/// Fractional digits of seconds a time type keeps (6 when not given).
fn frac(t: &ColumnType) -> u64 {
    len(t).unwrap_or(6)
}

/// `text`, or `varchar` without a length: any string fits.
fn unbounded(t: &ColumnType) -> bool {
    base(t) == "text" || (base(t) == "character varying" && t.typmod.is_none())
}

/// A string type with a length limit.
fn bounded(t: &ColumnType) -> bool {
    matches!(base(t), "character varying" | "character") && len(t).is_some()
}

/// `to` holds at least as many characters as `from` (an unbounded `to` does).
fn longer(from: &ColumnType, to: &ColumnType) -> bool {
    match (len(from), len(to)) {
        (_, None) => true,
        (Some(a), Some(b)) => b >= a,
        (None, Some(_)) => false,
    }
}

fn either(p: &Pair, f: &[&str], t: &[&str]) -> bool {
    is(p.from, f) && is(p.to, t)
}

fn pair(p: &Pair, f: &str, t: &str) -> bool {
    base(p.from) == f && base(p.to) == t
}

/// The rules, first match wins. Not listed: data loss (see `DEFAULT`).
pub static RULES: &[Rule] = &[
    // Integers and numbers.
    Rule {
        from: "smallint, integer, bigint",
        to: "a wider or equal integer",
        class: Class::Safe,
        reason: "a wider integer holds every value",
        applies: |p| matches!((int_rank(p.from), int_rank(p.to)), (Some(a), Some(b)) if b >= a),
    },
    Rule {
        from: "bigint, integer",
        to: "a narrower integer",
        class: Class::MayFail,
        reason: "a value out of range is refused (integer out of range)",
        applies: |p| int_rank(p.from).is_some() && int_rank(p.to).is_some(),
    },
    Rule {
        from: "smallint, integer, bigint",
        to: "numeric, or numeric(p,s) with p - s >= 5, 10, 19 digits",
        class: Class::Safe,
        reason: "numeric holds every integer exactly, with room for the longest one",
        applies: |p| {
            int_rank(p.from).is_some()
                && base(p.to) == "numeric"
                && numeric(p.to).is_none_or(|(pr, s)| pr.saturating_sub(s) >= int_digits(p.from))
        },
    },
    Rule {
        from: "smallint, integer, bigint",
        to: "numeric(p,s) with less room",
        class: Class::MayFail,
        reason:
            "a value with more digits than the new type allows before the point is refused (numeric field overflow)",
        applies: |p| int_rank(p.from).is_some() && base(p.to) == "numeric",
    },
    Rule {
        from: "smallint; smallint, integer",
        to: "real; double precision",
        class: Class::Safe,
        reason: "the float's mantissa (24, 53 bits) holds every value exactly",
        applies: |p| pair(p, "smallint", "real") || either(p, &["smallint", "integer"], &["double precision"]),
    },
    Rule {
        from: "integer, bigint",
        to: "real, double precision",
        class: Class::DataLoss,
        reason: "values beyond 2^24 (real) or 2^53 (double) are rounded: 9007199254740993 becomes 9007199254740992",
        applies: |p| int_rank(p.from).is_some() && is(p.to, &FLOATS),
    },
    Rule {
        from: "boolean",
        to: "integer",
        class: Class::Safe,
        reason: "true becomes 1, false 0",
        applies: |p| pair(p, "boolean", "integer"),
    },
    Rule {
        from: "integer",
        to: "boolean",
        class: Class::DataLoss,
        reason: "every value but 0 becomes true",
        applies: |p| pair(p, "integer", "boolean"),
    },
    Rule {
        from: "numeric(p,s), numeric",
        to: "numeric, or numeric(p2,s2) with s2 >= s and p2 - s2 >= p - s",
        class: Class::Safe,
        reason: "every value fits with all its digits",
        applies: |p| {
            pair(p, "numeric", "numeric")
                && match (numeric(p.from), numeric(p.to)) {
                    (_, None) => true,
                    (Some((p1, s1)), Some((p2, s2))) => s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1),
                    (None, Some(_)) => false,
                }
        },
    },
    Rule {
        from: "numeric(p,s)",
        to: "numeric(p2,s2) with s2 >= s and p2 - s2 < p - s",
        class: Class::MayFail,
        reason:
            "a value with more digits than the new type allows before the point is refused (numeric field overflow)",
        applies: |p| {
            pair(p, "numeric", "numeric")
                && matches!((numeric(p.from), numeric(p.to)), (Some((_, s1)), Some((_, s2))) if s2 >= s1)
        },
    },
    Rule {
        from: "numeric, numeric(p,s)",
        to: "numeric(p2,s2) with a smaller scale",
        class: Class::DataLoss,
        reason: "digits beyond the new scale are rounded: 1.25 becomes 1.3",
        applies: |p| pair(p, "numeric", "numeric"),
    },
    Rule {
        from: "numeric, real, double precision",
        to: "smallint, integer, bigint",
        class: Class::DataLoss,
        reason: "fractions are rounded: 2.5 becomes 3",
        applies: |p| is(p.from, &["numeric", "real", "double precision"]) && int_rank(p.to).is_some(),
    },
    Rule {
        from: "numeric",
        to: "real, double precision",
        class: Class::DataLoss,
        reason: "values are rounded to 6 (real) or 15 (double) significant digits",
        applies: |p| base(p.from) == "numeric" && is(p.to, &FLOATS),
    },
    Rule {
        from: "real",
        to: "double precision",
        class: Class::Noted,
        reason: "every real is exactly a double, but reads back with the digits it really has: 0.1 becomes \
                 0.10000000149011612",
        applies: |p| pair(p, "real", "double precision"),
    },
    Rule {
        from: "real, double precision",
        to: "numeric, real",
        class: Class::DataLoss,
        reason: "values are rounded to 6 (real) or 15 (double) significant digits: 9007199254740993 becomes \
                 9007199254740990 in numeric",
        applies: |p| is(p.from, &FLOATS) && is(p.to, &["numeric", "real"]),
    },
    // Strings.
    Rule {
        from: "text, varchar(n), name",
        to: "text, varchar, varchar(m) with m >= n",
        class: Class::Safe,
        reason: "every string fits unchanged",
        applies: |p| {
            let varchar = |t: &ColumnType| base(t) == "character varying" && len(t).is_some();
            is(p.from, &["text", "character varying", "name"])
                && (unbounded(p.to) || (varchar(p.from) && varchar(p.to) && longer(p.from, p.to)))
        },
    },
    Rule {
        from: "character(n)",
        to: "character(m) with m >= n",
        class: Class::Safe,
        reason: "more padding; character(n) ignores trailing spaces, so every value is the same",
        applies: |p| pair(p, "character", "character") && longer(p.from, p.to),
    },
    Rule {
        from: "character(n)",
        to: "text, varchar, varchar(m) with m >= n",
        class: Class::Noted,
        reason: "the padding goes: 'ab   ' reads back as 'ab' (character(n) ignores trailing spaces, so no value \
                 is lost, but text compares them)",
        applies: |p| {
            base(p.from) == "character"
                && (unbounded(p.to) || (base(p.to) == "character varying" && longer(p.from, p.to)))
        },
    },
    Rule {
        from: "character(n)",
        to: "character(m), varchar(m) with m < n",
        class: Class::MayFail,
        reason: "a value longer than the new length (trailing spaces aside) is refused (value too long)",
        applies: |p| base(p.from) == "character" && bounded(p.to) && !p.explicit,
    },
    Rule {
        from: "any type, converted with USING",
        to: "character(n), varchar(n)",
        class: Class::DataLoss,
        reason: "the explicit cast cuts a longer value to the new length silently",
        applies: |p| bounded(p.to) && p.explicit,
    },
    Rule {
        from: "text, varchar, name, json, xml",
        to: "varchar(n)",
        class: Class::DataLoss,
        reason: "a longer value is refused, but trailing spaces past the new length are cut silently",
        applies: |p| base(p.to) == "character varying" && bounded(p.to) && is(p.from, &TEXTS),
    },
    Rule {
        from: "text, varchar, name, json, xml",
        to: "character(n)",
        class: Class::DataLoss,
        reason: "values are padded with spaces, which stop counting: 'ab ' and 'ab' become one value",
        applies: |p| base(p.to) == "character" && is(p.from, &TEXTS),
    },
    Rule {
        from: "text, varchar, character(n), json, xml",
        to: "name",
        class: Class::DataLoss,
        reason: "values are cut to 63 bytes silently",
        applies: |p| is(p.from, &STRINGS) && base(p.to) == "name",
    },
    Rule {
        from: "text, varchar, character(n)",
        to: "\"char\"",
        class: Class::DataLoss,
        reason: "only the first byte is kept: 'hello' becomes 'h'",
        applies: |p| is(p.from, &STRINGS) && base(p.to) == "\"char\"",
    },
    // The text form of other types.
    Rule {
        from: "real, double precision",
        to: "text, varchar",
        class: Class::Noted,
        reason: "exact under extra_float_digits >= 1 (PostgreSQL's default); a session with a lower setting \
                 writes 15 significant digits",
        applies: |p| is(p.from, &FLOATS) && unbounded(p.to),
    },
    Rule {
        from: "timestamp with time zone, time with time zone",
        to: "text, varchar",
        class: Class::Noted,
        reason: "written in the TimeZone of the session running the plan (the instant is kept)",
        applies: |p| is(p.from, &["timestamp with time zone", "time with time zone"]) && unbounded(p.to),
    },
    Rule {
        from: "any other type",
        to: "text, varchar",
        class: Class::Safe,
        reason: "the new value is the old one's text form, which holds all of it",
        applies: |p| unbounded(p.to),
    },
    Rule {
        from: "any other type",
        to: "character(n), varchar(n)",
        class: Class::MayFail,
        reason: "a text form longer than the new length is refused (value too long)",
        applies: |p| bounded(p.to),
    },
    // Strings parsed into other types.
    Rule {
        from: "text, varchar, character(n), name",
        to: "smallint, integer, bigint, numeric, uuid, json, xml, macaddr, bit varying",
        class: Class::MayFail,
        reason: "a string that does not read as a value is refused; one that does keeps every digit and \
                 character (its spelling may change: ' 012' becomes 12)",
        applies: |p| is(p.from, &STRINGS) && is(p.to, &EXACT_PARSE) && numeric(p.to).is_none() && len(p.to).is_none(),
    },
    Rule {
        from: "text, varchar, character(n), name",
        to: "jsonb",
        class: Class::DataLoss,
        reason: "duplicate keys are merged (the last wins); key order and whitespace are lost",
        applies: |p| is(p.from, &STRINGS) && base(p.to) == "jsonb",
    },
    // Dates and times.
    Rule {
        from: "date",
        to: "timestamp",
        class: Class::Safe,
        reason: "a date becomes midnight of that day",
        applies: |p| pair(p, "date", "timestamp without time zone"),
    },
    Rule {
        from: "date, timestamp(p)",
        to: "timestamptz(q), q >= p",
        class: Class::Noted,
        reason: "local times are read in the TimeZone of the session running the plan: exact in UTC; in a zone \
                 with daylight saving, a time in the skipped hour moves an hour on",
        applies: |p| {
            base(p.to) == "timestamp with time zone"
                && (base(p.from) == "date"
                    || (base(p.from) == "timestamp without time zone" && frac(p.to) >= frac(p.from)))
        },
    },
    Rule {
        from: "timestamptz",
        to: "timestamp",
        class: Class::DataLoss,
        reason: "instants become local times of the session's TimeZone: the offset is lost, and the hour repeated \
                 when daylight saving ends turns two instants into one",
        applies: |p| pair(p, "timestamp with time zone", "timestamp without time zone"),
    },
    Rule {
        from: "timestamp(p), timestamptz(p), time(p), timetz(p), interval(p)",
        to: "the same type with q >= p",
        class: Class::Safe,
        reason: "every fractional digit is kept",
        applies: |p| base(p.from) == base(p.to) && is(p.from, &TIMES) && frac(p.to) >= frac(p.from),
    },
    Rule {
        from: "timestamp(p), timestamptz(p), time(p), timetz(p), interval(p)",
        to: "the same type with q < p",
        class: Class::DataLoss,
        reason: "fractional seconds beyond the new precision are rounded",
        applies: |p| base(p.from) == base(p.to) && is(p.from, &TIMES),
    },
    Rule {
        from: "time",
        to: "interval",
        class: Class::Safe,
        reason: "a time of day is that long after midnight",
        applies: |p| pair(p, "time without time zone", "interval") && frac(p.to) >= frac(p.from),
    },
    Rule {
        from: "time",
        to: "timetz",
        class: Class::Noted,
        reason: "the UTC offset of the session running the plan is attached",
        applies: |p| pair(p, "time without time zone", "time with time zone") && frac(p.to) >= frac(p.from),
    },
    // Other types.
    Rule {
        from: "json",
        to: "jsonb",
        class: Class::DataLoss,
        reason: "duplicate keys are merged (the last wins); key order and whitespace are lost",
        applies: |p| pair(p, "json", "jsonb"),
    },
    Rule {
        from: "jsonb",
        to: "json",
        class: Class::Safe,
        reason: "json keeps jsonb's text form as it is",
        applies: |p| pair(p, "jsonb", "json"),
    },
    Rule {
        from: "cidr",
        to: "inet",
        class: Class::Safe,
        reason: "every network is an address with its mask",
        applies: |p| pair(p, "cidr", "inet"),
    },
    Rule {
        from: "inet",
        to: "cidr",
        class: Class::DataLoss,
        reason: "host bits are zeroed: 192.168.1.5/24 becomes 192.168.1.0/24",
        applies: |p| pair(p, "inet", "cidr"),
    },
    Rule {
        from: "macaddr",
        to: "macaddr8",
        class: Class::Safe,
        reason: "FF:FE is inserted in the middle, as EUI-64 does",
        applies: |p| pair(p, "macaddr", "macaddr8"),
    },
    Rule {
        from: "macaddr8",
        to: "macaddr",
        class: Class::MayFail,
        reason: "an address without FF:FE in its 4th and 5th bytes is refused",
        applies: |p| pair(p, "macaddr8", "macaddr"),
    },
    Rule {
        from: "bit(n), bit varying(n)",
        to: "bit varying(m) with m >= n, bit varying",
        class: Class::Safe,
        reason: "every bit string fits",
        applies: |p| either(p, &["bit", "bit varying"], &["bit varying"]) && longer(p.from, p.to),
    },
    Rule {
        from: "bit(n), bit varying(n)",
        to: "bit(m), bit varying(m) with a value that may not fit",
        class: Class::MayFail,
        reason: "a bit string of another length than bit(n) has, or longer than bit varying(n) allows, is refused",
        applies: |p| either(p, &["bit", "bit varying"], &["bit", "bit varying"]) && !p.explicit,
    },
];

/// What a change no rule covers does: not known to keep every value.
pub const DEFAULT: (Class, &str) =
    (Class::DataLoss, "PostgreSQL's conversion between these types is not known to keep every value");

/// The first rule covering a pair of built-in, non-array types (its index
/// in `RULES`), or `None` for `DEFAULT`.
pub fn lookup(p: &Pair) -> Option<usize> {
    RULES.iter().position(|r| (r.applies)(p))
}

/// The table as Markdown, as the README prints it.
pub fn markdown() -> String {
    let mut out = String::from("| from | to | values | why |\n|---|---|---|---|\n");
    for r in RULES {
        out.push_str(&format!("| {} | {} | {} | {} |\n", r.from, r.to, r.class.label(), r.reason));
    }
    out.push_str(&format!("| anything else | | {} | {} |\n", DEFAULT.0.label(), DEFAULT.1));
    out
}
