//! Staff read the reports: sales over a period, and the products to reorder.

use crate::catalog::Product;
use crate::page::Page;
use crate::store::StoreError;

use super::low_stock::{LowStockKey, LowStockQuery};
use super::period::PeriodError;
use super::ports::Reports;
use super::sales::{SalesQuery, SalesReport, report_order};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    /// The dates asked for make no period a report covers.
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The sales of the period in report order: days in calendar order, products and categories
/// best-selling first.
pub fn sales_report(reports: &impl Reports, query: &SalesQuery) -> Result<SalesReport, ReportError> {
    let mut report = reports.sales(query)?;
    report.rows.sort_by(report_order);
    Ok(report)
}

/// One page of the products running low, lowest stock first.
pub fn low_stock(
    reports: &impl Reports,
    query: &LowStockQuery,
) -> Result<Page<Product, LowStockKey>, ReportError> {
    let rows = reports.low_stock(query)?;
    Ok(Page::from_overfetch(rows, query.limit, LowStockKey::of))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use mockall::predicate::eq;

    use super::*;
    use crate::ids::ProductId;
    use crate::money::Money;
    use crate::page::Limit;
    use crate::reports::period::ReportPeriod;
    use crate::reports::ports::MockReports;
    use crate::reports::sales::{SalesFigures, SalesGrouping, SalesKey, SalesRow};

    fn query(grouping: SalesGrouping) -> SalesQuery {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        SalesQuery {
            period: ReportPeriod::new(day(1), day(31)).unwrap(),
            grouping,
        }
    }

    fn figures(orders: i64, revenue: &str) -> SalesFigures {
        SalesFigures {
            orders,
            units: orders,
            revenue: Money::parse_amount(revenue).unwrap(),
            discounts: Money::zero(),
        }
    }

    fn product(id: i64, stock: i32) -> Product {
        Product {
            stock,
            ..Product::sample(id)
        }
    }

    #[test]
    fn the_sales_report_asks_the_store_for_the_query_and_orders_its_rows_best_selling_first() {
        let mut reports = MockReports::new();
        let category = |name: &str| SalesKey::Category(Some(name.to_owned()));
        reports
            .expect_sales()
            .with(eq(query(SalesGrouping::Category)))
            .times(1)
            .returning(move |_| {
                Ok(SalesReport {
                    rows: vec![
                        SalesRow {
                            key: category("bath"),
                            figures: figures(1, "4.00"),
                        },
                        SalesRow {
                            key: category("kitchen"),
                            figures: figures(2, "30.00"),
                        },
                    ],
                    totals: figures(2, "34.00"),
                })
            });

        let report = sales_report(&reports, &query(SalesGrouping::Category)).unwrap();

        assert_eq!(
            report.rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
            [category("kitchen"), category("bath")]
        );
        assert_eq!(report.totals, figures(2, "34.00"));
    }

    #[test]
    fn a_store_outage_is_no_empty_report() {
        let mut reports = MockReports::new();
        reports
            .expect_sales()
            .returning(|_| Err(StoreError::Unavailable("down".into())));

        assert_eq!(
            sales_report(&reports, &query(SalesGrouping::Day)),
            Err(ReportError::Store(StoreError::Unavailable("down".into())))
        );
    }

    #[test]
    fn a_low_stock_page_continues_after_the_stock_and_id_of_its_last_product() {
        let mut reports = MockReports::new();
        let asked = LowStockQuery {
            after: Some(LowStockKey {
                stock: 0,
                id: ProductId(3),
            }),
            limit: Limit::new(2).unwrap(),
        };
        reports
            .expect_low_stock()
            .with(eq(asked))
            .times(1)
            .returning(|_| Ok(vec![product(7, 1), product(2, 4), product(5, 4)]));

        let page = low_stock(&reports, &asked).unwrap();

        assert_eq!(
            page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
            [ProductId(7), ProductId(2)]
        );
        assert_eq!(
            page.next,
            Some(LowStockKey {
                stock: 4,
                id: ProductId(2)
            })
        );
    }

    #[test]
    fn the_last_low_stock_page_has_no_next() {
        let mut reports = MockReports::new();
        reports.expect_low_stock().returning(|_| Ok(vec![product(7, 1)]));

        let page = low_stock(&reports, &LowStockQuery::default()).unwrap();

        assert_eq!((page.items.len(), page.next), (1, None));
    }
}
