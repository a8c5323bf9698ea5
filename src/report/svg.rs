//! The defense-in-depth graph as an inline SVG (for the HTML report).

use super::GraphView;
use crate::audit::Status;
use crate::graph::layout::column_title;
use maud::{Markup, html};
use std::collections::BTreeMap;

const COL_W: f64 = 190.0;
const ROW_H: f64 = 84.0;
const NODE_W: f64 = 150.0;
const NODE_H: f64 = 44.0;
const TOP: f64 = 40.0;

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
        svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) role="img" aria-label="Defense-in-depth graph" {
            defs {
                marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#555" {}
                }
                marker id="arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#c62828" {}
                }
            }
            @for c in &cols {
                text x=(x_of(*c) + NODE_W / 2.0) y="18" text-anchor="middle" class="col-title" { (column_title(*c)) }
            }
            @for e in &g.edges {
                @if let (Some(a), Some(b)) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) {
                    @let (x1, y1, x2, y2) = (a.0 + NODE_W, a.1 + NODE_H / 2.0, b.0, b.1 + NODE_H / 2.0);
                    @let backwards = x2 <= x1;
                    @let (x1, x2) = if backwards { (a.0 + NODE_W / 2.0, b.0 + NODE_W / 2.0) } else { (x1, x2) };
                    @let class = if e.bypass { "edge bypass" } else if e.attacker { "edge attacker" } else { "edge" };
                    line x1=(x1) y1=(y1) x2=(x2) y2=(y2) class=(class) marker-end=(if e.bypass { "url(#arrow-red)" } else { "url(#arrow)" }) {
                        title { (e.from) " → " (e.to) ": " (e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")) }
                    }
                    @if !e.controls.is_empty() {
                        text x=((x1 + x2) / 2.0) y=((y1 + y2) / 2.0 - 4.0) text-anchor="middle" class="edge-label" {
                            (e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(" · "))
                        }
                    }
                }
            }
            @for n in &g.nodes {
                @let (x, y) = pos.get(n.id.as_str()).copied().unwrap_or((0.0, 0.0));
                g class="node" {
                    title { (n.id) (n.status.map(|s| format!(" — {}", s.name())).unwrap_or_default()) }
                    rect x=(x) y=(y) width=(NODE_W) height=(NODE_H) rx="8" fill=(status_colour(n.status)) stroke=(if n.sensitive { "#6a1b9a" } else { "#666" }) stroke-width=(if n.sensitive { "2.5" } else { "1" }) {}
                    text x=(x + NODE_W / 2.0) y=(y + 19.0) text-anchor="middle" class="node-label" { (n.label) }
                    text x=(x + NODE_W / 2.0) y=(y + 35.0) text-anchor="middle" class="node-sub" {
                        (n.status.map(|s| s.name()).unwrap_or("—"))
                        @if n.sensitive { " · sensitive data" }
                    }
                }
            }
        }
    }
}
