//! Commands as library functions (cargo's `ops` layer): the CLI parses
//! arguments and prints; these do the work and return values.

pub mod check;
pub mod plan;
