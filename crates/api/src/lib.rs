//! Stockroom's HTTP service: actix-web routes over the domain's use cases and infra's
//! repositories, plus the `stockroom` command line.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod console;
pub mod events;
pub mod http;
pub mod limits;
pub mod ops;
pub mod orders;
pub mod payments;
pub mod promotions;
pub mod reports;
pub mod shipping;
pub mod state;
