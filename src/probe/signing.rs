//! The request-signing probe: signs requests with the declared test key
//! and checks that the server accepts a correct one and refuses a replay, a
//! tampered body, a stale timestamp, a reused nonce and an older nonce.
//!
//! Two schemes (`docs/probes/signing.md` describes both byte for byte):
//!
//! * `header-ecdsa-p256`: `X-Strata-Key-Id`, `X-Strata-Timestamp` (Unix
//!   seconds), `X-Strata-Nonce` (monotonic integer) and
//!   `X-Strata-Signature`, the base64 ASN.1 ECDSA P-256 SHA-256 signature
//!   of `timestamp \n nonce \n hex(sha256(body))`;
//! * `http-message-signatures`: RFC 9421 over `@method`, `@path` and
//!   `content-digest` (RFC 9530), with `created`, `nonce`, `keyid` and
//!   `alg="ecdsa-p256-sha256"` (signature `r || s`, RFC 9421 §3.3.4).
//!
//! Refusals count only when the correctly signed request was accepted.
//! The key never leaves this module; signatures and nonces are not kept in
//! the evidence.

use super::exchange::{self, Outcome, Request};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, SigningPolicy, SigningScheme};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::{Value, json};
use std::time::Duration;

/// Probes a request-signing verifier.
pub struct SigningProbe;

/// Skew assumed when the endpoint does not declare `max_skew`.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);
/// Key id sent when the endpoint does not declare `key_id`.
pub const DEFAULT_KEY_ID: &str = "strata-test-key";
/// How far beyond `max_skew` the stale case's timestamp lies.
const STALE_MARGIN_S: i64 = 120;
/// The RFC 9421 algorithm name.
pub const HTTPSIG_ALG: &str = "ecdsa-p256-sha256";

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(data: &[u8]) -> ring::digest::Digest {
    ring::digest::digest(&ring::digest::SHA256, data)
}

/// What the `header-ecdsa-p256` scheme signs.
pub fn header_base(timestamp: i64, nonce: u64, body: &[u8]) -> String {
    format!("{timestamp}\n{nonce}\n{}", hex(sha256(body).as_ref()))
}

/// The RFC 9530 `Content-Digest` value of `body` (SHA-256).
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(sha256(body)))
}

/// The RFC 9421 signature parameters this probe sends, serialised as an
/// inner list (this string is both the `Signature-Input` member value and
/// the `@signature-params` line of the signature base).
pub fn httpsig_params(created: i64, nonce: u64, key_id: &str) -> String {
    format!(
        "(\"@method\" \"@path\" \"content-digest\");created={created};nonce=\"{nonce}\";keyid=\"{}\";alg=\"{HTTPSIG_ALG}\"",
        sf_string(key_id)
    )
}

/// Escapes a structured-field string (RFC 8941 §3.3.3): `"` and `\`.
fn sf_string(s: &str) -> String {
    s.chars()
        .filter(|c| (' '..='~').contains(c))
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

/// The RFC 9421 signature base for `@method`, `@path` and `content-digest`.
pub fn httpsig_base(method: &str, path: &str, content_digest: &str, params: &str) -> String {
    format!(
        "\"@method\": {method}\n\"@path\": {path}\n\"content-digest\": {content_digest}\n\"@signature-params\": {params}"
    )
}

/// The test client's key, loaded for both signature encodings.
struct Signer {
    asn1: EcdsaKeyPair,
    fixed: EcdsaKeyPair,
    rng: ring::rand::SystemRandom,
}

impl Signer {
    fn from_pem(pem: &str) -> Result<Signer, String> {
        use rustls::pki_types::PrivateKeyDer;
        use rustls::pki_types::pem::PemObject;
        let der = match PrivateKeyDer::from_pem_slice(pem.as_bytes()) {
            Ok(PrivateKeyDer::Pkcs8(k)) => k.secret_pkcs8_der().to_vec(),
            Ok(_) => return Err("the signing key must be a PKCS#8 P-256 key (BEGIN PRIVATE KEY)".into()),
            Err(_) => return Err("the signing key is not valid PEM".into()),
        };
        let rng = ring::rand::SystemRandom::new();
        let bad = |_| "the signing key is not a P-256 key".to_string();
        Ok(Signer {
            asn1: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &der, &rng).map_err(bad)?,
            fixed: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng).map_err(bad)?,
            rng,
        })
    }

    fn sign(&self, fixed: bool, msg: &[u8]) -> Result<String, ProbeFailure> {
        let key = if fixed { &self.fixed } else { &self.asn1 };
        key.sign(&self.rng, msg)
            .map(|s| STANDARD.encode(s.as_ref()))
            .map_err(|_| ProbeFailure::new("internal", "signing failed"))
    }
}

/// One signed request, as the cases vary it.
struct Signed<'a> {
    timestamp: i64,
    nonce: u64,
    /// The body the signature covers.
    signed_body: &'a [u8],
    /// The body actually sent (differs only in the tampered case).
    sent_body: &'a [u8],
}

fn build(policy: &SigningPolicy, signer: &Signer, key_id: &str, s: &Signed<'_>) -> Result<Request, ProbeFailure> {
    let mut req = Request::post_json(&policy.path, s.sent_body.to_vec());
    match policy.scheme {
        SigningScheme::HeaderEcdsaP256 => {
            let sig = signer.sign(false, header_base(s.timestamp, s.nonce, s.signed_body).as_bytes())?;
            req.headers.extend([
                ("x-strata-key-id".to_string(), key_id.to_string()),
                ("x-strata-timestamp".to_string(), s.timestamp.to_string()),
                ("x-strata-nonce".to_string(), s.nonce.to_string()),
                ("x-strata-signature".to_string(), sig),
            ]);
        }
        SigningScheme::HttpMessageSignatures => {
            let digest = content_digest(s.signed_body);
            let params = httpsig_params(s.timestamp, s.nonce, key_id);
            let path = req.path.split('?').next().unwrap_or("/").to_string();
            let sig = signer.sign(true, httpsig_base("POST", &path, &digest, &params).as_bytes())?;
            req.headers.extend([
                ("content-digest".to_string(), digest),
                ("signature-input".to_string(), format!("sig1={params}")),
                ("signature".to_string(), format!("sig1=:{sig}:")),
            ]);
        }
        SigningScheme::None => {
            return Err(ProbeFailure::new("config", "signing scheme `none` cannot be probed"));
        }
    }
    Ok(req)
}

#[derive(Debug, Clone)]
struct Sent {
    status: Option<u16>,
    accepted: bool,
    detail: String,
}

fn sent(o: Outcome) -> Sent {
    match o {
        Outcome::Response { status, .. } => Sent {
            status: Some(status),
            accepted: (200..300).contains(&status),
            detail: format!("HTTP {status}"),
        },
        Outcome::HandshakeRefused(d) | Outcome::ClosedBeforeResponse(d) => Sent {
            status: None,
            accepted: false,
            detail: format!("connection closed: {d}"),
        },
    }
}

fn judge(s: &Sent, valid_accepted: bool, bad: &str) -> Value {
    let (verdict, reason) = if s.accepted {
        ("accepted", format!("{}: {bad}", s.detail))
    } else if valid_accepted {
        ("refused", format!("refused ({})", s.detail))
    } else {
        (
            "unverified",
            format!(
                "refused ({}), but the correctly signed request was refused too, so this proves nothing",
                s.detail
            ),
        )
    };
    json!({"status": s.status, "accepted": s.accepted, "verdict": verdict, "reason": reason})
}

async fn run(target: &EndpointTarget, policy: &SigningPolicy, cx: &ProbeContext) -> Result<Value, ProbeFailure> {
    let key = crate::model::secret::read(&policy.key, &target.base_dir, &cx.redactor)
        .map_err(|e| ProbeFailure::new("config", e))?;
    let signer = Signer::from_pem(key.expose()).map_err(|e| ProbeFailure::new("config", e))?;
    drop(key);
    let key_id = policy.key_id.as_deref().unwrap_or(DEFAULT_KEY_ID);
    let skew = policy.max_skew.unwrap_or(DEFAULT_MAX_SKEW);
    let skew_s = i64::try_from(skew.as_secs()).unwrap_or(i64::MAX / 2);
    // The wall clock, not the audit clock: freshness is judged by the server.
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let now = since.as_secs() as i64;
    // Microseconds: larger than any nonce an earlier audit sent.
    let n0 = u64::try_from(since.as_micros()).unwrap_or(u64::MAX / 2);

    let send = |req: Request| async move { exchange::send(target, cx, None, true, &req).await.map(|(_, o)| sent(o)) };
    let body_a = br#"{"probe":"strata","case":"valid","amount":1}"#;
    let body_b = br#"{"probe":"strata","case":"tamper","amount":1}"#;
    let body_b2 = br#"{"probe":"strata","case":"tamper","amount":9}"#;
    let body_c = br#"{"probe":"strata","case":"stale","amount":1}"#;
    let body_d = br#"{"probe":"strata","case":"reuse","amount":1}"#;
    let body_e = br#"{"probe":"strata","case":"older","amount":1}"#;
    let req = |ts: i64, nonce: u64, signed: &[u8], sent: &[u8]| {
        build(
            policy,
            &signer,
            key_id,
            &Signed {
                timestamp: ts,
                nonce,
                signed_body: signed,
                sent_body: sent,
            },
        )
    };

    let valid_req = req(now, n0, body_a, body_a)?;
    let valid = send(valid_req.clone()).await?;
    let replay = send(valid_req).await?;
    let tampered = send(req(now, n0 + 1, body_b, body_b2)?).await?;
    let stale = send(req(now - skew_s - STALE_MARGIN_S, n0 + 2, body_c, body_c)?).await?;
    let reused = send(req(now + 1, n0, body_d, body_d)?).await?;
    let older = send(req(now + 1, n0.saturating_sub(1_000), body_e, body_e)?).await?;

    let ok = valid.accepted;
    Ok(json!({
        "scheme": serde_json::to_value(policy.scheme).unwrap_or(Value::Null),
        "path": policy.path,
        "key_id": key_id,
        "max_skew_s": skew_s,
        "stale_by_s": skew_s + STALE_MARGIN_S,
        "valid": {
            "status": valid.status,
            "accepted": valid.accepted,
            "verdict": if ok { "accepted" } else { "refused" },
            "reason": if ok { format!("accepted ({})", valid.detail) } else { format!("the correctly signed request was refused ({})", valid.detail) },
        },
        "replay": judge(&replay, ok, "the identical request was accepted a second time"),
        "tampered_body": judge(&tampered, ok, "a body that differs from the signed one was accepted"),
        "stale_timestamp": judge(&stale, ok, "a signature older than the allowed skew was accepted"),
        "reused_nonce": judge(&reused, ok, "a new request reusing an earlier nonce was accepted"),
        "older_nonce": judge(&older, ok, "a nonce lower than one already accepted was accepted"),
    }))
}

impl EndpointProbe for SigningProbe {
    fn name(&self) -> &'static str {
        "signing"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, _target: &EndpointTarget, decl: &Endpoint) -> bool {
        decl.signing.as_ref().is_some_and(|s| s.scheme != SigningScheme::None)
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(async move {
            let Some(policy) = decl.signing.as_ref() else {
                return Err(ProbeFailure::new("config", "no signing declared"));
            };
            run(target, policy, cx).await
        })
    }
}

/// The shape of this probe's evidence (`docs/probes/signing.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    let case = || {
        Shape::object([
            ("status", Shape::nullable(Shape::Int)),
            ("accepted", Shape::Bool),
            ("verdict", Shape::String),
            ("reason", Shape::String),
        ])
    };
    Shape::object([
        ("scheme", Shape::String),
        ("path", Shape::String),
        ("key_id", Shape::String),
        ("max_skew_s", Shape::Int),
        ("stale_by_s", Shape::Int),
        ("valid", case()),
        ("replay", case()),
        ("tampered_body", case()),
        ("stale_timestamp", case()),
        ("reused_nonce", case()),
        ("older_nonce", case()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_digest_matches_rfc_9530() {
        // RFC 9530 §2, the `{"hello": "world"}` example.
        assert_eq!(
            content_digest(br#"{"hello": "world"}"#),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
        );
    }

    #[test]
    fn signature_bases_are_byte_exact() {
        assert_eq!(
            header_base(1_700_000_000, 42, b""),
            "1700000000\n42\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let params = httpsig_params(1_618_884_473, 7, "test-key-ecc-p256");
        assert_eq!(
            params,
            r#"("@method" "@path" "content-digest");created=1618884473;nonce="7";keyid="test-key-ecc-p256";alg="ecdsa-p256-sha256""#
        );
        assert_eq!(
            httpsig_base(
                "POST",
                "/foo",
                "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
                &params
            ),
            concat!(
                "\"@method\": POST\n",
                "\"@path\": /foo\n",
                "\"content-digest\": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:\n",
                "\"@signature-params\": (\"@method\" \"@path\" \"content-digest\");created=1618884473;nonce=\"7\";keyid=\"test-key-ecc-p256\";alg=\"ecdsa-p256-sha256\""
            )
        );
        assert_eq!(sf_string("a\"b\\c\n"), "a\\\"b\\\\c");
    }
}
