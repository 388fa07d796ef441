//! Status actions: a `POST /{id}/<verb>` without a body that moves one resource to another
//! state (restore, verify, retry, cancel). The route, its document and its handler come from
//! one invocation, so every such action answers and is documented the same way.

/// Declares a status-action handler. `$respond` is an async block body over the service, the
/// actor and the id that answers `Result<HttpResponse, ApiError>`; `extra(...)` names error
/// responses beyond those every action has (`ActOnOneErrors` and 409). The invoking module
/// imports `actix_web::post` and `uuid::Uuid` (the document names them as written).
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
        $(#[doc = $doc])+
        #[utoipa::path(
            tag = $tag,
            params(("id" = Uuid, Path, description = $id_description)),
            security(("bearer" = [])),
            responses(
                (status = 200, description = $ok_description, body = $ok_body $(, headers($($header)*))?),
                (status = 409, response = $crate::problem::Conflict),
                $($($extra)*,)?
                $crate::problem::ActOnOneErrors,
            )
        )]
        // utoipa and utoipa-actix-web recognise the route by the attribute's bare name, so
        // the invoking module imports `actix_web::post`.
        #[post($path)]
        async fn $name(
            service: actix_web::web::Data<$service>,
            $crate::extract::Authenticated(actor): $crate::extract::Authenticated,
            id: actix_web::web::Path<uuid::Uuid>,
        ) -> Result<actix_web::HttpResponse, $crate::problem::ApiError> {
            let ($svc, $actor, $id) = (service, actor, id.into_inner());
            $respond
        }
    };
}
