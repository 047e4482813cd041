//! The user-facing text of numbers: one way to write a count, a time, a percentage, an interval
//! and a difference, used by the CLI, the window and every export, so the same number reads the
//! same everywhere.

/// An accuracy or a rate as a percentage, as the eval logs print it: `46.67%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// `percent`, or `—` when there is nothing to divide.
pub fn percent_or_dash(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| "—".to_string(), percent)
}

/// A 95% interval of a percentage: `39.8–69.3%`.
pub fn interval(low: f64, high: f64) -> String {
    format!("{:.1}–{:.1}%", low * 100.0, high * 100.0)
}

/// `interval`, or `—` when there is none.
pub fn interval_or_dash(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(low), Some(high)) => interval(low, high),
        _ => "—".to_string(),
    }
}

/// A p-value: `0.012`, or `<0.001`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// An accuracy with its counts and interval: `55.00% (22/40) [39.8–69.3%]`.
pub fn accuracy(fraction: f64, correct: u64, total: u64, low: f64, high: f64) -> String {
    format!(
        "{} ({correct}/{total}) [{}]",
        percent(fraction),
        interval(low, high)
    )
}

/// A difference of two accuracies in percentage points with its 95% interval:
/// `+6.7 pts [-2.1, +15.4]`.
pub fn points(difference: f64, low: f64, high: f64) -> String {
    format!(
        "{:+.1} pts [{:+.1}, {:+.1}]",
        difference * 100.0,
        low * 100.0,
        high * 100.0
    )
}

/// A share between 0 and 1 that is not a percentage (agreement, κ, precision, recall): `0.875`,
/// or `—` when undefined.
pub fn share_or_dash(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |x| format!("{x:.3}"))
}

/// "1 item", "3 items": a count with its noun, plural by adding "s".
pub fn count_of(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `2026-11-26 07:40 UTC` from Unix seconds (no time-zone database needed for a label).
pub fn format_utc(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let seconds = unix % 86_400;
    // Howard Hinnant's days → civil date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds / 3600,
        seconds % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_one_way() {
        assert_eq!(percent(7.0 / 15.0), "46.67%");
        assert_eq!(percent_or_dash(None), "—");
        assert_eq!(interval(0.398, 0.693), "39.8–69.3%");
        assert_eq!(
            accuracy(0.55, 22, 40, 0.398, 0.693),
            "55.00% (22/40) [39.8–69.3%]"
        );
        assert_eq!(points(0.0667, -0.021, 0.154), "+6.7 pts [-2.1, +15.4]");
        assert_eq!(share_or_dash(Some(0.875)), "0.875");
        assert_eq!(interval_or_dash(Some(0.1), None), "—");
        assert_eq!(
            (p_value(0.0004), p_value(0.01234)),
            ("<0.001".into(), "0.012".into())
        );
    }

    #[test]
    fn counts_name_their_noun() {
        assert_eq!(count_of(1, "task folder"), "1 task folder");
        assert_eq!(count_of(0, "item"), "0 items");
        assert_eq!(count_of(12, "new problem"), "12 new problems");
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        // 2026-11-26 07:40:00 UTC, checked with `date -u -d @1795678800`.
        assert_eq!(format_utc(1_795_678_800), "2026-11-26 07:40 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
    }
}
