//! The PDF report, checked by independent tools: `qpdf --check` for the
//! structure, `pdfinfo` for the page count and A4 sizes, `pdftotext` for
//! the text a reader gets (grade, caps, every failing finding's title and
//! remediation, blocked probes, tool errors) and `pdftotext -bbox` for
//! where every word sits (inside the page's margins, never smaller than
//! 7 pt). The bundled Acme Pay sample with fixed evidence, and a report
//! full of hostile strings.
//!
//! Without poppler-utils or qpdf the tool checks print SKIPPED; with
//! `STRATA_REQUIRE_PDF_TOOLS=1` (as `.ci/run` sets) they fail instead.

mod common;

use std::path::Path;
use std::process::Command;
use strata::audit::Status;
use strata::audit::rules::Ruleset;
use strata::pipeline::{self, Outcome};
use strata::report::Report;
use strata::report::exporters::by_name;

const SAMPLE: &str = "sample-projects/acme-pay/architecture.yaml";
const EVIDENCE: &str = "tests/fixtures/reports/acme-pay.evidence.json";
/// The body margin left and right; a word may not come closer to an edge.
const MARGIN: f64 = 47.5;

fn outcome() -> Outcome {
    let model = strata::model::load(&common::repo(SAMPLE)).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(common::repo(EVIDENCE)).expect("evidence fixture");
    let evidence = serde_json::from_str(&text).expect("evidence parses");
    let rules = Ruleset::builtin().expect("rules");
    pipeline::audit_with(&model, &rules, evidence)
}

fn render(r: &Report) -> Vec<u8> {
    by_name("pdf")
        .expect("pdf is registered")
        .render(r)
        .expect("pdf renders")
}

/// Writes `bytes` to a temporary folder, and also to `STRATA_PDF_OUT` when
/// set (to look at the pages).
fn save(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    if let Some(out) = std::env::var_os("STRATA_PDF_OUT") {
        std::fs::create_dir_all(&out).expect("STRATA_PDF_OUT");
        std::fs::write(Path::new(&out).join(name), bytes).expect("write to STRATA_PDF_OUT");
    }
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).expect("write");
    file
}

/// True when every tool runs; otherwise SKIPPED on stderr, or a failure
/// when `STRATA_REQUIRE_PDF_TOOLS=1`.
fn tools_present(what: &str) -> bool {
    let missing: Vec<&str> = [("qpdf", "--version"), ("pdfinfo", "-v"), ("pdftotext", "-v")]
        .into_iter()
        .filter(|(tool, arg)| Command::new(tool).arg(arg).output().is_err())
        .map(|(tool, _)| tool)
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not installed (apt-get install poppler-utils qpdf); the independent checks of {what} did not run",
        missing.join(", ")
    );
    assert!(
        std::env::var_os("STRATA_REQUIRE_PDF_TOOLS").is_none_or(|v| v != "1"),
        "{why}"
    );
    eprintln!("SKIPPED: {why}");
    false
}

/// Runs `tool` on `file` (poppler's tools write to stdout with `-`).
fn run(tool: &str, args: &[&str], file: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(file);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{tool}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The words of the text layer, whitespace collapsed (wrapping only breaks
/// lines at spaces, so wrapped text reads back as it was written).
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the PDF's WinAnsi text spells `s`: the few transliterations the
/// exporter makes.
fn as_printed(s: &str) -> String {
    words(&s.replace('→', "->").replace('≥', ">=").replace('≤', "<="))
}

/// A word's box on a page.
#[derive(Debug)]
struct Word {
    page: usize,
    page_w: f64,
    page_h: f64,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    tag.find(&key)
        .and_then(|i| {
            let rest = &tag[i + key.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
}

/// Every word of `pdftotext -bbox`, with its page's size.
fn boxes(file: &Path) -> Vec<Word> {
    let html = run("pdftotext", &["-bbox"], file);
    let mut out = Vec::new();
    let (mut page, mut pw, mut ph) = (0, 0.0, 0.0);
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
            pw = attr(line, "width");
            ph = attr(line, "height");
        } else if line.starts_with("<word ") {
            let text = line
                .split_once('>')
                .and_then(|(_, r)| r.rsplit_once("</word>"))
                .map(|(t, _)| {
                    t.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&apos;", "'")
                        .replace("&amp;", "&")
                })
                .unwrap_or_default();
            out.push(Word {
                page,
                page_w: pw,
                page_h: ph,
                x_min: attr(line, "xMin"),
                y_min: attr(line, "yMin"),
                x_max: attr(line, "xMax"),
                y_max: attr(line, "yMax"),
                text,
            });
        }
    }
    out
}

/// The font size of a word from its box: poppler's box is 0.925 em tall
/// for Helvetica and 0.786 em for Courier, whose glyphs are all 0.6 em
/// wide (which tells the two apart).
fn size(w: &Word) -> f64 {
    let h = w.y_max - w.y_min;
    let chars = w.text.chars().count() as f64;
    let mono = h / 0.786;
    if ((w.x_max - w.x_min) - 0.6 * mono * chars).abs() < 0.05 * chars.max(1.0) {
        mono
    } else {
        h / 0.925
    }
}

/// Every word inside the page's margins and at least 7 pt.
fn assert_words_on_the_page(file: &Path) {
    let words = boxes(file);
    assert!(!words.is_empty(), "no text in {}", file.display());
    for w in &words {
        assert!(
            w.x_min >= MARGIN && w.x_max <= w.page_w - MARGIN && w.y_min >= 20.0 && w.y_max <= w.page_h - 20.0,
            "word off the page or in the margin on page {}: {w:?}",
            w.page
        );
        assert!(size(w) >= 6.99, "text smaller than 7 pt ({:.2}): {w:?}", size(w));
    }
}

#[test]
fn acme_pay_pdf_is_valid_a4_with_grade_caps_findings_and_a_landscape_graph() {
    let o = outcome();
    let r = &*o.report;
    let bytes = render(r);
    assert!(bytes.starts_with(b"%PDF-1."), "a PDF header");
    // Same report, same bytes; a second audit of the same evidence too.
    assert_eq!(bytes, render(r), "two renders differ");
    assert_eq!(
        bytes,
        render(&outcome().report),
        "two audits of one evidence render differently"
    );
    if !tools_present("the Acme Pay PDF") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = save(&dir, "acme-pay.pdf", &bytes);

    let check = run("qpdf", &["--check"], &file);
    assert!(check.contains("No syntax or stream encoding errors"), "{check}");
    // The outline (bookmarks) names the sections, each on its page.
    let outline: serde_json::Value =
        serde_json::from_str(&run("qpdf", &["--json", "--json-key=outlines"], &file)).expect("qpdf json");
    let titles: Vec<&str> = outline["outlines"]
        .as_array()
        .expect("outlines")
        .iter()
        .filter_map(|o| o["title"].as_str())
        .collect();
    for want in [
        "Layers",
        "Defense-in-depth graph",
        "Failing findings (",
        "Endpoints probed (",
    ] {
        assert!(
            titles.iter().any(|t| t.starts_with(want)),
            "outline lacks {want}: {titles:?}"
        );
    }

    let info = run("pdfinfo", &[], &file);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert!(pages > 1, "{info}");
    assert!(info.contains("Page size:       595.28 x 841.89 pts (A4)"), "{info}");
    let sizes = run("pdfinfo", &["-f", "1", "-l", &pages.to_string()], &file);
    let landscape: Vec<&str> = sizes
        .lines()
        .filter(|l| l.contains("size:  841.89 x 595.28 pts (A4)"))
        .collect();
    assert_eq!(landscape.len(), 1, "one landscape A4 page for the graph:\n{sizes}");
    assert_eq!(
        sizes
            .lines()
            .filter(|l| l.contains("pts (A4)") && l.starts_with("Page "))
            .count(),
        pages,
        "every page A4:\n{sizes}"
    );

    let text = words(&run("pdftotext", &["-enc", "UTF-8"], &file));
    let s = &r.score;
    for want in [
        format!("Score {}/100", s.overall),
        format!("Grade {} before caps", s.uncapped_grade),
        format!("grade {}", s.grade),
        r.system.name.clone(),
        r.observed_at.clone(),
        "Defense-in-depth graph".into(),
        "Layers".into(),
        "Page 1 of".into(),
        format!("Endpoints probed ({})", r.evidence.endpoints.len()),
        "Hops in the graph".into(),
        "Paths to sensitive data".into(),
    ] {
        assert!(text.contains(&want), "missing {want:?}");
    }
    assert!(!s.caps.is_empty());
    for cap in &s.caps {
        assert!(text.contains(&as_printed(cap)), "cap missing: {cap}");
    }
    let failing: Vec<_> = r.findings.iter().filter(|f| f.status == Status::Fail).collect();
    assert!(!failing.is_empty());
    assert!(text.contains(&format!("Failing findings ({})", failing.len())));
    for f in &failing {
        assert!(text.contains(&as_printed(&f.title)), "title missing: {}", f.title);
        assert!(
            text.contains(&as_printed(&f.remediation)),
            "remediation missing: {}",
            f.id
        );
        assert!(text.contains(&f.id), "id missing: {}", f.id);
    }
    for l in &s.layers {
        assert!(text.contains(&as_printed(l.layer.question())), "{:?}", l.layer);
    }
    // Every node label of the graph is on its page.
    let graph_page: usize = sizes
        .lines()
        .find(|l| l.contains("841.89 x 595.28"))
        .and_then(|l| l.strip_prefix("Page")?.split_whitespace().next()?.parse().ok())
        .expect("graph page");
    let graph_text = words(&run(
        "pdftotext",
        &[
            "-f",
            &graph_page.to_string(),
            "-l",
            &graph_page.to_string(),
            "-enc",
            "UTF-8",
        ],
        &file,
    ));
    for n in &r.graph.nodes {
        for word in n.label.split_whitespace() {
            assert!(
                graph_text.contains(word),
                "node label word {word:?} of {} not on the graph page",
                n.id
            );
        }
    }
    for title in ["Internet", "Clients", "Gateway", "Services", "Data"] {
        assert!(graph_text.contains(title), "column title {title}");
    }
    assert_words_on_the_page(&file);
}

/// A report with a blocked probe and a tool error (the sample has none).
fn with_blocked_and_tool_error(r: &Report) -> Report {
    let mut r = r.clone();
    r.blocked.push(strata::report::Blocked {
        endpoint: "api".into(),
        probe: "legacy".into(),
        stage: "connect".into(),
        reason: "nothing accepted the connection (connection refused)".into(),
        detail: Some("Connection refused (os error 111)".into()),
        rules: vec!["legacy-tls-off".into(), "tls-min-version".into()],
        findings: vec!["legacy-tls-off@endpoint:api".into()],
    });
    r.tool_errors.push(strata::audit::ToolError {
        rule: "zero-rule".into(),
        subject: "endpoint:api".into(),
        origin: "rules.yaml:11".into(),
        expression: "check".into(),
        message: "failed: division by zero".into(),
    });
    r
}

#[test]
fn blocked_probes_are_listed_once_with_their_rules_and_tool_errors_are_shown() {
    let o = outcome();
    let r = with_blocked_and_tool_error(&o.report);
    let bytes = render(&r);
    if !tools_present("blocked probes and tool errors") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = save(&dir, "blocked.pdf", &bytes);
    run("qpdf", &["--check"], &file);
    let text = words(&run("pdftotext", &["-enc", "UTF-8"], &file));
    for want in [
        "Probes that could not run (1)",
        "nothing accepted the connection (connection refused)",
        "2: legacy-tls-off, tls-min-version",
        "Tool errors (1): not findings",
        "failed: division by zero",
        "zero-rule",
        "rules.yaml:11",
    ] {
        assert!(text.contains(want), "missing {want:?}");
    }
    assert_eq!(
        text.matches("legacy-tls-off, tls-min-version").count(),
        1,
        "once per endpoint and probe"
    );
}

#[test]
fn hostile_strings_render_without_panics_and_stay_on_the_page() {
    let o = outcome();
    let mut r = with_blocked_and_tool_error(&o.report);
    let long_word = "W".repeat(3000);
    let huge = "Z".repeat(10_000);
    let nasty = "ctrl\u{0}\u{7}\u{1b}[31m\r\nnext\tline Привет мир 日本語 🚀 → ≥ “quotes” — … · ∑∞";
    r.system.name = format!("{long_word} {nasty}");
    r.system.description = huge.clone();
    r.score.caps.push(format!("cap {long_word}"));
    let i = r
        .findings
        .iter()
        .position(|f| f.status == Status::Fail)
        .expect("a failure");
    r.findings[i].title = format!("{nasty} {long_word}");
    r.findings[i].message = format!("{nasty} {huge}");
    r.findings[i].remediation = (0..2000).map(|n| format!("step{n} ")).collect();
    r.findings[i].references = vec![huge.clone(); 50];
    r.findings[i].evidence.insert(
        "hostile".into(),
        serde_json::json!({ "value": huge, "nested": { nasty: [huge, long_word] } }),
    );
    r.blocked[0].detail = Some(huge.clone());
    r.blocked[0].rules = (0..500).map(|n| format!("rule-{n}")).collect();
    r.tool_errors[0].message = huge.clone();
    if let Some(n) = r.graph.nodes.first_mut() {
        n.label = format!("{long_word} {nasty}");
    }
    if let Some(e) = r.graph.edges.iter_mut().find(|e| !e.attacker && !e.controls.is_empty()) {
        e.controls = vec![e.controls[0]; 40];
    }
    // Forty more rows than fit on one page: the graph is drawn in bands.
    let template = r.graph.nodes[1].clone();
    let mut edge = r.graph.edges[0].clone();
    for row in 0..40 {
        let mut n = template.clone();
        n.id = format!("extra-{row}");
        n.label = format!("Extra client {row} {nasty}");
        n.row = template.row + 3 + row;
        if row > 0 {
            edge.from = format!("extra-{}", row - 1);
            edge.to = n.id.clone();
            r.graph.edges.push(edge.clone());
        }
        r.graph.nodes.push(n);
    }
    let bytes = render(&r);
    assert_eq!(bytes, render(&r), "deterministic with hostile text too");
    assert!(
        !bytes.windows(2001).any(|w| w.iter().all(|b| *b == b'Z')),
        "a 10,000-character value is excerpted, not printed whole"
    );
    if !tools_present("the hostile PDF") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = save(&dir, "hostile.pdf", &bytes);
    let check = run("qpdf", &["--check"], &file);
    assert!(check.contains("No syntax or stream encoding errors"), "{check}");
    let outline = run("qpdf", &["--json", "--json-key=outlines"], &file);
    assert!(outline.contains("Tool errors (1)"), "{outline}");
    let text = run("pdftotext", &["-enc", "UTF-8"], &file);
    assert!(text.contains("-> >="), "arrows transliterated");
    assert!(text.contains("“quotes” — … ·"), "WinAnsi punctuation kept");
    assert!(text.contains("?????? ???"), "non-Latin text shown as ?");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "no control characters"
    );
    assert!(text.contains("characters in all"), "cut values say how long they were");
    assert!(
        text.contains("Defense-in-depth graph (rows 1-"),
        "the tall graph is drawn in bands"
    );
    assert!(
        text.contains("join rows on another page"),
        "hops between bands are counted"
    );
    assert_words_on_the_page(&file);
}
