//! The fact schema: the typed shape of every variable a rule can read.
//!
//! [`facts`](super::facts) builds the values; this module says what they
//! look like, so rules are checked against it when they are loaded
//! ([`check`](super::check)) instead of failing when they run. The shapes of
//! the model facts (`endpoint`, `component`, `pinset`, ...) and of the
//! derived `tls`/`http` facts live here, next to nothing else; each layer
//! probe declares the shape of its own evidence
//! ([`EndpointProbe::facts_shape`](crate::probe::EndpointProbe::facts_shape)),
//! next to the code that emits it. `tests/fact_schema.rs` checks every fact
//! produced against the real lab conforms, and `docs/facts.md` is checked
//! against [`describe`](Shape::describe) by a unit test below.

use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The shape of a fact value.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A boolean.
    Bool,
    /// An integer (a CEL `int`).
    Int,
    /// A number that may have a fraction (a CEL `double`; integers conform).
    Float,
    /// A string.
    String,
    /// Only `null` (the type of the `null` literal).
    Null,
    /// The inner shape, or `null`.
    Nullable(Box<Shape>),
    /// A list whose elements all have this shape.
    List(Box<Shape>),
    /// A map with these fixed keys.
    Object(BTreeMap<&'static str, Field>),
    /// A map with free-form string keys (headers, status counts), every
    /// value of this shape.
    Map(Box<Shape>),
    /// Anything: not checked.
    Any,
}

/// One key of an [`Shape::Object`].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The value's shape.
    pub shape: Shape,
    /// The key may be absent (`has(x.key)` tells); otherwise it is always
    /// there.
    pub optional: bool,
}

impl Shape {
    /// A list of `element`.
    pub fn list(element: Shape) -> Shape {
        Shape::List(Box::new(element))
    }

    /// `inner` or null.
    pub fn nullable(inner: Shape) -> Shape {
        Shape::Nullable(Box::new(inner))
    }

    /// A map with free-form keys and `value` values.
    pub fn map(value: Shape) -> Shape {
        Shape::Map(Box::new(value))
    }

    /// An object whose keys are all present.
    pub fn object(fields: impl IntoIterator<Item = (&'static str, Shape)>) -> Shape {
        Shape::Object(
            fields
                .into_iter()
                .map(|(k, shape)| (k, Field { shape, optional: false }))
                .collect(),
        )
    }

    /// This object plus keys that may be absent. On anything but an object
    /// it is a programming error, and the shape is returned unchanged.
    pub fn with_optional(self, fields: impl IntoIterator<Item = (&'static str, Shape)>) -> Shape {
        match self {
            Shape::Object(mut map) => {
                for (k, shape) in fields {
                    map.insert(k, Field { shape, optional: true });
                }
                Shape::Object(map)
            }
            other => other,
        }
    }

    /// The keys of an object, or none.
    pub fn fields(&self) -> Option<&BTreeMap<&'static str, Field>> {
        match self {
            Shape::Object(f) => Some(f),
            _ => None,
        }
    }

    /// The type as `docs/facts.md` writes it: `bool`, `int`, `string or
    /// null`, `list of strings`, `map`, `map string → int`.
    pub fn describe(&self) -> String {
        match self {
            Shape::Bool => "bool".into(),
            Shape::Int => "int".into(),
            Shape::Float => "float".into(),
            Shape::String => "string".into(),
            Shape::Null => "null".into(),
            Shape::Any => "any".into(),
            Shape::Nullable(inner) => format!("{} or null", inner.describe()),
            Shape::List(e) => format!("list of {}", e.plural()),
            Shape::Object(_) => "map".into(),
            Shape::Map(v) => format!("map string → {}", v.describe()),
        }
    }

    fn plural(&self) -> String {
        match self {
            Shape::Bool => "bools".into(),
            Shape::Int => "ints".into(),
            Shape::Float => "floats".into(),
            Shape::String => "strings".into(),
            Shape::Object(_) | Shape::Map(_) => "maps".into(),
            Shape::List(_) => "lists".into(),
            other => other.describe(),
        }
    }

    /// Every way `value` departs from this shape, each as `path: problem`
    /// (`$.chain[0].days_left: expected int, found string`). Empty when it
    /// conforms. Keys not in an object's shape, and missing keys that are
    /// not optional, are departures.
    pub fn mismatches(&self, value: &Value, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(value, path, &mut out);
        out
    }

    fn walk(&self, value: &Value, path: &str, out: &mut Vec<String>) {
        let found = |v: &Value| match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(n) if n.is_i64() || n.is_u64() => "int",
            Value::Number(_) => "float",
            Value::String(_) => "string",
            Value::Array(_) => "list",
            Value::Object(_) => "map",
        };
        let mut wrong = || out.push(format!("{path}: expected {}, found {}", self.describe(), found(value)));
        match (self, value) {
            (Shape::Any, _) | (Shape::Bool, Value::Bool(_)) | (Shape::String, Value::String(_)) => {}
            (Shape::Null, Value::Null) | (Shape::Nullable(_), Value::Null) => {}
            (Shape::Int, Value::Number(n)) if n.as_i64().is_some() => {}
            (Shape::Float, Value::Number(_)) => {}
            (Shape::Nullable(inner), v) => inner.walk(v, path, out),
            (Shape::List(e), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    e.walk(item, &format!("{path}[{i}]"), out);
                }
            }
            (Shape::Map(v), Value::Object(entries)) => {
                for (k, item) in entries {
                    v.walk(item, &format!("{path}[{k:?}]"), out);
                }
            }
            (Shape::Object(fields), Value::Object(entries)) => {
                for (k, item) in entries {
                    match fields.get(k.as_str()) {
                        Some(f) => f.shape.walk(item, &format!("{path}.{k}"), out),
                        None => out.push(format!("{path}.{k}: not in the schema")),
                    }
                }
                for (k, f) in fields {
                    if !f.optional && !entries.contains_key(*k) {
                        out.push(format!("{path}.{k}: missing (the schema says it is always there)"));
                    }
                }
            }
            _ => wrong(),
        }
    }
}

/// One top-level variable of a subject kind.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Its name in CEL.
    pub name: &'static str,
    /// Its value's shape.
    pub shape: Shape,
    /// The evidence kind behind it, for a variable that exists only when
    /// that evidence was observed (a rule must list it in `needs`); none for
    /// a variable that always exists.
    pub evidence: Option<&'static str>,
}

/// The shape of a certificate's facts (`tls.leaf`, `tls.chain[]`).
pub fn certificate() -> Shape {
    Shape::object([
        ("subject", Shape::String),
        ("issuer", Shape::String),
        ("days_left", Shape::Int),
        ("expired", Shape::Bool),
        ("not_yet_valid", Shape::Bool),
        ("self_issued", Shape::Bool),
        ("is_ca", Shape::Bool),
        ("key_type", Shape::String),
        ("key_bits", Shape::Int),
        ("weak_key", Shape::Bool),
        ("signature_algorithm", Shape::String),
        ("weak_signature", Shape::Bool),
        ("spki_sha256", Shape::String),
    ])
}

/// The `tls` facts of an endpoint.
pub fn tls() -> Shape {
    Shape::object([
        ("version", Shape::String),
        ("cipher_suite", Shape::String),
        ("alpn", Shape::nullable(Shape::String)),
        ("trusted", Shape::Bool),
        ("trust_error", Shape::String),
        ("trust_detail", Shape::String),
        ("trust_reason", Shape::String),
        ("hostname_match", Shape::Bool),
        ("chain_complete", Shape::Bool),
        ("chain_ordered", Shape::Bool),
        ("chain_length", Shape::Int),
        ("leaf", Shape::nullable(certificate())),
        ("chain", Shape::list(certificate())),
        ("weak_key_in_chain", Shape::Bool),
        ("weak_signature_in_chain", Shape::Bool),
        ("min_key_bits", Shape::Int),
        ("chain_source", Shape::String),
        ("handshake_error", Shape::nullable(Shape::String)),
    ])
}

/// The `http` facts of an endpoint.
pub fn http() -> Shape {
    Shape::object([
        ("status", Shape::Int),
        ("hsts", Shape::Bool),
        ("hsts_max_age", Shape::Int),
        ("hsts_include_subdomains", Shape::Bool),
        ("headers", Shape::map(Shape::String)),
    ])
}

/// The declared `endpoint` facts.
pub fn endpoint() -> Shape {
    let opt_string = || Shape::nullable(Shape::String);
    Shape::object([
        ("id", Shape::String),
        ("url", Shape::String),
        ("https", Shape::Bool),
        ("host", Shape::String),
        ("port", Shape::Int),
        ("server_name", Shape::String),
        ("trust", Shape::String),
        ("min_version", Shape::String),
        ("hsts_expected", Shape::Bool),
        ("expiry_warning_days", Shape::Int),
        ("mtls", opt_string()),
        ("enrollment", opt_string()),
        ("signing", opt_string()),
        ("auth", opt_string()),
        (
            "rate_limit",
            Shape::nullable(Shape::object([("limit", Shape::Int), ("window_s", Shape::Int)])),
        ),
        ("reaches_sensitive", Shape::Bool),
        ("pinned_by", Shape::list(Shape::String)),
        ("protected_routes", Shape::list(Shape::String)),
        ("openapi", opt_string()),
        ("auth_token", Shape::Bool),
        (
            "token_policy",
            Shape::nullable(Shape::object([
                ("access_ttl_s", Shape::nullable(Shape::Int)),
                ("binding_required", Shape::Bool),
            ])),
        ),
    ])
}

/// The declared `component` facts.
pub fn component() -> Shape {
    Shape::object([
        ("id", Shape::String),
        ("kind", Shape::String),
        ("exposure", Shape::String),
        ("enforces", Shape::list(Shape::String)),
        ("sensitive", Shape::Bool),
        (
            "data",
            Shape::list(Shape::object([("name", Shape::String), ("sensitivity", Shape::String)])),
        ),
        (
            "tokens",
            Shape::nullable(Shape::object([
                ("access_ttl_s", Shape::nullable(Shape::Int)),
                ("refresh_ttl_s", Shape::nullable(Shape::Int)),
                ("refresh_rotation", Shape::Bool),
                ("binding", Shape::String),
            ])),
        ),
    ])
}

/// The `graph` facts of a component.
pub fn graph() -> Shape {
    Shape::object([
        ("reachable_from_internet", Shape::Bool),
        ("paths", Shape::Int),
        ("unauthenticated_paths", Shape::list(Shape::String)),
        ("paths_truncated", Shape::Bool),
        ("unauthenticated_path_exists", Shape::Bool),
        ("min_depth", Shape::Int),
        ("called_by_clients", Shape::Bool),
        ("declared_internal", Shape::Bool),
        ("monitored", Shape::Bool),
    ])
}

/// The declared `pinset` facts.
pub fn pinset() -> Shape {
    Shape::object([
        ("client", Shape::String),
        ("host", Shape::String),
        ("include_subdomains", Shape::Bool),
        ("pins", Shape::Int),
        ("has_expiry", Shape::Bool),
        ("leaf_scope_only", Shape::Bool),
        ("expired", Shape::Bool),
        ("days_to_expiry", Shape::nullable(Shape::Int)),
        ("origin", Shape::String),
    ])
}

/// The `pinning` facts of a pin set (its pins against the live chain).
pub fn pinning() -> Shape {
    Shape::object([
        ("endpoint_chain", Shape::list(Shape::String)),
        ("matched", Shape::Bool),
        ("matched_leaf", Shape::Bool),
        ("matched_ca", Shape::Bool),
        ("backup_pins", Shape::Int),
        ("leaf_only", Shape::Bool),
        ("expires_before_leaf", Shape::Bool),
        ("pins_outlive_leaf", Shape::Bool),
    ])
}

/// The declared `client` facts.
pub fn client() -> Shape {
    Shape::object([
        ("id", Shape::String),
        ("platform", Shape::String),
        ("key_storage", Shape::String),
        ("hardware_keys", Shape::Bool),
        ("attestation", Shape::String),
        ("attestation_bound_to_csr", Shape::Bool),
        ("request_signing", Shape::String),
        ("runtime_protection", Shape::Bool),
        ("embedded_api_key", Shape::Bool),
        ("pins_declared", Shape::Bool),
        ("unpinned_hosts", Shape::list(Shape::String)),
    ])
}

/// The `app` facts of an imported app file (`appconfig` subjects).
pub fn app() -> Shape {
    let strings = || Shape::list(Shape::String);
    Shape::object([
        ("client", Shape::String),
        ("source", Shape::String),
        ("kind", Shape::String),
        ("platform", Shape::String),
        ("build_id", Shape::nullable(Shape::String)),
        ("signing_sha256", strings()),
        ("target_sdk", Shape::nullable(Shape::Int)),
        ("manifest_read", Shape::Bool),
        ("debuggable", Shape::Bool),
        ("allow_backup", Shape::Bool),
        ("has_nsc", Shape::Bool),
        ("base_anchors_declared", Shape::Bool),
        ("cleartext_default", Shape::nullable(Shape::Bool)),
        ("cleartext_domains", strings()),
        ("user_ca_scopes", strings()),
        ("extra_ca_scopes", strings()),
        ("override_pins", strings()),
        ("debug_overrides", Shape::Bool),
        ("debug_override_anchors", strings()),
        ("single_pin_domains", strings()),
        ("has_ats", Shape::Bool),
        ("ats_arbitrary_loads", Shape::Bool),
        ("ats_arbitrary_loads_web", Shape::Bool),
        ("ats_arbitrary_loads_media", Shape::Bool),
        ("ats_insecure_http_domains", strings()),
        ("ats_weak_tls_domains", strings()),
        ("ats_no_forward_secrecy_domains", strings()),
        ("ats_ct_not_required_domains", strings()),
        ("leaf_only_pinned_domains", strings()),
        ("trustkit_unenforced_domains", strings()),
        ("build_hosts", strings()),
        ("undeclared_hosts", strings()),
        ("unpinned_called_hosts", strings()),
        ("client_pin_sources", Shape::Int),
    ])
}

/// The `system` facts.
pub fn system() -> Shape {
    Shape::object([
        ("name", Shape::String),
        ("clients", Shape::Int),
        ("components", Shape::Int),
        ("endpoints", Shape::Int),
        ("has_monitoring", Shape::Bool),
        ("internet_facing", Shape::Int),
        ("unmonitored_internet_facing", Shape::list(Shape::String)),
    ])
}

/// The shape of an endpoint's evidence kind (`tls`, `http` or a layer
/// probe's name), as the first probe of the
/// [registry](crate::probe::registry) that records it declares; none for an
/// unknown kind.
pub fn evidence_shape(kind: &str) -> Option<Shape> {
    crate::probe::registry::probes()
        .iter()
        .find(|p| p.evidence_kinds().contains(&kind))
        .map(|p| p.facts_shape(kind))
}

fn build(kind: &str) -> Vec<Variable> {
    let always = |name: &'static str, shape: Shape| Variable {
        name,
        shape,
        evidence: None,
    };
    let mut vars = match kind {
        "endpoint" => {
            let mut v = vec![
                always("endpoint", endpoint()),
                // Null when the serving component is not declared.
                always("component", Shape::nullable(component())),
            ];
            for kind in crate::probe::registry::evidence_kinds() {
                v.push(Variable {
                    name: kind,
                    // An evidence kind without a declared shape is left
                    // unchecked; a unit test keeps there being none.
                    shape: evidence_shape(kind).unwrap_or(Shape::Any),
                    evidence: Some(kind),
                });
            }
            v
        }
        "pinset" => vec![
            always("pinset", pinset()),
            Variable {
                name: "pinning",
                shape: pinning(),
                evidence: Some("tls"),
            },
        ],
        "client" => vec![always("client", client())],
        "appconfig" => vec![always("app", app())],
        "component" => vec![always("component", component()), always("graph", graph())],
        "system" => vec![always("system", system())],
        _ => return Vec::new(),
    };
    vars.push(always("now", Shape::Int));
    vars
}

static SCHEMA: LazyLock<BTreeMap<&'static str, Vec<Variable>>> =
    LazyLock::new(|| super::facts::SUBJECT_KINDS.iter().map(|k| (*k, build(k))).collect());

/// The variables of a subject kind (none for an unknown kind).
pub fn variables(kind: &str) -> &'static [Variable] {
    SCHEMA.get(kind).map(Vec::as_slice).unwrap_or(&[])
}

/// The evidence kinds a rule on this subject kind may `need`, in probe
/// order.
pub fn evidence_kinds(kind: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in variables(kind).iter().filter_map(|v| v.evidence) {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeSet;

    #[test]
    fn conformance_reports_every_departure_with_its_path() {
        let s = Shape::object([
            ("n", Shape::Int),
            ("list", Shape::list(Shape::object([("ok", Shape::Bool)]))),
            ("maybe", Shape::nullable(Shape::String)),
        ])
        .with_optional([("extra", Shape::String)]);
        assert!(
            s.mismatches(&json!({"n": 1, "list": [{"ok": true}], "maybe": null}), "$")
                .is_empty()
        );
        let bad = s.mismatches(&json!({"n": "1", "list": [{"ok": 1}, {"nope": true}], "stray": 0}), "$");
        assert_eq!(
            bad,
            [
                "$.list[0].ok: expected bool, found int",
                "$.list[1].nope: not in the schema",
                "$.list[1].ok: missing (the schema says it is always there)",
                "$.n: expected int, found string",
                "$.stray: not in the schema",
                "$.maybe: missing (the schema says it is always there)",
            ]
        );
        assert_eq!(
            Shape::Int.mismatches(&json!(1.5), "$"),
            ["$: expected int, found float"]
        );
        assert!(Shape::Float.mismatches(&json!(1), "$").is_empty());
        assert!(Shape::map(Shape::Int).mismatches(&json!({"200": 3}), "$").is_empty());
    }

    #[test]
    fn every_subject_kind_and_evidence_kind_has_a_real_shape() {
        for kind in super::super::facts::SUBJECT_KINDS {
            let vars = variables(kind);
            assert!(vars.iter().any(|v| v.name == "now"), "{kind}");
            for v in vars {
                assert_ne!(v.shape, Shape::Any, "{kind}.{} has no declared shape", v.name);
            }
        }
        for e in crate::probe::registry::evidence_kinds() {
            assert!(evidence_shape(e).is_some(), "evidence `{e}` has no shape");
            // Probes recording the same kind (`http` from the TLS and the
            // cleartext probe) agree on its shape.
            for p in crate::probe::registry::probes() {
                if p.evidence_kinds().contains(e) {
                    assert_eq!(Some(p.facts_shape(e)), evidence_shape(e), "{} on `{e}`", p.name());
                }
            }
        }
        assert_eq!(evidence_kinds("endpoint"), crate::probe::registry::evidence_kinds());
        assert_eq!(evidence_kinds("pinset"), ["tls"]);
        assert!(evidence_kinds("system").is_empty());
    }

    /// The rows of the first `| Key | Type | ...` table after the line
    /// starting with `heading` (the whole text when empty): (keys, type).
    /// A row may name several keys (`` `a`, `b` ``).
    fn doc_table(doc: &str, heading: &str) -> Vec<(Vec<String>, String)> {
        let start = if heading.is_empty() {
            0
        } else {
            doc.find(&format!("\n{heading}"))
                .unwrap_or_else(|| panic!("no `{heading}` heading"))
        };
        let mut rows = Vec::new();
        let mut in_table = false;
        for line in doc[start..].lines() {
            let cells: Vec<&str> = line.split(" | ").map(|c| c.trim_matches(['|', ' '])).collect();
            if !in_table {
                in_table = line.starts_with('|') && cells[0].eq_ignore_ascii_case("key");
                continue;
            }
            if !line.starts_with('|') {
                break;
            }
            if cells[0].starts_with("---") {
                continue;
            }
            let keys = cells[0].split(", ").map(|k| k.trim_matches('`').to_string()).collect();
            rows.push((keys, cells.get(1).copied().unwrap_or_default().to_string()));
        }
        assert!(!rows.is_empty(), "no key table after `{heading}`");
        rows
    }

    #[test]
    fn docs_facts_md_lists_every_key_with_the_schema_type() {
        let doc = include_str!("../../docs/facts.md");
        let sections: [(&str, Shape); 10] = [
            ("### `endpoint`", endpoint()),
            ("### `component`", component()),
            ("### `tls`", tls()),
            ("#### Certificate facts", certificate()),
            ("### `http`", http()),
            ("### `pinset`", pinset()),
            ("### `pinning`", pinning()),
            ("### `client`", client()),
            ("### `graph`", graph()),
            ("### `system`", system()),
        ];
        let mut problems = Vec::new();
        for (heading, shape) in sections {
            let fields = shape.fields().cloned().unwrap_or_default();
            let rows = doc_table(doc, heading);
            let documented: Vec<&String> = rows.iter().flat_map(|(k, _)| k).collect();
            for (keys, ty) in &rows {
                for k in keys {
                    match fields.get(k.as_str()) {
                        None => problems.push(format!("{heading}: `{k}` is documented but not in the schema")),
                        Some(f) if f.shape.describe() != *ty => problems.push(format!(
                            "{heading}: `{k}` is documented as `{ty}`, the schema says `{}`",
                            f.shape.describe()
                        )),
                        Some(_) => {}
                    }
                }
            }
            for k in fields.keys() {
                if !documented.iter().any(|d| d == k) {
                    problems.push(format!("{heading}: `{k}` is in the schema but not documented"));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "docs/facts.md is out of date:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn each_probe_doc_lists_the_top_level_keys_of_its_evidence() {
        let docs = [
            ("legacy", include_str!("../../docs/probes/legacy.md")),
            ("tls_suites", include_str!("../../docs/probes/tls_suites.md")),
            ("revocation", include_str!("../../docs/probes/revocation.md")),
            ("mtls", include_str!("../../docs/probes/mtls.md")),
            ("enrollment", include_str!("../../docs/probes/enrollment.md")),
            ("signing", include_str!("../../docs/probes/signing.md")),
            ("auth", include_str!("../../docs/probes/auth.md")),
            ("rate_limit", include_str!("../../docs/probes/rate_limit.md")),
            ("surface", include_str!("../../docs/probes/surface.md")),
        ];
        let mut problems = Vec::new();
        for (name, doc) in docs {
            let shape = evidence_shape(name).unwrap_or(Shape::Any);
            let fields = shape.fields().cloned().unwrap_or_default();
            let documented: BTreeSet<String> = doc_table(doc, "").into_iter().flat_map(|(k, _)| k).collect();
            let declared: BTreeSet<String> = fields.keys().map(|k| k.to_string()).collect();
            for k in documented.difference(&declared) {
                problems.push(format!(
                    "docs/probes/{name}.md: `{k}` is documented but not in the schema"
                ));
            }
            for k in declared.difference(&documented) {
                problems.push(format!(
                    "docs/probes/{name}.md: `{k}` is in the schema but not documented"
                ));
            }
        }
        // The vulnerability probes share one page, a section each.
        let doc = include_str!("../../docs/probes/tls_vulns.md");
        for name in ["heartbleed", "ccs_injection", "robot", "renegotiation", "resumption"] {
            let shape = evidence_shape(name).unwrap_or(Shape::Any);
            let fields = shape.fields().cloned().unwrap_or_default();
            for (keys, ty) in doc_table(doc, &format!("## `{name}`")) {
                for k in keys {
                    match fields.get(k.as_str()) {
                        None => problems.push(format!(
                            "tls_vulns.md `{name}`: `{k}` is documented but not in the schema"
                        )),
                        Some(f) if f.shape.describe() != ty => problems.push(format!(
                            "tls_vulns.md `{name}`: `{k}` is documented as `{ty}`, the schema says `{}`",
                            f.shape.describe()
                        )),
                        Some(_) => {}
                    }
                }
            }
            let documented: BTreeSet<String> = doc_table(doc, &format!("## `{name}`"))
                .into_iter()
                .flat_map(|(k, _)| k)
                .collect();
            for k in fields.keys().filter(|k| !documented.contains(**k)) {
                problems.push(format!(
                    "tls_vulns.md `{name}`: `{k}` is in the schema but not documented"
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn types_are_described_as_the_docs_write_them() {
        assert_eq!(Shape::nullable(Shape::String).describe(), "string or null");
        assert_eq!(Shape::list(certificate()).describe(), "list of maps");
        assert_eq!(Shape::map(Shape::Int).describe(), "map string → int");
        assert_eq!(Shape::nullable(pinning()).describe(), "map or null");
    }
}
