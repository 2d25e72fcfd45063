//! Promotions over HTTP (staff): create, list, look, change.

pub mod handlers;
pub mod requests;
pub mod views;
