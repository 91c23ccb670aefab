//! Sequences: created, altered, given an owning column, dropped.

use rustc_hash::FxHashSet;

use super::{comment, Change, CommentTarget, Diff};
use crate::model::{Catalog, QualName, Sequence};

/// A column a sequence is owned by: `(table, column)`.
type Owner = (QualName, String);

/// The sequence changes from `from` to `to`. A table in `recreated` is
/// dropped and created again, and takes the sequences its columns own with
/// it (`tables::recreate` creates the kept ones again, as wanted).
pub fn sequences(out: &mut Diff, from: &Catalog, to: &Catalog, recreated: &FxHashSet<QualName>) {
    let owner_recreated = |s: &Sequence| s.owned_by.as_ref().is_some_and(|(t, _)| recreated.contains(t));
    for (name, s) in &to.sequences {
        match from.sequences.get(name) {
            Some(old) if owner_recreated(old) => {}
            None => create(out, s),
            Some(old) => {
                if old.options != s.options {
                    out.changes.push(Change::AlterSequence {
                        name: name.clone(),
                        from: old.options.clone(),
                        to: s.options.clone(),
                    });
                }
                if old.owned_by != s.owned_by {
                    set_owner(out, name, old.owned_by.as_ref(), s.owned_by.as_ref(), from, to);
                }
                comment(out, || CommentTarget::Sequence(name.clone()), &old.comment, &s.comment);
            }
        }
    }
    for (name, s) in from.sequences.iter().filter(|(n, _)| !to.sequences.contains_key(*n)) {
        // A sequence owned by a column that goes away is dropped with it by PostgreSQL.
        if !s.owned_by.as_ref().is_some_and(|o| dropped(o, from, to)) && !owner_recreated(s) {
            out.changes.push(Change::DropSequence { name: name.clone() });
        }
    }
}

/// Whether this plan drops the column `owner`: it is gone from `to`, or its
/// generated expression changes (the column is dropped and added again).
fn dropped((t, c): &Owner, from: &Catalog, to: &Catalog) -> bool {
    let Some(old) = from.tables.get(t).and_then(|t| t.columns.get(c)) else { return false };
    to.tables.get(t).and_then(|t| t.columns.get(c)).is_none_or(|new| new.generated != old.generated)
}

/// `CREATE SEQUENCE`, then its owning column and its comment: a new
/// sequence, or one created again with its table (`tables::recreate`).
pub(super) fn create(out: &mut Diff, s: &Sequence) {
    out.changes.push(Change::CreateSequence { sequence: Sequence { owned_by: None, comment: None, ..s.clone() } });
    if s.owned_by.is_some() {
        out.changes.push(Change::SetSequenceOwner { name: s.name.clone(), owner: s.owned_by.clone(), was: None });
    }
    comment(out, || CommentTarget::Sequence(s.name.clone()), &None, &s.comment);
}

/// A kept sequence moved from one owning column to another (or to none).
///
/// When the old column goes in this plan, the sequence is released first
/// (`OWNED BY NONE`, before the column is dropped, which would drop the
/// sequence with it) and given its new owner once that column exists: one
/// step would have to run both before the old column goes and after the new
/// one comes, which cannot be when the new one waits on the old one's drop
/// (a table using a type that is dropped and created again, say).
fn set_owner(
    out: &mut Diff,
    name: &QualName,
    was: Option<&Owner>,
    owner: Option<&Owner>,
    from: &Catalog,
    to: &Catalog,
) {
    let goes = was.is_some_and(|o| dropped(o, from, to));
    let (name, was, owner) = (name.clone(), was.cloned(), owner.cloned());
    if goes && owner.is_some() {
        out.changes.push(Change::SetSequenceOwner { name: name.clone(), owner: None, was });
        out.changes.push(Change::SetSequenceOwner { name, owner, was: None });
    } else {
        out.changes.push(Change::SetSequenceOwner { name, owner, was });
    }
}
