use serde::Serialize;

use super::{CompositeType, Domain, EnumType, Map, QualName, RangeType, Sequence, Table};

/// A whole database schema as pgstate sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalog {
    /// Schemas by name (`public` is implicit and never listed unless commented).
    pub schemas: Map<String, Schema>,
    /// Extensions by name.
    pub extensions: Map<String, Extension>,
    /// Enum types by qualified name.
    pub enums: Map<QualName, EnumType>,
    /// Domains by qualified name.
    pub domains: Map<QualName, Domain>,
    /// Composite types by qualified name.
    pub composites: Map<QualName, CompositeType>,
    /// Range types by qualified name.
    pub ranges: Map<QualName, RangeType>,
    /// Sequences by qualified name (including those behind serial columns).
    pub sequences: Map<QualName, Sequence>,
    /// Tables by qualified name.
    pub tables: Map<QualName, Table>,
}

/// A schema (namespace).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    /// Its name.
    pub name: String,
    /// `COMMENT ON SCHEMA`.
    pub comment: Option<String>,
}

/// An installed extension.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extension {
    /// Its name, e.g. `uuid-ossp`.
    pub name: String,
    /// `WITH SCHEMA`, when given.
    pub schema: Option<String>,
}

impl Catalog {
    /// Sorts every map by key, so that two catalogs built in different orders
    /// print and serialize the same way. Column order is kept: it is meaningful.
    pub fn sort(&mut self) {
        self.schemas.sort_keys();
        self.extensions.sort_keys();
        self.enums.sort_keys();
        self.domains.sort_keys();
        for domain in self.domains.values_mut() {
            domain.checks.sort_keys();
        }
        self.composites.sort_keys();
        self.ranges.sort_keys();
        self.sequences.sort_keys();
        self.tables.sort_keys();
        for table in self.tables.values_mut() {
            table.constraints.sort_keys();
            table.indexes.sort_keys();
            table.policies.sort_keys();
        }
    }

    /// Whether a user-defined type of that name exists (enum, domain, composite, range).
    pub fn has_type(&self, name: &QualName) -> bool {
        self.enums.contains_key(name)
            || self.domains.contains_key(name)
            || self.composites.contains_key(name)
            || self.ranges.contains_key(name)
    }

    /// Whether a schema exists, counting `public` as always there.
    pub fn has_schema(&self, name: &str) -> bool {
        name == "public" || self.schemas.contains_key(name)
    }
}
