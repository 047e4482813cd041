//! Loading one task folder: results CSV + log + traces + images → items and diagnostics.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::load::confine::{is_readable_file, stays_inside};
pub(crate) use crate::load::folder_traces::Traces;
use crate::load::folder_traces::{read_traces, take_trace};
use crate::load::image_check::is_image_file;
use crate::load::judge::{parse_analysis, short_caption};
use crate::load::log::parse_log;
use crate::load::reruns::{judge_failure_note, log_disagreement};
use crate::load::results_csv::{ResultRow, parse_results_csv};
pub use crate::load::spec::LoadedFolder;
use crate::load::spec::{FolderSpec, RESULTS_CSV, RESULTS_LOG};
use crate::load::text_file::{NOT_UTF8, read_text};
use crate::model::{CsvMark, ImageStatus, Item, Part, TaskFolder, Verdict, compare_ids};

use crate::taxonomy::{Family, TaskKind};

/// Loads one task folder of an eval (a STARS filter output: `load::stars`). Never fails:
/// whatever cannot be read becomes a diagnostic.
pub fn load_task_folder(spec: &FolderSpec) -> LoadedFolder {
    let dir = spec.path.as_path();
    let kind = TaskKind::of_stem(&spec.stem);
    let mut diagnostics = Vec::new();

    let mut file_names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                stays_inside(e, &spec.root, &mut diagnostics)
                    && is_readable_file(e, &mut diagnostics)
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(err) => {
            diagnostics.push(Diagnostic::error(
                dir,
                None,
                format!("cannot list folder: {err}"),
            ));
            Vec::new()
        }
    };
    // A remote run's images are listed, not written, until shown.
    file_names.extend(crate::load::listing::listed_images(dir));
    file_names.sort();
    file_names.dedup();
    let file_set: HashSet<&str> = file_names.iter().map(String::as_str).collect();

    let mut trace_marks = Vec::new();
    let mut traces = read_traces(
        dir,
        &file_names,
        &file_set,
        spec.shared_traces.as_deref(),
        &mut trace_marks,
        &mut diagnostics,
    );
    let csv_path = dir.join(RESULTS_CSV);
    let (rows, csv_mark, csv_runs) = match file_set.contains(RESULTS_CSV) {
        true => {
            let (rows, mark, runs) = read_rows(&csv_path, &mut diagnostics);
            (Some(rows), mark, runs)
        }
        false => (None, None, Vec::new()),
    };
    let log = file_set
        .contains(RESULTS_LOG)
        .then(|| dir.join(RESULTS_LOG))
        .and_then(|path| {
            read_text(&path, &mut diagnostics).and_then(|text| match parse_log(&text) {
                Ok(log) => Some(log),
                Err(message) => {
                    diagnostics.push(Diagnostic::warning(
                        &path,
                        None,
                        format!("log not understood: {message}"),
                    ));
                    None
                }
            })
        });

    let mut items = Vec::new();
    let mut covered_images = HashSet::new();
    let evaluated = rows.is_some();
    let rows_for_log = rows.as_ref().map(|rows| {
        (
            rows.len() as u64,
            rows.iter().filter(|r| r.correct).count() as u64,
        )
    });
    for row in rows.into_iter().flatten() {
        covered_images.extend(row.images.iter().map(|i| i.image_file.clone()));
        items.push(item_from_row(
            dir,
            &file_set,
            row,
            &mut traces,
            &csv_path,
            &mut diagnostics,
        ));
    }

    // Images (and traces) without a CSV row: generated but not judged yet.
    let mut unjudged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let image_names = file_names
        .iter()
        .filter(|n| is_image_file(n) && !covered_images.contains(*n));
    let orphan_trace_images = traces
        .keys()
        .filter(|n| !covered_images.contains(*n) && !file_set.contains(n.as_str()));
    for name in image_names
        .chain(orphan_trace_images)
        .cloned()
        .collect::<Vec<_>>()
    {
        unjudged
            .entry(item_id_of_image(&name, kind.family))
            .or_default()
            .push(name);
    }
    for (id, mut names) in unjudged {
        names.sort();
        let mut others = Vec::new();
        let parts = names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let (part, more) =
                    unjudged_part(dir, &file_set, name, kind, &mut traces, &mut diagnostics);
                others.extend(more.into_iter().map(|trace| (index, trace)));
                part
            })
            .collect();
        items.push(Item {
            folder: 0,
            id,
            parts,
            verdict: Verdict::NotJudged,
            csv_line: None,
            extras: crate::model::ItemExtras::boxed(Vec::new(), others),
        });
    }

    let think = spec.setting == crate::taxonomy::Setting::Think;
    if think && !items.iter().any(Item::has_trace) && !items.is_empty() {
        diagnostics.push(Diagnostic::info(dir, None, "think folder without reasoning traces (no output.jsonl or .txt sidecars; single-GPU runs write none)"));
    }
    if let (Some((total, correct)), Some(log)) = (rows_for_log, &log)
        && let Some(message) = log_disagreement(log, &csv_runs, total, correct)
    {
        diagnostics.push(Diagnostic::warning(&dir.join(RESULTS_LOG), None, message));
    }
    if let Some(note) = rejudged_note(&items, csv_runs.len()) {
        diagnostics.push(Diagnostic::info(&csv_path, None, note));
    }
    if let Some(note) = judge_failures_of(&items, &spec.run, &spec.setting, &spec.stem) {
        diagnostics.push(Diagnostic::warning(&csv_path, None, note));
    }

    items.sort_by(|a, b| compare_ids(&a.id, &b.id));
    let folder = TaskFolder {
        path: dir.to_path_buf(),
        run: spec.run.clone(),
        setting: spec.setting.clone(),
        stem: spec.stem.clone(),
        kind,
        evaluated,
        log,
        csv_counts: rows_for_log,
        shared_traces: spec.shared_traces.clone(),
        root: spec.root.clone(),
        csv_mark,
        csv_runs,
        trace_marks,
        filter: None,
        companion: None,
    };
    LoadedFolder {
        folder,
        items,
        diagnostics,
    }
}

/// The folder's note when IDs were judged in more than one run: how many, and those whose
/// verdict changed (the judge contradicting itself, or a changed judge set-up).
fn rejudged_note(items: &[Item], runs: usize) -> Option<String> {
    let rejudged = items.iter().filter(|item| item.rejudged()).count();
    if rejudged == 0 {
        return None;
    }
    let mut changed: Vec<&str> = items
        .iter()
        .filter(|item| item.verdict_changed())
        .map(|item| item.id.as_str())
        .collect();
    changed.sort_by(|a, b| compare_ids(a, b));
    let which = match changed.len() {
        0 => String::new(),
        n if n <= 10 => format!(": ID {}", changed.join(", ")),
        n => format!(": ID {} and {} more", changed[..10].join(", "), n - 10),
    };
    Some(format!(
        "{rejudged} ID{} judged in more than one run ({runs} runs in this CSV, the last row of \
         each ID counts); the judge's verdict changed for {}{which}",
        if rejudged == 1 { "" } else { "s" },
        changed.len()
    ))
}

/// The folder's warning when some of its NO verdicts are failed judge calls.
pub(crate) fn judge_failures_of<'a>(
    items: impl IntoIterator<Item = &'a Item>,
    run: &str,
    setting: &crate::taxonomy::Setting,
    stem: &str,
) -> Option<String> {
    let (mut failures, mut no_verdicts) = (0u64, 0u64);
    for part in items.into_iter().flat_map(|item| &item.parts) {
        failures += u64::from(part.verdict == Verdict::JudgeError);
        no_verdicts += u64::from(matches!(part.verdict, Verdict::No | Verdict::JudgeError));
    }
    (failures > 0)
        .then(|| judge_failure_note(&format!("{run}/{setting}/{stem}"), failures, no_verdicts))
}

fn read_rows(
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<ResultRow>, Option<CsvMark>, Vec<crate::model::CsvRun>) {
    let Some(text) = read_text(path, diagnostics) else {
        return (Vec::new(), None, Vec::new());
    };
    let parsed = parse_results_csv(path, &text);
    diagnostics.extend(parsed.diagnostics);
    // Byte offsets are the file's only when nothing was re-encoded.
    let lossless = !diagnostics
        .iter()
        .any(|d| d.file == path && d.message.starts_with(NOT_UTF8));
    let mark = (parsed.schema.is_some() && lossless)
        .then(|| CsvMark::of(text.as_bytes(), parsed.complete_to));
    (parsed.rows, mark, parsed.runs)
}

pub(crate) fn item_from_row(
    dir: &Path,
    file_set: &HashSet<&str>,
    row: ResultRow,
    traces: &mut Traces,
    csv_path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Item {
    let paired = row.images.len() == 2;
    let mut others = Vec::new();
    let parts: Vec<Part> = row
        .images
        .into_iter()
        .enumerate()
        .map(|(index, judged)| {
            if judged.image_file == crate::load::confine::UNUSABLE_NAME {
                diagnostics.push(Diagnostic::warning(
                    csv_path,
                    Some(row.line),
                    format!(
                        "ID {}: the image path is not a usable file name; the image counts as missing",
                        row.id
                    ),
                ));
            }
            let image_path = dir.join(&judged.image_file);
            let image_status = listed_status(file_set, &judged.image_file);
            let (trace, more) = take_trace(traces, &judged.image_file, &image_status, diagnostics);
            others.extend(more.into_iter().map(|trace| (index, trace)));
            report_image(&image_path, &image_status, judged.verdict, diagnostics);
            let analysis = parse_analysis(&judged.analysis);
            let caption = match judged.caption_column {
                Some(caption) if !caption.is_empty() => Some(caption),
                _ => short_caption(&analysis.phase1),
            };
            Part {
                label: paired.then_some(if index == 0 { 'A' } else { 'B' }),
                question: judged.question.into(),
                answer: judged.answer,
                image_path,
                image_status,
                verdict: judged.verdict,
                caption,
                analysis: Some(analysis),
                trace,
            }
        })
        .collect();
    let verdict = if row.correct {
        Verdict::Yes
    } else {
        if !paired && parts[0].verdict == Verdict::Yes {
            diagnostics.push(Diagnostic::warning(
                csv_path,
                Some(row.line),
                format!(
                    "ID {}: Result is YES but Score is 0; counted as not correct",
                    row.id
                ),
            ));
        }
        // A judged NO on either image decides the ID (a model error); only an ID no image of
        // which was judged wrong is a judge failure.
        [Verdict::ImageMissing, Verdict::No, Verdict::JudgeError]
            .into_iter()
            .find(|v| parts.iter().any(|p| p.verdict == *v))
            .unwrap_or(Verdict::No)
    };
    Item {
        folder: 0,
        id: row.id,
        parts,
        verdict,
        csv_line: Some(row.line),
        extras: crate::model::ItemExtras::boxed(row.history, others),
    }
}

fn unjudged_part(
    dir: &Path,
    file_set: &HashSet<&str>,
    image_file: &str,
    kind: TaskKind,
    traces: &mut Traces,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Part, Vec<crate::model::Trace>) {
    let image_path = dir.join(image_file);
    let image_status = listed_status(file_set, image_file);
    let question = traces
        .get(image_file)
        .and_then(|records| records.last())
        .and_then(|r| r.original_prompt.clone())
        .unwrap_or_default();
    let (trace, others) = take_trace(traces, image_file, &image_status, diagnostics);
    report_image(&image_path, &image_status, Verdict::NotJudged, diagnostics);
    let label = if kind.family.is_paired() {
        pair_side(image_file)
    } else {
        None
    };
    let part = Part {
        label,
        question: question.into(),
        answer: String::new(),
        image_path,
        image_status,
        verdict: Verdict::NotJudged,
        caption: None,
        analysis: None,
        trace,
    };
    (part, others)
}

/// Present when the folder lists the file. Whether a PNG is whole is checked apart
/// (`image_check::check_images`), so loading costs no system call per image.
fn listed_status(file_set: &HashSet<&str>, image_file: &str) -> ImageStatus {
    if file_set.contains(image_file) {
        ImageStatus::Present
    } else {
        ImageStatus::Missing
    }
}

fn report_image(
    path: &Path,
    status: &ImageStatus,
    verdict: Verdict,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match status {
        ImageStatus::Present => {}
        ImageStatus::Missing if verdict == Verdict::ImageMissing => {
            diagnostics.push(Diagnostic::warning(
                path,
                None,
                "image missing (the judge recorded IMAGE_NOT_FOUND too)",
            ))
        }
        ImageStatus::Missing => diagnostics.push(Diagnostic::warning(path, None, "image missing")),
        ImageStatus::Corrupt(reason) => diagnostics.push(Diagnostic::warning(
            path,
            None,
            format!("corrupt image: {reason}"),
        )),
    }
}

/// `7_A.png` → "7" for mappings; `7.png` → "7" otherwise.
fn item_id_of_image(name: &str, family: Family) -> String {
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    if family.is_paired()
        && let Some(id) = stem.strip_suffix("_A").or_else(|| stem.strip_suffix("_B"))
    {
        return id.to_string();
    }
    stem.to_string()
}

fn pair_side(name: &str) -> Option<char> {
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    if stem.ends_with("_A") {
        Some('A')
    } else if stem.ends_with("_B") {
        Some('B')
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_images() {
        assert_eq!(item_id_of_image("7_A.png", Family::Mapping), "7");
        assert_eq!(item_id_of_image("7_A.png", Family::Math), "7_A");
        assert_eq!(item_id_of_image("31.png", Family::Knowledge), "31");
        assert_eq!(pair_side("3_B.png"), Some('B'));
    }

    #[test]
    fn ids_sort_in_natural_order() {
        let mut ids = vec!["10", "2", "x", "1"];
        ids.sort_by(|a, b| compare_ids(a, b));
        assert_eq!(ids, ["1", "2", "10", "x"]);
    }
}
