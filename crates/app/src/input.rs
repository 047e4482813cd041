//! Keyboard and drag-and-drop: turned into `Command`s, applied with the rest once per frame.
//! App-wide keys live here; only the grid reads its own arrows (it alone knows its columns).

use std::path::PathBuf;

use super::{Command, InspectorApp, View};
use unisandbox_core::annotations::Human;

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
                let on = self.state.ui.view != View::Presentation;
                self.commands.push(Command::Present(on));
            }
        });
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        // Every key press in the order it was typed, each turned into its commands on its own:
        // ↓ S 3 arriving in one frame must star and tag the item ↓ moved to, so keys that act on
        // the selection name it when applied, not now.
        ctx.input_mut(|input| {
            let mut handled = Vec::with_capacity(input.events.len());
            for event in &input.events {
                let egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } = event
                else {
                    handled.push(false);
                    continue;
                };
                let commands = self.commands_for_key(*key, *modifiers);
                handled.push(!commands.is_empty());
                self.commands.extend(commands);
            }
            let mut handled = handled.into_iter();
            input.events.retain(|_| !handled.next().unwrap_or(false));
        });
    }

    /// What one key press does in the current view (nothing: an empty list).
    fn commands_for_key(&self, key: egui::Key, modifiers: egui::Modifiers) -> Vec<Command> {
        use egui::Key;
        let state = &self.state;
        if state.ui.zoom.is_some() {
            return match key {
                Key::Escape if modifiers.is_none() => vec![Command::Zoom(None)],
                _ => Vec::new(),
            };
        }
        let browsing = matches!(state.ui.view, View::Items | View::Grid | View::Presentation);
        // Shift+S: only the starred items.
        if browsing && key == Key::S && modifiers == egui::Modifiers::SHIFT {
            let mut filters = state.ui.filters.clone();
            filters.starred = !filters.starred;
            return vec![Command::SetFilters(filters)];
        }
        if !modifiers.is_none() {
            return Vec::new();
        }
        let digit = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
        ]
        .iter()
        .position(|k| *k == key);
        let columns = state.ui.grid_columns.max(1) as i64;
        let command = match (state.ui.view, key) {
            (View::Items | View::Grid, _) if digit.is_some() => digit
                .and_then(|n| state.tag_names.get(n))
                .map(|tag| Command::ToggleTagOfSelection(tag.clone())),
            (View::Items | View::Grid | View::Presentation, Key::S) => {
                Some(Command::ToggleStarOfSelection)
            }
            // C: the selected item at every checkpoint of its training run, and back.
            (View::Items | View::Grid, Key::C) if state.ui.selected.is_some() => {
                Some(Command::SetView(View::Strip))
            }
            (View::Strip, Key::C | Key::Escape) => Some(Command::SetView(View::Items)),
            (View::Strip, Key::ArrowRight) => Some(Command::StripMove(1)),
            (View::Strip, Key::ArrowLeft) => Some(Command::StripMove(-1)),
            (View::Strip, Key::ArrowDown) => Some(Command::MoveSelection(1)),
            (View::Strip, Key::ArrowUp) => Some(Command::MoveSelection(-1)),
            (View::Items, Key::ArrowDown) => Some(Command::MoveSelection(1)),
            (View::Items, Key::ArrowUp) => Some(Command::MoveSelection(-1)),
            // The grid moves by the columns it showed last frame.
            (View::Grid, Key::ArrowRight) => Some(Command::MoveSelection(1)),
            (View::Grid, Key::ArrowLeft) => Some(Command::MoveSelection(-1)),
            (View::Grid, Key::ArrowDown) => Some(Command::MoveSelection(columns)),
            (View::Grid, Key::ArrowUp) => Some(Command::MoveSelection(-columns)),
            (View::Grid, Key::Enter) if state.ui.selected.is_some() => {
                Some(Command::SetView(View::Items))
            }
            (View::Review, Key::Y) => Some(Command::ReviewVerdict(Human::Yes)),
            (View::Review, Key::N) => Some(Command::ReviewVerdict(Human::No)),
            (View::Review, Key::U) => Some(Command::ReviewVerdict(Human::Unsure)),
            (View::Review, Key::K) => Some(Command::ReviewFixKey),
            (View::Review, Key::Z | Key::Backspace) => Some(Command::ReviewUndo),
            (View::Review, Key::ArrowRight | Key::ArrowDown) => Some(Command::ReviewMove(1)),
            (View::Review, Key::ArrowLeft | Key::ArrowUp) => Some(Command::ReviewMove(-1)),
            (View::Compare, Key::ArrowDown) => Some(Command::CompareMove(1)),
            (View::Compare, Key::ArrowUp) => Some(Command::CompareMove(-1)),
            (View::Compare, Key::ArrowRight) => Some(Command::CompareFocus(1)),
            (View::Compare, Key::ArrowLeft) => Some(Command::CompareFocus(-1)),
            (
                View::Presentation,
                Key::ArrowRight | Key::ArrowDown | Key::Space | Key::PageDown | Key::N,
            ) => Some(Command::MoveSelection(1)),
            (
                View::Presentation,
                Key::ArrowLeft | Key::ArrowUp | Key::PageUp | Key::Backspace | Key::P,
            ) => Some(Command::MoveSelection(-1)),
            (View::Presentation, Key::Home) => Some(Command::MoveSelection(i64::MIN / 2)),
            (View::Presentation, Key::End) => Some(Command::MoveSelection(i64::MAX / 2)),
            (View::Presentation, Key::T) => Some(Command::TogglePairSlide),
            (View::Presentation, Key::Escape) => Some(Command::Present(false)),
            _ => None,
        };
        command.into_iter().collect()
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
        if hovering != self.state.frame.files_hovering {
            self.state.frame.files_hovering = hovering;
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
