"""Sets up the callers the contract fuzzer runs as, on a fresh server, and prints their tokens.

Usage: fuzz_personas.py BASE_URL ADMIN_USERNAME ADMIN_PASSWORD  ->  JSON on stdout:
{"university_admin": token, "college_admin": token, "mentor": token}

The mentor is a student of the college with an active appointment for the current academic year,
made through the real workflow (nomination, review, recommendation, appointment).
"""

import datetime
import json
import sys

import httpx

base, admin_user, admin_password = sys.argv[1:4]
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
print(json.dumps({
    "university_admin": admin,
    "college_admin": token("fuzz-cadmin", PASSWORD),
    "mentor": token("fuzz-mentor", PASSWORD),
}))
