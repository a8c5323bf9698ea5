//! The report formats, behind one trait and registered in one list.
//!
//! The CLI's `--format`, `strata demo` and the app's export menu all iterate
//! [`exporters`]; every file is written by [`crate::pipeline::write_atomic`].
//! Adding a format is one new file with an [`Exporter`] and one line in
//! [`EXPORTERS`].

use super::Report;
use std::path::PathBuf;

/// Why a report could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `--format` named no registered exporter.
    #[error("unknown report format `{name}` (known: {known})")]
    UnknownFormat {
        /// What was asked for.
        name: String,
        /// The registered names, comma-separated.
        known: String,
    },
    /// Serialising the report failed.
    #[error("{format} rendering failed: {source}")]
    Serialize {
        /// Exporter name.
        format: &'static str,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A folder could not be created.
    #[error("cannot create {}: {source}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written or renamed into place.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The folder already holds a report of the same name made from another
    /// model file: it is left alone.
    #[error(
        "{} belongs to the report of another model ({other}); nothing was overwritten: choose another output folder, or move that report away",
        path.display()
    )]
    OtherModel {
        /// The marker file that names the other model.
        path: PathBuf,
        /// The other model's file.
        other: String,
    },
    /// The marker of an existing report could not be read.
    #[error("cannot read {}: {message}", path.display())]
    Marker {
        /// The marker file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// One report format.
pub trait Exporter: Sync {
    /// Stable name used by `--format` (lower case, e.g. `sarif`).
    fn name(&self) -> &'static str;
    /// Display name for menus (e.g. `SARIF`).
    fn label(&self) -> &'static str;
    /// File extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Media type of the bytes.
    fn media_type(&self) -> &'static str;
    /// Renders the report. Equal reports render to equal bytes.
    fn render(&self, report: &Report) -> Result<Vec<u8>, ExportError>;
}

impl std::fmt::Debug for dyn Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Exporter({})", self.name())
    }
}

/// Every format, in menu order. The one registry.
static EXPORTERS: &[&dyn Exporter] = &[
    &super::html::Html,
    &super::json::Json,
    &super::sarif::Sarif,
    &super::markdown::Markdown,
    &super::csv::Csv,
    &super::pdf::PdfReport,
];

/// Every registered exporter, in menu order.
pub fn exporters() -> &'static [&'static dyn Exporter] {
    EXPORTERS
}

/// The registered names, comma-separated (for help and errors).
pub fn known_names() -> String {
    EXPORTERS.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
}

/// Looks an exporter up by name (case-insensitive, surrounding blanks
/// ignored).
pub fn by_name(name: &str) -> Result<&'static dyn Exporter, ExportError> {
    let wanted = name.trim();
    EXPORTERS
        .iter()
        .copied()
        .find(|e| e.name().eq_ignore_ascii_case(wanted))
        .ok_or_else(|| ExportError::UnknownFormat {
            name: wanted.to_string(),
            known: known_names(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_are_unique_and_lookup_lists_known_names() {
        let names: std::collections::BTreeSet<_> = exporters().iter().map(|e| e.name()).collect();
        let exts: std::collections::BTreeSet<_> = exporters().iter().map(|e| e.extension()).collect();
        assert_eq!(names.len(), exporters().len());
        assert_eq!(exts.len(), exporters().len());
        assert_eq!(by_name(" SARIF ").map(|e| e.extension()).ok(), Some("sarif"));
        let err = by_name("docx")
            .map(|e| e.name())
            .expect_err("docx is not registered")
            .to_string();
        assert_eq!(
            err,
            "unknown report format `docx` (known: html, json, sarif, markdown, csv, pdf)"
        );
    }
}
