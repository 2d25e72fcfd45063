//! The list envelope: `{"items": […], "next_cursor": …}` plus a `Link: <…>; rel="next"` header.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PageBody<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

pub fn respond<T: Serialize>(req: &HttpRequest, items: Vec<T>, next_cursor: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        response.insert_header(("Link", next_link(req, cursor)));
    }
    response.json(PageBody { items, next_cursor })
}

/// The `Link` header to the next page.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    format!("<{}>; rel=\"next\"", next_url(req, cursor))
}

/// The same request with `cursor` replaced: filters and sort carry over to the next page.
fn next_url(req: &HttpRequest, cursor: &str) -> String {
    let mut params: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()).unwrap_or_default();
    params.retain(|(key, _)| key != "cursor");
    params.push(("cursor".into(), cursor.into()));
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}
