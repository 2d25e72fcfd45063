//! The console's stylesheet and icon, compiled into the binary: nothing is fetched from
//! elsewhere, so the console works offline and a CDN's outage or compromise cannot touch it.

use actix_web::http::header;
use actix_web::{HttpResponse, get};

const STYLESHEET: &str = include_str!("../../assets/console.css");
const ICON: &str = include_str!("../../assets/icon.svg");

/// They change only with the binary; an hour keeps a deploy visible within the hour.
const CACHE: &str = "public, max-age=3600";

#[get("/assets/console.css")]
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, CACHE))
        .body(STYLESHEET)
}

#[get("/assets/icon.svg")]
pub async fn icon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, CACHE))
        .body(ICON)
}
