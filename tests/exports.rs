//! Every export format on the bundled Acme Pay sample with fixed evidence
//! (`tests/fixtures/reports/acme-pay.evidence.json`, saved from a lab run):
//! snapshots in `tests/snapshots/reports/` (so a format change shows in
//! review; `UPDATE_SNAPSHOTS=1` rewrites them; the PDF's content streams
//! are not compressed, so its snapshot diffs as text too), same inputs →
//! same bytes, SARIF checked structurally and by Microsoft's validator
//! when installed, CSV parsed back by Python's `csv` module, Markdown
//! against hostile text (the PDF's own checks are in `tests/pdf.rs`).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use strata::audit::Status;
use strata::audit::rules::Ruleset;
use strata::pipeline::{self, Outcome};
use strata::report::exporters::exporters;

const SAMPLE: &str = "sample-projects/acme-pay/architecture.yaml";
const EVIDENCE: &str = "tests/fixtures/reports/acme-pay.evidence.json";

fn outcome() -> Outcome {
    let model = strata::model::load(&common::repo(SAMPLE)).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(common::repo(EVIDENCE)).expect("evidence fixture");
    let evidence = serde_json::from_str(&text).expect("evidence parses");
    let rules = Ruleset::builtin().expect("rules");
    pipeline::audit_with(&model, &rules, evidence)
}

fn snapshot_path(ext: &str) -> PathBuf {
    common::repo(&format!("tests/snapshots/reports/acme-pay.strata.{ext}"))
}

#[test]
fn every_format_matches_its_snapshot_and_renders_the_same_bytes_twice() {
    let first = outcome();
    let second = outcome();
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for e in exporters() {
        let a = e.render(&first.report).expect("render");
        let b = e.render(&first.report).expect("render again");
        let c = e.render(&second.report).expect("render a second audit");
        assert!(a == b && a == c, "{} is not deterministic", e.name());
        assert!(!a.is_empty(), "{} is empty", e.name());
        let path = snapshot_path(e.extension());
        if update {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &a).expect("write snapshot");
            continue;
        }
        let want = std::fs::read(&path).unwrap_or_default();
        if want != a {
            let new = path.with_extension(format!("{}.new", e.extension()));
            std::fs::write(&new, &a).expect("write .new");
            let (got, want) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&want));
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(g, w)| g != w)
                .map(|i| i + 1)
                .unwrap_or(got.lines().count().min(want.lines().count()) + 1);
            stale.push(format!(
                "{}: differs from {} at line {line} (new output in {}; UPDATE_SNAPSHOTS=1 accepts it)",
                e.name(),
                path.display(),
                new.display()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// Microsoft's validator: `STRATA_SARIF_MULTITOOL`, the copy `.ci/run`
/// installs under `target/sarif-multitool`, or `sarif-multitool` on PATH.
fn multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STRATA_SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    let local = common::repo("target/sarif-multitool/node_modules/.bin/sarif-multitool");
    if local.is_file() {
        return Some(local);
    }
    let on_path = Command::new("sarif-multitool").arg("--version").output();
    on_path
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("sarif-multitool"))
}

#[test]
fn sarif_is_valid_2_1_0_with_rules_locations_and_stable_fingerprints() {
    let o = outcome();
    let text = strata::report::sarif::render(&o.report).expect("sarif");
    let v: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "Strata");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let rule_ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let unique: std::collections::BTreeSet<_> = rule_ids.iter().collect();
    assert_eq!(unique.len(), rule_ids.len(), "one descriptor per rule");
    let finding_rules: std::collections::BTreeSet<&str> = o.report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(unique.len(), finding_rules.len());
    for r in rules {
        assert!(
            r["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{r}"
        );
        assert!(
            r["fullDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{r}"
        );
        assert!(
            r["help"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Remediation: ")),
            "{r}"
        );
        assert!(matches!(
            r["defaultConfiguration"]["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
    }

    // Results: exactly the failing and error findings, nothing else.
    let results = run["results"].as_array().expect("results");
    let wanted: Vec<&strata::audit::Finding> = o
        .report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(results.len(), wanted.len());
    let counts = &run["properties"]["counts"];
    let n = |s: Status| o.report.findings.iter().filter(|f| f.status == s).count();
    assert_eq!(counts["pass"], n(Status::Pass));
    assert_eq!(counts["notApplicable"], n(Status::NotApplicable));
    assert_eq!(counts["unverified"], n(Status::Unverified));

    let model_text = std::fs::read_to_string(common::repo(SAMPLE)).expect("model");
    let lines: Vec<&str> = model_text.lines().collect();
    let mut fingerprints = std::collections::BTreeSet::new();
    for (res, f) in results.iter().zip(&wanted) {
        let id = res["ruleId"].as_str().expect("ruleId");
        let index = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rule_ids.get(index).copied(), Some(id), "ruleIndex points at its rule");
        assert_eq!(id, f.rule);
        let fp = res["partialFingerprints"]["strataFindingId/v1"]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fp, strata::report::sarif::fingerprint(&f.id));
        assert!(fingerprints.insert(fp.to_string()), "fingerprints are unique");
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], SAMPLE, "relative to the repository");
        let line = loc["region"]["startLine"].as_u64().expect("line") as usize;
        let col = loc["region"]["startColumn"].as_u64().expect("column") as usize;
        // Independent check: the model file has the subject's id (or a pin
        // set's host) at that line and column.
        let name = f
            .subject
            .split_once(':')
            .map(|(_, n)| n.rsplit('/').next().unwrap_or(n))
            .unwrap_or("");
        if f.subject != "system" {
            let at: String = lines
                .get(line - 1)
                .map(|l| l.chars().skip(col - 1).collect())
                .unwrap_or_default();
            if let Some(rest) = f.subject.strip_prefix("appconfig:") {
                // An app file points at its path as written in pin_imports.
                let file = rest.split_once('/').map(|(_, file)| file).unwrap_or("");
                assert!(
                    !file.is_empty() && at.starts_with(file),
                    "{} at {line}:{col}: {at}",
                    f.subject
                );
            } else if f.subject.starts_with("pinset:") && !at.starts_with(name) {
                // An imported pin set points at its client's id.
                let client = f.subject["pinset:".len()..].split('/').next().unwrap_or("");
                assert!(at.starts_with(client), "{} at {line}:{col}: {at}", f.subject);
            } else {
                assert!(at.starts_with(name), "{} at {line}:{col}: {at}", f.subject);
            }
        } else {
            assert_eq!((line, col), (1, 1));
        }
        assert!(matches!(
            res["level"].as_str(),
            Some("error" | "warning" | "note" | "none")
        ));
        match f.status {
            Status::Fail => assert_eq!(res["kind"], "fail"),
            _ => assert_eq!(
                (res["kind"].as_str(), res["level"].as_str()),
                (Some("open"), Some("none"))
            ),
        }
    }
    // Fingerprints depend only on the finding id: the same on a re-render.
    let again: Value =
        serde_json::from_str(&strata::report::sarif::render(&outcome().report).expect("sarif")).expect("json");
    assert_eq!(again["runs"][0]["results"], run["results"]);

    validate_with_multitool("acme-pay", &text);

    // Findings whose probe could not run, and rules that could not be
    // evaluated, take the other paths: kind `open` with level `none`, and
    // tool notifications. Still valid.
    let mut mixed = (*o.report).clone();
    let i = mixed
        .findings
        .iter()
        .position(|f| f.status == Status::NotApplicable)
        .expect("a not-applicable finding");
    mixed.findings[i].status = Status::Error;
    mixed.findings[i].message = "tls probe failed at connect: connection refused".into();
    mixed.tool_errors.push(strata::audit::ToolError {
        rule: "zero-rule".into(),
        subject: "endpoint:api".into(),
        origin: "x.yaml:11".into(),
        expression: "check".into(),
        message: "failed: division by zero".into(),
    });
    // A probe that could not run: one notification, at the endpoint.
    mixed.blocked.push(strata::report::Blocked {
        endpoint: "api".into(),
        probe: "legacy".into(),
        stage: "connect".into(),
        reason: "nothing accepted the connection (connection refused)".into(),
        detail: Some("Connection refused (os error 111)".into()),
        rules: vec!["legacy-tls-off".into()],
        findings: vec!["legacy-tls-off@endpoint:api".into()],
    });
    let text = strata::report::sarif::render(&mixed).expect("sarif");
    let v: Value = serde_json::from_str(&text).expect("json");
    let run = &v["runs"][0];
    let open: Vec<&Value> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["kind"] == "open")
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["level"], "none");
    assert_eq!(open[0]["properties"]["findingId"], mixed.findings[i].id.as_str());
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"],
        "zero-rule"
    );
    let blocked = &run["invocations"][0]["toolExecutionNotifications"][1];
    assert_eq!(blocked["level"], "warning");
    assert_eq!(blocked["properties"]["endpoint"], "api");
    assert_eq!(blocked["properties"]["rulesBlocked"][0], "legacy-tls-off");
    assert!(blocked["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() > Some(1));
    assert_eq!(run["properties"]["counts"]["error"], 1);
    assert_eq!(run["properties"]["counts"]["probesBlocked"], 1);
    validate_with_multitool("mixed", &text);
}

/// The SARIF 2.1.0 JSON schema that ships with the validator's npm package
/// (`STRATA_SARIF_SCHEMA` overrides).
fn sarif_schema(tool: &Path) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STRATA_SARIF_SCHEMA") {
        return Some(PathBuf::from(p));
    }
    let modules = tool.parent()?.parent()?.join("@microsoft");
    std::fs::read_dir(modules)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("sarif-2.1.0.json"))
        .find(|p| p.is_file())
}

/// Checks `file` against the JSON schema with Python's `jsonschema`; the
/// validator alone is not enough: it reports nothing at all for a log with
/// an invalid enum value (say `"level": "fatal"`).
fn check_schema(name: &str, schema: &Path, file: &Path) {
    let script = "import json,sys\nimport jsonschema\nschema=json.load(open(sys.argv[1],encoding='utf-8-sig'))\ndoc=json.load(open(sys.argv[2],encoding='utf-8'))\nerrs=list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))\nfor e in errs[:20]: print('/'.join(str(p) for p in e.absolute_path), e.message[:300])\nprint(len(errs), 'schema error(s)')\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(schema)
        .arg(file)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let stdout = String::from_utf8_lossy(&o.stdout);
            eprintln!("jsonschema {name}: {}", stdout.trim());
            assert!(
                stdout.trim_end().ends_with("\n0 schema error(s)") || stdout.trim() == "0 schema error(s)",
                "{stdout}"
            );
        }
        Ok(o) => eprintln!(
            "SKIPPED: the JSON-schema check of {name} (python3 with jsonschema): {}",
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or_default()
        ),
        Err(e) => eprintln!("SKIPPED: the JSON-schema check of {name}: python3: {e}"),
    }
}

/// Runs Microsoft's validator on `text` when it is installed (and the JSON
/// schema it ships); says so on stderr when it is not.
fn validate_with_multitool(name: &str, text: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join(format!("{name}.sarif"));
    std::fs::write(&file, text).expect("write sarif");
    let Some(tool) = multitool() else {
        eprintln!(
            "SKIPPED: Microsoft SARIF validator not installed (npm install --prefix target/sarif-multitool @microsoft/sarif-multitool, or set STRATA_SARIF_MULTITOOL); only the structural checks ran on {name}"
        );
        return;
    };
    let schema = sarif_schema(&tool);
    match &schema {
        Some(schema) => check_schema(name, schema, &file),
        None => eprintln!(
            "SKIPPED: no sarif-2.1.0.json beside {}; JSON-schema check not run",
            tool.display()
        ),
    }
    let mut cmd = Command::new(&tool);
    cmd.arg("validate");
    if let Some(schema) = &schema {
        cmd.arg("--json-schema").arg(schema);
    }
    // The validator exits 0 even when it reports errors: its output decides.
    let out = cmd
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("sarif-multitool validate {name}: {}\n{stdout}{stderr}", out.status);
    assert!(out.status.success(), "validator failed on {name}:\n{stdout}{stderr}");
    assert!(stdout.contains("Analysis completed successfully"), "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error ")).collect();
    assert!(errors.is_empty(), "validator errors on {name}:\n{}", errors.join("\n"));
}

/// Runs Python's `csv` module on `path`; the rows as JSON.
fn python_csv(path: &Path) -> Option<Vec<Vec<String>>> {
    let script = "import csv,sys,json\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n    json.dump(list(csv.reader(f)), sys.stdout)\n";
    let out = Command::new("python3").arg("-c").arg(script).arg(path).output().ok()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("python's rows"))
}

#[test]
fn csv_reads_back_in_python_with_every_field_intact_and_formulas_guarded() {
    let o = outcome();
    let mut report = (*o.report).clone();
    let hostile = "broke, \"quoted\" and\r\nsecond line";
    report.findings[0].message = hostile.into();
    report.findings[1].message = "=HYPERLINK(\"http://evil\",\"x\")".into();
    report.findings[2].message = "-2+3".into();
    report.findings[3].message = "@SUM(A1:A2)".into();
    let text = strata::report::csv::render(&report);
    assert!(text.ends_with("\r\n"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("f.csv");
    std::fs::write(&file, &text).expect("write");
    let Some(rows) = python_csv(&file) else {
        eprintln!("SKIPPED: python3 is not installed; the CSV was not read back by an independent parser");
        return;
    };
    assert_eq!(
        rows.len(),
        report.findings.len() + 1,
        "one row per finding plus the header"
    );
    assert_eq!(rows[0], strata::report::csv::HEADER);
    assert!(
        rows.iter().all(|r| r.len() == strata::report::csv::HEADER.len()),
        "{} fields in every row",
        strata::report::csv::HEADER.len()
    );
    for (row, f) in rows[1..].iter().zip(&report.findings) {
        assert_eq!(row[0], f.id);
        assert_eq!(row[5], f.status.name());
        assert_eq!(row[6], f.subject);
    }
    assert_eq!(rows[1][7], hostile, "comma, quotes and CRLF survive");
    assert_eq!(rows[2][7], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(rows[3][7], "'-2+3");
    assert_eq!(rows[4][7], "'@SUM(A1:A2)");
    assert!(
        rows.iter()
            .skip(1)
            .all(|r| !r.iter().any(|c| c.starts_with(['=', '+', '@'])))
    );
}

#[test]
fn markdown_keeps_hostile_server_text_out_of_the_markup() {
    let o = outcome();
    let mut report = (*o.report).clone();
    let i = report
        .findings
        .iter()
        .position(|f| f.status == Status::Fail)
        .expect("a failure");
    report.findings[i].message = "<img src=x onerror=alert(1)> | [click](javascript:alert(1))\n# not a heading".into();
    report.score.caps.push("cap with | pipe\nand <b>tags</b>".into());
    let md = strata::report::markdown::render(&report);
    assert!(!md.contains("<img") && !md.contains("<b>"), "no raw markup");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt; \\| \\[click\\](javascript:alert(1)) \\# not a heading"));
    assert!(!md.lines().any(|l| l.starts_with("# not")));
    // Structure: title, grade with caps and grade before caps, the layer
    // table with ten rows of seven cells, counts of what is not listed.
    assert!(md.starts_with("# Strata audit: Acme Pay\n"));
    let grade = format!(
        "**Grade {}** · score {}/100 · grade {} before caps",
        report.score.grade, report.score.overall, report.score.uncapped_grade
    );
    assert!(md.contains(&grade), "{grade}");
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(table.len(), 12, "header, separator and ten layers");
    for row in &table {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 8, "{row}");
    }
    let fails = report.findings.iter().filter(|f| f.status == Status::Fail).count();
    assert!(md.contains(&format!("## Failing findings ({fails})")));
    let passed = report.findings.iter().filter(|f| f.status == Status::Pass).count();
    assert!(md.contains(&format!("Not listed: {passed} passed")));
    assert!(md.contains("### Critical ("));
}
