//! Built apps (APK, IPA) read into an [`ImportedConfig`]: the decoders in
//! [`crate::appbuild`] give the manifest and the compiled configuration
//! (decoded to the same text a source tree holds); the same readers as for
//! source-tree files judge it, so a build and its sources give the same
//! findings.

use std::path::Path;

use super::android::AndroidConfig;
use super::import::{AppImportError, ImportedConfig, android_nsc, ios_plist};
use super::{AppConfig, BuildIdentity};

/// Reads a built Android app.
pub(super) fn apk(path: &Path, origin: &str) -> Result<ImportedConfig, AppImportError> {
    let apk = crate::appbuild::read_apk(path)?;
    let (pin_sets, nsc) = match &apk.network_security_config {
        Some(n) => {
            let entry_origin = crate::appbuild::origin(Path::new(origin), &n.entry);
            let (sets, cfg) = android_nsc(&n.xml, &entry_origin)?;
            (sets, Some(cfg))
        }
        None => (Vec::new(), None),
    };
    Ok(ImportedConfig {
        pin_sets,
        config: AppConfig::Android(AndroidConfig {
            // Without targetSdkVersion Android takes minSdkVersion.
            target_sdk: apk.target_sdk.or(apk.min_sdk),
            debuggable: apk.debuggable,
            allow_backup: apk.allow_backup,
            uses_cleartext_traffic: apk.uses_cleartext_traffic,
            manifest_read: true,
            nsc,
        }),
        build: Some(BuildIdentity {
            id: apk.package.clone(),
            version: apk.version_name.clone(),
            signing_sha256: apk.signing.iter().map(|s| s.sha256.clone()).collect(),
        }),
    })
}

/// Reads a built iOS app.
pub(super) fn ipa(path: &Path, origin: &str) -> Result<ImportedConfig, AppImportError> {
    let ipa = crate::appbuild::read_ipa(path)?;
    let entry_origin = crate::appbuild::origin(Path::new(origin), &format!("{}/Info.plist", ipa.app));
    let (pin_sets, cfg) = ios_plist(&ipa.info_plist, &entry_origin)?;
    Ok(ImportedConfig {
        build: Some(BuildIdentity {
            id: cfg.bundle_id.clone().or(ipa.bundle_id.clone()),
            version: None,
            signing_sha256: Vec::new(),
        }),
        pin_sets,
        config: AppConfig::Ios(cfg),
    })
}
