//! Where candidate images are: the image folders that hold a filter's candidates (so they are
//! not runs of their own), and each written absolute path matched by its trailing components
//! against the image files listed under the opened folder.

use super::*;

/// The image-only folders that hold filter candidates: they belong to the filter runs and are not
/// task folders of their own. Read from the image paths in the first MiB of each filter file (a
/// filter's candidates sit in a few folders: one per task level).
pub fn candidate_pools(
    root: &Path,
    filter_dirs: &BTreeSet<PathBuf>,
    with_images: &BTreeSet<PathBuf>,
    with_results: &BTreeSet<PathBuf>,
    with_traces: &BTreeSet<PathBuf>,
    with_sidecars: &BTreeSet<PathBuf>,
) -> BTreeSet<PathBuf> {
    if filter_dirs.is_empty() {
        return BTreeSet::new();
    }
    let image_only: Vec<&PathBuf> = with_images
        .iter()
        .filter(|d| {
            !with_results.contains(*d)
                && !with_traces.contains(*d)
                && !with_sidecars.contains(*d)
                && !filter_dirs.contains(*d)
        })
        .collect();
    let mut named_dirs: HashSet<Vec<String>> = HashSet::new();
    for dir in filter_dirs {
        for file in [FILTER_RESULTS, FILTERED_JSONL, REJECTED_JSONL] {
            for image in sampled_image_paths(&dir.join(file)) {
                let components = components_of(&image);
                if components.len() > 1 {
                    named_dirs.insert(components[..components.len() - 1].to_vec());
                }
            }
        }
    }
    image_only
        .into_iter()
        .filter(|dir| {
            let rel = relative_components(root, dir);
            named_dirs
                .iter()
                .any(|named| !rel.is_empty() && trailing_match(named, &rel) >= 1)
        })
        .cloned()
        .collect()
}

/// The `"image"` values in the first MiB of a filter file (cheap: no full parse).
pub(super) fn sampled_image_paths(path: &Path) -> Vec<String> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut head = Vec::new();
    if file.take(1 << 20).read_to_end(&mut head).is_err() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(&head, b"\"image\":") {
        let rest = &head[at + 8..];
        let Some(start) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
            continue;
        };
        let mut stream = serde_json::Deserializer::from_slice(&rest[start..]).into_iter::<String>();
        if let Some(Ok(image)) = stream.next() {
            found.push(image);
        }
    }
    found
}

/// The components of a path written by any machine (`/` or `\`), empty ones dropped.
pub(super) fn components_of(raw: &str) -> Vec<String> {
    raw.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

pub(super) fn relative_components(root: &Path, dir: &Path) -> Vec<String> {
    dir.strip_prefix(root)
        .map(|rel| {
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// How many trailing components two folder paths share.
pub(super) fn trailing_match(a: &[String], b: &[String]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Image files under the opened folder, by file name, with the folder's path below the root.
pub(super) struct ImageIndex {
    folders: Vec<(PathBuf, Vec<String>)>,
    by_name: HashMap<String, Vec<usize>>,
}

impl ImageIndex {
    pub(super) fn build(root: &Path, image_folders: &[PathBuf]) -> ImageIndex {
        use rayon::prelude::*;
        let listings: Vec<Vec<String>> = image_folders
            .par_iter()
            .map(|dir| {
                // Links leaving the root are reported by the task folder that lists them.
                let mut ignored = Vec::new();
                std::fs::read_dir(dir)
                    .map(|entries| {
                        entries
                            .filter_map(|e| e.ok())
                            .filter(|e| {
                                crate::load::confine::stays_inside(e, root, &mut ignored)
                                    && crate::load::confine::is_readable_file(e, &mut ignored)
                            })
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .filter(|name| is_image_file(name))
                            .collect::<Vec<String>>()
                    })
                    .map(|mut names| {
                        // A remote run's images are listed, not written, until shown.
                        let listed = crate::load::listing::listed_images(dir);
                        if !listed.is_empty() {
                            names.extend(listed);
                            names.sort_unstable();
                            names.dedup();
                        }
                        names
                    })
                    .unwrap_or_default()
            })
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, names) in listings.into_iter().enumerate() {
            for name in names {
                by_name.entry(name).or_default().push(index);
            }
        }
        let folders = image_folders
            .iter()
            .map(|dir| (dir.clone(), relative_components(root, dir)))
            .collect();
        ImageIndex { folders, by_name }
    }

    /// The file a candidate's `image` names: the listed file whose folder shares the most
    /// trailing components with the written path (at least its parent's name, unless the path
    /// is a bare file name). `Err` carries every equally good match when there are several.
    pub(super) fn resolve(&self, written: &str) -> Resolved {
        let components = components_of(written);
        let Some(name) = components
            .last()
            .and_then(|n| crate::load::confine::file_name(n))
        else {
            return Resolved::Missing;
        };
        let dirs = &components[..components.len() - 1];
        let Some(holders) = self.by_name.get(name) else {
            return Resolved::Missing;
        };
        let scored: Vec<(usize, usize)> = holders
            .iter()
            .map(|&f| (trailing_match(dirs, &self.folders[f].1), f))
            .collect();
        let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
        if best == 0 && !dirs.is_empty() {
            return Resolved::Missing;
        }
        let winners: Vec<usize> = scored
            .iter()
            .filter(|(s, _)| *s == best)
            .map(|(_, f)| *f)
            .collect();
        let path = self.folders[winners[0]].0.join(name);
        if winners.len() > 1 {
            Resolved::Ambiguous(path, winners.len())
        } else {
            Resolved::Found(path)
        }
    }
}

pub(super) enum Resolved {
    Found(PathBuf),
    /// The first of this many equally good matches.
    Ambiguous(PathBuf, usize),
    Missing,
}
