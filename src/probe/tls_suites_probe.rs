//! The `tls_suites` probe: the full cipher-suite enumeration
//! ([`super::enumerate`]) of an https endpoint, turned into facts for the
//! rules of `rulesets/tls-suites.yaml`: the accepted suites per version,
//! the server's preference, groups, DHE size, signature schemes, SSL 2.0,
//! the classic attack names (POODLE, BEAST, SWEET32, FREAK, Logjam, RC4,
//! NULL/anonymous) and the Mozilla server-side TLS profiles
//! ([`super::mozilla`]).

use super::enumerate::{self, Enumeration, Preference};
use super::legacy::LegacyVersion;
use super::tls_suites::{self, Kx};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::{Endpoint, EndpointTarget, Scheme};
use serde_json::{Value, json};
use std::time::Duration;

/// The enumeration makes many connections one after another, so its
/// budget is this many times the run's per-probe limit (`--timeout`; 80 s
/// with the default 20 s). Stages stop at the deadline and keep what they
/// saw (`complete: false`).
pub const BUDGET_FACTOR: u32 = 4;

/// Enumerates the suites of an https endpoint.
pub struct TlsSuitesProbe;

impl EndpointProbe for TlsSuitesProbe {
    fn name(&self) -> &'static str {
        "tls_suites"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, target: &EndpointTarget, _decl: &Endpoint) -> bool {
        target.scheme == Scheme::Https
    }

    fn time_budget(&self, configured: Duration) -> Duration {
        configured.saturating_mul(BUDGET_FACTOR)
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        _decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(async move {
            let addr = super::tls::resolve(target, cx).await?;
            let sni = (target.server_name.parse::<std::net::IpAddr>().is_err()).then_some(target.server_name.as_str());
            let limits = enumerate::Limits {
                io_timeout: cx.io_timeout,
                ..enumerate::Limits::default()
            };
            let found = enumerate::enumerate(addr, sni, limits)
                .await
                .map_err(|e| ProbeFailure::new("connect", e))?;
            if !found.tls_spoken {
                return Err(ProbeFailure::new(
                    "handshake",
                    format!(
                        "no hello of {} got a TLS answer (a ServerHello or an alert), so the port does not speak TLS{}",
                        found.hellos,
                        found.notes.first().map(|n| format!(" ({n})")).unwrap_or_default()
                    ),
                ));
            }
            Ok(facts(&found))
        })
    }

    fn summary(&self, observed: &Value) -> String {
        format!(
            "{} suites tested in {} hellos",
            observed["suites_tested"], observed["hellos"]
        )
    }
}

fn preference(p: Preference) -> &'static str {
    match p {
        Preference::Server => "server",
        Preference::Client => "client",
        Preference::Unknown => "unknown",
    }
}

fn group_names(ids: &[u16]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            tls_suites::group_by_id(*id)
                .map(|g| g.name.to_string())
                .unwrap_or_else(|| format!("0x{id:04X}"))
        })
        .collect()
}

/// Suite names matching `pred` at versions matching `at`, deduplicated.
fn names_where(
    found: &Enumeration,
    at: impl Fn(LegacyVersion) -> bool,
    pred: impl Fn(&tls_suites::Suite) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in found.versions.iter().filter(|v| at(v.version)) {
        for s in v.suites.iter().filter_map(|id| tls_suites::suite(*id)) {
            if pred(s) && !out.iter().any(|n| n == s.name) {
                out.push(s.name.to_string());
            }
        }
    }
    out
}

/// The facts of an enumeration (`docs/probes/tls_suites.md`).
pub fn facts(found: &Enumeration) -> Value {
    let versions: Vec<Value> = found
        .versions
        .iter()
        .map(|v| {
            json!({
                "version": v.version.label(),
                "suites": v.suites.iter().map(|id| tls_suites::name(*id).map(str::to_string).unwrap_or_else(|| format!("0x{id:04X}"))).collect::<Vec<_>>(),
                "preference": preference(v.preference),
                "chunked": v.chunked,
            })
        })
        .collect();
    let accepted: Vec<Value> = found
        .versions
        .iter()
        .flat_map(|v| v.suites.iter().map(move |id| (v.version, *id)))
        .filter_map(|(version, id)| tls_suites::suite(id).map(|s| (version, s)))
        .map(|(version, s)| {
            json!({
                "version": version.label(),
                "id": format!("0x{:04X}", s.id),
                "name": s.name,
                "openssl": s.openssl,
                "kx": s.kx,
                "auth": s.auth,
                "cipher": s.cipher,
                "bits": s.bits,
                "mac": s.mac,
                "export": s.export,
                "forward_secret": s.forward_secret(),
                "cbc": s.cipher.cbc(),
                "block64": s.cipher.block64(),
                "aead": s.cipher.aead(),
                "anonymous": s.anonymous(),
            })
        })
        .collect();
    let mut protocols: Vec<&str> = Vec::new();
    if found.ssl2.as_ref().is_some_and(|s| s.accepted) {
        protocols.push("SSL 2.0");
    }
    protocols.extend(found.versions.iter().map(|v| v.version.label()));
    if !found.tls13_suites.is_empty() {
        protocols.push("TLS 1.3");
    }
    // Server preference over every version (TLS 1.3 included) with a
    // choice: true when each enforces the server's order, false when one
    // follows the client, null when none could tell.
    let prefs: Vec<Preference> = found
        .versions
        .iter()
        .map(|v| v.preference)
        .chain(std::iter::once(found.tls13_preference))
        .filter(|p| *p != Preference::Unknown)
        .collect();
    let server_preference = if prefs.is_empty() {
        Value::Null
    } else {
        json!(prefs.iter().all(|p| *p == Preference::Server))
    };
    let all = |_: LegacyVersion| true;
    let weak_groups: Vec<String> = {
        let mut ids: Vec<u16> = found.tls13_groups.iter().flatten().copied().collect();
        ids.extend(found.ecdhe_groups.iter().flatten().copied());
        ids.sort_unstable();
        ids.dedup();
        group_names(
            &ids.into_iter()
                .filter(|id| tls_suites::weak_group(*id))
                .collect::<Vec<_>>(),
        )
    };
    let mozilla = super::mozilla::judge(found);
    json!({
        "complete": found.complete,
        "notes": found.notes,
        "hellos": found.hellos,
        "suites_tested": found.suites_tested,
        "protocols": protocols,
        "versions": versions,
        "accepted": accepted,
        "tls13_suites": found.tls13_suites.iter().filter_map(|id| tls_suites::name(*id)).collect::<Vec<_>>(),
        "tls13_preference": preference(found.tls13_preference),
        "server_preference": server_preference,
        "tls13_groups": found.tls13_groups.as_deref().map(group_names),
        "ecdhe_groups": found.ecdhe_groups.as_deref().map(group_names),
        "weak_groups": weak_groups,
        "dhe_bits": found.dhe.as_ref().map(|d| d.bits),
        "dhe_prime": found.dhe.as_ref().and_then(|d| d.prime),
        "dhe_suite": found.dhe.as_ref().and_then(|d| tls_suites::name(d.suite)),
        "signature_schemes": found.signature_schemes.as_ref().map(|ids| ids.iter().map(|id| tls_suites::signature_scheme_name(*id).map(str::to_string).unwrap_or_else(|| format!("0x{id:04X}"))).collect::<Vec<_>>()),
        "ssl2": found.ssl2.as_ref().map(|s| s.accepted),
        "ssl2_ciphers": found.ssl2.as_ref().map(|s| s.ciphers.iter().map(|c| format!("0x{c:06X}")).collect::<Vec<_>>()).unwrap_or_default(),
        "poodle": names_where(found, |v| v == LegacyVersion::Ssl3, |s| s.cipher.cbc()),
        "beast": names_where(found, |v| v == LegacyVersion::Tls1_0, |s| s.cipher.cbc()),
        "sweet32": names_where(found, all, |s| s.cipher.block64()),
        "rc4": names_where(found, all, |s| s.cipher == tls_suites::Cipher::Rc4),
        "rsa_export": names_where(found, all, |s| s.kx == Kx::RsaExport),
        "dhe_export": names_where(found, all, |s| s.kx == Kx::DheExport),
        "export": names_where(found, all, |s| s.export),
        "null_cipher": names_where(found, all, |s| s.cipher == tls_suites::Cipher::Null),
        "anonymous": names_where(found, all, |s| s.anonymous()),
        "no_forward_secrecy": names_where(found, all, |s| !s.forward_secret() && !s.anonymous() && s.cipher != tls_suites::Cipher::Null),
        "mozilla": mozilla,
    })
}

/// The shape of this probe's evidence (`docs/probes/tls_suites.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    let strings = || Shape::list(Shape::String);
    let profile = || Shape::object([("compliant", Shape::Bool), ("problems", strings())]);
    Shape::object([
        ("complete", Shape::Bool),
        ("notes", strings()),
        ("hellos", Shape::Int),
        ("suites_tested", Shape::Int),
        ("protocols", strings()),
        (
            "versions",
            Shape::list(Shape::object([
                ("version", Shape::String),
                ("suites", strings()),
                ("preference", Shape::String),
                ("chunked", Shape::Bool),
            ])),
        ),
        (
            "accepted",
            Shape::list(Shape::object([
                ("version", Shape::String),
                ("id", Shape::String),
                ("name", Shape::String),
                ("openssl", Shape::String),
                ("kx", Shape::String),
                ("auth", Shape::String),
                ("cipher", Shape::String),
                ("bits", Shape::Int),
                ("mac", Shape::String),
                ("export", Shape::Bool),
                ("forward_secret", Shape::Bool),
                ("cbc", Shape::Bool),
                ("block64", Shape::Bool),
                ("aead", Shape::Bool),
                ("anonymous", Shape::Bool),
            ])),
        ),
        ("tls13_suites", strings()),
        ("tls13_preference", Shape::String),
        ("server_preference", Shape::nullable(Shape::Bool)),
        ("tls13_groups", Shape::nullable(strings())),
        ("ecdhe_groups", Shape::nullable(strings())),
        ("weak_groups", strings()),
        ("dhe_bits", Shape::nullable(Shape::Int)),
        ("dhe_prime", Shape::nullable(Shape::String)),
        ("dhe_suite", Shape::nullable(Shape::String)),
        ("signature_schemes", Shape::nullable(strings())),
        ("ssl2", Shape::nullable(Shape::Bool)),
        ("ssl2_ciphers", strings()),
        ("poodle", strings()),
        ("beast", strings()),
        ("sweet32", strings()),
        ("rc4", strings()),
        ("rsa_export", strings()),
        ("dhe_export", strings()),
        ("export", strings()),
        ("null_cipher", strings()),
        ("anonymous", strings()),
        ("no_forward_secrecy", strings()),
        (
            "mozilla",
            Shape::object([("modern", profile()), ("intermediate", profile()), ("old", profile())]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::enumerate::{DheParams, Ssl2, VersionSuites};

    fn enumeration() -> Enumeration {
        Enumeration {
            versions: vec![
                VersionSuites {
                    version: LegacyVersion::Ssl3,
                    suites: vec![0x002F, 0x0005],
                    preference: Preference::Client,
                    chunked: false,
                },
                VersionSuites {
                    version: LegacyVersion::Tls1_0,
                    suites: vec![0x000A, 0x0003, 0x0018],
                    preference: Preference::Server,
                    chunked: false,
                },
            ],
            tls13_suites: Vec::new(),
            tls13_preference: Preference::Unknown,
            tls13_groups: None,
            ecdhe_groups: Some(vec![0x0017, 0x0013]),
            dhe: Some(DheParams {
                suite: 0x0033,
                bits: 1024,
                prime: Some("RFC 2409 Oakley group 2"),
            }),
            signature_schemes: None,
            ssl2: Some(Ssl2 {
                accepted: true,
                ciphers: vec![0x0700C0],
            }),
            hellos: 12,
            suites_tested: 352,
            tls_spoken: true,
            complete: true,
            notes: Vec::new(),
        }
    }

    #[test]
    fn facts_name_each_classic_weakness_and_conform_to_the_shape() {
        let facts = facts(&enumeration());
        assert_eq!(facts["poodle"], json!(["TLS_RSA_WITH_AES_128_CBC_SHA"]));
        assert_eq!(facts["beast"], json!(["TLS_RSA_WITH_3DES_EDE_CBC_SHA"]));
        assert_eq!(facts["sweet32"], json!(["TLS_RSA_WITH_3DES_EDE_CBC_SHA"]));
        assert_eq!(facts["rc4"].as_array().map(Vec::len), Some(3), "{facts}");
        assert_eq!(facts["rsa_export"], json!(["TLS_RSA_EXPORT_WITH_RC4_40_MD5"]));
        assert_eq!(facts["anonymous"], json!(["TLS_DH_anon_WITH_RC4_128_MD5"]));
        assert_eq!(facts["weak_groups"], json!(["secp192r1"]));
        assert_eq!(facts["ssl2"], json!(true));
        assert_eq!(facts["protocols"], json!(["SSL 2.0", "SSL 3.0", "TLS 1.0"]));
        // One version follows the client: no server preference overall.
        assert_eq!(facts["server_preference"], json!(false));
        assert_eq!(facts["dhe_bits"], json!(1024));
        assert_eq!(facts["mozilla"]["old"]["compliant"], json!(false));
        let shape = facts_shape();
        let fields = shape.fields().cloned().unwrap_or_default();
        let keys: Vec<&String> = facts.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(keys.len(), fields.len(), "{keys:?}");
        for k in keys {
            assert!(fields.contains_key(k.as_str()), "`{k}` is not in the shape");
        }
    }
}
