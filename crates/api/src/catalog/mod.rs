//! The Products routes of the API.

pub mod cache;
pub mod handlers;
pub mod requests;
pub mod views;
