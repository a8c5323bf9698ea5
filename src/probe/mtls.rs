//! The mTLS probe: does the server ask for a client certificate, which CAs
//! does it name, and whom does it actually serve? Four raw handshakes, each
//! followed by a real HTTP request: no certificate, a self-signed one from
//! an unknown CA (made on the spot), an expired one from the right CA and
//! the declared one (both when supplied, by reference). Evidence keys are
//! documented in `docs/probes/mtls.md`.
//!
//! The server certificate is only observed here (the TLS probe judges it);
//! this probe is about client authentication. The client certificates sent
//! are public, and the handshake signature made with their key is bound to
//! that one handshake, so observe-only is safe.

use super::exchange::{self, Outcome, Request, TlsFacts};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, MtlsPolicy, Scheme, SecretRef};
use serde_json::{Value, json};
use std::sync::Arc;

/// HTTP statuses that count as "refused at the application" for a
/// connection without an acceptable certificate (495/496 are nginx's
/// "certificate error" and "certificate required").
pub const REFUSAL_STATUSES: &[u16] = &[400, 401, 403, 495, 496];

/// Probes client-certificate authentication.
pub struct MtlsProbe;

/// Where a connection was refused: `handshake`, `first-read`,
/// `http-status` or `not-rejected`.
pub fn rejected_at(o: &Outcome) -> &'static str {
    match o {
        Outcome::HandshakeRefused(_) => "handshake",
        Outcome::ClosedBeforeResponse(_) => "first-read",
        Outcome::Response { status, .. } if REFUSAL_STATUSES.contains(status) => "http-status",
        Outcome::Response { .. } => "not-rejected",
    }
}

fn case(o: &Outcome) -> Value {
    let at = rejected_at(o);
    let (status, detail) = match o {
        Outcome::HandshakeRefused(d) | Outcome::ClosedBeforeResponse(d) => (None, d.clone()),
        Outcome::Response { status, .. } => (Some(*status), format!("HTTP {status}")),
    };
    json!({
        "tested": true,
        "rejected_at": at,
        "refused": at != "not-rejected",
        "status": status,
        "detail": detail,
    })
}

fn untested(why: &str) -> Value {
    json!({
        "tested": false,
        "rejected_at": null,
        "refused": null,
        "status": null,
        "detail": why,
    })
}

/// A fresh self-signed P-256 certificate (valid now, client-auth usage):
/// its only fault is that no CA anyone trusts issued it.
fn unknown_ca_cert(cx: &ProbeContext) -> Result<Arc<rustls::sign::CertifiedKey>, String> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair};
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Strata probe");
    dn.push(DnType::CommonName, "strata-probe-unknown-ca");
    p.distinguished_name = dn;
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let now = time::OffsetDateTime::from_unix_timestamp(cx.now.as_secs() as i64)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    p.not_before = now - time::Duration::days(1);
    p.not_after = now + time::Duration::days(7);
    let cert = p.self_signed(&key).map_err(|e| e.to_string())?;
    let pem = cert.pem();
    exchange::certified_key(cx, &pem, &key.serialize_pem())
}

/// Reads a certificate/key pair given by reference.
fn supplied(
    cx: &ProbeContext,
    target: &EndpointTarget,
    cert: Option<&SecretRef>,
    key: Option<&SecretRef>,
    what: &str,
) -> Result<Option<(Arc<rustls::sign::CertifiedKey>, String)>, String> {
    match (cert, key) {
        (None, None) => Ok(None),
        (Some(c), Some(k)) => {
            let chain = crate::model::secret::read(c, &target.base_dir, &cx.redactor)?;
            let key = crate::model::secret::read(k, &target.base_dir, &cx.redactor)?;
            let ck = exchange::certified_key(cx, chain.expose(), key.expose())?;
            Ok(Some((ck, chain.expose().to_string())))
        }
        _ => Err(format!("{what}: give both the certificate and its key")),
    }
}

/// Lifetime and remaining days of the first certificate of a PEM chain.
fn cert_summary(chain_pem: &str, now: i64) -> Value {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let Some(Ok(der)) = CertificateDer::pem_slice_iter(chain_pem.as_bytes()).next() else {
        return Value::Null;
    };
    match crate::evidence::cert_info(&der) {
        Ok(c) => json!({
            "subject": c.subject,
            "issuer": c.issuer,
            "lifetime_days": (c.not_after - c.not_before) / 86_400,
            "days_left": (c.not_after - now) / 86_400,
        }),
        Err(_) => Value::Null,
    }
}

async fn attempt(
    target: &EndpointTarget,
    cx: &ProbeContext,
    cert: Option<Arc<rustls::sign::CertifiedKey>>,
) -> Result<(TlsFacts, Outcome), ProbeFailure> {
    exchange::send(target, cx, cert, false, &Request::get(&target.path)).await
}

async fn run(target: &EndpointTarget, policy: &MtlsPolicy, cx: &ProbeContext) -> Result<Value, ProbeFailure> {
    let now = cx.now.as_secs() as i64;
    // 1. No certificate: does the server ask, and does it serve us anyway?
    let (facts, none) = attempt(target, cx, None).await?;
    if matches!(none, Outcome::HandshakeRefused(_)) && !facts.cert_requested {
        // Not an mTLS refusal: the handshake itself does not work.
        return Err(ProbeFailure::new(
            "handshake",
            format!(
                "TLS handshake failed before any certificate request: {}",
                match &none {
                    Outcome::HandshakeRefused(d) => d.as_str(),
                    _ => "",
                }
            ),
        ));
    }
    // 2. A certificate from a CA nobody trusts.
    let unknown = match unknown_ca_cert(cx) {
        Ok(ck) => case(&attempt(target, cx, Some(ck)).await?.1),
        Err(e) => untested(&format!("cannot make a self-signed certificate: {e}")),
    };
    // 3. An expired certificate from the right CA, when supplied.
    let expired = match supplied(
        cx,
        target,
        policy.expired_client_cert.as_ref(),
        policy.expired_client_key.as_ref(),
        "expired_client_cert",
    ) {
        Ok(Some((ck, _))) => case(&attempt(target, cx, Some(ck)).await?.1),
        Ok(None) => untested("no expired_client_cert/expired_client_key supplied"),
        Err(e) => untested(&e),
    };
    // 4. The declared client certificate, when supplied.
    let (declared, info) = match supplied(
        cx,
        target,
        policy.client_cert.as_ref(),
        policy.client_key.as_ref(),
        "client_cert",
    ) {
        Ok(Some((ck, pem))) => (case(&attempt(target, cx, Some(ck)).await?.1), cert_summary(&pem, now)),
        Ok(None) => (untested("no client_cert/client_key supplied"), Value::Null),
        Err(e) => (untested(&e), Value::Null),
    };
    Ok(json!({
        "expect": serde_json::to_value(policy.expect).unwrap_or(Value::Null),
        "tls_version": facts.version,
        "cert_requested": facts.cert_requested,
        "ca_names": facts.ca_names,
        "no_cert": case(&none),
        "unknown_ca_cert": unknown,
        "expired_cert": expired,
        "declared_cert": declared,
        "declared_cert_info": info,
    }))
}

impl EndpointProbe for MtlsProbe {
    fn name(&self) -> &'static str {
        "mtls"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, target: &EndpointTarget, decl: &Endpoint) -> bool {
        target.scheme == Scheme::Https && decl.mtls.is_some()
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(async move {
            let Some(policy) = decl.mtls.as_ref() else {
                return Err(ProbeFailure::new("config", "no mtls declared"));
            };
            run(target, policy, cx).await
        })
    }
}

/// The shape of this probe's evidence (`docs/probes/mtls.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    let case = || {
        Shape::object([
            ("tested", Shape::Bool),
            ("rejected_at", Shape::nullable(Shape::String)),
            ("refused", Shape::nullable(Shape::Bool)),
            ("status", Shape::nullable(Shape::Int)),
            ("detail", Shape::String),
        ])
    };
    Shape::object([
        ("expect", Shape::String),
        ("tls_version", Shape::nullable(Shape::String)),
        ("cert_requested", Shape::Bool),
        ("ca_names", Shape::list(Shape::String)),
        ("no_cert", case()),
        ("unknown_ca_cert", case()),
        ("expired_cert", case()),
        ("declared_cert", case()),
        (
            "declared_cert_info",
            Shape::nullable(Shape::object([
                ("subject", Shape::String),
                ("issuer", Shape::String),
                ("lifetime_days", Shape::Int),
                ("days_left", Shape::Int),
            ])),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_classified_by_where_they_happen() {
        assert_eq!(rejected_at(&Outcome::HandshakeRefused("alert".into())), "handshake");
        assert_eq!(
            rejected_at(&Outcome::ClosedBeforeResponse("alert".into())),
            "first-read"
        );
        for (status, at) in [
            (401, "http-status"),
            (403, "http-status"),
            (496, "http-status"),
            (200, "not-rejected"),
            (404, "not-rejected"),
        ] {
            assert_eq!(rejected_at(&Outcome::Response { status, body: vec![] }), at, "{status}");
        }
        let c = case(&Outcome::Response {
            status: 403,
            body: vec![],
        });
        assert_eq!(c["refused"], true);
        assert_eq!(c["status"], 403);
        assert_eq!(untested("x")["refused"], Value::Null);
    }
}
