//! "What if": a hypothetical variant of the model for design meetings.
//!
//! Switch a control off everywhere, take a component out of the path
//! (traffic then flows straight through it, without its controls), or make
//! a component enforce a control it does not. The audit is then re-run on
//! the variant with the *same* evidence: nothing is probed, and everything
//! shown is marked hypothetical by the caller.

use crate::model::{Control, Flow, Model, Scheme};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A set of hypothetical changes. Empty means "as declared".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    /// Controls switched off on every flow and component.
    pub controls_off: BTreeSet<Control>,
    /// Components taken out: callers reach its callees directly.
    pub bypassed: BTreeSet<String>,
    /// (component, control) added to what the component enforces.
    pub enforce_on: BTreeSet<(String, Control)>,
    /// (component, control) removed from what the component enforces.
    pub enforce_off: BTreeSet<(String, Control)>,
}

impl WhatIf {
    /// No change.
    pub fn is_empty(&self) -> bool {
        self.controls_off.is_empty()
            && self.bypassed.is_empty()
            && self.enforce_on.is_empty()
            && self.enforce_off.is_empty()
    }

    /// One line per change, for the "hypothetical" banner.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(
            self.controls_off
                .iter()
                .map(|c| format!("{} switched off everywhere", c.name())),
        );
        out.extend(self.bypassed.iter().map(|b| format!("{b} taken out of the path")));
        out.extend(
            self.enforce_on
                .iter()
                .map(|(c, k)| format!("{c} enforces {}", k.name())),
        );
        out.extend(
            self.enforce_off
                .iter()
                .map(|(c, k)| format!("{c} no longer enforces {}", k.name())),
        );
        out
    }

    /// The hypothetical model.
    pub fn apply(&self, model: &Model) -> Model {
        let mut m = model.clone();
        let arch = &mut m.arch;
        for c in &mut arch.components {
            let id = c.id.value.clone();
            c.enforces
                .retain(|k| !self.controls_off.contains(k) && !self.enforce_off.contains(&(id.clone(), *k)));
            for (cid, k) in &self.enforce_on {
                if *cid == id && !c.enforces.contains(k) && !self.controls_off.contains(k) {
                    c.enforces.push(*k);
                }
            }
        }
        for f in &mut arch.flows {
            f.controls.retain(|k| !self.controls_off.contains(k));
        }
        if self.controls_off.contains(&Control::Tls) {
            // TLS is declared by the endpoints' `https://` URLs, not only by
            // flow labels: without it they are cleartext, and the transport
            // rules judge them so (and nothing is left to pin).
            for e in &mut m.endpoints {
                if e.scheme == Scheme::Https {
                    e.scheme = Scheme::Http;
                    e.url = cleartext(&e.url);
                }
            }
            for e in &mut arch.endpoints {
                e.url.value = cleartext(&e.url.value);
            }
            m.pin_sets.clear();
        }
        if self.controls_off.contains(&Control::Pinning) {
            m.pin_sets.clear();
        }
        for gone in &self.bypassed {
            let incoming: Vec<Flow> = arch.flows.iter().filter(|f| f.to.value == *gone).cloned().collect();
            let outgoing: Vec<Flow> = arch.flows.iter().filter(|f| f.from.value == *gone).cloned().collect();
            arch.flows.retain(|f| f.to.value != *gone && f.from.value != *gone);
            for i in &incoming {
                for o in &outgoing {
                    if i.from.value == o.to.value {
                        continue;
                    }
                    let mut f = i.clone();
                    f.to = o.to.clone();
                    let mut controls: Vec<Control> = i.controls.iter().chain(&o.controls).copied().collect();
                    controls.sort();
                    controls.dedup();
                    f.controls = controls;
                    arch.flows.push(f);
                }
            }
            arch.components.retain(|c| c.id.value != *gone);
            for c in &mut arch.components {
                c.watches.retain(|w| w.value != *gone);
            }
            let gone_endpoints: BTreeSet<String> = m
                .endpoints
                .iter()
                .filter(|e| e.component == *gone)
                .map(|e| e.id.clone())
                .collect();
            m.endpoints.retain(|e| e.component != *gone);
            arch.endpoints.retain(|e| e.component.value != *gone);
            for c in &mut arch.clients {
                c.calls.retain(|call| !gone_endpoints.contains(&call.value));
            }
        }
        m
    }
}

/// `https://…` as `http://…` (anything else unchanged).
fn cleartext(url: &str) -> String {
    match url.strip_prefix("https://") {
        Some(rest) => format!("http://{rest}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    const YAML: &str = r#"
strata: 1
system: { name: t }
clients:
  - { id: app, platform: android }
components:
  - { id: waf, kind: waf, exposure: public, enforces: [waf] }
  - { id: gw, kind: api-gateway, enforces: [jwt] }
  - { id: admin, kind: service, exposure: public }
  - { id: db, kind: datastore, data: [{ name: cards, sensitivity: restricted }] }
flows:
  - { from: app, to: waf, controls: [tls] }
  - { from: waf, to: gw }
  - { from: gw, to: db, controls: [mtls] }
  - { from: admin, to: db }
"#;

    fn status(model: &Model, id: &str) -> crate::audit::Status {
        let rules = crate::audit::rules::Ruleset::builtin().expect("rules");
        let audit = crate::audit::run(model, &Evidence::default(), &rules);
        audit
            .findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.status)
            .expect("finding")
    }

    #[test]
    fn switching_tls_off_makes_the_endpoints_cleartext_and_changes_the_score() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-projects/acme-pay/architecture.yaml");
        let model = crate::model::load(&path).expect("model");
        let rules = crate::audit::rules::Ruleset::builtin().expect("rules");
        let before = crate::pipeline::audit_with(&model, &rules, Evidence::default());
        let w = WhatIf {
            controls_off: [Control::Tls].into(),
            ..WhatIf::default()
        };
        let variant = w.apply(&model);
        assert!(
            variant
                .endpoints
                .iter()
                .all(|e| e.scheme == Scheme::Http && e.url.starts_with("http://"))
        );
        assert!(variant.pin_sets.is_empty(), "nothing is left to pin without TLS");
        let after = crate::pipeline::audit_with(&variant, &rules, Evidence::default());
        let status =
            |o: &crate::pipeline::Outcome, id: &str| o.report.findings.iter().find(|f| f.id == id).map(|f| f.status);
        assert_eq!(
            status(&before, "endpoint-uses-tls@endpoint:api"),
            Some(crate::audit::Status::Pass)
        );
        assert_eq!(
            status(&after, "endpoint-uses-tls@endpoint:api"),
            Some(crate::audit::Status::Fail)
        );
        let transport = |o: &crate::pipeline::Outcome| {
            o.report
                .score
                .layers
                .iter()
                .find(|l| l.layer == crate::audit::rules::Layer::Transport)
                .map(|l| (l.score, l.fail))
        };
        assert_ne!(transport(&before), transport(&after));
        // Without evidence every live transport rule is unverified (it
        // weighs but earns nothing), so the layer's score may not drop; what
        // must change is that the cleartext endpoints now fail.
        let fails = |o: &crate::pipeline::Outcome| transport(o).map(|(_, fail)| fail).unwrap_or(0);
        assert!(fails(&after) > fails(&before));
        assert!(after.report.score.overall <= before.report.score.overall);
    }

    #[test]
    fn enforcing_auth_on_the_admin_console_closes_the_bypass() {
        let model = crate::model::load_str(YAML, std::path::Path::new("t.yaml")).expect("model");
        assert_eq!(
            status(&model, "graph-no-auth-bypass@component:db"),
            crate::audit::Status::Fail
        );
        let w = WhatIf {
            enforce_on: [("admin".to_string(), Control::Mtls)].into(),
            ..WhatIf::default()
        };
        assert_eq!(
            status(&w.apply(&model), "graph-no-auth-bypass@component:db"),
            crate::audit::Status::Pass
        );
    }

    #[test]
    fn bypassing_a_component_rewires_its_traffic_and_keeps_controls() {
        let model = crate::model::load_str(YAML, std::path::Path::new("t.yaml")).expect("model");
        let w = WhatIf {
            bypassed: ["waf".to_string()].into(),
            ..WhatIf::default()
        };
        let m = w.apply(&model);
        assert!(m.component("waf").is_none());
        let f = m.arch.flows.iter().find(|f| f.from.value == "app").expect("rewired");
        assert_eq!(f.to.value, "gw");
        assert_eq!(f.controls, vec![Control::Tls]);
        // Switching jwt off everywhere opens the gateway path too.
        let w = WhatIf {
            controls_off: [Control::Jwt].into(),
            enforce_on: [("admin".into(), Control::Mtls)].into(),
            ..WhatIf::default()
        };
        assert_eq!(
            status(&w.apply(&model), "graph-no-auth-bypass@component:db"),
            crate::audit::Status::Fail
        );
        assert_eq!(w.describe().len(), 2);
    }
}
