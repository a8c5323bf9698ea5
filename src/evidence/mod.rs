//! What the probes observed, as plain serialisable data.
//!
//! Evidence is the only input to the audit besides the model, so a saved
//! evidence file replays to the same report. Every observation is one of
//! "not probed", "error (with the reason)" or the observed value: a probe
//! that could not run is recorded, never dropped.

pub mod cert;

pub use cert::{CertInfo, cert_info};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The outcome of one probe of one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "status", content = "data", rename_all = "kebab-case")]
pub enum Observation<T> {
    /// The probe was not run (offline audit, not applicable, cancelled).
    #[default]
    NotProbed,
    /// The probe ran and could not observe anything.
    Error(ProbeFailure),
    /// The probe observed this.
    Observed(T),
}

impl<T> Observation<T> {
    /// The observed value, if any.
    pub fn observed(&self) -> Option<&T> {
        match self {
            Observation::Observed(v) => Some(v),
            _ => None,
        }
    }

    /// The failure, if the probe failed.
    pub fn failure(&self) -> Option<&ProbeFailure> {
        match self {
            Observation::Error(f) => Some(f),
            _ => None,
        }
    }
}

/// Why a probe could not observe its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeFailure {
    /// Where it failed: `resolve`, `connect`, `handshake`, `http`, `timeout`,
    /// `cancelled`, `config`, or `internal` (a probe task crashed).
    pub stage: String,
    /// Human-readable reason, with no secret in it.
    pub reason: String,
}

impl ProbeFailure {
    /// Builds a failure.
    pub fn new(stage: &str, reason: impl Into<String>) -> Self {
        ProbeFailure {
            stage: stage.to_string(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for ProbeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.stage, self.reason)
    }
}

/// Result of verifying the presented chain against the endpoint's trust anchors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Whether the chain verified (time, issuer, signatures, name).
    pub trusted: bool,
    /// Stable code of the failure: `expired`, `not-yet-valid`, `unknown-issuer`,
    /// `bad-signature`, `unsupported-signature-algorithm`, `not-valid-for-name`,
    /// `invalid-purpose`, `bad-encoding`, `revoked`, `other`.
    pub code: Option<String>,
    /// The verifier's own message.
    pub detail: Option<String>,
    /// Which anchors were used: `system` or the CA file's name.
    pub anchors: String,
}

/// A completed TLS handshake and what the server presented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsEvidence {
    /// The address actually connected to.
    pub address: String,
    /// SNI sent and name verified.
    pub server_name: String,
    /// Negotiated protocol version, e.g. `TLSv1_3`.
    pub version: String,
    /// Negotiated cipher suite.
    pub cipher_suite: String,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The certificates in the order the server sent them (leaf first).
    pub chain: Vec<CertInfo>,
    /// Each certificate is followed by its issuer.
    pub chain_ordered: bool,
    /// The last certificate is a root or is issued by a trust anchor.
    pub chain_complete: bool,
    /// The leaf is valid for `server_name`.
    pub hostname_match: bool,
    /// SPKI pin of the trust anchor that issued the last certificate sent,
    /// when that anchor is one of the endpoint's (roots are rarely sent).
    #[serde(default)]
    pub anchor_spki_sha256: Option<String>,
    /// Chain verification.
    pub verification: Verification,
    /// Which handshake the chain (and version, suite) came from.
    #[serde(default)]
    pub chain_source: ChainSource,
    /// Why rustls could not complete the handshake, when the chain came
    /// from a raw one.
    #[serde(default)]
    pub handshake_error: Option<String>,
    /// A second connection got no TLS answer while this one was open: the
    /// server serves one connection at a time, and the endpoint's other
    /// probes ran one after another.
    #[serde(default)]
    pub one_connection_at_a_time: bool,
}

/// Where a [`TlsEvidence`] chain was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainSource {
    /// The completed rustls handshake.
    #[default]
    Handshake,
    /// The Certificate message of a raw TLS ≤ 1.2 handshake, read because
    /// rustls refused the real one (a weak key or signature, an old
    /// version): nothing was proven by a handshake signature.
    RawHandshake,
}

/// A real HTTP response read over the probed connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpEvidence {
    /// Request line sent, e.g. `GET /`.
    pub request: String,
    /// Status code.
    pub status: u16,
    /// Response headers of interest, lower-case names, in name order.
    pub headers: BTreeMap<String, String>,
    /// Parsed `Strict-Transport-Security`.
    pub hsts: Option<Hsts>,
}

/// A parsed HSTS header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hsts {
    /// `max-age` seconds (0 when missing or invalid).
    pub max_age: u64,
    /// `includeSubDomains` present.
    pub include_subdomains: bool,
    /// `preload` present.
    pub preload: bool,
}

impl Hsts {
    /// Parses a header value per RFC 6797 §6.1 (directive names are
    /// case-insensitive; unknown directives are ignored).
    pub fn parse(value: &str) -> Hsts {
        let mut h = Hsts {
            max_age: 0,
            include_subdomains: false,
            preload: false,
        };
        for directive in value.split(';') {
            let d = directive.trim();
            let (name, val) = match d.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"'))),
                None => (d, None),
            };
            match name.to_ascii_lowercase().as_str() {
                "max-age" => h.max_age = val.and_then(|v| v.parse().ok()).unwrap_or(0),
                "includesubdomains" => h.include_subdomains = true,
                "preload" => h.preload = true,
                _ => {}
            }
        }
        h
    }
}

/// Everything observed about one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EndpointEvidence {
    /// TLS handshake and chain.
    pub tls: Observation<TlsEvidence>,
    /// HTTP response (over TLS for https endpoints).
    pub http: Observation<HttpEvidence>,
    /// Layer probes beyond the handshake, by evidence kind (`legacy`, ...;
    /// see [`crate::probe::registry::layer_kinds`]): each value is that
    /// probe's evidence as JSON.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub layers: BTreeMap<String, Observation<serde_json::Value>>,
}

/// All evidence of one audit run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Evidence {
    /// The audit clock: Unix seconds at which probing started. Rules use
    /// this, never the wall clock, so a replay gives the same report.
    pub observed_at: i64,
    /// Per endpoint id.
    pub endpoints: BTreeMap<String, EndpointEvidence>,
    /// Which probes ran, e.g. `tls@api`.
    pub probes_run: Vec<String>,
    /// Active probes (bursts, enrollments) that were not run, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Probing was cancelled before every probe ended: what is here is
    /// incomplete, and the unfinished probes are recorded as `cancelled`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}
