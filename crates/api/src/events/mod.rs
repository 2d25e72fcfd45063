//! Events: what the outbox carries, and the routes that list events and manage webhook endpoints.

pub mod documents;
pub mod handlers;
pub mod requests;
pub mod secrets;
pub mod views;
