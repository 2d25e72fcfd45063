//! The sales statement's rows, and the report they make.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Numeric, Text};
use domain::ids::ProductId;
use domain::money::Money;
use domain::reports::{SalesFigures, SalesGrouping, SalesKey, SalesReport, SalesRow};
use domain::store::StoreError;

/// A group's figures, or the period's totals when `is_total`; only the grouping's key columns
/// are set.
#[derive(QueryableByName, Debug)]
pub struct SalesRowData {
    #[diesel(sql_type = Bool)]
    is_total: bool,
    #[diesel(sql_type = Nullable<Date>)]
    day: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    product_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    sku: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = BigInt)]
    orders: i64,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = Numeric)]
    revenue: BigDecimal,
    #[diesel(sql_type = Numeric)]
    discounts: BigDecimal,
}

impl SalesRowData {
    fn figures(&self) -> SalesFigures {
        SalesFigures {
            orders: self.orders,
            units: self.units,
            // Sums of amounts the CHECKs keep non-negative (`0 <= discount <= line_total`).
            revenue: Money::from_stored(self.revenue.clone()),
            discounts: Money::from_stored(self.discounts.clone()),
        }
    }

    fn key(self, grouping: SalesGrouping) -> Result<SalesKey, StoreError> {
        let missing =
            || StoreError::Internal(format!("a sales row by {} without its key", grouping.as_str()));
        Ok(match grouping {
            SalesGrouping::Day => SalesKey::Day(self.day.ok_or_else(missing)?),
            SalesGrouping::Product => match (self.product_id, self.sku, self.name) {
                (Some(id), Some(sku), Some(name)) => SalesKey::Product {
                    id: ProductId(id),
                    sku,
                    name,
                },
                _ => return Err(missing()),
            },
            SalesGrouping::Category => SalesKey::Category(self.category),
        })
    }
}

/// The groups' rows and the totals row, as the domain reads them. A period without sales still
/// has its totals row (the empty grouping set yields one), all zero.
pub fn sales_report(rows: Vec<SalesRowData>, grouping: SalesGrouping) -> Result<SalesReport, StoreError> {
    let mut report = SalesReport {
        rows: Vec::with_capacity(rows.len()),
        totals: SalesFigures::zero(),
    };
    for row in rows {
        if row.is_total {
            report.totals = row.figures();
        } else {
            let figures = row.figures();
            report.rows.push(SalesRow {
                key: row.key(grouping)?,
                figures,
            });
        }
    }
    Ok(report)
}
