//! The year's assessment (考核, issue 15): the college grades within the academic year's window,
//! the university confirms and may change the grade; a dismissed mentor is unsatisfactory by
//! definition; who may read and grade; what the feed and the audit log say.

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, Utc};
use serde_json::{Value, json};
use xuezhang_tests::*;

const COMMENT: &str = "全年未开展结对帮扶工作";

fn today() -> NaiveDate {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap()).date_naive()
}

struct World {
    app: TestApp,
    admin: String,
    year: String,
    cs_admin: String,
    cs_counselor: String,
    ee_admin: String,
    mentor: String,
    a: String,
    d: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let cs_counselor = app.user(&admin, "cs-counselor", Role::Counselor, json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let appoint = |no: &'static str| {
        let (app, admin, cs, year, lab) = (&app, &admin, &cs, &year, &lab);
        async move {
            let s = app.student(admin, cs, no, json!({"enrollment_year": first - 2})).await;
            let m = MentorBuilder::new(app, admin)
                .student(&s)
                .year(year)
                .unit(lab)
                .justification("表现突出")
                .appoint()
                .await;
            (s, m.appointment.0)
        }
    };
    let (a_student, a) = appoint("2023001").await;
    let (_, d) = appoint("2023002").await;
    let mentor = app.user(&admin, "s2023001", Role::Student, json!({"student_id": a_student})).await;
    World { app, admin, year, cs_admin, cs_counselor, ee_admin, mentor, a, d }
}

impl World {
    fn path(&self, appointment: &str) -> String {
        format!("/api/v1/appointments/{appointment}/assessment")
    }

    async fn grade(&self, token: &str, appointment: &str, body: Value, if_match: Option<&str>) -> Res {
        self.app.put(&self.path(appointment), token, body, if_match).await
    }

    async fn confirm(&self, token: &str, appointment: &str, body: Value) -> Res {
        self.app.post(&format!("{}/confirm", self.path(appointment)), token, body).await
    }

    /// Sets the year's assessment window to `opens` … `closes` days from today.
    async fn window(&self, opens: i64, closes: i64) {
        let y = self.app.get(&format!("/api/v1/academic-years/{}", self.year), &self.admin).await.expect(200);
        let etag = y.header("etag").unwrap();
        let res = self
            .app
            .patch(
                &format!("/api/v1/academic-years/{}", self.year),
                &self.admin,
                json!({"assessment_opens_on": (today() + Duration::days(opens)).to_string(),
                       "assessment_closes_on": (today() + Duration::days(closes)).to_string()}),
                Some(&etag),
            )
            .await
            .expect(200);
        assert_eq!(res.body["assessment_opens_on"], (today() + Duration::days(opens)).to_string());
    }
}

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

#[actix_web::test]
async fn the_college_grades_within_the_window_and_the_university_confirms_or_changes() {
    let w = world().await;
    let app = &w.app;
    let before = app.get(&w.path(&w.a), &w.cs_admin).await.expect(200);
    assert_eq!((before.body["grade"].clone(), before.body["state"].clone()), (Value::Null, Value::Null));
    assert_eq!(before.body["version"], 0);

    // No window on the year yet, then one that opens in five days: closed both times.
    let body = json!({"grade": "excellent", "comment": "结对帮扶扎实"});
    assert_problem(&w.grade(&w.cs_admin, &w.a, body.clone(), None).await, 409, "assessment_closed");
    w.window(5, 20).await;
    assert_problem(&w.grade(&w.cs_admin, &w.a, body.clone(), None).await, 409, "assessment_closed");
    assert_problem(&w.confirm(&w.admin, &w.a, body.clone()).await, 409, "assessment_closed");

    // Open: the college grades.
    app.advance_clock(Duration::days(6));
    let g = w.grade(&w.cs_admin, &w.a, body.clone(), None).await.expect(200);
    assert_eq!((g.body["grade"].as_str(), g.body["state"].as_str()), (Some("excellent"), Some("graded")));
    assert_eq!(g.header("etag").as_deref(), Some("\"1\""));
    assert!(g.body["dismissal_url"].is_null());
    assert_eq!(g.body["assessment_closes_on"], (today() + Duration::days(20)).to_string());

    // Who may: another college's admin does not see it, the counselor and the mentor see it but
    // do not grade, and nobody but the university confirms.
    w.grade(&w.ee_admin, &w.a, body.clone(), None).await.expect(404);
    app.get(&w.path(&w.a), &w.ee_admin).await.expect(404);
    w.confirm(&w.ee_admin, &w.a, json!({})).await.expect(404);
    w.grade(&w.cs_counselor, &w.a, body.clone(), None).await.expect(403);
    w.grade(&w.mentor, &w.a, body.clone(), None).await.expect(403);
    assert_eq!(app.get(&w.path(&w.a), &w.mentor).await.expect(200).body["grade"], "excellent");
    w.confirm(&w.cs_admin, &w.a, json!({})).await.expect(403);
    w.grade(&w.admin, &uuid::Uuid::now_v7().to_string(), body.clone(), None).await.expect(404);

    // Bad input, field by field.
    let bad = w.grade(&w.cs_admin, &w.a, json!({"grade": "outstanding"}), None).await.expect(422);
    assert_eq!(bad.error_fields(), ["grade"]);
    let bad = w.grade(&w.cs_admin, &w.a, json!({"grade": "unsatisfactory"}), None).await.expect(422);
    assert_eq!(bad.error_fields(), ["comment"]);
    let long = json!({"grade": "competent", "comment": "长".repeat(1001)});
    assert_eq!(w.grade(&w.cs_admin, &w.a, long, None).await.expect(422).error_fields(), ["comment"]);
    w.grade(&w.cs_admin, &w.a, json!({"grade": "competent", "extra": 1}), None).await.expect(422);

    // Unsatisfactory: the answer links to the dismissal (nothing is dismissed by it).
    let unsat = json!({"grade": "unsatisfactory", "comment": COMMENT});
    let u = w.grade(&w.cs_admin, &w.a, unsat.clone(), Some("\"1\"")).await.expect(200);
    assert_eq!(u.body["dismissal_url"], format!("/api/v1/appointments/{}/dismissal", w.a));
    assert_eq!(u.body["version"], 2);
    assert_eq!(app.get(&format!("/api/v1/appointments/{}", w.a), &w.admin).await.expect(200).body["state"], "active");
    // A stale If-Match: 412.
    w.grade(&w.cs_admin, &w.a, unsat, Some("\"1\"")).await.expect(412);

    // The university confirms and changes the grade; the college can no longer change it.
    let c =
        w.confirm(&w.admin, &w.a, json!({"grade": "competent", "comment": "工作记录偏少，定为合格"})).await.expect(200);
    assert_eq!((c.body["grade"].as_str(), c.body["state"].as_str()), (Some("competent"), Some("confirmed")));
    assert!(c.body["confirmed_by"].is_string() && c.body["confirmed_at"].is_string());
    assert!(c.body["dismissal_url"].is_null());
    assert_problem(&w.grade(&w.cs_admin, &w.a, body.clone(), None).await, 409, "invalid_transition");

    // After the window the college is closed; the university may still change the grade.
    app.advance_clock(Duration::days(20));
    assert_problem(&w.grade(&w.cs_admin, &w.d, body.clone(), None).await, 409, "assessment_closed");
    let c = w.confirm(&w.admin, &w.a, json!({"grade": "excellent"})).await.expect(200);
    assert_eq!(
        (c.body["grade"].as_str(), c.body["comment"].as_str()),
        (Some("excellent"), Some("工作记录偏少，定为合格"))
    );
    // Confirming with nothing recorded needs a grade.
    assert_eq!(w.confirm(&w.admin, &w.d, json!({})).await.expect(422).error_fields(), ["grade"]);

    // The feed and the audit log carry ids and grades, never the comment.
    let feed = app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let events: Vec<&Value> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("assessment."))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["assessment.graded", "assessment.graded", "assessment.confirmed", "assessment.confirmed"]);
    assert!(!feed.text.contains(COMMENT) && !feed.text.contains("合格"), "{}", feed.text);
    let audit = app.get("/api/v1/audit-events?target_type=assessment&page_size=100", &w.admin).await.expect(200);
    assert_eq!(audit.body["total"], 4);
    assert!(!audit.text.contains(COMMENT));
}

#[actix_web::test]
async fn a_dismissed_mentor_is_unsatisfactory_by_definition() {
    let w = world().await;
    let app = &w.app;
    w.window(0, 30).await;
    // A graded competent, then dismissed: reads unsatisfactory from then on.
    w.grade(&w.cs_admin, &w.a, json!({"grade": "competent"}), None).await.expect(200);
    for m in [&w.a, &w.d] {
        app.post(&format!("/api/v1/appointments/{m}/dismissal"), &w.admin, json!({"reason": "未履行学长职责"}))
            .await
            .expect(200);
    }
    let a = app.get(&w.path(&w.a), &w.cs_admin).await.expect(200);
    assert_eq!((a.body["grade"].as_str(), a.body["dismissed"].as_bool()), (Some("unsatisfactory"), Some(true)));
    assert!(a.body["dismissal_url"].is_null(), "already dismissed");
    // D, never graded, reads unsatisfactory too, and cannot be graded otherwise.
    let d = app.get(&w.path(&w.d), &w.cs_admin).await.expect(200);
    assert_eq!((d.body["grade"].as_str(), d.body["state"].clone()), (Some("unsatisfactory"), Value::Null));
    let res = w.grade(&w.cs_admin, &w.d, json!({"grade": "excellent"}), None).await.expect(422);
    assert_eq!(res.error_fields(), ["grade"]);
    assert_eq!(res.body["errors"][0]["code"], "not_eligible");
    w.confirm(&w.admin, &w.d, json!({"grade": "competent", "comment": "x"})).await.expect(422);
    let ok = w.grade(&w.cs_admin, &w.d, json!({"grade": "unsatisfactory", "comment": COMMENT}), None).await.expect(200);
    assert_eq!(ok.body["state"], "graded");
    // The university confirms it without repeating the grade.
    let c = w.confirm(&w.admin, &w.d, json!({})).await.expect(200);
    assert_eq!((c.body["grade"].as_str(), c.body["state"].as_str()), (Some("unsatisfactory"), Some("confirmed")));
}

#[actix_web::test]
async fn the_window_on_the_year_is_checked_and_shown() {
    let w = world().await;
    let path = format!("/api/v1/academic-years/{}", w.year);
    let y = w.app.get(&path, &w.admin).await.expect(200);
    assert!(y.body["assessment_opens_on"].is_null() && y.body["assessment_closes_on"].is_null());
    let t = today();
    // Closing before opening, or only one of the two: 422 naming the field.
    let bad = w
        .app
        .patch(
            &path,
            &w.admin,
            json!({"assessment_opens_on": (t + Duration::days(5)).to_string(), "assessment_closes_on": t.to_string()}),
            Some("\"1\""),
        )
        .await
        .expect(422);
    assert_eq!(bad.error_fields(), ["assessment_closes_on"]);
    let bad = w.app.patch(&path, &w.admin, json!({"assessment_opens_on": t.to_string()}), Some("\"1\"")).await;
    assert_eq!(bad.expect(422).error_fields(), ["assessment_closes_on"]);
    // A college admin does not set it.
    w.app.patch(&path, &w.cs_admin, json!({"assessment_opens_on": t.to_string()}), Some("\"1\"")).await.expect(403);
    w.window(1, 10).await;
    let y = w.app.get(&path, &w.cs_admin).await.expect(200);
    assert_eq!(y.body["assessment_closes_on"], (t + Duration::days(10)).to_string());
}
