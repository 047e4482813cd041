//! Formats on disk → model + diagnostics. No egui; used by the app's background loader, the CLI
//! and the tests alike.

pub mod discover;
pub mod folder;
pub mod image_check;
pub mod judge;
pub mod log;
pub mod results_csv;
pub mod trace;

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;
use crate::model::Dataset;
pub use discover::{FolderSpec, discover};
pub use folder::{LoadedFolder, load_folder};

/// What loading reports as it goes, so a UI can show progress.
#[derive(Debug)]
pub enum LoadEvent {
    /// Discovery finished: this many folders will follow.
    Discovered { folders: usize },
    Folder(Box<LoadedFolder>),
    Diagnostic(Diagnostic),
}

/// Discovers every task folder beneath each path (duplicates across paths dropped).
pub fn discover_all(paths: &[PathBuf]) -> (Vec<FolderSpec>, Vec<Diagnostic>) {
    let mut specs: Vec<FolderSpec> = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        let (found, problems) = discover(path);
        diagnostics.extend(problems);
        for spec in found {
            if !specs.iter().any(|s| s.path == spec.path) {
                specs.push(spec);
            }
        }
    }
    (specs, diagnostics)
}

/// Loads the paths, reporting each step to `on_event`. A folder whose loading panics (a bug)
/// becomes a diagnostic; the others still load.
pub fn load_paths(paths: &[PathBuf], mut on_event: impl FnMut(LoadEvent)) {
    let (specs, diagnostics) = discover_all(paths);
    diagnostics.into_iter().for_each(|d| on_event(LoadEvent::Diagnostic(d)));
    on_event(LoadEvent::Discovered { folders: specs.len() });
    for spec in &specs {
        match std::panic::catch_unwind(|| load_folder(spec)) {
            Ok(loaded) => on_event(LoadEvent::Folder(Box::new(loaded))),
            Err(_) => on_event(LoadEvent::Diagnostic(Diagnostic::error(
                &spec.path,
                None,
                "internal error while loading this folder; it was skipped (please report)",
            ))),
        }
    }
}

/// Loads everything synchronously into one dataset (CLI, tests).
pub fn load_dataset(paths: &[PathBuf]) -> Dataset {
    let mut dataset = Dataset::default();
    load_paths(paths, |event| apply_event(&mut dataset, event));
    dataset
}

/// Folds one load event into a dataset; the app uses the same function.
pub fn apply_event(dataset: &mut Dataset, event: LoadEvent) {
    match event {
        LoadEvent::Discovered { .. } => {}
        LoadEvent::Folder(loaded) => {
            let LoadedFolder { folder, items, diagnostics } = *loaded;
            dataset.diagnostics.extend(diagnostics);
            dataset.push_folder(folder, items);
        }
        LoadEvent::Diagnostic(diagnostic) => dataset.diagnostics.push(diagnostic),
    }
}
