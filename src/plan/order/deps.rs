//! What each change creates, drops, and needs before or after it runs, read
//! from the model and the `Dep`s it records: the edges of the plan's graph.

use crate::canon::expr::nextval_target;
use crate::canon::refs::{columns_used, routines_used};
use crate::diff::{Change, CommentTarget, CompositeAction};
use crate::model::{
    Catalog, Column, ConstraintKind, Dep, Expr, GenericKind, GrantObject, Index, IndexKeyExpr, Object, ObjectId,
    Policy, QualName, Routine, Table, Trigger, UniqueKey,
};

use super::{Deps, Key};

fn column_uses(table: &QualName, c: &Column, out: &mut Vec<Key>) {
    if let Some(t) = c.data_type.custom() {
        out.push(Key::Type(t));
    }
    out.extend(collation_key(c.collation.as_deref()));
    expr_uses(c.default.as_ref(), out);
    let _ = table;
}

/// What a range type needs: its subtype and its functions (a bare name is
/// taken to be in `public`, the default schema: only ordering uses it).
fn range_uses(r: &crate::model::RangeType) -> Vec<Key> {
    let mut out: Vec<Key> = r.subtype.custom().map(Key::Type).into_iter().collect();
    for f in r.canonical.iter().chain(&r.subtype_diff) {
        let (schema, name) = f.split_once('.').unwrap_or(("public", f));
        out.push(Key::Routine(QualName::new(schema.trim_matches('"'), name.trim_matches('"'))));
    }
    out
}

/// The collation a column or type names, when it may be one of the schema's
/// (a bare name is taken to be in `public`: only ordering uses it).
fn collation_key(collation: Option<&str>) -> Option<Key> {
    let c = collation?;
    let (schema, name) = c.split_once('.').unwrap_or(("public", c));
    let identity = QualName::new(schema.trim_matches('"'), name.trim_matches('"')).sql();
    Some(Key::Object(ObjectId { kind: GenericKind::Collation, identity }))
}

/// What an object of a generic kind is known by: its id, and its name as a
/// function for a kind called like one (views and expressions name it so).
fn object_keys(o: &Object) -> Vec<Key> {
    let mut keys = vec![Key::Object(o.id())];
    if o.kind.spec().callable {
        keys.push(Key::Routine(o.name.clone()));
    }
    // Views read a foreign table as a relation.
    keys.extend((o.kind == GenericKind::ForeignTable).then(|| Key::Table(o.name.clone())));
    keys
}

/// What an object of a generic kind uses: its schema, the functions and types it names.
fn object_uses(o: &Object, out: &mut Vec<Key>) {
    out.push(Key::Schema(o.name.schema.clone()));
    out.extend(o.uses().into_iter().map(Key::Object));
    for d in &o.depends {
        match d {
            // A row type is a table's; a type may be any user type.
            Dep::Type(t) => {
                out.push(Key::Type(t.clone()));
                out.push(Key::Table(t.clone()));
            }
            Dep::Relation(t) => out.push(Key::Table(t.clone())),
            Dep::Column(t, c) => out.push(Key::Column(t.clone(), c.clone())),
            Dep::Routine(f) if f != &o.name => out.push(Key::Routine(f.clone())),
            Dep::Routine(_) => {}
        }
    }
}

/// What a policy needs: its table, and what its expressions refer to.
fn policy_uses(table: &QualName, p: &Policy, out: &mut Vec<Key>) {
    out.push(Key::Table(table.clone()));
    for d in &p.depends {
        match d {
            Dep::Column(t, c) => out.extend([Key::Column(t.clone(), c.clone()), Key::ColumnType(t.clone(), c.clone())]),
            Dep::Relation(r) => out.push(Key::Table(r.clone())),
            Dep::Routine(r) => out.push(Key::Routine(r.clone())),
            Dep::Type(t) => out.push(Key::Type(t.clone())),
        }
    }
}

fn expr_uses(e: Option<&Expr>, out: &mut Vec<Key>) {
    let Some(e) = e else { return };
    if let Some(seq) = nextval_target(e) {
        out.push(Key::Sequence(seq));
        return;
    }
    // Only text with a call in it is parsed (most defaults are literals).
    // Canonical text prints functions of the default schema unqualified.
    if e.0.contains('(') && e.0 != "now()" {
        out.extend(routines_used(e, "public").into_iter().map(Key::Routine));
    }
}

/// What a table's checks, defaults and generated columns call.
fn table_uses(table: &Table, out: &mut Vec<Key>) {
    for c in table.columns.values() {
        expr_uses(c.generated.as_deref(), out);
    }
    for c in table.constraints.values() {
        if let ConstraintKind::Check { expr, .. } = &c.kind {
            expr_uses(Some(expr), out);
        }
    }
}

/// The column types an expression of `table` reads: a change of one (an
/// `ALTER COLUMN ... TYPE`, an enum rebuilt under it) goes after the
/// expression's object is dropped and before it is created again.
fn expr_column_types(table: &QualName, e: &Expr, out: &mut Vec<Key>) {
    out.extend(columns_used(e).into_iter().map(|c| Key::ColumnType(table.clone(), c)));
}

/// The column types an index's expressions and predicate read.
fn index_column_types(table: &QualName, index: &Index, out: &mut Vec<Key>) {
    for k in &index.keys {
        if let IndexKeyExpr::Expr(e) = &k.expr {
            expr_column_types(table, e, out);
        }
    }
    if let Some(p) = &index.predicate {
        expr_column_types(table, p, out);
    }
}

/// The column types a check's or exclusion's expressions read.
fn constraint_column_types(table: &QualName, kind: &ConstraintKind, out: &mut Vec<Key>) {
    match kind {
        ConstraintKind::Check { expr, .. } => expr_column_types(table, expr, out),
        ConstraintKind::Exclusion { elements, predicate, .. } => {
            for (k, _) in elements {
                if let IndexKeyExpr::Expr(e) = &k.expr {
                    expr_column_types(table, e, out);
                }
            }
            if let Some(p) = predicate {
                expr_column_types(table, p, out);
            }
        }
        _ => {}
    }
}

fn index_uses(index: &Index, out: &mut Vec<Key>) {
    for k in &index.keys {
        // An operator class of the schema's (a bare one is taken to be in `public`: only ordering uses it).
        if let Some(c) = &k.opclass {
            let (schema, name) = c.split_once('.').unwrap_or(("public", c));
            let identity =
                format!("{} USING {}", QualName::new(schema, name).sql(), crate::canon::quote_ident(&index.method));
            out.push(Key::Object(ObjectId { kind: GenericKind::OperatorClass, identity }));
        }
        if let IndexKeyExpr::Expr(e) = &k.expr {
            expr_uses(Some(e), out);
        }
    }
    expr_uses(index.predicate.as_ref(), out);
}

fn routine_uses(r: &Routine, out: &mut Vec<Key>) {
    out.push(Key::Schema(r.name.schema.clone()));
    for d in &r.depends {
        match d {
            // A row type is a table's; a type may be any user type.
            Dep::Type(t) => {
                out.push(Key::Type(t.clone()));
                out.push(Key::Table(t.clone()));
            }
            Dep::Relation(t) => out.push(Key::Table(t.clone())),
            Dep::Column(t, c) => {
                out.push(Key::Column(t.clone(), c.clone()));
                out.push(Key::ColumnType(t.clone(), c.clone()));
            }
            Dep::Routine(f) if f != &r.name => out.push(Key::Routine(f.clone())),
            Dep::Routine(_) => {}
        }
    }
}

fn trigger_uses(t: &Trigger, out: &mut Vec<Key>) {
    out.push(Key::Table(t.table.clone()));
    out.push(Key::Routine(t.function.clone()));
    for c in &t.update_of {
        out.push(Key::Column(t.table.clone(), c.clone()));
    }
    expr_uses(t.when.as_ref(), out);
}

/// The keys behind what a view reads: a column is needed as it is (its
/// definition included), a relation as a whole.
fn view_uses(depends: &[Dep], out: &mut Vec<Key>) {
    for dep in depends {
        match dep {
            Dep::Relation(r) => out.push(Key::Table(r.clone())),
            Dep::Column(r, c) => {
                out.push(Key::Table(r.clone()));
                out.push(Key::Column(r.clone(), c.clone()));
                out.push(Key::ColumnType(r.clone(), c.clone()));
            }
            Dep::Routine(f) => out.push(Key::Routine(f.clone())),
            Dep::Type(t) => out.push(Key::Type(t.clone())),
        }
    }
}

/// What a child must have before it joins `parent`: the parent's columns
/// and checks, on the child.
fn parent_columns(to: &Catalog, parent: &QualName, child: &QualName, out: &mut Vec<Key>) {
    for (c, _) in to.all_columns(parent) {
        out.push(Key::Column(child.clone(), c.name.clone()));
        out.push(Key::Column(parent.clone(), c.name.clone()));
    }
    for c in to.checks_passed_down(parent) {
        out.push(Key::Constraint(child.clone(), c.name.clone()));
    }
}

/// The unique constraint or index on `ref_table` that a foreign key to `cols` relies on.
fn referenced_key(cat: &Catalog, ref_table: &QualName, cols: &[String]) -> Option<Key> {
    Some(match cat.tables.get(ref_table)?.unique_key(cols)? {
        UniqueKey::Constraint(c) => Key::Constraint(ref_table.clone(), c.name.clone()),
        UniqueKey::Index(i) => Key::Index(QualName::new(ref_table.schema.clone(), i.name.clone())),
    })
}

/// The edges of one change. One arm per `Change` variant, on purpose: the
/// compiler then names this function whenever a change is added, and each arm
/// reads alone (what it creates, drops, and needs); hence its length.
pub(super) fn deps(c: &Change, from: &Catalog, to: &Catalog) -> Deps {
    let mut d = Deps::default();
    match c {
        Change::CreateSchema { schema } => d.creates.push(Key::Schema(schema.name.clone())),
        Change::DropSchema { name } => d.drops.push(Key::Schema(name.clone())),
        Change::CreateExtension { extension } => {
            d.creates.push(Key::Extension(extension.name.clone()));
            if let Some(s) = &extension.schema {
                d.needs_new.push(Key::Schema(s.clone()));
            }
        }
        Change::DropExtension { name } => d.drops.push(Key::Extension(name.clone())),
        Change::CreateEnum { enum_type } => {
            d.creates.push(Key::Type(enum_type.name.clone()));
            d.needs_new.push(Key::Schema(enum_type.name.schema.clone()));
        }
        Change::DropEnum { name } => {
            // Everything in a schema goes before the schema does.
            d.needs_old.push(Key::Schema(name.schema.clone()));
            d.drops.push(Key::Type(name.clone()))
        }
        Change::AddEnumValue { name, value, before, after } => {
            d.needs_new.push(Key::Type(name.clone()));
            // Placed next to a label this plan adds or renames: after that step.
            for l in before.iter().chain(after) {
                d.needs_new.push(Key::EnumLabel(name.clone(), l.clone()));
            }
            d.creates.push(Key::EnumLabel(name.clone(), value.clone()));
        }
        Change::RenameEnumValue { name, to, .. } => {
            d.needs_new.push(Key::Type(name.clone()));
            d.creates.push(Key::EnumLabel(name.clone(), to.clone()));
        }
        Change::CreateDomain { domain } => {
            d.creates.push(Key::Type(domain.name.clone()));
            d.needs_new.push(Key::Schema(domain.name.schema.clone()));
            if let Some(base) = domain.base.custom() {
                d.needs_new.push(Key::Type(base));
            }
            for e in domain.default.iter().chain(domain.checks.values()) {
                expr_uses(Some(e), &mut d.needs_new);
            }
        }
        Change::DropDomain { name, over } => {
            d.needs_old.push(Key::Schema(name.schema.clone()));
            // A domain over another goes before it.
            d.needs_old.extend(over.iter().map(|b| Key::Type(b.clone())));
            d.drops.push(Key::Type(name.clone()));
            // Before the functions its checks and default call.
            if let Some(dom) = from.domains.get(name) {
                for e in dom.default.iter().chain(dom.checks.values()) {
                    expr_uses(Some(e), &mut d.needs_old);
                }
            }
        }
        Change::AlterDomain { name, action } => {
            d.needs_new.push(Key::Type(name.clone()));
            match action {
                crate::diff::DomainAction::AddCheck { expr, .. } => expr_uses(Some(expr), &mut d.needs_new),
                crate::diff::DomainAction::SetDefault { to } => expr_uses(to.as_ref(), &mut d.needs_new),
                crate::diff::DomainAction::DropCheck { check } => {
                    let old = from.domains.get(name).and_then(|dom| dom.checks.get(check));
                    expr_uses(old, &mut d.needs_old);
                }
                crate::diff::DomainAction::SetNotNull { .. } => {}
            }
        }
        Change::CreateRange { range } => {
            d.creates.push(Key::Type(range.name.clone()));
            d.needs_new.push(Key::Schema(range.name.schema.clone()));
            d.needs_new.extend(range_uses(range));
        }
        Change::DropRange { range } => {
            d.drops.push(Key::Type(range.name.clone()));
            d.needs_old.push(Key::Schema(range.name.schema.clone()));
            d.needs_old.extend(range_uses(range));
        }
        Change::CreateComposite { composite } => {
            d.creates.push(Key::Type(composite.name.clone()));
            d.needs_new.push(Key::Schema(composite.name.schema.clone()));
            d.needs_new.extend(composite.attributes.values().filter_map(|a| a.data_type.custom()).map(Key::Type));
        }
        Change::DropComposite { composite } => {
            d.drops.push(Key::Type(composite.name.clone()));
            d.needs_old.push(Key::Schema(composite.name.schema.clone()));
            d.needs_old.extend(composite.attributes.values().filter_map(|a| a.data_type.custom()).map(Key::Type));
        }
        Change::AlterComposite { name, action } => {
            d.needs_new.push(Key::Type(name.clone()));
            match action {
                CompositeAction::AddAttribute { attribute } => {
                    d.needs_new.extend(attribute.data_type.custom().map(Key::Type))
                }
                CompositeAction::DropAttribute { attribute } => {
                    d.needs_old.extend(attribute.data_type.custom().map(Key::Type))
                }
                CompositeAction::AlterAttributeType { from, to, .. } => {
                    d.needs_new.extend(to.custom().map(Key::Type));
                    d.needs_old.extend(from.custom().map(Key::Type));
                }
            }
        }
        Change::RecreateEnum { to: e, columns, .. } => {
            // The type under its name is new: tables created in the plan wait for it.
            d.creates.push(Key::Type(e.name.clone()));
            for (t, c) in columns {
                d.needs_new.push(Key::Column(t.clone(), c.name.clone()));
                d.drops.push(Key::ColumnType(t.clone(), c.name.clone()));
                d.creates.push(Key::ColumnType(t.clone(), c.name.clone()));
            }
        }
        Change::CreateSequence { sequence } => {
            d.creates.push(Key::Sequence(sequence.name.clone()));
            d.needs_new.push(Key::Schema(sequence.name.schema.clone()));
        }
        Change::AlterSequence { name, .. } => d.needs_new.push(Key::Sequence(name.clone())),
        Change::DropSequence { name } => {
            d.needs_old.push(Key::Schema(name.schema.clone()));
            d.drops.push(Key::Sequence(name.clone()))
        }
        Change::SetSequenceOwner { name, owner, was } => {
            d.needs_new.push(Key::Sequence(name.clone()));
            if let Some((t, col)) = owner {
                d.needs_new.push(Key::Column(t.clone(), col.clone()));
                // After the release that the differ planned when the old owner goes.
                d.after_drop.push(Key::SequenceOwner(name.clone()));
            }
            if let Some((t, col)) = was {
                d.needs_old.push(Key::Column(t.clone(), col.clone()));
                if owner.is_none() {
                    d.drops.push(Key::SequenceOwner(name.clone()));
                }
            }
        }
        Change::CreateTable { table } => {
            d.creates.push(Key::Table(table.name.clone()));
            d.needs_new.push(Key::Schema(table.name.schema.clone()));
            d.needs_new.extend(table.parents().map(|p| Key::Table(p.clone())));
            if let Some(p) = &table.partition_of {
                d.creates.push(Key::Bounds(p.parent.clone()));
            }
            for col in table.columns.values() {
                d.creates.push(Key::Column(table.name.clone(), col.name.clone()));
                column_uses(&table.name, col, &mut d.needs_new);
            }
            for con in table.constraints.values() {
                d.creates.push(Key::Constraint(table.name.clone(), con.name.clone()));
            }
            table_uses(table, &mut d.needs_new);
        }
        Change::DropTable { table } => {
            d.drops.push(Key::Table(table.name.clone()));
            // A child goes before its parent (dropping a partitioned table drops its partitions).
            d.needs_old.extend(table.parents().map(|p| Key::Table(p.clone())));
            if let Some(p) = &table.partition_of {
                d.drops.push(Key::Bounds(p.parent.clone()));
            }
            // So do the sequences its columns own: one created again comes after.
            for s in from.sequences.values() {
                if s.owned_by.as_ref().is_some_and(|(t, _)| t == &table.name) {
                    d.drops.push(Key::Sequence(s.name.clone()));
                }
            }
            for col in table.columns.values() {
                d.drops.push(Key::Column(table.name.clone(), col.name.clone()));
                column_uses(&table.name, col, &mut d.needs_old);
            }
            for con in table.constraints.values() {
                d.drops.push(Key::Constraint(table.name.clone(), con.name.clone()));
                if let ConstraintKind::ForeignKey(fk) = &con.kind {
                    if fk.ref_table != table.name && to.tables.contains_key(&fk.ref_table) {
                        d.needs_old.push(Key::Table(fk.ref_table.clone()));
                        d.needs_old.extend(referenced_key(from, &fk.ref_table, &fk.ref_columns));
                    }
                }
            }
            d.needs_old.push(Key::Schema(table.name.schema.clone()));
            table_uses(table, &mut d.needs_old);
            // Its triggers go with it, before their functions do.
            for t in from.triggers.values().filter(|t| t.table == table.name) {
                trigger_uses(t, &mut d.needs_old);
            }
            // Its policies go with it: what they use must outlive it.
            for p in table.policies.values() {
                let mut uses = Vec::new();
                policy_uses(&table.name, p, &mut uses);
                d.needs_old.extend(uses.into_iter().filter(
                    |k| !matches!(k, Key::Table(t) | Key::Column(t, _) | Key::ColumnType(t, _) if t == &table.name),
                ));
            }
        }
        Change::RenameTable { from: f, to: t } => {
            d.creates.push(Key::Table(t.clone()));
            if let Some(table) = to.tables.get(t) {
                for col in table.columns.keys() {
                    d.creates.push(Key::Column(t.clone(), col.clone()));
                }
            }
            d.needs_old.push(Key::Table(f.clone()));
        }
        Change::SetUnlogged { table, .. } | Change::SetTableOptions { table, .. } => {
            d.needs_new.push(Key::Table(table.clone()))
        }
        Change::SetStatistics { table, column, .. }
        | Change::SetStorage { table, column, .. }
        | Change::SetCompression { table, column, .. } => {
            d.needs_new.push(Key::Table(table.clone()));
            d.needs_new.push(Key::Column(table.clone(), column.clone()));
        }
        Change::SetClusterOn { table, index } => {
            d.needs_new.push(Key::Table(table.clone()));
            d.needs_new.extend(index.iter().map(|i| table_index(to, table, i)));
        }
        Change::SetReplicaIdentity { table, identity } => {
            d.needs_new.push(Key::Table(table.clone()));
            if let Some(crate::model::ReplicaIdentity::Index(i)) = identity {
                d.needs_new.push(table_index(to, table, i));
            }
        }
        Change::AttachPartition { table, partition } => {
            d.needs_new.push(Key::NotNullNamed(table.clone()));
            d.creates.push(Key::Bounds(partition.parent.clone()));
            d.needs_new.push(Key::Table(table.clone()));
            d.needs_new.push(Key::Table(partition.parent.clone()));
            parent_columns(to, &partition.parent, table, &mut d.needs_new);
        }
        Change::SetInherit { table, parent, inherit: true } => {
            d.needs_new.push(Key::NotNullNamed(table.clone()));
            d.needs_new.push(Key::Table(table.clone()));
            d.needs_new.push(Key::Table(parent.clone()));
            parent_columns(to, parent, table, &mut d.needs_new);
        }
        Change::DetachPartition { table, parent } => {
            d.creates.push(Key::Parents(table.clone()));
            // Once the parent's columns and checks are as the target has them,
            // so the partition carries them back when it is attached again.
            d.drops.push(Key::Bounds(parent.clone()));
            parent_columns(to, parent, parent, &mut d.needs_new);
            d.needs_new.push(Key::Table(table.clone()));
        }
        Change::SetInherit { table, parent, inherit: false } => {
            d.creates.push(Key::Parents(table.clone()));
            d.needs_old.push(Key::Table(table.clone()));
            d.needs_old.push(Key::Table(parent.clone()));
        }
        Change::AddColumn { table, column } => {
            d.creates.push(Key::Column(table.clone(), column.name.clone()));
            d.needs_new.push(Key::Table(table.clone()));
            column_uses(table, column, &mut d.needs_new);
        }
        Change::DropColumn { table, column } => {
            // Under its new name, when the same plan renames the table.
            d.needs_new.push(Key::Table(table.clone()));
            d.drops.push(Key::Column(table.clone(), column.name.clone()));
            column_uses(table, column, &mut d.needs_old);
        }
        Change::DropLeftoverColumn { table, parent, column } => {
            d.needs_new.push(Key::Table(table.clone()));
            d.after_drop.push(Key::Column(parent.clone(), column.clone()));
            d.drops.push(Key::Column(table.clone(), column.clone()));
        }
        Change::RenameColumn { table, to: col, .. } => {
            d.creates.push(Key::Column(table.clone(), col.clone()));
            d.needs_new.push(Key::Table(table.clone()));
        }
        Change::AlterColumnType { table, column, from: f, to: t, collation, .. } => {
            d.needs_new.push(Key::Column(table.clone(), column.clone()));
            d.needs_new.extend(collation_key(collation.as_deref()));
            // The collation it had goes only once the column has left it.
            let was = from.tables.get(table).and_then(|t| t.columns.get(column)).and_then(|c| c.collation.as_deref());
            d.needs_old.extend(collation_key(was));
            d.drops.push(Key::ColumnType(table.clone(), column.clone()));
            d.creates.push(Key::ColumnType(table.clone(), column.clone()));
            if let Some(ty) = t.custom() {
                d.needs_new.push(Key::Type(ty));
            }
            if let Some(ty) = f.custom() {
                d.needs_old.push(Key::Type(ty));
            }
        }
        Change::SetDefault { table, column, from: f, to: t } => {
            d.needs_new.push(Key::Column(table.clone(), column.clone()));
            expr_uses(t.as_ref(), &mut d.needs_new);
            expr_uses(f.as_ref(), &mut d.needs_old);
        }
        Change::SetNotNull { table, column, not_null } => {
            d.needs_new.push(Key::Column(table.clone(), column.clone()));
            if *not_null {
                d.creates.push(Key::NotNull(table.clone(), column.clone()));
            }
        }
        Change::SetIdentity { table, column, .. } => d.needs_new.push(Key::Column(table.clone(), column.clone())),
        // After the SET NOT NULL that makes the constraint (an online one runs in steps of its own).
        Change::AlterNotNull { table, column, .. } => {
            d.needs_new.push(Key::Column(table.clone(), column.clone()));
            d.needs_new.push(Key::NotNull(table.clone(), column.clone()));
            // PostgreSQL renames no inherited constraint: before the table joins
            // a parent, after it leaves one.
            let parents = |cat: &Catalog| cat.tables.get(table).map(|t| t.parents().cloned().collect::<Vec<_>>());
            let (was, will) = (parents(from).unwrap_or_default(), parents(to).unwrap_or_default());
            if will.iter().any(|p| !was.contains(p)) {
                d.creates.push(Key::NotNullNamed(table.clone()));
            } else {
                d.needs_new.push(Key::Parents(table.clone()));
            }
        }
        Change::AddConstraint { table, constraint } => {
            d.creates.push(Key::Constraint(table.clone(), constraint.name.clone()));
            d.needs_new.push(Key::Table(table.clone()));
            constraint_uses(to, table, &constraint.kind, &mut d.needs_new);
        }
        Change::DropConstraint { table, constraint } => {
            d.needs_new.push(Key::Table(table.clone()));
            d.drops.push(Key::Constraint(table.clone(), constraint.name.clone()));
            // Before its columns go (dropping one takes the key along, and then
            // this step would fail, as would a foreign key still relying on it).
            constraint_uses(from, table, &constraint.kind, &mut d.needs_old);
        }
        Change::ValidateConstraint { table, constraint } => {
            d.needs_new.push(Key::Table(table.clone()));
            d.needs_new.push(Key::Constraint(table.clone(), constraint.name.clone()));
        }
        Change::RenameConstraint { table, to: n, .. } => {
            d.creates.push(Key::Constraint(table.clone(), n.clone()));
            d.needs_new.push(Key::Table(table.clone()));
        }
        Change::CreateIndex { table, index } => {
            d.creates.push(Key::Index(QualName::new(table.schema.clone(), index.name.clone())));
            d.needs_new.push(Key::Table(table.clone()));
            for k in &index.keys {
                if let IndexKeyExpr::Column(c) = &k.expr {
                    d.needs_new.push(Key::Column(table.clone(), c.clone()));
                }
            }
            for c in &index.include {
                d.needs_new.push(Key::Column(table.clone(), c.clone()));
            }
            index_uses(index, &mut d.needs_new);
            index_column_types(table, index, &mut d.needs_new);
        }
        Change::DropIndex { table, index } => {
            d.needs_new.push(Key::Table(table.clone()));
            index_uses(index, &mut d.needs_old);
            index_column_types(table, index, &mut d.needs_old);
            d.drops.push(Key::Index(QualName::new(table.schema.clone(), index.name.clone())))
        }
        Change::DropInvalidIndex { index } => d.drops.push(Key::Index(index.clone())),
        Change::RenameIndex { table, to: n, .. } => {
            d.creates.push(Key::Index(QualName::new(table.schema.clone(), n.clone())));
            d.needs_new.push(Key::Table(table.clone()));
        }
        Change::CreateView { view, replace } => {
            d.creates.push(Key::Table(view.name.clone()));
            d.creates.extend(view.column_comments.keys().map(|c| Key::Column(view.name.clone(), c.clone())));
            d.needs_new.push(Key::Schema(view.name.schema.clone()));
            view_uses(&view.depends, &mut d.needs_new);
            if *replace {
                // What the old definition read may go only once it is replaced.
                if let Some(old) = from.views.get(&view.name) {
                    view_uses(&old.depends, &mut d.needs_old);
                }
            }
        }
        Change::DropView { view } => {
            d.drops.push(Key::Table(view.name.clone()));
            d.needs_old.push(Key::Schema(view.name.schema.clone()));
            view_uses(&view.depends, &mut d.needs_old);
        }
        Change::SetRowSecurity { table, .. } | Change::SetForceRowSecurity { table, .. } => {
            d.needs_new.push(Key::Table(table.clone()))
        }
        Change::CreatePolicy { table, policy } => {
            d.creates.push(Key::Policy(table.clone(), policy.name.clone()));
            policy_uses(table, policy, &mut d.needs_new);
        }
        Change::DropPolicy { table, policy } => {
            d.drops.push(Key::Policy(table.clone(), policy.name.clone()));
            policy_uses(table, policy, &mut d.needs_old);
        }
        Change::AlterPolicy { table, from: f, to: t } => {
            d.needs_new.push(Key::Policy(table.clone(), t.name.clone()));
            policy_uses(table, t, &mut d.needs_new);
            policy_uses(table, f, &mut d.needs_old);
        }
        Change::SetComment { target, .. } => d.needs_new.push(match target {
            CommentTarget::Schema(s) => Key::Schema(s.clone()),
            CommentTarget::Table(t) => Key::Table(t.clone()),
            CommentTarget::Column(t, c) => Key::Column(t.clone(), c.clone()),
            CommentTarget::Constraint(t, c) => Key::Constraint(t.clone(), c.clone()),
            CommentTarget::Index(i) => Key::Index(i.clone()),
            CommentTarget::Sequence(s) => Key::Sequence(s.clone()),
            CommentTarget::Type(t) | CommentTarget::Domain(t) => Key::Type(t.clone()),
            CommentTarget::View { name, .. } => Key::Table(name.clone()),
            CommentTarget::Routine(r, _) => Key::Routine(r.name.clone()),
            CommentTarget::Trigger(t) => Key::Trigger(t.clone()),
            CommentTarget::Policy(t, p) => Key::Policy(t.clone(), p.clone()),
            CommentTarget::Object(o) => Key::Object(o.clone()),
        }),
        Change::CreateRoutine { routine, replace } => {
            if !replace {
                d.creates.push(Key::Routine(routine.name.clone()));
            } else if let Some(old) = from.routines.get(&routine.id()) {
                // What the old body named (a SQL-standard body's real
                // dependencies) goes only after the new body stops naming it.
                routine_uses(old, &mut d.needs_old);
            }
            routine_uses(routine, &mut d.needs_new);
        }
        Change::DropRoutine { routine } => {
            d.drops.push(Key::Routine(routine.name.clone()));
            routine_uses(routine, &mut d.needs_old);
        }
        Change::CreateObject { object, replace } => {
            if !replace {
                d.creates.extend(object_keys(object));
            } else if let Some(old) = from.objects.get(&object.id()) {
                object_uses(old, &mut d.needs_old);
            }
            object_uses(object, &mut d.needs_new);
        }
        Change::DropObject { object } => {
            d.drops.extend(object_keys(object));
            object_uses(object, &mut d.needs_old);
        }
        // What it stops using goes after it; what it starts using comes before.
        Change::AlterObject { from, to } => {
            object_uses(from, &mut d.needs_old);
            object_uses(to, &mut d.needs_new);
        }
        Change::CreateTrigger { trigger } => {
            d.creates.push(Key::Trigger(trigger.id()));
            trigger_uses(trigger, &mut d.needs_new);
        }
        Change::DropTrigger { trigger } => {
            d.drops.push(Key::Trigger(trigger.id()));
            trigger_uses(trigger, &mut d.needs_old);
        }
        Change::SetTriggerEnabled { trigger, .. } => d.needs_new.push(Key::Trigger(trigger.clone())),
        Change::SetPrivileges { key, .. } => {
            let object = match &key.object {
                GrantObject::Table(t) => {
                    d.creates.push(Key::TableAcl(t.clone(), key.grantee.clone()));
                    Key::Table(t.clone())
                }
                GrantObject::Column(t, c) => {
                    d.needs_new.push(Key::TableAcl(t.clone(), key.grantee.clone()));
                    Key::Column(t.clone(), c.clone())
                }
                GrantObject::Sequence(q) => Key::Sequence(q.clone()),
                GrantObject::Schema(s) => Key::Schema(s.clone()),
                GrantObject::Type(q) => Key::Type(q.clone()),
                // Grants name a routine by its signature; the graph knows routines by name.
                GrantObject::Function(id) => match to.routines.iter().find(|(k, _)| k.to_string() == *id) {
                    Some((_, r)) => Key::Routine(r.name.clone()),
                    None => return d,
                },
            };
            d.needs_new.push(object);
        }
        Change::SetDefaultPrivileges { key, .. } => {
            if let Some(s) = &key.schema {
                d.needs_new.push(Key::Schema(s.clone()));
            }
        }
    }
    d
}

/// What a constraint of `table` relies on in `cat`: its columns and their
/// types, what its check calls, and the referenced table, columns and key.
fn constraint_uses(cat: &Catalog, table: &QualName, kind: &ConstraintKind, out: &mut Vec<Key>) {
    constraint_columns(table, kind, out);
    constraint_column_types(table, kind, out);
    if let ConstraintKind::Check { expr, .. } = kind {
        expr_uses(Some(expr), out);
    }
    if let ConstraintKind::ForeignKey(fk) = kind {
        out.push(Key::Table(fk.ref_table.clone()));
        for c in &fk.ref_columns {
            out.push(Key::Column(fk.ref_table.clone(), c.clone()));
        }
        out.extend(referenced_key(cat, &fk.ref_table, &fk.ref_columns));
    }
}

fn constraint_columns(table: &QualName, kind: &ConstraintKind, out: &mut Vec<Key>) {
    let cols: Vec<&String> = match kind {
        ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => {
            columns.iter().chain(include).collect()
        }
        ConstraintKind::ForeignKey(fk) => fk.columns.iter().collect(),
        _ => vec![],
    };
    out.extend(cols.into_iter().map(|c| Key::Column(table.clone(), c.clone())));
}

/// The index `name` of `table`: a key or exclusion constraint's, or an index of its own.
fn table_index(to: &Catalog, table: &QualName, name: &str) -> Key {
    match to.tables.get(table).is_some_and(|t| t.constraints.contains_key(name)) {
        true => Key::Constraint(table.clone(), name.to_string()),
        false => Key::Index(QualName::new(table.schema.clone(), name.to_string())),
    }
}
