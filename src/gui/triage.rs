//! The triage editor: a finding's context menu opens it, *Save* writes the
//! decision into `triage.yaml` beside the model (on the worker, atomically,
//! comments kept: [`crate::triage::edit`]), and the reload re-scores the
//! audit on screen with the same evidence.
//!
//! The editor's state is plain data ([`TriageEditor`]); [`editor_ui`]
//! draws it and returns what the user asked for, so the app applies it.

use crate::audit::Finding;
use crate::triage::TriageStatus;
use crate::triage::edit::Decision;

/// An open triage editor for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageEditor {
    /// The decision being edited.
    pub decision: Decision,
    /// The finding's title, for the window.
    pub title: String,
    /// Why the last save failed.
    pub error: Option<String>,
    /// A save is in flight.
    pub saving: bool,
}

impl TriageEditor {
    /// An editor for `f`, filled from its current decision (or a new
    /// `accepted` one).
    pub fn for_finding(f: &Finding) -> Self {
        let decision = match &f.triage {
            Some(t) => Decision {
                finding: f.id.clone(),
                status: t.status,
                justification: t.justification.clone(),
                ticket: t.ticket.clone().unwrap_or_default(),
                expires: t.expires.clone().unwrap_or_default(),
                by: t.by.clone().unwrap_or_default(),
            },
            None => Decision {
                finding: f.id.clone(),
                status: TriageStatus::Accepted,
                justification: String::new(),
                ticket: String::new(),
                expires: String::new(),
                by: String::new(),
            },
        };
        TriageEditor {
            decision,
            title: f.title.clone(),
            error: None,
            saving: false,
        }
    }

    /// What keeps the decision from being saved, if anything (checked
    /// before it is sent, so the file is never written with an error).
    pub fn problem(&self) -> Option<String> {
        let d = &self.decision;
        if d.status.uncounted() && d.justification.trim().is_empty() {
            return Some(format!("a `{}` decision needs a justification", d.status.name()));
        }
        let e = d.expires.trim();
        if !e.is_empty() && time::Date::parse(e, &time::macros::format_description!("[year]-[month]-[day]")).is_err() {
            return Some(format!("`{e}` is not a date as YYYY-MM-DD"));
        }
        None
    }
}

/// What the user did in the editor this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorAction {
    /// Nothing.
    None,
    /// Save this decision.
    Save(Decision),
    /// Close without saving.
    Cancel,
}

/// Draws the editor window.
pub fn editor_ui(ed: &mut TriageEditor, ctx: &egui::Context) -> EditorAction {
    let mut action = EditorAction::None;
    let mut open = true;
    egui::Window::new("Triage")
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .show(ctx, |ui| {
            ui.label(egui::RichText::new(&ed.title).strong());
            ui.label(egui::RichText::new(&ed.decision.finding).monospace().small());
            ui.separator();
            egui::Grid::new("triage-grid").num_columns(2).show(ui, |ui| {
                let l = ui.label("status");
                egui::ComboBox::from_id_salt("triage-status")
                    .selected_text(ed.decision.status.name())
                    .show_ui(ui, |ui| {
                        for s in TriageStatus::ALL {
                            ui.selectable_value(&mut ed.decision.status, s, s.name());
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                for (name, value, hint) in [
                    (
                        "justification",
                        &mut ed.decision.justification,
                        "why (required for accepted / false-positive)",
                    ),
                    ("ticket", &mut ed.decision.ticket, "SEC-123"),
                    ("expires", &mut ed.decision.expires, "YYYY-MM-DD"),
                    ("by", &mut ed.decision.by, "who decided"),
                ] {
                    let l = ui.label(name);
                    ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(320.0))
                        .labelled_by(l.id);
                    ui.end_row();
                }
            });
            ui.label(
                egui::RichText::new(if ed.decision.status.uncounted() {
                    "Stays visible, marked; not counted in the grade until it expires."
                } else {
                    "Stays visible and still counts in the grade."
                })
                .small(),
            );
            let problem = ed.problem();
            if let Some(p) = problem.as_ref().or(ed.error.as_ref()) {
                ui.colored_label(egui::Color32::from_rgb(198, 40, 40), p);
            }
            ui.horizontal(|ui| {
                let save = ui.add_enabled(
                    problem.is_none() && !ed.saving,
                    egui::Button::new("Save to triage.yaml"),
                );
                if save.clicked() {
                    action = EditorAction::Save(ed.decision.clone());
                }
                if ui.button("Cancel").clicked() {
                    action = EditorAction::Cancel;
                }
            });
        });
    if !open {
        action = EditorAction::Cancel;
    }
    action
}
