//! The defense-in-depth graph as an inline SVG (for the HTML report).

use super::GraphView;
use crate::audit::Status;
use crate::graph::geometry::{HEADER_SIZE, LABEL_SIZE, Point, SMALL_SIZE};
use maud::{Markup, html};
use std::collections::BTreeMap;

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

/// SVG path data through `points`: straight where two points share an x
/// or a y, else a cubic with horizontal tangents (control points at the
/// middle x), which stays inside the two points' bounding box.
pub fn path_data(points: &[Point]) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        if i == 0 {
            d.push_str(&format!("M {:.1} {:.1}", p.x, p.y));
            continue;
        }
        let q = points[i - 1];
        if (q.x - p.x).abs() > 0.01 && (q.y - p.y).abs() > 0.01 {
            let mx = (q.x + p.x) / 2.0;
            d.push_str(&format!(
                " C {mx:.1} {:.1}, {mx:.1} {:.1}, {:.1} {:.1}",
                q.y, p.y, p.x, p.y
            ));
        } else {
            d.push_str(&format!(" L {:.1} {:.1}", p.x, p.y));
        }
    }
    d
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

/// Renders the graph from its geometry (`g.geometry`, drawn 1:1).
pub fn render(g: &GraphView) -> Markup {
    let geo = &g.geometry;
    let (width, height) = (geo.width.ceil(), geo.height.ceil());
    let by_id: BTreeMap<&str, &super::GraphNode> = g.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
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
            @for h in &geo.headers {
                text x=(h.rect.x + h.rect.w / 2.0) y=(h.rect.y + 13.0) text-anchor="middle" font-size=(HEADER_SIZE) class="col-title" { (h.title) }
            }
            @for p in &geo.edges {
                @let drawn: Vec<&super::GraphEdge> = p.edges.iter().filter_map(|i| g.edges.get(*i)).collect();
                @if let Some(e) = drawn.first() {
                    @let bypass = drawn.iter().any(|e| e.bypass);
                    @let attacker = drawn.iter().all(|e| e.attacker);
                    @let class = if bypass { "edge bypass" } else if attacker { "edge attacker" } else { "edge" };
                    path d=(path_data(&p.points)) class=(class) fill="none" style=(if bypass { String::new() } else { edge_style(e) }) marker-end=(if bypass { "url(#arrow-red)" } else { "url(#arrow)" }) {
                        title { (p.from) " → " (p.to) @if !p.text.is_empty() { ": " (p.text) } }
                    }
                    @if let Some(r) = p.label {
                        @for (i, line) in p.label_lines.iter().enumerate() {
                            text x=(r.x + r.w / 2.0) y=(r.y + 10.0 + 13.0 * i as f64) text-anchor="middle" font-size=(SMALL_SIZE) class="edge-label" {
                                title { (p.from) " → " (p.to) ": " (p.text) }
                                (line)
                            }
                        }
                    }
                }
            }
            @for b in &geo.nodes {
                @if let Some(n) = by_id.get(b.id.as_str()) {
                    @let r = b.rect;
                    @let cx = r.x + r.w / 2.0;
                    g class="node" {
                        title { (n.label) " (" (n.id) ")" (n.status.map(|s| format!(" — {}", s.name())).unwrap_or_default()) }
                        rect x=(r.x) y=(r.y) width=(r.w) height=(r.h) rx="8" fill=(status_colour(n.status)) stroke=(if n.sensitive { "#6a1b9a" } else { "#666" }) stroke-width=(if n.sensitive { "2.5" } else { "1" }) {}
                        @for (i, line) in b.lines.iter().enumerate() {
                            text x=(cx) y=(r.y + 17.0 + 15.0 * i as f64) text-anchor="middle" font-size=(LABEL_SIZE) class="node-label" { (line) }
                        }
                        text x=(cx) y=(r.bottom() - 8.0) text-anchor="middle" font-size=(SMALL_SIZE) class="node-sub" {
                            (n.status.map(|s| s.name()).unwrap_or("—"))
                            @if n.sensitive { " · sensitive data" }
                        }
                        @if let Some(note) = b.note {
                            @for (i, line) in b.note_lines.iter().enumerate() {
                                text x=(cx) y=(note.y + 9.0 + 12.0 * i as f64) text-anchor="middle" font-size=(SMALL_SIZE) class="node-sub" { (line) }
                            }
                        }
                    }
                }
            }
        }
    }
}
