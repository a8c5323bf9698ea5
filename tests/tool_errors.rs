//! A rule that loads but fails when it runs is a tool error: reported apart
//! from the findings (JSON, HTML), never scored, and the verdicts of every
//! other rule are unchanged.

use std::path::{Path, PathBuf};
use strata::audit::rules::{BUILTIN, Ruleset};
use strata::evidence::Evidence;
use strata::pipeline::{self, Outcome};

const SAMPLE: &str = "sample-projects/acme-pay/architecture.yaml";

fn model() -> strata::model::Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
    strata::model::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The built-in rules plus `extra` (a rule file's text), or alone.
fn rules(extra: Option<&str>) -> Ruleset {
    let mut sources: Vec<(PathBuf, String)> = BUILTIN
        .iter()
        .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
        .collect();
    if let Some(text) = extra {
        sources.push((PathBuf::from("extra.yaml"), text.to_string()));
    }
    Ruleset::from_sources(sources).unwrap_or_else(|e| panic!("{e}"))
}

/// Model-only audit (no probing): model rules run, live ones stay unverified.
fn audit(rules: &Ruleset) -> Outcome {
    let evidence = Evidence {
        observed_at: 1_800_000_000,
        ..Default::default()
    };
    pipeline::audit_with(&model(), rules, evidence)
}

fn rule(id: &str, body: &str) -> String {
    format!(
        "  - id: {id}\n    title: t\n    layer: transport\n    severity: critical\n    applies_to: endpoint\n    proof: model\n    rationale: r\n    remediation: m\n{body}"
    )
}

const BROKEN: &[(&str, &str)] = &[
    // Integer division by zero: well typed, fails on every endpoint.
    (
        "divides-by-zero",
        "    check: endpoint.port / (endpoint.port - endpoint.port) > 0\n",
    ),
    // A string where a bool is due, only on `https` endpoints.
    ("gives-a-string", "    check: 'endpoint.https ? endpoint.id : false'\n"),
    // `rate_limit` is null on endpoints that declare none: selecting from
    // it fails there only.
    (
        "reads-through-null",
        "    when: endpoint.rate_limit.limit > 0\n    check: endpoint.https\n",
    ),
];

#[test]
fn failing_rules_are_tool_errors_not_findings_and_not_scored() {
    let text = format!(
        "rules:\n{}",
        BROKEN.iter().map(|(id, body)| rule(id, body)).collect::<String>()
    );
    let broken = audit(&rules(Some(&text)));
    let clean = audit(&rules(None));
    let m = model();

    // The oracle: which endpoints each rule must fail on, from the model.
    let subjects = |keep: &dyn Fn(&strata::model::EndpointTarget) -> bool| -> Vec<String> {
        let mut v: Vec<String> = m
            .endpoints
            .iter()
            .filter(|e| keep(e))
            .map(|e| format!("endpoint:{}", e.id))
            .collect();
        v.sort();
        v
    };
    let no_rate_limit = |e: &strata::model::EndpointTarget| m.endpoint(&e.id).is_some_and(|d| d.rate_limit.is_none());
    let expected: Vec<(&str, Vec<String>, &str, &str)> = vec![
        ("divides-by-zero", subjects(&|_| true), "check", "failed: "),
        (
            "gives-a-string",
            subjects(&|e| e.scheme == strata::model::Scheme::Https),
            "check",
            "not a bool",
        ),
        ("reads-through-null", subjects(&no_rate_limit), "when", "failed: "),
    ];
    assert!(
        expected.iter().all(|(_, s, _, _)| !s.is_empty()),
        "the sample no longer exercises every case"
    );
    assert!(subjects(&no_rate_limit).len() < m.endpoints.len());
    for (id, subjects, expression, says) in &expected {
        let got: Vec<&strata::audit::ToolError> = broken.audit.tool_errors.iter().filter(|t| t.rule == *id).collect();
        let got_subjects: Vec<String> = got.iter().map(|t| t.subject.clone()).collect();
        assert_eq!(&got_subjects, subjects, "{id}");
        for t in &got {
            assert_eq!(t.expression, *expression, "{t:?}");
            assert!(t.message.contains(says), "{t:?}");
            assert!(t.origin.starts_with("extra.yaml:"), "{t:?}");
        }
        // No finding where the rule failed; a verdict everywhere else.
        for f in broken.audit.findings.iter().filter(|f| f.rule == *id) {
            assert!(!subjects.contains(&f.subject), "{f:?}");
        }
    }
    assert_eq!(
        broken.audit.tool_errors.len(),
        expected.iter().map(|(_, s, _, _)| s.len()).sum::<usize>()
    );
    // Where `reads-through-null` did run, it is a finding like any other.
    assert!(
        broken
            .audit
            .findings
            .iter()
            .any(|f| f.rule == "reads-through-null" && f.status == strata::audit::Status::Pass)
    );
    // Tool errors weigh nothing: without the verdicts the broken rules did
    // give, the score is the built-in rules' own.
    let added: Vec<&strata::audit::Finding> = broken
        .audit
        .findings
        .iter()
        .filter(|f| BROKEN.iter().any(|(id, _)| f.rule == *id))
        .collect();
    assert!(!added.is_empty());
    let without_added: Vec<strata::audit::Finding> = broken
        .audit
        .findings
        .iter()
        .filter(|f| !BROKEN.iter().any(|(id, _)| f.rule == *id))
        .cloned()
        .collect();
    assert_eq!(
        strata::audit::score::score(&without_added),
        clean.audit.score,
        "the other findings changed"
    );
    assert!(clean.audit.tool_errors.is_empty(), "{:?}", clean.audit.tool_errors);

    // The JSON report carries them apart from the findings.
    let json: serde_json::Value =
        serde_json::from_str(&strata::report::json::render(&broken.report).expect("json")).expect("parse");
    let listed = json["tool_errors"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(listed, broken.audit.tool_errors.len());
    assert_eq!(json["tool_errors"][0]["rule"], "divides-by-zero");
    for key in ["rule", "subject", "origin", "expression", "message"] {
        assert!(json["tool_errors"][0][key].is_string(), "{key}");
    }
    let clean_json: serde_json::Value =
        serde_json::from_str(&strata::report::json::render(&clean.report).expect("json")).expect("parse");
    assert_eq!(clean_json["tool_errors"], serde_json::json!([]));

    // The HTML report shows them in their own section.
    let html = strata::report::html::render(&broken.report);
    assert!(html.contains("Tool errors (not findings)"));
    assert!(html.contains("divides-by-zero") && html.contains("endpoint:api"));
    assert!(!strata::report::html::render(&clean.report).contains("Tool errors (not findings)"));
}

#[test]
fn a_broken_explain_is_a_tool_error_and_the_verdict_stands() {
    let text = format!(
        "rules:\n{}",
        rule(
            "explains-badly",
            "    check: endpoint.port > 0\n    explain: 'string(endpoint.port / (endpoint.port - endpoint.port))'\n"
        )
    );
    let o = audit(&rules(Some(&text)));
    let m = model();
    let findings: Vec<&strata::audit::Finding> =
        o.audit.findings.iter().filter(|f| f.rule == "explains-badly").collect();
    assert_eq!(findings.len(), m.endpoints.len());
    for f in &findings {
        assert_eq!(f.status, strata::audit::Status::Pass, "{f:?}");
        assert_eq!(f.message, "holds");
    }
    assert_eq!(o.audit.tool_errors.len(), m.endpoints.len());
    assert!(
        o.audit
            .tool_errors
            .iter()
            .all(|t| t.expression == "explain" && t.message.contains("failed: "))
    );
}
