//! The JSON report's shape, determinism (same inputs → same bytes, and a
//! replay of saved evidence reproduces the report), the HTML's
//! self-containment, and that no secret value reaches any output.

mod common;

use serde_json::Value;
use strata::audit::rules::Ruleset;
use strata::pipeline;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_report_shape_determinism_replay_and_no_secrets() {
    // The sample's API token, by reference to a file; its value must never
    // appear in any output.
    let secret = "eyJhbGciOiJFUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.c2ln";
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, secret).expect("write token");
    let lab = common::lab().await;
    let path = common::repo("sample-projects/acme-pay/architecture.yaml");
    let text = std::fs::read_to_string(&path).expect("sample").replace(
        "token: { file: secrets/gateway-token.jwt }",
        &format!("token: {{ file: {:?} }}", token_file.display().to_string()),
    );
    assert!(text.contains(&token_file.display().to_string()));
    let model = strata::model::load_str(&lab.manifest.rebase(&text), &path).expect("model");
    let outcome = common::audit(&model).await;
    lab.stop().await;

    let json = strata::report::json::render(&outcome.report).expect("json");
    let v: Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["schema"], "strata.report/2");
    assert_eq!(v["tool"]["name"], "strata");
    assert!(v["observed_at"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert_eq!(v["system"]["name"], "Acme Pay");
    assert!(matches!(
        v["score"]["grade"].as_str(),
        Some("A" | "B" | "C" | "D" | "E" | "F")
    ));
    assert_eq!(v["score"]["layers"].as_array().map(Vec::len), Some(10));
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.len() > 50);
    for f in findings {
        let id = f["id"].as_str().expect("id");
        assert_eq!(
            id,
            format!(
                "{}@{}",
                f["rule"].as_str().unwrap_or(""),
                f["subject"].as_str().unwrap_or("")
            )
        );
        assert!(matches!(
            f["status"].as_str(),
            Some("pass" | "fail" | "unverified" | "not-applicable" | "error")
        ));
        assert!(matches!(
            f["severity"].as_str(),
            Some("info" | "low" | "medium" | "high" | "critical")
        ));
        assert!(
            f["message"].as_str().is_some_and(|m| !m.contains("explain failed")),
            "{f}"
        );
    }
    let ids: std::collections::BTreeSet<_> = findings.iter().map(|f| f["id"].as_str()).collect();
    assert_eq!(ids.len(), findings.len(), "finding ids are unique");
    assert!(
        v["graph"]["nodes"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["id"] == "internet"))
    );
    assert!(
        v["graph"]["attack_paths"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["authenticated"] == false))
    );
    assert!(v["evidence"]["endpoints"]["api"]["tls"]["status"] == "observed");

    // Same model + evidence → same bytes; evidence round-trips through JSON.
    let rules = Ruleset::builtin().expect("rules");
    let saved = serde_json::to_string(&outcome.evidence).expect("evidence");
    let replayed = pipeline::audit_with(&model, &rules, serde_json::from_str(&saved).expect("evidence parses"));
    assert_eq!(strata::report::json::render(&replayed.report).expect("json"), json);
    let html = strata::report::html::render(&outcome.report);
    assert_eq!(strata::report::html::render(&replayed.report), html);

    // Self-contained HTML: no scripts, no external resources.
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("<style>"));
    assert!(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"));

    for text in [&json, &html, &saved] {
        assert!(!text.contains(secret), "secret leaked");
        assert!(!text.contains("c2VjcmV0LXRva2VuLXZhbHVl"), "secret part leaked");
    }
}
