//! The two list routes of a client-scoped resource: the whole list in the caller's scope and
//! the list nested under one client, with the same filters. Declared once per resource so
//! every such pair reads its query, pages and answers the same way.

/// Declares `$list` (`GET ""` in the resource's collection) and `$nested` (`GET $nested_path`
/// under `/api/v1/clients`). `$params` is the list's `paged_params!` type with a
/// `query(self) -> Result<(Query, PageRequest), ApiError>` method; the service answers
/// `list(&actor, query, page)` and `list_of_client(&actor, client, query, page)` with a page of
/// items that `$item::from` shows. The invoking module imports `actix_web::get` and `uuid::Uuid`.
#[macro_export]
macro_rules! client_scoped_lists {
    (
        tag $tag:literal, service $service:ty, params $params:ty, item $item:ty;
        $(#[doc = $list_doc:literal])+
        fn $list:ident, $list_description:literal;
        $(#[doc = $nested_doc:literal])+
        fn $nested:ident = $nested_path:literal, $nested_description:literal;
    ) => {
        $(#[doc = $list_doc])+
        #[utoipa::path(
            tag = $tag,
            params($params),
            security(("bearer" = [])),
            responses(
                (status = 200, description = $list_description, body = $crate::dto::Paginated<$item>),
                $crate::problem::ListErrors,
            )
        )]
        #[get("")]
        async fn $list(
            service: actix_web::web::Data<$service>,
            $crate::extract::Authenticated(actor): $crate::extract::Authenticated,
            query: $crate::query::ApiQuery<$params>,
        ) -> Result<actix_web::HttpResponse, $crate::problem::ApiError> {
            let (query, page) = query.into_inner().query()?;
            let page = service.list(&actor, query, page).await?;
            Ok(actix_web::HttpResponse::Ok().json($crate::dto::Paginated::from_page(page, <$item>::from)))
        }

        $(#[doc = $nested_doc])+
        #[utoipa::path(
            tag = $tag,
            params(("id" = Uuid, Path, description = "Client id"), $params),
            security(("bearer" = [])),
            responses(
                (status = 200, description = $nested_description, body = $crate::dto::Paginated<$item>),
                (status = 404, response = $crate::problem::NotFound),
                $crate::problem::ListErrors,
            )
        )]
        #[get($nested_path)]
        async fn $nested(
            service: actix_web::web::Data<$service>,
            $crate::extract::Authenticated(actor): $crate::extract::Authenticated,
            id: actix_web::web::Path<uuid::Uuid>,
            query: $crate::query::ApiQuery<$params>,
        ) -> Result<actix_web::HttpResponse, $crate::problem::ApiError> {
            let (query, page) = query.into_inner().query()?;
            let client = axis_kernel::ClientId(id.into_inner());
            let page = service.list_of_client(&actor, client, query, page).await?;
            Ok(actix_web::HttpResponse::Ok().json($crate::dto::Paginated::from_page(page, <$item>::from)))
        }
    };
}
