//! The `ALTER` statements that amend an object of a generic kind where the
//! file (or an earlier revision) created it, whatever their order: an
//! operator family's loose members (`ALTER OPERATOR FAMILY ... ADD / DROP`),
//! a publication's members and options (`ALTER PUBLICATION`), whether a rule
//! fires (`ALTER TABLE ... ENABLE / DISABLE RULE`).

use sqlparser::tokenizer::TokenWithSpan;

use super::op_class::{edit_family, FamilyEdit};
use super::publication::{edit_publication, PublicationEdit};
use crate::model::{Object, ObjectId};

/// What the statement does to its object.
#[derive(Debug, Clone)]
pub enum ObjectEdit {
    /// `ALTER OPERATOR FAMILY ... ADD / DROP`.
    Family(FamilyEdit),
    /// `ALTER PUBLICATION`.
    Publication(PublicationEdit),
    /// `ALTER TABLE ... ENABLE / DISABLE RULE`: the rule's `ENABLED` option.
    RuleEnabled(Option<String>),
}

/// `ALTER OPERATOR FAMILY` or `ALTER PUBLICATION` (`words`: the first ones, upper case).
pub fn read(toks: &[TokenWithSpan], words: &[&str], default_schema: &str) -> Result<(ObjectId, ObjectEdit), String> {
    match words {
        ["ALTER", "OPERATOR", "FAMILY", ..] => {
            super::op_class::read_alter(toks, 3, default_schema).map(|(id, e)| (id, ObjectEdit::Family(e)))
        }
        _ => super::publication::read_alter(toks, 2, default_schema).map(|(id, e)| (id, ObjectEdit::Publication(e))),
    }
}

/// `ALTER TABLE ... ENABLE / DISABLE RULE`, if the statement is that.
pub fn read_rule_enable(
    toks: &[TokenWithSpan],
    default_schema: &str,
) -> Option<Result<(ObjectId, ObjectEdit), String>> {
    super::rule::read_enable(toks, default_schema).map(|r| r.map(|(id, how)| (id, ObjectEdit::RuleEnabled(how))))
}

/// Applies `edit` to `o`.
pub fn apply(o: &mut Object, edit: &ObjectEdit) -> Result<(), String> {
    match edit {
        ObjectEdit::Family(e) => edit_family(o, e),
        ObjectEdit::Publication(e) => edit_publication(o, e),
        ObjectEdit::RuleEnabled(how) => {
            o.options.retain(|(k, _)| k != "ENABLED");
            if let Some(h) = how {
                o.options.push(("ENABLED".to_string(), h.clone()));
            }
            Ok(())
        }
    }
}
