//! The lab's certificates: a private root and intermediate CA and the
//! leaves of every scenario, issued at start-up (so "expired" and
//! "expires in 7 days" are relative to now) from static test-only keys in
//! `assets/lab/` (so SPKI pins are stable and sample projects can pin them).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};

/// The lab root CA certificate (PEM): the trust anchor of the samples.
pub const ROOT_CA_PEM: &str = include_str!("../../assets/lab/root-ca.pem");
const ROOT_CA_KEY: &str = include_str!("../../assets/lab/root-ca.key");
const INTERMEDIATE_KEY: &str = include_str!("../../assets/lab/intermediate-ca.key");
/// Key of every regular lab service leaf.
pub const SERVICE_KEY: &str = include_str!("../../assets/lab/service.key");
/// A key that is never deployed: its pin is the samples' backup pin.
pub const BACKUP_KEY: &str = include_str!("../../assets/lab/backup.key");
const SELF_SIGNED_KEY: &str = include_str!("../../assets/lab/self-signed.key");
/// The legacy chains' leaf key.
const LEGACY_LEAF_KEY: &str = include_str!("../../assets/lab/legacy-leaf.key");
/// Legacy chain 1: leaf signed by an RSA-1024 CA (static; see make-static-pki.sh).
pub const WEAK_KEY_LEAF_PEM: &str = include_str!("../../assets/lab/weak-key.pem");
/// The RSA-1024 CA.
pub const WEAK_CA_PEM: &str = include_str!("../../assets/lab/weak-ca.pem");
/// Legacy chain 2: leaf signed with SHA-1.
pub const SHA1_LEAF_PEM: &str = include_str!("../../assets/lab/sha1-signature.pem");
/// The CA that signed it.
pub const SHA1_CA_PEM: &str = include_str!("../../assets/lab/sha1-ca.pem");

/// A certificate chain and its private key, ready for rustls.
#[derive(Debug)]
pub struct Served {
    /// Leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's key.
    pub key: PrivateKeyDer<'static>,
}

/// Which leaf to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafKind {
    /// Valid now for a year.
    Good,
    /// Expired 30 days ago.
    Expired,
    /// Valid from 10 days in the future.
    NotYetValid,
    /// Expires in 7 days.
    ExpiringSoon,
    /// Self-signed.
    SelfSigned,
    /// Valid, but for another name.
    WrongHost,
    /// Good leaf sent without its intermediate.
    Incomplete,
    /// Static chain with an RSA-1024 CA.
    WeakKey,
    /// Static chain with a SHA-1 signature.
    Sha1,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("lab PKI: {e}")
}

fn ca_params(cn: &str, now: OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Strata Lab");
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = now - Duration::days(30);
    p.not_after = now + Duration::days(3650);
    p
}

fn leaf_params(name: &str, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(vec![name.to_string()]).map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Strata Lab");
    dn.push(DnType::CommonName, name);
    p.distinguished_name = dn;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    p.not_before = not_before;
    p.not_after = not_after;
    Ok(p)
}

fn pem_chain(pems: &[&str]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut out = Vec::new();
    for pem in pems {
        out.push(CertificateDer::from_pem_slice(pem.as_bytes()).map_err(err)?);
    }
    Ok(out)
}

fn key_der(pem: &str) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(err)
}

/// The lab CA hierarchy, loaded once.
pub struct LabPki {
    intermediate: Issuer<'static, KeyPair>,
    intermediate_der: CertificateDer<'static>,
    now: OffsetDateTime,
}

impl LabPki {
    /// Builds the intermediate from the static root at time `now`.
    pub fn new(now: OffsetDateTime) -> Result<LabPki, String> {
        let root_key = KeyPair::from_pem(ROOT_CA_KEY).map_err(err)?;
        let root = Issuer::from_ca_cert_pem(ROOT_CA_PEM, root_key).map_err(err)?;
        let inter_key = KeyPair::from_pem(INTERMEDIATE_KEY).map_err(err)?;
        let mut params = ca_params("Strata Lab Issuing CA 1", now);
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&inter_key, &root).map_err(err)?;
        let intermediate_der = cert.der().clone();
        Ok(LabPki {
            intermediate: Issuer::new(params, inter_key),
            intermediate_der,
            now,
        })
    }

    /// The issuing (intermediate) CA, for scenarios that issue more (client
    /// certificates).
    pub fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.intermediate
    }

    /// The issuing CA's certificate.
    pub fn issuer_der(&self) -> &CertificateDer<'static> {
        &self.intermediate_der
    }

    /// The time the lab was started at.
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// Issues what a scenario serves, for DNS name `name`.
    pub fn issue(&self, kind: LeafKind, name: &str) -> Result<Served, String> {
        let now = self.now;
        let day = Duration::days(1);
        let (nb, na) = match kind {
            LeafKind::Expired => (now - day * 400, now - day * 30),
            LeafKind::NotYetValid => (now + day * 10, now + day * 400),
            LeafKind::ExpiringSoon => (now - day * 80, now + day * 7),
            _ => (now - day * 10, now + day * 365),
        };
        match kind {
            LeafKind::WeakKey => {
                return Ok(Served {
                    chain: pem_chain(&[WEAK_KEY_LEAF_PEM, WEAK_CA_PEM])?,
                    key: key_der(LEGACY_LEAF_KEY)?,
                });
            }
            LeafKind::Sha1 => {
                return Ok(Served {
                    chain: pem_chain(&[SHA1_LEAF_PEM, SHA1_CA_PEM])?,
                    key: key_der(LEGACY_LEAF_KEY)?,
                });
            }
            LeafKind::SelfSigned => {
                let key = KeyPair::from_pem(SELF_SIGNED_KEY).map_err(err)?;
                let cert = leaf_params(name, nb, na)?.self_signed(&key).map_err(err)?;
                return Ok(Served {
                    chain: vec![cert.der().clone()],
                    key: key_der(SELF_SIGNED_KEY)?,
                });
            }
            _ => {}
        }
        let dns = if kind == LeafKind::WrongHost {
            "elsewhere.example.test"
        } else {
            name
        };
        let key = KeyPair::from_pem(SERVICE_KEY).map_err(err)?;
        let cert = leaf_params(dns, nb, na)?
            .signed_by(&key, &self.intermediate)
            .map_err(err)?;
        let mut chain = vec![cert.der().clone()];
        if kind != LeafKind::Incomplete {
            chain.push(self.intermediate_der.clone());
        }
        Ok(Served {
            chain,
            key: key_der(SERVICE_KEY)?,
        })
    }
}

/// Base64 SHA-256 SPKI pin of a PEM private key's public half.
pub fn pin_of_key(pem: &str) -> Result<String, String> {
    let key = KeyPair::from_pem(pem).map_err(err)?;
    Ok(crate::evidence::cert::spki_pin(&key.subject_public_key_info()))
}
