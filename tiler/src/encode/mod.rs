//! Vector tile encoding: cells as MVT 2.1 polygons in layer `grid` and the area layers,
//! gzip-compressed. [`geometry`] writes the commands, [`layer`] the protobuf of a layer.

pub mod geometry;
pub mod layer;

use lbm_formats::gzip::gzip;
use lbm_tileset::grid::{feature_id, write_cell_label};

use crate::error::{Result, TilerError};
use layer::{LayerWriter, POLYGON};

/// Tile extent (coordinate units per tile side) of every zoom but a shallow pyramid's top.
pub const EXTENT: u32 = 4096;
/// The zoom whose precision the top zoom of a pyramid ending just below it keeps: z13 at
/// [`EXTENT`] is 0.73 m per unit in the Netherlands, finer than any cell or border needs.
pub const DETAIL_ZOOM: u8 = 13;
/// How many zooms below [`DETAIL_ZOOM`] a top zoom still takes its precision (a larger extent),
/// so that a tileset built to zoom 11 or 12 draws, overzoomed, exactly what zoom 13 would.
pub const DETAIL_ZOOMS: u8 = 2;

/// The tile extent at zoom `z` of a pyramid ending at `maxzoom`.
///
/// Clients draw a tileset's top zoom at every zoom above it, so a top zoom of 11 or 12 gets the
/// extent that gives it zoom 13's units (8192 at 12, 16384 at 11): MapLibre rounds every tile
/// to 8192 units, so a top zoom 12 at 8192 shows exactly the vertices of zoom 13 at 4096 with a
/// quarter of its tiles, and the zoom 13 tiles (a third of a national build's bytes) are not
/// needed. Every other zoom has [`EXTENT`].
pub fn extent_at(z: u8, maxzoom: u8) -> u32 {
    if z == maxzoom && z < DETAIL_ZOOM && DETAIL_ZOOM - z <= DETAIL_ZOOMS {
        EXTENT << (DETAIL_ZOOM - z)
    } else {
        EXTENT
    }
}

/// The tile buffer in units of a tile of `extent`: [`BUFFER`] scaled from [`EXTENT`], the same
/// share of a tile at every extent.
pub fn buffer_at(buffer: i32, extent: u32) -> i32 {
    buffer * (extent / EXTENT) as i32
}
/// Layer name.
pub const LAYER: &str = "grid";
/// Buffer in tile units: a cell goes into every tile its bounding box touches, plus this margin.
pub const BUFFER: i32 = 8;

/// Default gzip level (libdeflate's, see [`lbm_formats::gzip`]). Measured on one national 100 m
/// tileset (lbm 2022, z5–z13, 5,914 tiles, 99 MB of MVT): level 1 35.5 MB in 0.71 s, level 2
/// 34.6 MB in 0.99 s, level 6 33.0 MB in 1.78 s. Pass `--gzip-level 6` when bytes matter more
/// than build time.
pub const GZIP_LEVEL: u32 = 1;

/// Global pixel coordinate at zoom `z` with tiles of `extent` units of a normalised Web
/// Mercator point.
///
/// Rounding the global coordinate (not the tile-local one) makes every tile quantise a shared
/// corner to the same place, so neighbouring cells share corners exactly in every tile.
pub fn global_px(unit: (f64, f64), z: u8, extent: u32) -> (i32, i32) {
    let scale = f64::from(extent) * f64::from(1u32 << z);
    (
        (unit.0 * scale).round() as i32,
        (unit.1 * scale).round() as i32,
    )
}

/// What a feature shows: its published score and class, and for the total score its published
/// `afw`. A feature without it is a place that exists but has no score ("geen gegevens").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown {
    /// The published score (or change).
    pub score: f64,
    /// Class 1..9.
    pub class: u8,
    /// The published `afw` of an `lbm` score tileset.
    pub afw: Option<f64>,
}

/// One cell placed at one zoom.
#[derive(Clone, Copy, Debug)]
pub struct TileFeature {
    /// Global pixel corners SW, NW, NE, SE.
    pub quad: [(i32, i32); 4],
    /// x in units of the cell size.
    pub kx: i32,
    /// y in units of the cell size.
    pub ky: i32,
}

impl TileFeature {
    /// Inclusive range of tiles (x0, y0, x1, y1) of `extent` units whose area (plus
    /// [`BUFFER`]) the cell touches.
    pub fn tile_range(&self, z: u8, extent: u32) -> (u32, u32, u32, u32) {
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for &(x, y) in &self.quad {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let e = extent as i32;
        let b = buffer_at(BUFFER, extent);
        let max = (1i32 << z) - 1;
        let t = |v: i32| v.div_euclid(e).clamp(0, max) as u32;
        (t(x0 - b), t(y0 - b), t(x1 + b), t(y1 + b))
    }
}

/// One area (gemeente, wijk, buurt, pc4) in one tile.
#[derive(Clone, Copy, Debug)]
pub struct AreaTileFeature<'a> {
    /// Its geometry, encoded once ([`crate::geometry::area_tiles::AreaPiece::geometry`]).
    pub geometry: &'a [u8],
    /// Feature id (the digits of the code).
    pub id: u64,
    /// Code, e.g. `GM0363`.
    pub code: &'a str,
    /// Name.
    pub name: &'a str,
    /// Score and class; `None` for an area without a score (drawn as "geen gegevens").
    pub shown: Option<Shown>,
    /// 100 m cells with data inside (0 for scores from a file).
    pub n: u32,
}

/// The area features of one layer in one tile.
#[derive(Clone, Debug)]
pub struct AreaTileLayer<'a> {
    /// Layer name.
    pub name: &'static str,
    /// Its features.
    pub features: Vec<AreaTileFeature<'a>>,
}

/// The cells of one tile, cut, labelled and encoded once: every tileset that draws the tile (the
/// measures and change maps of a year) adds only what each cell shows.
#[derive(Default)]
pub struct TileCells {
    /// Per cell: its index in the caller's values and the ends of its id field in `heads` and
    /// of its type and geometry fields in `tails`.
    cells: Vec<(u32, usize, usize)>,
    heads: Vec<u8>,
    tails: Vec<u8>,
    /// The cells' labels as the first values of the layer, in cell order.
    labels: Vec<u8>,
    label: String,
    geometry: Vec<u8>,
    /// The extent of the tile placed in.
    extent: u32,
}

impl TileCells {
    /// Places `cells` (each with the index of its values) in tile (x, y) of `extent` units at
    /// cell `level`.
    pub fn place<'a>(
        &mut self,
        (x, y): (u32, u32),
        extent: u32,
        level: u8,
        cells: impl Iterator<Item = (u32, &'a TileFeature)>,
    ) {
        self.cells.clear();
        self.heads.clear();
        self.tails.clear();
        self.labels.clear();
        self.extent = extent;
        let (ox, oy) = (x as i32 * extent as i32, y as i32 * extent as i32);
        for (i, f) in cells {
            let quad = f.quad.map(|(px, py)| (px - ox, py - oy));
            self.geometry.clear();
            if !geometry::polygon(&mut self.geometry, [&quad[..]]) {
                continue;
            }
            write_cell_label(&mut self.label, f.kx, f.ky, level);
            layer::string_value_field(&self.label, &mut self.labels);
            layer::feature_head(feature_id(f.kx, f.ky, level), &mut self.heads);
            layer::feature_tail(POLYGON, &self.geometry, &mut self.tails);
            self.cells.push((i, self.heads.len(), self.tails.len()));
        }
    }

    /// Whether the tile has no cell.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// Reused buffers of one worker: a tile's layer and its bytes.
#[derive(Default)]
pub struct TileEncoder {
    layer: LayerWriter,
    raw: Vec<u8>,
}

impl TileEncoder {
    /// Encodes tile (z, x, y) (XYZ) of one tileset: the placed `cells`, each showing
    /// `values(index)` (what it shows and its `n`), and the area layers (cut for the same
    /// extent as the cells, see [`extent_at`]); returns MVT compressed
    /// with gzip at `gzip_level`. The `grid` layer is left out when it has no features and
    /// there are area layers.
    pub fn encode_tile(
        &mut self,
        (z, x, y): (u8, u32, u32),
        gzip_level: u32,
        cells: &TileCells,
        values: impl Fn(u32) -> (Option<Shown>, u32),
        areas: &[AreaTileLayer<'_>],
    ) -> Result<Vec<u8>> {
        self.raw.clear();
        let layer = &mut self.layer;
        layer.reset(LAYER, cells.extent);
        layer.preset_values(cells.cells.len() as u32, &cells.labels);
        let (mut head_start, mut tail_start) = (0, 0);
        for (label, &(i, head_end, tail_end)) in cells.cells.iter().enumerate() {
            let (shown, n) = values(i);
            add_shown(layer, shown);
            layer.tag_preset("cell", label as u32);
            layer.tag_uint("n", u64::from(n));
            layer.add_encoded_feature(
                &cells.heads[head_start..head_end],
                &cells.tails[tail_start..tail_end],
            );
            (head_start, tail_start) = (head_end, tail_end);
        }
        if areas.is_empty() || !layer.is_empty() {
            layer.write_to(&mut self.raw);
        }
        for al in areas.iter().filter(|l| !l.features.is_empty()) {
            layer.reset(al.name, cells.extent);
            for f in &al.features {
                layer.tag_string("code", f.code);
                layer.tag_string("name", f.name);
                add_shown(layer, f.shown);
                layer.tag_uint("n", u64::from(f.n));
                layer.add_feature(f.id, POLYGON, f.geometry);
            }
            layer.write_to(&mut self.raw);
        }
        gzip(&self.raw, gzip_level).map_err(|e| TilerError::Encode {
            z,
            x,
            y,
            message: e.to_string(),
        })
    }
}

/// The `score`, `class` and (for `lbm` scores) `afw` properties; none for "no data".
fn add_shown(layer: &mut LayerWriter, shown: Option<Shown>) {
    if let Some(s) = shown {
        layer.tag_double("score", s.score);
        layer.tag_uint("class", u64::from(s.class));
        if let Some(afw) = s.afw {
            layer.tag_double("afw", afw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_range_includes_buffer() {
        let f = TileFeature {
            quad: [(4090, 100), (4090, 50), (4095, 50), (4095, 100)],
            kx: 0,
            ky: 0,
        };
        assert_eq!(f.tile_range(3, EXTENT), (0, 0, 1, 0));
        assert_eq!(f.tile_range(3, 2 * EXTENT), (0, 0, 0, 0));
        let f = TileFeature {
            quad: [(-3, 10), (-3, 5), (2, 5), (2, 10)],
            ..f
        };
        assert_eq!(f.tile_range(3, EXTENT), (0, 0, 0, 0));
    }

    #[test]
    fn top_zoom_keeps_zoom_13_units() {
        assert_eq!(extent_at(13, 13), 4096);
        assert_eq!(extent_at(12, 13), 4096);
        assert_eq!(extent_at(12, 12), 8192);
        assert_eq!(extent_at(11, 11), 16384);
        assert_eq!(
            extent_at(10, 10),
            4096,
            "a deliberately shallow pyramid stays small"
        );
        assert_eq!(extent_at(14, 14), 4096);
        let u = (0.5123456, 0.3312345);
        assert_eq!(global_px(u, 12, extent_at(12, 12)), global_px(u, 13, 4096));
        assert_eq!(buffer_at(BUFFER, 8192), 2 * BUFFER);
    }

    #[test]
    fn encodes_gzip() {
        let f = TileFeature {
            quad: [(4100, 4200), (4100, 4150), (4160, 4150), (4160, 4200)],
            kx: 1213,
            ky: 4879,
        };
        let mut cells = TileCells::default();
        cells.place((1, 1), EXTENT, 0, std::iter::once((0, &f)));
        let shown = Shown {
            score: 4.125,
            class: 7,
            afw: Some(0.125),
        };
        let data = TileEncoder::default()
            .encode_tile((1, 1, 1), GZIP_LEVEL, &cells, |_| (Some(shown), 1), &[])
            .unwrap();
        assert_eq!(&data[..2], &[0x1f, 0x8b]);
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&data[..]), &mut raw).unwrap();
        let tile = <geozero::mvt::Tile as geozero::mvt::Message>::decode(&raw[..]).unwrap();
        let layer = &tile.layers[0];
        assert_eq!(layer.name, LAYER);
        assert_eq!(layer.features[0].id, Some(feature_id(1213, 4879, 0)));
        assert_eq!(layer.keys, ["score", "class", "afw", "cell", "n"]);
        assert_eq!(
            layer.features[0].geometry,
            vec![9, 8, 208, 26, 0, 99, 120, 0, 0, 100, 15]
        );
    }
}
