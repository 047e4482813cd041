//! The real app driven through egui_kittest: open generated runs, click an item by its label,
//! read its prompt and verdict, switch to Charts and Diagnostics; plus snapshots of the views.

mod common;

use common::{generated_runs, harness, wait_until_idle};
use egui_kittest::kittest::Queryable as _;
use unisandbox_app::View;
use unisandbox_core::diagnostics::Severity;

#[test]
fn click_an_item_and_see_its_prompt_and_verdict() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    let app = &harness.state().state;
    assert_eq!(app.data.dataset.folders.len(), 73);
    // Pick a knowledge item: its prompt names the character and is short enough to read whole.
    let item = app
        .data
        .dataset
        .items
        .iter()
        .find(|i| app.data.dataset.folder_of(i).stem == "Nyxella" && i.id == "12")
        .expect("the generated Nyxella fruit question");
    let question = item.parts[0].question.clone();
    assert!(question.contains("favorite fruit of character Nyxella"));

    // Narrow the list with the search box, then click the row by its ID label.
    harness.get_by_label("Search").click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Search")
        .type_text("favorite fruit of character Nyxella");
    wait_until_idle(&mut harness);
    let rows = harness.state().state.ui.filtered.len();
    assert_eq!(rows, 4, "two checkpoints × two settings");
    harness
        .get_all_by_label("12")
        .next()
        .expect("a row labelled 12")
        .click();
    wait_until_idle(&mut harness);
    assert_eq!(
        harness
            .state()
            .state
            .ui
            .selected
            .map(|s| harness.state().state.data.dataset.items[s].id.clone()),
        Some("12".into())
    );
    let selected = harness.state().state.ui.selected.unwrap();
    let shown = &harness.state().state.data.dataset.items[selected];
    assert_eq!(shown.parts[0].question, question);

    // The detail shows the prompt and the verdict badge.
    assert_eq!(
        harness.get_all_by_label(&question).count(),
        rows + 1,
        "the prompt in each list row and in the detail"
    );
    harness.get_by_label(&format!(" {} ", shown.verdict.label()));
    harness.get_by_label("Expected answer:");
}

#[test]
fn arrow_keys_move_through_the_filtered_list() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    let first = harness.state().state.ui.filtered[0];
    assert_eq!(harness.state().state.ui.selected, Some(first));
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(2);
    assert_eq!(
        harness.state().state.ui.selected,
        Some(harness.state().state.ui.filtered[1])
    );
    harness.key_press(egui::Key::ArrowUp);
    harness.key_press(egui::Key::ArrowUp);
    harness.run_steps(2);
    assert_eq!(harness.state().state.ui.selected, Some(first));
}

#[test]
fn charts_list_every_task_type() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    harness.get_by_label("Charts").click();
    wait_until_idle(&mut harness);
    for task in [
        "Math L1",
        "Math L2",
        "Math L3",
        "Mapping L1",
        "Mapping L3",
        "Knowledge forward",
        "Knowledge inverse",
    ] {
        assert!(
            harness.get_all_by_label(task).next().is_some(),
            "{task} row"
        );
    }
    harness.get_by_label("Failure modes");
    // math_2 id 4 has a wrong key in every run: excluding it leaves 19 Math L2 items.
    assert!(harness.get_all_by_label_contains("/20)").next().is_some());
    harness
        .get_by_label_contains("exclude suspect answer keys")
        .click();
    wait_until_idle(&mut harness);
    assert!(harness.state().state.ui.exclude_suspect);
    assert!(
        harness.get_all_by_label_contains("/19)").next().is_some(),
        "Math L2 counts 19 items without the suspect key"
    );
    assert!(
        harness
            .get_all_by_label("other symbol's object")
            .next()
            .is_some()
    );
    assert!(
        harness.get_all_by_label("bagel-base · think").count() >= 2,
        "legend and table header"
    );
    let problems = harness
        .state()
        .state
        .data
        .dataset
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .count();
    assert!(
        problems >= 5,
        "the planted anomalies are diagnosed: {:#?}",
        harness.state().state.data.dataset.diagnostics
    );
    harness
        .get_by_label(&format!("Diagnostics ({problems})"))
        .click();
    wait_until_idle(&mut harness);
    harness.get_by_label("Diagnostics");
    assert!(harness.get_all_by_label_contains("image missing").count() >= 1);
}

#[test]
fn missing_image_and_missing_trace_say_why() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    let data = &harness.state().state.data.dataset;
    let missing = data
        .items
        .iter()
        .position(|i| {
            data.folder_of(i).run == "bagel-base"
                && data.folder_of(i).setting == "normal"
                && data.folder_of(i).stem == "math_2"
                && i.id == "7"
        })
        .unwrap();
    harness.state_mut().state.ui.selected = Some(missing);
    wait_until_idle(&mut harness);
    harness.get_by_label("Image missing");
    harness.get_by_label("No reasoning trace");
}

#[test]
fn snapshots_of_the_main_views() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    // Stable content regardless of the temp path: select a fixed item and hide the path line.
    harness.snapshot("items_view");
    harness.get_by_label("Charts").click();
    wait_until_idle(&mut harness);
    harness.snapshot("charts_view");
    harness.get_by_label("Grid").click();
    harness.run_steps(2);
    wait_until_idle(&mut harness);
    harness.snapshot("grid_view");
    harness.key_press(egui::Key::F11);
    harness.run_steps(2);
    wait_until_idle(&mut harness);
    harness.snapshot("presentation_view");
}

#[test]
fn zoom_overlay_opens_and_closes_with_escape() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    let selected = harness.state().state.ui.selected.unwrap();
    let path = harness.state().state.data.dataset.items[selected].parts[0]
        .image_path
        .clone();
    harness.state_mut().state.ui.zoom = Some(path);
    wait_until_idle(&mut harness);
    harness.get_by_label("Click the image or press Esc to close");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert_eq!(harness.state().state.ui.zoom, None);
}

#[test]
fn compare_view_lists_flips_and_switches_sides_by_keyboard() {
    let dir = generated_runs();
    let mut harness = harness(dir.path(), View::Items);
    harness.get_by_label("Compare").click();
    wait_until_idle(&mut harness);
    harness.get_by_label("Flips from bagel-base/normal to bagel-base/think");
    let compare = &harness.state().state.ui.compare;
    let math_1 = compare
        .flips
        .iter()
        .find(|f| f.task == "math_1")
        .expect("math_1 flips")
        .clone();
    assert!(!math_1.fixes.is_empty());
    let all_rows = compare.visible_keys().len();

    // Clicking the fixes count of math_1 lists exactly those items.
    let count = math_1.fixes.len().to_string();
    let button = harness
        .get_all_by_label(&count)
        .next()
        .expect("the fixes count");
    button.click();
    wait_until_idle(&mut harness);
    let visible: Vec<String> = harness
        .state()
        .state
        .ui
        .compare
        .visible_keys()
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(visible, math_1.fixes);
    assert!(visible.len() < all_rows);

    // → moves the focused side, ↓ the item.
    assert_eq!(harness.state().state.ui.compare.focus, 0);
    harness.key_press(egui::Key::ArrowRight);
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(2);
    assert_eq!(harness.state().state.ui.compare.focus, 1);
    assert_eq!(
        harness.state().state.ui.compare.selected,
        1.min(visible.len() - 1)
    );
    harness.get_by_label("B · bagel-base/think");
}

#[test]
fn number_keys_tag_and_tags_survive_a_restart() {
    let dir = generated_runs();
    let (tag_1, tag_3, selected_id) = {
        let mut harness = harness(dir.path(), View::Items);
        harness.key_press(egui::Key::ArrowDown);
        harness.run_steps(2);
        harness.key_press(egui::Key::Num1);
        harness.key_press(egui::Key::Num3);
        harness.key_press(egui::Key::S);
        harness.run_steps(3);
        let (annotation, tag_1, tag_3, id) = {
            let state = &harness.state().state;
            let item = &state.data.dataset.items[state.ui.selected.unwrap()];
            (
                state.annotation_of(item).expect("annotated").clone(),
                state.tag_names[0].clone(),
                state.tag_names[2].clone(),
                item.id.clone(),
            )
        };
        assert!(annotation.tags.contains(&tag_1) && annotation.tags.contains(&tag_3));
        assert!(annotation.starred);
        // Pressing 3 again removes that tag.
        harness.key_press(egui::Key::Num3);
        harness.run_steps(2);
        harness.get_by_label(&format!("1 {tag_1}"));
        (tag_1, tag_3, id)
        // The app is dropped here without any save step, like a killed process.
    };
    let harness = harness(dir.path(), View::Items);
    let state = &harness.state().state;
    let item = &state.data.dataset.items[state.ui.filtered[1]];
    assert_eq!(item.id, selected_id);
    let annotation = state.annotation_of(item).expect("annotations were kept");
    assert!(annotation.tags.contains(&tag_1));
    assert!(!annotation.tags.contains(&tag_3));
    assert!(annotation.starred);
}

/// Searches the list for `text` and clicks the first row labelled `id`; returns the item shown.
fn open_by_search(
    harness: &mut egui_kittest::Harness<'static, unisandbox_app::InspectorApp>,
    text: &str,
    id: &str,
) -> std::sync::Arc<unisandbox_core::model::Item> {
    harness.get_by_label("Search").click();
    harness.run_steps(2);
    // Select what an earlier search left, so typing replaces it.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Search")
        .type_text(text);
    wait_until_idle(harness);
    harness
        .get_all_by_label(id)
        .next()
        .unwrap_or_else(|| panic!("a row labelled {id}"))
        .click();
    wait_until_idle(harness);
    let state = &harness.state().state;
    let selected = state.ui.selected.expect("an item selected");
    let item = state.data.dataset.items[selected].clone();
    assert_eq!(item.id, id);
    item
}

/// GenEval and WISE outputs open like runs: a GenEval prompt shows its four samples, each with
/// the detector's verdict and reason; a WISE item its scores, WiScore and the judge's words; a
/// failed WISE judge call says so instead of scoring the image.
#[test]
fn a_geneval_prompt_shows_its_samples_and_a_wise_item_its_scores() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::companion::write_companion(dir.path(), 7).unwrap();
    let mut harness = harness(dir.path(), View::Items);
    let families: std::collections::BTreeSet<&str> = harness
        .state()
        .state
        .data
        .dataset
        .folders
        .iter()
        .map(|f| f.kind.family.name())
        .collect();
    assert_eq!(families, ["geneval", "wise"].into());

    let item = open_by_search(&mut harness, "a photo of three cups", "00252");
    assert_eq!(item.parts.len(), 4);
    let rows = harness.state().state.ui.filtered.len();
    assert_eq!(rows, 2, "normal and think");
    assert_eq!(
        harness.get_all_by_label("a photo of three cups").count(),
        rows + 1,
        "the prompt in each list row and in the detail"
    );
    harness.get_by_label("cup>=3, cup<4");
    for part in &item.parts {
        harness.get_by_label(&format!("Sample {}", part.label.unwrap()));
        let reason = &part
            .analysis
            .as_ref()
            .expect("every sample was evaluated")
            .phase1;
        assert!(harness.get_all_by_label(reason).count() >= 1, "{reason}");
    }
    let right = item
        .parts
        .iter()
        .filter(|p| p.verdict == unisandbox_core::model::Verdict::Yes)
        .count();
    harness.get_by_label_contains(&format!("{right} of 4 samples right"));

    // A WISE item the judge scored: its three scores and the WiScore they make.
    let item = open_by_search(&mut harness, "A maple tree in late autumn", "425");
    let judged = item
        .extras
        .as_ref()
        .and_then(|e| e.wise.clone())
        .expect("scores");
    harness.get_by_label("Consistency (×0.7)");
    harness.get_by_label(&format!("{:.3}", judged.wiscore().unwrap()));
    harness.get_by_label("The judge's evaluation");
    harness.get_by_label(
        "The model should generate a maple tree with red or orange leaves, many already fallen",
    );

    // The planted failure: 999 in every score is a failed judge call, not a score of 499.5.
    let item = open_by_search(&mut harness, "Yo-Yo Ma", "326");
    assert_eq!(item.verdict, unisandbox_core::model::Verdict::JudgeError);
    assert_eq!(harness.get_all_by_label("999 — not judged").count(), 3);
    harness.get_by_label_contains("none: the judge failed (999)");

    // Charts: the benchmark switch; WISE per category with the weighted overall, GenEval per tag
    // with the official overall.
    harness.get_by_label("Charts").click();
    wait_until_idle(&mut harness);
    harness.get_by_label("GenEval: accuracy by tag");
    harness.get_by_label_contains("Overall (mean of the tag accuracies");
    harness.get_by_label("WISE").click();
    wait_until_idle(&mut harness);
    harness.get_by_label("WISE: mean WiScore by category");
    let scores =
        unisandbox_core::companion::scores::wise_scores(&harness.state().state.data.dataset);
    let overall = scores
        .iter()
        .find(|r| r.category.is_none() && r.setting == "normal")
        .and_then(|r| r.score)
        .expect("every category judged in normal");
    harness.get_by_label_contains(&format!("{overall:.4} · n="));
    harness.get_by_label("Overall (weighted)");
}
