//! Mentor photos for the public directory: what an upload must be and what is kept of it.
//!
//! An upload is judged by its bytes, never by its name or declared media type: the format comes
//! from the magic bytes (JPEG, PNG or WebP only), the dimensions are read from the header before
//! anything is decoded (at most 4096×4096, so a small file declaring a huge picture — a
//! decompression bomb — is refused before a pixel buffer exists), the decoder runs under
//! `image::Limits` (dimensions and allocation), and what is kept is a fresh JPEG of at most 600 px
//! on the long side, re-encoded from the pixels: EXIF, GPS, ICC, comments and whatever a polyglot
//! file carried after or around the picture do not survive. Pure and CPU-bound: callers run it off
//! the async workers.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::{Error, Result};

/// The largest upload accepted, in bytes (5 MiB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The largest width and height accepted, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// The long side of the stored photo, at most, in pixels.
pub const STORED_SIDE: u32 = 600;
/// The most the decoder may allocate: a 4096×4096 RGBA picture with some room to spare.
pub const MAX_ALLOC: u64 = 80 * 1024 * 1024;
/// The quality of the stored JPEG (1–100).
const QUALITY: u8 = 85;
/// The media type of every stored photo.
pub const MEDIA_TYPE: &str = "image/jpeg";

/// The field the errors of an upload name.
const FIELD: &str = "photo";

/// A photo as it is stored: a JPEG without metadata, at most [`STORED_SIDE`] px on the long side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The JPEG.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The format the upload was in: `jpeg`, `png` or `webp`.
    pub source_format: &'static str,
}

fn unsupported() -> Error {
    Error::invalid(FIELD, "unsupported_image", "the body is not a JPEG, PNG or WebP image")
}

fn unreadable(e: impl std::fmt::Display) -> Error {
    Error::invalid(FIELD, "unreadable_image", format!("the image cannot be read: {e}"))
}

fn too_large(w: u32, h: u32) -> Error {
    Error::invalid(
        FIELD,
        "image_too_large",
        format!("the image is {w}×{h} px; at most {MAX_SIDE}×{MAX_SIDE} px are accepted"),
    )
}

/// The format of `bytes` by their magic numbers, if it is one accepted.
fn format_of(bytes: &[u8]) -> Option<(ImageFormat, &'static str)> {
    match image::guess_format(bytes).ok()? {
        ImageFormat::Jpeg => Some((ImageFormat::Jpeg, "jpeg")),
        ImageFormat::Png => Some((ImageFormat::Png, "png")),
        ImageFormat::WebP => Some((ImageFormat::WebP, "webp")),
        _ => None,
    }
}

/// Whether a JPEG has its end-of-image marker after its first scan. The JPEG decoder fills a
/// picture cut short with grey instead of failing; a truncated upload is refused here instead.
/// (`FF D9` cannot occur inside entropy-coded data, where every `FF` is followed by `00` or a
/// restart marker; an embedded EXIF thumbnail ends before the first scan.)
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let Some(scan) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else { return false };
    bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

/// Checks an upload and makes the photo to store from it: see the module's text.
pub fn process(bytes: &[u8]) -> Result<Photo> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(FIELD, "too_long", format!("the image is larger than {MAX_BYTES} bytes")));
    }
    let (format, source_format) = format_of(bytes).ok_or_else(unsupported)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(unreadable("the JPEG data ends before the end of the image"));
    }
    // The header alone first: a declared size beyond the limit is refused before any decoding.
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(unreadable)?;
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(too_large(w, h));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(too_large(w, h));
    }
    // The picture is stored upright: the EXIF orientation is applied before EXIF is dropped.
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    img.apply_orientation(orientation);
    if img.width().max(img.height()) > STORED_SIDE {
        img = img.resize(STORED_SIDE, STORED_SIDE, image::imageops::FilterType::Triangle);
    }
    let rgb = flatten(&img);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode_image(&rgb).map_err(unreadable)?;
    Ok(Photo { jpeg, width: rgb.width(), height: rgb.height(), source_format })
}

/// The picture in 8-bit RGB, transparent parts laid on white (JPEG has no alpha).
fn flatten(img: &DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::{ImageEncoder, RgbaImage};

    fn code(e: Error) -> String {
        match e {
            Error::Validation(v) => v[0].code.clone(),
            other => format!("{other:?}"),
        }
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbaImage::from_fn(w, h, |x, _| image::Rgba([(x % 256) as u8, 50, 100, if x < 4 { 0 } else { 255 }]));
        let mut out = Vec::new();
        PngEncoder::new(&mut out).write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8).unwrap();
        out
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
        out
    }

    #[test]
    fn a_large_png_becomes_a_jpeg_of_at_most_600_px_with_its_transparency_on_white() {
        let p = process(&png(1200, 300)).unwrap();
        assert_eq!((p.width, p.height, p.source_format), (600, 150, "png"));
        assert_eq!(image::guess_format(&p.jpeg).unwrap(), ImageFormat::Jpeg);
        let back = image::load_from_memory(&p.jpeg).unwrap().to_rgb8();
        assert!(back.get_pixel(0, 75).0.iter().all(|c| *c > 200), "transparent → white");
    }

    #[test]
    fn a_small_jpeg_keeps_its_size() {
        let p = process(&jpeg(40, 30)).unwrap();
        assert_eq!((p.width, p.height, p.source_format), (40, 30, "jpeg"));
    }

    #[test]
    fn text_gif_truncated_and_oversized_uploads_are_refused_by_content() {
        assert_eq!(code(process(b"hello, I am a text file named photo.jpg").unwrap_err()), "unsupported_image");
        assert_eq!(code(process(b"GIF89a<html><script>alert(1)</script></html>").unwrap_err()), "unsupported_image");
        let j = jpeg(64, 64);
        assert_eq!(code(process(&j[..j.len() / 2]).unwrap_err()), "unreadable_image");
        let p = png(64, 64);
        assert_eq!(code(process(&p[..p.len() - 20]).unwrap_err()), "unreadable_image");
        // A JPEG marker and then garbage.
        let mut garbage = vec![0xFF, 0xD8, 0xFF, 0xDA];
        garbage.extend(std::iter::repeat_n(0x41, 1000));
        garbage.extend([0xFF, 0xD9]);
        assert_eq!(code(process(&garbage).unwrap_err()), "unreadable_image");
        assert_eq!(code(process(&vec![0xFF; MAX_BYTES + 1]).unwrap_err()), "too_long");
    }

    #[test]
    fn a_header_declaring_a_huge_picture_is_refused_before_decoding() {
        // A valid 1×1 PNG whose IHDR is rewritten to 100000×100000 (CRC fixed).
        let mut p = png(1, 1);
        p[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        p[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&p[12..29]);
        p[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(code(process(&p).unwrap_err()), "image_too_large");
        let mut p = png(1, 1);
        p[16..20].copy_from_slice(&5000u32.to_be_bytes());
        let crc = crc32(&p[12..29]);
        p[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(code(process(&p).unwrap_err()), "image_too_large");
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
