//! The staff console at `/admin`: server-rendered HTML pages and plain forms over the same use
//! cases as the API, served by the same binary. Every page but the sign-in page needs a console
//! session of an account that is staff now; every form posts the session's CSRF token and is
//! answered with a redirect (post/redirect/get). The stylesheet and icon are in the binary.

mod assets;
mod csrf;
mod error;
mod form;
mod pages;
mod render;
mod session;

use actix_web::body::MessageBody;
use actix_web::dev::{HttpServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::web;

use error::PageError;
use pages::{dashboard, orders, products, reports, sign_in, staff_lists};

/// Where a visitor without a session is sent.
pub const SIGN_IN: &str = "/admin/sign-in";
pub const HOME: &str = "/admin";

/// Pages take nothing from elsewhere and are framed by nobody; forms post only to the console.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's routes, under `/admin`. They are HTML, so they stay out of the OpenAPI
/// document; an unknown address under `/admin` is an HTML `404`, a known one asked with another
/// method a `405` with `Allow`.
pub fn service() -> impl HttpServiceFactory {
    web::scope("/admin")
        // An id that is no number names no page.
        .app_data(web::PathConfig::default().error_handler(|_, _| PageError::NoSuchPage.into()))
        .wrap(from_fn(headers))
        .service(assets::stylesheet)
        .service(assets::icon)
        .service(web::resource(["", "/"]).route(web::get().to(dashboard::show)))
        .service(
            web::resource("/sign-in")
                .route(web::get().to(sign_in::show))
                .route(web::post().to(sign_in::sign_in)),
        )
        .service(web::resource("/sign-out").route(web::post().to(sign_in::sign_out)))
        .service(
            web::resource("/products")
                .route(web::get().to(products::list))
                .route(web::post().to(products::create)),
        )
        .service(web::resource("/products/new").route(web::get().to(products::new)))
        .service(
            web::resource("/products/{id}")
                .route(web::get().to(products::show))
                .route(web::post().to(products::save)),
        )
        .service(
            web::resource("/products/{id}/stock-adjustments").route(web::post().to(products::adjust_stock)),
        )
        .service(web::resource("/products/{id}/archive").route(web::post().to(products::archive)))
        .service(web::resource("/products/{id}/restore").route(web::post().to(products::restore)))
        .service(web::resource("/orders").route(web::get().to(orders::list)))
        .service(web::resource("/orders/bulk-ship").route(web::post().to(orders::bulk_ship)))
        .service(web::resource("/orders/{id}").route(web::get().to(orders::show)))
        .service(web::resource("/orders/{id}/ship").route(web::post().to(orders::ship)))
        .service(web::resource("/orders/{id}/deliver").route(web::post().to(orders::deliver)))
        .service(web::resource("/orders/{id}/cancel").route(web::post().to(orders::cancel)))
        .service(web::resource("/reports").route(web::get().to(reports::show)))
        .service(web::resource("/reports/export.csv").route(web::get().to(reports::export)))
        .service(web::resource("/promotions").route(web::get().to(staff_lists::promotions)))
        .service(web::resource("/shipping").route(web::get().to(staff_lists::shipping)))
        .service(web::resource("/webhooks").route(web::get().to(staff_lists::webhooks)))
        .default_service(web::to(|| async {
            Err::<actix_web::HttpResponse, _>(PageError::NoSuchPage)
        }))
}

/// What every console response says about itself: pages are private to their session and never
/// cached (the assets set their own caching), and the browser is held to the policy above.
async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Ok(response)
}
