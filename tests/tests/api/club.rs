//! The mentors' club (issue 17): membership follows the appointments — active while serving,
//! alumni after the close of the year or a resignation, none after a dismissal — and survives the
//! close of the year; the list has no private data; a member leaves and rejoins (recorded,
//! audited, on the feed); a new appointment after leaving makes a member again; members, alumni
//! included and graduated or not, register and attend the club's activities.

use chrono::{Datelike, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

fn today() -> chrono::NaiveDate {
    domain::time::shanghai_date(Utc::now())
}

/// The first calendar year of the academic year running today.
fn current_year() -> i32 {
    let d = today();
    if d.month() >= 9 { d.year() } else { d.year() - 1 }
}

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

struct World {
    app: TestApp,
    admin: String,
    cs: String,
    ee: String,
    year: String,
    year_code: String,
    lab: String,
    ee_lab: String,
    first: i32,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let first = current_year();
    let year_code = format!("{first}-{}", first + 1);
    // Stretched around today, so an activity happening now always falls in it.
    let t = today();
    let span = json!({
        "code": year_code,
        "starts_on": (t - Duration::days(60)).to_string(),
        "ends_on": (t + Duration::days(300)).to_string(),
        "introduction_deadline": (t - Duration::days(30)).to_string(),
        "salon_deadline": (t - Duration::days(20)).to_string(),
    });
    let year = app.post("/api/v1/academic-years", &admin, span).await.expect(201).id();
    let lab = app.unit(&admin, &cs, "LAB1", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE1", "laboratory").await;
    World { app, admin, cs, ee, year, year_code, lab, ee_lab, first }
}

impl World {
    /// A senior student appointed in `year` to `unit` of `college`, with an account: (student id,
    /// appointment id, token).
    async fn mentor_in(&self, year: &str, college: &str, unit: &str, no: &str, name: &str) -> (String, String, String) {
        let app = &self.app;
        let s = app
            .student(
                &self.admin,
                college,
                no,
                json!({"name": name, "enrollment_year": self.first - 2, "unit_id": unit,
                       "phone": "13900000000", "email": format!("{no}@stu.example.edu.cn")}),
            )
            .await;
        let a = MentorBuilder::new(app, &self.admin)
            .student(&s)
            .year(year)
            .unit(unit)
            .justification("表现突出")
            .appoint()
            .await;
        let token = app.user(&self.admin, &format!("u{no}"), Role::Student, json!({"student_id": s})).await;
        (s, a.appointment.0, token)
    }

    async fn mentor(&self, college: &str, unit: &str, no: &str, name: &str) -> (String, String, String) {
        self.mentor_in(&self.year, college, unit, no, name).await
    }

    /// A student who was never appointed, with an account.
    async fn student(&self, no: &str, extra: Value) -> (String, String) {
        let s = self.app.student(&self.admin, &self.cs, no, extra).await;
        let token = self.app.user(&self.admin, &format!("u{no}"), Role::Student, json!({"student_id": s})).await;
        (s, token)
    }

    async fn members(&self, token: &str, query: &str) -> Res {
        self.app.get(&format!("/api/v1/club/members{query}"), token).await.expect(200)
    }
}

fn names(res: &Res) -> Vec<String> {
    res.body["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn membership_follows_the_appointments_and_survives_the_close_of_the_year_as_alumni() {
    let w = world().await;
    let app = &w.app;
    let (zhang, zhang_appt, _) = w.mentor(&w.cs, &w.lab, "2023001", "张三").await;
    let (_, li_appt, _) = w.mentor(&w.cs, &w.lab, "2023002", "李四").await;
    let (_, wang_appt, _) = w.mentor(&w.ee, &w.ee_lab, "2023003", "王五").await;
    let (_, stranger) = w.student("2024009", json!({"name": "赵六"})).await;
    let supervisor = app
        .user(&w.admin, "sup", Role::Supervisor, json!({"staff_id": app.staff(&w.admin, &w.cs, "T001", true).await}))
        .await;

    // Every appointed mentor is an active member; any signed-in user reads the list, by name.
    let all = w.members(&stranger, "").await;
    assert_eq!(all.body["total"], 3, "{}", all.text);
    let mut expected = vec!["张三", "李四", "王五"];
    expected.sort();
    assert_eq!(names(&all), expected);
    w.members(&supervisor, "").await;
    let first = &all.body["items"].as_array().unwrap().iter().find(|m| m["name"] == "张三").unwrap().clone();
    assert_eq!(first["state"], "active");
    assert_eq!(first["student_id"], zhang.as_str());
    assert_eq!((first["college_name"].as_str(), first["unit_name"].as_str()), (Some("计算机学院"), Some("单位LAB1")));
    assert_eq!(first["years"], json!([w.year_code]));
    assert_eq!(first["since"], today().to_string());
    // Nothing private: exactly these keys, and no 学号, phone or e-mail anywhere.
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = [
        "student_id",
        "name",
        "college_id",
        "college_name",
        "unit_id",
        "unit_name",
        "state",
        "since",
        "years",
        "awards",
    ];
    want.sort();
    let mut have = keys.clone();
    have.sort();
    assert_eq!(have, want);
    for private in ["2023001", "13900000000", "stu.example.edu.cn", "party_member", "political_status", "student_no"] {
        assert!(!all.text.contains(private), "{private} leaks: {}", all.text);
    }

    // Dismissed: no longer a member. Resigned: alumni at once.
    app.post(&format!("/api/v1/appointments/{li_appt}/dismissal"), &w.admin, json!({"reason": "长期不履行学长职责"}))
        .await
        .expect(200);
    app.post(&format!("/api/v1/appointments/{wang_appt}/resignation"), &w.admin, json!({"reason": "出国交流"}))
        .await
        .expect(200);
    let after = w.members(&stranger, "").await;
    assert_eq!(after.body["total"], 2, "{}", after.text);
    assert!(!names(&after).contains(&"李四".to_owned()));
    let alumni = w.members(&stranger, "?state=alumni").await;
    assert_eq!(names(&alumni), ["王五"]);

    // 张三 wins the year's award; the year closes: 张三 stays a member, as an alumnus, with it.
    app.award_alone(&w.admin, &w.year, &zhang_appt).await;
    app.post(&format!("/api/v1/academic-years/{}/close", w.year), &w.admin, json!({})).await.expect(200);
    let closed = w.members(&stranger, "").await;
    assert_eq!(closed.body["total"], 2);
    assert!(closed.body["items"].as_array().unwrap().iter().all(|m| m["state"] == "alumni"), "{}", closed.text);
    assert_eq!(w.members(&stranger, "?state=active").await.body["total"], 0);
    let z = w.members(&stranger, &format!("?college_id={}", w.cs)).await;
    assert_eq!(names(&z), ["张三"]);
    assert_eq!(z.body["items"][0]["awards"], json!([{"title": "年度优秀学长", "academic_year": w.year_code}]));
    assert_eq!(names(&w.members(&stranger, &format!("?college_id={}", w.ee)).await), ["王五"]);
    assert_eq!(w.members(&stranger, &format!("?academic_year_id={}", w.year)).await.body["total"], 2);
    let nowhere = uuid::Uuid::now_v7();
    assert_eq!(w.members(&stranger, &format!("?academic_year_id={nowhere}")).await.body["total"], 0);

    // Paginated like every list: page_size, the total, and the Link header.
    let page = w.members(&stranger, "?page_size=1&sort=-name").await;
    assert_eq!((page.body["total"].as_u64(), page.body["items"].as_array().map(Vec::len)), (Some(2), Some(1)));
    assert!(page.header("link").is_some_and(|l| l.contains("rel=\"next\"")), "{:?}", page.header("link"));
    let mut by_name = expected.clone();
    by_name.retain(|n| *n != "李四");
    assert_eq!(names(&page), [by_name[1]], "descending by name");

    // Bad input and the wrong callers.
    assert_problem(&app.get("/api/v1/club/members?state=retired", &stranger).await, 400, "invalid_query");
    assert_eq!(app.get("/api/v1/club/members?sort=student_no", &stranger).await.expect(422).error_fields(), ["sort"]);
    assert_problem(&app.get("/api/v1/club/members?college_id=nope", &stranger).await, 400, "invalid_query");
    let anonymous = app.send(app.request(Method::GET, "/api/v1/club/members", None)).await;
    assert_eq!(anonymous.status.as_u16(), 401);
    let client = app.client_token(&w.admin, json!(["events:read"])).await;
    assert_problem(&app.get("/api/v1/club/members", &client).await, 403, "forbidden");
}

#[actix_web::test]
async fn a_member_leaves_and_rejoins_and_a_new_appointment_makes_a_member_again() {
    let w = world().await;
    let app = &w.app;
    let (zhang, _, token) = w.mentor(&w.cs, &w.lab, "2023001", "张三").await;
    let (_, dismissed_appt, dismissed) = w.mentor(&w.cs, &w.lab, "2023002", "李四").await;
    let (_, stranger) = w.student("2024009", json!({"name": "赵六"})).await;

    let me = app.get("/api/v1/club/members/me", &token).await.expect(200);
    assert_eq!((me.body["name"].as_str(), me.body["state"].as_str()), (Some("张三"), Some("active")));

    // Leaving: 204, recorded in the audit log and on the feed; no longer listed nor a member.
    app.delete("/api/v1/club/members/me", &token, None).await.expect(204);
    assert_problem(&app.get("/api/v1/club/members/me", &token).await, 404, "not_found");
    assert!(!names(&w.members(&stranger, "").await).contains(&"张三".to_owned()));
    assert_problem(&app.delete("/api/v1/club/members/me", &token, None).await, 404, "not_found");
    let audit = app.get("/api/v1/audit-events?action=club.leave", &w.admin).await.expect(200);
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(1), "{}", audit.text);
    assert_eq!(audit.body["items"][0]["target_id"], zhang.as_str());
    let feed = app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    assert!(feed.text.contains("club_member.left"), "{}", feed.text);

    // Rejoining: the membership as before, recorded too.
    let back = app.post("/api/v1/club/members/me", &token, json!({})).await.expect(200);
    assert_eq!(back.body["state"], "active");
    assert!(names(&w.members(&stranger, "").await).contains(&"张三".to_owned()));
    let audit = app.get("/api/v1/audit-events?action=club.rejoin", &w.admin).await.expect(200);
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(1), "{}", audit.text);
    // Rejoining as a member changes nothing.
    app.post("/api/v1/club/members/me", &token, json!({})).await.expect(200);
    assert_eq!(
        app.get("/api/v1/audit-events?action=club.rejoin", &w.admin).await.body["items"].as_array().map(Vec::len),
        Some(1)
    );

    // Who is no member cannot leave, and only appointed mentors rejoin.
    assert_problem(&app.get("/api/v1/club/members/me", &stranger).await, 404, "not_found");
    assert_problem(&app.delete("/api/v1/club/members/me", &stranger, None).await, 404, "not_found");
    assert_problem(&app.post("/api/v1/club/members/me", &stranger, json!({})).await, 403, "forbidden");
    app.post(&format!("/api/v1/appointments/{dismissed_appt}/dismissal"), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);
    assert_problem(&app.post("/api/v1/club/members/me", &dismissed, json!({})).await, 403, "forbidden");
    assert_problem(&app.get("/api/v1/club/members/me", &w.admin).await, 403, "forbidden");
    assert_problem(&app.delete("/api/v1/club/members/me", &w.admin, None).await, 403, "forbidden");

    // Left, then appointed again (the next year): a member again without rejoining.
    app.delete("/api/v1/club/members/me", &token, None).await.expect(204);
    let next = app
        .post("/api/v1/academic-years", &w.admin, json!({"code": format!("{}-{}", w.first + 1, w.first + 2)}))
        .await
        .expect(201)
        .id();
    MentorBuilder::new(app, &w.admin).student(&zhang).year(&next).unit(&w.lab).justification("连任").appoint().await;
    let again = app.get("/api/v1/club/members/me", &token).await.expect(200);
    assert_eq!(again.body["state"], "active");
    assert_eq!(again.body["years"].as_array().map(Vec::len), Some(2), "{}", again.text);
}

#[actix_web::test]
async fn members_and_alumni_register_for_club_activities_even_when_graduated() {
    let w = world().await;
    let app = &w.app;
    let (zhang, zhang_appt, zhang_token) = w.mentor(&w.cs, &w.lab, "2023001", "张三").await;
    let (graduate, graduate_token) =
        w.student("2022001", json!({"name": "毕业生", "enrollment_year": w.first - 4})).await;
    // 张三 resigns (an alumnus) and graduates; another student who never served graduates too.
    app.post(&format!("/api/v1/appointments/{zhang_appt}/resignation"), &w.admin, json!({"reason": "毕业离校"}))
        .await
        .expect(200);
    for s in [&zhang, &graduate] {
        app.patch(&format!("/api/v1/students/{s}"), &w.admin, json!({"status": "graduated"}), None).await.expect(200);
    }
    assert_eq!(app.get("/api/v1/club/members/me", &zhang_token).await.expect(200).body["state"], "alumni");

    // A club meeting happening now, and the university's training (not a club kind).
    let now = Utc::now();
    let at = |kind: &str, title: &str| {
        json!({"kind": kind, "title": title, "academic_year_id": w.year,
               "start_at": (now - Duration::minutes(30)).to_rfc3339(), "end_at": (now + Duration::hours(2)).to_rfc3339(),
               "venue": format!("学生活动中心 {kind}")})
    };
    let mut ids = Vec::new();
    for (kind, title) in [
        ("club_meeting", "学长俱乐部例会"),
        ("experience_exchange", "学长工作经验交流座谈会"),
        ("training", "学长培训"),
    ] {
        let id = app.post("/api/v1/activities", &w.admin, at(kind, title)).await.expect(201).id();
        app.post(&format!("/api/v1/activities/{id}/publish"), &w.admin, json!({})).await.expect(200);
        ids.push(id);
    }
    let register = |id: &str, token: &str| {
        let req =
            app.request(Method::POST, &format!("/api/v1/activities/{id}/registrations"), Some(token)).json(&json!({}));
        app.send(req)
    };
    // The graduated alumnus registers for the club's kinds; the graduate who never served does not.
    register(&ids[0], &zhang_token).await.expect(201);
    register(&ids[1], &zhang_token).await.expect(201);
    assert_problem(&register(&ids[0], &graduate_token).await, 403, "forbidden");
    // Training is no club kind: a graduated alumnus is refused as before.
    assert_problem(&register(&ids[2], &zhang_token).await, 403, "forbidden");
    // An organiser registering a list is held to the same rule, field by field.
    let batch = app
        .post(&format!("/api/v1/activities/{}/registrations", ids[1]), &w.admin, json!({"student_ids": [graduate]}))
        .await
        .expect(422);
    assert_eq!(batch.body["errors"][0]["code"], "not_eligible");

    // And attends: the attendance is taken, and the alumnus gives feedback once it is held.
    let a = app
        .put(&format!("/api/v1/activities/{}/attendance", ids[0]), &w.admin, json!({"student_ids": [zhang]}), None)
        .await
        .expect(200);
    assert_eq!(a.body["attended"], 1, "{}", a.text);
    app.post(&format!("/api/v1/activities/{}/complete", ids[0]), &w.admin, json!({"summary": "交流学长工作经验"}))
        .await
        .expect(200);
    app.post(&format!("/api/v1/activities/{}/feedback", ids[0]), &zhang_token, json!({"rating": 5})).await.expect(201);
    let regs = app.get(&format!("/api/v1/activities/{}/registrations", ids[0]), &zhang_token).await.expect(200);
    assert_eq!(regs.body["items"][0]["attended"], true, "{}", regs.text);
}
