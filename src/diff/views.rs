//! Views and materialized views: replaced in place where PostgreSQL allows
//! it, dropped and created again where it must, and rebuilt around the
//! changes that PostgreSQL refuses under a view (a column's type, a dropped
//! column, a view or function it reads that is itself rebuilt) — those views
//! and their dependants, and no others.

use std::collections::HashSet;

use super::{comment, Change, CommentTarget, Diff};
use crate::model::{Catalog, Dep, GenericKind, Index, QualName, View};

/// What the changes so far take away from under a view.
#[derive(Default)]
struct Blocked {
    columns: HashSet<(QualName, String)>,
    relations: HashSet<QualName>,
    routines: HashSet<QualName>,
    types: HashSet<QualName>,
}

impl Blocked {
    fn from_changes(changes: &[Change]) -> Blocked {
        let mut b = Blocked::default();
        for c in changes {
            match c {
                Change::AlterColumnType { table, column, .. } => {
                    b.columns.insert((table.clone(), column.clone()));
                }
                Change::DropColumn { table, column } => {
                    b.columns.insert((table.clone(), column.name.clone()));
                }
                Change::RecreateEnum { from, columns, .. } => {
                    b.types.insert(from.name.clone());
                    b.columns.extend(columns.iter().map(|(t, c)| (t.clone(), c.name.clone())));
                }
                Change::DropTable { table } => {
                    b.relations.insert(table.name.clone());
                }
                Change::DropEnum { name } | Change::DropDomain { name, .. } => {
                    b.types.insert(name.clone());
                }
                Change::DropRoutine { routine } => {
                    b.routines.insert(routine.name.clone());
                }
                // Views name an aggregate as a function.
                Change::DropObject { object } if object.kind.spec().callable => {
                    b.routines.insert(object.name.clone());
                }
                Change::DropObject { object } if object.kind == GenericKind::ForeignTable => {
                    b.relations.insert(object.name.clone());
                }
                _ => {}
            }
        }
        b
    }

    fn blocks(&self, dep: &Dep) -> bool {
        match dep {
            Dep::Relation(r) => self.relations.contains(r),
            Dep::Column(r, c) => self.relations.contains(r) || self.columns.contains(&(r.clone(), c.clone())),
            Dep::Routine(f) => self.routines.contains(f),
            Dep::Type(t) => self.types.contains(t),
        }
    }
}

/// Adds the view changes from `from` to `to`; runs after every other kind was
/// diffed, since what they change decides which views must be rebuilt.
pub fn diff_views(out: &mut Diff, from: &Catalog, to: &Catalog) {
    let mut blocked = Blocked::from_changes(&out.changes);
    // Views that cannot stay: gone, or changed beyond what OR REPLACE can do.
    let mut dropped: Vec<&QualName> = from
        .views
        .iter()
        .filter(|(name, old)| match to.views.get(*name) {
            None => true,
            Some(new) => !old.same_definition(new) && !old.replaceable_by(new),
        })
        .map(|(name, _)| name)
        .collect();
    blocked.relations.extend(dropped.iter().map(|n| (*n).clone()));
    // And every view reading something that goes, until nothing more does.
    loop {
        let more: Vec<&QualName> = from
            .views
            .iter()
            .filter(|(name, v)| !blocked.relations.contains(*name) && v.depends.iter().any(|d| blocked.blocks(d)))
            .map(|(name, _)| name)
            .collect();
        if more.is_empty() {
            break;
        }
        blocked.relations.extend(more.iter().map(|n| (*n).clone()));
        dropped.extend(more);
    }
    let dropped: HashSet<&QualName> = dropped.into_iter().collect();
    for (name, v) in &from.views {
        if dropped.contains(name) {
            out.changes.push(Change::DropView { view: v.clone() });
        }
    }

    // A view dropped and created again loses its triggers: they come back too
    // (those the differ changes anyway are already created).
    for (id, t) in &to.triggers {
        // Only triggers of a rebuilt view are looked up in the changes so far.
        if !(dropped.contains(&t.table) && to.views.contains_key(&t.table) && from.triggers.contains_key(id)) {
            continue;
        }
        let created = out.changes.iter().any(|c| matches!(c, Change::CreateTrigger { trigger } if &trigger.id() == id));
        if !created {
            out.changes.push(Change::CreateTrigger { trigger: t.clone() });
        }
    }
    for (name, v) in &to.views {
        match from.views.get(name) {
            Some(old) if !dropped.contains(name) => {
                if !old.same_definition(v) {
                    out.changes.push(Change::CreateView { view: bare(v), replace: true });
                }
                indexes(out, name, &old.indexes, &v.indexes);
                comments(out, Some(old), v);
            }
            _ => {
                out.changes.push(Change::CreateView { view: bare(v), replace: false });
                indexes(out, name, &Default::default(), &v.indexes);
                comments(out, None, v);
            }
        }
    }
}

/// The view without what separate steps add (indexes, comments).
fn bare(v: &View) -> View {
    View { indexes: Default::default(), comment: None, column_comments: Default::default(), ..v.clone() }
}

/// Indexes of a materialized view: any difference drops and creates it again.
fn indexes(
    out: &mut Diff,
    view: &QualName,
    old: &crate::model::Map<String, Index>,
    new: &crate::model::Map<String, Index>,
) {
    let same = |a: &Index, b: &Index| Index { comment: None, ..a.clone() } == Index { comment: None, ..b.clone() };
    for (name, i) in old {
        if !new.get(name).is_some_and(|n| same(n, i)) {
            out.changes.push(Change::DropIndex { table: view.clone(), index: i.clone() });
        }
    }
    for (name, i) in new {
        let kept = old.get(name).filter(|o| same(o, i));
        if kept.is_none() {
            out.changes.push(Change::CreateIndex { table: view.clone(), index: Index { comment: None, ..i.clone() } });
        }
        let target = CommentTarget::Index(QualName::new(view.schema.clone(), name.clone()));
        comment(out, || target, &kept.and_then(|o| o.comment.clone()), &i.comment);
    }
}

fn comments(out: &mut Diff, old: Option<&View>, new: &View) {
    let target = CommentTarget::View { name: new.name.clone(), materialized: new.materialized };
    comment(out, || target, &old.and_then(|o| o.comment.clone()), &new.comment);
    let none = Default::default();
    let old_columns = old.map_or(&none, |o| &o.column_comments);
    for (col, text) in &new.column_comments {
        let was = old_columns.get(col).cloned();
        comment(out, || CommentTarget::Column(new.name.clone(), col.clone()), &was, &Some(text.clone()));
    }
    for col in old_columns.keys().filter(|c| !new.column_comments.contains_key(*c)) {
        comment(out, || CommentTarget::Column(new.name.clone(), col.clone()), &Some(String::new()), &None);
    }
}
