//! The `inquiries` table.

use sea_orm::entity::prelude::*;

use crate::enums::{DbInquiryKind, DbInquiryState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiries")]
#[allow(missing_docs)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub college_id: Uuid,
    pub kind: DbInquiryKind,
    pub state: DbInquiryState,
    pub sender_name: String,
    pub sender_email: Option<String>,
    pub sender_user_id: Option<Uuid>,
    pub subject: String,
    pub message: String,
    pub reply: Option<String>,
    pub replied_at: Option<DateTimeUtc>,
    pub token_hash: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
