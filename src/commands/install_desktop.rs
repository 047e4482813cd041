//! `install-desktop [--uninstall]`: the desktop entry and icons (`unisandbox_app::desktop`).

use std::process::ExitCode;

use unisandbox_app::desktop;

pub fn run(uninstall: bool) -> anyhow::Result<ExitCode> {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        anyhow::bail!(
            "desktop entries are for Linux desktops (freedesktop.org); on this system start \
             unisandbox-inspector from a terminal or pin it yourself"
        );
    }
    // $XDG_DATA_HOME, else ~/.local/share.
    let data_home = directories::BaseDirs::new()
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| anyhow::anyhow!("no home folder: cannot tell where ~/.local/share is"))?;
    if uninstall {
        let removed = desktop::uninstall(&data_home)?;
        if removed.is_empty() {
            println!("nothing to remove under {}", data_home.display());
        }
        for file in removed {
            println!("removed {}", file.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let binary = std::env::current_exe()?;
    let exec = desktop::exec_field(&binary, found_on_path_as(&binary));
    for file in desktop::install(&data_home, &exec)? {
        println!("wrote {}", file.display());
    }
    println!(
        "The application menu lists \"UniSandbox Inspector\" (Exec={exec}); some desktops show it \
         after the next login. Remove it with `unisandbox-inspector install-desktop --uninstall`."
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether `unisandbox-inspector` on the PATH is this very binary (then the entry names it
/// plainly; otherwise by its full path, e.g. inside a virtual environment not on the desktop's
/// PATH).
fn found_on_path_as(binary: &std::path::Path) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    let this = binary.canonicalize().ok();
    std::env::split_paths(&path)
        .map(|dir| dir.join(unisandbox_app::APP_ID))
        .find(|candidate| candidate.is_file())
        .is_some_and(|found| found.canonicalize().ok() == this)
}
