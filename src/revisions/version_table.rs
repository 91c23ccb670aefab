//! The version table: which revisions a database is at (one row per head, as
//! Alembic's `alembic_version`).

use tokio_postgres::Client;

use crate::canon::quote_ident;
use crate::model::QualName;

/// The default version table.
pub fn default_table() -> QualName {
    crate::model::default_version_table()
}

/// Alembic's version table.
pub fn alembic_table() -> QualName {
    QualName::new("public", "alembic_version")
}

/// The bookkeeping tables: pgstate's version table (`table`) and Alembic's.
/// They record where a database stands, not what its schema is.
pub fn bookkeeping(table: &QualName) -> Vec<QualName> {
    vec![table.clone(), alembic_table()]
}

/// Creates the table if missing.
pub async fn ensure(client: &Client, table: &QualName) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {table} ({} varchar(255) PRIMARY KEY)",
            quote_ident("version_num")
        ))
        .await
}

/// The revisions recorded (empty when the table does not exist).
pub async fn read(client: &Client, table: &QualName) -> Result<Vec<String>, tokio_postgres::Error> {
    let exists: bool = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table.sql()]).await?.try_get(0)?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client.query(&format!("SELECT version_num FROM {table} ORDER BY 1"), &[]).await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// Records that `id` is applied on top of `parents` (within the caller's transaction).
pub async fn advance(
    client: &Client,
    table: &QualName,
    id: &str,
    parents: &[String],
) -> Result<(), tokio_postgres::Error> {
    for p in parents {
        client.execute(&format!("DELETE FROM {table} WHERE version_num = $1"), &[p]).await?;
    }
    client.execute(&format!("INSERT INTO {table} (version_num) VALUES ($1) ON CONFLICT DO NOTHING"), &[&id]).await?;
    Ok(())
}

/// Records that `id` is undone, leaving `parents` as heads (within the caller's transaction).
pub async fn retreat(
    client: &Client,
    table: &QualName,
    id: &str,
    parents: &[String],
) -> Result<(), tokio_postgres::Error> {
    client.execute(&format!("DELETE FROM {table} WHERE version_num = $1"), &[&id]).await?;
    for p in parents {
        client.execute(&format!("INSERT INTO {table} (version_num) VALUES ($1) ON CONFLICT DO NOTHING"), &[p]).await?;
    }
    Ok(())
}

/// Makes `ids` the recorded revisions, whatever was there (within the caller's transaction).
pub async fn replace(client: &Client, table: &QualName, ids: &[String]) -> Result<(), tokio_postgres::Error> {
    client.execute(&format!("DELETE FROM {table}"), &[]).await?;
    for id in ids {
        client.execute(&format!("INSERT INTO {table} (version_num) VALUES ($1)"), &[id]).await?;
    }
    Ok(())
}

/// Alembic's recorded revisions, when an `alembic_version` table exists.
pub async fn alembic(client: &Client) -> Result<Vec<String>, tokio_postgres::Error> {
    read(client, &alembic_table()).await
}
