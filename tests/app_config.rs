//! The whole network-security configuration of an app becomes findings:
//! Android network security config and manifest, iOS ATS and TrustKit,
//! and the cross-check of the hosts they name against the model. Each case
//! is a real configuration file written into a temporary project and
//! audited offline (these rules judge the app's own files, no probe).

use std::path::Path;

use strata::audit::Status;
use strata::audit::rules::Ruleset;
use strata::evidence::Evidence;
use strata::pipeline;

const CA_PIN: &str = "KM0CcwEFZmk3dD/Nw17F3Fe2l42huf/Pp3jxxm5Znpc=";
const BACKUP_PIN: &str = "u6VL/6U5u9fVhTUNm1gfnYywjaGNlgNDIBfVGV7f22I=";

/// A project with one client importing `file` (written as `name`).
fn project(dir: &Path, key: &str, name: &str, file: &[u8], platform: &str) -> strata::model::Model {
    std::fs::write(dir.join(name), file).unwrap_or_else(|e| panic!("{e}"));
    let yaml = format!(
        r#"strata: 1
system: {{ name: App config test }}
clients:
  - id: app
    platform: {platform}
    pin_imports:
      - {key}: {name}
    calls: [api]
components:
  - {{ id: gw, name: Gateway, kind: api-gateway, exposure: public }}
endpoints:
  - {{ id: api, component: gw, url: "https://api.example.com/" }}
flows:
  - {{ from: app, to: gw }}
"#
    );
    let path = dir.join("architecture.yaml");
    std::fs::write(&path, &yaml).unwrap_or_else(|e| panic!("{e}"));
    strata::model::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn audit(model: &strata::model::Model) -> Vec<(String, Status, String)> {
    let rules = Ruleset::builtin().unwrap_or_else(|e| panic!("{e}"));
    let evidence = Evidence {
        observed_at: 1_800_000_000,
        ..Default::default()
    };
    pipeline::audit_with(model, &rules, evidence)
        .audit
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.status, f.message.clone()))
        .collect()
}

/// Asserts that `rule` fails on the app file and says `needle`.
fn fails(findings: &[(String, Status, String)], rule: &str, needle: &str) {
    let (id, status, message) = find(findings, rule);
    assert_eq!(*status, Status::Fail, "{id}: {message}");
    assert!(message.contains(needle), "{id}: {message:?} lacks {needle:?}");
}

fn find<'a>(findings: &'a [(String, Status, String)], rule: &str) -> &'a (String, Status, String) {
    findings
        .iter()
        .find(|(id, ..)| id.starts_with(&format!("{rule}@appconfig:")))
        .unwrap_or_else(|| panic!("no {rule} finding among {findings:?}"))
}

#[test]
fn an_insecure_android_config_is_reported_rule_by_rule() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let nsc = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<network-security-config>
    <base-config cleartextTrafficPermitted="true">
        <trust-anchors>
            <certificates src="system" />
            <certificates src="user" />
        </trust-anchors>
    </base-config>
    <domain-config cleartextTrafficPermitted="false">
        <domain includeSubdomains="true">example.com</domain>
        <trust-anchors>
            <certificates src="@raw/corp_ca" overridePins="true" />
        </trust-anchors>
        <pin-set><pin digest="SHA-256">{CA_PIN}</pin></pin-set>
        <domain-config cleartextTrafficPermitted="true">
            <domain>legacy.example.com</domain>
        </domain-config>
    </domain-config>
    <domain-config>
        <domain>telemetry.vendor.test</domain>
    </domain-config>
    <debug-overrides>
        <trust-anchors><certificates src="user" overridePins="true" /></trust-anchors>
    </debug-overrides>
</network-security-config>
"#
    );
    let model = project(dir.path(), "android_nsc", "nsc.xml", nsc.as_bytes(), "android");
    let f = audit(&model);
    let fail = |rule: &str, needle: &str| fails(&f, rule, needle);
    fail("android-cleartext-off-by-default", "cleartext HTTP is permitted");
    fail("android-no-cleartext-domains", "legacy.example.com");
    fail("android-no-user-cas", "base-config");
    fail("android-no-override-pins", "example.com: @raw/corp_ca");
    fail("android-no-bundled-extra-cas", "@raw/corp_ca");
    fail("android-no-debug-overrides", "dormant");
    fail("app-build-hosts-in-model", "telemetry.vendor.test");
    // The domain with subdomains covers api.example.com: declared.
    let (_, _, msg) = find(&f, "app-build-hosts-in-model");
    assert!(!msg.contains("example.com (and"), "{msg}");
    // Manifest rules need the built app; a source file cannot tell.
    for rule in ["android-release-not-debuggable", "android-backup-disabled"] {
        assert_eq!(find(&f, rule).1, Status::NotApplicable, "{rule}");
    }
    // iOS rules do not apply to an Android file.
    assert_eq!(find(&f, "ios-ats-no-arbitrary-loads").1, Status::NotApplicable);
    // The single pin is reported once, statically.
    let single = f
        .iter()
        .find(|(id, ..)| id.starts_with("pin-set-has-two-pins@pinset:app/example.com"))
        .unwrap_or_else(|| panic!("no pin-set-has-two-pins"));
    assert_eq!(single.1, Status::Fail);
}

#[test]
fn a_hardened_android_config_passes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let nsc = format!(
        r#"<network-security-config>
    <base-config cleartextTrafficPermitted="false">
        <trust-anchors><certificates src="system" /></trust-anchors>
    </base-config>
    <domain-config>
        <domain>api.example.com</domain>
        <pin-set expiration="2030-01-01">
            <pin digest="SHA-256">{CA_PIN}</pin>
            <pin digest="SHA-256">{BACKUP_PIN}</pin>
        </pin-set>
    </domain-config>
</network-security-config>"#
    );
    let model = project(dir.path(), "android_nsc", "nsc.xml", nsc.as_bytes(), "android");
    let f = audit(&model);
    for rule in [
        "android-cleartext-off-by-default",
        "android-no-cleartext-domains",
        "android-no-user-cas",
        "android-no-override-pins",
        "android-no-bundled-extra-cas",
        "android-no-debug-overrides",
        "app-build-hosts-in-model",
    ] {
        let (id, status, message) = find(&f, rule);
        assert_eq!(*status, Status::Pass, "{id}: {message}");
    }
}

#[test]
fn an_unknown_target_sdk_is_not_a_pass_for_cleartext() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let nsc = "<network-security-config><base-config/></network-security-config>";
    let model = project(dir.path(), "android_nsc", "nsc.xml", nsc.as_bytes(), "android");
    let f = audit(&model);
    let (id, status, message) = find(&f, "android-cleartext-off-by-default");
    assert_eq!(*status, Status::Fail, "{id}: {message}");
    assert!(message.contains("target SDK is unknown"), "{message}");
    // Nor for user CAs: below API 24 they are trusted by default.
    let (id, status, message) = find(&f, "android-no-user-cas");
    assert_eq!(*status, Status::Unverified, "{id}: {message}");
    assert!(message.contains("target SDK is unknown"), "{message}");
}

#[test]
fn an_insecure_ios_plist_is_reported_rule_by_rule() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let plist = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>NSAppTransportSecurity</key><dict>
    <key>NSAllowsArbitraryLoads</key><true/>
    <key>NSAllowsArbitraryLoadsInWebContent</key><true/>
    <key>NSExceptionDomains</key><dict>
      <key>legacy.example.net</key><dict>
        <key>NSExceptionAllowsInsecureHTTPLoads</key><true/>
        <key>NSExceptionMinimumTLSVersion</key><string>TLSv1.0</string>
        <key>NSExceptionRequiresForwardSecrecy</key><false/>
      </dict>
    </dict>
    <key>NSPinnedDomains</key><dict>
      <key>api.example.com</key><dict>
        <key>NSPinnedLeafIdentities</key><array>
          <dict><key>SPKI-SHA256-BASE64</key><string>{CA_PIN}</string></dict>
          <dict><key>SPKI-SHA256-BASE64</key><string>{BACKUP_PIN}</string></dict>
        </array>
      </dict>
    </dict>
  </dict>
  <key>TSKConfiguration</key><dict><key>TSKPinnedDomains</key><dict>
    <key>pay.example.com</key><dict>
      <key>TSKPublicKeyHashes</key><array><string>{CA_PIN}</string><string>{BACKUP_PIN}</string></array>
      <key>TSKEnforcePinning</key><false/>
    </dict>
  </dict></dict>
</dict></plist>
"#
    );
    let model = project(dir.path(), "ios_plist", "Info.plist", plist.as_bytes(), "ios");
    let f = audit(&model);
    let fail = |rule: &str, needle: &str| fails(&f, rule, needle);
    fail("ios-ats-no-arbitrary-loads", "NSAllowsArbitraryLoads");
    fail("ios-ats-no-arbitrary-web-or-media", "InWebContent");
    fail("ios-ats-no-insecure-http-exceptions", "legacy.example.net");
    fail("ios-ats-exceptions-keep-tls-1-2", "legacy.example.net (TLSv1.0)");
    fail("ios-ats-exceptions-forward-secrecy", "legacy.example.net");
    fail("ios-ats-exceptions-require-ct", "legacy.example.net");
    fail("ios-trustkit-enforced", "pay.example.com");
    fail("app-build-hosts-in-model", "legacy.example.net");
    // Leaf identities only: judged without the live chain.
    let leaf = f
        .iter()
        .find(|(id, ..)| id.starts_with("pin-scope-not-leaf-only@pinset:app/api.example.com"))
        .unwrap_or_else(|| panic!("no pin-scope-not-leaf-only"));
    assert_eq!(leaf.1, Status::Fail, "{}", leaf.2);
    // The unenforced TrustKit domain pins nothing: no pin set for it.
    assert!(!model.pin_sets.iter().any(|p| p.host == "pay.example.com"));
}

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apps")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn a_built_apk_is_judged_with_its_manifest() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let model = project(dir.path(), "apk", "app.apk", &fixture("insecure.apk"), "android");
    let f = audit(&model);
    fails(&f, "android-release-not-debuggable", "android:debuggable=\"true\"");
    fails(&f, "android-backup-disabled", "allowBackup");
    fails(&f, "android-no-debug-overrides", "ACTIVE");
    fails(&f, "android-cleartext-off-by-default", "cleartext HTTP is permitted");
    fails(&f, "android-no-override-pins", "@raw/extra_ca");
    fails(&f, "android-no-user-cas", "base-config");
    // The pins come from the compiled config, with the entry in the origin.
    assert!(
        model
            .pin_sets
            .iter()
            .any(|p| p.origin.starts_with("app.apk!/res/xml/network_security_config.xml:")),
        "{:?}",
        model.pin_sets
    );
    let app = &model.app_configs[0];
    assert_eq!(
        app.build.as_ref().and_then(|b| b.id.as_deref()),
        Some("com.example.insecure")
    );
    assert!(
        app.summary().starts_with("APK com.example.insecure · SDK 23"),
        "{}",
        app.summary()
    );
}

#[test]
fn a_build_and_its_sources_give_the_same_verdicts() {
    // The sample's APK and IPA were built from its source files.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-projects/acme-pay");
    for (key_src, src, key_built, built, platform) in [
        (
            "android_nsc",
            "android/network_security_config.xml",
            "apk",
            "android/app-release.apk",
            "android",
        ),
        ("ios_plist", "ios/Info.plist", "ipa", "ios/App.ipa", "ios"),
    ] {
        let verdicts = |key: &str, rel: &str| {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let bytes = std::fs::read(root.join(rel)).unwrap_or_else(|e| panic!("{e}"));
            let name = Path::new(rel)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let model = project(dir.path(), key, &name, &bytes, platform);
            let pins: Vec<(String, Vec<String>)> = model
                .pin_sets
                .iter()
                .map(|p| (p.host.clone(), p.pins.iter().map(|x| x.spki_sha256.clone()).collect()))
                .collect();
            let f: Vec<(String, Status)> = audit(&model)
                .into_iter()
                .filter(|(id, ..)| id.contains("@appconfig:") || id.contains("@pinset:"))
                // Manifest rules only apply to builds.
                .filter(|(id, ..)| {
                    !id.starts_with("android-release-not-debuggable") && !id.starts_with("android-backup-disabled")
                })
                .map(|(id, s, _)| (id.split('@').next().unwrap_or_default().to_owned(), s))
                .collect();
            (pins, f)
        };
        let (src_pins, src_f) = verdicts(key_src, src);
        let (built_pins, built_f) = verdicts(key_built, built);
        assert!(!src_pins.is_empty(), "{src} pins something");
        assert_eq!(src_pins, built_pins, "{built} pins what {src} pins");
        assert_eq!(src_f, built_f, "{built} is judged as {src} is");
    }
}
