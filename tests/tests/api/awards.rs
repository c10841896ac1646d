//! Annual award rounds (issue 15): rules, quota and window, eligibility, reviewers and their own
//! college, the ranking against one computed by hand (with a tie), finalize writing commendations
//! once, the public result, and a college admin seeing only their college.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn assert_problem(res: &Res, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.code(), code, "{}", res.text);
}

fn today() -> NaiveDate {
    domain::time::shanghai_date(chrono::Utc::now())
}

struct Mentor {
    appointment: String,
    token: String,
    mentee: String,
}

/// Computer science (CS) and electrical engineering (EE) in the academic year running today.
struct World {
    app: TestApp,
    admin: String,
    cs_admin: String,
    ee_admin: String,
    cs: String,
    ee: String,
    year: String,
    /// A CS counselor's account, named as a reviewer in the round.
    cs_reviewer: String,
    cs_reviewer_user: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cs = app.college(&admin, "CS", "计算机学院").await;
    let ee = app.college(&admin, "EE", "电气工程学院").await;
    let t = today();
    let first = if t.month() >= 9 { t.year() } else { t.year() - 1 };
    let year = app
        .post("/api/v1/academic-years", &admin, json!({"code": format!("{first}-{}", first + 1)}))
        .await
        .expect(201)
        .id();
    let cs_admin = app.user(&admin, "cs-admin", "college_admin", json!({"college_id": cs})).await;
    let ee_admin = app.user(&admin, "ee-admin", "college_admin", json!({"college_id": ee})).await;
    let staff = app
        .post(
            "/api/v1/staff",
            &admin,
            json!({"staff_no": "C001", "name": "辅导员甲", "college_id": cs, "is_supervisor": false, "is_counselor": true}),
        )
        .await
        .expect(201)
        .id();
    let cs_reviewer = app.user(&admin, "cs-reviewer", "counselor", json!({"college_id": cs, "staff_id": staff})).await;
    let me = app.get("/api/v1/me", &cs_reviewer).await.expect(200);
    let cs_reviewer_user = me.body["id"].as_str().unwrap().to_owned();
    World { app, admin, cs_admin, ee_admin, cs, ee, year, cs_reviewer, cs_reviewer_user }
}

impl World {
    /// A mentor of `college` (student `no`, named `name`) with one freshman mentee.
    async fn mentor(&self, college: &str, no: &str, name: &str) -> Mentor {
        let app = &self.app;
        let lab = app.unit(&self.admin, college, &format!("LAB-{no}"), "laboratory").await;
        let first = today().year() - i32::from(today().month() < 9);
        let senior = app
            .student(&self.admin, college, no, json!({"enrollment_year": first - 2, "unit_id": lab, "name": name}))
            .await;
        let mentee = app
            .student(&self.admin, college, &format!("{no}9"), json!({"enrollment_year": first, "unit_id": lab}))
            .await;
        let appointment = MentorBuilder::new(app, &self.admin)
            .student(&senior)
            .year(&self.year)
            .unit(&lab)
            .justification("表现突出")
            .appoint()
            .await
            .appointment
            .0;
        app.post("/api/v1/pairings", &self.admin, json!({"appointment_id": appointment, "mentee_id": mentee}))
            .await
            .expect(201);
        let token = app.user(&self.admin, &format!("m{no}"), "student", json!({"student_id": senior})).await;
        Mentor { appointment, token, mentee }
    }

    /// An entry of `minutes` in the mentor's book naming their mentee.
    async fn record(&self, m: &Mentor, minutes: i64) {
        self.app
            .post(
                "/api/v1/work-records",
                &m.token,
                json!({"appointment_id": m.appointment, "kind": "individual_consultation", "date": today(),
                       "minutes": minutes, "duties": ["study"], "channel": "face_to_face",
                       "student_ids": [m.mentee], "summary": "选课与开题"}),
            )
            .await
            .expect(201);
    }

    fn rules(&self, awards: u32, quotas: Value) -> Value {
        json!({
            "academic_year_id": self.year,
            "award": "outstanding_mentor",
            "title": "年度优秀研究生党员学长评选",
            "nominations_open_on": today() - Duration::days(1),
            "nominations_close_on": today() + Duration::days(10),
            "quota_share_permille": 1000,
            "college_quotas": quotas,
            "awards": awards,
            "figure_weights": [{"figure": "work_records", "weight": 30}, {"figure": "minutes", "weight": 20}],
            "reviewers_weight": 50,
            "criteria": [{"key": "ideology", "title": "思想引领", "max": 40}, {"key": "service", "title": "服务成效", "max": 60}],
            "reviewer_ids": [self.cs_reviewer_user],
        })
    }

    async fn nominate(&self, token: &str, round: &str, appointment: &str) -> Res {
        self.app
            .post(
                &format!("/api/v1/award-rounds/{round}/nominations"),
                token,
                json!({"appointment_id": appointment, "statement": "全年开展新生座谈，结对新生，组织学术沙龙。"}),
            )
            .await
    }

    async fn sheet(&self, token: &str, nomination: &str, ideology: u32, service: u32) -> Res {
        self.app
            .post(
                &format!("/api/v1/award-nominations/{nomination}/scores"),
                token,
                json!({"scores": {"ideology": ideology, "service": service}}),
            )
            .await
    }

    async fn commendations(&self, appointment: &str) -> Vec<Value> {
        let res = self.app.get(&format!("/api/v1/appointments/{appointment}/commendations"), &self.admin).await;
        let res = res.expect(200);
        res.body.as_array().or_else(|| res.body["items"].as_array()).cloned().unwrap()
    }
}

/// The ranking formula written out independently: a figure's part is `weight × value / highest`,
/// the reviewers' `50 × mean sheet / 100`, all in millionths of a point.
fn by_hand(work_records: f64, high_wr: f64, minutes: f64, high_min: f64, mean_sheet: f64) -> i64 {
    let micro = |p: f64| (p * 1_000_000.0).round() as i64;
    micro(30.0 * work_records / high_wr) + micro(20.0 * minutes / high_min) + micro(50.0 * mean_sheet / 100.0)
}

#[actix_web::test]
async fn a_round_runs_from_draft_to_finalized_and_ranks_as_computed_by_hand() {
    let w = world().await;
    let m1 = w.mentor(&w.cs, "2023001", "张三").await;
    let m2 = w.mentor(&w.cs, "2023002", "李四").await;
    let m3 = w.mentor(&w.cs, "2023003", "王五").await;
    let e1 = w.mentor(&w.ee, "2023101", "赵六").await;
    let e2 = w.mentor(&w.ee, "2023102", "钱七").await;
    // The books: m1 two entries (60 + 30 min), m2 one (90), e1 two (30 + 30).
    w.record(&m1, 60).await;
    w.record(&m1, 30).await;
    w.record(&m2, 90).await;
    w.record(&e1, 30).await;
    w.record(&e1, 30).await;
    // m3 is dismissed.
    w.app
        .post(
            &format!("/api/v1/appointments/{}/dismissal", m3.appointment),
            &w.admin,
            json!({"reason": "长期不履行学长职责"}),
        )
        .await
        .expect(200);

    // Only the university creates a round; EE's quota is fixed at 1.
    let rules = w.rules(2, json!([{"college_id": w.ee, "quota": 1}]));
    assert_problem(&w.app.post("/api/v1/award-rounds", &w.cs_admin, rules.clone()).await, 403, "forbidden");
    let round = w.app.post("/api/v1/award-rounds", &w.admin, rules.clone()).await.expect(201);
    assert_eq!(round.body["state"], "draft");
    assert_eq!(round.body["max_sheet"], 100);
    let id = round.id();
    assert_problem(&w.app.post("/api/v1/award-rounds", &w.admin, rules).await, 409, "duplicate");

    // Nothing is nominated while the round is a draft; the public result is not there yet.
    assert_problem(&w.nominate(&w.cs_admin, &id, &m1.appointment).await, 409, "nominations_closed");
    let public = format!("/api/v1/public/award-rounds/{id}/results");
    assert_eq!(w.app.send(w.app.request(reqwest::Method::GET, &public, None)).await.status.as_u16(), 404);
    w.app.patch(&format!("/api/v1/award-rounds/{id}"), &w.admin, json!({"awards": 2}), None).await.expect(200);
    w.app.post(&format!("/api/v1/award-rounds/{id}/open"), &w.admin, json!({})).await.expect(200);
    assert_problem(
        &w.app.patch(&format!("/api/v1/award-rounds/{id}"), &w.admin, json!({"awards": 3}), None).await,
        409,
        "invalid_transition",
    );

    // Colleges nominate: their own mentors only, not a dismissed one, once, within the quota.
    let n1 = w.nominate(&w.cs_admin, &id, &m1.appointment).await.expect(201);
    assert_eq!(n1.body["figures_at_nomination"]["work_records"], 2.0);
    assert_eq!(n1.body["figures_at_nomination"]["minutes"], 90.0);
    assert_eq!(n1.body["figures_at_nomination"]["mentees_reached"], 1.0);
    assert_eq!(n1.body["figures_at_nomination"]["activities_held"], 0.0);
    assert!(n1.body["figures_at_nomination"].get("mentee_feedback").is_none(), "fewer than 3 answers");
    let n1 = n1.id();
    let n2 = w.nominate(&w.cs_admin, &id, &m2.appointment).await.expect(201).id();
    assert_problem(&w.nominate(&w.cs_admin, &id, &m3.appointment).await, 409, "not_eligible");
    assert_problem(&w.nominate(&w.cs_admin, &id, &m1.appointment).await, 409, "duplicate");
    let foreign = w.nominate(&w.cs_admin, &id, &e1.appointment).await;
    assert_problem(&foreign, 422, "validation_failed");
    assert_eq!(foreign.error_fields(), ["appointment_id"]);
    let ne1 = w.nominate(&w.ee_admin, &id, &e1.appointment).await.expect(201).id();
    assert_problem(&w.nominate(&w.ee_admin, &id, &e2.appointment).await, 409, "quota_full");
    let quotas = w.app.get(&format!("/api/v1/award-rounds/{id}/quotas"), &w.ee_admin).await.expect(200);
    assert_eq!(
        quotas.body,
        json!([{"college_id": w.ee, "college_name": "电气工程学院", "mentors": 2, "quota": 1, "used": 1}])
    );
    // A withdrawal frees the place; the nomination is gone.
    w.app.delete(&format!("/api/v1/award-nominations/{ne1}"), &w.ee_admin, None).await.expect(204);
    w.app.get(&format!("/api/v1/award-nominations/{ne1}"), &w.admin).await.expect(404);
    let ne1 = w.nominate(&w.ee_admin, &id, &e1.appointment).await.expect(201).id();

    // A college admin sees their college's nominations only; a mentor sees none.
    let list = |token: String| {
        let app = &w.app;
        let path = format!("/api/v1/award-rounds/{id}/nominations");
        async move { app.get(&path, &token).await }
    };
    let cs_list = list(w.cs_admin.clone()).await.expect(200);
    let names: Vec<&str> =
        cs_list.body.as_array().unwrap().iter().map(|n| n["mentor_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["张三", "李四"]);
    assert_eq!(list(w.admin.clone()).await.expect(200).body.as_array().unwrap().len(), 3);
    assert_problem(&list(m1.token.clone()).await, 403, "forbidden");
    w.app.get(&format!("/api/v1/award-nominations/{ne1}"), &w.cs_admin).await.expect(404);
    w.app.get(&format!("/api/v1/award-nominations/{ne1}"), &w.ee_admin).await.expect(200);

    // Scoring waits for the review.
    assert_problem(&w.sheet(&w.admin, &n1, 20, 20).await, 409, "invalid_transition");
    w.app.post(&format!("/api/v1/award-rounds/{id}/review"), &w.admin, json!({})).await.expect(200);
    assert_problem(&w.nominate(&w.cs_admin, &id, &m2.appointment).await, 409, "nominations_closed");
    assert_problem(
        &w.app.delete(&format!("/api/v1/award-nominations/{n1}"), &w.cs_admin, None).await,
        409,
        "nominations_closed",
    );
    // Bad sheets name the criterion.
    let res = w
        .app
        .post(&format!("/api/v1/award-nominations/{n1}/scores"), &w.admin, json!({"scores": {"ideology": 10}}))
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.error_fields(), ["scores.service"]);
    let res = w.sheet(&w.admin, &n1, 41, 0).await;
    assert_eq!(res.error_fields(), ["scores.ideology"]);
    // The named CS reviewer does not score CS nominees; a college admin is no reviewer.
    assert_problem(&w.sheet(&w.cs_reviewer, &n1, 10, 10).await, 403, "forbidden");
    assert_problem(&w.sheet(&w.ee_admin, &n1, 10, 10).await, 404, "not_found");
    assert_problem(&w.sheet(&w.cs_admin, &n1, 10, 10).await, 403, "forbidden");

    // Sheets: m1 40 (first 10 then replaced), m2 70, e1 50 (admin) and 70 (CS reviewer) → mean 60.
    w.sheet(&w.admin, &n1, 5, 5).await.expect(200);
    let s = w.sheet(&w.admin, &n1, 15, 25).await.expect(200);
    assert_eq!(s.body["sheet_count"], 1, "a second sheet of the same reviewer replaces the first");
    assert_eq!(s.body["sheets"][0]["total"], 40);
    w.sheet(&w.admin, &n2, 30, 40).await.expect(200);
    w.sheet(&w.admin, &ne1, 20, 30).await.expect(200);
    let s = w.sheet(&w.cs_reviewer, &ne1, 30, 40).await.expect(200);
    assert_eq!(s.body["sheets"].as_array().unwrap().len(), 1, "a reviewer sees their own sheet only");

    // By hand: highest work_records 2, highest minutes 90.
    //   e1: 30·2/2 + 20·60/90 + 50·60/100 = 30 + 13.333333 + 30 = 73.333333
    //   m2: 30·1/2 + 20·90/90 + 50·70/100 = 15 + 20 + 35 = 70
    //   m1: 30·2/2 + 20·90/90 + 50·40/100 = 30 + 20 + 20 = 70 — tied with m2, whose reviewers' part is higher.
    let e1_score = by_hand(2.0, 2.0, 60.0, 90.0, 60.0);
    let m2_score = by_hand(1.0, 2.0, 90.0, 90.0, 70.0);
    let m1_score = by_hand(2.0, 2.0, 90.0, 90.0, 40.0);
    assert_eq!((e1_score, m2_score, m1_score), (73_333_333, 70_000_000, 70_000_000));

    // Before finalization only the university previews the ranking.
    let preview = w.app.get(&format!("/api/v1/award-rounds/{id}/results"), &w.admin).await.expect(200);
    assert_eq!(preview.body["finalized"], false);
    assert_problem(&w.app.get(&format!("/api/v1/award-rounds/{id}/results"), &w.cs_admin).await, 403, "forbidden");

    let done = w.app.post(&format!("/api/v1/award-rounds/{id}/finalize"), &w.admin, json!({})).await.expect(200);
    assert_eq!(done.body["finalized"], true);
    assert_eq!(done.body["round"]["state"], "finalized");
    let rows = done.body["rows"].as_array().unwrap();
    let got: Vec<(u64, &str, i64, Option<&str>, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["rank"].as_u64().unwrap(),
                r["mentor_name"].as_str().unwrap(),
                r["score_micro"].as_i64().unwrap(),
                r["tie_broken_by"].as_str(),
                r["awarded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "赵六", e1_score, None, true),
            (2, "李四", m2_score, None, true),
            (3, "张三", m1_score, Some("reviewers"), false),
        ]
    );
    assert_eq!(rows[0]["sheet_totals"], json!([50, 70]));
    assert_eq!(rows[0]["college_name"], "电气工程学院");
    assert_eq!(preview.body["rows"].as_array().unwrap().len(), 3);
    assert_eq!(preview.body["rows"][0]["score_micro"], e1_score, "the preview ranked the same");

    // The awards are commendations; finalizing again changes nothing.
    for (m, n) in [(&e1, 1), (&m2, 1), (&m1, 0)] {
        let c = w.commendations(&m.appointment).await;
        assert_eq!(c.len(), n, "{c:?}");
        if n == 1 {
            assert_eq!(c[0]["title"], "年度优秀研究生党员学长");
        }
    }
    let again = w.app.post(&format!("/api/v1/award-rounds/{id}/finalize"), &w.admin, json!({})).await.expect(200);
    assert_eq!(again.body["rows"], done.body["rows"]);
    assert_eq!(w.commendations(&e1.appointment).await.len(), 1);
    // Frozen.
    assert_problem(&w.sheet(&w.admin, &n1, 40, 60).await, 409, "invalid_transition");
    assert_problem(
        &w.app.patch(&format!("/api/v1/award-rounds/{id}"), &w.admin, json!({"awards": 3}), None).await,
        409,
        "invalid_transition",
    );
    assert_problem(
        &w.app.post(&format!("/api/v1/award-rounds/{id}/open"), &w.admin, json!({})).await,
        409,
        "invalid_transition",
    );

    // A college admin sees their college's lines; the public sees awardees' names, colleges, units.
    let cs = w.app.get(&format!("/api/v1/award-rounds/{id}/results"), &w.cs_admin).await.expect(200);
    let cs_names: Vec<&str> =
        cs.body["rows"].as_array().unwrap().iter().map(|r| r["mentor_name"].as_str().unwrap()).collect();
    assert_eq!(cs_names, ["李四", "张三"]);
    let res = w.app.send(w.app.request(reqwest::Method::GET, &public, None)).await.expect(200);
    assert_eq!(
        res.body["awardees"],
        json!([
            {"rank": 1, "name": "赵六", "college_name": "电气工程学院", "unit_name": "单位LAB-2023101"},
            {"rank": 2, "name": "李四", "college_name": "计算机学院", "unit_name": "单位LAB-2023002"},
        ])
    );
    assert!(!res.text.contains("statement") && !res.text.contains("score"), "{}", res.text);
}

#[actix_web::test]
async fn concurrent_nominations_never_pass_the_quota() {
    let w = world().await;
    let mut mentors = Vec::new();
    for i in 0..4 {
        mentors.push(w.mentor(&w.cs, &format!("202300{i}"), &format!("学长{i}")).await);
    }
    let id = w
        .app
        .post("/api/v1/award-rounds", &w.admin, w.rules(1, json!([{"college_id": w.cs, "quota": 2}])))
        .await
        .expect(201)
        .id();
    w.app.post(&format!("/api/v1/award-rounds/{id}/open"), &w.admin, json!({})).await.expect(200);
    let results =
        futures_util::future::join_all(mentors.iter().map(|m| w.nominate(&w.cs_admin, &id, &m.appointment))).await;
    let mut codes: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    codes.sort_unstable();
    assert_eq!(codes, [201, 201, 409, 409], "{:?}", results.iter().map(|r| &r.text).collect::<Vec<_>>());
    assert!(results.iter().filter(|r| r.status.as_u16() == 409).all(|r| r.code() == "quota_full"));
    let all = w.app.get(&format!("/api/v1/award-rounds/{id}/nominations"), &w.admin).await.expect(200);
    assert_eq!(all.body.as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn bad_rules_and_bad_requests_are_clear_problems() {
    let w = world().await;
    let good = w.rules(3, json!([]));
    let with = |patch: Value| {
        let mut b = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (patch, field) in [
        (json!({"figure_weights": [{"figure": "minutes", "weight": 60}]}), "weights"),
        (json!({"nominations_close_on": today() - Duration::days(5)}), "nominations_close_on"),
        (
            json!({"criteria": [{"key": "a", "title": "甲", "max": 10}, {"key": "a", "title": "乙", "max": 10}]}),
            "criteria[1].key",
        ),
        (json!({"criteria": [{"key": "A-1", "title": "甲", "max": 10}]}), "criteria[0].key"),
        (json!({"criteria": [{"key": "a", "title": "甲", "max": 101}]}), "criteria[0].max"),
        (json!({"criteria": []}), "criteria"),
        (json!({"reviewer_ids": ["0190a4e1-7c2b-7abc-8def-0123456789ab"]}), "reviewer_ids"),
        (
            json!({"college_quotas": [{"college_id": "0190a4e1-7c2b-7abc-8def-0123456789ab", "quota": 1}]}),
            "college_quotas",
        ),
        (json!({"academic_year_id": "0190a4e1-7c2b-7abc-8def-0123456789ab"}), "academic_year_id"),
        (json!({"title": "评选\u{0}"}), "title"),
        (json!({"title": "  "}), "title"),
        (json!({"awards": 0}), "awards"),
        (json!({"quota_share_permille": 1001}), "quota_share_permille"),
    ] {
        let res = w.app.post("/api/v1/award-rounds", &w.admin, with(patch.clone())).await;
        assert_problem(&res, 422, "validation_failed");
        assert!(res.error_fields().iter().any(|f| f == field), "{patch}: {}", res.text);
    }
    // Several bad fields, the weights among them: one answer names them all.
    let res = w
        .app
        .post(
            "/api/v1/award-rounds",
            &w.admin,
            with(json!({"figure_weights": [{"figure": "minutes", "weight": 60}, {"figure": "minutes", "weight": 1}],
                        "awards": 0, "title": "  "})),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["awards", "figure_weights[1].figure", "title", "weights"], "{}", res.text);
    // Wrong types and unknown members.
    for patch in [json!({"awards": -1}), json!({"awards": "3"}), json!({"award": "best_mentor"}), json!({"colour": 1})]
    {
        let res = w.app.post("/api/v1/award-rounds", &w.admin, with(patch.clone())).await;
        assert_eq!(res.status.as_u16(), 422, "{patch}: {}", res.text);
    }
    // Unknown ids are 404; a bad one 400.
    let unknown = "0190a4e1-7c2b-7abc-8def-0123456789ab";
    w.app.get(&format!("/api/v1/award-rounds/{unknown}"), &w.admin).await.expect(404);
    w.app.get(&format!("/api/v1/award-nominations/{unknown}"), &w.admin).await.expect(404);
    w.app.get("/api/v1/award-rounds/not-a-uuid", &w.admin).await.expect(400);
    let id = w.app.post("/api/v1/award-rounds", &w.admin, good).await.expect(201).id();
    // The list is paged and filtered by year.
    let list = w.app.get(&format!("/api/v1/award-rounds?academic_year_id={}", w.year), &w.cs_admin).await.expect(200);
    assert_eq!(list.body["total"], 1);
    // Illegal moves.
    for step in ["review", "finalize"] {
        let res = w.app.post(&format!("/api/v1/award-rounds/{id}/{step}"), &w.admin, json!({})).await;
        assert_problem(&res, 409, "invalid_transition");
    }
    assert_problem(
        &w.app.post(&format!("/api/v1/award-rounds/{id}/open"), &w.cs_admin, json!({})).await,
        403,
        "forbidden",
    );
    // A stale If-Match is 412.
    let res = w.app.patch(&format!("/api/v1/award-rounds/{id}"), &w.admin, json!({"awards": 4}), Some("\"7\"")).await;
    assert_eq!(res.status.as_u16(), 412, "{}", res.text);
    let res = w.app.patch(&format!("/api/v1/award-rounds/{id}"), &w.admin, json!({"awards": 4}), Some("\"1\"")).await;
    assert_eq!(res.expect(200).body["awards"], 4);
    // A statement with a NUL byte, an empty one.
    w.app.post(&format!("/api/v1/award-rounds/{id}/open"), &w.admin, json!({})).await.expect(200);
    let m = w.mentor(&w.cs, "2023001", "张三").await;
    for statement in ["推荐\u{0}", " "] {
        let res = w
            .app
            .post(
                &format!("/api/v1/award-rounds/{id}/nominations"),
                &w.cs_admin,
                json!({"appointment_id": m.appointment, "statement": statement}),
            )
            .await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(res.error_fields(), ["statement"]);
    }
    // The window is in Shanghai days: once it closed, no nomination.
    w.app.advance_clock(Duration::days(11));
    assert_problem(&w.nominate(&w.cs_admin, &id, &m.appointment).await, 409, "nominations_closed");
}
