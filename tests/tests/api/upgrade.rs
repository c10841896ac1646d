//! Upgrades: a database built by the *previous* migrations and filled with data in every table is
//! migrated to the newest schema by starting the server on it, and the data is read back through
//! the API. Every split point is tried: the schema after migration 1, after 1–2, …, after all but
//! the newest.
//!
//! **A new migration adds its fixture here**: one entry in [`FIXTURES`] with the rows it writes in
//! the schema of that migration (into the tables it creates, and any it changes) and a check that
//! reads them through the API of the newest code. The test fails for a migration without a
//! fixture, and for any table left empty, so nothing is upgraded untested.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::BoxFuture;
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;
use xuezhang_tests::*;

/// One value of a fixture row, typed as the column is.
enum V {
    Id(u128),
    Text(&'static str),
    Int(i64),
    Bool(bool),
    /// RFC 3339.
    Ts(&'static str),
    /// `YYYY-MM-DD`.
    Date(&'static str),
    Json(Value),
    Owned(String),
    Bytes(&'static [u8]),
    /// The time the row is written (for rows the server purges when old).
    Now,
}

impl V {
    fn expr(&self) -> SimpleExpr {
        match self {
            V::Id(n) => Uuid::from_u128(*n).into(),
            V::Text(s) => (*s).into(),
            V::Owned(s) => s.clone().into(),
            V::Bytes(b) => b.to_vec().into(),
            V::Int(n) => (*n).into(),
            V::Bool(b) => (*b).into(),
            V::Ts(s) => DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc).into(),
            V::Date(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap().into(),
            V::Json(v) => v.clone().into(),
            V::Now => Utc::now().into(),
        }
    }
}

/// A row to insert: the table and its non-null columns.
type Row = (&'static str, Vec<(&'static str, V)>);

/// The rows one migration's schema gets, and how the newest code must read them back.
struct Fixture {
    /// The migration (by name) whose schema the rows are written in.
    migration: &'static str,
    rows: fn() -> Vec<Row>,
    check: for<'a> fn(&'a TestApp, &'a str) -> BoxFuture<'a, ()>,
}

const FIXTURES: &[Fixture] = &[
    Fixture { migration: "m20261126_000001_foundation", rows: foundation, check: check_foundation },
    Fixture { migration: "m20261126_000002_selection", rows: selection, check: check_selection },
    Fixture { migration: "m20261126_000003_pairing", rows: pairing, check: check_pairing },
    Fixture { migration: "m20261126_000004_activities", rows: activities, check: check_activities },
    Fixture { migration: "m20261126_000005_profiles", rows: profiles, check: check_profiles },
    Fixture { migration: "m20261130_000006_work", rows: work, check: check_work },
    Fixture { migration: "m20261130_000007_directory", rows: directory, check: check_directory },
    Fixture { migration: "m20261130_000008_photos", rows: photos, check: check_photos },
    Fixture { migration: "m20261130_000009_work_records", rows: work_records, check: check_work_records },
    Fixture { migration: "m20261130_000010_concerns", rows: concerns, check: check_concerns },
    Fixture { migration: "m20261130_000011_job_postings", rows: job_postings, check: check_job_postings },
    Fixture { migration: "m20261201_000013_awards", rows: awards, check: check_awards },
    Fixture { migration: "m20261201_000014_assessment", rows: assessment, check: check_assessment },
    Fixture { migration: "m20261201_000015_help_requests", rows: help_requests, check: check_help_requests },
    Fixture { migration: "m20261201_000020_credits", rows: credits, check: check_credits },
    Fixture { migration: "m20261201_000021_certificates", rows: certificates, check: check_certificates },
    Fixture { migration: "m20261201_000022_club_essays", rows: club_essays, check: check_club_essays },
    Fixture { migration: "m20261201_000023_best_cases", rows: best_cases, check: check_best_cases },
    Fixture { migration: "m20261201_000024_request_path", rows: request_path, check: check_request_path },
    Fixture { migration: "m20261201_000025_report_indexes", rows: Vec::new, check: check_report_indexes },
    Fixture { migration: "m20261201_000026_rate_window_index", rows: Vec::new, check: check_rate_window_index },
    Fixture { migration: "m20261201_000027_import_runs", rows: import_runs, check: check_import_runs },
    Fixture { migration: "m20261201_000028_list_keyset_indexes", rows: Vec::new, check: check_list_keyset_indexes },
    Fixture { migration: "m20261201_000029_freshmen_index", rows: Vec::new, check: check_freshmen_index },
];

// Ids of the fixture's records.
const COLLEGE: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0001;
const YEAR: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0002;
const UNIT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0003;
const STAFF: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0004;
const SENIOR: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0005;
const FRESHMAN: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0006;
const ADMIN: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0007;
const CLIENT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0008;
const SESSION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0009;
const REFRESH: u128 = 0x0190_0000_0000_7000_8000_0000_0000_000a;
const AUDIT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_000b;
const IDEMPOTENCY: u128 = 0x0190_0000_0000_7000_8000_0000_0000_000c;
const HONOR: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0101;
const SANCTION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0102;
const NOMINATION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0103;
const APPOINTMENT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0104;
const COMMENDATION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0105;
const EVENT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0106;
const PAIRING: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0201;
const PAIRING_FEEDBACK: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0202;
const ACTIVITY: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0301;
const REGISTRATION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0302;
const ACTIVITY_FEEDBACK: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0303;
const COUNSELOR: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0401;

const ADMIN_NAME: &str = "upgrade-admin";
const T0: &str = "2025-09-01T08:00:00Z";

fn id(n: u128) -> String {
    Uuid::from_u128(n).to_string()
}

fn stamps() -> [(&'static str, V); 3] {
    [("version", V::Int(1)), ("created_at", V::Ts(T0)), ("updated_at", V::Ts(T0))]
}

fn row(table: &'static str, mut values: Vec<(&'static str, V)>, stamped: bool) -> Row {
    if stamped {
        values.extend(stamps());
    }
    (table, values)
}

fn foundation() -> Vec<Row> {
    use argon2::PasswordHasher;
    let hash = argon2::Argon2::default().hash_password(PASSWORD.as_bytes()).unwrap().to_string();
    vec![
        row("app_secrets", vec![("name", V::Text("upgrade_fixture")), ("value", V::Text("kept"))], false),
        row("colleges", vec![("id", V::Id(COLLEGE)), ("code", V::Text("UPG")), ("name", V::Text("升级学院"))], true),
        row(
            "academic_years",
            vec![
                ("id", V::Id(YEAR)),
                ("code", V::Text("2025-2026")),
                ("starts_on", V::Date("2025-09-01")),
                ("ends_on", V::Date("2026-08-31")),
                ("default_capacity", V::Int(5)),
                ("allow_probationary", V::Bool(false)),
                ("introduction_deadline", V::Date("2025-09-30")),
                ("salon_deadline", V::Date("2025-10-31")),
                ("closed", V::Bool(false)),
            ],
            true,
        ),
        row(
            "units",
            vec![
                ("id", V::Id(UNIT)),
                ("code", V::Text("UPG-L1")),
                ("name", V::Text("升级实验室")),
                ("kind", V::Text("laboratory")),
                ("college_id", V::Id(COLLEGE)),
            ],
            true,
        ),
        row(
            "staff",
            vec![
                ("id", V::Id(STAFF)),
                ("staff_no", V::Text("T0001")),
                ("name", V::Text("钱导师")),
                ("college_id", V::Id(COLLEGE)),
                ("is_supervisor", V::Bool(true)),
                ("is_counselor", V::Bool(false)),
                ("email", V::Text("qian@example.edu.cn")),
            ],
            true,
        ),
        row(
            "students",
            vec![
                ("id", V::Id(SENIOR)),
                ("student_no", V::Text("2023000001")),
                ("name", V::Text("升级学长")),
                ("gender", V::Text("female")),
                ("college_id", V::Id(COLLEGE)),
                ("unit_id", V::Id(UNIT)),
                ("degree", V::Text("doctoral")),
                ("enrollment_year", V::Int(2023)),
                ("political_status", V::Text("party_member")),
                ("supervisor_id", V::Id(STAFF)),
                ("phone", V::Text("13800000001")),
                ("status", V::Text("enrolled")),
            ],
            true,
        ),
        row(
            "students",
            vec![
                ("id", V::Id(FRESHMAN)),
                ("student_no", V::Text("2025000001")),
                ("name", V::Text("升级新生")),
                ("gender", V::Text("male")),
                ("college_id", V::Id(COLLEGE)),
                ("unit_id", V::Id(UNIT)),
                ("degree", V::Text("master")),
                ("enrollment_year", V::Int(2025)),
                ("political_status", V::Text("league_member")),
                ("status", V::Text("enrolled")),
            ],
            true,
        ),
        row(
            "users",
            vec![
                ("id", V::Id(ADMIN)),
                ("username", V::Text(ADMIN_NAME)),
                ("display_name", V::Text("升级管理员")),
                ("password_hash", V::Owned(hash)),
                ("role", V::Text("university_admin")),
                ("active", V::Bool(true)),
            ],
            true,
        ),
        row(
            "service_clients",
            vec![
                ("id", V::Id(CLIENT)),
                ("client_id", V::Text("upgrade-xgxt")),
                ("name", V::Text("学工系统")),
                ("secret_hash", V::Text("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$3r4aQ0hnS0PpJ2u1uPz+dg")),
                ("scopes", V::Text("events:read students:read")),
                ("active", V::Bool(true)),
            ],
            true,
        ),
        row(
            "sessions",
            vec![
                ("id", V::Id(SESSION)),
                ("user_id", V::Id(ADMIN)),
                ("created_at", V::Ts(T0)),
                ("expires_at", V::Ts("2025-10-01T08:00:00Z")),
            ],
            false,
        ),
        row(
            "refresh_tokens",
            vec![
                ("id", V::Id(REFRESH)),
                ("session_id", V::Id(SESSION)),
                ("token_hash", V::Text("0000000000000000000000000000000000000000000000000000000000000001")),
                ("created_at", V::Ts(T0)),
                ("expires_at", V::Ts("2025-10-01T08:00:00Z")),
            ],
            false,
        ),
        row(
            "login_throttle",
            vec![("username", V::Text("someone-else")), ("failures", V::Int(2)), ("updated_at", V::Ts(T0))],
            false,
        ),
        row(
            "audit_events",
            vec![
                ("id", V::Id(AUDIT)),
                ("occurred_at", V::Ts(T0)),
                ("actor_kind", V::Text("user")),
                ("actor_id", V::Id(ADMIN)),
                ("action", V::Text("college.create")),
                ("target_type", V::Text("college")),
                ("target_id", V::Id(COLLEGE)),
                ("changes", V::Json(json!({"code": "UPG"}))),
            ],
            false,
        ),
        row(
            "idempotency_records",
            vec![
                ("id", V::Id(IDEMPOTENCY)),
                ("principal", V::Text("User:someone")),
                ("idem_key", V::Text("k-1")),
                ("request_hash", V::Text("00")),
                ("state", V::Text("completed")),
                ("status_code", V::Int(201)),
                ("created_at", V::Now),
            ],
            false,
        ),
    ]
}

fn check_foundation<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let college = app.get(&format!("/api/v1/colleges/{}", id(COLLEGE)), token).await.expect(200);
        assert_eq!(college.body["name"], "升级学院");
        let year = app.get(&format!("/api/v1/academic-years/{}", id(YEAR)), token).await.expect(200);
        assert_eq!(year.body["code"], "2025-2026");
        let unit = app.get(&format!("/api/v1/units/{}", id(UNIT)), token).await.expect(200);
        assert_eq!(unit.body["kind"], "laboratory");
        let staff = app.get(&format!("/api/v1/staff/{}", id(STAFF)), token).await.expect(200);
        assert_eq!(staff.body["email"], "qian@example.edu.cn");
        let senior = app.get(&format!("/api/v1/students/{}", id(SENIOR)), token).await.expect(200);
        assert_eq!(
            (senior.body["name"].as_str(), senior.body["phone"].as_str()),
            (Some("升级学长"), Some("13800000001"))
        );
        assert_eq!(senior.body["supervisor_id"], id(STAFF));
        let me = app.get("/api/v1/me", token).await.expect(200);
        assert_eq!(me.body["id"], id(ADMIN));
        let clients = app.get("/api/v1/service-clients", token).await.expect(200);
        assert!(clients.text.contains("upgrade-xgxt"), "{}", clients.text);
        let audit = app.get("/api/v1/audit-events?page_size=100", token).await.expect(200);
        assert!(audit.text.contains(&id(AUDIT)), "{}", audit.text);
    })
}

fn selection() -> Vec<Row> {
    vec![
        row(
            "honors",
            vec![
                ("id", V::Id(HONOR)),
                ("student_id", V::Id(SENIOR)),
                ("title", V::Text("优秀研究生")),
                ("level", V::Text("university")),
                ("awarded_on", V::Date("2024-12-01")),
                ("created_at", V::Ts(T0)),
            ],
            false,
        ),
        row(
            "sanctions",
            vec![
                ("id", V::Id(SANCTION)),
                ("student_id", V::Id(FRESHMAN)),
                ("kind", V::Text("warning")),
                ("reason", V::Text("迟到")),
                ("imposed_on", V::Date("2025-09-10")),
                ("lifted_on", V::Date("2025-09-20")),
                ("created_at", V::Ts(T0)),
            ],
            false,
        ),
        row(
            "nominations",
            vec![
                ("id", V::Id(NOMINATION)),
                ("student_id", V::Id(SENIOR)),
                ("academic_year_id", V::Id(YEAR)),
                ("college_id", V::Id(COLLEGE)),
                ("unit_id", V::Id(UNIT)),
                ("source", V::Text("college")),
                ("state", V::Text("appointed")),
                ("statement", V::Text("乐于帮扶学弟学妹")),
                ("evidence", V::Json(json!([{"kind": "cadre_role", "title": "研究生会主席"}]))),
                ("morality_score", V::Int(90)),
                ("research_score", V::Int(91)),
                ("leadership_score", V::Int(92)),
                ("reviewed_by", V::Id(ADMIN)),
                ("reviewed_at", V::Ts(T0)),
                ("created_by", V::Id(ADMIN)),
                ("submitted_at", V::Ts(T0)),
                ("recommended_at", V::Ts(T0)),
                ("decided_at", V::Ts(T0)),
            ],
            true,
        ),
        row(
            "appointments",
            vec![
                ("id", V::Id(APPOINTMENT)),
                ("nomination_id", V::Id(NOMINATION)),
                ("student_id", V::Id(SENIOR)),
                ("academic_year_id", V::Id(YEAR)),
                ("college_id", V::Id(COLLEGE)),
                ("unit_id", V::Id(UNIT)),
                ("capacity", V::Int(4)),
                ("state", V::Text("active")),
                ("training_completed_on", V::Date("2025-09-20")),
                ("appointed_by", V::Id(ADMIN)),
            ],
            true,
        ),
        row(
            "commendations",
            vec![
                ("id", V::Id(COMMENDATION)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("title", V::Text("优秀学长")),
                ("reason", V::Text("表现突出")),
                ("awarded_on", V::Date("2025-12-01")),
                ("created_by", V::Id(ADMIN)),
                ("created_at", V::Ts(T0)),
            ],
            false,
        ),
        row(
            "events",
            vec![
                ("seq", V::Int(1)),
                ("id", V::Id(EVENT)),
                ("event_type", V::Text("appointment.made")),
                ("occurred_at", V::Ts(T0)),
                ("resource_type", V::Text("appointment")),
                ("resource_id", V::Id(APPOINTMENT)),
                ("payload", V::Json(json!({"id": id(APPOINTMENT), "state": "active"}))),
            ],
            false,
        ),
        // The counter row the migration seeds, moved past the event above.
        ("event_counter!", vec![("id", V::Int(1)), ("last", V::Int(1))]),
    ]
}

fn check_selection<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let n = app.get(&format!("/api/v1/nominations/{}", id(NOMINATION)), token).await.expect(200);
        assert_eq!(n.body["state"], "appointed");
        assert_eq!(n.body["evidence"][0]["title"], "研究生会主席");
        let a = app.get(&format!("/api/v1/appointments/{}", id(APPOINTMENT)), token).await.expect(200);
        assert_eq!((a.body["state"].as_str(), a.body["capacity"].as_i64()), (Some("active"), Some(4)));
        let honors = app.get(&format!("/api/v1/students/{}/honors", id(SENIOR)), token).await.expect(200);
        assert!(honors.text.contains("优秀研究生"), "{}", honors.text);
        // The feed keeps its events, and the counter (seeded by the migration, set here) goes on.
        let feed = app.get("/api/v1/events?after=0&limit=10", token).await.expect(200);
        assert_eq!(feed.body["items"][0]["id"], id(EVENT));
        let s = app
            .student(
                token,
                &id(COLLEGE),
                &format!("2024{:06}", feed.body["items"].as_array().unwrap().len()),
                json!({}),
            )
            .await;
        let feed = app.get("/api/v1/events?after=1&limit=100", token).await.expect(200);
        let created = feed.body["items"].as_array().unwrap().iter().find(|e| e["resource_id"] == s.as_str()).cloned();
        assert_eq!(created.map(|e| e["seq"].as_i64()), Some(Some(2)), "the feed goes on after the fixture's event");
    })
}

fn pairing() -> Vec<Row> {
    vec![
        // The migration added the introduction columns to appointments.
        (
            "appointments!",
            vec![
                ("id", V::Id(APPOINTMENT)),
                ("introduced_on", V::Date("2025-09-12")),
                ("introduction_channel", V::Text("wechat")),
                ("contact_for_mentees", V::Text("微信 upgrade2023")),
            ],
        ),
        row(
            "pairings",
            vec![
                ("id", V::Id(PAIRING)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("mentor_id", V::Id(SENIOR)),
                ("mentee_id", V::Id(FRESHMAN)),
                ("academic_year_id", V::Id(YEAR)),
                ("college_id", V::Id(COLLEGE)),
                ("cross_unit", V::Bool(false)),
                ("source", V::Text("manual")),
                ("state", V::Text("active")),
                ("created_by", V::Id(ADMIN)),
            ],
            true,
        ),
        row(
            "pairing_feedback",
            vec![
                ("id", V::Id(PAIRING_FEEDBACK)),
                ("pairing_id", V::Id(PAIRING)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("mentee_id", V::Id(FRESHMAN)),
                ("term", V::Text("autumn")),
                ("rating", V::Int(5)),
                ("comment", V::Text("很有帮助")),
                ("created_at", V::Ts(T0)),
            ],
            false,
        ),
    ]
}

fn check_pairing<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let p = app.get(&format!("/api/v1/pairings/{}", id(PAIRING)), token).await.expect(200);
        assert_eq!(p.body["state"], "active");
        assert_eq!(p.body["mentee"]["id"], id(FRESHMAN));
        assert_eq!(p.body["mentor_contact"], "微信 upgrade2023");
        let a = app.get(&format!("/api/v1/appointments/{}", id(APPOINTMENT)), token).await.expect(200);
        assert!(a.text.contains("2025-09-12"), "{}", a.text);
    })
}

fn activities() -> Vec<Row> {
    vec![
        row(
            "activities",
            vec![
                ("id", V::Id(ACTIVITY)),
                ("kind", V::Text("freshman_salon")),
                ("title", V::Text("升级交流沙龙")),
                ("topics", V::Json(json!(["如何尽快适应研究生学习、科研和生活"]))),
                ("academic_year_id", V::Id(YEAR)),
                ("college_id", V::Id(COLLEGE)),
                ("organiser_id", V::Id(ADMIN)),
                ("start_at", V::Ts("2025-10-20T11:00:00Z")),
                ("end_at", V::Ts("2025-10-20T13:00:00Z")),
                ("venue", V::Text("一教A101")),
                ("venue_key", V::Text("一教a101")),
                ("capacity", V::Int(40)),
                ("budget_fen", V::Int(50_000)),
                ("state", V::Text("held")),
                ("published_at", V::Ts(T0)),
                ("held_at", V::Ts("2025-10-20T13:00:00Z")),
                ("summary", V::Text("顺利举行")),
            ],
            true,
        ),
        row(
            "activity_hosts",
            vec![
                ("activity_id", V::Id(ACTIVITY)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("student_id", V::Id(SENIOR)),
                ("position", V::Int(0)),
            ],
            false,
        ),
        (
            "activity_registrations",
            vec![
                ("id", V::Id(REGISTRATION)),
                ("activity_id", V::Id(ACTIVITY)),
                ("student_id", V::Id(FRESHMAN)),
                ("state", V::Text("registered")),
                ("attended", V::Bool(true)),
                ("created_at", V::Ts(T0)),
                ("updated_at", V::Ts(T0)),
            ],
        ),
        row(
            "activity_feedback",
            vec![
                ("id", V::Id(ACTIVITY_FEEDBACK)),
                ("activity_id", V::Id(ACTIVITY)),
                ("student_id", V::Id(FRESHMAN)),
                ("rating", V::Int(4)),
                ("created_at", V::Ts(T0)),
            ],
            false,
        ),
    ]
}

fn check_activities<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let a = app.get(&format!("/api/v1/activities/{}", id(ACTIVITY)), token).await.expect(200);
        assert_eq!((a.body["state"].as_str(), a.body["title"].as_str()), (Some("held"), Some("升级交流沙龙")));
        assert!(a.text.contains(&id(APPOINTMENT)), "{}", a.text);
    })
}

fn profiles() -> Vec<Row> {
    vec![row(
        "mentor_profiles",
        vec![
            ("appointment_id", V::Id(APPOINTMENT)),
            ("research_direction", V::Text("计算机视觉")),
            ("bio", V::Text("博士三年级")),
            ("deeds", V::Json(json!(["2024 年“挑战杯”省赛一等奖"]))),
            ("published", V::Bool(true)),
            ("published_at", V::Ts(T0)),
        ],
        true,
    )]
}

fn check_profiles<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let p = app.get(&format!("/api/v1/appointments/{}/profile", id(APPOINTMENT)), token).await.expect(200);
        assert_eq!(p.body["research_direction"], "计算机视觉");
        assert_eq!(p.body["deeds"][0], "2024 年“挑战杯”省赛一等奖");
    })
}

fn work() -> Vec<Row> {
    vec![
        row(
            "staff",
            vec![
                ("id", V::Id(COUNSELOR)),
                ("staff_no", V::Text("C0001")),
                ("name", V::Text("孙辅导员")),
                ("college_id", V::Id(COLLEGE)),
                ("is_supervisor", V::Bool(false)),
                ("is_counselor", V::Bool(true)),
            ],
            true,
        ),
        ("students!", vec![("id", V::Id(SENIOR)), ("counselor_id", V::Id(COUNSELOR))]),
    ]
}

fn check_work<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let senior = app.get(&format!("/api/v1/students/{}", id(SENIOR)), token).await.expect(200);
        assert_eq!(senior.body["counselor_id"], id(COUNSELOR));
        assert_eq!(senior.body["supervisor_id"], id(STAFF));
    })
}

const INQUIRY: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0701;

fn directory() -> Vec<Row> {
    vec![
        row(
            "inquiries",
            vec![
                ("id", V::Id(INQUIRY)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("college_id", V::Id(COLLEGE)),
                ("kind", V::Text("admission")),
                ("state", V::Text("answered")),
                ("sender_name", V::Text("王同学")),
                ("subject", V::Text("报考")),
                ("message", V::Text("想了解招生情况")),
                ("reply", V::Text("欢迎报考")),
                ("replied_at", V::Ts(T0)),
                ("token_hash", V::Text("0000000000000000000000000000000000000000000000000000000000000000")),
            ],
            true,
        ),
        row(
            "rate_windows",
            // Written now: the server's housekeeping purges windows that started over an hour ago.
            vec![("key", V::Text("inquiry:addr:127.0.0.1")), ("started_at", V::Now), ("count", V::Int(3))],
            false,
        ),
    ]
}

fn check_directory<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let c = app.get(&format!("/api/v1/colleges/{}/inquiry-counts", id(COLLEGE)), token).await.expect(200);
        assert_eq!((c.body["answered"].as_u64(), c.body["open"].as_u64()), (Some(1), Some(0)));
    })
}

/// The bytes of the fixture's photo: served as they are stored.
const PHOTO: &[u8] = b"\xff\xd8\xff\xe0 a stored photo \xff\xd9";

fn photos() -> Vec<Row> {
    vec![row(
        "mentor_photos",
        vec![
            ("appointment_id", V::Id(APPOINTMENT)),
            ("jpeg", V::Bytes(PHOTO)),
            ("sha256", V::Text("5e8f0a3c9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15")),
            ("width", V::Int(600)),
            ("height", V::Int(450)),
            ("byte_size", V::Int(PHOTO.len() as i64)),
            ("source_format", V::Text("jpeg")),
        ],
        true,
    )]
}

fn check_photos<'a>(app: &'a TestApp, _token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let path = format!("/api/v1/public/mentors/{}/photo", id(APPOINTMENT));
        let res = app.request(reqwest::Method::GET, &path, None).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.bytes().await.unwrap().as_ref(), PHOTO);
        let m = app
            .send(app.request(reqwest::Method::GET, &format!("/api/v1/public/mentors/{}", id(APPOINTMENT)), None))
            .await;
        assert_eq!(m.expect(200).body["photo_url"], format!("{path}?v=5e8f0a3c9f86d081"));
    })
}

const WORK_RECORD: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0801;
const WORK_NOTE: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0802;

fn work_records() -> Vec<Row> {
    vec![
        ("academic_years!", vec![("id", V::Id(YEAR)), ("record_edit_days", V::Int(14))]),
        row(
            "work_records",
            vec![
                ("id", V::Id(WORK_RECORD)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("mentor_id", V::Id(SENIOR)),
                ("college_id", V::Id(COLLEGE)),
                ("kind", V::Text("individual_consultation")),
                ("date", V::Date("2025-09-20")),
                ("month", V::Text("2025-09")),
                ("minutes", V::Int(40)),
                ("channel", V::Text("face_to_face")),
                ("summary", V::Text("选课咨询")),
                ("reflections", V::Text("新生需要培养方案")),
            ],
            true,
        ),
        row(
            "work_record_students",
            vec![("work_record_id", V::Id(WORK_RECORD)), ("student_id", V::Id(FRESHMAN))],
            false,
        ),
        row("work_record_duties", vec![("work_record_id", V::Id(WORK_RECORD)), ("duty", V::Text("study"))], false),
        row(
            "work_record_notes",
            vec![
                ("id", V::Id(WORK_NOTE)),
                ("work_record_id", V::Id(WORK_RECORD)),
                ("text", V::Text("已回访")),
                ("created_at", V::Ts(T0)),
            ],
            false,
        ),
    ]
}

fn check_work_records<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let r = app.get(&format!("/api/v1/work-records/{}", id(WORK_RECORD)), token).await.expect(200);
        assert_eq!(r.body["kind"], "individual_consultation");
        assert_eq!(r.body["student_ids"], json!([id(FRESHMAN)]));
        assert_eq!(r.body["duties"], json!(["study"]));
        assert_eq!(r.body["notes"][0]["text"], "已回访");
        let y = app.get(&format!("/api/v1/academic-years/{}", id(YEAR)), token).await.expect(200);
        assert_eq!(y.body["record_edit_days"], 14);
        let s = app.get(&format!("/api/v1/appointments/{}/work-summary", id(APPOINTMENT)), token).await.expect(200);
        assert_eq!((s.body["entries"].as_i64(), s.body["minutes"].as_i64()), (Some(1), Some(40)));
    })
}

const CONCERN: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1001;

fn concerns() -> Vec<Row> {
    vec![
        row(
            "concerns",
            vec![
                ("id", V::Id(CONCERN)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("academic_year_id", V::Id(YEAR)),
                ("college_id", V::Id(COLLEGE)),
                ("mentor_id", V::Id(SENIOR)),
                ("scope", V::Text("group")),
                ("category", V::Text("study")),
                ("urgency", V::Text("normal")),
                ("state", V::Text("escalated")),
                ("description", V::Text("多名新生选课困难")),
                ("affected_count", V::Int(3)),
                ("escalated_at", V::Ts(T0)),
            ],
            true,
        ),
        ("concern_students", vec![("concern_id", V::Id(CONCERN)), ("student_id", V::Id(FRESHMAN))]),
        (
            "concern_recipients",
            vec![("concern_id", V::Id(CONCERN)), ("staff_id", V::Id(COUNSELOR)), ("role", V::Text("counselor"))],
        ),
        ("academic_years!", vec![("id", V::Id(YEAR)), ("concern_overdue_normal_days", V::Int(5))]),
    ]
}

fn check_concerns<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let c = app.get(&format!("/api/v1/concerns/{}", id(CONCERN)), token).await.expect(200);
        assert_eq!(c.body["state"], "escalated");
        assert_eq!(c.body["student_ids"][0], id(FRESHMAN));
        assert_eq!(c.body["recipients"][0]["staff_id"], id(COUNSELOR));
        assert_eq!(c.body["overdue"], true);
        let y = app.get(&format!("/api/v1/academic-years/{}", id(YEAR)), token).await.expect(200);
        assert_eq!(
            (y.body["concern_overdue_urgent_days"].as_i64(), y.body["concern_overdue_normal_days"].as_i64()),
            (Some(2), Some(5))
        );
    })
}

const POSTING: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1101;
const RECOMMENDATION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1102;

fn job_postings() -> Vec<Row> {
    vec![
        row(
            "job_postings",
            vec![
                ("id", V::Id(POSTING)),
                ("college_id", V::Id(COLLEGE)),
                ("title", V::Text("视觉算法实习生")),
                ("employer", V::Text("某科技公司")),
                ("city", V::Text("成都")),
                ("kind", V::Text("internship")),
                ("link", V::Text("https://jobs.example.com/1")),
                ("deadline", V::Date("2025-10-31")),
                ("state", V::Text("active")),
                ("author_id", V::Id(ADMIN)),
            ],
            true,
        ),
        ("job_posting_units", vec![("posting_id", V::Id(POSTING)), ("unit_id", V::Id(UNIT))]),
        (
            "job_recommendations",
            vec![
                ("id", V::Id(RECOMMENDATION)),
                ("posting_id", V::Id(POSTING)),
                ("student_id", V::Id(FRESHMAN)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("recommended_by", V::Id(ADMIN)),
                ("created_at", V::Ts(T0)),
            ],
        ),
    ]
}

fn check_job_postings<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let p = app.get(&format!("/api/v1/job-postings/{}", id(POSTING)), token).await.expect(200);
        assert_eq!(p.body["unit_ids"][0], id(UNIT));
        assert_eq!(p.body["recommended_count"], 1);
        assert_eq!(p.body["expired"], true);
    })
}

const ROUND: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1201;
const AWARD_NOMINATION: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1202;

fn awards() -> Vec<Row> {
    vec![
        row(
            "award_rounds",
            vec![
                ("id", V::Id(ROUND)),
                ("academic_year_id", V::Id(YEAR)),
                ("award", V::Text("outstanding_mentor")),
                ("title", V::Text("2025–2026学年优秀研究生党员学长评选")),
                ("state", V::Text("finalized")),
                ("nominations_open_on", V::Date("2026-06-01")),
                ("nominations_close_on", V::Date("2026-06-15")),
                ("quota_share_permille", V::Int(100)),
                ("college_quotas", V::Json(json!({}))),
                ("awards", V::Int(1)),
                ("weights", V::Json(json!({"figures": {"work_records": 50}, "reviewers": 50}))),
                ("criteria", V::Json(json!([{"key": "service", "title": "服务成效", "max": 100}]))),
                ("reviewer_ids", V::Json(json!([]))),
                ("finalized_at", V::Ts(T0)),
                ("finalized_by", V::Id(ADMIN)),
            ],
            true,
        ),
        (
            "award_nominations",
            vec![
                ("id", V::Id(AWARD_NOMINATION)),
                ("round_id", V::Id(ROUND)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("college_id", V::Id(COLLEGE)),
                ("mentor_id", V::Id(SENIOR)),
                ("statement", V::Text("全年结对新生")),
                ("figures", V::Json(json!({"work_records": 1.0}))),
                ("nominated_by", V::Id(ADMIN)),
                ("rank", V::Int(1)),
                ("score", V::Int(90_000_000)),
                ("awarded", V::Bool(true)),
                (
                    "result",
                    V::Json(json!({"figures": {"work_records": 1.0}, "parts": {"work_records": 50_000_000},
                        "reviewers": 40_000_000, "sheet_totals": [80], "tie_broken_by": null})),
                ),
                ("created_at", V::Ts(T0)),
            ],
        ),
        (
            "award_scores",
            vec![
                ("nomination_id", V::Id(AWARD_NOMINATION)),
                ("reviewer_id", V::Id(ADMIN)),
                ("scores", V::Json(json!({"service": 80}))),
                ("total", V::Int(80)),
                ("created_at", V::Ts(T0)),
                ("updated_at", V::Ts(T0)),
            ],
        ),
    ]
}

fn check_awards<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let r = app.get(&format!("/api/v1/award-rounds/{}", id(ROUND)), token).await.expect(200);
        assert_eq!(r.body["state"], "finalized");
        assert_eq!(r.body["max_sheet"], 100);
        let res = app.get(&format!("/api/v1/award-rounds/{}/results", id(ROUND)), token).await.expect(200);
        assert_eq!(res.body["rows"][0]["score_micro"], 90_000_000);
        assert_eq!(res.body["rows"][0]["sheet_totals"], json!([80]));
        let n = app.get(&format!("/api/v1/award-nominations/{}", id(AWARD_NOMINATION)), token).await.expect(200);
        assert_eq!(n.body["sheets"][0]["total"], 80);
        assert_eq!(n.body["figures_at_nomination"]["work_records"], 1.0);
    })
}

const ASSESSMENT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1401;

fn assessment() -> Vec<Row> {
    vec![
        row(
            "assessments",
            vec![
                ("id", V::Id(ASSESSMENT)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("academic_year_id", V::Id(YEAR)),
                ("college_id", V::Id(COLLEGE)),
                ("grade", V::Text("excellent")),
                ("comment", V::Text("结对帮扶扎实")),
                ("state", V::Text("graded")),
                ("graded_by", V::Id(ADMIN)),
                ("graded_at", V::Ts(T0)),
            ],
            true,
        ),
        (
            "academic_years!",
            vec![
                ("id", V::Id(YEAR)),
                ("assessment_opens_on", V::Date("2026-06-01")),
                ("assessment_closes_on", V::Date("2026-06-30")),
            ],
        ),
    ]
}

fn check_assessment<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let a = app.get(&format!("/api/v1/appointments/{}/assessment", id(APPOINTMENT)), token).await.expect(200);
        assert_eq!((a.body["grade"].as_str(), a.body["state"].as_str()), (Some("excellent"), Some("graded")));
        assert_eq!(a.body["comment"], "结对帮扶扎实");
        assert_eq!(a.body["assessment_opens_on"], "2026-06-01");
        let y = app.get(&format!("/api/v1/academic-years/{}", id(YEAR)), token).await.expect(200);
        assert_eq!(y.body["assessment_closes_on"], "2026-06-30");
    })
}

const HELP_REQUEST: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1301;

fn help_requests() -> Vec<Row> {
    vec![
        row(
            "help_requests",
            vec![
                ("id", V::Id(HELP_REQUEST)),
                ("student_id", V::Id(FRESHMAN)),
                ("appointment_id", V::Id(APPOINTMENT)),
                ("mentor_id", V::Id(SENIOR)),
                ("college_id", V::Id(COLLEGE)),
                ("topic", V::Text("study")),
                ("message", V::Text("选课不知道怎么选")),
                ("channel", V::Text("face_to_face")),
                ("state", V::Text("answered")),
                ("answer_note", V::Text("见工作记录")),
                ("answered_at", V::Ts(T0)),
                ("answered_by", V::Id(ADMIN)),
                ("work_record_id", V::Id(WORK_RECORD)),
            ],
            true,
        ),
        // The migration added the link from an entry to the request it answered.
        ("work_records!", vec![("id", V::Id(WORK_RECORD)), ("help_request_id", V::Id(HELP_REQUEST))]),
    ]
}

fn check_help_requests<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let h = app.get(&format!("/api/v1/help-requests/{}", id(HELP_REQUEST)), token).await.expect(200);
        assert_eq!(h.body["state"], "answered");
        assert_eq!(h.body["channel"], "face_to_face");
        assert_eq!(h.body["work_record_id"], id(WORK_RECORD));
        let r = app.get(&format!("/api/v1/work-records/{}", id(WORK_RECORD)), token).await.expect(200);
        assert_eq!(r.body["help_request_id"], id(HELP_REQUEST));
        let list = app.get("/api/v1/help-requests?topic=study&state=answered", token).await.expect(200);
        assert_eq!(list.body["total"], 1);
    })
}

fn credits() -> Vec<Row> {
    vec![(
        "academic_years!",
        vec![
            ("id", V::Id(YEAR)),
            ("credit_excellent", V::Int(25)),
            ("credit_competent", V::Int(15)),
            ("credit_per_award", V::Int(5)),
            ("credit_cap", V::Int(30)),
        ],
    )]
}

fn check_credits<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let y = app.get(&format!("/api/v1/academic-years/{}", id(YEAR)), token).await.expect(200);
        assert_eq!(y.body["scholarship_credit"], json!({"excellent": 25, "competent": 15, "per_award": 5, "cap": 30}));
        let c = app.get(&format!("/api/v1/academic-years/{}/scholarship-credits?format=json", id(YEAR)), token).await;
        assert_eq!(c.expect(200).body[0]["appointment_id"], id(APPOINTMENT));
    })
}

fn certificates() -> Vec<Row> {
    vec![(
        "certificates",
        vec![
            ("appointment_id", V::Id(APPOINTMENT)),
            ("code", V::Text("7K3QFA9M2DWXH4PB")),
            ("issued_at", V::Ts("2027-07-02T01:30:00Z")),
            ("issued_by", V::Id(ADMIN)),
        ],
    )]
}

fn check_certificates<'a>(app: &'a TestApp, _token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let path = "/api/v1/public/certificates/7K3Q-FA9M-2DWX-H4PB";
        let v = app.send(app.request(reqwest::Method::GET, path, None)).await.expect(200);
        assert!(v.body["name"].as_str().is_some_and(|n| !n.is_empty()), "{}", v.text);
    })
}

const BEST_CASE: u128 = 0x0190_0000_0000_7000_8000_0000_0000_2301;
const CASE_ATTACHMENT: u128 = 0x0190_0000_0000_7000_8000_0000_0000_2302;
const CASE_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n";

fn best_cases() -> Vec<Row> {
    vec![
        row(
            "best_cases",
            vec![
                ("id", V::Id(BEST_CASE)),
                ("college_id", V::Id(COLLEGE)),
                ("academic_year_id", V::Id(YEAR)),
                ("title", V::Text("升级学院新生适应案例")),
                ("summary", V::Text("以实验室为单位结对。")),
                ("body", V::Text("## 做法\n\n开学第一周召开见面会。")),
                ("data_notes", V::Text("数据取自系统报表。")),
                ("state", V::Text("accepted")),
                ("featured", V::Bool(true)),
                ("review_comments", V::Text("做法扎实。")),
                ("author_id", V::Id(ADMIN)),
                ("submitted_at", V::Ts("2026-06-01T02:00:00Z")),
                ("reviewed_at", V::Ts("2026-06-05T02:00:00Z")),
                ("reviewed_by", V::Id(ADMIN)),
            ],
            true,
        ),
        ("best_case_activities", vec![("case_id", V::Id(BEST_CASE)), ("activity_id", V::Id(ACTIVITY))]),
        (
            "best_case_attachments",
            vec![
                ("id", V::Id(CASE_ATTACHMENT)),
                ("case_id", V::Id(BEST_CASE)),
                ("file_name", V::Text("案例总结.pdf")),
                ("media_type", V::Text("application/pdf")),
                ("byte_size", V::Int(CASE_PDF.len() as i64)),
                ("sha256", V::Text("0000000000000000000000000000000000000000000000000000000000000000")),
                ("content", V::Bytes(CASE_PDF)),
                ("uploaded_by", V::Id(ADMIN)),
                ("created_at", V::Ts("2026-06-01T01:00:00Z")),
            ],
        ),
    ]
}

/// The index adds no rows: the window written in the schema of `000007_directory` is still found
/// (and purged) by when it started.
fn check_rate_window_index<'a>(app: &'a TestApp, _token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let later = Utc::now() + chrono::Duration::hours(2);
        let purged = persistence::usecases::directory::purge_rate_windows(&app.db, later).await.unwrap();
        assert!(purged >= 1, "{purged} windows purged");
    })
}

fn check_best_cases<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let c = app.get(&format!("/api/v1/cases/{}", id(BEST_CASE)), token).await.expect(200);
        assert_eq!((c.body["state"].as_str(), c.body["featured"].as_bool()), (Some("accepted"), Some(true)));
        assert_eq!(c.body["activity_ids"][0], id(ACTIVITY));
        let url = c.body["attachments"][0]["url"].as_str().unwrap().to_owned();
        let file = app.request(reqwest::Method::GET, &url, Some(token)).send().await.unwrap();
        assert_eq!(file.bytes().await.unwrap().as_ref(), CASE_PDF);
        let r = app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={}", id(YEAR)), token).await;
        assert_eq!(r.expect(200).body["colleges"][0]["featured_cases"][0]["id"], id(BEST_CASE));
    })
}

/// The work record written in the schema of `m20261130_000009_work_records` is counted by the
/// assessment, which reads it through the index that migration `000025` adds.
fn check_report_indexes<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let r = app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={}", id(YEAR)), token).await;
        let figures = &r.expect(200).body["colleges"][0]["figures"];
        assert_eq!((figures["work_records"].as_i64(), figures["work_minutes"].as_i64()), (Some(1), Some(40)));
    })
}

/// The indexes add no rows: the students written in earlier schemas are walked by cursor, newest
/// first and by enrolment year (the sorts `000028` indexes), in the order of the numbered pages.
fn check_list_keyset_indexes<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        for sort in ["-created_at", "enrollment_year"] {
            let all = app.get(&format!("/api/v1/students?sort={sort}&page_size=100"), token).await.expect(200);
            let expected: Vec<Value> = all.body["items"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
            assert!(expected.len() >= 3, "{} students", expected.len());
            let mut seen = Vec::new();
            let mut url = format!("/api/v1/students?sort={sort}&page_size=1&count=none");
            loop {
                let page = app.get(&url, token).await.expect(200);
                seen.extend(page.body["items"].as_array().unwrap().iter().map(|s| s["id"].clone()));
                let Some(cursor) = page.body["next_cursor"].as_str() else { break };
                url = format!("/api/v1/students?sort={sort}&page_size=1&cursor={cursor}");
            }
            assert_eq!(seen, expected, "sort={sort}");
        }
    })
}

/// The index adds no rows: the freshmen written in earlier schemas (enrolled in 2025, the first
/// year of 2025-2026) are counted by the assessment and by the overview, which both read them
/// through the index `000029` adds, and the two agree.
fn check_freshmen_index<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let year = id(YEAR);
        let r = app.get(&format!("/api/v1/reports/college-assessment?academic_year_id={year}"), token).await;
        let assessed = r.expect(200).body["totals"]["figures"]["freshmen"].as_i64();
        let r = app.get(&format!("/api/v1/reports/overview?academic_year_id={year}"), token).await;
        let overview = r.expect(200).body["freshmen"]["freshmen"].as_i64();
        assert!(assessed.is_some_and(|n| n >= 1), "{assessed:?} freshmen");
        assert_eq!(assessed, overview);
    })
}

const ESSAY: u128 = 0x0190_0000_0000_7000_8000_0000_0000_1701;

fn club_essays() -> Vec<Row> {
    vec![
        (
            "club_departures",
            vec![("student_id", V::Id(SENIOR)), ("left_at", V::Ts("2026-03-01T08:00:00Z")), ("left_by", V::Id(ADMIN))],
        ),
        row(
            "essays",
            vec![
                ("id", V::Id(ESSAY)),
                ("author_id", V::Id(SENIOR)),
                ("college_id", V::Id(COLLEGE)),
                ("unit_id", V::Id(UNIT)),
                ("academic_year_id", V::Id(YEAR)),
                ("title", V::Text("升级学长的经验谈")),
                ("body", V::Text("## 缘起\n\n一年的学长工作。")),
                ("theme", V::Text("freshman_guidance")),
                ("state", V::Text("accepted")),
                ("editor_comment", V::Text("收入文集")),
                ("submitted_at", V::Ts("2026-02-01T08:00:00Z")),
                ("decided_at", V::Ts("2026-02-10T08:00:00Z")),
                ("decided_by", V::Id(ADMIN)),
                ("created_by", V::Id(ADMIN)),
            ],
            true,
        ),
    ]
}

fn check_club_essays<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let e = app.get(&format!("/api/v1/essays/{}", id(ESSAY)), token).await.expect(200);
        assert_eq!((e.body["state"].as_str(), e.body["theme"].as_str()), (Some("accepted"), Some("freshman_guidance")));
        let a = app.get(&format!("/api/v1/academic-years/{}/anthology", id(YEAR)), token).await.expect(200);
        assert_eq!(a.body["sections"][0]["colleges"][0]["essays"][0]["id"], id(ESSAY), "{}", a.text);
        // The mentor who left is not listed.
        let m = app.get("/api/v1/club/members?page_size=100", token).await.expect(200);
        assert!(!m.text.contains(&id(SENIOR)), "{}", m.text);
    })
}

const SORTED_A: u128 = 0x0190_0000_0000_7000_8000_0000_0000_2401;
const SORTED_B: u128 = 0x0190_0000_0000_7000_8000_0000_0000_2402;

fn request_path() -> Vec<Row> {
    let student = |id: u128, no: &'static str, name: &'static str| {
        row(
            "students",
            vec![
                ("id", V::Id(id)),
                ("student_no", V::Text(no)),
                ("name", V::Text(name)),
                ("gender", V::Text("male")),
                ("college_id", V::Id(COLLEGE)),
                ("degree", V::Text("master")),
                ("enrollment_year", V::Int(2025)),
                ("political_status", V::Text("masses")),
                ("status", V::Text("enrolled")),
            ],
            true,
        )
    };
    // Written by 学号 in the opposite order of their names.
    vec![student(SORTED_B, "2025002401", "排序B"), student(SORTED_A, "2025002402", "排序A")]
}

fn check_request_path<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        // A college's students by name (the new indexes), one per page, with the total beside them.
        let path = format!("/api/v1/students?college_id={}&q=%E6%8E%92%E5%BA%8F&sort=name&page_size=1", id(COLLEGE));
        let page = app.get(&path, token).await.expect(200);
        assert_eq!((page.body["items"][0]["id"].clone(), page.body["total"].clone()), (json!(id(SORTED_A)), json!(2)));
        let page = app.get(&format!("{path}&page=2"), token).await.expect(200);
        assert_eq!(page.body["items"][0]["id"], id(SORTED_B));
        let past = app.get(&format!("{path}&page=3"), token).await.expect(200);
        assert_eq!((past.body["items"].as_array().map(Vec::len), past.body["total"].clone()), (Some(0), json!(2)));
        // Events written after the upgrade (numbered at commit on PostgreSQL) go on from the
        // counter with no gap.
        let s = app.student(token, &id(COLLEGE), "2025002403", json!({})).await;
        let feed = app.get("/api/v1/events?after=0&limit=1000", token).await.expect(200);
        let items = feed.body["items"].as_array().unwrap();
        let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gap-free and ordered");
        assert_eq!(items.last().map(|e| e["resource_id"].clone()), Some(json!(s)));
    })
}

/// Inserts a fixture's rows; a table name ending in `!` updates the row with that `id` instead.
async fn write(conn: &DatabaseConnection, rows: Vec<Row>) {
    for (table, values) in rows {
        let stmt = if let Some(table) = table.strip_suffix('!') {
            let mut q = Query::update();
            q.table(Alias::new(table));
            let mut key = None;
            for (column, v) in &values {
                if *column == "id" {
                    key = Some(v.expr());
                } else {
                    q.value(Alias::new(*column), v.expr());
                }
            }
            q.and_where(ExprTrait::eq(Expr::col(Alias::new("id")), key.expect("an id")));
            conn.get_database_backend().build(&q)
        } else {
            let mut q = Query::insert();
            q.into_table(Alias::new(table)).columns(values.iter().map(|(c, _)| Alias::new(*c)));
            q.values(values.iter().map(|(_, v)| v.expr())).unwrap();
            conn.get_database_backend().build(&q)
        };
        conn.execute_raw(stmt).await.unwrap_or_else(|e| panic!("writing the fixture row of {table}: {e}"));
    }
}

async fn tables(conn: &DatabaseConnection) -> Vec<String> {
    let sql = match conn.get_database_backend() {
        DbBackend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        _ => "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'",
    };
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    let mut names: Vec<String> =
        rows.iter().map(|r| r.try_get::<String>("", "t").unwrap()).filter(|t| t != "seaql_migrations").collect();
    names.sort();
    names
}

async fn count<C: ConnectionTrait>(conn: &C, table: &str) -> i64 {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[test]
fn every_migration_has_a_fixture_in_order() {
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let fixtures: Vec<&str> = FIXTURES.iter().map(|f| f.migration).collect();
    assert_eq!(names, fixtures, "add a Fixture for each new migration to tests/tests/api/upgrade.rs");
}

#[actix_web::test]
async fn a_database_of_every_earlier_schema_upgrades_with_all_its_data() {
    let scratch = scratch_database().await;
    let migrations = Migrator::migrations().len();
    assert!(migrations > 1, "no earlier schema to upgrade from");
    for keep in 1..migrations {
        let url = scratch.sibling(&format!("upto{keep}")).await;
        let conn = Database::connect(&url).await.unwrap();
        // The previous schema, built one migration at a time, each fixture written in its own.
        for fixture in &FIXTURES[..keep] {
            Migrator::up(&conn, Some(1)).await.unwrap();
            write(&conn, (fixture.rows)()).await;
        }
        let mut before = Vec::new();
        for table in tables(&conn).await {
            let n = count(&conn, &table).await;
            assert!(n > 0, "table {table} is empty at schema {keep}: its migration's fixture must fill it");
            before.push((table, n));
        }
        assert!(!before.is_empty(), "no tables found at schema {keep}");
        conn.close().await.unwrap();

        // Starting the newest server migrates it.
        let app = spawn_app_on(&url, |_| {}).await;
        assert!(app.db.schema_status().await.unwrap().is_current());
        for (table, n) in &before {
            assert_eq!(count(app.db.reader(), table).await, *n, "rows of {table} after upgrading from schema {keep}");
        }
        let token = app.login(ADMIN_NAME, PASSWORD).await;
        for fixture in &FIXTURES[..keep] {
            (fixture.check)(&app, &token).await;
        }
        // Each schema gets a server of its own: its pool is closed here, or the servers of all the
        // schemas together would hold more connections than PostgreSQL allows (100 by default).
        app.db.clone().close().await;
        drop(app);
    }
}

const IMPORT_COMPLETED: u128 = 0x0190_0000_0000_7000_8000_0000_0000_2701;
const IMPORT_RUNNING: u128 = 0x0190_0000_0000_7000_8000_0000_0000_2702;

/// A completed import of the college's admin, and one a killed server left `running`.
fn import_runs() -> Vec<Row> {
    let run = |id: u128, state: &'static str, started_at: &'static str| {
        vec![
            ("id", V::Id(id)),
            ("kind", V::Text("students")),
            ("started_by", V::Id(ADMIN)),
            ("started_at", V::Ts(started_at)),
            ("state", V::Text(state)),
            ("rows", V::Int(2)),
            ("format", V::Text("csv")),
            ("encoding", V::Text("utf-8")),
        ]
    };
    let mut completed = run(IMPORT_COMPLETED, "completed", "2026-09-01T02:00:00Z");
    completed.extend([
        ("college_id", V::Id(COLLEGE)),
        ("finished_at", V::Ts("2026-09-01T02:00:01Z")),
        ("created", V::Int(1)),
        ("updated", V::Int(1)),
        ("unchanged", V::Int(0)),
        ("file_name", V::Text("学生名单.csv")),
    ]);
    vec![("import_runs", completed), ("import_runs", run(IMPORT_RUNNING, "running", "2026-09-02T02:00:00Z"))]
}

/// The completed import reads back with its counts; the one left `running` by a server that is
/// gone reads `interrupted`.
fn check_import_runs<'a>(app: &'a TestApp, token: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        let done = app.get(&format!("/api/v1/imports/{}", id(IMPORT_COMPLETED)), token).await.expect(200).body;
        assert_eq!((done["state"].as_str(), done["created"].as_u64()), (Some("completed"), Some(1)));
        assert_eq!(
            (done["file_name"].as_str(), done["college_id"].as_str()),
            (Some("学生名单.csv"), Some(id(COLLEGE).as_str()))
        );
        let left = app.get(&format!("/api/v1/imports/{}", id(IMPORT_RUNNING)), token).await.expect(200).body;
        assert_eq!(left["state"], "interrupted");
    })
}
