//! `evaluation_results.csv` in its three schemas (math, mapping, knowledge), as Python's
//! csv.DictWriter writes them: CRLF, quoted multi-line Analysis, completion order, and rows
//! appended across re-runs (the last row for an ID wins).

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::load::csv_scan::{Rerow, scan_records};
use crate::model::{CsvRun, JudgedRow, Verdict};

/// The Analysis texts the eval scripts write when a judge call failed (an HTTP error, a dropped
/// connection, an empty reply, or no parsable `Score:` after the retries): eval_math.py and
/// eval_mapping.py record such an image as `NO`, eval_knowledge.py as `ERROR`.
pub const FAILED_CALL_TEXTS: [&str; 6] = [
    "Error: Failed to generate image caption",
    "Error: Failed to evaluate caption match",
    "Error: Failed to identify object",
    "Error: Failed to evaluate match",
    "Error: caption failed",
    "Error: eval failed",
];

/// Whether an image with this `Result` and Analysis was never judged because the judge call
/// failed: every `ERROR`, and a `NO` whose Analysis is one of the scripts' failed-call texts.
pub fn is_failed_judge_call(result: Verdict, analysis: &[u8]) -> bool {
    match result {
        Verdict::JudgeError => true,
        Verdict::No => {
            let analysis = analysis.trim_ascii_start();
            FAILED_CALL_TEXTS
                .iter()
                .any(|text| analysis.starts_with(text.as_bytes()))
        }
        _ => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Math,
    Mapping,
    Knowledge,
}

impl Schema {
    /// The schema the eval script of this task family writes.
    pub fn of_family(family: crate::taxonomy::Family) -> Schema {
        match family {
            crate::taxonomy::Family::Mapping => Schema::Mapping,
            crate::taxonomy::Family::Knowledge => Schema::Knowledge,
            _ => Schema::Math,
        }
    }

    /// The columns, in the order the eval scripts' DictWriter writes them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Schema::Math => &[
                "ID",
                "Question",
                "Answer",
                "Image_Path",
                "Result",
                "Score",
                "Analysis",
            ],
            Schema::Knowledge => &[
                "ID",
                "Question",
                "Answer",
                "Image_Path",
                "Caption",
                "Result",
                "Score",
                "Analysis",
            ],
            Schema::Mapping => &[
                "ID",
                "Question_A",
                "Answer_A",
                "Image_A_Path",
                "A_Result",
                "A_Score",
                "A_Analysis",
                "Question_B",
                "Answer_B",
                "Image_B_Path",
                "B_Result",
                "B_Score",
                "B_Analysis",
                "Both_Correct",
                "Final_Score",
            ],
        }
    }

    /// Recognises a schema from the header row.
    fn detect(headers: &[String]) -> Option<Schema> {
        let has = |name: &str| headers.iter().any(|h| h == name);
        if has("Question_A") || has("Final_Score") {
            Some(Schema::Mapping)
        } else if has("Caption") {
            Some(Schema::Knowledge)
        } else if has("Question") || has("Result") {
            Some(Schema::Math)
        } else {
            None
        }
    }
}

/// One judged image inside a row.
#[derive(Clone, Debug, PartialEq)]
pub struct JudgedImage {
    pub question: String,
    pub answer: String,
    /// The file name of `Image_Path` (the absolute path is from the eval machine).
    pub image_file: String,
    /// What the inspector makes of the row: a failed judge call is `JudgeError` even when the
    /// script wrote `NO`.
    pub verdict: Verdict,
    /// The `Result` column as written.
    pub csv_verdict: Verdict,
    pub caption_column: Option<String>,
    pub analysis: String,
}

/// One CSV row: one math/knowledge image or one mapping pair.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub id: String,
    /// 1-based line where the row starts.
    pub line: u64,
    pub images: Vec<JudgedImage>,
    /// `Score` = 1 (math, knowledge) or `Final_Score` = 1 (mapping).
    pub correct: bool,
    /// Every row of this ID in file order, this one last; empty when the ID has one row.
    pub history: Vec<JudgedRow>,
}

impl ResultRow {
    fn judged_row(&self) -> JudgedRow {
        JudgedRow {
            line: self.line,
            verdicts: self.images.iter().map(|i| i.verdict).collect(),
            correct: self.correct,
        }
    }
}

impl Rerow for ResultRow {
    fn correct(&self) -> bool {
        self.correct
    }

    fn follows(&mut self, earlier: Self) {
        let mut history = if earlier.history.is_empty() {
            vec![earlier.judged_row()]
        } else {
            earlier.history
        };
        history.push(self.judged_row());
        self.history = history;
    }
}

/// What counting keeps of a row: its score, its verdicts' fingerprint and what re-runs did.
#[derive(Clone, Copy, Debug, Default)]
struct CountedRow {
    correct: bool,
    /// The verdicts (a failed call as `JudgeError`), one byte each.
    verdicts: [u8; 2],
    judge_failures: u8,
    rejudged: bool,
    verdict_changed: bool,
}

impl Rerow for CountedRow {
    fn correct(&self) -> bool {
        self.correct
    }

    fn follows(&mut self, earlier: Self) {
        self.rejudged = true;
        self.verdict_changed |= earlier.verdict_changed || earlier.verdicts != self.verdicts;
    }
}

#[derive(Clone, Debug, Default)]
pub struct ResultsCsv {
    pub schema: Option<Schema>,
    /// Deduplicated rows (last wins), in the order IDs first appeared.
    pub rows: Vec<ResultRow>,
    pub diagnostics: Vec<Diagnostic>,
    /// Byte offset where the complete rows end (a half-written last row starts there).
    pub complete_to: usize,
    /// Rows that repeated an earlier ID (re-runs).
    pub duplicates: usize,
    /// The eval runs whose rows the file holds, in file order.
    pub runs: Vec<CsvRun>,
}

/// What `count_results_csv` keeps of a file: the eval's counts, nothing per row.
#[derive(Clone, Debug, Default)]
pub struct CsvCounts {
    pub schema: Option<Schema>,
    /// Distinct IDs with a valid row (the last row per ID wins).
    pub total: u64,
    pub correct: u64,
    /// Current images whose judge call failed.
    pub judge_failures: u64,
    /// IDs with more than one row.
    pub rejudged: u64,
    /// IDs whose verdicts differ between their rows.
    pub verdict_changed: u64,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses CSV text. Never fails as a whole: problems become diagnostics with file and line, and
/// an unknown or incomplete header yields no rows.
pub fn parse_results_csv(path: &Path, text: &str) -> ResultsCsv {
    let scanned = scan(
        path,
        text.as_bytes(),
        true,
        |fields, id, line| match fields.schema {
            Schema::Mapping => mapping_row(fields, id, line),
            Schema::Math | Schema::Knowledge => single_row(fields, id, line),
        },
    );
    ResultsCsv {
        schema: scanned.schema,
        rows: scanned.rows,
        diagnostics: scanned.diagnostics,
        complete_to: scanned.complete_to,
        duplicates: scanned.duplicates,
        runs: scanned.runs,
    }
}

/// Counts a results CSV the way the eval scripts do, with the same validation and diagnostics as
/// `parse_results_csv`, without decoding the texts: what `summary` needs, at memory speed.
pub fn count_results_csv(path: &Path, bytes: &[u8]) -> CsvCounts {
    let scanned = scan(path, bytes, false, |fields, _id, _line| {
        let mut counted = CountedRow::default();
        for (index, side) in fields.columns.sides.iter().enumerate() {
            let (score, verdict) = side.check(fields)?;
            let analysis = fields.record.get(side.analysis).unwrap_or(b"");
            let failed = is_failed_judge_call(verdict, analysis);
            counted.judge_failures += u8::from(failed);
            counted.verdicts[index] = if failed { Verdict::JudgeError } else { verdict } as u8;
            counted.correct = score;
        }
        if fields.schema == Schema::Mapping {
            counted.correct = fields.flag(fields.columns.final_score, "Final_Score")?;
        }
        Ok(counted)
    });
    let rows = &scanned.rows;
    CsvCounts {
        schema: scanned.schema,
        total: rows.len() as u64,
        correct: rows.iter().filter(|row| row.correct).count() as u64,
        judge_failures: rows.iter().map(|row| u64::from(row.judge_failures)).sum(),
        rejudged: rows.iter().filter(|row| row.rejudged).count() as u64,
        verdict_changed: rows.iter().filter(|row| row.verdict_changed).count() as u64,
        diagnostics: scanned.diagnostics,
    }
}

/// Column indices of one judged image's fields.
#[derive(Clone, Copy, Debug, Default)]
struct SideColumns {
    /// The Score column's name, for messages (named once, not per row).
    score_name: &'static str,
    question: usize,
    answer: usize,
    image_path: usize,
    result: usize,
    score: usize,
    analysis: usize,
}

impl SideColumns {
    /// Validates Score and Result: (score, verdict).
    fn check(&self, fields: &Fields) -> Result<(bool, Verdict), String> {
        let score = fields.flag(self.score, self.score_name)?;
        let verdict = verdict_of(&fields.text(self.result), score, fields.id)?;
        Ok((score, verdict))
    }
}

/// Where each column the loader reads sits in the header.
#[derive(Clone, Debug, Default)]
struct Columns {
    id: usize,
    /// One side for math and knowledge, A and B for mapping.
    sides: Vec<SideColumns>,
    caption: Option<usize>,
    final_score: usize,
}

impl Columns {
    fn of(schema: Schema, headers: &csv::ByteRecord) -> Columns {
        let at = |name: &str| {
            headers
                .iter()
                .position(|h| h == name.as_bytes())
                .unwrap_or(usize::MAX)
        };
        let sides = match schema {
            Schema::Mapping => vec![
                SideColumns {
                    score_name: "A_Score",
                    question: at("Question_A"),
                    answer: at("Answer_A"),
                    image_path: at("Image_A_Path"),
                    result: at("A_Result"),
                    score: at("A_Score"),
                    analysis: at("A_Analysis"),
                },
                SideColumns {
                    score_name: "B_Score",
                    question: at("Question_B"),
                    answer: at("Answer_B"),
                    image_path: at("Image_B_Path"),
                    result: at("B_Result"),
                    score: at("B_Score"),
                    analysis: at("B_Analysis"),
                },
            ],
            Schema::Math | Schema::Knowledge => vec![SideColumns {
                score_name: "Score",
                question: at("Question"),
                answer: at("Answer"),
                image_path: at("Image_Path"),
                result: at("Result"),
                score: at("Score"),
                analysis: at("Analysis"),
            }],
        };
        Columns {
            id: at("ID"),
            sides,
            caption: (schema == Schema::Knowledge).then(|| at("Caption")),
            final_score: at("Final_Score"),
        }
    }
}

/// One record as the row builders see it: fields decoded only when asked for.
struct Fields<'r> {
    record: &'r csv::ByteRecord,
    columns: &'r Columns,
    schema: Schema,
    id: &'r str,
}

impl Fields<'_> {
    fn text(&self, column: usize) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.record.get(column).unwrap_or(b""))
    }

    fn flag(&self, column: usize, name: &str) -> Result<bool, String> {
        let text = self.text(column);
        parse_flag(&text).ok_or_else(|| format!("ID {}: {name} {text:?} is not 0 or 1", self.id))
    }
}

/// Rows of one file, deduplicated (last wins) in the order IDs first appeared.
struct Scanned<T> {
    schema: Option<Schema>,
    rows: Vec<T>,
    diagnostics: Vec<Diagnostic>,
    complete_to: usize,
    duplicates: usize,
    runs: Vec<CsvRun>,
}

/// Reads the header, then every record once, streaming: `build` turns a valid-length record with
/// a non-empty ID into a row (or a message, reported at the record's line).
fn scan<T: Rerow>(
    path: &Path,
    bytes: &[u8],
    lines_per_row: bool,
    build: impl Fn(&Fields, &str, u64) -> Result<T, String> + Sync,
) -> Scanned<T> {
    let mut out = Scanned {
        schema: None,
        rows: Vec::new(),
        diagnostics: Vec::new(),
        complete_to: 0,
        duplicates: 0,
        runs: Vec::new(),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        out.diagnostics.push(Diagnostic::error(
            path,
            Some(1),
            "empty file: no header row (the eval has not written anything yet)",
        ));
        return out;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers = match reader.byte_headers() {
        Ok(headers) => headers.clone(),
        Err(err) => {
            out.diagnostics.push(Diagnostic::error(
                path,
                Some(1),
                format!("cannot read the CSV header: {err}"),
            ));
            return out;
        }
    };
    let header_names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let Some(schema) = Schema::detect(&header_names) else {
        out.diagnostics.push(Diagnostic::error(
            path,
            Some(1),
            format!(
                "unknown CSV header (not a math, mapping or knowledge results file): {}",
                header_names.join(",")
            ),
        ));
        return out;
    };
    let missing: Vec<&str> = schema
        .columns()
        .iter()
        .copied()
        .filter(|c| !header_names.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        out.diagnostics.push(Diagnostic::error(
            path,
            Some(1),
            format!(
                "{schema:?} results header lacks column(s) {}; rows skipped",
                missing.join(", ")
            ),
        ));
        return out;
    }
    out.schema = Some(schema);
    let columns = Columns::of(schema, &headers);

    let body_start = reader.position().byte() as usize;
    let header_len = headers.len();
    let scan = scan_records(path, bytes, body_start, lines_per_row, &|record, line| {
        checked_row(record, &columns, schema, header_len, line, &build)
    });
    out.rows = scan.rows;
    out.diagnostics.extend(scan.diagnostics);
    out.complete_to = scan.complete_to;
    out.duplicates = scan.duplicates;
    out.runs = scan.runs;
    out
}

/// A record of the header's length with a non-empty ID, built into a row: (row, id).
fn checked_row<T>(
    record: &csv::ByteRecord,
    columns: &Columns,
    schema: Schema,
    header_len: usize,
    line: u64,
    build: &impl Fn(&Fields, &str, u64) -> Result<T, String>,
) -> Result<(T, String), String> {
    if record.len() != header_len {
        return Err(format!(
            "row has {} fields, the header has {header_len}; row skipped",
            record.len()
        ));
    }
    let id = String::from_utf8_lossy(record.get(columns.id).unwrap_or(b""));
    let id = id.trim();
    if id.is_empty() {
        return Err("row has an empty ID".into());
    }
    let fields = Fields {
        record,
        columns,
        schema,
        id,
    };
    let row = build(&fields, id, line)?;
    Ok((row, id.to_string()))
}

/// One side's image with its score.
fn judged_image(
    fields: &Fields,
    side: &SideColumns,
    fallback_file: String,
) -> Result<(JudgedImage, bool), String> {
    let (score, csv_verdict) = side.check(fields)?;
    let caption_column = fields.columns.caption.map(|c| fields.text(c).into_owned());
    let analysis = fields.text(side.analysis).into_owned();
    let verdict = if is_failed_judge_call(csv_verdict, analysis.as_bytes()) {
        Verdict::JudgeError
    } else {
        csv_verdict
    };
    let image = JudgedImage {
        question: fields.text(side.question).into_owned(),
        answer: fields.text(side.answer).into_owned(),
        image_file: file_name_or(&fields.text(side.image_path), &fallback_file),
        verdict,
        csv_verdict,
        caption_column,
        analysis,
    };
    Ok((image, score))
}

fn single_row(fields: &Fields, id: &str, line: u64) -> Result<ResultRow, String> {
    let (image, correct) = judged_image(fields, &fields.columns.sides[0], format!("{id}.png"))?;
    Ok(ResultRow {
        id: id.to_string(),
        line,
        images: vec![image],
        correct,
        history: Vec::new(),
    })
}

fn mapping_row(fields: &Fields, id: &str, line: u64) -> Result<ResultRow, String> {
    let images = fields
        .columns
        .sides
        .iter()
        .zip(["A", "B"])
        .map(|(side, label)| {
            judged_image(fields, side, format!("{id}_{label}.png")).map(|(image, _)| image)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let correct = fields.flag(fields.columns.final_score, "Final_Score")?;
    Ok(ResultRow {
        id: id.to_string(),
        line,
        images,
        correct,
        history: Vec::new(),
    })
}

/// Scores are written as `1`/`0`; `True`/`False` also appear (Both_Correct).
fn parse_flag(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "1.0" | "True" | "true" => Some(true),
        "0" | "0.0" | "False" | "false" => Some(false),
        _ => None,
    }
}

fn verdict_of(result: &str, score: bool, id: &str) -> Result<Verdict, String> {
    match Verdict::from_result_column(result) {
        Some(v) => Ok(v),
        None if result.trim().is_empty() => Ok(if score { Verdict::Yes } else { Verdict::No }),
        None => Err(format!(
            "ID {id}: Result {result:?} is not YES, NO, ERROR or IMAGE_NOT_FOUND"
        )),
    }
}

/// The last component of an eval-machine path (either separator), or the fallback when empty.
/// The file name `Image_Path` refers to (matched against the folder later, never opened as
/// written), or the eval's default name when the column is empty.
fn file_name_or(path: &str, fallback: &str) -> String {
    let written = if path.trim().is_empty() {
        fallback
    } else {
        path
    };
    crate::load::confine::file_name_or_unusable(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ResultsCsv {
        parse_results_csv(Path::new("evaluation_results.csv"), text)
    }

    const MATH_HEADER: &str = "ID,Question,Answer,Image_Path,Result,Score,Analysis\r\n";

    #[test]
    fn math_rows_with_multiline_analysis_and_crlf_in_completion_order() {
        let text = format!(
            "{MATH_HEADER}5,\"Make 1, then 2 cups.\",2 cups,/abs/run/5.png,YES,1,\"Phase 1 - Image Captioning:\nCaption: 2 cups\n\nPhase 2 - Caption Evaluation:\n**Score: YES**\"\r\n2,Q2,3 cups,/abs/run/2.png,NO,0,\"Phase 1 - Image Captioning:\nModel returned 'Error', skipping Phase 2.\"\r\n"
        );
        let csv = parse(&text);
        assert!(csv.diagnostics.is_empty(), "{:?}", csv.diagnostics);
        assert_eq!(csv.schema, Some(Schema::Math));
        let ids: Vec<&str> = csv.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["5", "2"]);
        assert_eq!(csv.rows[0].images[0].question, "Make 1, then 2 cups.");
        assert!(csv.rows[0].images[0].analysis.contains("\n\nPhase 2"));
        assert_eq!(csv.rows[0].images[0].image_file, "5.png");
        assert!(csv.rows[0].correct);
        // The second row starts after the 6-line first record.
        assert_eq!(csv.rows[1].line, 7);
        assert_eq!(csv.rows[1].images[0].verdict, Verdict::No);
    }

    #[test]
    fn every_failed_judge_call_text_of_each_schema_is_a_judge_failure_counted_as_no() {
        let math = format!(
            "{MATH_HEADER}1,Q,2 cups,/a/1.png,NO,0,Error: Failed to generate image caption\r\n\
             2,Q,2 cups,/a/2.png,NO,0,\"Error: Failed to evaluate caption match\nGenerated Caption: Caption: 2 cups\"\r\n\
             3,Q,2 cups,/a/3.png,NO,0,\"Phase 1 - Image Captioning:\nCaption: Error\n\nPhase 2 - Caption Evaluation:\n**Score: NO**\"\r\n\
             4,Q,2 cups,/a/4.png,NO,0,\"Phase 1 - Image Captioning:\nModel returned 'Error', skipping Phase 2.\"\r\n"
        );
        let csv = parse(&math);
        let verdicts: Vec<Verdict> = csv.rows.iter().map(|r| r.images[0].verdict).collect();
        // The judge answering `Error` is a judgment; a failed call is not.
        use Verdict::{JudgeError, No};
        assert_eq!(verdicts, [JudgeError, JudgeError, No, No]);
        assert!(
            csv.rows
                .iter()
                .all(|r| r.images[0].csv_verdict == No && !r.correct)
        );

        let mapping = "ID,Question_A,Answer_A,Image_A_Path,A_Result,A_Score,A_Analysis,Question_B,Answer_B,Image_B_Path,B_Result,B_Score,B_Analysis,Both_Correct,Final_Score\r\n\
             1,QA,fork,/x/1_A.png,NO,0,Error: Failed to identify object,QB,cup,/x/1_B.png,NO,0,\"Error: Failed to evaluate match\nIdentified Object: cup\",False,0\r\n";
        let csv = parse(mapping);
        let verdicts: Vec<Verdict> = csv.rows[0].images.iter().map(|i| i.verdict).collect();
        assert_eq!(verdicts, [JudgeError, JudgeError]);

        let knowledge = "ID,Question,Answer,Image_Path,Caption,Result,Score,Analysis\r\n\
             7,Q,grapes,/x/7.png,,ERROR,0,Error: caption failed\r\n\
             8,Q,grapes,/x/8.png,Fruit: grapes,ERROR,0,Error: eval failed\r\n\
             9,Q,grapes,/x/9.png,Error,NO,0,\"Phase 1 - Caption:\nError\n\nPhase 2 - Evaluation:\nGenerated: Error\nGT: grapes\nScore: NO\"\r\n";
        let csv = parse(knowledge);
        let verdicts: Vec<Verdict> = csv.rows.iter().map(|r| r.images[0].verdict).collect();
        assert_eq!(verdicts, [JudgeError, JudgeError, No]);

        // Counting finds the same failures without decoding the texts.
        for (text, failures) in [(math.as_str(), 2), (mapping, 2), (knowledge, 2)] {
            let counts = count_results_csv(Path::new("e.csv"), text.as_bytes());
            assert_eq!(counts.judge_failures, failures);
            assert_eq!(counts.correct, 0);
        }
    }

    #[test]
    fn reruns_keep_every_row_and_cut_the_file_into_runs() {
        // Run 1: IDs 1, 2, 3 (2 correct); run 2 re-judges 2 and 1, changing 2's verdict.
        let text = format!(
            "{MATH_HEADER}1,Q,A,/a/1.png,YES,1,ok\r\n2,Q,A,/a/2.png,YES,1,ok\r\n3,Q,A,/a/3.png,NO,0,x\r\n\
             2,Q,A,/a/2.png,NO,0,x\r\n1,Q,A,/a/1.png,YES,1,ok\r\n"
        );
        let csv = parse(&text);
        let runs: Vec<(u64, u64, u64)> = csv
            .runs
            .iter()
            .map(|r| (r.first_line, r.rows, r.correct))
            .collect();
        assert_eq!(runs, [(2, 3, 2), (5, 2, 1)]);
        let history = |id: &str| -> Vec<(u64, String)> {
            let row = csv.rows.iter().find(|r| r.id == id).unwrap();
            row.history.iter().map(|h| (h.line, h.label())).collect()
        };
        assert_eq!(history("2"), [(3, "YES".into()), (5, "NO".into())]);
        assert_eq!(history("1"), [(2, "YES".into()), (6, "YES".into())]);
        assert!(history("3").is_empty());
        let counts = count_results_csv(Path::new("e.csv"), text.as_bytes());
        assert_eq!((counts.rejudged, counts.verdict_changed), (2, 1));
        assert_eq!((counts.total, counts.correct), (3, 1));
    }

    #[test]
    fn duplicates_last_row_wins_with_one_diagnostic() {
        let text = format!(
            "{MATH_HEADER}1,Q,1 cup,/a/1.png,ERROR,0,Error: timeout\r\n2,Q,2 cups,/a/2.png,NO,0,x\r\n1,Q,1 cup,/a/1.png,YES,1,ok\r\n"
        );
        let csv = parse(&text);
        assert_eq!(csv.rows.len(), 2);
        assert_eq!(csv.rows[0].images[0].verdict, Verdict::Yes);
        assert_eq!(csv.rows[0].line, 4);
        assert_eq!(csv.diagnostics.len(), 1);
        assert_eq!(csv.diagnostics[0].line, Some(4));
        assert!(csv.diagnostics[0].message.contains("last row wins"));
    }

    #[test]
    fn mapping_rows_are_pairs_scored_by_final_score() {
        let header = "ID,Question_A,Answer_A,Image_A_Path,A_Result,A_Score,A_Analysis,Question_B,Answer_B,Image_B_Path,B_Result,B_Score,B_Analysis,Both_Correct,Final_Score\r\n";
        let text = format!(
            "{header}2,QA,spoon,/x/2_A.png,IMAGE_NOT_FOUND,0,Image file not found,QB,fork,/x/2_B.png,YES,1,ok,False,0\r\n3,QA,cup,,YES,1,ok,QB,mug,,YES,1,ok,True,1\r\n"
        );
        let csv = parse(&text);
        assert!(csv.diagnostics.is_empty(), "{:?}", csv.diagnostics);
        assert_eq!(csv.schema, Some(Schema::Mapping));
        let first = &csv.rows[0];
        assert_eq!(first.images.len(), 2);
        assert_eq!(first.images[0].verdict, Verdict::ImageMissing);
        assert_eq!(first.images[1].verdict, Verdict::Yes);
        assert!(!first.correct);
        assert!(csv.rows[1].correct);
        assert_eq!(csv.rows[1].images[1].image_file, "3_B.png");
    }

    #[test]
    fn knowledge_rows_keep_the_caption_column() {
        let text = "ID,Question,Answer,Image_Path,Caption,Result,Score,Analysis\r\n31,\"Q, with comma\",A,/x/31.png,Error,NO,0,\"Phase 1 - Caption:\nError\"\r\n";
        let csv = parse(text);
        assert_eq!(csv.schema, Some(Schema::Knowledge));
        assert_eq!(
            csv.rows[0].images[0].caption_column.as_deref(),
            Some("Error")
        );
        assert_eq!(csv.rows[0].id, "31");
    }

    #[test]
    fn missing_columns_and_unknown_headers_are_reported_on_line_one() {
        let csv = parse("ID,Question,Answer,Result\r\n1,Q,A,YES\r\n");
        assert!(csv.rows.is_empty());
        assert_eq!(csv.diagnostics[0].line, Some(1));
        assert!(
            csv.diagnostics[0].message.contains("Image_Path"),
            "{}",
            csv.diagnostics[0].message
        );
        let unknown = parse("foo,bar\r\n1,2\r\n");
        assert!(
            unknown.diagnostics[0]
                .message
                .contains("unknown CSV header")
        );
    }

    #[test]
    fn a_half_written_last_row_is_not_there_yet() {
        let complete = format!("{MATH_HEADER}1,Q,1 cup,/a/1.png,YES,1,ok\r\n");
        let partial =
            format!("{complete}2,Q,2 cups,/a/2.png,NO,0,\"Phase 1 - Image Captioning:\nCapt");
        let csv = parse(&partial);
        assert_eq!(csv.rows.len(), 1);
        assert_eq!(csv.diagnostics.len(), 1);
        assert_eq!(
            csv.diagnostics[0].severity,
            crate::diagnostics::Severity::Info
        );
        assert_eq!(csv.diagnostics[0].line, Some(3));
        let cut_between_fields = format!("{complete}2,Q,2 cu");
        assert_eq!(parse(&cut_between_fields).rows.len(), 1);
        assert!(parse(&complete).diagnostics.is_empty());
    }

    #[test]
    fn bad_rows_are_skipped_with_their_line() {
        let text = format!(
            "{MATH_HEADER}1,Q,A,/a/1.png,YES,1,ok\r\n2,Q,A\r\n3,Q,A,/a/3.png,MAYBE,0,x\r\n4,Q,A,/a/4.png,NO,0,x\r\n"
        );
        let csv = parse(&text);
        let ids: Vec<&str> = csv.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "4"]);
        let lines: Vec<Option<u64>> = csv.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert!(csv.diagnostics[1].message.contains("MAYBE"));
    }
}
