//! `make bench`: measures the speed targets of xuezhang and prints one line per scenario.
//!
//! Scenarios run in release mode against a fresh SQLite file and, where a PostgreSQL server is
//! reachable (`XUEZHANG_BENCH_PG_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`), a
//! throw-away PostgreSQL database. `xuezhang-bench NAME…` runs only the named scenarios.

use std::time::{Duration, Instant};

mod import;
mod matching;

/// mimalloc rather than glibc malloc: a bulk import allocates and frees millions of small values,
/// and glibc's heap consolidation made a 100,000-student import two to three times slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

type Scenario = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Measurement>>>>;

/// Every scenario, by name.
fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![("import", import::run), ("auto-match", || Box::pin(matching::run()))]
}

#[tokio::main]
async fn main() {
    // Quiet unless asked: `RUST_LOG=xuezhang_persistence=debug make bench` shows each import's phases.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    println!("{:<28} {:<9} {:>15} {:>11} {:>18}  note", "scenario", "target", "size", "time", "rate");
    for (name, run) in scenarios() {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        for m in run().await {
            m.print();
        }
    }
}
