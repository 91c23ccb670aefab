//! How a plan runs: which steps share a transaction and which run alone.

use super::{Plan, Unit};
use crate::diff::Change;

/// Splits `plan` into the units `Plan::units` describes. Each step has a
/// stage: a step in a transaction is in the stage of the latest step it
/// needs, or the next one when that step runs alone; a step alone is in the
/// stage of the latest step it needs. Each stage runs its transaction, then
/// its steps alone, in plan order.
pub fn split(plan: &Plan) -> Vec<Unit> {
    let n = plan.steps.len();
    let is_label = |i: usize| matches!(plan.steps[i].change, Change::AddEnumValue { .. });
    // A label that must follow another kind of step (a renamed label it is
    // placed after) stays in the main transaction, after that step.
    let mut first = vec![false; n];
    for i in 0..n {
        first[i] = is_label(i) && plan.steps[i].after.iter().all(|&p| first[p]);
    }
    let mut stage = vec![0usize; n];
    for i in 0..n {
        let step = &plan.steps[i];
        stage[i] = step
            .after
            .iter()
            .map(|&p| stage[p] + usize::from(step.transactional && !plan.steps[p].transactional))
            .max()
            .unwrap_or(0);
    }
    let mut units = Vec::new();
    let labels: Vec<usize> = (0..n).filter(|&i| first[i]).collect();
    if !labels.is_empty() {
        units.push(Unit { transaction: true, steps: labels });
    }
    let stages = stage.iter().copied().max().map_or(0, |m| m + 1);
    for k in 0..stages {
        let in_tx: Vec<usize> = (0..n).filter(|&i| stage[i] == k && !first[i] && plan.steps[i].transactional).collect();
        if !in_tx.is_empty() {
            units.push(Unit { transaction: true, steps: in_tx });
        }
        units.extend(
            (0..n)
                .filter(|&i| stage[i] == k && !plan.steps[i].transactional)
                .map(|i| Unit { transaction: false, steps: vec![i] }),
        );
    }
    units
}
