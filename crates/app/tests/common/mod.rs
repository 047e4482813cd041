//! Helpers shared by the egui_kittest suites: generated runs and a harness around the real app.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use unisandbox_app::{InspectorApp, StartOptions, View};

pub fn generated_runs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::write_demo(dir.path(), 7).unwrap();
    dir
}

pub fn harness(path: &Path, view: View) -> Harness<'static, InspectorApp> {
    // Annotations live beside the generated runs, never in the user's data directory.
    let annotations = Some(path.join("annotations.sqlite"));
    let options = StartOptions {
        paths: vec![path.to_path_buf()],
        view,
        screenshot: None,
        annotations,
        ..StartOptions::default()
    };
    harness_with(options)
}

/// Steps the app until background loading and image decoding are done.
pub fn wait_until_idle(harness: &mut Harness<'static, InspectorApp>) {
    let start = Instant::now();
    loop {
        harness.step();
        if harness.state().is_idle() && harness.state().state.progress.finished {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "loading did not finish"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run_steps(3);
}

/// A harness on `options` (annotations must already point into a temp dir).
pub fn harness_with(options: StartOptions) -> Harness<'static, InspectorApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| InspectorApp::new(&cc.egui_ctx, options));
    wait_until_idle(&mut harness);
    harness
}

/// Steps the app until `done` holds, failing after `limit`.
pub fn step_until(
    harness: &mut Harness<'static, InspectorApp>,
    limit: Duration,
    what: &str,
    mut done: impl FnMut(&InspectorApp) -> bool,
) {
    let start = Instant::now();
    loop {
        harness.step();
        if done(harness.state()) {
            return;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How many items the judge has scored (not "not judged yet").
pub fn judged(app: &InspectorApp) -> usize {
    app.state
        .data
        .dataset
        .items
        .iter()
        .filter(|i| i.verdict.is_judged())
        .count()
}
