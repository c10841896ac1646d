// A small client as a frontend team would write it: openapi-fetch over the types openapi-typescript
// generates from openapi/openapi.json (into ./schema.d.ts, not committed). scripts/check-openapi
// type-checks it under `tsc --strict`; it is never run. A change to the document that breaks a
// caller (a renamed field, a lost enum value, a page whose items lose their type) fails here.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8080" });

export async function walkthrough(username: string, password: string): Promise<string[]> {
  const seen: string[] = [];

  // 1. Log in (RFC 6749 password grant, as a form).
  const token = await api.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username, password },
    bodySerializer: (b) => new URLSearchParams(b as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (token.error) {
    const e: Schemas["Problem"] = token.error;
    throw new Error(`${e.code}: ${e.detail}`);
  }
  const auth = { Authorization: `Bearer ${token.data.access_token}` };

  // 2. Who am I?
  const me = await api.GET("/api/v1/me", { headers: auth });
  if (me.data) {
    const kind: "user" | "service_client" = me.data.kind;
    seen.push(`${kind} ${me.data.display_name}`);
  }

  // 3. A college, then 4. a unit in it.
  const college = await api.POST("/api/v1/colleges", { headers: auth, body: { code: "CS", name: "计算机学院" } });
  if (!college.data) throw new Error(college.error?.code ?? "no college");
  const unit = await api.POST("/api/v1/units", {
    headers: auth,
    body: { code: "CS-AI", name: "人工智能实验室", kind: "laboratory", college_id: college.data.id },
  });
  if (!unit.data) throw new Error(unit.error?.code ?? "no unit");

  // 5. A student, 6. the list of students (a page whose items are StudentDto).
  const student = await api.POST("/api/v1/students", {
    headers: auth,
    body: {
      student_no: "2024000001",
      name: "张三",
      gender: "female",
      college_id: college.data.id,
      unit_id: unit.data.id,
      degree: "master",
      enrollment_year: 2024,
      political_status: "party_member",
    },
  });
  const page = await api.GET("/api/v1/students", {
    headers: auth,
    params: { query: { college_id: college.data.id, page: 1, page_size: 50, sort: "-student_no" } },
  });
  const students: Schemas["StudentDto"][] = page.data?.items ?? [];
  seen.push(...students.map((s) => s.student_no));

  // 7. One student, 8. a partial update with If-Match.
  if (student.data) {
    const one = await api.GET("/api/v1/students/{id}", { headers: auth, params: { path: { id: student.data.id } } });
    const version = one.data?.version ?? 0;
    await api.PATCH("/api/v1/students/{id}", {
      headers: { ...auth, "If-Match": `"${version}"` },
      params: { path: { id: student.data.id } },
      body: { phone: "13800000000" },
    });
  }

  // 9. Academic years, 10. the unpaired freshmen of one (closed set of reasons).
  const years = await api.GET("/api/v1/academic-years", { headers: auth });
  const year = years.data?.items[0];
  if (year) {
    const unpaired = await api.GET("/api/v1/pairings/unpaired", {
      headers: auth,
      params: { query: { academic_year_id: year.id, college_id: college.data.id } },
    });
    for (const u of unpaired.data?.items ?? []) {
      const reason: Schemas["UnpairedReason"] = u.reason;
      const label = reason === "freshman" ? "新生" : "学长离任";
      seen.push(`${u.student.name}: ${label}`);
    }
  }

  // 11. An export as JSON (the format enum).
  const exported = await api.GET("/api/v1/exports/students", {
    headers: auth,
    params: { query: { format: "json" } },
  });
  seen.push(`${exported.data ? "exported" : "no export"}`);

  // 12. The change feed (event types are a closed set).
  const feed = await api.GET("/api/v1/events", { headers: auth, params: { query: { after: 0, limit: 100 } } });
  for (const e of feed.data?.items ?? []) {
    const type: Schemas["EventType"] = e.type;
    if (type === "appointment.made" || type === "appointment.dismissed") seen.push(`${e.seq} ${type}`);
  }

  // 13. Log out (RFC 7009).
  await api.POST("/api/v1/auth/revoke", {
    body: { token: token.data.access_token },
    bodySerializer: (b) => new URLSearchParams(b as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  return seen;
}
