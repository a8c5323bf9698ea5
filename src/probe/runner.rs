//! Runs probes against every endpoint of a model: fair, bounded,
//! cancellable, and with exactly one recorded outcome per planned probe.
//!
//! Scheduling, in the order a probe meets it:
//! 1. **First contact.** An endpoint's first-contact probe (TLS, or the
//!    cleartext request) goes first; the endpoint's other probes wait for
//!    its verdict without holding any budget. When nothing answered (no
//!    address, no connection, no TLS answer in time) they are recorded as
//!    not attempted, with that reason, instead of each waiting out the same
//!    wall.
//! 2. **Budgets.** A probe takes a permit of its server (`host:port`,
//!    [`RunnerConfig::max_per_server`]) and only then one of the global
//!    budget ([`RunnerConfig::max_concurrent`]), so a probe queued behind a
//!    slow server never holds a global permit another server could use.
//! 3. **Deadline.** The probe's deadline ([`RunnerConfig::probe_timeout`])
//!    starts when it holds both permits, and is visible to its stages
//!    through [`super::deadline::limit`].
//!
//! A probe runs in its own task: a panic is recorded as an `internal`
//! failure with the panic message, a probe that overruns its deadline as a
//! `timeout`, and cancelling stops every probe at once and records the
//! unfinished ones as `cancelled`. Each probe sends `Started` when it really
//! starts and `Finished` when its outcome is recorded.

use super::{Contact, EndpointProbe, ProbeContext};
use crate::evidence::{Evidence, Observation, ProbeFailure};
use crate::model::{Endpoint, EndpointTarget, Model};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Limits for a run.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Probes in flight at once, over all servers.
    pub max_concurrent: usize,
    /// Probes in flight against one server (`host:port`). sslyze's default
    /// per-server limit is 5; a server that serves one connection at a time
    /// wants 1.
    pub max_per_server: usize,
    /// Name resolution + TCP connect limit.
    pub connect_timeout: Duration,
    /// Per handshake / request limit.
    pub io_timeout: Duration,
    /// Overall limit per probe, counted from when it holds its permits.
    pub probe_timeout: Duration,
    /// Run active probes against every host (not only loopback and
    /// endpoints with `active: true`).
    pub allow_active: bool,
    /// Fetch the CRLs served certificates name, for every endpoint
    /// (`--revocation`; otherwise only where `tls.revocation: check`).
    pub revocation: bool,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            max_concurrent: 128,
            max_per_server: 4,
            connect_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_secs(8),
            probe_timeout: Duration::from_secs(20),
            allow_active: false,
            revocation: false,
        }
    }
}

/// What the runner reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// Probing starts: this many probes are planned.
    Planned {
        /// Number of probes.
        total: usize,
    },
    /// A probe started (it holds its permits; its deadline runs).
    Started {
        /// Probe id such as `tls@api`.
        probe: String,
    },
    /// A probe's outcome was recorded.
    Finished {
        /// Probe id.
        probe: String,
        /// Whether it observed something (false: error).
        ok: bool,
        /// One line on the outcome.
        summary: String,
    },
}

/// Time the runner gives a probe past its deadline before cutting it off:
/// the probe's own stage limits end a little before the deadline, with
/// their precise reason, so this only catches a probe that ignores them.
const GRACE: Duration = Duration::from_millis(500);

/// One probe of one endpoint, planned.
struct Planned {
    target: Arc<EndpointTarget>,
    decl: Arc<Endpoint>,
    probe: Arc<dyn EndpointProbe>,
    /// The endpoint's first-contact verdict, for probes that wait on it.
    gate: Option<watch::Receiver<Option<Contact>>>,
    server: Arc<Semaphore>,
    /// The server semaphore's permits: what a probe of a serial server
    /// takes, to run alone.
    server_permits: u32,
}

impl Planned {
    fn id(&self) -> String {
        format!("{}@{}", self.probe.name(), self.target.id)
    }
}

/// Shared by every probe task of a run.
struct Shared {
    cx: Arc<ProbeContext>,
    global: Arc<Semaphore>,
    cancel: CancellationToken,
    events: Option<mpsc::UnboundedSender<ProgressEvent>>,
    probe_timeout: Duration,
}

impl Shared {
    fn send(&self, ev: ProgressEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(ev);
        }
    }
}

/// Probes every endpoint of `model` with `probes` (normally
/// [`super::registry::probes`]) at audit time `now` (Unix seconds).
pub async fn run(
    model: &Model,
    now: i64,
    config: &RunnerConfig,
    probes: &[Arc<dyn EndpointProbe>],
    cancel: CancellationToken,
    events: Option<mpsc::UnboundedSender<ProgressEvent>>,
) -> Evidence {
    // A probe's stages must fit in its deadline: a `--timeout` shorter than
    // the stage limits shortens them too.
    let half = config.probe_timeout / 2;
    let mut cx = ProbeContext::new(now, config.connect_timeout.min(half), config.io_timeout.min(half));
    cx.revocation_lookups = config.revocation;
    let cx = Arc::new(cx);
    // Every declared secret is known before any server is contacted.
    crate::model::secret::register_all(model, &cx.redactor);
    let shared = Arc::new(Shared {
        cx: cx.clone(),
        global: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
        cancel,
        events,
        probe_timeout: config.probe_timeout,
    });
    let mut evidence = Evidence {
        observed_at: now,
        ..Evidence::default()
    };
    let plan = plan(model, config, probes, &cx, &mut evidence.skipped);
    shared.send(ProgressEvent::Planned { total: plan.len() });

    let mut tasks = JoinSet::new();
    let mut identity = HashMap::new();
    for p in plan {
        let key = (p.target.id.clone(), p.id(), p.probe.clone());
        let handle = tasks.spawn(run_one(p, shared.clone()));
        identity.insert(handle.id(), key);
    }
    while let Some(joined) = tasks.join_next_with_id().await {
        let (task, outcome) = match joined {
            Ok((task, outcome)) => (task, outcome),
            // The scheduling code itself failed: still one outcome.
            Err(e) => (e.id(), Observation::Error(panic_failure(e))),
        };
        let Some((endpoint, probe_id, probe)) = identity.remove(&task) else {
            continue;
        };
        // THE redaction point: nothing a probe produced (evidence, failure
        // reasons, panic messages) is stored or reported before it is
        // scrubbed of the audit's secrets.
        let outcome = scrub(outcome, &cx.redactor);
        let (ok, summary) = match &outcome {
            Observation::Observed(v) => (true, probe.summary(v)),
            Observation::Error(f) => (false, f.to_string()),
            Observation::NotProbed => (false, "not probed".to_string()),
        };
        if probe.first_contact() {
            // Never leave an endpoint's other probes waiting.
            cx.report_contact(&endpoint, Contact::Reachable);
        }
        probe.record(evidence.endpoints.entry(endpoint).or_default(), outcome);
        shared.send(ProgressEvent::Finished {
            probe: probe_id.clone(),
            ok,
            summary,
        });
        evidence.probes_run.push(probe_id);
    }
    for line in &mut evidence.skipped {
        *line = cx.redactor.scrub_string(std::mem::take(line));
    }
    // Deterministic order regardless of completion order.
    evidence.probes_run.sort();
    for target in &model.endpoints {
        evidence.endpoints.entry(target.id.clone()).or_default();
    }
    evidence.cancelled = shared.cancel.is_cancelled();
    evidence
}

/// A probe's outcome with every piece of a registered secret replaced by
/// `<redacted>`. An outcome that cannot be scrubbed is replaced by a
/// failure saying so (it is never stored unscrubbed).
fn scrub(
    outcome: Observation<serde_json::Value>,
    redactor: &crate::redact::Redactor,
) -> Observation<serde_json::Value> {
    redactor
        .scrub_serde(outcome)
        .unwrap_or_else(|e| Observation::Error(ProbeFailure::new("internal", format!("evidence withheld: {e}"))))
}

/// Every applicable probe of every endpoint; active probes that may not
/// run against a host are listed in `skipped` instead.
fn plan(
    model: &Model,
    config: &RunnerConfig,
    probes: &[Arc<dyn EndpointProbe>],
    cx: &ProbeContext,
    skipped: &mut Vec<String>,
) -> Vec<Planned> {
    let mut servers: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut plan = Vec::new();
    for target in &model.endpoints {
        let Some(decl) = model.endpoint(&target.id) else {
            continue;
        };
        let (target, decl) = (Arc::new(target.clone()), Arc::new(decl.clone()));
        let server = servers
            .entry(format!("{}:{}", target.host.to_ascii_lowercase(), target.port))
            .or_insert_with(|| Arc::new(Semaphore::new(config.max_per_server.max(1))))
            .clone();
        let applicable: Vec<&Arc<dyn EndpointProbe>> = probes
            .iter()
            .filter(|p| p.applies(&target, &decl))
            .filter(|p| {
                let allowed = !p.active() || decl.active || config.allow_active || super::is_loopback(&target.host);
                if !allowed {
                    skipped.push(format!(
                        "{}@{}: active probe not run against non-loopback host {} (set `active: true` on the endpoint or pass --active)",
                        p.name(),
                        target.id,
                        target.host
                    ));
                }
                allowed
            })
            .collect();
        let gate = applicable
            .iter()
            .any(|p| p.first_contact())
            .then(|| cx.open_gate(&target.id));
        for p in applicable {
            plan.push(Planned {
                target: target.clone(),
                decl: decl.clone(),
                probe: p.clone(),
                gate: if p.first_contact() { None } else { gate.clone() },
                server: server.clone(),
                server_permits: config.max_per_server.max(1) as u32,
            });
        }
    }
    plan
}

/// Runs one planned probe to its one outcome.
async fn run_one(p: Planned, shared: Arc<Shared>) -> Observation<serde_json::Value> {
    let cancelled = || Observation::Error(ProbeFailure::new("cancelled", "the audit was cancelled"));
    // 1. Wait for the endpoint's first contact, holding nothing.
    let mut serial = false;
    if let Some(mut gate) = p.gate.clone() {
        let verdict = tokio::select! {
            _ = shared.cancel.cancelled() => return cancelled(),
            v = gate.wait_for(Option::is_some) => v.ok().and_then(|v| v.clone()),
        };
        match verdict {
            Some(Contact::Unreachable(f)) => {
                return Observation::Error(ProbeFailure::new(
                    &f.stage,
                    format!("not attempted: the endpoint did not answer its first contact ({f})"),
                ));
            }
            Some(Contact::Serial) => serial = true,
            _ => {}
        }
    }
    // 2. The server's permit (all of them on a serial server: one probe
    // at a time), then a global one.
    let wanted = if serial { p.server_permits } else { 1 };
    let permits = async {
        let server = p.server.clone().acquire_many_owned(wanted).await;
        let global = shared.global.clone().acquire_owned().await;
        (server, global)
    };
    let _permits = tokio::select! {
        _ = shared.cancel.cancelled() => return cancelled(),
        permits = permits => permits,
    };
    // 3. Now the probe really starts, and so does its deadline.
    shared.send(ProgressEvent::Started { probe: p.id() });
    let budget = p.probe.time_budget(shared.probe_timeout);
    let deadline = tokio::time::Instant::now() + budget;
    let work = {
        let (target, decl, probe, cx) = (p.target.clone(), p.decl.clone(), p.probe.clone(), shared.cx.clone());
        tokio::spawn(super::deadline::scope(deadline, async move {
            probe.run(&target, &decl, &cx).await
        }))
    };
    let abort = work.abort_handle();
    let outcome = tokio::select! {
        _ = shared.cancel.cancelled() => {
            abort.abort();
            cancelled()
        }
        joined = tokio::time::timeout_at(deadline + GRACE, work) => match joined {
            Ok(Ok(Ok(v))) => Observation::Observed(v),
            Ok(Ok(Err(f))) => Observation::Error(f),
            Ok(Err(e)) => Observation::Error(panic_failure(e)),
            Err(_) => {
                abort.abort();
                Observation::Error(ProbeFailure::new(
                    "timeout",
                    format!("the probe did not finish within {budget:?}"),
                ))
            }
        },
    };
    if p.probe.first_contact() {
        // A first-contact probe that ended without a verdict (it failed
        // early, panicked or overran) still releases the waiting probes.
        let contact = match &outcome {
            Observation::Error(f) if super::tls::unreachable(f) || f.stage == "timeout" => {
                Contact::Unreachable(f.clone())
            }
            _ => Contact::Reachable,
        };
        shared.cx.report_contact(&p.target.id, contact);
    }
    outcome
}

/// The failure recorded for a probe task that panicked (or was aborted).
fn panic_failure(e: tokio::task::JoinError) -> ProbeFailure {
    if e.is_cancelled() {
        return ProbeFailure::new("cancelled", "the probe task was stopped");
    }
    let payload = e.into_panic();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    ProbeFailure::new("internal", format!("the probe crashed (a bug in Strata): {message}"))
}
