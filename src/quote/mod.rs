//! How pgstate writes names, string literals and free text into SQL: the one
//! quoting module, a leaf that knows nothing of the rest.
//!
//! Everything printed here means the same under either setting of
//! `standard_conforming_strings`, and never holds a raw line break or other
//! control character, so a hostile name or value can neither end a string early
//! nor start a new line of a plan (where psql would run it).

pub mod ast;

/// PostgreSQL keywords that cannot be used as bare identifiers everywhere
/// (reserved, type/function-name and column-name categories). Quoting them is
/// always safe, so we err on the side of quoting.
const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_object",
    "json_objectagg",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Whether `name` can be written without double quotes.
pub fn is_bare(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_');
    first_ok
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && KEYWORDS.binary_search(&name).is_err()
}

/// Characters that must never appear raw in output: C0 and C1 controls, DEL,
/// and Unicode's line and paragraph separators (some tools break lines there).
pub fn is_control(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Quotes an identifier for SQL text when it needs it. Every identifier that
/// pgstate writes goes through here.
pub fn quote_ident(name: &str) -> String {
    if is_bare(name) {
        name.to_string()
    } else {
        quote_ident_always(name)
    }
}

/// An identifier in double quotes whatever it holds. A name with a control
/// character is written `U&"..."` with that character escaped (`\000A`), so it
/// never spans lines; PostgreSQL accepts that spelling whatever
/// `standard_conforming_strings` says.
pub fn quote_ident_always(name: &str) -> String {
    if !name.chars().any(is_control) {
        return format!("\"{}\"", name.replace('"', "\"\""));
    }
    let mut out = String::with_capacity(name.len() + 8);
    out.push_str("U&\"");
    for c in name.chars() {
        match c {
            '"' => out.push_str("\"\""),
            '\\' => out.push_str("\\\\"),
            c if is_control(c) => out.push_str(&unicode_escape(c)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `\XXXX` or `\+XXXXXX`, the escapes of `U&` strings and identifiers.
fn unicode_escape(c: char) -> String {
    let n = c as u32;
    if n <= 0xFFFF {
        format!("\\{n:04X}")
    } else {
        format!("\\+{n:06X}")
    }
}

/// A name as stored, from its canonical spelling (`"Mixed"` to `Mixed`).
pub fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_string(),
    }
}

/// A comma-separated list of identifiers, each quoted as needed (`a, "B c"`).
pub fn quote_idents<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| quote_ident(n.as_ref())).collect::<Vec<_>>().join(", ")
}

/// `schema.name`, each part quoted as needed.
pub fn quote_qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// Quotes a string literal from its value. Every literal that pgstate writes
/// goes through here. A value holding a backslash or a control character is
/// written as an escape string (`E'...'`, backslashes doubled, controls as
/// `\n` or `\xNN`), which PostgreSQL reads the same way whatever
/// `standard_conforming_strings` says; any other value as a plain string, which
/// holds no backslash and so reads the same under either setting too.
pub fn quote_literal(value: &str) -> String {
    if !value.chars().any(|c| c == '\\' || is_control(c)) {
        return format!("'{}'", value.replace('\'', "''"));
    }
    let mut out = String::with_capacity(value.len() + 8);
    out.push_str("E'");
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && is_control(c) => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if is_control(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Text for a `--` comment or a message line: control characters (a newline in
/// a hostile name above all) are shown as escapes, so the text stays on one
/// line and cannot end the comment.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        let mut sorted = KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, KEYWORDS);
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("timestamp"), "\"timestamp\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("a\\\"b"), "\"a\\\"\"b\"");
        assert_eq!(quote_ident("uuid-ossp"), "\"uuid-ossp\"");
        assert_eq!(quote_ident("1x"), "\"1x\"");
    }

    #[test]
    fn a_name_with_a_line_break_stays_on_one_line() {
        let q = quote_ident("x\nALTER ROLE mallory SUPERUSER;\n--");
        assert_eq!(q, "U&\"x\\000AALTER ROLE mallory SUPERUSER;\\000A--\"");
        assert!(!q.contains('\n'));
        assert_eq!(quote_ident("a\\b\u{1}\"c"), "U&\"a\\\\b\\0001\"\"c\"");
    }

    #[test]
    fn literals_mean_their_value_under_either_string_setting() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a''b"), "'a''''b'");
        // A backslash before a quote can never end the string early.
        assert_eq!(quote_literal("y\\'; COMMIT; DROP TABLE victim; --"), "E'y\\\\''; COMMIT; DROP TABLE victim; --'");
        assert_eq!(quote_literal("a\nb\tc\u{1b}"), "E'a\\nb\\tc\\x1B'");
        assert_eq!(quote_literal("é"), "'é'");
    }

    #[test]
    fn comment_text_is_one_line() {
        assert_eq!(one_line("drop x\nALTER ROLE m SUPERUSER"), "drop x\\nALTER ROLE m SUPERUSER");
        assert_eq!(one_line("plain"), "plain");
    }
}
