//! The sales report: what paid orders sold over a period, grouped by day, product or category.

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::field_errors::ErrorCode;
use crate::ids::ProductId;
use crate::money::Money;

use super::period::ReportPeriod;

/// What one row of the report stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SalesGrouping {
    /// The UTC date of each order's payment.
    #[default]
    Day,
    Product,
    /// The product's category now: order lines do not record one.
    Category,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of day, product, category")]
pub struct SalesGroupingError;

impl ErrorCode for SalesGroupingError {
    fn code(&self) -> &'static str {
        "format"
    }
}

impl SalesGrouping {
    pub fn parse(raw: &str) -> Result<SalesGrouping, SalesGroupingError> {
        match raw {
            "day" => Ok(SalesGrouping::Day),
            "product" => Ok(SalesGrouping::Product),
            "category" => Ok(SalesGrouping::Category),
            _ => Err(SalesGroupingError),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SalesGrouping::Day => "day",
            SalesGrouping::Product => "product",
            SalesGrouping::Category => "category",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalesQuery {
    pub period: ReportPeriod,
    pub grouping: SalesGrouping,
}

/// The group a row adds up, in the terms of the query's grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SalesKey {
    Day(NaiveDate),
    /// With the product's SKU and its name now, so the row reads without another request.
    Product {
        id: ProductId,
        sku: String,
        name: String,
    },
    /// `None` gathers the products without a category.
    Category(Option<String>),
}

/// What a group (or the whole period) sold. `revenue` is merchandise net of discounts
/// (`line_total − discount`, shipping aside), so `revenue + discounts` is the lines' gross.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesFigures {
    /// Paid orders with at least one line in the group, each counted once.
    pub orders: i64,
    /// Units sold.
    pub units: i64,
    pub revenue: Money,
    pub discounts: Money,
}

impl SalesFigures {
    pub fn zero() -> SalesFigures {
        SalesFigures {
            orders: 0,
            units: 0,
            revenue: Money::zero(),
            discounts: Money::zero(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesRow {
    pub key: SalesKey,
    pub figures: SalesFigures,
}

/// One row per group that sold anything, and the totals of the period. Every grouping of a
/// period has the same totals: each line falls into exactly one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesReport {
    pub rows: Vec<SalesRow>,
    pub totals: SalesFigures,
}

/// Days in calendar order; products and categories best-selling first (by revenue), ties by
/// product id or category name, the uncategorised last.
pub fn report_order(a: &SalesRow, b: &SalesRow) -> Ordering {
    match (&a.key, &b.key) {
        (SalesKey::Day(x), SalesKey::Day(y)) => x.cmp(y),
        _ => b
            .figures
            .revenue
            .cmp(&a.figures.revenue)
            .then_with(|| key_order(&a.key, &b.key)),
    }
}

fn key_order(a: &SalesKey, b: &SalesKey) -> Ordering {
    match (a, b) {
        (SalesKey::Product { id: x, .. }, SalesKey::Product { id: y, .. }) => x.cmp(y),
        (SalesKey::Category(x), SalesKey::Category(y)) => match (x, y) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        // One report has one grouping; mixed keys never meet.
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: SalesKey, revenue: &str) -> SalesRow {
        SalesRow {
            key,
            figures: SalesFigures {
                revenue: Money::parse_amount(revenue).unwrap(),
                ..SalesFigures::zero()
            },
        }
    }

    fn category(name: Option<&str>) -> SalesKey {
        SalesKey::Category(name.map(str::to_owned))
    }

    #[test]
    fn groupings_are_day_product_or_category_and_day_by_default() {
        for grouping in [
            SalesGrouping::Day,
            SalesGrouping::Product,
            SalesGrouping::Category,
        ] {
            assert_eq!(SalesGrouping::parse(grouping.as_str()), Ok(grouping));
        }
        assert_eq!(SalesGrouping::default(), SalesGrouping::Day);
        for raw in ["Day", "days", "sku", ""] {
            assert_eq!(SalesGrouping::parse(raw), Err(SalesGroupingError), "{raw:?}");
        }
    }

    #[test]
    fn days_come_in_calendar_order_whatever_they_sold() {
        let day = |d: u32| SalesKey::Day(NaiveDate::from_ymd_opt(2026, 3, d).unwrap());
        let mut rows = vec![row(day(2), "1.00"), row(day(1), "9.00"), row(day(3), "5.00")];

        rows.sort_by(report_order);

        assert_eq!(
            rows.into_iter().map(|r| r.key).collect::<Vec<_>>(),
            [day(1), day(2), day(3)]
        );
    }

    #[test]
    fn categories_sell_best_first_ties_by_name_and_the_uncategorised_last() {
        let mut rows = vec![
            row(category(None), "5.00"),
            row(category(Some("garden")), "5.00"),
            row(category(Some("kitchen")), "12.50"),
            row(category(Some("bath")), "5.00"),
        ];

        rows.sort_by(report_order);

        assert_eq!(
            rows.into_iter().map(|r| r.key).collect::<Vec<_>>(),
            [
                category(Some("kitchen")),
                category(Some("bath")),
                category(Some("garden")),
                category(None)
            ]
        );
    }

    #[test]
    fn products_sell_best_first_ties_by_product_id() {
        let product = |id: i64| SalesKey::Product {
            id: ProductId(id),
            sku: format!("S-{id}"),
            name: format!("P {id}"),
        };
        let mut rows = vec![
            row(product(9), "3.00"),
            row(product(4), "3.00"),
            row(product(12), "100.00"),
        ];

        rows.sort_by(report_order);

        assert_eq!(
            rows.into_iter().map(|r| r.key).collect::<Vec<_>>(),
            [product(12), product(4), product(9)]
        );
    }
}
