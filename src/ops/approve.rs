//! Hazard approval by kind (`--allow-hazard KIND`): which kinds of hazard
//! `apply` may run. With no kind listed, every kind but data loss is allowed
//! (data loss only with `--allow-destructive`); once a kind is listed, only
//! the kinds listed are (and data loss with `--allow-destructive`). Notes
//! are information, never refused.

use crate::plan::{HazardKind, Plan};

use super::OpsError;

/// The hazard kinds `apply` may run.
#[derive(Clone, Debug, Default)]
pub struct Approval {
    /// The kinds listed with `--allow-hazard`; `None` when none was.
    pub kinds: Option<Vec<HazardKind>>,
    /// `--allow-destructive`: data loss allowed.
    pub destructive: bool,
}

impl Approval {
    /// Whether a step with a hazard of `kind` may run.
    pub fn allows(&self, kind: HazardKind) -> bool {
        let listed = self.kinds.as_ref().is_some_and(|k| k.contains(&kind));
        match kind {
            HazardKind::Note => true,
            HazardKind::DataLoss => self.destructive || listed,
            _ => self.kinds.is_none() || listed,
        }
    }

    /// Refuses `plan` when a step has a hazard of a kind not allowed, naming
    /// the steps and the kinds to allow.
    pub fn check(&self, plan: &Plan) -> Result<(), OpsError> {
        let mut kinds: Vec<HazardKind> = Vec::new();
        let mut steps: Vec<String> = Vec::new();
        for step in &plan.steps {
            let refused: Vec<HazardKind> = step.hazards.iter().map(|h| h.kind).filter(|&k| !self.allows(k)).collect();
            if refused.is_empty() {
                continue;
            }
            let labels: Vec<&str> = refused.iter().map(|k| k.label()).collect();
            steps.push(format!("{} ({})", crate::quote::one_line(&step.object), labels.join(", ")));
            for k in refused {
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
        }
        if kinds.is_empty() {
            return Ok(());
        }
        if self.kinds.is_none() && kinds == [HazardKind::DataLoss] {
            return Err(OpsError::Destructive(plan.data_loss().map(|s| s.object.clone()).collect()));
        }
        let allow: Vec<String> = kinds.iter().map(|k| format!("--allow-hazard {}", k.name())).collect();
        Err(OpsError::HazardsRefused { steps, allow: allow.join(" ") })
    }
}
