//! Large lists without a table scan (issue 18): `count=none` leaves out the total, and `cursor`
//! pages seek past the last row shown instead of counting `OFFSET` rows. Students, staff and
//! accounts offer both; walking by cursor gives what walking by page gives.

use std::collections::HashSet;

use domain::page::{Cursor, KeyValue};
use persistence::reference::students::StudentFilter;
use serde_json::{Value, json};
use xuezhang_tests::*;

/// Names with ties, so a sort on them leans on its tie-break.
const NAMES: [&str; 4] = ["王芳", "李华", "王芳", "张伟"];

/// Creates `n` students in `college` with 学号 `<prefix>0001`… and names from `NAMES`, the
/// enrolment years spread over three years; returns their ids in creation order.
async fn students(app: &TestApp, token: &str, college: &str, prefix: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let extra = json!({"name": NAMES[i % NAMES.len()], "enrollment_year": 2022 + (i % 3) as i32});
        ids.push(app.student(token, college, &format!("{prefix}{i:04}"), extra).await);
    }
    ids
}

/// The `rel="next"` target of a `Link` header, if any.
fn next_link(res: &Res) -> Option<String> {
    let links = res.header("link").unwrap_or_default();
    links
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| l.trim_start_matches('<').split('>').next().unwrap_or_default().to_owned())
}

/// Every item of a list, following `next_cursor` from `first` (a path and query without a cursor).
/// The first page links to the next by number; each page after a cursor has `Link: rel="next"`
/// leading to the next cursor, which the walk follows.
async fn walk_by_cursor(app: &TestApp, token: &str, first: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = first.to_owned();
    for _ in 0..100 {
        let res = app.get(&url, token).await.expect(200);
        let page = res.body["items"].as_array().unwrap();
        assert!(page.len() as u64 <= res.body["page_size"].as_u64().unwrap());
        items.extend(page.iter().cloned());
        let more = res.body["has_more"].as_bool().unwrap();
        match res.body["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(more, "a next cursor on the last page: {}", res.text);
                let link = next_link(&res).unwrap_or_else(|| panic!("no next link: {:?}", res.header("link")));
                if url == first {
                    assert!(link.contains("page=2&"), "{link}");
                    url = format!("{first}&cursor={cursor}");
                } else {
                    assert!(link.contains(&format!("cursor={cursor}&")), "{link}");
                    url = link;
                }
            }
            None => {
                assert!(!more, "has_more without a cursor: {}", res.text);
                assert_eq!(next_link(&res), None);
                return items;
            }
        }
    }
    panic!("the walk did not end");
}

/// Every item of a list by page number.
async fn walk_by_pages(app: &TestApp, token: &str, query: &str, size: u64) -> Vec<Value> {
    let mut items = Vec::new();
    for page in 1.. {
        let res = app.get(&format!("{query}&page={page}&page_size={size}"), token).await.expect(200);
        let batch = res.body["items"].as_array().unwrap().clone();
        let total = res.body["total"].as_u64().unwrap();
        assert_eq!(res.body["has_more"], page * size < total, "page {page}: {}", res.text);
        if batch.is_empty() {
            return items;
        }
        items.extend(batch);
    }
    unreachable!()
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn walking_students_by_cursor_gives_every_row_once_in_the_order_of_the_pages() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let created = students(&app, &admin, &cs, "2024", 13).await;
    assert_eq!(created.len(), 13);

    for sort in ["student_no", "-student_no", "name", "-name", "enrollment_year", "-enrollment_year", "-created_at"] {
        let by_pages = ids(&walk_by_pages(&app, &admin, &format!("/api/v1/students?sort={sort}"), 4).await);
        let by_cursor =
            ids(&walk_by_cursor(&app, &admin, &format!("/api/v1/students?sort={sort}&page_size=4&count=none")).await);
        assert_eq!(by_pages.len(), 13, "sort={sort}");
        assert_eq!(by_cursor, by_pages, "sort={sort}");
        assert_eq!(by_cursor.iter().collect::<HashSet<_>>().len(), 13, "sort={sort}: a row twice");
    }
    // The ties are broken the same way both ways, in the direction asked: descending by id too.
    let desc = walk_by_cursor(&app, &admin, "/api/v1/students?sort=-name&page_size=3").await;
    let names: Vec<&str> = desc.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names.iter().filter(|n| **n == "王芳").count(), 7);
    let ties: Vec<&str> =
        desc.iter().filter(|s| s["name"] == "王芳").map(|s| s["id"].as_str().unwrap()).collect::<Vec<_>>();
    assert!(ties.windows(2).all(|w| w[0] > w[1]), "equal names by descending id: {ties:?}");
}

#[actix_web::test]
async fn a_cursor_page_has_no_page_number_and_counts_only_when_asked() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    students(&app, &admin, &cs, "2024", 5).await;

    let first = app.get("/api/v1/students?page_size=2", &admin).await.expect(200);
    assert_eq!(first.body["total"], 5);
    assert_eq!(first.body["page"], 1);
    assert_eq!(first.body["has_more"], true);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();

    let after = app.get(&format!("/api/v1/students?page_size=2&cursor={cursor}"), &admin).await.expect(200);
    assert!(after.body["total"].is_null(), "a cursor does not count unless asked: {}", after.text);
    assert!(after.body["page"].is_null());
    assert_eq!(after.body["items"][0]["student_no"], "20240002");
    let link = after.header("link").unwrap();
    assert!(link.starts_with("</api/v1/students?page_size=2>; rel=\"first\""), "{link}");
    assert!(!link.contains("rel=\"last\"") && !link.contains("rel=\"prev\""), "{link}");

    let counted =
        app.get(&format!("/api/v1/students?page_size=2&cursor={cursor}&count=exact"), &admin).await.expect(200);
    assert_eq!(counted.body["total"], 5, "the whole list, not what is left of it");
    assert_eq!(counted.body["items"], after.body["items"]);
}

#[actix_web::test]
async fn a_row_inserted_before_the_cursor_does_not_shift_the_next_page() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    for n in [10, 20, 30, 40, 50, 60, 70] {
        app.student(&admin, &cs, &format!("20240{n}"), json!({})).await;
    }
    let first = app.get("/api/v1/students?page_size=3", &admin).await.expect(200);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();

    app.student(&admin, &cs, "2024005", json!({})).await;

    let next = app.get(&format!("/api/v1/students?page_size=3&cursor={cursor}"), &admin).await.expect(200);
    let nos: Vec<&str> =
        next.body["items"].as_array().unwrap().iter().map(|s| s["student_no"].as_str().unwrap()).collect();
    assert_eq!(nos, ["2024040", "2024050", "2024060"]);
    // By page number the insert shifts the page: its first row is the last of the page before.
    let page2 = app.get("/api/v1/students?page_size=3&page=2", &admin).await.expect(200);
    assert_eq!(page2.body["items"][0]["student_no"], "2024030");
}

#[actix_web::test]
async fn count_none_has_no_total_and_has_more_ends_the_list() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    students(&app, &admin, &cs, "2024", 5).await;

    let get = |page: u64| {
        let app = &app;
        let admin = &admin;
        async move { app.get(&format!("/api/v1/students?count=none&page_size=2&page={page}"), admin).await.expect(200) }
    };
    let p1 = get(1).await;
    assert!(p1.body["total"].is_null(), "{}", p1.text);
    assert!(p1.body.as_object().unwrap().contains_key("total"), "total is null, not absent");
    assert_eq!(p1.body["has_more"], true);
    assert_eq!(p1.body["page"], 1);
    let link = p1.header("link").unwrap();
    assert!(link.contains("page=2&page_size=2>; rel=\"next\"") && !link.contains("rel=\"last\""), "{link}");
    let p2 = get(2).await;
    assert_eq!(p2.body["has_more"], true);
    let p3 = get(3).await;
    assert_eq!(p3.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(p3.body["has_more"], false);
    assert!(p3.body["next_cursor"].is_null());
    assert!(next_link(&p3).is_none());
    // Exactly a full last page: no more either.
    let even = app.get("/api/v1/students?count=none&page_size=5", &admin).await.expect(200);
    assert_eq!(even.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(even.body["has_more"], false);
    let past = get(9).await;
    assert_eq!(past.body["items"], json!([]));
    assert_eq!(past.body["has_more"], false);
    // The default still counts, and a count mode is one of two.
    let exact = app.get("/api/v1/students?page_size=2&page=3", &admin).await.expect(200);
    assert_eq!(exact.body["total"], 5);
    assert_eq!(exact.body["has_more"], false);
    let bad = app.get("/api/v1/students?count=some", &admin).await.expect(400);
    assert_eq!(bad.code(), "invalid_query");
}

#[actix_web::test]
async fn an_unusable_cursor_is_a_400_invalid_cursor() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    students(&app, &admin, &cs, "2024", 4).await;
    let first = app.get("/api/v1/students?page_size=2&sort=name", &admin).await.expect(200);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/students?page_size=2&sort=name&cursor={cursor}"), &admin).await.expect(200);

    let mut tampered = cursor.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let forged_type = Cursor::new(
        "name",
        &serde_json::to_string(&StudentFilter::default()).unwrap(),
        KeyValue::Int(7),
        uuid::Uuid::now_v7(),
    )
    .encode();
    let year = Cursor::new(
        "enrollment_year",
        &serde_json::to_string(&StudentFilter::default()).unwrap(),
        KeyValue::Int(i64::MAX),
        uuid::Uuid::now_v7(),
    )
    .encode();
    for (query, why) in [
        (format!("sort=name&cursor={tampered}"), "altered"),
        ("sort=name&cursor=not-a-cursor".to_owned(), "not one of ours"),
        (format!("sort=-name&cursor={cursor}"), "another direction"),
        (format!("sort=student_no&cursor={cursor}"), "another sort"),
        (format!("cursor={cursor}"), "the default sort"),
        (format!("sort=name&q=王&cursor={cursor}"), "another filter"),
        (format!("sort=name&college_id={cs}&cursor={cursor}"), "another filter"),
        (format!("sort=name&page=2&cursor={cursor}"), "page beside a cursor"),
        (format!("sort=name&cursor={forged_type}"), "a key of another type"),
        (format!("sort=enrollment_year&cursor={year}"), "a key out of the column's range"),
        (format!("sort=name&cursor={}", "A".repeat(2000)), "too long"),
    ] {
        let res = app.get(&format!("/api/v1/students?page_size=2&{query}"), &admin).await;
        assert_eq!(res.status.as_u16(), 400, "{why}: {}", res.text);
        assert_eq!(res.code(), "invalid_cursor", "{why}");
        assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{why}");
    }
    // The page size and the count may change along the walk.
    app.get(&format!("/api/v1/students?page_size=7&count=exact&sort=name&cursor={cursor}"), &admin).await.expect(200);
    // The document's example cursor is a real one (for `sort=name`, no filters).
    let doc = xuezhang_http::openapi::document();
    let doc = serde_json::to_value(&doc).unwrap();
    let params = doc["paths"]["/api/v1/students"]["get"]["parameters"].as_array().unwrap();
    let example = params.iter().find(|p| p["name"] == "cursor").unwrap()["example"].as_str().unwrap().to_owned();
    let res = app.get(&format!("/api/v1/students?sort=name&cursor={example}"), &admin).await.expect(200);
    assert!(res.body["items"].as_array().unwrap().iter().all(|s| s["name"].as_str().unwrap() >= "李华"));
}

#[actix_web::test]
async fn a_college_admins_cursor_pages_never_show_another_colleges_students() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    // Interleaved 学号, so every page boundary of one college has the other's rows beside it.
    for i in 0..6 {
        app.student(&admin, &cs, &format!("2024{:03}", 2 * i), json!({})).await;
        app.student(&admin, &ee, &format!("2024{:03}", 2 * i + 1), json!({})).await;
    }
    let cadmin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;

    let mine = walk_by_cursor(&app, &cadmin, "/api/v1/students?page_size=2&count=none").await;
    assert_eq!(mine.len(), 6);
    assert!(mine.iter().all(|s| s["college_id"] == cs), "{mine:?}");

    // The university admin's cursor over every college, in the college admin's hands: still only
    // their own college's students after it.
    let all = app.get("/api/v1/students?page_size=3", &admin).await.expect(200);
    let cursor = all.body["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/api/v1/students?page_size=50&cursor={cursor}"), &cadmin).await.expect(200);
    let rest = rest.body["items"].as_array().unwrap();
    assert!(!rest.is_empty());
    assert!(rest.iter().all(|s| s["college_id"] == cs), "{rest:?}");
    // Asking for the other college by filter and cursor shows nothing.
    let theirs = app.get(&format!("/api/v1/students?college_id={ee}&page_size=2"), &admin).await.expect(200);
    let cursor = theirs.body["next_cursor"].as_str().unwrap();
    let res =
        app.get(&format!("/api/v1/students?college_id={ee}&page_size=2&cursor={cursor}"), &cadmin).await.expect(200);
    assert_eq!(res.body["items"], json!([]));
    assert_eq!(res.body["has_more"], false);
}

#[actix_web::test]
async fn staff_and_accounts_page_by_cursor_too() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    // Every staff member the helper makes is 王老师: a descending sort of nothing but ties.
    for i in 0..7 {
        app.staff(&admin, &cs, &format!("T{i:04}"), i % 2 == 0).await;
    }
    for (i, name) in ["a", "b", "a", "c", "b"].iter().enumerate() {
        let body = json!({"username": format!("user{i}"), "display_name": name, "password": PASSWORD, "role": "university_admin"});
        app.post("/api/v1/users", &admin, body).await.expect(201);
    }
    for (list, sort, n) in [
        ("/api/v1/staff", "-name", 7),
        ("/api/v1/staff", "staff_no", 7),
        ("/api/v1/staff", "-created_at", 7),
        ("/api/v1/users", "-display_name", 6),
        ("/api/v1/users", "username", 6),
    ] {
        let by_pages = ids(&walk_by_pages(&app, &admin, &format!("{list}?sort={sort}"), 2).await);
        let by_cursor = ids(&walk_by_cursor(&app, &admin, &format!("{list}?sort={sort}&page_size=2")).await);
        assert_eq!(by_pages.len(), n, "{list} sort={sort}");
        assert_eq!(by_cursor, by_pages, "{list} sort={sort}");
    }
    let res = app.get("/api/v1/staff?is_supervisor=true&count=none&page_size=2", &admin).await.expect(200);
    assert!(res.body["total"].is_null());
    let cursor = res.body["next_cursor"].as_str().unwrap();
    let res = app.get(&format!("/api/v1/staff?is_supervisor=false&cursor={cursor}"), &admin).await.expect(400);
    assert_eq!(res.code(), "invalid_cursor");
    let res = app.get(&format!("/api/v1/users?cursor={cursor}"), &admin).await.expect(400);
    assert_eq!(res.code(), "invalid_cursor", "a staff cursor on the account list");
}
