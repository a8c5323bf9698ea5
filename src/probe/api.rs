//! The HTTP client of the gateway probes (`auth`, `rate_limit`, `surface`).
//!
//! Requests go to the URL's host and port (resolved once, bounded) while
//! the TLS layer and `Host` use the declared `server_name` (reqwest's
//! `resolve`). The chain is first checked against the endpoint's own trust
//! anchors ([`ProbeContext::anchors_for`]) with a real handshake:
//!
//! * **trusted**: every request uses a verifying rustls configuration;
//! * **not trusted** (expired, unknown issuer...): requests that carry no
//!   secret go on over the observe-only verifier, and the evidence says so
//!   (`tls_verified: false`, `tls_error`). A request that would carry the
//!   supplied token is refused by [`ApiClient::secret_channel`];
//! * **any other handshake failure** is a [`ProbeFailure`].
//!
//! Every request is bounded (connect and overall timeouts from the
//! context) and every body is read, while it streams, up to [`MAX_BODY`]
//! bytes. Once the status and headers are read the answer is kept: a body
//! that then breaks off (no TLS close_notify, broken chunking, too long,
//! too slow) becomes [`Answer::note`], not an error. Redirects are never
//! followed (the `Location` goes into the note) and no proxy is used.

use super::ProbeContext;
use super::diagnose::{self, Tap};
use super::verify::{ObserveOnlyVerifier, error_code};
use crate::evidence::ProbeFailure;
use crate::model::{EndpointTarget, Scheme};
use rustls::pki_types::ServerName;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Largest response body read; the rest is dropped unread.
pub const MAX_BODY: usize = 64 * 1024;

/// Longest header value kept in evidence.
pub const MAX_HEADER_VALUE: usize = 256;

/// A response as the probes see it. The body is for in-memory checks only
/// and never enters evidence.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// Up to [`MAX_BODY`] bytes of the body.
    pub body: Vec<u8>,
    /// What else is worth knowing about the answer, in one line: a redirect
    /// not followed (with its `Location`), a body cut at [`MAX_BODY`] or
    /// broken off after the head. `None` for a plain, complete answer.
    pub note: Option<String>,
}

impl Answer {
    /// A header's values joined with `", "`, cut at [`MAX_HEADER_VALUE`]
    /// characters; `None` when absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        if values.is_empty() {
            return None;
        }
        Some(values.join(", ").chars().take(MAX_HEADER_VALUE).collect())
    }

    /// 2xx.
    pub fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// An HTTP/1.1 client bound to one endpoint.
pub struct ApiClient {
    client: reqwest::Client,
    origin: String,
    limit: Duration,
    /// The chain verified against the endpoint's anchors (false for
    /// cleartext endpoints).
    pub tls_verified: bool,
    /// Why it did not: a stable code from `tls.trust_error`
    /// (`unknown-issuer`, `expired`...), `cleartext` for `http://`, `""` when
    /// verified.
    pub tls_error: String,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("origin", &self.origin)
            .field("tls_verified", &self.tls_verified)
            .finish()
    }
}

pub use super::tls::resolve;

/// A rustls configuration that verifies against `target`'s anchors, or
/// (with `observe_only`) accepts any chain but still checks handshake
/// signatures. ALPN offers `http/1.1` only.
fn tls_config(
    target: &EndpointTarget,
    cx: &ProbeContext,
    observe_only: bool,
) -> Result<rustls::ClientConfig, ProbeFailure> {
    let builder = rustls::ClientConfig::builder_with_provider(cx.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeFailure::new("config", e.to_string()))?;
    let mut config = if observe_only {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ObserveOnlyVerifier::new(cx.provider.clone())))
            .with_no_client_auth()
    } else {
        let anchors = cx.anchors_for(target).map_err(|e| ProbeFailure::new("config", e))?;
        builder
            .with_root_certificates(anchors.roots.clone())
            .with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Whether the chain is trusted, by one verifying handshake:
/// `Ok(None)` trusted, `Ok(Some(code))` a certificate problem, `Err`
/// anything else.
async fn check_chain(
    target: &EndpointTarget,
    cx: &ProbeContext,
    addr: SocketAddr,
) -> Result<Option<String>, ProbeFailure> {
    let server_name = ServerName::try_from(target.server_name.clone())
        .map_err(|e| ProbeFailure::new("config", format!("invalid server name {}: {e}", target.server_name)))?;
    let config = tls_config(target, cx, false)?;
    let tcp = tokio::time::timeout(cx.connect_timeout, tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| ProbeFailure::new("connect", format!("connecting to {addr} timed out")))?
        .map_err(|e| ProbeFailure::new("connect", diagnose::connect_error(&addr, &e)))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let (tcp, record) = Tap::new(tcp, u64::MAX);
    let result = tokio::time::timeout(cx.io_timeout, connector.connect(server_name, tcp))
        .await
        .map_err(|_| diagnose::handshake_timeout_failure(&record, cx.io_timeout))?;
    match result {
        Ok(_) => Ok(None),
        Err(e) => match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            Some(tls @ rustls::Error::InvalidCertificate(_)) => Ok(Some(error_code(tls).to_string())),
            _ => Err(diagnose::handshake_failure(&e, &record, target, cx, &[b"http/1.1"]).await),
        },
    }
}

impl ApiClient {
    /// Resolves, checks the chain and builds the client.
    pub async fn connect(target: &EndpointTarget, cx: &ProbeContext) -> Result<ApiClient, ProbeFailure> {
        let addr = resolve(target, cx).await?;
        let https = target.scheme == Scheme::Https;
        let (verified, code) = if https {
            match check_chain(target, cx, addr).await? {
                None => (true, String::new()),
                Some(code) => (false, code),
            }
        } else {
            (false, "cleartext".to_string())
        };
        let name_ip = target.server_name.parse::<std::net::IpAddr>().ok();
        if let Some(ip) = name_ip
            && ip != addr.ip()
        {
            return Err(ProbeFailure::new(
                "config",
                format!(
                    "server_name {ip} is an IP address other than the one connected to ({}); the HTTP probes cannot send it",
                    addr.ip()
                ),
            ));
        }
        let host = match name_ip {
            Some(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
            _ => target.server_name.clone(),
        };
        let origin = format!("{}://{host}:{}", if https { "https" } else { "http" }, target.port);
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(target, cx, !verified)?)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cx.connect_timeout)
            .timeout(cx.io_timeout)
            .http1_only()
            .http1_max_headers(diagnose::MAX_HEADERS)
            .pool_max_idle_per_host(2)
            .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")));
        if name_ip.is_none() {
            builder = builder.resolve(&target.server_name, addr);
        }
        let client = builder
            .build()
            .map_err(|e| ProbeFailure::new("config", format!("cannot build the HTTP client: {e}")))?;
        Ok(ApiClient {
            client,
            origin,
            limit: cx.connect_timeout + cx.io_timeout,
            tls_verified: verified,
            tls_error: code,
        })
    }

    /// `Ok` when a secret may be sent over this client's connections: only
    /// over TLS whose chain verified. Otherwise the reason it is withheld.
    pub fn secret_channel(&self) -> Result<(), String> {
        if self.tls_verified {
            Ok(())
        } else if self.tls_error == "cleartext" {
            Err("the endpoint is cleartext http://: the token is never sent in clear".into())
        } else {
            Err(format!(
                "the server's chain is not trusted ({}): the token is never sent over an unverified connection",
                self.tls_error
            ))
        }
    }

    /// Sends `method path` with `headers` and reads the answer (bounded).
    /// Errors are one line, without the URL.
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Result<Answer, String> {
        self.send_within(method, path, headers, self.limit).await
    }

    /// [`ApiClient::send`] with a tighter limit for the whole exchange.
    pub async fn send_within(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        limit: Duration,
    ) -> Result<Answer, String> {
        let limit = limit.min(self.limit);
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| format!("bad method {method}: {e}"))?;
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.origin))
            .timeout(limit);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        // reqwest's own timeout covers connect, head and body; these
        // deadlines are a second fence, and let a slow body keep its head.
        let deadline = tokio::time::Instant::now() + limit;
        let mut response = match tokio::time::timeout_at(deadline, request.send()).await {
            Err(_) => return Err(format!("no answer within {limit:?}")),
            Ok(Err(e)) => return Err(describe(e, limit)),
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut notes = Vec::new();
        if (300..400).contains(&status) {
            let location = headers
                .get(reqwest::header::LOCATION)
                .map(|v| {
                    String::from_utf8_lossy(v.as_bytes())
                        .chars()
                        .take(MAX_HEADER_VALUE)
                        .collect()
                })
                .unwrap_or_else(|| "(no Location)".to_string());
            notes.push(format!("redirect to {location} not followed"));
        }
        let mut body = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, response.chunk()).await {
                Err(_) => {
                    notes.push(format!(
                        "the body was still arriving after {limit:?}; its first {} bytes were kept",
                        body.len()
                    ));
                    break;
                }
                Ok(Err(e)) if e.is_timeout() => {
                    notes.push(format!(
                        "the body was still arriving after {limit:?}; its first {} bytes were kept",
                        body.len()
                    ));
                    break;
                }
                Ok(Err(e)) => {
                    notes.push(diagnose::body_note(&e.without_url()));
                    break;
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    let take = chunk.len().min(MAX_BODY - body.len());
                    body.extend_from_slice(chunk.get(..take).unwrap_or_default());
                    if body.len() >= MAX_BODY {
                        let complete = take == chunk.len() && response.content_length() == Some(MAX_BODY as u64);
                        if !complete {
                            notes.push(format!("the body was cut at {MAX_BODY} bytes, the most Strata reads"));
                        }
                        break;
                    }
                }
            }
        }
        Ok(Answer {
            status,
            headers,
            body,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        })
    }
}

/// One line for a reqwest error that left no answer: what the server did
/// when that is known, else the kind and the innermost cause; never the URL
/// (a query may carry a probe token).
fn describe(e: reqwest::Error, limit: Duration) -> String {
    let e = e.without_url();
    if e.is_timeout() {
        return format!("no answer within {limit:?}");
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut depth = 0;
    while let Some(err) = cur {
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            return diagnose::http_error(h, None, MAX_HEAD_READ);
        }
        depth += 1;
        if depth > 8 {
            break;
        }
        cur = err.source();
    }
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "no valid HTTP response"
    };
    let mut cause: &dyn std::error::Error = &e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    format!("{kind}: {cause}")
}

/// The response head reqwest (hyper-util) buffers at most: hyper's default
/// of 8 KiB plus 100 reads of 4 KiB.
const MAX_HEAD_READ: usize = 8192 + 4096 * 100;

pub use super::is_loopback;
