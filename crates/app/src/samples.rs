//! Where the bundled `sample_runs/` are: the window opens them when no folder is given.

use std::path::PathBuf;

/// The bundled samples: next to the crate when run with cargo, else `sample_runs/` in the
/// working directory; none for an installed binary far from both (the window starts on its
/// Start page).
pub fn default_paths() -> Vec<PathBuf> {
    bundled_sample_runs()
        .or_else(|| Some(PathBuf::from("sample_runs")).filter(|p| p.is_dir()))
        .into_iter()
        .collect()
}

/// The `sample_runs/` folder of the checkout this binary was built from, if it is there.
pub fn bundled_sample_runs() -> Option<PathBuf> {
    let bundled = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_runs");
    bundled.canonicalize().ok().filter(|path| path.is_dir())
}
