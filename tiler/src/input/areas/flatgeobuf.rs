//! Area boundaries from FlatGeobuf, read with the `flatgeobuf` crate.

use std::collections::HashMap;
use std::path::Path;

use super::{bad, feature_label, finish_area, identify, Area, Crs, FileLog, Polygon};
use crate::error::{Result, TilerError};

fn fgb_err(path: &Path, e: impl std::fmt::Display) -> TilerError {
    bad(path, "file", format!("cannot read FlatGeobuf: {e}"))
}

fn fgb_polygon(g: &flatgeobuf::Geometry<'_>) -> Polygon {
    let xy: Vec<f64> = g.xy().map(|v| v.iter().collect()).unwrap_or_default();
    let n = xy.len() / 2;
    let ends: Vec<usize> = g
        .ends()
        .map(|e| e.iter().map(|v| v as usize).collect())
        .unwrap_or_else(|| vec![n]);
    let mut start = 0;
    let mut rings = Vec::new();
    for end in ends {
        let end = end.min(n);
        rings.push((start..end).map(|i| (xy[2 * i], xy[2 * i + 1])).collect());
        start = end;
    }
    rings
}

/// Reads a FlatGeobuf file of Polygon or MultiPolygon features.
pub fn read_flatgeobuf(path: &Path, log: &mut FileLog) -> Result<Vec<Area>> {
    // The flatgeobuf crate trusts offsets inside the file and panics (slice bounds) on some
    // corrupt files, as the parser fuzz test found; a bad input file must be an error that names
    // it, never a crash of the tiler.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_flatgeobuf_features(path, log)
    }))
    .unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("the FlatGeobuf reader gave up");
        Err(bad(path, "file", format!("corrupt FlatGeobuf: {why}")))
    })
}

fn read_flatgeobuf_features(path: &Path, log: &mut FileLog) -> Result<Vec<Area>> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, GeometryType};
    let file = std::fs::File::open(path).map_err(|e| TilerError::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let fgb = flatgeobuf::FgbReader::open(&mut reader).map_err(|e| fgb_err(path, e))?;
    let header_type = fgb.header().geometry_type();
    let crs = match fgb.header().crs().map(|c| c.code()) {
        None | Some(0) => Crs::Guess,
        Some(28992) => Crs::Rd,
        Some(4326) => Crs::Wgs84,
        Some(c) => {
            return Err(bad(
                path,
                "file",
                format!("unknown CRS EPSG:{c}; expected EPSG:28992 (RD New) or EPSG:4326"),
            ))
        }
    };
    check_fgb_index(path, fgb.header())?;
    let mut iter = fgb.select_all_seq().map_err(|e| fgb_err(path, e))?;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(f) = iter.next().map_err(|e| fgb_err(path, e))? {
        let props: HashMap<String, String> = f
            .properties()
            .map_err(|e| {
                bad(
                    path,
                    feature_label(i, None),
                    format!("cannot read the properties: {e}"),
                )
            })?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let index = i;
        i += 1;
        if log.skip_water(&props) {
            continue;
        }
        let code = identify(&props).ok().map(|(_, c, _)| c);
        let label = feature_label(index, code.as_deref());
        let g = f.geometry().ok_or_else(|| {
            bad(
                path,
                label.clone(),
                "no geometry; expected a Polygon or MultiPolygon",
            )
        })?;
        let ty = if header_type == GeometryType::Unknown {
            g.type_()
        } else {
            header_type
        };
        let polys = match ty {
            GeometryType::Polygon => vec![fgb_polygon(&g)],
            GeometryType::MultiPolygon => match g.parts() {
                Some(parts) => parts.iter().map(|p| fgb_polygon(&p)).collect(),
                None => vec![fgb_polygon(&g)],
            },
            t => {
                return Err(bad(
                    path,
                    label,
                    format!("unsupported geometry type {t:?}; expected Polygon or MultiPolygon"),
                ))
            }
        };
        out.extend(finish_area(path, &label, &props, polys, crs, log)?);
    }
    Ok(out)
}

/// Refuses a header whose spatial index cannot be in the file: the flatgeobuf crate asserts on
/// a node size of 1 and overflows on absurd feature counts while skipping the index (found by
/// the parser fuzz test), so a corrupt header must be caught before it gets there.
fn check_fgb_index(path: &Path, header: flatgeobuf::Header) -> Result<()> {
    let node_size = header.index_node_size();
    if node_size == 0 {
        return Ok(());
    }
    let file_len = std::fs::metadata(path)
        .map_err(|e| TilerError::io(path, e))?
        .len();
    // Every feature has a 40-byte node in the index's bottom level.
    let index_min = header.features_count().saturating_mul(40);
    if node_size == 1 || index_min > file_len {
        return Err(bad(
            path,
            "header",
            format!(
                "corrupt FlatGeobuf header: {} features with index node size {node_size} do not fit in {file_len} bytes",
                header.features_count()
            ),
        ));
    }
    Ok(())
}
