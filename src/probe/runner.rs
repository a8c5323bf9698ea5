//! Runs every applicable probe of a model, bounded and cancellable.
//!
//! At most `max_concurrent` probes run at once and at most `max_per_host`
//! against one host; each probe has an overall deadline; cancelling stops
//! waiting at once and records the unfinished probes as cancelled.
//! Progress goes out as [`ProgressEvent`]s for the CLI and the GUI.

use super::ProbeContext;
use crate::evidence::{EndpointEvidence, Evidence, Observation, ProbeFailure};
use crate::model::{Model, Scheme};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Limits for a run.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Probes in flight at once.
    pub max_concurrent: usize,
    /// Probes in flight against one host.
    pub max_per_host: usize,
    /// Name resolution + TCP connect limit.
    pub connect_timeout: Duration,
    /// Per handshake / request limit.
    pub io_timeout: Duration,
    /// Overall limit per probe, whatever it does.
    pub probe_timeout: Duration,
    /// Run active probes against every host (not only loopback and
    /// endpoints with `active: true`).
    pub allow_active: bool,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            max_concurrent: 16,
            max_per_host: 4,
            connect_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_secs(8),
            probe_timeout: Duration::from_secs(20),
            allow_active: false,
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
    /// A probe started.
    Started {
        /// Probe id such as `tls@api`.
        probe: String,
    },
    /// A probe finished.
    Finished {
        /// Probe id.
        probe: String,
        /// Whether it observed something (false: error).
        ok: bool,
        /// One line on the outcome.
        summary: String,
    },
}

fn summarize(e: &EndpointEvidence) -> (bool, String) {
    match (&e.tls, &e.http) {
        (Observation::Observed(t), _) => (
            true,
            format!(
                "{} {}, chain {}",
                t.version,
                if t.verification.trusted {
                    "trusted"
                } else {
                    "NOT trusted"
                },
                t.chain.len()
            ),
        ),
        (Observation::Error(f), _) => (false, f.to_string()),
        (Observation::NotProbed, Observation::Observed(h)) => (true, format!("HTTP {}", h.status)),
        (Observation::NotProbed, Observation::Error(f)) => (false, f.to_string()),
        _ => (false, "not probed".into()),
    }
}

/// What one task produced.
enum Produced {
    Tls(Box<EndpointEvidence>),
    Layer(&'static str, Observation<serde_json::Value>),
}

/// Whether an address is loopback (active probes run there without opt-in).
use super::is_loopback;

/// Probes every endpoint of `model` at audit time `now` (Unix seconds):
/// the TLS probe (or the cleartext HTTP probe) and every applicable layer
/// probe, each as its own bounded task.
pub async fn run(
    model: &Model,
    now: i64,
    config: &RunnerConfig,
    cancel: CancellationToken,
    events: Option<mpsc::UnboundedSender<ProgressEvent>>,
) -> Evidence {
    let cx = Arc::new(ProbeContext::new(now, config.connect_timeout, config.io_timeout));
    // Every declared secret is known before any server is contacted.
    crate::model::secret::register_all(model, &cx.redactor);
    let global = Arc::new(Semaphore::new(config.max_concurrent.max(1)));
    let mut per_host: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let send = |ev: ProgressEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(ev);
        }
    };
    let probes = super::layer_probes();
    let mut evidence = Evidence {
        observed_at: now,
        ..Evidence::default()
    };

    // Plan: (target, declaration, probe or None for the TLS/HTTP probe).
    let mut plan = Vec::new();
    for target in &model.endpoints {
        let Some(decl) = model.endpoint(&target.id) else {
            continue;
        };
        plan.push((target.clone(), decl.clone(), None));
        for p in &probes {
            if !p.applies(target, decl) {
                continue;
            }
            if p.active() && !decl.active && !config.allow_active && !is_loopback(&target.host) {
                evidence.skipped.push(format!(
                    "{}@{}: active probe not run against non-loopback host {} (set `active: true` on the endpoint or pass --active)",
                    p.name(),
                    target.id,
                    target.host
                ));
                continue;
            }
            plan.push((target.clone(), decl.clone(), Some(p.clone())));
        }
    }
    send(ProgressEvent::Planned { total: plan.len() });

    let mut tasks = JoinSet::new();
    for (target, decl, probe) in plan {
        let host_gate = per_host
            .entry(target.host.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(config.max_per_host.max(1))))
            .clone();
        let (global, cx, cancel, events) = (global.clone(), cx.clone(), cancel.clone(), events.clone());
        let deadline = config.probe_timeout;
        tasks.spawn(async move {
            let name = match &probe {
                Some(p) => p.name(),
                None if target.scheme == Scheme::Https => "tls",
                None => "http",
            };
            let probe_id = format!("{name}@{}", target.id);
            let work = async {
                let _g = global.acquire_owned().await;
                let _h = host_gate.acquire_owned().await;
                if let Some(tx) = &events {
                    let _ = tx.send(ProgressEvent::Started {
                        probe: probe_id.clone(),
                    });
                }
                match &probe {
                    None if target.scheme == Scheme::Https => {
                        Produced::Tls(Box::new(super::tls::probe(&target, &cx).await))
                    }
                    None => Produced::Tls(Box::new(super::tls::probe_cleartext(&target, &cx).await)),
                    Some(p) => Produced::Layer(
                        p.name(),
                        match p.run(&target, &decl, &cx).await {
                            Ok(v) => Observation::Observed(v),
                            Err(f) => Observation::Error(f),
                        },
                    ),
                }
            };
            let stopped = |stage: &str, reason: String| match &probe {
                None => Produced::Tls(Box::new(failed(stage, reason))),
                Some(p) => Produced::Layer(p.name(), Observation::Error(ProbeFailure::new(stage, reason))),
            };
            let result = tokio::select! {
                _ = cancel.cancelled() => stopped("cancelled", "the audit was cancelled".into()),
                r = tokio::time::timeout(deadline, work) => r.unwrap_or_else(|_| {
                    stopped("timeout", format!("the probe did not finish within {deadline:?}"))
                }),
            };
            (target.id.clone(), probe_id, result)
        });
    }

    while let Some(joined) = tasks.join_next().await {
        // A panicking probe is a bug, but it must not lose the audit.
        let Ok((endpoint, probe_id, result)) = joined else {
            continue;
        };
        // THE redaction point: nothing a probe produced is stored or
        // reported before it is scrubbed of the audit's secrets.
        let result = scrub(result, &cx.redactor);
        let entry = evidence.endpoints.entry(endpoint).or_default();
        let (ok, summary) = match result {
            Produced::Tls(e) => {
                let s = summarize(&e);
                entry.tls = e.tls;
                entry.http = e.http;
                s
            }
            Produced::Layer(name, obs) => {
                let s = match &obs {
                    Observation::Observed(_) => (true, "observed".to_string()),
                    Observation::Error(f) => (false, f.to_string()),
                    Observation::NotProbed => (false, "not probed".to_string()),
                };
                entry.layers.insert(name.to_string(), obs);
                s
            }
        };
        send(ProgressEvent::Finished {
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
        evidence
            .endpoints
            .entry(target.id.clone())
            .or_insert_with(|| failed("internal", "the probe task failed".into()));
    }
    evidence
}

/// A probe's result with every piece of a registered secret replaced by
/// `<redacted>` (TLS/HTTP evidence, layer JSON and failure reasons alike).
/// A result that cannot be scrubbed is replaced by a failure saying so.
fn scrub(result: Produced, redactor: &crate::redact::Redactor) -> Produced {
    match result {
        Produced::Tls(e) => Produced::Tls(Box::new(
            redactor
                .scrub_serde(*e)
                .unwrap_or_else(|e| failed("internal", format!("evidence withheld: {e}"))),
        )),
        Produced::Layer(name, obs) => Produced::Layer(
            name,
            redactor
                .scrub_serde(obs)
                .unwrap_or_else(|e| Observation::Error(ProbeFailure::new("internal", format!("evidence withheld: {e}")))),
        ),
    }
}

fn failed(stage: &str, reason: String) -> EndpointEvidence {
    let f = ProbeFailure::new(stage, reason);
    EndpointEvidence {
        tls: Observation::Error(f.clone()),
        http: Observation::Error(f),
        ..EndpointEvidence::default()
    }
}
