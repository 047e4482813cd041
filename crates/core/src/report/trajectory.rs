//! The trajectory of a training run in words and figures: table, JSON, CSV, LaTeX.

use crate::analysis::trajectory::{DynamicsRow, EventRow, TrajectoryRow, TransferRow};

/// Formats of the `trajectory` command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TrajectoryFormat {
    Table,
    Json,
    Csv,
    /// A booktabs table per series and setting: steps down, task types across (accuracy %).
    Latex,
}

/// Renders a trajectory: accuracy per series, step, setting and task type.
pub fn render_trajectory(
    rows: &[TrajectoryRow],
    format: TrajectoryFormat,
) -> anyhow::Result<String> {
    Ok(match format {
        TrajectoryFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        TrajectoryFormat::Csv => csv_of(rows)?,
        TrajectoryFormat::Latex => latex_trajectory(rows),
        TrajectoryFormat::Table => {
            let line = |cells: [&str; 6]| {
                format!(
                    "{:<16} {:>8}  {:<8} {:<18} {:>9}  {}\n",
                    cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
                )
            };
            let mut out = line([
                "series",
                "step",
                "setting",
                "task",
                "correct",
                "accuracy [95% CI]",
            ]);
            for row in rows {
                out += &line([
                    &row.series,
                    &row.step.to_string(),
                    &row.setting,
                    &row.task,
                    &format!("{}/{}", row.correct, row.total),
                    &format!(
                        "{} {}",
                        crate::text::percent(row.accuracy),
                        crate::text::interval(row.ci_low, row.ci_high)
                    ),
                ]);
            }
            out
        }
    })
}

/// Renders the learning dynamics: items per class per series, setting and task type.
pub fn render_dynamics(rows: &[DynamicsRow], format: TrajectoryFormat) -> anyhow::Result<String> {
    Ok(match format {
        TrajectoryFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        TrajectoryFormat::Csv => csv_of(rows)?,
        TrajectoryFormat::Latex => latex_of(rows, "Items per learning-dynamics class")?,
        TrajectoryFormat::Table => {
            let line = |cells: [&str; 8]| {
                format!(
                    "{:<16} {:<8} {:<18} {:>7} {:>7} {:>7} {:>9} {:>8}\n",
                    cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]
                )
            };
            let mut out = line([
                "series",
                "setting",
                "task",
                "always",
                "never",
                "learned",
                "forgotten",
                "unstable",
            ]);
            for row in rows {
                out += &line([
                    &row.series,
                    &row.setting,
                    &row.task,
                    &row.always_right.to_string(),
                    &row.never_right.to_string(),
                    &row.learned.to_string(),
                    &row.forgotten.to_string(),
                    &row.unstable.to_string(),
                ]);
            }
            out
        }
    })
}

/// Renders the learning and forgetting events per step.
pub fn render_events(rows: &[EventRow], format: TrajectoryFormat) -> anyhow::Result<String> {
    Ok(match format {
        TrajectoryFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        TrajectoryFormat::Csv => csv_of(rows)?,
        TrajectoryFormat::Latex => latex_of(rows, "Items learned and forgotten at each step")?,
        TrajectoryFormat::Table => {
            let mut out = format!(
                "{:<16} {:<8} {:<18} {:>8} {:>8} {:>9}\n",
                "series", "setting", "task", "step", "learned", "forgotten"
            );
            for row in rows {
                out += &format!(
                    "{:<16} {:<8} {:<18} {:>8} {:>8} {:>9}\n",
                    row.series, row.setting, row.task, row.step, row.learned, row.forgotten
                );
            }
            out
        }
    })
}

/// Renders the think → normal transfer per step.
pub fn render_transfer(rows: &[TransferRow], format: TrajectoryFormat) -> anyhow::Result<String> {
    Ok(match format {
        TrajectoryFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        TrajectoryFormat::Csv => csv_of(rows)?,
        TrajectoryFormat::Latex => latex_of(
            rows,
            "Think-to-normal transfer: of the items the first checkpoint gets right only with think, the share each step gets right in normal",
        )?,
        TrajectoryFormat::Table => {
            let mut out = format!(
                "{:<16} {:<18} {:>8} {:>10} {:>15}  {}\n",
                "series", "task", "step", "think only", "right (normal)", "share"
            );
            for row in rows {
                out += &format!(
                    "{:<16} {:<18} {:>8} {:>10} {:>15}  {}\n",
                    row.series,
                    row.task,
                    row.step,
                    row.think_only,
                    format!("{}/{}", row.right_in_normal, row.judged),
                    crate::text::percent(row.share)
                );
            }
            out
        }
    })
}

/// Rows as CSV with a header, floats unrounded.
fn csv_of<T: serde::Serialize>(rows: &[T]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Escapes LaTeX's special characters in a cell.
fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out += "\\textasciitilde{}",
            '^' => out += "\\textasciicircum{}",
            '\\' => out += "\\textbackslash{}",
            _ => out.push(c),
        }
    }
    out
}

/// Any rows as a booktabs table, one column per field.
fn latex_of<T: serde::Serialize>(rows: &[T], caption: &str) -> anyhow::Result<String> {
    let values: Vec<serde_json::Map<String, serde_json::Value>> = rows
        .iter()
        .map(|row| match serde_json::to_value(row) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            Ok(_) => anyhow::bail!("a row is not a record"),
            Err(e) => Err(e.into()),
        })
        .collect::<anyhow::Result<_>>()?;
    let columns: Vec<String> = values
        .first()
        .map(|first| first.keys().cloned().collect())
        .unwrap_or_default();
    let cell = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => latex_escape(text),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{f:.3}"),
            _ => n.to_string(),
        },
        other => latex_escape(&other.to_string()),
    };
    let mut out = format!(
        "% {}\n\\begin{{tabular}}{{{}}}\n\\toprule\n",
        caption,
        "l".repeat(columns.len().max(1))
    );
    out += &columns
        .iter()
        .map(|c| latex_escape(c))
        .collect::<Vec<_>>()
        .join(" & ");
    out += " \\\\\n\\midrule\n";
    for row in &values {
        out += &columns
            .iter()
            .map(|c| row.get(c).map(cell).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" & ");
        out += " \\\\\n";
    }
    out += "\\bottomrule\n\\end{tabular}\n";
    Ok(out)
}

/// Accuracy (%) per step and task type, one booktabs table per series and setting.
fn latex_trajectory(rows: &[TrajectoryRow]) -> String {
    let mut out =
        String::from("% Accuracy (%) at each training step; requires \\usepackage{booktabs}\n");
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for row in rows {
        if !groups.contains(&(row.series.as_str(), row.setting.as_str())) {
            groups.push((&row.series, &row.setting));
        }
    }
    for (series, setting) in groups {
        let group: Vec<&TrajectoryRow> = rows
            .iter()
            .filter(|r| r.series == series && r.setting == setting)
            .collect();
        let mut tasks: Vec<&str> = Vec::new();
        let mut steps: Vec<u64> = Vec::new();
        for row in &group {
            if !tasks.contains(&row.task.as_str()) {
                tasks.push(&row.task);
            }
            if !steps.contains(&row.step) {
                steps.push(row.step);
            }
        }
        steps.sort_unstable();
        out += &format!(
            "\n% {} ({})\n\\begin{{tabular}}{{r{}}}\n\\toprule\nstep & {} \\\\\n\\midrule\n",
            latex_escape(series),
            latex_escape(setting),
            "r".repeat(tasks.len()),
            tasks
                .iter()
                .map(|t| latex_escape(t))
                .collect::<Vec<_>>()
                .join(" & ")
        );
        for step in steps {
            let cells: Vec<String> = tasks
                .iter()
                .map(|task| {
                    group
                        .iter()
                        .find(|r| r.step == step && r.task == *task)
                        .map_or_else(
                            || "--".to_string(),
                            |r| format!("{:.1}", r.accuracy * 100.0),
                        )
                })
                .collect();
            out += &format!("{step} & {} \\\\\n", cells.join(" & "));
        }
        out += "\\bottomrule\n\\end{tabular}\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(step: u64, task: &str, correct: u64) -> TrajectoryRow {
        TrajectoryRow {
            series: "train_a-*".into(),
            run: format!("train_a-{step}"),
            step,
            setting: "think".into(),
            task: task.into(),
            total: 8,
            correct,
            accuracy: correct as f64 / 8.0,
            ci_low: 0.0,
            ci_high: 1.0,
        }
    }

    #[test]
    fn latex_pivots_steps_down_and_tasks_across_escaped() {
        let rows = [
            row(1000, "Math L1", 2),
            row(1000, "Mapping L1", 4),
            row(2000, "Math L1", 8),
        ];
        let latex = render_trajectory(&rows, TrajectoryFormat::Latex).unwrap();
        assert!(latex.contains("% train\\_a-* (think)"), "{latex}");
        assert!(
            latex.contains("step & Math L1 & Mapping L1 \\\\"),
            "{latex}"
        );
        assert!(latex.contains("1000 & 25.0 & 50.0 \\\\"), "{latex}");
        assert!(latex.contains("2000 & 100.0 & -- \\\\"), "{latex}");
    }

    #[test]
    fn csv_has_a_header_and_unrounded_floats() {
        let csv = render_trajectory(&[row(1000, "Math L1", 1)], TrajectoryFormat::Csv).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("series,run,step,setting,task,total,correct,accuracy,ci_low,ci_high")
        );
        assert_eq!(
            lines.next(),
            Some("train_a-*,train_a-1000,1000,think,Math L1,8,1,0.125,0.0,1.0")
        );
    }
}
