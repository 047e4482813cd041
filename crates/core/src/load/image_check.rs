//! Cheap structural checks of image files, so a truncated PNG is reported before anyone tries to
//! look at it. Loading itself only looks at folder listings (present or missing); this pass opens
//! every present PNG, on all cores — at the end of a CLI load, or in the background once the
//! window shows the data. Full decoding happens later, off the UI thread, when shown.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::model::{Dataset, ImageStatus, Item};

/// A broken image found by `check_images`: (item index, part index, reason).
pub type CorruptImage = (usize, usize, String);

/// Opens every image loading found present and returns the broken ones.
pub fn check_images(dataset: &Dataset) -> Vec<CorruptImage> {
    check_items(&dataset.items)
}

/// Marks the broken images and reports each, as "corrupt image: <reason>".
pub fn apply_image_checks(dataset: &mut Dataset, corrupt: Vec<CorruptImage>) {
    apply_to_items(
        &mut dataset.items,
        &mut dataset.diagnostics,
        corrupt,
        |item| std::sync::Arc::make_mut(item),
    );
}

/// Checks and marks the images of one freshly loaded folder (live reload).
pub fn check_folder(loaded: &mut crate::load::spec::LoadedFolder) {
    let corrupt = check_items(&loaded.items);
    apply_to_items(
        &mut loaded.items,
        &mut loaded.diagnostics,
        corrupt,
        |item| item,
    );
}

fn check_items<I: std::borrow::Borrow<Item> + Sync>(items: &[I]) -> Vec<CorruptImage> {
    use rayon::prelude::*;
    items
        .par_iter()
        .enumerate()
        .flat_map_iter(|(item_index, item)| {
            item.borrow()
                .parts
                .iter()
                .enumerate()
                .filter(|(_, part)| part.image_status == ImageStatus::Present)
                .filter_map(
                    move |(part_index, part)| match inspect_image(&part.image_path) {
                        ImageStatus::Present => None,
                        ImageStatus::Missing => Some((
                            item_index,
                            part_index,
                            "gone since the folder was listed".to_string(),
                        )),
                        ImageStatus::Corrupt(reason) => Some((item_index, part_index, reason)),
                    },
                )
        })
        .collect()
}

/// `mutable` gives write access to one item (copying a shared one first).
fn apply_to_items<I>(
    items: &mut [I],
    diagnostics: &mut Vec<Diagnostic>,
    corrupt: Vec<CorruptImage>,
    mutable: impl Fn(&mut I) -> &mut Item,
) {
    for (item_index, part_index, reason) in corrupt {
        let Some(part) = items
            .get_mut(item_index)
            .and_then(|item| mutable(item).parts.get_mut(part_index))
        else {
            continue;
        };
        diagnostics.push(Diagnostic::warning(
            &part.image_path,
            None,
            format!("corrupt image: {reason}"),
        ));
        part.image_status = ImageStatus::Corrupt(reason);
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// File extensions the inspector treats as generated images.
pub fn is_image_file(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        ["png", "jpg", "jpeg", "webp"]
            .iter()
            .any(|known| ext.eq_ignore_ascii_case(known))
    })
}

/// Present, missing, or corrupt. For PNGs checks the signature and that the file ends with the
/// IEND chunk (a truncated write loses it); other formats are only checked for existence.
pub fn inspect_image(path: &Path) -> ImageStatus {
    // A remote image not fetched yet is listed, not read: opening it would download every image.
    if crate::mirrors::is_pending(path) {
        return ImageStatus::Present;
    }
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return ImageStatus::Missing,
        Err(err) => return ImageStatus::Corrupt(format!("cannot open: {err}")),
    };
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        return ImageStatus::Present;
    }
    match png_structure(&mut file) {
        Ok(()) => ImageStatus::Present,
        Err(reason) => ImageStatus::Corrupt(reason),
    }
}

fn png_structure(file: &mut File) -> Result<(), String> {
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    if len == 0 {
        return Err("empty file (0 bytes)".into());
    }
    let mut signature = [0u8; 8];
    file.read_exact(&mut signature)
        .map_err(|_| format!("only {len} bytes, shorter than a PNG signature"))?;
    if signature != PNG_SIGNATURE {
        return Err("not a PNG (bad signature)".into());
    }
    if len < 8 + 12 {
        return Err(format!("truncated PNG ({len} bytes)"));
    }
    let mut tail = [0u8; 12];
    file.seek(SeekFrom::End(-12)).map_err(|e| e.to_string())?;
    file.read_exact(&mut tail).map_err(|e| e.to_string())?;
    if &tail[4..8] != b"IEND" {
        return Err(format!(
            "truncated PNG: {len} bytes and no IEND chunk at the end"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_png() -> Vec<u8> {
        let mut bytes = Vec::new();
        let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 10, 10]));
        img.write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
        bytes
    }

    #[test]
    fn present_missing_truncated_and_fake() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("1.png");
        std::fs::write(&good, tiny_png()).unwrap();
        assert_eq!(inspect_image(&good), ImageStatus::Present);

        assert_eq!(
            inspect_image(&dir.path().join("2.png")),
            ImageStatus::Missing
        );

        let truncated = dir.path().join("3.png");
        let bytes = tiny_png();
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        assert!(
            matches!(inspect_image(&truncated), ImageStatus::Corrupt(r) if r.contains("truncated"))
        );

        let fake = dir.path().join("4.png");
        std::fs::write(&fake, b"hello, not an image at all").unwrap();
        assert!(matches!(inspect_image(&fake), ImageStatus::Corrupt(r) if r.contains("signature")));

        let empty = dir.path().join("5.png");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(inspect_image(&empty), ImageStatus::Corrupt(r) if r.contains("empty")));
    }
}
