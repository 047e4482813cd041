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
    /// GenEval (`evaluate_images_mp.py`): an item is a prompt, its samples are the images.
    Geneval,
    /// WISE (`gpt_eval.py`): an item is a prompt with one image and three judge scores.
    Wise,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Math,
        Family::Mapping,
        Family::Knowledge,
        Family::Other,
        Family::Geneval,
        Family::Wise,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Math => "math",
            Family::Mapping => "mapping",
            Family::Knowledge => "knowledge",
            Family::Other => "other",
            Family::Geneval => "geneval",
            Family::Wise => "wise",
        }
    }

    /// A companion benchmark's family (GenEval, WISE), not one of UniSandbox's tasks.
    pub fn is_companion(self) -> bool {
        matches!(self, Family::Geneval | Family::Wise)
    }

    /// Whether accuracy counts this family's images rather than its items: a GenEval item is a
    /// prompt, and `summary_scores.py` scores each of its samples.
    pub fn counts_images(self) -> bool {
        self == Family::Geneval
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
    /// A GenEval tag.
    Geneval(GenevalTag),
    /// A WISE category.
    Wise(WiseCategory),
}

/// GenEval's six tags, in `summary_scores.py`'s usual order (`Other`: a tag it does not know).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GenevalTag {
    SingleObject,
    TwoObject,
    Counting,
    Colors,
    Position,
    ColorAttr,
    Other,
}

impl GenevalTag {
    pub const ALL: [GenevalTag; 6] = [
        GenevalTag::SingleObject,
        GenevalTag::TwoObject,
        GenevalTag::Counting,
        GenevalTag::Colors,
        GenevalTag::Position,
        GenevalTag::ColorAttr,
    ];

    /// The tag as the metadata writes it; `Other` for any other text.
    pub fn of(tag: &str) -> GenevalTag {
        GenevalTag::ALL
            .into_iter()
            .find(|t| t.name() == tag)
            .unwrap_or(GenevalTag::Other)
    }

    pub fn name(self) -> &'static str {
        match self {
            GenevalTag::SingleObject => "single_object",
            GenevalTag::TwoObject => "two_object",
            GenevalTag::Counting => "counting",
            GenevalTag::Colors => "colors",
            GenevalTag::Position => "position",
            GenevalTag::ColorAttr => "color_attr",
            GenevalTag::Other => "other",
        }
    }
}

/// The six categories of WISE's `Calculate.py`, by prompt id.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum WiseCategory {
    Culture,
    Time,
    Space,
    Biology,
    Physics,
    Chemistry,
}

impl WiseCategory {
    pub const ALL: [WiseCategory; 6] = [
        WiseCategory::Culture,
        WiseCategory::Time,
        WiseCategory::Space,
        WiseCategory::Biology,
        WiseCategory::Physics,
        WiseCategory::Chemistry,
    ];

    /// The legacy id ranges: 1–400 culture, 401–567 time, 568–700 space, 701–800 biology,
    /// 801–900 physics, 901–1000 chemistry.
    pub fn of_id(prompt_id: u32) -> Option<WiseCategory> {
        Some(match prompt_id {
            1..=400 => WiseCategory::Culture,
            401..=567 => WiseCategory::Time,
            568..=700 => WiseCategory::Space,
            701..=800 => WiseCategory::Biology,
            801..=900 => WiseCategory::Physics,
            901..=1000 => WiseCategory::Chemistry,
            _ => return None,
        })
    }

    /// WISE_Verified's ranges (`data_verified/*_verified.json`): 1–400 culture, 401–520 time,
    /// 521–640 space, 641–760 biology, 761–880 physics, 881–1000 chemistry.
    pub fn of_verified_id(prompt_id: u32) -> Option<WiseCategory> {
        Some(match prompt_id {
            1..=400 => WiseCategory::Culture,
            401..=520 => WiseCategory::Time,
            521..=640 => WiseCategory::Space,
            641..=760 => WiseCategory::Biology,
            761..=880 => WiseCategory::Physics,
            881..=1000 => WiseCategory::Chemistry,
            _ => return None,
        })
    }

    /// `calculate_verified.py`'s weight: 0.40 culture, 0.12 each other category.
    pub fn verified_weight(self) -> f64 {
        match self {
            WiseCategory::Culture => 0.40,
            _ => 0.12,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WiseCategory::Culture => "CULTURE",
            WiseCategory::Time => "TIME",
            WiseCategory::Space => "SPACE",
            WiseCategory::Biology => "BIOLOGY",
            WiseCategory::Physics => "PHYSICS",
            WiseCategory::Chemistry => "CHEMISTRY",
        }
    }

    /// `Calculate.py`'s weight in the overall score.
    pub fn legacy_weight(self) -> f64 {
        match self {
            WiseCategory::Culture => 0.4,
            WiseCategory::Time => 0.167,
            WiseCategory::Space => 0.133,
            WiseCategory::Biology | WiseCategory::Physics | WiseCategory::Chemistry => 0.1,
        }
    }
}

impl Level {
    /// Short text used in tables and JSON: `L1`, `forward`, `inverse`, `?`.
    pub fn name(self) -> String {
        match self {
            Level::Number(n) => format!("L{n}"),
            Level::Forward => "forward".into(),
            Level::Inverse => "inverse".into(),
            Level::Unknown => "?".into(),
            Level::Geneval(tag) => tag.name().into(),
            Level::Wise(category) => category.name().into(),
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
        // A companion folder's stem is its GenEval tag or WISE category, exactly as written.
        if let Some(tag) = GenevalTag::ALL.into_iter().find(|t| t.name() == stem) {
            return TaskKind::geneval(tag);
        }
        if let Some(category) = WiseCategory::ALL.into_iter().find(|c| c.name() == stem) {
            return TaskKind::wise(category);
        }
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

    pub fn geneval(tag: GenevalTag) -> TaskKind {
        TaskKind {
            family: Family::Geneval,
            level: Level::Geneval(tag),
        }
    }

    pub fn wise(category: WiseCategory) -> TaskKind {
        TaskKind {
            family: Family::Wise,
            level: Level::Wise(category),
        }
    }

    /// Human label, e.g. "Math L1", "Knowledge forward", "GenEval counting", "WISE CULTURE".
    pub fn label(self) -> String {
        let family = match self.family {
            Family::Math => "Math",
            Family::Mapping => "Mapping",
            Family::Knowledge => "Knowledge",
            Family::Other => "Other",
            Family::Geneval => "GenEval",
            Family::Wise => "WISE",
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
    fn companion_stems_are_their_tags_and_categories() {
        assert_eq!(
            TaskKind::of_stem("counting"),
            TaskKind::geneval(GenevalTag::Counting)
        );
        assert_eq!(
            TaskKind::of_stem("CULTURE"),
            TaskKind::wise(WiseCategory::Culture)
        );
        assert_eq!(TaskKind::of_stem("CULTURE").label(), "WISE CULTURE");
        assert_eq!(
            TaskKind::of_stem("color_attr").label(),
            "GenEval color_attr"
        );
        assert_eq!(GenevalTag::of("made_up"), GenevalTag::Other);
        assert_eq!(WiseCategory::of_id(700), Some(WiseCategory::Space));
        assert_eq!(WiseCategory::of_id(0), None);
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
