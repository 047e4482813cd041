//! The system's file dialogs (rfd). They block until answered, so commands ask for them here and
//! get `None` both when the user cancels and when the system has no dialog service.

use std::path::PathBuf;

/// Folders to open, chosen by the user.
pub fn pick_folders() -> Option<Vec<PathBuf>> {
    rfd::FileDialog::new()
        .set_title("Open UniSandbox runs")
        .pick_folders()
        .filter(|paths| !paths.is_empty())
}

/// Where to save an export, proposed as `name` with files of `extension`.
pub fn save_file(name: &str, extension: &str) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_file_name(name)
        .add_filter(extension, &[extension])
        .save_file()
}
