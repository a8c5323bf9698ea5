//! Mozilla's server-side TLS profiles (modern, intermediate, old), as
//! published in the configuration generator's guidelines version 5.7
//! (`ssl-config.mozilla.org`, `guidelines/5.7.json`), written here as data,
//! and the server-side part of a compliance check in the manner of sslyze's
//! `--mozilla_config`: protocols, TLS ≤ 1.2 suites, TLS 1.3 suites, groups
//! and DH size. The certificate-key part is judged by the rules
//! (`rulesets/tls-suites.yaml`) from the `tls` evidence.

use super::enumerate::Enumeration;
use super::tls_suites;
use serde_json::{Value, json};

/// One Mozilla profile.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// `modern`, `intermediate` or `old`.
    pub name: &'static str,
    /// Allowed protocol versions (our labels).
    pub versions: &'static [&'static str],
    /// Allowed TLS ≤ 1.2 suites (IANA names).
    pub suites: &'static [&'static str],
    /// Allowed TLS 1.3 suites.
    pub tls13_suites: &'static [&'static str],
    /// Allowed groups (IANA names: X25519 = x25519, prime256v1 = secp256r1).
    pub groups: &'static [&'static str],
    /// Smallest DH prime allowed; `None`: DHE not part of the profile.
    pub dh_bits: Option<u32>,
    /// Certificate key types allowed (`RSA`, `EC`).
    pub certificate_types: &'static [&'static str],
    /// Smallest RSA key allowed.
    pub rsa_bits: Option<u32>,
}

const TLS13: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];
const GROUPS: &[&str] = &["x25519", "secp256r1", "secp384r1"];

/// The three profiles of guidelines 5.7.
pub const PROFILES: [Profile; 3] = [
    Profile {
        name: "modern",
        versions: &["TLS 1.3"],
        suites: &[],
        tls13_suites: TLS13,
        groups: GROUPS,
        dh_bits: None,
        certificate_types: &["EC"],
        rsa_bits: None,
    },
    Profile {
        name: "intermediate",
        versions: &["TLS 1.2", "TLS 1.3"],
        suites: &[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ],
        tls13_suites: TLS13,
        groups: GROUPS,
        dh_bits: Some(2048),
        certificate_types: &["EC", "RSA"],
        rsa_bits: Some(2048),
    },
    Profile {
        name: "old",
        versions: &["TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"],
        suites: &[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        ],
        tls13_suites: TLS13,
        groups: GROUPS,
        dh_bits: Some(1024),
        certificate_types: &["RSA"],
        rsa_bits: Some(2048),
    },
];

/// A list for a message: the first few, then how many more.
fn some(items: &[String]) -> String {
    const SHOWN: usize = 4;
    let head = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        format!("{head} and {} more", items.len() - SHOWN)
    } else {
        head
    }
}

/// What keeps the server out of `profile` (empty: compliant, as far as the
/// server's protocols, suites, groups and DH size go).
pub fn problems(found: &Enumeration, profile: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    let mut versions: Vec<&str> = Vec::new();
    if found.ssl2.as_ref().is_some_and(|s| s.accepted) {
        versions.push("SSL 2.0");
    }
    versions.extend(found.versions.iter().map(|v| v.version.label()));
    if !found.tls13_suites.is_empty() {
        versions.push("TLS 1.3");
    }
    let extra: Vec<String> = versions
        .iter()
        .filter(|v| !profile.versions.contains(v))
        .map(|v| v.to_string())
        .collect();
    if !extra.is_empty() {
        out.push(format!("accepts {} (not in the profile)", extra.join(", ")));
    }
    let mut suites: Vec<String> = Vec::new();
    for v in &found.versions {
        for id in &v.suites {
            let name = tls_suites::name(*id)
                .map(str::to_string)
                .unwrap_or_else(|| format!("0x{id:04X}"));
            if !profile.suites.contains(&name.as_str()) && !suites.contains(&name) {
                suites.push(name);
            }
        }
    }
    for id in &found.tls13_suites {
        let name = tls_suites::name(*id).unwrap_or("unknown");
        if !profile.tls13_suites.contains(&name) && !suites.iter().any(|s| s == name) {
            suites.push(name.to_string());
        }
    }
    if !suites.is_empty() {
        out.push(format!(
            "accepts {} suite(s) outside the profile: {}",
            suites.len(),
            some(&suites)
        ));
    }
    let mut groups: Vec<String> = Vec::new();
    for id in found
        .tls13_groups
        .iter()
        .flatten()
        .chain(found.ecdhe_groups.iter().flatten())
    {
        let name = tls_suites::group_by_id(*id)
            .map(|g| g.name.to_string())
            .unwrap_or_else(|| format!("0x{id:04X}"));
        if !profile.groups.contains(&name.as_str()) && !groups.contains(&name) {
            groups.push(name);
        }
    }
    if !groups.is_empty() {
        out.push(format!("accepts group(s) outside the profile: {}", some(&groups)));
    }
    if let (Some(dhe), Some(min)) = (&found.dhe, profile.dh_bits)
        && dhe.bits < min
    {
        out.push(format!("DHE with a {}-bit prime (the profile wants {min})", dhe.bits));
    }
    if !found.complete {
        out.push("the enumeration did not finish, so compliance cannot be shown".into());
    }
    out
}

/// Every profile judged: `{modern: {compliant, problems}, ...}`.
pub fn judge(found: &Enumeration) -> Value {
    let mut map = serde_json::Map::new();
    for profile in &PROFILES {
        let problems = problems(found, profile);
        map.insert(
            profile.name.to_string(),
            json!({"compliant": problems.is_empty(), "problems": problems}),
        );
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::enumerate::{Preference, VersionSuites};
    use crate::probe::legacy::LegacyVersion;

    fn enumeration(v12: &[u16], tls13: &[u16], groups: &[u16]) -> Enumeration {
        Enumeration {
            versions: vec![VersionSuites {
                version: LegacyVersion::Tls1_2,
                suites: v12.to_vec(),
                preference: Preference::Server,
                chunked: false,
            }],
            tls13_suites: tls13.to_vec(),
            tls13_preference: Preference::Unknown,
            tls13_groups: Some(groups.to_vec()),
            ecdhe_groups: None,
            dhe: None,
            signature_schemes: None,
            ssl2: None,
            hellos: 10,
            suites_tested: 357,
            tls_spoken: true,
            complete: true,
            notes: Vec::new(),
        }
    }

    #[test]
    fn an_intermediate_server_is_intermediate_and_old_but_not_modern() {
        let found = enumeration(&[0xC02F, 0xC030, 0xCCA8], &[0x1301, 0x1302, 0x1303], &[0x001D, 0x0017]);
        let verdict = judge(&found);
        assert_eq!(verdict["intermediate"]["compliant"], true, "{verdict}");
        // Compliance is "nothing outside the profile", so old allows it.
        assert_eq!(verdict["old"]["compliant"], true, "{verdict}");
        assert_eq!(verdict["modern"]["compliant"], false, "{verdict}");
        let listed = verdict["modern"]["problems"].to_string();
        assert!(listed.contains("TLS 1.2"), "{listed}");
        // A CBC suite takes it out of intermediate; a weak curve too.
        let found = enumeration(&[0xC02F, 0xC013], &[0x1301], &[0x0013]);
        let p = problems(&found, &PROFILES[1]);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), "{p:?}");
        assert!(p[1].contains("secp192r1"), "{p:?}");
    }
}
