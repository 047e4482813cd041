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
    open_window(
        StartOptions {
            paths,
            view: View::Items,
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
    Ok(ExitCode::SUCCESS)
}

/// Opens the window. An interactive window restores the last session (eframe storage); a
/// screenshot window starts from defaults and keeps its eframe state in a scratch folder, so it
/// neither depends on nor changes the user's.
pub fn open_window(mut options: StartOptions, size: [f32; 2]) -> anyhow::Result<()> {
    let screenshot = options.screenshot.is_some();
    let scratch = screenshot.then(|| {
        std::env::temp_dir().join(format!(
            "unisandbox-inspector-screenshot-{}",
            std::process::id()
        ))
    });
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size(size)
            .with_min_inner_size([800.0, 500.0])
            .with_title("UniSandbox Inspector")
            .with_drag_and_drop(true),
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
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"));
    if let Some(scratch) = scratch {
        let _ = std::fs::remove_dir_all(scratch);
    }
    result
}
