//! Pure analysis of a loaded dataset: accuracy, confidence intervals, benchmark audit. No egui.

pub mod accuracy;
pub mod agreement;
pub mod arithmetic;
pub mod audit;
pub mod failure;
pub mod filter_stats;
pub mod flips;
pub mod insights;
pub mod judge_checks;
pub mod rejection;
pub mod trajectory;
pub mod wilson;

pub use accuracy::{AccuracyRow, folder_accuracy, task_type_accuracy, task_type_accuracy_where};
pub use wilson::{Z95, wilson_interval};
