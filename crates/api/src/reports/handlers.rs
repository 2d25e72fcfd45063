//! Reports (staff): decode, call one use case on the blocking pool, encode.

use actix_web::http::header;
use actix_web::mime;
use actix_web::web::{Data, Query};
use actix_web::{HttpRequest, HttpResponse, get};
use domain::reports::{LowStockKey, LowStockQuery, use_cases};

use super::csv;
use super::requests::SalesReportParams;
use super::views::{SalesReportView, SalesRowView};
use crate::auth::Staff;
use crate::catalog::requests::PageParams;
use crate::catalog::views::ProductView;
use crate::http::page::{self, PageBody};
use crate::http::problem::ApiError;
use crate::http::{accept, blocking};
use crate::ops::openapi::Problem;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(sales_report).service(low_stock);
}

/// What paid orders sold in a period, by day, product or category (staff). Orders count when
/// paid, shipped or delivered, on the UTC day of `paid_at`. JSON, or with `Accept: text/csv`
/// the rows as CSV.
#[utoipa::path(
    tag = "reports",
    params(SalesReportParams),
    responses(
        (status = 200, description = "The period's rows and totals as JSON; with `Accept: text/csv`, \
            the rows as CSV with a header line: `key,orders,units,revenue,discounts`, or with \
            `group_by=product` `key,sku,name,orders,units,revenue,discounts` (an empty `key` is \
            the uncategorised)",
            headers(("Vary" = String, description = "`Accept`")),
            content((SalesReportView = "application/json"), (String = "text/csv"))),
        (status = 400, description = "bad_query: `from` or `to` missing or not a `YYYY-MM-DD` date, \
            an unknown `group_by` or parameter", body = Problem),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 422, description = "validation_failed on `to`: not after `from`, or more than 366 days \
            after it", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/reports/sales")]
pub async fn sales_report(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    params: Query<SalesReportParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_inner().parse()?;
    let reports = state.reports.clone();
    let report = blocking::run(move || use_cases::sales_report(&reports, &query)).await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    if accept::prefers(&req, &mime::TEXT_CSV, &mime::APPLICATION_JSON) {
        let rows: Vec<SalesRowView> = report.rows.into_iter().map(Into::into).collect();
        Ok(response
            .content_type(csv::CONTENT_TYPE)
            .body(csv::sales(query.grouping, &rows)))
    } else {
        Ok(response.json(SalesReportView::from(report)))
    }
}

/// Active products at or below their low-stock threshold, lowest stock first, then by id
/// (staff).
#[utoipa::path(
    tag = "reports",
    params(PageParams),
    responses(
        (status = 200, description = "One page of products running low", body = PageBody<ProductView>),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/reports/low-stock")]
pub async fn low_stock(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = params.into_inner().parse::<LowStockKey>(&state.cursors)?;
    let reports = state.reports.clone();
    let query = LowStockQuery { after, limit };
    let page = blocking::run(move || use_cases::low_stock(&reports, &query)).await?;
    let next = page.next.map(|key| state.cursors.encode(&key));
    let currency = &state.currency;
    let items: Vec<ProductView> = page
        .items
        .into_iter()
        .map(|product| ProductView::new(product, currency))
        .collect();
    Ok(page::respond(&req, items, next))
}
