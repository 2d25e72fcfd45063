//! What a console page answers when it cannot serve: the sign-in page for a visitor without a
//! session, or an HTML page saying what went wrong. Failures are mapped to `ApiError` once, as
//! for the API; the console only shows that mapping as a page instead of problem+json.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::http::problem::ApiError;

use super::SIGN_IN;
use super::render::Layout;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No session, or one that ended: `303` to the sign-in page.
    #[error("sign in to use the console")]
    SignIn,
    /// The session's account is no longer staff: the session has just been closed.
    #[error("your account is no longer staff: the console is closed to it")]
    NoLongerStaff,
    /// A form posted without its session's CSRF token, or with another one.
    #[error("this form did not come from your console session; reload the page and try again")]
    Forged,
    /// No console page at this address (or a malformed id in it).
    #[error("there is no such page")]
    NoSuchPage,
    #[error(transparent)]
    Api(#[from] ApiError),
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    heading: &'a str,
    message: String,
}

impl PageError {
    fn heading(&self) -> &'static str {
        match self {
            PageError::SignIn => "Sign in",
            PageError::NoLongerStaff | PageError::Forged => "Refused",
            PageError::NoSuchPage => "Not found",
            PageError::Api(error) => match error.status_code() {
                StatusCode::NOT_FOUND => "Not found",
                StatusCode::FORBIDDEN => "Refused",
                StatusCode::CONFLICT => "Not done",
                StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
                StatusCode::SERVICE_UNAVAILABLE => "Unavailable",
                status if status.is_client_error() => "Not understood",
                _ => "Something went wrong",
            },
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn => StatusCode::SEE_OTHER,
            PageError::NoLongerStaff | PageError::Forged => StatusCode::FORBIDDEN,
            PageError::NoSuchPage => StatusCode::NOT_FOUND,
            PageError::Api(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::SignIn = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, SIGN_IN))
                .finish();
        }
        if let PageError::Api(ApiError::Internal(cause)) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        if let PageError::Api(
            error @ (ApiError::RateLimited { .. } | ApiError::Unavailable | ApiError::Overloaded),
        ) = self
        {
            // The API's answer carries `Retry-After`; keep it.
            if let Some(retry_after) = error.error_response().headers().get(header::RETRY_AFTER) {
                response.insert_header((header::RETRY_AFTER, retry_after.clone()));
            }
        }
        let page = ErrorPage {
            layout: Layout::signed_out(self.heading()),
            heading: self.heading(),
            message: self.to_string(),
        };
        match page.render() {
            Ok(body) => response.content_type("text/html; charset=utf-8").body(body),
            Err(_) => response
                .content_type("text/plain; charset=utf-8")
                .body(self.to_string()),
        }
    }
}
