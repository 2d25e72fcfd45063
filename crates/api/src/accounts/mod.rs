//! The Accounts routes of the API: register, sign in, who am I.

pub mod handlers;
pub mod requests;
pub mod views;
