use serde::Serialize;

use super::QualName;

/// The integer type behind a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SeqType {
    /// `smallint`
    SmallInt,
    /// `integer`
    Integer,
    /// `bigint`
    BigInt,
}

impl SeqType {
    /// The SQL name.
    pub fn sql(self) -> &'static str {
        match self {
            SeqType::SmallInt => "smallint",
            SeqType::Integer => "integer",
            SeqType::BigInt => "bigint",
        }
    }

    /// The largest value of the type.
    pub fn max(self) -> i64 {
        match self {
            SeqType::SmallInt => i16::MAX as i64,
            SeqType::Integer => i32::MAX as i64,
            SeqType::BigInt => i64::MAX,
        }
    }

    /// The smallest value of the type.
    pub fn min(self) -> i64 {
        match self {
            SeqType::SmallInt => i16::MIN as i64,
            SeqType::Integer => i32::MIN as i64,
            SeqType::BigInt => i64::MIN,
        }
    }
}

/// Sequence options with every default filled in, as `pg_sequence` stores them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SeqOptions {
    /// `AS type`.
    pub data_type: SeqType,
    /// `START WITH`.
    pub start: i64,
    /// `INCREMENT BY`.
    pub increment: i64,
    /// `MINVALUE`.
    pub min: i64,
    /// `MAXVALUE`.
    pub max: i64,
    /// `CACHE`.
    pub cache: i64,
    /// `CYCLE`.
    pub cycle: bool,
}

impl SeqOptions {
    /// PostgreSQL's defaults for a sequence of the given type and increment.
    pub fn defaults(data_type: SeqType, increment: i64) -> Self {
        let (min, max) = if increment > 0 { (1, data_type.max()) } else { (data_type.min(), -1) };
        SeqOptions {
            data_type,
            start: if increment > 0 { min } else { max },
            increment,
            min,
            max,
            cache: 1,
            cycle: false,
        }
    }
}

impl Default for SeqOptions {
    fn default() -> Self {
        SeqOptions::defaults(SeqType::BigInt, 1)
    }
}

/// A sequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sequence {
    /// Its qualified name.
    pub name: QualName,
    /// Its options.
    pub options: SeqOptions,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualName, String)>,
    /// `COMMENT ON SEQUENCE`.
    pub comment: Option<String>,
}
