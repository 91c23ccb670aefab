//! Type names: every alias PostgreSQL accepts mapped to the name `format_type` prints.

use sqlparser::ast::{ArrayElemTypeDef, DataType, ObjectNamePart};

use super::ident::fold;
use crate::model::{ColumnType, SeqType};

/// What a written type means: a column type, plus the sequence type when it was
/// one of the `serial` pseudo-types.
pub struct Resolved {
    /// The canonical type.
    pub column_type: ColumnType,
    /// `Some` for `smallserial`, `serial`, `bigserial`.
    pub serial: Option<SeqType>,
}

/// Maps a lower-case built-in type spelling to its canonical name, or `None`
/// when it is not a built-in type pgstate knows.
pub fn builtin_name(spelling: &str) -> Option<&'static str> {
    Some(match spelling {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
        "float8" | "double precision" | "float" => "double precision",
        "float4" | "real" => "real",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" | "char varying" => "character varying",
        "char" | "character" => "character",
        "bpchar" => "bpchar",
        "text" => "text",
        "decimal" | "numeric" | "dec" => "numeric",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "time" | "time without time zone" => "time without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "date" => "date",
        "interval" => "interval",
        "bytea" => "bytea",
        "json" => "json",
        "jsonb" => "jsonb",
        "uuid" => "uuid",
        "inet" => "inet",
        "cidr" => "cidr",
        "macaddr" => "macaddr",
        "macaddr8" => "macaddr8",
        "money" => "money",
        "xml" => "xml",
        "bit" => "bit",
        "varbit" | "bit varying" => "bit varying",
        "tsvector" => "tsvector",
        "tsquery" => "tsquery",
        "oid" => "oid",
        "name" => "name",
        "regclass" => "regclass",
        "regtype" => "regtype",
        "point" => "point",
        "line" => "line",
        "lseg" => "lseg",
        "box" => "box",
        "path" => "path",
        "polygon" => "polygon",
        "circle" => "circle",
        "int4range" => "int4range",
        "int8range" => "int8range",
        "numrange" => "numrange",
        "tsrange" => "tsrange",
        "tstzrange" => "tstzrange",
        "daterange" => "daterange",
        "int4multirange" => "int4multirange",
        "int8multirange" => "int8multirange",
        "nummultirange" => "nummultirange",
        "tsmultirange" => "tsmultirange",
        "tstzmultirange" => "tstzmultirange",
        "datemultirange" => "datemultirange",
        "pg_lsn" => "pg_lsn",
        "txid_snapshot" => "txid_snapshot",
        "pg_snapshot" => "pg_snapshot",
        "xid" => "xid",
        "xid8" => "xid8",
        "cid" => "cid",
        "tid" => "tid",
        "record" => "record",
        // Pseudo-types and lookup types, met in routines' arguments and results.
        "trigger" => "trigger",
        "any" => "\"any\"",
        "event_trigger" => "event_trigger",
        "void" => "void",
        "anyelement" => "anyelement",
        "anyarray" => "anyarray",
        "anynonarray" => "anynonarray",
        "anyenum" => "anyenum",
        "anyrange" => "anyrange",
        "anymultirange" => "anymultirange",
        "anycompatible" => "anycompatible",
        "anycompatiblearray" => "anycompatiblearray",
        "anycompatiblenonarray" => "anycompatiblenonarray",
        "anycompatiblerange" => "anycompatiblerange",
        "internal" => "internal",
        "cstring" => "cstring",
        "language_handler" => "language_handler",
        "fdw_handler" => "fdw_handler",
        "table_am_handler" => "table_am_handler",
        "index_am_handler" => "index_am_handler",
        "tsm_handler" => "tsm_handler",
        "regproc" => "regproc",
        "regprocedure" => "regprocedure",
        "regoper" => "regoper",
        "regnamespace" => "regnamespace",
        "regrole" => "regrole",
        "regconfig" => "regconfig",
        "regdictionary" => "regdictionary",
        _ => return None,
    })
}

fn serial_kind(spelling: &str) -> Option<SeqType> {
    match spelling {
        "serial" | "serial4" => Some(SeqType::Integer),
        "smallserial" | "serial2" => Some(SeqType::SmallInt),
        "bigserial" | "serial8" => Some(SeqType::BigInt),
        _ => None,
    }
}

/// Resolves a parsed type. User types without a schema resolve to `default_schema`.
pub fn resolve(data_type: &DataType, default_schema: &str) -> Result<Resolved, String> {
    match data_type {
        DataType::Array(ArrayElemTypeDef::AngleBracket(inner))
        | DataType::Array(ArrayElemTypeDef::SquareBracket(inner, _))
        | DataType::Array(ArrayElemTypeDef::Qualified(inner, _))
        | DataType::Array(ArrayElemTypeDef::Parenthesis(inner)) => {
            let mut r = resolve(inner, default_schema)?;
            if r.serial.is_some() {
                return Err("an array of serial is not a type".into());
            }
            r.column_type.array = true;
            Ok(r)
        }
        DataType::Custom(name, modifiers) => {
            let parts: Vec<String> = name
                .0
                .iter()
                .map(|p| match p {
                    ObjectNamePart::Identifier(i) => Ok(fold(i)),
                    other => Err(format!("unsupported type name part {other}")),
                })
                .collect::<Result<_, _>>()?;
            let typmod =
                (!modifiers.is_empty()).then(|| modifiers.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(","));
            let quoted = name.0.iter().any(|p| matches!(p, ObjectNamePart::Identifier(i) if i.quote_style.is_some()));
            // `pg_catalog.int4` and friends are built-ins spelled with their schema.
            let (schema, base) = match parts.as_slice() {
                [base] => (None, base.clone()),
                [schema, base] => (Some(schema.clone()), base.clone()),
                _ => return Err(format!("type name {name} has too many parts")),
            };
            if base == "char" && quoted {
                return Ok(builtin(ColumnType::builtin("\"char\""), None));
            }
            if schema.as_deref().is_none_or(|s| s == "pg_catalog") {
                if let Some(canon) = builtin_name(&base) {
                    let mut t = ColumnType::builtin(canon);
                    t.typmod = typmod;
                    return Ok(builtin(with_default_typmod(t), serial_kind(&base)));
                }
            }
            Ok(builtin(
                ColumnType {
                    base,
                    schema: Some(schema.unwrap_or_else(|| default_schema.to_string())),
                    typmod,
                    array: false,
                },
                None,
            ))
        }
        other => from_display(&other.to_string()),
    }
}

fn builtin(column_type: ColumnType, serial: Option<SeqType>) -> Resolved {
    Resolved { column_type, serial }
}

/// `char` means `character(1)` and `bit` means `bit(1)`, as in PostgreSQL.
fn with_default_typmod(mut t: ColumnType) -> ColumnType {
    if t.typmod.is_none() && (t.base == "character" || t.base == "bit") {
        t.typmod = Some("1".into());
    }
    if t.base == "double precision" || t.base == "real" {
        t.typmod = None;
    }
    // numeric(p) means numeric(p,0), which is how PostgreSQL prints it.
    if t.base == "numeric" {
        if let Some(m) = &t.typmod {
            if !m.contains(',') {
                t.typmod = Some(format!("{m},0"));
            }
        }
    }
    t
}

/// Built-in types that sqlparser models as its own variants: read them back from
/// their SQL text, which is unambiguous.
fn from_display(text: &str) -> Result<Resolved, String> {
    let lower = text.to_lowercase();
    let (mut words, typmod) = match (lower.find('('), lower.find(')')) {
        (Some(open), Some(close)) if close > open => {
            let inner: String = lower[open + 1..close].chars().filter(|c| !c.is_whitespace()).collect();
            (format!("{} {}", &lower[..open], &lower[close + 1..]), Some(inner))
        }
        _ => (lower.clone(), None),
    };
    words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    // `float(p)`: real up to 24 bits of precision, double precision above.
    if words == "float" {
        if let Some(p) = typmod.as_deref().and_then(|p| p.parse::<u32>().ok()) {
            let base = if p <= 24 { "real" } else { "double precision" };
            return Ok(builtin(ColumnType::builtin(base), None));
        }
    }
    let canon = builtin_name(&words).ok_or_else(|| format!("unknown type {text}"))?;
    let mut t = ColumnType::builtin(canon);
    t.typmod = typmod;
    Ok(builtin(with_default_typmod(t), serial_kind(&words)))
}

/// The storage a column of type `t` gets when none is set (`pg_type.typstorage`,
/// lower case): for built-in types from PostgreSQL's own table, for the
/// catalog's enums (plain), composites and ranges (extended) and domains (their
/// base type's); `None` for a type pgstate does not know (an extension's).
pub fn default_storage(t: &ColumnType, cat: &crate::model::Catalog) -> Option<&'static str> {
    if t.array {
        return Some("extended");
    }
    let Some(q) = t.custom() else { return builtin_storage(&t.base) };
    if cat.enums.contains_key(&q) {
        Some("plain")
    } else if cat.composites.contains_key(&q) || cat.ranges.contains_key(&q) {
        Some("extended")
    } else {
        // A domain over a domain ends; a cycle cannot be created in PostgreSQL, nor loops here for long.
        cat.domains.get(&q).filter(|d| d.base != *t).and_then(|d| default_storage(&d.base, cat))
    }
}

/// `typstorage` of the built-in types (PostgreSQL 13 to 18 agree).
fn builtin_storage(base: &str) -> Option<&'static str> {
    Some(match base {
        "numeric" | "inet" | "cidr" => "main",
        "bigint"
        | "smallint"
        | "integer"
        | "oid"
        | "xid"
        | "xid8"
        | "cid"
        | "tid"
        | "boolean"
        | "\"char\""
        | "name"
        | "point"
        | "lseg"
        | "box"
        | "line"
        | "circle"
        | "real"
        | "double precision"
        | "money"
        | "macaddr"
        | "macaddr8"
        | "date"
        | "time without time zone"
        | "time with time zone"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "interval"
        | "uuid"
        | "tsquery"
        | "pg_lsn"
        | "regclass"
        | "regtype"
        | "regproc"
        | "regprocedure"
        | "regoper"
        | "regoperator"
        | "regnamespace"
        | "regrole"
        | "regconfig"
        | "regdictionary"
        | "regcollation" => "plain",
        "text" | "character varying" | "character" | "bpchar" | "bytea" | "json" | "jsonb" | "jsonpath" | "xml"
        | "bit" | "bit varying" | "tsvector" | "path" | "polygon" | "txid_snapshot" | "pg_snapshot" | "refcursor"
        | "int4range" | "int8range" | "numrange" | "tsrange" | "tstzrange" | "daterange" | "int4multirange"
        | "int8multirange" | "nummultirange" | "tsmultirange" | "tstzmultirange" | "datemultirange" => "extended",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn canon(sql: &str) -> String {
        let dt = Parser::new(&PostgreSqlDialect {}).try_with_sql(sql).unwrap().parse_data_type().unwrap();
        resolve(&dt, "public").unwrap().column_type.to_string()
    }

    #[test]
    fn aliases_meet() {
        for (a, b) in [
            ("int", "integer"),
            ("int4", "integer"),
            ("serial", "integer"),
            ("int8", "bigint"),
            ("bigserial", "bigint"),
            ("float8", "double precision"),
            ("float", "double precision"),
            ("float(10)", "real"),
            ("bool", "boolean"),
            ("varchar(255)", "character varying(255)"),
            ("character varying", "character varying"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp(3)", "timestamp(3) without time zone"),
            ("decimal(10, 2)", "numeric(10,2)"),
            ("numeric(10,2)", "numeric(10,2)"),
            ("numeric(10)", "numeric(10,0)"),
            ("char", "character(1)"),
            ("\"char\"", "\"char\""),
            ("text[]", "text[]"),
            ("int[]", "integer[]"),
            ("integer array", "integer[]"),
            ("integer ARRAY[4]", "integer[]"),
            ("jsonb", "jsonb"),
            ("uuid", "uuid"),
            ("mood", "public.mood"),
            ("s.\"Mood\"", "s.\"Mood\""),
            ("pg_catalog.int4", "integer"),
            ("time with time zone", "time with time zone"),
        ] {
            assert_eq!(canon(a), b, "{a}");
        }
    }
}
