//! The work-record book (工作记录本, issue 13): recording, who sees what, the edit window and notes,
//! the work summary, the export, and what the change feed says.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

/// Today in Asia/Shanghai, by the server's clock as the test has moved it.
fn today(moved: Duration) -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now() + moved)
}

/// Two colleges; the computer-science college has two serving mentors in one lab, A with mentees
/// m1 (supervised by sup1) and m2, B with m3; a counselor and an admin per college; a student of
/// the college no one is paired with, and one of the other college.
struct World {
    app: TestApp,
    admin: String,
    year: String,
    starts_on: NaiveDate,
    a: Mentor,
    b: Mentor,
    m1: Person,
    m2: Person,
    m3: Person,
    loner: Person,
    foreign: Person,
    sup1: String,
    sup2: String,
    cs_counselor: String,
    cs_admin: String,
    ee_counselor: String,
}

struct Mentor {
    student: String,
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
    // The academic year running today, so that "not in the future" and "within the term" both bite.
    let t = today(Duration::zero());
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year =
        app.post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)})).await.expect(201);
    let starts_on = NaiveDate::from_ymd_opt(first, 9, 1).unwrap();
    let year = year.id();
    let sup1_staff = app.staff(&admin, &cs, "T001", true).await;
    let sup2_staff = app.staff(&admin, &cs, "T002", true).await;
    let sup1 = app.user(&admin, "sup1", Role::Supervisor, json!({"staff_id": sup1_staff})).await;
    let sup2 = app.user(&admin, "sup2", Role::Supervisor, json!({"staff_id": sup2_staff})).await;
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
            Mentor { student, appointment: m.appointment.0, token }
        }
    };
    let a = mentor("2023001").await;
    let b = mentor("2023002").await;
    let person = |college: String, no: &'static str, extra: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            let mut extra = extra;
            extra["enrollment_year"] = json!(first);
            extra["name"] = json!(format!("新生{no}"));
            let id = app.student(admin, &college, no, extra).await;
            let token = app.user(admin, &format!("s{no}"), "student", json!({"student_id": id})).await;
            Person { id, token }
        }
    };
    let m1 = person(cs.clone(), "2026101", json!({"supervisor_id": sup1_staff})).await;
    let m2 = person(cs.clone(), "2026102", json!({})).await;
    let m3 = person(cs.clone(), "2026103", json!({})).await;
    let loner = person(cs.clone(), "2026104", json!({})).await;
    let foreign = person(ee.clone(), "2026901", json!({})).await;
    for (m, mentee) in [(&a, &m1), (&a, &m2), (&b, &m3)] {
        app.post("/api/v1/pairings", &admin, json!({"appointment_id": m.appointment, "mentee_id": mentee.id}))
            .await
            .expect(201);
    }
    World {
        app,
        admin,
        year,
        starts_on,
        a,
        b,
        m1,
        m2,
        m3,
        loner,
        foreign,
        sup1,
        sup2,
        cs_counselor,
        cs_admin,
        ee_counselor,
    }
}

impl World {
    /// The body of a valid individual consultation of mentor A with m1, dated today.
    fn consultation(&self) -> Value {
        json!({
            "appointment_id": self.a.appointment,
            "kind": "individual_consultation",
            "date": today(Duration::zero()),
            "minutes": 45,
            "duties": ["study", "research"],
            "channel": "face_to_face",
            "student_ids": [self.m1.id],
            "summary": "讨论选课与开题安排",
            "reflections": "新生对培养方案不熟悉",
        })
    }

    async fn record(&self, token: &str, body: Value) -> Value {
        self.app.post("/api/v1/work-records", token, body).await.expect(201).body
    }
}

fn ids(res: &Res) -> BTreeSet<String> {
    res.body["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

fn set(ids: &[&Value]) -> BTreeSet<String> {
    ids.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn each_viewer_sees_exactly_the_entries_the_rules_give_them_and_a_named_student_no_reflections() {
    let w = world().await;
    let one = w.record(&w.a.token, w.consultation()).await;
    assert_eq!(one["reflections"], "新生对培养方案不熟悉");
    assert_eq!(one["student_ids"], json!([w.m1.id]));
    // Group work may name students of the college who are not the mentor's mentees.
    let group = w
        .record(
            &w.a.token,
            json!({"appointment_id": w.a.appointment, "kind": "group_counselling", "date": today(Duration::zero()),
                   "minutes": 90, "duties": ["life"], "channel": "online", "student_ids": [w.m2.id, w.loner.id],
                   "head_count": 12, "summary": "新生适应团体辅导", "reflections": "部分新生有焦虑"}),
        )
        .await;
    let theirs = w
        .record(
            &w.b.token,
            json!({"appointment_id": w.b.appointment, "kind": "daily_exchange", "date": today(Duration::zero()),
                   "minutes": 20, "duties": ["ideology"], "channel": "chat_group", "student_ids": [w.m3.id],
                   "summary": "日常交流"}),
        )
        .await;

    let path = format!("/api/v1/work-records/{}", one["id"].as_str().unwrap());
    for (who, token) in [
        ("mentor", &w.a.token),
        ("counselor", &w.cs_counselor),
        ("college admin", &w.cs_admin),
        ("university", &w.admin),
        ("supervisor of m1", &w.sup1),
    ] {
        let r = w.app.get(&path, token).await.expect(200);
        assert_eq!(r.body["reflections"], "新生对培养方案不熟悉", "{who}");
    }
    let named = w.app.get(&path, &w.m1.token).await.expect(200);
    assert_eq!(named.body["reflections"], Value::Null, "a named student sees no reflections");
    assert_eq!(named.body["summary"], "讨论选课与开题安排");
    for (who, token) in [
        ("another mentor", &w.b.token),
        ("another college's counselor", &w.ee_counselor),
        ("an unrelated supervisor", &w.sup2),
        ("a student not named", &w.m2.token),
        ("a stranger", &w.foreign.token),
    ] {
        assert_problem(&w.app.get(&path, token).await, 404, "not_found");
        let _ = who;
    }

    // Lists are filtered the same way, in SQL.
    let list = |token: String| {
        let app = &w.app;
        async move { app.get("/api/v1/work-records?page_size=100", &token).await.expect(200) }
    };
    let (one_id, group_id, theirs_id) = (&one["id"], &group["id"], &theirs["id"]);
    assert_eq!(ids(&list(w.a.token.clone()).await), set(&[one_id, group_id]));
    assert_eq!(ids(&list(w.b.token.clone()).await), set(&[theirs_id]));
    assert_eq!(ids(&list(w.cs_counselor.clone()).await), set(&[one_id, group_id, theirs_id]));
    assert_eq!(ids(&list(w.admin.clone()).await), set(&[one_id, group_id, theirs_id]));
    assert_eq!(ids(&list(w.ee_counselor.clone()).await), BTreeSet::new());
    assert_eq!(ids(&list(w.sup1.clone()).await), set(&[one_id]));
    assert_eq!(ids(&list(w.sup2.clone()).await), BTreeSet::new());
    assert_eq!(ids(&list(w.loner.token.clone()).await), set(&[group_id]));
    let m1_list = list(w.m1.token.clone()).await;
    assert_eq!(ids(&m1_list), set(&[one_id]));
    assert_eq!(m1_list.body["total"], 1);
    assert!(m1_list.body["items"].as_array().unwrap().iter().all(|r| r["reflections"].is_null()));
    assert!(!m1_list.text.contains("新生对培养方案不熟悉"), "{}", m1_list.text);

    // Filters.
    let by = |q: String| {
        let app = &w.app;
        let admin = w.admin.clone();
        async move { app.get(&format!("/api/v1/work-records?{q}"), &admin).await.expect(200) }
    };
    assert_eq!(ids(&by(format!("appointment_id={}", w.a.appointment)).await), set(&[one_id, group_id]));
    assert_eq!(ids(&by(format!("student_id={}", w.loner.id)).await), set(&[group_id]));
    assert_eq!(ids(&by("kind=daily_exchange".into()).await), set(&[theirs_id]));
    assert_eq!(ids(&by("duty=research".into()).await), set(&[one_id]));
    let tomorrow = today(Duration::zero()) + Duration::days(1);
    assert_eq!(ids(&by(format!("date_from={tomorrow}")).await), BTreeSet::new());
    assert_problem(&w.app.get("/api/v1/work-records?kind=chat", &w.admin).await, 400, "invalid_query");
}

#[actix_web::test]
async fn an_entry_locks_after_the_years_edit_window_and_then_takes_only_notes() {
    let w = world().await;
    let r = w.record(&w.a.token, w.consultation()).await;
    let path = format!("/api/v1/work-records/{}", r["id"].as_str().unwrap());
    let changed = w.app.patch(&path, &w.a.token, json!({"minutes": 60, "reflections": null}), Some("\"1\"")).await;
    let changed = changed.expect(200);
    assert_eq!((changed.body["minutes"].as_i64(), changed.body["version"].as_i64()), (Some(60), Some(2)));
    assert_eq!(changed.body["reflections"], Value::Null);
    assert_problem(
        &w.app.patch(&path, &w.a.token, json!({"minutes": 30}), Some("\"1\"")).await,
        412,
        "precondition_failed",
    );
    // Only the author changes it: others who see it are refused, the rest do not know it.
    assert_problem(&w.app.patch(&path, &w.cs_counselor, json!({"minutes": 30}), None).await, 403, "forbidden");
    assert_problem(&w.app.patch(&path, &w.b.token, json!({"minutes": 30}), None).await, 404, "not_found");
    assert_problem(&w.app.post(&format!("{path}/notes"), &w.m1.token, json!({"text": "x"})).await, 403, "forbidden");

    // 31 days on, the default 30-day window has passed.
    w.app.advance_clock(Duration::days(31));
    assert_problem(&w.app.patch(&path, &w.a.token, json!({"minutes": 30}), None).await, 409, "record_locked");
    let noted = w.app.post(&format!("{path}/notes"), &w.a.token, json!({"text": "回访：已确定开题方向"})).await;
    let noted = noted.expect(201);
    assert_eq!(noted.body["notes"][0]["text"], "回访：已确定开题方向");
    assert_eq!(noted.body["minutes"], 60);
    assert_problem(
        &w.app.post(&format!("{path}/notes"), &w.a.token, json!({"text": " "})).await,
        422,
        "validation_failed",
    );

    // The academic year's window is a setting: 60 days opens the entry again; out of range is refused.
    let year_path = format!("/api/v1/academic-years/{}", w.year);
    for bad in [0, 366] {
        let res = w.app.patch(&year_path, &w.admin, json!({"record_edit_days": bad}), None).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), ["record_edit_days"]);
    }
    let y = w.app.patch(&year_path, &w.admin, json!({"record_edit_days": 60}), None).await.expect(200);
    assert_eq!(y.body["record_edit_days"], 60);
    w.app.patch(&path, &w.a.token, json!({"minutes": 30}), None).await.expect(200);
    w.app.advance_clock(Duration::days(30));
    assert_problem(&w.app.patch(&path, &w.a.token, json!({"minutes": 20}), None).await, 409, "record_locked");

    // Every change is audited.
    let audit = w.app.get("/api/v1/audit-events?target_type=work_record&page_size=100", &w.admin).await.expect(200);
    let actions: BTreeSet<String> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    let want: BTreeSet<String> =
        ["work_record.create", "work_record.update", "work_record.add_note"].iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(actions, want);
}

#[actix_web::test]
async fn the_work_summary_equals_the_rows_the_test_created() {
    let w = world().await;
    let t = today(Duration::zero());
    let earlier = (t - Duration::days(40)).max(w.starts_on);
    let entries = [
        ("individual_consultation", t, 45, json!(["study", "research"]), json!([w.m1.id]), Value::Null),
        ("individual_consultation", earlier, 30, json!(["study"]), json!([w.m1.id]), Value::Null),
        ("group_counselling", earlier, 90, json!(["life"]), json!([w.loner.id]), json!(20)),
        ("career_help", t, 15, json!(["career"]), json!([]), Value::Null),
    ];
    for (kind, date, minutes, duties, students, head_count) in &entries {
        let mut body = json!({"appointment_id": w.a.appointment, "kind": kind, "date": date, "minutes": minutes,
            "duties": duties, "channel": "phone", "student_ids": students, "summary": "记录"});
        if !head_count.is_null() {
            body["head_count"] = head_count.clone();
        }
        let res = w.app.post("/api/v1/work-records", &w.a.token, body).await;
        if *kind == "career_help" {
            // Individual work names someone.
            assert_problem(&res, 422, "validation_failed");
            assert_eq!(res.error_fields(), ["student_ids"]);
        } else {
            res.expect(201);
        }
    }
    // B's entry is not A's.
    w.record(
        &w.b.token,
        json!({"appointment_id": w.b.appointment, "kind": "daily_exchange", "date": t, "minutes": 500,
               "duties": ["ideology"], "channel": "phone", "student_ids": [w.m3.id], "summary": "日常交流"}),
    )
    .await;

    let path = format!("/api/v1/appointments/{}/work-summary", w.a.appointment);
    let s = w.app.get(&path, &w.a.token).await.expect(200).body;
    assert_eq!(s["entries"], 3);
    assert_eq!(s["minutes"], 165);
    assert_eq!(
        s["by_kind"],
        json!([{"kind": "group_counselling", "entries": 1, "minutes": 90},
               {"kind": "individual_consultation", "entries": 2, "minutes": 75}])
    );
    assert_eq!(
        s["by_duty"],
        json!([{"duty": "life", "entries": 1, "minutes": 90},
               {"duty": "research", "entries": 1, "minutes": 45},
               {"duty": "study", "entries": 2, "minutes": 75}])
    );
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let by_month = if month(earlier) == month(t) {
        json!([{"month": month(t), "entries": 3, "minutes": 165}])
    } else {
        json!([{"month": month(earlier), "entries": 2, "minutes": 120}, {"month": month(t), "entries": 1, "minutes": 45}])
    };
    assert_eq!(s["by_month"], by_month);
    assert_eq!(s["students_reached"], 2);
    assert_eq!(s["mentees_never_contacted"], json!([{"id": w.m2.id, "student_no": "2026102", "name": "新生2026102"}]));

    for token in [&w.cs_counselor, &w.cs_admin, &w.admin] {
        assert_eq!(w.app.get(&path, token).await.expect(200).body, s);
    }
    for token in [&w.b.token, &w.sup1, &w.m1.token, &w.ee_counselor] {
        assert_problem(&w.app.get(&path, token).await, 404, "not_found");
    }
    let empty = w.app.get(&format!("/api/v1/appointments/{}/work-summary", w.b.appointment), &w.admin).await;
    assert_eq!(empty.expect(200).body["mentees_never_contacted"], json!([]));
}

#[actix_web::test]
async fn bad_entries_are_refused_with_the_field_at_fault() {
    let w = world().await;
    let t = today(Duration::zero());
    let with = |patch: Value| {
        let mut body = w.consultation();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({"date": t + Duration::days(1)}), "date"),
        (json!({"date": w.starts_on - Duration::days(1)}), "date"),
        (json!({"minutes": 0}), "minutes"),
        (json!({"minutes": 1441}), "minutes"),
        (json!({"student_ids": [w.foreign.id]}), "student_ids[0]"),
        (json!({"student_ids": [w.m3.id]}), "student_ids[0]"),
        (json!({"student_ids": [w.a.student]}), "student_ids[0]"),
        (json!({"student_ids": [uuid::Uuid::now_v7()]}), "student_ids[0]"),
        (json!({"student_ids": [w.m1.id, w.m1.id]}), "student_ids"),
        (json!({"kind": "group_counselling", "student_ids": [w.foreign.id]}), "student_ids[0]"),
        (json!({"summary": "a\u{0}b"}), "summary"),
        (json!({"summary": "长".repeat(5001)}), "summary"),
        (json!({"duties": []}), "duties"),
        (json!({"head_count": 3}), "head_count"),
        (json!({"activity_id": uuid::Uuid::now_v7()}), "activity_id"),
        (json!({"appointment_id": w.b.appointment}), "appointment_id"),
        (json!({"appointment_id": uuid::Uuid::now_v7()}), "appointment_id"),
    ];
    for (patch, field) in cases {
        let res = w.app.post("/api/v1/work-records", &w.a.token, with(patch.clone())).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{patch}");
    }
    for (patch, field) in [
        (json!({"kind": "chat"}), "kind"),
        (json!({"minutes": "45"}), "minutes"),
        (json!({"duties": ["sports"]}), "duties"),
        (json!({"channel": "letter"}), "channel"),
        (json!({"date": "2026-13-01"}), "date"),
        (json!({"extra": 1}), "extra"),
    ] {
        let res = w.app.post("/api/v1/work-records", &w.a.token, with(patch.clone())).await;
        assert_eq!(res.status.as_u16(), 422, "{patch}: {}", res.text);
        assert!(res.error_fields().iter().any(|f| f.starts_with(field)), "{patch}: {}", res.text);
    }
    // Only a mentor records, and only while serving.
    assert_problem(&w.app.post("/api/v1/work-records", &w.admin, w.consultation()).await, 403, "forbidden");
    w.app
        .post(
            &format!("/api/v1/appointments/{}/resignation", w.a.appointment),
            &w.a.token,
            json!({"reason": "出国交流"}),
        )
        .await
        .expect(200);
    assert_problem(
        &w.app.post("/api/v1/work-records", &w.a.token, w.consultation()).await,
        409,
        "appointment_not_active",
    );
    // Bad ids in the path and the query.
    assert_problem(&w.app.get("/api/v1/work-records/not-a-uuid", &w.admin).await, 400, "invalid_path");
    let unknown = format!("/api/v1/work-records/{}", uuid::Uuid::now_v7());
    assert_problem(&w.app.get(&unknown, &w.admin).await, 404, "not_found");
    assert_problem(&w.app.get("/api/v1/work-records?sort=minutes", &w.admin).await, 422, "validation_failed");
}

#[actix_web::test]
async fn the_feed_carries_no_text_and_the_export_prints_the_book_with_the_lists_filters() {
    let w = world().await;
    let t = today(Duration::zero());
    let earlier = (t - Duration::days(3)).max(w.starts_on);
    let first = w.record(&w.a.token, w.consultation()).await;
    let second = w
        .record(
            &w.a.token,
            json!({"appointment_id": w.a.appointment, "kind": "group_counselling",
        "date": earlier, "minutes": 60, "duties": ["life"], "channel": "online", "student_ids": [w.m2.id],
        "head_count": 8, "summary": "团体辅导：时间管理", "reflections": "需要更多案例"}),
        )
        .await;
    let path = format!("/api/v1/work-records/{}", first["id"].as_str().unwrap());
    w.app.post(&format!("{path}/notes"), &w.a.token, json!({"text": "补记：约好下周再谈"})).await.expect(201);

    let feed = w.app.get("/api/v1/events?after=0&limit=1000", &w.admin).await.expect(200);
    let ours: Vec<&Value> =
        feed.body["items"].as_array().unwrap().iter().filter(|e| e["resource_type"] == "work_record").collect();
    let types: Vec<&str> = ours.iter().map(|e| e["type"].as_str().unwrap_or_default()).collect();
    assert_eq!(ours.len(), 3, "{}", feed.text);
    assert!(types.contains(&"work_record.created") && types.contains(&"work_record.note_added"), "{types:?}");
    for e in &ours {
        let payload = e["data"].as_object().unwrap();
        let keys: BTreeSet<&str> = payload.keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["appointment_id", "kind"]), "{e}");
    }
    for text in ["讨论选课", "新生对培养方案", "团体辅导", "补记"] {
        assert!(!feed.text.contains(text), "the feed carries {text}: {}", feed.text);
    }

    // The export: print order (date, then recording), the list's filters, a BOM and Chinese headers.
    let export = |q: String, token: String| {
        let app = &w.app;
        async move {
            let res =
                app.send(app.request(Method::GET, &format!("/api/v1/exports/work-records?{q}"), Some(&token))).await;
            assert_eq!(res.status.as_u16(), 200, "{}", res.text);
            res.text
        }
    };
    let all = export(String::new(), w.a.token.clone()).await;
    assert!(all.starts_with('\u{feff}'), "a BOM");
    let lines: Vec<&str> = all.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("日期,学长学号,学长姓名,类型,职责"), "{}", lines[0]);
    assert_eq!(lines.len(), 3, "{all}");
    assert!(lines[1].contains("group_counselling") && lines[2].contains("individual_consultation"), "{all}");
    assert!(lines[2].contains("2026101 新生2026101") && lines[2].contains("补记：约好下周再谈"), "{all}");
    assert!(
        all.contains("需要更多案例") && all.contains("新生对培养方案不熟悉"),
        "the mentor's export has the reflections"
    );

    let filtered = export(format!("kind=group_counselling&appointment_id={}", w.a.appointment), w.admin.clone()).await;
    assert_eq!(filtered.lines().count(), 2, "{filtered}");
    assert!(filtered.contains("团体辅导：时间管理"));
    assert_eq!(export(format!("student_id={}", w.m1.id), w.cs_admin.clone()).await.lines().count(), 2);
    assert_eq!(export(format!("date_to={}", earlier - Duration::days(1)), w.admin.clone()).await.lines().count(), 1);
    assert_eq!(export(String::new(), w.ee_counselor.clone()).await.lines().count(), 1);

    // A named student's export has their entries without the reflections.
    let theirs = export(String::new(), w.m1.token.clone()).await;
    assert_eq!(theirs.lines().count(), 2, "{theirs}");
    assert!(theirs.contains("讨论选课与开题安排") && !theirs.contains("新生对培养方案不熟悉"), "{theirs}");
    let _ = second;
}
