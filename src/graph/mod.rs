//! The defense-in-depth graph (petgraph) and its path queries.
//!
//! Nodes are the implicit `internet`, the clients and the components; edges
//! are the declared flows, plus `internet → X` for every component an
//! attacker can call directly (public ones, and anything a client calls:
//! whatever a phone reaches, a laptop reaches too). An attacker edge carries
//! only the server-enforced controls that every client flow into X carries:
//! an attacker does not run the genuine app, so client-side controls such as
//! pinning never protect that edge.

pub mod layout;

use crate::model::{ComponentKind, Control, Exposure, Model, Platform, Sensitivity};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Id of the implicit attacker's node.
pub const INTERNET: &str = "internet";

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "kind", rename_all = "kebab-case")]
pub enum NodeKind {
    /// The internet, where every attacker starts.
    Internet,
    /// An app.
    Client(Platform),
    /// A backend component.
    Component(ComponentKind),
}

/// A node of the graph.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Id from the model (`internet` for the implicit node).
    pub id: String,
    /// Display label.
    pub label: String,
    /// Kind.
    pub kind: NodeKind,
    /// Controls the node enforces on every request it receives.
    pub enforces: Vec<Control>,
    /// Highest sensitivity of the data it holds, if any.
    pub sensitivity: Option<Sensitivity>,
}

impl Node {
    /// Holds confidential or restricted data.
    pub fn is_sensitive(&self) -> bool {
        self.sensitivity.is_some_and(|s| s >= Sensitivity::Confidential)
    }
}

/// An edge: a flow, or the attacker's direct reach.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// Controls on this hop.
    pub controls: Vec<Control>,
    /// True for the implicit `internet → X` edges.
    pub attacker: bool,
}

/// One path from the internet to a node holding sensitive data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackPath {
    /// Node ids, `internet` first.
    pub nodes: Vec<String>,
    /// Server-side controls crossed (edges and nodes), sorted.
    pub controls: Vec<Control>,
    /// The path authenticates the attacker: a caller-authenticating control
    /// on the first hop, or an end-to-end one (token, signature) anywhere.
    pub authenticated: bool,
}

impl AttackPath {
    /// Number of distinct server-side controls: the path's defense depth.
    pub fn depth(&self) -> usize {
        self.controls.len()
    }
}

/// The built graph with an id index.
#[derive(Debug, Clone)]
pub struct DefenseGraph {
    /// The petgraph graph.
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    /// Attack paths per target, computed once on first use (facts and the
    /// report both need them).
    paths: std::sync::Arc<std::sync::Mutex<HashMap<String, std::sync::Arc<Vec<AttackPath>>>>>,
}

/// Longest path (in nodes) that the path search follows; deeper paths are
/// not enumerated. Real architectures are far shallower.
pub const MAX_PATH_NODES: usize = 12;
/// Most paths enumerated per target, to bound the work on dense graphs.
pub const MAX_PATHS_PER_TARGET: usize = 256;

impl DefenseGraph {
    /// Builds the graph from a validated model.
    pub fn build(model: &Model) -> DefenseGraph {
        let mut graph = DiGraph::new();
        let mut index = HashMap::new();
        let internet = graph.add_node(Node {
            id: INTERNET.into(),
            label: "Internet".into(),
            kind: NodeKind::Internet,
            enforces: vec![],
            sensitivity: None,
        });
        index.insert(INTERNET.to_string(), internet);
        for c in &model.arch.clients {
            let n = graph.add_node(Node {
                id: c.id.value.clone(),
                label: c.name.clone().unwrap_or_else(|| c.id.value.clone()),
                kind: NodeKind::Client(c.platform),
                enforces: vec![],
                sensitivity: None,
            });
            index.insert(c.id.value.clone(), n);
        }
        for c in &model.arch.components {
            let mut enforces = c.enforces.clone();
            enforces.sort();
            enforces.dedup();
            let n = graph.add_node(Node {
                id: c.id.value.clone(),
                label: c.name.clone().unwrap_or_else(|| c.id.value.clone()),
                kind: NodeKind::Component(c.kind),
                enforces,
                sensitivity: c.data.iter().map(|d| d.sensitivity).max(),
            });
            index.insert(c.id.value.clone(), n);
        }
        // Attacker reach: public components and anything a client calls.
        let client_ids: BTreeSet<&str> = model.arch.clients.iter().map(|c| c.id.value.as_str()).collect();
        for c in &model.arch.components {
            let from_clients: Vec<&Vec<Control>> = model
                .arch
                .flows
                .iter()
                .filter(|f| f.to.value == c.id.value && client_ids.contains(f.from.value.as_str()))
                .map(|f| &f.controls)
                .collect();
            if c.exposure != Exposure::Public && from_clients.is_empty() {
                continue;
            }
            let mut common: Option<BTreeSet<Control>> = None;
            for controls in &from_clients {
                let set: BTreeSet<Control> = controls.iter().copied().filter(|k| !k.client_side()).collect();
                common = Some(match common {
                    None => set,
                    Some(prev) => prev.intersection(&set).copied().collect(),
                });
            }
            if let Some(&to) = index.get(&c.id.value) {
                graph.add_edge(
                    internet,
                    to,
                    Edge {
                        controls: common.unwrap_or_default().into_iter().collect(),
                        attacker: true,
                    },
                );
            }
        }
        for f in &model.arch.flows {
            if let (Some(&a), Some(&b)) = (index.get(&f.from.value), index.get(&f.to.value)) {
                let mut controls = f.controls.clone();
                controls.sort();
                controls.dedup();
                graph.add_edge(
                    a,
                    b,
                    Edge {
                        controls,
                        attacker: false,
                    },
                );
            }
        }
        DefenseGraph {
            graph,
            index,
            paths: Default::default(),
        }
    }

    /// Node index of an id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// Every simple path an attacker can take from the internet to `target`
    /// (never through a client: the attacker is not the genuine app),
    /// bounded by [`MAX_PATH_NODES`] and [`MAX_PATHS_PER_TARGET`], in a
    /// deterministic order.
    pub fn attack_paths(&self, target: &str) -> std::sync::Arc<Vec<AttackPath>> {
        if let Ok(cache) = self.paths.lock()
            && let Some(hit) = cache.get(target)
        {
            return hit.clone();
        }
        let (Some(start), Some(goal)) = (self.node(INTERNET), self.node(target)) else {
            return Default::default();
        };
        let mut out = Vec::new();
        let mut stack = vec![start];
        self.dfs(start, goal, &mut stack, &mut out);
        out.sort_by(|a, b| a.nodes.cmp(&b.nodes));
        let out = std::sync::Arc::new(out);
        if let Ok(mut cache) = self.paths.lock() {
            cache.insert(target.to_string(), out.clone());
        }
        out
    }

    fn dfs(&self, at: NodeIndex, goal: NodeIndex, stack: &mut Vec<NodeIndex>, out: &mut Vec<AttackPath>) {
        if out.len() >= MAX_PATHS_PER_TARGET {
            return;
        }
        if at == goal {
            out.push(self.describe(stack));
            return;
        }
        if stack.len() >= MAX_PATH_NODES {
            return;
        }
        let mut next: Vec<NodeIndex> = self.graph.neighbors(at).collect();
        next.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        next.dedup();
        for n in next {
            if stack.contains(&n) || matches!(self.graph[n].kind, NodeKind::Client(_)) {
                continue;
            }
            stack.push(n);
            self.dfs(n, goal, stack, out);
            stack.pop();
        }
    }

    fn describe(&self, stack: &[NodeIndex]) -> AttackPath {
        let mut controls = BTreeSet::new();
        // The attacker's own hop: whatever authenticates there authenticates
        // the attacker. Further in, only end-to-end proofs still do.
        let mut first_hop = BTreeSet::new();
        for (i, w) in stack.windows(2).enumerate() {
            // Parallel flows between the same nodes: the attacker takes the weakest.
            let weakest = self
                .graph
                .edges_connecting(w[0], w[1])
                .map(|e| {
                    e.weight()
                        .controls
                        .iter()
                        .copied()
                        .filter(|c| !c.client_side())
                        .collect::<BTreeSet<_>>()
                })
                .min_by_key(|s| s.len())
                .unwrap_or_default();
            if i == 0 {
                first_hop.extend(weakest.iter().copied());
                first_hop.extend(self.graph[w[1]].enforces.iter().copied());
            }
            controls.extend(weakest);
        }
        for n in stack.iter().skip(1) {
            controls.extend(self.graph[*n].enforces.iter().copied().filter(|c| !c.client_side()));
        }
        let authenticated =
            first_hop.iter().any(|c| c.authenticates_caller()) || controls.iter().any(|c| c.end_to_end());
        AttackPath {
            nodes: stack.iter().map(|n| self.graph[*n].id.clone()).collect(),
            controls: controls.into_iter().collect(),
            authenticated,
        }
    }

    /// Whether `id` holds sensitive data or calls (directly or not) something
    /// that does.
    pub fn reaches_sensitive(&self, id: &str) -> bool {
        let Some(start) = self.node(id) else { return false };
        let mut dfs = petgraph::visit::Dfs::new(&self.graph, start);
        while let Some(n) = dfs.next(&self.graph) {
            if self.graph[n].is_sensitive() {
                return true;
            }
        }
        false
    }

    /// Whether `id` is reachable by an attacker from the internet.
    pub fn reachable_from_internet(&self, id: &str) -> bool {
        let (Some(start), Some(goal)) = (self.node(INTERNET), self.node(id)) else {
            return false;
        };
        petgraph::algo::has_path_connecting(&self.graph, start, goal, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn model(yaml: &str) -> Model {
        match crate::model::load_str(yaml, Path::new("t.yaml")) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    const BASE: &str = r#"
strata: 1
system: { name: t }
clients:
  - { id: app, platform: android }
components:
  - { id: gw, kind: api-gateway, exposure: public, enforces: [rate-limit] }
  - { id: svc, kind: service }
  - { id: admin, kind: service, exposure: public }
  - { id: db, kind: datastore, data: [{ name: cards, sensitivity: restricted }] }
flows:
  - { from: app, to: gw, controls: [tls, pinning, jwt] }
  - { from: gw, to: svc, controls: [mtls] }
  - { from: svc, to: db }
  - { from: admin, to: db }
"#;

    #[test]
    fn finds_the_unauthenticated_bypass_and_ignores_pinning() {
        let g = DefenseGraph::build(&model(BASE));
        let paths = g.attack_paths("db");
        assert_eq!(paths.len(), 2, "{paths:?}");
        let via_admin = &paths[0];
        assert_eq!(via_admin.nodes, ["internet", "admin", "db"]);
        assert!(!via_admin.authenticated);
        let via_gw = &paths[1];
        assert_eq!(via_gw.nodes, ["internet", "gw", "svc", "db"]);
        assert!(via_gw.authenticated);
        assert_eq!(
            via_gw.controls,
            vec![Control::Tls, Control::Mtls, Control::Jwt, Control::RateLimit]
        );
        assert!(!via_gw.controls.contains(&Control::Pinning));
    }

    #[test]
    fn service_to_service_mtls_does_not_authenticate_the_internet_caller() {
        // The public admin console forwards to the database over mTLS: the
        // database knows the console, not the attacker calling the console.
        let g = DefenseGraph::build(&model(&BASE.replace(
            "  - { from: admin, to: db }",
            "  - { from: admin, to: db, controls: [mtls] }",
        )));
        let via_admin = &g.attack_paths("db")[0];
        assert_eq!(via_admin.nodes, ["internet", "admin", "db"]);
        assert!(via_admin.controls.contains(&Control::Mtls));
        assert!(!via_admin.authenticated);
        // mTLS on the attacker's own hop does authenticate.
        let g = DefenseGraph::build(&model(&BASE.replace(
            "{ id: admin, kind: service, exposure: public }",
            "{ id: admin, kind: service, exposure: public, enforces: [mtls] }",
        )));
        assert!(g.attack_paths("db")[0].authenticated);
    }

    #[test]
    fn internal_component_is_not_reachable_without_a_flow() {
        let g = DefenseGraph::build(&model(&BASE.replace("  - { from: admin, to: db }\n", "")));
        assert!(g.reachable_from_internet("db"));
        assert_eq!(g.attack_paths("db").len(), 1);
        let g2 = DefenseGraph::build(&model(&BASE.replace(
            "{ id: admin, kind: service, exposure: public }",
            "{ id: admin, kind: service }",
        )));
        assert!(!g2.reachable_from_internet("admin"));
    }
}
