//! The Orders routes of the API.

pub mod handlers;
pub mod idempotent;
pub mod requests;
pub mod views;
