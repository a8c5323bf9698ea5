//! The one list of probes. Adding a probe is its own file plus one line
//! here: the runner, the rule loader (`needs` values) and the fact model
//! (rule variables) all derive what they know from this list.

use super::EndpointProbe;
use std::sync::{Arc, LazyLock};

static PROBES: LazyLock<Vec<Arc<dyn EndpointProbe>>> = LazyLock::new(|| {
    vec![
        Arc::new(super::tls::TlsProbe),
        Arc::new(super::cleartext::CleartextProbe),
        Arc::new(super::legacy_probe::LegacyProbe),
        Arc::new(super::tls_suites_probe::TlsSuitesProbe),
        Arc::new(super::revocation::RevocationProbe),
        Arc::new(super::mtls::MtlsProbe),
        Arc::new(super::enrollment::EnrollmentProbe),
        Arc::new(super::signing::SigningProbe),
        Arc::new(super::auth::AuthProbe),
        Arc::new(super::rate_limit::RateLimitProbe),
        Arc::new(super::surface::SurfaceProbe),
        Arc::new(super::vulns_probe::HeartbleedProbe),
        Arc::new(super::vulns_probe::CcsInjectionProbe),
        Arc::new(super::vulns_probe::RobotProbe),
        Arc::new(super::vulns_probe::RenegotiationProbe),
        Arc::new(super::vulns_probe::ResumptionProbe),
    ]
});

static KINDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut kinds: Vec<&'static str> = Vec::new();
    for p in PROBES.iter() {
        for k in p.evidence_kinds() {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    kinds
});

/// Every probe, in run order.
pub fn probes() -> &'static [Arc<dyn EndpointProbe>] {
    &PROBES
}

/// Every evidence kind an endpoint can have, in probe order (`tls`, `http`,
/// then one per layer probe). Rules name these in `needs`; each is a rule
/// variable of an endpoint.
pub fn evidence_kinds() -> &'static [&'static str] {
    &KINDS
}

/// The evidence kinds recorded as JSON in `EndpointEvidence::layers`
/// (all but the typed `tls` and `http`).
pub fn layer_kinds() -> impl Iterator<Item = &'static str> {
    evidence_kinds()
        .iter()
        .copied()
        .filter(|k| !matches!(*k, "tls" | "http"))
}

/// The probe with this name.
pub fn by_name(name: &str) -> Option<&'static Arc<dyn EndpointProbe>> {
    PROBES.iter().find(|p| p.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_kinds_are_unique_and_complete() {
        let mut names: Vec<&str> = probes().iter().map(|p| p.name()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate probe names: {names:?}");
        assert_eq!(
            evidence_kinds(),
            &[
                "tls",
                "http",
                "legacy",
                "tls_suites",
                "revocation",
                "mtls",
                "enrollment",
                "signing",
                "auth",
                "rate_limit",
                "surface",
                "heartbleed",
                "ccs_injection",
                "robot",
                "renegotiation",
                "resumption"
            ]
        );
        assert!(layer_kinds().all(|k| by_name(k).is_some()));
    }
}
