//! Rows as stored, and their conversion into domain values.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::catalog::{MovementCause, Product, StockMovement};
use domain::ids::{ProductId, UserId};
use domain::money::Money;
use domain::store::StoreError;

use crate::schema::{products, stock_movements};
use crate::store_error::corrupt_row;

#[derive(Queryable, QueryableByName, Selectable, Debug)]
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
    pub low_stock_threshold: i32,
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
            low_stock_threshold: self.low_stock_threshold,
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
    pub fn into_movement(self) -> Result<StockMovement, StoreError> {
        Ok(StockMovement {
            id: self.id,
            product_id: ProductId(self.product_id),
            delta: self.delta,
            cause: MovementCause::parse(&self.cause)
                .ok_or_else(|| corrupt_row("stock_movements", self.id, "cause"))?,
            reference: self.reference,
            resulting_stock: self.resulting_stock,
            actor_id: self.actor_id.map(UserId),
            created_at: self.created_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_movement_row_with_an_unknown_cause_is_an_error_not_an_adjustment() {
        let row = MovementRow {
            id: 11,
            product_id: 1,
            delta: -1,
            cause: "theft".into(),
            reference: "r".into(),
            resulting_stock: 4,
            actor_id: None,
            created_at: Utc::now(),
        };

        assert_eq!(
            row.into_movement(),
            Err(corrupt_row("stock_movements", 11, "cause"))
        );
    }
}
