//! Files served for download (documents, and next reports): streamed from the store with the
//! headers that keep a browser from doing anything but saving them — `Content-Disposition:
//! attachment` with the name in RFC 6266 form, the checked media type, `nosniff`, a sandboxing
//! CSP, `Cache-Control: no-store` — a strong `ETag`, `If-None-Match`, and one byte range
//! (`Range: bytes=…`, honoured unless `If-Range` names another version).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse};
use axis_kernel::{BlobRead, ByteRange, RangeRequest};

use crate::problem::ApiError;

/// What a download says about its file.
pub struct FileHeaders<'a> {
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size: u64,
    /// The strong validator, without quotes (a content hash).
    pub etag: &'a str,
}

/// What the request asks for: nothing (it has the file: 304), the whole file, or a part.
pub enum Wanted {
    NotModified,
    Whole,
    Part(ByteRange),
}

impl FileHeaders<'_> {
    fn quoted_etag(&self) -> String {
        format!("\"{}\"", self.etag)
    }

    /// Reads `If-None-Match`, `Range` and `If-Range`; a range asking for no byte is 416.
    pub fn wanted(&self, req: &HttpRequest) -> Result<Wanted, ApiError> {
        let headers = req.headers();
        let etag = self.quoted_etag();
        if header_text(headers, header::IF_NONE_MATCH)
            .is_some_and(|tags| tags.split(',').map(str::trim).any(|tag| tag == etag || tag == "*"))
        {
            return Ok(Wanted::NotModified);
        }
        let Some(range) = header_text(headers, header::RANGE).and_then(parse_range) else {
            return Ok(Wanted::Whole);
        };
        // A Range with an If-Range for another version: the whole (new) file instead.
        if header_text(headers, header::IF_RANGE).is_some_and(|tag| tag.trim() != etag) {
            return Ok(Wanted::Whole);
        }
        match range.resolve(self.size) {
            Some(part) if part.start == 0 && part.end == self.size => Ok(Wanted::Whole),
            Some(part) => Ok(Wanted::Part(part)),
            None => Err(ApiError::range_not_satisfiable(self.size)),
        }
    }

    /// 304 for a client that has this version.
    pub fn not_modified(&self) -> HttpResponse {
        let mut response = HttpResponse::NotModified();
        response.insert_header((header::ETAG, self.quoted_etag()));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        response.finish()
    }

    /// The file (`read`: all of it, or the part asked for) streamed with its headers.
    pub fn respond(&self, read: BlobRead) -> HttpResponse {
        let partial = read.range.start != 0 || read.range.end != read.size;
        let mut response =
            HttpResponse::build(if partial { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK });
        response
            .insert_header((header::CONTENT_TYPE, self.media_type))
            .insert_header((header::CONTENT_DISPOSITION, content_disposition(self.file_name)))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::ETAG, self.quoted_etag()))
            .insert_header((header::ACCEPT_RANGES, "bytes"));
        if partial {
            let (first, last) = (read.range.start, read.range.end.saturating_sub(1));
            response.insert_header((header::CONTENT_RANGE, format!("bytes {first}-{last}/{}", read.size)));
        }
        response.no_chunking(read.range.end - read.range.start).streaming(read.body)
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// One range of `bytes=first-last`, `bytes=first-` or `bytes=-suffix`. Several ranges, or
/// another unit, or a malformed header, ask for the whole file (RFC 9110 lets a server ignore
/// a Range it does not serve).
pub fn parse_range(value: &str) -> Option<RangeRequest> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let number = |text: &str| -> Option<u64> {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
    };
    match (first.trim(), last.trim()) {
        ("", suffix) => Some(RangeRequest::Last { bytes: number(suffix)? }),
        (first, "") => Some(RangeRequest::From { first: number(first)? }),
        (first, last) => Some(RangeRequest::Closed { first: number(first)?, last: number(last)? }),
    }
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 with RFC 8187 encoding): an ASCII
/// fallback with anything unsafe replaced, and the exact name percent-encoded.
pub fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte);
        if keep {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_in_every_form_and_what_is_ignored() {
        assert_eq!(parse_range("bytes=0-99"), Some(RangeRequest::Closed { first: 0, last: 99 }));
        assert_eq!(parse_range("bytes=100-"), Some(RangeRequest::From { first: 100 }));
        assert_eq!(parse_range("bytes=-5"), Some(RangeRequest::Last { bytes: 5 }));
        for ignored in ["bytes=0-1,5-6", "items=0-5", "bytes=a-b", "bytes=-", "bytes=+1-2", "0-5"] {
            assert_eq!(parse_range(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn a_name_is_encoded_and_its_fallback_is_plain_ascii() {
        assert_eq!(
            content_disposition("Résumé \"final\".pdf"),
            "attachment; filename=\"R_sum_ _final_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf"
        );
        let hostile = content_disposition("x\";\r\nSet-Cookie: a=b.pdf");
        assert!(!hostile.contains('\r') && !hostile.contains('\n'));
        assert!(hostile.starts_with("attachment; filename=\"x_;__Set-Cookie: a=b.pdf\""));
    }
}
