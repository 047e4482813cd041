//! Formats on disk → model + diagnostics. No egui; used by the app's background loader, the CLI
//! and the tests alike.

pub mod append;
pub mod append_traces;
pub mod benchmark;
pub mod changes;
pub mod confine;
pub mod count;
pub mod csv_scan;
pub mod discover;
pub mod folder;
pub mod folder_traces;
pub mod image_check;
pub mod judge;
pub mod listing;
pub mod log;
pub mod refresh;
pub mod reruns;
pub mod results_csv;
pub mod spec;
pub mod stars;
pub(crate) mod text_file;
pub mod trace;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::model::Dataset;
pub use discover::discover;
pub use spec::FolderSpec;
pub use spec::LoadedFolder;

/// What loading reports as it goes, so a UI can show progress.
#[derive(Debug)]
pub enum LoadEvent {
    /// Discovery finished: this many folders will follow.
    Discovered {
        folders: usize,
    },
    Folder(Box<LoadedFolder>),
    Diagnostic(Diagnostic),
}

/// Loads one folder: a STARS filter output or an eval's task folder. Never fails: whatever
/// cannot be read becomes a diagnostic.
pub fn load_folder(spec: &FolderSpec) -> LoadedFolder {
    if let Some(companion) = &spec.companion {
        return crate::companion::load::load_companion_folder(spec, companion);
    }
    match &spec.filter_images {
        Some(image_folders) => stars::load_filter_folder(spec, image_folders),
        None => folder::load_task_folder(spec),
    }
}

/// Discovers every task folder beneath each path (duplicates across paths dropped).
pub fn discover_all(paths: &[PathBuf]) -> (Vec<FolderSpec>, Vec<Diagnostic>) {
    discover_all_as(paths, discover::Purpose::Load)
}

/// `discover_all` for a purpose (counting looks for results CSVs only).
pub fn discover_all_as(
    paths: &[PathBuf],
    purpose: discover::Purpose,
) -> (Vec<FolderSpec>, Vec<Diagnostic>) {
    let mut specs: Vec<FolderSpec> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        let (mut found, problems) = discover::discover_as(path, purpose);
        diagnostics.extend(problems);
        if purpose == discover::Purpose::Load
            && let Ok(root) = path.canonicalize()
        {
            add_companion_outputs(&root, &mut found);
        }
        for spec in found {
            if seen.insert((spec.path.clone(), spec.stem.clone())) {
                specs.push(spec);
            }
        }
    }
    (specs, diagnostics)
}

/// GenEval and WISE outputs beside the runs: their folders of samples are not UniSandbox task
/// folders, and each output becomes one task folder per tag / category.
fn add_companion_outputs(root: &Path, specs: &mut Vec<FolderSpec>) {
    let (geneval, wise) = crate::companion::discover::discover(root);
    if geneval.is_empty() && wise.is_empty() {
        return;
    }
    let outputs: Vec<&Path> = geneval
        .iter()
        .map(|g| g.dir.as_path())
        .chain(wise.iter().map(|w| w.dir.as_path()))
        .collect();
    specs.retain(|spec| !outputs.iter().any(|dir| spec.path.starts_with(dir)));
    for run in &geneval {
        specs.extend(crate::companion::load::geneval_specs(run, root));
    }
    for run in &wise {
        specs.extend(crate::companion::load::wise_specs(run, root));
    }
}

/// Loads the paths, reporting each step to `on_event`. A folder whose loading panics (a bug)
/// becomes a diagnostic; the others still load. Images are only looked up in folder listings:
/// `image_check::check_images` opens them afterwards. With a benchmark (file or folder of JSONL),
/// questions without an image become "not generated" items.
pub fn load_paths(
    paths: &[PathBuf],
    benchmark: Option<&Path>,
    mut on_event: impl FnMut(LoadEvent),
) {
    let (specs, diagnostics) = discover_all(paths);
    diagnostics
        .into_iter()
        .for_each(|d| on_event(LoadEvent::Diagnostic(d)));
    let benchmark = benchmark.map(|path| {
        let (benchmark, problems) = benchmark::read_benchmark(path);
        problems
            .into_iter()
            .for_each(|d| on_event(LoadEvent::Diagnostic(d)));
        benchmark
    });
    on_event(LoadEvent::Discovered {
        folders: specs.len(),
    });
    // Folders load on all cores; events still go out in discovery order (a folder waits for
    // the ones before it), so the dataset is the same whatever finishes first.
    let load_one = |spec: &FolderSpec| {
        let load = || {
            let mut loaded = load_folder(spec);
            if let Some(benchmark) = &benchmark {
                benchmark.fill(&mut loaded);
            }
            loaded
        };
        match std::panic::catch_unwind(load) {
            Ok(loaded) => LoadEvent::Folder(Box::new(loaded)),
            Err(panic) => LoadEvent::Diagnostic(Diagnostic::error(
                &spec.path,
                None,
                format!(
                    "internal error while loading this folder ({}); it was skipped (please report)",
                    crate::panic_message(&*panic)
                ),
            )),
        }
    };
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, LoadEvent)>();
    let next_folder = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(specs.len()) {
            let sender = sender.clone();
            let (next_folder, specs, load_one) = (&next_folder, &specs, &load_one);
            // Workers take folders in order, so the first ones arrive first.
            scope.spawn(move || {
                loop {
                    let index = next_folder.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(spec) = specs.get(index) else { break };
                    if sender.send((index, load_one(spec))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for (index, event) in receiver {
            waiting.insert(index, event);
            while let Some(event) = waiting.remove(&next) {
                on_event(event);
                next += 1;
            }
        }
    });
}

/// Loads everything synchronously into one dataset (CLI, tests), images checked.
pub fn load_dataset(paths: &[PathBuf]) -> Dataset {
    load_dataset_with_benchmark(paths, None)
}

/// `load_dataset` with the benchmark JSONL (file or folder) for "not generated" items.
pub fn load_dataset_with_benchmark(paths: &[PathBuf], benchmark: Option<&Path>) -> Dataset {
    let mut dataset = Dataset::default();
    load_paths(paths, benchmark, |event| apply_event(&mut dataset, event));
    let corrupt = image_check::check_images(&dataset);
    image_check::apply_image_checks(&mut dataset, corrupt);
    dataset
}

/// Folds one load event into a dataset; the app uses the same function.
pub fn apply_event(dataset: &mut Dataset, event: LoadEvent) {
    match event {
        LoadEvent::Discovered { .. } => {}
        LoadEvent::Folder(loaded) => {
            let LoadedFolder {
                folder,
                items,
                diagnostics,
            } = *loaded;
            dataset.diagnostics.extend(diagnostics);
            dataset.push_folder(folder, items);
        }
        LoadEvent::Diagnostic(diagnostic) => dataset.diagnostics.push(diagnostic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;

    fn write(path: &std::path::Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_bad_folder_does_not_stop_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let test = dir.path().join("ckpt/test");
        write(
            &test.join("normal/math_1/evaluation_results.csv"),
            "what,is,this\r\n1,2,3\r\n",
        );
        write(
            &test.join("normal/math_2/evaluation_results.csv"),
            "ID,Question,Answer,Image_Path,Result,Score,Analysis\r\n1,Q,1 cup,/x/1.png,YES,1,ok\r\n2,Q,2 cups,/x/2.png,NO\r\n",
        );
        write(
            &test.join("think/math_2/output.jsonl"),
            "{\"prompt_id\": \"1\", \"image_file\": \"1.png\", \"think_output\": \"<think>t</think>\"}\n{broken\n",
        );
        write(&test.join("think/math_2/1.png"), "not really a png");

        let data = load_dataset(&[dir.path().to_path_buf()]);
        let stems: Vec<String> = data
            .folders
            .iter()
            .map(|f| format!("{}/{}", f.setting, f.stem))
            .collect();
        assert_eq!(stems, ["normal/math_1", "normal/math_2", "think/math_2"]);
        let math_2 = data
            .items
            .iter()
            .find(|i| data.folder_of(i).stem == "math_2" && data.folder_of(i).setting == "normal")
            .unwrap();
        assert_eq!((math_2.id.as_str(), math_2.verdict), ("1", Verdict::Yes));
        let unjudged = data
            .items
            .iter()
            .find(|i| data.folder_of(i).setting == "think")
            .unwrap();
        assert_eq!(unjudged.verdict, Verdict::NotJudged);
        assert!(unjudged.parts[0].trace.is_some());

        let said = |needle: &str, line: Option<u64>| {
            data.diagnostics
                .iter()
                .any(|d| d.message.contains(needle) && d.line == line)
        };
        assert!(
            said("unknown CSV header", Some(1)),
            "{:#?}",
            data.diagnostics
        );
        assert!(said("row has 5 fields", Some(3)), "{:#?}", data.diagnostics);
        assert!(said("not valid JSON", Some(2)), "{:#?}", data.diagnostics);
        assert!(said("corrupt image", None), "{:#?}", data.diagnostics);
        assert!(
            data.diagnostics
                .iter()
                .all(|d| d.file.starts_with(dir.path().canonicalize().unwrap()))
        );
    }
}
