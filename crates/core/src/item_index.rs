//! Finding an item by its names — (run, setting, stem, id) — without a scan and without a copy
//! of its names: folders are looked up by name, and each folder keeps its item indices sorted by
//! id (4 bytes an item), searched by halving.

use std::collections::HashMap;

use crate::model::{Dataset, ItemKey};

#[derive(Clone, Debug, Default)]
pub struct ItemIndex {
    /// "run\0setting\0stem" → folder index.
    folders: HashMap<String, usize>,
    /// Per folder: its items' indices, sorted by id (numbers as numbers).
    items: Vec<Vec<u32>>,
    len: usize,
}

fn folder_key(run: &str, setting: &str, stem: &str) -> String {
    format!("{run}\0{setting}\0{stem}")
}

pub use crate::model::compare_ids;

impl ItemIndex {
    pub fn build(dataset: &Dataset) -> ItemIndex {
        let mut items: Vec<Vec<u32>> = vec![Vec::new(); dataset.folders.len()];
        for (index, item) in dataset.items.iter().enumerate() {
            items[item.folder].push(index as u32);
        }
        for folder in &mut items {
            folder.sort_by(|&a, &b| {
                compare_ids(&dataset.items[a as usize].id, &dataset.items[b as usize].id)
            });
        }
        let folders = dataset
            .folders
            .iter()
            .enumerate()
            .map(|(index, f)| (folder_key(&f.run, f.setting.as_str(), &f.stem), index))
            .collect();
        ItemIndex {
            folders,
            items,
            len: dataset.items.len(),
        }
    }

    /// How many items the index was built over (to tell whether it is for this dataset).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn folder(&self, run: &str, setting: &str, stem: &str) -> Option<usize> {
        self.folders.get(&folder_key(run, setting, stem)).copied()
    }

    /// The item of a folder with this id.
    pub fn in_folder(&self, dataset: &Dataset, folder: usize, id: &str) -> Option<usize> {
        let items = self.items.get(folder)?;
        items
            .binary_search_by(|&at| compare_ids(&dataset.items[at as usize].id, id))
            .ok()
            .map(|at| items[at] as usize)
    }

    pub fn get(
        &self,
        dataset: &Dataset,
        run: &str,
        setting: &str,
        stem: &str,
        id: &str,
    ) -> Option<usize> {
        let folder = self.folder(run, setting, stem)?;
        self.in_folder(dataset, folder, id)
    }

    pub fn find(&self, dataset: &Dataset, key: &ItemKey) -> Option<usize> {
        self.get(dataset, &key.run, &key.setting, &key.stem, &key.id)
    }

    /// Item indices of one folder, in id order.
    pub fn items_of(&self, folder: usize) -> &[u32] {
        self.items.get(folder).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;
    use crate::model::fixtures::{self, folder};
    use std::cmp::Ordering;

    #[test]
    fn finds_items_by_their_names_in_any_folder() {
        let mut data = Dataset::default();
        let item = |id: &str| fixtures::item(id, fixtures::part("q", "a", Verdict::Yes));
        data.push_folder(
            folder("r", "normal", "math_1"),
            vec![item("10"), item("2"), item("x")],
        );
        data.push_folder(folder("r", "think", "math_1"), vec![item("2")]);
        let index = ItemIndex::build(&data);
        assert_eq!(index.len(), 4);
        assert_eq!(index.get(&data, "r", "normal", "math_1", "10"), Some(0));
        assert_eq!(index.get(&data, "r", "normal", "math_1", "x"), Some(2));
        assert_eq!(index.get(&data, "r", "think", "math_1", "2"), Some(3));
        assert_eq!(index.get(&data, "r", "think", "math_1", "10"), None);
        assert_eq!(index.get(&data, "r", "other", "math_1", "2"), None);
        assert_eq!(index.items_of(0), [1, 0, 2]);
        assert_eq!(compare_ids("9", "10"), Ordering::Less);
        assert_eq!(compare_ids("10", "a"), Ordering::Less);
    }
}
