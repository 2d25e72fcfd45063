//! Orders: the list by status and customer, several shipped at once with each one's outcome,
//! and an order's page with its lines, totals, history and the moves staff may make now.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use domain::accounts::Role;
use domain::ids::OrderId;
use domain::orders::ports::TransitionRecord;
use domain::orders::use_cases::{self, Viewer};
use domain::orders::{Action, Actor, Order, OrderError, OrderStatus};

use crate::console::csrf::ConsolePost;
use crate::console::error::PageError;
use crate::console::form::{FieldMessages, FormFields};
use crate::console::render::{self, Layout, Section};
use crate::console::session::ConsoleStaff;
use crate::http::blocking;
use crate::orders::requests::{BulkShipRequest, ListOrdersParams};
use crate::state::AppState;

const PAGE_SIZE: &str = "25";

fn viewer(staff: &ConsoleStaff) -> Viewer {
    Viewer {
        user_id: staff.user_id,
        role: Role::Staff,
    }
}

struct OrderRow {
    id: i64,
    customer: i64,
    status: &'static str,
    placed: String,
    units: i64,
    total: String,
}

impl From<&Order> for OrderRow {
    fn from(order: &Order) -> OrderRow {
        OrderRow {
            id: order.id.0,
            customer: order.user_id.0,
            status: order.status.as_str(),
            placed: render::moment(order.created_at),
            units: order.items.iter().map(|item| i64::from(item.quantity)).sum(),
            total: order.total_amount.to_string(),
        }
    }
}

/// The list's filters as typed.
struct Filters {
    status: Option<String>,
    customer: Option<String>,
}

impl Filters {
    fn read(query: &FormFields) -> Filters {
        Filters {
            status: query.owned("status"),
            customer: query.owned("customer"),
        }
    }

    /// The list's address with these filters, and `extra` pairs.
    fn href(&self, extra: &[(&str, String)]) -> String {
        let mut pairs: Vec<(&str, String)> = [("status", &self.status), ("customer", &self.customer)]
            .into_iter()
            .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
            .collect();
        pairs.extend(extra.iter().cloned());
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        if query.is_empty() {
            "/admin/orders".into()
        } else {
            format!("/admin/orders?{query}")
        }
    }

    fn status_is(&self, value: &str) -> bool {
        self.status.as_deref().unwrap_or("") == value
    }
}

/// One order of a bulk shipment, as the list shows it after the redirect.
struct Outcome {
    id: i64,
    shipped: bool,
    message: String,
}

/// Why an order did not ship, as the redirect carries it: the status it was in, or what else
/// stopped it.
fn refusal_code(error: &OrderError) -> &'static str {
    match error {
        OrderError::InvalidTransition { from, .. } => from,
        OrderError::NotFound => "not_found",
        OrderError::Store(_) => "unavailable",
        _ => "failed",
    }
}

/// The domain's own sentence for a refusal the redirect named.
fn refusal_message(code: &str) -> String {
    let error = match OrderStatus::parse(code) {
        Some(from) => OrderError::InvalidTransition {
            from: from.as_str(),
            action: "ship",
        },
        None if code == "not_found" => OrderError::NotFound,
        None if code == "unavailable" => {
            return "the database was unavailable; it was not tried, select it again".into();
        }
        None => return "it could not be shipped".into(),
    };
    error.to_string()
}

fn outcomes(query: &FormFields) -> Vec<Outcome> {
    let shipped = query
        .all("shipped")
        .into_iter()
        .filter_map(|id| id.parse().ok())
        .map(|id| Outcome {
            id,
            shipped: true,
            message: "shipped".into(),
        });
    let refused = query.all("refused").into_iter().filter_map(|raw| {
        let (id, code) = raw.split_once(':')?;
        Some(Outcome {
            id: id.parse().ok()?,
            shipped: false,
            message: refusal_message(code),
        })
    });
    shipped.chain(refused).collect()
}

#[derive(Template)]
#[template(path = "console/orders.html")]
struct OrdersPage {
    layout: Layout,
    currency: String,
    filters: Filters,
    messages: FieldMessages,
    outcomes: Vec<Outcome>,
    orders: Vec<OrderRow>,
    first_page: Option<String>,
    next_page: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    state: Data<AppState>,
    staff: ConsoleStaff,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    orders_page(&state, &staff, &query, FieldMessages::default(), StatusCode::OK).await
}

async fn orders_page(
    state: &AppState,
    staff: &ConsoleStaff,
    query: &FormFields,
    messages: FieldMessages,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let filters = Filters::read(query);
    let cursor = query.owned("cursor");
    let params = ListOrdersParams {
        user_id: filters.customer.clone(),
        status: filters.status.clone(),
        limit: Some(PAGE_SIZE.into()),
        cursor: cursor.clone(),
    };
    let mut page = OrdersPage {
        layout: Layout::signed_in(staff, Section::Orders, "Orders"),
        currency: state.currency.clone(),
        messages,
        outcomes: outcomes(query),
        orders: Vec::new(),
        first_page: cursor.is_some().then(|| filters.href(&[])),
        next_page: None,
        filters,
    };
    let filter = match params.parse(&state.cursors) {
        Ok(filter) => filter,
        Err(refusal) => {
            page.messages.merge(Some(refusal))?;
            return render::page_with_status(StatusCode::BAD_REQUEST, &page);
        }
    };
    let (orders, viewer) = (state.orders.clone(), viewer(staff));
    let found = blocking::run(move || use_cases::list_orders(&orders, filter, viewer)).await?;
    page.next_page = found
        .next
        .map(|key| page.filters.href(&[("cursor", state.cursors.encode(&key))]));
    page.orders = found.items.iter().map(OrderRow::from).collect();
    render::page_with_status(status, &page)
}

/// Ships the orders checked in the list, each on its own; the list then shows what became of
/// each one.
pub async fn bulk_ship(state: Data<AppState>, post: ConsolePost) -> Result<HttpResponse, PageError> {
    let fields = &post.fields;
    let ids: Option<Vec<i64>> = fields
        .all("order")
        .into_iter()
        .map(|id| id.parse().ok())
        .collect();
    let mut messages = FieldMessages::default();
    let ids = match ids {
        Some(ids) if ids.is_empty() => {
            messages.general.push("Select at least one order to ship.".into());
            None
        }
        Some(ids) => match (BulkShipRequest { order_ids: Some(ids) }).parse() {
            Ok(ids) => Some(ids),
            Err(refusal) => {
                messages.merge(Some(refusal))?;
                None
            }
        },
        None => {
            messages.general.push("An order id is not a number.".into());
            None
        }
    };
    let filters = Filters::read(fields);
    let Some(ids) = ids else {
        return orders_page(
            &state,
            &post.staff,
            fields,
            messages,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (orders, viewer) = (state.orders.clone(), viewer(&post.staff));
    let shipment = blocking::run(move || use_cases::bulk_ship(&orders, &ids, viewer)).await?;
    let mut outcome: Vec<(&str, String)> = shipment
        .shipped
        .iter()
        .map(|id| ("shipped", id.to_string()))
        .collect();
    outcome.extend(
        shipment
            .failed
            .iter()
            .map(|(id, error)| ("refused", format!("{id}:{}", refusal_code(error)))),
    );
    Ok(render::see_other(&filters.href(&outcome)))
}

struct LineRow {
    sku: String,
    name: String,
    quantity: i32,
    unit_price: String,
    discount: String,
    line_total: String,
}

struct HistoryRow {
    at: String,
    from: &'static str,
    to: &'static str,
    by: String,
    reason: String,
}

impl From<TransitionRecord> for HistoryRow {
    fn from(record: TransitionRecord) -> HistoryRow {
        HistoryRow {
            at: render::moment(record.at),
            from: record.from.map_or("", OrderStatus::as_str),
            to: record.to.as_str(),
            by: match record.actor_id {
                Some(id) => format!("{} #{id}", record.actor_kind),
                None => record.actor_kind,
            },
            reason: record.reason.unwrap_or_default(),
        }
    }
}

/// A move staff may make on the order now, as a button.
struct Move {
    path: &'static str,
    label: &'static str,
    danger: bool,
}

#[derive(Template)]
#[template(path = "console/order.html")]
struct OrderPage {
    layout: Layout,
    order: OrderRow,
    lines: Vec<LineRow>,
    subtotal: String,
    discount_total: String,
    shipping_total: String,
    promotion: Option<String>,
    shipping_option: Option<String>,
    history: Vec<HistoryRow>,
    moves: Vec<Move>,
}

pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    staff: ConsoleStaff,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    let (orders, viewer) = (state.orders.clone(), viewer(&staff));
    let id = OrderId(id.into_inner());
    let (order, history) = blocking::run(move || {
        let order = use_cases::order_details(&orders, id, viewer)?;
        let history = use_cases::order_history(&orders, id, viewer)?;
        Ok::<_, OrderError>((order, history))
    })
    .await?;
    let actor = Actor::Staff { id: staff.user_id };
    // Offered when the lifecycle allows it now; the use case decides again when it is pressed.
    let moves = [
        (Action::Ship, "ship", "Ship", false),
        (Action::Deliver, "deliver", "Deliver", false),
        (Action::Cancel, "cancel", "Cancel order", true),
    ]
    .into_iter()
    .filter(|(action, ..)| order.status.apply(*action, actor).is_ok())
    .map(|(_, path, label, danger)| Move { path, label, danger })
    .collect();
    render::page(&OrderPage {
        layout: Layout::signed_in(&staff, Section::Orders, format!("Order #{id}"))
            .with_notice(render::notice(&query)),
        order: OrderRow::from(&order),
        subtotal: order.subtotal.to_string(),
        discount_total: order.discount_total.to_string(),
        shipping_total: order.shipping_total.to_string(),
        promotion: order.promotion.as_ref().map(|(_, code)| code.clone()),
        shipping_option: order.shipping_option.clone(),
        lines: order
            .items
            .into_iter()
            .map(|item| LineRow {
                sku: item.sku,
                name: item.name,
                quantity: item.quantity,
                unit_price: item.unit_price.to_string(),
                discount: item.discount.to_string(),
                line_total: item.line_total.to_string(),
            })
            .collect(),
        history: history.into_iter().map(HistoryRow::from).collect(),
        moves,
    })
}

async fn act(
    state: Data<AppState>,
    post: ConsolePost,
    id: i64,
    action: Action,
    done: &str,
) -> Result<HttpResponse, PageError> {
    let (orders, viewer) = (state.orders.clone(), viewer(&post.staff));
    blocking::run(move || use_cases::act_on_order(&orders, OrderId(id), action, viewer)).await?;
    Ok(render::see_other(&format!("/admin/orders/{id}?done={done}")))
}

pub async fn ship(
    state: Data<AppState>,
    post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    act(state, post, id.into_inner(), Action::Ship, "shipped").await
}

pub async fn deliver(
    state: Data<AppState>,
    post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    act(state, post, id.into_inner(), Action::Deliver, "delivered").await
}

pub async fn cancel(
    state: Data<AppState>,
    post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    act(state, post, id.into_inner(), Action::Cancel, "cancelled").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_survives_the_redirect_as_the_domains_own_sentence() {
        let refused = OrderError::InvalidTransition {
            from: "pending",
            action: "ship",
        };

        assert_eq!(refusal_message(refusal_code(&refused)), refused.to_string());
        assert_eq!(
            refusal_message(refusal_code(&OrderError::NotFound)),
            OrderError::NotFound.to_string()
        );
    }
}
