//! Errors that point at the architecture file: file, line:column, field path.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in an architecture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// Field path such as `flows[2].to`; empty for the document itself.
    pub path: String,
    /// What is wrong, and what would fix it.
    pub message: String,
}

impl ModelError {
    /// A problem at a location taken from a parsed YAML node.
    pub fn at(file: &Path, loc: serde_saphyr::Location, path: impl Into<String>, message: impl Into<String>) -> Self {
        ModelError {
            file: file.to_path_buf(),
            line: loc.line(),
            column: loc.column(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// A problem with no position (an unreadable file, say).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        ModelError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            path: String::new(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Longest name (path segment, quoted word) shown whole in an error.
const MAX_NAME_CHARS: usize = 64;
/// Longest message shown whole.
const MAX_MESSAGE_CHARS: usize = 600;

/// `text` cut to `max` characters, with `…` and the full length when cut:
/// an error names the input, it does not repeat a megabyte of it.
fn clip(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…({count} characters)")
}

/// `text` with control characters other than newline written as escapes
/// (`\t`, `\u{1b}`), so an error cannot rewrite the terminal.
fn escape_controls(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A field path with every over-long segment clipped.
pub(crate) fn clip_path(path: &str) -> String {
    let path = escape_controls(path);
    if path.chars().count() <= MAX_NAME_CHARS {
        return path;
    }
    path.split('.')
        .map(|seg| clip(seg, MAX_NAME_CHARS))
        .collect::<Vec<_>>()
        .join(".")
}

/// A message with every over-long `quoted` word clipped, then clipped whole.
pub(crate) fn clip_message(message: &str) -> String {
    let message = escape_controls(message);
    if message.chars().count() <= MAX_NAME_CHARS {
        return message;
    }
    let parts: Vec<String> = message
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                clip(part, MAX_NAME_CHARS)
            } else {
                part.to_string()
            }
        })
        .collect();
    clip(&parts.join("`"), MAX_MESSAGE_CHARS)
}

/// All the problems found in one file; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelErrors(pub Vec<ModelError>);

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelErrors {}

impl ModelErrors {
    /// The same errors with over-long names and messages clipped (an
    /// error names the input, it does not repeat a megabyte of it). Every
    /// error the loader returns has been through this.
    pub fn clipped(self) -> ModelErrors {
        ModelErrors(
            self.0
                .into_iter()
                .map(|e| ModelError {
                    path: clip_path(&e.path),
                    message: clip_message(&e.message),
                    ..e
                })
                .collect(),
        )
    }
}

impl From<ModelError> for ModelErrors {
    fn from(e: ModelError) -> Self {
        ModelErrors(vec![e])
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Adds a "did you mean" hint to serde's unknown-field and unknown-variant
/// messages ("unknown field `tox`, expected one of `from`, `to`").
pub fn with_suggestion(message: &str) -> String {
    let kinds = ["unknown field `", "unknown variant `"];
    for kind in kinds {
        let Some(start) = message.find(kind) else { continue };
        let rest = &message[start + kind.len()..];
        let Some(end) = rest.find('`') else { continue };
        let word = &rest[..end];
        let Some(list_at) = rest.find("expected one of ").or_else(|| rest.find("expected ")) else {
            continue;
        };
        let list = &rest[list_at..];
        let list = list
            .trim_start_matches("expected one of ")
            .trim_start_matches("expected ");
        let candidates: Vec<&str> = list
            .split(',')
            .map(|c| c.trim().trim_matches('`').trim())
            .filter(|c| !c.is_empty())
            .collect();
        if let Some(best) = did_you_mean(word, candidates.iter().copied()) {
            return format!("{message}; did you mean `{best}`?");
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_field_names() {
        let m = with_suggestion("unknown field `tox`, expected one of from, to, controls");
        let long = format!("sch{}eme", " ".repeat(4000));
        let e = ModelError {
            file: "a.yaml".into(),
            line: 3,
            column: 4,
            path: format!("endpoints[2].signing.{long}"),
            message: format!("unknown field `{long}`, expected one of scheme, path"),
        };
        let shown = ModelErrors(vec![e]).clipped().to_string();
        assert!(shown.chars().count() < 400, "{shown}");
        assert!(
            shown.contains("…(4006 characters)") && shown.contains("expected one of scheme, path"),
            "{shown}"
        );
        assert!(m.ends_with("did you mean `to`?"), "{m}");
        let m = with_suggestion("unknown variant `strongbx`, expected one of `strongbox`, `tee`");
        assert!(m.ends_with("did you mean `strongbox`?"), "{m}");
        let m = with_suggestion("unknown field `zzzz`, expected one of from, to");
        assert!(!m.contains("did you mean"), "{m}");
    }
}
