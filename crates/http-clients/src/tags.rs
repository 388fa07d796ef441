//! Tags that label clients.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use axis_clients::input::{TagDraft, TagFields};
use axis_clients::{ClientService, Tag, TagId};
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
    cfg.service(list_tags).service(create_tag).service(get_tag).service(replace_tag).service(delete_tag);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tag)]
pub struct TagResponse {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    #[schema(example = "#6B7280")]
    pub color: String,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl From<Tag> for TagResponse {
    fn from(t: Tag) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            slug: t.slug,
            color: t.color,
            description: t.description,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagListItem {
    #[serde(flatten)]
    pub tag: TagResponse,
    /// Clients carrying the tag.
    pub clients_count: i64,
}

paged_params! {
    pub struct TagListParams {
        /// Matches name or slug.
        #[param(min_length = 1, pattern = "^[^\\u0000]+$")]
        pub search: Option<String>,
    }
}

/// List tags by name, with how many clients carry each.
#[utoipa::path(
    tag = "tags",
    params(TagListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tags", body = Paginated<TagListItem>),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 409, response = Conflict),
        SignedInErrors,
    )
)]
#[get("")]
async fn list_tags(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    query: ApiQuery<TagListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = query.page_request()?;
    let tags = clients.list_tags(&actor, query.search, page).await?;
    Ok(HttpResponse::Ok().json(Paginated::from_page(tags, |(tag, clients_count)| TagListItem {
        tag: tag.into(),
        clients_count,
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagRequest {
    #[schema(value_type = RequiredLine100)]
    pub name: String,
    /// Lower-case letters and digits separated by single dashes; derived from the name when
    /// absent.
    #[schema(max_length = 100, pattern = "^([a-z0-9]+(-[a-z0-9]+)*)?$")]
    pub slug: Option<String>,
    /// `#RRGGBB`, default `#6B7280`.
    #[schema(pattern = "^(#[0-9A-Fa-f]{6})?$")]
    pub color: Option<String>,
    #[schema(value_type = Option<Block1000>)]
    pub description: Option<String>,
    /// Alternative to `If-Match` on replace.
    pub version: Option<i32>,
}

impl TagRequest {
    fn draft(self) -> Result<(TagDraft, Option<i32>), ApiError> {
        let version = self.version;
        let fields =
            TagFields { name: self.name, slug: self.slug, color: self.color, description: self.description };
        Ok((TagDraft::parse(fields)?, version))
    }
}

fn tag_response(status: StatusCode, tag: Tag) -> HttpResponse {
    let version = tag.version;
    with_etag(status, version, &TagResponse::from(tag))
}

/// Create a tag (admin, manager).
#[utoipa::path(
    tag = "tags",
    params(IdempotencyKey),
    request_body = TagRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created (or replayed)", body = TagResponse,
         headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                 ("Idempotent-Replayed" = Option<String>))),
        IdempotencyKeyErrors,
        CreateErrors,
    )
)]
#[post("")]
async fn create_tag(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    CreateBody { body, once }: CreateBody<TagRequest>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.draft()?.0;
    once.run(&actor, || async {
        let tag = clients.create_tag(&actor, draft).await?;
        Created::new(format!("/api/v1/tags/{}", tag.id), tag.version, &TagResponse::from(tag))
    })
    .await
}

/// One tag.
#[utoipa::path(
    tag = "tags",
    params(("id" = Uuid, Path, description = "Tag id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tag", body = TagResponse, headers(("ETag" = String))),
        ReadOneErrors,
    )
)]
#[get("/{id}")]
async fn get_tag(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<TagId>,
) -> Result<HttpResponse, ApiError> {
    Ok(tag_response(StatusCode::OK, clients.get_tag(&actor, id.into_inner()).await?))
}

/// Replace a tag (admin, manager).
#[utoipa::path(
    tag = "tags",
    params(("id" = Uuid, Path, description = "Tag id"), IfMatch),
    request_body = TagRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tag", body = TagResponse, headers(("ETag" = String))),
        UpdateErrors,
    )
)]
#[put("/{id}")]
async fn replace_tag(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<TagId>,
    body: ApiJson<TagRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (draft, body_version) = body.draft()?;
    let if_match = if_match.or_body(body_version)?;
    let tag = clients.update_tag(&actor, id.into_inner(), draft, if_match).await?;
    Ok(tag_response(StatusCode::OK, tag))
}

/// Delete a tag and remove it from every client (admin, manager).
#[utoipa::path(
    tag = "tags",
    params(("id" = Uuid, Path, description = "Tag id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ActOnOneErrors,
    )
)]
#[delete("/{id}")]
async fn delete_tag(
    clients: web::Data<ClientService>,
    Authenticated(actor): Authenticated,
    id: web::Path<TagId>,
) -> Result<HttpResponse, ApiError> {
    clients.delete_tag(&actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
