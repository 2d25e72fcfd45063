//! Signing in to the console with an email and password, and signing out. Signing in checks the
//! password as `POST /v1/auth/token` does (the `auth` rate limit, the hashing gate, the same use
//! case), and only opens a session for staff.

use actix_web::http::{StatusCode, header};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use domain::console::use_cases;

use crate::auth::rate_limit::AuthAttempt;
use crate::console::csrf::ConsolePost;
use crate::console::error::PageError;
use crate::console::form::FormFields;
use crate::console::render::{self, Layout};
use crate::console::session::{self, ConsoleStaff};
use crate::console::{HOME, SIGN_IN};
use crate::http::blocking;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    error: Option<&'static str>,
}

/// The sign-in form; someone already signed in goes to the dashboard.
pub async fn show(req: HttpRequest, staff: Option<ConsoleStaff>) -> Result<HttpResponse, PageError> {
    if staff.is_some() {
        return Ok(render::see_other(HOME));
    }
    let query = FormFields::from_query(req.query_string())?;
    render::page(&SignInPage {
        layout: Layout::signed_out("Sign in").with_notice(render::notice(&query)),
        email: String::new(),
        error: None,
    })
}

pub async fn sign_in(
    attempt: Result<AuthAttempt, ApiError>,
    state: Data<AppState>,
    fields: FormFields,
) -> Result<HttpResponse, PageError> {
    attempt?;
    let email = fields.owned("email").unwrap_or_default();
    // A password is taken as typed: spaces at its ends are part of it.
    let password = fields.raw("password").unwrap_or_default().to_owned();
    let (token, secrets) = session::new_secrets();
    let (state2, email2) = (state.clone(), email.clone());
    let signed_in = state
        .hashing
        .run(move || {
            use_cases::sign_in(
                &state2.accounts,
                &state2.hasher,
                &state2.console_sessions,
                &email2,
                &password,
                secrets,
                Utc::now(),
            )
        })
        .await;
    let (status, error) = match signed_in {
        Ok(_) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, HOME))
                .cookie(session::cookie(token, state.console_secure_cookie))
                .finish());
        }
        Err(ApiError::InvalidCredentials) => (StatusCode::UNPROCESSABLE_ENTITY, "Wrong email or password."),
        Err(ApiError::Forbidden) => (
            StatusCode::FORBIDDEN,
            "This account may not use the console: only staff may sign in.",
        ),
        Err(other) => return Err(other.into()),
    };
    render::page_with_status(
        status,
        &SignInPage {
            layout: Layout::signed_out("Sign in"),
            email,
            error: Some(error),
        },
    )
}

/// Ends the session on the server and makes the browser forget its cookie.
pub async fn sign_out(state: Data<AppState>, post: ConsolePost) -> Result<HttpResponse, PageError> {
    let sessions = state.console_sessions.clone();
    let key = post.staff.session.key;
    blocking::run(move || use_cases::sign_out(&sessions, &key)).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{SIGN_IN}?done=signed-out")))
        .cookie(session::expired_cookie(state.console_secure_cookie))
        .finish())
}
