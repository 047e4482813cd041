//! The trajectory as a figure for a paper (SVG, vector) or a slide (PNG), drawn by `plotters`:
//! accuracy over steps, one colour per task type, think dashed and normal solid, 95 % Wilson
//! intervals as light bands.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::trajectory::TrajectoryRow;

/// Okabe–Ito (colour-blind-safe) and one more: the window's task colours.
const TASK_COLORS: [RGBColor; 8] = [
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(150, 110, 200),
];

/// The font family the PNG's text is drawn with (egui's own font, registered once).
const FONT: &str = "sans-serif";

/// The trajectory of `rows` (one series) as an SVG document.
pub fn trajectory_svg(rows: &[TrajectoryRow], size: (u32, u32)) -> anyhow::Result<String> {
    // Text is measured for the layout even in SVG.
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root, rows)?;
        root.present()
            .map_err(|e| anyhow::anyhow!("drawing the SVG: {e}"))?;
    }
    Ok(svg)
}

/// The trajectory of `rows` (one series) as a PNG file's bytes.
pub fn trajectory_png(rows: &[TrajectoryRow], size: (u32, u32)) -> anyhow::Result<Vec<u8>> {
    register_font();
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&root, rows)?;
        root.present()
            .map_err(|e| anyhow::anyhow!("drawing the PNG: {e}"))?;
    }
    let image = image::RgbImage::from_raw(size.0, size.1, rgb)
        .ok_or_else(|| anyhow::anyhow!("the figure's buffer has the wrong size"))?;
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(png)
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are egui's bundled font: valid by construction.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[TrajectoryRow],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let failed =
        |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing the figure: {e}");
    root.fill(&WHITE).map_err(failed)?;
    let first_step = rows.iter().map(|r| r.step).min().unwrap_or(0);
    let last_step = rows
        .iter()
        .map(|r| r.step)
        .max()
        .unwrap_or(1)
        .max(first_step + 1);
    let title = rows.first().map_or("trajectory", |r| r.series.as_str());
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{title}: accuracy over training steps"), (FONT, 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(first_step as f64..last_step as f64, 0f64..100f64)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("accuracy (%)")
        .label_style((FONT, 13))
        .x_label_formatter(&|step| format!("{step:.0}"))
        .y_label_formatter(&|percent| format!("{percent:.0}"))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(failed)?;

    let mut lines: Vec<(&str, &str)> = Vec::new();
    for row in rows {
        if !lines.contains(&(row.task.as_str(), row.setting.as_str())) {
            lines.push((row.task.as_str(), row.setting.as_str()));
        }
    }
    let mut tasks: Vec<&str> = Vec::new();
    for (task, _) in &lines {
        if !tasks.contains(task) {
            tasks.push(task);
        }
    }
    let color_of = |task: &str| TASK_COLORS[tasks.iter().position(|t| *t == task).unwrap_or(0) % 8];
    let points_of = |task: &str, setting: &str| {
        let mut points: Vec<&TrajectoryRow> = rows
            .iter()
            .filter(|r| r.task == task && r.setting == setting)
            .collect();
        points.sort_by_key(|r| r.step);
        points
    };
    // Bands first, so no band veils a line: the 95 % Wilson interval, upper edge forwards,
    // lower edge back.
    for &(task, setting) in &lines {
        let points = points_of(task, setting);
        let band: Vec<(f64, f64)> = points
            .iter()
            .map(|r| (r.step as f64, r.ci_high * 100.0))
            .chain(
                points
                    .iter()
                    .rev()
                    .map(|r| (r.step as f64, r.ci_low * 100.0)),
            )
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                color_of(task).mix(0.07).filled(),
            )))
            .map_err(failed)?;
    }
    for &(task, setting) in &lines {
        let style = ShapeStyle::from(color_of(task)).stroke_width(2);
        let xy: Vec<(f64, f64)> = points_of(task, setting)
            .iter()
            .map(|r| (r.step as f64, r.accuracy * 100.0))
            .collect();
        let label = format!("{task} · {setting}");
        if setting == "think" {
            chart
                .draw_series(DashedLineSeries::new(xy, 6, 4, style))
                .map_err(failed)?
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 8, y)], style));
        } else {
            chart
                .draw_series(LineSeries::new(xy, style))
                .map_err(failed)?
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font((FONT, 12))
        .draw()
        .map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<TrajectoryRow> {
        let mut rows = Vec::new();
        for (step, correct) in [(1000, 3), (2000, 6), (3000, 9)] {
            for setting in ["normal", "think"] {
                let (ci_low, ci_high) = crate::analysis::wilson::wilson_interval(correct, 10, 1.96);
                rows.push(TrajectoryRow {
                    series: "train-*".into(),
                    run: format!("train-{step:07}"),
                    step,
                    setting: setting.into(),
                    task: "Math L1".into(),
                    total: 10,
                    correct,
                    accuracy: correct as f64 / 10.0,
                    ci_low,
                    ci_high,
                });
            }
        }
        rows
    }

    #[test]
    fn the_svg_is_vector_with_a_line_per_task_and_setting() {
        let svg = trajectory_svg(&rows(), (800, 500)).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains("Math L1 · think") && svg.contains("Math L1 · normal"));
        assert!(svg.contains("<polyline"), "lines are vector paths");
        assert!(svg.contains("train-*: accuracy over training steps"));
    }

    #[test]
    fn the_png_decodes_at_the_asked_size_with_ink_on_it() {
        let png = trajectory_png(&rows(), (640, 400)).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), (640, 400));
        let orange = image.pixels().filter(|p| p.0 == [230, 159, 0]).count();
        assert!(orange > 50, "the Math L1 line is drawn ({orange} pixels)");
    }
}
