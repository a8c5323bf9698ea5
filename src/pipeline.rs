//! The one pipeline behind every entry point: load → probe → audit → report.

use crate::audit::{self, Audit, rules::Ruleset};
use crate::evidence::Evidence;
use crate::model::Model;
use crate::probe::runner::{self, ProgressEvent, RunnerConfig};
use crate::report::{self, Report};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Self-contained HTML.
    Html,
    /// Versioned JSON.
    Json,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

/// The result of a full audit.
#[derive(Debug)]
pub struct Outcome {
    /// What the probes saw.
    pub evidence: Evidence,
    /// Findings and scores.
    pub audit: Audit,
    /// The report.
    /// Shared, so the GUI can hand it to an exporter without copying it.
    pub report: std::sync::Arc<Report>,
}

/// Probes `model` at the current time and audits it.
pub async fn probe_and_audit(
    model: &Model,
    rules: &Ruleset,
    config: &RunnerConfig,
    cancel: CancellationToken,
    events: Option<mpsc::UnboundedSender<ProgressEvent>>,
) -> Outcome {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let evidence = runner::run(model, now, config, crate::probe::registry::probes(), cancel, events).await;
    audit_with(model, rules, evidence)
}

/// Audits `model` with given evidence (replay, offline audit, what-if).
pub fn audit_with(model: &Model, rules: &Ruleset, evidence: Evidence) -> Outcome {
    let audit = audit::run(model, &evidence, rules);
    let report = std::sync::Arc::new(report::build(model, &evidence, &audit, rules.rules.len()));
    Outcome {
        evidence,
        audit,
        report,
    }
}

/// Writes the report in each format into `dir` as `<stem>.strata.<ext>`;
/// returns the paths written.
pub fn write_reports(report: &Report, formats: &[Format], dir: &Path, stem: &str) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for f in formats {
        let text = match f {
            Format::Html => report::html::render(report),
            Format::Json => report::json::render(report).map_err(|e| format!("JSON rendering failed: {e}"))?,
        };
        let path = dir.join(format!("{stem}.strata.{}", f.extension()));
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `bytes` to `path`, creating its folder as needed: written beside,
/// then renamed, so a crash never leaves half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}
