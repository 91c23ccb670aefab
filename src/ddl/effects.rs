//! Applies changes to a catalog in memory, mirroring what PostgreSQL does with
//! the same DDL. Used to check the differ (diff(a, b) applied to a gives b) and,
//! later, to replay revision files.

use crate::model::Map;

use crate::canon::expr::rename_column_ref;
use crate::change::{Change, CommentTarget, CompositeAction, DomainAction};
use crate::model::{Catalog, ConstraintKind, GrantObject, IndexKeyExpr, QualName, Routine};

/// Renames a table and every reference to it (the model's one walker over
/// references, `Catalog::rename_relation`).
pub fn rename_table(cat: &mut Catalog, from: &QualName, to: &QualName) {
    cat.rename_relation(from, to);
}

/// `RENAME CONSTRAINT` of a column's `NOT NULL` (PostgreSQL 18), found by
/// its name; the default name is kept as none.
fn rename_not_null(t: &mut crate::model::Table, from: &str, to: &str) {
    let table = t.name.name.clone();
    for c in t.columns.values_mut().filter(|c| c.not_null) {
        let default = crate::canon::names::not_null_name(&table, &c.name);
        if c.not_null_constraint.name.as_deref().unwrap_or(&default) == from {
            c.not_null_constraint.name = Some(to.to_string()).filter(|n| *n != default);
            return;
        }
    }
}

/// Renames a column and every reference to it: those held by name through
/// the model's walker (`Catalog::rename_column_refs`), and those inside
/// expressions of the table and its triggers, which PostgreSQL rewrites too
/// (it stores column numbers, not names).
pub fn rename_column(cat: &mut Catalog, table: &QualName, from: &str, to: &str) {
    cat.rename_column_refs(table, from, to);
    for t in cat.triggers.values_mut().filter(|t| &t.table == table) {
        if let Some(w) = &t.when {
            t.when = Some(rename_column_ref(w, from, to));
        }
    }
    let Some(t) = cat.tables.get_mut(table) else { return };
    for c in t.columns.values_mut() {
        if let Some(g) = &c.generated {
            c.generated = Some(Box::new(rename_column_ref(g, from, to)));
        }
    }
    for c in t.constraints.values_mut() {
        match &mut c.kind {
            ConstraintKind::Check { expr, .. } => *expr = rename_column_ref(expr, from, to),
            ConstraintKind::Exclusion { elements, predicate, .. } => {
                for (k, _) in elements.iter_mut() {
                    if let IndexKeyExpr::Expr(e) = &mut k.expr {
                        *e = rename_column_ref(e, from, to);
                    }
                }
                if let Some(p) = predicate {
                    *p = rename_column_ref(p, from, to);
                }
            }
            _ => {}
        }
    }
    for p in t.policies.values_mut() {
        for e in p.using.iter_mut().chain(p.with_check.iter_mut()) {
            *e = rename_column_ref(e, from, to);
        }
    }
    for i in t.indexes.values_mut() {
        for k in i.keys.iter_mut() {
            if let IndexKeyExpr::Expr(e) = &mut k.expr {
                *e = rename_column_ref(e, from, to);
            }
        }
        if let Some(p) = &mut i.predicate {
            *p = rename_column_ref(p, from, to);
        }
    }
}

/// Drops sequences owned by the given column (or any column of the table when
/// `column` is `None`), as PostgreSQL does when the owner goes.
fn drop_owned_sequences(cat: &mut Catalog, table: &QualName, column: Option<&str>) {
    cat.sequences.retain(|_, s| match &s.owned_by {
        Some((t, c)) => !(t == table && column.is_none_or(|col| col == c)),
        None => true,
    });
}

/// Applies every change in order, then sorts the catalog's maps.
pub fn apply_all(cat: &mut Catalog, changes: &[Change]) {
    for c in changes {
        apply(cat, c);
    }
    cat.sort();
}

/// Applies one change.
///
/// Long on purpose: one arm per `Change` variant (no catch-all), so the compiler names
/// this mirror of PostgreSQL's DDL whenever a change is added.
pub fn apply(cat: &mut Catalog, change: &Change) {
    match change {
        Change::CreateSchema { schema } => {
            cat.schemas.insert(schema.name.clone(), schema.clone());
        }
        Change::DropSchema { name } => {
            cat.schemas.shift_remove(name);
        }
        Change::CreateExtension { extension } => {
            cat.extensions.insert(extension.name.clone(), extension.clone());
        }
        Change::DropExtension { name } => {
            cat.extensions.shift_remove(name);
        }
        Change::CreateEnum { enum_type } => {
            cat.enums.insert(enum_type.name.clone(), enum_type.clone());
        }
        Change::DropEnum { name } => {
            cat.enums.shift_remove(name);
        }
        Change::CreateDomain { domain } => {
            cat.domains.insert(domain.name.clone(), domain.clone());
        }
        Change::DropDomain { name, .. } => {
            cat.domains.shift_remove(name);
        }
        Change::AlterDomain { name, action } => {
            if let Some(d) = cat.domains.get_mut(name) {
                match action {
                    DomainAction::SetDefault { to } => d.default = to.clone(),
                    DomainAction::SetNotNull { not_null } => d.not_null = *not_null,
                    DomainAction::AddCheck { check, expr } => {
                        d.checks.insert(check.clone(), expr.clone());
                    }
                    DomainAction::DropCheck { check } => {
                        d.checks.shift_remove(check);
                    }
                }
            }
        }
        Change::AddEnumValue { name, value, before, after } => {
            if let Some(e) = cat.enums.get_mut(name) {
                let pos = match (before, after) {
                    (Some(b), _) => e.labels.iter().position(|l| l == b).unwrap_or(e.labels.len()),
                    (None, Some(a)) => e.labels.iter().position(|l| l == a).map_or(e.labels.len(), |p| p + 1),
                    (None, None) => e.labels.len(),
                };
                e.labels.insert(pos, value.clone());
            }
        }
        Change::RecreateEnum { to, .. } => {
            // A new type: the old one's comment went with it.
            cat.enums.insert(to.name.clone(), crate::model::EnumType { comment: None, ..to.clone() });
        }
        Change::CreateComposite { composite } => {
            cat.composites.insert(composite.name.clone(), composite.clone());
        }
        Change::DropComposite { composite } => {
            cat.composites.shift_remove(&composite.name);
        }
        Change::AlterComposite { name, action } => {
            if let Some(c) = cat.composites.get_mut(name) {
                match action {
                    CompositeAction::AddAttribute { attribute } => {
                        c.attributes.insert(attribute.name.clone(), attribute.clone());
                    }
                    CompositeAction::DropAttribute { attribute } => {
                        c.attributes.shift_remove(&attribute.name);
                    }
                    CompositeAction::AlterAttributeType { attribute, to, collation, .. } => {
                        if let Some(a) = c.attributes.get_mut(attribute) {
                            a.data_type = to.clone();
                            a.collation = collation.clone();
                        }
                    }
                }
            }
        }
        Change::CreateRange { range } => {
            cat.ranges.insert(range.name.clone(), range.clone());
        }
        Change::DropRange { range } => {
            cat.ranges.shift_remove(&range.name);
        }
        Change::CreateSequence { sequence } => {
            cat.sequences.insert(sequence.name.clone(), sequence.clone());
        }
        Change::AlterSequence { name, to, .. } => {
            if let Some(s) = cat.sequences.get_mut(name) {
                s.options = to.clone();
            }
        }
        Change::DropSequence { name } => {
            cat.sequences.shift_remove(name);
        }
        Change::SetSequenceOwner { name, owner, .. } => {
            if let Some(s) = cat.sequences.get_mut(name) {
                s.owned_by = owner.clone();
            }
        }
        Change::CreateTable { table } => {
            cat.tables.insert(table.name.clone(), table.clone());
        }
        Change::DropTable { table } => {
            cat.tables.shift_remove(&table.name);
            drop_owned_sequences(cat, &table.name, None);
            cat.triggers.retain(|_, t| t.table != table.name);
        }
        Change::RenameTable { from, to } => rename_table(cat, from, to),
        Change::SetUnlogged { table, unlogged } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.unlogged = *unlogged;
            }
        }
        Change::SetTableOptions { table, set, reset } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.options.retain(|(k, _)| !reset.contains(k));
                for (k, v) in set {
                    match t.options.iter_mut().find(|(name, _)| name == k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => t.options.push((k.clone(), v.clone())),
                    }
                }
            }
        }
        Change::SetStatistics { table, column, statistics } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.statistics = *statistics;
            }
        }
        Change::SetStorage { table, column, storage, .. } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.storage = storage.clone();
            }
        }
        Change::SetCompression { table, column, compression } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.compression = compression.clone();
            }
        }
        Change::SetClusterOn { table, index } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.cluster_on = index.clone();
            }
        }
        Change::SetReplicaIdentity { table, identity } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.replica_identity = identity.clone();
            }
        }
        Change::DropLeftoverColumn { table, column, .. } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.columns.shift_remove(column);
            }
        }
        Change::AttachPartition { table, partition } => {
            // Its columns and the parent's checks are the parent's from now on.
            if let Some(t) = cat.tables.get_mut(table) {
                t.partition_of = Some(partition.clone());
                t.columns.clear();
            }
            cat.shed_inherited_checks(table);
        }
        Change::DetachPartition { table, parent } | Change::SetInherit { table, parent, inherit: false } => {
            cat.disinherit(table, parent)
        }
        Change::SetInherit { table, parent, inherit: true } => {
            if let Some(t) = cat.tables.get_mut(table) {
                if !t.inherits.contains(parent) {
                    t.inherits.push(parent.clone());
                }
            }
            cat.merge_inherited(table);
        }
        Change::AddColumn { table, column } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.columns.insert(column.name.clone(), column.clone());
            }
        }
        Change::DropColumn { table, column } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.columns.shift_remove(&column.name);
            }
            drop_owned_sequences(cat, table, Some(&column.name));
        }
        Change::RenameColumn { table, from, to } => rename_column(cat, table, from, to),
        Change::AlterColumnType { table, column, to, collation, .. } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.data_type = to.clone();
                c.collation = collation.clone();
                if let Some(id) = c.identity.as_mut() {
                    retype_identity(&mut id.options, to);
                }
                // PostgreSQL gives the column its new type's storage.
                c.storage = None;
            }
        }
        Change::SetDefault { table, column, to, .. } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.default = to.clone();
            }
        }
        Change::SetNotNull { table, column, not_null } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.not_null = *not_null;
                c.not_null_constraint = crate::model::NotNull::default();
            }
        }
        Change::AlterNotNull { table, column, to, .. } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.not_null_constraint = to.clone();
            }
        }
        Change::SetIdentity { table, column, to, .. } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                c.identity = to.clone().map(Box::new);
                if to.is_some() {
                    c.not_null = true;
                }
            }
        }
        Change::AddConstraint { table, constraint } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.constraints.insert(constraint.name.clone(), constraint.clone());
                if let ConstraintKind::PrimaryKey { columns, .. } = &constraint.kind {
                    for c in columns {
                        if let Some(col) = t.columns.get_mut(c) {
                            col.not_null = true;
                        }
                    }
                }
            }
        }
        Change::ValidateConstraint { table, constraint } => {
            if let Some(c) = cat.tables.get_mut(table).and_then(|t| t.constraints.get_mut(&constraint.name)) {
                c.validated = true;
            }
        }
        Change::DropConstraint { table, constraint } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.constraints.shift_remove(&constraint.name);
                index_gone(t, &constraint.name);
            }
        }
        Change::RenameConstraint { table, from, to } => {
            if let Some(t) = cat.tables.get_mut(table) {
                if !t.constraints.contains_key(from) {
                    rename_not_null(t, from, to);
                }
                rekey(&mut t.constraints, from, to, |c, n| c.name = n);
                index_renamed(t, from, to);
            }
        }
        Change::CreateIndex { table, index } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.indexes.insert(index.name.clone(), index.clone());
            } else if let Some(v) = cat.views.get_mut(table) {
                v.indexes.insert(index.name.clone(), index.clone());
            }
        }
        Change::DropIndex { table, index } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.indexes.shift_remove(&index.name);
                index_gone(t, &index.name);
            } else if let Some(v) = cat.views.get_mut(table) {
                v.indexes.shift_remove(&index.name);
            }
        }
        Change::RenameIndex { table, from, to } => {
            if let Some(t) = cat.tables.get_mut(table) {
                rekey(&mut t.indexes, from, to, |i, n| i.name = n);
                index_renamed(t, from, to);
            }
        }
        Change::RenameEnumValue { name, from, to } => {
            if let Some(e) = cat.enums.get_mut(name) {
                for l in e.labels.iter_mut().filter(|l| *l == from) {
                    *l = to.clone();
                }
            }
        }
        Change::CreateView { view, replace } => {
            // OR REPLACE keeps what hangs on the view: indexes, comments.
            let kept = if *replace { cat.views.get(&view.name).cloned() } else { None };
            let mut v = view.clone();
            if let Some(old) = kept {
                v.indexes = old.indexes;
                v.comment = old.comment;
                v.column_comments = old.column_comments;
            }
            cat.views.insert(v.name.clone(), v);
        }
        Change::DropView { view } => {
            cat.views.shift_remove(&view.name);
            // Its triggers go with it, as in PostgreSQL.
            cat.triggers.retain(|id, _| id.table != view.name);
        }
        Change::SetRowSecurity { table, enabled } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.row_security = *enabled;
            }
        }
        Change::SetForceRowSecurity { table, force } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.force_row_security = *force;
            }
        }
        Change::CreatePolicy { table, policy } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.policies.insert(policy.name.clone(), policy.clone());
            }
        }
        Change::DropPolicy { table, policy } => {
            if let Some(t) = cat.tables.get_mut(table) {
                t.policies.shift_remove(&policy.name);
            }
        }
        Change::AlterPolicy { table, to, .. } => {
            if let Some(p) = cat.tables.get_mut(table).and_then(|t| t.policies.get_mut(&to.name)) {
                *p = crate::model::Policy { comment: p.comment.clone(), ..to.clone() };
            }
        }
        Change::SetComment { target, text } => set_comment(cat, target, text.clone()),
        Change::DropInvalidIndex { .. } => {}
        Change::CreateRoutine { routine, replace } => {
            // CREATE OR REPLACE keeps the comment PostgreSQL has.
            let comment = if *replace { cat.routines.get(&routine.id()).and_then(|r| r.comment.clone()) } else { None };
            cat.routines.insert(routine.id(), Routine { comment, ..routine.clone() });
        }
        Change::DropRoutine { routine } => {
            cat.routines.shift_remove(&routine.id());
        }
        Change::CreateObject { object, replace } => {
            // CREATE OR REPLACE keeps the comment PostgreSQL has.
            let comment = if *replace { cat.objects.get(&object.id()).and_then(|o| o.comment.clone()) } else { None };
            cat.objects.insert(object.id(), crate::model::Object { comment, ..object.clone() });
        }
        Change::DropObject { object } => {
            cat.objects.shift_remove(&object.id());
        }
        Change::AlterObject { to, .. } => {
            let comment = cat.objects.get(&to.id()).and_then(|o| o.comment.clone());
            cat.objects.insert(to.id(), crate::model::Object { comment, ..to.clone() });
        }
        Change::CreateTrigger { trigger } => {
            cat.triggers.insert(trigger.id(), trigger.clone());
        }
        Change::DropTrigger { trigger } => {
            cat.triggers.shift_remove(&trigger.id());
        }
        Change::SetTriggerEnabled { trigger, enabled } => {
            if let Some(t) = cat.triggers.get_mut(trigger) {
                t.enabled = *enabled;
            }
        }
        Change::SetPrivileges { key, to, .. } => {
            // A table-level REVOKE takes the same privileges from the columns.
            let held = cat.privileges(key);
            let gone: Vec<_> = held.0.keys().filter(|p| !to.0.contains_key(p)).copied().collect();
            let option_gone: Vec<_> =
                held.0.iter().filter(|(p, g)| **g && to.0.get(p) == Some(&false)).map(|(p, _)| *p).collect();
            cat.revoke(key, &gone, false);
            cat.revoke(key, &option_gone, true);
            cat.set_privileges(key.clone(), to.clone());
        }
        Change::SetDefaultPrivileges { key, to, .. } => cat.set_default_privileges(key.clone(), to.clone()),
    }
    if let Change::RecreateEnum { to, .. } = change {
        cat.forget_grants(&GrantObject::Type(to.name.clone()));
    }
    if change.kind().starts_with("drop") {
        forget_dropped(cat);
    }
}

/// Grants go with their object (and default privileges with their schema).
fn forget_dropped(cat: &mut Catalog) {
    let gone: Vec<GrantObject> =
        cat.grants.keys().filter(|k| !cat.has_grant_object(&k.object)).map(|k| k.object.clone()).collect();
    for o in gone {
        cat.forget_grants(&o);
    }
    let schemas: Vec<String> = cat.default_privileges.keys().filter_map(|k| k.schema.clone()).collect();
    for s in schemas {
        if !cat.has_schema(&s) {
            cat.default_privileges.retain(|k, _| k.schema.as_ref() != Some(&s));
        }
    }
}

fn rekey<V>(map: &mut Map<String, V>, from: &str, to: &str, set: impl Fn(&mut V, String)) {
    if let Some(mut v) = map.shift_remove(from) {
        set(&mut v, to.to_string());
        map.insert(to.to_string(), v);
    }
}

fn set_comment(cat: &mut Catalog, target: &CommentTarget, text: Option<String>) {
    let slot = match target {
        CommentTarget::Schema(s) => cat.schemas.get_mut(s).map(|s| &mut s.comment),
        CommentTarget::Table(t) => cat.tables.get_mut(t).map(|t| &mut t.comment),
        CommentTarget::Column(t, c) if cat.views.contains_key(t) => {
            if let Some(v) = cat.views.get_mut(t) {
                match text {
                    Some(text) => v.column_comments.insert(c.clone(), text),
                    None => v.column_comments.shift_remove(c),
                };
            }
            return;
        }
        CommentTarget::Column(t, c) => cat.tables.get_mut(t).and_then(|t| t.columns.get_mut(c)).map(|c| &mut c.comment),
        CommentTarget::View { name, .. } => cat.views.get_mut(name).map(|v| &mut v.comment),
        CommentTarget::Constraint(t, c) => {
            cat.tables.get_mut(t).and_then(|t| t.constraints.get_mut(c)).map(|c| &mut c.comment)
        }
        CommentTarget::Index(i) => cat
            .tables
            .values_mut()
            .filter(|t| t.name.schema == i.schema)
            .map(|t| &mut t.indexes)
            .chain(cat.views.values_mut().filter(|v| v.name.schema == i.schema).map(|v| &mut v.indexes))
            .find_map(|indexes| indexes.get_mut(&i.name))
            .map(|i| &mut i.comment),
        CommentTarget::Sequence(s) => cat.sequences.get_mut(s).map(|s| &mut s.comment),
        CommentTarget::Type(t) => match cat.enums.get_mut(t) {
            Some(e) => Some(&mut e.comment),
            None => match cat.composites.get_mut(t) {
                Some(c) => Some(&mut c.comment),
                None => cat.ranges.get_mut(t).map(|r| &mut r.comment),
            },
        },
        CommentTarget::Domain(t) => cat.domains.get_mut(t).map(|d| &mut d.comment),
        CommentTarget::Routine(r, _) => cat.routines.get_mut(r).map(|r| &mut r.comment),
        CommentTarget::Trigger(t) => cat.triggers.get_mut(t).map(|t| &mut t.comment),
        CommentTarget::Object(o) => cat.objects.get_mut(o).map(|o| &mut o.comment),
        CommentTarget::Policy(t, p) => {
            cat.tables.get_mut(t).and_then(|t| t.policies.get_mut(p)).map(|p| &mut p.comment)
        }
    };
    if let Some(slot) = slot {
        *slot = text;
    }
}

/// PostgreSQL changes an identity column's sequence with its type (`AS`), and
/// a bound that was the old type's limit becomes the new type's.
fn retype_identity(options: &mut crate::model::SeqOptions, to: &crate::model::ColumnType) {
    use crate::model::SeqType;
    let new = match (to.schema.as_deref(), to.base.as_str()) {
        (None, "smallint") => SeqType::SmallInt,
        (None, "integer") => SeqType::Integer,
        (None, "bigint") => SeqType::BigInt,
        _ => return,
    };
    let old = options.data_type;
    if options.max == old.max() {
        options.max = new.max();
    }
    if options.min == old.min() {
        options.min = new.min();
    }
    options.data_type = new;
}

/// A dropped index takes `CLUSTER ON` and `REPLICA IDENTITY USING INDEX` with it
/// (the identity is then no index: pg_dump and pgstate read it as the default).
fn index_gone(t: &mut crate::model::Table, index: &str) {
    if t.cluster_on.as_deref() == Some(index) {
        t.cluster_on = None;
    }
    if t.replica_identity == Some(crate::model::ReplicaIdentity::Index(index.to_string())) {
        t.replica_identity = None;
    }
}

/// A renamed index is still the one `CLUSTER ON` and `REPLICA IDENTITY` name.
fn index_renamed(t: &mut crate::model::Table, from: &str, to: &str) {
    if t.cluster_on.as_deref() == Some(from) {
        t.cluster_on = Some(to.to_string());
    }
    if t.replica_identity == Some(crate::model::ReplicaIdentity::Index(from.to_string())) {
        t.replica_identity = Some(crate::model::ReplicaIdentity::Index(to.to_string()));
    }
}
