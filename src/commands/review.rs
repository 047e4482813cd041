//! `review import` / `review export`: human verdicts in and out as CSV.

use std::process::ExitCode;

use unisandbox_core::annotations::AnnotationStore;

use super::Context;
use crate::cli::ReviewAction;

/// Stores the verdicts of a labels CSV, or writes the stored ones in the same format.
pub fn run(ctx: &Context, action: ReviewAction) -> anyhow::Result<ExitCode> {
    match action {
        ReviewAction::Import {
            paths,
            labels,
            reviewer,
        } => {
            let dataset = ctx.load(&paths);
            let path = match ctx.annotations_path.as_deref() {
                Some(path) => path.to_path_buf(),
                None => AnnotationStore::default_path()?,
            };
            let mut store = AnnotationStore::open(&path)?;
            let outcome =
                unisandbox_core::review::import_labels(&dataset, &labels, &mut store, &reviewer)?;
            for skipped in &outcome.skipped {
                eprintln!("{skipped}");
            }
            println!(
                "stored {} human verdict(s) in {}; {} row(s) skipped",
                outcome.stored,
                path.display(),
                outcome.skipped.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        ReviewAction::Export { paths, out, force } => {
            if out.exists() && !force {
                anyhow::bail!(
                    "{} already exists; pass --force to replace it (nothing was written)",
                    out.display()
                );
            }
            let dataset = ctx.load(&paths);
            let annotations = ctx.annotations()?;
            let file = std::fs::File::create(&out)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            let written = unisandbox_core::review::export_labels(
                &dataset,
                &annotations,
                std::io::BufWriter::new(file),
            )?;
            println!("wrote {written} human verdict(s) to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
