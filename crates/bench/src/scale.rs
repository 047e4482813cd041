//! `bench --items N`: how the inspector scales with the number of items, each figure beside its
//! pandas / Pillow baseline run on the same files in the same run (scripts in `baselines/`),
//! with the ratio.
//!
//! 1. writing the tree (`demo-data --items N`);
//! 2. `summary` against `crates/bench/baselines/pandas_summary.py`, whole commands, medians of alternating runs,
//!    and the two outputs checked to agree;
//! 3. opening as the window does (first rows, everything, derived, images checked) and searching;
//! 4. one results CSV of `--csv-rows` rows loaded whole, against `pandas.read_csv`;
//! 5. thumbnails of real-size 1024×1024 PNGs, against `Image.thumbnail((256, 256))`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::{BenchReport, median, ms};
use unisandbox_app::derived::Derived;
use unisandbox_core::load::{LoadEvent, apply_event, load_paths};
use unisandbox_core::model::Dataset;

pub struct ScaleOptions {
    pub items: usize,
    pub checkpoints: usize,
    pub csv_rows: usize,
    pub runs: usize,
    /// Reuse (or keep) the generated tree here instead of a temporary folder.
    pub tree: Option<PathBuf>,
}

/// The baseline scripts, shipped beside the sources.
pub(super) fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("baselines")
        .join(name)
}

pub(super) fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs a command, returning its wall time, stdout and stderr; fails on a non-zero exit.
pub(super) fn timed(command: &mut Command) -> anyhow::Result<(Duration, String, String)> {
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    anyhow::ensure!(
        output.status.success(),
        "{command:?} failed: {}",
        stderr.trim()
    );
    Ok((took, stdout, stderr))
}

/// The `elapsed_s=` a baseline script prints on stderr (its work without the imports).
pub(super) fn reported_elapsed(stderr: &str) -> Option<Duration> {
    let seconds: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("elapsed_s="))?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs_f64(seconds))
}

/// Whether the baselines can run here (python3 with pandas and Pillow).
pub(super) fn baselines_available() -> Result<(), String> {
    let probe = Command::new(python())
        .args(["-c", "import pandas, PIL"])
        .output();
    match probe {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(err) => Err(err.to_string()),
    }
}

pub(super) fn ratio(theirs: Duration, ours: Duration) -> String {
    format!(
        "{:.1}×",
        theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9)
    )
}

pub fn run_scale(dir: &Path, options: &ScaleOptions) -> anyhow::Result<BenchReport> {
    let mut lines = Vec::new();
    let runs = options.runs.max(1);
    let baselines = baselines_available();
    if let Err(why) = &baselines {
        lines.push(format!(
            "baselines skipped (python3 with pandas and Pillow not found: {why}); pip install pandas pillow"
        ));
    }

    // 1. The tree.
    let tree = options.tree.clone().unwrap_or_else(|| dir.join("tree"));
    let marker = tree.join(".bench-size");
    let size = format!("{} {}", options.items, options.checkpoints);
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(size.as_str()) {
        let _ = std::fs::remove_dir_all(&tree);
        let started = Instant::now();
        let report =
            unisandbox_demo::scale::write_scale(&tree, 7, options.checkpoints, options.items)?;
        std::fs::write(&marker, &size)?;
        lines.push(format!(
            "demo-data: {} items in {} task folders written in {:.1} s",
            report.items,
            report.folders.len(),
            started.elapsed().as_secs_f64()
        ));
    } else {
        lines.push(format!("demo-data: reusing {}", tree.display()));
    }

    // 2. summary against the pandas script, whole commands, alternating.
    let exe = std::env::current_exe()?;
    let ours = || {
        timed(
            Command::new(&exe)
                .arg("summary")
                .arg(&tree)
                .args(["--format", "json"]),
        )
    };
    let theirs = || {
        timed(
            Command::new(python())
                .arg(script("pandas_summary.py"))
                .arg(&tree),
        )
    };
    let (_, our_json, _) = ours()?;
    let mut our_times = Vec::new();
    let mut their_times = Vec::new();
    let mut their_json = String::new();
    if baselines.is_ok() {
        their_json = theirs()?.1;
    }
    for _ in 0..runs {
        our_times.push(ours()?.0);
        if baselines.is_ok() {
            their_times.push(theirs()?.0);
        }
    }
    let agree = if baselines.is_ok() {
        if summaries_agree(&our_json, &their_json)? {
            "outputs agree"
        } else {
            "OUTPUTS DIFFER"
        }
    } else {
        ""
    };
    if baselines.is_ok() {
        lines.push(format!(
            "summary ({} items): ours median {} · pandas median {} → {} faster ({runs} runs each; {agree})",
            options.items,
            ms(median(our_times.clone())),
            ms(median(their_times.clone())),
            ratio(median(their_times), median(our_times))
        ));
    } else {
        lines.push(format!("summary: ours median {}", ms(median(our_times))));
    }

    // 3. Opening as the window does.
    lines.extend(open_like_the_window(&tree, runs)?);

    // 4. One big results CSV, loaded whole.
    let csv = write_big_csv(&tree, &dir.join("big-csv"), options.csv_rows)?;
    let bytes = std::fs::metadata(&csv)?.len();
    let mut our_times = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let text = std::fs::read_to_string(&csv)?;
        let parsed = unisandbox_core::load::results_csv::parse_results_csv(&csv, &text);
        our_times.push(started.elapsed());
        rows = parsed.rows.len();
    }
    let ours_median = median(our_times);
    let mut line = format!(
        "results CSV of {rows} rows ({:.0} MB) loaded whole: ours median {} ({:.0} MB/s)",
        bytes as f64 / 1e6,
        ms(ours_median),
        bytes as f64 / 1e6 / ours_median.as_secs_f64()
    );
    if baselines.is_ok() {
        let mut their_times = Vec::new();
        for _ in 0..runs {
            let (_, out, err) = timed(
                Command::new(python())
                    .arg(script("pandas_read_csv.py"))
                    .arg(&csv),
            )?;
            anyhow::ensure!(
                out.trim() == rows.to_string(),
                "pandas read {} rows, we read {rows}",
                out.trim()
            );
            their_times.extend(reported_elapsed(&err));
        }
        let theirs = median(their_times);
        line += &format!(
            " · pandas.read_csv median {} → {} faster (both in-process, rows agree)",
            ms(theirs),
            ratio(theirs, ours_median)
        );
    }
    lines.push(line);
    lines.push(live_reload_of_a_big_csv(&tree, &csv)?);

    // 5. Thumbnails of real-size PNGs.
    lines.extend(thumbnails(&dir.join("png-1024"), runs, baselines.is_ok())?);
    Ok(BenchReport { lines })
}

/// The app's reload after an eval appends two rows to the big CSV while the tree is open too:
/// the changed folder loaded again, merged, and everything derived again (what lands on screen;
/// the watcher's 100 ms quiet time comes on top).
fn live_reload_of_a_big_csv(tree: &Path, csv: &Path) -> anyhow::Result<String> {
    use unisandbox_app::derived::{ReloadPlan, Reloaded};
    let folder = csv.parent().context("the big CSV's folder")?.to_path_buf();
    // As in a running eval, the images exist before their rows are written: generation comes
    // first. The two rows about to be appended judge two images already in the folder.
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_path(csv)?;
    let last = reader.records().last().context("the big CSV has rows")??;
    let next: u64 = last.get(0).unwrap_or("0").parse::<u64>().unwrap_or(0) + 1;
    let mut appended = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let sample_png = tree.join("ckpt-00/test/normal/math_1/1.png");
    for id in [next, next + 1] {
        let mut record: Vec<String> = last.iter().map(str::to_string).collect();
        record[0] = id.to_string();
        record[3] = format!("/eval/machine/{id}.png");
        appended.write_record(&record)?;
        let image = folder.join(format!("{id}.png"));
        if !image.exists() {
            std::fs::hard_link(&sample_png, &image)
                .or_else(|_| std::fs::copy(&sample_png, &image).map(drop))?;
        }
    }
    let appended = String::from_utf8(appended.into_inner()?)?;
    let mut state = unisandbox_app::AppState {
        data: unisandbox_app::state::LoadedData {
            dataset: unisandbox_core::load::load_dataset(&[tree.to_path_buf(), folder.clone()])
                .into(),
            ..Default::default()
        },
        opened: vec![tree.to_path_buf(), folder],
        ..Default::default()
    };
    state.derive();
    let rows = state.data.dataset.items.len();
    super::append(csv, &appended)?;
    let started = Instant::now();
    let changed = std::iter::once(csv.to_path_buf()).collect();
    let reloaded = match state.reload_plan(&changed) {
        ReloadPlan::Folders { specs, grown, .. } => {
            Reloaded::Folders(unisandbox_core::load::refresh::reload_folders(
                &state.data.dataset,
                specs,
                &grown,
                None,
            ))
        }
        ReloadPlan::Full { paths, .. } => {
            Reloaded::Full(unisandbox_core::load::load_dataset(&paths))
        }
    };
    let read = started.elapsed();
    let appended_only = matches!(&reloaded, Reloaded::Folders(folders)
        if folders.iter().all(|(_, f)| matches!(f, unisandbox_core::load::refresh::FolderReload::Appended(_))));
    let (dataset, summary) = unisandbox_app::derived::merge_reload(&state.data.dataset, reloaded);
    let mut dataset = Arc::unwrap_or_clone(dataset);
    unisandbox_app::loader::finish(&mut dataset);
    let merged = started.elapsed();
    let derived = Derived::compute_after(Some(&state.previous()), &dataset, &[]);
    let done = started.elapsed();
    anyhow::ensure!(
        summary.newly_judged == 2,
        "the reload saw {} newly judged items",
        summary.newly_judged
    );
    drop(derived);
    Ok(format!(
        "live reload with {rows} items open, 2 rows appended to the big CSV ({}): read {}, merged {}, derived {} → {} (plus the watcher's 100 ms quiet time)",
        if appended_only {
            "only the appended bytes read"
        } else {
            "FOLDER READ WHOLE"
        },
        ms(read),
        ms(merged - read),
        ms(done - merged),
        ms(done)
    ))
}

/// Both summaries list the same folders with the same totals and correct counts.
fn summaries_agree(ours: &str, theirs: &str) -> anyhow::Result<bool> {
    #[derive(serde::Deserialize, PartialEq, PartialOrd, Debug)]
    struct Row {
        run: String,
        setting: String,
        task: String,
        total: u64,
        correct: u64,
    }
    let mut a: Vec<Row> = serde_json::from_str(ours).context("our summary JSON")?;
    let mut b: Vec<Row> = serde_json::from_str(theirs).context("the pandas summary JSON")?;
    let by_name = |x: &Row, y: &Row| {
        (&x.run, &x.setting, &x.task)
            .partial_cmp(&(&y.run, &y.setting, &y.task))
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    a.sort_by(by_name);
    b.sort_by(by_name);
    Ok(a == b)
}

/// What the window's loader does, timed: first rows, all folders, derived data, images checked;
/// then a text search with the index.
pub(super) fn open_like_the_window(tree: &Path, runs: usize) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    let started = Instant::now();
    let mut first_rows = None;
    let mut dataset = Dataset::default();
    load_paths(&[tree.to_path_buf()], None, |event| {
        let is_folder = matches!(event, LoadEvent::Folder(_));
        apply_event(&mut dataset, event);
        if is_folder && first_rows.is_none() && !dataset.items.is_empty() {
            first_rows = Some(started.elapsed());
        }
    });
    let loaded = started.elapsed();
    let derived = Derived::compute(&dataset, &[]);
    let derived_at = started.elapsed();
    let corrupt = unisandbox_core::load::image_check::check_images(&dataset);
    let checked_at = started.elapsed();
    lines.push(format!(
        "open ({} items, {} folders) as the window does: first rows after {}, all loaded {}, \
         indexed (audit, taxonomy, item index, search) {}, images checked {} ({} broken); RSS now {}",
        dataset.items.len(),
        dataset.folders.len(),
        ms(first_rows.unwrap_or_default()),
        ms(loaded),
        ms(derived_at),
        ms(checked_at),
        corrupt.len(),
        rss().unwrap_or_else(|| "?".into())
    ));
    use unisandbox_core::search::SearchField;
    let trace_bytes: usize = dataset
        .items
        .iter()
        .flat_map(|i| &i.parts)
        .filter_map(|p| p.trace.as_ref())
        .map(|t| t.reasoning.len() + t.detailed_prompt.as_ref().map_or(0, String::len))
        .sum();
    let analysis_bytes: usize = dataset
        .items
        .iter()
        .flat_map(|i| &i.parts)
        .filter_map(|p| p.analysis.as_ref())
        .map(|a| a.phase1.len() + a.phase2.len())
        .sum();
    lines.push(format!(
        "searchable text: traces {:.0} MB, judge analyses {:.0} MB",
        trace_bytes as f64 / 1e6,
        analysis_bytes as f64 / 1e6
    ));
    let searches: [(&str, SearchField, bool); 8] = [
        ("balloons", SearchField::All, false),
        ("rule 2: the letter m", SearchField::All, false),
        ("person: a young", SearchField::All, false),
        ("evaluate it first", SearchField::Trace, false),
        ("zebra", SearchField::Trace, false),
        (r"\b(three|four) (cats|cups)\b", SearchField::Trace, true),
        (r"score: (yes|no)\*\*", SearchField::Analysis, true),
        (r"\b[3-5] (cups|balloons)\b", SearchField::All, true),
    ];
    // The same trace queries with pandas' `str.contains` over the traces (query time alone).
    let trace_queries: Vec<String> = searches
        .iter()
        .filter(|(_, field, _)| *field == SearchField::Trace)
        .map(|(text, _, regex)| format!("{}:{text}", if *regex { "regex" } else { "plain" }))
        .collect();
    let pandas: Vec<(u64, Duration)> = match baselines_available() {
        Ok(()) => timed(
            Command::new(python())
                .arg(script("pandas_search.py"))
                .arg(tree)
                .arg(runs.to_string())
                .args(&trace_queries),
        )?
        .1
        .lines()
        .filter_map(|line| {
            let (hits, seconds) = line.split_once('\t')?;
            Some((
                hits.parse().ok()?,
                Duration::from_secs_f64(seconds.parse().ok()?),
            ))
        })
        .collect(),
        Err(_) => Vec::new(),
    };
    let mut pandas = pandas.into_iter();
    for (text, field, regex) in searches {
        let filters = unisandbox_core::filters::Filters {
            search: text.into(),
            search_field: field,
            search_regex: regex,
            ..Default::default()
        };
        let mut times = Vec::new();
        let mut found = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            found = unisandbox_core::filters::filter_items_with(
                &dataset,
                &filters,
                &derived.insights,
                &Default::default(),
                Some(&derived.search),
            );
            times.push(started.elapsed());
        }
        // The same search without the index: every item's text scanned.
        let scanned = unisandbox_core::filters::filter_items_with(
            &dataset,
            &filters,
            &derived.insights,
            &Default::default(),
            None,
        );
        anyhow::ensure!(
            found == scanned,
            "search {text:?} in {}: the index found {} items, a scan {}",
            field.label(),
            found.len(),
            scanned.len()
        );
        let ours = median(times);
        let beside = match (field == SearchField::Trace)
            .then(|| pandas.next())
            .flatten()
        {
            Some((hits, theirs)) => format!(
                "; pandas str.contains over the traces: {hits} trace records in {} ({} ours)",
                ms(theirs),
                ratio(theirs, ours)
            ),
            None => String::new(),
        };
        lines.push(format!(
            "search {text:?} in {}{}: {} hits in median {} (equal to a scan of every item){beside}",
            field.label(),
            if regex { " (regex)" } else { "" },
            found.len(),
            ms(ours)
        ));
    }
    Ok(lines)
}

/// Resident memory of this process now (VmRSS), as "123 MB".
pub(super) fn rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(format!("{:.0} MB", kb / 1024.0))
}

/// One math results CSV of `rows` rows: the tree's first math CSV, rows repeated with new IDs.
fn write_big_csv(tree: &Path, dir: &Path, rows: usize) -> anyhow::Result<PathBuf> {
    let source = tree.join("ckpt-00/test/normal/math_1/evaluation_results.csv");
    let mut reader =
        csv::Reader::from_path(&source).with_context(|| format!("reading {}", source.display()))?;
    let header = reader.headers()?.clone();
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    anyhow::ensure!(!records.is_empty(), "{} has no rows", source.display());
    std::fs::create_dir_all(dir)?;
    let path = dir.join(unisandbox_core::load::discover::RESULTS_CSV);
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(&path)?;
    writer.write_record(&header)?;
    // Every row's image is there, as in a real run (hard links to one PNG of the tree).
    let sample_png = tree.join("ckpt-00/test/normal/math_1/1.png");
    for row in 0..rows {
        let id = row + 1;
        let mut record: Vec<String> = records[row % records.len()]
            .iter()
            .map(str::to_string)
            .collect();
        record[0] = id.to_string();
        record[3] = format!("/eval/machine/{id}.png");
        writer.write_record(&record)?;
        let image = dir.join(format!("{id}.png"));
        if !image.exists() {
            std::fs::hard_link(&sample_png, &image)
                .or_else(|_| std::fs::copy(&sample_png, &image).map(drop))?;
        }
    }
    writer.flush()?;
    Ok(path)
}

/// Thumbnails (≤256 px) of 1024×1024 PNGs with noise, as real generations compress: the app's
/// decoder on one thread and on the app's four decode threads, against Pillow on one.
fn thumbnails(dir: &Path, runs: usize, with_pillow: bool) -> anyhow::Result<Vec<String>> {
    use rand::{Rng, SeedableRng};
    std::fs::create_dir_all(dir)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut files = Vec::new();
    for i in 0..100 {
        let path = dir.join(format!("{i}.png"));
        if !path.exists() {
            let image = image::RgbImage::from_fn(1024, 1024, |x, y| {
                let base = [(x / 4) as u8, (y / 4) as u8, ((x + y) / 8) as u8];
                let noise: u8 = rng.random_range(0..24);
                image::Rgb(base.map(|c| c.wrapping_add(noise + i as u8)))
            });
            image.save(&path)?;
        }
        files.push(path);
    }
    let decode_all = |threads: usize| -> anyhow::Result<Duration> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let started = Instant::now();
        pool.install(|| {
            use rayon::prelude::*;
            files.par_iter().try_for_each(|f| {
                unisandbox_app::image_cache::decode(f, 256)
                    .map(|_| ())
                    .map_err(anyhow::Error::msg)
            })
        })?;
        Ok(started.elapsed())
    };
    let per_second = |d: Duration| files.len() as f64 / d.as_secs_f64();
    let one: Vec<Duration> = (0..runs).map(|_| decode_all(1)).collect::<Result<_, _>>()?;
    let four: Vec<Duration> = (0..runs).map(|_| decode_all(4)).collect::<Result<_, _>>()?;
    let (one, four) = (median(one), median(four));
    let mut line = format!(
        "thumbnails of {} 1024×1024 PNGs: ours {:.0}/s on one thread, {:.0}/s on the app's 4 decode threads",
        files.len(),
        per_second(one),
        per_second(four)
    );
    if with_pillow {
        let mut times = Vec::new();
        for _ in 0..runs {
            let (_, _, err) = timed(
                Command::new(python())
                    .arg(script("pillow_thumbnails.py"))
                    .args(&files),
            )?;
            times.extend(reported_elapsed(&err));
        }
        let pillow = median(times);
        line += &format!(
            " · Pillow {:.0}/s → {} (one thread each), {} (as the app decodes)",
            per_second(pillow),
            ratio(pillow, one),
            ratio(pillow, four)
        );
    }
    // A screen of thumbnails visited twice: the second time from the disk store.
    let store_path = dir.join("thumbnails.sqlite");
    let _ = std::fs::remove_file(&store_path);
    let store = unisandbox_app::thumbnail_store::ThumbnailStore::open(
        &store_path,
        unisandbox_app::thumbnail_store::DEFAULT_BUDGET_BYTES,
    )?;
    let side = unisandbox_app::image_cache::THUMBNAIL_SIDE;
    let visit = || -> anyhow::Result<Duration> {
        let started = Instant::now();
        for file in &files {
            unisandbox_app::image_cache::thumbnail_via_store(file, side, &store)
                .map_err(anyhow::Error::msg)?;
        }
        Ok(started.elapsed())
    };
    let first = visit()?;
    let second: Vec<Duration> = (0..runs).map(|_| visit()).collect::<Result<_, _>>()?;
    let second = median(second);
    let second_line = format!(
        "a screen of {} thumbnails ({side} px) on one thread: first visit {}, second visit from the disk store {} ({:.2} ms each)",
        files.len(),
        ms(first),
        ms(second),
        second.as_secs_f64() * 1000.0 / files.len() as f64
    );
    Ok(vec![line, second_line])
}
