//! The desktop app (eframe/egui): open a model, run the audit, explore the
//! defense-in-depth graph, try what-ifs, present, export.
//!
//! The UI thread only draws and reacts: every file, network or heavy
//! operation goes to the [`worker`] thread, which answers with events and
//! wakes the UI with `request_repaint`.

pub mod app;
pub mod graph_view;
pub mod panels;
pub mod worker;

pub use app::{LaunchOptions, StrataApp};

/// Opens the main window and runs until it is closed.
pub fn run(options: LaunchOptions) -> Result<(), String> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Strata — defense-in-depth auditor")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Strata",
        native,
        Box::new(move |cc| Ok(Box::new(StrataApp::new(cc, options)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
