//! The snapshot an order is priced from, read without locks: the lines' products in one
//! statement, then the promotion and shipping option named.

use bigdecimal::BigDecimal;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Numeric, Text};
use domain::ids::{ProductId, UserId};
use domain::money::Money;
use domain::orders::{OrderLines, PlacementContext, ProductSnapshot};
use domain::promotions::PromoCode;
use domain::shipping::ShippingCode;
use domain::store::StoreError;

use crate::prepared::{Prepared, Statement, no_parameter};
use crate::promotions::rows::PromotionRow;
use crate::schema::{promotion_customers, promotions, shipping_options};
use crate::shipping::rows::ShippingOptionRow;
use crate::store_error::store_error;

/// One row per existing product asked for.
const SNAPSHOT: &str = "
SELECT p.id, p.sku, p.name, p.category, p.price, p.active, p.stock
  FROM products p
 WHERE p.id = ANY($1)
 ORDER BY p.id";

/// Prepared once per connection, like the placing statements: planning it on every order cost
/// as much as running it.
struct Snapshot {
    ids: Vec<i64>,
}

impl Statement for Snapshot {
    const SQL: &'static str = SNAPSHOT;

    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match n {
            1 => out.push_bind_param::<Array<BigInt>, _>(&self.ids),
            other => Err(no_parameter("snapshot", other)),
        }
    }
}

#[derive(QueryableByName)]
struct SnapshotRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    sku: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<String>,
    #[diesel(sql_type = Numeric)]
    price: BigDecimal,
    #[diesel(sql_type = Bool)]
    active: bool,
    #[diesel(sql_type = Integer)]
    stock: i32,
}

impl SnapshotRow {
    fn into_snapshot(self) -> ProductSnapshot {
        ProductSnapshot {
            id: ProductId(self.id),
            sku: self.sku,
            name: self.name,
            category: self.category,
            price: Money::from_stored(self.price),
            active: self.active,
            stock: self.stock,
        }
    }
}

/// The lines' products that exist, by ascending id.
fn products(conn: &mut PgConnection, lines: &OrderLines) -> Result<Vec<ProductSnapshot>, StoreError> {
    let ids: Vec<i64> = lines.iter().map(|line| line.product_id.0).collect();
    let rows: Vec<SnapshotRow> = Prepared(Snapshot { ids }).load(conn).map_err(store_error)?;
    Ok(rows.into_iter().map(SnapshotRow::into_snapshot).collect())
}

/// The whole context, read now.
pub fn read(
    conn: &mut PgConnection,
    customer: UserId,
    lines: &OrderLines,
    promo_code: Option<&PromoCode>,
    shipping_option: Option<&ShippingCode>,
) -> Result<PlacementContext, StoreError> {
    let products = products(conn, lines)?;
    let promotion = match promo_code {
        None => None,
        Some(code) => promotions::table
            .filter(promotions::code.eq(code.as_str()))
            .left_join(
                promotion_customers::table.on(promotion_customers::promotion_id
                    .eq(promotions::id)
                    .and(promotion_customers::user_id.eq(customer.0))),
            )
            .select((
                PromotionRow::as_select(),
                promotion_customers::redemptions.nullable(),
            ))
            .first::<(PromotionRow, Option<i32>)>(conn)
            .optional()
            .map_err(store_error)?
            .map(|(row, used)| {
                let used = u32::try_from(used.unwrap_or(0)).unwrap_or(0);
                row.into_promotion().map(|promotion| (promotion, used))
            })
            .transpose()?,
    };
    let shipping_option = match shipping_option {
        None => None,
        Some(code) => shipping_options::table
            .find(code.as_str())
            .select(ShippingOptionRow::as_select())
            .first(conn)
            .optional()
            .map_err(store_error)?
            .map(ShippingOptionRow::into_option)
            .transpose()?,
    };
    Ok(PlacementContext {
        products,
        kept: false,
        promotion,
        shipping_option,
    })
}
