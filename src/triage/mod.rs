//! Triage: the team's decisions about findings, kept in `triage.yaml`
//! beside the architecture file.
//!
//! ```yaml
//! triage:
//!   - finding: tls-hsts@endpoint:enroll      # the finding id (rule@subject)
//!     status: accepted                       # accepted | false-positive | mitigated | in-progress
//!     justification: Only the pinned app calls enroll.
//!     ticket: SEC-123                        # optional
//!     expires: 2027-03-31                    # optional, YYYY-MM-DD
//!     by: alice@acme.example                 # optional
//! ```
//!
//! [`load`] reads and checks the file (positions and field paths in
//! errors, like the model); [`apply`] attaches each decision to its finding
//! and says which ones no longer count against the grade; [`edit`] writes a
//! decision back into the file, keeping everything else (comments
//! included) as the user wrote it.

pub mod apply;
pub mod edit;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use time::Date;

use crate::model::{ModelError, ModelErrors};

pub use apply::{TriageNote, TriageSummary, apply};

/// The file name, in the architecture file's directory.
pub const FILE_NAME: &str = "triage.yaml";

/// Largest triage file read.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// What the team decided about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriageStatus {
    /// The risk is known and accepted: visible, not counted.
    Accepted,
    /// The finding is wrong for this system: visible, not counted.
    FalsePositive,
    /// A compensating control exists: visible and still counted.
    Mitigated,
    /// A fix is under way: visible and still counted.
    InProgress,
}

impl TriageStatus {
    /// Every status, in menu order.
    pub const ALL: [TriageStatus; 4] = [
        TriageStatus::Accepted,
        TriageStatus::FalsePositive,
        TriageStatus::Mitigated,
        TriageStatus::InProgress,
    ];

    /// The YAML spelling.
    pub fn name(self) -> &'static str {
        match self {
            TriageStatus::Accepted => "accepted",
            TriageStatus::FalsePositive => "false-positive",
            TriageStatus::Mitigated => "mitigated",
            TriageStatus::InProgress => "in-progress",
        }
    }

    /// Whether a finding with this decision stops counting against the
    /// grade (while the decision has not expired).
    pub fn uncounted(self) -> bool {
        matches!(self, TriageStatus::Accepted | TriageStatus::FalsePositive)
    }
}

/// One decision, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriageEntry {
    /// The finding id (`rule@subject`).
    pub finding: String,
    /// The decision.
    pub status: TriageStatus,
    /// Why (required for accepted and false-positive).
    pub justification: String,
    /// Tracking ticket.
    pub ticket: Option<String>,
    /// The decision lapses after this day (UTC).
    #[serde(with = "iso_date::option")]
    pub expires: Option<Date>,
    /// Who decided.
    pub by: Option<String>,
    /// 1-based line of the entry in the file.
    pub line: u64,
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A loaded triage file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriageFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its decisions, in file order.
    pub entries: Vec<TriageEntry>,
}

impl TriageFile {
    /// The decision about `finding`, if any.
    pub fn get(&self, finding: &str) -> Option<&TriageEntry> {
        self.entries.iter().find(|e| e.finding == finding)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    triage: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    finding: Spanned<String>,
    status: TriageStatus,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
    #[serde(default)]
    by: Option<String>,
}

/// Where the triage file of the model `model_file` is.
pub fn path_for(model_file: &Path) -> PathBuf {
    model_file.parent().unwrap_or_else(|| Path::new("")).join(FILE_NAME)
}

/// Reads the triage file beside `model_file`; `Ok(None)` when there is none.
pub fn load(model_file: &Path) -> Result<Option<TriageFile>, ModelErrors> {
    let path = path_for(model_file);
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::fsread::read_text(&path, MAX_BYTES, "triage file")
        .map_err(|e| ModelErrors(vec![ModelError::whole_file(&path, e.kind.to_string())]))?;
    parse(&text, &path).map(Some)
}

/// Parses triage YAML (`path` is used in errors and kept in the result).
pub fn parse(text: &str, path: &Path) -> Result<TriageFile, ModelErrors> {
    let raw: RawFile = crate::model::load::parse_str_as(text, path).map_err(|e| ModelErrors(vec![e]).clipped())?;
    let mut errors = Vec::new();
    let mut entries: Vec<TriageEntry> = Vec::new();
    let mut first_line: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for (i, r) in raw.triage.into_iter().enumerate() {
        let at = |field: &str| format!("triage[{i}].{field}");
        let id = r.finding.value.trim().to_owned();
        if !id.contains('@') {
            errors.push(ModelError::at(
                path,
                r.finding.referenced,
                at("finding"),
                format!("`{id}` is not a finding id: expected rule@subject, as the report lists it"),
            ));
        }
        if let Some(first) = first_line.get(&id) {
            errors.push(ModelError::at(
                path,
                r.finding.referenced,
                at("finding"),
                format!("`{id}` is already triaged on line {first}"),
            ));
        } else {
            first_line.insert(id.clone(), r.finding.referenced.line());
        }
        let justification = r.justification.unwrap_or_default().trim().to_owned();
        if r.status.uncounted() && justification.is_empty() {
            errors.push(ModelError::at(
                path,
                r.finding.referenced,
                at("justification"),
                format!("a `{}` decision needs a justification", r.status.name()),
            ));
        }
        let expires = match &r.expires {
            None => None,
            Some(raw) => match Date::parse(
                raw.value.trim(),
                &time::macros::format_description!("[year]-[month]-[day]"),
            ) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(ModelError::at(
                        path,
                        raw.referenced,
                        at("expires"),
                        format!("`{}` is not a date as YYYY-MM-DD", raw.value),
                    ));
                    None
                }
            },
        };
        entries.push(TriageEntry {
            finding: id,
            status: r.status,
            justification,
            ticket: r.ticket.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            expires,
            by: r.by.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            line: r.finding.referenced.line(),
        });
    }
    if errors.is_empty() {
        Ok(TriageFile {
            path: path.to_path_buf(),
            entries,
        })
    } else {
        Err(ModelErrors(errors).clipped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_parses_with_positions_and_refusals() {
        let text = "# decisions\ntriage:\n  - finding: tls-hsts@endpoint:enroll\n    status: accepted\n    justification: pinned app only\n    expires: 2027-03-31\n  - finding: x@y\n    status: in-progress\n";
        let f = parse(text, Path::new("triage.yaml")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].line, 3);
        assert_eq!(f.entries[0].expires.map(|d| d.to_string()), Some("2027-03-31".into()));
        let bad = "triage:\n  - finding: nope\n    status: accepted\n  - finding: a@b\n    status: accepted\n    justification: j\n    expires: 2027-02-30\n  - finding: a@b\n    status: mitigated\n";
        let e = match parse(bad, Path::new("t.yaml")) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(e.contains("t.yaml:2:") && e.contains("not a finding id"), "{e}");
        assert!(e.contains("needs a justification"), "{e}");
        assert!(e.contains("not a date"), "{e}");
        assert!(e.contains("already triaged on line 4"), "{e}");
        let unknown = "triage:\n  - finding: a@b\n    status: wontfix\n";
        let e = match parse(unknown, Path::new("t.yaml")) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(e.contains("t.yaml:3:") && e.contains("wontfix"), "{e}");
    }
}
