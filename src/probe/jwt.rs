//! Just enough JWS (RFC 7515) for the auth probe and the lab gateways:
//! ES256 signing and verification with ring, unsecured (`alg: none`)
//! tokens, and decoding a token's header and claims *without* verifying it.
//!
//! Nothing here logs or stores a token; callers decide what of the decoded
//! claims they keep (the auth probe keeps names and lifetimes only).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use serde_json::{Map, Value};

/// Largest token decoded; longer input is refused unread.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn segment(v: &Value) -> String {
    b64url(v.to_string().as_bytes())
}

/// An ES256 signing key (P-256).
pub struct Es256Key {
    pair: EcdsaKeyPair,
}

impl std::fmt::Debug for Es256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Es256Key(<private>)")
    }
}

impl Es256Key {
    /// A fresh random key, never stored: the "wrong key" of a forgery.
    pub fn generate() -> Result<Es256Key, String> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "cannot generate a P-256 key".to_string())?;
        Es256Key::from_pkcs8_der(pkcs8.as_ref())
    }

    /// A key from PKCS#8 DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Es256Key, String> {
        let rng = SystemRandom::new();
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng)
            .map(|pair| Es256Key { pair })
            .map_err(|e| format!("not a PKCS#8 P-256 key: {e}"))
    }

    /// A key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Es256Key, String> {
        use rustls::pki_types::PrivatePkcs8KeyDer;
        use rustls::pki_types::pem::PemObject;
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| format!("bad PEM key: {e}"))?;
        Es256Key::from_pkcs8_der(der.secret_pkcs8_der())
    }

    /// The uncompressed public point (65 bytes), for verification.
    pub fn public_key(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// A compact JWS of `claims` with `header` (whose `alg` is set to ES256).
    pub fn sign(&self, header: &Map<String, Value>, claims: &Value) -> Result<String, String> {
        let mut header = header.clone();
        header.insert("alg".into(), Value::from("ES256"));
        let input = format!("{}.{}", segment(&Value::Object(header)), segment(claims));
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| "ES256 signing failed".to_string())?;
        Ok(format!("{input}.{}", b64url(sig.as_ref())))
    }
}

/// An unsecured JWS (`alg: none`, empty signature): RFC 7519 §6.
pub fn unsecured(header: &Map<String, Value>, claims: &Value) -> String {
    let mut header = header.clone();
    header.insert("alg".into(), Value::from("none"));
    format!("{}.{}.", segment(&Value::Object(header)), segment(claims))
}

/// A compact JWS split into its decoded header and claims, unverified.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The claims set.
    pub claims: Map<String, Value>,
}

/// Decodes a compact JWS without checking its signature. `None` for
/// anything that is not three base64url segments whose first two are JSON
/// objects (an opaque token, a JWE, garbage).
pub fn decode_unverified(token: &str) -> Option<Decoded> {
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let mut parts = token.split('.');
    let (h, c, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let object = |seg: &str| -> Option<Map<String, Value>> {
        let bytes = URL_SAFE_NO_PAD.decode(seg.trim_end_matches('=')).ok()?;
        match serde_json::from_slice::<Value>(&bytes).ok()? {
            Value::Object(m) => Some(m),
            _ => None,
        }
    };
    Some(Decoded {
        header: object(h)?,
        claims: object(c)?,
    })
}

/// Why a token was refused by [`verify_es256`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a compact JWS with JSON header and claims.
    Malformed,
    /// `alg` is not ES256 (including `none`).
    Algorithm,
    /// The signature does not verify with the expected key.
    Signature,
    /// `exp` is missing or in the past, or `nbf` in the future.
    Expired,
    /// `iss` or `aud` is not the expected one.
    Claims,
}

/// Verifies an ES256 compact JWS with `public_key` (uncompressed point) at
/// `now`: algorithm pinned to ES256, signature, `exp` (required), `nbf`,
/// and, when given, `iss` and `aud`. Returns the claims.
pub fn verify_es256(
    token: &str,
    public_key: &[u8],
    now: i64,
    issuer: Option<&str>,
    audience: Option<&str>,
) -> Result<Map<String, Value>, Refusal> {
    let decoded = decode_unverified(token).ok_or(Refusal::Malformed)?;
    if decoded.header.get("alg").and_then(Value::as_str) != Some("ES256") {
        return Err(Refusal::Algorithm);
    }
    let (input, sig) = token.rsplit_once('.').ok_or(Refusal::Malformed)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| Refusal::Malformed)?;
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, public_key)
        .verify(input.as_bytes(), &sig)
        .map_err(|_| Refusal::Signature)?;
    let claims = decoded.claims;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(Refusal::Expired)?;
    if exp <= now {
        return Err(Refusal::Expired);
    }
    if claims.get("nbf").and_then(Value::as_i64).is_some_and(|nbf| nbf > now) {
        return Err(Refusal::Expired);
    }
    if let Some(iss) = issuer
        && claims.get("iss").and_then(Value::as_str) != Some(iss)
    {
        return Err(Refusal::Claims);
    }
    if let Some(aud) = audience {
        let ok = match claims.get("aud") {
            Some(Value::String(a)) => a == aud,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(aud)),
            _ => false,
        };
        if !ok {
            return Err(Refusal::Claims);
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn es256_round_trip_and_every_refusal() {
        let key = Es256Key::generate().expect("key");
        let other = Es256Key::generate().expect("key");
        let header = Map::new();
        let now = 1_700_000_000;
        let claims = json!({"iss": "i", "aud": ["a"], "exp": now + 60, "iat": now});
        let good = key.sign(&header, &claims).expect("sign");
        let pk = key.public_key();
        assert!(verify_es256(&good, &pk, now, Some("i"), Some("a")).is_ok());
        assert_eq!(
            verify_es256(&good, &pk, now + 61, None, None).err(),
            Some(Refusal::Expired)
        );
        assert_eq!(
            verify_es256(&good, &pk, now, Some("x"), None).err(),
            Some(Refusal::Claims)
        );
        let forged = other.sign(&header, &claims).expect("sign");
        assert_eq!(
            verify_es256(&forged, &pk, now, None, None).err(),
            Some(Refusal::Signature)
        );
        let none = unsecured(&header, &claims);
        assert!(none.ends_with('.'));
        assert_eq!(
            verify_es256(&none, &pk, now, None, None).err(),
            Some(Refusal::Algorithm)
        );
        assert_eq!(
            verify_es256("a.b", &pk, now, None, None).err(),
            Some(Refusal::Malformed)
        );
        let d = decode_unverified(&good).expect("decoded");
        assert_eq!(d.header["alg"], "ES256");
        assert_eq!(d.claims["iat"], now);
        assert!(decode_unverified("opaque-token").is_none());
        assert!(decode_unverified("a.b.c.d.e").is_none());
    }
}
