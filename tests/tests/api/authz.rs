//! The authorisation table: every role of college A against every kind of college-B object, on
//! every route of the OpenAPI document that takes an id, with every method the route has. None may
//! succeed, and none may answer differently from the same request on an id that does not exist
//! (no existence oracle). Lists, exports and filters by college B leak nothing of B. On SQLite and
//! PostgreSQL.

use chrono::{Datelike, Duration, Utc};
use reqwest::{Method, header};
use serde_json::json;
use xuezhang_tests::*;

/// Markers of college B's private data: none may appear in what a role of A reads.
struct CollegeB {
    college: String,
    /// (kind, id) of every object of B.
    objects: Vec<(&'static str, String)>,
    /// Strings that only B's private records contain.
    markers: Vec<String>,
    honor: String,
    sanction: String,
    /// The academic year and an award round: the university's, holding every college's records.
    year: String,
    round: String,
}

fn current_year_code() -> String {
    let d = (Utc::now() + Duration::hours(8)).date_naive();
    let start = if d.month() >= 9 { d.year() } else { d.year() - 1 };
    format!("{start}-{}", start + 1)
}

async fn college_b(app: &TestApp, admin: &str, year: &str) -> CollegeB {
    let college = app.college(admin, "B", "乙学院").await;
    let lab = app.unit(admin, &college, "B-LAB", "laboratory").await;
    let staff = app
        .post(
            "/api/v1/staff",
            admin,
            json!({"staff_no": "TB0001", "name": "乙导师甲", "college_id": college, "is_supervisor": true, "is_counselor": true}),
        )
        .await
        .expect(201)
        .id();
    let senior = app
        .student(
            admin,
            &college,
            "B2023001",
            json!({"name": "乙学长甲", "enrollment_year": 2023, "unit_id": lab, "supervisor_id": staff, "phone": "13900000001"}),
        )
        .await;
    let other = app.student(admin, &college, "B2023002", json!({"name": "乙学长乙", "enrollment_year": 2023})).await;
    let this_year: i32 = year[..4].parse().unwrap();
    let freshman = app
        .student(admin, &college, "B2099001", json!({"name": "乙新生甲", "enrollment_year": this_year, "unit_id": lab}))
        .await;
    let honor = app
        .post(
            &format!("/api/v1/students/{senior}/honors"),
            admin,
            json!({"title": "乙优秀研究生", "level": "university", "awarded_on": "2024-12-01"}),
        )
        .await
        .expect(201)
        .id();
    let sanction = app
        .post(
            &format!("/api/v1/students/{other}/sanctions"),
            admin,
            json!({"kind": "警告", "reason": "乙处分事由", "imposed_on": "2025-03-01"}),
        )
        .await
        .expect(201)
        .id();
    let b_admin_user = app
        .post(
            "/api/v1/users",
            admin,
            json!({"username": "b-admin", "display_name": "乙管理员", "password": PASSWORD, "role": "college_admin", "college_id": college}),
        )
        .await
        .expect(201)
        .id();
    let b_admin = app.login("b-admin", PASSWORD).await;
    let year_id = app.get("/api/v1/academic-years?page_size=100", admin).await.expect(200).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["code"] == year)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let nominate = |student: &str| json!({"student_id": student, "academic_year_id": year_id, "unit_id": lab, "statement": "乙推荐理由"});
    let appointed = MentorBuilder::new(app, admin)
        .student(&senior)
        .year(&year_id)
        .unit(&lab)
        .nominated_by(&b_admin)
        .statement("乙推荐理由")
        .appoint()
        .await;
    let (nomination, appointment): (String, String) = (appointed.nomination.into(), appointed.appointment.into());
    let draft = app.post("/api/v1/nominations", &b_admin, nominate(&other)).await.expect(201).id();
    let pairing = app
        .post("/api/v1/pairings", &b_admin, json!({"appointment_id": appointment, "mentee_id": freshman}))
        .await
        .expect(201)
        .id();
    let start = Utc::now() + Duration::days(3);
    let activity = app
        .post(
            "/api/v1/activities",
            &b_admin,
            json!({"kind": "freshman_salon", "title": "乙学院内部沙龙", "academic_year_id": year_id,
                   "college_id": college, "unit_id": lab, "host_appointment_ids": [appointment],
                   "start_at": start.to_rfc3339(), "end_at": (start + Duration::hours(2)).to_rfc3339(),
                   "venue": "乙楼101"}),
        )
        .await
        .expect(201)
        .id();
    // What the mentor, the mentee and the college write during the year.
    let b_mentor = app.user(admin, "b-mentor", Role::Student, json!({"student_id": senior})).await;
    let b_freshman = app.user(admin, "b-freshman", Role::Student, json!({"student_id": freshman})).await;
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let work_record = app
        .post(
            "/api/v1/work-records",
            &b_mentor,
            json!({"appointment_id": appointment, "kind": "individual_consultation", "date": today, "minutes": 30,
                   "duties": ["study"], "channel": "face_to_face", "student_ids": [freshman], "summary": "乙工作记录摘要"}),
        )
        .await
        .expect(201)
        .id();
    let help_request = app
        .post(
            "/api/v1/help-requests",
            &b_freshman,
            json!({"topic": "study", "message": "乙求助内容", "channel": "face_to_face"}),
        )
        .await
        .expect(201)
        .id();
    let concern = app
        .post(
            "/api/v1/concerns",
            &b_mentor,
            json!({"scope": "individual", "category": "study", "urgency": "normal", "student_id": freshman,
                   "description": "乙问题反映描述"}),
        )
        .await
        .expect(201)
        .id();
    let job_posting = app
        .post(
            "/api/v1/job-postings",
            &b_mentor,
            json!({"title": "乙岗位名称", "employer": "乙单位", "city": "成都", "kind": "internship",
                   "link": "https://jobs.example.com/b", "deadline": today + Duration::days(30), "unit_ids": [lab]}),
        )
        .await
        .expect(201)
        .id();
    let essay = app
        .post(
            "/api/v1/essays",
            &b_mentor,
            json!({"title": "乙经验谈标题", "body": "乙经验谈正文", "theme": "study", "academic_year_id": year_id}),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/essays/{essay}/submit"), &b_mentor, json!({})).await.expect(200);
    let case = app
        .post(
            "/api/v1/cases",
            &b_admin,
            json!({"title": "乙案例标题", "summary": "乙案例摘要", "body": "乙案例正文", "academic_year_id": year_id}),
        )
        .await
        .expect(201)
        .id();
    app.put(
        &format!("/api/v1/appointments/{appointment}/profile"),
        &b_mentor,
        json!({"research_direction": "乙研究方向", "bio": "乙简介", "published": true}),
        None,
    )
    .await
    .expect(200);
    let inquiry = app
        .send(
            app.request(Method::POST, &format!("/api/v1/public/mentors/{appointment}/inquiries"), None).json(
                &json!({"name": "乙咨询人", "email": "b@example.com", "kind": "admission", "subject": "乙咨询主题",
                    "message": "乙咨询正文"}),
            ),
        )
        .await
        .expect(201)
        .id();
    let round = app
        .post(
            "/api/v1/award-rounds",
            admin,
            json!({"academic_year_id": year_id, "award": "outstanding_mentor", "title": "授权表评选",
                   "nominations_open_on": today, "nominations_close_on": today + Duration::days(21),
                   "quota_share_permille": 1000, "awards": 3,
                   "figure_weights": [{"figure": "work_records", "weight": 50}], "reviewers_weight": 50,
                   "criteria": [{"key": "service", "title": "服务成效", "max": 100}]}),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/award-rounds/{round}/open"), admin, json!({})).await.expect(200);
    let award_nomination = app
        .post(
            &format!("/api/v1/award-rounds/{round}/nominations"),
            &b_admin,
            json!({"appointment_id": appointment, "statement": "乙评选推荐理由"}),
        )
        .await
        .expect(201)
        .id();
    // The record of an import college B's admin ran.
    let import_run = app
        .send(
            app.request(Method::POST, "/api/v1/imports/staff", Some(&b_admin))
                .header(header::CONTENT_TYPE, "text/csv")
                .body("工号,姓名,学院\nTB0002,乙导师乙,B\n"),
        )
        .await
        .expect(200)
        .body["import_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let objects = vec![
        ("import_run", import_run.clone()),
        ("work_record", work_record.clone()),
        ("help_request", help_request.clone()),
        ("concern", concern.clone()),
        ("job_posting", job_posting.clone()),
        ("essay", essay.clone()),
        ("case", case.clone()),
        ("inquiry", inquiry.clone()),
        ("award_nomination", award_nomination.clone()),
        ("college", college.clone()),
        ("unit", lab),
        ("staff", staff.clone()),
        ("student", senior.clone()),
        ("student", freshman.clone()),
        ("nomination", nomination.clone()),
        ("nomination", draft.clone()),
        ("appointment", appointment.clone()),
        ("pairing", pairing.clone()),
        ("activity", activity.clone()),
        ("user", b_admin_user.clone()),
    ];
    let markers = [
        "乙导师甲",
        "TB0001",
        "乙学长甲",
        "乙学长乙",
        "乙新生甲",
        "B2023001",
        "B2023002",
        "B2099001",
        "13900000001",
        "乙优秀研究生",
        "乙处分事由",
        "乙推荐理由",
        "乙学院内部沙龙",
        "乙楼101",
        "b-admin",
        "乙管理员",
        "乙工作记录摘要",
        "乙求助内容",
        "乙问题反映描述",
        "乙岗位名称",
        "乙经验谈标题",
        "乙案例标题",
        "乙咨询主题",
        "乙评选推荐理由",
        "乙导师乙",
        "TB0002",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([staff, senior, other, freshman, nomination, draft, appointment, pairing, activity, b_admin_user])
    .chain([work_record, help_request, concern, job_posting, essay, case, inquiry, award_nomination, import_run])
    .collect();
    CollegeB { college, objects, markers, honor, sanction, year: year_id, round }
}

/// What of B's a list the rules make university-wide may show to A. The mentors' club
/// (学长俱乐部, rule 四.5) lists every appointed mentor to every signed-in user of the university
/// with their name, college and unit (issue 17): B's appointed mentor — their name and student id
/// — and nothing else of B's. The directory (公示, rule 四.2) shows a published mentor to every
/// signed-in user: their name and directory id (the appointment's), and what they published.
fn shown_by_design(template: &str, marker: &str, b: &CollegeB) -> bool {
    let is = |kind: &str| b.objects.iter().any(|(k, id)| *k == kind && id == marker);
    match template {
        "/api/v1/club/members" => marker == "乙学长甲" || is("student"),
        "/api/v1/mentors" => marker == "乙学长甲" || is("appointment"),
        _ => false,
    }
}

/// Reads `path` as `role` and says what is wrong: a 5xx, or a marker of B's it shows.
async fn leak(app: &TestApp, template: &str, path: &str, role: &str, token: &str, b: &CollegeB) -> Option<String> {
    let res = app.get(path, token).await;
    if res.status.is_server_error() {
        return Some(format!("{role} GET {path}: {}", res.status));
    }
    let m = b.markers.iter().find(|m| res.text.contains(m.as_str()) && !shown_by_design(template, m, b))?;
    res.status.is_success().then(|| format!("{role} GET {path} shows B's `{m}`"))
}

/// Kinds that are reference data every signed-in user may read (not write).
fn readable_reference(kind: &str) -> bool {
    matches!(kind, "college" | "unit")
}

#[actix_web::test]
async fn no_role_of_college_a_reaches_any_object_of_college_b() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let year = current_year_code();
    app.post("/api/v1/academic-years", &admin, json!({"code": year})).await.expect(201);
    let a = app.college(&admin, "A", "甲学院").await;
    let a_staff = app.staff(&admin, &a, "TA0001", true).await;
    let a_student =
        app.student(&admin, &a, "A2023001", json!({"enrollment_year": 2023, "supervisor_id": a_staff})).await;
    let b = college_b(&app, &admin, &year).await;
    let roles = [
        ("college_admin", app.user(&admin, "a-admin", Role::CollegeAdmin, json!({"college_id": a})).await),
        ("counselor", app.user(&admin, "a-counselor", Role::Counselor, json!({"college_id": a})).await),
        ("supervisor", app.user(&admin, "a-supervisor", Role::Supervisor, json!({"staff_id": a_staff})).await),
        ("student", app.user(&admin, "a-student", Role::Student, json!({"student_id": a_student})).await),
    ];

    let spec = app.send(app.request(Method::GET, "/api/v1/openapi.json", None)).await.expect(200).body;
    let paths = spec["paths"].as_object().unwrap();
    let mut probes = 0;
    let mut failures = Vec::new();
    for (template, item) in paths {
        if !template.starts_with("/api/v1/")
            || template.starts_with("/api/v1/public")
            || template.starts_with("/api/v1/auth")
        {
            continue;
        }
        let methods: Vec<&str> =
            ["get", "post", "put", "patch", "delete"].into_iter().filter(|m| item.get(*m).is_some()).collect();
        if !template.contains('{') {
            continue;
        }
        for (kind, id) in &b.objects {
            let fill = |with: &str| {
                template.replacen("{id}", with, 1).replace("{honor_id}", &b.honor).replace("{sanction_id}", &b.sanction)
            };
            let (path, unknown) = (fill(id), fill(&uuid::Uuid::now_v7().to_string()));
            for method in &methods {
                if *method == "get" && readable_reference(kind) && !template.contains("}/") {
                    continue;
                }
                let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
                for (role, token) in &roles {
                    let send = |p: &str| {
                        let mut r = app.request(m.clone(), p, Some(token));
                        if m != Method::GET && m != Method::DELETE {
                            r = r.header(header::CONTENT_TYPE, "application/json").body("{}");
                        }
                        app.send(r)
                    };
                    let got = send(&path).await;
                    let baseline = send(&unknown).await;
                    probes += 1;
                    let s = got.status.as_u16();
                    let ok = !got.status.is_success()
                        && !got.status.is_server_error()
                        && (s == 403 || s == 404 || s == baseline.status.as_u16());
                    if !ok {
                        failures.push(format!(
                            "{role} {} {template} on B's {kind}: {s} (unknown id: {}) {}",
                            m,
                            baseline.status.as_u16(),
                            got.text.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
        }
    }

    // Lists, exports, the calendar and the audit log: nothing of B, also when asked for B.
    for (template, item) in paths {
        if template.contains('{') || item.get("get").is_none() || !template.starts_with("/api/v1/") {
            continue;
        }
        if template.ends_with("openapi.json") || template.starts_with("/api/v1/public") {
            continue;
        }
        let mut queries =
            vec![String::new(), "?page_size=100".to_owned(), format!("?college_id={}&page_size=100", b.college)];
        // The reports (and every list that takes a year) read the year B's records are in.
        let takes_year = item["get"]["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "academic_year_id" && p["in"] == "query"));
        if takes_year {
            queries.push(format!("?academic_year_id={}&page_size=100", b.year));
            queries.push(format!("?academic_year_id={}&college_id={}&page_size=100", b.year, b.college));
        }
        for query in &queries {
            for (role, token) in &roles {
                probes += 1;
                failures.extend(leak(&app, template, &format!("{template}{query}"), role, token, &b).await);
            }
        }
    }
    // The university's year and award round hold every college's records: A's roles read only A's.
    for path in [
        format!("/api/v1/award-rounds/{}", b.round),
        format!("/api/v1/award-rounds/{}/nominations?page_size=100", b.round),
        format!("/api/v1/award-rounds/{}/quotas", b.round),
        format!("/api/v1/award-rounds/{}/results", b.round),
        format!("/api/v1/academic-years/{}", b.year),
        format!("/api/v1/academic-years/{}/anthology", b.year),
        format!("/api/v1/academic-years/{}/scholarship-credits", b.year),
    ] {
        for (role, token) in &roles {
            probes += 1;
            failures.extend(leak(&app, &path, &path, role, token, &b).await);
        }
    }

    // Creating in B, or linking to B's people, from A.
    let creations = [
        (
            "/api/v1/students",
            json!({"student_no": "X2024001", "name": "某", "gender": "male", "college_id": b.college,
            "degree": "master", "enrollment_year": 2024, "political_status": "masses"}),
        ),
        ("/api/v1/staff", json!({"staff_no": "TX0001", "name": "某", "college_id": b.college, "is_supervisor": true})),
        ("/api/v1/units", json!({"code": "X-LAB", "name": "某", "kind": "laboratory", "college_id": b.college})),
        (
            "/api/v1/users",
            json!({"username": "x-admin", "display_name": "某", "password": PASSWORD,
            "role": "college_admin", "college_id": b.college}),
        ),
    ];
    for (path, body) in creations {
        for (role, token) in &roles {
            let res = app.post(path, token, body.clone()).await;
            probes += 1;
            if res.status.is_success() || res.status.is_server_error() {
                failures.push(format!("{role} POST {path} into B: {} {}", res.status, res.text));
            }
        }
    }
    eprintln!("authorisation table: {probes} probes, {} failures", failures.len());
    assert!(failures.is_empty(), "{} of {probes} probes failed:\n{}", failures.len(), failures.join("\n"));
    assert!(probes > 1000, "the table shrank to {probes} probes");
}
