//! `GET /me/agenda` (issue 16): each caller's to-do list, computed from the data — an item is
//! listed while there is something to do and dropped once it is done.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn today() -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now())
}

/// The (kind, href) of every item of `token`'s agenda, in order.
async fn agenda(app: &TestApp, token: &str) -> Vec<(String, String, Value)> {
    let res = app.get("/api/v1/me/agenda", token).await.expect(200);
    res.body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["href"].as_str().unwrap().to_owned(), i["due_on"].clone()))
        .collect()
}

#[actix_web::test]
async fn the_agenda_lists_what_to_do_and_drops_each_item_once_done() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB", "laboratory").await;
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
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
    let counselor =
        app.user(&admin, "counselor", Role::Counselor, json!({"college_id": cs, "staff_id": counselor_staff})).await;
    let senior = app.student(&admin, &cs, "2023001", json!({"enrollment_year": 2023})).await;
    let m = MentorBuilder::new(&app, &admin)
        .student(&senior)
        .year(&year)
        .unit(&lab)
        .justification("表现突出")
        .appoint()
        .await;
    let mentor = app.user(&admin, "s2023001", "student", json!({"student_id": senior})).await;
    let f1 =
        app.student(&admin, &cs, "2026101", json!({"enrollment_year": first, "counselor_id": counselor_staff})).await;
    let f1_token = app.user(&admin, "s2026101", "student", json!({"student_id": f1})).await;

    // Appointed today: the profile is due in 14 days. Nothing for the freshman or the counselor.
    let appointment = m.appointment.0.clone();
    assert_eq!(
        agenda(&app, &mentor).await,
        [(
            "profile_not_published".into(),
            format!("/api/v1/appointments/{appointment}/profile"),
            json!((t + Duration::days(14)).to_string())
        )]
    );
    assert!(agenda(&app, &f1_token).await.is_empty());
    assert!(agenda(&app, &counselor).await.is_empty());

    // Paired: contact the mentee within 14 days. The freshman asks for help: answer within 3 days,
    // so it comes first.
    let pairing = app
        .post("/api/v1/pairings", &admin, json!({"appointment_id": appointment, "mentee_id": f1}))
        .await
        .expect(201)
        .id();
    let help = app
        .post("/api/v1/help-requests", &f1_token, json!({"topic": "study", "message": "选课拿不准，想请学长帮忙"}))
        .await
        .expect(201)
        .id();
    let items = agenda(&app, &mentor).await;
    let kinds: Vec<&str> = items.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(kinds, ["help_request", "mentee_not_contacted", "profile_not_published"], "{items:?}");
    assert_eq!(items[0].1, format!("/api/v1/help-requests/{help}"));
    assert_eq!(items[0].2, json!((t + Duration::days(3)).to_string()));
    assert_eq!(items[1].1, format!("/api/v1/pairings/{pairing}"));
    let res = app.get("/api/v1/me/agenda", &mentor).await.expect(200);
    assert_eq!(res.body[0]["overdue"], false);
    // Four days on, the help request is overdue.
    app.advance_clock(Duration::days(4));
    let res = app.get("/api/v1/me/agenda", &mentor).await.expect(200);
    assert_eq!((res.body[0]["kind"].as_str(), res.body[0]["overdue"].as_bool()), (Some("help_request"), Some(true)));

    // Answered as a work record naming the mentee: both items are done.
    app.post(
        &format!("/api/v1/help-requests/{help}/record"),
        &mentor,
        json!({"minutes": 30, "summary": "面谈选课", "note": "周三面谈", "channel": "face_to_face"}),
    )
    .await
    .expect(200);
    let kinds: Vec<String> = agenda(&app, &mentor).await.into_iter().map(|(k, _, _)| k).collect();
    assert_eq!(kinds, ["profile_not_published"]);

    // A concern escalated to the freshman's counselor: on the counselor's agenda (the normal limit,
    // 7 days), named by category only, until acknowledged.
    let concern = app
        .post(
            "/api/v1/concerns",
            &mentor,
            json!({"scope": "individual", "category": "study", "urgency": "normal", "description": "学业压力较大",
                   "student_id": f1}),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/concerns/{concern}/escalate"), &mentor, json!({})).await.expect(200);
    let res = app.get("/api/v1/me/agenda", &counselor).await.expect(200);
    assert_eq!(res.body.as_array().unwrap().len(), 1, "{}", res.text);
    assert_eq!(res.body[0]["kind"], "concern_to_acknowledge");
    assert_eq!(res.body[0]["href"], format!("/api/v1/concerns/{concern}"));
    assert_eq!(res.body[0]["due_on"], (t + Duration::days(4 + 7)).to_string());
    assert!(!res.text.contains("学业压力较大"), "no confidential text: {}", res.text);
    app.post(&format!("/api/v1/concerns/{concern}/acknowledge"), &counselor, json!({})).await.expect(200);
    assert!(agenda(&app, &counselor).await.is_empty());

    // Without a token: 401.
    assert_eq!(app.get("/api/v1/me/agenda", "bad").await.status.as_u16(), 401);
}

#[actix_web::test]
async fn attendees_reviewers_and_college_admins_get_feedback_reviews_and_award_deadlines() {
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
    let ee_admin = app.user(&admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let mut appointments = Vec::new();
    for (college, unit, no) in [(&cs, &cs_lab, "2023001"), (&ee, &ee_lab, "2023009")] {
        let s = app.student(&admin, college, no, json!({"enrollment_year": first - 2})).await;
        let m = MentorBuilder::new(&app, &admin)
            .student(&s)
            .year(&year)
            .unit(unit)
            .justification("表现突出")
            .appoint()
            .await;
        appointments.push(m.appointment.0);
    }
    let (a, e) = (appointments[0].clone(), appointments[1].clone());
    let f1 = app.student(&admin, &cs, "2026101", json!({"enrollment_year": first, "unit_id": cs_lab})).await;
    let f1_token = app.user(&admin, "s2026101", "student", json!({"student_id": f1})).await;

    // A research salon A hosted, held half an hour ago, that f1 attended: rate it before feedback
    // closes, 14 days after the end (a Shanghai day).
    let start = chrono::Utc::now() - Duration::minutes(30);
    let end = start + Duration::minutes(60);
    let activity = app
        .post(
            "/api/v1/activities",
            &cs_admin,
            json!({"kind": "research_salon", "title": "科研入门沙龙", "academic_year_id": year, "college_id": cs,
                   "host_appointment_ids": [a], "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339(),
                   "venue": "报告厅", "capacity": 30}),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/activities/{activity}/publish"), &cs_admin, json!({})).await.expect(200);
    app.post(&format!("/api/v1/activities/{activity}/registrations"), &cs_admin, json!({"student_ids": [f1]}))
        .await
        .expect(201);
    assert!(agenda(&app, &f1_token).await.is_empty(), "nothing before it is held");
    app.send(
        app.request(reqwest::Method::PUT, &format!("/api/v1/activities/{activity}/attendance"), Some(&cs_admin))
            .json(&json!({"student_ids": [f1]})),
    )
    .await
    .expect(200);
    app.post(&format!("/api/v1/activities/{activity}/complete"), &cs_admin, json!({"summary": "顺利举行"}))
        .await
        .expect(200);
    let due = domain::time::shanghai_date(end + Duration::days(14));
    assert_eq!(
        agenda(&app, &f1_token).await,
        [("activity_feedback".into(), format!("/api/v1/activities/{activity}/feedback"), json!(due.to_string()))]
    );
    app.post(&format!("/api/v1/activities/{activity}/feedback"), &f1_token, json!({"rating": 5})).await.expect(201);
    assert!(agenda(&app, &f1_token).await.is_empty(), "rated: done");

    // An award round open until t+10 with a CS counselor among the reviewers: each college admin
    // has the nomination deadline on their agenda; the reviewer has nothing yet.
    let staff = app
        .post(
            "/api/v1/staff",
            &admin,
            json!({"staff_no": "C001", "name": "王老师", "college_id": cs, "is_supervisor": false, "is_counselor": true}),
        )
        .await
        .expect(201)
        .id();
    let reviewer = app.user(&admin, "cs-reviewer", Role::Counselor, json!({"college_id": cs, "staff_id": staff})).await;
    let reviewer_id = app.get("/api/v1/me", &reviewer).await.expect(200).body["id"].as_str().unwrap().to_owned();
    let close = t + Duration::days(10);
    let round = app
        .post(
            "/api/v1/award-rounds",
            &admin,
            json!({"academic_year_id": year, "award": "outstanding_mentor", "title": "年度优秀学长评选",
                   "nominations_open_on": t, "nominations_close_on": close, "quota_share_permille": 1000, "awards": 1,
                   "figure_weights": [{"figure": "work_records", "weight": 50}], "reviewers_weight": 50,
                   "criteria": [{"key": "service", "title": "服务成效", "max": 100}], "reviewer_ids": [reviewer_id]}),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/award-rounds/{round}/open"), &admin, json!({})).await.expect(200);
    let deadline =
        ("award_round_deadline".to_owned(), format!("/api/v1/award-rounds/{round}"), json!(close.to_string()));
    for token in [&cs_admin, &ee_admin] {
        assert!(agenda(&app, token).await.contains(&deadline), "{:?}", agenda(&app, token).await);
    }
    assert!(agenda(&app, &reviewer).await.is_empty());
    let mut nominations = Vec::new();
    for (token, appointment) in [(&cs_admin, &a), (&ee_admin, &e)] {
        let n = app
            .post(
                &format!("/api/v1/award-rounds/{round}/nominations"),
                token,
                json!({"appointment_id": appointment, "statement": "结对帮扶成效显著"}),
            )
            .await
            .expect(201)
            .id();
        nominations.push(n);
    }

    // Under review: the reviewer scores the other college's nomination (not their own college's)
    // within 7 days of the close; the admins' deadline is gone.
    app.post(&format!("/api/v1/award-rounds/{round}/review"), &admin, json!({})).await.expect(200);
    let n_e = &nominations[1];
    assert_eq!(
        agenda(&app, &reviewer).await,
        [(
            "nomination_to_review".into(),
            format!("/api/v1/award-nominations/{n_e}"),
            json!((close + Duration::days(7)).to_string())
        )]
    );
    for token in [&cs_admin, &ee_admin] {
        assert!(!agenda(&app, token).await.contains(&deadline));
    }
    app.post(&format!("/api/v1/award-nominations/{n_e}/scores"), &reviewer, json!({"scores": {"service": 80}}))
        .await
        .expect(200);
    assert!(agenda(&app, &reviewer).await.is_empty(), "scored: done");
}
