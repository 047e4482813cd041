//! `bench`: measures the figures BENCHMARKS.md records, with the app's own components and our
//! own generated runs — load time of a large folder, live-reload latency (file written → new data
//! ready), and thumbnail decode time. Results go to BENCHMARKS.md by hand.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::collections::BTreeSet;

use unisandbox_app::AppState;
use unisandbox_app::derived::{ReloadPlan, Reloaded};
use unisandbox_app::watcher::{FolderWatcher, ReloadTimer};
use unisandbox_core::load::{discover::RESULTS_CSV, load_dataset, refresh};

pub mod scale;
pub mod series;
pub mod stars;

pub struct BenchReport {
    pub lines: Vec<String>,
}

/// Splits a DictWriter CSV into its header and its records, each re-serialized with CRLF.
fn csv_records(path: &Path) -> anyhow::Result<(String, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)?;
    let mut records = Vec::new();
    for record in reader.records() {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(&record?)?;
        records.push(String::from_utf8(writer.into_inner()?)?);
    }
    anyhow::ensure!(!records.is_empty(), "{} is empty", path.display());
    let header = records.remove(0);
    Ok((header, records))
}

pub(crate) fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// Writes `copies` generated checkpoint pairs under `dir` and measures; `dir` is left behind.
pub fn run_bench(dir: &Path, copies: usize, trials: usize) -> anyhow::Result<BenchReport> {
    let mut lines = Vec::new();
    let copies = copies.max(1);
    let mut roots: Vec<PathBuf> = Vec::new();
    for copy in 0..copies {
        let root = dir.join(format!("copy{copy:02}"));
        unisandbox_demo::write_demo(&root, 7 + copy as u64)?;
        roots.push(root);
    }

    // 1. Opening: everything loaded, as the CLI and the app's loader do it.
    let start = Instant::now();
    let dataset = load_dataset(&[dir.to_path_buf()]);
    let took = start.elapsed();
    let images: usize = dataset.items.iter().map(|i| i.parts.len()).sum();
    lines.push(format!(
        "open: {} task folders, {} items, {images} images loaded in {} ({:.0} items/s)",
        dataset.folders.len(),
        dataset.items.len(),
        ms(took),
        dataset.items.len() as f64 / took.as_secs_f64()
    ));

    // 2. Live reload: an eval appends two rows; time until a reloaded dataset has them.
    let folder = roots[0].join("bagel-base/test/normal/math_1");
    let csv = folder.join(RESULTS_CSV);
    let (header, records) = csv_records(&csv)?;
    let judged_at_start = 2;
    std::fs::write(
        &csv,
        format!("{header}{}", records[..judged_at_start].concat()),
    )?;
    let mut state = AppState {
        data: unisandbox_app::state::LoadedData {
            dataset: load_dataset(&[dir.to_path_buf()]).into(),
            ..Default::default()
        },
        opened: vec![dir.to_path_buf()],
        ..AppState::default()
    };
    state.derive();
    let watcher = FolderWatcher::new(&[dir.to_path_buf()], || {})?;
    std::thread::sleep(Duration::from_millis(200));
    let _ = watcher.changed_paths();
    let mut latencies = Vec::new();
    let mut reload_times = Vec::new();
    let mut derive_times = Vec::new();
    let trials = trials.clamp(1, (records.len() - judged_at_start) / 2);
    for trial in 0..trials {
        let next = judged_at_start + trial * 2;
        append(&csv, &records[next..next + 2].concat())?;
        let written = Instant::now();
        let mut timer = ReloadTimer::default();
        let mut changed = BTreeSet::new();
        loop {
            let now_changed = watcher.changed_paths();
            if !now_changed.is_empty() {
                timer.changed(Instant::now());
                changed.extend(now_changed);
            }
            if timer.is_due(Instant::now()) {
                // What the app does: reload the touched folders (or all), then derive.
                let reload_start = Instant::now();
                let reloaded = match state.reload_plan(&changed) {
                    ReloadPlan::Folders { specs, grown, .. } => Reloaded::Folders(
                        refresh::reload_folders(&state.data.dataset, specs, &grown, None),
                    ),
                    ReloadPlan::Full { paths, .. } => Reloaded::Full(load_dataset(&paths)),
                };
                let summary = state.apply_reload(reloaded);
                reload_times.push(reload_start.elapsed());
                let derive_start = Instant::now();
                state.derive();
                derive_times.push(derive_start.elapsed());
                timer.reset();
                changed.clear();
                if summary.newly_judged >= 2 {
                    latencies.push(written.elapsed());
                    break;
                }
            }
            anyhow::ensure!(
                written.elapsed() < Duration::from_secs(10),
                "no reload within 10 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(300));
        let _ = watcher.changed_paths();
    }
    lines.push(format!(
        "live reload: rows appended → new data on screen, median {} (max {}) over {trials} appends; \
         reloading the changed folder median {}, recomputing audit/taxonomy/index median {}",
        ms(median(latencies.clone())),
        ms(latencies.iter().max().copied().unwrap_or_default()),
        ms(median(reload_times)),
        ms(median(derive_times)),
    ));
    // A new task folder (or one deleted) needs everything loaded again.
    let start = Instant::now();
    let full = load_dataset(&[dir.to_path_buf()]);
    let full_time = start.elapsed();
    let mut full_state = AppState {
        data: unisandbox_app::state::LoadedData {
            dataset: full.into(),
            ..Default::default()
        },
        ..AppState::default()
    };
    let start = Instant::now();
    full_state.derive();
    lines.push(format!(
        "full reload (a folder appeared or vanished): {} + {} recomputing",
        ms(full_time),
        ms(start.elapsed())
    ));

    // 3. Grid thumbnails: decode + downscale time per PNG (on the background pool in the app).
    let pngs: Vec<PathBuf> = dataset
        .items
        .iter()
        .flat_map(|i| i.parts.iter())
        .filter(|p| p.image_status == unisandbox_core::model::ImageStatus::Present)
        .map(|p| p.image_path.clone())
        .take(200)
        .collect();
    let start = Instant::now();
    for png in &pngs {
        unisandbox_app::image_cache::decode(png, unisandbox_app::image_cache::THUMBNAIL_SIDE)
            .map_err(anyhow::Error::msg)?;
    }
    let per = start.elapsed() / pngs.len().max(1) as u32;
    lines.push(format!(
        "thumbnails: {} PNGs decoded at ≤{} px, {:.2} ms each on one thread",
        pngs.len(),
        unisandbox_app::image_cache::THUMBNAIL_SIDE,
        per.as_secs_f64() * 1000.0
    ));
    // The generated PNGs are 256 px; real generations are 1024². Time one of those too.
    if let Some(first) = pngs.first() {
        let small = image::open(first)?;
        let big = small.resize_exact(1024, 1024, image::imageops::FilterType::Triangle);
        let big_path = dir.join("bench-1024.png");
        big.save(&big_path)?;
        let start = Instant::now();
        let rounds = 20;
        for _ in 0..rounds {
            unisandbox_app::image_cache::decode(
                &big_path,
                unisandbox_app::image_cache::THUMBNAIL_SIDE,
            )
            .map_err(anyhow::Error::msg)?;
        }
        lines.push(format!(
            "thumbnails: a 1024×1024 PNG decoded and scaled to ≤{} px in {:.1} ms",
            unisandbox_app::image_cache::THUMBNAIL_SIDE,
            start.elapsed().as_secs_f64() * 1000.0 / rounds as f64
        ));
    }
    Ok(BenchReport { lines })
}
