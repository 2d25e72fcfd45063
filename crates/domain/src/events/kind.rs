//! What an event says happened, spelled as subscribers see it in the webhook's `type`.

use std::fmt;

use crate::orders::OrderStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    OrderCreated,
    OrderPaid,
    OrderCancelled,
    OrderShipped,
    OrderDelivered,
    ProductLowStock,
    ProductUpdated,
    Ping,
}

impl EventType {
    /// Every event type, including `ping`.
    pub const ALL: [EventType; 8] = [
        EventType::OrderCreated,
        EventType::OrderPaid,
        EventType::OrderCancelled,
        EventType::OrderShipped,
        EventType::OrderDelivered,
        EventType::ProductLowStock,
        EventType::ProductUpdated,
        EventType::Ping,
    ];

    /// The public spelling: part of the webhook contract, so never rename one.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::OrderCreated => "order.created",
            EventType::OrderPaid => "order.paid",
            EventType::OrderCancelled => "order.cancelled",
            EventType::OrderShipped => "order.shipped",
            EventType::OrderDelivered => "order.delivered",
            EventType::ProductLowStock => "product.low_stock",
            EventType::ProductUpdated => "product.updated",
            EventType::Ping => "ping",
        }
    }

    pub fn parse(raw: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// The event an order emits on entering `status`; an order enters `pending` when it is placed.
    pub fn for_order_status(status: OrderStatus) -> EventType {
        match status {
            OrderStatus::Pending => EventType::OrderCreated,
            OrderStatus::Paid => EventType::OrderPaid,
            OrderStatus::Shipped => EventType::OrderShipped,
            OrderStatus::Delivered => EventType::OrderDelivered,
            OrderStatus::Cancelled => EventType::OrderCancelled,
        }
    }

    /// Whether an endpoint may list this type among its subscriptions. A ping is not broadcast:
    /// it goes only to the endpoint it tests.
    pub fn subscribable(self) -> bool {
        self != EventType::Ping
    }

    /// The events that send the customer an email: the confirmation, shipped and cancelled.
    pub const CUSTOMER_EMAILS: [EventType; 3] = [
        EventType::OrderCreated,
        EventType::OrderShipped,
        EventType::OrderCancelled,
    ];
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_reads_back_from_its_spelling() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
    }

    #[test]
    fn unknown_or_misspelt_types_are_not_event_types() {
        for raw in [
            "",
            "order",
            "order.refunded",
            "Order.Created",
            "order_created",
            " ping",
            "ping ",
        ] {
            assert_eq!(EventType::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn each_order_status_emits_its_own_order_event() {
        let emitted: Vec<&str> = OrderStatus::ALL
            .into_iter()
            .map(|status| EventType::for_order_status(status).as_str())
            .collect();
        assert_eq!(
            emitted,
            [
                "order.created",
                "order.paid",
                "order.shipped",
                "order.delivered",
                "order.cancelled"
            ]
        );
    }

    #[test]
    fn every_type_but_ping_can_be_subscribed_to() {
        let subscribable: Vec<EventType> = EventType::ALL
            .into_iter()
            .filter(|kind| kind.subscribable())
            .collect();
        assert_eq!(subscribable.len(), EventType::ALL.len() - 1);
        assert!(!EventType::Ping.subscribable());
    }
}
