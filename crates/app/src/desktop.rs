//! `install-desktop`: a desktop entry and hicolor icons under `$XDG_DATA_HOME`, so the inspector
//! shows up in the application menu with its icon, and folders dropped on it from a file
//! manager open in it. The entry is named after the window's app id (`APP_ID`), which is how
//! Wayland shells match the window to its icon.

use std::path::{Path, PathBuf};

use crate::APP_ID;

/// The icon sizes shipped in assets/icons (drawn from assets/icon.svg).
const ICONS: [(u32, &[u8]); 7] = [
    (16, include_bytes!("../../../assets/icons/16.png")),
    (32, include_bytes!("../../../assets/icons/32.png")),
    (48, include_bytes!("../../../assets/icons/48.png")),
    (64, include_bytes!("../../../assets/icons/64.png")),
    (128, include_bytes!("../../../assets/icons/128.png")),
    (256, include_bytes!("../../../assets/icons/256.png")),
    (512, include_bytes!("../../../assets/icons/512.png")),
];
const ICON_SVG: &[u8] = include_bytes!("../../../assets/icon.svg");

/// Every file `install` writes under `data_home`.
pub fn installed_files(data_home: &Path) -> Vec<PathBuf> {
    let mut files = vec![desktop_file(data_home)];
    let icons = data_home.join("icons/hicolor");
    files.extend(
        ICONS
            .iter()
            .map(|(size, _)| icons.join(format!("{size}x{size}/apps/{APP_ID}.png"))),
    );
    files.push(icons.join(format!("scalable/apps/{APP_ID}.svg")));
    files
}

fn desktop_file(data_home: &Path) -> PathBuf {
    data_home.join(format!("applications/{APP_ID}.desktop"))
}

/// The desktop entry that starts `exec` (its name when it is on the PATH, else its full path).
pub fn desktop_entry(exec: &str) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=UniSandbox Inspector\n\
         GenericName=Evaluation run viewer\n\
         Comment=Browse UniSandbox, GenEval and WISE runs: prompt, image, reasoning trace and judge verdict side by side\n\
         Exec={exec} %F\n\
         Icon={APP_ID}\n\
         Terminal=false\n\
         Categories=Science;DataVisualization;\n\
         MimeType=inode/directory;\n\
         Keywords=UniSandbox;GenEval;WISE;evaluation;multimodal;\n\
         StartupWMClass={APP_ID}\n"
    )
}

/// How the entry names the binary: `Exec` splits on spaces and treats some characters as
/// special, so a path with them is quoted.
pub fn exec_field(binary: &Path, on_path: bool) -> String {
    if on_path {
        return APP_ID.to_string();
    }
    let path = binary.display().to_string();
    if path
        .chars()
        .any(|c| c.is_whitespace() || "\"'\\><~|&;$*?#()`".contains(c))
    {
        let escaped = path
            .replace('\\', "\\\\\\\\")
            .replace('"', "\\\\\"")
            .replace('`', "\\\\`")
            .replace('$', "\\\\$");
        format!("\"{escaped}\"")
    } else {
        path
    }
}

/// Writes the entry and the icons; returns the files written.
pub fn install(data_home: &Path, exec: &str) -> std::io::Result<Vec<PathBuf>> {
    let files = installed_files(data_home);
    let write = |path: &Path, bytes: &[u8]| -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, bytes)
    };
    write(&files[0], desktop_entry(exec).as_bytes())?;
    for ((_, png), path) in ICONS.iter().zip(&files[1..]) {
        write(path, png)?;
    }
    write(files.last().expect("the svg"), ICON_SVG)?;
    Ok(files)
}

/// Removes what `install` wrote; returns the files that were there.
pub fn uninstall(data_home: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for file in installed_files(data_home) {
        match std::fs::remove_file(&file) {
            Ok(()) => removed.push(file),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_writes_the_entry_and_every_icon_and_uninstall_removes_them() {
        let home = tempfile::tempdir().unwrap();
        let written = install(home.path(), "unisandbox-inspector").unwrap();
        assert_eq!(written.len(), 9);
        assert!(written.iter().all(|f| f.is_file()));
        let entry = std::fs::read_to_string(&written[0]).unwrap();
        assert!(entry.contains("Exec=unisandbox-inspector %F\n"), "{entry}");
        assert!(entry.contains(&format!("Icon={APP_ID}\n")));
        assert!(written[0].ends_with(format!("applications/{APP_ID}.desktop")));
        let png = std::fs::read(
            home.path()
                .join(format!("icons/hicolor/48x48/apps/{APP_ID}.png")),
        )
        .unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(uninstall(home.path()).unwrap().len(), 9);
        assert!(written.iter().all(|f| !f.exists()));
        assert!(
            uninstall(home.path()).unwrap().is_empty(),
            "nothing left to remove"
        );
    }

    #[test]
    fn a_path_with_spaces_is_quoted_in_exec() {
        assert_eq!(
            exec_field(Path::new("/opt/x/bin/ui"), false),
            "/opt/x/bin/ui"
        );
        assert_eq!(
            exec_field(Path::new("/home/a b/venv/bin/unisandbox-inspector"), false),
            "\"/home/a b/venv/bin/unisandbox-inspector\""
        );
        assert_eq!(exec_field(Path::new("/anything"), true), APP_ID);
    }
}
