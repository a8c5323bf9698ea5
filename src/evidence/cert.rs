//! Certificate facts from DER bytes (x509-parser): names, validity, key, signature.

use base64::Engine;
use serde::{Deserialize, Serialize};
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

/// What an auditor wants to know about one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// DNS and IP subject alternative names.
    pub sans: Vec<String>,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// Key algorithm: `RSA`, `EC`, `Ed25519`, ...
    pub key_type: String,
    /// Named curve for EC keys (`P-256`...).
    pub key_curve: Option<String>,
    /// Key size in bits.
    pub key_bits: u32,
    /// Signature algorithm name, e.g. `ecdsa-with-SHA256`.
    pub signature_algorithm: String,
    /// Subject equals issuer.
    pub self_issued: bool,
    /// basicConstraints CA flag.
    pub is_ca: bool,
    /// Base64 SHA-256 of the SubjectPublicKeyInfo: the pin.
    pub spki_sha256: String,
    /// Hex SHA-256 of the whole certificate.
    pub fingerprint_sha256: String,
}

impl CertInfo {
    /// Whether the signature uses SHA-1 or MD5.
    pub fn weak_signature(&self) -> bool {
        let s = self.signature_algorithm.to_ascii_lowercase();
        s.contains("sha1") || s.contains("md5") || s.contains("md2")
    }

    /// Whether the key is too small (RSA/DSA under 2048 bits, EC under 256).
    pub fn weak_key(&self) -> bool {
        match self.key_type.as_str() {
            "RSA" | "DSA" => self.key_bits < 2048,
            "EC" => self.key_bits < 256,
            _ => false,
        }
    }
}

fn sha256(data: &[u8]) -> ring::digest::Digest {
    ring::digest::digest(&ring::digest::SHA256, data)
}

/// PEM text (`-----BEGIN label-----`, 64-column base64) of DER bytes.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    ::pem::encode_config(
        &::pem::Pem::new(label, der.to_vec()),
        ::pem::EncodeConfig::new().set_line_ending(::pem::LineEnding::LF),
    )
}

/// Base64 SHA-256 of an encoded SubjectPublicKeyInfo.
pub fn spki_pin(spki_der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha256(spki_der))
}

/// Parses a DER certificate. The bytes are untrusted (they come from the
/// network), so every failure is an error value.
pub fn cert_info(der: &[u8]) -> Result<CertInfo, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| format!("unparseable certificate: {e}"))?;
    let tbs = &cert.tbs_certificate;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = tbs.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push(format!("DNS:{d}")),
                GeneralName::IPAddress(ip) => sans.push(format!("IP:{}", ip_to_string(ip))),
                GeneralName::URI(u) => sans.push(format!("URI:{u}")),
                _ => {}
            }
        }
    }
    let spki = &tbs.subject_pki;
    let (key_type, key_bits, key_curve) = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => ("RSA".to_string(), rsa.key_size() as u32, None),
        Ok(PublicKey::EC(ec)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| curve_name(&oid.to_id_string()));
            ("EC".to_string(), ec.key_size() as u32, curve)
        }
        Ok(PublicKey::DSA(_)) => ("DSA".to_string(), 0, None),
        Ok(PublicKey::GostR3410(_)) | Ok(PublicKey::GostR3410_2012(_)) => ("GOST".to_string(), 0, None),
        Ok(PublicKey::Unknown(_)) | Err(_) => {
            let oid = spki.algorithm.algorithm.to_id_string();
            let name = match oid.as_str() {
                "1.3.101.112" => "Ed25519",
                "1.3.101.113" => "Ed448",
                _ => "unknown",
            };
            let bits = if name == "Ed25519" {
                256
            } else if name == "Ed448" {
                456
            } else {
                0
            };
            (name.to_string(), bits, None)
        }
    };
    let sig_oid = cert.signature_algorithm.algorithm.clone();
    let signature_algorithm = x509_parser::objects::oid2sn(&sig_oid, x509_parser::objects::oid_registry())
        .map(str::to_string)
        .unwrap_or_else(|_| sig_oid.to_id_string());
    let is_ca = tbs
        .basic_constraints()
        .ok()
        .flatten()
        .map(|b| b.value.ca)
        .unwrap_or(false);
    Ok(CertInfo {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        sans,
        serial: tbs.raw_serial_as_string(),
        not_before: tbs.validity.not_before.timestamp(),
        not_after: tbs.validity.not_after.timestamp(),
        key_type,
        key_curve,
        key_bits,
        signature_algorithm,
        self_issued: tbs.subject.as_raw() == tbs.issuer.as_raw(),
        is_ca,
        spki_sha256: spki_pin(spki.raw),
        fingerprint_sha256: hex(sha256(der).as_ref()),
    })
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256".into(),
        "1.3.132.0.34" => "P-384".into(),
        "1.3.132.0.35" => "P-521".into(),
        "1.2.840.10045.3.1.1" => "P-192".into(),
        other => other.into(),
    }
}

fn ip_to_string(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => hex(bytes),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_der(path: &str) -> Vec<u8> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap_or_default()
    }

    #[test]
    fn reads_sha1_signature_and_weak_rsa_key_from_static_lab_certs() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/lab/");
        let sha1 = cert_info(&pem_der(&format!("{dir}sha1-signature.pem"))).expect("parse");
        assert_eq!(sha1.signature_algorithm, "sha1WithRSAEncryption");
        assert!(sha1.weak_signature());
        assert_eq!(sha1.key_type, "EC");
        assert_eq!(sha1.key_curve.as_deref(), Some("P-256"));
        assert!(sha1.sans.contains(&"DNS:sha1-signature.lab.strata.test".to_string()));
        let weak = cert_info(&pem_der(&format!("{dir}weak-ca.pem"))).expect("parse");
        assert_eq!((weak.key_type.as_str(), weak.key_bits), ("RSA", 1024));
        assert!(weak.weak_key() && weak.is_ca && weak.self_issued);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(cert_info(b"").is_err());
        assert!(cert_info(&[0x30, 0x82, 0xff, 0xff, 0x00]).is_err());
    }
}
