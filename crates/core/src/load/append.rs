//! Live reload of a results CSV that only grew: a running eval appends rows, and reading the
//! whole file again (and rebuilding every item of a 100k-row folder) would cost seconds. Reads
//! only the bytes after the folder's `CsvMark`, turns the new rows into items, and says which
//! not-yet-judged items they replace. Anything this cannot do exactly as a full load would (a
//! re-run repeating IDs, an image it did not list, a rewritten file) returns `None`, and the
//! caller reloads the folder whole: the result is always what a full load gives.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::load::discover::{RESULTS_CSV, RESULTS_LOG};
use crate::load::folder::item_from_row;
use crate::load::results_csv::parse_results_csv;
use crate::load::trace::TraceRecord;
use crate::model::{CsvMark, Dataset, ImageStatus, Item, TaskFolder, Verdict};

/// A folder after rows were appended to its CSV.
#[derive(Clone, Debug)]
pub struct AppendedRows {
    /// The folder with its new mark.
    pub folder: TaskFolder,
    /// Items of the new rows, in file order.
    pub items: Vec<Item>,
    /// The folder's not-yet-judged items (by position among the folder's items) these rows judge.
    pub judged_now: Vec<usize>,
    /// All of the folder's diagnostics after the append.
    pub diagnostics: Vec<Diagnostic>,
}

/// The message of a half-written last row (see `csv_scan`), which the next read replaces.
const STILL_WRITTEN: &str = "last row is still being written";
/// The message comparing the log with the CSV (see `folder`), recomputed here.
const LOG_SAYS: &str = "log says ";

/// Reads what was appended to folder `index`'s CSV since its mark; `None` when only a whole
/// reload of the folder is exact.
pub fn read_appended(dataset: &Dataset, index: usize) -> Option<AppendedRows> {
    let folder = dataset.folders.get(index)?;
    let mark = folder.csv_mark?;
    // Re-runs change the log's explanation and the items' histories: a whole reload says it.
    if folder.csv_runs.len() > 1 {
        return None;
    }
    // Trace files that grew too: a whole reload reads both.
    let trace_grew = folder
        .trace_marks
        .iter()
        .any(|m| std::fs::metadata(&m.file).map_or(true, |meta| meta.len() != m.mark.len));
    if trace_grew {
        return None;
    }
    let csv_path = folder.path.join(RESULTS_CSV);
    // Replaced by a link since it was listed: the whole reload checks it (and reports it).
    if csv_path.is_symlink() && !crate::load::confine::link_stays_inside(&csv_path, &folder.root) {
        return None;
    }
    let (header, tail, appended) = read_after_mark(&csv_path, &mark)?;
    if CsvMark::fingerprint(&tail) != mark.tail {
        return None; // rewritten, not appended
    }
    let appended_text = std::str::from_utf8(&appended).ok()?;
    let header_text = std::str::from_utf8(&header).ok()?;
    let text = format!("{header_text}{appended_text}");
    let parsed = parse_results_csv(&csv_path, &text);
    if parsed.schema.is_none() || parsed.duplicates > 0 {
        return None;
    }
    // Line numbers in `text` → the file's: the header's lines stand for everything up to the mark.
    let header_lines = memchr::memchr_iter(b'\n', &header).count() as u64;
    let real_line = |line: u64| line + mark.next_line - 1 - header_lines;

    let folder_items: Vec<&Item> = dataset
        .items
        .iter()
        .filter(|i| i.folder == index)
        .map(|i| &**i)
        .collect();
    if folder_items.is_empty() {
        return None; // a folder's first items change its "no traces" note: reload it whole
    }
    // A new row for an ID the folder has judged is a re-run: hash the few new IDs, not the
    // folder's hundred thousand.
    let new_ids: std::collections::HashSet<&str> =
        parsed.rows.iter().map(|r| r.id.as_str()).collect();
    if folder_items
        .iter()
        .any(|i| i.csv_line.is_some() && new_ids.contains(i.id.as_str()))
    {
        return None;
    }
    // Not-yet-judged images by file name: (item position, part position).
    let mut unjudged_parts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (position, item) in folder_items.iter().enumerate() {
        if item.verdict != Verdict::NotJudged {
            continue;
        }
        for (part_index, part) in item.parts.iter().enumerate() {
            if let Some(name) = part.image_path.file_name().and_then(|n| n.to_str()) {
                unjudged_parts.insert(name, (position, part_index));
            }
        }
    }

    let mut items = Vec::new();
    let mut covered: HashMap<usize, usize> = HashMap::new(); // item position → parts covered
    let mut diagnostics = Vec::new();
    drop(new_ids);
    for mut row in parsed.rows {
        row.line = real_line(row.line);
        let mut traces: crate::load::folder::Traces = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        for image in &row.images {
            let &(position, part_index) = unjudged_parts.get(image.image_file.as_str())?;
            let part = &folder_items[position].parts[part_index];
            let extras = folder_items[position].extras.is_some();
            if part.image_status != ImageStatus::Present || extras {
                return None; // its diagnostics would change
            }
            *covered.entry(position).or_default() += 1;
            if let Some(trace) = &part.trace {
                traces.insert(
                    image.image_file.clone(),
                    vec![TraceRecord {
                        prompt_id: row.id.clone(),
                        image_file: image.image_file.clone(),
                        line: trace.source.line.unwrap_or(1),
                        original_prompt: None,
                        trace: trace.clone(),
                    }],
                );
            }
            names.push(image.image_file.clone());
        }
        let listed: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
        let item = item_from_row(
            &folder.path,
            &listed,
            row,
            &mut traces,
            &csv_path,
            &mut diagnostics,
        );
        items.push(item);
    }
    // A not-yet-judged item leaves only when all its images are judged now.
    let mut judged_now = Vec::new();
    for (&position, &count) in &covered {
        if count != folder_items[position].parts.len() {
            return None;
        }
        judged_now.push(position);
    }
    judged_now.sort_unstable();

    // The folder's diagnostics: the old ones, less the half-written row (read again now) and the
    // log comparison (recomputed), plus the new rows'.
    let log_path = folder.path.join(RESULTS_LOG);
    let mut all: Vec<Diagnostic> = dataset
        .diagnostics
        .iter()
        .filter(|d| folder.concerns(&d.file))
        .filter(|d| {
            let half_row = d.file == csv_path && d.message.starts_with(STILL_WRITTEN);
            let log_check = d.file == log_path && d.message.starts_with(LOG_SAYS);
            let failure_note =
                d.file == csv_path && d.message.contains(crate::load::reruns::JUDGE_FAILURE_NOTE);
            !half_row && !log_check && !failure_note
        })
        .cloned()
        .collect();
    all.extend(diagnostics);
    all.extend(parsed.diagnostics.into_iter().map(|mut d| {
        d.line = d.line.map(real_line);
        d
    }));
    // The judge-failure note counts the folder's images again, the new rows' included.
    if let Some(note) = crate::load::folder::judge_failures_of(
        folder_items.iter().copied().chain(&items),
        &folder.run,
        &folder.setting,
        &folder.stem,
    ) {
        all.push(Diagnostic::warning(&csv_path, None, note));
    }
    if let Some(log) = &folder.log {
        let judged_items = folder_items
            .iter()
            .filter(|i| i.csv_line.is_some())
            .map(|i| i.verdict)
            .chain(items.iter().map(|i| i.verdict));
        let (mut total, mut correct) = (0u64, 0u64);
        for verdict in judged_items {
            total += 1;
            correct += u64::from(verdict == Verdict::Yes);
        }
        if (total, correct) != (log.total, log.correct) {
            all.push(Diagnostic::warning(
                &log_path,
                None,
                crate::load::reruns::log_mismatch(log, total, correct),
            ));
        }
    }

    let mut folder = folder.clone();
    // The new rows continue the file's one run (or start it).
    let new_correct = items.iter().filter(|item| item.is_correct()).count() as u64;
    if let Some((total, correct)) = &mut folder.csv_counts {
        *total += items.len() as u64;
        *correct += new_correct;
    }
    match folder.csv_runs.last_mut() {
        Some(run) => {
            run.rows += items.len() as u64;
            run.correct += new_correct;
        }
        None => folder
            .csv_runs
            .extend(items.first().map(|first| crate::model::CsvRun {
                first_line: first.csv_line.unwrap_or(0),
                rows: items.len() as u64,
                correct: new_correct,
            })),
    }
    folder.csv_mark = Some(next_mark(
        &mark,
        &tail,
        &appended,
        parsed.complete_to.saturating_sub(header.len()),
    ));
    Some(AppendedRows {
        folder,
        items,
        judged_now,
        diagnostics: all,
    })
}

/// The header row's bytes, the `CsvMark::TAIL` bytes before the mark, and everything after it.
fn read_after_mark(path: &Path, mark: &CsvMark) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len <= mark.len {
        return None; // unchanged in size, or shorter: not an append
    }
    // The header is one line (DictWriter quotes no newline into it).
    let mut start = vec![0u8; (mark.len as usize).min(64 << 10)];
    file.read_exact(&mut start).ok()?;
    let header_end = memchr::memchr(b'\n', &start)? + 1;
    let header = start[..header_end].to_vec();
    let tail_from = mark.len.saturating_sub(CsvMark::TAIL as u64);
    file.seek(SeekFrom::Start(tail_from)).ok()?;
    let mut tail = vec![0u8; (mark.len - tail_from) as usize];
    file.read_exact(&mut tail).ok()?;
    let mut appended = Vec::new();
    file.read_to_end(&mut appended).ok()?;
    Some((header, tail, appended))
}

/// The mark after `complete` more bytes of complete rows.
fn next_mark(mark: &CsvMark, tail: &[u8], appended: &[u8], complete: usize) -> CsvMark {
    let complete = complete.min(appended.len());
    let mut window = tail.to_vec();
    window.extend_from_slice(&appended[..complete]);
    let from = window.len().saturating_sub(CsvMark::TAIL);
    CsvMark {
        len: mark.len + complete as u64,
        next_line: mark.next_line
            + memchr::memchr_iter(b'\n', &appended[..complete]).count() as u64,
        tail: CsvMark::fingerprint(&window[from..]),
    }
}
