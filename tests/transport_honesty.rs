//! Transport rules judge only what was observed, against real peers:
//!
//! * a port that answers every ClientHello with bytes that are not TLS:
//!   no transport rule may pass there (the legacy scan ends in an error);
//! * Debian's `openssl s_server` speaking TLS 1.0 alone: the "modern
//!   protocol" rule fails, and the legacy-version rule fails too; its chain
//!   is still judged, read from a raw TLS 1.0 handshake;
//! * `openssl s_server` with an RSA-1024 leaf (rustls refuses its handshake
//!   signature): the chain is read from a raw TLS 1.2 handshake, the weak
//!   key is reported, and TLS 1.3 support is left unverified, not failed.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use strata::audit::Status;
use strata::audit::rules::{Layer, Proof};
use strata::evidence::ChainSource;

fn model(url: &str, server_name: &str, ca: Option<&Path>) -> strata::model::Model {
    let trust = ca
        .map(|p| format!("    trust: {{ ca_file: {} }}\n", p.display()))
        .unwrap_or_default();
    let yaml = format!(
        "strata: 1\nsystem: {{ name: t }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: api\n    component: gw\n    url: {url}\n    server_name: {server_name}\n{trust}"
    );
    match strata::model::load_str(&yaml, Path::new("t.yaml")) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

/// A server that answers every connection (at most 64, for at most 60 s)
/// with 600 bytes that are neither TLS nor HTTP.
fn garbage_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let started = Instant::now();
        for _ in 0..64 {
            let Ok((mut s, _)) = l.accept() else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let junk: Vec<u8> = (0..600u32).map(|i| (i.wrapping_mul(97) % 200 + 40) as u8).collect();
            let _ = s.write_all(&junk);
            if started.elapsed() > Duration::from_secs(60) {
                return;
            }
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_passes_on_a_port_that_does_not_speak_tls() {
    strata::probe::install_crypto_provider();
    let port = garbage_server();
    let m = model(&format!("https://127.0.0.1:{port}/"), "garbage.test", None);
    let outcome = common::audit(&m).await;
    let legacy = outcome
        .evidence
        .endpoints
        .get("api")
        .and_then(|e| e.layers.get("legacy"));
    let reason = match legacy {
        Some(strata::evidence::Observation::Error(f)) => format!("{}: {}", f.stage, f.reason),
        other => panic!("the legacy scan must fail on a non-TLS port: {other:?}"),
    };
    assert!(reason.contains("does not speak TLS"), "{reason}");
    let passed: Vec<&str> = outcome
        .audit
        .findings
        .iter()
        // Rules proven by the model alone (`endpoint-uses-tls`: declared
        // https) may pass; nothing that needs an observation may.
        .filter(|f| f.layer == Layer::Transport && f.status == Status::Pass && f.proof == Proof::Live)
        .map(|f| f.rule.as_str())
        .collect();
    assert!(
        passed.is_empty(),
        "transport rules passed on a port that never spoke TLS: {passed:?}"
    );
}

/// A running `openssl s_server`, killed when dropped.
struct Peer {
    child: std::process::Child,
    /// Held open: `s_server` without `-www` reads what it sends from stdin.
    _stdin: Option<std::process::ChildStdin>,
    port: u16,
    _dir: Option<tempfile::TempDir>,
}

impl Peer {
    /// Waits (bounded: 100 × 50 ms) until `port` accepts connections.
    fn listening(mut child: std::process::Child, port: u16, dir: Option<tempfile::TempDir>) -> Peer {
        let peer = Peer {
            _stdin: child.stdin.take(),
            child,
            port,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return peer;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("openssl s_server did not listen on {port}");
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server` with the lab's leaf, TLS 1.0 only, security level 0.
fn tls10_server(dir: tempfile::TempDir) -> Peer {
    let pki = strata::lab::pki::LabPki::new(time::OffsetDateTime::now_utc()).expect("pki");
    let served = pki
        .issue(strata::lab::pki::LeafKind::Good, "tls10.lab.strata.test")
        .expect("leaf");
    let pem = |label: &str, der: &[u8]| strata::evidence::cert::to_pem(label, der);
    let cert = dir.path().join("leaf.pem");
    std::fs::write(&cert, pem("CERTIFICATE", &served.chain[0])).expect("write");
    let chain: String = served.chain.iter().skip(1).map(|c| pem("CERTIFICATE", c)).collect();
    let chain_path = dir.path().join("chain.pem");
    std::fs::write(&chain_path, chain).expect("write");
    let key = match &served.key {
        rustls::pki_types::PrivateKeyDer::Pkcs8(k) => pem("PRIVATE KEY", k.secret_pkcs8_der()),
        _ => panic!("lab key is not PKCS#8"),
    };
    let key_path = dir.path().join("key.pem");
    std::fs::write(&key_path, key).expect("write");
    let mut args: Vec<std::ffi::OsString> = ["-tls1", "-cert_chain"].map(Into::into).to_vec();
    args.push(chain_path.into_os_string());
    s_server(&cert, &key_path, &args, Some(dir))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls10_only_server_fails_the_modern_protocol_rule() {
    strata::probe::install_crypto_provider();
    let server = tls10_server(tempfile::tempdir().expect("tempdir"));
    let ca = common::repo("assets/lab/root-ca.pem");
    let m = model(
        &format!("https://127.0.0.1:{}/", server.port),
        "tls10.lab.strata.test",
        Some(&ca),
    );
    let outcome = common::audit(&m).await;
    let status = |rule: &str| {
        outcome
            .audit
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| (f.status, f.message.clone()))
    };
    let modern = status("tls-modern-protocol");
    assert!(
        matches!(&modern, Some((Status::Fail, m)) if m.contains("only TLS 1.0 accepted")),
        "{modern:?}"
    );
    let legacy = status("tls-no-legacy-versions");
    assert!(
        matches!(&legacy, Some((Status::Fail, m)) if m.contains("TLS 1.0")),
        "{legacy:?}"
    );
    let tls = outcome
        .evidence
        .endpoints
        .get("api")
        .and_then(|e| e.tls.observed())
        .expect("tls observed");
    assert_eq!(tls.chain_source, ChainSource::RawHandshake, "{tls:?}");
    assert_eq!(tls.version, "TLSv1_0", "{tls:?}");
    assert_eq!(
        tls.chain.first().map(|c| c.subject.as_str()),
        Some("O=Strata Lab, CN=tls10.lab.strata.test")
    );
    drop(server);
}

/// `openssl s_server` with a fresh self-signed RSA-1024 leaf (made by
/// `openssl req`), TLS 1.2 and 1.3, security level 0.
fn rsa1024_server(dir: &Path) -> Peer {
    let (cert, key) = openssl_leaf(dir, "weak-leaf.test", &["-newkey", "rsa:1024"]);
    s_server(&cert, &key, &[], None)
}

/// Starts `openssl s_server -www` at security level 0 with `cert` and
/// `key` and the `extra` arguments, on a free loopback port.
fn s_server(cert: &Path, key: &Path, extra: &[std::ffi::OsString], dir: Option<tempfile::TempDir>) -> Peer {
    s_server_mode(cert, key, extra, dir, true)
}

/// [`s_server`], with `-www` (answer HTTP with a status page and close) or
/// without (keep each connection open, answering nothing: one client at a
/// time holds the whole server).
fn s_server_mode(
    cert: &Path,
    key: &Path,
    extra: &[std::ffi::OsString],
    dir: Option<tempfile::TempDir>,
    www: bool,
) -> Peer {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-quiet"])
        .args(if www { &["-www"][..] } else { &[][..] })
        .args(["-cipher", "DEFAULT:@SECLEVEL=0", "-cert"])
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(extra)
        .stdin(if www { Stdio::null() } else { Stdio::piped() })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server (CI installs openssl)");
    Peer::listening(child, port, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rsa1024_leaf_is_read_from_a_raw_handshake_and_reported() {
    strata::probe::install_crypto_provider();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = rsa1024_server(dir.path());
    let m = model(&format!("https://127.0.0.1:{}/", server.port), "weak-leaf.test", None);
    let outcome = common::audit(&m).await;
    let ev = outcome.evidence.endpoints.get("api").expect("evidence");
    let tls = ev
        .tls
        .observed()
        .unwrap_or_else(|| panic!("tls not observed: {:?}", ev.tls));
    assert_eq!(tls.chain_source, ChainSource::RawHandshake, "{tls:?}");
    assert!(
        tls.handshake_error
            .as_deref()
            .is_some_and(|e| e.contains("BadSignature")),
        "{tls:?}"
    );
    let leaf = tls.chain.first().expect("leaf");
    assert_eq!((leaf.key_type.as_str(), leaf.key_bits), ("RSA", 1024), "{leaf:?}");
    let status = |rule: &str| outcome.audit.findings.iter().find(|f| f.rule == rule).map(|f| f.status);
    assert_eq!(status("tls-strong-keys"), Some(Status::Fail));
    assert_eq!(status("tls-supports-1-3"), Some(Status::Unverified));
    // The HTTP request could not be made: said, not hidden.
    assert!(
        matches!(&ev.http, strata::evidence::Observation::Error(f) if f.reason.contains("rustls refused")),
        "{:?}",
        ev.http
    );
    drop(server);
}

/// A fresh self-signed P-256 leaf for `name`, made by `openssl req`.
fn ec_leaf(dir: &Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    openssl_leaf(dir, name, &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
}

/// A fresh self-signed leaf for `name` made by `openssl req` with the key
/// options `key_args`; returns (certificate, key) paths under `dir`.
fn openssl_leaf(dir: &Path, name: &str, key_args: &[&str]) -> (std::path::PathBuf, std::path::PathBuf) {
    let (key, cert) = (dir.join(format!("{name}.key")), dir.join(format!("{name}.pem")));
    let made = Command::new("openssl")
        .args(["req", "-x509"])
        .args(key_args)
        .args(["-nodes", "-days", "30", "-subj", &format!("/CN={name}")])
        .args(["-addext", &format!("subjectAltName=DNS:{name}"), "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl req");
    assert!(made.success(), "openssl req failed");
    (cert, key)
}

/// What must not change between two audits of the same server: each
/// probe's outcome class, the legacy scan, the auth answers' statuses.
fn stable_view(outcome: &strata::pipeline::Outcome) -> serde_json::Value {
    let ev = outcome.evidence.endpoints.get("api").expect("evidence");
    let class = |o: &strata::evidence::Observation<serde_json::Value>| match o {
        strata::evidence::Observation::Observed(_) => "observed".to_string(),
        strata::evidence::Observation::Error(f) => format!("error/{}", f.stage),
        strata::evidence::Observation::NotProbed => "not probed".to_string(),
    };
    let auth_statuses: Vec<String> = ev
        .layers
        .get("auth")
        .and_then(|o| o.observed())
        .map(|v| {
            let mut found = Vec::new();
            if let Some(routes) = v["routes"].as_array() {
                for r in routes {
                    if let Some(cases) = r["cases"].as_object() {
                        for (name, c) in cases {
                            found.push(format!("{name}={}", c["status"]));
                        }
                    }
                }
            }
            found
        })
        .unwrap_or_default();
    serde_json::json!({
        "tls": ev.tls.observed().map(|t| (t.version.clone(), t.chain.len(), t.one_connection_at_a_time)),
        "http": ev.http.observed().map(|h| h.status),
        "layers": ev.layers.iter().map(|(k, o)| (k.clone(), class(o))).collect::<Vec<_>>(),
        "legacy": ev.layers.get("legacy").and_then(|o| o.observed()).cloned(),
        "auth": auth_statuses,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_connection_server_gives_the_same_evidence_every_run() {
    // `openssl s_server` without `-www` serves one connection at a time
    // and keeps it open (it never answers HTTP): Strata's probes must not
    // compete for it, or each run sees something else.
    strata::probe::install_crypto_provider();
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = ec_leaf(dir.path(), "serial.test");
    let server = s_server_mode(&cert, &key, &[], None, false);
    let yaml = format!(
        "strata: 1\nsystem: {{ name: t }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://127.0.0.1:{}/\n    server_name: serial.test\n    auth: {{ expect: jwt, protected_routes: [/a, /b] }}\n",
        server.port
    );
    let m = strata::model::load_str(&yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    // Short limits: every probe waits out the server's silence once.
    let config = strata::probe::runner::RunnerConfig {
        probe_timeout: Duration::from_secs(4),
        io_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let rules = strata::audit::rules::Ruleset::builtin().expect("rules");
    let audit =
        || strata::pipeline::probe_and_audit(&m, &rules, &config, tokio_util::sync::CancellationToken::new(), None);
    let first = stable_view(&audit().await);
    assert_eq!(
        first["tls"][2], true,
        "not detected as serving one connection at a time: {first:#}"
    );
    // The legacy scan ran alone: every hello was answered.
    let legacy = &first["legacy"];
    assert!(
        legacy["tls_spoken"] != false && legacy["tls12_accepted"] == true,
        "{first:#}"
    );
    for run in 2..=3 {
        let again = stable_view(&audit().await);
        assert_eq!(again, first, "run {run} differs");
    }
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_serves_connections_side_by_side_is_not_serialised() {
    let lab = common::lab().await;
    let m = common::sample(&lab, "sample-projects/lab-tour/architecture.yaml");
    let outcome = common::audit(&m).await;
    let good = outcome
        .evidence
        .endpoints
        .get("good")
        .and_then(|e| e.tls.observed())
        .expect("good observed");
    assert!(!good.one_connection_at_a_time, "{good:?}");
}

/// A CA, a leaf for `name` naming `crl_url` as its CRL distribution point,
/// and a CRL from the CA that lists the leaf when `revoked`; all by rcgen,
/// written as PEM (CA, leaf, key) under `dir`. Returns (ca, leaf, key, CRL
/// DER).
fn revocation_pki(
    dir: &Path,
    name: &str,
    crl_url: &str,
    revoked: bool,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint, DnType, IsCa,
        Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber,
    };
    let now = time::OffsetDateTime::now_utc();
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::default();
    ca.distinguished_name
        .push(DnType::CommonName, format!("Revocation Test CA {name}"));
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = now - time::Duration::days(1);
    ca.not_after = now + time::Duration::days(30);
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf = CertificateParams::new(vec![name.to_string()]).expect("leaf params");
    leaf.distinguished_name.push(DnType::CommonName, name);
    leaf.serial_number = Some(SerialNumber::from(0x5eed_u64));
    leaf.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![crl_url.to_string()],
    }];
    leaf.not_before = now - time::Duration::days(1);
    leaf.not_after = now + time::Duration::days(30);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf cert");
    let crl = CertificateRevocationListParams {
        this_update: now - time::Duration::hours(1),
        next_update: now + time::Duration::days(1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: if revoked {
            vec![RevokedCertParams {
                serial_number: SerialNumber::from(0x5eed_u64),
                revocation_time: now - time::Duration::hours(2),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }]
        } else {
            Vec::new()
        },
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .expect("crl");
    let (ca_path, leaf_path, key_path) = (dir.join("ca.pem"), dir.join("leaf.pem"), dir.join("leaf.key"));
    std::fs::write(&ca_path, ca_cert.pem()).expect("write");
    std::fs::write(&leaf_path, leaf_cert.pem()).expect("write");
    std::fs::write(&key_path, leaf_key.serialize_pem()).expect("write");
    (ca_path, leaf_path, key_path, crl.der().to_vec())
}

/// Serves `crl` over HTTP on loopback `port` (at most 16 requests, for at
/// most 60 s); returns the port and a counter of requests served.
fn crl_server_on(port: u16, crl: Vec<u8>) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let l = TcpListener::bind(("127.0.0.1", port)).expect("bind the CRL port");
    let port = l.local_addr().expect("addr").port();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        for _ in 0..16 {
            let Ok((mut s, _)) = l.accept() else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                crl.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&crl);
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if started.elapsed() > Duration::from_secs(60) {
                return;
            }
        }
    });
    (port, served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_leaf_fails_only_when_its_crl_was_checked() {
    strata::probe::install_crypto_provider();
    let mut servers = Vec::new();
    let mut endpoints = String::new();
    let mut crl_hits = Vec::new();
    for (name, revoked) in [("revoked.test", true), ("good.test", false)] {
        // The CRL server's port must be in the certificate: bind it first.
        let dir = tempfile::tempdir().expect("tempdir");
        let probe_port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let url = format!("http://127.0.0.1:{probe_port}/ca.crl");
        let (ca, leaf, key, crl) = revocation_pki(dir.path(), name, &url, revoked);
        // Re-bind the CRL server on the port the certificate names.
        let (port, hits) = crl_server_on(probe_port, crl);
        assert_eq!(port, probe_port);
        crl_hits.push(hits);
        let chain: Vec<std::ffi::OsString> = vec!["-cert_chain".into(), ca.clone().into_os_string()];
        let server = s_server(&leaf, &key, &chain, Some(dir));
        let id = name.trim_end_matches(".test");
        for (suffix, policy) in [("check", "    tls: { revocation: check }\n"), ("off", "")] {
            endpoints.push_str(&format!(
                "  - id: {id}-{suffix}\n    component: gw\n    url: https://127.0.0.1:{}/\n    server_name: {name}\n    trust: {{ ca_file: {} }}\n{policy}",
                server.port,
                ca.display()
            ));
        }
        servers.push(server);
    }
    let yaml = format!(
        "strata: 1\nsystem: {{ name: t }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n{endpoints}"
    );
    let m = strata::model::load_str(&yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let outcome = common::audit(&m).await;
    let status = |id: &str| {
        outcome
            .audit
            .findings
            .iter()
            .find(|f| f.id == format!("tls-leaf-not-revoked@endpoint:{id}"))
            .map(|f| (f.status, f.message.clone()))
    };
    assert!(
        matches!(status("revoked-check"), Some((Status::Fail, ref m)) if m.contains("is on the CRL")),
        "{:?}",
        status("revoked-check")
    );
    assert!(
        matches!(status("good-check"), Some((Status::Pass, _))),
        "{:?}",
        status("good-check")
    );
    for id in ["revoked-off", "good-off"] {
        assert!(
            matches!(status(id), Some((Status::Unverified, ref m)) if m.contains("lookups are off")),
            "{id}: {:?}",
            status(id)
        );
    }
    // The chain itself is fine: only the CRL tells.
    let trusted = outcome
        .audit
        .findings
        .iter()
        .find(|f| f.id == "tls-chain-trusted@endpoint:revoked-check")
        .map(|f| f.status);
    assert_eq!(trusted, Some(Status::Pass));
    // Only the two `check` endpoints fetched, once each.
    let fetched: Vec<usize> = crl_hits
        .iter()
        .map(|h| h.load(std::sync::atomic::Ordering::SeqCst))
        .collect();
    assert_eq!(fetched, vec![1, 1]);
    drop(servers);
}
