//! The parts of the test harness the runner uses (the cluster and the catalog
//! snapshot), not the whole of `tests/support`, whose other files need what
//! only integration tests have (the pgstate binary's path).
#![allow(dead_code, unused_imports)]

#[path = "../../../tests/support/catalog.rs"]
pub mod catalog;
#[path = "../../../tests/support/pg.rs"]
pub mod pg;

pub use catalog::diff_lines;
pub use pg::{Db, PgCluster};
