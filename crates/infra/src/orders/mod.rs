//! The order store on Postgres: transactions for the use cases, and constant-query reads.

mod batch;
mod context;
mod kept;
mod lanes;
mod placement;
mod rows;
mod tx;

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use diesel::PgConnection;
use diesel::prelude::*;
use domain::idempotency::ClaimedKey;
use domain::ids::{OrderId, UserId};
use domain::orders::ports::TransitionRecord;
use domain::orders::{
    Freshness, OrderFilter, OrderLines, OrderStatus, OrderStore, PlacementContext, PricedOrder, Reservation,
    TransactionEnd, TransactionWork,
};
use domain::promotions::PromoCode;
use domain::shipping::ShippingCode;
use domain::store::StoreError;

use crate::events::{EventDocuments, OutboxSignal};
use crate::pool::{PgPool, checkout};
use crate::schema::{order_items, order_transitions, orders};
use crate::store_error::{corrupt_row, is_transient_conflict, store_error};

pub use kept::KeptProducts;
use lanes::{Checkout, Lanes};
use rows::{ItemRow, OrderRow};
use tx::PgOrderTx;

/// The lane of the orders a batch statement can place (`batch::fits`): no product set is empty,
/// so no other lane has this key.
const SHARED_LANE: [i64; 0] = [];

/// Attempts for a transaction that deadlocks or fails to serialize before giving up (`503`).
const MAX_ATTEMPTS: u32 = 4;

#[derive(Clone)]
pub struct PgOrders {
    pool: PgPool,
    currency: String,
    documents: Arc<dyn EventDocuments>,
    /// Told after a commit that wrote events, to wake the workers.
    written: OutboxSignal,
    /// Where orders wait for the one being placed in their lane, and are then placed together;
    /// `None` places every order in a transaction of its own.
    lanes: Option<Arc<Lanes<OrderToPlace, Result<Reservation, StoreError>>>>,
    /// What orders without a promotion or shipping option are priced from when a kept snapshot
    /// will do; nothing is kept until a catalog listener tells it `Listening`.
    kept: KeptProducts,
}

/// An order as priced, waiting to be reserved.
pub(crate) struct OrderToPlace {
    customer: UserId,
    priced: PricedOrder,
    claimed: Option<ClaimedKey>,
    max_pending: u32,
}

impl PgOrders {
    /// `documents` renders the orders that events carry.
    pub fn new(pool: PgPool, currency: &str, documents: Arc<dyn EventDocuments>) -> Self {
        PgOrders {
            pool,
            currency: currency.to_owned(),
            documents,
            written: OutboxSignal::default(),
            lanes: Some(Arc::default()),
            kept: KeptProducts::default(),
        }
    }

    /// The products this store keeps for pricing: tell them what the catalog listener hears.
    pub fn kept_products(&self) -> &KeptProducts {
        &self.kept
    }

    /// Whether orders that arrive while another of their lane is being placed are placed
    /// together, in one transaction (on unless turned off).
    pub fn batching_orders(mut self, batching: bool) -> Self {
        self.lanes = batching.then(Arc::default);
        self
    }

    /// Wakes the workers through `signal` after each commit that wrote events.
    pub fn signalling(mut self, signal: OutboxSignal) -> Self {
        self.written = signal;
        self
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl OrderStore for PgOrders {
    fn transaction(&self, work: &mut dyn TransactionWork) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        let mut attempt = 1;
        loop {
            let conflict = Cell::new(false);
            let wrote_events = Cell::new(false);
            let outcome = conn.transaction(|conn| {
                let mut tx = PgOrderTx {
                    conn,
                    documents: &*self.documents,
                    conflict: &conflict,
                    wrote_events: &wrote_events,
                };
                match work.run(&mut tx) {
                    TransactionEnd::Commit => Ok(()),
                    TransactionEnd::RollBack => Err(diesel::result::Error::RollbackTransaction),
                }
            });
            // The work rolled back on its own; it holds its result, unless a statement of it
            // conflicted, and then it deserves another try.
            let retry = match &outcome {
                Ok(()) => false,
                Err(diesel::result::Error::RollbackTransaction) => conflict.get(),
                Err(e) => is_transient_conflict(e),
            };
            if retry && attempt < MAX_ATTEMPTS {
                attempt += 1;
                tracing::warn!(attempt, "transaction conflict; retrying");
                continue;
            }
            if outcome.is_ok() && wrote_events.get() {
                self.written.written();
            }
            return match outcome {
                Ok(()) | Err(diesel::result::Error::RollbackTransaction) => Ok(()),
                Err(e) => Err(store_error(e)),
            };
        }
    }

    /// A kept snapshot only for an order naming no promotion and no shipping option: those are
    /// read anyway (and a promotion's eligibility depends on categories, which no guard checks).
    fn placement_context(
        &self,
        customer: UserId,
        lines: &OrderLines,
        promo_code: Option<&PromoCode>,
        shipping_option: Option<&ShippingCode>,
        freshness: Freshness,
    ) -> Result<PlacementContext, StoreError> {
        if freshness == Freshness::Kept
            && promo_code.is_none()
            && shipping_option.is_none()
            && let Some(products) = self.kept.products_of(lines)
        {
            return Ok(PlacementContext {
                products,
                kept: true,
                ..PlacementContext::default()
            });
        }
        let began = self.kept.read_begins();
        let mut conn = checkout(&self.pool)?;
        let context = context::read(&mut conn, customer, lines, promo_code, shipping_option)?;
        self.kept.keep(&context.products, began);
        Ok(context)
    }

    fn reserve(
        &self,
        customer: UserId,
        priced: &PricedOrder,
        claimed: Option<&ClaimedKey>,
        max_pending: u32,
    ) -> Result<Reservation, StoreError> {
        let order = OrderToPlace {
            customer,
            priced: priced.clone(),
            claimed: claimed.cloned(),
            max_pending,
        };
        match &self.lanes {
            // A promotion's redemption is refused by a statement that must roll back with the
            // order: such an order needs a transaction of its own.
            Some(lanes) if priced.promotion.is_none() => {
                let lane: Vec<i64> = if batch::fits(priced, claimed) {
                    // One lane for all of them: a round of them is placed by one statement.
                    SHARED_LANE.to_vec()
                } else {
                    priced.lines.iter().map(|line| line.product_id.0).collect()
                };
                lanes.place(self, &lane, order)
            }
            _ => self.alone(&order),
        }
    }

    fn order(&self, id: OrderId) -> Result<Option<domain::orders::Order>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let row: Option<OrderRow> = orders::table
            .find(id.0)
            .select(OrderRow::as_select())
            .first(&mut conn)
            .optional()
            .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let items = order_items::table
            .filter(order_items::order_id.eq(id.0))
            .order(order_items::product_id)
            .select(ItemRow::as_select())
            .load(&mut conn)
            .map_err(store_error)?;
        Ok(rows::assemble(vec![row], items)?.pop())
    }

    /// Two statements whatever the page holds: the page of orders, then all their items with
    /// `order_id = ANY(…)`. Never one query per order. Newest first by `(created_at, id)`, the
    /// order the timestamps show; each filter has an index in that order (`orders_user_created_idx`,
    /// `orders_status_created_idx`, `orders_created_idx`), so a page is one index range.
    fn orders(&self, filter: &OrderFilter) -> Result<Vec<domain::orders::Order>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let mut query = orders::table.select(OrderRow::as_select()).into_boxed();
        if let Some(user) = filter.user_id {
            query = query.filter(orders::user_id.eq(user.0));
        }
        if let Some(status) = filter.status {
            query = query.filter(orders::status.eq(status.as_str()));
        }
        if let Some(before) = filter.before {
            // `(created_at, id) < before`, spelled so that `created_at <= …` bounds the index range.
            query = query.filter(
                orders::created_at.le(before.created_at).and(
                    orders::created_at
                        .lt(before.created_at)
                        .or(orders::id.lt(before.id.0)),
                ),
            );
        }
        let fetch = i64::try_from(filter.limit.get() + 1).unwrap_or(i64::MAX);
        let page: Vec<OrderRow> = query
            .order((orders::created_at.desc(), orders::id.desc()))
            .limit(fetch)
            .load(&mut conn)
            .map_err(store_error)?;
        if page.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = page.iter().map(|o| o.id).collect();
        let items: Vec<ItemRow> = order_items::table
            .filter(order_items::order_id.eq_any(&ids))
            .order((order_items::order_id, order_items::product_id))
            .select(ItemRow::as_select())
            .load(&mut conn)
            .map_err(store_error)?;
        rows::assemble(page, items)
    }

    fn unpaid_orders(
        &self,
        placed_before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<OrderId>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // Served by the partial index orders_pending_created_idx.
        orders::table
            .filter(orders::status.eq(OrderStatus::Pending.as_str()))
            .filter(orders::created_at.lt(placed_before))
            .order(orders::created_at)
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .select(orders::id)
            .load::<i64>(&mut conn)
            .map(|ids| ids.into_iter().map(OrderId).collect())
            .map_err(store_error)
    }

    fn history(&self, id: OrderId) -> Result<Vec<TransitionRecord>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        type Row = (
            Option<String>,
            String,
            chrono::DateTime<chrono::Utc>,
            String,
            Option<i64>,
            Option<String>,
        );
        let rows: Vec<Row> = order_transitions::table
            .filter(order_transitions::order_id.eq(id.0))
            .order(order_transitions::id)
            .select((
                order_transitions::from_status,
                order_transitions::to_status,
                order_transitions::at,
                order_transitions::actor_kind,
                order_transitions::actor_id,
                order_transitions::reason,
            ))
            .load(&mut conn)
            .map_err(store_error)?;
        let status = |raw: &str| {
            OrderStatus::parse(raw).ok_or_else(|| corrupt_row("order_transitions", id.0, "status"))
        };
        rows.into_iter()
            .map(|(from, to, at, actor_kind, actor_id, reason)| {
                Ok(TransitionRecord {
                    from: from.as_deref().map(status).transpose()?,
                    to: status(&to)?,
                    at,
                    actor_kind,
                    actor_id: actor_id.map(domain::ids::UserId),
                    reason,
                })
            })
            .collect()
    }

    fn count_by_status(&self, status: OrderStatus) -> Result<i64, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // Counted on orders_status_created_idx; the partial index of pending orders serves that one.
        orders::table
            .filter(orders::status.eq(status.as_str()))
            .count()
            .get_result(&mut conn)
            .map_err(store_error)
    }
}

impl Checkout for PgOrders {
    type Order = OrderToPlace;
    type Outcome = Result<Reservation, StoreError>;

    fn alone(&self, order: &OrderToPlace) -> Result<Reservation, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let statement = self.statement(order);
        let mut attempt = 1;
        loop {
            match statement.run(&mut conn) {
                Ok(reservation) => {
                    if matches!(reservation, Reservation::Placed(_)) {
                        self.written.written();
                    }
                    return Ok(reservation);
                }
                Err(e) if is_transient_conflict(&e) && attempt < MAX_ATTEMPTS => attempt += 1,
                Err(e) => return Err(store_error(e)),
            }
        }
    }

    /// One transaction, one commit. The orders are cut into rounds (`rounds`), each placed by
    /// one statement when it holds several orders (`batch`), each order all-or-nothing on its
    /// own (a refused one writes nothing and aborts nothing). A batch of several rounds first
    /// locks all its products in ascending id order (so batches mixing products never wait for
    /// each other in a cycle); a single round's statement does that itself, as does the first
    /// statement of a batch of one product set.
    /// When a statement fails, the transaction rolls back and each order is placed alone.
    /// When the commit itself fails, whether it happened is unknown (the connection may have
    /// been lost after the server committed): placing alone could place an order twice, so each
    /// answers `Unavailable`, as a lone order would.
    fn together(&self, orders: &[&OrderToPlace]) -> Option<Vec<Result<Reservation, StoreError>>> {
        let mut conn = checkout(&self.pool).ok()?;
        let statements: Vec<placement::Reserve> = orders.iter().map(|order| self.statement(order)).collect();
        let all_fit = orders.iter().all(|o| batch::fits(&o.priced, o.claimed.as_ref()));
        let product_sets: Vec<&[i64]> = statements.iter().map(|s| s.ids.as_slice()).collect();
        let rounds = rounds(&product_sets, all_fit);
        let written = Cell::new(false);
        let placed = conn.transaction(|conn| {
            if rounds.len() > 1 && statements.iter().any(|s| s.ids != statements[0].ids) {
                let products: Vec<i64> = statements.iter().flat_map(|s| s.ids.iter().copied()).collect();
                batch::lock_products(conn, &products)?;
            }
            // Every order is in exactly one round: sorted by position, one reservation each.
            let mut reservations: Vec<(usize, Reservation)> = Vec::with_capacity(statements.len());
            for round in &rounds {
                reservations.extend(round.iter().copied().zip(place_round(conn, &statements, round)?));
            }
            reservations.sort_by_key(|(at, _)| *at);
            written.set(true);
            Ok(reservations)
        });
        match placed {
            Ok(reservations) => {
                if reservations
                    .iter()
                    .any(|(_, r)| matches!(r, Reservation::Placed(_)))
                {
                    self.written.written();
                }
                Some(reservations.into_iter().map(|(_, r)| Ok(r)).collect())
            }
            Err(error) if written.get() => {
                tracing::error!(%error, orders = orders.len(), "a batch of orders failed to commit");
                let unknown = store_error(error);
                Some(orders.iter().map(|_| Err(unknown.clone())).collect())
            }
            Err(error) => {
                tracing::warn!(%error, orders = orders.len(), "a batch of orders rolled back; placing each alone");
                None
            }
        }
    }
}

/// The batch's orders cut into rounds, as positions in the batch: no two orders of a round ask
/// for the same product, and each order comes in the round after the last one holding an
/// earlier order for any of its products, so each product's orders are still placed in the
/// order they arrived. When not every order `fits` the batch statement, each is a round alone,
/// in arrival order.
fn rounds(product_sets: &[&[i64]], all_fit: bool) -> Vec<Vec<usize>> {
    if !all_fit {
        return (0..product_sets.len()).map(|at| vec![at]).collect();
    }
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    let mut last_round_of: HashMap<i64, usize> = HashMap::new();
    for (at, products) in product_sets.iter().enumerate() {
        let round = products
            .iter()
            .filter_map(|id| last_round_of.get(id))
            .max()
            .map_or(0, |last| last + 1);
        if round == rounds.len() {
            rounds.push(Vec::new());
        }
        rounds[round].push(at);
        for id in *products {
            last_round_of.insert(*id, round);
        }
    }
    rounds
}

/// Places a round: several orders by one statement, then each that it did not place by its own
/// (which explains the refusal, or places it if stock came back); a single order by its own
/// statement. One reservation per order of the round, in its order.
fn place_round(
    conn: &mut PgConnection,
    statements: &[placement::Reserve],
    round: &[usize],
) -> QueryResult<Vec<Reservation>> {
    let orders: Vec<&placement::Reserve> = round.iter().map(|at| &statements[*at]).collect();
    if orders.len() < 2 {
        return orders.iter().map(|order| order.place(conn)).collect();
    }
    let placed = batch::place_orders(conn, &orders)?;
    orders
        .iter()
        .zip(placed)
        .map(|(order, placed)| match placed {
            Some(reservation) => Ok(reservation),
            None => order.place(conn),
        })
        .collect()
}

impl PgOrders {
    fn statement<'a>(&'a self, order: &'a OrderToPlace) -> placement::Reserve<'a> {
        placement::Reserve::new(
            order.customer,
            &self.currency,
            &order.priced,
            order.claimed.as_ref(),
            order.max_pending,
            &*self.documents,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::rounds;

    #[test]
    fn a_round_never_asks_twice_for_a_product_and_each_products_orders_keep_their_order() {
        let sets: [&[i64]; 5] = [&[1, 2], &[3], &[2, 4], &[5], &[4]];
        assert_eq!(rounds(&sets, true), vec![vec![0, 1, 3], vec![2], vec![4]]);
    }

    #[test]
    fn orders_the_batch_statement_cannot_place_are_each_a_round_in_arrival_order() {
        let sets: [&[i64]; 3] = [&[1], &[2], &[3]];
        assert_eq!(rounds(&sets, false), vec![vec![0], vec![1], vec![2]]);
    }
}
