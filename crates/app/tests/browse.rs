//! Browsing and demoing through the real app (egui_kittest): the thumbnail grid, presentation
//! mode, drag-and-drop opening, persisted state across a restart, and live reload of a folder
//! that a running eval is still writing.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{generated_runs, harness, harness_with, judged, step_until, wait_until_idle};
use egui_kittest::kittest::Queryable as _;
use unisandbox_app::persist::{Persisted, STORAGE_KEY, Theme};
use unisandbox_app::{InspectorApp, StartOptions, View};
use unisandbox_core::diagnostics::Severity;
use unisandbox_core::model::Verdict;

fn cell_label(app: &InspectorApp, index: usize) -> String {
    let data = &app.state.data.dataset;
    let item = &data.items[index];
    let folder = data.folder_of(item);
    format!(
        "{} {} {} {}",
        folder.run, folder.setting, folder.stem, item.id
    )
}

#[test]
fn grid_moves_by_cell_and_row_and_enter_opens_the_item() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Grid);
    let first = harness.state().state.ui.filtered[0];
    assert_eq!(harness.state().state.ui.selected, Some(first));
    let first_rect = harness
        .get_by_label(&cell_label(harness.state(), first))
        .rect();

    harness.key_press(egui::Key::ArrowRight);
    harness.run_steps(2);
    let state = &harness.state().state;
    assert_eq!(state.ui.selected, Some(state.ui.filtered[1]));
    let second_rect = harness
        .get_by_label(&cell_label(harness.state(), state.ui.filtered[1]))
        .rect();
    assert!(
        second_rect.left() > first_rect.right(),
        "the next cell is to the right"
    );

    // Down moves one row: the cell straight below the second one.
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(2);
    let below = harness.state().state.ui.selected.unwrap();
    let below_rect = harness
        .get_by_label(&cell_label(harness.state(), below))
        .rect();
    assert_eq!(below_rect.left(), second_rect.left());
    assert!(below_rect.top() > second_rect.bottom());
    let row = harness.state().state.selected_row().unwrap();
    assert!(
        row > 2,
        "a row holds several thumbnails, moved to row index {row}"
    );

    // Clicking a thumbnail selects it; Enter opens it in the list + detail view.
    let third = harness.state().state.ui.filtered[2];
    harness
        .get_by_label(&cell_label(harness.state(), third))
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().state.ui.selected, Some(third));
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    wait_until_idle(&mut harness);
    let state = &harness.state().state;
    assert_eq!(state.ui.view, View::Items);
    assert_eq!(state.ui.selected, Some(third));
    let prompt = state.data.dataset.items[third].prompt().to_string();
    // In the list row and in the detail pane.
    assert_eq!(harness.query_all_by_label(&prompt).count(), 2);
}

#[test]
fn grid_thumbnails_arrive_without_blocking_and_bigger_thumbnails_mean_fewer_columns() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Grid);
    let columns = |harness: &egui_kittest::Harness<'static, InspectorApp>| {
        let state = &harness.state().state;
        let top = harness
            .get_by_label(&cell_label(harness.state(), state.ui.filtered[0]))
            .rect()
            .top();
        state
            .ui
            .filtered
            .iter()
            .take(40)
            .take_while(|&&i| {
                harness
                    .query_by_label(&cell_label(harness.state(), i))
                    .is_some_and(|n| n.rect().top() == top)
            })
            .count()
    };
    let small = columns(&harness);
    harness.state_mut().state.settings.grid_thumbnail = 300.0;
    harness.run_steps(3);
    wait_until_idle(&mut harness);
    let large = columns(&harness);
    assert!(
        small > large && large >= 1,
        "{small} columns at 180 pt, {large} at 300 pt"
    );
}

#[test]
fn presentation_steps_by_keyboard_pairs_normal_with_think_and_escape_leaves() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    let total = harness.state().state.ui.filtered.len();
    harness.key_press(egui::Key::F11);
    harness.run_steps(3);
    wait_until_idle(&mut harness);
    assert_eq!(harness.state().state.ui.view, View::Presentation);
    harness.get_by_label(&format!("1 / {total}"));

    harness.key_press(egui::Key::ArrowRight);
    harness.key_press(egui::Key::Space);
    harness.run_steps(2);
    harness.get_by_label(&format!("3 / {total}"));
    harness.key_press(egui::Key::ArrowLeft);
    harness.run_steps(2);
    harness.get_by_label(&format!("2 / {total}"));
    let second = harness.state().state.ui.filtered[1];
    assert_eq!(harness.state().state.ui.selected, Some(second));
    let prompt = harness.state().state.data.dataset.items[second]
        .prompt()
        .to_string();
    harness.get_by_label(&prompt);

    // T: the same prompt, normal beside think, each with its own verdict.
    let think = harness
        .state()
        .state
        .counterpart(second)
        .expect("the generated runs have both settings");
    harness.key_press(egui::Key::T);
    harness.run_steps(3);
    wait_until_idle(&mut harness);
    assert!(harness.state().state.ui.pair_slide);
    harness.get_by_label("normal");
    harness.get_by_label("think");
    let think_item = &harness.state().state.data.dataset.items[think];
    assert!(
        think_item.has_trace(),
        "generated think items carry a trace"
    );
    harness.get_by_label("Reasoning (excerpt)");

    harness.key_press(egui::Key::End);
    harness.run_steps(2);
    harness.get_by_label(&format!("{total} / {total}"));
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    let state = &harness.state().state;
    assert_eq!(state.ui.view, View::Items);
    assert_eq!(state.ui.selected, state.ui.filtered.last().copied());
}

#[test]
fn a_demo_of_starred_items_runs_from_the_keyboard() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    let total = harness.state().state.ui.filtered.len();
    // F11 straight from the search box: the slides still get the keys.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    assert!(
        harness.ctx.egui_wants_keyboard_input(),
        "the search box has the focus"
    );
    harness.key_press(egui::Key::F11);
    harness.run_steps(2);
    // Star slides 1 and 3 while presenting, then show only the starred ones.
    harness.key_press(egui::Key::S);
    harness.key_press(egui::Key::ArrowRight);
    harness.key_press(egui::Key::ArrowRight);
    harness.key_press(egui::Key::S);
    harness.run_steps(2);
    harness.get_by_label(&format!("3 / {total}"));
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::S);
    harness.run_steps(3);
    wait_until_idle(&mut harness);
    let state = &harness.state().state;
    assert!(state.ui.filters.starred);
    assert_eq!(state.ui.filtered.len(), 2);
    assert_eq!(state.ui.view, View::Presentation);
    harness.get_by_label("2 / 2");
    harness.get_by_label_contains("Shift+S all listed");
    harness.key_press(egui::Key::Home);
    harness.run_steps(2);
    harness.get_by_label("1 / 2");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert_eq!(harness.state().state.ui.view, View::Items);
}

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_folder_opens_it_and_hovering_shows_the_drop_hint() {
    let first = generated_runs();
    let second = tempfile::tempdir().unwrap();
    unisandbox_demo::layouts::write_alternative_layouts(second.path(), 3).unwrap();
    let mut harness = harness(first.path(), View::Items);
    assert_eq!(harness.state().state.data.dataset.folders.len(), 73);

    harness.input_mut().hovered_files.push(egui::HoveredFile {
        path: Some(second.path().to_path_buf()),
        mime: String::new(),
    });
    harness.run_steps(2);
    assert!(harness.state().state.frame.files_hovering);
    harness.get_by_label("Drop run folders to open them");

    harness.input_mut().hovered_files.clear();
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(second.path().join("sidecar-layout"))));
    harness.run_steps(2);
    wait_until_idle(&mut harness);
    let state = &harness.state().state;
    assert!(!state.frame.files_hovering);
    assert_eq!(
        state.opened,
        [second.path().join("sidecar-layout").canonicalize().unwrap()]
    );
    let stems: Vec<&str> = state
        .data
        .dataset
        .folders
        .iter()
        .map(|f| f.stem.as_str())
        .collect();
    assert_eq!(stems, ["mapping2"]);
    assert_eq!(state.data.dataset.items.len(), 10);
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn view_filters_selection_theme_and_recent_runs_survive_a_restart() {
    use eframe::App as _;
    let dir = generated_runs();
    let mut storage = MemoryStorage::default();
    let options = || StartOptions {
        paths: vec![dir.path().to_path_buf()],
        view: View::Items,
        annotations: Some(dir.path().join("annotations.sqlite")),
        ..StartOptions::default()
    };
    let selected_key = {
        let mut harness = harness_with(options());
        // Narrow by typing, pick the third match, switch to the grid, go dark, enlarge thumbnails.
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
        harness.run_steps(2);
        harness
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "Search")
            .type_text("cups");
        harness.run_steps(2);
        harness.key_press(egui::Key::Escape); // leave the search box
        harness.run_steps(2);
        harness.get_by_label("Grid").click();
        harness.run_steps(2);
        harness.key_press(egui::Key::ArrowRight);
        harness.key_press(egui::Key::ArrowRight);
        harness.run_steps(2);
        harness.get_by_label("Start").click();
        harness.run_steps(2);
        harness.get_by_label("Dark").click();
        harness.run_steps(2);
        harness.get_by_label("Grid").click();
        harness.run_steps(2);
        let app = harness.state();
        assert_eq!(app.state.ui.filters.search, "cups");
        let selected = app.state.ui.selected.unwrap();
        assert_eq!(Some(selected), app.state.ui.filtered.get(2).copied());
        harness.state_mut().save(&mut storage);
        let app = harness.state();
        app.state
            .data
            .dataset
            .key_of(&app.state.data.dataset.items[selected])
    };
    let restored: Persisted = eframe::get_value(&storage, STORAGE_KEY).expect("state was saved");
    assert_eq!(restored.view, View::Grid);
    let mut restart = options();
    restart.view = restored.view;
    restart.restore = Some(restored);
    let harness = harness_with(restart);
    let state = &harness.state().state;
    assert_eq!(state.ui.view, View::Grid);
    assert_eq!(state.ui.filters.search, "cups");
    assert_eq!(state.settings.theme, Theme::Dark);
    assert_eq!(
        harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Dark
    );
    let selected = state.ui.selected.expect("selection restored");
    assert_eq!(
        state
            .data
            .dataset
            .key_of(&state.data.dataset.items[selected]),
        selected_key
    );
    assert_eq!(state.settings.recent.len(), 1);
    assert_eq!(
        state.settings.recent[0].paths,
        [dir.path().canonicalize().unwrap()]
    );
    assert_eq!(state.settings.recent[0].task_folders, 73);
}

use unisandbox_testkit::{append, csv_rows, snapshot_tree};

#[test]
fn a_folder_being_evaluated_updates_in_place() {
    // A copy of one generated task folder whose eval has judged only its first 8 images.
    let generated = generated_runs();
    let source = generated.path().join("bagel-base/test/normal/math_1");
    let live = tempfile::tempdir().unwrap();
    let folder = live.path().join("ckpt/test/normal/math_1");
    std::fs::create_dir_all(&folder).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png") {
            std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
        }
    }
    let (header, rows) = csv_rows(&source.join("evaluation_results.csv"));
    let csv = folder.join("evaluation_results.csv");
    std::fs::write(&csv, format!("{header}{}", rows[..8].concat())).unwrap();

    let mut harness = harness_with(StartOptions {
        paths: vec![live.path().to_path_buf()],
        view: View::Items,
        annotations: Some(generated.path().join("annotations.sqlite")),
        live_reload: true,
        ..StartOptions::default()
    });
    let images = harness.state().state.data.dataset.items.len();
    assert_eq!(judged(harness.state()), 8);
    assert!(harness.state().state.watching);
    // Select an item and narrow the list; both must survive the reloads.
    harness.key_press(egui::Key::ArrowDown);
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(2);
    let selected = {
        let state = &harness.state().state;
        state
            .data
            .dataset
            .key_of(&state.data.dataset.items[state.ui.selected.unwrap()])
    };
    harness.state_mut().state.ui.filters.setting = Some("normal".into());

    // The eval appends five rows and is half-way through writing the sixth.
    let sixth = &rows[13];
    append(
        &csv,
        &format!("{}{}", rows[8..13].concat(), &sixth[..sixth.len() / 2]),
    );
    step_until(
        &mut harness,
        Duration::from_secs(10),
        "the appended rows",
        |app| judged(app) == 13,
    );
    wait_until_idle(&mut harness);
    let state = &harness.state().state;
    assert_eq!(
        state.data.dataset.items.len(),
        images,
        "no item invented from the partial row"
    );
    let message = &state.last_reload.as_ref().expect("a reload message").0;
    assert!(message.contains("+5 judged"), "{message}");
    harness.get_by_label_contains("+5 judged");
    let selected_now = state
        .data
        .dataset
        .key_of(&state.data.dataset.items[state.ui.selected.unwrap()]);
    assert_eq!(selected_now, selected);
    assert_eq!(state.ui.filters.setting.as_deref(), Some("normal"));
    assert!(
        state
            .data
            .dataset
            .diagnostics
            .iter()
            .all(|d| d.severity != Severity::Error),
        "{:#?}",
        state.data.dataset.diagnostics
    );
    assert!(
        state
            .data
            .dataset
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Info && d.message.contains("not counted")),
        "the half-written row is noted: {:#?}",
        state.data.dataset.diagnostics
    );

    // The row is finished: it counts now.
    append(&csv, &sixth[sixth.len() / 2..]);
    step_until(
        &mut harness,
        Duration::from_secs(10),
        "the finished row",
        |app| judged(app) == 14,
    );
    let state = &harness.state().state;
    let id = sixth.split(',').next().unwrap();
    let finished = state
        .data
        .dataset
        .items
        .iter()
        .find(|i| i.id == id)
        .expect("the finished row's item");
    assert_ne!(finished.verdict, Verdict::NotJudged);

    // The launcher starts a new task folder: a full reload finds it, still live.
    let next = live.path().join("ckpt/test/normal/math_2");
    std::fs::create_dir_all(&next).unwrap();
    for id in 1..=3 {
        std::fs::copy(
            folder.join(format!("{id}.png")),
            next.join(format!("{id}.png")),
        )
        .unwrap();
    }
    step_until(
        &mut harness,
        Duration::from_secs(10),
        "the new folder",
        |app| {
            app.state.data.dataset.folders.len() == 2
                && app.state.data.dataset.items.len() == images + 3
        },
    );
    let message = &harness.state().state.last_reload.as_ref().unwrap().0;
    assert!(message.contains("+3 new items"), "{message}");
}

#[test]
fn background_filtering_keeps_only_the_newest_search_and_charts_count_in_the_background() {
    use unisandbox_app::Command;
    use unisandbox_core::filters::{Filters, filter_items};
    let runs = generated_runs();
    let options = StartOptions {
        paths: vec![runs.path().to_path_buf()],
        view: View::Items,
        annotations: Some(runs.path().join("annotations.sqlite")),
        // Every pass in the background, as for a million items.
        background_filter_from: Some(0),
        ..StartOptions::default()
    };
    let mut harness = harness_with(options);
    let search = |text: &str| Filters {
        search: text.into(),
        ..Filters::default()
    };
    // Two keystrokes in one frame: the first search must not win.
    harness
        .state_mut()
        .push_command(Command::SetFilters(search("zzz-nothing")));
    harness
        .state_mut()
        .push_command(Command::SetFilters(search("cups")));
    wait_until_idle(&mut harness);
    let app = harness.state();
    let expected = filter_items(
        &app.state.data.dataset,
        &search("cups"),
        &app.state.data.insights,
        &app.state.annotations,
    );
    assert!(!expected.is_empty());
    assert_eq!(app.state.ui.filtered, expected);
    assert!(
        app.state
            .ui
            .selected
            .is_some_and(|s| app.state.ui.filtered.contains(&s)),
        "the selection follows the list"
    );

    // The Charts view's counts come from the background too, equal to counting here.
    harness
        .state_mut()
        .push_command(Command::SetView(View::Charts));
    wait_until_idle(&mut harness);
    let app = harness.state();
    assert!(!app.state.ui.charts_computing);
    let here = unisandbox_app::charts_cache::ChartsCache::compute(app.state.charts_input());
    assert!(!here.rows.is_empty());
    assert_eq!(app.state.ui.charts.rows, here.rows);
    assert_eq!(app.state.ui.charts.failures, here.failures);
}

#[test]
fn keys_typed_faster_than_frames_apply_one_by_one_in_order() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    harness.key_press(egui::Key::ArrowDown);
    harness.key_press(egui::Key::ArrowUp);
    harness.run_steps(2);
    let start = harness.state().state.selected_row().expect("a selection");
    let tag = harness.state().state.tag_names[2].clone();
    // Ten rounds of ↓ S 3, all in one frame (a fast typist on a busy machine). The harness's
    // own `key_press` runs a frame per event, so the events go into one frame's input here.
    for _ in 0..10 {
        for key in [egui::Key::ArrowDown, egui::Key::S, egui::Key::Num3] {
            for pressed in [true, false] {
                harness.input_mut().events.push(egui::Event::Key {
                    key,
                    physical_key: Some(key),
                    pressed,
                    repeat: false,
                    modifiers: egui::Modifiers::NONE,
                });
            }
        }
    }
    harness.step();
    harness.run_steps(3);
    let app = harness.state();
    let state = &app.state;
    assert_eq!(state.selected_row(), Some(start + 10));
    for row in start..start + 12 {
        let index = state.ui.filtered[row];
        let annotation = state
            .annotation_of(&state.data.dataset.items[index])
            .cloned()
            .unwrap_or_default();
        let expected = (start + 1..=start + 10).contains(&row);
        assert_eq!(annotation.starred, expected, "star on row {row}");
        assert_eq!(annotation.tags.contains(&tag), expected, "tag on row {row}");
    }
    // And so says the database, within half a second (the writer thread commits them).
    let store =
        unisandbox_core::annotations::AnnotationStore::open(&dir.path().join("annotations.sqlite"))
            .unwrap();
    let typed = std::time::Instant::now();
    let counts = || {
        let saved = store.load_all().unwrap();
        (
            saved.values().filter(|a| a.starred).count(),
            saved.values().filter(|a| a.tags.contains(&tag)).count(),
        )
    };
    while counts() != (10, 10) && typed.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(counts(), (10, 10));
}

#[test]
fn browsing_annotating_and_presenting_leave_the_run_folder_byte_identical() {
    let dir = generated_runs();
    let elsewhere = tempfile::tempdir().unwrap();
    let before = snapshot_tree(dir.path());
    let mut harness = harness_with(StartOptions {
        paths: vec![dir.path().to_path_buf()],
        view: View::Items,
        annotations: Some(elsewhere.path().join("annotations.sqlite")),
        live_reload: true,
        ..StartOptions::default()
    });
    for key in [egui::Key::ArrowDown, egui::Key::S, egui::Key::Num2] {
        harness.key_press(key);
    }
    let views = [
        View::Grid,
        View::Compare,
        View::Charts,
        View::Diagnostics,
        View::Presentation,
        View::Items,
    ];
    for view in views {
        harness
            .state_mut()
            .push_command(unisandbox_app::Command::SetView(view));
        harness.run_steps(3);
        harness.key_press(egui::Key::ArrowDown);
        harness.key_press(egui::Key::S);
    }
    wait_until_idle(&mut harness);
    // The eval re-runs an item (a row appended): the window reloads, and still writes nothing.
    let csv = dir
        .path()
        .join("bagel-base/test/normal/math_1/evaluation_results.csv");
    let (_, rows) = csv_rows(&csv);
    let flipped = if rows[0].contains(",YES,1,") {
        rows[0].replace(",YES,1,", ",NO,0,")
    } else {
        rows[0].replace(",NO,0,", ",YES,1,")
    };
    assert_ne!(flipped, rows[0], "the row's verdict flips");
    append(&csv, &flipped);
    let mut before = before;
    before.insert(csv.clone(), std::fs::read(&csv).unwrap());
    assert!(harness.state().state.last_reload.is_none());
    step_until(
        &mut harness,
        Duration::from_secs(20),
        "the live reload",
        |app| app.state.last_reload.is_some(),
    );
    wait_until_idle(&mut harness);
    drop(harness);
    // (The CLI's exports: tests/read_only.rs of the binary.)
    assert!(
        elsewhere.path().join("annotations.sqlite").exists(),
        "annotations went to their own file"
    );
    let after = snapshot_tree(dir.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file added or removed"
    );
    assert!(before == after, "every file byte-identical");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_note_draft_stays_with_its_item_when_a_reload_moves_the_indices() {
    use unisandbox_core::annotations::AnnotationStore;
    use unisandbox_core::model::ItemKey;
    let dir = generated_runs();
    let elsewhere = tempfile::tempdir().unwrap();
    let db = elsewhere.path().join("annotations.sqlite");
    let mut harness = harness_with(StartOptions {
        paths: vec![dir.path().to_path_buf()],
        view: View::Items,
        annotations: Some(db.clone()),
        live_reload: true,
        ..StartOptions::default()
    });
    harness.key_press(egui::Key::ArrowDown);
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(2);
    let key_at = |app: &InspectorApp, index: usize| {
        app.state
            .data
            .dataset
            .annotation_key_of(&app.state.data.dataset.items[index])
    };
    let index = harness.state().state.ui.selected.unwrap();
    let first = key_at(harness.state(), index);
    harness.get_by_label("Note").focus();
    harness.get_by_label("Note").type_text("first");
    harness.run_steps(2);

    // A checkpoint that sorts first appears: everything reloads and every index moves.
    let folders = harness.state().state.data.dataset.folders.len();
    copy_dir(
        &dir.path().join("bagel-base/test/normal/math_1"),
        &dir.path().join("aaa-ckpt/test/normal/math_1"),
    );
    step_until(&mut harness, Duration::from_secs(20), "the reload", |app| {
        app.state.data.dataset.folders.len() > folders && app.state.progress.finished
    });
    wait_until_idle(&mut harness);
    // The item now at the old index is another one; a note typed there is its own.
    let second = key_at(harness.state(), index);
    assert_ne!(second, first, "the indices moved");
    harness
        .state_mut()
        .push_command(unisandbox_app::Command::Select(index));
    harness.run_steps(2);
    harness.get_by_label("Note").focus();
    harness.get_by_label("Note").type_text("z");
    harness.run_steps(2);

    let store = AnnotationStore::open(&db).unwrap();
    let typed = std::time::Instant::now();
    let notes = || {
        let all = store.load_all().unwrap();
        let note = |key: &ItemKey| all.get(key).map(|a| a.note.clone()).unwrap_or_default();
        (note(&first), note(&second))
    };
    while notes() != ("first".into(), "z".into()) && typed.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(notes(), ("first".to_string(), "z".to_string()));
}

#[test]
fn reviewing_by_keyboard_stores_human_verdicts_and_updates_agreement() {
    use unisandbox_core::annotations::Human;
    let dir = generated_runs();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut harness = harness_with(StartOptions {
        paths: vec![dir.path().to_path_buf()],
        view: View::Items,
        annotations: Some(elsewhere.path().join("annotations.sqlite")),
        ..StartOptions::default()
    });
    harness
        .state_mut()
        .push_command(unisandbox_app::Command::SetView(View::Review));
    harness.run_steps(2);
    let queue = harness.state().state.ui.review.queue.clone();
    assert!(queue.len() > 5, "the judged items are queued");
    let reviews = |app: &InspectorApp| -> Vec<(usize, Human, Option<String>)> {
        let state = &app.state;
        queue
            .iter()
            .filter_map(|&i| {
                let review = state
                    .annotation_of(&state.data.dataset.items[i])?
                    .review
                    .clone()?;
                Some((i, review.human, review.corrected_answer))
            })
            .collect()
    };
    for key in [
        egui::Key::Y,
        egui::Key::N,
        egui::Key::Y,
        egui::Key::N,
        egui::Key::U,
    ] {
        harness.key_press(key);
    }
    harness.run_steps(2);
    let given: Vec<Human> = reviews(harness.state()).iter().map(|r| r.1).collect();
    assert_eq!(
        given,
        [Human::Yes, Human::No, Human::Yes, Human::No, Human::Unsure]
    );
    assert_eq!(
        harness.state().state.ui.review.position,
        5,
        "each verdict moves on"
    );
    harness.get_by_label_contains("5 / ");

    // Undo takes the last one back and returns to its item.
    harness.key_press(egui::Key::Z);
    harness.run_steps(2);
    assert_eq!(reviews(harness.state()).len(), 4);
    assert_eq!(harness.state().state.ui.review.position, 4);

    // K: the key is wrong; type the right answer, then judge the image against it.
    harness.key_press(egui::Key::K);
    harness.run_steps(2);
    harness.get_by_label("Right answer").type_text("3 cups");
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    harness.key_press(egui::Key::Y);
    harness.run_steps(2);
    let last = reviews(harness.state()).pop().unwrap();
    assert_eq!(
        (last.0, last.1, last.2.as_deref()),
        (queue[4], Human::Yes, Some("3 cups"))
    );

    // The Charts view shows judge versus human on what was reviewed.
    harness
        .state_mut()
        .push_command(unisandbox_app::Command::SetView(View::Charts));
    harness.run_steps(3);
    let reviewed: u64 = harness
        .state()
        .state
        .ui
        .charts
        .agreement
        .iter()
        .map(|r| r.reviewed)
        .sum();
    assert_eq!(
        reviewed, 5,
        "four Y/N and the Y after K; unsure counts nowhere"
    );
    harness.get_by_label("Judge vs human");
    // The disagreements of the first folder open in Items.
    let first = harness.state().state.ui.charts.agreement[0].clone();
    let disagreements = first.judge_yes_human_no + first.judge_no_human_yes;
    assert!(
        disagreements > 0,
        "the demo's first items are mostly judged NO; two got a Y"
    );
    harness
        .get_all_by_label_contains("disagreement(s)")
        .next()
        .unwrap()
        .click_accesskit(); // below the fold of the Charts view

    harness.run_steps(3);
    wait_until_idle(&mut harness);
    let state = &harness.state().state;
    assert_eq!(state.ui.view, View::Items);
    assert!(state.ui.filters.disagree);
    assert_eq!(state.ui.filtered.len() as u64, disagreements);
}

/// The judge's failures and re-runs in the window: the "verdict changed" filter and the Failure
/// filter list them, a failed call is labelled as one, the Charts toggle counts only judged
/// items, and "About the judge" names the folders; a bad regular expression says why.
#[test]
fn judge_failures_and_reruns_are_shown_apart_from_model_errors() {
    use unisandbox_app::Command;
    use unisandbox_core::filters::Filters;
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    harness.get_by_label("verdict changed between runs").click();
    wait_until_idle(&mut harness);
    let app = harness.state();
    let listed = &app.state.ui.filtered;
    assert_eq!(listed.len(), 6, "think/math_3's 2 and normal/mapping3's 4");
    assert!(
        listed
            .iter()
            .all(|&i| app.state.data.dataset.items[i].verdict_changed())
    );

    let failed = Filters {
        failure: Some("judge call failed".into()),
        ..Filters::default()
    };
    harness
        .state_mut()
        .push_command(Command::SetFilters(failed));
    wait_until_idle(&mut harness);
    let app = harness.state();
    assert_eq!(app.state.ui.filtered.len(), 7);
    let first = app.state.ui.filtered[0];
    assert_eq!(
        app.state.data.dataset.items[first].verdict,
        Verdict::JudgeError
    );
    harness.get_by_label_contains("The judge call failed: this image was never judged");

    let bad = Filters {
        search: "(unclosed".into(),
        search_regex: true,
        ..Filters::default()
    };
    harness.state_mut().push_command(Command::SetFilters(bad));
    wait_until_idle(&mut harness);
    assert!(harness.state().state.ui.filtered.is_empty());
    harness.get_by_label_contains("not a regular expression");

    harness
        .state_mut()
        .push_command(Command::SetView(View::Charts));
    wait_until_idle(&mut harness);
    let total =
        |app: &InspectorApp| -> u64 { app.state.ui.charts.rows.iter().map(|r| r.total).sum() };
    let with_failures = total(harness.state());
    harness.get_by_label_contains("3 of 19 NO verdicts in bagel-base/normal/math_1");
    harness.get_by_label_contains("the log counts 20 rows of the last completed run");
    harness.get_by_label("exclude judge-call failures").click();
    wait_until_idle(&mut harness);
    // Items no image of which the judge judged (a pair with a NO on its other image stays: the
    // NO decides it).
    let unjudged = harness
        .state()
        .state
        .data
        .dataset
        .items
        .iter()
        .filter(|i| i.verdict == Verdict::JudgeError)
        .count() as u64;
    assert!(unjudged > 0 && unjudged < 7);
    assert_eq!(total(harness.state()), with_failures - unjudged);
}

/// Checkpoints of one training run open as a trajectory: a line per task type and setting, and
/// the items' dynamics beneath, counted off the UI thread like the Charts.
#[test]
fn a_training_run_shows_its_trajectory_and_dynamics() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::scale::write_scale(dir.path(), 3, 4, 400).unwrap();
    let mut harness = harness(dir.path(), View::Trajectory);
    wait_until_idle(&mut harness);
    let charts = &harness.state().state.ui.charts.trajectory;
    assert_eq!(charts.series.len(), 1);
    assert_eq!(charts.series[0].name, "ckpt-*");
    assert_eq!(charts.series[0].runs.len(), 4);
    // 4 steps × normal/think × 5 task types.
    assert_eq!(charts.trajectory.len(), 40);
    assert_eq!(charts.dynamics.len(), 10);
    harness.get_by_label("What the items learned and forgot along the run");
    harness.get_by_label_contains("ckpt-* · 4 checkpoints, steps 0–3");
}

/// A generated training run: a dynamics count opens exactly its items in the list (each at the
/// step that tells), and C shows one of them at every checkpoint, stepped with the arrows.
#[test]
fn a_dynamics_count_lists_its_items_and_the_strip_steps_through_checkpoints() {
    use unisandbox_demo::series::{Plan, plan};
    let dir = tempfile::tempdir().unwrap();
    let (seed, checkpoints) = (5, 5);
    unisandbox_demo::series::write_series(dir.path(), seed, checkpoints, 500).unwrap();
    let mut harness = harness(dir.path(), View::Trajectory);
    wait_until_idle(&mut harness);
    let learned: Vec<usize> = (0..10)
        .filter(|&i| {
            matches!(
                plan(seed, "think", "math_1", i, checkpoints),
                Plan::LearnedAt(_)
            )
        })
        .collect();
    assert!(!learned.is_empty());
    let count = format!("think Math L1 learned: {} items", learned.len());
    // The table is under the charts: scrolled into view as a user would.
    harness.get_by_label(&count).scroll_to_me();
    wait_until_idle(&mut harness);
    harness.get_by_label(&count).click_accesskit();
    wait_until_idle(&mut harness);
    let app = harness.state();
    assert_eq!(app.state.ui.view, View::Items);
    let data = &app.state.data.dataset;
    let listed: Vec<(String, String)> = app
        .state
        .ui
        .filtered
        .iter()
        .map(|&i| {
            let folder = data.folder_of(&data.items[i]);
            (folder.run.clone(), data.items[i].id.clone())
        })
        .collect();
    // Each learned item once, at the checkpoint where it was learned.
    let mut expected: Vec<(String, String)> = learned
        .iter()
        .map(|&i| {
            let Plan::LearnedAt(at) = plan(seed, "think", "math_1", i, checkpoints) else {
                unreachable!()
            };
            (unisandbox_demo::series::checkpoint_name(at), String::new())
        })
        .collect();
    expected.sort();
    let mut runs: Vec<(String, String)> = listed
        .iter()
        .map(|(run, _)| (run.clone(), String::new()))
        .collect();
    runs.sort();
    assert_eq!(runs, expected, "{listed:?}");
    harness.get_by_label_contains("learned along train-*");

    // C: the first listed item at every checkpoint; → moves along the steps.
    harness.key_press(egui::Key::ArrowDown);
    wait_until_idle(&mut harness);
    let selected = harness.state().state.ui.selected.unwrap();
    harness.key_press(egui::Key::C);
    wait_until_idle(&mut harness);
    assert_eq!(harness.state().state.ui.view, View::Strip);
    for step in 1..=checkpoints {
        harness.get_by_label(&format!("step {}", step * 1000));
    }
    let strip_step = |h: &egui_kittest::Harness<InspectorApp>| {
        unisandbox_app::strip::strip_of(&h.state().state).map(|s| s.cells[s.current].0)
    };
    let start = strip_step(&harness).unwrap();
    harness.key_press(egui::Key::ArrowLeft);
    wait_until_idle(&mut harness);
    assert_eq!(strip_step(&harness), Some(start.saturating_sub(1)));
    harness.key_press(egui::Key::ArrowRight);
    harness.key_press(egui::Key::ArrowRight);
    wait_until_idle(&mut harness);
    assert_eq!(
        strip_step(&harness),
        Some((start.max(1) + 1).min(checkpoints - 1))
    );
    // ↓: the next item of the list, at the same step.
    harness.key_press(egui::Key::ArrowDown);
    wait_until_idle(&mut harness);
    let app = harness.state();
    if app.state.ui.filtered.len() > 1 {
        assert_ne!(app.state.ui.selected, Some(selected));
    }
    assert_eq!(app.state.ui.view, View::Strip);
    harness.key_press(egui::Key::Escape);
    wait_until_idle(&mut harness);
    assert_eq!(harness.state().state.ui.view, View::Items);
}

/// The series editor's choices — a single run as step 0, a checkpoint left out, a name — change
/// the trajectory at once and come back when the same folders open again.
#[test]
fn series_edits_shape_the_trajectory_and_are_remembered_for_the_folder_set() {
    use unisandbox_app::Command;
    use unisandbox_core::analysis::trajectory::SeriesEdits;
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::write_demo(dir.path(), 7).unwrap();
    unisandbox_demo::series::write_series(&dir.path().join("run"), 3, 3, 60).unwrap();
    let options = || StartOptions {
        paths: vec![dir.path().to_path_buf()],
        view: View::Trajectory,
        annotations: Some(dir.path().join("annotations.sqlite")),
        ..StartOptions::default()
    };
    let mut harness = harness_with(options());
    wait_until_idle(&mut harness);
    let cache = &harness.state().state.ui.charts.trajectory;
    assert_eq!(cache.series.len(), 1);
    assert!(cache.single_runs.iter().any(|r| r == "bagel-base"));
    let mut edits = SeriesEdits {
        base: Some("bagel-base".into()),
        excluded: vec!["run/train-0002000".into()],
        ..SeriesEdits::default()
    };
    edits
        .names
        .insert("run/train-*".into(), "self-training".into());
    harness
        .state_mut()
        .push_command(Command::SetSeriesEdits(edits.clone()));
    harness.step();
    wait_until_idle(&mut harness);
    harness.step();
    let series_runs = |app: &InspectorApp| -> (String, Vec<(String, u64)>) {
        let series = &app.state.ui.charts.trajectory.series[0];
        (series.name.clone(), series.runs.clone())
    };
    let expected = (
        "self-training".to_string(),
        vec![
            ("bagel-base".to_string(), 0),
            ("run/train-0001000".to_string(), 1000),
            ("run/train-0003000".to_string(), 3000),
        ],
    );
    assert_eq!(series_runs(harness.state()), expected);
    assert!(
        harness
            .state()
            .state
            .ui
            .charts
            .trajectory
            .trajectory
            .iter()
            .any(|p| p.step == 0 && p.run == "bagel-base")
    );
    harness.get_by_label_contains("self-training · 3 checkpoints, steps 0–3000");

    // Saved with the session, applied when the same folders open again.
    let saved = harness.state().persisted();
    assert_eq!(saved.series_edits.values().collect::<Vec<_>>(), [&edits]);
    let mut restart = options();
    restart.restore = Some(saved);
    let mut harness = harness_with(restart);
    wait_until_idle(&mut harness);
    assert_eq!(series_runs(harness.state()), expected);
}

/// The series editor itself: unticking a checkpoint leaves it out of the trajectory.
#[test]
fn the_series_editor_leaves_a_checkpoint_out() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::series::write_series(dir.path(), 3, 4, 80).unwrap();
    let mut harness = harness(dir.path(), View::Trajectory);
    wait_until_idle(&mut harness);
    harness
        .get_by_label_contains("Series: train-* (edit)")
        .click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, "2000")
        .click();
    harness.run_steps(2);
    wait_until_idle(&mut harness);
    harness.run_steps(2);
    let runs: Vec<u64> = harness.state().state.ui.charts.trajectory.series[0]
        .runs
        .iter()
        .map(|(_, step)| *step)
        .collect();
    assert_eq!(runs, [1000, 3000, 4000]);
    assert_eq!(
        harness.state().state.series_edits().excluded,
        ["train-0002000"]
    );
}
