//! The mentor directory (公示): the public list and page of a mentor, the university's directory
//! and a mentee's own mentor.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

/// Two colleges; computer science has a discipline with a lab under it; one academic year.
struct World {
    app: TestApp,
    admin: String,
    cs_admin: String,
    ee_admin: String,
    cs: String,
    ee: String,
    discipline: String,
    lab: String,
    ee_lab: String,
    year: String,
}

async fn world() -> World {
    world_with(|_| {}).await
}

async fn world_with(configure: Configure) -> World {
    let app = spawn_app_with(configure).await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let discipline = app.unit(&admin, &cs, "CS-AI", "discipline").await;
    let lab = app
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "CS-VIS", "name": "视觉计算实验室", "kind": "laboratory", "college_id": cs, "discipline_id": discipline}),
        )
        .await
        .expect(201)
        .id();
    let ee_lab = app.unit(&admin, &ee, "EE-LAB", "laboratory").await;
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    World { app, admin, cs_admin, ee_admin, cs, ee, discipline, lab, ee_lab, year }
}

/// A serving mentor.
struct Mentor {
    student: String,
    appointment: String,
    token: String,
}

impl World {
    /// Appoints a new senior of `college` (admin token `college_admin`) in `unit`, with a phone and
    /// a private e-mail on record; logs them in.
    async fn mentor(&self, college: &str, college_admin: &str, unit: &str, no: &str, name: &str) -> Mentor {
        let student = self
            .app
            .student(
                &self.admin,
                college,
                no,
                json!({"name": name, "enrollment_year": 2023, "phone": "13912345678", "email": format!("{no}@qq.com")}),
            )
            .await;
        let n = self
            .app
            .post(
                "/api/v1/nominations",
                college_admin,
                json!({"student_id": student, "academic_year_id": self.year, "unit_id": unit, "statement": "乐于帮扶学弟学妹"}),
            )
            .await
            .expect(201)
            .id();
        for (action, body) in [
            ("submit", json!({})),
            ("review", json!({"morality": 90, "research": 90, "leadership": 90})),
            ("recommend", json!({"justification": "表现突出"})),
        ] {
            self.app.post(&format!("/api/v1/nominations/{n}/{action}"), college_admin, body).await.expect(200);
        }
        let appointment =
            self.app.post("/api/v1/appointments", &self.admin, json!({"nomination_id": n})).await.expect(201).id();
        let token = self.app.user(&self.admin, &format!("s{no}"), "student", json!({"student_id": student})).await;
        Mentor { student, appointment, token }
    }

    async fn publish(&self, m: &Mentor, research: &str, bio: &str, published: bool) {
        self.app
            .put(
                &format!("/api/v1/appointments/{}/profile", m.appointment),
                &m.token,
                json!({"research_direction": research, "bio": bio, "deeds": ["2024 挑战杯省赛一等奖"],
                       "public_contact": "学院 A302 办公室", "published": published}),
                None,
            )
            .await
            .expect(200);
    }

    /// `GET` without a token.
    async fn public(&self, path: &str) -> Res {
        self.app.send(self.app.request(Method::GET, path, None)).await
    }
}

fn ids(res: &Res) -> BTreeSet<String> {
    res.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Every key the directory may show, at every level: nothing of the student record.
pub(crate) fn assert_only_public_keys(m: &Value) {
    assert_eq!(
        keys(m),
        set(&[
            "id",
            "name",
            "college",
            "unit",
            "discipline",
            "academic_year",
            "research_direction",
            "bio",
            "deeds",
            "public_contact",
            "photo_url",
            "published_at",
            "updated_at"
        ])
    );
    assert_eq!(keys(&m["college"]), set(&["id", "name"]));
    assert_eq!(keys(&m["unit"]), set(&["id", "name", "kind"]));
    assert_eq!(keys(&m["academic_year"]), set(&["id", "code"]));
    if !m["discipline"].is_null() {
        assert_eq!(keys(&m["discipline"]), set(&["id", "name"]));
    }
}

#[actix_web::test]
async fn the_public_directory_lists_exactly_the_published_mentors_of_active_appointments() {
    let w = world().await;
    let shown = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    let dismissed = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023002", "王可").await;
    let resigned = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023003", "赵一").await;
    let draft = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023004", "钱二").await;
    let ee = w.mentor(&w.ee, &w.ee_admin, &w.ee_lab, "2023005", "孙三").await;
    w.publish(&shown, "计算机视觉", "博士三年级，研究三维重建。", true).await;
    w.publish(&dismissed, "计算机视觉", "硕士二年级。", true).await;
    w.publish(&resigned, "计算机视觉", "硕士二年级。", true).await;
    w.publish(&draft, "计算机视觉", "尚未公开。", false).await;
    w.publish(&ee, "电力系统", "关注 100% 可再生能源并网。", true).await;
    w.app
        .post(
            &format!("/api/v1/appointments/{}/dismissal", dismissed.appointment),
            &w.admin,
            json!({"reason": "未履行职责"}),
        )
        .await
        .expect(200);
    w.app
        .post(
            &format!("/api/v1/appointments/{}/resignation", resigned.appointment),
            &resigned.token,
            json!({"reason": "出国"}),
        )
        .await
        .expect(200);

    // Exactly the published, serving mentors, without a token, with exactly the public keys.
    let res = w.public("/api/v1/public/mentors").await.expect(200);
    assert_eq!(res.body["total"], 2);
    assert_eq!(ids(&res), set(&[&shown.appointment, &ee.appointment]));
    for m in res.body["items"].as_array().unwrap() {
        assert_only_public_keys(m);
    }
    for private in ["2023001", "13912345678", "@qq.com", "party_member", "female", &shown.student, &ee.student] {
        assert!(!res.text.contains(private), "the directory shows {private}");
    }
    let one = w.public(&format!("/api/v1/public/mentors/{}", shown.appointment)).await.expect(200);
    assert_only_public_keys(&one.body);
    assert_eq!(one.body["name"], "张明远");
    assert_eq!(one.body["college"]["name"], "计算机学院");
    assert_eq!(one.body["unit"]["name"], "视觉计算实验室");
    assert_eq!(one.body["discipline"]["id"], w.discipline.as_str());
    assert_eq!(one.body["academic_year"]["code"], "2025-2026");
    assert_eq!(one.body["deeds"][0], "2024 挑战杯省赛一等奖");
    assert!(one.header("etag").is_some());
    for hidden in [&dismissed, &resigned, &draft] {
        w.public(&format!("/api/v1/public/mentors/{}", hidden.appointment)).await.expect(404);
    }
    w.public(&format!("/api/v1/public/mentors/{}", uuid::Uuid::now_v7())).await.expect(404);
    w.public("/api/v1/public/mentors/not-a-uuid").await.expect(400);

    // Filters, and a search that finds Chinese substrings of the research direction, the bio and
    // the name; `%` and `_` stand for themselves.
    for (query, want) in [
        (format!("college_id={}", w.ee), vec![ee.appointment.as_str()]),
        (format!("discipline_id={}", w.discipline), vec![&shown.appointment]),
        (format!("unit_id={}", w.lab), vec![&shown.appointment]),
        (format!("academic_year_id={}", w.year), vec![&shown.appointment, &ee.appointment]),
        (format!("academic_year_id={}", uuid::Uuid::now_v7()), vec![]),
        ("q=%E8%A7%86%E8%A7%89".to_owned(), vec![&shown.appointment]), // 视觉
        ("q=%E4%B8%89%E7%BB%B4".to_owned(), vec![&shown.appointment]), // 三维 (bio)
        ("q=%E6%98%8E%E8%BF%9C".to_owned(), vec![&shown.appointment]), // 明远 (name)
        ("q=100%25".to_owned(), vec![&ee.appointment]),
        ("q=%25%25".to_owned(), vec![]),
        ("q=_".to_owned(), vec![]),
        ("q=%E6%9C%AA%E5%85%AC%E5%BC%80".to_owned(), vec![]), // 未公开: the draft's bio stays hidden
    ] {
        let res = w.public(&format!("/api/v1/public/mentors?{query}")).await.expect(200);
        assert_eq!(ids(&res), set(&want), "{query}");
    }
    let res = w.public(&format!("/api/v1/public/mentors?q={}", "视".repeat(51))).await.expect(422);
    assert_eq!(res.error_fields(), ["q"]);
    let res = w.public("/api/v1/public/mentors?q=%E8%A7%86%00").await.expect(422);
    assert_eq!(res.body["errors"][0]["code"], "control_character");
    w.public("/api/v1/public/mentors?college_id=cs").await.expect(400);
    w.public("/api/v1/public/mentors?sort=name").await.expect(422);

    // Paginated with Link headers.
    let res = w.public("/api/v1/public/mentors?page_size=1&sort=-published_at").await.expect(200);
    assert_eq!((res.body["total"].as_u64(), res.body["items"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(ids(&res), set(&[&ee.appointment]));
    assert!(res.header("link").unwrap().contains("page=2&page_size=1>; rel=\"next\""));

    // Cached: an unchanged list is 304 on its ETag; a change of a listed profile changes it.
    let res = w.public("/api/v1/public/mentors").await.expect(200);
    let tag = res.header("etag").unwrap();
    assert!(res.header("cache-control").unwrap().starts_with("public"));
    let again = w.app.request(Method::GET, "/api/v1/public/mentors", None).header("If-None-Match", &tag);
    let res = w.app.send(again).await.expect(304);
    assert_eq!(res.text, "");
    assert_eq!(res.header("etag"), Some(tag.clone()));
    w.publish(&shown, "计算机视觉与图形学", "博士三年级，研究三维重建。", true).await;
    let again = w.app.request(Method::GET, "/api/v1/public/mentors", None).header("If-None-Match", &tag);
    let res = w.app.send(again).await.expect(200);
    assert_ne!(res.header("etag"), Some(tag));

    // Any web page may read it, whatever origins the API lets in otherwise.
    let from_page =
        w.app.request(Method::GET, "/api/v1/public/mentors", None).header("Origin", "https://www.scu.edu.cn");
    let res = w.app.send(from_page).await.expect(200);
    assert_eq!(res.header("access-control-allow-origin").as_deref(), Some("*"));
    assert!(res.header("access-control-expose-headers").unwrap().contains("etag"));
    let preflight = w
        .app
        .request(Method::OPTIONS, "/api/v1/public/mentors", None)
        .header("Origin", "https://www.scu.edu.cn")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "if-none-match");
    let res = w.app.send(preflight).await.expect(204);
    assert_eq!(res.header("access-control-allow-origin").as_deref(), Some("*"));
    assert!(res.header("access-control-allow-methods").unwrap().contains("GET"));

    // The close of the year ends every appointment: the directory is empty.
    w.app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.admin, json!({})).await.expect(200);
    assert_eq!(w.public("/api/v1/public/mentors").await.expect(200).body["total"], 0);
    w.public(&format!("/api/v1/public/mentors/{}", shown.appointment)).await.expect(404);
}

#[actix_web::test]
async fn every_signed_in_user_sees_all_colleges_and_a_mentee_sees_their_own_mentor() {
    let w = world().await;
    let cs_mentor = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    let ee_mentor = w.mentor(&w.ee, &w.ee_admin, &w.ee_lab, "2023005", "孙三").await;
    w.publish(&cs_mentor, "计算机视觉", "博士三年级。", false).await;
    w.publish(&ee_mentor, "电力系统", "硕士二年级。", true).await;

    // A student of computer science finds the mentors of electrical engineering.
    let mentee = w.app.student(&w.admin, &w.cs, "2025001", json!({"name": "周新", "enrollment_year": 2025})).await;
    let mentee_token = w.app.user(&w.admin, "s2025001", "student", json!({"student_id": mentee})).await;
    let res = w.app.get("/api/v1/mentors", &mentee_token).await.expect(200);
    assert_eq!(ids(&res), set(&[&ee_mentor.appointment]));
    assert_only_public_keys(&res.body["items"][0]);
    assert!(res.header("link").is_some());
    let res = w.app.get(&format!("/api/v1/mentors?college_id={}", w.cs), &w.cs_admin).await.expect(200);
    assert_eq!(res.body["total"], 0);
    w.app.send(w.app.request(Method::GET, "/api/v1/mentors", None)).await.expect(401);
    let no_scope = w.app.client_token(&w.admin, json!(["students:read"])).await;
    w.app.get("/api/v1/mentors", &no_scope).await.expect(403);

    // A mentee without a mentor has none; only students have one.
    let res = w.app.get("/api/v1/me/mentor", &mentee_token).await.expect(404);
    assert_eq!(res.code(), "not_found");
    w.app.get("/api/v1/me/mentor", &w.cs_admin).await.expect(403);
    w.app.send(w.app.request(Method::GET, "/api/v1/me/mentor", None)).await.expect(401);

    // Paired: the whole profile, even unpublished, and the contact shared with mentees.
    w.app
        .patch(
            &format!("/api/v1/appointments/{}", cs_mentor.appointment),
            &cs_mentor.token,
            json!({"contact_for_mentees": "微信 zmy-2023"}),
            None,
        )
        .await
        .expect(200);
    let pairing = w
        .app
        .post("/api/v1/pairings", &w.cs_admin, json!({"appointment_id": cs_mentor.appointment, "mentee_id": mentee}))
        .await
        .expect(201)
        .id();
    let res = w.app.get("/api/v1/me/mentor", &mentee_token).await.expect(200);
    assert_eq!(res.body["pairing_id"], pairing.as_str());
    assert_eq!(res.body["published"], false);
    assert_eq!(res.body["contact_for_mentees"], "微信 zmy-2023");
    assert_eq!(res.body["mentor"]["name"], "张明远");
    assert_eq!(res.body["mentor"]["bio"], "博士三年级。");
    assert_only_public_keys(&res.body["mentor"]);
    // The mentor's own phone and e-mail are not in it.
    assert!(!res.text.contains("13912345678") && !res.text.contains("@qq.com"));
    // Another student is not the mentee.
    let other = w.app.student(&w.admin, &w.cs, "2025002", json!({"enrollment_year": 2025})).await;
    let other_token = w.app.user(&w.admin, "s2025002", "student", json!({"student_id": other})).await;
    w.app.get("/api/v1/me/mentor", &other_token).await.expect(404);
    // The pairing ends: no mentor any more.
    w.app
        .post(&format!("/api/v1/pairings/{pairing}/end"), &w.cs_admin, json!({"reason": "reassignment"}))
        .await
        .expect(200);
    w.app.get("/api/v1/me/mentor", &mentee_token).await.expect(404);
}

#[actix_web::test]
async fn the_public_directory_is_open_to_every_origin_while_the_api_keeps_its_own() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://app.scu.edu.cn".into()]).await;
    let token = app.admin().await;
    let college_page = "https://www.cs.scu.edu.cn";
    let res = app
        .send(app.request(Method::GET, "/api/v1/public/mentors", None).header("Origin", college_page))
        .await
        .expect(200);
    assert_eq!(res.header("access-control-allow-origin").as_deref(), Some("*"));
    let res = app.send(app.request(Method::GET, "/api/v1/colleges", Some(&token)).header("Origin", college_page)).await;
    assert!(res.header("access-control-allow-origin").is_none());
    // Only reading is open: a preflight for another method gets the configured rules.
    let res = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/public/mentors", None)
                .header("Origin", college_page)
                .header("Access-Control-Request-Method", "DELETE"),
        )
        .await;
    assert!(res.header("access-control-allow-origin").is_none());
}

fn inquiry(subject: &str) -> Value {
    json!({"name": "王同学", "email": "wang@example.com", "kind": "admission", "subject": subject,
           "message": "学长好，想了解课题组的招生情况。"})
}

/// `POST` without a token.
async fn public_post(app: &TestApp, path: &str, body: Value) -> Res {
    app.send(app.request(Method::POST, path, None).json(&body)).await
}

#[actix_web::test]
async fn an_applicant_asks_a_mentor_and_reads_the_reply_with_the_token_only() {
    let w = world().await;
    let m = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    let draft = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023002", "王可").await;
    let ee = w.mentor(&w.ee, &w.ee_admin, &w.ee_lab, "2023005", "孙三").await;
    w.publish(&m, "计算机视觉", "博士三年级。", true).await;
    w.publish(&draft, "计算机视觉", "草稿。", false).await;
    w.publish(&ee, "电力系统", "硕士二年级。", true).await;
    let path = format!("/api/v1/public/mentors/{}/inquiries", m.appointment);

    // Bad input is refused field by field, and only listed mentors are asked.
    let mut bad = inquiry(" ");
    bad["name"] = json!("");
    let res = public_post(&w.app, &path, bad).await.expect(422);
    assert_eq!(res.error_fields(), ["name", "subject"]);
    let mut bad = inquiry("报考");
    bad["message"] = json!("你好\u{0}");
    let res = public_post(&w.app, &path, bad).await.expect(422);
    assert_eq!(
        (res.error_fields(), res.body["errors"][0]["code"].as_str()),
        (vec!["message".to_owned()], Some("control_character"))
    );
    let mut bad = inquiry("报考");
    bad["kind"] = json!("gossip");
    public_post(&w.app, &path, bad).await.expect(422);
    let mut bad = inquiry("报考");
    bad["phone"] = json!("13800001111");
    public_post(&w.app, &path, bad).await.expect(422);
    let mut bad = inquiry("报考");
    bad["message"] = json!("长".repeat(2001));
    assert_eq!(public_post(&w.app, &path, bad).await.expect(422).error_fields(), ["message"]);
    let to_draft = format!("/api/v1/public/mentors/{}/inquiries", draft.appointment);
    public_post(&w.app, &to_draft, inquiry("报考")).await.expect(404);

    // Sent: a reading token, shown once.
    let res = public_post(&w.app, &path, inquiry("报考计算机视觉方向")).await.expect(201);
    let token = res.body["token"].as_str().unwrap().to_owned();
    assert_eq!(res.header("location"), Some(format!("/api/v1/public/inquiries/{token}")));
    assert_eq!(res.body["state"], "open");
    let id = res.id();
    let read = format!("/api/v1/public/inquiries/{token}");
    let res = w.public(&read).await.expect(200);
    assert_eq!((res.body["state"].as_str(), res.body["mentor_name"].as_str()), (Some("open"), Some("张明远")));
    assert!(res.body["reply"].is_null());
    w.public(&format!("/api/v1/public/inquiries/{}x", &token[..token.len() - 1])).await.expect(404);

    // A robot fills the hidden field: answered alike, dropped.
    let mut robot = inquiry("cheap pills");
    robot["website"] = json!("http://spam.example");
    let res = public_post(&w.app, &path, robot).await.expect(201);
    w.public(&format!("/api/v1/public/inquiries/{}", res.body["token"].as_str().unwrap())).await.expect(404);

    // The mentor's inbox has it; nobody else sees its text; the college sees counts.
    let inbox = w.app.get("/api/v1/inquiries?state=open", &m.token).await.expect(200);
    assert_eq!(inbox.body["total"], 1);
    assert_eq!(inbox.body["items"][0]["subject"], "报考计算机视觉方向");
    assert_eq!(inbox.body["items"][0]["sender_email"], "wang@example.com");
    assert_eq!(w.app.get("/api/v1/inquiries", &ee.token).await.expect(200).body["total"], 0);
    for stranger in [&ee.token, &w.cs_admin, &w.admin] {
        w.app.get(&format!("/api/v1/inquiries/{id}"), stranger).await.expect(404);
        w.app.post(&format!("/api/v1/inquiries/{id}/reply"), stranger, json!({"reply": "x"})).await.expect(404);
    }
    let counts = w.app.get(&format!("/api/v1/colleges/{}/inquiry-counts", w.cs), &w.cs_admin).await.expect(200);
    assert_eq!((counts.body["open"].as_u64(), counts.body["answered"].as_u64()), (Some(1), Some(0)));
    assert!(!counts.text.contains("报考"));
    w.app.get(&format!("/api/v1/colleges/{}/inquiry-counts", w.cs), &w.ee_admin).await.expect(403);
    w.app.get(&format!("/api/v1/colleges/{}/inquiry-counts", w.cs), &m.token).await.expect(403);

    // The mentor replies once; the reply is read with the token.
    let reply = format!("/api/v1/inquiries/{id}/reply");
    let res = w.app.post(&reply, &m.token, json!({"reply": "  "})).await.expect(422);
    assert_eq!(res.error_fields(), ["reply"]);
    w.app.post(&reply, &m.token, json!({"reply": "欢迎\u{0}"})).await.expect(422);
    let res = w.app.post(&reply, &m.token, json!({"reply": "欢迎报考！可先读课题组论文。"})).await.expect(200);
    assert_eq!(res.body["state"], "answered");
    assert_eq!(w.app.post(&reply, &m.token, json!({"reply": "再答"})).await.expect(409).code(), "invalid_transition");
    let res = w.public(&read).await.expect(200);
    assert_eq!(res.body["reply"], "欢迎报考！可先读课题组论文。");
    assert!(res.body["replied_at"].is_string());
    // Nothing of the mentor's private contact is in it.
    assert!(!res.text.contains("13912345678") && !res.text.contains("2023001@qq.com"));
    let counts = w.app.get(&format!("/api/v1/colleges/{}/inquiry-counts", w.cs), &w.admin).await.expect(200);
    assert_eq!((counts.body["open"].as_u64(), counts.body["answered"].as_u64()), (Some(0), Some(1)));
    w.app.post(&format!("/api/v1/inquiries/{id}/close"), &m.token, json!({})).await.expect(200);
    w.app.post(&format!("/api/v1/inquiries/{id}/spam"), &m.token, json!({})).await.expect(409);

    // A signed-in student of another college asks too, and reads the reply in their own list.
    let asker = w.app.student(&w.admin, &w.ee, "2024009", json!({"name": "吴问", "enrollment_year": 2024})).await;
    let asker_token = w.app.user(&w.admin, "s2024009", "student", json!({"student_id": asker})).await;
    let body = json!({"mentor_id": m.appointment, "kind": "research_collaboration", "subject": "合作邀请", "message": "想邀请学长合作。"});
    let res = w.app.post("/api/v1/inquiries", &asker_token, body.clone()).await.expect(201);
    let id2 = res.id();
    assert_eq!(res.body["signed_in"], true);
    let mut bad = body.clone();
    bad["mentor_id"] = json!(draft.appointment);
    w.app.post("/api/v1/inquiries", &asker_token, bad).await.expect(404);
    let mut own = body.clone();
    own["mentor_id"] = json!(m.appointment);
    w.app.post("/api/v1/inquiries", &m.token, own).await.expect(422);
    w.app.post(&format!("/api/v1/inquiries/{id2}/reply"), &asker_token, json!({"reply": "自答"})).await.expect(403);
    w.app.post(&format!("/api/v1/inquiries/{id2}/reply"), &m.token, json!({"reply": "乐意之至"})).await.expect(200);
    let sent = w.app.get("/api/v1/inquiries?mailbox=sent", &asker_token).await.expect(200);
    assert_eq!(sent.body["total"], 1);
    assert_eq!(sent.body["items"][0]["reply"], "乐意之至");
    assert_eq!(
        w.app.get(&format!("/api/v1/inquiries/{id2}"), &asker_token).await.expect(200).body["state"],
        "answered"
    );
    assert_eq!(w.app.get("/api/v1/inquiries", &asker_token).await.expect(200).body["total"], 0);

    // Audited and in the change feed, without the texts or the sender.
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(
        types.contains(&"inquiry.received") && types.contains(&"inquiry.answered") && types.contains(&"inquiry.closed")
    );
    assert!(!feed.text.contains("报考计算机视觉方向") && !feed.text.contains("wang@example.com"));
    let audit = w.app.get("/api/v1/audit-events?target_type=inquiry&page_size=100", &w.admin).await.expect(200);
    assert!(audit.body["total"].as_u64().unwrap() >= 5);
    assert!(!audit.text.contains("欢迎报考"));
}

#[actix_web::test]
async fn the_eleventh_inquiry_within_a_minute_from_one_address_is_429_across_two_servers() {
    let w = world().await;
    let m = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    w.publish(&m, "计算机视觉", "博士三年级。", true).await;
    // A second server on the same database: nothing of the limit lives in a process.
    let other = spawn_app_on(&w.app.database_url, |_| {}).await;
    let path = format!("/api/v1/public/mentors/{}/inquiries", m.appointment);
    for i in 0..10 {
        let app = if i % 2 == 0 { &w.app } else { &other };
        public_post(app, &path, inquiry(&format!("第{i}问"))).await.expect(201);
    }
    for app in [&w.app, &other] {
        let res = public_post(app, &path, inquiry("第十一问")).await.expect(429);
        assert_eq!(res.code(), "too_many_attempts");
        let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
    }
    assert_eq!(w.app.get("/api/v1/inquiries", &m.token).await.expect(200).body["total"], 10);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_client_counts_alone_and_windows_end_on_the_servers_clock() {
    let w =
        world_with(|s| s.trusted_proxies = xuezhang_http::client_addr::parse_trusted("127.0.0.1, 10.0.0.0/8").unwrap())
            .await;
    let m = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    w.publish(&m, "计算机视觉", "博士三年级。", true).await;
    let path = format!("/api/v1/public/mentors/{}/inquiries", m.appointment);
    let from = |forwarded: &'static str, subject: String| {
        let req =
            w.app.request(Method::POST, &path, None).header("x-forwarded-for", forwarded).json(&inquiry(&subject));
        w.app.send(req)
    };
    for i in 0..10 {
        from("203.0.113.1", format!("第{i}问")).await.expect(201);
    }
    assert_eq!(from("203.0.113.1", "第十一问".into()).await.expect(429).code(), "too_many_attempts");
    // Another applicant behind the same proxy has a window of their own.
    from("203.0.113.2", "另一位同学".into()).await.expect(201);
    // What a client writes into the header itself (left of what the proxies appended) is not believed.
    from("203.0.113.2, 203.0.113.1", "伪造的地址".into()).await.expect(429);
    // Two trusted hops (an inner proxy in 10.0.0.0/8): the first address that is not a proxy counts.
    from("203.0.113.1, 10.1.2.3", "经两层代理".into()).await.expect(429);
    // The window ends by the server's clock (the one tests move), not the wall clock.
    w.app.advance_clock(chrono::Duration::seconds(61));
    from("203.0.113.1", "一分钟后".into()).await.expect(201);
    assert_eq!(w.app.get("/api/v1/inquiries", &m.token).await.expect(200).body["total"], 12);
}

#[actix_web::test]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let w = world().await;
    let m = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    w.publish(&m, "计算机视觉", "博士三年级。", true).await;
    let path = format!("/api/v1/public/mentors/{}/inquiries", m.appointment);
    for i in 0..11 {
        let req = w
            .app
            .request(Method::POST, &path, None)
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&inquiry(&format!("第{i}问")));
        let res = w.app.send(req).await;
        assert_eq!(res.status.as_u16(), if i < 10 { 201 } else { 429 }, "send {i}");
    }
}

#[actix_web::test]
async fn ended_rate_limit_windows_are_purged_and_live_ones_kept() {
    let w = world().await;
    let m = w.mentor(&w.cs, &w.cs_admin, &w.lab, "2023001", "张明远").await;
    w.publish(&m, "计算机视觉", "博士三年级。", true).await;
    let path = format!("/api/v1/public/mentors/{}/inquiries", m.appointment);
    for i in 0..10 {
        public_post(&w.app, &path, inquiry(&format!("第{i}问"))).await.expect(201);
    }
    public_post(&w.app, &path, inquiry("第十一问")).await.expect(429);
    let purge = |at: chrono::DateTime<chrono::Utc>| persistence::usecases::directory::purge_rate_windows(&w.app.db, at);
    let now = chrono::Utc::now();
    // Both windows (this address's, this mentor's) are live: nothing goes, the limit holds.
    assert_eq!(purge(now).await.unwrap(), 0);
    public_post(&w.app, &path, inquiry("仍被限")).await.expect(429);
    // Within the hour the mentor's window has not ended: still kept.
    assert_eq!(purge(now + chrono::Duration::minutes(59)).await.unwrap(), 0);
    // Past the longest window both rows go, once.
    assert_eq!(purge(now + chrono::Duration::minutes(61)).await.unwrap(), 2);
    assert_eq!(purge(now + chrono::Duration::minutes(61)).await.unwrap(), 0);
    // Purged windows start afresh: the next send is admitted (both rows written anew).
    public_post(&w.app, &path, inquiry("新窗口")).await.expect(201);
    assert_eq!(purge(now + chrono::Duration::minutes(120)).await.unwrap(), 2);
}
