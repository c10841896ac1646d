//! Colleges' best-practice cases (优秀案例, issue 17): a college admin writes and submits a case
//! for their college; the university accepts, returns (the college edits and resubmits) and
//! features; accepted cases are read across colleges by admins and counselors; attachments are
//! PDFs or images by their bytes, served back as uploaded; featured cases are the notes of the
//! college-assessment report.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

fn field_codes(res: &Res) -> Vec<(String, String)> {
    res.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

struct World {
    app: TestApp,
    admin: String,
    year: String,
    cs: String,
    cs_admin: String,
    cs_counselor: String,
    ee: String,
    ee_admin: String,
    ee_counselor: String,
    student: String,
    cs_activity: String,
    ee_activity: String,
    university_activity: String,
}

fn at(days: i64, hour: u32) -> String {
    let d = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{d}T{hour:02}:00:00+08:00")
}

async fn activity(app: &TestApp, token: &str, year: &str, college: Option<&str>, title: &str) -> String {
    // A college's own kind of activity, or a university-wide exchange meeting.
    let kind = if college.is_some() { "career_guidance" } else { "experience_exchange" };
    let mut body = json!({"kind": kind, "title": title, "academic_year_id": year, "topics": [],
        "host_appointment_ids": [], "start_at": at(7, 14), "end_at": at(7, 16), "venue": format!("{title} 会场")});
    if let Some(c) = college {
        body["college_id"] = json!(c);
    }
    app.post("/api/v1/activities", token, body).await.expect(201).id()
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2026-2027"})).await.expect(201).id();
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let cs_counselor = app.user(&admin, "cs-counselor", "counselor", json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    let ee_counselor = app.user(&admin, "ee-counselor", "counselor", json!({"college_id": ee})).await;
    let student_id = app.student(&admin, &cs, "2025001", json!({"enrollment_year": 2025})).await;
    let student = app.user(&admin, "cs-student", "student", json!({"student_id": student_id})).await;
    let cs_activity = activity(&app, &cs_admin, &year, Some(&cs), "计算机学院经验交流会").await;
    let ee_activity = activity(&app, &ee_admin, &year, Some(&ee), "电气学院经验交流会").await;
    let university_activity = activity(&app, &admin, &year, None, "全校经验交流会").await;
    World {
        app,
        admin,
        year,
        cs,
        cs_admin,
        cs_counselor,
        ee,
        ee_admin,
        ee_counselor,
        student,
        cs_activity,
        ee_activity,
        university_activity,
    }
}

impl World {
    fn case(&self, title: &str) -> Value {
        json!({"title": title, "summary": "以实验室为单位结对，开学一个月内完成全覆盖。",
            "body": "## 做法\n\n1. 开学第一周召开新生见面会\n2. 每月一次沙龙\n\n<script>alert(1)</script>",
            "academic_year_id": self.year, "activity_ids": [self.cs_activity],
            "data_notes": "结对数据取自系统报表。"})
    }

    async fn create(&self, token: &str, body: Value) -> Res {
        self.app.post("/api/v1/cases", token, body).await
    }

    /// A step without a body, with an optional `If-Match`.
    async fn step(&self, token: &str, id: &str, action: &str, if_match: Option<&str>) -> Res {
        let mut r = self.app.request(Method::POST, &format!("/api/v1/cases/{id}/{action}"), Some(token));
        if let Some(v) = if_match {
            r = r.header("If-Match", v);
        }
        self.app.send(r).await
    }

    async fn review(&self, id: &str, action: &str, body: Value) -> Res {
        self.app.post(&format!("/api/v1/cases/{id}/{action}"), &self.admin, body).await
    }

    async fn attach(&self, token: &str, id: &str, name: &str, content_type: &str, bytes: Vec<u8>) -> Res {
        let path = format!("/api/v1/cases/{id}/attachments?file_name={name}");
        self.app
            .send(self.app.request(Method::POST, &path, Some(token)).header(CONTENT_TYPE, content_type).body(bytes))
            .await
    }

    /// A case of CS, accepted.
    async fn accepted(&self, title: &str) -> String {
        let id = self.create(&self.cs_admin, self.case(title)).await.expect(201).id();
        self.step(&self.cs_admin, &id, "submit", None).await.expect(200);
        self.review(&id, "accept", json!({})).await.expect(200);
        id
    }
}

/// A real, tiny PDF (one empty A4 page), with its cross-reference table and trailer.
fn tiny_pdf() -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1}),
    );
    let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn tiny_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(5, 3, |x, y| image::Rgb([(x * 40) as u8, (y * 80) as u8, 90]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[actix_web::test]
async fn a_case_goes_draft_submitted_returned_resubmitted_accepted_featured_over_http() {
    let w = world().await;
    let res = w.create(&w.cs_admin, w.case("“学长领航”新生适应计划")).await.expect(201);
    let id = res.id();
    let path = format!("/api/v1/cases/{id}");
    assert_eq!(res.header("location").as_deref(), Some(path.as_str()));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.body["state"], "draft");
    assert_eq!(res.body["college_id"], w.cs.as_str());
    assert_eq!(res.body["featured"], false);
    assert_eq!(res.body["activity_ids"], json!([w.cs_activity]));
    // Markdown is stored as written; a reader renders and sanitises it.
    assert!(res.body["body"].as_str().unwrap().contains("<script>"));

    // A draft: the college sees it; the university and other colleges do not (404).
    w.app.get(&path, &w.cs_counselor).await.expect(200);
    assert_problem(&w.app.get(&path, &w.admin).await, 404, "not_found");
    assert_problem(&w.app.get(&path, &w.ee_admin).await, 404, "not_found");
    assert_eq!(w.app.get("/api/v1/cases", &w.admin).await.expect(200).body["total"], 0);
    // The university cannot accept what was not submitted (it does not even see it).
    assert_problem(&w.review(&id, "accept", json!({})).await, 404, "not_found");

    // Edits with If-Match: a stale version is 412.
    let stale = w.app.patch(&path, &w.cs_admin, json!({"summary": "新摘要"}), Some("\"7\"")).await;
    assert_problem(&stale, 412, "precondition_failed");
    let edited = w.app.patch(&path, &w.cs_admin, json!({"summary": "新摘要", "data_notes": ""}), Some("\"1\"")).await;
    let edited = edited.expect(200);
    assert_eq!((edited.body["summary"].as_str(), edited.body["version"].as_i64()), (Some("新摘要"), Some(2)));
    assert_eq!(edited.body["data_notes"], Value::Null);
    // Only the college's admin writes: the counselor may read but not edit or submit (403).
    assert_problem(&w.app.patch(&path, &w.cs_counselor, json!({"title": "x"}), None).await, 403, "forbidden");
    assert_problem(&w.step(&w.cs_counselor, &id, "submit", None).await, 403, "forbidden");

    // Submit (stale If-Match refused first).
    assert_problem(&w.step(&w.cs_admin, &id, "submit", Some("\"1\"")).await, 412, "precondition_failed");
    let s = w.step(&w.cs_admin, &id, "submit", Some("\"2\"")).await.expect(200);
    assert_eq!(s.body["state"], "submitted");
    assert!(s.body["submitted_at"].is_string());
    // Submitted: no edits, no second submission; the college cannot review its own case.
    assert_problem(&w.app.patch(&path, &w.cs_admin, json!({"title": "改"}), None).await, 409, "invalid_transition");
    assert_problem(&w.step(&w.cs_admin, &id, "submit", None).await, 409, "invalid_transition");
    assert_problem(&w.app.post(&format!("{path}/accept"), &w.cs_admin, json!({})).await, 403, "forbidden");
    // Other colleges still do not see it; the university does now.
    assert_problem(&w.app.get(&path, &w.ee_counselor).await, 404, "not_found");
    assert_eq!(w.app.get("/api/v1/cases?state=submitted", &w.admin).await.expect(200).body["total"], 1);
    // Only an accepted case is featured.
    assert_problem(&w.step(&w.admin, &id, "feature", None).await, 409, "invalid_transition");

    // Return needs comments.
    let no_comments = w.review(&id, "return", json!({})).await;
    assert_problem(&no_comments, 422, "validation_failed");
    assert_eq!(field_codes(&no_comments), vec![("comments".to_owned(), "required".to_owned())]);
    let r = w.review(&id, "return", json!({"comments": "请补充新生满意度调查的数据来源。"})).await.expect(200);
    assert_eq!(r.body["state"], "returned");
    assert_eq!(r.body["review_comments"], "请补充新生满意度调查的数据来源。");
    // Returned: the college edits and submits again.
    w.app
        .patch(&path, &w.cs_admin, json!({"data_notes": "满意度调查：2026 年 10 月，回收 212 份。"}), None)
        .await
        .expect(200);
    w.step(&w.cs_admin, &id, "submit", None).await.expect(200);

    // Accept; accepted cases are read by every college's admins and counselors.
    let a = w.review(&id, "accept", json!({"comments": "做法扎实，数据充分。"})).await.expect(200);
    assert_eq!(a.body["state"], "accepted");
    assert_eq!(a.body["review_comments"], "做法扎实，数据充分。");
    assert_problem(&w.review(&id, "return", json!({"comments": "再改改"})).await, 409, "invalid_transition");
    assert_problem(&w.app.patch(&path, &w.cs_admin, json!({"title": "改"}), None).await, 409, "invalid_transition");
    assert_problem(&w.step(&w.admin, &id, "unfeature", None).await, 409, "invalid_transition");
    // Featuring is the university's; it is a flag on the accepted case.
    assert_problem(&w.step(&w.cs_admin, &id, "feature", None).await, 403, "forbidden");
    let version = a.body["version"].as_i64().unwrap();
    assert_problem(&w.step(&w.admin, &id, "feature", Some("\"1\"")).await, 412, "precondition_failed");
    let f = w.step(&w.admin, &id, "feature", Some(&format!("\"{version}\""))).await.expect(200);
    assert_eq!((f.body["state"].as_str(), f.body["featured"].as_bool()), (Some("accepted"), Some(true)));
    assert_problem(&w.step(&w.admin, &id, "feature", None).await, 409, "invalid_transition");
    let u = w.step(&w.admin, &id, "unfeature", None).await.expect(200);
    assert_eq!((u.body["state"].as_str(), u.body["featured"].as_bool()), (Some("accepted"), Some(false)));
    w.step(&w.admin, &id, "feature", None).await.expect(200);

    // The feed and the audit log follow every step.
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    for t in [
        "case.created",
        "case.updated",
        "case.submitted",
        "case.returned",
        "case.accepted",
        "case.featured",
        "case.unfeatured",
    ] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    let audit = w.app.get("/api/v1/audit-events?target_type=case&page_size=100", &w.admin).await.expect(200);
    assert!(audit.body["total"].as_u64().unwrap() >= 10, "{}", audit.text);
    // Neither carries the body.
    assert!(!feed.text.contains("开学第一周") && !audit.text.contains("开学第一周"));
}

#[actix_web::test]
async fn a_college_writes_only_for_itself_and_reads_other_colleges_accepted_cases_only() {
    let w = world().await;
    let draft = w.create(&w.cs_admin, w.case("草稿案例")).await.expect(201).id();
    let accepted = w.accepted("已采纳案例").await;
    let submitted = w.create(&w.cs_admin, w.case("已提交案例")).await.expect(201).id();
    w.step(&w.cs_admin, &submitted, "submit", None).await.expect(200);

    // Another college's admin and counselor: 404 for the draft and the submitted case, whatever the
    // verb; the accepted one they read.
    for token in [&w.ee_admin, &w.ee_counselor] {
        for id in [&draft, &submitted] {
            assert_problem(&w.app.get(&format!("/api/v1/cases/{id}"), token).await, 404, "not_found");
        }
        w.app.get(&format!("/api/v1/cases/{accepted}"), token).await.expect(200);
    }
    assert_problem(&w.step(&w.ee_admin, &draft, "submit", None).await, 404, "not_found");
    assert_problem(
        &w.app.patch(&format!("/api/v1/cases/{draft}"), &w.ee_admin, json!({"title": "抢"}), None).await,
        404,
        "not_found",
    );
    assert_problem(&w.attach(&w.ee_admin, &draft, "x.png", "image/png", tiny_png()).await, 404, "not_found");
    // …and may not write to the accepted one they read.
    assert_problem(
        &w.app.patch(&format!("/api/v1/cases/{accepted}"), &w.ee_admin, json!({"title": "抢"}), None).await,
        403,
        "forbidden",
    );
    // The list: EE sees CS's accepted case only; CS all three; the university the two submitted ones.
    let ee = w.app.get("/api/v1/cases", &w.ee_counselor).await.expect(200);
    assert_eq!(ee.body["total"], 1);
    assert_eq!(ee.body["items"][0]["id"], accepted.as_str());
    assert_eq!(w.app.get("/api/v1/cases", &w.cs_counselor).await.expect(200).body["total"], 3);
    assert_eq!(w.app.get("/api/v1/cases", &w.admin).await.expect(200).body["total"], 2);
    // Filters and paging.
    let q = |s: &str| format!("/api/v1/cases?{s}");
    assert_eq!(w.app.get(&q("state=draft"), &w.cs_admin).await.expect(200).body["total"], 1);
    assert_eq!(w.app.get(&q(&format!("college_id={}", w.ee)), &w.cs_admin).await.expect(200).body["total"], 0);
    assert_eq!(w.app.get(&q(&format!("academic_year_id={}", w.year)), &w.cs_admin).await.expect(200).body["total"], 3);
    assert_eq!(w.app.get(&q("featured=true"), &w.cs_admin).await.expect(200).body["total"], 0);
    assert_eq!(w.app.get(&q("featured=false&state=accepted"), &w.ee_admin).await.expect(200).body["total"], 1);
    let p = w.app.get(&q("page_size=2&sort=-created_at"), &w.cs_admin).await.expect(200);
    assert_eq!((p.body["total"].as_u64(), p.body["items"].as_array().unwrap().len()), (Some(3), 2));
    assert_problem(&w.app.get(&q("state=lost"), &w.cs_admin).await, 400, "invalid_query");
    assert_problem(&w.app.get(&q("sort=title"), &w.cs_admin).await, 422, "validation_failed");

    // Students (and mentors, who are students) read and write no case: 403.
    assert_problem(&w.app.get("/api/v1/cases", &w.student).await, 403, "forbidden");
    assert_problem(&w.app.get(&format!("/api/v1/cases/{accepted}"), &w.student).await, 403, "forbidden");
    assert_problem(&w.create(&w.student, w.case("学生案例")).await, 403, "forbidden");
    // Counselors and the university do not write cases.
    assert_problem(&w.create(&w.cs_counselor, w.case("辅导员案例")).await, 403, "forbidden");
    assert_problem(&w.create(&w.admin, w.case("学校案例")).await, 403, "forbidden");
    // A case is for the caller's own college: there is no field to name another.
    let mut other = w.case("替别的学院写");
    other["college_id"] = json!(w.ee);
    assert_problem(&w.create(&w.cs_admin, other).await, 422, "validation_failed");
    // Without a token: 401.
    let anon = w.app.send(w.app.request(Method::GET, "/api/v1/cases", None)).await;
    assert_eq!(anon.status.as_u16(), 401);
}

#[actix_web::test]
async fn bad_cases_are_refused_with_field_errors() {
    let w = world().await;
    let ok = w.case("好案例");
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    for (body, field, code) in [
        (with("title", json!("含\u{0000}空字符")), "title", "control_character"),
        (with("body", json!("正文\u{0007}响铃")), "body", "control_character"),
        (with("title", json!("x".repeat(101))), "title", "too_long"),
        (with("title", json!("两\n行")), "title", "invalid_format"),
        (with("summary", json!("摘".repeat(501))), "summary", "too_long"),
        (with("body", json!("长".repeat(20_001))), "body", "too_long"),
        (with("body", json!("   ")), "body", "required"),
        (with("data_notes", json!("注".repeat(2001))), "data_notes", "too_long"),
        (with("activity_ids", json!([w.cs_activity, w.cs_activity])), "activity_ids", "duplicate"),
        // Another college's activity, a university-wide one, an unknown id: the same answer.
        (with("activity_ids", json!([w.ee_activity])), "activity_ids", "invalid_reference"),
        (with("activity_ids", json!([w.university_activity])), "activity_ids", "invalid_reference"),
        (with("activity_ids", json!([uuid::Uuid::now_v7()])), "activity_ids", "invalid_reference"),
        (with("academic_year_id", json!(uuid::Uuid::now_v7())), "academic_year_id", "invalid_reference"),
    ] {
        let res = w.create(&w.cs_admin, body).await;
        assert_problem(&res, 422, "validation_failed");
        assert!(field_codes(&res).contains(&(field.to_owned(), code.to_owned())), "{field} {code}: {}", res.text);
    }
    // Bad ids in the path and the query: 400.
    assert_problem(&w.app.get("/api/v1/cases/not-a-uuid", &w.cs_admin).await, 400, "invalid_path");
    assert_problem(&w.app.get("/api/v1/cases?college_id=nope", &w.cs_admin).await, 400, "invalid_query");
    assert_problem(&w.app.get(&format!("/api/v1/cases/{}", uuid::Uuid::now_v7()), &w.cs_admin).await, 404, "not_found");
    // The same rules on PATCH, and a wrong If-Match.
    let id = w.create(&w.cs_admin, ok.clone()).await.expect(201).id();
    let path = format!("/api/v1/cases/{id}");
    let res =
        w.app.patch(&path, &w.cs_admin, json!({"title": "a\u{0000}b", "activity_ids": [w.ee_activity]}), None).await;
    assert_problem(&res, 422, "validation_failed");
    let res = w.app.patch(&path, &w.cs_admin, json!({"activity_ids": [w.ee_activity]}), None).await;
    assert_eq!(field_codes(&res), vec![("activity_ids".to_owned(), "invalid_reference".to_owned())]);
    assert_problem(
        &w.app.patch(&path, &w.cs_admin, json!({"title": "新"}), Some("garbage")).await,
        400,
        "invalid_if_match",
    );
    assert_problem(
        &w.app.patch(&path, &w.cs_admin, json!({"title": "新"}), Some("\"garbage\"")).await,
        412,
        "precondition_failed",
    );
    assert_problem(&w.app.patch(&path, &w.cs_admin, json!({"colour": "red"}), None).await, 422, "validation_failed");
    // Nothing changed.
    let now = w.app.get(&path, &w.cs_admin).await.expect(200);
    assert_eq!((now.body["version"].as_i64(), now.body["title"].as_str()), (Some(1), Some("好案例")));
    // Comments obey the text rule too.
    w.step(&w.cs_admin, &id, "submit", None).await.expect(200);
    let res = w.review(&id, "return", json!({"comments": "坏\u{0000}"})).await;
    assert_eq!(field_codes(&res), vec![("comments".to_owned(), "control_character".to_owned())]);
}

#[actix_web::test]
async fn attachments_are_pdfs_or_images_by_content_and_come_back_byte_for_byte() {
    let w = world().await;
    let id = w.create(&w.cs_admin, w.case("附件案例")).await.expect(201).id();

    // Not a PDF or an image, whatever the name or the declared type.
    for (name, ct, bytes) in [
        ("page.html", "text/html", b"<!doctype html><script>alert(1)</script>".to_vec()),
        ("x.pdf", "application/pdf", b"just some text, named x.pdf".to_vec()),
        ("photo.png", "image/png", b"PK\x03\x04\x14\x00\x00\x00archive".to_vec()),
        ("setup.exe", "application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
    ] {
        let res = w.attach(&w.cs_admin, &id, name, ct, bytes).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(field_codes(&res), vec![("file".to_owned(), "unsupported_attachment".to_owned())], "{name}");
    }
    // A PDF cut short, and a PDF header glued onto HTML.
    let pdf = tiny_pdf();
    let res = w.attach(&w.cs_admin, &id, "cut.pdf", "application/pdf", pdf[..pdf.len() - 20].to_vec()).await;
    assert_eq!(field_codes(&res), vec![("file".to_owned(), "unreadable_attachment".to_owned())]);
    let res = w.attach(&w.cs_admin, &id, "x.pdf", "application/pdf", b"%PDF-1.4\n<html></html>".to_vec()).await;
    assert_eq!(field_codes(&res), vec![("file".to_owned(), "unreadable_attachment".to_owned())]);
    // Larger than 10 MiB: 413.
    let big = w.attach(&w.cs_admin, &id, "big.pdf", "application/pdf", vec![b'%'; 10 * 1024 * 1024 + 1]).await;
    assert_problem(&big, 413, "payload_too_large");
    // A control character in the name.
    let res = w.attach(&w.cs_admin, &id, "a%00.pdf", "application/pdf", tiny_pdf()).await;
    assert_eq!(field_codes(&res), vec![("file_name".to_owned(), "control_character".to_owned())]);

    // A real PDF and PNG, sent with a misleading type: kept as they are.
    let png = tiny_png();
    let a = w
        .attach(&w.cs_admin, &id, "%E6%A1%88%E4%BE%8B%E6%80%BB%E7%BB%93.pdf", "text/plain", pdf.clone())
        .await
        .expect(201);
    let pdf_url = a.header("location").unwrap();
    assert_eq!(a.body["version"], 2);
    let b = w.attach(&w.cs_admin, &id, "dir/chart.png", "application/octet-stream", png.clone()).await.expect(201);
    let png_url = b.header("location").unwrap();
    let files = b.body["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        (files[0]["file_name"].as_str(), files[0]["media_type"].as_str()),
        (Some("案例总结.pdf"), Some("application/pdf"))
    );
    assert_eq!(
        (files[1]["file_name"].as_str(), files[1]["media_type"].as_str()),
        (Some("chart.png"), Some("image/png"))
    );
    assert_eq!(files[1]["url"], png_url.as_str());
    assert_eq!(files[0]["byte_size"], pdf.len());

    let fetch = |url: String, token: String| {
        let app = &w.app;
        async move {
            let res = app.request(Method::GET, &url, Some(&token)).send().await.unwrap();
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            (status, headers, res.bytes().await.unwrap().to_vec())
        }
    };
    for (url, bytes, ct) in [(&pdf_url, &pdf, "application/pdf"), (&png_url, &png, "image/png")] {
        let (status, headers, body) = fetch(url.clone(), w.cs_counselor.clone()).await;
        assert_eq!(status, 200);
        assert_eq!(&body, bytes, "byte for byte");
        assert_eq!(headers["content-type"], ct);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    }
    let (_, headers, _) = fetch(pdf_url.clone(), w.cs_admin.clone()).await;
    assert!(headers["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%E6%A1%88"), "{headers:?}");
    assert!(lopdf::Document::load_mem(&fetch(pdf_url.clone(), w.cs_admin.clone()).await.2).is_ok());
    // Another college does not see a draft's attachments; nor does a student.
    assert_eq!(fetch(pdf_url.clone(), w.ee_admin.clone()).await.0, 404);
    assert_eq!(fetch(pdf_url.clone(), w.student.clone()).await.0, 403);

    // An attachment is reached only through its own case.
    let other = w.create(&w.cs_admin, w.case("另一个案例")).await.expect(201).id();
    let attachment_id = pdf_url.rsplit('/').next().unwrap();
    assert_eq!(fetch(format!("/api/v1/cases/{other}/attachments/{attachment_id}"), w.cs_admin.clone()).await.0, 404);
    // At most 10 per case.
    for i in 0..10 {
        w.attach(&w.cs_admin, &other, &format!("p{i}.png"), "image/png", tiny_png()).await.expect(201);
    }
    let eleventh = w.attach(&w.cs_admin, &other, "p10.png", "image/png", tiny_png()).await;
    assert_eq!(field_codes(&eleventh), vec![("file".to_owned(), "too_many".to_owned())]);

    // Removed while draft (If-Match names the case's version); not once submitted.
    assert_problem(&w.app.delete(&png_url, &w.cs_admin, Some("\"2\"")).await, 412, "precondition_failed");
    let gone = w.app.delete(&png_url, &w.cs_admin, Some("\"3\"")).await;
    assert_eq!(gone.status.as_u16(), 204, "{}", gone.text);
    assert_eq!(fetch(png_url.clone(), w.cs_admin.clone()).await.0, 404);
    w.step(&w.cs_admin, &id, "submit", None).await.expect(200);
    assert_problem(&w.app.delete(&pdf_url, &w.cs_admin, None).await, 409, "invalid_transition");
    assert_problem(&w.attach(&w.cs_admin, &id, "late.png", "image/png", tiny_png()).await, 409, "invalid_transition");
    // Once accepted, another college reads it and its attachment.
    w.review(&id, "accept", json!({})).await.expect(200);
    let (status, _, body) = fetch(pdf_url.clone(), w.ee_counselor.clone()).await;
    assert_eq!((status, body == pdf), (200, true));
}

#[actix_web::test]
async fn featured_cases_are_the_notes_of_the_college_assessment_report() {
    let w = world().await;
    let featured = w.accepted("“学长领航”新生适应计划").await;
    w.step(&w.admin, &featured, "feature", None).await.expect(200);
    let second = w.accepted("实验室结对全覆盖").await;
    w.step(&w.admin, &second, "feature", None).await.expect(200);
    // Accepted but not featured: not in the notes.
    w.accepted("只采纳未推荐").await;

    let path = format!("/api/v1/reports/college-assessment?academic_year_id={}", w.year);
    let r = w.app.get(&path, &w.admin).await.expect(200);
    let rows = r.body["colleges"].as_array().unwrap();
    let cs = rows.iter().find(|c| c["college_id"] == w.cs.as_str()).unwrap();
    let ee = rows.iter().find(|c| c["college_id"] == w.ee.as_str()).unwrap();
    assert_eq!(
        cs["featured_cases"],
        json!([{"id": featured, "title": "“学长领航”新生适应计划"}, {"id": second, "title": "实验室结对全覆盖"}])
    );
    assert_eq!(ee["featured_cases"], json!([]));
    // The college's own report too.
    let own = w.app.get(&path, &w.cs_admin).await.expect(200);
    assert_eq!(own.body["colleges"][0]["featured_cases"].as_array().unwrap().len(), 2);
    // CSV: one column, the titles joined by "；".
    let csv = w.app.get(&format!("{path}&format=csv"), &w.admin).await.expect(200);
    let header = csv.text.lines().next().unwrap();
    assert!(header.trim_end().ends_with("推荐优秀案例"), "{header}");
    assert!(csv.text.contains("“学长领航”新生适应计划；实验室结对全覆盖"), "{}", csv.text);
    // Unfeatured: gone from the notes.
    w.step(&w.admin, &second, "unfeature", None).await.expect(200);
    let r = w.app.get(&path, &w.admin).await.expect(200);
    let rows = r.body["colleges"].as_array().unwrap();
    let cs = rows.iter().find(|c| c["college_id"] == w.cs.as_str()).unwrap();
    assert_eq!(cs["featured_cases"].as_array().unwrap().len(), 1);
}
