//! The GUI's worker: a thread that owns the tokio runtime and does all the
//! I/O and heavy work (loading files, probing, auditing, exporting, file
//! dialogs, the lab, file watching). The UI sends [`Command`]s and drains
//! [`Event`]s each frame; every event wakes the UI with `request_repaint`.

use crate::audit::rules::Ruleset;
use crate::audit::whatif::WhatIf;
use crate::evidence::Evidence;
use crate::lab::{Lab, LabConfig, Manifest};
use crate::model::{Model, ModelErrors};
use crate::pipeline::{self, Format, Outcome};
use crate::probe::runner::{ProgressEvent, RunnerConfig};
use crate::report::Report;
use notify::Watcher;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What the UI asks for.
#[derive(Debug)]
pub enum Command {
    /// Start the demo lab (default ports, else free ports).
    StartLab,
    /// Load (and watch) an architecture file. Loading cancels the running
    /// audit: its result would belong to the previous model.
    Load {
        /// The file.
        path: PathBuf,
        /// Echoed back in [`Event::Loaded`] (and by the file watcher's
        /// reloads), so the answer to an older open is dropped.
        generation: u64,
    },
    /// Probe and audit a model.
    Audit {
        /// The model.
        model: Arc<Model>,
        /// Echoed back in [`Event::Progress`] and [`Event::Audited`].
        generation: u64,
    },
    /// Cancel the running audit.
    Cancel,
    /// Write a triage decision into the model's `triage.yaml`.
    SaveTriage {
        /// The triage file.
        path: PathBuf,
        /// The decision.
        decision: crate::triage::edit::Decision,
    },
    /// Re-audit a hypothetical variant with existing evidence (no probing).
    Rescore {
        /// The declared model.
        model: Arc<Model>,
        /// Evidence of the last audit.
        evidence: Arc<Evidence>,
        /// The changes.
        whatif: WhatIf,
        /// Echoed back, so stale results can be dropped.
        generation: u64,
    },
    /// Find which "switched off everywhere" what-ifs would change the
    /// findings of `model` with `evidence` (a switch that changes nothing
    /// is disabled in the app, with the reason).
    Effects {
        /// The declared model.
        model: Arc<Model>,
        /// Evidence of the outcome on screen.
        evidence: Arc<Evidence>,
        /// The switches to try.
        controls: Vec<crate::model::Control>,
        /// Echoed back in [`Event::Effects`].
        generation: u64,
    },
    /// Write a report into a folder, under the model's report name
    /// (refused when that name belongs to another model's report there).
    Export {
        /// The report.
        report: Arc<Report>,
        /// Its format.
        format: Format,
        /// Destination folder.
        dir: PathBuf,
        /// Report name before `.strata.<ext>` ([`pipeline::report_stem`]).
        stem: String,
        /// The model file the report was made from.
        model: PathBuf,
    },
    /// Show a native open dialog.
    PickOpen,
    /// Compare the report on screen with an earlier JSON report: `path`,
    /// or the one a native open dialog picks.
    Compare {
        /// The baseline, or none to ask with a dialog.
        path: Option<PathBuf>,
        /// The report on screen.
        current: Arc<Report>,
    },
    /// Show a native save dialog, then export there.
    PickExport {
        /// The report.
        report: Arc<Report>,
        /// Its format.
        format: Format,
        /// Suggested file name.
        suggested: String,
    },
}

/// What the worker reports.
#[derive(Debug)]
pub enum Event {
    /// The lab listens.
    LabReady(Manifest),
    /// The lab could not start.
    LabFailed(String),
    /// A model was loaded (or failed to load) from this path, with its
    /// declared-only audit (no evidence yet).
    Loaded {
        /// The load request's generation.
        generation: u64,
        /// The file.
        path: PathBuf,
        /// The model and its declared-only audit, or the file's errors.
        result: Result<(Arc<Model>, Arc<Outcome>), ModelErrors>,
    },
    /// Probe progress of the audit of this generation.
    Progress(u64, ProgressEvent),
    /// An audit ended.
    Audited {
        /// The audit request's generation.
        generation: u64,
        /// What was found (partial when cancelled).
        outcome: Arc<Outcome>,
        /// The audit was cancelled before every probe finished.
        cancelled: bool,
    },
    /// For each tried control: whether switching it off everywhere changes
    /// any finding or score.
    Effects(u64, std::collections::BTreeMap<crate::model::Control, bool>),
    /// The user chose a file in the open dialog (the app opens it, so that
    /// it gets a generation and a place in *Open recent*).
    Picked(PathBuf),
    /// A re-score (hypothetical or of a reloaded model) finished.
    Rescored(u64, Arc<Outcome>),
    /// A report was written (or not).
    Exported(Result<PathBuf, String>),
    /// A triage decision was written (or not).
    TriageSaved(Result<PathBuf, String>),
    /// A comparison with a baseline report (or why there is none).
    Compared(Result<(PathBuf, Box<crate::report::diff::Diff>), String>),
    /// Something failed that the user should see.
    Error(String),
}

/// The UI's handle on the worker.
pub struct Worker {
    tx: mpsc::UnboundedSender<Command>,
    rx: std_mpsc::Receiver<Event>,
}

impl Worker {
    /// Starts the worker thread. `repaint` is called after every event.
    pub fn spawn(rules: Arc<Ruleset>, repaint: impl Fn() + Send + Sync + 'static) -> Result<Worker, String> {
        let (tx, cmd_rx) = mpsc::unbounded_channel();
        let (ev_tx, rx) = std_mpsc::channel();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("strata-worker")
            .build()
            .map_err(|e| format!("cannot start the worker runtime: {e}"))?;
        let self_tx = tx.clone();
        std::thread::Builder::new()
            .name("strata-worker".into())
            .spawn(move || {
                let emit: Emit = Arc::new(move |e| {
                    let _ = ev_tx.send(e);
                    repaint();
                });
                runtime.block_on(run(cmd_rx, self_tx, emit, rules));
            })
            .map_err(|e| format!("cannot start the worker thread: {e}"))?;
        Ok(Worker { tx, rx })
    }

    /// Sends a command (never blocks).
    pub fn send(&self, c: Command) {
        let _ = self.tx.send(c);
    }

    /// Every event that arrived since the last call (never blocks).
    pub fn drain(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }
}

type Emit = Arc<dyn Fn(Event) + Send + Sync>;

struct State {
    lab: Option<Lab>,
    watcher: Option<notify::RecommendedWatcher>,
    cancel: Option<CancellationToken>,
}

async fn run(
    mut rx: mpsc::UnboundedReceiver<Command>,
    self_tx: mpsc::UnboundedSender<Command>,
    emit: Emit,
    rules: Arc<Ruleset>,
) {
    let mut st = State {
        lab: None,
        watcher: None,
        cancel: None,
    };
    while let Some(cmd) = rx.recv().await {
        match cmd {
            Command::StartLab => {
                if st.lab.is_some() {
                    continue;
                }
                let started = match Lab::start(&LabConfig::default()).await {
                    Ok(l) => Ok(l),
                    // Default ports busy (maybe `strata lab` is running): use free ones.
                    Err(_) => {
                        Lab::start(&LabConfig {
                            base_port: 0,
                            ..LabConfig::default()
                        })
                        .await
                    }
                };
                match started {
                    Ok(lab) => {
                        emit(Event::LabReady(lab.manifest.clone()));
                        st.lab = Some(lab);
                    }
                    Err(e) => emit(Event::LabFailed(e)),
                }
            }
            Command::Load { path, generation } => {
                // The running audit probes the previous model: stop it.
                if let Some(c) = st.cancel.take() {
                    c.cancel();
                }
                // Answer with the canonical path (kept in *Open recent*).
                let asked = path.clone();
                let path = tokio::task::spawn_blocking(move || std::fs::canonicalize(asked))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or(path);
                let manifest = st.lab.as_ref().map(|l| l.manifest.clone());
                let (p, rules) = (path.clone(), rules.clone());
                let result = tokio::task::spawn_blocking(move || {
                    let model = load(&p, manifest.as_ref())?;
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    let declared = pipeline::audit_with(
                        &model,
                        &rules,
                        Evidence {
                            observed_at: now,
                            ..Evidence::default()
                        },
                    );
                    Ok((Arc::new(model), Arc::new(declared)))
                })
                .await
                .unwrap_or_else(|e| {
                    Err(ModelErrors(vec![crate::model::ModelError::whole_file(
                        &path,
                        e.to_string(),
                    )]))
                });
                let ok = result.is_ok();
                emit(Event::Loaded {
                    generation,
                    path: path.clone(),
                    result,
                });
                if ok {
                    st.watcher = watch(&path, generation, self_tx.clone());
                }
            }
            Command::Audit { model, generation } => {
                if let Some(c) = st.cancel.take() {
                    c.cancel();
                }
                let cancel = CancellationToken::new();
                st.cancel = Some(cancel.clone());
                let (ptx, mut prx) = mpsc::unbounded_channel();
                let e2 = emit.clone();
                tokio::spawn(async move {
                    while let Some(p) = prx.recv().await {
                        e2(Event::Progress(generation, p));
                    }
                });
                let (emit, rules) = (emit.clone(), rules.clone());
                tokio::spawn(async move {
                    let outcome =
                        pipeline::probe_and_audit(&model, &rules, &RunnerConfig::default(), cancel.clone(), Some(ptx))
                            .await;
                    emit(Event::Audited {
                        generation,
                        outcome: Arc::new(outcome),
                        cancelled: cancel.is_cancelled(),
                    });
                });
            }
            Command::Cancel => {
                if let Some(c) = st.cancel.take() {
                    c.cancel();
                }
            }
            Command::SaveTriage { path, decision } => {
                let emit = emit.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::triage::edit::upsert(&path, &decision)
                        .map(|()| path.clone())
                        .map_err(|e| e.to_string());
                    emit(Event::TriageSaved(result));
                });
            }
            Command::Rescore {
                model,
                evidence,
                whatif,
                generation,
            } => {
                let (emit, rules) = (emit.clone(), rules.clone());
                tokio::task::spawn_blocking(move || {
                    let variant = whatif.apply(&model);
                    let outcome = pipeline::audit_with(&variant, &rules, (*evidence).clone());
                    emit(Event::Rescored(generation, Arc::new(outcome)));
                });
            }
            Command::Effects {
                model,
                evidence,
                controls,
                generation,
            } => {
                let (emit, rules) = (emit.clone(), rules.clone());
                tokio::task::spawn_blocking(move || {
                    let effects = effects_of(&model, &rules, &evidence, &controls);
                    emit(Event::Effects(generation, effects));
                });
            }
            Command::Export {
                report,
                format,
                dir,
                stem,
                model,
            } => {
                let emit = emit.clone();
                tokio::task::spawn_blocking(move || {
                    let written = pipeline::write_reports(&report, &[format], &dir, &stem, &model)
                        .map_err(|e| e.to_string())
                        .and_then(|w| w.into_iter().next().ok_or_else(|| "nothing written".to_string()));
                    emit(Event::Exported(written));
                });
            }
            Command::Compare { path, current } => {
                let emit = emit.clone();
                tokio::spawn(async move {
                    let path = match path {
                        Some(p) => Some(p),
                        None => rfd::AsyncFileDialog::new()
                            .set_title("Compare with a baseline report")
                            .add_filter("Strata JSON report", &["json"])
                            .pick_file()
                            .await
                            .map(|f| f.path().to_path_buf()),
                    };
                    let Some(path) = path else {
                        emit(Event::Compared(Err("no baseline chosen".into())));
                        return;
                    };
                    let result =
                        tokio::task::spawn_blocking(move || compare(&path, &current).map(|d| (path, Box::new(d))))
                            .await
                            .unwrap_or_else(|e| Err(e.to_string()));
                    emit(Event::Compared(result));
                });
            }
            Command::PickOpen => {
                let emit = emit.clone();
                tokio::spawn(async move {
                    let picked = rfd::AsyncFileDialog::new()
                        .set_title("Open architecture file")
                        .add_filter("Strata architecture", &["yaml", "yml"])
                        .pick_file()
                        .await;
                    match picked {
                        Some(f) => {
                            emit(Event::Picked(f.path().to_path_buf()));
                        }
                        None => emit(Event::Error("no file chosen (a desktop portal is needed for dialogs; you can also drop a file on the window or run `strata open FILE`)".into())),
                    }
                });
            }
            Command::PickExport {
                report,
                format,
                suggested,
            } => {
                let emit = emit.clone();
                tokio::spawn(async move {
                    let picked = rfd::AsyncFileDialog::new()
                        .set_title("Export report")
                        .set_file_name(suggested)
                        .add_filter(format.extension(), &[format.extension()])
                        .save_file()
                        .await;
                    match picked {
                        Some(f) => {
                            let path = f.path().to_path_buf();
                            let r = tokio::task::spawn_blocking(move || export(&report, format, &path))
                                .await
                                .unwrap_or_else(|e| Err(e.to_string()));
                            emit(Event::Exported(r));
                        }
                        None => emit(Event::Error(
                            "export cancelled (no save dialog available? use the path field)".into(),
                        )),
                    }
                });
            }
        }
    }
}

/// For each control: whether switching it off everywhere changes the
/// audit of `model` with `evidence` ([`changes_anything`]).
pub fn effects_of(
    model: &Model,
    rules: &Ruleset,
    evidence: &Evidence,
    controls: &[crate::model::Control],
) -> std::collections::BTreeMap<crate::model::Control, bool> {
    let base = pipeline::audit_with(model, rules, evidence.clone());
    controls
        .iter()
        .map(|&c| {
            let w = WhatIf {
                controls_off: [c].into(),
                ..WhatIf::default()
            };
            let variant = pipeline::audit_with(&w.apply(model), rules, evidence.clone());
            (c, changes_anything(&base, &variant))
        })
        .collect()
}

/// Whether a variant's audit differs from the base's: another score, or a
/// finding that appears, disappears or changes status.
pub fn changes_anything(base: &Outcome, variant: &Outcome) -> bool {
    let statuses = |o: &Outcome| -> Vec<(String, crate::audit::Status)> {
        o.report.findings.iter().map(|f| (f.id.clone(), f.status)).collect()
    };
    base.report.score != variant.report.score || statuses(base) != statuses(variant)
}

/// Reads, rebases onto the running lab's ports, and validates a model.
fn load(path: &std::path::Path, manifest: Option<&Manifest>) -> Result<Model, ModelErrors> {
    let (text, _) = crate::model::load::read_file(path)?;
    let text = match manifest {
        Some(m) => m.rebase(&text),
        None => text,
    };
    crate::model::load_str(&text, path)
}

/// Writes a report to a file the user picked (the save dialog has asked
/// before replacing anything).
fn export(report: &Report, format: Format, path: &std::path::Path) -> Result<PathBuf, String> {
    pipeline::export(report, format, path).map_err(|e| e.to_string())?;
    Ok(path.to_path_buf())
}

/// Reads the baseline report and compares it with `current`.
fn compare(path: &std::path::Path, current: &Report) -> Result<crate::report::diff::Diff, String> {
    use crate::report::diff;
    let old = diff::read_report(path).map_err(|e| e.to_string())?;
    let json = serde_json::to_string(current).map_err(|e| e.to_string())?;
    let new = diff::parse_report(&json)?;
    diff::check_comparable(&old, &new).map_err(|e| e.to_string())?;
    Ok(diff::compare(&old, &new))
}

/// Watches the file's directory (editors replace files on save) and asks
/// for a reload when the file or its `triage.yaml` changes, under the generation of the load
/// that made the watcher (a reload of a file no longer open is dropped).
fn watch(
    path: &std::path::Path,
    generation: u64,
    tx: mpsc::UnboundedSender<Command>,
) -> Option<notify::RecommendedWatcher> {
    let target = path.to_path_buf();
    let name = target.file_name()?.to_os_string();
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut w = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        // The model, or the triage decisions beside it.
        let relevant = matches!(ev.kind, notify::EventKind::Modify(_) | notify::EventKind::Create(_))
            && ev.paths.iter().any(|p| {
                p.file_name() == Some(name.as_os_str())
                    || p.file_name() == Some(std::ffi::OsStr::new(crate::triage::FILE_NAME))
            });
        if relevant {
            let _ = tx.send(Command::Load {
                path: target.clone(),
                generation,
            });
        }
    })
    .ok()?;
    w.watch(&dir, notify::RecursiveMode::NonRecursive).ok()?;
    Some(w)
}
