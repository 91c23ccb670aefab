//! The model's DDL effects, in one place: what each change does to a catalog
//! (`effects`, the model's mirror of PostgreSQL), and what each statement of a
//! script does, in order (`script`: revision replay reads revisions through it).
//! The differ's rename hints, revision replay and the property tests that
//! replay a rendered plan all go through here.

pub mod effects;
pub mod script;

pub use script::{run, ScriptError};
