//! Importing students, upserted by 学号.

use domain::{AuditAction, DomainEvent};
use std::collections::{HashMap, HashSet};

use domain::import::{ImportKind, Parsed, RowError, StudentField as F, StudentRow};
use domain::policy::{self, Visibility};
use domain::reference::{
    Staff, Student, StudentChanges, StudentStatus, Unit, check_counselor, check_student_unit, check_supervisor,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Value};
use uuid::Uuid;

use super::{Change, Colleges, Importer, KEYS_PER_QUERY, Plan, college_problem};
use crate::Result;
use crate::entities::{staff as staff_entity, student, unit};
use crate::enums::{DbDegree, DbGender, DbPoliticalStatus, DbStudentStatus};
use crate::events::{self, NewEvent};
use crate::query::{Upsert, bulk_insert, constraint};
use crate::reference::{staff, students, units};

/// The student import.
pub(super) struct Students;

impl Importer for Students {
    type Row = StudentRow;
    type Record = Student;
    const AUDIT_ACTION: AuditAction = AuditAction::StudentImport;
    const KIND: ImportKind = ImportKind::Students;
    // Supervisors and counselors must stay what they are, and no one else may write students, until this commits.
    const LOCKS: &'static [(&'static str, &'static str)] = &[("staff", "SHARE"), ("students", "SHARE ROW EXCLUSIVE")];

    async fn plan<C: ConnectionTrait>(
        conn: &C,
        scope: Visibility,
        parsed: &Parsed<StudentRow>,
    ) -> Result<Plan<Student>> {
        plan(conn, scope, parsed).await
    }

    async fn write(tx: &DatabaseTransaction, plan: &Plan<Student>) -> Result<()> {
        write(tx, plan).await
    }

    fn key(s: &Student) -> String {
        s.student_no.clone()
    }
}

/// The stored students with the given numbers.
pub(super) async fn by_number<C: ConnectionTrait>(conn: &C, numbers: &[String]) -> Result<HashMap<String, Student>> {
    let mut found = HashMap::with_capacity(numbers.len());
    if numbers.len() > KEYS_PER_QUERY {
        for m in student::Entity::find().all(conn).await? {
            found.insert(m.student_no.clone(), students::to_domain(m));
        }
        return Ok(found);
    }
    for chunk in numbers.chunks(KEYS_PER_QUERY) {
        let rows =
            student::Entity::find().filter(student::Column::StudentNo.is_in(chunk.iter().cloned())).all(conn).await?;
        for m in rows {
            found.insert(m.student_no.clone(), students::to_domain(m));
        }
    }
    Ok(found)
}

/// The stored staff with the given numbers.
pub(super) async fn staff_by_number<C: ConnectionTrait>(
    conn: &C,
    numbers: &[String],
) -> Result<HashMap<String, Staff>> {
    let mut found = HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(KEYS_PER_QUERY) {
        let rows = staff_entity::Entity::find()
            .filter(staff_entity::Column::StaffNo.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?;
        for m in rows {
            found.insert(m.staff_no.clone(), staff::to_domain(m));
        }
    }
    Ok(found)
}

/// Units by code, and by name within each college (a sheet often names the unit).
struct Units {
    by_code: HashMap<String, Unit>,
    by_name: HashMap<(Uuid, String), Vec<Uuid>>,
    by_id: HashMap<Uuid, Unit>,
}

impl Units {
    async fn load<C: ConnectionTrait>(conn: &C) -> Result<Self> {
        let all: Vec<Unit> = unit::Entity::find().all(conn).await?.into_iter().map(units::to_domain).collect();
        let mut by_name: HashMap<(Uuid, String), Vec<Uuid>> = HashMap::new();
        for u in &all {
            by_name.entry((u.college_id, u.name.clone())).or_default().push(u.id);
        }
        Ok(Self {
            by_code: all.iter().map(|u| (u.code.clone(), u.clone())).collect(),
            by_name,
            by_id: all.into_iter().map(|u| (u.id, u)).collect(),
        })
    }

    /// The unit a cell names: by code, else by its name within `college`.
    fn resolve(&self, raw: &str, college: Option<Uuid>) -> Result<&Unit, String> {
        if let Some(u) = self.by_code.get(raw) {
            return Ok(u);
        }
        let named = college.and_then(|c| self.by_name.get(&(c, raw.to_owned())));
        match named.map(Vec::as_slice) {
            Some([id]) => self.by_id.get(id).ok_or_else(|| format!("no unit has the code {raw}")),
            Some([_, _, ..]) => Err(format!("several units of the college are named {raw}; give the unit code")),
            _ => Err(format!("no unit has the code {raw} (or that name in the student's college)")),
        }
    }
}

async fn plan<C: ConnectionTrait>(conn: &C, scope: Visibility, parsed: &Parsed<StudentRow>) -> Result<Plan<Student>> {
    let mut plan = Plan::new(parsed.rows.len());
    if parsed.rows.is_empty() {
        return Ok(plan);
    }
    let colleges = Colleges::load(conn).await?;
    let units = Units::load(conn).await?;
    // Supervisors and counselors, by 工号, in one lookup.
    let staff_numbers: Vec<String> = parsed
        .rows
        .iter()
        .flat_map(|r| [&r.supervisor, &r.counselor])
        .filter_map(|s| s.as_ref().and_then(|s| s.as_ref()).map(|s| s.as_str().to_owned()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let supervisors = staff_by_number(conn, &staff_numbers).await?;
    let numbers: Vec<String> = parsed.rows.iter().map(|r| r.student_no.as_str().to_owned()).collect();
    let existing = by_number(conn, &numbers).await?;
    let now = crate::now();
    let col = |f: F| parsed.column(f.index());

    for row in &parsed.rows {
        let line = Some(row.line);
        let mut errors: Vec<RowError> = Vec::new();
        let mut err = |f: F, code: &str, message: String| errors.push(RowError::new(line, col(f), code, message));

        let college = match college_problem(&colleges, scope, &row.college) {
            Ok(id) => Some(id),
            Err((code, message)) => {
                err(F::College, code, message);
                None
            }
        };
        let before = existing.get(row.student_no.as_str());
        if let Some(b) = before
            && !policy::imports_into(scope, b.college_id)
        {
            err(
                F::StudentNo,
                "duplicate",
                format!(
                    "{} is the 学号 of a student of another college; only that college can change them",
                    b.student_no
                ),
            );
        }
        let unit_id = match &row.unit {
            None => None,
            Some(None) => Some(None),
            // A unit may be named within the student's college: until the college is known it
            // cannot be judged, and the college's own error says what is wrong with the row.
            Some(Some(_)) if college.is_none() => None,
            Some(Some(raw)) => match units.resolve(raw, college) {
                Ok(u) => Some(Some(u.id)),
                Err(message) => {
                    err(F::Unit, "invalid_reference", message);
                    None
                }
            },
        };
        let supervisor_id = match &row.supervisor {
            None => None,
            Some(None) => Some(None),
            // Without a college the row fails anyway, and there is nothing to check the
            // supervisor against.
            Some(Some(no)) => match college {
                None => None,
                Some(college_id) => {
                    match (supervisors.get(no.as_str()), check_supervisor(supervisors.get(no.as_str()), college_id)) {
                        (Some(s), Ok(())) => Some(Some(s.id)),
                        (Some(s), Err(e)) if s.college_id == college_id => {
                            err(F::Supervisor, &e.code, format!("{} ({}) is not a supervisor", s.name, s.staff_no));
                            None
                        }
                        // Unknown or of another college: the same answer, which tells nothing of
                        // other colleges' staff.
                        _ => {
                            err(
                                F::Supervisor,
                                "invalid_reference",
                                format!("no supervisor of the student's college has the 工号 {no}"),
                            );
                            None
                        }
                    }
                }
            },
        };
        let counselor_id = match &row.counselor {
            None => None,
            Some(None) => Some(None),
            Some(Some(no)) => match college {
                None => None,
                Some(college_id) => {
                    let found = supervisors.get(no.as_str());
                    match (found, check_counselor(found, college_id)) {
                        (Some(s), Ok(())) => Some(Some(s.id)),
                        (Some(s), Err(e)) if s.college_id == college_id => {
                            err(F::Counselor, &e.code, format!("{} ({}) is not a counselor", s.name, s.staff_no));
                            None
                        }
                        // Unknown or of another college: the same answer.
                        _ => {
                            err(
                                F::Counselor,
                                "invalid_reference",
                                format!("no counselor of the student's college has the 工号 {no}"),
                            );
                            None
                        }
                    }
                }
            },
        };
        // The unit the student ends up in must belong to the college they end up in.
        let final_unit = match unit_id {
            Some(u) => u,
            None => before.and_then(|b| b.unit_id),
        };
        if let (Some(college_id), Some(u)) = (college, final_unit.and_then(|id| units.by_id.get(&id)))
            && let Err(e) = check_student_unit(u, college_id)
        {
            let field = if matches!(row.unit, Some(Some(_))) { F::Unit } else { F::College };
            err(field, &e.code, format!("the unit {} belongs to another college than the student", u.code));
        }
        let (true, Some(college_id)) = (errors.is_empty(), college) else {
            plan.errors.append(&mut errors);
            continue;
        };
        let changes = StudentChanges {
            student_no: None,
            name: Some(row.name.clone()),
            gender: Some(row.gender),
            college_id: Some(college_id),
            unit_id,
            degree: Some(row.degree),
            enrollment_year: Some(row.enrollment_year),
            political_status: Some(row.political_status),
            supervisor_id,
            counselor_id,
            phone: row.phone.clone(),
            email: row.email.clone(),
            status: row.status,
        };
        match before {
            Some(b) => {
                let mut after = b.with_changes(changes);
                if after == *b {
                    plan.unchanged += 1;
                } else {
                    after.version += 1;
                    after.updated_at = now;
                    plan.changes.push(Change::Updated(b.clone(), after));
                }
            }
            None => {
                let blank = Student {
                    id: Uuid::now_v7(),
                    student_no: row.student_no.as_str().to_owned(),
                    name: String::new(),
                    gender: row.gender,
                    college_id,
                    unit_id: None,
                    degree: row.degree,
                    enrollment_year: row.enrollment_year,
                    political_status: row.political_status,
                    supervisor_id: None,
                    counselor_id: None,
                    phone: None,
                    email: None,
                    status: StudentStatus::Enrolled,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                plan.changes.push(Change::Created(blank.with_changes(changes)));
            }
        }
    }
    Ok(plan)
}

/// The columns of a student row, in the order of [`values`].
const COLUMNS: [student::Column; 17] = {
    use student::Column as C;
    [
        C::Id,
        C::StudentNo,
        C::Name,
        C::Gender,
        C::CollegeId,
        C::UnitId,
        C::Degree,
        C::EnrollmentYear,
        C::PoliticalStatus,
        C::SupervisorId,
        C::CounselorId,
        C::Phone,
        C::Email,
        C::Status,
        C::Version,
        C::CreatedAt,
        C::UpdatedAt,
    ]
};

fn values(s: &Student) -> Vec<Value> {
    vec![
        s.id.into(),
        s.student_no.clone().into(),
        s.name.clone().into(),
        DbGender::from(s.gender).into(),
        s.college_id.into(),
        s.unit_id.into(),
        DbDegree::from(s.degree).into(),
        s.enrollment_year.into(),
        DbPoliticalStatus::from(s.political_status).into(),
        s.supervisor_id.into(),
        s.counselor_id.into(),
        s.phone.clone().into(),
        s.email.clone().into(),
        DbStudentStatus::from(s.status).into(),
        s.version.into(),
        s.created_at.into(),
        s.updated_at.into(),
    ]
}

async fn write(tx: &DatabaseTransaction, plan: &Plan<Student>) -> Result<()> {
    use student::Column as C;
    let refs = "a college, unit, supervisor or counselor the file names was deleted meanwhile";
    let duplicate = "a student of the file exists already";
    bulk_insert(tx, student::Entity, &COLUMNS, None, plan.created().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    // Changed rows go in as upserts: each 学号 exists, so each row updates its student.
    let upsert = Upsert {
        key: &[C::StudentNo],
        update: &[
            C::Name,
            C::Gender,
            C::CollegeId,
            C::UnitId,
            C::Degree,
            C::EnrollmentYear,
            C::PoliticalStatus,
            C::SupervisorId,
            C::CounselorId,
            C::Phone,
            C::Email,
            C::Status,
            C::Version,
            C::UpdatedAt,
        ],
    };
    bulk_insert(tx, student::Entity, &COLUMNS, Some(upsert), plan.updated().map(values))
        .await
        .map_err(|e| constraint(e, duplicate, refs))?;
    let events = plan.changes.iter().map(|c| match c {
        Change::Created(s) => NewEvent::new(DomainEvent::StudentImported, "student", s.id, s),
        Change::Updated(_, s) => NewEvent::new(DomainEvent::StudentUpdated, "student", s.id, s),
    });
    events::emit_many(tx, events).await
}
