//! Hostile input at the boundary: control characters in every kind of text a request carries
//! (JSON bodies, forms, query strings, path segments, import cells), and JSON with anything after
//! the value. The same answers on SQLite (which would store a NUL) and PostgreSQL (which refuses
//! one with SQLSTATE 22021, once a 500).

use reqwest::{Method, header};
use serde_json::json;
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

/// A token-endpoint error (RFC 6749 §5.2: `application/json`, with the problem members).
fn assert_token_error(res: &Res) {
    assert_eq!(res.status.as_u16(), 400, "{}", res.text);
    assert_eq!(res.code(), "invalid_request", "{}", res.text);
    assert_eq!(res.body["error"], "invalid_request", "{}", res.text);
}

#[actix_web::test]
async fn a_nul_in_the_token_request_is_a_400_naming_the_field_before_any_login() {
    let app = spawn_app().await;
    app.admin().await;
    let token = |form: &[(&str, &str)]| app.request(Method::POST, "/api/v1/auth/token", None).form(&form.to_vec());
    let res = app.send(token(&[("grant_type", "password"), ("username", "ad\u{0}min"), ("password", PASSWORD)])).await;
    assert_token_error(&res);
    assert_eq!(res.body["error"], "invalid_request");
    assert!(res.body["detail"].as_str().unwrap().contains("username"), "{}", res.text);

    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/token", None).json(&json!({
            "grant_type": "password", "username": "ad\u{0}min", "password": PASSWORD
        })))
        .await;
    assert_token_error(&res);
    assert!(res.body["detail"].as_str().unwrap().contains("username"), "{}", res.text);

    let res =
        app.send(token(&[("grant_type", "client_credentials"), ("client_id", "c\u{0}"), ("client_secret", "s")])).await;
    assert_token_error(&res);
    assert!(res.body["detail"].as_str().unwrap().contains("client_id"), "{}", res.text);

    // HTTP Basic credentials are checked once decoded.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth("c\u{1}", Some("secret"))
                .form(&[("grant_type", "client_credentials")]),
        )
        .await;
    assert_token_error(&res);

    // A refused name is no failed login: the account is not any closer to a lockout, and the
    // real name still logs in.
    for _ in 0..6 {
        app.send(token(&[("grant_type", "password"), ("username", "admin\u{7f}"), ("password", "x")])).await;
    }
    app.login("admin", PASSWORD).await;
}

#[actix_web::test]
async fn a_nul_in_a_query_string_is_a_422_naming_the_parameter() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for path in [
        "/api/v1/students?q=%00",
        "/api/v1/users?q=ad%00min",
        "/api/v1/staff?q=%00",
        "/api/v1/exports/students?q=%00",
        "/api/v1/colleges?page=1&q=x%1B",
    ] {
        let res = app.get(path, &token).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), ["q"], "{path}");
        assert_eq!(res.body["errors"][0]["code"], "control_character", "{path}");
    }
    let res = app.get("/api/v1/audit-events?action=%00", &token).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["action"]);
    // Tabs, line breaks and Chinese are text.
    app.get("/api/v1/students?q=%E6%9D%8E%09", &token).await.expect(200);
    // Before authentication too: the rule is the boundary's.
    let res = app.send(app.request(Method::GET, "/api/v1/students?q=%00", None)).await;
    assert_problem(&res, 422, "validation_failed");
}

#[actix_web::test]
async fn a_nul_in_a_path_segment_is_a_400() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for path in ["/api/v1/students/%00", "/api/v1/public/certificates/x%00y", "/api/v1/colleges/a%7Fb"] {
        let res = app.get(path, &token).await;
        assert_problem(&res, 400, "invalid_path");
        assert!(res.body["detail"].as_str().unwrap().contains("path segment"), "{}", res.text);
    }
}

#[actix_web::test]
async fn control_characters_in_json_bodies_are_a_422_naming_each_field() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let res = app.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机\u{0}学院"})).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["name"]);
    assert_eq!(res.body["errors"][0]["code"], "control_character");

    let college = app.college(&token, "CS", "计算机学院").await;
    let student = app.student(&token, &college, "2023001", json!({})).await;
    let res = app
        .post(
            &format!("/api/v1/students/{student}/sanctions"),
            &token,
            json!({"kind": "警告", "reason": "多行\r\n说明\t可以；\u{1b}[2J 不行", "imposed_on": "2025-03-01"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["reason"]);

    let res = app
        .post(
            "/api/v1/users",
            &token,
            json!({"username": "u1", "display_name": "x\u{85}", "password": PASSWORD, "role": "university_admin"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["display_name"]);

    let res = app
        .post(
            "/api/v1/service-clients",
            &token,
            json!({"client_id": "sys\u{0}", "name": "学工系统", "scopes": ["events:read"]}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["client_id"]);

    // Text with tabs and CRLF line breaks is stored as sent.
    app.post(
        &format!("/api/v1/students/{student}/sanctions"),
        &token,
        json!({"kind": "警告", "reason": "第一行\r\n第二行\t完", "imposed_on": "2025-03-01"}),
    )
    .await
    .expect(201);
    // Nothing with a NUL was written.
    let colleges = app.get("/api/v1/colleges", &token).await.expect(200);
    assert_eq!(colleges.body["total"], 1);
}

#[actix_web::test]
async fn an_import_cell_with_a_control_character_is_a_row_error() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let cs = app.college(&token, "CS", "计算机学院").await;
    app.unit(&token, &cs, "CS-LAB1", "laboratory").await;
    app.staff(&token, &cs, "T001", true).await;
    let csv = "学号,姓名,性别,学院,专业/学科方向,培养层次,入学年份,政治面貌,导师,手机,邮箱\n\
               2023001,李华,女,计算机学院,CS-LAB1,硕士,2023,中共党员,T001,,\n\
               2023002,王\u{0}五,男,计算机学院,CS-LAB1,硕士,2023,中共党员,T001,,\n";
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/imports/students", Some(&token))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(csv.as_bytes().to_vec()),
        )
        .await;
    assert_problem(&res, 422, "import_failed");
    let errors = res.body["row_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", res.text);
    assert_eq!(errors[0]["line"], 3);
    assert_eq!(errors[0]["column"], "姓名");
    assert_eq!(errors[0]["code"], "control_character");

    let rows = json!([{"student_no": "2023003", "name": "赵六", "gender": "male", "college": "计算机学院",
        "unit": "CS-LAB1", "degree": "master", "enrollment_year": "2023", "political_status": "party_member",
        "supervisor": "T001\u{7}"}]);
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/imports/students", Some(&token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(rows.to_string()),
        )
        .await;
    assert_problem(&res, 422, "import_failed");
    assert_eq!(res.body["row_errors"][0]["code"], "control_character", "{}", res.text);
    let students = app.get("/api/v1/students", &token).await.expect(200);
    assert_eq!(students.body["total"], 0, "all or nothing");
}

#[actix_web::test]
async fn null_or_a_wrong_kind_of_value_for_a_required_enum_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let college = app.college(&token, "CS", "计算机学院").await;
    let unit = |kind: serde_json::Value| json!({"code": "LAB", "name": "实验室", "kind": kind, "college_id": college});
    for kind in [json!(null), json!(5), json!(["laboratory"]), json!(true)] {
        let res = app.post("/api/v1/units", &token, unit(kind.clone())).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), ["kind"], "{kind}: {}", res.text);
    }
    // With other bad fields, one answer names them all.
    let res = app
        .post(
            "/api/v1/users",
            &token,
            json!({"username": null, "display_name": "x", "password": PASSWORD, "role": null}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["role", "username"], "{}", res.text);
    // Nothing was created; a text that is not one JSON value is still malformed.
    assert_eq!(app.get("/api/v1/units", &token).await.expect(200).body["total"], 0);
    for body in [r#"{"code": "LAB", "kind": nul"#, "{\"code\": \"LAB\", \"kind\": null} x", "{\"kind\": \u{0}}"] {
        let res = app
            .send(
                app.request(Method::POST, "/api/v1/units", Some(&token))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body),
            )
            .await;
        assert_problem(&res, 400, "malformed_json");
    }
    app.post("/api/v1/units", &token, unit(json!("laboratory"))).await.expect(201);
}

#[actix_web::test]
async fn anything_after_the_json_value_is_malformed() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for body in [
        r#"{"code":"U6","name":"x"} trailing"#,
        r#"{"code":"U6","name":"x"}{"code":"U7","name":"y"}"#,
        r#"{"code":"U6","name":"x"} {"code":"U7","name":"y"}"#,
        r#"{"code":"U6","name":"x"},"#,
    ] {
        let res = app
            .send(
                app.request(Method::POST, "/api/v1/colleges", Some(&token))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body),
            )
            .await;
        assert_problem(&res, 400, "malformed_json");
    }
    let res = app.get("/api/v1/colleges", &token).await.expect(200);
    assert_eq!(res.body["total"], 0, "nothing was created: {}", res.text);
    // White space after the value is fine.
    app.send(
        app.request(Method::POST, "/api/v1/colleges", Some(&token))
            .header(header::CONTENT_TYPE, "application/json")
            .body("{\"code\":\"U6\",\"name\":\"x\"}\r\n\t "),
    )
    .await
    .expect(201);
}

#[actix_web::test]
async fn a_supervisor_of_another_college_is_refused_like_an_unknown_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    app.unit(&admin, &cs, "CS-LAB1", "laboratory").await;
    let own = app.staff(&admin, &cs, "T001", true).await;
    let foreign = app.staff(&admin, &ee, "T900", true).await;
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let unknown = uuid::Uuid::now_v7().to_string();

    let create = |supervisor: &str| {
        json!({"student_no": "2024001", "name": "李华", "gender": "female", "college_id": cs, "degree": "master",
               "enrollment_year": 2024, "political_status": "party_member", "supervisor_id": supervisor})
    };
    let mut answers = Vec::new();
    for token in [&cadmin, &admin] {
        for supervisor in [&foreign, &unknown] {
            let res = app.post("/api/v1/students", token, create(supervisor)).await;
            assert_problem(&res, 422, "validation_failed");
            assert_eq!(res.error_fields(), ["supervisor_id"]);
            answers.push((res.body["errors"].clone(), res.body["detail"].clone()));
        }
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "one answer for foreign and unknown: {answers:?}");

    let student = app.post("/api/v1/students", &cadmin, create(&own)).await.expect(201).id();
    let mut answers = Vec::new();
    for supervisor in [&foreign, &unknown] {
        let res = app
            .patch(&format!("/api/v1/students/{student}"), &cadmin, json!({"supervisor_id": supervisor}), None)
            .await;
        assert_problem(&res, 422, "validation_failed");
        answers.push(res.body["errors"].clone());
    }
    assert_eq!(answers[0], answers[1]);
    // The student keeps their own college's supervisor, and the foreign one sees nothing of them.
    let res = app.get(&format!("/api/v1/students/{student}"), &cadmin).await.expect(200);
    assert_eq!(res.body["supervisor_id"], own.as_str());
    // Moving a supervisor who supervises someone to another college would leave the student with a
    // foreign supervisor.
    let res = app.patch(&format!("/api/v1/staff/{own}"), &admin, json!({"college_id": ee}), None).await;
    assert_problem(&res, 409, "in_use");

    // The import's 导师工号: the same answer for a foreign and an unknown 工号.
    let csv = "学号,姓名,性别,学院,专业/学科方向,培养层次,入学年份,政治面貌,导师工号\n\
               2023001,王五,男,计算机学院,CS-LAB1,硕士,2023,中共党员,T900\n\
               2023002,赵六,男,计算机学院,CS-LAB1,硕士,2023,中共党员,T999\n\
               2023003,钱七,男,计算机学院,CS-LAB1,硕士,2023,中共党员,T001\n";
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/imports/students", Some(&cadmin))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(csv.as_bytes().to_vec()),
        )
        .await;
    assert_problem(&res, 422, "import_failed");
    let errors = res.body["row_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", res.text);
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[1]["line"], 3);
    for e in errors {
        assert_eq!(e["column"], "导师工号");
        assert_eq!(e["code"], "invalid_reference");
    }
    assert_eq!(
        errors[0]["message"].as_str().unwrap().replace("T900", "?"),
        errors[1]["message"].as_str().unwrap().replace("T999", "?")
    );
}

/// Sends `head` and the first bytes of a body on a raw connection, then stalls; returns the
/// response (up to its end or the connection's close) and how long it took.
async fn stalled(address: &str, head: &str, first: &[u8], trickle: bool) -> (String, std::time::Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let started = std::time::Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        // A slow-loris: one byte every 200 ms, never reaching the announced length.
        if trickle {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                if write.write_all(b"x").await.is_err() {
                    break;
                }
            }
        }
        write
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    response.extend_from_slice(&buf[..n]);
                    if response.windows(4).any(|w| w == b"\r\n\r\n")
                        && String::from_utf8_lossy(&response).contains("\"code\"")
                        && response.ends_with(b"}")
                    {
                        break;
                    }
                }
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), read_all).await;
    let elapsed = started.elapsed();
    writer.abort();
    (String::from_utf8_lossy(&response).into_owned(), elapsed)
}

#[actix_web::test]
async fn a_stalled_or_trickled_body_is_a_408_within_the_body_timeout() {
    let app = spawn_app_with(|s| s.body_timeout = std::time::Duration::from_secs(1)).await;
    let token = app.admin().await;
    let form_head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\n\
                     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";
    // Unauthenticated, on the token endpoint: 10 bytes of 100, then nothing.
    let (res, took) = stalled(&app.address, form_head, b"grant_type", false).await;
    assert!(res.starts_with("HTTP/1.1 408"), "{res}");
    assert!(res.contains("application/problem+json") && res.contains("\"code\":\"request_timeout\""), "{res}");
    assert!(res.to_ascii_lowercase().contains("connection: close"), "{res}");
    assert!(took >= std::time::Duration::from_millis(900) && took < std::time::Duration::from_secs(3), "{took:?}");

    // A slow-loris that keeps sending a byte now and then is cut off at the same deadline.
    let (res, took) = stalled(&app.address, form_head, b"g", true).await;
    assert!(res.starts_with("HTTP/1.1 408"), "{res}");
    assert!(took < std::time::Duration::from_secs(3), "{took:?}");

    // An authenticated JSON write, and an import.
    let json_head = format!(
        "POST /api/v1/colleges HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    );
    let (res, _) = stalled(&app.address, &json_head, b"{\"code\":", false).await;
    assert!(res.starts_with("HTTP/1.1 408"), "{res}");
    let import_head = format!(
        "POST /api/v1/imports/students HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let (res, _) = stalled(&app.address, &import_head, b"5\r\n\xe5\xad\xa6\xe5\x8f", false).await;
    assert!(res.starts_with("HTTP/1.1 408"), "{res}");

    // The server is none the worse: a whole body in time is served.
    app.college(&token, "CS", "计算机学院").await;
    let res = app.get("/api/v1/colleges", &token).await.expect(200);
    assert_eq!(res.body["total"], 1);
}

/// A TCP proxy in front of PostgreSQL that the test can cut (connections in use are dropped and
/// new ones are accepted but never answered: a network partition) and restore.
struct Proxy {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let conns = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up2, conns2) = (up.clone(), conns.clone());
        tokio::spawn(async move {
            let mut held = Vec::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { break };
                if !up2.load(Ordering::SeqCst) {
                    held.push(inbound);
                    continue;
                }
                held.clear();
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                conns2.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy { port, up, conns }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn a_database_outage_fails_fast_and_the_server_recovers_without_a_restart() {
    let scratch = scratch_database().await;
    if !scratch.is_postgres() {
        // SQLite is a file in the process: there is no outage to have.
        return;
    }
    // postgres://user@host:port/name → through the proxy.
    let (scheme, rest) = scratch.url.split_once("://").unwrap();
    let (userinfo, rest) = rest.split_once('@').map(|(u, r)| (format!("{u}@"), r)).unwrap_or((String::new(), rest));
    let (authority, path) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(authority.to_owned()).await;
    let url = format!("{scheme}://{userinfo}127.0.0.1:{}/{path}", proxy.port);
    let app = spawn_app_on(&url, |_| {}).await;
    let token = app.admin().await;
    app.get("/api/v1/students", &token).await.expect(200);
    app.send(app.request(Method::GET, "/readyz", None)).await.expect(200);

    proxy.cut();
    let app = &app;
    let timed = |path: &'static str| {
        let req = app.request(Method::GET, path, Some(&token));
        async move {
            let started = std::time::Instant::now();
            let res = app.send(req).await;
            (res, started.elapsed())
        }
    };
    let (res, took) = timed("/healthz").await;
    assert_eq!(res.status, 200);
    assert!(took < std::time::Duration::from_millis(200), "/healthz took {took:?}");
    let (res, took) = timed("/readyz").await;
    assert_problem(&res, 503, "unavailable");
    assert!(took < std::time::Duration::from_millis(1500), "/readyz took {took:?}");
    eprintln!("outage: /readyz answered 503 in {took:?}");
    for path in ["/api/v1/students", "/api/v1/colleges"] {
        let (res, took) = timed(path).await;
        assert_problem(&res, 503, "unavailable");
        assert_eq!(res.header("retry-after").as_deref(), Some("1"));
        assert!(took < std::time::Duration::from_secs(2), "{path} took {took:?}");
        eprintln!("outage: {path} answered 503 in {took:?}");
    }

    proxy.restore();
    let started = std::time::Instant::now();
    loop {
        let res = app.send(app.request(Method::GET, "/readyz", None)).await;
        if res.status == 200 {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "no recovery: {}", res.text);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    eprintln!("outage: ready again {:?} after the database came back", started.elapsed());
    app.get("/api/v1/students", &token).await.expect(200);
}
