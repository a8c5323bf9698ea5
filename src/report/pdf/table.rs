//! Tables: fixed column widths, cells wrapped inside their column, a
//! header row repeated on every page the table continues on.

use super::page::{Doc, INK, MARGIN_X, MUTED, RULE, Rgb};
use super::text::{self, Font};

/// Text size of table cells.
pub const CELL_SIZE: f32 = 8.0;
/// Padding inside a cell, left and right.
const PAD: f32 = 3.0;

/// One cell: text, font and colour.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The text (any Unicode; encoded when drawn).
    pub text: String,
    /// Font.
    pub font: Font,
    /// Colour.
    pub colour: Rgb,
}

impl Cell {
    /// Regular body text.
    pub fn plain(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            font: Font::Regular,
            colour: INK,
        }
    }
    /// Bold text.
    pub fn bold(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            font: Font::Bold,
            colour: INK,
        }
    }
    /// Monospaced text (identifiers).
    pub fn mono(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            font: Font::Mono,
            colour: INK,
        }
    }
    /// The same cell in another colour.
    pub fn colour(mut self, c: Rgb) -> Cell {
        self.colour = c;
        self
    }
}

/// Draws a table at the cursor. `widths` are fractions of the body width
/// (they are scaled to sum to it); every cell wraps to at most
/// `max_lines` lines.
pub fn draw(doc: &mut Doc, header: &[&str], widths: &[f32], rows: &[Vec<Cell>], max_lines: usize) {
    let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
    let body = doc.body_width();
    let cols: Vec<f32> = widths.iter().map(|w| w / total * body).collect();
    let lead = CELL_SIZE * 1.3;
    let draw_header = |doc: &mut Doc| {
        let h = lead + 4.0;
        doc.fill_rect(MARGIN_X, doc.y, body, h, Rgb::hex(0xf0f0f3));
        let mut x = MARGIN_X;
        for (i, w) in cols.iter().enumerate() {
            let label = text::encode(header.get(i).copied().unwrap_or(""));
            let baseline = doc.y + 2.0 + CELL_SIZE;
            doc.text(x + PAD, baseline, Font::Bold, CELL_SIZE, MUTED, &label, w - 2.0 * PAD);
            x += w;
        }
        doc.y += h;
    };
    doc.ensure(2.0 * (lead + 4.0));
    draw_header(doc);
    for row in rows {
        let wrapped: Vec<Vec<Vec<u8>>> = row
            .iter()
            .zip(&cols)
            .map(|(c, w)| text::wrap(&text::encode(&c.text), c.font, CELL_SIZE, w - 2.0 * PAD, max_lines))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = lines as f32 * lead + 4.0;
        let page_before = doc.pages.len();
        doc.ensure(h);
        if doc.pages.len() != page_before {
            draw_header(doc);
        }
        let mut x = MARGIN_X;
        for ((cell, lines), w) in row.iter().zip(&wrapped).zip(&cols) {
            for (i, line) in lines.iter().enumerate() {
                let baseline = doc.y + 2.0 + CELL_SIZE + i as f32 * lead;
                doc.text(
                    x + PAD,
                    baseline,
                    cell.font,
                    CELL_SIZE,
                    cell.colour,
                    line,
                    w - 2.0 * PAD,
                );
            }
            x += w;
        }
        doc.y += h;
        doc.line(MARGIN_X, doc.y, MARGIN_X + body, doc.y, RULE, 0.5);
    }
    doc.gap(6.0);
}
