//! `filter-stats`: one row per STARS filter output folder — what the filter accepted, what it
//! rejected and why, and how many candidate images were found.

use serde::Serialize;

use crate::analysis::rejection::{Rejection, classify_rejection};
use crate::model::{Dataset, ImageStatus, Verdict};

/// Counts of one filter output folder. Class counts: each rejected candidate counts once in
/// every class its reply gives (a reply may fail several criteria).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FilterStatsRow {
    /// The folder, relative to the opened PATH.
    pub folder: String,
    pub model_path: Option<String>,
    pub total: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Replies whose verdict is neither YES nor NO.
    pub unparsed: u64,
    /// Accepted / total (0–1); `null` without candidates.
    pub acceptance_rate: Option<f64>,
    pub images_found: u64,
    pub images_missing: u64,
    pub wrong_count: u64,
    pub wrong_object_type: u64,
    pub extra_objects: u64,
    pub quality: u64,
    pub incomplete_object: u64,
    pub no_parsable_verdict: u64,
    pub no_reason_given: u64,
    /// What `filter_stats.json` states where it differs from the candidates (empty: it agrees
    /// or is absent).
    pub stats_mismatch: Vec<String>,
}

impl FilterStatsRow {
    pub fn class_count(&self, class: Rejection) -> u64 {
        match class {
            Rejection::WrongCount => self.wrong_count,
            Rejection::WrongObjectType => self.wrong_object_type,
            Rejection::ExtraObjects => self.extra_objects,
            Rejection::Quality => self.quality,
            Rejection::IncompleteObject => self.incomplete_object,
            Rejection::NoVerdict => self.no_parsable_verdict,
            Rejection::NoReasonGiven => self.no_reason_given,
        }
    }

    fn count_class(&mut self, class: Rejection) {
        *match class {
            Rejection::WrongCount => &mut self.wrong_count,
            Rejection::WrongObjectType => &mut self.wrong_object_type,
            Rejection::ExtraObjects => &mut self.extra_objects,
            Rejection::Quality => &mut self.quality,
            Rejection::IncompleteObject => &mut self.incomplete_object,
            Rejection::NoVerdict => &mut self.no_parsable_verdict,
            Rejection::NoReasonGiven => &mut self.no_reason_given,
        } += 1;
    }
}

/// One row per filter output folder of the dataset, in folder order.
pub fn filter_stats(dataset: &Dataset) -> Vec<FilterStatsRow> {
    let mut rows: Vec<Option<FilterStatsRow>> = dataset
        .folders
        .iter()
        .map(|folder| {
            folder.filter.as_ref().map(|filter| FilterStatsRow {
                folder: folder.run.clone(),
                model_path: filter.stats.as_ref().and_then(|s| s.model_path.clone()),
                ..FilterStatsRow::default()
            })
        })
        .collect();
    for item in &dataset.items {
        let Some(row) = rows.get_mut(item.folder).and_then(Option::as_mut) else {
            continue;
        };
        row.total += 1;
        match item.verdict {
            Verdict::Yes => row.accepted += 1,
            Verdict::Unparsed => {
                row.rejected += 1;
                row.unparsed += 1;
            }
            _ => row.rejected += 1,
        }
        let Some(part) = item.parts.first() else {
            continue;
        };
        if part.image_status == ImageStatus::Missing {
            row.images_missing += 1;
        } else {
            row.images_found += 1;
        }
        let reply = part.analysis.as_ref().map_or("", |a| a.phase2.as_str());
        for class in classify_rejection(item.verdict, reply) {
            row.count_class(class);
        }
    }
    dataset
        .folders
        .iter()
        .zip(rows)
        .filter_map(|(folder, row)| {
            let mut row = row?;
            row.acceptance_rate = (row.total > 0).then(|| row.accepted as f64 / row.total as f64);
            if let Some(stats) = folder.filter.as_ref().and_then(|f| f.stats.as_ref()) {
                row.stats_mismatch = mismatches(stats, &row);
            }
            Some(row)
        })
        .collect()
}

fn mismatches(stats: &crate::model::FilterStats, row: &FilterStatsRow) -> Vec<String> {
    let mut found = Vec::new();
    for (field, stated, counted) in [
        ("total_samples", stats.total_samples, row.total),
        ("accepted_samples", stats.accepted_samples, row.accepted),
        ("rejected_samples", stats.rejected_samples, row.rejected),
    ] {
        if let Some(stated) = stated
            && stated != counted
        {
            found.push(format!("{field} {stated} (counted {counted})"));
        }
    }
    if let (Some(rate), Some(counted)) = (stats.acceptance_rate, row.acceptance_rate)
        && (rate - counted * 100.0).abs() > 1e-9 * rate.abs().max(1.0)
    {
        found.push(format!(
            "acceptance_rate {rate}% (counted {}%)",
            counted * 100.0
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_generated_filter_output() {
        let dir = tempfile::tempdir().unwrap();
        let demo = unisandbox_demo::stars::write_filter_output(dir.path(), 3, 80).unwrap();
        let data = crate::load::load_dataset(&[dir.path().to_path_buf()]);
        let rows = filter_stats(&data);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.folder, "filter_math3");
        assert_eq!(row.model_path.as_deref(), Some("hf/BAGEL-7B-MoT/"));
        assert_eq!((row.total, row.accepted), (80, demo.accepted as u64));
        assert_eq!(row.rejected, 80 - row.accepted);
        assert_eq!(row.unparsed, demo.unparsed as u64);
        assert_eq!(row.no_parsable_verdict, row.unparsed);
        assert_eq!((row.images_found, row.images_missing), (79, 1));
        assert_eq!(row.acceptance_rate, Some(demo.accepted as f64 / 80.0));
        assert!(row.stats_mismatch.is_empty());
        // Every class the generator plants is seen; one reply fails two criteria.
        for class in Rejection::ALL {
            assert!(row.class_count(class) > 0, "{class:?}");
        }
        let classes: u64 = Rejection::ALL.iter().map(|c| row.class_count(*c)).sum();
        assert!(classes > row.rejected);
    }
}
