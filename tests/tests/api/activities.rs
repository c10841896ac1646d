//! Activities (issue 6): planning, publishing with hosts and venues never double-booked,
//! registrations with a waitlist under concurrency, attendance, feedback, the iCalendar feed.

use chrono::{DateTime, Datelike, Duration, FixedOffset, TimeZone, Timelike, Utc};
use serde_json::{Value, json};
use xuezhang_tests::*;

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// Now in Asia/Shanghai, to the minute.
fn now() -> DateTime<FixedOffset> {
    let t = Utc::now().with_timezone(&shanghai());
    t.with_second(0).unwrap().with_nanosecond(0).unwrap()
}

/// `hour:minute` in Asia/Shanghai, `days` from today.
fn day_at(days: i64, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    let d = now().date_naive() + Duration::days(days);
    shanghai().from_local_datetime(&d.and_hms_opt(hour, minute, 0).unwrap()).unwrap()
}

fn iso(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339()
}

/// How the API shows an instant: UTC with `Z`, like every timestamp it answers with.
fn utc(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The academic year running today (Sept 1 → Aug 31, Asia/Shanghai).
fn current_year() -> i32 {
    let d = now().date_naive();
    if d.month() >= 9 { d.year() } else { d.year() - 1 }
}

struct World {
    app: TestApp,
    admin: String,
    college_admin: String,
    college: String,
    lab: String,
    year: String,
    first_year: i32,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let college = app.college(&admin, "CS", "计算机学院").await;
    let lab = app.unit(&admin, &college, "CS-LAB1", "laboratory").await;
    let first_year = current_year();
    let code = format!("{}-{}", first_year, first_year + 1);
    // The year is stretched around today so that activities a few days ahead always fall in it,
    // even when a test runs in the last days of August.
    let today = now().date_naive();
    let span = json!({
        "code": code,
        "starts_on": (today - Duration::days(60)).to_string(),
        "ends_on": (today + Duration::days(300)).to_string(),
        "introduction_deadline": (today - Duration::days(30)).to_string(),
        "salon_deadline": (today - Duration::days(20)).to_string(),
    });
    let year = app.post("/api/v1/academic-years", &admin, span).await.expect(201).id();
    let college_admin = app.user(&admin, "cs-admin", Role::CollegeAdmin, json!({"college_id": college})).await;
    World { app, admin, college_admin, college, lab, year, first_year }
}

/// A serving mentor: their appointment id, student id and name.
struct Mentor {
    appointment: String,
    student: String,
    name: String,
}

impl World {
    /// Takes a senior Party member of `college` through nomination to an active appointment.
    async fn mentor_of(&self, college: &str, lab: &str, no: &str, name: &str) -> Mentor {
        let app = &self.app;
        let student =
            app.student(&self.admin, college, no, json!({"name": name, "enrollment_year": self.first_year - 2})).await;
        let appointed = MentorBuilder::new(app, &self.admin)
            .student(&student)
            .year(&self.year)
            .unit(lab)
            .justification("表现突出")
            .appoint()
            .await;
        let appointment = appointed.appointment.into();
        Mentor { appointment, student, name: name.to_owned() }
    }

    async fn mentor(&self, no: &str, name: &str) -> Mentor {
        self.mentor_of(&self.college, &self.lab, no, name).await
    }

    /// A freshman of `college` with a student account: their student id and token.
    async fn freshman_of(&self, college: &str, no: &str) -> (String, String) {
        let id = self
            .app
            .student(&self.admin, college, no, json!({"name": format!("新生{no}"), "enrollment_year": self.first_year}))
            .await;
        let token = self.app.user(&self.admin, &format!("s{no}"), Role::Student, json!({"student_id": id})).await;
        (id, token)
    }

    async fn freshman(&self, no: &str) -> (String, String) {
        self.freshman_of(&self.college, no).await
    }

    /// A freshman salon of the college, from `start` to `end`, overridden by `extra`.
    fn salon(
        &self,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        hosts: &[&Mentor],
        extra: Value,
    ) -> Value {
        let mut body = json!({
            "kind": "freshman_salon",
            "title": "研究生党员学长与新生交流沙龙",
            "description": "学长分享研究生学习科研经验",
            "topics": ["如何尽快适应研究生学习、科研和生活", "如何申请奖学金、国际交流、联合培养"],
            "academic_year_id": self.year,
            "college_id": self.college,
            "unit_id": self.lab,
            "host_appointment_ids": hosts.iter().map(|m| m.appointment.clone()).collect::<Vec<_>>(),
            "start_at": iso(start),
            "end_at": iso(end),
            "venue": "江安校区 一教A101",
            "capacity": 30,
            "budget_fen": 50000,
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    }

    async fn create(&self, token: &str, body: Value) -> Res {
        self.app.post("/api/v1/activities", token, body).await
    }

    async fn act(&self, token: &str, id: &str, action: &str, body: Value) -> Res {
        self.app.post(&format!("/api/v1/activities/{id}/{action}"), token, body).await
    }

    async fn published(&self, body: Value) -> String {
        let id = self.create(&self.college_admin, body).await.expect(201).id();
        self.act(&self.college_admin, &id, "publish", json!({})).await.expect(200);
        id
    }

    async fn register_self(&self, token: &str, id: &str) -> Res {
        self.app
            .send(self.app.request(
                reqwest::Method::POST,
                &format!("/api/v1/activities/{id}/registrations"),
                Some(token),
            ))
            .await
    }

    async fn unregister(&self, token: &str, id: &str, student: Option<&str>) -> Res {
        let q = student.map(|s| format!("?student_id={s}")).unwrap_or_default();
        self.app.delete(&format!("/api/v1/activities/{id}/registrations{q}"), token, None).await
    }

    async fn put(&self, path: &str, token: &str, body: Value) -> Res {
        self.app.send(self.app.request(reqwest::Method::PUT, path, Some(token)).json(&body)).await
    }
}

fn states(res: &Res) -> Vec<String> {
    res.body["items"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn the_full_path_planned_published_held_with_attendance_and_feedback() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let (s1, t1) = w.freshman("2026101").await;
    let (s2, t2) = w.freshman("2026102").await;
    let (s3, t3) = w.freshman("2026103").await;
    // Happening now: started an hour ago, ends in two.
    let (start, end) = (now() - Duration::hours(1), now() + Duration::hours(2));

    let res = w.create(&w.college_admin, w.salon(start, end, &[&li], json!({}))).await.expect(201);
    let id = res.id();
    assert_eq!(res.header("location"), Some(format!("/api/v1/activities/{id}")));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.body["state"], "planned");
    // Given in +08:00, answered in UTC like created_at and every other timestamp.
    assert_eq!(res.body["start_at"], utc(start));
    assert!(res.body["start_at"].as_str().unwrap().ends_with('Z'));
    assert!(res.body["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(res.body["hosts"][0]["appointment_id"], li.appointment);
    assert_eq!(res.body["hosts"][0]["name"], "李华");
    assert_eq!(res.body["topics"].as_array().unwrap().len(), 2);
    assert_eq!(res.body["budget_fen"], 50000);

    // Not open for registration until published: students do not even see a planned activity,
    // and organisers cannot register anyone yet.
    w.register_self(&t1, &id).await.expect(404);
    let r = w
        .app
        .post(&format!("/api/v1/activities/{id}/registrations"), &w.college_admin, json!({"student_ids": [s1]}))
        .await
        .expect(409);
    assert_eq!(r.code(), "invalid_transition");
    let p = w.act(&w.college_admin, &id, "publish", json!({})).await.expect(200);
    assert_eq!(p.body["state"], "published");
    assert!(p.body["published_at"].is_string());

    let r = w.register_self(&t1, &id).await.expect(201);
    assert_eq!(r.body["items"][0]["state"], "registered");
    assert_eq!(r.body["items"][0]["student"]["id"], s1);
    assert_eq!(w.register_self(&t1, &id).await.expect(409).code(), "duplicate");
    w.register_self(&t2, &id).await.expect(201);
    // The host registers a freshman who has no account yet… or has one: organisers give a list.
    let host_token = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": li.student})).await;
    let r = w
        .app
        .post(&format!("/api/v1/activities/{id}/registrations"), &host_token, json!({"student_ids": [s3]}))
        .await
        .expect(201);
    assert!(r.body["items"][0]["registered_by"].is_string());

    // A student sees only their own registration; the organisers see all.
    let mine = w.app.get(&format!("/api/v1/activities/{id}/registrations"), &t1).await.expect(200);
    assert_eq!(mine.body["total"], 1);
    let all = w.app.get(&format!("/api/v1/activities/{id}/registrations"), &w.college_admin).await.expect(200);
    assert_eq!(all.body["total"], 3);

    // Attendance in bulk: s1 and s2 came, s3 did not.
    let a = w
        .put(&format!("/api/v1/activities/{id}/attendance"), &host_token, json!({"student_ids": [s1, s2]}))
        .await
        .expect(200);
    assert_eq!((a.body["attended"].as_u64(), a.body["registered"].as_u64()), (Some(2), Some(3)));
    // Feedback only once held.
    let f = w.app.post(&format!("/api/v1/activities/{id}/feedback"), &t1, json!({"rating": 5})).await.expect(409);
    assert_eq!(f.code(), "invalid_transition");

    let done = w
        .act(
            &w.college_admin,
            &id,
            "complete",
            json!({"summary": "三位学长分享了选课与科研经验，新生反响热烈", "actual_expense_fen": 42000}),
        )
        .await
        .expect(200);
    assert_eq!(done.body["state"], "held");
    assert_eq!(done.body["actual_expense_fen"], 42000);
    assert_eq!((done.body["registered_count"].as_u64(), done.body["attended_count"].as_u64()), (Some(3), Some(2)));
    assert!(done.body["held_at"].is_string());
    // Held is final and closes attendance: s3, who did not come, cannot be made an attendee now
    // (not by the host, not by the college admin), so cannot give feedback either.
    for who in [&host_token, &w.college_admin] {
        let closed = w
            .put(&format!("/api/v1/activities/{id}/attendance"), who, json!({"student_ids": [s1, s2, s3]}))
            .await
            .expect(409);
        assert_eq!(closed.code(), "attendance_closed");
    }
    let kept = w.app.get(&format!("/api/v1/activities/{id}"), &w.college_admin).await.expect(200);
    assert_eq!(kept.body["attended_count"], 2, "the refused change wrote nothing");
    assert_eq!(
        w.act(&w.college_admin, &id, "cancel", json!({"reason": "x"})).await.expect(409).code(),
        "invalid_transition"
    );

    let f = w
        .app
        .post(&format!("/api/v1/activities/{id}/feedback"), &t1, json!({"rating": 5, "comment": "很有收获"}))
        .await
        .expect(201);
    assert_eq!(f.body["rating"], 5);
    let again = w.app.post(&format!("/api/v1/activities/{id}/feedback"), &t1, json!({"rating": 4})).await.expect(409);
    assert_eq!(again.code(), "duplicate");
    w.app.post(&format!("/api/v1/activities/{id}/feedback"), &t3, json!({"rating": 3})).await.expect(403);
    let bad = w.app.post(&format!("/api/v1/activities/{id}/feedback"), &t2, json!({"rating": 6})).await.expect(422);
    assert_eq!(bad.error_fields(), ["rating"]);
    w.app.post(&format!("/api/v1/activities/{id}/feedback"), &t2, json!({"rating": 4})).await.expect(201);
    let summary = w.app.get(&format!("/api/v1/activities/{id}/feedback"), &w.college_admin).await.expect(200);
    assert_eq!(summary.body["count"], 2);
    assert_eq!(summary.body["average_rating"], 4.5);
    w.app.get(&format!("/api/v1/activities/{id}/feedback"), &t1).await.expect(403);
    // The host mentor learns how many answered, never who said what, and no mean while feedback
    // is still open (it closes 14 days after the end).
    let host_view = w.app.get(&format!("/api/v1/activities/{id}/feedback"), &host_token).await.expect(200);
    assert_eq!(host_view.body["count"], 2);
    assert!(host_view.body["average_rating"].is_null());
    assert_eq!(host_view.body["items"].as_array().map(Vec::len), Some(0));

    // Publication and holding are on the change feed; every write is audited.
    let feed = w.app.get("/api/v1/events?limit=1000", &w.admin).await.expect(200);
    let types: Vec<&str> = feed.body["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    let pos = |t: &str| types.iter().position(|x| *x == t).unwrap_or_else(|| panic!("{t} missing from {types:?}"));
    assert!(pos("activity.published") < pos("activity.held"));
    let audit = w.app.get(&format!("/api/v1/audit-events?target_id={id}&page_size=100"), &w.admin).await.expect(200);
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["activity.create", "activity.publish", "activity.attendance", "activity.complete"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

#[actix_web::test]
async fn double_booking_a_host_is_409_naming_the_other_activity() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let wang = w.mentor("2023002", "王芳").await;
    let first = w
        .published(w.salon(
            day_at(1, 19, 0),
            day_at(1, 21, 0),
            &[&li],
            json!({"title": "新生沙龙第一场", "venue": "A101"}),
        ))
        .await;
    // Another room, overlapping by an hour, sharing 李华.
    let second = w
        .create(&w.college_admin, w.salon(day_at(1, 20, 0), day_at(1, 22, 0), &[&wang, &li], json!({"venue": "B202"})))
        .await
        .expect(201)
        .id();
    let res = w.act(&w.college_admin, &second, "publish", json!({})).await.expect(409);
    assert_eq!(res.code(), "host_double_booked");
    let detail = res.body["detail"].as_str().unwrap();
    assert!(detail.contains(&first) && detail.contains("新生沙龙第一场") && detail.contains("李华"), "{detail}");
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(w.app.get(&format!("/api/v1/activities/{second}"), &w.admin).await.body["state"], "planned");

    // Back to back ([19:00, 21:00) then [21:00, 23:00)) is not a clash.
    w.published(w.salon(day_at(1, 21, 0), day_at(1, 23, 0), &[&li], json!({"venue": "C303"}))).await;
    // Once the first is cancelled, its host is free again.
    w.act(&w.college_admin, &first, "cancel", json!({"reason": "场地调整"})).await.expect(200);
    let res = w.act(&w.college_admin, &second, "publish", json!({})).await;
    // Still clashes with the back-to-back one from 21:00 (it ends at 22:00): moved to end at 21:00.
    assert_eq!(res.code(), "host_double_booked");
    w.app
        .patch(
            &format!("/api/v1/activities/{second}"),
            &w.college_admin,
            json!({"end_at": iso(day_at(1, 21, 0))}),
            None,
        )
        .await
        .expect(200);
    w.act(&w.college_admin, &second, "publish", json!({})).await.expect(200);
}

#[actix_web::test]
async fn double_booking_a_venue_is_409_and_venues_compare_trimmed_and_case_insensitively() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let wang = w.mentor("2023002", "王芳").await;
    let first =
        w.published(w.salon(day_at(2, 14, 0), day_at(2, 16, 0), &[&li], json!({"venue": "江安校区 一教A101"}))).await;
    let second = w
        .create(
            &w.college_admin,
            w.salon(day_at(2, 15, 30), day_at(2, 17, 0), &[&wang], json!({"venue": "  江安校区   一教a101 "})),
        )
        .await
        .expect(201)
        .id();
    let res = w.act(&w.college_admin, &second, "publish", json!({})).await.expect(409);
    assert_eq!(res.code(), "venue_double_booked");
    assert!(res.body["detail"].as_str().unwrap().contains(&first));
    // Online-only activities never clash on a venue.
    let online = json!({"venue": null, "online_link": "https://meeting.tencent.com/dm/abc"});
    let o1 = w
        .create(&w.college_admin, w.salon(day_at(2, 14, 0), day_at(2, 16, 0), &[&wang], online.clone()))
        .await
        .expect(201)
        .id();
    w.act(&w.college_admin, &o1, "publish", json!({})).await.expect(200);
    // Rescheduling a published activity into the booked room is refused too, and changes nothing.
    let moved = w
        .app
        .patch(&format!("/api/v1/activities/{o1}"), &w.college_admin, json!({"venue": "江安校区 一教A101"}), None)
        .await
        .expect(409);
    assert_eq!(moved.code(), "venue_double_booked");
    let o1_now = w.app.get(&format!("/api/v1/activities/{o1}"), &w.college_admin).await.expect(200);
    assert!(o1_now.body["venue"].is_null());
}

#[actix_web::test]
async fn concurrent_publications_of_overlapping_activities_book_the_venue_once() {
    let w = world().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let body = json!({
            "kind": "social_event", "title": format!("联谊活动{i}"), "academic_year_id": w.year, "college_id": w.college,
            "start_at": iso(day_at(3, 18, i)), "end_at": iso(day_at(3, 20, 0)), "venue": "望江校区 学生活动中心",
        });
        ids.push(w.create(&w.college_admin, body).await.expect(201).id());
    }
    let results =
        futures_util::future::join_all(ids.iter().map(|id| w.act(&w.college_admin, id, "publish", json!({})))).await;
    let ok = results.iter().filter(|r| r.status.as_u16() == 200).count();
    let clashes = results.iter().filter(|r| r.status.as_u16() == 409 && r.code() == "venue_double_booked").count();
    assert_eq!((ok, clashes), (1, 5), "{:?}", results.iter().map(|r| &r.text).collect::<Vec<_>>());
    let published =
        w.app.get(&format!("/api/v1/activities?state=published&college_id={}", w.college), &w.admin).await.expect(200);
    assert_eq!(published.body["total"], 1);
}

#[actix_web::test]
async fn twenty_concurrent_registrations_for_five_places_register_five_and_waitlist_fifteen() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let id = w.published(w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[&li], json!({"capacity": 5}))).await;
    let mut students = Vec::new();
    for i in 0..20 {
        students.push(w.freshman(&format!("20261{i:02}")).await);
    }
    let results = futures_util::future::join_all(students.iter().map(|(_, t)| w.register_self(t, &id))).await;
    assert!(
        results.iter().all(|r| r.status.as_u16() == 201),
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let placed = results.iter().filter(|r| r.body["items"][0]["state"] == "registered").count();
    let waiting = results.iter().filter(|r| r.body["items"][0]["state"] == "waitlisted").count();
    assert_eq!((placed, waiting), (5, 15));
    let a = w.app.get(&format!("/api/v1/activities/{id}"), &w.college_admin).await.expect(200);
    assert_eq!((a.body["registered_count"].as_u64(), a.body["waitlisted_count"].as_u64()), (Some(5), Some(15)));

    // Cancelling a place promotes the first waitlisted student, by registration time.
    let waitlist = w
        .app
        .get(&format!("/api/v1/activities/{id}/registrations?state=waitlisted&page_size=100"), &w.college_admin)
        .await
        .expect(200);
    assert_eq!(waitlist.body["total"], 15);
    let first_waiting = waitlist.body["items"][0]["student"]["id"].as_str().unwrap().to_owned();
    let second_waiting = waitlist.body["items"][1]["student"]["id"].as_str().unwrap().to_owned();
    let holder = results.iter().position(|r| r.body["items"][0]["state"] == "registered").unwrap();
    let res = w.unregister(&students[holder].1, &id, None).await.expect(200);
    assert_eq!(res.body["cancelled"]["state"], "cancelled");
    assert_eq!(res.body["promoted"]["student"]["id"], first_waiting);
    assert_eq!(res.body["promoted"]["state"], "registered");
    assert!(res.body["promoted"]["promoted_at"].is_string());
    let a = w.app.get(&format!("/api/v1/activities/{id}"), &w.college_admin).await.expect(200);
    assert_eq!((a.body["registered_count"].as_u64(), a.body["waitlisted_count"].as_u64()), (Some(5), Some(14)));
    let next = w
        .app
        .get(&format!("/api/v1/activities/{id}/registrations?state=waitlisted"), &w.college_admin)
        .await
        .expect(200);
    assert_eq!(next.body["items"][0]["student"]["id"], second_waiting);
}

#[actix_web::test]
async fn cancelling_a_registration_promotes_the_first_waitlisted_and_a_waitlisted_cancel_promotes_no_one() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let id = w.published(w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[&li], json!({"capacity": 1}))).await;
    let (a, ta) = w.freshman("2026101").await;
    let (b, tb) = w.freshman("2026102").await;
    let (c, tc) = w.freshman("2026103").await;
    let (_, td) = w.freshman("2026104").await;
    assert_eq!(w.register_self(&ta, &id).await.expect(201).body["items"][0]["state"], "registered");
    assert_eq!(w.register_self(&tb, &id).await.expect(201).body["items"][0]["state"], "waitlisted");
    assert_eq!(w.register_self(&tc, &id).await.expect(201).body["items"][0]["state"], "waitlisted");
    w.register_self(&td, &id).await.expect(201);

    // A waitlisted student leaving frees no place.
    let res = w.unregister(&tc, &id, None).await.expect(200);
    assert!(res.body["promoted"].is_null());
    // Another student may not cancel someone else's registration; the organisers may.
    w.unregister(&tb, &id, Some(&a)).await.expect(403);
    let res = w.unregister(&w.college_admin, &id, Some(&a)).await.expect(200);
    assert_eq!(res.body["promoted"]["student"]["id"], b);
    // Nothing left to cancel is 404; registering again after cancelling is allowed.
    w.unregister(&ta, &id, None).await.expect(404);
    assert_eq!(w.register_self(&tc, &id).await.expect(201).body["items"][0]["state"], "waitlisted");
    let list = w
        .app
        .get(&format!("/api/v1/activities/{id}/registrations?sort=created_at"), &w.college_admin)
        .await
        .expect(200);
    assert_eq!(states(&list), ["cancelled", "registered", "cancelled", "waitlisted", "waitlisted"]);
    let _ = c;
    // Raising the capacity gives the waitlist its places; it cannot drop below the places taken.
    let up = w
        .app
        .patch(&format!("/api/v1/activities/{id}"), &w.college_admin, json!({"capacity": 3}), None)
        .await
        .expect(200);
    assert_eq!((up.body["registered_count"].as_u64(), up.body["waitlisted_count"].as_u64()), (Some(3), Some(0)));
    let down = w
        .app
        .patch(&format!("/api/v1/activities/{id}"), &w.college_admin, json!({"capacity": 2}), None)
        .await
        .expect(409);
    assert_eq!(down.code(), "capacity_below_registrations");
    // A stale If-Match is 412.
    w.app
        .patch(&format!("/api/v1/activities/{id}"), &w.college_admin, json!({"title": "改名"}), Some("\"1\""))
        .await
        .expect(412);
}

#[actix_web::test]
async fn an_organiser_registers_a_list_all_or_nothing() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let id = w.published(w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[&li], json!({"capacity": 2}))).await;
    let (a, _) = w.freshman("2026101").await;
    let (b, tb) = w.freshman("2026102").await;
    let (c, _) = w.freshman("2026103").await;
    let (outsider, t_out) = w.freshman_of(&ee, "2026201").await;
    let res = w
        .app
        .post(
            &format!("/api/v1/activities/{id}/registrations"),
            &w.college_admin,
            json!({"student_ids": [a, outsider, uuid::Uuid::now_v7()]}),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["student_ids[1]", "student_ids[2]"]);
    assert_eq!(res.body["errors"][0]["code"], "not_eligible");
    assert_eq!(res.body["errors"][1]["code"], "invalid_reference");
    assert_eq!(w.app.get(&format!("/api/v1/activities/{id}/registrations"), &w.college_admin).await.body["total"], 0);

    let res = w
        .app
        .post(&format!("/api/v1/activities/{id}/registrations"), &w.college_admin, json!({"student_ids": [a, b, c]}))
        .await
        .expect(201);
    assert_eq!(states(&res), ["registered", "registered", "waitlisted"]);
    let dup = w
        .app
        .post(&format!("/api/v1/activities/{id}/registrations"), &w.college_admin, json!({"student_ids": [b]}))
        .await
        .expect(422);
    assert_eq!(dup.body["errors"][0]["code"], "duplicate");
    // A student registers only themself; one of another college does not even see the activity.
    w.app.post(&format!("/api/v1/activities/{id}/registrations"), &tb, json!({"student_ids": [c]})).await.expect(403);
    w.register_self(&t_out, &id).await.expect(404);
    // Attendance is for students holding a place, and only once the activity has started.
    let early = w
        .put(&format!("/api/v1/activities/{id}/attendance"), &w.college_admin, json!({"student_ids": [a]}))
        .await
        .expect(409);
    assert_eq!(early.code(), "not_started");
}

#[actix_web::test]
async fn attendance_lists_only_students_holding_a_place() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let (start, end) = (now() - Duration::minutes(30), now() + Duration::hours(1));
    let id = w.published(w.salon(start, end, &[&li], json!({"capacity": 1}))).await;
    let (a, _) = w.freshman("2026101").await;
    let (b, _) = w.freshman("2026102").await;
    w.app
        .post(&format!("/api/v1/activities/{id}/registrations"), &w.college_admin, json!({"student_ids": [a, b]}))
        .await
        .expect(201);
    let res = w
        .put(&format!("/api/v1/activities/{id}/attendance"), &w.college_admin, json!({"student_ids": [a, b]}))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["student_ids[1]"]);
    assert_eq!(res.body["errors"][0]["code"], "not_registered");
    let ok = w
        .put(&format!("/api/v1/activities/{id}/attendance"), &w.college_admin, json!({"student_ids": [a]}))
        .await
        .expect(200);
    assert_eq!(ok.body["attended"], 1);
    // PUT replaces: an empty list marks everyone absent.
    let none = w
        .put(&format!("/api/v1/activities/{id}/attendance"), &w.college_admin, json!({"student_ids": []}))
        .await
        .expect(200);
    assert_eq!(none.body["attended"], 0);
    let (_, t_other) = w.freshman("2026103").await;
    w.put(&format!("/api/v1/activities/{id}/attendance"), &t_other, json!({"student_ids": []})).await.expect(403);
}

/// The property `name` of an event, with its parameters.
fn prop<'a>(e: &'a ical::parser::ical::component::IcalEvent, name: &str) -> &'a ical::property::Property {
    e.properties.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name} missing"))
}

/// Parses an iCalendar UTC date-time (`20251020T110000Z`).
fn ical_utc(v: &str) -> DateTime<Utc> {
    chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").unwrap_or_else(|e| panic!("{v}: {e}")).and_utc()
}

#[actix_web::test]
async fn the_calendar_feed_parses_and_shows_the_times_in_shanghai() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let (start, end) = (day_at(2, 19, 0), day_at(2, 21, 30));
    let salon = w
        .published(w.salon(
            start,
            end,
            &[&li],
            json!({"title": "我与学长聊科研, 第1期; 深度学习", "kind": "research_salon"}),
        ))
        .await;
    // A university-wide training, published by the university; and a planned salon, not in the feed.
    let training = w
        .app
        .post(
            "/api/v1/activities",
            &w.admin,
            json!({"kind": "training", "title": "新聘学长岗前培训", "academic_year_id": w.year,
                   "start_at": iso(day_at(3, 9, 0)), "end_at": iso(day_at(3, 11, 0)), "venue": "研究生院报告厅",
                   "online_link": "https://meeting.tencent.com/dm/secret-link"}),
        )
        .await
        .expect(201)
        .id();
    w.act(&w.admin, &training, "publish", json!({})).await.expect(200);
    w.create(&w.college_admin, w.salon(day_at(4, 19, 0), day_at(4, 21, 0), &[&li], json!({}))).await.expect(201);

    // No token needed: calendar apps subscribe to the URL.
    let res = w.app.send(w.app.request(reqwest::Method::GET, "/api/v1/calendar.ics", None)).await.expect(200);
    assert!(res.header("content-type").unwrap().starts_with("text/calendar"));
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(res.text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("the feed parses");
    assert!(parser.next().is_none());
    let calprop = |n: &str| cal.properties.iter().find(|p| p.name == n).and_then(|p| p.value.clone());
    assert_eq!(calprop("VERSION").as_deref(), Some("2.0"));
    assert_eq!(calprop("X-WR-TIMEZONE").as_deref(), Some("Asia/Shanghai"));
    assert_eq!(cal.events.len(), 2, "{}", res.text);

    let api = w.app.get(&format!("/api/v1/activities/{salon}"), &w.admin).await.expect(200);
    let e = cal.events.iter().find(|e| prop(e, "UID").value.as_deref() == Some(&format!("{salon}@xuezhang"))).unwrap();
    let dtstart = ical_utc(prop(e, "DTSTART").value.as_deref().unwrap()).with_timezone(&shanghai());
    let dtend = ical_utc(prop(e, "DTEND").value.as_deref().unwrap()).with_timezone(&shanghai());
    assert_eq!(dtstart, start);
    assert_eq!((dtstart.hour(), dtstart.minute()), (19, 0));
    assert_eq!((dtend.hour(), dtend.minute()), (21, 30));
    assert_eq!(utc(dtstart), api.body["start_at"].as_str().unwrap());
    assert_eq!(utc(dtend), api.body["end_at"].as_str().unwrap());
    // Text is escaped as RFC 5545 says (the parser leaves escapes in place).
    assert_eq!(prop(e, "SUMMARY").value.as_deref(), Some("我与学长聊科研\\, 第1期\\; 深度学习"));
    assert_eq!(prop(e, "LOCATION").value.as_deref(), Some("江安校区 一教A101"));
    assert_eq!(prop(e, "STATUS").value.as_deref(), Some("CONFIRMED"));

    // No personal data and no meeting links in a public feed.
    for secret in ["李华", "2023001", "secret-link", &li.student] {
        assert!(!res.text.contains(secret), "the feed leaks {secret}");
    }
    let _ = &li.name;

    // Filters: a college, a mentor; unknown ones are 404, malformed ones 400.
    let by_college = w
        .app
        .send(w.app.request(reqwest::Method::GET, &format!("/api/v1/calendar.ics?college_id={}", w.college), None))
        .await
        .expect(200);
    assert_eq!(by_college.text.matches("BEGIN:VEVENT").count(), 1);
    let by_mentor = w
        .app
        .send(w.app.request(reqwest::Method::GET, &format!("/api/v1/calendar.ics?mentor_id={}", li.appointment), None))
        .await
        .expect(200);
    assert_eq!(by_mentor.text.matches("BEGIN:VEVENT").count(), 1);
    assert!(by_mentor.text.contains(&format!("{salon}@xuezhang")));
    let other = w
        .app
        .send(w.app.request(reqwest::Method::GET, &format!("/api/v1/calendar.ics?college_id={ee}"), None))
        .await
        .expect(200);
    assert_eq!(other.text.matches("BEGIN:VEVENT").count(), 0);
    let missing = format!("/api/v1/calendar.ics?college_id={}", uuid::Uuid::now_v7());
    w.app.send(w.app.request(reqwest::Method::GET, &missing, None)).await.expect(404);
    let bad =
        w.app.send(w.app.request(reqwest::Method::GET, "/api/v1/calendar.ics?mentor_id=abc", None)).await.expect(400);
    assert_eq!(bad.code(), "invalid_query");

    // A cancelled activity that was announced stays, marked cancelled with the next SEQUENCE, so
    // subscribed calendars remove it instead of keeping a ghost event; one cancelled while still
    // planned was never announced and never appears.
    let before = w.app.get(&format!("/api/v1/activities/{training}"), &w.admin).await.expect(200);
    w.act(&w.admin, &training, "cancel", json!({"reason": "延期"})).await.expect(200);
    let planned = w.create(&w.college_admin, w.salon(day_at(5, 19, 0), day_at(5, 21, 0), &[&li], json!({}))).await;
    let planned = planned.expect(201).id();
    w.act(&w.college_admin, &planned, "cancel", json!({"reason": "x"})).await.expect(200);
    let after = w.app.send(w.app.request(reqwest::Method::GET, "/api/v1/calendar.ics", None)).await.expect(200);
    let cal = ical::IcalParser::new(std::io::BufReader::new(after.text.as_bytes())).next().unwrap().unwrap();
    assert_eq!(cal.events.len(), 2, "{}", after.text);
    let uid = |e: &ical::parser::ical::component::IcalEvent| prop(e, "UID").value.clone().unwrap();
    let cancelled = cal.events.iter().find(|e| uid(e) == format!("{training}@xuezhang")).expect("still in the feed");
    assert_eq!(prop(cancelled, "STATUS").value.as_deref(), Some("CANCELLED"));
    let seq: i64 = prop(cancelled, "SEQUENCE").value.as_deref().unwrap().parse().unwrap();
    assert!(seq > before.body["version"].as_i64().unwrap(), "the cancellation is a new revision");
    let kept = cal.events.iter().find(|e| uid(e) == format!("{salon}@xuezhang")).unwrap();
    assert_eq!(prop(kept, "STATUS").value.as_deref(), Some("CONFIRMED"));
    assert!(!after.text.contains(&planned), "a salon cancelled while planned was never announced");
}

#[actix_web::test]
async fn another_colleges_admin_gets_404_and_students_see_only_published_activities() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_admin = w.app.user(&w.admin, "ee-admin", Role::CollegeAdmin, json!({"college_id": ee})).await;
    let counselor = w.app.user(&w.admin, "cs-counselor", Role::Counselor, json!({"college_id": w.college})).await;
    let (_, student) = w.freshman("2026101").await;
    let (_, ee_student) = w.freshman_of(&ee, "2026201").await;
    let planned = w
        .create(&w.college_admin, w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[&li], json!({})))
        .await
        .expect(201)
        .id();

    for token in [&ee_admin, &student, &ee_student] {
        w.app.get(&format!("/api/v1/activities/{planned}"), token).await.expect(404);
    }
    w.app.get(&format!("/api/v1/activities/{planned}"), &counselor).await.expect(200);
    let host = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": li.student})).await;
    w.app.get(&format!("/api/v1/activities/{planned}"), &host).await.expect(200);
    // Another college's admin can neither see nor act: 404, not 403.
    w.act(&ee_admin, &planned, "publish", json!({})).await.expect(404);
    w.act(&ee_admin, &planned, "cancel", json!({"reason": "x"})).await.expect(404);
    w.app.patch(&format!("/api/v1/activities/{planned}"), &ee_admin, json!({"title": "x"}), None).await.expect(404);
    w.app.get(&format!("/api/v1/activities/{planned}/registrations"), &ee_admin).await.expect(404);
    // Those who see but do not manage get 403.
    w.act(&counselor, &planned, "publish", json!({})).await.expect(403);
    w.act(&host, &planned, "publish", json!({})).await.expect(403);

    w.act(&w.college_admin, &planned, "publish", json!({})).await.expect(200);
    w.app.get(&format!("/api/v1/activities/{planned}"), &student).await.expect(200);
    w.app.get(&format!("/api/v1/activities/{planned}"), &ee_admin).await.expect(404);
    w.app.get(&format!("/api/v1/activities/{planned}"), &ee_student).await.expect(404);
    assert_eq!(w.app.get("/api/v1/activities", &ee_admin).await.expect(200).body["total"], 0);
    assert_eq!(w.app.get("/api/v1/activities", &student).await.expect(200).body["total"], 1);

    // Who may organise: a college admin not for another college; a counselor not at all; a
    // university-wide kind only the university.
    let ee_salon = w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[], json!({"college_id": ee, "unit_id": null}));
    w.create(&w.college_admin, ee_salon).await.expect(403);
    w.create(&counselor, w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[], json!({}))).await.expect(403);
    let club = json!({"kind": "club_meeting", "title": "学长俱乐部例会", "academic_year_id": w.year,
                      "start_at": iso(day_at(5, 19, 0)), "end_at": iso(day_at(5, 21, 0)), "venue": "学生活动中心"});
    w.create(&w.college_admin, club.clone()).await.expect(403);
    let mut with_college = club.clone();
    with_college["college_id"] = json!(w.college);
    assert_eq!(w.create(&w.admin, with_college).await.expect(422).error_fields(), ["college_id"]);
    let club_id = w.create(&w.admin, club).await.expect(201).id();
    w.act(&w.admin, &club_id, "publish", json!({})).await.expect(200);
    // University-wide activities are seen by everyone once published.
    w.app.get(&format!("/api/v1/activities/{club_id}"), &ee_student).await.expect(200);
    // A serving mentor organises activities of their own college.
    let mine = w
        .create(
            &host,
            w.salon(
                day_at(6, 19, 0),
                day_at(6, 21, 0),
                &[&li],
                json!({"kind": "research_salon", "title": "我与学长聊科研"}),
            ),
        )
        .await
        .expect(201);
    assert!(mine.body["organiser_id"].is_string());
    w.act(&host, &mine.id(), "publish", json!({})).await.expect(200);
    w.create(&student, w.salon(day_at(6, 19, 0), day_at(6, 21, 0), &[], json!({}))).await.expect(403);
}

#[actix_web::test]
async fn bad_inputs_are_422_listing_every_bad_field_and_never_500() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let (start, end) = (day_at(1, 19, 0), day_at(1, 21, 0));

    let res = w.create(&w.college_admin, w.salon(end, start, &[&li], json!({}))).await.expect(422);
    assert_eq!(res.error_fields(), ["end_at"]);
    let res = w.create(&w.college_admin, w.salon(start, end, &[&li], json!({"kind": "party"}))).await.expect(422);
    assert_eq!(res.error_fields(), ["kind"]);
    assert_eq!(res.body["errors"][0]["code"], "invalid_choice");
    let res = w
        .create(
            &w.college_admin,
            w.salon(end, start, &[&li], json!({"title": "  ", "capacity": 0, "budget_fen": -1, "venue": null, "topics": ["", "ok"], "online_link": "ftp://x"})),
        )
        .await
        .expect(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["budget_fen", "capacity", "end_at", "online_link", "title", "topics[0]"]);
    // No offset is not a time; another offset is fine, and every answer is in UTC.
    let res = w
        .create(&w.college_admin, w.salon(start, end, &[&li], json!({"start_at": "2026-12-01T19:00:00"})))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["start_at"]);
    let in_utc = w
        .create(
            &w.college_admin,
            w.salon(start, end, &[&li], json!({"start_at": start.with_timezone(&Utc).to_rfc3339()})),
        )
        .await
        .expect(201);
    assert_eq!(in_utc.body["start_at"], utc(start));
    // Dates at the edge of what a calendar can hold are refused, not a crash.
    let res = w
        .create(
            &w.college_admin,
            w.salon(
                start,
                end,
                &[&li],
                json!({"start_at": "+262142-12-31T20:00:00Z", "end_at": "+262142-12-31T21:00:00Z"}),
            ),
        )
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["start_at"]);
    let res = w.app.get("/api/v1/activities?to=%2B262142-12-31", &w.college_admin).await.expect(422);
    assert_eq!(res.error_fields(), ["to"]);
    // Outside the academic year; longer than two weeks.
    let next_year = day_at(400, 19, 0);
    let res = w
        .create(&w.college_admin, w.salon(next_year, next_year + Duration::hours(2), &[&li], json!({})))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["start_at", "end_at"]);
    let res =
        w.create(&w.college_admin, w.salon(start, start + Duration::days(15), &[&li], json!({}))).await.expect(422);
    assert_eq!(res.error_fields(), ["end_at"]);
    // Hosts: unknown, of another college, dismissed.
    let ee = w.app.college(&w.admin, "EE", "电气工程学院").await;
    let ee_lab = w.app.unit(&w.admin, &ee, "EE-LAB1", "laboratory").await;
    let ee_mentor = w.mentor_of(&ee, &ee_lab, "2023901", "赵六").await;
    let gone = w.mentor("2023002", "王芳").await;
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", gone.appointment), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);
    let body = w.salon(start, end, &[], json!({"host_appointment_ids": [uuid::Uuid::now_v7(), ee_mentor.appointment, gone.appointment, li.appointment]}));
    let res = w.create(&w.college_admin, body).await.expect(422);
    assert_eq!(res.error_fields(), ["host_appointment_ids[0]", "host_appointment_ids[1]", "host_appointment_ids[2]"]);
    let codes: Vec<&str> = res.body["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["invalid_reference", "wrong_college", "not_active"]);
    // A unit of another college, a year that does not exist.
    let res = w.create(&w.college_admin, w.salon(start, end, &[&li], json!({"unit_id": ee_lab}))).await.expect(422);
    assert_eq!(res.error_fields(), ["unit_id"]);
    let res = w
        .create(&w.college_admin, w.salon(start, end, &[&li], json!({"academic_year_id": uuid::Uuid::now_v7()})))
        .await
        .expect(422);
    assert_eq!(res.error_fields(), ["academic_year_id"]);
    // Unknown fields, malformed JSON, a bad path id, an unknown activity.
    let res = w.create(&w.college_admin, w.salon(start, end, &[&li], json!({"colour": "red"}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["code"], "unknown_field");
    let res = w
        .app
        .send(
            w.app
                .request(reqwest::Method::POST, "/api/v1/activities", Some(&w.college_admin))
                .header("content-type", "application/json")
                .body("{\"kind\": "),
        )
        .await
        .expect(400);
    assert_eq!(res.code(), "malformed_json");
    w.app.get("/api/v1/activities/not-a-uuid", &w.college_admin).await.expect(400);
    w.app.get(&format!("/api/v1/activities/{}", uuid::Uuid::now_v7()), &w.college_admin).await.expect(404);
    let bad_query = w.app.get("/api/v1/activities?kind=party", &w.college_admin).await.expect(400);
    assert_eq!(bad_query.code(), "invalid_query");
    w.app.get("/api/v1/activities?from=2026-10-31&to=2026-10-01", &w.college_admin).await.expect(422);
    // A salon without a host cannot be published; a blank cancel reason is refused.
    let lonely = w.create(&w.college_admin, w.salon(start, end, &[], json!({}))).await.expect(201).id();
    assert_eq!(w.act(&w.college_admin, &lonely, "publish", json!({})).await.expect(409).code(), "host_required");
    assert_eq!(
        w.act(&w.college_admin, &lonely, "cancel", json!({"reason": "   "})).await.expect(422).error_fields(),
        ["reason"]
    );
    // Completing too early is 409 not_started; completing a planned one is an invalid transition.
    assert_eq!(
        w.act(&w.college_admin, &lonely, "complete", json!({"summary": "x"})).await.expect(409).code(),
        "invalid_transition"
    );
    let future = w.published(w.salon(day_at(1, 8, 0), day_at(1, 9, 0), &[&li], json!({"venue": "D404"}))).await;
    assert_eq!(
        w.act(&w.college_admin, &future, "complete", json!({"summary": "x"})).await.expect(409).code(),
        "not_started"
    );
    assert_eq!(
        w.act(&w.college_admin, &future, "complete", json!({"summary": "x", "actual_expense_fen": -5}))
            .await
            .expect(422)
            .error_fields(),
        ["actual_expense_fen"]
    );
}

#[actix_web::test]
async fn lists_filter_by_year_college_kind_state_host_and_dates() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let wang = w.mentor("2023002", "王芳").await;
    let a = w.published(w.salon(day_at(1, 19, 0), day_at(1, 21, 0), &[&li], json!({"venue": "A1"}))).await;
    let b = w
        .create(
            &w.college_admin,
            w.salon(day_at(3, 19, 0), day_at(3, 21, 0), &[&wang], json!({"kind": "research_salon", "venue": "A2"})),
        )
        .await
        .expect(201)
        .id();
    let training = w
        .create(&w.admin, json!({"kind": "training", "title": "培训", "academic_year_id": w.year,
                                 "start_at": iso(day_at(2, 9, 0)), "end_at": iso(day_at(2, 11, 0)), "online_link": "https://x.example/t"}))
        .await
        .expect(201)
        .id();
    let ids = |r: &Res| -> Vec<String> {
        r.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    let q = |s: &str| format!("/api/v1/activities?{s}");
    assert_eq!(w.app.get(&q(""), &w.admin).await.expect(200).body["total"], 3);
    assert_eq!(ids(&w.app.get(&q("kind=research_salon"), &w.admin).await), std::slice::from_ref(&b));
    assert_eq!(ids(&w.app.get(&q("state=published"), &w.admin).await), std::slice::from_ref(&a));
    assert_eq!(
        ids(&w.app.get(&q(&format!("host_appointment_id={}", li.appointment)), &w.admin).await),
        std::slice::from_ref(&a)
    );
    assert_eq!(ids(&w.app.get(&q("university_wide=true"), &w.admin).await), std::slice::from_ref(&training));
    assert_eq!(w.app.get(&q(&format!("college_id={}", w.college)), &w.admin).await.body["total"], 2);
    assert_eq!(w.app.get(&q(&format!("academic_year_id={}", w.year)), &w.admin).await.body["total"], 3);
    assert_eq!(w.app.get(&q(&format!("academic_year_id={}", uuid::Uuid::now_v7())), &w.admin).await.body["total"], 0);
    let d = |n: i64| day_at(n, 0, 0).date_naive().to_string();
    assert_eq!(
        ids(&w.app.get(&q(&format!("from={}&to={}", d(2), d(3))), &w.admin).await),
        [b.clone(), training.clone()]
    );
    assert_eq!(ids(&w.app.get(&q(&format!("to={}&sort=start_at", d(2))), &w.admin).await), [a.clone(), training]);
    assert_eq!(w.app.get(&q("sort=-title"), &w.admin).await.expect(422).error_fields(), ["sort"]);
    // The suggested topics of the rules.
    let topics = w.app.get("/api/v1/activities/topics", &w.college_admin).await.expect(200);
    let salon = topics.body["items"].as_array().unwrap().iter().find(|t| t["kind"] == "freshman_salon").unwrap();
    assert_eq!(salon["topics"].as_array().unwrap().len(), 5);
    assert_eq!(salon["topics"][0], "如何尽快适应研究生学习、科研和生活");
}

#[actix_web::test]
async fn a_dismissed_mentor_no_longer_hosts_upcoming_activities() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let wang = w.mentor("2023002", "王芳").await;
    let start = day_at(3, 19, 0);
    let upcoming = w
        .create(&w.college_admin, w.salon(start, start + Duration::hours(2), &[&li, &wang], json!({})))
        .await
        .expect(201)
        .id();
    w.app
        .post(&format!("/api/v1/appointments/{}/dismissal", li.appointment), &w.admin, json!({"reason": "不履职"}))
        .await
        .expect(200);
    let a = w.app.get(&format!("/api/v1/activities/{upcoming}"), &w.admin).await.expect(200);
    let hosts: Vec<&str> =
        a.body["hosts"].as_array().unwrap().iter().map(|h| h["appointment_id"].as_str().unwrap()).collect();
    assert_eq!(hosts, [wang.appointment.as_str()]);
    let audit = w
        .app
        .get(&format!("/api/v1/audit-events?target_id={upcoming}&action=activity.release_host"), &w.admin)
        .await
        .expect(200);
    assert_eq!(audit.body["total"], 1);
    assert_eq!(a.body["version"], 2, "the change moves the activity's version on");
}

#[actix_web::test]
async fn a_mentor_who_leaves_hands_the_activities_they_organised_back_to_the_college() {
    let w = world().await;
    let li = w.mentor("2023001", "李华").await;
    let li_token = w.app.user(&w.admin, "s2023001", Role::Student, json!({"student_id": li.student})).await;
    let start = day_at(4, 19, 0);
    let own = w.create(&li_token, w.salon(start, start + Duration::hours(2), &[&li], json!({}))).await.expect(201).id();
    w.app.patch(&format!("/api/v1/activities/{own}"), &li_token, json!({"title": "学长沙龙"}), None).await.expect(200);
    w.app
        .post(&format!("/api/v1/appointments/{}/resignation", li.appointment), &li_token, json!({"reason": "出国交流"}))
        .await
        .expect(200);
    // No longer organiser or host of a planned activity: it is out of their sight and hands.
    w.app.get(&format!("/api/v1/activities/{own}"), &li_token).await.expect(404);
    w.app.patch(&format!("/api/v1/activities/{own}"), &li_token, json!({"title": "x"}), None).await.expect(404);
    let res = w.app.get(&format!("/api/v1/activities/{own}"), &w.college_admin).await.expect(200);
    assert!(res.body["organiser_id"].is_null());
    w.app
        .patch(&format!("/api/v1/activities/{own}"), &w.college_admin, json!({"title": "学院接手的沙龙"}), None)
        .await
        .expect(200);
}
