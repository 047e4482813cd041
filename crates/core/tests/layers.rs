//! The layering is a fact the build checks: the core crate's normal dependency tree holds no
//! GUI, window, renderer, object store or async runtime, and the remote crate's holds no GUI.

use std::process::Command;

/// Every package in `package`'s normal dependency tree, as `name vX.Y.Z` lines.
fn normal_tree(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn offending<'a>(tree: &'a [String], forbidden: &[&str]) -> Vec<&'a String> {
    tree.iter()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or("");
            forbidden.contains(&name)
        })
        .collect()
}

#[test]
fn core_has_no_gui_object_store_or_async_runtime() {
    let tree = normal_tree("unisandbox-core");
    assert!(
        tree.iter().any(|line| line.starts_with("csv ")),
        "the tree was read (csv is a dependency): {tree:?}"
    );
    let forbidden = [
        "egui",
        "eframe",
        "wgpu",
        "winit",
        "egui_plot",
        "egui_extras",
        "object_store",
        "tokio",
        "unisandbox-remote",
        "unisandbox-app",
    ];
    let found = offending(&tree, &forbidden);
    assert!(found.is_empty(), "the core crate depends on {found:?}");
}

#[test]
fn remote_has_no_gui() {
    let tree = normal_tree("unisandbox-remote");
    assert!(
        tree.iter().any(|line| line.starts_with("object_store ")),
        "the tree was read: {tree:?}"
    );
    let found = offending(
        &tree,
        &["egui", "eframe", "wgpu", "winit", "unisandbox-app"],
    );
    assert!(found.is_empty(), "the remote crate depends on {found:?}");
}
