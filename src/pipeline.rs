//! The one pipeline behind every entry point: load → probe → audit → report.

use crate::audit::{self, Audit, rules::Ruleset};
use crate::evidence::Evidence;
use crate::model::Model;
use crate::probe::runner::{self, ProgressEvent, RunnerConfig};
use crate::report::exporters::{ExportError, Exporter};
use crate::report::{self, Report};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A report format: one of [`report::exporters::exporters`].
pub type Format = &'static dyn Exporter;

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

/// Longest slug of `system.name` kept in report names.
pub const MAX_SLUG: usize = 48;

/// `name` as a file-name slug: lower-case ASCII letters, digits and single
/// `-`, at most [`MAX_SLUG`] characters, never empty (`system`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= MAX_SLUG {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "system".into()
    } else {
        out.to_string()
    }
}

/// The name every report of a model shares, before `.strata.<ext>`:
/// `<file stem>-<slug of system.name>`, e.g. `architecture-acme-pay`. Two
/// models with different names never share report files, even with the
/// same file name.
pub fn report_stem(model_file: &Path, system_name: &str) -> String {
    let stem = model_file
        .file_stem()
        .map(|s| slug(&s.to_string_lossy()))
        .unwrap_or_else(|| "audit".into());
    format!("{stem}-{}", slug(system_name))
}

/// The file of `format` for the report set `stem` in `dir`.
pub fn report_path(dir: &Path, stem: &str, format: Format) -> PathBuf {
    dir.join(format!("{stem}.strata.{}", format.extension()))
}

/// The marker beside a report set that names the model it was made from:
/// `<stem>.strata.model`, one line with the model file's absolute path.
pub fn marker_path(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("{stem}.strata.model"))
}

/// The model file's identity in markers: its canonical path (its absolute
/// path when it cannot be resolved).
fn model_identity(model_file: &Path) -> String {
    std::fs::canonicalize(model_file)
        .or_else(|_| std::path::absolute(model_file))
        .unwrap_or_else(|_| model_file.to_path_buf())
        .display()
        .to_string()
}

/// Refuses to write the report set `stem` into `dir` when its marker names
/// another model file; otherwise (no marker, or the same model) writes the
/// marker. Two different models' reports can only share a name when their
/// files share a stem and their systems a name; then the second is refused,
/// never written over the first.
pub fn claim_report_name(dir: &Path, stem: &str, model_file: &Path) -> Result<(), ExportError> {
    let marker = marker_path(dir, stem);
    let me = model_identity(model_file);
    match crate::fsread::read_text(&marker, 64 * 1024, "report marker") {
        Ok(text) => {
            let other = text.trim_end_matches(['\n', '\r']);
            if other != me {
                return Err(ExportError::OtherModel {
                    path: marker,
                    other: other.to_string(),
                });
            }
            Ok(())
        }
        Err(e) if matches!(e.kind, crate::fsread::ReadErrorKind::NotFound) => {
            write_atomic(&marker, format!("{me}\n").as_bytes())
        }
        Err(e) => Err(ExportError::Marker {
            path: marker,
            message: e.to_string(),
        }),
    }
}

/// Renders `report` in `format` and writes it to `path` atomically.
pub fn export(report: &Report, format: Format, path: &Path) -> Result<(), ExportError> {
    let bytes = format.render(report)?;
    write_atomic(path, &bytes)
}

/// Writes the report in each format into `dir` as `<stem>.strata.<ext>`
/// (after [`claim_report_name`]); returns the paths written.
pub fn write_reports(
    report: &Report,
    formats: &[Format],
    dir: &Path,
    stem: &str,
    model_file: &Path,
) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    claim_report_name(dir, stem, model_file)?;
    let mut written = Vec::new();
    for f in formats {
        let path = report_path(dir, stem, *f);
        export(report, *f, &path)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `bytes` to `path`, creating its folder as needed: written beside,
/// then renamed, so a crash never leaves half a file. Every report and
/// evidence file goes through here.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ExportError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|source| ExportError::Write {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_bounded_lowercase_ascii_and_never_empty() {
        assert_eq!(slug("Acme Pay"), "acme-pay");
        assert_eq!(slug("  Ünïcode / <script> -- Ops!! "), "n-code-script-ops");
        assert_eq!(slug("???"), "system");
        assert!(slug(&"x".repeat(500)).len() <= MAX_SLUG);
        assert_eq!(
            report_stem(Path::new("dir/architecture.yaml"), "Acme Pay"),
            "architecture-acme-pay"
        );
    }

    #[test]
    fn a_report_set_of_another_model_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a/arch.yaml"), dir.path().join("b/arch.yaml"));
        for m in [&a, &b] {
            std::fs::create_dir_all(m.parent().expect("parent")).expect("mkdir");
            std::fs::write(m, "x").expect("write");
        }
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).expect("mkdir");
        claim_report_name(&out, "arch-x", &a).expect("first claim");
        claim_report_name(&out, "arch-x", &a).expect("same model again");
        let err = claim_report_name(&out, "arch-x", &b).expect_err("other model");
        assert!(matches!(err, ExportError::OtherModel { .. }));
        let text = err.to_string();
        assert!(
            text.contains("a/arch.yaml") && text.contains("nothing was overwritten"),
            "{text}"
        );
    }
}
