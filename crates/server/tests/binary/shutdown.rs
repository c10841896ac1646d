//! Stopping the binary with SIGTERM under load, as an orchestrator does: `/readyz` turns 503
//! first, then the listener closes, and every request already sent completes; the process exits 0.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::support::*;

/// How many SIGTERM rounds: `XUEZHANG_SIGTERM_ROUNDS` (`make check-reliability` runs 10), else 2.
fn rounds() -> usize {
    std::env::var("XUEZHANG_SIGTERM_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(2)
}

/// The rows of each import: enough that the 20 take longer than the drain, so some are still
/// running when the listener closes.
const ROWS: usize = 500;

/// A staff import of `rows` rows, numbered from `first`.
fn staff_csv(first: usize, rows: usize) -> String {
    let mut s = String::from("工号,姓名,学院,是否导师\n");
    for i in first..first + rows {
        s.push_str(&format!("S{i:07},教师{i},CS,是\n"));
    }
    s
}

#[tokio::test]
async fn sigterm_with_20_imports_in_flight_finishes_them_all_and_exits_0() {
    let db = scratch_database().await;
    create_admin(&db.url, "admin");
    for round in 0..rounds() {
        let mut c = command(&db.url);
        c.env("XUEZHANG_DRAIN_SECS", "1");
        let server = Server::start(c, &[]);
        let token = server.login("admin", PASSWORD).await;
        if round == 0 {
            server.post("/api/v1/colleges", &token, json!({"code": "CS", "name": "计算机学院"})).await.expect(201);
        }
        // 20 imports, each on its own connection, all sent before the signal.
        let mut inflight = Vec::new();
        for i in 0..20 {
            let client = reqwest::Client::new();
            let req = client
                .request(Method::POST, format!("{}/api/v1/imports/staff", server.address))
                .bearer_auth(&token)
                .header("content-type", "text/csv")
                .body(staff_csv((round * 20 + i) * ROWS, ROWS));
            inflight.push(tokio::spawn(async move {
                match req.send().await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        (status, res.text().await.unwrap_or_default())
                    }
                    Err(e) => (0, format!("{e:?}")),
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let address = server.address.clone();
        let signalled = Instant::now();
        let exit = tokio::task::spawn_blocking(move || {
            let mut server = server;
            let status = server.terminate(Duration::from_secs(60));
            (status, server)
        });
        // While it drains, readiness says no and the rest is still served.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let probe = reqwest::Client::new();
        let ready = probe.get(format!("{address}/readyz")).send().await.expect("served while draining");
        assert_eq!(ready.status().as_u16(), 503, "round {round}");
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["code"], "shutting_down");
        let health = probe.get(format!("{address}/healthz")).send().await.expect("served while draining");
        assert_eq!(health.status().as_u16(), 200);

        let mut answers = Vec::new();
        for task in inflight {
            answers.push(task.await.unwrap());
        }
        let (status, server) = exit.await.unwrap();
        for (i, (status, text)) in answers.iter().enumerate() {
            if *status != 200 {
                let log = server.lines.lock().unwrap().join("\n");
                panic!("round {round}, import {i}: {status} {text}\nthe server's log:\n{log}");
            }
        }
        let status = status.unwrap_or_else(|| panic!("round {round}: still running 60 s after SIGTERM"));
        assert!(status.success(), "round {round}: exit {status}");
        assert!(signalled.elapsed() >= Duration::from_secs(1), "it drained first");
        drop(server);
        // After the stop nothing listens.
        assert!(probe.get(format!("{address}/healthz")).send().await.is_err(), "round {round}");
    }
    // Every import of every round was written.
    let server = Server::start(command(&db.url), &[]);
    let token = server.login("admin", PASSWORD).await;
    let staff = server.get("/api/v1/staff?page_size=1", &token).await.expect(200);
    assert_eq!(staff.body["total"], rounds() * 20 * ROWS);
}
