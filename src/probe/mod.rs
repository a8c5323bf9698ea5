//! Probes: the only code that touches the network.
//!
//! Each probe is an [`EndpointProbe`] listed once in [`registry`]: it takes
//! a resolved [`EndpointTarget`] and a [`ProbeContext`] and returns evidence;
//! a probe that cannot run returns a typed
//! [`ProbeFailure`](crate::evidence::ProbeFailure) inside the evidence, so
//! the audit always goes on. [`runner`] schedules probes with global and
//! per-server budgets, deadlines, cancellation and progress events.

pub mod api;
pub mod auth;
pub mod cleartext;
pub mod deadline;
pub mod diagnose;
pub mod enrollment;
pub mod enumerate;
pub mod exchange;
pub mod http;
pub mod jwt;
pub mod legacy;
pub mod legacy_probe;
pub mod mozilla;
pub mod mtls;
pub mod rate_limit;
pub mod raw_chain;
pub mod registry;
pub mod revocation;
pub mod runner;
pub mod signing;
pub mod surface;
pub mod tls;
pub mod tls_suites;
pub mod tls_suites_probe;
pub mod verify;
pub mod vulns;
pub mod vulns_probe;

use crate::evidence::{EndpointEvidence, Observation, ProbeFailure};
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
    /// Revocation lookups allowed for every endpoint (`--revocation`).
    pub revocation_lookups: bool,
    anchors: Mutex<HashMap<Option<PathBuf>, Result<Anchors, String>>>,
    contacts: Mutex<HashMap<String, tokio::sync::watch::Sender<Option<Contact>>>>,
}

/// What the first contact with an endpoint showed (see
/// [`EndpointProbe::first_contact`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Contact {
    /// The server answered: the endpoint's other probes go ahead.
    Reachable,
    /// The server answered, but serves one connection at a time (a
    /// second connection got no answer while the first was open): the
    /// endpoint's other probes run one after another, so that they do not
    /// compete for its only connection.
    Serial,
    /// Nothing could be reached (no address, no connection, no TLS answer
    /// within the limit): the other probes are recorded as not attempted,
    /// with this reason, instead of each waiting out the same wall.
    Unreachable(ProbeFailure),
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
            revocation_lookups: false,
            anchors: Mutex::new(HashMap::new()),
            contacts: Mutex::new(HashMap::new()),
        }
    }

    /// Opens the first-contact gate of `endpoint`; the other probes of the
    /// endpoint wait on the receiver until a verdict is reported.
    pub(crate) fn open_gate(&self, endpoint: &str) -> tokio::sync::watch::Receiver<Option<Contact>> {
        let mut gates = self.contacts.lock().unwrap_or_else(|p| p.into_inner());
        gates
            .entry(endpoint.to_string())
            .or_insert_with(|| tokio::sync::watch::channel(None).0)
            .subscribe()
    }

    /// Reports the first contact with `endpoint`. The first report wins;
    /// reporting for an endpoint with no open gate does nothing.
    pub fn report_contact(&self, endpoint: &str, contact: Contact) {
        let gates = self.contacts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = gates.get(endpoint) {
            tx.send_if_modified(|v| {
                if v.is_none() {
                    *v = Some(contact);
                    true
                } else {
                    false
                }
            });
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

/// A probe of one layer of an endpoint. Its evidence is JSON documented in
/// `docs/facts.md` and `docs/probes/`, visible to rules as the variables
/// [`EndpointProbe::evidence_kinds`]. Every probe is listed once in
/// [`registry::probes`]; the runner takes such a list.
pub trait EndpointProbe: Send + Sync {
    /// Stable name: probe id prefix (`legacy@api`), and by default the
    /// evidence key, rule variable and `needs` value.
    fn name(&self) -> &'static str;
    /// The evidence kinds this probe records (rule variables and `needs`
    /// values). Default: its name.
    fn evidence_kinds(&self) -> Vec<&'static str> {
        vec![self.name()]
    }
    /// Whether the probe concerns this endpoint.
    fn applies(&self, target: &EndpointTarget, decl: &crate::model::Endpoint) -> bool;
    /// Active probes send bursts or enroll keys: against a host that is not
    /// loopback they run only when the endpoint opts in (`active: true`).
    fn active(&self) -> bool {
        false
    }
    /// A first-contact probe makes the endpoint's first connection: the
    /// endpoint's other probes wait for the [`Contact`] it reports (through
    /// [`ProbeContext::report_contact`], or the runner when it ends) and
    /// are not attempted when the endpoint is unreachable.
    fn first_contact(&self) -> bool {
        false
    }
    /// The shape of the rule variable `kind` (one of
    /// [`evidence_kinds`](EndpointProbe::evidence_kinds)) that this probe's
    /// evidence becomes: rules are checked against it when they load, and
    /// `tests/fact_schema.rs` checks real facts conform.
    fn facts_shape(&self, kind: &str) -> crate::audit::schema::Shape;
    /// Runs the probe. The runner bounds it by its deadline; stages should
    /// take their limits from [`deadline::limit`] so that what they saw
    /// survives a later stage running out of time.
    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        decl: &'a crate::model::Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<serde_json::Value, ProbeFailure>>;
    /// The probe's overall time limit, given the run's `configured` one
    /// (`--timeout`). Default: `configured`; a probe that by design makes
    /// many connections one after another (the suite enumeration) asks
    /// for more.
    fn time_budget(&self, configured: Duration) -> Duration {
        configured
    }
    /// Stores an outcome of this probe into the endpoint's evidence.
    /// Default: under [`EndpointProbe::name`] in `layers`.
    fn record(&self, into: &mut EndpointEvidence, outcome: Observation<serde_json::Value>) {
        into.layers.insert(self.name().to_string(), outcome);
    }
    /// One line on an observed outcome, for progress displays.
    fn summary(&self, _observed: &serde_json::Value) -> String {
        "observed".into()
    }
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

/// Installs ring as the process-wide rustls provider. Safe to call twice.
pub fn install_crypto_provider() {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
