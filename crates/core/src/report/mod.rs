//! Text renderings of accuracy rows for the CLI: aligned table, Markdown, CSV, JSON.

use crate::analysis::AccuracyRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Table,
    Markdown,
    Csv,
    Json,
}

pub mod trajectory;
pub use trajectory::{
    TrajectoryFormat, render_dynamics, render_events, render_trajectory, render_transfer,
};

/// Formats of list-like outputs (audit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// The suspect keys (stdout: a table or a JSON array), and the questions the audit could not
/// evaluate: after the table, or — with JSON, where stdout is the array — on stderr.
use crate::analysis::audit::ACCEPTED_SUSPECT;

pub fn render_audit(
    findings: &[crate::analysis::audit::Finding],
    not_checked: &[crate::analysis::audit::NotChecked],
    format: ListFormat,
) -> anyhow::Result<(String, String)> {
    let mut unchecked = String::new();
    for n in not_checked {
        unchecked += &format!("  {:<10} {:<6} {} — {}\n", n.task, n.id, n.question, n.why);
    }
    unchecked = format!(
        "{} question(s) not checked (their arithmetic could not be read){}\n{unchecked}",
        not_checked.len(),
        if not_checked.is_empty() { "" } else { ":" }
    );
    Ok(match format {
        ListFormat::Json => (serde_json::to_string_pretty(findings)? + "\n", unchecked),
        ListFormat::Table => {
            let mut out = String::new();
            for f in findings {
                let candidate = match (&f.run, f.accepted) {
                    (Some(run), Some(true)) => format!("  [{run}: {}]", ACCEPTED_SUSPECT),
                    (Some(run), _) => format!("  [{run}: rejected]"),
                    _ => String::new(),
                };
                out += &format!(
                    "{:<10} {:<6} expected {:<14} computed {:<6} {}{candidate}\n",
                    f.task, f.id, f.expected, f.computed, f.reason
                );
            }
            out += &format!("{} suspect answer key(s)\n", findings.len());
            let poisoned = findings.iter().filter(|f| f.flag.is_some()).count();
            if poisoned > 0 {
                out += &format!(
                    "{poisoned} filter candidate(s) {ACCEPTED_SUSPECT}: training on them teaches a wrong answer\n"
                );
            }
            out += &unchecked;
            (out, String::new())
        }
    })
}

/// `filter-stats`: JSON rows (unrounded rate, `null` without candidates) or an aligned table.
pub fn render_filter_stats(
    rows: &[crate::analysis::filter_stats::FilterStatsRow],
    format: ListFormat,
) -> anyhow::Result<String> {
    use crate::analysis::rejection::Rejection;
    Ok(match format {
        ListFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        ListFormat::Table => {
            let mut out = format!(
                "{:<24} {:>7} {:>8} {:>8} {:>8} {:>7} {:>8}  {}\n",
                "folder",
                "total",
                "accepted",
                "rejected",
                "unparsed",
                "rate",
                "img miss",
                "why rejected"
            );
            for row in rows {
                let rate = row
                    .acceptance_rate
                    .map_or_else(|| "—".to_string(), crate::text::percent);
                let classes: Vec<String> = Rejection::ALL
                    .iter()
                    .filter(|c| row.class_count(**c) > 0)
                    .map(|c| format!("{} {}", c.label(), row.class_count(*c)))
                    .collect();
                out += &format!(
                    "{:<24} {:>7} {:>8} {:>8} {:>8} {:>7} {:>8}  {}\n",
                    row.folder,
                    row.total,
                    row.accepted,
                    row.rejected,
                    row.unparsed,
                    rate,
                    row.images_missing,
                    classes.join(", ")
                );
                if let Some(model) = &row.model_path {
                    out += &format!("  model: {model}\n");
                }
                if !row.stats_mismatch.is_empty() {
                    out += &format!(
                        "  ⚠ filter_stats.json differs: {}\n",
                        row.stats_mismatch.join("; ")
                    );
                }
            }
            out
        }
    })
}

/// Judge versus human per task folder: JSON rows (unrounded floats, null where a share has no
/// denominator) or an aligned table.
pub fn render_agreement(
    rows: &[crate::analysis::agreement::FolderAgreement],
    format: ListFormat,
) -> anyhow::Result<String> {
    use crate::analysis::agreement::Table2x2;
    Ok(match format {
        ListFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        ListFormat::Table => {
            let share = crate::text::share_or_dash;
            let percent = crate::text::percent_or_dash;
            let mut out = format!(
                "{:<18} {:<8} {:<14} {:>8} {:>15} {:>9} {:>6} {:>9} {:>7}  {}\n",
                "run",
                "setting",
                "task",
                "reviewed",
                "yes/no·no/yes",
                "agreement",
                "kappa",
                "precision",
                "recall",
                "corrected accuracy [95% CI]"
            );
            // The judge-versus-human columns of one table, named.
            let columns = |run: &str, setting: &str, task: &str, t: &Table2x2| {
                format!(
                    "{run:<18} {setting:<8} {task:<14} {:>8} {:>15} {:>9} {:>6} {:>9} {:>7}",
                    t.reviewed(),
                    format!("{}·{}", t.judge_yes_human_no, t.judge_no_human_yes),
                    share(t.agreement()),
                    share(t.kappa()),
                    share(t.judge_precision()),
                    share(t.judge_recall()),
                )
            };
            for r in rows {
                out += &format!(
                    "{}  {} ({}/{}) [{}]\n",
                    columns(&r.run, &r.setting, &r.task, &r.table()),
                    percent(r.corrected_accuracy),
                    r.corrected_correct,
                    r.corrected_total,
                    crate::text::interval_or_dash(r.corrected_ci_low, r.corrected_ci_high),
                );
            }
            if rows.is_empty() {
                out +=
                    "no human verdicts on these runs yet (review in the app, or `review import`)\n";
            } else if rows.len() > 1 {
                let all = crate::analysis::agreement::overall(rows);
                out += &columns("all reviewed", "", "", &all);
                out += "\n";
            }
            out
        }
    })
}

/// Renders flips between two sides.
pub fn render_flips(
    a: &str,
    b: &str,
    flips: &[crate::analysis::flips::TaskFlips],
    format: ListFormat,
) -> anyhow::Result<String> {
    Ok(match format {
        ListFormat::Json => serde_json::to_string_pretty(flips)? + "\n",
        ListFormat::Table => {
            let mut out = format!("A = {a}, B = {b}\n");
            for f in flips {
                out += &format!(
                    "{:<20} n={:<4} A {:>3} → B {:>3}  fixes {:>3}  breaks {:>3}  Δ {}  McNemar p = {}\n",
                    f.task,
                    f.paired,
                    f.a_correct,
                    f.b_correct,
                    f.fixes.len(),
                    f.breaks.len(),
                    crate::text::points(f.difference, f.ci_low, f.ci_high),
                    crate::text::p_value(f.p_value)
                );
                if !f.fixes.is_empty() {
                    out += &format!("{:<20} fixes: {}\n", "", f.fixes.join(", "));
                }
                if !f.breaks.is_empty() {
                    out += &format!("{:<20} breaks: {}\n", "", f.breaks.join(", "));
                }
                if !f.judge_failed.is_empty() {
                    out += &format!(
                        "{:<20} judge call failed on one side (not counted): {}\n",
                        "",
                        f.judge_failed.join(", ")
                    );
                }
            }
            if flips.is_empty() {
                out += "(no task is judged on both sides)\n";
            }
            out
        }
    })
}

const HEADERS: [&str; 8] = [
    "run", "setting", "task", "type", "correct", "total", "accuracy", "95% CI",
];

fn cells(row: &AccuracyRow) -> [String; 8] {
    [
        row.run.clone(),
        row.setting.clone(),
        row.task.clone(),
        row.kind.label(),
        row.correct.to_string(),
        row.total.to_string(),
        crate::text::percent(row.accuracy),
        crate::text::interval(row.ci_low, row.ci_high),
    ]
}

/// Renders rows in the chosen format. JSON figures are rounded to 4 decimals like the logs.
/// `render_summary` followed by the GenEval and WISE rows: in JSON one array (their rows carry
/// `family` `geneval` / `wise`, floats unrounded), in the other formats a line per output after
/// the table.
pub fn render_summary_with(
    rows: &[AccuracyRow],
    companion: &[crate::companion::summary::CompanionRow],
    format: SummaryFormat,
) -> anyhow::Result<String> {
    if companion.is_empty() {
        return render_summary(rows, format);
    }
    Ok(match format {
        SummaryFormat::Json => {
            let mut all: Vec<serde_json::Value> = Vec::new();
            for row in rows.iter().map(AccuracyRow::rounded) {
                all.push(serde_json::to_value(row)?);
            }
            for row in companion {
                all.push(serde_json::to_value(row)?);
            }
            serde_json::to_string_pretty(&all)? + "\n"
        }
        _ => {
            let table = if rows.is_empty() {
                String::new()
            } else {
                render_summary(rows, format)? + "\n"
            };
            table + &crate::companion::summary::render_table(companion)
        }
    })
}

pub fn render_summary(rows: &[AccuracyRow], format: SummaryFormat) -> anyhow::Result<String> {
    Ok(match format {
        SummaryFormat::Json => {
            let rounded: Vec<AccuracyRow> = rows.iter().map(AccuracyRow::rounded).collect();
            serde_json::to_string_pretty(&rounded)? + "\n"
        }
        SummaryFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record([
                "run", "setting", "task", "family", "level", "correct", "total", "accuracy",
                "ci_low", "ci_high",
            ])?;
            for row in rows.iter().map(AccuracyRow::rounded) {
                writer.write_record([
                    row.run,
                    row.setting,
                    row.task,
                    row.family.name().to_string(),
                    row.level,
                    row.correct.to_string(),
                    row.total.to_string(),
                    row.accuracy.to_string(),
                    row.ci_low.to_string(),
                    row.ci_high.to_string(),
                ])?;
            }
            String::from_utf8(writer.into_inner()?)?
        }
        SummaryFormat::Markdown => {
            let mut out = format!(
                "| {} |\n|{}\n",
                HEADERS.join(" | "),
                "---|".repeat(HEADERS.len())
            );
            for row in rows {
                out += &format!("| {} |\n", cells(row).join(" | "));
            }
            out
        }
        SummaryFormat::Table => {
            let body: Vec<[String; 8]> = rows.iter().map(cells).collect();
            let widths: Vec<usize> = (0..HEADERS.len())
                .map(|i| {
                    body.iter()
                        .map(|r| r[i].chars().count())
                        .chain([HEADERS[i].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
                    + "\n"
            };
            let mut out = line(HEADERS.to_vec());
            for row in &body {
                out += &line(row.iter().map(String::as_str).collect());
            }
            if rows.is_empty() {
                out += "(no evaluated folders found)\n";
            }
            for row in rows {
                let checks = &row.checks;
                if let (Some(total), Some(correct)) = (checks.log_total, checks.log_correct)
                    && (total, correct) != (row.total, row.correct)
                {
                    out += &format!(
                        "{}/{}/{}: its log says {correct}/{total}; counted here are the CSV's \
                         current rows (the last row of each ID). `diagnostics` says why they differ.\n",
                        row.run, row.setting, row.task
                    );
                }
                if checks.judge_failures > 0 {
                    out += &format!(
                        "{}/{}/{}: {} failed judge call{} counted as NO (re-judge: export --failure \
                         \"judge call failed\")\n",
                        row.run,
                        row.setting,
                        row.task,
                        checks.judge_failures,
                        if checks.judge_failures == 1 { "" } else { "s" }
                    );
                }
            }
            out
        }
    })
}
