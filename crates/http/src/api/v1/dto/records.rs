//! Students, staff, units and honours as exports write them and imports read them (one row of the
//! file, or one element of the JSON array).

use chrono::NaiveDate;
use domain::import::{StaffRecord, StudentRecord, UnitRecord};
use domain::reference::{Degree, Gender, PoliticalStatus, StudentStatus, UnitKind};
use domain::selection::HonorLevel;
use serde::Serialize;
use utoipa::ToSchema;

/// A student as exports write it and imports read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentRecordDto {
    /// 学号 (the key).
    pub student_no: String,
    /// 姓名.
    pub name: String,
    /// 性别 (imports also take `男`/`女`).
    pub gender: Gender,
    /// 学院: the college's name (imports also take its code).
    pub college: String,
    /// 单位代码: the unit's code (imports also take its name within the college).
    pub unit: Option<String>,
    /// 培养层次 (imports also take `硕士`/`博士`).
    pub degree: Degree,
    /// 入学年份.
    pub enrollment_year: i32,
    /// 政治面貌 (imports also take `中共党员`, `中共预备党员`, `共青团员`, `群众`, `其他`).
    pub political_status: PoliticalStatus,
    /// 导师工号: the supervisor's staff number.
    pub supervisor: Option<String>,
    /// 辅导员工号: the counselor's staff number.
    pub counselor: Option<String>,
    /// 手机.
    pub phone: Option<String>,
    /// 邮箱.
    pub email: Option<String>,
    /// 学籍状态 (imports also take `在读`, `休学`, `毕业`, `退学`).
    pub status: StudentStatus,
}

impl From<StudentRecord> for StudentRecordDto {
    fn from(r: StudentRecord) -> Self {
        let s = r.student;
        Self {
            student_no: s.student_no,
            name: s.name,
            gender: s.gender,
            college: r.college,
            unit: r.unit,
            degree: s.degree,
            enrollment_year: s.enrollment_year,
            political_status: s.political_status,
            supervisor: r.supervisor,
            counselor: r.counselor,
            phone: s.phone,
            email: s.email,
            status: s.status,
        }
    }
}

/// A staff member as exports write them and imports read them.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffRecordDto {
    /// 工号 (the key).
    pub staff_no: String,
    /// 姓名.
    pub name: String,
    /// 学院: the college's name (imports also take its code).
    pub college: String,
    /// 是否导师 (imports also take `是`/`否`).
    pub is_supervisor: bool,
    /// 是否辅导员 (imports also take `是`/`否`).
    pub is_counselor: bool,
    /// 手机.
    pub phone: Option<String>,
    /// 邮箱.
    pub email: Option<String>,
}

impl From<StaffRecord> for StaffRecordDto {
    fn from(r: StaffRecord) -> Self {
        let s = r.staff;
        Self {
            staff_no: s.staff_no,
            name: s.name,
            college: r.college,
            is_supervisor: s.is_supervisor,
            is_counselor: s.is_counselor,
            phone: s.phone,
            email: s.email,
        }
    }
}

/// A unit as exports write it and imports read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRecordDto {
    /// 单位代码 (the key).
    pub code: String,
    /// 单位名称.
    pub name: String,
    /// 类型 (imports also take `学科方向`, `实验室`, `课题组`, `临床科室`, `导师科研团队`).
    pub kind: UnitKind,
    /// 学院: the college's name (imports also take its code).
    pub college: String,
    /// 所属学科代码: the code of the discipline a lab, group, department or team belongs to.
    pub discipline: Option<String>,
}

impl From<UnitRecord> for UnitRecordDto {
    fn from(r: UnitRecord) -> Self {
        Self { code: r.unit.code, name: r.unit.name, kind: r.unit.kind, college: r.college, discipline: r.discipline }
    }
}

/// An honour as imports read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HonorRecordDto {
    /// 学号 of the student.
    pub student_no: String,
    /// 姓名: when given, it must be the student's.
    pub name: Option<String>,
    /// 荣誉称号, e.g. `优秀研究生`.
    pub title: String,
    /// 级别 (imports also take `院级`, `校级`, `省级`, `国家级`).
    pub level: HonorLevel,
    /// 获得日期 (imports also take `2024/12/1`, `2024年12月1日`, …).
    pub awarded_on: NaiveDate,
}
