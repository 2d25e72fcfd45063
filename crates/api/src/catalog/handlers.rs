//! Products: decode, call one catalog use case on the blocking pool, encode.

use actix_web::http::header;
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post};
use domain::catalog::use_cases::{self, Viewer};
use domain::ids::ProductId;

use super::cache::{PageKey, RenderedPage};
use super::requests::{
    CreateProductRequest, ListProductsParams, PageParams, PatchProductRequest, StockAdjustmentRequest,
};
use super::views::{ProductView, StockMovementView};
use crate::auth::Staff;
use crate::auth::caller::MaybeCaller;
use crate::http::json::Object;
use crate::http::page::{self, PageBody};
use crate::http::problem::ApiError;
use crate::http::{blocking, etag};
use crate::ops::openapi::Problem;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_products)
        .service(create_product)
        .service(get_product)
        .service(patch_product)
        .service(archive_product)
        .service(adjust_stock)
        .service(stock_movements);
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, version: i64) -> actix_web::HttpResponseBuilder {
    response.insert_header((header::ETAG, etag::of_version(version)));
    response
}

/// Browse the catalog: filters, sorts and keyset pagination.
#[utoipa::path(
    tag = "products",
    params(ListProductsParams),
    responses(
        (status = 200, description = "One page of products. Shoppers' pages are kept by the instance for a second: stock shown may lag by `Age`, at most `max-age`", body = PageBody<ProductView>,
            headers(("ETag" = String), ("Cache-Control" = String), ("Age" = String), ("Link" = String, description = "The next page, when there is one"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "Bad filter, sort, limit or cursor", body = Problem),
        (status = 403, description = "include_archived is for staff", body = Problem),
    ),
    security((), ("bearer" = []))
)]
#[get("/products")]
pub async fn list_products(
    req: HttpRequest,
    state: Data<AppState>,
    caller: MaybeCaller,
    params: Query<ListProductsParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_inner().parse(&state.cursors)?;
    let viewer = if caller.0.is_some_and(|c| c.is_staff()) {
        Viewer::Staff
    } else {
        Viewer::Shopper
    };
    // Every shopper sees the same page for the same query; a staff member's is their own.
    let key = (viewer == Viewer::Shopper).then(|| PageKey::List(req.query_string().to_owned()));
    let pages = state.catalog_pages.clone();
    pages
        .serve(&req, key, || async {
            let catalog = state.catalog.clone();
            let page = blocking::run(move || use_cases::browse(&catalog, &query, viewer)).await?;
            let next = page.next.map(|key| state.cursors.encode(&key));
            let items: Vec<ProductView> = page
                .items
                .into_iter()
                .map(|p| ProductView::new(p, &state.currency))
                .collect();
            RenderedPage::list(&req, items, next)
        })
        .await
}

/// One product, with an `ETag`; `If-None-Match` answers `304`.
#[utoipa::path(
    tag = "products",
    params(("id" = i64, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product; kept by the instance for a second, so stock shown may lag by `Age`, at most `max-age`", body = ProductView,
            headers(("ETag" = String), ("Cache-Control" = String), ("Age" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such product", body = Problem),
    )
)]
#[get("/products/{id}")]
pub async fn get_product(
    req: HttpRequest,
    state: Data<AppState>,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let pages = state.catalog_pages.clone();
    pages
        .serve(&req, Some(PageKey::Product(id)), || async {
            let catalog = state.catalog.clone();
            let product = blocking::run(move || use_cases::product_details(&catalog, ProductId(id))).await?;
            let version = product.version;
            RenderedPage::product(&ProductView::new(product, &state.currency), version)
        })
        .await
}

/// Add a product (staff).
#[utoipa::path(
    tag = "products",
    request_body = CreateProductRequest,
    responses(
        (status = 201, description = "Created", body = ProductView, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 409, description = "sku_taken", body = Problem),
        (status = 422, description = "validation_failed or unknown_field", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/products")]
pub async fn create_product(
    state: Data<AppState>,
    staff: Staff,
    body: Json<Object<CreateProductRequest>>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner().0.parse()?;
    let catalog = state.catalog.clone();
    let actor = staff.0.user_id;
    let product = blocking::run(move || use_cases::create_product(&catalog, &new, Some(actor))).await?;
    let location = format!("/v1/products/{}", product.id);
    let version = product.version;
    Ok(with_etag(HttpResponse::Created(), version)
        .insert_header((header::LOCATION, location))
        .json(ProductView::new(product, &state.currency)))
}

/// Change a product (staff). Stock is not patchable. Honours `If-Match`.
#[utoipa::path(
    tag = "products",
    params(("id" = i64, Path, description = "Product id"), ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = PatchProductRequest,
    responses(
        (status = 200, description = "Changed", body = ProductView),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "No such product", body = Problem),
        (status = 412, description = "Changed since the If-Match ETag", body = Problem),
        (status = 422, description = "Invalid field, or `stock` (not patchable)", body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/products/{id}")]
pub async fn patch_product(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
    body: Json<Object<PatchProductRequest>>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.into_inner().0.parse()?;
    let if_match = etag::required_version(&req)?;
    let catalog = state.catalog.clone();
    let id = ProductId(id.into_inner());
    let product = blocking::run(move || use_cases::change_product(&catalog, id, &changes, if_match)).await?;
    let version = product.version;
    Ok(with_etag(HttpResponse::Ok(), version).json(ProductView::new(product, &state.currency)))
}

/// Archive a product (staff): it stays in order history and can no longer be ordered.
#[utoipa::path(
    tag = "products",
    params(("id" = i64, Path, description = "Product id")),
    responses(
        (status = 204, description = "Archived"),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "No such product", body = Problem),
    ),
    security(("bearer" = []))
)]
#[delete("/products/{id}")]
pub async fn archive_product(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog.clone();
    let id = ProductId(id.into_inner());
    blocking::run(move || use_cases::archive_product(&catalog, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adjust stock (staff), atomically; a result below zero is `409 insufficient_stock`.
#[utoipa::path(
    tag = "products",
    params(("id" = i64, Path, description = "Product id")),
    request_body = StockAdjustmentRequest,
    responses(
        (status = 201, description = "The movement written", body = StockMovementView),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "No such product", body = Problem),
        (status = 409, description = "insufficient_stock", body = Problem),
        (status = 422, description = "validation_failed", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/products/{id}/stock-adjustments")]
pub async fn adjust_stock(
    state: Data<AppState>,
    staff: Staff,
    id: Path<i64>,
    body: Json<Object<StockAdjustmentRequest>>,
) -> Result<HttpResponse, ApiError> {
    let adjustment = body.into_inner().0.parse()?;
    let catalog = state.catalog.clone();
    let id = ProductId(id.into_inner());
    let actor = staff.0.user_id;
    let movement = blocking::run(move || use_cases::adjust_stock(&catalog, id, &adjustment, actor)).await?;
    Ok(HttpResponse::Created().json(StockMovementView::from(movement)))
}

/// The stock ledger of a product (staff), oldest first.
#[utoipa::path(
    tag = "products",
    params(("id" = i64, Path, description = "Product id"), PageParams),
    responses(
        (status = 200, description = "One page of movements", body = PageBody<StockMovementView>),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "No such product", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/products/{id}/stock-movements")]
pub async fn stock_movements(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = params.into_inner().parse::<i64>(&state.cursors)?;
    let catalog = state.catalog.clone();
    let id = ProductId(id.into_inner());
    let page = blocking::run(move || use_cases::stock_ledger(&catalog, id, after, limit)).await?;
    let next = page.next.map(|key| state.cursors.encode(&key));
    let items: Vec<StockMovementView> = page.items.into_iter().map(Into::into).collect();
    Ok(page::respond(&req, items, next))
}
