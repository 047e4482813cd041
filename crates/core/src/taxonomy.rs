//! The UniSandbox task taxonomy: which family and level a benchmark stem belongs to.
//!
//! Stems come from the benchmark JSONL names (`math_3`, `mapping2`) or from character names for
//! knowledge transfer (`Aurelius` = forward, `Aurelius_Nyxella` = inverse). Infer.py collapses a
//! trailing `_<digits>` (`math_3` → `math3`), so both spellings map to the same task.

use std::fmt;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Math,
    Mapping,
    Knowledge,
    Other,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::Math,
        Family::Mapping,
        Family::Knowledge,
        Family::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Math => "math",
            Family::Mapping => "mapping",
            Family::Knowledge => "knowledge",
            Family::Other => "other",
        }
    }

    /// Mapping IDs are pairs of images scored together.
    pub fn is_paired(self) -> bool {
        self == Family::Mapping
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Level {
    /// Reasoning levels 1–3 (number of operations or hops).
    Number(u8),
    /// Knowledge transfer, name → attribute.
    Forward,
    /// Knowledge transfer, attribute → person.
    Inverse,
    Unknown,
}

impl Level {
    /// Short text used in tables and JSON: `L1`, `forward`, `inverse`, `?`.
    pub fn name(self) -> String {
        match self {
            Level::Number(n) => format!("L{n}"),
            Level::Forward => "forward".into(),
            Level::Inverse => "inverse".into(),
            Level::Unknown => "?".into(),
        }
    }
}

/// Family + level: the unit the Charts view and the paper report accuracy for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct TaskKind {
    pub family: Family,
    pub level: Level,
}

impl TaskKind {
    pub fn of_stem(stem: &str) -> TaskKind {
        let lower = stem.to_ascii_lowercase();
        for (prefix, family) in [("math", Family::Math), ("mapping", Family::Mapping)] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let digits = rest.trim_start_matches('_');
                let level = match digits.parse::<u8>() {
                    Ok(n) if !digits.is_empty() => Level::Number(n),
                    _ => Level::Unknown,
                };
                return TaskKind { family, level };
            }
        }
        let names: Vec<&str> = stem.split('_').collect();
        let is_name = |s: &&str| {
            let mut chars = s.chars();
            chars.next().is_some_and(|c| c.is_uppercase()) && chars.all(|c| c.is_alphabetic())
        };
        if names.iter().all(is_name) {
            let level = match names.len() {
                1 => Level::Forward,
                2 => Level::Inverse,
                _ => Level::Unknown,
            };
            return TaskKind {
                family: Family::Knowledge,
                level,
            };
        }
        TaskKind {
            family: Family::Other,
            level: Level::Unknown,
        }
    }

    /// Human label, e.g. "Math L1", "Knowledge forward".
    pub fn label(self) -> String {
        let family = match self.family {
            Family::Math => "Math",
            Family::Mapping => "Mapping",
            Family::Knowledge => "Knowledge",
            Family::Other => "Other",
        };
        format!("{family} {}", self.level.name())
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Sort key for CoT settings: `normal` first, then `think`, then anything else.
pub fn setting_rank(setting: &str) -> u8 {
    match Cot::of(setting) {
        Some(Cot::Normal) => 0,
        Some(Cot::Think) => 1,
        None => 2,
    }
}

/// Whether a folder name is a CoT mode folder of batch_inference.py's layout.
pub fn is_mode_folder(name: &str) -> bool {
    Cot::of(name).is_some()
}

/// A folder's setting, parsed once when it is discovered: the two CoT modes of
/// batch_inference.py, a STARS filter output, or another layout's name (`default`, …) as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Setting {
    Normal,
    Think,
    /// A STARS rejection-sampling filter output (its items are candidates, not eval results).
    Filter,
    Other(String),
}

impl Setting {
    /// The setting a folder name (or a setting as written anywhere) stands for.
    pub fn parse(name: &str) -> Setting {
        match name {
            "normal" => Setting::Normal,
            "think" => Setting::Think,
            "filter" => Setting::Filter,
            other => Setting::Other(other.to_string()),
        }
    }

    /// The name as shown and stored (`normal`, `think`, `filter`, or the other name).
    pub fn as_str(&self) -> &str {
        match self {
            Setting::Normal => "normal",
            Setting::Think => "think",
            Setting::Filter => "filter",
            Setting::Other(name) => name,
        }
    }

    /// The CoT mode, for `normal` and `think`.
    pub fn cot(&self) -> Option<Cot> {
        match self {
            Setting::Normal => Some(Cot::Normal),
            Setting::Think => Some(Cot::Think),
            _ => None,
        }
    }

    /// Sort key: `normal` first, then `think`, then anything else.
    pub fn rank(&self) -> u8 {
        match self {
            Setting::Normal => 0,
            Setting::Think => 1,
            _ => 2,
        }
    }
}

impl From<Cot> for Setting {
    fn from(cot: Cot) -> Setting {
        match cot {
            Cot::Normal => Setting::Normal,
            Cot::Think => Setting::Think,
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Setting {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Setting {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Setting {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

/// The two CoT settings of batch_inference.py: generate directly, or reason first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cot {
    Normal,
    Think,
}

impl Cot {
    /// The setting a mode folder name stands for (`None` for other layouts' settings).
    pub fn of(setting: &str) -> Option<Cot> {
        match setting {
            "normal" => Some(Cot::Normal),
            "think" => Some(Cot::Think),
            _ => None,
        }
    }

    /// The mode folder's name.
    pub fn name(self) -> &'static str {
        match self {
            Cot::Normal => "normal",
            Cot::Think => "think",
        }
    }

    /// Normal ↔ think.
    pub fn other(self) -> Cot {
        match self {
            Cot::Normal => Cot::Think,
            Cot::Think => Cot::Normal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(family: Family, level: Level) -> TaskKind {
        TaskKind { family, level }
    }

    #[test]
    fn reasoning_stems_in_both_spellings() {
        assert_eq!(
            TaskKind::of_stem("math_1"),
            kind(Family::Math, Level::Number(1))
        );
        assert_eq!(
            TaskKind::of_stem("math3"),
            kind(Family::Math, Level::Number(3))
        );
        assert_eq!(
            TaskKind::of_stem("mapping2"),
            kind(Family::Mapping, Level::Number(2))
        );
        assert_eq!(
            TaskKind::of_stem("mapping_3"),
            kind(Family::Mapping, Level::Number(3))
        );
        assert_eq!(
            TaskKind::of_stem("math"),
            kind(Family::Math, Level::Unknown)
        );
    }

    #[test]
    fn knowledge_stems_by_name_count() {
        assert_eq!(
            TaskKind::of_stem("Lysendria"),
            kind(Family::Knowledge, Level::Forward)
        );
        assert_eq!(
            TaskKind::of_stem("Aurelius_Nyxella"),
            kind(Family::Knowledge, Level::Inverse)
        );
        assert_eq!(
            TaskKind::of_stem("A_B_C"),
            kind(Family::Knowledge, Level::Unknown)
        );
    }

    #[test]
    fn other_stems_are_not_guessed() {
        assert_eq!(TaskKind::of_stem("results").family, Family::Other);
        assert_eq!(TaskKind::of_stem("my_task_2").family, Family::Other);
    }

    #[test]
    fn labels_and_order() {
        assert_eq!(kind(Family::Math, Level::Number(1)).label(), "Math L1");
        assert_eq!(
            kind(Family::Knowledge, Level::Inverse).label(),
            "Knowledge inverse"
        );
        let mut kinds = [
            TaskKind::of_stem("Aurelius"),
            TaskKind::of_stem("mapping1"),
            TaskKind::of_stem("math_2"),
            TaskKind::of_stem("math_1"),
        ];
        kinds.sort();
        let labels: Vec<String> = kinds.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            ["Math L1", "Math L2", "Mapping L1", "Knowledge forward"]
        );
    }
}
