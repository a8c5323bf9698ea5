//! The TLS probe: a real handshake that keeps whatever chain the server
//! presents, verifies it separately, and reads one HTTP response (for HSTS)
//! over the same connection.

use super::ProbeContext;
use super::diagnose::{self, Tap};
use super::verify::{ObserveOnlyVerifier, hostname_matches, verify_chain};
use crate::evidence::{CertInfo, EndpointEvidence, Observation, ProbeFailure, TlsEvidence, cert_info};
use crate::model::EndpointTarget;
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Resolves the endpoint's host and port (bounded) to the first address.
pub async fn resolve(target: &EndpointTarget, cx: &ProbeContext) -> Result<std::net::SocketAddr, ProbeFailure> {
    let addr = format!("{}:{}", bracket(&target.host), target.port);
    let mut addrs = tokio::time::timeout(cx.connect_timeout, tokio::net::lookup_host(&addr))
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
    let stream = tokio::time::timeout(cx.connect_timeout, TcpStream::connect(first))
        .await
        .map_err(|_| {
            ProbeFailure::new(
                "connect",
                format!("connecting to {first} timed out after {:?}", cx.connect_timeout),
            )
        })?
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
    let tls = match tokio::time::timeout(cx.io_timeout, connector.connect(server_name.clone(), tcp)).await {
        Err(_) => return Err(diagnose::handshake_timeout_failure(&record, cx.io_timeout)),
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

    let anchors = cx.anchors_for(target).map_err(|e| ProbeFailure::new("config", e))?;
    let mut chain: Vec<CertInfo> = Vec::new();
    for (i, der) in ders.iter().enumerate() {
        chain.push(cert_info(der).map_err(|e| ProbeFailure::new("handshake", format!("certificate #{i}: {e}")))?);
    }
    let verification = verify_chain(&ders, &server_name, &anchors, provider, cx.now);
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
    };
    Ok((tls, evidence))
}

/// Runs the TLS probe and, on success, one HTTP request over the connection.
pub async fn probe(target: &EndpointTarget, cx: &ProbeContext) -> EndpointEvidence {
    match handshake(target, cx, &[b"http/1.1"]).await {
        Err(f) => EndpointEvidence {
            tls: Observation::Error(f.clone()),
            http: Observation::Error(f),
            ..EndpointEvidence::default()
        },
        Ok((stream, tls)) => {
            let http =
                super::http::get_head_within(stream, &target.server_name, &target.path, cx.io_timeout, true).await;
            EndpointEvidence {
                tls: Observation::Observed(tls),
                http: match http {
                    Ok(h) => Observation::Observed(h),
                    Err(f) => Observation::Error(f),
                },
                ..EndpointEvidence::default()
            }
        }
    }
}

/// Probes a cleartext `http://` endpoint: one request, no TLS.
pub async fn probe_cleartext(target: &EndpointTarget, cx: &ProbeContext) -> EndpointEvidence {
    let http = async {
        let tcp = connect(target, cx).await?;
        super::http::get_head_within(tcp, &target.host, &target.path, cx.io_timeout, false).await
    }
    .await;
    EndpointEvidence {
        tls: Observation::NotProbed,
        http: match http {
            Ok(h) => Observation::Observed(h),
            Err(f) => Observation::Error(f),
        },
        ..EndpointEvidence::default()
    }
}
