//! Comparing two JSON reports (`strata diff OLD.json NEW.json`).
//!
//! [`compare`] is pure: two parsed reports ([`ReportDoc`]) in, one
//! [`Diff`] out. Findings are matched by their stable id (`rule@subject`,
//! the same id SARIF fingerprints); the k-th finding with an id in one
//! report is matched with the k-th with that id in the other (ids repeat
//! only for a client with two pin sets for one host). Certificates are
//! compared per endpoint on the leaf the TLS evidence recorded, and pins on
//! the `pin-matches-live-chain` finding of each pin set. The JSON form is
//! documented in `docs/report-schema.md` (`strata.diff/1`); [`render_text`]
//! and [`render_markdown`] are the human forms.

use crate::audit::rules::Severity;
use crate::evidence::Evidence;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Schema id of the diff's JSON form.
pub const DIFF_SCHEMA: &str = "strata.diff/1";

/// The rule whose per-pin-set verdict says whether a pin set matches the
/// chain the server presents.
pub const PIN_RULE: &str = "pin-matches-live-chain";

/// Why two reports could not be read or compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The file could not be read.
    #[error("{0}")]
    Read(#[from] crate::fsread::ReadError),
    /// The file is not a Strata JSON report.
    #[error("{}: not a Strata JSON report: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// The two reports use different schema versions.
    #[error(
        "the reports have different schema versions (`{old}` and `{new}`): compare reports of one Strata version, or pass --force"
    )]
    Schema {
        /// The old report's schema.
        old: String,
        /// The new report's schema.
        new: String,
    },
    /// The two reports audit different systems.
    #[error("the reports are of different systems (`{old}` and `{new}`): pass --force to compare them anyway")]
    System {
        /// The old report's system name.
        old: String,
        /// The new report's system name.
        new: String,
    },
}

/// The part of a JSON report a diff reads (unknown keys are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct ReportDoc {
    /// `strata.report/N`.
    pub schema: String,
    /// RFC 3339 audit time.
    pub observed_at: String,
    /// What was audited.
    pub system: SystemDoc,
    /// Score and grade.
    pub score: ScoreDoc,
    /// Every finding.
    pub findings: Vec<FindingDoc>,
    /// The raw evidence.
    pub evidence: Evidence,
}

/// The system summary of a report, as far as a diff needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct SystemDoc {
    /// `system.name`.
    pub name: String,
}

/// The score of a report, as far as a diff needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct ScoreDoc {
    /// 0-100.
    pub overall: i64,
    /// `A`-`F`.
    pub grade: String,
}

/// A finding of a report, as far as a diff needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct FindingDoc {
    /// `rule@subject`.
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Rule title.
    pub title: String,
    /// Subject id.
    pub subject: String,
    /// Severity.
    pub severity: Severity,
    /// `pass`, `fail`, `unverified`, `not-applicable` or `error`.
    pub status: String,
    /// One sentence on the result.
    pub message: String,
}

impl FindingDoc {
    /// The finding is a failure (`status` is `fail`).
    pub fn failing(&self) -> bool {
        self.status == "fail"
    }
}

/// Reads a JSON report file (bounded like an evidence file).
pub fn read_report(path: &Path) -> Result<ReportDoc, DiffError> {
    let text = crate::fsread::read_text(path, crate::fsread::MAX_EVIDENCE_BYTES, "report file")?;
    parse_report(&text).map_err(|message| DiffError::Parse {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses a JSON report.
pub fn parse_report(text: &str) -> Result<ReportDoc, String> {
    let doc: ReportDoc = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if !doc.schema.starts_with("strata.report/") {
        return Err(format!("schema `{}` is not a strata.report schema", doc.schema));
    }
    Ok(doc)
}

/// Refuses two reports of different schema versions or systems.
pub fn check_comparable(old: &ReportDoc, new: &ReportDoc) -> Result<(), DiffError> {
    if old.schema != new.schema {
        return Err(DiffError::Schema {
            old: old.schema.clone(),
            new: new.schema.clone(),
        });
    }
    if old.system.name != new.system.name {
        return Err(DiffError::System {
            old: old.system.name.clone(),
            new: new.system.name.clone(),
        });
    }
    Ok(())
}

/// One finding as listed in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    /// `rule@subject`.
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Subject id.
    pub subject: String,
    /// Rule title.
    pub title: String,
    /// Severity (in the report the finding is listed from).
    pub severity: Severity,
    /// Status (in the report the finding is listed from).
    pub status: String,
    /// Message (in the report the finding is listed from).
    pub message: String,
}

impl From<&FindingDoc> for FindingRef {
    fn from(f: &FindingDoc) -> Self {
        FindingRef {
            id: f.id.clone(),
            rule: f.rule.clone(),
            subject: f.subject.clone(),
            title: f.title.clone(),
            severity: f.severity,
            status: f.status.clone(),
            message: f.message.clone(),
        }
    }
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    /// In the old report.
    pub old: T,
    /// In the new report.
    pub new: T,
}

/// A finding in both reports, failing in both or in neither, whose status,
/// severity or message differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFinding {
    /// `rule@subject`.
    pub id: String,
    /// Status, when it changed.
    pub status: Option<Change<String>>,
    /// Severity, when it changed.
    pub severity: Option<Change<Severity>>,
    /// Message, when it changed.
    pub message: Option<Change<String>>,
}

/// The findings part of a diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingsDiff {
    /// Failing in the new report, and not failing in (or absent from) the
    /// old one; as in the new report.
    pub new: Vec<FindingRef>,
    /// Failing in the old report, and not failing in (or absent from) the
    /// new one; as in the new report, or the old one when it is gone.
    pub fixed: Vec<FindingRef>,
    /// In both, neither new nor fixed, with a different status, severity
    /// or message.
    pub changed: Vec<ChangedFinding>,
    /// Not failing, only in the new report (a new subject or rule).
    pub added: Vec<FindingRef>,
    /// Not failing, only in the old report.
    pub removed: Vec<FindingRef>,
    /// In both with the same status, severity and message.
    pub unchanged: usize,
}

impl FindingsDiff {
    /// How many findings are in each group, in report order: new, fixed,
    /// changed, added, removed, unchanged.
    pub fn counts(&self) -> [(&'static str, usize); 6] {
        [
            ("new", self.new.len()),
            ("fixed", self.fixed.len()),
            ("changed", self.changed.len()),
            ("added", self.added.len()),
            ("removed", self.removed.len()),
            ("unchanged", self.unchanged),
        ]
    }
}

/// A leaf certificate that changed on an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertRotation {
    /// Endpoint id.
    pub endpoint: String,
    /// Leaf subject DN, old and new.
    pub subject: Change<String>,
    /// Hex SHA-256 of the leaf certificate, old and new.
    pub fingerprint_sha256: Change<String>,
    /// Base64 SHA-256 of the leaf's SubjectPublicKeyInfo, old and new.
    pub spki_sha256: Change<String>,
    /// The key changed too (not only the certificate): pins on the leaf
    /// key stop matching.
    pub key_changed: bool,
}

/// A pin set whose `pin-matches-live-chain` verdict started or stopped
/// passing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinChange {
    /// Subject `pinset:<client>/<host>`.
    pub subject: String,
    /// `started-matching` (now `pass`) or `stopped-matching` (was `pass`).
    pub change: &'static str,
    /// The finding's status, old and new (`absent` when missing).
    pub status: Change<String>,
    /// The new report's message (the old one's when it is gone).
    pub message: String,
}

/// One side of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Audit time, RFC 3339.
    pub observed_at: String,
    /// Grade.
    pub grade: String,
    /// Overall score.
    pub score: i64,
}

/// Everything that differs between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// `strata.diff/1`.
    pub schema: &'static str,
    /// The reports' schema (`strata.report/N`).
    pub report_schema: String,
    /// The system name (the new report's).
    pub system: String,
    /// The old report.
    pub old: Side,
    /// The new report.
    pub new: Side,
    /// New score minus old score.
    pub score_delta: i64,
    /// The grade changed.
    pub grade_changed: bool,
    /// Findings.
    pub findings: FindingsDiff,
    /// Leaf certificates that changed, by endpoint id.
    pub certificates: Vec<CertRotation>,
    /// Pin sets that started or stopped matching, by subject.
    pub pins: Vec<PinChange>,
}

impl Diff {
    /// No finding is new or fixed, no certificate rotated and no pin
    /// changed (changed messages and scores may still differ).
    pub fn is_quiet(&self) -> bool {
        self.findings.new.is_empty()
            && self.findings.fixed.is_empty()
            && self.certificates.is_empty()
            && self.pins.is_empty()
    }
}

/// Findings keyed by (id, occurrence): the k-th finding with an id.
fn keyed(findings: &[FindingDoc]) -> BTreeMap<(String, usize), &FindingDoc> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for f in findings {
        let n = seen.entry(&f.id).or_insert(0);
        out.insert((f.id.clone(), *n), f);
        *n += 1;
    }
    out
}

/// Compares the findings of two reports.
pub fn compare_findings(old: &[FindingDoc], new: &[FindingDoc]) -> FindingsDiff {
    let (old, new) = (keyed(old), keyed(new));
    let mut d = FindingsDiff::default();
    for (key, n) in &new {
        match old.get(key) {
            None if n.failing() => d.new.push(FindingRef::from(*n)),
            None => d.added.push(FindingRef::from(*n)),
            Some(o) if n.failing() && !o.failing() => d.new.push(FindingRef::from(*n)),
            Some(o) if o.failing() && !n.failing() => d.fixed.push(FindingRef::from(*n)),
            Some(o) => {
                let c = ChangedFinding {
                    id: n.id.clone(),
                    status: (o.status != n.status).then(|| Change {
                        old: o.status.clone(),
                        new: n.status.clone(),
                    }),
                    severity: (o.severity != n.severity).then_some(Change {
                        old: o.severity,
                        new: n.severity,
                    }),
                    message: (o.message != n.message).then(|| Change {
                        old: o.message.clone(),
                        new: n.message.clone(),
                    }),
                };
                if c.status.is_none() && c.severity.is_none() && c.message.is_none() {
                    d.unchanged += 1;
                } else {
                    d.changed.push(c);
                }
            }
        }
    }
    for (key, o) in &old {
        if !new.contains_key(key) {
            if o.failing() {
                d.fixed.push(FindingRef::from(*o));
            } else {
                d.removed.push(FindingRef::from(*o));
            }
        }
    }
    d.fixed.sort_by(|a, b| a.id.cmp(&b.id));
    d.removed.sort_by(|a, b| a.id.cmp(&b.id));
    d
}

/// The leaf of each endpoint whose TLS evidence was observed.
fn leaves(e: &Evidence) -> BTreeMap<&str, &crate::evidence::CertInfo> {
    e.endpoints
        .iter()
        .filter_map(|(id, ev)| Some((id.as_str(), ev.tls.observed()?.chain.first()?)))
        .collect()
}

/// Endpoints whose observed leaf certificate differs between two evidence
/// sets (both must have observed a leaf), by endpoint id.
pub fn compare_certificates(old: &Evidence, new: &Evidence) -> Vec<CertRotation> {
    let old = leaves(old);
    leaves(new)
        .into_iter()
        .filter_map(|(id, n)| {
            let o = old.get(id)?;
            (o.fingerprint_sha256 != n.fingerprint_sha256 || o.spki_sha256 != n.spki_sha256).then(|| CertRotation {
                endpoint: id.to_string(),
                subject: Change {
                    old: o.subject.clone(),
                    new: n.subject.clone(),
                },
                fingerprint_sha256: Change {
                    old: o.fingerprint_sha256.clone(),
                    new: n.fingerprint_sha256.clone(),
                },
                spki_sha256: Change {
                    old: o.spki_sha256.clone(),
                    new: n.spki_sha256.clone(),
                },
                key_changed: o.spki_sha256 != n.spki_sha256,
            })
        })
        .collect()
}

/// Pin sets whose [`PIN_RULE`] finding started or stopped passing.
pub fn compare_pins(old: &[FindingDoc], new: &[FindingDoc]) -> Vec<PinChange> {
    let pick = |fs: &[FindingDoc]| -> BTreeMap<(String, usize), FindingDoc> {
        keyed(fs)
            .into_iter()
            .filter(|(_, f)| f.rule == PIN_RULE)
            .map(|(k, f)| (k, f.clone()))
            .collect()
    };
    let (old, new) = (pick(old), pick(new));
    let mut keys: Vec<&(String, usize)> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (old.get(k), new.get(k));
            let status = |f: Option<&FindingDoc>| f.map(|f| f.status.clone()).unwrap_or_else(|| "absent".into());
            let (was, now) = (status(o), status(n));
            let change = match (was == "pass", now == "pass") {
                (false, true) => "started-matching",
                (true, false) => "stopped-matching",
                _ => return None,
            };
            let f = n.or(o)?;
            Some(PinChange {
                subject: f.subject.clone(),
                change,
                status: Change { old: was, new: now },
                message: f.message.clone(),
            })
        })
        .collect()
}

/// Compares two reports (call [`check_comparable`] first unless forced).
pub fn compare(old: &ReportDoc, new: &ReportDoc) -> Diff {
    Diff {
        schema: DIFF_SCHEMA,
        report_schema: new.schema.clone(),
        system: new.system.name.clone(),
        old: Side {
            observed_at: old.observed_at.clone(),
            grade: old.score.grade.clone(),
            score: old.score.overall,
        },
        new: Side {
            observed_at: new.observed_at.clone(),
            grade: new.score.grade.clone(),
            score: new.score.overall,
        },
        score_delta: new.score.overall.saturating_sub(old.score.overall),
        grade_changed: old.score.grade != new.score.grade,
        findings: compare_findings(&old.findings, &new.findings),
        certificates: compare_certificates(&old.evidence, &new.evidence),
        pins: compare_pins(&old.findings, &new.findings),
    }
}

/// The output forms of `strata diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Plain text for a terminal.
    Text,
    /// Markdown (a pull-request comment).
    Markdown,
    /// JSON (`strata.diff/1`).
    Json,
}

impl DiffFormat {
    /// Parses `text`, `markdown` (or `md`) or `json`.
    pub fn parse(s: &str) -> Result<DiffFormat, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(DiffFormat::Text),
            "markdown" | "md" => Ok(DiffFormat::Markdown),
            "json" => Ok(DiffFormat::Json),
            _ => Err(format!("unknown diff format `{s}` (known: text, markdown, json)")),
        }
    }
}

/// Renders a diff in `format`; always ends with a newline.
pub fn render(diff: &Diff, format: DiffFormat) -> Result<String, serde_json::Error> {
    Ok(match format {
        DiffFormat::Text => render_text(diff),
        DiffFormat::Markdown => render_markdown(diff),
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(diff)?;
            s.push('\n');
            s
        }
    })
}

fn signed(n: i64) -> String {
    if n > 0 { format!("+{n}") } else { n.to_string() }
}

fn short(hex: &str) -> &str {
    hex.get(..16).unwrap_or(hex)
}

/// `new` → `New`.
fn title_word(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Plain text.
pub fn render_text(d: &Diff) -> String {
    let mut s = String::new();
    let f = &d.findings;
    let _ = writeln!(
        s,
        "{}: grade {} → {} (score {} → {}, {})",
        d.system,
        d.old.grade,
        d.new.grade,
        d.old.score,
        d.new.score,
        signed(d.score_delta)
    );
    let counts: Vec<String> = f.counts().iter().map(|(k, n)| format!("{n} {k}")).collect();
    let _ = writeln!(s, "findings: {}", counts.join(", "));
    for (label, list) in [("new", &f.new), ("fixed", &f.fixed)] {
        for x in list {
            let _ = writeln!(s, "  {label:<5} [{}] {}: {}", x.severity.name(), x.id, x.message);
        }
    }
    for c in &f.changed {
        let _ = writeln!(s, "  changed {}", c.id);
        if let Some(v) = &c.status {
            let _ = writeln!(s, "      status: {} → {}", v.old, v.new);
        }
        if let Some(v) = &c.severity {
            let _ = writeln!(s, "      severity: {} → {}", v.old.name(), v.new.name());
        }
        if let Some(v) = &c.message {
            let _ = writeln!(s, "      message: {} → {}", v.old, v.new);
        }
    }
    for (label, list) in [("added", &f.added), ("removed", &f.removed)] {
        for x in list {
            let _ = writeln!(s, "  {label} {} ({})", x.id, x.status);
        }
    }
    for c in &d.certificates {
        let _ = writeln!(
            s,
            "certificate rotated on {}: {} → {} ({})",
            c.endpoint,
            short(&c.fingerprint_sha256.old),
            short(&c.fingerprint_sha256.new),
            if c.key_changed { "new key" } else { "same key" }
        );
    }
    for p in &d.pins {
        let _ = writeln!(
            s,
            "pin {} {}: {} → {}",
            p.subject,
            p.change.replace('-', " "),
            p.status.old,
            p.status.new
        );
    }
    s
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Markdown.
pub fn render_markdown(d: &Diff) -> String {
    let mut s = String::new();
    let f = &d.findings;
    let _ = writeln!(s, "## Strata diff: {}\n", cell(&d.system));
    let _ = writeln!(
        s,
        "Grade **{}** → **{}**, score {} → {} ({}).\n",
        d.old.grade,
        d.new.grade,
        d.old.score,
        d.new.score,
        signed(d.score_delta)
    );
    let counts = f.counts();
    let heads: Vec<String> = counts.iter().map(|(k, _)| title_word(k)).collect();
    let cells: Vec<String> = counts.iter().map(|(_, n)| n.to_string()).collect();
    let _ = writeln!(
        s,
        "| {} |\n|{}\n| {} |\n",
        heads.join(" | "),
        "---|".repeat(counts.len()),
        cells.join(" | ")
    );
    for (title, list) in [("New failures", &f.new), ("Fixed", &f.fixed)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "### {title}\n\n| Severity | Finding | Message |\n|---|---|---|");
        for x in list {
            let _ = writeln!(s, "| {} | {} | {} |", x.severity.name(), cell(&x.id), cell(&x.message));
        }
        s.push('\n');
    }
    if !f.changed.is_empty() {
        let _ = writeln!(
            s,
            "### Changed\n\n| Finding | Status | Severity | Message |\n|---|---|---|---|"
        );
        for c in &f.changed {
            let status = c.status.as_ref().map(|v| format!("{} → {}", v.old, v.new));
            let sev = c
                .severity
                .as_ref()
                .map(|v| format!("{} → {}", v.old.name(), v.new.name()));
            let msg = c.message.as_ref().map(|v| format!("{} → {}", v.old, v.new));
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                cell(&c.id),
                cell(&status.unwrap_or_default()),
                cell(&sev.unwrap_or_default()),
                cell(&msg.unwrap_or_default())
            );
        }
        s.push('\n');
    }
    if !d.certificates.is_empty() {
        let _ = writeln!(
            s,
            "### Certificates rotated\n\n| Endpoint | Old SHA-256 | New SHA-256 | Key |\n|---|---|---|---|"
        );
        for c in &d.certificates {
            let _ = writeln!(
                s,
                "| {} | `{}` | `{}` | {} |",
                cell(&c.endpoint),
                short(&c.fingerprint_sha256.old),
                short(&c.fingerprint_sha256.new),
                if c.key_changed { "new key" } else { "same key" }
            );
        }
        s.push('\n');
    }
    if !d.pins.is_empty() {
        let _ = writeln!(s, "### Pins\n\n| Pin set | Change | Status |\n|---|---|---|");
        for p in &d.pins {
            let _ = writeln!(
                s,
                "| {} | {} | {} → {} |",
                cell(&p.subject),
                p.change,
                p.status.old,
                p.status.new
            );
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: &str, status: &str, severity: Severity, message: &str) -> FindingDoc {
        let (rule, subject) = id.split_once('@').unwrap_or((id, "system"));
        FindingDoc {
            id: id.into(),
            rule: rule.into(),
            title: String::new(),
            subject: subject.into(),
            severity,
            status: status.into(),
            message: message.into(),
        }
    }

    #[test]
    fn findings_are_sorted_into_new_fixed_changed_added_removed_unchanged() {
        use Severity::*;
        let old = vec![
            f("a@x", "pass", High, "ok"),
            f("b@x", "fail", High, "bad"),
            f("c@x", "unverified", Low, "m1"),
            f("d@x", "pass", Low, "same"),
            f("e@x", "fail", Medium, "gone"),
            f("g@x", "pass", Low, "gone too"),
        ];
        let new = vec![
            f("a@x", "fail", High, "broken"),
            f("b@x", "pass", High, "ok now"),
            f("c@x", "unverified", Medium, "m2"),
            f("d@x", "pass", Low, "same"),
            f("h@x", "pass", Low, "new subject"),
        ];
        let d = compare_findings(&old, &new);
        let ids = |v: &[FindingRef]| v.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.new), ["a@x"]);
        assert_eq!(ids(&d.fixed), ["b@x", "e@x"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].id, "c@x");
        assert!(d.changed[0].status.is_none());
        assert_eq!(d.changed[0].severity.as_ref().map(|c| c.new), Some(Medium));
        assert_eq!(ids(&d.added), ["h@x"]);
        assert_eq!(ids(&d.removed), ["g@x"]);
        assert_eq!(d.unchanged, 1);
    }

    #[test]
    fn repeated_ids_are_matched_by_occurrence() {
        use Severity::*;
        let old = vec![f("p@s", "pass", High, "1"), f("p@s", "fail", High, "2")];
        let new = vec![f("p@s", "pass", High, "1"), f("p@s", "fail", High, "2")];
        let d = compare_findings(&old, &new);
        assert!(d.new.is_empty() && d.fixed.is_empty() && d.changed.is_empty());
        assert_eq!(d.unchanged, 2);
    }

    #[test]
    fn pins_that_start_or_stop_matching_are_named() {
        use Severity::*;
        let old = vec![
            f("pin-matches-live-chain@pinset:a/h", "pass", High, ""),
            f("pin-matches-live-chain@pinset:b/h", "fail", High, ""),
            f("pin-matches-live-chain@pinset:c/h", "pass", High, ""),
        ];
        let new = vec![
            f("pin-matches-live-chain@pinset:a/h", "fail", High, "no match"),
            f("pin-matches-live-chain@pinset:b/h", "pass", High, "match"),
            f("pin-matches-live-chain@pinset:c/h", "pass", High, ""),
        ];
        let p = compare_pins(&old, &new);
        let got: Vec<_> = p.iter().map(|p| (p.subject.as_str(), p.change)).collect();
        assert_eq!(
            got,
            [("pinset:a/h", "stopped-matching"), ("pinset:b/h", "started-matching")]
        );
    }
}
