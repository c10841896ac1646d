//! The mentor's work (issue 13): who is whose — a student's counselor (辅导员).

use reqwest::{Method, header};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

/// Creates a counselor (not a supervisor) of `college`; returns their id.
async fn counselor(app: &TestApp, token: &str, college: &str, staff_no: &str) -> String {
    app.post(
        "/api/v1/staff",
        token,
        json!({"staff_no": staff_no, "name": "辅导员张老师", "college_id": college,
               "is_supervisor": false, "is_counselor": true}),
    )
    .await
    .expect(201)
    .id()
}

async fn import(app: &TestApp, token: &str, csv: &str) -> Res {
    app.send(
        app.request(Method::POST, "/api/v1/imports/students", Some(token))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(csv.as_bytes().to_vec()),
    )
    .await
}

#[actix_web::test]
async fn a_students_counselor_is_a_counselor_of_their_college_and_a_foreign_one_answers_like_an_unknown_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let own = counselor(&app, &admin, &cs, "C001").await;
    let other_own = counselor(&app, &admin, &cs, "C002").await;
    let foreign = counselor(&app, &admin, &ee, "C900").await;
    let not_counselor = app.staff(&admin, &cs, "T001", true).await;
    let cadmin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let unknown = uuid::Uuid::now_v7().to_string();

    let create = |counselor: &str| {
        json!({"student_no": "2024001", "name": "李华", "gender": "female", "college_id": cs, "degree": "master",
               "enrollment_year": 2024, "political_status": "party_member", "counselor_id": counselor})
    };
    let mut answers = Vec::new();
    for token in [&cadmin, &admin] {
        for c in [&foreign, &unknown] {
            let res = app.post("/api/v1/students", token, create(c)).await;
            assert_problem(&res, 422, "validation_failed");
            assert_eq!(res.error_fields(), ["counselor_id"]);
            answers.push((res.body["errors"].clone(), res.body["detail"].clone()));
        }
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "one answer for foreign and unknown: {answers:?}");
    // A staff member of the college who is no counselor: refused, and said so.
    let res = app.post("/api/v1/students", &cadmin, create(&not_counselor)).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["counselor_id"]);
    assert_ne!(res.body["errors"], answers[0].0);
    // Not an id at all.
    let mut bad = create(&own);
    bad["counselor_id"] = json!(42);
    let res = app.post("/api/v1/students", &cadmin, bad).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.body["errors"][0]["field"], "counselor_id");
    assert_eq!(res.body["errors"][0]["code"], "invalid_type");
    assert_eq!(app.get("/api/v1/students", &admin).await.expect(200).body["total"], 0, "nothing was created");

    let created = app.post("/api/v1/students", &cadmin, create(&own)).await.expect(201);
    assert_eq!(created.body["counselor_id"], own.as_str());
    let student = created.id();
    let path = format!("/api/v1/students/{student}");
    assert_eq!(app.get(&path, &cadmin).await.expect(200).body["counselor_id"], own.as_str());

    // PATCH: a foreign or unknown one is refused alike and changes nothing; another own one
    // replaces; null clears.
    let mut patched = Vec::new();
    for c in [&foreign, &unknown] {
        let res = app.patch(&path, &cadmin, json!({"counselor_id": c}), None).await;
        assert_problem(&res, 422, "validation_failed");
        patched.push(res.body["errors"].clone());
    }
    assert_eq!(patched[0], patched[1]);
    assert_eq!(app.get(&path, &cadmin).await.expect(200).body["counselor_id"], own.as_str());
    let res = app.patch(&path, &cadmin, json!({"counselor_id": other_own}), None).await.expect(200);
    assert_eq!(res.body["counselor_id"], other_own.as_str());
    let res = app.patch(&path, &cadmin, json!({"counselor_id": null}), None).await.expect(200);
    assert_eq!(res.body["counselor_id"], Value::Null);
    app.patch(&path, &cadmin, json!({"counselor_id": own}), None).await.expect(200);

    // The list filters by counselor.
    app.student(&admin, &cs, "2024002", json!({})).await;
    let res = app.get(&format!("/api/v1/students?counselor_id={own}"), &cadmin).await.expect(200);
    assert_eq!(res.body["total"], 1);
    assert_eq!(res.body["items"][0]["id"], student.as_str());
    let res = app.get(&format!("/api/v1/students?counselor_id={other_own}"), &cadmin).await.expect(200);
    assert_eq!(res.body["total"], 0);

    // A counselor of students neither stops counselling nor moves to another college, and is not
    // deleted.
    let staff_path = format!("/api/v1/staff/{own}");
    let res = app.patch(&staff_path, &admin, json!({"is_counselor": false}), None).await;
    assert_problem(&res, 409, "in_use");
    let res = app.patch(&staff_path, &admin, json!({"college_id": ee}), None).await;
    assert_problem(&res, 409, "in_use");
    let res = app.delete(&staff_path, &admin, None).await;
    assert_problem(&res, 409, "in_use");
    assert_eq!(app.get(&path, &admin).await.expect(200).body["counselor_id"], own.as_str());
    // One who counsels no one may stop.
    app.patch(&format!("/api/v1/staff/{other_own}"), &admin, json!({"is_counselor": false}), None).await.expect(200);

    // A counselor's account is linked to their staff record, like a supervisor's, and sees the
    // students of their college.
    let token = app.user(&admin, "counselor-zhang", "counselor", json!({"college_id": cs, "staff_id": own})).await;
    let me = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(me.body["staff_id"], own.as_str());
    assert_eq!(app.get(&path, &token).await.expect(200).body["counselor_id"], own.as_str());
    // Another college's staff record cannot be linked to a counselor account of this college.
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "counselor-x", "display_name": "x", "password": PASSWORD, "role": "counselor",
                   "college_id": cs, "staff_id": foreign}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
}

#[actix_web::test]
async fn the_student_import_sets_the_counselor_by_staff_number_and_the_export_writes_it_back() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let own = counselor(&app, &admin, &cs, "C001").await;
    counselor(&app, &admin, &ee, "C900").await;
    app.staff(&admin, &cs, "T001", true).await;
    let cadmin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;

    // Foreign and unknown 工号: the same answer; a staff member who is no counselor: said so.
    let csv = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌,辅导员\n\
               2023001,王五,男,计算机学院,硕士,2023,中共党员,C900\n\
               2023002,赵六,男,计算机学院,硕士,2023,中共党员,C999\n\
               2023003,钱七,男,计算机学院,硕士,2023,中共党员,T001\n\
               2023004,孙八,女,计算机学院,硕士,2023,中共党员,C001\n";
    let res = import(&app, &cadmin, csv).await;
    assert_problem(&res, 422, "import_failed");
    let errors = res.body["row_errors"].as_array().unwrap();
    assert_eq!(errors.iter().map(|e| e["line"].as_u64().unwrap()).collect::<Vec<_>>(), [2, 3, 4], "{}", res.text);
    for e in errors {
        assert_eq!(e["column"], "辅导员", "named as the file names it");
        assert_eq!(e["code"], "invalid_reference");
    }
    assert_eq!(
        errors[0]["message"].as_str().unwrap().replace("C900", "?"),
        errors[1]["message"].as_str().unwrap().replace("C999", "?")
    );
    assert_ne!(
        errors[2]["message"].as_str().unwrap().replace("T001", "?"),
        errors[1]["message"].as_str().unwrap().replace("C999", "?")
    );
    assert_eq!(app.get("/api/v1/students", &admin).await.expect(200).body["total"], 0, "all or nothing");

    let csv = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌,辅导员\n\
               2023004,孙八,女,计算机学院,硕士,2023,中共党员,c001\n\
               2023005,周九,女,计算机学院,硕士,2023,中共党员,\n";
    let res = import(&app, &cadmin, csv).await.expect(200);
    assert_eq!(res.body["created"], 2, "{}", res.text);
    let res = app.get(&format!("/api/v1/students?counselor_id={own}"), &cadmin).await.expect(200);
    assert_eq!(res.body["total"], 1);
    assert_eq!(res.body["items"][0]["student_no"], "2023004");

    // The export names the counselor by 工号, in the column the import reads.
    let res = app.get("/api/v1/exports/students", &cadmin).await.expect(200);
    let mut lines = res.text.lines();
    let head = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert_eq!(head, "学号,姓名,性别,学院,单位代码,培养层次,入学年份,政治面貌,导师工号,辅导员工号,手机,邮箱,学籍状态");
    assert_eq!(lines.next().unwrap(), "2023004,孙八,女,计算机学院,,硕士,2023,中共党员,,C001,,,在读");
    assert_eq!(lines.next().unwrap(), "2023005,周九,女,计算机学院,,硕士,2023,中共党员,,,,,在读");
    let json_export = app.get("/api/v1/exports/students?format=json", &cadmin).await.expect(200);
    assert_eq!(json_export.body[0]["counselor"], "C001");
    // It imports back unchanged; a column left out keeps the counselor; an empty cell clears it.
    let back = import(&app, &cadmin, &res.text).await.expect(200);
    assert_eq!(back.body["unchanged"], 2, "{}", back.text);
    let csv = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌\n2023004,孙八,女,计算机学院,硕士,2023,中共党员\n";
    assert_eq!(import(&app, &cadmin, csv).await.expect(200).body["unchanged"], 1);
    let csv =
        "学号,姓名,性别,学院,培养层次,入学年份,政治面貌,辅导员工号\n2023004,孙八,女,计算机学院,硕士,2023,中共党员,\n";
    assert_eq!(import(&app, &cadmin, csv).await.expect(200).body["updated"], 1);
    let res = app.get(&format!("/api/v1/students?counselor_id={own}"), &cadmin).await.expect(200);
    assert_eq!(res.body["total"], 0);
}
