use serde_json::Value;
use xuezhang_tests::*;

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json"))
        .expect("openapi/openapi.json exists; run `make openapi`");
    let generated = xuezhang_http::openapi::document_json();
    assert!(committed == generated, "openapi/openapi.json is stale: run `make openapi` and commit the result");
}

#[test]
fn every_operation_has_an_id_a_tag_and_documents_its_errors() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
            let responses = op["responses"].as_object().unwrap();
            let public = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())));
            if !public {
                assert!(responses.contains_key("401"), "{id} does not document 401");
            }
            if path.contains('{') {
                assert!(responses.contains_key("400"), "{id} does not document 400 for a bad path id");
                assert!(responses.contains_key("404"), "{id} does not document 404");
            }
            if ["post", "patch", "put"].contains(&method.as_str()) && op.get("requestBody").is_some() {
                assert!(
                    responses.contains_key("422") || responses.contains_key("400"),
                    "{id} does not document bad input"
                );
            }
        }
    }
    assert!(ids.len() > 30, "only {} operations found", ids.len());
}

#[actix_web::test]
async fn the_served_document_is_the_generated_one_and_swagger_ui_is_up() {
    let app = spawn_app().await;
    let res = app.send(app.request(reqwest::Method::GET, "/api/v1/openapi.json", None)).await.expect(200);
    let generated: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    assert_eq!(res.body, generated);
    let docs = app.send(app.request(reqwest::Method::GET, "/docs/", None)).await.expect(200);
    assert!(docs.text.contains("swagger"), "Swagger UI page expected");
    let redirect = app.send(app.request(reqwest::Method::GET, "/docs", None)).await;
    assert!(redirect.status.is_redirection());
}

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let res = app.send(app.request(reqwest::Method::GET, "/healthz", None)).await.expect(200);
    assert_eq!(res.body["status"], "ok");
    let res = app.send(app.request(reqwest::Method::GET, "/readyz", None)).await.expect(200);
    assert_eq!(res.body["status"], "ok");
}

#[test]
fn enum_schemas_list_the_wire_names_clients_must_send() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let values = |name: &str| -> Vec<String> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let wire = |all: Vec<serde_json::Value>| -> Vec<String> {
        all.into_iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(
        values("Role"),
        wire(domain::auth::Role::ALL.iter().map(|r| serde_json::to_value(r).unwrap()).collect())
    );
    assert_eq!(
        values("ServiceScope"),
        wire(domain::auth::ServiceScope::ALL.iter().map(|r| serde_json::to_value(r).unwrap()).collect())
    );
    assert_eq!(values("NominationState")[0], "draft");
    assert_eq!(values("UnitKind")[2], "research_group");
    // No enum anywhere in the document uses a Rust variant name.
    let text = xuezhang_http::openapi::document_json();
    for variant in ["\"UniversityAdmin\"", "\"CollegeReviewed\"", "\"ResearchGroup\"", "\"PartyMember\""] {
        assert!(!text.contains(variant), "{variant} leaked into the OpenAPI document");
    }
}

#[actix_web::test]
async fn a_literal_route_answers_405_to_the_wrong_method_rather_than_a_path_error() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let res = app
        .send(
            app.request(reqwest::Method::PATCH, "/api/v1/appointments/bulk", Some(&token)).json(&serde_json::json!({})),
        )
        .await
        .expect(405);
    assert_eq!(res.header("allow").as_deref(), Some("POST"));
    let res = app.send(app.request(reqwest::Method::OPTIONS, "/api/v1/pairings/auto-match", None)).await.expect(405);
    assert_eq!(res.header("allow").as_deref(), Some("POST"));
    app.get("/api/v1/appointments/not-an-id", &token).await.expect(400);
}

/// Every `$ref` under `value`, as (component kind, name).
fn refs_in(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    let r = v.as_str().unwrap();
                    let rest = r.strip_prefix("#/components/").unwrap_or_else(|| panic!("external $ref {r}"));
                    let (kind, name) = rest.split_once('/').unwrap();
                    out.push((kind.to_owned(), name.to_owned()));
                } else {
                    refs_in(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_and_every_schema_is_used() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let mut all = Vec::new();
    refs_in(&doc, &mut all);
    assert!(all.len() > 100, "only {} references found", all.len());
    for (kind, name) in &all {
        assert!(doc["components"][kind].get(name).is_some(), "#/components/{kind}/{name} is referred to but missing");
    }
    // Reachable from the paths, following references through components.
    let mut reached: std::collections::BTreeSet<(String, String)> = std::collections::BTreeSet::new();
    let mut todo = Vec::new();
    refs_in(&doc["paths"], &mut todo);
    while let Some(r) = todo.pop() {
        if reached.insert(r.clone()) {
            refs_in(&doc["components"][&r.0][&r.1], &mut todo);
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.len() > 30, "only {} schemas", schemas.len());
    for name in schemas.keys() {
        assert!(reached.contains(&("schemas".to_owned(), name.clone())), "schema {name} is used by no operation");
    }
}

#[test]
fn the_document_has_an_ascii_title_servers_and_page_items_by_reference() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let title = doc["info"]["title"].as_str().unwrap();
    assert!(title.is_ascii(), "info.title {title:?} becomes a package name: keep it ASCII");
    assert!(doc["info"]["description"].as_str().unwrap().contains("学长"));
    assert!(!doc["servers"].as_array().unwrap().is_empty(), "servers missing");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut pages = 0;
    for (name, schema) in schemas {
        if let Some(item) = name.strip_prefix("PageOf_") {
            assert_eq!(
                schema["properties"]["items"]["items"]["$ref"],
                format!("#/components/schemas/{item}"),
                "{name} copies its items inline"
            );
            pages += 1;
        }
    }
    assert!(pages > 5, "only {pages} page schemas");
    // The pairing feedback and the activity feedback are different shapes with different names.
    assert!(schemas["PairingFeedbackDto"]["properties"].get("term").is_some());
    assert!(schemas["FeedbackDto"]["properties"].get("term").is_none());
}

#[test]
fn every_operation_has_a_summary_and_a_description() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let summary = op["summary"].as_str().unwrap_or_default();
            let description = op["description"].as_str().unwrap_or_default();
            assert!(!summary.is_empty(), "{method} {path} has no summary");
            assert!(!summary.contains('\n'), "{method} {path}: the summary is one line");
            assert!(!description.is_empty(), "{method} {path} has no description");
        }
    }
    assert!(operations > 30, "only {operations} operations found");
}

#[test]
fn closed_sets_are_enums() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let values = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let referred = |schema: &str, field: &str| -> String {
        let p = &schemas[schema]["properties"][field];
        p["$ref"].as_str().unwrap_or_else(|| panic!("{schema}.{field} is not a $ref: {p}")).to_owned()
    };
    assert_eq!(values("GrantType"), ["password", "refresh_token", "client_credentials"]);
    assert_eq!(referred("TokenRequest", "grant_type"), "#/components/schemas/GrantType");
    assert_eq!(values("CallerKind"), ["user", "service_client"]);
    assert_eq!(referred("MeResponse", "kind"), "#/components/schemas/CallerKind");
    assert_eq!(values("UnpairedReason"), ["freshman", "mentor_left"]);
    assert_eq!(referred("UnpairedDto", "reason"), "#/components/schemas/UnpairedReason");
    assert_eq!(values("ImportFormat"), ["csv", "xlsx", "json"]);
    assert_eq!(referred("ImportReport", "format"), "#/components/schemas/ImportFormat");
    assert_eq!(referred("EventDto", "type"), "#/components/schemas/EventType");
    let types = values("EventType");
    assert_eq!(types, persistence::events::event_types());
    for t in ["student.created", "appointment.made", "appointment.dismissed", "pairing.ended", "activity.cancelled"] {
        assert!(types.iter().any(|v| v == t), "{t} missing from EventType");
    }
}

#[actix_web::test]
async fn every_declared_sort_key_is_accepted_and_an_undeclared_one_is_422() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let mut lists = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else { continue };
        let Some(sort) = params.iter().find(|p| p["name"] == "sort") else { continue };
        if path.contains('{') {
            continue;
        }
        lists += 1;
        for key in sort["schema"]["enum"].as_array().unwrap_or_else(|| panic!("{path}: sort is no enum")) {
            let key = key.as_str().unwrap();
            app.get(&format!("{path}?sort={key}"), &token).await.expect(200);
        }
        let res = app.get(&format!("{path}?sort=password"), &token).await.expect(422);
        assert_eq!(res.error_fields(), ["sort"], "{path}");
    }
    assert!(lists >= 10, "only {lists} lists with a sort");
    // The audit log declares no sort, and takes none.
    let res = app.get("/api/v1/audit-events?sort=-occurred_at", &token).await.expect(422);
    assert_eq!(res.error_fields(), ["sort"]);
}

#[actix_web::test]
async fn page_size_is_clamped_exactly_as_documented_and_must_be_a_whole_number() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let param = doc["paths"]["/api/v1/colleges"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page_size")
        .unwrap()
        .clone();
    assert_eq!(param["schema"]["minimum"], 0);
    assert!(param["schema"].get("maximum").is_none() && param["schema"].get("format").is_none());
    for (given, used) in
        [("0", 1), ("1", 1), ("100", 100), ("101", 100), ("2147483648", 100), ("99999999999999999999999", 100)]
    {
        let res = app.get(&format!("/api/v1/colleges?page_size={given}"), &token).await.expect(200);
        assert_eq!(res.body["page_size"], used, "page_size={given}");
    }
    for bad in ["-1", "2.0", "abc", ""] {
        let res = app.get(&format!("/api/v1/colleges?page_size={bad}"), &token).await.expect(400);
        assert_eq!(res.code(), "invalid_query", "page_size={bad}");
    }
}

#[actix_web::test]
async fn a_trailing_slash_is_404_for_every_method_not_a_405() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for path in ["/api/v1/students/", "/api/v1/colleges/", "/healthz/"] {
        let res = app.get(path, &token).await.expect(404);
        assert_eq!(res.code(), "not_found", "{path}");
        assert!(res.header("allow").is_none(), "{path}");
        app.send(app.request(reqwest::Method::POST, path, Some(&token)).json(&serde_json::json!({}))).await.expect(404);
    }
    // Without the slash the same paths work as before, and a wrong method is still 405.
    app.get("/api/v1/students", &token).await.expect(200);
    let res = app.send(app.request(reqwest::Method::PUT, "/api/v1/students", Some(&token))).await.expect(405);
    assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
}

#[test]
fn every_schema_of_a_write_and_the_problem_have_an_example() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let mut names = vec!["Problem".to_owned()];
    for item in doc["paths"].as_object().unwrap().values() {
        for method in ["post", "put", "patch", "delete"] {
            let op = &item[method];
            let mut bodies: Vec<&Value> = Vec::new();
            bodies.extend(op["requestBody"]["content"].as_object().into_iter().flat_map(|m| m.values()));
            for (status, res) in op["responses"].as_object().into_iter().flatten() {
                if status.starts_with('2') {
                    bodies.extend(res["content"].as_object().into_iter().flat_map(|m| m.values()));
                }
            }
            for media in bodies {
                let schema = &media["schema"];
                let target = schema.get("items").unwrap_or(schema);
                if let Some(r) = target["$ref"].as_str() {
                    names.push(r.trim_start_matches("#/components/schemas/").to_owned());
                }
            }
        }
    }
    assert!(names.len() > 50, "only {} schemas", names.len());
    // A file (an XLSX workbook, a form's file part) is bytes: no JSON value stands for one, and
    // text shown as a workbook's example misled clients and the contract fuzzer.
    let is_file = |s: &Value| s["format"] == "binary";
    names.retain(|name| {
        let s = &schemas[name];
        !(is_file(s) || s["properties"].as_object().is_some_and(|p| !p.is_empty() && p.values().all(is_file)))
    });
    for name in names {
        let examples = schemas[&name]["examples"].as_array();
        let hand_written = schemas[&name].get("example").is_some();
        assert!(hand_written || examples.is_some_and(|e| !e.is_empty()), "{name} has no example");
    }
    assert_eq!(schemas["Problem"]["examples"][0]["code"], "validation_failed");
    assert_eq!(schemas["CreateStudentRequest"]["examples"][0]["student_no"], "2024010001");
}

#[test]
fn free_text_declares_the_text_rule_the_server_enforces() {
    let doc: Value = serde_json::from_str(&xuezhang_http::openapi::document_json()).unwrap();
    let pattern = xuezhang_http::openapi::TEXT_PATTERN;
    let schemas = &doc["components"]["schemas"];
    // Names and titles are one line; a required text is not blank; any other text keeps the
    // text rule alone.
    let one_line = xuezhang_http::openapi::ONE_LINE_PATTERN;
    assert_eq!(schemas["CreateStudentRequest"]["properties"]["name"]["pattern"], one_line);
    assert_eq!(schemas["CreateActivityRequest"]["properties"]["title"]["pattern"], one_line);
    assert_eq!(
        schemas["ChangePasswordRequest"]["properties"]["current_password"]["pattern"],
        xuezhang_http::openapi::NONBLANK_TEXT_PATTERN
    );
    assert_eq!(schemas["CreateActivityRequest"]["properties"]["description"]["pattern"], pattern);
    assert_eq!(
        schemas["CreateStudentRequest"]["properties"]["email"]["pattern"],
        xuezhang_http::openapi::EMAIL_PATTERN
    );
    // A string with its own pattern, format or enum keeps it.
    assert_ne!(schemas["CreateStudentRequest"]["properties"]["student_no"]["pattern"], pattern);
    assert!(schemas["CreateStudentRequest"]["properties"]["college_id"].get("pattern").is_none());
    let q = doc["paths"]["/api/v1/students"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .unwrap()
        .clone();
    assert_eq!(q["schema"]["pattern"], pattern);
    // The revocation request needs its token.
    assert_eq!(schemas["RevokeRequest"]["required"], serde_json::json!(["token"]));
}
