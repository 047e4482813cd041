//! The failure breakdown charted: per task type and series, the judged-wrong items stacked by the
//! coarse class of their failure (count off, wrong object, other symbol's object, …).

use egui::RichText;
use egui_plot::{Bar, BarChart};

use crate::state::AppState;
use crate::views::category_plot::{bar_width, bar_x, category_plot};
use crate::views::style::FAILURE_CLASSES;
use unisandbox_core::analysis::failure::Failure;
use unisandbox_core::taxonomy::TaskKind;

/// `series`: (name, run, setting) in chart order; `kinds`: the x categories.
pub fn failure_chart_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    series: &[(String, String, String)],
    kinds: &[TaskKind],
    height: f32,
) {
    let counts = &state.ui.charts.classes;
    if counts.is_empty() || series.is_empty() {
        return;
    }
    ui.heading("Why items failed");
    ui.label(RichText::new("Judged-wrong items per task type, stacked by failure class (rejected STARS candidates by why the filter rejected them); one bar per series in the order of the accuracy chart. Hover for counts.").weak());
    let series_count = series.len();
    let width = bar_width(series_count);
    category_plot("failure_plot", kinds, height, "items").show(ui, |plot_ui| {
        let mut charts: Vec<BarChart> = Vec::new();
        for (c, class) in Failure::CLASSES.iter().enumerate() {
            let color = FAILURE_CLASSES[c % FAILURE_CLASSES.len()];
            let mut bars = Vec::new();
            for (s, (name, run, setting)) in series.iter().enumerate() {
                for (k, kind) in kinds.iter().enumerate() {
                    let n = counts
                        .get(&(run.clone(), setting.clone(), *kind, *class))
                        .copied()
                        .unwrap_or(0);
                    let x = bar_x(k, s, series_count);
                    bars.push(
                        Bar::new(x, n as f64)
                            .width(width * 0.9)
                            .fill(color)
                            .name(format!("{name}\n{}: {n} × {class}", kind.label())),
                    );
                }
            }
            if bars.iter().all(|b| b.value == 0.0) {
                continue;
            }
            let previous: Vec<&BarChart> = charts.iter().collect();
            let chart = BarChart::new(*class, bars)
                .color(color)
                .element_formatter(Box::new(|bar, _| bar.name.clone()))
                .stack_on(&previous);
            charts.push(chart);
        }
        for chart in charts {
            plot_ui.bar_chart(chart);
        }
    });
}
