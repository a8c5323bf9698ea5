//! The fact schema is not invented: every fact the real probes produce
//! against the in-process lab, for every bundled sample, conforms to it
//! (every key produced is in the schema with the right type, recursively,
//! and every key it says is always there is there), and nearly every key it
//! declares was actually seen.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use strata::audit::schema::{self, Shape};

const SAMPLES: &[&str] = &[
    "sample-projects/acme-pay/architecture.yaml",
    "sample-projects/gateway-lab/architecture.yaml",
    "sample-projects/identity-lab/architecture.yaml",
    "sample-projects/lab-tour/architecture.yaml",
];

/// Keys the schema declares that these runs cannot make appear, and why.
/// The test fails if one of them does appear, so the list stays true.
const NEVER_SEEN: &[(&str, &str)] = &[
    (
        "robot.with_finished[].answer",
        "a ROBOT round: no lab endpoint serves an RSA key with TLS_RSA_* suites (tests/tls_vulns.rs runs rounds against openssl and a synthetic oracle)",
    ),
    (
        "robot.with_finished[].variant",
        "a ROBOT round: no lab endpoint serves an RSA key with TLS_RSA_* suites (tests/tls_vulns.rs runs rounds against openssl and a synthetic oracle)",
    ),
    (
        "robot.without_finished[].answer",
        "a ROBOT round: no lab endpoint serves an RSA key with TLS_RSA_* suites (tests/tls_vulns.rs runs rounds against openssl and a synthetic oracle)",
    ),
    (
        "robot.without_finished[].variant",
        "a ROBOT round: no lab endpoint serves an RSA key with TLS_RSA_* suites (tests/tls_vulns.rs runs rounds against openssl and a synthetic oracle)",
    ),
    (
        "revocation.fetches[].url",
        "a CRL fetch: no lab certificate names a CRL (tests/transport_honesty.rs fetches them)",
    ),
    (
        "revocation.fetches[].outcome",
        "a CRL fetch: no lab certificate names a CRL (tests/transport_honesty.rs fetches them)",
    ),
    ("rate_limit.stop_detail", "a burst whose requests fail after the first"),
    (
        "rate_limit.token_withheld",
        "a declared token that cannot be sent (the lab's always can)",
    ),
    (
        "auth.routes[].cases.alg_none.error",
        "a route that stops answering mid-probe",
    ),
    (
        "auth.routes[].cases.anonymous.error",
        "a route that stops answering mid-probe",
    ),
    (
        "auth.routes[].cases.expired.error",
        "a route that stops answering mid-probe",
    ),
    (
        "auth.routes[].cases.malformed_bearer.error",
        "a route that stops answering mid-probe",
    ),
    (
        "auth.routes[].cases.query_token.error",
        "a route that stops answering mid-probe",
    ),
    (
        "auth.routes[].cases.wrong_key.error",
        "a route that stops answering mid-probe",
    ),
    ("auth.routes[].token.error", "a route that stops answering mid-probe"),
    (
        "surface.cors.simple.error",
        "the first request failing fails the whole probe",
    ),
    (
        "surface.cors.null_origin.error",
        "a server that stops answering mid-probe",
    ),
    (
        "surface.cleartext.port_80.status",
        "port 80 answering plain HTTP (needs root to bind)",
    ),
    (
        "surface.cleartext.port_80.location",
        "port 80 answering plain HTTP (needs root to bind)",
    ),
    (
        "surface.cleartext.port_80.body_bytes",
        "port 80 answering plain HTTP (needs root to bind)",
    ),
    (
        "legacy.transcript[].answer.detail",
        "a server answering a ClientHello with garbage or not in time",
    ),
];

/// A plain-HTTP API answering every request with 200 and a body (at most
/// 64 connections): the cleartext case of the `surface` probe.
async fn cleartext_api() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    tokio::spawn(async move {
        for _ in 0..64 {
            let Ok((mut s, _)) = l.accept().await else { return };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let read = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut buf)).await;
                if !matches!(read, Ok(Ok(n)) if n > 0) {
                    return;
                }
                let body = "{\"accounts\":[]}";
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(format!("{head}{body}").as_bytes()).await;
            });
        }
    });
    port
}

/// Every object key path of `shape` under `path` (`tls.chain[].days_left`).
fn declared(shape: &Shape, path: &str, out: &mut BTreeSet<String>) {
    match shape {
        Shape::Nullable(s) => declared(s, path, out),
        Shape::List(s) => declared(s, &format!("{path}[]"), out),
        Shape::Map(s) => declared(s, &format!("{path}{{}}"), out),
        Shape::Object(fields) => {
            for (k, f) in fields {
                let p = format!("{path}.{k}");
                out.insert(p.clone());
                declared(&f.shape, &p, out);
            }
        }
        _ => {}
    }
}

/// Every object key path present in `value`, read along `shape`.
fn seen(shape: &Shape, value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match (shape, value) {
        (Shape::Nullable(s), v) => seen(s, v, path, out),
        (Shape::List(s), Value::Array(items)) => {
            for i in items {
                seen(s, i, &format!("{path}[]"), out);
            }
        }
        (Shape::Map(s), Value::Object(entries)) => {
            for v in entries.values() {
                seen(s, v, &format!("{path}{{}}"), out);
            }
        }
        (Shape::Object(fields), Value::Object(entries)) => {
            for (k, v) in entries {
                let p = format!("{path}.{k}");
                out.insert(p.clone());
                if let Some(f) = fields.get(k.as_str()) {
                    seen(&f.shape, v, &p, out);
                }
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fact_of_every_sample_against_the_lab_conforms_to_the_schema() {
    let lab = common::lab().await;
    let mut problems = Vec::new();
    let mut all_declared = BTreeSet::new();
    let mut all_seen = BTreeSet::new();
    let mut observed_kinds = BTreeSet::new();
    let port = cleartext_api().await;
    let cleartext = format!(
        "strata: 1\nsystem: {{ name: clear }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - {{ id: plain, component: gw, url: \"http://127.0.0.1:{port}/v1/accounts\", auth: {{ expect: jwt }} }}\n"
    );
    let mut models: Vec<(String, strata::model::Model)> = SAMPLES
        .iter()
        .map(|s| (s.to_string(), common::sample(&lab, s)))
        .collect();
    models.push((
        "cleartext API".into(),
        strata::model::load_str(&cleartext, std::path::Path::new("clear.yaml")).expect("model"),
    ));
    for (sample, model) in &models {
        let outcome = common::audit(model).await;
        let graph = strata::graph::DefenseGraph::build(model);
        let subjects = strata::audit::facts::subjects(model, &graph, &outcome.evidence);
        assert!(subjects.len() > 1, "{sample}");
        for s in &subjects {
            let vars = schema::variables(s.kind);
            for (name, value) in &s.vars {
                let Some(var) = vars.iter().find(|v| v.name == name) else {
                    problems.push(format!("{sample} {}: `{name}` is not in the schema", s.id));
                    continue;
                };
                // Shapes are per variable (`component` is the same on an
                // endpoint and a component subject).
                let root = name.clone();
                for m in var.shape.mismatches(value, &root) {
                    problems.push(format!("{sample} {}: {m}", s.id));
                }
                seen(&var.shape, value, &root, &mut all_seen);
                if var.evidence.is_some() {
                    observed_kinds.insert(format!("{}:{name}", s.kind));
                }
            }
            // A variable that always exists is always there.
            for v in vars.iter().filter(|v| v.evidence.is_none()) {
                if !s.vars.contains_key(v.name) {
                    problems.push(format!("{sample} {}: `{}` is missing", s.id, v.name));
                }
            }
        }
    }
    lab.stop().await;
    assert!(
        problems.is_empty(),
        "{} departures:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // Every evidence variable was observed at least once, so each shape was
    // put to the test.
    for kind in strata::audit::facts::SUBJECT_KINDS {
        for v in schema::variables(kind) {
            declared(&v.shape, v.name, &mut all_declared);
            if v.evidence.is_some() {
                assert!(
                    observed_kinds.contains(&format!("{kind}:{}", v.name)),
                    "`{}` on a {kind} was never observed in the lab",
                    v.name
                );
            }
        }
    }
    // And the schema declares nothing the probes never produce.
    let exempt: BTreeSet<String> = NEVER_SEEN.iter().map(|(p, _)| p.to_string()).collect();
    let unseen: Vec<&String> = all_declared
        .iter()
        .filter(|p| !all_seen.contains(*p) && !exempt.contains(*p))
        .collect();
    assert!(unseen.is_empty(), "declared but never produced: {unseen:#?}");
    let stale: Vec<&String> = exempt.iter().filter(|p| all_seen.contains(*p)).collect();
    assert!(stale.is_empty(), "seen after all, drop from the exemptions: {stale:?}");
}
