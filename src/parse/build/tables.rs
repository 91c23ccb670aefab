//! `CREATE TABLE`, its columns, and `ALTER TABLE` as pg_dump writes it.

use rustc_hash::FxHashSet;

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation};

use super::Builder;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::model::RenameHint;
use crate::model::{Identity, PartitionBound, PartitionOf, QualName, SeqOptions, Sequence, Table};
use crate::parse::columns::{column, identity_type, seq_options, ParsedColumn};
use crate::parse::constraints::RawConstraint;
use crate::parse::source::At;
use crate::parse::statement::{Located, Stmt};
use crate::parse::table_def::TableDef;

impl Builder<'_> {
    /// Adds a table; its columns and constraints are taken out of `def`, not
    /// cloned: no later phase reads them again.
    pub(super) fn create_table(&mut self, def: &mut TableDef, at: At, hints: &[(u64, String)]) {
        let q = match &def.name {
            Ok(q) => q.clone(),
            Err(e) => return self.error(at, e.clone()),
        };
        if def.temporary {
            return self.error(at, "temporary tables are not part of a schema");
        }
        if def.unsupported_form {
            return self.error_help(
                at,
                format!("unsupported table form in {q}: CREATE TABLE ... AS (or LIKE outside a column list)"),
                "declare the columns explicitly",
            );
        }
        if self.cat.tables.contains_key(&q) {
            if !def.if_not_exists {
                let message = match self.table_at.get(&q).copied() {
                    Some(first) => {
                        let (line, _) =
                            self.files[first.file].line_col(self.files[first.file].offset(first.span.start));
                        format!("table {q} is defined twice (first at {}:{line})", self.files[first.file].name)
                    }
                    None => format!("table {q} already exists"),
                };
                self.error(at, message);
            }
            return;
        }
        let name_line = def.name_line;
        for like in std::mem::take(&mut def.like) {
            self.likes.push((q.clone(), like, at));
        }
        let mut table = Table::new(q.clone());
        table.unlogged = def.unlogged;
        match &def.options {
            Ok(options) => table.options = options.clone(),
            Err(e) => self.error(at, e.clone()),
        }
        // A hint ends its line: it names the last thing that starts there (a
        // column, else the table), not every column written on that line.
        let column_lines: FxHashSet<u64> = def.columns.iter().map(|c| c.at.span.start.line).collect();
        let last_on_line: FxHashSet<usize> = (0..def.columns.len())
            .filter(|&i| {
                def.columns.get(i + 1).is_none_or(|n| n.at.span.start.line != def.columns[i].at.span.start.line)
            })
            .collect();
        for h in hints {
            if h.0 == name_line && !column_lines.contains(&name_line) {
                let from = QualName::new(q.schema.clone(), h.1.clone());
                self.hints.push(RenameHint::Table { table: q.clone(), from });
            }
        }
        self.table_at.insert(q.clone(), at);
        match def.partition_by.take() {
            Some(Ok(key)) => table.partition_by = Some(key),
            Some(Err(e)) => self.error(at, e),
            None => {}
        }
        if let Some((parent, bound)) = def.partition_of.take() {
            if !def.columns.is_empty() {
                self.error_help(
                    at,
                    format!("column options in {q} ... PARTITION OF are not supported"),
                    "a partition's columns are its parent's: declare defaults and NOT NULL on the parent",
                );
            }
            if let Some(parent) = self.qual(&parent, at) {
                table.partition_of = Some(PartitionOf { parent, bound: PartitionBound::Default });
                self.partition_bounds.push((q.clone(), bound, at));
            }
        }
        for parent in std::mem::take(&mut def.inherits) {
            if let Some(parent) = self.qual(&parent, at) {
                table.inherits.push(parent);
            }
        }
        table.columns.reserve(def.columns.len());
        for (i, col) in std::mem::take(&mut def.columns).into_iter().enumerate() {
            let hints = if last_on_line.contains(&i) { hints } else { &[] };
            match col.parsed {
                Ok(parsed) => self.add_column(&mut table, parsed, col.at, hints),
                Err(e) => self.error(col.at, format!("column {}: {e}", col.name)),
            }
        }
        self.cat.tables.insert(q.clone(), table);
        for c in std::mem::take(&mut def.constraints) {
            match c {
                Ok(rc) => self.pending.push((q.clone(), rc)),
                Err(e) => self.error(at, e),
            }
        }
    }

    pub(super) fn add_column_def(
        &mut self,
        table: &QualName,
        def: &sqlparser::ast::ColumnDef,
        at: At,
        hints: &[(u64, String)],
    ) {
        let parsed = match column(def, &self.default_schema, at) {
            Ok(parsed) => parsed,
            Err(e) => return self.error(at, format!("column {}: {e}", fold(&def.name))),
        };
        let Some(slot) = self.cat.tables.get_mut(table) else { return };
        let mut t = std::mem::replace(slot, Table::new(table.clone()));
        self.add_column(&mut t, parsed, at, hints);
        if let Some(slot) = self.cat.tables.get_mut(table) {
            *slot = t;
        }
    }

    /// Adds a column to `t`, which is not in the catalog while this runs
    /// (a table being created, or one taken out by `add_column_def`).
    pub(super) fn add_column(&mut self, t: &mut Table, parsed: ParsedColumn, at: At, hints: &[(u64, String)]) {
        let ParsedColumn { mut column, constraints, serial } = parsed;
        let table = &t.name;
        let name = column.name.clone();
        if t.columns.contains_key(&name) {
            return self.error(at, format!("column {name} is defined twice in table {table}"));
        }
        if let Some(seq_type) = serial {
            let seq_name = self.taken(&table.schema).choose(&table.name, Some(&name), "seq");
            let seq = QualName::new(table.schema.clone(), seq_name);
            column.default = Some(crate::model::Expr::new(format!(
                "nextval({}::regclass)",
                crate::canon::quote_literal(&seq.sql())
            )));
            self.cat.sequences.insert(
                seq.clone(),
                Sequence {
                    name: seq,
                    options: SeqOptions::defaults(seq_type, 1),
                    owned_by: Some((table.clone(), name.clone())),
                    comment: None,
                },
            );
        }
        if let Some(t) = column.data_type.custom() {
            self.type_uses.push((table.clone(), name.clone(), t, at));
        }
        for h in hints {
            if h.0 == at.span.start.line {
                self.hints.push(RenameHint::Column {
                    table: table.clone(),
                    column: name.clone(),
                    from: fold(&sqlparser::ast::Ident::new(h.1.clone())),
                });
            }
        }
        for c in constraints {
            self.pending.push((table.clone(), c));
        }
        settle_not_null(&table.name, &mut column);
        t.columns.insert(name, column);
    }

    /// Targets of index columns, once every index has its name.
    pub(super) fn settle_index_statistics(&mut self) {
        for (name, n, value, at) in std::mem::take(&mut self.index_statistics) {
            let Some(q) = self.qual(&name, at) else { continue };
            let index = self
                .cat
                .tables
                .values_mut()
                .filter(|t| t.name.schema == q.schema)
                .find_map(|t| t.indexes.get_mut(&q.name));
            match index {
                Some(i) if n <= i.keys.len() => {
                    i.statistics.retain(|(k, _)| *k != n);
                    if value >= 0 {
                        i.statistics.push((n, value));
                        i.statistics.sort();
                    }
                }
                Some(_) => self.error(at, format!("index {q} has no column {n}")),
                None => self.error(at, format!("ALTER INDEX names index {q}, which the schema does not define")),
            }
        }
    }

    pub(super) fn alteration(&mut self, s: &mut Located) {
        let at = self.at(s);
        match &mut s.stmt {
            Stmt::Alter(alter) => {
                let Some(q) = self.qual(&alter.name, at) else { return };
                if !self.table_exists(&q, at) {
                    return;
                }
                for op in &alter.operations {
                    self.alter_op(&q, op, at, &s.hints);
                }
            }
            Stmt::Index(ci) => self.create_index(ci, at),
            Stmt::Key(table, raw) => {
                if self.table_exists(table, at) {
                    self.pending.push((table.clone(), (**raw).clone()));
                }
            }
            Stmt::Sql(_) => {}
            Stmt::SequenceOwnedBy { sequence, owner } => {
                let Some(q) = self.qual(sequence, at) else { return };
                let owned_by = match owner {
                    Some(o) => self.owner(o, at),
                    None => None,
                };
                match self.cat.sequences.get_mut(&q) {
                    Some(seq) => seq.owned_by = owned_by,
                    None => {
                        self.error(at, format!("ALTER SEQUENCE names sequence {q}, which the schema does not define"))
                    }
                }
            }
            Stmt::AttachIndex { child } => self.attached_indexes.push((child.clone(), at)),
            Stmt::ObjectMapping(id, edit) => {
                let Some(o) = self.cat.objects.get_mut(id) else {
                    return self.error(at, format!("ALTER {id}: it is not defined"));
                };
                if let Err(m) = crate::parse::ts_mapping::edit_mappings(&mut o.mappings, edit) {
                    self.error(at, format!("ALTER {id}: {m}"));
                }
            }
            Stmt::ObjectOption(id, edit) => match self.cat.objects.get_mut(id) {
                Some(o) => crate::parse::object_alter::apply(o.kind, &mut o.options, edit),
                None => self.error(at, format!("ALTER {id}: it is not defined")),
            },
            Stmt::ObjectEdit(id, edit) => {
                let Some(o) = self.cat.objects.get_mut(id) else {
                    return self.error(at, format!("ALTER {id}: it is not defined"));
                };
                if let Err(m) = crate::parse::object_edit::apply(o, edit) {
                    self.error(at, format!("ALTER {id}: {m}"));
                }
            }
            Stmt::ForeignColumnOptions(id, column, options) => {
                let Some(o) = self.cat.objects.get_mut(id) else {
                    return self.error(at, format!("ALTER {id}: it is not defined"));
                };
                if let Err(m) = crate::parse::foreign::set_column_options(o, column, options) {
                    self.error(at, format!("ALTER {id}: {m}"));
                }
            }
            Stmt::Statistics { relation, index: false, column, value } => {
                let Some(q) = self.qual(relation, at) else { return };
                let value = (*value >= 0).then_some(*value);
                match self.cat.tables.get_mut(&q).map(|t| t.columns.get_mut(column)) {
                    Some(Some(c)) => c.statistics = value,
                    Some(None) => {
                        self.error(at, format!("SET STATISTICS names column {column} of {q}, which it does not have"))
                    }
                    None => self.error(at, format!("ALTER TABLE names table {q}, which the schema does not define")),
                }
            }
            Stmt::TableAttr { relation, attr } => self.table_attr(relation, attr, at),
            Stmt::Statistics { relation, index: true, column, value } => match column.parse::<usize>() {
                Ok(n) if n >= 1 => self.index_statistics.push((relation.clone(), n, *value, at)),
                _ => self.error(at, format!("index column number {column}: expected 1 or more")),
            },
            Stmt::ConstraintComment { .. }
            | Stmt::Table(_)
            | Stmt::TableWithClauses(..)
            | Stmt::Domain { .. }
            | Stmt::View(_)
            | Stmt::Routine(..)
            | Stmt::Object(..)
            | Stmt::ObjectComment(..)
            | Stmt::Trigger(..)
            | Stmt::RoutineComment { .. }
            | Stmt::TriggerComment { .. }
            | Stmt::Grant(_)
            | Stmt::Skipped(_)
            | Stmt::Drop { .. } => {}
        }
    }

    /// `ALTER TABLE ... VALIDATE CONSTRAINT`: the constraint, written earlier
    /// (still waiting to be named) or already in the catalog, is valid.
    fn validate_constraint(&mut self, table: &QualName, name: &str, at: At) {
        if let Some(c) = self.cat.tables.get_mut(table).and_then(|t| t.constraints.get_mut(name)) {
            c.validated = true;
            return;
        }
        let pending = self.pending.iter_mut().find(|(t, c)| t == table && c.name.as_deref() == Some(name));
        match pending {
            Some((_, c)) => c.validated = true,
            None => {
                self.error(at, format!("VALIDATE CONSTRAINT names constraint {name} of {table}, which is not defined"))
            }
        }
    }

    /// Applies one `ALTER TABLE` action. One arm per action pgstate models (sqlparser's
    /// `AlterTableOperation`); long because there are many.
    pub(super) fn alter_op(&mut self, table: &QualName, op: &AlterTableOperation, at: At, hints: &[(u64, String)]) {
        match op {
            AlterTableOperation::AddConstraint { constraint, not_valid } => {
                match crate::parse::constraints::from_table_constraint(constraint, None, &self.default_schema, at) {
                    Ok(rc) => self.pending.push((table.clone(), RawConstraint { validated: !not_valid, ..rc })),
                    Err(e) => self.error(at, e),
                }
            }
            AlterTableOperation::ValidateConstraint { name } => self.validate_constraint(table, &fold(name), at),
            AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                let exists = self.cat.tables[table].columns.contains_key(&fold(&column_def.name));
                if !(exists && *if_not_exists) {
                    let col_at = At { file: at.file, span: column_def.name.span };
                    self.add_column_def(table, column_def, col_at, hints);
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let col_name = fold(column_name);
                let Some(col) = self.cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(&col_name)) else {
                    // pg_dump sets an inherited column's default on each child: it
                    // is the parent's, which PostgreSQL copies by itself. Anything
                    // else would be the child's own setting, which is not modelled.
                    if let Some(inherited) = self.cat.find_column(table, &col_name) {
                        // Judged once every statement is read: the parent's default may come later.
                        let default = match op {
                            AlterColumnOperation::SetDefault { value } => {
                                let ctx = Context {
                                    default_schema: &self.default_schema,
                                    column_type: Some(&inherited.data_type),
                                };
                                Some(canonical(value, &ctx))
                            }
                            _ => None,
                        };
                        self.child_settings.push((table.clone(), col_name, default, at));
                        return;
                    }
                    return self.error(at, format!("column {col_name} does not exist in table {table}"));
                };
                match op {
                    AlterColumnOperation::SetNotNull if !col.not_null => {
                        col.not_null = true;
                        col.not_null_constraint = Default::default();
                    }
                    AlterColumnOperation::SetNotNull => {}
                    AlterColumnOperation::DropNotNull => {
                        col.not_null = false;
                        col.not_null_constraint = Default::default();
                    }
                    AlterColumnOperation::SetDefault { value } => {
                        col.default = Some(canonical(
                            value,
                            &Context { default_schema: &self.default_schema, column_type: Some(&col.data_type) },
                        ));
                    }
                    AlterColumnOperation::DropDefault => col.default = None,
                    AlterColumnOperation::AddGenerated { generated_as, sequence_options } => {
                        let always = !matches!(generated_as, Some(sqlparser::ast::GeneratedAs::ByDefault));
                        let result =
                            identity_type(col).and_then(|t| seq_options(sequence_options.as_deref().unwrap_or(&[]), t));
                        match result {
                            Ok(options) => {
                                col.identity = Some(Box::new(Identity { always, options }));
                                col.not_null = true;
                            }
                            Err(e) => self.error(at, e),
                        }
                    }
                    other => self.error(at, format!("unsupported in a desired schema: ALTER COLUMN ... {other}")),
                }
            }
            AlterTableOperation::EnableTrigger { name }
            | AlterTableOperation::DisableTrigger { name }
            | AlterTableOperation::EnableReplicaTrigger { name }
            | AlterTableOperation::EnableAlwaysTrigger { name } => {
                use crate::model::TriggerEnabled as E;
                let state = match op {
                    AlterTableOperation::DisableTrigger { .. } => E::Disabled,
                    AlterTableOperation::EnableReplicaTrigger { .. } => E::Replica,
                    AlterTableOperation::EnableAlwaysTrigger { .. } => E::Always,
                    _ => E::Origin,
                };
                let tname = fold(name);
                let all = name.quote_style.is_none() && matches!(tname.as_str(), "all" | "user");
                let mut found = false;
                for t in self.cat.triggers.values_mut().filter(|t| &t.table == table) {
                    if all || t.name == tname {
                        t.enabled = state;
                        found = true;
                    }
                }
                if !found && !all {
                    self.error(at, format!("trigger {tname} on {table} is not defined"));
                }
            }
            AlterTableOperation::EnableRowLevelSecurity | AlterTableOperation::DisableRowLevelSecurity => {
                if let Some(t) = self.cat.tables.get_mut(table) {
                    t.row_security = matches!(op, AlterTableOperation::EnableRowLevelSecurity);
                }
            }
            AlterTableOperation::ForceRowLevelSecurity | AlterTableOperation::NoForceRowLevelSecurity => {
                if let Some(t) = self.cat.tables.get_mut(table) {
                    t.force_row_security = matches!(op, AlterTableOperation::ForceRowLevelSecurity);
                }
            }
            AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                for c in column_names {
                    let name = fold(c);
                    let removed = self.cat.tables.get_mut(table).and_then(|t| t.columns.shift_remove(&name));
                    if removed.is_none() && !*if_exists {
                        let why =
                            if self.cat.inherits_column(table, &name) { "is inherited" } else { "does not exist" };
                        self.error(at, format!("cannot drop column {name} of {table}: it {why}"));
                    }
                }
            }
            AlterTableOperation::AttachPartitionOf { partition, for_values } => {
                let Some(child) = self.qual(partition, at) else { return };
                match self.cat.tables.get_mut(&child) {
                    Some(t) => {
                        t.partition_of = Some(PartitionOf { parent: table.clone(), bound: PartitionBound::Default });
                        self.partition_bounds.push((child, for_values.clone(), at));
                    }
                    None => self
                        .error(at, format!("ATTACH PARTITION names table {child}, which the schema does not define")),
                }
            }
            AlterTableOperation::DetachPartitionOf { partition, .. } => {
                let Some(child) = self.qual(partition, at) else { return };
                if self.cat.tables.get(&child).and_then(|t| t.partition_of.as_ref()).map(|p| &p.parent) != Some(table) {
                    return self.error(at, format!("{child} is not a partition of {table}"));
                }
                self.cat.disinherit(&child, table);
            }
            AlterTableOperation::Inherit { parent } => {
                let Some(parent) = self.qual(parent, at) else { return };
                if let Some(t) = self.cat.tables.get_mut(table) {
                    if !t.inherits.contains(&parent) {
                        t.inherits.push(parent);
                    }
                }
            }
            AlterTableOperation::NoInherit { parent } => {
                let Some(parent) = self.qual(parent, at) else { return };
                if !self.cat.tables.get(table).is_some_and(|t| t.inherits.contains(&parent)) {
                    return self.error(at, format!("{table} does not inherit from {parent}"));
                }
                self.cat.disinherit(table, &parent);
            }
            other => self.error_help(
                at,
                format!("unsupported in a desired schema: ALTER TABLE ... {other}"),
                format!("pgstate reads: {}", crate::parse::statement::SUPPORTED),
            ),
        }
    }
}

/// A column's `NOT NULL` constraint as the model holds it: nothing when the
/// column is nullable, no name when it has the one PostgreSQL 18 gives.
pub(super) fn settle_not_null(table: &str, column: &mut crate::model::Column) {
    if !column.not_null {
        column.not_null_constraint = Default::default();
    } else if let Some(name) = column.not_null_constraint.name.as_deref() {
        // Only a name written out is compared (most NOT NULLs have none).
        if name == crate::canon::names::not_null_name(table, &column.name) {
            column.not_null_constraint.name = None;
        }
    }
}
