//! The mentor directory (公示, rules 四.2): the university publishes its serving mentors so that
//! applicants and students of other colleges can find and reach them. Only an active appointment
//! whose mentor published a profile is listed, and only the fields the profile makes public.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::FieldError;
use crate::reference::UnitKind;

/// Most characters of a directory search.
pub const MAX_SEARCH_CHARS: usize = 50;

/// A search of the directory: a substring of the name, the research direction or the bio.
/// Substring matching (not word matching) is what Chinese needs: `视觉` finds `计算机视觉`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search(String);

impl Search {
    /// At most `MAX_SEARCH_CHARS` characters as given (the document's `maxLength`), then trimmed;
    /// blank is no search.
    pub fn parse(q: Option<&str>) -> Result<Option<Self>, FieldError> {
        let Some(q) = q else { return Ok(None) };
        crate::text::check_field("q", q)?;
        if q.chars().count() > MAX_SEARCH_CHARS {
            return Err(FieldError::new("q", "too_long", format!("at most {MAX_SEARCH_CHARS} characters")));
        }
        let q = q.trim();
        Ok((!q.is_empty()).then(|| Self(q.to_owned())))
    }

    /// The text searched for.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A `LIKE` pattern (escape character `\`) matching the lower-cased text anywhere: `%`, `_`
    /// and `\` in the search stand for themselves.
    pub fn like_pattern(&self) -> String {
        let escaped = self.0.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        format!("%{escaped}%")
    }
}

/// Which mentors of the directory to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryFilter {
    /// Only this college.
    pub college_id: Option<Uuid>,
    /// Only this unit.
    pub unit_id: Option<Uuid>,
    /// Only units of this discipline (the discipline itself, or a lab or group under it).
    pub discipline_id: Option<Uuid>,
    /// Only this academic year.
    pub academic_year_id: Option<Uuid>,
    /// The search.
    pub q: Option<Search>,
}

/// Something named, referred to by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its id.
    pub id: Uuid,
    /// Its name (or, for a year, its code).
    pub name: String,
}

/// The unit a mentor serves in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUnit {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: UnitKind,
}

/// One mentor as the directory shows them: nothing here is private (no 学号, phone, private
/// email, political status, gender or id of the student record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMentor {
    /// The appointment (the directory's id of the mentor).
    pub appointment_id: Uuid,
    /// The mentor's name.
    pub name: String,
    /// The college.
    pub college: Named,
    /// The unit.
    pub unit: DirectoryUnit,
    /// The discipline of the unit, when it has one (or the unit itself when it is a discipline).
    pub discipline: Option<Named>,
    /// The academic year served.
    pub academic_year: Named,
    /// 研究方向.
    pub research_direction: Option<String>,
    /// 个人简介.
    pub bio: Option<String>,
    /// 先进事迹.
    pub deeds: Vec<String>,
    /// The public contact.
    pub public_contact: Option<String>,
    /// The version of the mentor's photo (the start of its SHA-256), when there is one and the
    /// profile is published.
    pub photo_version: Option<String>,
    /// When the profile was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When the profile last changed.
    pub updated_at: DateTime<Utc>,
}

/// A mentee's own mentor: the directory's view, whether published or not, with the contact the
/// mentor shares with mentees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnMentor {
    /// The pairing.
    pub pairing_id: Uuid,
    /// The mentor, as the directory would show them.
    pub mentor: ListedMentor,
    /// Whether the profile is in the public directory.
    pub published: bool,
    /// What the mentor shares with their mentees (WeChat, QQ, phone…).
    pub contact_for_mentees: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(Search::parse(None), Ok(None));
        assert_eq!(Search::parse(Some("   ")), Ok(None));
        assert_eq!(Search::parse(Some(" 视觉 ")).unwrap().unwrap().as_str(), "视觉");
        assert_eq!(Search::parse(Some(&"视".repeat(MAX_SEARCH_CHARS))).unwrap().unwrap().as_str().chars().count(), 50);
        // The limit counts what was sent, padding included, as the document's maxLength does.
        let padded = format!("{}0", "\r\n".repeat(25));
        assert_eq!(Search::parse(Some(&padded)).unwrap_err().code, "too_long");
        assert_eq!(Search::parse(Some(" 视觉 ")).unwrap().unwrap().as_str(), "视觉");
        assert_eq!(Search::parse(Some(&"视".repeat(MAX_SEARCH_CHARS + 1))).unwrap_err().code, "too_long");
        assert_eq!(Search::parse(Some("视\u{0}觉")).unwrap_err().field, "q");
    }

    #[test]
    fn like_patterns_match_the_text_literally() {
        let p = |q: &str| Search::parse(Some(q)).unwrap().unwrap().like_pattern();
        assert_eq!(p("视觉"), "%视觉%");
        assert_eq!(p("ResNet"), "%resnet%");
        assert_eq!(p("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
