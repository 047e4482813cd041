//! Top bar: open, view switch, loading progress, counts, notices.

use crate::command::Command;
use crate::persist::View;
use crate::state::AppState;
use unisandbox_core::diagnostics::Severity;

pub fn top_bar_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading("UniSandbox Inspector");
        ui.separator();
        if ui
            .button("Open folder…")
            .on_hover_text("Open one or more run folders")
            .clicked()
        {
            commands.push(Command::OpenFolderDialog);
        }
        ui.separator();
        let problems = state
            .data.dataset
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .count();
        let tabs = [
            (View::Start, "Start".to_string()),
            (View::Items, "Items".to_string()),
            (View::Grid, "Grid".to_string()),
            (View::Compare, "Compare".to_string()),
            (View::Review, "Review".to_string()),
            (View::Charts, "Charts".to_string()),
            (View::Trajectory, "Trajectory".to_string()),
            (View::Strip, "Checkpoints".to_string()),
            (View::Diagnostics, format!("Diagnostics ({problems})")),
        ];
        for (view, label) in tabs {
            if ui.selectable_label(state.ui.view == view, label).clicked() {
                commands.push(Command::SetView(view));
            }
        }
        if ui
            .button("▶ Present")
            .on_hover_text("Full-screen slides of the listed items (F11). Star or filter first.")
            .clicked()
        {
            commands.push(Command::Present(true));
        }
        ui.separator();
        let progress = state.progress;
        if !progress.finished {
            loading_ui(ui, state);
        } else {
            let data = &state.data.dataset;
            let count = unisandbox_core::text::count_of;
            ui.label(format!(
                "{} · {} · {}",
                count(data.items.len(), "item"),
                count(data.folders.len(), "task folder"),
                count(data.runs().len(), "run")
            ));
            if progress.checking_images {
                ui.weak("· checking images…")
                    .on_hover_text("Opening every image to find truncated or broken files.");
            }
            if state.remote.iter().any(|r| r.unlisted) {
                ui.weak("· checking the store for changes…").on_hover_text(
                    "Opened from the cache at once; the store is being listed, and what changed since loads by itself.",
                );
            }
            if state.watching {
                let hover = if state.remote.is_empty() {
                    "Watching the opened folders: new images, CSV rows and traces appear within about a second."
                } else {
                    "Listing the remote runs again every 5 seconds (and watching local folders): what changes in the store appears here."
                };
                ui.label(egui::RichText::new("● live").color(egui::Color32::from_rgb(40, 150, 80)))
                    .on_hover_text(hover);
            }
        }
    });
    if let Some((message, at)) = &state.last_reload {
        // Shown for a while after each reload; the next repaint after that hides it.
        const SHOWN: std::time::Duration = std::time::Duration::from_secs(20);
        let age = at.elapsed();
        if age < SHOWN {
            ui.colored_label(egui::Color32::from_rgb(40, 150, 80), message);
            ui.ctx().request_repaint_after(SHOWN - age);
        }
    }
    for opened in &state.remote {
        if let Some(since) = opened.offline_since {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                unisandbox_remote::copy::offline_banner(&opened.url, since),
            )
            .on_hover_text("The store cannot be reached: this is the copy from the last listing. Images never shown before cannot be fetched until it is back; the run is listed again every few seconds.");
        }
    }
    if let Some(notice) = &state.frame.notice {
        ui.colored_label(ui.visuals().warn_fg_color, notice);
    }
    if state.progress.finished && state.data.dataset.folders.is_empty() {
        // (Of the PATHs that opened: the notice already says why the others did not.)
        let opened: Vec<String> = state
            .opened
            .iter()
            .filter(|path| !state.unopened.contains(path))
            .map(|p| p.display().to_string())
            .collect();
        if !opened.is_empty() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "No UniSandbox results or images found in {}. See Diagnostics.",
                    opened.join(", ")
                ),
            );
        }
    }
    ui.add_space(2.0);
}

/// Where a load is: fetching a remote run's files, listing it, finding folders, loading them.
fn loading_ui(ui: &mut egui::Ui, state: &AppState) {
    let progress = state.progress;
    ui.spinner();
    let bar = |ui: &mut egui::Ui, done: usize, total: usize, text: String| {
        let fraction = if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(160.0)
                .text(text),
        )
    };
    let urls: Vec<String> = state
        .opened
        .iter()
        .filter(|p| unisandbox_remote::is_remote(p))
        .map(|p| p.display().to_string())
        .collect();
    if let Some((done, total)) = progress.fetching {
        bar(ui, done, total, format!("fetching {done}/{total} files")).on_hover_text(format!(
            "Fetching the CSVs, logs and traces that changed since the cached copy of {} (images come when shown).",
            urls.join(", ")
        ));
        return;
    }
    match progress.total {
        Some(total) if total > 0 => {
            bar(
                ui,
                progress.done,
                total,
                format!("loading {}/{total} folders", progress.done),
            );
        }
        // Remote URLs are resolved before discovery starts.
        _ if !urls.is_empty() && state.remote.is_empty() => {
            ui.label(format!("listing {}…", urls.join(", ")));
        }
        _ => {
            ui.label("finding run folders…");
        }
    }
}
