//! No subcommand: the window, on the given folders or the bundled `sample_runs/`.

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_app::persist::{self, Persisted};
use unisandbox_app::samples::default_paths;
use unisandbox_app::{InspectorApp, StartOptions, View};

use super::Context;

pub fn run(ctx: &Context, paths: Vec<PathBuf>) -> anyhow::Result<ExitCode> {
    let paths = if paths.is_empty() {
        default_paths()
    } else {
        paths
    };
    // Nothing to open (an installed binary without the samples): the Start page.
    let view = if paths.is_empty() {
        View::Start
    } else {
        View::Items
    };
    let outcome = open_window(
        StartOptions {
            paths,
            view,
            screenshot: None,
            annotations: ctx.annotations_path.clone(),
            benchmark: ctx.benchmark.clone(),
            restore: None,
            live_reload: true,
            pair_slide: false,
            theme: None,
            thumbnail_store: unisandbox_app::thumbnail_store::ThumbnailStore::default_path(),
            background_filter_from: None,
            remote_poll_every: None,
        },
        [1440.0, 900.0],
    )?;
    Ok(match outcome {
        WindowOutcome::Closed => ExitCode::SUCCESS,
        WindowOutcome::Exit(code) => code,
    })
}

/// How `open_window` ended.
pub enum WindowOutcome {
    /// The window ran in this process and was closed.
    Closed,
    /// Nothing ran here: no display, a renderer that could not start (said on stderr), or the
    /// window ran in a child process with the other renderer; exit with this code.
    Exit(ExitCode),
}

/// The window's icon (assets/icons, drawn from assets/icon.svg).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/256.png");

/// Opens the window. An interactive window restores the last session (eframe storage); a
/// screenshot window starts from defaults and keeps its eframe state in a scratch folder, so it
/// neither depends on nor changes the user's.
///
/// Without a display it says what to do instead (exit 2). The window is drawn with wgpu; when
/// wgpu cannot start, the same command runs again with OpenGL (glow) in a child process — winit
/// allows one event loop per process — and only when both fail is the error explained.
pub fn open_window(options: StartOptions, size: [f32; 2]) -> anyhow::Result<WindowOutcome> {
    use unisandbox_app::display;
    if display::missing_display(|name| std::env::var(name).ok()) {
        eprintln!("{}", display::NO_DISPLAY);
        return Ok(WindowOutcome::Exit(ExitCode::from(2)));
    }
    let forced = std::env::var(display::RENDERER_VAR).ok();
    let renderer = match forced.as_deref() {
        Some("glow") => eframe::Renderer::Glow,
        _ => eframe::Renderer::Wgpu,
    };
    let Err(error) = run_window(options, size, renderer) else {
        return Ok(WindowOutcome::Closed);
    };
    if forced.is_none() && display::is_renderer_failure(&error) {
        eprintln!("note: the wgpu renderer could not start; trying OpenGL");
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(std::env::args_os().skip(1))
            .env(display::RENDERER_VAR, "glow")
            .status()?;
        let code = status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1);
        return Ok(WindowOutcome::Exit(ExitCode::from(code)));
    }
    eprintln!("{}", display::explain_window_error(&error));
    Ok(WindowOutcome::Exit(ExitCode::from(2)))
}

/// One try at the window with one renderer; the error as eframe words it.
fn run_window(
    mut options: StartOptions,
    size: [f32; 2],
    renderer: eframe::Renderer,
) -> Result<(), String> {
    let screenshot = options.screenshot.is_some();
    let scratch = screenshot.then(|| {
        std::env::temp_dir().join(format!(
            "unisandbox-inspector-screenshot-{}",
            std::process::id()
        ))
    });
    let mut viewport = egui::ViewportBuilder::default()
        .with_inner_size(size)
        .with_min_inner_size([800.0, 500.0])
        .with_title("UniSandbox Inspector")
        .with_app_id(unisandbox_app::APP_ID)
        .with_drag_and_drop(true);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        renderer,
        persist_window: !screenshot,
        persistence_path: scratch.clone(),
        ..Default::default()
    };
    let result = eframe::run_native(
        "UniSandbox Inspector",
        native,
        Box::new(move |cc| {
            if !screenshot
                && let Some(restored) = cc.storage.and_then(|storage| {
                    eframe::get_value::<Persisted>(storage, persist::STORAGE_KEY)
                })
            {
                options.view = restored.view;
                options.restore = Some(restored);
            }
            Ok(Box::new(InspectorApp::new(&cc.egui_ctx, options)))
        }),
    )
    .map_err(|err| err.to_string());
    if let Some(scratch) = scratch {
        let _ = std::fs::remove_dir_all(scratch);
    }
    result
}
