//! Coordinates and edge routes for a [`Layout`]: the second half of the
//! layered drawing, producing the [`Geometry`] every renderer draws.
//!
//! Columns are laid left to right, each as wide as its widest box, with a
//! gap between columns that holds no box. In each column the items (node
//! boxes, with room for a client's app-configuration note, and the dummy
//! lanes of bundles crossing the column) are stacked top to bottom without
//! overlap, each placed near the mean height of its neighbours by a few
//! alternating passes (a simple priority placement). An edge leaves its
//! source box at a port on the side facing its target, runs horizontally
//! inside its own box's band or its dummy's lane through every column it
//! crosses, and diagonally across the empty gaps; an edge within a column
//! turns in a vertical lane of the gap to the column's right. So no edge
//! passes through a box other than its ends, and a curve drawn between two
//! points stays in their bounding box, which the layout keeps empty.
//! Labels go in a free slot beside a gap segment of their edge; with no
//! free slot an edge has no drawn label (tooltip or legend only).

use super::DefenseGraph;
use super::geometry::{
    EdgePath, Geometry, HEADER_SIZE, HeaderBox, LABEL_SIZE, NodeBox, Point, Rect, SMALL_SIZE, fit, text_width, wrap,
};
use super::layout::{Item, Layout, column_title};
use crate::model::Control;
use petgraph::graph::{EdgeIndex, NodeIndex};
use std::collections::HashMap;

/// Text drawn in and under a node's box.
#[derive(Debug, Clone, Default)]
pub struct NodeText {
    /// Label.
    pub label: String,
    /// The status line inside the box.
    pub sub: String,
    /// Lines under the box (a client's app configuration).
    pub notes: Vec<String>,
}

/// Left margin of the drawing.
const MARGIN: f64 = 16.0;
/// Top of the header boxes and their height.
const HEADER_Y: f64 = 8.0;
/// Height of a header box.
const HEADER_H: f64 = 18.0;
/// Top of the first item.
const TOP: f64 = 40.0;
/// Horizontal padding inside a box.
const PAD: f64 = 10.0;
/// Narrowest and widest box.
const MIN_W: f64 = 110.0;
const MAX_W: f64 = 190.0;
/// Widest note.
const NOTE_MAX: f64 = 190.0;
/// Line pitch of a label line, of the status line and of a note line.
const LINE: f64 = 15.0;
const SUB_LINE: f64 = 13.0;
const NOTE_LINE: f64 = 12.0;
/// Height of a dummy lane and the gaps between stacked items.
const LANE: f64 = 10.0;
const NODE_GAP: f64 = 18.0;
const LANE_GAP: f64 = 4.0;
/// Gap widths between columns.
const MIN_GAP: f64 = 70.0;
const MAX_GAP: f64 = 120.0;
/// Spacing of the vertical lanes of edges within one column.
const LANE_STEP: f64 = 6.0;
/// Height of an edge label box.
const LABEL_H: f64 = 13.0;
/// Edges tried for a label: past it, labels are left to tooltips.
const MAX_LABELLED: usize = 1_000;
/// Placement passes.
const PASSES: usize = 3;

/// Label text of an edge bundle: the controls of its flows (attacker edges
/// carry none), each once, joined.
fn bundle_text(g: &DefenseGraph, edges: &[usize]) -> String {
    let mut seen: Vec<Control> = Vec::new();
    for e in edges {
        let w = &g.graph[EdgeIndex::new(*e)];
        if w.attacker {
            continue;
        }
        for c in &w.controls {
            if !seen.contains(c) {
                seen.push(*c);
            }
        }
    }
    seen.iter().map(|c| c.name()).collect::<Vec<_>>().join(" · ")
}

/// A label on one line, or on two split at a ` · ` when one is wider than
/// `max` (a line still too wide makes the label unplaceable).
fn label_lines(text: &str, max: f64) -> Vec<String> {
    if text_width(text, SMALL_SIZE) <= max {
        return vec![text.to_string()];
    }
    let parts: Vec<&str> = text.split(" · ").collect();
    let mut best: Option<(f64, Vec<String>)> = None;
    for k in 1..parts.len() {
        let (a, b) = (parts[..k].join(" · "), parts[k..].join(" · "));
        let w = text_width(&a, SMALL_SIZE).max(text_width(&b, SMALL_SIZE));
        if best.as_ref().is_none_or(|(bw, _)| w < *bw) {
            best = Some((w, vec![a, b]));
        }
    }
    best.map_or_else(|| vec![text.to_string()], |(_, l)| l)
}

/// One stacked item's size and place.
#[derive(Clone, Copy)]
struct Slot {
    top: f64,
    h: f64,
    /// Offset of the anchor (box middle or lane middle) from the top.
    anchor: f64,
    dummy: bool,
}

/// Stacks `slots` in order: each as near `want` (its top) as the others
/// allow, never above [`TOP`].
fn stack(slots: &mut [Slot], want: &[f64]) {
    let n = slots.len();
    let gap = |a: &Slot, b: &Slot| if a.dummy && b.dummy { LANE_GAP } else { NODE_GAP };
    let mut down = vec![0.0; n];
    for i in 0..n {
        let floor = if i == 0 {
            TOP
        } else {
            down[i - 1] + slots[i - 1].h + gap(&slots[i - 1], &slots[i])
        };
        down[i] = want[i].max(floor);
    }
    let mut up = vec![0.0; n];
    for i in (0..n).rev() {
        let ceil = if i + 1 == n {
            f64::INFINITY
        } else {
            up[i + 1] - gap(&slots[i], &slots[i + 1]) - slots[i].h
        };
        up[i] = want[i].min(ceil);
    }
    for i in 0..n {
        let floor = if i == 0 {
            TOP
        } else {
            slots[i - 1].top + slots[i - 1].h + gap(&slots[i - 1], &slots[i])
        };
        slots[i].top = ((down[i] + up[i]) / 2.0).max(floor);
    }
}

/// Computes the geometry of a laid-out graph. `text` is indexed by
/// petgraph node index.
pub fn route(g: &DefenseGraph, lay: &Layout, text: &[NodeText]) -> Geometry {
    let l = &lay.layered;
    let ncols = l.order.len();
    let empty = NodeText::default();
    let text_of = |n: usize| text.get(n).unwrap_or(&empty);
    // Boxes sized to their text.
    struct Sized {
        lines: Vec<String>,
        w: f64,
        h: f64,
        notes: Vec<String>,
        note_w: f64,
    }
    let inner = MAX_W - 2.0 * PAD;
    let sized: Vec<Sized> = (0..g.graph.node_count())
        .map(|n| {
            let t = text_of(n);
            let lines = wrap(&t.label, LABEL_SIZE, inner);
            let sub = fit(&t.sub, SMALL_SIZE, inner);
            let widest = lines
                .iter()
                .map(|s| text_width(s, LABEL_SIZE))
                .fold(text_width(&sub, SMALL_SIZE), f64::max);
            let notes: Vec<String> = t.notes.iter().map(|s| fit(s, SMALL_SIZE, NOTE_MAX)).collect();
            let note_w = notes.iter().map(|s| text_width(s, SMALL_SIZE)).fold(0.0, f64::max);
            Sized {
                w: (widest + 2.0 * PAD).clamp(MIN_W, MAX_W),
                h: 12.0 + LINE * lines.len() as f64 + SUB_LINE,
                lines,
                notes,
                note_w,
            }
        })
        .collect();
    let note_h = |s: &Sized| {
        if s.notes.is_empty() {
            0.0
        } else {
            3.0 + NOTE_LINE * s.notes.len() as f64
        }
    };
    // Bundle labels, and the gap width they ask for.
    let texts: Vec<String> = l.bundles.iter().map(|b| bundle_text(g, &b.edges)).collect();
    let gap_w = texts
        .iter()
        .take(MAX_LABELLED)
        .map(|t| {
            label_lines(t, 0.0)
                .iter()
                .map(|l| text_width(l, SMALL_SIZE))
                .fold(0.0, f64::max)
                .min(text_width(t, SMALL_SIZE))
                + 16.0
        })
        .fold(MIN_GAP, f64::max)
        .min(MAX_GAP);
    // Column x ranges.
    let mut col_x = Vec::with_capacity(ncols);
    let mut col_w = Vec::with_capacity(ncols);
    let mut x = MARGIN;
    for items in &l.order {
        let w = items
            .iter()
            .filter_map(|it| match it {
                Item::Node(n) => sized.get(*n).map(|s| s.w.max(s.note_w)),
                Item::Dummy(_) => None,
            })
            .fold(MIN_W, f64::max);
        col_x.push(x);
        col_w.push(w);
        x += w + gap_w;
    }
    let right = |c: usize| col_x.get(c).copied().unwrap_or(0.0) + col_w.get(c).copied().unwrap_or(0.0);
    let left = |c: usize| col_x.get(c).copied().unwrap_or(0.0);
    // Vertical placement.
    let mut slots: Vec<Vec<Slot>> = l
        .order
        .iter()
        .map(|items| {
            items
                .iter()
                .map(|it| match it {
                    Item::Node(n) => {
                        let s = sized.get(*n);
                        let h = s.map_or(40.0, |s| s.h);
                        Slot {
                            top: 0.0,
                            h: h + s.map_or(0.0, note_h),
                            anchor: h / 2.0,
                            dummy: false,
                        }
                    }
                    Item::Dummy(_) => Slot {
                        top: 0.0,
                        h: LANE,
                        anchor: LANE / 2.0,
                        dummy: true,
                    },
                })
                .collect()
        })
        .collect();
    for col in &mut slots {
        let want = vec![TOP; col.len()];
        stack(col, &want);
    }
    // Where each item sits: (column, index).
    let mut at: HashMap<(Item, usize), (usize, usize)> = HashMap::new();
    for (c, items) in l.order.iter().enumerate() {
        for (i, it) in items.iter().enumerate() {
            let key = match it {
                Item::Node(_) => (*it, usize::MAX),
                Item::Dummy(_) => (*it, c),
            };
            at.insert(key, (c, i));
        }
    }
    let find = |it: Item, c: usize| match it {
        Item::Node(_) => at.get(&(it, usize::MAX)).copied(),
        Item::Dummy(_) => at.get(&(it, c)).copied(),
    };
    // Layered segments as ((col, idx), (col + 1, idx)).
    let mut segs: Vec<((usize, usize), (usize, usize))> = Vec::new();
    for b in &l.bundles {
        let first = match b.stops.first() {
            Some(Item::Node(n)) => l.node_col.get(*n).copied().unwrap_or(0),
            _ => continue,
        };
        let pos: Vec<Option<(usize, usize)>> = b.stops.iter().enumerate().map(|(i, it)| find(*it, first + i)).collect();
        for w in pos.windows(2) {
            if let (Some(a), Some(z)) = (w[0], w[1]) {
                segs.push((a, z));
            }
        }
    }
    let mut toward_left: Vec<Vec<Vec<(usize, usize)>>> = slots.iter().map(|c| vec![Vec::new(); c.len()]).collect();
    let mut toward_right = toward_left.clone();
    for (a, z) in &segs {
        if let Some(v) = toward_left.get_mut(z.0).and_then(|c| c.get_mut(z.1)) {
            v.push(*a);
        }
        if let Some(v) = toward_right.get_mut(a.0).and_then(|c| c.get_mut(a.1)) {
            v.push(*z);
        }
    }
    for pass in 0..PASSES {
        let forward = pass % 2 == 0;
        let cols: Vec<usize> = if forward {
            (0..ncols).collect()
        } else {
            (0..ncols).rev().collect()
        };
        for c in cols {
            let nbrs = if forward { &toward_left } else { &toward_right };
            let want: Vec<f64> = (0..slots[c].len())
                .map(|i| {
                    let s = slots[c][i];
                    let near: Vec<f64> = nbrs[c][i]
                        .iter()
                        .filter_map(|(cc, ii)| slots.get(*cc).and_then(|col| col.get(*ii)))
                        .map(|o| o.top + o.anchor)
                        .collect();
                    if near.is_empty() {
                        s.top
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64 - s.anchor
                    }
                })
                .collect();
            stack(&mut slots[c], &want);
        }
    }
    // Node boxes.
    let mut rects: HashMap<usize, Rect> = HashMap::new();
    let mut anchors: HashMap<(usize, usize), f64> = HashMap::new();
    for (c, items) in l.order.iter().enumerate() {
        for (i, it) in items.iter().enumerate() {
            let s = slots[c][i];
            anchors.insert((c, i), s.top + s.anchor);
            if let Item::Node(n) = it {
                let w = sized.get(*n).map_or(MIN_W, |z| z.w);
                rects.insert(
                    *n,
                    Rect {
                        x: left(c) + (col_w[c] - w) / 2.0,
                        y: s.top,
                        w,
                        h: s.anchor * 2.0,
                    },
                );
            }
        }
    }
    let anchor_of = |it: Item, c: usize| find(it, c).and_then(|p| anchors.get(&p).copied());
    // Ports: per node and side, the bundles attached, sorted by where
    // their other end is.
    let mut right_side: HashMap<usize, Vec<(f64, usize, u8)>> = HashMap::new();
    let mut left_side: HashMap<usize, Vec<(f64, usize, u8)>> = HashMap::new();
    for (bi, b) in l.bundles.iter().enumerate() {
        if b.stops.is_empty() {
            let (ya, yb) = (
                anchor_of(Item::Node(b.from), 0).unwrap_or(0.0),
                anchor_of(Item::Node(b.to), 0).unwrap_or(0.0),
            );
            right_side.entry(b.from).or_default().push((yb, bi, 0));
            right_side.entry(b.to).or_default().push((ya, bi, 1));
            continue;
        }
        let first = match b.stops.first() {
            Some(Item::Node(n)) => l.node_col.get(*n).copied().unwrap_or(0),
            _ => continue,
        };
        let k = b.stops.len();
        if let (Some(Item::Node(a)), Some(next)) = (b.stops.first(), b.stops.get(1)) {
            let y = anchor_of(*next, first + 1).unwrap_or(0.0);
            right_side.entry(*a).or_default().push((y, bi, 0));
        }
        if let (Some(Item::Node(z)), Some(prev)) = (b.stops.last(), b.stops.get(k.wrapping_sub(2))) {
            let y = anchor_of(*prev, first + k - 2).unwrap_or(0.0);
            left_side.entry(*z).or_default().push((y, bi, 1));
        }
    }
    // (bundle, end) → port point.
    let mut ports: HashMap<(usize, u8), Point> = HashMap::new();
    for (side, map) in [(true, &mut right_side), (false, &mut left_side)] {
        for (n, list) in map.iter_mut() {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let Some(r) = rects.get(n) else { continue };
            let m = list.len() as f64;
            for (k, (_, bi, end)) in list.iter().enumerate() {
                let y = r.y + r.h * (k as f64 + 1.0) / (m + 1.0);
                let x = if side { r.right() } else { r.x };
                ports.insert((*bi, *end), Point { x, y });
            }
        }
    }
    // Paths.
    let mut lanes_used = vec![0usize; ncols];
    let max_lanes = ((gap_w / 2.0) / LANE_STEP).floor().max(1.0) as usize;
    let mut edges: Vec<EdgePath> = Vec::with_capacity(l.bundles.len());
    for (bi, b) in l.bundles.iter().enumerate() {
        let (Some(pa), Some(pz)) = (ports.get(&(bi, 0)).copied(), ports.get(&(bi, 1)).copied()) else {
            continue;
        };
        let p = |x: f64, y: f64| Point { x, y };
        let mut pts: Vec<Point> = Vec::new();
        if b.stops.is_empty() {
            let c = l.node_col.get(b.from).copied().unwrap_or(0);
            let k = lanes_used.get(c).copied().unwrap_or(0);
            if let Some(u) = lanes_used.get_mut(c) {
                *u += 1;
            }
            let lane = right(c) + LANE_STEP * (1 + k % max_lanes) as f64;
            pts.extend([pa, p(lane, pa.y), p(lane, pz.y), pz]);
        } else {
            let first = match b.stops.first() {
                Some(Item::Node(n)) => l.node_col.get(*n).copied().unwrap_or(0),
                _ => continue,
            };
            let last = first + b.stops.len() - 1;
            pts.push(pa);
            if pa.x < right(first) {
                pts.push(p(right(first), pa.y));
            }
            for (i, it) in b.stops.iter().enumerate() {
                if let Item::Dummy(_) = it {
                    let c = first + i;
                    let y = anchor_of(*it, c).unwrap_or(0.0);
                    pts.push(p(left(c), y));
                    pts.push(p(right(c), y));
                }
            }
            if left(last) < pz.x {
                pts.push(p(left(last), pz.y));
            }
            pts.push(pz);
            if b.reversed {
                pts.reverse();
            }
        }
        let node_id = |n: usize| g.graph[NodeIndex::new(n)].id.clone();
        edges.push(EdgePath {
            number: edges.len() + 1,
            from: node_id(b.from),
            to: node_id(b.to),
            edges: b.edges.clone(),
            text: texts.get(bi).cloned().unwrap_or_default(),
            points: pts,
            label: None,
            label_lines: Vec::new(),
        });
    }
    // Labels, in a free slot beside a segment that lies in a gap.
    let gap_of = |a: Point, b: Point| -> Option<usize> {
        (0..ncols).find(|c| {
            let (lo, hi) = (right(*c), right(*c) + gap_w);
            a.x.min(b.x) >= lo - 0.01 && a.x.max(b.x) <= hi + 0.01
        })
    };
    let mut placed: Vec<Vec<Rect>> = vec![Vec::new(); ncols];
    let mut tried = 0;
    for e in &mut edges {
        if e.text.is_empty() {
            continue;
        }
        tried += 1;
        if tried > MAX_LABELLED {
            break;
        }
        let lines = label_lines(&e.text, gap_w - 8.0);
        let w = lines.iter().map(|l| text_width(l, SMALL_SIZE)).fold(0.0, f64::max) + 4.0;
        let h = LABEL_H * lines.len() as f64;
        'found: for s in e.points.windows(2) {
            let Some(c) = gap_of(s[0], s[1]) else { continue };
            let (lo, hi) = (right(c) + 2.0, right(c) + gap_w - 2.0);
            if w > hi - lo {
                continue;
            }
            for t in [0.5, 0.3, 0.7, 0.15, 0.85] {
                let q = Point {
                    x: s[0].x + (s[1].x - s[0].x) * t,
                    y: s[0].y + (s[1].y - s[0].y) * t,
                };
                for y in [q.y - h - 2.0, q.y + 2.0] {
                    let r = Rect {
                        x: (q.x - w / 2.0).clamp(lo, hi - w),
                        y,
                        w,
                        h,
                    };
                    if r.y < HEADER_Y + HEADER_H + 2.0 {
                        continue;
                    }
                    let Some(list) = placed.get_mut(c) else { continue };
                    if list.iter().all(|o| !o.overlaps(&r)) {
                        list.push(r);
                        e.label = Some(r);
                        e.label_lines = lines;
                        break 'found;
                    }
                }
            }
        }
    }
    // Headers.
    let headers: Vec<HeaderBox> = l
        .columns
        .iter()
        .enumerate()
        .map(|(c, layer)| HeaderBox {
            column: *layer,
            title: column_title(*layer).to_string(),
            rect: Rect {
                x: left(c),
                y: HEADER_Y,
                w: col_w[c].max(text_width(column_title(*layer), HEADER_SIZE)),
                h: HEADER_H,
            },
        })
        .collect();
    // Nodes in (column, row) order.
    let mut nodes: Vec<NodeBox> = Vec::with_capacity(rects.len());
    for items in &l.order {
        for it in items {
            let Item::Node(n) = it else { continue };
            let (Some(r), Some(s)) = (rects.get(n), sized.get(*n)) else {
                continue;
            };
            let note = (!s.notes.is_empty()).then(|| Rect {
                x: r.x + r.w / 2.0 - s.note_w / 2.0,
                y: r.bottom() + 3.0,
                w: s.note_w,
                h: NOTE_LINE * s.notes.len() as f64,
            });
            nodes.push(NodeBox {
                id: g.graph[NodeIndex::new(*n)].id.clone(),
                rect: *r,
                lines: s.lines.clone(),
                note,
                note_lines: s.notes.clone(),
            });
        }
    }
    let last_same = lanes_used.last().copied().unwrap_or(0) > 0;
    let width = right(ncols.saturating_sub(1)) + if last_same { gap_w } else { MARGIN };
    let bottom = slots
        .iter()
        .flatten()
        .map(|s| s.top + s.h)
        .chain(edges.iter().filter_map(|e| e.label.map(|r| r.bottom())))
        .fold(TOP, f64::max);
    let mut geo = Geometry {
        width,
        height: bottom + MARGIN,
        headers,
        nodes,
        edges,
    };
    round_all(&mut geo);
    geo
}

/// Rounds to hundredths (readable, stable JSON); every gap the layout
/// keeps is several units, so rounding moves nothing into anything.
fn round_all(g: &mut Geometry) {
    let r = |v: &mut f64| *v = (*v * 100.0).round() / 100.0;
    let rect = |b: &mut Rect| {
        r(&mut b.x);
        r(&mut b.y);
        r(&mut b.w);
        r(&mut b.h);
    };
    r(&mut g.width);
    r(&mut g.height);
    for h in &mut g.headers {
        rect(&mut h.rect);
    }
    for n in &mut g.nodes {
        rect(&mut n.rect);
        if let Some(b) = n.note.as_mut() {
            rect(b);
        }
    }
    for e in &mut g.edges {
        for p in &mut e.points {
            r(&mut p.x);
            r(&mut p.y);
        }
        if let Some(b) = e.label.as_mut() {
            rect(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_flows_share_one_path_and_one_label() {
        let yaml = r#"
strata: 1
system: { name: t }
components:
  - { id: gw, kind: api-gateway, exposure: public }
  - { id: svc, kind: service }
  - { id: db, kind: datastore }
flows:
  - { from: gw, to: svc, controls: [mtls], purpose: reads }
  - { from: gw, to: svc, controls: [jwt], purpose: writes }
  - { from: gw, to: db, controls: [tls] }
  - { from: db, to: gw }
"#;
        let m = crate::model::load_str(yaml, std::path::Path::new("t.yaml")).expect("model");
        let g = DefenseGraph::build(&m);
        let lay = super::super::layout::layout(&g);
        let geo = route(&g, &lay, &[]);
        let both: Vec<&EdgePath> = geo.edges.iter().filter(|e| e.from == "gw" && e.to == "svc").collect();
        assert_eq!(both.len(), 1, "{:?}", geo.edges);
        assert_eq!(both[0].edges.len(), 2);
        assert_eq!(both[0].text, "mtls · jwt");
        // The long hop passes the services column in a dummy lane, and the
        // backward one is drawn from db to gw.
        let long = geo
            .edges
            .iter()
            .find(|e| e.from == "gw" && e.to == "db")
            .expect("gw → db");
        assert!(long.points.len() >= 4);
        let back = geo
            .edges
            .iter()
            .find(|e| e.from == "db" && e.to == "gw")
            .expect("db → gw");
        let (first, last) = (back.points[0], back.points[back.points.len() - 1]);
        assert!(first.x > last.x, "drawn right to left");
        assert_eq!(route(&g, &lay, &[]), geo);
    }
}
