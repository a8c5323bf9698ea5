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
    // The filter matches id, title, message, subject and layer.
    assert!(rows.iter().all(|f| f.id.contains("pin")
        || f.title.to_lowercase().contains("pin")
        || f.message.to_lowercase().contains("pin")
        || f.subject.contains("pin")
        || f.layer.name().contains("pin")));

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

/// The sample, loaded without the lab (declared audit only).
fn loaded_sample() -> Harness<'static, StrataApp> {
    let mut h = harness(LaunchOptions {
        file: Some(sample("sample-projects/acme-pay/architecture.yaml")),
        ..LaunchOptions::default()
    });
    wait_for(&mut h, "the sample to load", Duration::from_secs(20), |a| {
        a.shown().is_some()
    });
    h
}

#[test]
fn the_first_minutes_of_a_new_user() {
    let mut h = loaded_sample();

    // Clicking a finding's text (not the blank part of the row) selects it.
    let first = h.state().visible_findings()[0].clone();
    h.query_all_by_label(&first.title)
        .next()
        .expect("the finding's title in the table")
        .click();
    h.run_steps(3);
    assert_eq!(h.state().selected_finding.as_deref(), Some(first.id.as_str()));
    // Esc clears it.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().selected_finding.is_none());

    // Each filter label sits just left of its dropdown.
    let combos: Vec<egui::Rect> = h
        .query_all_by_role(egui::accesskit::Role::ComboBox)
        .map(|n| n.rect())
        .collect();
    for label in ["status", "severity", "layer"] {
        let l = h.get_by_role_and_label(egui::accesskit::Role::Label, label).rect();
        assert!(
            combos
                .iter()
                .any(|c| c.min.x >= l.max.x && c.min.x - l.max.x < 30.0 && (c.center().y - l.center().y).abs() < 8.0),
            "no dropdown right after the {label:?} label {l:?} (dropdowns: {combos:?})"
        );
    }

    // Filtering "pinning" finds the pinning layer's findings.
    h.state_mut().filter.status = strata::gui::app::StatusFilter::All;
    h.get_by_role_and_label(egui::Role::TextInput, "Filter").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Filter")
        .type_text("Pinning");
    h.run_steps(3);
    let rows = h.state().visible_findings();
    assert!(rows.iter().any(|f| f.layer == strata::audit::rules::Layer::Pinning));
    h.state_mut().filter.text.clear();
    h.state_mut().filter.status = strata::gui::app::StatusFilter::Open;

    // A node says "N finding(s)" and lists N.
    h.get_by_label("Payments service").click();
    h.run_steps(3);
    let o = h.state().shown().expect("outcome").clone();
    let (open, _) = strata::gui::app::node_findings(&o, "payments");
    assert!(!open.is_empty());
    h.get_by_label(&format!("{} finding(s) on this node", open.len()));
    for f in &open {
        assert!(h.query_all_by_label(&f.title).count() >= 1, "{} not listed", f.title);
    }

    // Take the component out: it stays selected and can be put back.
    h.get_by_label("this component were gone (traffic goes straight through)")
        .click();
    wait_for(&mut h, "the hypothetical re-score", Duration::from_secs(10), |a| {
        a.hypothetical.is_some()
    });
    assert_eq!(h.state().selected_node.as_deref(), Some("payments"));
    h.get_by_label("this component were gone (traffic goes straight through)")
        .click();
    h.run_steps(3);
    assert!(h.state().whatif.is_empty());
    assert_eq!(h.state().selected_node.as_deref(), Some("payments"));

    // The grade explains itself.
    let score = o.report.score.clone();
    h.get_by_label_contains(&format!(
        "Score {}/100 (grade {} before caps)",
        score.overall, score.uncapped_grade
    ));
    for cap in &score.caps {
        h.get_by_label(&format!("Capped: {cap}"));
    }

    // Ctrl+F focuses the filter; F1 shows the shortcuts.
    h.key_press(egui::Key::F1);
    h.run_steps(2);
    h.get_by_label("Keyboard shortcuts");
    h.get_by_label("Save the HTML report into the export folder");
}

#[test]
fn what_if_no_tls_changes_the_findings_and_the_score() {
    let mut h = loaded_sample();
    let before = h.state().shown().expect("outcome").report.score.clone();
    h.get_by_label("What if a control were switched off everywhere").click();
    h.run_steps(3);
    h.get_by_label("no tls").click();
    wait_for(&mut h, "the hypothetical re-score", Duration::from_secs(10), |a| {
        a.hypothetical.is_some()
    });
    let after = h.state().shown().expect("outcome").clone();
    assert_eq!(
        finding_status(h.state(), "endpoint-uses-tls@endpoint:api"),
        Some(Status::Fail)
    );
    assert!(after.report.score.overall < before.overall);
    assert_ne!(after.report.score.layers, before.layers);
}

#[test]
fn the_architecture_slide_lists_its_findings_and_keeps_the_bypass_bright() {
    let mut h = loaded_sample();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    h.run_steps(3);
    assert_eq!(h.state().presentation, Some(0));
    h.state_mut().presentation = Some(9);
    h.run_steps(3);
    h.get_by_label_contains("failing finding(s)");
    let o = h.state().shown().expect("outcome").clone();
    let bypass = o
        .report
        .findings
        .iter()
        .find(|f| f.id == "graph-no-auth-bypass@component:ledger")
        .expect("bypass finding");
    let row = h.get_by_label_contains(&bypass.title);
    row.click();
    h.run_steps(3);
    assert_eq!(h.state().selected_finding.as_deref(), Some(bypass.id.as_str()));
    h.get_by_label_contains(&format!("Remediation: {}", bypass.remediation));
}

/// From the first frame until the first audit ends, the app says it is
/// auditing (no declared-only grade, no "Press Run audit"); cancelling it
/// says so. The endpoint accepts connections and never answers, so the
/// audit runs for seconds whatever the machine's speed.
#[test]
fn until_the_first_audit_ends_the_app_says_it_is_auditing() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = silent.local_addr().expect("port").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("arch.yaml");
    std::fs::write(
        &file,
        format!(
            "strata: 1\nsystem: {{ name: Silent }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - {{ id: api, component: gw, url: \"https://127.0.0.1:{port}/\" }}\n"
        ),
    )
    .expect("write");
    let mut h = harness(LaunchOptions {
        file: Some(file),
        start_lab: false,
        auto_audit: true,
    });
    let start = Instant::now();
    let mut frames = 0;
    let mut saw_auditing = false;
    while start.elapsed() < Duration::from_millis(1500) {
        h.step();
        frames += 1;
        assert!(
            h.state().audited.is_none(),
            "the silent endpoint cannot be audited this fast"
        );
        assert_eq!(
            h.query_all_by_label_contains("Press Run audit").count(),
            0,
            "the running audit is not 'not audited yet'"
        );
        let grades: Vec<String> = h
            .query_all_by_label_contains("Grade ")
            .map(|n| format!("{n:?}"))
            .collect();
        assert!(
            grades.is_empty(),
            "no declared-only grade while the first audit runs: {grades:?}"
        );
        saw_auditing |= h.query_all_by_label_contains("Auditing…").count() > 0;
        std::thread::sleep(Duration::from_millis(15));
    }
    assert!(saw_auditing, "no 'Auditing…' in {frames} frames");
    assert!(h.state().progress.is_some());
    // Ctrl+R cancels: it says so, and nothing pretends to be audited.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::R);
    h.run_steps(3);
    assert!(h.state().progress.is_none());
    assert!(h.state().audited.is_none());
    assert!(
        h.query_all_by_label_contains("the audit was cancelled; live checks stay unverified")
            .count()
            >= 1
    );
    drop(silent);
}
