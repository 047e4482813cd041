//! The layering is a fact the build checks: the core crate's normal dependency tree holds no
//! GUI, window, renderer, object store or async runtime, and the remote crate's holds no GUI;
//! and inside every crate, no module imports from a module that (directly or not) imports it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

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

/// The modules of one crate (`crates/<name>/src`), each with the modules its code names through
/// `crate::…` or `super::…` (tests excluded: a test may reach across layers to compare them).
fn module_graph(crate_src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let path_of = |file: &Path| -> Vec<String> {
        let relative = file.strip_prefix(crate_src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        parts
    };
    let files: Vec<PathBuf> = walk(crate_src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| path_of(f)).collect();
    // The longest prefix of a path that is a module of the crate.
    let resolve = |path: Vec<String>| -> Vec<String> {
        (0..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|prefix| modules.contains(prefix))
            .unwrap_or_default()
    };
    let named = Regex::new(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)*)(::\{|::[A-Z])?").unwrap();
    let comment = Regex::new(r"//[^\n]*").unwrap();
    let mut graph = BTreeMap::new();
    for file in &files {
        let me = path_of(file);
        let text = std::fs::read_to_string(file).unwrap();
        let text = match text.find("#[cfg(test)]\nmod tests") {
            Some(at) => &text[..at],
            None => &text,
        };
        let text = comment.replace_all(text, "");
        let mut deps = BTreeSet::new();
        for found in named.captures_iter(&text) {
            let tail: Vec<String> = found[2]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let base = if &found[1] == "crate" {
                Vec::new()
            } else {
                // `super` of a module file is its parent module.
                me[..me.len().saturating_sub(1)].to_vec()
            };
            deps.insert(resolve([base, tail].concat()));
        }
        deps.remove(&me);
        graph.insert(me, deps);
    }
    graph
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// A cycle in the graph, if there is one (depth-first search, three colours).
fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, bool>,
        path: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(true) => return None, // done
            Some(false) => {
                let start = path.iter().position(|n| n == node).unwrap();
                let mut cycle: Vec<String> = path[start..].iter().map(|n| show(n)).collect();
                cycle.push(show(node));
                return Some(cycle);
            }
            None => {}
        }
        state.insert(node.clone(), false);
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if graph.contains_key(next)
                && let Some(cycle) = visit(next, graph, state, path)
            {
                return Some(cycle);
            }
        }
        path.pop();
        state.insert(node.clone(), true);
        None
    }
    fn show(module: &[String]) -> String {
        if module.is_empty() {
            "<crate root>".into()
        } else {
            module.join("::")
        }
    }
    let mut state = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut state, &mut Vec::new()))
}

#[test]
fn no_module_imports_from_a_module_that_imports_it() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for name in ["core", "remote", "demo", "app", "bench"] {
        let graph = module_graph(&crates.join(name).join("src"));
        assert!(graph.len() > 2, "{name}: modules were found");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("crates/{name}: import cycle {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lib.rs"),
        "pub mod a;\npub mod b;\npub mod c;\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.rs"), "use crate::b::Thing;\n").unwrap();
    std::fs::write(dir.path().join("b.rs"), "use super::c::More;\n").unwrap();
    std::fs::write(
        dir.path().join("c.rs"),
        "// crate::a is only a comment\nuse crate::a::X;\n",
    )
    .unwrap();
    let graph = module_graph(dir.path());
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    std::fs::write(dir.path().join("c.rs"), "// use crate::a::X;\n").unwrap();
    assert_eq!(find_cycle(&module_graph(dir.path())), None);
}
