//! The foundation: accounts, sessions, service clients, the audit log, idempotency records and the
//! first reference data (academic years, colleges, units, staff, students).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::cols::{created_at, fk, fk_cascade, id, index, updated_at, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppSecrets {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum Colleges {
    Table,
    Code,
    Name,
}

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    Code,
    StartsOn,
    EndsOn,
    DefaultCapacity,
    AllowProbationary,
    IntroductionDeadline,
    SalonDeadline,
    Closed,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Code,
    Name,
    Kind,
    CollegeId,
    DisciplineId,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // `staff_no` is the column's name.
enum Staff {
    Table,
    StaffNo,
    Name,
    CollegeId,
    IsSupervisor,
    IsCounselor,
    Phone,
    Email,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    StudentNo,
    Name,
    Gender,
    CollegeId,
    UnitId,
    Degree,
    EnrollmentYear,
    PoliticalStatus,
    SupervisorId,
    Phone,
    Email,
    Status,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    CollegeId,
    StudentId,
    StaffId,
    Active,
}

#[derive(DeriveIden)]
enum ServiceClients {
    Table,
    ClientId,
    Name,
    SecretHash,
    Scopes,
    Active,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Username,
    Failures,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    OccurredAt,
    ActorKind,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Changes,
}

#[derive(DeriveIden)]
enum IdempotencyRecords {
    Table,
    Principal,
    IdemKey,
    RequestHash,
    State,
    StatusCode,
    ResponseHeaders,
    ResponseBody,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AppSecrets::Table)
                .col(string_len(AppSecrets::Name, 64).primary_key())
                .col(text(AppSecrets::Value))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Colleges::Table)
                .col(id())
                .col(string_len_uniq(Colleges::Code, 32))
                .col(string_len_uniq(Colleges::Name, 100))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AcademicYears::Table)
                .col(id())
                .col(string_len_uniq(AcademicYears::Code, 9))
                .col(date(AcademicYears::StartsOn))
                .col(date(AcademicYears::EndsOn))
                .col(integer(AcademicYears::DefaultCapacity))
                .col(boolean(AcademicYears::AllowProbationary))
                .col(date(AcademicYears::IntroductionDeadline))
                .col(date(AcademicYears::SalonDeadline))
                .col(boolean(AcademicYears::Closed).default(false))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Units::Table)
                .col(id())
                .col(string_len_uniq(Units::Code, 32))
                .col(string_len(Units::Name, 100))
                .col(string_len(Units::Kind, 32))
                .col(uuid(Units::CollegeId))
                .col(uuid_null(Units::DisciplineId))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Units::Table, Units::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Units::Table, Units::DisciplineId, Units::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Units::Table, "idx_units_college", &["college_id"])).await?;

        m.create_table(
            Table::create()
                .table(Staff::Table)
                .col(id())
                .col(string_len_uniq(Staff::StaffNo, 20))
                .col(string_len(Staff::Name, 100))
                .col(uuid(Staff::CollegeId))
                .col(boolean(Staff::IsSupervisor))
                .col(boolean(Staff::IsCounselor))
                .col(string_len_null(Staff::Phone, 25))
                .col(string_len_null(Staff::Email, 254))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Staff::Table, Staff::CollegeId, Colleges::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Staff::Table, "idx_staff_college", &["college_id"])).await?;

        m.create_table(
            Table::create()
                .table(Students::Table)
                .col(id())
                .col(string_len_uniq(Students::StudentNo, 20))
                .col(string_len(Students::Name, 100))
                .col(string_len(Students::Gender, 16))
                .col(uuid(Students::CollegeId))
                .col(uuid_null(Students::UnitId))
                .col(string_len(Students::Degree, 16))
                .col(integer(Students::EnrollmentYear))
                .col(string_len(Students::PoliticalStatus, 32))
                .col(uuid_null(Students::SupervisorId))
                .col(string_len_null(Students::Phone, 25))
                .col(string_len_null(Students::Email, 254))
                .col(string_len(Students::Status, 16))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Students::Table, Students::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Students::Table, Students::UnitId, Units::Table))
                .foreign_key(&mut fk(Students::Table, Students::SupervisorId, Staff::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Students::Table, "idx_students_college_year", &["college_id", "enrollment_year"])).await?;
        m.create_index(index(Students::Table, "idx_students_unit", &["unit_id"])).await?;
        m.create_index(index(Students::Table, "idx_students_supervisor", &["supervisor_id"])).await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id())
                .col(string_len_uniq(Users::Username, 64))
                .col(string_len(Users::DisplayName, 100))
                .col(string_len(Users::PasswordHash, 255))
                .col(string_len(Users::Role, 32))
                .col(uuid_null(Users::CollegeId))
                .col(uuid_null(Users::StudentId).unique_key())
                .col(uuid_null(Users::StaffId).unique_key())
                .col(boolean(Users::Active))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .foreign_key(&mut fk(Users::Table, Users::CollegeId, Colleges::Table))
                .foreign_key(&mut fk(Users::Table, Users::StudentId, Students::Table))
                .foreign_key(&mut fk(Users::Table, Users::StaffId, Staff::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Users::Table, "idx_users_college", &["college_id"])).await?;

        m.create_table(
            Table::create()
                .table(ServiceClients::Table)
                .col(id())
                .col(string_len_uniq(ServiceClients::ClientId, 64))
                .col(string_len(ServiceClients::Name, 100))
                .col(string_len(ServiceClients::SecretHash, 255))
                .col(text(ServiceClients::Scopes))
                .col(boolean(ServiceClients::Active))
                .col(version())
                .col(created_at())
                .col(updated_at())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(id())
                .col(uuid(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                .foreign_key(&mut fk_cascade(Sessions::Table, Sessions::UserId, Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Sessions::Table, "idx_sessions_user", &["user_id"])).await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(id())
                .col(uuid(RefreshTokens::SessionId))
                .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .foreign_key(&mut fk_cascade(RefreshTokens::Table, RefreshTokens::SessionId, Sessions::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(RefreshTokens::Table, "idx_refresh_tokens_session", &["session_id"])).await?;

        m.create_table(
            Table::create()
                .table(LoginThrottle::Table)
                .col(string_len(LoginThrottle::Username, 64).primary_key())
                .col(integer(LoginThrottle::Failures))
                .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                .col(timestamp_with_time_zone(LoginThrottle::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(id())
                .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                .col(string_len(AuditEvents::ActorKind, 16))
                .col(uuid_null(AuditEvents::ActorId))
                .col(string_len(AuditEvents::Action, 64))
                .col(string_len(AuditEvents::TargetType, 32))
                .col(uuid_null(AuditEvents::TargetId))
                .col(json_binary(AuditEvents::Changes))
                .to_owned(),
        )
        .await?;
        m.create_index(index(AuditEvents::Table, "idx_audit_occurred", &["occurred_at"])).await?;
        m.create_index(index(AuditEvents::Table, "idx_audit_target", &["target_type", "target_id"])).await?;
        m.create_index(index(AuditEvents::Table, "idx_audit_actor", &["actor_id"])).await?;

        m.create_table(
            Table::create()
                .table(IdempotencyRecords::Table)
                .col(id())
                .col(string_len(IdempotencyRecords::Principal, 80))
                .col(string_len(IdempotencyRecords::IdemKey, 255))
                .col(string_len(IdempotencyRecords::RequestHash, 64))
                .col(string_len(IdempotencyRecords::State, 16))
                .col(integer_null(IdempotencyRecords::StatusCode))
                .col(json_binary_null(IdempotencyRecords::ResponseHeaders))
                .col(blob_null(IdempotencyRecords::ResponseBody))
                .col(timestamp_with_time_zone(IdempotencyRecords::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(IdempotencyRecords::Table, "uq_idempotency_principal_key", &["principal", "idem_key"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(IdempotencyRecords::Table, "idx_idempotency_created", &["created_at"])).await?;
        Ok(())
    }
}
