//! Extractors that authenticate on the server for every route that needs it: `Caller` (any
//! signed-in user), `Staff` (staff only), `MaybeCaller` (public routes that show staff more).
//! A token counts only while its account still stands as it did when the token was issued.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::accounts::Role;
use domain::ids::UserId;
use futures::future::LocalBoxFuture;

use super::standing::Standings;
use super::tokens::Bearer;
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

/// A caller who is staff now.
#[derive(Debug, Clone, Copy)]
pub struct Staff(pub Caller);

/// `Ok(None)` without an `Authorization` header; a header that is there must be a valid token
/// of an account that still has the token's role and version.
fn caller_from(req: &HttpRequest) -> LocalBoxFuture<'static, Result<Option<Caller>, ApiError>> {
    let bearer = (|| -> Result<Option<(Bearer, Standings)>, ApiError> {
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
        Ok(Some((bearer, state.standings.clone())))
    })();
    Box::pin(async move {
        let Some((bearer, standings)) = bearer? else {
            return Ok(None);
        };
        match standings.of(bearer.user_id).await? {
            Some(standing) if standing.admits(bearer.role, bearer.token_version) => Ok(Some(Caller {
                user_id: bearer.user_id,
                role: standing.role,
            })),
            // Removed, demoted or revoked since the token was issued.
            _ => Err(ApiError::Unauthenticated),
        }
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_from(req);
        Box::pin(async move { caller.await?.ok_or(ApiError::Unauthenticated) })
    }
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_from(req);
        Box::pin(async move {
            match caller.await? {
                Some(caller) if caller.is_staff() => Ok(Staff(caller)),
                Some(_) => Err(ApiError::Forbidden),
                None => Err(ApiError::Unauthenticated),
            }
        })
    }
}

/// For public routes: anonymous is fine, a bad token is still `401`.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_from(req);
        Box::pin(async move { caller.await.map(MaybeCaller) })
    }
}
