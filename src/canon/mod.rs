//! Canonical forms: the one place that decides how names, types, expressions and
//! generated object names are spelled, so that two sources meaning the same schema
//! produce equal `model::Catalog`s.

pub mod body;
pub mod expr;
pub mod ident;
pub mod limits;
pub mod memo;
pub mod names;
pub mod partition;
pub mod refs;
pub mod types;
pub mod view;

pub use ident::{quote_ident, quote_idents, quote_literal, quote_qualified};
