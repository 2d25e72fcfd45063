//! Order rows as stored, and their conversion into domain orders.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ids::{OrderId, ProductId, PromotionId, UserId};
use domain::money::Money;
use domain::orders::{Order, OrderItem, OrderStatus};

use crate::schema::{order_items, orders};

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
    pub fn into_order(self, items: Vec<OrderItem>) -> Order {
        Order {
            id: OrderId(self.id),
            user_id: UserId(self.user_id),
            // The column's CHECK admits only known statuses.
            status: OrderStatus::parse(&self.status).unwrap_or(OrderStatus::Pending),
            currency: self.currency,
            subtotal: Money::from_stored(self.subtotal.unwrap_or_else(|| self.total_amount.clone())),
            discount_total: Money::from_stored(self.discount_total),
            shipping_total: Money::from_stored(self.shipping_total),
            total_amount: Money::from_stored(self.total_amount),
            promotion: self
                .promotion_id
                .map(|id| (PromotionId(id), self.promo_code.unwrap_or_default())),
            shipping_option: self.shipping_option,
            items,
            created_at: self.created_at,
            updated_at: self.updated_at,
            paid_at: self.paid_at,
            shipped_at: self.shipped_at,
            delivered_at: self.delivered_at,
            cancelled_at: self.cancelled_at,
        }
    }
}

/// Attaches items (loaded for a whole page in one statement) to their orders.
pub fn assemble(rows: Vec<OrderRow>, items: Vec<ItemRow>) -> Vec<Order> {
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
