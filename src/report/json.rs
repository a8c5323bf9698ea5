//! JSON rendering: the report as documented in `docs/report-schema.md`.

use super::Report;

/// Pretty JSON with a trailing newline. Map keys are ordered, so equal
/// reports render to equal bytes.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}

/// The JSON exporter.
#[derive(Debug, Clone, Copy)]
pub struct Json;

impl super::exporters::Exporter for Json {
    fn name(&self) -> &'static str {
        "json"
    }
    fn label(&self) -> &'static str {
        "JSON"
    }
    fn extension(&self) -> &'static str {
        "json"
    }
    fn media_type(&self) -> &'static str {
        "application/json"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, super::exporters::ExportError> {
        render(report)
            .map(String::into_bytes)
            .map_err(|source| super::exporters::ExportError::Serialize { format: "json", source })
    }
}
