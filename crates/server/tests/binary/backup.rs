//! Backups taken while the server writes, restored into a fresh database and served again: every
//! record written before the backup is there, and the change feed continues from its sequence.
//!
//! SQLite uses `xuezhang backup` / `xuezhang restore`; PostgreSQL the `pg_dump` / `pg_restore`
//! commands of the README, verbatim.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::support::*;

/// The URL without query, as libpq tools take it.
fn libpq_url(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

fn check(out: std::process::Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn new_student(s: &Server, token: &str, college: &str, n: usize) -> Option<String> {
    let res = s
        .post(
            "/api/v1/students",
            token,
            json!({"student_no": format!("2024{n:06}"), "name": format!("备份{n}"), "gender": "female",
                   "college_id": college, "degree": "master", "enrollment_year": 2024, "political_status": "masses"}),
        )
        .await;
    (res.status.as_u16() == 201).then(|| res.id())
}

async fn all_student_ids(s: &Server, token: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for page in 1.. {
        let res = s.get(&format!("/api/v1/students?page={page}&page_size=100"), token).await.expect(200);
        let items = res.body["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
    }
    ids
}

/// Reads the whole feed; returns the `seq`s in order and the ids of created students.
async fn feed(s: &Server, token: &str) -> (Vec<i64>, BTreeSet<String>) {
    let (mut seqs, mut created, mut after) = (Vec::new(), BTreeSet::new(), 0);
    loop {
        let res = s.get(&format!("/api/v1/events?after={after}&limit=1000"), token).await.expect(200);
        let items = res.body["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for e in &items {
            seqs.push(e["seq"].as_i64().unwrap());
            if e["type"] == "student.created" {
                created.insert(e["resource_id"].as_str().unwrap().to_owned());
            }
        }
        after = *seqs.last().unwrap();
    }
    (seqs, created)
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_record_and_the_feed() {
    let db = scratch_database().await;
    create_admin(&db.url, "backupadmin");
    let source = Arc::new(Server::start(command(&db.url), &[]));
    let token = source.login("backupadmin", PASSWORD).await;
    let college =
        source.post("/api/v1/colleges", &token, json!({"code": "BAK", "name": "备份学院"})).await.expect(201).id();
    let mut before = BTreeSet::new();
    for n in 0..30 {
        before.insert(new_student(&source, &token, &college, n).await.expect("a student"));
    }

    // Writers keep going while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (s, token, college, stop) = (Arc::clone(&source), token.clone(), college.clone(), Arc::clone(&stop));
        writers.push(tokio::spawn(async move {
            let mut written = 0;
            // Bounded: at most 400 students per writer.
            for n in 0..400 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if new_student(&s, &token, &college, 1000 + w * 1000 + n).await.is_some() {
                    written += 1;
                }
            }
            written
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let file = db.dir.path().join("xuezhang-backup");
    let backup_url = db.url.clone();
    let file_arg = file.clone();
    let out = tokio::task::spawn_blocking(move || {
        if backup_url.starts_with("sqlite:") {
            let mut c = command(&backup_url);
            c.args(["backup", "--to"]).arg(&file_arg);
            check(run(c), "xuezhang backup")
        } else {
            // The README's command.
            let mut c = Command::new("pg_dump");
            c.args(["--format=custom", "--no-owner", "--file"])
                .arg(&file_arg)
                .arg(format!("--dbname={}", libpq_url(&backup_url)));
            check(c.output().unwrap(), "pg_dump")
        }
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut written_during = 0;
    for w in writers {
        written_during += w.await.unwrap();
    }
    assert!(written_during > 0, "the load wrote nothing while the backup ran");
    if db.url.starts_with("sqlite:") {
        assert!(out.contains("backed up to") && out.contains("the database is current"), "{out}");
    }
    let after_load = all_student_ids(&source, &token).await;
    Arc::into_inner(source).expect("no other handle").stop();

    // Restore into a fresh database and serve it.
    let restored_url = db.sibling("restored").await;
    let (file_arg, url) = (file.clone(), restored_url.clone());
    tokio::task::spawn_blocking(move || {
        if url.starts_with("sqlite:") {
            let mut c = command(&url);
            c.args(["restore", "--from"]).arg(&file_arg);
            check(run(c), "xuezhang restore");
        } else {
            let mut c = Command::new("pg_restore");
            c.args(["--no-owner", "--exit-on-error", "--single-transaction"])
                .arg(format!("--dbname={}", libpq_url(&url)))
                .arg(&file_arg);
            check(c.output().unwrap(), "pg_restore");
        }
    })
    .await
    .unwrap();
    let restored = Server::start(command(&restored_url), &[]);
    let token = restored.login("backupadmin", PASSWORD).await;
    let students = all_student_ids(&restored, &token).await;
    assert!(before.is_subset(&students), "a student written before the backup is missing");
    assert!(students.is_subset(&after_load), "the restored database holds a student never written");
    assert!(students.len() > before.len(), "the backup caught none of the load (it ran during it)");

    // The feed: gap-free from 1, one student.created per student, and it goes on from its head.
    let (seqs, created) = feed(&restored, &token).await;
    let head = *seqs.last().unwrap();
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
    assert_eq!(created, students, "each student has its event, and no event lacks its student");
    let next = new_student(&restored, &token, &college, 999_999).await.expect("a write after the restore");
    let (seqs, _) = feed(&restored, &token).await;
    assert_eq!(seqs.last().copied(), Some(head + 1));
    assert!(restored.get(&format!("/api/v1/students/{next}"), &token).await.status.is_success());
    let res = restored.send(restored.request(Method::GET, "/readyz", None)).await.expect(200);
    assert_eq!(res.body["status"], "ok");
    restored.stop();
}

#[tokio::test]
async fn a_backup_never_overwrites_and_a_restore_refuses_to_replace_without_force() {
    let db = scratch_database().await;
    if db.is_postgres() {
        // These are the SQLite commands; PostgreSQL uses pg_dump and pg_restore.
        let mut c = command(&db.url);
        c.args(["backup", "--to", "/tmp/never-written"]);
        let out = run(c);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    create_admin(&db.url, "admin");
    let file = db.dir.path().join("b.db");
    let mut c = command(&db.url);
    c.args(["backup", "--to"]).arg(&file);
    check(run(c), "backup");
    let mut c = command(&db.url);
    c.args(["backup", "--to"]).arg(&file);
    let out = run(c);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("exists"));
    // The live database exists: a restore onto it needs --force.
    let mut c = command(&db.url);
    c.args(["restore", "--from"]).arg(&file);
    let out = run(c);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--force"));
    let mut c = command(&db.url);
    c.args(["restore", "--force", "--from"]).arg(&file);
    check(run(c), "restore --force");
    // A damaged backup is refused.
    let damaged = db.dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&file).unwrap();
    let len = bytes.len();
    bytes.truncate(len / 2);
    std::fs::write(&damaged, bytes).unwrap();
    let mut c = command(&db.sibling("other").await);
    c.args(["restore", "--from"]).arg(&damaged);
    let out = run(c);
    assert!(!out.status.success(), "a damaged backup was restored");
}
