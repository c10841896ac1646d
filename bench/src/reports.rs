//! `reports`: the reports of issue 16 on a university-sized year (see `dataset`), as the
//! university admin (every college at once, the heaviest scope), over HTTP to the real app, on
//! SQLite and PostgreSQL. Each report is asked once to warm up, then `RUNS` times; the median is
//! held to the 300 ms target and set beside a ceiling measured in the same run on the same
//! database: one grouped pass over the year's 200,000 work records (what any per-college report
//! must at least read), through the same pool. `compare_to` compares the year with the year before
//! (see `dataset`), a different year with its own rows.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use xuezhang_http::{Application, Settings};

use crate::dataset::{UNIVERSITY, generate};
use crate::{Figure, Measurement, on_each_database};

const PASSWORD: &str = "bench-Passw0rd-长江";
const RUNS: usize = 9;
/// The target for every report on a university-sized year.
const TARGET_MS: f64 = 300.0;

/// The scenario.
pub fn run() -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Measurement>>>> {
    Box::pin(on_each_database("reports", on))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

async fn on(target: String, url: String) -> Result<Vec<Measurement>, String> {
    let mut settings = Settings::for_database(&url);
    settings.jwt_secret = Some("bench-secret-bench-secret-bench-secret".into());
    settings.workers = 2;
    let app = Application::build(settings).await.map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    persistence::accounts::create_admin(app.db(), "bench", PASSWORD).await.map_err(|e| e.to_string())?;

    let started = Instant::now();
    let txn = app.db().begin().await.map_err(|e| e.to_string())?;
    let year = generate(&txn, &UNIVERSITY).await?;
    txn.commit().await.map_err(|e| e.to_string())?;
    // PostgreSQL: what autovacuum does to a table after this many inserts — statistics, and the
    // visibility map that lets a statement answered by an index skip the table's rows (ANALYZE
    // alone, inside the generating transaction, leaves every page "not all visible").
    // (On PostgreSQL the reader pool is the one pool, outside any transaction.)
    if !app.db().is_sqlite() {
        app.db().reader().execute_unprepared("VACUUM ANALYZE").await.map_err(|e| format!("vacuum: {e}"))?;
    }
    let mut out = vec![Measurement {
        scenario: "reports: generate the year".into(),
        target: target.clone(),
        items: year.rows,
        elapsed: started.elapsed(),
        note: "60k students, 5k mentors, 20k pairings, 2k activities, 200k records".into(),
        figure: None,
    }];

    let reader = app.db().reader().clone();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "password"), ("username", "bench"), ("password", PASSWORD)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let token: Value = login.json().await.map_err(|e| e.to_string())?;
    let token = token["access_token"].as_str().ok_or("no access token")?.to_owned();

    // The ceiling: one grouped pass over the year's work records, straight through the pool.
    let backend = reader.get_database_backend();
    let ceiling_sql = Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "SELECT w.college_id, COUNT(*), SUM(w.minutes) FROM work_records w \
                 JOIN appointments a ON a.id = w.appointment_id WHERE a.academic_year_id = $1 GROUP BY w.college_id"
            }
            _ => {
                "SELECT w.college_id, COUNT(*), SUM(w.minutes) FROM work_records w \
                 JOIN appointments a ON a.id = w.appointment_id WHERE a.academic_year_id = ? GROUP BY w.college_id"
            }
        },
        [year.academic_year_id.into()],
    );
    let mut ceiling_runs = Vec::new();
    for i in 0..=RUNS {
        let t = Instant::now();
        let rows = reader.query_all_raw(ceiling_sql.clone()).await.map_err(|e| e.to_string())?;
        if rows.is_empty() {
            return Err("the ceiling query found no work records".into());
        }
        if i > 0 {
            ceiling_runs.push(t.elapsed());
        }
    }
    let ceiling = median(ceiling_runs);

    let (y, p) = (year.academic_year_id, year.previous_academic_year_id);
    let reports: Vec<(&str, String)> = vec![
        ("compliance", format!("/reports/compliance?academic_year_id={y}")),
        ("college-assessment", format!("/reports/college-assessment?academic_year_id={y}")),
        ("college-assessment (csv)", format!("/reports/college-assessment?academic_year_id={y}&format=csv")),
        ("college-assessment compare_to", format!("/reports/college-assessment?academic_year_id={y}&compare_to={p}")),
        ("inactive-mentors", format!("/reports/inactive-mentors?academic_year_id={y}&days=30")),
        ("overview", format!("/reports/overview?academic_year_id={y}")),
        ("overview.svg", format!("/reports/overview.svg?academic_year_id={y}&chart=records_per_week")),
        ("performance (one mentor)", format!("/appointments/{}/performance", year.an_appointment)),
    ];
    for (name, path) in reports {
        let mut runs = Vec::new();
        let mut bytes = 0;
        for i in 0..=RUNS {
            let t = Instant::now();
            let res = http.get(format!("{base}{path}")).bearer_auth(&token).send().await.map_err(|e| e.to_string())?;
            let status = res.status();
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            let elapsed = t.elapsed();
            if !status.is_success() {
                return Err(format!("{name}: {status} {}", String::from_utf8_lossy(&body)));
            }
            bytes = body.len();
            if i > 0 {
                runs.push(elapsed);
            }
        }
        let value = median(runs);
        let ms = value.as_secs_f64() * 1e3;
        let ceiling_ms = ceiling.as_secs_f64() * 1e3;
        out.push(Measurement {
            scenario: format!("report {name}"),
            target: target.clone(),
            items: 1,
            elapsed: value,
            note: format!(
                "median of {RUNS}, {bytes} B; ceiling (one pass over the records) {ceiling_ms:.1} ms; target ≤ {TARGET_MS} ms"
            ),
            figure: Some(Figure {
                name: format!("report {name}"),
                database: target.clone(),
                value: ms,
                unit: "ms".into(),
                ceiling: ceiling_ms,
                ratio: if ceiling_ms > 0.0 { ms / ceiling_ms } else { 0.0 },
                target: format!("≤ {TARGET_MS} ms"),
                met: ms <= TARGET_MS,
            }),
        });
    }
    handle.stop(true).await;
    Ok(out)
}
