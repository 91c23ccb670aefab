//! Running the pgstate binary the way a user does, from a project directory.

use std::path::Path;
use std::process::{Command, Output};

/// `pgstate ARGS` run in `dir`, with no `DATABASE_URL` from the environment.
pub fn pgstate_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("pgstate runs")
}

/// A command's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `pgstate ARGS` run here, with no `DATABASE_URL` from the environment.
pub fn pgstate(args: &[&str]) -> Output {
    pgstate_in(Path::new("."), args)
}

/// Writes `sql` to `name` in this test binary's own temporary directory
/// (`prefix` keeps the binaries apart) and returns its path.
pub fn file(prefix: &str, name: &str, sql: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, sql).expect("write file");
    path
}

/// `pgstate apply --yes` of `schema` to `db` (with `extra` arguments); its output, or a panic.
pub fn apply(db: &super::pg::Db, schema: &Path, extra: &[&str]) -> String {
    let url = db.url();
    let schema = schema.to_string_lossy().into_owned();
    let mut args = vec!["apply", "--url", &url, "--schema", &schema, "--yes"];
    args.extend_from_slice(extra);
    let out = pgstate(&args);
    assert!(out.status.success(), "apply failed:\n{}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// `pgstate plan --url` of `schema` against `db`: the plan, or a panic.
pub fn plan_url(db: &super::pg::Db, schema: &Path) -> String {
    let out = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert!(out.status.success(), "plan --url failed: {}", text(&out.stderr));
    text(&out.stdout)
}
