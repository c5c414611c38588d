//! The label font of the web map and the built-in basemap, as MapLibre glyphs:
//! `GET /fonts/{fontstack}/{start}-{end}.pbf`, signed distance fields of 256 code points in the
//! glyph PBF format, the format of node-fontnik and of every MapLibre style's `glyphs` URL.
//!
//! The fonts are Open Sans Regular and Bold (Apache 2.0, `server/fonts/`), embedded in the
//! binary, so the map draws labels without any other host. A range is rendered by FreeType with
//! `pbf_font_tools` (the renderer martin uses) the first time it is asked for, and kept: a few
//! ranges cover Dutch place names, so the cache stays small.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use pbf_font_tools::prost::Message;
use pbf_font_tools::{combine_glyphs, Fontstack, Glyphs as GlyphsPbf};
use tokio::sync::OnceCell;

/// One shipped font: the name a style asks for and the TrueType file.
#[derive(Debug)]
pub struct Font {
    /// Family and style, as in a style's `text-font` (`"Open Sans Regular"`).
    pub name: &'static str,
    /// The TrueType file.
    pub data: &'static [u8],
}

/// The fonts served. A fontstack naming one of these and other fonts is served from the ones
/// known (styles often end a stack with "Arial Unicode MS Regular"); one naming none is a 404.
pub const FONTS: &[Font] = &[
    Font {
        name: "Open Sans Regular",
        data: include_bytes!("../fonts/OpenSans-Regular.ttf"),
    },
    Font {
        name: "Open Sans Bold",
        data: include_bytes!("../fonts/OpenSans-Bold.ttf"),
    },
];

/// The regular label font.
pub const REGULAR: &str = "Open Sans Regular";
/// The bold label font (cities, gemeenten).
pub const BOLD: &str = "Open Sans Bold";

/// Font size, SDF radius and cutoff of the glyphs: the values of node-fontnik, which MapLibre's
/// text shaping assumes (24 px em, 3 px buffer added by the renderer).
const SIZE: usize = 24;
const RADIUS: usize = 8;
const CUTOFF: f64 = 0.25;

/// The highest code point MapLibre asks for (the Basic Multilingual Plane).
const LAST: u32 = 65535;

/// Why a glyph request cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlyphError {
    /// The range is not `{start}-{end}` of 256 code points starting at a multiple of 256.
    #[error("bad glyph range {0:?}: expected {{start}}-{{end}} with start a multiple of 256, end = start + 255, end <= 65535")]
    BadRange(String),
    /// No font of the stack is served.
    #[error("unknown fontstack {0:?}: this server has {1}")]
    UnknownFontstack(String, String),
    /// FreeType failed (the embedded font cannot be read).
    #[error("glyph rendering failed: {0}")]
    Render(String),
}

/// `start` of a range `start-end`, when it is one MapLibre can ask for.
pub fn parse_range(range: &str) -> Result<u32, GlyphError> {
    let bad = || GlyphError::BadRange(range.to_string());
    let (a, b) = range.split_once('-').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return Err(bad());
    }
    let (start, end): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if start % 256 != 0 || end != start + 255 || end > LAST {
        return Err(bad());
    }
    Ok(start)
}

/// The indices in [`FONTS`] of the fonts a comma-separated fontstack names, in its order
/// (unknown names are skipped; a name is matched without regard to case and spaces around it).
pub fn fonts_of(fontstack: &str) -> Result<Vec<usize>, GlyphError> {
    let mut out = Vec::new();
    for name in fontstack.split(',').map(str::trim) {
        if let Some(i) = FONTS.iter().position(|f| f.name.eq_ignore_ascii_case(name)) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    if out.is_empty() {
        let have: Vec<&str> = FONTS.iter().map(|f| f.name).collect();
        return Err(GlyphError::UnknownFontstack(
            fontstack.to_string(),
            have.join(", "),
        ));
    }
    Ok(out)
}

/// Renders the glyphs of code points `start..=start+255` of one font (blocking: FreeType).
pub fn render_range(font: &Font, start: u32) -> Result<Fontstack, GlyphError> {
    let err = |e: &dyn std::fmt::Display| GlyphError::Render(format!("{}: {e}", font.name));
    let lib = pbf_font_tools::freetype::Library::init().map_err(|e| err(&e))?;
    let face = lib
        .new_memory_face(Rc::new(font.data.to_vec()), 0)
        .map_err(|e| err(&e))?;
    let mut stack =
        pbf_font_tools::glyph_range_for_face(&face, start, start + 255, SIZE, RADIUS, CUTOFF)
            .map_err(|e| err(&e))?;
    stack.name = font.name.to_string();
    Ok(stack)
}

/// The PBF of a fontstack's range: each code point from the first font of the stack that has it
/// (`pbf_font_tools::combine_glyphs`), named by the stack asked for and the requested range as
/// fontnik writes them, in code point order; an empty but valid message when no font has any
/// (where `combine_glyphs` has none).
pub fn encode_stack(name: &str, start: u32, ranges: Vec<Fontstack>) -> Vec<u8> {
    let fonts = ranges
        .into_iter()
        .map(|r| GlyphsPbf { stacks: vec![r] })
        .collect();
    let mut stack = combine_glyphs(fonts)
        .and_then(|g| g.stacks.into_iter().next())
        .unwrap_or_default();
    stack.name = name.to_string();
    stack.range = format!("{start}-{}", start + 255);
    stack.glyphs.sort_by_key(|g| g.id);
    GlyphsPbf {
        stacks: vec![stack],
    }
    .encode_to_vec()
}

/// The answer to one glyph request: the PBF, gzipped, and its ETag.
#[derive(Debug)]
pub struct GlyphPbf {
    /// The glyph PBF.
    pub raw: Bytes,
    /// The same, gzip-compressed (for clients that accept it).
    pub gzip: Bytes,
    /// Strong ETag of the raw bytes (the gzipped ones get a `-gz` suffix).
    pub etag: String,
}

type Cells<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;

/// Rendered ranges per font and answers per fontstack, each made once however many ask at once.
#[derive(Debug, Default)]
pub struct GlyphCache {
    ranges: Cells<(usize, u32), Fontstack>,
    stacks: Cells<(Vec<usize>, u32), Arc<GlyphPbf>>,
}

/// The cell of `key`, made empty when missing.
fn cell<K: std::hash::Hash + Eq, V>(cells: &Cells<K, V>, key: K) -> Arc<OnceCell<V>> {
    let mut map = cells.lock().unwrap_or_else(|p| p.into_inner());
    map.entry(key).or_default().clone()
}

impl GlyphCache {
    /// The PBF of `fontstack` for the range starting at `start` (checked by [`parse_range`]).
    pub async fn stack(&self, fontstack: &str, start: u32) -> Result<Arc<GlyphPbf>, GlyphError> {
        let fonts = fonts_of(fontstack)?;
        let cell = cell(&self.stacks, (fonts.clone(), start));
        cell.get_or_try_init(|| async move {
            let mut ranges = Vec::with_capacity(fonts.len());
            for &font in &fonts {
                ranges.push(self.range(font, start).await?);
            }
            let name: Vec<&str> = fonts.iter().map(|&i| FONTS[i].name).collect();
            let raw = encode_stack(&name.join(","), start, ranges);
            let gzip =
                lbm_formats::gzip::gzip(&raw, 6).map_err(|e| GlyphError::Render(e.to_string()))?;
            let etag = format!(
                "\"{}\"",
                hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(&raw)[..16])
            );
            Ok(Arc::new(GlyphPbf {
                raw: Bytes::from(raw),
                gzip: Bytes::from(gzip),
                etag,
            }))
        })
        .await
        .cloned()
    }

    async fn range(&self, font: usize, start: u32) -> Result<Fontstack, GlyphError> {
        cell(&self.ranges, (font, start))
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || render_range(&FONTS[font], start))
                    .await
                    .map_err(|e| GlyphError::Render(e.to_string()))?
            })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_the_ones_maplibre_asks_for() {
        assert_eq!(parse_range("0-255"), Ok(0));
        assert_eq!(parse_range("65280-65535"), Ok(65280));
        for bad in [
            "",
            "0",
            "0-256",
            "1-256",
            "256-255",
            "65536-65791",
            "-0-255",
            "0-255x",
            "00000-255 ",
            "a-b",
            "0255-0510",
        ] {
            assert!(parse_range(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn fontstacks_use_the_fonts_they_name_that_exist() {
        assert_eq!(fonts_of("Open Sans Regular"), Ok(vec![0]));
        assert_eq!(
            fonts_of("Open Sans Bold,Arial Unicode MS Regular,open sans regular"),
            Ok(vec![1, 0])
        );
        assert!(matches!(
            fonts_of("Comic Sans"),
            Err(GlyphError::UnknownFontstack(..))
        ));
    }

    fn decode(pbf: &[u8]) -> GlyphsPbf {
        GlyphsPbf::decode(pbf).expect("a glyph PBF")
    }

    #[tokio::test]
    async fn a_latin_range_has_sdf_glyphs_with_fontnik_metrics() {
        let cache = GlyphCache::default();
        let pbf = decode(&cache.stack(REGULAR, 0).await.unwrap().raw);
        let stack = &pbf.stacks[0];
        assert_eq!(stack.name, REGULAR);
        assert_eq!(stack.range, "0-255");
        let a = stack.glyphs.iter().find(|g| g.id == 'A' as u32).unwrap();
        // A capital at 24 px: about 17 px high, its top ~9 px below the ascender (fontnik's
        // `top`), and a bitmap of (w + 6) × (h + 6) distances.
        assert!((15..=19).contains(&a.height), "{a:?}");
        assert!((-11..=-7).contains(&a.top), "{a:?}");
        let bitmap = a.bitmap.as_ref().unwrap();
        assert_eq!(bitmap.len() as u32, (a.width + 6) * (a.height + 6));
        // Inside the outline the field is high, far outside it is zero.
        assert!(bitmap.iter().any(|&v| v > 200) && bitmap.contains(&0));
        let e_acute = stack.glyphs.iter().find(|g| g.id == 0xe9).unwrap();
        assert!(e_acute.advance > 0);
        let space = stack.glyphs.iter().find(|g| g.id == ' ' as u32).unwrap();
        assert!(space.advance > 0 && space.width == 0);
    }

    #[tokio::test]
    async fn ranges_outside_the_font_are_empty_but_valid() {
        let cache = GlyphCache::default();
        // Hangul syllables: not in Open Sans.
        let pbf = decode(&cache.stack("Open Sans Bold", 44032).await.unwrap().raw);
        assert_eq!(pbf.stacks.len(), 1);
        assert_eq!(pbf.stacks[0].range, "44032-44287");
        assert!(pbf.stacks[0].glyphs.is_empty());
    }

    #[tokio::test]
    async fn a_stack_takes_each_glyph_from_its_first_font() {
        let cache = GlyphCache::default();
        let bold = decode(&cache.stack(BOLD, 0).await.unwrap().raw);
        let both = decode(
            &cache
                .stack(&format!("{BOLD},x,{REGULAR}"), 0)
                .await
                .unwrap()
                .raw,
        );
        let m = |p: &GlyphsPbf| {
            p.stacks[0]
                .glyphs
                .iter()
                .find(|g| g.id == 'm' as u32)
                .cloned()
        };
        assert_eq!(m(&bold), m(&both));
        assert_eq!(both.stacks[0].name, format!("{BOLD},{REGULAR}"));
    }
}
