//! `bench --stars N`: opening a STARS filter output of N candidates (one `filter_results.json`,
//! ~1.5 KB a candidate) as the window does, beside the Python baseline
//! (`crates/bench/baselines/python_filter_results.py`: `json.load`, counts, image lookup by name) on the same
//! files in the same run, with the ratio; the counts of both are checked to agree.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use super::scale::{open_like_the_window, python, ratio, reported_elapsed, script, timed};
use super::{BenchReport, median, ms};

pub fn run_stars(
    dir: &Path,
    candidates: usize,
    runs: usize,
    tree: Option<PathBuf>,
) -> anyhow::Result<BenchReport> {
    let mut lines = Vec::new();
    let runs = runs.max(1);
    let tree = tree.unwrap_or_else(|| dir.join("stars"));
    let marker = tree.join(".bench-size");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(candidates.to_string().as_str()) {
        let _ = std::fs::remove_dir_all(&tree);
        let started = Instant::now();
        unisandbox_demo::stars::write_filter_output(&tree, 7, candidates)?;
        std::fs::write(&marker, candidates.to_string())?;
        lines.push(format!(
            "demo-data --stars {candidates}: written in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    } else {
        lines.push(format!("demo-data: reusing {}", tree.display()));
    }
    let results = tree.join("filter_math3/filter_results.json");
    lines.push(format!(
        "filter_results.json: {:.0} MB",
        std::fs::metadata(&results)?.len() as f64 / 1e6
    ));
    lines.extend(open_like_the_window(&tree, 1)?);

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut our_counts = String::new();
    let mut their_counts = None;
    let baseline = Command::new(python()).arg("-c").arg("import json").output();
    for _ in 0..runs {
        // What the window's loader does before the data is on screen (images are opened to
        // find broken ones afterwards, in the background; the baseline opens none either).
        let started = Instant::now();
        let mut dataset = unisandbox_core::model::Dataset::default();
        unisandbox_core::load::load_paths(std::slice::from_ref(&tree), None, |event| {
            unisandbox_core::load::apply_event(&mut dataset, event)
        });
        ours.push(started.elapsed());
        let rows = unisandbox_core::analysis::filter_stats::filter_stats(&dataset);
        if let Some(row) = rows.first() {
            our_counts = format!(
                "{} {} {} {}",
                row.total, row.accepted, row.unparsed, row.images_found
            );
        }
        if baseline.as_ref().is_ok_and(|o| o.status.success()) {
            let (_, out, err) = timed(
                Command::new(python())
                    .arg(script("python_filter_results.py"))
                    .arg(&tree)
                    .arg(&results),
            )?;
            theirs.extend(reported_elapsed(&err));
            their_counts = Some(out.trim().to_string());
        }
    }
    let mut line = format!(
        "loaded ({runs} runs, as the window's loader, before the image check): ours median {}",
        ms(median(ours.clone()))
    );
    match their_counts {
        Some(counts) => {
            anyhow::ensure!(
                counts == our_counts,
                "Python counts {counts}, we count {our_counts} (total accepted unparsed found)"
            );
            line += &format!(
                " · Python json.load + counts + image lookup median {} → {} faster (counts agree: {counts})",
                ms(median(theirs.clone())),
                ratio(median(theirs), median(ours))
            );
        }
        None => line += " · Python baseline skipped (no python3)",
    }
    lines.push(line);
    Ok(BenchReport { lines })
}
