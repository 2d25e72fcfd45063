//! The steps of order use cases on one Postgres transaction. The statements that keep stock
//! right under concurrency are written out in SQL, with the invariant each one keeps.

use std::cell::Cell;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::AstPass;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Numeric, Text, Timestamptz};
use domain::ids::{OrderId, ProductId};
use domain::money::Money;
use domain::orders::payment::{PaymentEvent, PaymentOutcome};
use domain::orders::{
    Actor, Order, OrderItem, OrderLines, OrderStatus, OrderTx, PricedOrder, Reservation, ReservedProduct,
    StockLevel,
};
use domain::store::StoreError;

use super::rows::{ItemRow, OrderRow};
use crate::prepared::{Prepared, Statement};
use crate::schema::{order_items, order_transitions, orders, payment_events};
use crate::store_error::{is_transient_conflict, store_error};

pub struct PgOrderTx<'a> {
    pub conn: &'a mut PgConnection,
    pub currency: &'a str,
    /// Set when a statement hit a deadlock or serialization failure: the runner retries.
    pub conflict: &'a Cell<bool>,
}

impl PgOrderTx<'_> {
    fn fail(&self, error: diesel::result::Error) -> StoreError {
        if is_transient_conflict(&error) {
            self.conflict.set(true);
        }
        store_error(error)
    }
}

/// Check and take in ONE statement. The sub-select locks the order's products in ascending id
/// order, so overlapping orders queue in one global order and never deadlock; the WHERE takes
/// stock only from products for sale with enough left, evaluated on the locked, latest row.
/// Lines that cannot be reserved are absent from the result, and the caller rolls back.
/// The hot row stays locked for two more round trips only: the record statement and COMMIT.
const RESERVE_STOCK: &str = "
UPDATE products AS p
   SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
  FROM (SELECT id FROM products WHERE id = ANY($1) ORDER BY id FOR UPDATE) AS locked,
       unnest($1::bigint[], $2::int[]) AS w(product_id, quantity)
 WHERE p.id = locked.id AND w.product_id = p.id AND p.active AND p.stock >= w.quantity
RETURNING p.id, p.sku, p.name, p.price, p.stock";

/// The whole order in ONE statement: the order row, its items at the reserved prices, one
/// `order` movement per line (keeping stock == sum(deltas)), the first history row, and the
/// idempotency key bound to the order — so a retry after a crash finds the order, not a gap.
const RECORD_ORDER: &str = "
WITH new_order AS (
    INSERT INTO orders (user_id, currency, total_amount) VALUES ($1, $2, $3)
    RETURNING id, created_at
), items AS (
    INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total)
    SELECT o.id, i.product_id, i.sku, i.name, i.quantity, i.unit_price, i.line_total
      FROM new_order o,
           unnest($4::bigint[], $5::text[], $6::text[], $7::int[], $8::numeric[], $9::numeric[])
             AS i(product_id, sku, name, quantity, unit_price, line_total)
), movements AS (
    INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
    SELECT m.product_id, -m.quantity, 'order', o.id::text, m.stock_after, $1
      FROM new_order o, unnest($4::bigint[], $7::int[], $10::int[]) AS m(product_id, quantity, stock_after)
), history AS (
    INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id)
    SELECT o.id, NULL, 'pending', 'customer', $1 FROM new_order o
), idempotency AS (
    UPDATE idempotency_keys AS k SET order_id = o.id
      FROM new_order o
     WHERE k.user_id = $1 AND k.key = $11
)
SELECT id, created_at FROM new_order";

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

struct ReserveStock<'a> {
    ids: &'a [i64],
    quantities: &'a [i32],
}

impl Statement for ReserveStock<'_> {
    const SQL: &'static str = RESERVE_STOCK;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<Array<BigInt>, _>(&self.ids),
            _ => out.push_bind_param::<Array<Integer>, _>(&self.quantities),
        }
    }
}

struct RecordOrder<'a> {
    customer: i64,
    currency: &'a str,
    total: &'a BigDecimal,
    ids: &'a [i64],
    skus: &'a [&'a str],
    names: &'a [&'a str],
    quantities: &'a [i32],
    unit_prices: &'a [&'a BigDecimal],
    line_totals: &'a [&'a BigDecimal],
    stock_after: &'a [i32],
    idempotency_key: Option<&'a str>,
}

impl Statement for RecordOrder<'_> {
    const SQL: &'static str = RECORD_ORDER;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<BigInt, _>(&self.customer),
            2 => out.push_bind_param::<Text, _>(&self.currency),
            3 => out.push_bind_param::<Numeric, _>(self.total),
            4 => out.push_bind_param::<Array<BigInt>, _>(&self.ids),
            5 => out.push_bind_param::<Array<Text>, _>(&self.skus),
            6 => out.push_bind_param::<Array<Text>, _>(&self.names),
            7 => out.push_bind_param::<Array<Integer>, _>(&self.quantities),
            8 => out.push_bind_param::<Array<Numeric>, _>(&self.unit_prices),
            9 => out.push_bind_param::<Array<Numeric>, _>(&self.line_totals),
            10 => out.push_bind_param::<Array<Integer>, _>(&self.stock_after),
            _ => out.push_bind_param::<Nullable<Text>, _>(&self.idempotency_key),
        }
    }
}

#[derive(QueryableByName)]
struct ReservedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    sku: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Numeric)]
    price: BigDecimal,
    #[diesel(sql_type = Integer)]
    stock: i32,
}

#[derive(QueryableByName)]
struct LevelRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Integer)]
    stock: i32,
    #[diesel(sql_type = Bool)]
    active: bool,
}

#[derive(QueryableByName)]
struct NewOrderRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

fn quantity(q: u32) -> i32 {
    // Quantities are at most 10 000.
    i32::try_from(q).unwrap_or(i32::MAX)
}

impl OrderTx for PgOrderTx<'_> {
    fn reserve_stock(&mut self, lines: &OrderLines) -> Result<Reservation, StoreError> {
        let ids: Vec<i64> = lines.iter().map(|l| l.product_id.0).collect();
        let quantities: Vec<i32> = lines.iter().map(|l| quantity(l.quantity.get())).collect();
        let reserved: Vec<ReservedRow> = Prepared(ReserveStock { ids: &ids, quantities: &quantities })
            .load(self.conn)
            .map_err(|e| self.fail(e))?;
        let reserved: Vec<ReservedProduct> = reserved
            .into_iter()
            .map(|r| ReservedProduct {
                product_id: ProductId(r.id),
                sku: r.sku,
                name: r.name,
                price: Money::from_stored(r.price),
                stock_after: r.stock,
            })
            .collect();
        if reserved.len() == lines.len() {
            return Ok(Reservation {
                reserved,
                levels: Vec::new(),
            });
        }
        // Only on refusal: why. The rows are locked already, so this is what we refused against.
        let levels: Vec<LevelRow> = sql_query("SELECT id, stock, active FROM products WHERE id = ANY($1)")
            .bind::<Array<BigInt>, _>(&ids)
            .load(self.conn)
            .map_err(|e| self.fail(e))?;
        let levels = levels
            .into_iter()
            .map(|l| StockLevel {
                product_id: ProductId(l.id),
                stock: l.stock,
                active: l.active,
            })
            .collect();
        Ok(Reservation { reserved, levels })
    }

    fn record_order(
        &mut self,
        customer: domain::ids::UserId,
        order: &PricedOrder,
        idempotency_key: Option<&str>,
    ) -> Result<Order, StoreError> {
        let lines = &order.lines;
        let ids: Vec<i64> = lines.iter().map(|l| l.product_id.0).collect();
        let skus: Vec<&str> = lines.iter().map(|l| l.sku.as_str()).collect();
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        let quantities: Vec<i32> = lines.iter().map(|l| quantity(l.quantity.get())).collect();
        let unit_prices: Vec<&BigDecimal> = lines.iter().map(|l| l.unit_price.as_decimal()).collect();
        let line_totals: Vec<&BigDecimal> = lines.iter().map(|l| l.line_total.as_decimal()).collect();
        let stock_after: Vec<i32> = lines.iter().map(|l| l.stock_after).collect();
        let record = RecordOrder {
            customer: customer.0,
            currency: self.currency,
            total: order.total.as_decimal(),
            ids: &ids,
            skus: &skus,
            names: &names,
            quantities: &quantities,
            unit_prices: &unit_prices,
            line_totals: &line_totals,
            stock_after: &stock_after,
            idempotency_key,
        };
        let created: NewOrderRow = Prepared(record).get_result(self.conn).map_err(|e| self.fail(e))?;
        Ok(Order {
            id: OrderId(created.id),
            user_id: customer,
            status: OrderStatus::Pending,
            currency: self.currency.to_owned(),
            total_amount: order.total.clone(),
            items: lines
                .iter()
                .map(|l| OrderItem {
                    product_id: l.product_id,
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: quantity(l.quantity.get()),
                    unit_price: l.unit_price.clone(),
                    line_total: l.line_total.clone(),
                })
                .collect(),
            created_at: created.created_at,
            updated_at: created.created_at,
            paid_at: None,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
        })
    }

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
        Ok(super::rows::assemble(vec![row], items).pop())
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
        Ok(row.into_order(order.items.clone()))
    }

    fn return_stock(&mut self, order: &Order) -> Result<(), StoreError> {
        let ids: Vec<i64> = order.items.iter().map(|i| i.product_id.0).collect();
        sql_query(RETURN_STOCK)
            .bind::<BigInt, _>(order.id.0)
            .bind::<Array<BigInt>, _>(&ids)
            .bind::<Nullable<BigInt>, _>(None::<i64>)
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
