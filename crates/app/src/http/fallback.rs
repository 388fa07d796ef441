//! What unknown routes and wrong methods answer: 404, or 405 with `Allow` when the path exists
//! with other methods. The known paths come from the OpenAPI document.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::problem::ApiError;

#[derive(Debug, Clone)]
struct Template {
    /// `None` stands for a `{parameter}` segment.
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    templates: Vec<Template>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let templates = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                    .collect();
                let item = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "put", "post", "delete", "patch", "head", "options"]
                    .into_iter()
                    .filter(|m| item.get(*m).is_some())
                    .map(str::to_uppercase)
                    .collect();
                Template { segments, methods }
            })
            .collect();
        Self { templates }
    }

    /// The methods the path supports, or `None` when no route has this path.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut methods: Vec<String> = self
            .templates
            .iter()
            .filter(|t| {
                t.segments.len() == parts.len()
                    && t.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                        Some(fixed) => fixed == part,
                        None => !part.is_empty(),
                    })
            })
            .flat_map(|t| t.methods.iter().cloned())
            .collect();
        if methods.is_empty() {
            return None;
        }
        methods.sort();
        methods.dedup();
        Some(methods)
    }
}

pub async fn not_found_or_not_allowed(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(methods) => ApiError::method_not_allowed(methods.join(", ")),
        None => ApiError::not_found(),
    })
}
