//! Writing one triage decision into `triage.yaml`, keeping the rest of
//! the file as the user wrote it.
//!
//! YAML libraries do not keep comments on a round trip, so the file is
//! edited as text: the entry for the finding (from its `- finding:` line
//! to the line before the next entry, or the end of the list) is replaced,
//! or a new entry is appended at the end of the `triage:` list. Everything
//! outside that block (comments, other entries, their order) is kept byte
//! for byte. The result is parsed back before it is written, and written
//! atomically (a temporary file renamed into place).

use std::path::Path;

use super::{TriageEntry, TriageStatus};

/// Why a decision could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The current file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The reason.
        source: crate::fsread::ReadError,
    },
    /// The file or the edited text does not parse.
    #[error("{0}")]
    Invalid(String),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] crate::report::exporters::ExportError),
}

/// A decision to write (the finding id and what to record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Finding id.
    pub finding: String,
    /// Status.
    pub status: TriageStatus,
    /// Justification.
    pub justification: String,
    /// Ticket (empty: none).
    pub ticket: String,
    /// Expiry `YYYY-MM-DD` (empty: none).
    pub expires: String,
    /// Who (empty: none).
    pub by: String,
}

impl From<&TriageEntry> for Decision {
    fn from(e: &TriageEntry) -> Self {
        Decision {
            finding: e.finding.clone(),
            status: e.status,
            justification: e.justification.clone(),
            ticket: e.ticket.clone().unwrap_or_default(),
            expires: e.expires.map(|d| d.to_string()).unwrap_or_default(),
            by: e.by.clone().unwrap_or_default(),
        }
    }
}

/// A YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render(d: &Decision) -> String {
    let mut s = format!("  - finding: {}\n    status: {}\n", quoted(&d.finding), d.status.name());
    if !d.justification.trim().is_empty() {
        s.push_str(&format!("    justification: {}\n", quoted(d.justification.trim())));
    }
    for (key, value) in [("ticket", &d.ticket), ("expires", &d.expires), ("by", &d.by)] {
        if !value.trim().is_empty() {
            s.push_str(&format!("    {key}: {}\n", quoted(value.trim())));
        }
    }
    s
}

/// The text with `d` written in (replacing the entry for the same finding,
/// or appended). `file` names the file in errors.
pub fn upsert_text(text: &str, d: &Decision, file: &Path) -> Result<String, EditError> {
    let current = if text.trim().is_empty() {
        None
    } else {
        Some(super::parse(text, file).map_err(|e| EditError::Invalid(e.to_string()))?)
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // An entry starts at its `- ` line: the `finding:` key need not be
    // the first key of the item.
    let item_start = |finding_line: usize| {
        (0..=finding_line.min(lines.len().saturating_sub(1)))
            .rev()
            .find(|&i| lines[i].trim_start().starts_with("- "))
            .unwrap_or(finding_line)
    };
    let entry_starts: Vec<usize> = current
        .as_ref()
        .map(|f| {
            f.entries
                .iter()
                .map(|e| item_start((e.line as usize).saturating_sub(1)))
                .collect()
        })
        .unwrap_or_default();
    // The line where the list ends: the first non-blank, non-comment line
    // after the last entry that is not indented (a new top-level key).
    let list_end = |from: usize| {
        (from + 1..lines.len())
            .find(|&i| {
                let l = lines[i];
                !l.trim().is_empty() && !l.starts_with(' ') && !l.starts_with('\t') && !l.starts_with('#')
            })
            .unwrap_or(lines.len())
    };
    let rendered = render(d);
    let mut out = String::new();
    let target = current
        .as_ref()
        .and_then(|f| f.entries.iter().position(|e| e.finding == d.finding));
    match target {
        Some(k) => {
            let start = entry_starts[k];
            let mut end = entry_starts.get(k + 1).copied().unwrap_or_else(|| list_end(start));
            // Keep comment and blank lines that precede the next entry.
            while end > start + 1 && {
                let l = lines[end - 1].trim();
                l.is_empty() || l.starts_with('#')
            } {
                end -= 1;
            }
            out.extend(lines[..start].iter().copied());
            out.push_str(&rendered);
            out.extend(lines[end..].iter().copied());
        }
        None if current.as_ref().is_some_and(|f| !f.entries.is_empty()) => {
            let last = entry_starts.last().copied().unwrap_or(0);
            let mut end = list_end(last);
            // Blank lines and unindented comments after the last entry stay
            // after the new one.
            while end > last + 1 && (lines[end - 1].trim().is_empty() || lines[end - 1].starts_with('#')) {
                end -= 1;
            }
            out.extend(lines[..end].iter().copied());
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&rendered);
            out.extend(lines[end..].iter().copied());
        }
        None => {
            // No entries yet: keep the text (comments) and add the list.
            let has_key = lines
                .iter()
                .any(|l| l.trim_end() == "triage:" || l.trim_end() == "triage: []");
            for l in &lines {
                if l.trim_end() == "triage: []" {
                    out.push_str("triage:\n");
                } else {
                    out.push_str(l);
                }
            }
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !has_key {
                if out.is_empty() {
                    out.push_str("# Triage decisions for this model's findings (see docs/triage.md).\n");
                }
                out.push_str("triage:\n");
            }
            out.push_str(&rendered);
        }
    }
    super::parse(&out, file).map_err(|e| EditError::Invalid(format!("the edited file does not parse: {e}")))?;
    Ok(out)
}

/// Writes `d` into the triage file at `path` (created when missing),
/// atomically.
pub fn upsert(path: &Path, d: &Decision) -> Result<(), EditError> {
    let text = if path.exists() {
        crate::fsread::read_text(path, super::MAX_BYTES, "triage file").map_err(|source| EditError::Read {
            path: path.display().to_string(),
            source,
        })?
    } else {
        String::new()
    };
    let new = upsert_text(&text, d, path)?;
    crate::pipeline::write_atomic(path, new.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(id: &str, status: TriageStatus) -> Decision {
        Decision {
            finding: id.into(),
            status,
            justification: "because \"reasons\"".into(),
            ticket: "SEC-1".into(),
            expires: "2027-01-31".into(),
            by: String::new(),
        }
    }

    const FILE: &str = "# Our decisions.\ntriage:\n  # the enroll endpoint is app-only\n  - finding: a@b\n    status: in-progress   # fix in Q1\n\n  # keep this one\n  - finding: c@d\n    status: mitigated\n# trailing note\n";

    #[test]
    fn replacing_keeps_every_other_byte() -> Result<(), EditError> {
        let p = Path::new("triage.yaml");
        let out = upsert_text(FILE, &decision("a@b", TriageStatus::Accepted), p)?;
        assert!(out.starts_with("# Our decisions.\ntriage:\n  # the enroll endpoint is app-only\n  - finding: \"a@b\"\n    status: accepted\n"), "{out}");
        assert!(
            out.contains("\n\n  # keep this one\n  - finding: c@d\n    status: mitigated\n# trailing note\n"),
            "{out}"
        );
        let f = super::super::parse(&out, p).map_err(|e| EditError::Invalid(e.to_string()))?;
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].justification, "because \"reasons\"");
        Ok(())
    }

    #[test]
    fn appending_and_creating() -> Result<(), EditError> {
        let p = Path::new("triage.yaml");
        let out = upsert_text(FILE, &decision("e@f", TriageStatus::FalsePositive), p)?;
        assert!(
            out.contains("    status: mitigated\n  - finding: \"e@f\"\n    status: false-positive\n"),
            "{out}"
        );
        assert!(out.ends_with("# trailing note\n"), "{out}");
        let fresh = upsert_text("", &decision("e@f", TriageStatus::Mitigated), p)?;
        let f = super::super::parse(&fresh, p).map_err(|e| EditError::Invalid(e.to_string()))?;
        assert_eq!(f.entries[0].status, TriageStatus::Mitigated);
        // Replacing the last entry keeps the trailing comment.
        let out = upsert_text(FILE, &decision("c@d", TriageStatus::InProgress), p)?;
        assert!(out.ends_with("    status: in-progress\n    justification: \"because \\\"reasons\\\"\"\n    ticket: \"SEC-1\"\n    expires: \"2027-01-31\"\n# trailing note\n"), "{out}");
        Ok(())
    }

    #[test]
    fn an_entry_whose_finding_key_is_not_first() -> Result<(), EditError> {
        let p = Path::new("triage.yaml");
        let text = "triage:\n  - status: mitigated\n    finding: a@b\n  - finding: c@d\n    status: mitigated\n";
        let out = upsert_text(text, &decision("a@b", TriageStatus::InProgress), p)?;
        assert!(
            out.starts_with("triage:\n  - finding: \"a@b\"\n    status: in-progress\n"),
            "{out}"
        );
        assert!(out.ends_with("  - finding: c@d\n    status: mitigated\n"), "{out}");
        Ok(())
    }

    #[test]
    fn a_broken_file_is_not_overwritten() {
        let r = upsert_text(
            "triage: [oops",
            &decision("a@b", TriageStatus::Accepted),
            Path::new("t.yaml"),
        );
        assert!(matches!(r, Err(EditError::Invalid(_))));
    }
}
