//! The conventions every endpoint follows: problem+json errors, pagination, ETags and
//! `If-Match`, `Idempotency-Key`, CORS, and concurrent writers.

use reqwest::{Method, header};
use serde_json::{Value, json};
use xuezhang_tests::*;

#[actix_web::test]
async fn an_unknown_route_is_a_problem_404() {
    let app = spawn_app().await;
    let res = app.send(app.request(Method::GET, "/api/v1/no-such-thing", None)).await.expect(404);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(res.code(), "not_found");
    assert_eq!(res.body["status"], 404);
    assert!(res.body["type"].as_str().is_some_and(|t| t.ends_with("not_found")));
    app.send(app.request(Method::GET, "/nowhere", None)).await.expect(404);
}

#[actix_web::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = spawn_app().await;
    let res = app.send(app.request(Method::PUT, "/api/v1/colleges", None)).await.expect(405);
    assert_eq!(res.code(), "method_not_allowed");
    assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
    let id = uuid::Uuid::now_v7();
    let res = app.send(app.request(Method::POST, &format!("/api/v1/colleges/{id}"), None)).await.expect(405);
    assert_eq!(res.header("allow").as_deref(), Some("GET, DELETE, PATCH"));
}

#[actix_web::test]
async fn malformed_json_is_400_and_a_missing_field_is_422() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let broken = app
        .request(Method::POST, "/api/v1/colleges", Some(&token))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"code\": \"CS\",");
    let res = app.send(broken).await.expect(400);
    assert_eq!(res.code(), "malformed_json");
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));

    let res = app.post("/api/v1/colleges", &token, json!({"code": "CS"})).await.expect(422);
    assert_eq!(res.code(), "validation_failed");
    assert_eq!(res.error_fields(), ["name"]);
    assert_eq!(res.body["errors"][0]["code"], "required");

    let res = app.post("/api/v1/colleges", &token, json!({"code": 12, "name": "计算机学院"})).await.expect(422);
    assert_eq!(res.error_fields(), ["code"]);

    let res = app.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "x", "extra": 1})).await.expect(422);
    assert_eq!(res.body["errors"][0]["code"], "unknown_field");
    assert_eq!(res.error_fields(), ["extra"]);
}

#[actix_web::test]
async fn validation_lists_every_bad_field_at_once() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let res = app.post("/api/v1/colleges", &token, json!({"code": "计算机", "name": "   "})).await.expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["code", "name"]);
}

#[actix_web::test]
async fn type_errors_list_every_bad_field_too_not_only_the_first() {
    let app = spawn_app().await;
    let token = app.admin().await;
    // Wrong types, an unknown choice, a malformed id, a missing field and an unknown one, all in
    // one body: every one of them is named, each with its own code.
    let res = app
        .post(
            "/api/v1/students",
            &token,
            json!({"student_no": 2024001, "name": 5, "gender": "x", "college_id": "nope", "degree": "master",
                   "enrollment_year": "2024", "extra": true}),
        )
        .await
        .expect(422);
    assert_eq!(res.code(), "validation_failed");
    let mut found: Vec<(String, String)> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect();
    found.sort();
    let want = [
        ("college_id", "invalid_type"),
        ("enrollment_year", "invalid_type"),
        ("extra", "unknown_field"),
        ("gender", "invalid_choice"),
        ("name", "invalid_type"),
        ("political_status", "required"),
        ("student_no", "invalid_type"),
    ];
    assert_eq!(found, want.map(|(f, c)| (f.to_owned(), c.to_owned())), "{}", res.text);
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415_and_a_huge_one_413() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/colleges", Some(&token))
                .header(header::CONTENT_TYPE, "text/plain")
                .body("CS"),
        )
        .await
        .expect(415);
    assert_eq!(res.code(), "unsupported_media_type");
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/colleges", Some(&token))
                .header(header::CONTENT_TYPE, "application/json"),
        )
        .await
        .expect(400);
    assert_eq!(res.code(), "malformed_json");
    let big = format!("{{\"code\":\"CS\",\"name\":\"{}\"}}", "长".repeat(600_000));
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/colleges", Some(&token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(big),
        )
        .await
        .expect(413);
    assert_eq!(res.code(), "payload_too_large");
}

#[actix_web::test]
async fn a_path_id_that_is_not_a_uuid_and_a_bad_query_are_400() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let res = app.get("/api/v1/colleges/not-a-uuid", &token).await.expect(400);
    assert_eq!(res.code(), "invalid_path");
    let res = app.get("/api/v1/colleges?page=abc", &token).await.expect(400);
    assert_eq!(res.code(), "invalid_query");
    let res = app.get("/api/v1/students?degree=bachelor", &token).await.expect(400);
    assert_eq!(res.code(), "invalid_query");
    let res = app.get("/api/v1/colleges?page=0", &token).await.expect(422);
    assert_eq!(res.error_fields(), ["page"]);
    let res = app.get("/api/v1/colleges?sort=password", &token).await.expect(422);
    assert_eq!(res.error_fields(), ["sort"]);
    let res = app.get(&format!("/api/v1/colleges/{}", uuid::Uuid::now_v7()), &token).await.expect(404);
    assert_eq!(res.code(), "not_found");
}

#[actix_web::test]
async fn lists_are_paginated_sorted_and_capped_at_100() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for i in 0..25 {
        app.college(&token, &format!("C{i:02}"), &format!("学院{i:02}")).await;
    }
    let res = app.get("/api/v1/colleges?page=2&page_size=10", &token).await.expect(200);
    assert_eq!(res.body["total"], 25);
    assert_eq!(res.body["page"], 2);
    assert_eq!(res.body["page_size"], 10);
    let codes: Vec<&str> = res.body["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["C10", "C11", "C12", "C13", "C14", "C15", "C16", "C17", "C18", "C19"]);
    let res = app.get("/api/v1/colleges?sort=-code&page_size=1000", &token).await.expect(200);
    assert_eq!(res.body["page_size"], 100);
    assert_eq!(res.body["items"][0]["code"], "C24");
    assert_eq!(res.body["items"].as_array().unwrap().len(), 25);
    let res = app.get("/api/v1/colleges?q=学院0", &token).await.expect(200);
    assert_eq!(res.body["total"], 10);
}

#[actix_web::test]
async fn a_resource_has_an_etag_and_a_stale_if_match_is_412() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let created = app.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201);
    let id = created.id();
    assert_eq!(created.header("location"), Some(format!("/api/v1/colleges/{id}")));
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let got = app.get(&format!("/api/v1/colleges/{id}"), &token).await.expect(200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));

    let changed = app
        .patch(&format!("/api/v1/colleges/{id}"), &token, json!({"name": "计算机科学学院"}), Some("\"1\""))
        .await
        .expect(200);
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(changed.body["name"], "计算机科学学院");

    let stale = app
        .patch(&format!("/api/v1/colleges/{id}"), &token, json!({"name": "又一个名字"}), Some("\"1\""))
        .await
        .expect(412);
    assert_eq!(stale.code(), "precondition_failed");
    assert_eq!(stale.body["current_version"], 2);
    assert_eq!(stale.header("etag").as_deref(), Some("\"2\""));
    let after = app.get(&format!("/api/v1/colleges/{id}"), &token).await.expect(200);
    assert_eq!(after.body["name"], "计算机科学学院");

    app.delete(&format!("/api/v1/colleges/{id}"), &token, Some("\"1\"")).await.expect(412);
    app.delete(&format!("/api/v1/colleges/{id}"), &token, Some("W/\"2\"")).await.expect(204);
    app.get(&format!("/api/v1/colleges/{id}"), &token).await.expect(404);
}

#[actix_web::test]
async fn a_retried_post_with_the_same_idempotency_key_writes_once() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let post = |body: serde_json::Value, key: &'static str| {
        app.request(Method::POST, "/api/v1/colleges", Some(&token)).header("Idempotency-Key", key).json(&body)
    };
    let first = app.send(post(json!({"code": "CS", "name": "计算机学院"}), "k-1")).await.expect(201);
    let again = app.send(post(json!({"code": "CS", "name": "计算机学院"}), "k-1")).await.expect(201);
    assert_eq!(first.body, again.body);
    assert_eq!(first.header("location"), again.header("location"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let list = app.get("/api/v1/colleges", &token).await.expect(200);
    assert_eq!(list.body["total"], 1);

    let other = app.send(post(json!({"code": "EE", "name": "电气工程学院"}), "k-1")).await.expect(422);
    assert_eq!(other.code(), "idempotency_key_reused");
    // A failure is replayed too, and a new key is a new request.
    let dup = app.send(post(json!({"code": "CS", "name": "计算机学院"}), "k-2")).await.expect(409);
    let dup_again = app.send(post(json!({"code": "CS", "name": "计算机学院"}), "k-2")).await.expect(409);
    assert_eq!(dup.body, dup_again.body);
    let bad_key = app.send(post(json!({"code": "X", "name": "x"}), "bad key with spaces")).await.expect(400);
    assert_eq!(bad_key.code(), "invalid_idempotency_key");
    let audit = app.get("/api/v1/audit-events?action=college.create", &token).await.expect(200);
    assert_eq!(audit.body["total"], 1);
}

#[actix_web::test]
async fn idempotency_keys_belong_to_their_caller() {
    let app = spawn_app().await;
    let a = app.admin_named("admin-a").await;
    let b = app.admin_named("admin-b").await;
    let send = |token: &str, code: &str| {
        app.request(Method::POST, "/api/v1/colleges", Some(token))
            .header("Idempotency-Key", "same-key")
            .json(&json!({"code": code, "name": code}))
    };
    app.send(send(&a, "A1")).await.expect(201);
    app.send(send(&b, "B1")).await.expect(201);
    assert_eq!(app.get("/api/v1/colleges", &a).await.body["total"], 2);
}

#[actix_web::test]
async fn cors_allows_configured_origins_and_exposes_etag_location_retry_after() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://app.scu.edu.cn".into()]).await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/colleges", None)
        .header("Origin", "https://app.scu.edu.cn")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key,if-match");
    let res = app.send(preflight).await;
    assert!(res.status.is_success(), "preflight failed: {}", res.status);
    assert_eq!(res.header("access-control-allow-origin").as_deref(), Some("https://app.scu.edu.cn"));

    let token = app.admin().await;
    let res = app
        .send(app.request(Method::GET, "/api/v1/colleges", Some(&token)).header("Origin", "https://app.scu.edu.cn"))
        .await
        .expect(200);
    let exposed = res.header("access-control-expose-headers").unwrap_or_default().to_ascii_lowercase();
    for h in ["etag", "location", "retry-after", "link"] {
        assert!(exposed.contains(h), "{h} is not exposed: {exposed}");
    }
    let res = app
        .send(app.request(Method::GET, "/api/v1/colleges", Some(&token)).header("Origin", "https://evil.example"))
        .await;
    assert!(res.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn concurrent_writers_never_see_database_is_locked() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let requests = (0..40).map(|i| {
        app.post("/api/v1/colleges", &token, json!({"code": format!("P{i}"), "name": format!("并发学院{i}")}))
    });
    let results = futures_util::future::join_all(requests).await;
    for r in &results {
        assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    }
    assert_eq!(app.get("/api/v1/colleges", &token).await.body["total"], 40);
}

#[actix_web::test]
async fn concurrent_duplicates_make_exactly_one_and_the_rest_409() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let requests = (0..20).map(|_| app.post("/api/v1/colleges", &token, json!({"code": "SAME", "name": "同名学院"})));
    let results = futures_util::future::join_all(requests).await;
    let created = results.iter().filter(|r| r.status.as_u16() == 201).count();
    let conflicts = results.iter().filter(|r| r.status.as_u16() == 409 && r.code() == "duplicate").count();
    assert_eq!((created, conflicts), (1, 19), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
}

#[actix_web::test]
async fn every_write_is_audited_with_actor_target_and_change() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let me = app.get("/api/v1/me", &token).await.expect(200);
    let id = app.college(&token, "CS", "计算机学院").await;
    app.patch(&format!("/api/v1/colleges/{id}"), &token, json!({"name": "计算机科学学院"}), None).await.expect(200);
    let res = app.get(&format!("/api/v1/audit-events?target_id={id}"), &token).await.expect(200);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "college.update");
    assert_eq!(items[0]["actor_id"], me.body["id"]);
    assert_eq!(items[0]["actor_kind"], "user");
    assert_eq!(items[0]["changes"]["before"]["name"], "计算机学院");
    assert_eq!(items[0]["changes"]["after"]["name"], "计算机科学学院");
    assert_eq!(items[1]["action"], "college.create");

    let college_admin = app.user(&token, "cadmin", Role::CollegeAdmin, json!({"college_id": id})).await;
    let res = app.get("/api/v1/audit-events", &college_admin).await.expect(403);
    assert_eq!(res.code(), "forbidden");
    // Passwords never reach the audit log.
    let all = app.get("/api/v1/audit-events?target_type=user", &token).await.expect(200);
    assert!(!all.text.contains(PASSWORD) && !all.text.contains("argon2"));
}

#[actix_web::test]
async fn idempotent_replays_need_a_live_session_and_never_repeat_a_secret() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let post = |token: &str, path: &str, key: &str, body: serde_json::Value| {
        app.request(Method::POST, path, Some(token)).header("Idempotency-Key", key.to_owned()).json(&body)
    };
    app.send(post(&token, "/api/v1/colleges", "k-1", json!({"code": "CS", "name": "计算机学院"}))).await.expect(201);
    // After logging out, the old token replays nothing: it is refused.
    app.send(app.request(Method::POST, "/api/v1/auth/revoke", None).json(&json!({"token": token}))).await.expect(200);
    app.send(post(&token, "/api/v1/colleges", "k-1", json!({"code": "CS", "name": "计算机学院"}))).await.expect(401);

    // A client secret is shown once: a retry with the same key is a new request, not a replay.
    let token = app.login("admin", PASSWORD).await;
    let body = json!({"client_id": "xgxt", "name": "学工系统", "scopes": ["events:read"]});
    let first = app.send(post(&token, "/api/v1/service-clients", "k-2", body.clone())).await.expect(201);
    assert_eq!(first.header("cache-control").as_deref(), Some("no-store"));
    let retry = app.send(post(&token, "/api/v1/service-clients", "k-2", body)).await.expect(409);
    assert!(!retry.text.contains(first.body["client_secret"].as_str().unwrap()));

    // Outside imports, an idempotent body keeps to the JSON limit.
    let big = format!("{{\"code\":\"X\",\"name\":\"{}\"}}", "长".repeat(600_000));
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/colleges", Some(&token))
                .header("Idempotency-Key", "k-3")
                .header(header::CONTENT_TYPE, "application/json")
                .body(big),
        )
        .await
        .expect(413);
    assert_eq!(res.code(), "payload_too_large");
}

/// The links of a `Link` header by relation.
fn links(header: &str) -> std::collections::BTreeMap<String, String> {
    header
        .split(", ")
        .map(|l| {
            let (target, rel) = l.split_once("; rel=").expect("a relation");
            (rel.trim_matches('"').to_owned(), target.trim_start_matches('<').trim_end_matches('>').to_owned())
        })
        .collect()
}

#[actix_web::test]
async fn lists_link_to_the_first_previous_next_and_last_pages() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for (code, name) in [("A1", "甲学院"), ("B2", "乙学院"), ("C3", "丙学院"), ("D4", "丁学院"), ("E5", "戊学院")]
    {
        app.college(&token, code, name).await;
    }
    let res = app.get("/api/v1/colleges?sort=-code&page=2&page_size=2&q=%E5%AD%A6%E9%99%A2", &token).await.expect(200);
    let l = links(&res.header("link").expect("a Link header"));
    let page = |n: u64| format!("/api/v1/colleges?sort=-code&q=%E5%AD%A6%E9%99%A2&page={n}&page_size=2");
    assert_eq!(l.get("first"), Some(&page(1)));
    assert_eq!(l.get("prev"), Some(&page(1)));
    assert_eq!(l.get("next"), Some(&page(3)));
    assert_eq!(l.get("last"), Some(&page(3)));
    // Following `next` gives the next page with the same filter and order.
    let next = app.get(&l["next"], &token).await.expect(200);
    let codes: Vec<&str> = next.body["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["A1"]);
    let last = links(&next.header("link").unwrap());
    assert!(!last.contains_key("next") && last.contains_key("prev"));
    // One page: no prev, no next; first and last are that page.
    let one = app.get("/api/v1/colleges", &token).await.expect(200);
    let l = links(&one.header("link").unwrap());
    assert_eq!(l.keys().collect::<Vec<_>>(), ["first", "last"]);
    assert_eq!(l["first"], "/api/v1/colleges?page=1&page_size=20");
    // The header is declared on the lists in the OpenAPI document.
    let doc = app.send(app.request(Method::GET, "/api/v1/openapi.json", None)).await.expect(200);
    for path in ["/api/v1/colleges", "/api/v1/students", "/api/v1/audit-events"] {
        let h = &doc.body["paths"][path]["get"]["responses"]["200"]["headers"]["Link"];
        assert_eq!(h["$ref"], "#/components/headers/Link", "{path}");
    }
    assert!(doc.body["components"]["headers"]["Link"]["description"].as_str().unwrap().contains("RFC 8288"));
}

#[actix_web::test]
async fn problems_speak_chinese_by_default_and_english_when_asked_with_the_same_code() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let body = json!({"code": "CS", "name": 5, "extra": 1});
    let post = |language: Option<&'static str>| {
        let req = app.request_in(language, Method::POST, "/api/v1/colleges", Some(&token)).json(&body);
        app.send(req)
    };
    // No Accept-Language: Chinese, the users' language.
    let zh = post(None).await.expect(422);
    assert_eq!(zh.header("content-language").as_deref(), Some("zh-CN"));
    assert_eq!(zh.body["title"], "输入有误");
    assert!(zh.body["detail"].as_str().unwrap().contains("字段"), "{}", zh.text);
    let messages: Vec<&str> =
        zh.body["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["不认识的字段 extra", "name 的类型不正确"], "{}", zh.text);
    // English when asked (by weight), with the same codes.
    let en = post(Some("zh-CN;q=0.5, en;q=0.9")).await.expect(422);
    assert_eq!(en.header("content-language").as_deref(), Some("en"));
    assert_eq!(en.body["title"], "Validation failed");
    assert!(en.body["errors"][0]["message"].as_str().unwrap().starts_with("unknown field"), "{}", en.text);
    assert_eq!(en.body["code"], zh.body["code"]);
    assert_eq!(en.error_fields(), zh.error_fields());
    let zh_codes: Vec<&serde_json::Value> = zh.body["errors"].as_array().unwrap().iter().map(|e| &e["code"]).collect();
    let en_codes: Vec<&serde_json::Value> = en.body["errors"].as_array().unwrap().iter().map(|e| &e["code"]).collect();
    assert_eq!(zh_codes, en_codes);
    // Any problem, not only validation: an unknown route, a missing token.
    let res = app.send(app.request_in(Some("zh-CN"), Method::GET, "/api/v1/nowhere", None)).await.expect(404);
    assert_eq!((res.body["title"].as_str(), res.body["code"].as_str()), (Some("未找到"), Some("not_found")));
    let res = app.send(app.request_in(None, Method::GET, "/api/v1/me", None)).await.expect(401);
    assert_eq!(res.body["title"], "未登录");
    assert_eq!(res.header("vary").as_deref().map(|v| v.contains("Accept-Language")), Some(true));
    let res = app.send(app.request_in(Some("en-GB"), Method::GET, "/api/v1/me", None)).await.expect(401);
    assert_eq!(res.body["title"], "Unauthenticated");
}

/// What the contract fuzzer found, kept fixed: the server enforces what the document says, and
/// accepts what it allows.
#[actix_web::test]
async fn the_server_enforces_what_the_document_says_and_accepts_what_it_allows() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let created = app.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201);
    let path = format!("/api/v1/colleges/{}", created.id());
    let json_body = |method: Method, body: &str, if_match: Option<&str>| {
        let mut r = app.request(method, &path, Some(&token)).header(header::CONTENT_TYPE, "application/json");
        if let Some(v) = if_match {
            r = r.header(header::IF_MATCH, v);
        }
        r.body(body.to_owned())
    };

    // A body is an object: an array of a struct's fields is not applied field by field.
    let res = app.send(json_body(Method::PATCH, "[null, \"又一个名字\"]", None)).await.expect(422);
    assert_eq!(res.error_fields(), ["body"]);
    assert_eq!(res.body["errors"][0]["code"], "invalid_type");
    let got = app.get(&path, &token).await.expect(200);
    assert_eq!((got.body["name"].as_str(), got.body["version"].as_i64()), (Some("计算机学院"), Some(1)));

    // If-Match is `*` or entity tags; anything else is 400, not a stale version.
    for bad in ["1", "fuzz-cadmin", "\"1", "\"1\" \"2\"", "W/1"] {
        let res = app.send(json_body(Method::PATCH, r#"{"name": "新名字"}"#, Some(bad))).await.expect(400);
        assert_eq!(res.code(), "invalid_if_match", "{bad:?}");
    }
    // A comma inside a tag's quotes belongs to the tag; the list matches when one tag does.
    let res = app.send(json_body(Method::PATCH, r#"{"name": "新名字"}"#, Some("W/\"a,b\" , \"1\""))).await.expect(200);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    // An empty If-Match is no precondition.
    app.send(json_body(Method::PATCH, r#"{"name": "计算机学院"}"#, Some(""))).await.expect(200);
    // If-None-Match likewise.
    let res = app
        .send(app.request(Method::GET, "/api/v1/public/mentors", None).header(header::IF_NONE_MATCH, "abc"))
        .await
        .expect(400);
    assert_eq!(res.code(), "invalid_if_none_match");
    app.send(app.request(Method::GET, "/api/v1/public/mentors", None).header(header::IF_NONE_MATCH, "\"x\""))
        .await
        .expect(200);

    // A whole number written with a fraction is that integer (JSON Schema's reading); a real
    // fraction is still the wrong type.
    let year = app
        .post("/api/v1/academic-years", &token, json!({"code": "2030-2031", "default_capacity": 4.0}))
        .await
        .expect(201);
    assert_eq!(year.body["default_capacity"], 4);
    let res = app.post("/api/v1/academic-years", &token, json!({"code": "2031-2032", "default_capacity": 4.5})).await;
    assert_eq!((res.status.as_u16(), res.error_fields()), (422, vec!["default_capacity".to_owned()]));

    // `sort` is one of the listed keys: empty is not one of them.
    let res = app.get("/api/v1/colleges?sort=", &token).await.expect(422);
    assert_eq!(res.error_fields(), ["sort"]);
    app.get("/api/v1/colleges?sort=-name", &token).await.expect(200);

    // maxLength counts what was sent: 100 characters after trimming but 103 sent is too long.
    let padded = format!("\n\n\n{}", "院".repeat(100));
    let res = app.post("/api/v1/colleges", &token, json!({"code": "LONG", "name": padded})).await.expect(422);
    assert_eq!(res.error_fields(), ["name"]);
    let padded_search = format!("{}视觉", " ".repeat(49));
    let res = app.get(&format!("/api/v1/public/mentors?q={}", urlencode(&padded_search)), &token).await.expect(422);
    assert_eq!(res.error_fields(), ["q"]);
    // Names are one line.
    let res = app.post("/api/v1/colleges", &token, json!({"code": "TWO", "name": "计算机\n学院"})).await.expect(422);
    assert_eq!(res.error_fields(), ["name"]);
}

/// `application/x-www-form-urlencoded` with the few characters the tests use escaped.
fn urlencode(s: &str) -> String {
    s.replace(' ', "%20").replace('\n', "%0A")
}

/// RFC 6749 §3.2: a token request ignores parameters it does not read, whatever they hold.
#[actix_web::test]
async fn the_token_endpoints_ignore_parameters_they_do_not_read() {
    let app = spawn_app().await;
    app.admin().await;
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/token", None).form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", PASSWORD),
            ("\u{85}junk", "\u{1}"),
        ]))
        .await
        .expect(200);
    let refresh = res.body["refresh_token"].as_str().unwrap().to_owned();
    // A parameter it reads is still held to the text rule.
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/revoke", None).form(&[("token", "ab\u{1}c")]))
        .await
        .expect(400);
    assert_eq!(res.code(), "invalid_request");
    app.send(
        app.request(Method::POST, "/api/v1/auth/revoke", None).form(&[("token", refresh.as_str()), ("\u{85}", "x")]),
    )
    .await
    .expect(200);
}

/// What the contract fuzzer found, kept fixed: the document and the server agree on contact
/// fields, links and cursors; an import's error never quotes a control character back; a chart
/// with no bars is drawn, not a dropped connection.
#[actix_web::test]
async fn what_the_contract_fuzzer_found_stays_fixed() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let college = app.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201);
    let staff = app
        .post(
            "/api/v1/staff",
            &token,
            json!({"staff_no": "T1001", "name": "李老师", "college_id": college.id(), "phone": "028-85401234",
                   "email": "li@scu.edu.cn", "is_supervisor": true}),
        )
        .await
        .expect(201);
    let path = format!("/api/v1/staff/{}", staff.id());

    // A blank phone or e-mail clears it on a PATCH, as it is "none" on creation (the document's
    // patterns allow blank).
    let res = app.patch(&path, &token, json!({"phone": " ", "email": "\r\n"}), None).await.expect(200);
    assert_eq!((res.body["phone"].clone(), res.body["email"].clone()), (Value::Null, Value::Null));
    // 25 characters as sent, white space included (maxLength); 26 is too long.
    app.patch(&path, &token, json!({"phone": "+86 (028) 8540-1234 56789"}), None).await.expect(200);
    let res = app.patch(&path, &token, json!({"phone": " +86 (028) 8540-1234 56789"}), None).await.expect(422);
    assert_eq!(res.error_fields(), ["phone"]);

    // A posting's link: https with an ASCII host, as the declared pattern says.
    let posting = |link: &str| {
        json!({"title": "算法实习", "employer": "某公司", "city": "成都", "kind": "internship",
               "link": link, "deadline": "2099-12-31", "college_id": college.id()})
    };
    app.post("/api/v1/job-postings", &token, posting("https://xn--fiq228c.example.com/a")).await.expect(201);
    let res = app.post("/api/v1/job-postings", &token, posting("https://招聘.example.com/a")).await.expect(422);
    assert_eq!(res.error_fields(), ["link"]);

    // An empty cursor is no cursor: the first page.
    let res = app.get("/api/v1/staff?cursor=", &token).await.expect(200);
    assert_eq!(res.body["items"][0]["staff_no"], "T1001");

    // An import's row error quotes the file's header without its control characters.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/imports/honors?dry_run=true", Some(&token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(r#"[{"student_no": "2024010001", "title": "优秀", "level": "college", "awarded_on": "2025-06-01", "a\u008ab": []}]"#),
        )
        .await
        .expect(422);
    let errors = res.body["row_errors"].as_array().expect("row errors").clone();
    assert!(!errors.is_empty(), "{}", res.text);
    for e in &errors {
        for key in ["column", "message"] {
            let text = e[key].as_str().unwrap_or("");
            assert!(!text.chars().any(|c| c.is_control() && c != '\t' && c != '\n' && c != '\r'), "{key}: {text:?}");
        }
    }

    // A chart of a college with nothing to draw is an SVG, not a dropped connection.
    let year = app.post("/api/v1/academic-years", &token, json!({"code": "2026-2027"})).await.expect(201);
    for chart in ["paired_share_by_college", "mentors_by_state", "records_per_week", "activities_per_month"] {
        let res = app
            .get(
                &format!(
                    "/api/v1/reports/overview.svg?academic_year_id={}&college_id={}&chart={chart}",
                    year.id(),
                    college.id()
                ),
                &token,
            )
            .await
            .expect(200);
        assert!(res.text.contains("<svg"), "{chart}: {}", res.text);
    }

    // The token and revocation forms: each parameter at its declared longest, every character
    // percent-encoded to 12 bytes, still fits the body limit (it was a 413); one character more is
    // 400 invalid_request naming the parameter, as form or JSON.
    let wide = "𠀀".repeat(512);
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/revoke", None)
                .form(&[("token", "𠀀".repeat(2048).as_str()), ("token_type_hint", wide.as_str())]),
        )
        .await
        .expect(200);
    assert_eq!(res.body, Value::Null, "{}", res.text);
    let fields = ["username", "password", "refresh_token", "client_id", "client_secret", "scope"];
    let form: Vec<(&str, &str)> =
        std::iter::once(("grant_type", "password")).chain(fields.iter().map(|f| (*f, wide.as_str()))).collect();
    let res = app.send(app.request(Method::POST, "/api/v1/auth/token", None).form(&form)).await.expect(400);
    assert_eq!(res.body["error"], "invalid_grant", "{}", res.text);
    let longer = format!("{wide}x");
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/revoke", None)
                .form(&[("token", "x"), ("token_type_hint", &longer)]),
        )
        .await
        .expect(400);
    assert_eq!(res.body["error"], "invalid_request", "{}", res.text);
    assert!(res.body["error_description"].as_str().unwrap_or("").contains("token_type_hint"), "{}", res.text);
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .json(&json!({"grant_type": "password", "username": longer, "password": "x"})),
        )
        .await
        .expect(400);
    assert_eq!(res.body["error"], "invalid_request", "{}", res.text);

    // A work record's duties are a set, as the server checks (a duty named twice is 422
    // `duplicate`): the document says so with uniqueItems, on creation, on a change and on a help
    // request answered as a record.
    let doc = app.get("/api/v1/openapi.json", &token).await.expect(200);
    for schema in ["CreateWorkRecordRequest", "UpdateWorkRecordRequest", "RecordHelpRequestRequest"] {
        assert_eq!(doc.body["components"]["schemas"][schema]["properties"]["duties"]["uniqueItems"], true, "{schema}");
    }
}
