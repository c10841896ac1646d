//! The service certificate (issue 15): only a completed term has one; its JSON states the term,
//! the year's figures, the confirmed grade and the awards; its PDF opens, has one page and holds
//! the Chinese name as text; its code is issued once (also when two first requests race) and
//! verifies publicly with name, college, term and grade only; who may read it.

use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

fn today() -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now())
}

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

struct World {
    app: TestApp,
    admin: String,
    cs_admin: String,
    ee_admin: String,
    year: String,
    /// 张三, the CS mentor who completes the term.
    zhang: String,
    zhang_token: String,
    /// 李四, a CS mentor dismissed during the year.
    li: String,
    /// A freshman paired with 张三.
    freshman_token: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    let lab = app.unit(&admin, &cs, "LAB1", "laboratory").await;
    let mentor = |no: &'static str, name: &'static str| {
        let (app, admin, cs, lab, year) = (&app, &admin, &cs, &lab, &year);
        async move {
            let s =
                app.student(admin, cs, no, json!({"name": name, "enrollment_year": first - 2, "unit_id": lab})).await;
            let a = MentorBuilder::new(app, admin)
                .student(&s)
                .year(year)
                .unit(lab)
                .justification("表现突出")
                .appoint()
                .await
                .appointment
                .0;
            (s, a)
        }
    };
    let (zhang_student, zhang) = mentor("2023001", "张三").await;
    let (_, li) = mentor("2023002", "李四").await;
    let zhang_token = app.user(&admin, "zhang-san", "student", json!({"student_id": zhang_student})).await;
    let freshman =
        app.student(&admin, &cs, "2026101", json!({"name": "新生甲", "enrollment_year": first, "unit_id": lab})).await;
    let freshman_token = app.user(&admin, "xin-sheng", "student", json!({"student_id": freshman})).await;
    app.post("/api/v1/pairings", &admin, json!({"appointment_id": zhang, "mentee_id": freshman})).await.expect(201);
    World { app, admin, cs_admin, ee_admin, year, zhang, zhang_token, li, freshman_token }
}

impl World {
    fn path(&self, appointment: &str) -> String {
        format!("/api/v1/appointments/{appointment}/certificate")
    }

    /// The year's work of 张三, graded excellent and confirmed, one award; 李四 dismissed; the
    /// year closed.
    async fn complete_the_year(&self) {
        let app = &self.app;
        app.post(
            "/api/v1/work-records",
            &self.zhang_token,
            json!({"appointment_id": self.zhang, "kind": "individual_consultation", "date": today().to_string(),
                   "minutes": 90, "duties": ["study"], "channel": "face_to_face",
                   "student_ids": [self.freshman_id().await], "summary": "交流选课与科研安排"}),
        )
        .await
        .expect(201);
        let y = format!("/api/v1/academic-years/{}", self.year);
        let etag = app.get(&y, &self.admin).await.expect(200).header("etag").unwrap();
        app.patch(
            &y,
            &self.admin,
            json!({"assessment_opens_on": today(), "assessment_closes_on": today() + Duration::days(10)}),
            Some(&etag),
        )
        .await
        .expect(200);
        let assessment = format!("/api/v1/appointments/{}/assessment", self.zhang);
        app.put(&assessment, &self.cs_admin, json!({"grade": "excellent", "comment": "结对帮扶扎实"}), None)
            .await
            .expect(200);
        app.post(&format!("{assessment}/confirm"), &self.admin, json!({})).await.expect(200);
        app.award_alone(&self.admin, &self.year, &self.zhang).await;
        app.post(
            &format!("/api/v1/appointments/{}/dismissal", self.li),
            &self.admin,
            json!({"reason": "长期不履行学长职责"}),
        )
        .await
        .expect(200);
        app.post(&format!("/api/v1/academic-years/{}/close", self.year), &self.admin, json!({})).await.expect(200);
    }

    async fn freshman_id(&self) -> String {
        let me = self.app.get("/api/v1/me", &self.freshman_token).await.expect(200);
        me.body["student_id"].as_str().unwrap().to_owned()
    }

    /// The certificate as a PDF, asked for with `?format=pdf` or with `Accept`.
    async fn pdf(&self, token: &str, by_accept: bool) -> (reqwest::StatusCode, Option<String>, Vec<u8>) {
        let path = if by_accept { self.path(&self.zhang) } else { format!("{}?format=pdf", self.path(&self.zhang)) };
        let mut req = self.app.request(Method::GET, &path, Some(token));
        if by_accept {
            req = req.header("Accept", "application/pdf");
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
        (status, ct, res.bytes().await.unwrap().to_vec())
    }
}

#[actix_web::test]
async fn a_completed_term_has_a_certificate_whose_pdf_opens_and_whose_code_verifies() {
    let w = world().await;
    let app = &w.app;
    // An active term has none yet.
    assert_problem(&app.get(&w.path(&w.zhang), &w.zhang_token).await, 409, "term_not_completed");
    w.complete_the_year().await;

    // Two first requests at once: one code is issued, both see it.
    let path = w.path(&w.zhang);
    let (a, b) = tokio::join!(app.get(&path, &w.zhang_token), app.get(&path, &w.cs_admin));
    let (a, b) = (a.expect(200), b.expect(200));
    assert_eq!(a.body["code"], b.body["code"]);
    let c = a.body;
    let code = c["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 19, "{code}");
    assert!(code.split('-').all(|g| g.len() == 4 && g.chars().all(|ch| ch.is_ascii_alphanumeric())), "{code}");
    assert_eq!(c["verify_url"], format!("/api/v1/public/certificates/{code}"));
    assert_eq!(
        (c["name"].as_str(), c["student_no"].as_str(), c["college_name"].as_str(), c["unit_name"].as_str()),
        (Some("张三"), Some("2023001"), Some("计算机学院"), Some("单位LAB1"))
    );
    assert_eq!((c["state"].as_str(), c["grade"].as_str()), (Some("completed"), Some("excellent")));
    assert_eq!(c["served_from"], today().to_string());
    assert_eq!(c["awards"], json!(["年度优秀学长"]));
    assert_eq!(c["commendations"][0]["title"], "年度优秀研究生党员学长");
    assert_eq!(
        c["figures"],
        json!({"mentees_paired": 1, "work_records": 1, "consultations": 1, "group_sessions": 0,
               "minutes": 90, "activities_held": 0, "attendance": 0})
    );
    // The code stays; it was issued once (one audit record).
    let again = app.get(&w.path(&w.zhang), &w.admin).await.expect(200);
    assert_eq!(again.body["code"], code.as_str());
    let audit = app.get("/api/v1/audit-events?action=certificate.issue&page_size=100", &w.admin).await.expect(200);
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(1), "{}", audit.text);

    // The PDF: one A4 page, the Chinese name, college and code as text.
    for by_accept in [false, true] {
        let (status, ct, bytes) = w.pdf(&w.zhang_token, by_accept).await;
        assert_eq!(status.as_u16(), 200);
        assert_eq!(ct.as_deref(), Some("application/pdf"));
        assert!(bytes.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(&bytes).expect("the PDF parses");
        assert_eq!(doc.get_pages().len(), 1);
        let text = pdf_extract::extract_text_from_mem(&bytes).expect("the text extracts");
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for needle in ["研究生党员学长工作证明", "张三", "2023001", "计算机学院", "优秀", "年度优秀学长", "1小时30分钟"]
        {
            assert!(flat.contains(needle), "{needle} not in the PDF text: {text}");
        }
        assert!(flat.contains(&code), "the code {code} not in the PDF text: {text}");
    }

    // Anyone verifies the code: name, college, term, grade — nothing else.
    let v = app.send(app.request(Method::GET, &format!("/api/v1/public/certificates/{code}"), None)).await.expect(200);
    let keys: Vec<&str> = v.body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 6, "{}", v.text);
    for k in ["name", "college_name", "academic_year", "served_from", "served_to", "grade"] {
        assert!(keys.contains(&k), "{k} missing: {}", v.text);
    }
    assert_eq!((v.body["name"].as_str(), v.body["grade"].as_str()), (Some("张三"), Some("excellent")));
    assert!(!v.text.contains("2023001"), "the 学号 leaks: {}", v.text);
    // Typed in lower case without dashes, it is the same code.
    let typed = code.replace('-', "").to_lowercase();
    app.send(app.request(Method::GET, &format!("/api/v1/public/certificates/{typed}"), None)).await.expect(200);
    // A code that is not one, or that nobody has: 404 alike; never a 500.
    let nul = app.send(app.request(Method::GET, "/api/v1/public/certificates/%00", None)).await;
    assert_problem(&nul, 400, "invalid_path");
    for bad in ["0000-0000-0000-0000", "nonsense", "%E5%AD%A6%E9%95%BF", &"Z".repeat(200)] {
        let res = app.send(app.request(Method::GET, &format!("/api/v1/public/certificates/{bad}"), None)).await;
        assert_problem(&res, 404, "not_found");
    }
}

#[actix_web::test]
async fn who_may_read_a_certificate_and_which_terms_have_none() {
    let w = world().await;
    let app = &w.app;
    w.complete_the_year().await;
    app.get(&w.path(&w.zhang), &w.zhang_token).await.expect(200);
    app.get(&w.path(&w.zhang), &w.cs_admin).await.expect(200);
    // Another college's admin and another student do not learn it exists.
    assert_problem(&app.get(&w.path(&w.zhang), &w.ee_admin).await, 404, "not_found");
    assert_problem(&app.get(&w.path(&w.zhang), &w.freshman_token).await, 404, "not_found");
    let (status, _, _) = w.pdf(&w.ee_admin, false).await;
    assert_eq!(status.as_u16(), 404);
    let anonymous = app.send(app.request(Method::GET, &w.path(&w.zhang), None)).await;
    assert_eq!(anonymous.status.as_u16(), 401);
    let unknown = uuid::Uuid::now_v7();
    assert_problem(&app.get(&w.path(&unknown.to_string()), &w.admin).await, 404, "not_found");
    assert_eq!(app.get(&w.path("not-a-uuid"), &w.admin).await.status.as_u16(), 400);
    // A dismissed mentor did not complete the term.
    assert_problem(&app.get(&w.path(&w.li), &w.admin).await, 409, "term_not_completed");
    // An unknown format is refused, not guessed.
    let bad = app.get(&format!("{}?format=docx", w.path(&w.zhang)), &w.admin).await;
    assert_eq!(bad.status.as_u16(), 400, "{}", bad.text);
    let v: Value = app.get(&w.path(&w.zhang), &w.admin).await.expect(200).body;
    assert!(v["grade"].is_string());
}
