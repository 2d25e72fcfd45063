//! The one mapping from every failure to an `application/problem+json` answer (RFC 9457).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use domain::accounts::AccountError;
use domain::catalog::CatalogError;
use domain::field_errors::{ErrorCode, FieldErrors};
use domain::store::StoreError;
use serde_json::{Value, json};

use super::request_id;

/// Seconds a client should wait before retrying when the database is unavailable.
const RETRY_AFTER_UNAVAILABLE: u64 = 2;

/// Every way a request can fail. Each variant names its status and `code`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `malformed_json`: the body is not JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// 400 `bad_query`: the query string, a cursor or a header could not be understood.
    #[error("{detail}")]
    BadQuery { detail: String, errors: FieldErrors },
    /// 401 `unauthenticated`: no token, or one that is forged, expired or of the wrong algorithm.
    #[error("a valid access token is required")]
    Unauthenticated,
    /// 401 `invalid_credentials`: sign-in with a wrong email or password.
    #[error("wrong email or password")]
    InvalidCredentials,
    /// 403 `forbidden`: signed in, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// 404 `not_found`: no such resource, or one that belongs to another customer.
    #[error("no such resource")]
    NotFound,
    /// 405 `method_not_allowed`, with the `Allow` header.
    #[error("this resource does not support the method")]
    MethodNotAllowed { allow: String },
    /// 409: the request conflicts with the current state (`sku_taken`, `email_taken`, …).
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        title: &'static str,
        detail: String,
        extra: Option<(&'static str, Value)>,
    },
    /// 412 `precondition_failed`: `If-Match` names another version.
    #[error("the resource changed since you read it; fetch it again")]
    PreconditionFailed,
    /// 413 `payload_too_large`.
    #[error("the body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// 415 `unsupported_media_type`.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// 422 `validation_failed`, listing every invalid field.
    #[error("{} field(s) are invalid", .0.0.len())]
    Validation(FieldErrors),
    /// 422 `unknown_field`: the body names a field this endpoint does not take.
    #[error("{0}")]
    UnknownField(String),
    /// 429 `rate_limited`, with `Retry-After` and the IETF `RateLimit` headers.
    /// The quota's state headers are added by `limits::rate_limit::headers`.
    #[error("too many requests under the {policy:?} limit; retry in {retry_after} s")]
    RateLimited { policy: &'static str, retry_after: u64 },
    /// 503 `unavailable`, with `Retry-After`: the database is unreachable or saturated.
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable,
    /// 503 `unavailable`, with `Retry-After`: too much work of one kind is already queued.
    #[error("the service is busy; retry shortly")]
    Overloaded,
    /// 400 `invalid_signature`: a webhook whose signature or timestamp does not verify.
    #[error("{0}")]
    InvalidSignature(String),
    /// 409 `idempotency_in_flight`: a request with this Idempotency-Key is still running.
    #[error("a request with this Idempotency-Key is still being processed; retry shortly")]
    IdempotencyInFlight,
    /// 422 `idempotency_key_reused`: the key was used with a different body.
    #[error("this Idempotency-Key was used with a different request body")]
    IdempotencyKeyReused,
    /// 422 `unknown_product`, listing every unknown or archived product id.
    #[error("{detail}")]
    UnknownProduct { detail: String, product_ids: Vec<i64> },
    /// 422 `promo_invalid`: the promotion does not apply to this order, with its `reason`.
    #[error("{detail}")]
    PromoInvalid { reason: &'static str, detail: String },
    /// 500 `internal`: a bug. Logged in full; the answer says nothing about internals.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    fn code_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::MalformedJson(_) => ("malformed_json", "Malformed JSON"),
            ApiError::BadQuery { .. } => ("bad_query", "Bad query"),
            ApiError::Unauthenticated => ("unauthenticated", "Unauthenticated"),
            ApiError::InvalidCredentials => ("invalid_credentials", "Invalid credentials"),
            ApiError::Forbidden => ("forbidden", "Forbidden"),
            ApiError::NotFound => ("not_found", "Not found"),
            ApiError::MethodNotAllowed { .. } => ("method_not_allowed", "Method not allowed"),
            ApiError::Conflict { code, title, .. } => (code, title),
            ApiError::PreconditionFailed => ("precondition_failed", "Precondition failed"),
            ApiError::PayloadTooLarge(_) => ("payload_too_large", "Payload too large"),
            ApiError::UnsupportedMediaType => ("unsupported_media_type", "Unsupported media type"),
            ApiError::Validation(_) => ("validation_failed", "Validation failed"),
            ApiError::UnknownField(_) => ("unknown_field", "Unknown field"),
            ApiError::RateLimited { .. } => ("rate_limited", "Too many requests"),
            ApiError::Unavailable | ApiError::Overloaded => ("unavailable", "Service unavailable"),
            ApiError::InvalidSignature(_) => ("invalid_signature", "Invalid signature"),
            ApiError::IdempotencyInFlight => ("idempotency_in_flight", "Request in flight"),
            ApiError::IdempotencyKeyReused => ("idempotency_key_reused", "Idempotency key reused"),
            ApiError::UnknownProduct { .. } => ("unknown_product", "Unknown product"),
            ApiError::PromoInvalid { .. } => ("promo_invalid", "Promotion invalid"),
            ApiError::Internal(_) => ("internal", "Internal error"),
        }
    }

    /// The stable, machine-readable `code` of the problem body.
    pub fn code(&self) -> &'static str {
        self.code_and_title().0
    }

    /// The problem+json document for this error (also stored for idempotent replays).
    pub fn problem_body(&self) -> Value {
        let (code, title) = self.code_and_title();
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut body = json!({
            "type": "about:blank",
            "status": self.status_code().as_u16(),
            "code": code,
            "title": title,
            "detail": self.to_string(),
            "request_id": request_id::current().as_deref().unwrap_or_default(),
        });
        match self {
            ApiError::Validation(errors) | ApiError::BadQuery { errors, .. } if !errors.is_empty() => {
                body["errors"] = field_errors_json(errors);
            }
            ApiError::Conflict {
                extra: Some((key, value)),
                ..
            } => body[*key] = value.clone(),
            ApiError::UnknownProduct { product_ids, .. } => body["product_ids"] = json!(product_ids),
            ApiError::PromoInvalid { reason, .. } => body["reason"] = json!(reason),
            _ => {}
        }
        body
    }

    pub fn bad_query(detail: impl Into<String>) -> ApiError {
        ApiError::BadQuery {
            detail: detail.into(),
            errors: FieldErrors::default(),
        }
    }
}

fn field_errors_json(errors: &FieldErrors) -> Value {
    errors
        .0
        .iter()
        .map(|e| json!({"field": e.field, "code": e.code, "message": e.message}))
        .collect()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::BadQuery { .. } | ApiError::InvalidSignature(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::IdempotencyInFlight => StatusCode::CONFLICT,
            ApiError::IdempotencyKeyReused
            | ApiError::UnknownProduct { .. }
            | ApiError::PromoInvalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::UnknownField(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let body = self.problem_body();
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        match self {
            ApiError::Unavailable | ApiError::Overloaded => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_UNAVAILABLE.to_string()));
            }
            ApiError::RateLimited { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Unauthenticated => {
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.clone()));
            }
            _ => {}
        }
        response.body(body.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::AccountGone => ApiError::Unauthenticated,
            StoreError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::NotFound => ApiError::NotFound,
            CatalogError::SkuTaken => ApiError::Conflict {
                code: "sku_taken",
                title: "SKU taken",
                detail: error.to_string(),
                extra: None,
            },
            CatalogError::InsufficientStock { available, requested } => ApiError::Conflict {
                code: "insufficient_stock",
                title: "Insufficient stock",
                detail: error.to_string(),
                extra: Some((
                    "available",
                    json!({"available": available, "requested": requested}),
                )),
            },
            CatalogError::StockCeiling { .. } => {
                let mut errors = FieldErrors::default();
                errors.add("delta", "range", error.to_string());
                ApiError::Validation(errors)
            }
            CatalogError::VersionMismatch => ApiError::PreconditionFailed,
            CatalogError::ArchivedHidden => ApiError::Forbidden,
            CatalogError::BadQuery(e) => ApiError::bad_query(e.to_string()),
            CatalogError::Store(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::EmailTaken => ApiError::Conflict {
                code: "email_taken",
                title: "Email taken",
                detail: error.to_string(),
                extra: None,
            },
            AccountError::InvalidCredentials => ApiError::InvalidCredentials,
            // The token named an account that no longer exists.
            AccountError::NotFound => ApiError::Unauthenticated,
            AccountError::Hashing(cause) => ApiError::Internal(cause),
            AccountError::Store(e) => e.into(),
        }
    }
}

impl From<domain::console::ConsoleError> for ApiError {
    fn from(error: domain::console::ConsoleError) -> Self {
        use domain::console::ConsoleError;
        match error {
            ConsoleError::Account(e) => e.into(),
            // A customer's right password: the console is not theirs.
            ConsoleError::NotStaff => ApiError::Forbidden,
            ConsoleError::Store(e) => e.into(),
        }
    }
}

impl From<domain::orders::OrderError> for ApiError {
    fn from(error: domain::orders::OrderError) -> Self {
        use domain::orders::OrderError;
        match error {
            OrderError::NotFound => ApiError::NotFound,
            OrderError::Forbidden => ApiError::Forbidden,
            OrderError::UnknownProducts(ref ids) => ApiError::UnknownProduct {
                detail: error.to_string(),
                product_ids: ids.iter().map(|id| id.0).collect(),
            },
            OrderError::InsufficientStock(ref shortages) => ApiError::Conflict {
                code: "insufficient_stock",
                title: "Insufficient stock",
                detail: error.to_string(),
                extra: Some((
                    "shortages",
                    shortages
                        .iter()
                        .map(|s| json!({"product_id": s.product_id.0, "requested": s.requested, "available": s.available}))
                        .collect(),
                )),
            },
            OrderError::PromoInvalid(reason) => ApiError::PromoInvalid {
                reason: reason.as_str(),
                detail: error.to_string(),
            },
            OrderError::PromoExhausted => ApiError::Conflict {
                code: "promo_exhausted",
                title: "Promotion exhausted",
                detail: error.to_string(),
                extra: None,
            },
            OrderError::UnknownShippingOption => {
                let mut errors = FieldErrors::default();
                errors.add("shipping_option", "unknown", error.to_string());
                ApiError::Validation(errors)
            }
            OrderError::PriceChanged(ref quote) => ApiError::Conflict {
                code: "price_changed",
                title: "Price changed",
                detail: error.to_string(),
                extra: Some((
                    "quote",
                    serde_json::to_value(crate::orders::views::QuoteView::new((**quote).clone(), "")).unwrap_or_default(),
                )),
            },
            OrderError::TooManyPendingOrders { .. } => ApiError::Conflict {
                code: "too_many_pending_orders",
                title: "Too many pending orders",
                detail: error.to_string(),
                extra: None,
            },
            OrderError::InvalidTransition { .. } => ApiError::Conflict {
                code: "invalid_transition",
                title: "Invalid transition",
                detail: error.to_string(),
                extra: None,
            },
            OrderError::Store(e) => e.into(),
        }
    }
}

fn code_taken(detail: String) -> ApiError {
    ApiError::Conflict {
        code: "code_taken",
        title: "Code taken",
        detail,
        extra: None,
    }
}

impl From<domain::promotions::PromotionError> for ApiError {
    fn from(error: domain::promotions::PromotionError) -> Self {
        use domain::promotions::PromotionError;
        match error {
            PromotionError::CodeTaken => code_taken(error.to_string()),
            PromotionError::NotFound => ApiError::NotFound,
            PromotionError::EmptyWindow => {
                let mut errors = FieldErrors::default();
                errors.add("ends_at", "range", error.to_string());
                ApiError::Validation(errors)
            }
            PromotionError::ZeroDiscount => {
                let mut errors = FieldErrors::default();
                errors.add("value", "range", error.to_string());
                ApiError::Validation(errors)
            }
            PromotionError::Store(e) => e.into(),
        }
    }
}

impl From<domain::shipping::ShippingError> for ApiError {
    fn from(error: domain::shipping::ShippingError) -> Self {
        use domain::shipping::ShippingError;
        match error {
            ShippingError::CodeTaken => code_taken(error.to_string()),
            ShippingError::NotFound => ApiError::NotFound,
            ShippingError::Store(e) => e.into(),
        }
    }
}

impl From<domain::idempotency::IdempotencyKeyError> for ApiError {
    fn from(error: domain::idempotency::IdempotencyKeyError) -> Self {
        let mut errors = FieldErrors::default();
        errors.add("Idempotency-Key", "format", error.to_string());
        ApiError::Validation(errors)
    }
}

impl From<domain::reports::ReportError> for ApiError {
    fn from(error: domain::reports::ReportError) -> Self {
        use domain::reports::ReportError;
        match error {
            // `from` and `to` are both dates; it is the end that lies before the start or too far.
            ReportError::Period(ref period) => {
                let mut errors = FieldErrors::default();
                errors.add("to", period.code(), error.to_string());
                ApiError::Validation(errors)
            }
            ReportError::Store(e) => e.into(),
        }
    }
}
