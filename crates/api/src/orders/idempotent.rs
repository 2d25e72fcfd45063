//! Placing an order under an `Idempotency-Key`: claim the key (a unique insert decides among
//! concurrent duplicates, on any instance), execute once, save the answer, replay it after.
//! A keyed request comes with the fingerprint of its body, to tell a retry from a reuse. The
//! claim's token goes with every write under the key, so a request whose claim was taken over
//! (it stalled past the takeover) places, saves and releases nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError as _};
use domain::idempotency::{Claim, ClaimedKey, IdempotencyKey, IdempotencyStore, StoredAnswer};
use domain::ids::UserId;
use domain::orders::use_cases::Placement;
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
    claimed: Option<ClaimedKey>,
) -> Result<OrderView, ApiError> {
    let orders = state.orders.clone();
    let max_pending = state.max_pending_orders;
    let placement = blocking::run(move || {
        use_cases::place_order(
            &orders,
            customer,
            &request,
            claimed.as_ref(),
            max_pending,
            chrono::Utc::now(),
        )
    })
    .await
    .and_then(|placement| match placement {
        Placement::Placed(order) => Ok(*order),
        // The key's latest claim answers for it: a retry gets that answer.
        Placement::ClaimLost => Err(ApiError::IdempotencyInFlight),
    });
    match &placement {
        Ok(_) => metrics::order_placed(),
        Err(refusal) if refusal.status_code().is_client_error() => metrics::order_refused(refusal.code()),
        Err(_) => {}
    }
    Ok(placement?.into())
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
    let (claimed, outcome) = match claim {
        Claim::Replay(answer) => {
            let status = StatusCode::from_u16(answer.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let location = status.is_success().then(|| {
                serde_json::from_slice::<serde_json::Value>(&answer.body)
                    .ok()
                    .and_then(|v| v["id"].as_i64())
                    .map(|id| format!("/v1/orders/{id}"))
            });
            return Ok(respond(status, answer.body, location.flatten(), true));
        }
        Claim::InFlight => return Err(ApiError::IdempotencyInFlight),
        Claim::Reused => return Err(ApiError::IdempotencyKeyReused),
        // An earlier attempt placed the order but its answer was never saved (it died, or lost
        // its connection after the commit): answer with that order now.
        Claim::Placed(order_id, token) => {
            let orders = state.orders.clone();
            let viewer = use_cases::Viewer {
                user_id: customer,
                role: domain::accounts::Role::Customer,
            };
            let order = blocking::run(move || use_cases::order_details(&orders, order_id, viewer))
                .await
                .map(OrderView::from);
            (ClaimedKey { key, token }, order)
        }
        Claim::Execute(token) => {
            let claimed = ClaimedKey { key, token };
            let order = place_now(state, customer, request, Some(claimed.clone())).await;
            (claimed, order)
        }
    };

    let (status, body, location) = match outcome {
        Ok(order) => {
            let (status, body, location) = created(order);
            (status, body, Some(location))
        }
        // The store failed, or the customer must first pay or cancel an order: nothing was
        // decided about this request, so the client may retry with the same key.
        // The store keeps the key if an order was bound to it after all (the commit went
        // through, its answer did not): the retry then answers with that order.
        Err(
            error @ (ApiError::Unavailable
            | ApiError::Internal(_)
            | ApiError::Conflict {
                code: "too_many_pending_orders",
                ..
            }),
        ) => {
            let store = state.idempotency.clone();
            let _ = blocking::run(move || store.release(customer, &claimed)).await;
            return Err(error);
        }
        // The claim was taken over: the key is no longer ours to save or release.
        Err(error @ ApiError::IdempotencyInFlight) => return Err(error),
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
    let answer = StoredAnswer {
        code: status.as_u16(),
        body: body.clone(),
    };
    blocking::run(move || store.complete(customer, &claimed, &answer)).await?;
    Ok(respond(status, body, location, false))
}
