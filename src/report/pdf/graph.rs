//! The defense-in-depth graph on A4 landscape pages: the report's layout
//! grid (columns and rows, empty columns compacted as in the SVG), vector
//! boxes coloured by status, edges as Béziers shaped like the SVG's (an arch
//! over same-row hops), coloured by the status of the wire they land on,
//! bypass edges thick red dashes, attacker edges dashed.
//!
//! Text is never scaled with the drawing: node labels are 7.5 pt, the rest
//! 7 pt at least, wrapped or clipped to their box. A graph with more rows
//! than fit is split into bands of rows, one page each; a hop between two
//! bands is not drawn but counted on the page, and every hop is listed in
//! the hop table that follows the drawing.

use super::page::{Doc, INK, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, MUTED, Rgb, WHITE};
use super::table::{self, Cell};
use super::text::{self, Font};
use crate::audit::Status;
use crate::graph::layout::column_title;
use crate::report::{GraphEdge, GraphView, svg};
use std::collections::BTreeMap;

/// Smallest text on the graph page.
pub const MIN_TEXT: f32 = 7.0;
/// Node label size.
const LABEL: f32 = 7.5;
/// Smallest row pitch: below it the graph is split into bands.
const MIN_ROW_H: f32 = 48.0;
/// Largest row pitch.
const MAX_ROW_H: f32 = 130.0;
/// Room kept above the first row for the column titles and arching edges.
const TOP_BAND: f32 = 62.0;
/// Room kept below the drawing for the legend.
const LEGEND_H: f32 = 44.0;

/// Parses the SVG's `#rrggbb` colours.
fn parse_hex(s: &str) -> Rgb {
    u32::from_str_radix(s.trim_start_matches('#'), 16).map_or(Rgb::hex(0xf4f4f4), Rgb::hex)
}

/// Node fill: the SVG's colour for the status.
pub fn node_fill(s: Option<Status>) -> Rgb {
    parse_hex(svg::status_colour(s))
}

/// Stroke colour of an edge (the SVG's edge colours).
fn edge_colour(e: &GraphEdge) -> Rgb {
    if e.bypass {
        return Rgb::hex(0xc62828);
    }
    match e.status {
        Some(Status::Fail) => Rgb::hex(0xc62828),
        Some(Status::Error) => Rgb::hex(0xb26a00),
        Some(Status::Pass) => Rgb::hex(0x2e7d32),
        Some(Status::Unverified) => Rgb::hex(0x5c5c99),
        _ => Rgb::hex(0x777777),
    }
}

/// The controls on a hop, joined for a label.
pub fn controls(e: &GraphEdge) -> String {
    e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(" · ")
}

/// Geometry of one page of the drawing.
struct Grid {
    left: f32,
    col_w: f32,
    node_w: f32,
    node_h: f32,
    row_h: f32,
    top: f32,
    area_top: f32,
}

impl Grid {
    fn node_at(&self, col_index: usize, row_in_band: usize) -> (f32, f32) {
        let x = self.left + col_index as f32 * self.col_w + (self.col_w - self.node_w) / 2.0;
        let y = self.top + row_in_band as f32 * self.row_h;
        (x, y)
    }

    /// The SVG's curve: right side of `a` to left side of `b` (centres
    /// when `b` is not to the right), arching over same-row hops. The
    /// control points, and the midpoint for the label.
    fn curve(&self, a: (f32, f32), b: (f32, f32)) -> ([(f32, f32); 4], (f32, f32)) {
        let (mut x1, y1) = (a.0 + self.node_w, a.1 + self.node_h / 2.0);
        let (mut x2, y2) = (b.0, b.1 + self.node_h / 2.0);
        if x2 <= x1 {
            x1 = a.0 + self.node_w / 2.0;
            x2 = b.0 + self.node_w / 2.0;
        }
        let span = ((x2 - x1) / self.col_w).round();
        let step = 14.0 * self.row_h / 84.0;
        let lift = if (y1 - y2).abs() < 1.0 && span >= 1.0 {
            // Never above the column titles: the curve peaks at 3/4 lift.
            let room = (y1.min(y2) - self.area_top) / 0.75;
            -(self.node_h / 2.0 + step * span).min(room.max(0.0))
        } else {
            0.0
        };
        let dx = ((x2 - x1) / 2.0).max(20.0);
        let p = [(x1, y1), (x1 + dx, y1 + lift), (x2 - dx, y2 + lift), (x2, y2)];
        let mx = (p[0].0 + 3.0 * p[1].0 + 3.0 * p[2].0 + p[3].0) / 8.0;
        let my = (p[0].1 + 3.0 * p[1].1 + 3.0 * p[2].1 + p[3].1) / 8.0;
        (p, (mx, my))
    }
}

/// A box on the page, top-down.
#[derive(Clone, Copy)]
struct Boxed {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Boxed {
    fn overlaps(&self, o: &Boxed) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// Draws the graph on as many landscape pages as its rows need, then the
/// hop table and the paths to sensitive data on portrait pages.
pub fn render(doc: &mut Doc, g: &GraphView) {
    let mut cols: Vec<usize> = g.nodes.iter().map(|n| n.column).collect();
    cols.sort_unstable();
    cols.dedup();
    let col_index = |c: usize| cols.iter().position(|x| *x == c).unwrap_or(0);
    let rows = g.nodes.iter().map(|n| n.row + 1).max().unwrap_or(1);
    // Edge numbers, in report order, shared by the drawing and the table.
    let number: Vec<usize> = (1..=g.edges.len()).collect();

    doc.new_page(true);
    let page_h = doc.height();
    let area_h = page_h - MARGIN_TOP - MARGIN_BOTTOM - 26.0 - LEGEND_H - TOP_BAND;
    let per_page = ((area_h / MIN_ROW_H).floor() as usize).max(1);
    let bands = rows.div_ceil(per_page).max(1);
    for band in 0..bands {
        if band > 0 {
            doc.new_page(true);
        }
        let first = band * per_page;
        let last = (first + per_page).min(rows);
        let in_band = last - first;
        let title = if bands > 1 {
            format!("Defense-in-depth graph (rows {}-{} of {rows})", first + 1, last)
        } else {
            "Defense-in-depth graph".to_string()
        };
        if band == 0 {
            doc.section(&title, 13.0, 0.0);
        } else {
            doc.heading(&title, 13.0, 0.0);
        }
        doc.gap(4.0);
        let body_w = doc.body_width();
        let col_w = body_w / cols.len().max(1) as f32;
        let row_h = (area_h / in_band.max(1) as f32).clamp(MIN_ROW_H, MAX_ROW_H);
        let grid = Grid {
            left: MARGIN_X,
            col_w,
            node_w: (col_w - 20.0).max(col_w * 0.7),
            node_h: (row_h * 0.62).clamp(30.0, 50.0),
            row_h,
            area_top: doc.y + 18.0,
            top: doc.y + TOP_BAND,
        };
        // Column titles.
        for c in &cols {
            let cx = grid.left + col_index(*c) as f32 * col_w + col_w / 2.0;
            let t = text::encode(column_title(*c));
            doc.text_centred(cx, doc.y + 9.0, Font::Bold, 8.0, MUTED, &t, col_w - 4.0);
        }
        let pos: BTreeMap<&str, (f32, f32)> = g
            .nodes
            .iter()
            .filter(|n| (first..last).contains(&n.row))
            .map(|n| (n.id.as_str(), grid.node_at(col_index(n.column), n.row - first)))
            .collect();
        let mut taken: Vec<Boxed> = pos
            .values()
            .map(|(x, y)| Boxed {
                x: *x,
                y: *y,
                w: grid.node_w,
                h: grid.node_h,
            })
            .collect();
        // Edges under the nodes; bypass edges last so they stay visible.
        let mut order: Vec<usize> = (0..g.edges.len()).collect();
        order.sort_by_key(|i| g.edges[*i].bypass);
        let mut crossing = 0;
        let mut labels = Vec::new();
        for i in order {
            let e = &g.edges[i];
            let (Some(a), Some(b)) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) else {
                // One end on this page, the other on another band's.
                let here = |id: &str| pos.contains_key(id);
                let exists = |id: &str| g.nodes.iter().any(|n| n.id == id);
                if here(&e.from) != here(&e.to) && exists(&e.from) && exists(&e.to) {
                    crossing += 1;
                }
                continue;
            };
            let (p, mid) = grid.curve(*a, *b);
            let colour = edge_colour(e);
            let (width, dash): (f32, &[f32]) = if e.bypass {
                (2.2, &[6.0, 3.0])
            } else if e.attacker {
                (0.9, &[4.0, 3.0])
            } else {
                (1.0, &[])
            };
            doc.curve(p, colour, width, dash);
            // Arrowhead along the last control segment.
            let (ex, ey) = p[3];
            let (dx, dy) = (ex - p[2].0, ey - p[2].1);
            let len = (dx * dx + dy * dy).sqrt().max(0.001);
            let (ux, uy) = (dx / len, dy / len);
            let (l, hw) = if e.bypass { (7.0, 3.5) } else { (5.5, 2.6) };
            let base = (ex - ux * l, ey - uy * l);
            doc.triangle(
                [
                    (ex, ey),
                    (base.0 - uy * hw, base.1 + ux * hw),
                    (base.0 + uy * hw, base.1 - ux * hw),
                ],
                colour,
            );
            labels.push((i, e, mid));
        }
        // Labels after every line, each where it hides no node and no other
        // label; failing that, the hop's number (see the hop table).
        labels.sort_by_key(|(i, _, _)| *i);
        for (i, e, mid) in labels {
            // As in the SVG, hops from the internet carry no label (the
            // hop table has their controls); a bypass with no control says so.
            let words = match (e.attacker, e.controls.is_empty(), e.bypass) {
                (true, _, _) | (false, true, false) => continue,
                (false, false, _) => controls(e),
                (false, true, true) => "no controls".to_string(),
            };
            let full = text::clip(&text::encode(&words), Font::Regular, MIN_TEXT, col_w * 1.4);
            let tag = text::encode(&format!("{}", number[i]));
            let mut placed = false;
            {
                let w = text::width(&full, Font::Regular, MIN_TEXT) + 3.0;
                for shift in [0.0, -9.0, 9.0, -18.0, 18.0] {
                    let b = Boxed {
                        x: mid.0 - w / 2.0,
                        y: mid.1 - 9.0 + shift,
                        w,
                        h: 9.0,
                    };
                    if taken.iter().any(|t| t.overlaps(&b)) || b.x < MARGIN_X || b.x + b.w > doc.width() - MARGIN_X {
                        continue;
                    }
                    doc.fill_rect(b.x, b.y, b.w, b.h, WHITE);
                    doc.text(b.x + 1.5, b.y + 7.0, Font::Regular, MIN_TEXT, MUTED, &full, w);
                    taken.push(b);
                    placed = true;
                    break;
                }
            }
            if !placed {
                let w = text::width(&tag, Font::Bold, MIN_TEXT) + 4.0;
                for shift in [0.0, -8.0, 8.0, -16.0, 16.0, -24.0, 24.0] {
                    let b = Boxed {
                        x: mid.0 - w / 2.0,
                        y: mid.1 - 4.5 + shift,
                        w,
                        h: 9.0,
                    };
                    if taken.iter().any(|t| t.overlaps(&b)) && shift != 24.0 {
                        continue;
                    }
                    let colour = edge_colour(e);
                    doc.rounded_rect(b.x, b.y, b.w, b.h, 2.0, WHITE, colour, 0.6);
                    doc.text(b.x + 2.0, b.y + 7.0, Font::Bold, MIN_TEXT, colour, &tag, w);
                    taken.push(b);
                    break;
                }
            }
        }
        // Nodes on top.
        for n in g.nodes.iter().filter(|n| (first..last).contains(&n.row)) {
            let Some((x, y)) = pos.get(n.id.as_str()).copied() else {
                continue;
            };
            let (stroke, line) = if n.sensitive {
                (Rgb::hex(0x6a1b9a), 2.0)
            } else {
                (Rgb::hex(0x666666), 0.8)
            };
            doc.rounded_rect(x, y, grid.node_w, grid.node_h, 5.0, node_fill(n.status), stroke, line);
            let inner = grid.node_w - 6.0;
            let label_lines = (((grid.node_h - 8.0 - 9.0) / 9.0).floor() as usize).clamp(1, 3);
            let lines = text::wrap(&text::encode(&n.label), Font::Bold, LABEL, inner, label_lines);
            let used = lines.len() as f32 * 9.0 + 8.0;
            let mut baseline = y + (grid.node_h - used - 9.0) / 2.0 + LABEL + 1.0;
            for l in &lines {
                doc.text_centred(x + grid.node_w / 2.0, baseline, Font::Bold, LABEL, INK, l, inner);
                baseline += 9.0;
            }
            let sub = format!(
                "{}{}",
                n.status.map_or("—", |s| s.name()),
                if n.sensitive { " · sensitive data" } else { "" }
            );
            doc.text_centred(
                x + grid.node_w / 2.0,
                baseline + 0.5,
                Font::Regular,
                MIN_TEXT,
                MUTED,
                &text::encode(&sub),
                inner,
            );
        }
        // Legend.
        doc.y = grid.top + in_band as f32 * row_h + 4.0;
        legend(doc, crossing);
    }

    // The hops and paths, in words.
    doc.new_page(false);
    doc.section("Hops in the graph", 12.0, 30.0);
    let rows: Vec<Vec<Cell>> = g
        .edges
        .iter()
        .zip(&number)
        .map(|(e, n)| {
            let kind = if e.bypass {
                Cell::bold("bypass: no caller authentication").colour(Rgb::hex(0xc62828))
            } else if e.attacker {
                Cell::plain("reachable from the internet")
            } else {
                Cell::plain("")
            };
            vec![
                Cell::plain(n.to_string()),
                Cell::mono(format!("{} → {}", e.from, e.to)),
                Cell::plain(e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")),
                Cell::plain(e.status.map_or("—", |s| s.name())),
                kind,
            ]
        })
        .collect();
    table::draw(
        doc,
        &["#", "Hop", "Controls", "Wire status", "Note"],
        &[0.05, 0.33, 0.27, 0.12, 0.23],
        &rows,
        4,
    );
    if !g.attack_paths.is_empty() || !g.truncated_searches.is_empty() {
        doc.section("Paths to sensitive data", 12.0, 30.0);
        for t in &g.truncated_searches {
            let w = doc.body_width();
            doc.paragraph(MARGIN_X, w, Font::Regular, 8.5, Rgb::hex(0xc62828), &t.line(), 4);
        }
        let rows: Vec<Vec<Cell>> = g
            .attack_paths
            .iter()
            .map(|p| {
                vec![
                    Cell::mono(p.target.clone()),
                    Cell::mono(p.nodes.join(" → ")),
                    Cell::plain(p.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")),
                    if p.authenticated {
                        Cell::plain("yes")
                    } else {
                        Cell::bold("NO — bypass").colour(Rgb::hex(0xc62828))
                    },
                ]
            })
            .collect();
        table::draw(
            doc,
            &["Target", "Path", "Controls crossed", "Authenticated"],
            &[0.15, 0.45, 0.25, 0.15],
            &rows,
            6,
        );
    }
}

/// The key to colours and strokes, under the drawing.
fn legend(doc: &mut Doc, crossing: usize) {
    let mut x = MARGIN_X;
    let y = doc.y;
    for (s, name) in [
        (Some(Status::Fail), "fail"),
        (Some(Status::Error), "error"),
        (Some(Status::Unverified), "unverified"),
        (Some(Status::Pass), "pass"),
        (None, "no finding"),
    ] {
        doc.rounded_rect(x, y, 14.0, 8.0, 2.0, node_fill(s), Rgb::hex(0x666666), 0.6);
        let w = doc.text(
            x + 17.0,
            y + 7.0,
            Font::Regular,
            MIN_TEXT,
            INK,
            &text::encode(name),
            80.0,
        );
        x += 17.0 + w + 10.0;
    }
    doc.rounded_rect(x, y, 14.0, 8.0, 2.0, WHITE, Rgb::hex(0x6a1b9a), 2.0);
    doc.text(
        x + 17.0,
        y + 7.0,
        Font::Regular,
        MIN_TEXT,
        INK,
        b"holds sensitive data",
        100.0,
    );
    doc.y = y + 11.0;
    let w = doc.body_width();
    let mut note = "Node colour: the worst status of its findings. Edge colour: the transport status of the endpoint the hop lands on. Dashed: what an attacker on the internet can call directly. Thick red dashes: a path to sensitive data with no caller authentication. A number on an edge stands for its controls where they do not fit: see the hop table.".to_string();
    if crossing > 0 {
        note.push_str(&format!(
            " {crossing} hop(s) from or to this page's rows join rows on another page and are not drawn here: see the hop table."
        ));
    }
    doc.paragraph(MARGIN_X, w, Font::Regular, MIN_TEXT, MUTED, &note, 3);
}
