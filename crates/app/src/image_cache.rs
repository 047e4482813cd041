//! Decoded images as GPU textures: decoded on the tokio blocking pool, uploaded on the UI thread,
//! kept within a byte budget (least recently used out first). A failed decode is remembered as
//! `Failed` and not retried every frame.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{ColorImage, TextureHandle, TextureOptions};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::lru::LruBudget;
use crate::thumbnail_store::ThumbnailStore;

/// Default budget: 48 MiB of RGBA — about 190 grid thumbnails (several screens) or 12 full
/// 1024² images. What is on screen is never evicted; scrolling a 100k grid stays within it,
/// and going back is fast from the thumbnail store on disk.
pub const DEFAULT_BUDGET_BYTES: usize = 48 * 1024 * 1024;
/// Larger images are downscaled on decode; the screen never needs more.
const MAX_SIDE: u32 = 2048;
/// Grid thumbnails: as sharp as the default cell on a HiDPI screen, 1/64 of a 2048² image.
pub const THUMBNAIL_SIDE: u32 = 256;

/// A decoded image is cached per file and size (full images and thumbnails separately).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ImageKey {
    path: PathBuf,
    max_side: u32,
}

#[derive(Clone)]
pub enum ImageState {
    Pending,
    Ready {
        texture: TextureHandle,
        size: [usize; 2],
    },
    Failed(String),
}

type Decoded = (ImageKey, Result<ColorImage, String>);

pub struct ImageCache {
    runtime: tokio::runtime::Handle,
    states: HashMap<ImageKey, ImageState>,
    lru: LruBudget<ImageKey>,
    sender: UnboundedSender<Decoded>,
    receiver: UnboundedReceiver<Decoded>,
    frame: u64,
    /// Requested, not started: the frame each was last asked for. Only what the last frame
    /// asked for is started; the rest (scrolled away) is dropped.
    waiting: HashMap<ImageKey, u64>,
    /// Decodes running on the blocking pool.
    running: usize,
    /// Thumbnails on disk, when a store could be opened.
    store: Option<Arc<ThumbnailStore>>,
}

/// Decodes running at once: the blocking pool's threads, no more (the queue stays short and
/// what is on screen now goes first).
const MAX_RUNNING: usize = 4;

impl ImageCache {
    pub fn new(runtime: tokio::runtime::Handle, budget_bytes: usize) -> Self {
        let (sender, receiver) = unbounded_channel();
        Self {
            runtime,
            states: HashMap::new(),
            lru: LruBudget::new(budget_bytes),
            sender,
            receiver,
            frame: 0,
            waiting: HashMap::new(),
            running: 0,
            store: None,
        }
    }

    /// Keeps grid thumbnails on disk too (second visits and later sessions skip the decode).
    pub fn with_thumbnail_store(mut self, store: Option<ThumbnailStore>) -> Self {
        self.store = store.map(Arc::new);
        self
    }

    /// The state of an image, starting its decode on first request.
    pub fn get(&mut self, ctx: &egui::Context, path: &Path) -> ImageState {
        self.get_sized(ctx, path, MAX_SIDE)
    }

    /// A small version of the image for grids, decoded and cached on its own.
    pub fn thumbnail(&mut self, ctx: &egui::Context, path: &Path) -> ImageState {
        self.get_sized(ctx, path, THUMBNAIL_SIDE)
    }

    fn get_sized(&mut self, ctx: &egui::Context, path: &Path, max_side: u32) -> ImageState {
        let key = ImageKey {
            path: path.to_path_buf(),
            max_side,
        };
        if let Some(state) = self.states.get(&key) {
            self.lru.touch(&key, self.frame);
            if let Some(asked) = self.waiting.get_mut(&key) {
                *asked = self.frame;
            }
            return state.clone();
        }
        self.states.insert(key.clone(), ImageState::Pending);
        self.waiting.insert(key, self.frame);
        // Started at the next frame's start (or now, when a decode thread is free).
        self.start_waiting(ctx);
        ImageState::Pending
    }

    /// Starts waiting decodes while threads are free, those asked for this frame first.
    fn start_waiting(&mut self, ctx: &egui::Context) {
        while self.running < MAX_RUNNING {
            let Some(key) = self
                .waiting
                .iter()
                .max_by_key(|(_, asked)| **asked)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            self.waiting.remove(&key);
            self.running += 1;
            let (sender, ctx) = (self.sender.clone(), ctx.clone());
            let store = self
                .store
                .clone()
                .filter(|_| key.max_side == THUMBNAIL_SIDE);
            self.runtime.spawn_blocking(move || {
                // A decoder bug on a hostile file is that image's error, not a stuck "Loading…".
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &store {
                        Some(store) => thumbnail_via_store(&key.path, key.max_side, store),
                        None => decode(&key.path, key.max_side),
                    }))
                    .unwrap_or_else(|panic| {
                        Err(format!(
                            "cannot decode (decoder failed: {})",
                            unisandbox_core::panic_message(&*panic)
                        ))
                    });
                let _ = sender.send((key, result));
                ctx.request_repaint();
            });
        }
    }

    /// Uploads finished decodes and evicts over budget. Call once per frame before views draw.
    pub fn begin_frame(&mut self, ctx: &egui::Context) {
        // What the last frame did not ask for is off screen now: forget it unstarted.
        let last_frame = self.frame;
        self.frame += 1;
        let states = &mut self.states;
        self.waiting.retain(|key, asked| {
            let wanted = *asked >= last_frame;
            if !wanted {
                states.remove(key);
            }
            wanted
        });
        while let Ok((key, result)) = self.receiver.try_recv() {
            self.running = self.running.saturating_sub(1);
            if !self.states.contains_key(&key) {
                continue; // forgotten while decoding (the file changed)
            }
            let state = match result {
                Ok(image) => {
                    let size = image.size;
                    let texture = ctx.load_texture(
                        format!("{}@{}", key.path.display(), key.max_side),
                        Arc::new(image),
                        TextureOptions::LINEAR,
                    );
                    self.lru
                        .insert(key.clone(), size[0] * size[1] * 4, self.frame);
                    ImageState::Ready { texture, size }
                }
                Err(message) => ImageState::Failed(message),
            };
            self.states.insert(key, state);
        }
        for key in self.lru.evict(self.frame.saturating_sub(1)) {
            self.states.remove(&key);
        }
        self.start_waiting(ctx);
    }

    /// Drops every cached size of these files so they are decoded again (live reload).
    pub fn forget<'a>(&mut self, paths: impl IntoIterator<Item = &'a PathBuf>) {
        let paths: std::collections::HashSet<&PathBuf> = paths.into_iter().collect();
        let stale: Vec<ImageKey> = self
            .states
            .keys()
            .filter(|k| paths.contains(&k.path))
            .cloned()
            .collect();
        for key in stale {
            self.lru.remove(&key);
            self.states.remove(&key);
            self.waiting.remove(&key);
        }
    }

    /// Images requested and not decoded yet.
    pub fn pending(&self) -> usize {
        self.states
            .values()
            .filter(|s| matches!(s, ImageState::Pending))
            .count()
    }

    /// Forgets everything (e.g. after opening other folders).
    pub fn clear(&mut self) {
        for key in self.states.keys() {
            self.lru.remove(key);
        }
        self.states.clear();
        self.waiting.clear();
    }
}

/// Generated images are 1024×1024; anything claiming more than 8192 on a side (or needing
/// more than 256 MiB to decode) is refused from its header, before memory is allocated — four
/// decodes at once stay within 1 GiB whatever the files say.
pub fn decode_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(256 << 20);
    limits
}

pub const MAX_DECODE_SIDE: u32 = 8192;

/// Reads and decodes one file into RGBA, downscaled to fit `max_side`.
pub fn decode(path: &Path, max_side: u32) -> Result<ColorImage, String> {
    let rgba = decode_rgba(path, max_side)?;
    let size = [rgba.width() as usize, rgba.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()))
}

fn decode_rgba(path: &Path, max_side: u32) -> Result<image::RgbaImage, String> {
    // A remote run's image is fetched when first shown.
    unisandbox_remote::materialize(path)?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot decode: {e}"))?;
    reader.limits(decode_limits());
    let image = reader.decode().map_err(|e| format!("cannot decode: {e}"))?;
    let image = if image.width() > max_side || image.height() > max_side {
        image.thumbnail(max_side, max_side)
    } else {
        image
    };
    Ok(image.to_rgba8())
}

/// A thumbnail from the disk store when it has this file as it is now, else decoded (and kept).
pub fn thumbnail_via_store(
    path: &Path,
    max_side: u32,
    store: &ThumbnailStore,
) -> Result<ColorImage, String> {
    if let Some(stored) = store.get(path, max_side) {
        return Ok(ColorImage::from_rgba_unmultiplied(
            stored.size,
            &stored.rgba,
        ));
    }
    let rgba = decode_rgba(path, max_side)?;
    let size = [rgba.width() as usize, rgba.height() as usize];
    store.put(path, max_side, size, rgba.as_raw());
    Ok(ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header claims `width` × `height` (RGBA), with no pixel data behind it.
    pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = 0xFFFF_FFFFu32;
            for &byte in bytes {
                crc ^= byte as u32;
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        let mut chunk = b"IHDR".to_vec();
        chunk.extend(width.to_be_bytes());
        chunk.extend(height.to_be_bytes());
        chunk.extend([8, 6, 0, 0, 0]);
        let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
        png.extend(13u32.to_be_bytes());
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
        png
    }

    #[test]
    fn a_png_claiming_huge_dimensions_is_refused_before_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.png");
        std::fs::write(&path, png_claiming(100_000, 100_000)).unwrap();
        let started = std::time::Instant::now();
        let err = decode(&path, 256).unwrap_err();
        assert!(err.contains("limit"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Just inside the limits is only refused for its missing pixels.
        std::fs::write(&path, png_claiming(MAX_DECODE_SIDE, 16)).unwrap();
        assert!(!decode(&path, 256).unwrap_err().contains("limit"));
    }

    #[test]
    fn at_most_four_decode_at_once_and_what_scrolled_away_is_dropped_unstarted() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..10)
            .map(|i| {
                let path = dir.path().join(format!("{i}.png"));
                image::RgbImage::new(8, 8).save(&path).unwrap();
                path
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(4)
            .build()
            .unwrap();
        // Keep the blocking pool busy for a moment, so no decode finishes during the first frames.
        for _ in 0..4 {
            runtime.spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(300)));
        }
        let ctx = egui::Context::default();
        let mut cache = ImageCache::new(runtime.handle().clone(), DEFAULT_BUDGET_BYTES);
        cache.begin_frame(&ctx);
        for path in &paths {
            assert!(matches!(cache.thumbnail(&ctx, path), ImageState::Pending));
        }
        assert_eq!(cache.running, MAX_RUNNING);
        assert_eq!(cache.waiting.len(), paths.len() - MAX_RUNNING);
        // The next frame shows only the last two (the grid scrolled): the rest never starts.
        cache.begin_frame(&ctx);
        for path in &paths[8..] {
            let _ = cache.thumbnail(&ctx, path);
        }
        cache.begin_frame(&ctx);
        // Only what the last frame asked for still waits for a free thread.
        let mut waiting: Vec<&PathBuf> = cache.waiting.keys().map(|k| &k.path).collect();
        waiting.sort();
        assert_eq!(waiting, [&paths[8], &paths[9]]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while cache.pending() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "decodes did not finish"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
            cache.begin_frame(&ctx);
            // The screen still shows the last two.
            for path in &paths[8..] {
                let _ = cache.thumbnail(&ctx, path);
            }
        }
        let ready = |path: &PathBuf, cache: &mut ImageCache| {
            matches!(cache.thumbnail(&ctx, path), ImageState::Ready { .. })
        };
        // The first four (started) and the last two (still asked for) arrived; 4–7 did not.
        assert!(
            paths[..4]
                .iter()
                .all(|p| cache.states.contains_key(&ImageKey {
                    path: p.clone(),
                    max_side: THUMBNAIL_SIDE
                }))
        );
        assert!(
            paths[4..8]
                .iter()
                .all(|p| !cache.states.contains_key(&ImageKey {
                    path: p.clone(),
                    max_side: THUMBNAIL_SIDE
                }))
        );
        assert!(ready(&paths[9], &mut cache));
    }
}
