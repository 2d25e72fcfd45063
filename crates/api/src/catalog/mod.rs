//! The Products routes of the API, and the pages each instance keeps of them.

pub mod cache;
pub mod handlers;
mod refresh;
pub mod requests;
pub mod views;

pub use refresh::spawn_product_refresher;
