//! The log of a full workflow holds no personal data and no secret: route templates and request
//! ids, never paths with ids or names, query strings, bodies or tokens.

use reqwest::{Method, header};
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn the_log_of_a_full_workflow_names_no_person_and_no_secret() {
    let db = scratch_database().await;
    create_admin(&db.url, "opsadmin");
    let mut c = command(&db.url);
    c.env("XUEZHANG_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,xuezhang=debug,xuezhang_http=debug,xuezhang_persistence=debug");
    let s = Server::start(c, &[]);

    // Everything personal or secret the workflow sends or receives; none may reach the log.
    let mut secrets: Vec<String> = vec![
        PASSWORD.into(),
        "欧阳晓雯".into(),
        "2023114514".into(),
        "13912345678".into(),
        "xiaowen.oy@example.edu.cn".into(),
        "司马新生".into(),
        "2025114515".into(),
        "13687654321".into(),
        "simaxin@example.edu.cn".into(),
        "诸葛导师".into(),
        "T9527".into(),
        "15011112222".into(),
        "zhuge@example.edu.cn".into(),
        "WrongPass-Guess-42".into(),
        "Neue-Passwort-2026-长江".into(),
        "2024000777".into(),
        "上官导入".into(),
    ];
    let admin_full = s.login_full("opsadmin", PASSWORD).await.expect(200);
    let admin = admin_full.body["access_token"].as_str().unwrap().to_owned();
    secrets.push(admin.clone());
    secrets.push(admin_full.body["refresh_token"].as_str().unwrap().to_owned());

    let college = s.post("/api/v1/colleges", &admin, json!({"code": "LOG", "name": "日志学院"})).await.expect(201).id();
    let unit = s
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "LOG-L1", "name": "日志实验室", "kind": "laboratory", "college_id": college}),
        )
        .await
        .expect(201)
        .id();
    let year = s.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let supervisor = s
        .post(
            "/api/v1/staff",
            &admin,
            json!({"staff_no": "T9527", "name": "诸葛导师", "college_id": college, "is_supervisor": true,
                   "phone": "15011112222", "email": "zhuge@example.edu.cn"}),
        )
        .await
        .expect(201)
        .id();
    let senior = s
        .post(
            "/api/v1/students",
            &admin,
            json!({"student_no": "2023114514", "name": "欧阳晓雯", "gender": "female", "college_id": college,
                   "degree": "doctoral", "enrollment_year": 2023, "political_status": "party_member", "unit_id": unit,
                   "phone": "13912345678", "email": "xiaowen.oy@example.edu.cn", "supervisor_id": supervisor}),
        )
        .await
        .expect(201)
        .id();
    let freshman = s
        .post(
            "/api/v1/students",
            &admin,
            json!({"student_no": "2025114515", "name": "司马新生", "gender": "male", "college_id": college,
                   "degree": "master", "enrollment_year": 2025, "political_status": "league_member", "unit_id": unit,
                   "phone": "13687654321", "email": "simaxin@example.edu.cn"}),
        )
        .await
        .expect(201)
        .id();
    // Searches by name and number, in the query string.
    for q in ["欧阳晓雯", "2023114514", "13912345678"] {
        s.send(s.request(Method::GET, "/api/v1/students", Some(&admin)).query(&[("q", q)])).await.expect(200);
    }
    s.get(&format!("/api/v1/students/{senior}"), &admin).await.expect(200);
    // A name in a path that matches no route.
    s.send(s.request(Method::GET, "/api/v1/students/欧阳晓雯/2023114514", Some(&admin))).await.expect(404);
    // A college admin, who changes their password.
    s.post(
        "/api/v1/users",
        &admin,
        json!({"username": "log-cadmin", "display_name": "欧阳晓雯", "password": PASSWORD, "role": "college_admin", "college_id": college}),
    )
    .await
    .expect(201);
    let cadmin = s.login("log-cadmin", PASSWORD).await;
    secrets.push(cadmin.clone());
    s.post(
        "/api/v1/me/password",
        &cadmin,
        json!({"current_password": PASSWORD, "new_password": "Neue-Passwort-2026-长江"}),
    )
    .await
    .expect(204);
    // 院推 → 校聘 → 结对子.
    let appointment = s.appoint(&admin, &senior, &year, &unit, "乐于帮扶 13912345678", Some(3)).await;
    s.post("/api/v1/pairings", &admin, json!({"appointment_id": appointment, "mentee_id": freshman})).await.expect(201);
    // A profile that tries to publish a phone number (422), then a good one.
    s.send(
        s.request(Method::PUT, &format!("/api/v1/appointments/{appointment}/profile"), Some(&admin))
            .json(&json!({"bio": "电话 13912345678", "published": true})),
    )
    .await
    .expect(422);
    // An import with names and numbers, and an export.
    s.send(
        s.request(Method::POST, "/api/v1/imports/students", Some(&admin))
            .header(header::CONTENT_TYPE, "text/csv")
            .body("学号,姓名,性别,学院,培养层次,入学年份,政治面貌\n2024000777,上官导入,女,LOG,硕士,2024,群众\n"),
    )
    .await
    .expect(200);
    s.get("/api/v1/exports/students", &admin).await.expect(200);
    // A service client reading the feed; its secret and token are secrets too.
    let client = s
        .post(
            "/api/v1/service-clients",
            &admin,
            json!({"client_id": "log-xgxt", "name": "学工系统", "scopes": ["events:read", "students:read"]}),
        )
        .await
        .expect(201);
    let client_secret = client.body["client_secret"].as_str().unwrap().to_owned();
    secrets.push(client_secret.clone());
    let token = s
        .send(
            s.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth("log-xgxt", Some(&client_secret))
                .form(&[("grant_type", "client_credentials")]),
        )
        .await
        .expect(200);
    let client_token = token.body["access_token"].as_str().unwrap().to_owned();
    secrets.push(client_token.clone());
    let feed = s.get("/api/v1/events?after=0&limit=1000", &client_token).await.expect(200);
    assert!(feed.text.contains("欧阳晓雯"), "the feed itself carries the data");
    // Failed logins, a lockout, a refresh and a logout.
    for _ in 0..5 {
        s.login_full("opsadmin", "WrongPass-Guess-42").await.expect(400);
    }
    s.login_full("opsadmin", "WrongPass-Guess-42").await.expect(429);
    let refreshed = s
        .send(s.request(Method::POST, "/api/v1/auth/token", None).form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", admin_full.body["refresh_token"].as_str().unwrap()),
        ]))
        .await
        .expect(200);
    secrets.push(refreshed.body["access_token"].as_str().unwrap().to_owned());
    secrets.push(refreshed.body["refresh_token"].as_str().unwrap().to_owned());
    s.send(
        s.request(Method::POST, "/api/v1/auth/revoke", None)
            .form(&[("token", refreshed.body["refresh_token"].as_str().unwrap())]),
    )
    .await
    .expect(200);

    let lines = s.stop();
    assert!(lines.len() > 40, "{lines:?}");
    for line in &lines {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        for field in ["ts", "level", "target", "msg"] {
            assert!(entry[field].is_string(), "{field} missing: {line}");
        }
        for secret in &secrets {
            assert!(!line.contains(secret.as_str()), "the log holds `{secret}`: {line}");
        }
        // No id of a record either: paths are logged as templates.
        for id in [&senior, &freshman, &college, &appointment] {
            assert!(!line.contains(id.as_str()), "the log holds the id {id}: {line}");
        }
    }
    let access: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["target"] == "xuezhang::access")
        .collect();
    assert!(access.len() > 30, "{access:?}");
    for e in &access {
        assert!(e["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{e}");
        assert!(e["status"].is_u64() && e["duration_ms"].is_number(), "{e}");
    }
    let routes: Vec<&str> = access.iter().filter_map(|e| e["route"].as_str()).collect();
    assert!(routes.contains(&"/api/v1/students/{id}"), "{routes:?}");
    assert!(routes.contains(&"/api/v1/nominations/{id}/submit"), "{routes:?}");
    assert!(routes.contains(&"unmatched"), "{routes:?}");
}

#[tokio::test]
async fn the_first_admin_banner_is_not_written_when_the_output_is_no_terminal() {
    let db = scratch_database().await;
    let s = Server::start(command(&db.url), &[]);
    let lines = s.stop();
    assert!(!lines.iter().any(|l| l.contains("password:")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("create-admin")), "{lines:?}");
}
