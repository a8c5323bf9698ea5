//! Certificate verification for an auditor: complete the handshake whatever
//! the chain, then judge the chain separately with the real verifier.
//!
//! An expired or self-signed certificate must be *reported*, so the handshake
//! cannot stop at it. [`ObserveOnlyVerifier`] is the one fenced-off place
//! where chain validation is deferred: it still checks the handshake
//! signature (the server proves it holds the leaf key), and the chain is then
//! verified by rustls' own WebPKI verifier in [`verify_chain`], whose exact
//! error becomes evidence. Nothing sent over such a connection is secret.

use crate::evidence::Verification;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

pub use crate::fsread::MAX_CA_FILE_BYTES;

/// Accepts any chain so that it can be observed; verifies handshake signatures.
#[derive(Debug)]
pub struct ObserveOnlyVerifier {
    provider: Arc<CryptoProvider>,
}

impl ObserveOnlyVerifier {
    /// A verifier using `provider`'s signature algorithms.
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        ObserveOnlyVerifier { provider }
    }
}

impl ServerCertVerifier for ObserveOnlyVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        // Deferred on purpose: see the module docs and `verify_chain`.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A set of trust anchors and a label for reports.
#[derive(Debug, Clone)]
pub struct Anchors {
    /// `system` or the CA file name.
    pub label: String,
    /// The roots.
    pub roots: Arc<RootCertStore>,
    /// Subject DNs of the roots, for chain-completeness checks.
    pub subjects: Vec<String>,
    /// (subject DN, SPKI pin) of each root, for pin matching.
    pub pins: Vec<(String, String)>,
}

impl Anchors {
    fn from_certs(label: String, certs: Vec<CertificateDer<'static>>) -> Result<Anchors, String> {
        let mut roots = RootCertStore::empty();
        let mut subjects = Vec::new();
        let mut pins = Vec::new();
        for c in certs {
            if let Ok(info) = crate::evidence::cert_info(&c) {
                pins.push((info.subject.clone(), info.spki_sha256));
                subjects.push(info.subject);
            }
            // Individual unusable roots are skipped, as browsers do.
            let _ = roots.add(c);
        }
        if roots.is_empty() {
            return Err(format!("no usable CA certificate in {label}"));
        }
        Ok(Anchors {
            label,
            roots: Arc::new(roots),
            subjects,
            pins,
        })
    }

    /// Loads a PEM file of CA certificates (a regular file of at most
    /// [`MAX_CA_FILE_BYTES`]).
    pub fn from_pem_file(path: &Path) -> Result<Anchors, String> {
        let bytes = crate::fsread::read_bounded(path, MAX_CA_FILE_BYTES, "CA file").map_err(|e| e.to_string())?;
        let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&bytes).collect();
        let certs = certs.map_err(|e| format!("bad PEM in {}: {e}", path.display()))?;
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Anchors::from_certs(label, certs)
    }

    /// Loads the operating system's root store.
    pub fn system() -> Result<Anchors, String> {
        let result = rustls_native_certs::load_native_certs();
        Anchors::from_certs("system".into(), result.certs)
    }
}

/// Stable code for a verification error.
pub fn error_code(e: &Error) -> &'static str {
    #[allow(deprecated)]
    match e {
        Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired",
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => "not-yet-valid",
            CertificateError::UnknownIssuer => "unknown-issuer",
            CertificateError::BadSignature => "bad-signature",
            CertificateError::UnsupportedSignatureAlgorithm
            | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                "unsupported-signature-algorithm"
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => "not-valid-for-name",
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => "invalid-purpose",
            CertificateError::BadEncoding => "bad-encoding",
            CertificateError::Revoked => "revoked",
            _ => "other",
        },
        _ => "other",
    }
}

/// Verifies a presented chain (leaf first) against `anchors` at time `now`.
pub fn verify_chain(
    chain: &[CertificateDer<'static>],
    server_name: &ServerName<'static>,
    anchors: &Anchors,
    provider: Arc<CryptoProvider>,
    now: UnixTime,
) -> Verification {
    let fail = |code: &str, detail: String| Verification {
        trusted: false,
        code: Some(code.to_string()),
        detail: Some(detail),
        anchors: anchors.label.clone(),
    };
    let Some((leaf, intermediates)) = chain.split_first() else {
        return fail("other", "the server presented no certificate".into());
    };
    let verifier = match WebPkiServerVerifier::builder_with_provider(anchors.roots.clone(), provider).build() {
        Ok(v) => v,
        Err(e) => return fail("other", format!("cannot build verifier: {e}")),
    };
    match verifier.verify_server_cert(leaf, intermediates, server_name, &[], now) {
        Ok(_) => Verification {
            trusted: true,
            code: None,
            detail: None,
            anchors: anchors.label.clone(),
        },
        Err(e) => fail(error_code(&e), e.to_string()),
    }
}

/// Whether the leaf is valid for `server_name` (independent of trust).
pub fn hostname_matches(leaf: &CertificateDer<'_>, server_name: &ServerName<'_>) -> bool {
    match rustls::server::ParsedCertificate::try_from(leaf) {
        Ok(parsed) => rustls::client::verify_server_name(&parsed, server_name).is_ok(),
        Err(_) => false,
    }
}
