//! The inbound payment webhook: verified, then applied at most once per event id.

pub mod handler;
pub mod signature;
