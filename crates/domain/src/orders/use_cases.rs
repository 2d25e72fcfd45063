//! The order use cases: place, look, cancel, ship, deliver, bulk-ship, and apply payments.

use crate::accounts::Role;
use crate::ids::{OrderId, ProductId, UserId};
use crate::page::Page;
use crate::store::StoreError;

use super::lines::OrderLines;
use super::order::Order;
use super::payment::{self, PaymentEvent, PaymentOutcome};
use super::ports::{OrderFilter, OrderStore, Placement, TransitionRecord};
use super::pricing::{self, Shortage};

use super::status::{Action, Actor, OrderStatus, TransitionError};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrderError {
    #[error("no such order")]
    NotFound,
    #[error("your role may not do this")]
    Forbidden,
    #[error("{} product(s) are unknown or archived", .0.len())]
    UnknownProducts(Vec<ProductId>),
    #[error("{} line(s) cannot be fulfilled", .0.len())]
    InsufficientStock(Vec<Shortage>),
    #[error("you already have {limit} unpaid orders; pay or cancel one first")]
    TooManyPendingOrders { limit: u32 },
    #[error("cannot {action} an order that is {from}")]
    InvalidTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TransitionError> for OrderError {
    fn from(error: TransitionError) -> Self {
        match error {
            TransitionError::NotYours => OrderError::NotFound,
            TransitionError::NotAllowed => OrderError::Forbidden,
            TransitionError::Invalid { from, action } => OrderError::InvalidTransition {
                from: from.as_str(),
                action: match action {
                    Action::Pay => "pay",
                    Action::Ship => "ship",
                    Action::Deliver => "deliver",
                    Action::Cancel => "cancel",
                },
            },
        }
    }
}

/// Who is asking, as the HTTP layer authenticated them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub role: Role,
}

impl Viewer {
    fn may_see(self, order: &Order) -> bool {
        self.role == Role::Staff || order.user_id == self.user_id
    }

    fn actor_for(self, order: &Order) -> Actor {
        match self.role {
            Role::Staff => Actor::Staff { id: self.user_id },
            Role::Customer => Actor::Customer {
                id: self.user_id,
                owns: order.user_id == self.user_id,
            },
        }
    }
}

/// All or nothing: every line reserved at this moment's prices and the order recorded, or
/// nothing changed and the refusal explained (unknown products first, then every shortage).
/// A customer holding `max_pending` unpaid orders places no more: one account must not be
/// able to reserve the whole catalog.
pub fn place_order(
    store: &impl OrderStore,
    customer: UserId,
    lines: &OrderLines,
    idempotency_key: Option<&str>,
    max_pending: u32,
) -> Result<Order, OrderError> {
    if store.pending_orders(customer)? >= max_pending {
        return Err(OrderError::TooManyPendingOrders { limit: max_pending });
    }
    match store.place_order(customer, lines, idempotency_key)? {
        Placement::Placed(order) if pricing::is_priced_exactly(&order) => Ok(order),
        Placement::Placed(order) => {
            Err(StoreError::Internal(format!("order {} was recorded with inexact figures", order.id)).into())
        }
        Placement::Refused(levels) => Err(pricing::refusal(lines, &levels)),
    }
}

/// Another customer's order is `NotFound`, never `Forbidden`: its existence is not theirs to know.
pub fn order_details(store: &impl OrderStore, id: OrderId, viewer: Viewer) -> Result<Order, OrderError> {
    store
        .order(id)?
        .filter(|order| viewer.may_see(order))
        .ok_or(OrderError::NotFound)
}

/// Customers see their own orders whatever filter they pass; staff see everyone's.
pub fn list_orders(
    store: &impl OrderStore,
    mut filter: OrderFilter,
    viewer: Viewer,
) -> Result<Page<Order, OrderId>, OrderError> {
    if viewer.role != Role::Staff {
        filter.user_id = Some(viewer.user_id);
    }
    let rows = store.orders(&filter)?;
    Ok(Page::from_overfetch(rows, filter.limit, |order| order.id))
}

pub fn order_history(
    store: &impl OrderStore,
    id: OrderId,
    viewer: Viewer,
) -> Result<Vec<TransitionRecord>, OrderError> {
    order_details(store, id, viewer)?;
    Ok(store.history(id)?)
}

/// Cancels, ships or delivers: the current status is read under a row lock in the same
/// transaction that changes it, so two racing transitions never both apply. Cancelling
/// returns the stock in that transaction too.
pub fn change_status(
    store: &impl OrderStore,
    id: OrderId,
    action: Action,
    actor: impl Fn(&Order) -> Actor,
    reason: Option<&str>,
) -> Result<Order, OrderError> {
    store.in_transaction(&mut |tx| {
        let order = tx.lock_order(id)?.ok_or(OrderError::NotFound)?;
        let actor = actor(&order);
        let next = order.status.apply(action, actor)?;
        if next == OrderStatus::Cancelled {
            tx.return_stock(&order, actor)?;
        }
        Ok(tx.record_transition(&order, next, actor, reason)?)
    })
}

pub fn act_on_order(
    store: &impl OrderStore,
    id: OrderId,
    action: Action,
    viewer: Viewer,
) -> Result<Order, OrderError> {
    change_status(store, id, action, |order| viewer.actor_for(order), None)
}

/// Ships each order in its own transaction, so one that cannot ship does not hold back the rest.
pub fn bulk_ship(
    store: &impl OrderStore,
    ids: &[OrderId],
    viewer: Viewer,
) -> Result<BulkShipment, OrderError> {
    if viewer.role != Role::Staff {
        return Err(OrderError::Forbidden);
    }
    let mut shipped = Vec::new();
    let mut failed = Vec::new();
    let mut remaining = ids.iter();
    while let Some(&id) = remaining.next() {
        match act_on_order(store, id, Action::Ship, viewer) {
            Ok(_) => shipped.push(id),
            // The store failed midway: what shipped stays shipped and is reported; this order
            // and the ones not tried are reported as not shipped, for the client to retry.
            Err(OrderError::Store(e)) => {
                failed.push((id, OrderError::Store(e.clone())));
                failed.extend(remaining.map(|&id| (id, OrderError::Store(e.clone()))));
                break;
            }
            Err(e) => failed.push((id, e)),
        }
    }
    Ok(BulkShipment { shipped, failed })
}

/// The outcome of a bulk shipment: what shipped, and why each other order did not.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkShipment {
    pub shipped: Vec<OrderId>,
    pub failed: Vec<(OrderId, OrderError)>,
}

/// Cancels orders left unpaid past the reservation window and returns their stock, batch after
/// batch until none is due: a backlog drains in one pass, whatever its size. Safe to run on
/// several instances at once: each cancellation re-checks the status under the row lock, and
/// an order someone else just paid or cancelled is skipped.
pub fn expire_unpaid_orders(
    store: &impl OrderStore,
    placed_before: chrono::DateTime<chrono::Utc>,
    batch: usize,
) -> Result<usize, OrderError> {
    let mut expired = 0;
    loop {
        let due = store.unpaid_orders(placed_before, batch)?;
        let mut expired_now = 0;
        for &id in &due {
            match change_status(
                store,
                id,
                Action::Cancel,
                |_| Actor::System,
                Some("reservation expired"),
            ) {
                Ok(_) => expired_now += 1,
                Err(OrderError::InvalidTransition { .. } | OrderError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        expired += expired_now;
        // A short batch was the last one; a full batch that expired nothing is being drained
        // by another worker, which will finish it.
        if due.len() < batch || expired_now == 0 {
            return Ok(expired);
        }
    }
}

/// Applies a verified payment event at most once. Every outcome is recorded with the event.
pub fn apply_payment(store: &impl OrderStore, event: &PaymentEvent) -> Result<PaymentOutcome, OrderError> {
    store.in_transaction(&mut |tx| {
        if !tx.record_payment_event(event)? {
            return Ok(PaymentOutcome::Duplicate);
        }
        let order = tx.lock_order(event.order_id)?;
        let outcome = payment::decide(event, order.as_ref());
        if let (PaymentOutcome::Applied, Some(order)) = (&outcome, &order)
            && event.kind == payment::PaymentEventKind::Succeeded
        {
            tx.record_transition(order, OrderStatus::Paid, Actor::PaymentProvider, Some(&event.id))?;
        }
        tx.record_payment_outcome(&event.id, &outcome)?;
        Ok(outcome)
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::money::Money;
    use crate::orders::order::OrderItem;
    use crate::orders::ports::{MockOrderTx, OrderTx, StockLevel};

    /// Runs the work once against a mockall `OrderTx`, the way the Postgres store would inside
    /// a transaction; records whether the work asked to commit.
    struct OneTransaction {
        tx: std::sync::Mutex<MockOrderTx>,
        committed: std::sync::Mutex<Option<bool>>,
        /// What `place_order` answers.
        placement: Option<Placement>,
        /// What `pending_orders` answers.
        pending: u32,
    }

    impl OneTransaction {
        fn new(tx: MockOrderTx) -> Self {
            OneTransaction {
                tx: std::sync::Mutex::new(tx),
                committed: std::sync::Mutex::new(None),
                placement: None,
                pending: 0,
            }
        }

        fn placing(placement: Placement) -> Self {
            OneTransaction {
                placement: Some(placement),
                ..OneTransaction::new(MockOrderTx::new())
            }
        }
    }

    impl OrderStore for OneTransaction {
        fn in_transaction<T, E: From<StoreError>>(
            &self,
            work: &mut dyn FnMut(&mut dyn OrderTx) -> Result<T, E>,
        ) -> Result<T, E> {
            let mut tx = self.tx.lock().unwrap();
            let result = work(&mut *tx);
            *self.committed.lock().unwrap() = Some(result.is_ok());
            result
        }
        fn place_order(&self, _: UserId, _: &OrderLines, _: Option<&str>) -> Result<Placement, StoreError> {
            Ok(self.placement.clone().expect("a placement for this test"))
        }
        fn order(&self, _: OrderId) -> Result<Option<Order>, StoreError> {
            unimplemented!()
        }
        fn orders(&self, _: &OrderFilter) -> Result<Vec<Order>, StoreError> {
            unimplemented!()
        }
        fn history(&self, _: OrderId) -> Result<Vec<TransitionRecord>, StoreError> {
            unimplemented!()
        }
        fn unpaid_orders(&self, _: chrono::DateTime<Utc>, _: usize) -> Result<Vec<OrderId>, StoreError> {
            unimplemented!()
        }
        fn pending_orders(&self, _: UserId) -> Result<u32, StoreError> {
            Ok(self.pending)
        }
    }

    fn order(status: OrderStatus, owner: i64, total: &str) -> Order {
        Order {
            id: OrderId(9),
            user_id: UserId(owner),
            status,
            currency: "USD".into(),
            total_amount: Money::parse_amount(total).unwrap(),
            items: vec![],
            created_at: Utc::now(),
            updated_at: Utc::now(),
            paid_at: None,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
        }
    }

    #[test]
    fn a_customer_holding_the_pending_limit_places_nothing() {
        // No placement configured: reaching the store's placement would panic.
        let store = OneTransaction {
            pending: 3,
            ..OneTransaction::new(MockOrderTx::new())
        };

        let result = place_order(&store, UserId(4), &OrderLines::parse(&[(1, 2)]).unwrap(), None, 3);

        assert_eq!(result, Err(OrderError::TooManyPendingOrders { limit: 3 }));
    }

    #[test]
    fn a_placed_order_is_returned_when_its_figures_add_up() {
        let mut placed = order(OrderStatus::Pending, 4, "5.00");
        placed.items = vec![OrderItem {
            product_id: ProductId(1),
            sku: "S".into(),
            name: "N".into(),
            quantity: 2,
            unit_price: Money::parse_price("2.50").unwrap(),
            line_total: Money::parse_amount("5.00").unwrap(),
        }];
        let store = OneTransaction::placing(Placement::Placed(placed));

        let result = place_order(
            &store,
            UserId(4),
            &OrderLines::parse(&[(1, 2)]).unwrap(),
            Some("k1"),
            20,
        );

        assert_eq!(result.map(|o| o.total_amount.to_string()), Ok("5.00".into()));
    }

    #[test]
    fn an_order_recorded_with_inexact_figures_is_an_internal_error() {
        let mut placed = order(OrderStatus::Pending, 4, "5.01");
        placed.items = vec![OrderItem {
            product_id: ProductId(1),
            sku: "S".into(),
            name: "N".into(),
            quantity: 2,
            unit_price: Money::parse_price("2.50").unwrap(),
            line_total: Money::parse_amount("5.00").unwrap(),
        }];
        let store = OneTransaction::placing(Placement::Placed(placed));

        let result = place_order(
            &store,
            UserId(4),
            &OrderLines::parse(&[(1, 2)]).unwrap(),
            None,
            20,
        );

        assert!(matches!(result, Err(OrderError::Store(StoreError::Internal(_)))));
    }

    #[test]
    fn a_refused_order_explains_every_shortage() {
        let store = OneTransaction::placing(Placement::Refused(vec![StockLevel {
            product_id: ProductId(1),
            stock: 1,
            active: true,
        }]));

        let placed = place_order(
            &store,
            UserId(4),
            &OrderLines::parse(&[(1, 2)]).unwrap(),
            None,
            20,
        );

        assert_eq!(
            placed,
            Err(OrderError::InsufficientStock(vec![Shortage {
                product_id: ProductId(1),
                requested: 2,
                available: 1
            }]))
        );
    }

    #[test]
    fn cancelling_a_paid_order_as_staff_returns_stock_in_the_same_transaction() {
        let mut tx = MockOrderTx::new();
        tx.expect_lock_order()
            .returning(|_| Ok(Some(order(OrderStatus::Paid, 4, "5.00"))));
        tx.expect_return_stock()
            .withf(|_, actor| *actor == Actor::Staff { id: UserId(1) })
            .times(1)
            .returning(|_, _| Ok(()));
        tx.expect_record_transition()
            .withf(|_, to, actor, _| {
                *to == OrderStatus::Cancelled && *actor == Actor::Staff { id: UserId(1) }
            })
            .times(1)
            .returning(|_, _, _, _| Ok(order(OrderStatus::Cancelled, 4, "5.00")));
        let store = OneTransaction::new(tx);
        let staff = Viewer {
            user_id: UserId(1),
            role: Role::Staff,
        };

        assert!(act_on_order(&store, OrderId(9), Action::Cancel, staff).is_ok());
    }

    #[test]
    fn shipping_a_pending_order_is_an_invalid_transition_and_writes_nothing() {
        let mut tx = MockOrderTx::new();
        tx.expect_lock_order()
            .returning(|_| Ok(Some(order(OrderStatus::Pending, 4, "5.00"))));
        tx.expect_record_transition().never();
        tx.expect_return_stock().never();
        let store = OneTransaction::new(tx);
        let staff = Viewer {
            user_id: UserId(1),
            role: Role::Staff,
        };

        assert_eq!(
            act_on_order(&store, OrderId(9), Action::Ship, staff),
            Err(OrderError::InvalidTransition {
                from: "pending",
                action: "ship"
            })
        );
    }

    #[test]
    fn a_bulk_shipment_that_loses_the_database_midway_reports_what_shipped_and_what_did_not() {
        let mut tx = MockOrderTx::new();
        tx.expect_lock_order().returning(|id| match id.0 {
            1 => Ok(Some(order(OrderStatus::Paid, 4, "5.00"))),
            _ => Err(StoreError::Unavailable("connection lost".into())),
        });
        tx.expect_record_transition()
            .times(1)
            .returning(|order, to, _, _| {
                Ok(Order {
                    status: to,
                    ..order.clone()
                })
            });
        let store = OneTransaction::new(tx);
        let staff = Viewer {
            user_id: UserId(1),
            role: Role::Staff,
        };

        let shipment = bulk_ship(&store, &[OrderId(1), OrderId(2), OrderId(3)], staff).unwrap();

        assert_eq!(shipment.shipped, vec![OrderId(1)]);
        let failed: Vec<(OrderId, bool)> = shipment
            .failed
            .iter()
            .map(|(id, e)| (*id, matches!(e, OrderError::Store(StoreError::Unavailable(_)))))
            .collect();
        assert_eq!(
            failed,
            vec![(OrderId(2), true), (OrderId(3), true)],
            "3 was not tried"
        );
    }

    #[test]
    fn another_customers_order_cannot_be_cancelled_and_is_not_found() {
        let mut tx = MockOrderTx::new();
        tx.expect_lock_order()
            .returning(|_| Ok(Some(order(OrderStatus::Pending, 4, "5.00"))));
        tx.expect_return_stock().never();
        let store = OneTransaction::new(tx);
        let stranger = Viewer {
            user_id: UserId(5),
            role: Role::Customer,
        };

        assert_eq!(
            act_on_order(&store, OrderId(9), Action::Cancel, stranger),
            Err(OrderError::NotFound)
        );
    }

    fn event(amount: &str) -> PaymentEvent {
        PaymentEvent::parse("evt_1", "payment.succeeded", 9, amount, "USD").unwrap()
    }

    #[test]
    fn a_matching_payment_marks_the_order_paid_and_records_the_outcome() {
        let mut tx = MockOrderTx::new();
        tx.expect_record_payment_event().returning(|_| Ok(true));
        tx.expect_lock_order()
            .returning(|_| Ok(Some(order(OrderStatus::Pending, 4, "5.00"))));
        tx.expect_record_transition()
            .withf(|_, to, actor, _| *to == OrderStatus::Paid && *actor == Actor::PaymentProvider)
            .times(1)
            .returning(|_, _, _, _| Ok(order(OrderStatus::Paid, 4, "5.00")));
        tx.expect_record_payment_outcome()
            .withf(|id, outcome| id == "evt_1" && *outcome == PaymentOutcome::Applied)
            .times(1)
            .returning(|_, _| Ok(()));
        let store = OneTransaction::new(tx);

        assert_eq!(apply_payment(&store, &event("5.00")), Ok(PaymentOutcome::Applied));
    }

    #[test]
    fn a_payment_for_the_wrong_amount_is_rejected_and_recorded() {
        let mut tx = MockOrderTx::new();
        tx.expect_record_payment_event().returning(|_| Ok(true));
        tx.expect_lock_order()
            .returning(|_| Ok(Some(order(OrderStatus::Pending, 4, "5.00"))));
        tx.expect_record_transition().never();
        tx.expect_record_payment_outcome()
            .withf(|_, outcome| *outcome == PaymentOutcome::Rejected("amount_mismatch"))
            .times(1)
            .returning(|_, _| Ok(()));
        let store = OneTransaction::new(tx);

        assert_eq!(
            apply_payment(&store, &event("4.99")),
            Ok(PaymentOutcome::Rejected("amount_mismatch"))
        );
    }

    #[test]
    fn a_repeated_payment_event_changes_nothing() {
        let mut tx = MockOrderTx::new();
        tx.expect_record_payment_event().returning(|_| Ok(false));
        tx.expect_lock_order().never();
        tx.expect_record_payment_outcome().never();
        let store = OneTransaction::new(tx);

        assert_eq!(
            apply_payment(&store, &event("5.00")),
            Ok(PaymentOutcome::Duplicate)
        );
    }
}
