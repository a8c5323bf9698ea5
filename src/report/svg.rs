//! The defense-in-depth graph as an inline SVG (for the HTML report).

use super::GraphView;
use crate::audit::Status;
use crate::graph::layout::column_title;
use maud::{Markup, html};
use std::collections::BTreeMap;

const COL_W: f64 = 215.0;
const ROW_H: f64 = 84.0;
const NODE_W: f64 = 145.0;
const NODE_H: f64 = 44.0;
const TOP: f64 = 70.0;

/// Fill colour for a status.
pub fn status_colour(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Pass) => "#d6f5dd",
        Some(Status::Fail) => "#ffd6d6",
        Some(Status::Error) => "#ffe7c2",
        Some(Status::Unverified) => "#e8e8f4",
        _ => "#f4f4f4",
    }
}

/// A cubic Bézier from the right side of node `a` to the left side of node
/// `b` (or between their centres when `b` is not to the right), arching
/// over the nodes in between when both sit on the same row. Returns the
/// path data and the curve's midpoint for the label.
fn edge_curve(a: (f64, f64), b: (f64, f64)) -> (String, f64, f64) {
    let (mut x1, y1) = (a.0 + NODE_W, a.1 + NODE_H / 2.0);
    let (mut x2, y2) = (b.0, b.1 + NODE_H / 2.0);
    if x2 <= x1 {
        x1 = a.0 + NODE_W / 2.0;
        x2 = b.0 + NODE_W / 2.0;
    }
    let span = ((x2 - x1) / COL_W).round();
    let lift = if (y1 - y2).abs() < 1.0 && span >= 1.0 {
        -(NODE_H / 2.0 + 14.0 * span)
    } else {
        0.0
    };
    let dx = ((x2 - x1) / 2.0).max(30.0);
    let (c1x, c1y, c2x, c2y) = (x1 + dx, y1 + lift, x2 - dx, y2 + lift);
    let mx = (x1 + 3.0 * c1x + 3.0 * c2x + x2) / 8.0;
    let my = (y1 + 3.0 * c1y + 3.0 * c2y + y2) / 8.0;
    (
        format!("M {x1:.1} {y1:.1} C {c1x:.1} {c1y:.1}, {c2x:.1} {c2y:.1}, {x2:.1} {y2:.1}"),
        mx,
        my,
    )
}

/// Stroke colour of an edge that is not a bypass: the status of the wire
/// it lands on.
fn edge_style(e: &super::GraphEdge) -> String {
    match (e.bypass, e.status) {
        (false, Some(Status::Fail)) => "stroke:#c62828".into(),
        (false, Some(Status::Error)) => "stroke:#b26a00".into(),
        (false, Some(Status::Pass)) => "stroke:#2e7d32".into(),
        (false, Some(Status::Unverified)) => "stroke:#5c5c99".into(),
        _ => String::new(),
    }
}

/// Shortens a label to `max` characters with an ellipsis (full text is in
/// the node's tooltip).
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Renders the graph.
pub fn render(g: &GraphView) -> Markup {
    // Compact the used columns so empty layers leave no gap.
    let mut cols: Vec<usize> = g.nodes.iter().map(|n| n.column).collect();
    cols.sort();
    cols.dedup();
    let x_of = |col: usize| cols.iter().position(|c| *c == col).unwrap_or(0) as f64 * COL_W + 20.0;
    let rows = g.nodes.iter().map(|n| n.row + 1).max().unwrap_or(1);
    let width = cols.len().max(1) as f64 * COL_W + 20.0;
    let height = TOP + rows as f64 * ROW_H + 10.0;
    let pos: BTreeMap<&str, (f64, f64)> = g
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), (x_of(n.column), TOP + n.row as f64 * ROW_H)))
        .collect();
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox={ "0 0 " (width) " " (height) } width="100%" style={ "max-width:" (width) "px" } role="img" aria-label="Defense-in-depth graph" {
            defs {
                marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#555" {}
                }
                marker id="arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#c62828" {}
                }
            }
            @for c in &cols {
                text x=(x_of(*c) + NODE_W / 2.0) y="16" text-anchor="middle" class="col-title" { (column_title(*c)) }
            }
            @for e in &g.edges {
                @if let (Some(a), Some(b)) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) {
                    @let curve = edge_curve(*a, *b);
                    @let class = if e.bypass { "edge bypass" } else if e.attacker { "edge attacker" } else { "edge" };
                    path d=(curve.0) class=(class) fill="none" style=(edge_style(e)) marker-end=(if e.bypass { "url(#arrow-red)" } else { "url(#arrow)" }) {
                        title { (e.from) " → " (e.to) ": " (e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")) }
                    }
                    @if !e.controls.is_empty() && !e.attacker {
                        text x=(curve.1) y=(curve.2 - 4.0) text-anchor="middle" class="edge-label" {
                            (e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(" · "))
                        }
                    }
                }
            }
            @for n in &g.nodes {
                @let (x, y) = pos.get(n.id.as_str()).copied().unwrap_or((0.0, 0.0));
                g class="node" {
                    title { (n.label) " (" (n.id) ")" (n.status.map(|s| format!(" — {}", s.name())).unwrap_or_default()) }
                    rect x=(x) y=(y) width=(NODE_W) height=(NODE_H) rx="8" fill=(status_colour(n.status)) stroke=(if n.sensitive { "#6a1b9a" } else { "#666" }) stroke-width=(if n.sensitive { "2.5" } else { "1" }) {}
                    text x=(x + NODE_W / 2.0) y=(y + 19.0) text-anchor="middle" class="node-label" { (truncate(&n.label, 22)) }
                    text x=(x + NODE_W / 2.0) y=(y + 35.0) text-anchor="middle" class="node-sub" {
                        (n.status.map(|s| s.name()).unwrap_or("—"))
                        @if n.sensitive { " · sensitive data" }
                    }
                }
            }
        }
    }
}
