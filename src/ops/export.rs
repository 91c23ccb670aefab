//! `pgstate export`: the live schema as declarative SQL.

use std::path::Path;

use tokio_postgres::Client;

use crate::diff::Change;
use crate::introspect::{introspect, Scope};
use crate::model::Catalog;
use crate::plan::plan;

use super::live::NOTHING_CHANGED;
use super::timeout::{self, Phase};
use super::OpsError;

/// Reads the database's managed schemas.
pub async fn read(client: &Client, scope: &Scope) -> Result<Catalog, OpsError> {
    let reading = async { Ok(introspect(client, scope).await?.catalog) };
    timeout::bounded(client, Some(scope.list()), Phase::Reading, NOTHING_CHANGED, reading).await
}

/// Writes `catalog` as SQL: to `out` as one file when it ends in `.sql`, else as
/// a directory with `schema.sql` (schemas, extensions, types, sequences) and one
/// file per table. Returns the files written.
pub fn write(catalog: &Catalog, out: &Path) -> Result<Vec<std::path::PathBuf>, OpsError> {
    let steps = plan(&Catalog::default(), catalog, &[])?.steps;
    if out.extension().is_some_and(|e| e == "sql") {
        let sql: String = steps.iter().flat_map(|s| s.sql.iter().map(|q| format!("{q};\n"))).collect();
        std::fs::write(out, sql)?;
        return Ok(vec![out.to_path_buf()]);
    }
    std::fs::create_dir_all(out)?;
    let mut files: indexmap::IndexMap<String, String> = indexmap::IndexMap::new();
    for step in &steps {
        let file = match table_of(&step.change) {
            Some(t) => format!("{}.{}.sql", t.schema, t.name),
            None => "schema.sql".to_string(),
        };
        let text = files.entry(file).or_default();
        for q in &step.sql {
            text.push_str(q);
            text.push_str(";\n");
        }
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out.join(sanitize(&name));
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// File names keep letters, digits, `.`, `_` and `-`.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect()
}

fn table_of(change: &Change) -> Option<&crate::model::QualName> {
    match change {
        Change::CreateTable { table } => Some(&table.name),
        Change::AddConstraint { table, .. } | Change::CreateIndex { table, .. } => Some(table),
        Change::SetComment {
            target:
                crate::diff::CommentTarget::Table(t)
                | crate::diff::CommentTarget::Column(t, _)
                | crate::diff::CommentTarget::Constraint(t, _),
            ..
        } => Some(t),
        _ => None,
    }
}
