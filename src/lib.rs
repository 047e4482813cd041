//! UniSandbox Inspector: load UniSandbox evaluation runs from disk, analyse them, and show them.
//!
//! Layers, bottom up: `model` (data), `load` (disk → model + diagnostics), `analysis` (accuracy,
//! confidence intervals), `report` (CLI text), `demo` (synthetic runs in the upstream formats),
//! then the egui `app` and its `views`. Only the last two depend on egui.

pub mod analysis;
pub mod annotation_writer;
pub mod annotations;
pub mod app;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod diagnostics;
pub mod export;
pub mod filters;
pub mod item_index;
pub mod load;
pub mod model;
pub mod remote;
pub mod report;
pub mod review;
pub mod samples;
pub mod search;
pub mod taxonomy;
pub mod views;

/// What a caught panic said, for a message to the user.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
