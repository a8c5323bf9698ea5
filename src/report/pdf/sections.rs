//! The report's sections in PDF: the cover (grade, score, caps, counts),
//! the layer table, the findings that need action (failures, then errors
//! and unverified claims, by layer and severity, each with evidence facts,
//! remediation and references), the probes that could not run (once per
//! endpoint and probe), the tool errors, a one-line list of passed
//! checks, and what the probes saw on each endpoint.
//!
//! Every string can come from a hostile server, and every one is bounded:
//! each paragraph has a line limit, each evidence value a character limit,
//! each finding a fact limit; the JSON report keeps the full text.

use super::page::{Doc, INK, MARGIN_X, MUTED, Rgb, WHITE};
use super::table::{self, Cell};
use super::text::{self, Font};
use crate::audit::rules::{Layer, Severity};
use crate::audit::{Finding, Status};
use crate::report::Report;

/// Longest evidence value shown, in characters.
pub const MAX_VALUE: usize = 240;
/// Most evidence facts shown per finding.
pub const MAX_FACTS: usize = 10;
/// Most lines of a message, rationale or remediation.
const MAX_LINES: usize = 12;

/// Red of failures.
const FAIL: Rgb = Rgb::hex(0xc62828);
/// Green of passes.
const PASS: Rgb = Rgb::hex(0x2e7d32);
/// Amber of errors.
const ERROR: Rgb = Rgb::hex(0xb26a00);
/// Slate of unverified claims.
const UNVERIFIED: Rgb = Rgb::hex(0x5c5c99);

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// The badge colour of a status.
fn status_colour(s: Status) -> Rgb {
    match s {
        Status::Fail => FAIL,
        Status::Pass => PASS,
        Status::Error => ERROR,
        Status::Unverified => UNVERIFIED,
        Status::NotApplicable => Rgb::hex(0x888888),
    }
}

/// The colour of a grade letter's box (as in the HTML).
fn grade_colour(g: &str) -> Rgb {
    match g {
        "A" | "B" => PASS,
        "C" | "D" => ERROR,
        _ => FAIL,
    }
}

fn count(r: &Report, s: Status) -> usize {
    r.findings.iter().filter(|f| f.status == s).count()
}

/// The cover: system, audit time, grade, score, caps and counts.
pub fn cover(doc: &mut Doc, r: &Report) {
    doc.new_page(false);
    doc.mark(&format!(
        "Summary: grade {}, score {}/100",
        r.score.grade, r.score.overall
    ));
    let w = doc.body_width();
    doc.paragraph(
        MARGIN_X,
        w,
        Font::Bold,
        11.0,
        MUTED,
        "STRATA SECURITY ARCHITECTURE AUDIT",
        1,
    );
    doc.gap(4.0);
    doc.paragraph(MARGIN_X, w, Font::Bold, 24.0, INK, &r.system.name, 3);
    doc.gap(2.0);
    let meta = format!(
        "Audited {} · model {} · {} {} · report schema {}",
        r.observed_at, r.system.source, r.tool.name, r.tool.version, r.schema
    );
    doc.paragraph(MARGIN_X, w, Font::Regular, 9.0, MUTED, &meta, 3);
    if let Some(owner) = &r.system.owner {
        doc.paragraph(MARGIN_X, w, Font::Regular, 9.0, MUTED, &format!("Owner: {owner}"), 2);
    }
    if !r.system.description.is_empty() {
        doc.gap(4.0);
        doc.paragraph(MARGIN_X, w, Font::Regular, 10.0, INK, &r.system.description, 8);
    }
    doc.gap(14.0);

    // The grade, large, with the score beside it.
    let top = doc.y;
    let grade = text::encode(&r.score.grade);
    doc.rounded_rect(
        MARGIN_X,
        top,
        96.0,
        96.0,
        12.0,
        grade_colour(&r.score.grade),
        grade_colour(&r.score.grade),
        0.5,
    );
    doc.text_centred(MARGIN_X + 48.0, top + 74.0, Font::Bold, 64.0, WHITE, &grade, 90.0);
    let x = MARGIN_X + 116.0;
    let right = w - 116.0;
    doc.text(
        x,
        top + 22.0,
        Font::Bold,
        20.0,
        INK,
        &text::encode(&format!("Score {}/100", r.score.overall)),
        right,
    );
    doc.text(
        x,
        top + 42.0,
        Font::Regular,
        11.0,
        INK,
        &text::encode(&format!("Grade {} before caps", r.score.uncapped_grade)),
        right,
    );
    let caps_line = if r.score.caps.is_empty() {
        "No cap applies: the grade is the score's.".to_string()
    } else {
        format!("{} cap(s) lower the grade:", r.score.caps.len())
    };
    doc.text(
        x,
        top + 60.0,
        Font::Regular,
        10.0,
        MUTED,
        &text::encode(&caps_line),
        right,
    );
    doc.y = top + 68.0;
    for cap in &r.score.caps {
        doc.paragraph(x, right, Font::Bold, 10.0, FAIL, &format!("• {cap}"), 4);
    }
    doc.y = doc.y.max(top + 104.0);
    if let Some(t) = &r.triage {
        doc.paragraph(x, right, Font::Regular, 9.0, INK, &format!("Triage {}", t.line()), 6);
    }
    doc.gap(10.0);

    // Counts.
    doc.heading("What was found", 12.0, 60.0);
    let blocked_rules: usize = r.blocked.iter().map(|b| b.rules.len()).sum();
    let rows = vec![
        vec![
            Cell::bold("Failed").colour(FAIL),
            Cell::plain(count(r, Status::Fail).to_string()),
            Cell::plain("listed under Findings"),
        ],
        vec![
            Cell::bold("Errors").colour(ERROR),
            Cell::plain(count(r, Status::Error).to_string()),
            Cell::plain("checks that could not run; those caused by a probe failure are listed once per probe"),
        ],
        vec![
            Cell::bold("Unverified").colour(UNVERIFIED),
            Cell::plain(count(r, Status::Unverified).to_string()),
            Cell::plain("declared but not observed: never counted as a pass"),
        ],
        vec![
            Cell::bold("Passed").colour(PASS),
            Cell::plain(count(r, Status::Pass).to_string()),
            Cell::plain("listed in one line each at the end"),
        ],
        vec![
            Cell::bold("Not applicable"),
            Cell::plain(count(r, Status::NotApplicable).to_string()),
            Cell::plain("counted, not listed (the JSON report has them)"),
        ],
        vec![
            Cell::bold("Probes that could not run"),
            Cell::plain(r.blocked.len().to_string()),
            Cell::plain(format!("blocking {blocked_rules} rule(s)")),
        ],
        vec![
            Cell::bold("Tool errors"),
            Cell::plain(r.tool_errors.len().to_string()),
            Cell::plain("rules that could not be evaluated: not findings, not scored"),
        ],
    ];
    table::draw(doc, &["Status", "Count", "Notes"], &[0.28, 0.1, 0.62], &rows, 3);
    let scope = format!(
        "{} rules over {} endpoints, {} components, {} clients, {} flows and {} pin sets.",
        r.system.rules, r.system.endpoints, r.system.components, r.system.clients, r.system.flows, r.system.pin_sets
    );
    doc.paragraph(MARGIN_X, w, Font::Regular, 9.0, MUTED, &scope, 3);
    if !r.tool_errors.is_empty() {
        doc.gap(4.0);
        let warn = format!(
            "{} rule evaluation(s) failed: the grade covers less than it claims (see Tool errors).",
            r.tool_errors.len()
        );
        doc.paragraph(MARGIN_X, w, Font::Bold, 9.5, ERROR, &warn, 3);
    }
}

/// The layer table.
pub fn layers(doc: &mut Doc, r: &Report) {
    doc.gap(8.0);
    doc.section("Layers", 14.0, 40.0);
    let rows: Vec<Vec<Cell>> = r
        .score
        .layers
        .iter()
        .map(|l| {
            vec![
                Cell::bold(l.layer.title()),
                Cell::plain(l.layer.question()),
                Cell::plain(l.score.map_or("—".to_string(), |s| s.to_string())),
                Cell::plain(l.proven.clone()),
                Cell::plain(l.pass.to_string()),
                Cell::plain(l.fail.to_string()).colour(if l.fail > 0 { FAIL } else { INK }),
                Cell::plain(l.unverified.to_string()),
                Cell::plain(l.error.to_string()),
            ]
        })
        .collect();
    table::draw(
        doc,
        &[
            "Layer",
            "Question",
            "Score",
            "State",
            "Pass",
            "Fail",
            "Unverified",
            "Error",
        ],
        &[0.17, 0.38, 0.07, 0.09, 0.06, 0.06, 0.1, 0.07],
        &rows,
        4,
    );
}

/// Scalar leaves of a fact as `path: value`, depth first, in key order,
/// at most `limit` of them (and the number there were).
fn leaves(path: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>, seen: &mut usize, limit: usize) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                leaves(&format!("{path}.{k}"), v, out, seen, limit);
            }
        }
        serde_json::Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
            for (i, v) in a.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), v, out, seen, limit);
            }
        }
        other => {
            *seen += 1;
            if out.len() < limit {
                let value = match other {
                    serde_json::Value::String(s) => clip_chars(s, MAX_VALUE),
                    v => clip_chars(&v.to_string(), MAX_VALUE),
                };
                out.push((clip_chars(path, 80), value));
            }
        }
    }
}

/// Cuts `s` to `max` characters, marking the cut.
fn clip_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}… ({} characters in all)", s.chars().count())
    }
}

/// The facts the rule looked at, without the subject's own declaration
/// (the model has it), at most [`MAX_FACTS`], the key ones first; and how
/// many there were. A fact is key when its path names a word of the rule
/// id (`tls-chain-trusted` puts `tls.trusted` and `tls.chain_complete`
/// first); then shallow facts come before deep ones (`tls.version` before
/// `tls.chain[0].issuer`), each group in key order.
pub fn evidence_facts(f: &Finding) -> (Vec<(String, String)>, usize) {
    let own = f.subject.split(':').next().unwrap_or_default();
    let mut all = Vec::new();
    let mut seen = 0;
    for (k, v) in f.evidence.iter().filter(|(k, _)| k.as_str() != own) {
        leaves(k, v, &mut all, &mut seen, usize::MAX);
    }
    let tops: Vec<&str> = f.evidence.keys().map(String::as_str).collect();
    let words: Vec<&str> = f
        .rule
        .split(['-', '_', '.'])
        .filter(|w| w.len() >= 3 && !tops.contains(w))
        .collect();
    let rank = |path: &str| {
        let tail = path.split_once('.').map_or(path, |(_, t)| t);
        let hits = words.iter().filter(|w| tail.contains(*w)).count();
        let depth = tail.matches(['.', '[']).count();
        (std::cmp::Reverse(hits), depth)
    };
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|i| rank(&all[*i].0));
    let facts = order.into_iter().take(MAX_FACTS).map(|i| all[i].clone()).collect();
    (facts, seen)
}

/// One finding: badge, severity and title; id; message; evidence facts;
/// why it matters; remediation; references.
fn finding(doc: &mut Doc, f: &Finding) {
    let w = doc.body_width();
    doc.ensure(70.0);
    doc.gap(4.0);
    // Badge and severity.
    let badge = text::encode(&f.status.name().to_uppercase());
    let bw = text::width(&badge, Font::Bold, 7.0) + 8.0;
    let top = doc.y;
    doc.rounded_rect(
        MARGIN_X,
        top,
        bw,
        11.0,
        2.0,
        status_colour(f.status),
        status_colour(f.status),
        0.3,
    );
    doc.text(MARGIN_X + 4.0, top + 8.2, Font::Bold, 7.0, WHITE, &badge, bw);
    let sev = text::encode(&f.severity.name().to_uppercase());
    let sev_colour = match f.severity {
        Severity::Critical => FAIL,
        Severity::High => Rgb::hex(0xd84315),
        _ => MUTED,
    };
    let sw = doc.text(MARGIN_X + bw + 6.0, top + 8.5, Font::Bold, 8.0, sev_colour, &sev, 80.0);
    let tx = MARGIN_X + bw + 6.0 + sw + 8.0;
    let title = text::wrap(&text::encode(&f.title), Font::Bold, 10.0, MARGIN_X + w - tx, 3);
    for (i, line) in title.iter().enumerate() {
        doc.text(
            tx,
            top + 9.0 + i as f32 * 12.0,
            Font::Bold,
            10.0,
            INK,
            line,
            MARGIN_X + w - tx,
        );
    }
    doc.y = top + 4.0 + title.len().max(1) as f32 * 12.0;
    let ident = format!("{}   subject {}", f.id, f.subject);
    doc.paragraph(MARGIN_X, w, Font::Mono, 7.5, MUTED, &ident, 3);
    doc.gap(1.0);
    doc.paragraph(MARGIN_X, w, Font::Regular, 9.0, INK, &f.message, MAX_LINES);
    if let Some(t) = &f.triage {
        doc.gap(1.0);
        doc.labelled(MARGIN_X, w, 8.5, "Triage:", &t.label(), Font::Regular, 4);
    }
    let (facts, all) = evidence_facts(f);
    if !facts.is_empty() {
        doc.gap(2.0);
        doc.paragraph(MARGIN_X, w, Font::Bold, 8.0, MUTED, "Evidence", 1);
        for (k, v) in &facts {
            doc.labelled(MARGIN_X + 8.0, w - 8.0, 7.5, &format!("{k}:"), v, Font::Mono, 4);
        }
        if all > facts.len() {
            let more = format!("{} more fact(s) in the JSON report.", all - facts.len());
            doc.paragraph(MARGIN_X + 8.0, w - 8.0, Font::Regular, 7.5, MUTED, &more, 1);
        }
    }
    doc.gap(2.0);
    doc.labelled(
        MARGIN_X,
        w,
        8.5,
        "Why it matters:",
        &f.rationale,
        Font::Regular,
        MAX_LINES,
    );
    doc.labelled(
        MARGIN_X,
        w,
        8.5,
        "Remediation:",
        &f.remediation,
        Font::Regular,
        MAX_LINES,
    );
    if !f.references.is_empty() {
        doc.labelled(
            MARGIN_X,
            w,
            8.5,
            "References:",
            &f.references.join(", "),
            Font::Regular,
            4,
        );
    }
    doc.gap(4.0);
    let y = doc.y;
    doc.line(MARGIN_X, y, MARGIN_X + w, y, Rgb::hex(0xe4e4e4), 0.5);
}

/// The findings that need action: failures, then errors (those not shown
/// as a blocked probe) and unverified claims, each group by layer and, in
/// a layer, by severity (critical first).
pub fn findings(doc: &mut Doc, r: &Report) {
    let groups: [(&str, &[Status]); 2] = [
        ("Failing findings", &[Status::Fail]),
        ("Errors and unverified claims", &[Status::Error, Status::Unverified]),
    ];
    for (title, statuses) in groups {
        let mine: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| statuses.contains(&f.status) && crate::report::shown_individually(f))
            .collect();
        if mine.is_empty() {
            continue;
        }
        doc.new_page(false);
        doc.section(&format!("{title} ({})", mine.len()), 15.0, 60.0);
        for layer in Layer::ALL {
            let mut in_layer: Vec<&&Finding> = mine.iter().filter(|f| f.layer == layer).collect();
            if in_layer.is_empty() {
                continue;
            }
            in_layer.sort_by_key(|f| {
                (
                    SEVERITIES
                        .iter()
                        .position(|s| *s == f.severity)
                        .unwrap_or(SEVERITIES.len()),
                    statuses.iter().position(|s| *s == f.status).unwrap_or(0),
                )
            });
            doc.heading(&format!("{} ({})", layer.title(), in_layer.len()), 12.0, 80.0);
            for f in in_layer {
                finding(doc, f);
            }
        }
    }
}

/// The probes that could not run, once per endpoint and probe, with the
/// rules each blocked.
pub fn blocked(doc: &mut Doc, r: &Report) {
    if r.blocked.is_empty() {
        return;
    }
    doc.gap(10.0);
    doc.section(&format!("Probes that could not run ({})", r.blocked.len()), 14.0, 60.0);
    let w = doc.body_width();
    doc.paragraph(
        MARGIN_X,
        w,
        Font::Regular,
        8.5,
        MUTED,
        "Each row is one root cause: a probe that could not run on an endpoint, and the rules it kept from running (their findings have status error and are not repeated).",
        3,
    );
    doc.gap(3.0);
    let rows: Vec<Vec<Cell>> = r
        .blocked
        .iter()
        .map(|b| {
            let reason = match &b.detail {
                Some(d) => format!("{} (raw: {})", b.reason, clip_chars(d, MAX_VALUE)),
                None => b.reason.clone(),
            };
            vec![
                Cell::mono(b.endpoint.clone()),
                Cell::mono(b.probe.clone()),
                Cell::plain(b.stage.clone()),
                Cell::plain(reason),
                Cell::mono(format!("{}: {}", b.rules.len(), b.rules.join(", "))),
            ]
        })
        .collect();
    table::draw(
        doc,
        &["Endpoint", "Probe", "Stage", "Reason", "Rules blocked"],
        &[0.15, 0.1, 0.1, 0.35, 0.3],
        &rows,
        10,
    );
}

/// The rules that could not be evaluated.
pub fn tool_errors(doc: &mut Doc, r: &Report) {
    if r.tool_errors.is_empty() {
        return;
    }
    doc.gap(10.0);
    doc.section(
        &format!("Tool errors ({}): not findings", r.tool_errors.len()),
        14.0,
        60.0,
    );
    let w = doc.body_width();
    let intro = format!(
        "These are defects in the rules (or in Strata), not findings about {}: they are not counted in any score or grade, and the rules concerned gave no verdict on these subjects.",
        r.system.name
    );
    doc.paragraph(MARGIN_X, w, Font::Regular, 8.5, ERROR, &intro, 4);
    doc.gap(3.0);
    let rows: Vec<Vec<Cell>> = r
        .tool_errors
        .iter()
        .map(|t| {
            vec![
                Cell::mono(t.rule.clone()),
                Cell::mono(t.subject.clone()),
                Cell::mono(t.expression.clone()),
                Cell::plain(clip_chars(&t.message, MAX_VALUE * 2)),
                Cell::mono(t.origin.clone()),
            ]
        })
        .collect();
    table::draw(
        doc,
        &["Rule", "Subject", "Expression", "Error", "Defined at"],
        &[0.18, 0.18, 0.12, 0.34, 0.18],
        &rows,
        8,
    );
}

/// What each endpoint's probes saw (as the HTML's "Endpoints probed"):
/// TLS version and cipher, the chain's leaf and verification, the HTTP
/// answer, each layer probe's outcome; then the probes not run.
pub fn endpoints(doc: &mut Doc, r: &Report) {
    use crate::evidence::Observation;
    let ev = &r.evidence;
    if ev.endpoints.is_empty() {
        return;
    }
    doc.new_page(false);
    doc.section(&format!("Endpoints probed ({})", ev.endpoints.len()), 14.0, 40.0);
    let rows: Vec<Vec<Cell>> = ev
        .endpoints
        .iter()
        .map(|(id, e)| {
            let tls = match &e.tls {
                Observation::Observed(t) => Cell::plain(format!(
                    "{} {} at {} (SNI {})",
                    t.version, t.cipher_suite, t.address, t.server_name
                )),
                Observation::Error(f) => Cell::plain(format!("error: {f}")).colour(ERROR),
                Observation::NotProbed => Cell::plain("not probed").colour(MUTED),
            };
            let chain = match e.tls.observed() {
                Some(t) => {
                    let leaf = t
                        .chain
                        .first()
                        .map_or("no certificate".to_string(), |c| c.subject.clone());
                    let verdict = if t.verification.trusted {
                        "trusted".to_string()
                    } else {
                        format!("NOT trusted: {}", t.verification.code.clone().unwrap_or_default())
                    };
                    Cell::plain(format!("{leaf}; {} certificate(s); {verdict}", t.chain.len()))
                        .colour(if t.verification.trusted { INK } else { FAIL })
                }
                None => Cell::plain("—").colour(MUTED),
            };
            let http = match &e.http {
                Observation::Observed(h) => Cell::plain(format!("{} -> {}", h.request, h.status)),
                Observation::Error(f) => Cell::plain(format!("error: {f}")).colour(ERROR),
                Observation::NotProbed => Cell::plain("not probed").colour(MUTED),
            };
            let layers = e
                .layers
                .iter()
                .map(|(name, o)| match o {
                    Observation::Observed(_) => format!("{name}: observed"),
                    Observation::Error(f) => format!("{name}: error ({f})"),
                    Observation::NotProbed => format!("{name}: not probed"),
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![Cell::mono(id.clone()), tls, chain, http, Cell::plain(layers)]
        })
        .collect();
    table::draw(
        doc,
        &["Endpoint", "TLS", "Chain", "HTTP", "Layer probes"],
        &[0.13, 0.22, 0.25, 0.15, 0.25],
        &rows,
        8,
    );
    let w = doc.body_width();
    if !ev.skipped.is_empty() {
        doc.paragraph(MARGIN_X, w, Font::Bold, 9.0, INK, "Active probes not run", 1);
        for s in &ev.skipped {
            doc.paragraph(MARGIN_X + 8.0, w - 8.0, Font::Regular, 8.0, INK, &format!("• {s}"), 4);
        }
    }
    let run = format!("Probes run: {}", ev.probes_run.join(", "));
    doc.paragraph(MARGIN_X, w, Font::Regular, 8.0, MUTED, &run, 6);
    doc.paragraph(
        MARGIN_X,
        w,
        Font::Regular,
        8.0,
        MUTED,
        "Generated by Strata. \"Unverified\" means declared but not observed: it never counts as a pass.",
        2,
    );
}

/// The passed checks, one line each, by layer.
pub fn passed(doc: &mut Doc, r: &Report) {
    let passed: Vec<&Finding> = r.findings.iter().filter(|f| f.status == Status::Pass).collect();
    if passed.is_empty() {
        return;
    }
    doc.new_page(false);
    doc.section(&format!("Passed checks ({})", passed.len()), 14.0, 40.0);
    let rows: Vec<Vec<Cell>> = Layer::ALL
        .iter()
        .flat_map(|layer| passed.iter().filter(move |f| f.layer == *layer))
        .map(|f| {
            vec![
                Cell::plain(f.layer.title()),
                Cell::plain(f.title.clone()),
                Cell::mono(f.subject.clone()),
                Cell::plain(format!("{:?}", f.proof).to_lowercase()),
            ]
        })
        .collect();
    table::draw(
        doc,
        &["Layer", "Check", "Subject", "Proof"],
        &[0.18, 0.5, 0.24, 0.08],
        &rows,
        2,
    );
}
