//! A product as an order sees it while pricing: read without a lock, so possibly stale. The
//! database guards the price and stock again when it reserves; a quote from a stale snapshot is
//! re-priced (see `quote::should_reprice`) or refused, never placed at a price that moved.

use crate::ids::ProductId;
use crate::money::Money;

#[derive(Debug, Clone, PartialEq)]
pub struct ProductSnapshot {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price: Money,
    /// Archived products cannot be ordered.
    pub active: bool,
    pub stock: i32,
}
