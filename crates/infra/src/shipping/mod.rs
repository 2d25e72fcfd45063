//! Shipping options on Postgres.

pub mod rows;
