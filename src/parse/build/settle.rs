//! The phases after every statement is read: partitions and children take
//! what is theirs from their parents, unnamed indexes and constraints get the
//! names PostgreSQL would give them.

use rustc_hash::FxHashSet;

use super::{expr_name, Builder};
use crate::canon::expr::{canonical, Context};
use crate::canon::names::name_addition;
use crate::model::PartitionBound;
use crate::model::{Constraint, ConstraintKind, Deferral, ForeignKey, IndexKeyExpr, QualName};
use crate::parse::constraints::{referenced_columns, RawConstraint, RawKind};
use sqlparser::ast::ForValues;

impl Builder<'_> {
    /// `ALTER INDEX parent ATTACH PARTITION child`: the child index (or the
    /// key constraint it backs) is the parent's on that partition, which
    /// PostgreSQL creates and drops with the parent's: it leaves the model.
    pub(super) fn settle_attached_indexes(&mut self) {
        for (child, at) in std::mem::take(&mut self.attached_indexes) {
            let Some(q) = self.qual(&child, at) else { continue };
            let found = self.cat.tables.values_mut().filter(|t| t.name.schema == q.schema).any(|t| {
                let index = t.indexes.shift_remove(&q.name).is_some();
                let key = !index
                    && t.constraints.get(&q.name).is_some_and(|c| {
                        matches!(
                            c.kind,
                            ConstraintKind::PrimaryKey { .. }
                                | ConstraintKind::Unique { .. }
                                | ConstraintKind::Exclusion { .. }
                        )
                    });
                if key {
                    t.constraints.shift_remove(&q.name);
                }
                index || key
            });
            if !found {
                self.error(
                    at,
                    format!("ALTER INDEX ... ATTACH PARTITION names index {q}, which the schema does not define"),
                );
            }
        }
    }

    /// `ALTER COLUMN` on a column a table inherits: fine only as pg_dump
    /// writes it, the parent's own default set again on the child.
    pub(super) fn settle_child_settings(&mut self) {
        for (table, column, default, at) in std::mem::take(&mut self.child_settings) {
            let parents =
                self.cat.tables.get(&table).map(|t| t.parents().cloned().collect::<Vec<_>>()).unwrap_or_default();
            let theirs = parents.iter().find_map(|p| self.cat.find_column(p, &column)).map(|c| c.default.clone());
            if default.is_none() || theirs != Some(default) {
                self.error_help(
                    at,
                    format!("{table}.{column} is inherited: a setting of its own on {table} is not supported"),
                    "set it on the parent table; pgstate does not manage per-child column settings",
                );
            }
        }
    }

    /// Spells each partition's bound for its parent's key types, and takes
    /// out of the partition what is its parent's: columns, and checks of the
    /// parent's name (pg_dump writes a partition as a table of its own, then
    /// attaches it).
    pub(super) fn settle_partitions(&mut self) {
        for (child, bound, at) in std::mem::take(&mut self.partition_bounds) {
            let Some(parent) =
                self.cat.tables.get(&child).and_then(|t| t.partition_of.as_ref()).map(|p| p.parent.clone())
            else {
                continue;
            };
            let Some(p) = self.cat.tables.get(&parent) else {
                self.error(at, format!("{child} is a partition of {parent}, which the schema does not define"));
                continue;
            };
            let Some(key) = p.partition_by.clone() else {
                self.error(
                    at,
                    format!("{child} is a partition of {parent}, which is not partitioned (no PARTITION BY)"),
                );
                continue;
            };
            let types = self.cat.partition_key_types(&parent);
            let spelled = partition_bound(&bound, key.strategy, &types);
            let bound = match spelled {
                Ok(b) => b,
                Err(e) => {
                    self.error(at, format!("partition {child}: {e}"));
                    continue;
                }
            };
            // pg_dump writes a partition's columns as they are, copies of its
            // parent's; a setting of its own would be lost, so it is refused.
            let own: Vec<String> = self.cat.tables[&child]
                .columns
                .values()
                .filter(|c| {
                    let parent = self.cat.find_column(&parent, &c.name);
                    c.comment.is_some()
                        || parent.is_none_or(|pc| pc.default != c.default || (c.not_null && !pc.not_null))
                })
                .map(|c| c.name.clone())
                .collect();
            if !own.is_empty() {
                self.error_help(
                    at,
                    format!("partition {child}: column(s) {} differ from its parent's (a default, NOT NULL or comment of their own, or not in the parent)", own.join(", ")),
                    "a partition's columns are its parent's: set them on the parent",
                );
            }
            if let Some(t) = self.cat.tables.get_mut(&child) {
                if let Some(po) = &mut t.partition_of {
                    po.bound = bound;
                }
                t.columns.clear();
            }
            self.cat.shed_inherited_checks(&child);
        }
    }

    /// Children of `INHERITS` in canonical form (see `Catalog::merge_inherited`).
    pub(super) fn settle_inherited_columns(&mut self) {
        let children: Vec<QualName> =
            self.cat.tables.values().filter(|t| !t.inherits.is_empty()).map(|t| t.name.clone()).collect();
        for child in children {
            self.cat.merge_inherited(&child);
        }
    }

    pub(super) fn settle_indexes(&mut self) {
        for (table, mut index, key_names, at) in std::mem::take(&mut self.unnamed_indexes) {
            let addition = name_addition(&key_names);
            index.name = self.taken(&table.schema).choose(&table.name, Some(&addition), "idx");
            self.insert_index(&table, index, at, false);
        }
    }

    /// Names and resolves constraints in PostgreSQL's order: primary keys, unique
    /// and exclusion, checks, foreign keys (which need the others to exist).
    ///
    /// Long because it is one sequence, on which the names depend: each kind is named after the ones
    /// before it, as PostgreSQL does.
    pub(super) fn settle_constraints(&mut self) {
        // In rank order, stably: bucketed, as a sort moved these large
        // values some twenty times each.
        let pending = std::mem::take(&mut self.pending);
        let mut sizes = [0; RawKind::RANKS];
        for p in &pending {
            sizes[usize::from(p.1.kind.rank())] += 1;
        }
        let mut ranked = sizes.map(Vec::with_capacity);
        for p in pending {
            ranked[usize::from(p.1.kind.rank())].push(p);
        }
        let pending = ranked.into_iter().flatten();
        // Primary keys written in their table's CREATE TABLE (see the UNIQUE arm).
        let mut pk_in_create: FxHashSet<QualName> = FxHashSet::default();
        for (table, raw) in pending {
            let RawConstraint { name, kind, deferral, validated, index, at } = raw;
            if let Some(n) = &name {
                self.taken(&table.schema).insert(n);
            }
            let choose = |b: &mut Self, name2: Option<String>, label: &str| -> String {
                match &name {
                    Some(n) => n.clone(),
                    None => b.taken(&table.schema).choose(&table.name, name2.as_deref(), label),
                }
            };
            let kind = match kind {
                RawKind::PrimaryKey { columns, include } => {
                    if self.cat.tables[&table].primary_key().is_some() {
                        self.error(at, format!("multiple primary keys for table {table} are not allowed"));
                        continue;
                    }
                    if !self.columns_exist(&table, columns.iter().chain(&include), at) {
                        continue;
                    }
                    if let Some(t) = self.cat.tables.get_mut(&table) {
                        for c in &columns {
                            if let Some(col) = t.columns.get_mut(c) {
                                col.not_null = true;
                            }
                        }
                    }
                    if self.in_create_table(&table, at) {
                        pk_in_create.insert(table.clone());
                    }
                    let n = choose(self, None, "pkey");
                    (n, ConstraintKind::PrimaryKey { columns, include })
                }
                RawKind::UsingIndex { primary, index } => {
                    let Some(idx) = self.cat.tables.get_mut(&table).and_then(|t| t.indexes.shift_remove(&index)) else {
                        self.error(at, format!("USING INDEX: index {index} is not defined on {table}"));
                        continue;
                    };
                    let columns = idx.column_keys();
                    if !idx.unique
                        || idx.method != "btree"
                        || idx.predicate.is_some()
                        || columns.len() != idx.keys.len()
                    {
                        self.error(at, format!("USING INDEX: {index} is not a unique index on plain columns"));
                        continue;
                    }
                    self.index_names.remove(&(table.schema.clone(), index.clone()));
                    // The constraint takes the index over, under the constraint's name.
                    let n = name.clone().unwrap_or(index);
                    if primary {
                        if self.cat.tables[&table].primary_key().is_some() {
                            self.error(at, format!("multiple primary keys for table {table} are not allowed"));
                            continue;
                        }
                        if let Some(t) = self.cat.tables.get_mut(&table) {
                            for c in &columns {
                                if let Some(col) = t.columns.get_mut(c) {
                                    col.not_null = true;
                                }
                            }
                        }
                        (n, ConstraintKind::PrimaryKey { columns, include: idx.include })
                    } else {
                        let nulls_not_distinct = idx.nulls_not_distinct;
                        (n, ConstraintKind::Unique { columns, include: idx.include, nulls_not_distinct })
                    }
                }
                RawKind::Unique { columns, include, nulls_not_distinct } => {
                    // `id int PRIMARY KEY UNIQUE`: within one CREATE TABLE, PostgreSQL
                    // drops an unnamed unique constraint that would build the primary
                    // key's index again (in separate statements both stay).
                    let same_as_pk = pk_in_create.contains(&table)
                        && self.in_create_table(&table, at)
                        && self.cat.tables[&table].primary_key().is_some_and(|pk| {
                        matches!(&pk.kind, ConstraintKind::PrimaryKey { columns: c, include: i } if *c == columns && *i == include)
                    });
                    if name.is_none() && same_as_pk && !nulls_not_distinct && deferral == Deferral::Immediate {
                        continue;
                    }
                    if !self.columns_exist(&table, columns.iter().chain(&include), at) {
                        continue;
                    }
                    let n = choose(self, Some(name_addition(&columns)), "key");
                    (n, ConstraintKind::Unique { columns, include, nulls_not_distinct })
                }
                RawKind::Exclusion { method, elements, predicate } => {
                    let names: Vec<String> = elements
                        .iter()
                        .map(|(k, _)| match &k.expr {
                            IndexKeyExpr::Column(c) => c.clone(),
                            IndexKeyExpr::Expr(e) => expr_name(&e.0),
                        })
                        .collect();
                    let n = choose(self, Some(name_addition(&names)), "excl");
                    let predicate = predicate
                        .map(|p| canonical(&p, &Context { default_schema: &self.default_schema, column_type: None }));
                    (n, ConstraintKind::Exclusion { method, elements, predicate })
                }
                RawKind::Check { expr, no_inherit } => {
                    let cols = referenced_columns(&expr);
                    let only = (cols.len() == 1).then(|| cols.into_iter().next()).flatten();
                    let n = choose(self, only, "check");
                    let ctx = Context { default_schema: &self.default_schema, column_type: None };
                    let expr = crate::canon::expr::canonical(&expr, &ctx);
                    (n, ConstraintKind::Check { expr, no_inherit })
                }
                RawKind::ForeignKey { columns, ref_table, mut ref_columns, on_delete, on_update, match_kind } => {
                    if !self.columns_exist(&table, columns.iter(), at) {
                        continue;
                    }
                    let Some(target) = self.cat.tables.get(&ref_table) else {
                        self.error(
                            at,
                            format!(
                                "foreign key on {table} references table {ref_table}, which the schema does not define"
                            ),
                        );
                        continue;
                    };
                    if ref_columns.is_empty() {
                        match target.primary_key().map(|pk| &pk.kind) {
                            Some(ConstraintKind::PrimaryKey { columns, .. }) => ref_columns = columns.clone(),
                            _ => {
                                self.error(at, format!("there is no primary key for referenced table {ref_table}"));
                                continue;
                            }
                        }
                    }
                    if !self.columns_exist(&ref_table, ref_columns.iter(), at) {
                        continue;
                    }
                    if ref_columns.len() != columns.len() {
                        self.error(at, "number of referencing and referenced columns for foreign key disagree");
                        continue;
                    }
                    if self.cat.tables[&ref_table].unique_key(&ref_columns).is_none() {
                        self.error(
                            at,
                            format!(
                            "there is no unique constraint matching given keys for referenced table {ref_table} ({})",
                            ref_columns.join(", ")
                        ),
                        );
                        continue;
                    }
                    let n = choose(self, Some(name_addition(&columns)), "fkey");
                    (
                        n,
                        ConstraintKind::ForeignKey(ForeignKey {
                            columns,
                            ref_table,
                            ref_columns,
                            on_delete,
                            on_update,
                            match_kind,
                        }),
                    )
                }
            };
            let (name, kind) = kind;
            let Some(t) = self.cat.tables.get_mut(&table) else { continue };
            if t.constraints.contains_key(&name) {
                self.error(at, format!("constraint {name} for table {table} is defined twice"));
                continue;
            }
            // Only foreign keys and checks can be NOT VALID (PostgreSQL refuses it elsewhere).
            let validated = validated || !matches!(kind, ConstraintKind::ForeignKey(_) | ConstraintKind::Check { .. });
            if let Some(space) = &index.tablespace {
                let space = crate::canon::quote_ident(space);
                self.left_out.push(format!("USING INDEX TABLESPACE {space} of {table}.{name} is skipped"));
            }
            let Some(t) = self.cat.tables.get_mut(&table) else { continue };
            let index_options = index.options;
            t.constraints
                .insert(name.clone(), Constraint { name, kind, deferral, comment: None, validated, index_options });
        }
    }
}

/// A bound as written, checked against the parent's strategy and spelled for its key types.
fn partition_bound(
    bound: &ForValues,
    strategy: crate::model::PartitionStrategy,
    types: &[Option<crate::model::ColumnType>],
) -> Result<PartitionBound, String> {
    use crate::canon::partition::bound_value;
    use crate::model::PartitionStrategy as S;
    let ty = |i: usize| types.get(i).and_then(|t| t.as_ref());
    let values = |vs: &[sqlparser::ast::PartitionBoundValue]| -> Result<Vec<String>, String> {
        vs.iter().enumerate().map(|(i, v)| bound_value(v, ty(i))).collect()
    };
    match (bound, strategy) {
        (ForValues::Default, S::Range | S::List) => Ok(PartitionBound::Default),
        (ForValues::In(vs), S::List) => {
            let mut out = Vec::new();
            for v in vs {
                out.push(bound_value(&sqlparser::ast::PartitionBoundValue::Expr(v.clone()), ty(0))?);
            }
            Ok(PartitionBound::In(out))
        }
        (ForValues::From { from, to }, S::Range) => {
            if from.len() != types.len() || to.len() != types.len() {
                return Err(format!("the bound has {} values, the key {}", from.len().max(to.len()), types.len()));
            }
            Ok(PartitionBound::Range { from: values(from)?, to: values(to)? })
        }
        (ForValues::With { modulus, remainder }, S::Hash) => Ok(PartitionBound::Hash {
            modulus: u32::try_from(*modulus).map_err(|_| "modulus out of range".to_string())?,
            remainder: u32::try_from(*remainder).map_err(|_| "remainder out of range".to_string())?,
        }),
        (b, s) => Err(format!("bound {b} does not fit a {} partitioned table", s.sql())),
    }
}
