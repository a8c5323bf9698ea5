//! HTML rendering: one self-contained, printable file (inline CSS and SVG,
//! no scripts, no external resources). A probe that could not run is one
//! row of "Probes that could not run" (with the rules it blocked), not one
//! `error` row per rule; not-applicable findings are counted, not listed.

use super::{Report, svg};
use crate::audit::{Finding, Status};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const CSS: &str = r#"
:root { --fail:#c62828; --pass:#2e7d32; --unv:#5c5c99; --err:#b26a00; --na:#888; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color:#1d1d1f; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
.meta { color:#555; }
.grade { display:inline-block; font-size: 3rem; font-weight: 700; width: 4.5rem; height: 4.5rem; line-height: 4.5rem; text-align:center; border-radius: 12px; color:#fff; margin-right: 1rem; vertical-align: middle; }
.g-A,.g-B { background: var(--pass); } .g-C,.g-D { background: var(--err); } .g-E,.g-F { background: var(--fail); }
.summary { display:flex; align-items:center; gap: 1rem; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f8; }
.st { font-weight: 600; text-transform: uppercase; font-size: .78rem; padding: .1rem .4rem; border-radius: 4px; color:#fff; white-space: nowrap; }
.st-pass { background: var(--pass); } .st-fail { background: var(--fail); } .st-unverified { background: var(--unv); } .st-error { background: var(--err); } .st-not-applicable { background: var(--na); }
.sev { font-size: .8rem; text-transform: uppercase; color:#444; }
.sev-critical { color: var(--fail); font-weight: 700; } .sev-high { color: #d84315; font-weight: 600; }
details { margin: .2rem 0; } summary { cursor: pointer; }
pre { background: #f6f6f8; padding: .5rem; overflow-x: auto; font-size: .8rem; white-space: pre-wrap; word-break: break-all; }
.graph-wrap { overflow-x: auto; border: 1px solid #ddd; border-radius: 8px; padding: .5rem; }
svg.graph text { font: 12px system-ui, sans-serif; }
svg.graph .col-title { font-weight: 600; fill: #555; }
svg.graph .node-label { font-weight: 600; }
svg.graph .node-sub, svg.graph .edge-label { fill: #555; font-size: 10px; }
svg.graph .edge-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.graph .edge { stroke: #777; stroke-width: 1.4; }
svg.graph .edge.attacker { stroke-dasharray: 5 4; }
svg.graph .edge.bypass { stroke: var(--fail); stroke-width: 2.5; stroke-dasharray: 6 3; }
.muted { color: #777; }
.caps li { color: var(--fail); }
.triage { margin-top: 4px; font-size: 0.9em; }
.tool-errors { border: 2px solid var(--err); border-radius: 8px; padding: 0 1rem .5rem; margin: 1rem 0; background: #fff8ec; }
@page { size: A4; margin: 12mm; }
@page graph { size: A4 landscape; margin: 8mm; }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 10pt; }
  details::details-content { content-visibility: visible; display: block; }
  details details::details-content { content-visibility: hidden; display: none; }
  summary { cursor: auto; list-style: none; font-weight: 600; }
  summary::marker, summary::-webkit-details-marker { display: none; content: ""; }
  a { color: inherit; text-decoration: none; }
  pre { max-height: 24em; overflow: hidden; font-size: 7pt; }
  h2 { break-before: page; break-after: avoid; }
  .tool-errors h2, .blocked h2 { break-before: auto; }
  h3 { break-after: avoid; }
  tr { break-inside: avoid; }
  h2:has(+ p + .graph-wrap), h2:has(+ p + .graph-wrap) + p, .graph-wrap { page: graph; }
  .graph-wrap { border: none; padding: 0; overflow: visible; break-inside: avoid; }
  svg.graph { max-width: none !important; width: 100%; height: auto; }
  svg.graph text { font-size: 16.5px; transform-box: fill-box; transform-origin: center; transform: scaleX(.7); }
  svg.graph .node-sub, svg.graph .edge-label { font-size: 16px; }
}
"#;

/// Display order within a layer: what needs action first.
fn status_order(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Unverified => 2,
        Status::Pass => 3,
        Status::NotApplicable => 4,
    }
}

fn status_badge(s: Status) -> Markup {
    html! { span class={ "st st-" (s.name()) } { (s.name()) } }
}

fn finding_row(f: &Finding) -> Markup {
    html! {
        tr id=(f.id) {
            td { (status_badge(f.status)) }
            td class={ "sev sev-" (f.severity.name()) } { (f.severity.name()) }
            td {
                strong { (f.title) }
                div class="muted" { code { (f.id) } }
                div { (f.message) }
                @if let Some(t) = &f.triage {
                    div class="triage" { strong { "Triage: " } (t.label()) }
                }
                details {
                    summary { "Evidence and remediation" }
                    p { strong { "Why it matters: " } (f.rationale) }
                    p { strong { "Remediation: " } (f.remediation) }
                    @if !f.references.is_empty() { p { strong { "References: " } (f.references.join(", ")) } }
                    p { strong { "Proof: " } (format!("{:?}", f.proof).to_lowercase()) }
                    pre { (serde_json::to_string_pretty(&f.evidence).unwrap_or_default()) }
                }
            }
        }
    }
}

/// Renders the report as a complete HTML document.
pub fn render(r: &Report) -> String {
    // Rows: blocked `error` findings are shown once per cause, in the
    // "Probes that could not run" section; not-applicable ones are counted.
    let judged: Vec<&Finding> = r.findings.iter().filter(|f| super::shown_individually(f)).collect();
    let count = |s: Status| r.findings.iter().filter(|f| f.status == s).count();
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Strata audit — " (r.system.name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { "Strata audit: " (r.system.name) }
                p class="meta" {
                    "Source " code { (r.system.source) } " · audited " (r.observed_at)
                    " · " (r.tool.name) " " (r.tool.version) " · report schema " code { (r.schema) }
                }
                @if !r.system.description.is_empty() { p { (r.system.description) } }
                div class="summary" {
                    span class={ "grade g-" (r.score.grade) } { (r.score.grade) }
                    div {
                        div { strong { "Score " (r.score.overall) "/100" } " (grade " (r.score.uncapped_grade) " before caps)" }
                        div {
                            (count(Status::Fail)) " failed · " (count(Status::Error)) " errors · "
                            (count(Status::Unverified)) " unverified · " (count(Status::Pass)) " passed · "
                            (r.system.rules) " rules over " (r.system.endpoints) " endpoints, " (r.system.components) " components, "
                            (r.system.clients) " clients, " (r.system.pin_sets) " pin sets"
                        }
                        @if !r.blocked.is_empty() {
                            div { a href="#blocked" { strong { (r.blocked.len()) " probe(s) could not run" } } ", blocking " (count(Status::Error)) " rule check(s) (the errors above): each cause is listed once" }
                        }
                        div class="muted" { (count(Status::NotApplicable)) " not-applicable finding(s) left out (listed in the JSON report)" }
                        @if !r.tool_errors.is_empty() {
                            div { a href="#tool-errors" { strong { (r.tool_errors.len()) " tool error(s)" } } ": rules that could not be evaluated (not findings, not scored)" }
                        }
                        @if !r.score.caps.is_empty() {
                            ul class="caps" { @for c in &r.score.caps { li { (c) } } }
                        }
                        @if let Some(t) = &r.triage {
                            div class="triage" { strong { "Triage " } (t.line()) }
                        }
                    }
                }
                @if !r.tool_errors.is_empty() {
                    section class="tool-errors" id="tool-errors" {
                        h2 { "Tool errors (not findings)" }
                        p {
                            (r.tool_errors.len()) " rule evaluation(s) failed. These are defects in the rules (or in Strata), not findings about "
                            (r.system.name) ": they are not counted in any score or grade, and the rules concerned gave no verdict on these subjects, so the grade above covers less than it claims."
                        }
                        table {
                            thead { tr { th { "Rule" } th { "Subject" } th { "Expression" } th { "Error" } th { "Defined at" } } }
                            tbody {
                                @for t in &r.tool_errors {
                                    tr {
                                        td { code { (t.rule) } }
                                        td { code { (t.subject) } }
                                        td { code { (t.expression) } }
                                        td { (t.message) }
                                        td { code { (t.origin) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !r.blocked.is_empty() {
                    section class="blocked" id="blocked" {
                        h2 { "Probes that could not run" }
                        p { "Each row is one root cause: a probe that could not run on an endpoint, and the rules it kept from running (their findings have status error and are not repeated below)." }
                        table {
                            thead { tr { th { "Endpoint" } th { "Probe" } th { "Stage" } th { "Reason" } th { "Rules blocked" } } }
                            tbody {
                                @for b in &r.blocked {
                                    tr {
                                        td { code { (b.endpoint) } }
                                        td { code { (b.probe) } }
                                        td { (b.stage) }
                                        td {
                                            (b.reason)
                                            @if let Some(d) = &b.detail {
                                                details { summary { "Raw error" } pre { (d) } }
                                            }
                                        }
                                        td { (b.rules.len()) ": " @for (i, rule) in b.rules.iter().enumerate() { @if i > 0 { ", " } code { (rule) } } }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "Layers" }
                table {
                    thead { tr { th { "Layer" } th { "Question" } th { "Score" } th { "State" } th { "Pass" } th { "Fail" } th { "Unverified" } th { "Error" } } }
                    tbody {
                        @for l in &r.score.layers {
                            tr {
                                td { strong { (l.layer.title()) } }
                                td { (l.layer.question()) }
                                td { @match l.score { Some(s) => { (s) }, None => { span class="muted" { "—" } } } }
                                td { (l.proven) }
                                td { (l.pass) } td { (l.fail) } td { (l.unverified) } td { (l.error) }
                            }
                        }
                    }
                }
                h2 { "Defense-in-depth graph" }
                p class="muted" { "Node colour: the worst status of its findings. Edge colour: the transport status of the endpoint the hop lands on. Dashed edges: what an attacker on the internet can call directly. Thick red dashes: a path to sensitive data with no caller authentication. Purple border: holds sensitive data." }
                div class="graph-wrap" { (svg::render(&r.graph)) }
                @if !r.graph.attack_paths.is_empty() || !r.graph.truncated_searches.is_empty() {
                    h3 { "Paths to sensitive data" }
                    @if !r.graph.truncated_searches.is_empty() {
                        ul class="caps truncated" { @for t in &r.graph.truncated_searches { li { (t.line()) } } }
                    }
                    table {
                        thead { tr { th { "Target" } th { "Path" } th { "Controls crossed" } th { "Authenticated" } } }
                        tbody {
                            @for p in &r.graph.attack_paths {
                                tr {
                                    td { (p.target) }
                                    td { (p.nodes.join(" → ")) }
                                    td { (p.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")) }
                                    td { @if p.authenticated { "yes" } @else { strong style="color:var(--fail)" { "NO — bypass" } } }
                                }
                            }
                        }
                    }
                }
                h2 { "Findings" }
                p class="muted" { "Within each layer: failures first, then errors and unverified claims; passed checks are folded." }
                @for layer in crate::audit::rules::Layer::ALL {
                    @let mut open: Vec<&&Finding> = judged.iter().filter(|f| f.layer == layer && f.status != Status::Pass).collect();
                    @let passed: Vec<&&Finding> = judged.iter().filter(|f| f.layer == layer && f.status == Status::Pass).collect();
                    @if !open.is_empty() || !passed.is_empty() {
                        h3 { (layer.title()) }
                        @if !open.is_empty() {
                            table {
                                thead { tr { th { "Status" } th { "Severity" } th { "Finding" } } }
                                tbody { @for f in { open.sort_by_key(|f| status_order(f.status)); &open } { (finding_row(f)) } }
                            }
                        }
                        @if !passed.is_empty() {
                            details {
                                summary { (passed.len()) " passed check(s)" }
                                table { tbody { @for f in &passed { (finding_row(f)) } } }
                            }
                        }
                    }
                }
                h2 { "Endpoints probed" }
                table {
                    thead { tr { th { "Endpoint" } th { "TLS" } th { "Chain" } th { "HTTP" } th { "Layer probes" } } }
                    tbody {
                        @for (id, ev) in &r.evidence.endpoints {
                            tr {
                                td { code { (id) } }
                                td {
                                    @match &ev.tls {
                                        crate::evidence::Observation::Observed(t) => { (t.version) " " (t.cipher_suite) br; span class="muted" { (t.address) " SNI " (t.server_name) } },
                                        crate::evidence::Observation::Error(f) => { (status_badge(Status::Error)) " " (f.to_string()) },
                                        crate::evidence::Observation::NotProbed => { span class="muted" { "not probed" } },
                                    }
                                }
                                td {
                                    @if let Some(t) = ev.tls.observed() {
                                        @for (i, c) in t.chain.iter().enumerate() {
                                            details {
                                                summary { "#" (i) " " (c.subject) }
                                                pre { "issuer:    " (c.issuer) "\nSANs:      " (c.sans.join(", ")) "\nvalid:     " (super::rfc3339(c.not_before)) " → " (super::rfc3339(c.not_after)) "\nkey:       " (c.key_type) " " (c.key_bits) (c.key_curve.as_ref().map(|k| format!(" {k}")).unwrap_or_default()) "\nsignature: " (c.signature_algorithm) "\nSPKI pin:  sha256/" (c.spki_sha256) }
                                            }
                                        }
                                        "verification: " @if t.verification.trusted { "trusted" } @else { strong { (t.verification.code.clone().unwrap_or_default()) } }
                                        " (anchors: " (t.verification.anchors) ")"
                                    }
                                }
                                td {
                                    @match &ev.http {
                                        crate::evidence::Observation::Observed(h) => { (h.request) " → " (h.status) br; @for (k, v) in &h.headers { span class="muted" { (k) ": " (v) } br; } },
                                        crate::evidence::Observation::Error(f) => { (f.to_string()) },
                                        crate::evidence::Observation::NotProbed => { span class="muted" { "not probed" } },
                                    }
                                }
                                td {
                                    @for (name, obs) in &ev.layers {
                                        details {
                                            summary { (name) ": " @match obs {
                                                crate::evidence::Observation::Observed(_) => { "observed" },
                                                crate::evidence::Observation::Error(f) => { (status_badge(Status::Error)) " " (f.to_string()) },
                                                crate::evidence::Observation::NotProbed => { "not probed" },
                                            } }
                                            @if let Some(v) = obs.observed() { pre { (serde_json::to_string_pretty(v).unwrap_or_default()) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !r.evidence.skipped.is_empty() {
                    h3 { "Active probes not run" }
                    ul { @for s in &r.evidence.skipped { li { (s) } } }
                }
                p class="muted" { "Probes run: " (r.evidence.probes_run.join(", ")) }
                p class="muted" { "Generated by Strata. \"Unverified\" means declared but not observed: it never counts as a pass." }
            }
        }
    };
    doc.into_string()
}

/// The HTML exporter.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl super::exporters::Exporter for Html {
    fn name(&self) -> &'static str {
        "html"
    }
    fn label(&self) -> &'static str {
        "HTML"
    }
    fn extension(&self) -> &'static str {
        "html"
    }
    fn media_type(&self) -> &'static str {
        "text/html; charset=utf-8"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, super::exporters::ExportError> {
        Ok(render(report).into_bytes())
    }
}
