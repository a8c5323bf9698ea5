//! PDF rendering, in Rust, without a browser: A4 pages drawn with the
//! standard PDF fonts (Helvetica, Helvetica-Bold, Courier; no font file)
//! through `pdf-writer`.
//!
//! Pages, in order: the cover (system, audit time, grade, score, grade
//! before caps, each cap, counts), the layer table (on the cover when it
//! fits), the defense-in-depth graph on landscape pages, the hops and the
//! paths to sensitive data, the failing findings then the errors and
//! unverified claims (by layer, by severity), the probes that could not
//! run, the tool errors, the passed checks in one line each, and what the
//! probes saw on each endpoint. Every page has a running header and its
//! number, and the outline (bookmarks) lists the sections.
//!
//! The output is deterministic: objects are written in a fixed order,
//! content streams are not compressed (so a snapshot diff is readable), and
//! the only time in the file is the report's `observed_at`.

mod graph;
pub mod metrics;
mod page;
mod sections;
mod table;
pub mod text;

use super::Report;
use super::exporters::{ExportError, Exporter};
use page::{Doc, MARGIN_X, MUTED, RULE};
use pdf_writer::{Name, Pdf, Rect, Ref, TextStr};
use text::Font;

/// Smallest text size anywhere in the PDF, in points.
pub const MIN_TEXT_SIZE: f32 = graph::MIN_TEXT;

/// Lays the report out and writes the PDF.
pub fn render(r: &Report) -> Vec<u8> {
    let mut doc = Doc::new();
    sections::cover(&mut doc, r);
    sections::layers(&mut doc, r);
    graph::render(&mut doc, &r.graph);
    sections::findings(&mut doc, r);
    sections::blocked(&mut doc, r);
    sections::tool_errors(&mut doc, r);
    sections::passed(&mut doc, r);
    sections::endpoints(&mut doc, r);
    running_heads(&mut doc, r);
    write(doc, r)
}

/// The running header (system, audit time, grade) and the page number.
fn running_heads(doc: &mut Doc, r: &Report) {
    let total = doc.pages.len();
    let pages = std::mem::take(&mut doc.pages);
    let left = text::encode(&format!("Strata audit · {}", r.system.name));
    let right = text::encode(&format!("{} · grade {}", r.observed_at, r.score.grade));
    for (i, p) in pages.into_iter().enumerate() {
        let mut one = Doc::new();
        one.pages.push(p);
        let w = one.width();
        let h = one.height();
        let rw = text::width(
            &text::clip(&right, Font::Regular, 7.5, w / 2.0 - MARGIN_X),
            Font::Regular,
            7.5,
        );
        one.text(
            w - MARGIN_X - rw,
            32.0,
            Font::Regular,
            7.5,
            MUTED,
            &right,
            w / 2.0 - MARGIN_X,
        );
        one.text(
            MARGIN_X,
            32.0,
            Font::Bold,
            7.5,
            MUTED,
            &left,
            w - 2.0 * MARGIN_X - rw - 12.0,
        );
        one.line(MARGIN_X, 37.0, w - MARGIN_X, 37.0, RULE, 0.5);
        let number = text::encode(&format!("Page {} of {total}", i + 1));
        one.text_centred(w / 2.0, h - 28.0, Font::Regular, 7.5, MUTED, &number, 120.0);
        doc.pages.append(&mut one.pages);
    }
}

/// Writes the objects: catalog, page tree, the three fonts, the document
/// information, the outline, then each page and its content stream.
fn write(doc: Doc, r: &Report) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let fonts: Vec<(Font, Ref)> = Font::ALL.iter().zip(3..).map(|(f, i)| (*f, Ref::new(i))).collect();
    let info = Ref::new(6);
    let first_page = 7;
    let page_refs: Vec<(Ref, Ref)> = (0..doc.pages.len() as i32)
        .map(|i| (Ref::new(first_page + 2 * i), Ref::new(first_page + 2 * i + 1)))
        .collect();

    let outline = Ref::new(first_page + 2 * page_refs.len() as i32);
    let items: Vec<Ref> = (0..doc.marks.len() as i32)
        .map(|i| Ref::new(outline.get() + 1 + i))
        .collect();

    let mut pdf = Pdf::new();
    {
        let mut cat = pdf.catalog(catalog);
        cat.pages(tree);
        if !items.is_empty() {
            cat.outlines(outline);
        }
    }
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(page_refs.len() as i32);
    for (font, id) in &fonts {
        pdf.type1_font(*id)
            .base_font(Name(font.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("Strata audit: {}", r.system.name);
    let title: String = title.chars().filter(|c| !c.is_control()).take(200).collect();
    let producer = format!("{} {}", r.tool.name, r.tool.version);
    pdf.document_info(info)
        .title(TextStr(&title))
        .producer(TextStr(&producer))
        .creator(TextStr(&producer));
    // The outline: one flat list of the sections, in page order.
    if let (Some(first), Some(last)) = (items.first(), items.last()) {
        pdf.outline(outline).first(*first).last(*last).count(items.len() as i32);
        for (i, ((title, page, y), id)) in doc.marks.iter().zip(&items).enumerate() {
            let title: String = title.chars().filter(|c| !c.is_control()).take(120).collect();
            let height = doc.pages.get(*page).map_or(page::A4_H, |p| p.height);
            let target = page_refs
                .get(*page)
                .or(page_refs.first())
                .map_or(Ref::new(first_page), |(p, _)| *p);
            let mut item = pdf.outline_item(*id);
            item.title(TextStr(&title)).parent(outline);
            if i > 0 {
                item.prev(items[i - 1]);
            }
            if let Some(next) = items.get(i + 1) {
                item.next(*next);
            }
            item.dest().page(target).xyz(0.0, height - y + 8.0, None);
        }
    }
    for (p, (page_ref, content_ref)) in doc.pages.into_iter().zip(&page_refs) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, p.width, p.height))
            .parent(tree)
            .contents(*content_ref);
        {
            let mut res = page.resources();
            let mut dict = res.fonts();
            for (font, id) in &fonts {
                dict.pair(Name(font.resource()), *id);
            }
        }
        drop(page);
        let data = p.content.finish();
        pdf.stream(*content_ref, &data);
    }
    pdf.finish()
}

/// The PDF exporter.
#[derive(Debug, Clone, Copy)]
pub struct PdfReport;

impl Exporter for PdfReport {
    fn name(&self) -> &'static str {
        "pdf"
    }
    fn label(&self) -> &'static str {
        "PDF"
    }
    fn extension(&self) -> &'static str {
        "pdf"
    }
    fn media_type(&self) -> &'static str {
        "application/pdf"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, ExportError> {
        Ok(render(report))
    }
}
