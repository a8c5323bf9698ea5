//! Shared helpers for the integration tests: an in-process lab on free
//! loopback ports and an audit of a bundled sample against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use strata::audit::rules::Ruleset;
use strata::lab::{Lab, LabConfig};
use strata::model::{self, Model};
use strata::pipeline::{self, Outcome};
use strata::probe::runner::RunnerConfig;
use tokio_util::sync::CancellationToken;

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Starts the lab on free ports.
pub async fn lab() -> Lab {
    strata::probe::install_crypto_provider();
    match Lab::start(&LabConfig {
        base_port: 0,
        ..LabConfig::default()
    })
    .await
    {
        Ok(l) => l,
        Err(e) => panic!("lab failed to start: {e}"),
    }
}

/// Loads a bundled sample with its lab ports rewritten to `lab`'s.
pub fn sample(lab: &Lab, rel: &str) -> Model {
    let path = repo(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    model::load_str(&lab.manifest.rebase(&text), &path).unwrap_or_else(|e| panic!("{e}"))
}

/// Probes and audits a model with the built-in rules.
pub async fn audit(model: &Model) -> Outcome {
    let rules = Ruleset::builtin().unwrap_or_else(|e| panic!("{e}"));
    pipeline::probe_and_audit(model, &rules, &RunnerConfig::default(), CancellationToken::new(), None).await
}

/// Copies the sample (model, app files, secrets, OpenAPI) and the lab CA
/// it names (`../../assets/lab`) into `dir`, as in the repository.
pub fn copy_sample(root: &Path) -> PathBuf {
    let lab = root.join("assets/lab");
    std::fs::create_dir_all(&lab).unwrap_or_else(|e| panic!("{e}"));
    for e in std::fs::read_dir(repo("assets/lab"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        if e.path().is_file() {
            std::fs::copy(e.path(), lab.join(e.file_name())).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let dir = root.join("sample-projects/acme-pay");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let dir = dir.as_path();
    let src = repo("sample-projects/acme-pay");
    let mut stack = vec![src.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{e}")).flatten() {
            let p = e.path();
            let rel = p.strip_prefix(&src).unwrap_or_else(|e| panic!("{e}"));
            let to = dir.join(rel);
            if p.is_dir() {
                std::fs::create_dir_all(&to).unwrap_or_else(|e| panic!("{e}"));
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "triage.yaml") {
                std::fs::copy(&p, &to).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    dir.join("architecture.yaml")
}

/// Runs the real `strata` binary from the repository root.
pub fn strata(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run strata: {e}"))
}

/// The desktop app in a headless harness (wgpu on software GL).
pub fn app_harness(launch: strata::gui::LaunchOptions) -> egui_kittest::Harness<'static, strata::gui::StrataApp> {
    egui_kittest::Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .wgpu()
        .build_eframe(move |cc| {
            strata::gui::StrataApp::with_context(&cc.egui_ctx, launch, strata::gui::app::Settings::default())
        })
}

/// Steps the app until `cond` holds (then a few frames more, so new
/// windows have sized themselves); panics after 30 s.
pub fn wait_until(
    h: &mut egui_kittest::Harness<'_, strata::gui::StrataApp>,
    what: &str,
    cond: &dyn Fn(&strata::gui::StrataApp) -> bool,
) {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(30) {
        h.step();
        if cond(h.state()) {
            h.run_steps(4);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    panic!("timed out waiting for {what}");
}
