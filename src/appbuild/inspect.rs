//! `strata inspect FILE`: what an APK or IPA declares, as text or JSON.

use super::{ApkBuild, AppBuildError, AppKind, IpaBuild, detect, read_apk, read_ipa};
use std::fmt::Write as _;
use std::path::Path;

/// Reads `path` as an APK or IPA ([`detect`]) and renders what was found:
/// a readable summary, or with `json` the decoded struct as pretty JSON
/// (with `kind`; an IPA's `Info.plist` as XML text in `info_plist_xml`).
pub fn inspect(path: &Path, json: bool) -> Result<String, AppBuildError> {
    match detect(path)? {
        AppKind::Apk => {
            let apk = read_apk(path)?;
            Ok(if json { apk_json(&apk) } else { apk_text(&apk) })
        }
        AppKind::Ipa => {
            let ipa = read_ipa(path)?;
            let xml = plist_xml(&ipa.info_plist);
            Ok(if json {
                ipa_json(&ipa, &xml)
            } else {
                ipa_text(&ipa, &xml)
            })
        }
    }
}

fn or_absent<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "(not declared)".to_string(), |v| v.to_string())
}

/// The text summary of an APK.
pub fn apk_text(apk: &ApkBuild) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Android APK {}", apk.path);
    let _ = writeln!(
        s,
        "  package:               {}",
        or_absent(apk.package.as_ref().map(|p| p.escape_debug()))
    );
    let _ = writeln!(
        s,
        "  version:               {} (code {})",
        or_absent(apk.version_name.as_ref().map(|p| p.escape_debug())),
        or_absent(apk.version_code)
    );
    let _ = writeln!(s, "  minSdkVersion:         {}", or_absent(apk.min_sdk));
    let _ = writeln!(s, "  targetSdkVersion:      {}", or_absent(apk.target_sdk));
    let _ = writeln!(s, "  usesCleartextTraffic:  {}", or_absent(apk.uses_cleartext_traffic));
    let _ = writeln!(s, "  debuggable:            {}", or_absent(apk.debuggable));
    let _ = writeln!(s, "  allowBackup:           {}", or_absent(apk.allow_backup));
    if apk.signing.is_empty() {
        let _ = writeln!(s, "  signing:               unsigned");
    }
    for c in &apk.signing {
        let _ = writeln!(s, "  signed ({}):           SHA-256 {}", c.scheme, c.sha256);
        let _ = writeln!(s, "                         subject {}", c.subject.escape_debug());
    }
    match &apk.network_security_config {
        None => {
            let _ = writeln!(s, "  networkSecurityConfig: (not declared)");
        }
        Some(nsc) => {
            let _ = writeln!(
                s,
                "  networkSecurityConfig: {} ({})",
                nsc.resource.escape_debug(),
                apk.origin(&nsc.entry)
            );
            for f in &nsc.files {
                let _ = writeln!(
                    s,
                    "  referenced file:       {} ({})",
                    f.resource.escape_debug(),
                    apk.origin(&f.entry)
                );
            }
            let _ = writeln!(s);
            s.push_str(&nsc.xml);
        }
    }
    s
}

/// The JSON of an APK.
pub fn apk_json(apk: &ApkBuild) -> String {
    let mut v = serde_json::to_value(apk).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("kind".into(), "apk".into());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// An `Info.plist` (any format) as XML plist text; a note if it does not
/// convert (it was already read once, within bounds, by [`read_ipa`]).
fn plist_xml(bytes: &[u8]) -> String {
    let value = match plist::Value::from_reader(std::io::Cursor::new(bytes)) {
        Ok(v) => v,
        Err(e) => return format!("(the Info.plist does not convert to XML: {e})\n"),
    };
    let mut out = Vec::new();
    match value.to_writer_xml(&mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned() + "\n",
        Err(e) => format!("(the Info.plist does not convert to XML: {e})\n"),
    }
}

/// The text summary of an IPA.
pub fn ipa_text(ipa: &IpaBuild, xml: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "iOS IPA {}", ipa.path);
    let _ = writeln!(s, "  app bundle:  {}", ipa.app.escape_debug());
    let _ = writeln!(
        s,
        "  bundle id:   {}",
        or_absent(ipa.bundle_id.as_ref().map(|b| b.escape_debug()))
    );
    let _ = writeln!(
        s,
        "  Info.plist:  {} ({} bytes)",
        ipa.info_plist_origin(),
        ipa.info_plist.len()
    );
    let _ = writeln!(s);
    s.push_str(xml);
    s
}

/// The JSON of an IPA.
pub fn ipa_json(ipa: &IpaBuild, xml: &str) -> String {
    let mut v = serde_json::to_value(ipa).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("kind".into(), "ipa".into());
        o.insert("info_plist_xml".into(), xml.into());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
