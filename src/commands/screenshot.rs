//! `screenshot`: open the window, wait until the view and its images are loaded, save a PNG.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use unisandbox_app::StartOptions;
use unisandbox_app::screenshot::ScreenshotPlan;

use crate::cli::{ScreenshotArgs, parse_size};

use super::Context;

pub fn run(ctx: &Context, args: ScreenshotArgs) -> anyhow::Result<ExitCode> {
    let ScreenshotArgs {
        paths,
        out,
        view,
        select,
        size,
        pair_slide,
        theme,
    } = args;
    let size =
        parse_size(&size).ok_or_else(|| anyhow::anyhow!("--size {size:?} is not WIDTHxHEIGHT"))?;
    let shot = Arc::new(Mutex::new(None));
    let plan = ScreenshotPlan { out, select };
    let outcome = super::window::open_window(
        StartOptions {
            paths,
            view,
            screenshot: Some((plan, shot.clone())),
            annotations: ctx.annotations_path.clone(),
            benchmark: ctx.benchmark.clone(),
            restore: None,
            live_reload: false,
            pair_slide,
            theme: Some(theme),
            // Screenshots leave the user's caches alone, as they do the session.
            thumbnail_store: None,
            background_filter_from: None,
            remote_poll_every: None,
        },
        size,
    )?;
    if let super::window::WindowOutcome::Exit(code) = outcome {
        return Ok(code);
    }
    let result = shot.lock().ok().and_then(|mut slot| slot.take());
    match result {
        Some(Ok(path)) => {
            println!("saved {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Err(message)) => anyhow::bail!("screenshot failed: {message}"),
        None => anyhow::bail!("the window closed before a screenshot was taken"),
    }
}
