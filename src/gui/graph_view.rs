//! The defense-in-depth graph, drawn with egui's painter.
//!
//! Positions come from the report's graph view (a layered layout computed
//! once per audit, never per frame); this module only transforms and
//! paints them. Zoom with the wheel or pinch, pan by dragging, fit with
//! the button. Every node is also an accessible widget (label = node
//! label), so screen readers and UI tests can find and click it.

use crate::audit::Status;
use crate::graph::layout::column_title;
use crate::report::svg::truncate;
use crate::report::{GraphEdge, GraphNode, GraphView};
use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, CornerRadius, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Vec2, pos2, vec2};
use std::collections::{BTreeSet, HashMap};

/// World size of one column and one row.
const COL_W: f32 = 212.0;
const ROW_H: f32 = 96.0;
/// World size of a node.
const NODE: Vec2 = vec2(168.0, 54.0);

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

/// Cached world geometry of a graph view.
#[derive(Debug, Clone)]
pub struct Geometry {
    /// Node id -> world rect.
    pub rects: HashMap<String, Rect>,
    /// Column index (compacted) -> (title, world x).
    pub columns: Vec<(String, f32)>,
    /// World bounds.
    pub bounds: Rect,
}

impl Geometry {
    /// Computes the geometry of `g` (once per audit).
    pub fn of(g: &GraphView) -> Geometry {
        let mut cols: Vec<usize> = g.nodes.iter().map(|n| n.column).collect();
        cols.sort_unstable();
        cols.dedup();
        let x_of = |c: usize| cols.iter().position(|x| *x == c).unwrap_or(0) as f32 * COL_W;
        let mut rects = HashMap::new();
        let mut bounds = Rect::NOTHING;
        for n in &g.nodes {
            let r = Rect::from_min_size(pos2(x_of(n.column), n.row as f32 * ROW_H), NODE);
            bounds = bounds.union(r);
            rects.insert(n.id.clone(), r);
        }
        let columns = cols.iter().map(|c| (column_title(*c).to_string(), x_of(*c))).collect();
        if rects.is_empty() {
            bounds = Rect::from_min_size(Pos2::ZERO, NODE);
        }
        Geometry { rects, columns, bounds }
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

    for (title, x) in &geo.columns {
        painter.text(
            to_screen(pos2(x + NODE.x / 2.0, -24.0)),
            Align2::CENTER_CENTER,
            title,
            FontId::proportional(13.0 * z * ts),
            weak,
        );
    }

    let faded = |id: &str| hl.dim_others && !hl.emphasised.contains(id);
    for e in &g.edges {
        draw_edge(
            &painter,
            e,
            geo,
            &to_screen,
            z,
            ts,
            dark,
            faded(&e.from) && faded(&e.to),
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
        painter.text(
            r.center() - vec2(0.0, 8.0 * z),
            Align2::CENTER_CENTER,
            truncate(&n.label, 24),
            FontId::proportional(13.0 * z * ts),
            col,
        );
        let sub = if off {
            "OFF (what-if)".to_string()
        } else {
            format!(
                "{}{}",
                n.status.map(|s| s.name()).unwrap_or("—"),
                if n.sensitive { " · sensitive" } else { "" }
            )
        };
        painter.text(
            r.center() + vec2(0.0, 11.0 * z),
            Align2::CENTER_CENTER,
            sub,
            FontId::proportional(10.5 * z * ts),
            weak,
        );
        // A client's imported app configuration, under its box.
        for (i, line) in n.app_config.iter().enumerate() {
            painter.text(
                pos2(r.center().x, r.max.y + (4.0 + 12.0 * i as f32) * z),
                Align2::CENTER_TOP,
                truncate(line, 44),
                FontId::proportional(10.0 * z * ts),
                weak,
            );
        }
        if resp.hovered() {
            resp.on_hover_text(summary(n, g));
        }
    }
    if bg.clicked() && out.clicked.is_none() {
        out.clicked_background = true;
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn draw_edge(
    painter: &egui::Painter,
    e: &GraphEdge,
    geo: &Geometry,
    to_screen: &impl Fn(Pos2) -> Pos2,
    z: f32,
    ts: f32,
    dark: bool,
    faded: bool,
) {
    let (Some(a), Some(b)) = (geo.rects.get(&e.from), geo.rects.get(&e.to)) else {
        return;
    };
    let (mut p0, mut p3) = (pos2(a.max.x, a.center().y), pos2(b.min.x, b.center().y));
    if p3.x <= p0.x {
        p0 = a.center_bottom();
        p3 = b.center_bottom();
    }
    let span = ((p3.x - p0.x) / COL_W).round();
    let lift = if (p0.y - p3.y).abs() < 1.0 && span >= 1.0 {
        -(NODE.y / 2.0 + 16.0 * span)
    } else {
        0.0
    };
    let dx = ((p3.x - p0.x) / 2.0).max(30.0);
    let pts = [p0, pos2(p0.x + dx, p0.y + lift), pos2(p3.x - dx, p3.y + lift), p3].map(to_screen);
    let mut colour = if e.bypass {
        Color32::from_rgb(220, 40, 40)
    } else if let Some(s) = e.status {
        status_accent(s).gamma_multiply(if dark { 1.0 } else { 0.85 })
    } else if dark {
        Color32::from_gray(160)
    } else {
        Color32::from_gray(110)
    };
    if faded {
        colour = colour.gamma_multiply(0.3);
    }
    let width = if e.bypass { 2.8 } else { 1.4 } * z.clamp(0.5, 2.0);
    let curve = CubicBezierShape::from_points_stroke(pts, false, Color32::TRANSPARENT, Stroke::new(width, colour));
    if e.attacker || e.bypass {
        let line = curve.flatten(Some(0.5));
        painter.extend(Shape::dashed_line(&line, Stroke::new(width, colour), 6.0 * z, 4.0 * z));
    } else {
        painter.add(curve.clone());
    }
    // Arrow head at the target.
    let tip = pts[3];
    let dir = (pts[3] - curve.sample(0.93)).normalized();
    let side = vec2(-dir.y, dir.x) * 4.5 * z;
    painter.add(Shape::convex_polygon(
        vec![tip, tip - dir * 9.0 * z + side, tip - dir * 9.0 * z - side],
        colour,
        Stroke::NONE,
    ));
    if !e.controls.is_empty() && !e.attacker && z > 0.45 {
        let mid = curve.sample(0.5);
        let text = e.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(" · ");
        let font = FontId::proportional(10.0 * z * ts);
        let galley = painter.layout_no_wrap(text, font, colour);
        let rect = Align2::CENTER_BOTTOM.anchor_size(mid - vec2(0.0, 2.0), galley.size());
        let bg = if dark {
            Color32::from_black_alpha(160)
        } else {
            Color32::from_white_alpha(200)
        };
        painter.rect_filled(rect.expand(1.5), 2, bg);
        painter.galley(rect.min, galley, colour);
    }
}
