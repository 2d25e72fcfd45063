//! Reports over HTTP (staff): sales over a period as JSON or CSV, and the products running low.

pub mod csv;
pub mod handlers;
pub mod requests;
pub mod views;
