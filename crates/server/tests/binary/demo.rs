//! `xuezhang demo` as a newcomer runs it: on an empty database it builds a year in which every
//! list endpoint of the OpenAPI document has data for every role that may call it; on a database
//! with data it refuses; the same seed gives the same people.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::Value;

use crate::support::*;

/// The documented demo password and service client (see `xuezhang demo`'s output and the README).
const DEMO_PASSWORD: &str = "Xuezhang-Demo-2026";
const CLIENT: (&str, &str) = ("xgxt-demo", "xgxt-demo-secret-2026");

/// The printed logins, one per role, and the service client as `client`.
const ROLES: &[&str] = &["admin", "cs.admin", "cs.counselor", "cs.supervisor", "mentor", "freshman"];

/// Lists that are empty for a role by design, whatever the data: (path, role, why).
const EMPTY_BY_DESIGN: &[(&str, &str, &str)] = &[
    ("/api/v1/appointments", "freshman", "a student sees their own appointments; a freshman holds none"),
    ("/api/v1/exports/appointments", "freshman", "as /appointments"),
    ("/api/v1/nominations", "freshman", "a student sees their own nominations; a freshman is never nominated"),
    (
        "/api/v1/concerns",
        "freshman",
        "a student sees the concerns they registered as a mentor; those about them are confidential",
    ),
    (
        "/api/v1/help-requests",
        "cs.supervisor",
        "help requests are private to the student, the mentor, the college and the university",
    ),
    ("/api/v1/help-requests", "client", "as for supervisors: a service client sees none"),
    (
        "/api/v1/inquiries",
        "admin",
        "the default mailbox is the caller's inbox as a mentor; only mentors receive inquiries",
    ),
    ("/api/v1/inquiries", "cs.admin", "as for admin"),
    ("/api/v1/inquiries", "cs.counselor", "as for admin"),
    ("/api/v1/inquiries", "cs.supervisor", "as for admin"),
    ("/api/v1/inquiries", "freshman", "as for admin (a freshman's sent ones are under mailbox=sent)"),
    (
        "/api/v1/me/agenda",
        "admin",
        "a university admin's items are score sheets of rounds in review; the demo round takes nominations",
    ),
    ("/api/v1/me/agenda", "client", "service clients always get an empty to-do list"),
    (
        "/api/v1/essays",
        "cs.supervisor",
        "essays are read by their author, the university and the author's college's admins and counselors",
    ),
    (
        "/api/v1/essays",
        "freshman",
        "a student sees the essays they wrote; a freshman is no club member and writes none",
    ),
    ("/api/v1/essays", "client", "as for supervisors: a service client reads no essay"),
];

fn demo(url: &str, seed: Option<&str>) -> std::process::Output {
    let mut c = command(url);
    c.arg("demo");
    if let Some(s) = seed {
        c.args(["--seed", s]);
    }
    run(c)
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The list endpoints of the document: GET operations under /api/v1 without path parameters
/// whose JSON answer is an array or a page of `items`; with their required query parameters.
fn list_endpoints(doc: &Value) -> Vec<(String, Vec<String>)> {
    let schemas = &doc["components"]["schemas"];
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        if path.contains('{') || !path.starts_with("/api/v1/") {
            continue;
        }
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
        let resolved = match schema["$ref"].as_str() {
            Some(r) => &schemas[r.rsplit('/').next().unwrap()],
            None => schema,
        };
        let is_list = resolved["type"] == "array" || resolved["properties"]["items"]["type"] == "array";
        if !is_list {
            continue;
        }
        let required = get["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "query" && p["required"] == true)
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        out.push((path.clone(), required));
    }
    out
}

fn count(body: &str) -> usize {
    let v: Value = serde_json::from_str(body.trim_start_matches('\u{feff}')).unwrap_or(Value::Null);
    match &v {
        Value::Array(a) => a.len(),
        _ => v["items"].as_array().map_or(0, Vec::len),
    }
}

async fn client_token(s: &Server) -> String {
    let res = s
        .send(s.request(Method::POST, "/api/v1/auth/token", None).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT.0),
            ("client_secret", CLIENT.1),
        ]))
        .await
        .expect(200);
    res.body["access_token"].as_str().unwrap().to_owned()
}

/// The demo's people, as (学号, name, gender, degree, political status), in 学号 order.
async fn people(url: &str) -> Vec<(String, String, String, String, String)> {
    let s = Server::start(command(url), &[]);
    let token = s.login("admin", DEMO_PASSWORD).await;
    let res = s
        .send(s.request(Method::GET, "/api/v1/exports/students", Some(&token)).header("Accept", "application/json"))
        .await
        .expect(200);
    let v: Value = serde_json::from_str(res.text.trim_start_matches('\u{feff}')).unwrap();
    let rows = v.as_array().cloned().or_else(|| v["items"].as_array().cloned()).unwrap();
    s.stop();
    let field = |r: &Value, k: &str| r[k].as_str().unwrap_or_default().to_owned();
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                field(r, "student_no"),
                field(r, "name"),
                field(r, "gender"),
                field(r, "degree"),
                field(r, "political_status"),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_demo_fills_every_list_for_every_role_refuses_a_second_run_and_is_deterministic() {
    let db = scratch_database().await;
    let out = demo(&db.url, None);
    let printed = text(&out);
    assert!(out.status.success(), "xuezhang demo failed: {printed}");
    for login in ROLES.iter().chain([&CLIENT.0, &CLIENT.1, &DEMO_PASSWORD]) {
        assert!(printed.contains(login), "the demo does not print {login}: {printed}");
    }

    // A second run refuses, and says why.
    let again = demo(&db.url, None);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("not empty"), "{}", text(&again));

    // Every list endpoint of the document, for every role.
    let s = Server::start(command(&db.url), &[]);
    let mut tokens = BTreeMap::new();
    for r in ROLES {
        tokens.insert(*r, s.login(r, DEMO_PASSWORD).await);
    }
    tokens.insert("client", client_token(&s).await);
    let doc = s.send(s.request(Method::GET, "/api/v1/openapi.json", None)).await.expect(200).body;
    let admin = tokens["admin"].clone();
    let year =
        s.get("/api/v1/academic-years", &admin).await.expect(200).body["items"][0]["id"].as_str().unwrap().to_owned();
    let colleges = s.get("/api/v1/colleges?page_size=100", &admin).await.expect(200).body;
    let cs = colleges["items"].as_array().unwrap().iter().find(|c| c["code"] == "CS").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let lists = list_endpoints(&doc);
    assert!(lists.len() >= 20, "only {} list endpoints found in the document", lists.len());
    let mut failures = Vec::new();
    let mut used_exceptions = Vec::new();
    for (path, required) in &lists {
        let query: Vec<String> = required
            .iter()
            .map(|p| match p.as_str() {
                "academic_year_id" => format!("{p}={year}"),
                "college_id" => format!("{p}={cs}"),
                other => panic!("{path} requires `{other}`: give the test a value for it"),
            })
            .collect();
        let url = if query.is_empty() { path.clone() } else { format!("{path}?{}", query.join("&")) };
        let mut callers = 0;
        for (role, token) in &tokens {
            let res = s.send(s.request(Method::GET, &url, Some(token)).header("Accept", "application/json")).await;
            match res.status.as_u16() {
                // Not a list this role may read.
                403 => continue,
                200 => {}
                other => {
                    failures.push(format!("{url} as {role}: {other} {}", res.text));
                    continue;
                }
            }
            callers += 1;
            let n = count(&res.text);
            let excused = EMPTY_BY_DESIGN.iter().find(|(p, r, _)| p == path && r == role);
            match (n, excused) {
                (0, Some(e)) => used_exceptions.push(e),
                (0, None) => failures.push(format!("{url} is empty for {role}")),
                (_, Some((_, _, why))) => {
                    failures.push(format!("{url} has data for {role}, listed as empty by design ({why})"))
                }
                _ => {}
            }
        }
        if callers == 0 {
            failures.push(format!("no demo role may read {url}"));
        }
    }
    assert!(failures.is_empty(), "lists without demo data:\n{}", failures.join("\n"));
    assert_eq!(used_exceptions.len(), EMPTY_BY_DESIGN.len(), "an exception names a list that is not in the document");
    s.stop();

    // The same seed gives the same students; another seed other names on the same 学号.
    let first = people(&db.url).await;
    assert!(first.len() > 50, "{first:?}");
    let same = db.sibling("same_seed").await;
    let out = demo(&same, Some("2026"));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(people(&same).await, first);
    let other = db.sibling("other_seed").await;
    let out = demo(&other, Some("7"));
    assert!(out.status.success(), "{}", text(&out));
    let second = people(&other).await;
    let numbers = |p: &[(String, String, String, String, String)]| p.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(numbers(&second), numbers(&first));
    assert_ne!(second, first);
}
