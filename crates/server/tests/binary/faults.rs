//! Faults an operator meets: the process killed with SIGKILL in the middle of an import, a
//! PostgreSQL server that stops and comes back (a private cluster this test starts on a port of
//! its own), and a soak of mixed reads and writes. The last two are long or need PostgreSQL's
//! server binaries: they run when `XUEZHANG_FAULTS=1` / `XUEZHANG_SOAK_SECS` are set (`make
//! check-reliability`); the first runs everywhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::support::*;

/// A staff import of `rows` rows.
fn staff_csv(rows: usize) -> String {
    let mut s = String::from("工号,姓名,学院,是否导师,手机\n");
    for i in 0..rows {
        s.push_str(&format!("K{i:07},教师{i},CS,是,139{i:08}\n"));
    }
    s
}

async fn count(server: &Server, token: &str, path: &str) -> u64 {
    server.get(path, token).await.expect(200).body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn kill_9_in_the_middle_of_an_import_leaves_nothing_half_written() {
    const ROWS: usize = 30_000;
    let db = scratch_database().await;
    create_admin(&db.url, "admin");
    let mut server = Server::start(command(&db.url), &[]);
    let token = server.login("admin", PASSWORD).await;
    server.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201);
    // How long the whole import takes, measured as a dry run (everything but the writes).
    let body = staff_csv(ROWS);
    let started = Instant::now();
    let dry = server
        .send(
            server
                .request(Method::POST, "/api/v1/imports/staff?dry_run=true", Some(&token))
                .header("content-type", "text/csv")
                .body(body.clone()),
        )
        .await
        .expect(200);
    assert_eq!(dry.body["created"], ROWS);
    let dry_run_took = started.elapsed();

    let req = server
        .request(Method::POST, "/api/v1/imports/staff", Some(&token))
        .header("content-type", "text/csv")
        .body(body.clone());
    let inflight = tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
    // Killed once the import is well under way: after most of what a dry run takes.
    tokio::time::sleep(dry_run_took.mul_f64(0.8)).await;
    server.kill();
    let answer = inflight.await.unwrap();
    assert!(answer.is_err(), "the import answered before the kill ({answer:?}); it was not in flight");
    drop(server);

    // The next start recovers the database; the import either happened whole or not at all, and
    // the audit log (where each import is recorded, in the same transaction) agrees.
    let server = Server::start(command(&db.url), &[]);
    let token = server.login("admin", PASSWORD).await;
    let staff = count(&server, &token, "/api/v1/staff?page_size=1").await;
    let recorded = count(&server, &token, "/api/v1/audit-events?action=staff.import&page_size=1").await;
    eprintln!(
        "kill -9 after {:?} of a {dry_run_took:?} dry run: {staff} staff, {recorded} import records",
        dry_run_took.mul_f64(0.8)
    );
    assert!(staff == 0 || staff == ROWS as u64, "half an import was written: {staff} of {ROWS}");
    assert_eq!(recorded, if staff == 0 { 0 } else { 1 }, "the import record and the rows disagree");
    // The import's own record says whether it completed. It is committed `running` once the
    // file is read and parsed, before the import's transaction begins; a kill while the server
    // still read the file (possible on a loaded machine: reading is most of a dry run) leaves no
    // record, and no rows. A record younger than the grace of a few seconds still reads
    // `running` (it could be an import about to lock it); past it, nothing holding it, it reads
    // `interrupted`.
    let deadline = Instant::now() + Duration::from_secs(20);
    let run = loop {
        let runs = server.get("/api/v1/imports?kind=staff", &token).await.expect(200).body;
        assert!(runs["total"].as_u64() <= Some(1), "one import was started: {runs}");
        let run = runs["items"].get(0).cloned();
        if run.as_ref().is_none_or(|r| r["state"] != "running") || Instant::now() > deadline {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    match run {
        None => {
            eprintln!("the kill came before the import's record was committed (the file was being read)");
            assert_eq!(staff, 0, "rows were written by an import that has no record");
        }
        Some(run) if staff == 0 => {
            eprintln!("the killed import's record: {run}");
            assert_eq!(run["state"], "interrupted", "no rows, yet the record says otherwise: {run}");
            assert!(run["finished_at"].is_null() && run["created"].is_null());
        }
        Some(run) => {
            eprintln!("the killed import's record: {run}");
            assert_eq!(run["state"], "completed", "every row, yet the record says otherwise: {run}");
            assert_eq!(run["created"], ROWS);
        }
    }
    let feed_created = staff;
    assert!(feed_created == 0 || feed_created == ROWS as u64);

    // The same file imports whole afterwards.
    let res = server
        .send(
            server
                .request(Method::POST, "/api/v1/imports/staff", Some(&token))
                .header("content-type", "text/csv")
                .body(body),
        )
        .await
        .expect(200);
    assert_eq!(res.body["created"].as_u64().unwrap() + res.body["unchanged"].as_u64().unwrap(), ROWS as u64);
    assert_eq!(count(&server, &token, "/api/v1/staff?page_size=1").await, ROWS as u64);
    let runs = server.get("/api/v1/imports?kind=staff", &token).await.expect(200).body;
    assert_eq!(runs["items"][0]["state"], "completed", "{runs}");
    server.stop();
}

/// A PostgreSQL cluster of this test's own, on a free port, run as the `postgres` user.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

fn as_postgres(program: &Path, args: &[&str]) -> std::process::Output {
    Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args)
        .output()
        .expect("run a PostgreSQL tool")
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .max()?;
        let dir = tempfile::tempdir().ok()?;
        Command::new("chown").args(["-R", "postgres"]).arg(dir.path()).status().ok()?;
        let data = dir.path().join("data");
        let out = as_postgres(&bin.join("initdb"), &["-D", data.to_str()?, "-A", "trust", "-U", "postgres"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let c = Cluster { bin, data, port, _dir: dir };
        c.pg_ctl("start");
        Some(c)
    }

    fn pg_ctl(&self, action: &str) {
        let opts = format!("-p {} -c listen_addresses=127.0.0.1 -k {}", self.port, self._dir.path().display());
        let log = self._dir.path().join("log");
        let args: Vec<&str> = match action {
            "start" => vec!["-D", self.data.to_str().unwrap(), "-o", &opts, "-l", log.to_str().unwrap(), "-w", "start"],
            _ => vec!["-D", self.data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        };
        let out = as_postgres(&self.bin.join("pg_ctl"), &args);
        assert!(out.status.success(), "pg_ctl {action}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", self.data.to_str().unwrap_or(""), "-m", "immediate", "-w", "stop"],
        );
    }
}

fn faults_enabled() -> bool {
    std::env::var("XUEZHANG_FAULTS").is_ok_and(|v| v == "1")
}

#[tokio::test]
async fn a_stopped_postgresql_is_503_within_2_s_and_the_server_recovers_when_it_is_back() {
    if !faults_enabled() {
        eprintln!("skipped: set XUEZHANG_FAULTS=1 (make check-reliability) to stop a private PostgreSQL");
        return;
    }
    let cluster = Cluster::start().expect("a private PostgreSQL cluster (initdb, pg_ctl, runuser)");
    create_admin(&cluster.url(), "admin");
    let server = Server::start(command(&cluster.url()), &[]);
    let token = server.login("admin", PASSWORD).await;
    server.get("/api/v1/students", &token).await.expect(200);

    cluster.pg_ctl("stop");
    let srv = &server;
    let timed = |method: Method, path: &str, token: Option<&str>| {
        let req = srv.request(method, path, token);
        async move {
            let started = Instant::now();
            let res = srv.send(req).await;
            (res, started.elapsed())
        }
    };
    let (res, took) = timed(Method::GET, "/healthz", None).await;
    assert_eq!(res.status, 200);
    assert!(took < Duration::from_millis(200), "/healthz took {took:?}");
    let (res, took) = timed(Method::GET, "/readyz", None).await;
    assert_eq!((res.status.as_u16(), res.body["code"].as_str()), (503, Some("unavailable")));
    assert!(took < Duration::from_millis(1500), "/readyz took {took:?}");
    eprintln!("PostgreSQL stopped: /readyz 503 in {took:?}");
    for path in ["/api/v1/students", "/api/v1/me"] {
        let (res, took) = timed(Method::GET, path, Some(&token)).await;
        assert_eq!(
            (res.status.as_u16(), res.body["code"].as_str()),
            (503, Some("unavailable")),
            "{path}: {}",
            res.text
        );
        assert!(took < Duration::from_secs(2), "{path} took {took:?}");
        eprintln!("PostgreSQL stopped: {path} 503 in {took:?}");
    }

    cluster.pg_ctl("start");
    let back = Instant::now();
    loop {
        let (res, _) = timed(Method::GET, "/readyz", None).await;
        if res.status == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(10), "no recovery: {}", res.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("PostgreSQL back: ready again after {:?}", back.elapsed());
    server.get("/api/v1/students", &token).await.expect(200);
    server.stop();
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The most resident memory the soak allows the server.
const RSS_BOUND_MIB: u64 = 256;

#[tokio::test]
async fn a_soak_of_mixed_reads_and_writes_has_no_5xx_and_bounded_memory() {
    let Some(secs) = std::env::var("XUEZHANG_SOAK_SECS").ok().and_then(|v| v.parse::<u64>().ok()) else {
        eprintln!("skipped: set XUEZHANG_SOAK_SECS (make check-reliability) for the soak");
        return;
    };
    let db = scratch_database().await;
    create_admin(&db.url, "admin");
    let server = Arc::new(Server::start(command(&db.url), &[]));
    let pid = server.pid();
    let token = server.login("admin", PASSWORD).await;
    let college =
        server.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201).id();
    let (ok, client_errors, server_errors) =
        (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let until = Instant::now() + Duration::from_secs(secs);
    let mut workers = Vec::new();
    for w in 0..8u64 {
        let (server, token, college) = (Arc::clone(&server), token.clone(), college.clone());
        let (ok, client_errors, server_errors) =
            (Arc::clone(&ok), Arc::clone(&client_errors), Arc::clone(&server_errors));
        workers.push(tokio::spawn(async move {
            let mut i = 0u64;
            while Instant::now() < until {
                i += 1;
                let res = match (w + i) % 8 {
                    0 => {
                        server
                            .post(
                                "/api/v1/students",
                                &token,
                                json!({"student_no": format!("S{w}{i:07}"), "name": "学生",
                        "gender": "female", "college_id": college, "degree": "master", "enrollment_year": 2024,
                        "political_status": "party_member"}),
                            )
                            .await
                    }
                    1 => {
                        server
                            .send(
                                server
                                    .request(Method::POST, "/api/v1/imports/staff", Some(&token))
                                    .header("content-type", "text/csv")
                                    .body(format!("工号,姓名,学院\nW{w}{i:06},教师,CS\n")),
                            )
                            .await
                    }
                    2 => server.get("/api/v1/students?q=%E5%AD%A6&page_size=50", &token).await,
                    3 => server.get("/api/v1/staff?page_size=100&sort=-staff_no", &token).await,
                    4 => server.get("/api/v1/exports/students?format=json", &token).await,
                    5 => server.get("/api/v1/me", &token).await,
                    6 => server.send(server.request(Method::GET, "/readyz", None)).await,
                    _ => server.post("/api/v1/students", &token, json!({"student_no": "bad no!", "name": ""})).await,
                };
                let counter = if res.status.is_server_error() {
                    eprintln!("5xx: {} {}", res.status, res.text);
                    &server_errors
                } else if res.status.is_client_error() {
                    &client_errors
                } else {
                    &ok
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut peak = 0;
    while Instant::now() < until {
        peak = peak.max(rss_kib(pid));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for w in workers {
        w.await.unwrap();
    }
    peak = peak.max(rss_kib(pid));
    let (ok, client_errors, server_errors) =
        (ok.load(Ordering::Relaxed), client_errors.load(Ordering::Relaxed), server_errors.load(Ordering::Relaxed));
    eprintln!(
        "soak on {}: {secs} s, 8 clients, {} requests ({:.0}/s): {ok} 2xx, {client_errors} 4xx, {server_errors} 5xx; peak RSS {} MiB (bound {RSS_BOUND_MIB} MiB)",
        if db.is_postgres() { "PostgreSQL" } else { "SQLite" },
        ok + client_errors + server_errors,
        (ok + client_errors + server_errors) as f64 / secs as f64,
        peak / 1024
    );
    assert_eq!(server_errors, 0);
    assert!(peak / 1024 < RSS_BOUND_MIB, "peak RSS {} MiB", peak / 1024);
    assert!(ok > 0);
}
