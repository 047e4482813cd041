//! A shared run can never make the inspector read a file outside the folders the user opened:
//! one test per place a run file names an image (CSV `Image_Path`, the `<ID>.png` fallback,
//! `output.jsonl` `image_file` and `prompt_id`, benchmark IDs) and for symlinks, each proven on
//! the HTML report, which embeds every image it reads.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use unisandbox_core::annotations::Annotations;
use unisandbox_core::export::html_report;
use unisandbox_core::load::load_dataset_with_benchmark;
use unisandbox_core::model::{Dataset, ImageStatus};

const SECRET: &[u8] = b"\x89PNG-not-really TOP-SECRET ssh key material";
const HEADER: &str = "ID,Question,Answer,Image_Path,Result,Score,Analysis\r\n";

/// `home/` holds the secret (a sibling of the run); `run/` is what the user opens.
struct Setup {
    _dir: tempfile::TempDir,
    home: PathBuf,
    run: PathBuf,
    folder: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_rsa"), SECRET).unwrap();
    std::fs::write(home.join("secret.png"), SECRET).unwrap();
    let run = dir.path().join("run");
    let folder = run.join("ckpt/think/math_1");
    std::fs::create_dir_all(&folder).unwrap();
    // One honest image so the folder is a task folder with something to show.
    image::RgbImage::from_pixel(4, 4, image::Rgb([9, 9, 9]))
        .save(folder.join("1.png"))
        .unwrap();
    Setup {
        home: home.canonicalize().unwrap(),
        run: run.canonicalize().unwrap(),
        folder: folder.canonicalize().unwrap(),
        _dir: dir,
    }
}

fn csv_row(id: &str, image_path: &str) -> String {
    format!(
        "{id},Make {id} cups,{id} cups,{image_path},YES,1,\"Phase 1 - Image Captioning:\nCaption: cups\"\r\n"
    )
}

fn open(run: &Path, benchmark: Option<&Path>) -> Dataset {
    load_dataset_with_benchmark(&[run.to_path_buf()], benchmark)
}

/// Every image path stays a child of its folder, only listed files are present, and the report
/// (which reads every present image) holds no byte of the secret.
fn assert_confined(data: &Dataset, setup: &Setup) {
    for item in &data.items {
        let folder = &data.folder_of(item).path;
        for part in &item.parts {
            assert_eq!(
                part.image_path.parent(),
                Some(folder.as_path()),
                "item {} points at {}",
                item.id,
                part.image_path.display()
            );
            if part.image_status == ImageStatus::Present {
                assert!(
                    part.image_path
                        .canonicalize()
                        .unwrap()
                        .starts_with(&setup.run)
                );
            }
        }
    }
    let all: Vec<usize> = (0..data.items.len()).collect();
    let html = html_report(data, &all, &[], &Annotations::new(), "report");
    let encoded = base64::engine::general_purpose::STANDARD.encode(SECRET);
    assert!(!html.contains(&encoded), "the secret was embedded");
    assert!(!html.contains("TOP-SECRET"));
    assert!(
        html.contains("base64,"),
        "the honest image is still embedded"
    );
}

fn messages(data: &Dataset) -> Vec<String> {
    data.diagnostics.iter().map(|d| d.to_string()).collect()
}

#[test]
fn csv_image_paths_are_names_matched_in_the_folder() {
    let setup = setup();
    let secret = setup.home.join("secret.png");
    let rows = [
        csv_row("1", "/eval/machine/1.png"),
        csv_row("2", &secret.display().to_string()),
        csv_row("3", "../../../../home/secret.png"),
        csv_row("4", "C:\\Users\\you\\secret.png"),
        csv_row("5", ".."),
        csv_row("6", "bad\u{0}name.png"),
        csv_row("7", &setup.home.join(".ssh/id_rsa").display().to_string()),
    ];
    std::fs::write(
        setup.folder.join("evaluation_results.csv"),
        format!("{HEADER}{}", rows.concat()),
    )
    .unwrap();
    let data = open(&setup.run, None);
    assert_eq!(data.items.len(), 7, "{:?}", messages(&data));
    let status = |id: &str| {
        data.items.iter().find(|i| i.id == id).unwrap().parts[0]
            .image_status
            .clone()
    };
    assert_eq!(status("1"), ImageStatus::Present);
    for id in ["2", "3", "4", "5", "6", "7"] {
        assert_eq!(status(id), ImageStatus::Missing, "ID {id}");
    }
    let unusable: Vec<String> = messages(&data)
        .into_iter()
        .filter(|m| m.contains("not a usable file name"))
        .collect();
    assert_eq!(unusable.len(), 2, "IDs 5 and 6: {unusable:?}");
    assert!(
        unusable[0].contains("evaluation_results.csv:"),
        "file and line: {unusable:?}"
    );
    assert_confined(&data, &setup);
}

#[test]
fn an_empty_image_path_falls_back_to_the_id_as_a_name_only() {
    let setup = setup();
    let rows = [
        csv_row("1", ""),
        csv_row("../../../home/secret", ""),
        csv_row("/home/secret", ""),
    ];
    std::fs::write(
        setup.folder.join("evaluation_results.csv"),
        format!("{HEADER}{}", rows.concat()),
    )
    .unwrap();
    let data = open(&setup.run, None);
    let present: Vec<&str> = data
        .items
        .iter()
        .filter(|i| i.parts[0].image_status == ImageStatus::Present)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(present, ["1"]);
    assert_confined(&data, &setup);
}

#[test]
fn trace_records_name_images_never_paths() {
    let setup = setup();
    let secret = setup.home.join("secret.png").display().to_string();
    let lines = [
        r#"{"prompt_id": "1", "image_file": "1.png", "think_output": "<think>ok</think>"}"#
            .to_string(),
        format!(r#"{{"prompt_id": "2", "image_file": "{secret}", "think_output": "x"}}"#),
        r#"{"prompt_id": "3", "image_file": "../../../../home/secret.png", "think_output": "x"}"#
            .to_string(),
        r#"{"prompt_id": "../../../../home/secret", "think_output": "x"}"#.to_string(),
        r#"{"prompt_id": "5", "image_file": "..", "think_output": "x"}"#.to_string(),
        r#"{"prompt_id": "6", "image_file": "C:\\Users\\you\\id_rsa", "think_output": "x"}"#
            .to_string(),
    ];
    std::fs::write(setup.folder.join("output.jsonl"), lines.join("\n") + "\n").unwrap();
    let data = open(&setup.run, None);
    let with_trace = data.items.iter().filter(|i| i.has_trace()).count();
    assert!(with_trace >= 2, "the traces still load as items");
    assert!(
        messages(&data)
            .iter()
            .any(|m| m.contains("output.jsonl:5") && m.contains("is not a file name")),
        "{:?}",
        messages(&data)
    );
    assert_confined(&data, &setup);
}

#[test]
fn benchmark_ids_become_names_in_the_folder() {
    let setup = setup();
    std::fs::write(
        setup.folder.join("evaluation_results.csv"),
        format!("{HEADER}{}", csv_row("1", "/x/1.png")),
    )
    .unwrap();
    let benchmark = setup.run.join("..").join("math_1.jsonl");
    std::fs::write(
        &benchmark,
        [
            r#"{"id": "1", "Question": "Make 1 cup", "Answer": "1 cup"}"#,
            r#"{"id": "../../../../home/secret", "Question": "q", "Answer": "a"}"#,
            r#"{"id": "/home/secret", "Question": "q", "Answer": "a"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let data = open(&setup.run, Some(&benchmark));
    assert_eq!(data.items.len(), 3, "{:?}", messages(&data));
    assert_confined(&data, &setup);
}

#[cfg(unix)]
#[test]
fn symlinks_leading_out_of_the_opened_folder_are_reported_not_read() {
    use std::os::unix::fs::symlink;
    let setup = setup();
    std::fs::write(
        setup.folder.join("evaluation_results.csv"),
        format!("{HEADER}{}{}", csv_row("1", "1.png"), csv_row("2", "2.png")),
    )
    .unwrap();
    // An image and a whole checkpoint folder that are links out of the run.
    symlink(setup.home.join("secret.png"), setup.folder.join("2.png")).unwrap();
    let elsewhere = setup.home.join("ckpt-b/think/math_1");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(setup.home.join("secret.png"), elsewhere.join("1.png")).unwrap();
    symlink(setup.home.join("ckpt-b"), setup.run.join("ckpt-b")).unwrap();
    // A link that stays inside is fine.
    symlink(setup.folder.join("1.png"), setup.folder.join("3.png")).unwrap();

    let data = open(&setup.run, None);
    let runs: Vec<&str> = data.folders.iter().map(|f| f.run.as_str()).collect();
    assert_eq!(runs, ["ckpt"], "the linked checkpoint is not walked");
    let item = |id: &str| data.items.iter().find(|i| i.id == id).unwrap();
    assert_eq!(item("2").parts[0].image_status, ImageStatus::Missing);
    assert_eq!(item("3").parts[0].image_status, ImageStatus::Present);
    let messages = messages(&data);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("2.png") && m.contains("symlink leads outside")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("ckpt-b") && m.contains("symlink leads outside")),
        "{messages:?}"
    );
    assert_confined(&data, &setup);
}

#[cfg(unix)]
#[test]
fn summary_does_not_count_a_results_csv_linked_from_outside() {
    let setup = setup();
    let outside = setup.home.join("evaluation_results.csv");
    std::fs::write(&outside, format!("{HEADER}{}", csv_row("1", "1.png"))).unwrap();
    std::os::unix::fs::symlink(&outside, setup.folder.join("evaluation_results.csv")).unwrap();
    let (counts, diagnostics) = unisandbox_core::load::count::count_paths(&[setup.run.clone()]);
    assert!(counts.is_empty(), "nothing counted from outside");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.to_string().contains("symlink leads outside")),
        "{diagnostics:?}"
    );
    // The window's load skips it the same way.
    let data = open(&setup.run, None);
    assert!(data.items.iter().all(|i| i.csv_line.is_none()));
}
