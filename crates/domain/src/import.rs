//! Bulk import and export of reference data: students, staff, units and honours.
//!
//! This module knows which columns a file may have (the English field names, or the Chinese
//! headers a university sheet uses), how cell values map to the domain (`中共党员` →
//! `party_member`, `硕士` → `master`, `男` → `male`, …), and what is wrong with each row, reported
//! by line and column. Reading the bytes (CSV, XLSX, JSON) is the HTTP layer's job; resolving the
//! references (college, unit, supervisor) and writing is persistence's.
//!
//! Columns the import does not know are ignored and reported back, so a sheet with a `序号` or
//! `备注` column imports as it is; a missing required column is an error for the whole file. A
//! column that is left out keeps the stored value (or takes the default for a new record); an empty
//! cell in an optional column clears it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use crate::appointment::{Appointment, AppointmentState};
use crate::error::FieldError;
use crate::pairing::{EndReason, Pairing, PairingSource, PairingState};
use crate::reference::{
    Code, Degree, Email, Gender, Name, PersonNo, Phone, PoliticalStatus, Staff, Student, StudentStatus, Unit, UnitKind,
    check_enrollment_year,
};
use crate::selection::HonorLevel;
use crate::string_enum;

string_enum! {
    /// What an import loads.
    pub enum ImportKind {
        /// Students, by 学号.
        Students = "students",
        /// Staff, by 工号.
        Staff = "staff",
        /// Units, by code.
        Units = "units",
        /// Honours, by (学号, title, date awarded).
        Honors = "honors",
    }
}

string_enum! {
    /// Where an import stands (its record, `GET /imports/{id}`).
    pub enum ImportRunState {
        /// Under way: its transaction has not ended yet.
        Running = "running",
        /// Written whole; the counts say what it did.
        Completed = "completed",
        /// Refused (bad rows, or another error): nothing was written.
        Failed = "failed",
        /// Did not complete, and nothing holds it any more: the server stopped (a crash, a kill)
        /// while it ran. Its transaction never committed, so nothing was written.
        Interrupted = "interrupted",
    }
}

/// One problem with one row of a file, or (without a line) with the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// Where: the CSV line (the header is line 1), the sheet row as Excel numbers it, or the index
    /// in a JSON array (from 0). Absent for a problem with the whole file, such as a missing column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The column as the file names it; empty when the problem is with the row as a whole.
    pub column: String,
    /// A stable machine code: `required`, `invalid_format`, `invalid_choice`, `out_of_range`,
    /// `invalid_reference`, `duplicate`, `forbidden`, `missing_column`, …
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
}

impl RowError {
    /// A problem at `line` in `column`.
    pub fn new(line: Option<u64>, column: &str, code: &str, message: impl Into<String>) -> Self {
        // The column and the message may quote the file's own header: shown back as text.
        Self {
            line,
            column: crate::text::printable(column),
            code: code.to_owned(),
            message: crate::text::printable(&message.into()),
        }
    }

    /// A problem of a parsed field, at `line`.
    pub fn from_field(line: u64, e: FieldError) -> Self {
        Self {
            line: Some(line),
            column: crate::text::printable(&e.field),
            code: e.code,
            message: crate::text::printable(&e.message),
        }
    }
}

/// A table as read from a file, before anything is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The header row as given.
    pub headers: Vec<String>,
    /// Where the header row is (CSV line or sheet row); `None` for a JSON array.
    pub header_line: Option<u64>,
    /// The data rows, in file order.
    pub rows: Vec<TableRow>,
    /// Problems the reader found in cells (an Excel error value, a nested JSON value, a row
    /// with more cells than the header). The rows they are on are not imported.
    pub errors: Vec<RowError>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// The CSV line, sheet row or JSON array index.
    pub line: u64,
    /// One cell per header; `None` when the row does not give that column at all (a key missing
    /// from a JSON object), `Some("")` when it gives it empty.
    pub cells: Vec<Option<String>>,
}

/// A column an import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The English field name (the JSON key).
    pub name: &'static str,
    /// The Chinese header, as exports write it.
    pub label: &'static str,
    /// Other headers accepted for it.
    pub aliases: &'static [&'static str],
    /// Whether every row must give it.
    pub required: bool,
}

macro_rules! columns {
    (
        $(#[$meta:meta])*
        $field:ident, $all:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($name:literal, $label:literal, [$($alias:literal),*], $required:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $field { $( $(#[$vmeta])* $variant ),+ }

        impl $field {
            /// The position of the field in its column list.
            pub const fn index(self) -> usize {
                self as usize
            }
        }

        #[doc = concat!("The columns of [`", stringify!($field), "`], in export order.")]
        pub const $all: &[Column] = &[
            $( Column { name: $name, label: $label, aliases: &[$($alias),*], required: $required } ),+
        ];
    };
}

columns! {
    /// The columns of a student import.
    StudentField, STUDENT_COLUMNS {
        /// 学号 (the key).
        StudentNo = ("student_no", "学号", [], true),
        /// 姓名.
        Name = ("name", "姓名", [], true),
        /// 性别: 男/女.
        Gender = ("gender", "性别", ["sex"], true),
        /// 学院: the college code or name.
        College = ("college", "学院", ["college_code", "college_name", "学院代码", "学院名称", "所在学院", "培养单位"], true),
        /// 单位: the unit code (or its name within the college).
        Unit = ("unit", "单位代码", ["unit_code", "专业/学科方向", "学科方向", "专业", "单位", "所在单位", "实验室", "课题组"], false),
        /// 培养层次: 硕士/博士.
        Degree = ("degree", "培养层次", ["学历层次", "学生类别"], true),
        /// 入学年份.
        EnrollmentYear = ("enrollment_year", "入学年份", ["年级", "入学年级"], true),
        /// 政治面貌.
        PoliticalStatus = ("political_status", "政治面貌", [], true),
        /// 导师: the supervisor's 工号.
        Supervisor = ("supervisor", "导师工号", ["supervisor_no", "supervisor_staff_no", "导师"], false),
        /// 辅导员: the counselor's 工号.
        Counselor = ("counselor", "辅导员工号", ["counselor_no", "counselor_staff_no", "辅导员"], false),
        /// 手机.
        Phone = ("phone", "手机", ["手机号", "手机号码", "联系电话", "电话"], false),
        /// 邮箱.
        Email = ("email", "邮箱", ["电子邮箱", "e-mail", "邮件"], false),
        /// 学籍状态: 在读/休学/毕业/退学.
        Status = ("status", "学籍状态", ["状态"], false),
    }
}

columns! {
    /// The columns of a staff import.
    StaffField, STAFF_COLUMNS {
        /// 工号 (the key).
        StaffNo = ("staff_no", "工号", [], true),
        /// 姓名.
        Name = ("name", "姓名", [], true),
        /// 学院: the college code or name.
        College = ("college", "学院", ["college_code", "college_name", "学院代码", "学院名称", "所在学院", "所在单位"], true),
        /// 是否导师: 是/否.
        IsSupervisor = ("is_supervisor", "是否导师", ["导师", "supervisor"], false),
        /// 是否辅导员: 是/否.
        IsCounselor = ("is_counselor", "是否辅导员", ["辅导员", "counselor"], false),
        /// 手机.
        Phone = ("phone", "手机", ["手机号", "手机号码", "联系电话", "电话"], false),
        /// 邮箱.
        Email = ("email", "邮箱", ["电子邮箱", "e-mail", "邮件"], false),
    }
}

columns! {
    /// The columns of a unit import.
    UnitField, UNIT_COLUMNS {
        /// 单位代码 (the key).
        Code = ("code", "单位代码", ["unit_code", "代码", "编码", "编号"], true),
        /// 单位名称.
        Name = ("name", "单位名称", ["名称"], true),
        /// 类型: 学科方向/实验室/课题组/临床科室/导师科研团队.
        Kind = ("kind", "类型", ["单位类型"], true),
        /// 学院: the college code or name.
        College = ("college", "学院", ["college_code", "college_name", "学院代码", "学院名称", "所在学院"], true),
        /// 所属学科: the code of the discipline a lab, group, department or team belongs to.
        Discipline = ("discipline", "所属学科代码", ["discipline_code", "所属学科", "学科代码"], false),
    }
}

columns! {
    /// The columns of an honour import.
    HonorField, HONOR_COLUMNS {
        /// 学号 of the student.
        StudentNo = ("student_no", "学号", [], true),
        /// 姓名: checked against the student when given.
        Name = ("name", "姓名", [], false),
        /// 荣誉称号.
        Title = ("title", "荣誉称号", ["称号", "荣誉名称", "荣誉"], true),
        /// 级别: 院级/校级/省级/国家级.
        Level = ("level", "级别", ["荣誉级别", "获奖级别"], true),
        /// 获得日期.
        AwardedOn = ("awarded_on", "获得日期", ["获奖日期", "授予日期", "获得时间", "获奖时间", "日期"], true),
    }
}

columns! {
    /// The columns of an appointment export (appointments are not imported).
    AppointmentField, APPOINTMENT_COLUMNS {
        /// 学年.
        AcademicYear = ("academic_year", "学年", [], true),
        /// 学号 of the mentor.
        StudentNo = ("student_no", "学号", [], true),
        /// 姓名 of the mentor.
        Name = ("name", "姓名", [], true),
        /// 学院.
        College = ("college", "学院", [], true),
        /// 单位代码.
        Unit = ("unit", "单位代码", [], true),
        /// 名额 (capacity).
        Capacity = ("capacity", "名额", [], true),
        /// 状态.
        State = ("state", "状态", [], true),
        /// 聘任日期.
        AppointedOn = ("appointed_on", "聘任日期", [], true),
        /// 培训完成日期.
        TrainingCompletedOn = ("training_completed_on", "培训完成日期", [], false),
        /// 结束日期.
        EndedOn = ("ended_on", "结束日期", [], false),
        /// 结束原因.
        EndReason = ("end_reason", "结束原因", [], false),
    }
}

columns! {
    /// The columns of a pairing export.
    PairingField, PAIRING_COLUMNS {
        /// 学年.
        AcademicYear = ("academic_year", "学年", [], true),
        /// 学院.
        College = ("college", "学院", [], true),
        /// 学号 of the mentor.
        MentorNo = ("mentor_student_no", "学长学号", [], true),
        /// 姓名 of the mentor.
        MentorName = ("mentor_name", "学长姓名", [], true),
        /// The mentor's unit code.
        MentorUnit = ("mentor_unit", "学长单位代码", [], true),
        /// 学号 of the mentee.
        MenteeNo = ("mentee_student_no", "新生学号", [], true),
        /// 姓名 of the mentee.
        MenteeName = ("mentee_name", "新生姓名", [], true),
        /// The mentee's unit code.
        MenteeUnit = ("mentee_unit", "新生单位代码", [], false),
        /// Whether the units differ.
        CrossUnit = ("cross_unit", "跨单位", [], true),
        /// How the pairing was made.
        Source = ("source", "结对方式", [], true),
        /// 状态.
        State = ("state", "状态", [], true),
        /// 结对日期.
        PairedOn = ("paired_on", "结对日期", [], true),
        /// 结束日期.
        EndedOn = ("ended_on", "结束日期", [], false),
        /// 结束原因.
        EndReason = ("end_reason", "结束原因", [], false),
        /// 结束说明.
        EndNote = ("end_note", "结束说明", [], false),
    }
}

/// The columns of an import of `kind`.
pub fn columns(kind: ImportKind) -> &'static [Column] {
    match kind {
        ImportKind::Students => STUDENT_COLUMNS,
        ImportKind::Staff => STAFF_COLUMNS,
        ImportKind::Units => UNIT_COLUMNS,
        ImportKind::Honors => HONOR_COLUMNS,
    }
}

/// Headers compare without surrounding space, a required-marker `*`, ASCII case, and with spaces
/// and hyphens as underscores (`Student No` is `student_no`).
fn normalize_header(h: &str) -> String {
    let h = h.trim().trim_start_matches('\u{feff}').trim_end_matches(['*', '＊']).trim();
    h.chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Chinese labels of an enum's values, and the other spellings an import accepts.
pub trait Labelled: Copy + PartialEq + FromStr + 'static {
    /// Each value with its label and further accepted spellings.
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])];

    /// The Chinese label (what exports write).
    fn label(self) -> &'static str {
        Self::LABELS.iter().find(|(v, ..)| *v == self).map(|(_, l, _)| *l).unwrap_or("")
    }
}

impl Labelled for Gender {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] =
        &[(Gender::Male, "男", &["m", "男性"]), (Gender::Female, "女", &["f", "女性"])];
}

impl Labelled for Degree {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (Degree::Master, "硕士", &["硕士研究生", "学术型硕士", "专业型硕士", "学硕", "专硕", "硕士生"]),
        (Degree::Doctoral, "博士", &["博士研究生", "博士生", "doctor", "phd"]),
    ];
}

impl Labelled for PoliticalStatus {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (PoliticalStatus::PartyMember, "中共党员", &["党员", "正式党员"]),
        (PoliticalStatus::ProbationaryPartyMember, "中共预备党员", &["预备党员"]),
        (PoliticalStatus::LeagueMember, "共青团员", &["团员"]),
        (PoliticalStatus::Masses, "群众", &[]),
        (
            PoliticalStatus::Other,
            "其他",
            &[
                "民主党派",
                "无党派人士",
                "民革党员",
                "民盟盟员",
                "民建会员",
                "民进会员",
                "农工党党员",
                "致公党党员",
                "九三学社社员",
                "台盟盟员",
            ],
        ),
    ];
}

impl Labelled for StudentStatus {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (StudentStatus::Enrolled, "在读", &["在校", "在籍"]),
        (StudentStatus::Suspended, "休学", &[]),
        (StudentStatus::Graduated, "毕业", &["已毕业"]),
        (StudentStatus::Withdrawn, "退学", &["已退学"]),
    ];
}

impl Labelled for UnitKind {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (UnitKind::Discipline, "学科方向", &["学科", "专业"]),
        (UnitKind::Laboratory, "实验室", &["lab"]),
        (UnitKind::ResearchGroup, "课题组", &[]),
        (UnitKind::ClinicalDepartment, "临床科室", &["科室"]),
        (UnitKind::SupervisorTeam, "导师科研团队", &["导师团队", "科研团队"]),
    ];
}

impl Labelled for HonorLevel {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (HonorLevel::College, "院级", &["学院级"]),
        (HonorLevel::University, "校级", &["学校级"]),
        (HonorLevel::Provincial, "省级", &["省部级"]),
        (HonorLevel::National, "国家级", &[]),
    ];
}

impl Labelled for AppointmentState {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (AppointmentState::Active, "在聘", &[]),
        (AppointmentState::Completed, "期满", &[]),
        (AppointmentState::Dismissed, "解聘", &[]),
        (AppointmentState::Resigned, "辞任", &[]),
    ];
}

impl Labelled for PairingState {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] =
        &[(PairingState::Active, "进行中", &[]), (PairingState::Ended, "已结束", &[])];
}

impl Labelled for PairingSource {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] =
        &[(PairingSource::Manual, "手动", &[]), (PairingSource::AutoMatch, "自动匹配", &[])];
}

impl Labelled for EndReason {
    const LABELS: &'static [(Self, &'static str, &'static [&'static str])] = &[
        (EndReason::Graduation, "毕业", &[]),
        (EndReason::Reassignment, "调整学长", &[]),
        (EndReason::Dismissal, "学长解聘", &[]),
        (EndReason::Resignation, "学长辞任", &[]),
        (EndReason::Request, "本人申请", &[]),
        (EndReason::TermCompleted, "学年结束", &[]),
    ];
}

/// Parses an enum value given as its wire name (`party_member`), its Chinese label (`中共党员`) or
/// another accepted spelling, for `column`.
pub fn parse_choice<T: Labelled>(column: &str, raw: &str) -> Result<T, FieldError> {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    if let Ok(v) = lower.parse::<T>() {
        return Ok(v);
    }
    let found = T::LABELS
        .iter()
        .find(|(_, label, others)| *label == s || others.iter().any(|o| *o == s || o.eq_ignore_ascii_case(&lower)));
    match found {
        Some((v, ..)) => Ok(*v),
        None => {
            let labels: Vec<&str> = T::LABELS.iter().map(|(_, l, _)| *l).collect();
            Err(FieldError::new(column, "invalid_choice", format!("`{s}` is not one of: {}", labels.join(", "))))
        }
    }
}

/// `是`/`否` as exports write a yes-or-no column.
pub fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// Parses a yes-or-no cell: `是`/`否`, `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`.
pub fn parse_bool(column: &str, raw: &str) -> Result<bool, FieldError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "是" | "true" | "yes" | "y" | "1" | "√" => Ok(true),
        "否" | "false" | "no" | "n" | "0" | "×" => Ok(false),
        other => Err(FieldError::new(column, "invalid_choice", format!("`{other}` is not 是 or 否"))),
    }
}

/// Parses an enrolment year (`2024`, `2024级`) and checks it against `today`.
pub fn parse_year(column: &str, raw: &str, today: NaiveDate) -> Result<i32, FieldError> {
    let s = raw.trim().trim_end_matches(['级', '年']).trim();
    let year: i32 = s
        .parse()
        .map_err(|_| FieldError::new(column, "invalid_format", format!("{column} must be a year such as 2024")))?;
    check_enrollment_year(column, year, today)
}

/// Parses a date: `2024-12-01`, `2024/12/1`, `2024.12.1`, `2024年12月1日` or `20241201`; a time
/// after it (as spreadsheets add) is ignored.
pub fn parse_date(column: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let s = raw.trim();
    let date_part = s.split([' ', 'T']).next().unwrap_or(s);
    let bad = || FieldError::new(column, "invalid_format", format!("{column} must be a date such as 2024-12-01"));
    let unified: String = date_part
        .trim_end_matches('日')
        .chars()
        .map(|c| if matches!(c, '/' | '.' | '年' | '月') { '-' } else { c })
        .collect();
    let parts: Vec<&str> = unified.split('-').collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (*y, *m, *d),
        [ymd] if ymd.len() == 8 && ymd.chars().all(|c| c.is_ascii_digit()) => (&ymd[..4], &ymd[4..6], &ymd[6..]),
        _ => return Err(bad()),
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else { return Err(bad()) };
    if !(1900..=2100).contains(&y) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)
}

/// A value given in a cell: absent (the column or key is not there), empty, or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell<'a> {
    Absent,
    Empty,
    Value(&'a str),
}

/// Which table column holds each field, and the name to report each field under.
struct Mapping {
    /// For each field, the table column.
    index: Vec<Option<usize>>,
    /// For each field, the header as given (or the Chinese label when the file lacks it).
    names: Vec<String>,
    /// Headers that name no field.
    ignored: Vec<String>,
}

fn map_headers(table: &Table, columns: &[Column]) -> Result<Mapping, Vec<RowError>> {
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    let mut names: Vec<String> = columns.iter().map(|c| c.label.to_owned()).collect();
    let mut ignored = Vec::new();
    let mut errors = Vec::new();
    let wanted: Vec<Vec<String>> = columns
        .iter()
        .map(|c| {
            let mut all = vec![normalize_header(c.name), normalize_header(c.label)];
            all.extend(c.aliases.iter().map(|a| normalize_header(a)));
            all
        })
        .collect();
    for (i, header) in table.headers.iter().enumerate() {
        let h = normalize_header(header);
        if h.is_empty() {
            continue;
        }
        match wanted.iter().position(|w| w.contains(&h)) {
            Some(f) => match index[f] {
                Some(first) => errors.push(RowError::new(
                    table.header_line,
                    header,
                    "duplicate_column",
                    format!(
                        "the columns {} and {} both give {}",
                        table.headers[first].trim(),
                        header.trim(),
                        columns[f].label
                    ),
                )),
                None => {
                    index[f] = Some(i);
                    names[f] = header.trim().to_owned();
                }
            },
            None => ignored.push(header.trim().to_owned()),
        }
    }
    for (f, c) in columns.iter().enumerate() {
        if c.required && index[f].is_none() {
            errors.push(RowError::new(
                None,
                c.label,
                "missing_column",
                format!("the required column {} ({}) is missing", c.label, c.name),
            ));
        }
    }
    if errors.is_empty() { Ok(Mapping { index, names, ignored }) } else { Err(errors) }
}

/// One row being parsed: its cells by field, and the problems found so far.
struct RowView<'a> {
    line: u64,
    cells: &'a [Option<String>],
    mapping: &'a Mapping,
    problems: Vec<RowError>,
}

impl<'a> RowView<'a> {
    fn cell(&self, field: usize) -> Cell<'a> {
        let Some(col) = self.mapping.index[field] else { return Cell::Absent };
        match self.cells.get(col) {
            None | Some(None) => Cell::Absent,
            Some(Some(v)) => {
                let v = unescape(v.trim());
                if v.is_empty() { Cell::Empty } else { Cell::Value(v) }
            }
        }
    }

    fn name(&self, field: usize) -> &'a str {
        &self.mapping.names[field]
    }

    /// A value that every row must give.
    fn required<T>(&mut self, field: usize, parse: impl FnOnce(&str, &str) -> Result<T, FieldError>) -> Option<T> {
        let name = self.name(field);
        match self.cell(field) {
            Cell::Value(v) => self.take(parse(name, v)),
            Cell::Absent | Cell::Empty => {
                self.problems.push(RowError::new(Some(self.line), name, "required", format!("{name} must be given")));
                None
            }
        }
    }

    /// A value that may be left out (`None`: keep what is stored) or left empty (`Some(None)`: clear it).
    fn optional<T>(
        &mut self,
        field: usize,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Option<Option<T>> {
        let name = self.name(field);
        match self.cell(field) {
            Cell::Absent => None,
            Cell::Empty => Some(None),
            Cell::Value(v) => self.take(parse(name, v)).map(Some),
        }
    }

    fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(RowError::from_field(self.line, e));
                None
            }
        }
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.as_deref().is_none_or(|v| v.trim().is_empty()))
    }
}

/// Exports put a `'` before a cell that starts like a spreadsheet formula (`=`, `+`, `-`, `@`), so
/// opening the file cannot run one; imports take it off again so an export imports unchanged.
pub fn escape_cell(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{v}") } else { v.to_owned() }
}

fn unescape(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => v,
    }
}

/// The rows of a file that parsed, and the problems of those that did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<R> {
    /// The rows without a problem, in file order, each key at most once.
    pub rows: Vec<R>,
    /// Every problem, by line.
    pub errors: Vec<RowError>,
    /// The data rows of the file (blank rows not counted).
    pub total_rows: usize,
    /// Headers that name no known column; they are ignored.
    pub ignored_columns: Vec<String>,
    names: Vec<String>,
}

impl<R> Parsed<R> {
    /// The name the file gives the field at `index` (for reporting problems found later).
    pub fn column(&self, index: usize) -> &str {
        self.names.get(index).map(String::as_str).unwrap_or("")
    }
}

/// Runs `parse_row` over every non-blank row, collects every problem, and refuses a second row
/// with the key of an earlier one.
fn parse_table<R, K: Eq + Hash + std::fmt::Display>(
    table: &Table,
    columns: &[Column],
    key_field: usize,
    key: impl Fn(&R) -> K,
    mut parse_row: impl FnMut(&mut RowView<'_>) -> Option<R>,
) -> Parsed<R> {
    let mapping = match map_headers(table, columns) {
        Ok(m) => m,
        Err(errors) => {
            let total_rows = table.rows.len();
            return Parsed { rows: Vec::new(), errors, total_rows, ignored_columns: Vec::new(), names: Vec::new() };
        }
    };
    let unreadable: std::collections::HashSet<u64> = table.errors.iter().filter_map(|e| e.line).collect();
    let mut errors = table.errors.clone();
    let mut rows = Vec::new();
    let mut seen: HashMap<K, u64> = HashMap::new();
    let mut total_rows = 0;
    for r in &table.rows {
        // A row the reader could not read at all (a JSON array item that is no object) counts, and
        // its reader error says all there is to say.
        if unreadable.contains(&r.line) && r.cells.iter().all(Option::is_none) {
            total_rows += 1;
            continue;
        }
        let mut view = RowView { line: r.line, cells: &r.cells, mapping: &mapping, problems: Vec::new() };
        if view.is_blank() {
            continue;
        }
        total_rows += 1;
        // The text rule (see `crate::text`): a cell with a control character is a row error, and
        // the only one reported for that cell.
        let mut refused: Vec<RowError> = Vec::new();
        for (i, cell) in r.cells.iter().enumerate() {
            if let Some(Err(c)) = cell.as_deref().map(crate::text::check_text) {
                let column = table.headers.get(i).map(String::as_str).unwrap_or("");
                refused.push(RowError::new(Some(r.line), column, crate::text::CONTROL_CHARACTER, c.message(column)));
            }
        }
        let parsed = parse_row(&mut view);
        if !refused.is_empty() {
            view.problems.retain(|p| !refused.iter().any(|c| c.column == p.column));
            view.problems.append(&mut refused);
        }
        let bad = !view.problems.is_empty() || unreadable.contains(&r.line);
        errors.append(&mut view.problems);
        let Some(row) = parsed.filter(|_| !bad) else { continue };
        match seen.entry(key(&row)) {
            Entry::Occupied(first) => errors.push(RowError::new(
                Some(r.line),
                &mapping.names[key_field],
                "duplicate",
                format!("{} appears again; it is first on line {}", first.key(), first.get()),
            )),
            Entry::Vacant(v) => {
                v.insert(r.line);
                rows.push(row);
            }
        }
    }
    errors.sort_by_key(|e| e.line);
    Parsed { rows, errors, total_rows, ignored_columns: mapping.ignored, names: mapping.names }
}

/// A student row: the key and values, references still by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRow {
    /// Where it is in the file.
    pub line: u64,
    /// 学号.
    pub student_no: PersonNo,
    /// 姓名.
    pub name: Name,
    /// 性别.
    pub gender: Gender,
    /// 学院: code or name.
    pub college: String,
    /// 单位: code (or name); `None` keeps, `Some(None)` clears.
    pub unit: Option<Option<String>>,
    /// 培养层次.
    pub degree: Degree,
    /// 入学年份.
    pub enrollment_year: i32,
    /// 政治面貌.
    pub political_status: PoliticalStatus,
    /// 导师 by 工号; `None` keeps, `Some(None)` clears.
    pub supervisor: Option<Option<PersonNo>>,
    /// 辅导员 by 工号; `None` keeps, `Some(None)` clears.
    pub counselor: Option<Option<PersonNo>>,
    /// 手机; `None` keeps, `Some(None)` clears.
    pub phone: Option<Option<Phone>>,
    /// 邮箱; `None` keeps, `Some(None)` clears.
    pub email: Option<Option<Email>>,
    /// 学籍状态; `None` keeps (or `enrolled` for a new student).
    pub status: Option<StudentStatus>,
}

fn reference(column: &str, raw: &str) -> Result<String, FieldError> {
    Name::parse(column, raw).map(Name::into_string)
}

/// Parses a student import; `today` bounds the enrolment year.
pub fn parse_students(table: &Table, today: NaiveDate) -> Parsed<StudentRow> {
    use StudentField as F;
    parse_table(
        table,
        STUDENT_COLUMNS,
        F::StudentNo.index(),
        |r: &StudentRow| r.student_no.clone(),
        |v| {
            let student_no = v.required(F::StudentNo.index(), PersonNo::parse);
            let name = v.required(F::Name.index(), Name::parse);
            let gender = v.required(F::Gender.index(), parse_choice::<Gender>);
            let college = v.required(F::College.index(), reference);
            let unit = v.optional(F::Unit.index(), reference);
            let degree = v.required(F::Degree.index(), parse_choice::<Degree>);
            let enrollment_year = v.required(F::EnrollmentYear.index(), |c, s| parse_year(c, s, today));
            let political_status = v.required(F::PoliticalStatus.index(), parse_choice::<PoliticalStatus>);
            let supervisor = v.optional(F::Supervisor.index(), PersonNo::parse);
            let counselor = v.optional(F::Counselor.index(), PersonNo::parse);
            let phone = v.optional(F::Phone.index(), Phone::parse);
            let email = v.optional(F::Email.index(), Email::parse);
            let status = v.optional(F::Status.index(), parse_choice::<StudentStatus>).flatten();
            Some(StudentRow {
                line: v.line,
                student_no: student_no?,
                name: name?,
                gender: gender?,
                college: college?,
                unit,
                degree: degree?,
                enrollment_year: enrollment_year?,
                political_status: political_status?,
                supervisor,
                counselor,
                phone,
                email,
                status,
            })
        },
    )
}

/// A staff row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// Where it is in the file.
    pub line: u64,
    /// 工号.
    pub staff_no: PersonNo,
    /// 姓名.
    pub name: Name,
    /// 学院: code or name.
    pub college: String,
    /// 是否导师; `None` keeps (or no for a new record).
    pub is_supervisor: Option<bool>,
    /// 是否辅导员; `None` keeps (or no for a new record).
    pub is_counselor: Option<bool>,
    /// 手机; `None` keeps, `Some(None)` clears.
    pub phone: Option<Option<Phone>>,
    /// 邮箱; `None` keeps, `Some(None)` clears.
    pub email: Option<Option<Email>>,
}

/// Parses a staff import.
pub fn parse_staff(table: &Table) -> Parsed<StaffRow> {
    use StaffField as F;
    parse_table(
        table,
        STAFF_COLUMNS,
        F::StaffNo.index(),
        |r: &StaffRow| r.staff_no.clone(),
        |v| {
            let staff_no = v.required(F::StaffNo.index(), PersonNo::parse);
            let name = v.required(F::Name.index(), Name::parse);
            let college = v.required(F::College.index(), reference);
            let is_supervisor = v.optional(F::IsSupervisor.index(), parse_bool).flatten();
            let is_counselor = v.optional(F::IsCounselor.index(), parse_bool).flatten();
            let phone = v.optional(F::Phone.index(), Phone::parse);
            let email = v.optional(F::Email.index(), Email::parse);
            Some(StaffRow {
                line: v.line,
                staff_no: staff_no?,
                name: name?,
                college: college?,
                is_supervisor,
                is_counselor,
                phone,
                email,
            })
        },
    )
}

/// A unit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    /// Where it is in the file.
    pub line: u64,
    /// 单位代码.
    pub code: Code,
    /// 单位名称.
    pub name: Name,
    /// 类型.
    pub kind: UnitKind,
    /// 学院: code or name.
    pub college: String,
    /// 所属学科 by code; `None` keeps, `Some(None)` clears.
    pub discipline: Option<Option<Code>>,
}

/// Parses a unit import.
pub fn parse_units(table: &Table) -> Parsed<UnitRow> {
    use UnitField as F;
    parse_table(
        table,
        UNIT_COLUMNS,
        F::Code.index(),
        |r: &UnitRow| r.code.clone(),
        |v| {
            let code = v.required(F::Code.index(), Code::parse);
            let name = v.required(F::Name.index(), Name::parse);
            let kind = v.required(F::Kind.index(), parse_choice::<UnitKind>);
            let college = v.required(F::College.index(), reference);
            let discipline = v.optional(F::Discipline.index(), Code::parse);
            if let (Some(c), Some(Some(d))) = (&code, &discipline)
                && c == d
            {
                let column = v.name(F::Discipline.index()).to_owned();
                v.problems.push(RowError::new(
                    Some(v.line),
                    &column,
                    "invalid_reference",
                    "a unit cannot be its own discipline",
                ));
            }
            Some(UnitRow { line: v.line, code: code?, name: name?, kind: kind?, college: college?, discipline })
        },
    )
}

/// An honour row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HonorRow {
    /// Where it is in the file.
    pub line: u64,
    /// 学号 of the student.
    pub student_no: PersonNo,
    /// 姓名, when given: must be the student's.
    pub name: Option<String>,
    /// 荣誉称号.
    pub title: Name,
    /// 级别.
    pub level: HonorLevel,
    /// 获得日期.
    pub awarded_on: NaiveDate,
}

impl HonorRow {
    /// The natural key: (学号, title, date awarded).
    pub fn key(&self) -> (PersonNo, String, NaiveDate) {
        (self.student_no.clone(), self.title.as_str().to_owned(), self.awarded_on)
    }
}

/// The key of an honour, shown as `学号 / title / date`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct HonorKey(PersonNo, String, NaiveDate);

impl std::fmt::Display for HonorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {} / {}", self.0, self.1, self.2)
    }
}

/// Parses an honour import.
pub fn parse_honors(table: &Table) -> Parsed<HonorRow> {
    use HonorField as F;
    parse_table(
        table,
        HONOR_COLUMNS,
        F::StudentNo.index(),
        |r: &HonorRow| {
            let (no, title, on) = r.key();
            HonorKey(no, title, on)
        },
        |v| {
            let student_no = v.required(F::StudentNo.index(), PersonNo::parse);
            let name = v.optional(F::Name.index(), |c, s| Name::parse(c, s).map(Name::into_string)).flatten();
            let title = v.required(F::Title.index(), Name::parse);
            let level = v.required(F::Level.index(), parse_choice::<HonorLevel>);
            let awarded_on = v.required(F::AwardedOn.index(), parse_date);
            Some(HonorRow {
                line: v.line,
                student_no: student_no?,
                name,
                title: title?,
                level: level?,
                awarded_on: awarded_on?,
            })
        },
    )
}

/// A student as exports write it, with references by natural key so the file imports back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRecord {
    /// The student.
    pub student: Student,
    /// The college's name.
    pub college: String,
    /// The unit's code.
    pub unit: Option<String>,
    /// The supervisor's 工号.
    pub supervisor: Option<String>,
    /// The counselor's 工号.
    pub counselor: Option<String>,
}

impl StudentRecord {
    /// The cells of a CSV row, in [`STUDENT_COLUMNS`] order, with Chinese values.
    pub fn cells(&self) -> Vec<String> {
        let s = &self.student;
        vec![
            s.student_no.clone(),
            s.name.clone(),
            s.gender.label().to_owned(),
            self.college.clone(),
            self.unit.clone().unwrap_or_default(),
            s.degree.label().to_owned(),
            s.enrollment_year.to_string(),
            s.political_status.label().to_owned(),
            self.supervisor.clone().unwrap_or_default(),
            self.counselor.clone().unwrap_or_default(),
            s.phone.clone().unwrap_or_default(),
            s.email.clone().unwrap_or_default(),
            s.status.label().to_owned(),
        ]
    }
}

/// A staff member as exports write them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    /// The staff member.
    pub staff: Staff,
    /// The college's name.
    pub college: String,
}

impl StaffRecord {
    /// The cells of a CSV row, in [`STAFF_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        let s = &self.staff;
        vec![
            s.staff_no.clone(),
            s.name.clone(),
            self.college.clone(),
            yes_no(s.is_supervisor).to_owned(),
            yes_no(s.is_counselor).to_owned(),
            s.phone.clone().unwrap_or_default(),
            s.email.clone().unwrap_or_default(),
        ]
    }
}

/// A unit as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    /// The unit.
    pub unit: Unit,
    /// The college's name.
    pub college: String,
    /// The discipline's code.
    pub discipline: Option<String>,
}

impl UnitRecord {
    /// The cells of a CSV row, in [`UNIT_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        let u = &self.unit;
        vec![
            u.code.clone(),
            u.name.clone(),
            u.kind.label().to_owned(),
            self.college.clone(),
            self.discipline.clone().unwrap_or_default(),
        ]
    }
}

/// An appointment as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    /// The appointment.
    pub appointment: Appointment,
    /// The academic year's code.
    pub academic_year: String,
    /// The mentor's 学号.
    pub student_no: String,
    /// The mentor's name.
    pub name: String,
    /// The college's name.
    pub college: String,
    /// The unit's code.
    pub unit: String,
}

impl AppointmentRecord {
    /// The cells of a CSV row, in [`APPOINTMENT_COLUMNS`] order. Dates are in Asia/Shanghai.
    pub fn cells(&self) -> Vec<String> {
        let a = &self.appointment;
        vec![
            self.academic_year.clone(),
            self.student_no.clone(),
            self.name.clone(),
            self.college.clone(),
            self.unit.clone(),
            a.capacity.to_string(),
            a.state.label().to_owned(),
            shanghai_day(a.created_at),
            a.training_completed_on.map(|d| d.to_string()).unwrap_or_default(),
            a.ended_at.map(shanghai_day).unwrap_or_default(),
            a.end_reason.clone().unwrap_or_default(),
        ]
    }
}

/// A day in Asia/Shanghai, as exports write dates.
fn shanghai_day(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::time::shanghai_date(t).to_string()
}

/// A pairing as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingRecord {
    /// The pairing.
    pub pairing: Pairing,
    /// The academic year's code.
    pub academic_year: String,
    /// The college's name.
    pub college: String,
    /// The mentor's 学号 and name.
    pub mentor: (String, String),
    /// The mentor's unit code.
    pub mentor_unit: String,
    /// The mentee's 学号 and name.
    pub mentee: (String, String),
    /// The mentee's unit code.
    pub mentee_unit: Option<String>,
}

impl PairingRecord {
    /// The cells of a CSV row, in [`PAIRING_COLUMNS`] order. Dates are in Asia/Shanghai.
    pub fn cells(&self) -> Vec<String> {
        let p = &self.pairing;
        vec![
            self.academic_year.clone(),
            self.college.clone(),
            self.mentor.0.clone(),
            self.mentor.1.clone(),
            self.mentor_unit.clone(),
            self.mentee.0.clone(),
            self.mentee.1.clone(),
            self.mentee_unit.clone().unwrap_or_default(),
            if p.cross_unit { "是" } else { "否" }.to_owned(),
            p.source.label().to_owned(),
            p.state.label().to_owned(),
            shanghai_day(p.created_at),
            p.ended_at.map(shanghai_day).unwrap_or_default(),
            p.end_reason.map(|r| r.label().to_owned()).unwrap_or_default(),
            p.end_note.clone().unwrap_or_default(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            header_line: Some(1),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| TableRow { line: i as u64 + 2, cells: r.iter().map(|c| Some((*c).to_owned())).collect() })
                .collect(),
            errors: Vec::new(),
        }
    }

    const CN: &[&str] =
        &["学号", "姓名", "性别", "学院", "专业/学科方向", "培养层次", "入学年份", "政治面貌", "导师", "手机", "邮箱"];

    #[test]
    fn a_cell_with_a_control_character_is_a_row_error_naming_its_column() {
        let good = ["2023a001", "李华", "女", "计算机学院", "CS-LAB1", "硕士", "2023级", "中共党员", "T001", "", ""];
        let mut bad = good;
        bad[0] = "2023a002";
        bad[1] = "李\u{0}华";
        let p = parse_students(&table(CN, &[&good, &bad]), today());
        let found: Vec<_> = p.errors.iter().map(|e| (e.line, e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(found, [(Some(3), "姓名", "control_character")]);
        assert_eq!(p.rows.len(), 1, "the bad row is not imported");
    }

    #[test]
    fn chinese_headers_and_values_map_to_the_domain() {
        let t = table(
            CN,
            &[&[
                "2023a001",
                " 李华 ",
                "女",
                "计算机学院",
                "CS-LAB1",
                "硕士",
                "2023级",
                "中共预备党员",
                "T001",
                "138 0000 0000",
                "",
            ]],
        );
        let p = parse_students(&t, today());
        assert_eq!(p.errors, []);
        assert_eq!(p.total_rows, 1);
        let r = &p.rows[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.student_no.as_str(), "2023A001");
        assert_eq!(r.name.as_str(), "李华");
        assert_eq!(r.gender, Gender::Female);
        assert_eq!(r.college, "计算机学院");
        assert_eq!(r.unit, Some(Some("CS-LAB1".to_owned())));
        assert_eq!(r.degree, Degree::Master);
        assert_eq!(r.enrollment_year, 2023);
        assert_eq!(r.political_status, PoliticalStatus::ProbationaryPartyMember);
        assert_eq!(r.supervisor.as_ref().map(|s| s.as_ref().map(PersonNo::as_str)), Some(Some("T001")));
        assert!(matches!(r.phone, Some(Some(_))));
        assert_eq!(r.email, Some(None), "an empty optional cell clears the value");
        assert_eq!(r.status, None, "a missing optional column keeps the value");
    }

    #[test]
    fn english_headers_work_too_and_unknown_columns_are_reported_as_ignored() {
        let t = table(
            &[
                "Student No",
                "name",
                "gender",
                "college",
                "degree",
                "enrollment_year",
                "political_status",
                "序号",
                "status*",
            ],
            &[&["2023001", "Li Hua", "male", "CS", "doctoral", "2022", "party_member", "1", "graduated"]],
        );
        let p = parse_students(&t, today());
        assert_eq!(p.errors, []);
        assert_eq!(p.ignored_columns, ["序号"]);
        let r = &p.rows[0];
        assert_eq!((r.gender, r.degree, r.status), (Gender::Male, Degree::Doctoral, Some(StudentStatus::Graduated)));
        assert_eq!(r.unit, None);
    }

    #[test]
    fn every_political_status_label_maps() {
        for (label, want) in [
            ("中共党员", PoliticalStatus::PartyMember),
            ("中共预备党员", PoliticalStatus::ProbationaryPartyMember),
            ("共青团员", PoliticalStatus::LeagueMember),
            ("群众", PoliticalStatus::Masses),
            ("其他", PoliticalStatus::Other),
            ("九三学社社员", PoliticalStatus::Other),
            ("Party_Member", PoliticalStatus::PartyMember),
        ] {
            assert_eq!(parse_choice::<PoliticalStatus>("政治面貌", label), Ok(want), "{label}");
        }
        let e = parse_choice::<PoliticalStatus>("政治面貌", "党外人士").unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("政治面貌", "invalid_choice"));
        for v in PoliticalStatus::ALL {
            assert_eq!(parse_choice::<PoliticalStatus>("x", v.label()), Ok(*v), "labels round-trip");
        }
        for v in UnitKind::ALL {
            assert_eq!(parse_choice::<UnitKind>("x", v.label()), Ok(*v));
        }
        for v in HonorLevel::ALL {
            assert_eq!(parse_choice::<HonorLevel>("x", v.label()), Ok(*v));
        }
        for v in StudentStatus::ALL {
            assert_eq!(parse_choice::<StudentStatus>("x", v.label()), Ok(*v));
        }
        assert_eq!(parse_choice::<HonorLevel>("级别", "省部级"), Ok(HonorLevel::Provincial));
        assert_eq!(parse_choice::<Degree>("培养层次", "博士"), Ok(Degree::Doctoral));
        assert_eq!(parse_choice::<Gender>("性别", "男"), Ok(Gender::Male));
    }

    #[test]
    fn every_bad_cell_of_every_row_is_reported_with_line_and_column() {
        let t = table(
            CN,
            &[
                &["2023001", "李华", "女", "CS", "", "硕士", "2023", "中共党员", "", "", ""],
                &["20-3", "", "未知", "CS", "", "本科", "1980", "中共党员", "", "call me", "not-an-email"],
                &["", "", "", "", "", "", "", "", "", "", ""],
                &["2023001", "王五", "男", "CS", "", "博士", "2022", "群众", "", "", ""],
            ],
        );
        let p = parse_students(&t, today());
        assert_eq!(p.total_rows, 3, "the blank row is skipped");
        assert_eq!(p.rows.len(), 1);
        let found: Vec<(Option<u64>, &str, &str)> =
            p.errors.iter().map(|e| (e.line, e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some(3), "学号", "invalid_format"),
                (Some(3), "姓名", "required"),
                (Some(3), "性别", "invalid_choice"),
                (Some(3), "培养层次", "invalid_choice"),
                (Some(3), "入学年份", "out_of_range"),
                (Some(3), "手机", "invalid_format"),
                (Some(3), "邮箱", "invalid_format"),
                (Some(5), "学号", "duplicate"),
            ]
        );
        assert!(p.errors[7].message.contains("line 2"), "{}", p.errors[7].message);
    }

    #[test]
    fn missing_and_doubled_columns_are_errors_for_the_whole_file() {
        let t = table(&["学号", "student_no", "姓名"], &[&["2023001", "2023001", "李华"]]);
        let p = parse_students(&t, today());
        assert!(p.rows.is_empty());
        let codes: Vec<(&str, &str)> = p.errors.iter().map(|e| (e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(
            codes,
            [
                ("student_no", "duplicate_column"),
                ("性别", "missing_column"),
                ("学院", "missing_column"),
                ("培养层次", "missing_column"),
                ("入学年份", "missing_column"),
                ("政治面貌", "missing_column"),
            ]
        );
        assert_eq!(p.errors[1].line, None);
    }

    #[test]
    fn rows_the_reader_flagged_are_not_imported() {
        let mut t = table(CN, &[&["2023001", "李华", "女", "CS", "", "硕士", "2023", "中共党员", "", "", ""]]);
        t.errors.push(RowError::new(Some(2), "邮箱", "excel_error", "#N/A"));
        let p = parse_students(&t, today());
        assert!(p.rows.is_empty());
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn json_rows_may_leave_keys_out() {
        let t = Table {
            headers: vec!["staff_no".into(), "name".into(), "college".into(), "is_supervisor".into()],
            header_line: None,
            rows: vec![
                TableRow {
                    line: 0, cells: vec![Some("T001".into()), Some("王老师".into()), Some("CS".into()), None]
                },
                TableRow { line: 1, cells: vec![Some("T002".into()), None, Some("CS".into()), Some("是".into())] },
            ],
            errors: Vec::new(),
        };
        let p = parse_staff(&t);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].is_supervisor, None);
        assert_eq!(p.errors, [RowError::new(Some(1), "name", "required", "name must be given")]);
    }

    #[test]
    fn units_and_honours_parse() {
        let t = table(
            &["单位代码", "单位名称", "类型", "学院", "所属学科"],
            &[
                &["CS-D1", "计算机科学与技术", "学科方向", "CS", ""],
                &["CS-L1", "智能系统实验室", "实验室", "CS", "CS-L1"],
            ],
        );
        let p = parse_units(&t);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].kind, UnitKind::Discipline);
        assert_eq!(p.rows[0].discipline, Some(None));
        assert_eq!(p.errors[0].code, "invalid_reference");

        let t = table(
            &["学号", "姓名", "荣誉称号", "级别", "获得日期"],
            &[
                &["2023001", "李华", "优秀研究生", "校级", "2024年12月1日"],
                &["2023001", "李华", "优秀研究生", "省级", "2024/12/01 00:00:00"],
                &["2023001", "", "优秀学生党员", "国家级", "2025.6.30"],
            ],
        );
        let p = parse_honors(&t);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].awarded_on, NaiveDate::from_ymd_opt(2024, 12, 1).unwrap());
        assert_eq!(p.rows[1].name, None);
        assert_eq!(p.errors.len(), 1);
        assert_eq!((p.errors[0].line, p.errors[0].code.as_str()), (Some(3), "duplicate"));
    }

    #[test]
    fn dates_years_and_booleans_accept_what_sheets_hold() {
        let d = |s| parse_date("d", s);
        let want = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "2024-03-05T00:00:00"] {
            assert_eq!(d(s), Ok(want), "{s}");
        }
        for s in ["2024-02-30", "5/3/2024", "yesterday", "1800-01-01"] {
            assert!(d(s).is_err(), "{s}");
        }
        assert_eq!(parse_year("y", "2024级", today()), Ok(2024));
        assert!(parse_year("y", "二〇二四", today()).is_err());
        assert_eq!(parse_bool("b", "是"), Ok(true));
        assert_eq!(parse_bool("b", "FALSE"), Ok(false));
        assert!(parse_bool("b", "maybe").is_err());
    }

    #[test]
    fn formula_like_cells_are_escaped_on_export_and_unescaped_on_import() {
        assert_eq!(escape_cell("=1+1"), "'=1+1");
        assert_eq!(escape_cell("+86-28-85401234"), "'+86-28-85401234");
        assert_eq!(escape_cell("李华"), "李华");
        assert_eq!(unescape("'+86-28-85401234"), "+86-28-85401234");
        assert_eq!(unescape("'quoted"), "'quoted");
    }

    #[test]
    fn an_exported_student_parses_back_to_the_same_values() {
        let now = Utc::now();
        let s = Student {
            id: Uuid::now_v7(),
            student_no: "2023A001".into(),
            name: "李华".into(),
            gender: Gender::Female,
            college_id: Uuid::now_v7(),
            unit_id: Some(Uuid::now_v7()),
            degree: Degree::Doctoral,
            enrollment_year: 2023,
            political_status: PoliticalStatus::PartyMember,
            supervisor_id: None,
            counselor_id: None,
            phone: Some("+86-28-85401234".into()),
            email: None,
            status: StudentStatus::Suspended,
            version: 3,
            created_at: now,
            updated_at: now,
        };
        let record = StudentRecord {
            student: s,
            college: "计算机学院".into(),
            unit: Some("CS-LAB1".into()),
            supervisor: None,
            counselor: Some("T0042".into()),
        };
        let headers: Vec<&str> = STUDENT_COLUMNS.iter().map(|c| c.label).collect();
        let cells: Vec<String> = record.cells().iter().map(|c| escape_cell(c)).collect();
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        let p = parse_students(&table(&headers, &[&cells]), today());
        assert_eq!(p.errors, []);
        assert_eq!(p.ignored_columns, Vec::<String>::new());
        let r = &p.rows[0];
        assert_eq!(r.student_no.as_str(), "2023A001");
        assert_eq!(r.degree, Degree::Doctoral);
        assert_eq!(r.unit, Some(Some("CS-LAB1".to_owned())));
        assert_eq!(r.supervisor, Some(None));
        assert_eq!(r.counselor.as_ref().map(|c| c.as_ref().map(PersonNo::as_str)), Some(Some("T0042")));
        assert_eq!(r.phone.as_ref().map(|p| p.as_ref().map(Phone::as_str)), Some(Some("+86-28-85401234")));
        assert_eq!(r.status, Some(StudentStatus::Suspended));
    }

    #[test]
    fn every_kind_has_its_columns_and_labels_are_unique() {
        for kind in ImportKind::ALL {
            let cols = columns(*kind);
            let mut seen = std::collections::HashSet::new();
            for c in cols {
                for h in std::iter::once(c.name).chain(std::iter::once(c.label)).chain(c.aliases.iter().copied()) {
                    assert!(seen.insert(normalize_header(h)), "{kind}: header {h} is used twice");
                }
            }
        }
    }
    fn labels_are_distinct_and_complete<T: Labelled + std::fmt::Debug>(all: &[T]) {
        let labels: std::collections::HashSet<&str> = all.iter().map(|v| v.label()).collect();
        assert_eq!(labels.len(), all.len(), "{all:?}");
        assert!(!labels.contains(""), "{all:?}");
        for v in all {
            assert_eq!(parse_choice::<T>("x", v.label()).ok(), Some(*v), "labels round-trip");
        }
    }

    #[test]
    fn every_exported_enum_has_a_distinct_label() {
        labels_are_distinct_and_complete(AppointmentState::ALL);
        labels_are_distinct_and_complete(PairingState::ALL);
        labels_are_distinct_and_complete(PairingSource::ALL);
        labels_are_distinct_and_complete(EndReason::ALL);
    }

    #[test]
    fn a_pairing_record_has_one_cell_per_column_with_shanghai_dates() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-09-01T17:30:00Z").unwrap().with_timezone(&Utc);
        let p = Pairing {
            id: Uuid::nil(),
            appointment_id: Uuid::nil(),
            mentor_id: Uuid::nil(),
            mentee_id: Uuid::nil(),
            academic_year_id: Uuid::nil(),
            college_id: Uuid::nil(),
            cross_unit: true,
            source: PairingSource::AutoMatch,
            state: PairingState::Ended,
            created_by: None,
            ended_at: Some(at),
            end_reason: Some(EndReason::Dismissal),
            end_note: None,
            version: 2,
            created_at: at,
            updated_at: at,
        };
        let r = PairingRecord {
            pairing: p,
            academic_year: "2026-2027".into(),
            college: "计算机学院".into(),
            mentor: ("2022001".into(), "张学长".into()),
            mentor_unit: "CS-LAB".into(),
            mentee: ("2026001".into(), "李新生".into()),
            mentee_unit: None,
        };
        let cells = r.cells();
        assert_eq!(cells.len(), PAIRING_COLUMNS.len());
        assert_eq!(cells[PairingField::CrossUnit.index()], "是");
        assert_eq!(cells[PairingField::Source.index()], "自动匹配");
        assert_eq!(cells[PairingField::PairedOn.index()], "2026-09-02", "17:30 UTC is the next day in Shanghai");
        assert_eq!(cells[PairingField::EndReason.index()], "学长解聘");
        assert_eq!(cells[PairingField::MenteeUnit.index()], "");
    }
}
