//! PNG pictures for slides, from the same SVG the `--svg` options write, drawn at twice
//! its size as the page's PNG export is. resvg renders it (pure Rust, no browser), with
//! the machine's own fonts for the labels.

use resvg::{tiny_skia, usvg};

/// Sans-serif families tried for `sans-serif`, in order: the SVG asks for the system's
/// interface font, which a headless machine rarely has under that name.
const SANS: [&str; 5] = [
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
];

/// Draws `svg` at twice its size and encodes it as PNG.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    let mut opt = usvg::Options::default();
    let fonts = opt.fontdb_mut();
    fonts.load_system_fonts();
    if fonts.is_empty() {
        return Err(
            "no fonts on this machine to draw the labels with (Debian: apt install fonts-dejavu-core)"
                .into(),
        );
    }
    let families: Vec<String> = fonts
        .faces()
        .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
        .collect();
    if let Some(f) = SANS.iter().find(|f| families.iter().any(|n| n == *f)) {
        fonts.set_sans_serif_family(*f);
    }
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| format!("the picture: {e}"))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(2.0)
        .ok_or("the picture has no size")?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the picture has no size")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| format!("PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The labels are drawn: a picture of nothing but text has dark pixels, twice the
    /// SVG's size.
    #[test]
    fn text_is_drawn_with_the_machines_fonts_at_twice_the_size() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" height="30" fill="white"/><text x="4" y="22" font-family="system-ui, sans-serif" font-size="18">Partition B</text></svg>"#;
        let bytes = png(svg).unwrap();
        let p = tiny_skia::Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((p.width(), p.height()), (240, 60));
        let dark = p.pixels().iter().filter(|c| c.red() < 100).count();
        assert!(
            dark > 200,
            "the label's glyphs are drawn: {dark} dark pixels"
        );
    }
}
