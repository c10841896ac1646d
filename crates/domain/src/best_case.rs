//! Colleges' best-practice cases (优秀案例, rules 四.5–四.6): a college admin writes up a
//! successful practice of their college — title, summary, a Markdown body, the college's
//! activities it draws on, notes on its data, attachments (PDF or images) — and submits it; a
//! university admin accepts it or returns it with comments; a returned case is edited and submitted
//! again; an accepted case may be featured (推荐), which puts it in the notes of the college's
//! year-end assessment report.
//!
//! `featured` is a flag on an accepted case, not a state of its own: featuring and unfeaturing
//! never change what the case is (accepted), only whether the university shows it off.
//!
//! Who reads: the college's admins and counselors always; the university every case once it has
//! been submitted (never a draft); every other college's admins and counselors the accepted ones.
//! Students, supervisors and service clients read none. Attachments are judged by their bytes
//! ([`inspect_attachment`]), never by their name or declared media type.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use image::{ImageDecoder, ImageFormat, ImageReader, Limits};
use uuid::Uuid;

use crate::auth::{Principal, Role};
use crate::error::{Error, FieldError, Problems, Result};
use crate::string_enum;
use crate::text::check_field;

string_enum! {
    /// Where a case stands.
    pub enum CaseState {
        /// Being written by the college; only the college sees it.
        Draft = "draft",
        /// Sent to the university for review.
        Submitted = "submitted",
        /// Accepted by the university: every college's admins and counselors read it.
        Accepted = "accepted",
        /// Sent back by the university with comments, to be edited and submitted again.
        Returned = "returned",
    }
}

string_enum! {
    /// What is done to a case.
    pub enum CaseAction {
        /// The college changes its text, activities or attachments.
        Edit = "edit",
        /// The college sends it for review.
        Submit = "submit",
        /// The university accepts it.
        Accept = "accept",
        /// The university sends it back with comments.
        Return = "return",
        /// The university features an accepted case.
        Feature = "feature",
        /// The university stops featuring it.
        Unfeature = "unfeature",
    }
}

impl CaseState {
    /// The state after `action` on a case in this state (featured or not), or
    /// `InvalidTransition` (409): edits and submission while `draft` or `returned`; accept and
    /// return while `submitted`; feature an accepted case that is not featured, unfeature a
    /// featured one. Returns the new state and the new `featured` flag.
    pub fn apply(self, featured: bool, action: CaseAction) -> Result<(CaseState, bool)> {
        use CaseAction as A;
        use CaseState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Edit) => Ok((self, false)),
            (S::Draft | S::Returned, A::Submit) => Ok((S::Submitted, false)),
            (S::Submitted, A::Accept) => Ok((S::Accepted, false)),
            (S::Submitted, A::Return) => Ok((S::Returned, false)),
            (S::Accepted, A::Feature) if !featured => Ok((S::Accepted, true)),
            (S::Accepted, A::Unfeature) if featured => Ok((S::Accepted, false)),
            _ => {
                let from = if featured { "featured".to_owned() } else { self.to_string() };
                Err(Error::InvalidTransition { from, action: action.to_string() })
            }
        }
    }

    /// Whether the college may still change the case (text, activities, attachments).
    pub const fn editable(self) -> bool {
        matches!(self, CaseState::Draft | CaseState::Returned)
    }
}

/// The caller as the case rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseViewer {
    /// A university admin: reviews, accepts, returns, features.
    University,
    /// A college admin (`admin`) or counselor of a college.
    CollegeStaff {
        /// The college.
        college_id: Uuid,
        /// Whether an admin (who writes and submits the college's cases).
        admin: bool,
    },
    /// Anyone else (students and mentors, supervisors, service clients): no case at all.
    Nobody,
}

impl CaseViewer {
    /// The viewer a principal is.
    pub fn of(who: &Principal) -> CaseViewer {
        let Principal::User(u) = who else { return CaseViewer::Nobody };
        match (u.role, u.college_id) {
            (Role::UniversityAdmin, _) => CaseViewer::University,
            (Role::CollegeAdmin, Some(college_id)) => CaseViewer::CollegeStaff { college_id, admin: true },
            (Role::Counselor, Some(college_id)) => CaseViewer::CollegeStaff { college_id, admin: false },
            _ => CaseViewer::Nobody,
        }
    }

    /// `Forbidden` for those who read no case at all (a 403 on every case route).
    pub fn may_read_cases(self) -> Result<()> {
        match self {
            CaseViewer::Nobody => Err(Error::Forbidden(
                "best-practice cases are read by college admins and counselors and the university".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Whether this viewer sees a case of `college_id` in `state`: the college always, the
    /// university once submitted, everyone else (of the program's staff) once accepted.
    pub fn sees(self, college_id: Uuid, state: CaseState) -> bool {
        match self {
            CaseViewer::CollegeStaff { college_id: c, .. } if c == college_id => true,
            CaseViewer::University => state != CaseState::Draft,
            CaseViewer::CollegeStaff { .. } => state == CaseState::Accepted,
            CaseViewer::Nobody => false,
        }
    }

    /// The college a new case is written for: a college admin's own.
    pub fn authoring_college(self) -> Result<Uuid> {
        match self {
            CaseViewer::CollegeStaff { college_id, admin: true } => Ok(college_id),
            _ => Err(Error::Forbidden("a college admin writes the college's cases".into())),
        }
    }

    /// Whether this viewer may do `action` to a case of `college_id` it sees: the college's admin
    /// edits and submits; the university accepts, returns, features and unfeatures.
    pub fn may(self, action: CaseAction, college_id: Uuid) -> Result<()> {
        let ok = match action {
            CaseAction::Edit | CaseAction::Submit => self == CaseViewer::CollegeStaff { college_id, admin: true },
            CaseAction::Accept | CaseAction::Return | CaseAction::Feature | CaseAction::Unfeature => {
                self == CaseViewer::University
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::Forbidden(
                match action {
                    CaseAction::Edit | CaseAction::Submit => {
                        "only an admin of the case's college writes and submits it"
                    }
                    _ => "only a university admin reviews and features cases",
                }
                .into(),
            ))
        }
    }
}

/// Most characters of a title (one line).
pub const MAX_TITLE_CHARS: usize = 100;
/// Most characters of a summary.
pub const MAX_SUMMARY_CHARS: usize = 500;
/// Most characters of the body (Markdown).
pub const MAX_BODY_CHARS: usize = 20_000;
/// Most characters of the data notes, and of review comments.
pub const MAX_NOTES_CHARS: usize = 2000;
/// Most activities a case draws on.
pub const MAX_ACTIVITIES: usize = 20;
/// Most attachments of a case.
pub const MAX_ATTACHMENTS: usize = 10;
/// The largest attachment, in bytes (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most characters of an attachment's file name.
pub const MAX_FILE_NAME_CHARS: usize = 200;

fn text(p: &mut Problems, field: &str, raw: &str, max: usize, one_line: bool) -> Option<String> {
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
    p.take(check_field(field, t))?;
    if one_line && t.contains(['\n', '\r', '\t']) {
        p.push(field, "invalid_format", format!("{field} must be one line"));
        return None;
    }
    Some(t.to_owned())
}

fn optional(p: &mut Problems, field: &str, raw: Option<&str>, max: usize) -> Option<Option<String>> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Some(None),
        Some(t) => text(p, field, t, max, false).map(Some),
    }
}

fn check_activities(p: &mut Problems, ids: &[Uuid]) {
    if ids.len() > MAX_ACTIVITIES {
        p.push("activity_ids", "too_many", format!("at most {MAX_ACTIVITIES} activities"));
    }
    let mut seen = std::collections::HashSet::new();
    if !ids.iter().all(|a| seen.insert(*a)) {
        p.push("activity_ids", "duplicate", "an activity is named twice");
    }
}

/// A case's text and references, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFields {
    /// Title, one line.
    pub title: String,
    /// A short summary.
    pub summary: String,
    /// The case itself, Markdown.
    pub body: String,
    /// The academic year it belongs to.
    pub academic_year_id: Uuid,
    /// The college's activities it draws on.
    pub activity_ids: Vec<Uuid>,
    /// Notes on the data it draws on (sources, figures).
    pub data_notes: Option<String>,
}

/// A case as written, before it is checked; for a change, what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct CaseInput<'a> {
    /// Title.
    pub title: Option<&'a str>,
    /// Summary.
    pub summary: Option<&'a str>,
    /// Body.
    pub body: Option<&'a str>,
    /// Academic year.
    pub academic_year_id: Option<Uuid>,
    /// Activities (replaces the list).
    pub activity_ids: Option<&'a [Uuid]>,
    /// Data notes (`Some(None)` or blank clears them).
    pub data_notes: Option<Option<&'a str>>,
}

impl CaseFields {
    /// Checks a new case: every field, all problems at once.
    pub fn parse_new(input: &CaseInput<'_>) -> Result<Self> {
        let mut p = Problems::new();
        let title = text(&mut p, "title", input.title.unwrap_or(""), MAX_TITLE_CHARS, true);
        let summary = text(&mut p, "summary", input.summary.unwrap_or(""), MAX_SUMMARY_CHARS, false);
        let body = text(&mut p, "body", input.body.unwrap_or(""), MAX_BODY_CHARS, false);
        let activity_ids = input.activity_ids.unwrap_or(&[]);
        check_activities(&mut p, activity_ids);
        let data_notes = optional(&mut p, "data_notes", input.data_notes.flatten(), MAX_NOTES_CHARS);
        if input.academic_year_id.is_none() {
            p.push("academic_year_id", "required", "academic_year_id is required");
        }
        p.finish()?;
        match (title, summary, body, input.academic_year_id, data_notes) {
            (Some(title), Some(summary), Some(body), Some(academic_year_id), Some(data_notes)) => {
                Ok(Self { title, summary, body, academic_year_id, activity_ids: activity_ids.to_vec(), data_notes })
            }
            _ => Err(Error::invalid("title", "invalid", "the case is incomplete")),
        }
    }

    /// The fields with `c` applied.
    pub fn with_changes(&self, c: &CaseInput<'_>) -> Result<Self> {
        let mut p = Problems::new();
        let mut next = self.clone();
        if let Some(t) = c.title.and_then(|t| text(&mut p, "title", t, MAX_TITLE_CHARS, true)) {
            next.title = t;
        }
        if let Some(t) = c.summary.and_then(|t| text(&mut p, "summary", t, MAX_SUMMARY_CHARS, false)) {
            next.summary = t;
        }
        if let Some(t) = c.body.and_then(|t| text(&mut p, "body", t, MAX_BODY_CHARS, false)) {
            next.body = t;
        }
        if let Some(y) = c.academic_year_id {
            next.academic_year_id = y;
        }
        if let Some(a) = c.activity_ids {
            check_activities(&mut p, a);
            next.activity_ids = a.to_vec();
        }
        if let Some(d) = c.data_notes
            && let Some(d) = optional(&mut p, "data_notes", d, MAX_NOTES_CHARS)
        {
            next.data_notes = d;
        }
        p.finish()?;
        Ok(next)
    }
}

/// Checks the university's comments: required to return a case, optional to accept one.
pub fn parse_comments(raw: Option<&str>, required: bool) -> Result<Option<String>> {
    let mut p = Problems::new();
    let out = match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None if required => {
            p.push("comments", "required", "say what the college should change");
            None
        }
        None => Some(None),
        Some(t) => text(&mut p, "comments", t, MAX_NOTES_CHARS, false).map(Some),
    };
    p.finish()?;
    Ok(out.flatten())
}

/// An attachment's metadata (the bytes are served on their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// Id.
    pub id: Uuid,
    /// The file name given at upload (sanitised).
    pub file_name: String,
    /// What the bytes are.
    pub media_type: String,
    /// Size in bytes.
    pub byte_size: u32,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BestCase {
    /// Id.
    pub id: Uuid,
    /// The college whose case it is.
    pub college_id: Uuid,
    /// The fields.
    pub fields: CaseFields,
    /// The state.
    pub state: CaseState,
    /// Whether the university features it (accepted cases only).
    pub featured: bool,
    /// The university's comments at the last accept or return.
    pub review_comments: Option<String>,
    /// The college admin who wrote it (a user id).
    pub author_id: Uuid,
    /// Last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Last accepted or returned.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The attachments, oldest first.
    pub attachments: Vec<AttachmentInfo>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// What an upload turned out to be, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// A PDF document.
    Pdf,
    /// A JPEG image.
    Jpeg,
    /// A PNG image.
    Png,
    /// A WebP image.
    Webp,
}

impl AttachmentKind {
    /// The media type it is served with.
    pub const fn media_type(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Jpeg => "image/jpeg",
            AttachmentKind::Png => "image/png",
            AttachmentKind::Webp => "image/webp",
        }
    }

    /// The file extension, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "pdf",
            AttachmentKind::Jpeg => "jpg",
            AttachmentKind::Png => "png",
            AttachmentKind::Webp => "webp",
        }
    }
}

/// The field attachment errors name.
const FILE: &str = "file";
/// The largest width and height of an image attachment, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// The most the image decoder may allocate while checking an attachment.
pub const MAX_IMAGE_ALLOC: u64 = 300 * 1024 * 1024;

fn unsupported() -> Error {
    Error::invalid(FILE, "unsupported_attachment", "the file is not a PDF or a JPEG, PNG or WebP image")
}

fn unreadable(e: impl std::fmt::Display) -> Error {
    Error::invalid(FILE, "unreadable_attachment", format!("the file cannot be read: {e}"))
}

/// Whether `bytes` look like a whole PDF: the `%PDF-x.y` header at the start, and the trailer at
/// the end — `startxref` followed by `%%EOF` within the last 1 KiB (a file cut short, or some
/// other file with a PDF header glued on, fails).
fn pdf_is_complete(bytes: &[u8]) -> bool {
    let header = bytes.len() > 8
        && bytes.starts_with(b"%PDF-")
        && bytes[5].is_ascii_digit()
        && bytes[6] == b'.'
        && bytes[7].is_ascii_digit();
    if !header {
        return false;
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let end = tail.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    let tail = &tail[..end];
    let Some(eof) = tail.windows(5).rposition(|w| w == b"%%EOF") else { return false };
    eof + 5 == tail.len() && tail[..eof].windows(9).any(|w| w == b"startxref")
}

/// Whether a JPEG has its end-of-image marker after its first scan (the decoder fills a picture cut
/// short with grey instead of failing).
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let Some(scan) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else { return false };
    bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// What an attachment is, judged by its bytes alone: a PDF ([`pdf_is_complete`]) or a JPEG, PNG
/// or WebP image that decodes in full (at most [`MAX_IMAGE_SIDE`] px a side, the decoder under
/// allocation limits). Anything else — HTML, a ZIP, an executable, a text file named `x.pdf` — is
/// 422 `unsupported_attachment`; a damaged or cut-short PDF or image `unreadable_attachment`.
/// CPU-bound for images: callers run it off the async workers.
pub fn inspect_attachment(bytes: &[u8]) -> Result<AttachmentKind> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Error::invalid(FILE, "too_long", format!("the file is larger than {MAX_ATTACHMENT_BYTES} bytes")));
    }
    if bytes.starts_with(b"%PDF-") {
        return if pdf_is_complete(bytes) {
            Ok(AttachmentKind::Pdf)
        } else {
            Err(unreadable("the PDF has no complete header and trailer (startxref … %%EOF)"))
        };
    }
    let (format, kind) = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => (ImageFormat::Jpeg, AttachmentKind::Jpeg),
        Ok(ImageFormat::Png) => (ImageFormat::Png, AttachmentKind::Png),
        Ok(ImageFormat::WebP) => (ImageFormat::WebP, AttachmentKind::Webp),
        _ => return Err(unsupported()),
    };
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(unreadable("the JPEG data ends before the end of the image"));
    }
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(unreadable)?;
    if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(Error::invalid(
            FILE,
            "image_too_large",
            format!("the image is {w}×{h} px; at most {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE} px are accepted"),
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(unreadable)?;
    if decoder.total_bytes() > MAX_IMAGE_ALLOC {
        return Err(Error::invalid(FILE, "image_too_large", format!("the image is {w}×{h} px, too large to check")));
    }
    image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    Ok(kind)
}

/// The file name an attachment is stored under: the last path component of what was given,
/// trimmed, at most [`MAX_FILE_NAME_CHARS`] characters, no control characters; when none was given,
/// `attachment.<ext>` after what the bytes are. The extension is not checked: the bytes decide.
pub fn parse_file_name(raw: Option<&str>, kind: AttachmentKind) -> std::result::Result<String, FieldError> {
    let field = "file_name";
    let name = raw.map(|r| r.rsplit(['/', '\\']).next().unwrap_or("").trim()).unwrap_or("");
    if name.is_empty() || name == "." || name == ".." {
        return Ok(format!("attachment.{}", kind.extension()));
    }
    check_field(field, name)?;
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} is longer than {MAX_FILE_NAME_CHARS} characters"),
        ));
    }
    if name.contains(['\n', '\r', '\t']) {
        return Err(FieldError::new(field, "invalid_format", format!("{field} must be one line")));
    }
    Ok(name.to_owned())
}

/// The title of a featured case, as the assessment report's notes list it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseNote {
    /// The case.
    pub id: Uuid,
    /// Its title.
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::UserPrincipal;

    #[test]
    fn the_state_machine_goes_draft_submitted_accepted_or_returned_and_back() {
        use CaseAction as A;
        use CaseState as S;
        assert_eq!(S::Draft.apply(false, A::Edit).unwrap(), (S::Draft, false));
        assert_eq!(S::Draft.apply(false, A::Submit).unwrap(), (S::Submitted, false));
        assert_eq!(S::Submitted.apply(false, A::Return).unwrap(), (S::Returned, false));
        assert_eq!(S::Returned.apply(false, A::Edit).unwrap(), (S::Returned, false));
        assert_eq!(S::Returned.apply(false, A::Submit).unwrap(), (S::Submitted, false));
        assert_eq!(S::Submitted.apply(false, A::Accept).unwrap(), (S::Accepted, false));
        assert_eq!(S::Accepted.apply(false, A::Feature).unwrap(), (S::Accepted, true));
        assert_eq!(S::Accepted.apply(true, A::Unfeature).unwrap(), (S::Accepted, false));
        // Everything else is a 409.
        let illegal = [
            (S::Draft, false, A::Accept),
            (S::Draft, false, A::Return),
            (S::Draft, false, A::Feature),
            (S::Submitted, false, A::Edit),
            (S::Submitted, false, A::Submit),
            (S::Submitted, false, A::Feature),
            (S::Accepted, false, A::Edit),
            (S::Accepted, false, A::Submit),
            (S::Accepted, false, A::Accept),
            (S::Accepted, false, A::Return),
            (S::Accepted, false, A::Unfeature),
            (S::Accepted, true, A::Feature),
            (S::Accepted, true, A::Edit),
            (S::Returned, false, A::Accept),
            (S::Returned, false, A::Feature),
        ];
        for (s, f, a) in illegal {
            assert!(matches!(s.apply(f, a), Err(Error::InvalidTransition { .. })), "{s} {f} {a}");
        }
        assert!(S::Draft.editable() && S::Returned.editable());
        assert!(!S::Submitted.editable() && !S::Accepted.editable());
    }

    fn user(role: Role, college_id: Option<Uuid>) -> Principal {
        Principal::User(UserPrincipal { id: Uuid::now_v7(), role, college_id, student_id: None, staff_id: None })
    }

    #[test]
    fn the_college_reads_its_own_the_university_what_was_submitted_others_what_was_accepted() {
        let (cs, ee) = (Uuid::now_v7(), Uuid::now_v7());
        let cs_admin = CaseViewer::of(&user(Role::CollegeAdmin, Some(cs)));
        let cs_counselor = CaseViewer::of(&user(Role::Counselor, Some(cs)));
        let ee_admin = CaseViewer::of(&user(Role::CollegeAdmin, Some(ee)));
        let uni = CaseViewer::of(&user(Role::UniversityAdmin, None));
        for s in CaseState::ALL {
            assert!(cs_admin.sees(cs, *s) && cs_counselor.sees(cs, *s), "{s}");
            assert_eq!(uni.sees(cs, *s), *s != CaseState::Draft, "{s}");
            assert_eq!(ee_admin.sees(cs, *s), *s == CaseState::Accepted, "{s}");
        }
        for role in [Role::Student, Role::Supervisor] {
            let v = CaseViewer::of(&user(role, Some(cs)));
            assert_eq!(v, CaseViewer::Nobody);
            assert!(matches!(v.may_read_cases(), Err(Error::Forbidden(_))));
            assert!(!v.sees(cs, CaseState::Accepted));
        }
    }

    #[test]
    fn the_college_admin_writes_the_university_reviews() {
        let (cs, ee) = (Uuid::now_v7(), Uuid::now_v7());
        let cs_admin = CaseViewer::of(&user(Role::CollegeAdmin, Some(cs)));
        let cs_counselor = CaseViewer::of(&user(Role::Counselor, Some(cs)));
        let ee_admin = CaseViewer::of(&user(Role::CollegeAdmin, Some(ee)));
        let uni = CaseViewer::University;
        assert_eq!(cs_admin.authoring_college().unwrap(), cs);
        assert!(cs_counselor.authoring_college().is_err() && uni.authoring_college().is_err());
        for a in [CaseAction::Edit, CaseAction::Submit] {
            assert!(cs_admin.may(a, cs).is_ok());
            assert!(cs_counselor.may(a, cs).is_err() && ee_admin.may(a, cs).is_err() && uni.may(a, cs).is_err());
        }
        for a in [CaseAction::Accept, CaseAction::Return, CaseAction::Feature, CaseAction::Unfeature] {
            assert!(uni.may(a, cs).is_ok());
            assert!(cs_admin.may(a, cs).is_err() && cs_counselor.may(a, cs).is_err());
        }
    }

    #[test]
    fn fields_are_required_bounded_and_free_of_control_characters() {
        let year = Uuid::now_v7();
        let ok = CaseInput {
            title: Some(" 学长制助力新生适应 "),
            summary: Some("摘要"),
            body: Some("# 做法\n\n- 一\n- 二"),
            academic_year_id: Some(year),
            activity_ids: Some(&[]),
            data_notes: Some(Some("  ")),
        };
        let f = CaseFields::parse_new(&ok).unwrap();
        assert_eq!(f.title, "学长制助力新生适应");
        assert_eq!(f.data_notes, None);
        let fields = |e: Error| match e {
            Error::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let long = "长".repeat(MAX_BODY_CHARS + 1);
        let a = Uuid::now_v7();
        let bad = CaseInput {
            title: Some("a\u{0}b"),
            summary: Some(""),
            body: Some(&long),
            academic_year_id: None,
            activity_ids: Some(&[a, a]),
            data_notes: None,
        };
        let got = fields(CaseFields::parse_new(&bad).unwrap_err());
        for want in [
            ("title", "control_character"),
            ("summary", "required"),
            ("body", "too_long"),
            ("academic_year_id", "required"),
            ("activity_ids", "duplicate"),
        ] {
            assert!(got.contains(&(want.0.to_owned(), want.1.to_owned())), "{want:?} in {got:?}");
        }
        let two_lines = CaseInput { title: Some("a\nb"), ..ok.clone() };
        assert_eq!(fields(CaseFields::parse_new(&two_lines).unwrap_err())[0].1, "invalid_format");
        let changed = f.with_changes(&CaseInput { summary: Some("新摘要"), ..Default::default() }).unwrap();
        assert_eq!((changed.summary.as_str(), changed.title.as_str()), ("新摘要", "学长制助力新生适应"));
        assert!(parse_comments(None, true).is_err());
        assert_eq!(parse_comments(Some(" "), false).unwrap(), None);
        assert_eq!(parse_comments(Some(" 请补充数据 "), true).unwrap().as_deref(), Some("请补充数据"));
    }

    fn tiny_pdf() -> Vec<u8> {
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n".to_vec()
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn attachments_are_pdfs_or_images_by_their_bytes() {
        assert_eq!(inspect_attachment(&tiny_pdf()).unwrap(), AttachmentKind::Pdf);
        assert_eq!(inspect_attachment(&png(3, 2)).unwrap(), AttachmentKind::Png);
        let code = |b: &[u8]| match inspect_attachment(b) {
            Err(Error::Validation(v)) => v[0].code.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(code(b"<html><script>alert(1)</script></html>"), "unsupported_attachment");
        assert_eq!(code(b"PK\x03\x04zip"), "unsupported_attachment");
        assert_eq!(code(b"MZ\x90\x00exe"), "unsupported_attachment");
        assert_eq!(code(b"just text, named x.pdf"), "unsupported_attachment");
        assert_eq!(code(b""), "unsupported_attachment");
        // A PDF header with no trailer, or one cut short, or something glued after %%EOF.
        assert_eq!(code(b"%PDF-1.4\n<html>"), "unreadable_attachment");
        let pdf = tiny_pdf();
        assert_eq!(code(&pdf[..pdf.len() - 4]), "unreadable_attachment");
        let mut glued = tiny_pdf();
        glued.extend_from_slice(b"<html></html>");
        assert_eq!(code(&glued), "unreadable_attachment");
        let p = png(4, 4);
        assert_eq!(code(&p[..p.len() / 2]), "unreadable_attachment");
    }

    #[test]
    fn file_names_lose_their_directories_and_default_to_the_kind() {
        assert_eq!(parse_file_name(Some("C:\\docs\\案例.pdf"), AttachmentKind::Pdf).unwrap(), "案例.pdf");
        assert_eq!(parse_file_name(Some("../../etc/x.png"), AttachmentKind::Png).unwrap(), "x.png");
        assert_eq!(parse_file_name(None, AttachmentKind::Jpeg).unwrap(), "attachment.jpg");
        assert_eq!(parse_file_name(Some(".."), AttachmentKind::Pdf).unwrap(), "attachment.pdf");
        assert_eq!(parse_file_name(Some("a\u{0}.pdf"), AttachmentKind::Pdf).unwrap_err().code, "control_character");
        assert_eq!(parse_file_name(Some(&"x".repeat(201)), AttachmentKind::Pdf).unwrap_err().code, "too_long");
    }
}
