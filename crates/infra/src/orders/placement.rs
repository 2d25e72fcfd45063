//! Reserving an order exactly as the domain priced it: the database guards, it does not decide.
//! One statement locks the request's Idempotency-Key (if any) and checks that its latest claim
//! is still this request's, locks the lines' products in ascending id order, checks on the
//! locked rows that each is active, still at the priced price and has the quantity, checks that
//! the customer holds fewer unpaid orders than allowed, and only then takes the stock and writes
//! the order with the domain's figures. Without a promotion
//! that statement is the whole transaction: one round trip, product rows locked only while it
//! runs. With one, a statement before it redeems the promotion under its limits, in the same
//! transaction.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Jsonb, Nullable, Numeric, Text, Timestamptz};
use domain::idempotency::ClaimedKey;
use domain::ids::{OrderId, ProductId, PromotionId, UserId};
use domain::money::Money;
use domain::orders::{Order, OrderItem, OrderStatus, PricedOrder, ProductLevel, Reservation};

use crate::events::EventDocuments;
use crate::prepared::{Prepared, Statement, no_parameter};

/// What every placing statement writes for the orders it placed. The statement defines
/// `orders_placed` (one row per placed order: order_id, drawn from the orders' sequence so that
/// every write joins to its order by id; customer, currency, the priced figures, promotion_id,
/// promo_code, shipping_option, document, idempotency_key, claim_token) and `lines_placed` (one
/// row per line of those orders: order_id, customer, currency, and the reserved product's id,
/// sku, name, stock, quantity, unit_price, line_total, discount, low_stock_threshold, and
/// `product`, the changed row) first; when they are empty, nothing here writes anything.
///
/// Each order with its priced figures (the CHECKs on `orders` and `order_items` back up their
/// arithmetic), its items, one `order` movement per line with the resulting stock (keeping
/// stock == sum(deltas)), the first history row, the `order.created` event (its document as the
/// domain priced it, completed with the id and time only the insert knows) and the idempotency
/// binding; and `product.low_stock` for each product an order takes to its threshold.
macro_rules! record_placed {
    () => {
        "new_order AS (
    INSERT INTO orders (id, user_id, currency, subtotal, discount_total, shipping_total, total_amount,
                        promotion_id, promo_code, shipping_option)
    OVERRIDING SYSTEM VALUE
    SELECT order_id, customer, currency, subtotal, discount_total, shipping_total, total_amount,
           promotion_id, promo_code, shipping_option
      FROM orders_placed
    RETURNING id, created_at
), items AS (
    INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total, discount)
    SELECT order_id, id, sku, name, quantity, unit_price, line_total, discount FROM lines_placed
), movements AS (
    INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
    SELECT id, -quantity, 'order', order_id::text, stock, customer FROM lines_placed
), history AS (
    INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id)
    SELECT order_id, NULL, 'pending', 'customer', customer FROM orders_placed
), created_event AS (
    INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data)
    SELECT 'order.created', 'order', o.id, 1,
           p.document || jsonb_build_object(
               'id', o.id,
               'created_at', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
               'updated_at', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))
      FROM orders_placed p JOIN new_order o ON o.id = p.order_id
), low_stock AS (
    INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data)
    SELECT 'product.low_stock', 'product', id, next_product_event_sequence(id),
           product_document(product, currency)
      FROM lines_placed
     WHERE crosses_low_stock(stock + quantity, stock, low_stock_threshold)
), idempotency AS (
    UPDATE idempotency_keys AS k SET order_id = p.order_id
      FROM orders_placed p
     WHERE k.user_id = p.customer AND k.key = p.idempotency_key AND k.claim_token = p.claim_token
)"
    };
}
pub(super) use record_placed;

/// What both single-order placing statements write once stock is reserved. They define
/// `request` and `reserved` (id, sku, name, stock, quantity, unit_price, line_total, discount,
/// low_stock_threshold, and `product`, the changed row) first; the order is placed when
/// `reserved` holds rows, and then written by `record_placed!`.
macro_rules! record_order {
    () => {
        concat!(
            "orders_placed AS (
    SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS order_id, q.customer, q.currency,
           q.subtotal, q.discount_total, q.shipping_total, q.total_amount, q.promotion_id,
           q.promo_code, q.shipping_option, q.document, q.idempotency_key, q.claim_token
      FROM request q WHERE EXISTS (SELECT 1 FROM reserved)
), lines_placed AS (
    SELECT o.order_id, o.customer, o.currency, r.* FROM orders_placed o, reserved r
), ",
            record_placed!()
        )
    };
}

/// The parameters, each named once so that Postgres settles on one generic plan per connection
/// (re-planning each call cost as much as running it: DECISIONS.md). Lines are in ascending
/// product id; their prices, totals and discounts are the domain's.
///
/// `fence` is true when the request came under an Idempotency-Key whose latest claim is not its
/// own (taken over after it stalled, or released): the statement then writes nothing. The key's
/// row is locked first (`claim`), so a takeover either waits for this statement and then finds
/// its order bound, or came first and fences it: never two orders under one key.
///
/// `pending` is whether the customer holds fewer unpaid orders than `pending_limit`, counted up
/// to the limit (the count costs what it counts) on `orders_user_pending_idx`, without locks:
/// orders the same customer places at the same moment do not see each other, so the limit may
/// be passed by those few. The customer is a scalar subquery, not a join with `request`, so it
/// is the index condition whatever the statistics say about how many orders a customer holds.
macro_rules! request {
    () => {
        "
WITH request AS (
    SELECT $1::bigint AS customer, $2::text AS currency, $3::bigint[] AS ids, $4::int[] AS quantities,
           $5::numeric[] AS unit_prices, $6::numeric[] AS line_totals, $7::numeric[] AS discounts,
           $8::numeric AS subtotal, $9::numeric AS discount_total, $10::numeric AS shipping_total,
           $11::numeric AS total_amount, $12::bigint AS promotion_id, $13::text AS promo_code,
           $14::text AS shipping_option, $15::text AS idempotency_key, $16::bigint AS claim_token,
           $17::jsonb AS document, $18::int AS pending_limit
), pending AS (
    SELECT count(*) < (SELECT pending_limit FROM request) AS below_limit
      FROM (SELECT 1 FROM orders o
             WHERE o.user_id = (SELECT customer FROM request) AND o.status = 'pending'
             LIMIT (SELECT pending_limit FROM request)) AS mine
), wanted AS (
    SELECT w.* FROM request,
           unnest(request.ids, request.quantities, request.unit_prices, request.line_totals, request.discounts)
             AS w(product_id, quantity, unit_price, line_total, discount)
), claim AS (
    SELECT k.claim_token FROM idempotency_keys k, request q
     WHERE k.user_id = q.customer AND k.key = q.idempotency_key
       FOR NO KEY UPDATE OF k
), fence AS (
    SELECT q.idempotency_key IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM claim c WHERE c.claim_token = q.claim_token) AS fenced
      FROM request q
), "
    };
}

/// Any number of lines.
///
/// - `locked` takes the row locks in ascending id order, so overlapping orders queue in one
///   global order and never deadlock; `FOR UPDATE` yields the latest committed rows. Fenced, or
///   at the customer's pending limit, it locks nothing, so nothing passes the guard.
/// - `guard`: every line's product exists, is active, is still at the price the domain priced
///   with, and has the quantity. Nothing is written otherwise.
/// - `reserved` takes the stock (the CHECK (stock >= 0) backs this up).
/// - The answer is one row per existing product, as locked: on refusal, what the domain
///   explains it from; fenced or at the limit, one row saying so (and a row of NULLs when no
///   product exists).
pub const PLACE_ORDER: &str = concat!(
    request!(),
    "locked AS (
    SELECT id, sku, name, price, stock, active
      FROM products
     WHERE id = ANY((SELECT ids FROM request)::bigint[]) AND NOT (SELECT fenced FROM fence)
       AND (SELECT below_limit FROM pending)
     ORDER BY id FOR UPDATE
), guard AS (
    SELECT count(*) = (SELECT cardinality(ids) FROM request) AS holds
      FROM wanted w JOIN locked l ON l.id = w.product_id
     WHERE l.active AND l.price = w.unit_price AND l.stock >= w.quantity
), reserved AS (
    UPDATE products AS p
       SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
      FROM wanted w, guard g
     WHERE p.id = ANY((SELECT ids FROM request)::bigint[]) AND p.id = w.product_id AND g.holds
    RETURNING p.id, p.sku, p.name, p.stock, w.quantity, w.unit_price, w.line_total, w.discount,
              p.low_stock_threshold, p AS product
), ",
    record_order!(),
    "
SELECT l.id, l.sku, l.name, l.price, l.active, COALESCE(r.stock, l.stock) AS stock,
       o.id AS order_id, o.created_at, f.fenced, NOT m.below_limit AS at_pending_limit
  FROM fence f
  CROSS JOIN pending m
  LEFT JOIN locked l ON TRUE
  LEFT JOIN reserved r ON r.id = l.id
  LEFT JOIN new_order o ON TRUE
 ORDER BY l.id"
);

/// One line: most orders, and every order of a hot product. With a single product there is no
/// all-or-nothing to arrange and no lock order to keep: the conditional UPDATE takes the lock,
/// re-reads the latest row and applies the same guard in one step, so the row is locked for
/// less work than in `PLACE_ORDER` (measured: DECISIONS.md). It answers one row when placed
/// and none when refused, fenced or at the pending limit; the caller then asks `PLACE_ORDER`,
/// which reports the locked row, the fence or the limit (or places the order, if stock came
/// back in between).
pub const PLACE_ONE_LINE: &str = concat!(
    request!(),
    "reserved AS (
    UPDATE products AS p
       SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
      FROM wanted w
     WHERE p.id = (SELECT ids[1] FROM request) AND p.id = w.product_id
       AND p.active AND p.price = w.unit_price AND p.stock >= w.quantity
       AND NOT (SELECT fenced FROM fence) AND (SELECT below_limit FROM pending)
    RETURNING p.id, p.sku, p.name, p.stock, w.quantity, w.unit_price, w.line_total, w.discount,
              p.low_stock_threshold, p AS product
), ",
    record_order!(),
    "
SELECT r.id, r.sku, r.name, r.unit_price AS price, TRUE AS active, r.stock,
       o.id AS order_id, o.created_at, FALSE AS fenced, FALSE AS at_pending_limit
  FROM reserved r, new_order o"
);

/// Redeems the promotion, first in the placing transaction, so its limits hold under any
/// concurrency: the UPDATE waits for the promotion's row lock and re-checks the latest
/// `redemptions`; the upsert does the same on the customer's row. Both rows are locked until
/// the transaction ends, before any product (cancellation locks them in the same order).
const REDEEM_PROMOTION: &str = "
WITH request AS (
    SELECT $1::bigint AS promotion_id, $2::bigint AS customer
), total AS (
    UPDATE promotions AS p SET redemptions = p.redemptions + 1
      FROM request q
     WHERE p.id = q.promotion_id AND p.active
       AND (p.max_redemptions IS NULL OR p.redemptions < p.max_redemptions)
    RETURNING p.id, p.max_per_customer
), customer AS (
    INSERT INTO promotion_customers AS c (promotion_id, user_id, redemptions)
    SELECT t.id, q.customer, 1 FROM total t, request q
    ON CONFLICT (promotion_id, user_id) DO UPDATE SET redemptions = c.redemptions + 1
     WHERE c.redemptions < COALESCE((SELECT max_per_customer FROM total), 2147483647)
    RETURNING c.redemptions
)
SELECT EXISTS (SELECT 1 FROM total) AS redeemed, EXISTS (SELECT 1 FROM customer) AS customer_may_redeem";

/// An order as priced, in the placing statements' parameters.
pub struct Reserve<'a> {
    pub(super) customer: i64,
    pub(super) currency: &'a str,
    pub(super) ids: Vec<i64>,
    pub(super) quantities: Vec<i32>,
    pub(super) unit_prices: Vec<BigDecimal>,
    pub(super) line_totals: Vec<BigDecimal>,
    pub(super) discounts: Vec<BigDecimal>,
    pub(super) priced: &'a PricedOrder,
    promotion_id: Option<i64>,
    promo_code: Option<&'a str>,
    pub(super) shipping_option: Option<&'a str>,
    idempotency_key: Option<&'a str>,
    claim_token: Option<i64>,
    /// The most unpaid orders the customer may hold, this one included.
    pub(super) pending_limit: i32,
    /// The order as its `order.created` event shows it, but for its id and times.
    pub(super) document: serde_json::Value,
}

/// Why a placing transaction rolled back.
pub enum Abort {
    Refused(Reservation),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Database(error)
    }
}

impl<'a> Reserve<'a> {
    pub fn new(
        customer: UserId,
        currency: &'a str,
        priced: &'a PricedOrder,
        claimed: Option<&'a ClaimedKey>,
        max_pending: u32,
        documents: &dyn EventDocuments,
    ) -> Self {
        let lines = &priced.lines;
        let document = documents.order(&draft(customer, currency, priced, Utc::now()));
        Reserve {
            customer: customer.0,
            currency,
            ids: lines.iter().map(|l| l.product_id.0).collect(),
            // Quantities are at most 10 000.
            quantities: lines
                .iter()
                .map(|l| i32::try_from(l.quantity.get()).unwrap_or(i32::MAX))
                .collect(),
            unit_prices: lines.iter().map(|l| l.unit_price.as_decimal().clone()).collect(),
            line_totals: lines.iter().map(|l| l.line_total.as_decimal().clone()).collect(),
            discounts: lines.iter().map(|l| l.discount.as_decimal().clone()).collect(),
            priced,
            promotion_id: priced.promotion.as_ref().map(|p| p.id.0),
            promo_code: priced.promotion.as_ref().map(|p| p.code.as_str()),
            shipping_option: priced.shipping_option.as_ref().map(|s| s.as_str()),
            idempotency_key: claimed.map(|c| c.key.as_str()),
            claim_token: claimed.map(|c| c.token.0),
            pending_limit: i32::try_from(max_pending).unwrap_or(i32::MAX),
            document,
        }
    }

    /// Reserves the order or says which guard failed; changes nothing on refusal.
    pub fn run(&self, conn: &mut PgConnection) -> QueryResult<Reservation> {
        let Some(promotion) = self.promotion_id else {
            return self.place(conn);
        };
        let outcome = conn.transaction::<Reservation, Abort, _>(|conn| {
            let redeemed: Redemption = diesel::sql_query(REDEEM_PROMOTION)
                .bind::<BigInt, _>(promotion)
                .bind::<BigInt, _>(self.customer)
                .get_result(conn)?;
            if !redeemed.redeemed {
                return Err(Abort::Refused(Reservation::PromotionExhausted));
            }
            if !redeemed.customer_may_redeem {
                return Err(Abort::Refused(Reservation::CustomerLimitReached));
            }
            match self.place(conn)? {
                placed @ Reservation::Placed(_) => Ok(placed),
                refused => Err(Abort::Refused(refused)),
            }
        });
        match outcome {
            Ok(placed) => Ok(placed),
            Err(Abort::Refused(refused)) => Ok(refused),
            Err(Abort::Database(error)) => Err(error),
        }
    }

    /// Places an order without a promotion in the caller's transaction: refused, it writes
    /// nothing and leaves the transaction usable.
    pub fn place(&self, conn: &mut PgConnection) -> QueryResult<Reservation> {
        if self.ids.len() == 1 {
            let placed: Vec<PlacedRow> = Prepared(OneLine(self)).load(conn)?;
            if !placed.is_empty() {
                return Ok(self.reservation(placed));
            }
        }
        let rows = Prepared(self).load(conn)?;
        Ok(self.reservation(rows))
    }

    /// A placing statement's answer as the domain sees it.
    pub(super) fn reservation(&self, rows: Vec<PlacedRow>) -> Reservation {
        if rows.iter().any(|r| r.fenced) {
            return Reservation::Fenced;
        }
        if rows.iter().any(|r| r.at_pending_limit) {
            return Reservation::PendingLimitReached;
        }
        let placed = rows.first().and_then(|r| Some((r.order_id?, r.created_at?)));
        let Some((order_id, created_at)) = placed else {
            return Reservation::Refused(
                rows.into_iter()
                    .filter_map(|r| {
                        Some(ProductLevel {
                            product_id: ProductId(r.id?),
                            price: Money::from_stored(r.price?),
                            stock: r.stock?,
                            active: r.active?,
                        })
                    })
                    .collect(),
            );
        };
        let mut order = draft(UserId(self.customer), self.currency, self.priced, created_at);
        order.id = OrderId(order_id);
        for item in &mut order.items {
            // The item as written: named as the locked row was named.
            if let Some(row) = rows.iter().find(|r| r.id == Some(item.product_id.0)) {
                item.sku = row.sku.clone().unwrap_or_else(|| item.sku.clone());
                item.name = row.name.clone().unwrap_or_else(|| item.name.clone());
            }
        }
        Reservation::Placed(Box::new(order))
    }

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let priced = self.priced;
        match n {
            1 => out.push_bind_param::<BigInt, _>(&self.customer),
            2 => out.push_bind_param::<Text, _>(&self.currency),
            3 => out.push_bind_param::<Array<BigInt>, _>(&self.ids),
            4 => out.push_bind_param::<Array<Integer>, _>(&self.quantities),
            5 => out.push_bind_param::<Array<Numeric>, _>(&self.unit_prices),
            6 => out.push_bind_param::<Array<Numeric>, _>(&self.line_totals),
            7 => out.push_bind_param::<Array<Numeric>, _>(&self.discounts),
            8 => out.push_bind_param::<Numeric, _>(priced.subtotal.as_decimal()),
            9 => out.push_bind_param::<Numeric, _>(priced.discount_total.as_decimal()),
            10 => out.push_bind_param::<Numeric, _>(priced.shipping_total.as_decimal()),
            11 => out.push_bind_param::<Numeric, _>(priced.total_amount.as_decimal()),
            12 => out.push_bind_param::<Nullable<BigInt>, _>(&self.promotion_id),
            13 => out.push_bind_param::<Nullable<Text>, _>(&self.promo_code),
            14 => out.push_bind_param::<Nullable<Text>, _>(&self.shipping_option),
            15 => out.push_bind_param::<Nullable<Text>, _>(&self.idempotency_key),
            16 => out.push_bind_param::<Nullable<BigInt>, _>(&self.claim_token),
            17 => out.push_bind_param::<Jsonb, _>(&self.document),
            18 => out.push_bind_param::<Integer, _>(&self.pending_limit),
            // Every placeholder of both statements is listed above; another is a typo.
            other => Err(no_parameter("placing", other)),
        }
    }
}

/// The order the placing statement writes, as the domain priced it; `id` 0 until it is written.
fn draft(customer: UserId, currency: &str, priced: &PricedOrder, created_at: DateTime<Utc>) -> Order {
    Order {
        id: OrderId(0),
        user_id: customer,
        status: OrderStatus::Pending,
        currency: currency.to_owned(),
        subtotal: priced.subtotal.clone(),
        discount_total: priced.discount_total.clone(),
        shipping_total: priced.shipping_total.clone(),
        total_amount: priced.total_amount.clone(),
        promotion: priced
            .promotion
            .as_ref()
            .map(|p| (PromotionId(p.id.0), p.code.as_str().to_owned())),
        shipping_option: priced.shipping_option.as_ref().map(|s| s.as_str().to_owned()),
        items: priced
            .lines
            .iter()
            .map(|line| OrderItem {
                product_id: line.product_id,
                sku: line.sku.clone(),
                name: line.name.clone(),
                // Quantities are at most 10 000.
                quantity: i32::try_from(line.quantity.get()).unwrap_or(i32::MAX),
                unit_price: line.unit_price.clone(),
                line_total: line.line_total.clone(),
                discount: line.discount.clone(),
            })
            .collect(),
        created_at,
        updated_at: created_at,
        paid_at: None,
        shipped_at: None,
        delivered_at: None,
        cancelled_at: None,
    }
}

impl Statement for &Reserve<'_> {
    const SQL: &'static str = PLACE_ORDER;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Reserve::bind(self, n, out)
    }
}

struct OneLine<'a>(&'a Reserve<'a>);

impl Statement for OneLine<'_> {
    const SQL: &'static str = PLACE_ONE_LINE;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.bind(n, out)
    }
}

#[derive(QueryableByName)]
struct Redemption {
    #[diesel(sql_type = Bool)]
    redeemed: bool,
    #[diesel(sql_type = Bool)]
    customer_may_redeem: bool,
}

/// One row of a placing statement's answer: a product as locked (none when fenced, at the
/// pending limit, or when no product asked for exists), the order when placed, whether the
/// claim was fenced and whether the customer was at the pending limit.
#[derive(QueryableByName)]
pub struct PlacedRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    sku: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    price: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Bool>)]
    active: Option<bool>,
    #[diesel(sql_type = Nullable<Integer>)]
    stock: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    order_id: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    fenced: bool,
    #[diesel(sql_type = Bool)]
    at_pending_limit: bool,
}
