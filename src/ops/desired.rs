//! The desired state and the schemas a run manages.

use std::path::Path;

use crate::introspect::Scope;
use crate::model::{Catalog, QualName};
use crate::parse::{parse_path, Parsed};
use crate::revisions::version_table::bookkeeping;

use super::OpsError;

/// Reads the desired schema.
pub fn load(path: &Path) -> Result<Parsed, OpsError> {
    Ok(parse_path(path)?)
}

/// The bookkeeping tables a plan against a live database leaves alone: the
/// version tables (pgstate's `version_table` and Alembic's), unless the
/// desired files declare them (the agenticrag schema declares `alembic_version`).
pub fn ignored_bookkeeping(desired: &Catalog, version_table: &QualName) -> Vec<QualName> {
    bookkeeping(version_table).into_iter().filter(|t| !desired.tables.contains_key(t)).collect()
}

/// The managed schemas: those given, or every schema the desired catalog
/// mentions plus `public`.
pub fn scope(catalog: &Catalog, explicit: Option<&[String]>) -> Scope {
    if let Some(list) = explicit {
        return Scope::Schemas(list.to_vec());
    }
    let mut schemas = vec!["public".to_string()];
    let mentioned = catalog
        .schemas
        .keys()
        .cloned()
        .chain(catalog.tables.keys().map(|q| q.schema.clone()))
        .chain(catalog.enums.keys().map(|q| q.schema.clone()))
        .chain(catalog.domains.keys().map(|q| q.schema.clone()))
        .chain(catalog.sequences.keys().map(|q| q.schema.clone()))
        .chain(catalog.routines.keys().map(|r| r.name.schema.clone()))
        .chain(catalog.extensions.values().filter_map(|e| e.schema.clone()));
    for s in mentioned {
        if !schemas.contains(&s) {
            schemas.push(s);
        }
    }
    Scope::Schemas(schemas)
}
