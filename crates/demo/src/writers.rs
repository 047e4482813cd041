//! Writing files exactly as the upstream Python scripts do: csv.DictWriter CSVs (CRLF, minimal
//! quoting, multi-line fields), the eval logs, and json.dumps(ensure_ascii=False) JSONL.

use std::io::{self, Write};

use serde::Serialize;

/// Writes a header and rows like `csv.DictWriter(f, fieldnames)` on a file opened with newline=''.
pub fn dictwriter_csv(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    Ok(writer.into_inner()?)
}

/// The eval scripts' closing block. Mapping logs count IDs; math logs carry a duration.
pub fn eval_log(
    total: usize,
    correct: usize,
    ids: bool,
    duration: Option<f64>,
    csv_path: &str,
) -> String {
    let rule = "=".repeat(60);
    let accuracy = if total == 0 {
        0.0
    } else {
        correct as f64 * 100.0 / total as f64
    };
    let (total_key, correct_key) = if ids {
        ("Total IDs", "Correct IDs")
    } else {
        ("Total", "Correct")
    };
    let mut out = format!(
        "{rule}\nEvaluation finished!\n{total_key}: {total}\n{correct_key}: {correct}\nAccuracy: {accuracy:.2}%\n"
    );
    if let Some(seconds) = duration {
        out += &format!("Duration: {seconds:.2}s\n");
    }
    out + &format!("CSV: {csv_path}\n{rule}\n")
}

/// serde_json formatter with Python's default separators (", " and ": ").
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

/// One line as `json.dumps(value, ensure_ascii=False)` writes it.
pub fn python_json_line(value: &impl Serialize) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, PythonFormatter);
    value.serialize(&mut serializer)?;
    Ok(String::from_utf8(bytes)? + "\n")
}

/// A whole file as `json.dump(value, f, ensure_ascii=False, indent=2)` writes it (no final
/// newline). serde_json's pretty printer with a two-space indent writes the same bytes:
/// `": "` and `,` + newline between items, `[]`/`{}` when empty, the same escapes (`\n`, `\t`,
/// `\u0001`, lowercase hex; non-ASCII and DEL kept) and shortest round-trip floats (`42.5`,
/// `100.0`).
pub fn python_json_indent2(value: &impl Serialize) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    value.serialize(&mut serializer)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_json_is_pythons_byte_for_byte() {
        // Expected bytes: python3 -c 'json.dumps(obj, ensure_ascii=False, indent=2)' on the same
        // values (CPython 3.11).
        #[derive(Serialize)]
        #[allow(non_snake_case)]
        struct Candidate {
            id: &'static str,
            Question: &'static str,
            Answer: &'static str,
            image: &'static str,
            model_judgment: &'static str,
            model_response: &'static str,
            accepted: bool,
        }
        #[derive(Serialize)]
        struct Odd {
            n: Vec<u8>,
            o: std::collections::BTreeMap<String, u8>,
            f: f64,
            g: f64,
            h: f64,
            i: f64,
        }
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Element {
            Candidate(Candidate),
            Odd(Odd),
        }
        let value = [
            Element::Candidate(Candidate {
                id: "math3_00000",
                Question: "Show √9 → “3” cups\ttab \"q\" back\\slash \u{1} \u{7f} é 😀",
                Answer: "3 cups",
                image: "/abs/x/0.png",
                model_judgment: "NO",
                model_response: "line1\nline2\r\n\u{8}\u{c}",
                accepted: false,
            }),
            Element::Odd(Odd {
                n: vec![],
                o: Default::default(),
                f: 33.33333333333333,
                g: 100.0,
                h: 1.0 / 3.0 * 100.0,
                i: 17.0 / 40.0 * 100.0,
            }),
        ];
        let python = "[\n  {\n    \"id\": \"math3_00000\",\n    \"Question\": \"Show √9 → “3” cups\\ttab \\\"q\\\" back\\\\slash \\u0001 \u{7f} é 😀\",\n    \"Answer\": \"3 cups\",\n    \"image\": \"/abs/x/0.png\",\n    \"model_judgment\": \"NO\",\n    \"model_response\": \"line1\\nline2\\r\\n\\b\\f\",\n    \"accepted\": false\n  },\n  {\n    \"n\": [],\n    \"o\": {},\n    \"f\": 33.33333333333333,\n    \"g\": 100.0,\n    \"h\": 33.33333333333333,\n    \"i\": 42.5\n  }\n]";
        let ours = String::from_utf8(python_json_indent2(&value).unwrap()).unwrap();
        assert_eq!(ours, python);
    }

    #[test]
    fn csv_quotes_only_when_needed_and_ends_rows_with_crlf() {
        let rows = vec![vec![
            "1".to_string(),
            "a, b".into(),
            "line\nbreak".into(),
            "say \"hi\"".into(),
            "plain".into(),
        ]];
        let bytes = dictwriter_csv(&["ID", "Q", "A", "B", "C"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "ID,Q,A,B,C\r\n1,\"a, b\",\"line\nbreak\",\"say \"\"hi\"\"\",plain\r\n"
        );
    }

    #[test]
    fn json_like_python_with_unicode_kept() {
        #[derive(Serialize)]
        struct R {
            prompt_id: u32,
            text: &'static str,
        }
        let line = python_json_line(&R {
            prompt_id: 31,
            text: "√9 → 3’",
        })
        .unwrap();
        assert_eq!(line, "{\"prompt_id\": 31, \"text\": \"√9 → 3’\"}\n");
    }

    #[test]
    fn logs_in_both_shapes() {
        let log = eval_log(3, 1, false, None, "/x.csv");
        assert!(log.contains("Total: 3\nCorrect: 1\nAccuracy: 33.33%\nCSV: /x.csv\n"));
        assert!(log.starts_with(&"=".repeat(60)));
        let mapping = eval_log(20, 5, true, Some(1.5), "/y.csv");
        assert!(
            mapping.contains("Total IDs: 20\nCorrect IDs: 5\nAccuracy: 25.00%\nDuration: 1.50s\n")
        );
    }
}
