//! A revision's SQL applied to the model: the script runner of `ddl`, whose
//! errors name the revision.

use super::RevisionError;
use crate::model::Catalog;

/// The catalog after running revision `revision`'s `sql` on `base`.
pub fn replay(base: Catalog, revision: &str, sql: &str) -> Result<Catalog, RevisionError> {
    crate::ddl::run(base, &format!("revision {revision}"), sql).map_err(|e| RevisionError::Replay {
        revision: revision.to_string(),
        statement: e.statement,
        why: e.why,
    })
}
