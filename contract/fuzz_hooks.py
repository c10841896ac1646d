"""Schemathesis hooks of the contract fuzzer (scripts/check-contract-fuzz): the rules of this API
that a JSON Schema cannot state, taught to the generator so that a request it calls valid is one.

Every check still runs on every answer. These hooks touch only *positive* cases (the ones the
fuzzer claims are valid and expects to be accepted); negative cases go out as generated.
What they do, and why each is not a rule of the document:

- **Ids that must name a record.** A schema says an id is a UUID; it cannot say the record exists.
  A random UUID in a body is 422 `invalid_reference` (the body is wrong, not the URL), so ids in
  bodies become the records made for the run by contract/fuzz_personas.py (its IDS file).
- **Keyset cursors** are opaque tokens the server signs; a generated one is 400 `invalid_cursor`.
  Positive cases start from the first page.
- **Rules between fields or against today**: an end after its start, deadlines inside the year,
  award weights summing to 100, a year code whose second year follows the first, an enrolment year
  no later than next year, a concern's scope deciding which of `student_id` / `student_ids` /
  `affected_count` it takes, `academic_year` beside `academic_year_id`, a university admin's
  posting naming its college.
- **Import files**: a CSV, XLSX or JSON file is valid when its rows are; a schema-valid string is
  not a sheet. Positive import cases send the run's own records as exported (they import back
  unchanged), in the media type the case chose.
- **The current password** is a secret, not a shape: positive cases send the persona's, as the
  new one too (a change to itself), so it holds for every later case.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import os
import re
import zipfile

import schemathesis

IDS = json.load(open(os.environ["XUEZHANG_FUZZ_IDS"], encoding="utf-8"))
PERSONA = os.environ.get("XUEZHANG_FUZZ_PERSONA", "anonymous")
PASSWORD = {"current": IDS["passwords"].get(PERSONA)}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_ROWS = "xuezhang-fuzz-xlsx-rows:"
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# `domain::activity::ActivityKind::is_university_wide`.
UNIVERSITY_WIDE_KINDS = ("training", "club_meeting", "experience_exchange")

# Which record an id field names.
ID_FIELDS = {
    "academic_year_id": "academic_year_id",
    "college_id": "college_id",
    "unit_id": "unit_id",
    "supervisor_id": "staff_id",
    "counselor_id": "staff_id",
    "staff_id": "staff_id",
    "student_id": "student_id",
    "mentee_id": "freshman_id",
    "appointment_id": "appointment_id",
    "mentor_id": "appointment_id",
    "nomination_id": "nomination_id",
}
LIST_FIELDS = {
    "student_ids": "freshman_id",
    "unit_ids": "unit_id",
}
# Optional references with no record made for the run, or whose record the run may change (the
# university admin's fuzzing may end the mentor's appointment, and hosts must be active): left
# out of a valid request.
DROPPED_IDS = ("discipline_id", "activity_id", "activity_ids", "revises", "reviewer_ids", "host_appointment_ids")


def _is_positive(case) -> bool:
    # A case without metadata is not known to be valid: left as it is.
    meta = getattr(case, "meta", None)
    return meta is not None and not meta.generation.mode.is_negative


def _date(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


def _ids(body: dict) -> None:
    for field, record in ID_FIELDS.items():
        if isinstance(body.get(field), str) and UUID.match(body[field]):
            body[field] = IDS[record]
    for field, record in LIST_FIELDS.items():
        if isinstance(body.get(field), list) and body[field]:
            body[field] = [IDS[record]]
    for field in DROPPED_IDS:
        if field in body and body[field] is not None:
            body[field] = [] if isinstance(body[field], list) else None
    quotas = body.get("college_quotas")
    if isinstance(quotas, list) and quotas:
        body["college_quotas"] = [dict(quotas[0], college_id=IDS["college_id"])]


def _academic_year(body: dict) -> None:
    """Dates that hang together with the year's code: September to August, the milestones and the
    assessment window inside it, `competent` credit no more than `excellent`."""
    first = IDS["first_year"]
    if isinstance(body.get("code"), str):
        digits = re.findall(r"\d{4}", body["code"])
        first = min(max(int(digits[0]), 2000), 2100) if digits else 2090
        body["code"] = f"{first}-{first + 1}"
    fixed = {
        "starts_on": f"{first}-09-01",
        "ends_on": f"{first + 1}-08-31",
        "introduction_deadline": f"{first}-09-30",
        "salon_deadline": f"{first}-10-31",
        "assessment_opens_on": f"{first + 1}-06-01",
        "assessment_closes_on": f"{first + 1}-06-30",
    }
    for field, day in fixed.items():
        if body.get(field) is not None:
            body[field] = day
    credit = body.get("scholarship_credit")
    if isinstance(credit, dict) and isinstance(credit.get("competent"), int) and isinstance(credit.get("excellent"), int):
        credit["competent"] = min(credit["competent"], credit["excellent"])


def _span(body: dict, start: str, end: str) -> None:
    """An end after its start, within a day, in the run's academic year."""
    if start in body and end in body and body[start] is not None and body[end] is not None:
        first = IDS["first_year"]
        begin = datetime.datetime(first, 10, 20, 11, 0, tzinfo=datetime.timezone.utc)
        body[start] = begin.isoformat().replace("+00:00", "Z")
        body[end] = (begin + datetime.timedelta(hours=2)).isoformat().replace("+00:00", "Z")


def _weights(body: dict) -> None:
    weights = body.get("figure_weights")
    if isinstance(weights, list) and "reviewers_weight" in body:
        for w in weights:
            w["weight"] = 0
        body["reviewers_weight"] = 100
        # One weight per figure.
        seen, unique = set(), []
        for w in weights:
            if w.get("figure") not in seen:
                seen.add(w.get("figure"))
                unique.append(w)
        body["figure_weights"] = unique
    if body.get("nominations_open_on") and body.get("nominations_close_on"):
        body["nominations_open_on"] = f"{IDS['first_year'] + 1}-03-01"
        body["nominations_close_on"] = f"{IDS['first_year'] + 1}-04-01"
    criteria = body.get("criteria")
    if isinstance(criteria, list):
        for i, c in enumerate(criteria):
            c["key"] = "criterion_" + "abcdefghij"[i % 10]


def _concern(body: dict) -> None:
    if body.get("scope") == "individual":
        body["student_id"] = IDS["freshman_id"]
        body.pop("student_ids", None)
        body.pop("affected_count", None)
    elif body.get("scope") == "group":
        body.pop("student_id", None)
        named = body.get("student_ids") or []
        body["student_ids"] = [IDS["freshman_id"]] if named else []
        body["affected_count"] = max(body.get("affected_count") or 2, 2)


# The parameters the token endpoints read.
AUTH_FORM_FIELDS = ("grant_type", "username", "password", "refresh_token", "client_id", "client_secret",
                    "scope", "token", "token_type_hint")

# `domain::work::WorkKind::is_group`.
GROUP_WORK_KINDS = ("group_counselling", "peer_counselling")


def _work_record(body: dict, method: str) -> None:
    """A date within the appointment's term and not in the future (today in Beijing); a head
    count for group work only, and at least the students it names."""
    if body.get("date") is not None:
        body["date"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date().isoformat()
    kind = body.get("kind")
    named = body.get("student_ids") or []
    if kind in GROUP_WORK_KINDS:
        body["head_count"] = max(body.get("head_count") or 1, len(named), 1)
    else:
        # Not group work: no head count (a PATCH clears one the record kept from a group kind).
        if method == "PATCH":
            body["head_count"] = None
        else:
            body.pop("head_count", None)
        if kind is not None:
            body["student_ids"] = [IDS["freshman_id"]]


def _import(case, kind: str) -> None:
    files = IDS["imports"][kind]
    if isinstance(case.query, dict):
        for name in ("encoding", "sheet"):
            case.query.pop(name, None)
    media = (case.media_type or "").split(";")[0]
    if media == "application/json":
        case.body = copy.deepcopy(files["json"])
    elif media == "text/csv":
        case.body = files["csv"]
    elif media == "multipart/form-data":
        case.body = {"file": files["csv"]}
    elif media == XLSX:
        # The document's schema of a workbook is a string (binary): the rows travel as one, marked,
        # and the serializer below writes the workbook.
        case.body = XLSX_ROWS + json.dumps(list(_csv_rows(files["csv"])), ensure_ascii=False)


def _csv_rows(text: str):
    import csv

    return csv.reader(io.StringIO(text.lstrip("\ufeff")))


def fix(case, example: bool = False):
    """The positive case made valid in the ways the document cannot say. The document's examples
    (`example`) are valid requests by definition."""
    if not (example or _is_positive(case)):
        return case
    path = case.operation.path
    method = case.method.upper()
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
    m = re.match(r"^/api/v1/imports/(students|staff|units|honors)$", path)
    if m and method == "POST":
        _import(case, m.group(1))
        return case
    if path.endswith("/registrations") and method == "DELETE" and PERSONA in ("university_admin", "college_admin"):
        # An admin names the student whose registration goes; a student cancels their own.
        case.query = dict(case.query or {})
        case.query.setdefault("student_id", IDS["freshman_id"])
    body = case.body
    if not isinstance(body, dict):
        return case
    if path.startswith("/api/v1/auth/"):
        # The token endpoints ignore parameters they do not read (RFC 6749 §3.2), but a form of
        # many made-up ones outgrows the small body they accept (413): valid requests send theirs.
        for key in [k for k in body if k not in AUTH_FORM_FIELDS]:
            body.pop(key)
    _ids(body)
    if path.startswith("/api/v1/academic-years"):
        _academic_year(body)
    if path.startswith("/api/v1/activities"):
        _span(body, "start_at", "end_at")
        # A start or an end alone is checked against the activity's other one: left out.
        if (body.get("start_at") is None) != (body.get("end_at") is None):
            body.pop("start_at", None)
            body.pop("end_at", None)
    if path == "/api/v1/activities" and method == "POST" and "kind" in body:
        # University-wide kinds belong to no college; the others to one.
        # A venue, an online link or both.
        if body.get("venue") is None and body.get("online_link") is None:
            body["venue"] = "望江校区研究生院报告厅"
        if body["kind"] in UNIVERSITY_WIDE_KINDS:
            body.pop("college_id", None)
            body.pop("unit_id", None)
        else:
            body["college_id"] = IDS["college_id"]
    if path.startswith("/api/v1/job-postings") and body.get("deadline") is not None:
        # Not in the past.
        body["deadline"] = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    normal, urgent = body.get("concern_overdue_normal_days"), body.get("concern_overdue_urgent_days")
    if isinstance(urgent, int):
        # An urgent concern is overdue no later than a normal one (the year's own, when the
        # request does not change it: 1 day is never later).
        body["concern_overdue_urgent_days"] = min(normal, urgent) if isinstance(normal, int) else 1
    if path.startswith("/api/v1/award-rounds"):
        _weights(body)
    if path == "/api/v1/concerns" and method == "POST":
        _concern(body)
    if isinstance(body.get("enrollment_year"), (int, float)):
        # 1990 to next year; a whole number written `2024.0` stays one.
        body["enrollment_year"] = type(body["enrollment_year"])(min(body["enrollment_year"], datetime.date.today().year + 1))
    if "academic_year" in body and body.get("academic_year") is not None:
        body["academic_year"] = IDS["academic_year"]
        if body.get("academic_year_id") is not None:
            body["academic_year_id"] = IDS["academic_year_id"]
    if path == "/api/v1/pairings/auto-match" and body.get("academic_year_id") is None and body.get("academic_year") is None:
        body["academic_year_id"] = IDS["academic_year_id"]
    if "/sanctions" in path and body.get("lifted_on") is not None:
        # Not before the sanction was imposed (the body's date, or the record's when the path
        # names one).
        body["lifted_on"] = body.get("imposed_on") or "9999-12-31"
    if path == "/api/v1/job-postings" and method == "POST" and PERSONA == "university_admin":
        body["college_id"] = IDS["college_id"]
    if path == "/api/v1/me/password" and PASSWORD["current"]:
        # The persona's own password, changed to itself: valid, and it stays the same for the
        # cases the fuzzer sends again later (the examples are re-sent for other checks).
        body["current_password"] = PASSWORD["current"]
        body["new_password"] = PASSWORD["current"]
    if path.startswith("/api/v1/work-records"):
        _work_record(body, method)
    return case


@schemathesis.hook
def map_case(ctx, case):
    return fix(case)


@schemathesis.hook
def before_add_examples(ctx, examples):
    for case in examples:
        fix(case, example=True)


def _xlsx(rows) -> bytes:
    """A minimal workbook of one sheet with inline strings (what calamine reads)."""

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def col(i: int) -> str:
        name = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        return name

    sheet_rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(f'<c r="{col(c)}{r + 1}" t="inlineStr"><is><t>{esc(v)}</t></is></c>' for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_rows}</sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


@schemathesis.serializer(XLSX)
def xlsx_serializer(ctx, value):
    # A positive import case carries rows (see `_import`) and goes out as a real workbook; any
    # other value goes out as its bytes, as an upload of a damaged file would.
    if isinstance(value, str) and value.startswith(XLSX_ROWS):
        return _xlsx(json.loads(value[len(XLSX_ROWS):]))
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")

