//! STARS rejection-sampling filter outputs (upstream `eval/vlm/eval_vlm/data_filter.py`): each
//! candidate becomes an item of a "filter" run.
//!
//! `filter_results.json` is one JSON array of every candidate (up to ~100 MB): it is scanned once
//! into borrowed element slices (`RawValue`, never one `serde_json::Value`), and the elements are
//! parsed on all cores. A truncated array keeps the elements before the cut, and
//! `filtered_data.jsonl` + `rejected_data.jsonl` give the rest (or everything, when the array is
//! absent); where the files disagree, that is a diagnostic. Candidate images are named by an
//! absolute path of the generating machine: that path is data, and is matched by its trailing
//! components against the image files listed under the opened folder.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::diagnostics::Diagnostic;
use crate::load::image_check::is_image_file;
use crate::load::spec::{FolderSpec, LoadedFolder};
use crate::model::{
    FilterRun, FilterStats, ImageStatus, Item, JudgeAnalysis, Part, TaskFolder, Verdict,
};
use crate::taxonomy::TaskKind;
use reply::{judgment_of_reply, stated_count};

mod files;
mod images;
pub mod reply;

pub use files::*;
pub use images::candidate_pools;
use images::*;

pub const FILTER_RESULTS: &str = "filter_results.json";
pub const FILTERED_JSONL: &str = "filtered_data.jsonl";
pub const REJECTED_JSONL: &str = "rejected_data.jsonl";
pub const FILTER_STATS: &str = "filter_stats.json";

/// How many single problems of one kind are listed before one line sums up the rest.
const LISTED: usize = 10;

pub fn is_filter_output_file(name: &str) -> bool {
    matches!(
        name,
        FILTER_RESULTS | FILTERED_JSONL | REJECTED_JSONL | FILTER_STATS
    )
}

/// The task stem a filter output folder's name implies: `filter_math3` → `math3`.
pub fn stem_of_folder(name: &str) -> String {
    let stem = name
        .strip_prefix("filter_")
        .or_else(|| name.strip_prefix("filtered_"))
        .or_else(|| name.strip_suffix("_filter"))
        .unwrap_or(name);
    if stem.is_empty() {
        name.to_string()
    } else {
        stem.to_string()
    }
}

/// The task stem of a candidate id: `math3_00012` → `math3`.
fn stem_of_id(id: &str) -> Option<&str> {
    let (stem, number) = id.rsplit_once('_')?;
    (!stem.is_empty() && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        .then_some(stem)
}

/// Loads one filter output folder. Never fails: whatever cannot be read is a diagnostic.
pub fn load_filter_folder(spec: &FolderSpec, image_folders: &Arc<Vec<PathBuf>>) -> LoadedFolder {
    let dir = spec.path.as_path();
    let mut diagnostics = Vec::new();
    let listed: HashSet<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| {
                    crate::load::confine::stays_inside(e, &spec.root, &mut diagnostics)
                        && crate::load::confine::is_readable_file(e, &mut diagnostics)
                })
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_else(|err| {
            diagnostics.push(Diagnostic::error(
                dir,
                None,
                format!("cannot list folder: {err}"),
            ));
            HashSet::new()
        });
    let path_of = |name: &str| listed.contains(name).then(|| dir.join(name));

    // The image folders are listed while the filter's files are read.
    let ((candidates, from_results), index) = rayon::join(
        || read_candidates(dir, &path_of, &mut diagnostics),
        || ImageIndex::build(&spec.root, image_folders),
    );
    let stats = path_of(FILTER_STATS).and_then(|path| read_stats(&path, &mut diagnostics));

    let stem = match TaskKind::of_stem(&spec.stem).family {
        crate::taxonomy::Family::Other => candidates
            .first()
            .and_then(|c| stem_of_id(&c.id))
            .map(str::to_string)
            .unwrap_or_else(|| spec.stem.clone()),
        _ => spec.stem.clone(),
    };
    let total = candidates.len();
    if let Some(stats) = &stats {
        let accepted = candidates.iter().filter(|c| c.accepted).count();
        check_stats(dir, stats, total as u64, accepted as u64, &mut diagnostics);
    }
    let built: Vec<(Item, Option<ImageProblem>)> = {
        use rayon::prelude::*;
        candidates
            .into_par_iter()
            .map(|candidate| item_of(candidate, dir, &index, from_results))
            .collect()
    };
    let mut items = Vec::with_capacity(built.len());
    let mut problems = Vec::new();
    for (item, problem) in built {
        items.push(item);
        problems.extend(problem);
    }
    report_images(dir, &problems, total, &mut diagnostics);
    let images_missing = problems.iter().filter(|p| p.matches == 0).count() as u64;
    let candidate_folders: BTreeSet<PathBuf> = items
        .iter()
        .flat_map(|item| &item.parts)
        .filter(|part| part.image_status == ImageStatus::Present)
        .filter_map(|part| part.image_path.parent().map(Path::to_path_buf))
        .collect();
    if total == 0 && !diagnostics.iter().any(|d| d.file.starts_with(dir)) {
        diagnostics.push(Diagnostic::warning(
            dir,
            None,
            "filter output without candidates (no filter_results.json or JSONL rows)",
        ));
    }
    items.sort_by(|a, b| crate::model::compare_ids(&a.id, &b.id));
    let folder = TaskFolder {
        path: dir.to_path_buf(),
        run: spec.run.clone(),
        setting: spec.setting.clone(),
        kind: TaskKind::of_stem(&stem),
        stem,
        evaluated: total > 0,
        log: None,
        csv_counts: None,
        shared_traces: None,
        root: spec.root.clone(),
        csv_mark: None,
        csv_runs: Vec::new(),
        trace_marks: Vec::new(),
        filter: Some(FilterRun {
            image_folders: image_folders.clone(),
            candidate_folders: candidate_folders.into_iter().collect(),
            stats,
            images_missing,
            from_results_json: from_results,
        }),
        companion: None,
    };
    LoadedFolder {
        folder,
        items,
        diagnostics,
    }
}

/// A candidate image that matched no file (`matches` 0) or several equally well.
struct ImageProblem {
    id: String,
    image: String,
    source: Source,
    line: u64,
    matches: usize,
}

/// One candidate as an item, its image resolved under the opened folder.
fn item_of(
    candidate: Candidate,
    dir: &Path,
    index: &ImageIndex,
    from_results: bool,
) -> (Item, Option<ImageProblem>) {
    let problem = |matches| ImageProblem {
        id: candidate.id.clone(),
        image: candidate.image.clone(),
        source: candidate.source,
        line: candidate.line,
        matches,
    };
    let (image_path, image_status, problem) = match index.resolve(&candidate.image) {
        Resolved::Found(path) => (path, ImageStatus::Present, None),
        Resolved::Ambiguous(path, n) => (path, ImageStatus::Present, Some(problem(n))),
        Resolved::Missing => {
            let name = crate::load::confine::file_name_or_unusable(&candidate.image);
            (dir.join(name), ImageStatus::Missing, Some(problem(0)))
        }
    };
    let verdict = candidate.verdict();
    // A line of the file the folder's items come from (see `FilterRun::source_file`).
    let csv_line = (candidate.source == Source::Results || !from_results).then_some(candidate.line);
    let reply = candidate.reply;
    let item = Item {
        folder: 0,
        id: candidate.id,
        parts: vec![Part {
            label: None,
            question: Arc::from(candidate.question),
            answer: candidate.answer,
            image_path,
            image_status,
            verdict,
            caption: reply.as_deref().and_then(stated_count),
            analysis: reply.map(|reply| JudgeAnalysis {
                phase1: String::new(),
                phase2: reply,
            }),
            trace: None,
        }],
        verdict,
        csv_line,
        extras: None,
    };
    (item, problem)
}

/// The candidates from `filter_results.json`, completed or replaced by the JSONL files; checks
/// the files against each other. The flag is true when `filter_results.json` was read (whole
/// or cut short).
fn read_candidates(
    dir: &Path,
    path_of: &(dyn Fn(&str) -> Option<PathBuf> + Sync),
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Candidate>, bool) {
    // While the array is streamed, the JSONL files are read for their ids (all the cross-check
    // needs), a line at a time; only when the array is absent or cut short are they parsed whole.
    let jsonl_files: Vec<(PathBuf, Source)> = [
        (FILTERED_JSONL, Source::Filtered),
        (REJECTED_JSONL, Source::Rejected),
    ]
    .into_iter()
    .filter_map(|(name, source)| Some((path_of(name)?, source)))
    .collect();
    let ((results, problems), (ids, id_problems)) = rayon::join(
        || {
            let mut problems = Vec::new();
            let results =
                path_of(FILTER_RESULTS).and_then(|path| read_results_json(&path, &mut problems));
            (results, problems)
        },
        || {
            let mut problems = Vec::new();
            let ids: Vec<(PathBuf, Vec<Candidate>)> = jsonl_files
                .iter()
                .filter_map(|(path, source)| {
                    Some((path.clone(), read_jsonl_ids(path, *source, &mut problems)?))
                })
                .collect();
            (ids, problems)
        },
    );
    diagnostics.extend(problems);
    let jsonl: Vec<(PathBuf, Vec<Candidate>)> = if results.as_ref().is_some_and(|r| r.complete) {
        diagnostics.extend(id_problems);
        ids
    } else {
        jsonl_files
            .iter()
            .filter_map(|(path, source)| {
                let bytes = read_file(path, diagnostics)?;
                Some((
                    path.clone(),
                    parse_jsonl(path, &bytes, *source, false, diagnostics),
                ))
            })
            .collect()
    };
    let Some(results) = results else {
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (path, list) in jsonl {
            for candidate in list {
                if let Some(&at) = seen.get(&candidate.id) {
                    let first = &candidates[at];
                    diagnostics.push(Diagnostic::warning(
                        &path,
                        Some(candidate.line),
                        format!(
                            "{} is also in {} (line {}); the first is kept",
                            candidate.id,
                            first.source.file_name(),
                            first.line
                        ),
                    ));
                    continue;
                }
                seen.insert(candidate.id.clone(), candidates.len());
                candidates.push(candidate);
            }
        }
        return (candidates, false);
    };
    let results_path = dir.join(FILTER_RESULTS);
    let ResultsRead {
        mut candidates,
        complete,
    } = results;
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(candidates.len());
    let mut kept = Vec::with_capacity(candidates.len());
    for candidate in candidates.drain(..) {
        if let Some(&at) = by_id.get(&candidate.id) {
            let earlier: &Candidate = &kept[at];
            diagnostics.push(Diagnostic::warning(
                &results_path,
                Some(candidate.line),
                format!(
                    "{} appears again (first at line {}); the later one is kept",
                    candidate.id, earlier.line
                ),
            ));
            kept[at] = candidate;
        } else {
            by_id.insert(candidate.id.clone(), kept.len());
            kept.push(candidate);
        }
    }
    let mut candidates = kept;
    // Where the JSONL files and the array disagree; candidates only the JSONL files hold are
    // added when the array was cut short.
    let mut disagreements: Vec<Diagnostic> = Vec::new();
    let mut added = 0usize;
    for (path, list) in &jsonl {
        for candidate in list {
            match by_id.get(&candidate.id) {
                Some(&at) => {
                    let in_results = &candidates[at];
                    if in_results.accepted != candidate.accepted {
                        disagreements.push(Diagnostic::warning(
                            path,
                            Some(candidate.line),
                            format!(
                                "{} is {} here but {} in {FILTER_RESULTS} (line {})",
                                candidate.id,
                                accepted_word(candidate.accepted),
                                accepted_word(in_results.accepted),
                                in_results.line
                            ),
                        ));
                    }
                }
                None if !complete => {
                    by_id.insert(candidate.id.clone(), candidates.len());
                    candidates.push(candidate.clone());
                    added += 1;
                }
                None => disagreements.push(Diagnostic::warning(
                    path,
                    Some(candidate.line),
                    format!("{} is not in {FILTER_RESULTS}", candidate.id),
                )),
            }
        }
    }
    if complete {
        // Each file should hold exactly the candidates of its kind.
        let ids_of = |source: Source| -> Option<HashSet<&str>> {
            jsonl
                .iter()
                .find(|(path, _)| path.file_name().is_some_and(|n| n == source.file_name()))
                .map(|(_, list)| list.iter().map(|c| c.id.as_str()).collect())
        };
        let (filtered, rejected) = (ids_of(Source::Filtered), ids_of(Source::Rejected));
        for candidate in &candidates {
            let (expected_in, ids) = if candidate.accepted {
                (FILTERED_JSONL, &filtered)
            } else {
                (REJECTED_JSONL, &rejected)
            };
            if let Some(ids) = ids
                && !ids.contains(candidate.id.as_str())
            {
                disagreements.push(Diagnostic::warning(
                    &results_path,
                    Some(candidate.line),
                    format!(
                        "{} is {} but not in {expected_in}",
                        candidate.id,
                        accepted_word(candidate.accepted)
                    ),
                ));
            }
        }
    }
    if added > 0 {
        diagnostics.push(Diagnostic::info(
            &results_path,
            None,
            format!("{added} candidates after the cut were taken from the JSONL files"),
        ));
    }
    push_listed(
        diagnostics,
        disagreements,
        dir,
        "the filter's files disagree on",
    );
    (candidates, true)
}

fn accepted_word(accepted: bool) -> &'static str {
    if accepted { "accepted" } else { "rejected" }
}

/// Adds the first `LISTED` problems one by one and the rest as one line.
fn push_listed(
    diagnostics: &mut Vec<Diagnostic>,
    problems: Vec<Diagnostic>,
    dir: &Path,
    what: &str,
) {
    let more = problems.len().saturating_sub(LISTED);
    diagnostics.extend(problems.into_iter().take(LISTED));
    if more > 0 {
        diagnostics.push(Diagnostic::warning(
            dir,
            None,
            format!("{what} {more} more candidates (not listed one by one)"),
        ));
    }
}

fn report_images(
    dir: &Path,
    problems: &[ImageProblem],
    total: usize,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (missing, ambiguous): (Vec<&ImageProblem>, Vec<&ImageProblem>) =
        problems.iter().partition(|p| p.matches == 0);
    if !missing.is_empty() {
        let hint = if missing.len() == total {
            " (images are matched by the end of their path, e.g. candidates/math3/0.png: open \
             the folder that holds both the filter output and the candidate images)"
        } else {
            ""
        };
        diagnostics.push(Diagnostic::warning(
            dir,
            None,
            format!(
                "{} of {total} candidate images were not found under the opened folder{hint}",
                missing.len()
            ),
        ));
        let listed = missing
            .iter()
            .map(|p| {
                Diagnostic::warning(
                    &dir.join(p.source.file_name()),
                    Some(p.line),
                    format!("{}: image not found: {}", p.id, p.image),
                )
            })
            .collect();
        push_listed(diagnostics, listed, dir, "images missing for");
    }
    if let Some(first) = ambiguous.first() {
        diagnostics.push(Diagnostic::warning(
            &dir.join(first.source.file_name()),
            Some(first.line),
            format!(
                "{} candidate images match more than one file equally well (e.g. {} matches {}); \
                 the first folder in name order is shown",
                ambiguous.len(),
                first.image,
                first.matches
            ),
        ));
    }
}

fn read_stats(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<FilterStats> {
    let bytes = read_file(path, diagnostics)?;
    match serde_json::from_slice::<FilterStats>(&bytes) {
        Ok(stats) => Some(stats),
        Err(err) => {
            diagnostics.push(Diagnostic::error(
                path,
                Some(err.line() as u64),
                format!("not understood: {err}"),
            ));
            None
        }
    }
}

/// `filter_stats.json` against the candidates: every stated count that differs is a warning.
fn check_stats(
    dir: &Path,
    stats: &FilterStats,
    total: u64,
    accepted: u64,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path = dir.join(FILTER_STATS);
    let counted = [
        ("total_samples", stats.total_samples, total),
        ("accepted_samples", stats.accepted_samples, accepted),
        ("rejected_samples", stats.rejected_samples, total - accepted),
    ];
    for (field, stated, counted) in counted {
        if let Some(stated) = stated
            && stated != counted
        {
            diagnostics.push(Diagnostic::warning(
                &path,
                None,
                format!("{field} is {stated}, but the candidates read hold {counted}"),
            ));
        }
    }
    if let Some(rate) = stats.acceptance_rate
        && total > 0
    {
        let counted = accepted as f64 / total as f64 * 100.0;
        if (rate - counted).abs() > 1e-9 * counted.abs().max(1.0) {
            diagnostics.push(Diagnostic::warning(
                &path,
                None,
                format!("acceptance_rate is {rate}%, but the candidates read give {counted}%"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_of_folders_and_ids() {
        assert_eq!(stem_of_folder("filter_math3"), "math3");
        assert_eq!(stem_of_folder("out"), "out");
        assert_eq!(stem_of_id("math3_00012"), Some("math3"));
        assert_eq!(stem_of_id("math3"), None);
    }

    #[test]
    fn a_truncated_array_keeps_the_candidates_before_the_cut() {
        let text = "[\n  {\n    \"id\": \"m_1\",\n    \"accepted\": true,\n    \"model_judgment\": \"YES\"\n  },\n  {\n    \"id\": \"m_2\",\n    \"Answer\": 3,\n    \"model_judgment\": \"NO\",\n    \"accepted\": false\n  },\n  {\n    \"id\": \"m_3\", \"mod";
        let mut diagnostics = Vec::new();
        let read = parse_results_json(Path::new("f.json"), text.as_bytes(), &mut diagnostics);
        assert!(!read.complete);
        let got: Vec<(&str, u64, Verdict, &str)> = read
            .candidates
            .iter()
            .map(|c| (c.id.as_str(), c.line, c.verdict(), c.answer.as_str()))
            .collect();
        assert_eq!(
            got,
            [("m_1", 2, Verdict::Yes, ""), ("m_2", 7, Verdict::No, "3")]
        );
        assert_eq!(diagnostics.len(), 1);
        assert!(
            diagnostics[0].message.starts_with("truncated"),
            "{diagnostics:?}"
        );
        assert_eq!(diagnostics[0].line, Some(14));
    }

    #[test]
    fn not_an_array_and_a_bad_element_are_diagnostics_at_their_lines() {
        let mut diagnostics = Vec::new();
        let read = parse_results_json(Path::new("f.json"), b"{\"id\": 1}", &mut diagnostics);
        assert!(read.candidates.is_empty() && !read.complete);
        assert!(diagnostics[0].message.contains("not a JSON array"));
        let mut diagnostics = Vec::new();
        let read = parse_results_json(
            Path::new("f.json"),
            b"[\n{\"id\": \"a_1\"},\n{\"Question\": \"no id\"},\n[1, 2]\n]",
            &mut diagnostics,
        );
        assert!(read.complete);
        assert_eq!(read.candidates.len(), 1);
        let lines: Vec<Option<u64>> = diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
    }

    #[test]
    fn streaming_in_chunks_equals_reading_whole_wherever_the_file_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::stars::write_filter_output(dir.path(), 5, 6).unwrap();
        let source = dir.path().join("filter_math3/filter_results.json");
        let bytes = std::fs::read(&source).unwrap();
        let path = dir.path().join("cut.json");
        let shown = |read: Option<ResultsRead>, diagnostics: Vec<Diagnostic>| {
            let read = read.unwrap();
            let ids: Vec<(String, u64, Verdict)> = read
                .candidates
                .iter()
                .map(|c| (c.id.clone(), c.line, c.verdict()))
                .collect();
            let problems: Vec<(Option<u64>, String)> = diagnostics
                .into_iter()
                .map(|d| (d.line, d.message.split(" (").next().unwrap().to_string()))
                .collect();
            (ids, read.complete, problems)
        };
        // Every cut point from the first element on, with chunks smaller than one element.
        let first_element = 2;
        for cut in (first_element..=bytes.len())
            .step_by(7)
            .chain([bytes.len()])
        {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let mut whole_problems = Vec::new();
            let whole = parse_results_json(&path, &bytes[..cut], &mut whole_problems);
            let whole = shown(Some(whole), whole_problems);
            for chunk in [8, 61, 1000] {
                let mut problems = Vec::new();
                let streamed = read_results_in_chunks(&path, chunk, &mut problems);
                let streamed = shown(streamed, problems);
                assert_eq!(streamed.0, whole.0, "cut {cut}, chunk {chunk}");
                assert_eq!(streamed.1, whole.1, "cut {cut}, chunk {chunk}");
                if whole.1 {
                    assert!(streamed.2.is_empty(), "cut {cut}: {:?}", streamed.2);
                } else {
                    // Both say "truncated" at the last line.
                    assert_eq!(streamed.2.len(), 1, "cut {cut}: {:?}", streamed.2);
                    assert_eq!(streamed.2[0].0, whole.2[0].0, "cut {cut}");
                    assert!(streamed.2[0].1.starts_with("truncated"), "{:?}", streamed.2);
                }
            }
        }
        assert_eq!(
            shown(
                read_results_in_chunks(&source, 61, &mut Vec::new()),
                Vec::new()
            )
            .0
            .len(),
            6
        );
    }

    #[test]
    fn images_are_matched_by_the_end_of_their_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for rel in [
            "candidates/math3/0.png",
            "other/math3/0.png",
            "x/run/math_3/0.png",
            "pool/7.png",
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"png").unwrap();
        }
        let folders: Vec<PathBuf> = ["candidates/math3", "other/math3", "x/run/math_3", "pool"]
            .iter()
            .map(|r| root.join(r))
            .collect();
        let index = ImageIndex::build(&root, &folders);
        let found = |written: &str| match index.resolve(written) {
            Resolved::Found(p) => format!("found {}", p.strip_prefix(&root).unwrap().display()),
            Resolved::Ambiguous(p, n) => {
                format!("{n}x {}", p.strip_prefix(&root).unwrap().display())
            }
            Resolved::Missing => "missing".into(),
        };
        assert_eq!(
            found("/abs/path/to/stars/candidates/math3/0.png"),
            "found candidates/math3/0.png"
        );
        assert_eq!(
            found("C:\\gen\\other\\math3\\0.png"),
            "found other/math3/0.png"
        );
        assert_eq!(found("/elsewhere/math3/0.png"), "2x candidates/math3/0.png");
        // Only the file name in common: not this candidate's image.
        assert_eq!(found("/abs/math_3_new/0.png"), "missing");
        assert_eq!(found("7.png"), "found pool/7.png");
        assert_eq!(found("/abs/pool/../../etc/passwd"), "missing");
        assert_eq!(found("/abs/pool/9.png"), "missing");
    }
}
