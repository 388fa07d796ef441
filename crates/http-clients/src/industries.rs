//! The industry classification: a two-level (or deeper) tree.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use axis_clients::input::{IndustryDraft, IndustryFields};
use axis_clients::ports::IndustryFilter;
use axis_clients::service::Below;
use axis_clients::{ClientService, Industry, IndustryId, IndustryNode};
use axis_http::idempotent::{CreateBody, Created};
use axis_http::json::ApiJson;
use axis_http::schema::{IdempotencyKey, IfMatch};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use axis_http::dto::{Paginated, with_etag};
use axis_http::extract::Authenticated;
use axis_http::paged_params;
use axis_http::problem::*;
use axis_http::query::ApiQuery;
use axis_http::schema::*;

pub fn configure(cfg: &mut ServiceConfig) {
    // `tree` before `{id}`, so it is not taken for an id.
    cfg.service(industry_tree)
        .service(list_industries)
        .service(create_industry)
        .service(get_industry)
        .service(replace_industry)
        .service(delete_industry)
        .service(industry_children)
        .service(industry_descendants);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Industry)]
pub struct IndustryResponse {
    pub id: Uuid,
    pub name: String,
    #[schema(example = "FIN-BNK")]
    pub code: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    pub external_id: Option<String>,
    /// 0 for a top-level industry.
    pub level: i32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl From<Industry> for IndustryResponse {
    fn from(i: Industry) -> Self {
        Self {
            id: i.id.0,
            name: i.name,
            code: i.code,
            description: i.description,
            parent_id: i.parent_id.map(|p| p.0),
            external_id: i.external_id,
            level: i.level,
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IndustryTreeNode)]
pub struct IndustryTreeNode {
    pub id: Uuid,
    pub name: String,
    pub code: Option<String>,
    pub level: i32,
    #[schema(no_recursion)]
    pub children: Vec<IndustryTreeNode>,
}

impl From<IndustryNode> for IndustryTreeNode {
    fn from(node: IndustryNode) -> Self {
        Self {
            id: node.industry.id.0,
            name: node.industry.name,
            code: node.industry.code,
            level: node.industry.level,
            children: node.children.into_iter().map(Into::into).collect(),
        }
    }
}

paged_params! {
    pub struct IndustryListParams {
        /// Matches name or code.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
        /// Only industries at this depth (0 = top level).
        pub level: Option<i32>,
    }
}

/// List industries by level, then name.
#[utoipa::path(
    tag = "industries",
    params(IndustryListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of industries", body = Paginated<IndustryResponse>),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 409, response = Conflict),
        SignedInErrors,
    )
)]
#[get("")]
async fn list_industries(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<IndustryListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = query.page_request()?;
    let filter = IndustryFilter { search: query.search, level: query.level };
    let industries = clients.list_industries(&actor, &filter, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(industries, IndustryResponse::from)))
}

/// The whole classification as a tree.
#[utoipa::path(
    tag = "industries",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Top-level industries with their children", body = Vec<IndustryTreeNode>),
        SignedInErrors,
    )
)]
#[get("/tree")]
async fn industry_tree(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let forest = clients.industry_tree(&actor).await?;
    Ok(HttpResponse::Ok().json(forest.into_iter().map(IndustryTreeNode::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndustryRequest {
    #[schema(value_type = RequiredLine255)]
    pub name: String,
    /// Letters, digits and dashes, starting with a letter or digit; stored upper-case; unique.
    #[schema(max_length = 50, pattern = "^([A-Za-z0-9][A-Za-z0-9-]*)?$")]
    pub code: Option<String>,
    #[schema(value_type = Option<Block2000>)]
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    /// Identifier in another classification; unique.
    #[schema(value_type = Option<Line100>)]
    pub external_id: Option<String>,
    /// Alternative to `If-Match` on replace.
    pub version: Option<i32>,
}

impl IndustryRequest {
    fn draft(self) -> Result<(IndustryDraft, Option<i32>), ApiError> {
        let version = self.version;
        let fields = IndustryFields {
            name: self.name,
            code: self.code,
            description: self.description,
            parent_id: self.parent_id.map(IndustryId),
            external_id: self.external_id,
        };
        Ok((IndustryDraft::parse(fields)?, version))
    }
}

fn industry_response(status: StatusCode, industry: Industry) -> HttpResponse {
    let version = industry.version;
    with_etag(status, version, &IndustryResponse::from(industry))
}

/// Create an industry (admin, manager); its level follows from the parent.
#[utoipa::path(
    tag = "industries",
    params(IdempotencyKey),
    request_body = IndustryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = IndustryResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_industry(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<IndustryRequest>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.draft()?.0;
    once.run(&actor, || async {
        let industry = clients.create_industry(&actor, draft).await?;
        Created::new(
            format!("/api/v1/industries/{}", industry.id),
            industry.version,
            &IndustryResponse::from(industry),
        )
    })
    .await
}

/// One industry.
#[utoipa::path(
    tag = "industries",
    params(("id" = Uuid, Path, description = "Industry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The industry", body = IndustryResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}")]
async fn get_industry(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<IndustryId>,
) -> Result<HttpResponse, ApiError> {
    Ok(industry_response(StatusCode::OK, clients.get_industry(&actor, id.into_inner()).await?))
}

/// Replace an industry (admin, manager). Moving it re-levels everything below it; it can
/// never move below itself.
#[utoipa::path(
    tag = "industries",
    params(("id" = Uuid, Path, description = "Industry id"), IfMatch),
    request_body = IndustryRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The industry", body = IndustryResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}")]
async fn replace_industry(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<IndustryId>,
    body: ApiJson<IndustryRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (draft, body_version) = body.draft()?;
    let if_match = if_match.or_body(body_version)?;
    let industry = clients.update_industry(&actor, id.into_inner(), draft, if_match).await?;
    Ok(industry_response(StatusCode::OK, industry))
}

/// Delete an industry nothing uses (admin, manager); 409 while it has sub-industries or clients.
#[utoipa::path(
    tag = "industries",
    params(("id" = Uuid, Path, description = "Industry id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        SignedInErrors,
        PathIdErrors,
    )
)]
#[delete("/{id}")]
async fn delete_industry(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<IndustryId>,
) -> Result<HttpResponse, ApiError> {
    clients.delete_industry(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The industries directly below one.
#[utoipa::path(
    tag = "industries",
    params(("id" = Uuid, Path, description = "Industry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Children by name", body = Vec<IndustryResponse>),
        ReadOneErrors,
    )
)]
#[get("/{id}/children")]
async fn industry_children(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<IndustryId>,
) -> Result<HttpResponse, ApiError> {
    let children = clients.industries_below(&actor, id.into_inner(), Below::Children).await?;
    Ok(HttpResponse::Ok().json(children.into_iter().map(IndustryResponse::from).collect::<Vec<_>>()))
}

/// Every industry below one, at any depth.
#[utoipa::path(
    tag = "industries",
    params(("id" = Uuid, Path, description = "Industry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Descendants by level, then name", body = Vec<IndustryResponse>),
        ReadOneErrors,
    )
)]
#[get("/{id}/descendants")]
async fn industry_descendants(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<IndustryId>,
) -> Result<HttpResponse, ApiError> {
    let below = clients.industries_below(&actor, id.into_inner(), Below::AnyDepth).await?;
    Ok(HttpResponse::Ok().json(below.into_iter().map(IndustryResponse::from).collect::<Vec<_>>()))
}
