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

/// Declares a create handler: `POST` with a JSON body, idempotent under `Idempotency-Key`,
/// answering 201 with the new resource, its `Location` and `ETag` (a replay says
/// `Idempotent-Replayed`). `input |body| …` turns the request body into the service's input
/// before anything runs (its `?` answers 422 at once); the closure-like tail creates the
/// resource once and yields `(location, version, response body)`. `errors(...)` are the
/// document's error responses. With `path("id" "Client id")` the route is nested under one id,
/// bound in the tail like `id_route!` binds it. The invoking module imports `actix_web::post`
/// (utoipa-actix-web recognises the route by the attribute's bare name).
///
/// ```ignore
/// axis_http::create_route! {
///     /// Create a tag (admin, manager).
///     fn create_tag = "", tag "tags", service ClientService;
///     body TagRequest, created TagResponse, errors(CreateErrors);
///     input |body| body.draft()?.0;
///     |clients, actor, draft| {
///         let tag = clients.create_tag(&actor, draft).await?;
///         (format!("/api/v1/tags/{}", tag.id), tag.version, TagResponse::from(tag))
///     }
/// }
/// ```
#[macro_export]
macro_rules! create_route {
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = $path:literal, tag $tag:literal, service $service:ty;
        body $body_type:ty, created $created:ty, errors($($errors:tt)*);
        input |$body:ident| $input:expr;
        |$svc:ident, $actor:ident, $draft:ident| $create:expr
    ) => {
        $crate::create_route!(@handler [$(#[doc = $doc])+] $name $path, $tag, [], $service,
            $body_type, $created, [$($errors)*], |$body| $input, |$svc, $actor, $draft| $create);
    };
    (
        $(#[doc = $doc:literal])+
        fn $name:ident = $path:literal, tag $tag:literal, service $service:ty; path($id_name:literal $id_description:literal);
        body $body_type:ty, created $created:ty, errors($($errors:tt)*);
        input |$body:ident| $input:expr;
        |$svc:ident, $actor:ident, $id:ident, $draft:ident| $create:expr
    ) => {
        $crate::create_route!(@handler [$(#[doc = $doc])+] $name $path, $tag,
            [($id_name = uuid::Uuid, Path, description = $id_description),], $service,
            $body_type, $created, [$($errors)*], |$body| $input, |$svc, $actor, $draft| $create,
            path $id);
    };
    (@handler [$($doc:tt)+] $name:ident $path:literal, $tag:literal, [$($params:tt)*], $service:ty,
        $body_type:ty, $created:ty, [$($errors:tt)*], |$body:ident| $input:expr,
        |$svc:ident, $actor:ident, $draft:ident| $create:expr $(, path $id:ident)?
    ) => {
        $($doc)+
        #[utoipa::path(
            tag = $tag,
            params($($params)* $crate::schema::IdempotencyKey),
            request_body = $body_type,
            security(("bearer" = [])),
            responses(
                (status = 201, description = "Created (or replayed)", body = $created,
                 headers(("Location" = String, description = "Where the new resource lives"), ("ETag" = String),
                         ("Idempotent-Replayed" = Option<String>))),
                $($errors)*
            )
        )]
        #[post($path)]
        async fn $name(
            service: actix_web::web::Data<$service>,
            $crate::extract::Authenticated(actor): $crate::extract::Authenticated,
            $($id: actix_web::web::Path<uuid::Uuid>,)?
            $crate::idempotent::CreateBody { body, once }: $crate::idempotent::CreateBody<$body_type>,
        ) -> Result<actix_web::HttpResponse, $crate::problem::ApiError> {
            let ($svc, $actor) = (service, actor);
            $(let $id = $id.into_inner();)?
            let $draft = {
                let $body = body;
                $input
            };
            once.run(&$actor, || async {
                let (location, version, response): (String, i32, $created) = $create;
                $crate::idempotent::Created::new(location, version, &response)
            })
            .await
        }
    };
}
