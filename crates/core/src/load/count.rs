//! Counting without loading: each evaluated folder's correct/total, as the eval logs report them,
//! from the results CSVs alone. `summary` runs on this: no images inspected, no texts decoded,
//! one CSV per core at a time.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::load::discover::Purpose;
use crate::load::discover::{FolderSpec, RESULTS_CSV};
use crate::load::discover_all_as;
use crate::load::results_csv::count_results_csv;
use crate::model::FolderCount;
use crate::taxonomy::TaskKind;

/// The counts of every evaluated folder beneath `paths` (the same folders and numbers that
/// `load_dataset` + `folder_accuracy` give), with the problems found on the way.
pub fn count_paths(paths: &[PathBuf]) -> (Vec<FolderCount>, Vec<Diagnostic>) {
    let (specs, mut diagnostics) = discover_all_as(paths, Purpose::Count);
    let counted: Vec<(Option<FolderCount>, Vec<Diagnostic>)> =
        specs.par_iter().map(count_folder).collect();
    let mut counts = Vec::new();
    for (count, problems) in counted {
        counts.extend(count);
        diagnostics.extend(problems);
    }
    (counts, diagnostics)
}

/// One folder: `None` when it has no results CSV (not evaluated).
fn count_folder(spec: &FolderSpec) -> (Option<FolderCount>, Vec<Diagnostic>) {
    let path = spec.path.join(RESULTS_CSV);
    let named = |correct, total, checks| FolderCount {
        run: spec.run.clone(),
        setting: spec.setting.to_string(),
        stem: spec.stem.clone(),
        kind: TaskKind::of_stem(&spec.stem),
        correct,
        total,
        checks,
    };
    thread_local! {
        // One read buffer per thread, reused: a fresh buffer per file costs page faults (the
        // kernel zeroing new pages) comparable to parsing the file.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let read = |buffer: &mut Vec<u8>| -> std::io::Result<()> {
        use std::io::Read as _;
        buffer.clear();
        std::fs::File::open(&path)?.read_to_end(buffer)?;
        Ok(())
    };
    if path.is_symlink() && !crate::load::confine::link_stays_inside(&path, &spec.root) {
        let message = "symlink leads outside the opened folder (or nowhere); not read";
        return (None, vec![Diagnostic::warning(&path, None, message)]);
    }
    BUFFER.with_borrow_mut(|buffer| match read(buffer) {
        Ok(()) => {
            let counts = count_results_csv(&path, buffer);
            let log = read_log(spec);
            let checks = crate::model::FolderChecks {
                judge_failures: counts.judge_failures,
                rejudged: counts.rejudged,
                verdict_changed: counts.verdict_changed,
                log_total: log.map(|log| log.total),
                log_correct: log.map(|log| log.correct),
            };
            (
                Some(named(counts.correct, counts.total, checks)),
                counts.diagnostics,
            )
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => (None, Vec::new()),
        // Present but unreadable (or a folder by that name): evaluated, nothing counted — as
        // the full load has it.
        Err(err) => (
            Some(named(
                0,
                0,
                read_log(spec).map_or_else(Default::default, |log| crate::model::FolderChecks {
                    log_total: Some(log.total),
                    log_correct: Some(log.correct),
                    ..Default::default()
                }),
            )),
            vec![Diagnostic::error(
                &path,
                None,
                format!("cannot read: {err}"),
            )],
        ),
    })
}

/// The folder's `evaluation_results.log`, when there is a readable one (as the full load reads it).
fn read_log(spec: &FolderSpec) -> Option<crate::model::LogSummary> {
    let path = spec.path.join(crate::load::spec::RESULTS_LOG);
    if path.is_symlink() && !crate::load::confine::link_stays_inside(&path, &spec.root) {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    crate::load::log::parse_log(&String::from_utf8_lossy(&bytes)).ok()
}
