//! `diff(from, to)`: the changes that turn one catalog into another. Pure and
//! deterministic: the output depends only on the two catalogs (and rename
//! hints), in their map order.

mod enum_rebuild;
mod grants;
mod objects;
mod renames;
mod routines;
mod sequences;
mod tables;
pub mod type_rules;
pub mod types;
mod views;

pub use crate::change::{Change, CommentTarget, CompositeAction, DomainAction};
/// The model's mirror of the changes, where it lived before `ddl`.
pub use crate::ddl::effects as apply;

use crate::model::RenameHint;
use crate::model::{Catalog, CompositeType, ConstraintKind, Domain, EnumType, QualName, RangeType};

/// Changes plus the warnings met on the way (such as a rename hint that matches nothing).
#[derive(Debug, Default)]
pub struct Diff {
    /// The changes, in a deterministic but not yet dependency-sorted order.
    pub changes: Vec<Change>,
    /// Human-readable warnings.
    pub warnings: Vec<String>,
    /// The server names NOT NULL constraints (`Server::named_not_nulls`).
    pub named_not_nulls: bool,
}

/// The changes from `from` to `to`, without rename hints.
pub fn diff(from: &Catalog, to: &Catalog) -> Vec<Change> {
    diff_with_hints(from, to, &[]).changes
}

/// What the differ knows of the server the plan is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Server {
    /// `NOT NULL` constraints have names (PostgreSQL 18 and later): a hinted
    /// rename of a table or column keeps the old default names, which the
    /// plan then renames like any constraint's. Off for offline plans.
    pub named_not_nulls: bool,
}

/// The changes from `from` to `to`, honouring rename hints.
pub fn diff_with_hints(from: &Catalog, to: &Catalog, hints: &[RenameHint]) -> Diff {
    diff_for(from, to, hints, Server::default())
}

/// The changes from `from` to `to` on `server`, honouring rename hints.
///
/// Long because it lists every kind in the one order the differ emits them (the
/// planner sorts afterwards); each kind's comparison lives in its own module.
pub fn diff_for(from: &Catalog, to: &Catalog, hints: &[RenameHint], server: Server) -> Diff {
    let mut out = Diff { named_not_nulls: server.named_not_nulls, ..Diff::default() };
    let renamed = renames::apply_hints(from, to, hints, server.named_not_nulls, &mut out);
    let from = renamed.as_ref().unwrap_or(from);

    for (name, schema) in &to.schemas {
        match from.schemas.get(name) {
            None => {
                out.changes
                    .push(Change::CreateSchema { schema: crate::model::Schema { comment: None, ..schema.clone() } });
                comment(&mut out, || CommentTarget::Schema(name.clone()), &None, &schema.comment);
            }
            Some(old) => comment(&mut out, || CommentTarget::Schema(name.clone()), &old.comment, &schema.comment),
        }
    }
    for name in from.schemas.keys().filter(|n| !to.schemas.contains_key(*n)) {
        out.changes.push(Change::DropSchema { name: name.clone() });
    }

    for (name, ext) in &to.extensions {
        match from.extensions.get(name) {
            Some(old) if old == ext => {}
            Some(_) => {
                out.changes.push(Change::DropExtension { name: name.clone() });
                out.changes.push(Change::CreateExtension { extension: ext.clone() });
            }
            None => out.changes.push(Change::CreateExtension { extension: ext.clone() }),
        }
    }
    for name in from.extensions.keys().filter(|n| !to.extensions.contains_key(*n)) {
        out.changes.push(Change::DropExtension { name: name.clone() });
    }

    for (name, e) in &to.enums {
        match from.enums.get(name) {
            None => {
                out.changes.push(Change::CreateEnum { enum_type: EnumType { comment: None, ..e.clone() } });
                comment(&mut out, || CommentTarget::Type(name.clone()), &None, &e.comment);
            }
            Some(old) => {
                let rebuilt = enum_labels(&mut out, old, e, from, to);
                // A rebuilt type is a new type: its comment must be set again.
                let was = if rebuilt { &None } else { &old.comment };
                comment(&mut out, || CommentTarget::Type(name.clone()), was, &e.comment);
            }
        }
    }
    for name in from.enums.keys().filter(|n| !to.enums.contains_key(*n)) {
        out.changes.push(Change::DropEnum { name: name.clone() });
    }

    for (name, d) in &to.domains {
        match from.domains.get(name) {
            None => {
                out.changes.push(Change::CreateDomain { domain: Domain { comment: None, ..d.clone() } });
                comment(&mut out, || CommentTarget::Domain(name.clone()), &None, &d.comment);
            }
            Some(old) => {
                domain_changes(&mut out, old, d);
                comment(&mut out, || CommentTarget::Domain(name.clone()), &old.comment, &d.comment);
            }
        }
    }
    for (name, d) in from.domains.iter().filter(|(n, _)| !to.domains.contains_key(*n)) {
        out.changes.push(Change::DropDomain { name: name.clone(), over: d.base.custom() });
    }

    for (name, c) in &to.composites {
        match from.composites.get(name) {
            None => {
                out.changes.push(Change::CreateComposite { composite: CompositeType { comment: None, ..c.clone() } });
                comment(&mut out, || CommentTarget::Type(name.clone()), &None, &c.comment);
            }
            Some(old) => {
                let rebuilt = composite_changes(&mut out, old, c);
                let was = if rebuilt { &None } else { &old.comment };
                comment(&mut out, || CommentTarget::Type(name.clone()), was, &c.comment);
            }
        }
    }
    for c in from.composites.values().filter(|c| !to.composites.contains_key(&c.name)) {
        out.changes.push(Change::DropComposite { composite: c.clone() });
    }

    for (name, r) in &to.ranges {
        let old = from.ranges.get(name);
        let same =
            old.is_some_and(|o| RangeType { comment: None, ..o.clone() } == RangeType { comment: None, ..r.clone() });
        if let (Some(o), false) = (old, same) {
            // No ALTER TYPE changes a range's definition.
            out.warnings.push(format!(
                "range type {name} changes: it is dropped and created again (which fails while a column uses it)"
            ));
            out.changes.push(Change::DropRange { range: o.clone() });
        }
        if !same {
            out.changes.push(Change::CreateRange { range: RangeType { comment: None, ..r.clone() } });
        }
        let was = if same { &old.and_then(|o| o.comment.clone()) } else { &None };
        comment(&mut out, || CommentTarget::Type(name.clone()), was, &r.comment);
    }
    for r in from.ranges.values().filter(|r| !to.ranges.contains_key(&r.name)) {
        out.changes.push(Change::DropRange { range: r.clone() });
    }

    let recreated = tables::recreated(from, to);
    sequences::sequences(&mut out, from, to, &recreated);

    objects::objects(&mut out, from, to);

    out.changes.extend(tables::each(from, to, &recreated, out.named_not_nulls));
    for (name, t) in from.tables.iter().filter(|(n, _)| !to.tables.contains_key(*n)) {
        // Foreign keys between two dropped tables are dropped first, so cycles never block.
        for c in t.constraints.values() {
            if let ConstraintKind::ForeignKey(fk) = &c.kind {
                if &fk.ref_table != name && !to.tables.contains_key(&fk.ref_table) {
                    out.changes.push(Change::DropConstraint { table: name.clone(), constraint: c.clone() });
                }
            }
        }
        out.changes.push(Change::DropTable { table: t.clone() });
    }
    tables::rebuild_dependent_foreign_keys(&mut out, from, to);
    let mut dropped = routines::routines(&mut out, from, to);
    routines::rebuild_in_the_way(&mut out, from, to, &mut dropped);
    routines::triggers(&mut out, from, to, &dropped);
    tables::recreate_triggers(&mut out, to, &recreated);
    routines::rebuild_dependants(&mut out, from, to, &dropped);
    // Last: what every other change takes away decides which views are rebuilt.
    enum_rebuild::take_along(&mut out, from, to);
    views::diff_views(&mut out, from, to);
    grants::privileges(&mut out, from, to);
    out
}

/// `target` is built only for a comment that changes: asked for every column,
/// constraint and index of both catalogs, most of which keep theirs.
fn comment(out: &mut Diff, target: impl FnOnce() -> CommentTarget, old: &Option<String>, new: &Option<String>) {
    if old != new {
        out.changes.push(Change::SetComment { target: target(), text: new.clone() });
    }
}

/// New labels are added in place when the old ones keep their order; anything
/// else rebuilds the type.
/// Returns whether the type is rebuilt.
/// `ALTER DOMAIN` steps from `old` to `new`. A new base type or collation
/// cannot be set in place (and re-creating the domain means converting every
/// column using it): that is reported, not planned.
fn domain_changes(out: &mut Diff, old: &Domain, new: &Domain) {
    let name = &new.name;
    if old.base != new.base || old.collation != new.collation {
        out.warnings.push(format!(
            "domain {name}: changing its base type or collation is not supported (drop and re-create it by hand); left as it is"
        ));
        return;
    }
    let mut alter = |action| out.changes.push(Change::AlterDomain { name: name.clone(), action });
    if old.default != new.default {
        alter(DomainAction::SetDefault { to: new.default.clone() });
    }
    for (check, expr) in &old.checks {
        if new.checks.get(check) != Some(expr) {
            alter(DomainAction::DropCheck { check: check.clone() });
        }
    }
    if old.not_null != new.not_null {
        alter(DomainAction::SetNotNull { not_null: new.not_null });
    }
    for (check, expr) in &new.checks {
        if old.checks.get(check) != Some(expr) {
            alter(DomainAction::AddCheck { check: check.clone(), expr: expr.clone() });
        }
    }
}

/// `ALTER TYPE` steps from `old` to `new`: attributes dropped, retyped, and
/// added at the end, when the kept ones stay in order and the new ones come
/// last (PostgreSQL only appends); otherwise the type is dropped and created
/// again. Returns whether it is rebuilt.
fn composite_changes(out: &mut Diff, old: &CompositeType, new: &CompositeType) -> bool {
    if old.attributes.values().eq(new.attributes.values()) {
        return false;
    }
    let kept_old: Vec<&String> = old.attributes.keys().filter(|a| new.attributes.contains_key(*a)).collect();
    let kept_new: Vec<&String> = new.attributes.keys().filter(|a| old.attributes.contains_key(*a)).collect();
    let appended = new.attributes.keys().skip(kept_new.len()).all(|a| !old.attributes.contains_key(a));
    let name = &new.name;
    if kept_old != kept_new || !appended {
        out.warnings.push(format!(
            "composite type {name}: its attributes change order, so it is dropped and created again (which fails while a column uses it)"
        ));
        out.changes.push(Change::DropComposite { composite: old.clone() });
        out.changes.push(Change::CreateComposite { composite: CompositeType { comment: None, ..new.clone() } });
        return true;
    }
    let mut alter = |action| out.changes.push(Change::AlterComposite { name: name.clone(), action });
    for a in old.attributes.values().filter(|a| !new.attributes.contains_key(&a.name)) {
        alter(CompositeAction::DropAttribute { attribute: a.clone() });
    }
    for a in new.attributes.values() {
        match old.attributes.get(&a.name) {
            Some(o) if o.data_type != a.data_type || o.collation != a.collation => {
                alter(CompositeAction::AlterAttributeType {
                    attribute: a.name.clone(),
                    from: o.data_type.clone(),
                    to: a.data_type.clone(),
                    collation: a.collation.clone(),
                })
            }
            Some(_) => {}
            None => alter(CompositeAction::AddAttribute { attribute: a.clone() }),
        }
    }
    false
}

fn enum_labels(out: &mut Diff, old: &EnumType, new: &EnumType, from: &Catalog, to: &Catalog) -> bool {
    if old.labels == new.labels {
        return false;
    }
    let kept: Vec<&String> = new.labels.iter().filter(|l| old.labels.contains(l)).collect();
    let in_order = kept.len() == old.labels.len() && kept.iter().zip(&old.labels).all(|(a, b)| *a == b);
    if in_order {
        for (i, label) in new.labels.iter().enumerate() {
            if old.labels.contains(label) {
                continue;
            }
            // Anchor on the next old label if any, else after the previous label.
            let before = new.labels[i + 1..].iter().find(|l| old.labels.contains(l)).cloned();
            let after = if before.is_none() { i.checked_sub(1).map(|p| new.labels[p].clone()) } else { None };
            out.changes.push(Change::AddEnumValue { name: new.name.clone(), value: label.clone(), before, after });
        }
        false
    } else {
        // Existing columns are converted in place; new tables simply use the new type.
        let columns = to
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .values()
                    .filter(|c| c.data_type.custom().as_ref() == Some(&new.name))
                    .filter(|c| {
                        from.tables
                            .get(&t.name)
                            .and_then(|old| old.columns.get(&c.name))
                            .is_some_and(|old| old.data_type.custom().as_ref() == Some(&new.name))
                    })
                    .map(|c| (t.name.clone(), c.clone()))
            })
            .collect();
        out.changes.push(Change::RecreateEnum {
            from: old.clone(),
            to: EnumType { comment: None, ..new.clone() },
            columns,
        });
        true
    }
}

/// Whether a name is in a catalog's tables (helper for the submodules).
fn has_table(cat: &Catalog, name: &QualName) -> bool {
    cat.tables.contains_key(name)
}
