//! The HTTP API against a real server and a real Postgres: one binary, one module per area.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

mod abuse;
mod accounts;
mod auth_table;
mod bad_input;
mod batched_orders;
mod catalog_cache;
mod checkout;
mod emails;
mod helpers;
mod idempotency;
mod lifecycle;
mod operations;
mod order_list;
mod orders;
mod outage;
mod payments;
mod process;
mod product_events;
mod products;
mod promotions;
mod reports;
mod statement_counts;
mod webhook_endpoints;
mod webhooks;
