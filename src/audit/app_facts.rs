//! Facts of `appconfig` subjects: one per imported app file (source-tree
//! network security config or `Info.plist`, built APK or IPA), from what
//! its configuration declares ([`crate::model::app_config`]) and how that
//! compares with the model's endpoints.
//!
//! Platform defaults are applied here (cleartext below API 28, user CAs
//! below API 24, backups allowed unless declared otherwise); lists name
//! the scope each finding concerns (`base-config`, a domain, a plist key)
//! so that a failing rule can say where to look. The shape is
//! [`schema::app`](super::schema::app), documented in `docs/facts.md`.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::facts::Subject;
use crate::model::app_config::{AppConfig, TrustAnchor, host_matches};
use crate::model::{Model, ResolvedAppConfig, Scheme};

/// One `appconfig` subject per imported file, in declaration order.
pub fn subjects(model: &Model) -> Vec<Subject> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for a in &model.app_configs {
        let mut id = format!("appconfig:{}/{}", a.client, a.source);
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            id = format!("{id}#{n}");
        }
        let mut vars = BTreeMap::new();
        vars.insert("app".into(), app(model, a));
        out.push(Subject {
            id,
            kind: "appconfig",
            node: Some(a.client.clone()),
            vars,
            evidence: BTreeMap::new(),
        });
    }
    out
}

fn scoped(scope: &str, a: &TrustAnchor) -> String {
    format!("{scope}: {}", a.src)
}

fn is_extra(a: &TrustAnchor) -> bool {
    a.src != "system" && a.src != "user"
}

/// The `app` facts of one imported file.
fn app(model: &Model, a: &ResolvedAppConfig) -> Value {
    let mut f = Facts::default();
    match &a.config {
        AppConfig::Android(cfg) => {
            f.platform = "android";
            f.target_sdk = cfg.target_sdk.map(i64::from);
            f.manifest_read = cfg.manifest_read;
            f.debuggable = cfg.is_debuggable();
            f.allow_backup = cfg.allow_backup.unwrap_or(true);
            f.cleartext_default = cfg.base_cleartext();
            f.has_nsc = cfg.nsc.is_some();
            f.base_anchors_declared = cfg.nsc.as_ref().is_some_and(|n| n.base_anchors.is_some());
            let base = cfg.base_anchors();
            for anchor in &base {
                if anchor.src == "user" {
                    f.user_ca_scopes.push("base-config".into());
                }
                if is_extra(anchor) {
                    f.extra_ca_scopes.push(scoped("base-config", anchor));
                }
                if anchor.override_pins {
                    f.override_pins.push(scoped("base-config", anchor));
                }
            }
            if let Some(nsc) = &cfg.nsc {
                for d in &nsc.domains {
                    f.build_hosts.push((d.domain.clone(), d.include_subdomains));
                    if d.cleartext == Some(true) {
                        f.cleartext_domains.push(d.domain.clone());
                    }
                    // Anchors of the base config are reported once, above.
                    if let Some(anchors) = &d.anchors {
                        for anchor in anchors {
                            if anchor.src == "user" {
                                f.user_ca_scopes.push(d.domain.clone());
                            }
                            if is_extra(anchor) {
                                f.extra_ca_scopes.push(scoped(&d.domain, anchor));
                            }
                            if anchor.override_pins {
                                f.override_pins.push(scoped(&d.domain, anchor));
                            }
                        }
                    }
                    if d.pins == 1 {
                        f.single_pin_domains.push(d.domain.clone());
                    }
                }
                if let Some(debug) = &nsc.debug_overrides {
                    f.debug_overrides = true;
                    f.debug_override_anchors = debug.iter().map(|x| scoped("debug-overrides", x)).collect();
                }
            }
        }
        AppConfig::Ios(cfg) => {
            f.platform = "ios";
            f.allow_backup = false;
            f.has_ats = cfg.has_ats;
            f.ats_arbitrary_loads = cfg.arbitrary_loads;
            f.ats_arbitrary_loads_web = cfg.arbitrary_loads_web;
            f.ats_arbitrary_loads_media = cfg.arbitrary_loads_media;
            for e in &cfg.exceptions {
                f.build_hosts.push((e.domain.clone(), e.include_subdomains));
                if e.insecure_http {
                    f.ats_insecure_http_domains.push(e.domain.clone());
                }
                if e.weak_tls() {
                    let v = e.min_tls.clone().unwrap_or_default();
                    f.ats_weak_tls_domains.push(format!("{} ({v})", e.domain));
                }
                if !e.forward_secrecy {
                    f.ats_no_forward_secrecy_domains.push(e.domain.clone());
                }
                if !e.requires_ct {
                    f.ats_ct_not_required_domains.push(e.domain.clone());
                }
            }
            for p in &cfg.pinned {
                f.build_hosts.push((p.domain.clone(), p.include_subdomains));
                if p.ca == 0 && p.leaf > 0 {
                    f.leaf_only_pinned_domains.push(p.domain.clone());
                }
                if p.ca + p.leaf == 1 {
                    f.single_pin_domains.push(p.domain.clone());
                }
            }
            for t in &cfg.trustkit {
                f.build_hosts.push((t.domain.clone(), t.include_subdomains));
                if !t.enforce {
                    f.trustkit_unenforced_domains.push(t.domain.clone());
                }
                if t.pins == 1 {
                    f.single_pin_domains.push(t.domain.clone());
                }
            }
        }
    }

    // Cross-checks with the model.
    let endpoint_names: Vec<&str> = model
        .endpoints
        .iter()
        .flat_map(|e| [e.server_name.as_str(), e.host.as_str()])
        .collect();
    let mut undeclared: Vec<String> = f
        .build_hosts
        .iter()
        .filter(|(d, sub)| !endpoint_names.iter().any(|n| host_matches(d, *sub, n)))
        .map(|(d, sub)| {
            if *sub {
                format!("{d} (and subdomains)")
            } else {
                d.clone()
            }
        })
        .collect();
    undeclared.sort();
    undeclared.dedup();
    let client = model.client(&a.client);
    let mut unpinned: Vec<String> = client
        .map(|c| {
            c.calls
                .iter()
                .filter_map(|call| model.endpoints.iter().find(|e| e.id == call.value))
                .filter(|e| e.scheme == Scheme::Https)
                .filter(|e| {
                    !a.pinned_hosts
                        .iter()
                        .any(|(d, sub)| host_matches(d, *sub, &e.server_name))
                })
                .map(|e| e.server_name.clone())
                .collect()
        })
        .unwrap_or_default();
    unpinned.sort();
    unpinned.dedup();
    let sources = client.map_or(0, |c| c.pin_imports.len() + usize::from(!c.pins.is_empty()));
    let mut hosts: Vec<String> = f.build_hosts.iter().map(|(d, _)| d.clone()).collect();
    hosts.sort();
    hosts.dedup();

    json!({
        "client": a.client,
        "source": a.source,
        "kind": a.kind.key(),
        "platform": f.platform,
        "build_id": a.build.as_ref().and_then(|b| b.id.clone()),
        "signing_sha256": a.build.as_ref().map(|b| b.signing_sha256.clone()).unwrap_or_default(),
        "target_sdk": f.target_sdk,
        "manifest_read": f.manifest_read,
        "debuggable": f.debuggable,
        "allow_backup": f.allow_backup,
        "has_nsc": f.has_nsc,
        "base_anchors_declared": f.base_anchors_declared,
        "cleartext_default": f.cleartext_default,
        "cleartext_domains": f.cleartext_domains,
        "user_ca_scopes": f.user_ca_scopes,
        "extra_ca_scopes": f.extra_ca_scopes,
        "override_pins": f.override_pins,
        "debug_overrides": f.debug_overrides,
        "debug_override_anchors": f.debug_override_anchors,
        "single_pin_domains": f.single_pin_domains,
        "has_ats": f.has_ats,
        "ats_arbitrary_loads": f.ats_arbitrary_loads,
        "ats_arbitrary_loads_web": f.ats_arbitrary_loads_web,
        "ats_arbitrary_loads_media": f.ats_arbitrary_loads_media,
        "ats_insecure_http_domains": f.ats_insecure_http_domains,
        "ats_weak_tls_domains": f.ats_weak_tls_domains,
        "ats_no_forward_secrecy_domains": f.ats_no_forward_secrecy_domains,
        "ats_ct_not_required_domains": f.ats_ct_not_required_domains,
        "leaf_only_pinned_domains": f.leaf_only_pinned_domains,
        "trustkit_unenforced_domains": f.trustkit_unenforced_domains,
        "build_hosts": hosts,
        "undeclared_hosts": undeclared,
        "unpinned_called_hosts": unpinned,
        "client_pin_sources": sources as i64,
    })
}

/// The facts being gathered, before they become JSON.
#[derive(Default)]
struct Facts {
    platform: &'static str,
    target_sdk: Option<i64>,
    manifest_read: bool,
    debuggable: bool,
    allow_backup: bool,
    has_nsc: bool,
    base_anchors_declared: bool,
    cleartext_default: Option<bool>,
    cleartext_domains: Vec<String>,
    user_ca_scopes: Vec<String>,
    extra_ca_scopes: Vec<String>,
    override_pins: Vec<String>,
    debug_overrides: bool,
    debug_override_anchors: Vec<String>,
    single_pin_domains: Vec<String>,
    has_ats: bool,
    ats_arbitrary_loads: bool,
    ats_arbitrary_loads_web: bool,
    ats_arbitrary_loads_media: bool,
    ats_insecure_http_domains: Vec<String>,
    ats_weak_tls_domains: Vec<String>,
    ats_no_forward_secrecy_domains: Vec<String>,
    ats_ct_not_required_domains: Vec<String>,
    leaf_only_pinned_domains: Vec<String>,
    trustkit_unenforced_domains: Vec<String>,
    build_hosts: Vec<(String, bool)>,
}
