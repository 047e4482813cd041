//! Live reload by appended rows: reading only what a running eval appended to its CSV gives the
//! same dataset as a full reload, and what is derived from the kept items (failure taxonomy,
//! search) is reused and equals deriving afresh.

use std::collections::BTreeSet;
use std::path::PathBuf;

use unisandbox_core::load::load_dataset;
use unisandbox_core::load::refresh::{
    FolderReload, affected_folders, grown_csvs, reload_folders, spec_of, splice,
};
use unisandbox_core::model::Dataset;
use unisandbox_testkit::csv_rows;

fn sorted_diagnostics(data: &Dataset) -> Vec<String> {
    let mut all: Vec<String> = data.diagnostics.iter().map(|d| d.to_string()).collect();
    all.sort();
    all
}

/// Reloads the folders of files that only grew, as live reload does: how many folders were read
/// by their appended bytes alone.
fn reload_grown(data: &mut Dataset, changed: &BTreeSet<PathBuf>) -> usize {
    let affected = affected_folders(data, changed).unwrap();
    assert_eq!(affected.len(), 1, "one folder's files");
    let grown = grown_csvs(data, &affected, changed);
    assert_eq!(grown, affected, "files that only grew");
    let specs = affected
        .iter()
        .map(|&i| (i, spec_of(&data.folders[i])))
        .collect();
    let reloaded = reload_folders(data, specs, &grown, None);
    let appended = reloaded
        .iter()
        .filter(|(_, r)| matches!(r, FolderReload::Appended(_)))
        .count();
    splice(data, reloaded);
    appended
}

#[test]
fn reading_only_the_appended_rows_equals_a_full_reload_in_every_folder() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::write_demo(dir.path(), 7).unwrap();
    let roots = [dir.path().to_path_buf()];
    let specs = unisandbox_core::load::discover(dir.path()).0;
    let mut appended_reads = 0;
    for spec in &specs {
        let csv_path = spec.path.join(unisandbox_core::load::discover::RESULTS_CSV);
        if !csv_path.exists() {
            continue;
        }
        let (header, rows) = csv_rows(&csv_path);
        if rows.len() < 6 {
            continue;
        }
        // The eval has judged a third of the images and is writing the next row.
        let k = rows.len() / 3;
        let (half, rest) = rows[k].split_at(rows[k].len() / 2);
        std::fs::write(&csv_path, format!("{header}{}{half}", rows[..k].concat())).unwrap();
        let mut data = load_dataset(&roots);
        let mut insights = unisandbox_core::analysis::insights::insights(&data);
        let mut search = unisandbox_core::search::SearchIndex::build(&data);
        let steps = [
            format!("{rest}{}", rows[k + 1..k + 3].concat()),
            rows[k + 3..].concat(),
        ];
        for step in steps {
            unisandbox_testkit::append(&csv_path, &step);
            let changed: BTreeSet<PathBuf> = [csv_path.clone()].into();
            let before = data.clone();
            appended_reads += reload_grown(&mut data, &changed);
            let full = load_dataset(&roots);
            let name = spec.path.display();
            assert_eq!(data.folders, full.folders, "{name}");
            assert_eq!(data.items, full.items, "{name}");
            assert_eq!(
                sorted_diagnostics(&data),
                sorted_diagnostics(&full),
                "{name}"
            );
            // What is derived from the kept items is reused, and equals deriving afresh.
            insights = unisandbox_core::analysis::insights::insights_reusing(
                &data,
                Some((&before, insights.as_slice())),
            );
            assert_eq!(
                insights,
                unisandbox_core::analysis::insights::insights(&full),
                "{name}"
            );
            search = search.rebuilt(Some(&before), &data);
            let fresh = unisandbox_core::search::SearchIndex::build(&full);
            for needle in ["cups", "3", "caption", "zebra"] {
                let query = unisandbox_core::search::Query::plain(needle);
                assert_eq!(
                    search.matching(&data, &query),
                    fresh.matching(&full, &query)
                );
            }
        }
    }
    assert!(
        appended_reads >= 40,
        "most steps read only the appended rows ({appended_reads})"
    );
}

/// A multi-GPU think run still going: each GPU appends to its `tmp_results_<gpu>.jsonl` as it
/// saves images; a reload reads only the appended records, and equals a full load each time.
#[test]
fn traces_appended_to_an_unfinished_runs_tmp_files_are_read_by_their_new_bytes() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::write_demo(dir.path(), 7).unwrap();
    let roots = [dir.path().to_path_buf()];
    let folder = dir.path().join("bagel-stars/test/think/mapping1");
    // Both GPUs' files cut back by three records each (the records of saved images).
    let mut held: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for gpu in 0..2 {
        let tmp = folder.join(format!("tmp_results_{gpu}.jsonl"));
        let text = std::fs::read_to_string(&tmp).unwrap();
        let mut lines: Vec<String> = text.lines().map(|l| format!("{l}\n")).collect();
        // (The last record of a killed run may be for an image never saved: keep it out.)
        lines.pop();
        let later = lines.split_off(lines.len() - 3);
        std::fs::write(&tmp, lines.concat()).unwrap();
        held.push((tmp, later));
    }
    let mut data = load_dataset(&roots);
    let note = "traces from an unfinished multi-GPU run (tmp_results_0.jsonl, tmp_results_1.jsonl";
    assert!(data.diagnostics.iter().any(|d| d.message.starts_with(note)));
    let traced = |data: &Dataset| data.items.iter().filter(|i| i.has_trace()).count();
    let mut appended_reads = 0;
    for step in 0..3 {
        let before = traced(&data);
        let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
        for (tmp, later) in &held {
            unisandbox_testkit::append(tmp, &later[step]);
            changed.insert(tmp.clone());
        }
        appended_reads += reload_grown(&mut data, &changed);
        assert!(traced(&data) > before, "step {step}: new traces show");
        let full = load_dataset(&roots);
        assert_eq!(data.folders, full.folders, "step {step}");
        assert_eq!(data.items, full.items, "step {step}");
        assert_eq!(
            sorted_diagnostics(&data),
            sorted_diagnostics(&full),
            "step {step}"
        );
    }
    assert_eq!(
        appended_reads, 3,
        "every step read only the appended records"
    );
}
