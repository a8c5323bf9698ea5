//! Protected routes: declared as `"METHOD /path"` strings or imported from
//! an OpenAPI 3.x document (JSON or YAML).
//!
//! An operation is protected when its *effective* security requirement is
//! non-empty: the operation's own `security` if it has one (an explicit
//! `security: []` opens it), otherwise the document's global `security`.
//! A requirement list that contains an empty object (`- {}`) makes
//! authentication optional, so such an operation counts as open. Path
//! templates (`{id}`) become `1`, and the path of the first `servers` URL
//! (`https://api.example.com/v1` → `/v1`) is put in front of every path.

use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// Largest OpenAPI document read.
const MAX_DOCUMENT_BYTES: u64 = 8 * 1024 * 1024;

/// HTTP methods an OpenAPI path item can hold, in document order.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One route that must refuse anonymous and forged callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Upper-case method, e.g. `GET`.
    pub method: String,
    /// Path (and query) to request, templates already replaced.
    pub path: String,
    /// Where it was declared: `declared` (`auth.protected_routes`) or
    /// `openapi` (imported).
    pub source: String,
    /// The OpenAPI `operationId`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

impl Route {
    /// `GET` of an endpoint's own URL path (`/` when it has none): the route
    /// probed when nothing more specific is declared.
    pub fn endpoint_url(path: &str) -> Route {
        Route {
            method: "GET".into(),
            path: if path.is_empty() { "/".into() } else { path.to_string() },
            source: "endpoint-url".into(),
            operation: None,
        }
    }
}

impl Route {
    /// `"GET /v1/accounts/1"`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether the method is safe (RFC 9110 §9.2.1): it should change nothing.
    pub fn is_safe(&self) -> bool {
        matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE")
    }

    /// Parses `"METHOD /path"` or `"/path"` (meaning `GET`). Path templates
    /// (`{id}`) become `1`.
    pub fn parse(text: &str, source: &str) -> Result<Route, String> {
        let t = text.trim();
        let (method, path) = match t.split_once(char::is_whitespace) {
            Some((m, p)) => (m.to_ascii_uppercase(), p.trim()),
            None => ("GET".to_string(), t),
        };
        let known = METHODS.iter().any(|m| m.eq_ignore_ascii_case(&method));
        if !known {
            return Err(format!(
                "`{t}`: unknown method `{method}`; write \"METHOD /path\" with one of GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE, or just \"/path\""
            ));
        }
        if !path.starts_with('/') {
            return Err(format!("`{t}`: the path must start with `/`"));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("`{t}`: the path contains white space"));
        }
        Ok(Route {
            method,
            path: fill_templates(path),
            source: source.to_string(),
            operation: None,
        })
    }
}

/// Replaces every `{name}` path template with `1`.
pub fn fill_templates(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push('1');
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads an OpenAPI 3.x document (JSON when the name ends in `.json`,
/// YAML otherwise) and returns its protected operations. Errors name the file.
pub fn import(path: &Path) -> Result<Vec<Route>, String> {
    let shown = path.display();
    let text = crate::fsread::read_text(path, MAX_DOCUMENT_BYTES, "OpenAPI document")
        .map_err(|e| format!("{shown}: {}", e.kind))?;
    let json = path.extension().is_some_and(|x| x.eq_ignore_ascii_case("json"));
    let doc = parse(&text, json).map_err(|e| format!("{shown}: {e}"))?;
    protected_routes(&doc).map_err(|e| format!("{shown}: {e}"))
}

/// Parses document text into a JSON value.
pub fn parse(text: &str, json: bool) -> Result<Value, String> {
    if json {
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
    } else {
        let yaml: Yaml = serde_saphyr::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        Ok(yaml.0)
    }
}

/// A YAML value as JSON, with non-string mapping keys (`200:` under
/// `responses`, which OpenAPI files often leave unquoted) turned into
/// strings.
struct Yaml(Value);

impl<'de> serde::Deserialize<'de> for Yaml {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YamlVisitor).map(Yaml)
    }
}

struct YamlVisitor;

/// A mapping key of any scalar type, as a string.
struct Key(String);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(YamlVisitor)? {
            Value::String(s) => Ok(Key(s)),
            Value::Null => Ok(Key("null".into())),
            Value::Bool(b) => Ok(Key(b.to_string())),
            Value::Number(n) => Ok(Key(n.to_string())),
            _ => Err(serde::de::Error::custom("a mapping key must be a scalar")),
        }
    }
}

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Yaml(v)) = seq.next_element::<Yaml>()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((Key(k), Yaml(v))) = map.next_entry::<Key, Yaml>()? {
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// Whether a `security` value requires authentication: a non-empty list
/// none of whose alternatives is the empty requirement `{}`.
fn requires_auth(security: &Value) -> Result<bool, String> {
    let list = security
        .as_array()
        .ok_or_else(|| "`security` must be a list of security requirement objects".to_string())?;
    let mut any = false;
    for req in list {
        let obj = req
            .as_object()
            .ok_or_else(|| "each `security` entry must be an object".to_string())?;
        if obj.is_empty() {
            return Ok(false);
        }
        any = true;
    }
    Ok(any)
}

/// The path of the first `servers` URL, with its variables at their
/// defaults, without a trailing `/` (`""` when there is none).
fn base_path(doc: &Value) -> String {
    let Some(server) = doc.get("servers").and_then(Value::as_array).and_then(|s| s.first()) else {
        return String::new();
    };
    let Some(mut url) = server.get("url").and_then(Value::as_str).map(str::to_string) else {
        return String::new();
    };
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let path = match url.find("://") {
        Some(i) => match url[i + 3..].find('/') {
            Some(j) => url[i + 3 + j..].to_string(),
            None => String::new(),
        },
        None => url,
    };
    fill_templates(path.trim_end_matches('/'))
}

/// The protected operations of a parsed OpenAPI 3.x document, in document
/// order.
pub fn protected_routes(doc: &Value) -> Result<Vec<Route>, String> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or_default();
    if !version.starts_with("3.") {
        let what = if doc.get("swagger").is_some() {
            "a Swagger 2.0 document".to_string()
        } else {
            "not an OpenAPI 3.x document (no `openapi: 3.x` field)".to_string()
        };
        return Err(format!("{what}; only OpenAPI 3.x is supported"));
    }
    let global = match doc.get("security") {
        Some(s) => requires_auth(s).map_err(|e| format!("security: {e}"))?,
        None => false,
    };
    let base = base_path(doc);
    let paths = match doc.get("paths") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(p)) => p,
        Some(_) => return Err("`paths` must be a mapping".into()),
    };
    let mut out: Vec<Route> = Vec::new();
    for (path, item) in paths {
        if !path.starts_with('/') {
            return Err(format!("paths: `{path}` must start with `/`"));
        }
        let Some(item) = item.as_object() else {
            return Err(format!("paths.{path}: a path item must be a mapping"));
        };
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let Some(op) = op.as_object() else {
                return Err(format!("paths.{path}.{method}: an operation must be a mapping"));
            };
            let protected = match op.get("security") {
                Some(s) => requires_auth(s).map_err(|e| format!("paths.{path}.{method}.security: {e}"))?,
                None => global,
            };
            if !protected {
                continue;
            }
            let route = Route {
                method: method.to_ascii_uppercase(),
                path: format!("{base}{}", fill_templates(path)),
                source: "openapi".into(),
                operation: op.get("operationId").and_then(Value::as_str).map(str::to_string),
            };
            if !out.iter().any(|r| r.method == route.method && r.path == route.path) {
                out.push(route);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(yaml: &str) -> Vec<String> {
        let doc = parse(yaml, false).expect("yaml");
        protected_routes(&doc)
            .expect("routes")
            .iter()
            .map(Route::label)
            .collect()
    }

    #[test]
    fn global_security_applies_unless_an_operation_overrides_it() {
        let r = routes(
            "openapi: 3.0.3\nsecurity: [{ bearer: [] }]\npaths:\n  /a:\n    get: { responses: { 200: { description: ok } } }\n    post: { security: [] }\n  /b:\n    get: { security: [{}] }\n    delete: { security: [{ bearer: [] }, {}] }\n    put: {}\n",
        );
        assert_eq!(r, ["GET /a", "PUT /b"]);
    }

    #[test]
    fn without_global_security_only_operations_that_ask_for_it_count() {
        let r = routes(
            "openapi: 3.1.0\npaths:\n  /open: { get: {} }\n  /users/{userId}/cards/{cardId}:\n    get: { operationId: getCard, security: [{ oauth: [cards.read] }] }\n",
        );
        assert_eq!(r, ["GET /users/1/cards/1"]);
    }

    #[test]
    fn server_path_prefixes_routes_and_json_parses() {
        let doc = parse(
            r#"{"openapi":"3.0.0","servers":[{"url":"https://{host}/{base}","variables":{"host":{"default":"x"},"base":{"default":"v2"}}}],"security":[{"k":[]}],"paths":{"/p/{id}":{"patch":{}}}}"#,
            true,
        )
        .expect("json");
        let r = protected_routes(&doc).expect("routes");
        assert_eq!(r[0].label(), "PATCH /v2/p/1");
        assert_eq!(r[0].source, "openapi");
    }

    #[test]
    fn malformed_documents_are_refused_with_a_reason() {
        let swagger = parse("swagger: '2.0'\npaths: {}\n", false).expect("yaml");
        assert!(protected_routes(&swagger).expect_err("swagger").contains("Swagger 2.0"));
        let bad = parse("openapi: 3.0.0\nsecurity: yes\npaths: {}\n", false).expect("yaml");
        assert!(protected_routes(&bad).expect_err("bad").starts_with("security:"));
        assert!(parse("{", true).expect_err("json").starts_with("not valid JSON"));
    }

    #[test]
    fn declared_routes_parse() {
        let r = Route::parse("post /v1/payments/{id}", "declared").expect("route");
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v1/payments/1"));
        assert!(!r.is_safe());
        assert_eq!(Route::parse("/v1/x", "declared").expect("route").label(), "GET /v1/x");
        assert!(Route::parse("FETCH /x", "declared").is_err());
        assert!(Route::parse("GET x", "declared").is_err());
    }
}
