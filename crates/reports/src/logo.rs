//! Logos on reports (a client's, a template's firm logo): PNG, JPEG or SVG, checked and
//! rewritten before they are stored, so what is served and embedded is only ever an image.
//!
//! - PNG and JPEG are decoded (within pixel and memory limits) and encoded again: metadata
//!   (EXIF, comments) and anything appended to the file are gone, and a file that is also
//!   something else (a polyglot) comes out as just the picture.
//! - SVG is parsed and written out again by `usvg`, which keeps shapes, paths, gradients,
//!   clip paths, masks and embedded PNG/JPEG pictures only: no script, no event attribute, no
//!   `foreignObject`, no link, no style sheet, no external reference (nothing is fetched or read
//!   from disk). Text becomes nothing (no fonts are loaded): outline text in a logo.

use std::io::Cursor;
use std::sync::Arc;

use axis_kernel::{Audited, BlobKey, ClientId, DomainError, FieldErrors, UserId};
use base64::Engine;
use image::{ImageFormat, ImageReader, Limits};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Where logos live in the blob store.
pub const LOGO_FILES: &str = "logos";

/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: u64 = 512 * 1024;
/// The largest width or height of a PNG or JPEG logo, in pixels.
pub const MAX_LOGO_PIXELS: u32 = 4096;

axis_kernel::string_enum! {
    /// A logo's media type.
    pub enum LogoFormat {
        Png => "image/png",
        Jpeg => "image/jpeg",
        Svg => "image/svg+xml",
    }
}

/// A logo as stored: its format and its rewritten bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub format: LogoFormat,
    pub bytes: Vec<u8>,
}

impl Logo {
    /// Checks an uploaded logo and rewrites it (see the module). The format is what the bytes
    /// are, whatever the upload was called; anything but a PNG, JPEG or SVG within the limits
    /// is a field error on `logo`.
    pub fn sanitise(bytes: &[u8]) -> Result<Logo, DomainError> {
        let refused = |why: &str| DomainError::from(FieldErrors::single("logo", why));
        if bytes.len() as u64 > MAX_LOGO_BYTES {
            return Err(DomainError::TooLarge { limit: MAX_LOGO_BYTES });
        }
        if bytes.is_empty() {
            return Err(refused("is empty"));
        }
        let logo = match image::guess_format(bytes) {
            Ok(ImageFormat::Png) => raster(bytes, ImageFormat::Png, LogoFormat::Png)?,
            Ok(ImageFormat::Jpeg) => raster(bytes, ImageFormat::Jpeg, LogoFormat::Jpeg)?,
            _ if looks_like_svg(bytes) => svg(bytes)?,
            _ => return Err(refused("is not a PNG, JPEG or SVG image")),
        };
        // Rewriting can grow a file (a palette PNG becomes RGBA, an SVG's `<use>` is expanded):
        // what is stored keeps the limit too.
        if logo.bytes.len() as u64 > MAX_LOGO_BYTES {
            let why =
                format!("is larger than {MAX_LOGO_BYTES} bytes once rewritten ({} bytes)", logo.bytes.len());
            return Err(refused(&why));
        }
        Ok(logo)
    }

    /// The logo as a `data:` URL, for an `<img>` in a self-contained page.
    pub fn data_url(&self) -> String {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&self.bytes);
        format!("data:{};base64,{encoded}", self.format)
    }

    /// The file extension typst knows the format by.
    pub fn extension(&self) -> &'static str {
        match self.format {
            LogoFormat::Png => "png",
            LogoFormat::Jpeg => "jpg",
            LogoFormat::Svg => "svg",
        }
    }
}

/// A logo in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogo {
    pub key: BlobKey,
    pub format: LogoFormat,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// A client's logo, on every report of the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLogo {
    pub client_id: ClientId,
    pub logo: StoredLogo,
    pub uploaded_by: Option<UserId>,
    pub uploaded_at: OffsetDateTime,
}

impl Audited for ClientLogo {
    const ENTITY_TYPE: &'static str = "client_logo";
    const ACTIONS: &'static str = "client.logo";

    fn audit_id(&self) -> String {
        self.client_id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({"format": self.logo.format, "size": self.logo.size, "sha256": self.logo.sha256})
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id))]
    }
}

fn raster(bytes: &[u8], input: ImageFormat, format: LogoFormat) -> Result<Logo, DomainError> {
    let refused = |why: String| DomainError::from(FieldErrors::single("logo", why));
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_LOGO_PIXELS);
    limits.max_image_height = Some(MAX_LOGO_PIXELS);
    limits.max_alloc = Some(128 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), input);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| {
        refused(format!("cannot be read as {format}: {e} (at most {MAX_LOGO_PIXELS} pixels a side)"))
    })?;
    let mut out = Cursor::new(Vec::new());
    let written = match format {
        // JPEG has no alpha channel.
        LogoFormat::Jpeg => picture.to_rgb8().write_to(&mut out, ImageFormat::Jpeg),
        _ => picture.write_to(&mut out, ImageFormat::Png),
    };
    written.map_err(|e| refused(format!("cannot be written again as {format}: {e}")))?;
    Ok(Logo { format, bytes: out.into_inner() })
}

/// Text that, past a byte-order mark, white space, an XML declaration and comments, starts
/// an `<svg` element (or a doctype, which usvg then reads).
fn looks_like_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let head: String = text.chars().take(4096).collect::<String>().to_ascii_lowercase();
    head.starts_with("<svg")
        || head.starts_with("<?xml")
        || head.starts_with("<!--")
        || head.starts_with("<!doctype svg")
}

fn svg(bytes: &[u8]) -> Result<Logo, DomainError> {
    let refused = |why: String| DomainError::from(FieldErrors::single("logo", why));
    // Only pictures carried inside the file, and only PNG or JPEG: no file path, no URL, no
    // nested SVG.
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            // Held to a logo's limits and rewritten like one; anything else is dropped.
            resolve_data: Box::new(|mime: &str, data: Arc<Vec<u8>>, _: &usvg::Options| match mime {
                "image/png" => raster(&data, ImageFormat::Png, LogoFormat::Png)
                    .ok()
                    .map(|picture| usvg::ImageKind::PNG(Arc::new(picture.bytes))),
                "image/jpg" | "image/jpeg" => raster(&data, ImageFormat::Jpeg, LogoFormat::Jpeg)
                    .ok()
                    .map(|picture| usvg::ImageKind::JPEG(Arc::new(picture.bytes))),
                _ => None,
            }),
            resolve_string: Box::new(|_: &str, _: &usvg::Options| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(bytes, &options)
        .map_err(|e| refused(format!("is not a usable SVG image: {e}")))?;
    let size = tree.size();
    let most = MAX_LOGO_PIXELS as f32;
    if size.width() > most || size.height() > most {
        let why = format!("is {} × {}: at most {MAX_LOGO_PIXELS} pixels a side", size.width(), size.height());
        return Err(refused(why));
    }
    let written = tree.to_string(&usvg::WriteOptions::default());
    Ok(Logo { format: LogoFormat::Svg, bytes: written.into_bytes() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_pixel(width, height, image::Rgba([21, 101, 192, 255]));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    fn field_error(result: Result<Logo, DomainError>) -> String {
        match result {
            Err(DomainError::Validation(errors)) => format!("{errors:?}"),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_png_is_rewritten_without_what_was_appended() {
        let mut upload = png(40, 20);
        upload.extend_from_slice(b"<html><script>alert(1)</script></html>");
        let logo = Logo::sanitise(&upload).expect("a png");
        assert_eq!(logo.format, LogoFormat::Png);
        assert!(!String::from_utf8_lossy(&logo.bytes).contains("script"));
        let decoded = image::load_from_memory(&logo.bytes).expect("still a picture");
        assert_eq!((decoded.width(), decoded.height()), (40, 20));
        assert!(logo.data_url().starts_with("data:image/png;base64,iVBORw0KGgo"));
    }

    #[test]
    fn a_jpeg_is_rewritten_as_a_jpeg() {
        let mut out = Cursor::new(Vec::new());
        image::RgbImage::from_pixel(8, 8, image::Rgb([200, 10, 10]))
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        let logo = Logo::sanitise(out.get_ref()).expect("a jpeg");
        assert_eq!(logo.format, LogoFormat::Jpeg);
        assert_eq!(image::guess_format(&logo.bytes).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn an_svg_loses_scripts_handlers_links_and_outside_references() {
        let hostile = br##"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40" onload="alert(1)">
  <script>alert(document.cookie)</script>
  <style>rect { fill: url(https://evil.example/x) }</style>
  <a xlink:href="javascript:alert(2)"><rect width="120" height="40" fill="#1565c0" onclick="alert(3)"/></a>
  <image href="file:///etc/passwd" width="10" height="10"/>
  <image href="https://evil.example/beacon.png" width="10" height="10"/>
  <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>
  <circle cx="20" cy="20" r="10" fill="#ffffff"/>
</svg>"##;
        let logo = Logo::sanitise(hostile).expect("an svg");
        assert_eq!(logo.format, LogoFormat::Svg);
        let text = String::from_utf8(logo.bytes.clone()).unwrap().to_lowercase();
        for gone in [
            "script",
            "onload",
            "onclick",
            "javascript",
            "evil.example",
            "passwd",
            "foreignobject",
            "iframe",
            "<style",
        ] {
            assert!(!text.contains(gone), "{gone} survived in {text}");
        }
        assert!(text.contains("<path") || text.contains("<rect"), "the shapes stay: {text}");
    }

    #[test]
    fn what_is_not_a_logo_is_refused_plainly() {
        assert!(field_error(Logo::sanitise(b"%PDF-1.7 not a logo")).contains("PNG, JPEG or SVG"));
        assert!(field_error(Logo::sanitise(b"MZ\x90\x00 an executable")).contains("PNG, JPEG or SVG"));
        assert!(field_error(Logo::sanitise(b"")).contains("empty"));
        // A PNG signature with nothing after it.
        assert!(field_error(Logo::sanitise(b"\x89PNG\r\n\x1a\n")).contains("cannot be read"));
        assert!(field_error(Logo::sanitise(b"<svg><unclosed")).contains("not a usable SVG"));
        let huge = vec![b' '; usize::try_from(MAX_LOGO_BYTES).unwrap() + 1];
        assert!(matches!(Logo::sanitise(&huge), Err(DomainError::TooLarge { .. })));
    }

    #[test]
    fn a_picture_inside_an_svg_is_held_to_the_same_limits() {
        use base64::Engine;
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let svg = |picture: &[u8]| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><rect width="10" height="10"/><image width="50" height="20" href="data:image/png;base64,{}"/></svg>"#,
                encode(picture)
            )
        };
        let kept = Logo::sanitise(svg(&png(8, 8)).as_bytes()).expect("an svg");
        assert!(String::from_utf8_lossy(&kept.bytes).contains("data:image/png"), "a small picture stays");
        let huge = Logo::sanitise(svg(&png(MAX_LOGO_PIXELS + 1, 1)).as_bytes()).expect("an svg");
        assert!(
            !String::from_utf8_lossy(&huge.bytes).contains("data:image"),
            "a picture too large is dropped"
        );
    }

    #[test]
    fn a_picture_too_wide_is_refused_before_it_is_decoded() {
        assert!(field_error(Logo::sanitise(&png(MAX_LOGO_PIXELS + 1, 1))).contains("cannot be read"));
        let wide = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="10"><rect width="5" height="5"/></svg>"#;
        assert!(field_error(Logo::sanitise(wide)).contains("at most 4096 pixels"));
    }
}
