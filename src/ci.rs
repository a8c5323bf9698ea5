//! CI gates on a finished audit: `--fail-under GRADE`, `--fail-on
//! SEVERITY` and `--baseline OLD.json` (see `docs/ci.md`).
//!
//! * `--fail-under G` fails when the report's grade is worse than `G`
//!   (a baseline does not change this: the grade is the whole system's).
//! * `--fail-on S` fails when a *counted* finding has status `fail` and a
//!   severity of `S` or above. Without a baseline every `fail` finding is
//!   counted. With `--baseline`, only the *new* ones are: a `fail` finding
//!   whose id (`rule@subject`, matched by occurrence like `strata diff`)
//!   is absent from the baseline or has another status there. A finding
//!   that already failed in the baseline is not counted, whatever its
//!   severity was then.
//! * `unverified`, `error` and `not-applicable` findings never count.

use crate::audit::Status;
use crate::audit::rules::Severity;
use crate::report::Report;
use crate::report::diff::{DiffError, ReportDoc};
use std::collections::BTreeMap;

/// Parses a severity name (`info`, `low`, `medium`, `high`, `critical`;
/// case-insensitive).
pub fn parse_severity(s: &str) -> Result<Severity, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "info" => Ok(Severity::Info),
        "low" => Ok(Severity::Low),
        "medium" => Ok(Severity::Medium),
        "high" => Ok(Severity::High),
        "critical" => Ok(Severity::Critical),
        _ => Err(format!("`{s}` is not a severity (info, low, medium, high, critical)")),
    }
}

/// The gates of one audit.
#[derive(Debug, Clone, Default)]
pub struct Gates {
    /// `--fail-under`: the worst acceptable grade letter.
    pub fail_under: Option<char>,
    /// `--fail-on`: the lowest severity that fails the gate.
    pub fail_on: Option<Severity>,
    /// `--baseline`: the report new findings are judged against.
    pub baseline: Option<ReportDoc>,
}

/// Checks that a baseline report can judge `report`: same schema and
/// same system, or the same errors `strata diff` gives.
pub fn check_baseline(baseline: &ReportDoc, report: &Report) -> Result<(), DiffError> {
    if baseline.schema != report.schema {
        return Err(DiffError::Schema {
            old: baseline.schema.clone(),
            new: report.schema.to_string(),
        });
    }
    if baseline.system.name != report.system.name {
        return Err(DiffError::System {
            old: baseline.system.name.clone(),
            new: report.system.name.clone(),
        });
    }
    Ok(())
}

/// The outcome of the gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// One sentence per gate that failed; empty when all passed.
    pub failures: Vec<String>,
    /// The ids of the `fail` findings counted for `--fail-on` (all of
    /// them, or the new ones with a baseline), at any severity.
    pub counted: Vec<String>,
    /// Of those, the ones at or above the `--fail-on` severity.
    pub over: Vec<String>,
}

impl Verdict {
    /// Every gate passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Applies the gates to a report.
pub fn evaluate(report: &Report, gates: &Gates) -> Verdict {
    let mut v = Verdict::default();
    let grade = report.score.grade.chars().next().unwrap_or('F');
    if let Some(limit) = gates.fail_under
        && grade > limit
    {
        v.failures.push(format!("grade {grade} is below the required {limit}"));
    }
    // The baseline's failing findings, by (id, occurrence).
    let mut baseline_fails: BTreeMap<(&str, usize), bool> = BTreeMap::new();
    if let Some(b) = &gates.baseline {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &b.findings {
            let n = seen.entry(&f.id).or_insert(0);
            baseline_fails.insert((&f.id, *n), f.failing());
            *n += 1;
        }
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        let n = seen.entry(&f.id).or_insert(0);
        let key = (f.id.as_str(), *n);
        *n += 1;
        // A finding triage accepted (or marked a false positive) is out of
        // the grade, and out of the gate too.
        if f.status != Status::Fail || !f.counted() {
            continue;
        }
        if gates.baseline.is_some() && baseline_fails.get(&key).copied().unwrap_or(false) {
            continue;
        }
        v.counted.push(f.id.clone());
        if gates.fail_on.is_some_and(|s| f.severity >= s) {
            v.over.push(f.id.clone());
        }
    }
    if let Some(s) = gates.fail_on
        && !v.over.is_empty()
    {
        let what = if gates.baseline.is_some() {
            "new failing finding(s)"
        } else {
            "failing finding(s)"
        };
        let mut ids = v.over.clone();
        let more = ids.len().saturating_sub(5);
        ids.truncate(5);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        v.failures.push(format!(
            "{} {what} at or above {}: {}{tail}",
            v.over.len(),
            s.name(),
            ids.join(", ")
        ));
    }
    v
}
