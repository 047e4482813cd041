//! Finding task folders beneath an opened path, and naming their run, setting and task.
//!
//! A user may open a folder of checkpoints, one checkpoint's OUTPUT_DIR, its `test/`, one
//! `<mode>/` or a single `<mode>/<stem>/`: every folder holding results, images or traces below it
//! is a task folder, and its run is the checkpoint that batch_inference.py's layout implies.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::load::image_check::is_image_file;
use crate::taxonomy::is_mode_folder;

pub use crate::load::spec::{FolderSpec, RESULTS_CSV, RESULTS_LOG, TRACES_JSONL};

/// Walks `root` and returns its task folders, sorted by run, setting and stem. Unreadable
/// sub-folders become diagnostics; the walk goes on.
pub fn discover(root: &Path) -> (Vec<FolderSpec>, Vec<Diagnostic>) {
    discover_as(root, Purpose::Load)
}

/// What a walk looks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Every task folder: with results, images, traces or sidecars.
    Load,
    /// Only folders with a results CSV. Inside `<mode>/` (normal, think) the layout says where
    /// they are — `<mode>/<stem>/evaluation_results.csv` — so those folders are not listed: with
    /// thousands of images each, listing them was most of `summary`'s file-system time.
    Count,
}

/// `discover` for a purpose.
pub fn discover_as(root: &Path, purpose: Purpose) -> (Vec<FolderSpec>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let root = match root.canonicalize() {
        Ok(root) if root.is_dir() => root,
        Ok(_) => {
            return (
                Vec::new(),
                vec![Diagnostic::error(root, None, "not a folder")],
            );
        }
        Err(err) => {
            return (
                Vec::new(),
                vec![Diagnostic::error(root, None, format!("cannot open: {err}"))],
            );
        }
    };
    // The root's own files, then each sub-folder's tree on its own core.
    let mut found = walk(&root, &root, 1, purpose, &mut diagnostics);
    let subtrees: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                // Links leaving the root are reported by the root's own walk above.
                .filter(|p| !p.is_symlink() || crate::load::confine::link_stays_inside(p, &root))
                .collect()
        })
        .unwrap_or_default();
    let walked: Vec<(FoundFolders, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        subtrees
            .par_iter()
            .map(|sub| {
                let mut problems = Vec::new();
                (
                    walk(sub, &root, MAX_DEPTH - 1, purpose, &mut problems),
                    problems,
                )
            })
            .collect()
    };
    for (sub, problems) in walked {
        found.merge(sub);
        diagnostics.extend(problems);
    }
    let FoundFolders {
        with_results,
        with_images,
        with_traces,
        with_sidecars,
        with_filter_outputs,
    } = found;
    // STARS filter outputs are runs of their own; the image folders holding their candidates
    // are theirs, not task folders.
    let pools = crate::load::stars::candidate_pools(
        &root,
        &with_filter_outputs,
        &with_images,
        &with_results,
        &with_traces,
        &with_sidecars,
    );
    let image_folders: std::sync::Arc<Vec<PathBuf>> =
        std::sync::Arc::new(with_images.iter().cloned().collect());
    let with_results_or_images: BTreeSet<PathBuf> = with_results
        .into_iter()
        .chain(with_images)
        .filter(|dir| !pools.contains(dir) && !with_filter_outputs.contains(dir))
        .collect();
    // A traces-only folder that has task folders beneath it is Infer.py's top level, not a task:
    // its output.jsonl serves the image folders directly below it.
    let (infer_tops, traces_only): (Vec<PathBuf>, Vec<PathBuf>) = with_traces
        .iter()
        .filter(|dir| !with_results_or_images.contains(*dir))
        .cloned()
        .partition(|dir| {
            with_results_or_images
                .iter()
                .any(|task| task != dir && task.starts_with(dir))
        });
    let mut specs: Vec<FolderSpec> = with_results_or_images
        .iter()
        .cloned()
        .chain(traces_only)
        .map(|dir| {
            let mut spec = name_folder(&root, &dir);
            spec.shared_traces = dir
                .parent()
                .filter(|p| infer_tops.iter().any(|top| top == p))
                .map(|p| p.join(TRACES_JSONL));
            // Outside the normal/think layout, traces mean a think run (Infer.py --think, sidecars).
            let has_traces = with_traces.contains(&dir)
                || with_sidecars.contains(&dir)
                || spec.shared_traces.is_some();
            if spec.setting == "default" && has_traces {
                spec.setting = crate::taxonomy::Setting::Think;
            }
            spec
        })
        .collect();
    specs.extend(with_filter_outputs.iter().map(|dir| {
        let mut spec = name_folder(&root, dir);
        spec.run = relative_label(&root, dir);
        spec.setting = crate::taxonomy::Setting::Filter;
        spec.stem = crate::load::stars::stem_of_folder(&file_name(dir));
        spec.filter_images = Some(image_folders.clone());
        spec
    }));
    specs.sort_by_key(sort_key);
    specs.dedup();
    (specs, diagnostics)
}

/// How deep below an opened folder task folders are looked for.
const MAX_DEPTH: usize = 12;

/// Folders by the kind of files they hold.
#[derive(Default)]
struct FoundFolders {
    with_results: BTreeSet<PathBuf>,
    with_images: BTreeSet<PathBuf>,
    with_traces: BTreeSet<PathBuf>,
    with_sidecars: BTreeSet<PathBuf>,
    with_filter_outputs: BTreeSet<PathBuf>,
}

impl FoundFolders {
    fn merge(&mut self, other: FoundFolders) {
        self.with_results.extend(other.with_results);
        self.with_images.extend(other.with_images);
        self.with_traces.extend(other.with_traces);
        self.with_sidecars.extend(other.with_sidecars);
        self.with_filter_outputs.extend(other.with_filter_outputs);
    }
}

/// Walks `dir` to `max_depth` levels below it (1: only its own files), skipping hidden entries;
/// unreadable
/// folders become diagnostics.
fn walk(
    dir: &Path,
    root: &Path,
    max_depth: usize,
    purpose: Purpose,
    diagnostics: &mut Vec<Diagnostic>,
) -> FoundFolders {
    let mut found = FoundFolders::default();
    // A folder's files come one after another: compare bytes with the last folder seen of each
    // kind before paying for a set insert (thousands of images per task folder).
    let mut last_seen: [PathBuf; 5] = Default::default();
    // The folder at each depth of the walk so far: a file's folder without parsing its path.
    let mut folders: Vec<PathBuf> = vec![dir.to_path_buf()];
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .max_depth(max_depth)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !name.starts_with('.') || name == crate::load::listing::MANIFEST
        });
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(dir).to_path_buf();
                let message = if err.loop_ancestor().is_some() {
                    "symlink loop (it points to a folder above it); not followed".to_string()
                } else if path.is_symlink() {
                    // A broken or looping link to a file: its task folder's load reports it.
                    continue;
                } else {
                    match err.io_error() {
                        Some(io) => format!("cannot read: {io}"),
                        None => format!("cannot read: {err}"),
                    }
                };
                diagnostics.push(Diagnostic::error(&path, None, message));
                continue;
            }
        };
        // A link may point anywhere: it is followed only when it lands inside the opened folder.
        // (A linked file is reported by its task folder's load, which skips it too.)
        if entry.path_is_symlink() && !crate::load::confine::link_stays_inside(entry.path(), root) {
            if entry.file_type().is_dir() {
                diagnostics.push(Diagnostic::warning(
                    entry.path(),
                    None,
                    "symlink leads outside the opened folder; not read",
                ));
                walker.skip_current_dir();
            }
            continue;
        }
        let depth = entry.depth();
        if entry.file_type().is_dir() {
            folders.truncate(depth);
            let in_mode_folder = folders
                .last()
                .and_then(|parent| parent.file_name())
                .is_some_and(|name| is_mode_folder(&name.to_string_lossy()));
            if purpose == Purpose::Count && in_mode_folder {
                // A task folder of the eval layout: its CSV is looked up, the folder not listed.
                if entry.path().join(RESULTS_CSV).exists() {
                    found.with_results.insert(entry.path().to_path_buf());
                }
                walker.skip_current_dir();
                continue;
            }
            folders.push(entry.path().to_path_buf());
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        // (A remote run's manifest stands for the images it lists.)
        let (kind, set) = if is_image_file(&name) || name == crate::load::listing::MANIFEST {
            (0, &mut found.with_images)
        } else if name == RESULTS_CSV {
            (3, &mut found.with_results)
        } else if name == TRACES_JSONL
            || crate::load::spec::is_infer_tmp_file(&name)
            || crate::load::spec::is_tmp_trace_file(&name)
        {
            // (Infer.py's tmp_<gpu>.jsonl: the traces of a run not merged yet.)
            (1, &mut found.with_traces)
        } else if name.ends_with(".txt") {
            (2, &mut found.with_sidecars)
        } else if crate::load::stars::is_filter_output_file(&name) {
            (4, &mut found.with_filter_outputs)
        } else {
            continue;
        };
        let Some(parent) = folders.get(depth - 1) else {
            continue;
        };
        if last_seen[kind] != *parent {
            last_seen[kind] = parent.clone();
            set.insert(parent.clone());
        }
    }
    found
}

fn sort_key(spec: &FolderSpec) -> (String, u8, crate::taxonomy::TaskKind, String) {
    (
        spec.run.clone(),
        spec.setting.rank(),
        crate::taxonomy::TaskKind::of_stem(&spec.stem),
        spec.stem.clone(),
    )
}

/// Names a task folder: stem = its name; setting = the mode folder above it; run = the
/// checkpoint (above `test/` when present), relative to the opened root when inside it.
pub fn name_folder(root: &Path, dir: &Path) -> FolderSpec {
    let stem = file_name(dir);
    let parent = dir.parent();
    let (setting, checkpoint) = match parent {
        Some(mode) if is_mode_folder(&file_name(mode)) => {
            let above = mode.parent();
            let checkpoint = match above {
                Some(test) if file_name(test) == "test" => test.parent(),
                other => other,
            };
            (file_name(mode), checkpoint)
        }
        other => ("default".to_string(), other),
    };
    let run = match checkpoint {
        Some(ckpt) if ckpt != root && ckpt.starts_with(root) => ckpt
            .strip_prefix(root)
            .map(|rel| {
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_else(|_| file_name(ckpt)),
        Some(ckpt) => file_name(ckpt),
        None => "run".to_string(),
    };
    FolderSpec {
        path: dir.to_path_buf(),
        run,
        setting: crate::taxonomy::Setting::parse(&setting),
        stem,
        shared_traces: None,
        root: root.to_path_buf(),
        filter_images: None,
        companion: None,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A folder named by its path below the opened folder (`group/ckpt-b`), or by its own name when
/// it is the opened folder or outside it.
pub(crate) fn relative_label(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ => file_name(dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"x").unwrap();
    }

    fn layout() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("ckpt-a/test/normal/math_1/1.png"));
        touch(&root.join("ckpt-a/test/think/math_1/evaluation_results.csv"));
        touch(&root.join("group/ckpt-b/test/think/mapping2/1_A.png"));
        touch(&root.join("infer/output.jsonl"));
        touch(&root.join("infer/math3/1.png"));
        touch(&root.join("ckpt-a/.hidden/x/1.png"));
        touch(&root.join("ckpt-a/notes.txt"));
        dir
    }

    fn names(specs: &[FolderSpec]) -> Vec<String> {
        specs
            .iter()
            .map(|s| format!("{}/{}/{}", s.run, s.setting, s.stem))
            .collect()
    }

    #[test]
    fn finds_every_task_folder_below_a_folder_of_checkpoints() {
        let dir = layout();
        let (specs, diags) = discover(dir.path());
        assert!(diags.is_empty());
        assert_eq!(
            names(&specs),
            [
                "ckpt-a/normal/math_1",
                "ckpt-a/think/math_1",
                "group/ckpt-b/think/mapping2",
                "infer/think/math3"
            ]
        );
        let infer = specs.iter().find(|s| s.stem == "math3").unwrap();
        assert_eq!(
            infer.shared_traces.as_deref(),
            Some(
                dir.path()
                    .canonicalize()
                    .unwrap()
                    .join("infer/output.jsonl")
                    .as_path()
            )
        );
    }

    #[test]
    fn opening_inside_a_checkpoint_names_the_checkpoint() {
        let dir = layout();
        let root = dir.path().join("ckpt-a");
        assert_eq!(
            names(&discover(&root).0),
            ["ckpt-a/normal/math_1", "ckpt-a/think/math_1"]
        );
        assert_eq!(
            names(&discover(&root.join("test")).0),
            ["ckpt-a/normal/math_1", "ckpt-a/think/math_1"]
        );
        assert_eq!(
            names(&discover(&root.join("test/think")).0),
            ["ckpt-a/think/math_1"]
        );
        assert_eq!(
            names(&discover(&root.join("test/think/math_1")).0),
            ["ckpt-a/think/math_1"]
        );
    }

    #[test]
    fn a_missing_path_is_a_diagnostic() {
        let (specs, diags) = discover(Path::new("/definitely/not/here"));
        assert!(specs.is_empty());
        assert!(diags[0].message.contains("cannot open"));
    }
}
