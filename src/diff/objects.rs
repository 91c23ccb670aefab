//! Objects of the generic kinds (`model::object`): created, dropped, and
//! changed by `ALTER` where the kind has one for the change (`alterable_to`),
//! by `CREATE OR REPLACE` where the kind has it and the change keeps
//! what it needs, else dropped and created again. Comments follow.

use super::{comment, Change, CommentTarget, Diff};
use crate::model::{Catalog, Object};

/// Adds the changes to the generic objects; returns nothing, as views and
/// routines learn what went from the changes (`DropObject`).
pub fn objects(out: &mut Diff, from: &Catalog, to: &Catalog) {
    for (id, new) in &to.objects {
        let bare = Object { comment: None, ..new.clone() };
        let was = match from.objects.get(id) {
            None => {
                out.changes.push(Change::CreateObject { object: bare, replace: false });
                None
            }
            Some(old) if old.options == new.options && old.mappings == new.mappings => old.comment.clone(),
            Some(old) if old.alterable_to(new) => {
                out.changes.push(Change::AlterObject { from: Object { comment: None, ..old.clone() }, to: bare });
                old.comment.clone()
            }
            Some(old) if old.replaceable_by(new) => {
                out.changes.push(Change::CreateObject { object: bare, replace: true });
                old.comment.clone()
            }
            Some(old) => {
                out.changes.push(Change::DropObject { object: old.clone() });
                out.changes.push(Change::CreateObject { object: bare, replace: false });
                None
            }
        };
        comment(out, CommentTarget::Object(id.clone()), &was, &new.comment);
    }
    for (id, old) in &from.objects {
        if !to.objects.contains_key(id) {
            out.changes.push(Change::DropObject { object: old.clone() });
        }
    }
}
