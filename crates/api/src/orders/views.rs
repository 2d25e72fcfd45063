//! Orders, their items and their history on the wire.

use chrono::{DateTime, Utc};
use domain::money::Money;
use domain::orders::ports::TransitionRecord;
use domain::orders::{Order, OrderItem};
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
    pub total_amount: Money,
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
            total_amount: order.total_amount,
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
