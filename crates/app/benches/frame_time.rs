//! CPU per frame of the real app (egui_kittest, no GPU): a generated tree of N items is opened,
//! then the list and the grid are scrolled end to end, filters set, a search typed and the views
//! switched, timing every frame. Prints median and p99 per scenario and over all frames.
//!
//!   cargo bench --bench frame_time                 # 100,000 items
//!   cargo bench --bench frame_time -- 100000 1000000
//!   cargo bench --bench frame_time -- stars:64000  # one STARS filter output of 64k candidates
//!   cargo bench --bench frame_time -- series:100   # a training run of 100 checkpoints × 1,900
//!
//! A training run adds the Trajectory view (lines toggled, a dynamics count opened) and the
//! Checkpoints strip (stepped end to end, moving to the next item on the way).
//!
//! Trees are generated once under target/bench-trees/ and reused.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use unisandbox_app::{Command, InspectorApp, StartOptions, View};
use unisandbox_core::filters::Filters;

/// A generated tree under target/bench-trees/NAME, written once and reused.
fn cached_tree(name: &str, write: impl FnOnce(&Path)) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-trees")
        .join(name);
    let marker = dir.join(".complete");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        write(&dir);
        std::fs::write(&marker, "").expect("marking the tree");
        eprintln!("wrote {name} in {:.1} s", started.elapsed().as_secs_f64());
    }
    dir
}

fn tree(items: usize) -> PathBuf {
    cached_tree(&format!("items-{items}"), |dir| {
        unisandbox_demo::scale::write_scale(dir, 7, 10, items).expect("writing the tree");
    })
}

/// A STARS filter output of `candidates` candidates (one `filter_results.json`).
fn stars_tree(candidates: usize) -> PathBuf {
    cached_tree(&format!("stars-{candidates}"), |dir| {
        unisandbox_demo::stars::write_filter_output(dir, 7, candidates)
            .expect("writing the filter output");
    })
}

/// A training run of `checkpoints` checkpoints of the upstream benchmark's size (1,900 items).
fn series_tree(checkpoints: usize) -> PathBuf {
    cached_tree(&format!("series-{checkpoints}"), |dir| {
        unisandbox_demo::series::write_series(dir, 7, checkpoints, checkpoints * 1900)
            .expect("writing the training run");
    })
}

struct Frames {
    name: &'static str,
    times: Vec<Duration>,
}

fn step(harness: &mut Harness<'static, InspectorApp>, frames: &mut Frames) {
    let started = Instant::now();
    harness.step();
    frames.times.push(started.elapsed());
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(frames: &Frames) -> String {
    let mut sorted = frames.times.clone();
    sorted.sort();
    format!(
        "{:<28} {:>5} frames  median {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
        frames.name,
        sorted.len(),
        percentile(&sorted, 0.5).as_secs_f64() * 1000.0,
        percentile(&sorted, 0.99).as_secs_f64() * 1000.0,
        sorted.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    )
}

fn run(items: usize, path: PathBuf) {
    let annotations =
        std::env::temp_dir().join(format!("frame-bench-{}.sqlite", std::process::id()));
    let options = StartOptions {
        paths: vec![path],
        view: View::Items,
        annotations: Some(annotations.clone()),
        live_reload: false,
        ..StartOptions::default()
    };
    let started = Instant::now();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_eframe(move |cc| InspectorApp::new(&cc.egui_ctx, options));
    let mut loading = Frames {
        name: "while loading",
        times: Vec::new(),
    };
    let mut first_rows = None;
    loop {
        step(&mut harness, &mut loading);
        let app = harness.state();
        if first_rows.is_none() && !app.state.ui.filtered.is_empty() {
            first_rows = Some(started.elapsed());
        }
        if app.is_idle() && app.state.progress.finished {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    println!(
        "{items} items: first rows after {:.2} s, loaded and indexed after {:.2} s",
        first_rows.unwrap_or_default().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let mut all = Vec::new();
    all.push(loading);

    // Scroll a view end to end: 300 frames, each moving the selection a 300th of the list.
    let scroll = |harness: &mut Harness<'static, InspectorApp>, view: View, name| {
        let mut frames = Frames {
            name,
            times: Vec::new(),
        };
        harness.state_mut().push_command(Command::SetView(view));
        step(harness, &mut frames);
        let rows = harness.state().state.ui.filtered.len() as i64;
        for _ in 0..300 {
            harness
                .state_mut()
                .push_command(Command::MoveSelection((rows / 300).max(1)));
            step(harness, &mut frames);
        }
        frames
    };
    all.push(scroll(&mut harness, View::Items, "list: scroll end to end"));
    all.push(scroll(&mut harness, View::Grid, "grid: scroll end to end"));

    let mut filtering = Frames {
        name: "filters",
        times: Vec::new(),
    };
    let settings = ["think", "normal"];
    for round in 0..20 {
        let filters = Filters {
            setting: Some(settings[round % 2].to_string()),
            verdict: (round % 3 == 0).then_some(unisandbox_core::model::Verdict::No),
            ..Filters::default()
        };
        harness
            .state_mut()
            .push_command(Command::SetFilters(filters));
        step(&mut harness, &mut filtering);
        step(&mut harness, &mut filtering);
    }
    all.push(filtering);

    let mut searching = Frames {
        name: "search, one key at a time",
        times: Vec::new(),
    };
    harness
        .state_mut()
        .push_command(Command::SetView(View::Items));
    step(&mut harness, &mut searching);
    let mut typed = String::new();
    for key in "balloons".chars() {
        typed.push(key);
        let filters = Filters {
            search: typed.clone(),
            ..Filters::default()
        };
        harness
            .state_mut()
            .push_command(Command::SetFilters(filters));
        step(&mut harness, &mut searching);
        step(&mut harness, &mut searching);
    }
    all.push(searching);

    let mut switching = Frames {
        name: "switch views",
        times: Vec::new(),
    };
    for view in [
        View::Grid,
        View::Compare,
        View::Charts,
        View::Diagnostics,
        View::Items,
        View::Start,
        View::Items,
    ] {
        harness.state_mut().push_command(Command::SetView(view));
        for _ in 0..3 {
            step(&mut harness, &mut switching);
            if switching.times.last().is_some_and(|t| t.as_millis() > 30) {
                eprintln!(
                    "slow frame switching to {view:?}: {:?}",
                    switching.times.last()
                );
            }
        }
    }
    all.push(switching);

    if !harness.state().state.ui.charts.trajectory.series.is_empty() || items_of_series(&harness) {
        all.extend(training_run_frames(&mut harness));
    }

    let mut every = Frames {
        name: "all frames after loading",
        times: all[1..].iter().flat_map(|f| f.times.clone()).collect(),
    };
    for frames in &all {
        println!("  {}", report(frames));
    }
    println!("  {}", report(&every));
    every.times.clear();
    drop(harness);
    let _ = std::fs::remove_file(&annotations);
}

/// Whether the opened runs form a training run (after the Charts counts are done).
fn items_of_series(harness: &Harness<'static, InspectorApp>) -> bool {
    let data = &harness.state().state.data.dataset;
    !unisandbox_core::analysis::trajectory::series_of(&data.runs(), None).is_empty()
}

/// Trajectory: lines toggled, a dynamics count opened; the strip stepped end to end.
fn training_run_frames(harness: &mut Harness<'static, InspectorApp>) -> Vec<Frames> {
    use egui_kittest::kittest::Queryable as _;
    let mut trajectory = Frames {
        name: "trajectory: toggle lines",
        times: Vec::new(),
    };
    harness
        .state_mut()
        .push_command(Command::SetView(View::Trajectory));
    // The counts run once in the background; their frames are the loading kind.
    // (Commands apply after a frame is drawn: the second frame shows the view.)
    harness.step();
    while !harness.state().is_idle() {
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
    for round in 0..6 {
        for label in ["think", "Math L1", "Mapping L1", "think − normal"] {
            harness
                .get_by_role_and_label(egui::accesskit::Role::CheckBox, label)
                .click();
            step(harness, &mut trajectory);
            step(harness, &mut trajectory);
        }
        if round == 0 {
            step(harness, &mut trajectory);
        }
    }
    let mut strip = Frames {
        name: "strip: step through checkpoints",
        times: Vec::new(),
    };
    harness
        .state_mut()
        .push_command(Command::SetView(View::Items));
    harness.state_mut().push_command(Command::MoveSelection(1));
    step(harness, &mut strip);
    harness
        .state_mut()
        .push_command(Command::SetView(View::Strip));
    step(harness, &mut strip);
    let checkpoints = harness
        .state()
        .state
        .ui
        .charts
        .trajectory
        .series
        .first()
        .map_or(0, |s| s.runs.len());
    for at in 0..checkpoints.min(600) {
        let command = if at % 50 == 49 {
            Command::MoveSelection(1)
        } else {
            Command::StripMove(1)
        };
        harness.state_mut().push_command(command);
        step(harness, &mut strip);
    }
    vec![trajectory, strip]
}

fn main() {
    let trees: Vec<(usize, PathBuf)> = std::env::args()
        .skip(1)
        .filter_map(|a| {
            if let Some(n) = a.strip_prefix("stars:") {
                return n.parse().ok().map(|n| (n, stars_tree(n)));
            }
            if let Some(k) = a.strip_prefix("series:") {
                return k.parse().ok().map(|k: usize| (k * 1900, series_tree(k)));
            }
            a.parse().ok().map(|n| (n, tree(n)))
        })
        .collect();
    let trees = if trees.is_empty() {
        vec![(100_000, tree(100_000))]
    } else {
        trees
    };
    for (items, path) in trees {
        run(items, path);
    }
}
