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

use crate::analysis::rejection::{judgment_of_reply, stated_count};
use crate::diagnostics::Diagnostic;
use crate::load::LoadedFolder;
use crate::load::discover::FolderSpec;
use crate::load::image_check::is_image_file;
use crate::model::{
    FilterRun, FilterStats, ImageStatus, Item, JudgeAnalysis, Part, TaskFolder, Verdict,
};
use crate::taxonomy::TaskKind;

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

/// The image-only folders that hold filter candidates: they belong to the filter runs and are not
/// task folders of their own. Read from the image paths in the first MiB of each filter file (a
/// filter's candidates sit in a few folders: one per task level).
pub fn candidate_pools(
    root: &Path,
    filter_dirs: &BTreeSet<PathBuf>,
    with_images: &BTreeSet<PathBuf>,
    with_results: &BTreeSet<PathBuf>,
    with_traces: &BTreeSet<PathBuf>,
    with_sidecars: &BTreeSet<PathBuf>,
) -> BTreeSet<PathBuf> {
    if filter_dirs.is_empty() {
        return BTreeSet::new();
    }
    let image_only: Vec<&PathBuf> = with_images
        .iter()
        .filter(|d| {
            !with_results.contains(*d)
                && !with_traces.contains(*d)
                && !with_sidecars.contains(*d)
                && !filter_dirs.contains(*d)
        })
        .collect();
    let mut named_dirs: HashSet<Vec<String>> = HashSet::new();
    for dir in filter_dirs {
        for file in [FILTER_RESULTS, FILTERED_JSONL, REJECTED_JSONL] {
            for image in sampled_image_paths(&dir.join(file)) {
                let components = components_of(&image);
                if components.len() > 1 {
                    named_dirs.insert(components[..components.len() - 1].to_vec());
                }
            }
        }
    }
    image_only
        .into_iter()
        .filter(|dir| {
            let rel = relative_components(root, dir);
            named_dirs
                .iter()
                .any(|named| !rel.is_empty() && trailing_match(named, &rel) >= 1)
        })
        .cloned()
        .collect()
}

/// The `"image"` values in the first MiB of a filter file (cheap: no full parse).
fn sampled_image_paths(path: &Path) -> Vec<String> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut head = Vec::new();
    if file.take(1 << 20).read_to_end(&mut head).is_err() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(&head, b"\"image\":") {
        let rest = &head[at + 8..];
        let Some(start) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
            continue;
        };
        let mut stream = serde_json::Deserializer::from_slice(&rest[start..]).into_iter::<String>();
        if let Some(Ok(image)) = stream.next() {
            found.push(image);
        }
    }
    found
}

/// The components of a path written by any machine (`/` or `\`), empty ones dropped.
fn components_of(raw: &str) -> Vec<String> {
    raw.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

fn relative_components(root: &Path, dir: &Path) -> Vec<String> {
    dir.strip_prefix(root)
        .map(|rel| {
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// How many trailing components two folder paths share.
fn trailing_match(a: &[String], b: &[String]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// One candidate as a filter file holds it. Scalars of any type are read as text.
#[derive(Debug, Default, Deserialize)]
struct Record {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(rename = "Question", default, deserialize_with = "text")]
    question: Option<String>,
    #[serde(rename = "Answer", default, deserialize_with = "text")]
    answer: Option<String>,
    #[serde(default, deserialize_with = "text")]
    image: Option<String>,
    #[serde(default, deserialize_with = "text")]
    model_judgment: Option<String>,
    #[serde(default, deserialize_with = "text")]
    model_response: Option<String>,
    #[serde(default)]
    accepted: Option<bool>,
    /// `rejected_data.jsonl`: the full reply.
    #[serde(default, deserialize_with = "text")]
    reason: Option<String>,
}

/// A JSON object as a `Record` (serde would also take an array for a struct).
fn record_of(json: &[u8]) -> Result<Record, String> {
    let start = json.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|at| json[at] != b'{') {
        return Err("not a JSON object".into());
    }
    serde_json::from_slice(json).map_err(|e| e.to_string())
}

/// Only the `id` of a JSON object (the other fields are skipped without being kept).
fn id_record_of(json: &[u8]) -> Result<Record, String> {
    #[derive(Deserialize)]
    struct IdOnly {
        #[serde(default, deserialize_with = "text")]
        id: Option<String>,
    }
    let start = json.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|at| json[at] != b'{') {
        return Err("not a JSON object".into());
    }
    let only: IdOnly = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    Ok(Record {
        id: only.id,
        ..Record::default()
    })
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
        Bool(bool),
    }
    Ok(Option::<Scalar>::deserialize(d)?.map(|s| match s {
        Scalar::Text(t) => t,
        Scalar::Int(n) => n.to_string(),
        Scalar::Float(x) => x.to_string(),
        Scalar::Bool(b) => if b { "True" } else { "False" }.to_string(),
    }))
}

/// Which file a candidate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Results,
    Filtered,
    Rejected,
}

impl Source {
    pub fn file_name(self) -> &'static str {
        match self {
            Source::Results => FILTER_RESULTS,
            Source::Filtered => FILTERED_JSONL,
            Source::Rejected => REJECTED_JSONL,
        }
    }
}

/// A candidate read from one of the filter's files.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub question: String,
    pub answer: String,
    pub image: String,
    /// `Some(true)` YES, `Some(false)` NO, `None` no parsable verdict.
    pub judgment: Option<bool>,
    pub reply: Option<String>,
    pub accepted: bool,
    pub source: Source,
    /// 1-based line where the candidate starts in its file.
    pub line: u64,
}

impl Candidate {
    fn from_record(record: Record, source: Source, line: u64) -> Result<Candidate, String> {
        let id = record
            .id
            .filter(|id| !id.trim().is_empty())
            .ok_or("candidate without an \"id\"")?;
        let (judgment, reply, accepted) = match source {
            Source::Results => {
                let judgment = match record.model_judgment.as_deref().map(str::trim) {
                    Some("YES") => Some(true),
                    Some("NO") => Some(false),
                    _ => None,
                };
                let accepted = record.accepted.unwrap_or(judgment == Some(true));
                (judgment, record.model_response, accepted)
            }
            Source::Filtered => (Some(true), None, true),
            Source::Rejected => {
                let judgment = record.reason.as_deref().and_then(judgment_of_reply);
                (judgment, record.reason, false)
            }
        };
        Ok(Candidate {
            id,
            question: record.question.unwrap_or_default(),
            answer: record.answer.unwrap_or_default(),
            image: record.image.unwrap_or_default(),
            judgment,
            reply,
            accepted,
            source,
            line,
        })
    }

    /// Accepted → YES; otherwise the reply's verdict (NO, or none).
    pub fn verdict(&self) -> Verdict {
        match (self.accepted, self.judgment) {
            (true, _) => Verdict::Yes,
            (false, None) => Verdict::Unparsed,
            (false, Some(_)) => Verdict::No,
        }
    }
}

/// What reading `filter_results.json` gave: the candidates before any problem, and whether the
/// array was read to its end.
pub struct ResultsRead {
    pub candidates: Vec<Candidate>,
    pub complete: bool,
}

/// Parses a `filter_results.json` buffer: one scan into element slices, then the elements on
/// all cores. Problems are diagnostics at the element's line.
pub fn parse_results_json(
    path: &Path,
    bytes: &[u8],
    diagnostics: &mut Vec<Diagnostic>,
) -> ResultsRead {
    use serde::de::DeserializeSeed;
    let mut elements: Vec<&RawValue> = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let scanned = Elements(&mut elements)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    let complete = match scanned {
        Ok(()) => true,
        Err(err) => {
            let message = match err.classify() {
                serde_json::error::Category::Eof => format!(
                    "truncated: the array ends after {} complete candidates (the write was cut \
                     off?); the JSONL files give the rest",
                    elements.len()
                ),
                _ => format!(
                    "not a JSON array of candidates ({err}); {} candidates before it were read",
                    elements.len()
                ),
            };
            diagnostics.push(Diagnostic::error(path, Some(err.line() as u64), message));
            false
        }
    };
    // Lines of the elements, counted once through the buffer.
    let mut lined = Vec::with_capacity(elements.len());
    let (mut line, mut counted_to) = (1u64, 0usize);
    for element in &elements {
        let offset = element.get().as_ptr() as usize - bytes.as_ptr() as usize;
        line += memchr::memchr_iter(b'\n', &bytes[counted_to..offset]).count() as u64;
        counted_to = offset;
        lined.push((line, element.get().as_bytes()));
    }
    ResultsRead {
        candidates: parse_elements(path, &lined, diagnostics),
        complete,
    }
}

/// Parses array elements (their first line, their bytes) on all cores.
fn parse_elements(
    path: &Path,
    elements: &[(u64, &[u8])],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Candidate> {
    let parsed: Vec<Result<Candidate, (u64, String)>> = {
        use rayon::prelude::*;
        elements
            .par_iter()
            .map(|&(line, element)| {
                record_of(element)
                    .map_err(|e| format!("candidate not understood: {e}"))
                    .and_then(|record| Candidate::from_record(record, Source::Results, line))
                    .map_err(|message| (line, message))
            })
            .collect()
    };
    let mut candidates = Vec::with_capacity(parsed.len());
    for result in parsed {
        match result {
            Ok(candidate) => candidates.push(candidate),
            Err((line, message)) => {
                diagnostics.push(Diagnostic::error(path, Some(line), message));
            }
        }
    }
    candidates
}

/// How much of `filter_results.json` is held at once while it is streamed.
const CHUNK: usize = 8 << 20;

/// Reads `filter_results.json` a chunk at a time when it is laid out as upstream's
/// `json.dump(..., indent=2)` writes it: there a raw newline is always structure (strings escape
/// theirs), so an element is exactly the text from a `  {` line to the next `  }` line, and
/// elements are parsed chunk by chunk without holding the file. Any other layout (or anything
/// unexpected between elements) is read whole and scanned by `parse_results_json`.
pub fn read_results_json(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<ResultsRead> {
    read_results_in_chunks(path, CHUNK, diagnostics)
}

/// `read_results_json` with chunks of `chunk` bytes (the tests cut the file everywhere).
pub fn read_results_in_chunks(
    path: &Path,
    chunk: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ResultsRead> {
    use std::io::Read;
    let chunk = chunk.max(8);
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            return None;
        }
    };
    let whole = |diagnostics: &mut Vec<Diagnostic>| {
        let bytes = read_file(path, diagnostics)?;
        Some(parse_results_json(path, &bytes, diagnostics))
    };
    let mut buffer: Vec<u8> = Vec::with_capacity(chunk + 4096);
    let mut fill = |buffer: &mut Vec<u8>| -> std::io::Result<usize> {
        let start = buffer.len();
        buffer.resize(start + chunk, 0);
        let mut got = 0;
        while got < chunk {
            match file.read(&mut buffer[start + got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => {
                    buffer.truncate(start + got);
                    return Err(err);
                }
            }
        }
        buffer.truncate(start + got);
        Ok(got)
    };
    if let Err(err) = fill(&mut buffer) {
        diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
        return None;
    }
    if !buffer.starts_with(b"[\n  {") {
        return whole(diagnostics);
    }
    let mut problems = Vec::new();
    let mut candidates = Vec::new();
    let mut at = 2; // after "[\n"
    let mut line = 2u64; // the line `at` is on
    let mut at_eof = false;
    let complete = loop {
        // The complete elements in the buffer, from `at`.
        let mut elements: Vec<(u64, &[u8])> = Vec::new();
        let mut closed = false;
        let mut unexpected = false;
        let mut cursor = at;
        let mut cursor_line = line;
        while let Some(end) =
            memchr::memmem::find(&buffer[cursor..], b"\n  }").map(|i| cursor + i + 4)
        {
            let after = &buffer[end..];
            let next = if after.starts_with(b",\n  {") {
                end + 2
            } else if after.starts_with(b"\n]") {
                if !after[2..].iter().all(u8::is_ascii_whitespace) {
                    unexpected = true;
                    break;
                }
                closed = true;
                buffer.len()
            } else if after.len() < 5 && !at_eof {
                break; // the separator is in the next chunk
            } else if b",\n  {".starts_with(after) || b"\n]".starts_with(after) {
                // Cut off right after an element: it is whole, the array is not.
                if !buffer[cursor..].starts_with(b"  {") {
                    unexpected = true;
                    break;
                }
                elements.push((cursor_line, &buffer[cursor..end]));
                cursor_line += count_lines(&buffer[cursor..end]);
                cursor = end;
                break;
            } else {
                unexpected = true;
                break;
            };
            if !buffer[cursor..].starts_with(b"  {") {
                unexpected = true;
                break;
            }
            elements.push((cursor_line, &buffer[cursor..end]));
            cursor_line += count_lines(&buffer[cursor..next]);
            cursor = next;
            if closed {
                break;
            }
        }
        if unexpected {
            // Not upstream's layout after all: let the whole-file scan say what is wrong.
            return whole(diagnostics);
        }
        candidates.extend(parse_elements(path, &elements, &mut problems));
        at = cursor;
        line = cursor_line;
        if closed {
            break true;
        }
        if at_eof {
            let total_lines = line + count_lines(&buffer[at..]);
            problems.push(Diagnostic::error(
                path,
                Some(total_lines),
                format!(
                    "truncated: the array ends after {} complete candidates (the write was cut \
                     off?); the JSONL files give the rest",
                    candidates.len()
                ),
            ));
            break false;
        }
        // Keep the unfinished element, read the next chunk behind it.
        buffer.drain(..at);
        at = 0;
        match fill(&mut buffer) {
            Ok(0) => at_eof = true,
            Ok(_) => {}
            Err(err) => {
                problems.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
                break false;
            }
        }
    };
    diagnostics.extend(problems);
    Some(ResultsRead {
        candidates,
        complete,
    })
}

fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Collects the elements of a top-level array as slices of the input.
struct Elements<'a, 'de>(&'a mut Vec<&'de RawValue>);

impl<'de> serde::de::DeserializeSeed<'de> for Elements<'_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Elements<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of candidates")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<&'de RawValue>()? {
            self.0.push(element);
        }
        Ok(())
    }
}

/// Parses `filtered_data.jsonl` / `rejected_data.jsonl`, a line at a time on all cores.
pub fn parse_jsonl(
    path: &Path,
    bytes: &[u8],
    source: Source,
    ids_only: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Candidate> {
    use rayon::prelude::*;
    let mut lines: Vec<(u64, &[u8])> = Vec::new();
    let mut start = 0;
    for (n, end) in memchr::memchr_iter(b'\n', bytes)
        .chain(std::iter::once(bytes.len()))
        .enumerate()
    {
        if end < start {
            break;
        }
        let line = &bytes[start..end];
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push((n as u64 + 1, line));
        }
        start = end + 1;
    }
    let parsed: Vec<Result<Candidate, (u64, String)>> = lines
        .par_iter()
        .map(|&(n, line)| {
            let record = if ids_only {
                id_record_of(line)
            } else {
                record_of(line)
            };
            record
                .map_err(|e| format!("line not understood: {e}"))
                .and_then(|record| Candidate::from_record(record, source, n))
                .map_err(|message| (n, message))
        })
        .collect();
    let mut candidates = Vec::with_capacity(parsed.len());
    for result in parsed {
        match result {
            Ok(candidate) => candidates.push(candidate),
            Err((n, message)) => diagnostics.push(Diagnostic::error(path, Some(n), message)),
        }
    }
    candidates
}

/// The ids of a JSONL file's candidates, read a line at a time (nothing else is kept).
fn read_jsonl_ids(
    path: &Path,
    source: Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Candidate>> {
    use std::io::BufRead;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            return None;
        }
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut candidates = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => number += 1,
            Err(err) => {
                diagnostics.push(Diagnostic::error(
                    path,
                    Some(number + 1),
                    format!("cannot read: {err}"),
                ));
                break;
            }
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match id_record_of(&line)
            .map_err(|e| format!("line not understood: {e}"))
            .and_then(|record| Candidate::from_record(record, source, number))
        {
            Ok(candidate) => candidates.push(candidate),
            Err(message) => diagnostics.push(Diagnostic::error(path, Some(number), message)),
        }
    }
    Some(candidates)
}

/// Image files under the opened folder, by file name, with the folder's path below the root.
struct ImageIndex {
    folders: Vec<(PathBuf, Vec<String>)>,
    by_name: HashMap<String, Vec<usize>>,
}

impl ImageIndex {
    fn build(root: &Path, image_folders: &[PathBuf]) -> ImageIndex {
        use rayon::prelude::*;
        let listings: Vec<Vec<String>> = image_folders
            .par_iter()
            .map(|dir| {
                // Links leaving the root are reported by the task folder that lists them.
                let mut ignored = Vec::new();
                std::fs::read_dir(dir)
                    .map(|entries| {
                        entries
                            .filter_map(|e| e.ok())
                            .filter(|e| {
                                crate::load::folder::stays_inside(e, root, &mut ignored)
                                    && crate::load::folder::is_readable_file(e, &mut ignored)
                            })
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .filter(|name| is_image_file(name))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, names) in listings.into_iter().enumerate() {
            for name in names {
                by_name.entry(name).or_default().push(index);
            }
        }
        let folders = image_folders
            .iter()
            .map(|dir| (dir.clone(), relative_components(root, dir)))
            .collect();
        ImageIndex { folders, by_name }
    }

    /// The file a candidate's `image` names: the listed file whose folder shares the most
    /// trailing components with the written path (at least its parent's name, unless the path
    /// is a bare file name). `Err` carries every equally good match when there are several.
    fn resolve(&self, written: &str) -> Resolved {
        let components = components_of(written);
        let Some(name) = components
            .last()
            .and_then(|n| crate::load::confine::file_name(n))
        else {
            return Resolved::Missing;
        };
        let dirs = &components[..components.len() - 1];
        let Some(holders) = self.by_name.get(name) else {
            return Resolved::Missing;
        };
        let scored: Vec<(usize, usize)> = holders
            .iter()
            .map(|&f| (trailing_match(dirs, &self.folders[f].1), f))
            .collect();
        let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
        if best == 0 && !dirs.is_empty() {
            return Resolved::Missing;
        }
        let winners: Vec<usize> = scored
            .iter()
            .filter(|(s, _)| *s == best)
            .map(|(_, f)| *f)
            .collect();
        let path = self.folders[winners[0]].0.join(name);
        if winners.len() > 1 {
            Resolved::Ambiguous(path, winners.len())
        } else {
            Resolved::Found(path)
        }
    }
}

enum Resolved {
    Found(PathBuf),
    /// The first of this many equally good matches.
    Ambiguous(PathBuf, usize),
    Missing,
}

/// Reads a filter file whole, or reports why it cannot be read.
fn read_file(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            None
        }
    }
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
                    crate::load::folder::stays_inside(e, &spec.root, &mut diagnostics)
                        && crate::load::folder::is_readable_file(e, &mut diagnostics)
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
    items.sort_by_cached_key(|item| crate::load::folder::natural_key(&item.id));
    let folder = TaskFolder {
        path: dir.to_path_buf(),
        run: spec.run.clone(),
        setting: spec.setting.clone(),
        kind: TaskKind::of_stem(&stem),
        stem,
        evaluated: total > 0,
        log: None,
        shared_traces: None,
        root: spec.root.clone(),
        csv_mark: None,
        filter: Some(FilterRun {
            image_folders: image_folders.clone(),
            candidate_folders: candidate_folders.into_iter().collect(),
            stats,
            images_missing,
            from_results_json: from_results,
        }),
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
        crate::demo::stars::write_filter_output(dir.path(), 5, 6).unwrap();
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
