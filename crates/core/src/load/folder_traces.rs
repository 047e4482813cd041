//! A task folder's reasoning traces: `output.jsonl`, an unfinished multi-GPU run's per-GPU tmp
//! files (in the image folder, or Infer.py's above it), and `<id>.txt` sidecars — every record
//! of an image kept, the last one read used for analysis.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::load::image_check::is_image_file;
use crate::load::spec::{TRACES_JSONL, is_infer_tmp_file, is_tmp_trace_file};
use crate::load::trace::{TraceRecord, read_trace_file, trace_from_think};
use crate::model::ImageStatus;

/// The mark of a trace file read up to `len` bytes (`lines` lines) when it ends with a whole
/// line there; `None` for one cut mid-line.
fn trace_mark(path: &Path, len: u64, lines: u64) -> Option<crate::model::TraceMark> {
    use std::io::{Read as _, Seek as _};
    let mut file = std::fs::File::open(path).ok()?;
    let from = len.saturating_sub(crate::model::CsvMark::TAIL as u64);
    file.seek(std::io::SeekFrom::Start(from)).ok()?;
    let mut tail = vec![0u8; (len - from) as usize];
    file.read_exact(&mut tail).ok()?;
    if len > 0 && !tail.ends_with(b"\n") {
        return None;
    }
    Some(crate::model::TraceMark {
        file: path.to_path_buf(),
        mark: crate::model::CsvMark {
            len,
            next_line: lines + 1,
            tail: crate::model::CsvMark::fingerprint(&tail),
        },
    })
}

/// Every trace record of an image, in the order read (the last one is used for analysis).
pub(crate) type Traces = HashMap<String, Vec<TraceRecord>>;

/// The trace files to read, in order: `output.jsonl`, then the tmp files of an unfinished run
/// when they were written after it or there is no `output.jsonl` (a run still going, or killed).
/// Tmp files older than `output.jsonl` were merged into it already.
fn trace_files(
    dir: &Path,
    file_names: &[String],
    file_set: &HashSet<&str>,
) -> Vec<std::path::PathBuf> {
    let own = file_set
        .contains(TRACES_JSONL)
        .then(|| dir.join(TRACES_JSONL));
    let tmp: Vec<std::path::PathBuf> = file_names
        .iter()
        .filter(|name| is_tmp_trace_file(name))
        .map(|name| dir.join(name))
        .collect();
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match own {
        Some(own) if tmp.is_empty() => vec![own],
        Some(own) => {
            let merged_at = modified(&own);
            if tmp.iter().any(|t| modified(t) > merged_at) {
                std::iter::once(own).chain(tmp).collect()
            } else {
                vec![own]
            }
        }
        None => tmp,
    }
}

/// Infer.py's trace files above its image folders: its `output.jsonl`, then the per-GPU
/// `tmp_<gpu>.jsonl` it appends to until the run ends (read when newer, or alone).
fn shared_trace_files(shared: &Path) -> Vec<std::path::PathBuf> {
    let Some(top) = shared.parent() else {
        return Vec::new();
    };
    let mut tmp: Vec<std::path::PathBuf> = std::fs::read_dir(top)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter(|e| is_infer_tmp_file(&e.file_name().to_string_lossy()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    tmp.sort();
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let merged = std::fs::symlink_metadata(shared).is_ok_and(|m| m.is_file());
    if !merged {
        return tmp;
    }
    let merged_at = modified(shared);
    if tmp.iter().any(|t| modified(t) > merged_at) {
        std::iter::once(shared.to_path_buf()).chain(tmp).collect()
    } else {
        vec![shared.to_path_buf()]
    }
}

/// Traces keyed by image file name, from `output.jsonl` (or an unfinished run's tmp files) and
/// from `<id>.txt` sidecars. Infer.py writes one `output.jsonl` above its image folders
/// (`shared`); its records are matched to this folder's images by file name.
pub(crate) fn read_traces(
    dir: &Path,
    file_names: &[String],
    file_set: &HashSet<&str>,
    shared: Option<&Path>,
    marks: &mut Vec<crate::model::TraceMark>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Traces {
    let mut traces: Traces = HashMap::new();
    let mut files = trace_files(dir, file_names, file_set);
    if files.is_empty()
        && let Some(shared) = shared
    {
        files = shared_trace_files(shared);
    }
    let is_tmp = |name: &str| is_tmp_trace_file(name) || is_infer_tmp_file(name);
    if files
        .iter()
        .any(|f| f.file_name().is_some_and(|n| is_tmp(&n.to_string_lossy())))
    {
        let names: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|name| is_tmp(name))
            .collect();
        let merged = files.iter().any(|f| f.ends_with(TRACES_JSONL));
        let why = if merged {
            "written after output.jsonl, read after it"
        } else {
            "no output.jsonl yet"
        };
        diagnostics.push(Diagnostic::info(
            dir,
            None,
            format!(
                "traces from an unfinished multi-GPU run ({}; {why}: the run is still going, or was killed)",
                names.join(", ")
            ),
        ));
    }
    for path in files {
        let read = read_trace_file(&path);
        let (records, problems) = (read.records, read.diagnostics);
        let is_shared = path.parent() != Some(dir);
        // A GPU still appending: mark how far it was read (whole lines, no problem lines).
        let tmp = path
            .file_name()
            .is_some_and(|n| is_tmp_trace_file(&n.to_string_lossy()));
        if tmp && !is_shared && problems.is_empty() {
            marks.extend(trace_mark(&path, read.bytes, read.lines));
        }
        diagnostics.extend(problems);
        for record in records {
            if !is_shared || file_set.contains(record.image_file.as_str()) {
                // One record per image is the rule: an exact-size Vec (a pushed-to empty one
                // reserves four records, kept for every image of a million).
                match traces.entry(record.image_file.clone()) {
                    std::collections::hash_map::Entry::Occupied(mut entry) => {
                        entry.get_mut().push(record)
                    }
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(vec![record]);
                    }
                }
            }
        }
    }
    // Sidecars pair with the image of the same stem (the first, by name, when several).
    let mut image_of_stem: HashMap<&str, &String> = HashMap::new();
    for name in file_names.iter().filter(|n| is_image_file(n)) {
        if let Some((stem, _)) = name.rsplit_once('.') {
            image_of_stem.entry(stem).or_insert(name);
        }
    }
    for name in file_names.iter().filter(|n| n.ends_with(".txt")) {
        let stem = name.trim_end_matches(".txt");
        let Some(&image) = image_of_stem.get(stem) else {
            continue;
        };
        if traces.contains_key(image) {
            continue;
        }
        let path = dir.join(name);
        if let Some(text) = crate::load::text_file::read_text(&path, diagnostics) {
            let source = crate::model::TraceSource {
                file: path.as_path().into(),
                line: None,
            };
            let trace = trace_from_think(&text, None, source);
            traces.insert(
                image.clone(),
                vec![TraceRecord {
                    prompt_id: stem.to_string(),
                    image_file: image.clone(),
                    line: 1,
                    original_prompt: None,
                    trace,
                }],
            );
        }
    }
    traces
}

/// The image's trace (the last record read) and its other records. Several records for one
/// image (a stale record merged with a re-run's) are all kept, with one diagnostic naming them.
pub(crate) fn take_trace(
    traces: &mut Traces,
    image_file: &str,
    status: &ImageStatus,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<crate::model::Trace>, Vec<crate::model::Trace>) {
    let Some(mut records) = traces.remove(image_file) else {
        return (None, Vec::new());
    };
    let Some(record) = records.pop() else {
        return (None, Vec::new());
    };
    if *status == ImageStatus::Missing {
        diagnostics.push(Diagnostic::warning(
            &record.trace.source.file,
            Some(record.line),
            format!(
                "trace record for prompt {} has no image {}",
                record.prompt_id, record.image_file
            ),
        ));
    }
    if !records.is_empty() {
        let place = |r: &TraceRecord| r.trace.source.short();
        let mut places: Vec<String> = records.iter().map(place).collect();
        places.push(place(&record));
        let differ = records.iter().any(|r| {
            r.trace
                != crate::model::Trace {
                    source: r.trace.source.clone(),
                    ..record.trace.clone()
                }
        });
        diagnostics.push(Diagnostic::warning(
            &record.trace.source.file,
            Some(record.line),
            format!(
                "{} trace records for prompt {} ({}){}: which one produced {} cannot be told from \
                 the files; the later one is used, both are shown",
                places.len(),
                record.prompt_id,
                places.join(" and "),
                if differ { ", with different texts" } else { "" },
                record.image_file
            ),
        ));
    }
    // Not collected from `records` when it is empty: an in-place collect would keep its buffer.
    let others = if records.is_empty() {
        Vec::new()
    } else {
        records.into_iter().map(|r| r.trace).collect::<Vec<_>>()
    };
    (Some(record.trace), others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmp_trace_files_are_read_when_no_merged_file_is_newer() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str, seconds: u64| {
            let file = std::fs::File::create(dir.path().join(name)).unwrap();
            let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
            file.set_modified(when).unwrap();
        };
        let read = |names: &[&str]| -> Vec<String> {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let set: HashSet<&str> = names.iter().map(String::as_str).collect();
            trace_files(dir.path(), &names, &set)
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert!(is_tmp_trace_file("tmp_results_0.jsonl"));
        assert!(
            !is_tmp_trace_file("tmp_results_.jsonl") && !is_tmp_trace_file("tmp_results_a.jsonl")
        );
        at("tmp_results_0.jsonl", 1_000);
        at("tmp_results_1.jsonl", 1_000);
        let tmp = ["tmp_results_0.jsonl", "tmp_results_1.jsonl"];
        // A killed run: no output.jsonl.
        assert_eq!(read(&tmp), tmp);
        // Merged since (and the tmp files left behind): output.jsonl alone.
        at("output.jsonl", 2_000);
        let all = ["output.jsonl", "tmp_results_0.jsonl", "tmp_results_1.jsonl"];
        assert_eq!(read(&all), ["output.jsonl"]);
        // A re-run going on: its tmp files after the merged file.
        at("tmp_results_1.jsonl", 3_000);
        assert_eq!(read(&all), all);
    }
}
