//! Career postings (issue 13, 三(三)2): mentors and staff post for their college, its students
//! list them until the deadline (by the server's clock), the author or the college edits and
//! withdraws, a mentor recommends one to named students.

use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

struct World {
    app: TestApp,
    admin: String,
    cs: String,
    cs_admin: String,
    counselor: String,
    mentor: String,
    other_mentor: String,
    student: String,
    student_id: String,
    other_student_id: String,
    ee_student: String,
    ee_student_id: String,
    ee_admin: String,
    lab: String,
    other_lab: String,
    ee_lab: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let other_lab = app.unit(&admin, &cs, "CS-NLP", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE-LAB", "laboratory").await;
    // The academic year running today: a recommendation writes today's work record into it.
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive();
    let y = if chrono::Datelike::month(&today) >= 9 {
        chrono::Datelike::year(&today)
    } else {
        chrono::Datelike::year(&today) - 1
    };
    let code = format!("{y}-{}", y + 1);
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": code})).await.expect(201).id();
    let senior = app.student(&admin, &cs, "2023001", json!({"enrollment_year": 2023, "unit_id": lab})).await;
    let other_senior = app.student(&admin, &cs, "2023002", json!({"enrollment_year": 2023, "unit_id": lab})).await;
    let student_id = app.student(&admin, &cs, "2025001", json!({"enrollment_year": 2025, "unit_id": lab})).await;
    let other_student_id = app.student(&admin, &cs, "2025002", json!({"enrollment_year": 2025})).await;
    let ee_student_id = app.student(&admin, &ee, "2025900", json!({"enrollment_year": 2025})).await;
    let appointment = MentorBuilder::new(&app, &admin)
        .student(&senior)
        .year(&year)
        .unit(&lab)
        .justification("表现突出")
        .appoint()
        .await;
    MentorBuilder::new(&app, &admin)
        .student(&other_senior)
        .year(&year)
        .unit(&lab)
        .justification("表现突出")
        .appoint()
        .await;
    // The mentor's mentee: the other student.
    app.post(
        "/api/v1/pairings",
        &admin,
        json!({"appointment_id": appointment.appointment, "mentee_id": other_student_id}),
    )
    .await
    .expect(201);
    let mentor = app.user(&admin, "mentor", "student", json!({"student_id": senior})).await;
    let other_mentor = app.user(&admin, "other-mentor", "student", json!({"student_id": other_senior})).await;
    let student = app.user(&admin, "student", "student", json!({"student_id": student_id})).await;
    let ee_student = app.user(&admin, "ee-student", "student", json!({"student_id": ee_student_id})).await;
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    let counselor = app.user(&admin, "cs-counselor", "counselor", json!({"college_id": cs})).await;
    World {
        app,
        admin,
        cs,
        cs_admin,
        counselor,
        mentor,
        other_mentor,
        student,
        student_id,
        other_student_id,
        ee_student,
        ee_student_id,
        ee_admin,
        lab,
        other_lab,
        ee_lab,
    }
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive()
        + chrono::Duration::days(days))
    .to_string()
}

fn posting(title: &str, kind: &str, deadline_in_days: i64, units: Value) -> Value {
    json!({"title": title, "employer": "成都某智能科技有限公司", "city": "成都", "kind": kind,
           "link": "https://jobs.example.com/1", "deadline": in_days(deadline_in_days), "unit_ids": units})
}

fn ids(res: &Res) -> Vec<String> {
    res.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn the_colleges_students_list_postings_until_the_deadline_by_the_servers_clock() {
    let w = world().await;
    let a = w
        .app
        .post("/api/v1/job-postings", &w.mentor, posting("视觉算法实习生", "internship", 3, json!([w.lab])))
        .await
        .expect(201);
    assert_eq!(a.body["college_id"], w.cs.as_str());
    assert_eq!(a.body["expired"], false);
    let a = a.id();
    let b = w
        .app
        .post("/api/v1/job-postings", &w.counselor, posting("全院招聘会", "other", 10, json!([])))
        .await
        .expect(201)
        .id();
    let c = w
        .app
        .post("/api/v1/job-postings", &w.cs_admin, posting("NLP 工程师", "job", 20, json!([w.other_lab])))
        .await
        .expect(201)
        .id();
    // The university names the college; others post for their own.
    let mut body = posting("研究助理", "part_time", 5, json!([]));
    assert_problem(&w.app.post("/api/v1/job-postings", &w.admin, body.clone()).await, 422, "validation_failed");
    body["college_id"] = json!(w.cs);
    let d = w.app.post("/api/v1/job-postings", &w.admin, body).await.expect(201).id();

    // Students of the college: soonest deadline first.
    let res = w.app.get("/api/v1/job-postings", &w.student).await.expect(200);
    assert_eq!(ids(&res), [a.clone(), d.clone(), b.clone(), c.clone()]);
    // By unit: those suiting it and those for the whole college.
    let res = w.app.get(&format!("/api/v1/job-postings?unit_id={}", w.lab), &w.student).await.expect(200);
    assert_eq!(ids(&res), [a.clone(), d.clone(), b.clone()]);
    let res = w.app.get("/api/v1/job-postings?kind=job", &w.student).await.expect(200);
    assert_eq!(ids(&res), [c.as_str()]);
    // Another college's people see none of them.
    assert_eq!(w.app.get("/api/v1/job-postings", &w.ee_student).await.expect(200).body["total"], 0);
    assert_eq!(w.app.get("/api/v1/job-postings", &w.ee_admin).await.expect(200).body["total"], 0);
    for token in [&w.ee_student, &w.ee_admin] {
        assert_problem(&w.app.get(&format!("/api/v1/job-postings/{a}"), token).await, 404, "not_found");
    }
    assert_eq!(
        w.app.get(&format!("/api/v1/job-postings/{a}"), &w.student).await.expect(200).body["title"],
        "视觉算法实习生"
    );

    // Four days on, the first has expired: out of the default list, in with include_expired.
    w.app.advance_clock(chrono::Duration::days(4));
    let res = w.app.get("/api/v1/job-postings", &w.student).await.expect(200);
    assert_eq!(ids(&res), [d.clone(), b.clone(), c.clone()]);
    let res = w.app.get("/api/v1/job-postings?include_expired=true", &w.student).await.expect(200);
    assert_eq!(res.body["total"], 4);
    assert_eq!(res.body["items"][0]["expired"], true);
    // An expired posting is no longer recommended.
    let res = w
        .app
        .post(&format!("/api/v1/job-postings/{a}/recommend"), &w.mentor, json!({"student_ids": [w.student_id]}))
        .await;
    assert_problem(&res, 409, "posting_expired");
}

#[actix_web::test]
async fn the_author_or_the_college_edits_and_withdraws_and_a_mentor_recommends_to_named_students() {
    let w = world().await;
    let res = w
        .app
        .post("/api/v1/job-postings", &w.mentor, posting("视觉算法实习生", "internship", 7, json!([])))
        .await
        .expect(201);
    let id = res.id();
    let path = format!("/api/v1/job-postings/{id}");
    let etag = res.header("etag").unwrap();
    // The author edits with If-Match; a stale one is 412.
    let res = w.app.patch(&path, &w.mentor, json!({"city": "成都 / 远程"}), Some(&etag)).await.expect(200);
    assert_eq!(res.body["city"], "成都 / 远程");
    assert_problem(
        &w.app.patch(&path, &w.mentor, json!({"city": "北京"}), Some(&etag)).await,
        412,
        "precondition_failed",
    );
    // Another mentor, a counselor and a student may read but not change it; another college cannot see it.
    for token in [&w.other_mentor, &w.counselor, &w.student] {
        assert_problem(&w.app.patch(&path, token, json!({"city": "北京"}), None).await, 403, "forbidden");
    }
    assert_problem(&w.app.patch(&path, &w.ee_admin, json!({"city": "北京"}), None).await, 404, "not_found");
    // The college's admin may; bad changes are refused.
    w.app.patch(&path, &w.cs_admin, json!({"deadline": in_days(14)}), None).await.expect(200);
    for (body, field) in [
        (json!({"link": "http://jobs.example.com"}), "link"),
        (json!({"deadline": in_days(-1)}), "deadline"),
        (json!({"unit_ids": [w.ee_lab]}), "unit_ids"),
        (json!({"title": "a\u{0}b"}), "title"),
    ] {
        let res = w.app.patch(&path, &w.cs_admin, body, None).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.body["errors"][0]["field"], field);
    }

    // Recommend: a serving mentor of the college, to students of the college, each once.
    let rec = format!("{path}/recommend");
    let res =
        w.app.post(&rec, &w.other_mentor, json!({"student_ids": [w.student_id], "note": "方向契合"})).await.expect(200);
    assert_eq!(res.body["recommended"], json!([w.student_id]));
    assert_eq!(res.body["work_record_id"], Value::Null, "not that mentor's mentee: no entry in the book");
    let res = w.app.post(&rec, &w.mentor, json!({"student_ids": [w.student_id, w.other_student_id]})).await.expect(200);
    assert_eq!(res.body["recommended"], json!([w.other_student_id]));
    assert_eq!(res.body["already"], json!([w.student_id]));
    // Career help in the mentor's book, naming the mentee, written in the same transaction.
    let record = res.body["work_record_id"].as_str().expect("a work record").to_owned();
    let entry = w.app.get(&format!("/api/v1/work-records/{record}"), &w.mentor).await.expect(200);
    assert_eq!(entry.body["kind"], "career_help");
    assert_eq!(entry.body["student_ids"], json!([w.other_student_id]));
    assert_eq!(entry.body["duties"], json!(["career"]));
    let res = w.app.post(&rec, &w.mentor, json!({"student_ids": [w.ee_student_id]})).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.body["errors"][0]["code"], "invalid_reference");
    for body in
        [json!({"student_ids": []}), json!({"student_ids": [w.student_id, w.student_id]}), json!({"student_ids": "x"})]
    {
        assert_eq!(w.app.post(&rec, &w.mentor, body).await.status.as_u16(), 422);
    }
    for token in [&w.student, &w.cs_admin, &w.counselor] {
        assert_problem(&w.app.post(&rec, token, json!({"student_ids": [w.student_id]})).await, 403, "forbidden");
    }
    assert_problem(&w.app.post(&rec, &w.ee_student, json!({"student_ids": [w.student_id]})).await, 404, "not_found");
    // The student finds it among those recommended to them.
    let res = w.app.get("/api/v1/job-postings?recommended_to_me=true", &w.student).await.expect(200);
    assert_eq!(ids(&res), [id.as_str()]);
    assert_eq!(res.body["items"][0]["recommended_to_me"], true);
    assert_eq!(res.body["items"][0]["recommended_count"], 2);

    // Withdraw: out of the default list; once.
    let res = w
        .app
        .send(w.app.request(reqwest::Method::POST, &format!("{path}/withdraw"), Some(&w.mentor)))
        .await
        .expect(200);
    assert_eq!(res.body["state"], "withdrawn");
    assert_eq!(w.app.get("/api/v1/job-postings", &w.student).await.expect(200).body["total"], 0);
    assert_eq!(w.app.get("/api/v1/job-postings?state=withdrawn", &w.student).await.expect(200).body["total"], 1);
    let again = w.app.send(w.app.request(reqwest::Method::POST, &format!("{path}/withdraw"), Some(&w.cs_admin))).await;
    assert_problem(&again, 409, "invalid_transition");
    assert_problem(
        &w.app.post(&rec, &w.mentor, json!({"student_ids": [w.student_id]})).await,
        409,
        "invalid_transition",
    );

    // The feed carries the posting's events.
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    for t in ["job_posting.created", "job_posting.updated", "job_posting.recommended", "job_posting.withdrawn"] {
        assert!(types.contains(&t), "{t}");
    }
}

#[actix_web::test]
async fn bad_postings_are_refused_and_only_mentors_and_staff_post() {
    let w = world().await;
    let ok = posting("视觉算法实习生", "internship", 7, json!([w.lab]));
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("link", json!("http://jobs.example.com")), "link"),
        (with("link", json!("javascript:alert(1)")), "link"),
        (with("link", json!("https://")), "link"),
        (with("deadline", json!(in_days(-1))), "deadline"),
        (with("deadline", json!("2026-02-30")), "deadline"),
        (with("title", json!("")), "title"),
        (with("title", json!("岗".repeat(101))), "title"),
        (with("city", json!("成都\u{7}")), "city"),
        (with("kind", json!("gig")), "kind"),
        (with("unit_ids", json!([w.ee_lab])), "unit_ids"),
        (with("unit_ids", json!([w.lab, w.lab])), "unit_ids"),
        (with("unit_ids", json!(["not-a-uuid"])), "unit_ids[0]"),
        (with("extra", json!(1)), "extra"),
    ] {
        let res = w.app.post("/api/v1/job-postings", &w.mentor, body).await;
        assert_eq!(res.status.as_u16(), 422, "{field}: {}", res.text);
        assert_eq!(res.body["errors"][0]["field"], field, "{}", res.text);
    }
    // A student who is no mentor may not post; a mentor may not post for another college.
    assert_problem(&w.app.post("/api/v1/job-postings", &w.student, ok.clone()).await, 403, "forbidden");
    let mut foreign = ok.clone();
    foreign["college_id"] = json!(uuid::Uuid::now_v7());
    assert_problem(&w.app.post("/api/v1/job-postings", &w.mentor, foreign).await, 403, "forbidden");
    assert_eq!(w.app.get("/api/v1/job-postings", &w.admin).await.expect(200).body["total"], 0, "nothing was stored");
    for q in ["kind=gig", "include_expired=maybe", "unit_id=1", "sort=title"] {
        let res = w.app.get(&format!("/api/v1/job-postings?{q}"), &w.student).await;
        assert!(matches!(res.status.as_u16(), 400 | 422), "{q}: {}", res.text);
    }
    assert_problem(&w.app.get("/api/v1/job-postings/x", &w.student).await, 400, "invalid_path");
}
