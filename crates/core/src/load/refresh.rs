//! Live reload of just the folders that changed: which task folders a set of changed files
//! touches, and splicing their fresh loads into the dataset. Anything a folder-level reload cannot
//! express (a new or deleted folder, a change above the task folders) asks for a full reload.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::load::append::AppendedRows;
use crate::load::benchmark::Benchmark;
use crate::load::load_folder;
use crate::load::spec::{FolderSpec, LoadedFolder};
use crate::model::{Dataset, Item, TaskFolder};

/// The folders (by index) whose files changed, or `None` when only a full reload is right.
pub fn affected_folders(dataset: &Dataset, changed: &BTreeSet<PathBuf>) -> Option<Vec<usize>> {
    let mut affected = BTreeSet::new();
    for path in changed {
        let mut hit = false;
        for (index, folder) in dataset.folders.iter().enumerate() {
            let inside = path.parent() == Some(folder.path.as_path());
            let shared = folder.shared_traces.as_deref() == Some(path.as_path());
            // A filter output's candidate images live in other folders.
            let candidate_image = folder.filter.as_ref().is_some_and(|filter| {
                path.parent()
                    .is_some_and(|dir| filter.candidate_folders.iter().any(|d| d == dir))
            });
            if inside || shared || candidate_image {
                affected.insert(index);
                hit = true;
            }
        }
        if !hit {
            return None;
        }
    }
    Some(affected.into_iter().collect())
}

/// How a task folder was found, so it can be loaded again under the same names.
pub fn spec_of(folder: &TaskFolder) -> FolderSpec {
    FolderSpec {
        path: folder.path.clone(),
        run: folder.run.clone(),
        setting: folder.setting.clone(),
        stem: folder.stem.clone(),
        shared_traces: folder.shared_traces.clone(),
        root: folder.root.clone(),
        filter_images: folder.filter.as_ref().map(|f| f.image_folders.clone()),
        companion: folder.companion.clone(),
    }
}

/// A folder loaded again: whole, or only the rows appended to its CSV.
#[derive(Clone, Debug)]
pub enum FolderReload {
    Whole(LoadedFolder),
    Appended(AppendedRows),
}

/// Loads these folders of `current` again (on a background thread in the app). Folders in
/// `grown` changed only in their results CSV: for them the appended rows are read when that is
/// exact (see `append`), else the folder is loaded whole.
pub fn reload_folders(
    current: &Dataset,
    specs: Vec<(usize, FolderSpec)>,
    grown: &[usize],
    benchmark: Option<&Path>,
) -> Vec<(usize, FolderReload)> {
    let benchmark: Option<Benchmark> =
        benchmark.map(|path| crate::load::benchmark::read_benchmark(path).0);
    specs
        .into_iter()
        .map(|(index, spec)| {
            // Benchmark questions add items of their own: only a whole load places them.
            if benchmark.is_none()
                && grown.contains(&index)
                && let Some(appended) = crate::load::append::read_appended(current, index)
                    .or_else(|| crate::load::append_traces::read_appended_traces(current, index))
            {
                return (index, FolderReload::Appended(appended));
            }
            let mut loaded = load_folder(&spec);
            crate::load::image_check::check_folder(&mut loaded);
            if let Some(benchmark) = &benchmark {
                benchmark.fill(&mut loaded);
            }
            (index, FolderReload::Whole(loaded))
        })
        .collect()
}

/// The folders among `affected` whose only changed files are their results CSV and the tmp trace
/// files of an unfinished run they were read with: files that may only have grown.
pub fn grown_csvs(
    dataset: &Dataset,
    affected: &[usize],
    changed: &BTreeSet<PathBuf>,
) -> Vec<usize> {
    affected
        .iter()
        .copied()
        .filter(|&index| {
            let folder = &dataset.folders[index];
            let csv = folder.path.join(crate::load::discover::RESULTS_CSV);
            changed
                .iter()
                .filter(|path| {
                    path.parent() == Some(folder.path.as_path())
                        || folder.shared_traces.as_deref() == Some(path.as_path())
                })
                .all(|path| *path == csv || folder.trace_marks.iter().any(|m| m.file == *path))
        })
        .collect()
}

/// The part of `dataset` that these folders make up (their items and diagnostics), copied.
pub fn part_of(dataset: &Dataset, folders: &[usize]) -> Dataset {
    let mut part = Dataset::default();
    for &index in folders {
        let folder = &dataset.folders[index];
        let items = dataset
            .items
            .iter()
            .filter(|i| i.folder == index)
            .map(|i| Item::clone(i))
            .collect();
        part.push_folder(folder.clone(), items);
        part.diagnostics.extend(
            dataset
                .diagnostics
                .iter()
                .filter(|d| folder.concerns(&d.file))
                .cloned(),
        );
    }
    part
}

/// Replaces the given folders' items and diagnostics with their fresh loads, in place, keeping
/// folder order (and so item order) as it was.
pub fn splice(dataset: &mut Dataset, reloaded: Vec<(usize, FolderReload)>) {
    let (old_folders, old_items, old_diagnostics) = dataset.take_contents();
    let mut fresh: Vec<Option<FolderReload>> = (0..old_folders.len()).map(|_| None).collect();
    for (index, loaded) in reloaded {
        if let Some(slot) = fresh.get_mut(index) {
            *slot = Some(loaded);
        }
    }
    // Only the reloaded folders' diagnostics go (checked against those few folders, not all).
    let reloaded_folders: Vec<&TaskFolder> = old_folders
        .iter()
        .zip(&fresh)
        .filter(|(_, fresh)| fresh.is_some())
        .map(|(folder, _)| folder)
        .collect();
    dataset.diagnostics = old_diagnostics
        .into_iter()
        .filter(|d| {
            !reloaded_folders
                .iter()
                .any(|folder| folder.concerns(&d.file))
        })
        .collect();
    let mut by_folder: Vec<Vec<Arc<Item>>> = (0..old_folders.len()).map(|_| Vec::new()).collect();
    for item in old_items {
        by_folder[item.folder].push(item);
    }
    for ((folder, items), fresh) in old_folders.into_iter().zip(by_folder).zip(fresh) {
        match fresh {
            Some(FolderReload::Whole(loaded)) => {
                dataset.diagnostics.extend(loaded.diagnostics);
                dataset.push_folder(loaded.folder, loaded.items);
            }
            Some(FolderReload::Appended(appended)) => {
                let index = dataset.folders.len();
                let items =
                    with_appended(dataset, index, items, appended.judged_now, appended.items);
                dataset.diagnostics.extend(appended.diagnostics);
                dataset.push_shared_folder(appended.folder, items);
            }
            None => dataset.push_shared_folder(folder, items),
        }
    }
}

/// A folder's items with the judged-now ones taken out and the new ones placed where a full
/// load sorts them: by natural ID, judged items before not-yet-judged ones of the same ID.
fn with_appended(
    dataset: &mut Dataset,
    index: usize,
    items: Vec<Arc<Item>>,
    judged_now: Vec<usize>,
    new_items: Vec<Item>,
) -> Vec<Arc<Item>> {
    let mut items: Vec<Arc<Item>> = items
        .into_iter()
        .enumerate()
        .filter(|(position, _)| judged_now.binary_search(position).is_err())
        .map(|(_, item)| item)
        .collect();
    for item in new_items {
        let at =
            items.partition_point(
                |other| match crate::model::compare_ids(&other.id, &item.id) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Equal => other.csv_line.is_some(),
                    std::cmp::Ordering::Greater => false,
                },
            );
        let shared = dataset.share(item, index);
        items.insert(at, shared);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_dataset;

    fn sorted_diagnostics(data: &Dataset) -> Vec<String> {
        let mut all: Vec<String> = data.diagnostics.iter().map(|d| d.to_string()).collect();
        all.sort();
        all
    }

    #[test]
    fn reloading_the_changed_folder_equals_a_full_reload() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::write_demo(dir.path(), 7).unwrap();
        let roots = [dir.path().to_path_buf()];
        let mut data = load_dataset(&roots);
        let before = data.items.clone();
        let folder = dir.path().join("bagel-base/test/think/math_2");
        // A re-run appends its first row again with another verdict, and an image is deleted.
        let csv = folder.join("evaluation_results.csv");
        let mut record = csv::Reader::from_path(&csv)
            .unwrap()
            .records()
            .next()
            .unwrap()
            .unwrap();
        let flipped: Vec<&str> = record
            .iter()
            .map(|field| match field {
                "YES" => "NO",
                "NO" => "YES",
                other => other,
            })
            .collect();
        record = csv::StringRecord::from(flipped);
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(&record).unwrap();
        let row = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        std::fs::write(&csv, format!("{text}{row}")).unwrap();
        std::fs::remove_file(folder.join("5.png")).unwrap();

        let changed: BTreeSet<PathBuf> = [
            csv.canonicalize().unwrap(),
            folder.canonicalize().unwrap().join("5.png"),
        ]
        .into();
        let affected = affected_folders(&data, &changed).expect("both inside one folder");
        assert_eq!(affected.len(), 1);
        let specs = affected
            .iter()
            .map(|&i| (i, spec_of(&data.folders[i])))
            .collect();
        let reloaded = reload_folders(&data, specs, &[], None);
        splice(&mut data, reloaded);

        let full = load_dataset(&roots);
        assert_ne!(data.items, before, "the re-run row and the deletion show");
        assert_eq!(data.folders, full.folders);
        assert_eq!(data.items, full.items);
        assert_eq!(sorted_diagnostics(&data), sorted_diagnostics(&full));
    }

    /// The raw records of a CSV, each as DictWriter wrote it.
    #[test]
    fn changes_outside_the_task_folders_need_a_full_reload() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::write_demo(dir.path(), 7).unwrap();
        let data = load_dataset(&[dir.path().to_path_buf()]);
        let root = dir.path().canonicalize().unwrap();
        let new_folder: BTreeSet<PathBuf> = [root.join("bagel-base/test/think/math_9")].into();
        assert_eq!(affected_folders(&data, &new_folder), None);
        let nested: BTreeSet<PathBuf> =
            [root.join("bagel-base/test/think/math_2/sub/1.png")].into();
        assert_eq!(affected_folders(&data, &nested), None);
    }

    #[test]
    fn infer_py_shared_traces_touch_every_folder_they_serve() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::layouts::write_alternative_layouts(dir.path(), 3).unwrap();
        let data = load_dataset(&[dir.path().join("infer-layout")]);
        let shared = dir
            .path()
            .join("infer-layout/output.jsonl")
            .canonicalize()
            .unwrap();
        let affected = affected_folders(&data, &[shared].into()).unwrap();
        assert_eq!(affected, [0]);
    }
}
