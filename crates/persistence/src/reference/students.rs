//! Students (研究生).

use domain::Problems;
use domain::auth::Principal;
use domain::page::{CursorPage, ListRequest};
use domain::policy::{self, Visibility};
use domain::reference::{
    Degree, NewStudent, PoliticalStatus, Student, StudentChanges, StudentStatus, check_counselor, check_student_unit,
    check_supervisor,
};
use domain::{AuditAction, DomainEvent};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::entities::student::{ActiveModel, Column, Entity, Model};
use crate::enums::{DbDegree, DbPoliticalStatus, DbStudentStatus};
use crate::query::{
    Keyset, check_version, constraint, filter_eq, find, find_for_update, keyset_page, not_found, search,
};
use crate::reference::{staff, units};
use crate::{Db, Result, audit, events};

const RESOURCE: &str = "student";

pub(crate) fn to_domain(m: Model) -> Student {
    Student {
        id: m.id,
        student_no: m.student_no,
        name: m.name,
        gender: m.gender.into(),
        college_id: m.college_id,
        unit_id: m.unit_id,
        degree: m.degree.into(),
        enrollment_year: m.enrollment_year,
        political_status: m.political_status.into(),
        supervisor_id: m.supervisor_id,
        counselor_id: m.counselor_id,
        phone: m.phone,
        email: m.email,
        status: m.status.into(),
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Each student in `ids`, by id.
pub(crate) async fn by_id<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, Student>> {
    let rows = crate::query::find_by_ids::<Entity, _>(conn, Column::Id, ids).await?;
    Ok(rows.into_iter().map(|m| (m.id, to_domain(m))).collect())
}

/// A student as shown beside a pairing or an appointment: who, without contact details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Id.
    pub id: Uuid,
    /// 学号.
    pub student_no: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit_id: Option<Uuid>,
    /// Year of enrolment.
    pub enrollment_year: i32,
}

impl From<&Student> for Person {
    fn from(s: &Student) -> Self {
        Person {
            id: s.id,
            student_no: s.student_no.clone(),
            name: s.name.clone(),
            unit_id: s.unit_id,
            enrollment_year: s.enrollment_year,
        }
    }
}

pub(crate) fn to_active(s: &Student) -> ActiveModel {
    ActiveModel {
        id: Set(s.id),
        student_no: Set(s.student_no.clone()),
        name: Set(s.name.clone()),
        gender: Set(s.gender.into()),
        college_id: Set(s.college_id),
        unit_id: Set(s.unit_id),
        degree: Set(s.degree.into()),
        enrollment_year: Set(s.enrollment_year),
        political_status: Set(s.political_status.into()),
        supervisor_id: Set(s.supervisor_id),
        counselor_id: Set(s.counselor_id),
        phone: Set(s.phone.clone()),
        email: Set(s.email.clone()),
        status: Set(s.status.into()),
        version: Set(s.version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

/// Checks that a student's references exist and fit: the college, the unit in that college,
/// the supervisor a supervisor and the counselor a counselor of that college. Reports every bad reference at once.
pub(crate) async fn check_references<C: ConnectionTrait>(conn: &C, s: &Student) -> Result<()> {
    let mut p = Problems::new();
    if crate::entities::college::Entity::find_by_id(s.college_id).one(conn).await?.is_none() {
        p.push("college_id", "invalid_reference", "no such college");
    }
    if let Some(u) = s.unit_id {
        match units::referenced(conn, "unit_id", u).await {
            Ok(unit) => {
                p.take(check_student_unit(&unit, s.college_id));
            }
            Err(crate::Error::Domain(e)) => p.absorb(e)?,
            Err(e) => return Err(e),
        }
    }
    if let Some(sup) = s.supervisor_id {
        let found = crate::entities::staff::Entity::find_by_id(sup).one(conn).await?.map(staff::to_domain);
        p.take(check_supervisor(found.as_ref(), s.college_id));
    }
    if let Some(c) = s.counselor_id {
        let found = crate::entities::staff::Entity::find_by_id(c).one(conn).await?.map(staff::to_domain);
        p.take(check_counselor(found.as_ref(), s.college_id));
    }
    Ok(p.finish()?)
}

fn duplicate(no: &str) -> String {
    format!("a student with the student number {no} exists already")
}

/// A new student record from a command.
pub(crate) fn from_new(new: NewStudent) -> Student {
    let now = crate::now();
    Student {
        id: Uuid::now_v7(),
        student_no: new.student_no.into_string(),
        name: new.name.into_string(),
        gender: new.gender,
        college_id: new.college_id,
        unit_id: new.unit_id,
        degree: new.degree,
        enrollment_year: new.enrollment_year,
        political_status: new.political_status,
        supervisor_id: new.supervisor_id,
        counselor_id: new.counselor_id,
        phone: new.phone.map(|p| p.into_string()),
        email: new.email.map(|e| e.into_string()),
        status: new.status,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Creates a student.
pub async fn create(db: &Db, who: &Principal, new: NewStudent) -> Result<Student> {
    policy::manage_student(who, new.college_id)?;
    let student = from_new(new);
    let tx = db.begin().await?;
    check_references(&tx, &student).await?;
    to_active(&student)
        .insert(&tx)
        .await
        .map_err(|e| constraint(e, &duplicate(&student.student_no), "a referenced record vanished"))?;
    audit::record(&tx, who.actor(), AuditAction::StudentCreate, RESOURCE, Some(student.id), audit::created(&student))
        .await?;
    events::emit(&tx, DomainEvent::StudentCreated, RESOURCE, student.id, &student).await?;
    tx.commit().await?;
    Ok(student)
}

fn visible(v: Visibility, s: &Student) -> bool {
    policy::sees_student(v, s.id, s.college_id, s.supervisor_id)
}

/// One student, if the caller may see them.
pub async fn get(db: &Db, who: &Principal, id: Uuid) -> Result<Student> {
    let v = policy::student_visibility(who)?;
    let s = to_domain(find::<Entity, _>(db.reader(), id, RESOURCE).await?);
    if !visible(v, &s) {
        return Err(not_found(RESOURCE));
    }
    Ok(s)
}

/// Filters of the student list. Serialised, they are what a cursor is bound to.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StudentFilter {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only this supervisor's students.
    pub supervisor_id: Option<Uuid>,
    /// Only this counselor's students.
    pub counselor_id: Option<Uuid>,
    /// Only this degree.
    pub degree: Option<Degree>,
    /// Only this enrolment year.
    pub enrollment_year: Option<i32>,
    /// Only this political status.
    pub political_status: Option<PoliticalStatus>,
    /// Only this status.
    pub status: Option<StudentStatus>,
    /// Substring of name or student number.
    pub q: Option<String>,
}

/// Restricts a query to what `v` lets the caller see.
pub(crate) fn restrict(select: Select<Entity>, v: Visibility) -> Select<Entity> {
    match v {
        Visibility::All => select,
        Visibility::College(c) => select.filter(Column::CollegeId.eq(c)),
        Visibility::Supervisor(s) => select.filter(Column::SupervisorId.eq(s)),
        Visibility::Student(s) => select.filter(Column::Id.eq(s)),
        Visibility::StaffSelf(_) => select.filter(Column::Id.is_null()),
    }
}

/// Applies the list filters.
pub(crate) fn filtered(f: &StudentFilter) -> Select<Entity> {
    let mut select = Entity::find();
    select = filter_eq(select, Column::CollegeId, f.college_id);
    select = filter_eq(select, Column::UnitId, f.unit_id);
    select = filter_eq(select, Column::SupervisorId, f.supervisor_id);
    select = filter_eq(select, Column::CounselorId, f.counselor_id);
    select = filter_eq(select, Column::Degree, f.degree.map(DbDegree::from));
    select = filter_eq(select, Column::EnrollmentYear, f.enrollment_year);
    select = filter_eq(select, Column::PoliticalStatus, f.political_status.map(DbPoliticalStatus::from));
    select = filter_eq(select, Column::Status, f.status.map(DbStudentStatus::from));
    search(select, &[Column::Name, Column::StudentNo], f.q.as_deref())
}

/// Lists the students the caller may see: by page or after a cursor, counted or not.
pub async fn list(
    db: &Db,
    who: &Principal,
    filter: StudentFilter,
    req: &ListRequest,
    sort: Option<&str>,
) -> Result<CursorPage<Student>> {
    let v = policy::student_visibility(who)?;
    let keys = Keyset {
        sorts: &[
            ("student_no", Column::StudentNo),
            ("name", Column::Name),
            ("enrollment_year", Column::EnrollmentYear),
            ("created_at", Column::CreatedAt),
        ],
        tiebreak: Column::Id,
    };
    let select = restrict(filtered(&filter), v);
    Ok(keyset_page(db.reader(), select, req, sort, keys, &filter).await?.map(to_domain))
}

/// Changes a student. Moving a student to another college needs the right to manage both.
pub async fn update(
    db: &Db,
    who: &Principal,
    id: Uuid,
    changes: StudentChanges,
    if_match: Option<i32>,
) -> Result<Student> {
    let v = policy::student_visibility(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    if !visible(v, &before) {
        return Err(not_found(RESOURCE));
    }
    policy::manage_student(who, before.college_id)?;
    check_version(if_match, before.version)?;
    let mut after = before.with_changes(changes);
    policy::manage_student(who, after.college_id)?;
    check_references(&tx, &after).await?;
    after.version += 1;
    after.updated_at = crate::now();
    to_active(&after).update(&tx).await.map_err(|e| constraint(e, &duplicate(&after.student_no), "-"))?;
    audit::record(&tx, who.actor(), AuditAction::StudentUpdate, RESOURCE, Some(id), audit::updated(&before, &after))
        .await?;
    events::emit(&tx, DomainEvent::StudentUpdated, RESOURCE, id, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a student nothing refers to (a graduated student is normally kept with that status).
pub async fn delete(db: &Db, who: &Principal, id: Uuid, if_match: Option<i32>) -> Result<()> {
    let v = policy::student_visibility(who)?;
    let tx = db.begin().await?;
    let before = to_domain(find_for_update::<Entity, _>(&tx, id, RESOURCE).await?);
    if !visible(v, &before) {
        return Err(not_found(RESOURCE));
    }
    policy::manage_student(who, before.college_id)?;
    check_version(if_match, before.version)?;
    Entity::delete_by_id(id)
        .exec(&tx)
        .await
        .map_err(|e| constraint(e, "-", "the student is still referred to (an account, a nomination…)"))?;
    audit::record(&tx, who.actor(), AuditAction::StudentDelete, RESOURCE, Some(id), audit::deleted(&before)).await?;
    events::emit(&tx, DomainEvent::StudentDeleted, RESOURCE, id, &before).await?;
    tx.commit().await?;
    Ok(())
}
