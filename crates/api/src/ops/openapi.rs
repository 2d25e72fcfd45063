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
        (name = "promotions", description = "Discount codes (staff)"),
        (name = "shipping", description = "Shipping options"),
        (name = "payments", description = "The payment provider's webhook"),
        (name = "webhooks", description = "Events and the endpoints they are delivered to (staff)"),
        (name = "reports", description = "Sales over a period and products running low (staff)"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// The answers every route may give besides its own, documented where the handlers are silent:
/// the problem responses of the extractors and middleware they all share. Errors are
/// `application/problem+json` (the handlers' `body = Problem` says only the schema).
struct CommonAnswers;

/// Routes that take no bearer token, so never answer `401`.
const WITHOUT_TOKEN: [&str; 3] = ["/v1/auth/register", "/v1/auth/token", "/v1/webhooks/payments"];
/// Routes that never touch the database, so never answer `503`.
const WITHOUT_DATABASE: [&str; 2] = ["/healthz", "/metrics"];

fn problem(description: &str) -> utoipa::openapi::Response {
    utoipa::openapi::ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            utoipa::openapi::Content::new(Some(utoipa::openapi::Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn complete(path: &str, operation: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::{Parameter, ParameterIn};

    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.as_str() >= "400", response)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response
                .content
                .insert("application/problem+json".into(), content);
        }
    }
    let has_body = operation.request_body.is_some();
    let has_query = operation.parameters.iter().flatten().any(|parameter| {
        matches!(
            parameter,
            RefOr::T(Parameter {
                parameter_in: ParameterIn::Query,
                ..
            })
        )
    });
    let versioned = path.starts_with("/v1/");
    let expected = [
        ("400", has_body || has_query, "malformed_json or bad_query"),
        (
            "401",
            versioned && !WITHOUT_TOKEN.contains(&path),
            "unauthenticated: a bearer token that is forged, expired or of a removed account",
        ),
        ("404", path.contains('{'), "not_found"),
        ("413", has_body, "payload_too_large"),
        (
            "415",
            has_body,
            "unsupported_media_type: the body must be application/json",
        ),
        ("422", has_body, "validation_failed or unknown_field"),
        (
            "503",
            !WITHOUT_DATABASE.contains(&path),
            "unavailable: the database is unreachable, saturated or timed out (Retry-After)",
        ),
    ];
    for (status, applies, description) in expected {
        if applies {
            responses
                .entry(status.into())
                .or_insert_with(|| RefOr::T(problem(description)));
        }
    }
}

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                complete(path, operation);
            }
        }
    }
}

/// The document as served: the handlers' own annotations plus the answers they share.
pub fn finish(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    CommonAnswers.modify(&mut openapi);
    openapi
}
