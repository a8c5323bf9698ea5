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

/// Computes the layout.
pub fn layout(g: &DefenseGraph) -> Layout {
    let mut by_col: Vec<Vec<petgraph::graph::NodeIndex>> = vec![Vec::new(); 8];
    for n in g.graph.node_indices() {
        by_col[column(g.graph[n].kind)].push(n);
    }
    let mut row_of: HashMap<petgraph::graph::NodeIndex, f64> = HashMap::new();
    let mut positions = HashMap::new();
    let mut columns = Vec::new();
    let mut rows = 0;
    for (col, nodes) in by_col.iter_mut().enumerate() {
        if nodes.is_empty() {
            continue;
        }
        columns.push(col);
        let mut keyed: Vec<(f64, String, petgraph::graph::NodeIndex)> = nodes
            .iter()
            .map(|&n| {
                let preds: Vec<f64> = g
                    .graph
                    .neighbors_directed(n, Direction::Incoming)
                    .filter_map(|p| row_of.get(&p).copied())
                    .collect();
                let bary = if preds.is_empty() {
                    f64::MAX
                } else {
                    preds.iter().sum::<f64>() / preds.len() as f64
                };
                (bary, g.graph[n].id.clone(), n)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        for (row, (_, id, n)) in keyed.into_iter().enumerate() {
            row_of.insert(n, row as f64);
            positions.insert(id, (col, row));
            rows = rows.max(row + 1);
        }
    }
    Layout {
        positions,
        columns,
        rows,
    }
}
