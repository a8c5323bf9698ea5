//! The legacy-protocol probe: raw ClientHellos ([`super::legacy`]) find
//! what rustls can never negotiate: SSL 3.0, TLS 1.0/1.1, weak TLS 1.2
//! suites, missing fallback protection or secure renegotiation.

use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, Scheme};

/// Scans an https endpoint with hand-built ClientHellos.
pub struct LegacyProbe;

impl EndpointProbe for LegacyProbe {
    fn name(&self) -> &'static str {
        "legacy"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
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
            let sni = (target.server_name.parse::<std::net::IpAddr>().is_err()).then_some(target.server_name.as_str());
            let scan = super::legacy::scan(addr, sni, cx.io_timeout)
                .await
                .map_err(|e| ProbeFailure::new("connect", e))?;
            if !scan.tls_spoken {
                // Every answer was garbage or silence: no refusal was seen,
                // so nothing may pass on what this scan found.
                let first = scan.transcript.iter().find_map(|(label, a)| match a {
                    super::legacy::HelloAnswer::Garbage { detail } => Some(format!("{label}: {detail}")),
                    _ => None,
                });
                if let Some(first) = first {
                    return Err(ProbeFailure::new(
                        "handshake",
                        format!(
                            "no ClientHello got a TLS answer (a ServerHello or an alert), so the port does not speak TLS; first answer: {first}"
                        ),
                    ));
                }
            }
            let versions: Vec<&str> = scan.accepted_versions.iter().map(|v| v.label()).collect();
            let legacy_versions: Vec<&str> = scan
                .accepted_versions
                .iter()
                .filter(|v| **v < super::legacy::LegacyVersion::Tls1_2)
                .map(|v| v.label())
                .collect();
            let weak: Vec<serde_json::Value> = scan
                .weak_suites
                .iter()
                .map(|(class, id)| {
                    serde_json::json!({
                        "class": class,
                        "suite": format!("0x{id:04X}"),
                        "name": super::legacy::suite_name(*id).unwrap_or("unknown"),
                    })
                })
                .collect();
            let classes: Vec<serde_json::Value> = scan.weak_suites.iter().map(|(c, _)| serde_json::json!(c)).collect();
            Ok(serde_json::json!({
                "accepted_versions": versions,
                "legacy_versions": legacy_versions,
                "tls12_accepted": scan.accepted_versions.contains(&super::legacy::LegacyVersion::Tls1_2),
                "tls13_accepted": scan.tls13_accepted,
                "weak_suites": weak,
                "weak_classes": classes,
                "fallback_scsv": scan.fallback_scsv,
                "secure_renegotiation": scan.secure_renegotiation,
                "extended_master_secret": scan.extended_master_secret,
                "compression": scan.compression_accepted,
                "transcript": scan.transcript.iter().map(|(label, answer)| serde_json::json!({"hello": label, "answer": answer})).collect::<Vec<_>>(),
            }))
        })
    }
}

/// The shape of this probe's evidence (`docs/probes/legacy.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    let strings = || Shape::list(Shape::String);
    Shape::object([
        ("accepted_versions", strings()),
        ("legacy_versions", strings()),
        ("tls12_accepted", Shape::Bool),
        ("tls13_accepted", Shape::Bool),
        (
            "weak_suites",
            Shape::list(Shape::object([
                ("class", Shape::String),
                ("suite", Shape::String),
                ("name", Shape::String),
            ])),
        ),
        ("weak_classes", strings()),
        ("fallback_scsv", Shape::nullable(Shape::Bool)),
        ("extended_master_secret", Shape::nullable(Shape::Bool)),
        ("compression", Shape::nullable(Shape::Bool)),
        ("secure_renegotiation", Shape::nullable(Shape::Bool)),
        (
            "transcript",
            Shape::list(Shape::object([
                ("hello", Shape::String),
                // A `HelloAnswer`, tagged by `answer`.
                (
                    "answer",
                    Shape::object([("answer", Shape::String)]).with_optional([
                        ("version", Shape::Int),
                        ("cipher_suite", Shape::Int),
                        ("secure_renegotiation", Shape::Bool),
                        ("extended_master_secret", Shape::Bool),
                        ("compression", Shape::Int),
                        ("level", Shape::Int),
                        ("description", Shape::Int),
                        ("detail", Shape::String),
                    ]),
                ),
            ])),
        ),
    ])
}
