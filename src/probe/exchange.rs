//! One HTTP/1.1 request over a fresh connection, for the identity probes
//! (`mtls`, `enrollment`, `signing`): optionally presenting a client
//! certificate, recording what the server asked for, and telling apart
//! *where* a refusal happened (handshake, first read, or an HTTP answer).
//!
//! Everything is bounded: connect and handshake by the context's timeouts,
//! the response by `io_timeout`, a head of [`MAX_RESPONSE`] bytes and
//! [`diagnose::MAX_HEADERS`] headers, a body of [`MAX_RESPONSE`] bytes (read
//! while it streams) and [`MAX_READ`] bytes in all. Only the status and a
//! bounded body come back; nothing here logs what it sends. Refusals and
//! failures say what the server did ([`super::diagnose`]).

use super::ProbeContext;
use super::diagnose::{self, Tap};
use super::verify::{ObserveOnlyVerifier, verify_chain};
use crate::evidence::ProbeFailure;
use crate::model::{EndpointTarget, Scheme};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;

/// Largest response head, and largest response body kept (a longer body is
/// dropped and the status kept: no identity endpoint answers with more).
pub const MAX_RESPONSE: usize = 64 * 1024;
/// Most bytes read from one connection after the handshake (interim `1xx`
/// answers included).
pub const MAX_READ: u64 = 256 * 1024;
/// Most CA names kept from a CertificateRequest.
const MAX_CA_NAMES: usize = 32;
/// Longest error detail kept in evidence.
const MAX_DETAIL: usize = 200;

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// Extra headers (`Host`, `Connection` and `Content-Length` are added).
    pub headers: Vec<(String, String)>,
    /// Body (empty for GET).
    pub body: Vec<u8>,
}

impl Request {
    /// A GET of `path`.
    pub fn get(path: &str) -> Request {
        Request {
            method: "GET",
            path: if path.is_empty() { "/".into() } else { path.to_string() },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON POST of `body` to `path`.
    pub fn post_json(path: &str, body: Vec<u8>) -> Request {
        Request {
            method: "POST",
            path: if path.is_empty() { "/".into() } else { path.to_string() },
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        }
    }
}

/// How one exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The TLS handshake failed (alert, reset or refused certificate).
    HandshakeRefused(String),
    /// The handshake completed but the connection failed or closed before
    /// any HTTP response: TLS 1.3 servers reject a client certificate here.
    ClosedBeforeResponse(String),
    /// An HTTP response.
    Response {
        /// Status code.
        status: u16,
        /// Body, at most [`MAX_RESPONSE`] bytes.
        body: Vec<u8>,
    },
}

/// What the TLS layer showed (empty for cleartext endpoints).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFacts {
    /// The server sent a CertificateRequest.
    pub cert_requested: bool,
    /// The CA names it listed (distinguished names, RFC 4514-ish text).
    pub ca_names: Vec<String>,
    /// Negotiated version, when the handshake completed.
    pub version: Option<String>,
}

/// Cuts an error message for evidence.
pub fn detail(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_DETAIL).collect();
    if s.chars().count() > MAX_DETAIL {
        out.push('…');
    }
    out
}

/// Presents `key` (or nothing) when asked, and records the request.
#[derive(Debug)]
struct Recorder {
    key: Option<Arc<CertifiedKey>>,
    hints: Mutex<Option<Vec<Vec<u8>>>>,
}

impl ResolvesClientCert for Recorder {
    fn resolve(&self, root_hint_subjects: &[&[u8]], _sigschemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut h) = self.hints.lock() {
            *h = Some(
                root_hint_subjects
                    .iter()
                    .take(MAX_CA_NAMES)
                    .map(|s| s.to_vec())
                    .collect(),
            );
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        // Keeps the handshake transcript for TLS 1.2 client authentication.
        true
    }
}

fn dn_text(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        Ok((_, name)) => name.to_string(),
        Err(_) => format!("(unparseable name, {} bytes)", der.len()),
    }
}

/// Loads a client certificate chain and key (both PEM) for rustls.
pub fn certified_key(cx: &ProbeContext, chain_pem: &str, key_pem: &str) -> Result<Arc<CertifiedKey>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate PEM: {e}"))?;
    if chain.is_empty() {
        return Err("no certificate in the PEM".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|_| "the private key is not valid PEM".to_string())?;
    let signer = cx
        .provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("unusable private key: {e}"))?;
    Ok(Arc::new(CertifiedKey::new(chain, signer)))
}

/// Sends `request` over a fresh connection. With `client_cert`, the
/// certificate is presented when the server asks for one. With
/// `trusted_only`, nothing is sent unless the server's chain verifies
/// against the endpoint's trust anchors, or, for `http://`, the host is
/// loopback (test credentials never go to an unverified server).
///
/// Errors are what stops the probe (cannot connect, timeouts, untrusted
/// server); a refusal by the server is an [`Outcome`].
pub async fn send(
    target: &EndpointTarget,
    cx: &ProbeContext,
    client_cert: Option<Arc<CertifiedKey>>,
    trusted_only: bool,
    request: &Request,
) -> Result<(TlsFacts, Outcome), ProbeFailure> {
    if trusted_only && target.scheme == Scheme::Http && !loopback(&target.host) {
        return Err(ProbeFailure::new(
            "config",
            "test credentials are not sent in cleartext to a host other than loopback",
        ));
    }
    let tcp = super::tls::connect(target, cx).await?;
    if target.scheme == Scheme::Http {
        let outcome = http(tcp, &target.host, request, cx, false).await?;
        return Ok((TlsFacts::default(), outcome));
    }
    let server_name = ServerName::try_from(target.server_name.clone())
        .map_err(|e| ProbeFailure::new("config", format!("invalid server name {}: {e}", target.server_name)))?;
    let recorder = Arc::new(Recorder {
        key: client_cert,
        hints: Mutex::new(None),
    });
    let provider = cx.provider.clone();
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeFailure::new("config", e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ObserveOnlyVerifier::new(provider.clone())))
        .with_client_cert_resolver(recorder.clone());
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = TlsConnector::from(Arc::new(config));
    let (tcp, record) = Tap::new(tcp, u64::MAX);
    let handshake = tokio::time::timeout(cx.io_timeout, connector.connect(server_name.clone(), tcp)).await;
    let facts = |version: Option<String>| {
        let hints = recorder.hints.lock().ok().and_then(|h| h.clone());
        TlsFacts {
            cert_requested: hints.is_some(),
            ca_names: hints.unwrap_or_default().iter().map(|d| dn_text(d)).collect(),
            version,
        }
    };
    let tls = match handshake {
        Err(_) => return Err(diagnose::handshake_timeout_failure(&record, cx.io_timeout)),
        Ok(Err(e)) => {
            let reason = diagnose::handshake_error(&e, &record.seen()).reason;
            return Ok((facts(None), Outcome::HandshakeRefused(detail(&reason))));
        }
        Ok(Ok(tls)) => tls,
    };
    let (_, conn) = tls.get_ref();
    let version = conn.protocol_version().map(|v| format!("{v:?}"));
    if trusted_only {
        let chain: Vec<_> = conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
            .unwrap_or_default();
        let anchors = cx.anchors_for(target).map_err(|e| ProbeFailure::new("config", e))?;
        let v = verify_chain(&chain, &server_name, &anchors, provider, cx.now);
        if !v.trusted {
            return Err(ProbeFailure::new(
                "handshake",
                format!(
                    "the server's chain is not trusted ({}); test credentials are not sent to it",
                    v.code.unwrap_or_default()
                ),
            ));
        }
    }
    let facts = facts(version);
    let outcome = http(tls, &target.server_name, request, cx, true).await?;
    Ok((facts, outcome))
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

use super::is_loopback as loopback;

/// One request/response over an open stream (`over_tls`: a TLS stream),
/// bounded in time and size.
async fn http<S>(
    stream: S,
    host: &str,
    request: &Request,
    cx: &ProbeContext,
    over_tls: bool,
) -> Result<Outcome, ProbeFailure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (stream, record) = Tap::new(stream, MAX_READ);
    let work = async {
        let (mut sender, conn) = match hyper::client::conn::http1::Builder::new()
            .max_buf_size(MAX_RESPONSE)
            .max_headers(diagnose::MAX_HEADERS)
            .handshake::<_, Full<Bytes>>(TokioIo::new(stream))
            .await
        {
            Ok(x) => x,
            Err(e) => return Ok(Outcome::ClosedBeforeResponse(detail(&e.to_string()))),
        };
        // Aborted however this future ends (a timeout drops it mid-way).
        let _driver = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        let mut builder = hyper::Request::builder()
            .method(request.method)
            .uri(request.path.as_str())
            .header(hyper::header::HOST, host)
            .header(hyper::header::USER_AGENT, concat!("strata/", env!("CARGO_PKG_VERSION")))
            .header(hyper::header::CONNECTION, "close");
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let req = match builder.body(Full::new(Bytes::from(request.body.clone()))) {
            Ok(r) => r,
            Err(e) => return Err(ProbeFailure::new("config", format!("cannot build the request: {e}"))),
        };
        Ok(match sender.send_request(req).await {
            Err(e) => {
                Outcome::ClosedBeforeResponse(detail(&diagnose::http_error(&e, Some(&record.seen()), MAX_RESPONSE)))
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                match http_body_util::Limited::new(resp.into_body(), MAX_RESPONSE)
                    .collect()
                    .await
                {
                    Ok(b) => Outcome::Response {
                        status,
                        body: b.to_bytes().to_vec(),
                    },
                    // The status was read; a body that breaks off or is too
                    // long is kept empty.
                    Err(_) => Outcome::Response {
                        status,
                        body: Vec::new(),
                    },
                }
            }
        })
    };
    tokio::time::timeout(cx.io_timeout, work)
        .await
        .map_err(|_| ProbeFailure::new("http", diagnose::http_timeout(&record.seen(), cx.io_timeout, over_tls)))?
}

/// Escapes `s` for use inside a JSON string literal (no surrounding quotes).
pub fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escape_has_no_quotes_and_escapes_newlines() {
        assert_eq!(json_escape("a\"b\nc"), "a\\\"b\\nc");
        assert_eq!(detail(&"x".repeat(300)).chars().count(), MAX_DETAIL + 1);
    }
}
