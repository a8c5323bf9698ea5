//! Page layout: A4 pages (portrait or landscape), a top-down cursor that
//! starts a new page when the next block does not fit, and drawing
//! primitives that take top-down coordinates in points.
//!
//! Every piece of text is drawn through [`Doc::text`], which clips it to
//! the width it is given, and every width given stays inside the page's
//! margins: nothing can run off the page.

use super::text::{self, Font};
use pdf_writer::{Content, Name, Str};

/// A4 width in points (portrait).
pub const A4_W: f32 = 595.28;
/// A4 height in points (portrait).
pub const A4_H: f32 = 841.89;
/// Left and right margin.
pub const MARGIN_X: f32 = 48.0;
/// Space above the body (the running header sits in it).
pub const MARGIN_TOP: f32 = 58.0;
/// Space below the body (the page number sits in it).
pub const MARGIN_BOTTOM: f32 = 52.0;

/// An RGB colour, each channel 0-1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    /// From `#rrggbb` digits.
    pub const fn hex(v: u32) -> Rgb {
        Rgb(
            ((v >> 16) & 0xff) as f32 / 255.0,
            ((v >> 8) & 0xff) as f32 / 255.0,
            (v & 0xff) as f32 / 255.0,
        )
    }
}

/// Body text.
pub const INK: Rgb = Rgb::hex(0x1d1d1f);
/// Secondary text.
pub const MUTED: Rgb = Rgb::hex(0x666666);
/// Rules and borders.
pub const RULE: Rgb = Rgb::hex(0xdddddd);
/// White.
pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);

/// One page being drawn.
pub struct Page {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
    /// The content stream.
    pub content: Content,
}

/// The document being laid out: its pages and the cursor on the last one.
pub struct Doc {
    /// Pages so far.
    pub pages: Vec<Page>,
    /// Distance of the cursor from the top of the current page.
    pub y: f32,
    /// Section starts for the document outline: title, page index and
    /// distance from the page's top.
    pub marks: Vec<(String, usize, f32)>,
}

impl Default for Doc {
    fn default() -> Self {
        Self::new()
    }
}

impl Doc {
    /// An empty document (call [`Doc::new_page`] before drawing).
    pub fn new() -> Doc {
        Doc {
            pages: Vec::new(),
            y: MARGIN_TOP,
            marks: Vec::new(),
        }
    }

    /// Starts a page, portrait or landscape, with the cursor at the top of
    /// its body.
    pub fn new_page(&mut self, landscape: bool) {
        let (width, height) = if landscape { (A4_H, A4_W) } else { (A4_W, A4_H) };
        self.pages.push(Page {
            width,
            height,
            content: Content::new(),
        });
        self.y = MARGIN_TOP;
    }

    /// Width of the current page.
    pub fn width(&self) -> f32 {
        self.pages.last().map_or(A4_W, |p| p.width)
    }

    /// Height of the current page.
    pub fn height(&self) -> f32 {
        self.pages.last().map_or(A4_H, |p| p.height)
    }

    /// Width between the margins.
    pub fn body_width(&self) -> f32 {
        self.width() - 2.0 * MARGIN_X
    }

    /// The lowest the cursor may go on this page.
    pub fn bottom(&self) -> f32 {
        self.height() - MARGIN_BOTTOM
    }

    /// Starts a new portrait page unless `h` points still fit below the
    /// cursor (or the cursor is already at the top).
    pub fn ensure(&mut self, h: f32) {
        if self.pages.is_empty() || (self.y + h > self.bottom() && self.y > MARGIN_TOP + 0.5) {
            let landscape = self.width() > self.height();
            self.new_page(landscape && !self.pages.is_empty());
        }
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.new_page(false);
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last].content
    }

    /// Draws one line of text with its baseline at `baseline` (top-down),
    /// clipped to `max` points wide. Returns the width drawn.
    #[allow(clippy::too_many_arguments)]
    pub fn text(&mut self, x: f32, baseline: f32, font: Font, size: f32, colour: Rgb, s: &[u8], max: f32) -> f32 {
        let line = text::clip(s, font, size, max.max(0.0));
        if line.is_empty() {
            return 0.0;
        }
        let w = text::width(&line, font, size);
        let y = self.height() - baseline;
        let c = self.content();
        c.begin_text();
        c.set_fill_rgb(colour.0, colour.1, colour.2);
        c.set_font(Name(font.resource()), size);
        c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
        c.show(Str(&line));
        c.end_text();
        w
    }

    /// Draws `s` centred on `cx`, clipped to `max` points.
    #[allow(clippy::too_many_arguments)]
    pub fn text_centred(&mut self, cx: f32, baseline: f32, font: Font, size: f32, colour: Rgb, s: &[u8], max: f32) {
        let line = text::clip(s, font, size, max);
        let w = text::width(&line, font, size);
        self.text(cx - w / 2.0, baseline, font, size, colour, &line, max);
    }

    /// Flows a paragraph at the cursor from `x`, `max` points wide, at
    /// most `max_lines` lines, breaking pages between lines. The cursor
    /// ends below it.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(&mut self, x: f32, max: f32, font: Font, size: f32, colour: Rgb, s: &str, max_lines: usize) {
        let lead = size * 1.3;
        for line in text::wrap(&text::encode(s), font, size, max, max_lines) {
            self.ensure(lead);
            let baseline = self.y + size;
            self.text(x, baseline, font, size, colour, &line, max);
            self.y += lead;
        }
    }

    /// A labelled paragraph: `label` in bold, and `s` wrapped in the
    /// column after it (a hanging indent), at most `max_lines` lines.
    #[allow(clippy::too_many_arguments)]
    pub fn labelled(&mut self, x: f32, max: f32, size: f32, label: &str, s: &str, font: Font, max_lines: usize) {
        let lead = size * 1.3;
        let label = text::encode(label);
        let lw = (text::width(&label, Font::Bold, size) + 4.0).min(max / 3.0);
        let lines = text::wrap(&text::encode(s), font, size, max - lw, max_lines);
        self.ensure(lead);
        let baseline = self.y + size;
        self.text(x, baseline, Font::Bold, size, INK, &label, lw);
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.ensure(lead);
            }
            let baseline = self.y + size;
            self.text(x + lw, baseline, font, size, INK, line, max - lw);
            self.y += lead;
        }
        if lines.is_empty() {
            self.y += lead;
        }
    }

    /// A filled rectangle (top-down `y`).
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb) {
        let py = self.height() - y - h;
        let c = self.content();
        c.set_fill_rgb(fill.0, fill.1, fill.2);
        c.rect(x, py, w, h);
        c.fill_nonzero();
    }

    /// A rounded rectangle, filled and stroked (top-down `y`).
    #[allow(clippy::too_many_arguments)]
    pub fn rounded_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, fill: Rgb, stroke: Rgb, line: f32) {
        let top = self.height() - y;
        let bottom = top - h;
        let r = r.min(w / 2.0).min(h / 2.0);
        let k = 0.552_284_8 * r;
        let c = self.content();
        c.set_fill_rgb(fill.0, fill.1, fill.2);
        c.set_stroke_rgb(stroke.0, stroke.1, stroke.2);
        c.set_line_width(line);
        c.set_dash_pattern([], 0.0);
        c.move_to(x + r, bottom);
        c.line_to(x + w - r, bottom);
        c.cubic_to(x + w - r + k, bottom, x + w, bottom + r - k, x + w, bottom + r);
        c.line_to(x + w, top - r);
        c.cubic_to(x + w, top - r + k, x + w - r + k, top, x + w - r, top);
        c.line_to(x + r, top);
        c.cubic_to(x + r - k, top, x, top - r + k, x, top - r);
        c.line_to(x, bottom + r);
        c.cubic_to(x, bottom + r - k, x + r - k, bottom, x + r, bottom);
        c.close_path();
        c.fill_nonzero_and_stroke();
    }

    /// A straight line (top-down coordinates).
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, colour: Rgb, width: f32) {
        let h = self.height();
        let c = self.content();
        c.set_stroke_rgb(colour.0, colour.1, colour.2);
        c.set_line_width(width);
        c.set_dash_pattern([], 0.0);
        c.move_to(x1, h - y1);
        c.line_to(x2, h - y2);
        c.stroke();
    }

    /// A cubic Bézier stroke through top-down points, dashed when `dash` is
    /// not empty.
    pub fn curve(&mut self, p: [(f32, f32); 4], colour: Rgb, width: f32, dash: &[f32]) {
        let h = self.height();
        let c = self.content();
        c.set_stroke_rgb(colour.0, colour.1, colour.2);
        c.set_line_width(width);
        c.set_dash_pattern(dash.iter().copied(), 0.0);
        c.move_to(p[0].0, h - p[0].1);
        c.cubic_to(p[1].0, h - p[1].1, p[2].0, h - p[2].1, p[3].0, h - p[3].1);
        c.stroke();
    }

    /// A filled triangle (an arrowhead) through top-down points.
    pub fn triangle(&mut self, p: [(f32, f32); 3], fill: Rgb) {
        let h = self.height();
        let c = self.content();
        c.set_fill_rgb(fill.0, fill.1, fill.2);
        c.move_to(p[0].0, h - p[0].1);
        c.line_to(p[1].0, h - p[1].1);
        c.line_to(p[2].0, h - p[2].1);
        c.close_path();
        c.fill_nonzero();
    }

    /// A section heading at the cursor, kept with `keep` points of what
    /// follows.
    pub fn heading(&mut self, s: &str, size: f32, keep: f32) {
        self.ensure(size * 1.6 + keep);
        self.y += size * 0.4;
        let max = self.body_width();
        self.paragraph(MARGIN_X, max, Font::Bold, size, INK, s, 3);
        self.y += size * 0.2;
    }

    /// A top-level section heading: like [`Doc::heading`], and listed in
    /// the document outline (the viewer's bookmarks).
    pub fn section(&mut self, s: &str, size: f32, keep: f32) {
        self.ensure(size * 1.6 + keep);
        if self.pages.is_empty() {
            self.new_page(false);
        }
        self.marks.push((s.to_string(), self.pages.len() - 1, self.y));
        self.heading(s, size, keep);
    }

    /// Records the cursor's place in the outline without a heading.
    pub fn mark(&mut self, s: &str) {
        if self.pages.is_empty() {
            self.new_page(false);
        }
        self.marks.push((s.to_string(), self.pages.len() - 1, self.y));
    }

    /// Vertical space.
    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }
}
