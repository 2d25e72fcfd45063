//! Orders, their items and their history on the wire.

use chrono::{DateTime, Utc};
use domain::money::Money;
use domain::orders::ports::TransitionRecord;
use domain::orders::{Order, OrderItem, PricedLine, PricedOrder};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OrderItemView {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i32,
    /// The product's price when the order was placed.
    #[schema(value_type = String, example = "19.99")]
    pub unit_price: Money,
    #[schema(value_type = String, example = "39.98")]
    pub line_total: Money,
    /// This line's share of the order's discount.
    #[schema(value_type = String, example = "4.00")]
    pub discount: Money,
}

#[derive(Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub user_id: i64,
    /// `pending`, `paid`, `shipped`, `delivered` or `cancelled`.
    pub status: &'static str,
    pub currency: String,
    /// The exact sum of the line totals.
    #[schema(value_type = String, example = "39.98")]
    pub subtotal: Money,
    /// The exact sum of the lines' discounts.
    #[schema(value_type = String, example = "4.00")]
    pub discount_total: Money,
    #[schema(value_type = String, example = "4.90")]
    pub shipping_total: Money,
    /// `subtotal − discount_total + shipping_total`.
    #[schema(value_type = String, example = "40.88")]
    pub total_amount: Money,
    pub promo_code: Option<String>,
    pub shipping_option: Option<String>,
    pub items: Vec<OrderItemView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl From<OrderItem> for OrderItemView {
    fn from(item: OrderItem) -> Self {
        OrderItemView {
            product_id: item.product_id.0,
            sku: item.sku,
            name: item.name,
            quantity: item.quantity,
            unit_price: item.unit_price,
            line_total: item.line_total,
            discount: item.discount,
        }
    }
}

/// A line as a quote prices it, shown like a placed order's item.
impl From<PricedLine> for OrderItemView {
    fn from(line: PricedLine) -> Self {
        OrderItemView {
            product_id: line.product_id.0,
            sku: line.sku,
            name: line.name,
            quantity: i32::try_from(line.quantity.get()).unwrap_or(i32::MAX),
            unit_price: line.unit_price,
            line_total: line.line_total,
            discount: line.discount,
        }
    }
}

impl From<Order> for OrderView {
    fn from(order: Order) -> Self {
        OrderView {
            id: order.id.0,
            user_id: order.user_id.0,
            status: order.status.as_str(),
            currency: order.currency,
            subtotal: order.subtotal,
            discount_total: order.discount_total,
            shipping_total: order.shipping_total,
            total_amount: order.total_amount,
            promo_code: order.promotion.map(|(_, code)| code),
            shipping_option: order.shipping_option,
            items: order.items.into_iter().map(Into::into).collect(),
            created_at: order.created_at,
            updated_at: order.updated_at,
            paid_at: order.paid_at,
            shipped_at: order.shipped_at,
            delivered_at: order.delivered_at,
            cancelled_at: order.cancelled_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ShortageView {
    pub product_id: i64,
    pub requested: u32,
    pub available: i32,
}

/// What an order would be right now. Reserves and redeems nothing.
#[derive(Serialize, ToSchema)]
pub struct QuoteView {
    /// Left out of the `quote` a `409 price_changed` carries: the order's currency is the shop's.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub currency: String,
    #[schema(value_type = String, example = "39.98")]
    pub subtotal: Money,
    #[schema(value_type = String, example = "4.00")]
    pub discount_total: Money,
    #[schema(value_type = String, example = "4.90")]
    pub shipping_total: Money,
    #[schema(value_type = String, example = "40.88")]
    pub total_amount: Money,
    pub promo_code: Option<String>,
    pub shipping_option: Option<String>,
    pub items: Vec<OrderItemView>,
    /// Lines the stock does not cover now; placing this order would be `409 insufficient_stock`.
    pub shortages: Vec<ShortageView>,
}

impl QuoteView {
    pub fn new(quote: PricedOrder, currency: &str) -> QuoteView {
        QuoteView {
            currency: currency.to_owned(),
            subtotal: quote.subtotal,
            discount_total: quote.discount_total,
            shipping_total: quote.shipping_total,
            total_amount: quote.total_amount,
            promo_code: quote.promotion.map(|p| p.code.as_str().to_owned()),
            shipping_option: quote.shipping_option.map(|s| s.as_str().to_owned()),
            items: quote.lines.into_iter().map(Into::into).collect(),
            shortages: quote
                .shortages
                .into_iter()
                .map(|s| ShortageView {
                    product_id: s.product_id.0,
                    requested: s.requested,
                    available: s.available,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActorView {
    /// `customer`, `staff`, `system` or `payment_provider`.
    pub kind: String,
    pub id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TransitionView {
    /// `null` for the order's creation.
    pub from: Option<&'static str>,
    pub to: &'static str,
    pub at: DateTime<Utc>,
    pub actor: ActorView,
    pub reason: Option<String>,
}

impl From<TransitionRecord> for TransitionView {
    fn from(t: TransitionRecord) -> Self {
        TransitionView {
            from: t.from.map(|s| s.as_str()),
            to: t.to.as_str(),
            at: t.at,
            actor: ActorView {
                kind: t.actor_kind,
                id: t.actor_id.map(|a| a.0),
            },
            reason: t.reason,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    pub items: Vec<TransitionView>,
}

#[derive(Serialize, ToSchema)]
pub struct FailedShipment {
    pub id: i64,
    /// `not_found` or `invalid_transition`.
    pub code: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct BulkShipView {
    pub shipped: Vec<i64>,
    pub failed: Vec<FailedShipment>,
}
