//! Unknown routes (404) and known paths with the wrong method (405 with `Allow`), both as
//! problem+json. The known paths come from the OpenAPI document, so they can never drift.

use std::sync::OnceLock;

use actix_web::HttpRequest;

use crate::error::ApiError;

/// A path template split into segments; `None` is a `{parameter}`.
struct Template {
    pattern: String,
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

fn templates() -> &'static [Template] {
    static T: OnceLock<Vec<Template>> = OnceLock::new();
    T.get_or_init(|| {
        let doc = crate::openapi::document();
        let mut out: Vec<Template> = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let json = serde_json::to_value(item).unwrap_or_default();
            let methods: Vec<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
                .iter()
                .filter(|m| json.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            let segments = path
                .trim_matches('/')
                .split('/')
                .map(|s| if s.starts_with('{') { None } else { Some(s.to_owned()) })
                .collect();
            out.push(Template { pattern: path.clone(), segments, methods });
        }
        out.push(Template {
            pattern: "/api/v1/openapi.json".to_owned(),
            segments: ["api", "v1", "openapi.json"].iter().map(|s| Some((*s).to_owned())).collect(),
            methods: vec!["GET".into()],
        });
        out
    })
}

/// The route template a path matches (`/api/v1/students/{id}`), for the logs and metrics of a
/// request that no handler answered.
pub fn route_of(path: &str) -> Option<String> {
    let segs = segments(path);
    let literals = |t: &Template| t.segments.iter().filter(|s| s.is_some()).count();
    templates().iter().filter(|t| matches(t, &segs)).max_by_key(|t| literals(t)).map(|t| t.pattern.clone())
}

/// The segments of a request path. A trailing slash leaves an empty last segment, which matches
/// no template: `/api/v1/students/` is not `/api/v1/students` (a 404, as for any unknown path,
/// rather than a 405 that claims the path allows `GET`).
fn segments(path: &str) -> Vec<&str> {
    path.strip_prefix('/').unwrap_or(path).split('/').collect()
}

fn matches(t: &Template, segs: &[&str]) -> bool {
    t.segments.len() == segs.len()
        && t.segments.iter().zip(segs).all(|(t, s)| match t {
            Some(lit) => lit == s,
            None => !s.is_empty(),
        })
}

/// The methods a path allows, if it is a known path. Where several templates match (a literal
/// `/pairings/auto-match` and `/pairings/{id}`), the most specific — most literal segments — wins.
pub fn allowed_methods(path: &str) -> Option<Vec<String>> {
    let segs = segments(path);
    let literals = |t: &Template| t.segments.iter().filter(|s| s.is_some()).count();
    let matching: Vec<&Template> = templates().iter().filter(|t| matches(t, &segs)).collect();
    let best = matching.iter().map(|t| literals(t)).max()?;
    let mut allow: Vec<String> = Vec::new();
    for t in matching.iter().filter(|t| literals(t) == best) {
        for m in &t.methods {
            if !allow.contains(m) {
                allow.push(m.clone());
            }
        }
    }
    Some(allow)
}

/// The default service: 405 for a known path, 404 otherwise.
pub async fn not_found_or_not_allowed(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    match allowed_methods(req.path()) {
        Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        None => Err(ApiError::NoRoute),
    }
}
