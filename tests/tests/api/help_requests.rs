//! Help requests (issue 13, 三(一)1): a student asks their own active mentor; the mentor answers
//! with a note or as a work-record entry in one call; the student or the mentor closes one;
//! private to the student, the mentor, the college's counselors and admins and the university;
//! the feed and the audit log carry no text.

use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

/// Today in Asia/Shanghai, by the server's clock.
fn today() -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now())
}

const MESSAGE: &str = "开题方向拿不准，想请学长帮忙看看文献综述";
const ANSWER: &str = "周三下午实验室面谈，带上综述初稿";
const REFLECTIONS: &str = "新生普遍不会做文献综述，可在沙龙统一讲";

/// Two colleges. Computer science: mentor A with mentees s1 (supervised by `sup`) and s2, mentor
/// B with mentee s3, a student no one is paired with, a counselor and an admin. Electrical
/// engineering: a counselor.
struct World {
    app: TestApp,
    admin: String,
    a: Mentor,
    b: Mentor,
    s1: Person,
    s2: Person,
    s3: Person,
    loner: Person,
    s1_pairing: String,
    sup: String,
    cs_counselor: String,
    cs_admin: String,
    ee_counselor: String,
}

struct Mentor {
    appointment: String,
    token: String,
}

struct Person {
    id: String,
    token: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    // The academic year running today, so that an entry dated today lies within the term.
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let sup_staff = app.staff(&admin, &cs, "T001", true).await;
    let sup = app.user(&admin, "sup", Role::Supervisor, json!({"staff_id": sup_staff})).await;
    let cs_counselor = app.user(&admin, "cs-counselor", Role::Counselor, json!({"college_id": cs})).await;
    let cs_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let ee_counselor = app.user(&admin, "ee-counselor", Role::Counselor, json!({"college_id": ee})).await;
    let mentor = |no: &'static str| {
        let (app, admin, cs, year, lab) = (&app, &admin, &cs, &year, &lab);
        async move {
            let student = app.student(admin, cs, no, json!({"enrollment_year": 2023})).await;
            let m = MentorBuilder::new(app, admin)
                .student(&student)
                .year(year)
                .unit(lab)
                .justification("表现突出")
                .appoint()
                .await;
            let token = app.user(admin, &format!("s{no}"), "student", json!({"student_id": student})).await;
            Mentor { appointment: m.appointment.0, token }
        }
    };
    let a = mentor("2023001").await;
    let b = mentor("2023002").await;
    let person = |no: &'static str, extra: Value| {
        let (app, admin, cs) = (&app, &admin, &cs);
        async move {
            let mut extra = extra;
            extra["enrollment_year"] = json!(first);
            let id = app.student(admin, cs, no, extra).await;
            let token = app.user(admin, &format!("s{no}"), "student", json!({"student_id": id})).await;
            Person { id, token }
        }
    };
    let s1 = person("2026101", json!({"supervisor_id": sup_staff})).await;
    let s2 = person("2026102", json!({})).await;
    let s3 = person("2026103", json!({})).await;
    let loner = person("2026104", json!({})).await;
    let mut pairings = Vec::new();
    for (m, mentee) in [(&a, &s1), (&a, &s2), (&b, &s3)] {
        let p = app
            .post("/api/v1/pairings", &admin, json!({"appointment_id": m.appointment, "mentee_id": mentee.id}))
            .await
            .expect(201);
        pairings.push(p.id());
    }
    World {
        app,
        admin,
        a,
        b,
        s1,
        s2,
        s3,
        loner,
        s1_pairing: pairings.swap_remove(0),
        sup,
        cs_counselor,
        cs_admin,
        ee_counselor,
    }
}

impl World {
    /// `token` asks for help on `topic`; the request must be accepted.
    async fn ask(&self, token: &str, topic: &str, channel: Option<&str>) -> Value {
        let body = json!({"topic": topic, "message": MESSAGE, "channel": channel});
        let res = self.app.post("/api/v1/help-requests", token, body).await.expect(201);
        assert_eq!(res.header("location").unwrap(), format!("/api/v1/help-requests/{}", res.id()));
        assert_eq!(res.body["state"], "open");
        res.body
    }

    async fn act(&self, id: &str, action: &str, token: &str, body: Option<Value>) -> Res {
        let req = self.app.request(Method::POST, &format!("/api/v1/help-requests/{id}/{action}"), Some(token));
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        self.app.send(req).await
    }

    async fn total(&self, query: &str, token: &str) -> i64 {
        let res = self.app.get(&format!("/api/v1/help-requests{query}"), token).await.expect(200);
        res.body["total"].as_i64().unwrap()
    }
}

#[actix_web::test]
async fn help_request_is_answered_as_a_work_record_in_one_call() {
    let w = world().await;
    let asked = w.ask(&w.s1.token, "research", Some("face_to_face")).await;
    let id = asked["id"].as_str().unwrap().to_owned();
    assert_eq!(asked["appointment_id"], w.a.appointment.as_str(), "to the mentor of the active pairing");
    assert_eq!(asked["student_id"], w.s1.id.as_str());
    assert_eq!(asked["message"], MESSAGE);
    assert_eq!(asked["work_record_id"], Value::Null);
    // The mentor sees it in their list.
    let mine = w.app.get("/api/v1/help-requests?state=open", &w.a.token).await.expect(200);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["id"], id.as_str());

    let res = w
        .act(
            &id,
            "record",
            &w.a.token,
            Some(json!({"minutes": 40, "summary": "面谈开题方向与综述写法", "reflections": REFLECTIONS,
                        "note": ANSWER})),
        )
        .await
        .expect(200);
    let request = &res.body["help_request"];
    let entry = &res.body["work_record"];
    let entry_id = entry["id"].as_str().unwrap().to_owned();
    assert_eq!(request["state"], "answered");
    assert_eq!(request["answer_note"], ANSWER);
    assert!(request["answered_at"].is_string());
    assert_eq!(request["work_record_id"], entry_id.as_str(), "the request links the entry");
    assert_eq!(res.header("etag").as_deref(), Some(format!("\"{}\"", request["version"]).as_str()));
    // The entry: the defaults from the request, the student named, the request linked.
    assert_eq!(entry["help_request_id"], id.as_str(), "the entry links the request");
    assert_eq!(entry["appointment_id"], w.a.appointment.as_str());
    assert_eq!(entry["kind"], "individual_consultation");
    assert_eq!(entry["date"], today().to_string());
    assert_eq!(entry["duties"], json!(["research"]));
    assert_eq!(entry["channel"], "face_to_face");
    assert_eq!(entry["student_ids"], json!([w.s1.id]));
    assert_eq!(entry["minutes"], 40);

    // Exactly one entry in the book, seen in /work-records naming the student.
    let book = w.app.get(&format!("/api/v1/work-records?student_id={}", w.s1.id), &w.a.token).await.expect(200);
    assert_eq!(book.body["total"], 1, "{}", book.text);
    assert_eq!(book.body["items"][0]["id"], entry_id.as_str());
    assert_eq!(book.body["items"][0]["help_request_id"], id.as_str());
    assert_eq!(w.app.get("/api/v1/work-records", &w.admin).await.expect(200).body["total"], 1);
    // The student sees the answer, and the entry naming them without the reflections.
    let theirs = w.app.get(&format!("/api/v1/help-requests/{id}"), &w.s1.token).await.expect(200);
    assert_eq!(theirs.body["state"], "answered");
    assert_eq!(theirs.body["work_record_id"], entry_id.as_str());
    let seen = w.app.get(&format!("/api/v1/work-records/{entry_id}"), &w.s1.token).await.expect(200);
    assert_eq!(seen.body["reflections"], Value::Null);
    assert_eq!(seen.body["help_request_id"], id.as_str());
    // The work summary counts it.
    let s = w.app.get(&format!("/api/v1/appointments/{}/work-summary", w.a.appointment), &w.a.token).await;
    let s = s.expect(200);
    assert_eq!((s.body["entries"].as_i64(), s.body["minutes"].as_i64()), (Some(1), Some(40)));

    // Answered once: every further step is 409.
    for (action, token, body) in [
        ("answer", &w.a.token, Some(json!({"note": "再补充一句"}))),
        ("record", &w.a.token, Some(json!({"minutes": 10, "summary": "again"}))),
        ("close", &w.s1.token, None),
    ] {
        assert_problem(&w.act(&id, action, token, body).await, 409, "invalid_transition");
    }
    assert_eq!(w.app.get("/api/v1/work-records", &w.admin).await.expect(200).body["total"], 1, "still one entry");

    // The feed and the audit log carry ids and state, never the text or the student.
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let events: Vec<&Value> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("help_request."))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["help_request.created", "help_request.answered"]);
    assert_eq!(events[1]["data"]["work_record_id"], entry_id.as_str(), "{}", events[1]);
    for e in &events {
        let text = e.to_string();
        assert!(!text.contains(MESSAGE) && !text.contains(ANSWER), "{text}");
        assert!(!text.contains(&w.s1.id), "no student named: {text}");
    }
    let audit = w.app.get("/api/v1/audit-events?target_type=help_request&page_size=100", &w.admin).await;
    let audit = audit.expect(200);
    assert_eq!(audit.body["total"], 2);
    assert!(!audit.text.contains(MESSAGE) && !audit.text.contains(ANSWER), "{}", audit.text);
}

#[actix_web::test]
async fn a_mentor_answers_with_a_note_and_either_side_closes_an_open_request() {
    let w = world().await;
    let id = w.ask(&w.s1.token, "study", None).await["id"].as_str().unwrap().to_owned();
    // A stale If-Match, a blank note.
    let stale = w
        .app
        .send(
            w.app
                .request(Method::POST, &format!("/api/v1/help-requests/{id}/answer"), Some(&w.a.token))
                .header("If-Match", "\"9\"")
                .json(&json!({"note": ANSWER})),
        )
        .await;
    assert_problem(&stale, 412, "precondition_failed");
    assert_problem(&w.act(&id, "answer", &w.a.token, Some(json!({"note": " \n "}))).await, 422, "validation_failed");
    // Only the mentor answers; the student and the college may not.
    for token in [&w.s1.token, &w.cs_admin, &w.cs_counselor, &w.admin] {
        let res = w.act(&id, "answer", token, Some(json!({"note": ANSWER}))).await;
        assert_problem(&res, 403, "forbidden");
    }
    let res = w.act(&id, "answer", &w.a.token, Some(json!({"note": format!("  {ANSWER}  ")}))).await.expect(200);
    assert_eq!(res.body["state"], "answered");
    assert_eq!(res.body["answer_note"], ANSWER);
    assert_eq!(res.body["work_record_id"], Value::Null);
    assert_eq!(res.body["version"], 2);
    // Answer twice: 409.
    assert_problem(&w.act(&id, "answer", &w.a.token, Some(json!({"note": ANSWER}))).await, 409, "invalid_transition");
    assert_eq!(w.app.get("/api/v1/work-records", &w.admin).await.expect(200).body["total"], 0, "no entry");

    // The student closes one; the mentor another; neither is answered after.
    let by_student = w.ask(&w.s1.token, "life", Some("phone")).await["id"].as_str().unwrap().to_owned();
    let by_mentor = w.ask(&w.s2.token, "other", None).await["id"].as_str().unwrap().to_owned();
    assert_problem(&w.act(&by_student, "close", &w.cs_admin, None).await, 403, "forbidden");
    assert_problem(&w.act(&by_student, "close", &w.s2.token, None).await, 404, "not_found");
    let res = w.act(&by_student, "close", &w.s1.token, None).await.expect(200);
    assert_eq!(res.body["state"], "closed");
    assert!(res.body["closed_at"].is_string() && res.body["closed_by"].is_string());
    w.act(&by_mentor, "close", &w.a.token, None).await.expect(200);
    for id in [&by_student, &by_mentor] {
        let res = w.act(id, "answer", &w.a.token, Some(json!({"note": ANSWER}))).await;
        assert_problem(&res, 409, "invalid_transition");
        assert_problem(&w.act(id, "close", &w.a.token, None).await, 409, "invalid_transition");
    }
    // The filters.
    assert_eq!(w.total("?state=closed", &w.a.token).await, 2);
    assert_eq!(w.total("?state=answered&topic=study", &w.cs_counselor).await, 1);
    assert_eq!(w.total(&format!("?student_id={}", w.s1.id), &w.admin).await, 2);
    assert_eq!(w.total(&format!("?appointment_id={}", w.b.appointment), &w.admin).await, 0);
    let types: Vec<String> = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .filter(|t| t.starts_with("help_request."))
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "help_request.closed").count(), 2);
}

#[actix_web::test]
async fn a_student_without_an_active_mentor_gets_a_409_and_only_students_ask() {
    let w = world().await;
    let body = json!({"topic": "career", "message": MESSAGE});
    assert_problem(&w.app.post("/api/v1/help-requests", &w.loner.token, body.clone()).await, 409, "no_active_mentor");
    for token in [&w.admin, &w.cs_admin, &w.cs_counselor, &w.sup] {
        assert_problem(&w.app.post("/api/v1/help-requests", token, body.clone()).await, 403, "forbidden");
    }
    // A mentee whose pairing ended has no mentor to ask any more, but their old request is still
    // theirs and their former mentor's.
    let id = w.ask(&w.s1.token, "career", None).await["id"].as_str().unwrap().to_owned();
    w.app
        .post(&format!("/api/v1/pairings/{}/end", w.s1_pairing), &w.cs_admin, json!({"reason": "reassignment"}))
        .await
        .expect(200);
    assert_problem(&w.app.post("/api/v1/help-requests", &w.s1.token, body.clone()).await, 409, "no_active_mentor");
    for token in [&w.s1.token, &w.a.token] {
        assert_eq!(w.app.get(&format!("/api/v1/help-requests/{id}"), token).await.expect(200).body["state"], "open");
        assert_eq!(w.total("", token).await, 1);
    }
    // The mentor may still answer it, as a record naming their former mentee.
    let body = json!({"minutes": 15, "summary": "电话沟通求职方向", "channel": "phone"});
    let res = w.act(&id, "record", &w.a.token, Some(body)).await;
    let res = res.expect(200);
    assert_eq!(res.body["work_record"]["duties"], json!(["career"]));
    assert_eq!(res.body["help_request"]["answer_note"], Value::Null);
    assert_eq!(w.app.get("/api/v1/help-requests", &w.admin).await.expect(200).body["total"], 1, "nothing else stored");
}

#[actix_web::test]
async fn only_the_student_the_mentor_and_that_colleges_staff_see_a_request() {
    let w = world().await;
    let id = w.ask(&w.s1.token, "life", Some("chat_group")).await["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/help-requests/{id}");
    for token in [&w.s1.token, &w.a.token, &w.cs_counselor, &w.cs_admin, &w.admin] {
        assert_eq!(w.app.get(&path, token).await.expect(200).body["message"], MESSAGE);
        assert_eq!(w.total("", token).await, 1);
    }
    // Another mentor, another student (even of the same mentor), another college's counselor and
    // the student's supervisor: 404, an empty list, and 404 for every step.
    for token in [&w.b.token, &w.s2.token, &w.s3.token, &w.ee_counselor, &w.sup] {
        assert_problem(&w.app.get(&path, token).await, 404, "not_found");
        assert_eq!(w.total("", token).await, 0);
        for (action, body) in [
            ("answer", Some(json!({"note": ANSWER}))),
            ("record", Some(json!({"minutes": 10, "summary": "x"}))),
            ("close", None),
        ] {
            assert_problem(&w.act(&id, action, token, body).await, 404, "not_found");
        }
    }
    // A service client does not see it either.
    let client = w.app.client_token(&w.admin, json!(["events:read"])).await;
    assert_eq!(w.total("", &client).await, 0);
    assert_problem(&w.app.get(&path, &client).await, 404, "not_found");
    // Unknown and malformed ids.
    let unknown = uuid::Uuid::now_v7();
    assert_problem(&w.app.get(&format!("/api/v1/help-requests/{unknown}"), &w.admin).await, 404, "not_found");
    assert_problem(&w.act(&unknown.to_string(), "close", &w.s1.token, None).await, 404, "not_found");
    assert_problem(&w.app.get("/api/v1/help-requests/not-a-uuid", &w.admin).await, 400, "invalid_path");
}

#[actix_web::test]
async fn bad_requests_and_bad_records_are_refused_with_field_errors() {
    let w = world().await;
    let base = json!({"topic": "study", "message": MESSAGE, "channel": "online"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("topic", json!("gossip")), "topic"),
        (with("message", json!("")), "message"),
        (with("message", json!("   ")), "message"),
        (with("message", json!("a\u{0}b")), "message"),
        (with("message", json!("问".repeat(2001))), "message"),
        (with("message", json!(5)), "message"),
        (with("channel", json!("pigeon")), "channel"),
        (with("extra", json!(1)), "extra"),
    ] {
        let res = w.app.post("/api/v1/help-requests", &w.s1.token, body).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{}", res.text);
    }
    assert_eq!(w.total("", &w.admin).await, 0, "nothing was stored");
    for q in ["state=pending", "topic=gossip", "appointment_id=1", "sort=message"] {
        let res = w.app.get(&format!("/api/v1/help-requests?{q}"), &w.admin).await;
        assert!(matches!(res.status.as_u16(), 400 | 422), "{q}: {}", res.text);
    }

    // Bad records: the entry is checked as any entry is, and nothing is written.
    let other = w.ask(&w.s1.token, "other", None).await["id"].as_str().unwrap().to_owned();
    let tomorrow = today() + Duration::days(1);
    for (body, fields) in [
        (json!({"minutes": 30, "summary": "x"}), vec!["duties", "channel"]),
        (json!({"minutes": 0, "summary": "x", "duties": ["life"], "channel": "phone"}), vec!["minutes"]),
        (json!({"minutes": 30, "summary": " ", "duties": ["life"], "channel": "phone"}), vec!["summary"]),
        (json!({"minutes": 30, "summary": "x", "duties": [], "channel": "phone"}), vec!["duties"]),
        (
            json!({"minutes": 30, "summary": "x", "duties": ["life"], "channel": "phone", "date": tomorrow}),
            vec!["date"],
        ),
        (
            json!({"minutes": 30, "summary": "x", "duties": ["life"], "channel": "phone", "note": "a\u{1b}b"}),
            vec!["note"],
        ),
        (json!({"minutes": 30, "summary": "x", "duties": ["gossip"], "channel": "phone"}), vec!["duties[0]"]),
        (
            json!({"minutes": 30, "summary": "x", "duties": ["life"], "channel": "phone", "student_ids": []}),
            vec!["student_ids"],
        ),
    ] {
        let res = w.act(&other, "record", &w.a.token, Some(body.clone())).await;
        assert_eq!(res.status.as_u16(), 422, "{body}: {}", res.text);
        let mut got = res.error_fields();
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{}", res.text);
    }
    assert_eq!(w.app.get("/api/v1/work-records", &w.admin).await.expect(200).body["total"], 0);
    let still = w.app.get(&format!("/api/v1/help-requests/{other}"), &w.a.token).await.expect(200);
    assert_eq!(still.body["state"], "open");
    assert_eq!(still.body["version"], 1);
    // With the duties and channel named, a request on `other` is recorded as group work too.
    let res = w
        .act(
            &other,
            "record",
            &w.a.token,
            Some(json!({"minutes": 60, "summary": "宿舍同学一起聊适应", "duties": ["life", "study"],
                        "channel": "face_to_face", "kind": "peer_counselling"})),
        )
        .await
        .expect(200);
    assert_eq!(res.body["work_record"]["kind"], "peer_counselling");
    let entry = res.body["work_record"]["id"].as_str().unwrap();
    let entry = w.app.get(&format!("/api/v1/work-records/{entry}"), &w.a.token).await.expect(200);
    assert_eq!(entry.body["duties"], json!(["study", "life"]));
}

/// `GET /appointments/{id}/performance` and `/work-summary` of mentor A.
async fn help_figures(w: &World) -> [(Option<i64>, Option<i64>, Option<i64>); 2] {
    let mut out = [(None, None, None); 2];
    for (i, path) in ["performance", "work-summary"].iter().enumerate() {
        let res = w.app.get(&format!("/api/v1/appointments/{}/{path}", w.a.appointment), &w.cs_admin).await;
        let b = res.expect(200).body;
        out[i] = (
            b["help_requests_received"].as_i64(),
            b["help_requests_answered"].as_i64(),
            b["help_median_answer_seconds"].as_i64(),
        );
        if b["help_requests_answered"] == 0 {
            assert_eq!(b["help_median_answer_seconds"], Value::Null, "{path}: no median without answers");
        }
    }
    out
}

#[actix_web::test]
async fn the_years_figures_count_answered_requests_and_the_median_time_to_answer() {
    let w = world().await;
    assert_eq!(help_figures(&w).await, [(Some(0), Some(0), None); 2]);
    let ask = |token: &'static str| {
        let w = &w;
        async move {
            let token = if token == "s1" { &w.s1.token } else { &w.s2.token };
            w.ask(token, "study", None).await["id"].as_str().unwrap().to_owned()
        }
    };
    let answer = |id: String| {
        let w = &w;
        async move { w.act(&id, "answer", &w.a.token, Some(json!({"note": ANSWER}))).await.expect(200) }
    };
    // r1 at t, r2 at t+1h; r1 answered at t+3h (10,800 s), r2 recorded at t+3h30 (9,000 s).
    let r1 = ask("s1").await;
    w.app.advance_clock(Duration::hours(1));
    let r2 = ask("s2").await;
    w.app.advance_clock(Duration::hours(2));
    answer(r1).await;
    w.app.advance_clock(Duration::minutes(30));
    let record = json!({"minutes": 30, "summary": "面谈", "channel": "face_to_face"});
    w.act(&r2, "record", &w.a.token, Some(record)).await.expect(200);
    // r3 answered after 10 minutes (600 s); r4 closed unanswered; B's request is not A's.
    let r3 = ask("s1").await;
    w.app.advance_clock(Duration::minutes(10));
    answer(r3).await;
    let r4 = ask("s2").await;
    w.act(&r4, "close", &w.s2.token, None).await.expect(200);
    let b = w.ask(&w.s3.token, "life", None).await["id"].as_str().unwrap().to_owned();
    w.app.advance_clock(Duration::seconds(1));
    w.act(&b, "answer", &w.b.token, Some(json!({"note": ANSWER}))).await.expect(200);
    // Sorted: 600, 9,000, 10,800 — the middle one.
    assert_eq!(help_figures(&w).await, [(Some(4), Some(3), Some(9_000)); 2]);

    // A fourth answer after 5 h 0 min 1 s (18,001 s): the mean of 9,000 and 10,800.
    let r5 = ask("s2").await;
    w.app.advance_clock(Duration::hours(5) + Duration::seconds(1));
    answer(r5).await;
    assert_eq!(help_figures(&w).await, [(Some(5), Some(4), Some(9_900)); 2]);
    // An open request counts as received only.
    ask("s1").await;
    assert_eq!(help_figures(&w).await, [(Some(6), Some(4), Some(9_900)); 2]);
    // B's figures: one answered after a second.
    let res = w.app.get(&format!("/api/v1/appointments/{}/performance", w.b.appointment), &w.admin).await;
    let res = res.expect(200);
    assert_eq!(res.body["help_requests_answered"], 1);
    assert_eq!(res.body["help_median_answer_seconds"], 1);
}
