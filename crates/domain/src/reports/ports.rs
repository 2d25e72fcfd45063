//! What the reports need from storage: figures computed where the rows are.

use crate::catalog::Product;
use crate::store::StoreError;

use super::low_stock::LowStockQuery;
use super::sales::{SalesQuery, SalesReport};

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Reports: Send + Sync {
    /// The sales of orders paid in the period (paid, shipped or delivered, by `paid_at`): one
    /// row per group with any, in any order, and the totals of the period, whose `orders`
    /// counts each order once however many groups its lines fall into.
    fn sales(&self, query: &SalesQuery) -> Result<SalesReport, StoreError>;

    /// MUST return at most `query.limit + 1` active products whose stock is at or below their
    /// threshold, by stock and then id, strictly after `query.after`.
    fn low_stock(&self, query: &LowStockQuery) -> Result<Vec<Product>, StoreError>;
}
