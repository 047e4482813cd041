//! Where GenEval and WISE outputs are beneath an opened folder. A GenEval output path holds
//! `images/<idx:05>/metadata.jsonl` (+ `samples/`) and, once evaluated, a results JSONL beside
//! `images/`; a WISE output folder holds `<prompt_id>.png` and, once judged,
//! `Results/<stem>_scores_results.jsonl`. Only files found by listing are read; the prompt
//! folders' samples are not listed here.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// One GenEval output path.
#[derive(Clone, Debug, PartialEq)]
pub struct GenevalRun {
    pub dir: PathBuf,
    /// The output path relative to the opened folder.
    pub run: String,
    pub setting: String,
    /// The results JSONL files beside `images/` (none: generated, not evaluated).
    pub results: Vec<PathBuf>,
}

/// One WISE output folder.
#[derive(Clone, Debug, PartialEq)]
pub struct WiseRun {
    pub dir: PathBuf,
    pub run: String,
    pub setting: String,
    /// `Results/*_scores_results.jsonl` (none: generated, not judged).
    pub scores: Vec<PathBuf>,
}

/// How deep below an opened folder outputs are looked for.
const MAX_DEPTH: usize = 8;

/// The GenEval and WISE outputs beneath `root`.
pub fn discover(root: &Path) -> (Vec<GenevalRun>, Vec<WiseRun>) {
    let Ok(root) = root.canonicalize() else {
        return (Vec::new(), Vec::new());
    };
    let mut geneval = Vec::new();
    let mut wise = Vec::new();
    let mut walker = WalkDir::new(&root)
        .follow_links(true)
        .max_depth(MAX_DEPTH)
        .into_iter()
        // (Pruned before they are read; walkdir is not asked to sort, which would read every
        // folder whole as it opens it, pruned or not.)
        .filter_entry(|e| {
            e.depth() == 0
                || (!e.file_name().to_string_lossy().starts_with('.')
                    && !is_unisandbox_task_folder(e.path(), e.file_type().is_dir()))
        });
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_dir() {
            continue;
        }
        let dir = entry.path();
        if entry.path_is_symlink() && !crate::load::confine::link_stays_inside(dir, &root) {
            walker.skip_current_dir();
            continue;
        }
        let listing = list(dir);
        let names: Vec<&str> = listing.iter().map(|(name, _)| name.as_str()).collect();
        // GenEval: images/<idx:05>/metadata.jsonl; its prompt folders are not walked.
        if file_name(dir) == "images" && parent_of_prompt_folders(dir, &listing) {
            walker.skip_current_dir();
            let output = dir.parent().unwrap_or(dir);
            let results = list(output)
                .into_iter()
                .filter(|(name, is_dir)| !is_dir && name.ends_with(".jsonl"))
                .map(|(name, _)| output.join(name))
                .filter(|path| is_geneval_results(path))
                .collect();
            let think = prompt_folders_have_think_texts(dir, &listing);
            geneval.push(GenevalRun {
                dir: output.to_path_buf(),
                run: crate::load::discover::relative_label(&root, output),
                setting: setting_of(output, think),
                results,
            });
            continue;
        }
        // WISE: <id>.png (and with --think <id>.txt), judged into Results/.
        let pictures = names
            .iter()
            .filter(|n| n.strip_suffix(".png").is_some_and(is_number))
            .count();
        let scores: Vec<PathBuf> = names
            .contains(&"Results")
            .then(|| {
                list(&dir.join("Results"))
                    .into_iter()
                    .filter(|(name, is_dir)| !is_dir && name.ends_with("_scores_results.jsonl"))
                    .map(|(name, _)| dir.join("Results").join(name))
                    .collect()
            })
            .unwrap_or_default();
        // Numbered images alone are a WISE output only in a folder named `images` (its
        // `--output_dir`): UniSandbox task folders hold `<id>.png` too.
        if (pictures > 0 && file_name(dir) == "images") || !scores.is_empty() {
            let think = names
                .iter()
                .any(|n| n.strip_suffix(".txt").is_some_and(is_number));
            // `--output_dir …/images`: the run is named by the folder above it.
            let named = if file_name(dir) == "images" {
                dir.parent().unwrap_or(dir)
            } else {
                dir
            };
            wise.push(WiseRun {
                dir: dir.to_path_buf(),
                run: crate::load::discover::relative_label(&root, named),
                setting: setting_of(named, think),
                scores,
            });
            walker.skip_current_dir();
        }
    }
    geneval.sort_by(|a, b| a.run.cmp(&b.run));
    wise.sort_by(|a, b| a.run.cmp(&b.run));
    (geneval, wise)
}

/// A UniSandbox task folder (`<mode>/<stem>/` with its CSV): thousands of images and no
/// companion output, so neither listed nor walked.
fn is_unisandbox_task_folder(path: &Path, is_dir: bool) -> bool {
    is_dir
        && file_name(path) != "images"
        && path
            .parent()
            .is_some_and(|p| crate::taxonomy::is_mode_folder(&file_name(p)))
        && path.join(crate::load::spec::RESULTS_CSV).exists()
}

/// A folder's entries: (name, is a folder), hidden ones left out.
fn list(dir: &Path) -> Vec<(String, bool)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false) || e.path().is_dir();
            (e.file_name().to_string_lossy().into_owned(), is_dir)
        })
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `images/` of GenEval: numbered prompt folders with a metadata.jsonl.
fn parent_of_prompt_folders(dir: &Path, listing: &[(String, bool)]) -> bool {
    listing
        .iter()
        .filter(|(name, is_dir)| *is_dir && name.len() == 5 && is_number(name))
        .take(3)
        .any(|(name, _)| dir.join(name).join("metadata.jsonl").is_file())
}

/// Whether the samples carry think texts (the fork's `samples/<k:05>.txt`): the first prompt
/// folder tells.
fn prompt_folders_have_think_texts(dir: &Path, listing: &[(String, bool)]) -> bool {
    listing
        .iter()
        .find(|(name, is_dir)| *is_dir && is_number(name))
        .is_some_and(|(name, _)| {
            list(&dir.join(name).join("samples"))
                .iter()
                .any(|(file, _)| file.ends_with(".txt"))
        })
}

/// Whether a JSONL's first line is a GenEval results row.
fn is_geneval_results(path: &Path) -> bool {
    use std::io::BufRead as _;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    if std::io::BufReader::new(file).read_line(&mut first).is_err() {
        return false;
    }
    serde_json::from_str::<super::geneval::ResultRow>(first.trim()).is_ok()
}

/// `think` / `normal` when the folder is so named, else think when think texts were found.
fn setting_of(dir: &Path, think_texts: bool) -> String {
    match file_name(dir).as_str() {
        name if crate::taxonomy::is_mode_folder(name) => name.to_string(),
        _ if think_texts => "think".into(),
        _ => "default".into(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::companion::write_file as write;

    #[test]
    fn outputs_beside_unisandbox_runs_with_their_run_and_setting() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            &root.join("bagel-base/test/normal/math_1/evaluation_results.csv"),
            "ID\n",
        );
        let row = r#"{"filename":"\/x\/images\/00009\/samples\/00000.png","tag":"single_object","prompt":"a photo of a cup","correct":true,"reason":"","metadata":"{}","details":"{}"}"#;
        for run in ["normal", "think"] {
            let out = root.join("geneval/bagel").join(run);
            write(&out.join("images/00009/metadata.jsonl"), "{}");
            write(&out.join("images/00009/samples/00000.png"), "png");
            if run == "think" {
                write(&out.join("images/00009/samples/00000.txt"), "<think>");
            } else {
                write(&out.join("results.jsonl"), &format!("{row}\n"));
            }
        }
        // Another tool's JSONL beside images/ is not a results file.
        write(
            &root.join("geneval/bagel/normal/prompts.jsonl"),
            "{\"a\": 1}\n",
        );
        write(&root.join("wise/m1/images/102.png"), "png");
        write(&root.join("wise/m1/images/102.txt"), "<think>");
        write(
            &root.join("wise/m1/images/Results/natural_science_scores_results.jsonl"),
            "",
        );
        write(&root.join("wise/m2/images/5.png"), "png");
        let (geneval, wise) = discover(root);
        let found: Vec<(&str, &str, usize)> = geneval
            .iter()
            .map(|g| (g.run.as_str(), g.setting.as_str(), g.results.len()))
            .collect();
        assert_eq!(
            found,
            [
                ("geneval/bagel/normal", "normal", 1),
                ("geneval/bagel/think", "think", 0)
            ]
        );
        let found: Vec<(&str, &str, usize)> = wise
            .iter()
            .map(|w| (w.run.as_str(), w.setting.as_str(), w.scores.len()))
            .collect();
        assert_eq!(found, [("wise/m1", "think", 1), ("wise/m2", "default", 0)]);
    }
}
