//! Diesel is synchronous: use cases run on actix's blocking pool, as part of their request (what
//! they log carries its id).

use actix_web::web;

use super::problem::ApiError;
use super::request_id;

pub async fn run<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    let request = request_id::current();
    match web::block(move || request_id::lend(request, work)).await {
        Ok(result) => result.map_err(Into::into),
        Err(blocking) => Err(ApiError::Internal(blocking.to_string())),
    }
}
