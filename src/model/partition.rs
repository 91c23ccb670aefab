//! Declarative partitioning and table inheritance: how a table relates to its
//! parents. What a child inherits (columns, checks, the indexes and keys a
//! partition gets from its parent) is not part of the child in the model: it
//! is the parent's, and PostgreSQL propagates it.

use serde::Serialize;

use super::{Expr, QualName};

/// `PARTITION BY strategy (keys)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionKey {
    /// `RANGE`, `LIST` or `HASH`.
    pub strategy: PartitionStrategy,
    /// Key columns and expressions (with any `COLLATE` and operator class),
    /// compared by their canonical text and printed as written, in order.
    pub keys: Vec<Expr>,
}

impl PartitionKey {
    /// `RANGE (a, lower(b))`, as `pg_get_partkeydef` prints it.
    pub fn sql(&self) -> String {
        let keys: Vec<String> = self.keys.iter().map(|k| k.to_string()).collect();
        format!("{} ({})", self.strategy.sql(), keys.join(", "))
    }
}

/// How rows are routed to partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PartitionStrategy {
    /// By ranges of the key.
    Range,
    /// By lists of key values.
    List,
    /// By the key's hash, modulo a number of partitions.
    Hash,
}

impl PartitionStrategy {
    /// The SQL keyword.
    pub fn sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// `PARTITION OF parent FOR VALUES ...`: a table's place in its parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    /// The partitioned table.
    pub parent: QualName,
    /// Which rows belong here.
    pub bound: PartitionBound,
}

/// A partition's bound. Values are SQL literals in PostgreSQL's spelling
/// (`canon::partition` decides it), `MINVALUE` or `MAXVALUE`.
#[derive(Debug, Clone, Eq, Serialize)]
pub enum PartitionBound {
    /// `DEFAULT`: every row no other partition takes.
    Default,
    /// `FOR VALUES IN (...)`, in the order written (PostgreSQL keeps it; it
    /// means nothing, so two orders compare equal).
    In(Vec<String>),
    /// `FOR VALUES FROM (...) TO (...)`.
    Range {
        /// Inclusive lower bound, one value per key.
        from: Vec<String>,
        /// Exclusive upper bound.
        to: Vec<String>,
    },
    /// `FOR VALUES WITH (modulus m, remainder r)`.
    Hash {
        /// The modulus.
        modulus: u32,
        /// The remainder.
        remainder: u32,
    },
}

impl PartialEq for PartitionBound {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (PartitionBound::In(a), PartitionBound::In(b)) => {
                let (mut a, mut b) = (a.clone(), b.clone());
                a.sort();
                b.sort();
                a == b
            }
            (PartitionBound::Default, PartitionBound::Default) => true,
            (PartitionBound::Range { from: f1, to: t1 }, PartitionBound::Range { from: f2, to: t2 }) => {
                f1 == f2 && t1 == t2
            }
            (
                PartitionBound::Hash { modulus: m1, remainder: r1 },
                PartitionBound::Hash { modulus: m2, remainder: r2 },
            ) => m1 == m2 && r1 == r2,
            _ => false,
        }
    }
}

impl PartitionBound {
    /// `FOR VALUES ...` or `DEFAULT`, as `pg_get_expr(relpartbound)` prints it.
    pub fn sql(&self) -> String {
        match self {
            PartitionBound::Default => "DEFAULT".to_string(),
            PartitionBound::In(v) => format!("FOR VALUES IN ({})", v.join(", ")),
            PartitionBound::Range { from, to } => {
                format!("FOR VALUES FROM ({}) TO ({})", from.join(", "), to.join(", "))
            }
            PartitionBound::Hash { modulus, remainder } => {
                format!("FOR VALUES WITH (modulus {modulus}, remainder {remainder})")
            }
        }
    }

    /// Every literal of the bound, to respell in place, with the position of
    /// the key it is a value of.
    pub fn values_mut(&mut self) -> Vec<(usize, &mut String)> {
        match self {
            PartitionBound::Default | PartitionBound::Hash { .. } => Vec::new(),
            PartitionBound::In(v) => v.iter_mut().map(|v| (0, v)).collect(),
            PartitionBound::Range { from, to } => {
                from.iter_mut().enumerate().chain(to.iter_mut().enumerate()).collect()
            }
        }
    }
}

impl super::Catalog {
    /// Column `column` of `table`, its own or inherited from a parent (a
    /// partition's columns are all its parent's).
    pub fn find_column(&self, table: &QualName, column: &str) -> Option<&super::Column> {
        // The table's own column, as nearly always: no walk to set up.
        let own = self.tables.get(table)?;
        if let Some(c) = own.columns.get(column) {
            return Some(c);
        }
        let mut todo: Vec<&QualName> = own.parents().collect();
        // Inheritance cannot cycle in PostgreSQL; a bad input must not loop here.
        let mut seen = 1;
        while let Some(name) = todo.pop() {
            let t = self.tables.get(name)?;
            if let Some(c) = t.columns.get(column) {
                return Some(c);
            }
            seen += 1;
            if seen > self.tables.len() {
                return None;
            }
            todo.extend(t.parents());
        }
        None
    }

    /// `child` stops taking from `parent` (`DETACH PARTITION`, `NO
    /// INHERIT`): the two are unlinked, and the columns and checks it had
    /// from it become its own, as PostgreSQL leaves them.
    pub fn disinherit(&mut self, child: &QualName, parent: &QualName) {
        use super::{Column, Constraint};
        let others: Vec<QualName> =
            self.tables.get(child).map(|t| t.parents().filter(|p| *p != parent).cloned().collect()).unwrap_or_default();
        let mut columns: Vec<Column> = Vec::new();
        for (c, _) in self.all_columns(parent) {
            if !others.iter().any(|o| self.find_column(o, &c.name).is_some()) {
                columns.push(Column { comment: None, identity: None, ..c.clone() });
            }
        }
        let checks: Vec<Constraint> =
            self.checks_passed_down(parent).into_iter().map(|c| Constraint { comment: None, ..c.clone() }).collect();
        let Some(t) = self.tables.get_mut(child) else { return };
        if t.partition_of.as_ref().is_some_and(|p| &p.parent == parent) {
            t.partition_of = None;
        }
        t.inherits.retain(|p| p != parent);
        let own = std::mem::take(&mut t.columns);
        for c in columns {
            if !own.contains_key(&c.name) {
                t.columns.insert(c.name.clone(), c);
            }
        }
        t.columns.extend(own);
        for c in checks {
            t.constraints.entry(c.name.clone()).or_insert(c);
        }
    }

    /// What `child` declares that its `INHERITS` parents already have is the
    /// parents', as PostgreSQL merges it: a check of a parent's name, and a
    /// column of a parent's name, which takes the parent's default when it
    /// has none and the parent's NOT NULL, and then leaves the child unless
    /// it differs (a default of its own). So a child declared with or without
    /// its parents' columns, or joined to them by `ALTER TABLE ... INHERIT`,
    /// is one model.
    pub fn merge_inherited(&mut self, child: &QualName) {
        use super::Column;
        self.shed_inherited_checks(child);
        let Some(t) = self.tables.get(child) else { return };
        let mut merged: Vec<(String, Column)> = Vec::new();
        for c in t.columns.values() {
            if let Some(pc) = t.inherits.iter().find_map(|p| self.find_column(p, &c.name)) {
                merged.push((c.name.clone(), pc.clone()));
            }
        }
        let Some(t) = self.tables.get_mut(child) else { return };
        for (name, parent) in merged {
            let Some(c) = t.columns.get_mut(&name) else { continue };
            if c.default.is_none() {
                c.default = parent.default.clone();
            }
            c.not_null |= parent.not_null;
            let same = Column { comment: None, identity: None, ..c.clone() }
                == Column { comment: None, identity: None, ..parent };
            if same && c.comment.is_none() {
                t.columns.shift_remove(&name);
            }
        }
    }

    /// Takes out of `child` the checks it declares under the name of one it
    /// gets from its parents: PostgreSQL merges the two, and it is the
    /// parents'.
    pub fn shed_inherited_checks(&mut self, child: &QualName) {
        let names: Vec<String> = self.inherited_checks(child).iter().map(|c| c.name.clone()).collect();
        if let Some(t) = self.tables.get_mut(child) {
            t.constraints.retain(|n, c| !(matches!(c.kind, super::ConstraintKind::Check { .. }) && names.contains(n)));
        }
    }

    /// The types of `table`'s partition key, one per key: `None` for an
    /// expression (or a table that is not partitioned).
    pub fn partition_key_types(&self, table: &QualName) -> Vec<Option<super::ColumnType>> {
        let Some(key) = self.tables.get(table).and_then(|t| t.partition_by.as_ref()) else { return Vec::new() };
        key.keys
            .iter()
            .map(|k| self.find_column(table, &crate::quote::unquote(&k.0)).map(|c| c.data_type.clone()))
            .collect()
    }

    /// The checks a child of `table` gets: its own (but `NO INHERIT` ones)
    /// and those it has from its own ancestors, all the way up.
    pub fn checks_passed_down(&self, table: &QualName) -> Vec<&super::Constraint> {
        let mut out: Vec<&super::Constraint> = Vec::new();
        let mut todo: Vec<&QualName> = vec![table];
        let mut budget = self.tables.len() + 1;
        while let (Some(p), true) = (todo.pop(), budget > 0) {
            budget -= 1;
            let Some(t) = self.tables.get(p) else { continue };
            for c in t.constraints.values() {
                let inheritable = matches!(c.kind, super::ConstraintKind::Check { no_inherit: false, .. });
                if inheritable && !out.iter().any(|o| o.name == c.name) {
                    out.push(c);
                }
            }
            todo.extend(t.parents());
        }
        out
    }

    /// The checks `table` has from its parents (see `checks_passed_down`).
    pub fn inherited_checks(&self, table: &QualName) -> Vec<&super::Constraint> {
        let mut out: Vec<&super::Constraint> = Vec::new();
        for p in self.tables.get(table).into_iter().flat_map(|t| t.parents()) {
            for c in self.checks_passed_down(p) {
                if !out.iter().any(|o| o.name == c.name) {
                    out.push(c);
                }
            }
        }
        out
    }

    /// Whether `column` of `table` comes from one of its parents.
    pub fn inherits_column(&self, table: &QualName, column: &str) -> bool {
        self.tables.get(table).is_some_and(|t| t.parents().any(|p| self.find_column(p, column).is_some()))
    }

    /// Every column of `table` with its definition, inherited ones first as
    /// PostgreSQL orders them, each marked whether it is inherited.
    pub fn all_columns(&self, table: &QualName) -> Vec<(&super::Column, bool)> {
        // Inheritance cannot cycle in PostgreSQL; a bad input must not loop here.
        self.all_columns_guarded(table, self.tables.len() + 1)
    }

    fn all_columns_guarded(&self, table: &QualName, budget: usize) -> Vec<(&super::Column, bool)> {
        if budget == 0 {
            return Vec::new();
        }
        let Some(t) = self.tables.get(table) else { return Vec::new() };
        let mut out: Vec<(&super::Column, bool)> = Vec::new();
        for p in t.parents() {
            for (c, _) in self.all_columns_guarded(p, budget - 1) {
                if !out.iter().any(|(o, _)| o.name == c.name) {
                    out.push((c, true));
                }
            }
        }
        for c in t.columns.values() {
            match out.iter().position(|(o, _)| o.name == c.name) {
                Some(i) => out[i] = (c, false),
                None => out.push((c, false)),
            }
        }
        out
    }
}
