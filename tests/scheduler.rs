//! The runner's scheduling properties, proven with injected fake probes
//! (no network): budgets hold, deadlines start when a probe really starts,
//! a slow server delays no other, every planned probe ends in exactly one
//! recorded outcome (panics included), and unreachable endpoints release
//! their other probes at once.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use strata::evidence::{Observation, ProbeFailure};
use strata::model::{Endpoint, EndpointTarget, Model};
use strata::probe::runner::{ProgressEvent, RunnerConfig, run};
use strata::probe::{BoxFuture, Contact, EndpointProbe, ProbeContext};
use tokio_util::sync::CancellationToken;

/// What a fake probe does.
#[derive(Clone, Copy)]
enum Act {
    /// Sleeps this long, then observes.
    Sleep(Duration),
    /// Never ends by itself.
    Stall,
    /// Panics with a message.
    Panic,
    /// First contact that reports the endpoint unreachable.
    Unreachable,
}

/// Counts how many run at once, overall and per server.
#[derive(Default)]
struct Meter {
    now: AtomicUsize,
    peak: AtomicUsize,
    per_server: Mutex<std::collections::HashMap<String, (usize, usize)>>,
    ran: Mutex<Vec<String>>,
}

struct Fake {
    name: &'static str,
    act: Act,
    only: Option<&'static str>,
    first: bool,
    meter: Arc<Meter>,
}

impl EndpointProbe for Fake {
    fn name(&self) -> &'static str {
        self.name
    }
    fn applies(&self, target: &EndpointTarget, _decl: &Endpoint) -> bool {
        self.only.is_none_or(|o| target.id.starts_with(o))
    }
    fn first_contact(&self) -> bool {
        self.first
    }
    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        _decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<serde_json::Value, ProbeFailure>> {
        Box::pin(async move {
            let server = format!("{}:{}", target.host, target.port);
            let n = self.meter.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.meter.peak.fetch_max(n, Ordering::SeqCst);
            if let Ok(mut m) = self.meter.per_server.lock() {
                let e = m.entry(server.clone()).or_default();
                e.0 += 1;
                e.1 = e.1.max(e.0);
            }
            if let Ok(mut r) = self.meter.ran.lock() {
                r.push(format!("{}@{}", self.name, target.id));
            }
            let result = match self.act {
                Act::Sleep(d) => {
                    tokio::time::sleep(d).await;
                    Ok(serde_json::json!({"slept_ms": d.as_millis() as u64}))
                }
                Act::Stall => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(serde_json::json!({}))
                }
                Act::Panic => panic!("fake probe exploded on {}", target.id),
                Act::Unreachable => {
                    let f = ProbeFailure::new("connect", "cannot connect: connection refused (fake)");
                    cx.report_contact(&target.id, Contact::Unreachable(f.clone()));
                    Err(f)
                }
            };
            self.meter.now.fetch_sub(1, Ordering::SeqCst);
            if let Ok(mut m) = self.meter.per_server.lock()
                && let Some(e) = m.get_mut(&server)
            {
                e.0 -= 1;
            }
            result
        })
    }
}

fn fake(name: &'static str, act: Act, only: Option<&'static str>, meter: &Arc<Meter>) -> Arc<dyn EndpointProbe> {
    Arc::new(Fake {
        name,
        act,
        only,
        first: false,
        meter: meter.clone(),
    })
}

/// A model of endpoints `(id, port)` on 127.0.0.1 (never contacted: the
/// fakes do no I/O).
fn model(endpoints: &[(&str, u16)]) -> Model {
    let mut yaml = String::from(
        "strata: 1\nsystem: { name: sched }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\nendpoints:\n",
    );
    for (id, port) in endpoints {
        yaml.push_str(&format!(
            "  - {{ id: {id}, component: gw, url: \"https://127.0.0.1:{port}/{id}\" }}\n"
        ));
    }
    strata::model::load_str(&yaml, Path::new("sched.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

async fn audit(
    model: &Model,
    config: &RunnerConfig,
    probes: &[Arc<dyn EndpointProbe>],
    cancel: CancellationToken,
) -> (strata::evidence::Evidence, Vec<ProgressEvent>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // Bounded: every fake either ends, or is ended by its deadline.
    let ev = tokio::time::timeout(Duration::from_secs(60), run(model, 0, config, probes, cancel, Some(tx)))
        .await
        .expect("the runner ended");
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    (ev, events)
}

fn layer<'a>(ev: &'a strata::evidence::Evidence, endpoint: &str, probe: &str) -> &'a Observation<serde_json::Value> {
    ev.endpoints[endpoint]
        .layers
        .get(probe)
        .unwrap_or_else(|| panic!("no {probe} outcome for {endpoint}"))
}

fn config(per_server: usize, global: usize, timeout_ms: u64) -> RunnerConfig {
    RunnerConfig {
        max_per_server: per_server,
        max_concurrent: global,
        probe_timeout: Duration::from_millis(timeout_ms),
        ..RunnerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_starts_when_the_probe_holds_its_permits() {
    // Five endpoints on one server, one probe at a time there: each probe
    // takes 200 ms of a 1.5 s limit, so queueing (1 s in all) must not
    // count against the later ones.
    let meter = Arc::new(Meter::default());
    let probes = vec![fake("slow", Act::Sleep(Duration::from_millis(200)), None, &meter)];
    let m = model(&[("a", 7001), ("b", 7001), ("c", 7001), ("d", 7001), ("e", 7001)]);
    let (ev, _) = audit(&m, &config(1, 16, 1500), &probes, CancellationToken::new()).await;
    for id in ["a", "b", "c", "d", "e"] {
        assert!(
            matches!(layer(&ev, id, "slow"), Observation::Observed(_)),
            "{id}: {:?}",
            layer(&ev, id, "slow")
        );
    }
    let per = meter.per_server.lock().expect("meter");
    assert_eq!(
        per["127.0.0.1:7001"].1, 1,
        "never two at once on a server with budget 1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_hold_globally_and_per_server() {
    let meter = Arc::new(Meter::default());
    let probes = vec![
        fake("p1", Act::Sleep(Duration::from_millis(50)), None, &meter),
        fake("p2", Act::Sleep(Duration::from_millis(50)), None, &meter),
        fake("p3", Act::Sleep(Duration::from_millis(50)), None, &meter),
    ];
    let eps: Vec<(String, u16)> = (0..12).map(|i| (format!("e{i}"), 7100 + (i % 4) as u16)).collect();
    let refs: Vec<(&str, u16)> = eps.iter().map(|(s, p)| (s.as_str(), *p)).collect();
    let (ev, events) = audit(&model(&refs), &config(2, 5, 5000), &probes, CancellationToken::new()).await;
    assert!(meter.peak.load(Ordering::SeqCst) <= 5, "global budget exceeded");
    assert!(meter.peak.load(Ordering::SeqCst) >= 2, "probes did run concurrently");
    for (server, (_, peak)) in meter.per_server.lock().expect("meter").iter() {
        assert!(*peak <= 2, "{server}: {peak} at once");
    }
    assert_eq!(ev.probes_run.len(), 36);
    let finished = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Finished { .. }))
        .count();
    let started = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Started { .. }))
        .count();
    assert_eq!(events.first(), Some(&ProgressEvent::Planned { total: 36 }));
    assert_eq!((started, finished), (36, 36));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_delays_no_other_server() {
    // Eight stalled probes on one server with budget 1 (they queue for
    // many deadlines), one quick probe on another server: the quick one
    // finishes before the first stalled one ends, and the stalled ones
    // end by their own deadline with the timeout reason.
    let meter = Arc::new(Meter::default());
    let probes = vec![
        fake("stall", Act::Stall, Some("slow"), &meter),
        fake("quick", Act::Sleep(Duration::from_millis(10)), Some("fast"), &meter),
    ];
    let mut eps: Vec<(String, u16)> = (0..8).map(|i| (format!("slow{i}"), 7201)).collect();
    eps.push(("fast".into(), 7202));
    let refs: Vec<(&str, u16)> = eps.iter().map(|(s, p)| (s.as_str(), *p)).collect();
    let (ev, events) = audit(&model(&refs), &config(1, 2, 300), &probes, CancellationToken::new()).await;
    let finished: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ProgressEvent::Finished { probe, .. } => Some(probe.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(finished.first(), Some(&"quick@fast"), "{finished:?}");
    assert!(matches!(layer(&ev, "fast", "quick"), Observation::Observed(_)));
    for i in 0..8 {
        let id = format!("slow{i}");
        let f = layer(&ev, &id, "stall").failure().expect("stalled probe fails");
        assert_eq!(f.stage, "timeout", "{id}: {f}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_probe_is_an_internal_failure_with_its_message() {
    let meter = Arc::new(Meter::default());
    let probes = vec![
        fake("boom", Act::Panic, None, &meter),
        fake("fine", Act::Sleep(Duration::from_millis(1)), None, &meter),
    ];
    let (ev, events) = audit(
        &model(&[("a", 7301), ("b", 7302)]),
        &config(4, 16, 2000),
        &probes,
        CancellationToken::new(),
    )
    .await;
    for id in ["a", "b"] {
        let f = layer(&ev, id, "boom").failure().expect("panic recorded");
        assert_eq!(f.stage, "internal");
        assert!(f.reason.contains(&format!("fake probe exploded on {id}")), "{f}");
        assert!(matches!(layer(&ev, id, "fine"), Observation::Observed(_)));
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ProgressEvent::Finished { probe, ok: false, .. } if probe == "boom@a"))
    );
    assert_eq!(ev.probes_run, vec!["boom@a", "boom@b", "fine@a", "fine@b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_releases_its_other_probes_at_once() {
    let meter = Arc::new(Meter::default());
    let first: Arc<dyn EndpointProbe> = Arc::new(Fake {
        name: "contact",
        act: Act::Unreachable,
        only: Some("dead"),
        first: true,
        meter: meter.clone(),
    });
    let up: Arc<dyn EndpointProbe> = Arc::new(Fake {
        name: "contact",
        act: Act::Sleep(Duration::from_millis(5)),
        only: Some("live"),
        first: true,
        meter: meter.clone(),
    });
    let probes = vec![first, up, fake("layer", Act::Stall, None, &meter)];
    let (ev, events) = audit(
        &model(&[("dead", 7401), ("live", 7402)]),
        &config(4, 16, 400),
        &probes,
        CancellationToken::new(),
    )
    .await;
    let f = layer(&ev, "dead", "layer").failure().expect("not attempted");
    assert_eq!(f.stage, "connect");
    assert!(f.reason.starts_with("not attempted"), "{f}");
    assert!(f.reason.contains("connection refused (fake)"), "{f}");
    let ran = meter.ran.lock().expect("meter").clone();
    assert!(
        !ran.contains(&"layer@dead".to_string()),
        "the layer probe never ran: {ran:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ProgressEvent::Started { probe } if probe == "layer@dead")),
        "not attempted is not started"
    );
    // The reachable endpoint's layer probe ran (and stalled into its deadline).
    assert!(ran.contains(&"layer@live".to_string()));
    assert_eq!(
        layer(&ev, "live", "layer").failure().map(|f| f.stage.as_str()),
        Some("timeout")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_records_queued_and_running_probes_as_cancelled() {
    let meter = Arc::new(Meter::default());
    let probes = vec![fake("stall", Act::Stall, None, &meter)];
    let eps: Vec<(String, u16)> = (0..6).map(|i| (format!("e{i}"), 7500)).collect();
    let refs: Vec<(&str, u16)> = eps.iter().map(|(s, p)| (s.as_str(), *p)).collect();
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c2.cancel();
    });
    let (ev, events) = audit(&model(&refs), &config(2, 16, 60_000), &probes, cancel).await;
    assert!(ev.cancelled);
    for (id, _) in &refs {
        assert_eq!(
            layer(&ev, id, "stall").failure().map(|f| f.stage.as_str()),
            Some("cancelled"),
            "{id}"
        );
    }
    let finished = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Finished { .. }))
        .count();
    assert_eq!(finished, 6);
}
