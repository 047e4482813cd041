//! Confinement: the inspector reads only files inside the folders the user opened.
//!
//! Run files name images (`Image_Path`, `image_file`, IDs that become `<ID>.png`), and a shared
//! run can put anything there: `/home/you/.ssh/id_rsa`, `../../secret`, `C:\Users\…`. Such a
//! name is data, never a place to open: it is cut down to one file name, matched against the
//! folder's listing (only a listed file is `Present`), and only present files are ever read.
//! Symlinks are resolved and must land inside the opened folder.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::load::image_check::is_image_file;
use crate::load::spec::{RESULTS_CSV, RESULTS_LOG, TRACES_JSONL};
use crate::model::{ImageStatus, Part, TaskFolder};

/// What a name inside a run file becomes when it is not a usable file name: a name no folder
/// listing can hold (it contains `/`), so the image is simply missing.
pub const UNUSABLE_NAME: &str = "(unusable image name)/";

/// The file name a path written inside a run file refers to: its last component, whichever
/// separator the writing machine used. `None` when nothing usable is left (empty, `.`, `..`,
/// a NUL byte, a Windows drive or stream `:`, control characters).
pub fn file_name(raw: &str) -> Option<&str> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let usable = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(':')
        && !name.chars().any(char::is_control);
    usable.then_some(name)
}

/// `file_name`, or the name of no listable file when there is none (see `UNUSABLE_NAME`).
pub fn file_name_or_unusable(raw: &str) -> String {
    file_name(raw).unwrap_or(UNUSABLE_NAME).to_string()
}

/// True when `name` is one plain component that `dir.join(name)` keeps inside `dir`.
pub fn is_plain_name(name: &str) -> bool {
    file_name(name) == Some(name)
}

/// Whether the target of a symlink at `path` lies inside `root` (both resolved). A dangling or
/// looping link is "outside": it cannot be read safely either.
pub fn link_stays_inside(path: &Path, root: &Path) -> bool {
    match path.canonicalize() {
        Ok(target) => target.starts_with(root),
        Err(_) => false,
    }
}

/// The opened root a folder was found under, resolved; `dir` itself when it is not below any.
pub fn root_of<'a>(dir: &'a Path, roots: &'a [PathBuf]) -> &'a Path {
    roots
        .iter()
        .filter(|root| dir.starts_with(root))
        .max_by_key(|root| root.as_os_str().len())
        .map(PathBuf::as_path)
        .unwrap_or(dir)
}

/// True when this part's image may be read: loading found it listed (present or structurally
/// checked), and its path is a plain child of the item's own folder — or, for a STARS filter
/// candidate, of one of the image folders discovery found under the opened folder.
pub fn may_read_image(part: &Part, folder: &TaskFolder) -> bool {
    let listed = matches!(
        part.image_status,
        ImageStatus::Present | ImageStatus::Corrupt(_)
    );
    let parent = part.image_path.parent();
    let allowed_parent = parent == Some(folder.path.as_path())
        || is_geneval_samples_folder(parent, folder)
        || folder.filter.as_ref().is_some_and(|filter| {
            parent.is_some_and(|p| filter.image_folders.iter().any(|dir| dir == p))
        });
    let child_of_folder = allowed_parent
        && part
            .image_path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_plain_name);
    listed && child_of_folder
}

/// `<output>/images/<idx>/samples`, for a GenEval output's folder: where its samples are.
fn is_geneval_samples_folder(parent: Option<&Path>, folder: &TaskFolder) -> bool {
    let is_geneval = matches!(
        folder.companion.as_ref().map(|c| &c.source),
        Some(crate::model::CompanionSource::Geneval { .. })
    );
    let Some(samples) = parent.filter(|_| is_geneval) else {
        return false;
    };
    let prompt = samples.parent();
    samples.file_name() == Some(std::ffi::OsStr::new("samples"))
        && prompt
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && prompt.and_then(Path::parent) == Some(folder.path.join("images").as_path())
}

/// False (with a diagnostic) for a symlink that leads out of the opened folder: it is not read.
pub(crate) fn stays_inside(
    entry: &std::fs::DirEntry,
    root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
    if !is_link || link_stays_inside(&entry.path(), root) {
        return true;
    }
    diagnostics.push(Diagnostic::warning(
        &entry.path(),
        None,
        "symlink leads outside the opened folder (or nowhere); not read",
    ));
    false
}

/// True for a regular file (a link to one included). A folder or a pipe under a name the
/// loader would read is reported (reading a pipe would wait forever); other folders are skipped.
pub(crate) fn is_readable_file(
    entry: &std::fs::DirEntry,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    // The listing knows the type (no system call per image); only a link needs resolving.
    let Ok(listed) = entry.file_type() else {
        return false;
    };
    let is_dir = if listed.is_symlink() {
        match std::fs::metadata(entry.path()) {
            Ok(target) if target.is_file() => return true,
            Ok(target) => target.is_dir(),
            Err(_) => return false, // dangling: reported by `stays_inside`
        }
    } else if listed.is_file() {
        return true;
    } else {
        listed.is_dir()
    };
    let name = entry.file_name().to_string_lossy().into_owned();
    let read_by_name = [RESULTS_CSV, RESULTS_LOG, TRACES_JSONL].contains(&name.as_str())
        || is_image_file(&name)
        || name.ends_with(".txt");
    if read_by_name {
        let what = if is_dir {
            "is a folder, not a file; not read"
        } else {
            "is not a regular file (a pipe, socket or device); not read"
        };
        diagnostics.push(Diagnostic::error(&entry.path(), None, what));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_written_in_files_become_one_file_name() {
        assert_eq!(file_name("/abs/run/5.png"), Some("5.png"));
        assert_eq!(file_name("C:\\runs\\think\\7_A.png"), Some("7_A.png"));
        assert_eq!(file_name("../../../../secret"), Some("secret"));
        assert_eq!(file_name("/home/you/.ssh/id_rsa"), Some("id_rsa"));
        assert_eq!(file_name("5.png"), Some("5.png"));
        for unusable in [
            "",
            "  ",
            "..",
            "a/..",
            ".",
            "/",
            "x\0.png",
            "C:",
            "5.png:stream",
        ] {
            assert_eq!(file_name(unusable), None, "{unusable:?}");
        }
    }

    #[test]
    fn the_unusable_name_can_never_be_listed() {
        // A folder listing yields single components: a name with a separator is never one.
        assert!(!is_plain_name(UNUSABLE_NAME));
        assert!(is_plain_name("12.png"));
        assert!(!is_plain_name("../12.png"));
        assert!(!is_plain_name("/etc/passwd"));
    }

    #[test]
    fn links_are_followed_only_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("run");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::fs::write(root.join("a.png"), "a").unwrap();
        let root = root.canonicalize().unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("out.png"))
                .unwrap();
            std::os::unix::fs::symlink(root.join("a.png"), root.join("in.png")).unwrap();
            std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling.png")).unwrap();
            assert!(!link_stays_inside(&root.join("out.png"), &root));
            assert!(link_stays_inside(&root.join("in.png"), &root));
            assert!(!link_stays_inside(&root.join("dangling.png"), &root));
        }
    }

    #[test]
    fn only_listed_children_of_the_folder_may_be_read() {
        use crate::model::{Verdict, fixtures};
        let mut task = fixtures::folder("ckpt", "think", "math_1");
        task.path = PathBuf::from("/runs/ckpt/think/math_1");
        let folder = task.path.clone();
        let mut part = fixtures::part("q", "a", Verdict::Yes);
        part.image_path = folder.join("1.png");
        assert!(may_read_image(&part, &task));
        part.image_status = ImageStatus::Missing;
        assert!(!may_read_image(&part, &task));
        part.image_status = ImageStatus::Present;
        part.image_path = PathBuf::from("/home/you/.ssh/id_rsa");
        assert!(!may_read_image(&part, &task));
        part.image_path = folder.join("../../secret.png");
        assert!(!may_read_image(&part, &task));
        // A filter candidate may be read from the image folders found under the opened folder.
        let pool = PathBuf::from("/runs/candidates/math3");
        task.filter = Some(crate::model::FilterRun {
            image_folders: std::sync::Arc::new(vec![pool.clone()]),
            ..Default::default()
        });
        part.image_path = pool.join("0.png");
        assert!(may_read_image(&part, &task));
        part.image_path = pool.join("../../../etc/0.png");
        assert!(!may_read_image(&part, &task));
        part.image_path = PathBuf::from("/elsewhere/math3/0.png");
        assert!(!may_read_image(&part, &task));
    }
}
