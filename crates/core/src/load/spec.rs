//! What loading works from: a task folder found by discovery, and the run files' names.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;
use crate::model::{Item, TaskFolder};
use crate::taxonomy::Setting;

pub const RESULTS_CSV: &str = "evaluation_results.csv";
pub const RESULTS_LOG: &str = "evaluation_results.log";
pub const TRACES_JSONL: &str = "output.jsonl";

/// A folder to load and the names it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderSpec {
    pub path: PathBuf,
    pub run: String,
    /// Parsed once here; everything after discovery reads the enum.
    pub setting: Setting,
    pub stem: String,
    /// An `output.jsonl` one level up that holds this folder's traces (Infer.py's layout).
    pub shared_traces: Option<PathBuf>,
    /// The opened folder (resolved) it was found in: nothing outside it is read.
    pub root: PathBuf,
    /// Set for a STARS filter output: the folders under the root whose images its candidates
    /// may name.
    pub filter_images: Option<std::sync::Arc<Vec<PathBuf>>>,
    /// Set for a GenEval or WISE output's task (tag / category) folder.
    pub companion: Option<crate::model::CompanionSpec>,
}

/// A loaded folder, ready to be appended to a `Dataset`.
#[derive(Clone, Debug)]
pub struct LoadedFolder {
    pub folder: TaskFolder,
    pub items: Vec<Item>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A multi-GPU think run's per-GPU trace files (`tmp_results_<gpu>.jsonl` in the image folder),
/// merged into `output.jsonl` only when the run finishes.
pub fn is_tmp_trace_file(name: &str) -> bool {
    gpu_file(name, "tmp_results_")
}

/// Infer.py's per-GPU trace files (`tmp_<gpu>.jsonl` in its output folder, above the image
/// folders), merged into its `output.jsonl` at the end.
pub fn is_infer_tmp_file(name: &str) -> bool {
    gpu_file(name, "tmp_")
}

fn gpu_file(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(".jsonl"))
        .is_some_and(|gpu| !gpu.is_empty() && gpu.bytes().all(|b| b.is_ascii_digit()))
}
