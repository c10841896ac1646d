//! Tokens: the RFC 6749 grants, refresh rotation and re-use detection, revocation, RFC 8725
//! checks on access tokens, the login throttle, `/me`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::json;
use xuezhang_tests::*;

async fn token_json(app: &TestApp, body: serde_json::Value) -> Res {
    app.send(app.request(Method::POST, "/api/v1/auth/token", None).json(&body)).await
}

#[actix_web::test]
async fn the_password_grant_works_with_a_form_and_with_json() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let form = app.login_full("zhangsan", PASSWORD).await.expect(200);
    assert_eq!(form.body["token_type"], "Bearer");
    assert_eq!(form.body["expires_in"], 900);
    assert!(form.body["refresh_token"].as_str().is_some());
    assert_eq!(form.header("cache-control").as_deref(), Some("no-store"));
    let json = token_json(&app, json!({"grant_type": "password", "username": "ZhangSan", "password": PASSWORD}))
        .await
        .expect(200);
    let me = app.get("/api/v1/me", json.body["access_token"].as_str().unwrap()).await.expect(200);
    assert_eq!(me.body["username"], "zhangsan");
    assert_eq!(me.body["role"], "university_admin");
    assert_eq!(me.body["kind"], "user");
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let wrong = app.login_full("zhangsan", "not-the-password").await.expect(400);
    let unknown = app.login_full("nobody", "not-the-password").await.expect(400);
    assert_eq!(wrong.body["error"], "invalid_grant");
    assert_eq!(wrong.code(), "invalid_grant");
    // RFC 6749 §5.2: `application/json`, with the problem members kept in the body.
    assert_eq!(wrong.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(wrong.body["status"], 400);
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    assert_eq!(wrong.body["error"], unknown.body["error"]);
}

#[actix_web::test]
async fn bad_token_requests_get_rfc6749_errors() {
    let app = spawn_app().await;
    let res = token_json(&app, json!({"username": "a"})).await.expect(400);
    assert_eq!(res.body["error"], "invalid_request");
    let res = token_json(&app, json!({"grant_type": "authorization_code"})).await.expect(400);
    assert_eq!(res.body["error"], "unsupported_grant_type");
    assert_eq!(res.code(), "unsupported_grant_type");
    assert_eq!(res.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    // The same as a form, the media type RFC 6749 defines.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=authorization_code&code=x"),
        )
        .await
        .expect(400);
    assert_eq!(res.body["error"], "unsupported_grant_type");
    assert_eq!(res.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    let res = token_json(&app, json!({"grant_type": "password", "username": "a"})).await.expect(400);
    assert_eq!(res.body["error"], "invalid_request");
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/token", None).header("content-type", "text/plain").body("x"))
        .await
        .expect(415);
    assert_eq!(res.code(), "unsupported_media_type");
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None).header("content-type", "application/json").body("{"),
        )
        .await
        .expect(400);
    assert_eq!(res.body["error"], "invalid_request");
}

#[actix_web::test]
async fn five_failed_logins_lock_the_account_with_429_and_retry_after() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    for _ in 0..5 {
        app.login_full("zhangsan", "wrong-password").await.expect(400);
    }
    let locked = app.login_full("zhangsan", PASSWORD).await.expect(429);
    assert_eq!(locked.code(), "too_many_attempts");
    assert_eq!(locked.body["error"], "temporarily_unavailable");
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "retry-after {retry}");
    // Unknown names are throttled the same way, so the lock says nothing about existence.
    for _ in 0..5 {
        app.login_full("ghost", "wrong-password").await.expect(400);
    }
    app.login_full("ghost", "wrong-password").await.expect(429);
}

#[actix_web::test]
async fn a_refresh_token_is_rotated_and_reusing_an_old_one_revokes_the_session() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let first = app.login_full("zhangsan", PASSWORD).await.expect(200);
    let r1 = first.body["refresh_token"].as_str().unwrap().to_owned();
    let second = token_json(&app, json!({"grant_type": "refresh_token", "refresh_token": r1})).await.expect(200);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    let a2 = second.body["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/me", &a2).await.expect(200);

    // The old token again: refused, and the whole chain is revoked.
    let reuse = token_json(&app, json!({"grant_type": "refresh_token", "refresh_token": r1})).await.expect(400);
    assert_eq!(reuse.body["error"], "invalid_grant");
    token_json(&app, json!({"grant_type": "refresh_token", "refresh_token": r2})).await.expect(400);
    app.get("/api/v1/me", &a2).await.expect(401);
    // Another login session is untouched.
    let other = app.login("zhangsan", PASSWORD).await;
    app.get("/api/v1/me", &other).await.expect(200);
}

#[actix_web::test]
async fn revoking_logs_out_at_once_and_unknown_tokens_are_accepted() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let login = app.login_full("zhangsan", PASSWORD).await.expect(200);
    let access = login.body["access_token"].as_str().unwrap().to_owned();
    let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();
    app.send(app.request(Method::POST, "/api/v1/auth/revoke", None).form(&[("token", refresh.as_str())]))
        .await
        .expect(200);
    app.get("/api/v1/me", &access).await.expect(401);
    token_json(&app, json!({"grant_type": "refresh_token", "refresh_token": refresh})).await.expect(400);
    // Revoking an access token ends its session too.
    let access2 = app.login("zhangsan", PASSWORD).await;
    app.send(app.request(Method::POST, "/api/v1/auth/revoke", None).json(&json!({"token": access2}))).await.expect(200);
    app.get("/api/v1/me", &access2).await.expect(401);
    app.send(app.request(Method::POST, "/api/v1/auth/revoke", None).json(&json!({"token": "nonsense"})))
        .await
        .expect(200);
    let res = app.send(app.request(Method::POST, "/api/v1/auth/revoke", None).json(&json!({}))).await.expect(400);
    assert_eq!(res.body["error"], "invalid_request");
}

#[actix_web::test]
async fn missing_forged_and_wrongly_typed_tokens_are_401_with_a_challenge() {
    let app = spawn_app().await;
    let res = app.send(app.request(Method::GET, "/api/v1/me", None)).await.expect(401);
    assert!(res.header("www-authenticate").unwrap().starts_with("Bearer"));
    assert_eq!(res.code(), "unauthenticated");
    let res = app.get("/api/v1/me", "not.a.jwt").await.expect(401);
    assert!(res.header("www-authenticate").unwrap().contains("invalid_token"));

    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let login = app.login_full("zhangsan", PASSWORD).await.expect(200);
    // A refresh token can never pass as an access token.
    app.get("/api/v1/me", login.body["refresh_token"].as_str().unwrap()).await.expect(401);
    // `alg: none` with the same claims is refused.
    let access = login.body["access_token"].as_str().unwrap();
    let claims = access.split('.').nth(1).unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
    app.get("/api/v1/me", &format!("{none_header}.{claims}.")).await.expect(401);
    // A tampered payload breaks the signature.
    let mut payload: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    payload["sub"] = json!(uuid::Uuid::now_v7());
    let forged = format!(
        "{}.{}.{}",
        access.split('.').next().unwrap(),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        access.split('.').nth(2).unwrap()
    );
    app.get("/api/v1/me", &forged).await.expect(401);
}

#[actix_web::test]
async fn service_clients_get_scoped_tokens_with_basic_or_body_credentials() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/service-clients",
            &admin,
            json!({"client_id": "xgxt", "name": "学工系统", "scopes": ["students:read", "reference:read"]}),
        )
        .await
        .expect(201);
    let secret = created.body["client_secret"].as_str().unwrap().to_owned();
    assert!(created.header("location").is_some());

    let basic = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth("xgxt", Some(&secret))
                .form(&[("grant_type", "client_credentials")]),
        )
        .await
        .expect(200);
    assert_eq!(basic.body["scope"], "reference:read students:read");
    assert!(basic.body.get("refresh_token").is_none());
    let token = basic.body["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(me.body["kind"], "service_client");
    app.get("/api/v1/students", &token).await.expect(200);
    app.get("/api/v1/colleges", &token).await.expect(200);
    // Only what the scopes allow.
    app.get("/api/v1/staff", &token).await.expect(403);
    app.post("/api/v1/colleges", &token, json!({"code": "X", "name": "x"})).await.expect(403);
    app.get("/api/v1/users", &token).await.expect(403);

    let narrow = token_json(
        &app,
        json!({"grant_type": "client_credentials", "client_id": "xgxt", "client_secret": secret, "scope": "reference:read"}),
    )
    .await
    .expect(200);
    let narrow = narrow.body["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/students", &narrow).await.expect(403);

    let res = token_json(
        &app,
        json!({"grant_type": "client_credentials", "client_id": "xgxt", "client_secret": secret, "scope": "staff:write"}),
    )
    .await
    .expect(400);
    assert_eq!(res.body["error"], "invalid_scope");
    let res =
        token_json(&app, json!({"grant_type": "client_credentials", "client_id": "xgxt", "client_secret": "wrong"}))
            .await
            .expect(401);
    assert_eq!(res.body["error"], "invalid_client");

    // Disabling the client stops its tokens at once.
    let id = created.id();
    app.patch(&format!("/api/v1/service-clients/{id}"), &admin, json!({"active": false}), None).await.expect(200);
    app.get("/api/v1/colleges", &token).await.expect(401);
}

#[actix_web::test]
async fn changing_my_password_checks_the_old_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let a = app.login("zhangsan", PASSWORD).await;
    let b = app.login("zhangsan", PASSWORD).await;
    let res = app
        .post("/api/v1/me/password", &a, json!({"current_password": "wrong", "new_password": "峨眉山青城山-2026"}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["current_password"]);
    let res = app
        .post("/api/v1/me/password", &a, json!({"current_password": PASSWORD, "new_password": "short"}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["new_password"]);
    app.post("/api/v1/me/password", &a, json!({"current_password": PASSWORD, "new_password": "峨眉山青城山-2026"}))
        .await
        .expect(204);
    app.get("/api/v1/me", &a).await.expect(200);
    app.get("/api/v1/me", &b).await.expect(401);
    app.login_full("zhangsan", PASSWORD).await.expect(400);
    app.login("zhangsan", "峨眉山青城山-2026").await;
}

#[actix_web::test]
async fn parallel_guesses_are_throttled_as_if_they_came_one_by_one() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    // Twenty wrong guesses at once: exactly the five that guesses one by one would get checked, the
    // rest refused unchecked. (All are wrong: a right password among them clears the count when it
    // is checked, and in which turn that happens is up to the scheduler — as it would be up to the
    // order of guesses one by one.)
    let guesses = (0..20).map(|_| app.login_full("zhangsan", "wrong-password"));
    let results = futures_util::future::join_all(guesses).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15, "{statuses:?}");
    // The name is locked now: even the right password is not checked.
    app.login_full("zhangsan", PASSWORD).await.expect(429);
}

#[actix_web::test]
async fn guessing_the_current_password_with_a_token_is_throttled_too() {
    let app = spawn_app().await;
    persistence::accounts::create_admin(&app.db, "zhangsan", PASSWORD).await.unwrap();
    let token = app.login("zhangsan", PASSWORD).await;
    for _ in 0..5 {
        app.post(
            "/api/v1/me/password",
            &token,
            json!({"current_password": "guess-guess", "new_password": "峨眉山青城山-2026"}),
        )
        .await
        .expect(422);
    }
    let res = app
        .post("/api/v1/me/password", &token, json!({"current_password": PASSWORD, "new_password": "峨眉山青城山-2026"}))
        .await
        .expect(429);
    assert!(res.header("retry-after").is_some());
    app.login_full("zhangsan", PASSWORD).await.expect(429);
}

#[actix_web::test]
async fn a_token_without_the_scope_gets_403_insufficient_scope_naming_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reader = app.client_token(&admin, json!(["students:read"])).await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    // Each scope the operation needs, named in the RFC 6750 §3.1 challenge.
    let cases: [(Method, &str, Option<serde_json::Value>, &str); 5] = [
        (Method::GET, "/api/v1/events", None, "events:read"),
        (Method::GET, "/api/v1/colleges", None, "reference:read"),
        (Method::GET, "/api/v1/staff", None, "staff:read"),
        (Method::GET, "/api/v1/exports/students", None, "export"),
        (
            Method::POST,
            "/api/v1/students",
            Some(json!({"student_no": "2024000001", "name": "张三", "gender": "female", "college_id": college,
                "degree": "master", "enrollment_year": 2024, "political_status": "masses"})),
            "students:write",
        ),
    ];
    for (method, path, body, scope) in cases {
        let mut req = app.request(method.clone(), path, Some(&reader));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = app.send(req).await.expect(403);
        assert_eq!(res.code(), "insufficient_scope", "{method} {path}");
        assert_eq!(
            res.header("www-authenticate").as_deref(),
            Some(format!(r#"Bearer realm="xuezhang", error="insufficient_scope", scope="{scope}""#).as_str()),
            "{method} {path}"
        );
    }
    // What the scope allows still works; a person without a right gets a plain `forbidden`.
    app.get("/api/v1/students", &reader).await.expect(200);
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": college})).await;
    let res = app.get("/api/v1/events", &cadmin).await.expect(403);
    assert_eq!(res.code(), "forbidden");
    assert!(res.header("www-authenticate").is_none());
}

#[test]
fn the_document_names_the_scopes_each_operation_accepts() {
    let doc: serde_json::Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let scopes_of = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has no security of its own"))
            .iter()
            .filter_map(|r| r.get("oauth2"))
            .flat_map(|s| s.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(scopes_of("/api/v1/students", "get"), ["students:read"]);
    assert_eq!(scopes_of("/api/v1/students", "post"), ["students:write"]);
    assert_eq!(scopes_of("/api/v1/exports/staff", "get"), ["export", "staff:read"]);
    assert_eq!(scopes_of("/api/v1/events", "get"), ["events:read"]);
    assert_eq!(scopes_of("/api/v1/imports/units", "post"), ["import"]);
}
