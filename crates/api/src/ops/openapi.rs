//! The OpenAPI 3.1 document. Paths are collected from the registered handlers themselves
//! (utoipa-actix-web), so the document cannot drift from the routes.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// An error, as `application/problem+json` (RFC 9457).
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[schema(example = "about:blank")]
    pub r#type: String,
    #[schema(example = 409)]
    pub status: u16,
    /// Stable, machine-readable: `insufficient_stock`, `validation_failed`, …
    #[schema(example = "insufficient_stock")]
    pub code: String,
    pub title: String,
    pub detail: String,
    pub request_id: String,
    /// With `validation_failed` and `bad_query`: every invalid field.
    pub errors: Option<Vec<ProblemField>>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemField {
    #[schema(example = "items[0].quantity")]
    pub field: String,
    #[schema(example = "range")]
    pub code: String,
    pub message: String,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Stockroom",
        description = "Orders and inventory: a catalog with exact prices and stock that is never oversold."
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Registration, tokens, the signed-in user"),
        (name = "products", description = "The catalog and its stock ledger"),
        (name = "orders", description = "Placing orders and their lifecycle"),
        (name = "payments", description = "The payment provider's webhook"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;
