//! Reasoning traces: `output.jsonl` records (multi-GPU launcher) and `<id>.txt` sidecars
//! (gen_images_mp_json.py), turned into readable prose plus the extracted detailed prompt.

use std::path::Path;

use std::borrow::Cow;

use serde::Deserialize as _;
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::model::{Trace, TraceSource};

/// The upstream marker that ends the reasoning; BAGEL writes a curly apostrophe, some runs a straight one.
const DETAILED_MARKERS: [&str; 2] = [
    "Here’s the finished detailed prompt:",
    "Here's the finished detailed prompt:",
];
const FAILED_EXTRACTION: &str = "Failed to extract detailed prompt.";

/// One `output.jsonl` record, keyed for matching with images.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRecord {
    /// `prompt_id` as text: "7", "7_A", or an integer id written as "31".
    pub prompt_id: String,
    /// `image_file` (e.g. "7_A.png"), or `<prompt_id>.png` when absent.
    pub image_file: String,
    pub line: u64,
    /// The prompt as the launcher recorded it; the only prompt a not-yet-evaluated run has.
    pub original_prompt: Option<String>,
    pub trace: Trace,
}

/// Parses an `output.jsonl` held in memory (tests, fuzzing); `read_output_jsonl` streams a file.
/// Lines that are not JSON objects with a `prompt_id` become diagnostics; the rest still load.
pub fn parse_output_jsonl(path: &Path, text: &str) -> (Vec<TraceRecord>, Vec<Diagnostic>) {
    let mut records = Vec::new();
    let mut diagnostics = Vec::new();
    let file: std::sync::Arc<Path> = path.into();
    for (index, line) in text.lines().enumerate() {
        parse_line(
            &file,
            index as u64 + 1,
            line,
            &mut records,
            &mut diagnostics,
        );
    }
    (records, diagnostics)
}

/// Reads an `output.jsonl` a line at a time: memory holds one line, not the file (a run's
/// traces reach hundreds of MB). Undecodable bytes are shown as � and reported once.
pub fn read_output_jsonl(path: &Path) -> (Vec<TraceRecord>, Vec<Diagnostic>) {
    let read = read_trace_file(path);
    (read.records, read.diagnostics)
}

/// A trace file as read: its records and problems, and how far the read went (for a live
/// reload that continues from there).
pub struct ReadTraces {
    pub records: Vec<TraceRecord>,
    pub diagnostics: Vec<Diagnostic>,
    /// Bytes read; the lines in them (a last line without its line end counts).
    pub bytes: u64,
    pub lines: u64,
}

/// `read_output_jsonl`, saying how far it read.
pub fn read_trace_file(path: &Path) -> ReadTraces {
    use std::io::BufRead as _;
    let mut records = Vec::new();
    let mut diagnostics = Vec::new();
    let file: std::sync::Arc<Path> = path.into();
    let mut reader = match std::fs::File::open(path) {
        Ok(opened) => std::io::BufReader::with_capacity(1 << 16, opened),
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            return ReadTraces {
                records,
                diagnostics,
                bytes: 0,
                lines: 0,
            };
        }
    };
    let mut buffer = Vec::new();
    let mut line_no = 0;
    let mut bytes = 0u64;
    let mut reported_encoding = false;
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                diagnostics.push(Diagnostic::error(
                    path,
                    Some(line_no + 1),
                    format!("cannot read further: {err}"),
                ));
                break;
            }
        }
        line_no += 1;
        bytes += buffer.len() as u64;
        let line = String::from_utf8_lossy(&buffer);
        if !reported_encoding && matches!(line, Cow::Owned(_)) {
            reported_encoding = true;
            diagnostics.push(Diagnostic::warning(
                path,
                Some(line_no),
                "not valid UTF-8; undecodable bytes shown as �",
            ));
        }
        let line = line.trim_end_matches(['\n', '\r']);
        parse_line(&file, line_no, line, &mut records, &mut diagnostics);
    }
    ReadTraces {
        records,
        diagnostics,
        bytes,
        lines: line_no,
    }
}

/// One line of an `output.jsonl`: a record, or a diagnostic at its line.
fn parse_line(
    file: &std::sync::Arc<Path>,
    line_no: u64,
    line: &str,
    records: &mut Vec<TraceRecord>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path: &Path = file;
    if line.trim().is_empty() {
        return;
    }
    // serde would read an array positionally as a record: only an object is one.
    if !line.trim_start().starts_with('{') {
        let message = match serde_json::from_str::<Value>(line) {
            Ok(_) => "trace line is JSON but not an object; skipped".to_string(),
            Err(err) => format!("trace line is not valid JSON: {err}"),
        };
        diagnostics.push(Diagnostic::error(path, Some(line_no), message));
        return;
    }
    let record: RawRecord = match serde_json::from_str(line) {
        Ok(record) => record,
        Err(err) => {
            // Valid JSON of another shape has no usable prompt_id.
            let message = if serde_json::from_str::<Value>(line).is_ok() {
                "trace record has no string or integer \"prompt_id\"".to_string()
            } else {
                format!("trace line is not valid JSON: {err}")
            };
            diagnostics.push(Diagnostic::error(path, Some(line_no), message));
            return;
        }
    };
    let Some(prompt_id) = record.prompt_id else {
        diagnostics.push(Diagnostic::error(
            path,
            Some(line_no),
            "trace record has no string or integer \"prompt_id\"",
        ));
        return;
    };
    let written = record
        .image_file
        .map(Cow::into_owned)
        .unwrap_or_else(|| format!("{prompt_id}.png"));
    // A name, matched against the folder's files; never a path to open.
    let image_file = crate::load::confine::file_name_or_unusable(&written);
    if image_file == crate::load::confine::UNUSABLE_NAME {
        diagnostics.push(Diagnostic::warning(
            path,
            Some(line_no),
            format!("image_file {written:?} is not a file name; the trace has no image"),
        ));
    }
    let source = TraceSource {
        file: file.clone(),
        line: Some(line_no),
    };
    let trace = trace_from_think(
        record.think_output.as_deref().unwrap_or(""),
        record.detailed_prompt.as_deref(),
        source,
    );
    records.push(TraceRecord {
        prompt_id,
        image_file,
        line: line_no,
        original_prompt: record.original_prompt.map(Cow::into_owned),
        trace,
    });
}

/// The fields of an `output.jsonl` record the inspector reads, borrowed from the line where
/// JSON escapes allow. A field of another type counts as absent, as before.
#[derive(serde::Deserialize)]
struct RawRecord<'a> {
    #[serde(default, deserialize_with = "id_text")]
    prompt_id: Option<String>,
    #[serde(default, borrow, deserialize_with = "text_or_none")]
    image_file: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_or_none")]
    think_output: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_or_none")]
    detailed_prompt: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_or_none")]
    original_prompt: Option<Cow<'a, str>>,
}

/// A string, or `None` for any other JSON value.
struct TextOrNone;

impl<'de> serde::de::Visitor<'de> for TextOrNone {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(None)
    }
}

fn text_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    d.deserialize_any(TextOrNone)
}

/// `prompt_id` as text: a string, or an integer written out; anything else counts as absent.
fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    })
}

/// Builds a readable trace from raw think text and the launcher's extracted detailed prompt.
pub fn trace_from_think(think: &str, detailed_field: Option<&str>, source: TraceSource) -> Trace {
    // Traces are the longest texts loaded: copy them only where a tag must go.
    let body: std::borrow::Cow<str> = if think.contains("think>") {
        think.replace("<think>", "").replace("</think>", "").into()
    } else {
        think.into()
    };
    let (reasoning, tail) = match DETAILED_MARKERS
        .iter()
        .find_map(|m| body.find(m).map(|at| (at, m.len())))
    {
        Some((at, len)) => (&body[..at], Some(&body[at + len..])),
        None => (&body[..], None),
    };
    let from_field = detailed_field
        .map(|d| d.replace("</think>", "").trim().to_string())
        .filter(|d| !d.is_empty() && d != FAILED_EXTRACTION);
    let detailed_prompt =
        from_field.or_else(|| tail.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()));
    Trace {
        reasoning: reasoning.trim().to_string(),
        detailed_prompt,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_a_file_reads_what_parsing_it_whole_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("output.jsonl");
        let mut bytes = format!("{RECORD}\r\nnot json\n\n[1, 2]\n").into_bytes();
        bytes.extend(b"{\"prompt_id\": \"9\", \"think_output\": \"bad \xff byte\"}\n");
        bytes.extend(RECORD.replace("\"2\"", "\"3\"").as_bytes()); // no final line end
        std::fs::write(&path, &bytes).unwrap();
        let (streamed, streamed_problems) = read_output_jsonl(&path);
        let (whole, whole_problems) = parse_output_jsonl(&path, &String::from_utf8_lossy(&bytes));
        assert_eq!(streamed.len(), 3);
        assert_eq!(
            streamed
                .iter()
                .map(|r| (&r.prompt_id, r.line))
                .collect::<Vec<_>>(),
            whole
                .iter()
                .map(|r| (&r.prompt_id, r.line))
                .collect::<Vec<_>>()
        );
        let utf8 = Diagnostic::warning(
            &path,
            Some(5),
            "not valid UTF-8; undecodable bytes shown as �",
        );
        let mut expected = whole_problems.clone();
        expected.push(utf8);
        let mut streamed_problems = streamed_problems;
        streamed_problems.sort_by_key(|d| d.line);
        expected.sort_by_key(|d| d.line);
        assert_eq!(streamed_problems, expected);
    }

    const RECORD: &str = r#"{"prompt_id": "2", "image_file": "2.png", "original_prompt": "q", "detailed_prompt": "Two kittens on a table.</think>", "think_output": "<think>√9 is 3; 3 minus 1 is 2.\n\nHere’s the finished detailed prompt: Two kittens on a table.</think>"}"#;

    #[test]
    fn string_ids_and_detailed_prompt_split() {
        let (records, diags) = parse_output_jsonl(Path::new("output.jsonl"), RECORD);
        assert!(diags.is_empty());
        let r = &records[0];
        assert_eq!(
            (r.prompt_id.as_str(), r.image_file.as_str(), r.line),
            ("2", "2.png", 1)
        );
        assert_eq!(r.trace.reasoning, "√9 is 3; 3 minus 1 is 2.");
        assert_eq!(
            r.trace.detailed_prompt.as_deref(),
            Some("Two kittens on a table.")
        );
        assert_eq!(r.trace.source.to_string(), "output.jsonl:1");
    }

    #[test]
    fn integer_ids_and_bad_lines() {
        let text = format!(
            "{}\nnot json\n{{\"image_file\": \"x.png\"}}\n\n",
            r#"{"prompt_id": 31, "image_file": "31.png", "think_output": "<think>hm</think>"}"#
        );
        let (records, diags) = parse_output_jsonl(Path::new("o.jsonl"), &text);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].prompt_id, "31");
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].line, Some(2));
        assert!(diags[1].message.contains("prompt_id"));
        assert_eq!(diags[1].line, Some(3));
    }

    #[test]
    fn failed_extraction_falls_back_to_the_text() {
        let t = trace_from_think(
            "<think>plan\nHere's the finished detailed prompt: a cat</think>",
            Some("Failed to extract detailed prompt."),
            TraceSource::default(),
        );
        assert_eq!(t.detailed_prompt.as_deref(), Some("a cat"));
        let none = trace_from_think(
            "<think>just thoughts</think>",
            Some("Failed to extract detailed prompt."),
            TraceSource::default(),
        );
        assert_eq!(none.detailed_prompt, None);
        assert_eq!(none.reasoning, "just thoughts");
    }
}
