//! Service certificates (学长工作证明, issue 15): the certificate of a completed term, gathered from
//! the service line (`credits`), the year's figures (`performance`) and a verification code issued
//! once per appointment; and the public check of a code, which says only name, college, term and
//! grade.

use chrono::{DateTime, NaiveDate, Utc};
use domain::auth::Principal;
use domain::certificate::{CODE_BYTES, Code, issuable};
use domain::codes::AuditAction;
use domain::performance::Performance;
use domain::yearend::{AssessmentState, Grade};
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::credits::{ServiceLine, lines};
use super::performance::{figures, may_read};
use crate::entities::{appointment, certificate};
use crate::query::not_found;
use crate::{Db, Result, audit};

const RESOURCE: &str = "certificate";

/// A completed term's certificate.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The appointment as the service history shows it (name, college, unit, term, grade, awards).
    pub line: ServiceLine,
    /// The year's figures.
    pub figures: Performance,
    /// The verification code.
    pub code: Code,
    /// When the code was issued.
    pub issued_at: DateTime<Utc>,
}

impl Certificate {
    /// The grade the certificate states: the university's confirmed grade, else none.
    pub fn grade(&self) -> Option<Grade> {
        confirmed(&self.line)
    }
}

/// What anyone holding a code may learn: name, college, term, grade — nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The mentor's name.
    pub name: String,
    /// The college.
    pub college: String,
    /// The academic year's code.
    pub academic_year: String,
    /// The first day of the term.
    pub served_from: NaiveDate,
    /// The last day of the term.
    pub served_to: NaiveDate,
    /// The confirmed grade, if any.
    pub grade: Option<Grade>,
}

fn confirmed(l: &ServiceLine) -> Option<Grade> {
    (l.assessment_state == Some(AssessmentState::Confirmed)).then_some(l.grade).flatten()
}

/// The certificate of an appointment, for the mentor, the college's admins and counselors and the
/// university (`NotFound` for anyone else); 409 `term_not_completed` unless the term was completed.
/// The first request issues the code (once, even when two requests race); later ones return it.
pub async fn certificate(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<Certificate> {
    let conn = db.reader();
    let a = appointment::Entity::find_by_id(appointment_id).one(conn).await?.ok_or_else(|| not_found("appointment"))?;
    if !may_read(who, a.college_id, a.student_id) {
        return Err(not_found("appointment"));
    }
    issuable(a.state.into())?;
    let issued = match certificate::Entity::find_by_id(appointment_id).one(conn).await? {
        Some(c) => c,
        None => issue(db, who, appointment_id).await?,
    };
    let figures = figures(conn, appointment_id, db.clock().now()).await?;
    let line = lines(conn, vec![a]).await?.pop().ok_or_else(|| not_found("appointment"))?;
    Ok(Certificate { line, figures, code: Code::stored(issued.code), issued_at: issued.issued_at })
}

/// Writes the appointment's code unless a concurrent request wrote one first, and returns the one
/// that stands. A fresh code that happens to equal another's (80 random bits: never in practice)
/// is simply drawn again.
async fn issue(db: &Db, who: &Principal, appointment_id: Uuid) -> Result<certificate::Model> {
    for _ in 0..3 {
        let mut bytes = [0u8; CODE_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let code = Code::from_random(bytes);
        let tx = db.begin().await?;
        let row = certificate::ActiveModel {
            appointment_id: Set(appointment_id),
            code: Set(code.as_str().to_owned()),
            issued_at: Set(db.clock().now()),
            issued_by: Set(who.actor().id),
        };
        let written = certificate::Entity::insert(row)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&tx)
            .await?;
        if written == 1 {
            audit::record(
                &tx,
                who.actor(),
                AuditAction::CertificateIssue,
                RESOURCE,
                Some(appointment_id),
                audit::created(&serde_json::json!({ "appointment_id": appointment_id })),
            )
            .await?;
        }
        tx.commit().await?;
        if let Some(c) = certificate::Entity::find_by_id(appointment_id).one(db.reader()).await? {
            return Ok(c);
        }
    }
    Err(crate::Error::Internal("could not issue a unique certificate code".into()))
}

/// Checks a code as printed (any case, with or without separators). `NotFound` for a code that
/// is not one, or that no certificate has — the two are not told apart.
pub async fn verify<C: ConnectionTrait>(conn: &C, typed: &str) -> Result<Verified> {
    let code = Code::parse(typed).ok_or_else(|| not_found(RESOURCE))?;
    let c = certificate::Entity::find()
        .filter(certificate::Column::Code.eq(code.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| not_found(RESOURCE))?;
    let a = appointment::Entity::find_by_id(c.appointment_id).one(conn).await?.ok_or_else(|| not_found(RESOURCE))?;
    let l = lines(conn, vec![a]).await?.pop().ok_or_else(|| not_found(RESOURCE))?;
    Ok(Verified {
        grade: confirmed(&l),
        name: l.name,
        college: l.college_name,
        academic_year: l.academic_year,
        served_from: l.served_from,
        served_to: l.served_to,
    })
}
