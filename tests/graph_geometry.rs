//! The drawn geometry of the defense graph (`report.graph.geometry`), on
//! every bundled sample and on generated models of 50 and 300 components:
//! no edge segment passes through a node box other than its two ends (box
//! shrunk by 1 unit) or through a client's app-configuration note, and a
//! segment whose ends differ in both x and y keeps its bounding box clear
//! of boxes (renderers may curve inside it); no two node boxes overlap; no
//! label box overlaps another label, a node box or a note; every node's
//! label fits its box by the shared width estimate; nothing overlaps a
//! column header; same input → same geometry; each audit and layout within
//! a time bound.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};
use strata::audit::rules::Ruleset;
use strata::evidence::Evidence;
use strata::graph::geometry::{Geometry, LABEL_SIZE, Point, Rect, SMALL_SIZE, text_width};
use strata::report::GraphView;

/// Time bound of one audit and layout (debug build, shared machine).
const BOUND: Duration = Duration::from_secs(20);

fn audit(model: &strata::model::Model) -> GraphView {
    let rules = Ruleset::builtin().expect("rules");
    let o = strata::pipeline::audit_with(model, &rules, Evidence::default());
    o.report.graph.clone()
}

/// Every property of the issue, with the offending item in the message.
fn check(name: &str, g: &GraphView) {
    let geo: &Geometry = &g.geometry;
    assert_eq!(geo.nodes.len(), g.nodes.len(), "{name}: one box per node");
    let boxes: Vec<(&str, Rect)> = geo.nodes.iter().map(|n| (n.id.as_str(), n.rect)).collect();
    let notes: Vec<Rect> = geo.nodes.iter().filter_map(|n| n.note).collect();
    // Boxes apart, with their notes.
    let mut occupied: Vec<Rect> = boxes.iter().map(|b| b.1).collect();
    occupied.extend(notes.iter().copied());
    for (i, a) in occupied.iter().enumerate() {
        for b in &occupied[i + 1..] {
            assert!(!a.overlaps(b), "{name}: boxes overlap: {a:?} {b:?}");
        }
    }
    // Labels fit.
    for n in &geo.nodes {
        assert!(!n.lines.is_empty() && n.lines.len() <= 2, "{name}: {} lines", n.id);
        for l in &n.lines {
            assert!(
                text_width(l, LABEL_SIZE) <= n.rect.w - 2.0,
                "{name}: label {l:?} does not fit {}",
                n.rect.w
            );
        }
        if let Some(r) = n.note {
            for l in &n.note_lines {
                assert!(text_width(l, SMALL_SIZE) <= r.w + 0.01, "{name}: note {l:?}");
            }
        }
    }
    // Headers.
    for h in &geo.headers {
        for r in occupied.iter().chain(geo.edges.iter().filter_map(|e| e.label.as_ref())) {
            assert!(!h.rect.overlaps(r), "{name}: {r:?} overlaps header {}", h.title);
        }
    }
    // Edges.
    let index: std::collections::HashMap<&str, Rect> = boxes.iter().copied().collect();
    let mut covered = 0;
    for e in &geo.edges {
        covered += e.edges.len();
        assert!(e.points.len() >= 2, "{name}: {} → {} has no path", e.from, e.to);
        let ends = [index.get(e.from.as_str()), index.get(e.to.as_str())];
        let on = |p: Point, r: Option<&&Rect>| {
            r.is_some_and(|r| {
                p.x >= r.x - 0.01 && p.x <= r.right() + 0.01 && p.y >= r.y - 0.01 && p.y <= r.bottom() + 0.01
            })
        };
        assert!(
            on(e.points[0], ends[0].as_ref()),
            "{name}: {} → {} starts off its box",
            e.from,
            e.to
        );
        assert!(
            on(e.points[e.points.len() - 1], ends[1].as_ref()),
            "{name}: {} → {} ends off its box",
            e.from,
            e.to
        );
        for s in e.points.windows(2) {
            let diagonal = (s[0].x - s[1].x).abs() > 0.01 && (s[0].y - s[1].y).abs() > 0.01;
            let hull = Rect {
                x: s[0].x.min(s[1].x),
                y: s[0].y.min(s[1].y),
                w: (s[0].x - s[1].x).abs(),
                h: (s[0].y - s[1].y).abs(),
            };
            for (id, r) in &boxes {
                if *id == e.from || *id == e.to {
                    continue;
                }
                let shrunk = r.shrink(1.0);
                assert!(
                    !shrunk.hit_by_segment(s[0], s[1]),
                    "{name}: {} → {} passes through {id}",
                    e.from,
                    e.to
                );
                assert!(
                    !(diagonal && shrunk.overlaps(&hull)),
                    "{name}: {} → {} curves through {id}",
                    e.from,
                    e.to
                );
            }
            for n in &notes {
                assert!(
                    !n.shrink(1.0).hit_by_segment(s[0], s[1]),
                    "{name}: {} → {} crosses a note {n:?}",
                    e.from,
                    e.to
                );
            }
        }
    }
    assert_eq!(covered, g.edges.len(), "{name}: every edge is drawn once");
    // Labels fit their boxes.
    for e in &geo.edges {
        if let Some(r) = e.label {
            assert!(!e.label_lines.is_empty(), "{name}: empty label box");
            for l in &e.label_lines {
                assert!(text_width(l, SMALL_SIZE) <= r.w + 0.01, "{name}: edge label {l:?}");
            }
        }
    }
    // Labels.
    let labels: Vec<Rect> = geo.edges.iter().filter_map(|e| e.label).collect();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(!a.overlaps(b), "{name}: labels overlap {a:?} {b:?}");
        }
        for o in &occupied {
            assert!(!a.overlaps(o), "{name}: label {a:?} overlaps a box {o:?}");
        }
    }
}

fn check_model(name: &str, model: &strata::model::Model) -> GraphView {
    let t = Instant::now();
    let g = audit(model);
    assert!(t.elapsed() < BOUND, "{name}: took {:?}", t.elapsed());
    check(name, &g);
    let took = t.elapsed();
    let again = audit(model);
    assert_eq!(again.geometry, g.geometry, "{name}: not deterministic");
    let geo = &g.geometry;
    let texts = geo.edges.iter().filter(|e| !e.text.is_empty()).count();
    let labelled = geo.edges.iter().filter(|e| e.label.is_some()).count();
    eprintln!(
        "{name}: {} nodes, {} flows in {} drawn edges, {labelled}/{texts} labels placed, {:.0}x{:.0}, audit+layout {took:?}",
        geo.nodes.len(),
        g.edges.len(),
        geo.edges.len(),
        geo.width,
        geo.height
    );
    g
}

#[test]
fn every_sample_draws_clean() {
    let dir = common::repo("sample-projects");
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("samples").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path().join("architecture.yaml");
        if !path.exists() {
            continue;
        }
        let model = strata::model::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let g = check_model(&path.display().to_string(), &model);
        assert!(!g.geometry.edges.is_empty());
        seen += 1;
    }
    assert!(seen >= 1);
}

/// A small seeded generator (xorshift), so the models are the same on
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `n` components: a few clients, edges, gateways, auth servers, many
/// services and datastores, a monitor; random-but-seeded flows mostly
/// forward, some backward and within a column, with random controls and
/// some names long enough to wrap.
fn generated(n: usize, seed: u64) -> strata::model::Model {
    let mut r = Rng(seed);
    let fixed = [n / 20 + 1, n / 10 + 1, n / 20 + 1, n / 4, 1];
    // Exactly `n` components: services take what the other kinds leave.
    let services = n.saturating_sub(fixed.iter().sum::<usize>());
    let kinds = [
        ("waf", fixed[0]),
        ("api-gateway", fixed[1]),
        ("auth-server", fixed[2]),
        ("service", services),
        ("datastore", fixed[3]),
        ("monitoring", fixed[4]),
    ];
    let clients = (n / 25).max(2);
    let mut y = String::from("strata: 1\nsystem: { name: generated }\nclients:\n");
    let mut ids: Vec<(String, usize)> = Vec::new();
    for i in 0..clients {
        let platform = if i % 2 == 0 { "android" } else { "ios" };
        y.push_str(&format!(
            "  - {{ id: app{i}, name: Mobile app number {i}, platform: {platform} }}\n"
        ));
        ids.push((format!("app{i}"), 0));
    }
    y.push_str("components:\n");
    for (tier, (kind, count)) in kinds.iter().enumerate() {
        for i in 0..*count {
            let id = format!("{kind}-{i}");
            let name = if r.below(4) == 0 {
                format!("The very long and descriptive {kind} number {i} of the platform")
            } else {
                format!("{kind} {i}")
            };
            let exposure = if tier <= 2 { "public" } else { "internal" };
            let data = if *kind == "datastore" {
                ", data: [{ name: records, sensitivity: restricted }]"
            } else {
                ""
            };
            y.push_str(&format!(
                "  - {{ id: {id}, name: \"{name}\", kind: {kind}, exposure: {exposure}{data} }}\n"
            ));
            ids.push((id, tier + 1));
        }
    }
    y.push_str("flows:\n");
    let controls = ["tls", "mtls", "jwt", "pinning", "api-key", "rate-limit"];
    let flows = n * 2;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..flows {
        let a = r.below(ids.len());
        let tier = ids[a].1;
        // Mostly one or two tiers on, sometimes back or level.
        let want = match r.below(10) {
            0 => tier.saturating_sub(1),
            1 => tier,
            2..=4 => tier + 2,
            _ => tier + 1,
        };
        let pool: Vec<usize> = (0..ids.len()).filter(|b| ids[*b].1 == want && *b != a).collect();
        if pool.is_empty() || ids[pool[0]].0.starts_with("app") {
            continue;
        }
        let b = pool[r.below(pool.len())];
        if !seen.insert((a, b)) {
            continue;
        }
        let k = r.below(3);
        let cs: Vec<&str> = (0..k)
            .map(|_| controls[r.below(controls.len())])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        y.push_str(&format!(
            "  - {{ from: {}, to: {}, controls: [{}] }}\n",
            ids[a].0,
            ids[b].0,
            cs.join(", ")
        ));
    }
    strata::model::load_str(&y, Path::new("generated.yaml")).unwrap_or_else(|e| panic!("{e}\n{y}"))
}

#[test]
fn fifty_components_draw_clean() {
    let g = check_model("generated-50", &generated(50, 0x5eed_0050));
    assert!(g.geometry.edges.len() > 40);
}

#[test]
fn three_hundred_components_draw_clean() {
    let g = check_model("generated-300", &generated(300, 0x5eed_0300));
    assert!(g.geometry.edges.len() > 300);
}
