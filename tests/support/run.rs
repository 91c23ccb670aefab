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
