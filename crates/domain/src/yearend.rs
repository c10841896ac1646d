//! The end of the academic year (rules 四.1, 四.4): each mentor's assessment (考核), the annual
//! outstanding-mentor award rounds (年度优秀研究生党员学长评选表彰) and the scholarship credit the
//! year's grade and awards give (社会工作认定, 评奖评优倾斜加分).
//!
//! Plain rules only: who may grade and when, the award round's state machine, nomination quotas,
//! score sheets, the ranking formula with its tie-breaks, and credit points. The figures a ranking
//! weighs are computed by the database and handed in.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::codes::ConflictCode;
use crate::error::{Error, Problems, Result};
use crate::string_enum;

string_enum! {
    /// A mentor's grade for the year.
    pub enum Grade {
        /// 优秀.
        Excellent = "excellent",
        /// 合格.
        Competent = "competent",
        /// 不合格: may lead to dismissal (a link, never an automatic action).
        Unsatisfactory = "unsatisfactory",
    }
}

string_enum! {
    /// Where an assessment stands.
    pub enum AssessmentState {
        /// The college has graded; the university has not confirmed yet.
        Graded = "graded",
        /// The university confirmed (possibly changing the grade); the college can no longer change it.
        Confirmed = "confirmed",
    }
}

/// Who grades: the mentor's college proposes, the university confirms and may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grader {
    /// A college admin of the mentor's college.
    College,
    /// A university admin.
    University,
}

/// The dates of the year's assessment, kept on the academic year: colleges grade from `opens_on`
/// to `closes_on` (Asia/Shanghai days, both included); the university may confirm or change a
/// grade any day from `opens_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssessmentWindow {
    /// The first day of grading.
    pub opens_on: NaiveDate,
    /// The last day colleges grade.
    pub closes_on: NaiveDate,
}

impl AssessmentWindow {
    /// A window; `closes_on` may not be before `opens_on`.
    pub fn new(opens_on: NaiveDate, closes_on: NaiveDate) -> Result<Self> {
        if closes_on < opens_on {
            return Err(Error::invalid("assessment_closes_on", "range", "the window closes before it opens"));
        }
        Ok(Self { opens_on, closes_on })
    }
}

/// Most characters of an assessment comment.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// A mentor's assessment of one appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The appointment assessed.
    pub appointment_id: Uuid,
    /// The grade.
    pub grade: Grade,
    /// Why (required for `unsatisfactory`).
    pub comment: String,
    /// Where it stands.
    pub state: AssessmentState,
    /// The user who last set the grade.
    pub graded_by: Uuid,
    /// When the grade was last set.
    pub graded_at: DateTime<Utc>,
    /// The university admin who confirmed it.
    pub confirmed_by: Option<Uuid>,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// What grading needs to know of the appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graded {
    /// The appointment assessed.
    pub appointment_id: Uuid,
    /// Whether the mentor was dismissed during the year: such a mentor is `unsatisfactory`.
    pub dismissed: bool,
}

/// A grade someone gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grading<'a> {
    /// The college or the university.
    pub by: Grader,
    /// The user grading.
    pub who: Uuid,
    /// The grade.
    pub grade: Grade,
    /// Why (required for `unsatisfactory`).
    pub comment: &'a str,
}

/// Sets a grade: the college proposes within the window while the grade is not confirmed; the
/// university sets and confirms in one step (or confirms the college's grade unchanged by giving
/// the same grade). A dismissed mentor can only be `unsatisfactory`; an `unsatisfactory` grade
/// needs a comment.
pub fn grade(
    before: Option<&Assessment>,
    of: Graded,
    g: Grading<'_>,
    window: Option<&AssessmentWindow>,
    now: DateTime<Utc>,
) -> Result<Assessment> {
    let Grading { by, who, grade, comment } = g;
    let today = crate::time::shanghai_date(now);
    let Some(window) = window else {
        return Err(Error::conflict(ConflictCode::AssessmentClosed, "the academic year has no assessment window yet"));
    };
    if today < window.opens_on {
        return Err(Error::conflict(
            ConflictCode::AssessmentClosed,
            format!("assessment opens on {}", window.opens_on),
        ));
    }
    if by == Grader::College {
        if today > window.closes_on {
            return Err(Error::conflict(
                ConflictCode::AssessmentClosed,
                format!("colleges graded until {}; the university may still change the grade", window.closes_on),
            ));
        }
        if let Some(b) = before.filter(|b| b.state == AssessmentState::Confirmed) {
            return Err(Error::InvalidTransition { from: b.state.to_string(), action: "grade".into() });
        }
    }
    let mut p = Problems::new();
    // The limit counts what was sent, as the document's maxLength does.
    let sent = comment.chars().count();
    let comment = comment.trim();
    if sent > MAX_COMMENT_CHARS {
        p.push("comment", "too_long", format!("at most {MAX_COMMENT_CHARS} characters"));
    } else {
        p.take(crate::text::check_field("comment", comment));
    }
    if of.dismissed && grade != Grade::Unsatisfactory {
        p.push("grade", "not_eligible", "a dismissed mentor is unsatisfactory by definition");
    }
    if grade == Grade::Unsatisfactory && comment.is_empty() {
        p.push("comment", "required", "an unsatisfactory grade needs a comment");
    }
    p.finish()?;
    let confirmed = by == Grader::University;
    Ok(Assessment {
        appointment_id: of.appointment_id,
        grade,
        comment: comment.to_owned(),
        state: if confirmed { AssessmentState::Confirmed } else { AssessmentState::Graded },
        graded_by: who,
        graded_at: now,
        confirmed_by: confirmed.then_some(who),
        confirmed_at: confirmed.then_some(now),
    })
}

string_enum! {
    /// Where an award round stands: `draft → open → reviewing → finalized`.
    pub enum RoundState {
        /// Being set up; its rules can change.
        Draft = "draft",
        /// Colleges nominate within the nomination window and their quota.
        Open = "open",
        /// Nominations are closed; reviewers score.
        Reviewing = "reviewing",
        /// Ranked, awards recorded; frozen.
        Finalized = "finalized",
    }
}

string_enum! {
    /// A move of an award round.
    pub enum RoundAction {
        /// Open nominations.
        Open = "open",
        /// Close nominations and start the review.
        Review = "review",
        /// Rank and record the awards.
        Finalize = "finalize",
    }
}

impl RoundState {
    /// The state after `action`, or `InvalidTransition`. Finalizing a finalized round is not a move
    /// (the use case answers it with the recorded result: finalize is idempotent).
    pub fn apply(self, action: RoundAction) -> Result<RoundState> {
        use RoundAction as A;
        use RoundState as S;
        match (self, action) {
            (S::Draft, A::Open) => Ok(S::Open),
            (S::Open, A::Review) => Ok(S::Reviewing),
            (S::Reviewing, A::Finalize) => Ok(S::Finalized),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }

    /// Whether the round's rules (window, quota, weights, criteria, number of awards) may change.
    pub fn rules_editable(self) -> bool {
        self == RoundState::Draft
    }
}

/// How many nominations a college may make: a fixed number set for that college, else a share of
/// its mentors of the year in per mille, rounded half up, and at least one for a college with any
/// mentor (so a small college is never shut out). A college with no mentor has no quota.
pub fn quota(fixed: Option<u32>, share_permille: u32, mentors: u32) -> u32 {
    if let Some(n) = fixed {
        return n;
    }
    if mentors == 0 {
        return 0;
    }
    let share = (u64::from(mentors) * u64::from(share_permille) + 500) / 1000;
    u32::try_from(share).unwrap_or(u32::MAX).max(1)
}

/// What a nomination needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NominationFacts {
    /// The round's state.
    pub state: RoundState,
    /// The nomination window (Asia/Shanghai days, both included).
    pub window: (NaiveDate, NaiveDate),
    /// Today.
    pub today: NaiveDate,
    /// Whether the appointment is of the round's academic year.
    pub same_year: bool,
    /// Whether the mentor was dismissed.
    pub dismissed: bool,
    /// Whether the appointment was ever appointed (not a nomination that never became one).
    pub served: bool,
    /// Nominations the college already has in the round.
    pub college_nominations: u32,
    /// The college's quota.
    pub quota: u32,
}

/// Checks that a college may nominate this mentor now.
pub fn check_nomination(f: &NominationFacts) -> Result<()> {
    if f.state != RoundState::Open || f.today < f.window.0 || f.today > f.window.1 {
        return Err(Error::conflict(
            ConflictCode::NominationsClosed,
            format!("nominations are open from {} to {} while the round is open", f.window.0, f.window.1),
        ));
    }
    if !f.same_year || !f.served || f.dismissed {
        return Err(Error::conflict(
            ConflictCode::NotEligible,
            "only a mentor who served in the round's year and was not dismissed can be nominated",
        ));
    }
    if f.college_nominations >= f.quota {
        return Err(Error::conflict(
            ConflictCode::QuotaFull,
            format!("the college has used its quota of {} nominations", f.quota),
        ));
    }
    Ok(())
}

/// A criterion reviewers score, with its most points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// A short machine key (`[a-z_]{1,40}`).
    pub key: String,
    /// What reviewers judge.
    pub title: String,
    /// The most points (1–100).
    pub max: u32,
}

/// Checks a round's criteria: 1–10 of them, distinct well-formed keys, titles given, 1–100 points.
pub fn check_criteria(criteria: &[Criterion]) -> Result<()> {
    let mut p = Problems::new();
    if criteria.is_empty() || criteria.len() > 10 {
        p.push("criteria", "length", "between 1 and 10 criteria");
    }
    let mut seen = std::collections::HashSet::new();
    for (i, c) in criteria.iter().enumerate() {
        let ok_key =
            !c.key.is_empty() && c.key.len() <= 40 && c.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !ok_key {
            p.push(format!("criteria[{i}].key"), "invalid", "1–40 of a–z and _");
        } else if !seen.insert(c.key.as_str()) {
            p.push(format!("criteria[{i}].key"), "duplicate", "each criterion once");
        }
        let title = c.title.trim();
        if title.is_empty() || c.title.chars().count() > 100 {
            p.push(format!("criteria[{i}].title"), "invalid", "1–100 characters");
        } else {
            p.take(crate::text::check_field(&format!("criteria[{i}].title"), title));
        }
        if !(1..=100).contains(&c.max) {
            p.push(format!("criteria[{i}].max"), "range", "1–100 points");
        }
    }
    p.finish()
}

/// Checks one reviewer's sheet against the criteria (every criterion exactly once, within its
/// points) and returns its total.
pub fn sheet_total(criteria: &[Criterion], scores: &BTreeMap<String, u32>) -> Result<u32> {
    let mut p = Problems::new();
    for key in scores.keys() {
        if !criteria.iter().any(|c| &c.key == key) {
            p.push(format!("scores.{key}"), "invalid", "not a criterion of the round");
        }
    }
    let mut total = 0;
    for c in criteria {
        match scores.get(&c.key) {
            None => p.push(format!("scores.{}", c.key), "required", "every criterion is scored"),
            Some(&s) if s > c.max => p.push(format!("scores.{}", c.key), "range", format!("0–{} points", c.max)),
            Some(&s) => total += s,
        }
    }
    p.finish()?;
    Ok(total)
}

/// A reviewer does not score a nominee of their own college.
pub fn check_reviewer(reviewer_college: Option<Uuid>, nominee_college: Uuid) -> Result<()> {
    if reviewer_college == Some(nominee_college) {
        return Err(Error::Forbidden("a reviewer does not score a nominee of their own college".into()));
    }
    Ok(())
}

string_enum! {
    /// A computed figure an award round may weigh (see the performance figures).
    pub enum Figure {
        /// Distinct mentees named in at least one work record.
        MenteesReached = "mentees_reached",
        /// Work records of the year.
        WorkRecords = "work_records",
        /// Minutes recorded.
        Minutes = "minutes",
        /// Help requests answered.
        HelpRequestsAnswered = "help_requests_answered",
        /// Activities hosted and held.
        ActivitiesHeld = "activities_held",
        /// Attendance at the activities hosted.
        Attendance = "attendance",
        /// Mean mentee feedback (1–5), when above the privacy threshold.
        MenteeFeedback = "mentee_feedback",
    }
}

/// The weights of a round in percent: one per weighed figure and one for the reviewers' scores,
/// summing to 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    /// The weighed figures.
    pub figures: BTreeMap<Figure, u32>,
    /// The reviewers' share.
    pub reviewers: u32,
}

impl Weights {
    /// Checks the weights: each 0–100, summing to exactly 100.
    pub fn new(figures: BTreeMap<Figure, u32>, reviewers: u32) -> Result<Self> {
        let sum: u64 = figures.values().map(|&w| u64::from(w)).sum::<u64>() + u64::from(reviewers);
        if figures.values().chain(std::iter::once(&reviewers)).any(|&w| w > 100) || sum != 100 {
            return Err(Error::invalid(
                "weights",
                "range",
                format!("weights are 0–100 and sum to 100 (they sum to {sum})"),
            ));
        }
        Ok(Self { figures, reviewers })
    }
}

/// One nominee as the ranking sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The nomination.
    pub nomination_id: Uuid,
    /// When the college nominated them (the third tie-break).
    pub nominated_at: DateTime<Utc>,
    /// Their figures (a missing figure counts 0).
    pub figures: BTreeMap<Figure, f64>,
    /// The total of each reviewer's sheet.
    pub sheet_totals: Vec<u32>,
}

/// Points are counted in millionths, so equal scores compare equal exactly.
pub const MICRO: i64 = 1_000_000;

/// One nominee's place in the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The nomination.
    pub nomination_id: Uuid,
    /// 1 for the first; distinct for every nominee once ties are broken.
    pub rank: u32,
    /// The composite score in millionths of a point (0–100 points).
    pub score: i64,
    /// Each weighed figure's part, in millionths of a point.
    pub parts: BTreeMap<Figure, i64>,
    /// The reviewers' part, in millionths of a point.
    pub reviewers: i64,
    /// Which rule put this nominee after the one above when their scores were equal: `reviewers`,
    /// `nominated_at` or `nomination_id`; `None` when the score alone decided.
    pub tie_broken_by: Option<&'static str>,
    /// Whether the rank is within the number of awards.
    pub awarded: bool,
}

fn micro(points: f64) -> i64 {
    // Finite by construction (weights ≤ 100, ratios in 0..=1).
    (points * MICRO as f64).round() as i64
}

/// Ranks the nominees of a round.
///
/// The formula: each weighed figure gives `weight × value / highest value among the nominees` (0
/// when the highest is 0); the reviewers give `weight × mean sheet total / most points of a sheet`
/// (0 without sheets). Each part is rounded to a millionth of a point and the composite is their
/// sum (0–100). Ties on the composite are broken by the reviewers' part (higher first), then the
/// earlier nomination, then the smaller nomination id. The first `awards` are awarded.
pub fn rank(weights: &Weights, max_sheet: u32, candidates: &[Candidate], awards: u32) -> Vec<Ranked> {
    let highest =
        |f: Figure| candidates.iter().map(|c| c.figures.get(&f).copied().unwrap_or(0.0)).fold(0.0_f64, f64::max);
    let highs: BTreeMap<Figure, f64> = weights.figures.keys().map(|&f| (f, highest(f))).collect();
    let mut scored: Vec<(&Candidate, Ranked)> = candidates
        .iter()
        .map(|c| {
            let parts: BTreeMap<Figure, i64> = weights
                .figures
                .iter()
                .map(|(&f, &w)| {
                    let v = c.figures.get(&f).copied().unwrap_or(0.0).max(0.0);
                    let high = highs[&f];
                    (f, if high > 0.0 { micro(f64::from(w) * v / high) } else { 0 })
                })
                .collect();
            let reviewers = if c.sheet_totals.is_empty() || max_sheet == 0 {
                0
            } else {
                let mean = c.sheet_totals.iter().map(|&t| f64::from(t)).sum::<f64>() / c.sheet_totals.len() as f64;
                micro(f64::from(weights.reviewers) * mean / f64::from(max_sheet))
            };
            let score = parts.values().sum::<i64>() + reviewers;
            (
                c,
                Ranked {
                    nomination_id: c.nomination_id,
                    rank: 0,
                    score,
                    parts,
                    reviewers,
                    tie_broken_by: None,
                    awarded: false,
                },
            )
        })
        .collect();
    let order = |a: &(&Candidate, Ranked), b: &(&Candidate, Ranked)| -> (Ordering, Option<&'static str>) {
        let by_score = b.1.score.cmp(&a.1.score);
        if by_score != Ordering::Equal {
            return (by_score, None);
        }
        let by_reviewers = b.1.reviewers.cmp(&a.1.reviewers);
        if by_reviewers != Ordering::Equal {
            return (by_reviewers, Some("reviewers"));
        }
        let by_time = a.0.nominated_at.cmp(&b.0.nominated_at);
        if by_time != Ordering::Equal {
            return (by_time, Some("nominated_at"));
        }
        (a.0.nomination_id.cmp(&b.0.nomination_id), Some("nomination_id"))
    };
    scored.sort_by(|a, b| order(a, b).0);
    let mut out = Vec::with_capacity(scored.len());
    for i in 0..scored.len() {
        let tie = if i == 0 { None } else { order(&scored[i - 1], &scored[i]).1 };
        let mut r = scored[i].1.clone();
        r.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
        r.tie_broken_by = tie;
        r.awarded = r.rank <= awards;
        out.push(r);
    }
    out
}

string_enum! {
    /// Which award a round gives (one round per academic year and award).
    pub enum AwardKind {
        /// 年度优秀研究生党员学长: the annual outstanding-mentor award.
        OutstandingMentor = "outstanding_mentor",
    }
}

impl AwardKind {
    /// The award's name as printed on a commendation.
    pub const fn title_zh(self) -> &'static str {
        match self {
            AwardKind::OutstandingMentor => "年度优秀研究生党员学长",
        }
    }
}

/// The longest round title.
pub const MAX_TITLE_CHARS: usize = 100;
/// The most awards a round gives.
pub const MAX_AWARDS: u32 = 500;
/// The most nominations a fixed college quota allows.
pub const MAX_COLLEGE_QUOTA: u32 = 100;
/// The most reviewers a round names (besides the university admins).
pub const MAX_REVIEWERS: usize = 50;

/// The rules of an award round, checked: what the university sets while the round is a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRules {
    /// How the round is called, e.g. `2026–2027学年优秀研究生党员学长评选`.
    pub title: String,
    /// The nomination window, Asia/Shanghai days, both included.
    pub nominations_open_on: NaiveDate,
    /// Its last day.
    pub nominations_close_on: NaiveDate,
    /// A college's quota as a share of its mentors of the year, in per mille (see [`quota`]).
    pub quota_share_permille: u32,
    /// Fixed quotas of some colleges, overriding the share.
    pub college_quotas: BTreeMap<Uuid, u32>,
    /// How many are awarded.
    pub awards: u32,
    /// The weights of the figures and of the reviewers' scores.
    pub weights: Weights,
    /// What reviewers score.
    pub criteria: Vec<Criterion>,
    /// Users besides the university admins who review (staff the round names).
    pub reviewer_ids: Vec<Uuid>,
}

impl RoundRules {
    /// Checks the rules, naming every bad field at once.
    pub fn check(mut self) -> Result<Self> {
        let mut p = Problems::new();
        // The limit counts what was sent, as the document's maxLength does.
        let sent = self.title.chars().count();
        self.title = self.title.trim().to_owned();
        if self.title.is_empty() || sent > MAX_TITLE_CHARS {
            p.push("title", "length", format!("1–{MAX_TITLE_CHARS} characters"));
        } else {
            p.take(crate::text::check_field("title", &self.title));
        }
        if self.nominations_close_on < self.nominations_open_on {
            p.push("nominations_close_on", "range", "the window closes before it opens");
        }
        if self.quota_share_permille > 1000 {
            p.push("quota_share_permille", "range", "0–1000 per mille");
        }
        if self.college_quotas.values().any(|&q| q > MAX_COLLEGE_QUOTA) {
            p.push("college_quotas", "range", format!("0–{MAX_COLLEGE_QUOTA} nominations per college"));
        }
        if !(1..=MAX_AWARDS).contains(&self.awards) {
            p.push("awards", "range", format!("1–{MAX_AWARDS} awards"));
        }
        if self.reviewer_ids.len() > MAX_REVIEWERS {
            p.push("reviewer_ids", "length", format!("at most {MAX_REVIEWERS} reviewers"));
        }
        let mut seen = std::collections::HashSet::new();
        if !self.reviewer_ids.iter().all(|r| seen.insert(*r)) {
            p.push("reviewer_ids", "duplicate", "each reviewer once");
        }
        // The weights are checked with the rest, so that one answer names every bad field.
        if let Err(e) = Weights::new(self.weights.figures.clone(), self.weights.reviewers) {
            p.absorb(e)?;
        }
        if let Err(Error::Validation(errs)) = check_criteria(&self.criteria) {
            for e in errs {
                p.push(e.field, e.code, e.message);
            }
        }
        p.finish()?;
        Ok(self)
    }

    /// The most points one reviewer's sheet gives (the sum of the criteria's most points).
    pub fn max_sheet(&self) -> u32 {
        self.criteria.iter().map(|c| c.max).sum()
    }

    /// The quota of a college with `mentors` mentors of the year.
    pub fn quota_of(&self, college_id: Uuid, mentors: u32) -> u32 {
        quota(self.college_quotas.get(&college_id).copied(), self.quota_share_permille, mentors)
    }
}

/// The longest nomination statement.
pub const MAX_STATEMENT_CHARS: usize = 2000;

/// Checks a college's nomination statement (1–2000 characters, no control characters); returns it
/// trimmed.
pub fn check_statement(statement: &str) -> Result<String> {
    let s = statement.trim();
    if s.is_empty() || statement.chars().count() > MAX_STATEMENT_CHARS {
        return Err(Error::invalid("statement", "length", format!("1–{MAX_STATEMENT_CHARS} characters")));
    }
    crate::text::check_field("statement", s).map_err(|e| Error::Validation(vec![e]))?;
    Ok(s.to_owned())
}

/// Who may review a round: the university admins, and the users the round names.
pub fn is_reviewer(university_admin: bool, user_id: Uuid, rules: &RoundRules) -> bool {
    university_admin || rules.reviewer_ids.contains(&user_id)
}

/// The scholarship credit a year's policy gives, in tenths of a point (15 = 1.5 points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CreditPolicy {
    /// For `excellent`.
    pub excellent: u32,
    /// For `competent`.
    pub competent: u32,
    /// For each award of the year.
    pub per_award: u32,
    /// The most a mentor gets in one year, when set.
    pub cap: Option<u32>,
}

/// The most tenths of a point one grade, one award or the cap may give (10 points).
pub const MAX_CREDIT_TENTHS: u32 = 100;

impl Default for CreditPolicy {
    /// The program's defaults: 2 points for `excellent`, 1 for `competent`, 1 per award, no cap.
    fn default() -> Self {
        Self { excellent: 20, competent: 10, per_award: 10, cap: None }
    }
}

impl CreditPolicy {
    /// Checks the points: each 0–100 tenths, `competent` not above `excellent`.
    pub fn check(&self, p: &mut Problems) {
        for (field, v) in [
            ("scholarship_credit.excellent", self.excellent),
            ("scholarship_credit.competent", self.competent),
            ("scholarship_credit.per_award", self.per_award),
            ("scholarship_credit.cap", self.cap.unwrap_or(0)),
        ] {
            if v > MAX_CREDIT_TENTHS {
                p.push(field, "out_of_range", format!("0–{MAX_CREDIT_TENTHS} tenths of a point"));
            }
        }
        if self.competent > self.excellent {
            p.push("scholarship_credit.competent", "out_of_range", "`competent` gives no more than `excellent`");
        }
    }
}

/// The credit for one appointment: the grade's points plus the awards' points, capped; nothing for
/// a dismissed mentor, an `unsatisfactory` grade, or a year not graded yet.
pub fn credit(policy: &CreditPolicy, grade: Option<Grade>, dismissed: bool, awards: u32) -> u32 {
    let base = match grade {
        _ if dismissed => return 0,
        Some(Grade::Excellent) => policy.excellent,
        Some(Grade::Competent) => policy.competent,
        Some(Grade::Unsatisfactory) | None => return 0,
    };
    let total = base.saturating_add(policy.per_award.saturating_mul(awards));
    policy.cap.map_or(total, |c| total.min(c))
}

/// Tenths of a point as written for people: `15` → `1.5`, `20` → `2`.
pub fn points_text(tenths: u32) -> String {
    if tenths.is_multiple_of(10) { (tenths / 10).to_string() } else { format!("{}.{}", tenths / 10, tenths % 10) }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    /// Noon in Shanghai of the day.
    fn at(m: u32, d: u32) -> DateTime<Utc> {
        crate::time::start_of_day(day(m, d)).unwrap() + chrono::Duration::hours(12)
    }

    fn window() -> AssessmentWindow {
        AssessmentWindow::new(day(6, 1), day(6, 30)).unwrap()
    }

    fn served() -> Graded {
        Graded { appointment_id: Uuid::nil(), dismissed: false }
    }

    #[test]
    fn a_window_cannot_close_before_it_opens() {
        assert!(AssessmentWindow::new(day(6, 2), day(6, 1)).is_err());
        assert!(AssessmentWindow::new(day(6, 1), day(6, 1)).is_ok());
    }

    #[test]
    fn the_college_grades_within_the_window_the_university_from_its_opening() {
        let w = window();
        let who = Uuid::now_v7();
        let college = |now| {
            grade(
                None,
                served(),
                Grading { by: Grader::College, who, grade: Grade::Competent, comment: "" },
                Some(&w),
                now,
            )
        };
        let code = |r: Result<Assessment>| match r {
            Err(Error::Conflict { code, .. }) => Some(code),
            _ => None,
        };
        assert_eq!(code(college(at(5, 31))), Some(ConflictCode::AssessmentClosed));
        let a = college(at(6, 1)).unwrap();
        assert_eq!((a.state, a.confirmed_by), (AssessmentState::Graded, None));
        assert!(college(at(6, 30)).is_ok());
        assert_eq!(code(college(at(7, 1))), Some(ConflictCode::AssessmentClosed));
        let late = grade(
            Some(&a),
            served(),
            Grading { by: Grader::University, who, grade: Grade::Excellent, comment: "" },
            Some(&w),
            at(8, 1),
        )
        .unwrap();
        assert_eq!(
            (late.state, late.grade, late.confirmed_by),
            (AssessmentState::Confirmed, Grade::Excellent, Some(who))
        );
        assert_eq!(
            code(grade(
                None,
                served(),
                Grading { by: Grader::University, who, grade: Grade::Competent, comment: "" },
                Some(&w),
                at(5, 31)
            )),
            Some(ConflictCode::AssessmentClosed)
        );
        assert_eq!(
            code(grade(
                None,
                served(),
                Grading { by: Grader::College, who, grade: Grade::Competent, comment: "" },
                None,
                at(6, 2)
            )),
            Some(ConflictCode::AssessmentClosed)
        );
    }

    #[test]
    fn a_confirmed_grade_is_the_universitys_to_change() {
        let w = window();
        let who = Uuid::now_v7();
        let confirmed = grade(
            None,
            served(),
            Grading { by: Grader::University, who, grade: Grade::Competent, comment: "" },
            Some(&w),
            at(6, 2),
        )
        .unwrap();
        assert!(matches!(
            grade(
                Some(&confirmed),
                served(),
                Grading { by: Grader::College, who, grade: Grade::Excellent, comment: "" },
                Some(&w),
                at(6, 3)
            ),
            Err(Error::InvalidTransition { .. })
        ));
        let changed = grade(
            Some(&confirmed),
            served(),
            Grading { by: Grader::University, who, grade: Grade::Excellent, comment: "" },
            Some(&w),
            at(6, 3),
        )
        .unwrap();
        assert_eq!(changed.grade, Grade::Excellent);
    }

    #[test]
    fn dismissed_is_unsatisfactory_and_unsatisfactory_needs_a_comment() {
        let w = window();
        let who = Uuid::now_v7();
        let dismissed = Graded { appointment_id: Uuid::nil(), dismissed: true };
        let fields = |r: Result<Assessment>| match r {
            Err(Error::Validation(v)) => v.into_iter().map(|f| format!("{}:{}", f.field, f.code)).collect::<Vec<_>>(),
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(
            fields(grade(
                None,
                dismissed,
                Grading { by: Grader::College, who, grade: Grade::Competent, comment: "x" },
                Some(&w),
                at(6, 2)
            )),
            ["grade:not_eligible"]
        );
        assert_eq!(
            fields(grade(
                None,
                served(),
                Grading { by: Grader::College, who, grade: Grade::Unsatisfactory, comment: "  " },
                Some(&w),
                at(6, 2)
            )),
            ["comment:required"]
        );
        assert!(
            fields(grade(
                None,
                served(),
                Grading { by: Grader::College, who, grade: Grade::Competent, comment: "a\u{0}b" },
                Some(&w),
                at(6, 2)
            ))
            .len()
                == 1
        );
        assert!(
            grade(
                None,
                dismissed,
                Grading { by: Grader::College, who, grade: Grade::Unsatisfactory, comment: "缺席多次活动" },
                Some(&w),
                at(6, 2)
            )
            .is_ok()
        );
    }

    #[test]
    fn a_round_moves_forward_only() {
        use RoundAction as A;
        use RoundState as S;
        let table = [
            (S::Draft, A::Open, Some(S::Open)),
            (S::Draft, A::Review, None),
            (S::Draft, A::Finalize, None),
            (S::Open, A::Open, None),
            (S::Open, A::Review, Some(S::Reviewing)),
            (S::Open, A::Finalize, None),
            (S::Reviewing, A::Open, None),
            (S::Reviewing, A::Review, None),
            (S::Reviewing, A::Finalize, Some(S::Finalized)),
            (S::Finalized, A::Open, None),
            (S::Finalized, A::Review, None),
            (S::Finalized, A::Finalize, None),
        ];
        for (from, action, to) in table {
            assert_eq!(from.apply(action).ok(), to, "{from} {action}");
        }
        assert!(S::Draft.rules_editable() && !S::Open.rules_editable());
    }

    #[test]
    fn a_quota_is_fixed_or_a_share_rounded_half_up_and_at_least_one() {
        assert_eq!(quota(Some(3), 150, 100), 3);
        assert_eq!(quota(Some(0), 150, 100), 0);
        assert_eq!(quota(None, 150, 0), 0);
        assert_eq!(quota(None, 150, 2), 1); // 0.3 → at least one
        assert_eq!(quota(None, 150, 10), 2); // 1.5 → 2
        assert_eq!(quota(None, 150, 9), 1); // 1.35 → 1
        assert_eq!(quota(None, 1000, 7), 7);
    }

    #[test]
    fn nominations_need_an_open_window_a_served_year_and_quota() {
        let ok = NominationFacts {
            state: RoundState::Open,
            window: (day(6, 1), day(6, 15)),
            today: day(6, 1),
            same_year: true,
            dismissed: false,
            served: true,
            college_nominations: 1,
            quota: 2,
        };
        let code = |f: NominationFacts| match check_nomination(&f) {
            Ok(()) => None,
            Err(Error::Conflict { code, .. }) => Some(code),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(code(ok), None);
        assert_eq!(code(NominationFacts { today: day(6, 15), ..ok }), None);
        assert_eq!(code(NominationFacts { today: day(6, 16), ..ok }), Some(ConflictCode::NominationsClosed));
        assert_eq!(code(NominationFacts { today: day(5, 31), ..ok }), Some(ConflictCode::NominationsClosed));
        assert_eq!(code(NominationFacts { state: RoundState::Reviewing, ..ok }), Some(ConflictCode::NominationsClosed));
        assert_eq!(code(NominationFacts { dismissed: true, ..ok }), Some(ConflictCode::NotEligible));
        assert_eq!(code(NominationFacts { same_year: false, ..ok }), Some(ConflictCode::NotEligible));
        assert_eq!(code(NominationFacts { served: false, ..ok }), Some(ConflictCode::NotEligible));
        assert_eq!(code(NominationFacts { college_nominations: 2, ..ok }), Some(ConflictCode::QuotaFull));
    }

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion { key: "deeds".into(), title: "先进事迹".into(), max: 60 },
            Criterion { key: "impact".into(), title: "示范作用".into(), max: 40 },
        ]
    }

    #[test]
    fn criteria_and_sheets_are_checked_whole() {
        assert!(check_criteria(&criteria()).is_ok());
        assert!(check_criteria(&[]).is_err());
        let mut twice = criteria();
        twice[1].key = "deeds".into();
        assert!(check_criteria(&twice).is_err());
        let mut bad = criteria();
        bad[0].max = 0;
        bad[1].key = "Impact".into();
        match check_criteria(&bad) {
            Err(Error::Validation(v)) => assert_eq!(v.len(), 2),
            other => panic!("{other:?}"),
        }
        let sheet =
            |pairs: &[(&str, u32)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect::<BTreeMap<_, _>>();
        assert_eq!(sheet_total(&criteria(), &sheet(&[("deeds", 50), ("impact", 40)])).unwrap(), 90);
        assert!(sheet_total(&criteria(), &sheet(&[("deeds", 61), ("impact", 0)])).is_err());
        assert!(sheet_total(&criteria(), &sheet(&[("deeds", 1)])).is_err());
        assert!(sheet_total(&criteria(), &sheet(&[("deeds", 1), ("impact", 1), ("extra", 1)])).is_err());
    }

    #[test]
    fn a_reviewer_skips_their_own_college() {
        let c = Uuid::now_v7();
        assert!(matches!(check_reviewer(Some(c), c), Err(Error::Forbidden(_))));
        assert!(check_reviewer(Some(Uuid::now_v7()), c).is_ok());
        assert!(check_reviewer(None, c).is_ok());
    }

    #[test]
    fn weights_sum_to_a_hundred() {
        let w = |pairs: &[(Figure, u32)], r| Weights::new(pairs.iter().copied().collect(), r);
        assert!(w(&[(Figure::WorkRecords, 30), (Figure::MenteesReached, 30)], 40).is_ok());
        assert!(w(&[(Figure::WorkRecords, 30)], 40).is_err());
        assert!(w(&[], 100).is_ok());
        assert!(w(&[(Figure::WorkRecords, 101)], 0).is_err());
    }

    fn cand(n: u128, minute: u32, records: f64, sheets: &[u32]) -> Candidate {
        Candidate {
            nomination_id: Uuid::from_u128(n),
            nominated_at: Utc.with_ymd_and_hms(2027, 6, 2, 8, minute, 0).unwrap(),
            figures: [(Figure::WorkRecords, records)].into_iter().collect(),
            sheet_totals: sheets.to_vec(),
        }
    }

    #[test]
    fn the_ranking_follows_the_formula_by_hand() {
        // 60 % work records, 40 % reviewers; sheets out of 100.
        let w = Weights::new([(Figure::WorkRecords, 60)].into_iter().collect(), 40).unwrap();
        let cs = [cand(1, 0, 20.0, &[80, 90]), cand(2, 1, 40.0, &[50]), cand(3, 2, 10.0, &[])];
        let r = rank(&w, 100, &cs, 2);
        // 1: 60×20/40 = 30, 40×85/100 = 34 → 64. 2: 60 + 20 = 80. 3: 15 + 0 = 15.
        let got: Vec<(u128, u32, i64, bool)> =
            r.iter().map(|x| (x.nomination_id.as_u128(), x.rank, x.score, x.awarded)).collect();
        assert_eq!(got, [(2, 1, 80 * MICRO, true), (1, 2, 64 * MICRO, true), (3, 3, 15 * MICRO, false)]);
        assert_eq!(r[1].parts[&Figure::WorkRecords], 30 * MICRO);
        assert_eq!(r[1].reviewers, 34 * MICRO);
        assert!(r.iter().all(|x| x.tie_broken_by.is_none()));
    }

    #[test]
    fn ties_are_broken_by_reviewers_then_time_then_id() {
        let w = Weights::new([(Figure::WorkRecords, 50)].into_iter().collect(), 50).unwrap();
        // A and B: 50×10/20 + 50×100/100 = 75 and 50×20/20 + 50×50/100 = 75: B's reviewers part is lower.
        let a = cand(10, 5, 10.0, &[100]);
        let b = cand(11, 0, 20.0, &[50]);
        // C and D equal in everything but time; E equals D but for its id.
        let c = cand(12, 3, 0.0, &[20]);
        let d = cand(14, 4, 0.0, &[20]);
        let e = cand(13, 4, 0.0, &[20]);
        let r = rank(&w, 100, &[b.clone(), d.clone(), a.clone(), e.clone(), c.clone()], 1);
        let ids: Vec<u128> = r.iter().map(|x| x.nomination_id.as_u128()).collect();
        assert_eq!(ids, [10, 11, 12, 13, 14]);
        let why: Vec<Option<&str>> = r.iter().map(|x| x.tie_broken_by).collect();
        assert_eq!(why, [None, Some("reviewers"), None, Some("nominated_at"), Some("nomination_id")]);
        assert_eq!(r.iter().filter(|x| x.awarded).count(), 1);
        // The same input in any order ranks the same.
        let again = rank(&w, 100, &[e, c, a, b, d], 1);
        assert_eq!(again, r);
    }

    #[test]
    fn a_figure_nobody_has_gives_nothing() {
        let w = Weights::new([(Figure::Minutes, 100)].into_iter().collect(), 0).unwrap();
        let r = rank(&w, 0, &[cand(1, 0, 5.0, &[])], 1);
        assert_eq!(r[0].score, 0);
    }

    #[test]
    fn credit_follows_the_policy() {
        let p = CreditPolicy { excellent: 20, competent: 10, per_award: 15, cap: Some(30) };
        assert_eq!(credit(&p, Some(Grade::Excellent), false, 0), 20);
        assert_eq!(credit(&p, Some(Grade::Competent), false, 0), 10);
        assert_eq!(credit(&p, Some(Grade::Excellent), false, 1), 30); // 35 capped
        assert_eq!(credit(&p, Some(Grade::Unsatisfactory), false, 1), 0);
        assert_eq!(credit(&p, Some(Grade::Excellent), true, 1), 0);
        assert_eq!(credit(&p, None, false, 1), 0);
        assert_eq!(credit(&CreditPolicy { cap: None, ..p }, Some(Grade::Competent), false, 2), 40);
        assert_eq!((points_text(15), points_text(20), points_text(0)), ("1.5".into(), "2".into(), "0".into()));
    }

    fn rules() -> RoundRules {
        RoundRules {
            title: " 优秀学长评选 ".into(),
            nominations_open_on: day(6, 1),
            nominations_close_on: day(6, 15),
            quota_share_permille: 100,
            college_quotas: BTreeMap::new(),
            awards: 10,
            weights: Weights::new(BTreeMap::from([(Figure::WorkRecords, 50)]), 50).unwrap(),
            criteria: vec![
                Criterion { key: "ideology".into(), title: "思想引领".into(), max: 40 },
                Criterion { key: "service".into(), title: "服务成效".into(), max: 60 },
            ],
            reviewer_ids: vec![],
        }
    }

    #[test]
    fn round_rules_are_checked_all_at_once_and_the_title_trimmed() {
        let ok = rules().check().unwrap();
        assert_eq!(ok.title, "优秀学长评选");
        assert_eq!(ok.max_sheet(), 100);
        let college = Uuid::from_u128(7);
        let mut bad = rules();
        bad.title = "x\u{0}".into();
        bad.nominations_close_on = day(5, 31);
        bad.quota_share_permille = 1001;
        bad.awards = 0;
        bad.college_quotas.insert(college, MAX_COLLEGE_QUOTA + 1);
        bad.reviewer_ids = vec![college, college];
        bad.criteria[1].key = "ideology".into();
        let Err(Error::Validation(errs)) = bad.check() else { panic!("accepted bad rules") };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "nominations_close_on",
                "quota_share_permille",
                "college_quotas",
                "awards",
                "reviewer_ids",
                "criteria[1].key"
            ]
        );
    }

    #[test]
    fn a_fixed_quota_overrides_the_share_and_reviewers_are_admins_or_named() {
        let mut r = rules();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        r.college_quotas.insert(a, 3);
        assert_eq!(r.quota_of(a, 100), 3);
        assert_eq!(r.quota_of(b, 100), 10);
        assert_eq!(r.quota_of(b, 4), 1, "at least one for a college with mentors");
        r.reviewer_ids.push(a);
        assert!(is_reviewer(false, a, &r));
        assert!(!is_reviewer(false, b, &r));
        assert!(is_reviewer(true, b, &r));
        assert_eq!(check_statement("  推荐理由 ").unwrap(), "推荐理由");
        assert!(check_statement(" ").is_err());
        assert!(check_statement("a\u{7}").is_err());
    }

    #[test]
    fn a_credit_policy_is_at_most_ten_points_and_competent_not_above_excellent() {
        let mut p = Problems::new();
        CreditPolicy::default().check(&mut p);
        assert!(p.finish().is_ok());
        let mut p = Problems::new();
        CreditPolicy { excellent: 101, competent: 5, per_award: 0, cap: Some(101) }.check(&mut p);
        let Err(Error::Validation(e)) = p.finish() else { panic!("accepted") };
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["scholarship_credit.excellent", "scholarship_credit.cap"]);
        let mut p = Problems::new();
        CreditPolicy { excellent: 10, competent: 20, per_award: 0, cap: None }.check(&mut p);
        assert!(p.finish().is_err());
    }
}
