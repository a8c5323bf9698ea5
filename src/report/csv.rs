//! CSV for spreadsheets: a header, then one row per finding (every status,
//! not-applicable included) with id, rule, title, layer, severity, status,
//! subject, message, remediation and triage decision; `error` findings whose probe could not
//! run are replaced by one row per endpoint and probe (id
//! `blocked:PROBE@endpoint:ID`, the blocked rules space-separated in `rule`).
//!
//! RFC 4180: records end with CRLF; a field holding `,`, `"`, CR or LF is
//! quoted, with `"` doubled. Spreadsheets run a cell that starts with `=`,
//! `+`, `-`, `@`, tab or CR as a formula, and messages quote what a hostile
//! server sent, so such a cell gets a leading `'` (OWASP's advice against
//! CSV injection) before quoting.

use super::Report;
use super::exporters::{ExportError, Exporter};

/// The header row.
pub const HEADER: [&str; 10] = [
    "id",
    "rule",
    "title",
    "layer",
    "severity",
    "status",
    "subject",
    "message",
    "remediation",
    "triage",
];

/// One field, guarded against formulas and quoted as RFC 4180 requires.
pub fn field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn record(out: &mut String, fields: &[&str]) {
    let cells: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// Renders the findings as CSV.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    record(&mut out, &HEADER);
    for f in r.findings.iter().filter(|f| f.blocked_by.is_none()) {
        record(
            &mut out,
            &[
                &f.id,
                &f.rule,
                &f.title,
                f.layer.name(),
                f.severity.name(),
                f.status.name(),
                &f.subject,
                &f.message,
                f.remediation.trim(),
                &f.triage.as_ref().map(|t| t.label()).unwrap_or_default(),
            ],
        );
    }
    // One row per probe that could not run, instead of one per rule.
    for b in &r.blocked {
        let id = format!("blocked:{}@endpoint:{}", b.probe, b.endpoint);
        let title = format!("{} probe could not run", b.probe);
        let subject = format!("endpoint:{}", b.endpoint);
        let message = format!(
            "{} probe failed at {}: {} (blocks {} rule(s))",
            b.probe,
            b.stage,
            b.reason,
            b.rules.len()
        );
        let remediation = match &b.detail {
            Some(d) => format!("Fix what kept the probe from running, then audit again. Raw error: {d}"),
            None => "Fix what kept the probe from running, then audit again.".to_string(),
        };
        record(
            &mut out,
            &[
                &id,
                &b.rules.join(" "),
                &title,
                "",
                "",
                "error",
                &subject,
                &message,
                &remediation,
                "",
            ],
        );
    }
    out
}

/// The CSV exporter.
#[derive(Debug, Clone, Copy)]
pub struct Csv;

impl Exporter for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn label(&self) -> &'static str {
        "CSV"
    }
    fn extension(&self) -> &'static str {
        "csv"
    }
    fn media_type(&self) -> &'static str {
        "text/csv; charset=utf-8; header=present"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, ExportError> {
        Ok(render(report).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("l1\nl2"), "\"l1\nl2\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
    }
}
