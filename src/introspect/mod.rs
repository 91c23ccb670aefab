//! Live database to `model::Catalog`. A fixed number of catalog queries
//! (whatever the schema's size) read what PostgreSQL itself prints
//! (`format_type`, `pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`);
//! the answers are assembled into DDL and read by the same parser as schema
//! files, so both sources meet in one canonical form by construction. Plain
//! tables, keys and indexes, which hold only names, flags and printed types
//! and defaults, are built from their rows instead (`parse::CatalogRows`):
//! each becomes what its statement lowers to, and that parser's builder
//! settles it beside the DDL.

mod columns;
mod constraints;
mod grants;
mod indexes;
mod kinds;
mod objects;
mod order;
mod policies;
mod routines;
mod script;
mod snapshot;
mod steps;
mod views;

pub use steps::ExpressionKinds;

use tokio_postgres::Client;

use crate::model::{Catalog, ManagedRoles, QualName};
use crate::parse::{parse_catalog_ddl, CatalogRows, SchemaErrors};

/// How many sessions `plan` and `drift` open to read the catalog with their
/// own (see `introspect_over`): the server runs the two sessions' queries
/// side by side. One, not more: on two cores a third and a fourth session
/// read no faster (10,000 tables 1.76 s with two sessions, 1.80 s with
/// four), and each costs the server a backend's start and its own cold
/// caches (10 tables: 45 ms with two, 55 ms with four).
pub const READERS: usize = 1;

/// What was read from a live database.
#[derive(Debug, Default)]
pub struct Live {
    /// The managed part of its schema.
    pub catalog: Catalog,
    /// Indexes left invalid by an interrupted `CREATE INDEX CONCURRENTLY`:
    /// not in the catalog, to be dropped before they are built again.
    pub invalid_indexes: Vec<QualName>,
    /// The server's `server_version_num`.
    pub server_version: u32,
    /// How many queries were run.
    pub queries: usize,
}

/// Why a database could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum IntrospectError {
    /// A catalog query failed.
    #[error("reading the catalog failed: {0}")]
    Query(#[from] tokio_postgres::Error),
    /// One step read what another did not (steps that share no snapshot
    /// saw the catalog change between them).
    #[error("the catalog changed while it was read ({0} names a column not read); run again")]
    Changed(String),
    /// PostgreSQL's own DDL did not parse: a bug in pgstate.
    #[error("pgstate could not read back the catalog's DDL (a bug in pgstate): {}", .0.summary())]
    Parse(SchemaErrors),
}

/// The schemas a run manages, and the roles whose privileges it manages.
#[derive(Debug, Clone)]
pub enum Scope {
    /// These schemas exactly; no privileges.
    Schemas(Vec<String>),
    /// These schemas, and the privileges of these roles.
    WithRoles(Vec<String>, ManagedRoles),
}

impl Scope {
    /// The managed schemas.
    pub fn list(&self) -> &[String] {
        match self {
            Scope::Schemas(s) | Scope::WithRoles(s, _) => s,
        }
    }

    /// The roles whose privileges are managed (none: privileges are not read).
    pub fn roles(&self) -> ManagedRoles {
        match self {
            Scope::Schemas(_) => ManagedRoles::default(),
            Scope::WithRoles(_, r) => r.clone(),
        }
    }

    /// The same schemas with these roles.
    pub fn with_roles(self, roles: ManagedRoles) -> Scope {
        match self {
            Scope::Schemas(s) | Scope::WithRoles(s, _) => Scope::WithRoles(s, roles),
        }
    }

    /// The same roles with these schemas.
    pub fn with_schemas(&self, schemas: Vec<String>) -> Scope {
        Scope::WithRoles(schemas, self.roles())
    }
}

/// Reads the managed schemas of the database behind `client`.
pub async fn introspect(client: &Client, scope: &Scope) -> Result<Live, IntrospectError> {
    introspect_with_default(client, scope, "public").await
}

/// Like `introspect`, where `default_schema` (the first schema of the search
/// path) is, like `public`, taken as given rather than created by the schema.
pub async fn introspect_with_default(
    client: &Client,
    scope: &Scope,
    default_schema: &str,
) -> Result<Live, IntrospectError> {
    read_alone(client, scope, default_schema, steps::Which::All).await
}

/// Reads only the kinds that hold expressions PostgreSQL stores in its own
/// spelling in `scope`: tables with their defaults and generated columns,
/// and those of `kinds` (constraints, indexes, domains, policies): what a
/// scratch server is asked back (`normalize`). A fresh server's first
/// catalog queries cost it their planning on cold caches; the generic kinds
/// alone are a dozen of them.
pub async fn introspect_expressions(
    client: &Client,
    scope: &Scope,
    kinds: ExpressionKinds,
) -> Result<Live, IntrospectError> {
    read_alone(client, scope, "public", steps::Which::Expressions(kinds)).await
}

async fn read_alone(
    client: &Client,
    scope: &Scope,
    default_schema: &str,
    which: steps::Which,
) -> Result<Live, IntrospectError> {
    // The settings of a catalog read (an empty search_path, no JIT); the
    // session's own are restored whatever happens.
    client.batch_execute(&snapshot::settings(false)).await?;
    let result = read(&[client], scope, default_schema, which).await;
    client.batch_execute(&snapshot::reset()).await?;
    result
}

/// Reads the managed schemas over `client` and `readers` (sessions opened
/// for this, see `Target::connect_all`), which run the catalog queries
/// concurrently in one exported snapshot, read only, in transactions that
/// end with the read: `client` must have none open, and is left with its
/// settings as they were. With no readers, or when the server cannot share
/// a snapshot, everything is read over `client` as `introspect_with_default` does.
pub async fn introspect_over(
    client: &Client,
    readers: &[Client],
    scope: &Scope,
    default_schema: &str,
) -> Result<Live, IntrospectError> {
    let sessions: Vec<&Client> = std::iter::once(client).chain(readers).collect();
    if readers.is_empty() || !snapshot::share(&sessions).await? {
        return introspect_with_default(client, scope, default_schema).await;
    }
    let result = read(&sessions, scope, default_schema, steps::Which::All).await;
    let how = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = snapshot::end(&sessions, how).await;
    let live = result?;
    ended?;
    Ok(live)
}

/// Whether the server lets `client` and `readers` share one snapshot, as
/// `introspect_over` needs (a standby before PostgreSQL 10 cannot export
/// one); they are left with no transaction open.
pub async fn can_share_snapshot(client: &Client, readers: &[Client]) -> Result<bool, tokio_postgres::Error> {
    let sessions: Vec<&Client> = std::iter::once(client).chain(readers).collect();
    let shared = snapshot::share(&sessions).await?;
    if shared {
        snapshot::end(&sessions, "ROLLBACK").await?;
    }
    Ok(shared)
}

async fn read(
    sessions: &[&Client],
    scope: &Scope,
    default_schema: &str,
    which: steps::Which,
) -> Result<Live, IntrospectError> {
    let Some(first) = sessions.first() else { return Ok(Live::default()) };
    let version: i32 = first.query_one("SELECT current_setting('server_version_num')::int", &[]).await?.try_get(0)?;
    let version = u32::try_from(version).unwrap_or(0);
    let roles = scope.roles();
    let ask = steps::Ask { schemas: scope.list(), default_schema, version, roles: &roles, which };
    let read = steps::run(sessions, &ask).await?;
    let (script, invalid_indexes, view_depends) = (read.script, read.invalid_indexes, read.view_depends);
    let keys = constraints::named(read.key_rows, &read.names).map_err(IntrospectError::Changed)?;
    let rows = CatalogRows { tables: read.tables, keys, indexes: read.indexes };
    // The version check and the search_path.
    let queries = 2 + read.queries;
    let text = script.finish();
    let mut catalog = parse_catalog_ddl("live database", &text, rows).map_err(IntrospectError::Parse)?.catalog;
    catalog.retain_roles(&roles);
    // What the server recorded replaces what the parser could see in the query.
    for v in catalog.views.values_mut() {
        v.depends.clear();
    }
    for (view, dep) in view_depends {
        if let Some(v) = catalog.views.get_mut(&view) {
            v.depends.push(dep);
        }
    }
    Ok(Live { catalog, invalid_indexes, server_version: version, queries })
}
