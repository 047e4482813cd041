//! `evaluation_results.csv` in its three schemas (math, mapping, knowledge), as Python's
//! csv.DictWriter writes them: CRLF, quoted multi-line Analysis, completion order, and rows
//! appended across re-runs (the last row for an ID wins).

use std::collections::HashMap;
use std::path::Path;

use csv::StringRecord;

use crate::diagnostics::Diagnostic;
use crate::model::Verdict;

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
    fn detect(headers: &StringRecord) -> Option<Schema> {
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
    pub verdict: Verdict,
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
}

#[derive(Clone, Debug, Default)]
pub struct ResultsCsv {
    pub schema: Option<Schema>,
    /// Deduplicated rows (last wins), in the order IDs first appeared.
    pub rows: Vec<ResultRow>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses CSV text. Never fails as a whole: problems become diagnostics with file and line, and
/// an unknown or incomplete header yields no rows.
pub fn parse_results_csv(path: &Path, text: &str) -> ResultsCsv {
    let mut out = ResultsCsv::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
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
    let Some(schema) = Schema::detect(&headers) else {
        let seen: Vec<&str> = headers.iter().collect();
        out.diagnostics.push(Diagnostic::error(
            path,
            Some(1),
            format!(
                "unknown CSV header (not a math, mapping or knowledge results file): {}",
                seen.join(",")
            ),
        ));
        return out;
    };
    let missing: Vec<&str> = schema
        .columns()
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
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
    let column: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();

    let mut index_of_id: HashMap<String, usize> = HashMap::new();
    let mut duplicates: Vec<(String, u64)> = Vec::new();
    let mut records: Vec<csv::Result<StringRecord>> = reader.records().collect();
    // DictWriter ends every row with CRLF: without one, the last row is still being written by a
    // running eval. It is not there yet, which is not an error.
    if !text.is_empty() && !text.ends_with('\n') && !records.is_empty() {
        let partial = records.pop();
        let line = match &partial {
            Some(Ok(record)) => record.position().map(|p| line_at(text, p.byte())),
            Some(Err(err)) => err.position().map(|p| line_at(text, p.byte())),
            None => None,
        };
        out.diagnostics.push(Diagnostic::info(
            path,
            line,
            "last row is still being written (no line end yet); not counted",
        ));
    }
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map(|p| line_at(text, p.byte()));
                out.diagnostics.push(Diagnostic::error(
                    path,
                    line,
                    format!("CSV line does not parse: {err}"),
                ));
                continue;
            }
        };
        let line = record
            .position()
            .map(|p| line_at(text, p.byte()))
            .unwrap_or(0);
        if record.len() != headers.len() {
            out.diagnostics.push(Diagnostic::error(
                path,
                Some(line),
                format!(
                    "row has {} fields, the header has {}; row skipped",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let field = |name: &str| record.get(column[name]).unwrap_or("").to_string();
        let row = match schema {
            Schema::Mapping => mapping_row(&field, line),
            Schema::Math | Schema::Knowledge => single_row(&field, line, schema),
        };
        let row = match row {
            Ok(row) => row,
            Err(message) => {
                out.diagnostics
                    .push(Diagnostic::error(path, Some(line), message));
                continue;
            }
        };
        match index_of_id.get(&row.id) {
            Some(&existing) => {
                duplicates.push((row.id.clone(), line));
                out.rows[existing] = row;
            }
            None => {
                index_of_id.insert(row.id.clone(), out.rows.len());
                out.rows.push(row);
            }
        }
    }
    if let Some((_, first_line)) = duplicates.first() {
        let mut ids: Vec<&str> = duplicates.iter().map(|(id, _)| id.as_str()).collect();
        ids.dedup();
        let shown: Vec<&str> = ids.iter().take(10).copied().collect();
        let more = if ids.len() > shown.len() {
            format!(" and {} more", ids.len() - shown.len())
        } else {
            String::new()
        };
        out.diagnostics.push(Diagnostic::warning(
            path,
            Some(*first_line),
            format!(
                "{} row(s) repeat an earlier ID (appended re-run); the last row wins: ID {}{more}",
                duplicates.len(),
                shown.join(", ")
            ),
        ));
    }
    out
}

/// 1-based line where the record at a byte offset starts. The csv reader reports the offset
/// just after a CR, so the line terminator's rest is skipped before counting LFs.
fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = (byte as usize).min(bytes.len());
    while end < bytes.len() && (bytes[end] == b'\r' || bytes[end] == b'\n') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

fn single_row(
    field: &dyn Fn(&str) -> String,
    line: u64,
    schema: Schema,
) -> Result<ResultRow, String> {
    let id = non_empty_id(field("ID"))?;
    let score = parse_flag(&field("Score"))
        .ok_or_else(|| format!("ID {id}: Score {:?} is not 0 or 1", field("Score")))?;
    let verdict = verdict_of(&field("Result"), score, &id)?;
    let image_file = file_name_or(&field("Image_Path"), &format!("{id}.png"));
    let caption_column = (schema == Schema::Knowledge).then(|| field("Caption"));
    let image = JudgedImage {
        question: field("Question"),
        answer: field("Answer"),
        image_file,
        verdict,
        caption_column,
        analysis: field("Analysis"),
    };
    Ok(ResultRow {
        id,
        line,
        images: vec![image],
        correct: score,
    })
}

fn mapping_row(field: &dyn Fn(&str) -> String, line: u64) -> Result<ResultRow, String> {
    let id = non_empty_id(field("ID"))?;
    let mut images = Vec::with_capacity(2);
    for side in ["A", "B"] {
        let score_text = field(&format!("{side}_Score"));
        let score = parse_flag(&score_text)
            .ok_or_else(|| format!("ID {id}: {side}_Score {score_text:?} is not 0 or 1"))?;
        images.push(JudgedImage {
            question: field(&format!("Question_{side}")),
            answer: field(&format!("Answer_{side}")),
            image_file: file_name_or(
                &field(&format!("Image_{side}_Path")),
                &format!("{id}_{side}.png"),
            ),
            verdict: verdict_of(&field(&format!("{side}_Result")), score, &id)?,
            caption_column: None,
            analysis: field(&format!("{side}_Analysis")),
        });
    }
    let final_text = field("Final_Score");
    let correct = parse_flag(&final_text)
        .ok_or_else(|| format!("ID {id}: Final_Score {final_text:?} is not 0 or 1"))?;
    Ok(ResultRow {
        id,
        line,
        images,
        correct,
    })
}

fn non_empty_id(id: String) -> Result<String, String> {
    let id = id.trim().to_string();
    if id.is_empty() {
        Err("row has an empty ID".into())
    } else {
        Ok(id)
    }
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
fn file_name_or(path: &str, fallback: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name.to_string()
    }
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
