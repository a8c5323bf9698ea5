//! The desktop app (eframe/egui): open a model, run the audit, explore the
//! defense-in-depth graph, try what-ifs, present, export.
//!
//! The UI thread only draws and reacts: every file, network or heavy
//! operation goes to the [`worker`] thread, which answers with events and
//! wakes the UI with `request_repaint`.

pub mod app;
pub mod compare;
pub mod graph_view;
pub mod panels;
pub mod triage;
pub mod worker;

pub use app::{LaunchOptions, StrataApp};

/// Opens the main window and runs until it is closed. A window that cannot
/// open (no display, a missing system library, no OpenGL) ends in a message
/// saying what to install ([`explain_startup_error`]), never in a panic.
pub fn run(options: LaunchOptions) -> Result<(), String> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Strata — defense-in-depth auditor")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    // winit and the GL loaders panic when a library is missing: say so
    // plainly instead (any other panic is reported as usual).
    let previous: std::sync::Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> =
        std::sync::Arc::from(std::panic::take_hook());
    let quiet = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        if missing_system_part(&panic_text(info.payload())).is_none() {
            quiet(info);
        }
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        eframe::run_native(
            "Strata",
            native,
            Box::new(move |cc| Ok(Box::new(StrataApp::new(cc, options)))),
        )
    }));
    std::panic::set_hook(Box::new(move |info| previous(info)));
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(explain_startup_error(&e.to_string())),
        Err(payload) => Err(explain_startup_error(&panic_text(payload.as_ref()))),
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// What is missing for a window, by the words of the error, and what
/// provides it.
fn missing_system_part(detail: &str) -> Option<&'static str> {
    let d = detail.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| d.contains(w));
    if has(&["xkbcommon-x11"]) {
        Some(
            "the X11 keyboard library libxkbcommon-x11 (Debian/Ubuntu: apt-get install libxkbcommon-x11-0; Fedora: dnf install libxkbcommon-x11)",
        )
    } else if has(&["xkbcommon"]) {
        Some(
            "the keyboard library libxkbcommon (Debian/Ubuntu: apt-get install libxkbcommon0; Fedora: dnf install libxkbcommon)",
        )
    } else if has(&[
        "wayland_display",
        "display is set",
        "xopendisplay",
        "failed to open display",
        "no display",
        "cannot open display",
    ]) {
        Some(
            "a display: run it in a desktop session, or set DISPLAY (for instance under Xvfb); `strata audit` and `strata demo` need no window",
        )
    } else if has(&[
        "libx11",
        "libxcursor",
        "libxrandr",
        "libxi.so",
        "libxext",
        "x11 library",
    ]) {
        Some(
            "the X11 client libraries (Debian/Ubuntu: apt-get install libx11-6 libxcursor1 libxrandr2 libxi6; Fedora: dnf install libX11 libXcursor libXrandr libXi)",
        )
    } else if has(&["libwayland"]) {
        Some(
            "the Wayland client library (Debian/Ubuntu: apt-get install libwayland-client0; Fedora: dnf install libwayland-client)",
        )
    } else if has(&[
        "libgl",
        "libegl",
        "egl",
        "glx",
        "opengl",
        "glutin",
        "gl context",
        "surface",
        "adapter",
        "wgpu",
        "glow",
    ]) {
        Some(
            "OpenGL 2 or newer (Debian/Ubuntu: apt-get install libgl1 libegl1 libgl1-mesa-dri; Fedora: dnf install mesa-libGL mesa-libEGL mesa-dri-drivers; without a GPU, LIBGL_ALWAYS_SOFTWARE=1 uses Mesa's software renderer)",
        )
    } else {
        None
    }
}

/// The message for a window that could not open: what to install when the
/// cause is known, and the library's own words (when it said any) after it.
pub fn explain_startup_error(detail: &str) -> String {
    let detail = detail.trim();
    // Some errors print an empty `{}` for their cause: it says nothing.
    let said = !detail.is_empty() && !detail.ends_with("{}");
    match (missing_system_part(detail), said) {
        (Some(what), true) => format!("cannot open the window: it needs {what}.\n(the error was: {detail})"),
        (Some(what), false) => format!("cannot open the window: it needs {what}."),
        (None, true) => format!("cannot open the window: {detail}"),
        (None, false) => "cannot open the window, and the windowing library gave no reason; check that a display and OpenGL 2 (Mesa) are available. `strata audit` and `strata demo` need no window".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::explain_startup_error;

    #[test]
    fn startup_errors_say_what_to_install() {
        let no_display = explain_startup_error(
            "winit EventLoopError: os error at winit-0.30.13/src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor DISPLAY is set.",
        );
        assert!(
            no_display.contains("needs a display") && no_display.contains("DISPLAY is set"),
            "{no_display}"
        );
        let xkb = explain_startup_error("Failed to load libxkbcommon-x11.so.0: cannot open shared object file");
        assert!(xkb.contains("apt-get install libxkbcommon-x11-0"), "{xkb}");
        let surface = explain_startup_error("Failed to create surface {}");
        assert!(surface.contains("OpenGL") && surface.contains("libgl1"), "{surface}");
        assert!(!surface.contains("{}"), "an empty cause is not shown: {surface}");
        let glutin = explain_startup_error("Glutin error: NoGlutinConfigs");
        assert!(glutin.contains("libegl1"), "{glutin}");
        let other = explain_startup_error("something else");
        assert_eq!(other, "cannot open the window: something else");
        assert!(explain_startup_error("").contains("gave no reason"));
    }
}
