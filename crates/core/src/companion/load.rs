//! GenEval and WISE outputs as items: a GenEval item is one prompt folder with its samples as
//! parts (each with the detector's verdict and reason, and the think text when there is one); a
//! WISE item is one prompt with its image, the judge's scores and evaluation, and the think text.
//!
//! One task folder per GenEval tag / WISE category of an output, so every view that groups by
//! task groups by tag and category. Only listed files inside the output are read: the image
//! paths written in the results are data (matched by their last parts), never opened.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::discover::{GenevalRun, WiseRun};
use super::{geneval, wise};
use crate::diagnostics::Diagnostic;
use crate::load::spec::{FolderSpec, LoadedFolder};
use crate::model::{
    ImageStatus, Item, ItemExtras, JudgeAnalysis, Part, TaskFolder, TraceSource, Verdict,
};
use crate::taxonomy::{GenevalTag, TaskKind, WiseCategory};

pub use crate::model::{CompanionSource, CompanionSpec};

/// The task folders (specs) of a GenEval output: one per tag its prompt folders have.
pub fn geneval_specs(run: &GenevalRun, root: &Path) -> Vec<FolderSpec> {
    let mut tags: Vec<GenevalTag> = prompt_folders(&run.dir.join("images"))
        .iter()
        .filter_map(|dir| read_metadata(dir).ok())
        .map(|meta| GenevalTag::of(&meta.tag))
        .collect();
    tags.sort();
    tags.dedup();
    let source = CompanionSource::Geneval {
        results: run.results.clone(),
    };
    specs_of(
        &run.dir,
        &run.run,
        &run.setting,
        root,
        source,
        tags.iter().map(|t| t.name()),
    )
}

/// The task folders (specs) of a WISE output: one per category its images and scores have.
pub fn wise_specs(run: &WiseRun, root: &Path) -> Vec<FolderSpec> {
    let (rows, _) = read_scores(&run.scores);
    let mut categories: Vec<WiseCategory> = files(&run.dir)
        .keys()
        .filter_map(|name| prompt_id_of(name))
        .filter_map(|id| category_of(id, &rows))
        .chain(rows.values().filter_map(|(row, _)| row.category()))
        .collect();
    categories.sort();
    categories.dedup();
    let source = CompanionSource::Wise {
        scores: run.scores.clone(),
    };
    specs_of(
        &run.dir,
        &run.run,
        &run.setting,
        root,
        source,
        categories.iter().map(|c| c.name()),
    )
}

fn specs_of<'a>(
    dir: &Path,
    run: &str,
    setting: &str,
    root: &Path,
    source: CompanionSource,
    stems: impl Iterator<Item = &'a str>,
) -> Vec<FolderSpec> {
    stems
        .enumerate()
        .map(|(index, stem)| FolderSpec {
            path: dir.to_path_buf(),
            run: run.to_string(),
            setting: crate::taxonomy::Setting::parse(setting),
            stem: stem.to_string(),
            shared_traces: None,
            root: root.to_path_buf(),
            filter_images: None,
            companion: Some(CompanionSpec {
                source: source.clone(),
                reports_output: index == 0,
            }),
        })
        .collect()
}

/// Loads one companion task folder (never fails: problems become diagnostics).
pub fn load_companion_folder(spec: &FolderSpec, companion: &CompanionSpec) -> LoadedFolder {
    let kind = TaskKind::of_stem(&spec.stem);
    let (items, mut diagnostics, judge_files) = match &companion.source {
        CompanionSource::Geneval { results } => {
            let (items, diagnostics) =
                geneval_items(&spec.path, results, GenevalTag::of(&spec.stem));
            (items, diagnostics, results)
        }
        CompanionSource::Wise { scores } => {
            let category = match kind.level {
                crate::taxonomy::Level::Wise(category) => Some(category),
                _ => None,
            };
            let (items, diagnostics) = wise_items(&spec.path, scores, category);
            (items, diagnostics, scores)
        }
    };
    // What concerns the whole output is said once, by its first folder.
    if companion.reports_output {
        diagnostics.extend(output_checks(spec, &companion.source));
    } else {
        diagnostics.clear();
    }
    let evaluated = !judge_files.is_empty();
    let folder = TaskFolder {
        path: spec.path.clone(),
        run: spec.run.clone(),
        setting: spec.setting.clone(),
        stem: spec.stem.clone(),
        kind,
        evaluated,
        log: None,
        csv_counts: None,
        shared_traces: None,
        root: spec.root.clone(),
        csv_mark: None,
        csv_runs: Vec::new(),
        trace_marks: Vec::new(),
        filter: None,
        companion: Some(companion.clone()),
    };
    LoadedFolder {
        folder,
        items,
        diagnostics,
    }
}

/// The checks of a whole output (short prompt folders, rows without image, lone texts).
fn output_checks(spec: &FolderSpec, source: &CompanionSource) -> Vec<Diagnostic> {
    let (dir, run, setting) = (
        spec.path.clone(),
        spec.run.clone(),
        spec.setting.to_string(),
    );
    match source {
        CompanionSource::Geneval { results } => super::checks::geneval_checks(&GenevalRun {
            dir,
            run,
            setting,
            results: results.clone(),
        }),
        CompanionSource::Wise { scores } => super::checks::wise_checks(&WiseRun {
            dir,
            run,
            setting,
            scores: scores.clone(),
        }),
    }
}

// ---- GenEval -------------------------------------------------------------------------------

/// A prompt folder's `metadata.jsonl` (one `json.dump`, no final newline).
#[derive(Debug, serde::Deserialize)]
struct Metadata {
    #[serde(default)]
    tag: String,
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    include: Vec<Clause>,
    #[serde(default)]
    exclude: Vec<Clause>,
}

/// One include/exclude clause: `{class, count[, color][, position: [relation, target_index]]}`.
#[derive(Debug, serde::Deserialize)]
struct Clause {
    class: String,
    #[serde(default)]
    count: u32,
    #[serde(default)]
    color: Option<String>,
    #[serde(default)]
    position: Option<(String, usize)>,
}

fn read_metadata(prompt_dir: &Path) -> Result<Metadata, String> {
    let text = std::fs::read_to_string(prompt_dir.join("metadata.jsonl"))
        .map_err(|err| format!("cannot read: {err}"))?;
    serde_json::from_str(text.trim()).map_err(|err| format!("not GenEval metadata: {err}"))
}

/// The clauses in GenEval's own notation (the reasons use it): `purple cup>=1`, `pizza<3`,
/// `laptop>=1 right of tv`.
fn expected_text(meta: &Metadata) -> String {
    let name = |clause: &Clause| match &clause.color {
        Some(color) => format!("{color} {}", clause.class),
        None => clause.class.clone(),
    };
    let mut clauses: Vec<String> = meta
        .include
        .iter()
        .map(|clause| {
            let mut text = format!("{}>={}", name(clause), clause.count);
            if let Some((relation, target)) = &clause.position {
                let target = meta
                    .include
                    .get(*target)
                    .map_or_else(|| format!("object {target}"), |t| t.class.clone());
                text += &format!(" {relation} {target}");
            }
            text
        })
        .collect();
    clauses.extend(
        meta.exclude
            .iter()
            .map(|clause| format!("{}<{}", name(clause), clause.count)),
    );
    clauses.join(", ")
}

/// Numbered prompt folders under `images/` (links leaving the output are not followed).
fn prompt_folders(images: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(images) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
        })
        .map(|e| e.path())
        .filter(|p| !p.is_symlink() || crate::load::confine::link_stays_inside(p, images))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A folder's plain files by name (hidden ones and links leaving it left out).
fn files(dir: &Path) -> BTreeMap<String, PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter(|e| {
            !e.file_type().is_ok_and(|t| t.is_symlink())
                || crate::load::confine::link_stays_inside(&e.path(), dir)
        })
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect()
}

/// The results rows of an output by (prompt folder, sample file): the last row of a sample wins.
fn geneval_rows(
    results: &[PathBuf],
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<(String, String), geneval::ResultRow> {
    let mut by_sample = HashMap::new();
    for file in results {
        let Some(text) = crate::load::text_file::read_text(file, diagnostics) else {
            continue;
        };
        let (rows, problems) = geneval::parse_results(&text);
        for (line, why) in problems {
            diagnostics.push(Diagnostic::warning(file, Some(line as u64), why));
        }
        for row in rows {
            match geneval::sample_of(&row.filename) {
                Some(sample) => {
                    by_sample.insert(sample, row);
                }
                None => diagnostics.push(Diagnostic::warning(
                    file,
                    None,
                    format!(
                        "a row's filename {:?} is not <prompt>/samples/<k>.png; left out",
                        row.filename
                    ),
                )),
            }
        }
    }
    by_sample
}

fn geneval_items(
    output: &Path,
    results: &[PathBuf],
    tag: GenevalTag,
) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut rows = geneval_rows(results, &mut diagnostics);
    let mut items = Vec::new();
    for prompt_dir in prompt_folders(&output.join("images")) {
        let meta = match read_metadata(&prompt_dir) {
            Ok(meta) => meta,
            Err(why) => {
                diagnostics.push(Diagnostic::warning(
                    &prompt_dir.join("metadata.jsonl"),
                    Some(1),
                    format!("{why}; this prompt folder is left out"),
                ));
                continue;
            }
        };
        if GenevalTag::of(&meta.tag) != tag {
            continue;
        }
        let prompt_name = file_name(&prompt_dir);
        let samples_dir = prompt_dir.join("samples");
        let listed = files(&samples_dir);
        // Samples: the PNGs on disk and the rows naming a PNG of this folder (its image may be
        // gone: the row still counts, as in summary_scores.py).
        let mut names: Vec<String> = listed
            .keys()
            .filter(|n| n.ends_with(".png"))
            .cloned()
            .chain(
                rows.keys()
                    .filter(|(p, _)| *p == prompt_name)
                    .map(|(_, file)| file.clone()),
            )
            .collect();
        names.sort();
        names.dedup();
        let question: Arc<str> = meta.prompt.as_str().into();
        let expected = expected_text(&meta);
        let parts: Vec<Part> = names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let row = rows.remove(&(prompt_name.clone(), name.clone()));
                let stem = name.trim_end_matches(".png");
                let trace = listed
                    .get(&format!("{stem}.txt"))
                    .and_then(|p| think_trace(p));
                sample_part(
                    index,
                    name,
                    &samples_dir,
                    &listed,
                    row,
                    &question,
                    &expected,
                    trace,
                )
            })
            .collect();
        let verdict = prompt_verdict(&parts);
        items.push(Item {
            folder: 0,
            id: prompt_name,
            parts,
            verdict,
            csv_line: None,
            extras: None,
        });
    }
    items.sort_by(|a, b| crate::model::compare_ids(&a.id, &b.id));
    (items, diagnostics)
}

/// A prompt's verdict as `summary_scores.py` counts prompts: right when any sample is.
fn prompt_verdict(parts: &[Part]) -> Verdict {
    if parts.iter().any(|p| p.verdict == Verdict::Yes) {
        Verdict::Yes
    } else if parts.iter().any(|p| p.verdict.is_judged()) {
        Verdict::No
    } else if parts.is_empty() {
        Verdict::NotGenerated
    } else {
        Verdict::NotJudged
    }
}

#[allow(clippy::too_many_arguments)]
fn sample_part(
    index: usize,
    name: &str,
    samples_dir: &Path,
    listed: &BTreeMap<String, PathBuf>,
    row: Option<geneval::ResultRow>,
    question: &Arc<str>,
    expected: &str,
    trace: Option<crate::model::Trace>,
) -> Part {
    let image_status = if listed.contains_key(name) {
        ImageStatus::Present
    } else {
        ImageStatus::Missing
    };
    let (verdict, caption, analysis) = match row {
        Some(row) => {
            let reason = row.reason.trim().to_string();
            let caption = if row.correct {
                "all clauses met".to_string()
            } else {
                reason.lines().next().unwrap_or("wrong").to_string()
            };
            let phase1 = if row.correct {
                "correct: every clause met".to_string()
            } else {
                reason
            };
            let verdict = if row.correct {
                Verdict::Yes
            } else {
                Verdict::No
            };
            (
                verdict,
                Some(caption),
                Some(JudgeAnalysis {
                    phase1,
                    phase2: detections_text(&row.details),
                }),
            )
        }
        None => (Verdict::NotJudged, None, None),
    };
    Part {
        label: char::from_digit(index as u32 + 1, 36),
        question: question.clone(),
        answer: expected.to_string(),
        image_path: samples_dir.join(name),
        image_status,
        verdict,
        caption,
        analysis,
        trace,
    }
}

/// The detector's boxes in words: `cup: 2 (0.91, 0.45)`, a class per line.
fn detections_text(details: &str) -> String {
    let Ok(serde_json::Value::Object(classes)) = serde_json::from_str::<serde_json::Value>(details)
    else {
        return String::new();
    };
    let lines: Vec<String> = classes
        .iter()
        .map(|(class, boxes)| {
            let scores: Vec<String> = boxes
                .as_array()
                .map(|boxes| {
                    boxes
                        .iter()
                        .filter_map(|b| b.as_array()?.get(4)?.as_f64())
                        .map(|score| format!("{score:.2}"))
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{class}: {} detected (scores {})",
                scores.len(),
                scores.join(", ")
            )
        })
        .collect();
    if lines.is_empty() {
        "detected: nothing".into()
    } else {
        format!("detected:\n{}", lines.join("\n"))
    }
}

// ---- WISE ----------------------------------------------------------------------------------

/// One record of `<stem>_full_results.json`.
#[derive(Debug, serde::Deserialize)]
struct FullRecord {
    prompt_id: u32,
    #[serde(default)]
    prompt: String,
    /// The prompt's Explanation: the knowledge the image should show.
    #[serde(default)]
    key: String,
    #[serde(default)]
    evaluation: String,
}

/// The scores rows of an output by prompt id (the last row of an id wins), each with its file.
fn read_scores(scores: &[PathBuf]) -> (HashMap<u32, (wise::ScoreRow, PathBuf)>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut by_id = HashMap::new();
    for file in scores {
        let Some(text) = crate::load::text_file::read_text(file, &mut diagnostics) else {
            continue;
        };
        let (rows, problems) = wise::parse_scores(&text);
        for (line, why) in problems {
            diagnostics.push(Diagnostic::warning(file, Some(line as u64), why));
        }
        for row in rows {
            by_id.insert(row.prompt_id, (row, file.clone()));
        }
    }
    (by_id, diagnostics)
}

/// `<stem>_full_results.json` beside each scores file: the prompt, explanation and evaluation.
fn read_full_records(
    scores: &[PathBuf],
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<u32, FullRecord> {
    let mut by_id = HashMap::new();
    for file in scores {
        let name = file_name(file);
        let Some(stem) = name.strip_suffix("_scores_results.jsonl") else {
            continue;
        };
        let full = file.with_file_name(format!("{stem}_full_results.json"));
        if !full.is_file() {
            continue;
        }
        let Some(text) = crate::load::text_file::read_text(&full, diagnostics) else {
            continue;
        };
        match serde_json::from_str::<Vec<FullRecord>>(&text) {
            Ok(records) => by_id.extend(records.into_iter().map(|r| (r.prompt_id, r))),
            Err(err) => diagnostics.push(Diagnostic::warning(
                &full,
                Some(err.line() as u64),
                format!("not a WISE full results file: {err}"),
            )),
        }
    }
    by_id
}

fn prompt_id_of(name: &str) -> Option<u32> {
    let stem = name
        .strip_suffix(".png")
        .or_else(|| name.strip_suffix(".txt"))?;
    (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
        .then(|| stem.parse().ok())
        .flatten()
}

/// An id's category: by its score row when it has one (Verified rows use their own ranges),
/// else by the legacy ranges.
fn category_of(id: u32, rows: &HashMap<u32, (wise::ScoreRow, PathBuf)>) -> Option<WiseCategory> {
    match rows.get(&id) {
        Some((row, _)) => row.category(),
        None => WiseCategory::of_id(id),
    }
}

fn wise_items(
    dir: &Path,
    scores: &[PathBuf],
    category: Option<WiseCategory>,
) -> (Vec<Item>, Vec<Diagnostic>) {
    let (rows, mut diagnostics) = read_scores(scores);
    let full = read_full_records(scores, &mut diagnostics);
    let listed = files(dir);
    let mut ids: Vec<u32> = listed
        .keys()
        .filter_map(|name| prompt_id_of(name))
        .chain(rows.keys().copied())
        .filter(|id| category.is_some() && category_of(*id, &rows) == category)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let items = ids
        .into_iter()
        .map(|id| {
            let png = format!("{id}.png");
            let record = full.get(&id);
            let row = rows.get(&id).map(|(row, _)| row);
            let trace = listed
                .get(&format!("{id}.txt"))
                .and_then(|p| think_trace(p));
            let verdict = row.map_or(Verdict::NotJudged, |row| wise_verdict(&row.judged));
            let question: Arc<str> = record
                .map(|r| r.prompt.clone())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| {
                    format!("WISE prompt {id} (its text is in the judge's full results, not found)")
                })
                .into();
            let part = Part {
                label: None,
                question,
                answer: record.map(|r| r.key.clone()).unwrap_or_default(),
                image_path: dir.join(&png),
                image_status: if listed.contains_key(&png) {
                    ImageStatus::Present
                } else {
                    ImageStatus::Missing
                },
                verdict,
                caption: row.map(|row| scores_caption(&row.judged)),
                analysis: row.map(|row| JudgeAnalysis {
                    phase1: scores_caption(&row.judged),
                    phase2: record.map(|r| r.evaluation.clone()).unwrap_or_default(),
                }),
                trace,
            };
            Item {
                folder: 0,
                id: id.to_string(),
                parts: vec![part],
                verdict,
                csv_line: None,
                extras: row.map(|row| {
                    Box::new(ItemExtras {
                        wise: Some(row.judged.clone()),
                        ..ItemExtras::default()
                    })
                }),
            }
        })
        .collect();
    (items, diagnostics)
}

/// A WISE judgment as a verdict: a failed judge call (999) as such; legacy scores right when
/// the image is fully consistent with the prompt's knowledge (consistency 2), Verified by its
/// 0/1 score. (The scores themselves, and the WiScore, stay on the item.)
pub fn wise_verdict(judged: &wise::Judged) -> Verdict {
    if judged.failed() {
        return Verdict::JudgeError;
    }
    let right = match judged {
        wise::Judged::Legacy { consistency, .. } => *consistency == Some(2.0),
        wise::Judged::Verified(score) => *score == Some(1.0),
    };
    if right { Verdict::Yes } else { Verdict::No }
}

/// `consistency 2 · realism 1 · aesthetic 1 → WiScore 0.85`, with a failed metric named.
pub fn scores_caption(judged: &wise::Judged) -> String {
    let metric =
        |value: Option<f64>| value.map_or("999 (not judged)".to_string(), |v| format!("{v}"));
    let wiscore = judged
        .wiscore()
        .map_or("no WiScore (judge failure)".to_string(), |s| {
            format!("WiScore {s:.3}")
        });
    match judged {
        wise::Judged::Legacy {
            consistency,
            realism,
            aesthetic_quality,
        } => format!(
            "consistency {} · realism {} · aesthetic {} → {wiscore}",
            metric(*consistency),
            metric(*realism),
            metric(*aesthetic_quality)
        ),
        wise::Judged::Verified(score) => format!("score {} (WISE_Verified)", metric(*score)),
    }
}

/// A think text (`<think>…</think>` then the refined prompt the image was drawn from).
fn think_trace(path: &Path) -> Option<crate::model::Trace> {
    let text = std::fs::read_to_string(path).ok()?;
    let source = TraceSource {
        file: path.into(),
        line: None,
    };
    Some(match text.split_once("</think>") {
        Some((think, refined)) => {
            crate::load::trace::trace_from_think(think, Some(refined), source)
        }
        None => crate::load::trace::trace_from_think(&text, None, source),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
