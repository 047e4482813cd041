//! The bad-input corpus: broken and hostile task folders, generated here, each with the exact
//! diagnostics it must produce (file, line, message) and proof that the healthy folder beside it
//! still loads whole. Nothing may panic, hang or be read outside the folder.

use std::path::{Path, PathBuf};

use unisandbox_core::load::load_dataset;
use unisandbox_core::model::{Dataset, ImageStatus, Verdict};

const HEADER: &str = "ID,Question,Answer,Image_Path,Result,Score,Analysis\r\n";
const ROW_1: &str = "1,Make 1 + 1 cups.,2 cups,/eval/1.png,YES,1,\"Phase 1 - Image Captioning:\nCaption: 2 cups\n\nPhase 2 - Caption Evaluation:\n**Score: YES**\"\r\n";
const ROW_2: &str = "2,Make 3 - 1 forks.,2 forks,/eval/2.png,NO,0,\"Phase 1 - Image Captioning:\nCaption: 3 forks\n\nPhase 2 - Caption Evaluation:\n**Score: NO**\"\r\n";

fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(4, 4, image::Rgb([10, 200, 10]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// A healthy folder: two judged rows with their images.
fn healthy(folder: &Path) {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(
        folder.join("evaluation_results.csv"),
        format!("{HEADER}{ROW_1}{ROW_2}"),
    )
    .unwrap();
    std::fs::write(folder.join("1.png"), png()).unwrap();
    std::fs::write(folder.join("2.png"), png()).unwrap();
}

struct Case {
    _dir: tempfile::TempDir,
    root: PathBuf,
    folder: PathBuf,
}

/// `run/healthy/normal/math_1` healthy; `run/ckpt/normal/math_1` healthy, then broken by
/// `breaking`.
fn case(breaking: impl FnOnce(&Path)) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("run");
    healthy(&root.join("healthy/normal/math_1"));
    let folder = root.join("ckpt/normal/math_1");
    healthy(&folder);
    breaking(&folder);
    Case {
        root: root.canonicalize().unwrap(),
        folder: folder.canonicalize().unwrap_or(folder),
        _dir: dir,
    }
}

type Expected<'a> = &'a [(&'a str, Option<u64>, &'a str)];

/// Loads the case and checks: the healthy folder loads whole and clean, and the broken folder's
/// diagnostics are exactly `expected` (file relative to the folder, line, message), sorted.
fn check(case: &Case, expected: Expected) -> Dataset {
    let data = load_dataset(&[case.root.clone()]);
    let normal = data
        .folders
        .iter()
        .position(|f| f.run == "healthy")
        .expect("the healthy folder loads");
    let normal_items: Vec<_> = data.items.iter().filter(|i| i.folder == normal).collect();
    assert_eq!(normal_items.len(), 2, "the healthy folder's items");
    assert!(
        normal_items
            .iter()
            .all(|i| i.parts[0].image_status == ImageStatus::Present)
    );
    let normal_path = &data.folders[normal].path;
    let mut actual: Vec<(String, Option<u64>, String)> = data
        .diagnostics
        .iter()
        .filter(|d| !d.file.starts_with(normal_path))
        .map(|d| {
            let file = d
                .file
                .strip_prefix(&case.folder)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| d.file.display().to_string());
            (file, d.line, d.message.clone())
        })
        .collect();
    actual.sort();
    let mut expected: Vec<(String, Option<u64>, String)> = expected
        .iter()
        .map(|(f, l, m)| (f.to_string(), *l, m.to_string()))
        .collect();
    expected.sort();
    assert_eq!(actual, expected);
    data
}

fn csv(folder: &Path, body: &[u8]) {
    std::fs::write(folder.join("evaluation_results.csv"), body).unwrap();
}

/// The broken folder's items.
fn items(data: &Dataset) -> Vec<(String, Verdict)> {
    data.items
        .iter()
        .filter(|i| data.folder_of(i).run == "ckpt")
        .map(|i| (i.id.clone(), i.verdict))
        .collect()
}

const CSV: &str = "evaluation_results.csv";

#[test]
fn csv_truncated_mid_quote() {
    let text = format!("{HEADER}{ROW_1}2,Q,2 forks,/e/2.png,NO,0,\"Phase 1 - Ima");
    let case = case(|f| csv(f, text.as_bytes()));
    let data = check(
        &case,
        &[(
            CSV,
            Some(7),
            "last row is still being written (no line end yet); not counted",
        )],
    );
    // Image 2 has no row yet: it shows as not judged.
    assert_eq!(
        items(&data),
        [("1".into(), Verdict::Yes), ("2".into(), Verdict::NotJudged)]
    );
}

#[test]
fn csv_with_an_unknown_header() {
    let case = case(|f| csv(f, b"name,score\r\nx,1\r\n"));
    check(
        &case,
        &[(
            CSV,
            Some(1),
            "unknown CSV header (not a math, mapping or knowledge results file): name,score",
        )],
    );
}

#[test]
fn csv_missing_a_column() {
    let case = case(|f| {
        csv(
            f,
            b"ID,Question,Answer,Image_Path,Result,Analysis\r\n1,Q,A,/e/1.png,YES,x\r\n",
        )
    });
    check(
        &case,
        &[(
            CSV,
            Some(1),
            "Math results header lacks column(s) Score; rows skipped",
        )],
    );
}

#[test]
fn csv_with_an_extra_column_loads() {
    let case = case(|f| {
        let text = "ID,Question,Answer,Image_Path,Result,Score,Analysis,Extra\r\n1,Q,1 cup,/e/1.png,YES,1,ok,more\r\n2,Q,2 cups,/e/2.png,NO,0,ok,more\r\n";
        csv(f, text.as_bytes())
    });
    let data = check(&case, &[]);
    assert_eq!(
        items(&data),
        [("1".into(), Verdict::Yes), ("2".into(), Verdict::No)]
    );
}

#[test]
fn csv_rows_with_missing_and_extra_fields() {
    let text = format!("{HEADER}1,Q,1 cup\r\n2,Q,2 cups,/e/2.png,NO,0,x,surplus,fields\r\n");
    let case = case(|f| csv(f, text.as_bytes()));
    check(
        &case,
        &[
            (
                CSV,
                Some(2),
                "row has 3 fields, the header has 7; row skipped",
            ),
            (
                CSV,
                Some(3),
                "row has 9 fields, the header has 7; row skipped",
            ),
        ],
    );
}

#[test]
fn csv_with_a_byte_order_mark() {
    let text = format!("\u{feff}{HEADER}{ROW_1}{ROW_2}");
    let case = case(|f| csv(f, text.as_bytes()));
    let data = check(&case, &[]);
    assert_eq!(items(&data).len(), 2);
}

#[test]
fn csv_with_cr_only_and_mixed_line_ends() {
    let cr_only = format!("{HEADER}{ROW_1}{ROW_2}").replace("\r\n", "\r");
    let cr = case(|f| csv(f, cr_only.as_bytes()));
    let data = check(&cr, &[]);
    assert_eq!(
        items(&data),
        [("1".into(), Verdict::Yes), ("2".into(), Verdict::No)]
    );
    let mixed = format!("{HEADER}{}{ROW_2}", ROW_1.replace("\r\n", "\n"));
    let mixed = case(|f| csv(f, mixed.as_bytes()));
    check(&mixed, &[]);
}

#[test]
fn csv_that_is_not_utf8() {
    let mut bytes = format!("{HEADER}1,Make 1 cup ").into_bytes();
    bytes.extend(b"\xff\xfe,1 cup,/e/1.png,YES,1,ok\r\n");
    bytes.extend(ROW_2.as_bytes());
    let case = case(|f| csv(f, &bytes));
    let data = check(
        &case,
        &[(CSV, None, "not valid UTF-8; undecodable bytes shown as �")],
    );
    assert!(data.items.iter().any(|i| i.prompt().contains('�')));
}

#[test]
fn csv_with_nul_bytes() {
    let text = format!("{HEADER}1,Make\0 1 cup,1 cup,/e/1.png,YES,1,o\0k\r\n{ROW_2}");
    let case = case(|f| csv(f, text.as_bytes()));
    let data = check(&case, &[]);
    assert_eq!(items(&data).len(), 2);
}

#[test]
fn csv_with_a_50_mb_field() {
    let huge = "x".repeat(50 << 20);
    let text = format!("{HEADER}1,Q,1 cup,/e/1.png,YES,1,\"{huge}\"\r\n{ROW_2}");
    let case = case(|f| csv(f, text.as_bytes()));
    let data = check(&case, &[]);
    assert_eq!(items(&data).len(), 2);
}

#[test]
fn csv_with_duplicate_ids() {
    let rerun = ROW_1.replace("YES,1", "NO,0");
    let text = format!("{HEADER}{ROW_1}{ROW_2}{rerun}");
    let case = case(|f| csv(f, text.as_bytes()));
    let data = check(
        &case,
        &[
            (
                CSV,
                Some(12),
                "1 row(s) repeat an earlier ID (appended re-run); the last row wins: ID 1",
            ),
            (
                "evaluation_results.csv",
                None,
                "1 ID judged in more than one run (2 runs in this CSV, the last row of each ID \
             counts); the judge's verdict changed for 1: ID 1",
            ),
        ],
    );
    assert_eq!(items(&data)[0], ("1".into(), Verdict::No));
}

#[test]
fn csv_with_scores_outside_zero_and_one() {
    let text = format!("{HEADER}1,Q,1 cup,/e/1.png,YES,2,ok\r\n2,Q,2 cups,/e/2.png,NO,-1,ok\r\n");
    let case = case(|f| csv(f, text.as_bytes()));
    check(
        &case,
        &[
            (CSV, Some(2), "ID 1: Score \"2\" is not 0 or 1"),
            (CSV, Some(3), "ID 2: Score \"-1\" is not 0 or 1"),
        ],
    );
}

#[test]
fn csv_with_unknown_result_values() {
    let text = format!("{HEADER}1,Q,1 cup,/e/1.png,MAYBE,0,ok\r\n{ROW_2}");
    let case = case(|f| csv(f, text.as_bytes()));
    check(
        &case,
        &[(
            CSV,
            Some(2),
            "ID 1: Result \"MAYBE\" is not YES, NO, ERROR or IMAGE_NOT_FOUND",
        )],
    );
}

#[test]
fn empty_and_header_only_csvs() {
    let case_empty = case(|f| csv(f, b""));
    check(
        &case_empty,
        &[(
            CSV,
            Some(1),
            "empty file: no header row (the eval has not written anything yet)",
        )],
    );
    let case_header = case(|f| csv(f, HEADER.as_bytes()));
    let data = check(&case_header, &[]);
    assert!(items(&data).iter().all(|(_, v)| *v == Verdict::NotJudged));
}

#[test]
fn a_folder_named_like_the_results_csv() {
    let case = case(|f| {
        std::fs::remove_file(f.join(CSV)).unwrap();
        std::fs::create_dir(f.join(CSV)).unwrap();
    });
    check(&case, &[(CSV, None, "is a folder, not a file; not read")]);
}

#[cfg(unix)]
#[test]
fn a_pipe_named_like_the_results_csv_is_not_read() {
    // Reading a pipe would wait for a writer forever: the window would hang.
    let case = case(|f| {
        std::fs::remove_file(f.join(CSV)).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(f.join(CSV))
            .status()
            .unwrap();
        assert!(status.success());
    });
    check(
        &case,
        &[(
            CSV,
            None,
            "is not a regular file (a pipe, socket or device); not read",
        )],
    );
}

const JSONL: &str = "output.jsonl";

#[test]
fn garbage_and_wrongly_typed_jsonl() {
    let case = case(|f| {
        let lines = [
            r#"{"prompt_id": "1", "image_file": "1.png", "think_output": "<think>1 + 1 = 2</think>"}"#,
            "this is not json",
            r#"{"prompt_id": ["2"], "image_file": "2.png"}"#,
            r#"{"prompt_id": "2", "image_file": 7}"#,
            r#"[1, 2, 3]"#,
            "",
            r#"{"prompt_id": "2", "image_file": "2.png", "think_output": "<think>3 - 1</think>"}"#,
        ];
        std::fs::write(f.join(JSONL), lines.join("\n")).unwrap();
    });
    let data = check(
        &case,
        &[
            (
                JSONL,
                Some(2),
                "trace line is not valid JSON: expected ident at line 1 column 2",
            ),
            (
                JSONL,
                Some(3),
                "trace record has no string or integer \"prompt_id\"",
            ),
            (
                JSONL,
                Some(5),
                "trace line is JSON but not an object; skipped",
            ),
            // Line 4's image_file is no name, so it is 2.png's record as line 7 is.
            (
                JSONL,
                Some(7),
                "2 trace records for prompt 2 (output.jsonl:4 and output.jsonl:7), with \
                 different texts: which one produced 2.png cannot be told from the files; the \
                 later one is used, both are shown",
            ),
        ],
    );
    assert!(
        data.items
            .iter()
            .filter(|i| data.folder_of(i).run == "ckpt")
            .all(|i| i.has_trace())
    );
}

#[test]
fn a_100_mb_single_line_output_jsonl() {
    let case = case(|f| {
        let think = "a".repeat(100 << 20);
        let line = format!(
            r#"{{"prompt_id": "1", "image_file": "1.png", "think_output": "<think>{think}</think>"}}"#
        );
        std::fs::write(f.join(JSONL), line).unwrap();
    });
    let data = check(&case, &[]);
    assert!(data.items.iter().any(|i| i.has_trace()));
}

#[test]
fn broken_pngs() {
    let case = case(|f| {
        std::fs::write(f.join("1.png"), b"").unwrap();
        let whole = png();
        std::fs::write(f.join("2.png"), &whole[..whole.len() / 2]).unwrap();
    });
    check(
        &case,
        &[
            ("1.png", None, "corrupt image: empty file (0 bytes)"),
            (
                "2.png",
                None,
                "corrupt image: truncated PNG: 60 bytes and no IEND chunk at the end",
            ),
        ],
    );
}

#[test]
fn a_png_bomb_and_files_that_only_claim_to_be_pngs() {
    let case = case(|f| {
        // A header claiming 100,000 × 100,000 and nothing else.
        let mut bomb = png();
        bomb.truncate(33);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        std::fs::write(f.join("1.png"), bomb).unwrap();
        let jpeg = {
            let mut bytes = Vec::new();
            image::RgbImage::from_pixel(4, 4, image::Rgb([1, 2, 3]))
                .write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Jpeg,
                )
                .unwrap_or_default();
            if bytes.is_empty() {
                b"\xff\xd8\xff\xe0 JFIF".to_vec()
            } else {
                bytes
            }
        };
        std::fs::write(f.join("2.png"), jpeg).unwrap();
        std::fs::write(f.join("3.png"), "just text").unwrap();
    });
    check(
        &case,
        &[
            (
                "1.png",
                None,
                "corrupt image: truncated PNG: 33 bytes and no IEND chunk at the end",
            ),
            ("2.png", None, "corrupt image: not a PNG (bad signature)"),
            ("3.png", None, "corrupt image: not a PNG (bad signature)"),
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop() {
    let case = case(|f| {
        std::os::unix::fs::symlink(f, f.join("loop")).unwrap();
        std::os::unix::fs::symlink(f.join("a.png"), f.join("b.png")).unwrap();
        std::os::unix::fs::symlink(f.join("b.png"), f.join("a.png")).unwrap();
    });
    check(
        &case,
        &[
            (
                "a.png",
                None,
                "symlink leads outside the opened folder (or nowhere); not read",
            ),
            (
                "b.png",
                None,
                "symlink leads outside the opened folder (or nowhere); not read",
            ),
            (
                "loop",
                None,
                "symlink loop (it points to a folder above it); not followed",
            ),
        ],
    );
}

#[test]
fn logs_that_do_not_parse_or_disagree() {
    let garbage = case(|f| std::fs::write(f.join("evaluation_results.log"), "garbage\n").unwrap());
    check(
        &garbage,
        &[(
            "evaluation_results.log",
            None,
            "log not understood: no \"Evaluation finished!\" block",
        )],
    );
    let disagreeing = case(|f| {
        std::fs::write(
            f.join("evaluation_results.log"),
            "Evaluation finished!\nTotal: 2\nCorrect: 2\nAccuracy: 100.00%\n",
        )
        .unwrap()
    });
    check(
        &disagreeing,
        &[(
            "evaluation_results.log",
            None,
            "log says 2/2 correct, the CSV gives 1/2 (after keeping the last row per ID)",
        )],
    );
}

#[test]
fn a_folder_deleted_while_loading() {
    let case = case(|_| {});
    let spec = unisandbox_core::load::discover(&case.root)
        .0
        .into_iter()
        .find(|s| s.run == "ckpt")
        .unwrap();
    std::fs::remove_dir_all(&case.folder).unwrap();
    let loaded = unisandbox_core::load::load_folder(&spec);
    assert!(loaded.items.is_empty());
    let messages: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        ["cannot list folder: No such file or directory (os error 2)"]
    );
}

#[test]
fn hostile_names_inside_run_files() {
    let case = case(|f| {
        let text = format!(
            "{HEADER}1,Q,1 cup,../../../../etc/passwd,YES,1,ok\r\n2,Q,2 cups,\"C:\\\\x\\\\..\",NO,0,ok\r\n"
        );
        csv(f, text.as_bytes());
    });
    check(
        &case,
        &[
            (
                CSV,
                Some(3),
                "ID 2: the image path is not a usable file name; the image counts as missing",
            ),
            ("(unusable image name)", None, "image missing"),
            ("passwd", None, "image missing"),
        ],
    );
}
