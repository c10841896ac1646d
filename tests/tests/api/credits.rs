//! Scholarship credit and service history (issue 15): credit follows the year's configured points
//! for the grade and the awards, capped; dismissed and unsatisfactory mentors get none; JSON and
//! CSV; who reads which rows; a student's appointments across years.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn today() -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now())
}

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

struct World {
    app: TestApp,
    admin: String,
    cs_admin: String,
    year: String,
    /// (student id, appointment id, name) of CS mentors m1–m4 and EE mentor e1.
    mentors: Vec<(String, String, &'static str)>,
    m1_token: String,
    m2_token: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let mut mentors = Vec::new();
    for (i, (college, name)) in
        [(&cs, "张三"), (&cs, "李四"), (&cs, "王五"), (&cs, "孙八"), (&ee, "赵六")].into_iter().enumerate()
    {
        let lab = app.unit(&admin, college, &format!("LAB{i}"), "laboratory").await;
        let no = format!("202300{i}");
        let s = app
            .student(&admin, college, &no, json!({"name": name, "enrollment_year": first - 2, "unit_id": lab}))
            .await;
        let a = MentorBuilder::new(&app, &admin)
            .student(&s)
            .year(&year)
            .unit(&lab)
            .justification("表现突出")
            .appoint()
            .await
            .appointment
            .0;
        mentors.push((s, a, name));
    }
    let m1_token = app.user(&admin, "mentor-1", "student", json!({"student_id": mentors[0].0})).await;
    let m2_token = app.user(&admin, "mentor-2", "student", json!({"student_id": mentors[1].0})).await;
    World { app, admin, cs_admin, year, mentors, m1_token, m2_token }
}

impl World {
    async fn patch_year(&self, body: Value) -> Res {
        let path = format!("/api/v1/academic-years/{}", self.year);
        let etag = self.app.get(&path, &self.admin).await.expect(200).header("etag").unwrap();
        self.app.patch(&path, &self.admin, body, Some(&etag)).await
    }

    async fn grade(&self, appointment: &str, grade: &str) {
        self.app
            .put(
                &format!("/api/v1/appointments/{appointment}/assessment"),
                &self.cs_admin,
                json!({"grade": grade, "comment": "全年履职情况良好"}),
                None,
            )
            .await
            .expect(200);
    }

    /// A finalized round that awards `appointment` alone.
    async fn award(&self, appointment: &str) {
        self.app.award_alone(&self.admin, &self.year, appointment).await;
    }

    fn credits_path(&self, format: &str) -> String {
        format!("/api/v1/academic-years/{}/scholarship-credits?format={format}", self.year)
    }
}

#[actix_web::test]
async fn credit_follows_the_years_points_for_grade_and_awards_and_dismissed_mentors_get_none() {
    let w = world().await;
    let a = |i: usize| w.mentors[i].1.clone();
    // The policy: 2.5 points for excellent, 1 for competent, 1.5 per award, at most 3.5.
    let y = w
        .patch_year(json!({
            "assessment_opens_on": today(), "assessment_closes_on": today() + Duration::days(10),
            "scholarship_credit": {"excellent": 25, "competent": 10, "per_award": 15, "cap": 35}
        }))
        .await
        .expect(200);
    assert_eq!(y.body["scholarship_credit"], json!({"excellent": 25, "competent": 10, "per_award": 15, "cap": 35}));
    // Bad policies name the field.
    for (bad, field) in [
        (json!({"excellent": 101, "competent": 10, "per_award": 10, "cap": null}), "scholarship_credit.excellent"),
        (json!({"excellent": 10, "competent": 20, "per_award": 10, "cap": null}), "scholarship_credit.competent"),
    ] {
        let res = w.patch_year(json!({"scholarship_credit": bad})).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), [field]);
    }
    let res = w
        .patch_year(json!({"scholarship_credit": {"excellent": -1, "competent": 0, "per_award": 0, "cap": null}}))
        .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.text);

    // m1 excellent with an award (25 + 15, capped at 35), m2 competent, m3 unsatisfactory,
    // m4 dismissed, e1 not graded.
    w.grade(&a(0), "excellent").await;
    w.grade(&a(1), "competent").await;
    w.grade(&a(2), "unsatisfactory").await;
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", a(3)), &w.admin, json!({"reason": "长期不履行学长职责"}))
        .await
        .expect(200);
    w.award(&a(0)).await;

    let res = w.app.get(&w.credits_path("json"), &w.admin).await.expect(200);
    let rows = res.body.as_array().unwrap();
    let got: Vec<(&str, Option<&str>, u64, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["grade"].as_str(),
                r["credit_tenths"].as_u64().unwrap(),
                r["credit_points"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("张三", Some("excellent"), 35, "3.5"),
            ("李四", Some("competent"), 10, "1"),
            ("王五", Some("unsatisfactory"), 0, "0"),
            ("孙八", Some("unsatisfactory"), 0, "0"),
            ("赵六", None, 0, "0"),
        ]
    );
    assert_eq!(rows[0]["awards"], json!(["年度优秀学长"]));
    assert_eq!(rows[0]["commendations"][0]["title"], "年度优秀研究生党员学长");
    assert_eq!(rows[3]["state"], "dismissed");
    assert_eq!(rows[0]["served_from"], today().to_string());

    // Without a cap the award adds fully.
    w.patch_year(json!({"scholarship_credit": {"excellent": 25, "competent": 10, "per_award": 15, "cap": null}}))
        .await
        .expect(200);
    let res = w.app.get(&w.credits_path("json"), &w.admin).await.expect(200);
    assert_eq!(res.body[0]["credit_tenths"], 40);

    // CSV for Excel: a BOM, Chinese headers, points.
    let res = w.app.get(&w.credits_path("csv"), &w.admin).await.expect(200);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(res.text.starts_with('\u{feff}'), "no BOM");
    let lines: Vec<&str> = res.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "学号,姓名,学院,单位,任期开始,任期结束,聘任状态,考核等级,获奖,表彰,加分");
    assert!(
        lines[1].starts_with("2023000,张三,计算机学院,")
            && lines[1].ends_with(",优秀,年度优秀学长,年度优秀研究生党员学长,4"),
        "{}",
        lines[1]
    );
    assert_eq!(lines.len(), 6);

    // A college admin reads their college's rows; the student-affairs system needs credits:read.
    let res = w.app.get(&w.credits_path("json"), &w.cs_admin).await.expect(200);
    assert_eq!(res.body.as_array().unwrap().len(), 4);
    let client = w.app.client_token(&w.admin, json!(["credits:read"])).await;
    assert_eq!(w.app.get(&w.credits_path("json"), &client).await.expect(200).body.as_array().unwrap().len(), 5);
    let other = w.app.client_token(&w.admin, json!(["students:read"])).await;
    assert_eq!(w.app.get(&w.credits_path("json"), &other).await.status.as_u16(), 403);
    assert_problem(&w.app.get(&w.credits_path("json"), &w.m1_token).await, 403, "forbidden");
    let unknown = "/api/v1/academic-years/0190a4e1-7c2b-7abc-8def-0123456789ab/scholarship-credits?format=json";
    assert_problem(&w.app.get(unknown, &w.admin).await, 404, "not_found");
}

#[actix_web::test]
async fn a_students_service_history_lists_their_appointments_for_those_who_may_see_them() {
    let w = world().await;
    let (m1, a1) = (w.mentors[0].0.clone(), w.mentors[0].1.clone());
    w.patch_year(json!({"assessment_opens_on": today(), "assessment_closes_on": today() + Duration::days(10)}))
        .await
        .expect(200);
    w.grade(&a1, "excellent").await;
    w.award(&a1).await;
    let path = format!("/api/v1/students/{m1}/service-history");
    let own = w.app.get(&path, &w.m1_token).await.expect(200);
    let lines = own.body.as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["appointment_id"], a1);
    assert_eq!(lines[0]["grade"], "excellent");
    assert_eq!(lines[0]["assessment_state"], "graded");
    assert_eq!(lines[0]["awards"], json!(["年度优秀学长"]));
    assert_eq!(lines[0]["credit_tenths"], 30, "the program's defaults: 2 points + 1 per award");
    assert_eq!(w.app.get(&path, &w.cs_admin).await.expect(200).body, own.body);
    // Another mentor and another college's admin do not see it.
    assert_problem(&w.app.get(&path, &w.m2_token).await, 404, "not_found");
    let ee = w.app.get("/api/v1/colleges?q=EE", &w.admin).await.expect(200).body["items"][0]["id"].clone();
    let ee_admin = w.app.user(&w.admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    assert_problem(&w.app.get(&path, &ee_admin).await, 404, "not_found");
    // The university reads anyone's.
    let m2_student = &w.mentors[1].0;
    let path = format!("/api/v1/students/{m2_student}/service-history");
    assert_eq!(w.app.get(&path, &w.admin).await.expect(200).body.as_array().unwrap().len(), 1);
    assert_problem(&w.app.get("/api/v1/students/not-an-id/service-history", &w.admin).await, 400, "invalid_path");
}
