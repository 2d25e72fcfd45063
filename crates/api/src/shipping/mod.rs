//! Shipping options over HTTP: anyone sees the active ones; staff create and change them.

pub mod handlers;
pub mod requests;
pub mod views;
