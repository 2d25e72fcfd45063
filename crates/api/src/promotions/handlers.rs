//! Promotions (staff): decode, call one use case on the blocking pool, encode.

use actix_web::http::header;
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, patch, post};
use domain::ids::PromotionId;
use domain::promotions::use_cases;

use super::requests::{CreatePromotionRequest, ListPromotionsParams, PatchPromotionRequest};
use super::views::PromotionView;
use crate::auth::Staff;
use crate::http::blocking;
use crate::http::json::Object;
use crate::http::page::{self, PageBody};
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_promotion)
        .service(list_promotions)
        .service(get_promotion)
        .service(patch_promotion);
}

/// Create a promotion (staff).
#[utoipa::path(
    tag = "promotions",
    request_body = CreatePromotionRequest,
    responses(
        (status = 201, description = "Created", body = PromotionView, headers(("Location" = String))),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 409, description = "code_taken", body = Problem),
        (status = 422, description = "validation_failed or unknown_field", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/promotions")]
pub async fn create_promotion(
    state: Data<AppState>,
    _staff: Staff,
    body: Json<Object<CreatePromotionRequest>>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner().0.parse()?;
    let promotions = state.promotions.clone();
    let created = blocking::run(move || use_cases::create_promotion(&promotions, &new)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/promotions/{}", created.promotion.id),
        ))
        .json(PromotionView::from(created)))
}

/// Promotions, newest first (staff).
#[utoipa::path(
    tag = "promotions",
    params(ListPromotionsParams),
    responses(
        (status = 200, description = "One page of promotions", body = PageBody<PromotionView>),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/promotions")]
pub async fn list_promotions(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    params: Query<ListPromotionsParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.into_inner().parse(&state.cursors)?;
    let promotions = state.promotions.clone();
    let page = blocking::run(move || use_cases::list_promotions(&promotions, &filter)).await?;
    let next = page.next.map(|id| state.cursors.encode(&id));
    let items: Vec<PromotionView> = page.items.into_iter().map(Into::into).collect();
    Ok(page::respond(&req, items, next))
}

/// One promotion with its redemptions so far (staff).
#[utoipa::path(
    tag = "promotions",
    params(("id" = i64, Path, description = "Promotion id")),
    responses(
        (status = 200, description = "The promotion", body = PromotionView),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/promotions/{id}")]
pub async fn get_promotion(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let promotions = state.promotions.clone();
    let id = PromotionId(id.into_inner());
    let found = blocking::run(move || use_cases::promotion(&promotions, id)).await?;
    Ok(HttpResponse::Ok().json(PromotionView::from(found)))
}

/// Change `active`, `ends_at`, `max_redemptions` or `max_per_customer` (staff); the rest is
/// fixed once created, because orders refer to it.
#[utoipa::path(
    tag = "promotions",
    params(("id" = i64, Path, description = "Promotion id")),
    request_body = PatchPromotionRequest,
    responses(
        (status = 200, description = "Changed", body = PromotionView),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/promotions/{id}")]
pub async fn patch_promotion(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
    body: Json<Object<PatchPromotionRequest>>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.into_inner().0.parse()?;
    let promotions = state.promotions.clone();
    let id = PromotionId(id.into_inner());
    let changed = blocking::run(move || use_cases::change_promotion(&promotions, id, &changes)).await?;
    Ok(HttpResponse::Ok().json(PromotionView::from(changed)))
}
