//! Stockroom's rules: value types, use cases and the ports (repository traits) they run against.
//! Nothing here performs I/O; adapters live in `infra` (Postgres) and `api` (HTTP).

pub mod accounts;
pub mod catalog;
pub mod console;
pub mod email;
pub mod events;
pub mod field_errors;
pub mod idempotency;
pub mod ids;
pub mod money;
pub mod orders;
pub mod page;
pub mod promotions;
pub mod quantity;
pub mod reports;
pub mod shipping;
pub mod sku;
pub mod store;
pub mod text;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
