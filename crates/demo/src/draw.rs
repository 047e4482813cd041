//! Procedural pictures for the synthetic runs: each image shows what its judge caption says
//! (N objects for a count, one object for a mapping, a portrait, a fruit, a flower), so a
//! researcher looking at the sample sees the same thing the stand-in judge "saw".

use image::{Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_ellipse_mut, draw_filled_rect_mut, draw_line_segment_mut,
    draw_polygon_mut,
};
use imageproc::point::Point;
use imageproc::rect::Rect;
use rand::Rng;

pub const SIZE: u32 = 256;

/// Objects the generator can draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glyph {
    Apple,
    Orange,
    Cup,
    Book,
    Balloon,
    Cat,
    Dog,
    Chair,
    Table,
    Car,
    Star,
    Fish,
    Tree,
    Spoon,
    Fork,
    Phone,
    Clock,
    Lamp,
    Bird,
    Bed,
}

/// A knowledge-transfer portrait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Portrait {
    pub skin: [u8; 3],
    pub hair: [u8; 3],
    /// 0 = kid, 1 = mid-age, 2 = old.
    pub age: u8,
    pub female: bool,
}

/// What a picture shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Scene {
    /// `count` copies of one object (0 = an empty table).
    Count {
        glyph: Glyph,
        count: u32,
    },
    /// Two object types jumbled together and smeared: the judge answers `Error`.
    Jumble {
        first: Glyph,
        second: Glyph,
    },
    /// One object, large.
    Single(Glyph),
    /// One object with letters and arrows scrawled over it: the judge answers `Error`.
    Scrawled(Glyph),
    Portrait(Portrait),
    /// Fruit: colour and cluster shape.
    Fruit {
        color: [u8; 3],
        pieces: u32,
        elongated: bool,
    },
    /// Flower: petal colour, petal count and centre colour.
    Flower {
        petals: [u8; 3],
        count: u32,
        centre: [u8; 3],
    },
    /// Colour blobs with nothing recognisable: the knowledge judge answers `Reject`.
    Abstract,
}

type Canvas = RgbImage;

fn rgb(c: [u8; 3]) -> Rgb<u8> {
    Rgb(c)
}

/// Renders a scene on a soft background; `rng` only varies placement and background tint.
pub fn render(scene: &Scene, rng: &mut impl Rng) -> RgbImage {
    let tint = rng.random_range(0..18u8);
    let mut img = RgbImage::from_pixel(SIZE, SIZE, Rgb([238 - tint, 236, 228 + tint / 2]));
    // A table edge gives counts and objects a ground line.
    draw_filled_rect_mut(
        &mut img,
        Rect::at(0, 200).of_size(SIZE, 56),
        rgb([214 - tint, 200, 180]),
    );
    match scene {
        Scene::Count { glyph, count } => draw_row(&mut img, *glyph, *count),
        Scene::Jumble { first, second } => {
            draw_row(&mut img, *first, 2);
            draw_glyph(&mut img, *second, 128, 120, 40);
            smear(&mut img, rng);
        }
        Scene::Single(glyph) => draw_glyph(&mut img, *glyph, 128, 124, 80),
        Scene::Scrawled(glyph) => {
            draw_glyph(&mut img, *glyph, 128, 124, 70);
            scrawl(&mut img);
        }
        Scene::Portrait(p) => draw_portrait(&mut img, *p),
        Scene::Fruit {
            color,
            pieces,
            elongated,
        } => draw_fruit(&mut img, *color, *pieces, *elongated),
        Scene::Flower {
            petals,
            count,
            centre,
        } => draw_flower(&mut img, *petals, *count, *centre),
        Scene::Abstract => {
            for _ in 0..14 {
                let c = [rng.random(), rng.random(), rng.random()];
                let (x, y) = (rng.random_range(10..246), rng.random_range(10..246));
                draw_filled_ellipse_mut(
                    &mut img,
                    (x, y),
                    rng.random_range(8..40),
                    rng.random_range(8..40),
                    rgb(c),
                );
            }
        }
    }
    img
}

/// `count` glyphs spread over one or two rows, sized to fit.
fn draw_row(img: &mut Canvas, glyph: Glyph, count: u32) {
    if count == 0 {
        return;
    }
    let per_row = count.min(3);
    let rows = count.div_ceil(per_row);
    let size = if count <= 3 { 34 } else { 28 };
    for index in 0..count {
        let row = index / per_row;
        let in_row = if row + 1 == rows {
            count - row * per_row
        } else {
            per_row
        };
        let col = index % per_row;
        let spacing = SIZE as i32 / (in_row as i32 + 1);
        let x = spacing * (col as i32 + 1);
        let y = if rows == 1 { 140 } else { 92 + row as i32 * 78 };
        draw_glyph(img, glyph, x, y, size);
    }
}

fn poly(img: &mut Canvas, points: &[(i32, i32)], color: [u8; 3]) {
    let points: Vec<Point<i32>> = points.iter().map(|&(x, y)| Point::new(x, y)).collect();
    draw_polygon_mut(img, &points, rgb(color));
}

fn rect(img: &mut Canvas, x: i32, y: i32, w: i32, h: i32, color: [u8; 3]) {
    if w > 0 && h > 0 {
        draw_filled_rect_mut(img, Rect::at(x, y).of_size(w as u32, h as u32), rgb(color));
    }
}

fn thick_line(img: &mut Canvas, from: (i32, i32), to: (i32, i32), width: i32, color: [u8; 3]) {
    for d in -(width / 2)..=(width / 2) {
        for (dx, dy) in [(d, 0), (0, d)] {
            let a = ((from.0 + dx) as f32, (from.1 + dy) as f32);
            let b = ((to.0 + dx) as f32, (to.1 + dy) as f32);
            draw_line_segment_mut(img, a, b, rgb(color));
        }
    }
}

/// Draws one object centred at (x, y) with half-size `s`.
pub fn draw_glyph(img: &mut Canvas, glyph: Glyph, x: i32, y: i32, s: i32) {
    let dark = [60, 50, 45];
    match glyph {
        Glyph::Apple => {
            draw_filled_circle_mut(img, (x, y + s / 8), s * 3 / 4, rgb([200, 30, 35]));
            thick_line(img, (x, y - s / 2), (x + s / 6, y - s), 3, [90, 60, 30]);
            draw_filled_ellipse_mut(
                img,
                (x + s / 3, y - s * 3 / 4),
                s / 4,
                s / 8,
                rgb([60, 150, 50]),
            );
        }
        Glyph::Orange => {
            draw_filled_circle_mut(img, (x, y), s * 3 / 4, rgb([245, 140, 20]));
            draw_filled_circle_mut(img, (x, y - s * 3 / 4), s / 8, rgb([70, 120, 40]));
        }
        Glyph::Cup => {
            poly(
                img,
                &[
                    (x - s * 2 / 3, y - s / 2),
                    (x + s * 2 / 3, y - s / 2),
                    (x + s / 2, y + s * 3 / 4),
                    (x - s / 2, y + s * 3 / 4),
                ],
                [70, 130, 200],
            );
            draw_filled_circle_mut(img, (x + s * 3 / 4, y + s / 8), s / 4, rgb([70, 130, 200]));
            draw_filled_circle_mut(img, (x + s * 3 / 4, y + s / 8), s / 8, rgb([238, 236, 228]));
        }
        Glyph::Book => {
            rect(img, x - s / 2, y - s * 3 / 4, s, s * 3 / 2, [150, 40, 60]);
            rect(
                img,
                x - s / 2,
                y - s * 3 / 4,
                s / 6,
                s * 3 / 2,
                [90, 20, 40],
            );
            rect(img, x - s / 4, y - s / 3, s * 2 / 3, s / 8, [240, 220, 160]);
        }
        Glyph::Balloon => {
            draw_filled_ellipse_mut(
                img,
                (x, y - s / 3),
                s * 2 / 3,
                s * 5 / 6,
                rgb([220, 50, 140]),
            );
            thick_line(img, (x, y + s / 2), (x - s / 6, y + s * 5 / 4), 1, dark);
        }
        Glyph::Cat | Glyph::Dog => {
            let fur = if glyph == Glyph::Cat {
                [230, 150, 60]
            } else {
                [150, 100, 60]
            };
            draw_filled_circle_mut(img, (x, y), s * 2 / 3, rgb(fur));
            if glyph == Glyph::Cat {
                poly(
                    img,
                    &[
                        (x - s * 2 / 3, y - s / 4),
                        (x - s / 2, y - s),
                        (x - s / 6, y - s / 2),
                    ],
                    fur,
                );
                poly(
                    img,
                    &[
                        (x + s * 2 / 3, y - s / 4),
                        (x + s / 2, y - s),
                        (x + s / 6, y - s / 2),
                    ],
                    fur,
                );
            } else {
                draw_filled_ellipse_mut(img, (x - s * 2 / 3, y), s / 5, s / 2, rgb([90, 60, 35]));
                draw_filled_ellipse_mut(img, (x + s * 2 / 3, y), s / 5, s / 2, rgb([90, 60, 35]));
            }
            draw_filled_circle_mut(img, (x - s / 4, y - s / 8), s / 10 + 1, rgb(dark));
            draw_filled_circle_mut(img, (x + s / 4, y - s / 8), s / 10 + 1, rgb(dark));
            draw_filled_circle_mut(img, (x, y + s / 5), s / 8 + 1, rgb([40, 30, 30]));
        }
        Glyph::Chair => {
            let wood = [140, 90, 50];
            rect(img, x - s / 2, y - s, s / 6, s * 2, wood);
            rect(img, x - s / 2, y, s, s / 6, wood);
            rect(img, x + s / 2 - s / 6, y, s / 6, s, wood);
            rect(img, x - s / 2, y - s, s, s / 6, wood);
        }
        Glyph::Table => {
            let wood = [120, 80, 45];
            rect(img, x - s, y - s / 4, s * 2, s / 5, wood);
            rect(img, x - s * 4 / 5, y - s / 4, s / 6, s, wood);
            rect(img, x + s * 4 / 5 - s / 6, y - s / 4, s / 6, s, wood);
        }
        Glyph::Car => {
            rect(img, x - s, y - s / 6, s * 2, s / 2, [40, 110, 190]);
            poly(
                img,
                &[
                    (x - s / 2, y - s / 6),
                    (x - s / 3, y - s / 2),
                    (x + s / 3, y - s / 2),
                    (x + s / 2, y - s / 6),
                ],
                [40, 110, 190],
            );
            draw_filled_circle_mut(img, (x - s / 2, y + s / 3), s / 4, rgb(dark));
            draw_filled_circle_mut(img, (x + s / 2, y + s / 3), s / 4, rgb(dark));
        }
        Glyph::Star => {
            let points: Vec<(i32, i32)> = (0..10)
                .map(|i| {
                    let r = if i % 2 == 0 {
                        s as f32
                    } else {
                        s as f32 * 0.45
                    };
                    let a = std::f32::consts::PI * (i as f32 / 5.0) - std::f32::consts::FRAC_PI_2;
                    (x + (r * a.cos()) as i32, y + (r * a.sin()) as i32)
                })
                .collect();
            poly(img, &points, [245, 200, 30]);
        }
        Glyph::Fish => {
            draw_filled_ellipse_mut(img, (x, y), s * 2 / 3, s * 2 / 5, rgb([40, 160, 190]));
            poly(
                img,
                &[(x + s / 2, y), (x + s, y - s / 2), (x + s, y + s / 2)],
                [40, 160, 190],
            );
            draw_filled_circle_mut(img, (x - s / 3, y - s / 10), s / 10 + 1, rgb(dark));
        }
        Glyph::Tree => {
            rect(img, x - s / 8, y, s / 4, s, [110, 70, 40]);
            poly(
                img,
                &[
                    (x, y - s),
                    (x + s * 2 / 3, y + s / 5),
                    (x - s * 2 / 3, y + s / 5),
                ],
                [40, 140, 60],
            );
        }
        Glyph::Spoon => {
            draw_filled_ellipse_mut(img, (x, y - s / 2), s / 3, s / 2, rgb([150, 155, 165]));
            rect(img, x - s / 12 - 1, y, s / 6 + 2, s, [150, 155, 165]);
        }
        Glyph::Fork => {
            let steel = [150, 155, 165];
            rect(img, x - s / 12 - 1, y - s / 4, s / 6 + 2, s * 5 / 4, steel);
            rect(img, x - s / 3, y - s / 3, s * 2 / 3, s / 8, steel);
            for dx in [-s / 3, -s / 9, s / 9, s / 3 - 2] {
                rect(img, x + dx - 1, y - s, 3, s * 2 / 3, steel);
            }
        }
        Glyph::Phone => {
            rect(img, x - s / 2, y - s, s, s * 2, [30, 30, 35]);
            rect(
                img,
                x - s / 2 + 3,
                y - s + 6,
                s - 6,
                s * 2 - 16,
                [90, 170, 230],
            );
        }
        Glyph::Clock => {
            draw_filled_circle_mut(img, (x, y), s * 4 / 5, rgb(dark));
            draw_filled_circle_mut(img, (x, y), s * 4 / 5 - 4, rgb([250, 250, 245]));
            thick_line(img, (x, y), (x, y - s / 2), 3, dark);
            thick_line(img, (x, y), (x + s / 3, y + s / 6), 3, dark);
        }
        Glyph::Lamp => {
            poly(
                img,
                &[
                    (x - s / 2, y - s / 6),
                    (x + s / 2, y - s / 6),
                    (x + s / 4, y - s),
                    (x - s / 4, y - s),
                ],
                [240, 210, 90],
            );
            rect(img, x - 2, y - s / 6, 5, s, dark);
            rect(img, x - s / 3, y + s * 4 / 5, s * 2 / 3, s / 6, dark);
        }
        Glyph::Bird => {
            draw_filled_ellipse_mut(img, (x, y), s / 2, s / 3, rgb([70, 120, 210]));
            draw_filled_circle_mut(img, (x + s / 2, y - s / 3), s / 4, rgb([70, 120, 210]));
            poly(
                img,
                &[
                    (x + s * 3 / 4, y - s / 3),
                    (x + s, y - s / 4),
                    (x + s * 3 / 4, y - s / 6),
                ],
                [240, 170, 30],
            );
            poly(
                img,
                &[(x - s / 3, y), (x, y - s * 2 / 3), (x + s / 6, y)],
                [40, 80, 160],
            );
        }
        Glyph::Bed => {
            rect(img, x - s, y - s / 5, s * 2, s / 2, [180, 70, 70]);
            rect(img, x - s, y - s * 2 / 3, s / 6, s, [110, 70, 45]);
            rect(
                img,
                x + s - s / 6,
                y - s / 3,
                s / 6,
                s * 2 / 3,
                [110, 70, 45],
            );
            draw_filled_ellipse_mut(
                img,
                (x - s * 2 / 3, y - s / 3),
                s / 4,
                s / 7,
                rgb([245, 245, 245]),
            );
        }
    }
}

fn draw_portrait(img: &mut Canvas, p: Portrait) {
    let (face_r, face_y) = if p.age == 0 { (46, 118) } else { (54, 104) };
    if p.female {
        draw_filled_ellipse_mut(
            img,
            (128, face_y + 22),
            face_r + 12,
            face_r + 44,
            rgb(p.hair),
        );
    }
    let shirt = if p.female {
        [170, 80, 150]
    } else {
        [60, 90, 150]
    };
    draw_filled_ellipse_mut(img, (128, 250), 92, 64, rgb(shirt));
    rect(img, 118, face_y + face_r - 6, 20, 24, p.skin);
    draw_filled_ellipse_mut(img, (128, face_y), face_r - 6, face_r, rgb(p.skin));
    // Hair on top of the head.
    draw_filled_ellipse_mut(
        img,
        (128, face_y - face_r + 12),
        face_r - 2,
        22,
        rgb(p.hair),
    );
    let eye = if p.age == 0 { 7 } else { 5 };
    for dx in [-18, 18] {
        draw_filled_circle_mut(img, (128 + dx, face_y - 4), eye, rgb([250, 250, 250]));
        draw_filled_circle_mut(img, (128 + dx, face_y - 4), eye / 2 + 1, rgb([40, 30, 30]));
    }
    thick_line(
        img,
        (114, face_y + 26),
        (142, face_y + 26),
        3,
        [150, 60, 60],
    );
    if p.age == 2 {
        // Wrinkles and glasses mark the old.
        for dy in [-30, -24] {
            thick_line(
                img,
                (108, face_y + dy),
                (148, face_y + dy),
                1,
                [120, 90, 70],
            );
        }
        for dx in [-18, 18] {
            draw_polygon_ring(img, 128 + dx, face_y - 4, 11);
        }
        thick_line(img, (121, face_y - 4), (135, face_y - 4), 1, [40, 40, 40]);
    }
}

fn draw_polygon_ring(img: &mut Canvas, x: i32, y: i32, r: i32) {
    imageproc::drawing::draw_hollow_circle_mut(img, (x, y), r, rgb([40, 40, 40]));
    imageproc::drawing::draw_hollow_circle_mut(img, (x, y), r - 1, rgb([40, 40, 40]));
}

fn draw_fruit(img: &mut Canvas, color: [u8; 3], pieces: u32, elongated: bool) {
    let spots: &[(i32, i32)] = &[
        (128, 150),
        (96, 150),
        (160, 150),
        (112, 120),
        (144, 120),
        (128, 92),
        (80, 175),
        (176, 175),
    ];
    for &(x, y) in spots.iter().take(pieces.clamp(1, 8) as usize) {
        if elongated {
            draw_filled_ellipse_mut(img, (x, y), 34, 12, rgb(color));
        } else {
            draw_filled_circle_mut(img, (x, y), if pieces > 4 { 16 } else { 28 }, rgb(color));
            rect(img, x - 1, y - 34, 3, 10, [90, 60, 30]);
        }
    }
}

fn draw_flower(img: &mut Canvas, petals: [u8; 3], count: u32, centre: [u8; 3]) {
    thick_line(img, (128, 120), (128, 240), 5, [50, 130, 50]);
    draw_filled_ellipse_mut(img, (108, 190), 20, 8, rgb([60, 150, 60]));
    for i in 0..count.max(3) {
        let a = std::f32::consts::TAU * i as f32 / count.max(3) as f32;
        let (px, py) = (128 + (40.0 * a.cos()) as i32, 100 + (40.0 * a.sin()) as i32);
        draw_filled_circle_mut(img, (px, py), 22, rgb(petals));
    }
    draw_filled_circle_mut(img, (128, 100), 20, rgb(centre));
}

/// Letters and an arrow drawn over the picture: the mapping judge's "text or symbols" Error.
fn scrawl(img: &mut Canvas) {
    let ink = [20, 20, 20];
    // "A"
    thick_line(img, (30, 70), (45, 25), 3, ink);
    thick_line(img, (45, 25), (60, 70), 3, ink);
    thick_line(img, (37, 52), (53, 52), 3, ink);
    // arrow
    thick_line(img, (80, 48), (150, 48), 3, ink);
    poly(img, &[(150, 38), (166, 48), (150, 58)], ink);
    // "%"
    draw_polygon_ring(img, 190, 34, 8);
    draw_polygon_ring(img, 214, 62, 8);
    thick_line(img, (186, 70), (218, 26), 3, ink);
}

/// Smears horizontal bands, so objects look distorted.
fn smear(img: &mut Canvas, rng: &mut impl Rng) {
    for _ in 0..6 {
        let y = rng.random_range(40..200u32);
        let shift = rng.random_range(8..30u32);
        for yy in y..(y + 10).min(SIZE) {
            for x in (shift..SIZE).rev() {
                let p = *img.get_pixel(x - shift, yy);
                img.put_pixel(x, yy, p);
            }
        }
    }
}

/// Encodes a picture as PNG bytes.
pub fn png_bytes(img: &RgbImage) -> Vec<u8> {
    use image::ImageEncoder as _;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Best, FilterType::Adaptive)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("PNG encoding to memory cannot fail");
    bytes
}
