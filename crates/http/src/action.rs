//! Routes addressed by ids in their path: reading one resource, deleting it, replacing it, and
//! the status actions (a `POST /{id}/<verb>` without a body that moves a resource to another
//! state: restore, verify, retry, cancel). The route, its document and its handler come from
//! one invocation, so every such route reads its ids, the caller and its body the same way and
//! is documented the same way.

/// Declares a handler of a route whose path holds one id (`path("id" "Contract id")`) or two
/// (`path("id" "Client id", "contact_id" "Contact id")`), all UUIDs. The closure-like tail
/// binds the service, the actor and the ids (a pattern: `id`, or `(client, contact)`), then,
/// with `body T`, the JSON body (`ApiJson<T>`) and the `HttpRequest` (for `If-Match`); it
/// answers `Result<HttpResponse, ApiError>`. With a body the document gains the `If-Match`
/// parameter. `responses(...)` is the document's list. The invoking module imports the method
/// attribute it names (`actix_web::get`…) and `uuid::Uuid` (the document names them as
/// written).
///
/// ```ignore
/// axis_http::id_route! {
///     /// One tag.
///     fn get_tag = get "/{id}", tag "tags", service ClientService; path("id" "Tag id");
///     responses((status = 200, description = "The tag", body = TagResponse), ReadOneErrors);
///     |clients, actor, id| Ok(tag_response(StatusCode::OK, clients.get_tag(&actor, TagId(id)).await?))
/// }
/// ```
#[macro_export]
macro_rules! id_route {
    // One id, no body.
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = $method:ident $path:literal, tag $tag:literal, service $service:ty;
        path($id_name:literal $id_description:literal);
        responses($($responses:tt)*);
        |$svc:ident, $actor:ident, $ids:pat_param| $respond:expr
    ) => {
        $crate::id_route!(@handler [$(#[doc = $doc])+] $name $method $path, $tag,
            [($id_name = Uuid, Path, description = $id_description)], [$($responses)*],
            $service, uuid::Uuid, [], |$svc, $actor, $ids| $respond);
    };
    // Two ids, no body.
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = $method:ident $path:literal, tag $tag:literal, service $service:ty;
        path($first_name:literal $first_description:literal, $second_name:literal $second_description:literal);
        responses($($responses:tt)*);
        |$svc:ident, $actor:ident, $ids:pat_param| $respond:expr
    ) => {
        $crate::id_route!(@handler [$(#[doc = $doc])+] $name $method $path, $tag,
            [($first_name = Uuid, Path, description = $first_description),
             ($second_name = Uuid, Path, description = $second_description)],
            [$($responses)*], $service, (uuid::Uuid, uuid::Uuid), [], |$svc, $actor, $ids| $respond);
    };
    // One id and a JSON body, conditional on `If-Match`.
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = $method:ident $path:literal, tag $tag:literal, service $service:ty;
        path($id_name:literal $id_description:literal), body $body_type:ty;
        responses($($responses:tt)*);
        |$svc:ident, $actor:ident, $ids:pat_param, $body:ident, $req:ident| $respond:expr
    ) => {
        $crate::id_route!(@handler [$(#[doc = $doc])+] $name $method $path, $tag,
            [($id_name = Uuid, Path, description = $id_description), $crate::schema::IfMatch],
            [$($responses)*], $service, uuid::Uuid, [request_body = $body_type,],
            |$svc, $actor, $ids, body: $crate::json::ApiJson<$body_type> => $body, $req| $respond);
    };
    // Two ids and a JSON body, conditional on `If-Match`.
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = $method:ident $path:literal, tag $tag:literal, service $service:ty;
        path($first_name:literal $first_description:literal, $second_name:literal $second_description:literal),
            body $body_type:ty;
        responses($($responses:tt)*);
        |$svc:ident, $actor:ident, $ids:pat_param, $body:ident, $req:ident| $respond:expr
    ) => {
        $crate::id_route!(@handler [$(#[doc = $doc])+] $name $method $path, $tag,
            [($first_name = Uuid, Path, description = $first_description),
             ($second_name = Uuid, Path, description = $second_description), $crate::schema::IfMatch],
            [$($responses)*], $service, (uuid::Uuid, uuid::Uuid), [request_body = $body_type,],
            |$svc, $actor, $ids, body: $crate::json::ApiJson<$body_type> => $body, $req| $respond);
    };
    (@handler [$($doc:tt)+] $name:ident $method:ident $path:literal, $tag:literal, [$($params:tt)*],
        [$($responses:tt)*], $service:ty, $ids_type:ty, [$($request_body:tt)*],
        |$svc:ident, $actor:ident, $ids:pat_param $(, body: $body_extractor:ty => $body:ident, $req:ident)?|
        $respond:expr
    ) => {
        $($doc)+
        #[utoipa::path(
            tag = $tag,
            params($($params)*),
            $($request_body)*
            security(("bearer" = [])),
            responses($($responses)*)
        )]
        // utoipa and utoipa-actix-web recognise the route by the attribute's bare name, so the
        // invoking module imports the method attribute.
        #[$method($path)]
        async fn $name(
            service: actix_web::web::Data<$service>,
            $crate::extract::Authenticated(actor): $crate::extract::Authenticated,
            path: actix_web::web::Path<$ids_type>,
            $(body: $body_extractor, $req: actix_web::HttpRequest,)?
        ) -> Result<actix_web::HttpResponse, $crate::problem::ApiError> {
            let ($svc, $actor, $ids) = (service, actor, path.into_inner());
            $(let $body = body.into_inner();)?
            $respond
        }
    };
}

/// Declares a status-action handler: `POST` on one id, no body, answering 200 with the moved
/// resource; every such action documents 409 and `ActOnOneErrors`, `extra(...)` names more.
///
/// ```ignore
/// axis_http::status_action! {
///     /// Cancel a job (admin).
///     fn cancel_job = POST "/{id}/cancel", tag "jobs", id "Job id", service JobService;
///     ok (JobResponse, "The cancelled job");
///     |jobs, actor, id| Ok(HttpResponse::Ok().json(JobResponse::from(jobs.cancel(&actor, JobId(id)).await?)))
/// }
/// ```
#[macro_export]
macro_rules! status_action {
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = POST $path:literal, tag $tag:literal, id $id_description:literal, service $service:ty;
        ok ($ok_body:ty, $ok_description:literal $(, headers($($header:tt)*))?)
            $(, extra($($extra:tt)*))?;
        |$svc:ident, $actor:ident, $id:ident| $respond:expr
    ) => {
        $crate::id_route! {
            $(#[doc = $doc])+
            fn $name = post $path, tag $tag, service $service; path("id" $id_description);
            responses(
                (status = 200, description = $ok_description, body = $ok_body $(, headers($($header)*))?),
                (status = 409, response = $crate::problem::Conflict),
                $($($extra)*,)?
                $crate::problem::ActOnOneErrors,
            );
            |$svc, $actor, $id| $respond
        }
    };
}
