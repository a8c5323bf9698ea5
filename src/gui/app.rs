//! Application state and the frame loop. UI state is plain data; every
//! slow thing is a [`Command`] to the worker, every answer an [`Event`].

use super::graph_view::{self, Camera, Geometry, Highlight};
use super::panels;
use super::worker::{Command, Event, Worker};
use crate::audit::rules::{Layer, Ruleset, Severity};
use crate::audit::whatif::WhatIf;
use crate::audit::{Finding, Status};
use crate::model::Model;
use crate::pipeline::{Format, Outcome};
use crate::probe::runner::ProgressEvent;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    /// File to open.
    pub file: Option<PathBuf>,
    /// Start the demo lab in-process first.
    pub start_lab: bool,
    /// Run the audit as soon as the file is loaded.
    pub auto_audit: bool,
}

/// Settings kept between runs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Dark theme.
    pub dark: bool,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// Folder for quick exports; a relative folder is taken from the open
    /// model file's folder (never from the current directory).
    pub export_dir: String,
    /// Show the layer checklist.
    pub show_layers: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dark: false,
            recent: Vec::new(),
            export_dir: "strata-report".into(),
            show_layers: true,
        }
    }
}

/// Status filter of the findings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every finding except not-applicable.
    All,
    /// Fail, error and unverified.
    Open,
    /// One status.
    Only(Status),
}

/// Sort key of the findings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// By status (fail first).
    Status,
    /// By severity (critical first).
    Severity,
    /// By layer.
    Layer,
    /// By rule id.
    Rule,
    /// By subject.
    Subject,
}

/// Findings filters.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Free text (title, id, message).
    pub text: String,
    /// Minimum severity.
    pub severity: Option<Severity>,
    /// One layer.
    pub layer: Option<Layer>,
    /// Status filter.
    pub status: StatusFilter,
    /// Sort key and direction.
    pub sort: SortKey,
    /// Ascending order.
    pub ascending: bool,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            text: String::new(),
            severity: None,
            layer: None,
            status: StatusFilter::Open,
            sort: SortKey::Status,
            ascending: true,
        }
    }
}

/// Live state of a running audit.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Planned probes.
    pub total: usize,
    /// Probe id -> (finished, ok, summary).
    pub probes: BTreeMap<String, (bool, bool, String)>,
}

impl Progress {
    /// Finished probes.
    pub fn done(&self) -> usize {
        self.probes.values().filter(|p| p.0).count()
    }
}

/// Something the user can do from the keyboard (and from a menu).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Show the open dialog.
    Open,
    /// Run the audit, or cancel the running one.
    ToggleAudit,
    /// Save the HTML report into the export folder.
    Export,
    /// Focus the findings filter.
    Find,
    /// Fit the graph to the window.
    Fit,
    /// Enter presentation mode.
    Present,
    /// Select the next finding of the table.
    NextFinding,
    /// Select the previous finding of the table.
    PreviousFinding,
    /// Clear the selected finding, then the selected node.
    ClearSelection,
    /// Show or hide the keyboard help.
    Help,
}

/// The keyboard shortcuts outside presentation mode, with what they do
/// (the help overlay, the menus and the README list the same).
pub const SHORTCUTS: &[(Action, egui::KeyboardShortcut, &str)] = {
    use egui::{Key, KeyboardShortcut as K, Modifiers as M};
    &[
        (Action::Open, K::new(M::COMMAND, Key::O), "Open a file"),
        (
            Action::ToggleAudit,
            K::new(M::COMMAND, Key::R),
            "Run the audit (cancel it while it runs)",
        ),
        (
            Action::Export,
            K::new(M::COMMAND, Key::E),
            "Save the HTML report into the export folder",
        ),
        (Action::Find, K::new(M::COMMAND, Key::F), "Focus the findings filter"),
        (Action::Fit, K::new(M::COMMAND, Key::G), "Fit the graph to the window"),
        (
            Action::Present,
            K::new(M::COMMAND, Key::P),
            "Present (Left/Right step, Esc leaves)",
        ),
        (Action::NextFinding, K::new(M::COMMAND, Key::ArrowDown), "Next finding"),
        (
            Action::PreviousFinding,
            K::new(M::COMMAND, Key::ArrowUp),
            "Previous finding",
        ),
        (
            Action::ClearSelection,
            K::new(M::NONE, Key::Escape),
            "Clear the selection",
        ),
        (Action::Help, K::new(M::NONE, Key::F1), "This help"),
    ]
};

/// The shortcut of an action, as the menus show it.
pub fn shortcut_text(ctx: &egui::Context, action: Action) -> String {
    SHORTCUTS
        .iter()
        .find(|(a, _, _)| *a == action)
        .map(|(_, k, _)| ctx.format_shortcut(k))
        .unwrap_or_default()
}

/// Which re-score a result answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Base(u64),
    Hypothetical(u64),
}

/// The application.
pub struct StrataApp {
    /// The worker; `None` in a headless app (tests), whose commands are
    /// kept in `outbox` instead.
    worker: Option<Worker>,
    outbox: Vec<Command>,
    /// The rules in use.
    pub rules: Arc<Ruleset>,
    /// Persisted settings.
    pub settings: Settings,
    /// The open file.
    pub path: Option<PathBuf>,
    /// The last valid model.
    pub model: Option<Arc<Model>>,
    /// The current file's load error (the last good model stays shown).
    pub load_error: Option<String>,
    /// Audit of the model with no evidence (before any probing).
    pub declared: Option<Arc<Outcome>>,
    /// Audit with live evidence.
    pub audited: Option<Arc<Outcome>>,
    /// Hypothetical changes.
    pub whatif: WhatIf,
    /// Audit of the hypothetical model.
    pub hypothetical: Option<Arc<Outcome>>,
    pending: Vec<Pending>,
    generation: u64,
    /// Generation of the last load request: older answers are dropped.
    load_generation: u64,
    /// Generation of the last audit request: results of an older (or
    /// cancelled) audit are dropped.
    audit_generation: u64,
    /// Why the audit on screen is not the latest one asked for (cancelled,
    /// file changed); shown over the graph until the next audit ends.
    pub audit_note: Option<String>,
    /// Which "switched off everywhere" what-ifs change the outcome on
    /// screen (filled by the worker after each new outcome).
    pub effects: BTreeMap<crate::model::Control, bool>,
    effects_generation: u64,
    /// Audit progress while probing.
    pub progress: Option<Progress>,
    /// Lab state line.
    pub lab: String,
    /// Selected graph node.
    pub selected_node: Option<String>,
    /// Selected finding id.
    pub selected_finding: Option<String>,
    /// Findings filters.
    pub filter: Filter,
    /// Graph camera.
    pub camera: Camera,
    geometry: Option<(usize, Arc<Geometry>)>,
    /// Presentation mode: the layer shown.
    pub presentation: Option<usize>,
    /// Messages for the status bar, newest last.
    pub messages: Vec<String>,
    /// The keyboard help is shown.
    pub show_help: bool,
    /// The triage editor, when open.
    pub triage_editor: Option<super::triage::TriageEditor>,
    /// The comparison with a baseline report, when shown.
    pub comparison: Option<super::compare::Comparison>,
    /// Focus the findings filter on the next frame.
    pub focus_filter: bool,
    launch: LaunchOptions,
}

impl StrataApp {
    /// Creates the app (eframe entry point).
    pub fn new(cc: &eframe::CreationContext<'_>, launch: LaunchOptions) -> StrataApp {
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        StrataApp::with_context(&cc.egui_ctx, launch, settings)
    }

    /// Creates the app for a given egui context (also used by tests).
    pub fn with_context(ctx: &egui::Context, launch: LaunchOptions, mut settings: Settings) -> StrataApp {
        crate::probe::install_crypto_provider();
        // Older versions kept paths relative to the start directory.
        settings.recent.retain(|p| p.is_absolute());
        let mut messages = Vec::new();
        let rules = match Ruleset::builtin() {
            Ok(r) => Arc::new(r),
            Err(e) => {
                messages.push(format!("built-in rules failed to load: {e}"));
                Arc::new(Ruleset::default())
            }
        };
        let repaint_ctx = ctx.clone();
        let worker = match Worker::spawn(rules.clone(), move || repaint_ctx.request_repaint()) {
            Ok(w) => Some(w),
            Err(e) => {
                messages.push(format!("{e}; nothing can be loaded or audited"));
                None
            }
        };
        StrataApp::build(worker, rules, messages, launch, settings)
    }

    /// The app without a worker thread: the state and its reducer alone.
    /// What it asks of the worker is kept, in order, for [`Self::take_commands`].
    pub fn headless(launch: LaunchOptions, mut settings: Settings) -> StrataApp {
        settings.recent.retain(|p| p.is_absolute());
        let rules = Arc::new(Ruleset::builtin().unwrap_or_default());
        StrataApp::build(None, rules, Vec::new(), launch, settings)
    }

    /// The commands a headless app sent since the last call.
    pub fn take_commands(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.outbox)
    }

    fn build(
        worker: Option<Worker>,
        rules: Arc<Ruleset>,
        messages: Vec<String>,
        launch: LaunchOptions,
        settings: Settings,
    ) -> StrataApp {
        let mut app = StrataApp {
            worker,
            outbox: Vec::new(),
            rules,
            settings,
            path: None,
            model: None,
            load_error: None,
            declared: None,
            audited: None,
            whatif: WhatIf::default(),
            hypothetical: None,
            pending: Vec::new(),
            generation: 0,
            load_generation: 0,
            audit_generation: 0,
            audit_note: None,
            effects: BTreeMap::new(),
            effects_generation: 0,
            progress: None,
            lab: "lab: off".into(),
            selected_node: None,
            selected_finding: None,
            filter: Filter::default(),
            camera: Camera::default(),
            geometry: None,
            presentation: None,
            messages,
            show_help: false,
            triage_editor: None,
            comparison: None,
            focus_filter: false,
            launch: launch.clone(),
        };
        if launch.start_lab {
            app.lab = "lab: starting…".into();
            app.send(Command::StartLab);
        } else if let Some(f) = launch.file {
            app.open(f);
        }
        app
    }

    /// Hands a command to the worker (never blocks).
    fn send(&mut self, c: Command) {
        match &self.worker {
            Some(w) => w.send(c),
            None => self.outbox.push(c),
        }
    }

    /// Opens a file (loading happens on the worker). The path is made
    /// absolute first, so *Open recent* works from any start directory.
    /// A running audit is cancelled: it probes the previous model.
    pub fn open(&mut self, path: PathBuf) {
        let path = absolute_path(&path);
        self.settings.recent.retain(|p| p != &path);
        self.settings.recent.insert(0, path.clone());
        self.settings.recent.truncate(10);
        if self.path.as_ref() != Some(&path) {
            // Nothing of the previous file may show under the new name.
            self.model = None;
            self.declared = None;
            self.load_error = None;
            self.audited = None;
            self.hypothetical = None;
            self.effects.clear();
            self.whatif = WhatIf::default();
            self.selected_node = None;
            self.selected_finding = None;
            self.camera.fit = true;
        }
        if self.progress.is_some() {
            self.stop_audit("the audit was cancelled because a file was opened");
        }
        self.path = Some(path.clone());
        self.load_generation += 1;
        self.send(Command::Load {
            path,
            generation: self.load_generation,
        });
    }

    /// Opens the triage editor on a finding of the outcome on screen.
    pub fn edit_triage(&mut self, finding_id: &str) {
        let f = self
            .shown()
            .and_then(|o| o.report.findings.iter().find(|f| f.id == finding_id).cloned());
        if let Some(f) = f {
            self.triage_editor = Some(super::triage::TriageEditor::for_finding(&f));
        }
    }

    /// Asks the worker to write the editor's decision.
    pub fn save_triage(&mut self, decision: crate::triage::edit::Decision) {
        let Some(model) = self.path.clone() else { return };
        if let Some(ed) = self.triage_editor.as_mut() {
            ed.saving = true;
            ed.error = None;
        }
        self.send(Command::SaveTriage {
            path: crate::triage::path_for(&model),
            decision,
        });
    }

    fn triage_ui(&mut self, ctx: &egui::Context) {
        let Some(ed) = self.triage_editor.as_mut() else { return };
        match super::triage::editor_ui(ed, ctx) {
            super::triage::EditorAction::None => {}
            super::triage::EditorAction::Cancel => self.triage_editor = None,
            super::triage::EditorAction::Save(d) => self.save_triage(d),
        }
    }

    /// Starts probing the current model.
    pub fn run_audit(&mut self) {
        if let Some(m) = self.model.clone() {
            self.audit_generation += 1;
            self.audit_note = None;
            self.progress = Some(Progress::default());
            self.send(Command::Audit {
                model: m,
                generation: self.audit_generation,
            });
        }
    }

    /// Cancels probing; the last complete audit stays on screen.
    pub fn cancel_audit(&mut self) {
        if self.progress.is_some() {
            self.stop_audit("the audit was cancelled");
        }
    }

    /// Stops the running audit: whatever it still sends is stale.
    fn stop_audit(&mut self, why: &str) {
        self.send(Command::Cancel);
        self.audit_generation += 1;
        self.progress = None;
        self.launch.auto_audit = false;
        let note = cancelled_note(why, self.audited.is_some());
        self.note(note.clone());
        self.audit_note = Some(note);
    }

    /// An audit is running or about to start (the file is loading with
    /// `--audit`): the declared-only grade is not the answer yet.
    pub fn auditing(&self) -> bool {
        self.progress.is_some()
            || (self.launch.auto_audit
                && self.load_error.is_none()
                && (self.path.is_some() || self.launch.file.is_some()))
    }

    /// The grade line of the toolbar: what is shown, or that the first
    /// audit is still running.
    pub fn grade_line(&self) -> Option<String> {
        if self.auditing() && self.audited.is_none() && self.whatif.is_empty() {
            return Some("Auditing…".into());
        }
        let s = &self.shown()?.report.score;
        let mut line = format!("Grade {} · {}/100", s.grade, s.overall);
        if s.uncapped_grade != s.grade {
            line.push_str(&format!(" (grade {} before caps)", s.uncapped_grade));
        }
        Some(line)
    }

    /// Does what a shortcut (or its menu entry) asks.
    pub fn act(&mut self, action: Action) {
        match action {
            Action::Open => self.open_dialog(),
            Action::ToggleAudit => {
                if self.progress.is_some() {
                    self.cancel_audit();
                } else {
                    self.run_audit();
                }
            }
            Action::Export => {
                // The first registered format is HTML.
                if self.shown().is_some()
                    && let Some(&format) = crate::report::exporters::exporters().first()
                {
                    self.export_to_folder(format);
                }
            }
            Action::Find => self.focus_filter = true,
            Action::Fit => self.camera.fit = true,
            Action::Present => {
                if self.shown().is_some() {
                    self.presentation = Some(0);
                    self.camera.fit = true;
                }
            }
            Action::NextFinding | Action::PreviousFinding => {
                let ids: Vec<String> = self.visible_findings().iter().map(|f| f.id.clone()).collect();
                let at = self
                    .selected_finding
                    .as_ref()
                    .and_then(|s| ids.iter().position(|i| i == s));
                let next = match (action, at) {
                    (_, None) => 0,
                    (Action::NextFinding, Some(i)) => (i + 1).min(ids.len().saturating_sub(1)),
                    (_, Some(i)) => i.saturating_sub(1),
                };
                if let Some(id) = ids.get(next) {
                    self.selected_finding = Some(id.clone());
                }
            }
            Action::ClearSelection => {
                if self.show_help {
                    self.show_help = false;
                } else if self.selected_finding.is_some() {
                    self.selected_finding = None;
                } else {
                    self.selected_node = None;
                }
            }
            Action::Help => self.show_help = !self.show_help,
        }
    }

    /// The outcome on screen: hypothetical when a what-if is active.
    pub fn shown(&self) -> Option<&Arc<Outcome>> {
        if !self.whatif.is_empty()
            && let Some(h) = &self.hypothetical
        {
            return Some(h);
        }
        self.audited.as_ref().or(self.declared.as_ref())
    }

    /// The outcome without what-ifs.
    pub fn actual(&self) -> Option<&Arc<Outcome>> {
        self.audited.as_ref().or(self.declared.as_ref())
    }

    /// Asks the worker which global switches change the actual outcome.
    fn request_effects(&mut self) {
        let (Some(model), Some(base)) = (self.model.clone(), self.actual().cloned()) else {
            return;
        };
        self.effects_generation += 1;
        self.effects.clear();
        let controls = CONTROLS
            .iter()
            .copied()
            .filter(|c| control_unused(&model, *c).is_none())
            .collect();
        self.send(Command::Effects {
            model,
            evidence: Arc::new(base.evidence.clone()),
            controls,
            generation: self.effects_generation,
        });
    }

    /// Why the "no `control`" switch is disabled, or `None` when it has an
    /// effect (or its effect is not known yet). A switch already on stays
    /// enabled, so it can be switched back.
    pub fn switch_disabled(&self, control: crate::model::Control) -> Option<String> {
        if self.whatif.controls_off.contains(&control) {
            return None;
        }
        if let Some(why) = self.model.as_ref().and_then(|m| control_unused(m, control)) {
            return Some(why);
        }
        match self.effects.get(&control) {
            Some(false) => Some(format!(
                "switching {} off everywhere changes no finding and no score of this audit",
                control.name()
            )),
            _ => None,
        }
    }

    /// Re-scores the what-if (no probing).
    pub fn whatif_changed(&mut self) {
        self.hypothetical = None;
        if self.whatif.is_empty() {
            return;
        }
        let (Some(model), Some(base)) = (self.model.clone(), self.actual().cloned()) else {
            return;
        };
        self.generation += 1;
        self.pending.push(Pending::Hypothetical(self.generation));
        self.send(Command::Rescore {
            model,
            evidence: Arc::new(base.evidence.clone()),
            whatif: self.whatif.clone(),
            generation: self.generation,
        });
    }

    /// Clears every what-if.
    pub fn reset_whatif(&mut self) {
        self.whatif = WhatIf::default();
        self.hypothetical = None;
    }

    /// The report name of what is shown: `<file stem>-<slug of the system
    /// name>` ([`crate::pipeline::report_stem`]), `.whatif` added for a
    /// hypothetical.
    fn report_stem(&self, o: &Outcome) -> String {
        let file = self.path.clone().unwrap_or_else(|| PathBuf::from("audit"));
        let stem = crate::pipeline::report_stem(&file, &o.report.system.name);
        if self.whatif.is_empty() {
            stem
        } else {
            format!("{stem}.whatif")
        }
    }

    /// The quick-export folder: [`Settings::export_dir`], relative to the
    /// model file's folder unless absolute.
    pub fn export_folder(&self) -> PathBuf {
        let dir = PathBuf::from(&self.settings.export_dir);
        if dir.is_absolute() {
            return dir;
        }
        let base = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .filter(|d| !d.as_os_str().is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        base.join(dir)
    }

    /// Saves a report of what is shown into the export folder.
    pub fn export_to_folder(&mut self, format: Format) {
        let Some(o) = self.shown() else { return };
        let stem = self.report_stem(o);
        let report = o.report.clone();
        let model = self.path.clone().unwrap_or_else(|| PathBuf::from("audit"));
        let dir = self.export_folder();
        self.send(Command::Export {
            report,
            format,
            dir,
            stem,
            model,
        });
    }

    /// Asks for a save dialog, then exports.
    pub fn export_dialog(&mut self, format: Format) {
        let Some(o) = self.shown() else { return };
        let stem = self.report_stem(o);
        let report = o.report.clone();
        self.send(Command::PickExport {
            report,
            format,
            suggested: format!("{stem}.strata.{}", format.extension()),
        });
    }

    /// Compares the report on screen with an earlier JSON report (`None`:
    /// ask with a dialog).
    pub fn compare_with(&mut self, baseline: Option<PathBuf>) {
        let Some(o) = self.shown() else { return };
        let current = o.report.clone();
        self.send(Command::Compare {
            path: baseline,
            current,
        });
    }

    /// Asks for an open dialog.
    pub fn open_dialog(&mut self) {
        self.send(Command::PickOpen);
    }

    fn note(&mut self, m: impl Into<String>) {
        self.messages.push(m.into());
        if self.messages.len() > 50 {
            self.messages.remove(0);
        }
    }

    /// Applies worker events (never blocks).
    pub fn handle_events(&mut self) {
        let events = self.worker.as_ref().map(Worker::drain).unwrap_or_default();
        for ev in events {
            self.apply(ev);
        }
    }

    /// The reducer: applies one worker event to the state. Answers to an
    /// older request (another file, a cancelled or superseded audit) are
    /// dropped by their generation; whatever it asks of the worker is sent
    /// without waiting.
    pub fn apply(&mut self, ev: Event) {
        match ev {
            Event::LabReady(m) => {
                self.lab = format!(
                    "lab: {} servers on 127.0.0.1:{}+",
                    m.servers.len(),
                    m.servers.first().map(|s| s.port).unwrap_or(0)
                );
                if let Some(f) = self.launch.file.clone() {
                    self.open(f);
                }
            }
            Event::LabFailed(e) => {
                self.lab = "lab: failed".into();
                self.note(format!("the demo lab could not start: {e}"));
                if let Some(f) = self.launch.file.clone() {
                    self.open(f);
                }
            }
            Event::Loaded {
                generation,
                path,
                result,
            } => {
                if generation != self.load_generation {
                    return;
                }
                // The worker answers with the canonical path: remember that one.
                if let Some(asked) = self.path.clone()
                    && asked != path
                {
                    for p in &mut self.settings.recent {
                        if *p == asked {
                            *p = path.clone();
                        }
                    }
                    let mut seen = std::collections::BTreeSet::new();
                    self.settings.recent.retain(|p| seen.insert(p.clone()));
                    self.path = Some(path.clone());
                }
                match result {
                    Ok((model, declared)) => {
                        if self.progress.is_some() {
                            // The worker stopped it: it probed the old model.
                            self.stop_audit("the audit was cancelled because the file changed");
                        }
                        self.load_error = None;
                        let reloaded = self.model.is_some();
                        self.model = Some(model.clone());
                        self.declared = Some(declared);
                        if let Some(a) = self.audited.clone() {
                            // Keep the evidence, re-score the edited model.
                            self.generation += 1;
                            self.pending.push(Pending::Base(self.generation));
                            self.send(Command::Rescore {
                                model: model.clone(),
                                evidence: Arc::new(a.evidence.clone()),
                                whatif: WhatIf::default(),
                                generation: self.generation,
                            });
                        }
                        self.whatif_changed();
                        self.request_effects();
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        self.note(format!("{} {name}", if reloaded { "reloaded" } else { "opened" }));
                        if self.launch.auto_audit {
                            self.launch.auto_audit = false;
                            self.run_audit();
                        }
                    }
                    Err(e) => self.load_error = Some(e.to_string()),
                }
            }
            Event::Progress(generation, p) => {
                // Late events of a finished or cancelled audit are dropped.
                if generation != self.audit_generation {
                    return;
                }
                let Some(prog) = self.progress.as_mut() else { return };
                match p {
                    ProgressEvent::Planned { total } => prog.total = total,
                    ProgressEvent::Started { probe } => {
                        prog.probes.insert(probe, (false, false, "running".into()));
                    }
                    ProgressEvent::Finished { probe, ok, summary } => {
                        prog.probes.insert(probe, (true, ok, summary));
                    }
                }
            }
            Event::Audited {
                generation,
                outcome: o,
                cancelled,
            } => {
                if generation != self.audit_generation || self.progress.is_none() {
                    return;
                }
                self.progress = None;
                if cancelled {
                    // A partial audit never replaces a complete one.
                    let note = cancelled_note("the audit was cancelled", self.audited.is_some());
                    self.note(note.clone());
                    self.audit_note = Some(note);
                    return;
                }
                self.audit_note = None;
                self.note(format!(
                    "audit finished: grade {} ({}/100)",
                    o.report.score.grade, o.report.score.overall
                ));
                self.audited = Some(o);
                self.whatif_changed();
                self.request_effects();
            }
            Event::Rescored(generation, o) => {
                if self.pending.contains(&Pending::Base(generation)) {
                    self.audited = Some(o);
                    self.whatif_changed();
                    self.request_effects();
                } else if self.pending.contains(&Pending::Hypothetical(generation)) && generation == self.generation {
                    self.hypothetical = Some(o);
                }
                self.pending
                    .retain(|p| !matches!(p, Pending::Base(g) | Pending::Hypothetical(g) if *g == generation));
            }
            Event::Picked(p) => self.open(p),
            Event::Effects(generation, effects) => {
                if generation == self.effects_generation {
                    self.effects = effects;
                }
            }
            Event::Compared(Ok((baseline, diff))) => {
                self.note(format!("compared with {}", baseline.display()));
                self.comparison = Some(super::compare::Comparison { baseline, diff: *diff });
            }
            Event::Compared(Err(e)) => self.note(format!("no comparison: {e}")),
            Event::TriageSaved(Ok(p)) => {
                self.triage_editor = None;
                self.note(format!("triage saved to {}", p.display()));
                // Re-read the model (and its triage): the audit on screen is
                // re-scored with the same evidence.
                if let Some(path) = self.path.clone() {
                    self.open(path);
                }
            }
            Event::TriageSaved(Err(e)) => {
                if let Some(ed) = self.triage_editor.as_mut() {
                    ed.saving = false;
                    ed.error = Some(e.clone());
                }
                self.note(format!("triage not saved: {e}"));
            }
            Event::Exported(Ok(p)) => self.note(format!("exported {}", p.display())),
            Event::Exported(Err(e)) => self.note(format!("export failed: {e}")),
            Event::Error(e) => self.note(e),
        }
    }

    /// Findings of the shown outcome after filters and sorting.
    pub fn visible_findings(&self) -> Vec<&Finding> {
        let Some(o) = self.shown() else { return vec![] };
        self.visible_indices()
            .into_iter()
            .filter_map(|i| o.report.findings.get(i))
            .collect()
    }

    /// Indices (into the shown report's findings) of the visible rows, in
    /// display order.
    pub fn visible_indices(&self) -> Vec<usize> {
        let Some(o) = self.shown() else { return vec![] };
        let f = &self.filter;
        let text = f.text.to_lowercase();
        let mut rows: Vec<(usize, &Finding)> = o
            .report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, x)| x.status != Status::NotApplicable)
            .filter(|(_, x)| match f.status {
                StatusFilter::All => true,
                StatusFilter::Open => matches!(x.status, Status::Fail | Status::Error | Status::Unverified),
                StatusFilter::Only(s) => x.status == s,
            })
            .filter(|(_, x)| f.severity.is_none_or(|s| x.severity >= s))
            .filter(|(_, x)| f.layer.is_none_or(|l| x.layer == l))
            .filter(|(_, x)| finding_matches(x, &text))
            .filter(|(_, x)| self.selected_node.is_none() || x.node == self.selected_node)
            .collect();
        let rank = |s: Status| match s {
            Status::Fail => 0,
            Status::Error => 1,
            Status::Unverified => 2,
            Status::Pass => 3,
            Status::NotApplicable => 4,
        };
        rows.sort_by(|(_, a), (_, b)| {
            let o = match f.sort {
                SortKey::Status => rank(a.status).cmp(&rank(b.status)).then(b.severity.cmp(&a.severity)),
                SortKey::Severity => b.severity.cmp(&a.severity).then(rank(a.status).cmp(&rank(b.status))),
                SortKey::Layer => a.layer.cmp(&b.layer),
                SortKey::Rule => a.rule.cmp(&b.rule),
                SortKey::Subject => a.subject.cmp(&b.subject),
            }
            .then(a.id.cmp(&b.id));
            if f.ascending { o } else { o.reverse() }
        });
        rows.into_iter().map(|(i, _)| i).collect()
    }

    /// The selected node as the graph shows it; a component taken out by
    /// the what-if is not in the hypothetical graph, so it comes from the
    /// actual one (it stays selected, and the user can put it back).
    pub fn selected_graph_node(&self) -> Option<crate::report::GraphNode> {
        let id = self.selected_node.as_deref()?;
        let find = |o: &Arc<Outcome>| o.report.graph.nodes.iter().find(|n| n.id == id).cloned();
        self.shown().and_then(find).or_else(|| {
            if self.whatif.bypassed.contains(id) {
                self.actual().and_then(find)
            } else {
                None
            }
        })
    }

    /// Forgets a selected node that no longer exists (the file changed).
    pub fn prune_selection(&mut self) {
        if self.selected_node.is_some() && self.shown().is_some() && self.selected_graph_node().is_none() {
            self.selected_node = None;
        }
    }

    /// The graph geometry of the shown outcome (cached per outcome).
    fn geometry(&mut self) -> Option<Arc<Geometry>> {
        let o = self.shown()?.clone();
        let key = Arc::as_ptr(&o) as usize;
        match &self.geometry {
            Some((k, g)) if *k == key => Some(g.clone()),
            prev => {
                let g = Arc::new(Geometry::of(&o.report.graph));
                // A different shape (new model, what-if) is fitted again.
                if prev.as_ref().is_none_or(|(_, p)| p.bounds != g.bounds) {
                    self.camera.fit = true;
                }
                self.geometry = Some((key, g.clone()));
                Some(g)
            }
        }
    }

    fn highlight(&self) -> Highlight {
        let mut h = Highlight {
            selected: self.selected_node.clone(),
            text_scale: 1.0,
            ..Highlight::default()
        };
        if let Some(fid) = &self.selected_finding
            && let Some(f) = self
                .shown()
                .and_then(|o| o.report.findings.iter().find(|f| &f.id == fid))
            && let Some(n) = &f.node
        {
            h.emphasised.insert(n.clone());
        }
        h.bypassed = self.whatif.bypassed.clone();
        h
    }

    /// Draws the whole UI.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        self.handle_events();
        self.prune_selection();
        let ctx = ui.ctx().clone();
        ctx.set_theme(if self.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(p) = dropped.into_iter().next() {
            self.open(p);
        }
        if self.presentation.is_some() {
            self.presentation_ui(ui);
            return;
        }
        // A text field keeps its keys (Esc, arrows) to itself.
        let typing = ctx.egui_wants_keyboard_input();
        let actions: Vec<Action> = ctx.input_mut(|i| {
            SHORTCUTS
                .iter()
                .filter(|(_, k, _)| !(typing && k.modifiers.is_none()))
                .filter(|(_, k, _)| i.consume_shortcut(k))
                .map(|(a, _, _)| *a)
                .collect()
        });
        for a in actions {
            self.act(a);
            if a == Action::Present && self.presentation.is_some() {
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
            }
        }
        if self.show_help {
            panels::help_ui(self, &ctx);
        }
        self.triage_ui(&ctx);
        if let Some(c) = &self.comparison
            && !super::compare::compare_ui(c, &ctx)
        {
            self.comparison = None;
        }
        panels::toolbar_ui(self, ui);
        egui::Panel::bottom("status").show(ui, |ui| panels::status_ui(self, ui));
        egui::Panel::bottom("findings")
            .resizable(true)
            .default_size(280.0)
            .min_size(170.0)
            .show(ui, |ui| panels::findings_ui(self, ui));
        if self.settings.show_layers {
            egui::Panel::left("layers")
                .resizable(true)
                .default_size(300.0)
                .show(ui, |ui| panels::layers_ui(self, ui));
        }
        egui::Panel::right("details")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| panels::details_ui(self, ui));
        egui::CentralPanel::default().show(ui, |ui| {
            panels::banners_ui(self, ui);
            let Some(o) = self.shown().cloned() else {
                let text = if self.load_error.is_some() {
                    "The file could not be loaded (see above)."
                } else if self.path.is_some() || self.launch.file.is_some() {
                    if self.auditing() {
                        "Loading the model, then auditing…"
                    } else {
                        "Loading the model…"
                    }
                } else {
                    "Open an architecture file (File > Open or Ctrl+O, drop it here, or run `strata open FILE`)."
                };
                ui.centered_and_justified(|ui| ui.label(text));
                return;
            };
            let Some(geo) = self.geometry() else { return };
            let hl = self.highlight();
            let r = graph_view::graph_ui(ui, &o.report.graph, &geo, &mut self.camera, &hl);
            if let Some(id) = r.clicked {
                self.selected_node = Some(id);
                self.selected_finding = None;
            } else if r.clicked_background {
                self.selected_node = None;
            }
        });
    }

    fn presentation_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let step = self.presentation.unwrap_or(0);
        let (next, prev, exit) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowRight) || i.key_pressed(egui::Key::Space),
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::Escape),
            )
        });
        if exit {
            self.presentation = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
            return;
        }
        let step = if next {
            (step + 1).min(Layer::ALL.len() - 1)
        } else if prev {
            step.saturating_sub(1)
        } else {
            step
        };
        self.presentation = Some(step);
        let layer = Layer::ALL[step];
        let Some(o) = self.shown().cloned() else { return };
        let Some(geo) = self.geometry() else { return };
        egui::CentralPanel::default().show(ui, |ui| {
            let ls = o.report.score.layers.iter().find(|l| l.layer == layer);
            ui.horizontal(|ui| {
                ui.heading(
                    egui::RichText::new(format!("{}/{}  {}", step + 1, Layer::ALL.len(), layer.title()))
                        .size(34.0)
                        .strong(),
                );
                ui.add_space(24.0);
                if let Some(ls) = ls {
                    let score = ls.score.map(|s| format!("{s}/100")).unwrap_or_else(|| "—".into());
                    ui.label(egui::RichText::new(format!("score {score} · {}", ls.proven)).size(26.0));
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(
                        egui::RichText::new(format!(
                            "Grade {} · {}/100",
                            o.report.score.grade, o.report.score.overall
                        ))
                        .size(34.0)
                        .strong(),
                    );
                    if !self.whatif.is_empty() {
                        ui.label(
                            egui::RichText::new("HYPOTHETICAL")
                                .size(22.0)
                                .color(egui::Color32::from_rgb(255, 140, 0)),
                        );
                    }
                });
            });
            ui.label(egui::RichText::new(layer.question()).size(24.0).italics());
            if let Some(ls) = ls {
                ui.label(
                    egui::RichText::new(format!(
                        "{} passed · {} failed · {} unverified · {} errors    (Left/Right to step, Esc to leave)",
                        ls.pass, ls.fail, ls.unverified, ls.error
                    ))
                    .size(18.0),
                );
            }
            ui.separator();
            let slide = slide(&o.report, layer);
            let hl = Highlight {
                text_scale: 1.25,
                dim_others: !slide.emphasised.is_empty(),
                bypassed: self.whatif.bypassed.clone(),
                selected: self
                    .selected_finding
                    .as_ref()
                    .and_then(|id| o.report.findings.iter().find(|f| &f.id == id))
                    .and_then(|f| f.node.clone()),
                emphasised: slide.emphasised.clone(),
            };
            egui::Panel::right("slide-findings")
                .resizable(true)
                .default_size(420.0)
                .show(ui, |ui| {
                    self.slide_findings_ui(ui, &slide.failing);
                });
            graph_view::graph_ui(ui, &o.report.graph, &geo, &mut self.camera, &hl);
        });
    }
}

/// Every control a what-if can switch off, in menu order.
pub const CONTROLS: [crate::model::Control; 12] = crate::model::Control::ALL;

/// Whether a finding matches the findings filter's text (already lower
/// case): its id, rule id, title, message, subject, or its layer's name or
/// title, case-insensitively. Empty text matches everything.
pub fn finding_matches(f: &Finding, text: &str) -> bool {
    text.is_empty()
        || [
            f.id.as_str(),
            f.rule.as_str(),
            f.title.as_str(),
            f.message.as_str(),
            f.subject.as_str(),
            f.layer.name(),
            f.layer.title(),
        ]
        .iter()
        .any(|s| s.to_lowercase().contains(text))
}

/// The findings listed for a node: the open ones (every status but pass
/// and not-applicable), in report order, and how many passed.
pub fn node_findings<'a>(o: &'a Outcome, node: &str) -> (Vec<&'a Finding>, usize) {
    let mine = o
        .report
        .findings
        .iter()
        .filter(|f| f.node.as_deref() == Some(node) && f.status != Status::NotApplicable);
    let (passed, open): (Vec<&Finding>, Vec<&Finding>) = mine.partition(|f| f.status == Status::Pass);
    (open, passed.len())
}

/// Why switching `control` off everywhere would change nothing in `model`
/// (no flow, component, endpoint or pin set declares it), or `None` when
/// the switch has something to take away.
pub fn control_unused(model: &Model, control: crate::model::Control) -> Option<String> {
    use crate::model::{Control, Scheme};
    let on_flows = model.arch.flows.iter().any(|f| f.controls.contains(&control));
    let on_components = model.arch.components.iter().any(|c| c.enforces.contains(&control));
    let declared = on_flows
        || on_components
        || match control {
            Control::Tls => model.endpoints.iter().any(|e| e.scheme == Scheme::Https),
            Control::Pinning => !model.pin_sets.is_empty(),
            _ => false,
        };
    if declared {
        None
    } else {
        Some(format!(
            "no flow, component or endpoint of this model declares {}, so there is nothing to switch off",
            control.name()
        ))
    }
}

/// What a presentation slide shows of one layer.
#[derive(Debug, Clone, Default)]
pub struct Slide<'a> {
    /// The layer's failing findings (fail, error), worst first.
    pub failing: Vec<&'a Finding>,
    /// Nodes drawn at full strength: those of the layer's findings, and
    /// every node of an unauthenticated path to a node that fails here
    /// (the bypass is the point of the slide, not a detail to dim).
    pub emphasised: std::collections::BTreeSet<String>,
}

/// The slide of `layer` in a report.
pub fn slide(report: &crate::report::Report, layer: Layer) -> Slide<'_> {
    let mut out = Slide::default();
    for f in report
        .findings
        .iter()
        .filter(|f| f.layer == layer && f.status != Status::NotApplicable)
    {
        if let Some(n) = &f.node {
            out.emphasised.insert(n.clone());
            if matches!(f.status, Status::Fail | Status::Error) {
                for p in report
                    .graph
                    .attack_paths
                    .iter()
                    .filter(|p| !p.authenticated && &p.target == n)
                {
                    out.emphasised.extend(p.nodes.iter().cloned());
                }
            }
        }
        if matches!(f.status, Status::Fail | Status::Error) {
            out.failing.push(f);
        }
    }
    out.failing
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    out
}

/// What the app says when an audit is cancelled: the previous complete
/// audit stays on screen, or there is none yet.
pub fn cancelled_note(why: &str, kept_previous: bool) -> String {
    if kept_previous {
        format!("{why}; the previous complete audit is still shown")
    } else {
        format!("{why}; live checks stay unverified until an audit completes")
    }
}

/// `path` made absolute against the current directory, with `.` and `..`
/// removed, without touching the disk (the GUI thread never waits on a
/// file system); the worker answers with the canonical path.
pub fn absolute_path(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl StrataApp {
    /// The slide's list of failing findings; the selected one shows its
    /// message, evidence and remediation.
    fn slide_findings_ui(&mut self, ui: &mut egui::Ui, failing: &[&Finding]) {
        ui.heading(egui::RichText::new(format!("{} failing finding(s)", failing.len())).size(24.0));
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            if failing.is_empty() {
                ui.label(egui::RichText::new("Nothing fails on this layer.").size(18.0).italics());
            }
            for f in failing {
                let selected = self.selected_finding.as_deref() == Some(f.id.as_str());
                let text = egui::RichText::new(format!(
                    "{} · {} — {} ({})",
                    f.status.name().to_uppercase(),
                    f.severity.name(),
                    f.title,
                    f.subject
                ))
                .size(18.0)
                .color(graph_view::status_accent(f.status));
                if ui.selectable_label(selected, text).clicked() {
                    self.selected_finding = if selected { None } else { Some(f.id.clone()) };
                }
                if selected {
                    ui.label(egui::RichText::new(&f.message).size(17.0));
                    let facts = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
                    ui.label(egui::RichText::new(facts).monospace().size(14.0));
                    ui.label(egui::RichText::new(format!("Remediation: {}", f.remediation)).size(16.0));
                }
                ui.add_space(6.0);
            }
        });
    }
}

impl eframe::App for StrataApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn model(name: &str) -> Arc<Model> {
        let yaml = format!(
            "strata: 1\nsystem: {{ name: {name} }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\n"
        );
        Arc::new(crate::model::load_str(&yaml, std::path::Path::new("t.yaml")).expect("model"))
    }

    fn outcome(m: &Model) -> Arc<Outcome> {
        let rules = Ruleset::builtin().expect("rules");
        Arc::new(crate::pipeline::audit_with(m, &rules, Evidence::default()))
    }

    fn app() -> StrataApp {
        StrataApp::headless(LaunchOptions::default(), Settings::default())
    }

    /// Opens `path` and answers the load with a model named `name`.
    fn open_loaded(app: &mut StrataApp, path: &str, name: &str) -> Arc<Model> {
        app.open(PathBuf::from(path));
        let m = model(name);
        app.apply(Event::Loaded {
            generation: app.load_generation,
            path: app.path.clone().expect("path"),
            result: Ok((m.clone(), outcome(&m))),
        });
        m
    }

    fn shown_name(app: &StrataApp) -> Option<String> {
        app.shown().map(|o| o.report.system.name.clone())
    }

    #[test]
    fn the_audit_of_a_file_no_longer_open_is_dropped() {
        let mut app = app();
        let a = open_loaded(&mut app, "/nonexistent/a.yaml", "Alpha");
        app.run_audit();
        let audit_of_a = app.audit_generation;
        assert!(
            app.take_commands()
                .iter()
                .any(|c| matches!(c, Command::Audit { generation, .. } if *generation == audit_of_a))
        );
        open_loaded(&mut app, "/nonexistent/b.yaml", "Beta");
        assert!(app.progress.is_none(), "opening another file cancels the running audit");
        let sent = app.take_commands();
        let cancel = sent.iter().position(|c| matches!(c, Command::Cancel));
        let load = sent.iter().position(|c| matches!(c, Command::Load { .. }));
        assert!(cancel.is_some() && cancel < load, "cancel, then load: {sent:?}");
        let note = app.audit_note.clone().unwrap_or_default();
        assert!(
            note.contains("a file was opened") && !note.contains("previous complete audit"),
            "{note}"
        );
        // A's audit ends after B is open: it must not show under B's name.
        app.apply(Event::Audited {
            generation: audit_of_a,
            outcome: outcome(&a),
            cancelled: false,
        });
        assert!(app.audited.is_none());
        assert_eq!(shown_name(&app).as_deref(), Some("Beta"));
        // And its late progress is ignored too.
        app.apply(Event::Progress(audit_of_a, ProgressEvent::Planned { total: 3 }));
        assert!(app.progress.is_none());
    }

    #[test]
    fn while_another_file_loads_nothing_of_the_previous_one_shows() {
        let mut app = app();
        open_loaded(&mut app, "/nonexistent/a.yaml", "Alpha");
        assert_eq!(shown_name(&app).as_deref(), Some("Alpha"));
        app.open(PathBuf::from("/nonexistent/b.yaml"));
        assert!(app.shown().is_none() && app.model.is_none());
    }

    #[test]
    fn an_older_load_answer_is_dropped() {
        let mut app = app();
        app.open(PathBuf::from("/nonexistent/a.yaml"));
        let first = app.load_generation;
        app.open(PathBuf::from("/nonexistent/a.yaml"));
        let stale = model("Stale");
        app.apply(Event::Loaded {
            generation: first,
            path: app.path.clone().expect("path"),
            result: Ok((stale.clone(), outcome(&stale))),
        });
        assert!(app.model.is_none(), "the answer to the first open is stale");
    }

    #[test]
    fn a_cancelled_audit_keeps_the_previous_complete_one_and_says_so() {
        let mut app = app();
        let m = open_loaded(&mut app, "/nonexistent/a.yaml", "Alpha");
        app.run_audit();
        let good = outcome(&m);
        app.apply(Event::Audited {
            generation: app.audit_generation,
            outcome: good.clone(),
            cancelled: false,
        });
        assert!(app.audited.as_ref().is_some_and(|a| Arc::ptr_eq(a, &good)));

        // Cancelled by the worker (say, the file changed): the partial result is not shown.
        app.run_audit();
        app.apply(Event::Audited {
            generation: app.audit_generation,
            outcome: outcome(&m),
            cancelled: true,
        });
        assert!(app.audited.as_ref().is_some_and(|a| Arc::ptr_eq(a, &good)));
        assert!(app.progress.is_none());
        let note = app.audit_note.clone().unwrap_or_default();
        assert!(
            note.contains("cancelled") && note.contains("previous complete audit"),
            "{note}"
        );

        // Cancelled by the user: whatever the audit still sends is stale.
        app.run_audit();
        let running = app.audit_generation;
        assert!(app.audit_note.is_none());
        app.cancel_audit();
        assert!(app.progress.is_none());
        assert!(app.audit_note.as_deref().is_some_and(|n| n.contains("cancelled")));
        app.apply(Event::Audited {
            generation: running,
            outcome: outcome(&m),
            cancelled: false,
        });
        assert!(app.audited.as_ref().is_some_and(|a| Arc::ptr_eq(a, &good)));
    }

    #[test]
    fn a_reload_during_an_audit_cancels_it() {
        let mut app = app();
        let m = open_loaded(&mut app, "/nonexistent/a.yaml", "Alpha");
        app.run_audit();
        let running = app.audit_generation;
        // The watcher's reload answers under the same load generation.
        app.apply(Event::Loaded {
            generation: app.load_generation,
            path: app.path.clone().expect("path"),
            result: Ok((m.clone(), outcome(&m))),
        });
        assert!(app.progress.is_none());
        assert!(app.audit_note.as_deref().is_some_and(|n| n.contains("file changed")));
        app.apply(Event::Audited {
            generation: running,
            outcome: outcome(&m),
            cancelled: false,
        });
        assert!(app.audited.is_none(), "an audit of the previous version is dropped");
    }

    #[test]
    fn while_the_first_audit_runs_the_grade_line_says_so() {
        let mut app = app();
        open_loaded(&mut app, "/nonexistent/a.yaml", "Alpha");
        assert!(app.grade_line().is_some_and(|l| l.starts_with("Grade ")));
        app.run_audit();
        assert_eq!(app.grade_line().as_deref(), Some("Auditing…"));
        // Before the file is even loaded, with `--audit`.
        let mut app = StrataApp::headless(
            LaunchOptions {
                file: Some(PathBuf::from("/nonexistent/a.yaml")),
                auto_audit: true,
                ..LaunchOptions::default()
            },
            Settings::default(),
        );
        assert!(app.auditing());
        let m = model("Alpha");
        app.apply(Event::Loaded {
            generation: app.load_generation,
            path: app.path.clone().expect("path"),
            result: Ok((m.clone(), outcome(&m))),
        });
        assert_eq!(app.grade_line().as_deref(), Some("Auditing…"));
    }

    #[test]
    fn recent_files_are_absolute() {
        let mut app = app();
        app.open(PathBuf::from("some/relative/arch.yaml"));
        let p = app.settings.recent.first().cloned().expect("recent");
        assert!(p.is_absolute(), "{}", p.display());
        assert!(p.ends_with("some/relative/arch.yaml"));
        assert_eq!(app.path.as_ref(), Some(&p));
        // `..` is resolved without the disk; the worker's canonical answer replaces it.
        let mut app2 = super::tests::app();
        app2.open(PathBuf::from("/nonexistent/x/../a.yaml"));
        assert_eq!(app2.path.as_deref(), Some(std::path::Path::new("/nonexistent/a.yaml")));
        let m = model("Alpha");
        app2.apply(Event::Loaded {
            generation: app2.load_generation,
            path: PathBuf::from("/real/a.yaml"),
            result: Ok((m.clone(), outcome(&m))),
        });
        assert_eq!(app2.path.as_deref(), Some(std::path::Path::new("/real/a.yaml")));
        assert_eq!(app2.settings.recent, vec![PathBuf::from("/real/a.yaml")]);
        // Relative entries of older versions are forgotten.
        let app = StrataApp::headless(
            LaunchOptions::default(),
            Settings {
                recent: vec![PathBuf::from("rel.yaml"), p.clone()],
                ..Settings::default()
            },
        );
        assert_eq!(app.settings.recent, vec![p]);
    }

    fn acme() -> (Arc<Model>, Arc<Outcome>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-projects/acme-pay/architecture.yaml");
        let m = Arc::new(crate::model::load(&path).expect("sample"));
        let o = outcome(&m);
        (m, o)
    }

    #[test]
    fn filtering_by_a_layer_name_finds_its_findings() {
        let (_, o) = acme();
        let pinning: Vec<&Finding> = o.report.findings.iter().filter(|f| f.layer == Layer::Pinning).collect();
        assert!(!pinning.is_empty());
        for f in &pinning {
            assert!(finding_matches(f, "pinning"), "{}", f.id);
        }
        // Case-insensitive on the rule id and title too.
        let f = pinning[0];
        assert!(finding_matches(f, &f.rule.to_uppercase().to_lowercase()));
        assert!(finding_matches(f, &f.title.to_lowercase()));
        assert!(!finding_matches(f, "no-such-thing"));
    }

    #[test]
    fn a_node_lists_as_many_findings_as_it_counts() {
        let (_, o) = acme();
        for n in &o.report.graph.nodes {
            let (open, passed) = node_findings(&o, &n.id);
            assert!(
                open.iter()
                    .all(|f| !matches!(f.status, Status::Pass | Status::NotApplicable))
            );
            let all = o
                .report
                .findings
                .iter()
                .filter(|f| f.node.as_deref() == Some(n.id.as_str()) && f.status != Status::NotApplicable)
                .count();
            assert_eq!(open.len() + passed, all, "{}", n.id);
        }
    }

    #[test]
    fn the_architecture_slide_highlights_the_bypass_and_lists_its_findings() {
        let (_, o) = acme();
        let s = slide(&o.report, Layer::Architecture);
        assert!(s.emphasised.contains("ledger"));
        assert!(
            s.emphasised.contains("admin"),
            "the admin console is the bypass: {:?}",
            s.emphasised
        );
        assert!(
            s.failing
                .iter()
                .any(|f| f.id == "graph-no-auth-bypass@component:ledger")
        );
        assert!(s.failing.iter().all(|f| f.layer == Layer::Architecture));
    }

    #[test]
    fn a_switch_that_changes_nothing_says_why() {
        let (m, _) = acme();
        assert!(control_unused(&m, crate::model::Control::Tls).is_none());
        assert!(control_unused(&m, crate::model::Control::Mtls).is_none());
        let small = model("Alpha");
        let why = control_unused(&small, crate::model::Control::Tls).expect("no tls declared");
        assert!(why.contains("nothing to switch off"), "{why}");
    }

    #[test]
    fn taking_a_component_out_keeps_it_selected() {
        let mut app = app();
        let (m, declared) = acme();
        app.open(m.source.clone());
        app.apply(Event::Loaded {
            generation: app.load_generation,
            path: app.path.clone().expect("path"),
            result: Ok((m.clone(), declared)),
        });
        app.selected_node = Some("payments".into());
        app.whatif.bypassed.insert("payments".into());
        app.whatif_changed();
        // The re-score arrives: the hypothetical graph has no payments node.
        let rules = Ruleset::builtin().expect("rules");
        let variant = Arc::new(crate::pipeline::audit_with(
            &app.whatif.apply(&m),
            &rules,
            Evidence::default(),
        ));
        assert!(variant.report.graph.nodes.iter().all(|n| n.id != "payments"));
        app.apply(Event::Rescored(app.generation, variant));
        assert!(app.hypothetical.is_some());
        app.prune_selection();
        assert_eq!(app.selected_node.as_deref(), Some("payments"));
        assert_eq!(app.selected_graph_node().map(|n| n.id).as_deref(), Some("payments"));
        // Put back, without Reset.
        app.whatif.bypassed.remove("payments");
        app.whatif_changed();
        assert!(app.whatif.is_empty());
        assert_eq!(app.selected_node.as_deref(), Some("payments"));
    }

    #[test]
    fn shortcuts_step_and_clear_the_selection() {
        let mut app = app();
        let (m, declared) = acme();
        app.open(m.source.clone());
        app.apply(Event::Loaded {
            generation: app.load_generation,
            path: app.path.clone().expect("path"),
            result: Ok((m.clone(), declared)),
        });
        let ids: Vec<String> = app.visible_findings().iter().map(|f| f.id.clone()).collect();
        assert!(ids.len() >= 2);
        app.act(Action::NextFinding);
        assert_eq!(app.selected_finding.as_ref(), Some(&ids[0]));
        app.act(Action::NextFinding);
        assert_eq!(app.selected_finding.as_ref(), Some(&ids[1]));
        app.act(Action::PreviousFinding);
        assert_eq!(app.selected_finding.as_ref(), Some(&ids[0]));
        app.selected_node = Some("payments".into());
        app.act(Action::ClearSelection);
        assert!(app.selected_finding.is_none());
        assert!(app.selected_node.is_some());
        app.act(Action::ClearSelection);
        assert!(app.selected_node.is_none());
        app.act(Action::ToggleAudit);
        assert!(app.progress.is_some());
        app.act(Action::ToggleAudit);
        assert!(app.progress.is_none());
        // Every action has a shortcut, and no two share one.
        let keys: std::collections::BTreeSet<String> = SHORTCUTS.iter().map(|(_, k, _)| format!("{k:?}")).collect();
        assert_eq!(keys.len(), SHORTCUTS.len());
    }

    #[test]
    fn a_switch_without_effect_is_disabled_with_the_reason() {
        use crate::model::Control;
        let mut app = app();
        let (m, declared) = acme();
        app.open(m.source.clone());
        app.apply(Event::Loaded {
            generation: app.load_generation,
            path: app.path.clone().expect("path"),
            result: Ok((m.clone(), declared.clone())),
        });
        let rules = Ruleset::builtin().expect("rules");
        let effects = super::super::worker::effects_of(&m, &rules, &declared.evidence, &[Control::Tls, Control::Waf]);
        assert_eq!(effects.get(&Control::Tls), Some(&true));
        assert_eq!(
            effects.get(&Control::Waf),
            Some(&false),
            "the sample's rules never read waf"
        );
        // A stale answer is ignored; the current one disables the inert switch.
        app.apply(Event::Effects(app.effects_generation + 1, effects.clone()));
        assert!(app.switch_disabled(Control::Waf).is_none());
        app.apply(Event::Effects(app.effects_generation, effects));
        assert!(app.switch_disabled(Control::Tls).is_none());
        let why = app.switch_disabled(Control::Waf).expect("disabled");
        assert!(why.contains("changes no finding"), "{why}");
        // Declared nowhere: disabled before any answer.
        assert!(app.switch_disabled(Control::Oauth).is_some());
    }
}
