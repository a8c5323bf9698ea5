//! Mixed audit benchmark (`cargo bench --bench hostile_audit`): every
//! hostile lab endpoint in one model next to healthy lab endpoints, audited
//! three times at the default limits and three times at `--timeout 5`.
//!
//! Prints, per run: the wall time against the bound (per-probe limit + 2 s),
//! how many healthy endpoints were fully observed (TLS and HTTP), and
//! whether every endpoint's outcome classes (each probe's observed / error
//! stage) are the same as in the first run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use strata::evidence::{EndpointEvidence, Evidence, Observation};
use strata::lab::hostile::{HostileConfig, HostileLab};
use strata::lab::{Lab, LabConfig};
use strata::probe::runner::RunnerConfig;
use tokio_util::sync::CancellationToken;

/// Lab scenarios that answer (whatever their certificate says).
const HEALTHY: &[&str] = &[
    "good",
    "expired",
    "not-yet-valid",
    "expiring-soon",
    "self-signed",
    "wrong-host",
    "incomplete-chain",
    "no-hsts",
    "tls12-only",
    "gateway-good",
    "gateway-broken",
];

fn class<T>(o: &Observation<T>) -> String {
    match o {
        Observation::Observed(_) => "observed".into(),
        Observation::Error(f) => format!("error/{}", f.stage),
        Observation::NotProbed => "not-probed".into(),
    }
}

fn classes(ev: &EndpointEvidence) -> String {
    let mut s = format!("tls:{} http:{}", class(&ev.tls), class(&ev.http));
    for (k, v) in &ev.layers {
        s.push_str(&format!(" {k}:{}", class(v)));
    }
    s
}

fn model_yaml(lab: &Lab, hostile: &HostileLab, ca: &str) -> (String, Vec<String>) {
    let mut yaml = String::from(
        "strata: 1\nsystem: { name: mixed }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\nendpoints:\n",
    );
    let mut healthy = Vec::new();
    for s in &lab.manifest.servers {
        if !HEALTHY.contains(&s.name.as_str()) {
            continue;
        }
        let auth = if s.name.starts_with("gateway") {
            ", auth: { expect: jwt }"
        } else {
            ""
        };
        let id = format!("healthy-{}", s.name);
        yaml.push_str(&format!(
            "  - {{ id: {id}, component: gw, url: \"{}\", server_name: {}, trust: {{ ca_file: \"{ca}\" }}{auth} }}\n",
            s.url, s.server_name
        ));
        healthy.push(id);
    }
    for ep in &hostile.endpoints {
        yaml.push_str(&format!(
            "  - {{ id: {}, component: gw, url: \"{}\", server_name: {}, trust: {{ ca_file: \"{ca}\" }}, auth: {{ expect: jwt }} }}\n",
            ep.name,
            ep.url(),
            ep.server_name
        ));
    }
    (yaml, healthy)
}

fn main() {
    strata::probe::install_crypto_provider();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start runtime: {e}");
            return;
        }
    };
    let ca = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/lab/root-ca.pem")
        .display()
        .to_string();
    rt.block_on(async {
        let lab = match Lab::start(&LabConfig {
            base_port: 0,
            ..LabConfig::default()
        })
        .await
        {
            Ok(l) => l,
            Err(e) => return eprintln!("lab: {e}"),
        };
        for (label, timeout) in [("default (20 s)", 20u64), ("--timeout 5", 5)] {
            let config = RunnerConfig {
                probe_timeout: Duration::from_secs(timeout),
                ..RunnerConfig::default()
            };
            let mut first: Option<BTreeMap<String, String>> = None;
            for run in 1..=3 {
                // A fresh hostile lab each run: its servers serve a bounded
                // number of connections.
                let hostile = match HostileLab::start(&HostileConfig::default()).await {
                    Ok(l) => l,
                    Err(e) => return eprintln!("hostile lab: {e}"),
                };
                let (yaml, healthy) = model_yaml(&lab, &hostile, &ca);
                let model = match strata::model::load_str(&yaml, std::path::Path::new("mixed.yaml")) {
                    Ok(m) => m,
                    Err(e) => return eprintln!("model: {e}"),
                };
                if run == 1 && label.starts_with("default") {
                    println!(
                        "{} endpoints: {} healthy, {} hostile",
                        model.endpoints.len(),
                        healthy.len(),
                        hostile.endpoints.len()
                    );
                }
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let started = Instant::now();
                let ev: Evidence = strata::probe::runner::run(
                    &model,
                    now,
                    &config,
                    strata::probe::registry::probes(),
                    CancellationToken::new(),
                    None,
                )
                .await;
                let wall = started.elapsed();
                let observed = healthy
                    .iter()
                    .filter(|id| {
                        ev.endpoints
                            .get(*id)
                            .is_some_and(|e| e.tls.observed().is_some() && e.http.observed().is_some())
                    })
                    .count();
                let now_classes: BTreeMap<String, String> =
                    ev.endpoints.iter().map(|(k, v)| (k.clone(), classes(v))).collect();
                let same = match &first {
                    None => {
                        first = Some(now_classes.clone());
                        "first run".to_string()
                    }
                    Some(f) => {
                        let differ: Vec<&String> =
                            f.keys().filter(|k| f.get(*k) != now_classes.get(*k)).collect();
                        if differ.is_empty() {
                            "same classes".into()
                        } else {
                            format!("DIFFERENT classes: {differ:?}")
                        }
                    }
                };
                println!(
                    "{label:<15} run {run}: wall {:>6.2} s (bound {} s), healthy observed {observed}/{}, {} probes, {same}",
                    wall.as_secs_f64(),
                    timeout + 2,
                    healthy.len(),
                    ev.probes_run.len()
                );
                if let (Some(f), true) = (&first, run > 1) {
                    for (k, v) in &now_classes {
                        if f.get(k) != Some(v) {
                            println!("    differs {k}: {v}");
                        }
                    }
                }
                hostile.stop().await;
            }
            if let Some(f) = &first {
                for (k, v) in f {
                    println!("    {k:<28} {v}");
                }
            }
        }
        lab.stop().await;
    });
}
