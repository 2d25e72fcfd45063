//! What orders need from storage. A use case runs its steps inside `OrderStore::in_transaction`;
//! the adapter opens, commits or rolls back the transaction and never lets the domain see a
//! connection.

use chrono::{DateTime, Utc};

use crate::ids::{OrderId, ProductId, UserId};
use crate::page::Limit;
use crate::store::StoreError;

use super::lines::OrderLines;
use super::order::Order;
use super::payment::{PaymentEvent, PaymentOutcome};
use super::status::{Actor, OrderStatus};

/// The current state of a product an order asked for, reported when the order was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct StockLevel {
    pub product_id: ProductId,
    pub stock: i32,
    pub active: bool,
}

/// What became of a placement.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// Every line was reserved and the order recorded.
    Placed(Order),
    /// Nothing changed: some line named an unknown or archived product or lacked stock. The
    /// levels of every existing product asked for, as they were when refused.
    Refused(Vec<StockLevel>),
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
    /// Newest first: orders with ids below this one.
    pub before: Option<OrderId>,
    pub limit: Limit,
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

    /// Puts every item's quantity back in stock with one `cancellation` movement each, made by
    /// `actor` (the ledger says who moved stock, as it does for orders and adjustments).
    fn return_stock(&mut self, order: &Order, actor: Actor) -> Result<(), StoreError>;

    /// Records the event by its id. MUST return `false`, changing nothing, when the id was seen
    /// before — decided by a unique constraint, so concurrent copies cannot both pass.
    fn record_payment_event(&mut self, event: &PaymentEvent) -> Result<bool, StoreError>;

    fn record_payment_outcome(&mut self, event_id: &str, outcome: &PaymentOutcome) -> Result<(), StoreError>;
}

pub trait OrderStore: Send + Sync {
    /// Runs `work` in one transaction: commit on `Ok`, roll back on `Err`. A deadlock or
    /// serialization failure rolls back and runs `work` again (a few times at most).
    fn in_transaction<T, E: From<StoreError>>(
        &self,
        work: &mut dyn FnMut(&mut dyn OrderTx) -> Result<T, E>,
    ) -> Result<T, E>;

    /// Places the order atomically, all lines or none: MUST lock the products in ascending id
    /// order, check every line (product exists, is active, has the quantity) against the locked
    /// rows, and only then take the stock, write the order at the products' current prices
    /// (`unit_price` = price now, `line_total` = `unit_price` × quantity, total = exact sum; the
    /// use case re-checks this arithmetic), its items, one `order` movement per line, the first
    /// history row, and bind the idempotency key to the order.
    fn place_order(
        &self,
        customer: UserId,
        lines: &OrderLines,
        idempotency_key: Option<&str>,
    ) -> Result<Placement, StoreError>;

    fn order(&self, id: OrderId) -> Result<Option<Order>, StoreError>;

    /// At most `limit + 1` orders, newest first, each with all its items — in a constant number
    /// of statements, whatever the page holds.
    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError>;

    fn history(&self, id: OrderId) -> Result<Vec<TransitionRecord>, StoreError>;

    /// How many of the customer's orders are `pending` (placed and not yet paid or cancelled).
    fn pending_orders(&self, customer: UserId) -> Result<u32, StoreError>;

    /// Up to `limit` pending orders placed before `placed_before`, oldest first.
    fn unpaid_orders(&self, placed_before: DateTime<Utc>, limit: usize) -> Result<Vec<OrderId>, StoreError>;
}
