//! `bench`: load time, live-reload latency and decoding, or the scale and STARS figures beside
//! their Python baselines.

use std::process::ExitCode;

use crate::cli::BenchArgs;

use super::Context;

pub fn run(_ctx: &Context, args: BenchArgs) -> anyhow::Result<ExitCode> {
    let BenchArgs {
        copies,
        trials,
        items,
        checkpoints,
        series,
        csv_rows,
        runs,
        tree,
        stars,
    } = args;
    let dir =
        std::env::temp_dir().join(format!("unisandbox-inspector-bench-{}", std::process::id()));
    let report = match (items, stars) {
        (_, Some(candidates)) => unisandbox_bench::stars::run_stars(&dir, candidates, runs, tree),
        (items, None) => match items {
            Some(items) if series => unisandbox_bench::series::run_series(
                &dir,
                &unisandbox_bench::series::SeriesOptions {
                    items,
                    checkpoints,
                    runs,
                    tree,
                },
            ),
            Some(items) => unisandbox_bench::scale::run_scale(
                &dir,
                &unisandbox_bench::scale::ScaleOptions {
                    items,
                    checkpoints,
                    csv_rows,
                    runs,
                    tree,
                },
            ),
            None => unisandbox_bench::run_bench(&dir, copies, trials),
        },
    };
    let _ = std::fs::remove_dir_all(&dir);
    for line in report?.lines {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
