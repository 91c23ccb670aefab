//! pgstate: declarative, desired-state schema management for PostgreSQL.
//!
//! The pipeline: `parse` (files) produces a `model::Catalog`; `diff` compares two
//! catalogs into `Change`s; `plan` orders them by dependencies, marks hazards and
//! renders SQL; `ops` holds the commands that drive the pipeline.

pub mod canon;
pub mod change;
pub mod config;
pub mod connection;
pub mod ddl;
pub mod diff;
pub mod introspect;
pub mod model;
pub mod normalize;
pub mod ops;
pub mod parallel;
pub mod parse;
pub mod plan;
pub mod quote;
pub mod revisions;
