//! The fact model: what rules can see about each subject.
//!
//! Facts are plain JSON-like values computed in Rust from the model, the
//! graph and the evidence (certificate dates against the audit clock, pin
//! matching, attack paths). Each subject kind exposes a fixed set of
//! variables, whose shapes are the [fact schema](super::schema) (documented
//! in `docs/facts.md`); a rule that does not fit them is refused at load
//! time. A variable that needs live evidence is
//! absent when that evidence is missing, and the rule's `needs` list turns
//! that into "unverified" or "error" rather than a guess.

use crate::evidence::{CertInfo, Evidence, Observation, ProbeFailure, TlsEvidence};
use crate::graph::{DefenseGraph, NodeKind};
use crate::model::{Client, Component, ComponentKind, Exposure, KeyStorage, Model, ResolvedPinSet, Scheme};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Kinds of subject a rule can apply to.
pub const SUBJECT_KINDS: &[&str] = &["endpoint", "pinset", "client", "appconfig", "component", "system"];

/// State of a piece of evidence a rule may need.
#[derive(Debug, Clone, PartialEq)]
pub enum EvidenceState {
    /// Observed: its variable is present.
    Observed,
    /// Not probed.
    Missing,
    /// The probe failed on `endpoint` (the subject's own endpoint, or for a
    /// pin set the endpoint whose chain it is checked against).
    Failed {
        /// Endpoint id.
        endpoint: String,
        /// Why.
        failure: ProbeFailure,
    },
}

/// Everything about one subject.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Stable id: `kind:name`.
    pub id: String,
    /// Kind (one of [`SUBJECT_KINDS`]).
    pub kind: &'static str,
    /// Graph node this subject belongs to (for highlighting).
    pub node: Option<String>,
    /// Variables visible to rules.
    pub vars: BTreeMap<String, Value>,
    /// State of each evidence kind (`tls`, `http`, ...).
    pub evidence: BTreeMap<String, EvidenceState>,
}

const DAY: i64 = 86_400;

fn days_until(now: i64, t: i64) -> i64 {
    // Whole days, rounded toward zero: "expired 30 days ago", "7 days left".
    (t - now) / DAY
}

fn cert_facts(c: &CertInfo, now: i64) -> Value {
    json!({
        "subject": c.subject,
        "issuer": c.issuer,
        "days_left": days_until(now, c.not_after),
        "expired": now > c.not_after,
        "not_yet_valid": now < c.not_before,
        "self_issued": c.self_issued,
        "is_ca": c.is_ca,
        "key_type": c.key_type,
        "key_bits": c.key_bits,
        "weak_key": c.weak_key(),
        "signature_algorithm": c.signature_algorithm,
        "weak_signature": c.weak_signature(),
        "spki_sha256": c.spki_sha256,
    })
}

fn tls_facts(t: &TlsEvidence, now: i64) -> Value {
    let chain: Vec<Value> = t.chain.iter().map(|c| cert_facts(c, now)).collect();
    // A root's signature on itself is not checked by anyone; skip it.
    let signed: Vec<&CertInfo> = t.chain.iter().filter(|c| !(c.self_issued && c.is_ca)).collect();
    json!({
        "version": t.version,
        "cipher_suite": t.cipher_suite,
        "alpn": t.alpn,
        "trusted": t.verification.trusted,
        "trust_error": t.verification.code.clone().unwrap_or_default(),
        "trust_detail": t.verification.detail.clone().unwrap_or_default(),
        "trust_reason": super::plain::trust_reason(
            t.verification.code.as_deref().unwrap_or_default(),
            t.verification.detail.as_deref().unwrap_or_default(),
        ),
        "hostname_match": t.hostname_match,
        "chain_complete": t.chain_complete,
        "chain_ordered": t.chain_ordered,
        "chain_length": t.chain.len(),
        "leaf": chain.first().cloned().unwrap_or(Value::Null),
        "chain": chain,
        "weak_key_in_chain": t.chain.iter().any(CertInfo::weak_key),
        "weak_signature_in_chain": signed.iter().any(|c| c.weak_signature()),
        "min_key_bits": t.chain.iter().filter(|c| c.key_type == "RSA").map(|c| c.key_bits).min().unwrap_or(0),
        "chain_source": serde_json::to_value(t.chain_source).unwrap_or(Value::Null),
        "handshake_error": t.handshake_error,
    })
}

fn state<T>(o: &Observation<T>, endpoint: &str) -> EvidenceState {
    match o {
        Observation::Observed(_) => EvidenceState::Observed,
        Observation::NotProbed => EvidenceState::Missing,
        Observation::Error(f) => EvidenceState::Failed {
            endpoint: endpoint.to_string(),
            failure: f.clone(),
        },
    }
}

fn component_decl(c: &Component) -> Value {
    json!({
        "id": c.id.value,
        "kind": serde_json::to_value(c.kind).unwrap_or(Value::Null),
        "exposure": serde_json::to_value(c.exposure).unwrap_or(Value::Null),
        "enforces": c.enforces.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "sensitive": c.data.iter().any(|d| d.sensitivity >= crate::model::Sensitivity::Confidential),
        "data": c.data.iter().map(|d| json!({"name": d.name, "sensitivity": serde_json::to_value(d.sensitivity).unwrap_or(Value::Null)})).collect::<Vec<_>>(),
        "tokens": c.tokens.as_ref().map(|t| json!({
            "access_ttl_s": t.access_ttl.map(|d| d.as_secs() as i64),
            "refresh_ttl_s": t.refresh_ttl.map(|d| d.as_secs() as i64),
            "refresh_rotation": t.refresh_rotation,
            "binding": serde_json::to_value(t.binding).unwrap_or(Value::Null),
        })),
    })
}

/// What the auth servers declare about the access tokens any endpoint
/// may be handed: the longest declared lifetime (a token within it may have
/// come from any of them) and whether every one binds its tokens.
fn token_policy(model: &Model) -> Value {
    let policies: Vec<_> = model
        .arch
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::AuthServer)
        .filter_map(|c| c.tokens.as_ref())
        .collect();
    if policies.is_empty() {
        return Value::Null;
    }
    json!({
        "access_ttl_s": policies.iter().filter_map(|p| p.access_ttl).map(|d| d.as_secs() as i64).max(),
        "binding_required": policies.iter().all(|p| p.binding != crate::model::TokenBinding::None),
    })
}

fn client_decl(c: &Client, unpinned: &[String], has_pins: bool) -> Value {
    json!({
        "id": c.id.value,
        "platform": serde_json::to_value(c.platform).unwrap_or(Value::Null),
        "key_storage": serde_json::to_value(c.key_storage).unwrap_or(Value::Null),
        "hardware_keys": matches!(c.key_storage, KeyStorage::Strongbox | KeyStorage::Tee | KeyStorage::SecureEnclave),
        "attestation": serde_json::to_value(c.attestation).unwrap_or(Value::Null),
        "attestation_bound_to_csr": c.attestation_bound_to_csr,
        "request_signing": serde_json::to_value(c.request_signing).unwrap_or(Value::Null),
        "runtime_protection": c.runtime_protection,
        "embedded_api_key": c.embedded_api_key,
        "pins_declared": has_pins,
        "unpinned_hosts": unpinned,
    })
}

/// Builds every subject of an audit, in a stable order.
pub fn subjects(model: &Model, graph: &DefenseGraph, evidence: &Evidence) -> Vec<Subject> {
    let now = evidence.observed_at;
    let mut out = Vec::new();
    let empty = crate::evidence::EndpointEvidence::default();
    let token_policy = token_policy(model);

    for t in &model.endpoints {
        let ev = evidence.endpoints.get(&t.id).unwrap_or(&empty);
        let decl = model.endpoint(&t.id);
        let comp = model.component(&t.component);
        let mut pinned_by: Vec<String> = model
            .pin_sets
            .iter()
            .filter(|p| p.covers(&t.server_name))
            .map(|p| p.client.clone())
            .collect();
        pinned_by.sort();
        pinned_by.dedup();
        let mut vars = BTreeMap::new();
        vars.insert(
            "endpoint".into(),
            json!({
                "id": t.id,
                "url": t.url,
                "https": t.scheme == Scheme::Https,
                "host": t.host,
                "port": t.port,
                "server_name": t.server_name,
                "trust": if t.ca_file.is_some() { "ca-file" } else { "system" },
                "min_version": decl.map(|d| serde_json::to_value(d.tls.min_version).unwrap_or(Value::Null)),
                "hsts_expected": decl.map(|d| d.tls.hsts).unwrap_or(true),
                "expiry_warning_days": decl.map(|d| d.tls.expiry_warning_days).unwrap_or(14),
                "mtls": decl.and_then(|d| d.mtls.as_ref()).map(|m| serde_json::to_value(m.expect).unwrap_or(Value::Null)),
                "enrollment": decl.and_then(|d| d.enrollment.as_ref()).map(|e| e.path.clone()),
                "signing": decl.and_then(|d| d.signing.as_ref()).map(|s| serde_json::to_value(s.scheme).unwrap_or(Value::Null)),
                "auth": decl.and_then(|d| d.auth.as_ref()).map(|a| serde_json::to_value(a.expect).unwrap_or(Value::Null)),
                "rate_limit": decl.and_then(|d| d.rate_limit.as_ref()).map(|r| json!({"limit": r.limit, "window_s": r.window.as_secs() as i64})),
                "reaches_sensitive": graph.reaches_sensitive(&t.component),
                "pinned_by": pinned_by,
                "protected_routes": t.protected_routes.iter().map(|r| r.label()).collect::<Vec<_>>(),
                "openapi": decl.and_then(|d| d.openapi.as_ref()).map(|p| p.value.display().to_string()),
                "auth_token": decl.and_then(|d| d.auth.as_ref()).is_some_and(|a| a.token.is_some()),
                "token_policy": token_policy,
            }),
        );
        vars.insert("component".into(), comp.map(component_decl).unwrap_or(Value::Null));
        if let Observation::Observed(tls) = &ev.tls {
            vars.insert("tls".into(), tls_facts(tls, now));
        }
        if let Observation::Observed(h) = &ev.http {
            vars.insert(
                "http".into(),
                json!({
                    "status": h.status,
                    "hsts": h.hsts.is_some(),
                    "hsts_max_age": h.hsts.as_ref().map(|x| x.max_age as i64).unwrap_or(0),
                    "hsts_include_subdomains": h.hsts.as_ref().map(|x| x.include_subdomains).unwrap_or(false),
                    "headers": h.headers,
                }),
            );
        }
        let mut evs = BTreeMap::new();
        evs.insert("tls".into(), state(&ev.tls, &t.id));
        evs.insert("http".into(), state(&ev.http, &t.id));
        for kind in crate::probe::registry::layer_kinds() {
            let obs = ev.layers.get(kind).cloned().unwrap_or_default();
            if let Observation::Observed(v) = &obs {
                vars.insert(kind.to_string(), v.clone());
            }
            evs.insert(kind.to_string(), state(&obs, &t.id));
        }
        out.push(Subject {
            id: format!("endpoint:{}", t.id),
            kind: "endpoint",
            node: Some(t.component.clone()),
            vars,
            evidence: evs,
        });
    }

    // Two sets for the same client and host (say, inline and imported) get
    // distinct subjects: `#2`, `#3`... in declaration order.
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for p in &model.pin_sets {
        let n = seen.entry((p.client.clone(), p.host.clone())).or_insert(0);
        *n += 1;
        let mut subject = pinset_subject(model, evidence, p, now);
        if *n > 1 {
            subject.id = format!("{}#{n}", subject.id);
        }
        out.push(subject);
    }

    for c in &model.arch.clients {
        let my_sets: Vec<&ResolvedPinSet> = model.pin_sets.iter().filter(|p| p.client == c.id.value).collect();
        let mut unpinned: Vec<String> = c
            .calls
            .iter()
            .filter_map(|call| model.endpoints.iter().find(|e| e.id == call.value))
            .filter(|e| e.scheme == Scheme::Https && !my_sets.iter().any(|p| p.covers(&e.server_name)))
            .map(|e| e.server_name.clone())
            .collect();
        unpinned.sort();
        unpinned.dedup();
        let mut vars = BTreeMap::new();
        vars.insert("client".into(), client_decl(c, &unpinned, !my_sets.is_empty()));
        out.push(Subject {
            id: format!("client:{}", c.id.value),
            kind: "client",
            node: Some(c.id.value.clone()),
            vars,
            evidence: BTreeMap::new(),
        });
    }

    out.extend(super::app_facts::subjects(model));

    let monitored: Vec<&str> = model
        .arch
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Monitoring)
        .flat_map(|c| c.watches.iter().map(|w| w.value.as_str()))
        .collect();
    let called_by_clients: std::collections::BTreeSet<&str> = model
        .arch
        .flows
        .iter()
        .filter(|f| model.client(&f.from.value).is_some())
        .map(|f| f.to.value.as_str())
        .collect();
    for c in &model.arch.components {
        let search = graph.attack_paths(&c.id.value);
        let paths = &search.paths;
        let unauth: Vec<Value> = paths
            .iter()
            .filter(|p| !p.authenticated)
            .map(|p| json!(p.nodes.join(" -> ")))
            .collect();
        let from_clients = called_by_clients.contains(c.id.value.as_str());
        let mut vars = BTreeMap::new();
        vars.insert("component".into(), component_decl(c));
        vars.insert(
            "graph".into(),
            json!({
                "reachable_from_internet": graph.reachable_from_internet(&c.id.value),
                "paths": paths.len(),
                "unauthenticated_paths": unauth,
                "paths_truncated": search.truncated(),
                "unauthenticated_path_exists": graph.unauthenticated_path_exists(&c.id.value),
                "min_depth": graph.min_depth(&c.id.value).unwrap_or(0),
                "called_by_clients": from_clients,
                "declared_internal": c.exposure == Exposure::Internal,
                "monitored": monitored.contains(&c.id.value.as_str()),
            }),
        );
        out.push(Subject {
            id: format!("component:{}", c.id.value),
            kind: "component",
            node: Some(c.id.value.clone()),
            vars,
            evidence: BTreeMap::new(),
        });
    }

    let public: Vec<String> = graph
        .graph
        .node_indices()
        .filter(|&n| {
            matches!(graph.graph[n].kind, NodeKind::Component(_))
                && graph
                    .graph
                    .find_edge(graph.node(crate::graph::INTERNET).unwrap_or(n), n)
                    .is_some()
        })
        .map(|n| graph.graph[n].id.clone())
        .collect();
    let mut unmonitored: Vec<String> = public
        .iter()
        .filter(|p| !monitored.contains(&p.as_str()))
        .cloned()
        .collect();
    unmonitored.sort();
    let mut vars = BTreeMap::new();
    vars.insert(
        "system".into(),
        json!({
            "name": model.name(),
            "clients": model.arch.clients.len(),
            "components": model.arch.components.len(),
            "endpoints": model.endpoints.len(),
            "has_monitoring": model.arch.components.iter().any(|c| c.kind == ComponentKind::Monitoring),
            "internet_facing": public.len(),
            "unmonitored_internet_facing": unmonitored,
        }),
    );
    out.push(Subject {
        id: "system".into(),
        kind: "system",
        node: None,
        vars,
        evidence: BTreeMap::new(),
    });

    for s in &mut out {
        s.vars.insert("now".into(), json!(now));
    }
    out
}

fn pinset_subject(model: &Model, evidence: &Evidence, p: &ResolvedPinSet, now: i64) -> Subject {
    use crate::model::PinScope;
    let mut vars = BTreeMap::new();
    let expires_unix = p.expires.map(|d| d.midnight().assume_utc().unix_timestamp());
    vars.insert(
        "pinset".into(),
        json!({
            "client": p.client,
            "host": p.host,
            "include_subdomains": p.include_subdomains,
            "pins": p.pins.len(),
            "has_expiry": p.expires.is_some(),
            "leaf_scope_only": p.pins.iter().all(|x| x.scope == PinScope::Leaf),
            "expired": expires_unix.is_some_and(|e| e <= now),
            "days_to_expiry": expires_unix.map(|e| days_until(now, e)),
            "origin": p.origin,
        }),
    );
    // The live chain for this host: the first probed endpoint with that name.
    let endpoints: Vec<_> = model
        .endpoints
        .iter()
        .filter(|e| e.scheme == Scheme::Https && p.covers(&e.server_name))
        .collect();
    let mut tls_state = EvidenceState::Missing;
    let mut live: Option<&TlsEvidence> = None;
    for e in &endpoints {
        match evidence.endpoints.get(&e.id).map(|x| &x.tls) {
            Some(Observation::Observed(t)) => {
                live = Some(t);
                tls_state = EvidenceState::Observed;
                break;
            }
            Some(Observation::Error(f)) => {
                tls_state = EvidenceState::Failed {
                    endpoint: e.id.clone(),
                    failure: f.clone(),
                }
            }
            _ => {}
        }
    }
    if let Some(t) = live {
        // The served chain, plus the trust anchor it ends at (a root is
        // rarely sent, yet pinning it is common and sound).
        let mut chain_pins: Vec<&str> = t.chain.iter().map(|c| c.spki_sha256.as_str()).collect();
        if let Some(anchor) = &t.anchor_spki_sha256 {
            chain_pins.push(anchor.as_str());
        }
        let position = |pin: &str| chain_pins.iter().position(|c| *c == pin);
        let mut matched_leaf = false;
        let mut matched_ca = false;
        let mut backups = 0;
        for pin in &p.pins {
            match position(&pin.spki_sha256) {
                Some(0) if pin.scope != PinScope::Ca => matched_leaf = true,
                Some(i) if i > 0 && pin.scope != PinScope::Leaf => matched_ca = true,
                Some(_) => {}
                None => backups += 1,
            }
        }
        let leaf_not_after = t.chain.first().map(|c| c.not_after);
        vars.insert(
            "pinning".into(),
            json!({
                "endpoint_chain": chain_pins,
                "matched": matched_leaf || matched_ca,
                "matched_leaf": matched_leaf,
                "matched_ca": matched_ca,
                "backup_pins": backups,
                "leaf_only": matched_leaf && !matched_ca,
                "expires_before_leaf": matches!((expires_unix, leaf_not_after), (Some(e), Some(l)) if e < l),
                "pins_outlive_leaf": match (expires_unix, leaf_not_after) {
                    (Some(e), Some(l)) => e > l,
                    (None, Some(_)) => true,
                    _ => false,
                },
            }),
        );
    }
    let mut evs = BTreeMap::new();
    evs.insert("tls".into(), tls_state);
    let node = endpoints.first().map(|e| e.component.clone());
    Subject {
        id: format!("pinset:{}/{}", p.client, p.host),
        kind: "pinset",
        node,
        vars,
        evidence: evs,
    }
}
