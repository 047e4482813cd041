//! Entry point: the window by default, or a headless subcommand (summary, screenshot, demo-data).

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;

use unisandbox_inspector::app::persist::{self, Persisted};
use unisandbox_inspector::app::screenshot::ScreenshotPlan;
use unisandbox_inspector::app::{InspectorApp, StartOptions, View};
use unisandbox_inspector::cli::{Cli, CliCommand, default_paths, parse_size};
use unisandbox_inspector::load::load_dataset_with_benchmark;
use unisandbox_inspector::report::render_summary;

/// Loading a large run makes millions of small, short-lived allocations from several threads;
/// mimalloc serves them faster and returns memory to the system more readily than glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    };
    // A remote run's cache index is written while the run loads: let it finish.
    unisandbox_inspector::remote::cache::settle();
    for problem in unisandbox_inspector::remote::cache::take_problems() {
        eprintln!("warning: {problem}");
    }
    code
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let benchmark = cli.benchmark.clone();
    let load_dataset =
        |paths: &[std::path::PathBuf]| load_dataset_with_benchmark(paths, benchmark.as_deref());
    // Remote URLs become their local mirrors (fetched or cached); then every PATH is a folder.
    let mut cli = cli;
    // (The window, and so `screenshot`, mirrors them in its background loader, with progress
    // in the top bar and the offline banner.)
    let in_window = matches!(cli.command, Some(CliCommand::Screenshot { .. }));
    if let Some(paths) = cli.command.as_mut().and_then(|c| c.opened_paths_mut())
        && !in_window
    {
        unisandbox_inspector::cli::mirror_remote_paths(paths).map_err(anyhow::Error::msg)?;
    }
    // A PATH that cannot be opened fails the command (the window lists it as a diagnostic).
    if let Some(paths) = cli.command.as_mut().and_then(|c| c.opened_paths_mut()) {
        let problems: Vec<String> = paths
            .iter()
            .filter(|path| !unisandbox_inspector::remote::is_remote(path))
            .filter_map(|path| unisandbox_inspector::cli::unopenable(path))
            .collect();
        if !problems.is_empty() {
            anyhow::bail!("{}", problems.join("\n"));
        }
    }
    match cli.command {
        None => {
            let paths = if cli.paths.is_empty() {
                default_paths()
            } else {
                cli.paths
            };
            open_window(
                StartOptions {
                    paths,
                    view: View::Items,
                    screenshot: None,
                    annotations: cli.annotations,
                    benchmark: cli.benchmark,
                    restore: None,
                    live_reload: true,
                    pair_slide: false,
                    theme: None,
                    thumbnail_store:
                        unisandbox_inspector::app::thumbnail_store::ThumbnailStore::default_path(),
                    background_filter_from: None,
                    remote_poll_every: None,
                },
                [1440.0, 900.0],
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Summary { paths, format }) => {
            // Counting needs only the CSVs: the numbers equal a full load's (tested in load::count).
            let (counts, diagnostics) = unisandbox_inspector::load::count::count_paths(&paths);
            for diagnostic in diagnostics
                .iter()
                .filter(|d| d.severity == unisandbox_inspector::diagnostics::Severity::Error)
            {
                eprintln!("{diagnostic}");
            }
            let rows = unisandbox_inspector::analysis::accuracy::accuracy_rows(counts);
            print!("{}", render_summary(&rows, format)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Flips {
            paths,
            a,
            b,
            task,
            format,
        }) => {
            use unisandbox_inspector::analysis::flips::{Side, flips};
            let (side_a, side_b) = (
                Side::parse(&a).map_err(anyhow::Error::msg)?,
                Side::parse(&b).map_err(anyhow::Error::msg)?,
            );
            let dataset = load_dataset(&paths);
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
            let result = flips(&dataset, &side_a, &side_b, task.as_deref());
            print!(
                "{}",
                unisandbox_inspector::report::render_flips(&a, &b, &result, format)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Export {
            paths,
            format,
            out,
            force,
            filters,
        }) => {
            use unisandbox_inspector::export::{self, ExportFormat};
            if out.exists() && !force {
                anyhow::bail!(
                    "{} already exists; pass --force to replace it (nothing was written)",
                    out.display()
                );
            }
            let dataset = load_dataset(&paths);
            let insights = unisandbox_inspector::analysis::insights::insights(&dataset);
            let chosen = filters.to_filters();
            let annotations = read_annotations(cli.annotations.as_deref())?;
            let indices: Vec<usize> = unisandbox_inspector::filters::filter_items(
                &dataset,
                &chosen,
                &insights,
                &annotations,
            )
            .into_iter()
            .filter(|&i| {
                filters
                    .task
                    .as_ref()
                    .is_none_or(|t| dataset.folder_of(&dataset.items[i]).stem == *t)
            })
            .collect();
            let rows: Vec<_> = unisandbox_inspector::analysis::task_type_accuracy(&dataset)
                .into_iter()
                .filter(|r| {
                    filters.run.as_ref().is_none_or(|x| *x == r.run)
                        && filters.setting.as_ref().is_none_or(|x| *x == r.setting)
                })
                .collect();
            let text = match format {
                ExportFormat::Csv => {
                    export::items_csv(&dataset, &indices, &insights, &annotations)?
                }
                ExportFormat::Json => {
                    export::items_json(&dataset, &indices, &insights, &annotations)?
                }
                ExportFormat::Markdown => export::accuracy_markdown(&rows),
                ExportFormat::Latex => export::accuracy_latex(&rows),
                ExportFormat::Html => {
                    export::save_html_report(&out, &dataset, &indices, &insights, &annotations)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
                    String::new()
                }
            };
            if format != ExportFormat::Html {
                std::fs::write(&out, text)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            }
            let what = if matches!(format, ExportFormat::Markdown | ExportFormat::Latex) {
                format!("{} accuracy rows", rows.len())
            } else {
                format!("{} items", indices.len())
            };
            println!("wrote {what} to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Review { action }) => {
            review(action, cli.annotations.as_deref(), &load_dataset)
        }
        Some(CliCommand::Agreement { paths, format }) => {
            let dataset = load_dataset(&paths);
            let annotations = read_annotations(cli.annotations.as_deref())?;
            let rows = unisandbox_inspector::analysis::agreement::by_folder(&dataset, &annotations);
            print!(
                "{}",
                unisandbox_inspector::report::render_agreement(&rows, format)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::FilterStats { paths, format }) => {
            let dataset = load_dataset(&paths);
            let rows = unisandbox_inspector::analysis::filter_stats::filter_stats(&dataset);
            for row in &rows {
                for mismatch in &row.stats_mismatch {
                    eprintln!("{}: filter_stats.json states {mismatch}", row.folder);
                }
            }
            print!(
                "{}",
                unisandbox_inspector::report::render_filter_stats(&rows, format)?
            );
            if rows.is_empty() {
                let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                eprintln!(
                    "no STARS filter output (filter_results.json, filtered_data.jsonl, \
                     rejected_data.jsonl) under {}",
                    paths.join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Audit { paths, format }) => {
            let dataset = load_dataset(&paths);
            let (findings, not_checked) =
                unisandbox_inspector::analysis::audit::audit_report(&dataset);
            let (out, err) =
                unisandbox_inspector::report::render_audit(&findings, &not_checked, format)?;
            print!("{out}");
            eprint!("{err}");
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Bench {
            copies,
            trials,
            items,
            checkpoints,
            csv_rows,
            runs,
            tree,
            stars,
        }) => {
            let dir = std::env::temp_dir()
                .join(format!("unisandbox-inspector-bench-{}", std::process::id()));
            let report = match (items, stars) {
                (_, Some(candidates)) => {
                    unisandbox_inspector::bench::stars::run_stars(&dir, candidates, runs, tree)
                }
                (items, None) => match items {
                    Some(items) => unisandbox_inspector::bench::scale::run_scale(
                        &dir,
                        &unisandbox_inspector::bench::scale::ScaleOptions {
                            items,
                            checkpoints,
                            csv_rows,
                            runs,
                            tree,
                        },
                    ),
                    None => unisandbox_inspector::bench::run_bench(&dir, copies, trials),
                },
            };
            let _ = std::fs::remove_dir_all(&dir);
            for line in report?.lines {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::Diagnostics { paths }) => {
            let dataset = load_dataset(&paths);
            for diagnostic in &dataset.diagnostics {
                println!("{diagnostic}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(CliCommand::DemoData {
            out_dir,
            seed,
            alternative_layouts,
            items,
            checkpoints,
            stars,
        }) => {
            if let Some(candidates) = stars {
                let started = std::time::Instant::now();
                let demo = unisandbox_inspector::demo::stars::write_filter_output(
                    &out_dir, seed, candidates,
                )?;
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
                let report = unisandbox_inspector::demo::scale::write_scale(
                    &out_dir,
                    seed,
                    checkpoints,
                    items,
                )?;
                println!(
                    "wrote {} items in {} task folders under {} in {:.1} s",
                    report.items,
                    report.folders.len(),
                    out_dir.display(),
                    started.elapsed().as_secs_f64()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let folders = unisandbox_inspector::demo::write_demo(&out_dir, seed)?;
            if alternative_layouts {
                unisandbox_inspector::demo::layouts::write_alternative_layouts(&out_dir, seed)?;
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
        Some(CliCommand::Screenshot {
            paths,
            out,
            view,
            select,
            size,
            pair_slide,
            theme,
        }) => {
            let size = parse_size(&size)
                .ok_or_else(|| anyhow::anyhow!("--size {size:?} is not WIDTHxHEIGHT"))?;
            let outcome = Arc::new(Mutex::new(None));
            let plan = ScreenshotPlan { out, select };
            open_window(
                StartOptions {
                    paths,
                    view,
                    screenshot: Some((plan, outcome.clone())),
                    annotations: cli.annotations,
                    benchmark: cli.benchmark,
                    restore: None,
                    live_reload: false,
                    pair_slide,
                    theme: Some(theme),
                    // Screenshots leave the user's caches alone, as they do the session.
                    thumbnail_store: None,
                    background_filter_from: None,
                    remote_poll_every: None,
                },
                size,
            )?;
            let result = outcome.lock().ok().and_then(|mut slot| slot.take());
            match result {
                Some(Ok(path)) => {
                    println!("saved {}", path.display());
                    Ok(ExitCode::SUCCESS)
                }
                Some(Err(message)) => anyhow::bail!("screenshot failed: {message}"),
                None => anyhow::bail!("the window closed before a screenshot was taken"),
            }
        }
    }
}

/// Annotations for exports: the given or default database, or none when it does not exist yet.
/// `review import` / `review export`.
fn review(
    action: unisandbox_inspector::cli::ReviewAction,
    annotations: Option<&std::path::Path>,
    load_dataset: &dyn Fn(&[std::path::PathBuf]) -> unisandbox_inspector::model::Dataset,
) -> anyhow::Result<ExitCode> {
    use unisandbox_inspector::annotations::AnnotationStore;
    use unisandbox_inspector::cli::ReviewAction;
    match action {
        ReviewAction::Import {
            paths,
            labels,
            reviewer,
        } => {
            let dataset = load_dataset(&paths);
            let path = match annotations {
                Some(path) => path.to_path_buf(),
                None => AnnotationStore::default_path()?,
            };
            let mut store = AnnotationStore::open(&path)?;
            let outcome = unisandbox_inspector::review::import_labels(
                &dataset, &labels, &mut store, &reviewer,
            )?;
            for skipped in &outcome.skipped {
                eprintln!("{skipped}");
            }
            println!(
                "stored {} human verdict(s) in {}; {} row(s) skipped",
                outcome.stored,
                path.display(),
                outcome.skipped.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        ReviewAction::Export { paths, out, force } => {
            if out.exists() && !force {
                anyhow::bail!(
                    "{} already exists; pass --force to replace it (nothing was written)",
                    out.display()
                );
            }
            let dataset = load_dataset(&paths);
            let annotations = read_annotations(annotations)?;
            let file = std::fs::File::create(&out)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            let written = unisandbox_inspector::review::export_labels(
                &dataset,
                &annotations,
                std::io::BufWriter::new(file),
            )?;
            println!("wrote {written} human verdict(s) to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_annotations(
    path: Option<&std::path::Path>,
) -> anyhow::Result<unisandbox_inspector::filters::Annotations> {
    use unisandbox_inspector::annotations::AnnotationStore;
    let path = match path {
        Some(path) => path.to_path_buf(),
        None => match AnnotationStore::default_path() {
            Ok(path) => path,
            Err(_) => return Ok(Default::default()),
        },
    };
    if !path.exists() {
        return Ok(Default::default());
    }
    Ok(AnnotationStore::open(&path)?.load_all()?)
}

/// Opens the window. An interactive window restores the last session (eframe storage); a
/// screenshot window starts from defaults and keeps its eframe state in a scratch folder, so it
/// neither depends on nor changes the user's.
fn open_window(mut options: StartOptions, size: [f32; 2]) -> anyhow::Result<()> {
    let screenshot = options.screenshot.is_some();
    let scratch = screenshot.then(|| {
        std::env::temp_dir().join(format!(
            "unisandbox-inspector-screenshot-{}",
            std::process::id()
        ))
    });
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size(size)
            .with_min_inner_size([800.0, 500.0])
            .with_title("UniSandbox Inspector")
            .with_drag_and_drop(true),
        persist_window: !screenshot,
        persistence_path: scratch.clone(),
        ..Default::default()
    };
    let result = eframe::run_native(
        "UniSandbox Inspector",
        native,
        Box::new(move |cc| {
            if !screenshot
                && let Some(restored) = cc.storage.and_then(|storage| {
                    eframe::get_value::<Persisted>(storage, persist::STORAGE_KEY)
                })
            {
                options.view = restored.view;
                options.restore = Some(restored);
            }
            Ok(Box::new(InspectorApp::new(&cc.egui_ctx, options)))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"));
    if let Some(scratch) = scratch {
        let _ = std::fs::remove_dir_all(scratch);
    }
    result
}
