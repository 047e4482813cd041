//! Look and feel shared by all views: text sizes and verdict colours.

use egui::{Color32, FontId, TextStyle};

use unisandbox_core::model::Verdict;

/// DejaVu Sans as the last fallback: UniSandbox prompts and traces use √, →, curly quotes and
/// arrows that egui's bundled font lacks, and a machine may have no system fonts at all.
const FALLBACK_FONT: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");

/// Slightly larger text than egui's default: traces and prompts are read, not skimmed.
pub fn apply(ctx: &egui::Context) {
    let fallback = |family| egui::epaint::text::InsertFontFamily {
        family,
        priority: egui::epaint::text::FontPriority::Lowest,
    };
    ctx.add_font(egui::epaint::text::FontInsert::new(
        "DejaVuSans",
        egui::FontData::from_static(FALLBACK_FONT),
        vec![
            fallback(egui::FontFamily::Proportional),
            fallback(egui::FontFamily::Monospace),
        ],
    ));
    ctx.all_styles_mut(|style| {
        style
            .text_styles
            .insert(TextStyle::Body, FontId::proportional(14.5));
        style
            .text_styles
            .insert(TextStyle::Button, FontId::proportional(14.0));
        style
            .text_styles
            .insert(TextStyle::Heading, FontId::proportional(20.0));
        style
            .text_styles
            .insert(TextStyle::Small, FontId::proportional(11.5));
        style
            .text_styles
            .insert(TextStyle::Monospace, FontId::monospace(13.0));
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
}

pub fn verdict_color(verdict: Verdict) -> Color32 {
    match verdict {
        Verdict::Yes => Color32::from_rgb(34, 139, 68),
        Verdict::No => Color32::from_rgb(196, 52, 52),
        Verdict::JudgeError => Color32::from_rgb(200, 120, 0),
        Verdict::ImageMissing => Color32::from_rgb(130, 90, 170),
        Verdict::NotJudged => Color32::from_rgb(110, 110, 110),
        Verdict::NotGenerated => Color32::from_rgb(150, 120, 60),
        Verdict::Unparsed => Color32::from_rgb(160, 80, 110),
    }
}

/// Series colours for charts: settings of one run share a hue family.
pub const SERIES: [Color32; 8] = [
    Color32::from_rgb(120, 144, 190),
    Color32::from_rgb(31, 90, 200),
    Color32::from_rgb(230, 160, 110),
    Color32::from_rgb(214, 96, 20),
    Color32::from_rgb(140, 190, 140),
    Color32::from_rgb(40, 140, 60),
    Color32::from_rgb(190, 140, 200),
    Color32::from_rgb(130, 60, 160),
];

/// The colour of series `index` of `count`: the paired palette while it lasts, then hues spread
/// by the golden angle (light and dark alternating), so 40 series still get 40 colours.
pub fn series_color(index: usize, count: usize) -> Color32 {
    if count <= SERIES.len() {
        return SERIES[index];
    }
    let hue = (index as f32 * 0.618_034).fract();
    let value = if index % 2 == 0 { 0.92 } else { 0.68 };
    egui::ecolor::Hsva::new(hue, 0.62, value, 1.0).into()
}

/// Something to look at (a changed verdict, a human who disagrees, a log that differs).
pub const ATTENTION: Color32 = Color32::from_rgb(230, 160, 40);

/// Distinct colours for categories (Okabe–Ito, colour-blind-safe, and one more).
pub const CATEGORICAL: [Color32; 8] = [
    Color32::from_rgb(230, 159, 0),
    Color32::from_rgb(86, 180, 233),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
    Color32::from_rgb(240, 228, 66),
    Color32::from_rgb(213, 94, 0),
    Color32::from_rgb(0, 114, 178),
    Color32::from_rgb(150, 110, 200),
];

/// Failure-class colours, in the order of `Failure::CLASSES` (colour-blind-safe first).
pub const FAILURE_CLASSES: [Color32; 23] = [
    CATEGORICAL[0],
    CATEGORICAL[1],
    CATEGORICAL[2],
    CATEGORICAL[3],
    CATEGORICAL[4],
    CATEGORICAL[5],
    CATEGORICAL[6],
    CATEGORICAL[7],
    Color32::from_rgb(120, 120, 120),
    Color32::from_rgb(170, 140, 90),
    Color32::from_rgb(190, 190, 190),
    // STARS rejection classes: the same hues as their eval counterparts, lighter.
    Color32::from_rgb(250, 200, 110),
    Color32::from_rgb(160, 215, 245),
    Color32::from_rgb(110, 205, 175),
    Color32::from_rgb(235, 175, 205),
    Color32::from_rgb(245, 240, 150),
    Color32::from_rgb(240, 150, 90),
    Color32::from_rgb(90, 160, 215),
    // GenEval's detector and WISE's judge.
    Color32::from_rgb(200, 80, 80),
    Color32::from_rgb(230, 159, 0),
    Color32::from_rgb(204, 121, 167),
    Color32::from_rgb(86, 180, 233),
    Color32::from_rgb(0, 158, 115),
];

// One colour per class: a new class needs its colour.
const _: () =
    assert!(FAILURE_CLASSES.len() == unisandbox_core::analysis::failure::Failure::CLASSES.len());
