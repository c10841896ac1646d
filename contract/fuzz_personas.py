"""Sets up the callers the contract fuzzer runs as, on a fresh server, and prints their tokens.

Usage: fuzz_personas.py BASE_URL ADMIN_USERNAME ADMIN_PASSWORD IDS_FILE  ->  JSON on stdout:
{"university_admin": token, "college_admin": token, "mentor": token}

IDS_FILE receives the records made here (ids, the year's code, the personas' passwords and valid
import files), which contract/fuzz_hooks.py puts into schema-valid requests where the document
cannot say that an id must name an existing record (see that file).

The mentor is a student of the college with an active appointment for the current academic year,
made through the real workflow (nomination, review, recommendation, appointment).
"""

import datetime
import json
import sys

import httpx

base, admin_user, admin_password, ids_file = sys.argv[1:5]
api = httpx.Client(base_url=base.rstrip("/") + "/api/v1", timeout=30)
PASSWORD = "Fuzz-Passw0rd-长江"


def token(username: str, password: str) -> str:
    res = api.post("/auth/token", data={"grant_type": "password", "username": username, "password": password})
    res.raise_for_status()
    return res.json()["access_token"]


def call(method: str, path: str, tok: str, body: dict | None = None) -> dict:
    res = api.request(method, path, json=body, headers={"Authorization": f"Bearer {tok}"})
    if res.status_code >= 300:
        raise SystemExit(f"{method} {path}: {res.status_code} {res.text}")
    return res.json() if res.content else {}


admin = token(admin_user, admin_password)
today = datetime.date.today()
first = today.year if today.month >= 9 else today.year - 1
year = call("POST", "/academic-years", admin, {"code": f"{first}-{first + 1}"})
college = call("POST", "/colleges", admin, {"code": "FUZZ", "name": "模糊测试学院"})
unit = call("POST", "/units", admin, {"code": "FUZZ-LAB", "name": "模糊测试实验室", "kind": "laboratory",
                                      "college_id": college["id"]})
student = call("POST", "/students", admin, {
    "student_no": "2020990001", "name": "王学长", "gender": "male", "college_id": college["id"],
    "unit_id": unit["id"], "degree": "doctoral", "enrollment_year": first - 2, "political_status": "party_member"})
call("POST", f"/students/{student['id']}/honors", admin,
     {"title": "优秀研究生", "level": "university", "awarded_on": f"{first - 1}-06-01"})
nomination = call("POST", "/nominations", admin, {
    "student_id": student["id"], "academic_year_id": year["id"], "unit_id": unit["id"],
    "statement": "愿意为低年级同学服务。"})
call("POST", f"/nominations/{nomination['id']}/submit", admin, {})
call("POST", f"/nominations/{nomination['id']}/review", admin, {"morality": 90, "research": 85, "leadership": 88})
call("POST", f"/nominations/{nomination['id']}/recommend", admin, {})
call("POST", "/appointments", admin, {"nomination_id": nomination["id"]})
call("POST", "/users", admin, {"username": "fuzz-cadmin", "display_name": "学院管理员", "password": PASSWORD,
                               "role": "college_admin", "college_id": college["id"]})
call("POST", "/users", admin, {"username": "fuzz-mentor", "display_name": "王学长", "password": PASSWORD,
                               "role": "student", "college_id": college["id"], "student_id": student["id"]})
staff = call("POST", "/staff", admin, {
    "staff_no": "T2020990001", "name": "李老师", "college_id": college["id"], "is_supervisor": True,
    "is_counselor": True})
freshman = call("POST", "/students", admin, {
    "student_no": f"{first}990002", "name": "赵新生", "gender": "female", "college_id": college["id"],
    "unit_id": unit["id"], "degree": "master", "enrollment_year": first, "political_status": "league_member",
    "supervisor_id": staff["id"], "counselor_id": staff["id"]})
appointment = call("GET", f"/appointments?academic_year_id={year['id']}", admin)["items"][0]
call("POST", "/pairings", admin, {"appointment_id": appointment["id"], "mentee_id": freshman["id"]})


def export(kind: str, accept: str) -> str:
    res = api.get(f"/exports/{kind}", params={"college_id": college["id"]},
                  headers={"Authorization": f"Bearer {admin}", "Accept": accept})
    if res.status_code != 200:
        raise SystemExit(f"GET /exports/{kind}: {res.status_code} {res.text}")
    return res.text


# Import files that import back unchanged: the college's own records, as the exports give them.
imports = {kind: {"csv": export(kind, "text/csv"), "json": json.loads(export(kind, "application/json"))}
           for kind in ("students", "staff", "units")}
honors = [{"student_no": student["student_no"], "name": student["name"], "title": "优秀研究生",
           "level": "university", "awarded_on": f"{first - 1}-06-01"}]
imports["honors"] = {"csv": f"学号,姓名,荣誉称号,级别,获得日期\n{student['student_no']},{student['name']},优秀研究生,校级,{first - 1}-06-01\n",
                     "json": honors}
with open(ids_file, "w", encoding="utf-8") as f:
    json.dump({
        "first_year": first, "academic_year_id": year["id"], "academic_year": year["code"],
        "college_id": college["id"], "unit_id": unit["id"], "staff_id": staff["id"],
        "student_id": student["id"], "freshman_id": freshman["id"], "nomination_id": nomination["id"],
        "appointment_id": appointment["id"], "imports": imports,
        "passwords": {"university_admin": admin_password, "college_admin": PASSWORD, "mentor": PASSWORD},
    }, f, ensure_ascii=False)

print(json.dumps({
    "university_admin": admin,
    "college_admin": token("fuzz-cadmin", PASSWORD),
    "mentor": token("fuzz-mentor", PASSWORD),
}))
