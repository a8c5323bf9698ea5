//! SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).
//!
//! - One `reportingDescriptor` per rule that has findings in the report
//!   (every rule is evaluated on each subject of its kind, so a rule is
//!   missing only when the model has no subject of its kind): id, a
//!   PascalCase name, the title, the rationale, help with the remediation
//!   and references, `helpUri` when a reference has a known page, and
//!   `defaultConfiguration.level` from the severity.
//! - Results only for findings that need action: `fail` (kind `fail`, level
//!   from the severity) and `error` with no known probe failure behind it
//!   (kind `open`, level `none`, as SARIF requires for a kind other than
//!   `fail`). Passed,
//!   unverified and not-applicable findings are counted in the run's
//!   `properties`, not listed.
//! - Each result points at the model file (`artifactLocation.uri`, relative
//!   to the current folder when the file is below it) at the line and
//!   column of its subject's `id` (a pin set's `host`); the `system`
//!   subject has no position of its own and points at line 1, column 1.
//! - `partialFingerprints["strataFindingId/v1"]` is the SHA-256 of the
//!   finding id (`rule@subject`), stable across runs and machines.
//! - Rules that could not be evaluated (tool errors) become
//!   `toolExecutionNotifications` of the invocation.

use super::Report;
use super::exporters::{ExportError, Exporter};
use crate::audit::rules::Severity;
use crate::audit::{Finding, Status};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// The schema the output declares.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Key of the stable fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "strataFindingId/v1";

/// SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` (0.0-10.0) of a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `tls-chain-trusted` → `TlsChainTrusted`.
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// SARIF viewers expect messages to be sentences.
fn sentence(s: &str) -> String {
    let t = s.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The page of a well-known reference, if any.
fn reference_uri(r: &str) -> Option<String> {
    let r = r.trim();
    if r.starts_with("https://") || r.starts_with("http://") {
        return Some(r.to_string());
    }
    if r.starts_with("OWASP API") {
        return Some("https://owasp.org/API-Security/editions/2023/en/0x11-t10/".into());
    }
    if r.starts_with("MASVS") {
        return Some("https://mas.owasp.org/MASVS/".into());
    }
    if let Some(n) = r.strip_prefix("RFC ").or_else(|| r.strip_prefix("RFC"))
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
    {
        return Some(format!("https://www.rfc-editor.org/rfc/rfc{n}"));
    }
    None
}

/// Hex SHA-256 of the finding id.
pub fn fingerprint(finding_id: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, finding_id.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encodes a path segment for a URI reference.
fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The model file as an `artifactLocation.uri`: relative (with `/`) when
/// it was named relatively or lies below the current folder, else an
/// absolute `file:` URI.
pub fn artifact_uri(path: &Path) -> String {
    let rel = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
    } else {
        Some(path.to_path_buf())
    };
    if let Some(rel) = rel {
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(encode_segment(&s.to_string_lossy())),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect();
        if !parts.is_empty() {
            return parts.join("/");
        }
    }
    url::Url::from_file_path(path)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| {
            path.file_name()
                .map(|n| encode_segment(&n.to_string_lossy()))
                .unwrap_or_default()
        })
}

fn descriptor(f: &Finding) -> Value {
    let uris: Vec<String> = f.references.iter().filter_map(|r| reference_uri(r)).collect();
    let mut help = format!("Remediation: {}", f.remediation.trim());
    let mut help_md = format!("**Remediation:** {}", f.remediation.trim());
    if !f.references.is_empty() {
        help.push_str(&format!("\n\nReferences: {}", f.references.join(", ")));
        help_md.push_str(&format!("\n\n**References:** {}", f.references.join(", ")));
    }
    let mut d = json!({
        "id": f.rule,
        "name": pascal(&f.rule),
        "shortDescription": { "text": sentence(&f.title) },
        "fullDescription": { "text": sentence(&f.rationale) },
        "help": { "text": help, "markdown": help_md },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": {
            "tags": ["security", f.layer.name()],
            "layer": f.layer.name(),
            "severity": f.severity.name(),
            "security-severity": security_severity(f.severity),
            "references": f.references,
        },
    });
    if let (Some(uri), Some(obj)) = (uris.first(), d.as_object_mut()) {
        obj.insert("helpUri".into(), json!(uri));
    }
    d
}

fn result(f: &Finding, rule_index: usize, r: &Report, uri: &str) -> Value {
    let pos = r.source_map.position(&f.subject);
    let (kind, level) = match f.status {
        Status::Fail => ("fail", level(f.severity)),
        _ => ("open", "none"),
    };
    let logical_kind = f.subject.split(':').next().unwrap_or("system");
    // Accepted and false-positive triage decisions are suppressions the
    // code-scanning UI shows as dismissed; others are not.
    let suppressions: Vec<Value> = f
        .triage
        .iter()
        .filter(|t| t.uncounted)
        .map(|t| json!({ "kind": "external", "status": "accepted", "justification": t.label() }))
        .collect();
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": { "text": sentence(&f.message) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri, "index": 0 },
                "region": { "startLine": pos.line, "startColumn": pos.column },
            },
            "logicalLocations": [{ "fullyQualifiedName": f.subject, "kind": logical_kind }],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&f.id) },
        "properties": {
            "findingId": f.id,
            "status": f.status.name(),
            "severity": f.severity.name(),
            "layer": f.layer.name(),
            "subject": f.subject,
            "positionExact": pos.exact,
            "remediation": f.remediation.trim(),
        },
    });
    if !suppressions.is_empty()
        && let Some(o) = result.as_object_mut()
    {
        o.insert("suppressions".into(), Value::Array(suppressions));
    }
    result
}

/// Renders the report as a SARIF 2.1.0 log with one run.
pub fn render(r: &Report) -> Result<String, serde_json::Error> {
    // Rules in id order; the index of each in `rules` is its `ruleIndex`.
    let mut by_rule: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in &r.findings {
        by_rule.entry(f.rule.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = by_rule.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules: Vec<Value> = by_rule.values().map(|f| descriptor(f)).collect();
    let uri = artifact_uri(&r.source_map.path);
    let results: Vec<Value> = r
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error) && super::shown_individually(f))
        .map(|f| result(f, index.get(f.rule.as_str()).copied().unwrap_or(0), r, &uri))
        .collect();
    let count = |s: Status| r.findings.iter().filter(|f| f.status == s).count();
    let uri = &uri;
    let notifications: Vec<Value> = r
        .tool_errors
        .iter()
        .map(|t| {
            json!({
                "level": "error",
                "message": { "text": sentence(&format!("Rule {} could not be evaluated on {} ({} expression): {}", t.rule, t.subject, t.expression, t.message)) },
                "descriptor": { "id": t.rule },
                "properties": { "origin": t.origin, "subject": t.subject },
            })
        })
        .chain(r.blocked.iter().map(|b| {
            let pos = r.source_map.position(&format!("endpoint:{}", b.endpoint));
            json!({
                "level": "warning",
                "message": { "text": sentence(&format!(
                    "The {} probe could not run on endpoint {} ({}): {}; it blocks {} rule(s): {}",
                    b.probe, b.endpoint, b.stage, b.reason, b.rules.len(), b.rules.join(", ")
                )) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri, "index": 0 },
                        "region": { "startLine": pos.line, "startColumn": pos.column },
                    },
                }],
                "properties": {
                    "endpoint": b.endpoint,
                    "probe": b.probe,
                    "stage": b.stage,
                    "detail": b.detail,
                    "rulesBlocked": b.rules,
                    "findings": b.findings,
                },
            })
        }))
        .collect();
    let mut driver = json!({
        "name": "Strata",
        "fullName": format!("Strata {}", r.tool.version),
        "version": r.tool.version,
        "semanticVersion": r.tool.version,
        "rules": rules,
    });
    // The crate declares no homepage yet; the property is left out rather
    // than invented.
    let home = option_env!("CARGO_PKG_HOMEPAGE")
        .filter(|h| !h.is_empty())
        .or(option_env!("CARGO_PKG_REPOSITORY").filter(|h| !h.is_empty()));
    if let (Some(home), Some(obj)) = (home, driver.as_object_mut()) {
        obj.insert("informationUri".into(), json!(home));
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": r.tool_errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "artifacts": [{ "location": { "uri": uri }, "roles": ["analysisTarget"], "mimeType": "application/yaml" }],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "system": r.system.name,
                "observedAt": r.observed_at,
                "reportSchema": r.schema,
                "grade": r.score.grade,
                "gradeBeforeCaps": r.score.uncapped_grade,
                "score": r.score.overall,
                "caps": r.score.caps,
                "counts": {
                    "fail": count(Status::Fail),
                    "error": count(Status::Error),
                    "unverified": count(Status::Unverified),
                    "pass": count(Status::Pass),
                    "notApplicable": count(Status::NotApplicable),
                    "toolErrors": r.tool_errors.len(),
                    "probesBlocked": r.blocked.len(),
                },
            },
        }],
    });
    let mut s = serde_json::to_string_pretty(&log)?;
    s.push('\n');
    Ok(s)
}

/// The SARIF exporter.
#[derive(Debug, Clone, Copy)]
pub struct Sarif;

impl Exporter for Sarif {
    fn name(&self) -> &'static str {
        "sarif"
    }
    fn label(&self) -> &'static str {
        "SARIF"
    }
    fn extension(&self) -> &'static str {
        "sarif"
    }
    fn media_type(&self) -> &'static str {
        "application/sarif+json"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, ExportError> {
        render(report)
            .map(String::into_bytes)
            .map_err(|source| ExportError::Serialize {
                format: "sarif",
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_references_and_fingerprints() {
        assert_eq!(pascal("tls-chain-trusted"), "TlsChainTrusted");
        assert_eq!(sentence("no HSTS"), "no HSTS.");
        assert_eq!(sentence("done."), "done.");
        assert_eq!(
            reference_uri("RFC 6797").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc6797")
        );
        assert_eq!(reference_uri("NIST SP 800-92"), None);
        assert_eq!(fingerprint("a@b"), fingerprint("a@b"));
        assert_ne!(fingerprint("a@b"), fingerprint("a@c"));
        assert_eq!(fingerprint("").len(), 64);
        assert_eq!(artifact_uri(Path::new("./my dir/arch.yaml")), "my%20dir/arch.yaml");
    }
}
