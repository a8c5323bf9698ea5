//! The auditor's workflow commands: `strata diff`, `strata merge`, and
//! the end of `strata audit` (evidence, reports, CI gates, `--shard`).
//! The logic lives in [`crate::report::diff`], [`crate::ci`] and
//! [`crate::shard`]; this file only reads files, prints and picks the
//! exit code (see `docs/ci.md`).

use super::{print_result, report_tool_errors};
use crate::ci::{self, Gates};
use crate::evidence::Evidence;
use crate::model::Model;
use crate::pipeline::{self, Format, Outcome};
use crate::report::diff::{self, DiffFormat};
use crate::shard::Shard;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads an evidence file (`--replay`, `merge`).
pub(super) fn read_evidence(path: &Path) -> Result<Evidence, String> {
    let text = crate::fsread::read_text(path, crate::fsread::MAX_EVIDENCE_BYTES, "evidence file")
        .map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a Strata evidence file: {e}", path.display()))
}

/// The gates of an audit, with its baseline read (an unreadable baseline
/// is an input error, exit 2, before anything is probed).
pub(super) fn gates(
    fail_under: Option<char>,
    fail_on: Option<crate::audit::rules::Severity>,
    baseline: Option<&Path>,
) -> Result<Gates, String> {
    let baseline = match baseline {
        Some(p) => Some(diff::read_report(p).map_err(|e| format!("baseline: {e}"))?),
        None => None,
    };
    Ok(Gates {
        fail_under,
        fail_on,
        baseline,
    })
}

/// What to do with a finished audit.
pub(super) struct Finish<'a> {
    /// The model file.
    pub file: &'a Path,
    /// The model.
    pub model: &'a Model,
    /// Report formats.
    pub formats: &'a [Format],
    /// Output directory.
    pub out: &'a Path,
    /// Where to save the evidence, if anywhere.
    pub save_evidence: Option<&'a Path>,
    /// CI gates.
    pub gates: &'a Gates,
    /// Only errors and the one-line result.
    pub quiet: bool,
}

fn save(path: &Path, evidence: &Evidence) -> Result<(), String> {
    serde_json::to_vec_pretty(evidence)
        .map_err(|e| format!("cannot serialise the evidence: {e}"))
        .and_then(|bytes| pipeline::write_atomic(path, &bytes).map_err(|e| e.to_string()))
}

/// Writes evidence and reports, reports tool errors, applies the gates;
/// returns the exit code: 2 when something could not be written, a rule
/// could not be evaluated or the baseline does not fit, else 1 when a gate
/// failed, else 0.
pub(super) fn conclude(outcome: &Outcome, f: &Finish) -> ExitCode {
    // Write everything that can be written, then report what could not.
    let mut failures = Vec::new();
    if let Some(path) = f.save_evidence
        && let Err(e) = save(path, &outcome.evidence)
    {
        failures.push(e);
    }
    let stem = pipeline::report_stem(f.file, f.model.name());
    print_result(&outcome.report, f.quiet);
    match pipeline::write_reports(&outcome.report, f.formats, f.out, &stem, f.file) {
        Ok(written) => {
            if !f.quiet {
                for p in &written {
                    say!("wrote {}", p.display());
                }
            }
        }
        Err(e) => failures.push(e.to_string()),
    }
    if let Some(b) = &f.gates.baseline
        && let Err(e) = ci::check_baseline(b, &outcome.report)
    {
        failures.push(format!("baseline: {e}"));
    }
    if !failures.is_empty() {
        for e in &failures {
            warn!("strata: {e}");
        }
        return ExitCode::from(2);
    }
    if report_tool_errors(&outcome.report) {
        return ExitCode::from(2);
    }
    let verdict = ci::evaluate(&outcome.report, f.gates);
    if f.gates.baseline.is_some() && !f.quiet {
        say!(
            "{} failing finding(s) new since the baseline, {} at or above {}",
            verdict.counted.len(),
            verdict.over.len(),
            f.gates.fail_on.map(|s| s.name()).unwrap_or("-")
        );
    }
    for e in &verdict.failures {
        warn!("strata: {e}");
    }
    if verdict.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Saves a shard's evidence (`audit --shard K/N`); no report is written.
pub(super) fn save_shard(
    shard: Shard,
    probed: &Model,
    outcome: &Outcome,
    path: Option<&Path>,
    quiet: bool,
) -> ExitCode {
    let Some(path) = path else {
        warn!("strata: --shard needs --save-evidence");
        return ExitCode::from(2);
    };
    if let Err(e) = save(path, &outcome.evidence) {
        warn!("strata: {e}");
        return ExitCode::from(2);
    }
    let mut ids: Vec<&str> = probed.endpoints.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    say!(
        "shard {shard}: probed {} endpoint(s) ({}); wrote {}",
        ids.len(),
        ids.join(", "),
        path.display()
    );
    if !quiet {
        say!("join the shards with: strata merge MODEL EVIDENCE... --out DIR");
    }
    ExitCode::SUCCESS
}

/// Reads and merges shard evidence files.
pub(super) fn merge_evidence(model: &Model, files: &[PathBuf]) -> Result<Evidence, String> {
    let mut shards = Vec::with_capacity(files.len());
    for p in files {
        shards.push((p.clone(), read_evidence(p)?));
    }
    crate::shard::merge(model, &shards).map_err(|e| e.to_string())
}

/// `strata diff`.
pub(super) fn diff(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    out: Option<&Path>,
    force: bool,
) -> Result<ExitCode, String> {
    let (o, n) = (
        diff::read_report(old).map_err(|e| e.to_string())?,
        diff::read_report(new).map_err(|e| e.to_string())?,
    );
    if let Err(e) = diff::check_comparable(&o, &n) {
        if !force {
            return Err(e.to_string());
        }
        warn!("strata: warning: {e}");
    }
    let d = diff::compare(&o, &n);
    let text = diff::render(&d, format).map_err(|e| format!("cannot render the diff: {e}"))?;
    match out {
        Some(path) => {
            pipeline::write_atomic(path, text.as_bytes()).map_err(|e| e.to_string())?;
            say!("wrote {}", path.display());
        }
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
    Ok(ExitCode::SUCCESS)
}
