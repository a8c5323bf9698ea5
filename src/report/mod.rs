//! Reports: one [`Report`] value, several renderings (HTML, JSON, SARIF,
//! Markdown, CSV, PDF), each an [`exporters::Exporter`] in one registry.
//!
//! Exporters only consume the report; none touches the network or the
//! model's secret references (only their names exist anywhere in Strata's
//! data, and reports do not even carry those).

pub mod csv;
pub mod diff;
pub mod exporters;
pub mod html;
pub mod json;
pub mod markdown;
pub mod pdf;
pub mod sarif;
pub mod svg;

use crate::audit::score::Score;
use crate::audit::{Audit, Finding, Status, ToolError};
use crate::evidence::Evidence;
use crate::graph::{Cut, NodeKind, layout};
use crate::model::{Control, Model};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// Version of the JSON report schema (`docs/report-schema.md`).
pub const SCHEMA: &str = "strata.report/2";

/// Tool name and version.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `strata`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// What was audited.
#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    /// System name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Owner, if declared.
    pub owner: Option<String>,
    /// The architecture file's name.
    pub source: String,
    /// Counts.
    pub clients: usize,
    /// Components.
    pub components: usize,
    /// Endpoints.
    pub endpoints: usize,
    /// Flows.
    pub flows: usize,
    /// Pin sets (inline and imported).
    pub pin_sets: usize,
    /// Rules evaluated.
    pub rules: usize,
}

/// A node as drawn.
#[derive(Debug, Clone, Serialize)]
pub struct GraphNode {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Kind.
    pub kind: NodeKind,
    /// Layout column.
    pub column: usize,
    /// Layout row.
    pub row: usize,
    /// Worst status among the node's findings (`fail` > `error` >
    /// `unverified` > `pass`), or none.
    pub status: Option<Status>,
    /// Controls the node enforces.
    pub enforces: Vec<Control>,
    /// Holds confidential or restricted data.
    pub sensitive: bool,
    /// For a client: one summary line per imported app file (build,
    /// cleartext, trust, pins), in declaration order; empty for other nodes.
    pub app_config: Vec<String>,
}

/// An edge as drawn.
#[derive(Debug, Clone, Serialize)]
pub struct GraphEdge {
    /// Source id.
    pub from: String,
    /// Target id.
    pub to: String,
    /// Controls on the hop.
    pub controls: Vec<Control>,
    /// Implicit attacker edge from the internet.
    pub attacker: bool,
    /// Part of an unauthenticated path to sensitive data.
    pub bypass: bool,
    /// Status of the wire this hop lands on: the worst transport-layer
    /// status of the target's endpoints (none when it has no endpoint).
    pub status: Option<Status>,
}

/// An attack path to a sensitive component.
#[derive(Debug, Clone, Serialize)]
pub struct PathView {
    /// Target component.
    pub target: String,
    /// Node ids.
    pub nodes: Vec<String>,
    /// Controls crossed.
    pub controls: Vec<Control>,
    /// Authenticates the caller somewhere.
    pub authenticated: bool,
}

/// A path search to a sensitive component that a limit cut short: its
/// paths in [`GraphView::attack_paths`] are a lower bound.
#[derive(Debug, Clone, Serialize)]
pub struct TruncatedSearch {
    /// Target component.
    pub target: String,
    /// Which limit cut the search.
    pub cut: Cut,
    /// Node expansions made.
    pub visits: usize,
    /// Paths found.
    pub paths: usize,
}

impl TruncatedSearch {
    /// The line shown to people.
    pub fn line(&self) -> String {
        format!(
            "path search to {} truncated after {} visits ({}): its {} path(s) are a lower bound",
            self.target,
            self.visits,
            self.cut.describe(),
            self.paths
        )
    }
}

/// The graph section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct GraphView {
    /// Nodes in layout order.
    pub nodes: Vec<GraphNode>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
    /// Paths from the internet to each sensitive component.
    pub attack_paths: Vec<PathView>,
    /// The sensitive components whose path search a limit cut short, in
    /// component order; empty when every search looked everywhere.
    pub truncated_searches: Vec<TruncatedSearch>,
    /// The drawing: boxes, routed edge paths, label boxes and column
    /// headers, in one coordinate system every renderer draws from.
    pub geometry: crate::graph::geometry::Geometry,
}

/// One probe that could not run on one endpoint, and the rules it kept
/// from running: one root cause, shown once instead of one `error` row per
/// rule (the per-rule findings stay in `findings`, status `error`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    /// Endpoint id.
    pub endpoint: String,
    /// Probe (evidence kind): `tls`, `http`, `enrollment`...
    pub probe: String,
    /// Where the probe failed: `connect`, `handshake`, `http`, `timeout`...
    pub stage: String,
    /// Why, in plain words.
    pub reason: String,
    /// The library's raw text, when `reason` is not that text (the
    /// evidence keeps it too).
    pub detail: Option<String>,
    /// The rules it blocked, sorted, each once.
    pub rules: Vec<String>,
    /// The `error` findings it accounts for, sorted by id.
    pub findings: Vec<String>,
}

/// The probe failures behind the `error` findings, one per endpoint and
/// probe, sorted by endpoint then probe.
pub fn blocked(findings: &[Finding]) -> Vec<Blocked> {
    let mut groups: BTreeMap<(&str, &str), Blocked> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.status == Status::Error) {
        let Some(by) = &f.blocked_by else { continue };
        let g = groups.entry((&by.endpoint, &by.probe)).or_insert_with(|| {
            let plain = crate::audit::plain::explain(&by.failure);
            Blocked {
                endpoint: by.endpoint.clone(),
                probe: by.probe.clone(),
                stage: by.failure.stage.clone(),
                reason: plain.sentence,
                detail: plain.detail,
                rules: Vec::new(),
                findings: Vec::new(),
            }
        });
        g.rules.push(f.rule.clone());
        g.findings.push(f.id.clone());
    }
    groups
        .into_values()
        .map(|mut g| {
            g.rules.sort();
            g.rules.dedup();
            g.findings.sort();
            g
        })
        .collect()
}

/// True for a finding a reader sees on its own row: not not-applicable,
/// and not an `error` whose cause is shown once in [`Report::blocked`].
pub fn shown_individually(f: &Finding) -> bool {
    match f.status {
        Status::NotApplicable => false,
        Status::Error => f.blocked_by.is_none(),
        _ => true,
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema id.
    pub schema: &'static str,
    /// Tool.
    pub tool: Tool,
    /// Audit time, RFC 3339 UTC (from the evidence, not the wall clock).
    pub observed_at: String,
    /// What was audited.
    pub system: SystemSummary,
    /// Grade and layer scores.
    pub score: Score,
    /// Every finding (not-applicable ones included, for completeness).
    pub findings: Vec<Finding>,
    /// Probes that could not run, once per endpoint and probe, with the
    /// rules each blocked (empty when every probe ran).
    pub blocked: Vec<Blocked>,
    /// Rules that could not be evaluated on a subject: not findings, not
    /// scored (empty when every rule ran).
    pub tool_errors: Vec<ToolError>,
    /// What `triage.yaml` did: counts, expired and stale decisions (none
    /// without a triage file).
    pub triage: Option<crate::triage::TriageSummary>,
    /// The defense-in-depth graph.
    pub graph: GraphView,
    /// Raw evidence.
    pub evidence: Evidence,
    /// Where the model file is and where each subject is declared in it
    /// (for SARIF locations). Not part of the JSON schema.
    #[serde(skip)]
    pub source_map: SourceMap,
}

/// A line and column (1-based) in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePos {
    /// Line, from 1.
    pub line: u64,
    /// Column, from 1, in characters.
    pub column: u64,
    /// False when the subject has no position of its own (the `system`
    /// subject): the position is then the file's first line.
    pub exact: bool,
}

/// The model file and the declaration of every subject in it.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// The model file, as it was named when loaded.
    pub path: PathBuf,
    /// Subject id (`endpoint:api`, ...) → where it is declared.
    pub subjects: BTreeMap<String, SourcePos>,
}

impl SourceMap {
    /// Where `subject` is declared; the file's first line when the model
    /// gives it no position.
    pub fn position(&self, subject: &str) -> SourcePos {
        self.subjects.get(subject).copied().unwrap_or(SourcePos {
            line: 1,
            column: 1,
            exact: false,
        })
    }
}

/// Positions of the model's subjects: endpoints, clients and components at
/// their `id`, an inline pin set at its `host` (an imported one at its
/// client's `id`). `system` has no position of its own and is left out.
pub fn source_map(model: &Model) -> SourceMap {
    let at = |loc: serde_saphyr::Location| SourcePos {
        line: loc.line().max(1),
        column: loc.column().max(1),
        exact: true,
    };
    let a = &model.arch;
    let mut subjects = BTreeMap::new();
    for e in &a.endpoints {
        subjects.insert(format!("endpoint:{}", e.id.value), at(e.id.referenced));
    }
    for c in &a.components {
        subjects.insert(format!("component:{}", c.id.value), at(c.id.referenced));
    }
    for c in &a.clients {
        subjects.insert(format!("client:{}", c.id.value), at(c.id.referenced));
    }
    for p in &model.pin_sets {
        let Some(client) = model.client(&p.client) else {
            continue;
        };
        let inline = client.pins.iter().find(|s| s.host.value.eq_ignore_ascii_case(&p.host));
        let loc = inline.map(|s| s.host.referenced).unwrap_or(client.id.referenced);
        subjects.insert(format!("pinset:{}/{}", p.client, p.host), at(loc));
    }
    // An app file's subject points at its path in `pin_imports`.
    for c in &a.clients {
        for imp in &c.pin_imports {
            let (_, path) = imp.parts();
            let id = format!("appconfig:{}/{}", c.id.value, path.value.display());
            subjects.entry(id).or_insert_with(|| at(path.referenced));
        }
    }
    SourceMap {
        path: model.source.clone(),
        subjects,
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 4,
        Status::Error => 3,
        Status::Unverified => 2,
        Status::Pass => 1,
        Status::NotApplicable => 0,
    }
}

/// Records `status` for `node` if it is worse than the one kept.
fn keep_worst<'a>(map: &mut HashMap<&'a str, Status>, node: &'a str, status: Status) {
    let worst = map.entry(node).or_insert(status);
    if rank(status) > rank(*worst) {
        *worst = status;
    }
}

/// Builds the graph view (layout, node status, bypass edges).
pub fn graph_view(model: &Model, audit: &Audit) -> GraphView {
    let g = &audit.graph;
    let lay = layout::layout(g);
    // Worst statuses per node, in one pass over the findings: of all the
    // node's findings, and of its endpoints' transport findings.
    let mut node_status: HashMap<&str, Status> = HashMap::new();
    let mut wire_status: HashMap<&str, Status> = HashMap::new();
    for f in audit.findings.iter().filter(|f| f.status != Status::NotApplicable) {
        let Some(node) = f.node.as_deref() else { continue };
        keep_worst(&mut node_status, node, f.status);
        if f.layer == crate::audit::rules::Layer::Transport && f.subject.starts_with("endpoint:") {
            keep_worst(&mut wire_status, node, f.status);
        }
    }
    let mut nodes: Vec<GraphNode> = g
        .graph
        .node_indices()
        .map(|n| {
            let node = &g.graph[n];
            let (column, row) = lay.positions.get(&node.id).copied().unwrap_or((0, 0));
            let status = node_status.get(node.id.as_str()).copied();
            GraphNode {
                id: node.id.clone(),
                label: node.label.clone(),
                kind: node.kind,
                column,
                row,
                status,
                enforces: node.enforces.clone(),
                sensitive: node.is_sensitive(),
                app_config: model
                    .app_configs
                    .iter()
                    .filter(|a| a.client == node.id)
                    .map(crate::model::ResolvedAppConfig::summary)
                    .collect(),
            }
        })
        .collect();
    nodes.sort_by_key(|n| (n.column, n.row));
    let mut attack_paths = Vec::new();
    let mut truncated_searches = Vec::new();
    for c in &model.arch.components {
        let node = g.node(&c.id.value).map(|n| &g.graph[n]);
        if !node.is_some_and(|n| n.is_sensitive()) {
            continue;
        }
        let search = g.attack_paths(&c.id.value);
        if let Some(cut) = search.cut {
            truncated_searches.push(TruncatedSearch {
                target: c.id.value.clone(),
                cut,
                visits: search.visits,
                paths: search.paths.len(),
            });
        }
        for p in &search.paths {
            attack_paths.push(PathView {
                target: c.id.value.clone(),
                nodes: p.nodes.clone(),
                controls: p.controls.clone(),
                authenticated: p.authenticated,
            });
        }
    }
    let bypass_hops: HashSet<(&str, &str)> = attack_paths
        .iter()
        .filter(|p| !p.authenticated)
        .flat_map(|p| p.nodes.windows(2).map(|w| (w[0].as_str(), w[1].as_str())))
        .collect();
    let on_bypass = |a: &str, b: &str| bypass_hops.contains(&(a, b));
    let edges = g
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.graph.edge_endpoints(e)?;
            let w = &g.graph[e];
            let (from, to) = (g.graph[a].id.clone(), g.graph[b].id.clone());
            let status = wire_status.get(to.as_str()).copied();
            Some(GraphEdge {
                status,
                bypass: on_bypass(&from, &to),
                from,
                to,
                controls: w.controls.clone(),
                attacker: w.attacker,
            })
        })
        .collect();
    let text: Vec<crate::graph::route::NodeText> = g
        .graph
        .node_indices()
        .map(|n| {
            let node = &g.graph[n];
            let view = nodes.iter().find(|v| v.id == node.id);
            crate::graph::route::NodeText {
                label: node.label.clone(),
                sub: format!(
                    "{}{}",
                    node_status.get(node.id.as_str()).map(|s| s.name()).unwrap_or("—"),
                    if node.is_sensitive() { " · sensitive data" } else { "" }
                ),
                notes: view.map(|v| v.app_config.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let geometry = crate::graph::route::route(g, &lay, &text);
    GraphView {
        nodes,
        edges,
        attack_paths,
        truncated_searches,
        geometry,
    }
}

/// Formats Unix seconds as RFC 3339 UTC.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// Assembles the report.
pub fn build(model: &Model, evidence: &Evidence, audit: &Audit, rules: usize) -> Report {
    let a = &model.arch;
    Report {
        schema: SCHEMA,
        tool: Tool {
            name: "strata",
            version: env!("CARGO_PKG_VERSION"),
        },
        observed_at: rfc3339(evidence.observed_at),
        system: SystemSummary {
            name: a.system.name.clone(),
            description: a.system.description.trim().to_string(),
            owner: a.system.owner.clone(),
            source: model
                .source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            clients: a.clients.len(),
            components: a.components.len(),
            endpoints: a.endpoints.len(),
            flows: a.flows.len(),
            pin_sets: model.pin_sets.len(),
            rules,
        },
        score: audit.score.clone(),
        findings: audit.findings.clone(),
        blocked: blocked(&audit.findings),
        tool_errors: audit.tool_errors.clone(),
        triage: audit.triage.clone(),
        graph: graph_view(model, audit),
        evidence: evidence.clone(),
        source_map: source_map(model),
    }
}
