//! `web` and `list-100k`: xuezhang's release binary under load beside the raw ceiling
//! (`xuezhang-raw`, actix-web + sqlx: the same page in one query, the same four queries, the same
//! inserts in one transaction), both started the same way (`serve`, the same environment) on the
//! same database, measured in the same run, interleaved: for each of 3 rounds xuezhang then the
//! raw program, `wrk -t1 -c32 -d10s --latency` on loopback after a 2 s warm-up, the median of the
//! rounds kept.
//!
//! `web` (a fresh SQLite file, then a throw-away PostgreSQL database, each with 2,000 students):
//! `GET /api/v1/students?page_size=20` against `raw1` (and `raw4`), one worker — on SQLite also
//! with `RUST_LOG=warn` against the default `info`; `POST /api/v1/students` against the raw
//! transaction (one worker; on PostgreSQL also two); the idle RSS of each with the default
//! workers. `list-100k`: the list on PostgreSQL with 100,000 students: the default page (with its exact
//! total), the page with `count=none`, and the page after a cursor 50,000 rows down.
//!
//! Both binaries must be built first: `cargo build --release -p xuezhang -p xuezhang-bench` (as
//! `make bench` does); they are looked for beside this one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{Database, TransactionTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::{Figure, Measurement, on_each_database};

const PASSWORD: &str = "Load-Passw0rd-长江";
const SECRET: &str = "bench-secret-bench-secret-bench-secret";
const ROUNDS: usize = 3;
const WARM_UP: u32 = 2;
const LIST: &str = "/api/v1/students?page_size=20";
const LIST_UNCOUNTED: &str = "/api/v1/students?page_size=20&count=none";

/// Which page of the list xuezhang is asked for.
#[derive(Clone, Copy)]
enum Page {
    /// This path and query.
    Fixed(&'static str),
    /// The page after a cursor taken `n` rows down the list (by one `OFFSET` read per round, not
    /// measured): what a client walking the list by cursor asks for, at any depth.
    CursorAfter(u64),
}

/// Seconds of each measured wrk run: 10, or `XUEZHANG_BENCH_WRK_SECS` for a quick try of the
/// scenarios (figures so measured are not the issue's).
fn seconds() -> u32 {
    std::env::var("XUEZHANG_BENCH_WRK_SECS").ok().and_then(|v| v.parse().ok()).filter(|s| *s > 0).unwrap_or(10)
}

/// The scenario on 2,000 students.
pub fn run() -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Measurement>>>> {
    Box::pin(on_each_database("web", |target, url| async move { on(&target, &url).await }))
}

/// The list on PostgreSQL with 100,000 students.
pub fn run_100k() -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Measurement>>>> {
    Box::pin(on_each_database("list-100k", |target, url| async move {
        if target != "postgres" {
            return Ok(Vec::new());
        }
        let bins = Binaries::find()?;
        let dir = WorkDir::new()?;
        let college = prepare(&bins, &url, 100_000).await?;
        let _ = college;
        // The default page with its exact total, then the same page without a count, then a page
        // after a cursor half way down the list (issue 18): each against the same raw ceiling.
        let exact = list(&bins, &dir, &target, &url, false, Page::Fixed(LIST)).await?;
        let none = list(&bins, &dir, &target, &url, false, Page::Fixed(LIST_UNCOUNTED)).await?;
        let cursor = list(&bins, &dir, &target, &url, false, Page::CursorAfter(50_000)).await?;
        Ok(vec![
            exact.figure("GET /students?page_size=20, 100,000 students, 1 worker", &target, 0.50, &exact.raw1),
            none.figure("GET /students?page_size=20&count=none, 100,000 students, 1 worker", &target, 0.50, &none.raw1),
            cursor.figure(
                "GET /students?page_size=20&cursor=… (after 50,000 rows), 100,000 students, 1 worker",
                &target,
                0.50,
                &cursor.raw1,
            ),
        ])
    }))
}

/// The two release binaries.
struct Binaries {
    xuezhang: PathBuf,
    raw: PathBuf,
}

impl Binaries {
    fn find() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let dir = exe.parent().ok_or("no directory of the bench binary")?;
        let (xuezhang, raw) = (dir.join("xuezhang"), dir.join("xuezhang-raw"));
        for b in [&xuezhang, &raw] {
            if !b.exists() {
                return Err(format!("{} is missing: cargo build --release -p xuezhang -p xuezhang-bench", b.display()));
            }
        }
        Ok(Self { xuezhang, raw })
    }
}

/// A directory for the servers' logs and wrk's script, removed at the end.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("xuezhang-bench-web-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        Ok(Self(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Migrates the database with xuezhang, writes `students` students and a university admin.
/// Returns a college to create students in.
async fn prepare(bins: &Binaries, url: &str, students: usize) -> Result<Uuid, String> {
    let status = Command::new(&bins.xuezhang)
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("XUEZHANG_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("xuezhang migrate: {status}"));
    }
    let db = Database::connect(url).await.map_err(|e| e.to_string())?;
    let txn = db.begin().await.map_err(|e| e.to_string())?;
    let college = crate::dataset::roster(&txn, students).await?;
    txn.commit().await.map_err(|e| e.to_string())?;
    let _ = db.close().await;
    let mut admin = Command::new(&bins.xuezhang)
        .args(["create-admin", "--username", "bench", "--password-stdin"])
        .env("DATABASE_URL", url)
        .env("XUEZHANG_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    admin.stdin.take().ok_or("no stdin")?.write_all(PASSWORD.as_bytes()).map_err(|e| e.to_string())?;
    let status = admin.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("xuezhang create-admin: {status}"));
    }
    Ok(college)
}

/// A running server.
struct Server {
    child: Child,
    base: String,
    /// From the spawn to the first `200` of `/healthz`.
    ready_in: Duration,
}

/// How a server is started.
struct Start<'a> {
    bin: &'a Path,
    url: &'a str,
    /// `None`: the default (one per core).
    workers: Option<usize>,
    rust_log: &'a str,
    log: PathBuf,
}

impl Start<'_> {
    async fn spawn(&self) -> Result<Server, String> {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(self.bin);
        cmd.arg("serve")
            .env("DATABASE_URL", self.url)
            .env("XUEZHANG_BIND", format!("127.0.0.1:{port}"))
            .env("XUEZHANG_JWT_SECRET", SECRET)
            .env("XUEZHANG_DRAIN_SECS", "0")
            .env("RUST_LOG", self.rust_log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        match self.workers {
            Some(n) => cmd.env("XUEZHANG_WORKERS", n.to_string()),
            None => cmd.env_remove("XUEZHANG_WORKERS"),
        };
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|e| format!("{}: {e}", self.bin.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                return Ok(Server { child, base, ready_in: started.elapsed() });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("{} exited: {status} (see {})", self.bin.display(), self.log.display()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        Err(format!("{} did not become ready in 30 s", self.bin.display()))
    }
}

impl Server {
    /// SIGTERM, then SIGKILL after 15 s.
    async fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let asked = Instant::now();
        while asked.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Resident memory now, in MB (`VmRSS`).
    fn rss_mb(&self) -> f64 {
        status_kb(self.child.id(), "VmRSS:") / 1024.0
    }

    async fn login(&self) -> Result<String, String> {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/token", self.base))
            .form(&[("grant_type", "password"), ("username", "bench"), ("password", PASSWORD)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let body: Value = res.json().await.map_err(|e| e.to_string())?;
        body["access_token"].as_str().map(str::to_owned).ok_or_else(|| format!("login: {body}"))
    }

    /// The path and query of the list page `page` names.
    async fn list_path(&self, token: &str, page: Page) -> Result<String, String> {
        let rows = match page {
            Page::Fixed(path) => return Ok(path.to_owned()),
            Page::CursorAfter(rows) => rows,
        };
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1/students?page_size=20&count=none&page={}", self.base, rows / 20))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let body: Value = res.json().await.map_err(|e| e.to_string())?;
        let cursor = body["next_cursor"].as_str().ok_or_else(|| format!("no cursor after {rows} rows: {body}"))?;
        Ok(format!("/api/v1/students?page_size=20&cursor={cursor}"))
    }
}

/// A field of `/proc/<pid>/status`, in kB.
pub fn status_kb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
}

/// One wrk run.
#[derive(Clone, Copy, Default)]
struct Wrk {
    rps: f64,
    p99_ms: f64,
    requests: u64,
    /// Non-2xx answers and socket errors.
    errors: u64,
}

/// Installs wrk (Debian's package) if it is missing.
fn ensure_wrk() -> Result<(), String> {
    if Command::new("wrk").arg("-v").output().is_ok() {
        return Ok(());
    }
    println!("installing wrk (apt-get install -y wrk)…");
    let ok = Command::new("apt-get").args(["install", "-y", "-qq", "wrk"]).stdout(Stdio::null()).status();
    match ok {
        Ok(s) if s.success() => Ok(()),
        _ => Err("wrk is missing and apt-get install -y wrk failed".into()),
    }
}

fn duration_ms(v: &str) -> f64 {
    let (num, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().map_or(f64::NAN, |n| n * factor)
}

fn parse_wrk(out: &str) -> Wrk {
    let mut w = Wrk::default();
    for line in out.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Requests/sec:", v, ..] => w.rps = v.parse().unwrap_or(0.0),
            ["99%", v, ..] => w.p99_ms = duration_ms(v),
            [n, "requests", "in", ..] => w.requests = n.parse().unwrap_or(0),
            ["Non-2xx", "or", "3xx", "responses:", n] => w.errors += n.parse::<u64>().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                w.errors += rest.iter().filter_map(|f| f.trim_end_matches(',').parse::<u64>().ok()).sum::<u64>()
            }
            _ => {}
        }
    }
    w
}

/// `wrk -t1 -c32 -dNs --latency` against `url`; `script` and its arguments for a POST.
async fn wrk(
    url: &str,
    seconds: u32,
    token: Option<&str>,
    script: Option<(&Path, Vec<String>)>,
) -> Result<Wrk, String> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "-c32", &format!("-d{seconds}s"), "--latency"]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let mut args = Vec::new();
    if let Some((path, a)) = script {
        cmd.arg("-s").arg(path);
        args = a;
    }
    cmd.arg(url);
    if !args.is_empty() {
        cmd.arg("--").args(args);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.map_err(|e| e.to_string())?;
    let out = out.map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("wrk: {}{}", text, String::from_utf8_lossy(&out.stderr)));
    }
    Ok(parse_wrk(&text))
}

/// The medians of several runs of one server.
#[derive(Default)]
struct Runs(Vec<Wrk>);

impl Runs {
    fn median(&self, f: impl Fn(&Wrk) -> f64) -> f64 {
        let mut v: Vec<f64> = self.0.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }
    fn rps(&self) -> f64 {
        self.median(|w| w.rps)
    }
    fn p99(&self) -> f64 {
        self.median(|w| w.p99_ms)
    }
    fn errors(&self) -> u64 {
        self.0.iter().map(|w| w.errors).sum()
    }
    fn requests(&self) -> u64 {
        self.median(|w| w.requests as f64) as u64
    }
}

/// What the list rounds measured.
struct List {
    xuezhang: Runs,
    warn: Runs,
    raw1: Runs,
    raw4: Runs,
    ready: Vec<Duration>,
}

impl List {
    /// xuezhang's req/s against `ceiling`'s, held to `at_least` of it (and zero errors).
    fn figure(&self, name: &str, target: &str, at_least: f64, ceiling: &Runs) -> Measurement {
        let (value, top) = (self.xuezhang.rps(), ceiling.rps());
        let ratio = if top > 0.0 { value / top } else { 0.0 };
        let errors = self.xuezhang.errors() + ceiling.errors();
        let ready = |f: fn(&Duration, &Duration) -> bool| {
            self.ready.iter().copied().reduce(|a, b| if f(&a, &b) { a } else { b }).unwrap_or_default().as_secs_f64()
        };
        Measurement {
            scenario: "GET /students".into(),
            target: target.into(),
            items: self.xuezhang.requests(),
            elapsed: Duration::from_secs(u64::from(seconds())),
            note: format!(
                "{name}: {value:.0} req/s (p99 {:.1} ms) vs raw1 {:.0} (p99 {:.1} ms), raw4 {:.0} (raw4/raw1 {:.2}); \
                 {ratio:.2} of raw1; {errors} errors; ready in {:.2}–{:.2} s",
                self.xuezhang.p99(),
                self.raw1.rps(),
                self.raw1.p99(),
                self.raw4.rps(),
                if self.raw1.rps() > 0.0 { self.raw4.rps() / self.raw1.rps() } else { 0.0 },
                ready(|a, b| a < b),
                ready(|a, b| a > b),
            ),
            figure: Some(Figure {
                name: name.into(),
                database: target.into(),
                value,
                unit: "req/s".into(),
                ceiling: top,
                ratio,
                target: format!("≥ {at_least:.2} of raw1"),
                met: ratio >= at_least && errors == 0,
            }),
        }
    }
}

/// The list rounds: xuezhang (`RUST_LOG=info`; with `levels` also `warn`), then the raw program
/// (`raw1`, then `raw4`), one worker each.
async fn list(
    bins: &Binaries,
    dir: &WorkDir,
    target: &str,
    url: &str,
    levels: bool,
    page: Page,
) -> Result<List, String> {
    let mut l = List {
        xuezhang: Runs::default(),
        warn: Runs::default(),
        raw1: Runs::default(),
        raw4: Runs::default(),
        ready: Vec::new(),
    };
    for round in 0..ROUNDS {
        let mut token = String::new();
        let levels_now: &[&str] = if levels { &["info", "warn"] } else { &["info"] };
        for level in levels_now {
            let s = Start {
                bin: &bins.xuezhang,
                url,
                workers: Some(1),
                rust_log: level,
                log: dir.0.join(format!("xuezhang-{level}.log")),
            }
            .spawn()
            .await?;
            l.ready.push(s.ready_in);
            token = s.login().await?;
            let u = format!("{}{}", s.base, s.list_path(&token, page).await?);
            wrk(&u, WARM_UP, Some(&token), None).await?;
            let w = wrk(&u, seconds(), Some(&token), None).await?;
            println!(
                "  {target} round {}: xuezhang RUST_LOG={level}: {:.0} req/s, p99 {:.1} ms",
                round + 1,
                w.rps,
                w.p99_ms
            );
            if *level == "info" {
                l.xuezhang.0.push(w)
            } else {
                l.warn.0.push(w)
            }
            s.stop().await;
        }
        let s = Start { bin: &bins.raw, url, workers: Some(1), rust_log: "warn", log: dir.0.join("raw.log") }
            .spawn()
            .await?;
        let u1 = format!("{}/students?page_size=20", s.base);
        wrk(&u1, WARM_UP, None, None).await?;
        let w1 = wrk(&u1, seconds(), None, None).await?;
        let u4 = format!("{}/raw4/students?page_size=20", s.base);
        wrk(&u4, 1, Some(&token), None).await?;
        let w4 = wrk(&u4, seconds(), Some(&token), None).await?;
        println!(
            "  {target} round {}: raw1 {:.0} req/s, p99 {:.1} ms; raw4 {:.0} req/s",
            round + 1,
            w1.rps,
            w1.p99_ms,
            w4.rps
        );
        l.raw1.0.push(w1);
        l.raw4.0.push(w4);
        s.stop().await;
    }
    Ok(l)
}

const POST_SCRIPT: &str = r#"-- POST /students with a new 学号 per request: prefix (args[1]) and a counter.
local counter = 0
local prefix, college, token
function init(args)
  prefix, college, token = args[1], args[2], args[3]
end
function request()
  counter = counter + 1
  local body = string.format('{"student_no":"%s%08d","name":"基准学生","gender":"female","college_id":"%s",'
    .. '"degree":"master","enrollment_year":2025,"political_status":"league_member"}', prefix, counter, college)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
"#;

/// POST rounds with `workers` workers: xuezhang, then the raw transaction.
async fn post(
    bins: &Binaries,
    dir: &WorkDir,
    target: &str,
    url: &str,
    workers: usize,
    college: Uuid,
) -> Result<(Runs, Runs), String> {
    let script = dir.0.join("post.lua");
    std::fs::write(&script, POST_SCRIPT).map_err(|e| e.to_string())?;
    let (mut x, mut r) = (Runs::default(), Runs::default());
    for round in 0..ROUNDS {
        let mut token = String::new();
        for (raw, bin, path) in [(false, &bins.xuezhang, "/api/v1/students"), (true, &bins.raw, "/students")] {
            let s = Start { bin, url, workers: Some(workers), rust_log: "info", log: dir.0.join("post.log") }
                .spawn()
                .await?;
            if !raw {
                token = s.login().await?;
            }
            let tag = format!("{}{workers}{round}", if raw { "R" } else { "X" });
            let u = format!("{}{path}", s.base);
            let args =
                |p: &str| Some((script.as_path(), vec![format!("{p}{tag}"), college.to_string(), token.clone()]));
            wrk(&u, WARM_UP, None, args("W")).await?;
            let w = wrk(&u, seconds(), None, args("P")).await?;
            println!(
                "  {target} round {}: POST {} {workers} worker(s): {:.0} req/s, p99 {:.1} ms, {} errors",
                round + 1,
                if raw { "raw" } else { "xuezhang" },
                w.rps,
                w.p99_ms,
                w.errors
            );
            if raw {
                r.0.push(w)
            } else {
                x.0.push(w)
            }
            s.stop().await;
        }
    }
    Ok((x, r))
}

fn post_figure(name: &str, target: &str, x: &Runs, r: &Runs, at_least: f64) -> Measurement {
    let (value, top) = (x.rps(), r.rps());
    let ratio = if top > 0.0 { value / top } else { 0.0 };
    let errors = x.errors() + r.errors();
    Measurement {
        scenario: "POST /students".into(),
        target: target.into(),
        items: x.requests(),
        elapsed: Duration::from_secs(u64::from(seconds())),
        note: format!(
            "{name}: {value:.0} req/s (p99 {:.1} ms) vs the raw txn {top:.0} (p99 {:.1} ms): {ratio:.2}; {errors} errors",
            x.p99(),
            r.p99()
        ),
        figure: Some(Figure {
            name: name.into(),
            database: target.into(),
            value,
            unit: "req/s".into(),
            ceiling: top,
            ratio,
            target: format!("≥ {at_least:.2} of the raw txn"),
            met: ratio >= at_least && errors == 0,
        }),
    }
}

/// Idle RSS with the default workers: started, one login (xuezhang) and one page asked, 2 s idle.
async fn idle_rss(bins: &Binaries, dir: &WorkDir, target: &str, url: &str) -> Result<Measurement, String> {
    let mut rss = [0.0; 2];
    for (i, bin) in [&bins.xuezhang, &bins.raw].into_iter().enumerate() {
        let s = Start { bin, url, workers: None, rust_log: "info", log: dir.0.join("idle.log") }.spawn().await?;
        let http = reqwest::Client::new();
        if i == 0 {
            let token = s.login().await?;
            http.get(format!("{}{LIST}", s.base)).bearer_auth(token).send().await.map_err(|e| e.to_string())?;
        } else {
            http.get(format!("{}/students?page_size=20", s.base)).send().await.map_err(|e| e.to_string())?;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        rss[i] = s.rss_mb();
        s.stop().await;
    }
    let [value, ceiling] = rss;
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    Ok(Measurement {
        scenario: "idle RSS".into(),
        target: target.into(),
        items: 1,
        elapsed: Duration::ZERO,
        note: format!("{workers} workers (the default), after a login and a page: {value:.1} MB; raw {ceiling:.1} MB"),
        figure: Some(Figure {
            name: format!("idle RSS, default workers ({workers})"),
            database: target.into(),
            value,
            unit: "MB".into(),
            ceiling,
            ratio: if ceiling > 0.0 { value / ceiling } else { 0.0 },
            target: "≤ 40 MB".into(),
            met: value <= 40.0,
        }),
    })
}

async fn on(target: &str, url: &str) -> Result<Vec<Measurement>, String> {
    ensure_wrk()?;
    let bins = Binaries::find()?;
    let dir = WorkDir::new()?;
    let college = prepare(&bins, url, 2_000).await?;
    let mut out = Vec::new();
    let sqlite = target == "sqlite";

    let l = list(&bins, &dir, target, url, sqlite, Page::Fixed(LIST)).await?;
    let name = "GET /students?page_size=20, 2,000 students, 1 worker";
    out.push(l.figure(name, target, if sqlite { 0.70 } else { 0.60 }, &l.raw1));
    if sqlite {
        let (p99, top) = (l.xuezhang.p99(), l.raw1.p99());
        let ratio = if top > 0.0 { p99 / top } else { 0.0 };
        out.push(Measurement {
            scenario: "GET /students p99".into(),
            target: target.into(),
            items: l.xuezhang.requests(),
            elapsed: Duration::from_secs(u64::from(seconds())),
            note: format!("p99 {p99:.2} ms vs raw1 {top:.2} ms: {ratio:.2}×"),
            figure: Some(Figure {
                name: format!("{name}: p99 latency"),
                database: target.into(),
                value: p99,
                unit: "ms".into(),
                ceiling: top,
                ratio,
                target: "≤ 1.5× raw1's".into(),
                met: ratio <= 1.5,
            }),
        });
        let (info, warn) = (l.xuezhang.rps(), l.warn.rps());
        let ratio = if warn > 0.0 { info / warn } else { 0.0 };
        out.push(Measurement {
            scenario: "RUST_LOG info vs warn".into(),
            target: target.into(),
            items: l.xuezhang.requests(),
            elapsed: Duration::from_secs(u64::from(seconds())),
            note: format!("the list: info {info:.0} req/s (log to a file), warn {warn:.0} req/s: {ratio:.2}"),
            figure: Some(Figure {
                name: "RUST_LOG=info vs warn on the list".into(),
                database: target.into(),
                value: info,
                unit: "req/s".into(),
                ceiling: warn,
                ratio,
                target: "≥ 0.95 of warn".into(),
                met: ratio >= 0.95 && l.warn.errors() == 0,
            }),
        });
    }

    let (x1, r1) = post(&bins, &dir, target, url, 1, college).await?;
    out.push(post_figure("POST /students, 1 worker", target, &x1, &r1, 0.60));
    if !sqlite {
        let (x2, r2) = post(&bins, &dir, target, url, 2, college).await?;
        let mut m = post_figure("POST /students, 2 workers", target, &x2, &r2, 0.60);
        m.figure = None;
        out.push(m);
        let (two, one) = (x2.rps(), x1.rps());
        let ratio = if one > 0.0 { two / one } else { 0.0 };
        let raw_scaling = if r1.rps() > 0.0 { r2.rps() / r1.rps() } else { 0.0 };
        out.push(Measurement {
            scenario: "POST /students scaling".into(),
            target: target.into(),
            items: x2.requests(),
            elapsed: Duration::from_secs(u64::from(seconds())),
            note: format!("1 → 2 workers: {one:.0} → {two:.0} req/s ({ratio:.2}×); raw {raw_scaling:.2}×"),
            figure: Some(Figure {
                name: "POST /students, 2 workers vs 1".into(),
                database: target.into(),
                value: two,
                unit: "req/s".into(),
                ceiling: one,
                ratio,
                target: "≥ 1.6× 1 worker".into(),
                met: ratio >= 1.6 && x2.errors() == 0,
            }),
        });
    }
    out.push(idle_rss(&bins, &dir, target, url).await?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_wrk_prints() {
        let out = "Running 10s test @ http://127.0.0.1:8080/api/v1/students?page_size=20
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.81ms    2.10ms  40.12ms   80.00%
    Req/Sec     3.27k   210.00     3.60k    70.00%
  Latency Distribution
     50%    9.50ms
     75%   10.80ms
     90%   12.00ms
     99%    1.02s
  32550 requests in 10.00s, 150.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   3254.90
Transfer/sec:     15.02MB
";
        let w = parse_wrk(out);
        assert!((w.rps - 3254.9).abs() < 1e-9);
        assert!((w.p99_ms - 1020.0).abs() < 1e-9);
        assert_eq!(w.requests, 32_550);
        assert_eq!(w.errors, 7);
        assert!((duration_ms("850.00us") - 0.85).abs() < 1e-9);
        assert!((duration_ms("2.50ms") - 2.5).abs() < 1e-9);
        assert!((duration_ms("1.00m") - 60_000.0).abs() < 1e-9);
    }

    #[test]
    fn medians_of_three_rounds() {
        let runs =
            Runs([3.0, 1.0, 2.0].iter().map(|&rps| Wrk { rps, p99_ms: 10.0 / rps, requests: 1, errors: 0 }).collect());
        assert!((runs.rps() - 2.0).abs() < 1e-9);
        assert!((runs.p99() - 5.0).abs() < 1e-9);
    }
}
