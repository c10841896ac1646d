//! Upgrades as operators see them: `xuezhang migrate --check`, a node that refuses a database a
//! newer binary migrated, and `/readyz` while a migration is pending.

use migration::MigratorTrait;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Database};

use crate::support::*;

fn check_status(url: &str) -> (i32, String) {
    let mut c = command(url);
    c.args(["migrate", "--check"]);
    let out = run(c);
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[tokio::test]
async fn migrate_check_says_behind_current_or_ahead() {
    let db = scratch_database().await;
    let (code, out) = check_status(&db.url);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("behind") && out.contains("m20261126_000001_foundation"), "{out}");

    let mut c = command(&db.url);
    c.arg("migrate");
    assert!(run(c).status.success());
    let (code, out) = check_status(&db.url);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("current"), "{out}");

    // A newer binary's migration.
    let conn = Database::connect(&db.url).await.unwrap();
    conn.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29991231_000001_from_the_future', 0)",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let (code, out) = check_status(&db.url);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("ahead") && out.contains("m29991231_000001_from_the_future"), "{out}");

    // Neither serving (with or without migrating) nor migrating touches it.
    for args in [vec!["serve"], vec!["serve", "--no-migrate"], vec!["migrate"]] {
        let mut c = command(&db.url);
        c.args(&args).env("XUEZHANG_BIND", "127.0.0.1:0");
        let out = run(c);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("newer xuezhang"), "{args:?}");
    }
}

#[tokio::test]
async fn a_node_serving_a_database_behind_it_is_not_ready_until_it_is_migrated() {
    let db = scratch_database().await;
    let conn = Database::connect(&db.url).await.unwrap();
    let all = migration::Migrator::migrations().len() as u32;
    migration::Migrator::up(&conn, Some(all - 1)).await.unwrap();
    conn.close().await.unwrap();

    let mut c = command(&db.url);
    c.env("XUEZHANG_METRICS_TOKEN", "metrics-token-for-tests");
    let s = Server::start(c, &["--no-migrate"]);
    s.send(s.request(Method::GET, "/healthz", None)).await.expect(200);
    let res = s.send(s.request(Method::GET, "/readyz", None)).await.expect(503);
    assert_eq!(res.code(), "migration_pending");
    let last = migration::Migrator::migrations().last().unwrap().name().to_owned();
    assert!(res.body["detail"].as_str().unwrap().contains(&last), "{}", res.text);
    let metrics = s.send(s.request(Method::GET, "/metrics", Some("metrics-token-for-tests"))).await.expect(200);
    assert!(metrics.text.contains("xuezhang_schema_migrations_pending 1"), "{}", metrics.text);

    let mut c = command(&db.url);
    c.arg("migrate");
    assert!(run(c).status.success());
    s.send(s.request(Method::GET, "/readyz", None)).await.expect(200);
    s.stop();
}
