//! The HTTP application: middleware, routes, docs, and the fallback for unknown paths.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::web::{self, Data};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::http::not_allowed::KnownRoutes;
use crate::http::{json, request_id};
use crate::limits::rate_limit;
use crate::ops::openapi::{self, ApiDoc};
use crate::ops::{health, metrics};
use crate::state::AppState;
use crate::{accounts, catalog, console, events, orders, payments, promotions, reports, shipping};

/// The complete OpenAPI document, as served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/v1").configure(routes))
        .service(health::healthz)
        .service(health::readyz)
        .service(metrics::scrape)
        .split_for_parts();
    openapi::finish(api)
}

fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    accounts::handlers::routes(cfg);
    catalog::handlers::routes(cfg);
    orders::handlers::routes(cfg);
    promotions::handlers::routes(cfg);
    shipping::handlers::routes(cfg);
    events::handlers::routes(cfg);
    reports::handlers::routes(cfg);
    cfg.service(payments::handler::payment_webhook);
}

/// Starts serving on `listener` (port 0 in tests) with `workers` threads. Stopping it (its
/// handle's `stop(true)`) closes the listener and lets requests in flight finish for up to
/// `grace`. Signals are the caller's to handle (`cli::serve` stops it on SIGTERM or Ctrl-C).
pub fn serve(
    listener: TcpListener,
    state: AppState,
    workers: usize,
    grace: Duration,
) -> std::io::Result<Server> {
    metrics::install();
    let body_limit = state.body_limit;
    let state = Data::new(state);
    let server = HttpServer::new(move || {
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .service(scope::scope("/v1").configure(routes))
            .service(health::healthz)
            .service(health::readyz)
            .service(metrics::scrape)
            .split_for_parts();
        let api = openapi::finish(api);
        let known = KnownRoutes::from_openapi(&api);
        app.app_data(state.clone())
            .app_data(json::config(body_limit))
            .app_data(json::query_config())
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(web::PathConfig::default().error_handler({
                // `/v1/orders/bulk-ship` under GET reaches `/v1/orders/{id}`: answer as if no
                // route took it (`405` with its `Allow`), and `404` for an id that is no number.
                let known = known.clone();
                move |error, req| {
                    actix_web::error::InternalError::from_response(error, known.answer(req)).into()
                }
            }))
            .service(console::service())
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .default_service(web::to(move |req: HttpRequest| {
                let known = known.clone();
                async move { known.answer(&req) }
            }))
            .wrap(from_fn(rate_limit::headers))
            .wrap(from_fn(metrics::track))
            .wrap(from_fn(request_id::middleware))
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(grace.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}
