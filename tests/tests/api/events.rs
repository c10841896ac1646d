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
            ("college.created".to_owned(), college.clone()),
            ("student.created".to_owned(), s1.clone()),
            ("student.updated".to_owned(), s1.clone()),
            ("student.created".to_owned(), s2.clone()),
        ]
    );
    assert_eq!(items[2]["data"]["name"], "张三丰");
    assert_eq!(all.body["next_cursor"], seqs[3]);

    // Paging with the cursor.
    let first = app.get("/api/v1/events?limit=3", &feed).await.expect(200);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
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
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": college})).await;
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
    // The college's event, then one per student created.
    assert_eq!(seqs, (1..=21).collect::<Vec<i64>>());
}

/// 8 writers create 50 students each while a reader follows the feed with `after=`: what the reader
/// collects is exactly the final feed — ascending, nothing skipped, nothing twice, no gap. On
/// PostgreSQL the writers run at once on separate connections, so numbers are assigned while
/// other writers' transactions are open and committing.
#[actix_web::test]
async fn a_reader_following_the_feed_during_concurrent_writes_misses_nothing() {
    const WRITERS: usize = 8;
    const EACH: usize = 50;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let done = std::cell::Cell::new(false);
    let writers = async {
        futures_util::future::join_all((0..WRITERS).map(|w| {
            let (app, admin, college) = (&app, &admin, &college);
            async move {
                for i in 0..EACH {
                    app.student(admin, college, &format!("2024{w}{i:03}"), json!({})).await;
                }
            }
        }))
        .await;
        done.set(true);
    };
    let reader = async {
        let (mut seen, mut after, mut polls) = (Vec::new(), 0i64, 0);
        loop {
            // Every write has committed before its answer, so a poll that starts after the last
            // answer and finds nothing new has read the whole feed.
            let finished = done.get();
            let res = app.get(&format!("/api/v1/events?after={after}&limit=1000"), &admin).await.expect(200);
            let items = res.body["items"].as_array().unwrap();
            seen.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
            after = res.body["next_cursor"].as_i64().unwrap();
            polls += 1;
            if finished && items.is_empty() {
                return (seen, polls);
            }
        }
    };
    let ((), (seen, polls)) = futures_util::join!(writers, reader);
    assert!(polls > 2, "the reader polled while the writers wrote ({polls} polls)");
    let mut all = Vec::new();
    let mut after = 0i64;
    loop {
        let res = app.get(&format!("/api/v1/events?after={after}&limit=1000"), &admin).await.expect(200);
        let items = res.body["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        all.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
        after = res.body["next_cursor"].as_i64().unwrap();
    }
    // The college's event, then one per student.
    let expected: Vec<i64> = (1..=(1 + WRITERS * EACH) as i64).collect();
    assert_eq!(all, expected, "the final feed is gap-free and ordered");
    assert_eq!(seen, all, "the reader saw every event once, in order, none skipped");
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
    assert_eq!(
        types,
        ["college.created", "unit.created", "academic_year.created", "nomination.created"],
        "student records need students:read"
    );
    assert!(!res.text.contains("13800000000"));
    // The feed carries where a nomination stands, not what the college wrote about the student.
    assert!(!res.text.contains("机密的推荐理由"));
    assert_eq!(items[3]["data"]["state"], "draft");
    assert_eq!(items[3]["data"]["student_id"], student);

    let wide = app.client_token(&admin, json!(["events:read", "students:read"])).await;
    let res = app.get("/api/v1/events", &wide).await.expect(200);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 5);
    assert!(res.text.contains("13800000000"));
}

#[actix_web::test]
async fn reference_writes_through_the_api_are_on_the_feed_as_imports_are() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let feed = app.client_token(&admin, json!(["events:read", "students:read"])).await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    app.patch(&format!("/api/v1/colleges/{cs}"), &admin, json!({"name": "计算机科学学院"}), None).await.expect(200);
    let gone = app.college(&admin, "XX", "临时学院").await;
    app.delete(&format!("/api/v1/colleges/{gone}"), &admin, None).await.expect(204);
    let lab = app.unit(&admin, &cs, "CS-LAB1", "laboratory").await;
    app.patch(&format!("/api/v1/units/{lab}"), &admin, json!({"name": "智能系统实验室"}), None).await.expect(200);
    let tmp = app.unit(&admin, &cs, "CS-TMP", "research_group").await;
    app.delete(&format!("/api/v1/units/{tmp}"), &admin, None).await.expect(204);
    let year = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let student = app.student(&admin, &cs, "2023001", json!({"enrollment_year": 2023})).await;
    let honor = app
        .post(
            &format!("/api/v1/students/{student}/honors"),
            &admin,
            json!({"title": "优秀研究生", "level": "university", "awarded_on": "2024-12-01"}),
        )
        .await
        .expect(201)
        .id();
    app.delete(&format!("/api/v1/students/{student}/honors/{honor}"), &admin, None).await.expect(204);
    // A unit made by an import, for comparison.
    let csv = "单位代码,单位名称,类型,学院\nCS-LAB2,视觉实验室,实验室,CS\n";
    app.send(
        app.request(reqwest::Method::POST, "/api/v1/imports/units", Some(&admin))
            .header("content-type", "text/csv")
            .body(csv),
    )
    .await
    .expect(200);

    let res = app.get("/api/v1/events?limit=1000", &feed).await.expect(200);
    let items = res.body["items"].as_array().unwrap();
    let seen: Vec<(&str, &str)> =
        items.iter().map(|e| (e["type"].as_str().unwrap(), e["resource_id"].as_str().unwrap())).collect();
    assert_eq!(
        seen[..11],
        [
            ("college.created", cs.as_str()),
            ("college.updated", cs.as_str()),
            ("college.created", gone.as_str()),
            ("college.deleted", gone.as_str()),
            ("unit.created", lab.as_str()),
            ("unit.updated", lab.as_str()),
            ("unit.created", tmp.as_str()),
            ("unit.deleted", tmp.as_str()),
            ("academic_year.created", year.as_str()),
            ("student.created", student.as_str()),
            ("honor.created", honor.as_str()),
        ]
    );
    assert_eq!(seen[11], ("honor.deleted", honor.as_str()));
    assert_eq!(seen[12].0, "unit.imported");
    assert_eq!(seen.len(), 13);
    assert_eq!(items[1]["data"]["name"], "计算机科学学院");
    assert_eq!(items[1]["resource_type"], "college");
    assert_eq!(items[10]["data"]["student_no"], "2023001");
    assert_eq!(items[10]["resource_type"], "honor");
    // A unit made through the API carries the same fields as one made by an import.
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&items[4]["data"]), keys(&items[12]["data"]));
    assert_eq!(items[4]["resource_type"], items[12]["resource_type"]);
}
