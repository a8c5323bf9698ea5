//! The desktop app driven like a user, headless (egui_kittest): open the
//! sample, run the audit against the in-process lab, click a node, filter
//! findings, toggle a what-if and see the grade change, export a report;
//! plus image snapshots of the main views (wgpu, software GL).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use strata::audit::Status;
use strata::gui::app::Settings;
use strata::gui::{LaunchOptions, StrataApp};

fn sample(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn harness<'a>(launch: LaunchOptions) -> Harness<'a, StrataApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .wgpu()
        .build_eframe(move |cc| StrataApp::with_context(&cc.egui_ctx, launch, Settings::default()))
}

/// Steps the UI until `cond` holds; bounded in time.
fn wait_for(h: &mut Harness<'_, StrataApp>, what: &str, limit: Duration, cond: impl Fn(&StrataApp) -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        h.step();
        if cond(h.state()) {
            h.run_steps(3);
            return;
        }
        std::thread::sleep(Duration::from_millis(15));
    }
    panic!("timed out after {limit:?} waiting for {what}");
}

fn finding_status(app: &StrataApp, id: &str) -> Option<Status> {
    app.shown()?
        .report
        .findings
        .iter()
        .find(|f| f.id == id)
        .map(|f| f.status)
}

#[test]
fn audit_explore_whatif_and_export_like_a_user() {
    let mut h = harness(LaunchOptions {
        file: Some(sample("sample-projects/acme-pay/architecture.yaml")),
        start_lab: true,
        auto_audit: false,
    });
    wait_for(&mut h, "the sample to load", Duration::from_secs(20), |a| {
        a.model.is_some()
    });
    // Before probing, no live check may pass.
    let declared = h.state().shown().expect("declared outcome").clone();
    assert!(
        declared
            .report
            .findings
            .iter()
            .all(|f| !(f.proof == strata::audit::rules::Proof::Live && f.status == Status::Pass))
    );

    h.get_by_label("Run audit").click();
    wait_for(&mut h, "the audit", Duration::from_secs(30), |a| {
        a.audited.is_some() && a.progress.is_none()
    });
    let grade = h.state().shown().expect("outcome").report.score.grade.clone();
    h.get_by_label_contains(&format!("Grade {grade}"));
    assert_eq!(
        finding_status(h.state(), "tls-chain-trusted@endpoint:api"),
        Some(Status::Pass)
    );

    // Click a node on the graph: it is selected, its paths and findings are listed.
    h.get_by_label("Ledger database").click();
    h.run_steps(3);
    assert_eq!(h.state().selected_node.as_deref(), Some("ledger"));
    h.get_by_label_contains("BYPASS: internet -> admin -> ledger");
    h.get_by_label("Admin console").click();
    h.run_steps(3);
    assert_eq!(h.state().selected_node.as_deref(), Some("admin"));
    assert!(
        h.state()
            .visible_findings()
            .iter()
            .all(|f| f.node.as_deref() == Some("admin"))
    );

    // What-if: the admin console enforces mTLS → the bypass closes, the grade moves.
    assert_eq!(
        finding_status(h.state(), "graph-no-auth-bypass@component:ledger"),
        Some(Status::Fail)
    );
    let before = h.state().shown().expect("outcome").report.score.overall;
    let arch_before = h
        .state()
        .shown()
        .expect("outcome")
        .report
        .score
        .layers
        .iter()
        .find(|l| l.layer == strata::audit::rules::Layer::Architecture)
        .and_then(|l| l.score);
    h.get_by_label("mtls").click();
    wait_for(&mut h, "the hypothetical re-score", Duration::from_secs(10), |a| {
        a.hypothetical.is_some()
    });
    assert_eq!(
        finding_status(h.state(), "graph-no-auth-bypass@component:ledger"),
        Some(Status::Pass)
    );
    // The overall score pools every layer's weight, so one critical rule
    // moves it by well under a point; the architecture layer moves for sure.
    let after = &h.state().shown().expect("outcome").report.score;
    assert!(after.overall >= before, "{} < {before}", after.overall);
    let arch = |s: &strata::audit::score::Score| {
        s.layers
            .iter()
            .find(|l| l.layer == strata::audit::rules::Layer::Architecture)
            .and_then(|l| l.score)
    };
    assert!(arch(after) > arch_before, "{:?} <= {arch_before:?}", arch(after));
    assert!(h.query_all_by_label_contains("HYPOTHETICAL").count() >= 1);
    h.get_by_label("Reset what-if").click();
    h.run_steps(3);
    assert!(h.state().whatif.is_empty());
    assert_eq!(
        finding_status(h.state(), "graph-no-auth-bypass@component:ledger"),
        Some(Status::Fail)
    );

    // Filter findings by text, across all nodes.
    h.get_by_label_contains("node: admin").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Filter").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Filter")
        .type_text("pin");
    h.run_steps(3);
    let rows = h.state().visible_findings();
    assert_eq!(h.state().filter.text, "pin");
    assert!(h.state().selected_node.is_none());
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|f| f.id.contains("pin")
        || f.title.to_lowercase().contains("pin")
        || f.message.to_lowercase().contains("pin")));

    // The default export folder is beside the model, not the current one.
    let model_dir = h
        .state()
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf)
        .expect("model folder");
    h.state_mut().settings.export_dir = "strata-report".into();
    assert_eq!(h.state().export_folder(), model_dir.join("strata-report"));

    // Export the report into a folder, from the Save menu of every format.
    let dir = tempfile::tempdir().expect("tempdir");
    h.state_mut().settings.export_dir = dir.path().display().to_string();
    h.get_by_label("Save").click();
    h.run_steps(2);
    for label in ["Save HTML", "Save JSON", "Save SARIF", "Save Markdown", "Save CSV"] {
        h.get_by_label(label);
    }
    h.get_by_label("Save HTML").click();
    let html = dir.path().join("architecture-acme-pay.strata.html");
    wait_for(&mut h, "the export", Duration::from_secs(10), |_| html.is_file());
    let text = std::fs::read_to_string(&html).expect("html");
    assert!(text.contains("Strata audit: Acme Pay"));
}

#[test]
fn an_invalid_edit_shows_the_error_and_keeps_the_last_good_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("arch.yaml");
    let good =
        "strata: 1\nsystem: { name: Watched }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\n";
    std::fs::write(&file, good).expect("write");
    let mut h = harness(LaunchOptions {
        file: Some(file.clone()),
        ..LaunchOptions::default()
    });
    wait_for(&mut h, "the file to load", Duration::from_secs(10), |a| {
        a.model.is_some()
    });
    std::fs::write(&file, format!("{good}  - {{ id: db, kind: datastor }}\n")).expect("write");
    wait_for(&mut h, "the reload error", Duration::from_secs(10), |a| {
        a.load_error.is_some()
    });
    let err = h.state().load_error.clone().unwrap_or_default();
    assert!(
        err.contains("arch.yaml:5:") && err.contains("components[1].kind") && err.contains("did you mean `datastore`?"),
        "{err}"
    );
    assert_eq!(
        h.state().model.as_ref().map(|m| m.arch.components.len()),
        Some(1),
        "last good model kept"
    );
    h.get_by_label_contains("showing the last valid version");
    std::fs::write(&file, format!("{good}  - {{ id: db, kind: datastore }}\n")).expect("write");
    wait_for(&mut h, "the fixed reload", Duration::from_secs(10), |a| {
        a.load_error.is_none() && a.model.as_ref().map(|m| m.arch.components.len()) == Some(2)
    });
}

/// Software GL is deterministic to a handful of anti-aliased pixels; a
/// real visual change moves thousands.
fn tolerant() -> egui_kittest::SnapshotOptions {
    egui_kittest::SnapshotOptions::new().max_failed_pixels(200)
}

/// Snapshots of the main views, from the declared (unprobed) audit of the
/// lab tour, so the pictures do not depend on ports or dates.
#[test]
fn snapshots_of_main_views() {
    let mut h = harness(LaunchOptions {
        file: Some(sample("sample-projects/acme-pay/architecture.yaml")),
        ..LaunchOptions::default()
    });
    wait_for(&mut h, "the sample to load", Duration::from_secs(20), |a| {
        a.shown().is_some()
    });
    h.run_steps(5);
    h.snapshot_options("main_window_light", &tolerant());
    h.state_mut().settings.dark = true;
    h.get_by_label("Payments service").click();
    h.run_steps(5);
    h.snapshot_options("main_window_dark_node_selected", &tolerant());
    h.state_mut().presentation = Some(9);
    h.run_steps(5);
    h.snapshot_options("presentation_architecture_layer", &tolerant());
}
