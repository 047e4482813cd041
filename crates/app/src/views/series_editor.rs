//! The training runs' series as the user wants them: a single run as step 0, checkpoints left
//! out, names, and which series comes first (one `SetSeriesEdits` command per change).

use crate::command::Command;
use crate::state::AppState;

/// The detected training runs with their checkpoints: leave some out, add a single run as
/// step 0, rename a series, or put another one first. Remembered for this folder set.
pub fn series_editor_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let charts = &state.ui.charts.trajectory;
    if charts.detected.is_empty() {
        return;
    }
    let mut edits = charts.edits.clone();
    let mut changed = false;
    egui::CollapsingHeader::new(format!(
        "Series: {} (edit)",
        charts
            .series
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .id_salt("series_editor")
    .show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label("Step 0:");
            egui::ComboBox::from_id_salt("series_base")
                .selected_text(edits.base.clone().unwrap_or_else(|| "none".into()))
                .show_ui(ui, |ui| {
                    changed |= ui.selectable_value(&mut edits.base, None, "none").changed();
                    for run in &charts.single_runs {
                        changed |= ui
                            .selectable_value(&mut edits.base, Some(run.clone()), run)
                            .changed();
                    }
                })
                .response
                .on_hover_text(
                    "A run without a step (e.g. the base model) shown as step 0 of every series",
                );
        });
        let shown: Vec<String> = charts.series.iter().map(|s| s.pattern.clone()).collect();
        for (at, detected) in charts.detected.iter().enumerate() {
            ui.separator();
            ui.horizontal(|ui| {
                let mut name = edits
                    .names
                    .get(&detected.pattern)
                    .cloned()
                    .unwrap_or_default();
                ui.label(&detected.pattern);
                let field = ui.add(
                    egui::TextEdit::singleline(&mut name)
                        .hint_text("name")
                        .desired_width(160.0),
                );
                if field.lost_focus() || (field.changed() && name.is_empty()) {
                    if name.trim().is_empty() {
                        changed |= edits.names.remove(&detected.pattern).is_some();
                    } else if edits.names.get(&detected.pattern) != Some(&name) {
                        edits.names.insert(detected.pattern.clone(), name);
                        changed = true;
                    }
                }
                if shown.len() > 1 {
                    if ui.add_enabled(at > 0, egui::Button::new("↑")).clicked() {
                        edits.move_series(&shown, &detected.pattern, -1);
                        changed = true;
                    }
                    if ui
                        .add_enabled(at + 1 < shown.len(), egui::Button::new("↓"))
                        .clicked()
                    {
                        edits.move_series(&shown, &detected.pattern, 1);
                        changed = true;
                    }
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label("Checkpoints (untick to leave out):");
                for (run, step) in &detected.runs {
                    let mut kept = !edits.excluded.contains(run);
                    if ui
                        .checkbox(&mut kept, format!("{step}"))
                        .on_hover_text(run)
                        .changed()
                    {
                        edits.excluded.retain(|r| r != run);
                        if !kept {
                            edits.excluded.push(run.clone());
                        }
                        changed = true;
                    }
                }
            });
        }
    });
    if changed {
        commands.push(Command::SetSeriesEdits(edits));
    }
}
