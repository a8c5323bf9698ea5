//! An iOS IPA's app bundle and its `Info.plist`.
//!
//! An IPA is a zip with exactly one app bundle, `Payload/<Name>.app/`.
//! [`read_ipa`] finds that bundle's own `Info.plist` (the top-level one:
//! those of frameworks, plug-ins and watch apps nested inside the bundle
//! are not the app's), returns its raw bytes (binary, XML or ASCII plist:
//! the ATS analysis reads them) and reads `CFBundleIdentifier` from it.
//!
//! The plist is walked as an event stream with a depth and event cap, so
//! that a crafted binary plist (deep nesting, an object shared many times)
//! costs bounded time and memory.

use super::zipsafe::SafeZip;
use super::{AppBuildError, origin};
use std::io::Cursor;
use std::path::Path;

/// Largest `Info.plist` read.
pub const MAX_PLIST_BYTES: u64 = 4 << 20;
/// Most plist events walked to find `CFBundleIdentifier`.
const MAX_PLIST_EVENTS: usize = 1_000_000;
/// Deepest plist nesting walked.
const MAX_PLIST_DEPTH: usize = 128;

/// What an IPA holds for the analysis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IpaBuild {
    /// The archive's path, as given.
    pub path: String,
    /// The app bundle: `Payload/Acme.app`.
    pub app: String,
    /// `CFBundleIdentifier`, when the plist has it as a string.
    pub bundle_id: Option<String>,
    /// The bundle's `Info.plist`, raw (binary or XML).
    #[serde(skip)]
    pub info_plist: Vec<u8>,
}

impl IpaBuild {
    /// `app.ipa!/Payload/Acme.app/Info.plist`: the origin of a finding
    /// about the bundle's `Info.plist`.
    pub fn info_plist_origin(&self) -> String {
        origin(Path::new(&self.path), &format!("{}/Info.plist", self.app))
    }
}

/// `Payload/<Name>.app/Info.plist` → `Payload/<Name>.app`.
fn app_of_info_plist(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("Payload/")?;
    let (app, file) = rest.split_once('/')?;
    (file == "Info.plist" && app.len() > 4 && app.ends_with(".app")).then(|| &name[..8 + app.len()])
}

/// The app bundle an entry lies in: `Payload/<Name>.app`.
fn app_of_entry(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("Payload/")?;
    let (app, _) = rest.split_once('/')?;
    (app.len() > 4 && app.ends_with(".app")).then(|| &name[..8 + app.len()])
}

/// Reads the IPA at `path`. See the module documentation.
pub fn read_ipa(path: &Path) -> Result<IpaBuild, AppBuildError> {
    let mut zip = SafeZip::open(path)?;
    let invalid = |reason: String| AppBuildError::Invalid {
        origin: path.display().to_string(),
        reason,
    };
    let mut apps: Vec<String> = zip.names().filter_map(app_of_entry).map(str::to_string).collect();
    apps.sort();
    apps.dedup();
    if apps.len() > 1 {
        let list: Vec<String> = apps.iter().take(5).map(|a| a.escape_debug().to_string()).collect();
        return Err(invalid(format!(
            "has {} app bundles ({}{}): an IPA has exactly one",
            apps.len(),
            list.join(", "),
            if apps.len() > 5 { ", ..." } else { "" }
        )));
    }
    let plists = zip.find(|n| app_of_info_plist(n).is_some())?;
    let entry = match plists.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(invalid("has no Payload/<Name>.app/Info.plist: not an IPA".to_string()));
        }
        many => {
            return Err(invalid(format!("has {} app Info.plist files", many.len())));
        }
    };
    let app = app_of_info_plist(&entry).unwrap_or_default().to_string();
    let info_plist = zip.read(&entry, MAX_PLIST_BYTES)?;
    let bundle_id = bundle_identifier(&info_plist).map_err(|reason| AppBuildError::Invalid {
        origin: origin(path, &entry),
        reason,
    })?;
    Ok(IpaBuild {
        path: path.display().to_string(),
        app,
        bundle_id,
        info_plist,
    })
}

/// The root dictionary's `CFBundleIdentifier` string, walking the plist's
/// events within [`MAX_PLIST_EVENTS`] and [`MAX_PLIST_DEPTH`]. An error
/// when the bytes are not a plist whose root is a dictionary.
pub fn bundle_identifier(bytes: &[u8]) -> Result<Option<String>, String> {
    use plist::stream::Event;
    let reader = plist::stream::Reader::new(Cursor::new(bytes));
    let mut depth = 0usize;
    let mut found = None;
    // In the root dictionary, keys and values alternate.
    let mut expect_key = true;
    let mut take_next = false;
    let mut first = true;
    for (n, event) in reader.enumerate() {
        if n >= MAX_PLIST_EVENTS {
            return Err(format!("the plist has more than {MAX_PLIST_EVENTS} values"));
        }
        let event = event.map_err(|e| format!("not a valid plist: {e}"))?;
        if first {
            first = false;
            if !matches!(event, Event::StartDictionary(_)) {
                return Err("the plist's root is not a dictionary".into());
            }
            depth = 1;
            continue;
        }
        match event {
            Event::StartArray(_) | Event::StartDictionary(_) => {
                if depth == 1 {
                    expect_key = true;
                    take_next = false;
                }
                depth += 1;
                if depth > MAX_PLIST_DEPTH {
                    return Err(format!("the plist nests deeper than {MAX_PLIST_DEPTH} levels"));
                }
            }
            Event::EndCollection => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Event::String(s) if depth == 1 => {
                if expect_key {
                    take_next = s == "CFBundleIdentifier";
                    expect_key = false;
                } else {
                    if take_next && found.is_none() {
                        found = Some(s.into_owned());
                    }
                    take_next = false;
                    expect_key = true;
                }
            }
            _ if depth == 1 => {
                take_next = false;
                expect_key = true;
            }
            _ => {}
        }
    }
    if first {
        return Err("the plist is empty".into());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_plist_is_told_from_nested_ones() {
        assert_eq!(app_of_info_plist("Payload/A.app/Info.plist"), Some("Payload/A.app"));
        assert_eq!(
            app_of_info_plist("Payload/A.app/Frameworks/X.framework/Info.plist"),
            None
        );
        assert_eq!(app_of_info_plist("Payload/.app/Info.plist"), None);
        assert_eq!(app_of_info_plist("Payload/A.appx/Info.plist"), None);
        assert_eq!(
            app_of_entry("Payload/A.app/PlugIns/S.appex/Info.plist"),
            Some("Payload/A.app")
        );
        assert_eq!(app_of_entry("Payload/"), None);
    }

    #[test]
    fn the_bundle_id_is_read_from_the_root_dictionary_only() {
        let xml = br#"<?xml version="1.0"?><plist version="1.0"><dict>
            <key>Nested</key><dict><key>CFBundleIdentifier</key><string>wrong</string></dict>
            <key>CFBundleIdentifier</key><string>com.example.app</string>
            </dict></plist>"#;
        assert_eq!(bundle_identifier(xml), Ok(Some("com.example.app".into())));
        let no_id = br#"<plist><dict><key>A</key><true/></dict></plist>"#;
        assert_eq!(bundle_identifier(no_id), Ok(None));
        assert!(bundle_identifier(b"<plist><array/></plist>").is_err());
        assert!(bundle_identifier(b"").is_err());
        assert!(bundle_identifier(b"bplist00garbage").is_err());
    }
}
