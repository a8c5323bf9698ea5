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
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            max_concurrent: 16,
            max_per_host: 4,
            connect_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_secs(8),
            probe_timeout: Duration::from_secs(20),
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

/// Probes every endpoint of `model` at audit time `now` (Unix seconds).
pub async fn run(
    model: &Model,
    now: i64,
    config: &RunnerConfig,
    cancel: CancellationToken,
    events: Option<mpsc::UnboundedSender<ProgressEvent>>,
) -> Evidence {
    let cx = Arc::new(ProbeContext::new(now, config.connect_timeout, config.io_timeout));
    let global = Arc::new(Semaphore::new(config.max_concurrent.max(1)));
    let mut per_host: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let send = |ev: ProgressEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(ev);
        }
    };
    send(ProgressEvent::Planned {
        total: model.endpoints.len(),
    });

    let mut tasks = JoinSet::new();
    for target in &model.endpoints {
        let host_gate = per_host
            .entry(target.host.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(config.max_per_host.max(1))))
            .clone();
        let (global, cx, target, cancel, events) = (
            global.clone(),
            cx.clone(),
            target.clone(),
            cancel.clone(),
            events.clone(),
        );
        let deadline = config.probe_timeout;
        tasks.spawn(async move {
            let kind = if target.scheme == Scheme::Https { "tls" } else { "http" };
            let probe_id = format!("{kind}@{}", target.id);
            let work = async {
                let _g = global.acquire_owned().await;
                let _h = host_gate.acquire_owned().await;
                if let Some(tx) = &events {
                    let _ = tx.send(ProgressEvent::Started {
                        probe: probe_id.clone(),
                    });
                }
                match target.scheme {
                    Scheme::Https => super::tls::probe(&target, &cx).await,
                    Scheme::Http => super::tls::probe_cleartext(&target, &cx).await,
                }
            };
            let result = tokio::select! {
                _ = cancel.cancelled() => failed("cancelled", "the audit was cancelled".into()),
                r = tokio::time::timeout(deadline, work) => r.unwrap_or_else(|_| {
                    failed("timeout", format!("the probe did not finish within {deadline:?}"))
                }),
            };
            (target.id.clone(), probe_id, result)
        });
    }

    let mut evidence = Evidence {
        observed_at: now,
        ..Evidence::default()
    };
    while let Some(joined) = tasks.join_next().await {
        // A panicking probe is a bug, but it must not lose the audit.
        let Ok((endpoint, probe_id, result)) = joined else {
            continue;
        };
        let (ok, summary) = summarize(&result);
        send(ProgressEvent::Finished {
            probe: probe_id.clone(),
            ok,
            summary,
        });
        evidence.probes_run.push(probe_id);
        evidence.endpoints.insert(endpoint, result);
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

fn failed(stage: &str, reason: String) -> EndpointEvidence {
    let f = ProbeFailure::new(stage, reason);
    EndpointEvidence {
        tls: Observation::Error(f.clone()),
        http: Observation::Error(f),
    }
}
