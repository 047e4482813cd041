//! What re-runs and failed judge calls do to a folder's numbers, said in words.
//!
//! An eval re-run without `--overwrite` appends its rows to the CSV, and rewrites the log at its
//! end with that run's rows only; a killed run leaves the previous run's log. So the log is
//! evidence about one run, not the truth about the CSV: where they differ, these messages say
//! why, and the inspector counts the CSV's current rows (the last row of each ID).

use crate::model::{CsvRun, LogSummary};

/// Why the log's Total/Correct differ from the CSV's current rows; `None` when they agree.
pub fn log_disagreement(
    log: &LogSummary,
    runs: &[CsvRun],
    total: u64,
    correct: u64,
) -> Option<String> {
    if (total, correct) == (log.total, log.correct) {
        return None;
    }
    let counted = format!(
        "counted here: the last row of each ID, {correct}/{total} correct; the log's {}/{}",
        log.correct, log.total
    );
    let matches_log = |run: &CsvRun| (run.rows, run.correct) == (log.total, log.correct);
    if let Some((last, earlier)) = runs.split_last()
        && !earlier.is_empty()
    {
        if matches_log(last) {
            let earlier_rows: u64 = earlier.iter().map(|run| run.rows).sum();
            return Some(format!(
                "the log counts only the last run's {} rows (from line {}); the CSV also holds \
                 {earlier_rows} rows of {} earlier run{} — {counted}",
                last.rows,
                last.first_line,
                earlier.len(),
                if earlier.len() == 1 { "" } else { "s" },
            ));
        }
        if let Some(at) = earlier.iter().rposition(matches_log) {
            let later = &runs[at + 1..];
            let later_rows: u64 = later.iter().map(|run| run.rows).sum();
            return Some(format!(
                "the log counts {} rows of the last completed run (from line {}); the CSV holds \
                 {later_rows} more rows appended by a later run that did not finish (from line \
                 {}; killed, or still running) — {counted}",
                runs[at].rows, runs[at].first_line, later[0].first_line,
            ));
        }
    }
    Some(log_mismatch(log, total, correct))
}

/// The plain warning when the log's counts differ from the CSV's and the runs do not explain it.
pub fn log_mismatch(log: &LogSummary, total: u64, correct: u64) -> String {
    format!(
        "log says {}/{} correct, the CSV gives {correct}/{total} (after keeping the last row per ID)",
        log.correct, log.total
    )
}

/// The warning for a folder whose NO verdicts include failed judge calls.
pub fn judge_failure_note(folder: &str, failures: u64, no_verdicts: u64) -> String {
    format!(
        "{failures} of {no_verdicts} NO verdicts in {folder} are failed judge calls, not \
         judgments (re-judge them: export --failure \"judge call failed\" --format csv)"
    )
}

/// The start every judge-failure note has (for a reload that recomputes it).
pub const JUDGE_FAILURE_NOTE: &str = "NO verdicts in ";

#[cfg(test)]
mod tests {
    use super::*;

    fn log(total: u64, correct: u64) -> LogSummary {
        LogSummary {
            total,
            correct,
            accuracy_percent: 0.0,
        }
    }

    fn run(first_line: u64, rows: u64, correct: u64) -> CsvRun {
        CsvRun {
            first_line,
            rows,
            correct,
        }
    }

    #[test]
    fn an_agreeing_log_is_silent() {
        assert_eq!(log_disagreement(&log(10, 6), &[run(2, 10, 6)], 10, 6), None);
    }

    #[test]
    fn a_killed_rerun_leaves_the_earlier_runs_log() {
        let message =
            log_disagreement(&log(10, 5), &[run(2, 10, 5), run(40, 4, 2)], 10, 4).unwrap();
        assert_eq!(
            message,
            "the log counts 10 rows of the last completed run (from line 2); the CSV holds 4 more \
             rows appended by a later run that did not finish (from line 40; killed, or still \
             running) — counted here: the last row of each ID, 4/10 correct; the log's 5/10"
        );
    }

    #[test]
    fn a_partial_completed_rerun_is_all_the_log_counts() {
        let message =
            log_disagreement(&log(3, 3), &[run(2, 20, 8), run(60, 3, 3)], 20, 10).unwrap();
        assert!(
            message.starts_with(
                "the log counts only the last run's 3 rows (from line 60); the CSV also holds 20 \
                 rows of 1 earlier run — "
            ),
            "{message}"
        );
    }

    #[test]
    fn unexplained_differences_keep_the_plain_message() {
        let message = log_disagreement(&log(9, 9), &[run(2, 10, 6)], 10, 6).unwrap();
        assert!(message.starts_with("log says 9/9 correct"), "{message}");
    }
}
