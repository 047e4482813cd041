//! Before and after the window: is there a display at all, and what a failure to open one means
//! in words — without the build machine's source paths that winit puts into its errors.

/// Linux and the BSDs need an X11 or Wayland session; macOS and Windows always have a display.
pub fn missing_display(var: impl Fn(&str) -> Option<String>) -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return false;
    }
    let set = |name: &str| var(name).is_some_and(|value| !value.is_empty());
    !set("DISPLAY") && !set("WAYLAND_DISPLAY") && !set("WAYLAND_SOCKET")
}

/// What to say when there is no display (the exit code is 2).
pub const NO_DISPLAY: &str = "no display: this machine has no graphical session (DISPLAY / \
WAYLAND_DISPLAY unset), so the window cannot open.\n\
  Instead: `unisandbox-inspector summary RUN` prints the accuracy table, `unisandbox-inspector \
export RUN --format html --out report.html` writes a report to open elsewhere,\n\
  or open the run from your workstation (s3://… or a mounted folder). Over ssh, connect with \
`ssh -X` (or -Y) to forward the window.";

/// The renderer to use instead of the one that failed: the window is tried with wgpu first
/// (Vulkan, then OpenGL ES through EGL), then with OpenGL through glow.
pub const RENDERER_VAR: &str = "UNISANDBOX_RENDERER";

/// An error from opening the window, in words: source locations cut out, and a hint for the
/// failures people meet (no keyboard data inside conda, no usable GPU driver).
pub fn explain_window_error(error: &str) -> String {
    let locations = regex::Regex::new(r"(?:os error )?at [^\s:]+\.rs:\d+(?::\d+)?:\s*")
        .expect("a valid pattern");
    let plain = locations.replace_all(error, "").trim().to_string();
    let lower = plain.to_lowercase();
    let hint = if lower.contains("xkb") {
        Some(
            "The keyboard layout data (xkb) was not found. Inside a conda environment, run with \
             XKB_CONFIG_ROOT=/usr/share/X11/xkb (or install the system's xkeyboard-config).",
        )
    } else if [
        "wgpu",
        "adapter",
        "vulkan",
        "egl",
        "glx",
        "opengl",
        "glutin",
        "gl context",
    ]
    .iter()
    .any(|word| lower.contains(word))
    {
        Some(
            "No usable graphics driver: the window was tried with wgpu (Vulkan, then OpenGL ES) \
             and with OpenGL. Install Mesa (libegl1, libgl1-mesa-dri; mesa-vulkan-drivers for \
             Vulkan), or over ssh/VNC try LIBGL_ALWAYS_SOFTWARE=1.",
        )
    } else {
        None
    };
    match hint {
        Some(hint) => format!("cannot open the window: {plain}\n{hint}"),
        None => format!("cannot open the window: {plain}"),
    }
}

/// Whether a failure is the renderer's (so the other renderer is worth a try).
pub fn is_renderer_failure(error: &str) -> bool {
    let lower = error.to_lowercase();
    [
        "wgpu", "adapter", "vulkan", "egl", "glutin", "opengl", "surface",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_display_is_told_from_the_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        if cfg!(any(target_os = "macos", target_os = "windows")) {
            return;
        }
        assert!(missing_display(env(&[])));
        assert!(missing_display(env(&[("DISPLAY", "")])));
        assert!(!missing_display(env(&[("DISPLAY", ":0")])));
        assert!(!missing_display(env(&[("WAYLAND_DISPLAY", "wayland-0")])));
    }

    #[test]
    fn winit_errors_lose_the_build_machines_paths_and_gain_a_hint() {
        let winit = "os error at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/winit-0.30.13/src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor DISPLAY is set.";
        let said = explain_window_error(&format!("winit EventLoopError: {winit}"));
        assert_eq!(
            said,
            "cannot open the window: winit EventLoopError: neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor DISPLAY is set."
        );
        let xkb =
            explain_window_error("Failed to create xkb context at src/x.rs:12:5: no such file");
        assert!(xkb.contains("XKB_CONFIG_ROOT"), "{xkb}");
        assert!(!xkb.contains("src/x.rs"), "{xkb}");
        let gpu = explain_window_error("wgpu error: Failed to find a suitable adapter");
        assert!(gpu.contains("Install Mesa"), "{gpu}");
        assert!(is_renderer_failure("Wgpu(NoSuitableAdapterFound)"));
        assert!(!is_renderer_failure("permission denied"));
    }
}
