//! The catalog's rendered pages, kept by each instance for at most a second, so most reads of
//! the catalog never reach the database. A change that a page shows, stock aside, is heard
//! through `LISTEN` (infra's catalog listener) and drops every page at once; stock shown may lag
//! by the second a page is kept, which `Cache-Control` and `Age` say. While the instance cannot
//! listen, it keeps nothing. The authoritative stock check stays the reservation.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use infra::catalog::{CatalogFeed, CatalogHearing, ReadBegan};
use moka::sync::Cache;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::http::etag;
use crate::http::page::{self, PageBody};
use crate::http::problem::ApiError;

/// How long a page is kept: the most by which stock shown may lag.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// The most the kept pages weigh together, in bytes of body and key: a flood of distinct
/// queries evicts pages, it does not grow the process.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// What a shared page answers to anyone, CDNs included.
const SHARED: &str = "public, max-age=1";

/// A page for one caller (a staff member's list may show archived products).
const PERSONAL: &str = "private, no-cache";

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum PageKey {
    /// A list as asked for, by its query string.
    List(String),
    /// One product.
    Product(i64),
}

impl PageKey {
    fn weight(&self) -> usize {
        match self {
            PageKey::List(query) => query.len(),
            PageKey::Product(_) => 8,
        }
    }
}

/// A page as sent: its JSON, its `ETag` and, for a list with more, its `Link` to the next page.
pub struct RenderedPage {
    body: Bytes,
    etag: String,
    link: Option<String>,
    rendered_at: Instant,
    /// Whether the page was served again after it was kept: only such pages are worth rendering
    /// anew before they expire (`refresh`).
    read_again: AtomicBool,
}

impl RenderedPage {
    /// A product; its `ETag` is its version, the one `If-Match` checks.
    pub fn product(view: &impl Serialize, version: i64) -> Result<RenderedPage, ApiError> {
        Ok(RenderedPage::new(to_json(view)?, etag::of_version(version), None))
    }

    /// A list page; its `ETag` is a digest of what it shows.
    pub fn list<T: Serialize>(
        req: &HttpRequest,
        items: Vec<T>,
        next_cursor: Option<String>,
    ) -> Result<RenderedPage, ApiError> {
        let link = next_cursor.as_deref().map(|cursor| page::next_link(req, cursor));
        let body = to_json(&PageBody { items, next_cursor })?;
        let digest = Sha256::digest(&body);
        let tag = format!("\"l{}\"", hex::encode(&digest[..12]));
        Ok(RenderedPage::new(body, tag, link))
    }

    fn new(body: Vec<u8>, etag: String, link: Option<String>) -> RenderedPage {
        RenderedPage {
            body: Bytes::from(body),
            etag,
            link,
            rendered_at: Instant::now(),
            read_again: AtomicBool::new(false),
        }
    }

    fn weight(&self) -> usize {
        self.body.len() + self.etag.len() + self.link.as_ref().map_or(0, String::len)
    }

    fn respond(&self, req: &HttpRequest, cache_control: &'static str) -> HttpResponse {
        let unchanged = etag::client_has_tag(req, &self.etag);
        let mut response = if unchanged {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        response
            .insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .insert_header((header::AGE, self.rendered_at.elapsed().as_secs().to_string()));
        if let Some(link) = &self.link {
            response.insert_header((header::LINK, link.clone()));
        }
        if unchanged {
            return response.finish();
        }
        response.content_type("application/json").body(self.body.clone())
    }
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("cannot render a page: {e}")))
}

/// The pages of one instance.
#[derive(Clone)]
pub struct CatalogPages {
    pages: Cache<PageKey, Arc<RenderedPage>>,
    hearing: CatalogHearing,
}

impl CatalogPages {
    /// Pages weighing `max_bytes` at most together ([`MAX_BYTES`] unless a test wants fewer).
    pub fn weighing_at_most(max_bytes: u64) -> Self {
        CatalogPages {
            pages: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &PageKey, page: &Arc<RenderedPage>| {
                    u32::try_from(key.weight() + page.weight()).unwrap_or(u32::MAX)
                })
                .time_to_live(FRESH_FOR)
                .build(),
            hearing: CatalogHearing::default(),
        }
    }
}

impl CatalogPages {
    /// What the catalog listener heard.
    pub fn hear(&self, feed: CatalogFeed) {
        self.hearing.hear(feed, || self.pages.invalidate_all());
    }

    /// Drops every kept page: after this instance's own change, before its commit is heard.
    pub fn forget_all(&self) {
        self.hearing.changed(|| self.pages.invalidate_all());
    }

    /// The page under `key` if kept, otherwise `render`ed (and kept, unless a change was heard
    /// meanwhile). Without a key the page is the caller's own: rendered, never kept.
    pub async fn serve<F, Fut>(
        &self,
        req: &HttpRequest,
        key: Option<PageKey>,
        render: F,
    ) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RenderedPage, ApiError>>,
    {
        let Some(key) = key else {
            return Ok(render().await?.respond(req, PERSONAL));
        };
        if self.hearing.is_listening()
            && let Some(page) = self.pages.get(&key)
        {
            if !page.read_again.load(Ordering::Relaxed) {
                page.read_again.store(true, Ordering::Relaxed);
            }
            return Ok(page.respond(req, SHARED));
        }
        let began = self.hearing.read_begins();
        let page = Arc::new(render().await?);
        // A change heard while rendering: the page may show what it replaced.
        if self.hearing.may_keep(began) {
            self.pages.insert(key.clone(), page.clone());
            if !self.hearing.may_keep(began) {
                self.pages.invalidate(&key);
            }
        }
        Ok(page.respond(req, SHARED))
    }

    /// The products whose kept pages were read again and are at least `older_than` old: worth
    /// rendering anew before they expire, with where the read begins, to hand back to `refreshed`.
    pub fn product_pages_due(&self, older_than: Duration) -> (Vec<i64>, ReadBegan) {
        let began = self.hearing.read_begins();
        if !self.hearing.is_listening() {
            return (Vec::new(), began);
        }
        let due = self
            .pages
            .iter()
            .filter_map(|(key, page)| match *key {
                PageKey::Product(id)
                    if page.read_again.load(Ordering::Relaxed)
                        && page.rendered_at.elapsed() >= older_than =>
                {
                    Some(id)
                }
                _ => None,
            })
            .collect();
        (due, began)
    }

    /// Keeps the pages of `due` rendered anew from a read that began at `began`: each for
    /// another `FRESH_FOR`, unless a change was heard since (then none), and drops the pages of
    /// products the read no longer found.
    pub fn refreshed(&self, began: ReadBegan, due: &[i64], rendered: Vec<(i64, RenderedPage)>) {
        if !self.hearing.may_keep(began) {
            return;
        }
        let found: HashSet<i64> = rendered.iter().map(|(id, _)| *id).collect();
        for id in due.iter().filter(|id| !found.contains(id)) {
            self.pages.invalidate(&PageKey::Product(*id));
        }
        for (id, page) in rendered {
            self.pages.insert(PageKey::Product(id), Arc::new(page));
        }
        // As in `serve`: a change heard while reading may be missing from these pages.
        if !self.hearing.may_keep(began) {
            for id in due {
                self.pages.invalidate(&PageKey::Product(*id));
            }
        }
    }

    /// The kept pages' weight in bytes, once pending evictions are done.
    pub fn weight(&self) -> u64 {
        self.pages.run_pending_tasks();
        self.pages.weighted_size()
    }

    /// Whether changes are heard, so pages are kept.
    pub fn is_listening(&self) -> bool {
        self.hearing.is_listening()
    }
}
