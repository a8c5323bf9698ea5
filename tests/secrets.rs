//! No secret an audit handles reaches any of its outputs, even when the
//! servers echo every credential back (`strata::lab::echo`): an opaque
//! OAuth token, a JWT, an attestation token (which the echoing CA writes
//! into the subject of the certificate it issues), a request-signing key and
//! an mTLS client key (its certificate is public and may be shown). The
//! outputs searched are everything
//! `strata audit` writes: stdout, stderr, the report in every format (HTML,
//! JSON, SARIF, Markdown, CSV), its name marker and the
//! saved evidence. Neither a secret nor any 12-character piece of it, nor
//! of its base64 form, may appear.
//!
//! The test cannot pass vacuously: the echo servers count the credentials
//! they reflected and the certificates they issued with the token inside,
//! and the evidence must show the redaction marker where the echoes were.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use strata::lab::echo::{self, EchoLab};

/// Every 12-byte piece of `secret` (the whole of it when shorter).
fn pieces(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    if b.len() <= 12 {
        return vec![secret.to_string()];
    }
    b.windows(12).map(|w| String::from_utf8_lossy(w).into_owned()).collect()
}

/// The forms of a secret that must not appear: the value, and the base64
/// of it and of its bearer header.
fn forms(secret: &str) -> Vec<String> {
    vec![
        secret.to_string(),
        STANDARD.encode(secret),
        STANDARD.encode(format!("Bearer {secret}")),
    ]
}

/// The base64 lines of a PEM file (its armour is public text).
fn pem_lines(pem: &str) -> Vec<String> {
    let body: Vec<&str> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
        .collect();
    let mut out: Vec<String> = body.iter().map(|l| l.trim().to_string()).collect();
    out.push(body.concat());
    out
}

/// A random-looking token of `n` base64url characters (different per run).
fn token(n: usize) -> String {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(7);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = seed as u64 ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            alphabet[(x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 58) as usize] as char
        })
        .collect()
}

fn model(dir: &Path, lab: &EchoLab) -> std::path::PathBuf {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/lab/root-ca.pem");
    let ids = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-projects/identity-lab/secrets");
    let (g, e) = (lab.gateway_port, lab.enroll_port);
    let (gn, en) = (echo::GATEWAY_NAME, echo::ENROLL_NAME);
    let text = format!(
        r#"strata: 1
system: {{ name: echo }}
clients:
  - id: app
    platform: android
    calls: [opaque, jwt, enroll, signing, mtls]
components:
  - {{ id: gw, kind: api-gateway, exposure: public }}
  - {{ id: ca, kind: service, exposure: public }}
endpoints:
  - id: opaque
    component: gw
    url: https://127.0.0.1:{g}/v1/health
    server_name: {gn}
    trust: {{ ca_file: {root} }}
    auth: {{ expect: oauth, token: {{ file: opaque.txt }} }}
    rate_limit: {{ limit: 3, window: 1s, route: /limited }}
  - id: jwt
    component: gw
    url: https://127.0.0.1:{g}/v1/accounts
    server_name: {gn}
    trust: {{ ca_file: {root} }}
    auth: {{ expect: jwt, token: {{ file: token.jwt }} }}
    rate_limit: {{ limit: 3, window: 1s, route: /limited }}
  - id: enroll
    component: ca
    url: https://127.0.0.1:{e}/
    server_name: {en}
    trust: {{ ca_file: {root} }}
    enrollment:
      path: /v1/enroll
      challenge_path: /v1/enroll/challenge
      body_template: '{{"csr": "{{{{csr}}}}", "attestation": "{{{{attestation}}}}", "nonce": "{{{{nonce}}}}"}}'
      attestation_token: {{ file: attestation.txt }}
  - id: signing
    component: gw
    url: https://127.0.0.1:{g}/
    server_name: {gn}
    trust: {{ ca_file: {root} }}
    signing: {{ scheme: header-ecdsa-p256, path: /v1/transfer, key: {{ file: {ids}/signing.key }}, key_id: echo-1, max_skew: 5m }}
  - id: mtls
    component: gw
    url: https://127.0.0.1:{g}/
    server_name: {gn}
    trust: {{ ca_file: {root} }}
    mtls:
      expect: required
      client_cert: {{ file: {ids}/client.pem }}
      client_key: {{ file: {ids}/client.key }}
"#
    );
    let path = dir.join("echo.yaml");
    std::fs::write(&path, text).expect("write model");
    path
}

#[test]
fn no_secret_reaches_any_output_of_an_audit_against_echoing_servers() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let lab = rt.block_on(EchoLab::start()).expect("echo lab");
    let dir = tempfile::tempdir().expect("tempdir");
    let opaque = token(24);
    let jwt = format!("eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}", token(40), token(86));
    let attestation = format!("eyJhbGciOiJFUzI1NiJ9.{}.{}", token(60), token(86));
    std::fs::write(dir.path().join("opaque.txt"), format!("{opaque}\n")).expect("write");
    std::fs::write(dir.path().join("token.jwt"), &jwt).expect("write");
    std::fs::write(dir.path().join("attestation.txt"), &attestation).expect("write");
    let path = model(dir.path(), &lab);

    let out = dir.path().join("report");
    let evidence = out.join("evidence.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "audit",
            "--format",
            "html,json,sarif,markdown,csv",
            "--timeout",
            "10",
            "--out",
        ])
        .arg(&out)
        .arg("--save-evidence")
        .arg(&evidence)
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn strata");
    let (mut so, mut se) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let readers = (
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut so, &mut s);
            s
        }),
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut se, &mut s);
            s
        }),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the audit did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = readers.0.join().unwrap_or_default();
    let stderr = readers.1.join().unwrap_or_default();
    assert!(matches!(status.code(), Some(0..=2)), "exit {status:?}: {stderr}");

    let mut outputs = vec![("stdout".to_string(), stdout), ("stderr".to_string(), stderr)];
    for entry in std::fs::read_dir(&out).expect("report folder") {
        let p = entry.expect("entry").path();
        let text = String::from_utf8_lossy(&std::fs::read(&p).expect("read output")).into_owned();
        outputs.push((p.display().to_string(), text));
    }
    assert!(
        outputs.len() >= 8,
        "expected stdout, stderr, every report format and evidence: {:?}",
        outputs.iter().map(|o| &o.0).collect::<Vec<_>>()
    );

    // The servers really echoed.
    let counts = &lab.counts;
    assert!(
        counts.credentials_echoed.load(Ordering::Relaxed) > 0,
        "the gateway echoed no credential"
    );
    assert!(
        counts.tokens_in_certificates.load(Ordering::Relaxed) > 0,
        "the CA issued no certificate carrying the attestation token"
    );

    let read = |p: &str| std::fs::read_to_string(p).expect("read secret file");
    let mut secrets: Vec<(String, String)> = Vec::new();
    for (what, s) in [
        ("opaque token", &opaque),
        ("JWT", &jwt),
        ("attestation token", &attestation),
    ] {
        for f in forms(s) {
            secrets.push((what.to_string(), f));
        }
    }
    // Private keys only: certificates (client.pem) are public by design.
    for f in ["signing.key", "client.key"] {
        let pem = read(&format!(
            "{}/sample-projects/identity-lab/secrets/{f}",
            env!("CARGO_MANIFEST_DIR")
        ));
        for line in pem_lines(&pem) {
            secrets.push((f.to_string(), line));
        }
    }
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        for (what, secret) in &secrets {
            if let Some(piece) = pieces(secret).into_iter().find(|p| text.contains(p.as_str())) {
                leaks.push(format!("{name}: a piece of the {what} ({piece:?})"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    let ev = &outputs
        .iter()
        .find(|o| o.0.ends_with("evidence.json"))
        .expect("evidence")
        .1;
    assert!(
        ev.contains("<redacted>"),
        "nothing was redacted: the echoes were not recorded"
    );
    // The issued certificate itself was recorded (its subject, redacted).
    assert!(
        ev.contains("Strata Echo Lab"),
        "the enrollment evidence holds no issued certificate"
    );
    if let Ok(keep) = std::env::var("STRATA_TEST_KEEP") {
        let _ = std::fs::write(keep, ev);
    }
    drop(lab);
}
