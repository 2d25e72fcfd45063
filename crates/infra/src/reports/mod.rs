//! The reports on Postgres: each one statement, its figures summed where the rows are.

mod rows;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use domain::catalog::Product;
use domain::reports::{LowStockQuery, Reports, SalesQuery, SalesReport};
use domain::store::StoreError;

use crate::catalog::ProductRow;
use crate::pool::{PgPool, checkout};
use crate::store_error::store_error;
use rows::{SalesRowData, sales_report};

#[derive(Clone)]
pub struct PgReports {
    pool: PgPool,
}

impl PgReports {
    pub fn new(pool: PgPool) -> Self {
        PgReports { pool }
    }
}

/// The sales of the orders paid in [$1, $2): paid, shipped or delivered (one cancelled after
/// payment is no sale), by `paid_at`. $3 names the grouping: 'day' (the UTC date of `paid_at`),
/// 'product' or 'category' (the product's category now; order lines do not record one); the
/// key columns of the other groupings stay NULL and so group nothing apart.
///
/// Per group: the orders with a line in it (each once), units, revenue (`line_total −
/// discount`: merchandise net of its discount, shipping aside) and discounts. The grouping sets
/// add the period's totals (`is_total`) in the same pass; their `orders` counts each order once
/// however many groups its lines fall into, and the other sums equal the groups' because each
/// line is in exactly one group. `numeric` sums are exact.
///
/// The period is one range of `orders_paid_at_idx` (partial on these statuses), and the lines
/// join through the `order_items` primary key (or one hash of them, when the period holds a
/// large share of all orders): never a scan of every order, never a query per group.
const SALES: &str = "
WITH sold AS (
    SELECT o.id AS order_id,
           CASE WHEN $3 = 'day' THEN (o.paid_at AT TIME ZONE 'UTC')::date END AS day,
           CASE WHEN $3 = 'product' THEN i.product_id END AS product_id,
           CASE WHEN $3 = 'category' THEN p.category END AS category,
           i.quantity, i.line_total, i.discount
      FROM orders o
      JOIN order_items i ON i.order_id = o.id
      JOIN products p ON p.id = i.product_id
     WHERE o.status IN ('paid', 'shipped', 'delivered')
       AND o.paid_at >= $1 AND o.paid_at < $2
), grouped AS (
    SELECT GROUPING(day, product_id, category) <> 0 AS is_total,
           day, product_id, category,
           count(DISTINCT order_id) AS orders,
           COALESCE(sum(quantity), 0)::bigint AS units,
           COALESCE(sum(line_total - discount), 0) AS revenue,
           COALESCE(sum(discount), 0) AS discounts
      FROM sold
     GROUP BY GROUPING SETS ((day, product_id, category), ())
)
SELECT g.is_total, g.day, g.product_id, g.category, p.sku, p.name,
       g.orders, g.units, g.revenue, g.discounts
  FROM grouped g
  LEFT JOIN products p ON p.id = g.product_id";

/// Active products at or below their threshold, by stock then id, after the keyset position
/// ($1, $2; NULL on the first page), at most $3. No index serves it, on purpose: one that
/// mentioned `stock` would cost every order's stock update its HOT path (DECISIONS.md), while
/// this reads the catalog once, a few thousand rows, for a page staff ask for now and then.
const LOW_STOCK: &str = "
SELECT id, sku, name, description, category, price, stock, active, low_stock_threshold,
       version, created_at, updated_at
  FROM products
 WHERE active
   AND stock <= low_stock_threshold
   AND ($1::integer IS NULL OR (stock, id) > ($1, $2))
 ORDER BY stock, id
 LIMIT $3";

impl Reports for PgReports {
    fn sales(&self, query: &SalesQuery) -> Result<SalesReport, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let rows = diesel::sql_query(SALES)
            .bind::<Timestamptz, _>(query.period.starts_at())
            .bind::<Timestamptz, _>(query.period.ends_at())
            .bind::<Text, _>(query.grouping.as_str())
            .load::<SalesRowData>(&mut conn)
            .map_err(store_error)?;
        sales_report(rows, query.grouping)
    }

    fn low_stock(&self, query: &LowStockQuery) -> Result<Vec<Product>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let fetch = i64::try_from(query.limit.get() + 1).unwrap_or(i64::MAX);
        diesel::sql_query(LOW_STOCK)
            .bind::<Nullable<Integer>, _>(query.after.map(|k| k.stock))
            .bind::<Nullable<BigInt>, _>(query.after.map(|k| k.id.0))
            .bind::<BigInt, _>(fetch)
            .load::<ProductRow>(&mut conn)
            .map(|rows| rows.into_iter().map(ProductRow::into_product).collect())
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed setup step is a failed test

    use chrono::NaiveDate;
    use diesel::connection::SimpleConnection;
    use domain::reports::{ReportPeriod, SalesGrouping};

    use super::*;
    use crate::testing::TestDb;

    #[derive(QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }

    #[test]
    fn a_month_of_sales_reads_one_range_of_the_paid_orders_index_not_every_order() {
        let db = TestDb::new();
        let mut conn = db.connection();
        // Two years of orders, 30 a day, two lines each; a fifth unpaid or cancelled.
        conn.batch_execute(
            "INSERT INTO users (email, name, password_hash) VALUES ('c@x.io', 'C', 'h');
             INSERT INTO products (sku, name, price, category)
                  SELECT 'S' || g, 'P' || g, 2.50, 'c' || (g % 7) FROM generate_series(1, 200) g;
             INSERT INTO orders (user_id, status, currency, subtotal, total_amount, created_at, paid_at)
                  SELECT 1, CASE WHEN g % 5 = 0 THEN 'cancelled' ELSE 'paid' END, 'USD', 5.00, 5.00,
                         t, CASE WHEN g % 10 <> 0 THEN t END
                    FROM generate_series(1, 21900) g,
                         LATERAL (SELECT timestamptz '2025-01-01' + g * interval '48 minutes' AS t) at;
             INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total)
                  SELECT o.id, p, 'S' || p, 'P' || p, 1, 2.50, 2.50
                    FROM orders o, LATERAL (VALUES (o.id % 200 + 1), ((o.id + 1) % 200 + 1)) v(p);
             ANALYZE orders; ANALYZE order_items; ANALYZE products;",
        )
        .unwrap();
        let day = |raw| NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap();
        let period = ReportPeriod::new(day("2026-03-01"), day("2026-04-01")).unwrap();

        for grouping in [
            SalesGrouping::Day,
            SalesGrouping::Product,
            SalesGrouping::Category,
        ] {
            let plan: Vec<String> = diesel::sql_query(format!("EXPLAIN {SALES}"))
                .bind::<Timestamptz, _>(period.starts_at())
                .bind::<Timestamptz, _>(period.ends_at())
                .bind::<Text, _>(grouping.as_str())
                .load::<PlanLine>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|l| l.line)
                .collect();
            let plan = plan.join("\n");

            assert!(plan.contains("orders_paid_at_idx"), "{plan}");
            assert!(!plan.contains("Seq Scan on orders"), "{plan}");
        }
    }
}
