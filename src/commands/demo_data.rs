//! `demo-data`: synthetic runs in the exact upstream formats.

use std::process::ExitCode;

use crate::cli::DemoDataArgs;

use super::Context;

pub fn run(_ctx: &Context, args: DemoDataArgs) -> anyhow::Result<ExitCode> {
    let DemoDataArgs {
        out_dir,
        seed,
        alternative_layouts,
        items,
        checkpoints,
        series,
        stars,
        companion,
    } = args;
    if companion {
        let outputs = unisandbox_demo::companion::write_companion(&out_dir, seed)?;
        println!(
            "wrote {} GenEval and WISE outputs under {}",
            outputs.len(),
            out_dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(candidates) = stars {
        let started = std::time::Instant::now();
        let demo = unisandbox_demo::stars::write_filter_output(&out_dir, seed, candidates)?;
        println!(
            "wrote a STARS filter output of {} candidates ({} accepted) to {} in {:.1} s",
            demo.total,
            demo.accepted,
            demo.out_dir.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(items) = items {
        let started = std::time::Instant::now();
        let report = if series {
            unisandbox_demo::series::write_series(&out_dir, seed, checkpoints, items)?
        } else {
            unisandbox_demo::scale::write_scale(&out_dir, seed, checkpoints, items)?
        };
        println!(
            "wrote {} items in {} task folders under {} in {:.1} s",
            report.items,
            report.folders.len(),
            out_dir.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let folders = unisandbox_demo::write_demo(&out_dir, seed)?;
    if alternative_layouts {
        unisandbox_demo::layouts::write_alternative_layouts(&out_dir, seed)?;
        println!(
            "wrote infer-layout/ and sidecar-layout/ under {}",
            out_dir.display()
        );
    }
    println!(
        "wrote {} task folders under {}",
        folders.len(),
        out_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
