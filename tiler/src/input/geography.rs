//! The open geography of the Netherlands embedded in the tiler (`tiler/data/`, sources and
//! licences in its README): the national outline, the large waters, the provinces and the
//! gemeenten of 2024, all in RD New. The demo puts its cells on the land, and the basemap draws
//! all of them.

use std::path::Path;

use super::areas::{read_geojson, Area, Polygon};
use crate::error::Result;

/// The national outline (Natural Earth, public domain).
pub const OUTLINE: &str = include_str!("../../data/nl_outline_ne10m_rd.geojson");
/// Large water bodies (Rijkswaterstaat KRW via nlmod, MIT): `OWMNAAM` is the name.
pub const WATERS: &str = include_str!("../../data/nl_large_waters_krw_nlmod_rd.geojson");
/// The twelve provinces, generalised (Natural Earth, public domain).
pub const PROVINCES: &str = include_str!("../../data/nl_provinces_ne10m_qgis_rd.geojson");
/// CBS municipality boundaries 2024, generalised (CBS / Kadaster, CC BY 4.0, via cartomap/nl).
const GEMEENTEN: &str = include_str!("../../data/gemeente_2024_rd.geojson");

/// Attribution of the embedded geography, for a tileset's `attribution` row.
pub const ATTRIBUTION: &str = "outline and provinces: Natural Earth; waters: Rijkswaterstaat KRW \
via nlmod; places: GeoNames (geonames.org, CC BY 4.0); Gemeentegrenzen 2024: CBS / Kadaster (CBS \
Gebiedsindelingen via PDOK), CC BY 4.0, generalised by cartomap/nl";

/// [`ATTRIBUTION`] in Dutch.
pub const ATTRIBUTION_NL: &str =
    "omtrek en provincies: Natural Earth; wateren: Rijkswaterstaat KRW \
via nlmod; plaatsen: GeoNames (geonames.org, CC BY 4.0); Gemeentegrenzen 2024: CBS / Kadaster (CBS \
Gebiedsindelingen via PDOK), CC BY 4.0, gegeneraliseerd door cartomap/nl";

/// A named polygon feature of one of the embedded files.
#[derive(Clone, Debug)]
pub struct Feature {
    /// The name (`name`, `NAME` or `OWMNAAM`), empty when the feature has none.
    pub name: String,
    /// The KRW water type (`SPZONETYPE`: `lakeWaterBody`, `coastalWaterBody`,
    /// `territorialWater`, `riverWaterBody`), empty elsewhere.
    pub water_type: String,
    /// Its polygons in RD New metres.
    pub polygons: Vec<Polygon>,
}

/// The polygon features of an embedded GeoJSON FeatureCollection (RD New), in file order.
pub fn features(text: &str) -> Vec<Feature> {
    let v: serde_json::Value = serde_json::from_str(text).expect("embedded GeoJSON is valid");
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect()
    };
    let polygon = |p: &serde_json::Value| -> Polygon {
        p.as_array().into_iter().flatten().map(ring).collect()
    };
    let mut out = Vec::new();
    for f in v["features"].as_array().into_iter().flatten() {
        let g = &f["geometry"];
        let polygons = match g["type"].as_str() {
            Some("Polygon") => vec![polygon(&g["coordinates"])],
            Some("MultiPolygon") => g["coordinates"]
                .as_array()
                .into_iter()
                .flatten()
                .map(polygon)
                .collect(),
            _ => Vec::new(),
        };
        let p = &f["properties"];
        let name = ["name", "NAME", "OWMNAAM"]
            .iter()
            .find_map(|k| p[*k].as_str())
            .unwrap_or_default()
            .to_string();
        let water_type = p["SPZONETYPE"].as_str().unwrap_or_default().to_string();
        out.push(Feature {
            name,
            water_type,
            polygons,
        });
    }
    out
}

/// The gemeenten of 2024 with their codes and names.
pub fn gemeenten() -> Result<Vec<Area>> {
    read_geojson(
        GEMEENTEN,
        Path::new("<embedded gemeente_2024_rd.geojson>"),
        &mut Default::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_have_their_features() {
        assert_eq!(features(OUTLINE).len(), 1);
        let waters = features(WATERS);
        assert!(waters.iter().any(|w| w.name == "IJsselmeer"));
        let provinces = features(PROVINCES);
        assert_eq!(provinces.len(), 12);
        assert!(provinces.iter().any(|p| p.name == "Utrecht"));
        assert!(gemeenten().unwrap().len() > 300);
    }
}
