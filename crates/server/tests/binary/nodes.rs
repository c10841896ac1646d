//! Two `xuezhang serve` processes on one database, as behind a load balancer: what one node
//! starts, the other continues — sessions, idempotency keys, the login throttle.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn two_nodes_share_sessions_idempotency_keys_and_lockouts() {
    let db = scratch_database().await;
    // On PostgreSQL both nodes start on an empty database at once and migrate it together (an
    // advisory lock puts them in turn); SQLite is one node's database, migrated first.
    let (a, b) = if db.is_postgres() {
        let (url_a, url_b) = (db.url.clone(), db.url.clone());
        let a = std::thread::spawn(move || Server::start(command(&url_a), &[]));
        let b = std::thread::spawn(move || Server::start(command(&url_b), &[]));
        (a.join().unwrap(), b.join().unwrap())
    } else {
        create_admin(&db.url, "bootstrap");
        (Server::start(command(&db.url), &[]), Server::start(command(&db.url), &[]))
    };
    create_admin(&db.url, "nodeadmin");

    // A login on A, refreshed on B; the rotated token is then dead on A too.
    let login = a.login_full("nodeadmin", PASSWORD).await.expect(200);
    let first_refresh = login.body["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = refresh(&b, first_refresh.clone()).await.expect(200);
    let access_b = refreshed.body["access_token"].as_str().unwrap().to_owned();
    a.get("/api/v1/me", &access_b).await.expect(200);
    refresh(&a, first_refresh).await.expect(400);
    // Reusing a rotated token revoked the whole session, on both nodes.
    b.get("/api/v1/me", &access_b).await.expect(401);

    // An idempotent POST on A, retried on B: the same answer, written once.
    let token = a.login("nodeadmin", PASSWORD).await;
    let first = post_college(&a, &token).await.expect(201);
    let replay = post_college(&b, &token).await.expect(201);
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(replay.id(), first.id());
    let list = b.get("/api/v1/colleges?page_size=100", &token).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().iter().filter(|c| c["code"] == "NODE").count(), 1);

    // Failed logins count across nodes: three on A and two on B lock the name on both.
    for _ in 0..3 {
        a.login_full("nodeadmin", "wrong-password-node").await.expect(400);
    }
    for _ in 0..2 {
        b.login_full("nodeadmin", "wrong-password-node").await.expect(400);
    }
    let locked = a.login_full("nodeadmin", PASSWORD).await.expect(429);
    assert!(locked.header("retry-after").is_some());
    b.login_full("nodeadmin", PASSWORD).await.expect(429);

    a.stop();
    b.stop();
}

async fn refresh(s: &Server, token: String) -> Res {
    s.send(
        s.request(Method::POST, "/api/v1/auth/token", None)
            .form(&[("grant_type", "refresh_token".to_owned()), ("refresh_token", token)]),
    )
    .await
}

async fn post_college(s: &Server, token: &str) -> Res {
    s.send(
        s.request(Method::POST, "/api/v1/colleges", Some(token))
            .header("Idempotency-Key", "node-college-1")
            .json(&json!({"code": "NODE", "name": "双节点学院"})),
    )
    .await
}

#[tokio::test]
async fn two_nodes_count_inquiries_from_one_address_in_the_same_window() {
    let db = scratch_database().await;
    create_admin(&db.url, "nodeadmin");
    let (a, b) = (Server::start(command(&db.url), &[]), Server::start(command(&db.url), &[]));
    let token = a.login("nodeadmin", PASSWORD).await;

    // A listed mentor, arranged through node A.
    let college =
        a.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201).id();
    let unit = a
        .post(
            "/api/v1/units",
            &token,
            json!({"code": "LAB", "name": "实验室", "kind": "laboratory", "college_id": college}),
        )
        .await
        .expect(201)
        .id();
    let year = a.post("/api/v1/academic-years", &token, json!({"code": "2025-2026"})).await.expect(201).id();
    let student = a
        .post(
            "/api/v1/students",
            &token,
            json!({"student_no": "2023001", "name": "李华", "gender": "female", "college_id": college,
                   "degree": "master", "enrollment_year": 2023, "political_status": "party_member"}),
        )
        .await
        .expect(201)
        .id();
    let appointment = a.appoint(&token, &student, &year, &unit, "乐于帮扶", None).await;
    let profile = json!({"research_direction": "计算机视觉", "bio": "博士三年级。", "published": true});
    a.send(a.request(Method::PUT, &format!("/api/v1/appointments/{appointment}/profile"), Some(&token)).json(&profile))
        .await
        .expect(200);

    // Ten from one address, spread over both processes, are taken; the eleventh is refused on both.
    let path = format!("/api/v1/public/mentors/{appointment}/inquiries");
    let ask = |i: usize| json!({"name": "王同学", "kind": "admission", "subject": format!("第{i}问"), "message": "想了解招生情况。"});
    for i in 0..10 {
        let node = if i % 2 == 0 { &a } else { &b };
        node.send(node.request(Method::POST, &path, None).json(&ask(i))).await.expect(201);
    }
    for node in [&a, &b] {
        let res = node.send(node.request(Method::POST, &path, None).json(&ask(11))).await.expect(429);
        assert!(res.header("retry-after").is_some());
    }
    a.stop();
    b.stop();
}
