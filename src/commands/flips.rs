//! `flips`: the items that flip between two sides, with McNemar's test.

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_core::report::ListFormat;

use super::Context;

pub fn run(
    ctx: &Context,
    paths: &[PathBuf],
    a: &str,
    b: &str,
    task: Option<&str>,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    use unisandbox_core::analysis::flips::{Side, flips};
    let (side_a, side_b) = (
        Side::parse(a).map_err(anyhow::Error::msg)?,
        Side::parse(b).map_err(anyhow::Error::msg)?,
    );
    let dataset = ctx.load(paths);
    for side in [&side_a, &side_b] {
        if !dataset
            .folders
            .iter()
            .any(|f| f.run == side.run && f.setting == side.setting)
        {
            let known: Vec<String> = dataset
                .folders
                .iter()
                .map(|f| format!("{}/{}", f.run, f.setting))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            anyhow::bail!(
                "no folders for {}; known sides: {}",
                side.label(),
                known.join(", ")
            );
        }
    }
    let result = flips(&dataset, &side_a, &side_b, task);
    print!(
        "{}",
        unisandbox_core::report::render_flips(a, b, &result, format)?
    );
    Ok(ExitCode::SUCCESS)
}
