//! Reference data: academic years, colleges, units, students and staff, with their rules and
//! who may see and change them.

use serde_json::json;
use xuezhang_tests::*;

#[actix_web::test]
async fn an_academic_year_takes_the_program_defaults() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(201);
    assert_eq!(res.body["starts_on"], "2025-09-01");
    assert_eq!(res.body["ends_on"], "2026-08-31");
    assert_eq!(res.body["introduction_deadline"], "2025-09-30");
    assert_eq!(res.body["salon_deadline"], "2025-10-31");
    assert_eq!(res.body["default_capacity"], 5);
    assert_eq!(res.body["allow_probationary"], false);
    assert_eq!(res.body["closed"], false);
    app.post("/api/v1/academic-years", &admin, json!({"code": "2025-2026"})).await.expect(409);
    let id = res.id();
    let res = app
        .patch(
            &format!("/api/v1/academic-years/{id}"),
            &admin,
            json!({"allow_probationary": true, "default_capacity": 8}),
            None,
        )
        .await
        .expect(200);
    assert_eq!(res.body["allow_probationary"], true);
    assert_eq!(res.body["default_capacity"], 8);
    let list = app.get("/api/v1/academic-years", &admin).await.expect(200);
    assert_eq!(list.body["items"][0]["code"], "2025-2026");
}

#[actix_web::test]
async fn academic_year_rules_are_enforced() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for bad in ["2025-2027", "2025", "twenty"] {
        let res = app.post("/api/v1/academic-years", &admin, json!({"code": bad})).await.expect(422);
        assert_eq!(res.error_fields(), ["code"], "{bad}");
    }
    let res = app
        .post(
            "/api/v1/academic-years",
            &admin,
            json!({"code": "2026-2027", "salon_deadline": "2028-01-01", "default_capacity": 0}),
        )
        .await
        .expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["default_capacity", "salon_deadline"]);
    let res = app
        .post("/api/v1/academic-years", &admin, json!({"code": "2026-2027", "starts_on": "2026-13-01"}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["starts_on"]);
    let id = app.post("/api/v1/academic-years", &admin, json!({"code": "2026-2027"})).await.expect(201).id();
    let res = app
        .patch(&format!("/api/v1/academic-years/{id}"), &admin, json!({"ends_on": "2026-01-01"}), None)
        .await
        .expect(422);
    assert!(res.error_fields().contains(&"ends_on".to_string()));
    let res = app
        .patch(&format!("/api/v1/academic-years/{id}"), &admin, json!({"code": "2030-2031"}), None)
        .await
        .expect(422);
    assert_eq!(res.body["errors"][0]["code"], "unknown_field");
}

#[actix_web::test]
async fn only_university_admins_manage_years_and_colleges_but_everyone_reads_them() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    app.post("/api/v1/colleges", &cadmin, json!({"code": "EE", "name": "电气工程学院"})).await.expect(403);
    app.post("/api/v1/academic-years", &cadmin, json!({"code": "2025-2026"})).await.expect(403);
    app.patch(&format!("/api/v1/colleges/{cs}"), &cadmin, json!({"name": "x"}), None).await.expect(403);
    app.delete(&format!("/api/v1/colleges/{cs}"), &cadmin, None).await.expect(403);
    app.get("/api/v1/colleges", &cadmin).await.expect(200);
    app.get(&format!("/api/v1/colleges/{cs}"), &cadmin).await.expect(200);
    app.get("/api/v1/academic-years", &cadmin).await.expect(200);
}

#[actix_web::test]
async fn a_college_in_use_cannot_be_deleted() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    app.unit(&admin, &cs, "LAB1", "laboratory").await;
    let res = app.delete(&format!("/api/v1/colleges/{cs}"), &admin, None).await.expect(409);
    assert_eq!(res.code(), "in_use");
    app.get(&format!("/api/v1/colleges/{cs}"), &admin).await.expect(200);
}

#[actix_web::test]
async fn units_follow_their_discipline_and_college_rules() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let discipline = app.unit(&admin, &cs, "CS-D1", "discipline").await;
    let ee_discipline = app.unit(&admin, &ee, "EE-D1", "discipline").await;
    let lab = app
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "CS-LAB1", "name": "智能系统实验室", "kind": "laboratory", "college_id": cs, "discipline_id": discipline}),
        )
        .await
        .expect(201);
    assert_eq!(lab.body["discipline_id"], discipline);
    let res = app
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "CS-LAB2", "name": "x", "kind": "laboratory", "college_id": cs, "discipline_id": ee_discipline}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["discipline_id"]);
    let res = app
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "CS-LAB3", "name": "x", "kind": "laboratory", "college_id": cs, "discipline_id": lab.id()}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["discipline_id"]);
    let res = app
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "X1", "name": "x", "kind": "laboratory", "college_id": uuid::Uuid::now_v7()}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["college_id"]);
    let res = app
        .post("/api/v1/units", &admin, json!({"code": "X1", "name": "x", "kind": "garden", "college_id": cs}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["kind"]);
    app.post("/api/v1/units", &admin, json!({"code": "CS-LAB1", "name": "x", "kind": "laboratory", "college_id": cs}))
        .await
        .expect(409);

    let list = app.get(&format!("/api/v1/units?college_id={cs}&kind=laboratory"), &admin).await.expect(200);
    assert_eq!(list.body["total"], 1);
    let list = app.get(&format!("/api/v1/units?discipline_id={discipline}"), &admin).await.expect(200);
    assert_eq!(list.body["total"], 1);
    // A discipline with units under it cannot go.
    let res = app.delete(&format!("/api/v1/units/{discipline}"), &admin, None).await.expect(409);
    assert_eq!(res.code(), "in_use");
    app.patch(&format!("/api/v1/units/{}", lab.id()), &admin, json!({"discipline_id": null}), None).await.expect(200);
    app.delete(&format!("/api/v1/units/{discipline}"), &admin, None).await.expect(204);
}

#[actix_web::test]
async fn a_college_admin_manages_units_of_their_own_college_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let own = app.unit(&cadmin, &cs, "CS-G1", "research_group").await;
    app.post(
        "/api/v1/units",
        &cadmin,
        json!({"code": "EE-G1", "name": "x", "kind": "research_group", "college_id": ee}),
    )
    .await
    .expect(403);
    let theirs = app.unit(&admin, &ee, "EE-G2", "research_group").await;
    app.patch(&format!("/api/v1/units/{theirs}"), &cadmin, json!({"name": "改名"}), None).await.expect(403);
    app.patch(&format!("/api/v1/units/{own}"), &cadmin, json!({"name": "深度学习课题组"}), None).await.expect(200);
}

#[actix_web::test]
async fn students_are_created_with_chinese_names_and_checked_references() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB1", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE-LAB1", "laboratory").await;
    let supervisor = app.staff(&admin, &cs, "T1001", true).await;
    let not_supervisor = app.staff(&admin, &cs, "T1002", false).await;
    let res = app
        .post(
            "/api/v1/students",
            &admin,
            json!({
                "student_no": "2023a01001", "name": "欧阳娜娜", "gender": "female", "college_id": cs, "unit_id": lab,
                "degree": "doctoral", "enrollment_year": 2023, "political_status": "probationary_party_member",
                "supervisor_id": supervisor, "phone": "138 0000 0000", "email": "Nana@SCU.edu.cn"
            }),
        )
        .await
        .expect(201);
    assert_eq!(res.body["student_no"], "2023A01001");
    assert_eq!(res.body["name"], "欧阳娜娜");
    assert_eq!(res.body["email"], "Nana@scu.edu.cn");
    assert_eq!(res.body["status"], "enrolled");

    let res = app
        .post(
            "/api/v1/students",
            &admin,
            json!({
                "student_no": "2023A01001", "name": "重复", "gender": "male", "college_id": cs,
                "degree": "master", "enrollment_year": 2023, "political_status": "masses"
            }),
        )
        .await
        .expect(409);
    assert_eq!(res.code(), "duplicate");

    let res = app
        .post(
            "/api/v1/students",
            &admin,
            json!({
                "student_no": "20-23", "name": "", "gender": "unknown", "college_id": cs,
                "degree": "master", "enrollment_year": 1800, "political_status": "masses"
            }),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["gender"]);
    let res = app
        .post(
            "/api/v1/students",
            &admin,
            json!({
                "student_no": "20-23", "name": "", "gender": "male", "college_id": cs, "unit_id": ee_lab,
                "degree": "master", "enrollment_year": 1800, "political_status": "masses", "email": "nope", "phone": "call me"
            }),
        )
        .await
        .expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["email", "enrollment_year", "name", "phone", "student_no"]);
    let res = app
        .post(
            "/api/v1/students",
            &admin,
            json!({
                "student_no": "2023002", "name": "张伟", "gender": "male", "college_id": cs, "unit_id": ee_lab,
                "degree": "master", "enrollment_year": 2023, "political_status": "masses", "supervisor_id": not_supervisor
            }),
        )
        .await
        .expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["supervisor_id", "unit_id"]);
}

#[actix_web::test]
async fn who_sees_which_students() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let supervisor = app.staff(&admin, &cs, "T1001", true).await;
    let s1 = app.student(&admin, &cs, "2024001", json!({"supervisor_id": supervisor, "name": "王芳"})).await;
    let s2 = app.student(&admin, &cs, "2024002", json!({"name": "刘洋"})).await;
    let e1 = app.student(&admin, &ee, "2024101", json!({"name": "陈静"})).await;

    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let list = app.get("/api/v1/students", &cadmin).await.expect(200);
    assert_eq!(list.body["total"], 2);
    app.get(&format!("/api/v1/students/{e1}"), &cadmin).await.expect(404);
    app.patch(&format!("/api/v1/students/{e1}"), &cadmin, json!({"name": "x"}), None).await.expect(404);
    app.delete(&format!("/api/v1/students/{e1}"), &cadmin, None).await.expect(404);
    let res = app.get(&format!("/api/v1/students?college_id={ee}"), &cadmin).await.expect(200);
    assert_eq!(res.body["total"], 0);
    // Creating into another college is refused; moving one's student away needs both colleges.
    app.post(
        "/api/v1/students",
        &cadmin,
        json!({"student_no": "2024999", "name": "x", "gender": "male", "college_id": ee, "degree": "master", "enrollment_year": 2024, "political_status": "masses"}),
    )
    .await
    .expect(403);
    app.patch(&format!("/api/v1/students/{s2}"), &cadmin, json!({"college_id": ee}), None).await.expect(403);

    let counselor = app.user(&admin, "cs-counselor", Role::Counselor, json!({"college_id": cs})).await;
    assert_eq!(app.get("/api/v1/students", &counselor).await.expect(200).body["total"], 2);
    app.patch(&format!("/api/v1/students/{s1}"), &counselor, json!({"name": "x"}), None).await.expect(403);

    let sup = app.user(&admin, "t1001", Role::Supervisor, json!({"staff_id": supervisor})).await;
    let list = app.get("/api/v1/students", &sup).await.expect(200);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], s1);
    app.get(&format!("/api/v1/students/{s2}"), &sup).await.expect(404);

    let me = app.user(&admin, "s2024002", Role::Student, json!({"student_id": s2})).await;
    let list = app.get("/api/v1/students", &me).await.expect(200);
    assert_eq!(list.body["total"], 1);
    app.get(&format!("/api/v1/students/{s2}"), &me).await.expect(200);
    app.get(&format!("/api/v1/students/{s1}"), &me).await.expect(404);
    app.patch(&format!("/api/v1/students/{s2}"), &me, json!({"political_status": "party_member"}), None)
        .await
        .expect(403);
}

#[actix_web::test]
async fn students_are_filtered_searched_and_updated() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let lab = app.unit(&admin, &cs, "CS-LAB1", "laboratory").await;
    app.student(&admin, &cs, "2024001", json!({"name": "王芳", "unit_id": lab})).await;
    app.student(
        &admin,
        &cs,
        "2025001",
        json!({"name": "王强", "enrollment_year": 2025, "political_status": "league_member"}),
    )
    .await;
    let id = app
        .student(&admin, &cs, "2025002", json!({"name": "赵敏", "enrollment_year": 2025, "degree": "doctoral"}))
        .await;

    async fn total(app: &TestApp, token: &str, q: &str) -> u64 {
        app.get(&format!("/api/v1/students?{q}"), token).await.expect(200).body["total"].as_u64().unwrap()
    }
    assert_eq!(total(&app, &admin, "q=王").await, 2);
    assert_eq!(total(&app, &admin, "q=2025").await, 2);
    assert_eq!(total(&app, &admin, "enrollment_year=2025").await, 2);
    assert_eq!(total(&app, &admin, "degree=doctoral").await, 1);
    assert_eq!(total(&app, &admin, "political_status=league_member").await, 1);
    assert_eq!(total(&app, &admin, &format!("unit_id={lab}")).await, 1);
    let sorted = app.get("/api/v1/students?sort=-student_no", &admin).await.expect(200);
    assert_eq!(sorted.body["items"][0]["student_no"], "2025002");

    let res = app
        .patch(
            &format!("/api/v1/students/{id}"),
            &admin,
            json!({"status": "graduated", "phone": "13900000000", "unit_id": lab}),
            None,
        )
        .await
        .expect(200);
    assert_eq!(res.body["status"], "graduated");
    assert_eq!(res.body["version"], 2);
    let res = app.patch(&format!("/api/v1/students/{id}"), &admin, json!({"phone": null}), None).await.expect(200);
    assert!(res.body["phone"].is_null());
    assert_eq!(res.body["unit_id"], lab);
    let res =
        app.patch(&format!("/api/v1/students/{id}"), &admin, json!({"student_no": "2024001"}), None).await.expect(409);
    assert_eq!(res.code(), "duplicate");
    app.delete(&format!("/api/v1/students/{id}"), &admin, None).await.expect(204);
}

#[actix_web::test]
async fn staff_are_managed_per_college_and_a_supervisor_sees_only_themself() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let t1 = app
        .post(
            "/api/v1/staff",
            &cadmin,
            json!({"staff_no": "t2001", "name": "黄老师", "college_id": cs, "is_supervisor": true, "is_counselor": true, "email": "huang@scu.edu.cn"}),
        )
        .await
        .expect(201);
    assert_eq!(t1.body["staff_no"], "T2001");
    app.post("/api/v1/staff", &cadmin, json!({"staff_no": "T2002", "name": "x", "college_id": ee})).await.expect(403);
    let e1 = app.staff(&admin, &ee, "T3001", true).await;
    app.get(&format!("/api/v1/staff/{e1}"), &cadmin).await.expect(404);
    assert_eq!(app.get("/api/v1/staff", &cadmin).await.expect(200).body["total"], 1);
    app.post("/api/v1/staff", &admin, json!({"staff_no": "T2001", "name": "x", "college_id": cs})).await.expect(409);
    let res =
        app.post("/api/v1/staff", &admin, json!({"staff_no": "T", "name": "", "college_id": cs})).await.expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["name", "staff_no"]);

    let sup = app.user(&admin, "t2001", Role::Supervisor, json!({"staff_id": t1.id()})).await;
    let list = app.get("/api/v1/staff", &sup).await.expect(200);
    assert_eq!(list.body["total"], 1);
    app.get(&format!("/api/v1/staff/{e1}"), &sup).await.expect(404);
    let student = app.student(&admin, &cs, "2024001", json!({})).await;
    let stu = app.user(&admin, "stu1", Role::Student, json!({"student_id": student})).await;
    app.get("/api/v1/staff", &stu).await.expect(403);

    // A supervisor who supervises someone stays a supervisor.
    app.patch(&format!("/api/v1/students/{student}"), &admin, json!({"supervisor_id": t1.id()}), None)
        .await
        .expect(200);
    let res = app
        .patch(&format!("/api/v1/staff/{}", t1.id()), &admin, json!({"is_supervisor": false}), None)
        .await
        .expect(409);
    assert_eq!(res.code(), "in_use");
    let res = app.delete(&format!("/api/v1/staff/{}", t1.id()), &admin, None).await.expect(409);
    assert_eq!(res.code(), "in_use");
}
