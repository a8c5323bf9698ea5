//! The TLS vulnerability checks against real peers and synthetic ones.
//!
//! Real peers: Debian's `openssl s_server` (OpenSSL 3, patched against
//! Heartbleed, CCS injection and ROBOT; built without heartbeat support)
//! and, when installed, nginx. They show the "not vulnerable" paths and
//! resumption / 0-RTT on and off. No vulnerable real server exists here, so
//! the vulnerable paths are shown against the synthetic responders of
//! `strata::lab::tls_vulns` (each documented as synthetic): they only
//! prove the checks read a vulnerable answer correctly.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use strata::probe::vulns::{self, Verdict};

const IO: Duration = Duration::from_secs(5);

/// A running `openssl s_server`, killed when dropped.
struct Peer {
    child: Child,
    /// Held open: without `-www`, s_server sends what it reads here.
    _stdin: Option<std::process::ChildStdin>,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh self-signed RSA-2048 leaf for `vulns.test`.
fn leaf(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    strata::lab::openssl::self_signed_rsa(&cert, &key, "vulns.test", 2)
        .unwrap_or_else(|e| panic!("openssl req (CI installs openssl): {e}"));
    (cert, key)
}

/// `openssl s_server -www` with `args`.
fn s_server(args: &[&str]) -> Peer {
    s_server_mode(args, true)
}

/// `openssl s_server` with `args`, with `-www` or (for `-early_data`,
/// which refuses it) without.
fn s_server_mode(args: &[&str], www: bool) -> Peer {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = leaf(dir.path());
    let mut full: Vec<std::ffi::OsString> =
        vec!["-quiet".into(), "-cert".into(), cert.into(), "-key".into(), key.into()];
    if www {
        full.push("-www".into());
    }
    full.extend(args.iter().map(std::ffi::OsString::from));
    let (mut child, addr) = strata::lab::openssl::start_s_server(Path::new("openssl"), &full, &mut || {
        (
            if www { Stdio::null() } else { Stdio::piped() },
            Stdio::null(),
            Stdio::null(),
        )
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let stdin = child.stdin.take();
    Peer {
        _stdin: stdin,
        child,
        addr,
        _dir: dir,
    }
}

const LEGACY: &[&str] = &["-cipher", "DEFAULT:@SECLEVEL=0"];

#[tokio::test]
async fn openssl_is_not_vulnerable_to_heartbleed() {
    let peer = s_server(LEGACY);
    let seen = vulns::heartbleed::check(peer.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::NotVulnerable, "{seen:?}");
    // OpenSSL 3 has no heartbeat support: the extension is not negotiated.
    assert!(!seen.heartbeat_negotiated, "{seen:?}");
    assert_eq!(seen.version, "TLS 1.2", "{seen:?}");
    assert_eq!(seen.response_bytes, None, "{seen:?}");
    assert_eq!(seen.connections, 1);
}

#[tokio::test]
async fn openssl_refuses_an_early_ccs() {
    let peer = s_server(LEGACY);
    let seen = vulns::ccs::check(peer.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::NotVulnerable, "{seen:?}");
    assert!(seen.answer.contains("unexpected_message"), "{seen:?}");
}

#[tokio::test]
async fn an_rsa_key_exchange_openssl_is_no_robot_oracle() {
    let peer = s_server(&["-cipher", "AES128-SHA:@SECLEVEL=0", "-no_tls1_3"]);
    let seen = vulns::robot::check(peer.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::NotVulnerable, "{seen:#?}");
    assert_eq!(seen.suite.as_deref(), Some("TLS_RSA_WITH_AES_128_CBC_SHA"), "{seen:#?}");
    assert_eq!(seen.with_finished.len(), 5, "{seen:#?}");
    assert!(seen.connections <= vulns::robot::MAX_CONNECTIONS, "{seen:#?}");
    // Every variant got the same answer, in both rounds.
    let first = &seen.with_finished[0].answer;
    assert!(seen.with_finished.iter().all(|a| &a.answer == first), "{seen:#?}");
}

#[tokio::test]
async fn an_ecdhe_only_openssl_is_out_of_robots_reach() {
    let peer = s_server(&["-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-no_tls1_3"]);
    let seen = vulns::robot::check(peer.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::NotApplicable, "{seen:#?}");
    assert!(seen.reason.contains("no TLS_RSA_* suite"), "{seen:#?}");
}

fn provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::ring::default_provider())
}

const HEAD: &[u8] = b"HEAD / HTTP/1.1\r\nHost: vulns.test\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn openssl_resumes_by_default_and_refuses_0rtt_unless_asked() {
    let peer = s_server(&[]);
    let seen = vulns::resumption::check(peer.addr, "vulns.test", &provider(), HEAD, IO)
        .await
        .expect("checked");
    let report = format!("{seen:#?}");
    assert!(seen.tls13 && seen.tls12, "{report}");
    assert_eq!(seen.tls13_tickets_issued, Some(true), "{report}");
    assert_eq!(seen.tls13_resumed, Some(true), "{report}");
    assert_eq!(seen.early_data_max, Some(0), "{report}");
    assert_eq!(seen.early_data_accepted, Some(false), "{report}");
    assert_eq!(seen.tls12_session_id_resumed, Some(true), "{report}");
    assert_eq!(seen.tls12_ticket_issued, Some(true), "{report}");
    assert_eq!(seen.tls12_ticket_resumed, Some(true), "{report}");
    assert!(seen.connections <= 6, "{report}");
}

#[tokio::test]
async fn openssl_without_tickets_or_cache_does_not_resume() {
    let peer = s_server(&["-no_ticket", "-no_cache"]);
    let seen = vulns::resumption::check(peer.addr, "vulns.test", &provider(), HEAD, IO)
        .await
        .expect("checked");
    let report = format!("{seen:#?}");
    assert_eq!(seen.tls12_session_id_resumed, Some(false), "{report}");
    assert_eq!(seen.tls12_ticket_issued, Some(false), "{report}");
    assert_eq!(seen.tls12_ticket_resumed, Some(false), "{report}");
}

#[tokio::test]
async fn openssl_with_early_data_accepts_0rtt() {
    let peer = s_server_mode(&["-early_data", "-max_early_data", "16384"], false);
    let seen = vulns::resumption::check(peer.addr, "vulns.test", &provider(), HEAD, IO)
        .await
        .expect("checked");
    let report = format!("{seen:#?}");
    assert_eq!(seen.tls13_resumed, Some(true), "{report}");
    assert!(seen.early_data_max.is_some_and(|m| m > 0), "{report}");
    assert_eq!(seen.early_data_offered, Some(true), "{report}");
    assert_eq!(seen.early_data_accepted, Some(true), "{report}");
}

// -- synthetic vulnerable responders (src/lab/tls_vulns.rs) ---------------

use strata::lab::tls_vulns::{Flaw, start};

#[tokio::test]
async fn a_synthetic_heartbleed_leak_is_caught_and_its_bytes_are_not_kept() {
    let lab = start(Flaw::Heartbleed).await.expect("responder");
    let seen = vulns::heartbleed::check(lab.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::Vulnerable, "{seen:?}");
    assert!(seen.heartbeat_negotiated, "{seen:?}");
    assert_eq!(seen.response_bytes, Some(3 + 16384 + 16), "{seen:?}");
    let json = serde_json::to_string(&seen).expect("json");
    assert!(
        !json.contains("LEAK"),
        "leaked bytes must not reach the evidence: {json}"
    );
}

#[tokio::test]
async fn a_synthetic_early_ccs_acceptor_is_caught() {
    let lab = start(Flaw::CcsInjection).await.expect("responder");
    let seen = vulns::ccs::check(lab.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::Vulnerable, "{seen:?}");
    assert!(seen.answer.contains("bad_record_mac"), "{seen:?}");
}

#[tokio::test]
async fn a_synthetic_bleichenbacher_oracle_is_a_strong_robot() {
    let lab = start(Flaw::RobotOracle).await.expect("responder");
    let seen = vulns::robot::check(lab.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert_eq!(seen.verdict, Verdict::Vulnerable, "{seen:#?}");
    assert_eq!(seen.oracle.as_deref(), Some("strong"), "{seen:#?}");
    assert!(seen.reason.contains("confirmed"), "{seen:#?}");
    assert_eq!(seen.connections, vulns::robot::MAX_CONNECTIONS, "{seen:#?}");
    let answers: Vec<&str> = seen.with_finished.iter().map(|a| a.answer.as_str()).collect();
    assert_eq!(
        answers,
        [
            "alert fatal 20 (bad_record_mac)",
            "alert fatal 51 (decrypt_error)",
            "alert fatal 47 (illegal_parameter)",
            "alert fatal 40 (handshake_failure)",
            "alert fatal 70 (protocol_version)"
        ],
        "{seen:#?}"
    );
}

/// A server that answers every connection with `answer`, then closes.
async fn canned(answer: &'static [u8]) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(answer).await;
        }
    });
    addr
}

#[tokio::test]
async fn no_check_passes_on_a_port_that_does_not_speak_tls() {
    let addr = canned(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    let e = vulns::heartbleed::check(addr, None, IO).await.expect_err("not TLS");
    assert!(e.to_string().contains("not a TLS record"), "{e}");
    let e = vulns::ccs::check(addr, None, IO).await.expect_err("not TLS");
    assert!(matches!(e, vulns::VulnError::Flight(_)), "{e}");
    let e = vulns::robot::check(addr, None, IO).await.expect_err("not TLS");
    assert!(matches!(e, vulns::VulnError::Flight(_)), "{e}");
    // A handshake_failure alert to the RSA-only hello is "no RSA suite".
    let alert = canned(&[21, 3, 3, 0, 2, 2, 40]).await;
    let seen = vulns::robot::check(alert, None, IO).await.expect("checked");
    assert_eq!(seen.verdict, Verdict::NotApplicable, "{seen:?}");
    let e = vulns::heartbleed::check(alert, None, IO).await.expect_err("no flight");
    assert!(e.to_string().contains("handshake_failure"), "{e}");
    let e = vulns::resumption::check(addr, "vulns.test", &provider(), HEAD, IO)
        .await
        .expect_err("not TLS");
    assert!(e.contains("no TLS 1.2 or 1.3 handshake"), "{e}");
}

// -- nginx (when installed; .ci/run installs it) ----------------------------

/// A running nginx (one process, no daemon), killed when dropped.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx on a free loopback port with `server` directives added to its TLS
/// server block; `None` (the test prints SKIPPED) when nginx is absent.
fn nginx(server: &str) -> Option<Nginx> {
    let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).is_file())?;
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = leaf(dir.path());
    let d = dir.path().display();
    for _ in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{ access_log off; client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};\n\
               server {{ listen 127.0.0.1:{port} ssl; server_name vulns.test; ssl_certificate {}; ssl_certificate_key {};\n\
                 ssl_protocols TLSv1.2 TLSv1.3; {server}\n\
                 location / {{ return 200 \"ok\\n\"; }} }} }}\n",
            cert.display(),
            key.display()
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).expect("nginx.conf");
        let mut child = Command::new(binary)
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir.path())
            .args(["-e", &format!("{d}/error.log")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        for _ in 0..50 {
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return Some(Nginx { child, addr, _dir: dir });
            }
            if !matches!(child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
    panic!("nginx did not start:\n{log}");
}

#[tokio::test]
async fn nginx_is_not_vulnerable_and_its_resumption_follows_its_configuration() {
    let Some(on) = nginx("ssl_session_tickets on; ssl_session_cache shared:S:1m; ssl_early_data on;") else {
        eprintln!("SKIPPED: nginx is not installed");
        return;
    };
    let hb = vulns::heartbleed::check(on.addr, Some("vulns.test"), IO)
        .await
        .expect("heartbleed");
    assert_eq!(hb.verdict, Verdict::NotVulnerable, "{hb:?}");
    let ccs = vulns::ccs::check(on.addr, Some("vulns.test"), IO).await.expect("ccs");
    assert_eq!(ccs.verdict, Verdict::NotVulnerable, "{ccs:?}");
    let robot = vulns::robot::check(on.addr, Some("vulns.test"), IO)
        .await
        .expect("robot");
    assert!(
        matches!(robot.verdict, Verdict::NotVulnerable | Verdict::NotApplicable),
        "{robot:#?}"
    );
    let reneg = vulns::renegotiation::check(on.addr, Some("vulns.test"), IO)
        .await
        .expect("renegotiation");
    assert_eq!(reneg.client_initiated_accepted, Some(false), "{reneg:?}");
    let seen = vulns::resumption::check(on.addr, "vulns.test", &provider(), HEAD, IO)
        .await
        .expect("resumption");
    let report = format!("{seen:#?}");
    assert_eq!(seen.tls13_resumed, Some(true), "{report}");
    assert_eq!(seen.early_data_accepted, Some(true), "{report}");
    assert_eq!(seen.tls12_session_id_resumed, Some(true), "{report}");
    assert_eq!(seen.tls12_ticket_issued, Some(true), "{report}");
    drop(on);

    let off = nginx("ssl_session_tickets off; ssl_session_cache off; ssl_early_data off;").expect("nginx");
    let seen = vulns::resumption::check(off.addr, "vulns.test", &provider(), HEAD, IO)
        .await
        .expect("resumption");
    let report = format!("{seen:#?}");
    // OpenSSL under nginx still sends TLS 1.3 tickets with tickets and
    // cache off, but they resume nothing: resumption is judged by the
    // second handshake, not by the ticket.
    assert_eq!(seen.tls13_resumed, Some(false), "{report}");
    assert_eq!(seen.early_data_accepted, Some(false), "{report}");
    assert_eq!(seen.tls12_session_id_resumed, Some(false), "{report}");
    assert_eq!(seen.tls12_ticket_issued, Some(false), "{report}");
}

// -- client-initiated renegotiation (a TLS 1.2 handshake of our own) -------

#[tokio::test]
async fn openssl_refuses_client_renegotiation_by_default_and_allows_it_when_told() {
    let refusing = s_server(&["-no_tls1_3"]);
    let seen = vulns::renegotiation::check(refusing.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert!(seen.tested, "{seen:?}");
    assert_eq!(seen.client_initiated_accepted, Some(false), "{seen:?}");
    assert!(seen.reason.contains("warning 100 (no_renegotiation)"), "{seen:?}");
    drop(refusing);
    let allowing = s_server(&["-no_tls1_3", "-client_renegotiation"]);
    let seen = vulns::renegotiation::check(allowing.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert!(seen.tested, "{seen:?}");
    assert_eq!(seen.client_initiated_accepted, Some(true), "{seen:?}");
    assert!(seen.reason.contains("ServerHello"), "{seen:?}");
}

#[tokio::test]
async fn renegotiation_is_untested_without_an_ecdhe_gcm_suite_and_fails_on_garbage() {
    let cbc_only = s_server(&["-no_tls1_3", "-cipher", "AES128-SHA:@SECLEVEL=0"]);
    let seen = vulns::renegotiation::check(cbc_only.addr, Some("vulns.test"), IO)
        .await
        .expect("checked");
    assert!(!seen.tested && seen.client_initiated_accepted.is_none(), "{seen:?}");
    assert!(seen.reason.contains("handshake_failure"), "{seen:?}");
    let addr = canned(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    let e = vulns::renegotiation::check(addr, None, IO).await.expect_err("not TLS");
    assert!(matches!(e, vulns::VulnError::Flight(_)), "{e}");
}
