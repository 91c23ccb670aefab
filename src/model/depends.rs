use serde::Serialize;

use super::QualName;

/// Something a view, routine, trigger or policy refers to, as far as its
/// source can tell. From files it is what the parser sees in a body or an
/// expression; from a live database it is what `pg_depend` records. It orders
/// plans and decides which dependants a change must rebuild; it is never
/// compared when deciding whether two objects are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Dep {
    /// A table, view or materialized view as a whole (`SELECT *`, or a name
    /// the parser could not tie to columns).
    Relation(QualName),
    /// One column of a relation.
    Column(QualName, String),
    /// A function or procedure, by name: overloads are not told apart.
    Routine(QualName),
    /// A user-defined type (enum, domain, composite, range).
    Type(QualName),
}

impl Dep {
    /// The relation this is about, if it is a relation or one of its columns.
    pub fn relation(&self) -> Option<&QualName> {
        match self {
            Dep::Relation(r) | Dep::Column(r, _) => Some(r),
            _ => None,
        }
    }
}
