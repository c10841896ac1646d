//! Essays and the anthology (issue 17): a member's essay goes draft → submitted → returned →
//! submitted → accepted, with ETags and the editor's comments; only accepted essays are compiled,
//! grouped by theme then college in the stated order, a revision standing in for the essay it
//! revises, an edition spanning several years; JSON, Markdown, HTML (script removed) and a PDF
//! that opens and holds the Chinese titles as text; bad inputs, wrong roles and foreign colleges.

use chrono::{Datelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_tests::*;

fn current_year() -> i32 {
    let d = domain::time::shanghai_date(Utc::now());
    if d.month() >= 9 { d.year() } else { d.year() - 1 }
}

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

struct World {
    app: TestApp,
    admin: String,
    cs: String,
    /// The academic year running today.
    year: String,
    /// The one before it.
    last_year: String,
    cs_admin: String,
    ee_admin: String,
    cs_counselor: String,
    /// 张三, a serving CS mentor.
    zhang: String,
    /// 王五, a serving EE mentor.
    wang: String,
    /// A student who never served.
    stranger: String,
    supervisor: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let first = current_year();
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let last_year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{}-{first}", first - 1)}))
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let cs_counselor = app.user(&admin, "cs-counselor", Role::Counselor, json!({"college_id": cs})).await;
    let lab = app.unit(&admin, &cs, "LAB1", "laboratory").await;
    let ee_lab = app.unit(&admin, &ee, "EE1", "laboratory").await;
    let mut tokens = Vec::new();
    for (college, unit, no, name) in [(&cs, &lab, "2023001", "张三"), (&ee, &ee_lab, "2023002", "王五")] {
        let s = app
            .student(&admin, college, no, json!({"name": name, "enrollment_year": first - 2, "unit_id": unit}))
            .await;
        MentorBuilder::new(&app, &admin).student(&s).year(&year).unit(unit).justification("表现突出").appoint().await;
        tokens.push(app.user(&admin, &format!("u{no}"), Role::Student, json!({"student_id": s})).await);
    }
    let s = app.student(&admin, &cs, "2024009", json!({"name": "赵六"})).await;
    let stranger = app.user(&admin, "u2024009", Role::Student, json!({"student_id": s})).await;
    let staff = app.staff(&admin, &cs, "T001", true).await;
    let supervisor = app.user(&admin, "sup", Role::Supervisor, json!({"staff_id": staff})).await;
    let wang = tokens.pop().unwrap();
    let zhang = tokens.pop().unwrap();
    World { app, admin, cs, year, last_year, cs_admin, ee_admin, cs_counselor, zhang, wang, stranger, supervisor }
}

impl World {
    fn essay(&self, title: &str, theme: &str, year: &str) -> Value {
        json!({"title": title, "theme": theme, "academic_year_id": year,
               "body": format!("## 缘起\n\n{title}：我与学弟学妹的故事。\n\n- 第一次见面\n- 第一次组会\n")})
    }

    async fn write(&self, token: &str, body: Value) -> Res {
        self.app.post("/api/v1/essays", token, body).await
    }

    async fn act(&self, token: &str, id: &str, action: &str, body: Value) -> Res {
        self.app.post(&format!("/api/v1/essays/{id}/{action}"), token, body).await
    }

    /// An essay written by `token`, submitted and accepted by the editor; its id.
    async fn accepted(&self, token: &str, body: Value) -> String {
        let id = self.write(token, body).await.expect(201).id();
        self.act(token, &id, "submit", json!({})).await.expect(200);
        self.act(&self.admin, &id, "accept", json!({})).await.expect(200);
        id
    }

    fn anthology(&self, year: &str, query: &str) -> String {
        format!("/api/v1/academic-years/{year}/anthology{query}")
    }

    /// The anthology as bytes, asked for with `format=` or with `Accept`.
    async fn document(
        &self,
        token: &str,
        path: &str,
        accept: Option<&str>,
    ) -> (u16, String, Vec<u8>, reqwest::header::HeaderMap) {
        let mut req = self.app.request(Method::GET, path, Some(token));
        if let Some(a) = accept {
            req = req.header("Accept", a);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let ct = headers.get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, ct, res.bytes().await.unwrap().to_vec(), headers)
    }
}

fn ids_in_order(anthology: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in anthology["sections"].as_array().unwrap() {
        for c in s["colleges"].as_array().unwrap() {
            for e in c["essays"].as_array().unwrap() {
                out.push(e["id"].as_str().unwrap().to_owned());
            }
        }
    }
    out
}

#[actix_web::test]
async fn an_essay_is_returned_revised_and_accepted_and_only_accepted_essays_are_compiled_in_order() {
    let w = world().await;
    let app = &w.app;

    // A draft: the author's alone.
    let res = w.write(&w.zhang, w.essay("做学弟学妹科研路上的引路人", "research", &w.year)).await.expect(201);
    let first = res.id();
    assert_eq!(res.header("location"), Some(format!("/api/v1/essays/{first}")));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!((res.body["state"].as_str(), res.body["author_name"].as_str()), (Some("draft"), Some("张三")));
    assert_eq!(
        (res.body["college_name"].as_str(), res.body["unit_name"].as_str()),
        (Some("计算机学院"), Some("单位LAB1"))
    );
    for other in [&w.admin, &w.cs_admin, &w.wang] {
        assert_problem(&app.get(&format!("/api/v1/essays/{first}"), other).await, 404, "not_found");
    }
    assert_eq!(app.get("/api/v1/essays", &w.admin).await.expect(200).body["total"], 0);
    assert_eq!(app.get("/api/v1/essays", &w.zhang).await.expect(200).body["total"], 1);

    // Edited with If-Match; a stale one is 412.
    let path = format!("/api/v1/essays/{first}");
    assert_eq!(app.patch(&path, &w.zhang, json!({"title": "旧"}), Some("\"7\"")).await.status.as_u16(), 412);
    let edited =
        app.patch(&path, &w.zhang, json!({"title": "  做学弟学妹科研路上的引路人  "}), Some("\"1\"")).await.expect(200);
    assert_eq!((edited.body["version"].as_i64(), edited.header("etag").as_deref()), (Some(2), Some("\"2\"")));
    w.act(&w.zhang, &first, "submit", json!({})).await.expect(200);

    // Submitted: the editor and the author's college see it, another college does not.
    app.get(&path, &w.admin).await.expect(200);
    app.get(&path, &w.cs_admin).await.expect(200);
    app.get(&path, &w.cs_counselor).await.expect(200);
    assert_problem(&app.get(&path, &w.ee_admin).await, 404, "not_found");
    assert_eq!(app.get(&format!("/api/v1/essays?college_id={}", w.cs), &w.ee_admin).await.expect(200).body["total"], 0);
    assert_problem(&app.patch(&path, &w.zhang, json!({"title": "改"}), None).await, 409, "invalid_transition");
    // Only the editor decides; a return needs a comment.
    assert_problem(&w.act(&w.cs_admin, &first, "accept", json!({})).await, 403, "forbidden");
    assert_problem(&w.act(&w.zhang, &first, "accept", json!({})).await, 403, "forbidden");
    assert_eq!(
        w.act(&w.admin, &first, "return", json!({"comment": "  "})).await.expect(422).error_fields(),
        ["comment"]
    );
    let returned =
        w.act(&w.admin, &first, "return", json!({"comment": "请补充一个具体的帮扶案例。"})).await.expect(200);
    assert_eq!(
        (returned.body["state"].as_str(), returned.body["editor_comment"].as_str()),
        (Some("returned"), Some("请补充一个具体的帮扶案例。"))
    );
    // A returned essay is not compiled.
    let a = app.get(&w.anthology(&w.year, ""), &w.admin).await.expect(200);
    assert_eq!(a.body["essays"], 0, "{}", a.text);
    // Edited and submitted again, then accepted: final.
    app.patch(&path, &w.zhang, json!({"body": "## 缘起\n\n补充了案例：帮学弟改开题报告。"}), None).await.expect(200);
    w.act(&w.zhang, &first, "submit", json!({})).await.expect(200);
    let accepted = w.act(&w.admin, &first, "accept", json!({"comment": "收入文集"})).await.expect(200);
    assert_eq!(accepted.body["state"], "accepted");
    assert_problem(&app.patch(&path, &w.zhang, json!({"title": "再改"}), None).await, 409, "invalid_transition");
    assert_problem(&w.act(&w.zhang, &first, "submit", json!({})).await, 409, "invalid_transition");
    assert_problem(&w.act(&w.admin, &first, "return", json!({"comment": "x"})).await, 409, "invalid_transition");
    // Audited and on the feed (ids and state, never the text).
    let audit = app.get(&format!("/api/v1/audit-events?target_id={first}&page_size=100"), &w.admin).await.expect(200);
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["essay.create", "essay.update", "essay.submit", "essay.return", "essay.accept"] {
        assert!(actions.contains(&a), "{a} missing: {actions:?}");
    }
    let feed = app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    for t in ["essay.submitted", "essay.returned", "essay.accepted"] {
        assert!(feed.text.contains(t), "{t} missing from the feed");
    }
    assert!(!feed.text.contains("帮学弟改开题报告") && !feed.text.contains("请补充"), "text on the feed");

    // More essays: another research essay of CS accepted later, an ideology essay of EE, one left
    // submitted and one returned, and one of last year.
    let second = w.accepted(&w.zhang, w.essay("带新生走进实验室", "research", &w.year)).await;
    let ideology = w.accepted(&w.wang, w.essay("把党课讲到宿舍里", "ideology", &w.year)).await;
    let waiting = w.write(&w.wang, w.essay("还在审的文章", "career", &w.year)).await.expect(201).id();
    w.act(&w.wang, &waiting, "submit", json!({})).await.expect(200);
    let back = w.write(&w.wang, w.essay("被退回的文章", "career", &w.year)).await.expect(201).id();
    w.act(&w.wang, &back, "submit", json!({})).await.expect(200);
    w.act(&w.admin, &back, "return", json!({"comment": "请重写"})).await.expect(200);
    let older = w.accepted(&w.zhang, w.essay("去年的经验谈", "life", &w.last_year)).await;

    // Exactly the accepted essays of the edition: by theme (ideology before research), then
    // college, then when accepted.
    let a = app.get(&w.anthology(&w.year, ""), &w.cs_counselor).await.expect(200);
    assert_eq!(ids_in_order(&a.body), [ideology.clone(), first.clone(), second.clone()], "{}", a.text);
    assert_eq!(a.body["title"], "四川大学研究生党员学长经验谈");
    assert_eq!(
        (a.body["sections"][0]["theme"].as_str(), a.body["sections"][0]["label"].as_str()),
        (Some("ideology"), Some("思想引领"))
    );
    let e = &a.body["sections"][1]["colleges"][0]["essays"][0];
    assert_eq!(
        (e["author"].as_str(), e["college"].as_str(), e["unit"].as_str(), e["number"].as_i64()),
        (Some("张三"), Some("计算机学院"), Some("单位LAB1"), Some(2))
    );
    // An edition of two years holds last year's essay too (life after research).
    let both = app.get(&w.anthology(&w.last_year, &format!("?through={}", w.year)), &w.zhang).await.expect(200);
    assert_eq!(ids_in_order(&both.body), [ideology.clone(), first.clone(), second.clone(), older.clone()]);
    assert_eq!(both.body["years"].as_array().map(Vec::len), Some(2));
    let only_last = app.get(&w.anthology(&w.last_year, ""), &w.zhang).await.expect(200);
    assert_eq!(ids_in_order(&only_last.body), std::slice::from_ref(&older));

    // A revision of an accepted essay stands in for it once accepted; an essay is revised once.
    let mut revision = w.essay("做学弟学妹科研路上的引路人（修订）", "research", &w.year);
    revision["revises"] = json!(first);
    let rev = w.write(&w.zhang, revision.clone()).await.expect(201).id();
    assert_problem(&w.write(&w.zhang, revision.clone()).await, 409, "duplicate");
    let mut foreign = revision.clone();
    foreign["revises"] = json!(ideology);
    assert_eq!(w.write(&w.zhang, foreign).await.expect(422).error_fields(), ["revises"]);
    let mut not_accepted = revision.clone();
    not_accepted["revises"] = json!(rev);
    assert_eq!(w.write(&w.zhang, not_accepted).await.expect(422).error_fields(), ["revises"]);
    w.act(&w.zhang, &rev, "submit", json!({})).await.expect(200);
    let still = app.get(&w.anthology(&w.year, ""), &w.admin).await.expect(200);
    assert_eq!(ids_in_order(&still.body), [ideology.clone(), first.clone(), second.clone()], "not until accepted");
    w.act(&w.admin, &rev, "accept", json!({})).await.expect(200);
    let revised = app.get(&w.anthology(&w.year, ""), &w.admin).await.expect(200);
    assert_eq!(ids_in_order(&revised.body), [ideology, second, rev]);
}

#[actix_web::test]
async fn the_anthology_as_markdown_html_and_a_pdf_with_the_chinese_titles_as_text() {
    let w = world().await;
    let app = &w.app;
    let mut evil = w.essay("学长的一封信", "freshman_guidance", &w.year);
    evil["body"] = json!(
        "# 写给新生\n\n欢迎来到川大！<script>alert('x')</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[链接](javascript:alert(3))\n\n**加粗**"
    );
    w.accepted(&w.zhang, evil).await;
    w.accepted(&w.wang, w.essay("科研路上的引路人", "research", &w.year)).await;

    let base = w.anthology(&w.year, "");
    // Markdown, by format and by Accept: the cover, the contents, the authors' Markdown.
    for (path, accept) in [(format!("{base}?format=markdown"), None), (base.clone(), Some("text/markdown"))] {
        let (status, ct, bytes, _) = w.document(&w.zhang, &path, accept).await;
        assert_eq!((status, ct.as_str()), (200, "text/markdown; charset=utf-8"));
        let md = String::from_utf8(bytes).unwrap();
        assert!(md.starts_with("# 四川大学研究生党员学长经验谈"), "{md}");
        for needle in [
            "## 目录",
            "学长的一封信 —— 张三",
            "科研路上的引路人 —— 王五",
            "#### 写给新生",
            "*张三 · 计算机学院 · 单位LAB1",
        ] {
            assert!(md.contains(needle), "{needle} not in {md}");
        }
    }
    // HTML: rendered, the script and its handlers gone.
    for (path, accept) in
        [(format!("{base}?format=html"), None), (base.clone(), Some("text/html,application/xhtml+xml,*/*;q=0.8"))]
    {
        let (status, ct, bytes, headers) = w.document(&w.cs_admin, &path, accept).await;
        assert_eq!((status, ct.as_str()), (200, "text/html; charset=utf-8"));
        assert!(headers.get("content-security-policy").is_some());
        let page = String::from_utf8(bytes).unwrap();
        assert!(page.contains("<strong>加粗</strong>") && page.contains("学长的一封信"), "{page}");
        for bad in ["<script", "alert(", "onerror", "javascript:"] {
            assert!(!page.contains(bad), "{bad} survives: {page}");
        }
    }
    // PDF: it opens, and the Chinese titles are text.
    for (path, accept) in [(format!("{base}?format=pdf"), None), (base.clone(), Some("application/pdf"))] {
        let (status, ct, bytes, _) = w.document(&w.admin, &path, accept).await;
        assert_eq!((status, ct.as_str()), (200, "application/pdf"));
        let doc = lopdf::Document::load_mem(&bytes).expect("the PDF parses");
        assert!(doc.get_pages().len() >= 3, "a cover, the contents, the essays");
        let text = pdf_extract::extract_text_from_mem(&bytes).expect("the text extracts");
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for needle in
            ["四川大学研究生党员学长经验谈", "目录", "学长的一封信", "科研路上的引路人", "新生引导", "写给新生", "张三"]
        {
            assert!(flat.contains(needle), "{needle} not in the PDF text: {text}");
        }
        assert!(!flat.contains("alert"), "{text}");
    }
    // JSON by default and with Accept: application/json.
    let (_, ct, _, _) = w.document(&w.zhang, &base, Some("application/json")).await;
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(app.get(&format!("{base}?format=docx"), &w.admin).await.status.as_u16(), 400);
}

#[actix_web::test]
async fn bad_inputs_wrong_roles_and_foreign_colleges_are_refused() {
    let w = world().await;
    let app = &w.app;
    let good = w.essay("标题", "study", &w.year);
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    // Bad fields, each named.
    let nul = w.write(&w.zhang, with("title", json!("标\u{0}题"))).await.expect(422);
    assert_eq!(
        (nul.error_fields(), nul.body["errors"][0]["code"].as_str()),
        (vec!["title".to_owned()], Some("control_character"))
    );
    let long = w.write(&w.zhang, with("body", json!("字".repeat(20_001)))).await.expect(422);
    assert_eq!(
        (long.error_fields(), long.body["errors"][0]["code"].as_str()),
        (vec!["body".to_owned()], Some("too_long"))
    );
    w.write(&w.zhang, with("body", json!("字".repeat(20_000)))).await.expect(201);
    let theme = w.write(&w.zhang, with("theme", json!("poetry"))).await.expect(422);
    assert_eq!(
        (theme.error_fields(), theme.body["errors"][0]["code"].as_str()),
        (vec!["theme".to_owned()], Some("invalid_choice"))
    );
    let year = w.write(&w.zhang, with("academic_year_id", json!(uuid::Uuid::now_v7()))).await.expect(422);
    assert_eq!(
        (year.error_fields(), year.body["errors"][0]["code"].as_str()),
        (vec!["academic_year_id".to_owned()], Some("invalid_reference"))
    );
    let mut both = with("title", json!("两行\n标题"));
    both["body"] = json!("  ");
    let mut fields = w.write(&w.zhang, both).await.expect(422).error_fields();
    fields.sort();
    assert_eq!(fields, ["body", "title"]);
    assert_eq!(w.write(&w.zhang, with("extra", json!(1))).await.expect(422).error_fields(), ["extra"]);
    // Only members write: not a student who never served, not an admin, not a member who left.
    assert_problem(&w.write(&w.stranger, good.clone()).await, 403, "forbidden");
    assert_problem(&w.write(&w.admin, good.clone()).await, 403, "forbidden");
    let draft = w.write(&w.wang, good.clone()).await.expect(201).id();
    app.delete("/api/v1/club/members/me", &w.wang, None).await.expect(204);
    assert_problem(&w.write(&w.wang, good.clone()).await, 403, "forbidden");
    assert_problem(&w.act(&w.wang, &draft, "submit", json!({})).await, 403, "forbidden");
    app.post("/api/v1/club/members/me", &w.wang, json!({})).await.expect(200);
    w.act(&w.wang, &draft, "submit", json!({})).await.expect(200);
    // Another author's essay is not found, also for editing; another college's too.
    let path = format!("/api/v1/essays/{draft}");
    assert_problem(&app.patch(&path, &w.zhang, json!({"title": "x"}), None).await, 404, "not_found");
    assert_problem(&app.get(&path, &w.cs_admin).await, 404, "not_found");
    app.get(&path, &w.ee_admin).await.expect(200);
    assert_problem(&app.patch(&path, &w.admin, json!({"title": "x"}), None).await, 403, "forbidden");
    assert_problem(&app.patch(&path, &w.wang, json!({"title": "x"}), None).await, 409, "invalid_transition");
    assert_problem(&app.get(&format!("/api/v1/essays/{}", uuid::Uuid::now_v7()), &w.admin).await, 404, "not_found");
    assert_eq!(app.get("/api/v1/essays/not-an-id", &w.admin).await.status.as_u16(), 400);
    assert_eq!(app.get("/api/v1/essays?state=published", &w.admin).await.status.as_u16(), 400);
    assert_eq!(app.get("/api/v1/essays?sort=title", &w.admin).await.expect(422).error_fields(), ["sort"]);
    assert_eq!(app.get("/api/v1/essays", &w.supervisor).await.expect(200).body["total"], 0);

    // The anthology: members, admins and counselors; not a supervisor, a non-member or a client.
    let path = w.anthology(&w.year, "");
    for reader in [&w.zhang, &w.admin, &w.cs_admin, &w.ee_admin, &w.cs_counselor] {
        app.get(&path, reader).await.expect(200);
    }
    for outsider in [&w.supervisor, &w.stranger] {
        assert_problem(&app.get(&path, outsider).await, 403, "forbidden");
    }
    let client = app.client_token(&w.admin, json!(["events:read"])).await;
    assert_problem(&app.get(&path, &client).await, 403, "forbidden");
    assert_eq!(app.send(app.request(Method::GET, &path, None)).await.status.as_u16(), 401);
    // Unknown years are 404; an edition that ends before it starts is 422.
    let unknown = uuid::Uuid::now_v7();
    assert_problem(&app.get(&w.anthology(&unknown.to_string(), ""), &w.admin).await, 404, "not_found");
    assert_problem(&app.get(&w.anthology(&w.year, &format!("?through={unknown}")), &w.admin).await, 404, "not_found");
    let backwards = app.get(&w.anthology(&w.year, &format!("?through={}", w.last_year)), &w.admin).await.expect(422);
    assert_eq!(backwards.error_fields(), ["through"]);
    assert_eq!(app.get(&w.anthology("nope", ""), &w.admin).await.status.as_u16(), 400);
    assert_eq!(app.get(&w.anthology(&w.year, "?through=nope"), &w.admin).await.status.as_u16(), 400);
}
