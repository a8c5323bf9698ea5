//! Reading an architecture file: YAML syntax and types, with exact positions.

use super::error::{ModelError, with_suggestion};
use super::schema::ArchitectureFile;
use std::path::Path;

/// Files larger than this are refused before parsing: an architecture file is
/// written by hand, and a huge one is a mistake or an attack.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Parses YAML text into the schema types. `file` is only used in errors.
pub fn parse_str(text: &str, file: &Path) -> Result<ArchitectureFile, ModelError> {
    parse_str_as(text, file)
}

/// Parses YAML text into any serde type, with the same precise errors
/// (line:column, field path, "did you mean"). Used for rule files too.
pub fn parse_str_as<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T, ModelError> {
    let mut field_path: Option<String> = None;
    let options = serde_saphyr::options! { with_snippet: false };
    let parsed = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize(de).map_err(|e| {
            field_path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    parsed.map_err(|err| {
        let (line, column) = err.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        let path = field_path.map(|p| clean_path(&p)).unwrap_or_default();
        ModelError {
            file: file.to_path_buf(),
            line,
            column,
            path,
            message: with_suggestion(&bare_message(&err.without_snippet().to_string())),
        }
    })
}

/// Reads and parses a file, refusing anything but a regular file, oversize
/// or non-UTF-8 input (see [`crate::fsread`]).
pub fn read_file(file: &Path) -> Result<(String, ArchitectureFile), ModelError> {
    let text = crate::fsread::read_text(file, MAX_FILE_BYTES, "architecture file")
        .map_err(|e| ModelError::whole_file(file, e.kind.to_string()))?;
    let parsed = parse_str(&text, file)?;
    Ok((text, parsed))
}

/// serde_path_to_error reports `.` for the root and `x.value` inside
/// [`serde_saphyr::Spanned`]; neither means anything to the author.
fn clean_path(p: &str) -> String {
    let p = p.strip_suffix(".value").unwrap_or(p);
    if p == "." { String::new() } else { p.to_string() }
}

/// Drops the "error: line N column M: " prefix and any " at line N, column M"
/// suffix: the position is printed once, by [`ModelError`]'s display.
fn bare_message(m: &str) -> String {
    let m = m.strip_prefix("error: ").unwrap_or(m);
    let m = match m.rfind(" at line ") {
        Some(i) if m[i..].contains(", column ") => &m[..i],
        _ => m,
    };
    if let Some(rest) = m.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx].contains("column")
    {
        return rest[idx + 2..].to_string();
    }
    m.to_string()
}
