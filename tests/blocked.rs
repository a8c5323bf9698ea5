//! One finding per root cause: a probe that could not run on an endpoint is
//! reported once, with the rules it blocked, instead of one `error` row per
//! rule (issue 9). The audit is of a healthy lab endpoint next to a closed
//! loopback port and a loopback server that answers in plain HTTP; every
//! reason is in plain words, and the same evidence gives the same bytes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use strata::audit::Status;
use strata::audit::rules::Ruleset;
use strata::evidence::Observation;

/// Library wording that must not reach a plain message.
const LIBRARY_WORDS: &[&str] = &[
    "InvalidContentType",
    "BadSignature",
    "UnknownIssuer",
    "NotValidYet",
    "Expired",
    "UnixTime",
    "os error",
];

/// A loopback port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A loopback server that answers every connection with plain HTTP (no
/// TLS), for at most `max` connections.
async fn plaintext_server(max: usize) -> (u16, tokio::task::JoinHandle<()>) {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let task = tokio::spawn(async move {
        for _ in 0..max {
            let Ok((mut s, _)) = l.accept().await else { return };
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
            let _ = s.shutdown().await;
        }
    });
    (port, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_one_blocked_group_per_failed_probe() {
    let lab = common::lab().await;
    let good = lab.manifest.port("good").expect("good scenario");
    let dead = closed_port();
    let (plain, server) = plaintext_server(256).await;
    let ca = common::repo("assets/lab/root-ca.pem");
    let text = format!(
        "strata: 1\nsystem: {{ name: blocked }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: live\n    component: gw\n    url: \"https://127.0.0.1:{good}/\"\n    server_name: good.lab.strata.test\n    trust: {{ ca_file: {ca:?} }}\n  - id: dead\n    component: gw\n    url: \"https://127.0.0.1:{dead}/\"\n    server_name: good.lab.strata.test\n    trust: {{ ca_file: {ca:?} }}\n  - id: plain\n    component: gw\n    url: \"https://127.0.0.1:{plain}/\"\n    server_name: good.lab.strata.test\n    trust: {{ ca_file: {ca:?} }}\n"
    );
    let model = strata::model::load_str(&text, &common::repo("tests/blocked.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let o = common::audit(&model).await;
    lab.stop().await;
    server.abort();
    let r = &o.report;

    // The oracle, from the evidence alone: the probes that failed on `dead`.
    let ev = o.evidence.endpoints.get("dead").expect("dead evidence");
    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    if let Observation::Error(f) = &ev.tls {
        failed.insert("tls".into(), f.reason.clone());
    }
    if let Observation::Error(f) = &ev.http {
        failed.insert("http".into(), f.reason.clone());
    }
    for (k, v) in &ev.layers {
        if let Observation::Error(f) = v {
            failed.insert(k.clone(), f.reason.clone());
        }
    }
    assert!(
        failed.contains_key("tls"),
        "the closed port fails the TLS probe: {failed:?}"
    );
    let live = o.evidence.endpoints.get("live").expect("live evidence");
    assert!(live.tls.observed().is_some(), "the lab endpoint was reached");

    // The rules each failed probe blocks, from the rule files: rules on
    // endpoints whose first failed need is that probe, among those that
    // gave an error on `dead`.
    let rules = Ruleset::builtin().expect("rules");
    let errored: BTreeSet<&str> = o
        .audit
        .findings
        .iter()
        .filter(|f| f.subject == "endpoint:dead" && f.status == Status::Error)
        .map(|f| f.rule.as_str())
        .collect();
    assert!(errored.len() > 1, "several rules could not run: {errored:?}");
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rule in rules.rules.iter().filter(|r| errored.contains(r.id.as_str())) {
        let first_failed = rule.needs.iter().find(|n| failed.contains_key(n.as_str()));
        let probe = first_failed.unwrap_or_else(|| panic!("{} errored with no failed need", rule.id));
        expected.entry(probe.clone()).or_default().insert(rule.id.clone());
    }

    let dead_groups: Vec<_> = r.blocked.iter().filter(|b| b.endpoint == "dead").collect();
    assert!(r.blocked.iter().all(|b| b.endpoint != "live"), "{:?}", r.blocked);
    // The server that does not speak TLS: its failures in plain words too.
    let plain_groups: Vec<_> = r.blocked.iter().filter(|b| b.endpoint == "plain").collect();
    assert!(!plain_groups.is_empty(), "the plaintext server fails the TLS probe");
    for b in &plain_groups {
        for w in LIBRARY_WORDS {
            assert!(!b.reason.contains(w), "{w} in {b:?}");
        }
    }
    let got: BTreeMap<String, BTreeSet<String>> = dead_groups
        .iter()
        .map(|b| (b.probe.clone(), b.rules.iter().cloned().collect()))
        .collect();
    assert_eq!(
        got, expected,
        "exactly one group per failed probe, listing the rules it blocks"
    );
    assert_eq!(dead_groups.len(), expected.len(), "no probe twice");
    for b in &dead_groups {
        assert_eq!(b.stage, "connect", "{b:?}");
        assert!(b.reason.contains("connection refused"), "{b:?}");
        for w in LIBRARY_WORDS {
            assert!(!b.reason.contains(w), "{w} in {b:?}");
        }
        // The raw text is kept: in the group's detail and in the evidence.
        let raw = &failed[&b.probe];
        assert!(
            b.detail.as_deref() == Some(raw.as_str()) || b.reason == *raw,
            "{b:?} vs {raw}"
        );
    }
    for f in o
        .audit
        .findings
        .iter()
        .filter(|f| f.subject == "endpoint:dead" && f.status == Status::Error)
    {
        for w in LIBRARY_WORDS {
            assert!(!f.message.contains(w), "{w} in {}", f.message);
        }
    }

    // HTML and Markdown: the group once, no per-rule error rows for `dead`.
    let error_ids: Vec<&str> = o
        .audit
        .findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        error_ids.len(),
        r.blocked.iter().map(|b| b.findings.len()).sum::<usize>()
    );
    let html = strata::report::html::render(r);
    assert!(html.contains("Probes that could not run"), "no blocked section");
    let md = strata::report::markdown::render(r);
    assert!(md.contains("## Probes that could not run"));
    let csv = strata::report::csv::render(r);
    for id in &error_ids {
        assert!(!html.contains(id), "a per-rule error row {id} in the HTML");
        assert!(!md.contains(id), "a per-rule error row {id} in the Markdown");
        assert!(!csv.contains(id), "a per-rule error row {id} in the CSV");
    }
    // SARIF: one notification per group, no result for the dead endpoint.
    let sarif: serde_json::Value =
        serde_json::from_str(&strata::report::sarif::render(r).expect("sarif")).expect("json");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert!(results.iter().all(|x| x["properties"]["status"] != "error"));
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notes");
    let blocked_notes = notes.iter().filter(|n| n["properties"]["endpoint"] == "dead").count();
    assert_eq!(blocked_notes, expected.len());
    // CSV: one row per group, none per blocked rule.
    assert_eq!(csv.matches("blocked:").count(), r.blocked.len());
    // JSON keeps every per-rule finding, and the groups.
    let json: serde_json::Value = serde_json::from_str(&strata::report::json::render(r).expect("json")).expect("json");
    assert_eq!(json["schema"], "strata.report/2");
    let json_errors = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["subject"] == "endpoint:dead" && f["status"] == "error")
        .count();
    assert_eq!(json_errors, errored.len());
    assert_eq!(json["blocked"].as_array().map(Vec::len), Some(r.blocked.len()));

    // The same model and evidence give the same bytes, in every format.
    let again = strata::pipeline::audit_with(&model, &rules, o.evidence.clone());
    for e in strata::report::exporters::exporters() {
        assert_eq!(
            e.render(r).expect("render"),
            e.render(&again.report).expect("render"),
            "{}",
            e.name()
        );
    }
}
