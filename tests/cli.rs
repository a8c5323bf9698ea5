//! The `strata` binary end to end: exit codes, validation output, rules.

use std::process::Command;

fn strata(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run strata");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rules_lists_at_least_twenty_rules_with_unique_ids() {
    let (code, out, _) = strata(&["rules"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .filter(|l| !l.ends_with(" rules"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 20, "{out}");
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn validate_reports_errors_with_position_and_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "strata: 1\nsystem: { name: x }\nflows:\n  - { from: a, to: b }\n").expect("write");
    let (code, _, err) = strata(&["validate", bad.to_str().unwrap_or_default()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.yaml:4:") && err.contains("flows[0].from"), "{err}");
    let (code, out, _) = strata(&["validate", "sample-projects/acme-pay/architecture.yaml"]);
    assert_eq!(code, 0);
    assert!(out.contains("valid"), "{out}");
}

#[test]
fn offline_audit_writes_reports_and_honours_fail_under() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().unwrap_or_default();
    let (code, stdout, err) = strata(&[
        "audit",
        "sample-projects/acme-pay/architecture.yaml",
        "--offline",
        "--out",
        out,
        "--fail-under",
        "A",
    ]);
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(err.contains("below the required A"), "{err}");
    assert!(dir.path().join("architecture-acme-pay.strata.json").is_file());
    assert!(dir.path().join("architecture-acme-pay.strata.html").is_file());
    // Offline: no live check may pass.
    let json = std::fs::read_to_string(dir.path().join("architecture-acme-pay.strata.json")).expect("json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("parse");
    for f in v["findings"].as_array().into_iter().flatten() {
        if f["proof"] == "live" {
            assert_ne!(f["status"], "pass", "{f}");
        }
        // Nothing was probed, so nothing can have failed to run: an error
        // here is a rule that reads evidence it did not declare in `needs`.
        assert_ne!(f["status"], "error", "{f}");
    }
    let (code, _, _) = strata(&[
        "audit",
        "sample-projects/acme-pay/architecture.yaml",
        "--offline",
        "--out",
        out,
        "--fail-under",
        "F",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn broken_rules_name_the_rule_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("x.yaml"),
        "rules:\n  - id: ok-rule\n    title: t\n    layer: transport\n    severity: low\n    applies_to: endpoint\n    check: endpoint.https\n    proof: model\n    rationale: r\n    remediation: m\n  - id: broken-rule\n    title: t\n    layer: transport\n    severity: low\n    applies_to: endpoint\n    check: endpoint.https &&\n    proof: model\n    rationale: r\n    remediation: m\n",
    )
    .expect("write");
    let (code, _, err) = strata(&["rules", "--rules", dir.path().to_str().unwrap_or_default()]);
    assert_eq!(code, 2);
    assert!(err.contains("x.yaml:16: rule `broken-rule`"), "{err}");
}

#[test]
fn a_rule_failing_at_run_time_is_reported_on_stderr_and_exits_2_with_reports_written() {
    let rules = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        rules.path().join("x.yaml"),
        "rules:\n  - id: ok-rule\n    title: t\n    layer: transport\n    severity: low\n    applies_to: endpoint\n    check: endpoint.https\n    proof: model\n    rationale: r\n    remediation: m\n  - id: zero-rule\n    title: t\n    layer: transport\n    severity: low\n    applies_to: endpoint\n    check: endpoint.port / (endpoint.port - endpoint.port) == 0\n    proof: model\n    rationale: r\n    remediation: m\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let (code, stdout, err) = strata(&[
        "audit",
        "sample-projects/acme-pay/architecture.yaml",
        "--offline",
        "--rules",
        rules.path().to_str().unwrap_or_default(),
        "--out",
        out.path().to_str().unwrap_or_default(),
        "--fail-under",
        "F",
    ]);
    assert_eq!(code, 2, "{stdout}{err}");
    assert!(
        err.contains("strata: tool error: rule `zero-rule` on endpoint:api (")
            && err.contains("x.yaml:11): `check` failed: "),
        "{err}"
    );
    assert!(!err.contains("ok-rule"), "{err}");
    let json = std::fs::read_to_string(out.path().join("architecture-acme-pay.strata.json")).expect("report written");
    let v: serde_json::Value = serde_json::from_str(&json).expect("parse");
    assert!(v["tool_errors"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|f| f["rule"] == "ok-rule")
    );
}

#[test]
fn an_unknown_format_is_refused_with_the_known_names() {
    let (code, _, err) = strata(&[
        "audit",
        "sample-projects/acme-pay/architecture.yaml",
        "--offline",
        "--format",
        "html,docx",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("unknown report format `docx` (known: html, json, sarif, markdown, csv, pdf)"),
        "{err}"
    );
}

#[test]
fn the_readmes_four_audits_leave_four_report_sets_and_another_model_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report");
    let out_s = out.to_str().unwrap_or_default();
    let samples = ["lab-tour", "identity-lab", "acme-pay", "gateway-lab"];
    for s in samples {
        let file = format!("sample-projects/{s}/architecture.yaml");
        let (code, stdout, err) = strata(&[
            "audit",
            &file,
            "--offline",
            "--out",
            out_s,
            "--format",
            "html,json,sarif,markdown,csv",
            "--fail-under",
            "F",
        ]);
        assert_eq!(code, 0, "{s}: {stdout}{err}");
    }
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let stems: std::collections::BTreeSet<&str> = names.iter().filter_map(|n| n.split(".strata.").next()).collect();
    assert_eq!(stems.len(), 4, "{names:?}");
    assert_eq!(names.len(), 4 * 6, "five formats and a marker per model: {names:?}");
    for stem in [
        "architecture-strata-lab-tour",
        "architecture-strata-identity-lab",
        "architecture-acme-pay",
        "architecture-gateway-lab",
    ] {
        let json = std::fs::read_to_string(out.join(format!("{stem}.strata.json"))).expect("json");
        let v: serde_json::Value = serde_json::from_str(&json).expect("parse");
        assert_eq!(v["system"]["source"], "architecture.yaml");
    }

    // Another model with the same file stem and system name: refused, and
    // the first model's reports stay as they were.
    let before = std::fs::read(out.join("architecture-acme-pay.strata.json")).expect("json");
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).expect("mkdir");
    std::fs::write(
        copy.join("architecture.yaml"),
        "strata: 1\nsystem: { name: Acme Pay }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\n",
    )
    .expect("write");
    let copy_file = copy.join("architecture.yaml");
    let (code, _, err) = strata(&[
        "audit",
        copy_file.to_str().unwrap_or_default(),
        "--offline",
        "--out",
        out_s,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("architecture-acme-pay.strata.model belongs to the report of another model (")
            && err.contains("sample-projects/acme-pay/architecture.yaml")
            && err.contains("nothing was overwritten"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(out.join("architecture-acme-pay.strata.json")).expect("json"),
        before
    );
}
