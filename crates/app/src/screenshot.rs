//! The `screenshot` command's state machine: wait for loading and visible images, capture the
//! window with `request_screenshot`, save it as PNG, close.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What the screenshot run was asked for.
#[derive(Clone, Debug)]
pub struct ScreenshotPlan {
    pub out: PathBuf,
    pub select: Option<String>,
}

/// The outcome, read by `main` after the window closes.
pub type ScreenshotOutcome = Arc<Mutex<Option<Result<PathBuf, String>>>>;

#[derive(Debug)]
pub struct ScreenshotJob {
    pub plan: ScreenshotPlan,
    pub outcome: ScreenshotOutcome,
    /// Consecutive frames with nothing pending.
    settled_frames: u32,
    requested: bool,
    started: std::time::Instant,
}

/// Frames with nothing pending before capturing: lets layout and textures settle.
const SETTLE_FRAMES: u32 = 5;
/// Capture anyway after this long, so a stuck image never hangs CI.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

impl ScreenshotJob {
    pub fn new(plan: ScreenshotPlan, outcome: ScreenshotOutcome) -> Self {
        Self {
            plan,
            outcome,
            settled_frames: 0,
            requested: false,
            started: std::time::Instant::now(),
        }
    }

    /// Called each frame; captures once everything is loaded and shown.
    pub fn step(&mut self, ctx: &egui::Context, idle: bool) {
        if self.requested {
            return;
        }
        self.settled_frames = if idle { self.settled_frames + 1 } else { 0 };
        ctx.request_repaint();
        if self.settled_frames < SETTLE_FRAMES && self.started.elapsed() < TIMEOUT {
            return;
        }
        self.requested = true;
        let (out, outcome, ctx_for_close) =
            (self.plan.out.clone(), self.outcome.clone(), ctx.clone());
        ctx.request_screenshot(move |image| {
            let result = save_png(&out, &image);
            if let Ok(mut slot) = outcome.lock() {
                *slot = Some(result.map(|()| out.clone()));
            }
            ctx_for_close.send_viewport_cmd(egui::ViewportCommand::Close);
        });
    }
}

/// Saves a captured image as PNG, creating the folder when needed.
pub fn save_png(out: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or("screenshot has an unexpected size")?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    buffer
        .save(out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// Saves the part of a window capture under `rect` (in points), e.g. the chart.
pub fn save_region_png(
    out: &std::path::Path,
    image: &egui::ColorImage,
    rect: egui::Rect,
    pixels_per_point: f32,
) -> Result<(), String> {
    save_png(out, &image.region(&rect, Some(pixels_per_point)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_capture_is_cropped_and_scaled() {
        let mut capture = egui::ColorImage::filled([200, 100], egui::Color32::WHITE);
        for y in 20..60 {
            for x in 40..120 {
                capture.pixels[y * 200 + x] = egui::Color32::RED;
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("sub/chart.png");
        // At 2 pixels per point, points (20,10)-(60,30) are pixels (40,20)-(120,60).
        let rect = egui::Rect::from_min_max(egui::pos2(20.0, 10.0), egui::pos2(60.0, 30.0));
        save_region_png(&out, &capture, rect, 2.0).unwrap();
        let saved = image::open(&out).unwrap().to_rgba8();
        assert_eq!(saved.dimensions(), (80, 40));
        assert!(saved.pixels().all(|p| p.0 == [255, 0, 0, 255]));
    }
}
