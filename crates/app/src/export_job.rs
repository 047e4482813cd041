//! The export buttons: ask where to save, then write off the UI thread (an HTML report reads
//! every image) and report back through the notice.

use super::{ExportKind, InspectorApp, screenshot};
use crate::command::TrajectoryExport;

/// The trajectory of the first series, in the asked form.
fn trajectory_bytes(
    cache: &crate::charts_cache::TrajectoryCache,
    what: TrajectoryExport,
) -> Result<Vec<u8>, String> {
    use unisandbox_core::report::{TrajectoryFormat, render_trajectory};
    let series = cache
        .series
        .first()
        .ok_or("no training run among the opened runs")?;
    let rows: Vec<_> = cache
        .trajectory
        .iter()
        .filter(|r| r.series == series.name)
        .cloned()
        .collect();
    let size = (1200, 720);
    let bytes = match what {
        TrajectoryExport::Csv => {
            render_trajectory(&rows, TrajectoryFormat::Csv).map(String::into_bytes)
        }
        TrajectoryExport::Latex => {
            render_trajectory(&rows, TrajectoryFormat::Latex).map(String::into_bytes)
        }
        TrajectoryExport::Svg => {
            unisandbox_core::figure::trajectory_svg(&rows, size).map(String::into_bytes)
        }
        TrajectoryExport::Png => unisandbox_core::figure::trajectory_png(&rows, size),
    };
    bytes.map_err(|e| e.to_string())
}

impl InspectorApp {
    /// Asks where to save, then writes the export off the UI thread (HTML reads every image).
    pub(super) fn export(&mut self, ctx: &egui::Context, kind: ExportKind) {
        use unisandbox_core::export::{self, ExportFormat};
        let (name, extension) = match kind {
            ExportKind::Items(ExportFormat::Csv) => ("items.csv", "csv"),
            ExportKind::Items(ExportFormat::Json) => ("items.json", "json"),
            ExportKind::Items(_) => ("report.html", "html"),
            ExportKind::Table(ExportFormat::Latex) => ("accuracy.tex", "tex"),
            ExportKind::Table(_) => ("accuracy.md", "md"),
            ExportKind::ChartPng => ("accuracy_chart.png", "png"),
            ExportKind::Trajectory(TrajectoryExport::Csv) => ("trajectory.csv", "csv"),
            ExportKind::Trajectory(TrajectoryExport::Latex) => ("trajectory.tex", "tex"),
            ExportKind::Trajectory(TrajectoryExport::Svg) => ("trajectory.svg", "svg"),
            ExportKind::Trajectory(TrajectoryExport::Png) => ("trajectory.png", "png"),
        };
        let Some(path) = super::dialogs::save_file(name, extension) else {
            self.state.frame.notice = Some(format!(
                "Export cancelled. If no dialog appeared, this system has no file-dialog service: use `unisandbox-inspector export PATH --format {extension} --out FILE`."
            ));
            return;
        };
        let messages = self.export_messages.clone();
        let report = move |result: Result<(), String>, path: &std::path::Path| {
            let text = match result {
                Ok(()) => format!("Exported {}", path.display()),
                Err(err) => format!("Export failed: {err}"),
            };
            if let Ok(mut list) = messages.lock() {
                list.push(text);
            }
        };
        if kind == ExportKind::ChartPng {
            let Some(rect) = self.state.ui.chart_rect else {
                self.state.frame.notice = Some("Open the Charts view to export the chart.".into());
                return;
            };
            let ctx_for_repaint = ctx.clone();
            let pixels_per_point = ctx.pixels_per_point();
            ctx.request_screenshot(move |image| {
                let result = screenshot::save_region_png(&path, &image, rect, pixels_per_point);
                report(result, &path);
                ctx_for_repaint.request_repaint();
            });
            return;
        }
        let data = self.state.data.dataset.clone();
        let insights = self.state.data.insights.clone();
        let annotations = self.state.annotations.clone();
        let indices = self.state.ui.filtered.clone();
        let all_rows = super::charts_cache::shown_rows(&self.state.charts_input());
        let rows: Vec<_> = all_rows
            .into_iter()
            .filter(|r| {
                self.state
                    .ui
                    .chart_run
                    .as_ref()
                    .is_none_or(|run| *run == r.run)
            })
            .collect();
        let trajectory = self.state.ui.charts.trajectory.clone();
        let ctx = ctx.clone();
        self._runtime.spawn_blocking(move || {
            let job = std::panic::AssertUnwindSafe(|| {
                let text = match kind {
                    ExportKind::Items(ExportFormat::Csv) => {
                        export::items_csv(&data, &indices, &insights, &annotations)
                            .map_err(|e| e.to_string())
                    }
                    ExportKind::Items(ExportFormat::Json) => {
                        export::items_json(&data, &indices, &insights, &annotations)
                            .map_err(|e| e.to_string())
                    }
                    ExportKind::Items(_) => {
                        return export::save_html_report(
                            &path,
                            &data,
                            &indices,
                            &insights,
                            &annotations,
                        )
                        .map_err(|e| e.to_string());
                    }
                    ExportKind::Table(ExportFormat::Latex) => Ok(export::accuracy_latex(&rows)),
                    ExportKind::Table(_) => Ok(export::accuracy_markdown(&rows)),
                    ExportKind::ChartPng => Err("unreachable".into()),
                    ExportKind::Trajectory(what) => {
                        return trajectory_bytes(&trajectory, what).and_then(|bytes| {
                            std::fs::write(&path, bytes).map_err(|e| e.to_string())
                        });
                    }
                };
                text.and_then(|t| std::fs::write(&path, t).map_err(|e| e.to_string()))
            });
            let result = std::panic::catch_unwind(job).unwrap_or_else(|panic| {
                Err(format!(
                    "internal error ({})",
                    unisandbox_core::panic_message(&*panic)
                ))
            });
            report(result, &path);
            ctx.request_repaint();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts_cache::TrajectoryCache;

    /// What Trajectory → Export… writes: the points as CSV and LaTeX, the chart as SVG and PNG.
    #[test]
    fn the_trajectory_exports_in_four_forms() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::series::write_series(dir.path(), 1, 3, 60).unwrap();
        let dataset = std::sync::Arc::new(unisandbox_core::load::load_dataset(&[dir
            .path()
            .to_path_buf()]));
        let cache = TrajectoryCache::compute(&dataset, &Default::default());
        let text = |what| String::from_utf8(trajectory_bytes(&cache, what).unwrap()).unwrap();
        let csv = text(TrajectoryExport::Csv);
        assert!(csv.starts_with("series,run,step,setting,task,total,correct,accuracy"));
        assert_eq!(
            csv.lines().count(),
            1 + 3 * 2 * 5,
            "3 steps × 2 settings × 5 task types"
        );
        assert!(text(TrajectoryExport::Latex).contains("\\begin{tabular}"));
        assert!(text(TrajectoryExport::Svg).starts_with("<svg"));
        let png = trajectory_bytes(&cache, TrajectoryExport::Png).unwrap();
        assert_eq!(
            image::load_from_memory(&png).unwrap().width(),
            1200,
            "a PNG of the chart"
        );
        let empty = TrajectoryCache::default();
        assert_eq!(
            trajectory_bytes(&empty, TrajectoryExport::Csv).unwrap_err(),
            "no training run among the opened runs"
        );
    }
}
