//! The service certificate (学长工作证明, issue 15): `GET /appointments/{id}/certificate` as JSON
//! or as a printable PDF, and `GET /public/certificates/{code}`, the check of a printed code.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::appointment::AppointmentState;
use domain::certificate::{Code, Facts, text};
use domain::performance::Performance;
use domain::yearend::Grade;
use persistence::usecases::certificates::{self as repo, Certificate, Verified};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized};
use crate::respond::ok;
use crate::state::AppState;

/// Where a printed code is checked.
fn verify_path(code: &Code) -> String {
    format!("/api/v1/public/certificates/{code}")
}

/// A commendation on the certificate.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommendationLineDto {
    /// Its title.
    #[schema(example = "年度优秀研究生党员学长")]
    pub title: String,
    /// The day it was given.
    pub awarded_on: NaiveDate,
}

/// The service certificate of a completed term.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "7K3Q-FA9M-2DWX-H4PB", "verify_url": "/api/v1/public/certificates/7K3Q-FA9M-2DWX-H4PB",
    "issued_at": "2027-07-02T01:30:00Z", "appointment_id": "0193a4e1-7c2b-7abc-8def-0123456789ab",
    "academic_year": "2026-2027", "student_id": "0193a4e1-7c2b-7abc-8def-0123456789ae",
    "student_no": "2024000123", "name": "李明", "college_name": "计算机学院", "unit_name": "视觉实验室",
    "state": "completed", "served_from": "2026-09-10", "served_to": "2027-06-30", "grade": "excellent",
    "awards": ["2026-2027 年度优秀研究生党员学长"],
    "commendations": [{"title": "2026-2027 年度优秀研究生党员学长", "awarded_on": "2027-06-20"}],
    "figures": {"mentees_paired": 3, "work_records": 14, "consultations": 11, "group_sessions": 3,
        "minutes": 820, "activities_held": 2, "attendance": 37}
}))]
pub struct CertificateDto {
    /// The verification code, in groups of four; anyone can check it at `verify_url`. Issued the
    /// first time the certificate is asked for, the same ever after.
    #[schema(example = "7K3Q-FA9M-2DWX-H4PB", pattern = "^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")]
    pub code: String,
    /// `GET` it without a token to check the code.
    pub verify_url: String,
    /// When the code was issued.
    pub issued_at: DateTime<Utc>,
    /// The appointment.
    pub appointment_id: Uuid,
    /// The academic year's code.
    pub academic_year: String,
    /// The mentor (a student id).
    pub student_id: Uuid,
    /// 学号.
    pub student_no: String,
    /// The mentor's name.
    pub name: String,
    /// The college.
    pub college_name: String,
    /// The unit served.
    pub unit_name: String,
    /// Always `completed`: only a completed term has a certificate.
    pub state: AppointmentState,
    /// The first day of the term (the appointment, Asia/Shanghai).
    pub served_from: NaiveDate,
    /// The last day of the term (the close of the year).
    pub served_to: NaiveDate,
    /// The grade the university confirmed; `null` until it confirms (the college's proposal is not
    /// printed).
    pub grade: Option<Grade>,
    /// The award rounds the mentor won that year.
    pub awards: Vec<String>,
    /// The commendations on the appointment.
    pub commendations: Vec<CommendationLineDto>,
    /// The work figures the certificate prints, as `GET /appointments/{id}/performance` computes
    /// them when the certificate is asked for.
    pub figures: CertificateFiguresDto,
}

/// The work figures on a certificate; each as in `GET /appointments/{id}/performance`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateFiguresDto {
    /// Distinct mentees paired with the appointment.
    #[schema(minimum = 0)]
    pub mentees_paired: i64,
    /// Work records of the appointment (`consultations + group_sessions`).
    #[schema(minimum = 0)]
    pub work_records: i64,
    /// Work records of an individual kind.
    #[schema(minimum = 0)]
    pub consultations: i64,
    /// Work records of a group kind.
    #[schema(minimum = 0)]
    pub group_sessions: i64,
    /// The minutes of the work records.
    #[schema(minimum = 0)]
    pub minutes: i64,
    /// Activities it hosted that were held.
    #[schema(minimum = 0)]
    pub activities_held: i64,
    /// Attendances marked at them.
    #[schema(minimum = 0)]
    pub attendance: i64,
}

impl From<&Performance> for CertificateFiguresDto {
    fn from(p: &Performance) -> Self {
        Self {
            mentees_paired: p.mentees_paired,
            work_records: p.work_records,
            consultations: p.consultations,
            group_sessions: p.group_sessions,
            minutes: p.minutes,
            activities_held: p.activities_held,
            attendance: p.attendance,
        }
    }
}

fn facts(c: &Certificate) -> Facts {
    let l = &c.line;
    Facts {
        name: l.name.clone(),
        student_no: l.student_no.clone(),
        college: l.college_name.clone(),
        unit: l.unit_name.clone(),
        academic_year: l.academic_year.clone(),
        served_from: l.served_from,
        served_to: l.served_to,
        mentees: c.figures.mentees_paired,
        work_records: c.figures.work_records,
        consultations: c.figures.consultations,
        group_sessions: c.figures.group_sessions,
        minutes: c.figures.minutes,
        activities_held: c.figures.activities_held,
        attendance: c.figures.attendance,
        grade: c.grade(),
        awards: l.awards.clone(),
        commendations: l.commendations.iter().map(|(t, _)| t.clone()).collect(),
        code: c.code.clone(),
        issued_on: domain::time::shanghai_date(c.issued_at),
    }
}

impl From<Certificate> for CertificateDto {
    fn from(c: Certificate) -> Self {
        let grade = c.grade();
        let l = c.line;
        Self {
            code: c.code.to_string(),
            verify_url: verify_path(&c.code),
            issued_at: c.issued_at,
            appointment_id: l.appointment_id,
            academic_year: l.academic_year,
            student_id: l.student_id,
            student_no: l.student_no,
            name: l.name,
            college_name: l.college_name,
            unit_name: l.unit_name,
            state: l.state,
            served_from: l.served_from,
            served_to: l.served_to,
            grade,
            awards: l.awards,
            commendations: l
                .commendations
                .into_iter()
                .map(|(title, awarded_on)| CommendationLineDto { title, awarded_on })
                .collect(),
            figures: CertificateFiguresDto::from(&c.figures),
        }
    }
}

/// The certificate as a printable A4 PDF.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Documents the body.
pub struct CertificatePdf(Vec<u8>);

/// How the certificate is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CertificateFormat {
    /// The data, as JSON.
    Json,
    /// A printable A4 PDF.
    Pdf,
}

/// The certificate's format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    /// `json` (the default) or `pdf`; without it, `Accept: application/pdf` asks for the PDF.
    pub format: Option<CertificateFormat>,
}

impl CertificateQuery {
    fn format(&self, req: &HttpRequest) -> CertificateFormat {
        if let Some(f) = self.format {
            return f;
        }
        let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
        if accept.contains("application/pdf") && !accept.contains("application/json") {
            CertificateFormat::Pdf
        } else {
            CertificateFormat::Json
        }
    }
}

/// The service certificate of a completed term (学长工作证明).
///
/// Mentor, college, unit, term, mentees, the year's work figures, the grade the university
/// confirmed, awards and commendations, and a verification code that anyone can check at
/// `GET /public/certificates/{code}`. JSON by default; `format=pdf` (or `Accept: application/pdf`)
/// gives a printable A4 PDF whose Chinese text is real text (searchable, copyable), in the font
/// that ships with the server. The first request issues the code; it stays the same. For the
/// mentor, the college's admins and counselors and the university (`404` for anyone else);
/// `409 term_not_completed` unless the term was completed (active, dismissed and resigned
/// appointments have none).
#[utoipa::path(
    operation_id = "appointment_certificate",
    tag = "year-end",
    params(("id" = Uuid, Path, description = "Appointment id"), CertificateQuery),
    responses(
        (status = 200, description = "The certificate", content(
            (CertificateDto = "application/json"),
            (CertificatePdf = "application/pdf")
        ), headers(("Content-Disposition" = String, description = "For the PDF: `inline; filename=\"certificate-<code>.pdf\"`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
#[get("/appointments/{id}/certificate")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    how: web::Query<CertificateQuery>,
) -> Result<HttpResponse, ApiError> {
    let c = repo::certificate(&state.db, &auth.principal, *id).await?;
    Ok(match how.format(&req) {
        CertificateFormat::Json => ok(&CertificateDto::from(c)),
        CertificateFormat::Pdf => {
            let blocks = text(&facts(&c), &verify_path(&c.code));
            let title = format!("研究生党员学长工作证明 {} {}", c.line.name, c.line.academic_year);
            let pdf = web::block(move || crate::pdf::render(&title, &blocks))
                .await
                .map_err(|e| ApiError::Persistence(persistence::Error::Internal(e.to_string())))??;
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "application/pdf"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"certificate-{}.pdf\"", c.code),
                ))
                .insert_header((header::CACHE_CONTROL, "private, no-store"))
                .body(pdf)
        }
    })
}

/// What a verification tells: name, college, term and grade.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "李明", "college_name": "计算机学院", "academic_year": "2026-2027",
    "served_from": "2026-09-10", "served_to": "2027-06-30", "grade": "excellent"}))]
pub struct VerifiedCertificateDto {
    /// The mentor's name.
    pub name: String,
    /// The college.
    pub college_name: String,
    /// The academic year served.
    pub academic_year: String,
    /// The first day of the term.
    pub served_from: NaiveDate,
    /// The last day of the term.
    pub served_to: NaiveDate,
    /// The grade the university confirmed, `null` if none yet.
    pub grade: Option<Grade>,
}

impl From<Verified> for VerifiedCertificateDto {
    fn from(v: Verified) -> Self {
        Self {
            name: v.name,
            college_name: v.college,
            academic_year: v.academic_year,
            served_from: v.served_from,
            served_to: v.served_to,
            grade: v.grade,
        }
    }
}

/// Check a service certificate's code (public).
///
/// No token. The code as printed, in any case, with or without the dashes (`O` reads as 0, `I` and
/// `L` as 1). Says only the mentor's name, college, term and confirmed grade. `404` for a code that
/// is not one or that no certificate has (not told apart).
#[utoipa::path(
    operation_id = "verify_certificate",
    tag = "year-end",
    security(()),
    params(("code" = String, Path, description = "The verification code", example = "7K3Q-FA9M-2DWX-H4PB")),
    responses(
        (status = 200, description = "The certificate is genuine", body = VerifiedCertificateDto),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    )
)]
#[get("/public/certificates/{code}")]
pub async fn verify(state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let v = repo::verify(state.db.reader(), &code).await?;
    Ok(ok(&VerifiedCertificateDto::from(v)))
}
