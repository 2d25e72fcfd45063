//! Order rows as stored, and their conversion into domain orders.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ids::{OrderId, ProductId, PromotionId, UserId};
use domain::money::Money;
use domain::orders::{Order, OrderItem, OrderStatus};
use domain::store::StoreError;

use crate::schema::{order_items, orders};
use crate::store_error::corrupt_row;

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = orders)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct OrderRow {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub currency: String,
    pub total_amount: BigDecimal,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Set on every order: migration 000007 filled the older ones, and a CHECK holds it.
    pub subtotal: Option<BigDecimal>,
    pub discount_total: BigDecimal,
    pub shipping_total: BigDecimal,
    pub promotion_id: Option<i64>,
    pub promo_code: Option<String>,
    pub shipping_option: Option<String>,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = order_items)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ItemRow {
    pub order_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i32,
    pub unit_price: BigDecimal,
    pub line_total: BigDecimal,
    pub discount: BigDecimal,
}

impl ItemRow {
    fn into_item(self) -> OrderItem {
        OrderItem {
            product_id: ProductId(self.product_id),
            sku: self.sku,
            name: self.name,
            quantity: self.quantity,
            unit_price: Money::from_stored(self.unit_price),
            line_total: Money::from_stored(self.line_total),
            discount: Money::from_stored(self.discount),
        }
    }
}

impl OrderRow {
    pub fn into_order(self, items: Vec<OrderItem>) -> Result<Order, StoreError> {
        Ok(Order {
            id: OrderId(self.id),
            user_id: UserId(self.user_id),
            status: OrderStatus::parse(&self.status)
                .ok_or_else(|| corrupt_row("orders", self.id, "status"))?,
            currency: self.currency,
            subtotal: Money::from_stored(
                self.subtotal
                    .ok_or_else(|| corrupt_row("orders", self.id, "subtotal"))?,
            ),
            discount_total: Money::from_stored(self.discount_total),
            shipping_total: Money::from_stored(self.shipping_total),
            total_amount: Money::from_stored(self.total_amount),
            promotion: match (self.promotion_id, self.promo_code) {
                (Some(id), Some(code)) => Some((PromotionId(id), code)),
                (None, None) => None,
                _ => return Err(corrupt_row("orders", self.id, "promotion")),
            },
            shipping_option: self.shipping_option,
            items,
            created_at: self.created_at,
            updated_at: self.updated_at,
            paid_at: self.paid_at,
            shipped_at: self.shipped_at,
            delivered_at: self.delivered_at,
            cancelled_at: self.cancelled_at,
        })
    }
}

/// Attaches items (loaded for a whole page in one statement) to their orders.
pub fn assemble(rows: Vec<OrderRow>, items: Vec<ItemRow>) -> Result<Vec<Order>, StoreError> {
    let mut by_order: HashMap<i64, Vec<OrderItem>> = HashMap::with_capacity(rows.len());
    for item in items {
        by_order.entry(item.order_id).or_default().push(item.into_item());
    }
    rows.into_iter()
        .map(|row| {
            let items = by_order.remove(&row.id).unwrap_or_default();
            row.into_order(items)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str) -> OrderRow {
        let at = Utc::now();
        OrderRow {
            id: 7,
            user_id: 1,
            status: status.into(),
            currency: "USD".into(),
            total_amount: BigDecimal::from(5),
            created_at: at,
            updated_at: at,
            paid_at: None,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
            subtotal: Some(BigDecimal::from(5)),
            discount_total: BigDecimal::from(0),
            shipping_total: BigDecimal::from(0),
            promotion_id: None,
            promo_code: None,
            shipping_option: None,
        }
    }

    #[test]
    fn an_order_row_with_an_unknown_status_is_an_error_not_a_pending_order() {
        let read = row("lost").into_order(vec![]);

        assert_eq!(read, Err(corrupt_row("orders", 7, "status")));
    }

    #[test]
    fn an_order_row_with_a_promotion_id_but_no_code_is_an_error() {
        let read = OrderRow {
            promotion_id: Some(3),
            ..row("paid")
        }
        .into_order(vec![]);

        assert_eq!(read, Err(corrupt_row("orders", 7, "promotion")));
    }

    #[test]
    fn a_well_formed_order_row_reads_back() {
        let order = row("shipped").into_order(vec![]).expect("a valid row");

        assert_eq!(order.status, OrderStatus::Shipped);
        assert_eq!(order.subtotal.to_string(), "5.00");
    }
}
