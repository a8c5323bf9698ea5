//! An Android APK's security-relevant declarations: package and SDK
//! levels, the `<application>` flags, the network security config
//! (followed through `resources.arsc` to its compiled XML and decoded to
//! text), and the signing certificates.
//!
//! [`read_apk`] reads only `AndroidManifest.xml`, `resources.arsc`, the
//! network security config entry and the signature files, each through
//! [`SafeZip`] with its own limit.

use super::apk_signing::{SigningCert, signing_certs};
use super::arsc::{self, ResValue, ResourceTable};
use super::axml::{self, AxmlDocument, Element, NoResources, ResolveReference, Value};
use super::zipsafe::SafeZip;
use super::{AppBuildError, origin};
use std::path::Path;

/// Largest compiled XML entry read (`AndroidManifest.xml`, the network
/// security config).
pub const MAX_XML_ENTRY_BYTES: u64 = 4 << 20;
/// Largest `resources.arsc` read.
pub const MAX_ARSC_BYTES: u64 = 64 << 20;

/// What an APK declares. Absent attributes are `None`, so that "not
/// declared" (the platform default applies) stays distinct from a
/// declared value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApkBuild {
    /// The archive's path, as given (the prefix of [`ApkBuild::origin`]).
    pub path: String,
    /// `<manifest package>`: the application id.
    pub package: Option<String>,
    /// `android:versionName` (a `@string/` reference is resolved).
    pub version_name: Option<String>,
    /// `android:versionCode`.
    pub version_code: Option<u32>,
    /// `<uses-sdk android:minSdkVersion>`. Absent: Android assumes 1.
    pub min_sdk: Option<u32>,
    /// `<uses-sdk android:targetSdkVersion>`. Absent: Android takes the
    /// minSdkVersion (so an app without either targets API 1 and gets
    /// every legacy behaviour, cleartext allowed included). A preview
    /// codename (a string) is not a number: `None`.
    pub target_sdk: Option<u32>,
    /// `<application android:usesCleartextTraffic>`. Absent: allowed up to
    /// target SDK 27, refused from 28 (and a network security config, when
    /// present, decides instead).
    pub uses_cleartext_traffic: Option<bool>,
    /// `<application android:debuggable>`. Absent: false.
    pub debuggable: Option<bool>,
    /// `<application android:allowBackup>`. Absent: true.
    pub allow_backup: Option<bool>,
    /// The network security config `android:networkSecurityConfig` names,
    /// decoded; `None` when the attribute is absent.
    pub network_security_config: Option<ApkNsc>,
    /// The signing certificates (v1, then v2/v3); empty when unsigned.
    pub signing: Vec<SigningCert>,
    /// The whole manifest, decoded to XML text (lines as in the source).
    pub manifest_xml: String,
}

/// The network security config of an APK.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApkNsc {
    /// The resource, as the manifest names it: `@xml/network_security_config`.
    pub resource: String,
    /// Its entry in the APK: `res/xml/network_security_config.xml`.
    pub entry: String,
    /// The compiled XML decoded to text, each start tag on its source line
    /// (see [`axml::AxmlDocument::to_xml`]); references resolved through
    /// `resources.arsc` (`<certificates src="@raw/extra_ca"/>`).
    pub xml: String,
    /// The files the config references (trust anchors such as
    /// `@raw/extra_ca`), each with its entry in the APK, in document
    /// order, each once. Read them with [`SafeZip::read`].
    pub files: Vec<ApkResourceFile>,
}

/// A file resource a network security config references.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApkResourceFile {
    /// As the config names it: `@raw/extra_ca`.
    pub resource: String,
    /// Its entry in the APK (default configuration): `res/raw/extra_ca.pem`.
    pub entry: String,
}

impl ApkBuild {
    /// `app.apk!/res/xml/network_security_config.xml`: the origin of a
    /// finding about `entry` of this APK.
    pub fn origin(&self, entry: &str) -> String {
        origin(Path::new(&self.path), entry)
    }
}

/// Reads the APK at `path`. See the module documentation.
pub fn read_apk(path: &Path) -> Result<ApkBuild, AppBuildError> {
    let mut zip = SafeZip::open(path)?;
    let manifest_entry = "AndroidManifest.xml";
    if !zip.contains(manifest_entry) {
        return Err(AppBuildError::Invalid {
            origin: path.display().to_string(),
            reason: "has no AndroidManifest.xml: not an APK".into(),
        });
    }
    let manifest_bytes = zip.read(manifest_entry, MAX_XML_ENTRY_BYTES)?;
    let manifest = decode(path, manifest_entry, &manifest_bytes)?;
    let arsc_bytes = if zip.contains("resources.arsc") {
        Some(zip.read("resources.arsc", MAX_ARSC_BYTES)?)
    } else {
        None
    };
    let table = match &arsc_bytes {
        Some(b) => Some(arsc::parse(b).map_err(|source| AppBuildError::Arsc {
            origin: origin(path, "resources.arsc"),
            source,
        })?),
        None => None,
    };
    let refs: &dyn ResolveReference = match &table {
        Some(t) => t,
        None => &NoResources,
    };
    let invalid = |entry: &str, reason: String| AppBuildError::Invalid {
        origin: origin(path, entry),
        reason,
    };
    let root = manifest.root();
    if root.name != "manifest" {
        return Err(invalid(
            manifest_entry,
            format!("the root element is <{}>, not <manifest>", root.name.escape_debug()),
        ));
    }
    let text = |e: &Element, name: &str| -> Option<String> {
        let a = e.android_attr(name)?;
        Some(match (&a.value, &table) {
            (Value::Reference(id), Some(t)) => match t.resolve(*id).ok().flatten().map(|r| r.value) {
                Some(ResValue::Simple(Value::String(s))) => s,
                _ => a.value.render(a.raw.as_deref(), refs),
            },
            _ => a.value.render(a.raw.as_deref(), refs),
        })
    };
    let number = |e: &Element, name: &str| -> Option<u32> {
        let a = e.android_attr(name)?;
        match &a.value {
            Value::Dec(n) => u32::try_from(*n).ok(),
            Value::Hex(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let flag = |e: &Element, name: &str| -> Option<bool> {
        let a = e.android_attr(name)?;
        match &a.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => s.trim().parse().ok(),
            Value::Reference(id) => match table.as_ref()?.resolve(*id).ok().flatten()?.value {
                ResValue::Simple(Value::Bool(b)) => Some(b),
                _ => None,
            },
            _ => None,
        }
    };
    let package = root
        .attr(None, "package")
        .map(|a| a.value.render(a.raw.as_deref(), refs));
    let uses_sdk = manifest
        .child_elements(0)
        .find(|(_, e)| e.name == "uses-sdk")
        .map(|(_, e)| e);
    let application = manifest
        .child_elements(0)
        .find(|(_, e)| e.name == "application")
        .map(|(_, e)| e);
    let network_security_config = match application.and_then(|a| a.android_attr("networkSecurityConfig")) {
        None => None,
        Some(attr) => Some(read_nsc(&mut zip, path, attr, table.as_ref())?),
    };
    let manifest_xml = manifest.to_xml(refs).map_err(|source| AppBuildError::Axml {
        origin: origin(path, manifest_entry),
        source,
    })?;
    let signing = signing_certs(&mut zip)?;
    Ok(ApkBuild {
        path: path.display().to_string(),
        package,
        version_name: text(root, "versionName"),
        version_code: number(root, "versionCode"),
        min_sdk: uses_sdk.and_then(|u| number(u, "minSdkVersion")),
        target_sdk: uses_sdk.and_then(|u| number(u, "targetSdkVersion")),
        uses_cleartext_traffic: application.and_then(|a| flag(a, "usesCleartextTraffic")),
        debuggable: application.and_then(|a| flag(a, "debuggable")),
        allow_backup: application.and_then(|a| flag(a, "allowBackup")),
        network_security_config,
        signing,
        manifest_xml,
    })
}

fn decode(path: &Path, entry: &str, bytes: &[u8]) -> Result<AxmlDocument, AppBuildError> {
    axml::parse(bytes).map_err(|source| AppBuildError::Axml {
        origin: origin(path, entry),
        source,
    })
}

/// Follows `android:networkSecurityConfig` to its `res/xml/` entry and
/// decodes it.
fn read_nsc(
    zip: &mut SafeZip,
    path: &Path,
    attr: &axml::Attribute,
    table: Option<&ResourceTable<'_>>,
) -> Result<ApkNsc, AppBuildError> {
    let invalid = |reason: String| AppBuildError::Invalid {
        origin: origin(path, "AndroidManifest.xml"),
        reason,
    };
    let Value::Reference(id) = attr.value else {
        return Err(invalid(format!(
            "android:networkSecurityConfig is {:?}, not a reference to an XML resource",
            attr.value.render(attr.raw.as_deref(), &NoResources)
        )));
    };
    let Some(table) = table else {
        return Err(invalid(format!(
            "android:networkSecurityConfig points at @0x{id:08x}, but the APK has no resources.arsc"
        )));
    };
    let resource = table
        .resolve(id)
        .map_err(|source| AppBuildError::Arsc {
            origin: origin(path, "resources.arsc"),
            source,
        })?
        .ok_or_else(|| {
            invalid(format!(
                "android:networkSecurityConfig points at @0x{id:08x}, which resources.arsc does not define"
            ))
        })?;
    let ResValue::Simple(Value::String(entry)) = &resource.value else {
        return Err(invalid(format!(
            "android:networkSecurityConfig points at @{}/{}, which is not a file",
            resource.type_name.escape_debug(),
            resource.entry_name.escape_debug()
        )));
    };
    let bytes = zip.read(entry, MAX_XML_ENTRY_BYTES)?;
    let doc = decode(path, entry, &bytes)?;
    let xml = doc.to_xml(table).map_err(|source| AppBuildError::Axml {
        origin: origin(path, entry),
        source,
    })?;
    let mut files: Vec<ApkResourceFile> = Vec::new();
    for a in doc.elements.iter().flat_map(|e| &e.attributes) {
        let Value::Reference(id) = a.value else {
            continue;
        };
        // Resolution errors were already met by the rendering, which then
        // wrote the id; such a reference simply has no file here.
        if let Ok(Some(r)) = table.resolve(id)
            && let ResValue::Simple(Value::String(path)) = r.value
        {
            let resource = format!("@{}/{}", r.type_name, r.entry_name);
            if !files.iter().any(|f| f.resource == resource) && files.len() < 1000 {
                files.push(ApkResourceFile { resource, entry: path });
            }
        }
    }
    Ok(ApkNsc {
        resource: format!("@{}/{}", resource.type_name, resource.entry_name),
        entry: entry.clone(),
        xml,
        files,
    })
}
