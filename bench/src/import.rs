//! `import`: 100,000 students in one CSV, posted over HTTP to the real app, on a fresh SQLite file
//! and on a throw-away PostgreSQL database. Three runs each: the first creates every student, the
//! second finds them all unchanged, the third changes every one. The first is held to its own
//! dry run (the same file, checked and not written) and measured for memory: the peak resident
//! size of this process (which runs the server) during it, and what it keeps 60 s after the last.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};
use xuezhang_http::{Application, Settings};

use crate::{Figure, Measurement, on_each_database, timed};

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
/// (`created`, `updated`, `unchanged`). `path` may carry a query (`?dry_run=true`).
async fn import(
    http: &reqwest::Client,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
    expect: &str,
) -> Result<std::time::Duration, String> {
    let request = http.post(path).bearer_auth(token).header("content-type", content_type).body(body);
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

    let before = self_kb("VmRSS:") / 1024.0;
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
    let path = format!("{base}/imports/students");
    // The dry run: parsed and checked like the real one, nothing written.
    reset_peak();
    let dry =
        import(&http, &format!("{path}?dry_run=true"), &token, "text/csv", students_csv(0).into_bytes(), "created")
            .await
            .map_err(|e| format!("dry run: {e}"))?;
    let dry_peak = self_kb("VmHWM:") / 1024.0;
    let mut created = None;
    for (note, variant, field) in
        [("create", 0, "created"), ("re-import: unchanged", 0, "unchanged"), ("update all", 1, "updated")]
    {
        let body = students_csv(variant).into_bytes();
        let bytes = body.len();
        reset_peak();
        let elapsed =
            import(&http, &path, &token, "text/csv", body, field).await.map_err(|e| format!("{note}: {e}"))?;
        if created.is_none() {
            created = Some((elapsed, self_kb("VmHWM:") / 1024.0));
        }
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
    let elapsed = import(&http, &path, &token, xlsx, book, "unchanged").await.map_err(|e| format!("xlsx: {e}"))?;
    out.push(Measurement {
        scenario: "import 100k students (xlsx)".into(),
        target: target.into(),
        items: ROWS as u64,
        elapsed,
        note: format!("re-import: unchanged, {:.1} MB over HTTP", bytes as f64 / 1e6),
        figure: None,
    });
    let (created, peak) = created.ok_or("no create run")?;
    let (value, ceiling) = (created.as_secs_f64(), dry.as_secs_f64());
    let at_most = if target == "sqlite" { 3.0 } else { 4.0 };
    let ratio = if ceiling > 0.0 { value / ceiling } else { 0.0 };
    out.push(Measurement {
        scenario: "import vs its dry run".into(),
        target: target.into(),
        items: ROWS as u64,
        elapsed: created,
        note: format!("create {value:.2} s, dry run {ceiling:.2} s: {ratio:.1}×"),
        figure: Some(Figure {
            name: "import 100,000 students (csv) vs its own dry run".into(),
            database: target.into(),
            value,
            unit: "s".into(),
            ceiling,
            ratio,
            target: format!("≤ {at_most:.0}× its dry run"),
            met: ratio <= at_most,
        }),
    });
    out.push(Measurement {
        scenario: "import peak RSS".into(),
        target: target.into(),
        items: ROWS as u64,
        elapsed: created,
        note: format!("peak RSS of the process serving the import {peak:.0} MB (its dry run {dry_peak:.0} MB)"),
        figure: Some(Figure {
            name: "peak RSS during the 100,000-student import".into(),
            database: target.into(),
            value: peak,
            unit: "MB".into(),
            ceiling: dry_peak,
            ratio: if dry_peak > 0.0 { peak / dry_peak } else { 0.0 },
            target: "≤ 250 MB".into(),
            met: peak <= 250.0,
        }),
    });
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    let kept = self_kb("VmRSS:") / 1024.0;
    out.push(Measurement {
        scenario: "import RSS 60 s after".into(),
        target: target.into(),
        items: ROWS as u64,
        elapsed: std::time::Duration::from_secs(60),
        note: format!("RSS kept 60 s after the imports {kept:.0} MB (before them {before:.0} MB)"),
        figure: Some(Figure {
            name: "RSS 60 s after the imports".into(),
            database: target.into(),
            value: kept,
            unit: "MB".into(),
            ceiling: before,
            ratio: if before > 0.0 { kept / before } else { 0.0 },
            target: "≤ 100 MB".into(),
            met: kept <= 100.0,
        }),
    });
    handle.stop(true).await;
    Ok(out)
}

/// A field of this process's `/proc/self/status`, in kB.
fn self_kb(field: &str) -> f64 {
    crate::web::status_kb(std::process::id(), field)
}

/// Resets this process's peak resident size (`VmHWM`), so the next reading is the peak since now.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
