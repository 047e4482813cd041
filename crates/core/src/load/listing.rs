//! A folder's image listing when its images are held elsewhere: a copy of a remote folder lists
//! them in a manifest (one name per line) and writes them only when they are read, so loading,
//! discovery and STARS image matching list them from here as if they were on disk.

use std::path::Path;

use crate::load::confine::is_plain_name;
use crate::load::image_check::is_image_file;

/// The file in a folder that lists the folder's images not written yet.
pub const MANIFEST: &str = ".remote-images";

/// The images the manifest of `dir` lists (empty for any folder without one): plain image file
/// names only, whatever the file says.
pub fn listed_images(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    text.lines()
        .filter(|name| is_plain_name(name) && *name != ".." && is_image_file(name))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_list_plain_image_names_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            "1.png\n../secret.png\na/b.png\nnotes.txt\n2_A.png\n\n",
        )
        .unwrap();
        assert_eq!(listed_images(dir.path()), ["1.png", "2_A.png"]);
        assert!(listed_images(&dir.path().join("no-such-folder")).is_empty());
    }
}
