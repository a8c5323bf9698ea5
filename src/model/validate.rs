//! Checks that need the whole file: ids, references, URLs, pins, imports.

use super::app_config;
use super::error::{ModelError, ModelErrors, did_you_mean};
use super::pin_import::{ImportedPin, PinScope};
use super::schema::*;
use super::{EndpointTarget, Model, ResolvedAppConfig, ResolvedPinSet, Route, Scheme};
use base64::Engine;
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

struct Ctx<'a> {
    file: &'a Path,
    base: PathBuf,
    errors: Vec<ModelError>,
}

impl Ctx<'_> {
    fn err<T>(&mut self, node: &Spanned<T>, path: String, message: String) {
        self.errors
            .push(ModelError::at(self.file, node.referenced, path, message));
    }

    fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }
}

pub(super) fn validate(arch: ArchitectureFile, file: &Path) -> Result<Model, ModelErrors> {
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut cx = Ctx {
        file,
        base,
        errors: Vec::new(),
    };

    if arch.strata.value != 1 {
        let v = arch.strata.value;
        cx.err(
            &arch.strata,
            "strata".into(),
            format!("schema version {v} is not supported; this Strata reads version 1"),
        );
    }

    // Ids: clients and components share one namespace (flows name either);
    // endpoints have their own.
    let mut nodes: HashMap<&str, (&str, String)> = HashMap::new();
    let mut dup = Vec::new();
    for (i, c) in arch.clients.iter().enumerate() {
        check_id(&mut cx, &c.id, format!("clients[{i}].id"));
        if let Some(prev) = nodes.insert(&c.id.value, ("client", format!("clients[{i}]"))) {
            dup.push((c.id.clone(), format!("clients[{i}].id"), prev.1));
        }
    }
    for (i, c) in arch.components.iter().enumerate() {
        check_id(&mut cx, &c.id, format!("components[{i}].id"));
        if let Some(prev) = nodes.insert(&c.id.value, ("component", format!("components[{i}]"))) {
            dup.push((c.id.clone(), format!("components[{i}].id"), prev.1));
        }
    }
    let mut endpoint_ids: HashMap<&str, usize> = HashMap::new();
    for (i, e) in arch.endpoints.iter().enumerate() {
        check_id(&mut cx, &e.id, format!("endpoints[{i}].id"));
        if let Some(prev) = endpoint_ids.insert(&e.id.value, i) {
            dup.push((e.id.clone(), format!("endpoints[{i}].id"), format!("endpoints[{prev}]")));
        }
    }
    for (node, path, prev) in dup {
        let v = node.value.clone();
        cx.err(&node, path, format!("duplicate id `{v}`: already used by {prev}"));
    }

    let component_ids: Vec<&str> = arch.components.iter().map(|c| c.id.value.as_str()).collect();
    let mut node_ids: Vec<&str> = nodes.keys().copied().collect();
    node_ids.sort();
    let endpoint_names: Vec<&str> = arch.endpoints.iter().map(|e| e.id.value.as_str()).collect();

    for (i, f) in arch.flows.iter().enumerate() {
        if !nodes.contains_key(f.from.value.as_str()) {
            let msg = dangling(
                "caller",
                &f.from.value,
                &node_ids,
                &format!("flow `{}` → `{}`", f.from.value, f.to.value),
            );
            cx.err(&f.from, format!("flows[{i}].from"), msg);
        }
        match nodes.get(f.to.value.as_str()) {
            None => {
                let msg = dangling(
                    "component",
                    &f.to.value,
                    &component_ids,
                    &format!("flow `{}` → `{}`", f.from.value, f.to.value),
                );
                cx.err(&f.to, format!("flows[{i}].to"), msg);
            }
            Some(("client", _)) => {
                let msg = format!(
                    "`{}` is a client; a flow goes to a component (flow `{}` → `{}`)",
                    f.to.value, f.from.value, f.to.value
                );
                cx.err(&f.to, format!("flows[{i}].to"), msg);
            }
            Some(_) => {}
        }
        if f.from.value == f.to.value {
            cx.err(
                &f.to,
                format!("flows[{i}].to"),
                format!("flow from `{}` to itself", f.to.value),
            );
        }
    }
    for (i, c) in arch.components.iter().enumerate() {
        for (j, w) in c.watches.iter().enumerate() {
            if !component_ids.contains(&w.value.as_str()) {
                let msg = dangling(
                    "component",
                    &w.value,
                    &component_ids,
                    &format!("`{}` watches `{}`", c.id.value, w.value),
                );
                cx.err(w, format!("components[{i}].watches[{j}]"), msg);
            }
        }
    }
    for (i, c) in arch.clients.iter().enumerate() {
        for (j, call) in c.calls.iter().enumerate() {
            if !endpoint_ids.contains_key(call.value.as_str()) {
                let msg = dangling(
                    "endpoint",
                    &call.value,
                    &endpoint_names,
                    &format!("client `{}` calls `{}`", c.id.value, call.value),
                );
                cx.err(call, format!("clients[{i}].calls[{j}]"), msg);
            }
        }
    }

    let mut endpoints = Vec::new();
    for (i, e) in arch.endpoints.iter().enumerate() {
        if !component_ids.contains(&e.component.value.as_str()) {
            let msg = dangling(
                "component",
                &e.component.value,
                &component_ids,
                &format!("endpoint `{}` is served by `{}`", e.id.value, e.component.value),
            );
            cx.err(&e.component, format!("endpoints[{i}].component"), msg);
        }
        let internal = arch
            .components
            .iter()
            .find(|c| c.id.value == e.component.value)
            .is_some_and(|c| c.exposure == Exposure::Internal);
        // A secret file that exists must be one that can be read: not a
        // FIFO, a device or a directory (it is read at probe time).
        for (field, r) in super::secret::endpoint_secrets(e) {
            if let Err(err) = super::secret::check_file(r, &cx.base) {
                cx.err(&e.id, format!("endpoints[{i}].{field}"), err.to_string());
            }
        }
        let routes = resolve_routes(&mut cx, i, e);
        if let (Some(mut t), Some(routes)) = (resolve_endpoint(&mut cx, i, e), routes) {
            t.protected_routes = routes;
            t.internal = internal;
            endpoints.push(t);
        }
    }

    let mut pin_sets = Vec::new();
    let mut app_configs = Vec::new();
    for (i, c) in arch.clients.iter().enumerate() {
        for (j, p) in c.pins.iter().enumerate() {
            if let Some(set) = resolve_inline_pins(&mut cx, &c.id.value, i, j, p) {
                pin_sets.push(set);
            }
        }
        for (j, imp) in c.pin_imports.iter().enumerate() {
            let (kind, path) = imp.parts();
            let result = app_config::import(kind, &cx.resolve(&path.value));
            // Origins name the file as written in the YAML (relative to it),
            // so reports do not depend on where the checkout lives.
            let resolved = cx.resolve(&path.value).display().to_string();
            let written = path.value.display().to_string();
            let relative = |origin: String| match origin.strip_prefix(&resolved) {
                Some(rest) => format!("{written}{rest}"),
                None => origin,
            };
            match result {
                Ok(imported) => {
                    let pinned_hosts = imported
                        .pin_sets
                        .iter()
                        .map(|s| (s.domain.clone(), s.include_subdomains))
                        .collect();
                    pin_sets.extend(imported.pin_sets.into_iter().map(|s| ResolvedPinSet {
                        client: c.id.value.clone(),
                        host: s.domain,
                        include_subdomains: s.include_subdomains,
                        pins: s.pins,
                        expires: s.expiration,
                        origin: relative(s.origin),
                    }));
                    let mut config = imported.config;
                    if let app_config::AppConfig::Android(a) = &mut config
                        && let Some(n) = &mut a.nsc
                    {
                        for d in &mut n.domains {
                            d.origin = relative(std::mem::take(&mut d.origin));
                        }
                    }
                    if let app_config::AppConfig::Ios(i) = &mut config {
                        for e in &mut i.exceptions {
                            e.origin = relative(std::mem::take(&mut e.origin));
                        }
                    }
                    app_configs.push(ResolvedAppConfig {
                        client: c.id.value.clone(),
                        source: written,
                        kind,
                        config,
                        build: imported.build,
                        pinned_hosts,
                    });
                }
                Err(e) => cx.err(
                    path,
                    format!("clients[{i}].pin_imports[{j}]"),
                    format!("cannot import {}: {e}", kind.key()),
                ),
            }
        }
    }

    let triage = match crate::triage::load(file) {
        Ok(t) => t,
        Err(e) => {
            cx.errors.extend(e.0);
            None
        }
    };
    if cx.errors.is_empty() {
        Ok(Model {
            source: file.to_path_buf(),
            arch,
            endpoints,
            pin_sets,
            app_configs,
            triage,
        })
    } else {
        Err(ModelErrors(cx.errors))
    }
}

fn check_id(cx: &mut Ctx<'_>, id: &Spanned<String>, path: String) {
    let ok = !id.value.is_empty()
        && id.value.len() <= 64
        && id
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !ok || id.value == "internet" {
        let v = id.value.clone();
        let why = if v == "internet" {
            "is reserved for the implicit internet node"
        } else {
            "must be 1-64 characters of letters, digits, '-', '_' or '.'"
        };
        cx.err(id, path, format!("id `{v}` {why}"));
    }
}

fn dangling(kind: &str, name: &str, known: &[&str], context: &str) -> String {
    let mut m = format!("unknown {kind} `{name}` in {context}");
    if let Some(s) = did_you_mean(name, known.iter().copied()) {
        m.push_str(&format!("; did you mean `{s}`?"));
    } else if known.is_empty() {
        m.push_str(&format!("; no {kind} is declared"));
    }
    m
}

fn resolve_endpoint(cx: &mut Ctx<'_>, i: usize, e: &Endpoint) -> Option<EndpointTarget> {
    let url = match url::Url::parse(&e.url.value) {
        Ok(u) => u,
        Err(err) => {
            cx.err(&e.url, format!("endpoints[{i}].url"), format!("not a valid URL: {err}"));
            return None;
        }
    };
    let scheme = match url.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => {
            cx.err(
                &e.url,
                format!("endpoints[{i}].url"),
                format!("scheme `{other}` is not supported; use https:// (or http:// for a cleartext endpoint)"),
            );
            return None;
        }
    };
    let Some(host) = url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
    else {
        cx.err(&e.url, format!("endpoints[{i}].url"), "the URL has no host".into());
        return None;
    };
    if !url.username().is_empty() || url.password().is_some() {
        cx.err(
            &e.url,
            format!("endpoints[{i}].url"),
            "credentials in a URL are secrets; use an `auth.token` reference instead".into(),
        );
        return None;
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let server_name = match &e.server_name {
        Some(s) => {
            if rustls::pki_types::ServerName::try_from(s.value.as_str()).is_err() {
                cx.err(
                    s,
                    format!("endpoints[{i}].server_name"),
                    format!("`{}` is not a valid DNS name or IP address", s.value),
                );
                return None;
            }
            s.value.to_ascii_lowercase()
        }
        None => host.to_ascii_lowercase(),
    };
    let ca_file = match &e.trust {
        TrustAnchors::System => None,
        TrustAnchors::CaFile(p) => {
            let abs = cx.resolve(&p.value);
            if let Err(e) = crate::fsread::check_regular(&abs, crate::fsread::MAX_CA_FILE_BYTES, "CA file") {
                cx.err(p, format!("endpoints[{i}].trust.ca_file"), e.to_string());
                return None;
            }
            Some(abs)
        }
    };
    if let Some(en) = &e.enrollment {
        if en.attestation_token.is_some() && en.attestation_token_path.is_some() {
            cx.err(
                &e.id,
                format!("endpoints[{i}].enrollment"),
                "give either `attestation_token` (a fixed test token) or `attestation_token_path` (fetch a fresh one per audit), not both".into(),
            );
            return None;
        }
        if en.attestation_token_path.as_ref().is_some_and(|p| !p.starts_with('/')) {
            cx.err(
                &e.id,
                format!("endpoints[{i}].enrollment.attestation_token_path"),
                "a path on this endpoint, starting with `/`".into(),
            );
            return None;
        }
    }
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    Some(EndpointTarget {
        id: e.id.value.clone(),
        component: e.component.value.clone(),
        url: e.url.value.clone(),
        scheme,
        host,
        port,
        path,
        server_name,
        ca_file,
        base_dir: cx.base.clone(),
        protected_routes: Vec::new(),
        internal: false,
    })
}

/// The endpoint's protected routes: `auth.protected_routes`, then the
/// protected operations of its OpenAPI document. Also checks the syntax of
/// `rate_limit.route`. `None` when something is wrong (the errors are recorded).
fn resolve_routes(cx: &mut Ctx<'_>, i: usize, e: &Endpoint) -> Option<Vec<Route>> {
    let mut ok = true;
    let mut routes: Vec<Route> = Vec::new();
    let push = |r: Route, routes: &mut Vec<Route>| {
        if !routes.iter().any(|x| x.method == r.method && x.path == r.path) {
            routes.push(r);
        }
    };
    if let Some(auth) = &e.auth {
        for (j, text) in auth.protected_routes.iter().enumerate() {
            match Route::parse(text, "declared") {
                Ok(r) => push(r, &mut routes),
                Err(m) => {
                    cx.err(&e.id, format!("endpoints[{i}].auth.protected_routes[{j}]"), m);
                    ok = false;
                }
            }
        }
    }
    if let Some(route) = e.rate_limit.as_ref().and_then(|r| r.route.as_ref())
        && let Err(m) = Route::parse(route, "rate-limit")
    {
        cx.err(&e.id, format!("endpoints[{i}].rate_limit.route"), m);
        ok = false;
    }
    if let Some(doc) = &e.openapi {
        match super::openapi::import(&cx.resolve(&doc.value)) {
            Ok(imported) => {
                for r in imported {
                    push(r, &mut routes);
                }
            }
            Err(m) => {
                cx.err(
                    doc,
                    format!("endpoints[{i}].openapi"),
                    format!("cannot import OpenAPI: {m}"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(routes)
}

/// Canonical base64 of a 32-byte SHA-256 pin, from `sha256/…` (any case) or
/// bare base64.
pub(crate) fn normalize_pin(text: &str) -> Result<String, String> {
    let t = text.trim();
    let b64 = if t.len() > 7 && t.is_char_boundary(7) && t[..7].eq_ignore_ascii_case("sha256/") {
        &t[7..]
    } else {
        t
    };
    // Padded or not, as Android accepts both.
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = lenient
        .decode(b64)
        .map_err(|e| format!("pin `{text}` is not base64: {e}"))?;
    if bytes.len() != 32 {
        return Err(format!(
            "pin `{text}` decodes to {} bytes; a SHA-256 pin has 32",
            bytes.len()
        ));
    }
    Ok(engine.encode(bytes))
}

fn resolve_inline_pins(cx: &mut Ctx<'_>, client: &str, i: usize, j: usize, p: &PinSet) -> Option<ResolvedPinSet> {
    let mut ok = true;
    let mut pins = Vec::new();
    for (k, pin) in p.pins.iter().enumerate() {
        match normalize_pin(&pin.value) {
            Ok(spki_sha256) => pins.push(ImportedPin {
                spki_sha256,
                scope: PinScope::Any,
            }),
            Err(m) => {
                cx.err(pin, format!("clients[{i}].pins[{j}].pins[{k}]"), m);
                ok = false;
            }
        }
    }
    if p.pins.is_empty() {
        cx.err(
            &p.host,
            format!("clients[{i}].pins[{j}].pins"),
            "a pin set needs at least one pin".into(),
        );
        ok = false;
    }
    let expires = match &p.expires {
        None => None,
        Some(s) => {
            let fmt = time::macros::format_description!("[year]-[month padding:none]-[day padding:none]");
            match time::Date::parse(s.value.trim(), fmt) {
                Ok(d) => Some(d),
                Err(e) => {
                    cx.err(
                        s,
                        format!("clients[{i}].pins[{j}].expires"),
                        format!("`{}` is not a date (YYYY-MM-DD): {e}", s.value),
                    );
                    ok = false;
                    None
                }
            }
        }
    };
    ok.then(|| ResolvedPinSet {
        client: client.to_string(),
        host: p.host.value.to_ascii_lowercase(),
        include_subdomains: p.include_subdomains,
        pins,
        expires,
        origin: format!(
            "{}:{}:{}",
            cx.file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            p.host.referenced.line(),
            p.host.referenced.column()
        ),
    })
}
