//! Mentors' photos (公示): uploads checked by content and re-encoded without metadata, served to
//! the public with an `ETag`, refused when they are not images, too large, bombs or cut short,
//! guarded like the profile, and gone with the appointment.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, ImageFormat, RgbImage, RgbaImage};
use reqwest::Method;
use reqwest::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::json;
use xuezhang_tests::*;

/// A college with a lab, another college, a year, both colleges' admins and one serving mentor
/// (logged in) with a published profile.
struct World {
    app: TestApp,
    admin: String,
    cs_admin: String,
    ee_admin: String,
    cs: String,
    lab: String,
    year: String,
    mentor: String,
    appointment: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-VIS", "laboratory").await;
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    let (mentor, appointment) = appoint(&app, &admin, &cs, &lab, &year, "2023001").await;
    let w = World { app, admin, cs_admin, ee_admin, cs, lab, year, mentor, appointment };
    w.publish(&w.mentor, &w.appointment, true).await;
    w
}

/// Appoints a new senior of `college` in `unit`; returns their token and the appointment.
async fn appoint(app: &TestApp, admin: &str, college: &str, unit: &str, year: &str, no: &str) -> (String, String) {
    let student = app.student(admin, college, no, json!({"name": "张明远", "enrollment_year": 2023})).await;
    let a = MentorBuilder::new(app, admin)
        .student(&student)
        .year(year)
        .unit(unit)
        .justification("表现突出")
        .appoint()
        .await;
    let token = app.user(admin, &format!("s{no}"), "student", json!({"student_id": student})).await;
    (token, a.appointment.0)
}

impl World {
    async fn publish(&self, token: &str, appointment: &str, published: bool) {
        self.app
            .put(
                &format!("/api/v1/appointments/{appointment}/profile"),
                token,
                json!({"research_direction": "计算机视觉", "bio": "博士三年级。", "published": published}),
                None,
            )
            .await
            .expect(200);
    }

    /// `PUT` the photo of the mentor's appointment as `token`, with `content_type`.
    async fn upload_as(&self, token: &str, appointment: &str, content_type: &str, body: Vec<u8>) -> Res {
        let path = format!("/api/v1/appointments/{appointment}/photo");
        self.app
            .send(self.app.request(Method::PUT, &path, Some(token)).header(CONTENT_TYPE, content_type).body(body))
            .await
    }

    async fn upload(&self, content_type: &str, body: Vec<u8>) -> Res {
        self.upload_as(&self.mentor, &self.appointment, content_type, body).await
    }

    /// The public photo: status, headers and the raw bytes.
    async fn public_photo(
        &self,
        appointment: &str,
        if_none_match: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut r = self.app.request(Method::GET, &format!("/api/v1/public/mentors/{appointment}/photo"), None);
        if let Some(tag) = if_none_match {
            r = r.header(IF_NONE_MATCH, tag);
        }
        let res = r.send().await.unwrap();
        let (status, headers) = (res.status().as_u16(), res.headers().clone());
        (status, headers, res.bytes().await.unwrap().to_vec())
    }
}

fn rgb(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8]))
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&rgb(w, h)).unwrap();
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]));
    let mut out = Vec::new();
    PngEncoder::new(&mut out).write_image(img.as_raw(), w, h, ExtendedColorType::Rgba8).unwrap();
    out
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out).write_image(rgb(w, h).as_raw(), w, h, ExtendedColorType::Rgb8).unwrap();
    out
}

/// Where a phone puts the place a photo was taken: an APP1 `Exif` segment with a GPS IFD.
const GPS_MARK: &[u8] = b"GPS-30.6306N-104.0412E-SCU";

/// A JPEG with an EXIF segment holding a GPS IFD (latitude ref `N`) and a marker text, right
/// after the start of image.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    // TIFF header (little endian), IFD0 with one entry: GPSInfo (0x8825) → the GPS IFD at 26.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0]);
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    // The GPS IFD: GPSLatitudeRef = "N".
    tiff.extend(1u16.to_le_bytes());
    tiff.extend([1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(GPS_MARK);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = u16::try_from(app1.len() + 2).unwrap();
    let plain = jpeg(w, h);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
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

/// A PNG chunk.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    c.extend(kind);
    c.extend(data);
    c.extend(crc32(&c[4..]).to_be_bytes());
    c
}

/// A decompression bomb: a PNG declaring `side`×`side` grey pixels, whose IDAT is a zlib stream
/// of (stored) zeros; what is sent is small, what it declares is huge.
fn png_bomb(side: u32) -> Vec<u8> {
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    // zlib header, then deflate blocks of 65535 stored zero bytes (only a few: the server must
    // refuse it from the header before it reads any of them).
    let mut idat = vec![0x78, 0x01];
    for last in [false, false, true] {
        idat.push(u8::from(last));
        idat.extend(65535u16.to_le_bytes());
        idat.extend((!65535u16).to_le_bytes());
        idat.extend(std::iter::repeat_n(0u8, 65535));
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &idat));
    out.extend(chunk(b"IEND", &[]));
    out
}

#[actix_web::test]
async fn a_jpeg_png_and_webp_are_stored_as_jpegs_of_at_most_600_px_without_exif_and_served_with_an_etag() {
    let w = world().await;

    // A 1200×900 JPEG from a phone, with the place it was taken.
    let upload = jpeg_with_gps(1200, 900);
    assert!(contains(&upload, b"Exif") && contains(&upload, GPS_MARK));
    let res = w.upload("image/jpeg", upload).await.expect(200);
    assert_eq!((res.body["width"].as_u64(), res.body["height"].as_u64()), (Some(600), Some(450)), "{}", res.text);
    assert_eq!(res.body["media_type"], "image/jpeg");
    assert_eq!(res.body["source_format"], "jpeg");
    assert_eq!(res.body["version"], 1);
    let url = res.body["url"].as_str().unwrap().to_owned();

    let (status, headers, bytes) = w.public_photo(&w.appointment, None).await;
    assert_eq!(status, 200);
    assert_eq!(headers[CONTENT_TYPE], "image/jpeg");
    assert!(headers[CACHE_CONTROL].to_str().unwrap().contains("max-age=86400"));
    assert_eq!(bytes.len() as u64, res.body["byte_size"].as_u64().unwrap());
    assert!(!contains(&bytes, b"Exif") && !contains(&bytes, GPS_MARK), "EXIF and GPS are gone");
    assert_eq!(image::guess_format(&bytes).unwrap(), ImageFormat::Jpeg);
    let back = image::load_from_memory(&bytes).unwrap();
    assert_eq!((back.width(), back.height()), (600, 450));

    // A strong ETag of the bytes: 304 while unchanged.
    let tag = headers[ETAG].to_str().unwrap().to_owned();
    assert!(tag.starts_with('"'), "a strong ETag: {tag}");
    let (status, _, body) = w.public_photo(&w.appointment, Some(&tag)).await;
    assert_eq!((status, body.len()), (304, 0));

    // The directory points at it.
    let listed =
        w.app.send(w.app.request(Method::GET, &format!("/api/v1/public/mentors/{}", w.appointment), None)).await;
    assert_eq!(listed.expect(200).body["photo_url"], url.as_str());
    assert!(url.starts_with(&format!("/api/v1/public/mentors/{}/photo?v=", w.appointment)));

    // A PNG (tall) and a WebP replace it; each is served as a JPEG.
    let res = w.upload("image/png", png(500, 1000)).await.expect(200);
    assert_eq!(
        (res.body["width"].as_u64(), res.body["height"].as_u64(), res.body["version"].as_u64()),
        (Some(300), Some(600), Some(2))
    );
    assert_eq!(res.body["source_format"], "png");
    let (_, headers, bytes) = w.public_photo(&w.appointment, Some(&tag)).await;
    assert_ne!(headers[ETAG].to_str().unwrap(), tag, "a new photo is a new ETag");
    let back = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap();
    assert_eq!((back.width(), back.height()), (300, 600));
    assert_ne!(res.body["url"].as_str().unwrap(), url, "the URL changes with the photo");

    let res = w.upload("image/webp", webp(320, 240)).await.expect(200);
    assert_eq!((res.body["width"].as_u64(), res.body["height"].as_u64()), (Some(320), Some(240)));
    assert_eq!(res.body["source_format"], "webp");
    let (status, _, bytes) = w.public_photo(&w.appointment, None).await;
    assert_eq!(status, 200);
    assert_eq!(image::guess_format(&bytes).unwrap(), ImageFormat::Jpeg);

    // The content decides, not the header: a PNG sent as application/octet-stream is a PNG.
    w.upload("application/octet-stream", png(10, 10)).await.expect(200);

    // In the change feed and the audit log, without the bytes.
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let changes: Vec<&serde_json::Value> =
        feed.body["items"].as_array().unwrap().iter().filter(|e| e["type"] == "appointment.photo_changed").collect();
    assert_eq!(changes.len(), 4, "{}", feed.text);
    let keys: Vec<&String> = changes[0]["data"].as_object().unwrap().keys().collect();
    assert!(!keys.iter().any(|k| k.as_str() == "jpeg"), "{keys:?}");
    assert!(feed.text.len() < 100_000);
    let audit = w.app.get("/api/v1/audit-events?action=appointment.photo&page_size=100", &w.admin).await.expect(200);
    assert_eq!(audit.body["total"], 4, "{}", audit.text);
}

#[actix_web::test]
async fn non_images_bombs_polyglots_truncated_and_oversized_uploads_are_refused_and_the_server_still_answers() {
    let w = world().await;
    let refused = |res: Res, status: u16, code: &str| {
        let res = res.expect(status);
        assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
        if !code.is_empty() {
            assert_eq!(res.body["errors"][0]["code"], code, "{}", res.text);
            assert_eq!(res.body["errors"][0]["field"], "photo");
        }
    };
    // A text file named photo.jpg, sent as a JPEG.
    refused(w.upload("image/jpeg", b"just some notes, saved as photo.jpg\n".to_vec()).await, 422, "unsupported_image");
    // A GIF/HTML polyglot.
    let polyglot =
        b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;<html><script>alert(document.cookie)</script></html>".to_vec();
    refused(w.upload("image/png", polyglot).await, 422, "unsupported_image");
    // A JPEG header, then garbage.
    let mut garbage = jpeg(64, 64)[..200].to_vec();
    garbage.extend(std::iter::repeat_n(0x5A, 4000));
    refused(w.upload("image/jpeg", garbage).await, 422, "unreadable_image");
    // Truncated images.
    let j = jpeg(400, 300);
    refused(w.upload("image/jpeg", j[..j.len() * 2 / 3].to_vec()).await, 422, "unreadable_image");
    let p = png(400, 300);
    refused(w.upload("image/png", p[..p.len() / 2].to_vec()).await, 422, "unreadable_image");
    let wp = webp(400, 300);
    refused(w.upload("image/webp", wp[..wp.len() / 2].to_vec()).await, 422, "unreadable_image");
    // Decompression bombs: a few hundred KiB declaring 100000×100000 and 20000×20000 pixels.
    refused(w.upload("image/png", png_bomb(100_000)).await, 422, "image_too_large");
    refused(w.upload("image/png", png_bomb(20_000)).await, 422, "image_too_large");
    // A JPEG declaring 65000×65000 (its frame header rewritten).
    let mut big = jpeg(8, 8);
    let sof = big.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    big[sof + 5..sof + 9].copy_from_slice(&[0xFD, 0xE8, 0xFD, 0xE8]);
    refused(w.upload("image/jpeg", big).await, 422, "image_too_large");
    // More than 5 MiB.
    let mut huge = jpeg(16, 16);
    huge.resize(5 * 1024 * 1024 + 1, 0);
    refused(w.upload("image/jpeg", huge).await, 413, "");
    // A media type that is no image.
    refused(w.upload("text/plain", jpeg(16, 16)).await, 415, "");
    // Nothing was stored, and the server still answers.
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 404);
    w.app.send(w.app.request(Method::GET, "/healthz", None)).await.expect(200);

    // A JPEG with an HTML page appended (a polyglot the decoder reads) is stored re-encoded:
    // nothing of the page survives.
    let mut tail = jpeg(64, 64);
    tail.extend(b"<html><script>alert(1)</script></html>");
    w.upload("image/jpeg", tail).await.expect(200);
    let (status, _, bytes) = w.public_photo(&w.appointment, None).await;
    assert_eq!(status, 200);
    assert!(!contains(&bytes, b"<script>"));
}

#[actix_web::test]
async fn only_the_mentor_and_their_college_or_the_university_upload_or_remove_a_photo() {
    let w = world().await;
    let path = format!("/api/v1/appointments/{}/photo", w.appointment);
    // Another college's admin, another mentor, a student: the appointment is not theirs to see.
    let (other_mentor, _) = appoint(&w.app, &w.admin, &w.cs, &w.lab, &w.year, "2023002").await;
    let sid = w.app.student(&w.admin, &w.cs, "2025001", json!({"enrollment_year": 2025})).await;
    let student = w.app.user(&w.admin, "s2025001", "student", json!({"student_id": sid})).await;
    for token in [&w.ee_admin, &other_mentor, &student] {
        w.upload_as(token, &w.appointment, "image/jpeg", jpeg(32, 32)).await.expect(404);
        w.app.delete(&path, token, None).await.expect(404);
    }
    // Without a token.
    let anon = w.app.request(Method::PUT, &path, None).header(CONTENT_TYPE, "image/jpeg").body(jpeg(32, 32));
    w.app.send(anon).await.expect(401);
    // The college's admin and the university's may.
    w.upload_as(&w.cs_admin, &w.appointment, "image/jpeg", jpeg(32, 32)).await.expect(200);
    w.upload_as(&w.admin, &w.appointment, "image/jpeg", jpeg(32, 32)).await.expect(200);
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 200);
    // Removal: the photo is gone from the public and the directory; a second removal is 404.
    w.app.delete(&path, &w.mentor, None).await.expect(204);
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 404);
    w.app.delete(&path, &w.mentor, None).await.expect(404);
    let listed =
        w.app.send(w.app.request(Method::GET, &format!("/api/v1/public/mentors/{}", w.appointment), None)).await;
    assert!(listed.expect(200).body["photo_url"].is_null());
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    assert!(feed.body["items"].as_array().unwrap().iter().any(|e| e["type"] == "appointment.photo_removed"));
}

#[actix_web::test]
async fn the_photo_is_served_only_while_the_profile_is_published_and_goes_with_a_dismissal() {
    let w = world().await;
    w.upload("image/jpeg", jpeg(100, 100)).await.expect(200);
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 200);

    // Unpublished: not served, and the directory of the mentee shows no URL.
    w.publish(&w.mentor, &w.appointment, false).await;
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 404);
    w.publish(&w.mentor, &w.appointment, true).await;
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 200);

    // Dismissal withdraws the profile and deletes the photo; the ended appointment takes no new one.
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", w.appointment), &w.admin, json!({"reason": "未履行职责"}))
        .await
        .expect(200);
    assert_eq!(w.public_photo(&w.appointment, None).await.0, 404);
    let res = w.upload("image/jpeg", jpeg(100, 100)).await.expect(409);
    assert_eq!(res.code(), "invalid_transition");
    w.app.delete(&format!("/api/v1/appointments/{}/photo", w.appointment), &w.admin, None).await.expect(404);
    let audit =
        w.app.get("/api/v1/audit-events?action=appointment.photo_withdraw&page_size=100", &w.admin).await.expect(200);
    assert_eq!(audit.body["total"], 1, "{}", audit.text);

    // The close of the year deletes the photos of the mentors it completes.
    let (m2, a2) = appoint(&w.app, &w.admin, &w.cs, &w.lab, &w.year, "2023003").await;
    w.publish(&m2, &a2, true).await;
    w.upload_as(&m2, &a2, "image/png", png(50, 50)).await.expect(200);
    assert_eq!(w.public_photo(&a2, None).await.0, 200);
    w.app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.admin, json!({})).await.expect(200);
    assert_eq!(w.public_photo(&a2, None).await.0, 404);
}

#[actix_web::test]
async fn head_on_the_public_photo_answers_like_get_without_the_body() {
    let w = world().await;
    let path = format!("/api/v1/public/mentors/{}/photo", w.appointment);
    let head = |tag: Option<String>| {
        let mut r = w.app.request(Method::HEAD, &path, None);
        if let Some(t) = tag {
            r = r.header(IF_NONE_MATCH, t);
        }
        async move {
            let res = r.send().await.unwrap();
            let (status, headers) = (res.status().as_u16(), res.headers().clone());
            (status, headers, res.bytes().await.unwrap().to_vec())
        }
    };
    // No photo yet: 404, as for GET.
    assert_eq!(head(None).await.0, 404);
    w.upload("image/jpeg", jpeg(100, 80)).await.expect(200);
    let (status, got, bytes) = w.public_photo(&w.appointment, None).await;
    assert_eq!(status, 200);
    let (status, headers, body) = head(None).await;
    assert_eq!(status, 200);
    assert!(body.is_empty(), "no body on HEAD");
    for h in [ETAG, CACHE_CONTROL, CONTENT_TYPE] {
        assert_eq!(headers.get(&h), got.get(&h), "{h}");
    }
    assert_eq!(headers[CONTENT_LENGTH].to_str().unwrap(), bytes.len().to_string(), "the length GET sends");
    // A matching If-None-Match: 304; the route allows HEAD; unlisted: 404.
    let tag = got[ETAG].to_str().unwrap().to_owned();
    assert_eq!(head(Some(tag)).await.0, 304);
    let res = w.app.send(w.app.request(Method::POST, &path, None)).await.expect(405);
    let allow = res.header("allow").unwrap();
    assert!(allow.contains("GET") && allow.contains("HEAD"), "{allow}");
    w.publish(&w.mentor, &w.appointment, false).await;
    assert_eq!(head(None).await.0, 404);
}

#[actix_web::test]
async fn the_mentor_and_their_college_preview_the_entry_and_the_photo_before_publishing() {
    let w = world().await;
    let (mentor, appointment) = appoint(&w.app, &w.admin, &w.cs, &w.lab, &w.year, "2023009").await;
    w.app
        .put(
            &format!("/api/v1/appointments/{appointment}/profile"),
            &mentor,
            json!({"research_direction": "视觉导航", "bio": "硕士二年级，乐于答疑。", "deeds": ["2024 挑战杯省赛一等奖"],
                   "public_contact": "学院 A302 办公室", "published": false}),
            None,
        )
        .await
        .expect(200);
    w.upload_as(&mentor, &appointment, "image/jpeg", jpeg(64, 48)).await.expect(200);
    let preview_path = format!("/api/v1/appointments/{appointment}/profile/preview");
    let public_path = format!("/api/v1/public/mentors/{appointment}");

    // Not public yet: the directory and its photo do not know the mentor.
    w.app.send(w.app.request(Method::GET, &public_path, None)).await.expect(404);
    assert_eq!(w.public_photo(&appointment, None).await.0, 404);

    // The mentor, the college's admin and the university's see the entry as it will be shown.
    for token in [&mentor, &w.cs_admin, &w.admin] {
        let p = w.app.get(&preview_path, token).await.expect(200);
        assert_eq!(p.header("cache-control").as_deref(), Some("private, no-cache"));
        assert_eq!(p.body["research_direction"], "视觉导航");
        assert_eq!(p.body["deeds"][0], "2024 挑战杯省赛一等奖");
        assert!(p.body["published_at"].is_null());
        crate::directory::assert_only_public_keys(&p.body);
        // The photo is behind the token, at the URL the preview gives.
        let url = p.body["photo_url"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&format!("/api/v1/appointments/{appointment}/photo?v=")), "{url}");
        let photo = w.app.request(Method::GET, &url, Some(token)).send().await.unwrap();
        assert_eq!(photo.status().as_u16(), 200);
        assert_eq!(photo.headers()["content-type"], "image/jpeg");
        let tag = photo.headers()["etag"].to_str().unwrap().to_owned();
        let again = w.app.request(Method::GET, &url, Some(token)).header(IF_NONE_MATCH, &tag).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 304);
    }

    // A counselor of the college sees the appointment but does not write its profile: 403. Another
    // college's admin, another mentor, a student and no token learn nothing.
    let counselor = w.app.user(&w.admin, "cs-counselor", "counselor", json!({"college_id": w.cs})).await;
    w.app.get(&preview_path, &counselor).await.expect(403);
    let sid = w.app.student(&w.admin, &w.cs, "2025001", json!({"enrollment_year": 2025})).await;
    let student = w.app.user(&w.admin, "s2025001", "student", json!({"student_id": sid})).await;
    let photo_path = format!("/api/v1/appointments/{appointment}/photo");
    for token in [&w.ee_admin, &w.mentor, &student] {
        w.app.get(&preview_path, token).await.expect(404);
        w.app.get(&photo_path, token).await.expect(404);
    }
    w.app.send(w.app.request(Method::GET, &preview_path, None)).await.expect(401);
    w.app.send(w.app.request(Method::GET, &photo_path, None)).await.expect(401);
    let res = w.app.get("/api/v1/appointments/not-a-uuid/profile/preview", &w.admin).await;
    assert_eq!(res.status.as_u16(), 400);

    // Without a photo the preview has no URL and the private photo is 404.
    w.app.delete(&photo_path, &mentor, None).await.expect(204);
    assert!(w.app.get(&preview_path, &mentor).await.expect(200).body["photo_url"].is_null());
    w.app.get(&photo_path, &mentor).await.expect(404);

    // Published, the public entry is the preview (with the public photo URL once there is one).
    w.app
        .put(
            &format!("/api/v1/appointments/{appointment}/profile"),
            &mentor,
            json!({"research_direction": "视觉导航", "bio": "硕士二年级，乐于答疑。", "deeds": ["2024 挑战杯省赛一等奖"],
                   "public_contact": "学院 A302 办公室", "published": true}),
            None,
        )
        .await
        .expect(200);
    let public = w.app.send(w.app.request(Method::GET, &public_path, None)).await.expect(200);
    let preview = w.app.get(&preview_path, &mentor).await.expect(200);
    assert_eq!(public.body, preview.body);
}
