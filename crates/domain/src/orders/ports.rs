//! What orders need from storage. A use case runs its steps inside `OrderStore::transaction`;
//! the adapter opens, commits or rolls back the transaction and never lets the domain see a
//! connection.

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use crate::events::EventType;
use crate::idempotency::ClaimedKey;
use crate::ids::{OrderId, ProductId, UserId};
use crate::page::Limit;
use crate::store::StoreError;

use crate::money::Money;
use crate::promotions::{PromoCode, Promotion};
use crate::shipping::{ShippingCode, ShippingOption};

use super::lines::OrderLines;
use super::order::Order;
use super::payment::{PaymentEvent, PaymentOutcome};
use super::quote::PricedOrder;
use super::snapshot::ProductSnapshot;
use super::status::{Actor, OrderStatus};
use super::transaction::TransactionWork;

/// A product an order asked for, as the reservation found it under its row lock.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductLevel {
    pub product_id: ProductId,
    pub price: Money,
    pub stock: i32,
    pub active: bool,
}

/// What placing an order reads before deciding, without locks: possibly stale, which the
/// reservation's guards make harmless.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlacementContext {
    /// The lines' products that exist (archived ones included).
    pub products: Vec<ProductSnapshot>,
    /// The promotion the code names, with how many of the customer's orders redeemed it;
    /// `None` when it names none (or no code was given).
    pub promotion: Option<(Promotion, u32)>,
    /// The option the code names; `None` when it names none (or no code was given).
    pub shipping_option: Option<ShippingOption>,
    /// Whether the products are ones the store kept from an earlier read, not read now.
    pub kept: bool,
}

/// How old a placement context may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Read from the database now.
    Fresh,
    /// What the store kept from an earlier read will do: placing guards every figure it prices
    /// from, so a stale one can fail a guard but never place a wrong order.
    Kept,
}

/// What became of a reservation.
#[derive(Debug, Clone, PartialEq)]
pub enum Reservation {
    /// Every guard held: the stock is taken and the order written as priced.
    Placed(Box<Order>),
    /// A product guard failed (unknown, archived, short, or its price moved). Nothing changed;
    /// the levels of every existing product asked for, as the locked rows showed them.
    Refused(Vec<ProductLevel>),
    /// The promotion had no redemptions left (or was deactivated meanwhile). Nothing changed.
    PromotionExhausted,
    /// The customer had used the promotion `max_per_customer` times. Nothing changed.
    CustomerLimitReached,
    /// The customer already held the most unpaid orders allowed. Nothing changed.
    PendingLimitReached,
    /// The Idempotency-Key was claimed anew (taken over by a retry, or released) since this
    /// request claimed it. Nothing changed: the key's latest claim answers for it.
    Fenced,
}

/// One row of an order's history.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRecord {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<UserId>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderFilter {
    pub user_id: Option<UserId>,
    pub status: Option<OrderStatus>,
    /// Newest first: orders placed before this position.
    pub before: Option<OrderKey>,
    pub limit: Limit,
}

/// Where a page of orders ended. Newest first means by `created_at`, the time the order shows,
/// ties broken by id: an id is taken when the order is written, `created_at` when its
/// transaction began, so under concurrent placement the two orders can disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderKey {
    pub created_at: DateTime<Utc>,
    pub id: OrderId,
}

impl OrderKey {
    pub fn of(order: &Order) -> OrderKey {
        OrderKey {
            created_at: order.created_at,
            id: order.id,
        }
    }
}

/// The steps of order use cases, inside one transaction.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[allow(clippy::needless_lifetimes)] // mockall needs the lifetimes of `Option<&str>` named
pub trait OrderTx {
    /// The order with its items, locked until the transaction ends; `None` if unknown.
    fn lock_order(&mut self, id: OrderId) -> Result<Option<Order>, StoreError>;

    /// Moves the order to `to`, stamps the matching date and writes one history row.
    fn record_transition<'r>(
        &mut self,
        order: &Order,
        to: OrderStatus,
        actor: Actor,
        reason: Option<&'r str>,
    ) -> Result<Order, StoreError>;

    /// Writes `kind`'s event with the order as it is now, next in the order's sequence, in this
    /// transaction: it commits with the change or not at all.
    fn record_order_event(&mut self, kind: EventType, order: &Order) -> Result<(), StoreError>;

    /// Puts every item's quantity back in stock with one `cancellation` movement each, made by
    /// `actor` (the ledger says who moved stock, as it does for orders and adjustments).
    fn return_stock(&mut self, order: &Order, actor: Actor) -> Result<(), StoreError>;

    /// Gives the order's promotion redemption back (the total and the customer's count), so the
    /// code may be used again.
    fn return_redemption(&mut self, order: &Order) -> Result<(), StoreError>;

    /// Records the event by its id. MUST return `false`, changing nothing, when the id was seen
    /// before — decided by a unique constraint, so concurrent copies cannot both pass.
    fn record_payment_event(&mut self, event: &PaymentEvent) -> Result<bool, StoreError>;

    fn record_payment_outcome(&mut self, event_id: &str, outcome: &PaymentOutcome) -> Result<(), StoreError>;
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[allow(clippy::needless_lifetimes)] // mockall needs the lifetimes of `Option<&T>` named
pub trait OrderStore: Send + Sync {
    /// Runs `work` in one transaction: commit when it ends with `Commit`, roll back when it ends
    /// with `RollBack`. When a statement deadlocked or failed to serialize, MUST roll back and run
    /// `work` again in a new transaction (a few times at most). MUST return `Err` when the
    /// transaction could not begin or commit, `Ok` otherwise (the work keeps its own result).
    /// Use cases call it through `transaction::in_transaction`.
    fn transaction(&self, work: &mut dyn TransactionWork) -> Result<(), StoreError>;

    /// The snapshot placing or quoting an order prices from, read without locks: the lines'
    /// products, and the promotion (with the customer's redemptions of it) and shipping option
    /// named. `Fresh` MUST read the database; `Kept` MAY answer from an earlier read instead.
    fn placement_context<'p, 's>(
        &self,
        customer: UserId,
        lines: &OrderLines,
        promo_code: Option<&'p PromoCode>,
        shipping_option: Option<&'s ShippingCode>,
        freshness: Freshness,
    ) -> Result<PlacementContext, StoreError>;

    /// Reserves and records the order exactly as priced, all or nothing. MUST redeem the
    /// promotion under its limits (total and per customer, exact under any concurrency), lock
    /// the products in ascending id order, and check on the locked rows that each is active,
    /// still at the priced `unit_price` and has the quantity; only if all of that holds, take
    /// the stock and write the order with the priced figures, its items, one `order` movement
    /// per line, the first history row and the idempotency binding. Otherwise change nothing
    /// and say which guard failed. It decides nothing else: every figure comes from `priced`.
    /// Under a claimed key it MUST write nothing (`Fenced`) unless the key's latest claim is
    /// `claimed`, checked under the key's row lock so a concurrent takeover cannot slip between.
    /// It MUST write nothing (`PendingLimitReached`) when the customer already holds
    /// `max_pending` unpaid orders, counted in the same statement (orders placed concurrently by
    /// the same customer may not see each other: the limit is a brake, not a ledger).
    fn reserve<'c>(
        &self,
        customer: UserId,
        priced: &PricedOrder,
        claimed: Option<&'c ClaimedKey>,
        max_pending: u32,
    ) -> Result<Reservation, StoreError>;

    fn order(&self, id: OrderId) -> Result<Option<Order>, StoreError>;

    /// At most `limit + 1` orders, newest first (in `OrderKey` order), each with all its items —
    /// in a constant number of statements, whatever the page holds.
    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError>;

    fn history(&self, id: OrderId) -> Result<Vec<TransitionRecord>, StoreError>;

    /// How many orders have this status now.
    fn count_by_status(&self, status: OrderStatus) -> Result<i64, StoreError>;

    /// Up to `limit` pending orders placed before `placed_before`, oldest first.
    fn unpaid_orders(&self, placed_before: DateTime<Utc>, limit: usize) -> Result<Vec<OrderId>, StoreError>;
}
