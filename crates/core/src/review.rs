//! Human verdicts in and out as CSV, for teams that review in spreadsheets:
//! `run,setting,task,id,human[,reviewer][,note]`, `human` being `yes` or `no`, `run` the
//! checkpoint label as `summary` prints it, `id` the item id (a mapping pair's ID).

use std::collections::HashMap;
use std::path::Path;

use crate::annotations::Write;
use crate::annotations::{AnnotationStore, Annotations, Human, Review};
use crate::model::{Dataset, ItemKeyRef};

/// The columns `review export` writes and `review import` reads (the last two optional).
pub const COLUMNS: [&str; 7] = ["run", "setting", "task", "id", "human", "reviewer", "note"];

#[derive(Debug, serde::Deserialize)]
struct LabelRow {
    run: String,
    setting: String,
    task: String,
    id: String,
    human: String,
    #[serde(default)]
    reviewer: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// What an import did: how many verdicts it stored, and each row it skipped (file:line: why).
#[derive(Debug, Default, PartialEq)]
pub struct ImportOutcome {
    pub stored: usize,
    pub skipped: Vec<String>,
}

/// Reads a labels CSV and stores its verdicts for the items of `dataset` it names (all in one
/// transaction). A file that cannot be read or lacks a required column is an error; a row
/// naming no loaded item, or with a `human` other than yes/no, is skipped with its line.
pub fn import_labels(
    dataset: &Dataset,
    labels: &Path,
    store: &mut AnnotationStore,
    default_reviewer: &str,
) -> anyhow::Result<ImportOutcome> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(labels)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", labels.display()))?;
    let headers = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{}:1: cannot read the header: {e}", labels.display()))?
        .clone();
    let missing: Vec<&str> = COLUMNS[..5]
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "{}:1: the header lacks {} (expected {})",
        labels.display(),
        missing.join(", "),
        COLUMNS.join(",")
    );
    // The labels name runs by their full label, as the opened runs show them.
    let items: HashMap<ItemKeyRef, usize> = dataset
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let folder = dataset.folder_of(item);
            let key = ItemKeyRef {
                run: &folder.run,
                setting: folder.setting.as_str(),
                stem: &folder.stem,
                id: &item.id,
            };
            (key, index)
        })
        .collect();
    let mut outcome = ImportOutcome::default();
    let mut writes = Vec::new();
    let at = crate::annotations::now_millis();
    for record in reader.records() {
        let (line, row) = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                match record.deserialize::<LabelRow>(Some(&headers)) {
                    Ok(row) => (line, row),
                    Err(err) => {
                        outcome
                            .skipped
                            .push(format!("{}:{line}: {err}", labels.display()));
                        continue;
                    }
                }
            }
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                outcome
                    .skipped
                    .push(format!("{}:{line}: {err}", labels.display()));
                continue;
            }
        };
        let human = match Human::parse(&row.human) {
            Some(human @ (Human::Yes | Human::No)) => human,
            _ => {
                outcome.skipped.push(format!(
                    "{}:{line}: human is {:?}, not yes or no; skipped",
                    labels.display(),
                    row.human
                ));
                continue;
            }
        };
        let key = ItemKeyRef {
            run: &row.run,
            setting: &row.setting,
            stem: &row.task,
            id: &row.id,
        };
        let Some(&index) = items.get(&key) else {
            outcome.skipped.push(format!(
                "{}:{line}: no item {}/{}/{} id {} in the opened runs; skipped",
                labels.display(),
                row.run,
                row.setting,
                row.task,
                row.id
            ));
            continue;
        };
        let key = dataset.annotation_key_of(&dataset.items[index]);
        let reviewer = row
            .reviewer
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| default_reviewer.to_string());
        writes.push(Write::Review {
            key,
            review: Some(Review {
                human,
                corrected_answer: None,
                reviewer,
                reason: row.note.unwrap_or_default(),
                at,
            }),
        });
    }
    store.apply(&writes)?;
    outcome.stored = writes.len();
    Ok(outcome)
}

/// Writes the YES/NO human verdicts of the loaded items in the import format.
pub fn export_labels(
    dataset: &Dataset,
    annotations: &Annotations,
    out: impl std::io::Write,
) -> anyhow::Result<usize> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    let mut written = 0;
    for item in &dataset.items {
        let Some(review) = annotations
            .get(&dataset.annotation_key_of(item))
            .and_then(|a| a.review.as_ref())
            .filter(|r| r.human != Human::Unsure)
        else {
            continue;
        };
        let folder = dataset.folder_of(item);
        writer.write_record([
            folder.run.as_str(),
            folder.setting.as_str(),
            folder.stem.as_str(),
            item.id.as_str(),
            review.human.name(),
            review.reviewer.as_str(),
            review.reason.as_str(),
        ])?;
        written += 1;
    }
    writer.flush()?;
    Ok(written)
}

/// Which items a review session walks through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sample {
    /// Every judged item of the list.
    #[default]
    All,
    /// Up to `per_task` items of each task folder, half the judge's YES and half its NO where
    /// there are enough (stratified), drawn with `seed` so a team can review the same sample.
    PerTask { per_task: usize, seed: u64 },
}

/// The judged items among `candidates` that `sample` picks, in list order.
pub fn review_queue(dataset: &Dataset, candidates: &[usize], sample: Sample) -> Vec<usize> {
    use rand::SeedableRng as _;
    use rand::seq::SliceRandom as _;
    let judged: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| dataset.items[i].verdict.is_judged())
        .collect();
    let Sample::PerTask { per_task, seed } = sample else {
        return judged;
    };
    let mut by_folder: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        Default::default();
    for &index in &judged {
        let item = &dataset.items[index];
        let (yes, no) = by_folder.entry(item.folder).or_default();
        if item.verdict == crate::model::Verdict::Yes {
            yes.push(index);
        } else {
            no.push(index);
        }
    }
    let mut picked = Vec::new();
    for (folder, (mut yes, mut no)) in by_folder {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(
            seed ^ (folder as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        yes.shuffle(&mut rng);
        no.shuffle(&mut rng);
        let want_yes = per_task.div_ceil(2).min(yes.len());
        let want_no = (per_task - want_yes).min(no.len());
        // A stratum too small to fill its half leaves the rest to the other.
        let want_yes = (per_task - want_no).min(yes.len());
        picked.extend(&yes[..want_yes]);
        picked.extend(&no[..want_no]);
    }
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Verdict, fixtures};

    fn dataset() -> Dataset {
        let mut data = Dataset::default();
        for stem in ["math_1", "math_2"] {
            let items = (0..20)
                .map(|n| {
                    let verdict = match n % 5 {
                        0 => Verdict::Yes,
                        4 => Verdict::NotJudged,
                        _ => Verdict::No,
                    };
                    fixtures::item(&n.to_string(), fixtures::part("q", "a", verdict))
                })
                .collect();
            data.push_folder(fixtures::folder("ckpt", "think", stem), items);
        }
        data
    }

    #[test]
    fn a_seeded_sample_is_stratified_by_the_judges_verdict() {
        let data = dataset();
        let all: Vec<usize> = (0..data.items.len()).collect();
        assert_eq!(
            review_queue(&data, &all, Sample::All).len(),
            32,
            "judged only"
        );
        let sample = Sample::PerTask {
            per_task: 8,
            seed: 7,
        };
        let picked = review_queue(&data, &all, sample);
        assert_eq!(picked.len(), 16);
        for folder in 0..2 {
            let of: Vec<Verdict> = picked
                .iter()
                .map(|&i| &data.items[i])
                .filter(|i| i.folder == folder)
                .map(|i| i.verdict)
                .collect();
            // 4 judge YES exist per folder: all of them, and 4 NO.
            assert_eq!(of.iter().filter(|v| **v == Verdict::Yes).count(), 4);
            assert_eq!(of.iter().filter(|v| **v == Verdict::No).count(), 4);
        }
        assert_eq!(
            picked,
            review_queue(&data, &all, sample),
            "same seed, same sample"
        );
        let other = review_queue(
            &data,
            &all,
            Sample::PerTask {
                per_task: 8,
                seed: 8,
            },
        );
        assert_ne!(picked, other, "another seed draws other NO items");
        // More than there is: everything judged.
        let big = review_queue(
            &data,
            &all,
            Sample::PerTask {
                per_task: 100,
                seed: 1,
            },
        );
        assert_eq!(big.len(), 32);
    }
}
