//! Audit benchmarks (`cargo bench --bench audit`): a plain timing harness
//! (median of bounded runs) so that no benchmark crate is compiled into
//! every test build.
//!
//! Measures: compiling the built-in rules; loading the largest sample;
//! probing + auditing it against the in-process lab (real loopback TLS);
//! and the pure audit (facts, rules, scores, report) of a synthetic
//! 300-component architecture with replayed evidence.

use std::path::Path;
use strata::audit::rules::Ruleset;
use strata::lab::{Lab, LabConfig};
use strata::pipeline;
use strata::probe::runner::RunnerConfig;
use tokio_util::sync::CancellationToken;

mod common;
use common::bench;

fn synthetic(n: usize) -> String {
    let mut y = String::from(
        "strata: 1\nsystem: { name: synthetic }\nclients:\n  - { id: app, platform: android, key_storage: tee, attestation: play-integrity, calls: [ep0] }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public, enforces: [jwt, rate-limit] }\n",
    );
    for i in 0..n {
        y.push_str(&format!(
            "  - {{ id: s{i}, kind: service, data: [{{ name: d, sensitivity: confidential }}] }}\n"
        ));
    }
    y.push_str("endpoints:\n");
    for i in 0..n {
        y.push_str(&format!(
            "  - {{ id: ep{i}, component: s{i}, url: \"https://127.0.0.1:1/\" }}\n"
        ));
    }
    y.push_str("flows:\n  - { from: app, to: gw, controls: [tls, jwt] }\n");
    for i in 0..n {
        y.push_str(&format!("  - {{ from: gw, to: s{i}, controls: [mtls] }}\n"));
        if i > 0 {
            y.push_str(&format!("  - {{ from: s{}, to: s{i} }}\n", i - 1));
        }
    }
    y
}

fn main() {
    strata::probe::install_crypto_provider();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench("compile built-in rules", 20, || {
        Ruleset::builtin().map(|r| r.rules.len())
    });
    let rules = match Ruleset::builtin() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let tour = root.join("sample-projects/lab-tour/architecture.yaml");
    bench("load + validate lab-tour sample", 50, || {
        strata::model::load(&tour).is_ok()
    });

    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => panic!("{e}"),
    };
    let lab = match rt.block_on(Lab::start(&LabConfig {
        base_port: 0,
        ..LabConfig::default()
    })) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let text = std::fs::read_to_string(&tour).unwrap_or_default();
    let model = match strata::model::load_str(&lab.manifest.rebase(&text), &tour) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    bench("probe + audit lab-tour (12 endpoints, all probes)", 10, || {
        rt.block_on(pipeline::probe_and_audit(
            &model,
            &rules,
            &RunnerConfig::default(),
            CancellationToken::new(),
            None,
        ))
        .report
        .findings
        .len()
    });
    let outcome = rt.block_on(pipeline::probe_and_audit(
        &model,
        &rules,
        &RunnerConfig::default(),
        CancellationToken::new(),
        None,
    ));
    bench("replay audit lab-tour (no network)", 20, || {
        pipeline::audit_with(&model, &rules, outcome.evidence.clone())
    });
    bench("render HTML + JSON of lab-tour", 20, || {
        (
            strata::report::html::render(&outcome.report).len(),
            strata::report::json::render(&outcome.report).map(|s| s.len()),
        )
    });

    let big = synthetic(300);
    let big_model = match strata::model::load_str(&big, Path::new("synthetic.yaml")) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let evidence = strata::evidence::Evidence {
        observed_at: 1_800_000_000,
        ..Default::default()
    };
    bench("audit synthetic 300 components (offline evidence)", 5, || {
        pipeline::audit_with(&big_model, &rules, evidence.clone())
            .report
            .findings
            .len()
    });
    drop(lab);
}
