//! Writes the benches' synthetic schema pair for the CLI to be timed by hand:
//! `cargo run --release --example gen_schema -- TABLES DIR` writes
//! `DIR/original.sql` and `DIR/changed.sql` (a tenth of the tables changed).

#[path = "../benches/support/schema_gen.rs"]
mod schema_gen;

use schema_gen::{generate, render_schema, Flavor};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect("usage: gen_schema TABLES DIR");
    let dir = std::path::PathBuf::from(args.next().expect("usage: gen_schema TABLES DIR"));
    std::fs::create_dir_all(&dir).expect("creating DIR");
    let (original, changed) = generate(n, Flavor::Offline);
    std::fs::write(dir.join("original.sql"), render_schema(&original, Flavor::Offline)).expect("original.sql");
    std::fs::write(dir.join("changed.sql"), render_schema(&changed, Flavor::Offline)).expect("changed.sql");
}
