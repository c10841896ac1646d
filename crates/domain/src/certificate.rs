//! The service certificate (学长工作证明): who may have one, its verification code and the text it
//! prints. A certificate is issued for a completed term only (the year was closed with the mentor
//! serving); its code is random, issued once per appointment and kept, so a printed copy can be
//! checked by anyone at `GET /public/certificates/{code}`.

use std::fmt;

use chrono::NaiveDate;

use crate::appointment::AppointmentState;
use crate::codes::ConflictCode;
use crate::error::Error;
use crate::yearend::Grade;

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or typed from paper is not
/// mistaken.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code: 16 × 5 = 80 random bits, far beyond guessing.
pub const CODE_LEN: usize = 16;

/// The random bytes a code is made of.
pub const CODE_BYTES: usize = 10;

/// A verification code, normalised: 16 characters of Crockford's base 32, upper case. Shown in
/// groups of four (`7K3Q-FA9M-2DWX-H4PB`); typed in any case, with or without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code(String);

impl Code {
    /// The code of 80 random bits.
    pub fn from_random(bytes: [u8; CODE_BYTES]) -> Self {
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(b);
        }
        let s = (0..CODE_LEN)
            .rev()
            .map(|i| char::from(ALPHABET[usize::try_from((bits >> (i * 5)) & 0x1f).unwrap_or(0)]))
            .collect();
        Code(s)
    }

    /// A code as a person typed it: case and the separators `-` and space are ignored, and the
    /// letters Crockford reads as digits (`I`, `L` as 1, `O` as 0) are read so. `None` when it is
    /// not a code (wrong length, another character).
    pub fn parse(input: &str) -> Option<Self> {
        let mut out = String::with_capacity(CODE_LEN);
        for c in input.trim().chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || out.len() == CODE_LEN {
                return None;
            }
            out.push(c);
        }
        (out.len() == CODE_LEN).then_some(Code(out))
    }

    /// A stored code, as the database holds it (normalised).
    pub fn stored(s: String) -> Self {
        Code(s)
    }

    /// The normalised form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    /// In groups of four, joined by `-`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

/// Whether an appointment in `state` gets a certificate: only a completed term. An active term is
/// not over; a dismissed or resigned mentor did not complete it (their service history still shows
/// the appointment).
pub fn issuable(state: AppointmentState) -> Result<(), Error> {
    match state {
        AppointmentState::Completed => Ok(()),
        other => Err(Error::Conflict {
            code: ConflictCode::TermNotCompleted,
            detail: format!("a service certificate is issued for a completed term; this appointment is {other}"),
        }),
    }
}

/// The grade as printed (优秀, 合格, 不合格), or 未评定 before the college grades the year.
pub fn grade_zh(g: Option<Grade>) -> &'static str {
    match g {
        Some(Grade::Excellent) => "优秀",
        Some(Grade::Competent) => "合格",
        Some(Grade::Unsatisfactory) => "不合格",
        None => "未评定",
    }
}

/// What a certificate states, gathered from the appointment, the year's figures and the
/// assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The mentor's name.
    pub name: String,
    /// 学号.
    pub student_no: String,
    /// The college.
    pub college: String,
    /// The unit served.
    pub unit: String,
    /// The academic year's code, e.g. `2025-2026`.
    pub academic_year: String,
    /// The first day of the term.
    pub served_from: NaiveDate,
    /// The last day of the term.
    pub served_to: NaiveDate,
    /// Distinct mentees paired.
    pub mentees: i64,
    /// Work records.
    pub work_records: i64,
    /// Individual consultations among them.
    pub consultations: i64,
    /// Group sessions among them.
    pub group_sessions: i64,
    /// Minutes recorded.
    pub minutes: i64,
    /// Activities hosted and held.
    pub activities_held: i64,
    /// Attendances at them.
    pub attendance: i64,
    /// The year's grade, if graded.
    pub grade: Option<Grade>,
    /// Award titles.
    pub awards: Vec<String>,
    /// Commendation titles.
    pub commendations: Vec<String>,
    /// The verification code.
    pub code: Code,
    /// The day the code was issued.
    pub issued_on: NaiveDate,
}

/// One block of the printed certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The title, centred and large.
    Title(String),
    /// A paragraph, wrapped to the page.
    Paragraph(String),
    /// A labelled line: label, value.
    Field(String, String),
    /// Vertical space.
    Gap,
    /// A right-aligned line (the issuer, the date).
    Right(String),
    /// A small line at the foot (the verification code and where to check it).
    Foot(String),
    /// A heading, left-aligned and larger than the text (a part of a longer document).
    Heading(String),
    /// A line of text as it is, left-aligned and not indented (wrapped when too long).
    Line(String),
    /// The rest starts on a new page.
    PageBreak,
}

/// `2026-07-31` as 2026年7月31日.
pub fn date_zh(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The printed text of a certificate, top to bottom. `verify_path` is where the code is checked.
pub fn text(f: &Facts, verify_path: &str) -> Vec<Block> {
    let hours = f.minutes / 60;
    let rest = f.minutes % 60;
    let time = if rest == 0 { format!("{hours} 小时") } else { format!("{hours} 小时 {rest} 分钟") };
    let honours: Vec<&str> = f.awards.iter().chain(f.commendations.iter()).map(String::as_str).collect();
    let mut honours_dedup: Vec<&str> = Vec::with_capacity(honours.len());
    for h in honours {
        if !honours_dedup.contains(&h) {
            honours_dedup.push(h);
        }
    }
    vec![
        Block::Title("研究生党员学长工作证明".into()),
        Block::Gap,
        Block::Paragraph(format!(
            "兹证明 {} 同学（学号 {}）于 {} 至 {} 担任{}{}研究生党员学长（{} 学年），任期届满。",
            f.name,
            f.student_no,
            date_zh(f.served_from),
            date_zh(f.served_to),
            f.college,
            f.unit,
            f.academic_year
        )),
        Block::Gap,
        Block::Field("结对学弟学妹".into(), format!("{} 人", f.mentees)),
        Block::Field(
            "工作记录".into(),
            format!(
                "{} 条（个别交流 {} 次，集体交流 {} 次），共 {time}",
                f.work_records, f.consultations, f.group_sessions
            ),
        ),
        Block::Field("主持活动".into(), format!("{} 场，参加 {} 人次", f.activities_held, f.attendance)),
        Block::Field("年度考核".into(), grade_zh(f.grade).into()),
        Block::Field(
            "表彰与奖励".into(),
            if honours_dedup.is_empty() { "无".into() } else { honours_dedup.join("；") },
        ),
        Block::Gap,
        Block::Paragraph("特此证明。".into()),
        Block::Gap,
        Block::Right("研究生工作部".into()),
        Block::Right(date_zh(f.issued_on)),
        Block::Foot(format!("验证码 {}　查验：{verify_path}", f.code)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_sixteen_crockford_characters_of_the_random_bits() {
        assert_eq!(Code::from_random([0; CODE_BYTES]).as_str(), "0000000000000000");
        assert_eq!(Code::from_random([0xff; CODE_BYTES]).as_str(), "ZZZZZZZZZZZZZZZZ");
        // 0x00..01 is the last character 1; 0x80 in the first byte is the top bit: 10000 → G.
        let mut b = [0; CODE_BYTES];
        b[9] = 1;
        assert_eq!(Code::from_random(b).as_str(), "0000000000000001");
        b = [0; CODE_BYTES];
        b[0] = 0x80;
        assert_eq!(Code::from_random(b).as_str(), "G000000000000000");
    }

    #[test]
    fn a_typed_code_is_read_leniently_but_only_as_a_code() {
        let c = Code::from_random([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed]);
        let shown = c.to_string();
        assert_eq!(shown.len(), CODE_LEN + 3);
        assert_eq!(shown.split('-').count(), 4);
        assert_eq!(Code::parse(&shown), Some(c.clone()));
        assert_eq!(Code::parse(&shown.to_lowercase()), Some(c.clone()));
        assert_eq!(Code::parse(&format!("  {}  ", c.as_str())), Some(c.clone()));
        // O and I, L are read as the digits they look like.
        assert_eq!(Code::parse("OOOO-IIII-LLLL-0000"), Code::parse("0000111111110000"));
        for bad in [
            "",
            "ABC",
            "0000-0000-0000-000",
            "0000-0000-0000-00000",
            "0000-0000-0000-000U",
            "学长学长学长学长学长学长学长学长",
            "0000\u{0}000000000000",
        ] {
            assert_eq!(Code::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_a_completed_term_gets_a_certificate() {
        assert!(issuable(AppointmentState::Completed).is_ok());
        for s in [AppointmentState::Active, AppointmentState::Dismissed, AppointmentState::Resigned] {
            assert!(matches!(issuable(s), Err(Error::Conflict { code: ConflictCode::TermNotCompleted, .. })));
        }
    }

    #[test]
    fn the_text_states_the_facts() {
        let f = Facts {
            name: "张三".into(),
            student_no: "2023000001".into(),
            college: "计算机学院".into(),
            unit: "视觉实验室".into(),
            academic_year: "2025-2026".into(),
            served_from: NaiveDate::from_ymd_opt(2025, 9, 3).unwrap_or_default(),
            served_to: NaiveDate::from_ymd_opt(2026, 7, 31).unwrap_or_default(),
            mentees: 3,
            work_records: 5,
            consultations: 4,
            group_sessions: 1,
            minutes: 150,
            activities_held: 2,
            attendance: 17,
            grade: Some(Grade::Excellent),
            awards: vec!["年度优秀研究生党员学长".into()],
            commendations: vec!["年度优秀研究生党员学长".into(), "优秀学长".into()],
            code: Code::from_random([7; CODE_BYTES]),
            issued_on: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap_or_default(),
        };
        let t = text(&f, "/api/v1/public/certificates/X");
        assert_eq!(t[0], Block::Title("研究生党员学长工作证明".into()));
        let all = format!("{t:?}");
        for needle in [
            "张三",
            "2023000001",
            "2025年9月3日 至 2026年7月31日",
            "计算机学院视觉实验室",
            "3 人",
            "5 条（个别交流 4 次，集体交流 1 次），共 2 小时 30 分钟",
            "2 场，参加 17 人次",
            "优秀",
            // The award and its commendation are the same honour: printed once.
            "年度优秀研究生党员学长；优秀学长",
            "2026年8月1日",
        ] {
            assert!(all.contains(needle), "{needle} missing from {all}");
        }
        assert!(all.contains(&f.code.to_string()));
        assert_eq!(grade_zh(None), "未评定");
    }
}
