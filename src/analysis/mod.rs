//! Pure analysis of a loaded dataset: accuracy and confidence intervals. No egui.

pub mod accuracy;
pub mod wilson;

pub use accuracy::{AccuracyRow, folder_accuracy, task_type_accuracy};
pub use wilson::{Z95, wilson_interval};
