//! The one place the OpenAPI document is built. Paths come from the handlers' `#[utoipa::path]`
//! through `utoipa_actix_web`, so nothing is typed twice; the same document is served at
//! `/api/v1/openapi.json`, printed by `xuezhang openapi`, and committed as `openapi/openapi.json`.

use std::sync::OnceLock;

use actix_web::App;
use utoipa::openapi::header::Header;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{PROBLEM_JSON, Problem};

#[path = "openapi_examples.rs"]
mod examples;

macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident => $desc:literal;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
                    (stringify!($name), ResponseBuilder::new().description($desc).content(PROBLEM_JSON, content).build().into())
                }
            }
        )+
    };
}

problem_responses! {
    /// 400.
    BadRequest => "The request could not be read: malformed JSON (`malformed_json`), a bad query string (`invalid_query`), a path id that is not a UUID (`invalid_path`), a bad `Idempotency-Key` (`invalid_idempotency_key`), or an upload that is no readable CSV, XLSX or form (`malformed_file`, `malformed_multipart`).";
    /// 400 on a list that pages by cursor.
    CursorBadRequest => "The request could not be read: a bad query string (`invalid_query`), or a `cursor` this list cannot use (`invalid_cursor`): not one it gave out, altered, made for another `sort` or other filters, or sent with `page`. Start again without a cursor.";
    /// 401.
    Unauthorized => "No valid access token (`unauthenticated`). Carries `WWW-Authenticate: Bearer`.";
    /// 403.
    Forbidden => "The caller may know of the object but may not do this (`forbidden`), or a service client's token lacks a scope the operation needs (`insufficient_scope`, with `WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"…\"`, RFC 6750 §3.1).";
    /// 404.
    NotFound => "No such object, or the caller may not know that it exists (`not_found`).";
    /// 412.
    PreconditionFailed => "`If-Match` named a version that is no longer current (`precondition_failed`); the current `ETag` and `current_version` are returned.";
    /// 413.
    PayloadTooLarge => "The body is larger than the limit, which `detail` names (`payload_too_large`).";
    /// 415.
    UnsupportedMediaType => "The body's media type is not one the operation reads (`unsupported_media_type`).";
    /// 422.
    Unprocessable => "The input is well-formed but invalid (`validation_failed`, every bad field listed in `errors`), an import has bad rows (`import_failed`, every problem listed in `row_errors` by line and column; nothing was written), or an `Idempotency-Key` was reused with another request (`idempotency_key_reused`).";
    /// 429.
    TooManyRequests => "Too many failed attempts, or too many inquiries sent (`too_many_attempts`); retry after `Retry-After` seconds.";
}

/// 409. Its description lists every conflict code, generated from [`domain::ConflictCode`].
pub struct Conflict;

impl<'r> utoipa::ToResponse<'r> for Conflict {
    fn response() -> (&'r str, RefOr<Response>) {
        let codes: Vec<String> =
            domain::ConflictCode::ALL.iter().map(|c| format!("- `{}`: {}", c.as_str(), c.describe())).collect();
        let description =
            format!("The request clashes with the current state. `code` is one of:\n\n{}", codes.join("\n"));
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        ("Conflict", ResponseBuilder::new().description(description).content(PROBLEM_JSON, content).build().into())
    }
}

/// Declares a set of error responses that one kind of operation can answer, so a handler names
/// the set once (`responses((status = 200, …), WriteErrors)`) instead of a line per status. Each
/// status refers to the shared problem response above; a handler may add lines beside a set.
macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal => $response:ident),+ $(,)?];)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                    std::collections::BTreeMap::from([$((
                        $status.to_string(),
                        Ref::from_response_name(<$response as utoipa::ToResponse>::response().0).into(),
                    )),+])
                }
            }
        )+
    };
}

error_sets! {
    /// Reading one object (or a list under it) named in the path, or a step on it that takes
    /// neither a body nor `If-Match`.
    ReadErrors => [400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound];
    /// Reading a list, or an export, filtered by the query string.
    ListErrors => [400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 422 => Unprocessable];
    /// Reading a large list that also pages by cursor (`invalid_cursor`).
    CursorListErrors => [400 => CursorBadRequest, 401 => Unauthorized, 403 => Forbidden, 422 => Unprocessable];
    /// Creating a top-level object from a JSON body.
    CreateErrors => [
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 409 => Conflict,
        415 => UnsupportedMediaType, 422 => Unprocessable,
    ];
    /// A step with a JSON body on an object named in the path (or creating one under it), not
    /// guarded by `If-Match`.
    ActionErrors => [
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 409 => Conflict,
        415 => UnsupportedMediaType, 422 => Unprocessable,
    ];
    /// Changing an object named in the path with a JSON body, guarded by `If-Match`: `PATCH`, and
    /// the transitions that take a body.
    WriteErrors => [
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 409 => Conflict,
        412 => PreconditionFailed, 415 => UnsupportedMediaType, 422 => Unprocessable,
    ];
    /// Deleting an object named in the path, or a transition without a body, guarded by
    /// `If-Match`.
    DeleteErrors => [
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 409 => Conflict,
        412 => PreconditionFailed,
    ];
    /// Uploading a file to an object named in the path (a photo): the body is the file, checked
    /// by its content.
    UploadErrors => [
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 404 => NotFound, 409 => Conflict,
        413 => PayloadTooLarge, 415 => UnsupportedMediaType, 422 => Unprocessable,
    ];
    /// A bulk import from an uploaded file.
    ImportErrors => [
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 413 => PayloadTooLarge,
        415 => UnsupportedMediaType, 422 => Unprocessable,
    ];
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /api/v1/auth/token` (15 minutes)."))
                    .build(),
            ),
        );
        let scopes = Scopes::from_iter(
            domain::auth::ServiceScope::ALL.iter().map(|s| (s.as_str(), "see the service-client scopes")),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The value of `XUEZHANG_METRICS_TOKEN` (`GET /metrics` only)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::new([
                Flow::Password(Password::new("/api/v1/auth/token", Scopes::new())),
                Flow::ClientCredentials(ClientCredentials::new("/api/v1/auth/token", scopes)),
            ])),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xuezhang API",
        description = "学长 (xuezhang): the JSON API of the graduate Party-member mentor program (研究生党员学长制): \
accounts, reference data, nominations, appointments, pairings and activities.\n\n\
Errors are RFC 9457 `application/problem+json` with a stable `code`. Lists take `page`, `page_size` \
(at most 100) and `sort` (`-` for descending). Resources carry an `ETag`; `PATCH`/`DELETE` honour \
`If-Match`. `POST` honours `Idempotency-Key` (kept 24 hours). Every response carries `X-Request-Id`: \
send your own (1–64 characters from `A–Z a–z 0–9 - _ . :`) to follow a request through the logs, \
or read the one the server made up; problem documents name it in `instance` \
(`urn:xuezhang:request:<id>`)."
    ),
    components(
        schemas(
            Problem,
            domain::FieldError,
            domain::page::Count,
            domain::import::RowError,
            crate::api::v1::exports::ExportFormat,
            crate::api::v1::reports::ReportFormat,
            crate::api::v1::certificates::CertificateFormat,
            domain::best_case::CaseState,
            crate::api::v1::anthology::AnthologyFormat,
            domain::club::MemberState,
            domain::essay::EssayState,
            domain::essay::EssayTheme
        ),
        responses(
            BadRequest,
            CursorBadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PreconditionFailed,
            PayloadTooLarge,
            UnsupportedMediaType,
            Unprocessable,
            TooManyRequests
        )
    ),
    servers(
        (url = "/", description = "The server that serves this document"),
        (url = "http://127.0.0.1:8080", description = "A local `make run`")
    ),
    modifiers(&Security),
    security(("bearer" = []), ("oauth2" = [])),
    tags(
        (name = "auth", description = "Tokens (RFC 6749) and the caller's own account"),
        (name = "accounts", description = "User accounts and service clients"),
        (name = "reference", description = "Academic years, colleges, units, students and staff"),
        (name = "selection", description = "院推: honours and sanctions, nominations and their eligibility"),
        (name = "appointments", description = "校聘: appointments, training, commendations, dismissal, closing a year"),
        (name = "pairing", description = "结对子: pairing mentors with mentees, auto-matching, feedback, the orientation milestone"),
        (name = "activities", description = "Salons, research talks, competition guidance, club meetings…: scheduling, registrations with a waitlist, attendance, feedback, the iCalendar feed"),
        (name = "import-export", description = "Bulk import of students, staff, units and honours from CSV (UTF-8 or GBK), XLSX or JSON; exports as CSV (opens in Excel) or JSON"),
        (name = "work", description = "工作记录本: the mentor's work-record book, its edit window and notes, the work summary of an appointment"),
        (name = "directory", description = "公示: the public mentor directory, the university's directory and a mentee's own mentor"),
        (name = "careers", description = "就业岗位: job and internship postings of a college, and mentors' recommendations"),
        (name = "help", description = "求助: a student's help requests to their own mentor, answered with a note or as a work-record entry (private)"),
        (name = "concerns", description = "学长工作: concerns a mentor registers and escalates to the student's supervisor and counselor (confidential)"),
        (name = "year-end", description = "考核: each mentor's performance figures for the year and the college's assessment, confirmed by the university"),
        (name = "awards", description = "年终: the annual outstanding-mentor award rounds — nominations within quotas, reviewers' scores, the ranking formula, commendations"),
        (name = "cases", description = "优秀案例: colleges' best-practice cases — written and submitted by the college, accepted, returned or featured by the university, with PDF and image attachments"),
        (name = "club", description = "学长俱乐部与《经验谈》: the mentors' club (members by appointment, active and alumni), members' essays accepted or returned by the editor, and the anthology of an edition"),
        (name = "reports", description = "报表: milestone compliance per college, the college's year-end assessment figures (基层党委年终考核), inactive mentors, the program overview and its charts"),
        (name = "integration", description = "The change feed for the student-affairs system"),
        (name = "audit", description = "The audit log of every write"),
        (name = "operations", description = "Probes and metrics")
    )
)]
struct ApiDoc;

/// Mounts every documented route on `app`: the probes and the `/api/v1` scope.
pub fn mount<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Error = actix_web::Error,
            InitError = (),
        >,
{
    app.service(crate::ops::healthz).service(crate::ops::readyz).service(crate::metrics::metrics).service(
        utoipa_actix_web::scope("/api/v1")
            .wrap(actix_web::middleware::from_fn(crate::idempotency::middleware))
            .configure(crate::api::v1::configure),
    )
}

/// Declares `X-Request-Id` once under `components/headers` and refers to it from every response.
fn add_request_id_header(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    const NAME: &str = "X-Request-Id";
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[A-Za-z0-9._:-]{1,64}$"))
        .examples([serde_json::json!("01937a4e-1c2b-7d3e-9f40-5a6b7c8d9e0f")])
        .build();
    let mut header = Header::new(schema);
    header.description = Some(
        "The id of this request: the caller's own `X-Request-Id` when it was well-formed (1–64 characters \
from `A–Z a–z 0–9 - _ . :`), a fresh UUID otherwise. Problem documents name it in `instance`; the \
access log writes it."
            .to_owned(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.headers.insert(NAME.to_owned(), RefOr::T(header));
    let reference = || RefOr::Ref(Ref::new(format!("#/components/headers/{NAME}")));
    for response in components.responses.values_mut() {
        if let RefOr::T(r) = response {
            r.headers.insert(NAME.to_owned(), reference());
        }
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for response in operation.responses.responses.values_mut() {
                // A `$ref` response is a component, which has the header already.
                if let RefOr::T(r) = response {
                    r.headers.insert(NAME.to_owned(), reference());
                }
            }
        }
    }
}

/// The prefixes of the page schemas utoipa names after their generic argument: `PageOf_X` and
/// `CursorPageOf_X`.
const PAGE_PREFIXES: [&str; 2] = ["PageOf_", "CursorPageOf_"];

/// Makes every `PageOf_X` (and `CursorPageOf_X`) schema refer to `X` for its items instead of an
/// inline copy (utoipa inlines a generic argument), so generated clients get one `StudentDto`, not
/// one per page.
fn ref_page_items(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    let Some(components) = doc.components.as_mut() else { return };
    let known: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = PAGE_PREFIXES.iter().find_map(|p| name.strip_prefix(p)) else { continue };
        if !known.iter().any(|k| k == item) {
            continue;
        }
        if let RefOr::T(Schema::Object(page)) = schema
            && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
        {
            items.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

/// Declares the headers the shared error responses carry: the challenges of 401 and 403 (RFC 6750
/// §3) and the `Retry-After` of 429.
fn add_component_headers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let header = |ty: Type, description: &str| {
        let mut h = Header::new(ObjectBuilder::new().schema_type(ty).build());
        h.description = Some(description.to_owned());
        RefOr::T(h)
    };
    let Some(components) = doc.components.as_mut() else { return };
    let mut add = |response: &str, name: &str, h: RefOr<Header>| {
        if let Some(RefOr::T(r)) = components.responses.get_mut(response) {
            r.headers.insert(name.to_owned(), h);
        }
    };
    add(
        "Unauthorized",
        "WWW-Authenticate",
        header(
            Type::String,
            "`Bearer realm=\"xuezhang\"` without a token, `Bearer realm=\"xuezhang\", error=\"invalid_token\"` with a bad one.",
        ),
    );
    add(
        "Forbidden",
        "WWW-Authenticate",
        header(
            Type::String,
            "Only on `insufficient_scope`: `Bearer realm=\"xuezhang\", error=\"insufficient_scope\", scope=\"<the scope needed>\"`.",
        ),
    );
    add("TooManyRequests", "Retry-After", header(Type::Integer, "Seconds until the caller may try again."));
    // Every problem is written in the language `Accept-Language` asks for.
    let language = header(
        Type::String,
        "`zh-CN` (the default) or `en`, as `Accept-Language` asked: the language of `title`, `detail` and the \
field and row messages. `code` is the same in both.",
    );
    for response in components.responses.values_mut() {
        if let RefOr::T(r) = response {
            r.headers.insert("Content-Language".to_owned(), language.clone());
        }
    }
}

/// Declares the `Link` header (RFC 8288) under `components/headers` and refers to it from the
/// `200` answer of every list (an operation answering a `PageOf_…` schema).
fn add_link_header(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    const NAME: &str = "Link";
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .examples([serde_json::json!(
            "</api/v1/students?sort=name&page=1&page_size=20>; rel=\"first\", \
</api/v1/students?sort=name&page=3&page_size=20>; rel=\"next\", \
</api/v1/students?sort=name&page=9&page_size=20>; rel=\"last\""
        )])
        .build();
    let mut header = Header::new(schema);
    header.description = Some(
        "RFC 8288 links to the `first` and `last` pages, and to the `prev` and `next` ones when there \
are such pages: the request's own path and query with `page` and `page_size` set, every filter kept. \
On the lists that page by cursor: without a count (`count=none`) there is no `last`, and `next` only \
while `has_more`; after a `cursor`, `first` (the list from its start) and `next` (the query with \
`cursor` set to `next_cursor`), every filter and the `sort` kept."
            .to_owned(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.headers.insert(NAME.to_owned(), RefOr::T(header));
    for item in doc.paths.paths.values_mut() {
        let Some(get) = item.get.as_mut() else { continue };
        let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else { continue };
        let lists = ok.content.values().any(|c| {
            matches!(c, RefOr::T(c) if matches!(&c.schema, Some(RefOr::Ref(r))
                if PAGE_PREFIXES.iter().any(|p| r.ref_location.starts_with(&format!("#/components/schemas/{p}")))))
        });
        if lists {
            ok.headers.insert(NAME.to_owned(), RefOr::Ref(Ref::new(format!("#/components/headers/{NAME}"))));
        }
    }
}

/// The sort keys of each list, as the persistence layer accepts them (an end-to-end test asks every
/// list for every key it declares, and for one it does not).
pub const SORT_KEYS: &[(&str, &[&str])] = &[
    ("list_academic_years", &["code", "starts_on", "created_at"]),
    ("list_activities", &["start_at", "created_at", "updated_at"]),
    ("list_activity_registrations", &["created_at", "updated_at"]),
    ("list_appointments", &["created_at", "updated_at", "capacity"]),
    ("list_audit_events", &[]),
    ("list_award_rounds", &["created_at", "nominations_open_on"]),
    ("list_cases", &["created_at", "updated_at", "submitted_at"]),
    ("list_club_members", &["name", "since"]),
    ("list_colleges", &["code", "name", "created_at"]),
    ("list_concerns", &["created_at", "updated_at"]),
    ("list_essays", &["created_at", "updated_at", "submitted_at"]),
    ("list_job_postings", &["deadline", "created_at", "updated_at"]),
    ("list_help_requests", &["created_at", "updated_at"]),
    ("list_imports", &[]),
    ("list_inquiries", &["created_at", "updated_at"]),
    ("list_mentors", &["published_at", "updated_at"]),
    ("list_nominations", &["created_at", "updated_at"]),
    ("list_pairings", &["created_at", "updated_at"]),
    ("list_public_mentors", &["published_at", "updated_at"]),
    ("list_service_clients", &["client_id", "created_at"]),
    ("list_staff", &["staff_no", "name", "created_at"]),
    ("list_students", &["student_no", "name", "enrollment_year", "created_at"]),
    ("list_units", &["code", "name", "created_at"]),
    ("list_users", &["username", "display_name", "created_at"]),
    ("list_work_records", &["date", "created_at", "updated_at"]),
];

/// Declares `page_size` as it is read, and makes each list's `sort` parameter an enum of its keys, ascending and (`-`) descending. A list
/// without keys (the audit log and the import records, always newest first) loses the parameter.
fn declare_sort_keys(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.get.as_mut() else { continue };
        let Some(params) = op.parameters.as_mut() else { continue };
        // `page_size` takes any whole number (clamped to 1–100): no `format` bounds it.
        for p in params.iter_mut().filter_map(|p| if let RefOr::T(p) = p { Some(p) } else { None }) {
            if p.name == "page_size" {
                p.schema = Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).into());
            }
        }
        let Some(id) = op.operation_id.as_deref() else { continue };
        let Some((_, keys)) = SORT_KEYS.iter().find(|(op_id, _)| *op_id == id) else { continue };
        if keys.is_empty() {
            params.retain(|p| !matches!(p, RefOr::T(p) if p.name == "sort"));
            continue;
        }
        let values: Vec<String> = keys.iter().flat_map(|k| [(*k).to_owned(), format!("-{k}")]).collect();
        for p in params.iter_mut().filter_map(|p| if let RefOr::T(p) = p { Some(p) } else { None }) {
            if p.name != "sort" {
                continue;
            }
            p.schema = Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.clone())).into());
            p.description = Some(format!(
                "Sort key: {}; prefix `-` for descending. Another value is 422.",
                keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
}

/// The component schemas the writes use: request bodies and success bodies of `POST`, `PUT`,
/// `PATCH` and `DELETE` (array items included).
fn write_schemas(doc: &utoipa::openapi::OpenApi) -> Vec<String> {
    use serde_json::Value;
    fn referred(schema: &Value, out: &mut Vec<String>) {
        let target = schema.get("items").unwrap_or(schema);
        if let Some(r) = target.get("$ref").and_then(Value::as_str)
            && let Some(name) = r.strip_prefix("#/components/schemas/")
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_owned());
        }
    }
    let mut out = Vec::new();
    let Ok(paths) = serde_json::to_value(&doc.paths) else { return out };
    for item in paths.as_object().into_iter().flat_map(|m| m.values()) {
        for method in ["post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            for media in
                op.pointer("/requestBody/content").and_then(Value::as_object).into_iter().flat_map(|m| m.values())
            {
                referred(&media["schema"], &mut out);
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('2') {
                    continue;
                }
                for media in response.get("content").and_then(Value::as_object).into_iter().flat_map(|m| m.values()) {
                    referred(&media["schema"], &mut out);
                }
            }
        }
    }
    out
}

/// The text rule (`domain::text`: no control characters but tab and line breaks) as a pattern,
/// for every free-text string a request can carry.
pub const TEXT_PATTERN: &str = r"^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\r\n)*$";

/// The text rule for a required text: besides, at least one character that is neither white
/// space nor a control character (`"  "` is blank).
pub const NONBLANK_TEXT_PATTERN: &str = r"^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\r\n)*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\r\n)*$";

/// A name or a title: one line (no control character at all, tab and line breaks included), not
/// blank.
pub const ONE_LINE_PATTERN: &str =
    r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// An e-mail address as `domain::reference::Email` reads it (white space around it is trimmed;
/// blank is no address where the address is optional): a local part of 1–64 characters, `@`, a
/// domain with a dot that neither starts nor ends it; no white space, no second `@`.
pub const EMAIL_PATTERN: &str = r"^(?:[ \t\n]|\r\n)*(?:[^\s@\u0000-\u001F\u007F-\u009F]{1,64}@[^\s@.\u0000-\u001F\u007F-\u009F][^\s@\u0000-\u001F\u007F-\u009F]*\.[^\s@\u0000-\u001F\u007F-\u009F]*[^\s@.\u0000-\u001F\u007F-\u009F])?(?:[ \t\n]|\r\n)*$";

/// A phone number as `domain::reference::Phone` reads it: 5–20 digits, with spaces, `+`, `-` and
/// parentheses between them (white space around it is trimmed; blank is no number, as for e-mail).
pub const PHONE_PATTERN: &str = r"^(?:[ \t\n]|\r\n)*(?:[ +()-]*(?:[0-9][ +()-]*){5,20})?(?:[ \t\n]|\r\n)*$";

/// A job posting's link as `domain::career::parse_https_link` reads it: `https://`, a host of ASCII
/// letters, digits, `.`, `-` and `:` with a dot in it that does not start with `.` or `-`, then a
/// path, query or fragment without white space or control characters.
pub const HTTPS_LINK_PATTERN: &str = r"^(?:[ \t\n]|\r\n)*https://[A-Za-z0-9:][A-Za-z0-9.:-]*\.[A-Za-z0-9.:-]*(?:[/?#][^\s\u0000-\u001F\u007F-\u009F]*)?(?:[ \t\n]|\r\n)*$";

/// An activity's online link as `domain::activity::parse_online_link` reads it: `http://` or
/// `https://`, a host, nothing that is white space or a control character.
pub const ONLINE_LINK_PATTERN: &str =
    r"^(?:[ \t\n]|\r\n)*https?://[^\s/?#\u0000-\u001F\u007F-\u009F][^\s\u0000-\u001F\u007F-\u009F]*(?:[ \t\n]|\r\n)*$";

/// `If-Match` and `If-None-Match` as RFC 9110 writes them: `*`, or a comma-separated list of
/// entity tags (`"3"`, `W/"3"`); empty is the same as no header. Anything else is 400
/// (`invalid_if_match`, `invalid_if_none_match`).
pub const IF_MATCH_PATTERN: &str = r#"^(?:\*|(?:W/)?"[\x21\x23-\x7E]*"(?:[ \t]*,[ \t]*(?:W/)?"[\x21\x23-\x7E]*")*)?$"#;

/// Declares the text rule on every string schema that has no format, enum or pattern of its own:
/// in the components, and in the query, path and header parameters.
fn declare_text_rule(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use serde_json::Value;
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                let is_string = match map.get("type") {
                    Some(Value::String(t)) => t == "string",
                    Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                    _ => false,
                };
                // Formats that fix the characters already (a uuid, a date) need no text rule; free
                // formats (`uri`, `email`) do.
                let fixed_format = map.get("format").and_then(Value::as_str).is_some_and(|f| {
                    matches!(f, "uuid" | "date" | "date-time" | "time" | "duration" | "binary" | "byte")
                });
                let constrained =
                    fixed_format || ["enum", "pattern", "const", "$ref"].iter().any(|k| map.contains_key(*k));
                if is_string && !constrained {
                    // A required text (`minLength` ≥ 1) is trimmed by the server: white space
                    // alone is blank and refused, so the pattern asks for one other character.
                    let required = map.get("minLength").and_then(Value::as_u64).is_some_and(|n| n >= 1);
                    let pattern = if required { NONBLANK_TEXT_PATTERN } else { TEXT_PATTERN };
                    map.insert("pattern".to_owned(), Value::String(pattern.to_owned()));
                }
                // Properties whose rule is more than the text rule: names and titles are one line,
                // e-mail addresses and phone numbers have a shape (`domain::reference`).
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    for (name, prop) in props.iter_mut() {
                        let Some(prop) = prop.as_object_mut() else { continue };
                        // An activity's topics (`domain::activity::parse_topics`).
                        if name == "topics" && prop.contains_key("items") {
                            prop.insert("maxItems".to_owned(), Value::from(domain::activity::MAX_TOPICS));
                            prop.insert(
                                "items".to_owned(),
                                serde_json::json!({"type": "string", "minLength": 1, "maxLength": 100, "pattern": NONBLANK_TEXT_PATTERN}),
                            );
                            continue;
                        }
                        let own = ["format", "enum", "const", "$ref"].iter().any(|k| prop.contains_key(*k));
                        let text = prop
                            .get("pattern")
                            .and_then(Value::as_str)
                            .is_none_or(|p| p == TEXT_PATTERN || p == NONBLANK_TEXT_PATTERN);
                        if own || !text {
                            continue;
                        }
                        let (pattern, max_chars) = match name.as_str() {
                            "name" | "title" | "display_name" | "employer" | "city" => (Some(ONE_LINE_PATTERN), None),
                            "email" => (Some(EMAIL_PATTERN), Some(domain::reference::MAX_EMAIL_CHARS)),
                            "phone" => (Some(PHONE_PATTERN), Some(domain::reference::MAX_PHONE_CHARS)),
                            "link" => (Some(HTTPS_LINK_PATTERN), None),
                            "online_link" => (Some(ONLINE_LINK_PATTERN), Some(domain::activity::MAX_ONLINE_LINK_CHARS)),
                            _ => (None, None),
                        };
                        if let Some(pattern) = pattern {
                            prop.insert("pattern".to_owned(), Value::String(pattern.to_owned()));
                        }
                        if let Some(max) = max_chars {
                            prop.entry("maxLength").or_insert_with(|| Value::from(max));
                        }
                    }
                }
                for (key, child) in map.iter_mut() {
                    // Examples are values, not schemas.
                    if key != "examples" && key != "example" {
                        walk(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(&doc) else { return doc };
    if let Some(schemas) = value.pointer_mut("/components/schemas") {
        walk(schemas);
    }
    if let Some(Value::Object(paths)) = value.get_mut("paths") {
        for item in paths.values_mut() {
            for op in item.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                let mut takes_query = false;
                for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                    takes_query |= param.get("in").is_some_and(|i| i == "query");
                    let conditional = param
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("if-match") || n.eq_ignore_ascii_case("if-none-match"));
                    if conditional {
                        param["schema"] = serde_json::json!({"type": "string", "pattern": IF_MATCH_PATTERN});
                    }
                    if let Some(schema) = param.get_mut("schema") {
                        walk(schema);
                    }
                }
                // A query value the text rule refuses, or an unknown parameter holding one, is
                // 422 `validation_failed` naming it, on every operation that reads a query.
                if takes_query
                    && let Some(Value::Object(responses)) = op.get_mut("responses")
                    && !responses.contains_key("422")
                {
                    responses
                        .insert("422".to_owned(), serde_json::json!({"$ref": "#/components/responses/Unprocessable"}));
                }
            }
        }
    }
    serde_json::from_value(value).unwrap_or(doc)
}

/// Where the document is served.
pub const SPEC_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document, built once.
pub fn document() -> utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(build).clone()
}

/// The document as served at `/api/v1/openapi.json`: compact JSON, built afresh and not kept —
/// the server keeps these bytes only (one copy shared by every worker, instead of a copy of the
/// document in each worker's Swagger UI service).
pub fn document_compact_json() -> Vec<u8> {
    serde_json::to_vec(&build()).unwrap_or_default()
}

/// Builds the OpenAPI document.
fn build() -> utoipa::openapi::OpenApi {
    let app = App::new().into_utoipa_app().openapi(ApiDoc::openapi());
    let (_, mut doc) = mount(app).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    ref_page_items(&mut doc);
    add_component_headers(&mut doc);
    declare_sort_keys(&mut doc);
    let writes = write_schemas(&doc);
    examples::add(&mut doc, &writes);
    let mut doc = declare_text_rule(doc);
    add_request_id_header(&mut doc);
    add_link_header(&mut doc);
    doc
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn document_json() -> String {
    let mut s = document().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    /// The Rust files under `dir`, recursively.
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// utoipa names a component after its Rust type and keeps the last of two types of one name,
    /// so a second `ReviewRequest` silently replaced the first in the document (nominations were
    /// documented with the body of a case review). Every schema type has a name of its own, or an
    /// `as = …` that gives it one.
    #[test]
    fn no_two_schema_types_share_a_name() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for krate in ["http/src", "domain/src"] {
            rust_files(&root.join(krate), &mut files);
        }
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !(line.trim_start().starts_with("#[derive(") && line.contains("ToSchema")) {
                    continue;
                }
                // The attributes up to the item, then the item's name.
                let mut renamed = false;
                for next in &lines[i + 1..] {
                    let t = next.trim_start();
                    if t.starts_with("#[schema(as = ") {
                        renamed = true;
                    }
                    let item = t.strip_prefix("pub struct ").or_else(|| t.strip_prefix("pub enum "));
                    if let Some(rest) = item {
                        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        if !renamed {
                            seen.entry(name).or_default().push(file.display().to_string());
                        }
                        break;
                    }
                }
            }
        }
        let shared: Vec<_> = seen.into_iter().filter(|(_, files)| files.len() > 1).collect();
        assert!(shared.is_empty(), "schema types sharing a name (one hides the other in the document): {shared:?}");
    }
}
