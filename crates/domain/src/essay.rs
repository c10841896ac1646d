//! 《研究生党员学长经验谈》 (rules 四.5): members of the mentors' club write essays on their
//! experience; the university (a university admin, the editor) accepts them or returns them with
//! comments; the accepted essays of an edition are compiled into the anthology.
//!
//! An essay moves `draft → submitted → accepted | returned`; a returned essay is edited and
//! submitted again. Accepted is final: revising an accepted essay means writing a new one that
//! names it in `revises` (at most one essay revises another, so revisions form a chain); the
//! anthology of an edition leaves out an essay whose accepted revision is in the same edition.
//!
//! Who sees an essay: its author, always; the university and the admins and counselors of the
//! author's college once it has been submitted (a draft is the author's alone); nobody else
//! (`404`). The anthology itself is read by every member of the club, the university and the
//! colleges' admins and counselors.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::{Principal, Role};
use crate::error::{Error, Problems, Result};
use crate::string_enum;
use crate::text::check_field;

string_enum! {
    /// What an essay is about: the mentor's five duties (as the work-record book names them), and
    /// the program's other strands.
    pub enum EssayTheme {
        /// 思想引领.
        Ideology = "ideology",
        /// 职业发展 (also the career-guidance strand).
        Career = "career",
        /// 学业.
        Study = "study",
        /// 科研.
        Research = "research",
        /// 生活.
        Life = "life",
        /// 新生引导: orientation, salons, the first year.
        FreshmanGuidance = "freshman_guidance",
        /// “我与学长聊科研” research salons.
        ResearchSalon = "research_salon",
        /// 竞赛指导: 挑战杯, 创青春, 互联网+ and the like.
        Competition = "competition",
        /// Anything else.
        Other = "other",
    }
}

impl EssayTheme {
    /// The theme's heading in the anthology.
    pub fn label(self) -> &'static str {
        match self {
            EssayTheme::Ideology => "思想引领",
            EssayTheme::Career => "职业发展",
            EssayTheme::Study => "学业指导",
            EssayTheme::Research => "科研引领",
            EssayTheme::Life => "生活关怀",
            EssayTheme::FreshmanGuidance => "新生引导",
            EssayTheme::ResearchSalon => "我与学长聊科研",
            EssayTheme::Competition => "竞赛指导",
            EssayTheme::Other => "其他",
        }
    }

    /// The position of the theme in the anthology (declaration order).
    pub fn rank(self) -> usize {
        EssayTheme::ALL.iter().position(|t| *t == self).unwrap_or(usize::MAX)
    }
}

string_enum! {
    /// Where an essay stands.
    pub enum EssayState {
        /// Being written; only the author sees it.
        Draft = "draft",
        /// Waiting for the editor.
        Submitted = "submitted",
        /// Accepted for the anthology; final.
        Accepted = "accepted",
        /// Returned to the author with comments, to be edited and submitted again.
        Returned = "returned",
    }
}

string_enum! {
    /// What is done to an essay.
    pub enum EssayAction {
        /// The author changes its text, theme or year.
        Edit = "edit",
        /// The author submits it to the editor.
        Submit = "submit",
        /// The editor accepts it.
        Accept = "accept",
        /// The editor returns it with comments.
        Return = "return",
    }
}

impl EssayState {
    /// The state after `action`, or `InvalidTransition` (409): a draft or a returned essay is
    /// edited and submitted; a submitted one is accepted or returned; an accepted one never
    /// changes.
    pub fn apply(self, action: EssayAction) -> Result<EssayState> {
        use EssayAction as A;
        use EssayState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Edit) => Ok(self),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Accept) => Ok(S::Accepted),
            (S::Submitted, A::Return) => Ok(S::Returned),
            _ => Err(Error::InvalidTransition { from: self.to_string(), action: action.to_string() }),
        }
    }
}

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// The longest body (Markdown source), in characters.
pub const MAX_BODY_CHARS: usize = 20_000;
/// The longest editor's comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// A required text: trimmed, 1–`max` characters, no control characters.
fn required(p: &mut Problems, field: &str, raw: &str, max: usize) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        p.push(field, "required", format!("{field} must not be blank"));
        return None;
    }
    // The limit counts what was sent, as the document's maxLength does.
    if raw.chars().count() > max {
        p.push(field, "too_long", format!("{field} is longer than {max} characters"));
        return None;
    }
    p.take(check_field(field, t)).map(|()| t.to_owned())
}

/// Checks a title: trimmed, 1–[`MAX_TITLE_CHARS`] characters, one line, no control characters.
pub fn parse_title(p: &mut Problems, raw: &str) -> Option<String> {
    let t = required(p, "title", raw, MAX_TITLE_CHARS)?;
    if t.contains(['\n', '\r', '\t']) {
        p.push("title", "invalid_format", "a title is one line");
        return None;
    }
    Some(t)
}

/// Checks a body: Markdown, 1–[`MAX_BODY_CHARS`] characters after trimming, no control
/// characters but tab and line breaks. Its HTML is made safe when it is rendered, not here: the
/// author's source is kept as written.
pub fn parse_body(p: &mut Problems, raw: &str) -> Option<String> {
    required(p, "body", raw, MAX_BODY_CHARS)
}

/// Checks an editor's comment: trimmed, up to [`MAX_COMMENT_CHARS`] characters; `required` when
/// returning (the author must learn why). Absent or blank is none when not required.
pub fn parse_comment(raw: Option<&str>, required_now: bool) -> Result<Option<String>> {
    let mut p = Problems::new();
    let out = match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => required(&mut p, "comment", t, MAX_COMMENT_CHARS),
        None if required_now => {
            p.push("comment", "required", "say what the author should change");
            None
        }
        None => None,
    };
    p.finish()?;
    Ok(out)
}

/// An essay's text as the author writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssayText {
    /// The title.
    pub title: String,
    /// The body, Markdown.
    pub body: String,
}

impl EssayText {
    /// Checks title and body, every problem at once.
    pub fn parse(title: &str, body: &str) -> Result<Self> {
        let mut p = Problems::new();
        let title = parse_title(&mut p, title);
        let body = parse_body(&mut p, body);
        p.finish()?;
        match (title, body) {
            (Some(title), Some(body)) => Ok(Self { title, body }),
            _ => Err(Error::invalid("body", "required", "title and body are required")),
        }
    }
}

/// Who looks at an essay, resolved to the facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EssayViewer {
    /// A university admin: the editor.
    University,
    /// A college admin or counselor of this college.
    CollegeStaff(Uuid),
    /// A student, by student record (an author is one).
    Student(Uuid),
    /// Anyone else: a supervisor, a service client, an account without its record.
    Nobody,
}

/// The facts of an essay the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EssayFacts {
    /// The author (a student id).
    pub author_id: Uuid,
    /// The author's college when they wrote it.
    pub college_id: Uuid,
    /// Where it stands.
    pub state: EssayState,
}

impl EssayViewer {
    /// The viewer a principal is.
    pub fn of(p: &Principal) -> EssayViewer {
        let Principal::User(u) = p else { return EssayViewer::Nobody };
        match (u.role, u.college_id, u.student_id) {
            (Role::UniversityAdmin, ..) => EssayViewer::University,
            (Role::CollegeAdmin | Role::Counselor, Some(c), _) => EssayViewer::CollegeStaff(c),
            (Role::Student, _, Some(s)) => EssayViewer::Student(s),
            _ => EssayViewer::Nobody,
        }
    }

    /// Who sees an essay: its author; the university and the author's college's admins and
    /// counselors once it left the draft state. Everyone else gets 404.
    pub fn sees(self, e: &EssayFacts) -> bool {
        match self {
            EssayViewer::University => e.state != EssayState::Draft,
            EssayViewer::CollegeStaff(c) => c == e.college_id && e.state != EssayState::Draft,
            EssayViewer::Student(s) => s == e.author_id,
            EssayViewer::Nobody => false,
        }
    }

    /// Whether the viewer may do `action` to an essay they see: the author edits and submits, the
    /// university accepts and returns. `Forbidden` (403) otherwise.
    pub fn may(self, action: EssayAction, e: &EssayFacts) -> Result<()> {
        let allowed = match action {
            EssayAction::Edit | EssayAction::Submit => self == EssayViewer::Student(e.author_id),
            EssayAction::Accept | EssayAction::Return => self == EssayViewer::University,
        };
        if allowed {
            return Ok(());
        }
        let who = match action {
            EssayAction::Edit | EssayAction::Submit => "its author",
            EssayAction::Accept | EssayAction::Return => "a university admin (the editor)",
        };
        Err(Error::Forbidden(format!("only {who} may {action} this essay")))
    }

    /// Whether the viewer reads the anthology: the university, the colleges' admins and
    /// counselors, and members of the club (`member` says whether the student is one).
    pub fn may_read_anthology(self, member: bool) -> Result<()> {
        match self {
            EssayViewer::University | EssayViewer::CollegeStaff(_) => Ok(()),
            EssayViewer::Student(_) if member => Ok(()),
            _ => Err(Error::Forbidden(
                "the anthology is read by members of the mentors' club, the colleges' admins and counselors and \
                 the university"
                    .into(),
            )),
        }
    }
}

/// An essay as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Essay {
    /// Id.
    pub id: Uuid,
    /// The author (a student id).
    pub author_id: Uuid,
    /// The author's college when they started it.
    pub college_id: Uuid,
    /// The unit of the author's latest appointment then.
    pub unit_id: Uuid,
    /// The academic year (the edition) it is written for.
    pub academic_year_id: Uuid,
    /// The title.
    pub title: String,
    /// The body, Markdown.
    pub body: String,
    /// The theme.
    pub theme: EssayTheme,
    /// Where it stands.
    pub state: EssayState,
    /// The accepted essay this one revises.
    pub revises: Option<Uuid>,
    /// The editor's comment on the last decision.
    pub editor_comment: Option<String>,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the editor last decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided (a user id).
    pub decided_by: Option<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Essay {
    /// The facts the visibility and action rules need.
    pub const fn facts(&self) -> EssayFacts {
        EssayFacts { author_id: self.author_id, college_id: self.college_id, state: self.state }
    }
}

/// An accepted essay as the anthology prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnthologyEssay {
    /// The essay.
    pub id: Uuid,
    /// The title.
    pub title: String,
    /// The body, Markdown.
    pub body: String,
    /// The theme.
    pub theme: EssayTheme,
    /// The author's name.
    pub author: String,
    /// The college's code (the order of colleges within a theme).
    pub college_code: String,
    /// The college's name.
    pub college: String,
    /// The unit's name.
    pub unit: String,
    /// The academic year's code.
    pub academic_year: String,
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
    /// The accepted essay it revises, if any.
    pub revises: Option<Uuid>,
}

/// The essays of one college under one theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollegeSection {
    /// The college's name.
    pub college: String,
    /// Its essays, in the anthology's order.
    pub essays: Vec<AnthologyEssay>,
}

/// The essays of one theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeSection {
    /// The theme.
    pub theme: EssayTheme,
    /// Its colleges, by college code.
    pub colleges: Vec<CollegeSection>,
}

/// An edition of the anthology: its cover and its essays grouped by theme, then college.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anthology {
    /// The title on the cover.
    pub title: String,
    /// The academic years of the edition, oldest first.
    pub years: Vec<String>,
    /// The themes that have essays, in the order of [`EssayTheme::ALL`].
    pub sections: Vec<ThemeSection>,
}

/// The anthology's title.
pub const ANTHOLOGY_TITLE: &str = "四川大学研究生党员学长经验谈";

impl Anthology {
    /// The edition's subtitle: `2025-2026 学年`, or `2024-2025 至 2025-2026 学年` for several years.
    pub fn edition(&self) -> String {
        match (self.years.first(), self.years.last()) {
            (Some(a), Some(b)) if a != b => format!("{a} 至 {b} 学年"),
            (Some(a), _) => format!("{a} 学年"),
            _ => String::new(),
        }
    }

    /// Every essay, in the anthology's order.
    pub fn essays(&self) -> impl Iterator<Item = &AnthologyEssay> {
        self.sections.iter().flat_map(|s| s.colleges.iter().flat_map(|c| c.essays.iter()))
    }
}

/// Compiles the accepted essays of an edition (`years`, oldest first): leaves out an essay whose
/// accepted revision is among them, and orders the rest by theme (in the order of
/// [`EssayTheme::ALL`]), then college code, then when they were accepted, then id.
pub fn compile(years: Vec<String>, essays: Vec<AnthologyEssay>) -> Anthology {
    let superseded: std::collections::HashSet<Uuid> = essays.iter().filter_map(|e| e.revises).collect();
    let mut kept: Vec<AnthologyEssay> = essays.into_iter().filter(|e| !superseded.contains(&e.id)).collect();
    kept.sort_by(|a, b| {
        (a.theme.rank(), &a.college_code, &a.college, a.accepted_at, a.id).cmp(&(
            b.theme.rank(),
            &b.college_code,
            &b.college,
            b.accepted_at,
            b.id,
        ))
    });
    let mut sections: Vec<ThemeSection> = Vec::new();
    for e in kept {
        if sections.last().is_none_or(|s| s.theme != e.theme) {
            sections.push(ThemeSection { theme: e.theme, colleges: Vec::new() });
        }
        let Some(section) = sections.last_mut() else { continue };
        if section.colleges.last().is_none_or(|c| c.college != e.college) {
            section.colleges.push(CollegeSection { college: e.college.clone(), essays: Vec::new() });
        }
        if let Some(c) = section.colleges.last_mut() {
            c.essays.push(e);
        }
    }
    Anthology { title: ANTHOLOGY_TITLE.to_owned(), years, sections }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn every_state_and_action() {
        use EssayAction as A;
        use EssayState as S;
        for (state, action, want) in [
            (S::Draft, A::Edit, Some(S::Draft)),
            (S::Draft, A::Submit, Some(S::Submitted)),
            (S::Draft, A::Accept, None),
            (S::Draft, A::Return, None),
            (S::Submitted, A::Edit, None),
            (S::Submitted, A::Submit, None),
            (S::Submitted, A::Accept, Some(S::Accepted)),
            (S::Submitted, A::Return, Some(S::Returned)),
            (S::Returned, A::Edit, Some(S::Returned)),
            (S::Returned, A::Submit, Some(S::Submitted)),
            (S::Returned, A::Accept, None),
            (S::Returned, A::Return, None),
            (S::Accepted, A::Edit, None),
            (S::Accepted, A::Submit, None),
            (S::Accepted, A::Accept, None),
            (S::Accepted, A::Return, None),
        ] {
            assert_eq!(state.apply(action).ok(), want, "{state} {action}");
        }
        assert_eq!(
            S::Accepted.apply(A::Edit),
            Err(Error::InvalidTransition { from: "accepted".into(), action: "edit".into() })
        );
    }

    fn fields(r: Result<EssayText>) -> Vec<(String, String)> {
        match r {
            Err(Error::Validation(v)) => v.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn title_and_body_are_checked_together() {
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        let ok = EssayText::parse("  我的学长一年  ", "# 开始\n\n第一次见面……\r\n").unwrap();
        assert_eq!((ok.title.as_str(), ok.body.as_str()), ("我的学长一年", "# 开始\n\n第一次见面……"));
        assert_eq!(fields(EssayText::parse("", " ")), [pair("title", "required"), pair("body", "required")]);
        assert_eq!(fields(EssayText::parse("a\u{0}b", "正文")), [pair("title", "control_character")]);
        assert_eq!(fields(EssayText::parse("两行\n标题", "正文")), [pair("title", "invalid_format")]);
        assert_eq!(fields(EssayText::parse(&"题".repeat(MAX_TITLE_CHARS + 1), "正文")), [pair("title", "too_long")]);
        assert_eq!(fields(EssayText::parse("标题", &"字".repeat(MAX_BODY_CHARS + 1))), [pair("body", "too_long")]);
        assert!(EssayText::parse(&"题".repeat(MAX_TITLE_CHARS), &"字".repeat(MAX_BODY_CHARS)).is_ok());
        assert_eq!(fields(EssayText::parse("标题", "正\u{1b}文")), [pair("body", "control_character")]);
        // Markdown and HTML are kept as written; rendering makes them safe.
        assert!(EssayText::parse("标题", "<script>alert(1)</script>").is_ok());
    }

    #[test]
    fn a_return_needs_a_comment_and_an_acceptance_may_have_one() {
        assert_eq!(parse_comment(Some("  请补充案例  "), true).unwrap().as_deref(), Some("请补充案例"));
        assert!(parse_comment(None, true).is_err());
        assert!(parse_comment(Some("  "), true).is_err());
        assert_eq!(parse_comment(None, false).unwrap(), None);
        assert!(parse_comment(Some(&"评".repeat(MAX_COMMENT_CHARS + 1)), false).is_err());
        assert!(parse_comment(Some("a\u{7f}"), false).is_err());
    }

    #[test]
    fn who_sees_and_who_may_do_what() {
        let (college, other) = (Uuid::now_v7(), Uuid::now_v7());
        let (author, stranger) = (Uuid::now_v7(), Uuid::now_v7());
        use EssayAction as A;
        use EssayViewer as V;
        for state in EssayState::ALL {
            let e = EssayFacts { author_id: author, college_id: college, state: *state };
            let shown = *state != EssayState::Draft;
            // (viewer, sees, edit/submit, accept/return)
            for (v, sees, writes, decides) in [
                (V::University, shown, false, true),
                (V::CollegeStaff(college), shown, false, false),
                (V::CollegeStaff(other), false, false, false),
                (V::Student(author), true, true, false),
                (V::Student(stranger), false, false, false),
                (V::Nobody, false, false, false),
            ] {
                assert_eq!(v.sees(&e), sees, "{v:?} sees a {state} essay");
                assert_eq!(v.may(A::Edit, &e).is_ok(), writes, "{v:?} edits");
                assert_eq!(v.may(A::Submit, &e).is_ok(), writes, "{v:?} submits");
                assert_eq!(v.may(A::Accept, &e).is_ok(), decides, "{v:?} accepts");
                assert_eq!(v.may(A::Return, &e).is_ok(), decides, "{v:?} returns");
            }
        }
        assert!(V::University.may_read_anthology(false).is_ok());
        assert!(V::CollegeStaff(college).may_read_anthology(false).is_ok());
        assert!(V::Student(author).may_read_anthology(true).is_ok());
        assert!(V::Student(author).may_read_anthology(false).is_err());
        assert!(V::Nobody.may_read_anthology(true).is_err());
    }

    fn essay(n: u128, theme: EssayTheme, college: (&str, &str), minute: u32) -> AnthologyEssay {
        AnthologyEssay {
            id: Uuid::from_u128(n),
            title: format!("第{n}篇"),
            body: "正文".into(),
            theme,
            author: "张三".into(),
            college_code: college.0.into(),
            college: college.1.into(),
            unit: "实验室".into(),
            academic_year: "2025-2026".into(),
            accepted_at: Utc.with_ymd_and_hms(2026, 6, 1, 8, minute, 0).single().unwrap_or_default(),
            revises: None,
        }
    }

    #[test]
    fn the_anthology_groups_by_theme_then_college_and_leaves_out_revised_essays() {
        let cs = ("CS", "计算机学院");
        let ee = ("EE", "电气工程学院");
        let mut revised = essay(5, EssayTheme::Study, cs, 1);
        revised.revises = Some(Uuid::from_u128(4));
        let a = compile(
            vec!["2024-2025".into(), "2025-2026".into()],
            vec![
                essay(1, EssayTheme::Other, cs, 0),
                essay(2, EssayTheme::Study, ee, 0),
                essay(3, EssayTheme::Study, cs, 9),
                essay(4, EssayTheme::Study, cs, 0),
                revised,
                essay(6, EssayTheme::Ideology, ee, 0),
            ],
        );
        let order: Vec<u128> = a.essays().map(|e| e.id.as_u128()).collect();
        // Ideology before study before other; within study CS before EE, then by acceptance;
        // essay 4 is replaced by its revision 5.
        assert_eq!(order, [6, 5, 3, 2, 1]);
        let shape: Vec<(EssayTheme, Vec<(&str, usize)>)> = a
            .sections
            .iter()
            .map(|s| (s.theme, s.colleges.iter().map(|c| (c.college.as_str(), c.essays.len())).collect()))
            .collect();
        assert_eq!(
            shape,
            [
                (EssayTheme::Ideology, vec![("电气工程学院", 1)]),
                (EssayTheme::Study, vec![("计算机学院", 2), ("电气工程学院", 1)]),
                (EssayTheme::Other, vec![("计算机学院", 1)]),
            ]
        );
        assert_eq!(a.title, ANTHOLOGY_TITLE);
        assert_eq!(a.edition(), "2024-2025 至 2025-2026 学年");
        let one = compile(vec!["2025-2026".into()], vec![]);
        assert_eq!(one.edition(), "2025-2026 学年");
        assert!(one.sections.is_empty());
    }

    #[test]
    fn themes_have_labels_and_the_duties_wire_names() {
        for d in crate::work::Duty::ALL {
            assert!(EssayTheme::ALL.iter().any(|t| t.as_str() == d.as_str()), "the duty {d} is a theme");
        }
        for t in EssayTheme::ALL {
            assert!(!t.label().is_empty());
            assert_eq!(EssayTheme::ALL[t.rank()], *t);
        }
    }
}
