//! Answers for paths no route took: `405` with `Allow` when the path exists under other methods,
//! else `404`. The known routes come from the OpenAPI document, so this list cannot drift.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::problem::ApiError;

#[derive(Clone)]
pub struct KnownRoutes {
    routes: Vec<(ResourceDef, Vec<String>)>,
}

impl KnownRoutes {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> KnownRoutes {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(method, _)| method.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        KnownRoutes { routes }
    }

    /// `404` or `405` for a request no handler took, or whose path parameters did not parse.
    /// A literal route (`/v1/orders/bulk-ship`) outranks a pattern that also matches it
    /// (`/v1/orders/{id}`), as in the router; a method the path does allow is `404` (its
    /// parameter named nothing).
    pub fn answer(&self, req: &HttpRequest) -> HttpResponse {
        let matching: Vec<&(ResourceDef, Vec<String>)> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(req.path()))
            .collect();
        let literal: Vec<&(ResourceDef, Vec<String>)> = matching
            .iter()
            .copied()
            .filter(|(def, _)| !def.pattern().is_some_and(|p| p.contains('{')))
            .collect();
        let chosen = if literal.is_empty() { matching } else { literal };
        let allowed: Vec<&str> = chosen
            .iter()
            .flat_map(|(_, methods)| methods.iter().map(String::as_str))
            .collect();
        if allowed.is_empty() || allowed.contains(&req.method().as_str()) {
            ApiError::NotFound.error_response()
        } else {
            ApiError::MethodNotAllowed {
                allow: allowed.join(", "),
            }
            .error_response()
        }
    }
}
