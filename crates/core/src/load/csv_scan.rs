//! One pass over the records of a CSV body, on several cores when the file is large: rows built
//! by the caller, the last row per ID kept, problems reported with their line.
//!
//! A large file is cut into pieces at line ends outside quoted fields and the pieces are read in
//! parallel. Whether a line end is outside quotes follows from the number of `"` before it — exact
//! when every quote opens a field or closes it (what csv.DictWriter writes), which is checked
//! first; any other file is read in one piece.

use rustc_hash::FxHashMap;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

/// Below this size a file is read in one piece (folders are already loaded in parallel).
const PARALLEL_FROM_BYTES: usize = 4 << 20;

/// A row that a later row of the same ID may replace (an eval re-run without `--overwrite`
/// appends): the later row is kept and told what it replaced, so that a row's history survives.
pub trait Rerow: Send {
    /// Whether the row counts as correct (for the per-run counts the log is checked against).
    fn correct(&self) -> bool;
    /// `self` is the later row of an ID; `earlier` the one it replaces.
    fn follows(&mut self, earlier: Self);
}

/// Builds a row from a record: (row, its ID), or a message reported at the record's line.
/// The line is passed when `lines_per_row` asked for it, else 0.
pub trait RowBuilder<T>: Fn(&csv::ByteRecord, u64) -> Result<(T, String), String> + Sync {}
impl<T, F: Fn(&csv::ByteRecord, u64) -> Result<(T, String), String> + Sync> RowBuilder<T> for F {}

/// What a pass over the records found.
pub struct Scan<T> {
    /// Deduplicated (last wins), in the order IDs first appeared.
    pub rows: Vec<T>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the complete records end: the start of a half-written last row, else the end.
    pub complete_to: usize,
    /// Rows that repeated an earlier ID.
    pub duplicates: usize,
    /// The file cut into eval runs: a row whose ID the current run already wrote starts a new
    /// run (a re-run appends its rows after the earlier run's).
    pub runs: Vec<crate::model::CsvRun>,
}

/// Reads the records of `bytes[body_start..]`.
pub fn scan_records<T: Rerow>(
    path: &Path,
    bytes: &[u8],
    body_start: usize,
    lines_per_row: bool,
    build: &impl RowBuilder<T>,
) -> Scan<T> {
    scan_pieces(path, bytes, pieces(bytes, body_start), lines_per_row, build)
}

fn scan_pieces<T: Rerow>(
    path: &Path,
    bytes: &[u8],
    pieces: Vec<Range<usize>>,
    lines_per_row: bool,
    build: &impl RowBuilder<T>,
) -> Scan<T> {
    let last = pieces.len() - 1;
    let scanned: Vec<Piece<T>> = if pieces.len() == 1 {
        vec![scan_piece(
            path,
            bytes,
            pieces[0].clone(),
            true,
            lines_per_row,
            build,
        )]
    } else {
        pieces
            .into_par_iter()
            .enumerate()
            .map(|(index, range)| {
                scan_piece(path, bytes, range, index == last, lines_per_row, build)
            })
            .collect()
    };

    let total: usize = scanned.iter().map(|p| p.rows.len()).sum();
    let mut rows: Vec<T> = Vec::with_capacity(total);
    let mut diagnostics = Vec::new();
    // IDs are short and local: a fast hash, sized once (the merge is the serial part).
    let mut index_of_id: FxHashMap<String, usize> =
        FxHashMap::with_capacity_and_hasher(total, Default::default());
    let mut duplicates: Vec<(String, u64)> = Vec::new();
    let mut lines = LineCounter::new(bytes);
    let mut partial = None;
    let mut partial_at = None;
    // The run each kept row was last written in: a row for an ID of the current run starts the next.
    let mut run_of_row: Vec<u32> = Vec::with_capacity(total);
    let mut runs: Vec<crate::model::CsvRun> = Vec::new();
    for piece in scanned {
        partial_at = partial_at.or(piece.partial_at);
        for (id, row, byte) in piece.rows {
            let correct = row.correct();
            let existing = index_of_id.get(&id).copied();
            let current_run = runs.len() as u32;
            if runs.is_empty() || existing.is_some_and(|at| run_of_row[at] + 1 == current_run) {
                runs.push(crate::model::CsvRun {
                    first_line: lines.line_at(byte),
                    rows: 0,
                    correct: 0,
                });
            }
            let run = runs.len() as u32 - 1;
            if let Some(last) = runs.last_mut() {
                last.rows += 1;
                last.correct += u64::from(correct);
            }
            match existing {
                Some(existing) => {
                    duplicates.push((id, lines.line_at(byte)));
                    let earlier = std::mem::replace(&mut rows[existing], row);
                    rows[existing].follows(earlier);
                    run_of_row[existing] = run;
                }
                None => {
                    index_of_id.insert(id, rows.len());
                    rows.push(row);
                    run_of_row.push(run);
                }
            }
        }
        diagnostics.extend(piece.diagnostics);
        partial = partial.or(piece.partial);
    }
    diagnostics.extend(partial);
    if let Some((_, first_line)) = duplicates.first() {
        let mut ids: Vec<&str> = duplicates.iter().map(|(id, _)| id.as_str()).collect();
        ids.dedup();
        let shown: Vec<&str> = ids.iter().take(10).copied().collect();
        let more = if ids.len() > shown.len() {
            format!(" and {} more", ids.len() - shown.len())
        } else {
            String::new()
        };
        diagnostics.push(Diagnostic::warning(
            path,
            Some(*first_line),
            format!(
                "{} row(s) repeat an earlier ID (appended re-run); the last row wins: ID {}{more}",
                duplicates.len(),
                shown.join(", ")
            ),
        ));
    }
    // The reader places a record just after the previous line's CR: skip the rest of the end.
    let mut complete_to = partial_at.unwrap_or(bytes.len());
    while bytes
        .get(complete_to)
        .is_some_and(|b| matches!(b, b'\r' | b'\n'))
    {
        complete_to += 1;
    }
    Scan {
        rows,
        diagnostics,
        complete_to,
        duplicates: duplicates.len(),
        runs,
    }
}

/// What one piece held: rows with their ID and start offset, problems, a half-written last row.
struct Piece<T> {
    rows: Vec<(String, T, usize)>,
    diagnostics: Vec<Diagnostic>,
    partial: Option<Diagnostic>,
    /// Where that half-written row starts.
    partial_at: Option<usize>,
}

/// The record behind the one just read: a record (in the held buffer) or a parse error.
enum Held {
    Record,
    Error(csv::Error),
}

fn scan_piece<T>(
    path: &Path,
    bytes: &[u8],
    range: Range<usize>,
    is_last: bool,
    lines_per_row: bool,
    build: &impl RowBuilder<T>,
) -> Piece<T> {
    let mut out = Piece {
        rows: Vec::new(),
        diagnostics: Vec::new(),
        partial: None,
        partial_at: None,
    };
    let start = range.start;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[range.clone()]);
    // DictWriter ends every row with CRLF: without one, the last row is still being written by a
    // running eval. It is not there yet, which is not an error.
    // (A file written with bare CR line ends ends in one.)
    let unterminated = is_last
        && range.end > range.start
        && !bytes[..range.end].ends_with(b"\n")
        && !bytes[..range.end].ends_with(b"\r");
    let mut lines = LineCounter::new(bytes);
    // Records are handled one behind the reader, so that the last one can be held back when the
    // file has no final line end. Two buffers, swapped: nothing is allocated per record.
    let mut reading = csv::ByteRecord::new();
    let mut held_record = csv::ByteRecord::new();
    let mut held: Option<Held> = None;
    let absolute =
        |position: Option<&csv::Position>| start + position.map_or(0, |p| p.byte() as usize);
    loop {
        let next = match reader.read_byte_record(&mut reading) {
            Ok(true) => Some(Held::Record),
            Ok(false) => None,
            Err(err) => Some(Held::Error(err)),
        };
        if let Some(previous) = held.take() {
            if next.is_none() && unterminated {
                let byte = match &previous {
                    Held::Record => absolute(held_record.position()),
                    Held::Error(err) => absolute(err.position()),
                };
                out.partial_at = Some(byte);
                out.partial = Some(Diagnostic::info(
                    path,
                    Some(lines.line_at(byte)),
                    "last row is still being written (no line end yet); not counted",
                ));
                break;
            }
            match previous {
                Held::Error(err) => {
                    let line = err
                        .position()
                        .map(|p| lines.line_at(start + p.byte() as usize));
                    out.diagnostics.push(Diagnostic::error(
                        path,
                        line,
                        format!("CSV line does not parse: {err}"),
                    ));
                }
                Held::Record => {
                    let byte = absolute(held_record.position());
                    // Counting needs a line only for what it reports: skip the newline count.
                    let row_line = if lines_per_row {
                        lines.line_at(byte)
                    } else {
                        0
                    };
                    match build(&held_record, row_line) {
                        Ok((row, id)) => out.rows.push((id, row, byte)),
                        Err(message) => out.diagnostics.push(Diagnostic::error(
                            path,
                            Some(lines.line_at(byte)),
                            message,
                        )),
                    }
                }
            }
        }
        match next {
            None => break,
            Some(next) => {
                std::mem::swap(&mut reading, &mut held_record);
                held = Some(next);
            }
        }
    }
    out
}

/// The body cut into pieces for the available cores at line ends outside quotes; one piece when
/// the file is small or its quoting is not regular.
fn pieces(bytes: &[u8], body_start: usize) -> Vec<Range<usize>> {
    let whole = vec![body_start..bytes.len()];
    let threads = rayon::current_num_threads();
    let body = bytes.len().saturating_sub(body_start);
    if threads < 2 || body < PARALLEL_FROM_BYTES || !regular_quoting(bytes) {
        return whole;
    }
    let mut cuts = vec![body_start];
    // Quotes counted so far, up to `counted_to`.
    let (mut quotes, mut counted_to) = (0usize, 0usize);
    for k in 1..threads {
        let target = (body_start + body * k / threads).max(*cuts.last().unwrap_or(&0));
        let mut at = target;
        loop {
            let Some(newline) = memchr::memchr(b'\n', &bytes[at..]).map(|i| at + i) else {
                break;
            };
            quotes += memchr::memchr_iter(b'"', &bytes[counted_to..newline]).count();
            counted_to = newline;
            if quotes % 2 == 0 {
                cuts.push(newline + 1);
                break;
            }
            at = newline + 1;
        }
    }
    cuts.push(bytes.len());
    cuts.dedup();
    let ranges: Vec<Range<usize>> = cuts
        .windows(2)
        .map(|w| w[0]..w[1])
        .filter(|r| !r.is_empty())
        .collect();
    if ranges.is_empty() { whole } else { ranges }
}

/// True when every `"` opens a quoted field (at a field start), closes one (before a comma, a
/// line end or the end) or is a doubled quote inside one, and the file ends outside quotes.
fn regular_quoting(bytes: &[u8]) -> bool {
    let mut inside = false;
    let mut quotes = memchr::memchr_iter(b'"', bytes);
    while let Some(at) = quotes.next() {
        if !inside {
            let before = if at == 0 { b'\n' } else { bytes[at - 1] };
            if !matches!(before, b',' | b'\n' | b'\r') {
                return false;
            }
            inside = true;
        } else {
            match bytes.get(at + 1) {
                Some(b'"') => {
                    quotes.next();
                }
                Some(b',' | b'\r' | b'\n') | None => inside = false,
                Some(_) => return false,
            }
        }
    }
    !inside
}

/// 1-based line numbers of record start offsets, counted incrementally: the reader's offsets only
/// grow, so each newline is counted once and a 200,000-row file costs one pass, not one per row.
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Offset up to which newlines are counted, and the line that starts there.
    counted_to: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            counted_to: 0,
            line: 1,
        }
    }

    /// The line where the record at `byte` starts. The csv reader reports the offset just after
    /// a CR, so the line terminator's rest is skipped before counting LFs.
    pub fn line_at(&mut self, byte: usize) -> u64 {
        let bytes = self.bytes;
        let mut end = byte.min(bytes.len());
        while end < bytes.len() && (bytes[end] == b'\r' || bytes[end] == b'\n') {
            end += 1;
        }
        if end < self.counted_to {
            // Not expected (offsets grow), but stay correct: count from the start again.
            self.counted_to = 0;
            self.line = 1;
        }
        self.line += memchr::memchr_iter(b'\n', &bytes[self.counted_to..end]).count() as u64;
        self.counted_to = end;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Rerow for String {
        fn correct(&self) -> bool {
            self.ends_with('+')
        }
        fn follows(&mut self, earlier: Self) {
            *self = format!("{earlier}>{self}");
        }
    }

    fn ids(bytes: &[u8], pieces: Vec<Range<usize>>) -> (Vec<String>, Vec<String>) {
        let build = |record: &csv::ByteRecord, line: u64| {
            let id = String::from_utf8_lossy(&record[0]).into_owned();
            if id == "bad" {
                return Err("bad row".to_string());
            }
            Ok((format!("{id}@{line}"), id))
        };
        let Scan {
            rows, diagnostics, ..
        } = scan_pieces(Path::new("x.csv"), bytes, pieces, true, &build);
        (rows, diagnostics.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn quoting_is_regular_only_when_every_quote_opens_or_closes_a_field() {
        assert!(regular_quoting(b"a,\"b\r\nc\",d\r\n"));
        assert!(regular_quoting(b"a,\"say \"\"hi\"\"\"\r\n"));
        assert!(!regular_quoting(b"a,b\"c\r\n"));
        assert!(!regular_quoting(b"a,\"unterminated\r\n"));
        assert!(!regular_quoting(b"a,\"x\"y\r\n"));
    }

    #[test]
    fn pieces_end_at_line_ends_outside_quotes_and_read_as_one_piece_reads() {
        // Rows with multi-line quoted fields, some re-run (duplicate IDs), one bad, big enough to
        // be cut into pieces.
        let mut text = String::from("ID,Text\r\n");
        let mut n = 0;
        while text.len() < PARALLEL_FROM_BYTES * 2 {
            n += 1;
            let id = if n % 1000 == 0 {
                "bad".to_string()
            } else {
                (n % 5000).to_string()
            };
            text += &format!("{id},\"line one\nline \"\"two\"\", {n}\"\r\n");
        }
        let bytes = text.as_bytes();
        let body_start = "ID,Text\r\n".len();
        let cut = pieces(bytes, body_start);
        if rayon::current_num_threads() >= 2 {
            assert!(cut.len() >= 2, "{cut:?}");
        }
        for range in &cut {
            assert!(bytes[..range.start].ends_with(b"\n"));
            let quotes = memchr::memchr_iter(b'"', &bytes[..range.start]).count();
            assert_eq!(quotes % 2, 0);
        }
        // The same rows, lines and problems as one reader over the whole file.
        let (rows, diagnostics) = ids(bytes, cut);
        let (one_rows, one_diagnostics) = ids(bytes, vec![body_start..bytes.len()]);
        // IDs 0..5000 but the multiples of 1000, whose rows are "bad".
        assert_eq!(rows.len(), 5000 - 5);
        assert_eq!(rows.len(), one_rows.len());
        let first_difference = rows.iter().zip(&one_rows).find(|(a, b)| a != b);
        assert_eq!(first_difference, None);
        assert_eq!(diagnostics, one_diagnostics);
        // Record n starts on line 2n (a header line, then two lines a record).
        assert!(
            one_diagnostics.iter().any(|d| d.contains(":2000: bad row")),
            "{:?}",
            &one_diagnostics[..3]
        );
        assert!(
            one_diagnostics
                .last()
                .unwrap()
                .contains("the last row wins")
        );
    }

    #[test]
    fn line_numbers_count_each_newline_once() {
        let text = b"a\r\nb\r\n\"c\nd\"\r\ne\r\n";
        let mut lines = LineCounter::new(text);
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(3), 2);
        assert_eq!(lines.line_at(6), 3);
        assert_eq!(lines.line_at(13), 5);
        assert_eq!(lines.line_at(6), 3, "going back recounts");
    }
}
