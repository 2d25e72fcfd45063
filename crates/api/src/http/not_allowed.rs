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

    pub fn answer(&self, req: &HttpRequest) -> HttpResponse {
        let allowed: Vec<&str> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(req.path()))
            .flat_map(|(_, methods)| methods.iter().map(String::as_str))
            .collect();
        if allowed.is_empty() {
            ApiError::NotFound.error_response()
        } else {
            ApiError::MethodNotAllowed {
                allow: allowed.join(", "),
            }
            .error_response()
        }
    }
}
