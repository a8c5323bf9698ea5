//! The TLS probe: a real handshake that keeps whatever chain the server
//! presents, verifies it separately, and reads one HTTP response (for HSTS)
//! over the same connection. It is the first contact with an https
//! endpoint: when nothing answers, the endpoint's other probes are not
//! attempted.

use super::deadline::limit;
use super::diagnose::{self, Tap};
use super::verify::{ObserveOnlyVerifier, hostname_matches, verify_chain};
use super::{BoxFuture, Contact, EndpointProbe, ProbeContext};
use crate::evidence::{CertInfo, EndpointEvidence, HttpEvidence, Observation, ProbeFailure, TlsEvidence, cert_info};
use crate::model::{Endpoint, EndpointTarget, Scheme};
use rustls::pki_types::{CertificateDer, ServerName};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Resolves the endpoint's host and port (bounded) to the first address.
pub async fn resolve(target: &EndpointTarget, cx: &ProbeContext) -> Result<std::net::SocketAddr, ProbeFailure> {
    let addr = format!("{}:{}", bracket(&target.host), target.port);
    let mut addrs = tokio::time::timeout(limit(cx.connect_timeout), tokio::net::lookup_host(&addr))
        .await
        .map_err(|_| ProbeFailure::new("resolve", format!("resolving {addr} timed out")))?
        .map_err(|e| ProbeFailure::new("resolve", format!("cannot resolve {addr}: {e}")))?;
    addrs
        .next()
        .ok_or_else(|| ProbeFailure::new("resolve", format!("{addr} has no address")))
}

/// Connects to the endpoint's host and port, bounded by the connect timeout.
pub async fn connect(target: &EndpointTarget, cx: &ProbeContext) -> Result<TcpStream, ProbeFailure> {
    let first = &resolve(target, cx).await?;
    let within = limit(cx.connect_timeout);
    let stream = tokio::time::timeout(within, TcpStream::connect(first))
        .await
        .map_err(|_| ProbeFailure::new("connect", format!("connecting to {first} timed out after {within:?}")))?
        .map_err(|e| ProbeFailure::new("connect", diagnose::connect_error(first, &e)))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Performs a handshake with the observe-only verifier; returns the stream
/// and the negotiated facts with the chain as presented.
pub async fn handshake(
    target: &EndpointTarget,
    cx: &ProbeContext,
    alpn: &[&[u8]],
) -> Result<(tokio_rustls::client::TlsStream<Tap<TcpStream>>, TlsEvidence), ProbeFailure> {
    let tcp = connect(target, cx).await?;
    let address = tcp.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    let (tcp, record) = Tap::new(tcp, u64::MAX);
    let server_name = ServerName::try_from(target.server_name.clone())
        .map_err(|e| ProbeFailure::new("config", format!("invalid server name {}: {e}", target.server_name)))?;
    let provider = cx.provider.clone();
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeFailure::new("config", e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ObserveOnlyVerifier::new(provider.clone())))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let connector = TlsConnector::from(Arc::new(config));
    let within = limit(cx.io_timeout);
    let tls = match tokio::time::timeout(within, connector.connect(server_name.clone(), tcp)).await {
        Err(_) => return Err(diagnose::handshake_timeout_failure(&record, within)),
        Ok(Err(e)) => return Err(diagnose::handshake_failure(&e, &record, target, cx, alpn).await),
        Ok(Ok(tls)) => tls,
    };
    let (_, conn) = tls.get_ref();
    let ders: Vec<CertificateDer<'static>> = conn
        .peer_certificates()
        .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
        .unwrap_or_default();
    let version = conn
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_else(|| "unknown".into());
    let cipher_suite = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_else(|| "unknown".into());
    let alpn = conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned());

    let evidence = judge_chain(
        target,
        cx,
        &server_name,
        &ders,
        Negotiated {
            address,
            version,
            cipher_suite,
            alpn,
        },
    )?;
    Ok((tls, evidence))
}

/// What a handshake negotiated, besides the chain.
struct Negotiated {
    address: String,
    version: String,
    cipher_suite: String,
    alpn: Option<String>,
}

/// The TLS evidence of a chain as the server sent it: each certificate
/// parsed, the chain verified against the endpoint's anchors, its name,
/// order and completeness.
fn judge_chain(
    target: &EndpointTarget,
    cx: &ProbeContext,
    server_name: &ServerName<'static>,
    ders: &[CertificateDer<'static>],
    n: Negotiated,
) -> Result<TlsEvidence, ProbeFailure> {
    let provider = cx.provider.clone();
    let server_name = server_name.clone();
    let Negotiated {
        address,
        version,
        cipher_suite,
        alpn,
    } = n;
    let anchors = cx.anchors_for(target).map_err(|e| ProbeFailure::new("config", e))?;
    let mut chain: Vec<CertInfo> = Vec::new();
    for (i, der) in ders.iter().enumerate() {
        chain.push(cert_info(der).map_err(|e| ProbeFailure::new("handshake", format!("certificate #{i}: {e}")))?);
    }
    let verification = verify_chain(ders, &server_name, &anchors, provider, cx.now);
    let hostname_match = ders
        .first()
        .map(|leaf| hostname_matches(leaf, &server_name))
        .unwrap_or(false);
    let chain_ordered = chain.windows(2).all(|w| w[0].issuer == w[1].subject);
    let chain_complete = chain
        .last()
        .map(|last| last.self_issued || anchors.subjects.contains(&last.issuer))
        .unwrap_or(false);
    let anchor_spki_sha256 = chain
        .last()
        .filter(|last| !last.self_issued)
        .and_then(|last| anchors.pins.iter().find(|(subject, _)| *subject == last.issuer))
        .map(|(_, pin)| pin.clone());
    let evidence = TlsEvidence {
        anchor_spki_sha256,
        address,
        server_name: target.server_name.clone(),
        version,
        cipher_suite,
        alpn,
        chain,
        chain_ordered,
        chain_complete,
        hostname_match,
        verification,
        chain_source: crate::evidence::ChainSource::Handshake,
        handshake_error: None,
        one_connection_at_a_time: false,
    };
    Ok(evidence)
}

/// Longest wait for the second connection's answer in
/// [`serves_one_at_a_time`].
const SECOND_CONNECTION_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the server serves one connection at a time (`openssl s_server`
/// does): while the probe's own connection is open, a second one sends a
/// raw ClientHello, and no answer within two seconds (or a refused, reset or
/// closed connection) says so. Any TLS answer, even an alert, means the
/// server handles connections side by side. Costs one connection.
async fn serves_one_at_a_time(target: &EndpointTarget, cx: &ProbeContext) -> bool {
    let Ok(addr) = resolve(target, cx).await else {
        return false;
    };
    let sni = target
        .server_name
        .parse::<std::net::IpAddr>()
        .is_err()
        .then_some(target.server_name.as_str());
    let version = super::legacy::LegacyVersion::Tls1_2;
    let hello = super::legacy::client_hello(version, &super::legacy::version_suites(version), sni, false);
    let wait = SECOND_CONNECTION_WAIT.min(limit(cx.io_timeout) / 2);
    !matches!(
        super::legacy::probe_hello(addr, &hello, wait).await,
        Ok(super::legacy::HelloAnswer::Accepted { .. }
            | super::legacy::HelloAnswer::Alert { .. }
            | super::legacy::HelloAnswer::Garbage { .. })
    )
}

/// Whether rustls refused a handshake for a reason the raw handshake can
/// see past: a key or signature it will not verify (RSA under 2048 bits,
/// SHA-1, DSA), or a protocol version it does not speak.
fn raw_can_help(f: &ProbeFailure) -> bool {
    const REASONS: [&str; 8] = [
        "BadSignature",
        "UnsupportedSignatureAlgorithm",
        "InvalidSignatureForPublicKey",
        "protocol_version",
        "ProtocolVersion",
        "PeerIncompatible",
        "insufficient_security",
        "InsufficientSecurity",
    ];
    f.stage == "handshake" && REASONS.iter().any(|r| f.reason.contains(r))
}

/// The chain read from a raw TLS ≤ 1.2 handshake after rustls refused the
/// real one with `refused` (see [`super::raw_chain`]); `None` when the raw
/// handshake shows no chain either.
async fn raw_fallback(target: &EndpointTarget, cx: &ProbeContext, refused: &ProbeFailure) -> Option<TlsEvidence> {
    let addr = resolve(target, cx).await.ok()?;
    let sni = target
        .server_name
        .parse::<std::net::IpAddr>()
        .is_err()
        .then_some(target.server_name.as_str());
    let raw = super::raw_chain::fetch(addr, sni, limit(cx.io_timeout)).await.ok()?;
    let server_name = ServerName::try_from(target.server_name.clone()).ok()?;
    let ders: Vec<CertificateDer<'static>> = raw.certificates.into_iter().map(CertificateDer::from).collect();
    let suite = super::legacy::suite_name(raw.cipher_suite)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{:04X}", raw.cipher_suite));
    let mut evidence = judge_chain(
        target,
        cx,
        &server_name,
        &ders,
        Negotiated {
            address: addr.to_string(),
            version: super::raw_chain::version_name(raw.version),
            cipher_suite: suite,
            alpn: None,
        },
    )
    .ok()?;
    evidence.chain_source = crate::evidence::ChainSource::RawHandshake;
    evidence.handshake_error = Some(refused.reason.clone());
    Some(evidence)
}

/// Whether a failure of the first contact means nothing answered at all:
/// no address, no TCP connection (a reset at once included), or no TLS
/// answer within the limit.
pub(crate) fn unreachable(f: &ProbeFailure) -> bool {
    matches!(f.stage.as_str(), "resolve" | "connect") || diagnose::is_handshake_timeout(f)
}

/// What the TLS and cleartext probes hand to the runner: the typed `tls`
/// and `http` evidence of an endpoint.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Transport {
    pub tls: Observation<TlsEvidence>,
    pub http: Observation<HttpEvidence>,
}

impl Transport {
    pub(crate) fn into_value(self) -> Result<serde_json::Value, ProbeFailure> {
        serde_json::to_value(self).map_err(|e| ProbeFailure::new("internal", format!("cannot record evidence: {e}")))
    }
}

/// Stores a [`Transport`] outcome into the typed fields; a failure of the
/// whole probe is a failure of both.
pub(crate) fn record_transport(into: &mut EndpointEvidence, outcome: Observation<serde_json::Value>) {
    let failure = match outcome {
        Observation::Observed(v) => match serde_json::from_value::<Transport>(v) {
            Ok(t) => {
                into.tls = t.tls;
                into.http = t.http;
                return;
            }
            Err(e) => ProbeFailure::new("internal", format!("unreadable transport evidence: {e}")),
        },
        Observation::Error(f) => f,
        Observation::NotProbed => return,
    };
    into.tls = Observation::Error(failure.clone());
    into.http = Observation::Error(failure);
}

/// One line on transport evidence, for progress displays.
pub(crate) fn summarize_transport(v: &serde_json::Value) -> String {
    match serde_json::from_value::<Transport>(v.clone()) {
        Ok(Transport {
            tls: Observation::Observed(t),
            http,
        }) => format!(
            "{} {}, chain {}{}",
            t.version,
            if t.verification.trusted {
                "trusted"
            } else {
                "NOT trusted"
            },
            t.chain.len(),
            match http {
                Observation::Observed(h) => format!(", HTTP {}", h.status),
                Observation::Error(f) => format!(", {f}"),
                Observation::NotProbed => String::new(),
            }
        ),
        Ok(Transport {
            http: Observation::Observed(h),
            ..
        }) => format!("HTTP {}", h.status),
        Ok(Transport {
            http: Observation::Error(f),
            ..
        }) => f.to_string(),
        _ => "observed".into(),
    }
}

/// The TLS probe of an https endpoint: handshake, chain, one HTTP request.
pub struct TlsProbe;

impl EndpointProbe for TlsProbe {
    fn name(&self) -> &'static str {
        "tls"
    }

    fn evidence_kinds(&self) -> Vec<&'static str> {
        vec!["tls", "http"]
    }

    fn applies(&self, target: &EndpointTarget, _decl: &Endpoint) -> bool {
        target.scheme == Scheme::Https
    }

    fn first_contact(&self) -> bool {
        true
    }

    fn facts_shape(&self, kind: &str) -> crate::audit::schema::Shape {
        // Rules see facts derived from the typed evidence (`audit::facts`).
        match kind {
            "tls" => crate::audit::schema::tls(),
            _ => crate::audit::schema::http(),
        }
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        _decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<serde_json::Value, ProbeFailure>> {
        Box::pin(async move { probe(target, cx).await })
    }

    fn record(&self, into: &mut EndpointEvidence, outcome: Observation<serde_json::Value>) {
        record_transport(into, outcome);
    }

    fn summary(&self, observed: &serde_json::Value) -> String {
        summarize_transport(observed)
    }
}

/// Runs the TLS probe and, on success, one HTTP request over the connection.
/// Reports the first contact as soon as the handshake is decided, so the
/// endpoint's other probes need not wait for the HTTP answer.
async fn probe(target: &EndpointTarget, cx: &ProbeContext) -> Result<serde_json::Value, ProbeFailure> {
    let (stream, tls) = match handshake(target, cx, &[b"http/1.1"]).await {
        Ok(done) => done,
        Err(f) if raw_can_help(&f) => {
            cx.report_contact(&target.id, Contact::Reachable);
            let Some(tls) = raw_fallback(target, cx, &f).await else {
                return Err(f);
            };
            let http = ProbeFailure::new(
                "handshake",
                format!("no HTTP request: rustls refused the TLS handshake ({})", f.reason),
            );
            return Transport {
                tls: Observation::Observed(tls),
                http: Observation::Error(http),
            }
            .into_value();
        }
        Err(f) => {
            cx.report_contact(
                &target.id,
                if unreachable(&f) {
                    Contact::Unreachable(f.clone())
                } else {
                    Contact::Reachable
                },
            );
            return Err(f);
        }
    };
    let mut tls = tls;
    tls.one_connection_at_a_time = serves_one_at_a_time(target, cx).await;
    cx.report_contact(
        &target.id,
        if tls.one_connection_at_a_time {
            Contact::Serial
        } else {
            Contact::Reachable
        },
    );
    let within = limit(cx.io_timeout);
    let http = super::http::get_head_within(stream, &target.server_name, &target.path, within, true).await;
    Transport {
        tls: Observation::Observed(tls),
        http: match http {
            Ok(h) => Observation::Observed(h),
            Err(f) => Observation::Error(f),
        },
    }
    .into_value()
}
