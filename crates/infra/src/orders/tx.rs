//! The steps of order use cases on one Postgres transaction. The statements that keep stock
//! right under concurrency are written out in SQL, with the invariant each one keeps.

use std::cell::Cell;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Array, BigInt, Nullable};
use domain::events::EventType;
use domain::ids::OrderId;
use domain::orders::payment::{PaymentEvent, PaymentOutcome};
use domain::orders::{Actor, Order, OrderStatus, OrderTx};
use domain::store::StoreError;

use super::rows::{ItemRow, OrderRow};
use crate::events::{EventDocuments, record_order_event};
use crate::schema::{order_items, order_transitions, orders, payment_events};
use crate::store_error::{is_transient_conflict, store_error};

pub struct PgOrderTx<'a> {
    pub conn: &'a mut PgConnection,
    pub documents: &'a dyn EventDocuments,
    /// Set when a statement hit a deadlock or serialization failure: the runner retries.
    pub conflict: &'a Cell<bool>,
    /// Set when the transaction wrote an event: once it commits, the workers are woken.
    pub wrote_events: &'a Cell<bool>,
}

impl PgOrderTx<'_> {
    fn fail(&self, error: diesel::result::Error) -> StoreError {
        if is_transient_conflict(&error) {
            self.conflict.set(true);
        }
        store_error(error)
    }
}

/// Puts a cancelled order's items back, locking products in the same ascending order as a
/// reservation (so the two cannot deadlock), with one `cancellation` movement per line.
const RETURN_STOCK: &str = "
WITH returned AS (
    UPDATE products AS p
       SET stock = p.stock + i.quantity, version = p.version + 1, updated_at = now()
      FROM (SELECT id FROM products WHERE id = ANY($2) ORDER BY id FOR UPDATE) AS locked,
           order_items AS i
     WHERE i.order_id = $1 AND p.id = i.product_id AND locked.id = p.id
    RETURNING p.id, p.stock, i.quantity
)
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
SELECT id, quantity, 'cancellation', $1::text, stock, $3 FROM returned";

/// Gives a cancelled order's redemption back: the promotion's total and the customer's count, in
/// the order a placement locks them (promotion, then customer, then products).
const RETURN_REDEMPTION: &str = "
WITH total AS (
    UPDATE promotions SET redemptions = redemptions - 1 WHERE id = $1 AND redemptions > 0 RETURNING id
)
UPDATE promotion_customers SET redemptions = redemptions - 1
 WHERE promotion_id = $1 AND user_id = $2 AND redemptions > 0 AND EXISTS (SELECT 1 FROM total)";

impl OrderTx for PgOrderTx<'_> {
    fn lock_order(&mut self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let row: Option<OrderRow> = orders::table
            .find(id.0)
            .for_update()
            .select(OrderRow::as_select())
            .first(self.conn)
            .optional()
            .map_err(|e| self.fail(e))?;
        let Some(row) = row else { return Ok(None) };
        let items: Vec<ItemRow> = order_items::table
            .filter(order_items::order_id.eq(id.0))
            .order(order_items::product_id)
            .select(ItemRow::as_select())
            .load(self.conn)
            .map_err(|e| self.fail(e))?;
        Ok(super::rows::assemble(vec![row], items)?.pop())
    }

    fn record_transition(
        &mut self,
        order: &Order,
        to: OrderStatus,
        actor: Actor,
        reason: Option<&str>,
    ) -> Result<Order, StoreError> {
        let now = diesel::dsl::now;
        let target = diesel::update(orders::table.find(order.id.0));
        let status = (orders::status.eq(to.as_str()), orders::updated_at.eq(now));
        let row: OrderRow = match to {
            OrderStatus::Paid => target
                .set((status, orders::paid_at.eq(now)))
                .returning(OrderRow::as_returning())
                .get_result(self.conn),
            OrderStatus::Shipped => target
                .set((status, orders::shipped_at.eq(now)))
                .returning(OrderRow::as_returning())
                .get_result(self.conn),
            OrderStatus::Delivered => target
                .set((status, orders::delivered_at.eq(now)))
                .returning(OrderRow::as_returning())
                .get_result(self.conn),
            OrderStatus::Cancelled => target
                .set((status, orders::cancelled_at.eq(now)))
                .returning(OrderRow::as_returning())
                .get_result(self.conn),
            OrderStatus::Pending => target
                .set(status)
                .returning(OrderRow::as_returning())
                .get_result(self.conn),
        }
        .map_err(|e| self.fail(e))?;
        diesel::insert_into(order_transitions::table)
            .values((
                order_transitions::order_id.eq(order.id.0),
                order_transitions::from_status.eq(Some(order.status.as_str())),
                order_transitions::to_status.eq(to.as_str()),
                order_transitions::actor_kind.eq(actor.kind()),
                order_transitions::actor_id.eq(actor.id().map(|a| a.0)),
                order_transitions::reason.eq(reason),
            ))
            .execute(self.conn)
            .map_err(|e| self.fail(e))?;
        row.into_order(order.items.clone())
    }

    fn record_order_event(&mut self, kind: EventType, order: &Order) -> Result<(), StoreError> {
        let data = self.documents.order(order);
        record_order_event(self.conn, kind, order.id.0, &data).map_err(|e| self.fail(e))?;
        self.wrote_events.set(true);
        Ok(())
    }

    fn return_stock(&mut self, order: &Order, actor: Actor) -> Result<(), StoreError> {
        let ids: Vec<i64> = order.items.iter().map(|i| i.product_id.0).collect();
        sql_query(RETURN_STOCK)
            .bind::<BigInt, _>(order.id.0)
            .bind::<Array<BigInt>, _>(&ids)
            .bind::<Nullable<BigInt>, _>(actor.id().map(|a| a.0))
            .execute(self.conn)
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    fn return_redemption(&mut self, order: &Order) -> Result<(), StoreError> {
        let Some((promotion, _)) = &order.promotion else {
            return Ok(());
        };
        sql_query(RETURN_REDEMPTION)
            .bind::<BigInt, _>(promotion.0)
            .bind::<BigInt, _>(order.user_id.0)
            .execute(self.conn)
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    fn record_payment_event(&mut self, event: &PaymentEvent) -> Result<bool, StoreError> {
        // The primary key decides: of concurrent copies, one inserts, the others wait for it and
        // then insert nothing.
        let inserted = diesel::insert_into(payment_events::table)
            .values((
                payment_events::event_id.eq(&event.id),
                payment_events::event_type.eq(event.kind.as_str()),
                payment_events::order_id.eq(event.order_id.0),
                payment_events::amount.eq(event.amount.as_decimal()),
                payment_events::currency.eq(&event.currency),
            ))
            .on_conflict(payment_events::event_id)
            .do_nothing()
            .execute(self.conn)
            .map_err(|e| self.fail(e))?;
        Ok(inserted == 1)
    }

    fn record_payment_outcome(&mut self, event_id: &str, outcome: &PaymentOutcome) -> Result<(), StoreError> {
        diesel::update(payment_events::table.find(event_id))
            .set((
                payment_events::outcome.eq(outcome.as_str()),
                payment_events::reason.eq(outcome.reason()),
            ))
            .execute(self.conn)
            .map_err(|e| self.fail(e))?;
        Ok(())
    }
}
