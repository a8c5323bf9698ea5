//! Every lab misconfiguration trips exactly its expected transport rules,
//! observed through real handshakes with the in-process lab.

mod common;

use std::collections::BTreeSet;
use strata::audit::Status;
use strata::audit::rules::Layer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scenario_fails_exactly_its_expected_transport_rules() {
    let lab = common::lab().await;
    let model = common::sample(&lab, "sample-projects/lab-tour/architecture.yaml");
    let outcome = common::audit(&model).await;
    // Every in-process scenario, plus the real OpenSSL one (CI installs
    // openssl), plus the application scenarios (their own tests check them).
    let apps: Vec<&str> = strata::lab::app_scenarios().iter().map(|a| a.name).collect();
    assert_eq!(
        lab.manifest.servers.len(),
        strata::lab::SCENARIOS.len() + strata::lab::openssl::SCENARIOS.len() + apps.len(),
        "{:?}",
        lab.manifest.notes
    );
    let mut differences = Vec::new();
    for server in lab.manifest.servers.iter().filter(|s| !apps.contains(&s.name.as_str())) {
        let subject = format!("endpoint:{}", server.name);
        let mine: Vec<_> = outcome.audit.findings.iter().filter(|f| f.subject == subject).collect();
        assert!(!mine.is_empty(), "no findings for {subject}");
        let errors: Vec<_> = mine
            .iter()
            .filter(|f| f.status == Status::Error)
            .map(|f| (&f.id, &f.message))
            .collect();
        assert!(errors.is_empty(), "{subject}: probe errors {errors:?}");
        let failed: BTreeSet<&str> = mine
            .iter()
            .filter(|f| f.status == Status::Fail && f.layer == Layer::Transport)
            .map(|f| f.rule.as_str())
            .collect();
        let expected: BTreeSet<&str> = server.expected_failures.iter().map(String::as_str).collect();
        if failed != expected {
            let messages: Vec<String> = mine
                .iter()
                .filter(|f| {
                    f.status == Status::Fail && f.layer == Layer::Transport && !expected.contains(f.rule.as_str())
                })
                .map(|f| format!("{}: {}", f.rule, f.message))
                .collect();
            differences.push(format!(
                "{subject}: failed {failed:?}, the manifest says {expected:?}; unexpected: {messages:?}"
            ));
        }
        // Nothing live is left unverified when the probe ran.
        let unverified_live: Vec<_> = mine
            .iter()
            .filter(|f| f.status == Status::Unverified && f.proof == strata::audit::rules::Proof::Live)
            .map(|f| &f.id)
            .collect();
        assert!(unverified_live.is_empty(), "{subject}: {unverified_live:?}");
    }
    assert!(
        differences.is_empty(),
        "transport failures differ from the manifest:\n{}",
        differences.join("\n")
    );
    let good = outcome
        .evidence
        .endpoints
        .get("good")
        .and_then(|e| e.tls.observed())
        .expect("good observed");
    assert!(good.verification.trusted, "{:?}", good.verification);
    assert_eq!(good.chain.len(), 2);
    assert_eq!(good.version, "TLSv1_3");
    assert_eq!(
        format!("sha256/{}", good.chain[0].spki_sha256),
        lab.manifest.service_pin
    );
    let hsts = outcome
        .evidence
        .endpoints
        .get("good")
        .and_then(|e| e.http.observed())
        .and_then(|h| h.hsts.clone());
    assert_eq!(
        hsts.map(|h| (h.max_age, h.include_subdomains)),
        Some((31_536_000, true))
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_reasons_are_reported_not_just_failed() {
    let lab = common::lab().await;
    let model = common::sample(&lab, "sample-projects/lab-tour/architecture.yaml");
    let outcome = common::audit(&model).await;
    let code = |id: &str| {
        outcome
            .evidence
            .endpoints
            .get(id)
            .and_then(|e| e.tls.observed())
            .and_then(|t| t.verification.code.clone())
            .unwrap_or_default()
    };
    assert_eq!(code("expired"), "expired");
    assert_eq!(code("not-yet-valid"), "not-yet-valid");
    assert_eq!(code("wrong-host"), "not-valid-for-name");
    assert_eq!(code("incomplete-chain"), "unknown-issuer");
    assert_eq!(code("self-signed"), "unknown-issuer");
    assert_eq!(code("sha1-signature"), "unsupported-signature-algorithm");
    let expired = outcome
        .evidence
        .endpoints
        .get("expired")
        .and_then(|e| e.tls.observed())
        .expect("expired observed");
    assert!(
        expired.chain[0].not_after < outcome.evidence.observed_at,
        "the expired chain is kept and reported"
    );
    let weak = outcome
        .evidence
        .endpoints
        .get("weak-key")
        .and_then(|e| e.tls.observed())
        .expect("weak observed");
    assert!(weak.chain.iter().any(|c| c.key_type == "RSA" && c.key_bits == 1024));
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_hellos_find_what_openssl_accepts_and_rustls_refuses() {
    let lab = common::lab().await;
    let model = common::sample(&lab, "sample-projects/lab-tour/architecture.yaml");
    let outcome = common::audit(&model).await;
    let legacy = |id: &str| {
        outcome
            .evidence
            .endpoints
            .get(id)
            .and_then(|e| e.layers.get("legacy"))
            .and_then(|o| o.observed())
            .cloned()
    };
    // The real OpenSSL scenario: TLS 1.0 and 1.1 and weak suites accepted.
    let old = legacy(strata::lab::OPENSSL_SCENARIO).expect("legacy evidence for the openssl scenario");
    assert_eq!(
        old["accepted_versions"],
        serde_json::json!(["TLS 1.0", "TLS 1.1", "TLS 1.2"]),
        "{old}"
    );
    let classes = old["weak_classes"].as_array().map(Vec::len).unwrap_or(0);
    assert!(classes >= 2, "{old}");
    assert_eq!(old["secure_renegotiation"], true);
    // The rustls scenarios: TLS 1.2 only below 1.3, nothing weak.
    let good = legacy("good").expect("legacy evidence for good");
    assert_eq!(good["accepted_versions"], serde_json::json!(["TLS 1.2"]));
    assert_eq!(good["weak_suites"], serde_json::json!([]));
    assert!(outcome.evidence.probes_run.iter().any(|p| p == "legacy@good"));
    lab.stop().await;
}
