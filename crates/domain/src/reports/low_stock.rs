//! The low-stock report: active products at or below their threshold, lowest stock first.

use serde::{Deserialize, Serialize};

use crate::catalog::Product;
use crate::ids::ProductId;
use crate::page::Limit;

/// Where a page of the report ended: the next starts strictly after this (stock, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LowStockKey {
    pub stock: i32,
    pub id: ProductId,
}

impl LowStockKey {
    pub fn of(product: &Product) -> LowStockKey {
        LowStockKey {
            stock: product.stock,
            id: product.id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LowStockQuery {
    pub after: Option<LowStockKey>,
    pub limit: Limit,
}
