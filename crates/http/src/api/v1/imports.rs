//! `POST /imports/{students,staff,units,honors}`: bulk upserts from the files offices keep.
//!
//! The body is the file: CSV (`text/csv`; UTF-8, UTF-8 with BOM, or GB18030/GBK), XLSX, or a JSON
//! array of rows; or a `multipart/form-data` form with the file in the field `file`. Without a
//! usable `Content-Type` the format is recognised from the file name or the bytes. All rows are
//! written or none; `?dry_run=true` checks everything and writes nothing.
//!
//! `GET /imports` and `GET /imports/{id}`: the record of each real import, which says whether it
//! completed, failed, or was interrupted (the server stopped while it ran).

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::mime;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::auth::ActorKind;
use domain::import::{ImportKind, ImportRunState, Table};
use encoding_rs::Encoding;
use futures_util::StreamExt;
use persistence::imports::runs::{ImportRun, ImportRunFilter};
use persistence::imports::{ImportOutcome, ImportSource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageParams, today};
use super::dto::{HonorRecordDto, StaffRecordDto, StudentRecordDto, UnitRecordDto};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::read_body;
use crate::metrics::{ImportOutcome as Imported, Metrics};
use crate::openapi::{ImportErrors, ListErrors, ReadErrors};
use crate::respond::{self, PageOf, ok};
use crate::state::AppState;
use crate::tabular::{self, Declared, Format};

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check every row and report what would be created, changed and left as it is,
    /// writing nothing.
    pub dry_run: Option<bool>,
    /// The encoding of a CSV file: `utf-8`, `gbk` or `gb18030`. By default a byte-order mark
    /// decides, else the text is UTF-8 when it is valid UTF-8 and GB18030 when not.
    pub encoding: Option<String>,
    /// The sheet of an XLSX workbook to read (default: the first).
    pub sheet: Option<String>,
}

/// A file upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documents the multipart form; the handler reads the stream itself.
pub struct ImportUpload {
    /// The file: `.csv`, `.xlsx` or `.json`.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// An XLSX workbook.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Documents the body.
pub struct XlsxFile(Vec<u8>);

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// The import's id: the `target_id` of its audit event, and its record:
    /// `GET /api/v1/imports/{import_id}` shows whether it completed. Absent in a dry run (which
    /// is not recorded).
    pub import_id: Option<Uuid>,
    /// What was imported.
    pub kind: ImportKind,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// `csv`, `xlsx` or `json`.
    pub format: Format,
    /// The text encoding of a CSV file: `utf-8`, `utf-8-bom`, `gb18030`, `UTF-16LE`, `UTF-16BE`.
    pub encoding: Option<String>,
    /// The data rows of the file (blank rows are skipped).
    pub rows: usize,
    /// Records created.
    pub created: usize,
    /// Records changed (their version goes up by one).
    pub updated: usize,
    /// Rows equal to what is stored: nothing was written for them.
    pub unchanged: usize,
    /// Columns the import does not know; they were ignored.
    pub ignored_columns: Vec<String>,
}

/// The uploaded file, before it is read.
struct Upload {
    bytes: Bytes,
    format: Format,
    charset: Option<&'static Encoding>,
    /// The file name a form gave its `file` part.
    file_name: Option<String>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge { limit }
}

fn unsupported(essence: &str) -> ApiError {
    ApiError::UnsupportedMediaType(format!(
        "cannot import `{essence}`: send text/csv, application/json, {} or multipart/form-data with the file in `file`",
        tabular::XLSX_MEDIA_TYPE
    ))
}

fn charset_of(mime: &mime::Mime) -> Result<Option<&'static Encoding>, ApiError> {
    match mime.get_param(mime::CHARSET) {
        None => Ok(None),
        Some(c) => tabular::encoding_named(c.as_str())
            .map(Some)
            .ok_or_else(|| ApiError::UnsupportedMediaType(format!("the charset {c} is not read; use utf-8 or gbk"))),
    }
}

/// Reads the body, or the `file` part of a form, up to `limit` bytes.
async fn read_upload(req: &HttpRequest, payload: web::Payload, limit: usize) -> Result<Upload, ApiError> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let mime = req.mime_type().map_err(|_| unsupported("an unreadable Content-Type"))?;
    let essence = mime.as_ref().map(|m| m.essence_str().to_ascii_lowercase()).unwrap_or_default();
    if essence == "multipart/form-data" {
        return read_form(req, payload, limit).await;
    }
    let declared = match tabular::declared_format(&essence) {
        Declared::Format(f) => Some(f),
        Declared::Unknown => None,
        Declared::Unsupported => return Err(unsupported(&essence)),
    };
    let charset = match &mime {
        Some(m) => charset_of(m)?,
        None => None,
    };
    let bytes = read_body(payload.into_inner(), limit).await?;
    let format = declared.unwrap_or_else(|| tabular::sniff(&bytes));
    Ok(Upload { bytes, format, charset, file_name: None })
}

async fn read_form(req: &HttpRequest, payload: web::Payload, limit: usize) -> Result<Upload, ApiError> {
    let bad = |e: actix_multipart::MultipartError| ApiError::BadRequest {
        code: "malformed_multipart",
        detail: format!("the form cannot be read: {e}"),
    };
    let mut form = Multipart::new(req.headers(), payload);
    let mut seen = 0usize;
    let mut upload = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad)?;
        if field.name() == Some("file") && upload.is_some() {
            return Err(ApiError::BadRequest {
                code: "malformed_multipart",
                detail: "the form has more than one `file`; import one file at a time".into(),
            });
        }
        let is_file = field.name() == Some("file");
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
        let part_type = field.content_type().cloned();
        let mut body = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            seen += chunk.len();
            if seen > limit {
                return Err(too_large(limit));
            }
            if is_file {
                body.extend_from_slice(&chunk);
            }
        }
        if is_file {
            let bytes = body.freeze();
            let essence = part_type.as_ref().map(|m| m.essence_str().to_ascii_lowercase()).unwrap_or_default();
            let by_type = match tabular::declared_format(&essence) {
                Declared::Format(f) => Some(f),
                Declared::Unknown | Declared::Unsupported => None,
            };
            let format = file_name
                .as_deref()
                .and_then(tabular::format_of_file_name)
                .or(by_type)
                .unwrap_or_else(|| tabular::sniff(&bytes));
            let charset = match &part_type {
                Some(m) => charset_of(m)?,
                None => None,
            };
            upload = Some(Upload { bytes, format, charset, file_name });
        }
    }
    upload.ok_or_else(|| domain::Error::invalid("file", "required", "the form has no `file` field").into())
}

/// Reads the table out of the file (off the async workers: a large sheet takes a moment).
async fn read_table(
    upload: Upload,
    named: Option<&'static Encoding>,
    sheet: Option<String>,
) -> Result<(Table, Format, Option<String>), ApiError> {
    web::block(move || {
        let format = tabular::proven_format(&upload.bytes)?.unwrap_or(upload.format);
        // The readers are defensive, but a workbook is a complex format read by a third-party
        // crate: a panic inside it is a file we cannot read, not a server error.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
            Format::Csv => {
                let (text, encoding) = tabular::decode(&upload.bytes, named.or(upload.charset))?;
                Ok((tabular::read_csv(&text)?, format, Some(encoding.to_owned())))
            }
            Format::Xlsx => Ok((tabular::read_xlsx(&upload.bytes, sheet.as_deref())?, format, None)),
            Format::Json => Ok((tabular::read_json(&upload.bytes)?, format, None)),
        }))
        .unwrap_or_else(|_| {
            Err(ApiError::BadRequest {
                code: "malformed_file",
                detail: format!("the {} file cannot be read: it is damaged or not what it claims", format.as_str()),
            })
        })
    })
    .await
    .map_err(|e| ApiError::Persistence(persistence::Error::Internal(format!("reading an upload: {e}"))))?
}

async fn import(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
    kind: ImportKind,
) -> Result<HttpResponse, ApiError> {
    let started = std::time::Instant::now();
    let result = run_import(state, auth, &req, q, payload, kind).await;
    // The file, its table and its rows are dropped: hand their memory back (an import of 100,000
    // rows frees hundreds of MB on this worker, which may then idle).
    persistence::memory::release();
    if let Some(m) = req.app_data::<web::Data<Metrics>>() {
        let (outcome, rows) = match &result {
            Ok(o) if o.dry_run => (Imported::DryRun, None),
            Ok(o) => (Imported::Written, Some([o.created, o.updated, o.unchanged])),
            Err(_) => (Imported::Failed, None),
        };
        m.observe_import(kind.as_str(), outcome, started.elapsed(), rows);
    }
    result.map(|o| ok(&o))
}

async fn run_import(
    state: web::Data<AppState>,
    auth: Auth,
    req: &HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
    kind: ImportKind,
) -> Result<ImportReport, ApiError> {
    // Refuse early, before reading a large body.
    persistence::imports::check_allowed(&auth.principal)?;
    let q = q.into_inner();
    let named = match q.encoding.as_deref() {
        None => None,
        Some(e) => Some(tabular::encoding_named(e).ok_or_else(|| {
            domain::Error::invalid("encoding", "invalid_choice", format!("`{e}` is not one of: utf-8, gbk, gb18030"))
        })?),
    };
    let mut upload = read_upload(req, payload, state.settings.import_max_bytes).await?;
    let file_name = upload.file_name.take();
    let (table, format, encoding) = read_table(upload, named, q.sheet).await?;
    let dry_run = q.dry_run.unwrap_or(false);
    let source = ImportSource { file_name, format: Some(format.as_str().to_owned()), encoding: encoding.clone() };
    let outcome = persistence::imports::run(&state.db, &auth.principal, kind, table, &source, dry_run, today()).await?;
    Ok(report(kind, dry_run, format, encoding, outcome))
}

fn report(kind: ImportKind, dry_run: bool, format: Format, encoding: Option<String>, o: ImportOutcome) -> ImportReport {
    ImportReport {
        import_id: o.import_id,
        kind,
        dry_run,
        format,
        encoding,
        rows: o.rows,
        created: o.created,
        updated: o.updated,
        unchanged: o.unchanged,
        ignored_columns: o.ignored_columns,
    }
}

/// Import students, upserted by 学号.
///
/// University admins, a college admin into their own college, service clients with `import`.
/// Columns (English or Chinese header): `student_no` 学号, `name` 姓名, `gender` 性别 (男/女),
/// `college` 学院 (code or name), `degree` 培养层次 (硕士/博士), `enrollment_year` 入学年份,
/// `political_status` 政治面貌 (中共党员/中共预备党员/共青团员/群众/其他) are required;
/// `unit` 单位代码 (also 专业/学科方向: a unit code, or a unit name of the college),
/// `supervisor` 导师工号, `counselor` 辅导员工号 (also 辅导员: a counselor of the student's college),
/// `phone` 手机, `email` 邮箱, `status` 学籍状态 (在读/休学/毕业/退学) are optional. A column left out keeps what is stored; an empty cell clears an optional value.
/// Unknown columns are ignored and listed in `ignored_columns`.
///
/// All or nothing: any bad row (a bad 学号, an unknown college, a 学号 twice in the file, …) fails
/// the whole import with a 422 `import_failed` listing every problem by line and column. A row
/// equal to the stored student writes nothing, so importing a file twice changes nothing the
/// second time. Each created or changed student gets a `student.imported` or `student.updated`
/// event in the change feed.
#[utoipa::path(
    operation_id = "import_students",
    security(("bearer" = []), ("oauth2" = ["import"])),
    tag = "import-export",
    params(ImportQuery),
    request_body(description = "The file, or a form with it in `file`", content(
        (String = "text/csv"),
        (Vec<StudentRecordDto> = "application/json"),
        (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data")
    )),
    responses(
        (status = 200, description = "Imported (or, in a dry run, checked)", body = ImportReport),
        ImportErrors
    )
)]
#[post("/imports/students")]
pub async fn students(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    import(state, auth, req, q, payload, ImportKind::Students).await
}

/// Import staff, upserted by 工号.
///
/// University admins, a college admin into their own college, service clients with `import`.
/// Columns: `staff_no` 工号, `name` 姓名, `college` 学院 (code or name) are required;
/// `is_supervisor` 是否导师 and `is_counselor` 是否辅导员 (是/否), `phone` 手机, `email` 邮箱 are
/// optional. A supervisor who still supervises students cannot be made a non-supervisor. Events:
/// `staff.imported`, `staff.updated`. Otherwise as `POST /imports/students`.
#[utoipa::path(
    operation_id = "import_staff",
    security(("bearer" = []), ("oauth2" = ["import"])),
    tag = "import-export",
    params(ImportQuery),
    request_body(description = "The file, or a form with it in `file`", content(
        (String = "text/csv"),
        (Vec<StaffRecordDto> = "application/json"),
        (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data")
    )),
    responses(
        (status = 200, description = "Imported (or, in a dry run, checked)", body = ImportReport),
        ImportErrors
    )
)]
#[post("/imports/staff")]
pub async fn staff(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    import(state, auth, req, q, payload, ImportKind::Staff).await
}

/// Import units, upserted by code.
///
/// University admins, a college admin for their own college, service clients with `import`.
/// Columns: `code` 单位代码, `name` 单位名称, `kind` 类型 (学科方向/实验室/课题组/临床科室/导师科研团队),
/// `college` 学院 (code or name) are required; `discipline` 所属学科代码 (a discipline of the same
/// college, stored or in the same file) is optional. A unit's college never changes. Events:
/// `unit.imported`, `unit.updated`. Otherwise as `POST /imports/students`.
#[utoipa::path(
    operation_id = "import_units",
    security(("bearer" = []), ("oauth2" = ["import"])),
    tag = "import-export",
    params(ImportQuery),
    request_body(description = "The file, or a form with it in `file`", content(
        (String = "text/csv"),
        (Vec<UnitRecordDto> = "application/json"),
        (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data")
    )),
    responses(
        (status = 200, description = "Imported (or, in a dry run, checked)", body = ImportReport),
        ImportErrors
    )
)]
#[post("/imports/units")]
pub async fn units(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    import(state, auth, req, q, payload, ImportKind::Units).await
}

/// Import honours, upserted by (学号, 荣誉称号, 获得日期).
///
/// Only the level can change. University admins, a college admin for their own college's
/// students, service clients with `import`. Columns: `student_no` 学号, `title` 荣誉称号, `level` 级别 (院级/校级/省级/国家级),
/// `awarded_on` 获得日期 are required; `name` 姓名, when given, must be the student's. Events:
/// `honor.imported`, `honor.updated`. Otherwise as `POST /imports/students`.
#[utoipa::path(
    operation_id = "import_honors",
    security(("bearer" = []), ("oauth2" = ["import"])),
    tag = "import-export",
    params(ImportQuery),
    request_body(description = "The file, or a form with it in `file`", content(
        (String = "text/csv"),
        (Vec<HonorRecordDto> = "application/json"),
        (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data")
    )),
    responses(
        (status = 200, description = "Imported (or, in a dry run, checked)", body = ImportReport),
        ImportErrors
    )
)]
#[post("/imports/honors")]
pub async fn honors(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    import(state, auth, req, q, payload, ImportKind::Honors).await
}

/// The record of one import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRunDto {
    /// The import's id: the `import_id` of its response and the `target_id` of its audit event.
    pub id: Uuid,
    /// What was imported.
    pub kind: ImportKind,
    /// Where it stands. `running`: under way; `completed`: written whole, with its counts;
    /// `failed`: refused, nothing written (`error_code` says why); `interrupted`: the server
    /// stopped while it ran (a crash, a kill), and its transaction never committed, so nothing
    /// was written either.
    pub state: ImportRunState,
    /// The importing college admin's college; absent for a university admin or a service client.
    pub college_id: Option<Uuid>,
    /// `user` or `service_client`.
    pub started_by_kind: ActorKind,
    /// The user or service client who started it.
    pub started_by: Option<Uuid>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it completed or failed. Absent while it runs, and for an interrupted import: it
    /// never finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// The data rows of the file.
    pub rows: Option<u64>,
    /// Records created (a completed import).
    pub created: Option<u64>,
    /// Records changed (a completed import).
    pub updated: Option<u64>,
    /// Rows equal to what was stored (a completed import).
    pub unchanged: Option<u64>,
    /// The `code` of the problem a failed import answered: `import_failed` when rows were bad,
    /// else the error's code (`internal`, `unavailable`, …).
    pub error_code: Option<String>,
    /// How many problems the file had (a failed import with bad rows).
    pub error_count: Option<u64>,
    /// The name of the uploaded file, when a form gave one.
    pub file_name: Option<String>,
    /// `csv`, `xlsx` or `json`.
    pub format: Option<String>,
    /// The text encoding of a CSV file.
    pub encoding: Option<String>,
}

impl From<ImportRun> for ImportRunDto {
    fn from(r: ImportRun) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            state: r.state,
            college_id: r.college_id,
            started_by_kind: r.started_by.kind,
            started_by: r.started_by.id,
            started_at: r.started_at,
            finished_at: r.finished_at,
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            error_code: r.error_code,
            error_count: r.error_count,
            file_name: r.file_name,
            format: r.format,
            encoding: r.encoding,
        }
    }
}

/// Filters of the import records.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportRunQuery {
    /// Only imports of this kind.
    pub kind: Option<ImportKind>,
    /// Only imports in this state.
    pub state: Option<ImportRunState>,
}

/// List the import records, newest first.
///
/// Every real import (not a dry run) is recorded when it starts, as `running`, and ends
/// `completed` (with its counts, committed with the data) or `failed` (with `error_code`). An
/// import the server did not finish (killed, crashed) reads `interrupted`: nothing of it was
/// written. A university admin (or a service client with `import`) reads every record, a college
/// admin their college's; other roles get a 403.
#[utoipa::path(
    operation_id = "list_imports",
    security(("bearer" = []), ("oauth2" = ["import"])),
    tag = "import-export",
    params(PageParams, ImportRunQuery),
    responses((status = 200, description = "One page of import records", body = PageOf<ImportRunDto>), ListErrors)
)]
#[get("/imports")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageParams>,
    q: web::Query<ImportRunQuery>,
) -> Result<HttpResponse, ApiError> {
    // Always newest first: a sort key would be silently ignored, so none is taken.
    if page.sort.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        return Err(domain::Error::invalid("sort", "invalid_choice", "import records are always newest first").into());
    }
    let q = q.into_inner();
    let filter = ImportRunFilter { kind: q.kind, state: q.state };
    let p = persistence::imports::runs::list(&state.db, &auth.principal, filter, page.request()?).await?;
    Ok(respond::page(&req, PageOf::from_page(p, ImportRunDto::from)))
}

/// Get the record of an import.
///
/// The `import_id` an import answered with. A college admin reads their college's imports only:
/// another college's is a 404; other roles get a 403.
#[utoipa::path(
    operation_id = "get_import",
    security(("bearer" = []), ("oauth2" = ["import"])),
    tag = "import-export",
    params(("id" = Uuid, Path, description = "Import id (`import_id`)")),
    responses((status = 200, description = "The import record", body = ImportRunDto), ReadErrors)
)]
#[get("/imports/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let run = persistence::imports::runs::get(&state.db, &auth.principal, *id).await?;
    Ok(ok(&ImportRunDto::from(run)))
}
