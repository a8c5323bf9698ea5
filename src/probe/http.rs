//! One real HTTP/1.1 request over an already-open stream (TLS or TCP).
//!
//! Only the status and a fixed allow-list of headers are kept: cookies and
//! anything else that could carry a secret never enter the evidence. Only
//! the response head is read, bounded three ways: [`MAX_HEAD`] bytes for one
//! head (hyper's buffer), [`super::diagnose::MAX_HEADERS`] header lines, and
//! [`MAX_READ`] bytes in all (interim `1xx` answers do not reset it). A
//! failure says what the server did ([`super::diagnose`]).

use super::diagnose::{self, Tap};
use crate::evidence::{Hsts, HttpEvidence, ProbeFailure};
use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use tokio::io::{AsyncRead, AsyncWrite};

/// Response headers recorded as evidence.
pub const KEPT_HEADERS: &[&str] = &[
    "strict-transport-security",
    "server",
    "x-powered-by",
    "content-type",
    "location",
    "www-authenticate",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "retry-after",
    "ratelimit",
    "ratelimit-policy",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
];

/// Longest header value kept; the rest is cut (a hostile server can send
/// anything).
const MAX_HEADER_VALUE: usize = 512;

/// Largest response head read (hyper's read buffer).
pub const MAX_HEAD: usize = 64 * 1024;

/// Most bytes read in all while waiting for the final response head.
pub const MAX_READ: u64 = 256 * 1024;

/// Sends `GET path` with `Host: host` and reads the response head, all
/// within `limit`. `over_tls` only words the reasons ("completed the TLS
/// handshake but sent no HTTP answer").
pub async fn get_head_within<S>(
    stream: S,
    host: &str,
    path: &str,
    limit: std::time::Duration,
    over_tls: bool,
) -> Result<HttpEvidence, ProbeFailure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (tapped, record) = Tap::new(stream, MAX_READ);
    match tokio::time::timeout(limit, get_head(tapped, host, path)).await {
        Ok(Ok(evidence)) => Ok(evidence),
        Ok(Err(HeadError::Hyper(e))) => Err(ProbeFailure::new(
            "http",
            diagnose::http_error(&e, Some(&record.seen()), MAX_HEAD),
        )),
        Ok(Err(HeadError::Request(reason))) => Err(ProbeFailure::new("http", reason)),
        Err(_) => Err(ProbeFailure::new(
            "http",
            diagnose::http_timeout(&record.seen(), limit, over_tls),
        )),
    }
}

/// Why [`get_head`] failed.
#[derive(Debug)]
enum HeadError {
    /// The exchange failed.
    Hyper(hyper::Error),
    /// The request could not be built.
    Request(String),
}

/// Aborts the connection driver however the exchange ends (a timeout drops
/// the future mid-way).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn get_head<S>(stream: S, host: &str, path: &str) -> Result<HttpEvidence, HeadError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(stream);
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD)
        .max_headers(diagnose::MAX_HEADERS)
        .handshake::<_, Empty<Bytes>>(io)
        .await
        .map_err(HeadError::Hyper)?;
    let _driver = AbortOnDrop(tokio::spawn(async move {
        let _ = conn.await;
    }));
    let path = if path.is_empty() { "/" } else { path };
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, host)
        .header(hyper::header::USER_AGENT, concat!("strata/", env!("CARGO_PKG_VERSION")))
        .header(hyper::header::CONNECTION, "close")
        .body(Empty::<Bytes>::new())
        .map_err(|e| HeadError::Request(format!("cannot build request: {e}")))?;
    let response = sender.send_request(request).await.map_err(HeadError::Hyper)?;
    let mut headers = BTreeMap::new();
    for name in KEPT_HEADERS {
        let values: Vec<String> = response
            .headers()
            .get_all(*name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .chars()
                    .take(MAX_HEADER_VALUE)
                    .collect()
            })
            .collect();
        if !values.is_empty() {
            headers.insert((*name).to_string(), values.join(", "));
        }
    }
    let hsts = response
        .headers()
        .get(hyper::header::STRICT_TRANSPORT_SECURITY)
        .map(|v| Hsts::parse(&String::from_utf8_lossy(v.as_bytes())));
    Ok(HttpEvidence {
        request: format!("GET {path}"),
        status: response.status().as_u16(),
        headers,
        hsts,
    })
}
