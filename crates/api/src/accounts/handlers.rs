//! Accounts: decode, call one use case on the blocking pool (Argon2 is deliberately slow), encode.

use actix_web::http::header;
use actix_web::web::{Data, Json};
use actix_web::{HttpResponse, get, post};
use domain::accounts::use_cases;

use super::requests::{RegisterRequest, TokenRequest};
use super::views::{TokenView, UserView};
use crate::auth::Caller;
use crate::auth::rate_limit::AuthAttempt;
use crate::http::blocking;
use crate::http::json::Object;
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(register).service(token).service(me);
}

/// Create a customer account. Rate limited per client IP.
#[utoipa::path(
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = UserView),
        (status = 409, description = "email_taken", body = Problem),
        (status = 422, description = "validation_failed", body = Problem),
        (status = 429, description = "rate_limited (the `auth` policy, per client address)", body = Problem),
        (status = 503, description = "unavailable: too many password checks queued, or the database is unavailable", body = Problem),
    )
)]
#[post("/auth/register")]
pub async fn register(
    _attempt: AuthAttempt,
    state: Data<AppState>,
    body: Json<Object<RegisterRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (email, password, name) = body.into_inner().0.parse()?;
    let state2 = state.clone();
    let user = state
        .hashing
        .run(move || use_cases::register(&state2.accounts, &state2.hasher, email, &password, name))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/me"))
        .json(UserView::from(user)))
}

/// Exchange email and password for an access token. Rate limited per client IP.
#[utoipa::path(
    tag = "accounts",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenView),
        (status = 401, description = "invalid_credentials", body = Problem),
        (status = 429, description = "rate_limited (the `auth` policy, per client address)", body = Problem),
        (status = 503, description = "unavailable: too many password checks queued, or the database is unavailable", body = Problem),
    )
)]
#[post("/auth/token")]
pub async fn token(
    _attempt: AuthAttempt,
    state: Data<AppState>,
    body: Json<Object<TokenRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (email, password) = body.into_inner().0.parse()?;
    let state2 = state.clone();
    let user = state
        .hashing
        .run(move || use_cases::authenticate(&state2.accounts, &state2.hasher, &email, &password))
        .await?;
    let access_token = state
        .tokens
        .issue(&user)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenView {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.ttl_secs(),
        }))
}

/// The signed-in account.
#[utoipa::path(
    tag = "accounts",
    responses(
        (status = 200, description = "The account", body = UserView),
        (status = 401, description = "unauthenticated", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let accounts = state.accounts.clone();
    let user = blocking::run(move || use_cases::account(&accounts, caller.user_id)).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}
