//! Uploads as `multipart/form-data` read as they arrive: the form's small text fields first,
//! then one file field (`file`), last. [`FileForm::read`] refuses what is not a form, a
//! declared length beyond the limit before a byte is read, and reads the text fields; the
//! handler then takes the fields it knows and pulls the file chunk by chunk
//! ([`FileForm::next_chunk`]), which stops at the limit. Every upload route (documents, the
//! eligibility file, Advisor exports) reads its form this way.

use std::collections::BTreeMap;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use axis_kernel::FieldErrors;
use bytes::Bytes;
use futures_util::TryStreamExt;

use crate::problem::ApiError;

/// What the form around the file (boundaries, part headers, the text fields) may add to a
/// request's declared length before it is refused unread.
pub const MAX_FORM_OVERHEAD: u64 = 64 * 1024;
/// The most bytes one text field may have.
const MAX_TEXT_FIELD: usize = 8 * 1024;

/// The name of the file field.
pub const FILE_FIELD: &str = "file";

/// How reading the file broke off.
#[derive(Debug)]
pub enum FileBreak {
    /// The file passed the limit; nothing more is read.
    TooLarge { limit: u64 },
    /// The body stopped arriving before its end (its read deadline passed).
    Stalled,
    /// The body or the form broke off otherwise.
    Broken(String),
}

impl FileBreak {
    /// Why, in words, for a record of the upload that failed.
    pub fn reason(&self) -> String {
        match self {
            FileBreak::TooLarge { limit } => format!("the file is larger than {limit} bytes"),
            FileBreak::Stalled => "the upload stalled: the file stopped arriving before its end".to_owned(),
            FileBreak::Broken(why) => format!("the upload broke off: {why}"),
        }
    }
}

impl From<FileBreak> for ApiError {
    fn from(broken: FileBreak) -> Self {
        match broken {
            FileBreak::TooLarge { limit } => ApiError::payload_too_large(limit),
            FileBreak::Stalled => ApiError::request_timeout(),
            FileBreak::Broken(why) => ApiError::bad_request(format!("the upload broke off: {why}")),
        }
    }
}

fn form_error(error: &MultipartError) -> ApiError {
    match error {
        MultipartError::Payload(payload) => ApiError::unreadable_body(payload),
        other => ApiError::bad_request(format!("the form is malformed: {other}")),
    }
}

/// Feeds the form's file to `sink` as it arrives and finishes it; any break abandons it, so
/// nothing is left behind.
pub async fn receive<S: axis_kernel::FileSink>(
    mut form: FileForm,
    mut sink: S,
) -> Result<S::Output, ApiError> {
    loop {
        match form.next_chunk().await {
            Ok(Some(chunk)) => sink.feed(chunk).await?,
            Ok(None) => return Ok(sink.finish().await?),
            Err(broken) => {
                sink.abandon().await;
                return Err(broken.into());
            }
        }
    }
}

/// A whole body of at most `limit` bytes, for an upload that is not a form (the Advisor API's
/// JSON): a declared length beyond the limit is refused unread, and reading stops at the limit.
pub async fn read_body(req: &HttpRequest, mut payload: web::Payload, limit: u64) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.try_next().await.map_err(|error| ApiError::unreadable_body(&error))? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A form whose text fields are read and whose file is next.
pub struct FileForm {
    form: Multipart,
    fields: BTreeMap<String, Vec<String>>,
    /// The file field until it ends (the form yields its next part only once it is dropped).
    file: Option<Field>,
    file_name: Option<String>,
    received: u64,
    limit: u64,
}

impl FileForm {
    /// Reads the form up to its file field, whose content may be at most `limit` bytes.
    pub async fn read(req: &HttpRequest, payload: web::Payload, limit: u64) -> Result<Self, ApiError> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(ApiError::unsupported_media_type().with_detail(
                "send the file as multipart/form-data, in the field `file`, after the other fields",
            ));
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit.saturating_add(MAX_FORM_OVERHEAD)) {
            return Err(ApiError::payload_too_large(limit));
        }
        let mut form = Multipart::new(req.headers(), payload);
        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut text_bytes = 0usize;
        let mut errors = FieldErrors::new();
        loop {
            let Some(mut field) = form.try_next().await.map_err(|error| form_error(&error))? else {
                errors.add(FILE_FIELD, "is required: the file, in the form's last field `file`");
                return Err(errors.into());
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == FILE_FIELD {
                let file_name =
                    field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
                errors.into_result()?;
                return Ok(Self { form, fields, file: Some(field), file_name, received: 0, limit });
            }
            let mut value = Vec::new();
            while let Some(chunk) = field.try_next().await.map_err(|error| form_error(&error))? {
                text_bytes += chunk.len();
                if value.len() + chunk.len() > MAX_TEXT_FIELD || text_bytes as u64 > MAX_FORM_OVERHEAD {
                    return Err(ApiError::payload_too_large(MAX_TEXT_FIELD as u64).with_detail(format!(
                        "each form field but the file may have at most {MAX_TEXT_FIELD} bytes"
                    )));
                }
                value.extend_from_slice(&chunk);
            }
            match String::from_utf8(value) {
                Ok(text) if text.contains('\0') => errors.add(name, "must not contain NUL characters"),
                Ok(text) => fields.entry(name).or_default().push(text),
                Err(_) => errors.add(name, "must be UTF-8 text"),
            }
        }
    }

    /// The file's name as the form gave it (before any cleaning).
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The field `name` sent once (a second value is an error); `None` when absent.
    pub fn text(&mut self, errors: &mut FieldErrors, name: &str) -> Option<String> {
        let mut values = self.fields.remove(name)?;
        if values.len() > 1 {
            errors.add(name, "must be sent once");
        }
        values.pop()
    }

    /// Every value of the field `name` (a repeated field: `tags=a`, `tags=b`).
    pub fn texts(&mut self, name: &str) -> Vec<String> {
        self.fields.remove(name).unwrap_or_default()
    }

    /// After the known fields were taken: one error for each field left.
    pub fn refuse_unknown(&self, errors: &mut FieldErrors) {
        for name in self.fields.keys() {
            errors.add(name.clone(), "is not a field of this form");
        }
    }

    /// The next part of the file; `None` at its end, once the form is checked to end there.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, FileBreak> {
        if let Some(file) = self.file.as_mut() {
            match file.try_next().await {
                Ok(Some(chunk)) => {
                    self.received += chunk.len() as u64;
                    if self.received > self.limit {
                        return Err(FileBreak::TooLarge { limit: self.limit });
                    }
                    return Ok(Some(chunk));
                }
                Ok(None) => self.file = None,
                Err(error) => return Err(broken(&error)),
            }
        }
        match self.form.try_next().await {
            Ok(None) => Ok(None),
            Ok(Some(_)) => Err(FileBreak::Broken("the file must be the form's last field".to_owned())),
            Err(error) => Err(broken(&error)),
        }
    }
}

fn broken(error: &MultipartError) -> FileBreak {
    match error {
        MultipartError::Payload(payload) if crate::body::timed_out(payload) => FileBreak::Stalled,
        other => FileBreak::Broken(other.to_string()),
    }
}
