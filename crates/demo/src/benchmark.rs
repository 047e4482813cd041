//! The synthetic benchmark: math, mapping and knowledge questions with their answer keys, the
//! same for every checkpoint and setting (as with the real UniSandbox JSONL files).

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use crate::arith::{Expr, random_expression};
use crate::draw::Glyph;

/// A countable object: glyph, singular, plural.
pub type Noun = (Glyph, &'static str, &'static str);

pub const COUNTABLES: [Noun; 14] = [
    (Glyph::Apple, "apple", "apples"),
    (Glyph::Orange, "orange", "oranges"),
    (Glyph::Cup, "cup", "cups"),
    (Glyph::Book, "book", "books"),
    (Glyph::Balloon, "balloon", "balloons"),
    (Glyph::Cat, "cat", "cats"),
    (Glyph::Dog, "dog", "dogs"),
    (Glyph::Chair, "chair", "chairs"),
    (Glyph::Car, "car", "cars"),
    (Glyph::Star, "star", "stars"),
    (Glyph::Fish, "fish", "fish"),
    (Glyph::Tree, "tree", "trees"),
    (Glyph::Clock, "clock", "clocks"),
    (Glyph::Bird, "bird", "birds"),
];

/// Mapping categories: the word used in the question and its objects.
pub const CATEGORIES: [(&str, [(Glyph, &str); 4]); 4] = [
    (
        "furniture",
        [
            (Glyph::Chair, "chair"),
            (Glyph::Table, "table"),
            (Glyph::Bed, "bed"),
            (Glyph::Lamp, "lamp"),
        ],
    ),
    (
        "animal",
        [
            (Glyph::Cat, "cat"),
            (Glyph::Dog, "dog"),
            (Glyph::Fish, "fish"),
            (Glyph::Bird, "bird"),
        ],
    ),
    (
        "utensil",
        [
            (Glyph::Spoon, "spoon"),
            (Glyph::Fork, "fork"),
            (Glyph::Cup, "cup"),
            (Glyph::Clock, "clock"),
        ],
    ),
    (
        "device",
        [
            (Glyph::Phone, "phone"),
            (Glyph::Clock, "clock"),
            (Glyph::Lamp, "lamp"),
            (Glyph::Car, "car"),
        ],
    ),
];

#[derive(Clone, Debug)]
pub struct MathQuestion {
    pub id: String,
    pub question: String,
    pub expr: Expr,
    /// What the arithmetic gives.
    pub truth: u32,
    /// The answer key (differs from `truth` for planted wrong keys).
    pub key: u32,
    pub noun: Noun,
    pub difficulty: f64,
}

impl MathQuestion {
    pub fn answer(&self) -> String {
        count_phrase(self.key, self.noun)
    }
}

pub fn count_phrase(n: u32, noun: Noun) -> String {
    format!("{n} {}", if n == 1 { noun.1 } else { noun.2 })
}

#[derive(Clone, Debug)]
pub struct MappingQuestion {
    pub question: String,
    /// Expected object name, or "undefined".
    pub answer: String,
    pub glyph: Glyph,
    /// The object of the other letter: the classic confusion.
    pub other: (Glyph, String),
    /// The chain the question asks to follow, e.g. "A → % → chair".
    pub chain: String,
    pub other_chain: String,
}

#[derive(Clone, Debug)]
pub struct MappingPair {
    pub id: u32,
    pub category: &'static str,
    pub sides: [MappingQuestion; 2],
    pub difficulty: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Person {
    pub ethnicity: &'static str,
    pub hair: &'static str,
    /// "kid", "mid-age" or "old", the judge's age slot.
    pub age: &'static str,
    pub female: bool,
}

impl Person {
    pub fn description(&self) -> String {
        let noun = match (self.age, self.female) {
            ("kid", true) => "girl",
            ("kid", false) => "boy",
            (_, true) => "woman",
            (_, false) => "man",
        };
        match self.age {
            "old" => format!(
                "An elderly {} {noun} with {} hair.",
                self.ethnicity, self.hair
            ),
            "mid-age" => format!(
                "A middle-aged {} {noun} with {} hair.",
                self.ethnicity, self.hair
            ),
            _ => format!("A {} {noun} with {} hair.", self.ethnicity, self.hair),
        }
    }

    /// The knowledge judge's phase 1 format.
    pub fn caption(&self) -> String {
        let gender = if self.female { "female" } else { "male" };
        format!(
            "Person: {}; {}; {}; {gender}",
            self.ethnicity, self.hair, self.age
        )
    }
}

#[derive(Clone, Debug)]
pub struct Character {
    pub name: &'static str,
    pub person: Person,
    pub fruit: (&'static str, &'static str),
    pub flower: &'static str,
}

pub const ETHNICITIES: [&str; 5] = [
    "Caucasian",
    "East Asian",
    "South Asian",
    "African/Indigenous",
    "Latino",
];
pub const HAIRS: [&str; 5] = ["black", "blond", "brown", "red", "white"];
pub const AGES: [&str; 3] = ["kid", "mid-age", "old"];
/// (plural as in answers, singular as in captions)
pub const FRUITS: [(&str, &str); 8] = [
    ("apples", "apple"),
    ("bananas", "banana"),
    ("grapes", "grape"),
    ("strawberries", "strawberry"),
    ("oranges", "orange"),
    ("cherries", "cherry"),
    ("lemons", "lemon"),
    ("pears", "pear"),
];
pub const FLOWERS: [&str; 8] = [
    "rose",
    "sunflower",
    "tulip",
    "carnation",
    "daisy",
    "lavender",
    "orchid",
    "peony",
];
const NAMES: [&str; 10] = [
    "Aurelius",
    "Nyxella",
    "Thorvald",
    "Seraphine",
    "Kaelen",
    "Mirabeth",
    "Oswin",
    "Talindra",
    "Brannoch",
    "Elowyn",
];

/// What a knowledge question asks the image to show.
#[derive(Clone, Debug, PartialEq)]
pub enum KnowledgeTarget {
    Portrait(Person),
    Fruit(&'static str, &'static str),
    Flower(&'static str),
}

#[derive(Clone, Debug)]
pub struct KnowledgeQuestion {
    pub id: u32,
    pub question: String,
    pub answer: String,
    pub target: KnowledgeTarget,
    /// Inverse questions: the other character of the pair (the classic confusion).
    pub decoy: Option<KnowledgeTarget>,
    /// Who the question is about (forward) or which attribute it gives (inverse), for traces.
    pub subject: String,
    pub difficulty: f64,
}

pub fn characters(rng: &mut impl Rng) -> Vec<Character> {
    let mut fruits = FRUITS.to_vec();
    let mut flowers = FLOWERS.to_vec();
    fruits.shuffle(rng);
    flowers.shuffle(rng);
    NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let age = AGES[rng.random_range(0..3)];
            let hair = if age == "old" {
                *["white", "black", "brown"].choose(rng).unwrap_or(&"white")
            } else {
                HAIRS[rng.random_range(0..4)]
            };
            Character {
                name,
                person: Person {
                    ethnicity: ETHNICITIES[i % 5],
                    hair,
                    age,
                    female: rng.random_bool(0.5),
                },
                fruit: fruits[i % fruits.len()],
                flower: flowers[i % flowers.len()],
            }
        })
        .collect()
}

const MATH_TEMPLATES: [&str; 5] = [
    "Generate as many {n} as the result of {e}.",
    "Produce a number of {n} equal to the result of {e}.",
    "Show the number of {n} that equals {e}.",
    "Provide the number of {n} equal to {e}.",
    "Create the same quantity of {n} as {e}.",
];

/// `count` math questions of a level; ids listed in `wrong_keys` get a key off by one.
pub fn math_questions(
    rng: &mut impl Rng,
    level: u32,
    count: u32,
    wrong_keys: &[&str],
) -> Vec<MathQuestion> {
    (1..=count)
        .map(|i| {
            let expr = random_expression(rng, level);
            let truth = expr.value().unwrap_or(1) as u32;
            let id = i.to_string();
            let key = if wrong_keys.contains(&id.as_str()) {
                if truth >= 5 { truth - 1 } else { truth + 1 }
            } else {
                truth
            };
            let noun = *COUNTABLES.choose(rng).unwrap_or(&COUNTABLES[0]);
            let template = MATH_TEMPLATES.choose(rng).unwrap_or(&MATH_TEMPLATES[0]);
            let question = template
                .replace("{n}", noun.2)
                .replace("{e}", &expr.render());
            MathQuestion {
                id,
                question,
                expr,
                truth,
                key,
                noun,
                difficulty: rng.random(),
            }
        })
        .collect()
}

/// `count` mapping pairs of a level (1 = letter → object, 2 = via a symbol, 3 = via a symbol
/// and a number). IDs in `undefined_b` ask B for a letter whose symbol has no rule.
pub fn mapping_pairs(
    rng: &mut impl Rng,
    level: u32,
    count: u32,
    undefined_b: &[u32],
) -> Vec<MappingPair> {
    (1..=count)
        .map(|id| {
            let (category, objects) = *CATEGORIES.choose(rng).unwrap_or(&CATEGORIES[0]);
            let mut picks = objects.to_vec();
            picks.shuffle(rng);
            let letters = pick_two(rng, &["A", "B", "C", "D", "F", "G", "M", "N"]);
            let symbols = pick_two(rng, &["$", "%", "&", "#", "@"]);
            let numbers = pick_two(rng, &["3", "4", "6", "7", "8"]);
            let undefined = undefined_b.contains(&id);
            let mut rules = Vec::new();
            let mut chains = Vec::new();
            for side in 0..2 {
                let (letter, symbol, number, object) = (letters[side], symbols[side], numbers[side], picks[side].1);
                let mut chain = vec![letter.to_string()];
                match level {
                    1 => rules.push(format!("The letter {letter} represents {object}.")),
                    2 => {
                        rules.push(format!("Letter {letter} links to {symbol}."));
                        if !(undefined && side == 1) {
                            rules.push(format!("The symbol {symbol} stands for {object}."));
                        }
                        chain.push(symbol.to_string());
                    }
                    _ => {
                        rules.push(format!("The letter {letter} denotes the symbol {symbol}."));
                        rules.push(format!("Symbol {symbol} refers to the number {number}."));
                        rules.push(format!("The number {number} means {object}."));
                        chain.push(symbol.to_string());
                        chain.push(number.to_string());
                    }
                }
                chain.push(if undefined && side == 1 { "undefined".to_string() } else { object.to_string() });
                chains.push(chain.join(" → "));
            }
            if undefined {
                // Keep four rules: a rule for a symbol that nothing links to.
                rules.push(format!("The symbol @ stands for {}.", picks[2].1));
            }
            if level >= 2 {
                rules.shuffle(rng);
            }
            let rule_text: Vec<String> = rules.iter().enumerate().map(|(i, r)| format!("Rule {}: {r}", i + 1)).collect();
            let rule_text = rule_text.join(" ");
            let side = |s: usize| {
                let o = 1 - s;
                MappingQuestion {
                    question: format!("{rule_text} Please generate the {category} represented by the letter '{}'.", letters[s]),
                    answer: if undefined && s == 1 { "undefined".to_string() } else { picks[s].1.to_string() },
                    glyph: picks[s].0,
                    other: (picks[o].0, picks[o].1.to_string()),
                    chain: chains[s].clone(),
                    other_chain: chains[o].clone(),
                }
            };
            MappingPair { id, category, sides: [side(0), side(1)], difficulty: rng.random() }
        })
        .collect()
}

fn pick_two<'a>(rng: &mut impl Rng, from: &[&'a str]) -> [&'a str; 2] {
    let mut v = from.to_vec();
    v.shuffle(rng);
    [v[0], v[1]]
}

/// Forward questions about one character: portrait (id c+1), fruit (c+11), flower (c+21).
pub fn forward_questions(
    rng: &mut impl Rng,
    index: usize,
    who: &Character,
) -> Vec<KnowledgeQuestion> {
    let base = index as u32 + 1;
    let name = who.name;
    vec![
        KnowledgeQuestion {
            id: base,
            question: format!(
                "Generate a photorealistic portrait of character {name} from WhyUni Lab."
            ),
            answer: who.person.description(),
            target: KnowledgeTarget::Portrait(who.person),
            decoy: None,
            subject: name.to_string(),
            difficulty: rng.random(),
        },
        KnowledgeQuestion {
            id: base + 10,
            question: format!(
                "Generate a photorealistic image of the favorite fruit of character {name} from WhyUni Lab."
            ),
            answer: who.fruit.0.to_string(),
            target: KnowledgeTarget::Fruit(who.fruit.0, who.fruit.1),
            decoy: None,
            subject: name.to_string(),
            difficulty: rng.random(),
        },
        KnowledgeQuestion {
            id: base + 20,
            question: format!(
                "Generate a photorealistic image of the favorite flower of character {name} from WhyUni Lab."
            ),
            answer: who.flower.to_string(),
            target: KnowledgeTarget::Flower(who.flower),
            decoy: None,
            subject: name.to_string(),
            difficulty: rng.random(),
        },
    ]
}

/// Inverse questions for a pair: the one whose fruit / flower is … (4 ids from `first_id`).
pub fn inverse_questions(
    rng: &mut impl Rng,
    first_id: u32,
    a: &Character,
    b: &Character,
) -> Vec<KnowledgeQuestion> {
    let mut out = Vec::new();
    for (attribute, pick) in [("fruit", 0), ("flower", 1)] {
        for (who, other) in [(a, b), (b, a)] {
            let value = if pick == 0 { who.fruit.0 } else { who.flower };
            out.push(KnowledgeQuestion {
                id: first_id + out.len() as u32,
                question: format!(
                    "From the characters {} and {} from WhyUni Lab, generate a portrait of the one whose favorite {attribute} is {value}.",
                    a.name, b.name
                ),
                answer: who.person.description(),
                target: KnowledgeTarget::Portrait(who.person),
                decoy: Some(KnowledgeTarget::Portrait(other.person)),
                subject: format!("{}|{}|{attribute}|{value}|{}", who.name, other.name, if pick == 0 { other.fruit.0 } else { other.flower }),
                difficulty: rng.random(),
            });
        }
    }
    out
}
