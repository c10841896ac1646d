//! Bulk import and export: CSV in UTF-8, UTF-8 with BOM and GBK with Chinese headers, XLSX, JSON
//! and multipart uploads; upserts by natural key, all or nothing, dry runs; the change feed of an
//! import; who may import and export what; exports that import back unchanged.

use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Two colleges (计算机学院 with a lab and a supervisor, 电子信息学院) and a university admin.
struct World {
    app: TestApp,
    admin: String,
    cs: String,
    ee: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电子信息学院").await;
    app.unit(&admin, &cs, "CS-LAB1", "laboratory").await;
    app.staff(&admin, &cs, "T001", true).await;
    World { app, admin, cs, ee }
}

const HEADER: &str = "学号,姓名,性别,学院,专业/学科方向,培养层次,入学年份,政治面貌,导师,手机,邮箱";

/// A student row under [`HEADER`].
fn row(no: &str, name: &str) -> String {
    format!("{no},{name},女,计算机学院,CS-LAB1,硕士,2023,中共党员,T001,13800000000,{no}@stu.scu.edu.cn")
}

fn csv(rows: &[String]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn many(n: usize) -> Vec<String> {
    (0..n).map(|i| row(&format!("2023{i:05}"), &format!("学生{i}"))).collect()
}

impl World {
    async fn upload(&self, path: &str, token: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Res {
        self.app
            .send(
                self.app
                    .request(Method::POST, path, Some(token))
                    .header("content-type", content_type)
                    .body(body.into()),
            )
            .await
    }

    async fn import_csv(&self, token: &str, text: &str) -> Res {
        self.upload("/api/v1/imports/students", token, "text/csv", text.as_bytes().to_vec()).await
    }

    async fn students(&self) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let res =
                self.app.get(&format!("/api/v1/students?page_size=100&page={page}"), &self.admin).await.expect(200);
            let items = res.body["items"].as_array().unwrap().clone();
            if items.is_empty() {
                break;
            }
            all.extend(items);
        }
        all
    }

    async fn events(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let res = self.app.get(&format!("/api/v1/events?limit=1000&after={after}"), &self.admin).await.expect(200);
            let items = res.body["items"].as_array().unwrap().clone();
            if items.is_empty() {
                break;
            }
            after = res.body["next_cursor"].as_i64().unwrap();
            all.extend(items);
        }
        all
    }

    async fn audits(&self) -> Vec<Value> {
        let res = self.app.get("/api/v1/audit-events?target_type=import&page_size=100", &self.admin).await.expect(200);
        res.body["items"].as_array().unwrap().clone()
    }

    async fn client(&self, scopes: Value) -> String {
        self.app.client_token(&self.admin, scopes).await
    }
}

fn multipart(file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----xuezhang-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n学生名单\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("学生名单").unwrap();
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            // Numbers as numbers, the way a sheet typed by hand holds them.
            match v.parse::<f64>() {
                Ok(n) if !v.starts_with('0') && v.len() < 15 => sheet.write_number(r, c, n).unwrap(),
                _ => sheet.write_string(r, c, *v).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

#[actix_web::test]
async fn a_gbk_csv_with_chinese_headers_and_names_imports_correctly() {
    let w = world().await;
    let text = csv(&[row("2023001", "欧阳娜娜"), row("2023002", "诸葛亮")]);
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the test file must really be GBK");
    let res = w.upload("/api/v1/imports/students", &w.admin, "text/csv", gbk.into_owned()).await.expect(200);
    assert_eq!(res.body["encoding"], "gb18030");
    assert_eq!((res.body["rows"].as_u64(), res.body["created"].as_u64()), (Some(2), Some(2)));
    assert_eq!(res.body["ignored_columns"], json!([]));
    assert!(res.body["import_id"].is_string());
    let students = w.students().await;
    let s = students.iter().find(|s| s["student_no"] == "2023001").unwrap();
    assert_eq!(s["name"], "欧阳娜娜");
    assert_eq!(s["gender"], "female");
    assert_eq!(s["degree"], "master");
    assert_eq!(s["political_status"], "party_member");
    assert_eq!(s["college_id"], w.cs);
    assert!(s["unit_id"].is_string() && s["supervisor_id"].is_string());
    assert_eq!(s["email"], "2023001@stu.scu.edu.cn");
    assert_eq!(s["status"], "enrolled");

    // ?encoding=gbk says the same thing explicitly.
    let text = csv(&[row("2023003", "司马光")]);
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let res =
        w.upload("/api/v1/imports/students?encoding=gbk", &w.admin, "text/csv", gbk.into_owned()).await.expect(200);
    assert_eq!(res.body["created"], 1);
}

#[actix_web::test]
async fn a_utf8_csv_with_a_bom_and_crlf_line_ends_imports_correctly() {
    let w = world().await;
    let text =
        csv(&[row("2023001", "李华"), "2023002,王五,男,CS,,博士,2022级,共青团员,,,".to_owned()]).replace('\n', "\r\n");
    let mut body = b"\xef\xbb\xbf".to_vec();
    body.extend_from_slice(text.as_bytes());
    let res = w.import_csv(&w.admin, std::str::from_utf8(&body).unwrap()).await.expect(200);
    assert_eq!(res.body["encoding"], "utf-8-bom");
    assert_eq!(res.body["created"], 2);
    let students = w.students().await;
    let s = students.iter().find(|s| s["student_no"] == "2023002").unwrap();
    assert_eq!((s["gender"].as_str(), s["degree"].as_str()), (Some("male"), Some("doctoral")));
    assert_eq!((s["enrollment_year"].as_i64(), s["political_status"].as_str()), (Some(2022), Some("league_member")));
    assert!(s["unit_id"].is_null() && s["phone"].is_null());
}

#[actix_web::test]
async fn an_xlsx_file_imports_correctly_as_the_body_and_as_a_form_upload() {
    let w = world().await;
    let header: Vec<&str> = HEADER.split(',').collect();
    let book = xlsx(&[
        header.clone(),
        vec!["2023001", "李华", "女", "CS", "CS-LAB1", "硕士", "2023", "中共预备党员", "T001", "13800000000", ""],
        vec![],
        vec!["2023002", "王五", "男", "计算机学院", "", "博士", "2022", "群众", "", "", "wang@scu.edu.cn"],
    ]);
    let res = w.upload("/api/v1/imports/students", &w.admin, XLSX, book).await.expect(200);
    assert_eq!((res.body["format"].as_str(), res.body["created"].as_u64()), (Some("xlsx"), Some(2)));
    let students = w.students().await;
    let s = students.iter().find(|s| s["student_no"] == "2023001").unwrap();
    assert_eq!(s["political_status"], "probationary_party_member");
    assert_eq!(s["phone"], "13800000000", "a number cell keeps its digits");

    // The same sheet sent as `curl -F file=@students.xlsx`: nothing new.
    let book = xlsx(&[
        header,
        vec!["2023001", "李华", "女", "CS", "CS-LAB1", "硕士", "2023", "中共预备党员", "T001", "13800000000", ""],
    ]);
    let (content_type, body) = multipart("学生.xlsx", "application/octet-stream", &book);
    let res = w.upload("/api/v1/imports/students", &w.admin, &content_type, body).await.expect(200);
    assert_eq!((res.body["unchanged"].as_u64(), res.body["created"].as_u64()), (Some(1), Some(0)));

    // A bad cell is reported by its sheet row, as Excel numbers it.
    let book = xlsx(&[HEADER.split(',').collect(), vec!["2023009", "赵六", "女", "CS", "", "本科", "2023", "群众"]]);
    let res = w.upload("/api/v1/imports/students", &w.admin, XLSX, book).await.expect(422);
    assert_eq!(res.code(), "import_failed");
    assert_eq!(
        res.body["row_errors"],
        json!([{"line": 2, "column": "培养层次", "code": "invalid_choice", "message": "`本科` is not one of: 硕士, 博士"}])
    );
}

#[actix_web::test]
async fn a_csv_form_upload_and_a_json_array_of_rows_import_too() {
    let w = world().await;
    let (content_type, body) = multipart("students.csv", "text/csv", csv(&[row("2023001", "李华")]).as_bytes());
    let res = w.upload("/api/v1/imports/students", &w.admin, &content_type, body).await.expect(200);
    assert_eq!(res.body["created"], 1);

    let rows = json!([
        {"student_no": "2023002", "name": "王五", "gender": "male", "college": "CS", "degree": "master",
         "enrollment_year": 2024, "political_status": "masses", "phone": null},
        {"学号": "2023003", "name": "赵六", "gender": "女", "college": "EE", "degree": "博士",
         "enrollment_year": "2024", "political_status": "中共党员"}
    ]);
    let res = w.app.post("/api/v1/imports/students", &w.admin, rows).await.expect(422);
    assert_eq!(res.code(), "import_failed");
    assert_eq!(res.body["row_errors"][0]["column"], "学号", "学号 and student_no name the same column");
    assert_eq!(res.body["row_errors"][0]["code"], "duplicate_column");

    let rows = json!([
        {"student_no": "2023002", "name": "王五", "gender": "male", "college": "CS", "degree": "master",
         "enrollment_year": 2024, "political_status": "masses", "phone": null},
        {"student_no": "20-3", "name": "赵六", "gender": "女", "college": "EE", "degree": "博士",
         "enrollment_year": "2024", "political_status": "中共党员"},
        "not a row"
    ]);
    let res = w.app.post("/api/v1/imports/students", &w.admin, rows).await.expect(422);
    let at: Vec<(i64, &str)> = res.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(at, [(1, "student_no"), (2, "")], "JSON rows are reported by array index");

    let rows = json!([{"student_no": "2023002", "name": "王五", "gender": "male", "college": "CS", "degree": "master",
         "enrollment_year": 2024, "political_status": "masses", "备注": "新生"}]);
    let res = w.app.post("/api/v1/imports/students", &w.admin, rows).await.expect(200);
    assert_eq!((res.body["format"].as_str(), res.body["created"].as_u64()), (Some("json"), Some(1)));
    assert_eq!(res.body["ignored_columns"], json!(["备注"]));
}

#[actix_web::test]
async fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let w = world().await;
    let file = csv(&many(50));
    let first = w.import_csv(&w.admin, &file).await.expect(200);
    assert_eq!((first.body["created"].as_u64(), first.body["unchanged"].as_u64()), (Some(50), Some(0)));
    let students = w.students().await;
    let events = w.events().await.len();
    let audits = w.audits().await.len();

    let second = w.import_csv(&w.admin, &file).await.expect(200);
    assert_eq!(
        (second.body["created"].as_u64(), second.body["updated"].as_u64(), second.body["unchanged"].as_u64()),
        (Some(0), Some(0), Some(50))
    );
    assert_eq!(w.students().await, students, "no version bump, no timestamp change");
    assert_eq!(w.events().await.len(), events, "no event for an unchanged row");
    let after = w.audits().await;
    assert_eq!(after.len(), audits + 1, "one audit event for the import itself");
    assert_eq!(after[0]["action"], "student.import");
    assert_eq!(after[0]["changes"]["unchanged"], 50);
    assert_eq!(after[0]["target_id"], second.body["import_id"]);
}

#[actix_web::test]
async fn changed_rows_are_updated_with_a_new_version_and_an_event_and_left_out_columns_are_kept() {
    let w = world().await;
    w.import_csv(&w.admin, &csv(&[row("2023001", "李华"), row("2023002", "王五")])).await.expect(200);
    let before = w.students().await;
    let cursor = w.events().await.len();

    // Only some columns: what is left out stays; an empty optional cell clears.
    let file = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌,手机,学籍状态\n\
                2023001,李华,女,CS,博士,2023,中共党员,,毕业\n\
                2023002,王五,女,CS,硕士,2023,中共党员,13800000000,\n";
    let res = w.import_csv(&w.admin, file).await.expect(200);
    assert_eq!((res.body["updated"].as_u64(), res.body["unchanged"].as_u64()), (Some(1), Some(1)));
    let after = w.students().await;
    let (b, a) = (&before[0], &after[0]);
    assert_eq!(a["student_no"], "2023001");
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["version"], 2);
    assert_eq!((a["degree"].as_str(), a["status"].as_str()), (Some("doctoral"), Some("graduated")));
    assert!(a["phone"].is_null(), "an empty cell clears the phone");
    assert_eq!(a["unit_id"], b["unit_id"], "a column left out is kept");
    assert_eq!(a["supervisor_id"], b["supervisor_id"]);
    assert_eq!(after[1], before[1]);

    let events = w.events().await;
    let new: Vec<(&str, &str)> =
        events[cursor..].iter().map(|e| (e["type"].as_str().unwrap(), e["resource_id"].as_str().unwrap())).collect();
    assert_eq!(new, [("student.updated", a["id"].as_str().unwrap())]);
    assert_eq!(events[cursor]["data"]["degree"], "doctoral");
    assert_eq!(events[cursor]["data"]["version"], 2);
    let audit = &w.audits().await[0];
    assert_eq!(audit["changes"]["updated_records"][0]["key"], "2023001");
    assert_eq!(audit["changes"]["updated_records"][0]["changes"]["degree"], json!(["master", "doctoral"]));
}

#[actix_web::test]
async fn a_file_with_three_bad_rows_among_a_thousand_writes_nothing_and_reports_exactly_those_three() {
    let w = world().await;
    let mut rows = many(1000);
    rows[10] = row("20-3", "坏学号"); // line 12: a bad 学号
    rows[500] = rows[500].replace("计算机学院", "不存在学院"); // line 502: an unknown college
    rows[998] = row("202300007", "重复"); // line 1000: the 学号 of line 9 again
    let events = w.events().await.len();
    let res = w.import_csv(&w.admin, &csv(&rows)).await.expect(422);
    assert_eq!(res.code(), "import_failed");
    assert!(res.body["detail"].as_str().unwrap().contains("1000 row(s)"), "{}", res.text);
    let problems: Vec<(i64, &str, &str)> = res.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        [(12, "学号", "invalid_format"), (502, "学院", "invalid_reference"), (1000, "学号", "duplicate")]
    );
    assert!(w.students().await.is_empty(), "nothing was written");
    assert_eq!(w.events().await.len(), events, "a failed import leaves no event");
    assert!(w.audits().await.is_empty());
}

#[actix_web::test]
async fn an_unknown_college_is_the_one_error_of_its_row_not_also_its_unit() {
    let w = world().await;
    // A unit may be named (not coded) within the student's college: with the college unknown, the
    // unit cannot be judged, so the row gets the college's error only. With the college known, an
    // unknown unit is still an error of its own.
    let rows = [
        row("202300001", "甲").replace("计算机学院,CS-LAB1", "不存在学院,智能系统实验室"),
        row("202300002", "乙").replace("CS-LAB1", "不存在的实验室"),
    ];
    let res = w.import_csv(&w.admin, &csv(&rows)).await.expect(422);
    let problems: Vec<(i64, &str, &str)> = res.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(problems, [(2, "学院", "invalid_reference"), (3, "专业/学科方向", "invalid_reference")], "{}", res.text);
}

#[actix_web::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    let w = world().await;
    w.import_csv(&w.admin, &csv(&[row("2023001", "李华")])).await.expect(200);
    let students = w.students().await;
    let events = w.events().await.len();
    let audits = w.audits().await.len();
    let file = csv(&[row("2023001", "李华华"), row("2023002", "王五"), row("2023003", "赵六")]);
    let res = w
        .upload("/api/v1/imports/students?dry_run=true", &w.admin, "text/csv", file.as_bytes().to_vec())
        .await
        .expect(200);
    assert_eq!(res.body["dry_run"], true);
    assert!(res.body["import_id"].is_null());
    assert_eq!((res.body["created"].as_u64(), res.body["updated"].as_u64()), (Some(2), Some(1)));
    assert_eq!(w.students().await, students);
    assert_eq!(w.events().await.len(), events);
    assert_eq!(w.audits().await.len(), audits);

    // A dry run of a bad file reports its problems the same way.
    let res = w
        .upload("/api/v1/imports/students?dry_run=true", &w.admin, "text/csv", csv(&[row("x", "坏")]).into_bytes())
        .await
        .expect(422);
    assert_eq!(res.body["row_errors"][0]["line"], 2);
}

#[actix_web::test]
async fn the_feed_shows_exactly_the_committed_import_changes_in_order_and_nothing_for_a_failed_import() {
    let w = world().await;
    // Student events reach only readers that may also read students.
    let feed = w.client(json!(["events:read", "students:read"])).await;
    let start = w.events().await.len();
    w.import_csv(&w.admin, &csv(&[row("2023002", "王五"), row("2023001", "李华")])).await.expect(200);
    w.import_csv(&w.admin, &csv(&[row("2023003", "赵六"), row("bad!", "坏")])).await.expect(422);
    w.import_csv(&w.admin, &csv(&[row("2023001", "李华"), row("2023002", "王小五"), row("2023004", "钱七")]))
        .await
        .expect(200);

    let res = w.app.get(&format!("/api/v1/events?after={start}&limit=1000"), &feed).await.expect(200);
    let items = res.body["items"].as_array().unwrap();
    let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (start as i64 + 1..=start as i64 + 4).collect::<Vec<_>>(), "gap-free");
    let got: Vec<(&str, &str)> =
        items.iter().map(|e| (e["type"].as_str().unwrap(), e["data"]["student_no"].as_str().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("student.imported", "2023002"),
            ("student.imported", "2023001"),
            ("student.updated", "2023002"),
            ("student.imported", "2023004"),
        ]
    );
    assert_eq!(items[2]["data"]["name"], "王小五");
}

#[actix_web::test]
async fn college_admins_import_only_into_their_own_college_and_clients_need_the_import_scope() {
    let w = world().await;
    let cs_admin = w.app.user(&w.admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": w.cs})).await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": w.ee})).await;
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.cs})).await;
    w.import_csv(&cs_admin, &csv(&[row("2023001", "李华")])).await.expect(200);

    // Into another college: a row error. A student of another college: a row error too.
    let file = csv(&[row("2023001", "李华改"), "2023002,王五,男,计算机学院,,硕士,2023,群众,,,".to_owned()]);
    let res = w.import_csv(&ee_admin, &file).await.expect(422);
    let problems: Vec<(i64, &str, &str)> = res.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(problems, [(2, "学院", "forbidden"), (2, "学号", "duplicate"), (3, "学院", "forbidden")]);
    let ok = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌\n2024001,孙八,男,EE,硕士,2024,群众\n";
    w.import_csv(&ee_admin, ok).await.expect(200);

    // Honours of another college's students are unknown to a college admin.
    let honors = "学号,荣誉称号,级别,获得日期\n2023001,优秀研究生,校级,2024-12-01\n";
    let res = w.upload("/api/v1/imports/honors", &ee_admin, "text/csv", honors).await.expect(422);
    assert_eq!(res.body["row_errors"][0]["code"], "invalid_reference");
    w.upload("/api/v1/imports/honors", &cs_admin, "text/csv", honors).await.expect(200);

    w.import_csv(&counselor, ok).await.expect(403);
    let reader = w.client(json!(["students:write"])).await;
    w.import_csv(&reader, ok).await.expect(403);
    let importer = w.client(json!(["import"])).await;
    let res = w.import_csv(&importer, ok).await.expect(200);
    assert_eq!(res.body["unchanged"], 1);
    w.app
        .send(w.app.request(Method::POST, "/api/v1/imports/students", None).header("content-type", "text/csv").body(ok))
        .await
        .expect(401);
}

#[actix_web::test]
async fn a_body_over_the_limit_is_refused_with_413_naming_the_limit() {
    let app = spawn_app_with(|s| s.import_max_bytes = 64 * 1024).await;
    let admin = app.admin().await;
    let big = "x".repeat(64 * 1024 + 1);
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/imports/students", Some(&admin))
                .header("content-type", "text/csv")
                .body(big),
        )
        .await
        .expect(413);
    assert_eq!(res.code(), "payload_too_large");
    assert!(res.body["detail"].as_str().unwrap().contains("64 KiB"), "{}", res.text);
    // A form whose file is too large, sent without a length up front.
    let (content_type, body) = multipart("big.csv", "text/csv", &vec![b'x'; 64 * 1024 + 1]);
    let stream =
        futures_util::stream::iter(body.chunks(8192).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>());
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/imports/students", Some(&admin))
                .header("content-type", content_type)
                .body(reqwest::Body::wrap_stream(stream)),
        )
        .await
        .expect(413);
    assert!(res.body["detail"].as_str().unwrap().contains("65536 bytes"));
}

async fn post(w: &World, query: &str, content_type: &str, body: Vec<u8>) -> Res {
    w.upload(&format!("/api/v1/imports/students{query}"), &w.admin, content_type, body).await
}

#[actix_web::test]
async fn bad_uploads_are_refused_with_a_clear_problem() {
    let w = world().await;
    let res = post(&w, "?encoding=latin1", "text/csv", csv(&[]).into_bytes()).await.expect(422);
    assert_eq!(res.error_fields(), ["encoding"]);
    let res = post(&w, "", "text/csv; charset=big5", csv(&[]).into_bytes()).await.expect(415);
    assert_eq!(res.code(), "unsupported_media_type");
    post(&w, "", "image/png", vec![1, 2, 3]).await.expect(415);
    let res = post(&w, "", XLSX, b"PK\x03\x04 not really a workbook".to_vec()).await.expect(400);
    assert_eq!(res.code(), "malformed_file");
    let res = post(&w, "?encoding=utf-8", "text/csv", vec![0xd1, 0xa7, 0xba, 0xc5]).await.expect(400);
    assert_eq!(res.code(), "malformed_file");
    let res = post(&w, "", "text/csv", b"a,\"b\nc".to_vec()).await;
    assert!(matches!(res.status.as_u16(), 400 | 422), "{}", res.text);
    post(&w, "?dry_run=maybe", "text/csv", csv(&[]).into_bytes()).await.expect(400);
    let res = post(&w, "", "application/json", b"[{".to_vec()).await.expect(400);
    assert_eq!(res.code(), "malformed_json");
    let res = post(&w, "", "application/json", b"{\"rows\": []}".to_vec()).await.expect(422);
    assert_eq!(res.code(), "import_failed");
    let res = post(&w, "", "text/csv", "学号,姓名\n2023001,李华\n".as_bytes().to_vec()).await.expect(422);
    let missing: Vec<&str> =
        res.body["row_errors"].as_array().unwrap().iter().map(|e| e["column"].as_str().unwrap()).collect();
    assert_eq!(missing, ["性别", "学院", "培养层次", "入学年份", "政治面貌"]);
    assert!(res.body["row_errors"][0].get("line").is_none());
    let (content_type, body) = multipart("x.csv", "text/csv", b"");
    let res = w
        .upload(
            "/api/v1/imports/students",
            &w.admin,
            &content_type,
            String::from_utf8_lossy(&body).replace("name=\"file\"", "name=\"other\"").into_bytes(),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["file"]);
    // An empty file has nothing to do.
    let res = post(&w, "", "text/csv", HEADER.as_bytes().to_vec()).await.expect(200);
    assert_eq!(res.body["rows"], 0);
    assert!(w.students().await.is_empty());
}

#[actix_web::test]
async fn staff_units_and_honours_import_with_their_own_rules() {
    let w = world().await;
    let units = "单位代码,单位名称,类型,学院,所属学科代码\n\
                 CS-LAB2,智能系统实验室,实验室,计算机学院,CS-D1\n\
                 CS-D1,计算机科学与技术,学科方向,CS,\n\
                 EE-G1,通信课题组,课题组,EE,\n";
    let res = w.upload("/api/v1/imports/units", &w.admin, "text/csv", units).await.expect(200);
    assert_eq!(res.body["created"], 3, "a lab may name a discipline of the same file");
    let res = w.upload("/api/v1/imports/units", &w.admin, "text/csv", units).await.expect(200);
    assert_eq!(res.body["unchanged"], 3);
    let bad = "单位代码,单位名称,类型,学院,所属学科代码\n\
               CS-LAB3,实验室三,实验室,CS,EE-G1\n\
               CS-D1,计算机科学与技术,实验室,CS,\n\
               CS-LAB1,实验室一,实验室,EE,\n";
    let res = w.upload("/api/v1/imports/units", &w.admin, "text/csv", bad).await.expect(422);
    let codes: Vec<(i64, &str)> = res.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [(2, "invalid_reference"), (3, "in_use"), (4, "not_allowed")], "{}", res.text);

    let staff =
        "工号,姓名,学院,是否导师,是否辅导员,手机\nT001,王老师,CS,是,否,\nT002,张老师,电子信息学院,否,是,028-85401234\n";
    let res = w.upload("/api/v1/imports/staff", &w.admin, "text/csv", staff).await.expect(200);
    assert_eq!((res.body["created"].as_u64(), res.body["updated"].as_u64()), (Some(1), Some(0)));
    w.import_csv(&w.admin, &csv(&[row("2023001", "李华")])).await.expect(200);
    // T001 supervises 2023001 now: they stay a supervisor.
    let demote = "工号,姓名,学院,是否导师\nT001,王老师,CS,否\n";
    let res = w.upload("/api/v1/imports/staff", &w.admin, "text/csv", demote).await.expect(422);
    assert_eq!(res.body["row_errors"][0]["code"], "in_use");
    assert_eq!(res.body["row_errors"][0]["column"], "是否导师");

    let honors = "学号,姓名,荣誉称号,级别,获得日期\n2023001,李华,优秀研究生,校级,2024/12/1\n2023001,李华,优秀学生党员,院级,2025年6月30日\n";
    let res = w.upload("/api/v1/imports/honors", &w.admin, "text/csv", honors).await.expect(200);
    assert_eq!(res.body["created"], 2);
    let raised = "学号,姓名,荣誉称号,级别,获得日期\n2023001,李华,优秀研究生,省级,2024-12-01\n2023001,王五,优秀学生党员,院级,2025-06-30\n";
    let res = w.upload("/api/v1/imports/honors", &w.admin, "text/csv", raised).await.expect(422);
    assert_eq!(res.body["row_errors"][0]["code"], "mismatch");
    let raised = "学号,荣誉称号,级别,获得日期\n2023001,优秀研究生,省级,2024-12-01\n";
    let res = w.upload("/api/v1/imports/honors", &w.admin, "text/csv", raised).await.expect(200);
    assert_eq!(res.body["updated"], 1);
    let sid = w.students().await[0]["id"].as_str().unwrap().to_owned();
    let list = w.app.get(&format!("/api/v1/students/{sid}/honors"), &w.admin).await.expect(200);
    let levels: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().map(|h| h["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["college", "provincial"]);
    let types: Vec<String> = w.events().await.iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
    for t in ["unit.imported", "staff.imported", "honor.imported", "honor.updated"] {
        assert!(types.iter().any(|x| x == t), "{t} in {types:?}");
    }
}

#[actix_web::test]
async fn an_export_imports_back_with_everything_unchanged() {
    let w = world().await;
    let mut rows = many(30);
    rows.push("2023999,\"=HYPERLINK(\"\"x\"\")\",男,EE,,博士,2021,其他,,+86-28-85401234,".to_owned());
    w.import_csv(&w.admin, &csv(&rows)).await.expect(200);

    let res = w.app.get("/api/v1/exports/students", &w.admin).await.expect(200);
    assert_eq!(res.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert!(res.header("content-disposition").unwrap().contains("students-"));
    assert!(res.text.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    let first = res.text.lines().next().unwrap().trim_start_matches('\u{feff}');
    assert_eq!(first, "学号,姓名,性别,学院,单位代码,培养层次,入学年份,政治面貌,导师工号,辅导员工号,手机,邮箱,学籍状态");
    assert!(
        res.text
            .contains("2023999,\"'=HYPERLINK(\"\"x\"\")\",男,电子信息学院,,博士,2021,其他,,,'+86-28-85401234,,在读"),
        "formula-like cells are escaped: {}",
        res.text
    );
    let back = w.import_csv(&w.admin, &res.text).await.expect(200);
    assert_eq!((back.body["rows"].as_u64(), back.body["unchanged"].as_u64()), (Some(31), Some(31)));

    let json_export = w.app.get("/api/v1/exports/students?format=json", &w.admin).await.expect(200);
    let items = json_export.body.as_array().unwrap();
    assert_eq!(items.len(), 31);
    assert_eq!(items[0]["college"], "计算机学院");
    assert_eq!(items[0]["unit"], "CS-LAB1");
    let back = w.app.post("/api/v1/imports/students", &w.admin, json_export.body.clone()).await.expect(200);
    assert_eq!(back.body["unchanged"], 31);
    let by_accept = w
        .app
        .send(
            w.app.request(Method::GET, "/api/v1/exports/students", Some(&w.admin)).header("accept", "application/json"),
        )
        .await
        .expect(200);
    assert_eq!(by_accept.body, json_export.body);

    for (kind, key) in [("staff", "工号"), ("units", "单位代码")] {
        let res = w.app.get(&format!("/api/v1/exports/{kind}"), &w.admin).await.expect(200);
        assert!(res.text.trim_start_matches('\u{feff}').starts_with(key), "{}", res.text);
        let back =
            w.upload(&format!("/api/v1/imports/{kind}"), &w.admin, "text/csv", res.text.clone()).await.expect(200);
        assert_eq!(back.body["rows"], back.body["unchanged"], "{kind}: {}", back.text);
        assert_eq!(back.body["rows"], 1);
    }
}

#[actix_web::test]
async fn exports_show_what_the_lists_show_with_their_filters() {
    let w = world().await;
    w.import_csv(&w.admin, &csv(&many(5))).await.expect(200);
    w.import_csv(&w.admin, "学号,姓名,性别,学院,培养层次,入学年份,政治面貌\n2024001,孙八,男,EE,博士,2024,群众\n")
        .await
        .expect(200);
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": w.ee})).await;
    let res = w.app.get("/api/v1/exports/students?format=json", &ee_admin).await.expect(200);
    let nos: Vec<&str> = res.body.as_array().unwrap().iter().map(|s| s["student_no"].as_str().unwrap()).collect();
    assert_eq!(nos, ["2024001"]);
    let res = w.app.get("/api/v1/exports/students?format=json&degree=master&q=学生3", &w.admin).await.expect(200);
    let nos: Vec<&str> = res.body.as_array().unwrap().iter().map(|s| s["student_no"].as_str().unwrap()).collect();
    assert_eq!(nos, ["202300003"]);
    w.app.get("/api/v1/exports/students?format=xml", &w.admin).await.expect(400);

    let students_only = w.client(json!(["students:read"])).await;
    w.app.get("/api/v1/exports/students", &students_only).await.expect(403);
    let exporter = w.client(json!(["export", "students:read"])).await;
    let res = w.app.get("/api/v1/exports/students?format=json", &exporter).await.expect(200);
    assert_eq!(res.body.as_array().unwrap().len(), 6);
    w.app.get("/api/v1/exports/staff", &exporter).await.expect(403);
    w.app.get("/api/v1/exports/appointments", &exporter).await.expect(403);
    let student =
        w.app.user(&w.admin, "student-1", Role::Student, json!({"student_id": w.students().await[0]["id"]})).await;
    w.app.get("/api/v1/exports/staff", &student).await.expect(403);
    let res = w.app.get("/api/v1/exports/students?format=json", &student).await.expect(200);
    assert_eq!(res.body.as_array().unwrap().len(), 1, "a student sees only themself, as in the list");
}

#[actix_web::test]
async fn appointments_export_with_the_mentor_year_and_unit() {
    let w = world().await;
    let admin = &w.admin;
    let lab = w.app.get("/api/v1/units?q=CS-LAB1", admin).await.body["items"][0]["id"].as_str().unwrap().to_owned();
    let year = w.app.post("/api/v1/academic-years", admin, json!({"code": "2025-2026"})).await.expect(201).id();
    let student = w.app.student(admin, &w.cs, "2023001", json!({"name": "李华", "enrollment_year": 2023})).await;
    w.app
        .post(
            &format!("/api/v1/students/{student}/honors"),
            admin,
            json!({"title": "优秀研究生", "level": "university", "awarded_on": "2024-12-01"}),
        )
        .await
        .expect(201);
    MentorBuilder::new(&w.app, admin).student(&student).year(&year).unit(&lab).statement("乐于助人").appoint().await;

    let res = w.app.get("/api/v1/exports/appointments", admin).await.expect(200);
    let lines: Vec<&str> = res.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "学年,学号,姓名,学院,单位代码,名额,状态,聘任日期,培训完成日期,结束日期,结束原因");
    assert!(lines[1].starts_with("2025-2026,2023001,李华,计算机学院,CS-LAB1,5,在聘,"), "{}", lines[1]);
    let res = w.app.get(&format!("/api/v1/exports/appointments?format=json&academic_year_id={year}"), admin).await;
    assert_eq!(res.expect(200).body[0]["state"], "active");
    let ee_admin = w.app.user(admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": w.ee})).await;
    let res = w.app.get("/api/v1/exports/appointments?format=json", &ee_admin).await.expect(200);
    assert_eq!(res.body, json!([]));
}

#[actix_web::test]
async fn concurrent_imports_of_one_file_create_each_student_once() {
    let w = world().await;
    let file = csv(&many(200));
    let runs = (0..3).map(|_| w.import_csv(&w.admin, &file));
    let results = futures_util::future::join_all(runs).await;
    let mut created = 0;
    for r in &results {
        assert_eq!(r.status.as_u16(), 200, "{}", r.text);
        created += r.body["created"].as_u64().unwrap();
        assert_eq!(r.body["created"].as_u64().unwrap() + r.body["unchanged"].as_u64().unwrap(), 200);
    }
    assert_eq!(created, 200, "one import created them, the others found them unchanged");
    assert_eq!(w.students().await.len(), 200);
    let events = w.events().await;
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    assert_eq!(events.iter().filter(|e| e["type"] == "student.imported").count(), 200);
}

/// `book` with `</sheetData>` of its first sheet preceded by `extra` (raw sheet XML).
fn tampered(book: &[u8], extra: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut out);
        for i in 0..archive.len() {
            let mut part = archive.by_index(i).unwrap();
            let name = part.name().unwrap().into_owned();
            let mut body = Vec::new();
            part.read_to_end(&mut body).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                body = String::from_utf8(body).unwrap().replace("</sheetData>", &format!("{extra}</sheetData>")).into();
            }
            writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            writer.write_all(&body).unwrap();
        }
        writer.finish().unwrap();
    }
    out.into_inner()
}

#[actix_web::test]
async fn damaged_or_hostile_files_get_a_clear_4xx_and_the_server_stays_up() {
    let w = world().await;
    let good = xlsx(&[HEADER.split(',').collect(), vec!["2023001", "李华", "女", "CS", "", "硕士", "2023", "群众"]]);
    let path = "/api/v1/imports/students?dry_run=true";

    // A workbook with a cell reference out of all bounds, and one with a cell in the last column of
    // the last row: neither may crash the server or fill its memory.
    for extra in [
        r#"<row r="3"><c r="ZZZZZZZZZ3"><v>1</v></c></row>"#,
        r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    ] {
        let res = w.upload(path, &w.admin, tabular_xlsx(), tampered(&good, extra)).await.expect(400);
        assert_eq!(res.code(), "malformed_file", "{extra}");
    }
    // A legacy .xls (an OLE2 file) says what to send instead.
    let res = w
        .upload(path, &w.admin, "application/octet-stream", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0".to_vec())
        .await;
    assert!(res.expect(415).body["detail"].as_str().unwrap().contains(".xlsx"));
    // A workbook sent as text/csv (or named .csv) is still read as the workbook it is.
    let res = w.upload(path, &w.admin, "text/csv", good.clone()).await.expect(200);
    assert_eq!((res.body["format"].as_str(), res.body["created"].as_u64()), (Some("xlsx"), Some(1)));
    // Two files in one form: which one was meant? Neither is imported.
    let (content_type, mut body) = multipart("a.xlsx", "application/octet-stream", &good);
    let (_, second) = multipart("b.xlsx", "application/octet-stream", &good);
    let boundary_end = b"--\r\n".len();
    body.truncate(body.len() - boundary_end);
    body.extend_from_slice(b"\r\n");
    body.extend_from_slice(&second[second.windows(2).position(|p| p == b"--").unwrap()..]);
    let res = w.upload(path, &w.admin, &content_type, body).await.expect(400);
    assert_eq!(res.code(), "malformed_multipart");
    // JSON with a BOM (what Windows editors save) reads.
    let json = "\u{feff}[{\"学号\": 2023002.0, \"姓名\": \"王五\", \"性别\": \"男\", \"学院\": \"CS\", \"培养层次\": \"硕士\", \"入学年份\": 2023, \"政治面貌\": \"群众\"}]";
    w.upload(path, &w.admin, "application/json", json.as_bytes().to_vec()).await.expect(200);
    // GBK bytes that are also valid UTF-8 (English headers, names like 郑伟) must be named.
    let (gbk, _, _) = encoding_rs::GB18030.encode(
        "student_no,name,gender,college,degree,enrollment_year,political_status\n2023003,郑伟,male,CS,master,2023,masses\n",
    );
    let res = w.upload("/api/v1/imports/students?dry_run=true", &w.admin, "text/csv", gbk.to_vec()).await.expect(400);
    assert!(res.body["detail"].as_str().unwrap().contains("?encoding=gbk"));
    w.upload("/api/v1/imports/students?dry_run=true&encoding=gbk", &w.admin, "text/csv", gbk.to_vec())
        .await
        .expect(200);

    w.app.send(w.app.request(Method::GET, "/healthz", None)).await.expect(200);
}

fn tabular_xlsx() -> &'static str {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

#[actix_web::test]
async fn a_workbook_whose_cells_repeat_the_same_few_strings_imports() {
    // Excel keeps each distinct string once and counts every use: 3,000 rows of 女, 计算机学院,
    // 硕士 … make the count of uses far larger than the table of strings.
    let w = world().await;
    let rows = many(3000);
    let mut sheet: Vec<Vec<&str>> = vec![HEADER.split(',').collect()];
    sheet.extend(rows.iter().map(|r| r.split(',').collect::<Vec<_>>()));
    let res = w.upload("/api/v1/imports/students", &w.admin, tabular_xlsx(), xlsx(&sheet)).await.expect(200);
    assert_eq!((res.body["format"].as_str(), res.body["created"].as_u64()), (Some("xlsx"), Some(3000)));
}

/// The record `GET /imports/{id}` shows of the import `res` answered.
async fn record_of(w: &World, res: &Res, token: &str) -> Value {
    let id = res.body["import_id"].as_str().expect("a real import has an id");
    w.app.get(&format!("/api/v1/imports/{id}"), token).await.expect(200).body
}

async fn records(w: &World, query: &str, token: &str) -> Vec<Value> {
    let res = w.app.get(&format!("/api/v1/imports{query}"), token).await.expect(200);
    res.body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_completed_import_is_recorded_with_its_counts_and_a_dry_run_is_not_recorded() {
    let w = world().await;
    let first = w.import_csv(&w.admin, &csv(&many(3))).await.expect(200);
    let run = record_of(&w, &first, &w.admin).await;
    assert_eq!(run["state"], "completed");
    assert_eq!(run["kind"], "students");
    assert_eq!((run["rows"].as_u64(), run["created"].as_u64()), (Some(3), Some(3)));
    assert_eq!((run["updated"].as_u64(), run["unchanged"].as_u64()), (Some(0), Some(0)));
    assert_eq!((run["format"].as_str(), run["encoding"].as_str()), (Some("csv"), Some("utf-8")));
    assert_eq!(run["started_by_kind"], "user");
    assert!(run["college_id"].is_null() && run["error_code"].is_null());
    assert!(run["finished_at"].as_str().unwrap() >= run["started_at"].as_str().unwrap());

    // A dry run writes nothing, its record neither.
    let dry = w.upload("/api/v1/imports/students?dry_run=true", &w.admin, "text/csv", csv(&many(4))).await.expect(200);
    assert!(dry.body["import_id"].is_null());
    assert_eq!(records(&w, "", &w.admin).await.len(), 1);

    // A form upload records its file name; the second run changes one row and leaves two.
    let mut rows = many(3);
    rows[0] = row("202300000", "改名");
    let (content_type, body) = multipart("学生名单.csv", "text/csv", csv(&rows).as_bytes());
    let second = w.upload("/api/v1/imports/students", &w.admin, &content_type, body).await.expect(200);
    let run = record_of(&w, &second, &w.admin).await;
    assert_eq!((run["state"].as_str(), run["file_name"].as_str()), (Some("completed"), Some("学生名单.csv")));
    assert_eq!(
        (run["created"].as_u64(), run["updated"].as_u64(), run["unchanged"].as_u64()),
        (Some(0), Some(1), Some(2))
    );
    let listed = records(&w, "", &w.admin).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], second.body["import_id"], "newest first");
    assert_eq!(listed[1]["id"], first.body["import_id"]);
}

#[actix_web::test]
async fn an_import_with_bad_rows_is_recorded_failed_with_its_error_code_and_writes_nothing() {
    let w = world().await;
    let mut rows = many(5);
    rows[1] = row("bad-no", "甲");
    rows[3] = "2023000099,乙,女,无此学院,,硕士,2023,中共党员,,,".to_owned();
    let res = w.import_csv(&w.admin, &csv(&rows)).await.expect(422);
    assert_eq!(res.body["code"], "import_failed");
    let failed = records(&w, "?state=failed", &w.admin).await;
    assert_eq!(failed.len(), 1);
    let run = &failed[0];
    assert_eq!((run["error_code"].as_str(), run["error_count"].as_u64()), (Some("import_failed"), Some(2)));
    assert_eq!(run["rows"], 5);
    assert!(run["created"].is_null() && run["finished_at"].is_string());
    assert!(w.students().await.is_empty(), "a failed import wrote students");
    assert!(records(&w, "?state=completed", &w.admin).await.is_empty());
}

#[actix_web::test]
async fn college_admins_read_their_colleges_import_records_only_and_other_roles_none() {
    let w = world().await;
    let cs_admin = w.app.user(&w.admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": w.cs})).await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": w.ee})).await;
    let cs_run = w.import_csv(&cs_admin, &csv(&[row("2023001", "李华")])).await.expect(200);
    let ee_file = "学号,姓名,性别,学院,培养层次,入学年份,政治面貌\n2024001,孙八,男,EE,硕士,2024,群众\n";
    let ee_run = w.import_csv(&ee_admin, ee_file).await.expect(200);
    let staff =
        w.upload("/api/v1/imports/staff", &w.admin, "text/csv", "工号,姓名,学院\nT002,张三,CS\n").await.expect(200);

    let mine = records(&w, "?page_size=100", &cs_admin).await;
    assert_eq!(mine.len(), 1);
    assert_eq!((&mine[0]["id"], mine[0]["college_id"].as_str()), (&cs_run.body["import_id"], Some(w.cs.as_str())));
    assert_eq!(record_of(&w, &cs_run, &cs_admin).await["state"], "completed");
    let other = ee_run.body["import_id"].as_str().unwrap();
    assert_eq!(w.app.get(&format!("/api/v1/imports/{other}"), &cs_admin).await.expect(404).code(), "not_found");
    let university = staff.body["import_id"].as_str().unwrap();
    w.app.get(&format!("/api/v1/imports/{university}"), &cs_admin).await.expect(404);
    assert_eq!(records(&w, "", &w.admin).await.len(), 3);

    // Filters.
    let by_kind = records(&w, "?kind=staff", &w.admin).await;
    assert_eq!(by_kind.len(), 1);
    assert_eq!(by_kind[0]["id"], staff.body["import_id"]);
    assert_eq!(records(&w, "?kind=students&state=completed", &w.admin).await.len(), 2);
    assert!(records(&w, "?state=running", &w.admin).await.is_empty());
    for bad in ["?state=done", "?kind=teachers", "?sort=started_at"] {
        let res = w.app.get(&format!("/api/v1/imports{bad}"), &w.admin).await;
        assert!(matches!(res.status.as_u16(), 400 | 422), "{bad}: {}", res.status);
        assert!(res.header("content-type").unwrap().starts_with("application/problem+json"), "{bad}");
        assert!(!res.code().is_empty());
    }

    // Nobody else reads them; a client that may import reads them all.
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.cs})).await;
    let student_id = w.app.student(&w.admin, &w.cs, "2023777", json!({})).await;
    let student = w.app.user(&w.admin, "cs-student", Role::Student, json!({"student_id": student_id})).await;
    let cs_id = cs_run.body["import_id"].as_str().unwrap();
    for token in [&counselor, &student] {
        assert_eq!(w.app.get("/api/v1/imports", token).await.expect(403).code(), "forbidden");
        w.app.get(&format!("/api/v1/imports/{cs_id}"), token).await.expect(403);
    }
    let reader = w.client(json!(["students:read"])).await;
    w.app.get("/api/v1/imports", &reader).await.expect(403);
    let importer = w.client(json!(["import"])).await;
    assert_eq!(records(&w, "", &importer).await.len(), 3);
    w.app.send(w.app.request(Method::GET, "/api/v1/imports", None)).await.expect(401);
}

/// The admin as the server sees them, to start a record through the persistence layer the way
/// an import does.
async fn admin_principal(w: &World) -> domain::auth::Principal {
    let me = w.app.get("/api/v1/me", &w.admin).await.expect(200).body;
    domain::auth::Principal::User(domain::auth::UserPrincipal {
        id: me["id"].as_str().unwrap().parse().unwrap(),
        role: Role::UniversityAdmin,
        college_id: None,
        student_id: None,
        staff_id: None,
    })
}

#[actix_web::test]
async fn an_import_left_running_by_a_killed_server_reads_interrupted_once_the_grace_passed_and_a_live_one_running() {
    use persistence::imports::{ImportSource, runs};
    let w = world().await;
    let who = admin_principal(&w).await;
    // A killed server: the record was committed `running`, and nothing holds it any more.
    let killed =
        runs::start(&w.app.db, &who, domain::import::ImportKind::Staff, &ImportSource::default(), 10).await.unwrap();
    let killed_id = killed.id();
    drop(killed);
    // A live import: this process runs it and (on PostgreSQL) its transaction holds the record.
    let live =
        runs::start(&w.app.db, &who, domain::import::ImportKind::Students, &ImportSource::default(), 5).await.unwrap();
    let tx = if w.app.is_postgres() {
        let tx = w.app.db.begin().await.unwrap();
        runs::hold(&tx, live.id()).await.unwrap();
        Some(tx)
    } else {
        None
    };
    let state = |id: uuid::Uuid| {
        let (app, admin) = (&w.app, &w.admin);
        async move { app.get(&format!("/api/v1/imports/{id}"), admin).await.expect(200).body }
    };

    // Within the grace both read `running` (the instant between a record's commit and its lock).
    assert_eq!(state(killed_id).await["state"], "running");
    assert_eq!(state(live.id()).await["state"], "running");

    w.app.advance_clock(chrono::Duration::seconds(6));
    let gone = state(killed_id).await;
    assert_eq!(gone["state"], "interrupted");
    assert!(gone["finished_at"].is_null(), "an interrupted import never finished");
    assert_eq!(state(live.id()).await["state"], "running");
    let interrupted = records(&w, "?state=interrupted", &w.admin).await;
    assert_eq!(interrupted.len(), 1);
    assert_eq!(interrupted[0]["id"], killed_id.to_string());
    assert_eq!(records(&w, "?state=running", &w.admin).await.len(), 1);

    // Once the live one ends without completing (its transaction gone), it is a leftover too.
    let live_id = live.id();
    if let Some(tx) = tx {
        tx.rollback().await.unwrap();
    }
    drop(live);
    assert_eq!(state(live_id).await["state"], "interrupted");
}

#[actix_web::test]
async fn a_real_import_waiting_on_its_locks_reads_running_past_the_grace_on_postgresql() {
    use sea_orm::ConnectionTrait;
    let w = world().await;
    if !w.app.is_postgres() {
        // SQLite runs one writer: an import that waits, waits before its record is written.
        return;
    }
    // Another transaction holds the staff table: the import takes its record's lock, then waits.
    let blocker = w.app.db.begin().await.unwrap();
    blocker.execute_unprepared("LOCK TABLE staff IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let req = w
        .app
        .request(Method::POST, "/api/v1/imports/staff", Some(&w.admin))
        .header("content-type", "text/csv")
        .body("工号,姓名,学院\nT009,钱七,CS\n");
    let inflight = tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
    let mut running = Vec::new();
    for _ in 0..100 {
        running = records(&w, "?state=running", &w.admin).await;
        if !running.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(running.len(), 1, "the import's record never showed up running");
    // The record is committed just before the import's transaction begins and takes its lock (its
    // first statement); the import then waits on the staff table. Only once it waits does it hold
    // its record: wait for that before the clock jumps past the grace. (A sweep in the gap reads
    // `interrupted`, and the import's commit sets `completed` over it: see `runs::complete`.)
    let reader = w.app.db.reader();
    let mut waiting = 0;
    for _ in 0..100 {
        let row = reader
            .query_one_raw(sea_orm::Statement::from_string(
                reader.get_database_backend(),
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            ))
            .await
            .unwrap()
            .unwrap();
        waiting = row.try_get::<i64>("", "n").unwrap();
        if waiting > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(waiting, 1, "the import never waited on the staff table");
    w.app.advance_clock(chrono::Duration::seconds(30));
    let id = running[0]["id"].as_str().unwrap().to_owned();
    let held = w.app.get(&format!("/api/v1/imports/{id}"), &w.admin).await.expect(200).body;
    assert_eq!(held["state"], "running", "a live import was taken for an interrupted one");

    blocker.rollback().await.unwrap();
    assert_eq!(inflight.await.unwrap().unwrap(), 200);
    let done = w.app.get(&format!("/api/v1/imports/{id}"), &w.admin).await.expect(200).body;
    assert_eq!((done["state"].as_str(), done["created"].as_u64()), (Some("completed"), Some(1)));
}

/// Names that need quoting on their way to the database (quotes, backslashes, braces, commas, a
/// literal `NULL`) are stored exactly, and optional cells left empty are stored as null: an
/// import's rows travel as one array per column on PostgreSQL, and each element must survive it.
#[actix_web::test]
async fn names_with_quotes_backslashes_braces_and_null_are_stored_exactly() {
    let w = world().await;
    let names = [r#"O"Brien"#, r"反\斜杠", "{括号}", "逗,号", "NULL", r#"\"{,}"\"#];
    let mut file = String::from(HEADER);
    for (i, name) in names.iter().enumerate() {
        let quoted = name.replace('"', "\"\"");
        file.push_str(&format!("\n2023{i:05},\"{quoted}\",女,计算机学院,,硕士,2023,中共党员,,,"));
    }
    file.push('\n');
    let res = w.import_csv(&w.admin, &file).await.expect(200);
    assert_eq!(res.body["created"], names.len());
    let students = w.students().await;
    let stored: Vec<&str> = students.iter().map(|s| s["name"].as_str().unwrap()).collect();
    let mut expected = names.to_vec();
    let mut got = stored.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    for s in &students {
        assert!(s["unit_id"].is_null() && s["supervisor_id"].is_null(), "{s}");
        assert!(s["phone"].is_null() && s["email"].is_null(), "{s}");
    }
    let events = w.events().await;
    let imported: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "student.imported")
        .map(|e| e["data"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(imported, names, "one event per row, in file order, with the stored name");
}

/// An import's events are numbered consecutively in file order, and a reader following the feed
/// while the import and single writes run at once sees every event once, in order, none skipped
/// (on PostgreSQL the single writes number theirs at commit while the import holds its block).
#[actix_web::test]
async fn an_imports_events_are_consecutive_in_file_order_and_a_reader_during_it_misses_nothing() {
    const ROWS: usize = 3000;
    let w = world().await;
    let done = std::cell::Cell::new(false);
    let writes = async {
        let file = csv(&many(ROWS));
        let import = w.import_csv(&w.admin, &file);
        let singles = async {
            for i in 0..20 {
                w.app.student(&w.admin, &w.cs, &format!("2024{i:05}"), json!({})).await;
            }
        };
        let (res, ()) = futures_util::join!(import, singles);
        res.expect(200);
        done.set(true);
    };
    let reader = async {
        let (mut seen, mut after, mut polls) = (Vec::new(), 0i64, 0);
        loop {
            let finished = done.get();
            let res = w.app.get(&format!("/api/v1/events?after={after}&limit=1000"), &w.admin).await.expect(200);
            let items = res.body["items"].as_array().unwrap();
            seen.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
            after = res.body["next_cursor"].as_i64().unwrap();
            polls += 1;
            if finished && items.is_empty() {
                return (seen, polls);
            }
        }
    };
    let ((), (seen, polls)) = futures_util::join!(writes, reader);
    assert!(polls > 1, "the reader polled while the import ran ({polls} polls)");
    let all = w.events().await;
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "the final feed is gap-free and ordered");
    assert_eq!(seen, seqs, "the reader saw every event once, in order, none skipped");
    let imported: Vec<(i64, &str)> = all
        .iter()
        .filter(|e| e["type"] == "student.imported")
        .map(|e| (e["seq"].as_i64().unwrap(), e["data"]["student_no"].as_str().unwrap()))
        .collect();
    let in_file: Vec<String> = (0..ROWS).map(|i| format!("2023{i:05}")).collect();
    assert_eq!(imported.iter().map(|(_, no)| *no).collect::<Vec<_>>(), in_file, "in file order");
    let first = imported[0].0;
    assert!(
        imported.iter().enumerate().all(|(i, (seq, _))| *seq == first + i as i64),
        "an import's events are consecutive"
    );
}
