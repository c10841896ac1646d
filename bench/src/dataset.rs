//! A university-sized academic year, generated deterministically and written straight into a
//! migrated database (multi-row INSERTs through sea-query, so values are encoded exactly as the
//! application encodes them on each backend): 40 colleges, 400 units, 2,000 staff, 60,000
//! students (20,000 of them freshmen of the year), 6,000 nominations, 5,000 appointments,
//! 20,000 pairings, 2,000 activities with hosts and 20,000 registrations, 200,000 work records
//! (each with a student and a duty), 10,000 help requests, 2,000 concerns and 3,000 inquiries;
//! and the year before it, closed and smaller ([`PREVIOUS`]: 3,600 mentors with 10,800 mentees,
//! 1,500 activities, 108,000 work records, 7,000 help requests, 1,500 concerns, 2,000 inquiries),
//! for the reports that compare two years.
//!
//! The year is the one running today (Asia/Shanghai, Sept 1 → Aug 31) and every date lies between
//! its first day and today, so the reports that look back from today (inactive mentors, the
//! to-do list) see a live year; every date of the year before lies within it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Value};
use uuid::Uuid;

/// How big the year is.
pub struct Size {
    /// Colleges (each with `units_per_college` units and 50 staff).
    pub colleges: usize,
    /// Units per college.
    pub units_per_college: usize,
    /// Students in all (a third of them freshmen of the year).
    pub students: usize,
    /// Appointed mentors.
    pub appointments: usize,
    /// Mentees per appointment.
    pub mentees_per_mentor: usize,
    /// Activities.
    pub activities: usize,
    /// Work records per appointment.
    pub records_per_mentor: usize,
}

/// The size the reports are held to (the "university-sized year").
pub const UNIVERSITY: Size = Size {
    colleges: 40,
    units_per_college: 10,
    students: 60_000,
    appointments: 5_000,
    mentees_per_mentor: 4,
    activities: 2_000,
    records_per_mentor: 40,
};

/// What was generated, for the scenarios to address.
pub struct Year {
    /// The academic year's id.
    pub academic_year_id: Uuid,
    /// The year before it (closed, smaller), for `compare_to`.
    pub previous_academic_year_id: Uuid,
    /// One active appointment (its mentor's performance page).
    pub an_appointment: Uuid,
    /// Rows written, all tables together.
    pub rows: u64,
}

/// A fixed pseudo-random sequence, so every run generates the same year.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % (n.max(1) as u64)).unwrap_or(0)
    }
}

/// A stable id per table and row number.
fn id(table: u32, n: usize) -> Uuid {
    Uuid::from_u128((u128::from(table) << 64) | n as u128 | (0x0193 << 112))
}

fn n32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Rows of one table, flushed as multi-row INSERTs of `CHUNK` rows.
struct Table<'a> {
    txn: &'a DatabaseTransaction,
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<SimpleExpr>>,
    written: u64,
    /// Flush as rows come (a parent table); a child table of a table still being written keeps
    /// its rows until `done`, after its parent's.
    eager: bool,
}

const CHUNK: usize = 400;

/// The columns the generator writes into `academic_years`.
const YEAR_COLUMNS: &[&str] = &[
    "id",
    "code",
    "starts_on",
    "ends_on",
    "default_capacity",
    "allow_probationary",
    "introduction_deadline",
    "salon_deadline",
    "closed",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `nominations`.
const NOMINATION_COLUMNS: &[&str] = &[
    "id",
    "student_id",
    "academic_year_id",
    "college_id",
    "unit_id",
    "source",
    "state",
    "statement",
    "evidence",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `appointments`.
const APPOINTMENT_COLUMNS: &[&str] = &[
    "id",
    "nomination_id",
    "student_id",
    "academic_year_id",
    "college_id",
    "unit_id",
    "capacity",
    "state",
    "training_completed_on",
    "ended_at",
    "introduced_on",
    "introduction_channel",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `pairings`.
const PAIRING_COLUMNS: &[&str] = &[
    "id",
    "appointment_id",
    "mentor_id",
    "mentee_id",
    "academic_year_id",
    "college_id",
    "cross_unit",
    "source",
    "state",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `activities`.
const ACTIVITY_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "title",
    "topics",
    "academic_year_id",
    "college_id",
    "start_at",
    "end_at",
    "capacity",
    "budget_fen",
    "state",
    "published_at",
    "cancelled_at",
    "cancel_reason",
    "held_at",
    "summary",
    "actual_expense_fen",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `work_records`.
const RECORD_COLUMNS: &[&str] = &[
    "id",
    "appointment_id",
    "mentor_id",
    "college_id",
    "kind",
    "date",
    "month",
    "minutes",
    "channel",
    "summary",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `help_requests`.
const HELP_COLUMNS: &[&str] = &[
    "id",
    "student_id",
    "appointment_id",
    "mentor_id",
    "college_id",
    "topic",
    "message",
    "state",
    "answer_note",
    "answered_at",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `concerns`.
const CONCERN_COLUMNS: &[&str] = &[
    "id",
    "appointment_id",
    "academic_year_id",
    "college_id",
    "mentor_id",
    "scope",
    "category",
    "urgency",
    "state",
    "description",
    "student_id",
    "escalated_at",
    "acknowledged_at",
    "resolved_at",
    "resolution_note",
    "created_at",
    "updated_at",
];

/// The columns the generator writes into `inquiries`.
const INQUIRY_COLUMNS: &[&str] = &[
    "id",
    "appointment_id",
    "college_id",
    "kind",
    "state",
    "sender_name",
    "sender_email",
    "subject",
    "message",
    "reply",
    "replied_at",
    "created_at",
    "updated_at",
];

impl<'a> Table<'a> {
    fn new(txn: &'a DatabaseTransaction, name: &'static str, columns: &'static [&'static str]) -> Self {
        Table { txn, name, columns, rows: Vec::with_capacity(CHUNK), written: 0, eager: true }
    }

    /// A table whose rows reference a table being written alongside: written on `done`.
    fn child(txn: &'a DatabaseTransaction, name: &'static str, columns: &'static [&'static str]) -> Self {
        Table { eager: false, ..Table::new(txn, name, columns) }
    }

    async fn push(&mut self, row: Vec<Value>) -> Result<(), String> {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row.into_iter().map(SimpleExpr::Value).collect());
        if self.eager && self.rows.len() >= CHUNK { self.flush().await } else { Ok(()) }
    }

    async fn flush(&mut self) -> Result<(), String> {
        while !self.rows.is_empty() {
            let mut insert = Query::insert();
            insert.into_table(Alias::new(self.name)).columns(self.columns.iter().map(|c| Alias::new(*c)));
            let n = self.rows.len().min(CHUNK);
            for row in self.rows.drain(..n) {
                self.written += 1;
                insert.values(row).map_err(|e| format!("{}: {e}", self.name))?;
            }
            self.txn.execute(&insert).await.map_err(|e| format!("{}: {e}", self.name))?;
        }
        Ok(())
    }

    async fn done(mut self) -> Result<u64, String> {
        self.flush().await?;
        Ok(self.written)
    }
}

fn s(v: &str) -> Value {
    Value::from(v.to_owned())
}

fn u(v: Uuid) -> Value {
    Value::from(v)
}

fn t(v: DateTime<Utc>) -> Value {
    Value::from(v)
}

fn ot(v: Option<DateTime<Utc>>) -> Value {
    Value::from(v)
}

fn d(v: NaiveDate) -> Value {
    Value::from(v)
}

fn od(v: Option<NaiveDate>) -> Value {
    Value::from(v)
}

fn os(v: Option<&str>) -> Value {
    Value::from(v.map(str::to_owned))
}

fn oi(v: Option<i32>) -> Value {
    Value::Int(v)
}

/// Writes the year into the database behind `txn` (migrated, with no rows of these tables yet).
pub async fn generate(txn: &DatabaseTransaction, size: &Size) -> Result<Year, String> {
    let mut rng = Lcg(20_261_201);
    let now = Utc::now();
    let today = (now + Duration::hours(8)).date_naive();
    let start_year = if today.month() >= 9 { today.year() } else { today.year() - 1 };
    let starts_on = NaiveDate::from_ymd_opt(start_year, 9, 1).ok_or("bad year")?;
    let span_days = usize::try_from((today - starts_on).num_days().max(1)).unwrap_or(1);
    // A day of the year so far, and an instant at 10:00 Beijing time on it.
    let day = |rng: &mut Lcg| starts_on + Duration::days(i64::try_from(rng.below(span_days)).unwrap_or(0));
    let at = |date: NaiveDate| date.and_hms_opt(2, 0, 0).map(|n| n.and_utc()).unwrap_or(now);
    let mut rows = 0u64;

    let year_id = id(1, 0);
    let mut t_year = Table::new(txn, "academic_years", YEAR_COLUMNS);
    let ymd = |m, dd| NaiveDate::from_ymd_opt(start_year, m, dd).unwrap_or(starts_on);
    t_year
        .push(vec![
            u(year_id),
            s(&format!("{start_year}-{}", start_year + 1)),
            d(starts_on),
            d(NaiveDate::from_ymd_opt(start_year + 1, 8, 31).unwrap_or(starts_on)),
            Value::from(5),
            Value::from(false),
            d(ymd(9, 30)),
            d(ymd(10, 31)),
            Value::from(false),
            t(now),
            t(now),
        ])
        .await?;
    rows += t_year.done().await?;

    // Colleges, units, staff.
    let mut t_college = Table::new(txn, "colleges", &["id", "code", "name", "created_at", "updated_at"]);
    let mut t_unit =
        Table::child(txn, "units", &["id", "code", "name", "kind", "college_id", "created_at", "updated_at"]);
    let mut t_staff = Table::child(
        txn,
        "staff",
        &["id", "staff_no", "name", "college_id", "is_supervisor", "is_counselor", "created_at", "updated_at"],
    );
    let units = size.colleges * size.units_per_college;
    for c in 0..size.colleges {
        t_college.push(vec![u(id(2, c)), s(&format!("C{c:02}")), s(&format!("第{c}学院")), t(now), t(now)]).await?;
        for k in 0..size.units_per_college {
            let n = c * size.units_per_college + k;
            t_unit
                .push(vec![
                    u(id(3, n)),
                    s(&format!("C{c:02}-U{k:02}")),
                    s(&format!("第{c}学院实验室{k}")),
                    s("laboratory"),
                    u(id(2, c)),
                    t(now),
                    t(now),
                ])
                .await?;
        }
        for k in 0..50 {
            let n = c * 50 + k;
            t_staff
                .push(vec![
                    u(id(4, n)),
                    s(&format!("T{n:05}")),
                    s(&format!("教师{n}")),
                    u(id(2, c)),
                    Value::from(k >= 2),
                    Value::from(k < 2),
                    t(now),
                    t(now),
                ])
                .await?;
        }
    }
    rows += t_college.done().await? + t_unit.done().await? + t_staff.done().await?;

    // Students: the first `appointments * 6 / 5` are senior Party members (the nominees), the
    // next third of all are freshmen of the year, the rest other seniors. Unit n belongs to
    // college n / units_per_college.
    let nominees = size.appointments * 6 / 5;
    let freshmen = size.students / 3;
    let unit_of = |i: usize| i % units;
    let college_of = |i: usize| unit_of(i) / size.units_per_college;
    let mut t_student = Table::new(
        txn,
        "students",
        &[
            "id",
            "student_no",
            "name",
            "gender",
            "college_id",
            "unit_id",
            "degree",
            "enrollment_year",
            "political_status",
            "supervisor_id",
            "counselor_id",
            "status",
            "created_at",
            "updated_at",
        ],
    );
    for i in 0..size.students {
        let freshman = i >= nominees && i < nominees + freshmen;
        let year = if freshman { start_year } else { start_year - 1 - i32::try_from(i % 3).unwrap_or(0) };
        let c = college_of(i);
        t_student
            .push(vec![
                u(id(5, i)),
                s(&format!("{year}{i:08}")),
                s(&format!("学生{i}")),
                s(if i % 2 == 0 { "male" } else { "female" }),
                u(id(2, c)),
                u(id(3, unit_of(i))),
                s(if i % 5 == 0 { "doctoral" } else { "master" }),
                Value::from(year),
                s(if i < nominees { "party_member" } else { "league_member" }),
                u(id(4, c * 50 + 2 + i % 48)),
                u(id(4, c * 50 + i % 2)),
                s("enrolled"),
                t(now),
                t(now),
            ])
            .await?;
    }
    rows += t_student.done().await?;

    // Nominations (5,000 appointed, the rest rejected or awaiting the university) and
    // appointments: 96% active, the rest dismissed or resigned; most trained and introduced.
    let mut t_nomination = Table::new(txn, "nominations", NOMINATION_COLUMNS);
    let mut t_appointment = Table::child(txn, "appointments", APPOINTMENT_COLUMNS);
    for i in 0..nominees {
        let appointed = i < size.appointments;
        let state = if appointed {
            "appointed"
        } else if i % 2 == 0 {
            "rejected"
        } else {
            "recommended"
        };
        t_nomination
            .push(vec![
                u(id(6, i)),
                u(id(5, i)),
                u(year_id),
                u(id(2, college_of(i))),
                u(id(3, unit_of(i))),
                s("college"),
                s(state),
                s("热心服务同学"),
                Value::from(serde_json::json!([])),
                t(now),
                t(now),
            ])
            .await?;
        if appointed {
            let state = match i % 50 {
                0 => "dismissed",
                1 => "resigned",
                _ => "active",
            };
            let introduced = (i % 10 != 0).then(|| ymd(9, 10 + u32::try_from(i % 25).unwrap_or(0)));
            t_appointment
                .push(vec![
                    u(id(7, i)),
                    u(id(6, i)),
                    u(id(5, i)),
                    u(year_id),
                    u(id(2, college_of(i))),
                    u(id(3, unit_of(i))),
                    Value::from(5),
                    s(state),
                    od((i % 8 != 0).then(|| ymd(9, 15))),
                    ot((state != "active").then(|| at(ymd(11, 1)))),
                    od(introduced),
                    os(introduced.map(|_| "meeting")),
                    t(now),
                    t(now),
                ])
                .await?;
        }
    }
    rows += t_nomination.done().await? + t_appointment.done().await?;

    // Pairings: each appointment takes `mentees_per_mentor` freshmen of its unit (freshman f is
    // student nominees + f, in unit (nominees + f) % units).
    let mut t_pairing = Table::new(txn, "pairings", PAIRING_COLUMNS);
    let mut mentees_of: Vec<Vec<usize>> = vec![Vec::new(); size.appointments];
    let mut next_freshman_in_unit: Vec<usize> = vec![0; units];
    for (a, mentees) in mentees_of.iter_mut().enumerate() {
        let unit = unit_of(a);
        for _ in 0..size.mentees_per_mentor {
            // The k-th freshman of `unit` is the student nominees + f with f ≡ unit - nominees (mod units).
            let k = next_freshman_in_unit[unit];
            let first = (unit + units - nominees % units) % units;
            let f = first + k * units;
            if f >= freshmen {
                break;
            }
            next_freshman_in_unit[unit] += 1;
            let student = nominees + f;
            mentees.push(student);
            t_pairing
                .push(vec![
                    u(id(8, student)),
                    u(id(7, a)),
                    u(id(5, a)),
                    u(id(5, student)),
                    u(year_id),
                    u(id(2, college_of(a))),
                    Value::from(false),
                    s(if a % 2 == 0 { "manual" } else { "auto_match" }),
                    s("active"),
                    t(now),
                    t(now),
                ])
                .await?;
        }
    }
    rows += t_pairing.done().await?;

    // Activities of the colleges, hosted by one of their mentors, with registrations.
    let kinds =
        ["freshman_salon", "research_salon", "competition_guidance", "career_guidance", "orientation_introduction"];
    let mut t_activity = Table::new(txn, "activities", ACTIVITY_COLUMNS);
    let mut t_host = Table::child(txn, "activity_hosts", &["activity_id", "appointment_id", "student_id", "position"]);
    let mut t_registration = Table::child(
        txn,
        "activity_registrations",
        &["id", "activity_id", "student_id", "state", "attended", "created_at", "updated_at"],
    );
    let mut registrations = 0;
    for k in 0..size.activities {
        let a = rng.below(size.appointments);
        let date = day(&mut rng);
        let start = at(date);
        let state = match k % 10 {
            0 => "cancelled",
            1 => "planned",
            2 => "published",
            _ => "held",
        };
        let held = state == "held";
        t_activity
            .push(vec![
                u(id(9, k)),
                s(kinds[k % kinds.len()]),
                s(&format!("学长沙龙{k}")),
                Value::from(serde_json::json!([])),
                u(year_id),
                u(id(2, college_of(a))),
                t(start),
                t(start + Duration::hours(2)),
                Value::from(30),
                Value::from(50_000),
                s(state),
                ot((state != "planned").then_some(start - Duration::days(7))),
                ot((state == "cancelled").then_some(start - Duration::days(1))),
                os((state == "cancelled").then_some("场地冲突")),
                ot(held.then_some(start + Duration::hours(2))),
                os(held.then_some("交流顺利")),
                oi(held.then_some(40_000)),
                t(now),
                t(now),
            ])
            .await?;
        t_host.push(vec![u(id(9, k)), u(id(7, a)), u(id(5, a)), Value::from(0)]).await?;
        for &m in &mentees_of[a] {
            t_registration
                .push(vec![
                    u(id(10, registrations)),
                    u(id(9, k)),
                    u(id(5, m)),
                    s("registered"),
                    Value::from(held),
                    t(start - Duration::days(3)),
                    t(start - Duration::days(3)),
                ])
                .await?;
            registrations += 1;
        }
    }
    rows += t_activity.done().await? + t_host.done().await? + t_registration.done().await?;

    // Work records: `records_per_mentor` per appointment, each with one mentee and one duty.
    let work_kinds =
        ["individual_consultation", "group_counselling", "daily_exchange", "career_help", "research_guidance"];
    let duties = ["ideology", "career", "study", "research", "life"];
    let channels = ["face_to_face", "phone", "online", "chat_group"];
    let mut t_record = Table::new(txn, "work_records", RECORD_COLUMNS);
    let mut t_record_student = Table::child(txn, "work_record_students", &["work_record_id", "student_id"]);
    let mut t_duty = Table::child(txn, "work_record_duties", &["work_record_id", "duty"]);
    let mut record = 0;
    for (a, mentees) in mentees_of.iter().enumerate() {
        // A mentor in twenty has gone quiet since September.
        let quiet = a % 20 == 7;
        for r in 0..size.records_per_mentor {
            let date =
                if quiet { starts_on + Duration::days(i64::try_from(r % 7).unwrap_or(0)) } else { day(&mut rng) };
            let rid = id(11, record);
            t_record
                .push(vec![
                    u(rid),
                    u(id(7, a)),
                    u(id(5, a)),
                    u(id(2, college_of(a))),
                    s(work_kinds[r % work_kinds.len()]),
                    d(date),
                    s(&date.format("%Y-%m").to_string()),
                    Value::from(n32(30 + rng.below(90))),
                    s(channels[r % channels.len()]),
                    s("与新生交流学习与科研"),
                    t(at(date)),
                    t(at(date)),
                ])
                .await?;
            if let Some(&m) = mentees.get(r % mentees.len().max(1)) {
                t_record_student.push(vec![u(rid), u(id(5, m))]).await?;
            }
            t_duty.push(vec![u(rid), s(duties[r % duties.len()])]).await?;
            record += 1;
        }
    }
    rows += t_record.done().await? + t_record_student.done().await? + t_duty.done().await?;

    // Help requests from mentees (70% answered), concerns (every state), inquiries (half answered).
    let mut t_help = Table::new(txn, "help_requests", HELP_COLUMNS);
    for h in 0..10_000 {
        let a = h % size.appointments;
        let Some(&m) = mentees_of[a].first() else { continue };
        let asked = at(day(&mut rng));
        let answered = h % 10 < 7;
        t_help
            .push(vec![
                u(id(12, h)),
                u(id(5, m)),
                u(id(7, a)),
                u(id(5, a)),
                u(id(2, college_of(a))),
                s(duties[h % duties.len()]),
                s("请问如何选课"),
                s(if answered { "answered" } else { "open" }),
                os(answered.then_some("已当面解答")),
                ot(answered.then_some(asked + Duration::hours(5))),
                t(asked),
                t(asked),
            ])
            .await?;
    }
    rows += t_help.done().await?;

    let mut t_concern = Table::new(txn, "concerns", CONCERN_COLUMNS);
    for k in 0..2_000 {
        let a = (k * 7) % size.appointments;
        let Some(&m) = mentees_of[a].first() else { continue };
        let raised = at(day(&mut rng));
        let state = ["open", "escalated", "acknowledged", "resolved"][k % 4];
        let escalated = state != "open";
        let acknowledged = matches!(state, "acknowledged" | "resolved");
        let resolved = state == "resolved";
        t_concern
            .push(vec![
                u(id(13, k)),
                u(id(7, a)),
                u(year_id),
                u(id(2, college_of(a))),
                u(id(5, a)),
                s("individual"),
                s(["study", "life", "mental_health", "financial"][k % 4]),
                s(if k % 5 == 0 { "urgent" } else { "normal" }),
                s(state),
                s("新生学习压力较大"),
                u(id(5, m)),
                ot(escalated.then_some(raised + Duration::hours(1))),
                ot(acknowledged.then_some(raised + Duration::hours(20))),
                ot(resolved.then_some(raised + Duration::days(3))),
                os(resolved.then_some("已与导师沟通")),
                t(raised),
                t(raised),
            ])
            .await?;
    }
    rows += t_concern.done().await?;

    let mut t_inquiry = Table::new(txn, "inquiries", INQUIRY_COLUMNS);
    for k in 0..3_000 {
        let a = (k * 3) % size.appointments;
        let sent = at(day(&mut rng));
        let answered = k % 2 == 0;
        t_inquiry
            .push(vec![
                u(id(14, k)),
                u(id(7, a)),
                u(id(2, college_of(a))),
                s(["admission", "study", "research_collaboration"][k % 3]),
                s(if answered { "answered" } else { "open" }),
                s("考生"),
                s(&format!("applicant{k}@example.com")),
                s("报考咨询"),
                s("请问实验室的研究方向"),
                os(answered.then_some("欢迎报考")),
                ot(answered.then_some(sent + Duration::days(1))),
                t(sent),
                t(sent),
            ])
            .await?;
    }
    rows += t_inquiry.done().await?;

    // The year before, closed, for the reports that compare two years.
    let previous = Previous {
        start_year: start_year - 1,
        units,
        units_per_college: size.units_per_college,
        nominees,
        freshmen,
        students: size.students,
        now,
    };
    let (previous_year_id, previous_rows) = previous_year(txn, &previous, &PREVIOUS).await?;
    rows += previous_rows;

    // Keep the planner's statistics current, as a production database's autovacuum would.
    txn.execute_unprepared("ANALYZE").await.map_err(|e| format!("analyze: {e}"))?;

    Ok(Year { academic_year_id: year_id, previous_academic_year_id: previous_year_id, an_appointment: id(7, 2), rows })
}

/// How big the year before is: smaller than the running one (fewer mentors, each with three
/// mentees, fewer activities and records), as a program in its second year has grown.
pub struct PreviousSize {
    /// Appointed mentors (at most two thirds of the running year's nominees: those who were
    /// seniors the year before).
    pub appointments: usize,
    /// Nominations in all (the rest rejected).
    pub nominations: usize,
    /// Mentees per appointment.
    pub mentees_per_mentor: usize,
    /// Activities.
    pub activities: usize,
    /// Work records per appointment.
    pub records_per_mentor: usize,
    /// Help requests.
    pub help_requests: usize,
    /// Concerns.
    pub concerns: usize,
    /// Directory inquiries.
    pub inquiries: usize,
}

/// The year before the university-sized one.
pub const PREVIOUS: PreviousSize = PreviousSize {
    appointments: 3_600,
    nominations: 4_000,
    mentees_per_mentor: 3,
    activities: 1_500,
    records_per_mentor: 30,
    help_requests: 7_000,
    concerns: 1_500,
    inquiries: 2_000,
};

/// What the year before shares with the running year: its first calendar year and the roster.
struct Previous {
    start_year: i32,
    units: usize,
    units_per_college: usize,
    nominees: usize,
    freshmen: usize,
    students: usize,
    now: DateTime<Utc>,
}

/// The pairings of the year before, with how they ended.
const PREVIOUS_PAIRING_COLUMNS: &[&str] = &[
    "id",
    "appointment_id",
    "mentor_id",
    "mentee_id",
    "academic_year_id",
    "college_id",
    "cross_unit",
    "source",
    "state",
    "ended_at",
    "end_reason",
    "created_at",
    "updated_at",
];

/// Writes the academic year before the running one (closed, every date within it): its mentors
/// are the running year's nominees who were seniors then (enrolled two or three years before the
/// running year), its freshmen the students who entered in its first calendar year; appointments
/// completed (a few dismissed or resigned), pairings ended with the term, activities held or
/// cancelled. Ids are those of [`generate`]'s tables plus 100. Returns the year's id and the rows
/// written.
async fn previous_year(txn: &DatabaseTransaction, p: &Previous, size: &PreviousSize) -> Result<(Uuid, u64), String> {
    const T: u32 = 100;
    let mut rng = Lcg(20_251_201);
    let now = p.now;
    let start_year = p.start_year;
    let starts_on = NaiveDate::from_ymd_opt(start_year, 9, 1).ok_or("bad year")?;
    let ends_on = NaiveDate::from_ymd_opt(start_year + 1, 8, 31).ok_or("bad year")?;
    let span_days = usize::try_from((ends_on - starts_on).num_days() + 1).unwrap_or(365);
    let day = |rng: &mut Lcg| starts_on + Duration::days(i64::try_from(rng.below(span_days)).unwrap_or(0));
    let at = |date: NaiveDate| date.and_hms_opt(2, 0, 0).map(|n| n.and_utc()).unwrap_or(now);
    let ymd = |m, dd| NaiveDate::from_ymd_opt(start_year, m, dd).unwrap_or(starts_on);
    let unit_of = |i: usize| i % p.units;
    let college_of = |i: usize| unit_of(i) / p.units_per_college;
    let mut rows = 0u64;

    let year_id = id(T + 1, 0);
    let mut t_year = Table::new(txn, "academic_years", YEAR_COLUMNS);
    t_year
        .push(vec![
            u(year_id),
            s(&format!("{start_year}-{}", start_year + 1)),
            d(starts_on),
            d(ends_on),
            Value::from(5),
            Value::from(false),
            d(ymd(9, 30)),
            d(ymd(10, 31)),
            Value::from(true),
            t(at(starts_on) - Duration::days(60)),
            t(at(ends_on)),
        ])
        .await?;
    rows += t_year.done().await?;

    // The running year's nominees enrolled two or three years before it (index not a multiple
    // of three) were seniors then: the k-th of them is student (k / 2) * 3 + 1 + k % 2.
    let mentor = |k: usize| (k / 2) * 3 + 1 + k % 2;
    // Its freshmen: every student enrolled in its first calendar year, by unit.
    let mut freshmen_of_unit: Vec<Vec<usize>> = vec![Vec::new(); p.units];
    for i in (0..p.students).filter(|i| i % 3 == 0 && !(p.nominees..p.nominees + p.freshmen).contains(i)) {
        freshmen_of_unit[unit_of(i)].push(i);
    }

    let mut t_nomination = Table::new(txn, "nominations", NOMINATION_COLUMNS);
    let mut t_appointment = Table::child(txn, "appointments", APPOINTMENT_COLUMNS);
    let mut states = Vec::with_capacity(size.appointments);
    for k in 0..size.nominations {
        let i = mentor(k);
        let appointed = k < size.appointments;
        t_nomination
            .push(vec![
                u(id(T + 6, k)),
                u(id(5, i)),
                u(year_id),
                u(id(2, college_of(i))),
                u(id(3, unit_of(i))),
                s("college"),
                s(if appointed { "appointed" } else { "rejected" }),
                s("热心服务同学"),
                Value::from(serde_json::json!([])),
                t(at(ymd(7, 1)) - Duration::days(365)),
                t(at(ymd(8, 1)) - Duration::days(365)),
            ])
            .await?;
        if appointed {
            let state = match k % 50 {
                0 => "dismissed",
                1 => "resigned",
                _ => "completed",
            };
            states.push(state);
            // Most introduced in September, one in ten after the deadline, one in twelve never.
            let introduced = (k % 12 != 0).then(|| ymd(9, 8) + Duration::days(i64::try_from(k % 28).unwrap_or(0)));
            let ended = if state == "completed" { at(ends_on) } else { at(ymd(12, 15)) };
            t_appointment
                .push(vec![
                    u(id(T + 7, k)),
                    u(id(T + 6, k)),
                    u(id(5, i)),
                    u(year_id),
                    u(id(2, college_of(i))),
                    u(id(3, unit_of(i))),
                    Value::from(5),
                    s(state),
                    od((k % 10 != 0).then(|| ymd(9, 12))),
                    ot(Some(ended)),
                    od(introduced),
                    os(introduced.map(|_| "meeting")),
                    t(at(starts_on)),
                    t(ended),
                ])
                .await?;
        }
    }
    rows += t_nomination.done().await? + t_appointment.done().await?;

    // Pairings, ended with the term (or with the mentor's dismissal or resignation).
    let mut t_pairing = Table::new(txn, "pairings", PREVIOUS_PAIRING_COLUMNS);
    let mut mentees_of: Vec<Vec<usize>> = vec![Vec::new(); size.appointments];
    let mut next_in_unit = vec![0usize; p.units];
    for (a, mentees) in mentees_of.iter_mut().enumerate() {
        let unit = unit_of(mentor(a));
        let (ended_at, reason) = match states[a] {
            "dismissed" => (at(ymd(12, 15)), "dismissal"),
            "resigned" => (at(ymd(12, 15)), "resignation"),
            _ => (at(ends_on), "term_completed"),
        };
        for _ in 0..size.mentees_per_mentor {
            let Some(&student) = freshmen_of_unit[unit].get(next_in_unit[unit]) else { break };
            next_in_unit[unit] += 1;
            mentees.push(student);
            t_pairing
                .push(vec![
                    u(id(T + 8, student)),
                    u(id(T + 7, a)),
                    u(id(5, mentor(a))),
                    u(id(5, student)),
                    u(year_id),
                    u(id(2, college_of(mentor(a)))),
                    Value::from(false),
                    s(if a % 2 == 0 { "manual" } else { "auto_match" }),
                    s("ended"),
                    t(ended_at),
                    s(reason),
                    t(at(ymd(9, 5))),
                    t(ended_at),
                ])
                .await?;
        }
    }
    rows += t_pairing.done().await?;

    // Activities: held, or cancelled (nothing is still planned in a closed year).
    let kinds =
        ["freshman_salon", "research_salon", "competition_guidance", "career_guidance", "orientation_introduction"];
    let mut t_activity = Table::new(txn, "activities", ACTIVITY_COLUMNS);
    let mut t_host = Table::child(txn, "activity_hosts", &["activity_id", "appointment_id", "student_id", "position"]);
    let mut t_registration = Table::child(
        txn,
        "activity_registrations",
        &["id", "activity_id", "student_id", "state", "attended", "created_at", "updated_at"],
    );
    let mut registrations = 0;
    for k in 0..size.activities {
        let a = rng.below(size.appointments);
        let start = at(day(&mut rng));
        let held = k % 8 != 0;
        t_activity
            .push(vec![
                u(id(T + 9, k)),
                s(kinds[k % kinds.len()]),
                s(&format!("往年学长沙龙{k}")),
                Value::from(serde_json::json!([])),
                u(year_id),
                u(id(2, college_of(mentor(a)))),
                t(start),
                t(start + Duration::hours(2)),
                Value::from(30),
                Value::from(40_000),
                s(if held { "held" } else { "cancelled" }),
                ot(Some(start - Duration::days(7))),
                ot((!held).then_some(start - Duration::days(1))),
                os((!held).then_some("场地冲突")),
                ot(held.then_some(start + Duration::hours(2))),
                os(held.then_some("交流顺利")),
                oi(held.then_some(35_000)),
                t(start - Duration::days(10)),
                t(start + Duration::hours(2)),
            ])
            .await?;
        t_host.push(vec![u(id(T + 9, k)), u(id(T + 7, a)), u(id(5, mentor(a))), Value::from(0)]).await?;
        for &m in &mentees_of[a] {
            t_registration
                .push(vec![
                    u(id(T + 10, registrations)),
                    u(id(T + 9, k)),
                    u(id(5, m)),
                    s("registered"),
                    Value::from(held && registrations % 5 != 0),
                    t(start - Duration::days(3)),
                    t(start - Duration::days(3)),
                ])
                .await?;
            registrations += 1;
        }
    }
    rows += t_activity.done().await? + t_host.done().await? + t_registration.done().await?;

    // Work records over the whole year.
    let work_kinds =
        ["individual_consultation", "group_counselling", "daily_exchange", "career_help", "research_guidance"];
    let duties = ["ideology", "career", "study", "research", "life"];
    let channels = ["face_to_face", "phone", "online", "chat_group"];
    let mut t_record = Table::new(txn, "work_records", RECORD_COLUMNS);
    let mut t_record_student = Table::child(txn, "work_record_students", &["work_record_id", "student_id"]);
    let mut t_duty = Table::child(txn, "work_record_duties", &["work_record_id", "duty"]);
    let mut record = 0;
    for (a, mentees) in mentees_of.iter().enumerate() {
        for r in 0..size.records_per_mentor {
            let date = day(&mut rng);
            let rid = id(T + 11, record);
            t_record
                .push(vec![
                    u(rid),
                    u(id(T + 7, a)),
                    u(id(5, mentor(a))),
                    u(id(2, college_of(mentor(a)))),
                    s(work_kinds[r % work_kinds.len()]),
                    d(date),
                    s(&date.format("%Y-%m").to_string()),
                    Value::from(n32(30 + rng.below(90))),
                    s(channels[r % channels.len()]),
                    s("与新生交流学习与科研"),
                    t(at(date)),
                    t(at(date)),
                ])
                .await?;
            if let Some(&m) = mentees.get(r % mentees.len().max(1)) {
                t_record_student.push(vec![u(rid), u(id(5, m))]).await?;
            }
            t_duty.push(vec![u(rid), s(duties[r % duties.len()])]).await?;
            record += 1;
        }
    }
    rows += t_record.done().await? + t_record_student.done().await? + t_duty.done().await?;

    let mut t_help = Table::new(txn, "help_requests", HELP_COLUMNS);
    for h in 0..size.help_requests {
        let a = h % size.appointments;
        let Some(&m) = mentees_of[a].first() else { continue };
        let asked = at(day(&mut rng));
        let answered = h % 10 < 8;
        t_help
            .push(vec![
                u(id(T + 12, h)),
                u(id(5, m)),
                u(id(T + 7, a)),
                u(id(5, mentor(a))),
                u(id(2, college_of(mentor(a)))),
                s(duties[h % duties.len()]),
                s("请问如何选导师"),
                s(if answered { "answered" } else { "open" }),
                os(answered.then_some("已当面解答")),
                ot(answered.then_some(asked + Duration::hours(5))),
                t(asked),
                t(asked),
            ])
            .await?;
    }
    rows += t_help.done().await?;

    let mut t_concern = Table::new(txn, "concerns", CONCERN_COLUMNS);
    for k in 0..size.concerns {
        let a = (k * 7) % size.appointments;
        let Some(&m) = mentees_of[a].first() else { continue };
        let raised = at(day(&mut rng));
        // A closed year: most concerns resolved, a few left acknowledged or still escalated.
        let state = ["resolved", "resolved", "resolved", "acknowledged", "escalated", "open"][k % 6];
        let escalated = state != "open";
        let acknowledged = matches!(state, "acknowledged" | "resolved");
        let resolved = state == "resolved";
        t_concern
            .push(vec![
                u(id(T + 13, k)),
                u(id(T + 7, a)),
                u(year_id),
                u(id(2, college_of(mentor(a)))),
                u(id(5, mentor(a))),
                s("individual"),
                s(["study", "life", "mental_health", "financial"][k % 4]),
                s(if k % 5 == 0 { "urgent" } else { "normal" }),
                s(state),
                s("新生适应困难"),
                u(id(5, m)),
                ot(escalated.then_some(raised + Duration::hours(1))),
                ot(acknowledged.then_some(raised + Duration::hours(20))),
                ot(resolved.then_some(raised + Duration::days(4))),
                os(resolved.then_some("已与导师沟通")),
                t(raised),
                t(raised),
            ])
            .await?;
    }
    rows += t_concern.done().await?;

    let mut t_inquiry = Table::new(txn, "inquiries", INQUIRY_COLUMNS);
    for k in 0..size.inquiries {
        let a = (k * 3) % size.appointments;
        let sent = at(day(&mut rng));
        let answered = k % 3 != 0;
        t_inquiry
            .push(vec![
                u(id(T + 14, k)),
                u(id(T + 7, a)),
                u(id(2, college_of(mentor(a)))),
                s(["admission", "study", "research_collaboration"][k % 3]),
                s(if answered { "answered" } else { "open" }),
                s("考生"),
                s(&format!("applicant-prev{k}@example.com")),
                s("报考咨询"),
                s("请问实验室的研究方向"),
                os(answered.then_some("欢迎报考")),
                ot(answered.then_some(sent + Duration::days(1))),
                t(sent),
                t(sent),
            ])
            .await?;
    }
    rows += t_inquiry.done().await?;

    Ok((year_id, rows))
}

/// A roster for the HTTP scenarios (`web`): 10 colleges of 10 units and 50 staff each, and
/// `students` students spread over them, written like [`generate`]'s (deterministic ids and
/// 学号). Returns a college the scenarios create students in.
pub async fn roster(txn: &DatabaseTransaction, students: usize) -> Result<Uuid, String> {
    const COLLEGES: usize = 10;
    const UNITS: usize = 10;
    let now = Utc::now();
    let mut t_college = Table::new(txn, "colleges", &["id", "code", "name", "created_at", "updated_at"]);
    let mut t_unit =
        Table::child(txn, "units", &["id", "code", "name", "kind", "college_id", "created_at", "updated_at"]);
    let mut t_staff = Table::child(
        txn,
        "staff",
        &["id", "staff_no", "name", "college_id", "is_supervisor", "is_counselor", "created_at", "updated_at"],
    );
    for c in 0..COLLEGES {
        t_college.push(vec![u(id(2, c)), s(&format!("C{c:02}")), s(&format!("第{c}学院")), t(now), t(now)]).await?;
        for k in 0..UNITS {
            let n = c * UNITS + k;
            t_unit
                .push(vec![
                    u(id(3, n)),
                    s(&format!("C{c:02}-U{k:02}")),
                    s(&format!("第{c}学院实验室{k}")),
                    s("laboratory"),
                    u(id(2, c)),
                    t(now),
                    t(now),
                ])
                .await?;
        }
        for k in 0..50 {
            let n = c * 50 + k;
            t_staff
                .push(vec![
                    u(id(4, n)),
                    s(&format!("T{n:05}")),
                    s(&format!("教师{n}")),
                    u(id(2, c)),
                    Value::from(k >= 2),
                    Value::from(k < 2),
                    t(now),
                    t(now),
                ])
                .await?;
        }
    }
    t_college.done().await?;
    t_unit.done().await?;
    t_staff.done().await?;
    let mut t_student = Table::new(
        txn,
        "students",
        &[
            "id",
            "student_no",
            "name",
            "gender",
            "college_id",
            "unit_id",
            "degree",
            "enrollment_year",
            "political_status",
            "supervisor_id",
            "counselor_id",
            "phone",
            "email",
            "status",
            "created_at",
            "updated_at",
        ],
    );
    for i in 0..students {
        let unit = i % (COLLEGES * UNITS);
        let c = unit / UNITS;
        let year = 2021 + i32::try_from(i % 5).unwrap_or(0);
        t_student
            .push(vec![
                u(id(5, i)),
                s(&format!("{year}{i:08}")),
                s(&format!("学生{i}")),
                s(if i % 2 == 0 { "male" } else { "female" }),
                u(id(2, c)),
                u(id(3, unit)),
                s(if i % 5 == 0 { "doctoral" } else { "master" }),
                Value::from(year),
                s(["party_member", "league_member", "masses"][i % 3]),
                u(id(4, c * 50 + 2 + i % 48)),
                u(id(4, c * 50 + i % 2)),
                s(&format!("139{i:08}")),
                s(&format!("s{i}@stu.example.edu.cn")),
                s("enrolled"),
                t(now),
                t(now),
            ])
            .await?;
    }
    t_student.done().await?;
    txn.execute_unprepared("ANALYZE").await.map_err(|e| format!("analyze: {e}"))?;
    Ok(id(2, 0))
}
