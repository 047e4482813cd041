//! The in-memory model of opened UniSandbox runs: task folders, items, judge verdicts, traces.
//!
//! Pure data: no egui, no file access. Loading (`crate::load`) builds it, analysis reads it.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;
pub use crate::taxonomy::Setting;
use crate::taxonomy::TaskKind;

/// The judge's verdict on one image (or, for a mapping pair, on the whole ID).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Verdict {
    Yes,
    No,
    /// The judge call itself failed: `Result` = `ERROR`, or a `NO` whose Analysis is one of the
    /// eval scripts' failed-call texts (`Error: Failed to …`). Counts as not correct, as the
    /// eval counts it, but is no judgment of the image.
    JudgeError,
    /// The eval script found no image (`Result` = `IMAGE_NOT_FOUND`).
    ImageMissing,
    /// Generated, but no evaluation CSV row exists yet.
    NotJudged,
    /// In the benchmark JSONL (`--benchmark`), but no image was generated for it.
    NotGenerated,
    /// A STARS filter reply with no parsable verdict (neither YES nor NO): rejected.
    Unparsed,
}

impl Verdict {
    pub const ALL: [Verdict; 7] = [
        Verdict::Yes,
        Verdict::No,
        Verdict::Unparsed,
        Verdict::JudgeError,
        Verdict::ImageMissing,
        Verdict::NotJudged,
        Verdict::NotGenerated,
    ];

    /// True when an evaluation CSV row stands behind this verdict (it counts in accuracy).
    pub fn is_judged(self) -> bool {
        !matches!(self, Verdict::NotJudged | Verdict::NotGenerated)
    }

    /// Reads the eval scripts' `Result` column.
    pub fn from_result_column(text: &str) -> Option<Verdict> {
        match text.trim() {
            "YES" => Some(Verdict::Yes),
            "NO" => Some(Verdict::No),
            "ERROR" => Some(Verdict::JudgeError),
            "IMAGE_NOT_FOUND" => Some(Verdict::ImageMissing),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Yes => "YES",
            Verdict::No => "NO",
            Verdict::JudgeError => "judge call failed",
            Verdict::ImageMissing => "image missing",
            Verdict::NotJudged => "not yet judged",
            Verdict::NotGenerated => "not generated",
            Verdict::Unparsed => "no verdict",
        }
    }
}

/// Where an image is expected and what loading found there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageStatus {
    Present,
    Missing,
    /// The file exists but is structurally broken (e.g. truncated write); the reason says how.
    Corrupt(String),
}

impl ImageStatus {
    /// `present`, `missing` or `corrupt`: the exports' `image_status`.
    pub fn name(&self) -> &'static str {
        match self {
            ImageStatus::Present => "present",
            ImageStatus::Missing => "missing",
            ImageStatus::Corrupt(_) => "corrupt",
        }
    }

    /// For people: "corrupt (truncated PNG)".
    pub fn describe(&self) -> String {
        match self {
            ImageStatus::Corrupt(reason) => format!("corrupt ({reason})"),
            other => other.name().to_string(),
        }
    }
}

/// The judge's two-phase analysis text, split for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JudgeAnalysis {
    /// Phase 1 reply: the caption / identified object, or `Error` / `Reject`.
    pub phase1: String,
    /// Phase 2 text (comparison and `Score:` line); empty when phase 2 was skipped.
    pub phase2: String,
}

/// A reasoning trace from think mode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// The reasoning prose with `<think>` tags and the detailed-prompt tail removed.
    pub reasoning: String,
    /// The "finished detailed prompt" the image was generated from, if it could be extracted.
    pub detailed_prompt: Option<String>,
    /// Where the trace came from, for display.
    pub source: TraceSource,
}

/// A trace's file (shared by all the traces it holds) and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSource {
    pub file: std::sync::Arc<std::path::Path>,
    /// The line in `output.jsonl`; `None` for a `.txt` sidecar (the whole file).
    pub line: Option<u64>,
}

impl Default for TraceSource {
    fn default() -> Self {
        TraceSource {
            file: std::path::Path::new("").into(),
            line: None,
        }
    }
}

impl TraceSource {
    /// The file's name and the line, as the exports give it: `tmp_results_0.jsonl:3`.
    pub fn short(&self) -> String {
        let name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match self.line {
            Some(line) => format!("{name}:{line}"),
            None => name,
        }
    }
}

impl std::fmt::Display for TraceSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = crate::mirrors::shown_path(&self.file);
        match self.line {
            Some(line) => write!(f, "{file}:{line}"),
            None => write!(f, "{file}"),
        }
    }
}

/// One generated image and everything known about it: for math and knowledge an item has one
/// part; a mapping ID has two (A and B).
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// `None` for single-image items, `Some('A')` / `Some('B')` for mapping pairs.
    pub label: Option<char>,
    /// Shared by every run and setting that asks it (interned when the dataset is built).
    pub question: std::sync::Arc<str>,
    pub answer: String,
    pub image_path: PathBuf,
    pub image_status: ImageStatus,
    pub verdict: Verdict,
    /// The judge's phase 1 caption in short form (e.g. "3 cups", "fork", "Person: …").
    pub caption: Option<String>,
    pub analysis: Option<JudgeAnalysis>,
    /// The trace used for analysis: of several records for this image, the last one read
    /// (the others: `Item::other_traces`).
    pub trace: Option<Trace>,
}

/// One benchmark item of one task folder: a math/knowledge id or a mapping ID (pair).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Index into `Dataset::folders`.
    pub folder: usize,
    pub id: String,
    pub parts: Vec<Part>,
    /// Overall verdict: for mappings, YES only when both images are YES (the per-ID result).
    pub verdict: Verdict,
    /// 1-based line in `evaluation_results.csv` where the winning row starts.
    pub csv_line: Option<u64>,
    /// What re-runs left: rare, so kept behind one pointer (a million items carry a null).
    pub extras: Option<Box<ItemExtras>>,
}

/// An item's re-run history and extra trace records, when it has any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemExtras {
    /// Every CSV row of this ID in file order, the current one last — only when the ID was
    /// judged more than once (an appended re-run); empty otherwise.
    pub history: Vec<JudgedRow>,
    /// Other trace records of a part's image (part index, trace): a stale record merged into a
    /// re-run's traces. Which one produced the image cannot be told from the files, so none is
    /// dropped.
    pub other_traces: Vec<(usize, Trace)>,
    /// A WISE item's judge scores (the WiScore is computed from them).
    pub wise: Option<crate::companion::wise::Judged>,
}

impl ItemExtras {
    /// `None` when there is nothing to keep.
    pub fn boxed(history: Vec<JudgedRow>, other_traces: Vec<(usize, Trace)>) -> Option<Box<Self>> {
        (!history.is_empty() || !other_traces.is_empty()).then(|| {
            Box::new(ItemExtras {
                history,
                other_traces,
                wise: None,
            })
        })
    }
}

/// One CSV row of an ID: its verdicts per image (a failed judge call as `JudgeError`) and its
/// score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JudgedRow {
    pub line: u64,
    pub verdicts: Vec<Verdict>,
    pub correct: bool,
}

impl JudgedRow {
    /// "YES", or "YES/NO" for a mapping pair.
    pub fn label(&self) -> String {
        self.verdicts
            .iter()
            .map(|v| v.label())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// A run of an eval over a results CSV: the rows it appended, and how many of them count as
/// correct (what that run's log reported).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvRun {
    /// The line the run's first row starts on.
    pub first_line: u64,
    pub rows: u64,
    pub correct: u64,
}

impl Item {
    /// The prompt shown in lists: the first part's question.
    pub fn prompt(&self) -> &str {
        self.parts.first().map(|p| &*p.question).unwrap_or("")
    }

    pub fn is_correct(&self) -> bool {
        self.verdict == Verdict::Yes
    }

    /// Several images of one prompt and one expected answer (a GenEval prompt's samples), as
    /// opposed to a mapping pair's two questions: views say the prompt once.
    pub fn one_prompt_many_images(&self) -> bool {
        self.parts.len() > 1
            && self
                .parts
                .windows(2)
                .all(|w| w[0].question == w[1].question && w[0].answer == w[1].answer)
    }

    /// The parts whose trace says something the ones before did not (the GenEval fork writes
    /// the same think text beside every sample).
    pub fn distinct_traces(&self) -> impl Iterator<Item = (usize, &Part)> {
        self.parts.iter().enumerate().filter(|(i, part)| {
            part.trace.as_ref().is_some_and(|trace| {
                !self.parts[..*i].iter().any(|p| {
                    p.trace
                        .as_ref()
                        .is_some_and(|t| t.reasoning == trace.reasoning)
                })
            })
        })
    }

    pub fn has_trace(&self) -> bool {
        self.parts.iter().any(|p| p.trace.is_some())
    }

    /// Every CSV row of this ID in file order, the current one last, when it has more than one.
    pub fn history(&self) -> &[JudgedRow] {
        self.extras.as_ref().map_or(&[], |extras| &extras.history)
    }

    /// The other trace records of part `part`'s image (see `ItemExtras::other_traces`).
    pub fn other_traces(&self, part: usize) -> impl Iterator<Item = &Trace> {
        self.extras
            .iter()
            .flat_map(|extras| &extras.other_traces)
            .filter(move |(of, _)| *of == part)
            .map(|(_, trace)| trace)
    }

    /// Trace records found for the item's images: 2 for an image with a duplicated record.
    pub fn trace_count(&self) -> usize {
        let used = self.parts.iter().filter(|p| p.trace.is_some()).count();
        used + self
            .extras
            .as_ref()
            .map_or(0, |extras| extras.other_traces.len())
    }

    /// Judged in more than one CSV row (re-runs appended without `--overwrite`).
    pub fn rejudged(&self) -> bool {
        self.history().len() > 1
    }

    /// The judge gave this ID different verdicts in different runs (its test–retest
    /// disagreement).
    pub fn verdict_changed(&self) -> bool {
        self.history()
            .split_last()
            .is_some_and(|(last, earlier)| earlier.iter().any(|row| row.verdicts != last.verdicts))
    }

    /// The verdicts of the ID's CSV rows in file order, current last ("YES/NO" for a pair); one
    /// for an ID judged once, none for one not judged.
    pub fn verdict_history(&self) -> Vec<String> {
        if self.rejudged() {
            return self.history().iter().map(JudgedRow::label).collect();
        }
        if self.csv_line.is_none() {
            return Vec::new();
        }
        let verdicts: Vec<&str> = self.parts.iter().map(|p| p.verdict.label()).collect();
        vec![verdicts.join("/")]
    }

    /// "judged 2×: NO, then YES" — `None` for an ID judged once.
    pub fn history_label(&self) -> Option<String> {
        if !self.rejudged() {
            return None;
        }
        let verdicts: Vec<String> = self.history().iter().map(JudgedRow::label).collect();
        Some(format!(
            "judged {}×: {}",
            self.history().len(),
            verdicts.join(", then ")
        ))
    }

    /// Images whose judge call failed (their verdict is not the judge's judgment).
    pub fn judge_failures(&self) -> usize {
        self.parts
            .iter()
            .filter(|p| p.verdict == Verdict::JudgeError)
            .count()
    }
}

/// The counts an `evaluation_results.log` reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogSummary {
    pub total: u64,
    pub correct: u64,
    /// The log's percentage, e.g. 33.33.
    pub accuracy_percent: f64,
}

/// One `<mode>/<stem>/` folder (or an alternative layout's image folder).
#[derive(Clone, Debug, PartialEq)]
pub struct TaskFolder {
    pub path: PathBuf,
    /// Checkpoint label: its path relative to the opened folder (or its own name).
    pub run: String,
    /// CoT setting (`normal`, `think`), `filter`, or another layout's (`default`).
    pub setting: Setting,
    /// The benchmark JSONL stem, e.g. `math_3`, `mapping2`, `Aurelius_Nyxella`.
    pub stem: String,
    pub kind: TaskKind,
    /// True when an evaluation CSV was read for this folder.
    pub evaluated: bool,
    pub log: Option<LogSummary>,
    /// The results CSV's current rows (the last row of each ID): (total, correct) — what the
    /// inspector counts, shown beside the log's figure.
    pub csv_counts: Option<(u64, u64)>,
    /// Infer.py's `output.jsonl` one level up that holds this folder's traces, if any.
    pub shared_traces: Option<PathBuf>,
    /// The opened folder (resolved) this one was found in: nothing outside it is read.
    pub root: PathBuf,
    /// How far its results CSV was read, so a live reload can read only what was appended.
    pub csv_mark: Option<CsvMark>,
    /// The eval runs its results CSV holds (more than one: re-runs appended without
    /// `--overwrite`).
    pub csv_runs: Vec<CsvRun>,
    /// How far each tmp trace file of an unfinished multi-GPU run was read, so a live reload
    /// reads only the records a GPU appended since.
    pub trace_marks: Vec<TraceMark>,
    /// Set when this folder is a STARS filter output (its items are candidates), not an eval.
    pub filter: Option<FilterRun>,
    /// Set when this folder is a GenEval tag or WISE category of a companion output.
    pub companion: Option<CompanionSpec>,
}

impl TaskFolder {
    /// True when a file (a diagnostic's, say) is this folder's: inside it, or its shared traces.
    pub fn concerns(&self, file: &std::path::Path) -> bool {
        file.starts_with(&self.path) || self.shared_traces.as_deref() == Some(file)
    }
}

impl TaskFolder {
    /// A verdict as this folder's views say it: the judge's YES/NO, or for a STARS filter run,
    /// whether the filter accepted the candidate.
    pub fn verdict_label(&self, verdict: Verdict) -> &'static str {
        use crate::taxonomy::Family;
        match (self.kind.family, verdict) {
            (Family::Wise, Verdict::Yes) => return "consistent",
            (Family::Wise, Verdict::No) => return "not fully consistent",
            (Family::Wise, Verdict::JudgeError) => return "judge failed (999)",
            _ => {}
        }
        match (self.filter.is_some(), verdict) {
            (true, Verdict::Yes) => "accepted",
            (true, Verdict::No) => "rejected",
            (true, Verdict::Unparsed) => "rejected: no verdict",
            _ => verdict.label(),
        }
    }
}

/// Which companion output a task folder is part of, and the judge files found for it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompanionSource {
    /// A GenEval output path (`images/<idx:05>/…` and its results JSONL files).
    Geneval { results: Vec<PathBuf> },
    /// A WISE output folder (`<id>.png`) and its `Results/*_scores_results.jsonl`.
    Wise { scores: Vec<PathBuf> },
}

/// A companion folder's spec: its output's source, and whether this folder (the output's first
/// task) reports the diagnostics that concern the whole output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompanionSpec {
    pub source: CompanionSource,
    pub reports_output: bool,
}

/// A STARS rejection-sampling filter output folder, as loaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterRun {
    /// The folders under the opened folder that hold images: candidate images are resolved
    /// against their listings (never at the absolute path written in the filter's files).
    pub image_folders: std::sync::Arc<Vec<PathBuf>>,
    /// The folders its candidates' images were found in (a change there reloads this run).
    pub candidate_folders: Vec<PathBuf>,
    /// `filter_stats.json`, when present and readable.
    pub stats: Option<FilterStats>,
    /// Candidates whose `image` matched no file under the opened folder.
    pub images_missing: u64,
    /// True when the items come from a whole `filter_results.json` (else, in part or all, from
    /// `filtered_data.jsonl` + `rejected_data.jsonl`).
    pub from_results_json: bool,
}

impl FilterRun {
    /// The file an item's `csv_line` points into.
    pub fn source_file(&self, item: &Item) -> &'static str {
        if self.from_results_json {
            "filter_results.json"
        } else if item.verdict == Verdict::Yes {
            "filtered_data.jsonl"
        } else {
            "rejected_data.jsonl"
        }
    }
}

/// What `filter_stats.json` states.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct FilterStats {
    pub total_samples: Option<u64>,
    pub accepted_samples: Option<u64>,
    pub rejected_samples: Option<u64>,
    /// A percentage, e.g. 42.5.
    pub acceptance_rate: Option<f64>,
    pub data_file: Option<String>,
    pub model_path: Option<String>,
}

/// Where a results CSV's complete rows ended when it was read, and a fingerprint of the bytes
/// just before: if the file still holds those bytes there, it only grew, and rows appended by a
/// running eval can be read from `len` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvMark {
    /// Bytes of complete rows (a half-written last row starts here).
    pub len: u64,
    /// The line the next row starts on.
    pub next_line: u64,
    /// Hash of the `CsvMark::TAIL` bytes before `len`.
    pub tail: u64,
}

impl CsvMark {
    pub const TAIL: usize = 4096;

    /// The mark of `bytes` whose complete rows end at `complete_to`.
    pub fn of(bytes: &[u8], complete_to: usize) -> CsvMark {
        let complete_to = complete_to.min(bytes.len());
        CsvMark {
            len: complete_to as u64,
            next_line: memchr::memchr_iter(b'\n', &bytes[..complete_to]).count() as u64 + 1,
            tail: Self::fingerprint(&bytes[complete_to.saturating_sub(Self::TAIL)..complete_to]),
        }
    }

    pub fn fingerprint(bytes: &[u8]) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        hasher.finish()
    }
}

/// Where a trace file's complete lines ended when it was read (see `CsvMark`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceMark {
    pub file: PathBuf,
    pub mark: CsvMark,
}

/// Names one item across reloads and restarts: checkpoint, CoT setting, task stem, id.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ItemKey {
    pub run: String,
    pub setting: String,
    pub stem: String,
    pub id: String,
}

/// An `ItemKey` borrowed from the data it names: a look-up by key without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ItemKeyRef<'a> {
    pub run: &'a str,
    pub setting: &'a str,
    pub stem: &'a str,
    pub id: &'a str,
}

impl ItemKey {
    /// The form annotations are stored under: the checkpoint folder's name instead of the run
    /// label (`group/ckpt-b` → `ckpt-b`), so annotations survive moving or copying a run
    /// folder. Of an item: `Dataset::annotation_key_of`.
    pub fn annotation_form(&self) -> ItemKey {
        ItemKey {
            run: checkpoint_name(&self.run).to_string(),
            ..self.clone()
        }
    }

    pub fn as_ref(&self) -> ItemKeyRef<'_> {
        ItemKeyRef {
            run: &self.run,
            setting: &self.setting,
            stem: &self.stem,
            id: &self.id,
        }
    }
}

/// The checkpoint folder's name in a run label (`group/ckpt-b` → `ckpt-b`).
pub fn checkpoint_name(run: &str) -> &str {
    run.rsplit('/').next().unwrap_or(run)
}

/// Everything loaded from the opened paths.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub folders: Vec<TaskFolder>,
    /// Shared, so copying a dataset for a reload copies pointers, not texts.
    pub items: Vec<std::sync::Arc<Item>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every question text once: each checkpoint and setting asks the same benchmark, so the
    /// items share one copy (a million items ask a few tens of thousands of questions).
    questions: std::collections::HashSet<std::sync::Arc<str>>,
}

impl Dataset {
    /// Appends one loaded folder with its items, fixing up folder indices and sharing question
    /// texts with the items already there.
    pub fn push_folder(&mut self, folder: TaskFolder, items: Vec<Item>) {
        let index = self.folders.len();
        self.folders.push(folder);
        for item in items {
            let shared = self.share(item, index);
            self.items.push(shared);
        }
    }

    /// An item of folder `index`, ready to be placed in `items`: its question texts shared with
    /// the items already there.
    pub fn share(&mut self, mut item: Item, index: usize) -> std::sync::Arc<Item> {
        item.folder = index;
        for part in &mut item.parts {
            match self.questions.get(&part.question) {
                Some(shared) => part.question = shared.clone(),
                None => {
                    self.questions.insert(part.question.clone());
                }
            }
        }
        std::sync::Arc::new(item)
    }

    /// Appends a folder whose items already belong to a dataset (a reload keeping them): shared,
    /// not copied; only a changed folder index makes an item's copy.
    pub fn push_shared_folder(&mut self, folder: TaskFolder, items: Vec<std::sync::Arc<Item>>) {
        let index = self.folders.len();
        self.folders.push(folder);
        self.items.extend(items.into_iter().map(|mut item| {
            if item.folder != index {
                std::sync::Arc::make_mut(&mut item).folder = index;
            }
            item
        }));
    }

    /// Takes the folders, items and diagnostics out, keeping the shared question texts.
    pub fn take_contents(
        &mut self,
    ) -> (Vec<TaskFolder>, Vec<std::sync::Arc<Item>>, Vec<Diagnostic>) {
        (
            std::mem::take(&mut self.folders),
            std::mem::take(&mut self.items),
            std::mem::take(&mut self.diagnostics),
        )
    }

    pub fn folder_of(&self, item: &Item) -> &TaskFolder {
        &self.folders[item.folder]
    }

    pub fn key_of(&self, item: &Item) -> ItemKey {
        let folder = self.folder_of(item);
        ItemKey {
            run: folder.run.clone(),
            setting: folder.setting.to_string(),
            stem: folder.stem.clone(),
            id: item.id.clone(),
        }
    }

    /// The item's key in annotation form (`ItemKey::annotation_form`), built without copying
    /// the run label.
    pub fn annotation_key_of(&self, item: &Item) -> ItemKey {
        let folder = self.folder_of(item);
        ItemKey {
            run: checkpoint_name(&folder.run).to_string(),
            setting: folder.setting.to_string(),
            stem: folder.stem.clone(),
            id: item.id.clone(),
        }
    }

    /// The item's annotation-form key, borrowed.
    pub fn annotation_key_ref<'a>(&'a self, item: &'a Item) -> ItemKeyRef<'a> {
        let folder = self.folder_of(item);
        ItemKeyRef {
            run: checkpoint_name(&folder.run),
            setting: folder.setting.as_str(),
            stem: &folder.stem,
            id: &item.id,
        }
    }

    /// The index of the item with this key (a linear scan: for single look-ups).
    pub fn find(&self, key: &ItemKey) -> Option<usize> {
        self.items.iter().position(|item| {
            let folder = self.folder_of(item);
            item.id == key.id
                && folder.stem == key.stem
                && folder.setting == key.setting
                && folder.run == key.run
        })
    }

    /// Distinct run labels in load order.
    pub fn runs(&self) -> Vec<String> {
        // Hashed: a training run of 500 checkpoints has 5,000 folders.
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        self.folders
            .iter()
            .filter(|f| seen.insert(f.run.as_str()))
            .map(|f| f.run.clone())
            .collect()
    }

    /// Distinct settings, `normal` before `think`, others after.
    pub fn settings(&self) -> Vec<String> {
        let mut settings: Vec<&Setting> = self.folders.iter().map(|f| &f.setting).collect();
        settings.sort_by(|a, b| (a.rank(), a.as_str()).cmp(&(b.rank(), b.as_str())));
        settings.dedup();
        settings.into_iter().map(Setting::to_string).collect()
    }
}

/// Each item's index, by the item's identity (its `Arc`): what a reload kept unchanged is found
/// in the new dataset without comparing contents.
pub fn items_by_identity(dataset: &Dataset) -> rustc_hash::FxHashMap<usize, usize> {
    dataset
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| (identity(item), index))
        .collect()
}

/// An item's identity: the address its `Arc` shares (the same item, not an equal one).
pub fn identity(item: &std::sync::Arc<Item>) -> usize {
    std::sync::Arc::as_ptr(item) as usize
}

/// Small hand-made model values for unit tests across modules.
/// One evaluated folder's counts, named: all that `summary` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct FolderCount {
    pub run: String,
    pub setting: String,
    pub stem: String,
    pub kind: crate::taxonomy::TaskKind,
    pub correct: u64,
    pub total: u64,
    pub checks: FolderChecks,
}

/// What else a folder's rows say besides correct/total: judge calls that failed, IDs judged more
/// than once, and the log's own figures (which describe only the last completed run).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FolderChecks {
    /// Current verdicts that are failed judge calls (for mapping, images).
    pub judge_failures: u64,
    /// IDs with more than one CSV row.
    pub rejudged: u64,
    /// IDs whose verdicts differ between their CSV rows.
    pub verdict_changed: u64,
    /// `evaluation_results.log`'s Total / Correct; `None` without a (readable) log.
    pub log_total: Option<u64>,
    pub log_correct: Option<u64>,
}

impl FolderChecks {
    /// The counts of several folders together (a task type's): the logs do not add up.
    pub fn add(&mut self, other: &FolderChecks) {
        self.judge_failures += other.judge_failures;
        self.rejudged += other.rejudged;
        self.verdict_changed += other.verdict_changed;
        self.log_total = None;
        self.log_correct = None;
    }
}

/// The one order of item ids: numeric ids as numbers ("2" before "10"), then the others as
/// text. Every list, index and report sorts ids with this.
pub fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Small hand-made folders and items for tests (the app's tests too: feature `fixtures`).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use super::*;

    pub fn folder(run: &str, setting: &str, stem: &str) -> TaskFolder {
        TaskFolder {
            path: PathBuf::from(stem),
            run: run.into(),
            setting: Setting::parse(setting),
            stem: stem.into(),
            kind: TaskKind::of_stem(stem),
            evaluated: true,
            log: None,
            csv_counts: None,
            shared_traces: None,
            root: PathBuf::new(),
            csv_mark: None,
            csv_runs: Vec::new(),
            trace_marks: Vec::new(),
            filter: None,
            companion: None,
        }
    }

    /// A judged image with a present file and no trace.
    pub fn part(question: &str, answer: &str, verdict: Verdict) -> Part {
        Part {
            label: None,
            question: question.into(),
            answer: answer.into(),
            image_path: PathBuf::new(),
            image_status: ImageStatus::Present,
            verdict,
            caption: None,
            analysis: None,
            trace: None,
        }
    }

    /// A single-image item.
    pub fn item(id: &str, part: Part) -> Item {
        let verdict = part.verdict;
        Item {
            folder: 0,
            id: id.into(),
            parts: vec![part],
            verdict,
            csv_line: None,
            extras: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{item, part};
    use super::*;

    #[test]
    fn a_prompts_samples_share_it_and_repeated_think_texts_count_once() {
        let traced = |text: &str| Part {
            trace: Some(Trace {
                reasoning: text.into(),
                ..Trace::default()
            }),
            ..part("a photo of a cup", "cup>=1", Verdict::Yes)
        };
        let mut samples = item("00009", traced("same"));
        samples
            .parts
            .extend([traced("same"), traced("other"), traced("same")]);
        assert!(samples.one_prompt_many_images());
        let distinct: Vec<usize> = samples.distinct_traces().map(|(i, _)| i).collect();
        assert_eq!(distinct, [0, 2]);
        // A mapping pair asks two questions: not one prompt.
        let mut pair = item("1", part("A?", "cup", Verdict::Yes));
        pair.parts.push(part("B?", "fork", Verdict::No));
        assert!(!pair.one_prompt_many_images());
        assert!(!item("2", part("Q", "A", Verdict::Yes)).one_prompt_many_images());
    }
}
