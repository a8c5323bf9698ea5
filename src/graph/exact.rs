//! Exact answers about every attack path, whatever its length and however
//! many there are: whether an unauthenticated one exists, and the smallest
//! defense depth. The path search lists paths within limits; these answers
//! have none, so a rule built on them never passes on paths it did not see.
//!
//! Both rest on one fact: any walk from the internet to a target contains a
//! simple path (cut its cycles) whose hops and nodes are a subset of the
//! walk's, so its controls are a subset too and it starts with the same
//! first hop. Reachability over the right subgraph therefore decides the
//! question for simple paths.
//!
//! * An unauthenticated path exists when the target is reachable from a
//!   first hop that does not authenticate the caller, through hops and
//!   nodes that carry no end-to-end proof: one breadth-first search.
//! * The smallest depth is the size of the smallest control set `S` such
//!   that the target is reachable using only hops and nodes whose controls
//!   lie in `S`: one breadth-first search per subset of the controls that
//!   occur in the graph, smallest subsets first, stopping once every
//!   reachable node has its answer. At most 2^11 searches (the server-side
//!   controls), each linear in the graph: bounded work whatever the shape.

use super::{DefenseGraph, INTERNET, NodeKind};
use crate::model::Control;
use std::collections::VecDeque;

/// Bit of a control in a control-set mask.
fn bit(c: Control) -> u32 {
    // `Control` is a field-less enum of 12 variants: its discriminants fit.
    1u32 << (c as u32)
}

/// Mask of the server-side controls in `controls`.
fn mask<'a>(controls: impl IntoIterator<Item = &'a Control>) -> u32 {
    controls
        .into_iter()
        .filter(|c| !c.client_side())
        .fold(0, |m, c| m | bit(*c))
}

/// Mask of every control that `pred` holds for.
fn mask_where(controls: &[Control], pred: impl Fn(Control) -> bool) -> u32 {
    controls.iter().filter(|c| pred(**c)).fold(0, |m, c| m | bit(*c))
}

/// Exact path facts for every node of a graph.
#[derive(Debug, Clone)]
pub(super) struct Exact {
    /// Per node index: the smallest defense depth of any attack path to it,
    /// none when no attack path reaches it.
    pub min_depth: Vec<Option<usize>>,
    /// Per node index: some attack path to it does not authenticate the
    /// attacker.
    pub unauthenticated: Vec<bool>,
}

impl Exact {
    /// Computes the facts for every node of `g` at once.
    pub fn of(g: &DefenseGraph) -> Exact {
        let n = g.graph.node_count();
        let mut out = Exact {
            min_depth: vec![None; n],
            unauthenticated: vec![false; n],
        };
        let Some(start) = g.node(INTERNET) else {
            return out;
        };
        // Server-side controls each node enforces, and each hop carries.
        let node_mask: Vec<u32> = g.graph.node_indices().map(|i| mask(&g.graph[i].enforces)).collect();
        let hop_mask: Vec<Vec<u32>> = g
            .hops
            .iter()
            .map(|hs| hs.iter().map(|h| mask(&h.weakest)).collect())
            .collect();

        // Unauthenticated: first hops that do not authenticate the caller,
        // then only hops and nodes without an end-to-end proof.
        let e2e_free_node =
            |i: usize| mask_where(&g.graph[super::NodeIndex::new(i)].enforces, Control::end_to_end) == 0;
        let mut queue = VecDeque::new();
        for hop in &g.hops[start.index()] {
            let to = hop.to.index();
            let first = mask_where(&hop.weakest, Control::authenticates_caller)
                | mask_where(&g.graph[hop.to].enforces, Control::authenticates_caller);
            let e2e = mask_where(&hop.weakest, Control::end_to_end);
            if first == 0 && e2e == 0 && e2e_free_node(to) && !out.unauthenticated[to] {
                out.unauthenticated[to] = true;
                queue.push_back(to);
            }
        }
        while let Some(u) = queue.pop_front() {
            for hop in &g.hops[u] {
                let to = hop.to.index();
                if !out.unauthenticated[to]
                    && to != start.index()
                    && mask_where(&hop.weakest, Control::end_to_end) == 0
                    && e2e_free_node(to)
                {
                    out.unauthenticated[to] = true;
                    queue.push_back(to);
                }
            }
        }

        // Smallest depth: smallest control sets first.
        let mut pending = attacker_reach(g, start.index()).iter().filter(|r| **r).count();
        let universe = node_mask.iter().chain(hop_mask.iter().flatten()).fold(0, |m, x| m | x);
        let mut subsets: Vec<u32> = submasks(universe);
        subsets.sort_by_key(|s| (s.count_ones(), *s));
        let mut seen = vec![false; n];
        for s in subsets {
            if pending == 0 {
                break;
            }
            seen.iter_mut().for_each(|x| *x = false);
            seen[start.index()] = true;
            let mut queue = VecDeque::from([start.index()]);
            while let Some(u) = queue.pop_front() {
                for (hop, hm) in g.hops[u].iter().zip(&hop_mask[u]) {
                    let to = hop.to.index();
                    if seen[to] || hm & !s != 0 || node_mask[to] & !s != 0 {
                        continue;
                    }
                    seen[to] = true;
                    queue.push_back(to);
                    if out.min_depth[to].is_none() {
                        out.min_depth[to] = Some(s.count_ones() as usize);
                        pending -= 1;
                    }
                }
            }
        }
        out.min_depth[start.index()] = None;
        out.unauthenticated[start.index()] = false;
        for i in g.graph.node_indices() {
            if matches!(g.graph[i].kind, NodeKind::Client(_)) {
                out.min_depth[i.index()] = None;
                out.unauthenticated[i.index()] = false;
            }
        }
        out
    }
}

/// Nodes other than `start` that some attack path reaches.
fn attacker_reach(g: &DefenseGraph, start: usize) -> Vec<bool> {
    let mut seen = vec![false; g.graph.node_count()];
    let mut queue = VecDeque::from([start]);
    let mut reach = vec![false; g.graph.node_count()];
    seen[start] = true;
    while let Some(u) = queue.pop_front() {
        for hop in &g.hops[u] {
            let to = hop.to.index();
            if !seen[to] {
                seen[to] = true;
                reach[to] = true;
                queue.push_back(to);
            }
        }
    }
    reach
}

/// Every subset of the bits of `universe`, the empty set included.
fn submasks(universe: u32) -> Vec<u32> {
    let mut out = vec![0];
    let mut s = universe;
    while s != 0 {
        out.push(s);
        s = (s - 1) & universe;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submasks_are_every_subset_once() {
        let mut s = submasks(0b1011);
        s.sort();
        assert_eq!(s, [0b0000, 0b0001, 0b0010, 0b0011, 0b1000, 0b1001, 0b1010, 0b1011]);
        assert_eq!(submasks(0), [0]);
    }

    #[test]
    fn every_control_has_its_own_bit() {
        let all = Control::ALL;
        let bits: std::collections::BTreeSet<u32> = all.iter().map(|c| bit(*c)).collect();
        assert_eq!(bits.len(), all.len());
    }
}
