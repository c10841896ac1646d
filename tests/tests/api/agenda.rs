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
