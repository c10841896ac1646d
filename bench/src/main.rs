//! `make bench`: measures the speed targets of xuezhang and prints one line per scenario.
//!
//! Scenarios run in release mode against a fresh SQLite file and, where a PostgreSQL server is
//! reachable (`XUEZHANG_BENCH_PG_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`), a
//! throw-away PostgreSQL database. `xuezhang-bench NAME…` runs only the named scenarios.
//!
//! Figures held to a target are also written to `bench/results/latest.json`
//! (`{"machine": …, "figures": [{"name", "database", "value", "unit", "ceiling", "ratio", "target",
//! "met"}]}`), each beside a ceiling measured in the same run; a run of some scenarios replaces
//! only their own figures in the file.
//!
//! With `XUEZHANG_BENCH_KEEP=1` the SQLite file and the PostgreSQL database are kept (their
//! locations are printed), to `EXPLAIN` a report's statements on the generated data afterwards.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

mod dataset;
mod import;
mod matching;
mod reports;
mod web;

/// mimalloc rather than glibc malloc: a bulk import allocates and frees millions of small values,
/// and glibc's heap consolidation made a 100,000-student import two to three times slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hands the calling thread's freed memory back to the system: set as `persistence::memory`'s
/// collector, called after a password hash and an import.
#[allow(unsafe_code)]
fn collect_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions; it purges the free pages of the calling thread's
    // heap (and, forced, of abandoned ones) in the allocator this binary runs on.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// One measurement.
pub struct Measurement {
    /// Scenario name.
    pub scenario: String,
    /// What it ran on (`sqlite`, `postgres`, `memory`).
    pub target: String,
    /// Items processed.
    pub items: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// A note (e.g. the target it is held against).
    pub note: String,
    /// The figure for `bench/results/latest.json`, when the measurement is held to a target.
    pub figure: Option<Figure>,
}

/// One figure held to a target, beside the ceiling measured in the same run.
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The measured value.
    pub value: f64,
    /// Its unit (`ms`, `req/s`, `MB`).
    pub unit: String,
    /// The ceiling in the same unit, measured in the same run.
    pub ceiling: f64,
    /// value / ceiling.
    pub ratio: f64,
    /// The target, as text (`≤ 300 ms`, `≥ 0.70 of the ceiling`).
    pub target: String,
    /// Whether the target is met.
    pub met: bool,
}

impl Figure {
    fn to_json(&self) -> serde_json::Value {
        json!({
            "name": self.name, "database": self.database, "value": round(self.value),
            "unit": self.unit, "ceiling": round(self.ceiling), "ratio": round(self.ratio),
            "target": self.target, "met": self.met,
        })
    }
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The PostgreSQL server scenarios create their databases on.
pub fn pg_server() -> String {
    std::env::var("XUEZHANG_BENCH_PG_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The URL of database `name` on the server at `server`.
pub fn with_database(server: &str, name: &str) -> String {
    let (scheme, rest) = server.split_once("://").unwrap_or(("postgres", server));
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{name}{query}")
}

/// Runs `on(target, url)` on a fresh SQLite file, then on a throw-away PostgreSQL database when a
/// server is reachable; a failure on one is printed and the other still runs.
pub async fn on_each_database<F, Fut>(scenario: &str, on: F) -> Vec<Measurement>
where
    F: Fn(String, String) -> Fut,
    Fut: Future<Output = Result<Vec<Measurement>, String>>,
{
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(format!("xuezhang-bench-{}", uuid::Uuid::now_v7().simple()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        println!("{scenario}: cannot create {}: {e}", dir.display());
        return out;
    }
    let sqlite = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    match on("sqlite".into(), sqlite).await {
        Ok(m) => out.extend(m),
        Err(e) => println!("{scenario} on sqlite failed: {e}"),
    }
    let keep = std::env::var("XUEZHANG_BENCH_KEEP").is_ok_and(|v| v == "1");
    if keep {
        println!("{scenario}: kept {}", dir.join("bench.db").display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }

    let server = pg_server();
    let admin = match Database::connect(server.as_str()).await {
        Ok(c) => c,
        Err(e) => {
            println!("{scenario}: PostgreSQL at {server} is unreachable ({e}); skipping it");
            return out;
        }
    };
    let name = format!("xz_bench_{}", uuid::Uuid::now_v7().simple());
    if let Err(e) = admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await {
        println!("{scenario}: cannot create a PostgreSQL database ({e}); skipping it");
        return out;
    }
    match on("postgres".into(), with_database(&server, &name)).await {
        Ok(m) => out.extend(m),
        Err(e) => println!("{scenario} on postgres failed: {e}"),
    }
    if keep {
        println!("{scenario}: kept {}", with_database(&server, &name));
    } else {
        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
    let _ = admin.close().await;
    out
}

impl Measurement {
    fn print(&self) {
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 { self.items as f64 / secs } else { f64::INFINITY };
        println!(
            "{:<28} {:<9} {:>9} items {:>9.3} s {:>12.0} items/s  {}",
            self.scenario, self.target, self.items, secs, rate, self.note
        );
    }
}

/// Times `f`.
pub async fn timed<T, F: std::future::Future<Output = T>>(f: F) -> (T, Duration) {
    let start = Instant::now();
    let out = f.await;
    (out, start.elapsed())
}

type Scenario = fn() -> Pin<Box<dyn Future<Output = Vec<Measurement>>>>;

/// Every scenario, by name.
fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        ("import", import::run),
        ("auto-match", || Box::pin(matching::run())),
        ("reports", reports::run),
        ("web", web::run),
        ("list-100k", web::run_100k),
    ]
}

#[tokio::main]
async fn main() {
    persistence::memory::set_release(collect_freed_memory);
    // Quiet unless asked: `RUST_LOG=xuezhang_persistence=debug make bench` shows each import's phases.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    println!("{:<28} {:<9} {:>15} {:>11} {:>18}  note", "scenario", "target", "size", "time", "rate");
    let mut figures = Vec::new();
    for (name, run) in scenarios() {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        for m in run().await {
            m.print();
            figures.extend(m.figure);
        }
    }
    if let Err(e) = write_results(&figures) {
        println!("cannot write bench/results/latest.json: {e}");
    }
}

/// The machine the figures were measured on: CPU model, cores, memory.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    format!("{cpu}, {cores} cores, {mem_gib:.0} GiB")
}

/// Merges `figures` into `bench/results/latest.json` (replacing those of the same name and
/// database) and prints them as a table.
fn write_results(figures: &[Figure]) -> Result<(), String> {
    if figures.is_empty() {
        return Ok(());
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/latest.json");
    let mut kept: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v["figures"].as_array().cloned())
        .unwrap_or_default();
    kept.retain(|old| {
        !figures.iter().any(|f| old["name"] == f.name.as_str() && old["database"] == f.database.as_str())
    });
    kept.extend(figures.iter().map(Figure::to_json));
    let doc = json!({"machine": machine(), "figures": kept});
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| e.to_string())?;
    println!("\n| figure | database | value | ceiling | ratio | target | met |\n|---|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {} | {:.1} {} | {:.1} {} | {:.2} | {} | {} |",
            f.name,
            f.database,
            f.value,
            f.unit,
            f.ceiling,
            f.unit,
            f.ratio,
            f.target,
            if f.met { "yes" } else { "no" }
        );
    }
    println!("written to {}", path.display());
    Ok(())
}
