//! The enrollment probe (active): tries to enroll keys the way an attacker
//! would and records whether the server issues a certificate. Cases, in
//! order: a fresh CSR with no attestation; the same with a bogus
//! attestation token; a CSR whose signature does not match its key (broken
//! proof of possession); then, with a supplied valid test token, a genuine
//! enrollment and a replay of the same token.
//!
//! A refusal only counts when a request differing in just that defect was
//! accepted (the baseline): a server that refuses everything, or a wrong
//! `body_template`, proves nothing. Evidence keys are documented in
//! `docs/probes/enrollment.md`. No token, CSR or certificate enters the
//! evidence.

use super::exchange::{self, Outcome, Request};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::secret::Secret;
use crate::model::{Endpoint, EndpointTarget, EnrollmentPolicy};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Probes a device-enrollment endpoint.
pub struct EnrollmentProbe;

/// Longest challenge nonce accepted from a server.
const MAX_NONCE: usize = 512;
/// Longest attestation token accepted from `attestation_token_path`.
const MAX_FETCHED_TOKEN: usize = 8 * 1024;

/// A compact JWS (ES256) over `claims`, signed with a PKCS#8 P-256 key.
/// Used for the bogus token (a fresh key nobody trusts) and, in the test
/// suite, to mint the lab's test token.
pub fn es256_jws(pkcs8_der: &[u8], claims: &Value) -> Result<String, String> {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
    let rng = ring::rand::SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8_der, &rng)
        .map_err(|_| "not a PKCS#8 P-256 key".to_string())?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let sig = key
        .sign(&rng, input.as_bytes())
        .map_err(|_| "signing failed".to_string())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref())))
}

fn random_hex(bytes: usize) -> String {
    use ring::rand::SecureRandom;
    let mut b = vec![0u8; bytes];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A token that looks like an attestation but that no authority signed:
/// the supplied token with a corrupted signature, or a JWS signed by a
/// fresh key. Returns the token and its kind.
fn bogus_token(valid: Option<&str>, now: i64) -> Result<(String, &'static str), String> {
    if let Some(v) = valid {
        let parts: Vec<&str> = v.split('.').collect();
        if parts.len() == 3
            && let Ok(mut sig) = URL_SAFE_NO_PAD.decode(parts[2])
            && !sig.is_empty()
        {
            sig[0] ^= 0x5a;
            return Ok((
                format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig)),
                "supplied-token-bad-signature",
            ));
        }
    }
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let claims = json!({
        "iss": "strata-probe",
        "nonce": random_hex(16),
        "iat": now,
        "exp": now + 300,
        "verdict": "MEETS_DEVICE_INTEGRITY",
    });
    Ok((es256_jws(&key.serialize_der(), &claims)?, "self-signed-jws"))
}

/// A fresh P-256 key and its CSR (PEM). With `break_pop`, one bit of the
/// CSR's signature is flipped: the key inside no longer proves possession.
fn csr(break_pop: bool) -> Result<(String, Vec<u8>), String> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PublicKeyData};
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "strata-probe-device");
    p.distinguished_name = dn;
    let req = p.serialize_request(&key).map_err(|e| e.to_string())?;
    let mut der = req.der().to_vec();
    if break_pop {
        // The DER ends inside the signature's `s` integer: flipping a bit
        // there keeps the encoding valid and breaks the signature.
        if let Some(last) = der.last_mut() {
            *last ^= 0x01;
        }
    }
    Ok((pem("CERTIFICATE REQUEST", &der), key.subject_public_key_info()))
}

fn pem(label: &str, der: &[u8]) -> String {
    crate::evidence::cert::to_pem(label, der)
}

/// One request's result.
#[derive(Debug, Clone)]
struct Sent {
    status: Option<u16>,
    accepted: bool,
    detail: String,
    body: Vec<u8>,
}

fn sent(o: Outcome) -> Sent {
    match o {
        Outcome::Response { status, body } => Sent {
            status: Some(status),
            accepted: (200..300).contains(&status),
            detail: format!("HTTP {status}"),
            body,
        },
        Outcome::HandshakeRefused(d) | Outcome::ClosedBeforeResponse(d) => Sent {
            status: None,
            accepted: false,
            detail: format!("connection closed: {d}"),
            body: Vec::new(),
        },
    }
}

/// A negative case: accepted is a finding on its own; refused counts only
/// when `baseline` (the same request without the defect) was accepted.
fn judge(s: &Sent, baseline: Result<(), String>, bad: &str) -> Value {
    let (verdict, reason) = if s.accepted {
        ("accepted", format!("{}: {bad}", s.detail))
    } else {
        match baseline {
            Ok(()) => ("refused", format!("refused ({})", s.detail)),
            Err(why) => ("unverified", format!("refused ({}), but {why}", s.detail)),
        }
    };
    json!({"tested": true, "status": s.status, "accepted": s.accepted, "verdict": verdict, "reason": reason})
}

fn not_tested(reason: &str) -> Value {
    json!({"tested": false, "status": null, "accepted": null, "verdict": "not-tested", "reason": reason})
}

struct Enroller<'a> {
    target: &'a EndpointTarget,
    policy: &'a EnrollmentPolicy,
    cx: &'a ProbeContext,
}

impl Enroller<'_> {
    /// A challenge nonce, when the endpoint hands them out.
    async fn nonce(&self) -> Result<String, ProbeFailure> {
        let Some(path) = &self.policy.challenge_path else {
            return Ok(String::new());
        };
        let (_, o) = exchange::send(self.target, self.cx, None, true, &Request::get(path)).await?;
        let fail = |why: String| ProbeFailure::new("http", format!("challenge {path}: {why}"));
        match o {
            Outcome::Response { status, body } if (200..300).contains(&status) => {
                let v: Value = serde_json::from_slice(&body).map_err(|_| fail("the answer is not JSON".into()))?;
                let n = match &v["nonce"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(fail("no `nonce` in the answer".into())),
                };
                if n.len() > MAX_NONCE {
                    return Err(fail("the nonce is too long".into()));
                }
                Ok(n)
            }
            Outcome::Response { status, .. } => Err(fail(format!("HTTP {status}"))),
            Outcome::HandshakeRefused(d) | Outcome::ClosedBeforeResponse(d) => Err(fail(d)),
        }
    }

    /// A fresh test attestation token from `path` on this endpoint (JSON
    /// `{"token": …}`), registered with the audit's redactor before it is
    /// used, so that nothing a server echoes of it reaches the evidence.
    async fn fresh_token(&self, path: &str) -> Result<Secret, ProbeFailure> {
        let (_, o) = exchange::send(self.target, self.cx, None, true, &Request::get(path)).await?;
        let fail = |why: String| ProbeFailure::new("http", format!("attestation token {path}: {why}"));
        match o {
            Outcome::Response { status, body } if (200..300).contains(&status) => {
                let v: Value = serde_json::from_slice(&body).map_err(|_| fail("the answer is not JSON".into()))?;
                let t = v["token"].as_str().map(str::trim).unwrap_or_default();
                if t.is_empty() {
                    return Err(fail("no `token` in the answer".into()));
                }
                if t.len() > MAX_FETCHED_TOKEN {
                    return Err(fail("the token is too long".into()));
                }
                self.cx.redactor.register(t);
                Ok(Secret::fetched(t))
            }
            Outcome::Response { status, .. } => Err(fail(format!("HTTP {status}"))),
            Outcome::HandshakeRefused(d) | Outcome::ClosedBeforeResponse(d) => Err(fail(d)),
        }
    }

    /// Sends one enrollment request.
    async fn enroll(&self, csr_pem: &str, attestation: &str) -> Result<Sent, ProbeFailure> {
        let nonce = self.nonce().await?;
        let body = self
            .policy
            .body_template
            .replace("{{csr}}", &exchange::json_escape(csr_pem))
            .replace("{{attestation}}", &exchange::json_escape(attestation))
            .replace("{{nonce}}", &exchange::json_escape(&nonce));
        let req = Request::post_json(&self.policy.path, body.into_bytes());
        let (_, o) = exchange::send(self.target, self.cx, None, true, &req).await?;
        Ok(sent(o))
    }
}

/// The certificate an accepted enrollment returned, if the answer (JSON)
/// holds one in PEM: its lifetime and whether it is for the CSR's key.
fn issued_cert(body: &[u8], csr_spki: &[u8]) -> Value {
    fn find_pem(v: &Value, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match v {
            Value::String(s) if s.contains("-----BEGIN CERTIFICATE-----") => Some(s.clone()),
            Value::Object(m) => m
                .get("certificate")
                .and_then(|c| find_pem(c, depth + 1))
                .or_else(|| m.values().find_map(|x| find_pem(x, depth + 1))),
            Value::Array(a) => a.iter().find_map(|x| find_pem(x, depth + 1)),
            _ => None,
        }
    }
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    use x509_parser::prelude::FromDer;
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Value::Null;
    };
    let Some(text) = find_pem(&v, 0) else {
        return Value::Null;
    };
    let Some(Ok(der)) = CertificateDer::pem_slice_iter(text.as_bytes()).next() else {
        return Value::Null;
    };
    let Ok(info) = crate::evidence::cert_info(&der) else {
        return Value::Null;
    };
    let same_key = x509_parser::certificate::X509Certificate::from_der(&der)
        .map(|(_, c)| c.tbs_certificate.subject_pki.raw == csr_spki)
        .unwrap_or(false);
    json!({
        "subject": info.subject,
        "issuer": info.issuer,
        "lifetime_days": (info.not_after - info.not_before) / 86_400,
        "matches_csr_key": same_key,
    })
}

async fn run(target: &EndpointTarget, policy: &EnrollmentPolicy, cx: &ProbeContext) -> Result<Value, ProbeFailure> {
    let now = cx.now.as_secs() as i64;
    let e = Enroller { target, policy, cx };
    let token = match (&policy.attestation_token, &policy.attestation_token_path) {
        (Some(r), _) => Some(
            crate::model::secret::read(r, &target.base_dir, &cx.redactor)
                .map_err(|e| ProbeFailure::new("config", e))?,
        ),
        (None, Some(path)) => Some(e.fresh_token(path).await?),
        (None, None) => None,
    };
    let make = |broken: bool| csr(broken).map_err(|e| ProbeFailure::new("internal", format!("cannot make a CSR: {e}")));

    // (a) No attestation, (b) a bogus one, (c) broken proof of possession.
    let none = e.enroll(&make(false)?.0, "").await?;
    let (bogus_tok, bogus_kind) =
        bogus_token(token.as_ref().map(|t| t.expose()), now).map_err(|e| ProbeFailure::new("internal", e))?;
    // A forgery, but derived from the real token: as secret as it.
    cx.redactor.register(&bogus_tok);
    let bogus = e.enroll(&make(false)?.0, &bogus_tok).await?;
    let pop_attestation = token.as_ref().map(|t| t.expose()).unwrap_or("");
    let pop = e.enroll(&make(true)?.0, pop_attestation).await?;
    // (d) With the valid token: a genuine enrollment, then the same token again.
    let (genuine, replay, issued) = match &token {
        Some(t) => {
            let (csr_pem, spki) = make(false)?;
            let g = e.enroll(&csr_pem, t.expose()).await?;
            let issued = if g.accepted {
                issued_cert(&g.body, &spki)
            } else {
                Value::Null
            };
            let r = e.enroll(&make(false)?.0, t.expose()).await?;
            (Some(g), Some(r), issued)
        }
        None => (None, None, Value::Null),
    };

    let genuine_ok: Result<(), String> = match &genuine {
        Some(g) if g.accepted => Ok(()),
        Some(g) => Err(format!(
            "the genuine enrollment with the supplied token was refused too ({}): the token may be used up, expired or not for this server",
            g.detail
        )),
        None => Err("no attestation_token was supplied, so no enrollment was shown to succeed".into()),
    };
    // Broken PoP was sent with the valid token when there is one, else with
    // no attestation: its baseline is whichever of those was accepted.
    let pop_baseline = if token.is_some() {
        genuine_ok.clone()
    } else if none.accepted {
        Ok(())
    } else {
        Err("the server refuses enrollments without attestation and no attestation_token was supplied, so the CSR check cannot be isolated".into())
    };
    let genuine_json = match &genuine {
        Some(g) => json!({
            "tested": true, "status": g.status, "accepted": g.accepted,
            "verdict": if g.accepted { "accepted" } else { "refused" },
            "reason": if g.accepted { format!("accepted ({})", g.detail) } else { format!("refused ({})", g.detail) },
        }),
        None => not_tested("no attestation_token supplied"),
    };
    let replay_json = match &replay {
        Some(r) => judge(r, genuine_ok.clone(), "the same attestation token was accepted twice"),
        None => not_tested("no attestation_token supplied: the replay case is unverified"),
    };
    Ok(json!({
        "path": policy.path,
        "challenge_path": policy.challenge_path,
        "token_supplied": token.is_some(),
        "bogus_kind": bogus_kind,
        "no_attestation": judge(&none, genuine_ok.clone(), "a certificate was issued without any attestation"),
        "bogus_attestation": judge(&bogus, genuine_ok.clone(), "a certificate was issued on a forged attestation"),
        "broken_pop": judge(&pop, pop_baseline, "a certificate was issued for a CSR whose signature does not verify"),
        "genuine": genuine_json,
        "replayed_nonce": replay_json,
        "issued_cert": issued,
    }))
}

impl EndpointProbe for EnrollmentProbe {
    fn name(&self) -> &'static str {
        "enrollment"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, _target: &EndpointTarget, decl: &Endpoint) -> bool {
        decl.enrollment.is_some()
    }

    fn active(&self) -> bool {
        true
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(async move {
            let Some(policy) = decl.enrollment.as_ref() else {
                return Err(ProbeFailure::new("config", "no enrollment declared"));
            };
            run(target, policy, cx).await
        })
    }
}

/// The shape of this probe's evidence (`docs/probes/enrollment.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    let case = || {
        Shape::object([
            ("tested", Shape::Bool),
            ("status", Shape::nullable(Shape::Int)),
            ("accepted", Shape::nullable(Shape::Bool)),
            ("verdict", Shape::String),
            ("reason", Shape::String),
        ])
    };
    Shape::object([
        ("path", Shape::String),
        ("challenge_path", Shape::nullable(Shape::String)),
        ("token_supplied", Shape::Bool),
        ("bogus_kind", Shape::String),
        ("no_attestation", case()),
        ("bogus_attestation", case()),
        ("broken_pop", case()),
        ("genuine", case()),
        ("replayed_nonce", case()),
        (
            "issued_cert",
            Shape::nullable(Shape::object([
                ("subject", Shape::String),
                ("issuer", Shape::String),
                ("lifetime_days", Shape::Int),
                ("matches_csr_key", Shape::Bool),
            ])),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::FromDer;

    fn der_of(pem_text: &str) -> Vec<u8> {
        let body: String = pem_text.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(body).expect("base64")
    }

    #[test]
    fn a_broken_csr_parses_but_fails_its_signature_check() {
        let (good, _) = csr(false).expect("csr");
        let (bad, _) = csr(true).expect("csr");
        let good = der_of(&good);
        let bad = der_of(&bad);
        let (_, g) = x509_parser::certification_request::X509CertificationRequest::from_der(&good).expect("parse");
        assert!(g.verify_signature().is_ok());
        let (_, b) = x509_parser::certification_request::X509CertificationRequest::from_der(&bad).expect("parse");
        assert!(b.verify_signature().is_err());
    }

    #[test]
    fn bogus_tokens_keep_the_shape_of_a_jws() {
        let (t, kind) = bogus_token(None, 1_700_000_000).expect("token");
        assert_eq!(kind, "self-signed-jws");
        assert_eq!(t.split('.').count(), 3);
        let (t2, kind) = bogus_token(Some(&t), 0).expect("token");
        assert_eq!(kind, "supplied-token-bad-signature");
        assert_ne!(t, t2);
        assert_eq!(
            t.split('.').take(2).collect::<Vec<_>>(),
            t2.split('.').take(2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn refusals_count_only_against_an_accepted_baseline() {
        let refused = Sent {
            status: Some(403),
            accepted: false,
            detail: "HTTP 403".into(),
            body: vec![],
        };
        assert_eq!(judge(&refused, Ok(()), "x")["verdict"], "refused");
        assert_eq!(judge(&refused, Err("no baseline".into()), "x")["verdict"], "unverified");
        let accepted = Sent {
            status: Some(200),
            accepted: true,
            ..refused
        };
        assert_eq!(judge(&accepted, Err("no baseline".into()), "x")["verdict"], "accepted");
    }
}
