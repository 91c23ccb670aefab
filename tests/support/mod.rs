//! Shared helpers for pgstate's integration tests.
//!
//! Include from an integration test file with `mod support;`.
//!
//! * [`pg`]: start a real, throwaway PostgreSQL cluster ([`PgCluster`]) and
//!   talk to its databases through `psql` ([`Db`]).
//! * [`catalog`]: an independent, textual description of a database's user
//!   schema ([`snapshot`]) built only from PostgreSQL's own catalog functions,
//!   used to judge whether two databases hold the same schema
//!   ([`assert_same_catalog`]).
#![allow(dead_code, unused_imports)]

pub mod catalog;
pub mod corpus;
pub mod pg;
pub mod run;
pub mod session;

pub use catalog::{assert_same_catalog, diff_lines, snapshot, snapshot_lines};
pub use pg::{Db, PgCluster};
