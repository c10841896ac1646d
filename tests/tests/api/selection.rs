//! Selection and appointment (院推校聘, 解聘): nominations with their eligibility report and state
//! machine, appointments, training, commendations, dismissal, resignation, closing the year.

use serde_json::{Value, json};
use xuezhang_tests::*;

/// A university with one college, a lab, an academic year and a senior Party member with a
/// university-level honour.
struct World {
    app: TestApp,
    admin: String,
    college_admin: String,
    college: String,
    lab: String,
    year: String,
    student: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let lab = app.unit(&admin, &college, "CS-LAB1", "laboratory").await;
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let student = app.student(&admin, &college, "2023001", json!({"name": "李华", "enrollment_year": 2023})).await;
    app.post(
        &format!("/api/v1/students/{student}/honors"),
        &admin,
        json!({"title": "优秀研究生", "level": "university", "awarded_on": "2024-12-01"}),
    )
    .await
    .expect(201);
    let college_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": college})).await;
    World { app, admin, college_admin, college, lab, year, student }
}

impl World {
    async fn nominate(&self, token: &str, student: &str) -> Res {
        self.app
            .post(
                "/api/v1/nominations",
                token,
                json!({
                    "student_id": student, "academic_year_id": self.year, "unit_id": self.lab,
                    "statement": "思想政治突出，乐于帮扶学弟学妹",
                    "evidence": [{"kind": "cadre_role", "title": "研究生会主席"}, {"kind": "achievement", "title": "CCF-A 论文一篇", "date": "2025-05-01"}]
                }),
            )
            .await
    }

    async fn act(&self, token: &str, id: &str, action: &str, body: Value) -> Res {
        self.app.post(&format!("/api/v1/nominations/{id}/{action}"), token, body).await
    }

    /// Takes a new nomination of `student` to `recommended`; returns its id.
    async fn recommended(&self, student: &str) -> String {
        let id = self.nominate(&self.college_admin, student).await.expect(201).id();
        self.act(&self.college_admin, &id, "submit", json!({})).await.expect(200);
        self.act(&self.college_admin, &id, "review", json!({"morality": 95, "research": 88, "leadership": 90}))
            .await
            .expect(200);
        self.act(&self.college_admin, &id, "recommend", json!({"justification": "表现突出"})).await.expect(200);
        id
    }

    async fn senior(&self, no: &str, extra: Value) -> String {
        let mut body = json!({"enrollment_year": 2023});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.app.student(&self.admin, &self.college, no, body).await
    }
}

fn rule<'a>(n: &'a Value, rule: &str) -> &'a Value {
    n["eligibility"]["rules"].as_array().unwrap().iter().find(|r| r["rule"] == rule).unwrap()
}

#[actix_web::test]
async fn the_happy_path_nominate_appoint_train_commend() {
    let w = world().await;
    let n = w.nominate(&w.college_admin, &w.student).await.expect(201);
    assert_eq!(n.body["state"], "draft");
    assert_eq!(n.body["source"], "college");
    assert_eq!(n.body["student"]["name"], "李华");
    assert_eq!(n.body["eligibility"]["overall"], "pass");
    assert_eq!(n.body["eligibility"]["rules"].as_array().unwrap().len(), 6);
    assert_eq!(n.body["evidence"][0]["title"], "研究生会主席");
    let id = n.id();

    let s = w.act(&w.college_admin, &id, "submit", json!({})).await.expect(200);
    assert_eq!(s.body["state"], "submitted");
    assert!(s.body["submitted_at"].is_string());
    let r = w
        .act(
            &w.college_admin,
            &id,
            "review",
            json!({"morality": 95, "research": 88, "leadership": 90, "comments": "综合表现优秀"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["state"], "college_reviewed");
    assert_eq!(r.body["review"]["research"], 88);
    let r = w.act(&w.college_admin, &id, "recommend", json!({})).await.expect(200);
    assert_eq!(r.body["state"], "recommended");

    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201);
    let appointment = a.id();
    assert_eq!(a.header("location"), Some(format!("/api/v1/appointments/{appointment}")));
    assert_eq!(a.body["state"], "active");
    assert_eq!(a.body["capacity"], 5);
    assert_eq!(a.body["mentor"]["name"], "李华");
    assert_eq!(a.body["unit_id"], w.lab);
    let n = w.app.get(&format!("/api/v1/nominations/{id}"), &w.admin).await.expect(200);
    assert_eq!(n.body["state"], "appointed");

    let t = w
        .app
        .post(
            &format!("/api/v1/appointments/{appointment}/training"),
            &w.admin,
            json!({"completed_on": "2025-09-20", "note": "岗前培训"}),
        )
        .await
        .expect(200);
    assert_eq!(t.body["training_completed_on"], "2025-09-20");
    let c = w
        .app
        .post(
            &format!("/api/v1/appointments/{appointment}/commendations"),
            &w.admin,
            json!({"title": "优秀研究生党员学长", "reason": "帮扶新生成效显著", "awarded_on": "2026-06-30"}),
        )
        .await
        .expect(201);
    assert_eq!(c.body["title"], "优秀研究生党员学长");
    let list =
        w.app.get(&format!("/api/v1/appointments/{appointment}/commendations"), &w.college_admin).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    // The student's account now acts as a mentor for the term.
    let mentor = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;
    let me = w.app.get("/api/v1/me", &mentor).await.expect(200);
    assert_eq!(me.body["mentor_appointments"][0]["appointment_id"], appointment);
    w.app.get(&format!("/api/v1/appointments/{appointment}"), &mentor).await.expect(200);

    // Every step is on the change feed, in order.
    let feed = w.app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    let pos = |t: &str| types.iter().position(|x| *x == t).unwrap_or_else(|| panic!("{t} missing from {types:?}"));
    assert!(pos("nomination.created") < pos("nomination.submitted"));
    assert!(pos("nomination.submitted") < pos("nomination.college_reviewed"));
    assert!(pos("nomination.college_reviewed") < pos("nomination.recommended"));
    assert!(pos("nomination.recommended") < pos("nomination.appointed"));
    assert!(pos("nomination.appointed") < pos("appointment.made"));
    assert!(pos("appointment.made") < pos("appointment.commended"));
}

#[actix_web::test]
async fn a_student_who_is_not_a_party_member_fails_eligibility_and_cannot_be_recommended() {
    let w = world().await;
    let masses = w.senior("2023002", json!({"name": "王五", "political_status": "masses"})).await;
    let n = w.nominate(&w.college_admin, &masses).await.expect(201);
    assert_eq!(n.body["eligibility"]["overall"], "fail");
    assert_eq!(rule(&n.body, "political_status")["outcome"], "fail");
    let id = n.id();
    w.act(&w.college_admin, &id, "submit", json!({})).await.expect(200);
    w.act(&w.college_admin, &id, "review", json!({"morality": 80, "research": 80, "leadership": 80})).await.expect(200);
    let res = w.act(&w.college_admin, &id, "recommend", json!({"justification": "表现突出"})).await.expect(409);
    assert_eq!(res.code(), "not_eligible");
    assert!(res.body["detail"].as_str().unwrap().contains("political_status"));
    assert_eq!(w.app.get(&format!("/api/v1/nominations/{id}"), &w.admin).await.body["state"], "college_reviewed");

    // A probationary member passes only where the year allows it.
    let probationary = w.senior("2023003", json!({"political_status": "probationary_party_member"})).await;
    let n = w.nominate(&w.college_admin, &probationary).await.expect(201);
    assert_eq!(rule(&n.body, "political_status")["outcome"], "fail");
    w.app
        .patch(&format!("/api/v1/academic-years/{}", w.year), &w.admin, json!({"allow_probationary": true}), None)
        .await
        .expect(200);
    let n = w.app.get(&format!("/api/v1/nominations/{}", n.id()), &w.admin).await.expect(200);
    assert_eq!(rule(&n.body, "political_status")["outcome"], "pass");

    // A freshman and a sanctioned student fail too.
    let freshman = w.app.student(&w.admin, &w.college, "2025009", json!({"enrollment_year": 2025})).await;
    let n = w.nominate(&w.college_admin, &freshman).await.expect(201);
    assert_eq!(rule(&n.body, "senior_year")["outcome"], "fail");
    w.app
        .post(
            &format!("/api/v1/students/{}/sanctions", w.student),
            &w.admin,
            json!({"kind": "警告", "reason": "考试违纪", "imposed_on": "2025-03-01"}),
        )
        .await
        .expect(201);
    let n = w.nominate(&w.college_admin, &w.student).await.expect(201);
    assert_eq!(rule(&n.body, "no_active_sanction")["outcome"], "fail");
    // The report says that a sanction is in force, never what it is.
    assert!(!n.text.contains("考试违纪") && !n.text.contains("警告"), "{}", n.text);
}

#[actix_web::test]
async fn a_missing_university_honour_warns_and_needs_a_justification() {
    let w = world().await;
    let plain = w.senior("2023004", json!({"name": "赵六"})).await;
    w.app
        .post(
            &format!("/api/v1/students/{plain}/honors"),
            &w.admin,
            json!({"title": "院级优秀学生", "level": "college", "awarded_on": "2024-06-01"}),
        )
        .await
        .expect(201);
    let n = w.nominate(&w.college_admin, &plain).await.expect(201);
    assert_eq!(n.body["eligibility"]["overall"], "warn");
    assert_eq!(rule(&n.body, "university_honor")["outcome"], "warn");
    let id = n.id();
    w.act(&w.college_admin, &id, "submit", json!({})).await.expect(200);
    w.act(&w.college_admin, &id, "review", json!({"morality": 90, "research": 92, "leadership": 85})).await.expect(200);
    let res = w.act(&w.college_admin, &id, "recommend", json!({})).await.expect(422);
    assert_eq!(res.error_fields(), ["justification"]);
    let res = w
        .act(&w.college_admin, &id, "recommend", json!({"justification": "科研成果突出，获国家奖学金"}))
        .await
        .expect(200);
    assert_eq!(res.body["state"], "recommended");
    assert_eq!(res.body["justification"], "科研成果突出，获国家奖学金");
}

#[actix_web::test]
async fn illegal_transitions_are_409_invalid_transition() {
    let w = world().await;
    let id = w.nominate(&w.college_admin, &w.student).await.expect(201).id();
    for action in ["recommend", "review"] {
        let body = if action == "review" { json!({"morality": 1, "research": 1, "leadership": 1}) } else { json!({}) };
        let res = w.act(&w.college_admin, &id, action, body).await.expect(409);
        assert_eq!(res.code(), "invalid_transition", "{action}");
    }
    w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(409);
    w.act(&w.college_admin, &id, "submit", json!({})).await.expect(200);
    let res = w.act(&w.college_admin, &id, "submit", json!({})).await.expect(409);
    assert_eq!(res.code(), "invalid_transition");
    w.act(&w.college_admin, &id, "reject", json!({"reason": "名额已满"})).await.expect(200);
    for action in ["submit", "withdraw"] {
        let res = w.act(&w.college_admin, &id, action, json!({})).await.expect(409);
        assert_eq!(res.code(), "invalid_transition");
    }
    let res = w
        .app
        .patch(&format!("/api/v1/nominations/{id}"), &w.college_admin, json!({"statement": "x"}), None)
        .await
        .expect(409);
    assert_eq!(res.code(), "invalid_transition");

    // Bad input to actions is 422, not a transition.
    let id2 = w.nominate(&w.college_admin, &w.student).await.expect(201).id();
    w.act(&w.college_admin, &id2, "submit", json!({})).await.expect(200);
    let res = w
        .act(&w.college_admin, &id2, "review", json!({"morality": 101, "research": -1, "leadership": 50}))
        .await
        .expect(422);
    let mut f = res.error_fields();
    f.sort();
    assert_eq!(f, ["morality", "research"]);
    let res = w.act(&w.college_admin, &id2, "reject", json!({"reason": ""})).await.expect(422);
    assert_eq!(res.error_fields(), ["reason"]);
    w.act(&w.college_admin, &id2, "reject", json!({})).await.expect(422);
}

#[actix_web::test]
async fn one_open_nomination_per_student_and_year() {
    let w = world().await;
    let first = w.nominate(&w.college_admin, &w.student).await.expect(201).id();
    let res = w.nominate(&w.college_admin, &w.student).await.expect(409);
    assert_eq!(res.code(), "duplicate");
    w.act(&w.college_admin, &first, "withdraw", json!({"reason": "学生本人放弃"})).await.expect(200);
    let second = w.nominate(&w.college_admin, &w.student).await.expect(201);
    assert_eq!(second.body["state"], "draft");

    // Concurrent creates still make one.
    let other = w.senior("2023020", json!({})).await;
    let results = futures_util::future::join_all((0..10).map(|_| w.nominate(&w.college_admin, &other))).await;
    let ok = results.iter().filter(|r| r.status.as_u16() == 201).count();
    let dup = results.iter().filter(|r| r.status.as_u16() == 409).count();
    assert_eq!((ok, dup), (1, 9));
}

#[actix_web::test]
async fn a_college_admin_cannot_see_or_act_on_another_colleges_nominations() {
    let w = world().await;
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_lab = w.app.unit(&w.admin, &ee, "EE-LAB1", "laboratory").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let id = w.nominate(&w.college_admin, &w.student).await.expect(201).id();
    w.app.get(&format!("/api/v1/nominations/{id}"), &ee_admin).await.expect(404);
    for action in ["submit", "withdraw"] {
        w.act(&ee_admin, &id, action, json!({})).await.expect(404);
    }
    w.act(&ee_admin, &id, "reject", json!({"reason": "x"})).await.expect(404);
    w.app.patch(&format!("/api/v1/nominations/{id}"), &ee_admin, json!({"statement": "x"}), None).await.expect(404);
    assert_eq!(w.app.get("/api/v1/nominations", &ee_admin).await.expect(200).body["total"], 0);
    assert_eq!(w.app.get("/api/v1/nominations", &w.college_admin).await.expect(200).body["total"], 1);
    // Nor nominate the other college's students, nor into the other college's unit.
    let res = w
        .app
        .post(
            "/api/v1/nominations",
            &ee_admin,
            json!({"student_id": w.student, "academic_year_id": w.year, "unit_id": ee_lab, "statement": "x"}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["student_id"]);
    let other = w.senior("2023030", json!({})).await;
    let res = w
        .app
        .post(
            "/api/v1/nominations",
            &w.college_admin,
            json!({"student_id": other, "academic_year_id": w.year, "unit_id": ee_lab, "statement": "x"}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["unit_id"]);
    // A counselor sees but does not handle; appointing is the university's.
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.college})).await;
    w.app.get(&format!("/api/v1/nominations/{id}"), &counselor).await.expect(200);
    w.act(&counselor, &id, "submit", json!({})).await.expect(403);
    let rec = w.recommended(&other).await;
    w.app.post("/api/v1/appointments", &w.college_admin, json!({"nomination_id": rec})).await.expect(403);
}

#[actix_web::test]
async fn a_student_applies_for_themself_and_the_college_handles_it() {
    let w = world().await;
    let me = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;
    let n = w.nominate(&me, &w.student).await.expect(201);
    assert_eq!(n.body["source"], "self_application");
    let id = n.id();
    w.app
        .patch(&format!("/api/v1/nominations/{id}"), &me, json!({"statement": "我愿意帮助学弟学妹"}), None)
        .await
        .expect(200);
    w.act(&me, &id, "submit", json!({})).await.expect(200);
    // Once handed in it is the college's: the student can no longer edit, review or recommend.
    w.app.patch(&format!("/api/v1/nominations/{id}"), &me, json!({"statement": "改"}), None).await.expect(403);
    w.act(&me, &id, "review", json!({"morality": 100, "research": 100, "leadership": 100})).await.expect(403);
    w.act(&w.college_admin, &id, "review", json!({"morality": 90, "research": 90, "leadership": 90})).await.expect(200);
    // A nomination the college wrote about them is the college's to word and hand in.
    let other_year =
        w.app.post("/api/v1/academic-years", &w.admin, json!({"code": "2026-2027"})).await.expect(201).id();
    let by_college = w
        .app
        .post(
            "/api/v1/nominations",
            &w.college_admin,
            json!({"student_id": w.student, "academic_year_id": other_year, "unit_id": w.lab, "statement": "学院推荐"}),
        )
        .await
        .expect(201)
        .id();
    w.app
        .patch(&format!("/api/v1/nominations/{by_college}"), &me, json!({"statement": "我改了"}), None)
        .await
        .expect(403);
    w.act(&me, &by_college, "submit", json!({})).await.expect(403);
    // Another student's nomination is invisible to them, and they cannot nominate others.
    let other = w.senior("2023040", json!({})).await;
    let other_n = w.nominate(&w.college_admin, &other).await.expect(201).id();
    w.app.get(&format!("/api/v1/nominations/{other_n}"), &me).await.expect(404);
    w.nominate(&me, &other).await.expect(422);
    assert_eq!(
        w.app.get("/api/v1/nominations", &me).await.expect(200).body["total"],
        2,
        "their application and the college's nomination"
    );
    // The student may withdraw their own.
    w.act(&me, &id, "withdraw", json!({})).await.expect(200);
}

#[actix_web::test]
async fn two_concurrent_appointments_of_one_nomination_make_exactly_one() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let body = json!({"nomination_id": id, "capacity": 3});
    let results =
        futures_util::future::join_all((0..6).map(|_| w.app.post("/api/v1/appointments", &w.admin, body.clone())))
            .await;
    let created: Vec<&Res> = results.iter().filter(|r| r.status.as_u16() == 201).collect();
    let conflicts = results.iter().filter(|r| r.status.as_u16() == 409).count();
    assert_eq!((created.len(), conflicts), (1, 5), "{:?}", results.iter().map(|r| &r.text).collect::<Vec<_>>());
    assert_eq!(created[0].body["capacity"], 3);
    let list = w.app.get(&format!("/api/v1/appointments?student_id={}", w.student), &w.admin).await.expect(200);
    assert_eq!(list.body["total"], 1);
}

#[actix_web::test]
async fn appointment_input_is_checked() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let res =
        w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id, "capacity": 0})).await.expect(422);
    assert_eq!(res.error_fields(), ["capacity"]);
    w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": uuid::Uuid::now_v7()})).await.expect(404);
    // Something changed since the recommendation: a sanction now in force blocks the appointment.
    w.app
        .post(
            &format!("/api/v1/students/{}/sanctions", w.student),
            &w.admin,
            json!({"kind": "警告", "reason": "x", "imposed_on": "2025-01-01"}),
        )
        .await
        .expect(201);
    let res = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(409);
    assert_eq!(res.code(), "not_eligible");
}

#[actix_web::test]
async fn dismissal_is_requested_by_the_college_and_decided_by_the_university() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201).id();
    let mentor = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;

    let res = w.app.post(&format!("/api/v1/appointments/{a}/dismissal"), &w.college_admin, json!({})).await.expect(422);
    assert_eq!(res.error_fields(), ["reason"]);
    let res = w
        .app
        .post(&format!("/api/v1/appointments/{a}/dismissal"), &w.college_admin, json!({"reason": "   "}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["reason"]);
    let req = w
        .app
        .post(&format!("/api/v1/appointments/{a}/dismissal"), &w.college_admin, json!({"reason": "长期不履行学长职责"}))
        .await
        .expect(202);
    assert_eq!(req.body["state"], "active");
    assert_eq!(req.body["dismissal_request"]["reason"], "长期不履行学长职责");
    w.app.post(&format!("/api/v1/appointments/{a}/dismissal"), &mentor, json!({"reason": "x"})).await.expect(403);

    let done = w
        .app
        .post(&format!("/api/v1/appointments/{a}/dismissal"), &w.admin, json!({"reason": "经核实，予以解聘"}))
        .await
        .expect(200);
    assert_eq!(done.body["state"], "dismissed");
    assert_eq!(done.body["end_reason"], "经核实，予以解聘");
    assert!(done.body["dismissal_request"].is_null());
    assert!(done.body["ended_at"].is_string());
    // The account no longer acts as a mentor; the end is final.
    assert!(w.app.get("/api/v1/me", &mentor).await.body.get("mentor_appointments").is_none());
    let res = w
        .app
        .post(&format!("/api/v1/appointments/{a}/dismissal"), &w.admin, json!({"reason": "again"}))
        .await
        .expect(409);
    assert_eq!(res.code(), "invalid_transition");
    w.app.post(&format!("/api/v1/appointments/{a}/resignation"), &w.admin, json!({"reason": "x"})).await.expect(409);
    w.app
        .post(&format!("/api/v1/appointments/{a}/training"), &w.admin, json!({"completed_on": "2025-10-01"}))
        .await
        .expect(409);
    let feed = w.app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    assert!(
        feed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "appointment.dismissed" && e["resource_id"] == a)
    );
}

#[actix_web::test]
async fn a_mentor_may_resign() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201).id();
    let mentor = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;
    w.app
        .post(&format!("/api/v1/appointments/{a}/resignation"), &w.college_admin, json!({"reason": "x"}))
        .await
        .expect(403);
    let res = w
        .app
        .post(&format!("/api/v1/appointments/{a}/resignation"), &mentor, json!({"reason": "出国联合培养"}))
        .await
        .expect(200);
    assert_eq!(res.body["state"], "resigned");
}

#[actix_web::test]
async fn closing_the_year_completes_appointments_and_is_idempotent() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201).id();
    w.app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.college_admin, json!({})).await.expect(403);
    let res = w.app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.admin, json!({})).await.expect(200);
    assert_eq!(res.body["completed_appointments"], 1);
    assert_eq!(res.body["academic_year"]["closed"], true);
    let again = w.app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.admin, json!({})).await.expect(200);
    assert_eq!(again.body["completed_appointments"], 0);
    assert_eq!(w.app.get(&format!("/api/v1/appointments/{a}"), &w.admin).await.body["state"], "completed");
    let other = w.senior("2023050", json!({})).await;
    let res = w.nominate(&w.college_admin, &other).await.expect(409);
    assert_eq!(res.code(), "year_closed");
    // A completed mentor may still be commended.
    w.app
        .post(
            &format!("/api/v1/appointments/{a}/commendations"),
            &w.admin,
            json!({"title": "优秀学长", "reason": "表现突出", "awarded_on": "2026-07-01"}),
        )
        .await
        .expect(201);
    let feed = w.app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"appointment.completed") && types.contains(&"academic_year.closed"));
}

#[actix_web::test]
async fn bulk_appointment_is_all_or_nothing_with_per_item_errors() {
    let w = world().await;
    let second = w.senior("2023060", json!({"name": "周七"})).await;
    w.app
        .post(
            &format!("/api/v1/students/{second}/honors"),
            &w.admin,
            json!({"title": "优秀学生党员", "level": "university", "awarded_on": "2024-07-01"}),
        )
        .await
        .expect(201);
    let n1 = w.recommended(&w.student).await;
    let n2 = w.recommended(&second).await;
    // The second becomes ineligible after its recommendation.
    let sanction = w
        .app
        .post(
            &format!("/api/v1/students/{second}/sanctions"),
            &w.admin,
            json!({"kind": "警告", "reason": "x", "imposed_on": "2025-01-01"}),
        )
        .await
        .expect(201)
        .id();
    let body = json!({"college_id": w.college, "academic_year_id": w.year});
    let res = w.app.post("/api/v1/appointments/bulk", &w.admin, body.clone()).await.expect(422);
    assert_eq!(res.error_fields(), [format!("nominations[{n2}]")]);
    assert_eq!(res.body["errors"][0]["code"], "not_eligible");
    assert_eq!(w.app.get("/api/v1/appointments", &w.admin).await.body["total"], 0);
    assert_eq!(w.app.get(&format!("/api/v1/nominations/{n1}"), &w.admin).await.body["state"], "recommended");

    w.app
        .post(
            &format!("/api/v1/students/{second}/sanctions/{sanction}/lift"),
            &w.admin,
            json!({"lifted_on": "2025-06-01"}),
        )
        .await
        .expect(200);
    let res = w.app.post("/api/v1/appointments/bulk", &w.admin, body.clone()).await.expect(200);
    assert_eq!(res.body["appointed"], 2);
    assert_eq!(w.app.get("/api/v1/appointments?state=active", &w.admin).await.body["total"], 2);
    let res = w.app.post("/api/v1/appointments/bulk", &w.admin, body).await.expect(200);
    assert_eq!(res.body["appointed"], 0);
    w.app
        .post(
            "/api/v1/appointments/bulk",
            &w.college_admin,
            json!({"college_id": w.college, "academic_year_id": w.year}),
        )
        .await
        .expect(403);
}

#[actix_web::test]
async fn honours_and_sanctions_follow_the_students_visibility() {
    let w = world().await;
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    w.app.get(&format!("/api/v1/students/{}/honors", w.student), &ee_admin).await.expect(404);
    w.app
        .post(
            &format!("/api/v1/students/{}/honors", w.student),
            &ee_admin,
            json!({"title": "x", "level": "national", "awarded_on": "2024-01-01"}),
        )
        .await
        .expect(404);
    let honors = w.app.get(&format!("/api/v1/students/{}/honors", w.student), &w.college_admin).await.expect(200);
    assert_eq!(honors.body["items"][0]["title"], "优秀研究生");
    let dup = w
        .app
        .post(
            &format!("/api/v1/students/{}/honors", w.student),
            &w.admin,
            json!({"title": "优秀研究生", "level": "university", "awarded_on": "2024-12-01"}),
        )
        .await
        .expect(409);
    assert_eq!(dup.code(), "duplicate");
    let bad = w
        .app
        .post(
            &format!("/api/v1/students/{}/honors", w.student),
            &w.admin,
            json!({"title": "", "level": "cosmic", "awarded_on": "2024-12-01"}),
        )
        .await
        .expect(422);
    // The unknown level and the empty title are both named in one answer.
    assert_eq!(bad.error_fields(), ["level", "title"]);

    let s = w
        .app
        .post(
            &format!("/api/v1/students/{}/sanctions", w.student),
            &w.college_admin,
            json!({"kind": "警告", "reason": "x", "imposed_on": "2025-01-01", "lifted_on": "2024-01-01"}),
        )
        .await
        .expect(422);
    assert_eq!(s.error_fields(), ["lifted_on"]);
    w.app
        .post(
            &format!("/api/v1/students/{}/sanctions", w.student),
            &w.college_admin,
            json!({"kind": "警告", "reason": "x", "imposed_on": "2025-01-01"}),
        )
        .await
        .expect(201);
    // Sanctions are confidential: the student and their supervisor do not see them.
    let me = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;
    w.app.get(&format!("/api/v1/students/{}/honors", w.student), &me).await.expect(200);
    w.app.get(&format!("/api/v1/students/{}/sanctions", w.student), &me).await.expect(403);
    w.app.get(&format!("/api/v1/students/{}/sanctions", w.student), &ee_admin).await.expect(404);
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.college})).await;
    assert_eq!(
        w.app.get(&format!("/api/v1/students/{}/sanctions", w.student), &counselor).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn closing_a_year_while_mentors_are_dismissed_paired_and_appointed_leaves_nothing_active() {
    let w = world().await;
    let a = w
        .app
        .post("/api/v1/appointments", &w.admin, json!({"nomination_id": w.recommended(&w.student).await}))
        .await
        .expect(201)
        .id();
    let second = w.senior("2023070", json!({})).await;
    let b = w
        .app
        .post("/api/v1/appointments", &w.admin, json!({"nomination_id": w.recommended(&second).await}))
        .await
        .expect(201)
        .id();
    let third = w.senior("2023071", json!({})).await;
    let pending = w.recommended(&third).await;
    let freshman = w.app.student(&w.admin, &w.college, "2025001", json!({"enrollment_year": 2025})).await;

    let close_path = format!("/api/v1/academic-years/{}/close", w.year);
    let dismiss_path = format!("/api/v1/appointments/{a}/dismissal");
    let close = w.app.post(&close_path, &w.admin, json!({}));
    let dismiss = w.app.post(&dismiss_path, &w.admin, json!({"reason": "解聘"}));
    let pair = w.app.post("/api/v1/pairings", &w.college_admin, json!({"appointment_id": b, "mentee_id": freshman}));
    let appoint = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": pending}));
    let (close, dismiss, pair, appoint) = futures_util::join!(close, dismiss, pair, appoint);
    close.expect(200);
    for r in [&dismiss, &pair, &appoint] {
        assert!(r.status.as_u16() < 500, "{}", r.text);
    }
    // Whatever the order, nothing of the closed year is left active, and a dismissal that went
    // through stays a dismissal.
    let list = w.app.get(&format!("/api/v1/appointments?academic_year_id={}", w.year), &w.admin).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the year's appointments are listed: {}", list.text);
    for item in items {
        assert_ne!(item["state"], "active", "{item}");
    }
    let a_state = w.app.get(&format!("/api/v1/appointments/{a}"), &w.admin).await.body["state"].clone();
    if dismiss.status.as_u16() == 200 {
        assert_eq!(a_state, "dismissed");
    } else {
        assert_eq!(a_state, "completed");
    }
    assert_eq!(w.app.get("/api/v1/pairings?state=active", &w.admin).await.body["total"], 0);
    // And after the close nothing new gets in.
    let late = w.senior("2023072", json!({})).await;
    let res = w.nominate(&w.college_admin, &late).await.expect(409);
    assert_eq!(res.code(), "year_closed");
}

fn profile_body(published: bool) -> Value {
    json!({
        "research_direction": "计算机视觉", "bio": "博士三年级，乐于帮助新生适应科研。",
        "deeds": ["2024 年“挑战杯”省赛一等奖", "优秀研究生干部"], "public_contact": "学院 A302 办公室",
        "published": published
    })
}

#[actix_web::test]
async fn a_mentor_publishes_a_profile_without_private_details_and_dismissal_withdraws_it() {
    let w = world().await;
    w.app
        .patch(&format!("/api/v1/students/{}", w.student), &w.admin, json!({"phone": "13912345678"}), None)
        .await
        .expect(200);
    let id = w.recommended(&w.student).await;
    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201).id();
    let mentor = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;
    let path = format!("/api/v1/appointments/{a}/profile");

    // Before anything is written: empty, unpublished, version 0.
    let res = w.app.get(&path, &mentor).await.expect(200);
    assert_eq!((res.body["published"].as_bool(), res.body["version"].as_i64()), (Some(false), Some(0)));
    assert_eq!(res.header("etag").as_deref(), Some("\"0\""));

    // Publishing needs a research direction and a bio; private details are refused, per field.
    let res = w.app.put(&path, &mentor, json!({"published": true}), None).await.expect(422);
    assert_eq!(res.error_fields(), ["research_direction", "bio"]);
    let mut leaky = profile_body(true);
    leaky["public_contact"] = json!("手机 139-1234-5678");
    leaky["deeds"][1] = json!("学号 2023001");
    let res = w.app.put(&path, &mentor, leaky, None).await.expect(422);
    assert_eq!(res.error_fields(), ["public_contact", "deeds[1]"]);
    assert!(res.body["errors"].as_array().unwrap().iter().all(|e| e["code"] == "private_detail"));
    w.app.put(&path, &mentor, json!({"published": true, "nickname": "x"}), None).await.expect(422);
    w.app.put(&path, &mentor, json!({"bio": "x".repeat(2001), "published": false}), None).await.expect(422);

    // An entity tag that names no version never matches, not even a profile never written; a
    // value that is no entity tag at all is refused as such.
    w.app.put(&path, &mentor, profile_body(true), Some("\"garbage\"")).await.expect(412);
    let res = w.app.put(&path, &mentor, profile_body(true), Some("garbage")).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_if_match"), "{}", res.text);
    let res = w.app.put(&path, &mentor, profile_body(true), Some("\"0\"")).await.expect(200);
    assert_eq!(res.body["published"], true);
    assert!(res.body["published_at"].is_string());
    assert_eq!(res.body["deeds"][0], "2024 年“挑战杯”省赛一等奖");
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    // Writing the same again changes nothing; a stale If-Match is 412.
    assert_eq!(w.app.put(&path, &mentor, profile_body(true), None).await.expect(200).body["version"], 1);
    w.app.put(&path, &mentor, profile_body(false), Some("\"0\"")).await.expect(412);

    // Only the mentor and the college write it; another college does not even see it.
    let other = w.senior("2023002", json!({})).await;
    let stranger = w.app.user(&w.admin, "s2023002", Role::Student, json!({"student_id": other})).await;
    w.app.get(&path, &stranger).await.expect(404);
    w.app.put(&path, &stranger, profile_body(false), None).await.expect(404);
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.college})).await;
    assert_eq!(w.app.get(&path, &counselor).await.expect(200).body["published"], true);
    w.app.put(&path, &counselor, profile_body(false), None).await.expect(403);
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    w.app.get(&path, &ee_admin).await.expect(404);
    w.app.get(&format!("/api/v1/appointments/{}/profile", uuid::Uuid::now_v7()), &w.admin).await.expect(404);
    w.app.get("/api/v1/appointments/not-a-uuid/profile", &w.admin).await.expect(400);

    // Dismissal takes it down in the same step; the text stays for the record; no more edits.
    w.app
        .post(&format!("/api/v1/appointments/{a}/dismissal"), &w.admin, json!({"reason": "未履行职责"}))
        .await
        .expect(200);
    let res = w.app.get(&path, &w.college_admin).await.expect(200);
    assert_eq!(res.body["published"], false);
    assert!(res.body["withdrawn_at"].is_string());
    assert!(res.body["published_at"].is_null());
    assert_eq!(res.body["bio"], "博士三年级，乐于帮助新生适应科研。");
    let res = w.app.put(&path, &mentor, profile_body(true), None).await.expect(409);
    assert_eq!(res.code(), "invalid_transition");
    let audit = w.app.get("/api/v1/audit-events?target_type=appointment&page_size=100", &w.admin).await.expect(200);
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"appointment.profile") && actions.contains(&"appointment.profile_withdraw"));
}

#[actix_web::test]
async fn closing_the_year_and_resigning_withdraw_published_profiles() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201).id();
    let s2 = w.senior("2023002", json!({})).await;
    w.app
        .post(
            &format!("/api/v1/students/{s2}/honors"),
            &w.admin,
            json!({"title": "优秀研究生", "level": "university", "awarded_on": "2024-12-01"}),
        )
        .await
        .expect(201);
    let id2 = w.recommended(&s2).await;
    let b = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id2})).await.expect(201).id();
    // The college writes the profiles here (helping its mentors).
    for x in [&a, &b] {
        w.app
            .put(&format!("/api/v1/appointments/{x}/profile"), &w.college_admin, profile_body(true), None)
            .await
            .expect(200);
    }
    let mentor_b = w.app.user(&w.admin, "s2023002", Role::Student, json!({"student_id": s2})).await;
    w.app
        .post(&format!("/api/v1/appointments/{b}/resignation"), &mentor_b, json!({"reason": "出国联合培养"}))
        .await
        .expect(200);
    let res = w.app.get(&format!("/api/v1/appointments/{b}/profile"), &w.admin).await.expect(200);
    assert_eq!(res.body["published"], false);
    assert_eq!(w.app.get(&format!("/api/v1/appointments/{a}/profile"), &w.admin).await.body["published"], true);

    w.app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.admin, json!({})).await.expect(200);
    let res = w.app.get(&format!("/api/v1/appointments/{a}/profile"), &w.admin).await.expect(200);
    assert_eq!(res.body["published"], false);
    assert!(res.body["withdrawn_at"].is_string());
}

#[actix_web::test]
async fn a_profile_published_while_the_mentor_is_dismissed_never_stays_up() {
    let w = world().await;
    let id = w.recommended(&w.student).await;
    let a = w.app.post("/api/v1/appointments", &w.admin, json!({"nomination_id": id})).await.expect(201).id();
    let mentor = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.student})).await;
    let path = format!("/api/v1/appointments/{a}/profile");
    let mut bodies: Vec<Value> = (0..8)
        .map(|i| {
            let mut b = profile_body(true);
            b["bio"] = json!(format!("第{i}版简介"));
            b
        })
        .collect();
    bodies.push(json!(null));
    let results = futures_util::future::join_all(bodies.into_iter().map(|b| {
        let (app, mentor, admin, path, a) = (&w.app, &mentor, &w.admin, &path, &a);
        async move {
            if b.is_null() {
                app.post(&format!("/api/v1/appointments/{a}/dismissal"), admin, json!({"reason": "未履行职责"})).await
            } else {
                app.put(path, mentor, b, None).await
            }
        }
    }))
    .await;
    for r in &results {
        assert!([200, 409].contains(&r.status.as_u16()), "{}: {}", r.status, r.text);
    }
    assert_eq!(w.app.get(&format!("/api/v1/appointments/{a}"), &w.admin).await.body["state"], "dismissed");
    assert_eq!(w.app.get(&path, &w.admin).await.expect(200).body["published"], false);
}
