//! The `surface` probe: what the endpoint shows any caller.
//!
//! * **CORS**: a simple GET and a preflight with `Origin:
//!   https://evil.strata.test`, and a GET with `Origin: null`. Reflecting an
//!   origin it does not know, together with
//!   `Access-Control-Allow-Credentials: true`, lets any web page read the API
//!   with the victim's cookies.
//! * **Banners**: `Server`, `X-Powered-By` and friends carrying a version
//!   number.
//! * **Cleartext**: a plain-HTTP GET on the endpoint's own port (for an
//!   `https://` endpoint a TLS server answers that with an alert: "not
//!   served"), and on port 80 when the host is loopback. A 2xx with a body
//!   means the API is served in clear.
//!
//! HSTS is the TLS probe's. No credential is ever sent. `docs/probes/surface.md`
//! documents every key.

use super::api::{Answer, ApiClient, MAX_BODY, is_loopback, resolve};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, Scheme};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use std::net::SocketAddr;

/// The foreign origin sent in CORS requests.
pub const EVIL_ORIGIN: &str = "https://evil.strata.test";

/// Longest wait for a preflight answer.
pub const PREFLIGHT_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Headers that commonly carry product names and versions.
pub const BANNER_HEADERS: &[&str] = &[
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
    "x-runtime",
    "via",
];

/// Whether a header value carries a version number: a digit, a dot and a
/// digit (`2.4`), or a `/` followed by a digit (`nginx/1`).
pub fn has_version(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
        || b.windows(2).any(|w| w[0] == b'/' && w[1].is_ascii_digit())
}

/// Probes CORS, banners and cleartext service.
pub struct SurfaceProbe;

impl EndpointProbe for SurfaceProbe {
    fn name(&self) -> &'static str {
        "surface"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, _target: &EndpointTarget, decl: &Endpoint) -> bool {
        !super::requires_client_cert(decl)
            && (decl.auth.is_some() || decl.rate_limit.is_some() || decl.openapi.is_some())
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        _decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(run(target, cx))
    }
}

fn cors_view(a: &Answer, origin: &str) -> Value {
    let acao = a.header("access-control-allow-origin");
    let acac = a.header("access-control-allow-credentials");
    let reflects = acao.as_deref().is_some_and(|v| v.trim().eq_ignore_ascii_case(origin));
    let credentials = acac.as_deref().is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    json!({
        "status": a.status,
        "allow_origin": acao,
        "allow_credentials": acac,
        "vary": a.header("vary"),
        "reflects": reflects,
        "wildcard": acao.as_deref().is_some_and(|v| v.trim() == "*"),
        "credentials": credentials,
        "note": a.note,
    })
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// One plain-HTTP GET on `addr` (bounded), described as an outcome:
/// `served` (2xx with a body), `empty` (2xx without one), `redirect`,
/// `refused` (any other status), `not-http` (no HTTP answer: a TLS server,
/// a reset) or `closed` (nothing listens).
async fn plain_get(addr: SocketAddr, host: &str, path: &str, cx: &ProbeContext) -> Value {
    let connect = tokio::time::timeout(cx.connect_timeout, tokio::net::TcpStream::connect(addr)).await;
    let tcp = match connect {
        Err(_) => return json!({"port": addr.port(), "outcome": "closed", "detail": "connect timed out"}),
        Ok(Err(e)) => return json!({"port": addr.port(), "outcome": "closed", "detail": e.to_string()}),
        Ok(Ok(t)) => t,
    };
    let exchange = async {
        let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
            .max_buf_size(64 * 1024)
            .handshake::<_, Empty<Bytes>>(TokioIo::new(tcp))
            .await
            .map_err(|e| e.to_string())?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let request = hyper::Request::get(path)
            .header(hyper::header::HOST, host)
            .header(hyper::header::USER_AGENT, concat!("strata/", env!("CARGO_PKG_VERSION")))
            .header(hyper::header::CONNECTION, "close")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let result = async {
            let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let location = response.headers().get(hyper::header::LOCATION).map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .chars()
                    .take(256)
                    .collect::<String>()
            });
            // A body over the limit still counts as "a body".
            let body_bytes = match Limited::new(response.into_body(), MAX_BODY).collect().await {
                Ok(b) => b.to_bytes().len(),
                Err(_) => MAX_BODY,
            };
            Ok::<_, String>((status, location, body_bytes))
        }
        .await;
        driver.abort();
        result
    };
    match tokio::time::timeout(cx.io_timeout, exchange).await {
        Err(_) => json!({"port": addr.port(), "outcome": "not-http", "detail": "no HTTP answer in time"}),
        Ok(Err(e)) => json!({"port": addr.port(), "outcome": "not-http", "detail": e}),
        Ok(Ok((status, location, body_bytes))) => {
            let outcome = match status {
                200..=299 if body_bytes > 0 => "served",
                200..=299 => "empty",
                300..=399 => "redirect",
                _ => "refused",
            };
            json!({
                "port": addr.port(),
                "outcome": outcome,
                "status": status,
                "location": location,
                "body_bytes": body_bytes,
            })
        }
    }
}

async fn run(target: &EndpointTarget, cx: &ProbeContext) -> Result<Value, ProbeFailure> {
    let client = ApiClient::connect(target, cx).await?;
    let path = if target.path.is_empty() {
        "/"
    } else {
        target.path.as_str()
    };

    // CORS and banners.
    let simple = client
        .send("GET", path, &[("origin", EVIL_ORIGIN)])
        .await
        .map_err(|e| ProbeFailure::new("http", format!("GET {path}: {e}")))?;
    let null_origin = client.send("GET", path, &[("origin", "null")]).await;
    // Last, and briefly: a CORS layer answers a preflight at once, while
    // some servers that only know GET never answer it at all.
    let preflight = client
        .send_within(
            "OPTIONS",
            path,
            &[
                ("origin", EVIL_ORIGIN),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization"),
            ],
            PREFLIGHT_LIMIT,
        )
        .await;
    let simple_v = cors_view(&simple, EVIL_ORIGIN);
    let preflight_v = match &preflight {
        Ok(a) => cors_view(a, EVIL_ORIGIN),
        Err(e) => json!({"error": e}),
    };
    let null_v = match &null_origin {
        Ok(a) => cors_view(a, "null"),
        Err(e) => json!({"error": e}),
    };
    let views = [&simple_v, &preflight_v];
    let reflects = views.iter().any(|v| flag(v, "reflects"));
    let reflects_cred = views.iter().any(|v| flag(v, "reflects") && flag(v, "credentials"));
    let null_cred = flag(&null_v, "reflects") && flag(&null_v, "credentials");
    let wildcard_cred = [&simple_v, &preflight_v, &null_v]
        .iter()
        .any(|v| flag(v, "wildcard") && flag(v, "credentials"));

    let mut banners = Map::new();
    let mut versioned = Vec::new();
    for name in BANNER_HEADERS {
        if let Some(v) = simple.header(name) {
            if has_version(&v) {
                versioned.push(format!("{name}: {v}"));
            }
            banners.insert((*name).to_string(), json!(v));
        }
    }

    // Cleartext: the same port, and port 80 on loopback.
    let addr = resolve(target, cx).await?;
    let same_port = plain_get(addr, &target.server_name, path, cx).await;
    let port_80 = if is_loopback(&target.host) && target.port != 80 {
        plain_get(SocketAddr::new(addr.ip(), 80), &target.server_name, path, cx).await
    } else if target.port == 80 {
        json!({"port": 80, "outcome": "same-port"})
    } else {
        json!({"port": 80, "outcome": "skipped", "detail": "port 80 is tried on loopback hosts only"})
    };
    let served = |v: &Value| v.get("outcome").and_then(Value::as_str) == Some("served");
    let mut served_on = Vec::new();
    if served(&same_port) {
        served_on.push(format!("http://{}:{}{path}", target.host, target.port));
    }
    if served(&port_80) {
        served_on.push(format!("http://{}:80{path}", target.host));
    }

    Ok(json!({
        "tls_verified": client.tls_verified,
        "tls_error": client.tls_error,
        "path": path,
        "cors": {
            "origin_sent": EVIL_ORIGIN,
            "simple": simple_v,
            "preflight": preflight_v,
            "null_origin": null_v,
            "reflects_origin": reflects,
            "reflects_origin_with_credentials": reflects_cred,
            "null_origin_with_credentials": null_cred,
            "wildcard_with_credentials": wildcard_cred,
            "credentialed_reflection": reflects_cred || null_cred,
        },
        "banners": banners,
        "version_banners": versioned,
        "cleartext": {
            "endpoint_is_cleartext": target.scheme == Scheme::Http,
            "same_port": same_port,
            "port_80": port_80,
            "served": !served_on.is_empty(),
            "served_on": served_on,
        },
    }))
}

/// The shape of this probe's evidence (`docs/probes/surface.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    // One CORS answer, or `{error}` when none came.
    let view = || {
        Shape::object([]).with_optional([
            ("status", Shape::Int),
            ("allow_origin", Shape::nullable(Shape::String)),
            ("allow_credentials", Shape::nullable(Shape::String)),
            ("note", Shape::nullable(Shape::String)),
            ("vary", Shape::nullable(Shape::String)),
            ("reflects", Shape::Bool),
            ("wildcard", Shape::Bool),
            ("credentials", Shape::Bool),
            ("error", Shape::String),
        ])
    };
    let plain = || {
        Shape::object([("port", Shape::Int), ("outcome", Shape::String)]).with_optional([
            ("status", Shape::Int),
            ("location", Shape::nullable(Shape::String)),
            ("body_bytes", Shape::Int),
            ("detail", Shape::String),
        ])
    };
    Shape::object([
        ("tls_verified", Shape::Bool),
        ("tls_error", Shape::String),
        ("path", Shape::String),
        (
            "cors",
            Shape::object([
                ("origin_sent", Shape::String),
                ("simple", view()),
                ("preflight", view()),
                ("null_origin", view()),
                ("reflects_origin", Shape::Bool),
                ("reflects_origin_with_credentials", Shape::Bool),
                ("null_origin_with_credentials", Shape::Bool),
                ("wildcard_with_credentials", Shape::Bool),
                ("credentialed_reflection", Shape::Bool),
            ]),
        ),
        ("banners", Shape::map(Shape::String)),
        ("version_banners", Shape::list(Shape::String)),
        (
            "cleartext",
            Shape::object([
                ("endpoint_is_cleartext", Shape::Bool),
                ("same_port", plain()),
                ("port_80", plain()),
                ("served", Shape::Bool),
                ("served_on", Shape::list(Shape::String)),
            ]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_recognised_in_banners() {
        for v in ["legacy-gw/2.4.1", "Express 4.16.0", "nginx/1", "4.0.30319", "PHP/8"] {
            assert!(has_version(v), "{v}");
        }
        for v in ["strata-lab", "nginx", "cloudflare", "ASP.NET", "Express", "1 proxy"] {
            assert!(!has_version(v), "{v}");
        }
    }
}
