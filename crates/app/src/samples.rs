//! Where the bundled `sample_runs/` are: the window opens them when no folder is given.

use std::path::PathBuf;

/// The bundled samples: next to the crate when run with cargo, else next to the working directory.
pub fn default_paths() -> Vec<PathBuf> {
    vec![bundled_sample_runs().unwrap_or_else(|| PathBuf::from("sample_runs"))]
}

/// The `sample_runs/` folder of the checkout this binary was built from, if it is there.
pub fn bundled_sample_runs() -> Option<PathBuf> {
    let bundled = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_runs");
    bundled.canonicalize().ok().filter(|path| path.is_dir())
}
