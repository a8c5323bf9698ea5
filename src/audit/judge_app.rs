//! How Strata judges one app file on its own (`strata inspect`): the file
//! is imported as the only client of an otherwise empty model and the
//! app-configuration and pin-set rules run offline. The cross-checks with
//! a model's endpoints (`app-build-hosts-in-model`,
//! `app-build-pins-called-hosts`) and the live pin checks need an audit of
//! a real model and are left out.

use std::path::Path;

use serde::Serialize;

use super::Status;
use super::rules::Ruleset;
use crate::model::app_config::ImportKind;

/// Rules that compare the file with a model: meaningless without one.
const NEEDS_A_MODEL: &[&str] = &["app-build-hosts-in-model", "app-build-pins-called-hosts"];

/// One verdict on the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Rule id.
    pub rule: String,
    /// `fail`, `pass`, `unverified`, `error`.
    pub status: &'static str,
    /// Severity.
    pub severity: &'static str,
    /// Subject (`appconfig:…` or `pinset:…`).
    pub subject: String,
    /// The rule's sentence on it.
    pub message: String,
}

/// Judges `path` (resolved) as a file of `kind`; the verdicts that apply,
/// failures first.
pub fn judge(path: &Path, kind: ImportKind) -> Result<Vec<Verdict>, String> {
    let absolute = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let platform = match kind {
        ImportKind::AndroidNsc | ImportKind::Apk => "android",
        ImportKind::IosPlist | ImportKind::Ipa => "ios",
    };
    let file = serde_json::to_string(&absolute.display().to_string()).map_err(|e| e.to_string())?;
    let yaml = format!(
        "strata: 1\nsystem: {{ name: inspect }}\nclients:\n  - id: app\n    platform: {platform}\n    pin_imports:\n      - {}: {file}\n",
        kind.key()
    );
    let base = absolute
        .parent()
        .unwrap_or_else(|| Path::new("/"))
        .join("(inspect).yaml");
    let model = crate::model::load_str(&yaml, &base).map_err(|e| e.to_string())?;
    let rules = Ruleset::builtin().map_err(|e| e.to_string())?;
    let evidence = crate::evidence::Evidence {
        observed_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        ..Default::default()
    };
    let audit = super::run(&model, &evidence, &rules);
    let mut found: Vec<&super::Finding> = audit.findings.iter().collect();
    // Failures first, then errors, then passes; worst severity first.
    found.sort_by_key(|f| {
        (
            f.status != Status::Fail,
            f.status != Status::Error,
            std::cmp::Reverse(f.severity),
        )
    });
    let out: Vec<Verdict> = found
        .into_iter()
        .filter(|f| f.subject.starts_with("appconfig:") || f.subject.starts_with("pinset:"))
        .filter(|f| !NEEDS_A_MODEL.contains(&f.rule.as_str()))
        .filter(|f| !matches!(f.status, Status::NotApplicable | Status::Unverified))
        .map(|f| Verdict {
            rule: f.rule.clone(),
            status: f.status.name(),
            severity: f.severity.name(),
            subject: f.subject.clone(),
            message: f.message.clone(),
        })
        .collect();
    Ok(out)
}
