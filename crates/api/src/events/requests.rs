//! Webhook endpoint requests and event queries as staff send them, parsed into domain values with
//! every problem reported.
//!
//! An endpoint's URL is vetted here, before anything is stored: the server will make requests to
//! it, so a URL that resolves to an internal address is refused at the door (the sender checks
//! again at every delivery, since a DNS name can be repointed). Resolving a name blocks, so the
//! endpoint requests parse on the blocking pool.

use std::net::{SocketAddr, ToSocketAddrs};

use actix_web::http::Uri;
use actix_web::http::uri::Scheme;
use domain::events::ports::{DeliveryFilter, EndpointChanges, EventFilter, NewEndpoint};
use domain::events::{DeliveryStatus, EventType, is_public_address};
use domain::field_errors::{ErrorCode, FieldErrors};
use domain::page::Limit;
use domain::text::Description;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::cursor::CursorCodec;
use crate::http::problem::ApiError;
use crate::http::{query, validation};

/// Where staff may point a webhook endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookUrlRules {
    /// Whether the host may resolve to loopback, private or other non-public addresses
    /// (development and tests, where the receiver runs on the same machine).
    pub allow_private: bool,
    /// Whether `http` is refused: secrets are not the only thing a delivery carries.
    pub https_only: bool,
}

/// Longer than any real receiver's URL; bounds what staff can make us store and resolve.
const MAX_URL_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("must be at most {MAX_URL_LEN} characters")]
    TooLong,
    #[error("must be an absolute http or https URL with a host")]
    NotAbsolute,
    #[error("must use https")]
    NotHttps,
    #[error("the host {0} does not resolve to any address")]
    Unresolvable(String),
    #[error("the host {0} resolves to a non-public address")]
    NotPublic(String),
}

impl ErrorCode for UrlError {
    fn code(&self) -> &'static str {
        match self {
            UrlError::TooLong => "length",
            UrlError::NotAbsolute | UrlError::NotHttps => "format",
            UrlError::Unresolvable(_) => "unresolvable",
            UrlError::NotPublic(_) => "forbidden_address",
        }
    }
}

/// The URL as sent (trimmed), once it is absolute, of an allowed scheme, and its host resolves
/// only to addresses we may call. Blocks while the host is resolved.
pub fn vetted_url(raw: &str, rules: WebhookUrlRules) -> Result<String, UrlError> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    let uri: Uri = raw.parse().map_err(|_| UrlError::NotAbsolute)?;
    let scheme = uri.scheme().ok_or(UrlError::NotAbsolute)?;
    let default_port = if *scheme == Scheme::HTTPS {
        443
    } else if *scheme == Scheme::HTTP {
        if rules.https_only {
            return Err(UrlError::NotHttps);
        }
        80
    } else {
        return Err(UrlError::NotAbsolute);
    };
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or(UrlError::NotAbsolute)?;
    // Read from the text: `Uri::port` takes an out-of-range port for no port at all.
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, rest)| rest);
    let port = match host_and_port
        .strip_prefix(host)
        .and_then(|rest| rest.strip_prefix(':'))
    {
        None | Some("") => default_port,
        Some(digits) => match digits.parse::<u16>() {
            Ok(port) if port != 0 && digits.bytes().all(|b| b.is_ascii_digit()) => port,
            _ => return Err(UrlError::NotAbsolute),
        },
    };
    // An IPv6 literal comes bracketed, as URLs write it; the resolver wants it bare.
    let addresses: Vec<SocketAddr> = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .map_err(|_| UrlError::Unresolvable(host.to_owned()))?
        .collect();
    if addresses.is_empty() {
        return Err(UrlError::Unresolvable(host.to_owned()));
    }
    // Every address must pass: a resolver may hand the sender any one of them.
    if !rules.allow_private && addresses.iter().any(|a| !is_public_address(a.ip())) {
        return Err(UrlError::NotPublic(host.to_owned()));
    }
    Ok(raw.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    #[error("must list at least one event type")]
    Empty,
    #[error("unknown event type(s): {0}")]
    Unknown(String),
    #[error("ping cannot be subscribed to: it goes only to the endpoint being tested")]
    Ping,
}

impl ErrorCode for SubscriptionError {
    fn code(&self) -> &'static str {
        match self {
            SubscriptionError::Empty => "length",
            SubscriptionError::Unknown(_) | SubscriptionError::Ping => "unknown",
        }
    }
}

/// The event types an endpoint subscribes to: at least one, each known and subscribable, in the
/// order given with repeats dropped.
pub fn subscriptions(raw: &[String]) -> Result<Vec<EventType>, SubscriptionError> {
    if raw.is_empty() {
        return Err(SubscriptionError::Empty);
    }
    let unknown: Vec<&str> = raw
        .iter()
        .map(String::as_str)
        .filter(|name| EventType::parse(name).is_none())
        .collect();
    if !unknown.is_empty() {
        return Err(SubscriptionError::Unknown(unknown.join(", ")));
    }
    let mut kinds: Vec<EventType> = Vec::with_capacity(raw.len());
    for kind in raw.iter().filter_map(|name| EventType::parse(name)) {
        if !kind.subscribable() {
            return Err(SubscriptionError::Ping);
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// An empty description is no description.
fn description(errors: &mut FieldErrors, raw: &str) -> Option<Option<String>> {
    errors
        .check("description", Description::parse(raw))
        .map(|d| Some(d.into_inner()).filter(|d| !d.is_empty()))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    /// Absolute `https` (or, unless the server requires https, `http`) URL whose host resolves to
    /// public addresses only.
    #[validate(required)]
    #[schema(value_type = String, example = "https://example.com/hooks/stockroom")]
    pub url: Option<String>,
    /// At least one of `order.created`, `order.paid`, `order.cancelled`, `order.shipped`,
    /// `order.delivered`, `product.low_stock`, `product.updated`.
    #[validate(required)]
    #[schema(value_type = Vec<String>, min_items = 1, example = json!(["order.created", "order.paid"]))]
    pub events: Option<Vec<String>>,
    /// Up to 5000 characters, for the staff who read the list.
    pub description: Option<String>,
}

impl CreateEndpointRequest {
    /// Blocks: resolves the URL's host. `secret` is the new endpoint's signing secret.
    pub fn parse(self, rules: WebhookUrlRules, secret: String) -> Result<NewEndpoint, ApiError> {
        let mut errors = validation::start(&self);
        let url = self
            .url
            .and_then(|raw| errors.check("url", vetted_url(&raw, rules)));
        let events = self
            .events
            .and_then(|raw| errors.check("events", subscriptions(&raw)));
        let description = match self.description {
            None => Some(None),
            Some(raw) => description(&mut errors, &raw),
        };
        match (url, events, description) {
            (Some(url), Some(events), Some(description)) if errors.is_empty() => Ok(NewEndpoint {
                url,
                events,
                description,
                secret,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchEndpointRequest {
    /// Vetted like at creation.
    #[schema(value_type = Option<String>)]
    pub url: Option<String>,
    /// Replaces the subscriptions: at least one subscribable event type.
    #[schema(value_type = Option<Vec<String>>, min_items = 1)]
    pub events: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::http::json::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `true` re-enables an endpoint the worker disabled, forgetting its failures.
    pub active: Option<bool>,
}

impl PatchEndpointRequest {
    /// Blocks when the URL changes: resolves its host.
    pub fn parse(self, rules: WebhookUrlRules) -> Result<EndpointChanges, ApiError> {
        let mut errors = validation::start(&self);
        let url = self.url.map(|raw| errors.check("url", vetted_url(&raw, rules)));
        let events = self.events.map(|raw| errors.check("events", subscriptions(&raw)));
        let description = match self.description {
            None => None,
            Some(None) => Some(Some(None)),
            Some(Some(raw)) => Some(description(&mut errors, &raw)),
        };
        // A field that failed to parse is `Some(None)` here, and its error is recorded.
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(EndpointChanges {
            url: url.flatten(),
            events: events.flatten(),
            description: description.flatten(),
            active: self.active,
        })
    }
}

fn parse_limit(errors: &mut FieldErrors, raw: Option<&str>) -> Limit {
    query::parse_i64(errors, "limit", raw)
        .and_then(|n| errors.check("limit", Limit::new(n)))
        .unwrap_or_default()
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListEventsParams {
    /// Only events of this type, e.g. `order.paid` (`ping` included).
    #[serde(rename = "type")]
    #[param(
        example = "order.created",
        pattern = "^(order\\.(created|paid|cancelled|shipped|delivered)|product\\.(low_stock|updated)|ping)$"
    )]
    pub kind: Option<String>,
    /// 1..=100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListEventsParams {
    pub fn parse(self, cursors: &CursorCodec) -> Result<EventFilter, ApiError> {
        let mut errors = FieldErrors::default();
        let kind = self.kind.as_deref().and_then(|raw| {
            let parsed = EventType::parse(raw);
            if parsed.is_none() {
                errors.add("type", "format", format!("{raw:?} is not an event type"));
            }
            parsed
        });
        let limit = parse_limit(&mut errors, self.limit.as_deref());
        query::finish(errors)?;
        let before = self.cursor.map(|c| cursors.decode::<i64>(&c)).transpose()?;
        Ok(EventFilter { kind, before, limit })
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesParams {
    /// `pending`, `delivered`, `failed` or `dead`.
    #[param(pattern = "^(pending|delivered|failed|dead)$")]
    pub status: Option<String>,
    /// 1..=100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListDeliveriesParams {
    pub fn parse(self, cursors: &CursorCodec) -> Result<DeliveryFilter, ApiError> {
        let mut errors = FieldErrors::default();
        let status = self.status.as_deref().and_then(|raw| {
            let parsed = DeliveryStatus::parse(raw);
            if parsed.is_none() {
                errors.add("status", "format", "must be pending, delivered, failed or dead");
            }
            parsed
        });
        let limit = parse_limit(&mut errors, self.limit.as_deref());
        query::finish(errors)?;
        let before = self.cursor.map(|c| cursors.decode::<i64>(&c)).transpose()?;
        Ok(DeliveryFilter {
            status,
            before,
            limit,
        })
    }
}

/// An event id from a path: `evt_42` as events and deliveries show it, or the bare `42`. Anything
/// else names no event.
pub fn event_id(raw: &str) -> Option<i64> {
    raw.strip_prefix("evt_")
        .unwrap_or(raw)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: WebhookUrlRules = WebhookUrlRules {
        allow_private: false,
        https_only: true,
    };
    const LAX: WebhookUrlRules = WebhookUrlRules {
        allow_private: true,
        https_only: false,
    };

    fn names(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn subscriptions_are_known_subscribable_types_without_repeats() {
        assert_eq!(
            subscriptions(&names(&["order.paid", "order.created", "order.paid"])),
            Ok(vec![EventType::OrderPaid, EventType::OrderCreated])
        );
        assert_eq!(subscriptions(&[]), Err(SubscriptionError::Empty));
        assert_eq!(
            subscriptions(&names(&["order.paid", "order.refunded", "Order.Created"])),
            Err(SubscriptionError::Unknown("order.refunded, Order.Created".into()))
        );
        assert_eq!(
            subscriptions(&names(&["order.paid", "ping"])),
            Err(SubscriptionError::Ping)
        );
    }

    #[test]
    fn urls_must_be_absolute_http_or_https_with_a_host() {
        for raw in [
            "",
            "example.com/hook",
            "/hook",
            "ftp://127.0.0.1/hook",
            "http:///hook",
            "http://127.0.0.1:99999/hook",
            "http://127.0.0.1:0/hook",
            "http://127.0.0.1:+80/hook",
            "http://[::1]:65536/hook",
            "http://exa mple.com/",
        ] {
            assert_eq!(vetted_url(raw, LAX), Err(UrlError::NotAbsolute), "{raw:?}");
        }
        assert_eq!(
            vetted_url(&format!("http://127.0.0.1/{}", "x".repeat(MAX_URL_LEN)), LAX),
            Err(UrlError::TooLong)
        );
    }

    #[test]
    fn https_only_refuses_http() {
        let https_only = WebhookUrlRules {
            allow_private: true,
            https_only: true,
        };
        assert_eq!(
            vetted_url("http://127.0.0.1/hook", https_only),
            Err(UrlError::NotHttps)
        );
        assert!(vetted_url("https://127.0.0.1/hook", https_only).is_ok());
    }

    #[test]
    fn hosts_on_non_public_addresses_are_refused_unless_allowed() {
        for raw in [
            "https://127.0.0.1/hook",
            "https://[::1]:8443/hook",
            "https://10.0.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/hook",
        ] {
            assert!(
                matches!(vetted_url(raw, STRICT), Err(UrlError::NotPublic(_))),
                "{raw}"
            );
            assert_eq!(vetted_url(raw, LAX).as_deref(), Ok(raw), "{raw}");
        }
        assert!(vetted_url("http://user:pw@127.0.0.1:8080/hook", LAX).is_ok());
        assert!(vetted_url("http://[::1]:65535/hook", LAX).is_ok());
        assert_eq!(
            vetted_url(" https://8.8.8.8/hook ", STRICT).as_deref(),
            Ok("https://8.8.8.8/hook")
        );
    }

    #[test]
    fn event_ids_are_read_with_or_without_their_prefix() {
        assert_eq!(event_id("evt_42"), Some(42));
        assert_eq!(event_id("42"), Some(42));
        for raw in ["evt_", "evt_x", "evt_-1", "0", "evt_42 ", "msg_42"] {
            assert_eq!(event_id(raw), None, "{raw:?}");
        }
    }
}
