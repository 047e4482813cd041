//! Live reload of an unfinished multi-GPU think run: each GPU appends a record to its
//! `tmp_results_<gpu>.jsonl` as it finishes an image. Reads only the lines appended since each
//! file's `TraceMark` and gives their images the new traces. Anything this cannot do exactly as a
//! full load would (a new tmp file, a rewritten or half-written one, a record for an image that
//! already has a trace or is not listed, a results CSV that changed too) returns `None`, and the
//! caller reloads the folder whole — as `append` does for the CSV.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::load::append::AppendedRows;
use crate::load::spec::{RESULTS_CSV, is_tmp_trace_file};
use crate::model::{CsvMark, Dataset, ImageStatus, Item, TraceMark, Verdict};

/// Reads what the GPUs appended to folder `index`'s tmp trace files since their marks; `None`
/// when only a whole reload of the folder is exact.
pub fn read_appended_traces(dataset: &Dataset, index: usize) -> Option<AppendedRows> {
    let folder = dataset.folders.get(index)?;
    if folder.trace_marks.is_empty() || !csv_unchanged(folder) || !same_tmp_files(folder) {
        return None;
    }
    let folder_items: Vec<(usize, &Item)> = dataset
        .items
        .iter()
        .filter(|item| item.folder == index)
        .map(|item| &**item)
        .enumerate()
        .collect();
    // Images of the folder by file name: (item position, part index).
    let mut parts_by_file: HashMap<&str, (usize, usize)> = HashMap::new();
    for &(position, item) in &folder_items {
        for (part_index, part) in item.parts.iter().enumerate() {
            if let Some(name) = part.image_path.file_name().and_then(|n| n.to_str()) {
                parts_by_file.insert(name, (position, part_index));
            }
        }
    }

    let mut updated: HashMap<usize, Item> = HashMap::new();
    let mut marks = Vec::with_capacity(folder.trace_marks.len());
    for TraceMark { file, mark } in &folder.trace_marks {
        let appended = read_after(file, mark)?;
        let text = std::str::from_utf8(&appended).ok()?;
        let (records, problems) = crate::load::trace::parse_output_jsonl(file, text);
        if !problems.is_empty() {
            return None; // their diagnostics: a whole reload reports them
        }
        for mut record in records {
            let &(position, part_index) = parts_by_file.get(record.image_file.as_str())?;
            let item = updated
                .entry(position)
                .or_insert_with(|| folder_items[position].1.clone());
            let part = &mut item.parts[part_index];
            // A second record, or one for a missing image, changes the diagnostics.
            if part.trace.is_some() || part.image_status != ImageStatus::Present {
                return None;
            }
            record.line += mark.next_line - 1;
            record.trace.source.line = Some(record.line);
            if item.verdict == Verdict::NotJudged
                && part.question.is_empty()
                && let Some(prompt) = record.original_prompt.take()
            {
                part.question = prompt.into();
            }
            part.trace = Some(record.trace);
        }
        marks.push(TraceMark {
            file: file.clone(),
            mark: next_mark(file, mark, &appended)?,
        });
    }
    // A folder that had no trace at all says so in a note: a whole reload drops it.
    if !folder_items.iter().any(|(_, item)| item.has_trace()) {
        return None;
    }
    let mut judged_now: Vec<usize> = updated.keys().copied().collect();
    judged_now.sort_unstable();
    let items = judged_now
        .iter()
        .filter_map(|position| updated.remove(position))
        .collect();
    let mut folder = folder.clone();
    folder.trace_marks = marks;
    let diagnostics = dataset
        .diagnostics
        .iter()
        .filter(|d| folder.concerns(&d.file))
        .cloned()
        .collect();
    Some(AppendedRows {
        folder,
        items,
        judged_now,
        diagnostics,
    })
}

/// True when the folder's results CSV is as it was read (or there is none, as there was none).
fn csv_unchanged(folder: &crate::model::TaskFolder) -> bool {
    let len = std::fs::metadata(folder.path.join(RESULTS_CSV)).map(|m| m.len());
    match (folder.csv_mark, len) {
        (Some(mark), Ok(len)) => len == mark.len,
        (None, Err(_)) => !folder.evaluated,
        _ => false,
    }
}

/// True when the folder holds the same tmp trace files it was read with.
fn same_tmp_files(folder: &crate::model::TaskFolder) -> bool {
    let Ok(entries) = std::fs::read_dir(&folder.path) else {
        return false;
    };
    let mut now: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| is_tmp_trace_file(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    now.sort();
    let mut read: Vec<&Path> = folder
        .trace_marks
        .iter()
        .map(|m| m.file.as_path())
        .collect();
    read.sort();
    now.iter().map(|p| p.as_path()).eq(read)
}

/// Whole lines appended after `mark`, when the file only grew (empty when it did not grow).
fn read_after(path: &Path, mark: &CsvMark) -> Option<Vec<u8>> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len < mark.len {
        return None; // shorter: rewritten
    }
    let from = mark.len.saturating_sub(CsvMark::TAIL as u64);
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut tail = vec![0u8; (mark.len - from) as usize];
    file.read_exact(&mut tail).ok()?;
    if CsvMark::fingerprint(&tail) != mark.tail {
        return None;
    }
    let mut appended = Vec::new();
    file.read_to_end(&mut appended).ok()?;
    // A record still being written: only a whole reload reads it as a full load would.
    if !appended.is_empty() && !appended.ends_with(b"\n") {
        return None;
    }
    Some(appended)
}

/// The mark after `appended` whole lines.
fn next_mark(path: &Path, mark: &CsvMark, appended: &[u8]) -> Option<CsvMark> {
    if appended.is_empty() {
        return Some(*mark);
    }
    let len = mark.len + appended.len() as u64;
    let mut file = std::fs::File::open(path).ok()?;
    let from = len.saturating_sub(CsvMark::TAIL as u64);
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut tail = vec![0u8; (len - from) as usize];
    file.read_exact(&mut tail).ok()?;
    Some(CsvMark {
        len,
        next_line: mark.next_line + memchr::memchr_iter(b'\n', appended).count() as u64,
        tail: CsvMark::fingerprint(&tail),
    })
}
