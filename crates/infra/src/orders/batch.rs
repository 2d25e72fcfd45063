//! Many orders reserved by one statement: what a checkout lane's batch sends for the orders of a
//! round (none asks for a product another of the round asks for). One statement instead of one
//! per order: Postgres opens the tables, checks the constraints' expressions and starts the plan
//! once for all of them. Each order is still all-or-nothing on its own, guarded on its products'
//! locked rows and written only when every guard of it holds; an order the statement did not
//! place is then asked again with its own statement, which explains the refusal or places it.

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Numeric, Text};
use domain::idempotency::ClaimedKey;
use domain::orders::{PricedOrder, Reservation};

use super::placement::{PlacedRow, Reserve, record_placed};
use crate::prepared::{Prepared, Statement, no_parameter};

/// The orders of a round, one row each in `request` ($1..$7 and $15, `n` their position), and their
/// lines, one row each in `wanted` ($8..$13, `n` their order's position); no two orders ask for
/// the same product, so the UPDATE meets each product row once and orders cannot take each
/// other's stock.
///
/// - `locked` takes the row locks in ascending id order, as every placing statement does, so
///   nothing waits for it in a cycle; `FOR NO KEY UPDATE` yields the latest committed rows.
/// - `fit` is the orders every line of which finds its product locked, active, at the priced
///   price and with the quantity (a missing product fails its order), whose customer holds
///   fewer unpaid orders than its `pending_limit` (counted as `PLACE_ORDER` counts them, on
///   `orders_user_pending_idx`; the orders of one customer in a round do not see each other).
/// - `reserved` takes the stock of exactly those orders' lines (the CHECK (stock >= 0) backs
///   the guard up); an order that does not fit writes nothing.
/// - `orders_placed` is one row per placed order, with its id drawn from the orders' sequence,
///   and `lines_placed` one row per line of it; `record_placed!` writes them as every placing
///   statement does.
///
/// The answer is one row per placed line, in the shape of `PLACE_ORDER`'s, with its order's `n`.
pub const PLACE_ORDERS: &str = concat!(
    "
WITH request AS (
    SELECT * FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[],
                         $6::text[], $7::jsonb[], $15::int[])
        WITH ORDINALITY AS q(customer, subtotal, discount_total, shipping_total, total_amount,
                             shipping_option, document, pending_limit, n)
), wanted AS (
    SELECT * FROM unnest($8::bigint[], $9::bigint[], $10::int[], $11::numeric[], $12::numeric[],
                         $13::numeric[])
        AS w(n, product_id, quantity, unit_price, line_total, discount)
), locked AS (
    SELECT id, price, stock, active
      FROM products
     WHERE id = ANY((SELECT array_agg(product_id) FROM wanted)::bigint[])
     ORDER BY id FOR NO KEY UPDATE
), fit AS (
    SELECT w.n
      FROM wanted w LEFT JOIN locked l ON l.id = w.product_id
     WHERE w.n IN (SELECT q.n FROM request q
                    WHERE (SELECT count(*)
                             FROM (SELECT 1 FROM orders o
                                    WHERE o.user_id = q.customer AND o.status = 'pending'
                                    LIMIT q.pending_limit) AS mine) < q.pending_limit)
     GROUP BY w.n
    HAVING bool_and(COALESCE(l.active AND l.price = w.unit_price AND l.stock >= w.quantity, FALSE))
), reserved AS (
    UPDATE products AS p
       SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
      FROM wanted w
     WHERE p.id = ANY((SELECT array_agg(product_id) FROM wanted)::bigint[]) AND p.id = w.product_id
       AND w.n IN (SELECT n FROM fit)
    RETURNING w.n, p.id, p.sku, p.name, p.stock, w.quantity, w.unit_price, w.line_total,
              w.discount, p.low_stock_threshold, p AS product
), orders_placed AS (
    SELECT q.n, nextval(pg_get_serial_sequence('orders', 'id')) AS order_id, q.customer,
           $14::text AS currency, q.subtotal, q.discount_total, q.shipping_total, q.total_amount,
           NULL::bigint AS promotion_id, NULL::text AS promo_code, q.shipping_option, q.document,
           NULL::text AS idempotency_key, NULL::bigint AS claim_token
      FROM request q
     WHERE q.n IN (SELECT n FROM reserved)
), lines_placed AS (
    SELECT o.order_id, o.customer, o.currency, r.* FROM orders_placed o JOIN reserved r ON r.n = o.n
), ",
    record_placed!(),
    "
SELECT l.n, l.id, l.sku, l.name, l.unit_price AS price, TRUE AS active, l.stock,
       o.id AS order_id, o.created_at, FALSE AS fenced, FALSE AS at_pending_limit
  FROM lines_placed l JOIN new_order o ON o.id = l.order_id"
);

/// Whether an order may be placed by [`place_orders`]: no promotion (whose redemption must roll
/// back with a refusal) and no Idempotency-Key (whose claim is fenced by its own statement).
pub fn fits(priced: &PricedOrder, claimed: Option<&ClaimedKey>) -> bool {
    priced.promotion.is_none() && claimed.is_none()
}

/// Places, in the caller's transaction, those of `orders` (each [`fits`], none asking for a
/// product another asks for) whose every guard holds: `Some(Placed)` for them, `None` for the
/// others, which wrote nothing.
pub fn place_orders(
    conn: &mut PgConnection,
    orders: &[&Reserve<'_>],
) -> QueryResult<Vec<Option<Reservation>>> {
    let rows: Vec<NumberedRow> = Prepared(&Columns::new(orders)).load(conn)?;
    let mut lines: BTreeMap<i64, Vec<PlacedRow>> = BTreeMap::new();
    for row in rows {
        lines.entry(row.n).or_default().push(row.placed);
    }
    let mut placed: Vec<Option<Reservation>> = orders.iter().map(|_| None).collect();
    for (n, rows) in lines {
        let at = usize::try_from(n - 1).ok();
        if let Some((slot, order)) = at.and_then(|at| placed.get_mut(at).zip(orders.get(at))) {
            *slot = Some(order.reservation(rows));
        }
    }
    Ok(placed)
}

/// The orders of a round, as the statement's columns: one entry per order, then one per line.
struct Columns<'r> {
    customers: Vec<i64>,
    subtotals: Vec<&'r BigDecimal>,
    discount_totals: Vec<&'r BigDecimal>,
    shipping_totals: Vec<&'r BigDecimal>,
    total_amounts: Vec<&'r BigDecimal>,
    shipping_options: Vec<Option<&'r str>>,
    documents: Vec<&'r serde_json::Value>,
    pending_limits: Vec<i32>,
    line_orders: Vec<i64>,
    product_ids: Vec<i64>,
    quantities: Vec<i32>,
    unit_prices: Vec<&'r BigDecimal>,
    line_totals: Vec<&'r BigDecimal>,
    discounts: Vec<&'r BigDecimal>,
    currency: &'r str,
}

impl<'r> Columns<'r> {
    fn new(orders: &[&'r Reserve<'r>]) -> Self {
        let lines: usize = orders.iter().map(|o| o.ids.len()).sum();
        let mut columns = Columns {
            customers: orders.iter().map(|o| o.customer).collect(),
            subtotals: orders.iter().map(|o| o.priced.subtotal.as_decimal()).collect(),
            discount_totals: orders
                .iter()
                .map(|o| o.priced.discount_total.as_decimal())
                .collect(),
            shipping_totals: orders
                .iter()
                .map(|o| o.priced.shipping_total.as_decimal())
                .collect(),
            total_amounts: orders
                .iter()
                .map(|o| o.priced.total_amount.as_decimal())
                .collect(),
            shipping_options: orders.iter().map(|o| o.shipping_option).collect(),
            documents: orders.iter().map(|o| &o.document).collect(),
            pending_limits: orders.iter().map(|o| o.pending_limit).collect(),
            line_orders: Vec::with_capacity(lines),
            product_ids: Vec::with_capacity(lines),
            quantities: Vec::with_capacity(lines),
            unit_prices: Vec::with_capacity(lines),
            line_totals: Vec::with_capacity(lines),
            discounts: Vec::with_capacity(lines),
            currency: orders.first().map_or("", |o| o.currency),
        };
        for (n, order) in (1..).zip(orders) {
            columns.line_orders.extend(order.ids.iter().map(|_| n));
            columns.product_ids.extend(&order.ids);
            columns.quantities.extend(&order.quantities);
            columns.unit_prices.extend(&order.unit_prices);
            columns.line_totals.extend(&order.line_totals);
            columns.discounts.extend(&order.discounts);
        }
        columns
    }
}

impl Statement for &Columns<'_> {
    const SQL: &'static str = PLACE_ORDERS;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<Array<BigInt>, _>(&self.customers),
            2 => out.push_bind_param::<Array<Numeric>, _>(&self.subtotals),
            3 => out.push_bind_param::<Array<Numeric>, _>(&self.discount_totals),
            4 => out.push_bind_param::<Array<Numeric>, _>(&self.shipping_totals),
            5 => out.push_bind_param::<Array<Numeric>, _>(&self.total_amounts),
            6 => out.push_bind_param::<Array<Nullable<Text>>, _>(&self.shipping_options),
            7 => out.push_bind_param::<Array<Jsonb>, _>(&self.documents),
            8 => out.push_bind_param::<Array<BigInt>, _>(&self.line_orders),
            9 => out.push_bind_param::<Array<BigInt>, _>(&self.product_ids),
            10 => out.push_bind_param::<Array<Integer>, _>(&self.quantities),
            11 => out.push_bind_param::<Array<Numeric>, _>(&self.unit_prices),
            12 => out.push_bind_param::<Array<Numeric>, _>(&self.line_totals),
            13 => out.push_bind_param::<Array<Numeric>, _>(&self.discounts),
            14 => out.push_bind_param::<Text, _>(&self.currency),
            15 => out.push_bind_param::<Array<Integer>, _>(&self.pending_limits),
            other => Err(no_parameter("batch placing", other)),
        }
    }
}

/// A placed line's row, with its order's position in the round.
#[derive(QueryableByName)]
struct NumberedRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(embed)]
    placed: PlacedRow,
}

/// Locks the products of every order of a batch, in ascending id order, before any is placed:
/// batches (of this instance and others) and lone orders all take product locks in that one
/// order, so none waits for another in a cycle, whatever products their orders mix.
const LOCK_PRODUCTS: &str =
    "SELECT id FROM products WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE";

/// Takes the row locks of `products` (any order, repeats allowed) in ascending id order.
pub fn lock_products(conn: &mut PgConnection, products: &[i64]) -> QueryResult<()> {
    struct Lock<'p>(&'p [i64]);
    impl Statement for Lock<'_> {
        const SQL: &'static str = LOCK_PRODUCTS;

        fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            match n {
                1 => out.push_bind_param::<Array<BigInt>, _>(self.0),
                other => Err(no_parameter("locking", other)),
            }
        }
    }
    Prepared(Lock(products)).execute(conn).map(|_| ())
}
