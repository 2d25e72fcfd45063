//! Read-only lists of what staff manage through the API: promotions, shipping options, and
//! webhook endpoints with their latest deliveries.

use actix_web::HttpResponse;
use actix_web::web::Data;
use askama::Template;
use domain::events::ports::{DeliveryFilter, WebhookEndpoints};
use domain::page::Limit;
use domain::promotions::{DiscountKind, PromotionFilter};

use crate::console::error::PageError;
use crate::console::render::{self, Layout, Section};
use crate::console::session::ConsoleStaff;
use crate::http::blocking;
use crate::state::AppState;

/// Rows listed at most; the API pages through the rest.
const SHOWN: i64 = 100;
/// Latest deliveries listed per endpoint.
const DELIVERIES_SHOWN: i64 = 10;

struct PromotionRow {
    code: String,
    discount: String,
    category: String,
    window: String,
    redemptions: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "console/promotions.html")]
struct PromotionsPage {
    layout: Layout,
    promotions: Vec<PromotionRow>,
    more: bool,
}

pub async fn promotions(state: Data<AppState>, staff: ConsoleStaff) -> Result<HttpResponse, PageError> {
    let store = state.promotions.clone();
    let filter = PromotionFilter {
        limit: Limit::new(SHOWN).unwrap_or_default(),
        ..PromotionFilter::default()
    };
    let page = blocking::run(move || domain::promotions::use_cases::list_promotions(&store, &filter)).await?;
    let currency = &state.currency;
    let promotions = page
        .items
        .into_iter()
        .map(|stored| {
            let p = stored.promotion;
            let moment =
                |at: Option<chrono::DateTime<chrono::Utc>>| at.map(render::moment).unwrap_or_default();
            PromotionRow {
                code: p.code.as_str().to_owned(),
                discount: match &p.kind {
                    DiscountKind::Percent(percent) => format!("{percent} %"),
                    DiscountKind::Fixed(amount) => format!("{amount} {currency}"),
                },
                category: p.category.unwrap_or_default(),
                window: match (p.starts_at, p.ends_at) {
                    (None, None) => "always".into(),
                    (starts, ends) => format!("{} – {}", moment(starts), moment(ends)),
                },
                redemptions: match p.max_redemptions {
                    Some(max) => format!("{} of {max}", p.redemptions),
                    None => p.redemptions.to_string(),
                },
                active: p.active,
            }
        })
        .collect();
    render::page(&PromotionsPage {
        layout: Layout::signed_in(&staff, Section::Promotions, "Promotions"),
        promotions,
        more: page.next.is_some(),
    })
}

struct ShippingRow {
    code: String,
    name: String,
    price: String,
    free_over: String,
}

#[derive(Template)]
#[template(path = "console/shipping.html")]
struct ShippingPage {
    layout: Layout,
    currency: String,
    options: Vec<ShippingRow>,
}

pub async fn shipping(state: Data<AppState>, staff: ConsoleStaff) -> Result<HttpResponse, PageError> {
    let store = state.shipping.clone();
    let options = blocking::run(move || domain::shipping::use_cases::active_shipping_options(&store)).await?;
    render::page(&ShippingPage {
        layout: Layout::signed_in(&staff, Section::Shipping, "Shipping options"),
        currency: state.currency.clone(),
        options: options
            .into_iter()
            .map(|option| ShippingRow {
                code: option.code.as_str().to_owned(),
                name: option.name,
                price: option.price.to_string(),
                free_over: option.free_over.map(|m| m.to_string()).unwrap_or_default(),
            })
            .collect(),
    })
}

struct DeliveryRow {
    event: String,
    kind: String,
    status: &'static str,
    attempts: u32,
    last: String,
}

struct EndpointRow {
    id: i64,
    url: String,
    description: String,
    events: String,
    active: bool,
    disabled_reason: String,
    deliveries: Vec<DeliveryRow>,
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct WebhooksPage {
    layout: Layout,
    endpoints: Vec<EndpointRow>,
}

pub async fn webhooks(state: Data<AppState>, staff: ConsoleStaff) -> Result<HttpResponse, PageError> {
    let store = state.webhooks.clone();
    let filter = DeliveryFilter {
        limit: Limit::new(DELIVERIES_SHOWN).unwrap_or_default(),
        ..DeliveryFilter::default()
    };
    let endpoints = blocking::run(move || {
        store
            .endpoints()?
            .into_iter()
            .map(|endpoint| {
                let mut deliveries = store.deliveries(endpoint.id, &filter)?.unwrap_or_default();
                deliveries.truncate(filter.limit.get());
                Ok((endpoint, deliveries))
            })
            .collect::<Result<Vec<_>, domain::store::StoreError>>()
    })
    .await?;
    render::page(&WebhooksPage {
        layout: Layout::signed_in(&staff, Section::Webhooks, "Webhooks"),
        endpoints: endpoints
            .into_iter()
            .map(|(endpoint, deliveries)| EndpointRow {
                id: endpoint.id,
                url: endpoint.url,
                description: endpoint.description.unwrap_or_default(),
                events: endpoint
                    .events
                    .iter()
                    .map(|kind| kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                active: endpoint.active,
                disabled_reason: endpoint.disabled_reason.unwrap_or_default(),
                deliveries: deliveries
                    .into_iter()
                    .map(|delivery| DeliveryRow {
                        event: crate::events::views::event_id(delivery.event_id),
                        kind: delivery.kind.as_str().to_owned(),
                        status: delivery.status.as_str(),
                        attempts: delivery.attempts,
                        last: match (
                            delivery.last_attempt_at,
                            delivery.last_status_code,
                            delivery.last_error,
                        ) {
                            (None, ..) => String::new(),
                            (Some(at), Some(code), _) => format!("{} → {code}", render::moment(at)),
                            (Some(at), None, error) => {
                                format!("{} → {}", render::moment(at), error.unwrap_or_default())
                            }
                        },
                    })
                    .collect(),
            })
            .collect(),
    })
}
