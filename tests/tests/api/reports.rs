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
    cs_lab: String,
    cs_admin: String,
    cs_counselor: String,
    ee_admin: String,
    /// The mentors' student ids: A, B, C, E.
    mentor_students: Vec<String>,
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
            let m = MentorBuilder::new(app, admin)
                .student(&id)
                .year(year)
                .unit(&unit)
                .justification("表现突出")
                .appoint()
                .await;
            (id, m.appointment.0)
        }
    };
    let (sa, a) = mentor(cs.clone(), cs_lab.clone(), "2023001").await;
    let (sb, b) = mentor(cs.clone(), cs_lab.clone(), "2023002").await;
    let (sc, c) = mentor(cs.clone(), cs_lab.clone(), "2023003").await;
    let (se, e) = mentor(ee.clone(), ee_lab.clone(), "2023009").await;
    let mentor_students = vec![sa, sb, sc, se];
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
    World {
        app,
        admin,
        year,
        cs,
        ee,
        law,
        cs_lab,
        cs_admin,
        cs_counselor,
        ee_admin,
        mentor_students,
        a,
        b,
        c,
        e,
        cs_freshmen,
        ee_freshmen,
    }
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

    /// A published activity of `college` with a budget, started half an hour ago, for an hour.
    async fn budgeted(&self, college: &str, kind: &str, hosts: &[&str], budget_fen: i64, venue: &str) -> String {
        let start = now() - Duration::minutes(30);
        let body = json!({"kind": kind, "title": format!("活动{venue}"), "academic_year_id": self.year,
            "college_id": college, "host_appointment_ids": hosts, "start_at": start.to_rfc3339(),
            "end_at": (start + Duration::minutes(60)).to_rfc3339(), "venue": venue, "capacity": 30,
            "budget_fen": budget_fen});
        let token = self.admin_of(college);
        let id = self.app.post("/api/v1/activities", token, body).await.expect(201).id();
        self.app.post(&format!("/api/v1/activities/{id}/publish"), token, json!({})).await.expect(200);
        id
    }

    /// A published university-wide activity (no college) of the university admin, with a budget,
    /// started half an hour ago, for an hour.
    async fn university_wide(&self, kind: &str, budget_fen: i64, venue: &str) -> String {
        let start = now() - Duration::minutes(30);
        let body = json!({"kind": kind, "title": format!("活动{venue}"), "academic_year_id": self.year,
            "start_at": start.to_rfc3339(), "end_at": (start + Duration::minutes(60)).to_rfc3339(),
            "venue": venue, "capacity": 30, "budget_fen": budget_fen});
        let id = self.app.post("/api/v1/activities", &self.admin, body).await.expect(201).id();
        self.app.post(&format!("/api/v1/activities/{id}/publish"), &self.admin, json!({})).await.expect(200);
        id
    }

    /// Registers and marks `students` attended, records the activity as held at `expense_fen`.
    async fn hold_spent(&self, college: &str, id: &str, students: &[String], expense_fen: i64) {
        let token = self.admin_of(college);
        self.register(token, id, students).await;
        let app = &self.app;
        app.send(
            app.request(reqwest::Method::PUT, &format!("/api/v1/activities/{id}/attendance"), Some(token))
                .json(&json!({"student_ids": students})),
        )
        .await
        .expect(200);
        app.post(
            &format!("/api/v1/activities/{id}/complete"),
            token,
            json!({"summary": "顺利举行", "actual_expense_fen": expense_fen}),
        )
        .await
        .expect(200);
    }

    async fn assessment(&self, token: &str, extra: &str) -> Value {
        let path = format!("/api/v1/reports/college-assessment?academic_year_id={}{extra}", self.year);
        self.app.get(&path, token).await.expect(200).body
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

/// The (title, due day) of the milestone items on `token`'s agenda.
async fn agenda_milestones(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let res = app.get("/api/v1/me/agenda", token).await.expect(200);
    res.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "milestone")
        .map(|i| (i["title"].as_str().unwrap().to_owned(), i["due_on"].as_str().unwrap().to_owned()))
        .collect()
}

#[actix_web::test]
async fn a_college_admins_agenda_shows_a_milestone_until_the_compliance_report_counts_it_done() {
    let t = today();
    let (intro, salon) = (t + Duration::days(5), t + Duration::days(10));
    let w = world(intro, salon).await;
    let (intro_item, salon_item) = (
        ("向新生介绍学长（入学教育）".to_owned(), intro.to_string()),
        ("举办新生交流沙龙".to_owned(), salon.to_string()),
    );
    assert_eq!(agenda_milestones(&w.app, &w.cs_admin).await, [intro_item.clone(), salon_item.clone()]);

    // A and B introduced on record, C by hosting a held orientation introduction (no record): the
    // report counts the milestone met, and so it leaves the agenda.
    w.introduce(&w.a, t).await;
    w.introduce(&w.b, t).await;
    assert_eq!(agenda_milestones(&w.app, &w.cs_admin).await, [intro_item.clone(), salon_item.clone()]);
    let start = now() - Duration::minutes(30);
    let orientation = w.activity(&w.cs, "orientation_introduction", &[&w.c], start, 60, "礼堂").await;
    w.hold(&w.cs_admin, &orientation, &[]).await;
    assert_eq!(w.row(&w.compliance(&w.admin, "").await, &w.cs)["introduction"]["status"], "met");
    assert_eq!(agenda_milestones(&w.app, &w.cs_admin).await, std::slice::from_ref(&salon_item));

    // A freshman salon held: nothing left for CS; EE has done neither.
    let salon_id = w.activity(&w.cs, "freshman_salon", &[&w.a], start, 60, "报告厅").await;
    w.register(&w.cs_admin, &salon_id, &w.cs_freshmen[..1]).await;
    w.hold(&w.cs_admin, &salon_id, &w.cs_freshmen[..1]).await;
    assert!(agenda_milestones(&w.app, &w.cs_admin).await.is_empty());
    assert_eq!(agenda_milestones(&w.app, &w.ee_admin).await, [intro_item, salon_item.clone()]);

    // Past its deadline a milestone is missed, not to do: it leaves the agenda; the salon stays.
    w.app.advance_clock(Duration::days(6));
    assert_eq!(agenda_milestones(&w.app, &w.ee_admin).await, [salon_item]);
    // The counselor and the mentors have no milestones.
    assert!(agenda_milestones(&w.app, &w.cs_counselor).await.is_empty());
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

/// `(figure, value)` pairs a row must hold exactly.
fn assert_figures(row: &Value, want: &[(&str, Value)]) {
    for (figure, value) in want {
        assert_eq!(&row[*figure], value, "{figure} in {row}");
    }
}

#[actix_web::test]
async fn the_college_assessment_figures_are_exactly_what_the_world_holds() {
    let t = today();
    let first = current_year();
    // The introduction deadline two days ago, the salon deadline a month ahead.
    let w = world(t - Duration::days(2), t + Duration::days(30)).await;
    let app = &w.app;
    let previous = app
        .post(
            "/api/v1/academic-years",
            &w.admin,
            json!({"code": format!("{}-{first}", first - 1),
                   "starts_on": (t - Duration::days(425)).to_string(), "ends_on": (t - Duration::days(61)).to_string(),
                   "introduction_deadline": (t - Duration::days(395)).to_string(),
                   "salon_deadline": (t - Duration::days(365)).to_string()}),
        )
        .await
        .expect(201)
        .id();
    // A second CS unit with a freshman and no mentor; a CS student of last year's intake.
    let grp = app.unit(&w.admin, &w.cs, "CS-GRP", "research_group").await;
    app.student(&w.admin, &w.cs, "2026104", json!({"enrollment_year": first, "unit_id": grp})).await;
    app.student(&w.admin, &w.cs, "2025101", json!({"enrollment_year": first - 1, "unit_id": w.cs_lab})).await;

    // Pairings: A with two CS freshmen, E with the EE freshman.
    for (appointment, mentee) in [(&w.a, &w.cs_freshmen[0]), (&w.a, &w.cs_freshmen[1]), (&w.e, &w.ee_freshmen[0])] {
        app.post("/api/v1/pairings", &w.admin, json!({"appointment_id": appointment, "mentee_id": mentee}))
            .await
            .expect(201);
    }
    // A is trained; A introduced before the deadline, B the day before yesterday's next day (late).
    app.post(&format!("/api/v1/appointments/{}/training", w.a), &w.admin, json!({"completed_on": t.to_string()}))
        .await
        .expect(200);
    w.introduce(&w.a, t - Duration::days(5)).await;
    w.introduce(&w.b, t - Duration::days(1)).await;

    // Work records: A two (30 + 20 minutes), E one (45).
    let token = |i: usize, no: &str| {
        let (app, admin, id) = (app, &w.admin, w.mentor_students[i].clone());
        let no = no.to_owned();
        async move { app.user(admin, &format!("s{no}"), Role::Student, json!({"student_id": id})).await }
    };
    let (a_token, e_token) = (token(0, "2023001").await, token(3, "2023009").await);
    for (tok, appointment, minutes, mentee) in [
        (&a_token, &w.a, 30, &w.cs_freshmen[0]),
        (&a_token, &w.a, 20, &w.cs_freshmen[1]),
        (&e_token, &w.e, 45, &w.ee_freshmen[0]),
    ] {
        let body = json!({"appointment_id": appointment, "kind": "individual_consultation", "date": t.to_string(),
            "minutes": minutes, "duties": ["study"], "channel": "face_to_face", "student_ids": [mentee],
            "summary": "交流学习与科研安排"});
        app.post("/api/v1/work-records", tok, body).await.expect(201);
    }

    // Activities: a CS freshman salon held (two attend, 200 yuan planned, 150 spent), a CS career
    // talk published (30 yuan planned), a CS research salon cancelled (never counts); an EE
    // research salon held (one attends, 100 planned, 80 spent).
    let salon = w.budgeted(&w.cs, "freshman_salon", &[&w.a], 20_000, "一教A101").await;
    w.hold_spent(&w.cs, &salon, &w.cs_freshmen[..2], 15_000).await;
    w.budgeted(&w.cs, "career_guidance", &[&w.b], 3_000, "一教A102").await;
    let cancelled = w.budgeted(&w.cs, "research_salon", &[&w.c], 5_000, "一教A103").await;
    app.post(&format!("/api/v1/activities/{cancelled}/cancel"), &w.cs_admin, json!({"reason": "场地冲突"}))
        .await
        .expect(200);
    let research = w.budgeted(&w.ee, "research_salon", &[&w.e], 10_000, "二教B201").await;
    w.hold_spent(&w.ee, &research, &w.ee_freshmen, 8_000).await;
    // The university's own: a training held (50 yuan planned, 40 spent) and a club meeting
    // published (7 yuan planned), both university-wide: in the totals, in no college's row.
    let training = w.university_wide("training", 5_000, "大学生活动中心").await;
    app.post(
        &format!("/api/v1/activities/{training}/complete"),
        &w.admin,
        json!({"summary": "顺利举行", "actual_expense_fen": 4_000}),
    )
    .await
    .expect(200);
    w.university_wide("club_meeting", 700, "学长之家").await;

    // C is dismissed; the year is graded: A excellent, E competent.
    app.post(&format!("/api/v1/appointments/{}/dismissal", w.c), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);
    let y = app.get(&format!("/api/v1/academic-years/{}", w.year), &w.admin).await.expect(200);
    app.patch(
        &format!("/api/v1/academic-years/{}", w.year),
        &w.admin,
        json!({"assessment_opens_on": t.to_string(), "assessment_closes_on": t.to_string()}),
        y.header("etag").as_deref(),
    )
    .await
    .expect(200);
    for (appointment, grade) in [(&w.a, "excellent"), (&w.e, "competent")] {
        app.put(
            &format!("/api/v1/appointments/{appointment}/assessment"),
            &w.admin,
            json!({"grade": grade, "comment": "结对帮扶扎实"}),
            None,
        )
        .await
        .expect(200);
    }

    let body = w.assessment(&w.admin, &format!("&compare_to={previous}")).await;
    assert_eq!(body["academic_year_id"], w.year);
    assert_eq!(body["compare_to"], previous);
    assert_eq!(body["compare_to_year"], format!("{}-{first}", first - 1));
    let rows = body["colleges"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let codes: Vec<&str> = rows.iter().map(|r| r["college_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CS", "EE", "LAW"]);
    let salon_day = (now() - Duration::minutes(30)).date_naive().to_string();
    assert_figures(
        &rows[0]["figures"],
        &[
            ("units_with_freshmen", json!(2)),
            ("units_covered", json!(1)),
            ("mentors_nominated", json!(3)),
            ("mentors_appointed", json!(3)),
            ("mentors_trained", json!(1)),
            ("mentors_dismissed", json!(1)),
            ("mentors_resigned", json!(0)),
            ("freshmen", json!(4)),
            ("freshmen_paired", json!(2)),
            ("freshmen_paired_share", json!(0.5)),
            ("introduction", json!({"status": "late", "date": (t - Duration::days(1)).to_string()})),
            ("freshman_salon", json!({"status": "met", "date": salon_day})),
            ("freshman_salons_held", json!(1)),
            ("freshman_salon_attendance", json!(2)),
            ("research_salons_held", json!(0)),
            ("research_salon_attendance", json!(0)),
            ("work_records", json!(2)),
            ("work_minutes", json!(50)),
            ("work_records_per_mentor", json!(0.67)),
            ("minutes_per_mentor", json!(16.67)),
            ("help_requests_answered", json!(0)),
            ("concerns_escalated", json!(0)),
            ("concerns_resolved", json!(0)),
            ("concerns_overdue", json!(0)),
            ("inquiries_answered", json!(0)),
            ("graded_excellent", json!(1)),
            ("graded_competent", json!(0)),
            ("graded_unsatisfactory", json!(1)),
            ("awards", json!(0)),
            ("budget_planned_fen", json!(23_000)),
            ("budget_spent_fen", json!(15_000)),
        ],
    );
    assert_figures(
        &rows[1]["figures"],
        &[
            ("units_with_freshmen", json!(1)),
            ("units_covered", json!(1)),
            ("mentors_nominated", json!(1)),
            ("mentors_appointed", json!(1)),
            ("mentors_trained", json!(0)),
            ("mentors_dismissed", json!(0)),
            ("freshmen", json!(1)),
            ("freshmen_paired", json!(1)),
            ("freshmen_paired_share", json!(1.0)),
            ("introduction", json!({"status": "missed", "date": null})),
            ("freshman_salon", json!({"status": "pending", "date": null})),
            ("freshman_salons_held", json!(0)),
            ("research_salons_held", json!(1)),
            ("research_salon_attendance", json!(1)),
            ("work_records", json!(1)),
            ("work_minutes", json!(45)),
            ("work_records_per_mentor", json!(1.0)),
            ("minutes_per_mentor", json!(45.0)),
            ("graded_excellent", json!(0)),
            ("graded_competent", json!(1)),
            ("graded_unsatisfactory", json!(0)),
            ("budget_planned_fen", json!(10_000)),
            ("budget_spent_fen", json!(8_000)),
        ],
    );
    assert_figures(
        &rows[2]["figures"],
        &[
            ("units_with_freshmen", json!(0)),
            ("mentors_appointed", json!(0)),
            ("freshmen", json!(0)),
            ("freshmen_paired_share", Value::Null),
            ("work_records_per_mentor", Value::Null),
            ("introduction", json!({"status": "not_applicable", "date": null})),
            ("budget_planned_fen", json!(0)),
        ],
    );
    // Last year: nothing but one CS freshman of that intake (now in their second year).
    assert_figures(
        &rows[0]["compared"],
        &[
            ("freshmen", json!(1)),
            ("freshmen_paired", json!(0)),
            ("freshmen_paired_share", json!(0.0)),
            ("mentors_appointed", json!(0)),
            ("introduction", json!({"status": "not_applicable", "date": null})),
        ],
    );
    assert_figures(
        &body["totals"]["figures"],
        &[
            ("mentors_appointed", json!(4)),
            ("mentors_nominated", json!(4)),
            ("freshmen", json!(5)),
            ("freshmen_paired", json!(3)),
            ("freshmen_paired_share", json!(0.6)),
            ("work_records", json!(3)),
            ("work_minutes", json!(95)),
            ("work_records_per_mentor", json!(0.75)),
            ("minutes_per_mentor", json!(23.75)),
            ("graded_unsatisfactory", json!(1)),
            // CS 230 + EE 100 + the university's 57 yuan planned; 150 + 80 + 40 spent.
            ("budget_planned_fen", json!(38_700)),
            ("budget_spent_fen", json!(27_000)),
            ("freshman_salons_held", json!(1)),
            ("research_salons_held", json!(1)),
            ("introduction", Value::Null),
        ],
    );
    assert_figures(&body["totals"]["compared"], &[("freshmen", json!(1)), ("mentors_appointed", json!(0))]);

    // The same as CSV for Excel: a BOM, Chinese headers, one line per college and the totals.
    let res = app
        .send(app.request(
            reqwest::Method::GET,
            &format!("/api/v1/reports/college-assessment?academic_year_id={}&compare_to={previous}&format=csv", w.year),
            Some(&w.admin),
        ))
        .await
        .expect(200);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(res.text.starts_with('\u{feff}'), "no BOM");
    let lines: Vec<&str> = res.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 5, "{}", res.text);
    assert!(lines[0].starts_with("学院代码,学院,有新生的单位数,"), "{}", lines[0]);
    assert!(lines[0].contains(&format!("聘任人数（{}-{first}）", first - 1)), "{}", lines[0]);
    // Each figure then last year's: units with freshmen 2 (last year 1: the 2025 intake's lab).
    assert!(lines[1].starts_with("CS,计算机学院,2,1,1,0,3,0,"), "{}", lines[1]);
    assert!(lines[1].contains(",230.00,0.00,150.00,0.00"), "{}", lines[1]);
    assert!(lines[4].starts_with(",全校合计,3,1,2,0,4,0,"), "{}", lines[4]);
    assert!(lines[4].contains(",387.00,0.00,270.00,0.00"), "{}", lines[4]);
    // A college's own report and a filter on one college hold none of the university's own.
    let cs_only = w.assessment(&w.cs_admin, "").await;
    assert_figures(&cs_only["colleges"][0]["figures"], &[("budget_planned_fen", json!(23_000))]);
    assert_eq!(cs_only["totals"], Value::Null);
    let ee_only = w.assessment(&w.admin, &format!("&college_id={}", w.ee)).await;
    assert_figures(&ee_only["colleges"][0]["figures"], &[("budget_spent_fen", json!(8_000))]);
    let accept = app
        .send(
            app.request(
                reqwest::Method::GET,
                &format!("/api/v1/reports/college-assessment?academic_year_id={}", w.year),
                Some(&w.admin),
            )
            .header("Accept", "text/csv"),
        )
        .await
        .expect(200);
    assert!(accept.header("content-type").unwrap().starts_with("text/csv"));
}

#[actix_web::test]
async fn a_college_reads_its_own_assessment_row_without_totals() {
    let t = today();
    let w = world(t + Duration::days(3), t + Duration::days(30)).await;
    let app = &w.app;
    for token in [&w.cs_admin, &w.cs_counselor] {
        let body = w.assessment(token, "").await;
        assert_eq!(body["colleges"].as_array().unwrap().len(), 1, "{body}");
        assert_eq!(body["colleges"][0]["college_id"], w.cs);
        assert_eq!(body["colleges"][0]["figures"]["mentors_appointed"], 3);
        assert_eq!(body["totals"], Value::Null);
        let other = app
            .get(&format!("/api/v1/reports/college-assessment?academic_year_id={}&college_id={}", w.year, w.ee), token)
            .await;
        assert_eq!(other.expect(404).code(), "not_found");
    }
    let one = w.assessment(&w.admin, &format!("&college_id={}", w.ee)).await;
    assert_eq!(one["colleges"].as_array().unwrap().len(), 1);
    assert_eq!(one["colleges"][0]["figures"]["mentors_appointed"], 1);
    assert_eq!(one["totals"], Value::Null);
    let all = w.assessment(&w.admin, "").await;
    assert_eq!(all["totals"]["figures"]["mentors_appointed"], 4);
    assert_eq!(all["colleges"][0]["compared"], Value::Null);

    let nobody = "0193a4e1-7c2b-7abc-8def-0123456789ab";
    app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={}&compare_to={nobody}", w.year), &w.admin)
        .await
        .expect(404);
    app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={nobody}"), &w.admin).await.expect(404);
    app.get("/api/v1/reports/college-assessment", &w.admin).await.expect(400);
    app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={}&format=xml", w.year), &w.admin)
        .await
        .expect(400);
    let student = app.user(&w.admin, "s2026101", Role::Student, json!({"student_id": w.cs_freshmen[0]})).await;
    let res = app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={}", w.year), &student).await;
    assert_eq!(res.expect(403).code(), "forbidden");
}

#[actix_web::test]
async fn help_concern_inquiry_and_award_figures_count_what_the_year_holds() {
    let t = today();
    let w = world(t + Duration::days(20), t + Duration::days(30)).await;
    let app = &w.app;
    // A CS counselor on the staff: concerns are escalated to the college's counselors.
    let staff = app
        .post(
            "/api/v1/staff",
            &w.admin,
            json!({"staff_no": "C001", "name": "辅导员王老师", "college_id": w.cs, "is_supervisor": false,
                   "is_counselor": true}),
        )
        .await
        .expect(201)
        .id();
    let counselor =
        app.user(&w.admin, "cs-staff-counselor", Role::Counselor, json!({"college_id": w.cs, "staff_id": staff})).await;
    let mentor_a = app.user(&w.admin, "s2023001", "student", json!({"student_id": w.mentor_students[0]})).await;
    let freshman = app.user(&w.admin, "s2026101", "student", json!({"student_id": w.cs_freshmen[0]})).await;
    app.post("/api/v1/pairings", &w.admin, json!({"appointment_id": w.a, "mentee_id": w.cs_freshmen[0]}))
        .await
        .expect(201);

    // Help: two asked, one answered.
    let mut asked = Vec::new();
    for message in ["选课拿不准", "开题方向请教"] {
        let id = app
            .post("/api/v1/help-requests", &freshman, json!({"topic": "study", "message": message}))
            .await
            .expect(201)
            .id();
        asked.push(id);
    }
    app.post(&format!("/api/v1/help-requests/{}/answer", asked[0]), &mentor_a, json!({"note": "周三面谈"}))
        .await
        .expect(200);

    // Concerns: three raised; two escalated, of which one acknowledged and resolved; the third never
    // escalated. The unresolved escalated one becomes overdue after the normal limit (7 days).
    let mut concerns = Vec::new();
    for description in ["多名新生反映睡眠不好", "实验室安全培训不足", "宿舍矛盾"] {
        let id = app
            .post(
                "/api/v1/concerns",
                &mentor_a,
                json!({"scope": "group", "category": "mental_health", "urgency": "normal", "affected_count": 3,
                       "description": description}),
            )
            .await
            .expect(201)
            .id();
        concerns.push(id);
    }
    for c in &concerns[..2] {
        app.post(&format!("/api/v1/concerns/{c}/escalate"), &mentor_a, json!({})).await.expect(200);
    }
    app.post(&format!("/api/v1/concerns/{}/acknowledge", concerns[0]), &counselor, json!({})).await.expect(200);
    app.post(&format!("/api/v1/concerns/{}/resolve", concerns[0]), &counselor, json!({"note": "已组织讲座"}))
        .await
        .expect(200);

    // Inquiries: A publishes a profile; two applicants ask, A replies to one.
    app.put(
        &format!("/api/v1/appointments/{}/profile", w.a),
        &mentor_a,
        json!({"research_direction": "计算机视觉", "bio": "博士三年级。", "published": true}),
        None,
    )
    .await
    .expect(200);
    let mut inquiries = Vec::new();
    for subject in ["报考咨询一", "报考咨询二"] {
        let req = app
            .request(reqwest::Method::POST, &format!("/api/v1/public/mentors/{}/inquiries", w.a), None)
            .json(&json!({"name": "王同学", "email": "wang@example.com", "kind": "admission", "subject": subject,
                    "message": "学长好，想了解课题组的招生情况。"}));
        inquiries.push(app.send(req).await.expect(201).id());
    }
    app.post(&format!("/api/v1/inquiries/{}/reply", inquiries[0]), &mentor_a, json!({"reply": "欢迎报考"}))
        .await
        .expect(200);

    // An award round that awards A alone.
    app.award_alone(&w.admin, &w.year, &w.a).await;

    let figures = |body: &Value, i: usize| body["colleges"][i]["figures"].clone();
    let body = w.assessment(&w.admin, "").await;
    let want = [
        ("help_requests_answered", json!(1)),
        ("concerns_escalated", json!(2)),
        ("concerns_resolved", json!(1)),
        ("concerns_overdue", json!(0)),
        ("inquiries_answered", json!(1)),
        ("awards", json!(1)),
    ];
    assert_figures(&figures(&body, 0), &want);
    assert_figures(&body["totals"]["figures"], &want);
    for (figure, _) in &want {
        assert_eq!(figures(&body, 1)[*figure], 0, "EE's {figure}");
    }
    // Eight days on, the escalated concern nobody resolved is overdue.
    app.advance_clock(Duration::days(8));
    let body = w.assessment(&w.cs_admin, "").await;
    assert_figures(&figures(&body, 0), &[("concerns_escalated", json!(2)), ("concerns_overdue", json!(1))]);
}

#[actix_web::test]
async fn compare_to_gives_each_year_its_own_figures_and_a_year_compared_with_itself_the_same() {
    let t = today();
    let first = current_year();
    let w = world(t + Duration::days(20), t + Duration::days(30)).await;
    let app = &w.app;
    // Last year, ended two months ago: its deadlines long past.
    let last = app
        .post(
            "/api/v1/academic-years",
            &w.admin,
            json!({"code": format!("{}-{first}", first - 1),
                   "starts_on": (t - Duration::days(425)).to_string(), "ends_on": (t - Duration::days(61)).to_string(),
                   "introduction_deadline": (t - Duration::days(395)).to_string(),
                   "salon_deadline": (t - Duration::days(365)).to_string()}),
        )
        .await
        .expect(201)
        .id();
    // Last year CS had one mentor, A's student (2023001), who met one freshman of that intake
    // (20 minutes, a work record dated in that year) and held a freshman salon there (60 yuan
    // planned, 50 spent); EE had nothing. This year CS has A, B and C, EE has E.
    let last_freshman =
        app.student(&w.admin, &w.cs, "2025101", json!({"enrollment_year": first - 1, "unit_id": w.cs_lab})).await;
    let old = MentorBuilder::new(app, &w.admin)
        .student(&w.mentor_students[0])
        .year(&last)
        .unit(&w.cs_lab)
        .justification("表现突出")
        .appoint()
        .await
        .appointment
        .0;
    app.post("/api/v1/pairings", &w.admin, json!({"appointment_id": old, "mentee_id": last_freshman}))
        .await
        .expect(201);
    let a_token = app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": w.mentor_students[0]})).await;
    let body = json!({"appointment_id": old, "kind": "individual_consultation",
        "date": (t - Duration::days(100)).to_string(), "minutes": 20, "duties": ["study"],
        "channel": "face_to_face", "student_ids": [last_freshman], "summary": "去年的学业交流"});
    app.post("/api/v1/work-records", &a_token, body).await.expect(201);
    let start = now() - Duration::days(100);
    let salon = json!({"kind": "freshman_salon", "title": "去年的新生沙龙", "academic_year_id": last,
        "college_id": w.cs, "host_appointment_ids": [old], "start_at": start.to_rfc3339(),
        "end_at": (start + Duration::minutes(60)).to_rfc3339(), "venue": "一教A201", "capacity": 30,
        "budget_fen": 6_000});
    let salon = app.post("/api/v1/activities", &w.cs_admin, salon).await.expect(201).id();
    app.post(&format!("/api/v1/activities/{salon}/publish"), &w.cs_admin, json!({})).await.expect(200);
    app.post(
        &format!("/api/v1/activities/{salon}/complete"),
        &w.cs_admin,
        json!({"summary": "顺利举行", "actual_expense_fen": 5_000}),
    )
    .await
    .expect(200);

    let body = w.assessment(&w.admin, &format!("&compare_to={last}")).await;
    let (cs, ee) = (&body["colleges"][0], &body["colleges"][1]);
    assert_eq!((cs["college_code"].as_str(), ee["college_code"].as_str()), (Some("CS"), Some("EE")));
    assert_figures(
        &cs["compared"],
        &[
            ("mentors_appointed", json!(1)),
            ("mentors_nominated", json!(1)),
            ("freshmen", json!(1)),
            ("freshmen_paired", json!(1)),
            ("units_with_freshmen", json!(1)),
            ("units_covered", json!(1)),
            ("work_records", json!(1)),
            ("work_minutes", json!(20)),
            ("freshman_salons_held", json!(1)),
            ("budget_planned_fen", json!(6_000)),
            ("budget_spent_fen", json!(5_000)),
            // Its introduction was never recorded: missed, the deadline over a year ago.
            ("introduction", json!({"status": "missed", "date": null})),
            ("freshman_salon", json!({"status": "late", "date": start.date_naive().to_string()})),
        ],
    );
    // This year's figures hold none of last year's, and the reverse.
    assert_figures(
        &cs["figures"],
        &[
            ("mentors_appointed", json!(3)),
            ("freshmen", json!(3)),
            ("freshmen_paired", json!(0)),
            ("work_records", json!(0)),
            ("freshman_salons_held", json!(0)),
            ("budget_planned_fen", json!(0)),
            ("introduction", json!({"status": "pending", "date": null})),
        ],
    );
    assert_figures(&ee["compared"], &[("mentors_appointed", json!(0)), ("freshmen", json!(0))]);
    assert_figures(&ee["figures"], &[("mentors_appointed", json!(1)), ("freshmen", json!(1))]);
    assert_figures(
        &body["totals"]["compared"],
        &[("mentors_appointed", json!(1)), ("work_minutes", json!(20)), ("budget_spent_fen", json!(5_000))],
    );
    assert_figures(&body["totals"]["figures"], &[("mentors_appointed", json!(4)), ("work_minutes", json!(0))]);

    // Last year asked for itself, compared with this year: the same figures, the other way round.
    let path = format!("/api/v1/reports/college-assessment?academic_year_id={last}&compare_to={}", w.year);
    let reverse = app.get(&path, &w.admin).await.expect(200).body;
    assert_eq!(reverse["colleges"][0]["figures"], cs["compared"]);
    assert_eq!(reverse["colleges"][0]["compared"], cs["figures"]);
    assert_eq!(reverse["totals"]["figures"], body["totals"]["compared"]);

    // A year compared with itself: each figure beside its equal.
    let same = w.assessment(&w.admin, &format!("&compare_to={}", w.year)).await;
    for row in same["colleges"].as_array().unwrap() {
        assert_eq!(row["figures"], row["compared"], "{row}");
    }
    assert_eq!(same["totals"]["figures"], same["totals"]["compared"]);
    assert_eq!(same["colleges"][0]["figures"], cs["figures"]);
}
