//! The benchmark JSONL files (`--benchmark FILE_OR_DIR`): the questions a run was meant to cover.
//!
//! With them, items the model never produced are listed as "not generated", and folders without an
//! evaluation CSV get their prompts and expected answers. Fields per family (upstream): math
//! `id` (string), `Question`, `Answer`; mapping `ID`, `Question_A` or `Question_B`, `Answer`;
//! knowledge `ID` (integer), `Question`, `Answer`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::load::folder::LoadedFolder;
use crate::model::compare_ids;
use crate::model::{ImageStatus, Item, Part, Verdict};

/// One benchmark question: one image to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchmarkEntry {
    pub id: String,
    /// `Some('A')` / `Some('B')` for mapping sides.
    pub label: Option<char>,
    pub question: String,
    pub answer: String,
}

impl BenchmarkEntry {
    /// The file the eval would write for this question (a name in the task folder: an ID
    /// such as `../x` cannot point elsewhere).
    fn image_file(&self) -> String {
        let written = match self.label {
            Some(label) => format!("{}_{label}.png", self.id),
            None => format!("{}.png", self.id),
        };
        crate::load::confine::file_name_or_unusable(&written)
    }
}

/// Benchmark questions by stem (with Infer.py's collapsed spelling, `math3`, as the key).
#[derive(Clone, Debug, Default)]
pub struct Benchmark {
    by_stem: HashMap<String, Vec<BenchmarkEntry>>,
}

/// `math_3` → `math3`: Infer.py's folder names drop the underscore before trailing digits.
fn collapsed(stem: &str) -> String {
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = stem.split_at(stem.len() - digits);
    if digits > 0 && head.ends_with('_') {
        format!("{}{tail}", &head[..head.len() - 1])
    } else {
        stem.to_string()
    }
}

impl Benchmark {
    pub fn entries(&self, stem: &str) -> Option<&[BenchmarkEntry]> {
        self.by_stem.get(&collapsed(stem)).map(Vec::as_slice)
    }

    /// Adds what the benchmark knows to a loaded folder: prompts and answers where no CSV gave
    /// them, and a "not generated" item (or side) for every question without an image.
    pub fn fill(&self, loaded: &mut LoadedFolder) {
        let Some(entries) = self.entries(&loaded.folder.stem) else {
            return;
        };
        let dir = loaded.folder.path.clone();
        let mut by_id: BTreeMap<&str, Vec<&BenchmarkEntry>> = BTreeMap::new();
        for entry in entries {
            by_id.entry(&entry.id).or_default().push(entry);
        }
        let mut index_of_id: HashMap<String, usize> = loaded
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.id.clone(), index))
            .collect();
        for (id, entries) in by_id {
            let index = match index_of_id.get(id) {
                Some(&index) => index,
                None => {
                    index_of_id.insert(id.to_string(), loaded.items.len());
                    loaded.items.push(Item {
                        folder: 0,
                        id: id.to_string(),
                        parts: Vec::new(),
                        verdict: Verdict::NotGenerated,
                        csv_line: None,
                        extras: None,
                    });
                    loaded.items.len() - 1
                }
            };
            let item = &mut loaded.items[index];
            for entry in entries {
                match item.parts.iter_mut().find(|p| p.label == entry.label) {
                    Some(part) => {
                        if part.question.is_empty() {
                            part.question = entry.question.as_str().into();
                        }
                        if part.answer.is_empty() {
                            part.answer = entry.answer.clone();
                        }
                    }
                    None => item.parts.push(not_generated_part(&dir, entry)),
                }
            }
            item.parts.sort_by_key(|p| p.label);
        }
        loaded.items.sort_by(|a, b| compare_ids(&a.id, &b.id));
    }
}

fn not_generated_part(dir: &Path, entry: &BenchmarkEntry) -> Part {
    Part {
        label: entry.label,
        question: entry.question.as_str().into(),
        answer: entry.answer.clone(),
        image_path: dir.join(entry.image_file()),
        image_status: ImageStatus::Missing,
        verdict: Verdict::NotGenerated,
        caption: None,
        analysis: None,
        trace: None,
    }
}

/// Reads one `<stem>.jsonl` or every `*.jsonl` in a folder (not recursive).
pub fn read_benchmark(path: &Path) -> (Benchmark, Vec<Diagnostic>) {
    let mut benchmark = Benchmark::default();
    let mut diagnostics = Vec::new();
    let files: Vec<PathBuf> = if path.is_dir() {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut files: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                    .collect();
                files.sort();
                files
            }
            Err(err) => {
                diagnostics.push(Diagnostic::error(
                    path,
                    None,
                    format!("cannot list benchmark folder: {err}"),
                ));
                Vec::new()
            }
        }
    } else {
        vec![path.to_path_buf()]
    };
    if files.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::warning(
            path,
            None,
            "no benchmark .jsonl files here",
        ));
    }
    for file in files {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let (entries, problems) = parse_benchmark_jsonl(&file, &text);
                diagnostics.extend(problems);
                benchmark
                    .by_stem
                    .entry(collapsed(&stem))
                    .or_default()
                    .extend(entries);
            }
            Err(err) => diagnostics.push(Diagnostic::error(
                &file,
                None,
                format!("cannot read: {err}"),
            )),
        }
    }
    (benchmark, diagnostics)
}

/// Parses benchmark lines; a bad line becomes a diagnostic with its line number.
pub fn parse_benchmark_jsonl(file: &Path, text: &str) -> (Vec<BenchmarkEntry>, Vec<Diagnostic>) {
    let mut entries = Vec::new();
    let mut diagnostics = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = Some(index as u64 + 1);
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(err) => {
                diagnostics.push(Diagnostic::warning(
                    file,
                    line_number,
                    format!("not valid JSON: {err}"),
                ));
                continue;
            }
        };
        let text_field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
        let id = match value.get("id").or_else(|| value.get("ID")) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let (label, question) = match (
            text_field("Question"),
            text_field("Question_A"),
            text_field("Question_B"),
        ) {
            (Some(q), _, _) => (None, Some(q)),
            (None, Some(q), _) => (Some('A'), Some(q)),
            (None, None, Some(q)) => (Some('B'), Some(q)),
            _ => (None, None),
        };
        match (id, question, text_field("Answer")) {
            (Some(id), Some(question), Some(answer)) => entries.push(BenchmarkEntry {
                id,
                label,
                question,
                answer,
            }),
            _ => diagnostics.push(Diagnostic::warning(
                file,
                line_number,
                "benchmark line needs an id/ID, a Question (or Question_A/Question_B) and an Answer",
            )),
        }
    }
    (entries, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{folder, item, part};

    #[test]
    fn reads_all_three_families_and_names_bad_lines() {
        let file = Path::new("bench/mapping2.jsonl");
        let text = concat!(
            "{\"ID\": 7, \"Question_A\": \"Rule 1 … A?\", \"Answer\": \"chairs\"}\n",
            "{\"ID\": \"7\", \"Question_B\": \"Rule 1 … B?\", \"Answer\": \"undefined\"}\n",
            "\n",
            "{\"id\": \"3\", \"Question\": \"Generate 1 + 1 cups.\", \"Answer\": \"2 cups.\"}\n",
            "{oops\n",
            "{\"ID\": 4, \"Answer\": \"grapes\"}\n",
        );
        let (entries, problems) = parse_benchmark_jsonl(file, text);
        let seen: Vec<(String, Option<char>, String)> = entries
            .iter()
            .map(|e| (e.id.clone(), e.label, e.answer.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                ("7".into(), Some('A'), "chairs".into()),
                ("7".into(), Some('B'), "undefined".into()),
                ("3".into(), None, "2 cups.".into()),
            ]
        );
        let lines: Vec<Option<u64>> = problems.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(5), Some(6)]);
        assert!(problems[0].to_string().contains("mapping2.jsonl"));
    }

    #[test]
    fn collapses_like_infer_py() {
        assert_eq!(collapsed("math_3"), "math3");
        assert_eq!(collapsed("mapping2"), "mapping2");
        assert_eq!(collapsed("Aurelius_Nyxella"), "Aurelius_Nyxella");
    }

    #[test]
    fn fills_prompts_and_adds_not_generated_items_and_sides() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("math_3.jsonl"),
            "{\"id\": \"1\", \"Question\": \"Q1\", \"Answer\": \"1 cup.\"}\n{\"id\": \"2\", \"Question\": \"Q2\", \"Answer\": \"2 cups.\"}\n",
        )
        .unwrap();
        let (benchmark, problems) = read_benchmark(dir.path());
        assert!(problems.is_empty(), "{problems:?}");
        let mut unjudged = part("", "", Verdict::NotJudged);
        unjudged.question = "".into();
        let mut loaded = LoadedFolder {
            folder: folder("infer", "think", "math3"),
            items: vec![item("1", unjudged)],
            diagnostics: Vec::new(),
        };
        benchmark.fill(&mut loaded);
        let items: Vec<(&str, &str, &str, Verdict)> = loaded
            .items
            .iter()
            .map(|i| {
                (
                    i.id.as_str(),
                    &*i.parts[0].question,
                    i.parts[0].answer.as_str(),
                    i.verdict,
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                ("1", "Q1", "1 cup.", Verdict::NotJudged),
                ("2", "Q2", "2 cups.", Verdict::NotGenerated),
            ]
        );
        assert_eq!(loaded.items[1].parts[0].image_status, ImageStatus::Missing);
    }

    #[test]
    fn a_missing_benchmark_path_is_an_error_naming_it() {
        let (benchmark, problems) = read_benchmark(Path::new("/no/such/bench.jsonl"));
        assert!(benchmark.by_stem.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().contains("/no/such/bench.jsonl"));
    }
}
