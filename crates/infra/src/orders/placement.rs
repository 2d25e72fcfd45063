//! Placing an order in ONE statement: one round trip, an implicit transaction, and row locks on
//! the order's products held only while the statement runs — the shortest a hot product can be
//! locked. `make bench` compares this with the two-statement and unit-of-work shapes.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Numeric, Text, Timestamptz};
use domain::ids::{OrderId, ProductId, UserId};
use domain::money::Money;
use domain::orders::{Order, OrderItem, OrderLines, OrderStatus, Placement, StockLevel};

use crate::prepared::{Prepared, Statement};

/// What both placing statements write once stock is reserved. They define `request`
/// (customer, currency, idempotency_key) and `reserved` (id, sku, name, price, stock, quantity)
/// first; when `reserved` is empty, nothing here writes anything.
///
/// The order, its items (line_total = price × quantity, at the locked price), one `order`
/// movement per line with the resulting stock (keeping stock == sum(deltas)), the first history
/// row and the idempotency binding.
macro_rules! record_order {
    () => {
        "new_order AS (
    INSERT INTO orders (user_id, currency, total_amount)
    SELECT q.customer, q.currency, sum(r.price * r.quantity) FROM request q, reserved r
     GROUP BY q.customer, q.currency HAVING count(*) > 0
    RETURNING id, user_id, created_at, total_amount
), items AS (
    INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total)
    SELECT o.id, r.id, r.sku, r.name, r.quantity, r.price, r.price * r.quantity FROM new_order o, reserved r
), movements AS (
    INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
    SELECT r.id, -r.quantity, 'order', o.id::text, r.stock, o.user_id FROM new_order o, reserved r
), history AS (
    INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id)
    SELECT o.id, NULL, 'pending', 'customer', o.user_id FROM new_order o
), idempotency AS (
    UPDATE idempotency_keys AS k SET order_id = o.id
      FROM new_order o, request q
     WHERE k.user_id = q.customer AND k.key = q.idempotency_key
)"
    };
}

/// Any number of lines. $1 customer, $2 currency, $3 product ids (distinct, ascending),
/// $4 quantities, $5 idempotency key.
///
/// - `request` names each parameter once. Postgres then plans the statement once per connection
///   (a generic plan: every line is a primary-key lookup whatever the values) instead of
///   re-planning each call, which cost as much as running it (see DECISIONS.md).
/// - `locked` takes the row locks in ascending id order, so overlapping orders queue in one
///   global order and never deadlock; `FOR UPDATE` yields the latest committed rows.
/// - `verdict` decides all-or-nothing on those locked rows: every line must name an active
///   product with enough stock. Nothing is changed otherwise.
/// - `reserved` takes the stock (the CHECK (stock >= 0) backs this up) and captures each price.
/// - The answer is one row per existing product: on refusal, the levels that explain it.
const PLACE_ORDER: &str = concat!(
    "
WITH request AS (
    SELECT $1::bigint AS customer, $2::text AS currency, $3::bigint[] AS ids, $4::int[] AS quantities,
           $5::text AS idempotency_key
), wanted AS (
    SELECT w.* FROM request, unnest(request.ids, request.quantities) AS w(product_id, quantity)
), locked AS (
    SELECT id, sku, name, price, stock, active
      FROM products WHERE id = ANY((SELECT ids FROM request)::bigint[]) ORDER BY id FOR UPDATE
), verdict AS (
    SELECT count(*) = (SELECT cardinality(ids) FROM request) AS all_available
      FROM wanted w JOIN locked l ON l.id = w.product_id
     WHERE l.active AND l.stock >= w.quantity
), reserved AS (
    UPDATE products AS p
       SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
      FROM wanted w, verdict v
     WHERE p.id = ANY((SELECT ids FROM request)::bigint[]) AND p.id = w.product_id AND v.all_available
    RETURNING p.id, p.sku, p.name, p.price, p.stock, w.quantity
), ",
    record_order!(),
    "
SELECT l.id, l.sku, l.name, l.price, l.active, COALESCE(r.stock, l.stock) AS stock,
       r.quantity, r.price * r.quantity AS line_total, o.id AS order_id, o.created_at, o.total_amount
  FROM locked l
  LEFT JOIN reserved r ON r.id = l.id
  LEFT JOIN new_order o ON TRUE
 ORDER BY l.id"
);

/// One line: most orders, and every order of a hot product. $1 customer, $2 currency,
/// $3 product id, $4 quantity, $5 idempotency key.
///
/// With a single product there is no all-or-nothing to arrange and no lock order to keep: the
/// conditional UPDATE takes the lock, re-reads the latest stock and decides in one step, so
/// the row is locked for less work than in `PLACE_ORDER` (measured: DECISIONS.md).
/// The answer is one row when placed and none when refused; the caller then asks
/// `PLACE_ORDER`, which explains the refusal from locked rows (or places the order if stock
/// came back in between).
const PLACE_ONE_LINE: &str = concat!(
    "
WITH request AS (
    SELECT $1::bigint AS customer, $2::text AS currency, $3::bigint AS product_id, $4::int AS quantity,
           $5::text AS idempotency_key
), reserved AS (
    UPDATE products AS p
       SET stock = p.stock - q.quantity, version = p.version + 1, updated_at = now()
      FROM request q
     WHERE p.id = q.product_id AND p.active AND p.stock >= q.quantity
    RETURNING p.id, p.sku, p.name, p.price, p.stock, q.quantity
), ",
    record_order!(),
    "
SELECT r.id, r.sku, r.name, r.price, TRUE AS active, r.stock,
       r.quantity, r.price * r.quantity AS line_total, o.id AS order_id, o.created_at, o.total_amount
  FROM reserved r, new_order o"
);

pub struct PlaceOrder<'a> {
    pub customer: i64,
    pub currency: &'a str,
    pub ids: Vec<i64>,
    pub quantities: Vec<i32>,
    pub idempotency_key: Option<&'a str>,
}

impl<'a> PlaceOrder<'a> {
    pub fn new(
        customer: UserId,
        currency: &'a str,
        lines: &OrderLines,
        idempotency_key: Option<&'a str>,
    ) -> Self {
        PlaceOrder {
            customer: customer.0,
            currency,
            ids: lines.iter().map(|l| l.product_id.0).collect(),
            // Quantities are at most 10 000.
            quantities: lines
                .iter()
                .map(|l| i32::try_from(l.quantity.get()).unwrap_or(i32::MAX))
                .collect(),
            idempotency_key,
        }
    }

    /// Places the order or explains why not: one statement when placed.
    pub fn run(&self, conn: &mut PgConnection) -> QueryResult<Placement> {
        if let ([product], [quantity]) = (self.ids.as_slice(), self.quantities.as_slice()) {
            let placed: Vec<PlacedRow> = Prepared(OneLine {
                order: self,
                product: *product,
                quantity: *quantity,
            })
            .load(conn)?;
            if !placed.is_empty() {
                return Ok(placement(self, placed));
            }
        }
        let rows = Prepared(self).load(conn)?;
        Ok(placement(self, rows))
    }
}

impl Statement for &PlaceOrder<'_> {
    const SQL: &'static str = PLACE_ORDER;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<BigInt, _>(&self.customer),
            2 => out.push_bind_param::<Text, _>(&self.currency),
            3 => out.push_bind_param::<Array<BigInt>, _>(&self.ids),
            4 => out.push_bind_param::<Array<Integer>, _>(&self.quantities),
            _ => out.push_bind_param::<Nullable<Text>, _>(&self.idempotency_key),
        }
    }
}

struct OneLine<'a> {
    order: &'a PlaceOrder<'a>,
    product: i64,
    quantity: i32,
}

impl Statement for OneLine<'_> {
    const SQL: &'static str = PLACE_ONE_LINE;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<BigInt, _>(&self.order.customer),
            2 => out.push_bind_param::<Text, _>(&self.order.currency),
            3 => out.push_bind_param::<BigInt, _>(&self.product),
            4 => out.push_bind_param::<Integer, _>(&self.quantity),
            _ => out.push_bind_param::<Nullable<Text>, _>(&self.order.idempotency_key),
        }
    }
}

#[derive(QueryableByName)]
pub struct PlacedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    sku: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Numeric)]
    price: BigDecimal,
    #[diesel(sql_type = Bool)]
    active: bool,
    #[diesel(sql_type = Integer)]
    stock: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    quantity: Option<i32>,
    #[diesel(sql_type = Nullable<Numeric>)]
    line_total: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<BigInt>)]
    order_id: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Numeric>)]
    total_amount: Option<BigDecimal>,
}

/// A placing statement's answer as the domain sees it.
fn placement(request: &PlaceOrder<'_>, rows: Vec<PlacedRow>) -> Placement {
    let placed = rows
        .first()
        .and_then(|r| Some((r.order_id?, r.created_at?, r.total_amount.clone()?)));
    let Some((order_id, created_at, total)) = placed else {
        return Placement::Refused(
            rows.into_iter()
                .map(|r| StockLevel {
                    product_id: ProductId(r.id),
                    stock: r.stock,
                    active: r.active,
                })
                .collect(),
        );
    };
    let items = rows
        .into_iter()
        .map(|r| OrderItem {
            product_id: ProductId(r.id),
            sku: r.sku,
            name: r.name,
            quantity: r.quantity.unwrap_or(0),
            unit_price: Money::from_stored(r.price),
            line_total: Money::from_stored(r.line_total.unwrap_or_default()),
        })
        .collect();
    Placement::Placed(Order {
        id: OrderId(order_id),
        user_id: UserId(request.customer),
        status: OrderStatus::Pending,
        currency: request.currency.to_owned(),
        total_amount: Money::from_stored(total),
        items,
        created_at,
        updated_at: created_at,
        paid_at: None,
        shipped_at: None,
        delivered_at: None,
        cancelled_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::PLACE_ORDER;

    fn words(sql: &str) -> String {
        sql.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// `make bench` runs this statement through pgbench as "the one statement the service
    /// sends"; a copy that drifted would measure something else.
    #[test]
    fn the_bench_measures_the_statement_the_service_sends() {
        let bench = include_str!("../../../../bench/shape_single_statement.sql");
        let with_values = PLACE_ORDER
            .replace("$1::bigint", ":uid::bigint")
            .replace("$2::text", "'USD'::text")
            .replace("$3::bigint[]", "ARRAY[:a, :b]::bigint[]")
            .replace("$4::int[]", "ARRAY[1, 1]::int[]")
            .replace("$5::text", "NULL::text");

        assert!(
            words(bench).contains(&words(&with_values)),
            "bench/shape_single_statement.sql differs from PLACE_ORDER"
        );
    }
}
