//! State of the Compare view: which sides are compared, which items (same task and id on every
//! side) are listed, and which flip set narrows the list. Pure: no egui.

use unisandbox_core::analysis::flips::Side;
use unisandbox_core::model::Dataset;

/// Which flipped items to list, set by clicking a count in the flips table.
#[derive(Clone, Debug, PartialEq)]
pub struct FlipFilter {
    pub task: String,
    /// "fixes" or "breaks".
    pub kind: &'static str,
    pub ids: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareState {
    pub sides: Vec<Side>,
    /// (stem, id) present on every side, in task then id order.
    pub keys: Vec<(String, String)>,
    pub flip_filter: Option<FlipFilter>,
    /// Position in `visible_keys()`.
    pub selected: usize,
    /// Side with keyboard focus (←/→).
    pub focus: usize,
    /// Flips from the first side to the second, per task.
    pub flips: Vec<unisandbox_core::analysis::flips::TaskFlips>,
}

impl CompareState {
    /// The keys the list shows: all, or those of the chosen flip set.
    pub fn visible_keys(&self) -> Vec<&(String, String)> {
        self.keys
            .iter()
            .filter(|(stem, id)| {
                self.flip_filter
                    .as_ref()
                    .is_none_or(|f| f.task == *stem && f.ids.contains(id))
            })
            .collect()
    }

    /// Recomputes the items shared by every side.
    pub fn refresh(&mut self, dataset: &Dataset, index: &ItemIndex) {
        let mut keys: Vec<(unisandbox_core::taxonomy::TaskKind, (String, String))> = Vec::new();
        if let Some(first) = self.sides.first() {
            for (folder_index, folder) in dataset.folders.iter().enumerate() {
                if folder.run != first.run || folder.setting != first.setting {
                    continue;
                }
                let others: Option<Vec<usize>> = self.sides[1..]
                    .iter()
                    .map(|s| index.folder(&s.run, &s.setting, &folder.stem))
                    .collect();
                let Some(others) = others else { continue };
                for &item in index.items_of(folder_index) {
                    let id = &dataset.items[item as usize].id;
                    if others
                        .iter()
                        .all(|&other| index.in_folder(dataset, other, id).is_some())
                    {
                        keys.push((folder.kind, (folder.stem.clone(), id.clone())));
                    }
                }
            }
        }
        keys.sort_by(|a, b| {
            (a.0, &a.1.0)
                .cmp(&(b.0, &b.1.0))
                .then_with(|| unisandbox_core::item_index::compare_ids(&a.1.1, &b.1.1))
        });
        self.keys = keys.into_iter().map(|(_, k)| k).collect();
        self.flips = match &self.sides[..] {
            [a, b, ..] => unisandbox_core::analysis::flips::flips(dataset, a, b, None),
            _ => Vec::new(),
        };
        self.clamp();
    }

    /// The (stem, id) of the selected row, to find it again after a reload.
    pub fn selected_key(&self) -> Option<(String, String)> {
        self.visible_keys().get(self.selected).map(|k| (*k).clone())
    }

    /// Selects the row with this (stem, id) when it is listed.
    pub fn select_key(&mut self, key: &(String, String)) {
        if let Some(row) = self.visible_keys().iter().position(|k| *k == key) {
            self.selected = row;
        }
    }

    pub fn clamp(&mut self) {
        let visible = self.visible_keys().len();
        self.selected = self.selected.min(visible.saturating_sub(1));
        self.focus = self.focus.min(self.sides.len().saturating_sub(1));
    }

    pub fn move_selection(&mut self, delta: i64) {
        let visible = self.visible_keys().len() as i64;
        if visible > 0 {
            self.selected = (self.selected as i64 + delta).clamp(0, visible - 1) as usize;
        }
    }

    pub fn move_focus(&mut self, delta: i64) {
        let sides = self.sides.len() as i64;
        if sides > 0 {
            self.focus = (self.focus as i64 + delta).rem_euclid(sides) as usize;
        }
    }
}

pub use unisandbox_core::item_index::ItemIndex;

pub fn item_index(dataset: &Dataset) -> ItemIndex {
    ItemIndex::build(dataset)
}

/// Default sides: every setting of the first run (normal vs think).
pub fn default_sides(dataset: &Dataset) -> Vec<Side> {
    let Some(run) = dataset.runs().into_iter().next() else {
        return Vec::new();
    };
    dataset
        .settings()
        .into_iter()
        .filter(|s| {
            dataset
                .folders
                .iter()
                .any(|f| f.run == run && f.setting == *s)
        })
        .map(|setting| Side {
            run: run.clone(),
            setting,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_shared_items_and_flip_filters_narrow_them() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::write_demo(dir.path(), 5).unwrap();
        let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
        let index = item_index(&data);
        let mut state = CompareState {
            sides: default_sides(&data),
            ..CompareState::default()
        };
        assert_eq!(
            state.sides.iter().map(Side::label).collect::<Vec<_>>(),
            ["bagel-base/normal", "bagel-base/think"]
        );
        state.refresh(&data, &index);
        // 6 reasoning stems × 20 + 7 × 3 + 5 × 4 knowledge items.
        assert_eq!(state.keys.len(), 120 + 21 + 20);
        assert_eq!(state.keys[0], ("math_1".to_string(), "1".to_string()));
        state.flip_filter = Some(FlipFilter {
            task: "math_2".into(),
            kind: "fixes",
            ids: vec!["3".into(), "9".into()],
        });
        state.selected = 10;
        state.clamp();
        assert_eq!(state.selected, 1);
        assert_eq!(state.visible_keys().len(), 2);
        state.move_selection(-5);
        assert_eq!(state.selected, 0);
        state.move_focus(-1);
        assert_eq!(state.focus, 1, "focus wraps around");
    }
}
