//! Byte-budgeted least-recently-used bookkeeping for decoded images. Pure: it decides what to
//! evict; the image cache drops the textures.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug)]
pub struct LruBudget<K> {
    budget: usize,
    used: usize,
    entries: HashMap<K, (usize, u64)>,
}

impl<K: Clone + Eq + Hash> LruBudget<K> {
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            used: 0,
            entries: HashMap::new(),
        }
    }

    /// Records `key` as using `bytes`, last used at `frame`.
    pub fn insert(&mut self, key: K, bytes: usize, frame: u64) {
        if let Some((old, _)) = self.entries.insert(key, (bytes, frame)) {
            self.used -= old;
        }
        self.used += bytes;
    }

    pub fn touch(&mut self, key: &K, frame: u64) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.1 = frame;
        }
    }

    pub fn remove(&mut self, key: &K) {
        if let Some((bytes, _)) = self.entries.remove(key) {
            self.used -= bytes;
        }
    }

    pub fn used(&self) -> usize {
        self.used
    }

    /// Keys to drop, least recently used first, until the budget holds. Entries used in
    /// `current_frame` are on screen and are never evicted, even over budget.
    pub fn evict(&mut self, current_frame: u64) -> Vec<K> {
        if self.used <= self.budget {
            return Vec::new();
        }
        let mut candidates: Vec<(u64, K, usize)> = self
            .entries
            .iter()
            .filter(|(_, (_, last))| *last < current_frame)
            .map(|(k, (bytes, last))| (*last, k.clone(), *bytes))
            .collect();
        candidates.sort_by_key(|(last, _, _)| *last);
        let mut evicted = Vec::new();
        for (_, key, bytes) in candidates {
            if self.used <= self.budget {
                break;
            }
            self.entries.remove(&key);
            self.used -= bytes;
            evicted.push(key);
        }
        evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_used_until_within_budget() {
        let mut lru = LruBudget::new(100);
        lru.insert("a", 40, 1);
        lru.insert("b", 40, 2);
        lru.insert("c", 40, 3);
        lru.touch(&"a", 4);
        assert_eq!(lru.evict(5), ["b"]);
        assert_eq!(lru.used(), 80);
        assert!(lru.evict(6).is_empty());
    }

    #[test]
    fn never_evicts_what_is_on_screen() {
        let mut lru = LruBudget::new(10);
        lru.insert("big", 50, 7);
        lru.insert("old", 5, 1);
        assert_eq!(lru.evict(7), ["old"]);
        assert_eq!(lru.used(), 50);
        lru.remove(&"big");
        assert_eq!(lru.used(), 0);
    }
}
