//! Many one-line orders reserved by one statement: what a checkout lane's batch sends for the
//! orders of a round (each for a product no other order of the round asks for). One statement
//! instead of one per order: Postgres opens the tables, checks the constraints' expressions and
//! starts the plan once for all of them. Each order is still guarded on its own product's locked
//! row and written only when the guard holds; an order the statement did not place is then asked
//! again with its own statement, which explains the refusal or places it.

use bigdecimal::BigDecimal;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Numeric, Text};
use domain::idempotency::ClaimedKey;
use domain::orders::{PricedOrder, Reservation};

use super::placement::{PlacedRow, Reserve, record_placed};
use crate::prepared::{Prepared, Statement};

/// The orders of a round, one row each ($1..$12, `n` their position); none asks for a product
/// another asks for, so the UPDATE meets each product row once.
///
/// - `reserved` finds the products by their index (`id = ANY`: joined to the request alone, the
///   planner scans the whole table) and takes the stock where the locked row (latest committed:
///   `UPDATE` waits for the lock and re-checks) is active, at the priced price and has the
///   quantity; the CHECK (stock >= 0) backs this up. An order whose guard fails writes nothing.
/// - `orders_placed` is one row per placed order, its one line included (so it is
///   `lines_placed` too), with its id drawn from the orders' sequence; `record_placed!` writes
///   them as every placing statement does.
///
/// The answer is one row per placed order, in the shape of `PLACE_ONE_LINE`'s, with its `n`.
pub const PLACE_ONE_LINE_ORDERS: &str = concat!(
    "
WITH request AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::numeric[], $5::numeric[],
                         $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[],
                         $11::text[], $12::jsonb[])
        WITH ORDINALITY AS q(customer, product_id, quantity, unit_price, line_total, discount,
                             subtotal, discount_total, shipping_total, total_amount,
                             shipping_option, document, n)
), reserved AS (
    UPDATE products AS p
       SET stock = p.stock - q.quantity, version = p.version + 1, updated_at = now()
      FROM request q
     WHERE p.id = ANY((SELECT array_agg(product_id) FROM request)::bigint[]) AND p.id = q.product_id
       AND p.active AND p.price = q.unit_price AND p.stock >= q.quantity
    RETURNING q.n, p.id, p.sku, p.name, p.stock, p.low_stock_threshold, p AS product
), orders_placed AS (
    SELECT r.*, nextval(pg_get_serial_sequence('orders', 'id')) AS order_id, q.customer,
           $13::text AS currency, q.quantity, q.unit_price, q.line_total, q.discount, q.subtotal,
           q.discount_total, q.shipping_total, q.total_amount, NULL::bigint AS promotion_id,
           NULL::text AS promo_code, q.shipping_option, q.document, NULL::text AS idempotency_key,
           NULL::bigint AS claim_token
      FROM reserved r JOIN request q ON q.n = r.n
), lines_placed AS (
    SELECT * FROM orders_placed
), ",
    record_placed!(),
    "
SELECT p.n, p.id, p.sku, p.name, p.unit_price AS price, TRUE AS active, p.stock,
       o.id AS order_id, o.created_at, FALSE AS fenced
  FROM orders_placed p JOIN new_order o ON o.id = p.order_id"
);

/// Whether an order may be placed by [`place_one_line_orders`]: one line, no promotion (whose
/// redemption must roll back with a refusal), no Idempotency-Key (whose claim is fenced by its
/// own statement).
pub fn fits(priced: &PricedOrder, claimed: Option<&ClaimedKey>) -> bool {
    priced.lines.len() == 1 && priced.promotion.is_none() && claimed.is_none()
}

/// Places, in the caller's transaction, those of `orders` (each [`fits`], one line each, each for a product
/// none of the others asks for) whose guard holds: `Some(Placed)` for them, `None` for the
/// others, which wrote nothing.
pub fn place_one_line_orders(
    conn: &mut PgConnection,
    orders: &[&Reserve<'_>],
) -> QueryResult<Vec<Option<Reservation>>> {
    let round = Round::new(orders);
    let rows: Vec<NumberedRow> = Prepared(&round).load(conn)?;
    let mut placed: Vec<Option<Reservation>> = orders.iter().map(|_| None).collect();
    for row in rows {
        let at = usize::try_from(row.n - 1).ok();
        if let Some((slot, order)) = at.and_then(|at| placed.get_mut(at).zip(orders.get(at))) {
            *slot = Some(order.reservation(vec![row.placed]));
        }
    }
    Ok(placed)
}

/// The orders of a round, as the statement's columns.
struct Round<'r> {
    customers: Vec<i64>,
    product_ids: Vec<i64>,
    quantities: Vec<i32>,
    unit_prices: Vec<&'r BigDecimal>,
    line_totals: Vec<&'r BigDecimal>,
    discounts: Vec<&'r BigDecimal>,
    subtotals: Vec<&'r BigDecimal>,
    discount_totals: Vec<&'r BigDecimal>,
    shipping_totals: Vec<&'r BigDecimal>,
    total_amounts: Vec<&'r BigDecimal>,
    shipping_options: Vec<Option<&'r str>>,
    documents: Vec<&'r serde_json::Value>,
    currency: &'r str,
}

impl<'r> Round<'r> {
    fn new(orders: &[&'r Reserve<'r>]) -> Self {
        Round {
            customers: orders.iter().map(|o| o.customer).collect(),
            product_ids: orders.iter().map(|o| o.ids[0]).collect(),
            quantities: orders.iter().map(|o| o.quantities[0]).collect(),
            unit_prices: orders.iter().map(|o| &o.unit_prices[0]).collect(),
            line_totals: orders.iter().map(|o| &o.line_totals[0]).collect(),
            discounts: orders.iter().map(|o| &o.discounts[0]).collect(),
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
            currency: orders.first().map_or("", |o| o.currency),
        }
    }
}

impl Statement for &Round<'_> {
    const SQL: &'static str = PLACE_ONE_LINE_ORDERS;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<Array<BigInt>, _>(&self.customers),
            2 => out.push_bind_param::<Array<BigInt>, _>(&self.product_ids),
            3 => out.push_bind_param::<Array<Integer>, _>(&self.quantities),
            4 => out.push_bind_param::<Array<Numeric>, _>(&self.unit_prices),
            5 => out.push_bind_param::<Array<Numeric>, _>(&self.line_totals),
            6 => out.push_bind_param::<Array<Numeric>, _>(&self.discounts),
            7 => out.push_bind_param::<Array<Numeric>, _>(&self.subtotals),
            8 => out.push_bind_param::<Array<Numeric>, _>(&self.discount_totals),
            9 => out.push_bind_param::<Array<Numeric>, _>(&self.shipping_totals),
            10 => out.push_bind_param::<Array<Numeric>, _>(&self.total_amounts),
            11 => out.push_bind_param::<Array<Nullable<Text>>, _>(&self.shipping_options),
            12 => out.push_bind_param::<Array<Jsonb>, _>(&self.documents),
            13 => out.push_bind_param::<Text, _>(&self.currency),
            other => Err(diesel::result::Error::QueryBuilderError(
                format!("the batch placing statement has no parameter ${other}").into(),
            )),
        }
    }
}

/// A placed order's row, with its position in the round.
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
                other => Err(diesel::result::Error::QueryBuilderError(
                    format!("the locking statement has no parameter ${other}").into(),
                )),
            }
        }
    }
    Prepared(Lock(products)).execute(conn).map(|_| ())
}
