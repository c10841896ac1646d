//! A mentor's performance figures (issue 15): a world the test builds record by record, whose
//! every figure the test knows, read through `GET /appointments/{id}/performance`; who may read
//! them; the privacy thresholds of the means and the milestones as the year's deadlines move.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
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

/// The last day of the term today falls in (autumn ends Jan 31, spring Aug 31).
fn term_end() -> NaiveDate {
    let first = current_year();
    if (2..=8).contains(&today().month()) {
        NaiveDate::from_ymd_opt(first + 1, 8, 31).unwrap()
    } else {
        NaiveDate::from_ymd_opt(first + 1, 1, 31).unwrap()
    }
}

struct Person {
    id: String,
    token: String,
}

/// CS with mentor A (the one measured) and mentor B, three mentees of A and one of B, a student of
/// the college paired with no one, a supervisor of m1; EE with its own admin and mentor.
struct World {
    app: TestApp,
    admin: String,
    year: String,
    cs: String,
    cs_admin: String,
    cs_counselor: String,
    ee_admin: String,
    sup1: String,
    a: Person,
    a_appointment: String,
    b: Person,
    b_appointment: String,
    c_appointment: String,
    ee_appointment: String,
    mentees: Vec<Person>,
    pairings: Vec<String>,
    loner: Person,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE-LAB", "laboratory").await;
    let first = current_year();
    // Stretched around today so that today's records and activities fall in it; both milestones
    // already past, so they start unmet.
    let t = today();
    let year = app
        .post(
            "/api/v1/academic-years",
            &admin,
            json!({"code": format!("{first}-{}", first + 1),
                   "starts_on": (t - Duration::days(60)).to_string(), "ends_on": (t + Duration::days(300)).to_string(),
                   "introduction_deadline": (t - Duration::days(30)).to_string(),
                   "salon_deadline": (t - Duration::days(20)).to_string()}),
        )
        .await
        .expect(201)
        .id();
    let sup1_staff = app.staff(&admin, &cs, "T001", true).await;
    let sup1 = app.user(&admin, "sup1", Role::Supervisor, json!({"staff_id": sup1_staff})).await;
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
            let token = app.user(admin, &format!("s{no}"), Role::Student, json!({"student_id": id})).await;
            (Person { id, token }, m.appointment.0)
        }
    };
    let (a, a_appointment) = mentor(cs.clone(), lab.clone(), "2023001").await;
    let (b, b_appointment) = mentor(cs.clone(), lab.clone(), "2023002").await;
    let (_, c_appointment) = mentor(cs.clone(), lab.clone(), "2023003").await;
    let (_, ee_appointment) = mentor(ee.clone(), ee_lab.clone(), "2023009").await;
    let freshman = |no: &'static str, extra: Value| {
        let (app, admin, cs) = (&app, &admin, &cs);
        async move {
            let mut extra = extra;
            extra["enrollment_year"] = json!(first);
            extra["name"] = json!(format!("新生{no}"));
            let id = app.student(admin, cs, no, extra).await;
            let token = app.user(admin, &format!("s{no}"), Role::Student, json!({"student_id": id})).await;
            Person { id, token }
        }
    };
    let mut mentees = Vec::new();
    mentees.push(freshman("2026101", json!({"supervisor_id": sup1_staff})).await);
    mentees.push(freshman("2026102", json!({})).await);
    mentees.push(freshman("2026103", json!({})).await);
    let b_mentee = freshman("2026104", json!({})).await;
    let loner = freshman("2026105", json!({})).await;
    let mut pairings = Vec::new();
    for m in &mentees {
        let p = app
            .post("/api/v1/pairings", &admin, json!({"appointment_id": a_appointment, "mentee_id": m.id}))
            .await
            .expect(201);
        pairings.push(p.id());
    }
    app.post("/api/v1/pairings", &admin, json!({"appointment_id": b_appointment, "mentee_id": b_mentee.id}))
        .await
        .expect(201);
    World {
        app,
        admin,
        year,
        cs,
        cs_admin,
        cs_counselor,
        ee_admin,
        sup1,
        a,
        a_appointment,
        b,
        b_appointment,
        c_appointment,
        ee_appointment,
        mentees,
        pairings,
        loner,
    }
}

impl World {
    async fn performance(&self, token: &str) -> Value {
        self.app.get(&format!("/api/v1/appointments/{}/performance", self.a_appointment), token).await.expect(200).body
    }

    async fn record(&self, token: &str, appointment: &str, kind: &str, minutes: i32, duties: Value, students: Value) {
        let mut body = json!({"appointment_id": appointment, "kind": kind, "date": today().to_string(),
            "minutes": minutes, "duties": duties, "channel": "face_to_face", "student_ids": students,
            "summary": "交流学习与科研安排"});
        if students.as_array().is_some_and(Vec::is_empty) {
            body["head_count"] = json!(12);
        }
        self.app.post("/api/v1/work-records", token, body).await.expect(201);
    }

    /// An activity of the college hosted by `hosts`, starting `hours` from now (negative: it has
    /// started), two hours long, published. Only a running one takes registrations and attendance.
    async fn activity(&self, kind: &str, hosts: &[&str], hours: i64, venue: &str) -> String {
        let start = now() + Duration::hours(hours);
        let body = json!({"kind": kind, "title": format!("活动{venue}"), "academic_year_id": self.year,
            "college_id": self.cs, "host_appointment_ids": hosts, "start_at": start.to_rfc3339(),
            "end_at": (start + Duration::hours(2)).to_rfc3339(), "venue": venue, "capacity": 30});
        let id = self.app.post("/api/v1/activities", &self.cs_admin, body).await.expect(201).id();
        self.app.post(&format!("/api/v1/activities/{id}/publish"), &self.cs_admin, json!({})).await.expect(200);
        id
    }

    /// Registers `students`, marks them attended and holds the activity.
    async fn hold(&self, id: &str, students: &[&str]) {
        let app = &self.app;
        app.post(&format!("/api/v1/activities/{id}/registrations"), &self.cs_admin, json!({"student_ids": students}))
            .await
            .expect(201);
        app.send(
            app.request(reqwest::Method::PUT, &format!("/api/v1/activities/{id}/attendance"), Some(&self.cs_admin))
                .json(&json!({"student_ids": students})),
        )
        .await
        .expect(200);
        app.post(&format!("/api/v1/activities/{id}/complete"), &self.cs_admin, json!({"summary": "顺利举行"}))
            .await
            .expect(200);
    }
}

#[actix_web::test]
async fn the_figures_are_exactly_what_the_world_holds() {
    let w = world().await;
    let app = &w.app;
    let [m1, m2, m3] = [&w.mentees[0], &w.mentees[1], &w.mentees[2]];

    // Nothing done yet: three mentees paired, every other figure zero.
    let p = w.performance(&w.a.token).await;
    assert_eq!(p["appointment_id"], w.a_appointment);
    assert_eq!(p["academic_year_id"], w.year);
    assert_eq!(p["college_id"], w.cs);
    for (figure, want) in [("mentees_paired", 3), ("mentees_reached", 0), ("work_records", 0), ("minutes", 0)] {
        assert_eq!(p[figure], want, "{figure}");
    }
    assert_eq!(p["duties_covered"], json!([]));
    assert_eq!(p["mentee_feedback"], json!({"answers": 0, "mean": null}));
    assert_eq!((p["introduction_met"].as_bool(), p["salon_met"].as_bool()), (Some(false), Some(false)));
    assert_eq!(p["training_completed"], false);

    // Work records: two individual (m1; m1 and m2), one group naming m1 and a student who is no
    // mentee, one group with a head count only; and one of mentor B, which never counts for A.
    w.record(&w.a.token, &w.a_appointment, "individual_consultation", 30, json!(["study", "research"]), json!([m1.id]))
        .await;
    w.record(&w.a.token, &w.a_appointment, "daily_exchange", 20, json!(["life"]), json!([m1.id, m2.id])).await;
    w.record(&w.a.token, &w.a_appointment, "group_counselling", 90, json!(["ideology"]), json!([m1.id, w.loner.id]))
        .await;
    w.record(&w.a.token, &w.a_appointment, "peer_counselling", 45, json!(["study"]), json!([])).await;
    w.record(&w.b.token, &w.b_appointment, "group_counselling", 60, json!(["career"]), json!([])).await;

    // Concerns: two about m1, one escalated, acknowledged by m1's supervisor and resolved.
    let concern = |token: String| async move {
        let body = json!({"scope": "individual", "category": "study", "urgency": "normal",
                          "description": "学业压力较大", "student_id": m1.id});
        app.post("/api/v1/concerns", &token, body).await.expect(201).id()
    };
    let c1 = concern(w.a.token.clone()).await;
    concern(w.a.token.clone()).await;
    let act = |id: String, action: &'static str, token: String| async move {
        let req = app.request(reqwest::Method::POST, &format!("/api/v1/concerns/{id}/{action}"), Some(&token));
        let req = if action == "resolve" { req.json(&json!({"note": "已约谈"})) } else { req };
        app.send(req).await.expect(200);
    };
    act(c1.clone(), "escalate", w.a.token.clone()).await;
    act(c1.clone(), "acknowledge", w.sup1.clone()).await;
    act(c1, "resolve", w.cs_admin.clone()).await;

    // Activities: a salon A hosts with B, held with all three mentees attending; one A hosts that
    // is still ahead; one A hosted that was cancelled; one mentor C hosts, held.
    let salon = w.activity("freshman_salon", &[&w.a_appointment, &w.b_appointment], -1, "一教A101").await;
    w.hold(&salon, &[&m1.id, &m2.id, &m3.id]).await;
    w.activity("research_salon", &[&w.a_appointment], 24, "一教A102").await;
    let cancelled = w.activity("research_salon", &[&w.a_appointment], 48, "一教A103").await;
    app.post(&format!("/api/v1/activities/{cancelled}/cancel"), &w.cs_admin, json!({"reason": "场地冲突"}))
        .await
        .expect(200);
    let other = w.activity("freshman_salon", &[&w.c_appointment], -1, "一教A104").await;
    w.hold(&other, &[&m1.id]).await;
    // Feedback on A's salon: 5, 4, 4.
    for (m, rating) in [(m1, 5), (m2, 4), (m3, 4)] {
        app.post(&format!("/api/v1/activities/{salon}/feedback"), &m.token, json!({"rating": rating}))
            .await
            .expect(201);
    }
    // Training: a university-wide session A attended (held), and the completion on the appointment.
    let body = json!({"kind": "training", "title": "学长岗前培训", "academic_year_id": w.year,
        "start_at": (now() - Duration::hours(1)).to_rfc3339(), "end_at": (now() + Duration::hours(1)).to_rfc3339(),
        "venue": "行政楼报告厅", "capacity": 100});
    let training = app.post("/api/v1/activities", &w.admin, body).await.expect(201).id();
    app.post(&format!("/api/v1/activities/{training}/publish"), &w.admin, json!({})).await.expect(200);
    app.post(&format!("/api/v1/activities/{training}/registrations"), &w.admin, json!({"student_ids": [w.a.id]}))
        .await
        .expect(201);
    app.send(
        app.request(reqwest::Method::PUT, &format!("/api/v1/activities/{training}/attendance"), Some(&w.admin))
            .json(&json!({"student_ids": [w.a.id]})),
    )
    .await
    .expect(200);
    app.post(&format!("/api/v1/activities/{training}/complete"), &w.admin, json!({"summary": "完成培训"}))
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/appointments/{}/training", w.a_appointment),
        &w.admin,
        json!({"completed_on": today().to_string()}),
    )
    .await
    .expect(200);
    // Introduced today: after the year's introduction deadline, so not met yet.
    app.post(
        &format!("/api/v1/appointments/{}/introduction", w.a_appointment),
        &w.admin,
        json!({"introduced_on": today().to_string(), "channel": "wechat"}),
    )
    .await
    .expect(200);

    // Mentee feedback: 5, 4, 3 this term.
    for (pairing, (m, rating)) in w.pairings.iter().zip([(m1, 5), (m2, 4), (m3, 3)]) {
        app.post(&format!("/api/v1/pairings/{pairing}/feedback"), &m.token, json!({"rating": rating}))
            .await
            .expect(201);
    }

    // Directory inquiries: A publishes a profile; a student asks three times, A answers one and
    // marks one spam.
    app.put(
        &format!("/api/v1/appointments/{}/profile", w.a_appointment),
        &w.a.token,
        json!({"research_direction": "计算机视觉", "bio": "博士三年级。", "published": true}),
        None,
    )
    .await
    .expect(200);
    let mut inquiries = Vec::new();
    for subject in ["报考咨询", "课题合作", "广告"] {
        let body =
            json!({"mentor_id": w.a_appointment, "kind": "study", "subject": subject, "message": "学长好，想请教。"});
        inquiries.push(app.post("/api/v1/inquiries", &w.loner.token, body).await.expect(201).id());
    }
    app.post(&format!("/api/v1/inquiries/{}/reply", inquiries[0]), &w.a.token, json!({"reply": "欢迎报考"}))
        .await
        .expect(200);
    app.post(&format!("/api/v1/inquiries/{}/spam", inquiries[2]), &w.a.token, json!({})).await.expect(200);
    // The work summary counts them the same way (issue 14).
    let summary = app.get(&format!("/api/v1/appointments/{}/work-summary", w.a_appointment), &w.a.token).await;
    let summary = summary.expect(200);
    assert_eq!(
        (summary.body["inquiries_received"].as_i64(), summary.body["inquiries_answered"].as_i64()),
        (Some(2), Some(1)),
        "{}",
        summary.text
    );

    let expected = |activity_mean: Value, mentee_mean: Value, milestones: bool| {
        json!({
            "mentees_paired": 3, "mentees_reached": 2,
            "work_records": 4, "consultations": 2, "group_sessions": 2, "minutes": 185,
            "duties_covered": ["ideology", "study", "research", "life"],
            "help_requests_received": 0, "help_requests_answered": 0, "help_median_answer_seconds": null,
            "concerns_registered": 2, "concerns_escalated": 1, "concerns_resolved": 1,
            "activities_hosted": 2, "activities_held": 1, "attendance": 3,
            "activity_feedback": {"answers": 3, "mean": activity_mean},
            "mentee_feedback": {"answers": 3, "mean": mentee_mean},
            "introduction_met": milestones, "salon_met": milestones,
            "training_completed": true, "training_sessions_attended": 1,
            "inquiries_received": 2, "inquiries_answered": 1,
        })
    };
    let figures = |mut p: Value| {
        for k in ["appointment_id", "academic_year_id", "college_id", "computed_at"] {
            p.as_object_mut().unwrap().remove(k);
        }
        p
    };
    // The means stay hidden while feedback can still come in, from everyone who reads them.
    for token in [&w.a.token, &w.cs_admin, &w.cs_counselor, &w.admin] {
        assert_eq!(figures(w.performance(token).await), expected(Value::Null, Value::Null, false));
    }

    // The deadlines move past today: the introduction and the salon now meet them.
    let later = (today() + Duration::days(10)).to_string();
    app.patch(
        &format!("/api/v1/academic-years/{}", w.year),
        &w.admin,
        json!({"introduction_deadline": later, "salon_deadline": later}),
        Some("\"1\""),
    )
    .await
    .expect(200);
    assert_eq!(figures(w.performance(&w.a.token).await), expected(Value::Null, Value::Null, true));

    // Once the term is over and the activity's feedback closed (14 days), the means show: the
    // salon (5 + 4 + 4) / 3, the mentees (5 + 4 + 3) / 3.
    let days = ((term_end() - today()).num_days() + 2).max(15);
    app.advance_clock(Duration::days(days));
    let p = w.performance(&w.a.token).await;
    assert_eq!(figures(p.clone()), expected(json!(4.33), json!(4.0), true));
    let computed: DateTime<Utc> = p["computed_at"].as_str().unwrap().parse().unwrap();
    assert!(computed > Utc::now() + Duration::days(days - 1), "computed by the application clock: {computed}");
}

#[actix_web::test]
async fn only_the_mentor_their_college_and_the_university_read_the_figures() {
    let w = world().await;
    let path = format!("/api/v1/appointments/{}/performance", w.a_appointment);
    for token in [&w.a.token, &w.cs_admin, &w.cs_counselor, &w.admin] {
        w.app.get(&path, token).await.expect(200);
    }
    // Another college's admin, another mentor, a mentee, a supervisor: as if it did not exist.
    for token in [&w.ee_admin, &w.b.token, &w.mentees[0].token, &w.sup1] {
        let res = w.app.get(&path, token).await.expect(404);
        assert_eq!(res.code(), "not_found");
    }
    // The EE admin reads their own college's mentor; an unknown id and a malformed one are refused.
    w.app.get(&format!("/api/v1/appointments/{}/performance", w.ee_appointment), &w.ee_admin).await.expect(200);
    w.app.get(&format!("/api/v1/appointments/{}/performance", uuid::Uuid::now_v7()), &w.admin).await.expect(404);
    let bad = w.app.get("/api/v1/appointments/not-an-id/performance", &w.admin).await;
    assert_eq!(bad.status.as_u16(), 400, "{}", bad.text);
    // Without a token: 401.
    let anon = w.app.send(w.app.request(reqwest::Method::GET, &path, None)).await;
    assert_eq!(anon.status.as_u16(), 401);
}
