//! One file per subcommand; `run` dispatches. Each takes what it needs from the command line and
//! the `Context` every subcommand shares (the annotations database and the benchmark file).

mod agreement;
mod audit;
mod bench;
mod demo_data;
mod diagnostics;
mod export;
mod filter_stats;
mod flips;
mod install_desktop;
mod review;
mod screenshot;
mod summary;
mod trajectory;
mod window;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use unisandbox_core::annotations::AnnotationStore;
use unisandbox_core::filters::Annotations;
use unisandbox_core::model::Dataset;

use crate::cli::{Cli, CliCommand};

/// The options that every subcommand shares.
pub struct Context {
    /// `--annotations`: the database, when not the user's default one.
    pub annotations_path: Option<PathBuf>,
    /// `--benchmark`: questions for folders without a CSV, and "not generated" items.
    pub benchmark: Option<PathBuf>,
}

impl Context {
    /// The opened folders, loaded (with the benchmark, when given).
    pub fn load(&self, paths: &[PathBuf]) -> Dataset {
        unisandbox_core::load::load_dataset_with_benchmark(paths, self.benchmark.as_deref())
    }

    /// Annotations for exports: the given or default database, or none when it does not exist
    /// yet (reading never creates it).
    pub fn annotations(&self) -> anyhow::Result<Annotations> {
        let path = match self.annotations_path.as_deref() {
            Some(path) => path.to_path_buf(),
            None => match AnnotationStore::default_path() {
                Ok(path) => path,
                Err(_) => return Ok(Default::default()),
            },
        };
        if !Path::new(&path).exists() {
            return Ok(Default::default());
        }
        Ok(AnnotationStore::open(&path)?.load_all()?)
    }
}

/// Runs what the command line asks for.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut cli = cli;
    // Remote URLs become their local mirrors (fetched or cached); then every PATH is a folder.
    // (The window, and so `screenshot`, mirrors them in its background loader, with progress
    // in the top bar and the offline banner.)
    let in_window = matches!(cli.command, Some(CliCommand::Screenshot(_)));
    if let Some(paths) = cli.command.as_mut().and_then(|c| c.opened_paths_mut())
        && !in_window
    {
        crate::cli::mirror_remote_paths(paths).map_err(anyhow::Error::msg)?;
    }
    // A PATH that cannot be opened fails the command (the window lists it as a diagnostic).
    if let Some(paths) = cli.command.as_mut().and_then(|c| c.opened_paths_mut()) {
        let problems: Vec<String> = paths
            .iter()
            .filter(|path| !unisandbox_remote::is_remote(path))
            .filter_map(|path| crate::cli::unopenable(path))
            .collect();
        if !problems.is_empty() {
            anyhow::bail!("{}", problems.join("\n"));
        }
    }
    let ctx = Context {
        annotations_path: cli.annotations,
        benchmark: cli.benchmark,
    };
    match cli.command {
        None => window::run(&ctx, cli.paths),
        Some(CliCommand::Summary { paths, format }) => summary::run(&ctx, &paths, format),
        Some(CliCommand::Trajectory {
            paths,
            base,
            dynamics,
            events,
            transfer,
            format,
            svg,
            png,
        }) => {
            let table = if dynamics {
                trajectory::Table::Dynamics
            } else if events {
                trajectory::Table::Events
            } else if transfer {
                trajectory::Table::Transfer
            } else {
                trajectory::Table::Accuracy
            };
            trajectory::run(
                &ctx,
                &paths,
                base.as_deref(),
                table,
                format,
                trajectory::Figures { svg, png },
            )
        }
        Some(CliCommand::Flips {
            paths,
            a,
            b,
            task,
            format,
        }) => flips::run(&ctx, &paths, &a, &b, task.as_deref(), format),
        Some(CliCommand::Export {
            paths,
            format,
            out,
            force,
            filters,
        }) => export::run(&ctx, &paths, format, &out, force, &filters),
        Some(CliCommand::Review { action }) => review::run(&ctx, action),
        Some(CliCommand::Agreement { paths, format }) => agreement::run(&ctx, &paths, format),
        Some(CliCommand::FilterStats { paths, format }) => filter_stats::run(&ctx, &paths, format),
        Some(CliCommand::Audit { paths, format }) => audit::run(&ctx, &paths, format),
        Some(CliCommand::Bench(args)) => bench::run(&ctx, args),
        Some(CliCommand::Diagnostics { paths }) => diagnostics::run(&ctx, &paths),
        Some(CliCommand::DemoData(args)) => demo_data::run(&ctx, args),
        Some(CliCommand::Screenshot(args)) => screenshot::run(&ctx, args),
        Some(CliCommand::InstallDesktop { uninstall }) => install_desktop::run(uninstall),
    }
}
