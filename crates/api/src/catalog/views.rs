//! How products and stock movements look on the wire.

use chrono::{DateTime, Utc};
use domain::catalog::{Product, StockMovement};
use domain::money::Money;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    /// Decimal string with two places.
    #[schema(value_type = String, example = "19.99")]
    pub price: Money,
    #[schema(example = "USD")]
    pub currency: String,
    pub stock: i32,
    /// `false` once archived: kept for order history, no longer for sale.
    pub active: bool,
    /// Stock at or below this is running low: `product.low_stock` fires when stock falls to it.
    #[schema(minimum = 0, maximum = 1_000_000, example = 5)]
    pub low_stock_threshold: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProductView {
    pub fn new(product: Product, currency: &str) -> ProductView {
        ProductView {
            id: product.id.0,
            sku: product.sku,
            name: product.name,
            description: product.description,
            category: product.category,
            price: product.price,
            currency: currency.to_owned(),
            stock: product.stock,
            active: product.active,
            low_stock_threshold: product.low_stock_threshold,
            created_at: product.created_at,
            updated_at: product.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StockMovementView {
    pub id: i64,
    pub product_id: i64,
    pub delta: i32,
    /// `order`, `cancellation` or `adjustment`.
    pub cause: &'static str,
    /// The order id for orders and cancellations, the reason for adjustments.
    pub reference: String,
    pub resulting_stock: i32,
    pub actor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<StockMovement> for StockMovementView {
    fn from(m: StockMovement) -> Self {
        StockMovementView {
            id: m.id,
            product_id: m.product_id.0,
            delta: m.delta,
            cause: m.cause.as_str(),
            reference: m.reference,
            resulting_stock: m.resulting_stock,
            actor_id: m.actor_id.map(|a| a.0),
            created_at: m.created_at,
        }
    }
}
