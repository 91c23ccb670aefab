//! The fixed set of catalog reads, as steps that can run over one session
//! or over several sharing one snapshot, in any order: each step writes its
//! own script, and the scripts are joined in the steps' fixed order, so the
//! text (and so the catalog) is the same whichever session ran what.

use std::cell::Cell;

use futures_util::future::try_join_all;
use tokio_postgres::Client;

use super::columns::AttNames;
use super::constraints::KeyRow;
use super::script::Script;
use super::{columns, constraints, grants, indexes, kinds, objects, policies, routines, views};
use crate::model::{Dep, ManagedRoles, QualName};
use crate::parse::{CatalogIndex, CatalogTable};

/// What the steps need to know.
pub struct Ask<'a> {
    pub schemas: &'a [String],
    pub default_schema: &'a str,
    pub version: u32,
    pub roles: &'a ManagedRoles,
    pub which: Which,
}

/// Which steps a read runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// All of them.
    All,
    /// Schemas and tables (with their defaults and generated columns), and
    /// of the other kinds whose expressions the server spells, those asked.
    Expressions(ExpressionKinds),
}

/// Beyond tables, the kinds holding server-spelled expressions that a read
/// of them asks for: each is a query a scratch server plans on cold caches
/// (the indexes' alone about 6 ms), so a settle asks only for what differs.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct ExpressionKinds {
    /// Domains (their defaults and checks).
    pub domains: bool,
    /// Tables' constraints.
    pub constraints: bool,
    /// Indexes.
    pub indexes: bool,
    /// Row-level security policies.
    pub policies: bool,
}

impl Which {
    fn runs(self, step: usize) -> bool {
        match self {
            Which::All => true,
            Which::Expressions(kinds) => match step {
                0 | 7 => true,
                3 => kinds.domains,
                8 => kinds.constraints,
                9 => kinds.indexes,
                15 => kinds.policies,
                _ => false,
            },
        }
    }
}

/// What one step read, and what all of them read once joined (`run`).
#[derive(Default)]
pub struct Part {
    pub script: Script,
    pub invalid_indexes: Vec<QualName>,
    pub view_depends: Vec<(QualName, Dep)>,
    pub queries: usize,
    /// Keys read as rows (the constraints step), to be named from `names`.
    pub key_rows: Vec<KeyRow>,
    /// Each table's column names by number (the columns step).
    pub names: AttNames,
    /// Plain indexes (the indexes step), read with the script (`parse_catalog_ddl`).
    pub indexes: Vec<CatalogIndex>,
    /// Plain tables (the columns step), read with the script.
    pub tables: Vec<CatalogTable>,
}

/// The steps in script order (creations of each kind before what refers to them).
const STEPS: usize = 18;

/// The order sessions take steps in: the costliest first (measured on
/// 10,000 tables: the tables with their columns, then constraints, indexes
/// and the generic kinds), so the last step to finish is a short one.
const BY_COST: [usize; STEPS] = [7, 8, 9, 16, 17, 10, 11, 12, 13, 14, 15, 6, 0, 1, 2, 3, 4, 5];

async fn step(i: usize, client: &Client, ask: &Ask<'_>) -> Result<Part, tokio_postgres::Error> {
    let mut p = Part { queries: 1, ..Part::default() };
    let (schemas, s) = (ask.schemas, &mut p.script);
    match i {
        0 => objects::schemas(client, schemas, ask.default_schema, s).await?,
        1 => objects::extensions(client, schemas, s).await?,
        2 => objects::enums(client, schemas, s).await?,
        3 => objects::domains(client, schemas, s).await?,
        4 => objects::composites(client, schemas, s).await?,
        5 => objects::ranges(client, schemas, s).await?,
        6 => objects::sequences(client, schemas, s).await?,
        7 => columns::tables(client, schemas, ask.version, s, &mut p.names, &mut p.tables).await?,
        8 => p.key_rows = constraints::constraints(client, schemas, ask.version, s).await?,
        9 => p.invalid_indexes = indexes::indexes(client, schemas, ask.version, s, &mut p.indexes).await?,
        10 => objects::sequence_owners(client, schemas, s).await?,
        11 => views::views(client, schemas, s).await?,
        12 => {
            p.view_depends = views::view_depends(client, schemas).await?;
        }
        13 => routines::routines(client, schemas, s).await?,
        14 => routines::triggers(client, schemas, ask.version, s).await?,
        15 => policies::policies(client, schemas, s).await?,
        16 => p.queries = kinds::objects(client, schemas, s).await?,
        _ if ask.roles.is_empty() => p.queries = 0,
        _ => p.queries = grants::grants(client, schemas, ask.roles, s).await?,
    }
    Ok(p)
}

/// One session's share: the next costliest step not yet taken, until none is left.
async fn worker(
    client: &Client,
    next: &Cell<usize>,
    ask: &Ask<'_>,
) -> Result<Vec<(usize, Part)>, tokio_postgres::Error> {
    let mut done = Vec::new();
    while let Some(&i) = BY_COST.get(next.get()) {
        next.set(next.get() + 1);
        if ask.which.runs(i) {
            done.push((i, step(i, client, ask).await?));
        }
    }
    Ok(done)
}

/// Runs every step over `sessions` (each takes the next costliest step not
/// yet taken when it is free), and joins what they read in script order.
pub async fn run(sessions: &[&Client], ask: &Ask<'_>) -> Result<Part, tokio_postgres::Error> {
    let next = Cell::new(0);
    let mut parts: Vec<(usize, Part)> =
        try_join_all(sessions.iter().map(|c| worker(c, &next, ask))).await?.into_iter().flatten().collect();
    parts.sort_by_key(|(i, _)| *i);
    let mut all = Part::default();
    let (mut creates, mut alters, mut comments, mut grants) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (_, p) in parts {
        creates.push(p.script.creates);
        alters.push(p.script.alters);
        comments.push(p.script.comments);
        grants.push(p.script.grants);
        all.invalid_indexes.extend(p.invalid_indexes);
        all.view_depends.extend(p.view_depends);
        all.queries += p.queries;
        all.key_rows.extend(p.key_rows);
        all.names.extend(p.names);
        all.indexes.extend(p.indexes);
        all.tables.extend(p.tables);
    }
    all.script = Script {
        creates: creates.concat(),
        alters: alters.concat(),
        comments: comments.concat(),
        grants: grants.concat(),
    };
    Ok(all)
}
