//! `demo-data --companion`: small GenEval and WISE outputs of one model, normal and think, in the
//! exact forms their scripts write — `json.dump` metadata without a final newline, pandas'
//! results JSONL (`\/` escapes, no spaces, metadata and details as JSON strings), WISE's full
//! results (`indent=2`, no final newline) and scores lines (`json.dumps`, floats as `2.0`, the
//! failure marker as the integer 999).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::draw::{Glyph, Scene, png_bytes, render};

/// Samples per GenEval prompt (`gen_images_mp.py`'s default).
pub const SAMPLES: usize = 4;

/// What was planted, for the README and the tests.
pub const ANOMALIES: &[&str] = &[
    "geneval/bagel/normal/images/00066: 3 of 4 samples (generation stopped)",
    "geneval/bagel/think/images/00224/samples/00003.txt without its PNG (the row stays in results.jsonl)",
    "wise/bagel/normal: prompt 326's judge call failed 10 times (999 in all three scores)",
    "wise/bagel/think: prompt 910's reply had no parsable aesthetic score (999 in aesthetic_quality)",
    "wise/bagel/think/images/523.txt without 523.png (a crash between the text and the image)",
];

/// An include/exclude clause, fields in GenEval's order (serde_json's `json!` would sort them).
#[derive(serde::Serialize, Clone)]
struct Clause {
    class: &'static str,
    count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<(&'static str, u32)>,
}

fn c(class: &'static str, count: u32) -> Clause {
    Clause {
        class,
        count,
        color: None,
        position: None,
    }
}

fn coloured(class: &'static str, color: &'static str) -> Clause {
    Clause {
        color: Some(color),
        ..c(class, 1)
    }
}

fn placed(class: &'static str, relation: &'static str) -> Clause {
    Clause {
        position: Some((relation, 0)),
        ..c(class, 1)
    }
}

/// `metadata.jsonl`'s fields in the order of GenEval's prompt file.
#[derive(serde::Serialize)]
struct Metadata<'a> {
    tag: &'a str,
    include: &'a [Clause],
    #[serde(skip_serializing_if = "Option::is_none")]
    exclude: Option<&'a [Clause]>,
    prompt: &'a str,
}

/// A results row, in `evaluate_images.py`'s column order.
#[derive(serde::Serialize)]
struct ResultRow<'a> {
    filename: String,
    tag: &'a str,
    prompt: &'a str,
    correct: bool,
    reason: &'a str,
    metadata: &'a str,
    details: String,
}

/// `gpt_eval.py`'s full record and scores record, in its key order.
#[derive(serde::Serialize)]
struct FullRecord<'a> {
    prompt_id: u32,
    prompt: &'a str,
    key: &'a str,
    image_path: String,
    evaluation: String,
}

#[derive(serde::Serialize)]
struct ScoreRecord<'a> {
    prompt_id: u32,
    #[serde(rename = "Subcategory")]
    subcategory: &'a str,
    consistency: Value,
    realism: Value,
    aesthetic_quality: Value,
}

/// One GenEval prompt: its line in `evaluation_metadata.jsonl`, what the detector finds when a
/// sample fails, and how the picture is drawn.
struct GenevalPrompt {
    index: u32,
    tag: &'static str,
    prompt: &'static str,
    include: Vec<Clause>,
    exclude: Option<Vec<Clause>>,
    glyph: Glyph,
    count: u32,
    /// The reason of a failed sample, and how many objects it shows.
    failure: (&'static str, u32),
    class: &'static str,
}

fn geneval_prompts() -> Vec<GenevalPrompt> {
    let one = |class: &'static str| vec![c(class, 1)];
    vec![
        GenevalPrompt {
            index: 9,
            tag: "single_object",
            prompt: "a photo of a cup",
            include: one("cup"),
            exclude: None,
            glyph: Glyph::Cup,
            count: 1,
            failure: ("expected cup>=1, found 0", 0),
            class: "cup",
        },
        GenevalPrompt {
            index: 66,
            tag: "single_object",
            prompt: "a photo of a clock",
            include: one("clock"),
            exclude: None,
            glyph: Glyph::Clock,
            count: 1,
            failure: ("expected clock>=1, found 0", 0),
            class: "clock",
        },
        GenevalPrompt {
            index: 101,
            tag: "two_object",
            prompt: "a photo of a dog and a chair",
            include: vec![c("dog", 1), c("chair", 1)],
            exclude: None,
            glyph: Glyph::Dog,
            count: 1,
            failure: ("expected chair>=1, found 0", 1),
            class: "dog",
        },
        GenevalPrompt {
            index: 140,
            tag: "two_object",
            prompt: "a photo of a cat and a bird",
            include: vec![c("cat", 1), c("bird", 1)],
            exclude: None,
            glyph: Glyph::Cat,
            count: 1,
            failure: ("expected bird>=1, found 0", 1),
            class: "cat",
        },
        GenevalPrompt {
            index: 224,
            tag: "counting",
            prompt: "a photo of two clocks",
            include: vec![c("clock", 2)],
            exclude: Some(vec![c("clock", 3)]),
            glyph: Glyph::Clock,
            count: 2,
            failure: ("expected clock<3, found 3", 3),
            class: "clock",
        },
        GenevalPrompt {
            index: 252,
            tag: "counting",
            prompt: "a photo of three cups",
            include: vec![c("cup", 3)],
            exclude: Some(vec![c("cup", 4)]),
            glyph: Glyph::Cup,
            count: 3,
            failure: ("expected cup>=3, found 2", 2),
            class: "cup",
        },
        GenevalPrompt {
            index: 261,
            tag: "colors",
            prompt: "a photo of a purple cup",
            include: vec![coloured("cup", "purple")],
            exclude: None,
            glyph: Glyph::Cup,
            count: 1,
            failure: ("expected purple cup>=1, found 0 purple; and 1 orange", 1),
            class: "cup",
        },
        GenevalPrompt {
            index: 317,
            tag: "colors",
            prompt: "a photo of a brown chair",
            include: vec![coloured("chair", "brown")],
            exclude: None,
            glyph: Glyph::Chair,
            count: 1,
            failure: ("expected brown chair>=1, found 0 brown; and 1 black", 1),
            class: "chair",
        },
        GenevalPrompt {
            index: 394,
            tag: "position",
            prompt: "a photo of a dog right of a car",
            include: vec![c("car", 1), placed("dog", "right of")],
            exclude: None,
            glyph: Glyph::Dog,
            count: 1,
            failure: ("expected dog right of target, found left of target", 1),
            class: "dog",
        },
        GenevalPrompt {
            index: 446,
            tag: "position",
            prompt: "a photo of a phone below a lamp",
            include: vec![c("lamp", 1), placed("phone", "below")],
            exclude: None,
            glyph: Glyph::Phone,
            count: 1,
            failure: ("no target for phone to be below", 1),
            class: "phone",
        },
        GenevalPrompt {
            index: 483,
            tag: "color_attr",
            prompt: "a photo of a red car and a blue chair",
            include: vec![coloured("car", "red"), coloured("chair", "blue")],
            exclude: None,
            glyph: Glyph::Car,
            count: 1,
            failure: ("expected blue chair>=1, found 0 blue; and 1 green", 1),
            class: "car",
        },
        GenevalPrompt {
            index: 547,
            tag: "color_attr",
            prompt: "a photo of a white book and a yellow lamp",
            include: vec![coloured("book", "white"), coloured("lamp", "yellow")],
            exclude: None,
            glyph: Glyph::Book,
            count: 1,
            failure: ("expected yellow lamp>=1, found 0 yellow; and 1 red", 1),
            class: "book",
        },
    ]
}

/// One WISE prompt of the three prompt files.
struct WisePrompt {
    id: u32,
    stem: &'static str,
    subcategory: &'static str,
    prompt: &'static str,
    explanation: &'static str,
    glyph: Glyph,
}

fn wise_prompts() -> Vec<WisePrompt> {
    const CULTURE: &str = "cultural_common_sense";
    const SPATIO: &str = "spatio-temporal_reasoning";
    const SCIENCE: &str = "natural_science";
    vec![
        WisePrompt {
            id: 102,
            stem: CULTURE,
            subcategory: "Construction",
            prompt: "The traditional dwelling of the Mongolian nomads",
            explanation: "The model should generate an image of a yurt (ger): a round, portable tent covered with felt",
            glyph: Glyph::Lamp,
        },
        WisePrompt {
            id: 326,
            stem: CULTURE,
            subcategory: "Celebrity",
            prompt: "The instrument Yo-Yo Ma is famous for playing",
            explanation: "The model should generate an image of a cello",
            glyph: Glyph::Chair,
        },
        WisePrompt {
            id: 425,
            stem: SPATIO,
            subcategory: "Longitudinal time",
            prompt: "A maple tree in late autumn",
            explanation: "The model should generate a maple tree with red or orange leaves, many already fallen",
            glyph: Glyph::Tree,
        },
        WisePrompt {
            id: 523,
            stem: SPATIO,
            subcategory: "Horizontal time",
            prompt: "A street in Beijing at 8 pm while London is at noon",
            explanation: "The model should generate an evening street scene with lights on",
            glyph: Glyph::Lamp,
        },
        WisePrompt {
            id: 624,
            stem: SPATIO,
            subcategory: "Different View",
            prompt: "A cup viewed from directly above",
            explanation: "The model should generate a circular rim seen from the top, the handle to one side",
            glyph: Glyph::Cup,
        },
        WisePrompt {
            id: 700,
            stem: SPATIO,
            subcategory: "Occlusion",
            prompt: "A cat hiding behind a chair, only its tail visible",
            explanation: "The model should generate a chair with a cat's tail showing behind it, the cat itself hidden",
            glyph: Glyph::Cat,
        },
        WisePrompt {
            id: 720,
            stem: SCIENCE,
            subcategory: "Biology",
            prompt: "A wound on human skin after recovery",
            explanation: "The model should generate healed skin, possibly with a scar",
            glyph: Glyph::Star,
        },
        WisePrompt {
            id: 757,
            stem: SCIENCE,
            subcategory: "Biology",
            prompt: "A fish out of water for a long time",
            explanation: "The model should generate a dry, lifeless fish",
            glyph: Glyph::Fish,
        },
        WisePrompt {
            id: 815,
            stem: SCIENCE,
            subcategory: "Physics",
            prompt: "A wooden toy boat and metal screws in a water tank",
            explanation: "The model should generate the boat floating and the screws sunk at the bottom",
            glyph: Glyph::Car,
        },
        WisePrompt {
            id: 881,
            stem: SCIENCE,
            subcategory: "Physics",
            prompt: "A spoon in a glass of water, seen from the side",
            explanation: "The model should generate the spoon appearing bent at the water surface",
            glyph: Glyph::Spoon,
        },
        WisePrompt {
            id: 910,
            stem: SCIENCE,
            subcategory: "Chemistry",
            prompt: "An iron nail left in salt water for a month",
            explanation: "The model should generate a rusty, reddish-brown nail",
            glyph: Glyph::Fork,
        },
        WisePrompt {
            id: 999,
            stem: SCIENCE,
            subcategory: "Chemistry",
            prompt: "Copper after years in the rain",
            explanation: "The model should generate copper with a green patina",
            glyph: Glyph::Clock,
        },
    ]
}

/// Writes `geneval/bagel/{normal,think}` and `wise/bagel/{normal,think}` under `out_dir`; returns
/// the four output folders.
pub fn write_companion(out_dir: &Path, seed: u64) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (setting, think) in [("normal", false), ("think", true)] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6765_6e65 ^ u64::from(think));
        let dir = out_dir.join("geneval/bagel").join(setting);
        write_geneval(&dir, think, &mut rng)?;
        written.push(dir);
        let dir = out_dir.join("wise/bagel").join(setting);
        write_wise(&dir.join("images"), think, &mut rng)?;
        written.push(dir);
    }
    Ok(written)
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// `json.dumps` with its default separators (`, ` and `: `) and `ensure_ascii`.
pub fn python_json(value: &impl serde::Serialize) -> String {
    python_json_with(value, true)
}

fn python_json_with(value: &impl serde::Serialize, ensure_ascii: bool) -> String {
    struct Python;
    impl serde_json::ser::Formatter for Python {
        fn begin_array_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
        ) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Python);
    serde::Serialize::serialize(value, &mut serializer).expect("JSON to memory cannot fail");
    let text = String::from_utf8(out).expect("serde_json writes UTF-8");
    if ensure_ascii {
        ascii_only(&text)
    } else {
        text
    }
}

/// Non-ASCII characters as `\uXXXX` (surrogate pairs beyond the BMP), as Python and pandas do.
fn ascii_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out += &format!("\\u{unit:04x}");
            }
        }
    }
    out
}

/// A row as pandas `to_json(orient="records", lines=True)` writes it: no spaces, `/` as `\/`.
pub fn pandas_row(row: &impl serde::Serialize) -> String {
    // In compact JSON a `/` can only be inside a string, where pandas escapes it.
    ascii_only(&serde_json::to_string(row).expect("JSON to memory cannot fail")).replace('/', "\\/")
}

fn write_geneval(dir: &Path, think: bool, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for prompt in geneval_prompts() {
        let folder = dir.join("images").join(format!("{:05}", prompt.index));
        let metadata = Metadata {
            tag: prompt.tag,
            include: &prompt.include,
            exclude: prompt.exclude.as_deref(),
            prompt: prompt.prompt,
        };
        let metadata = python_json(&metadata);
        // json.dump: no final newline.
        write(&folder.join("metadata.jsonl"), &metadata)?;
        let samples = if !think && prompt.index == 66 {
            SAMPLES - 1
        } else {
            SAMPLES
        };
        let think_text = format!(
            "<think>The prompt asks for {}. I should show exactly what it names, clearly \
             separated, on a plain background, so that every object can be recognised.</think>{}, \
             centred, photographic, plain background",
            prompt.prompt.trim_start_matches("a photo of "),
            prompt.prompt
        );
        for k in 0..samples {
            let right = rng.random_bool(if think { 0.8 } else { 0.65 });
            let shown = if right {
                prompt.count
            } else {
                prompt.failure.1
            };
            let scene = Scene::Count {
                glyph: prompt.glyph,
                count: shown,
            };
            let png = folder.join(format!("samples/{k:05}.png"));
            let planted_lone_text = think && prompt.index == 224 && k == 3;
            if !planted_lone_text {
                write(&png, png_bytes(&render(&scene, rng)))?;
            }
            if think {
                // As in the fork: every text of a prompt folder holds the same text.
                write(&folder.join(format!("samples/{k:05}.txt")), &think_text)?;
            }
            let boxes: Vec<Value> = (0..shown)
                .map(|i| {
                    let x = 20.0 + 60.0 * f64::from(i);
                    json!([x, 90.0, x + 50.0, 190.0, 0.62 + 0.1 * f64::from(i % 3)])
                })
                .collect();
            let details = if shown == 0 {
                json!({})
            } else {
                json!({prompt.class: boxes})
            };
            rows.push(pandas_row(&ResultRow {
                filename: format!(
                    "/abs/path/to/geneval/bagel/{}/images/{:05}/samples/{k:05}.png",
                    if think { "think" } else { "normal" },
                    prompt.index
                ),
                tag: prompt.tag,
                prompt: prompt.prompt,
                correct: right,
                reason: if right { "" } else { prompt.failure.0 },
                metadata: &metadata,
                details: python_json(&details),
            }));
        }
    }
    let text: String = rows.iter().map(|row| row.clone() + "\n").collect();
    write(&dir.join("results.jsonl"), text)
}

fn write_wise(images: &Path, think: bool, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let mut by_stem: Vec<(&str, Vec<FullRecord>, Vec<String>)> = Vec::new();
    for prompt in wise_prompts() {
        let lone_text = think && prompt.id == 523;
        if think {
            let text = format!(
                "<think>{} — what does this look like in reality? {}.</think>{}, shown as it really is",
                prompt.prompt, prompt.explanation, prompt.prompt
            );
            // gen_images_mp_wise.py: the text first (no newline added), then the image.
            write(&images.join(format!("{}.txt", prompt.id)), text)?;
        }
        if lone_text {
            continue; // no image, so the judge wrote no record
        }
        let scene = Scene::Single(prompt.glyph);
        write(
            &images.join(format!("{}.png", prompt.id)),
            png_bytes(&render(&scene, rng)),
        )?;
        // Think reasons about the knowledge first: more often fully consistent.
        let low = if think { 1 } else { 0 };
        let mut consistency = Value::from(f64::from(rng.random_range(low..3u8)));
        let realism = Value::from(f64::from(rng.random_range(1..3u8)));
        let mut aesthetic = Value::from(f64::from(rng.random_range(1..3u8)));
        // The judge replies in whole numbers; the parsed scores are floats.
        let whole = |v: &Value| v.as_f64().unwrap_or_default() as u8;
        let mut evaluation = format!(
            "Consistency: {}\nRealism: {}\nAesthetic Quality: {}",
            whole(&consistency),
            whole(&realism),
            whole(&aesthetic)
        );
        let (mut realism, failed_all) = (realism, !think && prompt.id == 326);
        if failed_all {
            consistency = Value::from(999);
            realism = Value::from(999);
            aesthetic = Value::from(999);
            evaluation = "Evaluation failed after 10 attempts: Request timed out.".into();
        }
        if think && prompt.id == 910 {
            aesthetic = Value::from(999);
            evaluation = format!(
                "**Consistency**: {}\n**Realism**: {}\n**Aesthetic Quality:** 1",
                whole(&consistency),
                whole(&realism)
            );
        }
        let full = FullRecord {
            prompt_id: prompt.id,
            prompt: prompt.prompt,
            key: prompt.explanation,
            image_path: format!(
                "/abs/path/to/wise/bagel/{}/images/{}.png",
                if think { "think" } else { "normal" },
                prompt.id
            ),
            evaluation,
        };
        // json.dumps(…, ensure_ascii=False): Python's spacing, text unescaped.
        let score = python_spacing(&ScoreRecord {
            prompt_id: prompt.id,
            subcategory: prompt.subcategory,
            consistency,
            realism,
            aesthetic_quality: aesthetic,
        });
        match by_stem.iter_mut().find(|(stem, ..)| *stem == prompt.stem) {
            Some((_, fulls, scores)) => {
                fulls.push(full);
                scores.push(score);
            }
            None => by_stem.push((prompt.stem, vec![full], vec![score])),
        }
    }
    let results = images.join("Results");
    for (stem, fulls, scores) in by_stem {
        // json.dump(…, ensure_ascii=False, indent=2): no final newline.
        let mut text = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(
            &mut text,
            serde_json::ser::PrettyFormatter::with_indent(b"  "),
        );
        serde::Serialize::serialize(&fulls, &mut serializer)?;
        write(&results.join(format!("{stem}_full_results.json")), text)?;
        let lines: String = scores.iter().map(|s| s.clone() + "\n").collect();
        write(&results.join(format!("{stem}_scores_results.jsonl")), lines)?;
    }
    Ok(())
}

/// `json.dumps` spacing without ASCII escaping (WISE writes with `ensure_ascii=False`).
fn python_spacing(value: &impl serde::Serialize) -> String {
    python_json_with(value, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_as_pandas_and_python_write_them() {
        let row = ResultRow {
            filename: "/a/b.png".into(),
            tag: "t",
            prompt: "p",
            correct: true,
            reason: "",
            metadata: "{\"tag\": \"x\"}",
            details: "{}".into(),
        };
        assert_eq!(
            pandas_row(&row),
            r#"{"filename":"\/a\/b.png","tag":"t","prompt":"p","correct":true,"reason":"","metadata":"{\"tag\": \"x\"}","details":"{}"}"#
        );
        let meta = Metadata {
            tag: "counting",
            include: &[coloured("cup", "red"), placed("dog", "below")],
            exclude: None,
            prompt: "café",
        };
        assert_eq!(
            python_json(&meta),
            r#"{"tag": "counting", "include": [{"class": "cup", "count": 1, "color": "red"}, {"class": "dog", "count": 1, "position": ["below", 0]}], "prompt": "caf\u00e9"}"#
        );
        assert_eq!(
            python_spacing(&ScoreRecord {
                prompt_id: 5,
                subcategory: "Café",
                consistency: Value::from(2.0),
                realism: Value::from(999),
                aesthetic_quality: Value::from(1.0),
            }),
            r#"{"prompt_id": 5, "Subcategory": "Café", "consistency": 2.0, "realism": 999, "aesthetic_quality": 1.0}"#
        );
    }
}
