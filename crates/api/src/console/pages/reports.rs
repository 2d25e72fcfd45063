//! Reports: sales by day as a bar chart drawn on the server (SVG, each bar titled with its exact
//! revenue), the best-selling products and categories, the products running low, and the sales
//! tables as CSV. The figures are the sales report's (`GET /v1/reports/sales`), read through the
//! same parameters, use case and CSV writer.

use actix_web::http::{StatusCode, header};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use bigdecimal::ToPrimitive;
use chrono::{Duration, NaiveDate, Utc};
use domain::catalog::Product;
use domain::page::Limit;
use domain::reports::{LowStockQuery, SalesKey, SalesQuery, SalesReport, use_cases};

use crate::console::error::PageError;
use crate::console::form::{FieldMessages, FormFields};
use crate::console::pages::products::ProductRow;
use crate::console::render::{self, Layout, Section};
use crate::console::session::ConsoleStaff;
use crate::http::blocking;
use crate::reports::csv;
use crate::reports::requests::SalesReportParams;
use crate::reports::views::SalesRowView;
use crate::state::AppState;

/// The period shown when none is asked for: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;
/// Best sellers listed; the CSV has them all.
const TOP: usize = 10;
/// Products running low listed at most.
const LOW_STOCK_SHOWN: i64 = 100;

/// The chart's drawing area, in SVG units; the browser scales it to the page's width.
const CHART_WIDTH: f64 = 800.0;
const CHART_HEIGHT: f64 = 240.0;
const PLOT_LEFT: f64 = 8.0;
const PLOT_TOP: f64 = 24.0;
const PLOT_BOTTOM: f64 = 200.0;

/// One day's bar.
struct Bar {
    day: String,
    revenue: String,
    x: String,
    y: String,
    width: String,
    height: String,
    /// Under the bar: the date, for a few bars only so the labels do not overlap.
    label: Option<String>,
    label_x: String,
}

/// Every day of the period, with no sales as zero: the report lists only days that sold.
fn bars(report: &SalesReport, from: NaiveDate, to: NaiveDate) -> Vec<Bar> {
    let days: Vec<NaiveDate> = from.iter_days().take_while(|day| *day < to).collect();
    let revenue_of = |day: NaiveDate| {
        report.rows.iter().find_map(|row| match row.key {
            SalesKey::Day(d) if d == day => Some(row.figures.revenue.clone()),
            _ => None,
        })
    };
    let revenues: Vec<_> = days
        .iter()
        .map(|day| revenue_of(*day).unwrap_or_else(domain::money::Money::zero))
        .collect();
    let highest = revenues
        .iter()
        .filter_map(|revenue| revenue.as_decimal().to_f64())
        .fold(0.0_f64, f64::max);
    let step = (CHART_WIDTH - 2.0 * PLOT_LEFT) / days.len().max(1) as f64;
    let every = days.len().div_ceil(8).max(1);
    days.iter()
        .zip(revenues)
        .enumerate()
        .map(|(i, (day, revenue))| {
            let share = match revenue.as_decimal().to_f64() {
                Some(value) if highest > 0.0 => value / highest,
                _ => 0.0,
            };
            let height = share * (PLOT_BOTTOM - PLOT_TOP);
            let x = PLOT_LEFT + i as f64 * step;
            Bar {
                day: day.format("%Y-%m-%d").to_string(),
                revenue: revenue.to_string(),
                x: format!("{:.2}", x + step * 0.1),
                y: format!("{:.2}", PLOT_BOTTOM - height),
                width: format!("{:.2}", step * 0.8),
                height: format!("{height:.2}"),
                label: (i % every == 0).then(|| day.format("%b %-d").to_string()),
                label_x: format!("{:.2}", x + step / 2.0),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    layout: Layout,
    currency: String,
    from: String,
    to: String,
    messages: FieldMessages,
    orders: i64,
    units: i64,
    revenue: String,
    discounts: String,
    bars: Vec<Bar>,
    /// The best day's revenue: the height of a full bar.
    best_day: String,
    top_products: Vec<SalesRowView>,
    top_categories: Vec<SalesRowView>,
    low_stock: Vec<ProductRow>,
    more_low_stock: bool,
    chart_width: f64,
    chart_height: f64,
    axis_y: f64,
}

impl ReportsPage {
    fn export(&self, group_by: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("from", &self.from),
            ("to", &self.to),
            ("group_by", &group_by.to_owned()),
        ])
        .unwrap_or_default();
        format!("/admin/reports/export.csv?{query}")
    }
}

/// The period asked for, or the last [`DEFAULT_DAYS`] days with today.
fn period(query: &FormFields) -> (String, String) {
    let today = Utc::now().date_naive();
    let from = query.owned("from").unwrap_or_else(|| {
        (today - Duration::days(DEFAULT_DAYS - 1))
            .format("%Y-%m-%d")
            .to_string()
    });
    let to = query
        .owned("to")
        .unwrap_or_else(|| (today + Duration::days(1)).format("%Y-%m-%d").to_string());
    (from, to)
}

fn sales_query(
    from: &str,
    to: &str,
    group_by: Option<&str>,
) -> Result<SalesQuery, crate::http::problem::ApiError> {
    SalesReportParams {
        from: Some(from.to_owned()),
        to: Some(to.to_owned()),
        group_by: group_by.map(str::to_owned),
    }
    .parse()
}

struct Figures {
    by_day: SalesReport,
    by_product: SalesReport,
    by_category: SalesReport,
    low_stock: Vec<Product>,
    more_low_stock: bool,
}

pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    staff: ConsoleStaff,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    let (from, to) = period(&query);
    let mut page = ReportsPage {
        layout: Layout::signed_in(&staff, Section::Reports, "Reports"),
        currency: state.currency.clone(),
        from,
        to,
        messages: FieldMessages::default(),
        orders: 0,
        units: 0,
        revenue: String::new(),
        discounts: String::new(),
        bars: Vec::new(),
        best_day: String::new(),
        top_products: Vec::new(),
        top_categories: Vec::new(),
        low_stock: Vec::new(),
        more_low_stock: false,
        chart_width: CHART_WIDTH,
        chart_height: CHART_HEIGHT,
        axis_y: PLOT_BOTTOM,
    };
    let queries =
        ["day", "product", "category"].map(|group_by| sales_query(&page.from, &page.to, Some(group_by)));
    let [Ok(by_day), Ok(by_product), Ok(by_category)] = queries else {
        let refusal = queries.into_iter().find_map(Result::err);
        page.messages.merge(refusal)?;
        return render::page_with_status(StatusCode::BAD_REQUEST, &page);
    };
    let reports = state.reports.clone();
    let low_stock_query = LowStockQuery {
        after: None,
        limit: Limit::new(LOW_STOCK_SHOWN).unwrap_or_default(),
    };
    let figures = blocking::run(move || {
        let low_stock = use_cases::low_stock(&reports, &low_stock_query)?;
        Ok::<_, domain::reports::ReportError>(Figures {
            by_day: use_cases::sales_report(&reports, &by_day)?,
            by_product: use_cases::sales_report(&reports, &by_product)?,
            by_category: use_cases::sales_report(&reports, &by_category)?,
            more_low_stock: low_stock.next.is_some(),
            low_stock: low_stock.items,
        })
    })
    .await?;
    page.bars = bars(&figures.by_day, by_day.period.from(), by_day.period.to());
    page.best_day = figures
        .by_day
        .rows
        .iter()
        .map(|row| &row.figures.revenue)
        .max()
        .map(ToString::to_string)
        .unwrap_or_else(|| "0.00".into());
    let totals = figures.by_day.totals;
    page.orders = totals.orders;
    page.units = totals.units;
    page.revenue = totals.revenue.to_string();
    page.discounts = totals.discounts.to_string();
    let top = |report: SalesReport| {
        report
            .rows
            .into_iter()
            .take(TOP)
            .map(SalesRowView::from)
            .collect()
    };
    page.top_products = top(figures.by_product);
    page.top_categories = top(figures.by_category);
    page.low_stock = figures.low_stock.into_iter().map(ProductRow::from).collect();
    page.more_low_stock = figures.more_low_stock;
    render::page(&page)
}

/// A sales table of the period as CSV, under `/admin` so the console session authorizes it.
pub async fn export(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: ConsoleStaff,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    let (from, to) = period(&query);
    let sales = sales_query(&from, &to, query.get("group_by"))?;
    let reports = state.reports.clone();
    let report = blocking::run(move || use_cases::sales_report(&reports, &sales)).await?;
    let rows: Vec<SalesRowView> = report.rows.into_iter().map(Into::into).collect();
    let grouping = sales.grouping.as_str();
    Ok(HttpResponse::Ok()
        .content_type(csv::CONTENT_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"sales-by-{grouping}-{from}-to-{to}.csv\""),
        ))
        .body(csv::sales(sales.grouping, &rows)))
}

#[cfg(test)]
mod tests {
    use domain::money::Money;
    use domain::reports::{SalesFigures, SalesRow};

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn every_day_of_the_period_has_a_bar_and_days_without_sales_are_zero() {
        let report = SalesReport {
            rows: vec![SalesRow {
                key: SalesKey::Day(day(2)),
                figures: SalesFigures {
                    revenue: Money::parse_amount("12.50").unwrap(),
                    ..SalesFigures::zero()
                },
            }],
            totals: SalesFigures::zero(),
        };

        let bars = bars(&report, day(1), day(4));

        assert_eq!(
            bars.iter()
                .map(|b| (b.day.as_str(), b.revenue.as_str()))
                .collect::<Vec<_>>(),
            [
                ("2026-03-01", "0.00"),
                ("2026-03-02", "12.50"),
                ("2026-03-03", "0.00")
            ]
        );
        assert_eq!(
            bars[1].height,
            format!("{:.2}", PLOT_BOTTOM - PLOT_TOP),
            "the best day is full height"
        );
        assert_eq!(bars[0].height, "0.00");
    }
}
