//! Objects of the generic kinds (`model::object`): created, dropped, and
//! changed by `ALTER` where the kind has one for the change (`alterable_to`),
//! by `CREATE OR REPLACE` where the kind has it and the change keeps
//! what it needs, else dropped and created again, with the objects naming
//! it (a server's user mappings and foreign tables, a configuration's
//! dictionaries) dropped before and created again after. Comments follow.

use std::collections::HashSet;

use super::{comment, Change, CommentTarget, Diff};
use crate::model::{Catalog, Object, ObjectId};

fn same(old: &Object, new: &Object) -> bool {
    old.options == new.options && old.mappings == new.mappings
}

/// The objects of `from` that are dropped: gone, changed beyond `ALTER` and `OR
/// REPLACE`, or naming one of those (until nothing more is).
fn dropped(from: &Catalog, to: &Catalog) -> HashSet<ObjectId> {
    let mut out: HashSet<ObjectId> = from
        .objects
        .iter()
        .filter(|(id, old)| {
            to.objects.get(*id).is_none_or(|new| !same(old, new) && !old.replaceable_by(new) && !old.alterable_to(new))
        })
        .map(|(id, _)| id.clone())
        .collect();
    loop {
        let more: Vec<ObjectId> = from
            .objects
            .iter()
            .filter(|(id, old)| !out.contains(*id) && old.uses().iter().any(|u| out.contains(u)))
            .map(|(id, _)| id.clone())
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

/// Adds the changes to the generic objects; returns nothing, as views and
/// routines learn what went from the changes (`DropObject`).
pub fn objects(out: &mut Diff, from: &Catalog, to: &Catalog) {
    let dropped = dropped(from, to);
    for (id, new) in &to.objects {
        let bare = Object { comment: None, ..new.clone() };
        let was = match from.objects.get(id) {
            None => {
                out.changes.push(Change::CreateObject { object: bare, replace: false });
                None
            }
            Some(old) if dropped.contains(id) => {
                out.changes.push(Change::DropObject { object: old.clone() });
                out.changes.push(Change::CreateObject { object: bare, replace: false });
                None
            }
            Some(old) if same(old, new) => old.comment.clone(),
            Some(old) if old.alterable_to(new) => {
                out.changes.push(Change::AlterObject { from: Object { comment: None, ..old.clone() }, to: bare });
                old.comment.clone()
            }
            Some(old) => {
                out.changes.push(Change::CreateObject { object: bare, replace: true });
                old.comment.clone()
            }
        };
        comment(out, || CommentTarget::Object(id.clone()), &was, &new.comment);
    }
    for (id, old) in &from.objects {
        if !to.objects.contains_key(id) {
            out.changes.push(Change::DropObject { object: old.clone() });
        }
    }
}
