//! How an event's `data` looks. It is the order or product as the API shows it, and that view
//! belongs to the HTTP layer: it hands the stores its renderer, so there is one view, not two.

use domain::orders::Order;

pub trait EventDocuments: Send + Sync {
    /// The order as `GET /v1/orders/{id}` shows it.
    fn order(&self, order: &Order) -> serde_json::Value;
}
