//! Exports for papers and stakeholders: the filtered items (CSV, JSON), the accuracy table
//! (Markdown, LaTeX with 95% intervals) and a self-contained HTML report with images embedded.
//! Pure functions over the model; the CLI and the app's export buttons both call them.

use std::fmt::Write as _;

use serde::Serialize;
use std::io::Write as _;

use crate::analysis::AccuracyRow;
use crate::analysis::insights::ItemInsight;
use crate::annotations::Annotations;
use crate::model::{Dataset, Item, Verdict};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Markdown,
    Latex,
    Html,
}

/// One exported item (one row): what a researcher pastes into a sheet. `H` is the verdict
/// history: a list in JSON, one text in CSV (a CSV cell holds no list).
#[derive(Clone, Debug, Serialize)]
pub struct ItemRecord<H = Vec<String>> {
    pub run: String,
    pub setting: String,
    pub task: String,
    pub task_type: String,
    pub id: String,
    /// The judge's verdict.
    pub verdict: String,
    /// A reviewer's verdict (`yes`, `no`, `unsure`), empty when nobody reviewed the item.
    pub human: String,
    pub reviewer: String,
    /// The right answer a reviewer gave when the key was wrong.
    pub corrected_answer: String,
    pub question: String,
    pub answer: String,
    pub caption: String,
    pub failure: String,
    pub tags: String,
    pub note: String,
    pub starred: bool,
    pub image: String,
    /// `present`, `missing` or `corrupt` (per image, joined with ` | ` for a pair).
    pub image_status: String,
    pub detailed_prompt: String,
    /// The file and line the trace came from (`tmp_results_0.jsonl:3`); null without a trace.
    pub trace_source: Option<String>,
    /// Trace records found for the item's image(s): 2 for a duplicated record.
    pub trace_count: usize,
    /// The verdicts of the ID's CSV rows in file order, current last.
    pub verdict_history: H,
}

/// The item's record, its verdict history as `history` renders it (a list, or one text).
fn record<H>(
    dataset: &Dataset,
    item: &Item,
    insight: Option<&ItemInsight>,
    annotations: &Annotations,
    history: impl Fn(Vec<String>) -> H,
) -> ItemRecord<H> {
    let folder = dataset.folder_of(item);
    let annotation = annotations
        .get(&dataset.annotation_key_of(item))
        .cloned()
        .unwrap_or_default();
    let join = |f: &dyn Fn(&crate::model::Part) -> String| {
        item.parts.iter().map(f).collect::<Vec<_>>().join(" | ")
    };
    ItemRecord {
        run: folder.run.clone(),
        setting: folder.setting.to_string(),
        task: folder.stem.clone(),
        task_type: folder.kind.label(),
        id: item.id.clone(),
        verdict: folder.verdict_label(item.verdict).to_string(),
        human: annotation
            .review
            .as_ref()
            .map(|r| r.human.name().to_string())
            .unwrap_or_default(),
        reviewer: annotation
            .review
            .as_ref()
            .map(|r| r.reviewer.clone())
            .unwrap_or_default(),
        corrected_answer: annotation
            .review
            .as_ref()
            .and_then(|r| r.corrected_answer.clone())
            .unwrap_or_default(),
        question: join(&|p| p.question.to_string()),
        answer: join(&|p| p.answer.clone()),
        caption: join(&|p| p.caption.clone().unwrap_or_default()),
        failure: insight.map(|i| i.labels().join("; ")).unwrap_or_default(),
        tags: annotation
            .tags
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join("; "),
        note: annotation.note,
        starred: annotation.starred,
        image: join(&|p| p.image_path.display().to_string()),
        image_status: join(&|p| export_status(p, folder).name().to_string()),
        detailed_prompt: join(&|p| {
            p.trace
                .as_ref()
                .and_then(|t| t.detailed_prompt.clone())
                .unwrap_or_default()
        }),
        trace_source: item.has_trace().then(|| {
            join(&|p| {
                p.trace
                    .as_ref()
                    .map(|t| t.source.short())
                    .unwrap_or_default()
            })
        }),
        trace_count: item.trace_count(),
        verdict_history: history(item.verdict_history()),
    }
}

/// An image's status as every export reports it: a remote image not fetched yet is fetched and
/// checked now, exactly as a local one was checked when the run was loaded, so local, online and
/// offline exports of a run agree.
fn export_status(
    part: &crate::model::Part,
    folder: &crate::model::TaskFolder,
) -> crate::model::ImageStatus {
    use crate::model::ImageStatus;
    let pending = part.image_status == ImageStatus::Present
        && crate::load::confine::may_read_image(part, folder)
        && crate::mirrors::is_pending(&part.image_path);
    if !pending {
        return part.image_status.clone();
    }
    match crate::mirrors::materialize(&part.image_path) {
        Ok(()) => crate::load::image_check::inspect_image(&part.image_path),
        Err(_) => ImageStatus::Missing,
    }
}

pub fn items_csv(
    dataset: &Dataset,
    indices: &[usize],
    insights: &[ItemInsight],
    annotations: &Annotations,
) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // A CSV cell holds no list: the history as "NO; YES".
    let history = |verdicts: Vec<String>| verdicts.join("; ");
    for &i in indices {
        let item = &dataset.items[i];
        writer.serialize(record(dataset, item, insights.get(i), annotations, history))?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

pub fn items_json(
    dataset: &Dataset,
    indices: &[usize],
    insights: &[ItemInsight],
    annotations: &Annotations,
) -> anyhow::Result<String> {
    let records: Vec<ItemRecord> = indices
        .iter()
        .map(|&i| {
            record(
                dataset,
                &dataset.items[i],
                insights.get(i),
                annotations,
                |h| h,
            )
        })
        .collect();
    Ok(serde_json::to_string_pretty(&records)? + "\n")
}

/// One table row: the task type and a cell per series (absent where a series lacks the task).
type PivotRow<'a> = (String, Vec<Option<&'a AccuracyRow>>);

/// Task types down, (run, setting) across: "51.0% (20/40) [39.6–62.3%]".
fn pivot(rows: &[AccuracyRow]) -> (Vec<String>, Vec<PivotRow<'_>>) {
    let mut series: Vec<String> = Vec::new();
    for r in rows {
        let name = format!("{} {}", r.run, r.setting);
        if !series.contains(&name) {
            series.push(name);
        }
    }
    let mut kinds: Vec<crate::taxonomy::TaskKind> = rows.iter().map(|r| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    let body = kinds
        .into_iter()
        .map(|k| {
            let cells = series
                .iter()
                .map(|s| {
                    rows.iter()
                        .find(|r| r.kind == k && format!("{} {}", r.run, r.setting) == *s)
                })
                .collect();
            (k.label(), cells)
        })
        .collect();
    (series, body)
}

pub fn accuracy_markdown(rows: &[AccuracyRow]) -> String {
    let (series, body) = pivot(rows);
    let mut out = format!(
        "| Task | {} |\n|---|{}\n",
        series.join(" | "),
        "---|".repeat(series.len())
    );
    for (task, cells) in body {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Some(r) => r.display(),
                None => "—".into(),
            })
            .collect();
        let _ = writeln!(out, "| {task} | {} |", cells.join(" | "));
    }
    out
}

/// Text as LaTeX typesets it literally: each of `{ } $ ^ ~ # & % _ \` escaped, one character
/// at a time (a replace chain would escape the braces of its own `\textbackslash{}`).
pub fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out += "\\textbackslash{}",
            '^' => out += "\\textasciicircum{}",
            '~' => out += "\\textasciitilde{}",
            '{' | '}' | '$' | '#' | '&' | '%' | '_' => {
                out.push('\\');
                out.push(c);
            }
            // Line breaks inside a table cell would end the row.
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A booktabs table, paper-ready: accuracy in % with the 95% Wilson interval beneath.
pub fn accuracy_latex(rows: &[AccuracyRow]) -> String {
    let (series, body) = pivot(rows);
    let escape = latex_escape;
    let mut out = String::from(
        "% Requires \\usepackage{booktabs}\n\\begin{table}[t]\n\\centering\n\\small\n",
    );
    let _ = writeln!(
        out,
        "\\begin{{tabular}}{{l{}}}\n\\toprule",
        "c".repeat(series.len())
    );
    let header: Vec<String> = series.iter().map(|s| escape(s)).collect();
    let _ = writeln!(out, "Task & {} \\\\\n\\midrule", header.join(" & "));
    for (task, cells) in body {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Some(r) => format!(
                    "{:.1} {{\\scriptsize [{:.1}, {:.1}]}}",
                    r.accuracy * 100.0,
                    r.ci_low * 100.0,
                    r.ci_high * 100.0
                ),
                None => "--".into(),
            })
            .collect();
        let _ = writeln!(out, "{} & {} \\\\", escape(&task), cells.join(" & "));
    }
    out += "\\bottomrule\n\\end{tabular}\n\\caption{Accuracy (\\%) with 95\\% Wilson intervals.}\n\\end{table}\n";
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A single HTML file: every item with its image(s) embedded as data URIs, prompt, answer,
/// verdict, judge caption and trace. No scripts, no network.
pub fn write_html_report(
    out: &mut impl std::io::Write,
    dataset: &Dataset,
    indices: &[usize],
    insights: &[ItemInsight],
    annotations: &Annotations,
    title: &str,
) -> std::io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\
body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}\
.item{{border:1px solid #ccc;border-radius:8px;padding:1em;margin:1em 0}}\
.parts{{display:flex;gap:1.5em;flex-wrap:wrap}}.part{{flex:1;min-width:280px}}\
img{{max-width:360px;width:100%;border-radius:6px}}\
.YES{{background:#228b44}}.NO{{background:#c43434}}.other{{background:#888}}\
.badge{{color:#fff;padding:2px 8px;border-radius:6px;font-weight:bold}}\
.trace{{white-space:pre-wrap;background:#f6f6f6;padding:.6em;border-radius:6px}}\
.plan{{font-style:italic}}.meta{{color:#666}}</style></head><body>\n<h1>{}</h1>\n<p class=\"meta\">{} items · generated by UniSandbox Inspector</p>\n",
        html_escape(title),
        html_escape(title),
        indices.len()
    )?;
    for &index in indices {
        let item = &dataset.items[index];
        let folder = dataset.folder_of(item);
        let class = match item.verdict {
            Verdict::Yes => "YES",
            Verdict::No => "NO",
            _ => "other",
        };
        write!(
            out,
            "<div class=\"item\"><h2>{} #{} <span class=\"badge {class}\">{}</span></h2><p class=\"meta\">{} · {} · {}</p>",
            html_escape(&folder.stem),
            html_escape(&item.id),
            html_escape(folder.verdict_label(item.verdict)),
            html_escape(&folder.run),
            html_escape(folder.setting.as_str()),
            html_escape(&folder.kind.label())
        )?;
        if let Some(labels) = insights
            .get(index)
            .map(|i| i.labels())
            .filter(|l| !l.is_empty())
        {
            write!(
                out,
                "<p><b>Failure:</b> {}</p>",
                html_escape(&labels.join(" · "))
            )?;
        }
        if let Some(annotation) = annotations.get(&dataset.annotation_key_of(item)) {
            if !annotation.tags.is_empty() {
                let tags: Vec<&str> = annotation.tags.iter().map(String::as_str).collect();
                write!(out, "<p><b>Tags:</b> {}</p>", html_escape(&tags.join(", ")))?;
            }
            if !annotation.note.is_empty() {
                write!(out, "<p><b>Note:</b> {}</p>", html_escape(&annotation.note))?;
            }
        }
        out.write_all("<div class=\"parts\">".as_bytes())?;
        for part in &item.parts {
            out.write_all("<div class=\"part\">".as_bytes())?;
            if let Some(label) = part.label {
                write!(
                    out,
                    "<h3>{label} <span class=\"badge {}\">{}</span></h3>",
                    if part.verdict == Verdict::Yes {
                        "YES"
                    } else {
                        "NO"
                    },
                    html_escape(part.verdict.label())
                )?;
            }
            // Only an image loading found listed in the item's own folder is read: a path
            // written in a run file never reaches this read. A fetched remote image is checked
            // exactly as a local one, so every export of a run says the same of it.
            let readable = part.image_status == crate::model::ImageStatus::Present
                && crate::load::confine::may_read_image(part, folder);
            let bytes = if readable {
                crate::mirrors::materialize(&part.image_path)
                    .map_err(|_| crate::model::ImageStatus::Missing)
                    .and_then(|()| {
                        match crate::load::image_check::inspect_image(&part.image_path) {
                            crate::model::ImageStatus::Present => std::fs::read(&part.image_path)
                                .map_err(|_| crate::model::ImageStatus::Missing),
                            status => Err(status),
                        }
                    })
            } else {
                Err(part.image_status.clone())
            };
            match bytes {
                Ok(bytes) => {
                    let mime = if part
                        .image_path
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
                    {
                        "image/png"
                    } else {
                        "image/jpeg"
                    };
                    // Encoded straight into the output: one image in memory at a time.
                    write!(
                        out,
                        "<img alt=\"generated image\" src=\"data:{mime};base64,"
                    )?;
                    let mut encoder = base64::write::EncoderWriter::new(
                        &mut *out,
                        &base64::engine::general_purpose::STANDARD,
                    );
                    encoder.write_all(&bytes)?;
                    encoder.finish()?;
                    drop(encoder);
                    out.write_all(b"\">")?;
                }
                Err(crate::model::ImageStatus::Corrupt(reason)) => write!(
                    out,
                    "<p><b>Image corrupt ({}).</b></p>",
                    html_escape(&reason)
                )?,
                Err(_) => out.write_all(b"<p><b>Image missing.</b></p>")?,
            }
            write!(
                out,
                "<p><b>Prompt:</b> {}</p><p><b>Expected:</b> {}</p><p><b>Judge caption:</b> {}</p>",
                html_escape(&part.question),
                html_escape(&part.answer),
                html_escape(part.caption.as_deref().unwrap_or("(not judged)"))
            )?;
            if let Some(trace) = &part.trace {
                write!(
                    out,
                    "<details open><summary>Reasoning trace</summary><div class=\"trace\">{}</div>",
                    html_escape(&trace.reasoning)
                )?;
                if let Some(plan) = &trace.detailed_prompt {
                    write!(
                        out,
                        "<p class=\"plan\"><b>Detailed prompt:</b> {}</p>",
                        html_escape(plan)
                    )?;
                }
                out.write_all("</details>".as_bytes())?;
            }
            out.write_all("</div>".as_bytes())?;
        }
        out.write_all("</div></div>\n".as_bytes())?;
    }
    out.write_all("</body></html>\n".as_bytes())?;
    out.flush()
}

/// Writes the report to `path`, streamed: a report of thousands of images is never one string.
pub fn save_html_report(
    path: &std::path::Path,
    dataset: &Dataset,
    indices: &[usize],
    insights: &[ItemInsight],
    annotations: &Annotations,
) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    write_html_report(
        &mut file,
        dataset,
        indices,
        insights,
        annotations,
        "UniSandbox Inspector report",
    )
}

/// The report as one string (tests, small exports); `write_html_report` streams it to a file.
pub fn html_report(
    dataset: &Dataset,
    indices: &[usize],
    insights: &[ItemInsight],
    annotations: &Annotations,
    title: &str,
) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_html_report(&mut out, dataset, indices, insights, annotations, title);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::TaskKind;
    use std::path::PathBuf;

    fn dataset_with(question: &str) -> Dataset {
        let mut data = Dataset::default();
        let folder = crate::model::fixtures::folder("r\"un", "think", "math_1");
        let mut part = crate::model::fixtures::part(question, "2 <b>cups</b>", Verdict::No);
        part.image_path = PathBuf::from("/definitely/missing.png");
        part.image_status = crate::model::ImageStatus::Missing;
        part.caption = Some("it's \"3\" cups".into());
        data.push_folder(folder, vec![crate::model::fixtures::item("1", part)]);
        data
    }

    #[test]
    fn html_escapes_scripts_and_quotes() {
        let data = dataset_with("<script>alert('x')</script> & \"quoted\"");
        let html = html_report(&data, &[0], &[], &Annotations::new(), "Report <script>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains(
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"
            )
        );
        assert!(html.contains("2 &lt;b&gt;cups&lt;/b&gt;"));
        assert!(html.contains("it&#39;s &quot;3&quot; cups"));
        assert!(html.contains("Image missing"));
        assert!(!html.contains("http"), "no network references");
    }

    #[test]
    fn latex_escapes_every_special_character() {
        assert_eq!(
            latex_escape(r"a{b}$c^d~e#f&g%h_i\j"),
            r"a\{b\}\$c\textasciicircum{}d\textasciitilde{}e\#f\&g\%h\_i\textbackslash{}j"
        );
        assert_eq!(latex_escape("line\nbreak"), "line break");
    }

    #[test]
    fn html_embeds_images() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1.png");
        image::RgbImage::from_pixel(2, 2, image::Rgb([1, 2, 3]))
            .save(&path)
            .unwrap();
        let mut data = dataset_with("q");
        data.folders[0].path = dir.path().to_path_buf();
        let part = &mut std::sync::Arc::make_mut(&mut data.items[0]).parts[0];
        part.image_path = path;
        part.image_status = crate::model::ImageStatus::Present;
        let html = html_report(&data, &[0], &[], &Annotations::new(), "t");
        assert!(html.contains("src=\"data:image/png;base64,iVBOR"));
        // The same file named from outside the item's folder is not read.
        let part = &mut std::sync::Arc::make_mut(&mut data.items[0]).parts[0];
        part.image_path = dir.path().join("sub/../1.png");
        let html = html_report(&data, &[0], &[], &Annotations::new(), "t");
        assert!(!html.contains("base64,iVBOR"));
    }

    #[test]
    fn csv_and_json_rows() {
        let data = dataset_with("Make 1, then 2");
        let csv = items_csv(&data, &[0], &[], &Annotations::new()).unwrap();
        assert!(csv.starts_with("run,setting,task,task_type,id,verdict,human,reviewer,corrected_answer,question,answer,caption,failure,tags,note,starred,image,image_status,detailed_prompt,trace_source,trace_count,verdict_history\n"));
        assert!(csv.contains("\"Make 1, then 2\""));
        let json: serde_json::Value =
            serde_json::from_str(&items_json(&data, &[0], &[], &Annotations::new()).unwrap())
                .unwrap();
        assert_eq!(json[0]["verdict"], "NO");
    }

    #[test]
    fn accuracy_tables() {
        let rows = vec![AccuracyRow {
            run: "base".into(),
            setting: "think".into(),
            task: "Math L1".into(),
            family: crate::taxonomy::Family::Math,
            level: "L1".into(),
            total: 40,
            correct: 22,
            accuracy: 0.55,
            ci_low: 0.3983,
            ci_high: 0.6929,
            checks: Default::default(),
            kind: TaskKind::of_stem("math_1"),
        }];
        assert!(accuracy_markdown(&rows).contains("| Math L1 | 55.00% (22/40) [39.8–69.3%] |"));
        let latex = accuracy_latex(&rows);
        assert!(latex.contains("\\begin{tabular}{lc}"));
        assert!(latex.contains("Math L1 & 55.0 {\\scriptsize [39.8, 69.3]} \\\\"));
        assert!(latex.contains("95\\% Wilson"));
    }
}
