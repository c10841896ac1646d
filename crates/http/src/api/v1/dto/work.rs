//! The work-record book's shapes that the list, the export and the summary share.

use chrono::{DateTime, NaiveDate, Utc};
use domain::work::{Duty, WorkChannel, WorkKind, WorkNote, WorkRecord};
use persistence::usecases::work::WorkRecordFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filters of the work-record list and export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkRecordQuery {
    /// Only entries recorded under this appointment.
    pub appointment_id: Option<Uuid>,
    /// Only entries naming this student.
    pub student_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<WorkKind>,
    /// Only entries serving this duty.
    pub duty: Option<Duty>,
    /// Only entries on or after this day.
    pub date_from: Option<NaiveDate>,
    /// Only entries on or before this day.
    pub date_to: Option<NaiveDate>,
    /// Only this college's entries (for the university; a college's staff see only their own).
    pub college_id: Option<Uuid>,
}

impl From<WorkRecordQuery> for WorkRecordFilter {
    fn from(q: WorkRecordQuery) -> Self {
        Self {
            appointment_id: q.appointment_id,
            student_id: q.student_id,
            kind: q.kind,
            duty: q.duty,
            date_from: q.date_from,
            date_to: q.date_to,
            college_id: q.college_id,
        }
    }
}

/// A note appended to an entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkNoteDto {
    /// Id.
    pub id: Uuid,
    /// The note.
    pub text: String,
    /// When it was appended.
    pub created_at: DateTime<Utc>,
}

impl From<WorkNote> for WorkNoteDto {
    fn from(n: WorkNote) -> Self {
        Self { id: n.id, text: n.text, created_at: n.created_at }
    }
}

/// An entry of the work-record book. A student named in it sees it without `reflections`
/// (always `null` for them).
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkRecordDto {
    /// Id.
    pub id: Uuid,
    /// The appointment it was recorded under.
    pub appointment_id: Uuid,
    /// The mentor (a student id).
    pub mentor_id: Uuid,
    /// The appointment's college.
    pub college_id: Uuid,
    /// Kind.
    pub kind: WorkKind,
    /// The day it happened (Asia/Shanghai).
    pub date: NaiveDate,
    /// Minutes, 1–1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
    /// The duties it served.
    pub duties: Vec<Duty>,
    /// How they met.
    pub channel: WorkChannel,
    /// The students it names.
    pub student_ids: Vec<Uuid>,
    /// How many took part (group work), 1–10000.
    #[schema(minimum = 1, maximum = 10000)]
    pub head_count: Option<i32>,
    /// What happened.
    pub summary: String,
    /// 心得体会 (`null` for a named student).
    pub reflections: Option<String>,
    /// The activity it came from.
    pub activity_id: Option<Uuid>,
    /// The help request it answered (`POST /help-requests/{id}/record`).
    pub help_request_id: Option<Uuid>,
    /// Notes appended, oldest first.
    pub notes: Vec<WorkNoteDto>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<WorkRecord> for WorkRecordDto {
    fn from(r: WorkRecord) -> Self {
        Self {
            id: r.id,
            appointment_id: r.appointment_id,
            mentor_id: r.mentor_id,
            college_id: r.college_id,
            kind: r.kind,
            date: r.date,
            minutes: r.minutes,
            duties: r.duties,
            channel: r.channel,
            student_ids: r.student_ids,
            head_count: r.head_count,
            summary: r.summary,
            reflections: r.reflections,
            activity_id: r.activity_id,
            help_request_id: r.help_request_id,
            notes: r.notes.into_iter().map(WorkNoteDto::from).collect(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
