//! `bench --series --items N --checkpoints K`: a training run of K checkpoints (`demo-data
//! --series`), its trajectory beside a pandas script that reads the same CSVs and groups them,
//! and what the window computes for the Trajectory and Checkpoints views.
//!
//! 1. writing the tree;
//! 2. `trajectory --format json` against `baselines/pandas_trajectory.py`, whole commands, medians
//!    of alternating runs, the outputs checked to agree;
//! 3. `trajectory --dynamics --format json` (a full load: dynamics need every item);
//! 4. in process, as the window does: the load, then the trajectory, dynamics, events and transfer
//!    (one background job per dataset), and one item across every checkpoint (the strip).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use super::scale::{baselines_available, python, ratio, rss, script, timed};
use super::{BenchReport, median, ms};
use unisandbox_core::analysis::trajectory::SeriesEdits;

pub struct SeriesOptions {
    pub items: usize,
    pub checkpoints: usize,
    pub runs: usize,
    /// Reuse (or keep) the generated tree here instead of a temporary folder.
    pub tree: Option<PathBuf>,
}

pub fn run_series(dir: &Path, options: &SeriesOptions) -> anyhow::Result<BenchReport> {
    let mut lines = Vec::new();
    let runs = options.runs.max(1);
    let baselines = baselines_available();
    if let Err(why) = &baselines {
        lines.push(format!(
            "baselines skipped (python3 with pandas not found: {why}); pip install pandas pillow"
        ));
    }
    let tree = options.tree.clone().unwrap_or_else(|| dir.join("series"));
    let marker = tree.join(".bench-size");
    let size = format!("series {} {}", options.items, options.checkpoints);
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(size.as_str()) {
        let _ = std::fs::remove_dir_all(&tree);
        let started = Instant::now();
        let report =
            unisandbox_demo::series::write_series(&tree, 7, options.checkpoints, options.items)?;
        std::fs::write(&marker, &size)?;
        lines.push(format!(
            "demo-data --series: {} items, {} checkpoints, {} task folders written in {:.1} s",
            report.items,
            options.checkpoints,
            report.folders.len(),
            started.elapsed().as_secs_f64()
        ));
    } else {
        lines.push(format!("demo-data --series: reusing {}", tree.display()));
    }

    // 2. The trajectory against pandas, whole commands, alternating.
    let exe = std::env::current_exe()?;
    let ours = || {
        timed(
            Command::new(&exe)
                .arg("trajectory")
                .arg(&tree)
                .args(["--format", "json"]),
        )
    };
    let theirs = || {
        timed(
            Command::new(python())
                .arg(script("pandas_trajectory.py"))
                .arg(&tree),
        )
    };
    let (_, our_json, _) = ours()?;
    let (mut our_times, mut their_times) = (Vec::new(), Vec::new());
    let mut agree = String::new();
    if baselines.is_ok() {
        let (_, their_json, _) = theirs()?;
        agree = if points_agree(&our_json, &their_json)? {
            "outputs agree".into()
        } else {
            "OUTPUTS DIFFER".into()
        };
    }
    for _ in 0..runs {
        our_times.push(ours()?.0);
        if baselines.is_ok() {
            their_times.push(theirs()?.0);
        }
    }
    let points = serde_json::from_str::<serde_json::Value>(&our_json)?
        .as_array()
        .map_or(0, Vec::len);
    if baselines.is_ok() {
        lines.push(format!(
            "trajectory --format json ({} items, {points} points): ours median {} · pandas median {} → {} faster ({runs} runs each; {agree})",
            options.items,
            ms(median(our_times.clone())),
            ms(median(their_times.clone())),
            ratio(median(their_times), median(our_times))
        ));
    } else {
        lines.push(format!(
            "trajectory --format json: ours median {}",
            ms(median(our_times))
        ));
    }

    // 3. Dynamics need the items: a full load.
    let (took, _, _) = timed(Command::new(&exe).arg("trajectory").arg(&tree).args([
        "--dynamics",
        "--format",
        "json",
    ]))?;
    lines.push(format!(
        "trajectory --dynamics --format json (full load of every item): {}",
        ms(took)
    ));

    // 4. As the window computes it.
    let started = Instant::now();
    let dataset = Arc::new(unisandbox_core::load::load_dataset(&[tree.clone()]));
    let loaded = started.elapsed();
    let index = unisandbox_core::item_index::ItemIndex::build(&dataset);
    let mut times = Vec::new();
    let mut cache = None;
    for _ in 0..runs {
        let started = Instant::now();
        cache = Some(unisandbox_app::charts_cache::TrajectoryCache::compute(
            &dataset,
            &SeriesEdits::default(),
        ));
        times.push(started.elapsed());
    }
    let cache = cache.expect("runs ≥ 1");
    let series = cache
        .series
        .first()
        .ok_or_else(|| anyhow::anyhow!("the generated tree holds no series"))?;
    let started = Instant::now();
    let strip = unisandbox_core::analysis::trajectory::across(&dataset, &index, series, 0);
    let strip_took = started.elapsed();
    lines.push(format!(
        "window: load {} ({} items); trajectory + dynamics + events + transfer median {} (a background job, once per dataset and series edits); one item across {} checkpoints {}; RSS {}",
        ms(loaded),
        dataset.items.len(),
        ms(median(times)),
        strip.len(),
        ms(strip_took),
        rss().unwrap_or_else(|| "?".into())
    ));
    Ok(BenchReport { lines })
}

/// Whether both outputs hold the same (run, setting, task, total, correct) points.
fn points_agree(ours: &str, theirs: &str) -> anyhow::Result<bool> {
    let key = |text: &str| -> anyhow::Result<Vec<(String, String, String, u64, u64)>> {
        let rows: Vec<serde_json::Value> = serde_json::from_str(text)?;
        let mut keys: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r["run"].as_str().unwrap_or_default().to_string(),
                    r["setting"].as_str().unwrap_or_default().to_string(),
                    r["task"].as_str().unwrap_or_default().to_string(),
                    r["total"].as_u64().unwrap_or_default(),
                    r["correct"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        keys.sort();
        Ok(keys)
    };
    Ok(key(ours)? == key(theirs)?)
}
