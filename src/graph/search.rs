//! The bounded attack-path search: a depth-first enumeration of simple
//! paths from the internet to one target, in id order.
//!
//! Work is bounded three ways. A reverse breadth-first search from the
//! target gives every node's distance to it; the search enters only nodes
//! that can still reach the target within [`MAX_PATH_NODES`] (so it stops
//! at once when the internet cannot reach the target, and this pruning
//! never drops a path). [`MAX_PATHS_PER_TARGET`] caps the paths listed, and
//! [`MAX_VISITS_PER_TARGET`] caps the node expansions, each of which scans
//! the node's hops once. Whichever limit cuts the search is recorded in the
//! [`PathSearch`].

use super::{
    AttackPath, Cut, DefenseGraph, Edge, INTERNET, MAX_PATH_NODES, MAX_PATHS_PER_TARGET, MAX_VISITS_PER_TARGET, Node,
    NodeKind, PathSearch,
};
use crate::model::Control;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeSet, HashMap};

/// Distance marker for "cannot reach the target".
const UNREACHABLE: usize = usize::MAX;

/// One hop the attacker can take out of a node.
#[derive(Debug, Clone)]
pub(super) struct Hop {
    pub(super) to: NodeIndex,
    /// Server-side controls of the weakest parallel flow on this hop.
    pub(super) weakest: Vec<Control>,
}

impl DefenseGraph {
    /// Searches the attack paths to `target` (uncached; see
    /// [`DefenseGraph::attack_paths`]).
    pub(super) fn search(&self, target: &str) -> PathSearch {
        let (Some(start), Some(goal)) = (self.node(INTERNET), self.node(target)) else {
            return PathSearch::default();
        };
        if matches!(self.graph[goal].kind, NodeKind::Client(_)) {
            return PathSearch::default();
        }
        let dist = self.distances_to(goal);
        let mut s = Search {
            g: self,
            goal,
            dist,
            on_stack: vec![false; self.graph.node_count()],
            stack: Vec::with_capacity(MAX_PATH_NODES),
            hop_controls: Vec::with_capacity(MAX_PATH_NODES),
            out: Vec::new(),
            visits: 0,
            stopped: None,
            depth_cut: false,
        };
        match s.dist[start.index()] {
            UNREACHABLE => return PathSearch::default(),
            d if d + 1 > MAX_PATH_NODES => {
                return PathSearch {
                    cut: Some(Cut::DepthLimit),
                    ..PathSearch::default()
                };
            }
            _ => {}
        }
        s.enter(start);
        let mut paths = s.out;
        paths.sort_by(|a, b| a.nodes.cmp(&b.nodes));
        PathSearch {
            paths,
            cut: s.stopped.or(s.depth_cut.then_some(Cut::DepthLimit)),
            visits: s.visits,
        }
    }

    /// Hops from every node to `goal` along edges an attacker can follow
    /// (breadth-first over reversed edges, never through a client);
    /// [`UNREACHABLE`] where there is no way.
    fn distances_to(&self, goal: NodeIndex) -> Vec<usize> {
        let mut dist = vec![UNREACHABLE; self.graph.node_count()];
        dist[goal.index()] = 0;
        let mut queue = std::collections::VecDeque::from([goal]);
        while let Some(u) = queue.pop_front() {
            let d = dist[u.index()] + 1;
            for &v in &self.preds[u.index()] {
                if dist[v.index()] == UNREACHABLE {
                    dist[v.index()] = d;
                    queue.push_back(v);
                }
            }
        }
        dist
    }

    fn describe(&self, stack: &[NodeIndex], hop_controls: &[&[Control]]) -> AttackPath {
        let mut controls = BTreeSet::new();
        // The attacker's own hop: whatever authenticates there authenticates
        // the attacker. Further in, only end-to-end proofs still do.
        let mut first_hop = BTreeSet::new();
        for (i, (to, weakest)) in stack.iter().skip(1).zip(hop_controls).enumerate() {
            if i == 0 {
                first_hop.extend(weakest.iter().copied());
                first_hop.extend(self.graph[*to].enforces.iter().copied());
            }
            controls.extend(weakest.iter().copied());
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
}

/// Per node, the hops an attacker can take: one per distinct non-client
/// successor, sorted by id, each with the server-side controls of the
/// weakest parallel flow (the attacker takes the weakest; on a tie, the
/// first in petgraph's edge order).
pub(super) fn attacker_hops(graph: &DiGraph<Node, Edge>) -> Vec<Vec<Hop>> {
    use petgraph::visit::EdgeRef;
    graph
        .node_indices()
        .map(|a| {
            // One pass over the edges out of `a`, in petgraph's order: per
            // target, the first flow with the fewest server-side controls.
            let mut weakest: HashMap<NodeIndex, BTreeSet<Control>> = HashMap::new();
            for e in graph.edges(a) {
                if matches!(graph[e.target()].kind, NodeKind::Client(_)) {
                    continue;
                }
                let set: BTreeSet<Control> = e
                    .weight()
                    .controls
                    .iter()
                    .copied()
                    .filter(|c| !c.client_side())
                    .collect();
                match weakest.get(&e.target()) {
                    Some(prev) if prev.len() <= set.len() => {}
                    _ => {
                        weakest.insert(e.target(), set);
                    }
                }
            }
            let mut hops: Vec<Hop> = weakest
                .into_iter()
                .map(|(to, set)| Hop {
                    to,
                    weakest: set.into_iter().collect(),
                })
                .collect();
            hops.sort_by(|x, y| graph[x.to].id.cmp(&graph[y.to].id).then(x.to.cmp(&y.to)));
            hops
        })
        .collect()
}

/// Per node, the distinct non-client nodes with an edge into it.
pub(super) fn attacker_preds(graph: &DiGraph<Node, Edge>) -> Vec<Vec<NodeIndex>> {
    let mut preds: Vec<Vec<NodeIndex>> = vec![Vec::new(); graph.node_count()];
    for e in graph.raw_edges() {
        if !matches!(graph[e.source()].kind, NodeKind::Client(_)) {
            preds[e.target().index()].push(e.source());
        }
    }
    for p in &mut preds {
        p.sort();
        p.dedup();
    }
    preds
}

/// State of one depth-first path search.
struct Search<'a> {
    g: &'a DefenseGraph,
    goal: NodeIndex,
    /// Hops to the goal per node index ([`UNREACHABLE`] when none).
    dist: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<NodeIndex>,
    /// Controls of each hop on the stack (`stack.len() - 1` entries).
    hop_controls: Vec<&'a [Control]>,
    out: Vec<AttackPath>,
    visits: usize,
    /// The terminal cut that stopped the search, if any.
    stopped: Option<Cut>,
    /// Some branch was dropped for needing more than [`MAX_PATH_NODES`].
    depth_cut: bool,
}

impl<'a> Search<'a> {
    /// Enters `n` (the caller checked it can still lead to the goal within
    /// the node limit); false when a terminal limit stopped the search.
    fn enter(&mut self, n: NodeIndex) -> bool {
        if self.out.len() >= MAX_PATHS_PER_TARGET {
            self.stopped = Some(Cut::PathCap);
            return false;
        }
        self.stack.push(n);
        if n == self.goal {
            self.out.push(self.g.describe(&self.stack, &self.hop_controls));
            self.stack.pop();
            return true;
        }
        if self.visits >= MAX_VISITS_PER_TARGET {
            self.stopped = Some(Cut::VisitBudget);
            self.stack.pop();
            return false;
        }
        self.visits += 1;
        self.on_stack[n.index()] = true;
        let g = self.g;
        let mut keep_going = true;
        for hop in &g.hops[n.index()] {
            let d = self.dist[hop.to.index()];
            if d == UNREACHABLE || self.on_stack[hop.to.index()] {
                continue;
            }
            // Nodes after `hop.to`: at least `d` more.
            if self.stack.len() + 1 + d > MAX_PATH_NODES {
                self.depth_cut = true;
                continue;
            }
            self.hop_controls.push(&hop.weakest);
            keep_going = self.enter(hop.to);
            self.hop_controls.pop();
            if !keep_going {
                break;
            }
        }
        self.on_stack[n.index()] = false;
        self.stack.pop();
        keep_going
    }
}
