//! Extractors that authenticate on the server for every route that needs it: `Caller` (any
//! signed-in user), `Staff` (staff only), `Option<Caller>` (public routes that show staff more).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::accounts::Role;
use domain::ids::UserId;

use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
}

impl Caller {
    pub fn is_staff(&self) -> bool {
        self.role == Role::Staff
    }
}

/// A caller whose token says staff.
#[derive(Debug, Clone, Copy)]
pub struct Staff(pub Caller);

/// `Ok(None)` without an `Authorization` header; a header that is there must be a valid token.
fn caller_from(req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Internal("state missing".into()))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .ok_or(ApiError::Unauthenticated)?;
    let bearer = state
        .tokens
        .verify(token.trim())
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Some(Caller {
        user_id: bearer.user_id,
        role: bearer.role,
    }))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_from(req).and_then(|c| c.ok_or(ApiError::Unauthenticated)))
    }
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match caller_from(req) {
            Ok(Some(caller)) if caller.is_staff() => Ok(Staff(caller)),
            Ok(Some(_)) => Err(ApiError::Forbidden),
            Ok(None) => Err(ApiError::Unauthenticated),
            Err(e) => Err(e),
        })
    }
}

/// For public routes: anonymous is fine, a bad token is still `401`.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_from(req).map(MaybeCaller))
    }
}
