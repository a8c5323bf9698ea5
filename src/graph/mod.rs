//! The defense-in-depth graph (petgraph) and its path queries.
//!
//! Nodes are the implicit `internet`, the clients and the components; edges
//! are the declared flows, plus `internet → X` for every component an
//! attacker can call directly (public ones, and anything a client calls:
//! whatever a phone reaches, a laptop reaches too). An attacker edge carries
//! only the server-enforced controls that every client flow into X carries:
//! an attacker does not run the genuine app, so client-side controls such as
//! pinning never protect that edge.

mod exact;
pub mod geometry;
pub mod layout;
pub mod route;
mod search;

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

/// Why a path search stopped before looking everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cut {
    /// [`MAX_VISITS_PER_TARGET`] node expansions were spent.
    VisitBudget,
    /// [`MAX_PATHS_PER_TARGET`] paths were found and the search had more
    /// branches left to follow.
    PathCap,
    /// Some branch toward the target could only reach it in more than
    /// [`MAX_PATH_NODES`] nodes.
    DepthLimit,
}

impl Cut {
    /// One line for people: which limit stopped the search.
    pub fn describe(self) -> &'static str {
        match self {
            Cut::VisitBudget => "visit budget spent",
            Cut::PathCap => "path cap reached",
            Cut::DepthLimit => "longer paths not followed",
        }
    }
}

/// The outcome of one attack-path search: the paths found and whether the
/// search looked everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PathSearch {
    /// Paths found, sorted by node list.
    pub paths: Vec<AttackPath>,
    /// Set when a limit cut the search ([`Cut`]): `paths` is then a lower
    /// bound, and that no path of some kind was found proves nothing. A
    /// terminal cut (budget, path cap) wins over a depth cut.
    pub cut: Option<Cut>,
    /// Node expansions made (at most [`MAX_VISITS_PER_TARGET`]).
    pub visits: usize,
}

impl PathSearch {
    /// Whether some limit cut the search.
    pub fn truncated(&self) -> bool {
        self.cut.is_some()
    }
}

/// The built graph with an id index.
///
/// `graph` is read-only after [`DefenseGraph::build`]: the path queries use
/// an adjacency index built with it.
#[derive(Debug, Clone)]
pub struct DefenseGraph {
    /// The petgraph graph.
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    /// Per node, the hops an attacker can take (never into a client), sorted
    /// by target id.
    hops: Vec<Vec<search::Hop>>,
    /// Per node, the non-client nodes with an edge into it.
    preds: Vec<Vec<NodeIndex>>,
    /// Per node, whether the internet reaches it (computed on first use).
    reachable: std::sync::OnceLock<Vec<bool>>,
    /// Exact path facts for every node (computed on first use).
    exact: std::sync::OnceLock<exact::Exact>,
    /// Attack paths per target, computed once on first use (facts and the
    /// report both need them).
    paths: std::sync::Arc<std::sync::Mutex<HashMap<String, std::sync::Arc<PathSearch>>>>,
}

/// Longest path (in nodes) that the path search follows; deeper paths are
/// not enumerated (and the search reports a [`Cut::DepthLimit`]). Real
/// architectures are far shallower.
pub const MAX_PATH_NODES: usize = 12;
/// Most paths enumerated per target, to bound the output on dense graphs.
pub const MAX_PATHS_PER_TARGET: usize = 256;
/// Most node expansions one search may make (each expansion scans the
/// node's outgoing hops once), to bound the work on dense graphs whatever
/// their shape. Searches on real architectures use a few dozen; a dense
/// mesh of 300 components uses a few hundred per target before the path cap.
pub const MAX_VISITS_PER_TARGET: usize = 20_000;

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
        let mut client_flows: HashMap<&str, Vec<&Vec<Control>>> = HashMap::new();
        for f in &model.arch.flows {
            if client_ids.contains(f.from.value.as_str()) {
                client_flows.entry(f.to.value.as_str()).or_default().push(&f.controls);
            }
        }
        for c in &model.arch.components {
            let from_clients = client_flows.get(c.id.value.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            if c.exposure != Exposure::Public && from_clients.is_empty() {
                continue;
            }
            let mut common: Option<BTreeSet<Control>> = None;
            for controls in from_clients {
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
        let hops = search::attacker_hops(&graph);
        let preds = search::attacker_preds(&graph);
        DefenseGraph {
            graph,
            index,
            hops,
            preds,
            reachable: Default::default(),
            exact: Default::default(),
            paths: Default::default(),
        }
    }

    /// Node index of an id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// Every simple path an attacker can take from the internet to `target`
    /// (never through a client: the attacker is not the genuine app), in a
    /// deterministic order, within [`MAX_PATH_NODES`],
    /// [`MAX_PATHS_PER_TARGET`] and [`MAX_VISITS_PER_TARGET`]; the result
    /// says whether a limit cut the search. Computed once per target.
    ///
    /// The search only enters nodes from which the target can still be
    /// reached within the node limit (distances from a reverse search from
    /// the target), so it returns at once when the internet cannot reach
    /// the target, and the pruning never drops a path.
    pub fn attack_paths(&self, target: &str) -> std::sync::Arc<PathSearch> {
        if let Ok(cache) = self.paths.lock()
            && let Some(hit) = cache.get(target)
        {
            return hit.clone();
        }
        let out = std::sync::Arc::new(self.search(target));
        if let Ok(mut cache) = self.paths.lock() {
            cache.insert(target.to_string(), out.clone());
        }
        out
    }

    /// Whether some attack path to `id`, of any length, does not
    /// authenticate the attacker: exact, whatever the limits of
    /// [`DefenseGraph::attack_paths`].
    pub fn unauthenticated_path_exists(&self, id: &str) -> bool {
        let Some(n) = self.node(id) else { return false };
        let exact = self.exact.get_or_init(|| exact::Exact::of(self));
        exact.unauthenticated.get(n.index()).copied().unwrap_or(false)
    }

    /// The smallest defense depth ([`AttackPath::depth`]) of any attack path
    /// to `id`, of any length, or none when no attack path reaches it:
    /// exact, whatever the limits of [`DefenseGraph::attack_paths`].
    pub fn min_depth(&self, id: &str) -> Option<usize> {
        let n = self.node(id)?;
        let exact = self.exact.get_or_init(|| exact::Exact::of(self));
        exact.min_depth.get(n.index()).copied().flatten()
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
        let reachable = self.reachable.get_or_init(|| {
            let mut seen = vec![false; self.graph.node_count()];
            let mut dfs = petgraph::visit::Dfs::new(&self.graph, start);
            while let Some(n) = dfs.next(&self.graph) {
                seen[n.index()] = true;
            }
            seen
        });
        reachable.get(goal.index()).copied().unwrap_or(false)
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
        let search = g.attack_paths("db");
        assert!(!search.truncated(), "{search:?}");
        let paths = &search.paths;
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
        let via_admin = &g.attack_paths("db").paths[0];
        assert_eq!(via_admin.nodes, ["internet", "admin", "db"]);
        assert!(via_admin.controls.contains(&Control::Mtls));
        assert!(!via_admin.authenticated);
        // mTLS on the attacker's own hop does authenticate.
        let g = DefenseGraph::build(&model(&BASE.replace(
            "{ id: admin, kind: service, exposure: public }",
            "{ id: admin, kind: service, exposure: public, enforces: [mtls] }",
        )));
        assert!(g.attack_paths("db").paths[0].authenticated);
    }

    #[test]
    fn internal_component_is_not_reachable_without_a_flow() {
        let g = DefenseGraph::build(&model(&BASE.replace("  - { from: admin, to: db }\n", "")));
        assert!(g.reachable_from_internet("db"));
        assert_eq!(g.attack_paths("db").paths.len(), 1);
        let g2 = DefenseGraph::build(&model(&BASE.replace(
            "{ id: admin, kind: service, exposure: public }",
            "{ id: admin, kind: service }",
        )));
        assert!(!g2.reachable_from_internet("admin"));
    }

    /// The search as it was before pruning and budgets (plain depth-first
    /// enumeration with the node limit and a path cap): the oracle.
    fn naive_paths(g: &DefenseGraph, target: &str, cap: usize) -> Vec<AttackPath> {
        fn walk(
            g: &DefenseGraph,
            at: NodeIndex,
            goal: NodeIndex,
            stack: &mut Vec<NodeIndex>,
            out: &mut Vec<AttackPath>,
            cap: usize,
        ) {
            if out.len() >= cap {
                return;
            }
            if at == goal {
                out.push(naive_describe(g, stack));
                return;
            }
            if stack.len() >= MAX_PATH_NODES {
                return;
            }
            let mut next: Vec<NodeIndex> = g.graph.neighbors(at).collect();
            next.sort_by(|a, b| g.graph[*a].id.cmp(&g.graph[*b].id));
            next.dedup();
            for n in next {
                if stack.contains(&n) || matches!(g.graph[n].kind, NodeKind::Client(_)) {
                    continue;
                }
                stack.push(n);
                walk(g, n, goal, stack, out, cap);
                stack.pop();
            }
        }
        let (Some(start), Some(goal)) = (g.node(INTERNET), g.node(target)) else {
            return vec![];
        };
        let mut out = Vec::new();
        walk(g, start, goal, &mut vec![start], &mut out, cap);
        out.sort_by(|a, b| a.nodes.cmp(&b.nodes));
        out
    }

    fn naive_describe(g: &DefenseGraph, stack: &[NodeIndex]) -> AttackPath {
        let mut controls = BTreeSet::new();
        let mut first_hop = BTreeSet::new();
        for (i, w) in stack.windows(2).enumerate() {
            let weakest = g
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
                first_hop.extend(g.graph[w[1]].enforces.iter().copied());
            }
            controls.extend(weakest);
        }
        for n in stack.iter().skip(1) {
            controls.extend(g.graph[*n].enforces.iter().copied().filter(|c| !c.client_side()));
        }
        let authenticated =
            first_hop.iter().any(|c| c.authenticates_caller()) || controls.iter().any(|c| c.end_to_end());
        AttackPath {
            nodes: stack.iter().map(|n| g.graph[*n].id.clone()).collect(),
            controls: controls.into_iter().collect(),
            authenticated,
        }
    }

    /// `n` public services, each with sensitive data and a flow to every
    /// other, plus `orphan`, which nothing reaches.
    fn mesh(n: usize) -> String {
        let mut y = String::from("strata: 1\nsystem: { name: mesh }\ncomponents:\n");
        for i in 0..n {
            y.push_str(&format!(
                "  - {{ id: s{i:02}, kind: service, exposure: public, data: [{{ name: d, sensitivity: restricted }}] }}\n"
            ));
        }
        y.push_str("  - { id: orphan, kind: datastore, data: [{ name: d, sensitivity: restricted }] }\nflows:\n");
        for i in 0..n {
            for j in (0..n).filter(|j| *j != i) {
                y.push_str(&format!("  - {{ from: s{i:02}, to: s{j:02} }}\n"));
            }
        }
        y
    }

    /// A small mesh with controls of every kind spread over nodes, flows
    /// and client calls, small enough to enumerate completely.
    fn varied_mesh() -> String {
        let controls = [
            "tls",
            "mtls",
            "jwt",
            "oauth",
            "api-key",
            "rate-limit",
            "waf",
            "session",
            "request-signing",
        ];
        let mut y = String::from(
            "strata: 1\nsystem: { name: varied }\nclients:\n  - { id: app, platform: ios }\ncomponents:\n",
        );
        let n = 5;
        for i in 0..n {
            let exposure = if i % 2 == 0 { "public" } else { "internal" };
            let enforce = if i % 3 == 0 {
                format!("[{}]", controls[i % controls.len()])
            } else {
                "[]".into()
            };
            y.push_str(&format!(
                "  - {{ id: s{i:02}, kind: service, exposure: {exposure}, enforces: {enforce}, data: [{{ name: d, sensitivity: restricted }}] }}\n"
            ));
        }
        y.push_str("flows:\n  - { from: app, to: s01, controls: [tls, pinning, jwt] }\n  - { from: app, to: s03, controls: [tls, mtls] }\n");
        for i in 0..n {
            for j in (0..n).filter(|j| *j != i && (i + 2 * j) % 3 != 0) {
                let c = (i * 3 + j) % (controls.len() + 2);
                let flow = controls.get(c).map(|c| format!("[{c}]")).unwrap_or_else(|| "[]".into());
                y.push_str(&format!("  - {{ from: s{i:02}, to: s{j:02}, controls: {flow} }}\n"));
            }
        }
        y
    }

    #[test]
    fn an_eleven_mesh_is_cut_at_the_path_cap_with_the_first_paths_in_order() {
        let g = DefenseGraph::build(&model(&mesh(11)));
        for target in ["s00", "s05", "s10"] {
            let search = g.attack_paths(target);
            // 10! * e simple paths exist: far more than the cap.
            assert_eq!(search.cut, Some(Cut::PathCap), "{target}");
            assert!(search.truncated());
            assert!(search.visits <= MAX_VISITS_PER_TARGET);
            assert_eq!(search.paths.len(), MAX_PATHS_PER_TARGET);
            // Exactly the paths the unpruned enumeration finds first.
            assert_eq!(search.paths, naive_paths(&g, target, MAX_PATHS_PER_TARGET), "{target}");
            for p in &search.paths {
                assert_eq!(p.nodes.first().map(String::as_str), Some(INTERNET));
                assert_eq!(p.nodes.last().map(String::as_str), Some(target));
                assert!(!p.authenticated);
            }
        }
    }

    #[test]
    fn an_unreachable_target_gives_no_paths_no_cut_and_no_work() {
        let g = DefenseGraph::build(&model(&mesh(11)));
        let search = g.attack_paths("orphan");
        assert_eq!(*search, PathSearch::default());
        assert_eq!(search.visits, 0);
        assert!(!g.reachable_from_internet("orphan"));
        // A client is never a target, as it is never on a path.
        let g = DefenseGraph::build(&model(BASE));
        assert_eq!(*g.attack_paths("app"), PathSearch::default());
        assert_eq!(*g.attack_paths("nope"), PathSearch::default());
    }

    #[test]
    fn a_path_longer_than_the_node_limit_is_a_depth_cut() {
        let mut y = String::from("strata: 1\nsystem: { name: chain }\ncomponents:\n");
        let n = MAX_PATH_NODES; // internet + n services + db: n + 2 nodes
        for i in 0..n {
            let exposure = if i == 0 { "public" } else { "internal" };
            y.push_str(&format!("  - {{ id: c{i:02}, kind: service, exposure: {exposure} }}\n"));
        }
        y.push_str("  - { id: db, kind: datastore, data: [{ name: d, sensitivity: restricted }] }\nflows:\n");
        for i in 1..n {
            y.push_str(&format!("  - {{ from: c{:02}, to: c{i:02} }}\n", i - 1));
        }
        y.push_str(&format!("  - {{ from: c{:02}, to: db }}\n", n - 1));
        let g = DefenseGraph::build(&model(&y));
        assert!(g.reachable_from_internet("db"));
        let search = g.attack_paths("db");
        assert!(search.paths.is_empty());
        assert_eq!(search.cut, Some(Cut::DepthLimit));
        // The path is not listed, but it exists, unauthenticated and bare.
        assert!(g.unauthenticated_path_exists("db"));
        assert_eq!(g.min_depth("db"), Some(0));
        // internet, c00 ..= c11: one node too many.
        assert_eq!(g.attack_paths(&format!("c{:02}", n - 1)).cut, Some(Cut::DepthLimit));
        // internet, c00 ..= c10: exactly the limit.
        let search = g.attack_paths(&format!("c{:02}", n - 2));
        assert_eq!(search.cut, None);
        assert_eq!(search.paths.len(), 1);
        assert_eq!(search.paths[0].nodes.len(), MAX_PATH_NODES);
        assert_eq!(search.paths, naive_paths(&g, &format!("c{:02}", n - 2), usize::MAX));
    }

    #[test]
    fn dead_ends_the_pruning_cannot_see_spend_the_visit_budget() {
        // `a` is the only way to `db` and back into the mesh: from inside the
        // mesh `db` looks two hops away, but `a` is already on the path.
        let mut y = String::from(
            "strata: 1\nsystem: { name: trap }\ncomponents:\n  - { id: a, kind: service, exposure: public }\n  - { id: db, kind: datastore, data: [{ name: d, sensitivity: restricted }] }\n",
        );
        let n = 12;
        for i in 0..n {
            y.push_str(&format!("  - {{ id: m{i:02}, kind: service }}\n"));
        }
        y.push_str("flows:\n  - { from: a, to: db }\n");
        for i in 0..n {
            y.push_str(&format!(
                "  - {{ from: a, to: m{i:02} }}\n  - {{ from: m{i:02}, to: a }}\n"
            ));
            for j in (0..n).filter(|j| *j != i) {
                y.push_str(&format!("  - {{ from: m{i:02}, to: m{j:02} }}\n"));
            }
        }
        let g = DefenseGraph::build(&model(&y));
        let search = g.attack_paths("db");
        assert_eq!(search.cut, Some(Cut::VisitBudget));
        assert_eq!(search.visits, MAX_VISITS_PER_TARGET);
        let nodes: Vec<&Vec<String>> = search.paths.iter().map(|p| &p.nodes).collect();
        assert_eq!(nodes, [&vec!["internet".to_string(), "a".into(), "db".into()]]);
    }

    #[test]
    fn pruning_changes_no_result_on_the_samples() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // Parallel flows, one a tie on the number of controls: the weakest
        // hop is chosen as before.
        let parallel = BASE.replace(
            "  - { from: svc, to: db }\n",
            "  - { from: svc, to: db }\n  - { from: gw, to: svc, controls: [waf] }\n  - { from: gw, to: svc, controls: [tls, rate-limit] }\n  - { from: svc, to: db, controls: [mtls] }\n",
        );
        let mut models = vec![model(BASE), model(&parallel), model(&varied_mesh())];
        for sample in ["acme-pay", "gateway-lab", "identity-lab", "lab-tour"] {
            let path = root.join("sample-projects").join(sample).join("architecture.yaml");
            match crate::model::load(&path) {
                Ok(m) => models.push(m),
                Err(e) => panic!("{}: {e}", path.display()),
            }
        }
        let mut compared = 0;
        let (mut kinds, mut depths) = (BTreeSet::new(), BTreeSet::new());
        for m in &models {
            let g = DefenseGraph::build(m);
            for c in &m.arch.components {
                let search = g.attack_paths(&c.id.value);
                assert_eq!(search.cut, None, "{}", c.id.value);
                assert_eq!(search.paths, naive_paths(&g, &c.id.value, usize::MAX), "{}", c.id.value);
                compared += search.paths.len();
                kinds.extend(search.paths.iter().map(|p| p.authenticated));
                depths.extend(search.paths.iter().map(AttackPath::depth));
                // The exact answers agree with the complete enumeration.
                let id = &c.id.value;
                assert_eq!(
                    g.unauthenticated_path_exists(id),
                    search.paths.iter().any(|p| !p.authenticated),
                    "{id}"
                );
                assert_eq!(
                    g.min_depth(id),
                    search.paths.iter().map(AttackPath::depth).min(),
                    "{id}"
                );
            }
        }
        assert!(compared > 100, "only {compared} paths compared");
        // The fixtures exercise both kinds of path and several depths.
        assert_eq!(kinds.len(), 2);
        assert!(depths.len() >= 4, "{depths:?}");
    }

    /// Status and message of `rule` on component `id` in an offline audit.
    fn verdict(m: &Model, rule: &str, id: &str) -> (crate::audit::Status, String) {
        let rules = match crate::audit::rules::Ruleset::builtin() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let evidence = crate::evidence::Evidence {
            observed_at: 1_800_000_000,
            ..Default::default()
        };
        let out = crate::pipeline::audit_with(m, &rules, evidence);
        let want = format!("{rule}@component:{id}");
        match out.audit.findings.iter().find(|f| f.id == want) {
            Some(f) => (f.status, f.message.clone()),
            None => panic!("no finding {want}"),
        }
    }

    /// The guarded 11-mesh (every service authenticates its callers with
    /// three controls) plus `vault`, which every service calls, and `zz`, a
    /// public service with no control that calls `vault` too.
    fn guarded_mesh_with_a_late_bypass() -> String {
        let mut y = mesh(11).replace(
            "exposure: public,",
            "exposure: public, enforces: [mtls, jwt, rate-limit],",
        );
        y = y.replace(
            "flows:\n",
            "  - { id: vault, kind: datastore, data: [{ name: d, sensitivity: restricted }] }\n  - { id: zz, kind: service, exposure: public }\nflows:\n  - { from: zz, to: vault }\n",
        );
        for i in 0..11 {
            y.push_str(&format!("  - {{ from: s{i:02}, to: vault, controls: [mtls] }}\n"));
        }
        y
    }

    #[test]
    fn path_rules_judge_every_path_not_only_those_a_truncated_search_lists() {
        use crate::audit::Status;
        let m = model(&guarded_mesh_with_a_late_bypass());
        let g = DefenseGraph::build(&m);
        // The listed paths all go through the guarded mesh: `internet -> zz
        // -> vault` sorts after the first 256.
        let search = g.attack_paths("vault");
        assert_eq!(search.cut, Some(Cut::PathCap));
        assert!(search.paths.iter().all(|p| p.authenticated && p.depth() >= 3));
        assert!(!search.paths.iter().any(|p| p.nodes.contains(&"zz".to_string())));
        // Yet the bypass exists, and has no control at all.
        assert!(g.unauthenticated_path_exists("vault"));
        assert_eq!(g.min_depth("vault"), Some(0));
        let (status, message) = verdict(&m, "graph-no-auth-bypass", "vault");
        assert_eq!(status, Status::Fail, "{message}");
        assert!(message.contains("truncated before listing one"), "{message}");
        let (status, message) = verdict(&m, "graph-defense-depth", "vault");
        assert_eq!(status, Status::Fail, "{message}");
        // A guarded service: its search is cut too, but every path to it
        // authenticates and crosses its three controls, which is proven.
        assert!(g.attack_paths("s03").truncated());
        assert!(!g.unauthenticated_path_exists("s03"));
        assert_eq!(g.min_depth("s03"), Some(3));
        assert_eq!(verdict(&m, "graph-no-auth-bypass", "s03").0, Status::Pass);
        assert_eq!(verdict(&m, "graph-defense-depth", "s03").0, Status::Pass);
        // Unguarded: the bypasses listed are real.
        let m = model(&mesh(11));
        let (status, message) = verdict(&m, "graph-no-auth-bypass", "s03");
        assert_eq!(status, Status::Fail);
        assert!(message.contains("maybe more"), "{message}");
        assert_eq!(verdict(&m, "graph-defense-depth", "s03").0, Status::Fail);
    }

    #[test]
    fn the_report_says_which_searches_were_truncated() {
        let m = model(&mesh(11));
        let rules = match crate::audit::rules::Ruleset::builtin() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let out = crate::pipeline::audit_with(&m, &rules, crate::evidence::Evidence::default());
        let cut: Vec<&str> = out
            .report
            .graph
            .truncated_searches
            .iter()
            .map(|t| t.target.as_str())
            .collect();
        let services: Vec<String> = (0..11).map(|i| format!("s{i:02}")).collect();
        assert_eq!(cut, services.iter().map(String::as_str).collect::<Vec<_>>());
        let t = &out.report.graph.truncated_searches[0];
        assert_eq!((t.cut, t.paths), (Cut::PathCap, MAX_PATHS_PER_TARGET));
        let html = crate::report::html::render(&out.report);
        assert!(
            html.contains(&format!("path search to s00 truncated after {} visits", t.visits)),
            "no truncation line"
        );
        let json = match crate::report::json::render(&out.report) {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        };
        assert!(json.contains("\"truncated_searches\""));
        // Nothing truncated on a small model: no line.
        let out = crate::pipeline::audit_with(&model(BASE), &rules, crate::evidence::Evidence::default());
        assert!(out.report.graph.truncated_searches.is_empty());
        assert!(!crate::report::html::render(&out.report).contains("truncated after"));
    }
}
