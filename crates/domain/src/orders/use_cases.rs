//! The order use cases: place, look, cancel, ship, deliver, bulk-ship, and apply payments.

use crate::accounts::Role;
use crate::events::EventType;
use crate::idempotency::ClaimedKey;
use crate::ids::{OrderId, ProductId, UserId};
use crate::page::Page;
use crate::store::StoreError;

use chrono::{DateTime, Utc};

use crate::promotions::{PromoRefusal, PromotionChoice};
use crate::shipping::ShippingChoice;

use super::order::Order;
use super::payment::{self, PaymentEvent, PaymentOutcome};
use super::ports::{
    Freshness, OrderFilter, OrderKey, OrderStore, PlacementContext, Reservation, TransitionRecord,
};
use super::pricing::{self, Shortage};
use super::quote::{PricedOrder, PricingRefusal, price_order, should_reprice};
use super::request::OrderRequest;

use super::status::{Action, Actor, OrderStatus, TransitionError};
use super::transaction::in_transaction;

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
    #[error("the promotion does not apply: {0}")]
    PromoInvalid(PromoRefusal),
    #[error("the promotion has no redemptions left")]
    PromoExhausted,
    #[error("no active shipping option has this code")]
    UnknownShippingOption,
    #[error("the order would cost {} now", .0.total_amount)]
    PriceChanged(Box<PricedOrder>),
    #[error("cannot {action} an order that is {from}")]
    InvalidTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PricingRefusal> for OrderError {
    fn from(refusal: PricingRefusal) -> Self {
        match refusal {
            PricingRefusal::UnknownProducts(ids) => OrderError::UnknownProducts(ids),
            PricingRefusal::Promo(reason) => OrderError::PromoInvalid(reason),
            PricingRefusal::PromoExhausted => OrderError::PromoExhausted,
            PricingRefusal::UnknownShippingOption => OrderError::UnknownShippingOption,
        }
    }
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

/// What the order would be right now, from the unlocked snapshot: prices, discounts, shipping,
/// totals, and the lines the stock does not cover. Reserves and redeems nothing.
pub fn quote_order(
    store: &impl OrderStore,
    customer: UserId,
    request: &OrderRequest,
    now: DateTime<Utc>,
) -> Result<PricedOrder, OrderError> {
    // A quote is what placing would price now, so it is never priced from a kept snapshot.
    let context = store.placement_context(
        customer,
        &request.lines,
        request.promo_code.as_ref(),
        request.shipping_option.as_ref(),
        Freshness::Fresh,
    )?;
    price(request, &context, now)
}

fn price(
    request: &OrderRequest,
    context: &PlacementContext,
    now: DateTime<Utc>,
) -> Result<PricedOrder, OrderError> {
    let promotion = request.promo_code.as_ref().map(|_| match &context.promotion {
        Some((promotion, used)) => PromotionChoice::Found {
            promotion,
            customer_redemptions: *used,
        },
        None => PromotionChoice::Unknown,
    });
    let shipping = request
        .shipping_option
        .as_ref()
        .map(|_| ShippingChoice::from(context.shipping_option.as_ref()));
    Ok(price_order(
        &request.lines,
        &context.products,
        promotion,
        shipping,
        now,
    )?)
}

/// What placing came to, when it was not refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    Placed(Box<Order>),
    /// The Idempotency-Key was claimed anew while this request stalled: it wrote nothing, and
    /// the key's latest claim answers for it. Only under a claimed key.
    ClaimLost,
}

/// All or nothing. The domain prices the order from a snapshot; the store reserves it exactly as
/// priced, guarding on the locked rows that nothing it relied on moved. A refusal is explained
/// from what the guard saw (unknown products first, then every shortage); when only a price
/// moved, the order is priced again from a fresh snapshot, a few times at most. The first
/// snapshot may be one the store kept: a refusal priced from kept products (or a total the
/// customer did not expect) is never answered before a fresh snapshot confirms it. A customer holding
/// `max_pending` unpaid orders places no more: one account must not be able to reserve the
/// whole catalog.
pub fn place_order(
    store: &impl OrderStore,
    customer: UserId,
    request: &OrderRequest,
    claimed: Option<&ClaimedKey>,
    max_pending: u32,
    now: DateTime<Utc>,
) -> Result<Placement, OrderError> {
    let mut reprices = 0;
    let mut freshness = Freshness::Kept;
    loop {
        let context = store.placement_context(
            customer,
            &request.lines,
            request.promo_code.as_ref(),
            request.shipping_option.as_ref(),
            freshness,
        )?;
        let priced = price(request, &context, now).and_then(|priced| match &request.expected_total {
            Some(expected) if *expected != priced.total_amount => {
                Err(OrderError::PriceChanged(Box::new(priced)))
            }
            _ => Ok(priced),
        });
        let priced = match priced {
            Err(_) if context.kept => {
                freshness = Freshness::Fresh;
                continue;
            }
            priced => priced?,
        };
        match store.reserve(customer, &priced, claimed, max_pending)? {
            Reservation::Placed(order) => return Ok(Placement::Placed(order)),
            Reservation::Fenced => return Ok(Placement::ClaimLost),
            Reservation::PromotionExhausted => return Err(OrderError::PromoExhausted),
            Reservation::CustomerLimitReached => {
                return Err(OrderError::PromoInvalid(PromoRefusal::CustomerLimit));
            }
            Reservation::PendingLimitReached => {
                return Err(OrderError::TooManyPendingOrders { limit: max_pending });
            }
            Reservation::Refused(levels) => match pricing::refusal(&request.lines, &levels) {
                Some(refusal) => return Err(refusal),
                // A kept price that moved is no re-pricing of a fresh one: it does not count.
                None if context.kept => freshness = Freshness::Fresh,
                None if should_reprice(reprices, true) => {
                    reprices += 1;
                    freshness = Freshness::Fresh;
                }
                None => {
                    return Err(StoreError::Unavailable("prices kept changing while placing".into()).into());
                }
            },
        }
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
) -> Result<Page<Order, OrderKey>, OrderError> {
    if viewer.role != Role::Staff {
        filter.user_id = Some(viewer.user_id);
    }
    let rows = store.orders(&filter)?;
    Ok(Page::from_overfetch(rows, filter.limit, OrderKey::of))
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
    in_transaction(store, |tx| {
        let order = tx.lock_order(id)?.ok_or(OrderError::NotFound)?;
        let actor = actor(&order);
        let next = order.status.apply(action, actor)?;
        if next == OrderStatus::Cancelled {
            // The promotion's row is locked before the products', as when placing.
            if order.promotion.is_some() {
                tx.return_redemption(&order)?;
            }
            tx.return_stock(&order, actor)?;
        }
        let changed = tx.record_transition(&order, next, actor, reason)?;
        tx.record_order_event(EventType::for_order_status(next), &changed)?;
        Ok(changed)
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
    in_transaction(store, |tx| {
        if !tx.record_payment_event(event)? {
            return Ok(PaymentOutcome::Duplicate);
        }
        let order = tx.lock_order(event.order_id)?;
        let outcome = payment::decide(event, order.as_ref());
        if let (PaymentOutcome::Applied, Some(order)) = (&outcome, &order)
            && event.kind == payment::PaymentEventKind::Succeeded
        {
            let paid =
                tx.record_transition(order, OrderStatus::Paid, Actor::PaymentProvider, Some(&event.id))?;
            tx.record_order_event(EventType::OrderPaid, &paid)?;
        }
        tx.record_payment_outcome(&event.id, &outcome)?;
        Ok(outcome)
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::idempotency::{ClaimToken, IdempotencyKey};
    use crate::money::Money;
    use crate::orders::lines::OrderLines;
    use crate::orders::ports::{MockOrderStore, MockOrderTx, ProductLevel};
    use crate::orders::quote::MAX_REPRICES;
    use crate::orders::snapshot::ProductSnapshot;

    /// A snapshot with product 1 at 2.50 with `stock` units.
    fn snapshot(stock: i32) -> PlacementContext {
        PlacementContext {
            products: vec![ProductSnapshot {
                id: ProductId(1),
                sku: "S".into(),
                name: "N".into(),
                category: None,
                price: Money::parse_price("2.50").unwrap(),
                active: true,
                stock,
            }],
            ..PlacementContext::default()
        }
    }

    /// A store that reads `context` and answers exactly `reservations`, in turn: asking for one
    /// more, or one fewer, fails the test.
    fn placing_from(context: PlacementContext, reservations: Vec<Reservation>) -> MockOrderStore {
        let mut store = MockOrderStore::new();
        store
            .expect_placement_context()
            .returning(move |_, _, _, _, _| Ok(context.clone()));
        let times = reservations.len();
        let mut answers = reservations.into_iter();
        store
            .expect_reserve()
            .times(times)
            .returning(move |_, _, _, _| Ok(answers.next().expect("a reservation for this call")));
        store
    }

    fn placing(stock: i32, reservations: Vec<Reservation>) -> MockOrderStore {
        placing_from(snapshot(stock), reservations)
    }

    fn order(status: OrderStatus, owner: i64, total: &str) -> Order {
        Order {
            id: OrderId(9),
            user_id: UserId(owner),
            status,
            currency: "USD".into(),
            subtotal: Money::parse_amount(total).unwrap(),
            discount_total: Money::zero(),
            shipping_total: Money::zero(),
            total_amount: Money::parse_amount(total).unwrap(),
            promotion: None,
            shipping_option: None,
            items: vec![],
            created_at: Utc::now(),
            updated_at: Utc::now(),
            paid_at: None,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
        }
    }

    fn two_of_product_one() -> OrderRequest {
        OrderRequest::of_lines(OrderLines::parse(&[(1, 2)]).unwrap())
    }

    fn claimed_key(token: i64) -> ClaimedKey {
        ClaimedKey {
            key: IdempotencyKey::parse("k1").unwrap(),
            token: ClaimToken(token),
        }
    }

    fn level(stock: i32, price: &str) -> ProductLevel {
        ProductLevel {
            product_id: ProductId(1),
            price: Money::parse_price(price).unwrap(),
            stock,
            active: true,
        }
    }

    #[test]
    fn a_customer_holding_the_pending_limit_places_nothing() {
        let mut store = MockOrderStore::new();
        store
            .expect_placement_context()
            .returning(|_, _, _, _, _| Ok(snapshot(10)));
        store
            .expect_reserve()
            .withf(|_, _, _, max_pending| *max_pending == 3)
            .times(1)
            .returning(|_, _, _, _| Ok(Reservation::PendingLimitReached));

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 3, Utc::now());

        assert_eq!(result, Err(OrderError::TooManyPendingOrders { limit: 3 }));
    }

    /// A store whose kept snapshot is `kept` and whose fresh one is `fresh`, each read at most
    /// `reads` times, placing whatever is asked.
    fn keeping(kept: PlacementContext, fresh: PlacementContext, reads: usize) -> MockOrderStore {
        let kept = PlacementContext { kept: true, ..kept };
        let mut store = MockOrderStore::new();
        store
            .expect_placement_context()
            .withf(|_, _, _, _, freshness| *freshness == Freshness::Kept)
            .times(1)
            .returning(move |_, _, _, _, _| Ok(kept.clone()));
        store
            .expect_placement_context()
            .withf(|_, _, _, _, freshness| *freshness == Freshness::Fresh)
            .times(reads)
            .returning(move |_, _, _, _, _| Ok(fresh.clone()));
        store.expect_reserve().returning(|customer, priced, _, _| {
            let mut placed = order(OrderStatus::Pending, customer.0, "0.00");
            placed.total_amount = priced.total_amount.clone();
            Ok(Reservation::Placed(Box::new(placed)))
        });
        store
    }

    #[test]
    fn a_refusal_priced_from_a_kept_snapshot_is_confirmed_by_a_fresh_one() {
        let mut archived = snapshot(10);
        archived.products[0].active = false;
        // Restored since the snapshot was kept.
        let store = keeping(archived, snapshot(10), 1);

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert!(matches!(result, Ok(Placement::Placed(_))), "{result:?}");
    }

    /// Places two of product 1 expecting `expected_total`, from a kept snapshot at 2.00 while a
    /// fresh one says 2.50.
    fn placed_from_a_kept_old_price_expecting(expected_total: &str) -> Result<Placement, OrderError> {
        let mut old_price = snapshot(10);
        old_price.products[0].price = Money::parse_price("2.00").unwrap();
        let store = keeping(old_price, snapshot(10), 1);
        let request = OrderRequest {
            expected_total: Some(Money::parse_amount(expected_total).unwrap()),
            ..two_of_product_one()
        };
        place_order(&store, UserId(4), &request, None, 20, Utc::now())
    }

    #[test]
    fn an_unexpected_total_priced_from_a_kept_snapshot_is_confirmed_by_a_fresh_one() {
        match placed_from_a_kept_old_price_expecting("5.00") {
            Ok(Placement::Placed(order)) => assert_eq!(order.total_amount.to_string(), "5.00"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_price_change_confirmed_by_a_fresh_snapshot_carries_the_fresh_quote() {
        match placed_from_a_kept_old_price_expecting("3.00") {
            Err(OrderError::PriceChanged(quote)) => assert_eq!(quote.total_amount.to_string(), "5.00"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refusal_priced_from_products_read_now_is_not_read_again() {
        let mut store = MockOrderStore::new();
        let mut archived = snapshot(10);
        archived.products[0].active = false;
        // Asked for a kept snapshot, the store read one now (it kept none): that one is final.
        store
            .expect_placement_context()
            .times(1)
            .returning(move |_, _, _, _, _| Ok(archived.clone()));

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert_eq!(result, Err(OrderError::UnknownProducts(vec![ProductId(1)])));
    }

    #[test]
    fn a_kept_snapshot_that_prices_the_order_is_not_read_again() {
        let store = keeping(snapshot(10), snapshot(10), 0);

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert!(matches!(result, Ok(Placement::Placed(_))), "{result:?}");
    }

    #[test]
    fn a_kept_price_that_moved_is_priced_again_from_a_fresh_snapshot() {
        let mut store = MockOrderStore::new();
        let mut kept = snapshot(10);
        kept.kept = true;
        kept.products[0].price = Money::parse_price("2.00").unwrap();
        store
            .expect_placement_context()
            .withf(|_, _, _, _, freshness| *freshness == Freshness::Kept)
            .times(1)
            .returning(move |_, _, _, _, _| Ok(kept.clone()));
        store
            .expect_placement_context()
            .withf(|_, _, _, _, freshness| *freshness == Freshness::Fresh)
            .times(1)
            .returning(|_, _, _, _, _| Ok(snapshot(10)));
        store
            .expect_reserve()
            .withf(|_, priced, _, _| priced.lines[0].unit_price.to_string() == "2.00")
            .times(1)
            .returning(|_, _, _, _| Ok(Reservation::Refused(vec![level(10, "2.50")])));
        let placed = order(OrderStatus::Pending, 4, "5.00");
        let answer = Reservation::Placed(Box::new(placed.clone()));
        store
            .expect_reserve()
            .withf(|_, priced, _, _| priced.lines[0].unit_price.to_string() == "2.50")
            .times(1)
            .returning(move |_, _, _, _| Ok(answer.clone()));

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert_eq!(result, Ok(Placement::Placed(Box::new(placed))));
    }

    #[test]
    fn the_store_reserves_exactly_what_the_domain_priced() {
        let placed = order(OrderStatus::Pending, 4, "5.00");
        let claimed = claimed_key(7);
        let mut store = MockOrderStore::new();
        store
            .expect_placement_context()
            .returning(|_, _, _, _, _| Ok(snapshot(10)));
        let answer = Reservation::Placed(Box::new(placed.clone()));
        let expected_claim = claimed.clone();
        store
            .expect_reserve()
            .withf(move |customer, priced, under, _| {
                *customer == UserId(4)
                    && priced.lines[0].unit_price.to_string() == "2.50"
                    && priced.total_amount.to_string() == "5.00"
                    && under == &Some(&expected_claim)
            })
            .times(1)
            .returning(move |_, _, _, _| Ok(answer.clone()));

        let result = place_order(
            &store,
            UserId(4),
            &two_of_product_one(),
            Some(&claimed),
            20,
            Utc::now(),
        );

        assert_eq!(result, Ok(Placement::Placed(Box::new(placed))));
    }

    #[test]
    fn a_placement_fenced_by_a_newer_claim_is_claim_lost_and_not_tried_again() {
        // One reservation only: trying again fails the test.
        let store = placing(10, vec![Reservation::Fenced]);

        let result = place_order(
            &store,
            UserId(4),
            &two_of_product_one(),
            Some(&claimed_key(1)),
            20,
            Utc::now(),
        );

        assert_eq!(result, Ok(Placement::ClaimLost));
    }

    #[test]
    fn a_refused_order_explains_every_shortage_from_what_the_guard_saw() {
        let store = placing(10, vec![Reservation::Refused(vec![level(1, "2.50")])]);

        let placed = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

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
    fn a_stale_snapshot_showing_no_stock_still_asks_the_guard() {
        let placed = order(OrderStatus::Pending, 4, "5.00");
        let store = placing(0, vec![Reservation::Placed(Box::new(placed.clone()))]);

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert_eq!(
            result,
            Ok(Placement::Placed(Box::new(placed))),
            "stock came back since the snapshot"
        );
    }

    #[test]
    fn a_moved_price_is_priced_again_a_few_times_at_most() {
        let moved = || Reservation::Refused(vec![level(10, "2.60")]);
        // The first try and every re-pricing reserve once; one more would fail the test.
        let store = placing(10, (0..=MAX_REPRICES).map(|_| moved()).collect());

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert!(
            matches!(result, Err(OrderError::Store(StoreError::Unavailable(_)))),
            "{result:?}"
        );
    }

    #[test]
    fn an_expected_total_that_differs_is_price_changed_with_the_quote_and_reserves_nothing() {
        let store = placing(10, vec![]);
        let request = OrderRequest {
            expected_total: Some(Money::parse_amount("4.00").unwrap()),
            ..two_of_product_one()
        };

        let result = place_order(&store, UserId(4), &request, None, 20, Utc::now());

        match result {
            Err(OrderError::PriceChanged(quote)) => assert_eq!(quote.total_amount.to_string(), "5.00"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_exhausted_promotion_at_the_guard_is_promo_exhausted() {
        let store = placing(10, vec![Reservation::PromotionExhausted]);

        let result = place_order(&store, UserId(4), &two_of_product_one(), None, 20, Utc::now());

        assert_eq!(result, Err(OrderError::PromoExhausted));
    }

    #[test]
    fn a_quote_shows_shortages_instead_of_refusing() {
        let mut store = MockOrderStore::new();
        store
            .expect_placement_context()
            .withf(|_, _, _, _, freshness| *freshness == Freshness::Fresh)
            .returning(|_, _, _, _, _| Ok(snapshot(1)));

        let quote = quote_order(&store, UserId(4), &two_of_product_one(), Utc::now()).unwrap();

        assert_eq!(quote.shortages.len(), 1);
        assert_eq!(quote.total_amount.to_string(), "5.00");
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
        tx.expect_record_order_event()
            .withf(|kind, order| *kind == EventType::OrderCancelled && order.status == OrderStatus::Cancelled)
            .times(1)
            .returning(|_, _| Ok(()));
        let store = MockOrderStore::transacting_on(tx);
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
        tx.expect_record_order_event().never();
        let store = MockOrderStore::transacting_on(tx);
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
        tx.expect_record_order_event()
            .withf(|kind, _| *kind == EventType::OrderShipped)
            .times(1)
            .returning(|_, _| Ok(()));
        let store = MockOrderStore::transacting_on(tx);
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
        let store = MockOrderStore::transacting_on(tx);
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
        tx.expect_record_order_event()
            .withf(|kind, order| *kind == EventType::OrderPaid && order.status == OrderStatus::Paid)
            .times(1)
            .returning(|_, _| Ok(()));
        tx.expect_record_payment_outcome()
            .withf(|id, outcome| id == "evt_1" && *outcome == PaymentOutcome::Applied)
            .times(1)
            .returning(|_, _| Ok(()));
        let store = MockOrderStore::transacting_on(tx);

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
        let store = MockOrderStore::transacting_on(tx);

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
        let store = MockOrderStore::transacting_on(tx);

        assert_eq!(
            apply_payment(&store, &event("5.00")),
            Ok(PaymentOutcome::Duplicate)
        );
    }
}
