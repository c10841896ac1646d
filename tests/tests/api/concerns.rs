//! Concerns and escalation (issue 13): a mentor registers a concern, escalates it to *that*
//! student's supervisor and counselor, who acknowledge and resolve it; overdue by the server's
//! clock; confidential to the mentor, the recipients, the college's counselors and admins.

use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

const SECRET: &str = "学弟近期情绪低落，多次提到不想继续读研";

/// Two colleges. Computer science: a serving mentor and another, mentee A (supervisor `sup_a`,
/// counselor `own_counselor`), student B (supervisor `sup_b`, counselor `other_counselor`),
/// student C with no supervisor nor counselor. Electrical engineering: a counselor and a student.
struct World {
    app: TestApp,
    admin: String,
    cs_admin: String,
    year: String,
    appointment: String,
    mentor: String,
    other_mentor: String,
    student_a: String,
    student_b: String,
    student_c: String,
    ee_student: String,
    sup_a_staff: String,
    own_counselor_staff: String,
    other_counselor_staff: String,
    sup_a: String,
    sup_b: String,
    own_counselor: String,
    other_counselor: String,
    ee_counselor: String,
    a_token: String,
}

async fn counselor(app: &TestApp, token: &str, college: &str, staff_no: &str) -> String {
    app.post(
        "/api/v1/staff",
        token,
        json!({"staff_no": staff_no, "name": format!("辅导员{staff_no}"), "college_id": college,
               "is_supervisor": false, "is_counselor": true}),
    )
    .await
    .expect(201)
    .id()
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let sup_a_staff = app.staff(&admin, &cs, "T001", true).await;
    let sup_b_staff = app.staff(&admin, &cs, "T002", true).await;
    let own_counselor_staff = counselor(&app, &admin, &cs, "C001").await;
    let other_counselor_staff = counselor(&app, &admin, &cs, "C002").await;
    let ee_counselor_staff = counselor(&app, &admin, &ee, "C900").await;
    let senior = app.student(&admin, &cs, "2023001", json!({"enrollment_year": 2023, "unit_id": lab})).await;
    let other_senior = app.student(&admin, &cs, "2023002", json!({"enrollment_year": 2023, "unit_id": lab})).await;
    let student_a = app
        .student(
            &admin,
            &cs,
            "2025001",
            json!({"enrollment_year": 2025, "supervisor_id": sup_a_staff, "counselor_id": own_counselor_staff}),
        )
        .await;
    let student_b = app
        .student(
            &admin,
            &cs,
            "2025002",
            json!({"enrollment_year": 2025, "supervisor_id": sup_b_staff, "counselor_id": other_counselor_staff}),
        )
        .await;
    let student_c = app.student(&admin, &cs, "2025003", json!({"enrollment_year": 2025})).await;
    let ee_student = app.student(&admin, &ee, "2025900", json!({"enrollment_year": 2025})).await;
    let appointment = MentorBuilder::new(&app, &admin)
        .student(&senior)
        .year(&year)
        .unit(&lab)
        .justification("表现突出")
        .appoint()
        .await
        .appointment
        .0;
    MentorBuilder::new(&app, &admin)
        .student(&other_senior)
        .year(&year)
        .unit(&lab)
        .justification("表现突出")
        .appoint()
        .await;
    let mentor = app.user(&admin, "mentor", "student", json!({"student_id": senior})).await;
    let other_mentor = app.user(&admin, "other-mentor", "student", json!({"student_id": other_senior})).await;
    let a_token = app.user(&admin, "student-a", "student", json!({"student_id": student_a})).await;
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let sup_a = app.user(&admin, "sup-a", "supervisor", json!({"staff_id": sup_a_staff})).await;
    let sup_b = app.user(&admin, "sup-b", "supervisor", json!({"staff_id": sup_b_staff})).await;
    let own_counselor =
        app.user(&admin, "c-own", "counselor", json!({"college_id": cs, "staff_id": own_counselor_staff})).await;
    let other_counselor =
        app.user(&admin, "c-other", "counselor", json!({"college_id": cs, "staff_id": other_counselor_staff})).await;
    let ee_counselor =
        app.user(&admin, "c-ee", "counselor", json!({"college_id": ee, "staff_id": ee_counselor_staff})).await;
    World {
        app,
        admin,
        cs_admin,
        year,
        appointment,
        mentor,
        other_mentor,
        student_a,
        student_b,
        student_c,
        ee_student,
        sup_a_staff,
        own_counselor_staff,
        other_counselor_staff,
        sup_a,
        sup_b,
        own_counselor,
        other_counselor,
        ee_counselor,
        a_token,
    }
}

impl World {
    async fn individual(&self, student: &str, category: &str, urgency: &str) -> String {
        let body = json!({"scope": "individual", "category": category, "urgency": urgency,
                          "description": SECRET, "student_id": student});
        let res = self.app.post("/api/v1/concerns", &self.mentor, body).await.expect(201);
        assert_eq!(res.body["state"], "open");
        assert_eq!(res.body["overdue"], false);
        assert_eq!(res.header("location").unwrap(), format!("/api/v1/concerns/{}", res.id()));
        res.id()
    }

    async fn act(&self, id: &str, action: &str, token: &str) -> Res {
        let body = if action == "resolve" { json!({"note": "已约谈并制定帮扶计划"}) } else { Value::Null };
        let req = self.app.request(reqwest::Method::POST, &format!("/api/v1/concerns/{id}/{action}"), Some(token));
        let req = if body.is_null() { req } else { req.json(&body) };
        self.app.send(req).await
    }

    async fn assigned_to_me(&self, token: &str) -> Vec<String> {
        let res = self.app.get("/api/v1/concerns?assigned_to=me", token).await.expect(200);
        res.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    }
}

fn recipients(res: &Res) -> Vec<(String, String)> {
    let mut r: Vec<(String, String)> = res.body["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["staff_id"].as_str().unwrap().to_owned(), r["role"].as_str().unwrap().to_owned()))
        .collect();
    r.sort();
    r
}

#[actix_web::test]
async fn escalation_reaches_exactly_that_students_supervisor_and_counselor_who_acknowledge_and_resolve() {
    let w = world().await;
    let id = w.individual(&w.student_a, "mental_health", "urgent").await;
    let path = format!("/api/v1/concerns/{id}");
    // Before escalation: the mentor, the college's counselors and admins, the university.
    for token in [&w.mentor, &w.own_counselor, &w.other_counselor, &w.cs_admin, &w.admin] {
        assert_eq!(w.app.get(&path, token).await.expect(200).body["description"], SECRET);
    }
    for token in [&w.sup_a, &w.sup_b, &w.ee_counselor, &w.other_mentor, &w.a_token] {
        assert_problem(&w.app.get(&path, token).await, 404, "not_found");
    }
    // Illegal moves while open; only the mentor escalates.
    assert_problem(&w.act(&id, "acknowledge", &w.own_counselor).await, 403, "forbidden");
    assert_problem(&w.act(&id, "resolve", &w.cs_admin).await, 409, "invalid_transition");
    assert_problem(&w.act(&id, "escalate", &w.cs_admin).await, 403, "forbidden");
    assert_problem(&w.act(&id, "escalate", &w.other_mentor).await, 404, "not_found");

    let res = w.act(&id, "escalate", &w.mentor).await.expect(200);
    assert_eq!(res.body["state"], "escalated");
    assert_eq!(res.body["overdue"], false);
    assert!(res.body["due_at"].is_string());
    let mut want =
        vec![(w.sup_a_staff.clone(), "supervisor".to_owned()), (w.own_counselor_staff.clone(), "counselor".to_owned())];
    want.sort();
    assert_eq!(recipients(&res), want, "that student's supervisor and counselor, nobody else");
    assert_problem(&w.act(&id, "escalate", &w.mentor).await, 409, "invalid_transition");

    // The recipients see it in their list; another student's supervisor and the college's other
    // counselor do not have it assigned; another college's counselor does not see it at all.
    assert_eq!(w.assigned_to_me(&w.sup_a).await, [id.as_str()]);
    assert_eq!(w.assigned_to_me(&w.own_counselor).await, [id.as_str()]);
    assert!(w.assigned_to_me(&w.sup_b).await.is_empty());
    assert!(w.assigned_to_me(&w.other_counselor).await.is_empty());
    assert!(w.assigned_to_me(&w.ee_counselor).await.is_empty());
    assert_eq!(w.app.get(&path, &w.sup_a).await.expect(200).body["description"], SECRET);
    for token in [&w.sup_b, &w.ee_counselor, &w.other_mentor, &w.a_token] {
        assert_problem(&w.app.get(&path, token).await, 404, "not_found");
        assert_problem(&w.act(&id, "acknowledge", token).await, 404, "not_found");
        let list = w.app.get("/api/v1/concerns", token).await.expect(200);
        assert_eq!(list.body["total"], 0, "{}", list.text);
    }
    assert_eq!(w.app.get("/api/v1/concerns", &w.other_counselor).await.expect(200).body["total"], 1);

    // Acknowledge: a recipient, once each; a college counselor who is no recipient may not.
    assert_problem(&w.act(&id, "acknowledge", &w.other_counselor).await, 403, "forbidden");
    assert_problem(&w.act(&id, "acknowledge", &w.mentor).await, 403, "forbidden");
    assert_problem(&w.act(&id, "resolve", &w.sup_a).await, 409, "invalid_transition");
    let res = w.act(&id, "acknowledge", &w.sup_a).await.expect(200);
    assert_eq!(res.body["state"], "acknowledged");
    assert!(res.body["acknowledged_at"].is_string());
    assert_eq!(res.body["due_at"], Value::Null);
    assert_problem(&w.act(&id, "acknowledge", &w.sup_a).await, 409, "already_acknowledged");
    let res = w.act(&id, "acknowledge", &w.own_counselor).await.expect(200);
    assert!(res.body["recipients"].as_array().unwrap().iter().all(|r| r["acknowledged_at"].is_string()));

    // Resolve: a recipient or a college admin, with a note; not the mentor; once.
    assert_problem(&w.act(&id, "resolve", &w.mentor).await, 403, "forbidden");
    let res = w.app.post(&format!("{path}/resolve"), &w.cs_admin, json!({"note": " "})).await;
    assert_problem(&res, 422, "validation_failed");
    let res = w.act(&id, "resolve", &w.cs_admin).await.expect(200);
    assert_eq!(res.body["state"], "resolved");
    assert_eq!(res.body["resolution_note"], "已约谈并制定帮扶计划");
    for action in ["escalate", "acknowledge", "resolve"] {
        let token = if action == "escalate" { &w.mentor } else { &w.own_counselor };
        assert_problem(&w.act(&id, action, token).await, 409, "invalid_transition");
    }
    // The mentor's list filters.
    let res = w.app.get("/api/v1/concerns?state=resolved&category=mental_health&urgency=urgent", &w.mentor).await;
    assert_eq!(res.expect(200).body["total"], 1);
    let res = w.app.get(&format!("/api/v1/concerns?appointment_id={}&state=open", w.appointment), &w.admin).await;
    assert_eq!(res.expect(200).body["total"], 0);

    // The feed and the audit log carry ids and state only.
    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let concern_events: Vec<&Value> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("concern."))
        .collect();
    let types: Vec<&str> = concern_events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["concern.registered", "concern.escalated", "concern.acknowledged", "concern.acknowledged", "concern.resolved"]
    );
    for e in &concern_events {
        let text = e.to_string();
        assert!(!text.contains(SECRET) && !text.contains("帮扶计划") && !text.contains("mental_health"), "{text}");
        assert!(!text.contains(&w.student_a), "no student named: {text}");
    }
    let audit = w.app.get("/api/v1/audit-events?target_type=concern&page_size=100", &w.admin).await.expect(200);
    assert_eq!(audit.body["total"], 5);
    assert!(!audit.text.contains(SECRET) && !audit.text.contains("帮扶计划") && !audit.text.contains("mental_health"));
}

#[actix_web::test]
async fn a_concern_is_overdue_after_the_years_limit_by_the_servers_clock() {
    let w = world().await;
    let urgent = w.individual(&w.student_a, "safety", "urgent").await;
    let normal = w.individual(&w.student_a, "study", "normal").await;
    for id in [&urgent, &normal] {
        w.act(id, "escalate", &w.mentor).await.expect(200);
    }
    let overdue = |token: &str| {
        let app = &w.app;
        let token = token.to_owned();
        async move {
            let res = app.get("/api/v1/concerns?overdue=true", &token).await.expect(200);
            res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(overdue(&w.own_counselor).await.is_empty());
    w.app.advance_clock(chrono::Duration::days(2) - chrono::Duration::minutes(1));
    assert!(overdue(&w.own_counselor).await.is_empty(), "not yet");
    w.app.advance_clock(chrono::Duration::minutes(2));
    assert_eq!(overdue(&w.own_counselor).await, [urgent.as_str()], "urgent: 2 days");
    assert_eq!(overdue(&w.admin).await, [urgent.as_str()]);
    let one = w.app.get(&format!("/api/v1/concerns/{urgent}"), &w.sup_a).await.expect(200);
    assert_eq!(one.body["overdue"], true);
    let res = w.app.get("/api/v1/concerns?overdue=false", &w.own_counselor).await.expect(200);
    assert_eq!(res.body["total"], 1);
    assert_eq!(res.body["items"][0]["id"], normal.as_str());

    // The year's limit changes it, for concerns escalated before too.
    let year = format!("/api/v1/academic-years/{}", w.year);
    let res = w.app.patch(&year, &w.admin, json!({"concern_overdue_urgent_days": 3}), None).await.expect(200);
    assert_eq!(res.body["concern_overdue_urgent_days"], 3);
    assert_eq!(res.body["concern_overdue_normal_days"], 7);
    assert!(overdue(&w.own_counselor).await.is_empty(), "3 days now");
    let res = w.app.patch(&year, &w.admin, json!({"concern_overdue_normal_days": 2}), None).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["concern_overdue_urgent_days"], "urgent may not wait longer than normal");
    let limits = json!({"concern_overdue_urgent_days": 1, "concern_overdue_normal_days": 2});
    w.app.patch(&year, &w.admin, limits, None).await.expect(200);
    let mut both = overdue(&w.own_counselor).await;
    both.sort();
    let mut want = vec![urgent.clone(), normal.clone()];
    want.sort();
    assert_eq!(both, want);
    // Limits are validated: 1–60 days, urgent not longer than normal.
    for bad in [
        json!({"concern_overdue_urgent_days": 0}),
        json!({"concern_overdue_normal_days": 61}),
        json!({"concern_overdue_urgent_days": "2"}),
        json!({"concern_overdue_urgent_days": 5}),
    ] {
        let res = w.app.patch(&year, &w.admin, bad.clone(), None).await;
        assert_problem(&res, 422, "validation_failed");
    }

    // Acknowledged, it is no longer overdue.
    w.act(&normal, "acknowledge", &w.own_counselor).await.expect(200);
    assert_eq!(overdue(&w.own_counselor).await, [urgent.as_str()]);
    let one = w.app.get(&format!("/api/v1/concerns/{normal}"), &w.mentor).await.expect(200);
    assert_eq!(one.body["overdue"], false);
}

#[actix_web::test]
async fn group_concerns_go_to_the_colleges_counselors_and_the_named_students_supervisors() {
    let w = world().await;
    let res = w
        .app
        .post(
            "/api/v1/concerns",
            &w.mentor,
            json!({"scope": "group", "category": "career", "urgency": "normal", "affected_count": 12,
                   "description": "多名新生对实习与科研的时间安排普遍焦虑",
                   "student_ids": [w.student_a, w.student_c]}),
        )
        .await
        .expect(201);
    let id = res.id();
    assert_eq!(res.body["affected_count"], 12);
    assert_eq!(res.body["student_ids"].as_array().unwrap().len(), 2);
    let res = w.act(&id, "escalate", &w.mentor).await.expect(200);
    let mut want = vec![
        (w.sup_a_staff.clone(), "supervisor".to_owned()),
        (w.own_counselor_staff.clone(), "counselor".to_owned()),
        (w.other_counselor_staff.clone(), "counselor".to_owned()),
    ];
    want.sort();
    assert_eq!(recipients(&res), want);
    assert!(w.assigned_to_me(&w.sup_b).await.is_empty(), "student B is not named");
    assert_eq!(w.assigned_to_me(&w.other_counselor).await, [id]);

    // A student without supervisor nor counselor: the college's counselors.
    let id = w.individual(&w.student_c, "financial", "normal").await;
    let res = w.act(&id, "escalate", &w.mentor).await.expect(200);
    let mut want = vec![
        (w.own_counselor_staff.clone(), "counselor".to_owned()),
        (w.other_counselor_staff.clone(), "counselor".to_owned()),
    ];
    want.sort();
    assert_eq!(recipients(&res), want);
    // Student B's own counselor only, beside their supervisor.
    let id = w.individual(&w.student_b, "life", "normal").await;
    let res = w.act(&id, "escalate", &w.mentor).await.expect(200);
    assert_eq!(res.body["recipients"].as_array().unwrap().len(), 2);
    assert!(w.assigned_to_me(&w.sup_b).await.contains(&id));
    assert!(!w.assigned_to_me(&w.own_counselor).await.contains(&id));
}

#[actix_web::test]
async fn bad_concerns_are_refused_and_only_a_serving_mentor_registers_one() {
    let w = world().await;
    let base = json!({"scope": "individual", "category": "study", "urgency": "normal", "description": "挂科风险",
                      "student_id": w.student_a});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    // A student of another college answers like an unknown id.
    let mut answers = Vec::new();
    for s in [w.ee_student.clone(), uuid::Uuid::now_v7().to_string()] {
        let res = w.app.post("/api/v1/concerns", &w.mentor, with("student_id", json!(s))).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.body["errors"][0]["code"], "invalid_reference");
        answers.push(res.body["errors"][0]["field"].clone());
    }
    assert_eq!(answers[0], answers[1]);
    for (body, field) in [
        (with("student_id", json!(42)), "student_id"),
        (with("category", json!("gossip")), "category"),
        (with("urgency", json!("soon")), "urgency"),
        (with("description", json!("a\u{0}b")), "description"),
        (with("description", json!("长".repeat(5001))), "description"),
        (with("description", json!("   ")), "description"),
        (with("affected_count", json!(3)), "affected_count"),
        (with("student_ids", json!([w.student_b])), "student_ids"),
        (with("extra", json!(1)), "extra"),
        (
            json!({"scope": "group", "category": "life", "urgency": "normal", "description": "x", "affected_count": 1}),
            "affected_count",
        ),
        (json!({"scope": "group", "category": "life", "urgency": "normal", "description": "x"}), "affected_count"),
        (
            json!({"scope": "group", "category": "life", "urgency": "normal", "description": "x", "affected_count": 3,
                "student_ids": [w.student_a, w.student_a]}),
            "student_ids",
        ),
        (
            json!({"scope": "group", "category": "life", "urgency": "normal", "description": "x", "affected_count": 3,
                "student_ids": [w.ee_student]}),
            "student_ids",
        ),
    ] {
        let res = w.app.post("/api/v1/concerns", &w.mentor, body).await;
        assert_eq!(res.status.as_u16(), 422, "{field}: {}", res.text);
        assert_eq!(res.body["errors"][0]["field"], field, "{}", res.text);
    }
    let res = w.app.post("/api/v1/concerns", &w.mentor, with("student_id", json!(null))).await;
    assert_problem(&res, 422, "validation_failed");
    // Not a serving mentor: a student, an admin, a counselor.
    for token in [&w.a_token, &w.cs_admin, &w.own_counselor, &w.admin] {
        assert_problem(&w.app.post("/api/v1/concerns", token, base.clone()).await, 403, "forbidden");
    }
    assert_eq!(w.app.get("/api/v1/concerns", &w.admin).await.expect(200).body["total"], 0, "nothing was stored");
    // Bad queries and ids.
    for q in ["assigned_to=you", "overdue=maybe", "state=closed", "college_id=1", "sort=description"] {
        let res = w.app.get(&format!("/api/v1/concerns?{q}"), &w.admin).await;
        assert!(matches!(res.status.as_u16(), 400 | 422), "{q}: {}", res.text);
    }
    assert_problem(&w.app.get("/api/v1/concerns/not-a-uuid", &w.admin).await, 400, "invalid_path");
    let unknown = uuid::Uuid::now_v7();
    assert_problem(&w.app.get(&format!("/api/v1/concerns/{unknown}"), &w.admin).await, 404, "not_found");
    assert_problem(&w.act(&unknown.to_string(), "escalate", &w.mentor).await, 404, "not_found");
    // A stale If-Match.
    let id = w.individual(&w.student_a, "research", "normal").await;
    let res = w
        .app
        .send(
            w.app
                .request(reqwest::Method::POST, &format!("/api/v1/concerns/{id}/escalate"), Some(&w.mentor))
                .header("If-Match", "\"7\""),
        )
        .await;
    assert_problem(&res, 412, "precondition_failed");
    let res = w.app.post(&format!("/api/v1/concerns/{id}/resolve"), &w.admin, json!({"note": 5})).await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.text);
}
