//! The `academic_years` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academic_years")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub default_capacity: i32,
    pub allow_probationary: bool,
    pub introduction_deadline: Date,
    pub salon_deadline: Date,
    pub record_edit_days: i32,
    pub concern_overdue_urgent_days: i32,
    pub concern_overdue_normal_days: i32,
    pub assessment_opens_on: Option<Date>,
    pub assessment_closes_on: Option<Date>,
    /// Scholarship credit in tenths of a point.
    pub credit_excellent: i32,
    pub credit_competent: i32,
    pub credit_per_award: i32,
    pub credit_cap: Option<i32>,
    pub closed: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
