//! Reading a filter output's files: `filter_results.json` (streamed a chunk at a time when laid
//! out as `json.dump(indent=2)` writes it, else scanned once into `RawValue` slices), the JSONL
//! files (whole, or for their ids only), each candidate parsed on all cores.

use super::*;

/// One candidate as a filter file holds it. Scalars of any type are read as text.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Record {
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
pub(super) fn record_of(json: &[u8]) -> Result<Record, String> {
    must_be_object(json)?;
    serde_json::from_slice(json).map_err(|e| e.to_string())
}

/// serde would also read an array into a struct: a candidate must be a JSON object.
fn must_be_object(json: &[u8]) -> Result<(), String> {
    let start = json.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|at| json[at] != b'{') {
        return Err("not a JSON object".into());
    }
    Ok(())
}

/// Only the `id` of a JSON object (the other fields are skipped without being kept).
pub(super) fn id_record_of(json: &[u8]) -> Result<Record, String> {
    #[derive(Deserialize)]
    struct IdOnly {
        #[serde(default, deserialize_with = "text")]
        id: Option<String>,
    }
    must_be_object(json)?;
    let only: IdOnly = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    Ok(Record {
        id: only.id,
        ..Record::default()
    })
}

pub(super) fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
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
pub(super) fn parse_elements(
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
pub(super) const CHUNK: usize = 8 << 20;

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

pub(super) fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Collects the elements of a top-level array as slices of the input.
pub(super) struct Elements<'a, 'de>(&'a mut Vec<&'de RawValue>);

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
pub(super) fn read_jsonl_ids(
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

/// Reads a filter file whole, or reports why it cannot be read.
pub(super) fn read_file(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            None
        }
    }
}
