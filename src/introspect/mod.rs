//! Live database to `model::Catalog`. A fixed number of catalog queries
//! (whatever the schema's size) read what PostgreSQL itself prints
//! (`format_type`, `pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`);
//! the answers are assembled into DDL and read by the same parser as schema
//! files, so both sources meet in one canonical form by construction.

mod columns;
mod constraints;
mod grants;
mod indexes;
mod kinds;
mod objects;
mod policies;
mod routines;
mod script;
mod views;

use tokio_postgres::Client;

use crate::model::{Catalog, ManagedRoles, QualName};
use crate::parse::{parse_catalog_ddl, SchemaErrors};

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
    // Every name PostgreSQL prints comes out schema-qualified, as in pg_dump;
    // the session's own search_path is restored whatever happens.
    client.batch_execute("SET search_path = ''").await?;
    let result = read(client, scope, default_schema).await;
    client.batch_execute("RESET search_path").await?;
    result
}

async fn read(client: &Client, scope: &Scope, default_schema: &str) -> Result<Live, IntrospectError> {
    let version: i32 = client.query_one("SELECT current_setting('server_version_num')::int", &[]).await?.try_get(0)?;
    let version = u32::try_from(version).unwrap_or(0);
    let schemas = scope.list();
    let mut script = script::Script::default();
    let mut queries = 2;
    objects::schemas(client, schemas, default_schema, &mut script).await?;
    objects::extensions(client, schemas, &mut script).await?;
    objects::enums(client, schemas, &mut script).await?;
    objects::domains(client, schemas, &mut script).await?;
    objects::composites(client, schemas, &mut script).await?;
    objects::ranges(client, schemas, &mut script).await?;
    objects::sequences(client, schemas, &mut script).await?;
    columns::tables(client, schemas, version, &mut script).await?;
    constraints::constraints(client, schemas, &mut script).await?;
    let invalid_indexes = indexes::indexes(client, schemas, &mut script).await?;
    objects::sequence_owners(client, schemas, &mut script).await?;
    views::views(client, schemas, &mut script).await?;
    let view_depends = views::view_depends(client, schemas).await?;
    routines::routines(client, schemas, &mut script).await?;
    routines::triggers(client, schemas, version, &mut script).await?;
    policies::policies(client, schemas, &mut script).await?;
    queries += 16;
    queries += kinds::objects(client, schemas, &mut script).await?;
    let roles = scope.roles();
    if !roles.is_empty() {
        queries += grants::grants(client, schemas, &roles, &mut script).await?;
    }
    let text = script.finish();
    let mut catalog = parse_catalog_ddl("live database", &text).map_err(IntrospectError::Parse)?.catalog;
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
