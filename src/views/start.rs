//! Start page: open a folder, drop one, or pick a recently opened run (with its task count and
//! when it was opened); appearance.

use egui::RichText;

use crate::app::persist::{RecentRun, Theme};
use crate::app::{AppState, Command};
use crate::report::format_utc;

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
        if !state.opened.is_empty() {
            ui.add_space(10.0);
            let opened: Vec<String> = state.opened.iter().map(|p| p.display().to_string()).collect();
            ui.label(format!(
                "Open now: {} — {} task folders, {} items{}",
                opened.join(" + "),
                state.dataset.folders.len(),
                state.dataset.items.len(),
                if state.watching {
                    " · live: changes on disk appear within a second"
                } else {
                    ""
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
        if state.recent.is_empty() {
            ui.label(RichText::new("Folders you open are listed here.").weak());
        } else {
            recent_table_ui(ui, &state.recent, commands);
        }
        if let Some(sample) = &state.sample_runs
            && !state.recent.iter().any(|r| r.paths == [sample.clone()])
        {
            ui.add_space(6.0);
            if ui.link("Open the bundled sample runs").clicked() {
                commands.push(Command::Open(vec![sample.clone()]));
            }
        }
        ui.add_space(16.0);
        ui.heading("Appearance");
        ui.horizontal(|ui| {
            for theme in Theme::ALL {
                if ui.selectable_label(state.theme == theme, theme.label()).clicked() {
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
    });
}

fn recent_table_ui(ui: &mut egui::Ui, recent: &[RecentRun], commands: &mut Vec<Command>) {
    egui::Grid::new("recent_runs")
        .striped(true)
        .num_columns(4)
        .spacing([18.0, 6.0])
        .show(ui, |ui| {
            for title in ["Folders", "Contents", "Opened", ""] {
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
