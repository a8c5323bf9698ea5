//! Echoing lab servers: real TLS servers on loopback that reflect every
//! credential they receive back at the client, in the places a server
//! really does (rate-limit and retry headers, redirects, cookies,
//! `WWW-Authenticate`, the body), and an enrollment CA that writes the
//! attestation token it was sent into the subject of the certificate it
//! issues. They exist to prove that no secret an audit handles reaches its
//! output (`tests/secrets.rs`).
//!
//! | server | what it does |
//! |---|---|
//! | `echo-gateway` | answers every request; no `Authorization` → 401, any → 200 (429 on `/limited` after 3 requests); every request header comes back as `x-echo-<name>` and in the JSON body; the credential (`Authorization`, `Cookie`, `X-Api-Key`) also comes back in `RateLimit`, `Retry-After`, `Location`, `Set-Cookie`, `WWW-Authenticate` and base64-encoded in `x-echo-b64` |
//! | `echo-enroll` | `GET /v1/enroll/challenge` hands out a nonce; `POST /v1/enroll` signs the CSR's key with the lab issuing CA, with the attestation token as the subject's CN (first 64 bytes) and OU (whole) and in a URI SAN, and echoes the request body |
//!
//! Both count what they echoed ([`EchoCounts`]), so a test can tell a
//! server that echoed nothing (a vacuous pass) from a redacted echo.

use super::pki::{LabPki, LeafKind};
use super::{ConnInfo, Handler, read_body};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value, json};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// The DNS names the two servers' certificates carry (the lab root CA
/// verifies them).
pub const GATEWAY_NAME: &str = "echo-gateway.lab.strata.test";
/// See [`GATEWAY_NAME`].
pub const ENROLL_NAME: &str = "echo-enroll.lab.strata.test";

/// Largest request body read.
const MAX_BODY: usize = 16 * 1024;
/// Requests `/limited` serves before it answers 429.
const LIMITED_AFTER: usize = 3;

/// What the echo servers reflected so far.
#[derive(Debug, Default)]
pub struct EchoCounts {
    /// Requests served.
    pub requests: AtomicUsize,
    /// Responses that carried a credential the client sent.
    pub credentials_echoed: AtomicUsize,
    /// Certificates issued with the attestation token in the subject.
    pub tokens_in_certificates: AtomicUsize,
}

/// The running echo servers; dropping it (or [`EchoLab::stop`]) stops them.
pub struct EchoLab {
    /// Port of `echo-gateway` on 127.0.0.1.
    pub gateway_port: u16,
    /// Port of `echo-enroll` on 127.0.0.1.
    pub enroll_port: u16,
    /// What was echoed.
    pub counts: Arc<EchoCounts>,
    stop: CancellationToken,
    tasks: JoinSet<()>,
}

impl Drop for EchoLab {
    fn drop(&mut self) {
        self.stop.cancel();
        self.tasks.abort_all();
    }
}

impl EchoLab {
    /// Starts both servers on free loopback ports; returns once they listen.
    pub async fn start() -> Result<EchoLab, String> {
        let pki = Arc::new(LabPki::new(time::OffsetDateTime::now_utc())?);
        let counts = Arc::new(EchoCounts::default());
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut ports = Vec::new();
        let handlers = [
            (GATEWAY_NAME, gateway_handler(counts.clone())),
            (ENROLL_NAME, enroll_handler(pki.clone(), counts.clone())),
        ];
        for (name, handler) in handlers {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .await
                .map_err(|e| format!("echo lab: cannot listen for {name}: {e}"))?;
            ports.push(listener.local_addr().map_err(|e| e.to_string())?.port());
            let served = pki.issue(LeafKind::Good, name)?;
            let tls = super::plain_tls(&pki, served)?;
            tasks.spawn(super::serve(
                listener,
                TlsAcceptor::from(Arc::new(tls)),
                handler,
                stop.clone(),
            ));
        }
        Ok(EchoLab {
            gateway_port: ports[0],
            enroll_port: ports[1],
            counts,
            stop,
            tasks,
        })
    }

    /// Stops both servers and waits for them.
    pub async fn stop(mut self) {
        self.stop.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// The credential a request carries: `Authorization`, else `X-Api-Key`,
/// else `Cookie`.
fn credential(parts: &hyper::http::request::Parts) -> Option<String> {
    ["authorization", "x-api-key", "cookie"]
        .iter()
        .find_map(|h| parts.headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Adds `name: value` when the value is a valid header value.
fn put(resp: &mut hyper::http::response::Builder, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(value))
        && let Some(h) = resp.headers_mut()
    {
        h.append(n, v);
    }
}

/// Every header and the body of a request, as JSON.
fn echo_json(parts: &hyper::http::request::Parts, body: &[u8]) -> Value {
    let mut headers = Map::new();
    for (k, v) in &parts.headers {
        headers.insert(
            k.as_str().to_string(),
            Value::String(String::from_utf8_lossy(v.as_bytes()).into()),
        );
    }
    json!({
        "method": parts.method.as_str(),
        "target": parts.uri.to_string(),
        "headers": headers,
        "body": String::from_utf8_lossy(body),
    })
}

fn gateway_handler(counts: Arc<EchoCounts>) -> Handler {
    let limited = Arc::new(AtomicUsize::new(0));
    Arc::new(move |_info: ConnInfo, req| {
        let (counts, limited) = (counts.clone(), limited.clone());
        Box::pin(async move {
            counts.requests.fetch_add(1, Ordering::Relaxed);
            let (parts, body) = match read_body(req, MAX_BODY).await {
                Ok(r) => r,
                Err(_) => return plain(413, "body too large"),
            };
            let cred = credential(&parts);
            let status = match &cred {
                None => 401,
                Some(_)
                    if parts.uri.path() == "/limited" && limited.fetch_add(1, Ordering::Relaxed) >= LIMITED_AFTER =>
                {
                    429
                }
                Some(_) => 200,
            };
            let mut resp = hyper::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .header("server", "strata-echo")
                .header("strict-transport-security", "max-age=31536000");
            for (k, v) in &parts.headers {
                if let Ok(v) = v.to_str() {
                    put(&mut resp, &format!("x-echo-{}", k.as_str()), v);
                }
            }
            if let Some(c) = &cred {
                let bare = c.strip_prefix("Bearer ").unwrap_or(c);
                put(
                    &mut resp,
                    "ratelimit",
                    &format!("limit=3, remaining=0, reset=1; echo=\"{bare}\""),
                );
                put(&mut resp, "ratelimit-policy", &format!("3;w=1;partition=\"{bare}\""));
                put(&mut resp, "retry-after", bare);
                put(&mut resp, "location", &format!("/login?next=/&credential={bare}"));
                put(&mut resp, "set-cookie", &format!("session={bare}; Path=/; Secure"));
                put(
                    &mut resp,
                    "www-authenticate",
                    &format!("Bearer realm=\"echo\", error=\"invalid_token\", error_description=\"{c}\""),
                );
                put(&mut resp, "x-echo-b64", &STANDARD.encode(c));
                counts.credentials_echoed.fetch_add(1, Ordering::Relaxed);
            }
            let body = json!({ "echo": echo_json(&parts, &body), "credential": cred });
            resp.body(Full::new(Bytes::from(format!("{body}\n"))))
                .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
        })
    })
}

fn plain(status: u16, text: &str) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .body(Full::new(Bytes::from(text.to_string())))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

fn enroll_handler(pki: Arc<LabPki>, counts: Arc<EchoCounts>) -> Handler {
    Arc::new(move |_info: ConnInfo, req| {
        let (pki, counts) = (pki.clone(), counts.clone());
        Box::pin(async move {
            counts.requests.fetch_add(1, Ordering::Relaxed);
            let (parts, body) = match read_body(req, MAX_BODY).await {
                Ok(r) => r,
                Err(_) => return plain(413, "body too large"),
            };
            let echo = echo_json(&parts, &body);
            let answer = match (parts.method.as_str(), parts.uri.path()) {
                ("GET", "/v1/enroll/challenge") => (200, json!({ "nonce": nonce(), "echo": echo })),
                ("POST", "/v1/enroll") => match enroll(&pki, &body) {
                    Ok(issued) => {
                        counts.tokens_in_certificates.fetch_add(1, Ordering::Relaxed);
                        (
                            200,
                            json!({ "certificate": issued.0, "chain": [issued.1], "echo": echo }),
                        )
                    }
                    Err(why) => (400, json!({ "error": why, "echo": echo })),
                },
                _ => (200, json!({ "echo": echo })),
            };
            hyper::Response::builder()
                .status(answer.0)
                .header("content-type", "application/json")
                .header("strict-transport-security", "max-age=31536000")
                .body(Full::new(Bytes::from(format!("{}\n", answer.1))))
                .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
        })
    })
}

fn nonce() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Issues (certificate PEM, issuer PEM) for the CSR in `body`, with the
/// attestation token written into the subject.
fn enroll(pki: &LabPki, body: &[u8]) -> Result<(String, String), String> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, SanType};
    use x509_parser::prelude::FromDer;
    let v: Value = serde_json::from_slice(body).map_err(|_| "body is not JSON".to_string())?;
    let csr = v["csr"].as_str().unwrap_or_default();
    let token = v["attestation"].as_str().unwrap_or_default();
    if token.is_empty() {
        return Err("no attestation token".into());
    }
    let (_, pem) = x509_parser::pem::parse_x509_pem(csr.as_bytes()).map_err(|_| "csr is not PEM".to_string())?;
    let (_, req) = x509_parser::certification_request::X509CertificationRequest::from_der(&pem.contents)
        .map_err(|_| "csr does not parse".to_string())?;
    let key = rcgen::SubjectPublicKeyInfo::from_der(req.certification_request_info.subject_pki.raw)
        .map_err(|e| e.to_string())?;
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    let cn: String = token.chars().take(64).collect();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationalUnitName, token);
    dn.push(DnType::OrganizationName, "Strata Echo Lab");
    p.distinguished_name = dn;
    if let Ok(uri) = format!("urn:attestation:{token}").try_into() {
        p.subject_alt_names = vec![SanType::URI(uri)];
    }
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::minutes(5);
    p.not_after = now + time::Duration::days(30);
    let cert = p.signed_by(&key, pki.issuer()).map_err(|e| e.to_string())?;
    let issuer = crate::evidence::cert::to_pem("CERTIFICATE", pki.issuer_der());
    Ok((cert.pem(), issuer))
}
