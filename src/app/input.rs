//! Keyboard and drag-and-drop: turned into `Command`s, applied with the rest once per frame.
//! App-wide keys live here; only the grid reads its own arrows (it alone knows its columns).

use std::path::PathBuf;

use super::{Command, InspectorApp, View};

impl InspectorApp {
    pub(super) fn keyboard(&mut self, ctx: &egui::Context) {
        // Shortcuts that work even while typing.
        ctx.input_mut(|input| {
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::O) {
                self.commands.push(Command::OpenFolderDialog);
            }
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::F) {
                self.commands.push(Command::FocusSearch);
            }
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::Q) {
                self.commands.push(Command::Quit);
            }
            if input.consume_key(egui::Modifiers::NONE, egui::Key::F11) {
                let on = self.state.view != View::Presentation;
                self.commands.push(Command::Present(on));
            }
        });
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        ctx.input_mut(|input| {
            let pressed =
                |input: &mut egui::InputState, key| input.consume_key(egui::Modifiers::NONE, key);
            if self.state.zoom.is_some() {
                if pressed(input, egui::Key::Escape) {
                    self.commands.push(Command::Zoom(None));
                }
                return;
            }
            // Shift+S: only the starred items (before plain S, which would also match it).
            if matches!(
                self.state.view,
                View::Items | View::Grid | View::Presentation
            ) && input.consume_key(egui::Modifiers::SHIFT, egui::Key::S)
            {
                let mut filters = self.state.filters.clone();
                filters.starred = !filters.starred;
                self.commands.push(Command::SetFilters(filters));
            }
            match self.state.view {
                View::Items | View::Grid => {
                    if let Some(selected) = self.state.selected {
                        let digits = [
                            egui::Key::Num1,
                            egui::Key::Num2,
                            egui::Key::Num3,
                            egui::Key::Num4,
                            egui::Key::Num5,
                            egui::Key::Num6,
                            egui::Key::Num7,
                            egui::Key::Num8,
                            egui::Key::Num9,
                        ];
                        for (n, key) in digits.into_iter().enumerate() {
                            if pressed(input, key)
                                && let Some(tag) = self.state.tag_names.get(n)
                            {
                                self.commands
                                    .push(Command::ToggleTag(selected, tag.clone()));
                            }
                        }
                        if pressed(input, egui::Key::S) {
                            self.commands.push(Command::ToggleStar(selected));
                        }
                    }
                    // The grid moves by its own column count; the list by rows.
                    if self.state.view == View::Items {
                        if pressed(input, egui::Key::ArrowDown) {
                            self.commands.push(Command::MoveSelection(1));
                        }
                        if pressed(input, egui::Key::ArrowUp) {
                            self.commands.push(Command::MoveSelection(-1));
                        }
                    }
                }
                View::Compare => {
                    if pressed(input, egui::Key::ArrowDown) {
                        self.commands.push(Command::CompareMove(1));
                    }
                    if pressed(input, egui::Key::ArrowUp) {
                        self.commands.push(Command::CompareMove(-1));
                    }
                    if pressed(input, egui::Key::ArrowRight) {
                        self.commands.push(Command::CompareFocus(1));
                    }
                    if pressed(input, egui::Key::ArrowLeft) {
                        self.commands.push(Command::CompareFocus(-1));
                    }
                }
                View::Presentation => {
                    let next = [
                        egui::Key::ArrowRight,
                        egui::Key::ArrowDown,
                        egui::Key::Space,
                        egui::Key::PageDown,
                        egui::Key::N,
                    ];
                    let previous = [
                        egui::Key::ArrowLeft,
                        egui::Key::ArrowUp,
                        egui::Key::PageUp,
                        egui::Key::Backspace,
                        egui::Key::P,
                    ];
                    if next.into_iter().any(|k| pressed(input, k)) {
                        self.commands.push(Command::MoveSelection(1));
                    }
                    if previous.into_iter().any(|k| pressed(input, k)) {
                        self.commands.push(Command::MoveSelection(-1));
                    }
                    if pressed(input, egui::Key::Home) {
                        self.commands.push(Command::MoveSelection(i64::MIN / 2));
                    }
                    if pressed(input, egui::Key::End) {
                        self.commands.push(Command::MoveSelection(i64::MAX / 2));
                    }
                    if pressed(input, egui::Key::T) {
                        self.commands.push(Command::TogglePairSlide);
                    }
                    if let Some(selected) = self.state.selected
                        && pressed(input, egui::Key::S)
                    {
                        self.commands.push(Command::ToggleStar(selected));
                    }
                    if pressed(input, egui::Key::Escape) {
                        self.commands.push(Command::Present(false));
                    }
                }
                _ => {}
            }
        });
    }

    /// Folders (or files: their folder) dropped onto the window are opened.
    pub(super) fn dropped_files(&mut self, ctx: &egui::Context) {
        let (hovering, dropped) = ctx.input(|input| {
            let dropped: Vec<PathBuf> = input
                .raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .collect();
            (!input.raw.hovered_files.is_empty(), dropped)
        });
        if hovering != self.state.files_hovering {
            self.state.files_hovering = hovering;
            ctx.request_repaint();
        }
        if dropped.is_empty() {
            return;
        }
        let mut folders: Vec<PathBuf> = Vec::new();
        for path in dropped {
            let folder = if path.is_dir() {
                path
            } else {
                path.parent().map(|p| p.to_path_buf()).unwrap_or(path)
            };
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        self.commands.push(Command::Open(folders));
    }
}
