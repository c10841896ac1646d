//! The program reports of issue 16, part B: the mentors who have gone quiet, and the overview a
//! coordinator opens first with its SVG charts. Every figure is checked against what the test
//! made, on SQLite and PostgreSQL.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

/// Today in Asia/Shanghai, by the real clock (the server's before any `advance_clock`).
fn today() -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now())
}

/// Two colleges in the academic year running today. Computer science: mentors A (paired with
/// freshmen f1 and f2) and B, a third freshman f3 unpaired, an admin and a counselor. Electrical
/// engineering: mentor C, one unpaired freshman, an admin.
struct World {
    app: TestApp,
    admin: String,
    year: String,
    cs: String,
    ee: String,
    a: Mentor,
    b: Mentor,
    c: Mentor,
    f1: String,
    cs_admin: String,
    cs_counselor: String,
    ee_admin: String,
}

struct Mentor {
    appointment: String,
    token: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let cs_lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE-LAB", "laboratory").await;
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let counselor_staff = app
        .post(
            "/api/v1/staff",
            &admin,
            json!({"staff_no": "C001", "name": "辅导员王老师", "college_id": cs, "is_supervisor": false,
                   "is_counselor": true}),
        )
        .await
        .expect(201)
        .id();
    let cs_counselor =
        app.user(&admin, "cs-counselor", Role::Counselor, json!({"college_id": cs, "staff_id": counselor_staff})).await;
    let ee_admin = app.user(&admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let mentor = |college: &str, unit: &str, no: &'static str| {
        let (app, admin, year, college, unit) = (&app, &admin, &year, college.to_owned(), unit.to_owned());
        async move {
            let student = app.student(admin, &college, no, json!({"enrollment_year": 2023})).await;
            let m = MentorBuilder::new(app, admin)
                .student(&student)
                .year(year)
                .unit(&unit)
                .justification("表现突出")
                .appoint()
                .await;
            let token = app.user(admin, &format!("s{no}"), "student", json!({"student_id": student})).await;
            Mentor { appointment: m.appointment.0, token }
        }
    };
    let a = mentor(&cs, &cs_lab, "2023001").await;
    let b = mentor(&cs, &cs_lab, "2023002").await;
    let c = mentor(&ee, &ee_lab, "2023101").await;
    let freshman = |college: &str, no: &'static str| {
        let (app, admin, college) = (&app, &admin, college.to_owned());
        async move { app.student(admin, &college, no, json!({"enrollment_year": first})).await }
    };
    // f1's counselor is the college's counselor: concerns about f1 go to them.
    let f1 =
        app.student(&admin, &cs, "2026101", json!({"enrollment_year": first, "counselor_id": counselor_staff})).await;
    let f2 = freshman(&cs, "2026102").await;
    freshman(&cs, "2026103").await;
    freshman(&ee, "2026201").await;
    for mentee in [&f1, &f2] {
        app.post("/api/v1/pairings", &admin, json!({"appointment_id": a.appointment, "mentee_id": mentee}))
            .await
            .expect(201);
    }
    World { app, admin, year, cs, ee, a, b, c, f1, cs_admin, cs_counselor, ee_admin }
}

impl World {
    async fn inactive(&self, token: &str, query: &str) -> Res {
        self.app.get(&format!("/api/v1/reports/inactive-mentors?academic_year_id={}{query}", self.year), token).await
    }

    /// A work record of mentor A with f1, dated `date`.
    async fn record(&self, date: NaiveDate) {
        let body = json!({
            "appointment_id": self.a.appointment, "kind": "individual_consultation", "date": date,
            "minutes": 30, "duties": ["study"], "channel": "face_to_face", "student_ids": [self.f1],
            "summary": "选课与开题安排",
        });
        self.app.post("/api/v1/work-records", &self.a.token, body).await.expect(201);
    }
}

/// The appointment ids listed as inactive under each college code.
fn listed(body: &Value) -> Vec<(String, Vec<String>)> {
    body["colleges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let ids =
                c["inactive"].as_array().unwrap().iter().map(|m| m["appointment_id"].as_str().unwrap().to_owned());
            (c["college_code"].as_str().unwrap().to_owned(), ids.collect())
        })
        .collect()
}

#[actix_web::test]
async fn a_quiet_mentor_is_listed_until_a_work_record_and_again_once_it_is_older_than_the_window() {
    let w = world().await;
    let t = today();
    // Nobody has done anything yet: all three are listed, never active, with their mentee counts.
    let res = w.inactive(&w.admin, "").await.expect(200);
    assert_eq!(res.body["days"], 30);
    assert_eq!(res.body["as_of"], t.to_string());
    assert_eq!(res.body["since"], (t - Duration::days(30)).to_string());
    assert_eq!((res.body["active_mentors"].as_i64(), res.body["inactive_mentors"].as_i64()), (Some(3), Some(3)));
    let mut a_first = vec![w.a.appointment.clone(), w.b.appointment.clone()];
    let cs = &res.body["colleges"][0];
    // Both never active: by 学号, A (2023001) before B (2023002).
    assert_eq!(listed(&res.body), [("CS".into(), a_first.clone()), ("EE".into(), vec![w.c.appointment.clone()])]);
    assert_eq!((cs["active_mentors"].as_i64(), cs["inactive_mentors"].as_i64()), (Some(2), Some(2)));
    assert_eq!(cs["college_id"], w.cs.as_str());
    assert_eq!(cs["college_name"], "计算机学院");
    let a = &cs["inactive"][0];
    assert_eq!((a["student_no"].as_str(), a["mentees"].as_i64()), (Some("2023001"), Some(2)));
    assert_eq!(a["last_activity_on"], Value::Null);
    assert_eq!(a["appointed_on"], t.to_string());
    assert_eq!(cs["inactive"][1]["mentees"], 0);

    // A logs a consultation dated today: A is no longer listed; the college still has 2 active.
    w.record(t).await;
    let res = w.inactive(&w.admin, "").await.expect(200);
    assert_eq!(
        listed(&res.body),
        [("CS".into(), vec![w.b.appointment.clone()]), ("EE".into(), vec![w.c.appointment.clone()])]
    );
    assert_eq!(res.body["colleges"][0]["active_mentors"], 2);
    assert_eq!(res.body["inactive_mentors"], 2);

    // 31 days on, today's record is older than a 30-day window (since = t + 1) but inside 31 days.
    w.app.advance_clock(Duration::days(31));
    let res = w.inactive(&w.admin, "&days=30").await.expect(200);
    assert_eq!(res.body["since"], (t + Duration::days(1)).to_string());
    // A has been active (on t), B never: B first.
    a_first.reverse();
    assert_eq!(listed(&res.body)[0], ("CS".into(), a_first));
    assert_eq!(res.body["colleges"][0]["inactive"][1]["last_activity_on"], t.to_string());
    let res = w.inactive(&w.admin, "&days=31").await.expect(200);
    assert_eq!(res.body["since"], t.to_string());
    assert_eq!(listed(&res.body)[0], ("CS".into(), vec![w.b.appointment.clone()]));
}

#[actix_web::test]
async fn the_inactive_mentor_report_is_scoped_to_the_college_and_validates_its_query() {
    let w = world().await;
    // A college admin and a counselor see their college only; another college's filter is 404.
    for token in [&w.cs_admin, &w.cs_counselor] {
        let res = w.inactive(token, "").await.expect(200);
        let got: Vec<String> = listed(&res.body).into_iter().map(|(c, _)| c).collect();
        assert_eq!(got, ["CS"]);
        assert_eq!(res.body["active_mentors"], 2);
        assert_problem(&w.inactive(token, &format!("&college_id={}", w.ee)).await, 404, "not_found");
        let own = w.inactive(token, &format!("&college_id={}", w.cs)).await.expect(200);
        assert_eq!(own.body["inactive_mentors"], 2);
    }
    let res = w.inactive(&w.ee_admin, "").await.expect(200);
    assert_eq!(listed(&res.body), [("EE".into(), vec![w.c.appointment.clone()])]);
    // The university filters by college; an unknown college or year is 404.
    let res = w.inactive(&w.admin, &format!("&college_id={}", w.ee)).await.expect(200);
    assert_eq!(res.body["inactive_mentors"], 1);
    let nobody = "0193a4e1-7c2b-7abc-8def-0123456789ab";
    assert_problem(&w.inactive(&w.admin, &format!("&college_id={nobody}")).await, 404, "not_found");
    let res = w.app.get(&format!("/api/v1/reports/inactive-mentors?academic_year_id={nobody}"), &w.admin).await;
    assert_problem(&res, 404, "not_found");
    // Mentors, students and supervisors do not read it.
    assert_problem(&w.inactive(&w.a.token, "").await, 403, "forbidden");
    // days is 1..=365; anything else is 422, a non-number 400; the year is required.
    for days in ["0", "366", "-3"] {
        let res = w.inactive(&w.admin, &format!("&days={days}")).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), ["days"], "{days}");
    }
    assert_eq!(w.inactive(&w.admin, "&days=365").await.expect(200).body["days"], 365);
    assert_problem(&w.inactive(&w.admin, "&days=abc").await, 400, "invalid_query");
    assert_problem(&w.app.get("/api/v1/reports/inactive-mentors", &w.admin).await, 400, "invalid_query");
    assert_problem(
        &w.app.get("/api/v1/reports/inactive-mentors?academic_year_id=x", &w.admin).await,
        400,
        "invalid_query",
    );
    assert_problem(
        &w.app.get(&format!("/api/v1/reports/inactive-mentors?academic_year_id={}", w.year), "bad").await,
        401,
        "unauthenticated",
    );
}

impl World {
    async fn overview(&self, token: &str, query: &str) -> Res {
        self.app.get(&format!("/api/v1/reports/overview?academic_year_id={}{query}", self.year), token).await
    }

    /// An activity of computer science hosted by A, starting `hours` from now, published.
    async fn activity(&self, hours: i64, venue: &str) -> String {
        let start = chrono::Utc::now() + Duration::hours(hours);
        let body = json!({"kind": "freshman_salon", "title": format!("新生沙龙{venue}"), "academic_year_id": self.year,
            "college_id": self.cs, "host_appointment_ids": [self.a.appointment], "start_at": start.to_rfc3339(),
            "end_at": (start + Duration::hours(2)).to_rfc3339(), "venue": venue, "capacity": 30});
        let id = self.app.post("/api/v1/activities", &self.cs_admin, body).await.expect(201).id();
        self.app.post(&format!("/api/v1/activities/{id}/publish"), &self.cs_admin, json!({})).await.expect(200);
        id
    }
}

/// The Monday on or before `d`.
fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

#[actix_web::test]
async fn the_overview_counts_mentors_freshmen_records_activities_and_concerns_exactly() {
    let w = world().await;
    let t = today();
    // C (EE) is dismissed; two consultations of A today; two salons, one cancelled, one more
    // university-wide training; a concern escalated.
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", w.c.appointment), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);
    w.record(t).await;
    w.record(t).await;
    let kept = w.activity(48, "一教A101").await;
    let gone = w.activity(72, "一教A102").await;
    w.app
        .post(&format!("/api/v1/activities/{gone}/cancel"), &w.cs_admin, json!({"reason": "场地冲突"}))
        .await
        .expect(200);
    // The training belongs to no college: the university counts it, no college does.
    let start = chrono::Utc::now() + Duration::hours(48);
    let training = json!({"kind": "training", "title": "学长培训", "academic_year_id": w.year,
        "start_at": start.to_rfc3339(), "end_at": (start + Duration::hours(2)).to_rfc3339(),
        "venue": "大学生活动中心", "capacity": 100});
    let training = w.app.post("/api/v1/activities", &w.admin, training).await.expect(201).id();
    w.app.post(&format!("/api/v1/activities/{training}/publish"), &w.admin, json!({})).await.expect(200);
    let body = json!({"scope": "individual", "category": "study", "urgency": "normal",
                      "description": "学业压力较大", "student_id": w.f1});
    let concern = w.app.post("/api/v1/concerns", &w.a.token, body).await.expect(201).id();
    w.app.post(&format!("/api/v1/concerns/{concern}/escalate"), &w.a.token, json!({})).await.expect(200);

    let res = w.overview(&w.admin, "").await.expect(200);
    let o = &res.body;
    assert_eq!(o["college_id"], Value::Null);
    assert_eq!(o["as_of"], t.to_string());
    assert_eq!(o["mentors"], json!({"active": 2, "completed": 0, "dismissed": 1, "resigned": 0}));
    // Freshmen: CS 2 of 3 paired, EE 0 of 1: 2 of 4 over all.
    assert_eq!(o["freshmen"], json!({"freshmen": 4, "paired": 2, "paired_share": 0.5}));
    let cs = json!({"college_id": w.cs, "college_code": "CS", "college_name": "计算机学院", "freshmen": 3,
                    "paired": 2, "paired_share": 0.6667});
    let ee = json!({"college_id": w.ee, "college_code": "EE", "college_name": "电气工程学院", "freshmen": 1,
                    "paired": 0, "paired_share": 0.0});
    assert_eq!(o["colleges"], json!([cs, ee]));
    assert_eq!(o["top_colleges"], json!([cs, ee]));
    assert_eq!(o["bottom_colleges"], json!([ee, cs]));
    // Records per week: every week from the one of Sept 1 to this one, 2 in this week only.
    let weeks = o["records_per_week"].as_array().unwrap();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let start = monday(NaiveDate::from_ymd_opt(first, 9, 1).unwrap());
    assert_eq!(weeks.len() as i64, (monday(t) - start).num_days() / 7 + 1);
    assert_eq!(weeks[0]["week_start"], start.to_string());
    assert_eq!(weeks.last().unwrap(), &json!({"week_start": monday(t).to_string(), "count": 2}));
    assert_eq!(weeks.iter().map(|p| p["count"].as_i64().unwrap()).sum::<i64>(), 2);
    // Activities per month: twelve months from September; the cancelled salon is not counted.
    let months = o["activities_per_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["month"], format!("{first}-09"));
    assert_eq!(months[11]["month"], format!("{}-08", first + 1));
    let salon_month = domain::time::shanghai_date(chrono::Utc::now() + Duration::hours(48)).format("%Y-%m").to_string();
    let counted: Vec<(String, i64, i64)> = months
        .iter()
        .filter(|m| m["count"] != 0 || m["held"] != 0)
        .map(|m| (m["month"].as_str().unwrap().to_owned(), m["count"].as_i64().unwrap(), m["held"].as_i64().unwrap()))
        .collect();
    assert_eq!(counted, [(salon_month.clone(), 2, 0)], "{kept}");
    assert_eq!(o["concerns"], json!({"open": 1, "overdue": 0}));
    // Compliance at a glance: CS (A and B never introduced, no salon held) misses both milestones
    // once their deadline (Sept 30, Oct 31) is past, pending before; EE's only mentor is dismissed,
    // so nothing is due there.
    let status = |m: u32, d: u32| if t > NaiveDate::from_ymd_opt(first, m, d).unwrap() { "missed" } else { "pending" };
    let glance = |s: &str| {
        let mut v = json!({"met": 0, "late": 0, "missed": 0, "pending": 0, "not_applicable": 1});
        v[s] = json!(1);
        v
    };
    assert_eq!(
        o["compliance"],
        json!({"introduction": glance(status(9, 30)), "freshman_salon": glance(status(10, 31))})
    );
    let cs_only = w.overview(&w.cs_admin, "").await.expect(200).body;
    let cs_months: Vec<(String, i64)> = cs_only["activities_per_month"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["count"] != 0)
        .map(|m| (m["month"].as_str().unwrap().to_owned(), m["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(cs_months, [(salon_month, 1)]);
    assert_eq!(cs_only["compliance"]["introduction"][status(9, 30)], 1);
    assert_eq!(cs_only["compliance"]["introduction"]["not_applicable"], 0);
    // Eight days on, the escalated normal concern (7 days) is overdue; acknowledged, it is not.
    w.app.advance_clock(Duration::days(8));
    let o = w.overview(&w.admin, "").await.expect(200).body;
    assert_eq!(o["concerns"], json!({"open": 1, "overdue": 1}));
    assert_eq!(o["as_of"], (t + Duration::days(8)).to_string());
    w.app.post(&format!("/api/v1/concerns/{concern}/acknowledge"), &w.cs_counselor, json!({})).await.expect(200);
    assert_eq!(w.overview(&w.admin, "").await.expect(200).body["concerns"], json!({"open": 1, "overdue": 0}));
}

#[actix_web::test]
async fn a_college_sees_its_own_overview_only() {
    let w = world().await;
    w.record(today()).await;
    for token in [&w.cs_admin, &w.cs_counselor] {
        let o = w.overview(token, "").await.expect(200).body;
        assert_eq!(o["college_id"], w.cs.as_str());
        assert_eq!(o["mentors"]["active"], 2);
        assert_eq!(o["freshmen"], json!({"freshmen": 3, "paired": 2, "paired_share": 0.6667}));
        assert_eq!(o["colleges"].as_array().unwrap().len(), 1);
        assert_eq!(o["top_colleges"][0]["college_code"], "CS");
        assert_eq!(o["bottom_colleges"][0]["college_code"], "CS");
        assert_problem(&w.overview(token, &format!("&college_id={}", w.ee)).await, 404, "not_found");
    }
    // EE: one mentor, no records, its one freshman unpaired.
    let o = w.overview(&w.ee_admin, "").await.expect(200).body;
    assert_eq!(o["mentors"]["active"], 1);
    assert_eq!(o["freshmen"], json!({"freshmen": 1, "paired": 0, "paired_share": 0.0}));
    assert_eq!(o["records_per_week"].as_array().unwrap().iter().map(|p| p["count"].as_i64().unwrap()).sum::<i64>(), 0);
    // The university narrows to a college; a student may not read it; bad queries are 400.
    let o = w.overview(&w.admin, &format!("&college_id={}", w.ee)).await.expect(200).body;
    assert_eq!(o["college_id"], w.ee.as_str());
    assert_eq!(o["mentors"]["active"], 1);
    assert_problem(&w.overview(&w.a.token, "").await, 403, "forbidden");
    assert_problem(&w.app.get("/api/v1/reports/overview", &w.admin).await, 400, "invalid_query");
    let nobody = "0193a4e1-7c2b-7abc-8def-0123456789ab";
    assert_problem(
        &w.app.get(&format!("/api/v1/reports/overview?academic_year_id={nobody}"), &w.admin).await,
        404,
        "not_found",
    );
}

/// The `<title>`, the `<desc>` and every `<text>` of an SVG document, which must parse as XML.
fn svg_texts(res: &Res) -> (String, String, Vec<String>) {
    assert_eq!(res.header("content-type").as_deref(), Some("image/svg+xml"), "{}", res.text);
    let doc = roxmltree::Document::parse(&res.text).unwrap_or_else(|e| panic!("not XML: {e}\n{}", res.text));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let text_of = |name: &str| {
        doc.descendants()
            .filter(|n| n.tag_name().name() == name)
            .map(|n| {
                n.descendants().filter(|t| t.is_text()).filter_map(|t| t.text()).collect::<String>().trim().to_owned()
            })
            .collect::<Vec<_>>()
    };
    let one = |name: &str| {
        let all = text_of(name);
        assert_eq!(all.len(), 1, "one <{name}>: {}", res.text);
        all[0].clone()
    };
    (one("title"), one("desc"), text_of("text"))
}

#[actix_web::test]
async fn the_overview_charts_are_svg_that_parse_as_xml_and_hold_the_series_values() {
    let w = world().await;
    let t = today();
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", w.c.appointment), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);
    for _ in 0..3 {
        w.record(t).await;
    }
    let chart = |token: &str, query: String| {
        let (app, year) = (&w.app, &w.year);
        let token = token.to_owned();
        async move { app.get(&format!("/api/v1/reports/overview.svg?academic_year_id={year}{query}"), &token).await }
    };
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let code = format!("{first}-{}", first + 1);

    // The default chart: records per week, this week's bar labelled 3.
    let res = chart(&w.admin, String::new()).await.expect(200);
    let (title, desc, texts) = svg_texts(&res);
    assert_eq!(title, format!("{code} 全校 每周工作记录"));
    let this_week = format!("{}: 3", monday(t).format("%m-%d"));
    assert!(desc.ends_with(&this_week), "{desc}");
    assert_eq!(desc.matches(": 0").count(), desc.split("; ").count() - 1, "every other week is 0: {desc}");
    assert!(texts.iter().any(|s| s == "3"), "the bar's value is drawn: {texts:?}");
    assert!(texts.iter().any(|s| s.contains("每周工作记录")), "{texts:?}");
    assert!(res.text.contains("Noto Sans CJK SC"), "the stated font families");

    let (title, desc, _) = svg_texts(&chart(&w.admin, "&chart=mentors_by_state".into()).await.expect(200));
    assert_eq!(title, format!("{code} 全校 学长聘任状态"));
    assert_eq!(desc, "在聘: 2; 期满: 0; 解聘: 1; 辞任: 0");
    let (_, desc, _) = svg_texts(&chart(&w.admin, "&chart=paired_share_by_college".into()).await.expect(200));
    assert_eq!(desc, "计算机学院: 67; 电气工程学院: 0");
    let (_, desc, _) = svg_texts(&chart(&w.admin, "&chart=activities_per_month".into()).await.expect(200));
    assert_eq!(desc.split("; ").count(), 12);
    assert!(desc.starts_with(&format!("{first}-09: 0")), "{desc}");

    // A college admin's chart is their college's; another college's is 404; a bad chart 400.
    let (title, desc, _) = svg_texts(&chart(&w.cs_admin, "&chart=mentors_by_state".into()).await.expect(200));
    assert_eq!(title, format!("{code} 计算机学院 学长聘任状态"));
    assert_eq!(desc, "在聘: 2; 期满: 0; 解聘: 0; 辞任: 0");
    assert_problem(&chart(&w.cs_admin, format!("&college_id={}", w.ee)).await, 404, "not_found");
    assert_problem(&chart(&w.admin, "&chart=pie".into()).await, 400, "invalid_query");
    assert_problem(&chart(&w.a.token, String::new()).await, 403, "forbidden");
}
