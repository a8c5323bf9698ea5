//! The revocation probe: is the served leaf revoked, per the CRL its own
//! certificate names?
//!
//! The chain comes from a handshake of its own (or, when rustls refuses
//! one, from a raw TLS ≤ 1.2 handshake, [`super::raw_chain`]). The leaf's
//! CRL distribution points and OCSP responder URLs are always listed.
//! Fetching a CRL is traffic outside the model, so it happens only when the
//! endpoint declares `tls: { revocation: check }` or the audit runs with
//! `--revocation`; each fetch is listed in the evidence, over plain HTTP
//! only, at most [`MAX_FETCHES`] of them, each bounded by the I/O limit and
//! [`MAX_CRL_BYTES`]. A CRL counts only when its signature verifies with
//! the leaf's issuer (the next certificate sent), it is issued by that
//! issuer, and its `nextUpdate` has not passed. Without a lookup, nothing
//! is claimed (`checked: false`), and the rule stays unverified.
//!
//! Not done: OCSP queries (the URLs are listed, not asked) and stapled OCSP
//! responses.

use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, Scheme};
use serde_json::{Value, json};
use x509_parser::prelude::*;

/// Most CRL URLs fetched per endpoint.
pub const MAX_FETCHES: usize = 2;
/// Largest CRL read.
pub const MAX_CRL_BYTES: usize = 4 * 1024 * 1024;

/// Checks the served leaf against the CRLs it names.
pub struct RevocationProbe;

impl EndpointProbe for RevocationProbe {
    fn name(&self) -> &'static str {
        "revocation"
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
        decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(async move {
            let lookups = decl.tls.revocation == crate::model::RevocationMode::Check || cx.revocation_lookups;
            let chain = served_chain(target, cx).await?;
            Ok(judge(&chain, lookups, cx).await)
        })
    }
}

/// The shape of this probe's evidence (`docs/probes/revocation.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    Shape::object([
        ("crl_urls", Shape::list(Shape::String)),
        ("ocsp_urls", Shape::list(Shape::String)),
        ("lookups_allowed", Shape::Bool),
        ("checked", Shape::Bool),
        ("revoked", Shape::nullable(Shape::Bool)),
        ("reason", Shape::String),
        (
            "fetches",
            Shape::list(Shape::object([("url", Shape::String), ("outcome", Shape::String)])),
        ),
    ])
}

/// The chain as served (DER, leaf first).
async fn served_chain(target: &EndpointTarget, cx: &ProbeContext) -> Result<Vec<Vec<u8>>, ProbeFailure> {
    match super::tls::handshake(target, cx, &[]).await {
        Ok((stream, _)) => {
            let (_, conn) = stream.get_ref();
            Ok(conn
                .peer_certificates()
                .map(|c| c.iter().map(|d| d.as_ref().to_vec()).collect())
                .unwrap_or_default())
        }
        Err(f) if f.stage == "handshake" => {
            let addr = super::tls::resolve(target, cx).await?;
            let sni = target
                .server_name
                .parse::<std::net::IpAddr>()
                .is_err()
                .then_some(target.server_name.as_str());
            super::raw_chain::fetch(addr, sni, super::deadline::limit(cx.io_timeout))
                .await
                .map(|c| c.certificates)
                .map_err(|raw| ProbeFailure::new("handshake", format!("{}; raw handshake: {raw}", f.reason)))
        }
        Err(f) => Err(f),
    }
}

/// The URLs a certificate names: (CRL distribution points, OCSP responders).
fn urls(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<String>) {
    let (mut crl, mut ocsp) = (Vec::new(), Vec::new());
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::CRLDistributionPoints(points) => {
                for p in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                        for n in names {
                            if let GeneralName::URI(u) = n {
                                crl.push((*u).to_string());
                            }
                        }
                    }
                }
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in aia.iter() {
                    if d.access_method == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_OCSP
                        && let GeneralName::URI(u) = &d.access_location
                    {
                        ocsp.push((*u).to_string());
                    }
                }
            }
            _ => {}
        }
    }
    (crl, ocsp)
}

/// The evidence for `chain`: URLs, and the CRL verdict when lookups are
/// allowed.
async fn judge(chain: &[Vec<u8>], lookups: bool, cx: &ProbeContext) -> Value {
    let evidence =
        |crl: &[String], ocsp: &[String], checked: bool, revoked: Option<bool>, reason: String, fetches: &[Value]| {
            json!({
                "crl_urls": crl,
                "ocsp_urls": ocsp,
                "lookups_allowed": lookups,
                "checked": checked,
                "revoked": revoked,
                "reason": reason,
                "fetches": fetches,
            })
        };
    let Some(Ok((_, leaf))) = chain.first().map(|d| X509Certificate::from_der(d)) else {
        return evidence(&[], &[], false, None, "the leaf certificate does not parse".into(), &[]);
    };
    let (crl_urls, ocsp_urls) = urls(&leaf);
    if crl_urls.is_empty() && ocsp_urls.is_empty() {
        return evidence(
            &[],
            &[],
            false,
            None,
            "the leaf names no CRL distribution point and no OCSP responder".into(),
            &[],
        );
    }
    if !lookups {
        return evidence(
            &crl_urls,
            &ocsp_urls,
            false,
            None,
            "revocation lookups are off: declare `tls: { revocation: check }` on the endpoint or pass --revocation"
                .into(),
            &[],
        );
    }
    let Some(Ok((_, issuer))) = chain.get(1).map(|d| X509Certificate::from_der(d)) else {
        return evidence(
            &crl_urls,
            &ocsp_urls,
            false,
            None,
            "the server sent no issuer certificate, so no CRL signature can be verified".into(),
            &[],
        );
    };
    let mut fetches = Vec::new();
    for url in crl_urls.iter().take(MAX_FETCHES) {
        let outcome = match fetch(url, cx).await {
            Err(why) => why,
            Ok(der) => match verdict(&der, &leaf, &issuer, cx) {
                Ok(revoked) => {
                    fetches.push(json!({"url": url, "outcome": if revoked { "revoked" } else { "not revoked" }}));
                    let reason = if revoked {
                        format!(
                            "the leaf's serial {} is on the CRL at {url}",
                            leaf.raw_serial_as_string()
                        )
                    } else {
                        format!("the leaf is not on the CRL at {url} (signed by its issuer, current)")
                    };
                    return evidence(&crl_urls, &ocsp_urls, true, Some(revoked), reason, &fetches);
                }
                Err(why) => why,
            },
        };
        fetches.push(json!({"url": url, "outcome": outcome}));
    }
    let reason = if crl_urls.is_empty() {
        "the leaf names only OCSP responders, and OCSP lookups are not implemented".to_string()
    } else {
        "no CRL could be used (see fetches)".to_string()
    };
    evidence(&crl_urls, &ocsp_urls, false, None, reason, &fetches)
}

/// Whether `leaf` is on the CRL `der`, once the CRL is shown to be
/// `issuer`'s and current.
fn verdict(
    der: &[u8],
    leaf: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    cx: &ProbeContext,
) -> Result<bool, String> {
    let (_, crl) = x509_parser::parse_x509_crl(der).map_err(|e| format!("not a CRL: {e}"))?;
    if crl.issuer() != issuer.subject() {
        return Err(format!(
            "the CRL is issued by {}, not by the leaf's issuer {}",
            crl.issuer(),
            issuer.subject()
        ));
    }
    crl.verify_signature(issuer.public_key())
        .map_err(|e| format!("the CRL's signature does not verify with the issuer's key: {e}"))?;
    let now = cx.now.as_secs() as i64;
    if let Some(next) = crl.next_update()
        && next.timestamp() < now
    {
        return Err(format!("the CRL is stale: its nextUpdate {next} has passed"));
    }
    Ok(crl
        .iter_revoked_certificates()
        .any(|r| r.raw_serial() == leaf.raw_serial()))
}

/// GETs `url` (plain HTTP only), bounded by the I/O limit and
/// [`MAX_CRL_BYTES`].
async fn fetch(url: &str, cx: &ProbeContext) -> Result<Vec<u8>, String> {
    if !url.starts_with("http://") {
        return Err(format!("not fetched: only http:// CRL URLs are fetched ({url})"));
    }
    let within = super::deadline::limit(cx.io_timeout);
    let client = reqwest::Client::builder()
        .timeout(within)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("fetching failed: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("reading the CRL: {e}"))? {
        if body.len() + chunk.len() > MAX_CRL_BYTES {
            return Err(format!("the CRL is larger than {MAX_CRL_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
