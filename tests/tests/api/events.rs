//! The integration change feed: ordered, gap-free, exactly the committed changes.

use serde_json::json;
use xuezhang_tests::*;

#[actix_web::test]
async fn the_feed_shows_committed_changes_in_order_and_nothing_for_failures() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let feed = app.client_token(&admin, json!(["events:read", "students:read"])).await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let s1 = app.student(&admin, &college, "2024001", json!({"name": "张三"})).await;
    // A failed write (duplicate 学号) leaves no trace in the feed.
    app.post(
        "/api/v1/students",
        &admin,
        json!({"student_no": "2024001", "name": "重复", "gender": "male", "college_id": college, "degree": "master", "enrollment_year": 2024, "political_status": "masses"}),
    )
    .await
    .expect(409);
    app.patch(&format!("/api/v1/students/{s1}"), &admin, json!({"name": "张三丰"}), None).await.expect(200);
    let s2 = app.student(&admin, &college, "2024002", json!({"name": "李四"})).await;

    let all = app.get("/api/v1/events", &feed).await.expect(200);
    let items = all.body["items"].as_array().unwrap();
    let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gap-free and ordered");
    let summary: Vec<(String, String)> = items
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_owned(), e["resource_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        summary,
        [
            ("student.created".to_owned(), s1.clone()),
            ("student.updated".to_owned(), s1.clone()),
            ("student.created".to_owned(), s2.clone()),
        ]
    );
    assert_eq!(items[1]["data"]["name"], "张三丰");
    assert_eq!(all.body["next_cursor"], seqs[2]);

    // Paging with the cursor.
    let first = app.get("/api/v1/events?limit=2", &feed).await.expect(200);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_i64().unwrap();
    let rest = app.get(&format!("/api/v1/events?after={cursor}"), &feed).await.expect(200);
    assert_eq!(rest.body["items"][0]["resource_id"], s2);
    let end = app.get(&format!("/api/v1/events?after={}", rest.body["next_cursor"]), &feed).await.expect(200);
    assert_eq!(end.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(end.body["next_cursor"], rest.body["next_cursor"]);
}

#[actix_web::test]
async fn the_feed_needs_the_events_scope_and_checks_its_parameters() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let other = app.client_token(&admin, json!(["students:read"])).await;
    app.get("/api/v1/events", &other).await.expect(403);
    let college = app.college(&admin, "CS", "计算机学院").await;
    let cadmin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": college})).await;
    app.get("/api/v1/events", &cadmin).await.expect(403);
    let res = app.get("/api/v1/events?limit=0", &admin).await.expect(422);
    assert_eq!(res.error_fields(), ["limit"]);
    let res = app.get("/api/v1/events?after=-5", &admin).await.expect(422);
    assert_eq!(res.error_fields(), ["after"]);
    app.get("/api/v1/events?after=abc", &admin).await.expect(400);
}

#[actix_web::test]
async fn concurrent_writers_leave_no_gap_in_the_feed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let writes = (0..30).map(|i| {
        app.post(
            "/api/v1/students",
            &admin,
            json!({"student_no": format!("2024{:03}", i % 20), "name": "并发", "gender": "male", "college_id": college, "degree": "master", "enrollment_year": 2024, "political_status": "masses"}),
        )
    });
    let results = futures_util::future::join_all(writes).await;
    let created = results.iter().filter(|r| r.status.as_u16() == 201).count();
    assert_eq!(created, 20);
    let feed = app.get("/api/v1/events?limit=1000", &admin).await.expect(200);
    let seqs: Vec<i64> = feed.body["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
}

#[actix_web::test]
async fn a_client_sees_only_the_events_of_what_its_scopes_let_it_read() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let lab = app.unit(&admin, &college, "CS-LAB1", "laboratory").await;
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let student =
        app.student(&admin, &college, "2023001", json!({"phone": "13800000000", "enrollment_year": 2023})).await;
    app.post(
        "/api/v1/nominations",
        &admin,
        json!({"student_id": student, "academic_year_id": year, "unit_id": lab, "statement": "机密的推荐理由"}),
    )
    .await
    .expect(201);

    let narrow = app.client_token(&admin, json!(["events:read"])).await;
    let res = app.get("/api/v1/events", &narrow).await.expect(200);
    let items = res.body["items"].as_array().unwrap();
    let types: Vec<&str> = items.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["nomination.created"], "student records need students:read");
    assert!(!res.text.contains("13800000000"));
    // The feed carries where a nomination stands, not what the college wrote about the student.
    assert!(!res.text.contains("机密的推荐理由"));
    assert_eq!(items[0]["data"]["state"], "draft");
    assert_eq!(items[0]["data"]["student_id"], student);

    let wide = app.client_token(&admin, json!(["events:read", "students:read"])).await;
    let res = app.get("/api/v1/events", &wide).await.expect(200);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2);
    assert!(res.text.contains("13800000000"));
}
