//! `POST /v1/webhooks/payments`: verify the signature over the raw body, then apply the event.

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse, post};
use domain::orders::payment::{PaymentEvent, PaymentOutcome};
use domain::orders::use_cases;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::signature;
use crate::http::blocking;
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct PaymentEventData {
    pub order_id: i64,
    #[schema(example = "39.98")]
    pub amount: String,
    #[schema(example = "USD")]
    pub currency: String,
}

/// What the payment provider sends.
#[derive(Deserialize, ToSchema)]
pub struct PaymentEventRequest {
    pub id: String,
    /// `payment.succeeded` or `payment.failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub data: PaymentEventData,
}

/// The payment provider's webhook. Signed with `Stockroom-Signature`; each event id applies once.
#[utoipa::path(
    tag = "payments",
    params(("Stockroom-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>")),
    request_body = PaymentEventRequest,
    responses(
        (status = 200, description = "{\"result\": \"applied\" | \"duplicate\" | \"rejected\", \"reason\"?}"),
        (status = 400, description = "invalid_signature or malformed_json", body = Problem),
        (status = 413, description = "payload_too_large", body = Problem),
        (status = 422, description = "validation_failed", body = Problem),
    )
)]
#[post("/webhooks/payments")]
pub async fn payment_webhook(
    req: HttpRequest,
    state: Data<AppState>,
    body: Result<Bytes, actix_web::Error>,
) -> Result<HttpResponse, ApiError> {
    // The raw body is needed for the signature, so the JSON extractor's error mapping does not
    // apply: an oversize body is still a problem+json `413`.
    let body = body.map_err(|error| {
        if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(state.body_limit)
        } else {
            ApiError::MalformedJson(error.to_string())
        }
    })?;
    let header = req
        .headers()
        .get("Stockroom-Signature")
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    signature::verify(header, &body, &state.payment_secrets, now)
        .map_err(|e| ApiError::InvalidSignature(e.to_string()))?;
    let request: PaymentEventRequest =
        serde_json::from_slice(&body).map_err(|e| crate::http::json::serde_error(&e))?;
    let event = PaymentEvent::parse(
        &request.id,
        &request.kind,
        request.data.order_id,
        &request.data.amount,
        &request.data.currency,
    )?;
    let orders = state.orders.clone();
    let outcome = blocking::run(move || use_cases::apply_payment(&orders, &event)).await?;
    let body = match outcome {
        PaymentOutcome::Rejected(reason) => json!({"result": "rejected", "reason": reason}),
        other => json!({"result": other.as_str()}),
    };
    Ok(HttpResponse::Ok().json(body))
}
