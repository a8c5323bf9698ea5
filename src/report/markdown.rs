//! Markdown for pull requests and design documents: title, grade with
//! score, caps and the grade before caps, the layer table, failing findings
//! grouped by severity with an evidence summary and the remediation, the
//! probes that could not run (one row per endpoint and probe, with the rules
//! each blocked, not one per rule), and the counts of the rest.
//!
//! Every piece of text can come from a hostile server (messages and
//! evidence quote what it sent), so all of it goes through [`text`]: `&`,
//! `<` and `>` become entities (no markup survives), Markdown punctuation
//! is backslash-escaped (no links, images or emphasis), and line breaks
//! become spaces; table cells also escape `|` ([`cell`]).

use super::Report;
use super::exporters::{ExportError, Exporter};
use crate::audit::rules::Severity;
use crate::audit::{Finding, Status};
use std::fmt::Write as _;

/// Longest evidence value shown; the JSON report has the full value.
const MAX_VALUE: usize = 120;
/// Most evidence values shown per finding.
const MAX_FACTS: usize = 8;

/// Escapes text for a Markdown paragraph or list item: one line, no HTML,
/// no Markdown syntax.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' | '\t' => {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
                continue;
            }
            '\\' | '`' | '*' | '[' | ']' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
        last_space = false;
    }
    out
}

/// Escapes text for a table cell (`|` included, see [`text`]).
pub fn cell(s: &str) -> String {
    text(s)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Scalar leaves of a fact as `path: value`, depth first, in key order.
fn leaves(path: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                leaves(&format!("{path}.{k}"), v, out);
            }
        }
        serde_json::Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
            for (i, v) in a.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), v, out);
            }
        }
        serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
        other => out.push((path.to_string(), other.to_string())),
    }
}

/// The facts the rule looked at, leaving out the subject's own
/// declaration (the model has it), clipped to [`MAX_FACTS`] values.
fn evidence_summary(f: &Finding) -> String {
    let own = f.subject.split(':').next().unwrap_or_default();
    let mut all = Vec::new();
    for (k, v) in f.evidence.iter().filter(|(k, _)| k.as_str() != own) {
        leaves(k, v, &mut all);
    }
    if all.is_empty() {
        return String::new();
    }
    let mut parts: Vec<String> = all
        .iter()
        .take(MAX_FACTS)
        .map(|(k, v)| format!("{} = {}", text(k), text(&clip(v, MAX_VALUE))))
        .collect();
    if all.len() > MAX_FACTS {
        parts.push(format!("{} more in the JSON report", all.len() - MAX_FACTS));
    }
    parts.join("; ")
}

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

fn title_case(s: &str) -> String {
    let mut cs = s.chars();
    cs.next()
        .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
        .unwrap_or_default()
}

fn findings_section(out: &mut String, heading: &str, intro: &str, findings: &[&Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {heading} ({})\n\n{intro}\n", findings.len());
    for sev in SEVERITIES {
        let mine: Vec<&&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {} ({})\n", title_case(sev.name()), mine.len());
        for f in mine {
            let _ = writeln!(out, "- **{}** — {}", text(&f.title), text(&f.id));
            let _ = writeln!(
                out,
                "  - {} · {} · subject {}",
                f.status.name(),
                f.layer.title(),
                text(&f.subject)
            );
            let _ = writeln!(out, "  - {}", text(&f.message));
            if let Some(t) = &f.triage {
                let _ = writeln!(out, "  - Triage: {}", text(&t.label()));
            }
            let evidence = evidence_summary(f);
            if !evidence.is_empty() {
                let _ = writeln!(out, "  - Evidence: {evidence}");
            }
            let _ = writeln!(out, "  - Remediation: {}", text(f.remediation.trim()));
            if !f.references.is_empty() {
                let refs: Vec<String> = f.references.iter().map(|r| text(r)).collect();
                let _ = writeln!(out, "  - References: {}", refs.join(", "));
            }
        }
        out.push('\n');
    }
}

/// Renders the report as Markdown.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let count = |s: Status| r.findings.iter().filter(|f| f.status == s).count();
    let _ = writeln!(out, "# Strata audit: {}\n", text(&r.system.name));
    let _ = writeln!(
        out,
        "Source {} · audited {} · {} {} · report schema {}\n",
        text(&r.system.source),
        text(&r.observed_at),
        r.tool.name,
        r.tool.version,
        r.schema
    );
    if !r.system.description.is_empty() {
        let _ = writeln!(out, "{}\n", text(&r.system.description));
    }
    let _ = writeln!(
        out,
        "**Grade {}** · score {}/100 · grade {} before caps\n",
        r.score.grade, r.score.overall, r.score.uncapped_grade
    );
    if r.score.caps.is_empty() {
        out.push_str("No cap applies: the grade is the score's.\n\n");
    } else {
        out.push_str("Capped because:\n\n");
        for c in &r.score.caps {
            let _ = writeln!(out, "- {}", text(c));
        }
        out.push('\n');
    }
    if let Some(t) = &r.triage {
        let _ = writeln!(out, "Triage: {}\n", text(&t.line()));
    }
    let _ = writeln!(
        out,
        "{} failed · {} could not be checked (error) · {} unverified · {} passed · {} not applicable · {} rules over {} endpoints, {} components, {} clients\n",
        count(Status::Fail),
        count(Status::Error),
        count(Status::Unverified),
        count(Status::Pass),
        count(Status::NotApplicable),
        r.system.rules,
        r.system.endpoints,
        r.system.components,
        r.system.clients
    );
    if !r.tool_errors.is_empty() {
        let _ = writeln!(
            out,
            "**{} tool error(s)**: rules that could not be evaluated (not findings, not scored):\n",
            r.tool_errors.len()
        );
        for t in &r.tool_errors {
            let _ = writeln!(
                out,
                "- {} on {} ({}): {} {}",
                text(&t.rule),
                text(&t.subject),
                text(&t.origin),
                text(&t.expression),
                text(&t.message)
            );
        }
        out.push('\n');
    }
    out.push_str("## Layers\n\n| Layer | Score | State | Pass | Fail | Unverified | Error |\n| --- | ---: | --- | ---: | ---: | ---: | ---: |\n");
    for l in &r.score.layers {
        let score = l.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(l.layer.title()),
            score,
            cell(&l.proven),
            l.pass,
            l.fail,
            l.unverified,
            l.error
        );
    }
    out.push('\n');
    let failing: Vec<&Finding> = r.findings.iter().filter(|f| f.status == Status::Fail).collect();
    // Errors with a known cause are shown once per cause, below.
    let errors: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Error && super::shown_individually(f))
        .collect();
    findings_section(
        &mut out,
        "Failing findings",
        "Gaps observed live or admitted by the model, worst first.",
        &failing,
    );
    findings_section(
        &mut out,
        "Could not be checked",
        "The probe these rules need did not run; the reason is in each message.",
        &errors,
    );
    if !r.blocked.is_empty() {
        let _ = writeln!(
            out,
            "## Probes that could not run ({})\n\nOne row per root cause: the rules each probe kept from running have status error ({} in all) and are not listed one by one.\n",
            r.blocked.len(),
            count(Status::Error)
        );
        out.push_str("| Endpoint | Probe | Stage | Reason | Rules blocked |\n|---|---|---|---|---|\n");
        for b in &r.blocked {
            let rules: Vec<String> = b.rules.iter().map(|x| cell(x)).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {}: {} |",
                cell(&b.endpoint),
                cell(&b.probe),
                cell(&b.stage),
                cell(&b.reason),
                b.rules.len(),
                rules.join(", ")
            );
        }
        out.push('\n');
        for b in r.blocked.iter().filter(|b| b.detail.is_some()) {
            let detail = b.detail.as_deref().unwrap_or_default();
            let _ = writeln!(
                out,
                "- Raw error of {} on {}: {}",
                text(&b.probe),
                text(&b.endpoint),
                text(detail)
            );
        }
        if r.blocked.iter().any(|b| b.detail.is_some()) {
            out.push('\n');
        }
    }
    if failing.is_empty() && errors.is_empty() && r.blocked.is_empty() {
        out.push_str("No failing finding.\n\n");
    }
    let _ = writeln!(
        out,
        "Not listed: {} passed, {} unverified (declared, nothing live proved them), {} not applicable. The JSON report has every finding with its full evidence.",
        count(Status::Pass),
        count(Status::Unverified),
        count(Status::NotApplicable)
    );
    out
}

/// The Markdown exporter.
#[derive(Debug, Clone, Copy)]
pub struct Markdown;

impl Exporter for Markdown {
    fn name(&self) -> &'static str {
        "markdown"
    }
    fn label(&self) -> &'static str {
        "Markdown"
    }
    fn extension(&self) -> &'static str {
        "md"
    }
    fn media_type(&self) -> &'static str {
        "text/markdown; charset=utf-8"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, ExportError> {
        Ok(render(report).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_make_markup_links_or_table_cells() {
        let evil = "<script>alert(1)</script> | x\n# head [a](javascript:x) `c` ![i](http://e/x.png)";
        let t = cell(evil);
        assert!(!t.contains('<') && !t.contains('>') && !t.contains('\n'));
        assert!(t.contains("&lt;script&gt;"));
        // Every `|`, `[`, `]`, `` ` `` and `!` is escaped.
        for c in ['|', '[', ']', '`', '!', '#'] {
            let unescaped = t
                .char_indices()
                .filter(|&(i, ch)| ch == c && !t[..i].ends_with('\\'))
                .count();
            assert_eq!(unescaped, 0, "{c} in {t}");
        }
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}
