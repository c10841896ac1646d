//! Reports (issue 16): milestone compliance per college, read through `GET /reports/compliance`,
//! in a world the test builds (the Oct 31 / Nov 1 boundary in Asia/Shanghai time included), and who
//! may read which college's row.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&shanghai())
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// The academic year running today (Sept 1 → Aug 31, Asia/Shanghai): its first calendar year.
fn current_year() -> i32 {
    let d = today();
    if d.month() >= 9 { d.year() } else { d.year() - 1 }
}

/// `hh:mm` on `day`, Beijing time.
fn beijing(day: NaiveDate, h: u32, m: u32) -> DateTime<FixedOffset> {
    shanghai().from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap()).unwrap()
}

/// CS with mentors A, B and C in one lab, EE with mentor E, LAW with no mentor at all; an admin
/// for CS and EE, a counselor of CS; freshmen of CS (three) and EE (one).
struct World {
    app: TestApp,
    admin: String,
    year: String,
    cs: String,
    ee: String,
    law: String,
    cs_admin: String,
    cs_counselor: String,
    ee_admin: String,
    a: String,
    b: String,
    c: String,
    e: String,
    cs_freshmen: Vec<String>,
    ee_freshmen: Vec<String>,
}

async fn world(introduction_deadline: NaiveDate, salon_deadline: NaiveDate) -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let law = app.college(&admin, "LAW", "法学院").await;
    let cs_lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE-LAB", "laboratory").await;
    app.unit(&admin, &law, "LAW-1", "discipline").await;
    let first = current_year();
    let t = today();
    let year = app
        .post(
            "/api/v1/academic-years",
            &admin,
            json!({"code": format!("{first}-{}", first + 1),
                   "starts_on": (t - Duration::days(60)).to_string(), "ends_on": (t + Duration::days(300)).to_string(),
                   "introduction_deadline": introduction_deadline.to_string(),
                   "salon_deadline": salon_deadline.to_string()}),
        )
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let cs_counselor = app.user(&admin, "cs-counselor", Role::Counselor, json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let mentor = |college: String, unit: String, no: &'static str| {
        let (app, admin, year) = (&app, &admin, &year);
        async move {
            let id = app.student(admin, &college, no, json!({"enrollment_year": first - 2})).await;
            MentorBuilder::new(app, admin).student(&id).year(year).unit(&unit).justification("表现突出").appoint().await
        }
    };
    let a = mentor(cs.clone(), cs_lab.clone(), "2023001").await.appointment.0;
    let b = mentor(cs.clone(), cs_lab.clone(), "2023002").await.appointment.0;
    let c = mentor(cs.clone(), cs_lab.clone(), "2023003").await.appointment.0;
    let e = mentor(ee.clone(), ee_lab.clone(), "2023009").await.appointment.0;
    let freshman = |college: String, unit: String, no: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            app.student(
                admin,
                &college,
                no,
                json!({"enrollment_year": first, "unit_id": unit, "name": format!("新生{no}")}),
            )
            .await
        }
    };
    let mut cs_freshmen = Vec::new();
    for no in ["2026101", "2026102", "2026103"] {
        cs_freshmen.push(freshman(cs.clone(), cs_lab.clone(), no).await);
    }
    let ee_freshmen = vec![freshman(ee.clone(), ee_lab.clone(), "2026901").await];
    World { app, admin, year, cs, ee, law, cs_admin, cs_counselor, ee_admin, a, b, c, e, cs_freshmen, ee_freshmen }
}

impl World {
    async fn compliance(&self, token: &str, extra: &str) -> Value {
        let res =
            self.app.get(&format!("/api/v1/reports/compliance?academic_year_id={}{extra}", self.year), token).await;
        res.expect(200).body
    }

    /// The row of `college` in a compliance body (exactly one).
    fn row<'v>(&self, body: &'v Value, college: &str) -> &'v Value {
        let rows: Vec<&Value> =
            body["colleges"].as_array().unwrap().iter().filter(|r| r["college_id"] == college).collect();
        assert_eq!(rows.len(), 1, "{college} in {body}");
        rows[0]
    }

    /// The admin of `college` (CS or EE).
    fn admin_of(&self, college: &str) -> &str {
        if college == self.ee { &self.ee_admin } else { &self.cs_admin }
    }

    /// A published activity of `college` hosted by `hosts`, from `start` for `minutes`.
    async fn activity(
        &self,
        college: &str,
        kind: &str,
        hosts: &[&str],
        start: DateTime<FixedOffset>,
        minutes: i64,
        venue: &str,
    ) -> String {
        let body = json!({"kind": kind, "title": format!("活动{venue}"), "academic_year_id": self.year,
            "college_id": college, "host_appointment_ids": hosts, "start_at": start.to_rfc3339(),
            "end_at": (start + Duration::minutes(minutes)).to_rfc3339(), "venue": venue, "capacity": 30});
        let token = self.admin_of(college);
        let id = self.app.post("/api/v1/activities", token, body).await.expect(201).id();
        self.app.post(&format!("/api/v1/activities/{id}/publish"), token, json!({})).await.expect(200);
        id
    }

    async fn register(&self, token: &str, id: &str, students: &[String]) {
        self.app
            .post(&format!("/api/v1/activities/{id}/registrations"), token, json!({"student_ids": students}))
            .await
            .expect(201);
    }

    /// Marks `students` attended and records the activity as held (it must have started).
    async fn hold(&self, token: &str, id: &str, students: &[String]) {
        let app = &self.app;
        if !students.is_empty() {
            app.send(
                app.request(reqwest::Method::PUT, &format!("/api/v1/activities/{id}/attendance"), Some(token))
                    .json(&json!({"student_ids": students})),
            )
            .await
            .expect(200);
        }
        app.post(&format!("/api/v1/activities/{id}/complete"), token, json!({"summary": "顺利举行"})).await.expect(200);
    }

    async fn introduce(&self, appointment: &str, on: NaiveDate) {
        self.app
            .post(
                &format!("/api/v1/appointments/{appointment}/introduction"),
                &self.admin,
                json!({"introduced_on": on.to_string(), "channel": "wechat", "note": "新生群"}),
            )
            .await
            .expect(200);
    }

    /// Moves the server's clock to `at` (the reports read it; activities keep the wall clock).
    fn clock_to(&self, at: DateTime<FixedOffset>) {
        self.app.advance_clock(at.with_timezone(&Utc) - Utc::now());
    }
}

#[actix_web::test]
async fn a_salon_at_23_30_on_the_deadline_is_on_time_and_one_at_00_10_the_next_day_is_late() {
    // The deadline two days ago, so that both salons have started (attendance is taken, and an
    // activity held, by the wall clock) and are still running (registration closes at the end).
    let t = today();
    let deadline = t - Duration::days(2);
    let w = world(t + Duration::days(30), deadline).await;
    let until = |start: DateTime<FixedOffset>| (now() + Duration::hours(3) - start).num_minutes();

    // CS holds a salon at 23:30 on the deadline's day (Beijing time), EE one at 00:10 the day
    // after; CS also has a salon cancelled and one published but never held, before the deadline.
    let at = beijing(deadline, 23, 30);
    let cs_salon = w.activity(&w.cs, "freshman_salon", &[&w.a], at, until(at), "一教A101").await;
    let at = beijing(deadline + Duration::days(1), 0, 10);
    let ee_salon = w.activity(&w.ee, "freshman_salon", &[&w.e], at, until(at), "二教B201").await;
    let at = beijing(deadline, 10, 0);
    let cancelled = w.activity(&w.cs, "freshman_salon", &[&w.b], at, until(at), "一教A102").await;
    w.app
        .post(&format!("/api/v1/activities/{cancelled}/cancel"), &w.cs_admin, json!({"reason": "场地冲突"}))
        .await
        .expect(200);
    let at = beijing(deadline, 14, 0);
    w.activity(&w.cs, "freshman_salon", &[&w.c], at, until(at), "一教A103").await;
    w.register(&w.cs_admin, &cs_salon, &w.cs_freshmen).await;
    w.register(&w.ee_admin, &ee_salon, &w.ee_freshmen).await;

    // Nothing held yet, and the deadline has passed: missed wherever a salon is due.
    let body = w.compliance(&w.admin, "").await;
    assert_eq!(body["academic_year_id"], w.year);
    assert_eq!(body["as_of"], t.to_string());
    let codes: Vec<&str> =
        body["colleges"].as_array().unwrap().iter().map(|r| r["college_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CS", "EE", "LAW"]);
    for college in [&w.cs, &w.ee] {
        let s = &w.row(&body, college)["freshman_salon"];
        assert_eq!(s["status"], "missed", "{s}");
        assert_eq!((s["date"].clone(), s["held"].clone(), s["attendance"].clone()), (Value::Null, json!(0), json!(0)));
        assert_eq!(s["deadline"], deadline.to_string());
    }
    assert_eq!(w.row(&body, &w.law)["freshman_salon"]["status"], "not_applicable");

    // Both held: two of CS's three freshmen attended, EE's one.
    w.hold(&w.cs_admin, &cs_salon, &w.cs_freshmen[..2]).await;
    w.hold(&w.ee_admin, &ee_salon, &w.ee_freshmen).await;

    let body = w.compliance(&w.admin, "").await;
    let cs = &w.row(&body, &w.cs)["freshman_salon"];
    assert_eq!(cs["status"], "met", "{cs}");
    assert_eq!(cs["date"], deadline.to_string());
    assert_eq!(
        (cs["held"].as_i64(), cs["held_by_deadline"].as_i64(), cs["attendance"].as_i64()),
        (Some(1), Some(1), Some(2))
    );
    let ee = &w.row(&body, &w.ee)["freshman_salon"];
    assert_eq!(ee["status"], "late", "{ee}");
    assert_eq!(ee["date"], (deadline + Duration::days(1)).to_string());
    assert_eq!(
        (ee["held"].as_i64(), ee["held_by_deadline"].as_i64(), ee["attendance"].as_i64()),
        (Some(1), Some(0), Some(1))
    );
    let law = &w.row(&body, &w.law)["freshman_salon"];
    assert_eq!((law["status"].as_str(), law["held"].as_i64()), (Some("not_applicable"), Some(0)));
    assert_eq!(w.row(&body, &w.law)["introduction"]["mentors"], 0);
}

#[actix_web::test]
async fn a_salon_never_held_is_missed_once_the_deadline_day_is_over() {
    let t = today();
    let w = world(t + Duration::days(30), t + Duration::days(1)).await;
    let s = &w.row(&w.compliance(&w.admin, "").await, &w.cs)["freshman_salon"].clone();
    assert_eq!(s["status"], "pending");
    // The last minute of the deadline's day is still pending; the first of the next is missed.
    w.clock_to(beijing(t + Duration::days(1), 23, 59));
    assert_eq!(w.row(&w.compliance(&w.admin, "").await, &w.cs)["freshman_salon"]["status"], "pending");
    w.app.advance_clock(Duration::minutes(2));
    let body = w.compliance(&w.admin, "").await;
    assert_eq!(w.row(&body, &w.cs)["freshman_salon"]["status"], "missed");
    assert_eq!(w.row(&body, &w.cs)["freshman_salon"]["date"], Value::Null);
    assert_eq!(w.row(&body, &w.law)["freshman_salon"]["status"], "not_applicable");
}

#[actix_web::test]
async fn introductions_count_every_due_mentor_by_their_first_introduction() {
    let t = today();
    let deadline = t + Duration::days(3);
    let w = world(deadline, t + Duration::days(30)).await;
    // C is dismissed: no longer due.
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", w.c), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);

    let body = w.compliance(&w.admin, "").await;
    let cs = &w.row(&body, &w.cs)["introduction"];
    assert_eq!(cs["status"], "pending", "{cs}");
    assert_eq!((cs["mentors"].as_i64(), cs["introduced"].as_i64()), (Some(2), Some(0)));
    assert_eq!(cs["deadline"], deadline.to_string());
    assert_eq!(w.row(&body, &w.ee)["introduction"]["mentors"], 1);
    assert_eq!(w.row(&body, &w.law)["introduction"]["status"], "not_applicable");

    // A's introduction is recorded (ten days before the deadline): one of two.
    w.introduce(&w.a, deadline - Duration::days(10)).await;
    let cs = w.row(&w.compliance(&w.admin, "").await, &w.cs)["introduction"].clone();
    assert_eq!(
        (cs["status"].as_str(), cs["introduced"].as_i64(), cs["introduced_by_deadline"].as_i64()),
        (Some("pending"), Some(1), Some(1))
    );

    // B hosts an orientation introduction that started half an hour ago and is held; B's recorded
    // introduction comes after the deadline, but B's first introduction is the held one.
    let start = now() - Duration::minutes(30);
    let orientation = w.activity(&w.cs, "orientation_introduction", &[&w.b], start, 60, "礼堂").await;
    w.hold(&w.cs_admin, &orientation, &[]).await;
    w.introduce(&w.b, deadline + Duration::days(2)).await;
    // E hosts one that is published but not held: it does not count.
    w.activity(&w.ee, "orientation_introduction", &[&w.e], now() + Duration::hours(2), 60, "二教").await;

    let body = w.compliance(&w.admin, "").await;
    let cs = &w.row(&body, &w.cs)["introduction"];
    assert_eq!(cs["status"], "met", "{cs}");
    assert_eq!(cs["date"], start.date_naive().to_string());
    assert_eq!(
        (cs["mentors"].as_i64(), cs["introduced"].as_i64(), cs["introduced_by_deadline"].as_i64()),
        (Some(2), Some(2), Some(2))
    );
    let ee = &w.row(&body, &w.ee)["introduction"];
    assert_eq!((ee["status"].as_str(), ee["introduced"].as_i64()), (Some("pending"), Some(0)));

    // Past the deadline: EE missed it; then E's introduction is recorded a day late.
    w.app.advance_clock(Duration::days(4));
    let ee = w.row(&w.compliance(&w.admin, "").await, &w.ee)["introduction"].clone();
    assert_eq!((ee["status"].as_str(), ee["date"].clone()), (Some("missed"), Value::Null));
    w.introduce(&w.e, deadline + Duration::days(1)).await;
    let body = w.compliance(&w.admin, "").await;
    let ee = &w.row(&body, &w.ee)["introduction"];
    assert_eq!(ee["status"], "late", "{ee}");
    assert_eq!(ee["date"], (deadline + Duration::days(1)).to_string());
    assert_eq!((ee["introduced"].as_i64(), ee["introduced_by_deadline"].as_i64()), (Some(1), Some(0)));
    assert_eq!(w.row(&body, &w.cs)["introduction"]["status"], "met");
}

#[actix_web::test]
async fn a_college_reads_only_its_own_row_and_other_roles_none() {
    let t = today();
    let w = world(t + Duration::days(3), t + Duration::days(30)).await;
    let app = &w.app;

    for token in [&w.cs_admin, &w.cs_counselor] {
        let body = w.compliance(token, "").await;
        assert_eq!(body["colleges"].as_array().unwrap().len(), 1, "{body}");
        assert_eq!(body["colleges"][0]["college_id"], w.cs);
        let own = w.compliance(token, &format!("&college_id={}", w.cs)).await;
        assert_eq!(own["colleges"][0]["college_id"], w.cs);
        let other = app
            .get(&format!("/api/v1/reports/compliance?academic_year_id={}&college_id={}", w.year, w.ee), token)
            .await;
        assert_eq!(other.expect(404).code(), "not_found");
    }
    let ee = w.compliance(&w.ee_admin, "").await;
    assert_eq!(ee["colleges"].as_array().unwrap().len(), 1);
    assert_eq!(ee["colleges"][0]["college_code"], "EE");

    // The university filters to one college; an unknown college or year is a 404.
    let one = w.compliance(&w.admin, &format!("&college_id={}", w.ee)).await;
    assert_eq!(one["colleges"].as_array().unwrap().len(), 1);
    assert_eq!(one["colleges"][0]["college_id"], w.ee);
    let nobody = "0193a4e1-7c2b-7abc-8def-0123456789ab";
    app.get(&format!("/api/v1/reports/compliance?academic_year_id={}&college_id={nobody}", w.year), &w.admin)
        .await
        .expect(404);
    app.get(&format!("/api/v1/reports/compliance?academic_year_id={nobody}"), &w.admin).await.expect(404);

    // Bad queries are 400s.
    assert_eq!(app.get("/api/v1/reports/compliance", &w.admin).await.expect(400).code(), "invalid_query");
    app.get("/api/v1/reports/compliance?academic_year_id=abc", &w.admin).await.expect(400);
    app.get(&format!("/api/v1/reports/compliance?academic_year_id={}&college_id=1", w.year), &w.admin)
        .await
        .expect(400);

    // A supervisor and a student read no reports; nobody reads them anonymously.
    let sup_staff = app.staff(&w.admin, &w.cs, "T001", true).await;
    let sup = app.user(&w.admin, "sup1", Role::Supervisor, json!({"staff_id": sup_staff})).await;
    let student = app.user(&w.admin, "s2026101", Role::Student, json!({"student_id": w.cs_freshmen[0]})).await;
    for token in [&sup, &student] {
        let res = app.get(&format!("/api/v1/reports/compliance?academic_year_id={}", w.year), token).await;
        assert_eq!(res.expect(403).code(), "forbidden");
    }
    let anonymous = app
        .send(app.request(
            reqwest::Method::GET,
            &format!("/api/v1/reports/compliance?academic_year_id={}", w.year),
            None,
        ))
        .await;
    anonymous.expect(401);
}
