//! Shipping options: decode, call one use case on the blocking pool, encode.

use actix_web::http::header;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, get, patch, post};
use domain::shipping::{ShippingCode, use_cases};

use super::requests::{CreateShippingOptionRequest, PatchShippingOptionRequest};
use super::views::{ShippingOptionView, ShippingOptionsView};
use crate::auth::Staff;
use crate::auth::caller::MaybeCaller;
use crate::http::blocking;
use crate::http::json::Object;
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_shipping_options)
        .service(create_shipping_option)
        .service(patch_shipping_option);
}

/// The active shipping options, for anyone.
#[utoipa::path(
    tag = "shipping",
    responses((status = 200, description = "The active options", body = ShippingOptionsView)),
    security((), ("bearer" = []))
)]
#[get("/shipping-options")]
pub async fn list_shipping_options(
    state: Data<AppState>,
    _caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let options = state.shipping.clone();
    let active = blocking::run(move || use_cases::active_shipping_options(&options)).await?;
    Ok(HttpResponse::Ok().json(ShippingOptionsView {
        items: active.into_iter().map(Into::into).collect(),
    }))
}

/// Add a shipping option (staff).
#[utoipa::path(
    tag = "shipping",
    request_body = CreateShippingOptionRequest,
    responses(
        (status = 201, description = "Created", body = ShippingOptionView, headers(("Location" = String))),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 409, description = "code_taken", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/shipping-options")]
pub async fn create_shipping_option(
    state: Data<AppState>,
    _staff: Staff,
    body: Json<Object<CreateShippingOptionRequest>>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner().0.parse()?;
    let options = state.shipping.clone();
    let created = blocking::run(move || use_cases::create_shipping_option(&options, &new)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/shipping-options/{}", created.code.as_str()),
        ))
        .json(ShippingOptionView::from(created)))
}

/// Change a shipping option (staff); orders keep what they were charged.
#[utoipa::path(
    tag = "shipping",
    params(("code" = String, Path, description = "Option code")),
    request_body = PatchShippingOptionRequest,
    responses(
        (status = 200, description = "Changed", body = ShippingOptionView),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/shipping-options/{code}")]
pub async fn patch_shipping_option(
    state: Data<AppState>,
    _staff: Staff,
    code: Path<String>,
    body: Json<Object<PatchShippingOptionRequest>>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.into_inner().0.parse()?;
    let code = ShippingCode::parse(&code.into_inner()).map_err(|_| ApiError::NotFound)?;
    let options = state.shipping.clone();
    let changed = blocking::run(move || use_cases::change_shipping_option(&options, &code, &changes)).await?;
    Ok(HttpResponse::Ok().json(ShippingOptionView::from(changed)))
}
