//! Pairing (结对子): manual pairing and its rules, capacity under concurrency, auto-matching,
//! dismissal releasing mentees, who sees what, feedback, the orientation milestone.

use serde_json::{Value, json};
use xuezhang_tests::*;

/// A college with a discipline and two labs in it, another discipline's lab, an academic year,
/// and a helper to appoint mentors.
struct World {
    app: TestApp,
    admin: String,
    college_admin: String,
    college: String,
    lab1: String,
    lab2: String,
    lab3: String,
    year: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let d1 = app.unit(&admin, &college, "CS-D1", "discipline").await;
    let d2 = app.unit(&admin, &college, "CS-D2", "discipline").await;
    let mk = |code: &str, d: &str| json!({"code": code, "name": format!("实验室{code}"), "kind": "laboratory", "college_id": college, "discipline_id": d});
    let lab1 = app.post("/api/v1/units", &admin, mk("L1", &d1)).await.expect(201).id();
    let lab2 = app.post("/api/v1/units", &admin, mk("L2", &d1)).await.expect(201).id();
    let lab3 = app.post("/api/v1/units", &admin, mk("L3", &d2)).await.expect(201).id();
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let college_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": college})).await;
    World { app, admin, college_admin, college, lab1, lab2, lab3, year }
}

impl World {
    /// Appoints a new senior (enrolled 2023) serving `unit` with `capacity`; returns (appointment, student).
    async fn mentor(&self, no: &str, unit: &str, capacity: i32) -> (String, String) {
        let s = self
            .app
            .student(
                &self.admin,
                &self.college,
                no,
                json!({"enrollment_year": 2023, "unit_id": unit, "name": format!("学长{no}")}),
            )
            .await;
        let a = MentorBuilder::new(&self.app, &self.admin)
            .student(&s)
            .year(&self.year)
            .unit(unit)
            .nominated_by(&self.college_admin)
            .statement("优秀")
            .justification("表现突出")
            .capacity(capacity)
            .appoint()
            .await
            .appointment
            .into();
        (a, s)
    }

    async fn freshman(&self, no: &str, unit: Option<&str>) -> String {
        let mut extra =
            json!({"enrollment_year": 2025, "political_status": "league_member", "name": format!("新生{no}")});
        if let Some(u) = unit {
            extra["unit_id"] = json!(u);
        }
        self.app.student(&self.admin, &self.college, no, extra).await
    }

    async fn pair(&self, token: &str, appointment: &str, mentee: &str) -> Res {
        self.app.post("/api/v1/pairings", token, json!({"appointment_id": appointment, "mentee_id": mentee})).await
    }

    async fn auto(&self, dry_run: bool) -> Res {
        self.app
            .post(
                "/api/v1/pairings/auto-match",
                &self.college_admin,
                json!({"academic_year_id": self.year, "college_id": self.college, "dry_run": dry_run}),
            )
            .await
    }
}

#[actix_web::test]
async fn manual_pairing_follows_every_rule_with_its_code() {
    let w = world().await;
    let (a, _) = w.mentor("2023001", &w.lab1, 2).await;
    let f1 = w.freshman("2025001", Some(&w.lab1)).await;
    let p = w.pair(&w.college_admin, &a, &f1).await.expect(201);
    assert_eq!(p.body["state"], "active");
    assert_eq!(p.body["cross_unit"], false);
    assert_eq!(p.body["source"], "manual");
    assert_eq!(p.body["mentee"]["name"], "新生2025001");
    assert!(p.header("location").is_some());

    let f2 = w.freshman("2025002", Some(&w.lab3)).await;
    assert_eq!(w.pair(&w.college_admin, &a, &f2).await.expect(201).body["cross_unit"], true);
    let f3 = w.freshman("2025003", None).await;
    assert_eq!(w.pair(&w.college_admin, &a, &f3).await.expect(409).code(), "capacity_exceeded");

    let (b, _) = w.mentor("2023002", &w.lab1, 5).await;
    assert_eq!(w.pair(&w.college_admin, &b, &f1).await.expect(409).code(), "mentee_already_paired");
    let peer = w.app.student(&w.admin, &w.college, "2023099", json!({"enrollment_year": 2023})).await;
    assert_eq!(w.pair(&w.college_admin, &b, &peer).await.expect(409).code(), "mentor_not_senior");
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let outsider = w.app.student(&w.admin, &ee, "2025901", json!({"enrollment_year": 2025})).await;
    assert_eq!(w.pair(&w.college_admin, &b, &outsider).await.expect(409).code(), "different_college");
    let res = w.pair(&w.college_admin, &b, &uuid::Uuid::now_v7().to_string()).await.expect(422);
    assert_eq!(res.error_fields(), ["mentee_id"]);
    w.pair(&w.college_admin, &uuid::Uuid::now_v7().to_string(), &f3).await.expect(404);
    let res = w.app.post("/api/v1/pairings", &w.college_admin, json!({"appointment_id": b})).await.expect(422);
    assert_eq!(res.error_fields(), ["mentee_id"]);

    w.app.post(&format!("/api/v1/appointments/{b}/dismissal"), &w.admin, json!({"reason": "解聘"})).await.expect(200);
    assert_eq!(w.pair(&w.college_admin, &b, &f3).await.expect(409).code(), "appointment_not_active");
    // Only the college's admin or the university pair.
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.college})).await;
    w.pair(&counselor, &a, &f3).await.expect(403);
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    w.pair(&ee_admin, &a, &f3).await.expect(404);
}

#[actix_web::test]
async fn fifty_concurrent_pairings_against_capacity_three_make_exactly_three() {
    let w = world().await;
    let (a, _) = w.mentor("2023001", &w.lab1, 3).await;
    let mut freshmen = Vec::new();
    for i in 0..50 {
        freshmen.push(w.freshman(&format!("2025{i:03}"), Some(&w.lab1)).await);
    }
    let results = futures_util::future::join_all(freshmen.iter().map(|f| w.pair(&w.college_admin, &a, f))).await;
    let made = results.iter().filter(|r| r.status.as_u16() == 201).count();
    let full = results.iter().filter(|r| r.status.as_u16() == 409 && r.code() == "capacity_exceeded").count();
    assert_eq!((made, full), (3, 47), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    let mentees = w.app.get(&format!("/api/v1/appointments/{a}/mentees"), &w.college_admin).await.expect(200);
    assert_eq!(mentees.body["items"].as_array().unwrap().len(), 3);

    // And one mentee cannot get two mentors at once either.
    let (b, _) = w.mentor("2023002", &w.lab1, 10).await;
    let (c, _) = w.mentor("2023003", &w.lab1, 10).await;
    let lonely = w.freshman("2025999", Some(&w.lab1)).await;
    let race = futures_util::future::join_all(
        (0..10).map(|i| w.pair(&w.college_admin, if i % 2 == 0 { &b } else { &c }, &lonely)),
    )
    .await;
    assert_eq!(race.iter().filter(|r| r.status.as_u16() == 201).count(), 1);
    assert!(race.iter().filter(|r| r.status.as_u16() != 201).all(|r| r.code() == "mentee_already_paired"));
}

fn tiers(res: &Res) -> Vec<(String, String)> {
    res.body["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["mentee"]["student_no"].as_str().unwrap().to_owned(), p["tier"].as_str().unwrap().to_owned()))
        .collect()
}

#[actix_web::test]
async fn auto_match_dry_run_writes_nothing_and_commit_writes_exactly_the_proposal() {
    let w = world().await;
    let (m1, _) = w.mentor("2023001", &w.lab1, 2).await;
    let (m2, _) = w.mentor("2023002", &w.lab3, 1).await;
    w.freshman("2025001", Some(&w.lab1)).await;
    w.freshman("2025002", Some(&w.lab2)).await;
    w.freshman("2025003", Some(&w.lab3)).await;
    w.freshman("2025004", None).await;
    // A senior student is not a freshman and is left out.
    w.app.student(&w.admin, &w.college, "2024001", json!({"enrollment_year": 2024})).await;

    let dry = w.auto(true).await.expect(200);
    assert_eq!(dry.body["committed"], false);
    assert_eq!(
        tiers(&dry),
        [
            ("2025001".to_owned(), "same_unit".to_owned()),
            ("2025002".to_owned(), "same_discipline".to_owned()),
            ("2025003".to_owned(), "same_unit".to_owned()),
        ]
    );
    assert_eq!(dry.body["unmatched"][0]["mentee"]["student_no"], "2025004");
    assert_eq!(dry.body["unmatched"][0]["reason"], "no_capacity_left");
    assert_eq!(w.app.get("/api/v1/pairings", &w.admin).await.body["total"], 0);
    // Deterministic: the same input gives the same proposal.
    assert_eq!(w.auto(true).await.expect(200).body, dry.body);

    let done = w.auto(false).await.expect(200);
    assert_eq!(done.body["committed"], true);
    assert_eq!(done.body["pairs"], dry.body["pairs"]);
    let list = w.app.get("/api/v1/pairings?state=active&page_size=100", &w.admin).await.expect(200);
    assert_eq!(list.body["total"], 3);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{}", list.text);
    assert!(items.iter().all(|p| p["source"] == "auto_match"));
    let count = |a: &str| list.body["items"].as_array().unwrap().iter().filter(|p| p["appointment_id"] == a).count();
    assert_eq!((count(&m1), count(&m2)), (2, 1));
    // Matching again finds nothing left to pair but the unmatched freshman.
    let again = w.auto(false).await.expect(200);
    assert_eq!(again.body["pairs"].as_array().unwrap().len(), 0);
    assert_eq!(again.body["unmatched"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn committing_a_stale_proposal_never_exceeds_a_capacity() {
    let w = world().await;
    let (m1, _) = w.mentor("2023001", &w.lab1, 2).await;
    let f1 = w.freshman("2025001", Some(&w.lab1)).await;
    w.freshman("2025002", Some(&w.lab1)).await;
    let dry = w.auto(true).await.expect(200);
    assert_eq!(dry.body["pairs"].as_array().unwrap().len(), 2);
    // Meanwhile someone pairs a third freshman by hand.
    let late = w.freshman("2025003", Some(&w.lab1)).await;
    w.pair(&w.college_admin, &m1, &late).await.expect(201);
    let done = w.auto(false).await.expect(200);
    assert_eq!(done.body["pairs"].as_array().unwrap().len(), 1);
    assert_eq!(done.body["pairs"][0]["mentee"]["id"], f1);
    let mentees = w.app.get(&format!("/api/v1/appointments/{m1}/mentees"), &w.admin).await.expect(200);
    assert_eq!(mentees.body["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn auto_match_input_and_rights_are_checked() {
    let w = world().await;
    let res = w
        .app
        .post(
            "/api/v1/pairings/auto-match",
            &w.college_admin,
            json!({"academic_year": "2025-2027", "college_id": w.college}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["academic_year"]);
    let res = w
        .app
        .post(
            "/api/v1/pairings/auto-match",
            &w.college_admin,
            json!({"academic_year": "2030-2031", "college_id": w.college}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["academic_year"]);
    // By id works too, and the default is a dry run.
    let res = w
        .app
        .post(
            "/api/v1/pairings/auto-match",
            &w.college_admin,
            json!({"academic_year": w.year, "college_id": w.college}),
        )
        .await
        .expect(200);
    assert_eq!(res.body["committed"], false);
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    w.app
        .post("/api/v1/pairings/auto-match", &w.college_admin, json!({"academic_year": w.year, "college_id": ee}))
        .await
        .expect(403);
}

#[actix_web::test]
async fn auto_match_takes_academic_year_id_and_the_deprecated_academic_year_for_one_version() {
    let w = world().await;
    w.mentor("2023001", &w.lab1, 2).await;
    w.freshman("2025001", Some(&w.lab1)).await;
    let auto = |body: serde_json::Value| w.app.post("/api/v1/pairings/auto-match", &w.college_admin, body);
    let by_id = auto(json!({"academic_year_id": w.year, "college_id": w.college})).await.expect(200);
    assert_eq!(by_id.body["pairs"].as_array().unwrap().len(), 1);
    // The old name, by code or by id, proposes the same; both names are fine when they agree.
    for old in [json!("2025-2026"), json!(w.year)] {
        let res = auto(json!({"academic_year": old, "college_id": w.college})).await.expect(200);
        assert_eq!(res.body, by_id.body);
    }
    auto(json!({"academic_year": "2025-2026", "academic_year_id": w.year, "college_id": w.college})).await.expect(200);
    let other = w.app.post("/api/v1/academic-years", &w.admin, json!({"code": "2026-2027"})).await.expect(201).id();
    let res = auto(json!({"academic_year": "2025-2026", "academic_year_id": other, "college_id": w.college}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["academic_year"]);
    let res = auto(json!({"college_id": w.college})).await.expect(422);
    assert_eq!(res.error_fields(), ["academic_year_id"]);
    let res = auto(json!({"academic_year_id": "2025-2026", "college_id": w.college})).await.expect(422);
    assert_eq!(res.error_fields(), ["academic_year_id"]);
}

#[actix_web::test]
async fn dismissing_a_mentor_ends_their_pairings_and_the_mentees_need_a_mentor_again() {
    let w = world().await;
    let (a, _) = w.mentor("2023001", &w.lab1, 3).await;
    let f1 = w.freshman("2025001", Some(&w.lab1)).await;
    let f2 = w.freshman("2025002", Some(&w.lab1)).await;
    w.pair(&w.college_admin, &a, &f1).await.expect(201);
    w.pair(&w.college_admin, &a, &f2).await.expect(201);
    let q = format!("/api/v1/pairings/unpaired?academic_year_id={}&college_id={}", w.year, w.college);
    assert_eq!(w.app.get(&q, &w.college_admin).await.expect(200).body["items"].as_array().unwrap().len(), 0);

    let res = w
        .app
        .post(&format!("/api/v1/appointments/{a}/dismissal"), &w.admin, json!({"reason": "未履行职责"}))
        .await
        .expect(200);
    let released: Vec<&str> =
        res.body["released_mentees"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(released.len(), 2);
    assert!(released.contains(&f1.as_str()) && released.contains(&f2.as_str()));
    let pairings = w.app.get(&format!("/api/v1/pairings?appointment_id={a}"), &w.admin).await.expect(200);
    let items = pairings.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", pairings.text);
    for p in items {
        assert_eq!(p["state"], "ended");
        assert_eq!(p["end_reason"], "dismissal");
    }
    let unpaired = w.app.get(&q, &w.college_admin).await.expect(200);
    let items = unpaired.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["reason"] == "mentor_left"));
    // They can be paired again, by hand or by auto-matching.
    let (b, _) = w.mentor("2023002", &w.lab1, 3).await;
    let res = w.auto(false).await.expect(200);
    assert_eq!(res.body["pairs"].as_array().unwrap().len(), 2);
    assert!(res.body["pairs"].as_array().unwrap().iter().all(|p| p["appointment_id"] == b));
    let feed = w.app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.iter().filter(|t| **t == "pairing.ended").count(), 2);
    assert_eq!(types.iter().filter(|t| **t == "pairing.made").count(), 4);
}

#[actix_web::test]
async fn mentors_mentees_supervisors_and_colleges_each_see_their_part() {
    let w = world().await;
    let supervisor = w.app.staff(&w.admin, &w.college, "T1001", true).await;
    let (a, mentor_student) = w.mentor("2023001", &w.lab1, 3).await;
    let f1 = w
        .app
        .student(
            &w.admin,
            &w.college,
            "2025001",
            json!({"enrollment_year": 2025, "phone": "13800000000", "supervisor_id": supervisor}),
        )
        .await;
    let f2 = w.freshman("2025002", Some(&w.lab1)).await;
    let p1 = w.pair(&w.college_admin, &a, &f1).await.expect(201).id();
    let p2 = w.pair(&w.college_admin, &a, &f2).await.expect(201).id();
    let mentor = w.app.user(&w.admin, "mentor1", Role::Student, json!({"student_id": mentor_student})).await;
    w.app
        .patch(&format!("/api/v1/appointments/{a}"), &mentor, json!({"contact_for_mentees": "微信 xuezhang2023"}), None)
        .await
        .expect(200);
    // The mentor cannot change their own capacity.
    w.app.patch(&format!("/api/v1/appointments/{a}"), &mentor, json!({"capacity": 30}), None).await.expect(403);

    let mentees = w.app.get(&format!("/api/v1/appointments/{a}/mentees"), &mentor).await.expect(200);
    let first = &mentees.body["items"][0];
    assert_eq!(first["mentee"]["id"], f1);
    assert_eq!(first["mentee_contact"]["phone"], "13800000000");

    let mentee = w.app.user(&w.admin, "mentee1", Role::Student, json!({"student_id": f1})).await;
    let mine = w.app.get("/api/v1/pairings", &mentee).await.expect(200);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["mentor"]["id"], mentor_student);
    assert_eq!(mine.body["items"][0]["mentor_contact"], "微信 xuezhang2023");
    w.app.get(&format!("/api/v1/pairings/{p2}"), &mentee).await.expect(404);
    // The mentor's appointment itself is not the mentee's to read: they see the mentor on the pairing.
    w.app.get(&format!("/api/v1/appointments/{a}/mentees"), &mentee).await.expect(404);

    let sup = w.app.user(&w.admin, "t1001", Role::Supervisor, json!({"staff_id": supervisor})).await;
    let theirs = w.app.get("/api/v1/pairings", &sup).await.expect(200);
    assert_eq!(theirs.body["total"], 1);
    assert_eq!(theirs.body["items"][0]["id"], p1);
    assert!(theirs.body["items"][0].get("mentee_contact").is_none());
    assert_eq!(theirs.body["items"][0]["mentor"]["id"], mentor_student);

    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    w.app.get(&format!("/api/v1/pairings/{p1}"), &ee_admin).await.expect(404);
    assert_eq!(w.app.get("/api/v1/pairings", &ee_admin).await.expect(200).body["total"], 0);
    w.app.post(&format!("/api/v1/pairings/{p1}/end"), &ee_admin, json!({"reason": "reassignment"})).await.expect(404);

    // The mentee may end their own pairing only by request; the college for any reason.
    w.app.post(&format!("/api/v1/pairings/{p1}/end"), &mentee, json!({"reason": "reassignment"})).await.expect(403);
    let res = w
        .app
        .post(&format!("/api/v1/pairings/{p1}/end"), &mentee, json!({"reason": "request", "note": "换课题组"}))
        .await
        .expect(200);
    assert_eq!(res.body["state"], "ended");
    assert_eq!(
        w.app
            .post(&format!("/api/v1/pairings/{p1}/end"), &w.college_admin, json!({"reason": "request"}))
            .await
            .expect(409)
            .code(),
        "invalid_transition"
    );
    let res = w
        .app
        .post(&format!("/api/v1/pairings/{p2}/end"), &w.college_admin, json!({"reason": "whatever"}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["reason"]);
    // Capacity never drops below the active mentees.
    w.pair(&w.college_admin, &a, &w.freshman("2025003", None).await).await.expect(201);
    let res = w
        .app
        .patch(&format!("/api/v1/appointments/{a}"), &w.college_admin, json!({"capacity": 1}), None)
        .await
        .expect(409);
    assert_eq!(res.code(), "capacity_below_mentees");
    w.app.patch(&format!("/api/v1/appointments/{a}"), &w.college_admin, json!({"capacity": 2}), None).await.expect(200);
}

#[actix_web::test]
async fn mentees_rate_their_mentor_once_per_term_and_the_mentor_sees_only_aggregates() {
    let w = world().await;
    let (a, mentor_student) = w.mentor("2023001", &w.lab1, 5).await;
    let mentor = w.app.user(&w.admin, "mentor1", Role::Student, json!({"student_id": mentor_student})).await;
    let mut mentees = Vec::new();
    for i in 0..3 {
        let f = w.freshman(&format!("2025{i:03}"), Some(&w.lab1)).await;
        let p = w.pair(&w.college_admin, &a, &f).await.expect(201).id();
        let token = w.app.user(&w.admin, &format!("mentee{i}"), Role::Student, json!({"student_id": f})).await;
        mentees.push((p, token));
    }
    let (p0, t0) = &mentees[0];
    let res = w.app.post(&format!("/api/v1/pairings/{p0}/feedback"), t0, json!({"rating": 6})).await.expect(422);
    assert_eq!(res.error_fields(), ["rating"]);
    w.app
        .post(&format!("/api/v1/pairings/{p0}/feedback"), t0, json!({"rating": 5, "comment": "学长非常耐心"}))
        .await
        .expect(201);
    assert_eq!(
        w.app.post(&format!("/api/v1/pairings/{p0}/feedback"), t0, json!({"rating": 4})).await.expect(409).code(),
        "duplicate"
    );
    // Nobody else rates on the mentee's behalf.
    w.app.post(&format!("/api/v1/pairings/{p0}/feedback"), &mentor, json!({"rating": 5})).await.expect(403);
    w.app.post(&format!("/api/v1/pairings/{p0}/feedback"), &w.college_admin, json!({"rating": 5})).await.expect(403);
    w.app.post(&format!("/api/v1/pairings/{p0}/feedback"), &mentees[1].1, json!({"rating": 5})).await.expect(404);

    // The world's year (2025-2026) is over, so its terms are closed: the mentor sees the mean of
    // a term once it had three answers (open terms never show one: domain unit tests).
    let summary = w.app.get(&format!("/api/v1/appointments/{a}/feedback"), &mentor).await.expect(200);
    assert_eq!(summary.body, json!({"count": 1, "mean": null}));
    w.app
        .post(&format!("/api/v1/pairings/{}/feedback", mentees[1].0), &mentees[1].1, json!({"rating": 4}))
        .await
        .expect(201);
    w.app
        .post(&format!("/api/v1/pairings/{}/feedback", mentees[2].0), &mentees[2].1, json!({"rating": 3}))
        .await
        .expect(201);
    let summary = w.app.get(&format!("/api/v1/appointments/{a}/feedback"), &mentor).await.expect(200);
    assert_eq!(summary.body, json!({"count": 3, "mean": 4.0}));
    w.app.get(&format!("/api/v1/appointments/{a}/feedback/entries"), &mentor).await.expect(403);
    let entries = w.app.get(&format!("/api/v1/appointments/{a}/feedback/entries"), &w.college_admin).await.expect(200);
    let items: &Vec<Value> = entries.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["comment"], "学长非常耐心");
    assert!(items[0]["mentee_id"].is_string());
}

#[actix_web::test]
async fn the_orientation_introduction_is_recorded_for_the_milestone() {
    let w = world().await;
    let (a, mentor_student) = w.mentor("2023001", &w.lab1, 5).await;
    let mentor = w.app.user(&w.admin, "mentor1", Role::Student, json!({"student_id": mentor_student})).await;
    let res = w
        .app
        .post(
            &format!("/api/v1/appointments/{a}/introduction"),
            &mentor,
            json!({"introduced_on": "2025-09-12", "channel": "wechat", "note": "2025级硕士新生群"}),
        )
        .await
        .expect(200);
    assert_eq!(res.body["introduction"]["introduced_on"], "2025-09-12");
    assert_eq!(res.body["introduction"]["channel"], "wechat");
    let res = w
        .app
        .post(
            &format!("/api/v1/appointments/{a}/introduction"),
            &w.college_admin,
            json!({"introduced_on": "2025-09-20", "channel": "carrier_pigeon"}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["channel"]);
    w.app
        .post(
            &format!("/api/v1/appointments/{a}/introduction"),
            &w.college_admin,
            json!({"introduced_on": "2025-09-20", "channel": "meeting"}),
        )
        .await
        .expect(200);
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    w.app
        .post(
            &format!("/api/v1/appointments/{a}/introduction"),
            &ee_admin,
            json!({"introduced_on": "2025-09-20", "channel": "qq"}),
        )
        .await
        .expect(404);
    let got = w.app.get(&format!("/api/v1/appointments/{a}"), &w.admin).await.expect(200);
    assert_eq!(got.body["introduction"]["channel"], "meeting");
    let feed = w.app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    assert!(feed.body["items"].as_array().unwrap().iter().any(|e| e["type"] == "appointment.introduced"));
}

#[actix_web::test]
async fn pairings_and_appointments_export_as_excel_csv_or_json_with_the_list_filters() {
    let w = world().await;
    let (a, _) = w.mentor("2023001", &w.lab1, 3).await;
    let (b, _) = w.mentor("2023002", &w.lab2, 3).await;
    let f1 = w.freshman("2025001", Some(&w.lab1)).await;
    let f2 = w.freshman("2025002", Some(&w.lab3)).await;
    let f3 = w.freshman("2025003", Some(&w.lab2)).await;
    w.pair(&w.college_admin, &a, &f1).await.expect(201);
    w.pair(&w.college_admin, &a, &f2).await.expect(201);
    w.pair(&w.college_admin, &b, &f3).await.expect(201);
    w.app
        .post(&format!("/api/v1/appointments/{b}/dismissal"), &w.admin, json!({"reason": "未履行职责"}))
        .await
        .expect(200);

    let res = w.app.get("/api/v1/exports/pairings", &w.college_admin).await.expect(200);
    assert_eq!(res.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert!(res.header("content-disposition").unwrap().contains("pairings-"));
    assert!(res.text.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    let lines: Vec<&str> = res.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "学年,学院,学长学号,学长姓名,学长单位代码,新生学号,新生姓名,新生单位代码,跨单位,结对方式,状态,结对日期,结束日期,结束原因,结束说明"
    );
    assert_eq!(lines.len(), 4, "{}", res.text);
    assert!(lines[1].starts_with("2025-2026,计算机学院,2023001,学长2023001,L1,2025001,新生2025001,L1,否,手动,进行中,"));
    assert!(lines[2].contains(",2025002,新生2025002,L3,是,手动,进行中,"), "{}", lines[2]);
    assert!(lines[3].contains(",2025003,新生2025003,L2,否,手动,已结束,"), "{}", lines[3]);
    assert!(lines[3].ends_with(",学长解聘,"), "{}", lines[3]);

    let res = w.app.get("/api/v1/exports/pairings?format=json&state=active", &w.admin).await.expect(200);
    let items = res.body.as_array().unwrap();
    let mentees: Vec<&str> = items.iter().map(|p| p["mentee_student_no"].as_str().unwrap()).collect();
    assert_eq!(mentees, ["2025001", "2025002"]);
    assert_eq!(items[1]["cross_unit"], true);
    assert_eq!(items[1]["source"], "manual");
    assert_eq!(items[0]["mentor_unit"], "L1");
    let res = w.app.get(&format!("/api/v1/exports/pairings?format=json&appointment_id={b}"), &w.admin).await;
    let items = res.expect(200).body;
    assert_eq!(items[0]["end_reason"], "dismissal");
    assert!(items[0]["ended_on"].is_string());
    assert_eq!(items.as_array().unwrap().len(), 1);
    w.app.get("/api/v1/exports/pairings?state=paused", &w.admin).await.expect(400);

    let res = w.app.get("/api/v1/exports/appointments", &w.admin).await.expect(200);
    let lines: Vec<&str> = res.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "学年,学号,姓名,学院,单位代码,名额,状态,聘任日期,培训完成日期,结束日期,结束原因");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("2025-2026,2023001,学长2023001,计算机学院,L1,3,在聘,"), "{}", lines[1]);
    assert!(lines[2].starts_with("2025-2026,2023002,学长2023002,计算机学院,L2,3,解聘,"), "{}", lines[2]);
    assert!(lines[2].ends_with(",未履行职责"), "{}", lines[2]);

    // Another college sees nothing of it; a mentee sees only their own pairing; the feed client
    // without the export scope cannot export.
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let res = w.app.get("/api/v1/exports/pairings?format=json", &ee_admin).await.expect(200);
    assert_eq!(res.body, json!([]));
    let mentee = w.app.user(&w.admin, "mentee1", Role::Student, json!({"student_id": f1})).await;
    let res = w.app.get("/api/v1/exports/pairings?format=json", &mentee).await.expect(200);
    assert_eq!(res.body.as_array().unwrap().len(), 1);
    assert_eq!(res.body[0]["mentee_student_no"], "2025001");
    let token = w.app.client_token(&w.admin, json!(["events:read"])).await;
    w.app.get("/api/v1/exports/pairings", &token).await.expect(403);
}
