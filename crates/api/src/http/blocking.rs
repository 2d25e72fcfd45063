//! Diesel is synchronous: use cases run on actix's blocking pool, inside the request's span.

use actix_web::web;

use super::problem::ApiError;

pub async fn run<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    let span = tracing::Span::current();
    match web::block(move || span.in_scope(work)).await {
        Ok(result) => result.map_err(Into::into),
        Err(blocking) => Err(ApiError::Internal(blocking.to_string())),
    }
}
