//! The built-in basemap tileset (`basemap.mbtiles`, the layers of [`lbm_tileset::basemap`]):
//! where a place is, from the open geography embedded in the tiler (outline, large waters,
//! provinces, gemeenten, GeoNames places) plus the wijken and buurten of the area files given.
//!
//! Polygons go through the same simplification and clipping as the score tilesets' areas
//! ([`tile_polygons`]), so a gemeente border of the basemap lies exactly on the score map's.
//! Label points go only into the tiles of the zooms that show them (cities from z6, towns from
//! z9, villages from z11), so a tile never holds more names than its zoom can draw.

use std::collections::BTreeMap;
use std::path::PathBuf;

use indicatif::ProgressBar;
use rayon::prelude::*;
use serde_json::{json, Value};

use lbm_formats::gzip::gzip;
use lbm_tileset::basemap::{
    area_label_zooms, place_kind, AREA_LABEL, ID, LAND, MAXZOOM, MINZOOM, PLACE, PROVINCE, WATER,
};
use lbm_tileset::metadata::vector_layer;
use lbm_tileset::project::rd_to_unit;
use lbm_tileset::{AreaLevel, TilesetKind, TilesetMeta};

use crate::encode::layer::{LayerWriter, POINT, POLYGON};
use crate::encode::{global_px, EXTENT, GZIP_LEVEL};
use crate::error::{Result, TilerError};
use crate::geometry::area_tiles::{simplify_tolerance, tile_polygons, AreaPiece};
use crate::geometry::interior_point;
use crate::input::areas::{Area, Polygon};
use crate::input::geography::{self, features, OUTLINE, PROVINCES, WATERS};
use crate::input::places::places;
use crate::output::{OutputFile, OutputFormat, TilesetWriter};
use geo::Area as _;

/// The buffer around each tile of the basemap's polygons, in tile units (8 per pixel of a
/// 512-pixel tile): wider than half the widest boundary line, so no line follows a clip edge
/// into view.
const POLYGON_BUFFER: i32 = 64;

/// What the basemap is made of and where it goes.
#[derive(Clone, Debug)]
pub struct BasemapOptions {
    /// Output folder (`basemap.mbtiles` and/or `.pmtiles`).
    pub out_dir: PathBuf,
    /// Areas from boundary files: their gemeenten replace the embedded ones (a file of another
    /// year), their wijken and buurten add boundaries and names.
    pub areas: Vec<Area>,
    /// Attribution of those areas, added to the embedded geography's: in English (or neutral)
    /// and, when given, in Dutch.
    pub areas_attribution: Option<(String, Option<String>)>,
    /// Which files to write.
    pub format: OutputFormat,
    /// gzip level of the tiles.
    pub gzip_level: u32,
    /// Show a progress bar.
    pub progress: bool,
}

impl BasemapOptions {
    /// The embedded geography only, MBTiles, into `out_dir`.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        BasemapOptions {
            out_dir: out_dir.into(),
            areas: Vec::new(),
            areas_attribution: None,
            format: OutputFormat::default(),
            gzip_level: GZIP_LEVEL,
            progress: false,
        }
    }
}

/// A polygon layer of the basemap: names per feature and the tiled pieces per zoom.
struct PolygonLayer {
    name: &'static str,
    /// `(code, name)` per feature (code empty where there is none).
    labels: Vec<(String, String)>,
    minzoom: u8,
    pieces: Vec<Vec<AreaPiece>>,
}

impl PolygonLayer {
    fn build(
        name: &'static str,
        features: Vec<(String, String, Vec<Polygon>)>,
        minzoom: u8,
    ) -> Result<Self> {
        let polygons: Vec<&[Polygon]> = features.iter().map(|f| f.2.as_slice()).collect();
        let pieces = tile_polygons(
            name,
            &polygons,
            (minzoom, MAXZOOM),
            simplify_tolerance(),
            POLYGON_BUFFER,
            EXTENT,
        )?;
        Ok(PolygonLayer {
            name,
            labels: features.into_iter().map(|(c, n, _)| (c, n)).collect(),
            minzoom,
            pieces,
        })
    }

    /// The pieces at zoom `z`.
    fn at(&self, z: u8) -> &[AreaPiece] {
        if z < self.minzoom {
            return &[];
        }
        &self.pieces[usize::from(z - self.minzoom)]
    }
}

/// A label point in normalised Web Mercator with its properties and zoom range.
#[derive(Clone, Debug)]
struct LabelPoint {
    /// Feature id: its number among all labels, from 1.
    id: u64,
    layer: &'static str,
    unit: (f64, f64),
    name: String,
    /// `kind` of a place or `level` of an area label.
    class: &'static str,
    population: Option<f64>,
    minzoom: u8,
    maxzoom: u8,
}

fn unit(x: f64, y: f64) -> Result<(f64, f64)> {
    Ok(rd_to_unit(x, y)?)
}

/// A feature of a polygon layer: code (empty where there is none), name and polygons.
type Named = (String, String, Vec<Polygon>);

/// The features of an embedded file, by name.
fn named(text: &str) -> Vec<Named> {
    features(text)
        .into_iter()
        .map(|f| (String::new(), f.name, f.polygons))
        .collect()
}

fn as_features(areas: &[&Area]) -> Vec<Named> {
    areas
        .iter()
        .map(|a| (a.code.clone(), a.name.clone(), a.polygons.clone()))
        .collect()
}

/// The label points: places, then gemeenten, wijken, buurten and the large waters; ids from 1.
fn label_points(
    gemeenten: &[&Area],
    wijken: &[&Area],
    buurten: &[&Area],
) -> Result<Vec<LabelPoint>> {
    let mut labels: Vec<LabelPoint> = Vec::new();
    let mut push =
        |layer, (x, y): (f64, f64), name: String, class, population, minzoom| -> Result<()> {
            labels.push(LabelPoint {
                id: labels.len() as u64 + 1,
                layer,
                unit: unit(x, y)?,
                name,
                class,
                population,
                minzoom,
                maxzoom: MAXZOOM,
            });
            Ok(())
        };
    let mut place_names = std::collections::HashSet::new();
    let (gemeente_from, _) = area_label_zooms("gemeente");
    for p in places() {
        let (kind, minzoom) = place_kind(p.population);
        if minzoom <= gemeente_from {
            place_names.insert(p.name.to_lowercase());
        }
        push(PLACE, (p.x, p.y), p.name, kind, Some(p.population), minzoom)?;
    }
    for (areas, level) in [
        (gemeenten, "gemeente"),
        (wijken, "wijk"),
        (buurten, "buurt"),
    ] {
        let (min, _) = area_label_zooms(level);
        for a in areas {
            // A gemeente named like a place shown from the same zoom on (Utrecht, Zeist) is
            // labelled by the place: the same name twice, close together, reads as a mistake.
            if level == "gemeente" && place_names.contains(&a.name.to_lowercase()) {
                continue;
            }
            if let Some(at) = interior_point(&a.polygons) {
                push(
                    AREA_LABEL,
                    at,
                    a.name.clone(),
                    level,
                    None,
                    min.min(MAXZOOM),
                )?;
            }
        }
    }
    for w in features(WATERS) {
        // Lakes and the Wadden are named; the territorial sea and the coastal strips
        // ("Hollandse kust (kustwater)") are no places anyone looks for, and rivers and canals
        // are long and thin, so their interior point says little.
        let named = matches!(w.water_type.as_str(), "lakeWaterBody" | "coastalWaterBody")
            && !w.name.to_lowercase().contains("kust");
        let area: f64 = w
            .polygons
            .iter()
            .filter_map(|p| p.first())
            .map(|r| geo::Polygon::new(geo::LineString::from(r.clone()), vec![]).unsigned_area())
            .sum();
        if !named || area < 30e6 {
            continue;
        }
        if let Some(at) = interior_point(&w.polygons) {
            push(AREA_LABEL, at, w.name, "water", None, 7)?;
        }
    }
    Ok(labels)
}

/// What one tile holds: (layer, piece) indices and label indices.
#[derive(Default)]
struct TileContent {
    pieces: Vec<(usize, usize)>,
    labels: Vec<usize>,
}

/// The tiles of zoom `z` with what each holds, by tile key `x << 32 | y`.
fn tile_contents(
    z: u8,
    layers: &[PolygonLayer],
    labels: &[LabelPoint],
) -> BTreeMap<u64, TileContent> {
    let mut tiles: BTreeMap<u64, TileContent> = BTreeMap::new();
    for (li, l) in layers.iter().enumerate() {
        for (pi, p) in l.at(z).iter().enumerate() {
            tiles.entry(p.key).or_default().pieces.push((li, pi));
        }
    }
    let side = 1i32 << z;
    for (i, l) in labels.iter().enumerate() {
        if z < l.minzoom || z > l.maxzoom {
            continue;
        }
        // A label goes into the one tile holding its anchor: MapLibre places it from there.
        let (gx, gy) = global_px(l.unit, z, EXTENT);
        let (tx, ty) = (gx.div_euclid(EXTENT as i32), gy.div_euclid(EXTENT as i32));
        if (0..side).contains(&tx) && (0..side).contains(&ty) {
            let key = (tx as u64) << 32 | ty as u64;
            tiles.entry(key).or_default().labels.push(i);
        }
    }
    tiles
}

/// Writes the basemap tileset; returns its files.
pub fn basemap(opts: &BasemapOptions) -> Result<Vec<OutputFile>> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| TilerError::io(&opts.out_dir, e))?;
    let of_level = |level: AreaLevel| -> Vec<&Area> {
        opts.areas.iter().filter(|a| a.level == level).collect()
    };
    let embedded;
    let gemeenten: Vec<&Area> = if of_level(AreaLevel::Gemeente).is_empty() {
        embedded = geography::gemeenten()?;
        embedded.iter().collect()
    } else {
        of_level(AreaLevel::Gemeente)
    };
    let wijken = of_level(AreaLevel::Wijk);
    let buurten = of_level(AreaLevel::Buurt);
    let labels = label_points(&gemeenten, &wijken, &buurten)?;
    let layers = vec![
        PolygonLayer::build(LAND, named(OUTLINE), MINZOOM)?,
        PolygonLayer::build(WATER, named(WATERS), MINZOOM)?,
        PolygonLayer::build(PROVINCE, named(PROVINCES), MINZOOM)?,
        PolygonLayer::build("gemeente", as_features(&gemeenten), MINZOOM)?,
        PolygonLayer::build("wijk", as_features(&wijken), 10)?,
        PolygonLayer::build("buurt", as_features(&buurten), 12)?,
    ];

    let mut writer = TilesetWriter::create(&opts.out_dir, ID, opts.format)?;
    let bar = if opts.progress {
        ProgressBar::new(u64::from(MAXZOOM - MINZOOM + 1)).with_message("basemap zooms")
    } else {
        ProgressBar::hidden()
    };
    for z in MINZOOM..=MAXZOOM {
        let encoded: Vec<(u64, Vec<u8>)> = tile_contents(z, &layers, &labels)
            .par_iter()
            .map(|(&key, content)| {
                let data = encode_tile(z, key, &layers, content, &labels, opts.gzip_level)?;
                Ok((key, data))
            })
            .collect::<Result<_>>()?;
        for (key, data) in encoded {
            writer.add_tile(z, (key >> 32) as u32, key as u32, &data)?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let tiles = writer.tile_count();
    let tiles_hash = writer.tiles_hash().to_string();
    let meta = metadata(opts, &tiles_hash);
    let files = writer.finish(&meta.to_rows())?;
    tracing::info!(
        tiles,
        places = labels.iter().filter(|l| l.layer == PLACE).count(),
        gemeenten = gemeenten.len(),
        wijken = wijken.len(),
        buurten = buurten.len(),
        ms = started.elapsed().as_millis() as u64,
        "basemap written"
    );
    Ok(files)
}

/// One basemap tile: the polygon pieces of each layer and the label points in it.
fn encode_tile(
    z: u8,
    key: u64,
    layers: &[PolygonLayer],
    content: &TileContent,
    labels: &[LabelPoint],
    gzip_level: u32,
) -> Result<Vec<u8>> {
    let (pieces, points) = (&content.pieces, &content.labels);
    let (x, y) = ((key >> 32) as u32, key as u32);
    let mut layer = LayerWriter::default();
    let mut tile = Vec::new();
    for (li, l) in layers.iter().enumerate() {
        layer.reset(l.name, EXTENT);
        for &(_, pi) in pieces.iter().filter(|(i, _)| *i == li) {
            let p = &l.at(z)[pi];
            let (code, name) = &l.labels[p.area as usize];
            // The digits of an area's code (as in the score tilesets), else the feature's number.
            let id = if code.is_empty() {
                u64::from(p.area) + 1
            } else {
                layer.tag_string("code", code);
                lbm_tileset::names::code_id(code)
            };
            if !name.is_empty() {
                layer.tag_string("name", name);
            }
            layer.add_feature(id, POLYGON, &p.geometry);
        }
        if !layer.is_empty() {
            layer.write_to(&mut tile);
        }
    }
    let (ox, oy) = (x as i32 * EXTENT as i32, y as i32 * EXTENT as i32);
    let mut geometry = Vec::new();
    for name in [PLACE, AREA_LABEL] {
        layer.reset(name, EXTENT);
        for l in points
            .iter()
            .map(|&i| &labels[i])
            .filter(|l| l.layer == name)
        {
            let (gx, gy) = global_px(l.unit, z, EXTENT);
            geometry.clear();
            crate::encode::geometry::point(&mut geometry, (gx - ox, gy - oy));
            layer.tag_string("name", &l.name);
            if name == PLACE {
                layer.tag_string("kind", l.class);
                layer.tag_uint("population", l.population.unwrap_or(0.0) as u64);
            } else {
                layer.tag_string("level", l.class);
            }
            layer.add_feature(l.id, POINT, &geometry);
        }
        if !layer.is_empty() {
            layer.write_to(&mut tile);
        }
    }
    gzip(&tile, gzip_level).map_err(|e| TilerError::Encode {
        z,
        x,
        y,
        message: e.to_string(),
    })
}

/// The metadata rows of the basemap.
fn metadata(opts: &BasemapOptions, tiles_hash: &str) -> TilesetMeta {
    let polygon =
        |id: &str, what: &str, min: u8, fields: Value| vector_layer(id, what, min, MAXZOOM, fields);
    let area_fields = json!({"code": "String", "name": "String"});
    let layers = vec![
        polygon(LAND, "The Netherlands (Natural Earth)", MINZOOM, json!({})),
        polygon(
            WATER,
            "Large waters (Rijkswaterstaat KRW)",
            MINZOOM,
            json!({"name": "String"}),
        ),
        polygon(
            PROVINCE,
            "Provinces (Natural Earth)",
            MINZOOM,
            json!({"name": "String"}),
        ),
        polygon("gemeente", "Gemeenten", MINZOOM, area_fields.clone()),
        polygon("wijk", "Wijken", 10, area_fields.clone()),
        polygon("buurt", "Buurten", 12, area_fields),
        polygon(
            PLACE,
            "Places with 500 or more inhabitants (GeoNames); towns from z9, villages from z11",
            6,
            json!({"name": "String", "kind": "String", "population": "Number"}),
        ),
        polygon(
            AREA_LABEL,
            "Label points of waters, gemeenten, wijken and buurten",
            7,
            json!({"name": "String", "level": "String"}),
        ),
    ];
    let mut attribution = geography::ATTRIBUTION.to_string();
    let mut attribution_nl = geography::ATTRIBUTION_NL.to_string();
    if let Some((en, nl)) = &opts.areas_attribution {
        attribution = format!("{attribution}; {en}");
        attribution_nl = format!("{attribution_nl}; {}", nl.as_deref().unwrap_or(en));
    }
    let bounds = [3.2, 50.7, 7.3, 53.6];
    TilesetMeta {
        name: ID.into(),
        description: Some(
            "Basemap of the Netherlands: land, large waters, provinces, gemeenten, wijken, \
             buurten and place names"
                .into(),
        ),
        attribution: Some(attribution),
        attribution_nl: Some(attribution_nl),
        version: Some("1".into()),
        bounds,
        center: [5.3, 52.1, 7.0],
        minzoom: MINZOOM,
        maxzoom: MAXZOOM,
        vector_layers: Value::Array(layers),
        kind: Some(TilesetKind::Basemap),
        classification: None,
        pyramid: Vec::new(),
        source_sha256: None,
        inputs_sha256: None,
        generator: Some(format!("lbm-tiler {}", env!("CARGO_PKG_VERSION"))),
        areas: Vec::new(),
        levels: Vec::new(),
        reference: None,
        tiles_hash: Some(tiles_hash.to_string()),
        pressure: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lbm_test_support::{decode_layer, gunzip, metadata as rows, read_tile, tile_of};

    #[test]
    fn the_basemap_has_land_water_boundaries_and_names() {
        let dir = tempfile::tempdir().unwrap();
        let files = basemap(&BasemapOptions::new(dir.path())).unwrap();
        assert_eq!(files.len(), 1);
        let path = &files[0].path;
        let meta = TilesetMeta::from_rows(ID, &rows(path), None).unwrap();
        assert_eq!(meta.kind, Some(TilesetKind::Basemap));
        assert!(meta.attribution.unwrap().contains("GeoNames"));
        let layer = |z: u8, lon: f64, lat: f64, name: &str| {
            let ((x, y), _) = tile_of(lon, lat, z, EXTENT);
            let data = read_tile(path, z, x, y).expect("a tile");
            decode_layer(&gunzip(&data), name).1
        };
        // The IJsselmeer is water at z8; Utrecht is named at z12, its gemeente outlined.
        assert!(!layer(8, 5.3, 52.75, WATER).is_empty());
        let names = |fs: Vec<lbm_test_support::Feature>| -> Vec<String> {
            fs.iter()
                .filter_map(|f| f.props.get("name")?.as_str().map(String::from))
                .collect()
        };
        let places = names(layer(12, 5.1214, 52.0907, PLACE));
        assert!(places.iter().any(|n| n == "Utrecht"), "{places:?}");
        let gemeenten = names(layer(12, 5.1214, 52.0907, "gemeente"));
        assert!(gemeenten.iter().any(|n| n == "Utrecht"), "{gemeenten:?}");
        // Villages are not in the national tiles; cities are.
        let national = names(layer(6, 5.1214, 52.0907, PLACE));
        assert!(national.iter().any(|n| n == "Utrecht"));
        assert!(national.len() < 60, "{} names at z6", national.len());
    }
}
