//! Attaching triage decisions to the findings of an audit.
//!
//! A decision applies to the finding with its id. Accepted and
//! false-positive decisions on a finding that is not passing take it out of
//! the grade (it stays in every report, marked); mitigated and in-progress
//! decisions are shown and still counted. A decision past its `expires`
//! day (against the audit's clock, not the wall clock, so a replay gives
//! the same report) no longer applies and is reported as expired. A
//! decision whose finding is absent, passes or does not apply is reported
//! as stale.

use serde::Serialize;

use super::{TriageFile, TriageStatus};
use crate::audit::{Finding, Status};

/// The decision shown on a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriageNote {
    /// The decision.
    pub status: TriageStatus,
    /// Why.
    pub justification: String,
    /// Tracking ticket.
    pub ticket: Option<String>,
    /// Last day it applies, `YYYY-MM-DD`.
    pub expires: Option<String>,
    /// Who decided.
    pub by: Option<String>,
    /// The decision has expired: it is shown, but the finding counts again.
    pub expired: bool,
    /// The finding does not count against the grade.
    pub uncounted: bool,
}

impl TriageNote {
    /// One line for reports: `accepted (SEC-123, until 2027-03-31, by
    /// alice; not counted): why`.
    pub fn label(&self) -> String {
        let mut meta: Vec<String> = Vec::new();
        if let Some(t) = &self.ticket {
            meta.push(t.clone());
        }
        if let Some(e) = &self.expires {
            meta.push(if self.expired {
                format!("EXPIRED {e}")
            } else {
                format!("until {e}")
            });
        }
        if let Some(b) = &self.by {
            meta.push(format!("by {b}"));
        }
        if self.uncounted {
            meta.push("not counted in the grade".into());
        }
        let mut s = self.status.name().to_owned();
        if !meta.is_empty() {
            s.push_str(&format!(" ({})", meta.join(", ")));
        }
        if !self.justification.is_empty() {
            s.push_str(&format!(": {}", self.justification));
        }
        s
    }
}

impl TriageSummary {
    /// One line for report headers.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{}: {} finding(s) accepted and {} false positive(s) are not counted in the grade; {} mitigated, {} in progress",
            self.file, self.accepted, self.false_positive, self.mitigated, self.in_progress
        );
        if !self.expired.is_empty() {
            s.push_str(&format!(
                "; {} EXPIRED decision(s) count again: {}",
                self.expired.len(),
                self.expired.join(", ")
            ));
        }
        if !self.stale.is_empty() {
            s.push_str(&format!(
                "; {} stale decision(s): {}",
                self.stale.len(),
                self.stale.join(", ")
            ));
        }
        s
    }
}

/// What the triage file did to an audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TriageSummary {
    /// The file, as its name (`triage.yaml`).
    pub file: String,
    /// Decisions that apply, per status.
    pub accepted: usize,
    /// False positives.
    pub false_positive: usize,
    /// Mitigated.
    pub mitigated: usize,
    /// In progress.
    pub in_progress: usize,
    /// Findings taken out of the grade (accepted or false positive, not
    /// expired, on a finding that does not pass).
    pub uncounted: usize,
    /// Finding ids whose decision has expired.
    pub expired: Vec<String>,
    /// Decisions whose finding is absent, passes or does not apply, as
    /// `id (reason)`.
    pub stale: Vec<String>,
}

/// Attaches `triage`'s decisions to `findings`, judged on the day of
/// `observed_at` (unix seconds).
pub fn apply(findings: &mut [Finding], triage: &TriageFile, observed_at: i64) -> TriageSummary {
    let today = time::OffsetDateTime::from_unix_timestamp(observed_at)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    let mut s = TriageSummary {
        file: triage
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..TriageSummary::default()
    };
    // Findings by id (a client with two pin sets for one host gives two
    // findings with one id: a decision applies to every one of them).
    let mut by_id: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_id.entry(f.id.as_str()).or_default().push(i);
    }
    let by_id: std::collections::HashMap<String, Vec<usize>> =
        by_id.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    for entry in &triage.entries {
        let Some(indices) = by_id.get(&entry.finding) else {
            s.stale
                .push(format!("{} (no such finding in this audit)", entry.finding));
            continue;
        };
        let expired = entry.expires.is_some_and(|d| d < today);
        let mut any_open = false;
        for &i in indices {
            let Some(f) = findings.get_mut(i) else { continue };
            let open = matches!(f.status, Status::Fail | Status::Error | Status::Unverified);
            any_open |= open;
            let uncounted = open && !expired && entry.status.uncounted();
            if uncounted {
                s.uncounted += 1;
            }
            f.triage = Some(TriageNote {
                status: entry.status,
                justification: entry.justification.clone(),
                ticket: entry.ticket.clone(),
                expires: entry.expires.map(|d| d.to_string()),
                by: entry.by.clone(),
                expired,
                uncounted,
            });
        }
        if !any_open {
            let status = indices
                .first()
                .and_then(|&i| findings.get(i))
                .map_or("absent", |f| f.status.name());
            s.stale.push(format!("{} (the finding is {status} now)", entry.finding));
        }
        if expired {
            s.expired.push(entry.finding.clone());
        } else if any_open {
            match entry.status {
                TriageStatus::Accepted => s.accepted += 1,
                TriageStatus::FalsePositive => s.false_positive += 1,
                TriageStatus::Mitigated => s.mitigated += 1,
                TriageStatus::InProgress => s.in_progress += 1,
            }
        }
    }
    s
}
