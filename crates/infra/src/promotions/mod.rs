//! Promotions on Postgres: their rows, and how the placing transaction redeems them
//! (`orders::placement`).

pub mod rows;
