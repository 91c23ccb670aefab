//! Commands as library functions (cargo's `ops` layer): the CLI parses
//! arguments and prints; these do the work and return values.

pub mod adopt;
pub mod apply;
pub mod approve;
pub mod check;
pub mod desired;
pub mod drift;
pub mod error;
pub mod export;
pub mod external;
pub mod live;
pub mod measure;
pub mod parsing;
pub mod plan;
pub mod progress;
pub mod retry;
pub mod revision;
pub mod saved;
pub mod settle;
pub mod timeout;

pub use error::OpsError;

/// Frees `value` on another thread: freeing two large catalogs takes a
/// visible share of a big plan's time, which the caller, printing the plan,
/// need not wait for.
pub fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}
