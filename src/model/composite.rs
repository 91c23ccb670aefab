use serde::Serialize;

use super::{ColumnType, Map, QualName};

/// A composite type (`CREATE TYPE t AS (a int, b text)`).
#[derive(Debug, Clone, Serialize)]
pub struct CompositeType {
    /// Its qualified name.
    pub name: QualName,
    /// Attributes in their order.
    pub attributes: Map<String, Attribute>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
}

impl RangeType {
    /// The multirange type PostgreSQL names for a range type called `name`:
    /// the first `range` in it becomes `multirange`, else `_multirange` is
    /// appended (then cut to 63 bytes).
    pub fn default_multirange(name: &QualName) -> QualName {
        let n = match name.name.find("range") {
            Some(i) => format!("{}multirange{}", &name.name[..i], &name.name[i + 5..]),
            None => format!("{}_multirange", name.name),
        };
        let mut cut = n.len().min(63);
        while !n.is_char_boundary(cut) {
            cut -= 1;
        }
        QualName::new(name.schema.clone(), n[..cut].to_string())
    }
}

/// Attribute order is part of the type (row values follow it), unlike the
/// order of a map's keys.
impl PartialEq for CompositeType {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.comment == other.comment
            && self.attributes.values().eq(other.attributes.values())
    }
}

/// One attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub data_type: ColumnType,
    /// `COLLATE`, when not the type's default.
    pub collation: Option<String>,
}

/// A range type (`CREATE TYPE r AS RANGE (SUBTYPE = ...)`). Functions and the
/// operator class are held as SQL names (`pg_catalog` left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeType {
    /// Its qualified name.
    pub name: QualName,
    /// `SUBTYPE`.
    pub subtype: ColumnType,
    /// `SUBTYPE_OPCLASS`, when not the subtype's default (qualified name as text).
    pub opclass: Option<String>,
    /// `COLLATION`, when not the subtype's default.
    pub collation: Option<String>,
    /// `CANONICAL` function (qualified name as text).
    pub canonical: Option<String>,
    /// `SUBTYPE_DIFF` function (qualified name as text).
    pub subtype_diff: Option<String>,
    /// `MULTIRANGE_TYPE_NAME`, when not the one PostgreSQL derives.
    pub multirange: Option<QualName>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
}
