//! `demo-data --checkpoints C --items N`: runs of any size in the upstream formats, for the scale
//! benchmarks. Each checkpoint × normal/think holds math_1, math_2, mapping1, one knowledge
//! forward and one inverse folder; images are hard links to a few really drawn PNGs, so a
//! million items cost seconds and little disk, while every file is in its real format.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::benchmark::{self as questions, KnowledgeQuestion};
use super::{Benchmark, Images, draw, simulate};
use unisandbox_core::taxonomy::Family;

/// Task folders per checkpoint and setting.
pub const FOLDERS_PER_SETTING: usize = 5;
/// Where the drawn images live that every generated image links to (hidden: not a task folder).
pub const POOL_DIR: &str = ".image-pool";
const POOL_SIZE: usize = 6;

/// What `write_scale` wrote.
#[derive(Debug)]
pub struct ScaleReport {
    pub folders: Vec<PathBuf>,
    /// Benchmark items (a mapping pair is one item), the way `summary` counts them.
    pub items: usize,
}

/// A few real PNGs per family; generated images are hard links to them (copies where the file
/// system has no hard links).
pub struct ImagePool {
    math: Vec<PathBuf>,
    mapping: Vec<PathBuf>,
    knowledge: Vec<PathBuf>,
}

impl ImagePool {
    pub(super) fn draw(dir: &Path, bench: &Benchmark, seed: u64) -> anyhow::Result<ImagePool> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut write = |name: String, scene: &draw::Scene| -> anyhow::Result<PathBuf> {
            let path = dir.join(name);
            std::fs::write(&path, draw::png_bytes(&draw::render(scene, &mut rng)))?;
            Ok(path)
        };
        let mut pool = ImagePool {
            math: Vec::new(),
            mapping: Vec::new(),
            knowledge: Vec::new(),
        };
        let mut scene_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        for (i, q) in bench.math[0].1.iter().take(POOL_SIZE).enumerate() {
            let out = simulate::math(q, i % 2 == 0, false, &mut scene_rng);
            pool.math.push(write(format!("math-{i}.png"), &out.scene)?);
        }
        for (i, pair) in bench.mapping[0].1.iter().take(POOL_SIZE).enumerate() {
            let side = &pair.sides[i % 2];
            let out = simulate::mapping(side, pair.category, i % 3 != 0, false, &mut scene_rng);
            pool.mapping
                .push(write(format!("mapping-{i}.png"), &out.scene)?);
        }
        for (i, q) in bench.knowledge[0].1.iter().take(POOL_SIZE).enumerate() {
            let out = simulate::knowledge(q, i % 2 == 0, false, &mut scene_rng);
            pool.knowledge
                .push(write(format!("knowledge-{i}.png"), &out.scene)?);
        }
        Ok(pool)
    }

    /// Makes `to` one of the pool's images of this family.
    pub(super) fn link(&self, family: Family, index: usize, to: &Path) -> anyhow::Result<()> {
        let images = match family {
            Family::Mapping => &self.mapping,
            Family::Knowledge => &self.knowledge,
            _ => &self.math,
        };
        let from = &images[index % images.len()];
        if std::fs::hard_link(from, to).is_err() {
            std::fs::copy(from, to)
                .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
        }
        Ok(())
    }
}

/// The benchmark of a scale tree: `per_folder` items in each of the five task folders.
fn scale_benchmark(seed: u64, per_folder: u32) -> Benchmark {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let people = questions::characters(&mut rng);
    let math = (1..=2)
        .map(|level| {
            let stem = format!("math_{level}");
            (
                stem,
                questions::math_questions(&mut rng, level, per_folder, &[]),
            )
        })
        .collect();
    let mapping = vec![(
        "mapping1".to_string(),
        questions::mapping_pairs(&mut rng, 1, per_folder, &[]),
    )];
    // Knowledge folders hold a handful of questions upstream; here they repeat with new ids.
    let renumbered = |templates: Vec<KnowledgeQuestion>| -> Vec<KnowledgeQuestion> {
        (0..per_folder as usize)
            .map(|i| {
                let mut q = templates[i % templates.len()].clone();
                q.id = i as u32 + 1;
                q
            })
            .collect()
    };
    let who = &people[0];
    let forward = renumbered(questions::forward_questions(&mut rng, 0, who));
    let (a, b) = (&people[1], &people[2]);
    let inverse = renumbered(questions::inverse_questions(&mut rng, 1, a, b));
    let knowledge = vec![
        (who.name.to_string(), forward),
        (format!("{}_{}", a.name, b.name), inverse),
    ];
    Benchmark {
        math,
        mapping,
        knowledge,
    }
}

/// The benchmark of a tree of `checkpoints` checkpoints holding `items` items in all (rounded
/// down to a multiple of 2 × checkpoints), and the items per checkpoint and setting.
pub(super) fn sized_benchmark(
    seed: u64,
    checkpoints: usize,
    items: usize,
) -> anyhow::Result<(Benchmark, usize)> {
    anyhow::ensure!(checkpoints > 0, "--checkpoints must be at least 1");
    let per_setting = items / (checkpoints * 2);
    anyhow::ensure!(
        per_setting >= FOLDERS_PER_SETTING,
        "--items must be at least {} for {checkpoints} checkpoint(s)",
        FOLDERS_PER_SETTING * checkpoints * 2
    );
    // The five folders of a setting share its items; the first ones take the remainder.
    let base = per_setting / FOLDERS_PER_SETTING;
    let extra = per_setting % FOLDERS_PER_SETTING;
    let mut bench = scale_benchmark(seed, (base + 1) as u32);
    let mut folder = 0;
    let mut trim = |len: usize| {
        let keep = base + usize::from(folder < extra);
        folder += 1;
        keep.min(len)
    };
    for (_, q) in &mut bench.math {
        q.truncate(trim(q.len()));
    }
    for (_, p) in &mut bench.mapping {
        p.truncate(trim(p.len()));
    }
    for (_, q) in &mut bench.knowledge {
        q.truncate(trim(q.len()));
    }
    Ok((bench, per_setting))
}

/// Writes `checkpoints` checkpoints (`ckpt-00`, …; odd ones stand for STARS self-trained models)
/// with `items` items in all (rounded down to a multiple of 2 × checkpoints), plus the benchmark.
pub fn write_scale(
    out_dir: &Path,
    seed: u64,
    checkpoints: usize,
    items: usize,
) -> anyhow::Result<ScaleReport> {
    let (bench, per_setting) = sized_benchmark(seed, checkpoints, items)?;
    let pool = ImagePool::draw(&out_dir.join(POOL_DIR), &bench, seed)?;
    let names: Vec<String> = (0..checkpoints).map(|c| format!("ckpt-{c:02}")).collect();
    let folders = super::write_runs(out_dir, seed, &names, &bench, Images::Linked(&pool), None)?;
    super::write_benchmark_files(&out_dir.join(super::BENCHMARK_DIR), &bench)?;
    Ok(ScaleReport {
        folders,
        items: per_setting * checkpoints * 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_tree_has_the_asked_size_in_the_upstream_layout() {
        let dir = tempfile::tempdir().unwrap();
        let report = write_scale(dir.path(), 1, 2, 123).unwrap();
        // 123 rounds down to 120: 2 checkpoints × 2 settings × 30 items in 5 folders.
        assert_eq!(report.items, 120);
        assert_eq!(report.folders.len(), 2 * 2 * FOLDERS_PER_SETTING);
        let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
        assert_eq!(data.folders.len(), 20);
        assert_eq!(data.items.len(), 120);
        assert!(data.items.iter().all(|i| i.verdict.is_judged()));
        // Every image is a real PNG (a link into the pool), none reported broken.
        assert!(
            data.diagnostics
                .iter()
                .all(|d| !d.message.contains("image")),
            "{:#?}",
            data.diagnostics
        );
        let mapping = data
            .items
            .iter()
            .find(|i| data.folder_of(i).stem == "mapping1")
            .unwrap();
        assert_eq!(mapping.parts.len(), 2);
        assert!(
            dir.path()
                .join("ckpt-01/test/think/math_2/output.jsonl")
                .is_file()
        );
    }
}
