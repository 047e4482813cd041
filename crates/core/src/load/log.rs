//! `evaluation_results.log`: the upstream eval scripts' closing block.

use crate::model::LogSummary;

/// Reads the last `Evaluation finished!` block of a log. Math and knowledge logs say `Total:` /
/// `Correct:`, mapping logs `Total IDs:` / `Correct IDs:`. Returns a message naming the first
/// missing field when the block is incomplete.
pub fn parse_log(text: &str) -> Result<LogSummary, String> {
    let block = match text.rfind("Evaluation finished!") {
        Some(start) => &text[start..],
        None => return Err("no \"Evaluation finished!\" block".into()),
    };
    let mut total = None;
    let mut correct = None;
    let mut accuracy = None;
    for line in block.lines().map(str::trim) {
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            match key.trim() {
                "Total" | "Total IDs" => total = value.parse::<u64>().ok(),
                "Correct" | "Correct IDs" => correct = value.parse::<u64>().ok(),
                "Accuracy" => accuracy = value.trim_end_matches('%').trim().parse::<f64>().ok(),
                _ => {}
            }
        }
    }
    Ok(LogSummary {
        total: total.ok_or("no readable \"Total:\" line")?,
        correct: correct.ok_or("no readable \"Correct:\" line")?,
        accuracy_percent: accuracy.ok_or("no readable \"Accuracy:\" line")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MATH: &str = "============================================================\nEvaluation finished!\nTotal: 40\nCorrect: 22\nAccuracy: 55.00%\nDuration: 0.54s\nCSV: /x/evaluation_results.csv\n============================================================\n";

    #[test]
    fn math_log_with_duration() {
        let log = parse_log(MATH).unwrap();
        assert_eq!((log.total, log.correct), (40, 22));
        assert_eq!(log.accuracy_percent, 55.0);
    }

    #[test]
    fn mapping_log_counts_ids() {
        let text =
            "Evaluation finished!\nTotal IDs: 20\nCorrect IDs: 5\nAccuracy: 25.00%\nCSV: /x\n";
        let log = parse_log(text).unwrap();
        assert_eq!(
            (log.total, log.correct, log.accuracy_percent),
            (20, 5, 25.0)
        );
    }

    #[test]
    fn last_block_wins_when_appended() {
        let text =
            format!("{MATH}\nEvaluation finished!\nTotal: 3\nCorrect: 1\nAccuracy: 33.33%\n");
        let log = parse_log(&text).unwrap();
        assert_eq!(
            (log.total, log.correct, log.accuracy_percent),
            (3, 1, 33.33)
        );
    }

    #[test]
    fn incomplete_block_says_what_is_missing() {
        assert!(
            parse_log("Evaluation finished!\nTotal: 3\n")
                .unwrap_err()
                .contains("Correct")
        );
        assert!(
            parse_log("Traceback: boom")
                .unwrap_err()
                .contains("Evaluation finished")
        );
    }
}
