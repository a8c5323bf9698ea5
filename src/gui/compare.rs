//! Compare with a baseline: the app's view of `strata diff`. *File ->
//! Compare with baseline…* picks an earlier JSON report; the worker reads it
//! and compares it with the report on screen ([`crate::report::diff`]);
//! this window lists what is new, fixed and changed, the grade delta,
//! rotated certificates and pins that started or stopped matching.

use crate::report::diff::{Diff, FindingRef};
use egui::RichText;

/// Longest list shown per section before "… and N more".
const MAX_ROWS: usize = 200;

/// The comparison on screen.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The baseline report file.
    pub baseline: std::path::PathBuf,
    /// What differs.
    pub diff: Diff,
}

fn finding_rows(ui: &mut egui::Ui, rows: &[FindingRef]) {
    for f in rows.iter().take(MAX_ROWS) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(f.severity.name()).strong());
            ui.label(&f.title);
            ui.label(RichText::new(&f.id).monospace().small());
        });
    }
    if rows.len() > MAX_ROWS {
        ui.label(format!("… and {} more", rows.len() - MAX_ROWS));
    }
}

/// Draws the comparison; returns false when the user closed it.
pub fn compare_ui(c: &Comparison, ctx: &egui::Context) -> bool {
    let mut open = true;
    let d = &c.diff;
    egui::Window::new("Compared with baseline")
        .open(&mut open)
        .default_size([640.0, 480.0])
        .vscroll(true)
        .show(ctx, |ui| {
            ui.label(RichText::new(c.baseline.display().to_string()).monospace().small());
            ui.label(
                RichText::new(format!(
                    "Grade {} -> {} · score {} -> {} ({:+})",
                    d.old.grade, d.new.grade, d.old.score, d.new.score, d.score_delta
                ))
                .strong(),
            );
            ui.label(format!("audited {} -> {}", d.old.observed_at, d.new.observed_at));
            let f = &d.findings;
            let counts: Vec<String> = f.counts().iter().map(|(k, n)| format!("{n} {k}")).collect();
            ui.label(counts.join(" · "));
            ui.separator();
            egui::CollapsingHeader::new(format!("New failures ({})", f.new.len()))
                .default_open(true)
                .show(ui, |ui| finding_rows(ui, &f.new));
            egui::CollapsingHeader::new(format!("Fixed ({})", f.fixed.len()))
                .default_open(true)
                .show(ui, |ui| finding_rows(ui, &f.fixed));
            egui::CollapsingHeader::new(format!("Changed ({})", f.changed.len())).show(ui, |ui| {
                for ch in f.changed.iter().take(MAX_ROWS) {
                    let mut parts = Vec::new();
                    if let Some(s) = &ch.status {
                        parts.push(format!("status {} -> {}", s.old, s.new));
                    }
                    if let Some(s) = &ch.severity {
                        parts.push(format!("severity {} -> {}", s.old.name(), s.new.name()));
                    }
                    if ch.message.is_some() {
                        parts.push("message changed".into());
                    }
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(&ch.id).monospace().small());
                        ui.label(parts.join(", "));
                    });
                }
            });
            egui::CollapsingHeader::new(format!("Certificates rotated ({})", d.certificates.len())).show(ui, |ui| {
                for r in &d.certificates {
                    ui.label(format!(
                        "{}: {} -> {}{}",
                        r.endpoint,
                        r.subject.old,
                        r.subject.new,
                        if r.key_changed { " (new key)" } else { " (same key)" }
                    ));
                }
            });
            egui::CollapsingHeader::new(format!("Pins ({})", d.pins.len())).show(ui, |ui| {
                for p in &d.pins {
                    ui.label(format!(
                        "{}: {} ({} -> {})",
                        p.subject, p.change, p.status.old, p.status.new
                    ));
                }
            });
            egui::CollapsingHeader::new(format!("Added findings ({})", f.added.len()))
                .show(ui, |ui| finding_rows(ui, &f.added));
            egui::CollapsingHeader::new(format!("Removed findings ({})", f.removed.len()))
                .show(ui, |ui| finding_rows(ui, &f.removed));
        });
    open
}
