//! The gateway probes (`auth`, `rate_limit`, `surface`) and their rules,
//! against the lab's `gateway-good` and `gateway-broken` through the
//! bundled `gateway-lab` sample, plus OpenAPI import, secrecy of the
//! supplied token, cleartext service and bounded behaviour against hostile
//! servers.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use strata::audit::Status;
use strata::audit::rules::Ruleset;
use strata::evidence::Observation;
use strata::lab::gateway;
use strata::pipeline::Outcome;
use strata::probe::runner::RunnerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const SAMPLE: &str = "sample-projects/gateway-lab/architecture.yaml";
const SAMPLE_TOKEN: &str = "sample-projects/gateway-lab/secrets/gateway-token.jwt";
const TOKEN_REF: &str = "file: secrets/gateway-token.jwt";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The ids of the rules in `rulesets/gateway.yaml`.
fn gateway_rules() -> Vec<String> {
    let path = common::repo("rulesets/gateway.yaml");
    let text = std::fs::read_to_string(&path).expect("gateway rules");
    let rules = Ruleset::from_sources([(path, text)]).expect("gateway rules load");
    rules.rules.iter().map(|r| r.id.clone()).collect()
}

/// The sample, on the lab's ports, with its token reference pointing at
/// `token` (an absolute path) when given.
fn sample(lab: &strata::lab::Lab, token: Option<&Path>) -> strata::model::Model {
    let path = common::repo(SAMPLE);
    let mut text = lab.manifest.rebase(&std::fs::read_to_string(&path).expect("sample"));
    if let Some(t) = token {
        assert!(text.contains(TOKEN_REF));
        text = text.replace(TOKEN_REF, &format!("file: {:?}", t.display().to_string()));
    }
    strata::model::load_str(&text, &path).unwrap_or_else(|e| panic!("{e}"))
}

fn finding<'a>(o: &'a Outcome, rule: &str, subject: &str) -> &'a strata::audit::Finding {
    let id = format!("{rule}@{subject}");
    o.audit
        .findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

fn layer<'a>(o: &'a Outcome, endpoint: &str, name: &str) -> &'a serde_json::Value {
    match o.evidence.endpoints.get(endpoint).and_then(|e| e.layers.get(name)) {
        Some(Observation::Observed(v)) => v,
        other => panic!("{name}@{endpoint}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_gateway_passes_and_broken_gateway_fails_each_expected_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("fresh.jwt");
    // A realistic token: 10 minutes, within the auth server's 15.
    std::fs::write(&token_file, gateway::mint_token(now() - 5, 600).expect("mint")).expect("write");
    let lab = common::lab().await;
    let model = sample(&lab, Some(&token_file));
    let o = common::audit(&model).await;
    let rules = gateway_rules();
    assert!(rules.len() >= 10, "{rules:?}");

    // Good: every gateway rule passes or does not apply.
    for subject in ["endpoint:api-good", "endpoint:ledger-good"] {
        for rule in &rules {
            let f = finding(&o, rule, subject);
            assert!(
                matches!(f.status, Status::Pass | Status::NotApplicable),
                "{}: {:?} {}",
                f.id,
                f.status,
                f.message
            );
        }
    }
    // ... and the ones that matter are real passes, not "does not apply".
    for rule in &rules {
        if rule == "auth-internal-not-exposed" {
            continue;
        }
        let f = finding(&o, rule, "endpoint:api-good");
        assert_eq!(f.status, Status::Pass, "{}: {}", f.id, f.message);
    }
    assert_eq!(
        finding(&o, "auth-internal-not-exposed", "endpoint:ledger-good").status,
        Status::Pass
    );
    let auth = layer(&o, "api-good", "auth");
    assert_eq!(auth["tls_verified"], true);
    assert_eq!(auth["routes_probed"], 4, "{auth}");
    assert_eq!(auth["token"]["accepted"], true, "{auth}");
    assert_eq!(auth["token"]["jwt"]["lifetime_s"], 600);
    let rl = layer(&o, "api-good", "rate_limit");
    assert_eq!(rl["with_token"], true, "{rl}");
    assert!(rl["first_limited"]["request"].as_u64().is_some_and(|n| n <= 11), "{rl}");
    assert!(rl["first_limited"]["headers"]["ratelimit-policy"].is_string(), "{rl}");
    let surface = layer(&o, "api-good", "surface");
    assert_eq!(surface["cleartext"]["same_port"]["outcome"], "not-http", "{surface}");

    // Broken: each expected rule fails, with the manifest as the list.
    let server = lab
        .manifest
        .servers
        .iter()
        .find(|s| s.name == gateway::BROKEN.0)
        .expect("broken gateway in the manifest");
    let expected: BTreeSet<&str> = server.expected_failures.iter().map(String::as_str).collect();
    assert!(expected.len() >= 10);
    let failed: BTreeSet<&str> = o
        .audit
        .findings
        .iter()
        .filter(|f| f.subject == "endpoint:api-broken" && f.status == Status::Fail)
        .map(|f| f.rule.as_str())
        .collect();
    let missing: Vec<_> = expected.difference(&failed).collect();
    assert!(missing.is_empty(), "expected failures that did not fail: {missing:?}");
    assert!(
        finding(&o, "auth-refuses-alg-none", "endpoint:api-broken")
            .message
            .contains("alg none")
    );
    assert!(
        finding(&o, "surface-no-version-banners", "endpoint:api-broken")
            .message
            .contains("legacy-gw/2.4.1")
    );
    // The real token works on the broken gateway too: that is not its problem.
    assert_eq!(
        finding(&o, "auth-real-token-accepted", "endpoint:api-broken").status,
        Status::Pass
    );
    // The internal ledger behind the broken gateway is a bypass.
    let bypass = finding(&o, "auth-internal-not-exposed", "endpoint:ledger-broken");
    assert_eq!(bypass.status, Status::Fail, "{}", bypass.message);
    assert!(
        bypass.message.contains("/internal/ledger/balances"),
        "{}",
        bypass.message
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supplied_token_never_reaches_any_output() {
    let token = std::fs::read_to_string(common::repo(SAMPLE_TOKEN)).expect("sample token");
    let token = token.trim();
    let lab = common::lab().await;
    let model = sample(&lab, None);
    let o = common::audit(&model).await;
    lab.stop().await;
    // It was used: accepted on both gateways, so it was really sent.
    assert_eq!(layer(&o, "api-good", "auth")["token"]["accepted"], true);
    // The sample's token is long-lived on purpose: the lifetime rule says so.
    let f = finding(&o, "auth-token-lifetime", "endpoint:api-good");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(f.message.contains("declares at most 900 s"), "{}", f.message);

    let json = strata::report::json::render(&o.report).expect("json");
    let html = strata::report::html::render(&o.report);
    let evidence = serde_json::to_string(&o.evidence).expect("evidence");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    for (what, text) in [("json", &json), ("html", &html), ("evidence", &evidence)] {
        assert!(!text.contains(token), "the token is in the {what} output");
        for p in &parts {
            assert!(!text.contains(p), "a part of the token is in the {what} output");
        }
        assert!(!text.contains("lab-user-1"), "a claim value is in the {what} output");
    }
    // Names and lifetimes are kept.
    assert!(evidence.contains("\"claim_names\""));
}

#[test]
fn the_sample_token_is_a_valid_lab_token() {
    let token = std::fs::read_to_string(common::repo(SAMPLE_TOKEN)).expect("sample token");
    let key = strata::probe::jwt::Es256Key::from_pkcs8_pem(gateway::JWT_KEY_PEM).expect("lab key");
    let claims = strata::probe::jwt::verify_es256(
        token.trim(),
        &key.public_key(),
        now(),
        Some(gateway::ISSUER),
        Some(gateway::AUDIENCE),
    )
    .expect("the sample token verifies with the lab key");
    assert!(claims["exp"].as_i64().is_some_and(|e| e > now() + 10 * 365 * 86_400));
}

/// Rewrites the sample's long-lived test token (run by hand, never in CI).
#[test]
#[ignore = "writes sample-projects/gateway-lab/secrets/gateway-token.jwt"]
fn regenerate_sample_token() {
    // 2026-01-01T00:00:00Z to 2100-01-01T00:00:00Z.
    let token = gateway::mint_token(1_767_225_600, 4_102_444_800 - 1_767_225_600).expect("mint");
    std::fs::write(common::repo(SAMPLE_TOKEN), format!("{token}\n")).expect("write");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn openapi_routes_merge_with_declared_ones_and_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "api.json",
        r#"{"openapi":"3.0.1","security":[{"b":[]}],"paths":{"/a/{id}":{"get":{},"post":{"security":[]}},"/b":{"get":{}}}}"#,
    );
    write(dir.path(), "swagger.yaml", "swagger: '2.0'\npaths: {}\n");
    let yaml = |openapi: &str| {
        format!(
            "strata: 1\nsystem: {{ name: t }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://127.0.0.1:1/\n    auth: {{ expect: jwt, protected_routes: [/b, \"delete /c/{{x}}\"] }}\n    openapi: {openapi}\n"
        )
    };
    let arch = dir.path().join("arch.yaml");
    let model = strata::model::load_str(&yaml("api.json"), &arch).expect("model");
    let routes: Vec<String> = model.endpoints[0].protected_routes.iter().map(|r| r.label()).collect();
    assert_eq!(routes, ["GET /b", "DELETE /c/1", "GET /a/1"]);
    assert_eq!(model.endpoints[0].protected_routes[2].source, "openapi");

    let e = strata::model::load_str(&yaml("nope.yaml"), &arch).expect_err("missing file");
    let text = e.to_string();
    assert!(text.contains("endpoints[0].openapi: cannot import OpenAPI"), "{text}");
    assert!(text.contains("nope.yaml"), "{text}");
    let e = strata::model::load_str(&yaml("swagger.yaml"), &arch).expect_err("swagger");
    assert!(e.to_string().contains("swagger.yaml: a Swagger 2.0 document"), "{e}");
    let bad = yaml("api.json").replace("/b, ", "FETCH /b, ");
    let e = strata::model::load_str(&bad, &arch).expect_err("bad route");
    assert!(
        e.to_string()
            .contains("endpoints[0].auth.protected_routes[0]: `FETCH /b`: unknown method"),
        "{e}"
    );
}

/// A plain-HTTP API that answers everything with 200, and remembers every
/// Authorization header it was sent. Serves at most 64 connections.
async fn cleartext_api() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for _ in 0..64 {
            let Ok((mut s, _)) = l.accept().await else { return };
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await else {
                    return;
                };
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                for line in head.lines() {
                    if line.to_ascii_lowercase().starts_with("authorization:")
                        && let Ok(mut l) = log.lock()
                    {
                        l.push(line.to_string());
                    }
                }
                let body = "{\"accounts\":[]}";
                let _ = s
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    (port, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleartext_api_is_caught_and_gets_no_token() {
    strata::probe::install_crypto_provider();
    let (port, seen) = cleartext_api().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = "cleartext-test-secret-value";
    write(dir.path(), "token", secret);
    let yaml = format!(
        "strata: 1\nsystem: {{ name: clear }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: plain\n    component: gw\n    url: http://127.0.0.1:{port}/v1/accounts\n    auth: {{ expect: jwt, token: {{ file: token }} }}\n"
    );
    let model = strata::model::load_str(&yaml, &dir.path().join("a.yaml")).expect("model");
    let o = common::audit(&model).await;
    let f = finding(&o, "surface-no-cleartext", "endpoint:plain");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(
        f.message.contains(&format!("http://127.0.0.1:{port}/v1/accounts")),
        "{}",
        f.message
    );
    let auth = layer(&o, "plain", "auth");
    assert_eq!(auth["token"]["sent"], false);
    assert!(
        auth["token"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("cleartext")),
        "{auth}"
    );
    // The anonymous request was answered: the probe saw the API.
    assert_eq!(
        finding(&o, "auth-refuses-anonymous", "endpoint:plain").status,
        Status::Fail
    );
    // The supplied token never went on the wire; forged ones did.
    let seen = seen.lock().expect("log").clone();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|h| !h.contains(secret)), "{seen:?}");
    // The token-dependent rule cannot be judged: unverified, with the reason.
    let f = finding(&o, "auth-real-token-accepted", "endpoint:plain");
    assert_eq!(f.status, Status::Unverified, "{}", f.message);
    assert!(
        f.message.contains("not decided: the token was not sent"),
        "{}",
        f.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_chain_is_probed_without_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "token", &gateway::mint_token(now(), 600).expect("mint"));
    let lab = common::lab().await;
    let port = lab.manifest.port(gateway::GOOD.0).expect("good gateway port");
    // No `trust`: the system store, which does not know the lab's root.
    let yaml = format!(
        "strata: 1\nsystem: {{ name: u }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://127.0.0.1:{port}/v1/health\n    server_name: gateway-good.lab.strata.test\n    auth: {{ expect: jwt, protected_routes: [/v1/accounts], token: {{ file: token }} }}\n"
    );
    let model = strata::model::load_str(&yaml, &dir.path().join("a.yaml")).expect("model");
    let o = common::audit(&model).await;
    lab.stop().await;
    let auth = layer(&o, "api", "auth");
    assert_eq!(auth["tls_verified"], false, "{auth}");
    assert_eq!(auth["tls_error"], "unknown-issuer", "{auth}");
    assert_eq!(auth["token"]["sent"], false, "{auth}");
    assert!(
        auth["token"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("not trusted")),
        "{auth}"
    );
    let f = finding(&o, "auth-real-token-accepted", "endpoint:api");
    assert_eq!(f.status, Status::Unverified, "{}", f.message);
    assert!(
        f.message.contains("chain is not trusted (unknown-issuer)"),
        "{}",
        f.message
    );
    // The secret-free cases were still observed, over the observe-only verifier.
    assert_eq!(
        finding(&o, "auth-refuses-alg-none", "endpoint:api").status,
        Status::Pass
    );
    assert_eq!(layer(&o, "api", "surface")["tls_verified"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalling_and_garbage_servers_give_errors_within_the_limits() {
    strata::probe::install_crypto_provider();
    let mut ports = Vec::new();
    for kind in ["stall", "garbage"] {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        ports.push((kind, l.local_addr().expect("addr").port()));
        tokio::spawn(async move {
            // Bounded: at most 32 connections, each held at most 20 s.
            for _ in 0..32 {
                let Ok((mut s, _)) = l.accept().await else { return };
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    if kind == "stall" {
                        tokio::time::sleep(Duration::from_secs(20)).await;
                    } else {
                        let _ = s.read(&mut buf).await;
                        let _ = s.write_all(b"\x15\x03\x03\x00\x02\x02\x28garbage").await;
                    }
                });
            }
        });
    }
    let mut yaml = String::from(
        "strata: 1\nsystem: { name: h }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\nendpoints:\n",
    );
    for (kind, port) in &ports {
        yaml.push_str(&format!(
            "  - {{ id: {kind}, component: gw, url: \"https://127.0.0.1:{port}/\", server_name: {kind}.test, auth: {{ expect: jwt }}, rate_limit: {{ limit: 5, window: 1s }} }}\n"
        ));
    }
    let model = strata::model::load_str(&yaml, Path::new("h.yaml")).expect("model");
    let config = RunnerConfig {
        connect_timeout: Duration::from_secs(1),
        io_timeout: Duration::from_secs(1),
        probe_timeout: Duration::from_secs(6),
        ..RunnerConfig::default()
    };
    let rules = Ruleset::builtin().expect("rules");
    let started = Instant::now();
    let o = strata::pipeline::probe_and_audit(&model, &rules, &config, CancellationToken::new(), None).await;
    let took = started.elapsed();
    for (kind, _) in &ports {
        for probe in ["auth", "rate_limit", "surface"] {
            let obs = o.evidence.endpoints[*kind].layers.get(probe);
            let Some(Observation::Error(f)) = obs else {
                panic!("{probe}@{kind}: expected an error, got {obs:?}")
            };
            assert!(!f.reason.is_empty());
        }
        for rule in ["auth-refuses-anonymous", "rate-limit-enforced", "surface-no-cleartext"] {
            assert_eq!(finding(&o, rule, &format!("endpoint:{kind}")).status, Status::Error);
        }
    }
    assert!(took < Duration::from_secs(15), "took {took:?}");
}
