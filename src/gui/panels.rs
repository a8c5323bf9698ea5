//! The app's panels: toolbar, layer checklist, findings table, details
//! (evidence and what-if), banners and status bar. Each `*_ui` function
//! only reads and edits the app state; none does I/O.

use super::app::{Action, CONTROLS, SHORTCUTS, SortKey, StatusFilter, StrataApp, node_findings, shortcut_text};
use super::graph_view::status_accent;
use crate::audit::rules::{Layer, Severity};
use crate::audit::{Finding, Status};
use crate::evidence::Observation;
use crate::model::Control;
use crate::report::exporters::exporters;
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

fn status_text(s: Status) -> RichText {
    RichText::new(s.name().to_uppercase())
        .small()
        .strong()
        .color(Color32::WHITE)
        .background_color(status_accent(s))
}

fn badge(ui: &mut egui::Ui, s: Status) {
    ui.label(status_text(s));
}

fn grade_colour(g: &str) -> Color32 {
    match g {
        "A" | "B" => Color32::from_rgb(46, 125, 50),
        "C" | "D" => Color32::from_rgb(178, 106, 0),
        _ => Color32::from_rgb(198, 40, 40),
    }
}

/// Menu bar, audit controls, grade.
pub fn toolbar_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    egui::Panel::top("toolbar").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            let ctx = ui.ctx().clone();
            let key = |a: Action| shortcut_text(&ctx, a);
            ui.menu_button("File", |ui| {
                if ui
                    .add(egui::Button::new("Open…").shortcut_text(key(Action::Open)))
                    .clicked()
                {
                    app.open_dialog();
                    ui.close();
                }
                ui.menu_button("Open recent", |ui| {
                    if app.settings.recent.is_empty() {
                        ui.label("nothing yet");
                    }
                    for p in app.settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            app.open(p);
                            ui.close();
                        }
                    }
                });
                ui.separator();
                for &format in exporters() {
                    if ui.button(format!("Export {}…", format.label())).clicked() {
                        app.export_dialog(format);
                        ui.close();
                    }
                }
                if ui
                    .add_enabled(
                        app.shown().is_some(),
                        egui::Button::new("Save HTML to the export folder").shortcut_text(key(Action::Export)),
                    )
                    .clicked()
                {
                    app.act(Action::Export);
                    ui.close();
                }
                ui.separator();
                if ui
                    .add_enabled(app.shown().is_some(), egui::Button::new("Compare with baseline…"))
                    .on_hover_text("Pick an earlier JSON report: new, fixed and changed findings, grade delta, rotated certificates, pins")
                    .clicked()
                {
                    app.compare_with(None);
                    ui.close();
                }
            });
            ui.menu_button("View", |ui| {
                ui.checkbox(&mut app.settings.show_layers, "Layer checklist");
                ui.checkbox(&mut app.settings.dark, "Dark theme");
                if ui
                    .add(egui::Button::new("Fit graph").shortcut_text(key(Action::Fit)))
                    .clicked()
                {
                    app.camera.fit = true;
                    ui.close();
                }
                if ui
                    .add(egui::Button::new("Find in findings").shortcut_text(key(Action::Find)))
                    .clicked()
                {
                    app.act(Action::Find);
                    ui.close();
                }
            });
            ui.menu_button("Help", |ui| {
                if ui
                    .add(egui::Button::new("Keyboard shortcuts").shortcut_text(key(Action::Help)))
                    .clicked()
                {
                    app.show_help = true;
                    ui.close();
                }
            });
            ui.separator();
            let running = app.progress.is_some();
            if running {
                if ui.button("Cancel").on_hover_text(key(Action::ToggleAudit)).clicked() {
                    app.cancel_audit();
                }
                if let Some(p) = &app.progress {
                    let frac = if p.total == 0 {
                        0.0
                    } else {
                        p.done() as f32 / p.total as f32
                    };
                    ui.add(egui::ProgressBar::new(frac).desired_width(180.0).text(format!(
                        "probing {}/{}",
                        p.done(),
                        p.total
                    )));
                }
            } else if ui
                .add_enabled(app.model.is_some(), egui::Button::new("Run audit"))
                .on_hover_text(key(Action::ToggleAudit))
                .clicked()
            {
                app.run_audit();
            }
            if ui
                .add_enabled(app.shown().is_some(), egui::Button::new("Fit"))
                .clicked()
            {
                app.camera.fit = true;
            }
            if ui
                .add_enabled(app.shown().is_some(), egui::Button::new("Present"))
                .clicked()
            {
                app.presentation = Some(0);
                app.camera.fit = true;
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
            }
            ui.separator();
            let label = ui.label("Export to");
            ui.add(egui::TextEdit::singleline(&mut app.settings.export_dir).desired_width(140.0))
                .labelled_by(label.id);
            ui.add_enabled_ui(app.shown().is_some(), |ui| {
                ui.menu_button("Save", |ui| {
                    for &format in exporters() {
                        if ui.button(format!("Save {}", format.label())).clicked() {
                            app.export_to_folder(format);
                            ui.close();
                        }
                    }
                });
            });
            ui.separator();
            if ui
                .selectable_label(
                    app.settings.dark,
                    if app.settings.dark { "Light theme" } else { "Dark theme" },
                )
                .clicked()
            {
                app.settings.dark = !app.settings.dark;
            }
            if let Some(line) = app.grade_line() {
                let colour = match app.shown() {
                    Some(o) if !line.starts_with("Auditing") => grade_colour(&o.report.score.grade),
                    _ => ui.visuals().text_color(),
                };
                let resp = ui.label(RichText::new(line).strong().size(18.0).color(colour));
                if let Some(o) = app.shown() {
                    resp.on_hover_text(grade_reasons(&o.report).join("\n"));
                }
                if !app.whatif.is_empty() {
                    let was = app.actual().map(|a| a.report.score.grade.clone()).unwrap_or_default();
                    ui.label(
                        RichText::new(format!("HYPOTHETICAL (declared: {was})"))
                            .strong()
                            .color(Color32::from_rgb(230, 120, 0)),
                    );
                }
            }
        });
    });
}

/// Why the grade is what it is, one line each: the score, the grade
/// before caps, every cap (as the HTML report shows them) and what triage
/// took out of the grade.
pub fn grade_reasons(r: &crate::report::Report) -> Vec<String> {
    let s = &r.score;
    let mut out = vec![format!(
        "Score {}/100 (grade {} before caps)",
        s.overall, s.uncapped_grade
    )];
    if s.caps.is_empty() {
        out.push("No cap applies: the grade is the score's.".into());
    } else {
        out.extend(s.caps.iter().map(|c| format!("Capped: {c}")));
    }
    if let Some(t) = &r.triage {
        out.push(format!("Triage: {}", t.line()));
    }
    out
}

/// The keyboard help overlay (F1).
pub fn help_ui(app: &mut StrataApp, ctx: &egui::Context) {
    let mut open = app.show_help;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (_, k, what) in SHORTCUTS {
                        ui.label(RichText::new(ctx.format_shortcut(k)).monospace().strong());
                        ui.label(*what);
                        ui.end_row();
                    }
                });
        });
    app.show_help = open && app.show_help;
}

/// The load error and what-if banners over the graph.
pub fn banners_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    if let Some(e) = app.load_error.clone() {
        egui::Frame::new()
            .fill(Color32::from_rgb(255, 230, 230))
            .inner_margin(8.0)
            .corner_radius(6)
            .show(ui, |ui| {
                ui.label(
                    RichText::new("The file has errors; showing the last valid version.")
                        .strong()
                        .color(Color32::from_rgb(150, 0, 0)),
                );
                ui.label(RichText::new(e).monospace().color(Color32::from_rgb(120, 0, 0)));
            });
    }
    if !app.whatif.is_empty() {
        egui::Frame::new()
            .fill(Color32::from_rgb(255, 240, 214))
            .inner_margin(8.0)
            .corner_radius(6)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        RichText::new("HYPOTHETICAL — nothing was probed:")
                            .strong()
                            .color(Color32::from_rgb(140, 70, 0)),
                    );
                    ui.label(RichText::new(app.whatif.describe().join("; ")).color(Color32::from_rgb(110, 60, 0)));
                    if ui.button("Reset what-if").clicked() {
                        app.reset_whatif();
                    }
                });
            });
    }
    if let Some(note) = app.audit_note.clone() {
        ui.label(RichText::new(note).italics().color(Color32::from_rgb(178, 106, 0)));
    }
    if app.auditing() && app.audited.is_none() {
        ui.label(RichText::new("Auditing… live checks show as unverified until the probes answer.").italics());
    } else if let Some(o) = app.shown()
        && o.report
            .findings
            .iter()
            .all(|f| f.proof != crate::audit::rules::Proof::Live || f.status != Status::Pass)
        && app.audited.is_none()
    {
        ui.label(RichText::new("Not audited yet: live checks show as unverified. Press Run audit.").italics());
    }
}

/// The status bar: lab, last message, probes.
pub fn status_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(&app.lab).small());
        ui.separator();
        if let Some(p) = &app.path {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ui.label(RichText::new(name).small())
                .on_hover_text(p.display().to_string());
            ui.separator();
        }
        if let Some(m) = app.messages.last() {
            ui.label(RichText::new(m).small());
        }
        if let Some(p) = &app.progress {
            let running: Vec<&String> = p.probes.iter().filter(|(_, v)| !v.0).map(|(k, _)| k).collect();
            if !running.is_empty() {
                ui.separator();
                ui.label(
                    RichText::new(format!(
                        "running: {}",
                        running.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                    .small(),
                );
            }
        }
    });
}

/// The checklist by layer: question, score, what proved it.
pub fn layers_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    ui.heading("Layers");
    let Some(o) = app.shown().cloned() else {
        ui.label("No model yet.");
        return;
    };
    if !(app.auditing() && app.audited.is_none()) {
        // The grade's reasons, as the HTML report gives them.
        for line in grade_reasons(&o.report) {
            let colour = if line.starts_with("Capped") {
                Color32::from_rgb(198, 40, 40)
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(line).small().color(colour));
        }
        ui.separator();
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        for l in &o.report.score.layers {
            let selected = app.filter.layer == Some(l.layer);
            let score = l.score.map(|s| format!("{s}")).unwrap_or_else(|| "—".into());
            let colour = match l.proven.as_str() {
                "failing" => Color32::from_rgb(198, 40, 40),
                "live" => Color32::from_rgb(46, 125, 50),
                "model" => Color32::from_rgb(46, 110, 125),
                "error" => Color32::from_rgb(178, 106, 0),
                _ => Color32::from_rgb(110, 110, 150),
            };
            let frame = egui::Frame::new().inner_margin(6.0).corner_radius(4).fill(if selected {
                ui.visuals().selection.bg_fill.gamma_multiply(0.4)
            } else {
                Color32::TRANSPARENT
            });
            let resp = frame
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(l.layer.title()).strong());
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            ui.label(RichText::new(score).strong());
                        });
                    });
                    ui.label(RichText::new(l.layer.question()).small().italics());
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(&l.proven).small().color(colour));
                        ui.label(
                            RichText::new(format!(
                                "{} pass · {} fail · {} unverified · {} error",
                                l.pass, l.fail, l.unverified, l.error
                            ))
                            .small(),
                        );
                    });
                })
                .response
                .interact(egui::Sense::click());
            if resp.clicked() {
                app.filter.layer = if selected { None } else { Some(l.layer) };
            }
            ui.separator();
        }
    });
}

fn sort_header(ui: &mut egui::Ui, app: &mut StrataApp, label: &str, key: SortKey) {
    let arrow = if app.filter.sort == key {
        if app.filter.ascending { " ^" } else { " v" }
    } else {
        ""
    };
    if ui.button(RichText::new(format!("{label}{arrow}")).strong()).clicked() {
        if app.filter.sort == key {
            app.filter.ascending = !app.filter.ascending;
        } else {
            app.filter.sort = key;
            app.filter.ascending = true;
        }
    }
}

/// The findings table with filters.
pub fn findings_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.heading("Findings");
        let label = ui.label("Filter");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut app.filter.text)
                    .hint_text("text, rule, layer or subject")
                    .desired_width(180.0),
            )
            .labelled_by(label.id);
        if std::mem::take(&mut app.focus_filter) {
            edit.request_focus();
        }
        let st = match app.filter.status {
            StatusFilter::All => "all".to_string(),
            StatusFilter::Open => "open".to_string(),
            StatusFilter::Only(s) => s.name().to_string(),
        };
        // Each label before its dropdown, as one reads it.
        let label = ui.label("status");
        egui::ComboBox::from_id_salt("status-filter")
            .selected_text(st)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.filter.status, StatusFilter::All, "all");
                ui.selectable_value(&mut app.filter.status, StatusFilter::Open, "open");
                for s in [Status::Fail, Status::Error, Status::Unverified, Status::Pass] {
                    ui.selectable_value(&mut app.filter.status, StatusFilter::Only(s), s.name());
                }
            })
            .response
            .labelled_by(label.id);
        let sev = app
            .filter
            .severity
            .map(|s| format!(">= {}", s.name()))
            .unwrap_or_else(|| "any".into());
        let label = ui.label("severity");
        egui::ComboBox::from_id_salt("severity-filter")
            .selected_text(sev)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.filter.severity, None, "any");
                for s in SEVERITIES {
                    ui.selectable_value(&mut app.filter.severity, Some(s), format!(">= {}", s.name()));
                }
            })
            .response
            .labelled_by(label.id);
        let layer = app.filter.layer.map(|l| l.title()).unwrap_or("all layers");
        let label = ui.label("layer");
        egui::ComboBox::from_id_salt("layer-filter")
            .selected_text(layer)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.filter.layer, None, "all layers");
                for l in Layer::ALL {
                    ui.selectable_value(&mut app.filter.layer, Some(l), l.title());
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(n) = app.selected_node.clone()
            && ui
                .button(format!("node: {n} (show all)"))
                .on_hover_text("Show findings of every node")
                .clicked()
        {
            app.selected_node = None;
        }
    });
    // Borrow the rows from a clone of the outcome's Arc (not from `app`,
    // which the header buttons mutate): nothing is copied per frame.
    let Some(outcome) = app.shown().cloned() else { return };
    let rows: Vec<&Finding> = app
        .visible_indices()
        .into_iter()
        .filter_map(|i| outcome.report.findings.get(i))
        .collect();
    ui.label(RichText::new(format!("{} finding(s)", rows.len())).small());
    let mut clicked: Option<String> = None;
    let mut triage: Option<String> = None;
    TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::exact(96.0))
        .column(Column::exact(78.0))
        .column(Column::initial(150.0).resizable(true))
        .column(Column::initial(380.0).resizable(true).clip(true))
        .column(Column::remainder().clip(true))
        .header(24.0, |mut h| {
            h.col(|ui| sort_header(ui, app, "Status", SortKey::Status));
            h.col(|ui| sort_header(ui, app, "Severity", SortKey::Severity));
            h.col(|ui| sort_header(ui, app, "Layer", SortKey::Layer));
            h.col(|ui| sort_header(ui, app, "Finding", SortKey::Rule));
            h.col(|ui| sort_header(ui, app, "Subject", SortKey::Subject));
        })
        .body(|body| {
            body.rows(22.0, rows.len(), |mut row| {
                let f = rows[row.index()];
                row.set_selected(app.selected_finding.as_deref() == Some(f.id.as_str()));
                // Cell text is not selectable: a click anywhere on the row,
                // text included, selects the finding.
                let cell = |text: RichText| egui::Label::new(text).selectable(false).sense(egui::Sense::click());
                let mut hit = false;
                // A click anywhere selects; a right-click anywhere opens the
                // finding's menu (labels take the click from the row).
                let mut on = |r: egui::Response, triage: &mut Option<String>| {
                    hit |= r.clicked();
                    finding_menu(&r, f, triage);
                };
                row.col(|ui| {
                    on(ui.add(cell(status_text(f.status))), &mut triage);
                    if let Some(t) = &f.triage {
                        // Struck through: not counted in the grade.
                        let mut text = RichText::new(t.status.name()).small();
                        if t.uncounted {
                            text = text.strikethrough();
                        }
                        let r = ui.add(cell(text)).on_hover_text(t.label());
                        on(r, &mut triage);
                    }
                });
                row.col(|ui| {
                    on(ui.add(cell(RichText::new(f.severity.name()))), &mut triage);
                });
                row.col(|ui| {
                    on(ui.add(cell(RichText::new(f.layer.title()))), &mut triage);
                });
                row.col(|ui| {
                    on(
                        ui.add(cell(RichText::new(&f.title))).on_hover_text(&f.message),
                        &mut triage,
                    );
                });
                row.col(|ui| {
                    on(ui.add(cell(RichText::new(&f.subject).monospace())), &mut triage);
                });
                let resp = row.response();
                if hit || resp.clicked() {
                    clicked = Some(f.id.clone());
                }
                finding_menu(&resp, f, &mut triage);
            });
        });
    if let Some(id) = clicked {
        app.selected_finding = Some(id);
    }
    if let Some(id) = triage {
        app.selected_finding = Some(id.clone());
        app.edit_triage(&id);
    }
}

/// A finding's context menu: triage it, copy its id.
fn finding_menu(resp: &egui::Response, f: &Finding, triage: &mut Option<String>) {
    resp.context_menu(|ui| {
        let label = if f.triage.is_some() {
            "Edit triage…"
        } else {
            "Triage…"
        };
        if ui.button(label).clicked() {
            *triage = Some(f.id.clone());
            ui.close();
        }
        if ui.button("Copy finding id").clicked() {
            ui.ctx().copy_text(f.id.clone());
            ui.close();
        }
    });
}

/// Details of the selected finding or node, and the what-if controls.
pub fn details_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    // Long titles and paths wrap rather than widen the panel.
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
    egui::ScrollArea::vertical().show(ui, |ui| {
        let Some(o) = app.shown().cloned() else {
            ui.label("Nothing selected.");
            return;
        };
        if let Some(fid) = app.selected_finding.clone()
            && let Some(f) = o.report.findings.iter().find(|f| f.id == fid)
        {
            ui.heading(&f.title);
            ui.horizontal(|ui| {
                badge(ui, f.status);
                ui.label(format!("{} · {}", f.severity.name(), f.layer.title()));
            });
            ui.label(RichText::new(&f.id).monospace().small());
            ui.add_space(4.0);
            ui.label(&f.message);
            ui.add_space(6.0);
            ui.label(RichText::new("Why it matters").strong());
            ui.label(&f.rationale);
            ui.label(RichText::new("Remediation").strong());
            ui.label(&f.remediation);
            if !f.references.is_empty() {
                ui.label(RichText::new(format!("References: {}", f.references.join(", "))).small());
            }
            egui::CollapsingHeader::new("Facts the rule looked at")
                .default_open(true)
                .show(ui, |ui| {
                    let text = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
                    ui.label(RichText::new(text).monospace().small());
                });
            if let Some(ep) = f.subject.strip_prefix("endpoint:") {
                transcript_ui(ui, &o, ep);
            }
            if ui.button("Clear selection").clicked() {
                app.selected_finding = None;
            }
            ui.separator();
        }
        let Some(node_id) = app.selected_node.clone() else {
            ui.label(
                RichText::new("Click a node to see its findings and try a what-if; click a finding for its evidence.")
                    .italics(),
            );
            whatif_global_ui(app, ui);
            return;
        };
        let Some(node) = app.selected_graph_node() else {
            return;
        };
        debug_assert_eq!(node.id, node_id);
        ui.heading(&node.label);
        ui.label(
            RichText::new(format!(
                "{} · {}",
                node.id,
                node.status.map(|s| s.name()).unwrap_or("no findings")
            ))
            .monospace(),
        );
        if !node.enforces.is_empty() {
            ui.label(format!(
                "enforces: {}",
                node.enforces.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
            ));
        }
        for p in o.report.graph.attack_paths.iter().filter(|p| p.target == node.id) {
            let text = format!(
                "{} [{}]",
                p.nodes.join(" -> "),
                p.controls.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
            );
            let colour = if p.authenticated {
                ui.visuals().text_color()
            } else {
                Color32::from_rgb(198, 40, 40)
            };
            ui.label(
                RichText::new(if p.authenticated {
                    text
                } else {
                    format!("BYPASS: {text}")
                })
                .small()
                .color(colour),
            );
        }
        ui.separator();
        let (open, passed) = node_findings(&o, &node.id);
        ui.label(RichText::new(format!("{} finding(s) on this node", open.len())).strong());
        if passed > 0 {
            ui.label(RichText::new(format!("and {passed} passed check(s)")).small());
        }
        for f in open {
            ui.horizontal(|ui| {
                badge(ui, f.status);
                if ui.link(&f.title).clicked() {
                    app.selected_finding = Some(f.id.clone());
                }
            });
        }
        let is_component = matches!(node.kind, crate::graph::NodeKind::Component(_));
        if is_component {
            ui.separator();
            ui.label(RichText::new("What if…").strong());
            let mut gone = app.whatif.bypassed.contains(&node.id);
            if ui
                .checkbox(&mut gone, "this component were gone (traffic goes straight through)")
                .changed()
            {
                if gone {
                    app.whatif.bypassed.insert(node.id.clone());
                } else {
                    app.whatif.bypassed.remove(&node.id);
                }
                app.whatif_changed();
            }
            let declared = app
                .model
                .as_ref()
                .and_then(|m| m.component(&node.id))
                .map(|c| c.enforces.clone())
                .unwrap_or_default();
            ui.label("it enforced:");
            ui.horizontal_wrapped(|ui| {
                for c in CONTROLS
                    .iter()
                    .filter(|c| !matches!(c, Control::Pinning | Control::Tls))
                {
                    let key = (node.id.clone(), *c);
                    let mut on = (declared.contains(c) && !app.whatif.enforce_off.contains(&key))
                        || app.whatif.enforce_on.contains(&key);
                    if ui.checkbox(&mut on, c.name()).changed() {
                        app.whatif.enforce_on.remove(&key);
                        app.whatif.enforce_off.remove(&key);
                        if on && !declared.contains(c) {
                            app.whatif.enforce_on.insert(key);
                        } else if !on && declared.contains(c) {
                            app.whatif.enforce_off.insert(key);
                        }
                        app.whatif_changed();
                    }
                }
            });
        }
        whatif_global_ui(app, ui);
    });
}

fn whatif_global_ui(app: &mut StrataApp, ui: &mut egui::Ui) {
    ui.separator();
    egui::CollapsingHeader::new("What if a control were switched off everywhere")
        .default_open(false)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for c in CONTROLS {
                    let mut off = app.whatif.controls_off.contains(&c);
                    let unused = app.switch_disabled(c);
                    let enabled = unused.is_none();
                    let resp = ui.add_enabled(enabled, egui::Checkbox::new(&mut off, format!("no {}", c.name())));
                    let resp = match &unused {
                        Some(why) => resp.on_disabled_hover_text(why),
                        None => resp,
                    };
                    if resp.changed() {
                        if off {
                            app.whatif.controls_off.insert(c);
                        } else {
                            app.whatif.controls_off.remove(&c);
                        }
                        app.whatif_changed();
                    }
                }
            });
        });
}

fn transcript_ui(ui: &mut egui::Ui, o: &crate::pipeline::Outcome, endpoint: &str) {
    let Some(ev) = o.evidence.endpoints.get(endpoint) else {
        return;
    };
    egui::CollapsingHeader::new("Probe transcript").default_open(true).show(ui, |ui| {
        match &ev.tls {
            Observation::Observed(t) => {
                ui.label(RichText::new(format!("{} -> {} {}  (SNI {})", t.address, t.version, t.cipher_suite, t.server_name)).monospace().small());
                ui.label(RichText::new(format!(
                    "verification: {}{}",
                    if t.verification.trusted { "trusted" } else { "NOT trusted" },
                    t.verification.detail.as_ref().map(|d| format!(" — {d}")).unwrap_or_default()
                ))
                .small());
                for (i, c) in t.chain.iter().enumerate() {
                    egui::CollapsingHeader::new(format!("#{i} {}", c.subject)).id_salt(("cert", i)).show(ui, |ui| {
                        let text = format!(
                            "issuer:    {}\nSANs:      {}\nvalid:     {} -> {}\nkey:       {} {}{}\nsignature: {}\npin:       sha256/{}",
                            c.issuer,
                            c.sans.join(", "),
                            crate::report::rfc3339(c.not_before),
                            crate::report::rfc3339(c.not_after),
                            c.key_type,
                            c.key_bits,
                            c.key_curve.as_ref().map(|k| format!(" {k}")).unwrap_or_default(),
                            c.signature_algorithm,
                            c.spki_sha256
                        );
                        ui.label(RichText::new(text).monospace().small());
                    });
                }
            }
            Observation::Error(f) => {
                ui.label(RichText::new(format!("TLS probe error — {f}")).color(Color32::from_rgb(178, 106, 0)));
            }
            Observation::NotProbed => {
                ui.label("TLS not probed.");
            }
        }
        for (name, obs) in &ev.layers {
            match obs {
                Observation::Observed(v) => {
                    egui::CollapsingHeader::new(format!("{name} probe")).id_salt(("layer", name)).show(ui, |ui| {
                        ui.label(RichText::new(serde_json::to_string_pretty(v).unwrap_or_default()).monospace().small());
                    });
                }
                Observation::Error(f) => {
                    ui.label(RichText::new(format!("{name} probe error — {f}")).color(Color32::from_rgb(178, 106, 0)));
                }
                Observation::NotProbed => {
                    ui.label(format!("{name}: not probed"));
                }
            }
        }
        if let Observation::Observed(h) = &ev.http {
            let mut text = format!("{} -> HTTP {}", h.request, h.status);
            for (k, v) in &h.headers {
                text.push_str(&format!("\n{k}: {v}"));
            }
            ui.label(RichText::new(text).monospace().small());
        }
    });
}
