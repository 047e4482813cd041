//! The companion benchmarks the UniSandBox repository's scripts also produce: GenEval
//! (`evaluate_images_mp.py` results, `summary_scores.py` numbers) and WISE (`gpt_eval.py`
//! scores, `Calculate.py`'s WiScore). Pure parsing and scoring; no file is opened here.

pub mod checks;
pub mod discover;
pub mod geneval;
pub mod load;
pub mod scores;
pub mod summary;
pub mod wise;

/// A JSONL's rows, each built by `parse`; a line it refuses is reported with its 1-based number.
fn parse_lines<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> (Vec<T>, Vec<(usize, String)>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse(line) {
            Ok(row) => rows.push(row),
            Err(why) => problems.push((index + 1, why)),
        }
    }
    (rows, problems)
}

/// Writes a file, creating its folders (for the tests' hand-made outputs).
#[cfg(test)]
fn write_file(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("creating folders");
    std::fs::write(path, text).expect("writing a test file");
}
