//! Events and webhook endpoints (staff): decode, call one port on the blocking pool, encode.

use actix_web::http::header;
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post};
use chrono::{Duration, Utc};
use domain::events::ports::{Events, WebhookEndpoints};
use domain::page::Page;

use super::requests::{
    CreateEndpointRequest, ListDeliveriesParams, ListEventsParams, PatchEndpointRequest, event_id,
};
use super::secrets::new_secret;
use super::views::{CreatedEndpointView, DeliveryView, EndpointView, EndpointsView, EventView, SecretView};
use crate::auth::Staff;
use crate::http::blocking;
use crate::http::json::Object;
use crate::http::page::{self, PageBody};
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

/// How long deliveries stay signed with the old secret too, so receivers can switch over.
const ROTATION_OVERLAP: Duration = Duration::hours(24);

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_events)
        .service(create_endpoint)
        .service(list_endpoints)
        .service(get_endpoint)
        .service(patch_endpoint)
        .service(delete_endpoint)
        .service(rotate_secret)
        .service(test_endpoint)
        .service(list_deliveries)
        .service(retry_delivery);
}

/// Every event, newest first, as its webhook delivers it (staff).
#[utoipa::path(
    tag = "webhooks",
    params(ListEventsParams),
    responses(
        (status = 200, description = "One page of events", body = PageBody<EventView>),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    params: Query<ListEventsParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.into_inner().parse(&state.cursors)?;
    let events = state.webhooks.clone();
    let limit = filter.limit;
    let rows = blocking::run(move || events.events(&filter)).await?;
    let page = Page::from_overfetch(rows, limit, |event| event.id);
    let next = page.next.map(|id| state.cursors.encode(&id));
    let items: Vec<EventView> = page.items.into_iter().map(Into::into).collect();
    Ok(page::respond(&req, items, next))
}

/// Add a webhook endpoint (staff). Its signing secret is in this answer and never again.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateEndpointRequest,
    responses(
        (status = 201, description = "Created, with its secret", body = CreatedEndpointView, headers(("Location" = String))),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 422, description = "validation_failed (`url`, `events`, `description`) or unknown_field", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-endpoints")]
pub async fn create_endpoint(
    state: Data<AppState>,
    _staff: Staff,
    body: Json<Object<CreateEndpointRequest>>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner().0;
    let rules = state.webhook_urls;
    let secret = new_secret();
    let webhooks = state.webhooks.clone();
    let shown = secret.clone();
    // Parsing resolves the URL's host, which blocks: it runs on the pool with the insert.
    let created = blocking::run(move || {
        let new = request.parse(rules, secret)?;
        webhooks.create_endpoint(&new).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhook-endpoints/{}", created.id)))
        .json(CreatedEndpointView::new(created, shown)))
}

/// Every webhook endpoint, oldest first, without secrets (staff).
#[utoipa::path(
    tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints", body = EndpointsView),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-endpoints")]
pub async fn list_endpoints(state: Data<AppState>, _staff: Staff) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.clone();
    let endpoints = blocking::run(move || webhooks.endpoints()).await?;
    Ok(HttpResponse::Ok().json(EndpointsView {
        items: endpoints.into_iter().map(Into::into).collect(),
    }))
}

/// One webhook endpoint, without its secret (staff).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "The endpoint", body = EndpointView),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-endpoints/{id}")]
pub async fn get_endpoint(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.clone();
    let id = id.into_inner();
    let found = blocking::run(move || webhooks.endpoint(id)).await?;
    Ok(HttpResponse::Ok().json(EndpointView::from(found.ok_or(ApiError::NotFound)?)))
}

/// Change any of `url`, `events`, `description`, `active` (staff).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    request_body = PatchEndpointRequest,
    responses(
        (status = 200, description = "Changed", body = EndpointView),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 422, description = "validation_failed (`url`, `events`, `description`) or unknown_field", body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/webhook-endpoints/{id}")]
pub async fn patch_endpoint(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
    body: Json<Object<PatchEndpointRequest>>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner().0;
    let rules = state.webhook_urls;
    let webhooks = state.webhooks.clone();
    let id = id.into_inner();
    // Parsing a new URL resolves its host, which blocks: it runs on the pool with the update.
    let changed = blocking::run(move || {
        let changes = request.parse(rules)?;
        webhooks.update_endpoint(id, &changes).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EndpointView::from(changed.ok_or(ApiError::NotFound)?)))
}

/// Remove a webhook endpoint; its pending deliveries are not sent (staff).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[delete("/webhook-endpoints/{id}")]
pub async fn delete_endpoint(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.clone();
    let id = id.into_inner();
    found(blocking::run(move || webhooks.delete_endpoint(id)).await?)?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret (staff). For 24 hours deliveries carry signatures by both the old and the
/// new one, so receivers can switch without losing any.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "The new secret, shown only here", body = SecretView),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.clone();
    let id = id.into_inner();
    let secret = new_secret();
    let stored = secret.clone();
    let old_valid_until = Utc::now() + ROTATION_OVERLAP;
    found(blocking::run(move || webhooks.rotate_secret(id, &stored, old_valid_until)).await?)?;
    Ok(HttpResponse::Ok().json(SecretView { secret }))
}

/// Queue a `ping` event to this endpoint only (staff).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 202, description = "Queued; see its deliveries"),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-endpoints/{id}/test")]
pub async fn test_endpoint(
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.clone();
    let id = id.into_inner();
    found(blocking::run(move || webhooks.queue_ping(id)).await?)?;
    Ok(HttpResponse::Accepted().finish())
}

/// The endpoint's deliveries, newest event first (staff).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id"), ListDeliveriesParams),
    responses(
        (status = 200, description = "One page of deliveries", body = PageBody<DeliveryView>),
        (status = 403, description = "forbidden: staff only", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-endpoints/{id}/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    state: Data<AppState>,
    _staff: Staff,
    id: Path<i64>,
    params: Query<ListDeliveriesParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.into_inner().parse(&state.cursors)?;
    let webhooks = state.webhooks.clone();
    let id = id.into_inner();
    let limit = filter.limit;
    let rows = blocking::run(move || webhooks.deliveries(id, &filter))
        .await?
        .ok_or(ApiError::NotFound)?;
    let page = Page::from_overfetch(rows, limit, |delivery| delivery.event_id);
    let next = page.next.map(|id| state.cursors.encode(&id));
    let items: Vec<DeliveryView> = page.items.into_iter().map(Into::into).collect();
    Ok(page::respond(&req, items, next))
}

/// Send a `failed` or `dead` delivery again, now, with its attempts counted afresh (staff).
/// Any other delivery, or none, is `404`.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = i64, Path, description = "Endpoint id"),
        ("event_id" = String, Path, description = "Event id, `evt_42` (or `42`)"),
    ),
    responses(
        (status = 202, description = "Queued again"),
        (status = 403, description = "forbidden: staff only", body = Problem),
        (status = 404, description = "not_found: no such endpoint, or no failed or dead delivery of this event to it", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-endpoints/{id}/deliveries/{event_id}/retry")]
pub async fn retry_delivery(
    state: Data<AppState>,
    _staff: Staff,
    path: Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_event) = path.into_inner();
    let event = event_id(&raw_event).ok_or(ApiError::NotFound)?;
    let webhooks = state.webhooks.clone();
    found(blocking::run(move || webhooks.retry_delivery(id, event)).await?)?;
    Ok(HttpResponse::Accepted().finish())
}

/// The ports answer `false` when there was nothing to act on.
fn found(acted: bool) -> Result<(), ApiError> {
    if acted { Ok(()) } else { Err(ApiError::NotFound) }
}
