//! A read deadline on every request body. A client that stops sending half-way (a stalled
//! upload, a slow-loris body) would otherwise hold its connection, and whatever the handler
//! opened for it, for ever: each body must keep arriving (no pause longer than `idle`) and be
//! complete within `total` of the request's start. A body that misses either ends with an
//! error the readers turn into `408 request_timeout`.

use std::io;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use futures_util::StreamExt;
use tokio::time::{Instant, timeout_at};

/// How long a request body may take (`AXIS_BODY_IDLE_TIMEOUT_SECS`,
/// `AXIS_BODY_READ_TIMEOUT_SECS`), registered as `web::Data<BodyDeadline>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDeadline {
    /// The longest pause between two parts of a body.
    pub idle: Duration,
    /// The longest a whole body may take, from the request's start.
    pub total: Duration,
}

impl Default for BodyDeadline {
    fn default() -> Self {
        Self { idle: Duration::from_secs(15), total: Duration::from_secs(300) }
    }
}

/// The error a body that missed its deadline ends with (inside `PayloadError::Io`).
#[derive(Debug)]
struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimedOut {}

/// Whether a body read failed because the body missed its deadline.
pub fn timed_out(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<BodyTimedOut>()))
}

/// Middleware: puts the deadline on the body of every request that has one (a
/// `Content-Length` or a chunked body); requests without a body are left as they are.
pub async fn read_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    if has_body {
        let deadline =
            req.app_data::<web::Data<BodyDeadline>>().map_or_else(BodyDeadline::default, |d| *d.get_ref());
        let payload = req.take_payload();
        req.set_payload(with_deadline(payload, deadline));
    }
    next.call(req).await
}

/// `payload` ending with a timed-out error when a part does not arrive within `idle` or the
/// whole within `total` from now.
fn with_deadline(payload: Payload, deadline: BodyDeadline) -> Payload {
    let all_by = Instant::now() + deadline.total;
    // Fused: a reader may poll again after the end (multipart does), and gets the end again.
    let parts = futures_util::stream::unfold(Some(payload), move |state| async move {
        let mut payload = state?;
        let next_by = (Instant::now() + deadline.idle).min(all_by);
        match timeout_at(next_by, payload.next()).await {
            Ok(Some(part)) => Some((part, Some(payload))),
            Ok(None) => None,
            Err(_) => {
                let error = PayloadError::Io(io::Error::new(io::ErrorKind::TimedOut, BodyTimedOut));
                Some((Err(error), None))
            }
        }
    })
    .fuse();
    Payload::Stream { payload: Box::pin(parts) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body fed by hand: parts sent through the channel, its end when the sender is dropped.
    fn channel_body() -> (tokio::sync::mpsc::UnboundedSender<web::Bytes>, Payload) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<web::Bytes>();
        let parts = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|part| (Ok(part), receiver))
        });
        (sender, Payload::Stream { payload: Box::pin(parts) })
    }

    #[actix_web::test]
    async fn a_body_that_stops_arriving_ends_timed_out_and_a_whole_one_passes() {
        let deadline = BodyDeadline { idle: Duration::from_millis(50), total: Duration::from_secs(5) };
        let (sender, stalled) = channel_body();
        sender.send(web::Bytes::from_static(b"first part")).unwrap();
        let mut read = with_deadline(stalled, deadline);
        assert_eq!(read.next().await.unwrap().unwrap(), web::Bytes::from_static(b"first part"));
        let error = read.next().await.unwrap().unwrap_err();
        assert!(timed_out(&error), "{error}");
        assert!(read.next().await.is_none(), "nothing after the deadline");

        let (sender, whole) = channel_body();
        sender.send(web::Bytes::from_static(b"all of it")).unwrap();
        drop(sender);
        let mut read = with_deadline(whole, deadline);
        assert_eq!(read.next().await.unwrap().unwrap(), web::Bytes::from_static(b"all of it"));
        assert!(read.next().await.is_none());
        assert!(!timed_out(&PayloadError::Incomplete(None)));
    }

    #[actix_web::test]
    async fn a_trickle_still_ends_at_the_total_deadline() {
        let deadline = BodyDeadline { idle: Duration::from_millis(200), total: Duration::from_millis(120) };
        let (sender, trickle) = channel_body();
        let started = std::time::Instant::now();
        let mut read = with_deadline(trickle, deadline);
        // Three seconds of a byte every 30 ms: never idle, never done.
        let feeding = async {
            for _ in 0..100 {
                let _ = sender.send(web::Bytes::from_static(b"x"));
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        };
        let reading = async {
            loop {
                match read.next().await {
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return (Some(error), started.elapsed()),
                    None => return (None, started.elapsed()),
                }
            }
        };
        let (_, (error, ended_after)) = futures_util::future::join(feeding, reading).await;
        assert!(error.as_ref().is_some_and(timed_out), "{error:?}");
        assert!(
            ended_after < Duration::from_secs(2),
            "ended at the total deadline, not the body's end: {ended_after:?}"
        );
    }
}
