//! A layered left-to-right layout of the defense graph, computed once per
//! model (never per frame): one layer per column (internet → clients →
//! network controls → gateway → auth → services → data → monitoring, empty
//! columns compacted), a node's layer fixed by its kind.
//!
//! This is the ordering half of a Sugiyama layout; [`super::route`] turns
//! it into coordinates and edge paths. Flows between the same two nodes in
//! the same direction are bundled into one drawn edge. A bundle spanning
//! more than one column gets one dummy item in every column it crosses
//! (a backward bundle is laid out like a forward one and drawn reversed;
//! a bundle within one column gets no dummy and is routed in the gap to
//! the column's right). Items in each column are ordered by barycenter
//! sweeps (a bounded number, alternating direction), keeping the ordering
//! with the fewest crossings between adjacent columns; ties break by id,
//! so the same model always gives the same picture.

use super::{DefenseGraph, NodeKind};
use crate::model::ComponentKind;
use std::collections::{BTreeMap, HashMap};

/// Column of a node kind.
pub fn column(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Internet => 0,
        NodeKind::Client(_) => 1,
        NodeKind::Component(k) => match k {
            ComponentKind::Edge | ComponentKind::Cdn | ComponentKind::Waf => 2,
            ComponentKind::ApiGateway => 3,
            ComponentKind::AuthServer => 4,
            ComponentKind::Service => 5,
            ComponentKind::Datastore => 6,
            ComponentKind::Monitoring => 7,
        },
    }
}

/// Human name of a column.
pub fn column_title(col: usize) -> &'static str {
    [
        "Internet",
        "Clients",
        "Network",
        "Gateway",
        "Auth",
        "Services",
        "Data",
        "Monitoring",
    ]
    .get(col)
    .copied()
    .unwrap_or("")
}

/// Position of every node in grid units: `(column, row)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Node id → (column, row): the row is the node's rank among the
    /// nodes of its column (dummies not counted).
    pub positions: HashMap<String, (usize, usize)>,
    /// Columns that hold at least one node, ascending.
    pub columns: Vec<usize>,
    /// Most rows in any column.
    pub rows: usize,
    /// The full layered ordering, dummies included.
    pub layered: Layered,
}

/// One item of a layer: a node or a dummy of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// A graph node (petgraph node index).
    Node(usize),
    /// The dummy of bundle `.0` in this column.
    Dummy(usize),
}

/// Flows between the same two nodes in one direction, drawn as one edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// Source node (petgraph index).
    pub from: usize,
    /// Target node.
    pub to: usize,
    /// The petgraph edge indices bundled, ascending.
    pub edges: Vec<usize>,
    /// Items the bundle passes, left to right in layout order (for a
    /// backward bundle that is target first); empty for a bundle within
    /// one column.
    pub stops: Vec<Item>,
    /// Drawn right to left (the source is in a later column).
    pub reversed: bool,
}

/// The layered ordering.
#[derive(Debug, Clone, PartialEq)]
pub struct Layered {
    /// Layer (0..8) of each compacted column.
    pub columns: Vec<usize>,
    /// Items of each compacted column, top to bottom.
    pub order: Vec<Vec<Item>>,
    /// Compacted column of each node (petgraph index).
    pub node_col: Vec<usize>,
    /// The bundles, by first edge index.
    pub bundles: Vec<Bundle>,
}

/// Most adjacent-column segment pairs compared when counting crossings:
/// past it the sweeps run unjudged and the last ordering is kept.
const MAX_CROSSING_PAIRS: usize = 2_000_000;

/// Sweeps after the first ordering.
const SWEEPS: usize = 8;

/// Slot of every item: item → (column, index), dummies keyed by bundle
/// and column.
#[derive(Default)]
struct Slots {
    node: HashMap<usize, usize>,
    dummy: HashMap<(usize, usize), usize>,
}

impl Slots {
    fn of(order: &[Vec<Item>]) -> Slots {
        let mut s = Slots::default();
        for (c, items) in order.iter().enumerate() {
            for (i, it) in items.iter().enumerate() {
                match it {
                    Item::Node(n) => s.node.insert(*n, i),
                    Item::Dummy(b) => s.dummy.insert((*b, c), i),
                };
            }
        }
        s
    }
    fn get(&self, it: Item, col: usize) -> Option<usize> {
        match it {
            Item::Node(n) => self.node.get(&n).copied(),
            Item::Dummy(b) => self.dummy.get(&(b, col)).copied(),
        }
    }
}

/// Column of an item.
fn item_col(l: &Layered, it: Item, stop_index: usize, bundle: &Bundle) -> usize {
    match it {
        Item::Node(n) => l.node_col.get(n).copied().unwrap_or(0),
        Item::Dummy(_) => {
            let first = match bundle.stops.first() {
                Some(Item::Node(n)) => l.node_col.get(*n).copied().unwrap_or(0),
                _ => 0,
            };
            first + stop_index
        }
    }
}

/// Neighbours of every item in the previous (`left`) or next column, as
/// (item, its column) pairs.
fn neighbours(l: &Layered, left: bool) -> HashMap<(Item, usize), Vec<(Item, usize)>> {
    let mut m: HashMap<(Item, usize), Vec<(Item, usize)>> = HashMap::new();
    for b in &l.bundles {
        for (i, w) in b.stops.windows(2).enumerate() {
            let (ca, cb) = (item_col(l, w[0], i, b), item_col(l, w[1], i + 1, b));
            if left {
                m.entry((w[1], cb)).or_default().push((w[0], ca));
            } else {
                m.entry((w[0], ca)).or_default().push((w[1], cb));
            }
        }
    }
    m
}

/// Sorts one column by the mean index of each item's neighbours (items
/// without any keep their index); ties by current index.
fn reorder(order: &mut [Vec<Item>], col: usize, nbrs: &HashMap<(Item, usize), Vec<(Item, usize)>>) {
    let slots = Slots::of(order);
    let Some(items) = order.get(col) else { return };
    let mut keyed: Vec<(f64, usize, Item)> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let near: Vec<f64> = nbrs
                .get(&(*it, col))
                .map(|v| {
                    v.iter()
                        .filter_map(|(n, c)| slots.get(*n, *c))
                        .map(|p| p as f64)
                        .collect()
                })
                .unwrap_or_default();
            let key = if near.is_empty() {
                i as f64
            } else {
                near.iter().sum::<f64>() / near.len() as f64
            };
            (key, i, *it)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    if let Some(items) = order.get_mut(col) {
        for (slot, (_, _, it)) in items.iter_mut().zip(keyed) {
            *slot = it;
        }
    }
}

/// Crossings between adjacent columns, or None when there are too many
/// segment pairs to compare.
fn crossings(l: &Layered, order: &[Vec<Item>]) -> Option<usize> {
    let slots = Slots::of(order);
    let mut per_gap: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    for b in &l.bundles {
        for (i, w) in b.stops.windows(2).enumerate() {
            let (ca, cb) = (item_col(l, w[0], i, b), item_col(l, w[1], i + 1, b));
            if let (Some(pa), Some(pb)) = (slots.get(w[0], ca), slots.get(w[1], cb)) {
                per_gap.entry(ca).or_default().push((pa, pb));
            }
        }
    }
    let pairs: usize = per_gap.values().map(|v| v.len().saturating_mul(v.len()) / 2).sum();
    if pairs > MAX_CROSSING_PAIRS {
        return None;
    }
    let mut n = 0;
    for segs in per_gap.values() {
        for (i, a) in segs.iter().enumerate() {
            for b in &segs[i + 1..] {
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    n += 1;
                }
            }
        }
    }
    Some(n)
}

/// Computes the layered ordering and the grid positions.
pub fn layout(g: &DefenseGraph) -> Layout {
    let count = g.graph.node_count();
    let layer: Vec<usize> = g.graph.node_indices().map(|n| column(g.graph[n].kind)).collect();
    let mut columns: Vec<usize> = layer.clone();
    columns.sort_unstable();
    columns.dedup();
    let node_col: Vec<usize> = layer
        .iter()
        .map(|c| columns.iter().position(|x| x == c).unwrap_or(0))
        .collect();
    // Bundles, by first edge.
    let mut by_pair: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut bundles: Vec<Bundle> = Vec::new();
    for e in g.graph.edge_indices() {
        let Some((a, b)) = g.graph.edge_endpoints(e) else {
            continue;
        };
        let key = (a.index(), b.index());
        if let Some(&i) = by_pair.get(&key) {
            if let Some(bd) = bundles.get_mut(i) {
                bd.edges.push(e.index());
            }
            continue;
        }
        by_pair.insert(key, bundles.len());
        bundles.push(Bundle {
            from: key.0,
            to: key.1,
            edges: vec![e.index()],
            stops: Vec::new(),
            reversed: false,
        });
    }
    let mut order: Vec<Vec<Item>> = vec![Vec::new(); columns.len()];
    // Nodes by id in each column.
    let mut ids: Vec<usize> = (0..count).collect();
    ids.sort_by(|a, b| {
        let (na, nb) = (
            &g.graph[petgraph::graph::NodeIndex::new(*a)],
            &g.graph[petgraph::graph::NodeIndex::new(*b)],
        );
        na.id.cmp(&nb.id)
    });
    for n in ids {
        if let Some(col) = node_col.get(n).and_then(|c| order.get_mut(*c)) {
            col.push(Item::Node(n));
        }
    }
    for (bi, b) in bundles.iter_mut().enumerate() {
        let (ca, cb) = (
            node_col.get(b.from).copied().unwrap_or(0),
            node_col.get(b.to).copied().unwrap_or(0),
        );
        if ca == cb {
            continue;
        }
        let (left, right, lc, rc) = if ca < cb {
            (b.from, b.to, ca, cb)
        } else {
            (b.to, b.from, cb, ca)
        };
        b.reversed = ca > cb;
        b.stops.push(Item::Node(left));
        for c in lc + 1..rc {
            b.stops.push(Item::Dummy(bi));
            if let Some(col) = order.get_mut(c) {
                col.push(Item::Dummy(bi));
            }
        }
        b.stops.push(Item::Node(right));
    }
    let mut l = Layered {
        columns: columns.clone(),
        order: Vec::new(),
        node_col,
        bundles,
    };
    let from_left = neighbours(&l, true);
    let from_right = neighbours(&l, false);
    // First ordering: left to right on predecessors.
    for c in 0..order.len() {
        reorder(&mut order, c, &from_left);
    }
    let mut best = (crossings(&l, &order), order.clone());
    for sweep in 0..SWEEPS {
        let backwards = sweep % 2 == 0;
        let cols: Vec<usize> = if backwards {
            (0..order.len()).rev().collect()
        } else {
            (0..order.len()).collect()
        };
        for c in cols {
            reorder(&mut order, c, if backwards { &from_right } else { &from_left });
        }
        match (crossings(&l, &order), best.0) {
            (Some(now), Some(was)) if now < was => best = (Some(now), order.clone()),
            (None, _) => best = (None, order.clone()),
            _ => {}
        }
    }
    l.order = best.1;
    let mut positions = HashMap::new();
    let mut rows = 0;
    for (c, items) in l.order.iter().enumerate() {
        let mut row = 0;
        for it in items {
            if let Item::Node(n) = it {
                let node = &g.graph[petgraph::graph::NodeIndex::new(*n)];
                positions.insert(node.id.clone(), (columns.get(c).copied().unwrap_or(0), row));
                row += 1;
            }
        }
        rows = rows.max(row);
    }
    Layout {
        positions,
        columns,
        rows,
        layered: l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_untangle_a_crossed_pair() {
        // Two gateways each feeding one service; alphabetical order crosses them.
        let yaml = r#"
strata: 1
system: { name: t }
components:
  - { id: a-gw, kind: api-gateway, exposure: public }
  - { id: b-gw, kind: api-gateway, exposure: public }
  - { id: a-svc, kind: service }
  - { id: z-svc, kind: service }
flows:
  - { from: a-gw, to: z-svc }
  - { from: b-gw, to: a-svc }
"#;
        let m = crate::model::load_str(yaml, std::path::Path::new("t.yaml")).expect("model");
        let g = DefenseGraph::build(&m);
        let l = layout(&g);
        let row = |id: &str| l.positions.get(id).map(|p| p.1).expect("placed");
        assert_eq!(row("a-gw") < row("b-gw"), row("z-svc") < row("a-svc"));
        assert_eq!(crossings(&l.layered, &l.layered.order), Some(0));
        assert_eq!(layout(&g), l);
    }

    #[test]
    fn a_dense_mesh_gets_a_deterministic_layout() {
        let mut y = String::from("strata: 1\nsystem: { name: mesh }\ncomponents:\n");
        let n = 40;
        for i in 0..n {
            y.push_str(&format!("  - {{ id: s{i:02}, kind: service, exposure: public }}\n"));
        }
        y.push_str("flows:\n");
        for i in 0..n {
            for j in (0..n).filter(|j| *j != i) {
                y.push_str(&format!("  - {{ from: s{i:02}, to: s{j:02} }}\n"));
            }
        }
        let m = crate::model::load_str(&y, std::path::Path::new("t.yaml")).expect("model");
        let g = DefenseGraph::build(&m);
        let l = layout(&g);
        assert_eq!(l.positions.len(), n + 1);
        let distinct: std::collections::BTreeSet<(usize, usize)> = l.positions.values().copied().collect();
        assert_eq!(distinct.len(), n + 1, "two nodes share a cell");
        assert_eq!(l.rows, n);
        assert_eq!(layout(&g), l);
    }
}
