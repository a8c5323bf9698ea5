//! The suite enumeration against real `openssl s_server` peers, with
//! OpenSSL itself as the oracle: the suites a server accepts at a version
//! are what `openssl ciphers -V -s -<version> '<the server's cipher
//! string>'` lists, less the suites no RSA-certificate server without PSK,
//! SRP or GOST set-up can negotiate (ECDSA/DSS authentication, PSK, SRP,
//! GOST, static DH/ECDH). With `-serverpref` the order must be OpenSSL's
//! order too. Our suite table is not consulted for the expectations.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use strata::probe::enumerate::{Enumeration, Limits, Preference, enumerate};
use strata::probe::legacy::LegacyVersion;

/// The openssl binary; these tests must not pass silently without it.
fn openssl() -> PathBuf {
    let known = Path::new("/usr/bin/openssl");
    if known.is_file() {
        return known.to_path_buf();
    }
    panic!("the `openssl` command (/usr/bin/openssl) is required for the suite-enumeration tests")
}

/// A running `openssl s_server`, killed (and its files removed) on drop.
struct Server {
    child: Option<Child>,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The 1024-bit RFC 2409 Oakley group 2, as `-dhparam` takes it.
const OAKLEY2: &str = "-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
";

impl Server {
    /// `openssl s_server -www` on a free loopback port with a fresh RSA-2048
    /// certificate and `args`; `{dir}` in an argument is the server's
    /// directory (which holds `oakley2.pem`).
    fn start(args: &[&str]) -> Server {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "strata-suites-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("oakley2.pem"), OAKLEY2).expect("dhparam");
        let mut server = Server {
            child: None,
            dir: dir.clone(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        strata::lab::openssl::self_signed_rsa(&cert, &key, "suites.test", 2).unwrap_or_else(|e| panic!("{e}"));
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{dir}", &dir.display().to_string()))
            .collect();
        let mut full: Vec<std::ffi::OsString> = vec![
            "-www".into(),
            "-quiet".into(),
            "-cert".into(),
            cert.into(),
            "-key".into(),
            key.into(),
        ];
        full.extend(args.iter().map(std::ffi::OsString::from));
        let log_path = dir.join("s_server.log");
        let started = strata::lab::openssl::start_s_server(&openssl(), &full, &mut || {
            let log = std::fs::File::create(&log_path).expect("log");
            (
                Stdio::null(),
                Stdio::from(log.try_clone().expect("log")),
                Stdio::from(log),
            )
        });
        match started {
            Ok((child, addr)) => {
                server.child = Some(child);
                server.addr = addr;
                server
            }
            Err(e) => {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("{e}:\n{log}");
            }
        }
    }
}

/// What OpenSSL says a server with cipher string `spec` accepts at
/// `version` (`-tls1`, `-tls1_1`, `-tls1_2`), in its preference order:
/// (id, OpenSSL name), less what an RSA-certificate server without PSK,
/// SRP or GOST set-up cannot negotiate.
fn oracle(spec: &str, version: &str) -> Vec<(u16, String)> {
    let out = Command::new(openssl())
        .args(["ciphers", "-V", "-s", version, spec])
        .output()
        .expect("openssl ciphers");
    if !out.status.success() {
        return Vec::new(); // "no cipher match"
    }
    let mut suites = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [id, _, name, proto, kx, au, ..] = fields.as_slice() else {
            continue;
        };
        if *proto == "TLSv1.3" {
            continue;
        }
        let kx = kx.trim_start_matches("Kx=");
        let au = au.trim_start_matches("Au=");
        if !matches!(au, "RSA" | "None") || !matches!(kx, "RSA" | "DH" | "ECDH") {
            continue;
        }
        let bytes: Vec<u8> = id
            .split(',')
            .filter_map(|b| u8::from_str_radix(b.trim().trim_start_matches("0x"), 16).ok())
            .collect();
        if let [hi, lo] = bytes.as_slice() {
            suites.push((u16::from_be_bytes([*hi, *lo]), name.to_string()));
        }
    }
    suites
}

fn version_suites(found: &Enumeration, version: LegacyVersion) -> Vec<u16> {
    found
        .versions
        .iter()
        .find(|v| v.version == version)
        .map(|v| v.suites.clone())
        .unwrap_or_default()
}

async fn run(server: &Server) -> Enumeration {
    let limits = Limits {
        max_hellos: 600,
        io_timeout: Duration::from_secs(5),
    };
    match enumerate(server.addr, Some("suites.test"), limits).await {
        Ok(found) => found,
        Err(e) => panic!("enumeration failed: {e}"),
    }
}

const EVERYTHING: &str = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

#[tokio::test]
async fn every_suite_of_a_legacy_server_is_found_in_the_servers_order() {
    let server = Server::start(&["-cipher", EVERYTHING, "-serverpref", "-no_tls1_3"]);
    let found = run(&server).await;
    let report = format!("{found:#?}");
    assert!(found.complete && found.tls_spoken, "{report}");
    for (version, flag) in [
        (LegacyVersion::Tls1_0, "-tls1"),
        (LegacyVersion::Tls1_1, "-tls1_1"),
        (LegacyVersion::Tls1_2, "-tls1_2"),
    ] {
        let expected: Vec<u16> = oracle(EVERYTHING, flag).iter().map(|(id, _)| *id).collect();
        assert!(expected.len() >= 10, "the oracle lists {expected:?}");
        let got = version_suites(&found, version);
        // Exactly OpenSSL's list, in OpenSSL's (the server's) order.
        assert_eq!(got, expected, "{}: {report}", version.label());
        let v = found.versions.iter().find(|v| v.version == version).expect("version");
        assert_eq!(v.preference, Preference::Server, "{report}");
        assert!(!v.chunked, "{report}");
    }
    assert!(version_suites(&found, LegacyVersion::Ssl3).is_empty(), "{report}");
    assert!(found.tls13_suites.is_empty(), "{report}");
    assert_eq!(found.ssl2.as_ref().map(|s| s.accepted), Some(false), "{report}");
    // (accepted + 1) hellos per accepted version, one per refused version,
    // one preference hello per version, plus the group/DHE/sigalg/SSLv2
    // stages: well under the limit.
    let accepted: usize = found.versions.iter().map(|v| v.suites.len()).sum();
    let versions = found.versions.len();
    let groups = strata::probe::tls_suites::GROUPS.iter().filter(|g| !g.ffdhe).count();
    let sigalgs = strata::probe::tls_suites::SIGNATURE_SCHEMES.len();
    let dhe = version_suites(&found, LegacyVersion::Tls1_2)
        .iter()
        .filter(|id| strata::probe::tls_suites::suite(**id).is_some_and(|s| s.dhe()))
        .count()
        .min(32);
    let expected_hellos = accepted + versions + 1 + versions + 1 + 1 + dhe + groups + sigalgs;
    eprintln!(
        "{accepted} suites over {versions} versions in {} hellos; {} suites tested",
        found.hellos, found.suites_tested
    );
    assert_eq!(found.hellos, expected_hellos, "{report}");
    assert!(found.suites_tested >= 352, "{report}");
}

#[tokio::test]
async fn client_order_is_recognised() {
    let spec = "AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0";
    let server = Server::start(&["-cipher", spec, "-no_tls1_3", "-no_tls1", "-no_tls1_1"]);
    let found = run(&server).await;
    let report = format!("{found:#?}");
    let got: BTreeSet<u16> = version_suites(&found, LegacyVersion::Tls1_2).into_iter().collect();
    let expected: BTreeSet<u16> = oracle(spec, "-tls1_2").into_iter().map(|(id, _)| id).collect();
    assert_eq!(got, expected, "{report}");
    assert_eq!(found.versions.len(), 1, "{report}");
    assert_eq!(found.versions[0].preference, Preference::Client, "{report}");
}

#[tokio::test]
async fn tls13_suites_groups_and_preference() {
    let server = Server::start(&[
        "-no_tls1",
        "-no_tls1_1",
        "-no_tls1_2",
        "-ciphersuites",
        "TLS_AES_256_GCM_SHA384:TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256",
        "-serverpref",
        "-groups",
        "X25519:secp384r1:ffdhe3072",
    ]);
    let found = run(&server).await;
    let report = format!("{found:#?}");
    assert!(found.versions.is_empty(), "{report}");
    assert_eq!(found.tls13_suites, vec![0x1302, 0x1304, 0x1301], "{report}");
    assert_eq!(found.tls13_preference, Preference::Server, "{report}");
    let groups: BTreeSet<u16> = found.tls13_groups.clone().unwrap_or_default().into_iter().collect();
    assert_eq!(groups, BTreeSet::from([0x001D, 0x0018, 0x0101]), "{report}");
    assert!(found.complete, "{report}");
}

#[tokio::test]
async fn ecdhe_curves_and_signature_schemes_at_tls12() {
    let server = Server::start(&[
        "-no_tls1_3",
        "-cipher",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "-groups",
        "P-256:P-521",
        "-sigalgs",
        "RSA-PSS+SHA256:RSA+SHA384",
    ]);
    let found = run(&server).await;
    let report = format!("{found:#?}");
    assert_eq!(found.ecdhe_groups, Some(vec![0x0017, 0x0019]), "{report}");
    let sigalgs: BTreeSet<u16> = found
        .signature_schemes
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    assert_eq!(sigalgs, BTreeSet::from([0x0804, 0x0501]), "{report}");
}

#[tokio::test]
async fn dhe_size_and_well_known_primes() {
    let spec = "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:@SECLEVEL=0";
    let weak = Server::start(&["-no_tls1_3", "-cipher", spec, "-dhparam", "{dir}/oakley2.pem"]);
    let found = run(&weak).await;
    let dhe = found.dhe.clone().unwrap_or_else(|| panic!("no DHE seen: {found:#?}"));
    assert_eq!(dhe.bits, 1024, "{found:#?}");
    assert!(dhe.prime.is_some_and(|p| p.contains("Oakley group 2")), "{found:#?}");
    drop(weak);
    // Without -dhparam OpenSSL picks an RFC 7919 group matching the key.
    let auto = Server::start(&["-no_tls1_3", "-cipher", spec]);
    let found = run(&auto).await;
    let dhe = found.dhe.clone().unwrap_or_else(|| panic!("no DHE seen: {found:#?}"));
    assert!(dhe.bits >= 2048, "{found:#?}");
    assert!(dhe.prime.is_some(), "{found:#?}");
}

#[tokio::test]
async fn the_same_server_gives_the_same_evidence_twice() {
    let server = Server::start(&["-cipher", EVERYTHING]);
    let first = run(&server).await;
    let second = run(&server).await;
    assert_eq!(first, second);
    let facts = strata::probe::tls_suites_probe::facts(&first);
    assert_eq!(facts, strata::probe::tls_suites_probe::facts(&second));
    assert!(first.complete, "{first:#?}");
}

#[tokio::test]
async fn a_tight_budget_is_reported_not_hidden() {
    let server = Server::start(&["-cipher", EVERYTHING, "-no_tls1_3"]);
    let limits = Limits {
        max_hellos: 7,
        io_timeout: Duration::from_secs(5),
    };
    let found = enumerate(server.addr, None, limits).await.expect("enumerate");
    assert_eq!(found.hellos, 7, "{found:#?}");
    assert!(!found.complete, "{found:#?}");
    assert!(found.notes.iter().any(|n| n.contains("limit of 7")), "{found:#?}");
    let facts = strata::probe::tls_suites_probe::facts(&found);
    assert_eq!(facts["mozilla"]["old"]["compliant"], false, "{facts}");
}
