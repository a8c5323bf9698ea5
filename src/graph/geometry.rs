//! The drawn geometry of the defense graph, as data: node boxes, edge paths
//! (the points each edge is drawn through), label boxes and column headers,
//! in one coordinate system shared by the app, the SVG and the PDF.
//!
//! Units are abstract drawing units (one CSS pixel in the SVG), the origin
//! is the top-left corner and y grows downwards. Renderers only scale and
//! translate. Text sizes are given in the same units ([`LABEL_SIZE`] …), and
//! every width comes from [`text_width`], a conservative estimate (the
//! Helvetica-Bold metrics of the PDF, widened by [`WIDTH_MARGIN`]) that
//! every renderer's font fits in.

use crate::report::pdf::metrics::HELVETICA_BOLD;
use serde::Serialize;

/// Font size of a node label line.
pub const LABEL_SIZE: f64 = 12.0;
/// Font size of the status line inside a box, of edge labels and notes.
pub const SMALL_SIZE: f64 = 10.0;
/// Font size of a column header.
pub const HEADER_SIZE: f64 = 12.0;
/// Factor applied to the Helvetica-Bold advance widths so that wider
/// sans-serif fonts (browser defaults, egui's) still fit.
pub const WIDTH_MARGIN: f64 = 1.15;

/// Estimated width of `s` at font size `size`: Helvetica-Bold advance
/// widths times [`WIDTH_MARGIN`]; a character outside WinAnsi counts one em.
pub fn text_width(s: &str, size: f64) -> f64 {
    let milli: u32 = s
        .chars()
        .map(|c| {
            let code = c as u32;
            if (32..256).contains(&code) {
                match HELVETICA_BOLD.get((code - 32) as usize) {
                    Some(0) | None => 1000,
                    Some(w) => u32::from(*w),
                }
            } else {
                1000
            }
        })
        .sum();
    f64::from(milli) / 1000.0 * size * WIDTH_MARGIN
}

/// Shortens `s` with an ellipsis until it fits `max` units at `size`.
pub fn fit(s: &str, size: f64, max: f64) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    // Bounded: at most one try per character.
    for keep in (0..chars.len()).rev() {
        let cut: String = chars[..keep].iter().collect();
        let t = format!("{}…", cut.trim_end());
        if text_width(&t, size) <= max {
            return t;
        }
    }
    "…".to_string()
}

/// Splits `s` into at most two lines that each fit `max` units at `size`:
/// one line when it fits, else a break at the last space that lets the
/// first line fit (the second line is shortened with an ellipsis if it is
/// still too long), else the text is shortened on one line.
pub fn wrap(s: &str, size: f64, max: f64) -> Vec<String> {
    if text_width(s, size) <= max {
        return vec![s.to_string()];
    }
    let breaks: Vec<usize> = s.char_indices().filter(|(_, c)| *c == ' ').map(|(i, _)| i).collect();
    for &b in breaks.iter().rev() {
        let (first, rest) = (s[..b].trim_end(), s[b..].trim_start());
        if !first.is_empty() && !rest.is_empty() && text_width(first, size) <= max {
            return vec![first.to_string(), fit(rest, size, max)];
        }
    }
    vec![fit(s, size, max)]
}

/// An axis-aligned box: top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    /// The interiors intersect.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    /// The box shrunk by `d` on every side.
    pub fn shrink(&self, d: f64) -> Rect {
        Rect {
            x: self.x + d,
            y: self.y + d,
            w: (self.w - 2.0 * d).max(0.0),
            h: (self.h - 2.0 * d).max(0.0),
        }
    }
    /// The segment `a`–`b` meets the box (closed).
    pub fn hit_by_segment(&self, a: Point, b: Point) -> bool {
        // Liang–Barsky clipping.
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        for (p, q) in [
            (-dx, a.x - self.x),
            (dx, self.right() - a.x),
            (-dy, a.y - self.y),
            (dy, self.bottom() - a.y),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        true
    }
}

/// A point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
}

/// A column header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderBox {
    /// Layer (0 internet … 7 monitoring).
    pub column: usize,
    /// Title.
    pub title: String,
    /// Box of the title.
    pub rect: Rect,
}

/// A node's box and text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeBox {
    /// Node id.
    pub id: String,
    /// The box.
    pub rect: Rect,
    /// The label, on one or two lines, each fitting the box.
    pub lines: Vec<String>,
    /// Box under the node holding its app-configuration lines (clients
    /// with imported app files), or null.
    pub note: Option<Rect>,
    /// The app-configuration lines, shortened to the note's width.
    pub note_lines: Vec<String>,
}

/// One drawn edge: every flow between the same two nodes, in that
/// direction, bundled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgePath {
    /// Number of the edge (1-based), used by legends.
    pub number: usize,
    /// Source id.
    pub from: String,
    /// Target id.
    pub to: String,
    /// Indices into the graph's `edges` drawn by this path.
    pub edges: Vec<usize>,
    /// The label text (the controls, joined), empty when there is none.
    pub text: String,
    /// The points the edge is drawn through, source first; the last point
    /// is on the target's box (the arrow tip).
    pub points: Vec<Point>,
    /// Where the label is drawn, or null when there was no free slot (the
    /// text is then only in the tooltip or the legend).
    pub label: Option<Rect>,
    /// The label's lines as drawn in `label` (one, or two split at a
    /// ` · `); empty when `label` is null.
    pub label_lines: Vec<String>,
}

/// The drawn graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Geometry {
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
    /// Column headers, left to right.
    pub headers: Vec<HeaderBox>,
    /// Node boxes, in the graph view's node order.
    pub nodes: Vec<NodeBox>,
    /// Edge paths, by (source, target) order of first appearance.
    pub edges: Vec<EdgePath>,
}

impl Geometry {
    /// The box of node `id`.
    pub fn node(&self, id: &str) -> Option<&NodeBox> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_fits_and_segments_hit() {
        let max = 150.0;
        for s in ["Auth server", "A very long payment ledger database name", "x"] {
            for l in wrap(s, LABEL_SIZE, max) {
                assert!(text_width(&l, LABEL_SIZE) <= max, "{l}");
            }
        }
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        let p = |x, y| Point { x, y };
        assert!(r.hit_by_segment(p(-5.0, 5.0), p(15.0, 5.0)));
        assert!(!r.hit_by_segment(p(-5.0, 15.0), p(15.0, 12.0)));
        assert!(r.hit_by_segment(p(5.0, 5.0), p(5.0, 6.0)));
    }
}
