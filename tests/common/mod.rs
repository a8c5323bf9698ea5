//! Shared helpers for the integration tests: an in-process lab on free
//! loopback ports and an audit of a bundled sample against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use strata::audit::rules::Ruleset;
use strata::lab::{Lab, LabConfig};
use strata::model::{self, Model};
use strata::pipeline::{self, Outcome};
use strata::probe::runner::RunnerConfig;
use tokio_util::sync::CancellationToken;

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Starts the lab on free ports.
pub async fn lab() -> Lab {
    strata::probe::install_crypto_provider();
    match Lab::start(&LabConfig {
        base_port: 0,
        ..LabConfig::default()
    })
    .await
    {
        Ok(l) => l,
        Err(e) => panic!("lab failed to start: {e}"),
    }
}

/// Loads a bundled sample with its lab ports rewritten to `lab`'s.
pub fn sample(lab: &Lab, rel: &str) -> Model {
    let path = repo(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    model::load_str(&lab.manifest.rebase(&text), &path).unwrap_or_else(|e| panic!("{e}"))
}

/// Probes and audits a model with the built-in rules.
pub async fn audit(model: &Model) -> Outcome {
    let rules = Ruleset::builtin().unwrap_or_else(|e| panic!("{e}"));
    pipeline::probe_and_audit(model, &rules, &RunnerConfig::default(), CancellationToken::new(), None).await
}
