//! CI mode of `strata audit`, on the Acme Pay sample replayed from the
//! fixed evidence (grade F, with critical, high, medium and low failures):
//! `--fail-under`, `--fail-on`, `--baseline` and `--quiet`, each flag's exit
//! code and output (docs/ci.md).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const SAMPLE: &str = "sample-projects/acme-pay/architecture.yaml";
const EVIDENCE: &str = "tests/fixtures/reports/acme-pay.evidence.json";
const REPORT: &str = "architecture-acme-pay.strata.json";

use common::strata;

/// `strata audit SAMPLE --replay evidence --out out --format json` + `extra`.
fn audit(evidence: &Path, out: &Path, extra: &[&str]) -> Output {
    let (ev, out) = (evidence.to_string_lossy(), out.to_string_lossy());
    let mut args = vec!["audit", SAMPLE, "--replay", &ev, "--out", &out, "--format", "json"];
    args.extend_from_slice(extra);
    strata(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture() -> PathBuf {
    common::repo(EVIDENCE)
}

/// The number of `fail` findings at or above `severity` in a JSON report
/// (counted from the report, so rule additions do not break the tests).
fn failing_at_or_above(report: &Path, severity: &str) -> usize {
    let order = ["info", "low", "medium", "high", "critical"];
    let rank = |s: &str| order.iter().position(|o| *o == s).expect("severity");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(report).expect("report")).expect("json");
    r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "fail" && rank(f["severity"].as_str().expect("sev")) >= rank(severity))
        .count()
}

/// The fixture with HSTS dropped from `enroll`: two new failures,
/// `tls-hsts` (medium) and `tls-hsts-subdomains` (low).
fn without_hsts(dir: &Path) -> PathBuf {
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(fixture()).expect("fixture")).expect("json");
    let http = &mut e["endpoints"]["enroll"]["http"]["data"];
    http["hsts"] = Value::Null;
    http["headers"]
        .as_object_mut()
        .expect("headers")
        .remove("strict-transport-security");
    let path = dir.join("no-hsts.evidence.json");
    std::fs::write(&path, serde_json::to_vec(&e).expect("json")).expect("write");
    path
}

#[test]
fn without_gates_the_audit_exits_0_and_says_what_it_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = audit(&fixture(), dir.path(), &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(out.starts_with("Acme Pay: grade F (score"), "{out}");
    assert!(out.contains("  cap: "), "{out}");
    assert!(
        out.contains(&format!("wrote {}", dir.path().join(REPORT).display())),
        "{out}"
    );
    assert!(stderr(&run).is_empty(), "{}", stderr(&run));
}

#[test]
fn fail_under_compares_the_grade() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = audit(&fixture(), dir.path(), &["--fail-under", "F"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = audit(&fixture(), dir.path(), &["--fail-under", "d"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(stderr(&bad), "strata: grade F is below the required D\n");
    assert!(
        dir.path().join(REPORT).exists(),
        "the report is written before the gate"
    );
}

#[test]
fn fail_on_counts_every_failing_finding_at_or_above_the_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = audit(&fixture(), dir.path(), &["--fail-on", "critical"]);
    assert_eq!(run.status.code(), Some(1));
    let report = dir.path().join(REPORT);
    let critical = failing_at_or_above(&report, "critical");
    let high = failing_at_or_above(&report, "high");
    assert!(critical >= 1 && high > critical + 5, "{critical} {high}");
    let err = stderr(&run);
    assert!(
        err.starts_with(&format!("strata: {critical} failing finding(s) at or above critical: ")),
        "{err}"
    );
    assert!(err.contains("tls-chain-trusted@endpoint:admin"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // More severities, more findings: high adds the high ones.
    let err = stderr(&audit(&fixture(), dir.path(), &["--fail-on", "HIGH"]));
    assert!(
        err.starts_with(&format!("strata: {high} failing finding(s) at or above high: ")),
        "{err}"
    );
    assert!(err.ends_with(&format!(" and {} more\n", high - 5)), "{err}");
    // An unknown severity is a usage error.
    let bad = audit(&fixture(), dir.path(), &["--fail-on", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("`severe` is not a severity"), "{}", stderr(&bad));
}

#[test]
fn a_baseline_counts_only_new_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base_dir = dir.path().join("base");
    let base = audit(&fixture(), &base_dir, &[]);
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    let baseline = base_dir.join(REPORT);
    let b = baseline.to_string_lossy().into_owned();

    // Same evidence: nothing new, even at the lowest severity.
    let same = audit(
        &fixture(),
        &dir.path().join("same"),
        &["--fail-on", "info", "--baseline", &b],
    );
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(
        stdout(&same).contains("0 failing finding(s) new since the baseline, 0 at or above info"),
        "{}",
        stdout(&same)
    );

    // HSTS dropped: one new medium, one new low failure.
    let ev = without_hsts(dir.path());
    let out = dir.path().join("new");
    let high = audit(&ev, &out, &["--fail-on", "high", "--baseline", &b]);
    assert_eq!(high.status.code(), Some(0), "{}", stderr(&high));
    assert!(
        stdout(&high).contains("2 failing finding(s) new since the baseline, 0 at or above high"),
        "{}",
        stdout(&high)
    );
    let medium = audit(&ev, &out, &["--fail-on", "medium", "--baseline", &b]);
    assert_eq!(medium.status.code(), Some(1));
    assert_eq!(
        stderr(&medium),
        "strata: 1 new failing finding(s) at or above medium: tls-hsts@endpoint:enroll\n"
    );
    let low = audit(&ev, &out, &["--fail-on", "low", "--baseline", &b]);
    assert_eq!(low.status.code(), Some(1));
    assert!(
        stderr(&low).starts_with("strata: 2 new failing finding(s) at or above low: "),
        "{}",
        stderr(&low)
    );

    // The baseline may be the very file the audit rewrites: it is read first.
    let inplace = audit(&ev, &base_dir, &["--fail-on", "low", "--baseline", &b]);
    assert_eq!(inplace.status.code(), Some(1), "{}", stderr(&inplace));
    assert!(stderr(&inplace).contains("2 new failing"), "{}", stderr(&inplace));
}

#[test]
fn a_bad_baseline_is_an_input_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // --baseline needs --fail-on.
    let alone = audit(&fixture(), dir.path(), &["--baseline", "x.json"]);
    assert_eq!(alone.status.code(), Some(2));
    assert!(stderr(&alone).contains("--fail-on"), "{}", stderr(&alone));
    // A missing file: exit 2 before anything is written.
    let missing = dir.path().join("nope.json");
    let out = dir.path().join("out");
    let run = audit(
        &fixture(),
        &out,
        &["--fail-on", "high", "--baseline", &missing.to_string_lossy()],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).starts_with("strata: baseline: "), "{}", stderr(&run));
    assert!(!out.exists());
    // An evidence file is not a report.
    let run = audit(&fixture(), &out, &["--fail-on", "high", "--baseline", EVIDENCE]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("not a Strata JSON report"), "{}", stderr(&run));
    // A report of another system.
    let base = audit(&fixture(), &dir.path().join("base"), &[]);
    assert_eq!(base.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("base").join(REPORT)).expect("report");
    let mut other: Value = serde_json::from_str(&text).expect("json");
    other["system"]["name"] = Value::String("Other Corp".into());
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, serde_json::to_vec(&other).expect("json")).expect("write");
    let run = audit(
        &fixture(),
        &out,
        &["--fail-on", "info", "--baseline", &other_path.to_string_lossy()],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("baseline: the reports are of different systems"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn quiet_prints_only_the_result_line_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = audit(&fixture(), dir.path(), &["--quiet"]);
    assert_eq!(ok.status.code(), Some(0));
    let out = stdout(&ok);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("Acme Pay: grade F (score "), "{out}");
    assert!(stderr(&ok).is_empty());
    assert!(dir.path().join(REPORT).exists());

    let gated = audit(
        &fixture(),
        dir.path(),
        &["-q", "--fail-on", "critical", "--fail-under", "C"],
    );
    assert_eq!(gated.status.code(), Some(1));
    assert_eq!(stdout(&gated), out, "the same one line");
    let err = stderr(&gated);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(lines[0], "strata: grade F is below the required C");
    let critical = failing_at_or_above(&dir.path().join(REPORT), "critical");
    assert!(
        lines[1].starts_with(&format!("strata: {critical} failing finding(s) at or above critical")),
        "{err}"
    );

    // With a baseline, the count line is left out too.
    let b = dir.path().join(REPORT).to_string_lossy().into_owned();
    let base = audit(
        &fixture(),
        &dir.path().join("q"),
        &["-q", "--fail-on", "low", "--baseline", &b],
    );
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    assert_eq!(stdout(&base).lines().count(), 1, "{}", stdout(&base));
}

#[test]
fn merge_applies_the_same_gates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = strata::model::load(&common::repo(SAMPLE)).unwrap_or_else(|e| panic!("{e}"));
    let e: strata::evidence::Evidence =
        serde_json::from_str(&std::fs::read_to_string(fixture()).expect("fixture")).expect("parses");
    let mut parts = Vec::new();
    for k in 1..=2 {
        let p = dir.path().join(format!("s{k}.json"));
        let part = strata::shard::Shard { index: k, count: 2 }.split(&model, &e);
        std::fs::write(&p, serde_json::to_vec(&part).expect("json")).expect("write");
        parts.push(p.to_string_lossy().into_owned());
    }
    let out = dir.path().join("m").to_string_lossy().into_owned();
    let merge = |extra: &[&str]| {
        let mut a = vec!["merge", SAMPLE, &parts[0], &parts[1], "-o", &out, "--format", "json"];
        a.extend_from_slice(extra);
        strata(&a)
    };
    let gated = merge(&["--fail-on", "critical", "-q"]);
    assert_eq!(gated.status.code(), Some(1));
    assert_eq!(stdout(&gated).lines().count(), 1, "{}", stdout(&gated));
    assert!(
        stderr(&gated).starts_with(&format!(
            "strata: {} failing finding(s) at or above critical",
            failing_at_or_above(&dir.path().join("m").join(REPORT), "critical")
        )),
        "{}",
        stderr(&gated)
    );
    let b = dir.path().join("m").join(REPORT).to_string_lossy().into_owned();
    let base = merge(&["--fail-on", "info", "--baseline", &b, "--fail-under", "F"]);
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    assert!(
        stdout(&base).contains("0 failing finding(s) new since the baseline"),
        "{}",
        stdout(&base)
    );
}
