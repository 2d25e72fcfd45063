//! A product as the shop sells it, and the two ways staff shape one: creating and changing.

use chrono::{DateTime, Utc};

use crate::ids::ProductId;
use crate::money::Money;
use crate::sku::Sku;
use crate::text::{Category, Description, ProductName};

use super::low_stock_threshold::LowStockThreshold;

/// A product as stored. Read back from the database, whose constraints keep its fields valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub price: Money,
    pub stock: i32,
    pub active: bool,
    /// Stock at or below this is running low.
    pub low_stock_threshold: i32,
    /// Increases with every change, stock included; the HTTP layer's ETag.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
impl Product {
    /// A product for tests: active, priced 1.00, 10 in stock, running low at 5. A test changes
    /// what it is about with struct update syntax.
    pub(crate) fn sample(id: i64) -> Product {
        Product {
            id: ProductId(id),
            sku: format!("SKU-{id}"),
            name: format!("Product {id}"),
            description: String::new(),
            category: None,
            price: Money::parse_price("1.00").expect("a price"),
            stock: 10,
            active: true,
            low_stock_threshold: 5,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }
}

/// What staff supply to add a product. Initial stock enters the ledger as an adjustment.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProduct {
    pub sku: Sku,
    pub name: ProductName,
    pub description: Description,
    pub category: Option<Category>,
    pub price: Money,
    pub initial_stock: u32,
    pub low_stock_threshold: LowStockThreshold,
}

/// A partial update. Stock is deliberately absent: it moves only through orders and adjustments.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductChanges {
    pub name: Option<ProductName>,
    pub description: Option<Description>,
    /// `Some(None)` clears the category.
    pub category: Option<Option<Category>>,
    pub price: Option<Money>,
    pub active: Option<bool>,
    pub low_stock_threshold: Option<LowStockThreshold>,
}

impl ProductChanges {
    pub fn is_empty(&self) -> bool {
        *self == ProductChanges::default()
    }
}
