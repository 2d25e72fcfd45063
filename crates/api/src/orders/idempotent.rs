//! Placing an order under an `Idempotency-Key`: claim the key (a unique insert decides among
//! concurrent duplicates, on any instance), execute once, save the answer, replay it after.
//! A keyed request comes with the fingerprint of its body, to tell a retry from a reuse.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError as _};
use domain::idempotency::{Claim, IdempotencyKey, IdempotencyStore};
use domain::ids::UserId;
use domain::orders::{OrderRequest, use_cases};

use super::views::OrderView;
use crate::http::blocking;
use crate::http::problem::ApiError;
use crate::ops::metrics;
use crate::state::AppState;

pub const REPLAYED: &str = "Idempotent-Replayed";

/// `201` with the order, as first answered and as replayed.
fn created(order: OrderView) -> (StatusCode, Vec<u8>, String) {
    let location = format!("/v1/orders/{}", order.id);
    (
        StatusCode::CREATED,
        serde_json::to_vec(&order).unwrap_or_default(),
        location,
    )
}

fn respond(status: StatusCode, body: Vec<u8>, location: Option<String>, replayed: bool) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    response.insert_header((header::CONTENT_TYPE, content_type));
    if let Some(location) = location {
        response.insert_header((header::LOCATION, location));
    }
    if replayed {
        response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    }
    response.body(body)
}

async fn place_now(
    state: &AppState,
    customer: UserId,
    request: OrderRequest,
    key: Option<IdempotencyKey>,
) -> Result<OrderView, ApiError> {
    let orders = state.orders.clone();
    let max_pending = state.max_pending_orders;
    let order = blocking::run(move || {
        use_cases::place_order(
            &orders,
            customer,
            &request,
            key.as_ref().map(IdempotencyKey::as_str),
            max_pending,
            chrono::Utc::now(),
        )
    })
    .await;
    match &order {
        Ok(_) => metrics::order_placed(),
        Err(refusal) if refusal.status_code().is_client_error() => metrics::order_refused(refusal.code()),
        Err(_) => {}
    }
    Ok(order?.into())
}

pub async fn place(
    state: &AppState,
    customer: UserId,
    request: OrderRequest,
    keyed: Option<(IdempotencyKey, String)>,
) -> Result<HttpResponse, ApiError> {
    let Some((key, fingerprint)) = keyed else {
        let (status, body, location) = created(place_now(state, customer, request, None).await?);
        return Ok(respond(status, body, Some(location), false));
    };

    let store = state.idempotency.clone();
    let claim_key = key.clone();
    let claim = blocking::run(move || store.claim(customer, &claim_key, &fingerprint)).await?;
    let outcome = match claim {
        Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let location = status.is_success().then(|| {
                serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["id"].as_i64())
                    .map(|id| format!("/v1/orders/{id}"))
            });
            return Ok(respond(status, body, location.flatten(), true));
        }
        Claim::InFlight => return Err(ApiError::IdempotencyInFlight),
        Claim::Reused => return Err(ApiError::IdempotencyKeyReused),
        // An earlier attempt placed the order and died before saving the answer: answer now.
        Claim::Placed(order_id) => {
            let orders = state.orders.clone();
            let viewer = use_cases::Viewer {
                user_id: customer,
                role: domain::accounts::Role::Customer,
            };
            blocking::run(move || use_cases::order_details(&orders, order_id, viewer))
                .await
                .map(OrderView::from)
        }
        Claim::Execute => place_now(state, customer, request, Some(key.clone())).await,
    };

    let (status, body, location) = match outcome {
        Ok(order) => {
            let (status, body, location) = created(order);
            (status, body, Some(location))
        }
        // The store failed, or the customer must first pay or cancel an order: nothing was
        // decided about this request, so the client may retry with the same key.
        Err(
            error @ (ApiError::Unavailable
            | ApiError::Internal(_)
            | ApiError::Conflict {
                code: "too_many_pending_orders",
                ..
            }),
        ) => {
            let store = state.idempotency.clone();
            let _ = blocking::run(move || store.release(customer, &key)).await;
            return Err(error);
        }
        // A decided refusal (e.g. insufficient stock) is saved and replayed like a success.
        Err(error) => {
            use actix_web::ResponseError;
            (
                error.status_code(),
                error.problem_body().to_string().into_bytes(),
                None,
            )
        }
    };
    let store = state.idempotency.clone();
    let saved = body.clone();
    blocking::run(move || store.complete(customer, &key, status.as_u16(), &saved)).await?;
    Ok(respond(status, body, location, false))
}
