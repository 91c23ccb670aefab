use serde::Serialize;

use super::Expr;

/// An index that does not back a constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    /// Its name (in the table's schema).
    pub name: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// `USING method` (canonical lower case, `btree` by default).
    pub method: String,
    /// Key columns or expressions.
    pub keys: Vec<IndexKey>,
    /// `INCLUDE` columns.
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// Partial index predicate.
    pub predicate: Option<Expr>,
    /// Storage parameters (`WITH (fillfactor = 70)`): lower-case names, values as text.
    pub with: Vec<(String, String)>,
    /// `COMMENT ON INDEX`.
    pub comment: Option<String>,
    /// `ALTER INDEX ... ALTER COLUMN n SET STATISTICS m`: (1-based key position, target), by position.
    pub statistics: Vec<(usize, i32)>,
}

impl Index {
    /// Its keys that are plain columns, in order (expression keys left out).
    pub fn column_keys(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter_map(|k| match &k.expr {
                IndexKeyExpr::Column(c) => Some(c.clone()),
                IndexKeyExpr::Expr(_) => None,
            })
            .collect()
    }
}

/// One key of an index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IndexKey {
    /// The column or expression.
    pub expr: IndexKeyExpr,
    /// Operator class, when not the default.
    pub opclass: Option<String>,
    /// `DESC`.
    pub desc: bool,
    /// `NULLS FIRST` / `NULLS LAST`, only when it differs from the default for the direction.
    pub nulls_first: Option<bool>,
    /// `COLLATE`, when given.
    pub collation: Option<String>,
}

/// A key is a column or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum IndexKeyExpr {
    /// A plain column.
    Column(String),
    /// An expression (rendered in parentheses).
    Expr(Expr),
}
