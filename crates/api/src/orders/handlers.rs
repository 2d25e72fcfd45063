//! Orders: decode, call one order use case on the blocking pool, encode.

use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, post};
use domain::idempotency::IdempotencyKey;
use domain::ids::OrderId;
use domain::orders::Action;
use domain::orders::use_cases::{self, Viewer};

use super::idempotent;
use super::requests::{BulkShipRequest, ListOrdersParams, PlaceOrderRequest};
use super::views::{BulkShipView, FailedShipment, HistoryView, OrderView, QuoteView};
use crate::auth::{Caller, Staff};
use crate::http::blocking;
use crate::http::json::Object;
use crate::http::page::{self, PageBody};
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(place_order)
        .service(quote_order)
        .service(list_orders)
        .service(bulk_ship)
        .service(get_order)
        .service(cancel_order)
        .service(ship_order)
        .service(deliver_order)
        .service(order_history);
}

fn viewer(caller: Caller) -> Viewer {
    Viewer {
        user_id: caller.user_id,
        role: caller.role,
    }
}

/// Place an order: all lines reserved or nothing changes. Optional `Idempotency-Key`.
#[utoipa::path(
    tag = "orders",
    params(("Idempotency-Key" = Option<String>, Header, description = "1..=255 visible ASCII characters; retries with the same key and body replay the first answer")),
    request_body = PlaceOrderRequest,
    responses(
        (status = 201, description = "Placed", body = OrderView, headers(("Location" = String))),
        (status = 409, description = "insufficient_stock (with every shortage), promo_exhausted, price_changed (with the current `quote`), idempotency_in_flight or too_many_pending_orders", body = Problem),
        (status = 422, description = "validation_failed, unknown_field, unknown_product, promo_invalid (with its `reason`) or idempotency_key_reused", body = Problem),
        (status = 429, description = "rate_limited (the `orders` policy, per customer)", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/orders")]
pub async fn place_order(
    req: HttpRequest,
    state: Data<AppState>,
    caller: Caller,
    body: Json<Object<PlaceOrderRequest>>,
) -> Result<HttpResponse, ApiError> {
    state.order_limit.spend(&req, caller.user_id)?;
    let request = body.parse()?;
    let key = req
        .headers()
        .get("Idempotency-Key")
        .map(|v| IdempotencyKey::parse(v.to_str().unwrap_or("\u{0}")))
        .transpose()?;
    // Only a keyed request is ever compared with another: no hashing otherwise.
    let keyed = key.map(|key| (key, body.fingerprint()));
    idempotent::place(&state, caller.user_id, request, keyed).await
}

/// What the order would be right now: prices, discounts, shipping, totals and any shortages.
/// Reserves and redeems nothing. Same body, validation and errors as placing, except that
/// shortages are in the answer rather than a `409`.
#[utoipa::path(
    tag = "orders",
    request_body = PlaceOrderRequest,
    responses(
        (status = 200, description = "The quote", body = QuoteView),
        (status = 409, description = "promo_exhausted", body = Problem),
        (status = 422, description = "validation_failed, unknown_field, unknown_product or promo_invalid (with its reason)", body = Problem),
        (status = 429, description = "rate_limited (the `orders` policy, per customer)", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/orders/quote")]
pub async fn quote_order(
    req: HttpRequest,
    state: Data<AppState>,
    caller: Caller,
    body: Json<Object<PlaceOrderRequest>>,
) -> Result<HttpResponse, ApiError> {
    state.order_limit.spend(&req, caller.user_id)?;
    let request = body.parse()?;
    let orders = state.orders.clone();
    let quote =
        blocking::run(move || use_cases::quote_order(&orders, caller.user_id, &request, chrono::Utc::now()))
            .await?;
    Ok(HttpResponse::Ok().json(QuoteView::new(quote, &state.currency)))
}

/// Orders, newest first, with their items: customers see their own, staff everyone's.
#[utoipa::path(
    tag = "orders",
    params(ListOrdersParams),
    responses(
        (status = 200, description = "One page of orders", body = PageBody<OrderView>),
        (status = 400, description = "bad_query", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/orders")]
pub async fn list_orders(
    req: HttpRequest,
    state: Data<AppState>,
    caller: Caller,
    params: Query<ListOrdersParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.into_inner().parse(&state.cursors)?;
    let orders = state.orders.clone();
    let page = blocking::run(move || use_cases::list_orders(&orders, filter, viewer(caller))).await?;
    let next = page.next.map(|key| state.cursors.encode(&key));
    let items: Vec<OrderView> = page.items.into_iter().map(Into::into).collect();
    Ok(page::respond(&req, items, next))
}

/// One order: its owner or staff; anyone else gets `404`.
#[utoipa::path(
    tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    responses((status = 200, description = "The order", body = OrderView), (status = 404, description = "not_found", body = Problem)),
    security(("bearer" = []))
)]
#[get("/orders/{id}")]
pub async fn get_order(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let orders = state.orders.clone();
    let id = OrderId(id.into_inner());
    let order = blocking::run(move || use_cases::order_details(&orders, id, viewer(caller))).await?;
    Ok(HttpResponse::Ok().json(OrderView::from(order)))
}

async fn act(
    state: Data<AppState>,
    caller: Caller,
    id: i64,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let orders = state.orders.clone();
    let order =
        blocking::run(move || use_cases::act_on_order(&orders, OrderId(id), action, viewer(caller))).await?;
    Ok(HttpResponse::Ok().json(OrderView::from(order)))
}

/// Cancel: the owner while pending, staff while pending or paid. Stock is returned.
#[utoipa::path(
    tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    responses(
        (status = 200, description = "Cancelled", body = OrderView),
        (status = 404, description = "not_found", body = Problem),
        (status = 409, description = "invalid_transition", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/cancel")]
pub async fn cancel_order(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), Action::Cancel).await
}

/// Ship a paid order (staff).
#[utoipa::path(
    tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    responses(
        (status = 200, description = "Shipped", body = OrderView),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "not_found", body = Problem),
        (status = 409, description = "invalid_transition", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/ship")]
pub async fn ship_order(
    state: Data<AppState>,
    staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    act(state, staff.0, id.into_inner(), Action::Ship).await
}

/// Mark a shipped order delivered (staff).
#[utoipa::path(
    tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    responses(
        (status = 200, description = "Delivered", body = OrderView),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "not_found", body = Problem),
        (status = 409, description = "invalid_transition", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/deliver")]
pub async fn deliver_order(
    state: Data<AppState>,
    staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    act(state, staff.0, id.into_inner(), Action::Deliver).await
}

/// Ship many paid orders (staff); each ships or fails on its own.
#[utoipa::path(
    tag = "orders",
    request_body = BulkShipRequest,
    responses(
        (status = 200, description = "What shipped and what did not", body = BulkShipView),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 422, description = "validation_failed", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/orders/bulk-ship")]
pub async fn bulk_ship(
    state: Data<AppState>,
    staff: Staff,
    body: Json<Object<BulkShipRequest>>,
) -> Result<HttpResponse, ApiError> {
    let ids = body.into_inner().0.parse()?;
    let orders = state.orders.clone();
    let outcome = blocking::run(move || use_cases::bulk_ship(&orders, &ids, viewer(staff.0))).await?;
    let failed = outcome
        .failed
        .into_iter()
        .map(|(id, error)| {
            let code = match error {
                domain::orders::OrderError::NotFound => "not_found",
                domain::orders::OrderError::InvalidTransition { .. } => "invalid_transition",
                // The database failed midway: this order and the rest were not tried.
                domain::orders::OrderError::Store(_) => "unavailable",
                _ => "failed",
            };
            FailedShipment { id: id.0, code }
        })
        .collect();
    Ok(HttpResponse::Ok().json(BulkShipView {
        shipped: outcome.shipped.into_iter().map(|id| id.0).collect(),
        failed,
    }))
}

/// Every transition of an order, oldest first.
#[utoipa::path(
    tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    responses((status = 200, description = "The history", body = HistoryView), (status = 404, description = "not_found", body = Problem)),
    security(("bearer" = []))
)]
#[get("/orders/{id}/history")]
pub async fn order_history(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let orders = state.orders.clone();
    let id = OrderId(id.into_inner());
    let history = blocking::run(move || use_cases::order_history(&orders, id, viewer(caller))).await?;
    Ok(HttpResponse::Ok().json(HistoryView {
        items: history.into_iter().map(Into::into).collect(),
    }))
}
