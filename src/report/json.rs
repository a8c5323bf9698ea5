//! JSON rendering: the report as documented in `docs/report-schema.md`.

use super::Report;

/// Pretty JSON with a trailing newline. Map keys are ordered, so equal
/// reports render to equal bytes.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
