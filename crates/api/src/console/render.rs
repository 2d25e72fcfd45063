//! Turning a page's template into a response, and what every page shares: its title, the
//! navigation with the current section marked, the sign-out form with the session's CSRF token,
//! and the notice that follows a redirect after a form.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::error::PageError;
use super::form::FormFields;
use super::session::ConsoleStaff;
use crate::http::problem::ApiError;

/// The parts of the console the navigation leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Products,
    Orders,
    Reports,
    Promotions,
    Shipping,
    Webhooks,
}

const SECTIONS: [(Section, &str, &str); 7] = [
    (Section::Dashboard, "/admin", "Dashboard"),
    (Section::Products, "/admin/products", "Products"),
    (Section::Orders, "/admin/orders", "Orders"),
    (Section::Reports, "/admin/reports", "Reports"),
    (Section::Promotions, "/admin/promotions", "Promotions"),
    (Section::Shipping, "/admin/shipping", "Shipping"),
    (Section::Webhooks, "/admin/webhooks", "Webhooks"),
];

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the base template needs from every page.
pub struct Layout {
    pub title: String,
    section: Option<Section>,
    /// The session's CSRF token; `None` on pages shown without a session.
    pub csrf_token: Option<String>,
    /// What the form just submitted did, shown once after its redirect.
    pub notice: Option<&'static str>,
}

impl Layout {
    pub fn signed_in(staff: &ConsoleStaff, section: Section, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            section: Some(section),
            csrf_token: Some(staff.session.csrf_token.clone()),
            notice: None,
        }
    }

    pub fn signed_out(title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            section: None,
            csrf_token: None,
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<&'static str>) -> Layout {
        self.notice = notice;
        self
    }

    pub fn nav(&self) -> Vec<NavLink> {
        SECTIONS
            .iter()
            .map(|&(section, href, label)| NavLink {
                href,
                label,
                current: self.section == Some(section),
            })
            .collect()
    }
}

/// What the form just submitted did, named by the `done` parameter of the page its redirect
/// leads to. Only these fixed sentences are shown, never text from the address.
pub fn notice(query: &FormFields) -> Option<&'static str> {
    Some(match query.get("done")? {
        "signed-out" => "You are signed out.",
        "created" => "Product created.",
        "saved" => "Changes saved.",
        "adjusted" => "Stock adjusted.",
        "archived" => "Product archived: it is no longer for sale.",
        "restored" => "Product back on sale.",
        "shipped" => "Order shipped.",
        "delivered" => "Order marked delivered.",
        "cancelled" => "Order cancelled; its stock is back on the shelf.",
        _ => return None,
    })
}

/// `200` with the page.
pub fn page(template: &impl Template) -> Result<HttpResponse, PageError> {
    page_with_status(StatusCode::OK, template)
}

/// The page with another status: a form shown again with its errors is `422`, say.
pub fn page_with_status(status: StatusCode, template: &impl Template) -> Result<HttpResponse, PageError> {
    let body = template
        .render()
        .map_err(|e| ApiError::Internal(format!("rendering a console page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// `303 See Other` to `location`: the answer to every form that succeeded, so reloading the page
/// it leads to repeats nothing.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.to_owned()))
        .finish()
}

/// A moment as staff read it: to the minute, in UTC like the reports.
pub fn moment(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
