//! Every request gets an id (the client's, if sane), echoed in `X-Request-Id`, carried in every
//! problem body and every log line written while it is served (on its task, or on the blocking
//! thread running its use case), and logged with the request's outcome and latency in one line.
//! The id travels in a task-local, not a tracing span: a span per request cost a tenth of a
//! cached read (DECISIONS.md, "Logs and the benchmark").

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: Arc<str>;
}

thread_local! {
    /// The request a blocking thread is working for (`lend`).
    static LENT: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// The id of the request being served on this task or thread, if any.
pub fn current() -> Option<Arc<str>> {
    REQUEST_ID
        .try_with(Arc::clone)
        .ok()
        .or_else(|| LENT.with(|lent| lent.borrow().clone()))
}

/// Runs `work` on this (blocking) thread as part of request `id`: what it logs carries the id.
pub fn lend<T>(id: Option<Arc<str>>, work: impl FnOnce() -> T) -> T {
    /// Takes the id back even if `work` panics: the thread serves other requests next.
    struct Returned;
    impl Drop for Returned {
        fn drop(&mut self) {
            LENT.with(|lent| lent.borrow_mut().take());
        }
    }
    LENT.with(|lent| *lent.borrow_mut() = id);
    let _returned = Returned;
    work()
}

/// A client's id is kept when it is 1..=128 characters of `[A-Za-z0-9._-]`: safe to log and echo.
fn sane(candidate: &str) -> bool {
    (1..=128).contains(&candidate.len())
        && candidate
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A random (version 4) UUID from the thread's generator: `Uuid::new_v4` asks the kernel for
/// each one, a system call on every request. An id needs to be unique, not secret.
fn new_id() -> Arc<str> {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
        .into()
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map_or_else(new_id, Arc::from);
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    REQUEST_ID
        .scope(id.clone(), async move {
            let outcome = next.call(req).await;
            let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
            match outcome {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    tracing::info!(%method, %path, status, latency_ms, "request");
                    if let Ok(value) = HeaderValue::from_str(&id) {
                        response.headers_mut().insert(HEADER, value);
                    }
                    Ok(response)
                }
                Err(error) => {
                    let status = error.as_response_error().status_code().as_u16();
                    tracing::info!(%method, %path, status, latency_ms, "request");
                    Err(error)
                }
            }
        })
        .await
}
