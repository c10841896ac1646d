//! Operations: request ids, `GET /metrics`, `/readyz`.

use reqwest::{Method, header};
use serde_json::json;
use xuezhang_tests::*;

const TOKEN: &str = "metrics-token-metrics-token";

fn with_metrics_token(s: &mut xuezhang_http::Settings) {
    s.metrics_token = Some(TOKEN.into());
}

/// A metric's value in a Prometheus text exposition (the sample whose name and labels are `series`).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')).and_then(|v| v.parse().ok()))
}

async fn scrape(app: &TestApp) -> String {
    let res = app.send(app.request(Method::GET, "/metrics", Some(TOKEN))).await.expect(200);
    assert!(res.header("content-type").is_some_and(|c| c.starts_with("text/plain; version=0.0.4")));
    res.text
}

#[actix_web::test]
async fn a_well_formed_request_id_is_echoed_and_named_in_the_problem() {
    let app = spawn_app().await;
    for id in [
        "abc-123",
        "01937a4e-1c2b-7d3e-9f40-5a6b7c8d9e0f",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "lb:node.7_x",
    ] {
        let res = app.send(app.request(Method::GET, "/api/v1/me", None).header("X-Request-Id", id)).await.expect(401);
        assert_eq!(res.header("x-request-id").as_deref(), Some(id));
        assert_eq!(res.body["instance"], format!("urn:xuezhang:request:{id}"));
    }
}

#[actix_web::test]
async fn an_ill_formed_or_missing_request_id_is_replaced_by_a_fresh_uuid() {
    let app = spawn_app().await;
    let too_long = "a".repeat(65);
    let mut seen = Vec::new();
    for sent in
        [None, Some(""), Some("has space"), Some("quote\"d"), Some("中文"), Some(too_long.as_str()), Some("a/b")]
    {
        let mut req = app.request(Method::GET, "/api/v1/nowhere", None);
        if let Some(v) = sent {
            req = req.header("X-Request-Id", v);
        }
        let res = app.send(req).await.expect(404);
        let id = res.header("x-request-id").expect("a request id");
        assert_ne!(Some(id.as_str()), sent);
        let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 7);
        assert_eq!(res.body["instance"], format!("urn:xuezhang:request:{id}"));
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7, "every request gets its own id");
}

#[actix_web::test]
async fn every_kind_of_response_carries_a_request_id() {
    let app = spawn_app().await;
    let token = app.admin().await;
    // A success, a 201, a 405, a 422, and an error raised by middleware before any handler.
    let ok = app.get("/api/v1/me", &token).await.expect(200);
    assert!(ok.header("x-request-id").is_some());
    assert!(ok.body.get("instance").is_none());
    let created = app.post("/api/v1/colleges", &token, json!({"code": "RID", "name": "请求学院"})).await.expect(201);
    assert!(created.header("x-request-id").is_some());
    let res =
        app.send(app.request(Method::PUT, "/api/v1/colleges", Some(&token)).header("X-Request-Id", "r-405")).await;
    assert_eq!(res.expect(405).body["instance"], "urn:xuezhang:request:r-405");
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/colleges", Some(&token))
                .header("X-Request-Id", "r-422")
                .json(&json!({})),
        )
        .await
        .expect(422);
    assert_eq!(res.body["instance"], "urn:xuezhang:request:r-422");
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/colleges", Some(&token))
                .header("X-Request-Id", "r-key")
                .header("Idempotency-Key", "bad key")
                .json(&json!({"code": "X", "name": "x"})),
        )
        .await
        .expect(400);
    assert_eq!(res.code(), "invalid_idempotency_key");
    assert_eq!(res.header("x-request-id").as_deref(), Some("r-key"));
    assert_eq!(res.body["instance"], "urn:xuezhang:request:r-key");
    // Probes too.
    let res = app.send(app.request(Method::GET, "/healthz", None)).await.expect(200);
    assert!(res.header("x-request-id").is_some());
}

#[actix_web::test]
async fn browsers_may_send_and_read_the_request_id() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://app.example.edu.cn".into()]).await;
    let res = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/colleges", None)
                .header("Origin", "https://app.example.edu.cn")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "x-request-id"),
        )
        .await
        .expect(200);
    assert!(res.header("access-control-allow-headers").is_some_and(|h| h.contains("x-request-id")));
    let res = app.send(app.request(Method::GET, "/healthz", None).header("Origin", "https://app.example.edu.cn")).await;
    assert!(res.header("access-control-expose-headers").is_some_and(|h| h.contains("x-request-id")));
}

#[actix_web::test]
async fn metrics_are_off_by_default() {
    let app = spawn_app().await;
    let res = app.send(app.request(Method::GET, "/metrics", Some("anything"))).await.expect(404);
    assert_eq!(res.code(), "not_found");
}

#[actix_web::test]
async fn metrics_on_the_api_port_need_the_token() {
    let app = spawn_app_with(with_metrics_token).await;
    let res = app.send(app.request(Method::GET, "/metrics", None)).await.expect(401);
    assert!(res.header("www-authenticate").is_some());
    app.send(app.request(Method::GET, "/metrics", Some("metrics-token-metrics-tokeN"))).await.expect(401);
    let token = app.admin().await;
    app.send(app.request(Method::GET, "/metrics", Some(&token))).await.expect(401);
    scrape(&app).await;
}

#[actix_web::test]
async fn a_metrics_listener_serves_metrics_apart_from_the_api() {
    let app = spawn_app_with(|s| s.metrics_bind = Some("127.0.0.1:0".into())).await;
    let port = app.metrics_port.expect("a metrics listener");
    let res = app.client.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("xuezhang_build_info"));
    // The API port keeps it hidden, and the metrics port serves nothing of the API.
    app.send(app.request(Method::GET, "/metrics", None)).await.expect(404);
    let res = app.client.get(format!("http://127.0.0.1:{port}/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[actix_web::test]
async fn requests_are_counted_by_route_template_never_by_raw_path_or_query() {
    let app = spawn_app_with(with_metrics_token).await;
    let token = app.admin().await;
    let college = app.college(&token, "MET", "度量学院").await;
    let student = app.student(&token, &college, "2024990001", json!({"name": "欧阳度量"})).await;
    app.get(&format!("/api/v1/students/{student}"), &token).await.expect(200);
    app.get(&format!("/api/v1/students/{}", uuid::Uuid::now_v7()), &token).await.expect(404);
    app.send(app.request(Method::GET, "/api/v1/students", Some(&token)).query(&[("q", "欧阳度量")])).await.expect(200);
    app.send(app.request(Method::GET, "/api/v1/students/李华/x", Some(&token))).await.expect(404);

    let text = scrape(&app).await;
    let by_id = r#"xuezhang_http_requests_total{method="GET",route="/api/v1/students/{id}",status="#;
    assert_eq!(sample(&text, &format!(r#"{by_id}"200"}}"#)), Some(1.0), "{text}");
    assert_eq!(sample(&text, &format!(r#"{by_id}"404"}}"#)), Some(1.0));
    assert_eq!(
        sample(&text, r#"xuezhang_http_requests_total{method="GET",route="/api/v1/students",status="200"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"xuezhang_http_requests_total{method="GET",route="unmatched",status="404"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"xuezhang_http_request_duration_seconds_count{method="GET",route="/api/v1/students/{id}"}"#),
        Some(2.0)
    );
    assert!(!text.contains(&student) && !text.contains("欧阳度量") && !text.contains("李华"), "{text}");
    // The feed's head: the college and the student were written through the API.
    let head = sample(&text, "xuezhang_events_head_seq").expect("the feed head");
    let feed = app.get("/api/v1/events?after=0&limit=1000", &token).await.expect(200);
    let last = feed.body["items"].as_array().and_then(|a| a.last()).map(|e| e["seq"].as_f64().unwrap_or(0.0));
    assert_eq!(Some(head), last.or(Some(0.0)));
    assert_eq!(sample(&text, "xuezhang_db_up"), Some(1.0));
    assert_eq!(sample(&text, "xuezhang_schema_migrations_pending"), Some(0.0));
    assert!(sample(&text, "xuezhang_db_transaction_begin_wait_seconds_count").is_some_and(|n| n >= 2.0));
    // One pool of 8 on PostgreSQL; on SQLite the writer is a single connection.
    let (pool, max) = if app.is_postgres() { ("shared", 8.0) } else { ("write", 1.0) };
    assert_eq!(sample(&text, &format!(r#"xuezhang_db_pool_max_connections{{pool="{pool}"}}"#)), Some(max));
}

#[actix_web::test]
async fn failed_logins_and_lockouts_are_counted() {
    let app = spawn_app_with(with_metrics_token).await;
    let admin = app.admin().await;
    for _ in 0..5 {
        app.login_full("admin", "wrong-password-1").await.expect(400);
    }
    app.login_full("admin", PASSWORD).await.expect(429);
    app.send(
        app.request(Method::POST, "/api/v1/auth/token", None)
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "not-a-token")]),
    )
    .await
    .expect(400);
    let text = scrape(&app).await;
    assert_eq!(sample(&text, r#"xuezhang_login_failures_total{grant="password"}"#), Some(5.0));
    assert_eq!(sample(&text, r#"xuezhang_login_failures_total{grant="refresh_token"}"#), Some(1.0));
    assert_eq!(sample(&text, "xuezhang_login_lockout_refusals_total"), Some(1.0));
    assert_eq!(sample(&text, "xuezhang_login_locked_names"), Some(1.0));
    assert!(!text.contains("wrong-password"));
    drop(admin);
}

#[actix_web::test]
async fn imports_are_counted_with_their_rows_and_durations() {
    let app = spawn_app_with(with_metrics_token).await;
    let token = app.admin().await;
    app.college(&token, "IMP", "导入学院").await;
    let csv = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌\n2024880001,导入甲,男,IMP,硕士,2024,中共党员\n2024880002,导入乙,女,IMP,博士,2023,群众\n";
    let post = |q: &'static str| {
        app.request(Method::POST, &format!("/api/v1/imports/students{q}"), Some(&token))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(csv)
    };
    app.send(post("?dry_run=true")).await.expect(200);
    app.send(post("")).await.expect(200);
    app.send(post("")).await.expect(200);
    app.send(
        app.request(Method::POST, "/api/v1/imports/students", Some(&token))
            .header(header::CONTENT_TYPE, "text/csv")
            .body("学号,姓名\n1,x\n"),
    )
    .await
    .expect(422);
    let text = scrape(&app).await;
    let count =
        |outcome: &str| sample(&text, &format!(r#"xuezhang_imports_total{{kind="students",outcome="{outcome}"}}"#));
    assert_eq!((count("dry_run"), count("written"), count("failed")), (Some(1.0), Some(2.0), Some(1.0)));
    let rows =
        |result: &str| sample(&text, &format!(r#"xuezhang_import_rows_total{{kind="students",result="{result}"}}"#));
    assert_eq!((rows("created"), rows("unchanged")), (Some(2.0), Some(2.0)));
    assert_eq!(
        sample(&text, r#"xuezhang_import_duration_seconds_count{kind="students",outcome="written"}"#),
        Some(2.0)
    );
}

#[actix_web::test]
async fn readyz_is_ok_on_a_migrated_database() {
    let app = spawn_app().await;
    let res = app.send(app.request(Method::GET, "/readyz", None)).await.expect(200);
    assert_eq!(res.body["status"], "ok");
}

#[actix_web::test]
async fn the_openapi_document_declares_the_request_id_on_every_response() {
    let app = spawn_app().await;
    let doc = app.send(app.request(Method::GET, "/api/v1/openapi.json", None)).await.expect(200).body;
    assert!(doc["components"]["headers"]["X-Request-Id"]["schema"]["pattern"].is_string());
    let mut responses = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().unwrap() {
                let r = match r["$ref"].as_str() {
                    Some(name) => &doc["components"]["responses"][name.rsplit('/').next().unwrap()],
                    None => r,
                };
                assert_eq!(
                    r["headers"]["X-Request-Id"]["$ref"], "#/components/headers/X-Request-Id",
                    "{method} {path} {status}"
                );
                responses += 1;
            }
        }
    }
    assert!(responses > 200, "{responses}");
    assert!(doc["paths"]["/metrics"]["get"].is_object());
}
