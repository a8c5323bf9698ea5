//! Layer scores and the overall grade. `docs/scoring.md` explains the rules.
//!
//! Each applicable finding weighs by severity (critical 10, high 6,
//! medium 3, low 1, info 0). A layer's score is the weight that passed over
//! the weight that was judged (pass, fail, unverified, error): unverified
//! earns nothing, so a claim never scores like a proof. The overall score
//! pools all layers. Caps then limit the grade: one critical failure caps it
//! at D, two or more at F; a high failure caps it at C; a critical rule left
//! unverified or in error caps it at B. Only findings count: a rule that
//! could not be evaluated is a [`ToolError`](super::ToolError), which is
//! reported apart and never scored. A finding that triage accepted or
//! marked a false positive ([`Finding::counted`]) is left out of both
//! scores and caps.

use super::rules::{Layer, Severity};
use super::{Finding, Status};
use serde::Serialize;

/// Score of one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerScore {
    /// Layer.
    pub layer: Layer,
    /// 0-100, or none when nothing in the layer was judged.
    pub score: Option<u32>,
    /// Findings per status.
    pub pass: usize,
    /// Failed findings.
    pub fail: usize,
    /// Unverified findings.
    pub unverified: usize,
    /// Findings in error.
    pub error: usize,
    /// How the layer stands: `failing` (something failed), `error` (probes
    /// failed and nothing passed), `live` (something verified live, nothing
    /// failed), `model` (passes proven by the model only), `declared` (only
    /// claims), `missing` (no rule applies: the layer is absent).
    pub proven: String,
}

/// The overall result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// 0-100.
    pub overall: u32,
    /// A-F after caps.
    pub grade: String,
    /// Grade from the score alone, before caps.
    pub uncapped_grade: String,
    /// Why the grade was capped, one line per cap.
    pub caps: Vec<String>,
    /// Per layer, in layer order.
    pub layers: Vec<LayerScore>,
}

fn letter(score: u32) -> char {
    match score {
        90.. => 'A',
        80..=89 => 'B',
        70..=79 => 'C',
        60..=69 => 'D',
        50..=59 => 'E',
        _ => 'F',
    }
}

/// Computes scores and grade from findings.
pub fn score(findings: &[Finding]) -> Score {
    let mut layers = Vec::new();
    let (mut won_all, mut judged_all) = (0u32, 0u32);
    for layer in Layer::ALL {
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.layer == layer && f.status != Status::NotApplicable && f.counted())
            .collect();
        let count = |s: Status| mine.iter().filter(|f| f.status == s).count();
        let won: u32 = mine
            .iter()
            .filter(|f| f.status == Status::Pass)
            .map(|f| f.severity.weight())
            .sum();
        let judged: u32 = mine.iter().map(|f| f.severity.weight()).sum();
        won_all += won;
        judged_all += judged;
        let (pass, fail, unverified, error) = (
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Unverified),
            count(Status::Error),
        );
        let proven = if mine.is_empty() {
            "missing"
        } else if fail > 0 {
            "failing"
        } else if error > 0 && pass == 0 {
            "error"
        } else if pass > 0
            && mine
                .iter()
                .any(|f| f.status == Status::Pass && f.proof == super::rules::Proof::Live)
        {
            "live"
        } else if pass > 0 {
            "model"
        } else {
            "declared"
        };
        layers.push(LayerScore {
            layer,
            score: (won * 100 + judged / 2).checked_div(judged),
            pass,
            fail,
            unverified,
            error,
            proven: proven.into(),
        });
    }
    let overall = (won_all * 100 + judged_all / 2).checked_div(judged_all).unwrap_or(0);
    let uncapped = letter(overall);
    let mut cap = 'A';
    let mut caps = Vec::new();
    let critical_fails = findings
        .iter()
        .filter(|f| f.counted() && f.severity == Severity::Critical && f.status == Status::Fail)
        .count();
    let high_fails = findings
        .iter()
        .filter(|f| f.counted() && f.severity == Severity::High && f.status == Status::Fail)
        .count();
    let critical_open = findings
        .iter()
        .filter(|f| {
            f.counted() && f.severity == Severity::Critical && matches!(f.status, Status::Unverified | Status::Error)
        })
        .count();
    let mut apply = |limit: char, why: String| {
        if limit > cap {
            cap = limit;
        }
        caps.push(why);
    };
    if critical_fails >= 2 {
        apply('F', format!("{critical_fails} critical failures cap the grade at F"));
    } else if critical_fails == 1 {
        apply('D', "1 critical failure caps the grade at D".into());
    }
    if high_fails > 0 {
        apply('C', format!("{high_fails} high-severity failure(s) cap the grade at C"));
    }
    if critical_open > 0 {
        apply(
            'B',
            format!("{critical_open} critical check(s) unverified or in error cap the grade at B"),
        );
    }
    let grade = if uncapped > cap { uncapped } else { cap };
    Score {
        overall,
        grade: grade.to_string(),
        uncapped_grade: uncapped.to_string(),
        caps,
        layers,
    }
}
