//! The TLS vulnerability probes ([`super::vulns`]), one registry entry per
//! check so that each has its own deadline, evidence kind and rule:
//! `heartbleed`, `ccs_injection`, `robot`, `renegotiation` and
//! `resumption` (session resumption and 0-RTT). Keys are documented in
//! `docs/probes/tls_vulns.md`.

use super::vulns::{self, VulnError};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::audit::schema::Shape;
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, Scheme};

/// A [`VulnError`] as the probe failure recorded in the evidence.
fn failure(e: VulnError) -> ProbeFailure {
    let stage = match &e {
        VulnError::Connect { .. } => "connect",
        VulnError::Flight(_) => "handshake",
        VulnError::Io(_) | VulnError::Answer(_) => "answer",
        VulnError::NoTime(_) => "timeout",
    };
    ProbeFailure::new(stage, e.to_string())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ProbeFailure> {
    serde_json::to_value(value).map_err(|e| ProbeFailure::new("internal", format!("cannot record evidence: {e}")))
}

/// The SNI to send: the server name unless it is an IP address.
fn sni(target: &EndpointTarget) -> Option<&str> {
    (target.server_name.parse::<std::net::IpAddr>().is_err()).then_some(target.server_name.as_str())
}

fn verdict_shape() -> Shape {
    Shape::String
}

/// One registry entry for a raw-socket check: its evidence kind, the shape
/// of what it records, the check it runs and its status line. The four
/// checks differ in nothing else.
macro_rules! raw_check_probe {
    ($(#[$doc:meta])* $probe:ident, $name:literal, $check:path, shape: $shape:expr, summary: |$v:ident| $summary:expr $(,)?) => {
        $(#[$doc])*
        pub struct $probe;

        impl EndpointProbe for $probe {
            fn name(&self) -> &'static str {
                $name
            }

            fn facts_shape(&self, _kind: &str) -> Shape {
                $shape
            }

            fn applies(&self, target: &EndpointTarget, _decl: &Endpoint) -> bool {
                target.scheme == Scheme::Https
            }

            fn run<'a>(
                &'a self,
                target: &'a EndpointTarget,
                _decl: &'a Endpoint,
                cx: &'a ProbeContext,
            ) -> BoxFuture<'a, Result<serde_json::Value, ProbeFailure>> {
                Box::pin(async move {
                    let addr = super::tls::resolve(target, cx).await?;
                    let seen = $check(addr, sni(target), cx.io_timeout).await.map_err(failure)?;
                    to_json(&seen)
                })
            }

            fn summary(&self, $v: &serde_json::Value) -> String {
                $summary
            }
        }
    };
}

raw_check_probe!(
    /// Heartbleed (CVE-2014-0160): [`vulns::heartbleed`].
    HeartbleedProbe,
    "heartbleed",
    vulns::heartbleed::check,
    shape: Shape::object([
        ("verdict", verdict_shape()),
        ("heartbeat_negotiated", Shape::Bool),
        ("version", Shape::String),
        ("answer", Shape::String),
        ("response_bytes", Shape::nullable(Shape::Int)),
        ("connections", Shape::Int),
    ]),
    summary: |observed| format!("heartbleed: {}", observed["verdict"].as_str().unwrap_or("?")),
);

raw_check_probe!(
    /// CCS injection (CVE-2014-0224): [`vulns::ccs`].
    CcsInjectionProbe,
    "ccs_injection",
    vulns::ccs::check,
    shape: Shape::object([
        ("verdict", verdict_shape()),
        ("version", Shape::String),
        ("answer", Shape::String),
        ("connections", Shape::Int),
    ]),
    summary: |observed| format!("CCS injection: {}", observed["verdict"].as_str().unwrap_or("?")),
);

raw_check_probe!(
    /// ROBOT: [`vulns::robot`].
    RobotProbe,
    "robot",
    vulns::robot::check,
    shape: {
        let answers = || Shape::list(Shape::object([("variant", Shape::String), ("answer", Shape::String)]));
        Shape::object([
            ("verdict", verdict_shape()),
            ("oracle", Shape::nullable(Shape::String)),
            ("reason", Shape::String),
            ("version", Shape::nullable(Shape::String)),
            ("suite", Shape::nullable(Shape::String)),
            ("with_finished", answers()),
            ("without_finished", answers()),
            ("connections", Shape::Int),
        ])
    },
    summary: |observed| format!("ROBOT: {}", observed["verdict"].as_str().unwrap_or("?")),
);

raw_check_probe!(
    /// Client-initiated renegotiation: [`vulns::renegotiation`].
    RenegotiationProbe,
    "renegotiation",
    vulns::renegotiation::check,
    shape: Shape::object([
        ("tested", Shape::Bool),
        ("tls12", Shape::Bool),
        ("client_initiated_accepted", Shape::nullable(Shape::Bool)),
        ("reason", Shape::String),
    ]),
    summary: |observed| format!("client renegotiation accepted: {}", observed["client_initiated_accepted"]),
);

/// Session resumption and 0-RTT: [`vulns::resumption`].
pub struct ResumptionProbe;

impl EndpointProbe for ResumptionProbe {
    fn name(&self) -> &'static str {
        "resumption"
    }

    fn facts_shape(&self, _kind: &str) -> Shape {
        let maybe = || Shape::nullable(Shape::Bool);
        Shape::object([
            ("tls13", Shape::Bool),
            ("tls13_tickets_issued", maybe()),
            ("tls13_resumed", maybe()),
            ("early_data_max", Shape::nullable(Shape::Int)),
            ("early_data_offered", maybe()),
            ("early_data_accepted", maybe()),
            ("tls12", Shape::Bool),
            ("tls12_session_id_resumed", maybe()),
            ("tls12_ticket_issued", maybe()),
            ("tls12_ticket_resumed", maybe()),
            ("connections", Shape::Int),
            ("notes", Shape::list(Shape::String)),
        ])
    }

    /// Not where every caller must show a client certificate: the rustls
    /// client has none, so no handshake would complete (the `mtls` probe
    /// covers such endpoints).
    fn applies(&self, target: &EndpointTarget, decl: &Endpoint) -> bool {
        target.scheme == Scheme::Https && !super::requires_client_cert(decl)
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        _decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<serde_json::Value, ProbeFailure>> {
        Box::pin(async move {
            let addr = super::tls::resolve(target, cx).await?;
            let path = if target.path.is_empty() {
                "/"
            } else {
                target.path.as_str()
            };
            let early = format!(
                "HEAD {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                target.server_name
            );
            let seen =
                vulns::resumption::check(addr, &target.server_name, &cx.provider, early.as_bytes(), cx.io_timeout)
                    .await
                    .map_err(|e| ProbeFailure::new("handshake", e))?;
            to_json(&seen)
        })
    }

    fn summary(&self, observed: &serde_json::Value) -> String {
        format!(
            "resumption: TLS 1.3 {}, 0-RTT {}",
            observed["tls13_resumed"], observed["early_data_accepted"]
        )
    }
}
