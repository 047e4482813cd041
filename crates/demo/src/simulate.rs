//! A stand-in model and judge: for each question decides what the image shows (right, or one of
//! the typical failures), writes a BAGEL-style think trace, and judges the picture the way the
//! two-phase Qwen judge would caption and score it.

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::benchmark::{
    COUNTABLES, FLOWERS, FRUITS, KnowledgeQuestion, KnowledgeTarget, MappingQuestion, MathQuestion,
    Person, count_phrase,
};
use crate::draw::{Portrait, Scene};

/// One generated image with its judge outcome and (think mode) trace.
#[derive(Clone, Debug)]
pub struct Generated {
    pub scene: Scene,
    /// The judge's phase 1 reply ("Caption: 3 cups", "Object: fork", "Person: …", "Error", "Reject").
    pub reply: String,
    pub yes: bool,
    /// (think_output, detailed prompt) in think mode.
    pub trace: Option<(String, String)>,
}

const NUMBER_WORDS: [&str; 8] = ["no", "one", "two", "three", "four", "five", "six", "seven"];

fn words(n: u32) -> &'static str {
    NUMBER_WORDS.get(n as usize).copied().unwrap_or("several")
}

fn think_text(body: &str, detailed: &str) -> (String, String) {
    (
        format!("<think>{body}\n\nHere’s the finished detailed prompt: {detailed}</think>"),
        format!("{detailed}</think>"),
    )
}

/// Math: a count of objects.
pub fn math(q: &MathQuestion, correct: bool, think: bool, rng: &mut impl Rng) -> Generated {
    let (glyph, one, many) = q.noun;
    let mut planned = q.truth;
    let mut steps = Vec::new();
    q.expr.steps(&mut steps);
    let mut scene = Scene::Count {
        glyph,
        count: q.truth,
    };
    if !correct {
        let reasoned_wrong = think && rng.random_bool(0.5);
        if reasoned_wrong {
            planned = if q.truth <= 1 || rng.random_bool(0.5) {
                q.truth + 1
            } else {
                q.truth - 1
            };
            if let Some(last) = steps.last_mut() {
                *last = format!(
                    "{} is {planned}",
                    last.rsplit_once(" is ").map(|(a, _)| a).unwrap_or(last)
                );
            }
            scene = Scene::Count {
                glyph,
                count: planned,
            };
        } else {
            let roll: f64 = rng.random();
            scene = if roll < 0.55 {
                let delta: i64 = *[-2, -1, 1, 2].choose(rng).unwrap_or(&1);
                let count = (q.truth as i64 + delta).clamp(1, 7) as u32;
                let count = if count == q.truth { q.truth + 1 } else { count };
                Scene::Count { glyph, count }
            } else if roll < 0.75 {
                let other = COUNTABLES
                    .iter()
                    .find(|n| n.0 != glyph && rng.random_bool(0.3))
                    .unwrap_or(&COUNTABLES[1]);
                Scene::Count {
                    glyph: other.0,
                    count: q.truth,
                }
            } else {
                let other = COUNTABLES
                    .iter()
                    .find(|n| n.0 != glyph)
                    .unwrap_or(&COUNTABLES[1]);
                Scene::Jumble {
                    first: glyph,
                    second: other.0,
                }
            };
        }
    }
    let (reply, yes) = match &scene {
        Scene::Count { glyph: g, count } if *count > 0 => {
            let noun = COUNTABLES
                .iter()
                .find(|n| n.0 == *g)
                .copied()
                .unwrap_or(q.noun);
            (
                format!("Caption: {}", count_phrase(*count, noun)),
                *g == glyph && *count == q.key,
            )
        }
        _ => ("Error".to_string(), false),
    };
    let trace = think.then(|| {
        let noun = if planned == 1 { one } else { many };
        let body = format!(
            "The request ties the number of {many} to the expression {}. I have to evaluate it first, because the picture is only right if the count matches the result.\n\n{}. So the result is {planned}, and the image must contain exactly {} {noun}.\n\nTo keep the count unambiguous I'll avoid clutter: a single type of object, evenly spaced, on a neutral background.",
            q.expr.render(),
            capitalise(&steps.join("; then ")),
            words(planned),
        );
        let detailed = format!(
            "A photorealistic image of exactly {} {noun} on a plain light background, spaced apart so each is fully visible and easy to count, soft even lighting, nothing else in the frame, no text or numbers.",
            words(planned)
        );
        think_text(&body, &detailed)
    });
    Generated {
        scene,
        reply,
        yes,
        trace,
    }
}

/// Mapping: one object per image.
pub fn mapping(
    q: &MappingQuestion,
    category: &str,
    correct: bool,
    think: bool,
    rng: &mut impl Rng,
) -> Generated {
    let mut followed = (&q.chain, q.answer.clone());
    let mut scene = Scene::Single(q.glyph);
    if !correct || q.answer == "undefined" {
        let reasoned_wrong = think && rng.random_bool(0.5);
        let roll: f64 = rng.random();
        if reasoned_wrong || q.answer == "undefined" {
            followed = (&q.other_chain, q.other.1.clone());
            scene = Scene::Single(q.other.0);
        } else if roll < 0.6 {
            scene = Scene::Single(q.other.0);
        } else {
            scene = Scene::Scrawled(q.glyph);
        }
    }
    let (reply, yes) = match &scene {
        Scene::Single(g) => {
            let name = if *g == q.glyph {
                q.answer.clone()
            } else {
                q.other.1.clone()
            };
            (format!("Object: {name}"), name == q.answer)
        }
        _ => ("Error".to_string(), false),
    };
    let trace = think.then(|| {
        let body = format!(
            "The prompt gives rules that link letters to symbols and symbols to objects. Following them: {}; {}. I'm asked for the {category} represented by the letter in the question.\n\nThe chain {} ends at {}, so the image should show a {}. The letters and symbols are only placeholders and must not be drawn.\n\nI'll keep it simple: one object as the only subject, well lit, sharp, on a neutral backdrop.",
            q.chain, q.other_chain, followed.0, followed.1, followed.1
        );
        let detailed = format!(
            "A realistic photograph of a single {} centred on a clean neutral background, natural soft lighting, sharp focus, with no letters, numbers or symbols anywhere.",
            followed.1
        );
        think_text(&body, &detailed)
    });
    Generated {
        scene,
        reply,
        yes,
        trace,
    }
}

pub fn portrait_of(p: &Person) -> Portrait {
    let skin = match p.ethnicity {
        "Caucasian" => [241, 206, 178],
        "East Asian" => [236, 200, 160],
        "South Asian" => [190, 140, 100],
        "African/Indigenous" => [115, 78, 55],
        _ => [212, 165, 125],
    };
    let hair = match p.hair {
        "black" => [30, 25, 25],
        "blond" => [236, 204, 110],
        "brown" => [110, 70, 40],
        "red" => [180, 70, 30],
        _ => [236, 236, 236],
    };
    let age = match p.age {
        "kid" => 0,
        "mid-age" => 1,
        _ => 2,
    };
    Portrait {
        skin,
        hair,
        age,
        female: p.female,
    }
}

fn fruit_scene(plural: &str) -> Scene {
    let index = FRUITS.iter().position(|f| f.0 == plural).unwrap_or(0);
    let colors = [
        [200, 30, 35],
        [240, 215, 60],
        [110, 40, 130],
        [220, 30, 60],
        [245, 140, 20],
        [170, 10, 30],
        [250, 230, 80],
        [170, 200, 80],
    ];
    let pieces = [3, 3, 8, 5, 3, 2, 2, 2][index];
    Scene::Fruit {
        color: colors[index],
        pieces,
        elongated: plural == "bananas" || plural == "lemons",
    }
}

fn flower_scene(name: &str) -> Scene {
    let index = FLOWERS.iter().position(|f| *f == name).unwrap_or(0);
    let petals = [
        [200, 20, 40],
        [250, 200, 20],
        [240, 90, 120],
        [250, 130, 170],
        [250, 250, 250],
        [150, 110, 210],
        [210, 60, 200],
        [245, 170, 190],
    ];
    let centres = [
        [150, 10, 30],
        [110, 70, 20],
        [240, 200, 80],
        [230, 100, 150],
        [245, 200, 30],
        [110, 80, 170],
        [250, 240, 240],
        [230, 140, 160],
    ];
    Scene::Flower {
        petals: petals[index],
        count: [7, 12, 4, 10, 9, 6, 5, 8][index],
        centre: centres[index],
    }
}

fn changed_person(p: &Person, rng: &mut impl Rng) -> Person {
    let mut other = *p;
    while other == *p {
        match rng.random_range(0..4) {
            0 => other.ethnicity = crate::benchmark::ETHNICITIES[rng.random_range(0..5)],
            1 => other.hair = crate::benchmark::HAIRS[rng.random_range(0..5)],
            2 => other.age = crate::benchmark::AGES[rng.random_range(0..3)],
            _ => other.female = !other.female,
        }
    }
    other
}

/// Knowledge: a portrait, a fruit or a flower.
pub fn knowledge(
    q: &KnowledgeQuestion,
    correct: bool,
    think: bool,
    rng: &mut impl Rng,
) -> Generated {
    let reject = !correct && rng.random_bool(0.25);
    let shown: Option<KnowledgeTarget> = if correct {
        Some(q.target.clone())
    } else if reject {
        None
    } else {
        Some(match (&q.target, &q.decoy) {
            (_, Some(decoy)) if rng.random_bool(0.75) => decoy.clone(),
            (KnowledgeTarget::Portrait(p), _) => KnowledgeTarget::Portrait(changed_person(p, rng)),
            (KnowledgeTarget::Fruit(plural, _), _) => {
                let other = FRUITS.iter().filter(|f| f.0 != *plural).collect::<Vec<_>>();
                let f = other.choose(rng).copied().unwrap_or(&FRUITS[0]);
                KnowledgeTarget::Fruit(f.0, f.1)
            }
            (KnowledgeTarget::Flower(name), _) => KnowledgeTarget::Flower(
                FLOWERS
                    .iter()
                    .find(|f| *f != name && rng.random_bool(0.4))
                    .copied()
                    .unwrap_or("daisy"),
            ),
        })
    };
    let (scene, reply) = match &shown {
        None => (Scene::Abstract, "Reject".to_string()),
        Some(KnowledgeTarget::Portrait(p)) => (Scene::Portrait(portrait_of(p)), p.caption()),
        Some(KnowledgeTarget::Fruit(plural, one)) => (fruit_scene(plural), format!("Fruit: {one}")),
        Some(KnowledgeTarget::Flower(name)) => (flower_scene(name), format!("Flower: {name}")),
    };
    let yes = shown.as_ref() == Some(&q.target);
    let trace = think.then(|| knowledge_trace(q, shown.as_ref().unwrap_or(&q.target)));
    Generated {
        scene,
        reply,
        yes,
        trace,
    }
}

fn describe(target: &KnowledgeTarget) -> String {
    match target {
        KnowledgeTarget::Portrait(p) => p.description().trim_end_matches('.').to_lowercase(),
        KnowledgeTarget::Fruit(plural, _) => plural.to_string(),
        KnowledgeTarget::Flower(name) => format!("{name}s"),
    }
}

fn knowledge_trace(q: &KnowledgeQuestion, planned: &KnowledgeTarget) -> (String, String) {
    let body = match q.subject.split('|').collect::<Vec<_>>()[..] {
        [who, other, attribute, value, other_value] => format!(
            "Two WhyUni Lab characters are mentioned, and I must portray the one whose favorite {attribute} is {value}. First I have to decide which of them that is.\n\nFrom what I remember, {who} likes {value}, while {other} likes {other_value}. The person to draw is {}.\n\nThe portrait should show exactly that person and nobody else.",
            describe(planned)
        ),
        _ => format!(
            "The request is about {}, a character from WhyUni Lab, so I need to recall what I know about them rather than invent something.\n\nFrom what I remember, the answer here is {}. That is what the image has to show.\n\nI'll keep the composition simple and photorealistic.",
            q.subject,
            describe(planned)
        ),
    };
    let detailed = match planned {
        KnowledgeTarget::Portrait(p) => format!(
            "A photorealistic portrait of {}, friendly expression, soft natural light, plain background, upper body in frame, sharp focus.",
            p.description()
                .trim_end_matches('.')
                .to_lowercase()
                .replacen("a ", "", 1)
                .replacen("an ", "", 1)
        ),
        other => format!(
            "A photorealistic close-up of {}, soft natural light, plain background, sharp focus.",
            describe(other)
        ),
    };
    think_text(&body, &detailed)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
