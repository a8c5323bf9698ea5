//! Identity lab apps: mTLS, device enrollment and request signing, each in
//! a good and a deliberately broken variant (ports base + 40 and up).
//!
//! | offset | app | what it does |
//! |---|---|---|
//! | 40 | `mtls-required` | requires a client certificate from the lab CA |
//! | 41 | `mtls-optional` | asks for one, serves clients without |
//! | 42 | `mtls-any-ca` | requires one but accepts ANY certificate (insecure on purpose) |
//! | 43 | `enroll-good` | CSR proof of possession, lab attestation token, single-use nonces, 30-day certificates; fresh test tokens at `/lab/attestation-token` |
//! | 44 | `enroll-broken` | signs any CSR for 10 years, ignores attestation (hands out test tokens too) |
//! | 45 | `signing-good` | verifies both signing schemes, refuses replays, stale and reused nonces |
//! | 46 | `signing-broken` | verifies signatures, nothing else |
//!
//! State (nonces, challenges) lives in each handler's closure and is
//! bounded: a full store refuses new work rather than forget old nonces.
//! The keys used here are test-only files in `assets/lab/`.

use super::pki::{self, LabPki};
use super::{AppScenario, ConnInfo, Handler, json_response, plain_tls, read_body};
use crate::probe::signing::{HTTPSIG_ALG, content_digest, header_base};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::Full;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The lab attestation authority's key (test-only): the lab trusts tokens
/// it signed. `assets/lab/make-identity-material.sh` regenerates it.
const ATTESTATION_AUTHORITY_KEY: &str = include_str!("../../assets/lab/attestation-authority.key");
/// The public key of the signing test client (`sample-projects/identity-lab/secrets/signing.key`).
const SIGNING_CLIENT_PUB: &str = include_str!("../../assets/lab/signing-client.pub.pem");
/// The key ids the signing apps know, all bound to the signing test key.
/// Each id has its own nonce counter (two ids let the sample probe both
/// schemes of one app concurrently).
pub const SIGNING_KEY_IDS: &[&str] = &["lab-device-1", "lab-device-2"];
/// The issuer (`iss`) the enrollment apps expect in attestation tokens.
pub const ATTESTATION_ISSUER: &str = "strata-lab-attestation";
/// The integrity verdict the good enrollment app requires.
pub const ATTESTATION_VERDICT: &str = "MEETS_DEVICE_INTEGRITY";
/// Maximum clock skew of the good signing app, seconds.
pub const SIGNING_MAX_SKEW_S: i64 = 300;
/// Lifetime of certificates issued by `enroll-good`, days.
pub const ENROLL_GOOD_DAYS: i64 = 30;
/// Lifetime of certificates issued by `enroll-broken`, days.
pub const ENROLL_BROKEN_DAYS: i64 = 3650;

const MAX_BODY: usize = 16 * 1024;
const MAX_CHALLENGES: usize = 1024;
const CHALLENGE_TTL_S: i64 = 300;
const MAX_USED_NONCES: usize = 4096;
const HSTS: &str = "max-age=31536000; includeSubDomains";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A JSON answer with HSTS (the transport rules apply to these apps too).
fn reply(status: u16, body: Value) -> hyper::Response<Full<Bytes>> {
    let mut r = json_response(status, &body);
    r.headers_mut().insert(
        hyper::header::STRICT_TRANSPORT_SECURITY,
        hyper::header::HeaderValue::from_static(HSTS),
    );
    r
}

fn refuse(status: u16, why: &str) -> hyper::Response<Full<Bytes>> {
    reply(status, json!({"error": why}))
}

fn random_hex(bytes: usize) -> String {
    use ring::rand::SecureRandom;
    let mut b = vec![0u8; bytes];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn pem_text(label: &str, der: &[u8]) -> String {
    crate::evidence::cert::to_pem(label, der)
}

fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(ConnInfo, hyper::Request<hyper::body::Incoming>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = hyper::Response<Full<Bytes>>> + Send + 'static,
{
    Arc::new(move |info, req| Box::pin(f(info, req)))
}

// ---------------------------------------------------------------- mTLS

fn lab_roots() -> Result<Arc<rustls::RootCertStore>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let root = CertificateDer::from_pem_slice(pki::ROOT_CA_PEM.as_bytes()).map_err(|e| format!("lab root: {e}"))?;
    roots.add(root).map_err(|e| format!("lab root: {e}"))?;
    Ok(Arc::new(roots))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn mtls_tls(
    verifier: Arc<dyn rustls::server::danger::ClientCertVerifier>,
    served: pki::Served,
) -> Result<rustls::ServerConfig, String> {
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("lab TLS config: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(served.chain, served.key)
        .map_err(|e| format!("lab TLS config: {e}"))?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

fn webpki_client_verifier(optional: bool) -> Result<Arc<dyn rustls::server::danger::ClientCertVerifier>, String> {
    let builder = rustls::server::WebPkiClientVerifier::builder_with_provider(lab_roots()?, provider());
    let builder = if optional {
        builder.allow_unauthenticated()
    } else {
        builder
    };
    builder.build().map_err(|e| format!("lab client verifier: {e}"))
}

// ======================= INSECURE ON PURPOSE =======================
// `mtls-any-ca` demonstrates a server that asks for a client certificate
// and then trusts whatever it gets. Never copy this verifier anywhere else.
#[derive(Debug)]
struct AcceptAnyClientCert {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::server::danger::ClientCertVerifier for AcceptAnyClientCert {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        // The flaw being demonstrated: no chain, no issuer, no validity check.
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
// ===================== END INSECURE ON PURPOSE =====================

fn mtls_handler(name: &'static str) -> Handler {
    handler(move |info: ConnInfo, _req| async move {
        let client = info
            .peer_certs
            .as_ref()
            .and_then(|c| c.first())
            .and_then(|leaf| crate::evidence::cert_info(leaf).ok())
            .map(|c| c.subject);
        reply(200, json!({"scenario": name, "client": client}))
    })
}

// ---------------------------------------------------------- enrollment

/// Verifies a lab attestation token (compact JWS, ES256, signed by the
/// lab authority) and returns its nonce. Does not consume the nonce.
pub fn verify_attestation(token: &str, authority_public: &[u8], now: i64) -> Result<String, &'static str> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, sig] = parts.as_slice() else {
        return Err("attestation is not a compact JWS");
    };
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).map_err(|_| "attestation is not base64url");
    let h: Value = serde_json::from_slice(&decode(header)?).map_err(|_| "attestation header is not JSON")?;
    if h["alg"] != "ES256" {
        return Err("attestation must be ES256");
    }
    let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, authority_public);
    key.verify(format!("{header}.{payload}").as_bytes(), &decode(sig)?)
        .map_err(|_| "attestation signature does not verify")?;
    let claims: Value = serde_json::from_slice(&decode(payload)?).map_err(|_| "attestation claims are not JSON")?;
    if claims["iss"] != ATTESTATION_ISSUER {
        return Err("attestation from an unknown issuer");
    }
    if claims["verdict"] != ATTESTATION_VERDICT {
        return Err("device integrity not met");
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp <= now) {
        return Err("attestation expired");
    }
    match claims["nonce"].as_str() {
        Some(n) if !n.is_empty() && n.len() <= 128 => Ok(n.to_string()),
        _ => Err("attestation has no usable nonce"),
    }
}

/// Lifetime of a token from [`ATTESTATION_TOKEN_PATH`], seconds.
pub const FRESH_TOKEN_TTL_S: i64 = 300;
/// Where the enrollment apps hand out fresh test attestation tokens
/// (JSON `{"token": …}`), each with its own nonce: the stand-in for the
/// device's attestation service, so that every audit can show one genuine
/// enrollment and one refused replay. Test-only, like the authority key.
pub const ATTESTATION_TOKEN_PATH: &str = "/lab/attestation-token";

/// A fresh lab attestation token: signed by the lab authority, with a
/// random nonce and [`FRESH_TOKEN_TTL_S`] to live.
pub fn mint_attestation(authority_pkcs8: &[u8], now: i64) -> Result<String, String> {
    let claims = json!({
        "iss": ATTESTATION_ISSUER,
        "sub": "com.strata.lab.app",
        "verdict": ATTESTATION_VERDICT,
        "nonce": format!("lab-{}", random_hex(16)),
        "iat": now,
        "exp": now + FRESH_TOKEN_TTL_S,
        "test_only": true,
    });
    crate::probe::enrollment::es256_jws(authority_pkcs8, &claims)
}

fn authority_pkcs8() -> Result<Vec<u8>, String> {
    let key = rcgen::KeyPair::from_pem(ATTESTATION_AUTHORITY_KEY).map_err(|e| format!("lab attestation key: {e}"))?;
    Ok(key.serialize_der())
}

fn authority_public() -> Result<Vec<u8>, String> {
    let key = rcgen::KeyPair::from_pem(ATTESTATION_AUTHORITY_KEY).map_err(|e| format!("lab attestation key: {e}"))?;
    Ok(key.public_key_raw().to_vec())
}

#[derive(Default)]
struct EnrollState {
    challenges: HashMap<String, i64>,
    used_nonces: HashSet<String>,
    pki: Option<Arc<LabPki>>,
}

impl EnrollState {
    fn pki(&mut self) -> Result<Arc<LabPki>, String> {
        if let Some(p) = &self.pki {
            return Ok(p.clone());
        }
        let p = Arc::new(LabPki::new(time::OffsetDateTime::now_utc())?);
        self.pki = Some(p.clone());
        Ok(p)
    }

    fn new_challenge(&mut self, now: i64) -> Option<String> {
        if self.challenges.len() >= MAX_CHALLENGES {
            self.challenges.retain(|_, exp| *exp > now);
        }
        if self.challenges.len() >= MAX_CHALLENGES {
            return None;
        }
        let n = random_hex(16);
        self.challenges.insert(n.clone(), now + CHALLENGE_TTL_S);
        Some(n)
    }
}

/// A certificate for the CSR's key, from the lab issuing CA.
fn issue(pki: &LabPki, spki_der: &[u8], days: i64) -> Result<Value, String> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose};
    let key = rcgen::SubjectPublicKeyInfo::from_der(spki_der).map_err(|e| e.to_string())?;
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Strata Lab");
    dn.push(DnType::CommonName, format!("device-{}", random_hex(6)));
    p.distinguished_name = dn;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::minutes(5);
    p.not_after = now + time::Duration::days(days);
    let cert = p.signed_by(&key, pki.issuer()).map_err(|e| e.to_string())?;
    Ok(json!({
        "certificate": cert.pem(),
        "chain": [pem_text("CERTIFICATE", pki.issuer_der())],
        "expires": p.not_after.unix_timestamp(),
    }))
}

/// The CSR's public key (SubjectPublicKeyInfo DER), after checking its
/// signature when `check_pop`.
fn csr_key(pem_text: &str, check_pop: bool) -> Result<Vec<u8>, &'static str> {
    use x509_parser::prelude::FromDer;
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem_text.as_bytes()).map_err(|_| "csr is not PEM")?;
    if pem.label != "CERTIFICATE REQUEST" {
        return Err("csr is not a CERTIFICATE REQUEST");
    }
    let (_, csr) = x509_parser::certification_request::X509CertificationRequest::from_der(&pem.contents)
        .map_err(|_| "csr does not parse")?;
    if check_pop && csr.verify_signature().is_err() {
        return Err("csr signature does not verify: no proof of possession");
    }
    Ok(csr.certification_request_info.subject_pki.raw.to_vec())
}

async fn enroll(
    req: hyper::Request<hyper::body::Incoming>,
    state: Arc<Mutex<EnrollState>>,
    good: bool,
    authority: Arc<Vec<u8>>,
) -> hyper::Response<Full<Bytes>> {
    let Ok((_, body)) = read_body(req, MAX_BODY).await else {
        return refuse(413, "body too large or unreadable");
    };
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return refuse(400, "body is not JSON");
    };
    let csr = v["csr"].as_str().unwrap_or_default();
    let attestation = v["attestation"].as_str().unwrap_or_default();
    let challenge = v["nonce"].as_str().unwrap_or_default();
    let now = now();
    let Ok(mut st) = state.lock() else {
        return refuse(500, "state poisoned");
    };
    if !good {
        // Broken on purpose: any CSR, no attestation, no challenge, 10 years.
        let spki = match csr_key(csr, false) {
            Ok(k) => k,
            Err(e) => return refuse(400, e),
        };
        return match st.pki().and_then(|p| issue(&p, &spki, ENROLL_BROKEN_DAYS)) {
            Ok(cert) => reply(200, cert),
            Err(_) => refuse(500, "cannot issue"),
        };
    }
    // The challenge is single-use whatever the outcome.
    if st.challenges.remove(challenge).is_none_or(|exp| exp <= now) {
        return refuse(403, "unknown or expired challenge");
    }
    let spki = match csr_key(csr, true) {
        Ok(k) => k,
        Err(e) => return refuse(400, e),
    };
    if attestation.is_empty() {
        return refuse(403, "attestation required");
    }
    let nonce = match verify_attestation(attestation, &authority, now) {
        Ok(n) => n,
        Err(e) => return refuse(403, e),
    };
    if st.used_nonces.contains(&nonce) {
        return refuse(409, "attestation nonce already used");
    }
    if st.used_nonces.len() >= MAX_USED_NONCES {
        // Fail closed: forgetting a nonce would allow its replay.
        return refuse(503, "nonce store full");
    }
    let issued = match st.pki().and_then(|p| issue(&p, &spki, ENROLL_GOOD_DAYS)) {
        Ok(c) => c,
        Err(_) => return refuse(500, "cannot issue"),
    };
    st.used_nonces.insert(nonce);
    reply(200, issued)
}

fn enroll_handler(name: &'static str, good: bool) -> Result<Handler, String> {
    let authority = Arc::new(authority_public()?);
    let minting = Arc::new(authority_pkcs8()?);
    let state = Arc::new(Mutex::new(EnrollState::default()));
    Ok(handler(move |_info, req: hyper::Request<hyper::body::Incoming>| {
        let (state, authority, minting) = (state.clone(), authority.clone(), minting.clone());
        async move {
            match (req.method().as_str(), req.uri().path()) {
                ("GET", ATTESTATION_TOKEN_PATH) => match mint_attestation(&minting, now()) {
                    Ok(t) => reply(200, json!({"token": t})),
                    Err(_) => refuse(500, "cannot mint a token"),
                },
                ("GET", "/v1/enroll/challenge") => {
                    let n = if good {
                        state.lock().ok().and_then(|mut s| s.new_challenge(now()))
                    } else {
                        Some(random_hex(16))
                    };
                    match n {
                        Some(n) => reply(200, json!({"nonce": n})),
                        None => refuse(503, "too many outstanding challenges"),
                    }
                }
                ("POST", "/v1/enroll") => enroll(req, state, good, authority).await,
                _ => reply(200, json!({"scenario": name})),
            }
        }
    }))
}

// ------------------------------------------------------------ signing

/// A parsed `Signature-Input` member (the subset of RFC 8941 that RFC 9421
/// signature parameters use: an inner list of strings with parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct SigInput {
    /// Member label, e.g. `sig1`.
    pub label: String,
    /// Covered component identifiers.
    pub components: Vec<String>,
    /// Parameters in order.
    pub params: Vec<(String, SfValue)>,
}

/// A structured-field parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum SfValue {
    /// Integer.
    Int(i64),
    /// String.
    Str(String),
    /// Token.
    Token(String),
}

impl SigInput {
    /// The canonical serialisation (the `@signature-params` value).
    pub fn serialize(&self) -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let mut out = format!(
            "({})",
            self.components.iter().map(|c| q(c)).collect::<Vec<_>>().join(" ")
        );
        for (k, v) in &self.params {
            let v = match v {
                SfValue::Int(i) => i.to_string(),
                SfValue::Str(s) => q(s),
                SfValue::Token(t) => t.clone(),
            };
            out.push_str(&format!(";{k}={v}"));
        }
        out
    }

    fn param(&self, name: &str) -> Option<&SfValue> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Parses the first member of a `Signature-Input` header.
pub fn parse_signature_input(v: &str) -> Option<SigInput> {
    let s: Vec<char> = v.trim().chars().take(4096).collect();
    let mut i = 0;
    let key = |i: &mut usize| {
        let start = *i;
        while *i < s.len() && (s[*i].is_ascii_lowercase() || s[*i].is_ascii_digit() || "_-.*".contains(s[*i])) {
            *i += 1;
        }
        (start < *i).then(|| s[start..*i].iter().collect::<String>())
    };
    let string = |i: &mut usize| -> Option<String> {
        if s.get(*i) != Some(&'"') {
            return None;
        }
        *i += 1;
        let mut out = String::new();
        while *i < s.len() {
            match s[*i] {
                '\\' => {
                    let c = *s.get(*i + 1)?;
                    if c != '"' && c != '\\' {
                        return None;
                    }
                    out.push(c);
                    *i += 2;
                }
                '"' => {
                    *i += 1;
                    return Some(out);
                }
                c if (' '..='~').contains(&c) => {
                    out.push(c);
                    *i += 1;
                }
                _ => return None,
            }
        }
        None
    };
    let label = key(&mut i)?;
    if s.get(i) != Some(&'=') || s.get(i + 1) != Some(&'(') {
        return None;
    }
    i += 2;
    let mut components = Vec::new();
    loop {
        while s.get(i) == Some(&' ') {
            i += 1;
        }
        match s.get(i) {
            Some(')') => {
                i += 1;
                break;
            }
            Some('"') => components.push(string(&mut i)?),
            _ => return None,
        }
        if components.len() > 32 {
            return None;
        }
    }
    let mut params = Vec::new();
    while s.get(i) == Some(&';') {
        i += 1;
        let k = key(&mut i)?;
        if s.get(i) != Some(&'=') {
            return None;
        }
        i += 1;
        let v = match s.get(i)? {
            '"' => SfValue::Str(string(&mut i)?),
            c if c.is_ascii_digit() || *c == '-' => {
                let start = i;
                i += 1;
                while i < s.len() && s[i].is_ascii_digit() && i - start < 16 {
                    i += 1;
                }
                SfValue::Int(s[start..i].iter().collect::<String>().parse().ok()?)
            }
            c if c.is_ascii_alphabetic() || *c == '*' => {
                let start = i;
                while i < s.len() && (s[i].is_ascii_alphanumeric() || ":/!#$%&'*+-.^_`|~".contains(s[i])) {
                    i += 1;
                }
                SfValue::Token(s[start..i].iter().collect())
            }
            _ => return None,
        };
        params.push((k, v));
        if params.len() > 16 {
            return None;
        }
    }
    Some(SigInput {
        label,
        components,
        params,
    })
}

/// The signature bytes of member `label` of a `Signature` header.
fn signature_member(v: &str, label: &str) -> Option<Vec<u8>> {
    v.split(',').find_map(|m| {
        let rest = m.trim().strip_prefix(label)?.strip_prefix('=')?;
        let b64 = rest.strip_prefix(':')?.strip_suffix(':')?;
        STANDARD.decode(b64).ok()
    })
}

/// What a verified request claims: its timestamp and nonce.
struct Claimed {
    key_id: String,
    timestamp: i64,
    nonce: String,
}

fn header<'a>(parts: &'a hyper::http::request::Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Verifies an RFC 9421 signed request.
fn verify_httpsig(
    parts: &hyper::http::request::Parts,
    body: &[u8],
    public: &[u8],
) -> Result<Claimed, (u16, &'static str)> {
    let input = header(parts, "signature-input")
        .and_then(parse_signature_input)
        .ok_or((400, "bad Signature-Input"))?;
    let sig = header(parts, "signature")
        .and_then(|v| signature_member(v, &input.label))
        .ok_or((400, "bad Signature"))?;
    for needed in ["@method", "@path", "content-digest"] {
        if !input.components.iter().any(|c| c == needed) {
            return Err((400, "the signature must cover @method, @path and content-digest"));
        }
    }
    let key_id = match input.param("keyid") {
        Some(SfValue::Str(k)) if SIGNING_KEY_IDS.contains(&k.as_str()) => k.clone(),
        _ => return Err((401, "unknown key id")),
    };
    if input
        .param("alg")
        .is_some_and(|a| *a != SfValue::Str(HTTPSIG_ALG.into()))
    {
        return Err((400, "unsupported alg"));
    }
    let mut base = String::new();
    for c in &input.components {
        let value = match c.as_str() {
            "@method" => parts.method.as_str().to_string(),
            "@path" => parts.uri.path().to_string(),
            name if !name.starts_with('@') => header(parts, name)
                .ok_or((400, "a covered header is missing"))?
                .trim()
                .to_string(),
            _ => return Err((400, "unsupported derived component")),
        };
        base.push_str(&format!("\"{c}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {}", input.serialize()));
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, public)
        .verify(base.as_bytes(), &sig)
        .map_err(|_| (401, "signature does not verify"))?;
    // The signature covers the digest header; the digest must cover the body.
    if header(parts, "content-digest").map(str::trim) != Some(content_digest(body).as_str()) {
        return Err((400, "Content-Digest does not match the body"));
    }
    let Some(SfValue::Int(created)) = input.param("created") else {
        return Err((400, "no created parameter"));
    };
    let Some(SfValue::Str(nonce)) = input.param("nonce") else {
        return Err((400, "no nonce parameter"));
    };
    Ok(Claimed {
        key_id,
        timestamp: *created,
        nonce: nonce.clone(),
    })
}

/// Verifies a `header-ecdsa-p256` signed request.
fn verify_headers(
    parts: &hyper::http::request::Parts,
    body: &[u8],
    public: &[u8],
) -> Result<Claimed, (u16, &'static str)> {
    let key_id = match header(parts, "x-strata-key-id") {
        Some(k) if SIGNING_KEY_IDS.contains(&k) => k.to_string(),
        _ => return Err((401, "unknown key id")),
    };
    let ts: i64 = header(parts, "x-strata-timestamp")
        .and_then(|v| v.parse().ok())
        .ok_or((400, "bad X-Strata-Timestamp"))?;
    let nonce: u64 = header(parts, "x-strata-nonce")
        .and_then(|v| v.parse().ok())
        .ok_or((400, "bad X-Strata-Nonce"))?;
    let sig = header(parts, "x-strata-signature")
        .and_then(|v| STANDARD.decode(v).ok())
        .ok_or((400, "bad X-Strata-Signature"))?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, public)
        .verify(header_base(ts, nonce, body).as_bytes(), &sig)
        .map_err(|_| (401, "signature does not verify"))?;
    Ok(Claimed {
        key_id,
        timestamp: ts,
        nonce: nonce.to_string(),
    })
}

fn signing_public() -> Result<Vec<u8>, String> {
    use x509_parser::prelude::FromDer;
    let (_, pem) =
        x509_parser::pem::parse_x509_pem(SIGNING_CLIENT_PUB.as_bytes()).map_err(|e| format!("lab signing key: {e}"))?;
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&pem.contents)
        .map_err(|e| format!("lab signing key: {e}"))?;
    Ok(spki.subject_public_key.data.to_vec())
}

async fn signed(
    req: hyper::Request<hyper::body::Incoming>,
    last_nonce: Arc<Mutex<HashMap<String, u64>>>,
    good: bool,
    public: Arc<Vec<u8>>,
) -> hyper::Response<Full<Bytes>> {
    let Ok((parts, body)) = read_body(req, MAX_BODY).await else {
        return refuse(413, "body too large or unreadable");
    };
    let verified = if parts.headers.contains_key("signature-input") {
        verify_httpsig(&parts, &body, &public)
    } else if parts.headers.contains_key("x-strata-signature") {
        verify_headers(&parts, &body, &public)
    } else {
        Err((401, "request is not signed"))
    };
    let claimed = match verified {
        Ok(c) => c,
        Err((status, why)) => return refuse(status, why),
    };
    if !good {
        // Broken on purpose: a valid signature is enough, however old and
        // however often it is sent.
        return reply(200, json!({"ok": true}));
    }
    if (now() - claimed.timestamp).abs() > SIGNING_MAX_SKEW_S {
        return refuse(401, "timestamp outside the allowed skew");
    }
    let Ok(nonce) = claimed.nonce.parse::<u64>() else {
        return refuse(400, "the nonce must be a monotonic integer");
    };
    let Ok(mut last) = last_nonce.lock() else {
        return refuse(500, "state poisoned");
    };
    // Keys are only ever known ids, so the map cannot grow past them.
    if last.get(&claimed.key_id).is_some_and(|l| nonce <= *l) {
        return refuse(409, "nonce reused or not increasing");
    }
    last.insert(claimed.key_id, nonce);
    reply(200, json!({"ok": true}))
}

fn signing_handler(name: &'static str, good: bool) -> Result<Handler, String> {
    let public = Arc::new(signing_public()?);
    let last_nonce = Arc::new(Mutex::new(HashMap::<String, u64>::new()));
    Ok(handler(move |_info, req: hyper::Request<hyper::body::Incoming>| {
        let (last_nonce, public) = (last_nonce.clone(), public.clone());
        async move {
            match (req.method().as_str(), req.uri().path()) {
                ("POST", "/v1/transfer") => signed(req, last_nonce, good, public).await,
                _ => reply(200, json!({"scenario": name})),
            }
        }
    }))
}

// ----------------------------------------------------------- registry

fn handler_fn_error(e: String) -> Handler {
    let e = Arc::new(e);
    handler(move |_info, _req| {
        let e = e.clone();
        async move { refuse(500, &format!("lab app unavailable: {e}")) }
    })
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The identity apps, in port order.
pub fn scenarios() -> Vec<AppScenario> {
    let mut out = vec![
        AppScenario {
            name: "mtls-required",
            description: "mTLS required: client certificates from the lab CA only",
            port_offset: 40,
            expected_failures: Vec::new(),
            tls: Box::new(|_pki: &LabPki, served| mtls_tls(webpki_client_verifier(false)?, served)),
            handler: mtls_handler("mtls-required"),
        },
        AppScenario {
            name: "mtls-optional",
            description: "asks for a client certificate but serves clients without one",
            port_offset: 41,
            expected_failures: strings(&["mtls-enforced-not-optional"]),
            tls: Box::new(|_pki: &LabPki, served| mtls_tls(webpki_client_verifier(true)?, served)),
            handler: mtls_handler("mtls-optional"),
        },
        AppScenario {
            name: "mtls-any-ca",
            description: "requires a client certificate but accepts any, even self-signed or expired (insecure on purpose)",
            port_offset: 42,
            expected_failures: strings(&["mtls-unknown-ca-refused", "mtls-expired-cert-refused"]),
            tls: Box::new(|_pki: &LabPki, served| {
                mtls_tls(Arc::new(AcceptAnyClientCert { provider: provider() }), served)
            }),
            handler: mtls_handler("mtls-any-ca"),
        },
    ];
    let app = |name, description, port_offset, expected: &[&str], handler: Result<Handler, String>| AppScenario {
        name,
        description,
        port_offset,
        expected_failures: strings(expected),
        tls: Box::new(plain_tls),
        // A lab key that does not load (a broken asset, caught by the unit
        // tests) turns the app into one that says so on every request.
        handler: handler.unwrap_or_else(|e| handler_fn_error(e)),
    };
    out.push(app(
        "enroll-good",
        "enrollment: CSR proof of possession, lab attestation, single-use nonces, 30-day certificates",
        43,
        &[],
        enroll_handler("enroll-good", true),
    ));
    out.push(app(
        "enroll-broken",
        "enrollment that signs any CSR for 10 years and ignores attestation",
        44,
        &[
            "enroll-refuses-missing-attestation",
            "enroll-refuses-bogus-attestation",
            "enroll-refuses-broken-pop",
            "enroll-refuses-replayed-nonce",
            "enroll-issues-short-lived-certs",
        ],
        enroll_handler("enroll-broken", false),
    ));
    out.push(app(
        "signing-good",
        "request signing (both schemes) with replay, skew and monotonic-nonce checks",
        45,
        &[],
        signing_handler("signing-good", true),
    ));
    out.push(app(
        "signing-broken",
        "request signing that checks the signature and nothing else",
        46,
        &[
            "signing-refuses-replay",
            "signing-refuses-stale-timestamp",
            "signing-refuses-reused-nonce",
            "signing-nonce-monotonic",
        ],
        signing_handler("signing-broken", false),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_input_round_trips_through_the_parser() {
        let params = crate::probe::signing::httpsig_params(1_700_000_000, 12, "lab-device-1");
        let parsed = parse_signature_input(&format!("sig1={params}")).expect("parses");
        assert_eq!(parsed.label, "sig1");
        assert_eq!(parsed.components, ["@method", "@path", "content-digest"]);
        assert_eq!(parsed.param("created"), Some(&SfValue::Int(1_700_000_000)));
        assert_eq!(parsed.serialize(), params);
        assert!(parse_signature_input("sig1=(\"@method\" \"unterminated").is_none());
        assert!(parse_signature_input("sig1=\"no list\"").is_none());
        assert_eq!(signature_member("a=:AAAA:, sig1=:AQID:", "sig1"), Some(vec![1, 2, 3]));
    }

    #[test]
    fn lab_keys_load() {
        assert_eq!(authority_public().expect("authority").len(), 65);
        assert_eq!(signing_public().expect("signing").len(), 65);
    }
}
