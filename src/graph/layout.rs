//! A layered left-to-right layout of the defense graph, computed once per
//! model (never per frame): one column per layer (internet → clients →
//! network controls → gateway → auth → services → data → monitoring), rows
//! ordered by the mean row of each node's predecessors, ties by id, so the
//! same model always gives the same picture.

use super::{DefenseGraph, NodeKind};
use crate::model::ComponentKind;
use petgraph::Direction;
use std::collections::HashMap;

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
    /// Node id → (column, row).
    pub positions: HashMap<String, (usize, usize)>,
    /// Columns that hold at least one node, ascending.
    pub columns: Vec<usize>,
    /// Most rows in any column.
    pub rows: usize,
}

type Ix = petgraph::graph::NodeIndex;

/// Orders one column by the mean row of each node's neighbours in
/// `direction` (nodes without such neighbours keep their place), ties by
/// current row then id, so the result is deterministic.
fn reorder(g: &DefenseGraph, column: &mut [Ix], row_of: &HashMap<Ix, f64>, direction: Direction) {
    let mut keyed: Vec<(f64, f64, String, Ix)> = column
        .iter()
        .map(|&n| {
            let current = row_of.get(&n).copied().unwrap_or(f64::MAX);
            let near: Vec<f64> = g
                .graph
                .neighbors_directed(n, direction)
                .filter_map(|p| row_of.get(&p).copied())
                .collect();
            let bary = if near.is_empty() {
                current
            } else {
                near.iter().sum::<f64>() / near.len() as f64
            };
            (bary, current, g.graph[n].id.clone(), n)
        })
        .collect();
    keyed.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    for (slot, (_, _, _, n)) in column.iter_mut().zip(keyed) {
        *slot = n;
    }
}

/// Most segment pairs [`crossings`] compares: counting is quadratic in the
/// edges, so a denser graph keeps its first ordering instead of being swept.
const MAX_CROSSING_PAIRS: usize = 1_000_000;

/// Whether the crossings of `g` are cheap enough to count.
fn countable(g: &DefenseGraph) -> bool {
    let e = g.graph.edge_count();
    e.saturating_mul(e.saturating_sub(1)) / 2 <= MAX_CROSSING_PAIRS
}

/// Edge crossings of a layout, edges drawn as straight segments between
/// (column, row) points.
fn crossings(g: &DefenseGraph, pos: &HashMap<Ix, (f64, f64)>) -> usize {
    let segs: Vec<((f64, f64), (f64, f64))> = g
        .graph
        .edge_indices()
        .filter_map(|e| g.graph.edge_endpoints(e))
        .filter_map(|(a, b)| Some((*pos.get(&a)?, *pos.get(&b)?)))
        .collect();
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    let mut n = 0;
    for (i, (a, b)) in segs.iter().enumerate() {
        for (c, d) in &segs[i + 1..] {
            if a == c || a == d || b == c || b == d {
                continue;
            }
            let (d1, d2) = (orient(*a, *b, *c), orient(*a, *b, *d));
            let (d3, d4) = (orient(*c, *d, *a), orient(*c, *d, *b));
            if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
                n += 1;
            }
        }
    }
    n
}

/// Sweeps tried after the first ordering; the ordering with the fewest
/// crossings wins.
const SWEEPS: usize = 6;

/// Computes the layout: columns by layer, rows by barycentric sweeps (left
/// to right on predecessors, right to left on successors), keeping the
/// ordering with the fewest edge crossings. A graph too dense to count its
/// crossings ([`MAX_CROSSING_PAIRS`]) keeps the first, predecessor-ordered
/// layout.
pub fn layout(g: &DefenseGraph) -> Layout {
    let mut by_col: Vec<Vec<Ix>> = vec![Vec::new(); 8];
    for n in g.graph.node_indices() {
        by_col[column(g.graph[n].kind)].push(n);
    }
    let columns: Vec<usize> = (0..by_col.len()).filter(|c| !by_col[*c].is_empty()).collect();
    let mut row_of: HashMap<Ix, f64> = HashMap::new();
    let snapshot = |by_col: &Vec<Vec<Ix>>, row_of: &mut HashMap<Ix, f64>| {
        row_of.clear();
        for nodes in by_col {
            for (r, n) in nodes.iter().enumerate() {
                row_of.insert(*n, r as f64);
            }
        }
    };
    let placed = |by_col: &Vec<Vec<Ix>>| -> HashMap<Ix, (f64, f64)> {
        by_col
            .iter()
            .enumerate()
            .flat_map(|(c, nodes)| nodes.iter().enumerate().map(move |(r, n)| (*n, (c as f64, r as f64))))
            .collect()
    };
    // First ordering: left to right, by predecessors (ids break ties).
    for col in &columns {
        by_col[*col].sort_by(|a, b| g.graph[*a].id.cmp(&g.graph[*b].id));
        let mut column = std::mem::take(&mut by_col[*col]);
        reorder(g, &mut column, &row_of, Direction::Incoming);
        for (r, n) in column.iter().enumerate() {
            row_of.insert(*n, r as f64);
        }
        by_col[*col] = column;
    }
    let mut best = (
        if countable(g) {
            crossings(g, &placed(&by_col))
        } else {
            0
        },
        by_col.clone(),
    );
    // Without a crossing count no sweep can be judged better: keep the first.
    let sweeps = if countable(g) { SWEEPS } else { 0 };
    for sweep in 0..sweeps {
        let backwards = sweep % 2 == 0;
        let order: Vec<usize> = if backwards {
            columns.iter().rev().copied().collect()
        } else {
            columns.clone()
        };
        for col in order {
            snapshot(&by_col, &mut row_of);
            let mut column = std::mem::take(&mut by_col[col]);
            reorder(
                g,
                &mut column,
                &row_of,
                if backwards {
                    Direction::Outgoing
                } else {
                    Direction::Incoming
                },
            );
            by_col[col] = column;
        }
        let c = crossings(g, &placed(&by_col));
        if c < best.0 {
            best = (c, by_col.clone());
        }
    }
    let mut positions = HashMap::new();
    let mut rows = 0;
    for (col, nodes) in best.1.iter().enumerate() {
        for (row, n) in nodes.iter().enumerate() {
            positions.insert(g.graph[*n].id.clone(), (col, row));
            rows = rows.max(row + 1);
        }
    }
    Layout {
        positions,
        columns,
        rows,
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
        // Each service sits level with the gateway that feeds it.
        assert_eq!(row("a-gw") < row("b-gw"), row("z-svc") < row("a-svc"));
        let pos: HashMap<Ix, (f64, f64)> = g
            .graph
            .node_indices()
            .map(|n| {
                let (c, r) = l.positions[&g.graph[n].id];
                (n, (c as f64, r as f64))
            })
            .collect();
        assert_eq!(crossings(&g, &pos), 0);
        // Deterministic.
        assert_eq!(layout(&g), l);
    }

    #[test]
    fn a_graph_too_dense_to_sweep_keeps_a_deterministic_first_layout() {
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
        assert!(!countable(&g));
        let l = layout(&g);
        assert_eq!(l.positions.len(), n + 1);
        let distinct: std::collections::BTreeSet<(usize, usize)> = l.positions.values().copied().collect();
        assert_eq!(distinct.len(), n + 1, "two nodes share a cell");
        assert_eq!(l.rows, n);
        assert_eq!(layout(&g), l);
    }
}
