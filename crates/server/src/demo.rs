//! `xuezhang demo`: fills an EMPTY database with a realistic current academic year, for a
//! frontend team or an IT office to explore, then prints one login per role.
//!
//! Everything is made through the real API: the demo starts the server on a free loopback port
//! and sends HTTP requests to it with real tokens, as the university admin, each college's admin,
//! the mentors and the freshmen — so every rule, permission check, audit entry and change-feed
//! event is the one a real year would have, and the demo stays valid as the API evolves. Only two
//! things are done beside the API: the first university admin is created the way
//! `xuezhang create-admin` does, and the service client's generated secret is replaced by the
//! documented demo secret (the API never lets anyone choose a secret).
//!
//! The year is the one running today in Asia/Shanghai (Sept 1 → Aug 31); dates are relative to
//! today, so calendars, deadlines and to-do lists are live. Names, genders, degrees, ratings and
//! which records exist come from a seeded generator (SplitMix64, written here so that a seed gives
//! the same data with every version of every dependency); the 学号 and 工号 follow the structure
//! (college, unit, place), so the same seed always gives the same students with the same numbers.
//! Nothing printed depends on generated ids.
//!
//! The club's essays (《经验谈》) and the colleges' best-practice cases (优秀案例) come last, in
//! [`Demo::community`], when members, activities and colleges exist.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use persistence::{Db, DbConfig};
use reqwest::Method;
use serde_json::{Value, json};
use xuezhang_http::{Application, Settings};

use crate::Failure;

/// The password of every demo account. FOR DEMONSTRATIONS ONLY: anyone who read the README can
/// log in with it, so a demo database must never hold real data or face the internet.
pub const PASSWORD: &str = "Xuezhang-Demo-2026";

/// The service client's demo secret (same warning).
pub const CLIENT_SECRET: &str = "xgxt-demo-secret-2026";

/// The service client's id.
pub const CLIENT_ID: &str = "xgxt-demo";

/// The seed when none is given.
pub const DEFAULT_SEED: u64 = 2026;

type R<T> = Result<T, String>;

// ---------------------------------------------------------------------------------------------
// A seeded generator and Chinese names.

/// SplitMix64: tiny, fast, good enough for demo data, and fixed forever (unlike a library RNG
/// whose stream may change between versions).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x7875_657a_6861_6e67)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "余", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "姚", "卢", "钟", "姜", "崔", "谭", "廖", "范",
    "汪", "陆", "金", "石", "贾", "夏", "邱", "方", "侯", "邹", "熊", "孟", "秦", "白", "江", "薛", "尹", "段", "雷",
    "黎", "龙", "陶", "贺", "顾", "毛", "郝", "龚", "邵", "万", "严", "欧阳", "司马", "上官",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "浩", "宇", "鹏", "俊", "峰", "博", "翔", "航", "凯", "晨",
    "睿", "轩", "辰", "泽", "瀚", "远", "志", "文", "思", "子", "昊", "天", "嘉", "一", "铭", "启", "川", "岳", "正",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "婷", "雪", "琳", "倩", "颖", "洁", "佳", "欣", "怡", "悦", "瑶", "雨", "晓", "梦",
    "雯", "璐", "萱", "诗", "涵", "婧", "蕾", "清", "可", "心", "思", "子", "嘉", "一", "晴", "妍", "青", "若", "彤",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

impl Gender {
    fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// Names handed out so far, so that nobody in the demo shares a name.
struct Names {
    rng: Rng,
    used: std::collections::HashSet<String>,
}

impl Names {
    fn person(&mut self) -> (String, Gender) {
        loop {
            let gender = if self.rng.chance(50) { Gender::Male } else { Gender::Female };
            let chars = if gender == Gender::Male { GIVEN_MALE } else { GIVEN_FEMALE };
            let surname = *self.rng.pick(SURNAMES);
            let mut name = surname.to_owned();
            let first = *self.rng.pick::<&str>(chars);
            name.push_str(first);
            if self.rng.chance(70) {
                let second = *self.rng.pick::<&str>(chars);
                name.push_str(second);
            }
            if self.used.insert(name.clone()) {
                return (name, gender);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The plan: colleges and units with real-sounding names.

struct CollegePlan {
    code: &'static str,
    name: &'static str,
    /// (code, name, kind)
    units: &'static [(&'static str, &'static str, &'static str)],
    /// Research directions mentors of this college write in their profiles.
    directions: &'static [&'static str],
}

const COLLEGES: &[CollegePlan] = &[
    CollegePlan {
        code: "CS",
        name: "计算机学院",
        units: &[
            ("CS-CV", "计算机视觉实验室", "laboratory"),
            ("CS-DI", "数据智能研究组", "research_group"),
            ("CS-SE", "软件工程学科", "discipline"),
        ],
        directions: &["计算机视觉", "知识图谱与数据挖掘", "软件测试与程序分析", "分布式系统"],
    },
    CollegePlan {
        code: "EE",
        name: "电子信息学院",
        units: &[("EE-MW", "微波与通信实验室", "laboratory"), ("EE-IC", "集成电路设计研究组", "research_group")],
        directions: &["毫米波天线", "低功耗芯片设计", "无线通信信号处理"],
    },
    CollegePlan {
        code: "CHEM",
        name: "化学学院",
        units: &[("CHEM-OS", "有机合成课题组", "research_group"), ("CHEM-FM", "功能材料实验室", "laboratory")],
        directions: &["不对称催化", "多孔框架材料", "绿色合成化学"],
    },
    CollegePlan {
        code: "MED",
        name: "华西临床医学院",
        units: &[("MED-CARD", "心内科", "clinical_department"), ("MED-NEURO", "神经内科", "clinical_department")],
        directions: &["心血管介入", "脑卒中康复", "临床流行病学"],
    },
    CollegePlan {
        code: "HIS",
        name: "历史文化学院",
        units: &[("HIS-AH", "中国古代史学科", "discipline"), ("HIS-ARCH", "考古学导师团队", "supervisor_team")],
        directions: &["宋史与巴蜀文化", "三星堆考古", "历史地理"],
    },
];

/// Seniors per unit (nominated), freshmen per unit.
const SENIORS_PER_UNIT: usize = 2;
const FRESHMEN_PER_UNIT: usize = 4;
/// Supervisors per college (导师); each college also has one counselor (辅导员).
const SUPERVISORS: usize = 2;

// ---------------------------------------------------------------------------------------------
// Talking to the server.

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> R<Value> {
        let mut r =
            self.http.request(method.clone(), format!("{}/api/v1{path}", self.base)).header("Accept-Language", "en");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(b);
        }
        let res = r.send().await.map_err(|e| format!("{method} /api/v1{path}: {e}"))?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{method} /api/v1{path} answered {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, path: &str) -> R<Value> {
        self.send(Method::GET, path, Some(token), None).await
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> R<Value> {
        self.send(Method::POST, path, Some(token), Some(&body)).await
    }

    async fn put(&self, token: &str, path: &str, body: Value) -> R<Value> {
        self.send(Method::PUT, path, Some(token), Some(&body)).await
    }

    async fn patch(&self, token: &str, path: &str, body: Value) -> R<Value> {
        self.send(Method::PATCH, path, Some(token), Some(&body)).await
    }

    /// `POST`s a file as the raw body (an attachment), its name in `file_name`.
    async fn upload(&self, token: &str, path: &str, file_name: &str, bytes: Vec<u8>) -> R<Value> {
        let res = self
            .http
            .post(format!("{}/api/v1{path}", self.base))
            .query(&[("file_name", file_name)])
            .header("Accept-Language", "en")
            .header("Content-Type", "application/octet-stream")
            .bearer_auth(token)
            .body(bytes)
            .send()
            .await
            .map_err(|e| format!("POST /api/v1{path}: {e}"))?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("POST /api/v1{path} answered {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `POST` that answers with a resource: its id.
    async fn create(&self, token: &str, path: &str, body: Value) -> R<String> {
        id(&self.post(token, path, body).await?)
    }

    async fn login(&self, username: &str) -> R<String> {
        let res = self
            .http
            .post(format!("{}/api/v1/auth/token", self.base))
            .form(&[("grant_type", "password"), ("username", username), ("password", PASSWORD)])
            .send()
            .await
            .map_err(|e| format!("logging in as {username}: {e}"))?;
        let status = res.status();
        let v: Value = res.json().await.map_err(|e| format!("logging in as {username}: {e}"))?;
        v["access_token"].as_str().map(str::to_owned).ok_or_else(|| format!("logging in as {username}: {status} {v}"))
    }
}

fn id(v: &Value) -> R<String> {
    v["id"].as_str().map(str::to_owned).ok_or_else(|| format!("no id in {v}"))
}

// ---------------------------------------------------------------------------------------------
// The world as it is built.

#[derive(Clone)]
struct Student {
    id: String,
    no: String,
    name: String,
    unit: usize,
}

struct Mentor {
    appointment: String,
    /// Index into the college's seniors.
    senior: usize,
    token: String,
    mentees: Vec<usize>,
}

struct College {
    plan: &'static CollegePlan,
    id: String,
    units: Vec<String>,
    admin: String,
    counselor: String,
    counselor_staff: String,
    supervisors: Vec<String>,
    seniors: Vec<Student>,
    freshmen: Vec<Student>,
    freshman_tokens: Vec<Option<String>>,
    mentors: Vec<Mentor>,
}

/// What the demo made, to be printed.
#[derive(Default)]
struct Tally {
    students: usize,
    staff: usize,
    accounts: usize,
    nominations: usize,
    appointments: usize,
    pairings: usize,
    activities: usize,
    work_records: usize,
    help_requests: usize,
    concerns: usize,
    job_postings: usize,
    inquiries: usize,
    essays: usize,
    cases: usize,
}

struct Demo {
    api: Api,
    names: Names,
    rng: Rng,
    admin: String,
    today: NaiveDate,
    now: DateTime<Utc>,
    year: i32,
    year_id: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    colleges: Vec<College>,
    tally: Tally,
}

/// An instant at `h:m` on `day` in Asia/Shanghai.
fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let t = day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
    domain::time::shanghai().from_local_datetime(&t).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    domain::time::in_shanghai(t).to_rfc3339()
}

impl Demo {
    /// A day `days` after Sept 1, never after today (early in the year the past is short) and
    /// never before the year.
    fn past_day(&self, days: i64) -> NaiveDate {
        (self.starts_on + Duration::days(days)).min(self.today).max(self.starts_on)
    }

    /// A day `days` after today, within the year.
    fn future_day(&self, days: i64) -> NaiveDate {
        (self.today + Duration::days(days)).min(self.ends_on)
    }

    /// A two-hour slot on `day` that is over by now: 14:00 on a day before today; today, the two
    /// hours ending one hour ago (`lane` keeps slots of today apart).
    fn past_slot(&self, day: NaiveDate, lane: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        if day < self.today {
            let start = at(day, 14, 0) + Duration::minutes(lane * 150);
            (start, start + Duration::hours(2))
        } else {
            let end = self.now - Duration::hours(1) - Duration::minutes(lane * 150);
            let end = end.max(at(self.starts_on, 2, 0) + Duration::minutes(30 * lane));
            (end - Duration::hours(2), end)
        }
    }

    fn college(&self, code: &str) -> usize {
        self.colleges.iter().position(|c| c.plan.code == code).unwrap_or(0)
    }

    // -----------------------------------------------------------------------------------------

    async fn reference(&mut self) -> R<()> {
        let a = self.admin.clone();
        let code = format!("{}-{}", self.year, self.year + 1);
        let y = self.api.post(&a, "/academic-years", json!({"code": code})).await?;
        self.year_id = id(&y)?;
        for (ci, plan) in COLLEGES.iter().enumerate() {
            let cid = self.api.create(&a, "/colleges", json!({"code": plan.code, "name": plan.name})).await?;
            let mut units = Vec::new();
            for (code, name, kind) in plan.units {
                let body = json!({"code": code, "name": name, "kind": kind, "college_id": cid});
                units.push(self.api.create(&a, "/units", body).await?);
            }
            // The college's admin (学院管理员), made by the university.
            let admin_user = format!("{}.admin", plan.code.to_ascii_lowercase());
            let (admin_name, _) = self.names.person();
            self.api
                .post(
                    &a,
                    "/users",
                    json!({"username": admin_user, "display_name": format!("{admin_name}（{}研究生工作）", plan.name),
                           "password": PASSWORD, "role": "college_admin", "college_id": cid}),
                )
                .await?;
            let admin = self.api.login(&admin_user).await?;
            self.tally.accounts += 1;
            // Staff: a counselor and supervisors, made by the college's admin.
            let n = ci + 1;
            let (fdy_name, _) = self.names.person();
            let counselor_staff = self
                .api
                .create(
                    &admin,
                    "/staff",
                    json!({"staff_no": format!("T{n:02}00"), "name": fdy_name, "college_id": cid,
                           "is_counselor": true, "is_supervisor": false,
                           "email": format!("fdy{n:02}@demo.example.edu.cn")}),
                )
                .await?;
            let mut supervisors = Vec::new();
            for s in 0..SUPERVISORS {
                let (name, _) = self.names.person();
                supervisors.push(
                    self.api
                        .create(
                            &admin,
                            "/staff",
                            json!({"staff_no": format!("T{n:02}{:02}", s + 1), "name": name, "college_id": cid,
                                   "is_supervisor": true, "is_counselor": false}),
                        )
                        .await?,
                );
            }
            self.tally.staff += 1 + SUPERVISORS;
            // One more supervisor arrives the way rosters usually do, as an import (the JSON form
            // of the Excel template's columns), so the college's import record has an entry.
            self.api
                .post(
                    &admin,
                    "/imports/staff",
                    json!([{"staff_no": format!("T{n:02}09"), "name": format!("{}兼职导师", plan.name),
                            "college": plan.code, "is_supervisor": "是"}]),
                )
                .await?;
            self.tally.staff += 1;
            let counselor_user = format!("{}.counselor", plan.code.to_ascii_lowercase());
            self.api
                .post(
                    &admin,
                    "/users",
                    json!({"username": counselor_user, "display_name": fdy_name, "password": PASSWORD,
                           "role": "counselor", "college_id": cid, "staff_id": counselor_staff}),
                )
                .await?;
            let counselor = self.api.login(&counselor_user).await?;
            let supervisor_user = format!("{}.supervisor", plan.code.to_ascii_lowercase());
            self.api
                .post(
                    &admin,
                    "/users",
                    json!({"username": supervisor_user, "display_name": format!("{}导师", plan.name), "password": PASSWORD,
                           "role": "supervisor", "college_id": cid, "staff_id": supervisors[0]}),
                )
                .await?;
            self.api.login(&supervisor_user).await?;
            self.tally.accounts += 2;
            self.colleges.push(College {
                plan,
                id: cid,
                units,
                admin,
                counselor,
                counselor_staff,
                supervisors,
                seniors: Vec::new(),
                freshmen: Vec::new(),
                freshman_tokens: Vec::new(),
                mentors: Vec::new(),
            });
            self.students(ci).await?;
        }
        Ok(())
    }

    /// The college's students: per unit, seniors who are Party members (most with a
    /// university-level honour) and this year's freshmen, each with a supervisor and the counselor.
    async fn students(&mut self, ci: usize) -> R<()> {
        let (cid, admin, counselor) = {
            let c = &self.colleges[ci];
            (c.id.clone(), c.admin.clone(), c.counselor_staff.clone())
        };
        let supervisors = self.colleges[ci].supervisors.clone();
        let units = self.colleges[ci].units.clone();
        for (ui, unit) in units.iter().enumerate() {
            for k in 0..SENIORS_PER_UNIT + FRESHMEN_PER_UNIT {
                let senior = k < SENIORS_PER_UNIT;
                let (enrolled, degree, political) = if senior {
                    if k == 0 {
                        (self.year - 2, "doctoral", "party_member")
                    } else {
                        (self.year - 1, "master", "party_member")
                    }
                } else {
                    let political = *self.rng.pick(&["league_member", "league_member", "masses", "party_member"]);
                    (self.year, if self.rng.chance(25) { "doctoral" } else { "master" }, political)
                };
                // 学号: year of enrolment, college, unit, place (seniors and freshmen count apart).
                let place = if senior { k + 1 } else { k - SENIORS_PER_UNIT + 1 };
                let no = format!("{enrolled}{:02}{:02}{place:03}", ci + 1, ui + 1);
                let (name, gender) = self.names.person();
                let supervisor = (ui + k) % supervisors.len();
                let body = json!({
                    "student_no": no, "name": name, "gender": gender.as_str(), "college_id": cid, "unit_id": unit,
                    "degree": degree, "enrollment_year": enrolled, "political_status": political,
                    "supervisor_id": supervisors[supervisor], "counselor_id": counselor,
                    "email": format!("{no}@stu.demo.example.edu.cn"),
                });
                let sid = self.api.create(&admin, "/students", body).await?;
                self.tally.students += 1;
                let s = Student { id: sid, no, name, unit: ui };
                if senior {
                    // 优秀研究生 etc.: most seniors hold one; without, a nomination needs a justification.
                    if k == 0 || self.rng.chance(60) {
                        let title =
                            *self.rng.pick(&["四川大学优秀研究生", "四川大学优秀学生党员", "四川大学优秀研究生干部"]);
                        let awarded = NaiveDate::from_ymd_opt(self.year - 1, 12, 10).unwrap_or(self.starts_on);
                        self.api
                            .post(
                                &admin,
                                &format!("/students/{}/honors", s.id),
                                json!({"title": title, "level": "university", "awarded_on": awarded}),
                            )
                            .await?;
                    }
                    self.colleges[ci].seniors.push(s);
                } else {
                    self.colleges[ci].freshmen.push(s);
                }
            }
        }
        Ok(())
    }

    /// Student accounts: usernames are the 学号, except the two printed logins `mentor` and
    /// `freshman` (the first senior and the first freshman of 计算机学院).
    async fn student_account(&mut self, ci: usize, s: &Student, username: &str) -> R<String> {
        let admin = self.colleges[ci].admin.clone();
        self.api
            .post(
                &admin,
                "/users",
                json!({"username": username, "display_name": s.name, "password": PASSWORD, "role": "student",
                       "college_id": self.colleges[ci].id, "student_id": s.id}),
            )
            .await?;
        self.tally.accounts += 1;
        self.api.login(username).await
    }

    /// 院推 and 校聘: every senior is nominated by their college's admin; most are appointed by
    /// the university; a few nominations stop in each of the other states.
    async fn selection(&mut self) -> R<()> {
        let admin = self.admin.clone();
        for ci in 0..self.colleges.len() {
            let c_admin = self.colleges[ci].admin.clone();
            let seniors = self.colleges[ci].seniors.clone();
            let units = self.colleges[ci].units.clone();
            for (si, s) in seniors.iter().enumerate() {
                let statement = *self.rng.pick(&[
                    "乐于帮扶学弟学妹，曾组织实验室新生入门培训。",
                    "担任党支部组织委员，熟悉新生常见困难，愿意分享科研经验。",
                    "科研基础扎实，参与多项课题，愿意带领新生尽快进入科研状态。",
                    "长期参与志愿服务，沟通能力强，关心同学思想与生活。",
                ]);
                let body = json!({
                    "student_id": s.id, "academic_year_id": self.year_id, "unit_id": units[s.unit], "statement": statement,
                    "evidence": [{"kind": "cadre_role", "title": "研究生党支部委员"}],
                });
                let n = self.api.create(&c_admin, "/nominations", body).await?;
                self.tally.nominations += 1;
                let path = |a: &str| format!("/nominations/{n}/{a}");
                // The last senior of a college stops early, in a state that differs per college.
                let last = si + 1 == seniors.len();
                if last && ci == 0 {
                    continue; // draft
                }
                self.api.post(&c_admin, &path("submit"), json!({})).await?;
                if last && ci == 1 {
                    continue; // submitted
                }
                if last && ci == 4 {
                    self.api
                        .post(&c_admin, &path("withdraw"), json!({"reason": "本人申请退出，专心准备博士资格考试"}))
                        .await?;
                    continue;
                }
                let score = |r: &mut Rng| 80 + r.below(20) as i64;
                let review = json!({"morality": score(&mut self.rng), "research": score(&mut self.rng),
                                    "leadership": score(&mut self.rng), "comments": "学院考察合格"});
                self.api.post(&c_admin, &path("review"), review).await?;
                if last && ci == 2 {
                    continue; // college_reviewed
                }
                if last && ci == 3 {
                    self.api
                        .post(&admin, &path("reject"), json!({"reason": "本学年学院名额已满，建议下学年再推荐"}))
                        .await?;
                    continue;
                }
                self.api
                    .post(&c_admin, &path("recommend"), json!({"justification": "科研与服务表现突出，学院党委推荐"}))
                    .await?;
                if si == 1 && ci == 2 {
                    continue; // recommended, awaiting the university
                }
                let capacity = 3;
                let a =
                    self.api.create(&admin, "/appointments", json!({"nomination_id": n, "capacity": capacity})).await?;
                self.tally.appointments += 1;
                let username = if ci == 0 && si == 0 { "mentor".to_owned() } else { s.no.clone() };
                let token = self.student_account(ci, s, &username).await?;
                self.colleges[ci].mentors.push(Mentor { appointment: a, senior: si, token, mentees: Vec::new() });
            }
        }
        Ok(())
    }

    /// Training (培训) and the introduction at orientation (by Sept 30): most on time, some late,
    /// one college's mentors not introduced yet.
    async fn training(&mut self) -> R<()> {
        let admin = self.admin.clone();
        let trained = self.past_day(14);
        for ci in 0..self.colleges.len() {
            let list: Vec<String> = self.colleges[ci].mentors.iter().map(|m| m.appointment.clone()).collect();
            let c_admin = self.colleges[ci].admin.clone();
            for (k, a) in list.iter().enumerate() {
                if !(ci == 4 && k == 0) {
                    self.api
                        .post(
                            &admin,
                            &format!("/appointments/{a}/training"),
                            json!({"completed_on": trained, "note": "研究生党员学长岗前培训（江安校区）"}),
                        )
                        .await?;
                }
                if ci == 3 {
                    continue; // 华西临床医学院 has not introduced its mentors: the milestone is missed
                }
                let day = if ci == 4 { self.past_day(37) } else { self.past_day(20 + k as i64) };
                let channel = *self.rng.pick(&["meeting", "wechat", "qq"]);
                self.api
                    .post(
                        &c_admin,
                        &format!("/appointments/{a}/introduction"),
                        json!({"introduced_on": day, "channel": channel, "note": "新生入学教育大会上介绍学长"}),
                    )
                    .await?;
            }
        }
        // A commendation recorded on one appointment.
        if let Some(m) = self.colleges[0].mentors.first() {
            self.api
                .post(
                    &admin,
                    &format!("/appointments/{}/commendations", m.appointment),
                    json!({"title": "迎新工作先进个人", "reason": "组织新生入学适应讲座三场", "awarded_on": self.past_day(40)}),
                )
                .await?;
        }
        Ok(())
    }

    /// 结对子: 计算机学院 and 电子信息学院 pair by hand; the others auto-match.
    async fn pairing(&mut self) -> R<()> {
        for ci in 0..self.colleges.len() {
            let c_admin = self.colleges[ci].admin.clone();
            // The freshmen's accounts (the first of 计算机学院 is `freshman`).
            let freshmen = self.colleges[ci].freshmen.clone();
            for (fi, f) in freshmen.iter().enumerate() {
                let username = if ci == 0 && fi == 0 { "freshman".to_owned() } else { f.no.clone() };
                let t = self.student_account(ci, f, &username).await?;
                self.colleges[ci].freshman_tokens.push(Some(t));
            }
            if ci < 2 {
                // By hand: each mentor takes freshmen of their own unit, up to two each; the last
                // freshman of each unit is left for auto-matching later.
                let seniors = self.colleges[ci].seniors.clone();
                for mi in 0..self.colleges[ci].mentors.len() {
                    let unit = seniors[self.colleges[ci].mentors[mi].senior].unit;
                    let taken: Vec<usize> = self.colleges[ci].mentors.iter().flat_map(|m| m.mentees.clone()).collect();
                    let pick: Vec<usize> = freshmen
                        .iter()
                        .enumerate()
                        .filter(|(fi, f)| f.unit == unit && !taken.contains(fi) && (fi + 1) % FRESHMEN_PER_UNIT != 0)
                        .map(|(fi, _)| fi)
                        .take(2)
                        .collect();
                    for fi in pick {
                        let body = json!({"appointment_id": self.colleges[ci].mentors[mi].appointment,
                                          "mentee_id": freshmen[fi].id});
                        self.api.post(&c_admin, "/pairings", body).await?;
                        self.colleges[ci].mentors[mi].mentees.push(fi);
                        self.tally.pairings += 1;
                    }
                }
                continue;
            }
            let body = json!({"academic_year_id": self.year_id, "college_id": self.colleges[ci].id, "dry_run": false});
            let res = self.api.post(&c_admin, "/pairings/auto-match", body).await?;
            self.record_matches(ci, &res);
        }
        Ok(())
    }

    /// Notes the pairs an auto-match answer made.
    fn record_matches(&mut self, ci: usize, res: &Value) {
        let pairs = res["pairs"].as_array().cloned().unwrap_or_default();
        for p in pairs {
            let a = p["appointment_id"].as_str().unwrap_or_default();
            let s = p["mentee"]["id"].as_str().unwrap_or_default();
            let Some(fi) = self.colleges[ci].freshmen.iter().position(|f| f.id == s) else { continue };
            if let Some(m) = self.colleges[ci].mentors.iter_mut().find(|m| m.appointment == a) {
                m.mentees.push(fi);
                self.tally.pairings += 1;
            }
        }
    }

    /// Activities: held (orientation, salons), held with registrations, attendance and feedback
    /// (a research salon happening today), published with registrations and a waitlist, planned,
    /// cancelled, and a university-wide club meeting.
    async fn activities(&mut self) -> R<()> {
        let admin = self.admin.clone();
        let year = self.year_id.clone();
        for ci in 0..self.colleges.len() {
            let c = &self.colleges[ci];
            let (c_admin, cid, code) = (c.admin.clone(), c.id.clone(), c.plan.code);
            let hosts: Vec<String> = c.mentors.iter().map(|m| m.appointment.clone()).collect();
            let all_hosts = json!(hosts);
            let campus = *self.rng.pick(&["江安校区", "望江校区", "华西校区"]);
            // An orientation introduction in September, held.
            let (s, e) = self.past_slot(self.past_day(18), 0);
            let body = json!({"kind": "orientation_introduction", "title": format!("{}新生入学教育：认识你的学长", self.colleges[ci].plan.name),
                "academic_year_id": year, "college_id": cid, "host_appointment_ids": all_hosts,
                "start_at": rfc3339(s), "end_at": rfc3339(e), "venue": format!("{campus} {code}楼报告厅"), "budget_fen": 50000});
            self.held(&c_admin, body, "学长逐一自我介绍，新生加入各学长微信群", Some(42000)).await?;
            // The freshman salon (by Oct 31): on time in three colleges, late in 历史文化学院,
            // not yet held in 华西临床医学院.
            if ci != 3 {
                let day = if ci == 4 { self.past_day(66) } else { self.past_day(45 + ci as i64) };
                let (s, e) = self.past_slot(day, 1);
                let body = json!({"kind": "freshman_salon", "title": "研究生党员学长与新生交流沙龙",
                    "academic_year_id": year, "college_id": cid, "host_appointment_ids": [hosts[0]],
                    "topics": ["如何适应研究生学习生活"], "start_at": rfc3339(s), "end_at": rfc3339(e),
                    "venue": format!("{campus} 一教A{}0{}", ci + 1, ci + 1), "capacity": 60, "budget_fen": 30000});
                self.held(&c_admin, body, "新生就选课、导师沟通与心理调适提问，学长一一解答", Some(26000)).await?;
            }
            // A salon planned for later this month, published, some freshmen registered.
            let day = self.future_day(7 + ci as i64);
            let kind = if ci == 0 { "competition_guidance" } else { "research_salon" };
            let title = if ci == 0 {
                "“挑战杯”竞赛经验分享会"
            } else {
                "我与学长聊科研：文献阅读与组会汇报"
            };
            let body = json!({"kind": kind, "title": title, "academic_year_id": year, "college_id": cid,
                "host_appointment_ids": [hosts[hosts.len() - 1]], "start_at": rfc3339(at(day, 19, 0)),
                "end_at": rfc3339(at(day, 21, 0)), "venue": format!("{campus} 图书馆研讨室{}", ci + 1),
                "capacity": 3, "budget_fen": 20000});
            let upcoming = self.api.create(&c_admin, "/activities", body).await?;
            self.api.post(&c_admin, &format!("/activities/{upcoming}/publish"), json!({})).await?;
            self.tally.activities += 1;
            let tokens: Vec<String> = self.colleges[ci].freshman_tokens.iter().flatten().cloned().collect();
            // Four register for three places: the last is waitlisted.
            for t in tokens.iter().skip(1).take(4) {
                self.api.post(t, &format!("/activities/{upcoming}/registrations"), json!({})).await?;
            }
            // A career talk planned for the spring, not yet published.
            let day = self.future_day(100);
            let body = json!({"kind": "career_guidance", "title": "学长说就业：简历与面试", "academic_year_id": year,
                "college_id": cid, "host_appointment_ids": [hosts[0]], "start_at": rfc3339(at(day, 15, 0)),
                "end_at": rfc3339(at(day, 17, 0)), "venue": format!("{campus} 就业指导中心"), "budget_fen": 15000});
            self.api.post(&c_admin, "/activities", body).await?;
            self.tally.activities += 1;
            // A cancelled social event.
            if ci == 2 || ci == 4 {
                let day = self.future_day(3);
                let body = json!({"kind": "social_event", "title": "学长与新生登山联谊", "academic_year_id": year,
                    "college_id": cid, "host_appointment_ids": [hosts[0]], "start_at": rfc3339(at(day, 9, 0)),
                    "end_at": rfc3339(at(day, 12, 0)), "venue": "青城山前山入口"});
                let a = self.api.create(&c_admin, "/activities", body).await?;
                self.api.post(&c_admin, &format!("/activities/{a}/publish"), json!({})).await?;
                self.api
                    .post(&c_admin, &format!("/activities/{a}/cancel"), json!({"reason": "天气预报有雨，改期另行通知"}))
                    .await?;
                self.tally.activities += 1;
            }
        }
        // Happening today in 计算机学院 and 电子信息学院: a research salon that started two hours
        // ago; freshmen registered, attended, and it is recorded as held; most attendees rated it.
        for ci in 0..2 {
            let c = &self.colleges[ci];
            let (c_admin, cid) = (c.admin.clone(), c.id.clone());
            let host = c.mentors[0].appointment.clone();
            let start = (self.now - Duration::hours(2)).max(at(self.starts_on, 0, 30));
            let end =
                (self.now + Duration::minutes(30)).min(at(self.ends_on, 23, 30)).max(start + Duration::minutes(30));
            let body = json!({"kind": "research_salon", "title": "我与学长聊科研：第一篇论文是怎样写成的",
                "academic_year_id": year, "college_id": cid, "host_appointment_ids": [host],
                "start_at": rfc3339(start.with_nanosecond0()), "end_at": rfc3339(end.with_nanosecond0()),
                "venue": format!("望江校区 研究生院报告厅{}", ci + 1), "capacity": 40, "budget_fen": 25000});
            let a = self.api.create(&c_admin, "/activities", body).await?;
            self.api.post(&c_admin, &format!("/activities/{a}/publish"), json!({})).await?;
            let fr: Vec<(Student, String)> = c
                .freshmen
                .iter()
                .cloned()
                .zip(c.freshman_tokens.iter().cloned())
                .filter_map(|(s, t)| t.map(|t| (s, t)))
                .collect();
            for (_, t) in &fr {
                self.api.post(t, &format!("/activities/{a}/registrations"), json!({})).await?;
            }
            // All but the last attended.
            let present: Vec<&str> = fr.iter().take(fr.len().saturating_sub(1)).map(|(s, _)| s.id.as_str()).collect();
            self.api.put(&c_admin, &format!("/activities/{a}/attendance"), json!({"student_ids": present})).await?;
            self.api
                .post(
                    &c_admin,
                    &format!("/activities/{a}/complete"),
                    json!({"summary": "学长讲述从选题到投稿的全过程，现场答疑一小时", "actual_expense_fen": 18000}),
                )
                .await?;
            self.tally.activities += 1;
            // The first freshman (the `freshman` login) has not rated it yet: it is on their to-do list.
            for (k, (_, t)) in fr.iter().take(present.len()).enumerate().skip(1) {
                let rating = 3 + self.rng.below(3) as i64;
                let comment =
                    *self.rng.pick(&["很有收获，希望多办几次", "学长讲得很实在", "时间有点短", "对开题很有帮助"]);
                let body =
                    if k % 2 == 0 { json!({"rating": rating, "comment": comment}) } else { json!({"rating": rating}) };
                self.api.post(t, &format!("/activities/{a}/feedback"), body).await?;
            }
        }
        // The club (学长俱乐部): a university-wide experience exchange, published.
        let day = self.future_day(10);
        let hosts: Vec<String> =
            self.colleges.iter().filter_map(|c| c.mentors.get(1)).map(|m| m.appointment.clone()).take(2).collect();
        let body = json!({"kind": "experience_exchange", "title": "研究生党员学长经验交流座谈会", "academic_year_id": year,
            "host_appointment_ids": hosts, "start_at": rfc3339(at(day, 14, 30)), "end_at": rfc3339(at(day, 17, 0)),
            "venue": "望江校区 研究生院第一会议室", "capacity": 80});
        let a = self.api.create(&admin, "/activities", body).await?;
        self.api.post(&admin, &format!("/activities/{a}/publish"), json!({})).await?;
        self.tally.activities += 1;
        Ok(())
    }

    /// Creates an activity in the past, publishes it and records it as held.
    async fn held(&mut self, token: &str, body: Value, summary: &str, expense: Option<i64>) -> R<String> {
        let a = self.api.create(token, "/activities", body).await?;
        self.api.post(token, &format!("/activities/{a}/publish"), json!({})).await?;
        self.api
            .post(
                token,
                &format!("/activities/{a}/complete"),
                json!({"summary": summary, "actual_expense_fen": expense}),
            )
            .await?;
        self.tally.activities += 1;
        Ok(a)
    }

    /// 工作记录本: each mentor's consultations, group sessions and daily exchanges since the
    /// autumn, about their own mentees.
    async fn work_records(&mut self) -> R<()> {
        const SUMMARIES: &[(&str, &[&str], &str)] = &[
            ("individual_consultation", &["study", "research"], "讨论选课与培养方案，确定第一学期学习计划"),
            ("individual_consultation", &["life", "ideology"], "谈心：适应新城市与宿舍生活，介绍校内心理咨询资源"),
            ("research_guidance", &["research"], "带领学弟学妹熟悉实验室安全规范与仪器预约流程"),
            ("daily_exchange", &["study"], "微信群答疑：文献检索与 EndNote 使用"),
            ("career_help", &["career"], "分享暑期实习申请经验，推荐了两家单位"),
        ];
        for ci in 0..self.colleges.len() {
            for mi in 0..self.colleges[ci].mentors.len() {
                let (token, appointment, mentees) = {
                    let m = &self.colleges[ci].mentors[mi];
                    (m.token.clone(), m.appointment.clone(), m.mentees.clone())
                };
                if mentees.is_empty() {
                    continue;
                }
                let ids: Vec<String> = mentees.iter().map(|&f| self.colleges[ci].freshmen[f].id.clone()).collect();
                // The `mentor` login leaves their last mentee uncontacted (a to-do item).
                let reachable = if ci == 0 && mi == 0 && ids.len() > 1 { &ids[..ids.len() - 1] } else { &ids[..] };
                let n = 2 + self.rng.below(3);
                for k in 0..n {
                    let (kind, duties, summary) = *self.rng.pick(SUMMARIES);
                    let jitter = self.rng.below(7) as i64;
                    let day = self.past_day(20 + (k as i64) * 17 + jitter);
                    let minutes = 20 + 10 * self.rng.below(7) as i64;
                    let channel = *self.rng.pick(&["face_to_face", "online", "chat_group", "phone"]);
                    let student = reachable[k % reachable.len()].clone();
                    let body = json!({"appointment_id": appointment, "kind": kind, "date": day, "minutes": minutes,
                        "duties": duties, "channel": channel, "student_ids": [student], "summary": summary,
                        "reflections": "新生普遍关心科研入门，下次准备一份实验室入门清单。"});
                    self.api.post(&token, "/work-records", body).await?;
                    self.tally.work_records += 1;
                }
                // A group session with a head count.
                let day = self.past_day(50);
                let body = json!({"appointment_id": appointment, "kind": "group_counselling", "date": day, "minutes": 90,
                    "duties": ["study", "ideology"], "channel": "face_to_face", "head_count": 12,
                    "summary": "新生学习经验交流会：时间管理与课程选择"});
                self.api.post(&token, "/work-records", body).await?;
                self.tally.work_records += 1;
            }
        }
        Ok(())
    }

    /// 求助, 问题反映 and 就业岗位.
    async fn help_and_concerns(&mut self) -> R<()> {
        const ASKS: &[(&str, &str)] = &[
            ("research", "开题方向拿不准，想请学长帮忙看看文献综述。"),
            ("study", "第一学期的课程太多，不知道怎么安排时间。"),
            ("life", "刚来成都不太适应，想了解校医院和心理咨询的预约方式。"),
            ("career", "想了解明年暑期实习应该怎么准备。"),
        ];
        for ci in 0..self.colleges.len() {
            for mi in 0..self.colleges[ci].mentors.len() {
                let (mtoken, mentees) = {
                    let m = &self.colleges[ci].mentors[mi];
                    (m.token.clone(), m.mentees.clone())
                };
                for (k, &fi) in mentees.iter().enumerate() {
                    let Some(ftoken) = self.colleges[ci].freshman_tokens[fi].clone() else { continue };
                    // About half the mentees ask; the `mentor` login's first request stays open.
                    let asks = (ci == 0 && mi == 0) || self.rng.chance(50);
                    if !asks {
                        continue;
                    }
                    let (topic, message) = *self.rng.pick(ASKS);
                    let h = self
                        .api
                        .create(
                            &ftoken,
                            "/help-requests",
                            json!({"topic": topic, "message": message, "channel": "face_to_face"}),
                        )
                        .await?;
                    self.tally.help_requests += 1;
                    if ci == 0 && mi == 0 && k == 0 {
                        continue;
                    }
                    match self.rng.below(3) {
                        0 => {
                            self.api
                                .post(
                                    &mtoken,
                                    &format!("/help-requests/{h}/answer"),
                                    json!({"note": "周三下午实验室面谈，带上培养方案。"}),
                                )
                                .await?;
                        }
                        1 => {
                            let body = json!({"minutes": 40, "summary": "面谈解答求助问题", "note": "已面谈，详见工作记录。",
                                              "reflections": "同类问题较多，可在沙龙统一讲。"});
                            self.api.post(&mtoken, &format!("/help-requests/{h}/record"), body).await?;
                            self.tally.work_records += 1;
                        }
                        _ => {}
                    }
                }
                // A pairing rating from the first mentee, this term.
                if let Some(&fi) = mentees.first()
                    && let Some(ftoken) = self.colleges[ci].freshman_tokens[fi].clone()
                    && self.rng.chance(60)
                {
                    let pairings = self.api.get(&ftoken, "/pairings").await?;
                    if let Some(p) = pairings["items"].as_array().and_then(|a| a.first()) {
                        let rating = 4 + self.rng.below(2) as i64;
                        self.api
                            .post(
                                &ftoken,
                                &format!("/pairings/{}/feedback", id(p)?),
                                json!({"rating": rating, "comment": "学长很耐心"}),
                            )
                            .await?;
                    }
                }
            }
            // Concerns: the first mentor of each college registers one about a mentee and
            // escalates it to that student's supervisor and counselor; in some colleges it has
            // been acknowledged and resolved, in others it waits; plus a group concern.
            let Some(m) = self.colleges[ci].mentors.first() else { continue };
            let (mtoken, mentees) = (m.token.clone(), m.mentees.clone());
            if let Some(&fi) = mentees.first() {
                let student = self.colleges[ci].freshmen[fi].clone();
                let urgency = if ci % 2 == 0 { "urgent" } else { "normal" };
                let body = json!({"scope": "individual", "category": "study", "urgency": urgency, "student_id": student.id,
                    "description": "学弟开学后多次缺课，谈心时说跟不上课程，需要导师和辅导员介入。"});
                let c = self.api.create(&mtoken, "/concerns", body).await?;
                self.api.post(&mtoken, &format!("/concerns/{c}/escalate"), json!({})).await?;
                self.tally.concerns += 1;
                if ci >= 2 {
                    let counselor = self.colleges[ci].counselor.clone();
                    self.api.post(&counselor, &format!("/concerns/{c}/acknowledge"), json!({})).await?;
                    if ci == 2 {
                        self.api
                            .post(
                                &counselor,
                                &format!("/concerns/{c}/resolve"),
                                json!({"note": "已与学生面谈，安排课程辅导，学院持续跟进。"}),
                            )
                            .await?;
                    }
                }
            }
            let body = json!({"scope": "group", "category": "mental_health", "urgency": "normal", "affected_count": 6,
                "description": "多名新生反映期中考试前焦虑失眠，建议学院组织一次心理健康讲座。"});
            self.api.post(&mtoken, "/concerns", body).await?;
            self.tally.concerns += 1;
            // 就业岗位: the mentor posts an internship and recommends it to a mentee.
            let deadline = self.today + Duration::days(30);
            let unit =
                self.colleges[ci].units[self.colleges[ci].seniors[self.colleges[ci].mentors[0].senior].unit].clone();
            let body = json!({"title": "暑期研究实习生", "employer": "成都某科技有限公司", "city": "成都", "kind": "internship",
                "link": "https://jobs.example.com/demo-intern", "deadline": deadline, "unit_ids": [unit]});
            let p = self.api.create(&mtoken, "/job-postings", body).await?;
            self.tally.job_postings += 1;
            if let Some(&fi) = mentees.first() {
                let sid = self.colleges[ci].freshmen[fi].id.clone();
                self.api
                    .post(
                        &mtoken,
                        &format!("/job-postings/{p}/recommend"),
                        json!({"student_ids": [sid], "note": "和你的方向很契合。"}),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// 公示: most mentors publish a profile (one of each college leaves it unpublished); anyone
    /// sends inquiries; some are answered.
    async fn directory(&mut self) -> R<()> {
        for ci in 0..self.colleges.len() {
            let directions = self.colleges[ci].plan.directions;
            for mi in 0..self.colleges[ci].mentors.len() {
                let (token, a) =
                    (self.colleges[ci].mentors[mi].token.clone(), self.colleges[ci].mentors[mi].appointment.clone());
                let published = !(mi + 1 == self.colleges[ci].mentors.len() && mi > 0);
                let direction = *self.rng.pick(directions);
                let year_word = if self.colleges[ci].seniors[self.colleges[ci].mentors[mi].senior]
                    .no
                    .starts_with(&(self.year - 2).to_string())
                {
                    "博士三年级"
                } else {
                    "硕士二年级"
                };
                let body = json!({"research_direction": direction, "bio": format!("{year_word}，研究方向为{direction}，乐于帮助新生适应研究生生活。"),
                    "deeds": ["研究生党支部委员", "“挑战杯”省赛二等奖"], "public_contact": format!("{}研究生工作办公室转交", self.colleges[ci].plan.name),
                    "published": published});
                self.api.put(&token, &format!("/appointments/{a}/profile"), body).await?;
                // What only the mentor's mentees see (GET /me/mentor).
                let contact = format!("{}新生微信群；周三下午在实验室", self.colleges[ci].plan.name);
                let c_admin = self.colleges[ci].admin.clone();
                self.api
                    .patch(&c_admin, &format!("/appointments/{a}"), json!({"contact_for_mentees": contact}))
                    .await?;
            }
        }
        // Inquiries to the `mentor` login: an applicant's (answered) and a research invitation (open).
        let a = self.colleges[0].mentors[0].appointment.clone();
        let token = self.colleges[0].mentors[0].token.clone();
        let asks = [
            ("admission", "报考咨询", "您好，我是外校大三学生，想报考贵实验室，请问需要提前准备哪些方面？", "张同学"),
            (
                "research_collaboration",
                "科研合作邀请",
                "我们课题组在做医学影像分割，想和您探讨合作的可能。",
                "华西临床医学院 某课题组",
            ),
        ];
        for (k, (kind, subject, message, name)) in asks.iter().enumerate() {
            self.api
                .send(
                    Method::POST,
                    &format!("/public/mentors/{a}/inquiries"),
                    None,
                    Some(&json!({"kind": kind, "subject": subject, "message": message, "name": name,
                                 "email": format!("applicant{k}@example.com")})),
                )
                .await?;
            self.tally.inquiries += 1;
        }
        let inbox = self.api.get(&token, "/inquiries").await?;
        if let Some(first) = inbox["items"].as_array().and_then(|i| i.iter().find(|x| x["kind"] == "admission")) {
            self.api
                .post(
                    &token,
                    &format!("/inquiries/{}/reply", id(first)?),
                    json!({"reply": "欢迎报考！建议先读实验室近两年的论文，夏令营报名通常在六月。"}),
                )
                .await?;
        }
        // A freshman of 电子信息学院 asks the `mentor` login from inside the university.
        if let Some(t) = self.colleges[1].freshman_tokens.first().cloned().flatten() {
            self.api
                .post(
                    &t,
                    "/inquiries",
                    json!({"kind": "study", "mentor_id": a, "subject": "跨学院选课",
                                                "message": "想选修计算机视觉课程，请问需要什么基础？"}),
                )
                .await?;
            self.tally.inquiries += 1;
        }
        Ok(())
    }

    /// The year's end, brought forward so it can be tried: the assessment window and an award
    /// round are open now; a dismissal and a resignation happened.
    async fn year_end(&mut self) -> R<()> {
        let admin = self.admin.clone();
        // A dismissal (解聘) and a resignation: their mentees return to the unpaired list.
        let dismiss = self.colleges[self.college("CHEM")].mentors.last().map(|m| m.appointment.clone());
        if let Some(a) = dismiss {
            self.api
                .post(
                    &admin,
                    &format!("/appointments/{a}/dismissal"),
                    json!({"reason": "多次无故缺席学长活动，未履行学长职责"}),
                )
                .await?;
        }
        let resign =
            self.colleges[self.college("MED")].mentors.last().map(|m| (m.appointment.clone(), m.token.clone()));
        if let Some((a, t)) = resign {
            self.api
                .post(&t, &format!("/appointments/{a}/resignation"), json!({"reason": "下学期赴外院联合培养"}))
                .await?;
        }
        // The assessment window (考核), opened for the demo: colleges grade, the university confirms.
        let closes = self.future_day(30);
        self.api
            .patch(
                &admin,
                &format!("/academic-years/{}", self.year_id),
                json!({"assessment_opens_on": self.today, "assessment_closes_on": closes}),
            )
            .await?;
        for ci in 0..self.colleges.len() {
            let c_admin = self.colleges[ci].admin.clone();
            let list: Vec<String> = self.colleges[ci].mentors.iter().map(|m| m.appointment.clone()).collect();
            for (k, a) in list.iter().enumerate().take(2) {
                let grade = if k == 0 { "excellent" } else { "competent" };
                let res = self
                    .api
                    .put(
                        &c_admin,
                        &format!("/appointments/{a}/assessment"),
                        json!({"grade": grade, "comment": "结对帮扶扎实，新生反馈好"}),
                    )
                    .await;
                // A dismissed or resigned mentor's year is not graded by the college.
                if res.is_err() {
                    continue;
                }
                if ci < 2 && k == 0 {
                    self.api.post(&admin, &format!("/appointments/{a}/assessment/confirm"), json!({})).await?;
                }
            }
        }
        // The annual award round (年度优秀研究生党员学长评选), open for nominations.
        let body = json!({"academic_year_id": self.year_id, "award": "outstanding_mentor",
            "title": format!("{}-{} 学年优秀研究生党员学长评选", self.year, self.year + 1),
            "nominations_open_on": self.today, "nominations_close_on": self.future_day(21),
            "quota_share_permille": 500, "awards": 3,
            "figure_weights": [{"figure": "work_records", "weight": 30}, {"figure": "minutes", "weight": 20}],
            "reviewers_weight": 50,
            "criteria": [{"key": "ideology", "title": "思想引领", "max": 40}, {"key": "service", "title": "服务成效", "max": 60}]});
        let round = self.api.create(&admin, "/award-rounds", body).await?;
        self.api.post(&admin, &format!("/award-rounds/{round}/open"), json!({})).await?;
        for ci in 0..self.colleges.len() {
            let c_admin = self.colleges[ci].admin.clone();
            if let Some(m) = self.colleges[ci].mentors.first() {
                let a = m.appointment.clone();
                self.api
                    .post(
                        &c_admin,
                        &format!("/award-rounds/{round}/nominations"),
                        json!({"appointment_id": a, "statement": "结对帮扶成效显著，组织沙龙多场"}),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// A late freshman (transferred in after the matching) and the unpaired list.
    async fn late_arrivals(&mut self) -> R<()> {
        let ci = 0;
        let (cid, admin, counselor, unit, sup) = {
            let c = &self.colleges[ci];
            (c.id.clone(), c.admin.clone(), c.counselor_staff.clone(), c.units[0].clone(), c.supervisors[0].clone())
        };
        let (name, gender) = self.names.person();
        let no = format!("{}{:02}{:02}{:03}", self.year, ci + 1, 1, 900);
        let body = json!({"student_no": no, "name": name, "gender": gender.as_str(), "college_id": cid, "unit_id": unit,
            "degree": "master", "enrollment_year": self.year, "political_status": "league_member",
            "supervisor_id": sup, "counselor_id": counselor});
        self.api.post(&admin, "/students", body).await?;
        self.tally.students += 1;
        // The rest of the by-hand colleges' freshmen are matched automatically (a dry run first).
        for ci in 0..2 {
            let c_admin = self.colleges[ci].admin.clone();
            let body = json!({"academic_year_id": self.year_id, "college_id": self.colleges[ci].id, "dry_run": true});
            self.api.post(&c_admin, "/pairings/auto-match", body).await?;
        }
        Ok(())
    }

    /// The service client of the student-affairs system (学工系统).
    async fn service_client(&mut self, db: &Db) -> R<()> {
        let admin = self.admin.clone();
        self.api
            .post(
                &admin,
                "/service-clients",
                json!({"client_id": CLIENT_ID, "name": "学工系统（演示）",
                       "scopes": ["reference:read", "students:read", "staff:read", "events:read", "export", "credits:read"]}),
            )
            .await?;
        persistence::demo::set_client_secret(db, CLIENT_ID, CLIENT_SECRET).await.map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The club's essays (《经验谈》) and the colleges' best-practice cases (优秀案例), now that
    /// members, activities and colleges exist. Essays: the university accepts four (the demo
    /// year's anthology has content in four themes), one waits for it, one is returned with a
    /// comment, and the `mentor` login has a draft. Cases: 计算机学院's is accepted and featured
    /// (in the college-assessment report), with a PDF; 电子信息学院's is submitted; 计算机学院
    /// drafts a second one.
    async fn community(&mut self) -> R<()> {
        self.essays().await?;
        self.cases().await
    }

    /// The essays, each by the first mentors of a college (club members: the dismissed mentor of
    /// 化学学院 is none, and writes nothing).
    async fn essays(&mut self) -> R<()> {
        #[derive(Clone, Copy)]
        enum Fate {
            Accepted,
            Submitted,
            Returned(&'static str),
            Draft,
        }
        // (college, mentor, theme, title, body, fate)
        const ESSAYS: &[(&str, usize, &str, &str, &str, Fate)] = &[
            (
                "CS",
                0,
                "research",
                "做学弟学妹科研路上的引路人",
                "## 第一次组会\n\n去年九月，我第一次带学弟参加实验室组会。他坐在角落里，一句话也没说。会后我问他听懂了多少，\
                 他说“大概三成”。我想起自己刚入学时也是这样：满屏的公式和缩写，不敢提问，怕问得太浅。\n\n\
                 ## 从一篇论文读起\n\n我没有急着给他分课题，而是和他约定：每周读一篇论文，周五下午花半小时讲给我听。\
                 讲不清楚的地方，就是下一周要补的基础。两个月后，他在组会上第一次主动提出了一个实验设计上的问题。\n\n\
                 ## 几点体会\n\n- **先建立信心，再谈进度。** 新生最怕的不是难，而是不知道从哪里开始。\n\
                 - **把隐性知识说出来。** 服务器怎么申请、数据放在哪里、组会怎么汇报，这些没人写在培养方案里。\n\
                 - **做示范，不代劳。** 代码我可以帮他看，但要他自己改。\n\n\
                 作为党员学长，我理解的“引领”，就是让后来的人少走一些我们走过的弯路。",
                Fate::Accepted,
            ),
            (
                "CS",
                1,
                "freshman_guidance",
                "开学第一个月：陪新生走过适应期",
                "开学第一周，我在新生群里发了一份“入学清单”：校园卡、选课、体检、实验室安全考试，每一项写清楚地点和截止时间。\
                 没想到这份清单被转发了三十多次。\n\n\
                 ## 把问题收集起来\n\n第一个月里，学弟学妹问得最多的是三件事：课怎么选、导师怎么沟通、宿舍和实验室的时间怎么安排。\
                 我把这些问题整理成问答，在新生沙龙上逐条解答，也请辅导员补充了心理咨询和奖助学金的政策。\n\n\
                 ## 每个人都不一样\n\n有的同学来自外省，第一次离家这么远；有的同学跨专业考研，基础课压力很大。\
                 我和每位结对新生至少面谈一次，记在工作记录本里，需要学院帮助的及时反映给辅导员。\n\n\
                 一个月后，有位学妹对我说：“原来研究生生活是可以慢慢适应的。”这句话让我觉得，这份工作值得。",
                Fate::Accepted,
            ),
            (
                "EE",
                0,
                "research_salon",
                "一场沙龙，让科研不再“高冷”",
                "“我与学长聊科研”第一期，我们没有放一张论文截图，而是讲了三个失败的实验。\n\n\
                 ## 为什么讲失败\n\n新生看到的往往是师兄师姐发表的论文，却看不到背后反复调试天线、重新流片的日子。\
                 讲失败，是想告诉大家：卡住是常态，关键是学会拆解问题、及时求助。\n\n\
                 ## 沙龙怎么办\n\n1. 每期一个主题，提前一周在群里收集问题；\n2. 学长讲二十分钟，其余时间自由提问；\n\
                 3. 会后把问答整理成文档，放进学院的共享资料。\n\n\
                 一学期下来，沙龙办了五期，参加的新生从十几人增加到四十多人，还有两位同学因此找到了感兴趣的研究方向。",
                Fate::Accepted,
            ),
            (
                "HIS",
                0,
                "ideology",
                "从考古工地到党支部：把思想引领讲进田野",
                "暑期在三星堆遗址发掘时，我带着两位新入学的学弟学妹整理探方记录。傍晚收工后，我们常常坐在工棚外聊天，\
                 聊考古，也聊为什么要做这一行。\n\n\
                 ## 文物里的家国\n\n当青铜神树的残片一点点拼合起来，学妹说她第一次真切地感受到“文化自信”不是一句口号。\
                 我把这些现场的感受带回党支部，组织了一次“田野里的党课”，请老党员讲他们几十年的考古经历。\n\n\
                 ## 润物无声\n\n思想引领不是说教。和学弟学妹一起吃苦、一起解决问题，在日常相处中把信念传递下去，\
                 这是我做学长一年来最大的体会。",
                Fate::Accepted,
            ),
            (
                "CHEM",
                0,
                "competition",
                "陪跑“挑战杯”的三百个日夜",
                "去年秋天，三位新生找到我，想用课题组的绿色合成工艺参加“挑战杯”。从选题、写计划书到路演答辩，\
                 我陪他们走了将近一年。\n\n\
                 ## 选题要“小而实”\n\n最初的方案想解决的问题太多。我们反复讨论，最后聚焦在一个催化剂回收的具体环节上，\
                 用实验数据说话。\n\n\
                 ## 分工与坚持\n\n团队里有人擅长实验，有人擅长表达。我建议他们每周开一次短会，把进度和困难摆在桌面上。\
                 省赛答辩前一晚，大家还在改演示文稿，最后拿到了二等奖。\n\n\
                 比奖项更重要的是，他们学会了怎样把一个想法做成一件事。",
                Fate::Submitted,
            ),
            (
                "MED",
                0,
                "life",
                "白大褂之外：关心学弟学妹的身心健康",
                "临床型研究生的第一年，白天跟着上级医师查房，晚上写病历、看文献，很多新生都觉得透不过气。\n\n\
                 ## 我注意到的变化\n\n有位学弟连续几周睡不好，话也少了。我约他在医院食堂吃饭，聊了很久，\
                 后来陪他去了学校的心理咨询中心。\n\n\
                 ## 我们能做的\n\n- 排班表出来后，提醒新生合理安排休息；\n- 每月组织一次科室新生聚餐；\n\
                 - 发现情绪异常，及时告诉辅导员。\n\n医学生擅长照顾病人，也要学会照顾自己。",
                Fate::Returned(
                    "文章真诚感人。请删去涉及学弟就诊经过的细节，保护其隐私；并补充一两个你如何把心理健康资源介绍给新生的具体做法后再提交。",
                ),
            ),
            (
                "CS",
                0,
                "career",
                "从实验室到求职季：我的职业规划心得",
                "（草稿）\n\n## 要写的几点\n\n- 研一就要想清楚：读博、进企业还是考公？\n- 实习和科研怎么平衡\n\
                 - 简历上的项目经历怎么写\n\n待补充：去年秋招的时间线。",
                Fate::Draft,
            ),
        ];
        const ACCEPT_COMMENTS: &[&str] = &[
            "文字朴实，案例生动，收入本年度文集。",
            "经验具体可学，收入本年度《经验谈》。",
            "写出了学长工作的温度，收入文集。",
        ];
        let admin = self.admin.clone();
        for (code, mi, theme, title, body, fate) in ESSAYS {
            let ci = self.college(code);
            let Some(token) = self.colleges[ci].mentors.get(*mi).map(|m| m.token.clone()) else { continue };
            let body = json!({"title": title, "body": body, "theme": theme, "academic_year_id": self.year_id});
            let e = self.api.create(&token, "/essays", body).await?;
            self.tally.essays += 1;
            if matches!(fate, Fate::Draft) {
                continue;
            }
            self.api.post(&token, &format!("/essays/{e}/submit"), json!({})).await?;
            match fate {
                Fate::Accepted => {
                    let comment = *self.rng.pick(ACCEPT_COMMENTS);
                    self.api.post(&admin, &format!("/essays/{e}/accept"), json!({"comment": comment})).await?;
                }
                Fate::Returned(comment) => {
                    self.api.post(&admin, &format!("/essays/{e}/return"), json!({"comment": comment})).await?;
                }
                Fate::Submitted | Fate::Draft => {}
            }
        }
        Ok(())
    }

    /// The colleges' best-practice cases, drawing on the activities each college held.
    async fn cases(&mut self) -> R<()> {
        let admin = self.admin.clone();
        // (college, title, summary, body, data notes, attachment, how far it goes)
        const CASES: &[(&str, &str, &str, &str, &str, bool, &str)] = &[
            (
                "CS",
                "“学长领航”新生适应计划",
                "以实验室为单位结对，开学一个月内实现新生结对全覆盖，学长每月至少一次面谈并记入工作记录本。",
                "## 背景\n\n学院每年招收硕士、博士新生三百余人，分布在十余个实验室，新生入学适应问题突出。\n\n\
                 ## 做法\n\n1. **以实验室为单位结对**：学长与同一实验室的新生结对，便于日常交流和科研引导。\n\
                 2. **开学一个月内全覆盖**：入学教育大会上逐一介绍学长，当周完成结对。\n\
                 3. **每月一次“我与学长聊科研”沙龙**：由学长轮流主讲，主题提前征集。\n\
                 4. **工作记录本规范化**：每次面谈、答疑都记入系统，学院每月查看。\n\n\
                 ## 成效\n\n- 新生结对率 100%，开学第一个月内全部完成首次面谈；\n\
                 - 新生对结对帮扶的满意度评分平均 4.6 分（满分 5 分）；\n\
                 - 学长反映的新生学业、心理问题均在一周内得到学院跟进。\n\n\
                 ## 体会\n\n学长工作贵在日常。制度把“要做什么”说清楚，系统把“做了什么”留下来，学院才能及时发现问题、总结经验。",
                "结对与面谈数据取自系统的结对与工作记录本报表；满意度为新生对结对的评分。",
                true,
                "featured",
            ),
            (
                "EE",
                "“我与学长聊科研”沙龙的组织与成效",
                "学长主讲、新生提问、会后整理问答，一学期五期沙龙，参加新生逐期增加。",
                "## 做法\n\n- 每期一个主题（文献阅读、仿真工具、组会汇报、论文写作），提前一周在新生群征集问题；\n\
                 - 学长主讲二十分钟，其余时间自由交流；\n- 会后整理问答，放进学院共享资料。\n\n\
                 ## 成效\n\n参加的新生从第一期的十余人增加到四十余人；两名新生通过沙龙确定了研究方向。\n\n\
                 ## 下一步\n\n与微波与通信实验室合作，增加实验室开放日。",
                "参加人数取自系统的活动签到记录。",
                false,
                "submitted",
            ),
            (
                "CS",
                "学长工作记录本的规范化管理",
                "统一记录口径，学院每月抽查，记录质量纳入学长考核。",
                "## 做法\n\n（草稿，待补充）\n\n- 统一面谈、答疑、集体辅导的记录要求\n- 学院每月抽查并反馈",
                "",
                false,
                "draft",
            ),
        ];
        for (code, title, summary, body, notes, attach, fate) in CASES {
            let ci = self.college(code);
            let (c_admin, cid) = (self.colleges[ci].admin.clone(), self.colleges[ci].id.clone());
            // The college's activities it draws on: those it held this year.
            let held = self
                .api
                .get(
                    &c_admin,
                    &format!("/activities?college_id={cid}&academic_year_id={}&state=held&page_size=100", self.year_id),
                )
                .await?;
            let activities: Vec<String> = held["items"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["id"].as_str().map(str::to_owned)).take(3).collect())
                .unwrap_or_default();
            let mut req = json!({"title": title, "summary": summary, "body": body,
                "academic_year_id": self.year_id, "activity_ids": activities});
            if !notes.is_empty() {
                req["data_notes"] = json!(notes);
            }
            let c = self.api.create(&c_admin, "/cases", req).await?;
            self.tally.cases += 1;
            if *attach {
                let pdf = summary_pdf(&[
                    "Xuezhang demo: best-practice case (attachment)",
                    &format!("College: {code}   Academic year: {}-{}", self.year, self.year + 1),
                    "Mentor-freshman pairing within one month: 100%",
                    "Monthly research salons hosted by the mentors",
                ]);
                self.api.upload(&c_admin, &format!("/cases/{c}/attachments"), "新生适应计划总结.pdf", pdf).await?;
            }
            if *fate == "draft" {
                continue;
            }
            self.api.post(&c_admin, &format!("/cases/{c}/submit"), json!({})).await?;
            if *fate == "featured" {
                let comments = "做法可复制、数据翔实，推荐在学长经验交流会上分享。";
                self.api.post(&admin, &format!("/cases/{c}/accept"), json!({"comments": comments})).await?;
                self.api.post(&admin, &format!("/cases/{c}/feature"), json!({})).await?;
            }
        }
        Ok(())
    }
}

/// A small, valid one-page PDF with `lines` of ASCII text (Helvetica; the demo has no CJK font to
/// embed), its cross-reference table computed, as a college would attach a scanned summary.
fn summary_pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 14 Tf 72 770 Td 20 TL\n");
    for l in lines {
        let escaped: String = l
            .chars()
            .filter(char::is_ascii)
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        text.push_str(&format!("({escaped}) Tj T*\n"));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> \
         /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (k, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", k + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    out.into_bytes()
}

trait WholeSeconds {
    fn with_nanosecond0(self) -> Self;
}

impl WholeSeconds for DateTime<Utc> {
    fn with_nanosecond0(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap_or(self)
    }
}

/// `xuezhang demo`: checks the database is empty, builds the demo year through the API, prints
/// the logins.
pub async fn run(mut settings: Settings, seed: u64) -> Result<(), Failure> {
    let db = Db::connect(&DbConfig { max_connections: 2, ..DbConfig::new(settings.database_url.clone()) }).await?;
    db.migrate().await?;
    let occupied = persistence::demo::occupied(&db).await?;
    if !occupied.is_empty() {
        db.close().await;
        let what: Vec<String> = occupied.iter().map(|(t, n)| format!("{n} {t}")).collect();
        return Err(format!(
            "the database is not empty ({}); `xuezhang demo` only fills an empty database. Point DATABASE_URL \
             at a new one (e.g. DATABASE_URL='sqlite://demo.db?mode=rwc'), or remove ./xuezhang.db",
            what.join(", ")
        )
        .into());
    }
    persistence::accounts::create_admin(&db, "admin", PASSWORD).await?;
    db.close().await;

    settings.bind = "127.0.0.1:0".into();
    settings.bootstrap_admin = false;
    settings.metrics_bind = None;
    settings.workers = 1;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let db = app.db().clone();
    actix_web::rt::spawn(app.run_until_stopped());

    let result = build(&base, &db, seed).await;
    handle.stop(true).await;
    let (tally, year) = result.map_err(|e| format!("the demo stopped: {e}"))?;
    print(&tally, &year, seed);
    Ok(())
}

async fn build(base: &str, db: &Db, seed: u64) -> R<(Tally, String)> {
    let http = reqwest::Client::builder().build().map_err(|e| e.to_string())?;
    let api = Api { base: base.to_owned(), http };
    let admin = api.login("admin").await?;
    let now = domain::time::now();
    let today = domain::time::shanghai_date(now);
    let year = if today.month() >= 9 { today.year() } else { today.year() - 1 };
    let starts_on = NaiveDate::from_ymd_opt(year, 9, 1).ok_or("no Sept 1")?;
    let ends_on = NaiveDate::from_ymd_opt(year + 1, 8, 31).ok_or("no Aug 31")?;
    let mut d = Demo {
        api,
        names: Names { rng: Rng::new(seed), used: Default::default() },
        rng: Rng::new(seed.rotate_left(17) ^ 0x5eed),
        admin,
        today,
        now,
        year,
        year_id: String::new(),
        starts_on,
        ends_on,
        colleges: Vec::new(),
        tally: Tally { accounts: 1, ..Default::default() },
    };
    d.reference().await?;
    d.selection().await?;
    d.training().await?;
    d.pairing().await?;
    d.activities().await?;
    d.work_records().await?;
    d.help_and_concerns().await?;
    d.directory().await?;
    d.late_arrivals().await?;
    d.year_end().await?;
    d.service_client(db).await?;
    d.community().await?;
    let code = format!("{}-{}", d.year, d.year + 1);
    Ok((d.tally, code))
}

fn print(t: &Tally, year: &str, seed: u64) {
    println!("Demo year {year} created (seed {seed}):");
    println!(
        "  {} colleges, {} students, {} staff, {} accounts, {} nominations, {} appointments, {} pairings,\n  \
         {} activities, {} work records, {} help requests, {} concerns, {} job postings, {} inquiries,\n  \
         {} essays, {} best-practice cases",
        COLLEGES.len(),
        t.students,
        t.staff,
        t.accounts,
        t.nominations,
        t.appointments,
        t.pairings,
        t.activities,
        t.work_records,
        t.help_requests,
        t.concerns,
        t.job_postings,
        t.inquiries,
        t.essays,
        t.cases
    );
    println!();
    println!("Logins (FOR DEMONSTRATIONS ONLY: every demo account has the password below; never put real data");
    println!("in a demo database or expose it to the internet):");
    println!("  password for every account: {PASSWORD}");
    println!("  university admin        admin");
    println!(
        "  college admin           cs.admin          (计算机学院; also ee.admin, chem.admin, med.admin, his.admin)"
    );
    println!("  counselor (辅导员)      cs.counselor      (also ee.counselor, …)");
    println!("  supervisor (导师)       cs.supervisor     (also ee.supervisor, …)");
    println!("  mentor (学长)           mentor            (other mentors and freshmen log in with their 学号)");
    println!("  freshman / mentee       freshman");
    println!("  service client          {CLIENT_ID} with the secret {CLIENT_SECRET} (grant_type=client_credentials)");
    println!();
    println!("Serve it with `make run` (or `xuezhang serve`); Swagger UI at http://127.0.0.1:8080/docs/");
}
