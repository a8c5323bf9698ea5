//! One real HTTP/1.1 request over an already-open stream (TLS or TCP).
//!
//! Only the status and a fixed allow-list of headers are kept: cookies and
//! anything else that could carry a secret never enter the evidence.

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

/// Sends `GET path` with `Host: host` and reads the response head.
pub async fn get_head<S>(stream: S, host: &str, path: &str) -> Result<HttpEvidence, ProbeFailure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(stream);
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(64 * 1024)
        .handshake::<_, Empty<Bytes>>(io)
        .await
        .map_err(|e| ProbeFailure::new("http", format!("HTTP/1.1 setup failed: {e}")))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let path = if path.is_empty() { "/" } else { path };
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, host)
        .header(hyper::header::USER_AGENT, concat!("strata/", env!("CARGO_PKG_VERSION")))
        .header(hyper::header::CONNECTION, "close")
        .body(Empty::<Bytes>::new())
        .map_err(|e| ProbeFailure::new("http", format!("cannot build request: {e}")))?;
    let result = sender.send_request(request).await;
    driver.abort();
    let response = result.map_err(|e| ProbeFailure::new("http", format!("no valid HTTP response: {e}")))?;
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
