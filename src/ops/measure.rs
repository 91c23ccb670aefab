//! Hazards measured on the data (`--measure`): each step that may fail on
//! existing rows is checked with a read-only count, in a `READ ONLY`
//! transaction that is always rolled back, within a statement timeout. The
//! count goes on the hazard line (`3 rows of public.t have c IS NULL`) and
//! in JSON (`rows`). A count that times out or errors leaves the hazard as it
//! was, saying so.

use std::time::Duration;

use tokio_postgres::Client;

use crate::canon::quote_ident;
use crate::diff::Change;
use crate::model::{ColumnType, Constraint, ConstraintKind, FkMatch, Index, IndexKeyExpr, QualName};
use crate::plan::{HazardKind, Plan};

/// How long one count may run when no `--statement-timeout` is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A count and how to say it: `{n} {what}`.
struct Count {
    sql: String,
    what: String,
}

/// Counts, for every may-fail hazard it knows how to check, the rows that
/// would make the step fail, and writes the figure into the hazard.
pub async fn measure(client: &Client, plan: &mut Plan, timeout: Duration) {
    for step in &mut plan.steps {
        if !step.hazards.iter().any(|h| h.kind == HazardKind::MayFail) {
            continue;
        }
        let Some(count) = query(&step.change) else { continue };
        let result = counted(client, &count.sql, timeout).await;
        for h in step.hazards.iter_mut().filter(|h| h.kind == HazardKind::MayFail) {
            match &result {
                Ok(n) if *n > 0 => {
                    h.message = format!("{n} {}", count.what);
                    h.rows = Some(*n);
                }
                Ok(n) => {
                    h.message = format!("{} (measured: 0 {} now)", h.message, count.what);
                    h.rows = Some(*n);
                }
                Err(why) => h.message = format!("{} (not measured: {why})", h.message),
            }
        }
    }
}

/// Runs one count read-only, rolled back whatever happens.
async fn counted(client: &Client, sql: &str, timeout: Duration) -> Result<i64, String> {
    let setup = format!("BEGIN READ ONLY; SET LOCAL statement_timeout = {}", timeout.as_millis().max(1));
    client.batch_execute(&setup).await.map_err(|e| e.to_string())?;
    let row = client.query_one(sql, &[]).await;
    let _ = client.batch_execute("ROLLBACK").await;
    match row {
        Ok(row) => row.try_get::<_, i64>(0).map_err(|e| e.to_string()),
        Err(e) => Err(match e.as_db_error() {
            Some(db) if db.code() == &tokio_postgres::error::SqlState::QUERY_CANCELED => {
                format!("the count ran past {timeout:?}")
            }
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        }),
    }
}

/// The count for a change, when it has one.
fn query(change: &Change) -> Option<Count> {
    match change {
        Change::SetNotNull { table, column, not_null: true } => {
            let col = quote_ident(column);
            Some(Count {
                sql: format!("SELECT count(*) FROM {table} WHERE {col} IS NULL"),
                what: format!("rows of {table} have {col} IS NULL"),
            })
        }
        Change::AddConstraint { table, constraint } | Change::ValidateConstraint { table, constraint } => {
            constraint_count(table, constraint)
        }
        Change::CreateIndex { table, index } if index.unique => duplicates(table, index),
        Change::AlterColumnType { table, column, from, to, .. } => conversion(table, column, from, to),
        _ => None,
    }
}

fn constraint_count(table: &QualName, c: &Constraint) -> Option<Count> {
    let name = quote_ident(&c.name);
    match &c.kind {
        ConstraintKind::Check { expr, .. } => Some(Count {
            sql: format!("SELECT count(*) FROM {table} WHERE NOT ({expr})"),
            what: format!("rows of {table} violate check {name}"),
        }),
        ConstraintKind::ForeignKey(fk) if fk.match_kind == FkMatch::Simple => {
            let present: Vec<String> =
                fk.columns.iter().map(|col| format!("c.{} IS NOT NULL", quote_ident(col))).collect();
            let matched: Vec<String> = fk
                .columns
                .iter()
                .zip(&fk.ref_columns)
                .map(|(a, b)| format!("r.{} = c.{}", quote_ident(b), quote_ident(a)))
                .collect();
            Some(Count {
                sql: format!(
                    "SELECT count(*) FROM {table} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} r WHERE {})",
                    present.join(" AND "),
                    fk.ref_table,
                    matched.join(" AND ")
                ),
                what: format!("rows of {table} have no match in {} (foreign key {name})", fk.ref_table),
            })
        }
        ConstraintKind::Unique { columns, nulls_not_distinct, .. } => {
            Some(duplicate_groups(table, columns, *nulls_not_distinct, None))
        }
        ConstraintKind::PrimaryKey { columns, .. } => Some(duplicate_groups(table, columns, false, None)),
        _ => None,
    }
}

fn duplicates(table: &QualName, index: &Index) -> Option<Count> {
    let columns: Vec<String> = index
        .keys
        .iter()
        .map(|k| match &k.expr {
            IndexKeyExpr::Column(c) => Some(c.clone()),
            IndexKeyExpr::Expr(_) => None,
        })
        .collect::<Option<_>>()?;
    let predicate = index.predicate.as_ref().map(|p| p.to_string());
    Some(duplicate_groups(table, &columns, index.nulls_not_distinct, predicate.as_deref()))
}

/// Groups of rows sharing a key (rows with a NULL in it never clash, unless NULLS NOT DISTINCT).
fn duplicate_groups(table: &QualName, columns: &[String], nulls_not_distinct: bool, predicate: Option<&str>) -> Count {
    let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let mut filter: Vec<String> =
        if nulls_not_distinct { vec![] } else { cols.iter().map(|c| format!("{c} IS NOT NULL")).collect() };
    if let Some(p) = predicate {
        filter.push(format!("({p})"));
    }
    let filter = if filter.is_empty() { String::new() } else { format!(" WHERE {}", filter.join(" AND ")) };
    let list = cols.join(", ");
    Count {
        sql: format!(
            "SELECT count(*) FROM (SELECT 1 FROM {table}{filter} GROUP BY {list} HAVING count(*) > 1) AS duplicates"
        ),
        what: format!("groups of rows of {table} share a value of ({list})"),
    }
}

/// Values a type change refuses, where a plain query can tell: text that
/// does not read as an integer, integers out of the narrower type's range.
fn conversion(table: &QualName, column: &str, from: &ColumnType, to: &ColumnType) -> Option<Count> {
    if from.array || to.array || from.schema.is_some() || to.schema.is_some() {
        return None;
    }
    let col = quote_ident(column);
    let range = match to.base.as_str() {
        "smallint" => ("-32768", "32767"),
        "integer" => ("-2147483648", "2147483647"),
        "bigint" => ("-9223372036854775808", "9223372036854775807"),
        _ => return None,
    };
    let condition = match from.base.as_str() {
        "text" | "character varying" | "character" => {
            format!("{col} !~ '^\\s*[-+]?[0-9]+\\s*$' OR ({col} ~ '^\\s*[-+]?[0-9]+\\s*$' AND btrim({col})::numeric NOT BETWEEN {} AND {})", range.0, range.1)
        }
        "smallint" | "integer" | "bigint" | "numeric" => format!("{col} NOT BETWEEN {} AND {}", range.0, range.1),
        _ => return None,
    };
    Some(Count {
        sql: format!("SELECT count(*) FROM {table} WHERE {col} IS NOT NULL AND ({condition})"),
        what: format!("rows of {table} hold a value of {col} that {} refuses", to),
    })
}
