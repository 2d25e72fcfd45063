//! What events carry: the order as `GET /v1/orders/{id}` shows it, rendered by the same view.

use domain::orders::Order;
use infra::events::EventDocuments;

use crate::orders::views::OrderView;

pub struct ApiDocuments;

impl EventDocuments for ApiDocuments {
    fn order(&self, order: &Order) -> serde_json::Value {
        // A view of strings, numbers and timestamps always serializes.
        serde_json::to_value(OrderView::from(order.clone())).unwrap_or_default()
    }
}
