//! `GET /metrics`: Prometheus text exposition of the series `API.md` names. The `metrics` facade
//! records, `metrics-exporter-prometheus` renders; routes are labelled by their pattern
//! (`/v1/orders/{id}`), never by the raw path, so a client cannot mint new series.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

const REQUEST_DURATION: &str = "http_request_duration_seconds";
/// From a cached read to a request that waited out a lock.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process's recorder, installed on first use (tests start many apps in one process).
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.into()), &LATENCY_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|error| tracing::warn!(%error, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// Installs the recorder; call once at start so counters recorded before the first scrape count.
pub fn install() {
    handle();
}

/// Middleware: counts every request and times it, by route pattern, method and status.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let outcome = next.call(req).await;
    let (route, status) = match &outcome {
        Ok(response) => (response.request().match_pattern(), response.status().as_u16()),
        Err(error) => (None, error.as_response_error().status_code().as_u16()),
    };
    let labels = [
        ("route", route.map_or(Cow::Borrowed("unmatched"), Cow::Owned)),
        ("method", method),
        ("status", Cow::Owned(status.to_string())),
    ];
    ::metrics::counter!("http_requests_total", &labels).increment(1);
    ::metrics::histogram!(REQUEST_DURATION, &labels).record(started.elapsed().as_secs_f64());
    outcome
}

/// The method as a label, without an allocation for the methods the API has.
fn method_label(method: &Method) -> Cow<'static, str> {
    match *method {
        Method::GET => Cow::Borrowed("GET"),
        Method::POST => Cow::Borrowed("POST"),
        Method::PUT => Cow::Borrowed("PUT"),
        Method::PATCH => Cow::Borrowed("PATCH"),
        Method::DELETE => Cow::Borrowed("DELETE"),
        Method::HEAD => Cow::Borrowed("HEAD"),
        Method::OPTIONS => Cow::Borrowed("OPTIONS"),
        ref other => Cow::Owned(other.to_string()),
    }
}

pub fn order_placed() {
    ::metrics::counter!("orders_placed_total").increment(1);
}

/// `reason` is the refusal's problem code (`insufficient_stock`, `too_many_pending_orders`, …).
pub fn order_refused(reason: &'static str) {
    ::metrics::counter!("order_refusals_total", "reason" => reason).increment(1);
}

pub fn rate_limited(policy: &'static str) {
    ::metrics::counter!("rate_limited_total", "policy" => policy).increment(1);
}

/// The Prometheus text exposition. Not under `/v1` and without auth: restrict it at the proxy.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn scrape(state: Data<AppState>) -> HttpResponse {
    let Some(handle) = handle() else {
        return HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body("");
    };
    let pool = state.pool.state();
    ::metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(f64::from(pool.connections - pool.idle_connections));
    ::metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(pool.idle_connections));
    handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(handle.render())
}
