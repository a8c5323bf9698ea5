//! Probes: the only code that touches the network.
//!
//! Each probe takes a resolved [`EndpointTarget`] and a [`ProbeContext`]
//! and returns evidence; a probe that cannot run returns a typed
//! [`ProbeFailure`](crate::evidence::ProbeFailure) inside the evidence, so
//! the audit always goes on. [`runner`] schedules probes with global and
//! per-host limits, timeouts, cancellation and progress events.

pub mod api;
pub mod auth;
pub mod enrollment;
pub mod exchange;
pub mod http;
pub mod jwt;
pub mod legacy;
pub mod legacy_probe;
pub mod mtls;
pub mod rate_limit;
pub mod runner;
pub mod signing;
pub mod surface;
pub mod tls;
pub mod verify;

use crate::model::EndpointTarget;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::UnixTime;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use verify::Anchors;

/// Shared settings and caches for one audit's probes.
#[derive(Debug)]
pub struct ProbeContext {
    /// The audit clock used for certificate validity.
    pub now: UnixTime,
    /// Limit for name resolution and TCP connect.
    pub connect_timeout: Duration,
    /// Limit for each handshake or request/response.
    pub io_timeout: Duration,
    /// The crypto provider (ring).
    pub provider: Arc<CryptoProvider>,
    /// This audit's secrets: every secret a probe reads or derives is
    /// registered here, and every result is scrubbed with it.
    pub redactor: Arc<crate::redact::Redactor>,
    anchors: Mutex<HashMap<Option<PathBuf>, Result<Anchors, String>>>,
}

impl ProbeContext {
    /// A context at audit time `now` (Unix seconds).
    pub fn new(now: i64, connect_timeout: Duration, io_timeout: Duration) -> Self {
        ProbeContext {
            now: UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0))),
            connect_timeout,
            io_timeout,
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            redactor: Arc::new(crate::redact::Redactor::new()),
            anchors: Mutex::new(HashMap::new()),
        }
    }

    /// The trust anchors an endpoint declares, loaded once per audit.
    pub fn anchors_for(&self, target: &EndpointTarget) -> Result<Anchors, String> {
        let key = target.ca_file.clone();
        let mut cache = self
            .anchors
            .lock()
            .map_err(|_| "trust-anchor cache poisoned".to_string())?;
        cache
            .entry(key.clone())
            .or_insert_with(|| match &key {
                Some(path) => Anchors::from_pem_file(path),
                None => Anchors::system(),
            })
            .clone()
    }
}

/// A boxed future, for probes behind a trait object.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A probe of one layer of an endpoint, run after (and independently of)
/// the TLS probe. Its evidence is JSON documented in `docs/facts.md`,
/// visible to rules as the variable [`EndpointProbe::name`].
pub trait EndpointProbe: Send + Sync {
    /// Stable name: evidence key, rule variable and `needs` value.
    fn name(&self) -> &'static str;
    /// Whether the probe concerns this endpoint.
    fn applies(&self, target: &EndpointTarget, decl: &crate::model::Endpoint) -> bool;
    /// Active probes send bursts or enroll keys: against a host that is not
    /// loopback they run only when the endpoint opts in (`active: true`).
    fn active(&self) -> bool {
        false
    }
    /// Runs the probe.
    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        decl: &'a crate::model::Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<serde_json::Value, crate::evidence::ProbeFailure>>;
}

/// Whether `host` is loopback (`localhost` or a loopback address): active
/// probes run there without opt-in, and test credentials may go there.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the endpoint declares that every caller must present a client
/// certificate. The HTTP-level probes (`auth`, `rate_limit`, `surface`) carry
/// none, so they leave such endpoints to the `mtls` probe.
pub fn requires_client_cert(decl: &crate::model::Endpoint) -> bool {
    decl.mtls
        .as_ref()
        .is_some_and(|m| m.expect == crate::model::MtlsExpectation::Required)
}

/// Every layer probe, in run order. Names match
/// [`crate::evidence::ENDPOINT_EVIDENCE`] after `tls` and `http`.
pub fn layer_probes() -> Vec<std::sync::Arc<dyn EndpointProbe>> {
    vec![
        std::sync::Arc::new(legacy_probe::LegacyProbe),
        std::sync::Arc::new(mtls::MtlsProbe),
        std::sync::Arc::new(enrollment::EnrollmentProbe),
        std::sync::Arc::new(signing::SigningProbe),
        std::sync::Arc::new(auth::AuthProbe),
        std::sync::Arc::new(rate_limit::RateLimitProbe),
        std::sync::Arc::new(surface::SurfaceProbe),
    ]
}

/// Installs ring as the process-wide rustls provider. Safe to call twice.
pub fn install_crypto_provider() {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
