//! Examples for the schemas of the document's writes: every request body, every success body of a
//! `POST`/`PUT`/`PATCH`/`DELETE`, and the problem document. They are built from the schemas
//! themselves (types, formats, enums, bounds) with realistic values by field name, so they can
//! never name a field that does not exist; scripts/check-openapi validates each against its
//! schema. A schema with a hand-written example (`#[schema(example = …)]`) keeps it.

use serde_json::{Map, Value, json};

/// The example of the problem document: a validation failure, the most common one a client meets.
fn problem_example() -> Value {
    json!({
        "type": "urn:xuezhang:problem:validation_failed",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "2 field(s) failed validation",
        "code": "validation_failed",
        "instance": "urn:xuezhang:request:01937a4e-1c2b-7d3e-9f40-5a6b7c8d9e0f",
        "errors": [
            {"field": "student_no", "code": "invalid_format", "message": "学号 must be 4–20 letters or digits"},
            {"field": "enrollment_year", "code": "out_of_range", "message": "enrollment_year must be between 1990 and 2027"}
        ]
    })
}

fn text(field: &str, schema: &Value) -> Option<&'static str> {
    let pattern = schema.get("pattern").and_then(Value::as_str).unwrap_or("");
    Some(match field {
        "code" if pattern.starts_with("^[0-9]{4}-") => "2025-2026",
        "code" => "CS",
        "name" | "display_name" | "mentor_name" | "mentee_name" => "张三",
        "username" => "zhangsan",
        "password" | "current_password" => "correct-horse-battery",
        "new_password" => "staple-battery-horse",
        "student_no" | "mentor_student_no" | "mentee_student_no" => "2024010001",
        "staff_no" => "T2008001",
        "client_id" => "xgxt",
        "client_secret" => "3yBoAgYZ9EgoAIY4BEEHaIO8Hq79yLDIQqL3N8_bRHQ",
        "access_token" | "token" => "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkzIn0.c2lnbmF0dXJl",
        "refresh_token" => "rt_Q2hhbmdlTWVJbkEyNEhvdXJz",
        "token_type" => "Bearer",
        "token_type_hint" => "refresh_token",
        "scope" => "students:read events:read",
        "title" => "新生交流沙龙",
        "venue" => "望江校区研究生院报告厅",
        "description" | "summary" => "与学长面对面：选课、科研与生活",
        "online_link" => "https://meeting.tencent.com/dm/xuezhang2025",
        "link" => "https://jobs.example.com/cv-intern",
        "reason" | "decision_reason" | "cancel_reason" => "出国交流一年，无法继续履职",
        "statement" => "本人为正式党员，愿意为低年级同学答疑解惑。",
        "justification" => "获省级优秀研究生干部称号，相当于校级荣誉。",
        "comment" | "comments" => "学长很耐心，解答了选课和开题的问题。",
        "note" | "end_note" | "training_note" => "已完成",
        "bio" => "计算机学院 2022 级博士研究生，研究方向为机器学习。",
        "research_direction" | "discipline" => "机器学习",
        "public_contact" | "email" => "zhangsan@stu.scu.edu.cn",
        "contact_for_mentees" | "mentor_contact" => "微信 zhangsan2022",
        "phone" => "13800000000",
        "college" => "CS",
        "unit" | "mentor_unit" | "mentee_unit" => "CS-AI",
        "supervisor" => "李老师",
        "encoding" => "utf-8",
        "kind" => "校级",
        "field" => "student_no",
        "column" => "学号",
        "message" => "学号 must be 4–20 letters or digits",
        "detail" => "the resource has changed since it was read (current version 3)",
        _ => return None,
    })
}

fn integer(field: &str) -> Option<i64> {
    Some(match field {
        "enrollment_year" => 2024,
        "capacity" | "default_capacity" => 5,
        "record_edit_days" => 30,
        "minutes" => 45,
        "head_count" => 12,
        "concern_overdue_urgent_days" => 2,
        "concern_overdue_normal_days" => 7,
        "affected_count" => 12,
        "rating" => 5,
        "version" | "current_version" => 1,
        "morality" => 90,
        "research" => 85,
        "leadership" => 88,
        "budget_fen" => 50_000,
        "actual_expense_fen" => 48_000,
        "expires_in" => 900,
        "seq" | "next_cursor" => 42,
        "line" => 2,
        "page" => 1,
        "page_size" => 20,
        _ => return None,
    })
}

/// A stable, distinct UUID v7-shaped value per field name.
fn uuid_for(field: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in field.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("0193a4e1-7c2b-7{:03x}-8{:03x}-{:012x}", h & 0xfff, (h >> 12) & 0xfff, (h >> 24) & 0xffff_ffff_ffff)
}

fn first_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t.as_str()),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn value_for(schemas: &Map<String, Value>, schema: &Value, field: &str, depth: usize) -> Option<Value> {
    if depth > 8 {
        return None;
    }
    if let Some(Value::Array(examples)) = schema.get("examples")
        && let Some(first) = examples.first()
    {
        return Some(first.clone());
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next()?;
        return value_for(schemas, schemas.get(name)?, field, depth + 1);
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        let mut merged = Map::new();
        for part in parts {
            if let Some(Value::Object(m)) = value_for(schemas, part, field, depth + 1) {
                merged.extend(m);
            }
        }
        return Some(Value::Object(merged));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = schema.get(key) {
            return variants
                .iter()
                .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"))
                .find_map(|v| value_for(schemas, v, field, depth + 1));
        }
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values.iter().find(|v| !v.is_null()).cloned();
    }
    match first_type(schema)? {
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("uuid") => Some(json!(uuid_for(field))),
            Some("date-time") => Some(json!("2025-09-20T06:30:00Z")),
            Some("date") => Some(json!("2025-09-20")),
            // A file is bytes (an XLSX workbook, a photo): no JSON value stands for one, and text
            // given as an example of a workbook would mislead a client and a fuzzer alike.
            Some("binary") => None,
            _ => {
                let max = schema.get("maxLength").and_then(Value::as_u64).unwrap_or(u64::MAX);
                let value = text(field, schema).unwrap_or("示例");
                let chars = value.chars().count() as u64;
                (chars <= max).then(|| json!(value))
            }
        },
        "integer" => {
            let min = schema.get("minimum").and_then(Value::as_i64);
            let max = schema.get("maximum").and_then(Value::as_i64);
            let mut v = integer(field).unwrap_or_else(|| min.unwrap_or(1).max(1));
            if let Some(min) = min {
                v = v.max(min);
            }
            if let Some(max) = max {
                v = v.min(max);
            }
            Some(json!(v))
        }
        "number" => Some(json!(4.5)),
        "boolean" => Some(json!(!matches!(field, "dry_run"))),
        "array" => {
            let items = schema.get("items")?;
            let singular = field.strip_suffix('s').unwrap_or(field);
            let item = value_for(schemas, items, singular, depth + 1);
            Some(Value::Array(item.into_iter().collect()))
        }
        "object" => {
            let mut out = Map::new();
            if let Some(Value::Object(props)) = schema.get("properties") {
                for (name, prop) in props {
                    if let Some(v) = value_for(schemas, prop, name, depth + 1) {
                        out.insert(name.clone(), v);
                    }
                }
            }
            // An object without a value for a required property (a file) has no example.
            let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
            if required.filter_map(Value::as_str).any(|r| !out.contains_key(r)) {
                return None;
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

/// Adds an example to each named component schema that has none.
pub(crate) fn add(doc: &mut utoipa::openapi::OpenApi, names: &[String]) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(components) = doc.components.as_mut() else { return };
    let Ok(Value::Object(all)) = serde_json::to_value(&components.schemas) else { return };
    for name in names.iter().map(String::as_str).chain(["Problem"]) {
        let Some(schema) = all.get(name) else { continue };
        if schema.get("examples").is_some() || schema.get("example").is_some() {
            continue;
        }
        let example = if name == "Problem" { Some(problem_example()) } else { value_for(&all, schema, "", 0) };
        match (example, components.schemas.get_mut(name)) {
            (Some(example), Some(RefOr::T(Schema::Object(object)))) => object.examples = vec![example],
            (Some(example), Some(RefOr::T(Schema::AllOf(all)))) => all.examples = vec![example],
            _ => {}
        }
    }
}
