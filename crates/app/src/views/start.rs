//! Start page: open a folder, drop one, or pick a recently opened run (with its task count and
//! when it was opened); appearance.

use egui::RichText;

use crate::command::Command;
use crate::persist::{RecentRun, Theme};
use crate::state::AppState;
use unisandbox_core::text::format_utc;

pub fn start_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        ui.add_space(12.0);
        ui.heading(RichText::new("Open UniSandbox runs").size(24.0));
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new("Open folder…  (Ctrl+O)").size(16.0))
                .clicked()
            {
                commands.push(Command::OpenFolderDialog);
            }
            ui.label(
                RichText::new(
                    "or drop run folders onto this window — a checkpoint folder, its test/, a mode folder or a task folder.",
                )
                .weak(),
            );
        });
        remote_open_ui(ui, state, commands);
        if !state.opened.is_empty() {
            ui.add_space(10.0);
            let opened: Vec<String> = state.opened.iter().map(|p| p.display().to_string()).collect();
            ui.label(format!(
                "Open now: {} — {} task folders, {} items{}",
                opened.join(" + "),
                state.data.dataset.folders.len(),
                state.data.dataset.items.len(),
                match (state.watching, state.remote.is_empty()) {
                    (false, _) => "",
                    (true, true) => " · live: changes on disk appear within a second",
                    (true, false) => " · live: the store is listed again every 5 seconds",
                }
            ));
            if let Some(benchmark) = &state.benchmark {
                ui.label(
                    RichText::new(format!("Benchmark: {}", benchmark.display())).weak(),
                );
            }
        }
        ui.add_space(16.0);
        ui.heading("Recent runs");
        if state.settings.recent.is_empty() {
            ui.label(RichText::new("Folders and URLs you open are listed here.").weak());
        } else {
            recent_table_ui(ui, &state.settings.recent, commands);
        }
        if let Some(sample) = &state.sample_runs
            && !state.settings.recent.iter().any(|r| r.paths == [sample.clone()])
        {
            ui.add_space(6.0);
            if ui.link("Open the bundled sample runs").clicked() {
                commands.push(Command::Open(vec![sample.clone()]));
            }
        }
        ui.add_space(16.0);
        cache_ui(ui, state, commands);
        ui.add_space(16.0);
        ui.heading("Appearance");
        ui.horizontal(|ui| {
            for theme in Theme::ALL {
                if ui.selectable_label(state.settings.theme == theme, theme.label()).clicked() {
                    commands.push(Command::SetTheme(theme));
                }
            }
        });
        ui.add_space(16.0);
        ui.heading("Keys");
        for (keys, what) in [
            ("Ctrl+O / Ctrl+F / Ctrl+Q", "open a folder / search / quit"),
            ("↑ ↓ (grid: ← →)", "move through the items"),
            ("Enter", "open the grid's item in the list"),
            ("1–9, S, Shift+S", "toggle a tag, star, show only starred items"),
            ("F11", "presentation: → next, ← previous, T normal vs think, Esc leave"),
        ] {
            ui.horizontal(|ui| {
                ui.label(RichText::new(keys).monospace().strong());
                ui.label(what);
            });
        }
        ui.add_space(16.0);
        ui.heading("About");
        ui.label(format!("UniSandbox Inspector {}", crate::VERSION_LINE));
    });
}

fn recent_table_ui(ui: &mut egui::Ui, recent: &[RecentRun], commands: &mut Vec<Command>) {
    egui::Grid::new("recent_runs")
        .striped(true)
        .num_columns(4)
        .spacing([18.0, 6.0])
        .show(ui, |ui| {
            for title in ["Folders or URLs", "Contents", "Opened", ""] {
                ui.strong(title);
            }
            ui.end_row();
            for run in recent {
                ui.label(run.title()).on_hover_text(match &run.benchmark {
                    Some(b) => format!("with benchmark {}", b.display()),
                    None => "no benchmark file".to_string(),
                });
                ui.label(format!(
                    "{} task folders · {} items · {} runs",
                    run.task_folders, run.items, run.runs
                ));
                ui.label(format_utc(run.opened_unix));
                // Whether the folder still exists is checked on click, not every frame.
                if ui.button("Open").clicked() {
                    commands.push(Command::OpenRecent(run.clone()));
                }
                ui.end_row();
            }
        });
}

/// A URL box: `s3://bucket/prefix` (or gs://, az://) opens like a folder.
fn remote_open_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label("Or open from object storage:");
        let mut text = state.ui.remote_input.clone();
        let response = ui.add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("s3://bucket/prefix")
                .desired_width(360.0),
        );
        if response.changed() {
            commands.push(Command::SetRemoteInput(text.clone()));
        }
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let url = text.trim();
        let valid = unisandbox_remote::RemoteUrl::parse(url).is_some_and(|parsed| parsed.is_ok());
        let clicked = ui
            .add_enabled(valid, egui::Button::new("Open URL"))
            .on_hover_text("s3://, gs://, az:// or abfs:// — credentials and endpoint come from the environment (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, …; see the README)")
            .clicked();
        if valid && (clicked || entered) {
            commands.push(Command::Open(vec![std::path::PathBuf::from(url)]));
        }
        if !url.is_empty() && !valid {
            ui.label(
                RichText::new("not an s3://, gs://, az:// or abfs:// URL with a bucket")
                    .color(ui.visuals().warn_fg_color),
            );
        }
    });
}

/// Where remote runs are cached, how much it holds, and its size budget.
fn cache_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.heading("Remote cache");
    ui.horizontal(|ui| match &state.cache_usage {
        Some((folder, bytes)) => {
            ui.label(format!(
                "{} of fetched files in {}",
                human_bytes(*bytes),
                folder.display()
            ));
        }
        None => {
            ui.label(
                RichText::new("Nothing cached yet: remote runs are copied here when opened.")
                    .weak(),
            );
        }
    });
    ui.horizontal(|ui| {
        ui.label("Size budget:");
        let mut gb = state.settings.cache_budget_mb as f64 / 1024.0;
        let overridden = std::env::var_os("UNISANDBOX_CACHE_BUDGET_MB").is_some();
        let response = ui.add_enabled(
            !overridden,
            egui::DragValue::new(&mut gb)
                .range(0.1..=1024.0)
                .speed(0.1)
                .max_decimals(1)
                .suffix(" GB"),
        );
        if response.changed() {
            commands.push(Command::SetCacheBudget((gb * 1024.0).round() as u64));
        }
        ui.label(
            RichText::new(if overridden {
                "set by UNISANDBOX_CACHE_BUDGET_MB"
            } else {
                "least recently opened runs' files go first when it is full"
            })
            .weak(),
        );
    });
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b => format!("{} kB", b.div_ceil(1024)),
    }
}
