//! What unknown routes and wrong methods answer: 404, or 405 with `Allow` when the path exists
//! with other methods. The known paths come from the OpenAPI document.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::problem::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Fixed(String),
    /// A `{parameter}` segment, with the parameter's name.
    Parameter(String),
}

#[derive(Debug, Clone)]
struct Template {
    segments: Vec<Segment>,
    methods: Vec<String>,
}

impl Template {
    fn matches(&self, parts: &[&str]) -> bool {
        self.segments.len() == parts.len()
            && self.segments.iter().zip(parts).all(|(segment, part)| match segment {
                Segment::Fixed(fixed) => fixed == part,
                Segment::Parameter(_) => !part.is_empty(),
            })
    }

    fn is_fixed(&self) -> bool {
        self.segments.iter().all(|segment| matches!(segment, Segment::Fixed(_)))
    }
}

fn parts(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
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
                let segments = parts(path)
                    .into_iter()
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Parameter(name.to_owned()),
                        None => Segment::Fixed(s.to_owned()),
                    })
                    .collect();
                let item = serde_json::to_value(item).unwrap_or_default();
                let mut methods: Vec<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
                    .into_iter()
                    .filter(|m| item.get(*m).is_some())
                    .map(str::to_uppercase)
                    .collect();
                // Every GET route answers HEAD too (middleware::head_as_get).
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".to_owned());
                }
                methods.sort();
                Template { segments, methods }
            })
            .collect();
        Self { templates }
    }

    /// The methods the path supports, or `None` when no route has this path.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        // A fixed route (`/industries/tree`) is what the router serves for its path, even where
        // a `{id}` route of the same shape exists: only its methods are allowed there.
        if let Some(methods) = self.fixed_route_methods(path) {
            return Some(methods);
        }
        let parts = parts(path);
        let mut methods: Vec<String> = self
            .templates
            .iter()
            .filter(|t| t.matches(&parts))
            .flat_map(|t| t.methods.iter().cloned())
            .collect();
        if methods.is_empty() {
            return None;
        }
        methods.sort();
        methods.dedup();
        Some(methods)
    }

    /// The methods of a route whose path is exactly `path` with no parameters (such as
    /// `/api/v1/industries/tree`), which a `{id}` route of another method may also match.
    pub fn fixed_route_methods(&self, path: &str) -> Option<Vec<String>> {
        let parts = parts(path);
        let template = self.templates.iter().find(|t| t.is_fixed() && t.matches(&parts))?;
        Some(template.methods.clone())
    }

    /// The name of the parameter at each segment of `path` for the first route it matches
    /// (`None` for fixed segments).
    pub fn parameter_names(&self, path: &str) -> Option<Vec<Option<String>>> {
        let parts = parts(path);
        let template = self.templates.iter().find(|t| t.matches(&parts))?;
        Some(
            template
                .segments
                .iter()
                .map(|segment| match segment {
                    Segment::Parameter(name) => Some(name.clone()),
                    Segment::Fixed(_) => None,
                })
                .collect(),
        )
    }
}

/// A path parameter that did not parse: 405 when the path is really a fixed route of other
/// methods (`PUT /industries/tree` reached `PUT /industries/{id}`), else 400 naming the
/// parameters that are not what the route declares.
pub fn path_error(req: &HttpRequest) -> ApiError {
    let routes = req.app_data::<web::Data<RouteTable>>();
    if let Some(methods) = routes.and_then(|r| r.fixed_route_methods(req.path())) {
        return ApiError::method_not_allowed(methods.join(", "));
    }
    let mut errors = axis_kernel::FieldErrors::new();
    for (name, value) in req.match_info().iter() {
        if uuid::Uuid::parse_str(value).is_err() {
            errors.add(name, "must be a UUID");
        }
    }
    let detail = match errors.fields().keys().next() {
        Some(name) => format!("path parameter {name} is malformed"),
        None => "a path parameter is malformed".to_owned(),
    };
    let error = ApiError::bad_request(detail);
    if errors.is_empty() { error } else { error.with_errors(errors) }
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
