//! The defense-in-depth graph, drawn with egui's painter.
//!
//! Everything drawn comes from the report's geometry
//! (`GraphView::geometry`: boxes, routed edge paths, label boxes, column
//! headers, computed once per audit, never per frame); this module only
//! scales, translates and paints it. An edge whose label had no free slot
//! shows it on hover. Zoom with the wheel or pinch, pan by dragging, fit with
//! the button. Every node is also an accessible widget (label = node
//! label), so screen readers and UI tests can find and click it.

use crate::audit::Status;
use crate::graph::geometry::{EdgePath, LABEL_SIZE, SMALL_SIZE};
use crate::report::{GraphEdge, GraphNode, GraphView};
use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, CornerRadius, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Vec2, pos2, vec2};
use std::collections::{BTreeSet, HashMap};

/// Edges past which hovering does not look for the edge under the pointer.
const MAX_HOVER_EDGES: usize = 5_000;

/// Pan and zoom of the graph.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Camera {
    /// Screen offset of the world origin, relative to the view's top-left.
    pub offset: Vec2,
    /// Scale.
    pub zoom: f32,
    /// Fit on the next frame.
    pub fit: bool,
    /// The user panned or zoomed: stop refitting on resize.
    #[serde(skip)]
    pub manual: bool,
    /// View size at the last frame.
    #[serde(skip)]
    pub last_view: Vec2,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            offset: vec2(20.0, 40.0),
            zoom: 1.0,
            fit: true,
            manual: false,
            last_view: Vec2::ZERO,
        }
    }
}

/// What the graph should emphasise.
#[derive(Debug, Clone, Default)]
pub struct Highlight {
    /// Selected node.
    pub selected: Option<String>,
    /// Nodes to emphasise (e.g. the subject of the selected finding, or a
    /// layer in presentation mode).
    pub emphasised: BTreeSet<String>,
    /// Dim everything not emphasised.
    pub dim_others: bool,
    /// Nodes taken out by a what-if.
    pub bypassed: BTreeSet<String>,
    /// Text scale (presentation mode uses more).
    pub text_scale: f32,
}

/// Cached world geometry of a graph view (the report's geometry in
/// egui's types).
#[derive(Debug, Clone)]
pub struct Geometry {
    /// Node id -> world rect.
    pub rects: HashMap<String, Rect>,
    /// Column headers: (title, world rect).
    pub columns: Vec<(String, Rect)>,
    /// Each drawn edge's world polyline (curves flattened).
    pub paths: Vec<Vec<Pos2>>,
    /// World bounds.
    pub bounds: Rect,
}

fn world(r: &crate::graph::geometry::Rect) -> Rect {
    Rect::from_min_size(pos2(r.x as f32, r.y as f32), vec2(r.w as f32, r.h as f32))
}

/// The polyline of an edge path: straight between points sharing an x or
/// a y, else the horizontal-tangent cubic the SVG draws, flattened.
fn polyline(e: &EdgePath) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::with_capacity(e.points.len() * 4);
    for (i, p) in e.points.iter().enumerate() {
        let p = pos2(p.x as f32, p.y as f32);
        let Some(q) = out.last().copied().filter(|_| i > 0) else {
            out.push(p);
            continue;
        };
        if (q.x - p.x).abs() > 0.01 && (q.y - p.y).abs() > 0.01 {
            let mx = (q.x + p.x) / 2.0;
            let c = CubicBezierShape::from_points_stroke(
                [q, pos2(mx, q.y), pos2(mx, p.y), p],
                false,
                Color32::TRANSPARENT,
                Stroke::NONE,
            );
            out.extend((1..=12).map(|k| c.sample(k as f32 / 12.0)));
        } else {
            out.push(p);
        }
    }
    out
}

impl Geometry {
    /// Converts the geometry of `g` (once per audit).
    pub fn of(g: &GraphView) -> Geometry {
        let geo = &g.geometry;
        let rects = geo.nodes.iter().map(|n| (n.id.clone(), world(&n.rect))).collect();
        let columns = geo.headers.iter().map(|h| (h.title.clone(), world(&h.rect))).collect();
        let paths = geo.edges.iter().map(polyline).collect();
        let bounds = Rect::from_min_size(Pos2::ZERO, vec2(geo.width.max(1.0) as f32, geo.height.max(1.0) as f32));
        Geometry {
            rects,
            columns,
            paths,
            bounds,
        }
    }
}

/// Fill colour of a status, for light or dark themes.
pub fn status_fill(s: Option<Status>, dark: bool) -> Color32 {
    match (s, dark) {
        (Some(Status::Pass), false) => Color32::from_rgb(214, 245, 221),
        (Some(Status::Pass), true) => Color32::from_rgb(28, 84, 45),
        (Some(Status::Fail), false) => Color32::from_rgb(255, 214, 214),
        (Some(Status::Fail), true) => Color32::from_rgb(120, 30, 34),
        (Some(Status::Error), false) => Color32::from_rgb(255, 231, 194),
        (Some(Status::Error), true) => Color32::from_rgb(110, 70, 10),
        (Some(Status::Unverified), false) => Color32::from_rgb(228, 228, 244),
        (Some(Status::Unverified), true) => Color32::from_rgb(60, 60, 100),
        (_, false) => Color32::from_gray(240),
        (_, true) => Color32::from_gray(55),
    }
}

/// Accent colour of a status (badges, text).
pub fn status_accent(s: Status) -> Color32 {
    match s {
        Status::Pass => Color32::from_rgb(46, 125, 50),
        Status::Fail => Color32::from_rgb(198, 40, 40),
        Status::Error => Color32::from_rgb(178, 106, 0),
        Status::Unverified => Color32::from_rgb(92, 92, 153),
        Status::NotApplicable => Color32::GRAY,
    }
}

/// What happened in the graph this frame.
#[derive(Debug, Default)]
pub struct GraphResponse {
    /// A node was clicked.
    pub clicked: Option<String>,
    /// The background was clicked (clear selection).
    pub clicked_background: bool,
}

fn summary(n: &GraphNode, g: &GraphView) -> String {
    let out = g.edges.iter().filter(|e| e.from == n.id).count();
    let inc = g.edges.iter().filter(|e| e.to == n.id).count();
    let mut s = format!(
        "{} ({})\nstatus: {}\n{inc} in, {out} out",
        n.label,
        n.id,
        n.status.map(|s| s.name()).unwrap_or("—")
    );
    if !n.enforces.is_empty() {
        s.push_str(&format!(
            "\nenforces: {}",
            n.enforces.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        ));
    }
    if n.sensitive {
        s.push_str("\nholds sensitive data");
    }
    for line in &n.app_config {
        s.push_str(&format!("\napp config: {line}"));
    }
    s
}

/// Draws the graph into the remaining space of `ui`.
pub fn graph_ui(ui: &mut egui::Ui, g: &GraphView, geo: &Geometry, cam: &mut Camera, hl: &Highlight) -> GraphResponse {
    let mut out = GraphResponse::default();
    let (view, bg) = ui.allocate_exact_size(ui.available_size().max(vec2(200.0, 160.0)), Sense::click_and_drag());
    let dark = ui.visuals().dark_mode;
    if !cam.manual && (view.size() - cam.last_view).length() > 1.0 {
        cam.fit = true;
    }
    cam.last_view = view.size();
    if cam.fit {
        cam.manual = false;
        let b = geo.bounds.expand2(vec2(30.0, 50.0));
        let z = (view.width() / b.width())
            .min(view.height() / b.height())
            .clamp(0.2, 2.0);
        cam.zoom = z;
        cam.offset = (view.size() - b.size() * z) / 2.0 - b.min.to_vec2() * z;
        cam.fit = false;
    }
    // Pan and zoom.
    if bg.dragged() {
        cam.offset += bg.drag_delta();
        cam.manual = true;
    }
    if bg.hovered() {
        let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta));
        let factor = if zoom != 1.0 { zoom } else { (scroll.y / 400.0).exp() };
        if factor != 1.0 {
            let pointer = ui.input(|i| i.pointer.hover_pos()).unwrap_or(view.center()) - view.min;
            let new_zoom = (cam.zoom * factor).clamp(0.15, 4.0);
            cam.offset = pointer - (pointer - cam.offset) * (new_zoom / cam.zoom);
            cam.zoom = new_zoom;
            cam.manual = true;
        }
    }
    let to_screen = |p: Pos2| view.min + cam.offset + p.to_vec2() * cam.zoom;
    let painter = ui.painter_at(view);
    let z = cam.zoom;
    let ts = if hl.text_scale > 0.0 { hl.text_scale } else { 1.0 };
    let text_col = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();

    for (title, r) in &geo.columns {
        painter.text(
            to_screen(r.center()),
            Align2::CENTER_CENTER,
            title,
            FontId::proportional(13.0 * z * ts),
            weak,
        );
    }

    let faded = |id: &str| hl.dim_others && !hl.emphasised.contains(id);
    let pointer = ui.input(|i| i.pointer.hover_pos()).filter(|p| view.contains(*p));
    let mut hovered_edge: Option<&EdgePath> = None;
    for (p, line) in g.geometry.edges.iter().zip(&geo.paths) {
        let drawn: Vec<&GraphEdge> = p.edges.iter().filter_map(|i| g.edges.get(*i)).collect();
        let pts: Vec<Pos2> = line.iter().map(|q| to_screen(*q)).collect();
        if let Some(ptr) =
            pointer.filter(|_| g.geometry.edges.len() <= MAX_HOVER_EDGES && !p.text.is_empty() && p.label.is_none())
        {
            let near = pts.windows(2).any(|w| {
                egui::emath::Rect::from_two_pos(w[0], w[1]).expand(4.0).contains(ptr) && dist(ptr, w[0], w[1]) < 4.0
            });
            if near {
                hovered_edge = Some(p);
            }
        }
        draw_edge(
            &painter,
            p,
            &drawn,
            &pts,
            p.label.map(|r| {
                let w = world(&r);
                Rect::from_min_max(to_screen(w.min), to_screen(w.max))
            }),
            z,
            ts,
            dark,
            faded(&p.from) && faded(&p.to),
        );
    }

    for n in &g.nodes {
        let Some(world) = geo.rects.get(&n.id) else { continue };
        let r = Rect::from_min_max(to_screen(world.min), to_screen(world.max));
        let id = ui.scope_id().with(("node", &n.id));
        let resp = ui.interact(r, id, Sense::click());
        let label = n.label.clone();
        resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
        if resp.clicked() {
            out.clicked = Some(n.id.clone());
        }
        let off = hl.bypassed.contains(&n.id);
        let mut fill = status_fill(n.status, dark);
        if faded(&n.id) || off {
            fill = fill.gamma_multiply(0.35);
        }
        let selected = hl.selected.as_deref() == Some(n.id.as_str());
        let emphasised = hl.emphasised.contains(&n.id);
        let border = if selected {
            Stroke::new(3.0, ui.visuals().selection.stroke.color)
        } else if emphasised {
            Stroke::new(3.0, Color32::from_rgb(255, 160, 0))
        } else if n.sensitive {
            Stroke::new(2.5, Color32::from_rgb(106, 27, 154))
        } else {
            Stroke::new(1.0, Color32::GRAY)
        };
        let radius = CornerRadius::same((8.0 * z).clamp(1.0, 20.0) as u8);
        painter.rect_filled(r, radius, fill);
        painter.rect_stroke(r, radius, border, StrokeKind::Inside);
        let col = if faded(&n.id) { weak } else { text_col };
        let shape = g.geometry.node(&n.id);
        let lines: &[String] = shape.map_or(&[], |b| b.lines.as_slice());
        for (i, line) in lines.iter().enumerate() {
            painter.text(
                to_screen(pos2(world.center().x, world.min.y + 11.0 + 15.0 * i as f32)),
                Align2::CENTER_CENTER,
                line,
                FontId::proportional(LABEL_SIZE as f32 * z * ts),
                col,
            );
        }
        let sub = if off {
            "OFF (what-if)".to_string()
        } else {
            format!(
                "{}{}",
                n.status.map(|s| s.name()).unwrap_or("—"),
                if n.sensitive { " · sensitive data" } else { "" }
            )
        };
        painter.text(
            to_screen(pos2(world.center().x, world.max.y - 11.0)),
            Align2::CENTER_CENTER,
            sub,
            FontId::proportional(SMALL_SIZE as f32 * z * ts),
            weak,
        );
        // A client's imported app configuration, under its box.
        if let Some((note, note_lines)) = shape.and_then(|b| b.note.map(|r| (r, &b.note_lines))) {
            for (i, line) in note_lines.iter().enumerate() {
                painter.text(
                    to_screen(pos2(world.center().x, note.y as f32 + 12.0 * i as f32)),
                    Align2::CENTER_TOP,
                    line,
                    FontId::proportional(SMALL_SIZE as f32 * z * ts),
                    weak,
                );
            }
        }
        if resp.hovered() {
            resp.on_hover_text(summary(n, g));
        }
    }
    if let Some(e) = hovered_edge.filter(|_| out.clicked.is_none()) {
        bg.clone().on_hover_text(format!("{} → {}: {}", e.from, e.to, e.text));
    }
    if bg.clicked() && out.clicked.is_none() {
        out.clicked_background = true;
    }
    out
}

/// Distance from `p` to the segment `a`–`b`.
fn dist(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p - (a + ab * t)).length()
}

/// Draws one routed edge (screen points) with its flows' styling: bypass
/// red and thick, attacker dashed, else the status of the wire it lands on.
#[allow(clippy::too_many_arguments)]
fn draw_edge(
    painter: &egui::Painter,
    p: &EdgePath,
    drawn: &[&GraphEdge],
    pts: &[Pos2],
    label: Option<Rect>,
    z: f32,
    ts: f32,
    dark: bool,
    faded: bool,
) {
    let (Some(first), Some(&tip)) = (drawn.first(), pts.last()) else {
        return;
    };
    if pts.len() < 2 {
        return;
    }
    let bypass = drawn.iter().any(|e| e.bypass);
    let attacker = drawn.iter().all(|e| e.attacker);
    let mut colour = if bypass {
        Color32::from_rgb(220, 40, 40)
    } else if let Some(s) = first.status {
        status_accent(s).gamma_multiply(if dark { 1.0 } else { 0.85 })
    } else if dark {
        Color32::from_gray(160)
    } else {
        Color32::from_gray(110)
    };
    if faded {
        colour = colour.gamma_multiply(0.3);
    }
    let width = if bypass { 2.8 } else { 1.4 } * z.clamp(0.5, 2.0);
    let stroke = Stroke::new(width, colour);
    if attacker || bypass {
        painter.extend(Shape::dashed_line(pts, stroke, 6.0 * z, 4.0 * z));
    } else {
        painter.add(Shape::line(pts.to_vec(), stroke));
    }
    // Arrow head at the target.
    let back = pts[pts.len() - 2];
    let dir = (tip - back).normalized();
    let side = vec2(-dir.y, dir.x) * 4.5 * z;
    painter.add(Shape::convex_polygon(
        vec![tip, tip - dir * 9.0 * z + side, tip - dir * 9.0 * z - side],
        colour,
        Stroke::NONE,
    ));
    if let Some(rect) = label.filter(|_| z > 0.45) {
        let font = FontId::proportional(SMALL_SIZE as f32 * z * ts);
        let galley = painter.layout_no_wrap(p.label_lines.join("\n"), font, colour);
        let bg = if dark {
            Color32::from_black_alpha(160)
        } else {
            Color32::from_white_alpha(200)
        };
        painter.rect_filled(rect, 2, bg);
        painter.galley(rect.center() - galley.size() / 2.0, galley, colour);
    }
}
