//! The order lifecycle: `pending → paid → shipped → delivered`, `pending|paid → cancelled`,
//! and who may move an order along it.

use crate::ids::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    /// Every status: what the `orders_status_known` CHECK admits (a test ties them).
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<OrderStatus> {
        match raw {
            "pending" => Some(OrderStatus::Pending),
            "paid" => Some(OrderStatus::Paid),
            "shipped" => Some(OrderStatus::Shipped),
            "delivered" => Some(OrderStatus::Delivered),
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        }
    }
}

/// What someone wants to do to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pay,
    Ship,
    Deliver,
    Cancel,
}

/// Who acts, as recorded in the order's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A customer acting on an order; `owns` says whether it is theirs.
    Customer {
        id: UserId,
        owns: bool,
    },
    Staff {
        id: UserId,
    },
    /// The service itself (the reservation window expiring).
    System,
    PaymentProvider,
}

impl Actor {
    /// Every `kind`: what the `order_transitions_actor_known` CHECK admits (a test ties them).
    pub const KINDS: [&'static str; 4] = ["customer", "staff", "system", "payment_provider"];

    pub fn kind(self) -> &'static str {
        match self {
            Actor::Customer { .. } => "customer",
            Actor::Staff { .. } => "staff",
            Actor::System => "system",
            Actor::PaymentProvider => "payment_provider",
        }
    }

    pub fn id(self) -> Option<UserId> {
        match self {
            Actor::Customer { id, .. } | Actor::Staff { id } => Some(id),
            Actor::System | Actor::PaymentProvider => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The order is not in a state this action applies to (`409 invalid_transition`).
    #[error("cannot {action:?} an order that is {from:?}")]
    Invalid { from: OrderStatus, action: Action },
    /// This actor may never do this (`403`), or the order is someone else's (`404`).
    #[error("not allowed")]
    NotAllowed,
    #[error("no such order")]
    NotYours,
}

impl OrderStatus {
    /// The one place that decides transitions: the next status, or why not.
    pub fn apply(self, action: Action, actor: Actor) -> Result<OrderStatus, TransitionError> {
        use Action::*;
        use OrderStatus::*;
        if let Actor::Customer { owns: false, .. } = actor {
            return Err(TransitionError::NotYours);
        }
        let allowed = matches!(
            (action, actor),
            (Pay, Actor::PaymentProvider)
                | (Ship | Deliver, Actor::Staff { .. })
                | (
                    Cancel,
                    Actor::Staff { .. } | Actor::System | Actor::Customer { .. }
                )
        );
        if !allowed {
            return Err(TransitionError::NotAllowed);
        }
        let invalid = || TransitionError::Invalid { from: self, action };
        match (self, action, actor) {
            (Pending, Pay, _) => Ok(Paid),
            (Paid, Ship, _) => Ok(Shipped),
            (Shipped, Deliver, _) => Ok(Delivered),
            (Pending, Cancel, _) => Ok(Cancelled),
            // Once paid, only staff may cancel (and refund): the customer must ask.
            (Paid, Cancel, Actor::Staff { .. }) => Ok(Cancelled),
            _ => Err(invalid()),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_actor_kind_is_one_of_the_stored_spellings() {
        let actors = [
            Actor::Customer {
                id: UserId(1),
                owns: true,
            },
            Actor::Staff { id: UserId(1) },
            Actor::System,
            Actor::PaymentProvider,
        ];
        let kinds: Vec<&str> = actors.iter().map(|a| a.kind()).collect();
        assert_eq!(kinds, Actor::KINDS);
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
    }

    use super::*;

    const OWNER: Actor = Actor::Customer {
        id: UserId(1),
        owns: true,
    };
    const STRANGER: Actor = Actor::Customer {
        id: UserId(2),
        owns: false,
    };
    const STAFF: Actor = Actor::Staff { id: UserId(3) };

    #[test]
    fn the_happy_path_is_pending_paid_shipped_delivered() {
        let paid = OrderStatus::Pending
            .apply(Action::Pay, Actor::PaymentProvider)
            .unwrap();
        let shipped = paid.apply(Action::Ship, STAFF).unwrap();
        assert_eq!(shipped.apply(Action::Deliver, STAFF), Ok(OrderStatus::Delivered));
    }

    #[test]
    fn an_owner_may_cancel_only_while_pending() {
        assert_eq!(
            OrderStatus::Pending.apply(Action::Cancel, OWNER),
            Ok(OrderStatus::Cancelled)
        );
        assert!(matches!(
            OrderStatus::Paid.apply(Action::Cancel, OWNER),
            Err(TransitionError::Invalid { .. })
        ));
    }

    #[test]
    fn staff_may_cancel_pending_or_paid_orders_but_not_shipped_ones() {
        assert_eq!(
            OrderStatus::Paid.apply(Action::Cancel, STAFF),
            Ok(OrderStatus::Cancelled)
        );
        assert!(matches!(
            OrderStatus::Shipped.apply(Action::Cancel, STAFF),
            Err(TransitionError::Invalid { .. })
        ));
        assert!(matches!(
            OrderStatus::Cancelled.apply(Action::Cancel, STAFF),
            Err(TransitionError::Invalid { .. })
        ));
    }

    #[test]
    fn customers_may_not_ship_deliver_or_pay() {
        assert_eq!(
            OrderStatus::Paid.apply(Action::Ship, OWNER),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(
            OrderStatus::Shipped.apply(Action::Deliver, OWNER),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(
            OrderStatus::Pending.apply(Action::Pay, OWNER),
            Err(TransitionError::NotAllowed)
        );
    }

    #[test]
    fn another_customers_order_is_not_theirs_to_touch() {
        assert_eq!(
            OrderStatus::Pending.apply(Action::Cancel, STRANGER),
            Err(TransitionError::NotYours)
        );
    }

    #[test]
    fn nothing_skips_a_step_or_goes_back() {
        use OrderStatus::*;
        assert!(Pending.apply(Action::Ship, STAFF).is_err());
        assert!(Paid.apply(Action::Deliver, STAFF).is_err());
        assert!(Paid.apply(Action::Pay, Actor::PaymentProvider).is_err());
        assert!(Delivered.apply(Action::Ship, STAFF).is_err());
        assert!(Cancelled.apply(Action::Pay, Actor::PaymentProvider).is_err());
    }
}
