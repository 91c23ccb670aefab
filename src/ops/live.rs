//! Planning against a live database: read it (only read it), settle
//! expression spellings on a scratchpad, and plan towards the desired schema.

use tokio_postgres::Client;

use crate::diff::{diff_for, Change, Server};
use crate::introspect::{introspect_over, Live, Scope};

use crate::model::{ManagedRoles, QualName};
use crate::parse::Parsed;
use crate::plan::{from_changes, Plan};

use super::desired::{self, NothingFound};
use super::parsing::{existing_schemas, Parsing};
use super::settle::Scratchpad;
use super::timeout::{self, Phase};
use super::OpsError;

/// A plan with what it was computed from.
pub struct LivePlan {
    /// The plan.
    pub plan: Plan,
    /// The database as read.
    pub live: Live,
    /// The desired catalog, with expressions respelled as the server stores them where they mean the same.
    pub desired: crate::model::Catalog,
    /// The scope the database was read in (the session's default schema added).
    pub scope: Scope,
}

/// Reads the database and plans from it to `desired`, ignoring pgstate's
/// default version table.
pub async fn plan(
    client: &Client,
    desired: &Parsed,
    scope: &Scope,
    pad: &mut Scratchpad,
) -> Result<LivePlan, OpsError> {
    plan_with(client, desired, scope, &[crate::revisions::version_table::default_table()], pad).await
}

/// Like `plan`, ignoring the given bookkeeping tables (version tables). A
/// timeout (the session's `lock_timeout`, `statement_timeout`) says which one,
/// and what held a lock on the managed relations.
pub async fn plan_with(
    client: &Client,
    desired: &Parsed,
    scope: &Scope,
    ignore: &[QualName],
    pad: &mut Scratchpad,
) -> Result<LivePlan, OpsError> {
    plan_over(client, &[], desired, scope, ignore, pad).await
}

/// Like `plan_with`, reading the catalog over `readers` (sessions opened for
/// that alone, see `introspect::introspect_over`) when there are any.
pub async fn plan_over(
    client: &Client,
    readers: &[Client],
    desired: &Parsed,
    scope: &Scope,
    ignore: &[QualName],
    pad: &mut Scratchpad,
) -> Result<LivePlan, OpsError> {
    let reading = plan_unbounded(client, readers, desired, scope, ignore, pad);
    timeout::bounded(client, Some(scope.list()), Phase::Reading, NOTHING_CHANGED, reading).await
}

/// What a command that was only reading left of the database.
pub(crate) const NOTHING_CHANGED: &str = "nothing was changed";

async fn plan_unbounded(
    client: &Client,
    readers: &[Client],
    desired: &Parsed,
    scope: &Scope,
    ignore: &[QualName],
    pad: &mut Scratchpad,
) -> Result<LivePlan, OpsError> {
    // A large desired state takes the catalog read long enough to hide a throwaway server's start.
    pad.start_early(desired.files.iter().map(|f| f.text.len()).sum());
    // Unqualified names in the desired files go where PostgreSQL would put them:
    // the first existing schema of the session's search_path.
    let session = session(client).await?;
    let reparsed;
    let desired = if session.default_schema == "public" {
        desired
    } else {
        reparsed = desired.with_default_schema(&session.default_schema).map_err(|e| OpsError::Load(e.into()))?;
        &reparsed
    };
    let scope = with_default(scope.clone(), &session.default_schema);
    let live = read_in(client, readers, &scope, &session.default_schema, ignore).await?;
    let target = desired.catalog.clone();
    plan_read(client, live, target, desired, &scope, &session, pad).await
}

/// A plan against a live database whose catalog is read while the desired
/// files are still being parsed (`Parsing`), with the rest of what it needs.
pub struct Wanted {
    /// The managed schemas when given (`--schemas`, the configuration); else the files say.
    pub schemas: Option<Vec<String>>,
    /// The roles whose privileges are managed.
    pub roles: ManagedRoles,
    /// pgstate's version table, left alone unless the files declare it.
    pub version_table: QualName,
    /// Set when the schema directory held no schema file (`desired::refuse_empty`).
    pub nothing: Option<NothingFound>,
}

/// A live plan with the desired files as parsed and the bookkeeping tables it left alone.
pub struct ParsedPlan {
    /// The plan and what it was computed from.
    pub live: LivePlan,
    /// The desired files as parsed (their warnings not yet told).
    pub parsed: Parsed,
    /// The bookkeeping tables left out of the read.
    pub ignore: Vec<QualName>,
}

/// Like `plan_over`, while the desired files are parsed: the catalog read
/// starts at once, in the schemas given or those `Parsing::guess_schemas`
/// finds in the text, and is read again in the parsed scope when that guess
/// missed. A parse error is the error, whatever the read met meanwhile.
pub async fn plan_while_parsing(
    client: &Client,
    readers: &[Client],
    parsing: Parsing,
    wanted: &Wanted,
    pad: &mut Scratchpad,
) -> Result<ParsedPlan, OpsError> {
    let reading = plan_parsing_unbounded(client, readers, parsing, wanted, pad);
    timeout::bounded(client, wanted.schemas.as_deref(), Phase::Reading, NOTHING_CHANGED, reading).await
}

async fn plan_parsing_unbounded(
    client: &Client,
    readers: &[Client],
    parsing: Parsing,
    wanted: &Wanted,
    pad: &mut Scratchpad,
) -> Result<ParsedPlan, OpsError> {
    pad.start_early(parsing.bytes());
    let session = session(client).await?;
    let default_schema = session.default_schema.as_str();
    let guess = match &wanted.schemas {
        Some(list) => list.clone(),
        None => parsing.guess_schemas(&existing_schemas(client).await?),
    };
    let guess = with_default(Scope::Schemas(guess).with_roles(wanted.roles.clone()), default_schema);
    let (read, parsed) = tokio::join!(read_in(client, readers, &guess, default_schema, &[]), parsing.wait());
    let parsed = parsed?;
    let scope = desired::scope(&parsed.catalog, wanted.schemas.as_deref()).with_roles(wanted.roles.clone());
    let scope = with_default(scope, default_schema);
    let mut live = if same_schemas(guess.list(), scope.list()) {
        read?
    } else {
        read_in(client, readers, &scope, default_schema, &[]).await?
    };
    let ignore = desired::ignored_bookkeeping(&parsed.catalog, &wanted.version_table);
    leave_out(&mut live, &ignore);
    desired::refuse_empty(wanted.nothing.as_ref(), &live.catalog, &ignore, "the database")?;
    let mut parsed = parsed;
    if default_schema != "public" {
        let warnings = std::mem::take(&mut parsed.warnings);
        parsed = parsed.with_default_schema(default_schema).map_err(|e| OpsError::Load(e.into()))?;
        parsed.warnings = warnings;
    }
    // The plan's target is the parsed catalog itself, not a copy of it.
    let target = std::mem::take(&mut parsed.catalog);
    let live = plan_read(client, live, target, &parsed, &scope, &session, pad).await?;
    Ok(ParsedPlan { live, parsed, ignore })
}

/// The scope with the session's default schema added when it is not
/// `public`: unqualified names go there.
fn with_default(scope: Scope, default_schema: &str) -> Scope {
    if default_schema == "public" || scope.list().iter().any(|s| s == default_schema) {
        return scope;
    }
    let mut list = scope.list().to_vec();
    list.push(default_schema.to_string());
    scope.with_schemas(list)
}

/// Whether two schema lists name the same schemas (in any order).
fn same_schemas(a: &[String], b: &[String]) -> bool {
    a.iter().all(|s| b.contains(s)) && b.iter().all(|s| a.contains(s))
}

/// Plans from the database as read to `target` (the catalog of `desired`, or a copy), in `scope`.
async fn plan_read(
    client: &Client,
    live: Live,
    mut target: crate::model::Catalog,
    desired: &Parsed,
    scope: &Scope,
    session: &Session,
    pad: &mut Scratchpad,
) -> Result<LivePlan, OpsError> {
    target.retain_roles(&scope.roles());
    // Default privileges without FOR ROLE are those of whoever runs the plan.
    target.default_privileges = std::mem::take(&mut target.default_privileges)
        .into_iter()
        .map(|(mut k, v)| {
            k.for_role.get_or_insert_with(|| session.current_user.clone());
            (k, v)
        })
        .collect();
    let server = Server { named_not_nulls: live.server_version >= 180000 };
    let plain = if server.named_not_nulls { Vec::new() } else { plain_not_nulls(&mut target, live.server_version) };
    // What the files use but do not define, asked of the target (read only):
    // extensions kept from the plan's drops, and what the scratchpad needs.
    let setup =
        super::external::resolve(client, desired, &mut target, &live.catalog, scope, &session.default_schema).await?;
    pad.prepare(setup);
    // Settled on the scratchpad, never on the target: this reads, nothing more.
    pad.settle(&mut target, &live.catalog).await?;
    let diff = diff_for(&live.catalog, &target, &desired.hints, server);
    let mut changes: Vec<Change> =
        live.invalid_indexes.iter().map(|index| Change::DropInvalidIndex { index: index.clone() }).collect();
    changes.extend(diff.changes);
    let mut warnings = plain;
    warnings.extend(diff.warnings);
    warnings.append(&mut pad.warnings);
    let plan = from_changes(changes, &live.catalog, &target, warnings)?;
    Ok(LivePlan { plan, live, desired: target, scope: scope.clone() })
}

/// Before PostgreSQL 18 a `NOT NULL` is no constraint: it has no name and is
/// never `NO INHERIT` or `NOT VALID`. The desired ones are planned plain,
/// each with a warning saying what was left out.
fn plain_not_nulls(target: &mut crate::model::Catalog, version: u32) -> Vec<String> {
    let mut warnings = Vec::new();
    for t in target.tables.values_mut() {
        for c in t.columns.values_mut().filter(|c| !c.not_null_constraint.is_plain()) {
            let nn = std::mem::take(&mut c.not_null_constraint);
            let what: Vec<String> = [
                nn.name.map(|n| format!("its name {}", crate::canon::quote_ident(&n))),
                nn.no_inherit.then(|| "NO INHERIT".to_string()),
                nn.not_valid.then(|| "NOT VALID".to_string()),
            ]
            .into_iter()
            .flatten()
            .collect();
            warnings.push(format!(
                "the NOT NULL of {}.{} is planned without {}: PostgreSQL {} has no NOT NULL constraints (18 has)",
                t.name,
                crate::canon::quote_ident(&c.name),
                what.join(" and "),
                version / 10000
            ));
        }
    }
    warnings
}

/// Reads the database in `scope` as `plan` does (bookkeeping tables in
/// `ignore` left out), bounded by the session's timeouts: what a saved
/// plan's fingerprint is checked against.
pub async fn read(client: &Client, scope: &Scope, ignore: &[QualName]) -> Result<Live, OpsError> {
    let reading = async {
        let session = session(client).await?;
        read_in(client, &[], scope, &session.default_schema, ignore).await
    };
    timeout::bounded(client, Some(scope.list()), Phase::Reading, NOTHING_CHANGED, reading).await
}

async fn read_in(
    client: &Client,
    readers: &[Client],
    scope: &Scope,
    default_schema: &str,
    ignore: &[QualName],
) -> Result<Live, OpsError> {
    let mut live = introspect_over(client, readers, scope, default_schema).await?;
    leave_out(&mut live, ignore);
    Ok(live)
}

/// Takes the bookkeeping tables in `ignore` out of the database as read.
fn leave_out(live: &mut Live, ignore: &[QualName]) {
    for t in ignore {
        live.catalog.tables.shift_remove(t);
    }
}

/// What a plan needs of the session it reads over.
struct Session {
    /// The first existing schema of the search_path (`public` when none):
    /// unqualified names in the desired files go there, as PostgreSQL would put them.
    default_schema: String,
    /// The role the session runs as.
    current_user: String,
}

async fn session(client: &Client) -> Result<Session, OpsError> {
    let row = client
        .query_one("SELECT (pg_catalog.current_schemas(false))[1], current_user::text", &[])
        .await
        .map_err(|e| super::error::db_error(&e, None))?;
    let first: Option<String> = row.try_get(0).map_err(|e| super::error::db_error(&e, None))?;
    let user: String = row.try_get(1).map_err(|e| super::error::db_error(&e, None))?;
    Ok(Session { default_schema: first.unwrap_or_else(|| "public".to_string()), current_user: user })
}
