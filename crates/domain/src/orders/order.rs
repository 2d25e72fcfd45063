//! An order as stored: its lines captured at the price of the moment, and its lifecycle dates.

use chrono::{DateTime, Utc};

use crate::ids::{OrderId, ProductId, PromotionId, UserId};
use crate::money::Money;

use super::status::OrderStatus;

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub quantity: i32,
    pub unit_price: Money,
    pub line_total: Money,
    /// This line's share of the order's discount.
    pub discount: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: OrderId,
    pub user_id: UserId,
    pub status: OrderStatus,
    pub currency: String,
    pub subtotal: Money,
    pub discount_total: Money,
    pub shipping_total: Money,
    /// `subtotal − discount_total + shipping_total`, what the customer pays.
    pub total_amount: Money,
    /// The promotion the order redeemed, if any: cancelling gives the redemption back.
    pub promotion: Option<(PromotionId, String)>,
    pub shipping_option: Option<String>,
    pub items: Vec<OrderItem>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}
