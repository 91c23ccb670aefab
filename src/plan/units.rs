//! How a plan runs: which steps share a transaction and which run alone.

use super::{Plan, Unit};
use crate::diff::Change;

/// Splits `plan` into the units `Plan::units` describes. A step that needs
/// (directly or through others) a step outside a transaction waits for it,
/// in the last transaction; everything else goes in the main one.
pub fn split(plan: &Plan) -> Vec<Unit> {
    let n = plan.steps.len();
    // Steps that must wait for one that runs outside a transaction.
    let mut waits = vec![false; n];
    for i in 0..n {
        let step = &plan.steps[i];
        waits[i] = step.after.iter().any(|&p| !plan.steps[p].transactional || waits[p]);
    }
    let is_label = |i: usize| matches!(plan.steps[i].change, Change::AddEnumValue { .. });
    // A label that must follow another kind of step (a renamed label it is
    // placed after) stays in the main transaction, after that step.
    let mut first = vec![false; n];
    for i in 0..n {
        first[i] = is_label(i) && plan.steps[i].after.iter().all(|&p| first[p]);
    }
    let mut labels = Vec::new();
    let mut main = Vec::new();
    let mut alone = Vec::new();
    let mut last = Vec::new();
    for i in 0..n {
        if !plan.steps[i].transactional {
            alone.push(i);
        } else if waits[i] {
            last.push(i);
        } else if first[i] {
            labels.push(i);
        } else {
            main.push(i);
        }
    }
    let mut units = Vec::new();
    for steps in [labels, main] {
        if !steps.is_empty() {
            units.push(Unit { transaction: true, steps });
        }
    }
    units.extend(alone.into_iter().map(|i| Unit { transaction: false, steps: vec![i] }));
    if !last.is_empty() {
        units.push(Unit { transaction: true, steps: last });
    }
    units
}
