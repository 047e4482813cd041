//! Decoded images as GPU textures: decoded on the tokio blocking pool, uploaded on the UI thread,
//! kept within a byte budget (least recently used out first). A failed decode is remembered as
//! `Failed` and not retried every frame.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{ColorImage, TextureHandle, TextureOptions};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::app::lru::LruBudget;

/// Default budget: ~512 MiB of RGBA, a few hundred 1024² images.
pub const DEFAULT_BUDGET_BYTES: usize = 512 * 1024 * 1024;
/// Larger images are downscaled on decode; the screen never needs more.
const MAX_SIDE: u32 = 2048;

#[derive(Clone)]
pub enum ImageState {
    Pending,
    Ready {
        texture: TextureHandle,
        size: [usize; 2],
    },
    Failed(String),
}

type Decoded = (PathBuf, Result<ColorImage, String>);

pub struct ImageCache {
    runtime: tokio::runtime::Handle,
    states: HashMap<PathBuf, ImageState>,
    lru: LruBudget<PathBuf>,
    sender: UnboundedSender<Decoded>,
    receiver: UnboundedReceiver<Decoded>,
    frame: u64,
}

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
        }
    }

    /// The state of an image, starting its decode on first request.
    pub fn get(&mut self, ctx: &egui::Context, path: &Path) -> ImageState {
        if let Some(state) = self.states.get(path) {
            self.lru.touch(&path.to_path_buf(), self.frame);
            return state.clone();
        }
        self.states.insert(path.to_path_buf(), ImageState::Pending);
        let (sender, ctx, owned) = (self.sender.clone(), ctx.clone(), path.to_path_buf());
        self.runtime.spawn_blocking(move || {
            let result = decode(&owned);
            let _ = sender.send((owned, result));
            ctx.request_repaint();
        });
        ImageState::Pending
    }

    /// Uploads finished decodes and evicts over budget. Call once per frame before views draw.
    pub fn begin_frame(&mut self, ctx: &egui::Context) {
        self.frame += 1;
        while let Ok((path, result)) = self.receiver.try_recv() {
            let state = match result {
                Ok(image) => {
                    let size = image.size;
                    let texture = ctx.load_texture(
                        path.display().to_string(),
                        Arc::new(image),
                        TextureOptions::LINEAR,
                    );
                    self.lru
                        .insert(path.clone(), size[0] * size[1] * 4, self.frame);
                    ImageState::Ready { texture, size }
                }
                Err(message) => ImageState::Failed(message),
            };
            self.states.insert(path, state);
        }
        for path in self.lru.evict(self.frame.saturating_sub(1)) {
            self.states.remove(&path);
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
        for path in self.states.keys() {
            self.lru.remove(path);
        }
        self.states.clear();
    }
}

/// Reads and decodes one file into RGBA, downscaling very large images.
pub fn decode(path: &Path) -> Result<ColorImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let image = image::load_from_memory(&bytes).map_err(|e| format!("cannot decode: {e}"))?;
    let image = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()))
}
