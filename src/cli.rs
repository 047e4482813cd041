//! Command-line interface (clap). With no subcommand the window opens on the given folders, or on
//! the bundled `sample_runs/`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use unisandbox_app::View;
use unisandbox_core::report::SummaryFormat;

#[derive(Debug, Parser)]
#[command(
    name = "unisandbox-inspector",
    version = unisandbox_app::VERSION_LINE,
    about = "Inspect UniSandbox evaluation runs: prompt | image | trace | verdict, and accuracy charts."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Run folders to open (a folder of checkpoints, one OUTPUT_DIR, test/, a mode folder or a task folder).
    pub paths: Vec<PathBuf>,
    /// Annotations database (SQLite). Default: annotations.sqlite in the user's data directory.
    #[arg(long, global = true)]
    pub annotations: Option<PathBuf>,
    /// Benchmark JSONL file or folder of `<stem>.jsonl`: questions without an image are listed as
    /// "not generated", and folders without an evaluation CSV get their prompts and answers.
    #[arg(long, global = true)]
    pub benchmark: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReviewAction {
    /// Store the human verdicts of a labels CSV for the items of the opened runs.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// CSV with the header `run,setting,task,id,human` (optional `reviewer`, `note`).
        #[arg(long)]
        labels: PathBuf,
        /// Reviewer recorded for rows without a `reviewer` column.
        #[arg(long, default_value = "import")]
        reviewer: String,
    },
    /// Write the human verdicts on the opened runs' items in the import format.
    Export {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Replace `--out` when it already exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Print the accuracy table of every evaluated task folder.
    Summary {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: SummaryFormat,
    },
    /// Open the window, wait until the view and its images are loaded, save a PNG and exit.
    Screenshot(ScreenshotArgs),
    /// Write synthetic runs in the exact upstream formats (sample_runs/ is made with this).
    DemoData(DemoDataArgs),
    /// Measure load time, live-reload latency and thumbnail decoding on generated runs.
    Bench(BenchArgs),
    /// Items that flip between two sides (e.g. normal → think): fixes, breaks, McNemar p.
    Flips {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Side A as RUN/SETTING, e.g. bagel-base/normal.
        #[arg(long)]
        a: String,
        /// Side B as RUN/SETTING, e.g. bagel-base/think.
        #[arg(long)]
        b: String,
        /// Only this task stem, e.g. math_3.
        #[arg(long)]
        task: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: unisandbox_core::report::ListFormat,
    },
    /// Export filtered items (csv, json, html report) or the accuracy table (markdown, latex).
    Export {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum)]
        format: unisandbox_core::export::ExportFormat,
        #[arg(long)]
        out: PathBuf,
        /// Replace `--out` when it already exists (without this, an existing file is kept).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// Human verdicts in and out as CSV (`run,setting,task,id,human[,reviewer][,note]`).
    Review {
        #[command(subcommand)]
        action: ReviewAction,
    },
    /// Judge versus human per task folder: the 2×2 table, agreement, Cohen's κ, the judge's
    /// precision and recall, and the human-corrected accuracy with its 95% interval.
    Agreement {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: unisandbox_core::report::ListFormat,
    },
    /// STARS filter outputs: accepted, rejected, unparsed verdicts, acceptance rate, images found
    /// and the rejections per class, one row per filter output folder (checked against
    /// filter_stats.json).
    FilterStats {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: unisandbox_core::report::ListFormat,
    },
    /// List answer keys that contradict their own question (benchmark audit).
    Audit {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: unisandbox_core::report::ListFormat,
    },
    /// Accuracy over the steps of a training run: checkpoints whose names differ only in their
    /// last number form a series (`ckpt-5k`, `0005000`, `step500`); `--dynamics` counts what
    /// each item learned and forgot along it.
    Trajectory {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// A run without a step (e.g. bagel-base) placed at step 0 of every series.
        #[arg(long)]
        base: Option<String>,
        /// Items per class (always_right, never_right, learned, forgotten, unstable) instead.
        #[arg(long, conflicts_with_all = ["events", "transfer"])]
        dynamics: bool,
        /// Items learned (wrong → right) and forgotten (right → wrong) at each step instead.
        #[arg(long, conflicts_with = "transfer")]
        events: bool,
        /// Think → normal transfer instead: of the items the first checkpoint gets right only
        /// with think, the share each later step gets right in normal.
        #[arg(long)]
        transfer: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: unisandbox_core::report::TrajectoryFormat,
        /// Also draw the accuracy chart of the first series as an SVG file (vector, for a paper).
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Also draw the accuracy chart of the first series as a PNG file.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Print the loading diagnostics (file:line: problem).
    Diagnostics {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Add the inspector to the desktop's application menu: a desktop entry and its icons under
    /// $XDG_DATA_HOME (~/.local/share), so folders can be dropped on it from a file manager.
    InstallDesktop {
        /// Remove what an earlier install-desktop wrote.
        #[arg(long)]
        uninstall: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "items")]
    pub view: View,
    /// Item to select: an id, `stem/id` or `run/setting/stem/id`.
    #[arg(long)]
    pub select: Option<String>,
    /// Window size in logical pixels, e.g. 1440x900.
    #[arg(long, default_value = "1440x900")]
    pub size: String,
    /// With `--view presentation`: the normal vs think slide of the selected item.
    #[arg(long)]
    pub pair_slide: bool,
    /// Colour theme of the picture.
    #[arg(long, value_enum, default_value = "dark")]
    pub theme: unisandbox_app::persist::Theme,
}

#[derive(Debug, clap::Args)]
pub struct DemoDataArgs {
    pub out_dir: PathBuf,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also write the Infer.py and gen_images_mp_json.py layouts (not evaluated).
    #[arg(long)]
    pub alternative_layouts: bool,
    /// A tree of any size for scale tests: this many items in all (math_1, math_2, mapping1,
    /// knowledge forward and inverse per checkpoint and setting; images are hard links).
    #[arg(long, conflicts_with = "alternative_layouts")]
    pub items: Option<usize>,
    /// With --items: how many checkpoints (ckpt-00, ckpt-01, …).
    #[arg(long, default_value_t = 10, requires = "items")]
    pub checkpoints: usize,
    /// With --items: checkpoints of one training run (train-0001000, train-0002000, …) whose
    /// items are learned and forgotten at known steps, instead of ckpt-00, ckpt-01, …
    /// (every image drawn up to 2,000 items, hard links beyond).
    #[arg(long, requires = "items")]
    pub series: bool,
    /// Only a STARS filter output of this many candidates (candidates/math3/ and
    /// filter_math3/; images are hard links beyond 200).
    #[arg(long, conflicts_with_all = ["items", "alternative_layouts"])]
    pub stars: Option<usize>,
    /// Only GenEval and WISE outputs of one model, normal and think (geneval/bagel/…,
    /// wise/bagel/…), in the exact forms their scripts write.
    #[arg(long, conflicts_with_all = ["items", "alternative_layouts", "stars"])]
    pub companion: bool,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// How many copies of the generated runs to open at once (72 task folders each).
    #[arg(long, default_value_t = 1)]
    pub copies: usize,
    /// How many appends to time for live reload.
    #[arg(long, default_value_t = 5)]
    pub trials: usize,
    /// Scale figures instead: a tree of this many items, each figure beside its pandas /
    /// Pillow baseline (crates/bench/baselines/*.py; needs python3 with pandas and Pillow).
    #[arg(long)]
    pub items: Option<usize>,
    /// With --items: checkpoints in the tree.
    #[arg(long, default_value_t = 10, requires = "items")]
    pub checkpoints: usize,
    /// With --items: a training run (`demo-data --series`) instead, its trajectory beside a
    /// pandas script and what the Trajectory and Checkpoints views compute.
    #[arg(long, requires = "items")]
    pub series: bool,
    /// With --items: rows of the single big results CSV.
    #[arg(long, default_value_t = 200_000, requires = "items")]
    pub csv_rows: usize,
    /// With --items or --stars: timed runs of each measurement (medians are reported).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// With --items or --stars: write (or reuse) the tree here and keep it.
    #[arg(long)]
    pub tree: Option<PathBuf>,
    /// Opening a STARS filter output of this many candidates instead, beside the Python
    /// baseline (crates/bench/baselines/python_filter_results.py).
    #[arg(long, conflicts_with = "items")]
    pub stars: Option<usize>,
}

impl CliCommand {
    /// The run folders a subcommand opens (not its output files), to check them and to replace
    /// remote URLs by their local mirrors.
    pub fn opened_paths_mut(&mut self) -> Option<&mut Vec<PathBuf>> {
        match self {
            CliCommand::Summary { paths, .. }
            | CliCommand::Screenshot(ScreenshotArgs { paths, .. })
            | CliCommand::Flips { paths, .. }
            | CliCommand::Export { paths, .. }
            | CliCommand::Agreement { paths, .. }
            | CliCommand::FilterStats { paths, .. }
            | CliCommand::Audit { paths, .. }
            | CliCommand::Trajectory { paths, .. }
            | CliCommand::Diagnostics { paths } => Some(paths),
            CliCommand::Review { action } => match action {
                ReviewAction::Import { paths, .. } | ReviewAction::Export { paths, .. } => {
                    Some(paths)
                }
            },
            CliCommand::DemoData(_) | CliCommand::Bench(_) | CliCommand::InstallDesktop { .. } => {
                None
            }
        }
    }
}

/// Replaces each remote URL among `paths` by its local mirror (fetching what changed, with
/// progress on stderr); an offline copy says so on stderr. A URL that cannot be opened at all is
/// an error naming it.
pub fn mirror_remote_paths(paths: &mut Vec<PathBuf>) -> Result<(), String> {
    use std::io::{IsTerminal as _, Write as _};
    if !paths.iter().any(|p| unisandbox_remote::is_remote(p)) {
        return Ok(());
    }
    // A terminal gets a counter rewritten in place (at most every 2%); a log gets the last line.
    let terminal = std::io::stderr().is_terminal();
    let mut shown = 0;
    let resolved = unisandbox_remote::resolve_paths(
        paths,
        None,
        unisandbox_remote::Freshness::Listed,
        |url, done, total| {
            let finished = done == total;
            if total == 0 || !(finished || terminal && (done - shown) * 50 >= total) {
                return;
            }
            shown = done;
            let line = format!("fetching {}: {done}/{total} files", url.url());
            if finished {
                shown = 0;
                eprintln!("{}{line}", if terminal { "\r" } else { "" });
            } else {
                eprint!("\r{line}");
                let _ = std::io::stderr().flush();
            }
        },
    );
    if !resolved.problems.is_empty() {
        let messages: Vec<&str> = resolved.problems.iter().map(|(_, m)| m.as_str()).collect();
        return Err(messages.join("\n"));
    }
    for diagnostic in &resolved.diagnostics {
        eprintln!("{diagnostic}");
    }
    for opened in &resolved.remote {
        if let Some(since) = opened.offline_since {
            eprintln!(
                "{}",
                unisandbox_remote::copy::offline_banner(&opened.url, since)
            );
        }
    }
    *paths = resolved.local;
    Ok(())
}

/// Why a PATH cannot be opened as a run folder, if it cannot.
pub fn unopenable(path: &std::path::Path) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some(format!("cannot open {}: not a folder", path.display())),
        Err(err) => Some(format!("cannot open {}: {err}", path.display())),
    }
}

/// Item filters shared by the subcommands that list items.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only this run (checkpoint label).
    #[arg(long)]
    pub run: Option<String>,
    /// Only this CoT setting (normal, think).
    #[arg(long)]
    pub setting: Option<String>,
    /// Only this task stem (math_3, mapping2, …).
    #[arg(long)]
    pub task: Option<String>,
    #[arg(long, value_enum)]
    pub verdict: Option<VerdictArg>,
    /// Only items with this failure label ("count +1", "reasoned right, drew wrong", …).
    #[arg(long)]
    pub failure: Option<String>,
    /// Text searched (case-insensitively) in `--search-field`: prompts, answers, judge captions,
    /// think traces and detailed prompts, the judge's full analysis.
    #[arg(long, default_value = "")]
    pub search: String,
    /// Which texts `--search` looks at.
    #[arg(long, value_enum, default_value = "all")]
    pub search_field: unisandbox_core::search::SearchField,
    /// `--search` is a regular expression (Rust `regex` syntax, case-insensitive).
    #[arg(long)]
    pub regex: bool,
    /// Only IDs the judge gave different verdicts in different runs (re-runs appended without
    /// --overwrite).
    #[arg(long)]
    pub verdict_changed: bool,
    /// Only items with this annotation tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only starred items (e.g. for a stakeholder report).
    #[arg(long)]
    pub starred: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerdictArg {
    Yes,
    No,
    JudgeError,
    ImageMissing,
    NotJudged,
    NotGenerated,
    /// A STARS filter reply without a YES/NO verdict.
    NoVerdict,
}

impl From<VerdictArg> for unisandbox_core::model::Verdict {
    fn from(v: VerdictArg) -> Self {
        use unisandbox_core::model::Verdict;
        match v {
            VerdictArg::Yes => Verdict::Yes,
            VerdictArg::No => Verdict::No,
            VerdictArg::JudgeError => Verdict::JudgeError,
            VerdictArg::ImageMissing => Verdict::ImageMissing,
            VerdictArg::NotJudged => Verdict::NotJudged,
            VerdictArg::NotGenerated => Verdict::NotGenerated,
            VerdictArg::NoVerdict => Verdict::Unparsed,
        }
    }
}

impl FilterArgs {
    /// The app's filters, plus the stem restriction (the app filters by task type instead).
    pub fn to_filters(&self) -> unisandbox_core::filters::Filters {
        unisandbox_core::filters::Filters {
            run: self.run.clone(),
            setting: self.setting.clone(),
            verdict: self.verdict.map(Into::into),
            failure: self.failure.clone(),
            search: self.search.clone(),
            search_field: self.search_field,
            search_regex: self.regex,
            verdict_changed: self.verdict_changed,
            tag: self.tag.clone(),
            starred: self.starred,
            ..Default::default()
        }
    }
}

/// Parses `1440x900`.
pub fn parse_size(text: &str) -> Option<[f32; 2]> {
    let (w, h) = text.split_once(['x', 'X'])?;
    Some([w.trim().parse().ok()?, h.trim().parse().ok()?])
}
