//! The desired state and the schemas a run manages.

use std::path::{Path, PathBuf};

use tokio_postgres::Client;

use crate::introspect::{introspect, Scope};
use crate::model::{Catalog, QualName};
use crate::parse::source::ignored_files;
use crate::parse::{parse_path, parse_path_open, Parsed, SourceFile};
use crate::revisions::version_table::bookkeeping;

use super::OpsError;

/// Reads the desired schema.
pub fn load(path: &Path) -> Result<Parsed, OpsError> {
    Ok(parse_path(path)?)
}

/// Reads the desired schema for a run against a target database: the types
/// the files use but do not define are left for the target to resolve
/// (`ops::external`), which refuses them with the same error when it does not know them either.
pub fn load_open(path: &Path) -> Result<Parsed, OpsError> {
    Ok(parse_path_open(path)?)
}

/// Reads the desired schema's files without parsing them (`parsing::Parsing` parses them).
pub fn files(path: &Path) -> Result<Vec<SourceFile>, OpsError> {
    Ok(crate::parse::source::load(path).map_err(crate::parse::LoadError::from)?)
}

/// A schema directory in which no `.sql` or `.toml` file was found: the
/// desired state reads as empty by accident (a wrong path, files named
/// `.SQL`), not by intent, which an empty file (or `/dev/null`) states.
#[derive(Debug, Clone)]
pub struct NothingFound {
    /// The directory.
    pub path: PathBuf,
    /// The files it holds with other extensions, which were not read.
    pub ignored: Vec<PathBuf>,
}

/// `Some` when `parsed` was read from a directory holding no schema file.
pub fn nothing_found(path: &Path, parsed: &Parsed) -> Result<Option<NothingFound>, OpsError> {
    nothing_found_in(path, &parsed.files)
}

/// `Some` when `files` were read from a directory holding no schema file.
pub fn nothing_found_in(path: &Path, files: &[SourceFile]) -> Result<Option<NothingFound>, OpsError> {
    if !files.is_empty() || !path.is_dir() {
        return Ok(None);
    }
    Ok(Some(NothingFound { path: path.to_path_buf(), ignored: ignored_files(path)? }))
}

/// Refuses to plan from `current` (described as `what`) to a desired state
/// that reads as empty by accident when `current` holds anything beyond the
/// `ignore`d bookkeeping tables: that plan would drop everything.
pub fn refuse_empty(
    nothing: Option<&NothingFound>,
    current: &Catalog,
    ignore: &[QualName],
    what: &str,
) -> Result<(), OpsError> {
    let Some(nothing) = nothing else { return Ok(()) };
    let held: Vec<String> = current
        .tables
        .keys()
        .filter(|t| !ignore.contains(t))
        .chain(current.views.keys())
        .chain(current.sequences.keys())
        .chain(current.enums.keys())
        .chain(current.domains.keys())
        .chain(current.composites.keys())
        .chain(current.ranges.keys())
        .map(ToString::to_string)
        .chain(current.routines.keys().map(ToString::to_string))
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    let mut holds = held.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if held.len() > 5 {
        holds.push_str(&format!(" and {} more", held.len() - 5));
    }
    Err(OpsError::EmptyDesired {
        path: nothing.path.display().to_string(),
        ignored: nothing.ignored.iter().map(|p| p.display().to_string()).collect(),
        what: what.to_string(),
        holds,
    })
}

/// `refuse_empty` against the database: read only when the desired state
/// reads as empty by accident, so other runs pay nothing.
pub async fn refuse_empty_live(
    client: &Client,
    nothing: Option<&NothingFound>,
    scope: &Scope,
    ignore: &[QualName],
) -> Result<(), OpsError> {
    if nothing.is_none() {
        return Ok(());
    }
    let live = introspect(client, scope).await?;
    refuse_empty(nothing, &live.catalog, ignore, "the database")
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
