use serde::Serialize;

use super::{Dep, Index, Map, QualName};

/// A view or materialized view.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// Its qualified name (views share the namespace of tables).
    pub name: QualName,
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// The column list written after the name (`CREATE VIEW v (a, b)`); empty
    /// when none was written. PostgreSQL folds it into the query's aliases, so
    /// a view read back from a database never has one.
    pub columns: Vec<String>,
    /// The query as SQL, ready to be printed after `AS`.
    pub query: String,
    /// The canonical form of the query that decides equality (see `canon::view`).
    pub query_key: String,
    /// Options in the order written (PostgreSQL keeps that order; equality
    /// ignores it): `check_option`, `security_barrier`, `security_invoker`
    /// (views); storage parameters (materialized views).
    pub options: Vec<(String, String)>,
    /// `WITH [NO] DATA` of a materialized view: used when it is created, never
    /// compared (whether it has been refreshed is data, not schema; pg_dump
    /// --schema-only always says `WITH NO DATA`).
    pub with_data: bool,
    /// Indexes of a materialized view, by name.
    pub indexes: Map<String, Index>,
    /// `COMMENT ON VIEW`.
    pub comment: Option<String>,
    /// `COMMENT ON COLUMN` of its columns.
    pub column_comments: Map<String, String>,
    /// What its query reads (not compared).
    pub depends: Vec<Dep>,
    /// Its output columns as far as the query shows them (not compared): what
    /// decides whether `CREATE OR REPLACE` can take a new definition.
    pub outputs: Vec<Output>,
}

/// One output column of a view's query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Output {
    /// Its name, when the query says it (an alias, a column reference).
    pub name: Option<String>,
    /// The expression, as printed.
    pub expr: String,
}

impl View {
    /// Whether two definitions are the same view for PostgreSQL (comments,
    /// indexes and dependencies aside).
    pub fn same_definition(&self, other: &View) -> bool {
        self.materialized == other.materialized
            && self.columns == other.columns
            && self.query_key == other.query_key
            && super::Table::same_options(&self.options, &other.options)
    }

    /// Whether `CREATE OR REPLACE VIEW` can turn `self` into `new`: plain views
    /// both, and every old column kept in place with the same name and the same
    /// expression (so the same type); new columns may only be appended.
    pub fn replaceable_by(&self, new: &View) -> bool {
        let known = |o: &Output| o.name.is_some();
        !self.materialized
            && !new.materialized
            && !self.outputs.is_empty()
            && self.outputs.iter().all(known)
            && self.outputs.len() <= new.outputs.len()
            && self.outputs.iter().zip(&new.outputs).all(|(a, b)| a == b)
    }

    /// Takes `other`'s spelling of the same definition (the server showed
    /// they are stored alike), so no plan rewrites it.
    pub fn take_spelling_of(&mut self, other: &View) {
        self.columns = other.columns.clone();
        self.query = other.query.clone();
        self.query_key = other.query_key.clone();
        self.outputs = other.outputs.clone();
    }

    /// `VIEW` or `MATERIALIZED VIEW`, for SQL.
    pub fn keyword(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }
}

impl PartialEq for View {
    fn eq(&self, other: &View) -> bool {
        self.same_definition(other)
            && self.indexes == other.indexes
            && self.comment == other.comment
            && self.column_comments == other.column_comments
    }
}
