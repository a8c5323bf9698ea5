//! CPU time of one UI frame (`cargo bench --bench gui_frame`): the whole
//! app (toolbar, layer checklist, findings table, details, graph) for a
//! synthetic architecture of 300 components, laid out and audited, with
//! the graph fitted to a 1400×900 window. Measures egui's pass (layout and
//! tessellation input), not GPU rendering.

use std::time::{Duration, Instant};
use strata::gui::app::Settings;
use strata::gui::{LaunchOptions, StrataApp};

fn synthetic(n: usize) -> String {
    let mut y = String::from(
        "strata: 1\nsystem: { name: synthetic 300 }\nclients:\n  - { id: app, platform: android }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public, enforces: [jwt, rate-limit] }\n",
    );
    let kinds = ["service", "service", "datastore", "auth-server", "waf"];
    for i in 0..n {
        let k = kinds[i % kinds.len()];
        let data = if k == "datastore" {
            ", data: [{ name: d, sensitivity: restricted }]"
        } else {
            ""
        };
        y.push_str(&format!("  - {{ id: c{i}, kind: {k}{data} }}\n"));
    }
    y.push_str("flows:\n  - { from: app, to: gw, controls: [tls, jwt] }\n");
    for i in 0..n {
        y.push_str(&format!("  - {{ from: gw, to: c{i}, controls: [mtls] }}\n"));
        if i % 5 == 2 && i > 0 {
            y.push_str(&format!("  - {{ from: c{}, to: c{i} }}\n", i - 1));
        }
    }
    y
}

fn input(frame: u64) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1400.0, 900.0))),
        time: Some(frame as f64 / 60.0),
        ..Default::default()
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("strata-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("synthetic.yaml");
    if let Err(e) = std::fs::write(&file, synthetic(300)) {
        panic!("{e}");
    }
    let ctx = egui::Context::default();
    let mut app = StrataApp::with_context(
        &ctx,
        LaunchOptions {
            file: Some(file),
            ..LaunchOptions::default()
        },
        Settings::default(),
    );
    let start = Instant::now();
    let mut frame = 0;
    while app.shown().is_none() && start.elapsed() < Duration::from_secs(60) {
        let _ = ctx.run_ui(input(frame), |ui| app.ui_root(ui));
        frame += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    let nodes = app.shown().map(|o| o.report.graph.nodes.len()).unwrap_or(0);
    println!("loaded and audited in {:?}: {nodes} graph nodes", start.elapsed());
    // Warm up (fonts, galley caches), then measure.
    for _ in 0..30 {
        let _ = ctx.run_ui(input(frame), |ui| app.ui_root(ui));
        frame += 1;
    }
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let out = ctx.run_ui(input(frame), |ui| app.ui_root(ui));
        let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
        times.push(t.elapsed());
        frame += 1;
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "frame (egui pass + tessellation), 300-component graph, 1400x900: median {:.2?}  p95 {:.2?}  max {:.2?}  (200 frames)",
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
