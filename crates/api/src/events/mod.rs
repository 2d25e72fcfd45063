//! Events: what the outbox carries, and the routes that list events and manage webhook endpoints.

pub mod documents;
