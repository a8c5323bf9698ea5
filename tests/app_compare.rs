//! The app compares the report on screen with a baseline report, as
//! `strata diff` does: a baseline made by the real binary from the same
//! model with one gap closed shows that gap as a new failure.

use egui_kittest::kittest::Queryable;
use std::process::Command;
use strata::gui::LaunchOptions;

mod common;

#[test]
fn a_baseline_shows_new_and_fixed_findings_and_the_grade_delta() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let model = common::copy_sample(dir.path());
    // The baseline: the same system, but the ops app ships no API key.
    let text = std::fs::read_to_string(&model).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("    embedded_api_key: true\n"));
    let fixed = model.with_file_name("baseline-variant.yaml");
    std::fs::write(
        &fixed,
        text.replace("    embedded_api_key: true\n", "    embedded_api_key: false\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("audit")
        .arg(&fixed)
        .args(["--offline", "--format", "json", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let baseline = dir.path().join("out/baseline-variant-acme-pay.strata.json");
    assert!(baseline.exists());

    let launch = LaunchOptions {
        file: Some(model.clone()),
        start_lab: false,
        auto_audit: false,
    };
    let mut h = common::app_harness(launch);
    common::wait_until(&mut h, "the model", &|a| a.shown().is_some());
    // The menu entry exists (its dialog cannot be driven headless).
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Compare with baseline…");
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    h.state_mut().compare_with(Some(baseline));
    common::wait_until(&mut h, "the comparison", &|a| a.comparison.is_some());
    let d = &h
        .state()
        .comparison
        .as_ref()
        .unwrap_or_else(|| panic!("no comparison"))
        .diff;
    let new: Vec<&str> = d.findings.new.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(new, ["client-no-embedded-api-key@client:ops-app"]);
    assert!(d.findings.fixed.is_empty());
    h.get_by_label("New failures (1)");
    h.get_by_label_contains("score ");
}
