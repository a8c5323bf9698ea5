//! Built apps (APK, IPA) read into an [`ImportedConfig`]: the decoders in
//! [`crate::appbuild`] give the manifest and the compiled configuration;
//! the same readers as for source-tree files judge it.

use std::path::Path;

use super::import::{AppImportError, ImportedConfig};

/// Reads a built Android app.
pub(super) fn apk(path: &Path, _origin: &str) -> Result<ImportedConfig, AppImportError> {
    Err(AppImportError::Build(format!(
        "{}: APK import is not built yet",
        path.display()
    )))
}

/// Reads a built iOS app.
pub(super) fn ipa(path: &Path, _origin: &str) -> Result<ImportedConfig, AppImportError> {
    Err(AppImportError::Build(format!(
        "{}: IPA import is not built yet",
        path.display()
    )))
}
