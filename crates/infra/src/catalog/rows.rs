//! Rows as stored, and their conversion into domain values.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::catalog::{MovementCause, Product, StockMovement};
use domain::ids::{ProductId, UserId};
use domain::money::Money;

use crate::schema::{products, stock_movements};

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub price: BigDecimal,
    pub stock: i32,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProductRow {
    pub fn into_product(self) -> Product {
        Product {
            id: ProductId(self.id),
            sku: self.sku,
            name: self.name,
            description: self.description,
            category: self.category,
            price: Money::from_stored(self.price),
            stock: self.stock,
            active: self.active,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = stock_movements)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct MovementRow {
    pub id: i64,
    pub product_id: i64,
    pub delta: i32,
    pub cause: String,
    pub reference: String,
    pub resulting_stock: i32,
    pub actor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl MovementRow {
    pub fn into_movement(self) -> StockMovement {
        StockMovement {
            id: self.id,
            product_id: ProductId(self.product_id),
            delta: self.delta,
            // The column's CHECK admits only the known causes.
            cause: MovementCause::parse(&self.cause).unwrap_or(MovementCause::Adjustment),
            reference: self.reference,
            resulting_stock: self.resulting_stock,
            actor_id: self.actor_id.map(UserId),
            created_at: self.created_at,
        }
    }
}
