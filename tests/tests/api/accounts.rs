//! `/users` and `/service-clients`: who may create and change which accounts.

use serde_json::json;
use xuezhang_tests::*;

#[actix_web::test]
async fn a_university_admin_creates_accounts_of_every_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "Li.Ming", "display_name": "李明", "password": PASSWORD, "role": "college_admin", "college_id": college}),
        )
        .await
        .expect(201);
    assert_eq!(res.body["username"], "li.ming");
    assert_eq!(res.body["display_name"], "李明");
    assert!(res.body.get("password").is_none() && res.body.get("password_hash").is_none());
    let token = app.login("li.ming", PASSWORD).await;
    let me = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(me.body["college_id"], college);
    let got = app.get(&format!("/api/v1/users/{}", res.id()), &admin).await.expect(200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
}

#[actix_web::test]
async fn account_input_is_validated() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "张三", "display_name": "", "password": "short", "role": "counselor"}),
        )
        .await
        .expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert!(fields.contains(&"username".to_string()) && fields.contains(&"display_name".to_string()), "{fields:?}");
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "counselor1", "display_name": "辅导员", "password": PASSWORD, "role": "counselor"}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["college_id"]);
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "x1", "display_name": "x", "password": PASSWORD, "role": "root"}),
        )
        .await
        .expect(422);
    // The unknown role and the too-short username are both named in one answer.
    assert_eq!(res.error_fields(), ["role", "username"]);
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "stu1", "display_name": "学生", "password": PASSWORD, "role": "student"}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["student_id"]);
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "admin", "display_name": "x", "password": PASSWORD, "role": "university_admin"}),
    )
    .await
    .expect(409);
}

#[actix_web::test]
async fn a_college_admin_manages_only_their_colleges_lower_roles() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;

    let mk = |username: &str, role: &str, college: &str| json!({"username": username, "display_name": username, "password": PASSWORD, "role": role, "college_id": college});
    let counselor = app.post("/api/v1/users", &cadmin, mk("cs-counselor", "counselor", &cs)).await.expect(201);
    let res = app.post("/api/v1/users", &cadmin, mk("ee-counselor", "counselor", &ee)).await.expect(403);
    assert_eq!(res.code(), "forbidden");
    app.post("/api/v1/users", &cadmin, mk("cs-admin2", "college_admin", &cs)).await.expect(403);
    app.post("/api/v1/users", &cadmin, mk("boss", "university_admin", &cs)).await.expect(403);

    // They see only their college's accounts; another college's account is not found.
    let ee_counselor = app.post("/api/v1/users", &admin, mk("ee-c", "counselor", &ee)).await.expect(201);
    let list = app.get("/api/v1/users", &cadmin).await.expect(200);
    let names: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["cs-admin", "cs-counselor"]);
    app.get(&format!("/api/v1/users/{}", ee_counselor.id()), &cadmin).await.expect(404);
    app.patch(&format!("/api/v1/users/{}", ee_counselor.id()), &cadmin, json!({"display_name": "x"}), None)
        .await
        .expect(404);
    // …and cannot raise anyone to their own level.
    app.patch(&format!("/api/v1/users/{}", counselor.id()), &cadmin, json!({"role": "college_admin"}), None)
        .await
        .expect(403);
    app.patch(&format!("/api/v1/users/{}", counselor.id()), &cadmin, json!({"display_name": "王辅导员"}), None)
        .await
        .expect(200);

    // Counselors, supervisors and students manage no accounts.
    let c_token = app.login("cs-counselor", PASSWORD).await;
    app.get("/api/v1/users", &c_token).await.expect(403);
}

#[actix_web::test]
async fn no_one_raises_or_disables_their_own_account() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let me = app.get("/api/v1/me", &admin).await.expect(200).id();
    let res = app.patch(&format!("/api/v1/users/{me}"), &admin, json!({"active": false}), None).await.expect(403);
    assert_eq!(res.code(), "forbidden");
    app.patch(&format!("/api/v1/users/{me}"), &admin, json!({"role": "student"}), None).await.expect(403);
    app.patch(&format!("/api/v1/users/{me}"), &admin, json!({"display_name": "校管理员"}), None).await.expect(200);

    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let cadmin_id = app.get("/api/v1/me", &cadmin).await.id();
    app.patch(&format!("/api/v1/users/{cadmin_id}"), &cadmin, json!({"role": "university_admin"}), None)
        .await
        .expect(403);
    app.patch(&format!("/api/v1/users/{cadmin_id}"), &cadmin, json!({"college_id": null}), None).await.expect(403);
}

#[actix_web::test]
async fn disabling_an_account_or_resetting_its_password_ends_its_sessions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let counselor = app.user(&admin, "counselor1", Role::Counselor, json!({"college_id": cs})).await;
    let id = app.get("/api/v1/me", &counselor).await.id();
    app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"active": false}), Some("\"1\"")).await.expect(200);
    app.get("/api/v1/me", &counselor).await.expect(401);
    app.login_full("counselor1", PASSWORD).await.expect(400);
    app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"active": true, "password": "新的密码-Reset-2026"}), None)
        .await
        .expect(200);
    app.login("counselor1", "新的密码-Reset-2026").await;
    let res = app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"password": "tiny"}), None).await.expect(422);
    assert_eq!(res.error_fields(), ["password"]);
}

#[actix_web::test]
async fn a_student_account_links_its_student_record_and_takes_its_college() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let student = app.student(&admin, &cs, "2024001", json!({})).await;
    let token = app.user(&admin, "s2024001", Role::Student, json!({"student_id": student})).await;
    let me = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(me.body["student_id"], student);
    assert_eq!(me.body["college_id"], cs);
    // The same record cannot back two accounts.
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "dup", "display_name": "dup", "password": PASSWORD, "role": "student", "student_id": student}),
        )
        .await
        .expect(409);
    assert_eq!(res.code(), "duplicate");
}

#[actix_web::test]
async fn service_clients_are_for_university_admins_and_their_secret_shows_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let body = json!({"client_id": "xgxt", "name": "学工系统", "scopes": ["events:read"]});
    app.post("/api/v1/service-clients", &cadmin, body.clone()).await.expect(403);
    let created = app.post("/api/v1/service-clients", &admin, body.clone()).await.expect(201);
    assert!(created.body["client_secret"].as_str().is_some_and(|s| s.len() >= 32));
    app.post("/api/v1/service-clients", &admin, body).await.expect(409);
    let id = created.id();
    let got = app.get(&format!("/api/v1/service-clients/{id}"), &admin).await.expect(200);
    assert!(got.body.get("client_secret").is_none());
    let listed = app.get("/api/v1/service-clients", &admin).await.expect(200);
    assert!(!listed.text.contains(created.body["client_secret"].as_str().unwrap()));

    let rotated = app.post(&format!("/api/v1/service-clients/{id}/secret"), &admin, json!({})).await.expect(200);
    assert_ne!(rotated.body["client_secret"], created.body["client_secret"]);
    let old = app
        .send(app.request(reqwest::Method::POST, "/api/v1/auth/token", None).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "xgxt"),
            ("client_secret", created.body["client_secret"].as_str().unwrap()),
        ]))
        .await;
    assert_eq!(old.status.as_u16(), 401);

    let res = app
        .post("/api/v1/service-clients", &admin, json!({"client_id": "x", "name": "x", "scopes": []}))
        .await
        .expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["client_id", "scopes"]);
    let res = app
        .post("/api/v1/service-clients", &admin, json!({"client_id": "abc", "name": "x", "scopes": ["root"]}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["scopes[0]"]);
}
