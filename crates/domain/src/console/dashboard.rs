//! The dashboard's figures: what sold today, the orders waiting on someone, the products running
//! low. Each comes from the use case that owns its rule (the sales report, the order store's
//! counts, the low-stock report), so the dashboard never counts differently from them.

use chrono::NaiveDate;

use crate::catalog::Product;
use crate::orders::{OrderStatus, OrderStore};
use crate::page::Limit;
use crate::reports::use_cases::{low_stock, sales_report};
use crate::reports::{
    LowStockQuery, ReportError, ReportPeriod, Reports, SalesFigures, SalesGrouping, SalesQuery,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The sales report of `today` (UTC): orders paid today and what they sold.
    pub sales_today: SalesFigures,
    /// Placed, not paid yet.
    pub pending_orders: i64,
    /// Paid, not shipped yet: the orders waiting for staff.
    pub awaiting_shipment: i64,
    /// The first products of the low-stock report, lowest stock first.
    pub low_stock: Vec<Product>,
    /// Whether the low-stock report lists more than `low_stock`.
    pub more_low_stock: bool,
}

pub fn dashboard(
    orders: &impl OrderStore,
    reports: &impl Reports,
    today: NaiveDate,
    low_stock_shown: Limit,
) -> Result<Dashboard, ReportError> {
    let tomorrow = today.succ_opt().unwrap_or(today);
    let sales = sales_report(
        reports,
        &SalesQuery {
            period: ReportPeriod::new(today, tomorrow)?,
            grouping: SalesGrouping::Day,
        },
    )?;
    let low = low_stock(
        reports,
        &LowStockQuery {
            after: None,
            limit: low_stock_shown,
        },
    )?;
    Ok(Dashboard {
        sales_today: sales.totals,
        pending_orders: orders.count_by_status(OrderStatus::Pending)?,
        awaiting_shipment: orders.count_by_status(OrderStatus::Paid)?,
        more_low_stock: low.next.is_some(),
        low_stock: low.items,
    })
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::ids::ProductId;
    use crate::money::Money;
    use crate::orders::ports::MockOrderStore;
    use crate::reports::ports::MockReports;
    use crate::reports::sales::SalesKey;
    use crate::reports::{SalesReport, SalesRow};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn product(id: i64, stock: i32) -> Product {
        Product {
            stock,
            ..Product::sample(id)
        }
    }

    #[test]
    fn the_dashboard_shows_todays_sales_report_the_waiting_orders_and_the_first_low_stock_products() {
        let today_figures = SalesFigures {
            orders: 2,
            units: 3,
            revenue: Money::parse_amount("30.00").unwrap(),
            discounts: Money::zero(),
        };
        let mut reports = MockReports::new();
        let figures = today_figures.clone();
        reports
            .expect_sales()
            .withf(|q| q.period.from() == day(5) && q.period.to() == day(6))
            .times(1)
            .returning(move |_| {
                Ok(SalesReport {
                    rows: vec![SalesRow {
                        key: SalesKey::Day(day(5)),
                        figures: figures.clone(),
                    }],
                    totals: figures.clone(),
                })
            });
        reports
            .expect_low_stock()
            .withf(|q| q.limit.get() == 2 && q.after.is_none())
            .returning(|_| Ok(vec![product(7, 0), product(3, 2), product(9, 4)]));
        let mut orders = MockOrderStore::new();
        orders
            .expect_count_by_status()
            .returning(|status| Ok(if status == OrderStatus::Pending { 4 } else { 1 }));

        let dashboard = dashboard(&orders, &reports, day(5), Limit::new(2).unwrap()).unwrap();

        assert_eq!(dashboard.sales_today, today_figures);
        assert_eq!((dashboard.pending_orders, dashboard.awaiting_shipment), (4, 1));
        assert_eq!(
            dashboard.low_stock.iter().map(|p| p.id).collect::<Vec<_>>(),
            [ProductId(7), ProductId(3)]
        );
        assert!(dashboard.more_low_stock);
    }
}
