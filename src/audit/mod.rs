//! The audit: model + graph + evidence + rules → findings, scores, grade.
//!
//! Pure and deterministic: no I/O and no clock (the audit time comes from
//! the evidence), so the same inputs give the same report byte for byte,
//! and a saved evidence file replays to the same report.

pub mod app_facts;
pub mod check;
pub mod facts;
pub mod judge_app;
pub mod plain;
pub mod rules;
pub mod schema;
pub mod score;
pub mod whatif;

use crate::evidence::{Evidence, ProbeFailure};
use crate::graph::DefenseGraph;
use crate::model::Model;
use facts::{EvidenceState, Subject};
use rules::{Layer, Proof, Rule, Ruleset, Severity};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Outcome of one rule on one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Verified and sound.
    Pass,
    /// A gap: observed, or admitted by the model itself.
    Fail,
    /// Declared, but nothing verified it.
    Unverified,
    /// The rule does not concern this subject.
    NotApplicable,
    /// The evidence could not be gathered (a probe failed); the reason
    /// says why. A rule that could not be evaluated is a [`ToolError`],
    /// not a finding.
    Error,
}

impl Status {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unverified => "unverified",
            Status::NotApplicable => "not-applicable",
            Status::Error => "error",
        }
    }
}

/// One rule's verdict on one subject.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable id `rule@subject`: triage decisions survive re-runs.
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Rule title.
    pub title: String,
    /// Subject id (`endpoint:api`, `pinset:app/api.example.com`, ...).
    pub subject: String,
    /// Graph node the finding belongs to.
    pub node: Option<String>,
    /// Layer.
    pub layer: Layer,
    /// Severity.
    pub severity: Severity,
    /// Verdict.
    pub status: Status,
    /// What kind of proof stands behind a pass.
    pub proof: Proof,
    /// One sentence on this subject's result.
    pub message: String,
    /// The facts the rule looked at.
    pub evidence: BTreeMap<String, Value>,
    /// Why the rule matters.
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// References.
    pub references: Vec<String>,
    /// For an `error` finding: the endpoint and probe whose failure kept
    /// the rule from running (the report groups these, once per endpoint
    /// and probe, in its `blocked` section).
    pub blocked_by: Option<BlockedBy>,
    /// The team's triage decision, when `triage.yaml` has one.
    pub triage: Option<crate::triage::TriageNote>,
}

impl Finding {
    /// Whether the finding counts in scores and caps (not taken out by an
    /// accepted or false-positive triage decision).
    pub fn counted(&self) -> bool {
        !self.triage.as_ref().is_some_and(|t| t.uncounted)
    }
}

/// The probe failure behind an `error` finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockedBy {
    /// Endpoint id.
    pub endpoint: String,
    /// Probe (evidence kind): `tls`, `http`, `enrollment`...
    pub probe: String,
    /// The failure, as recorded in the evidence (kept there; not repeated
    /// per finding in the JSON).
    #[serde(skip)]
    pub failure: ProbeFailure,
}

/// Converts JSON facts to CEL values, every integer as a CEL `int` so that
/// rule authors can compare with plain literals.
fn to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => cel::Value::String(s.clone().into()),
        Value::Array(a) => cel::Value::List(a.iter().map(to_cel).collect::<Vec<_>>().into()),
        Value::Object(o) => {
            let map: std::collections::HashMap<String, cel::Value> =
                o.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            cel::Value::Map(map.into())
        }
    }
}

/// The CEL context of one subject: its facts, converted once and shared by
/// every rule evaluated on it.
fn context(subject: &Subject) -> cel::Context<'static, 'static> {
    let mut cx = cel::Context::with_env(rules::cel_env());
    for (k, v) in &subject.vars {
        cx.add_variable_from_value(k.clone(), to_cel(v));
    }
    cx
}

/// A rule that could not be evaluated on a subject: a bug in the rule (or
/// in the tool), not a finding about the system. Kept apart from the
/// findings and never scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolError {
    /// Rule id.
    pub rule: String,
    /// Subject id.
    pub subject: String,
    /// Where the rule is defined (`file:line` of its id).
    pub origin: String,
    /// The expression that failed: `when`, `check` or `explain`.
    pub expression: String,
    /// What went wrong.
    pub message: String,
}

/// What one rule gives on one subject.
enum Outcome {
    /// A verdict, and perhaps the tool error of a broken `explain` (the
    /// verdict stands, with the default message).
    Verdict(Status, String, Option<(&'static str, String)>),
    /// `when` or `check` could not be evaluated: no verdict.
    Broken(&'static str, String),
    /// A probe the rule needs failed: an `error` finding, with its cause.
    Blocked(String, BlockedBy),
}

fn evaluate(rule: &Rule, subject: &Subject, cx: &cel::Context<'_, '_>) -> Option<Outcome> {
    if rule.applies_to != subject.kind {
        return None;
    }
    let applies = |cx: &cel::Context<'_, '_>| -> Option<Outcome> {
        let when = rule.when.as_ref()?;
        match when.execute(cx) {
            Ok(cel::Value::Bool(true)) => None,
            Ok(cel::Value::Bool(false)) => Some(Outcome::Verdict(Status::NotApplicable, "does not apply".into(), None)),
            Ok(other) => Some(Outcome::Broken("when", format!("gave {other:?}, not a bool"))),
            Err(e) => Some(Outcome::Broken("when", format!("failed: {e}"))),
        }
    };
    // A `when` over declarations decides applicability first; a `when` that
    // reads evidence can only be judged once that evidence exists.
    if !rule.when_reads_evidence
        && let Some(verdict) = applies(cx)
    {
        return Some(verdict);
    }
    for need in &rule.needs {
        match subject.evidence.get(need) {
            Some(EvidenceState::Observed) => {}
            Some(EvidenceState::Failed { endpoint, failure }) => {
                let plain = plain::explain(failure);
                return Some(Outcome::Blocked(
                    format!("{need} probe failed at {}: {}", failure.stage, plain.sentence),
                    BlockedBy {
                        endpoint: endpoint.clone(),
                        probe: need.clone(),
                        failure: failure.clone(),
                    },
                ));
            }
            _ => {
                return Some(Outcome::Verdict(
                    Status::Unverified,
                    format!("no {need} evidence: not probed"),
                    None,
                ));
            }
        }
    }
    if rule.when_reads_evidence
        && let Some(verdict) = applies(cx)
    {
        return Some(verdict);
    }
    // `null` is a live probe's "this case could not be decided" (no test
    // material, or no accepted baseline to compare with): unverified.
    let verdict = match rule.check.execute(cx) {
        Ok(cel::Value::Bool(b)) => Some(b),
        Ok(cel::Value::Null) => None,
        Ok(other) => return Some(Outcome::Broken("check", format!("gave {other:?}, not a bool"))),
        Err(e) => return Some(Outcome::Broken("check", format!("failed: {e}"))),
    };
    // A broken `explain` is a rule bug: reported as a tool error, while the
    // verdict keeps the message it would have without an `explain`.
    let mut broken_explain = None;
    let explained = rule.explain.as_ref().and_then(|p| match p.execute(cx) {
        Ok(cel::Value::String(s)) => Some(s.to_string()),
        Ok(other) => {
            broken_explain = Some(("explain", format!("gave {other:?}, not a string")));
            None
        }
        Err(e) => {
            broken_explain = Some(("explain", format!("failed: {e}")));
            None
        }
    });
    let (status, message) = match (verdict, rule.proof) {
        (None, _) => (
            Status::Unverified,
            match explained {
                Some(e) => format!("not decided: {e}"),
                None => "not decided: the probe could not test this case".into(),
            },
        ),
        (Some(true), Proof::Declared) => (
            Status::Unverified,
            match explained {
                Some(e) => format!("declared, not verified live: {e}"),
                None => "declared, not verified live".into(),
            },
        ),
        (Some(true), _) => (Status::Pass, explained.unwrap_or_else(|| "holds".into())),
        (Some(false), _) => (
            Status::Fail,
            explained.unwrap_or_else(|| format!("check failed: {}", rule.check_source)),
        ),
    };
    Some(Outcome::Verdict(status, message, broken_explain))
}

/// Runs every rule on every subject it applies to: the findings, and the
/// rules that could not be evaluated (see [`ToolError`]).
pub fn findings(ruleset: &Ruleset, subjects: &[Subject]) -> (Vec<Finding>, Vec<ToolError>) {
    let mut out = Vec::new();
    let mut tool_errors = Vec::new();
    for s in subjects {
        let cx = context(s);
        for rule in &ruleset.rules {
            let Some(outcome) = evaluate(rule, s, &cx) else {
                continue;
            };
            let tool_error = |expression: &str, message: String| ToolError {
                rule: rule.id.clone(),
                subject: s.id.clone(),
                origin: rule.origin.clone(),
                expression: expression.to_string(),
                message,
            };
            let (status, message, blocked_by) = match outcome {
                Outcome::Broken(expression, message) => {
                    tool_errors.push(tool_error(expression, message));
                    continue;
                }
                Outcome::Blocked(message, by) => (Status::Error, message, Some(by)),
                Outcome::Verdict(status, message, broken) => {
                    if let Some((expression, why)) = broken {
                        tool_errors.push(tool_error(expression, why));
                    }
                    (status, message, None)
                }
            };
            let evidence = rule
                .variables
                .iter()
                .filter_map(|v| s.vars.get(v).map(|x| (v.clone(), x.clone())))
                .collect();
            out.push(Finding {
                id: format!("{}@{}", rule.id, s.id),
                rule: rule.id.clone(),
                title: rule.title.clone(),
                subject: s.id.clone(),
                node: s.node.clone(),
                layer: rule.layer,
                severity: rule.severity,
                status,
                proof: rule.proof,
                message,
                evidence,
                rationale: rule.rationale.clone(),
                remediation: rule.remediation.clone(),
                references: rule.references.clone(),
                blocked_by,
                triage: None,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.layer, std::cmp::Reverse(a.severity), &a.rule, &a.subject).cmp(&(
            b.layer,
            std::cmp::Reverse(b.severity),
            &b.rule,
            &b.subject,
        ))
    });
    tool_errors.sort_by(|a, b| (&a.rule, &a.subject, &a.expression).cmp(&(&b.rule, &b.subject, &b.expression)));
    (out, tool_errors)
}

/// Inputs and outputs of one audit.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The graph built from the model.
    pub graph: DefenseGraph,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// Rules that could not be evaluated: not findings, never scored.
    pub tool_errors: Vec<ToolError>,
    /// Scores and grade.
    pub score: score::Score,
    /// What `triage.yaml` did (none without a triage file).
    pub triage: Option<crate::triage::TriageSummary>,
}

/// Audits `model` with `evidence`.
pub fn run(model: &Model, evidence: &Evidence, ruleset: &Ruleset) -> Audit {
    let graph = DefenseGraph::build(model);
    let subjects = facts::subjects(model, &graph, evidence);
    let (mut findings, tool_errors) = findings(ruleset, &subjects);
    let triage = model
        .triage
        .as_ref()
        .map(|t| crate::triage::apply(&mut findings, t, evidence.observed_at));
    let score = score::score(&findings);
    Audit {
        graph,
        findings,
        tool_errors,
        score,
        triage,
    }
}
