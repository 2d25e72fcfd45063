//! The dashboard: today's sales, the orders waiting on someone, the products running low, and
//! whether the outbox keeps up with delivering events.

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use domain::console::dashboard;
use domain::page::Limit;
use infra::events::PgDeliveries;

use crate::console::error::PageError;
use crate::console::form::FormFields;
use crate::console::pages::products::ProductRow;
use crate::console::render::{self, Layout, Section};
use crate::console::session::ConsoleStaff;
use crate::http::blocking;
use crate::state::AppState;

/// Products of the low-stock report shown here; the reports page lists them all.
const LOW_STOCK_SHOWN: i64 = 10;

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    currency: String,
    paid_orders_today: i64,
    revenue_today: String,
    pending_orders: i64,
    awaiting_shipment: i64,
    low_stock: Vec<ProductRow>,
    more_low_stock: bool,
    outbox_pending: i64,
    outbox_oldest: String,
}

/// How long the oldest undelivered event has waited, roughly.
fn age(seconds: f64) -> String {
    let seconds = seconds.max(0.0).round() as u64;
    match seconds {
        0..=119 => format!("{seconds} s"),
        120..=7199 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    staff: ConsoleStaff,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    let (orders, reports) = (state.orders.clone(), state.reports.clone());
    let today = Utc::now().date_naive();
    let shown = Limit::new(LOW_STOCK_SHOWN).unwrap_or_default();
    let figures = blocking::run(move || dashboard::dashboard(&orders, &reports, today, shown)).await?;
    let deliveries = PgDeliveries::new(state.pool.clone());
    let backlog = blocking::run(move || deliveries.backlog()).await?;
    render::page(&DashboardPage {
        layout: Layout::signed_in(&staff, Section::Dashboard, "Dashboard")
            .with_notice(render::notice(&query)),
        currency: state.currency.clone(),
        paid_orders_today: figures.sales_today.orders,
        revenue_today: figures.sales_today.revenue.to_string(),
        pending_orders: figures.pending_orders,
        awaiting_shipment: figures.awaiting_shipment,
        low_stock: figures.low_stock.into_iter().map(ProductRow::from).collect(),
        more_low_stock: figures.more_low_stock,
        outbox_pending: backlog.pending,
        outbox_oldest: age(backlog.oldest_seconds),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_age_reads_in_seconds_then_minutes_then_hours() {
        assert_eq!(age(0.4), "0 s");
        assert_eq!(age(95.0), "95 s");
        assert_eq!(age(600.0), "10 min");
        assert_eq!(age(3.0 * 3600.0), "3 h");
        assert_eq!(age(-1.0), "0 s");
    }
}
