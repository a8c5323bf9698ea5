//! Built apps (`strata::appbuild`): the fixtures of `tests/fixtures/apps/`,
//! made by aapt, jarsigner, apksigner and Python (see `make.sh` there),
//! decode to what their sources declare; the decoded network security
//! config matches apktool's decoding element for element and keeps the
//! source's line numbers; signing digests match the committed signing
//! certificates; and hostile archives are refused with a typed error that
//! names the file, without a panic.
//!
//! The apktool cross-check prints `SKIPPED: ...` when apktool is not
//! installed, unless `STRATA_REQUIRE_APKTOOL=1` (CI), which makes it fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use strata::appbuild::zipsafe::{ZipError, ZipErrorKind};
use strata::appbuild::{ApkBuild, AppBuildError, SigningScheme, read_apk, read_ipa};
use strata::model::pin_import::{PinScope, parse_android_nsc, parse_ios_plist};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/apps").join(name)
}

fn apk(name: &str) -> ApkBuild {
    match read_apk(&fixture(name)) {
        Ok(a) => a,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// SHA-256 (lower-case hex) of the DER of a committed PEM certificate.
fn cert_digest(pem_name: &str) -> String {
    let text = std::fs::read(fixture("keys").join(pem_name)).expect("certificate PEM");
    let pem = pem::parse(text).expect("PEM");
    let d = ring::digest::digest(&ring::digest::SHA256, pem.contents());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn schemes(a: &ApkBuild) -> Vec<SigningScheme> {
    a.signing.iter().map(|c| c.scheme).collect()
}

/// The lines of `source` that open an element (`<name`), with the name.
fn start_tag_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let t = l.trim_start();
            let rest = t.strip_prefix('<')?;
            if rest.starts_with(['!', '?', '/']) {
                return None;
            }
            let name: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            Some((i, name))
        })
        .collect()
}

/// Each start tag of the source stands on the same line in the decoded text.
fn assert_same_lines(source: &str, decoded: &str, what: &str) {
    let lines: Vec<&str> = decoded.lines().collect();
    for (i, name) in start_tag_lines(source) {
        let got = lines.get(i).map(|l| l.trim_start()).unwrap_or_default();
        assert!(
            got.starts_with(&format!("<{name}")),
            "{what}: line {} should open <{name}>, is {got:?}\n{decoded}",
            i + 1
        );
    }
}

#[test]
fn insecure_apk_declares_every_weakness() {
    let a = apk("insecure.apk");
    assert_eq!(a.package.as_deref(), Some("com.example.insecure"));
    assert_eq!(a.version_name.as_deref(), Some("1.0.7-debug"));
    assert_eq!(a.version_code, Some(7));
    assert_eq!((a.min_sdk, a.target_sdk), (Some(21), Some(23)));
    assert_eq!(a.debuggable, Some(true));
    assert_eq!(a.allow_backup, Some(true));
    assert_eq!(a.uses_cleartext_traffic, Some(true));
    assert_eq!(schemes(&a), [SigningScheme::V1]);
    assert_eq!(a.signing[0].sha256, cert_digest("rsa.pem"));
    assert_eq!(a.signing[0].entry.as_deref(), Some("META-INF/RSA.RSA"));
    assert!(
        a.signing[0].subject.contains("CN=Strata Fixture RSA Signer"),
        "{}",
        a.signing[0].subject
    );

    let nsc = a.network_security_config.as_ref().expect("an NSC");
    assert_eq!(nsc.resource, "@xml/network_security_config");
    assert_eq!(nsc.entry, "res/xml/network_security_config.xml");
    assert!(
        nsc.xml.contains(r#"<base-config cleartextTrafficPermitted="true">"#),
        "{}",
        nsc.xml
    );
    assert!(nsc.xml.contains(r#"<certificates src="user" />"#), "{}", nsc.xml);
    assert!(
        nsc.xml
            .contains(r#"<certificates src="@raw/extra_ca" overridePins="true" />"#),
        "{}",
        nsc.xml
    );
    assert!(nsc.xml.contains("<debug-overrides>"), "{}", nsc.xml);
    let files: Vec<(&str, &str)> = nsc
        .files
        .iter()
        .map(|f| (f.resource.as_str(), f.entry.as_str()))
        .collect();
    assert_eq!(files, [("@raw/extra_ca", "res/raw/extra_ca.pem")]);
    let mut zip = strata::appbuild::zipsafe::SafeZip::open(&fixture("insecure.apk")).expect("opens");
    let pem = zip.read("res/raw/extra_ca.pem", 1 << 20).expect("the anchor file");
    assert_eq!(
        pem,
        std::fs::read(fixture("src/insecure/res/raw/extra_ca.pem")).expect("source")
    );

    let source = std::fs::read_to_string(fixture("src/insecure/res/xml/network_security_config.xml")).expect("source");
    assert_same_lines(&source, &nsc.xml, "insecure NSC");
    let origin = a.origin(&nsc.entry);
    assert!(
        origin.ends_with("insecure.apk!/res/xml/network_security_config.xml"),
        "{origin}"
    );
    let sets = parse_android_nsc(&nsc.xml, &origin).expect("the importer reads the decoded NSC");
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].domain, "api.insecure.example");
    assert!(sets[0].include_subdomains);
    assert_eq!(sets[0].pins.len(), 1);
    assert_eq!(
        sets[0].pins[0].spki_sha256,
        "7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y="
    );
    assert_eq!(sets[0].expiration.map(|d| d.to_string()).as_deref(), Some("2026-01-31"));
    // The importer's position is the source file's: <domain> is on line 12.
    assert!(
        sets[0].origin.starts_with(&format!("{origin}:12:")),
        "{}",
        sets[0].origin
    );

    // The manifest keeps its lines too.
    let manifest = std::fs::read_to_string(fixture("src/insecure/AndroidManifest.xml")).expect("manifest");
    assert_same_lines(&manifest, &a.manifest_xml, "insecure manifest");
}

#[test]
fn hardened_apk_is_signed_by_every_scheme_and_pins_with_backups() {
    let a = apk("hardened.apk");
    assert_eq!(a.package.as_deref(), Some("com.example.hardened"));
    assert_eq!((a.min_sdk, a.target_sdk), (Some(28), Some(34)));
    assert_eq!(a.debuggable, Some(false));
    assert_eq!(a.allow_backup, Some(false));
    assert_eq!(a.uses_cleartext_traffic, Some(false));
    assert_eq!(schemes(&a), [SigningScheme::V1, SigningScheme::V2, SigningScheme::V3]);
    let ec = cert_digest("ec.pem");
    assert!(a.signing.iter().all(|c| c.sha256 == ec), "{:?}", a.signing);
    assert!(a.signing[0].entry.as_deref() == Some("META-INF/EC.EC"));

    let nsc = a.network_security_config.as_ref().expect("an NSC");
    assert!(!nsc.xml.contains("src=\"user\""), "{}", nsc.xml);
    assert!(nsc.files.is_empty(), "{:?}", nsc.files);
    let source = std::fs::read_to_string(fixture("src/hardened/res/xml/network_security_config.xml")).expect("source");
    assert_same_lines(&source, &nsc.xml, "hardened NSC");
    let sets = parse_android_nsc(&nsc.xml, &a.origin(&nsc.entry)).expect("imports");
    let domains: Vec<&str> = sets.iter().map(|s| s.domain.as_str()).collect();
    assert_eq!(domains, ["api.hardened.example", "auth.hardened.example"]);
    assert!(
        sets.iter()
            .all(|s| s.pins.len() == 2 && s.pins.iter().all(|p| p.scope == PinScope::Any))
    );
    assert_eq!(sets[0].expiration.map(|d| d.to_string()).as_deref(), Some("2028-06-30"));
    assert_eq!(sets[1].expiration, None);
}

#[test]
fn an_apk_without_nsc_or_signature_says_so() {
    let a = apk("no-nsc.apk");
    assert_eq!(a.package.as_deref(), Some("com.example.nonsc"));
    assert_eq!(a.target_sdk, Some(27));
    assert_eq!(a.network_security_config, None);
    assert_eq!(
        (a.debuggable, a.allow_backup, a.uses_cleartext_traffic),
        (None, None, None)
    );
    assert!(a.signing.is_empty(), "{:?}", a.signing);
}

#[test]
fn the_sample_apk_carries_the_sample_projects_nsc() {
    let a = apk("sample-android.apk");
    assert_eq!(a.package.as_deref(), Some("com.acme.pay"));
    assert_eq!(a.target_sdk, Some(34));
    assert_eq!(schemes(&a), [SigningScheme::V1, SigningScheme::V2]);
    assert!(a.signing.iter().all(|c| c.sha256 == cert_digest("rsa.pem")));
    let nsc = a.network_security_config.as_ref().expect("an NSC");
    let source_path = root().join("sample-projects/acme-pay/android/network_security_config.xml");
    let source = std::fs::read_to_string(&source_path).expect("sample NSC");
    assert_same_lines(&source, &nsc.xml, "sample NSC");
    // The same pins, at the same lines, as importing the source file.
    let from_apk = parse_android_nsc(&nsc.xml, "x").expect("decoded imports");
    let from_source = parse_android_nsc(&source, "x").expect("source imports");
    assert_eq!(from_apk, from_source);
    // The copy in the sample project is the same build.
    let copy = root().join("sample-projects/acme-pay/android/app-release.apk");
    assert_eq!(
        std::fs::read(copy).expect("copy"),
        std::fs::read(fixture("sample-android.apk")).expect("fixture")
    );
}

/// An XML element tree for comparison: (name, namespace) → attributes
/// (namespace, local name, value), trimmed text, children.
#[derive(Debug, PartialEq)]
struct Tree {
    name: (String, Option<String>),
    attrs: Vec<(Option<String>, String, String)>,
    text: String,
    children: Vec<Tree>,
}

fn tree(xml: &str) -> Tree {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    fn build(n: roxmltree::Node<'_, '_>) -> Tree {
        let mut attrs: Vec<_> = n
            .attributes()
            .map(|a| {
                (
                    a.namespace().map(str::to_string),
                    a.name().to_string(),
                    a.value().to_string(),
                )
            })
            .collect();
        attrs.sort();
        Tree {
            name: (
                n.tag_name().name().to_string(),
                n.tag_name().namespace().map(str::to_string),
            ),
            attrs,
            text: n
                .children()
                .filter(|c| c.is_text())
                .filter_map(|c| c.text())
                .collect::<String>()
                .trim()
                .to_string(),
            children: n.children().filter(|c| c.is_element()).map(build).collect(),
        }
    }
    build(doc.root_element())
}

#[test]
fn decoded_nsc_matches_apktool() {
    let have = std::process::Command::new("apktool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("STRATA_REQUIRE_APKTOOL").as_deref() != Ok("1"),
            "apktool is required (STRATA_REQUIRE_APKTOOL=1) but not installed"
        );
        eprintln!("SKIPPED: apktool not installed; the decoded NSC is not cross-checked");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["insecure.apk", "hardened.apk", "sample-android.apk"] {
        let out = tmp.path().join(name);
        let run = std::process::Command::new("apktool")
            .args(["d", "-f", "-s", "-o"])
            .arg(&out)
            .arg(fixture(name))
            .output()
            .expect("apktool runs");
        assert!(
            run.status.success(),
            "apktool d {name}: {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let theirs = std::fs::read_to_string(out.join("res/xml/network_security_config.xml")).expect("apktool's NSC");
        let a = apk(name);
        let ours = &a.network_security_config.as_ref().expect("an NSC").xml;
        assert_eq!(tree(ours), tree(&theirs), "{name}: ours\n{ours}\napktool's\n{theirs}");
    }
}

#[test]
fn ipas_give_the_bundles_own_info_plist() {
    let i = read_ipa(&fixture("insecure.ipa")).expect("insecure.ipa");
    assert_eq!(i.app, "Payload/Insecure.app");
    assert_eq!(i.bundle_id.as_deref(), Some("com.example.insecure"));
    assert!(i.info_plist.starts_with(b"bplist00"), "binary, as Xcode ships it");
    let origin = i.info_plist_origin();
    assert!(
        origin.ends_with("insecure.ipa!/Payload/Insecure.app/Info.plist"),
        "{origin}"
    );
    let sets = parse_ios_plist(&i.info_plist, &origin).expect("the importer reads it");
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].domain, "api.insecure.example");
    assert_eq!(sets[0].pins.len(), 1);
    assert_eq!(sets[0].pins[0].scope, PinScope::Leaf);
    let v = plist::Value::from_reader(std::io::Cursor::new(&i.info_plist)).expect("plist");
    let ats = v
        .as_dictionary()
        .and_then(|d| d.get("NSAppTransportSecurity"))
        .and_then(|a| a.as_dictionary())
        .expect("ATS");
    assert_eq!(
        ats.get("NSAllowsArbitraryLoads").and_then(|b| b.as_boolean()),
        Some(true)
    );
    assert_eq!(
        ats.get("NSAllowsArbitraryLoadsInWebContent")
            .and_then(|b| b.as_boolean()),
        Some(true)
    );
    let tsk = v
        .as_dictionary()
        .and_then(|d| d.get("TSKConfiguration"))
        .and_then(|t| t.as_dictionary());
    assert!(tsk.and_then(|t| t.get("TSKPinnedDomains")).is_some());

    let h = read_ipa(&fixture("hardened.ipa")).expect("hardened.ipa");
    assert_eq!(h.bundle_id.as_deref(), Some("com.example.hardened"));
    let sets = parse_ios_plist(&h.info_plist, "h").expect("imports");
    assert!(
        sets.iter()
            .all(|s| s.pins.len() == 2 && s.pins.iter().all(|p| p.scope == PinScope::Ca))
    );

    // Frameworks and plug-ins inside the bundle have their own Info.plist:
    // not the app's.
    let n = read_ipa(&fixture("nested.ipa")).expect("nested.ipa");
    assert_eq!(n.app, "Payload/Nested.app");
    assert_eq!(n.bundle_id.as_deref(), Some("com.example.nested"));

    let s = read_ipa(&fixture("sample-ios.ipa")).expect("sample-ios.ipa");
    assert_eq!(s.bundle_id.as_deref(), Some("example.acme.pay"));
    let from_ipa = parse_ios_plist(&s.info_plist, "x").expect("imports");
    let source = std::fs::read(root().join("sample-projects/acme-pay/ios/Info.plist")).expect("sample plist");
    assert_eq!(from_ipa, parse_ios_plist(&source, "x").expect("source imports"));
    let copy = root().join("sample-projects/acme-pay/ios/App.ipa");
    assert_eq!(
        std::fs::read(copy).expect("copy"),
        std::fs::read(fixture("sample-ios.ipa")).expect("fixture")
    );
}

#[test]
fn the_ipa_plist_reads_as_pythons_plistlib_reads_it() {
    let script = r#"
import json, plistlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
d = plistlib.loads(z.read(sys.argv[2]))
print(json.dumps(d, sort_keys=True, default=str))
"#;
    let ipa = fixture("insecure.ipa");
    let Ok(out) = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&ipa)
        .arg("Payload/Insecure.app/Info.plist")
        .output()
    else {
        eprintln!("SKIPPED: python3 not installed");
        return;
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let i = read_ipa(&ipa).expect("ipa");
    let ours = plist::Value::from_reader(std::io::Cursor::new(&i.info_plist)).expect("plist");
    fn json(v: &plist::Value) -> serde_json::Value {
        match v {
            plist::Value::Dictionary(d) => {
                serde_json::Value::Object(d.iter().map(|(k, v)| (k.clone(), json(v))).collect())
            }
            plist::Value::Array(a) => serde_json::Value::Array(a.iter().map(json).collect()),
            plist::Value::Boolean(b) => (*b).into(),
            plist::Value::String(s) => s.as_str().into(),
            plist::Value::Integer(n) => n.as_signed().unwrap_or_default().into(),
            other => format!("{other:?}").into(),
        }
    }
    assert_eq!(json(&ours), theirs);
}

// ---------------------------------------------------------------------------
// Hostile archives, written byte by byte (so that every field can lie).

struct Entry {
    name: Vec<u8>,
    data: Vec<u8>,
    /// Compressed bytes as stored (`data` deflated, or `data` for stored).
    stored: Vec<u8>,
    method: u16,
    flags: u16,
    /// The uncompressed size the headers declare.
    declared: u32,
}

fn stored(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        stored: data.to_vec(),
        method: 0,
        flags: 0,
        declared: data.len() as u32,
    }
}

fn deflated(name: &str, data: &[u8]) -> Entry {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("deflate");
    let stored = enc.finish().expect("deflate");
    Entry {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        stored,
        method: 8,
        flags: 0,
        declared: data.len() as u32,
    }
}

fn zip_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let mut crc = flate2::Crc::new();
        crc.update(&e.data);
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| -> Vec<u8> {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // version made by
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(e.flags.to_le_bytes());
            h.extend(e.method.to_le_bytes());
            h.extend([0u8; 4]); // time, date
            h.extend(crc.sum().to_le_bytes());
            h.extend((e.stored.len() as u32).to_le_bytes());
            h.extend(e.declared.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 6]); // comment len, disk, internal attrs
                h.extend(0u32.to_le_bytes()); // external attrs
                h.extend(offset.to_le_bytes());
            }
            h.extend(&e.name);
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.stored);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The real compiled manifest of a fixture, for hostile APKs that must get
/// past the manifest.
fn real_manifest() -> Vec<u8> {
    let mut zip = strata::appbuild::zipsafe::SafeZip::open(&fixture("insecure.apk")).expect("opens");
    zip.read("AndroidManifest.xml", 1 << 20).expect("manifest")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

/// The zip error of reading `path` as an APK (or IPA), checked to name
/// the file and to be one line.
fn zip_error(path: &Path, ipa: bool) -> ZipError {
    let r = if ipa {
        read_ipa(path).map(|_| ())
    } else {
        read_apk(path).map(|_| ())
    };
    match r {
        Err(AppBuildError::Zip(e)) => {
            let msg = e.to_string();
            assert!(msg.contains(&path.display().to_string()), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
            e
        }
        Err(other) => panic!("{}: not a zip error: {other}", path.display()),
        Ok(()) => panic!("{}: accepted", path.display()),
    }
}

#[test]
fn hostile_archives_are_refused_with_typed_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let manifest = real_manifest();

    // Zip bomb: 60 MiB of zeros in a few dozen KiB (under the 64 MiB
    // resources.arsc limit, so the ratio is what refuses it).
    let zeros = vec![0u8; 60 << 20];
    let bomb = zip_bytes(&[
        stored("AndroidManifest.xml", &manifest),
        deflated("resources.arsc", &zeros),
    ]);
    assert!(bomb.len() < 1 << 20);
    let p = write(d, "bomb.apk", &bomb);
    let e = zip_error(&p, false);
    assert!(matches!(e.kind, ZipErrorKind::Bomb { .. }), "{e}");
    assert_eq!(e.entry.as_deref(), Some("resources.arsc"));

    // The same bomb with headers that understate its size: refused while
    // decompressing, by bytes actually produced.
    let mut lying = deflated("resources.arsc", &zeros);
    lying.declared = 1000;
    let p = write(
        d,
        "lying-bomb.apk",
        &zip_bytes(&[stored("AndroidManifest.xml", &manifest), lying]),
    );
    let e = zip_error(&p, false);
    eprintln!("understated bomb: {e}");
    assert!(
        matches!(
            e.kind,
            ZipErrorKind::Bomb { .. } | ZipErrorKind::Corrupt(_) | ZipErrorKind::TooLarge { .. }
        ),
        "{e}"
    );

    // A manifest over the 4 MiB XML limit.
    let big = zip_bytes(&[deflated("AndroidManifest.xml", &vec![b' '; 5 << 20])]);
    let e = zip_error(&write(d, "big.apk", &big), false);
    assert!(
        matches!(e.kind, ZipErrorKind::TooLarge { limit } if limit == 4 << 20),
        "{e}"
    );

    // Two entries of the same name: which one Android installs is not
    // necessarily the one an auditor reads.
    let dup = zip_bytes(&[
        stored("AndroidManifest.xml", &manifest),
        stored("AndroidManifest.xml", b"x"),
    ]);
    let e = zip_error(&write(d, "dup.apk", &dup), false);
    assert!(matches!(e.kind, ZipErrorKind::Duplicate { count: 2 }), "{e}");

    // The same name spelled twice (`./`): a normalizing reader sees one.
    let alias = zip_bytes(&[
        stored("AndroidManifest.xml", &manifest),
        stored("./AndroidManifest.xml", b"x"),
    ]);
    let e = zip_error(&write(d, "alias.apk", &alias), false);
    assert!(matches!(e.kind, ZipErrorKind::Duplicate { count: 2 }), "{e}");

    // A ZIP64 end record declaring 300,000 entries: refused before the
    // directory is read.
    let mut many = b"PK\x03\x04".to_vec();
    many.resize(64, 0);
    let rec_pos = many.len() as u64;
    many.extend(0x0606_4b50u32.to_le_bytes());
    many.extend(44u64.to_le_bytes());
    many.extend([45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    many.extend(300_000u64.to_le_bytes());
    many.extend(300_000u64.to_le_bytes());
    many.extend(0u64.to_le_bytes()); // directory size
    many.extend(rec_pos.to_le_bytes()); // directory offset
    many.extend(0x0706_4b50u32.to_le_bytes());
    many.extend(0u32.to_le_bytes());
    many.extend(rec_pos.to_le_bytes());
    many.extend(1u32.to_le_bytes());
    many.extend(0x0605_4b50u32.to_le_bytes());
    many.extend([0u8; 4]);
    many.extend([0xff; 4]);
    many.extend([0xff; 8]);
    many.extend(0u16.to_le_bytes());
    let e = zip_error(&write(d, "many.apk", &many), false);
    assert!(
        matches!(e.kind, ZipErrorKind::TooManyEntries { count: 300_000, .. }),
        "{e}"
    );

    // Traversal and backslash spellings of the bundle's Info.plist.
    let plist = b"<plist><dict><key>CFBundleIdentifier</key><string>x</string></dict></plist>";
    for name in [
        "Payload/A.app/../A.app/Info.plist",
        "Payload\\A.app\\Info.plist",
        "/Payload/A.app/Info.plist",
    ] {
        let p = write(d, "traversal.ipa", &zip_bytes(&[stored(name, plist)]));
        let e = zip_error(&p, true);
        assert!(matches!(e.kind, ZipErrorKind::UnsafeName), "{name}: {e}");
    }
    // Asked for by name, an unsafe spelling is refused too.
    let mut z = strata::appbuild::zipsafe::SafeZip::open(&write(d, "t.zip", &zip_bytes(&[stored("../x", b"x")])))
        .expect("opens");
    assert!(matches!(
        z.read("../x", 10).map_err(|e| e.kind),
        Err(ZipErrorKind::UnsafeName)
    ));

    // Encryption and other compression methods.
    let mut enc = stored("AndroidManifest.xml", &manifest);
    enc.flags = 1;
    let e = zip_error(&write(d, "enc.apk", &zip_bytes(&[enc])), false);
    assert!(matches!(e.kind, ZipErrorKind::Encrypted), "{e}");
    let mut bz = stored("AndroidManifest.xml", &manifest);
    bz.method = 12;
    let e = zip_error(&write(d, "bzip2.apk", &zip_bytes(&[bz])), false);
    assert!(matches!(e.kind, ZipErrorKind::UnsupportedCompression(12)), "{e}");

    // A local header that names another file than the central directory.
    let mut mismatch = zip_bytes(&[stored("AndroidManifest.xml", &manifest)]);
    mismatch[30] = b'a';
    let e = zip_error(&write(d, "mismatch.apk", &mismatch), false);
    assert!(matches!(e.kind, ZipErrorKind::HeaderMismatch), "{e}");

    // Truncated, wrong magic, empty.
    let real = std::fs::read(fixture("insecure.apk")).expect("fixture");
    for cut in [real.len() / 2, real.len() - 10, 30] {
        let e = zip_error(&write(d, "truncated.apk", &real[..cut]), false);
        assert!(
            matches!(e.kind, ZipErrorKind::NoEndRecord | ZipErrorKind::Malformed(_)),
            "cut at {cut}: {e}"
        );
    }
    let e = zip_error(&write(d, "not-a-zip.apk", b"<?xml version=\"1.0\"?><manifest/>"), false);
    assert!(matches!(e.kind, ZipErrorKind::NotZip), "{e}");
    let e = zip_error(&write(d, "empty.apk", b""), false);
    assert!(matches!(e.kind, ZipErrorKind::NotZip), "{e}");

    // A directory and a character device are not even opened.
    for (p, kind) in [
        (d.to_path_buf(), "directory"),
        (PathBuf::from("/dev/zero"), "character device"),
    ] {
        match read_apk(&p) {
            Err(AppBuildError::File(e)) => {
                let msg = e.to_string();
                assert!(msg.contains(kind) && msg.contains(&p.display().to_string()), "{msg}");
            }
            other => panic!("{}: {other:?}", p.display()),
        }
    }
}

#[test]
fn malformed_app_contents_are_refused_with_the_entry_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let manifest = real_manifest();
    // No manifest.
    let p = write(d, "nomanifest.apk", &zip_bytes(&[stored("classes.dex", b"dex")]));
    let e = read_apk(&p).expect_err("no manifest");
    assert!(matches!(e, AppBuildError::Invalid { .. }), "{e}");
    // A manifest that is text XML, not compiled.
    let p = write(
        d,
        "textmanifest.apk",
        &zip_bytes(&[stored("AndroidManifest.xml", b"<manifest/>")]),
    );
    let e = read_apk(&p).expect_err("text manifest");
    assert!(matches!(e, AppBuildError::Axml { .. }), "{e}");
    assert!(e.to_string().contains("textmanifest.apk!/AndroidManifest.xml"), "{e}");
    // The manifest names an NSC but the APK has no resources.arsc.
    let p = write(d, "noarsc.apk", &zip_bytes(&[stored("AndroidManifest.xml", &manifest)]));
    let e = read_apk(&p).expect_err("no arsc");
    assert!(e.to_string().contains("no resources.arsc"), "{e}");
    // A garbage resources.arsc.
    let p = write(
        d,
        "badarsc.apk",
        &zip_bytes(&[
            stored("AndroidManifest.xml", &manifest),
            stored("resources.arsc", b"\x02\x00\x0c\x00"),
        ]),
    );
    let e = read_apk(&p).expect_err("bad arsc");
    assert!(matches!(e, AppBuildError::Arsc { .. }), "{e}");
    // Two app bundles in one IPA.
    let plist = b"<plist><dict/></plist>";
    let p = write(
        d,
        "two.ipa",
        &zip_bytes(&[
            stored("Payload/A.app/Info.plist", plist),
            stored("Payload/B.app/Info.plist", plist),
        ]),
    );
    let e = read_ipa(&p).expect_err("two apps");
    assert!(e.to_string().contains("2 app bundles"), "{e}");
    // No bundle at all; a plist that is not one.
    let p = write(d, "none.ipa", &zip_bytes(&[stored("Payload/readme.txt", b"x")]));
    assert!(matches!(read_ipa(&p), Err(AppBuildError::Invalid { .. })));
    let p = write(
        d,
        "badplist.ipa",
        &zip_bytes(&[stored("Payload/A.app/Info.plist", b"bplist00\xff")]),
    );
    let e = read_ipa(&p).expect_err("bad plist");
    assert!(
        e.to_string()
            .contains("badplist.ipa!/Payload/A.app/Info.plist: not a valid plist"),
        "{e}"
    );
}

#[test]
fn inspect_prints_the_build_and_json() {
    let text = strata::appbuild::inspect::inspect(&fixture("insecure.apk"), false).expect("inspect");
    assert!(text.contains("com.example.insecure"), "{text}");
    assert!(text.contains(&cert_digest("rsa.pem")), "{text}");
    assert!(text.contains("<certificates src=\"@raw/extra_ca\""), "{text}");
    let json = strata::appbuild::inspect::inspect(&fixture("hardened.apk"), true).expect("inspect --json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["kind"], "apk");
    assert_eq!(v["target_sdk"], 34);
    assert_eq!(v["signing"][1]["scheme"], "V2");
    let json = strata::appbuild::inspect::inspect(&fixture("sample-ios.ipa"), true).expect("inspect --json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["kind"], "ipa");
    assert_eq!(v["bundle_id"], "example.acme.pay");
    assert!(
        v["info_plist_xml"]
            .as_str()
            .is_some_and(|x| x.contains("NSPinnedDomains"))
    );
}

#[test]
fn strata_inspect_exits_0_on_a_build_and_2_with_one_line_on_bad_input() {
    let bin = env!("CARGO_BIN_EXE_strata");
    let ok = std::process::Command::new(bin)
        .arg("inspect")
        .arg(fixture("insecure.apk"))
        .output()
        .expect("runs");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(out.contains("debuggable:            true"), "{out}");
    let json = std::process::Command::new(bin)
        .args(["inspect", "--json"])
        .arg(fixture("insecure.ipa"))
        .output()
        .expect("runs");
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["app"], "Payload/Insecure.app");
    for bad in [
        root().join("Cargo.toml"),
        PathBuf::from("/dev/zero"),
        root().join("tests"),
    ] {
        let run = std::process::Command::new(bin)
            .arg("inspect")
            .arg(&bad)
            .output()
            .expect("runs");
        assert_eq!(run.status.code(), Some(2), "{}", bad.display());
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.starts_with("strata: ") && err.contains(&bad.display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn an_archive_of_65000_entries_is_read_to_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut entries = vec![stored("AndroidManifest.xml", &real_manifest())];
    entries.extend((0..65_000).map(|i| stored(&format!("assets/{i:05}"), b"")));
    let p = write(dir.path(), "many.apk", &zip_bytes(&entries));
    // The manifest names an NSC and there is no resources.arsc: refused,
    // after the whole directory has been scanned and checked. (How long it
    // takes is measured, not asserted: a rescan per entry would make this
    // test visibly slow.)
    let t = std::time::Instant::now();
    let e = read_apk(&p).expect_err("no resources.arsc");
    assert!(e.to_string().contains("no resources.arsc"), "{e}");
    eprintln!("65,000-entry archive read in {:?}", t.elapsed());
}
