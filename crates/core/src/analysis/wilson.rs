//! Wilson score interval for a binomial proportion.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval `(low, high)` for `correct` successes out of `total` at the given z.
/// With `total == 0` the interval is the whole `[0, 1]`: nothing is known.
pub fn wilson_interval(correct: u64, total: u64, z: f64) -> (f64, f64) {
    if total == 0 {
        return (0.0, 1.0);
    }
    let n = total as f64;
    let p = correct as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * ((p * (1.0 - p) / n) + z2 / (4.0 * n * n)).sqrt() / denominator;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn matches_published_values() {
        // 7/40 worked by hand: centre 0.2035, half-width 0.1160
        let (lo, hi) = wilson_interval(7, 40, Z95);
        assert!(close(lo, 0.08745) && close(hi, 0.3195), "{lo} {hi}");
        // 22/40: (0.39829, 0.69295), computed independently in Python
        let (lo, hi) = wilson_interval(22, 40, Z95);
        assert!(close(lo, 0.3983) && close(hi, 0.69295), "{lo} {hi}");
    }

    #[test]
    fn edges_stay_inside_zero_one() {
        let (lo, hi) = wilson_interval(0, 4, Z95);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.4899), "{hi}");
        let (lo, hi) = wilson_interval(4, 4, Z95);
        assert!(close(lo, 0.5101), "{lo}");
        assert_eq!(hi, 1.0);
        assert_eq!(wilson_interval(0, 0, Z95), (0.0, 1.0));
    }
}
