//! `import`: 100,000 students in one CSV, posted over HTTP to the real app, on a fresh SQLite file
//! and on a throw-away PostgreSQL database. Three runs each: the first creates every student, the
//! second finds them all unchanged, the third changes every one.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};
use xuezhang_http::{Application, Settings};

use crate::{Measurement, on_each_database, timed};

/// Students per file.
const ROWS: usize = 100_000;

const PASSWORD: &str = "bench-Passw0rd-长江";

/// The scenario.
pub fn run() -> Pin<Box<dyn Future<Output = Vec<Measurement>>>> {
    Box::pin(on_each_database("import", |target, url| async move { on(&target, &url).await }))
}

/// One file of `ROWS` students; `variant` changes every phone number.
fn students_csv(variant: u32) -> String {
    let mut s = String::with_capacity(ROWS * 110);
    s.push_str("学号,姓名,性别,学院,专业/学科方向,培养层次,入学年份,政治面貌,导师,手机,邮箱\n");
    let statuses = ["中共党员", "中共预备党员", "共青团员", "群众"];
    for i in 0..ROWS {
        let gender = if i % 2 == 0 { "男" } else { "女" };
        let degree = if i % 5 == 0 { "博士" } else { "硕士" };
        let year = 2020 + (i % 6);
        let status = statuses[i % statuses.len()];
        s.push_str(&format!(
            "2020{i:08},学生{i},{gender},计算机学院,CS-LAB1,{degree},{year},{status},T001,1{variant}{i:09},s{i}@stu.scu.edu.cn\n"
        ));
    }
    s
}

/// Posts one student import and times it; fails unless every row counts as `expect`
/// (`created`, `updated`, `unchanged`).
async fn import(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
    expect: &str,
) -> Result<std::time::Duration, String> {
    let request = http
        .post(format!("{base}/imports/students"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body);
    let (res, elapsed) = timed(async {
        let res = request.send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        let report: Value = res.json().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((status, report))
    })
    .await;
    let (status, report) = res?;
    if !status.is_success() || report[expect].as_u64() != Some(ROWS as u64) {
        return Err(format!("{status} {report}"));
    }
    Ok(elapsed)
}

/// The same students as a workbook, the way a sheet typed in Excel holds them (学号, years and
/// phone numbers as numbers).
fn students_xlsx(csv: &str) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        let r = u32::try_from(r).map_err(|e| e.to_string())?;
        for (c, v) in line.split(',').enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            match v.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r, c, n).map(|_| ()),
                _ => sheet.write_string(r, c, v).map(|_| ()),
            }
            .map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

async fn on(target: &str, url: &str) -> Result<Vec<Measurement>, String> {
    let mut settings = Settings::for_database(url);
    settings.jwt_secret = Some("bench-secret-bench-secret-bench-secret".into());
    settings.workers = 2;
    let app = Application::build(settings).await.map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    persistence::accounts::create_admin(app.db(), "bench", PASSWORD).await.map_err(|e| e.to_string())?;
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());

    let http = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut r = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let login = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "password"), ("username", "bench"), ("password", PASSWORD)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let token: Value = login.json().await.map_err(|e| e.to_string())?;
    let token = token["access_token"].as_str().ok_or("no access token")?.to_owned();
    let college: Value = post("/colleges", Some(&token), json!({"code": "CS", "name": "计算机学院"}))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let college = college["id"].as_str().ok_or("no college")?.to_owned();
    post(
        "/units",
        Some(&token),
        json!({"code": "CS-LAB1", "name": "智能系统实验室", "kind": "laboratory", "college_id": college}),
    )
    .await
    .map_err(|e| e.to_string())?;
    post(
        "/staff",
        Some(&token),
        json!({"staff_no": "T001", "name": "王老师", "college_id": college, "is_supervisor": true}),
    )
    .await
    .map_err(|e| e.to_string())?;

    let mut out = Vec::new();
    for (note, variant, field) in
        [("create", 0, "created"), ("re-import: unchanged", 0, "unchanged"), ("update all", 1, "updated")]
    {
        let body = students_csv(variant).into_bytes();
        let bytes = body.len();
        let elapsed =
            import(&http, &base, &token, "text/csv", body, field).await.map_err(|e| format!("{note}: {e}"))?;
        out.push(Measurement {
            scenario: "import 100k students (csv)".into(),
            target: target.into(),
            items: ROWS as u64,
            elapsed,
            note: format!("{note}, {:.1} MB over HTTP", bytes as f64 / 1e6),
            figure: None,
        });
    }
    // The same 100,000 students as an Excel workbook: read cell by cell, all unchanged.
    let book = students_xlsx(&students_csv(1))?;
    let bytes = book.len();
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let elapsed = import(&http, &base, &token, xlsx, book, "unchanged").await.map_err(|e| format!("xlsx: {e}"))?;
    out.push(Measurement {
        scenario: "import 100k students (xlsx)".into(),
        target: target.into(),
        items: ROWS as u64,
        elapsed,
        note: format!("re-import: unchanged, {:.1} MB over HTTP", bytes as f64 / 1e6),
        figure: None,
    });
    handle.stop(true).await;
    Ok(out)
}
